package promemu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// curryable is what the curry script does with a gauge vec: client_golang's and ours run it side
// by side, and must log the same.
type curryable interface {
	curry(labels map[string]string) (curryable, error)
	set(value float64, values ...string) error
	setWith(value float64, labels map[string]string) error
	deleteValues(values ...string) bool
	delete(labels map[string]string) bool
	deletePartial(labels map[string]string) int
}

type theirGauges struct{ v *prometheus.GaugeVec }

func (t theirGauges) curry(labels map[string]string) (curryable, error) {
	v, err := t.v.CurryWith(labels)
	if err != nil {
		return nil, err
	}
	return theirGauges{v}, nil
}

func (t theirGauges) set(value float64, values ...string) error {
	g, err := t.v.GetMetricWithLabelValues(values...)
	if err == nil {
		g.Set(value)
	}
	return err
}

func (t theirGauges) setWith(value float64, labels map[string]string) error {
	g, err := t.v.GetMetricWith(labels)
	if err == nil {
		g.Set(value)
	}
	return err
}

func (t theirGauges) deleteValues(values ...string) bool   { return t.v.DeleteLabelValues(values...) }
func (t theirGauges) delete(labels map[string]string) bool { return t.v.Delete(labels) }
func (t theirGauges) deletePartial(labels map[string]string) int {
	return t.v.DeletePartialMatch(labels)
}

type ourGauges struct{ v *GaugeVec }

func (o ourGauges) curry(labels map[string]string) (curryable, error) {
	v, err := o.v.CurryWith(labels)
	if err != nil {
		return nil, err
	}
	return ourGauges{v}, nil
}

func (o ourGauges) set(value float64, values ...string) error {
	g, err := o.v.GetMetricWithLabelValues(values...)
	if err == nil {
		g.Set(value)
	}
	return err
}

func (o ourGauges) setWith(value float64, labels map[string]string) error {
	g, err := o.v.GetMetricWith(labels)
	if err == nil {
		g.Set(value)
	}
	return err
}

func (o ourGauges) deleteValues(values ...string) bool         { return o.v.DeleteLabelValues(values...) }
func (o ourGauges) delete(labels map[string]string) bool       { return o.v.Delete(labels) }
func (o ourGauges) deletePartial(labels map[string]string) int { return o.v.DeletePartialMatch(labels) }

// curryScript runs currying, lookups and deletions on base (label names one, two, three) and
// logs each result; a new series gets the next value, so that the final exposition tells which
// call made it.
func curryScript(base curryable) []string {
	var log []string
	logf := func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	errText := func(err error) string {
		if err == nil {
			return "ok"
		}
		text := strings.TrimPrefix(err.Error(), "promemu: ")
		return strings.ReplaceAll(text, "promemu.Labels", "prometheus.Labels")
	}
	next := 0.0
	set := func(v curryable, values ...string) {
		next++
		logf("set %q: %s", values, errText(v.set(next, values...)))
	}
	setWith := func(v curryable, labels map[string]string) {
		next++
		logf("setWith %v: %s", labels, errText(v.setWith(next, labels)))
	}
	curry := func(v curryable, labels map[string]string) curryable {
		c, err := v.curry(labels)
		logf("curry %v: %s", labels, errText(err))
		return c
	}

	set(base, "a", "b", "c")
	two := curry(base, map[string]string{"two": "B"})
	set(two, "a", "c")
	set(two, "a2", "c2")
	setWith(two, map[string]string{"one": "a3", "three": "c3"})
	set(two, "a")
	set(two, "a", "b", "c")
	setWith(two, map[string]string{"one": "a", "two": "B"})
	setWith(two, map[string]string{"one": "a", "four": "x"})
	setWith(two, map[string]string{"one": "a"})
	setWith(two, map[string]string{"one": "a", "two": "B", "three": "c"})

	curry(two, map[string]string{"two": "again"})
	curry(two, map[string]string{"four": "x"})
	curry(base, map[string]string{"four": "x", "five": "y"})
	curry(two, map[string]string{"two": "again", "four": "x"})
	curry(base, map[string]string{})

	twoThree := curry(two, map[string]string{"three": "C"})
	set(twoThree, "a4")
	set(twoThree)
	all := curry(twoThree, map[string]string{"one": "A"})
	set(all)
	set(all)
	set(all, "x")
	one := curry(base, map[string]string{"one": "A"})
	set(one, "B", "C") // the child all made

	logf("deleteValues: %v", two.deleteValues("a", "c"))
	logf("deleteValues again: %v", two.deleteValues("a", "c"))
	logf("deleteValues wrong count: %v", two.deleteValues("a2"))
	logf("delete: %v", two.delete(map[string]string{"one": "a3", "three": "c3"}))
	logf("delete curried label: %v", two.delete(map[string]string{"one": "a2", "two": "B"}))
	logf("delete full labels: %v", two.delete(map[string]string{"one": "a2", "two": "B", "three": "c2"}))
	logf("delete on twoThree: %v", twoThree.delete(map[string]string{"one": "a4"}))
	logf("deleteValues on all: %v", all.deleteValues())
	set(base, "a5", "b5", "c5")
	logf("deleteValues on base: %v", base.deleteValues("a5", "b5", "c5"))
	return log
}

