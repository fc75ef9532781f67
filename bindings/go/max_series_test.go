package promemu

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The self-metric counting folded and refused label sets, in DefaultRegistry. It lives for the
// whole process: every test here uses its own family names.
const seriesDropped = "prometheus_emulator_series_dropped_total"

var familyRuns atomic.Int64

// familyName is base with a number of its own, so that a family's self-metric count starts at 0
// however many times the tests run in the process (go test -count).
func familyName(base string) string {
	return fmt.Sprintf("%s_%d", base, familyRuns.Add(1))
}

// dropped is the self-metric's value for this family (0 when the family never dropped one).
func dropped(t *testing.T, family string) float64 {
	t.Helper()
	s, ok := sample(t, DefaultRegistry, seriesDropped, "family", family)
	if !ok {
		return 0
	}
	return s.Value
}

// labelSets lists the label values of the samples called name in r, one string per sample with
// the values joined by ",".
func labelSets(t *testing.T, r *Registry, name string) map[string]bool {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]bool{}
	for _, f := range families {
		for _, s := range f.Samples {
			if s.Name != name {
				continue
			}
			values := make([]string, 0, len(s.Labels))
			for _, l := range s.Labels {
				values = append(values, l.Value)
			}
			sets[strings.Join(values, ",")] = true
		}
	}
	return sets
}

func refusedMessage(family string, max int) string {
	return fmt.Sprintf("family %q holds its max_series of %d series: new label sets are refused", family, max)
}

func TestMaxSeriesFoldCounterVec(t *testing.T) {
	name := familyName("ms_fold_requests")
	r := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: name + "_total", Help: "h", MaxSeries: 2}, []string{"user", "page"})
	r.MustRegister(v)
	v.WithLabelValues("a", "1").Inc()
	v.WithLabelValues("b", "1").Add(2)
	if _, ok := sample(t, DefaultRegistry, seriesDropped, "family", name); ok {
		t.Fatal("the self-metric shows a family that dropped nothing")
	}
	v.WithLabelValues("c", "1").Add(3)
	v.With(Labels{"user": "d", "page": "2"}).Add(4)
	overflow := v.WithLabelValues("e", "3") // a lookup beyond the cap returns the overflow child
	overflow.Add(5)
	v.WithLabelValues("a", "1").Inc() // a label set held already is no offer beyond the cap

	if got := value(t, r, name+"_total", "user", OverflowValue, "page", OverflowValue); got != 12 {
		t.Fatalf("overflow child %v, want 12", got)
	}
	if got := overflow.Get(); got != 12 {
		t.Fatalf("the child returned beyond the cap holds %v, not the overflow child's 12", got)
	}
	if got := value(t, r, name+"_total", "user", "a", "page", "1"); got != 2 {
		t.Fatalf("a: %v", got)
	}
	want := map[string]bool{"a,1": true, "b,1": true, OverflowValue + "," + OverflowValue: true}
	if got := labelSets(t, r, name+"_total"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	if v.Get() != 16 {
		t.Fatalf("total %v, want 16", v.Get())
	}
	// The family label is the library's family name: a counter's without _total.
	if got := dropped(t, name); got != 3 {
		t.Fatalf("dropped %v, want 3", got)
	}
	// Every offer reaches the library, a repeated one too: the vec keeps no folded child.
	v.WithLabelValues("c", "1").Inc()
	if got := dropped(t, name); got != 4 {
		t.Fatalf("dropped %v after a repeated offer, want 4", got)
	}
	// A Delete makes room: a label set that was folded gets its own series.
	if !v.DeleteLabelValues("a", "1") {
		t.Fatal("DeleteLabelValues(a, 1) found nothing")
	}
	v.WithLabelValues("c", "1").Add(7)
	if got := value(t, r, name+"_total", "user", "c", "page", "1"); got != 7 {
		t.Fatalf("c after the Delete: %v, want 7", got)
	}
}

