package promemu

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// partialVec is one vec type under DeletePartialMatch: how to make it, make and update a child,
// and tell whether a child is fresh (the value a new child has).
type partialVec struct {
	name string
	make func(t *testing.T, r *Registry, labelNames []string) partialHandle
}

type partialHandle struct {
	deletePartialMatch func(Labels) int
	// touch binds the child for these values and updates it away from its initial value; it
	// returns the child.
	touch func(values ...string) any
	// lookup returns the child for these values without updating it.
	lookup func(values ...string) any
	// fresh reports whether the child, of these values, holds a new child's value.
	fresh func(child any, values ...string) bool
}

var partialVecs = []partialVec{
	{"CounterVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewCounterVec(CounterOpts{Name: "pm_counter", Help: "h"}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any { c := v.WithLabelValues(values...); c.Add(3); return c },
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(c any, _ ...string) bool { return c.(*Counter).Get() == 0 },
		}
	}},
	{"GaugeVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewGaugeVec(GaugeOpts{Name: "pm_gauge", Help: "h"}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any { g := v.WithLabelValues(values...); g.Set(7); return g },
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(g any, _ ...string) bool { return g.(*Gauge).Get() == 0 },
		}
	}},
	{"HistogramVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewHistogramVec(HistogramOpts{Name: "pm_histogram", Help: "h", Buckets: []float64{1, 2}}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any { x := v.WithLabelValues(values...); x.Observe(1.5); return x },
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(x any, _ ...string) bool { return x.(*Histogram).Count() == 0 && x.(*Histogram).Sum() == 0 },
		}
	}},
	{"SummaryVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewSummaryVec(SummaryOpts{Name: "pm_summary", Help: "h"}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any { s := v.WithLabelValues(values...); s.Observe(4); return s },
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(s any, _ ...string) bool { return s.(*Summary).Count() == 0 && s.(*Summary).Sum() == 0 },
		}
	}},
	{"InfoVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewInfoVec(InfoOpts{Name: "pm_info", Help: "h"}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any {
				i := v.WithLabelValues(values...)
				if err := i.Set(Labels{"version": "1"}); err != nil {
					t.Fatal(err)
				}
				return i
			},
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(_ any, values ...string) bool {
				// A new child has no info labels: its sample carries only the vec's labels.
				s, ok := sample(t, r, "pm_info_info", "a", values[0], "b", values[1], "c", values[2])
				return ok && s.Value == 1
			},
		}
	}},
	{"EnumVec", func(t *testing.T, r *Registry, names []string) partialHandle {
		v := MustNewEnumVec(EnumOpts{Name: "pm_enum", Help: "h", States: []string{"idle", "busy"}}, names)
		r.MustRegister(v)
		return partialHandle{
			v.DeletePartialMatch,
			func(values ...string) any {
				e := v.WithLabelValues(values...)
				if err := e.Set("busy"); err != nil {
					t.Fatal(err)
				}
				return e
			},
			func(values ...string) any { return v.WithLabelValues(values...) },
			func(e any, _ ...string) bool { return e.(*Enum).State() == "idle" },
		}
	}},
}

// seriesExposed lists the label values (of the vec's label names, joined) of the series the
// registry exposes, sorted.
func seriesExposed(t *testing.T, r *Registry, labelNames []string) []string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		for _, s := range f.Samples {
			values := make([]string, len(labelNames))
			for _, l := range s.Labels {
				if i := slices.Index(labelNames, l.Name); i >= 0 {
					values[i] = l.Value
				}
			}
			seen[fmt.Sprint(values)] = true
		}
	}
	var series []string
	for s := range seen {
		series = append(series, s)
	}
	slices.Sort(series)
	return series
}

