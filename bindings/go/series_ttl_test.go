package promemu

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// The time the tests pin the series clock at; each test steps it from there.
var clockStart = time.Unix(1_700_000_000, 0)

// pinClock pins the series clock at clockStart and returns a function that moves it to
// clockStart + d; the clock is unpinned when the test ends.
func pinClock(t *testing.T) func(d time.Duration) {
	t.Helper()
	step := func(d time.Duration) {
		t.Helper()
		if err := PinSeriesClock(clockStart.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	step(0)
	t.Cleanup(func() {
		if err := UnpinSeriesClock(); err != nil {
			t.Error(err)
		}
	})
	return step
}

// shownKeys is the set of values of the label k among the samples called name in r (a
// collection: it expires what is due).
func shownKeys(t *testing.T, r *Registry, name string) map[string]bool {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, f := range families {
		for _, s := range f.Samples {
			if s.Name == name {
				keys[s.Label("k")] = true
			}
		}
	}
	return keys
}

func sameKeys(t *testing.T, what string, got map[string]bool, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: series %v, want %v", what, got, want)
	}
	for _, k := range want {
		if !got[k] {
			t.Fatalf("%s: series %v, want %v", what, got, want)
		}
	}
}

func TestSeriesTTLCounterVec(t *testing.T) {
	step := pinClock(t)
	r := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: "ttl_requests_total", Help: "h", SeriesTTL: time.Minute}, []string{"k"})
	r.MustRegister(v)

	let := v.WithLabelValues("let-go")
	let.Add(3)
	if err := let.Close(); err != nil { // the caller's own: Close lets go of it
		t.Fatal(err)
	}
	held := v.WithLabelValues("held")
	held.Add(5)
	if len(v.children) != 0 {
		t.Fatalf("a vec with a SeriesTTL keeps %d children", len(v.children))
	}

	// The first collection finds both idle; they expire one TTL later, not before.
	sameKeys(t, "at 0", shownKeys(t, r, "ttl_requests_total"), "let-go", "held")
	step(59 * time.Second)
	sameKeys(t, "at 59 s", shownKeys(t, r, "ttl_requests_total"), "let-go", "held")
	step(60 * time.Second)
	sameKeys(t, "at 60 s", shownKeys(t, r, "ttl_requests_total"))

	// The held child was hidden: its next update shows it at its value.
	held.Inc()
	if got := value(t, r, "ttl_requests_total", "k", "held"); got != 6 {
		t.Fatalf("held after coming back: %v, want 6", got)
	}
	if got := v.WithLabelValues("held").Get(); got != 6 {
		t.Fatalf("a new lookup of the held child: %v, want 6", got)
	}
	// The one let go was freed: its labels start from zero.
	again := v.WithLabelValues("let-go")
	if got := again.Get(); got != 0 {
		t.Fatalf("let-go after expiry: %v, want 0", got)
	}
	again.Inc()
	if got := value(t, r, "ttl_requests_total", "k", "let-go"); got != 1 {
		t.Fatalf("let-go exposed at %v, want 1", got)
	}
	// Close on a child of such a vec releases it, as for a metric made by NewCounter.
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	panicsWith(t, ErrClosed, func() { again.Inc() })
	runtime.KeepAlive(held)
}

// A child nobody closes is released by its finalizer, after which it can expire and be freed.
func TestSeriesTTLUnclosedChildFreedAfterGC(t *testing.T) {
	step := pinClock(t)
	r := NewRegistry()
	v := MustNewGaugeVec(GaugeOpts{Name: "ttl_unclosed", Help: "h", SeriesTTL: time.Second}, []string{"k"})
	r.MustRegister(v)
	v.WithLabelValues("a").Set(7)
	sameKeys(t, "at 0", shownKeys(t, r, "ttl_unclosed"), "a")
	step(time.Second)
	// Hidden at once; removed (and freed) once the finalizer has let go of the handle. The sum
	// over the family's children (Get) counts a hidden child, not a freed one.
	deadline := time.Now().Add(10 * time.Second)
	for v.Get() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the child was not freed after its handle became unreachable")
		}
		runtime.GC()
		sameKeys(t, "after 1 s", shownKeys(t, r, "ttl_unclosed"))
		time.Sleep(10 * time.Millisecond)
	}
	if got := v.WithLabelValues("a").Get(); got != 0 {
		t.Fatalf("a after being freed: %v, want 0", got)
	}
}

func TestSeriesTTLUnlabelledKeepsItsSeries(t *testing.T) {
	step := pinClock(t)
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "ttl_unlabelled_total", Help: "h", SeriesTTL: time.Second})
	r.MustRegister(c)
	c.Add(2)
	_ = value(t, r, "ttl_unlabelled_total")
	step(time.Hour)
	if got := value(t, r, "ttl_unlabelled_total"); got != 2 {
		t.Fatalf("unlabelled counter after an hour idle: %v, want 2", got)
	}
}