func TestMaxSeriesRefuseCounterVec(t *testing.T) {
	name := familyName("ms_refuse_jobs")
	r := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: name, Help: "h", MaxSeries: 2, Overflow: OverflowRefuse}, []string{"job"})
	r.MustRegister(v)
	v.WithLabelValues("a").Inc()
	v.With(Labels{"job": "b"}).Add(2)
	before, err := r.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.GetMetricWithLabelValues("c")
	errorIs(t, err, ErrCardinality, "pe_counter_labels", refusedMessage(name, 2))
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusCardinality {
		t.Fatalf("error %#v", err)
	}
	_, err = v.GetMetricWith(Labels{"job": "d"})
	errorIs(t, err, ErrCardinality, "max_series of 2")
	panicsWith(t, ErrCardinality, func() { v.WithLabelValues("e") }, refusedMessage(name, 2))
	panicsWith(t, ErrCardinality, func() { v.With(Labels{"job": "f"}) }, "max_series of 2")
	after, err := r.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("a refusal changed the exposition:\n%s\nto\n%s", before, after)
	}
	v.WithLabelValues("a").Add(5) // label sets held already still update
	if got := value(t, r, name+"_total", "job", "a"); got != 6 {
		t.Fatalf("a: %v, want 6", got)
	}
	if got := dropped(t, name); got != 4 {
		t.Fatalf("dropped %v, want 4", got)
	}
	// Room again after a Delete.
	v.DeleteLabelValues("b")
	if _, err := v.GetMetricWithLabelValues("c"); err != nil {
		t.Fatalf("after a Delete: %v", err)
	}
}

func TestMaxSeriesHistogramVec(t *testing.T) {
	t.Run("fold", func(t *testing.T) {
		name := familyName("ms_fold_latency")
		r := NewRegistry()
		v := MustNewHistogramVec(HistogramOpts{Name: name, Help: "h", Buckets: []float64{1, 2}, MaxSeries: 1}, []string{"route"})
		r.MustRegister(v)
		v.WithLabelValues("/a").Observe(0.5)
		v.WithLabelValues("/b").Observe(1.5)
		v.WithLabelValues("/c").Observe(3)
		overflow := v.WithLabelValues("/d")
		if overflow.Count() != 2 || overflow.Sum() != 4.5 {
			t.Fatalf("overflow child: count %d sum %v", overflow.Count(), overflow.Sum())
		}
		want := map[string]bool{"/a": true, OverflowValue: true}
		if got := labelSets(t, r, name+"_count"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("series %v, want %v", got, want)
		}
		if got := value(t, r, name+"_bucket", "route", OverflowValue, "le", "2.0"); got != 1 {
			t.Fatalf("overflow le=2 bucket %v, want 1", got)
		}
		if got := dropped(t, name); got != 3 {
			t.Fatalf("dropped %v, want 3", got)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		name := familyName("ms_refuse_latency")
		r := NewRegistry()
		v := MustNewHistogramVec(HistogramOpts{Name: name, Help: "h", Buckets: []float64{1}, MaxSeries: 1, Overflow: OverflowRefuse}, []string{"route"})
		r.MustRegister(v)
		v.WithLabelValues("/a").Observe(0.5)
		_, err := v.GetMetricWithLabelValues("/b")
		errorIs(t, err, ErrCardinality, "pe_histogram_labels", refusedMessage(name, 1))
		if got := labelSets(t, r, name+"_count"); len(got) != 1 || !got["/a"] {
			t.Fatalf("series %v", got)
		}
		if got := value(t, r, name+"_count", "route", "/a"); got != 1 {
			t.Fatalf("/a count %v", got)
		}
		if got := dropped(t, name); got != 1 {
			t.Fatalf("dropped %v, want 1", got)
		}
	})
}

// capVec is one vec type under a cap: make it, and bind and update the child of one value.
type capVec struct {
	name   string
	sample string // the sample name of one series, with %s for the family name
	make   func(name string, max int, overflow Overflow) (Collector, func(value string) error)
}

var capVecs = []capVec{
	{"CounterVec", "%s_total", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewCounterVec(CounterOpts{Name: name, Help: "h", MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			c, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				c.Inc()
			}
			return err
		}
	}},
	{"GaugeVec", "%s", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewGaugeVec(GaugeOpts{Name: name, Help: "h", MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			g, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				g.Inc()
			}
			return err
		}
	}},
	{"HistogramVec", "%s_count", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewHistogramVec(HistogramOpts{Name: name, Help: "h", Buckets: []float64{1}, MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			x, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				x.Observe(1)
			}
			return err
		}
	}},
	{"SummaryVec", "%s_count", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewSummaryVec(SummaryOpts{Name: name, Help: "h", MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			s, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				s.Observe(1)
			}
			return err
		}
	}},
	{"InfoVec", "%s_info", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewInfoVec(InfoOpts{Name: name, Help: "h", MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			i, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				err = i.Set(Labels{"version": "1"})
			}
			return err
		}
	}},
	{"EnumVec", "%s", func(name string, max int, o Overflow) (Collector, func(string) error) {
		v := MustNewEnumVec(EnumOpts{Name: name, Help: "h", States: []string{"idle", "busy"}, MaxSeries: max, Overflow: o}, []string{"k"})
		return v, func(value string) error {
			e, err := v.GetMetricWithLabelValues(value)
			if err == nil {
				err = e.Set("busy")
			}
			return err
		}
	}},
}

