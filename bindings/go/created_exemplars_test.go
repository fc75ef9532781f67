package promemu

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// createdCollector sends const metrics with creation times and exemplars, as client_golang users
// write them.
type createdCollector struct{}

var (
	createdAt     = time.UnixMilli(1700000000500)
	exemplarsAt   = time.UnixMilli(1700000002000)
	jobsDesc      = NewDesc("jobs_total", "Jobs.", []string{"queue"}, nil)
	waitDesc      = NewDesc("wait_seconds", "Wait.", nil, nil)
	sizeDesc      = NewDesc("size_bytes", "Size.", nil, nil)
	nativeDesc    = NewDesc("native_seconds", "Native.", nil, nil)
	depthDesc     = NewDesc("depth", "Depth.", nil, nil)
	exemplarCases = []Exemplar{
		{Value: 0.3, Labels: Labels{"trace_id": "a"}, Timestamp: exemplarsAt},
		{Value: 0.5, Labels: Labels{"trace_id": "b"}, Timestamp: exemplarsAt}, // the same bucket: replaces a
		{Value: 0.7, Labels: Labels{"trace_id": "c", "span": "1"}, Timestamp: exemplarsAt},
		{Value: 5, Labels: Labels{"trace_id": "d"}, Timestamp: exemplarsAt}, // above 1: the +Inf bucket
	}
)

func (createdCollector) Describe(chan<- *Desc) {}
func (createdCollector) Collect(ch chan<- Metric) {
	ch <- MustNewConstMetricWithCreatedTimestamp(jobsDesc, CounterValue, 5, createdAt, "mail")
	ch <- MustNewMetricWithExemplars(MustNewConstMetric(jobsDesc, CounterValue, 3, "sms"),
		Exemplar{Value: 9, Labels: Labels{"trace_id": "first"}},
		Exemplar{Value: 1, Labels: Labels{"trace_id": "abc"}, Timestamp: time.UnixMilli(1700000001250)})
	// Both, and a histogram given as client_golang's: no +Inf bucket in the map.
	ch <- MustNewMetricWithExemplars(MustNewConstHistogramWithCreatedTimestamp(waitDesc, 4, 2.5, map[float64]uint64{0.5: 1, 1: 3}, createdAt), exemplarCases...)
	ch <- MustNewConstSummaryWithCreatedTimestamp(sizeDesc, 2, 30, map[float64]float64{0.5: 10}, createdAt)
	ch <- MustNewConstNativeHistogram(nativeDesc, 3, 6, map[int]int64{1: 2, 3: 1}, nil, 0, 0, 0, createdAt)
	// Written with an error (client_golang's): left out.
	ch <- MustNewMetricWithExemplars(MustNewConstMetric(depthDesc, GaugeValue, 3), Exemplar{Value: 1})
}

func TestConstMetricsCreatedAndExemplarsInOpenMetrics(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	r.MustRegister(createdCollector{})
	body, err := r.Expose(FormatOpenMetrics)
	if err != nil {
		t.Fatal(err)
	}
	want := `# TYPE jobs counter
# HELP jobs Jobs.
jobs_total{queue="mail"} 5
jobs_created{queue="mail"} 1700000000.5
jobs_total{queue="sms"} 3 # {trace_id="abc"} 1 1700000001.25
# TYPE native_seconds histogram
# HELP native_seconds Native.
native_seconds_bucket{le="+Inf"} 3
native_seconds_count 3
native_seconds_sum 6
native_seconds_created 1700000000.5
# TYPE size_bytes summary
# HELP size_bytes Size.
size_bytes{quantile="0.5"} 10
size_bytes_count 2
size_bytes_sum 30
size_bytes_created 1700000000.5
# TYPE wait_seconds histogram
# HELP wait_seconds Wait.
wait_seconds_bucket{le="0.5"} 1 # {trace_id="b"} 0.5 1700000002
wait_seconds_bucket{le="1.0"} 3 # {span="1",trace_id="c"} 0.7 1700000002
wait_seconds_bucket{le="+Inf"} 4 # {trace_id="d"} 5 1700000002
wait_seconds_count 4
wait_seconds_sum 2.5
wait_seconds_created 1700000000.5
# EOF
`
	if string(body) != want {
		t.Fatalf("OpenMetrics:\n%s\nwant\n%s", body, want)
	}
	// The text formats have neither (client_golang's text has no _created or exemplars either).
	text, _ := r.Expose(FormatText)
	if strings.Contains(string(text), "_created") || strings.Contains(string(text), "trace_id") {
		t.Fatalf("text 0.0.4:\n%s", text)
	}
}

