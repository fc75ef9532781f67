package promemu

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

// queueCollector is a Collector as client_golang users write them: descriptors made once, const
// metrics made at each collection, and one of this package's metrics sent along.
type queueCollector struct {
	depth, latency, sizes, native *Desc
	inner                         *CounterVec
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		depth:   NewDesc("queue_depth", "Jobs waiting.", []string{"queue"}, Labels{"zone": "eu"}),
		latency: NewDesc("queue_latency_seconds", "Wait.", nil, nil),
		sizes:   NewDesc("queue_sizes_bytes", "Sizes.", nil, nil),
		native:  NewDesc("queue_native_seconds", "Native.", nil, nil),
		inner:   MustNewCounterVec(CounterOpts{Name: "queue_jobs_total", Help: "Jobs."}, []string{"queue"}),
	}
}

func (c *queueCollector) Describe(ch chan<- *Desc) {
	ch <- c.depth
	ch <- c.latency
	ch <- c.sizes
	ch <- c.native
	c.inner.Describe(ch)
}

func (c *queueCollector) Collect(ch chan<- Metric) {
	ch <- MustNewConstMetric(c.depth, GaugeValue, 3, "mail")
	ch <- MustNewConstMetric(c.depth, GaugeValue, 5, "sms")
	ch <- MustNewConstHistogram(c.latency, 4, 2.5, map[float64]uint64{0.5: 1, 1: 3})
	ch <- NewMetricWithTimestamp(time.UnixMilli(1700000000123), MustNewConstSummary(c.sizes, 2, 30, map[float64]float64{0.5: 10, 0.9: 20}))
	ch <- MustNewConstNativeHistogram(c.native, 3, 6, map[int]int64{1: 2, 3: 1}, nil, 0, 0, 0, time.Time{})
	c.inner.Collect(ch)
}

func TestGoCollectorIsExposedByTheLibrary(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	c := newQueueCollector()
	c.inner.WithLabelValues("mail").Add(7)
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.WriteText(&out, FormatText); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`queue_depth{queue="mail",zone="eu"} 3`,
		`queue_depth{queue="sms",zone="eu"} 5`,
		`queue_latency_seconds_bucket{le="0.5"} 1`,
		`queue_latency_seconds_bucket{le="+Inf"} 4`,
		`queue_latency_seconds_sum 2.5`,
		`queue_sizes_bytes{quantile="0.9"} 20 1700000000123`,
		`queue_sizes_bytes_count 2 1700000000123`,
		`queue_jobs_total{queue="mail"} 7`,
		`# HELP queue_depth Jobs waiting.`,
		`# TYPE queue_sizes_bytes summary`,
	} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("missing %q in\n%s", line, out.String())
		}
	}
	proto, err := r.Expose(FormatProtobuf)
	if err != nil || !bytes.Contains(proto, []byte("queue_native_seconds")) {
		t.Fatalf("native histogram missing from protobuf (%v)", err)
	}
	// Registering again does nothing; Unregister removes it.
	if err := r.Register(c); err != nil {
		t.Fatalf("second Register: %v", err)
	}
	if !r.Unregister(c) {
		t.Fatal("Unregister reported false")
	}
	if r.Unregister(c) {
		t.Fatal("second Unregister reported true")
	}
	out.Reset()
	_ = r.WriteText(&out, FormatText)
	if out.Len() != 0 {
		t.Fatalf("after Unregister:\n%s", out.String())
	}
}

func TestGoCollectorDuplicatesAreRefusedWithClientGolangsWords(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	r.MustRegister(MustNewGauge(GaugeOpts{Name: "queue_depth", Help: "Jobs waiting."}))
	err := r.Register(newQueueCollector())
	errorIs(t, err, ErrDuplicate, `descriptor Desc{fqName: "queue_depth", help: "Jobs waiting.", constLabels: {zone="eu"}, variableLabels: {queue}} already exists with the same fully-qualified name and const label values`)

	r2 := NewRegistry()
	defer r2.Close()
	r2.MustRegister(MustNewCounter(CounterOpts{Name: "queue_depth", Help: "Other."}))
	errorIs(t, r2.Register(newQueueCollector()), ErrDuplicate, "has different label names or a different help string")
}