// keys of the label "k" among the family's series (a sample's first label is the series' k).
func seriesKeys(t *testing.T, r *Registry, name string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for set := range labelSets(t, r, name) {
		keys[strings.SplitN(set, ",", 2)[0]] = true
	}
	return keys
}

func TestMaxSeriesEveryVec(t *testing.T) {
	for _, c := range capVecs {
		for _, overflow := range []Overflow{OverflowFold, OverflowRefuse} {
			t.Run(c.name+"/"+overflow.String(), func(t *testing.T) {
				name := familyName("ms_every_" + strings.ToLower(c.name) + "_" + overflow.String())
				r := NewRegistry()
				v, touch := c.make(name, 2, overflow)
				r.MustRegister(v)
				for _, value := range []string{"a", "b"} {
					if err := touch(value); err != nil {
						t.Fatal(err)
					}
				}
				for _, value := range []string{"c", "d"} {
					err := touch(value)
					if overflow == OverflowRefuse {
						errorIs(t, err, ErrCardinality, refusedMessage(name, 2))
					} else if err != nil {
						t.Fatal(err)
					}
				}
				want := map[string]bool{"a": true, "b": true}
				if overflow == OverflowFold {
					want[OverflowValue] = true
				}
				if got := seriesKeys(t, r, fmt.Sprintf(c.sample, name)); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("series %v, want %v", got, want)
				}
				if got := dropped(t, name); got != 2 {
					t.Fatalf("dropped %v, want 2", got)
				}
			})
		}
	}
}

// Eight goroutines create 1000 label sets each at once on a cap of 100: the cap holds exactly.
func TestMaxSeriesConcurrentCreation(t *testing.T) {
	const goroutines, perGoroutine, max = 8, 1000, 100
	const offers = goroutines * perGoroutine
	for _, overflow := range []Overflow{OverflowFold, OverflowRefuse} {
		t.Run(overflow.String(), func(t *testing.T) {
			name := familyName("ms_race_" + overflow.String())
			r := NewRegistry()
			v := MustNewCounterVec(CounterOpts{Name: name, Help: "h", MaxSeries: max, Overflow: overflow}, []string{"g", "i"})
			r.MustRegister(v)
			var refused, failed atomic.Int64
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						c, err := v.GetMetricWithLabelValues(fmt.Sprint(g), fmt.Sprint(i))
						switch {
						case err == nil:
							c.Inc()
						case errors.Is(err, ErrCardinality):
							refused.Add(1)
						default:
							failed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if failed.Load() != 0 {
				t.Fatalf("%d lookups failed otherwise", failed.Load())
			}
			sets := labelSets(t, r, name+"_total")
			overflowSet := OverflowValue + "," + OverflowValue
			switch overflow {
			case OverflowFold:
				if len(sets) != max+1 || !sets[overflowSet] {
					t.Fatalf("%d series (overflow child %v), want %d + 1", len(sets), sets[overflowSet], max)
				}
				if refused.Load() != 0 {
					t.Fatalf("%d refused while folding", refused.Load())
				}
				if got := value(t, r, name+"_total", "g", OverflowValue, "i", OverflowValue); got != offers-max {
					t.Fatalf("overflow child %v, want %d", got, offers-max)
				}
				if v.Get() != offers {
					t.Fatalf("total %v, want %d", v.Get(), offers)
				}
			case OverflowRefuse:
				if len(sets) != max || sets[overflowSet] {
					t.Fatalf("%d series (overflow child %v), want %d", len(sets), sets[overflowSet], max)
				}
				if refused.Load() != offers-max {
					t.Fatalf("%d refused, want %d", refused.Load(), offers-max)
				}
				if v.Get() != max {
					t.Fatalf("total %v, want %d", v.Get(), max)
				}
			}
			if got := dropped(t, name); got != offers-max {
				t.Fatalf("dropped %v, want %d", got, offers-max)
			}
		})
	}
}

// The self-metric is part of the default registry's exposition, as a scraper sees it.
func TestMaxSeriesSelfMetricInDefaultExposition(t *testing.T) {
	name := familyName("ms_exposed")
	v := MustNewGaugeVec(GaugeOpts{Name: name, Help: "h", MaxSeries: 1}, []string{"k"})
	for _, value := range []string{"a", "b", "c"} {
		v.WithLabelValues(value).Set(1)
	}
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		body, err := DefaultRegistry.Expose(format)
		if err != nil {
			t.Fatal(err)
		}
		text := string(body)
		if !strings.Contains(text, "# TYPE prometheus_emulator_series_dropped counter") &&
			!strings.Contains(text, "# TYPE "+seriesDropped+" counter") {
			t.Fatalf("%v: no TYPE line for the self-metric:\n%s", format, text)
		}
		if want := fmt.Sprintf("%s{family=%q} 2\n", seriesDropped, name); !strings.Contains(text, want) {
			t.Fatalf("%v: no %q in:\n%s", format, want, text)
		}
	}
}