// curriedSeries is a gauge exposition as "labels value" lines, sorted.
func theirSeries(t *testing.T, r *prometheus.Registry) []string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			slices.Sort(labels)
			out = append(out, fmt.Sprintf("%s %v", strings.Join(labels, ","), m.GetGauge().GetValue()))
		}
	}
	slices.Sort(out)
	return out
}

func ourSeries(t *testing.T, r *Registry) []string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		for _, s := range f.Samples {
			var labels []string
			for _, l := range s.Labels {
				labels = append(labels, l.Name+"="+l.Value)
			}
			slices.Sort(labels)
			out = append(out, fmt.Sprintf("%s %v", strings.Join(labels, ","), s.Value))
		}
	}
	slices.Sort(out)
	return out
}

func TestCurryWithAsClientGolang(t *testing.T) {
	names := []string{"one", "two", "three"}
	theirRegistry := prometheus.NewRegistry()
	theirVec := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "curried", Help: "h"}, names)
	theirRegistry.MustRegister(theirVec)
	ourRegistry := NewRegistry()
	ourVec := MustNewGaugeVec(GaugeOpts{Name: "curried", Help: "h"}, names)
	ourRegistry.MustRegister(ourVec)

	theirLog := curryScript(theirGauges{theirVec})
	ourLog := curryScript(ourGauges{ourVec})
	if !slices.Equal(theirLog, ourLog) {
		for i := range max(len(theirLog), len(ourLog)) {
			var theirs, ours string
			if i < len(theirLog) {
				theirs = theirLog[i]
			}
			if i < len(ourLog) {
				ours = ourLog[i]
			}
			if theirs != ours {
				t.Errorf("step %d:\n client_golang %s\n promemu       %s", i, theirs, ours)
			}
		}
	}
	if theirs, ours := theirSeries(t, theirRegistry), ourSeries(t, ourRegistry); !slices.Equal(theirs, ours) {
		t.Fatalf("series differ:\n client_golang %q\n promemu       %q", theirs, ours)
	}
}