type badCollector struct{ desc *Desc }

func (c badCollector) Describe(ch chan<- *Desc) { ch <- c.desc }
func (c badCollector) Collect(chan<- Metric)    {}

func TestConstMetricErrors(t *testing.T) {
	d := NewDesc("x", "h", []string{"a"}, nil)
	_, err := NewConstMetric(d, GaugeValue, 1)
	errorIs(t, err, ErrLabelCount, "inconsistent label cardinality: expected 1 label values but got 0")
	_, err = NewConstMetric(d, CounterValue, -1, "v")
	errorIs(t, err, ErrInvalidValue)
	_, err = NewConstMetric(d, ValueType(9), 1, "v")
	errorIs(t, err, ErrInvalidValue)
	bad := NewDesc("x", "h", []string{"a", "a"}, nil)
	errorIs(t, bad.Err(), ErrInvalidName, "duplicate label names")
	r := NewRegistry()
	defer r.Close()
	errorIs(t, r.Register(badCollector{bad}), ErrInvalidName)
	panicsWith(t, ErrLabelCount, func() { MustNewConstMetric(d, GaugeValue, 1, "a", "b") })
}

// A metric of another type than its family's first is left out, a point the library refuses
// (le on a histogram) too, and a panic in Collect loses only what was not sent.
type refusedCollector struct{}

func (refusedCollector) Describe(chan<- *Desc) {}
func (refusedCollector) Collect(ch chan<- Metric) {
	mixed := NewDesc("mixed", "h", nil, nil)
	ch <- MustNewConstMetric(mixed, GaugeValue, 2)
	ch <- MustNewConstMetric(mixed, CounterValue, 1)
	ch <- MustNewConstHistogram(NewDesc("h", "h", []string{"le"}, nil), 1, 1, nil, "x")
	ch <- MustNewConstMetric(NewDesc("good", "h", nil, nil), GaugeValue, 2)
	panic("a panic in Collect loses only what was not sent")
}

func TestGoCollectorRefusedFamiliesAndPanics(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	r.MustRegister(refusedCollector{})
	text, err := r.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(text); !strings.Contains(got, "good 2\n") || !strings.Contains(got, "mixed 2\n") || strings.Contains(got, " 1\n") {
		t.Fatalf("exposition:\n%s", got)
	}
}

func TestBuiltinMetricsCollect(t *testing.T) {
	vec := MustNewHistogramVec(HistogramOpts{Name: "h_seconds", Help: "H.", Buckets: []float64{1, 2}}, []string{"k"})
	vec.WithLabelValues("a").Observe(1.5)
	vec.WithLabelValues("b").Observe(0.5)
	ch := make(chan Metric, 10)
	vec.Collect(ch)
	close(ch)
	var points []Point
	for m := range ch {
		var p Point
		if err := m.Write(&p); err != nil {
			t.Fatal(err)
		}
		if m.Desc().Name() != "h_seconds" || m.Desc().Help() != "H." {
			t.Fatalf("desc %v", m.Desc())
		}
		points = append(points, p)
	}
	if len(points) != 2 {
		t.Fatalf("%d points", len(points))
	}
	a := points[0].Histogram
	if points[0].Labels[0].Value != "a" || a.Count != 1 || a.Sum != 1.5 || len(a.UpperBounds) != 3 ||
		!math.IsInf(a.UpperBounds[2], 1) || a.CumulativeCounts[0] != 0 || a.CumulativeCounts[1] != 1 {
		t.Fatalf("point %+v %+v", points[0], a)
	}

	counter := MustNewCounterVec(CounterOpts{Name: "c_total", Help: "C."}, []string{"k"})
	child := counter.WithLabelValues("x")
	child.Add(4)
	ch = make(chan Metric, 1)
	child.Collect(ch)
	var p Point
	_ = (<-ch).Write(&p)
	if p.Value != 4 || p.Type != TypeCounter {
		t.Fatalf("child point %+v", p)
	}
	descs := make(chan *Desc, 1)
	counter.Describe(descs)
	if d := <-descs; d.Name() != "c_total" || len(d.variableLabels) != 1 {
		t.Fatalf("desc %v", d)
	}
}