// ttlVec is one vec type with a SeriesTTL: make it, and update (and close) the child of one value.
type ttlVec struct {
	name   string
	sample string // the sample name of one series, with %s for the family name
	make   func(name string, ttl time.Duration) (Collector, func(value string), bool)
}

var ttlVecs = []ttlVec{
	{"CounterVec", "%s_total", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewCounterVec(CounterOpts{Name: name, Help: "h", SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) { c := v.WithLabelValues(k); c.Inc(); _ = c.Close() }, v.keeps
	}},
	{"GaugeVec", "%s", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewGaugeVec(GaugeOpts{Name: name, Help: "h", SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) { g := v.WithLabelValues(k); g.Inc(); _ = g.Close() }, v.keeps
	}},
	{"HistogramVec", "%s_count", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewHistogramVec(HistogramOpts{Name: name, Help: "h", Buckets: []float64{1}, SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) { x := v.WithLabelValues(k); x.Observe(1); _ = x.Close() }, v.keeps
	}},
	{"SummaryVec", "%s_count", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewSummaryVec(SummaryOpts{Name: name, Help: "h", SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) { s := v.WithLabelValues(k); s.Observe(1); _ = s.Close() }, v.keeps
	}},
	{"InfoVec", "%s_info", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewInfoVec(InfoOpts{Name: name, Help: "h", SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) {
			i := v.WithLabelValues(k)
			if err := i.Set(Labels{"version": "1"}); err != nil {
				panic(err)
			}
			_ = i.Close()
		}, v.keeps
	}},
	{"EnumVec", "%s", func(name string, ttl time.Duration) (Collector, func(string), bool) {
		v := MustNewEnumVec(EnumOpts{Name: name, Help: "h", States: []string{"idle", "busy"}, SeriesTTL: ttl}, []string{"k"})
		return v, func(k string) {
			e := v.WithLabelValues(k)
			if err := e.Set("busy"); err != nil {
				panic(err)
			}
			_ = e.Close()
		}, v.keeps
	}},
}

func TestSeriesTTLEveryVec(t *testing.T) {
	for _, kind := range ttlVecs {
		t.Run(kind.name, func(t *testing.T) {
			step := pinClock(t)
			name := "ttl_every_" + kind.name
			sampleName := fmt.Sprintf(kind.sample, name)
			r := NewRegistry()
			v, update, keeps := kind.make(name, 10*time.Second)
			if keeps {
				t.Fatal("a vec with a SeriesTTL keeps its children")
			}
			r.MustRegister(v)
			update("old")
			update("new")
			sameKeys(t, "at 0", shownKeys(t, r, sampleName), "old", "new")
			step(5 * time.Second)
			update("new")
			sameKeys(t, "at 5 s", shownKeys(t, r, sampleName), "old", "new")
			step(10 * time.Second)
			sameKeys(t, "at 10 s", shownKeys(t, r, sampleName), "new")
			step(15 * time.Second)
			sameKeys(t, "at 15 s", shownKeys(t, r, sampleName))
			// Without a TTL the same vec keeps its children, and they stay.
			_, _, keeps = kind.make(name+"_plain", 0)
			if !keeps {
				t.Fatal("a vec without SeriesTTL or MaxSeries keeps no children")
			}
		})
	}
}

func TestSeriesTTLOptions(t *testing.T) {
	_, err := NewCounterVec(CounterOpts{Name: "ttl_negative", SeriesTTL: -time.Second}, []string{"k"})
	errorIs(t, err, ErrInvalidValue, "series_ttl_seconds")
	_, err = NewHistogram(HistogramOpts{Name: "ttl_negative_h", SeriesTTL: -1})
	errorIs(t, err, ErrInvalidValue, "series_ttl_seconds")
	_, err = NewSummaryVec(SummaryOpts{Name: "ttl_negative_s", SeriesTTL: -time.Hour}, []string{"k"})
	errorIs(t, err, ErrInvalidValue)
	_, err = NewInfoVec(InfoOpts{Name: "ttl_negative_i", SeriesTTL: -time.Hour}, []string{"k"})
	errorIs(t, err, ErrInvalidValue)
	_, err = NewEnumVec(EnumOpts{Name: "ttl_negative_e", States: []string{"a"}, SeriesTTL: -time.Hour}, []string{"k"})
	errorIs(t, err, ErrInvalidValue)
	// A refusing cap keeps children, a TTL does not, whatever the cap.
	if !keepsChildren(3, OverflowRefuse, 0) || keepsChildren(3, OverflowRefuse, time.Second) || keepsChildren(0, OverflowFold, time.Second) {
		t.Fatal("keepsChildren")
	}

	errorIs(t, PinSeriesClock(time.Time{}), ErrInvalidValue, "pe_series_clock_pin")
	errorIs(t, PinSeriesClock(time.Unix(-1, 0)), ErrInvalidValue)
	if err := PinSeriesClock(time.Unix(1, 500_000_000)); err != nil {
		t.Fatal(err)
	}
	if err := UnpinSeriesClock(); err != nil {
		t.Fatal(err)
	}
}