func TestExemplarsDoNotChangeTheWrappedMetric(t *testing.T) {
	inner := MustNewConstHistogram(waitDesc, 4, 2.5, map[float64]uint64{0.5: 1, 1: 3, math.Inf(1): 4})
	m := MustNewMetricWithExemplars(inner, Exemplar{Value: 7, Labels: Labels{"t": "x"}})
	for range 2 {
		var p Point
		if err := m.Write(&p); err != nil {
			t.Fatal(err)
		}
		h := p.Histogram
		if len(h.UpperBounds) != 3 || len(h.Exemplars) != 3 || h.Exemplars[2] == nil || h.Exemplars[2].Value != 7 || h.Exemplars[0] != nil {
			t.Fatalf("histogram %+v", h)
		}
		if h.Exemplars[2].Timestamp.IsZero() || time.Since(h.Exemplars[2].Timestamp) > time.Minute {
			t.Fatalf("an exemplar without a timestamp gets the time of NewMetricWithExemplars: %v", h.Exemplars[2].Timestamp)
		}
	}
	var p Point
	_ = inner.Write(&p)
	if p.Histogram.Exemplars != nil || len(p.Histogram.UpperBounds) != 3 {
		t.Fatalf("the wrapped histogram changed: %+v", p.Histogram)
	}
	// A native-only histogram has no bucket for them; a classic one without bounds gets +Inf.
	native := MustNewMetricWithExemplars(MustNewConstNativeHistogram(nativeDesc, 1, 1, map[int]int64{0: 1}, nil, 0, 0, 0, time.Time{}), Exemplar{Value: 1})
	if err := native.Write(&p); err != nil || p.Histogram.Exemplars != nil || p.Histogram.Native == nil {
		t.Fatalf("native: %v %+v", err, p.Histogram)
	}
	// The labels are copied.
	labels := Labels{"t": "x"}
	c := MustNewMetricWithExemplars(MustNewConstMetric(jobsDesc, CounterValue, 1, "q"), Exemplar{Value: 1, Labels: labels})
	labels["t"] = "changed"
	_ = c.Write(&p)
	if p.Exemplar.Labels["t"] != "x" {
		t.Fatalf("exemplar labels %v", p.Exemplar.Labels)
	}
}