func TestMaxSeriesOptions(t *testing.T) {
	// A metric without labels takes the options and ignores them, as the library does.
	unlabelled := familyName("ms_unlabelled")
	c := MustNewCounter(CounterOpts{Name: unlabelled, Help: "h", MaxSeries: 1, Overflow: OverflowRefuse})
	c.Inc()
	c.Inc()
	if c.Get() != 2 || dropped(t, unlabelled) != 0 {
		t.Fatalf("unlabelled: %v, dropped %v", c.Get(), dropped(t, unlabelled))
	}
	// A negative cap cannot reach size_t.
	_, err := NewCounterVec(CounterOpts{Name: "ms_negative", MaxSeries: -1}, []string{"k"})
	errorIs(t, err, ErrInvalidValue, "MaxSeries", "-1")
	_, err = NewHistogramVec(HistogramOpts{Name: "ms_negative_h", MaxSeries: -3}, []string{"k"})
	errorIs(t, err, ErrInvalidValue, "MaxSeries")
	// An unknown Overflow is the library's to refuse.
	_, err = NewGaugeVec(GaugeOpts{Name: "ms_bad_overflow", MaxSeries: 2, Overflow: 7}, []string{"k"})
	errorIs(t, err, ErrInvalidValue, "overflow", "7")
	_, err = NewInfoVec(InfoOpts{Name: "ms_bad_overflow_i", Overflow: 2}, []string{"k"})
	errorIs(t, err, ErrInvalidValue, "overflow")
	if OverflowFold.String() != "fold" || OverflowRefuse.String() != "refuse" || Overflow(9).String() != "Overflow(9)" {
		t.Fatalf("Overflow strings %q %q %q", OverflowFold, OverflowRefuse, Overflow(9))
	}
	if OverflowFold != 0 {
		t.Fatal("OverflowFold must be the zero value (the library's default)")
	}
	// No cap by default: the vec keeps its children (the same child for the same values).
	v := MustNewCounterVec(CounterOpts{Name: "ms_uncapped", Help: "h"}, []string{"k"})
	if v.WithLabelValues("x") != v.WithLabelValues("x") {
		t.Fatal("an uncapped vec does not keep its children")
	}
	refusing := MustNewCounterVec(CounterOpts{Name: "ms_refusing_keeps", Help: "h", MaxSeries: 5, Overflow: OverflowRefuse}, []string{"k"})
	if refusing.WithLabelValues("x") != refusing.WithLabelValues("x") {
		t.Fatal("a refusing vec does not keep its children")
	}
}

func TestReadmeCardinalityIsTheExample(t *testing.T) {
	readmeHasExample(t, "ExampleCounterVec_maxSeries")
}