// TestCurryWithDeletePartialMatchAsClientGolang is client_golang's TestDeletePartialMatch
// (prometheus/vec_test.go), run on both: on a curried vec a curried label matches nothing, and
// the curried values do not narrow the match.
func TestCurryWithDeletePartialMatchAsClientGolang(t *testing.T) {
	names := []string{"l1", "l2", "l3"}
	theirBase := theirGauges{prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "partial", Help: "h"}, names)}
	ourBase := ourGauges{MustNewGaugeVec(GaugeOpts{Name: "partial", Help: "h"}, names)}
	run := func(base curryable) []int {
		var counts []int
		_ = base.setWith(1, map[string]string{"l1": "baseValue1", "l2": "baseValue2", "l3": "baseValue3"})
		_ = base.setWith(42, map[string]string{"l1": "multiDeleteV1", "l2": "diff1BaseValue2", "l3": "v3"})
		_ = base.setWith(84, map[string]string{"l1": "multiDeleteV1", "l2": "diff2BaseValue2", "l3": "v3"})
		_ = base.setWith(168, map[string]string{"l1": "multiDeleteV1", "l2": "diff3BaseValue2", "l3": "v3"})
		// Beyond client_golang's test: a child of another l2 whose l1 the curried vec deletes.
		_ = base.setWith(5, map[string]string{"l1": "curriedValue1", "l2": "otherValue2", "l3": "x"})
		curried, err := base.curry(map[string]string{"l2": "curriedValue2"})
		if err != nil {
			t.Fatal(err)
		}
		_ = curried.set(1, "curriedValue1", "curriedValue3")
		_ = curried.set(1, "curriedValue1", "differentCurriedValue3")
		_ = curried.set(1, "differentCurriedValue1", "differentCurriedValue3")
		for _, step := range []struct {
			v      curryable
			labels map[string]string
		}{
			{curried, map[string]string{"lx": "curriedValue1"}},
			{curried, map[string]string{"l1": "badValue1"}},
			{curried, map[string]string{"l2": "curriedValue2"}},
			{curried, map[string]string{"l2": "baseValue2"}},
			{curried, map[string]string{"l1": "curriedValue1"}},
			{base, map[string]string{"lx": "curriedValue1"}},
			{base, map[string]string{"l1": "baseValue1", "l2": "badValue2"}},
			{base, map[string]string{"l2": "curriedValue2"}},
			{base, map[string]string{"l1": "multiDeleteV1"}},
			{base, map[string]string{"l3": "baseValue3"}},
			{base, map[string]string{}},
		} {
			counts = append(counts, step.v.deletePartial(step.labels))
		}
		return counts
	}
	theirs, ours := run(theirBase), run(ourBase)
	if !slices.Equal(theirs, ours) {
		t.Fatalf("DeletePartialMatch counts:\n client_golang %v\n promemu       %v", theirs, ours)
	}
	// client_golang's own expectations, with the extra child deleted by the curried vec.
	if want := []int{0, 0, 0, 0, 3, 0, 0, 1, 3, 1, 0}; !slices.Equal(ours, want) {
		t.Fatalf("DeletePartialMatch counts %v, want %v", ours, want)
	}
}

// curryVec is one vec type under CurryWith: make it with label names a and b, curry a, update
// the child of b's value through the curried vec, and check a child's value.
type curryVec struct {
	name   string
	sample string // the sample name of one series, with %s for the family name
	make   func(name string) (full Collector, curried Collector, update func(b string) error, closeCurried func() error)
}

var curryVecs = []curryVec{
	{"CounterVec", "%s_total", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewCounterVec(CounterOpts{Name: name, Help: "h"}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		if c.WithLabelValues("1") != v.WithLabelValues("x", "1") {
			panic("the curried vec's child is not the vec's")
		}
		return v, c, func(b string) error {
			counter, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				counter.Inc()
			}
			return err
		}, c.Close
	}},
	{"GaugeVec", "%s", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewGaugeVec(GaugeOpts{Name: name, Help: "h"}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		return v, c, func(b string) error {
			g, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				g.Set(1)
			}
			return err
		}, c.Close
	}},
	{"HistogramVec", "%s_count", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewHistogramVec(HistogramOpts{Name: name, Help: "h", Buckets: []float64{1}}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		return v, c, func(b string) error {
			x, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				x.Observe(0.5)
			}
			return err
		}, c.Close
	}},
	{"SummaryVec", "%s_count", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewSummaryVec(SummaryOpts{Name: name, Help: "h"}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		return v, c, func(b string) error {
			s, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				s.Observe(0.5)
			}
			return err
		}, c.Close
	}},
	{"InfoVec", "%s_info", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewInfoVec(InfoOpts{Name: name, Help: "h"}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		return v, c, func(b string) error {
			i, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				err = i.Set(Labels{"version": "1"})
			}
			return err
		}, c.Close
	}},
	{"EnumVec", "%s", func(name string) (Collector, Collector, func(string) error, func() error) {
		v := MustNewEnumVec(EnumOpts{Name: name, Help: "h", States: []string{"on", "off"}}, []string{"a", "b"})
		c := v.MustCurryWith(Labels{"a": "x"})
		return v, c, func(b string) error {
			e, err := c.GetMetricWith(Labels{"b": b})
			if err == nil {
				err = e.Set("off")
			}
			return err
		}, c.Close
	}},
}