func TestNewMetricWithExemplarsErrors(t *testing.T) {
	m := MustNewConstMetric(jobsDesc, CounterValue, 1, "q")
	for _, c := range []struct {
		exemplars []Exemplar
		message   string
	}{
		{nil, "no exemplar was passed for NewMetricWithExemplars"},
		{[]Exemplar{{Value: 1, Labels: Labels{"": "x"}}}, `exemplar label name "" is invalid`},
		{[]Exemplar{{Value: 1, Labels: Labels{"__x": "x"}}}, `exemplar label name "__x" is invalid`},
		{[]Exemplar{{Value: 1, Labels: Labels{"\xff": "x"}}}, `exemplar label name "\xff" is invalid`},
		{[]Exemplar{{Value: 1, Labels: Labels{"ok": "\xff"}}}, `exemplar label value "\xff" is not valid UTF-8`},
		{[]Exemplar{{Value: 1, Labels: Labels{"a": strings.Repeat("é", 128)}}}, "exemplar labels have 129 runes, exceeding the limit of 128"},
		{[]Exemplar{{Value: 1}, {Value: 1, Timestamp: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}}, "before 0001-01-01"},
		{[]Exemplar{{Value: 1, Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}, "after 9999-12-31"},
		{[]Exemplar{{Value: math.NaN()}}, "exemplar value is NaN"},
	} {
		_, err := NewMetricWithExemplars(m, c.exemplars...)
		errorIs(t, err, ErrInvalidValue, c.message)
		panicsWith(t, ErrInvalidValue, func() { MustNewMetricWithExemplars(m, c.exemplars...) }, c.message)
	}
	// Exactly 128 runes, UTF-8 names, and the first and last years pass.
	for _, e := range []Exemplar{
		{Value: 1, Labels: Labels{"a": strings.Repeat("é", 127)}},
		{Value: 1, Labels: Labels{"span.id": "x"}},
		{Value: 1, Timestamp: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Value: 1, Timestamp: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	} {
		if _, err := NewMetricWithExemplars(m, e); err != nil {
			t.Errorf("%+v: %v", e, err)
		}
	}
	// Gauges, untyped and summaries fail at Write, as in client_golang.
	for _, inner := range []Metric{
		MustNewConstMetric(depthDesc, GaugeValue, 1),
		MustNewConstMetric(depthDesc, UntypedValue, 1),
		MustNewConstSummary(sizeDesc, 1, 1, nil),
	} {
		var p Point
		errorIs(t, MustNewMetricWithExemplars(inner, Exemplar{Value: 1}).Write(&p), ErrWrongKind, "cannot inject exemplar into Gauge, Summary or Untyped")
	}
}

func TestConstMetricWithCreatedTimestampErrors(t *testing.T) {
	_, err := NewConstMetricWithCreatedTimestamp(jobsDesc, GaugeValue, 1, createdAt, "q")
	errorIs(t, err, ErrWrongKind, "created timestamps are only supported for counters")
	_, err = NewConstMetricWithCreatedTimestamp(jobsDesc, UntypedValue, 1, createdAt, "q")
	errorIs(t, err, ErrWrongKind, "created timestamps are only supported for counters")
	// The labels are checked first, as client_golang does.
	_, err = NewConstMetricWithCreatedTimestamp(jobsDesc, GaugeValue, 1, createdAt)
	errorIs(t, err, ErrLabelCount, "inconsistent label cardinality")
	_, err = NewConstMetricWithCreatedTimestamp(jobsDesc, CounterValue, -1, createdAt, "q")
	errorIs(t, err, ErrInvalidValue)
	_, err = NewConstHistogramWithCreatedTimestamp(waitDesc, 1, 1, nil, createdAt, "extra")
	errorIs(t, err, ErrLabelCount)
	_, err = NewConstSummaryWithCreatedTimestamp(sizeDesc, 1, 1, nil, createdAt, "extra")
	errorIs(t, err, ErrLabelCount)
	panicsWith(t, ErrWrongKind, func() { MustNewConstMetricWithCreatedTimestamp(depthDesc, GaugeValue, 1, createdAt) })
	panicsWith(t, ErrLabelCount, func() { MustNewConstHistogramWithCreatedTimestamp(waitDesc, 1, 1, nil, createdAt, "x") })
	panicsWith(t, ErrLabelCount, func() { MustNewConstSummaryWithCreatedTimestamp(sizeDesc, 1, 1, nil, createdAt, "x") })

	var p Point
	_ = MustNewConstHistogramWithCreatedTimestamp(waitDesc, 1, 1, nil, createdAt).Write(&p)
	if !p.Created.Equal(createdAt) {
		t.Fatalf("created %v", p.Created)
	}
}

// A creation time far from now (year 1, year 9999) reaches the library as its seconds (January 1st
// of year 1 is the zero time: none).
type farCreatedCollector struct{}

func (farCreatedCollector) Describe(chan<- *Desc) {}
func (farCreatedCollector) Collect(ch chan<- Metric) {
	ch <- MustNewConstMetricWithCreatedTimestamp(jobsDesc, CounterValue, 1, time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), "old")
	ch <- MustNewConstMetricWithCreatedTimestamp(jobsDesc, CounterValue, 1, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "new")
}

func TestFarCreatedTimestamps(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	r.MustRegister(farCreatedCollector{})
	if got := value(t, r, "jobs_created", "queue", "old"); got != -62135510400 {
		t.Errorf("year 1: %v", got)
	}
	if got := value(t, r, "jobs_created", "queue", "new"); got != 253370764800 {
		t.Errorf("year 9999: %v", got)
	}
}

// This package's metrics keep their creation time and exemplars when a Go collector sends them.
func TestBuiltinMetricsCollectCreatedAndExemplars(t *testing.T) {
	counter := MustNewCounter(CounterOpts{Name: "c_total", Help: "C."})
	if err := counter.AddWithExemplar(2, Labels{"trace_id": "x"}); err != nil {
		t.Fatal(err)
	}
	histogram := MustNewHistogram(HistogramOpts{Name: "h_seconds", Help: "H.", Buckets: []float64{1, 2}})
	if err := histogram.ObserveWithExemplar(1.5, Labels{"trace_id": "y"}); err != nil {
		t.Fatal(err)
	}
	summary := MustNewSummary(SummaryOpts{Name: "s", Help: "S."})
	points := func(c Collector) []Point {
		ch := make(chan Metric, 4)
		c.Collect(ch)
		close(ch)
		var out []Point
		for m := range ch {
			var p Point
			if err := m.Write(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	recent := func(ts time.Time) bool { return time.Since(ts) < time.Minute && time.Since(ts) > -time.Minute }
	c := points(counter)
	if len(c) != 1 || !recent(c[0].Created) || c[0].Exemplar == nil || c[0].Exemplar.Value != 2 || c[0].Exemplar.Labels["trace_id"] != "x" {
		t.Fatalf("counter %+v", c)
	}
	h := points(histogram)
	if len(h) != 1 || !recent(h[0].Created) || len(h[0].Histogram.Exemplars) != 2 || h[0].Histogram.Exemplars[0] != nil ||
		h[0].Histogram.Exemplars[1].Labels["trace_id"] != "y" {
		t.Fatalf("histogram %+v %+v", h, h[0].Histogram)
	}
	if s := points(summary); len(s) != 1 || !recent(s[0].Created) {
		t.Fatalf("summary %+v", s)
	}

	// Sent from a Go collector, they are exposed as the library's own are.
	r := NewRegistry()
	defer r.Close()
	r.MustRegister(forward{counter, histogram})
	own := NewRegistry()
	defer own.Close()
	own.MustRegister(counter, histogram)
	got, _ := r.Expose(FormatOpenMetrics)
	want, _ := own.Expose(FormatOpenMetrics)
	if string(got) != string(want) {
		t.Fatalf("forwarded:\n%s\nthe library's own:\n%s", got, want)
	}
}

// forward is a Go collector sending other collectors' metrics.
type forward []Collector

func (f forward) Describe(chan<- *Desc) {}
func (f forward) Collect(ch chan<- Metric) {
	for _, c := range f {
		c.Collect(ch)
	}
}

func TestReadmeExemplarsAreTheExample(t *testing.T) {
	readmeHasExample(t, "ExampleNewMetricWithExemplars")
	readme, _ := os.ReadFile("README.md")
	examples, _ := os.ReadFile("example_test.go")
	_, collect, _ := strings.Cut(string(examples), "func (c waitCollector) Collect")
	collect, _, _ = strings.Cut(collect, "\n}\n")
	if !strings.Contains(string(readme), "```go\nfunc (c waitCollector) Collect"+collect+"\n}\n```") {
		t.Fatal("the README's waitCollector.Collect differs from example_test.go's")
	}
}