func TestDeletePartialMatch(t *testing.T) {
	names := []string{"a", "b", "c"}
	for _, pv := range partialVecs {
		t.Run(pv.name, func(t *testing.T) {
			r := NewRegistry()
			v := pv.make(t, r, names)
			check := func(step string, want ...string) {
				t.Helper()
				if got := seriesExposed(t, r, names); !slices.Equal(got, want) {
					t.Fatalf("%s: exposed %q, want %q", step, got, want)
				}
			}
			deletes := func(labels Labels, want int) {
				t.Helper()
				if got := v.deletePartialMatch(labels); got != want {
					t.Fatalf("DeletePartialMatch(%v) = %d, want %d", labels, got, want)
				}
			}
			for _, values := range [][]string{
				{"x", "1", "p"}, {"x", "1", "q"}, {"x", "2", "p"}, {"y", "1", "p"}, {"y", "2", "q"},
			} {
				v.touch(values...)
			}
			kept := v.lookup("x", "1", "p")
			check("start", "[x 1 p]", "[x 1 q]", "[x 2 p]", "[y 1 p]", "[y 2 q]")

			// Two labels, then one.
			deletes(Labels{"a": "x", "b": "1"}, 2)
			check("a=x,b=1", "[x 2 p]", "[y 1 p]", "[y 2 q]")
			deletes(Labels{"c": "q"}, 1)
			check("c=q", "[x 2 p]", "[y 1 p]")

			// No match, an unknown label alone or beside a matching one: nothing deleted.
			deletes(Labels{"a": "z"}, 0)
			deletes(Labels{"a": "x", "b": "1"}, 0)
			deletes(Labels{"nope": "x"}, 0)
			deletes(Labels{"a": "y", "nope": "x"}, 0)
			deletes(Labels{"a": "\xff"}, 0)
			check("no match", "[x 2 p]", "[y 1 p]")

			// A handle kept across the deletion updates a series no longer exposed, and a new
			// lookup makes a new child at its initial value.
			v.touch("x", "1", "p")
			if v.lookup("x", "1", "p") == kept {
				t.Fatal("touching the deleted child's values gave the deleted handle back")
			}
			check("after touching", "[x 1 p]", "[x 2 p]", "[y 1 p]")
			deletes(Labels{"a": "x", "b": "1"}, 1)
			fresh := v.lookup("x", "1", "p")
			if fresh == kept || !v.fresh(fresh, "x", "1", "p") {
				t.Fatal("a new lookup after DeletePartialMatch is not a new child")
			}
			v.touch("x", "1", "p") // updates fresh, which is cached: exposed again
			if v.lookup("x", "1", "p") != fresh {
				t.Fatal("the new child is not kept")
			}

			// Empty labels delete every child, as in client_golang; nil too.
			deletes(Labels{}, 3)
			check("empty labels")
			deletes(nil, 0)
			if !v.fresh(v.lookup("y", "1", "p"), "y", "1", "p") {
				t.Fatal("a child bound after deleting everything is not new")
			}
		})
	}
}

// The counts are client_golang's for the same children and the same calls.
func TestDeletePartialMatchCountsAsClientGolang(t *testing.T) {
	names := []string{"a", "b"}
	ours := MustNewCounterVec(CounterOpts{Name: "ours", Help: "h"}, names)
	theirs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "theirs", Help: "h"}, names)
	for i := range 12 {
		a, b := fmt.Sprint(i%3), fmt.Sprint(i%4)
		ours.WithLabelValues(a, b).Inc()
		theirs.WithLabelValues(a, b).Inc()
	}
	for _, labels := range []Labels{
		{"a": "0", "b": "0"}, {"a": "1"}, {"b": "3"}, {"a": "9"}, {"unknown": "1"},
		{"a": "2", "unknown": "1"}, {"b": "1"}, {}, {},
	} {
		want := theirs.DeletePartialMatch(prometheus.Labels(labels))
		if got := ours.DeletePartialMatch(labels); got != want {
			t.Fatalf("DeletePartialMatch(%v) = %d, client_golang %d", labels, got, want)
		}
	}
}

func TestDeletePartialMatchOnClosedVec(t *testing.T) {
	v := MustNewGaugeVec(GaugeOpts{Name: "closed", Help: "h"}, []string{"a"})
	v.WithLabelValues("x").Set(1)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if n := v.DeletePartialMatch(Labels{"a": "x"}); n != 0 {
		t.Fatalf("DeletePartialMatch on a closed vec = %d", n)
	}
}

// Updates, lookups and partial deletes at once (run with -race).
func TestDeletePartialMatchConcurrent(t *testing.T) {
	r := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: "racy", Help: "h"}, []string{"shard", "op"})
	r.MustRegister(v)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				v.WithLabelValues(fmt.Sprint(g), fmt.Sprint(i%5)).Inc()
				v.With(Labels{"shard": fmt.Sprint(g), "op": "w"}).Inc()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			v.DeletePartialMatch(Labels{"shard": fmt.Sprint(i % 4)})
			v.DeletePartialMatch(Labels{"op": fmt.Sprint(i % 5), "shard": fmt.Sprint(i % 4)})
		}
	}()
	wg.Wait()
	// The kept children and the exposed ones agree: after deleting everything nothing is left,
	// and a lookup binds a new child at 0.
	v.DeletePartialMatch(nil)
	if got := seriesExposed(t, r, []string{"shard", "op"}); len(got) != 0 {
		t.Fatalf("left exposed: %q", got)
	}
	if got := v.WithLabelValues("0", "w").Get(); got != 0 {
		t.Fatalf("a child after deleting everything holds %v", got)
	}
}