// hasSeries reports whether the registry has a sample name whose first labels are a=a, b=b.
func hasSeries(t *testing.T, r *Registry, name, a, b string) bool {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, s := range f.Samples {
			if s.Name == name && len(s.Labels) >= 2 &&
				s.Labels[0] == (LabelPair{"a", a}) && s.Labels[1] == (LabelPair{"b", b}) {
				return true
			}
		}
	}
	return false
}

func TestCurryWithEveryVec(t *testing.T) {
	for _, cv := range curryVecs {
		t.Run(cv.name, func(t *testing.T) {
			name := "curry_" + strings.ToLower(cv.name)
			full, curried, update, closeCurried := cv.make(name)
			r := NewRegistry()
			// Registering the curried vec registers the family; the vec itself is then the same.
			if err := r.Register(curried); err != nil {
				t.Fatal(err)
			}
			if err := r.Register(full); err != nil {
				t.Fatal(err)
			}
			if err := update("1"); err != nil {
				t.Fatal(err)
			}
			if !hasSeries(t, r, fmt.Sprintf(cv.sample, name), "x", "1") {
				text, _ := r.Expose(FormatText)
				t.Fatalf("no series a=x, b=1 in\n%s", text)
			}
			errorIs(t, update("1\xff"), ErrUTF8)
			// Close on the curried vec leaves the family to the vec it was curried from.
			if err := closeCurried(); err != nil {
				t.Fatal(err)
			}
			if err := update("2"); err != nil {
				t.Fatalf("update after Close on the curried vec: %v", err)
			}
			if !hasSeries(t, r, fmt.Sprintf(cv.sample, name), "x", "2") {
				t.Fatal("no series a=x, b=2")
			}
		})
	}
}

func TestCurryWithErrors(t *testing.T) {
	v := MustNewCounterVec(CounterOpts{Name: "curry_errors_total", Help: "h"}, []string{"a", "b"})
	c := v.MustCurryWith(Labels{"a": "x"})
	_, err := c.CurryWith(Labels{"a": "y"})
	errorIs(t, err, ErrLabelCount, `label name "a" is already curried`)
	_, err = v.CurryWith(Labels{"c": "y"})
	errorIs(t, err, ErrLabelCount, "1 unknown label(s) found during currying")
	_, err = c.GetMetricWithLabelValues("1", "2")
	errorIs(t, err, ErrLabelCount, `inconsistent label cardinality: expected 1 label values but got 2 in []string{"1", "2"}`)
	_, err = c.GetMetricWith(Labels{"a": "x"})
	errorIs(t, err, ErrLabelCount, `label name "a" is already curried`)
	panicsWith(t, ErrLabelCount, func() { v.MustCurryWith(Labels{"c": "y"}) }, "unknown label")
	panicsWith(t, ErrLabelCount, func() { c.WithLabelValues() }, "inconsistent label cardinality")
	panicsWith(t, ErrLabelCount, func() { c.With(Labels{"c": "1"}) }, `label name "b" missing in label map`)
	if !errors.Is(err, ErrLabelCount) {
		t.Fatal(err)
	}
}

// A curried lookup that finds its child allocates nothing, as an uncurried one.
func TestCurryWithLookupAllocs(t *testing.T) {
	v := MustNewCounterVec(CounterOpts{Name: "curry_allocs_total", Help: "h"}, []string{"a", "b", "c"})
	c := v.MustCurryWith(Labels{"b": "y"})
	c.WithLabelValues("x", "z").Inc()
	if n := testing.AllocsPerRun(100, func() { c.WithLabelValues("x", "z") }); n != 0 {
		t.Fatalf("curried WithLabelValues allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { v.WithLabelValues("x", "y", "z") }); n != 0 {
		t.Fatalf("WithLabelValues allocates %v times", n)
	}
}

func TestReadmeCurryIsTheExample(t *testing.T) { readmeHasExample(t, "ExampleCounterVec_CurryWith") }
