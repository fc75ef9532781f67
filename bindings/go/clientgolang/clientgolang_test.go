package clientgolang_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus-emulator/promemu"
	"github.com/prometheus-emulator/promemu/clientgolang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// twins makes the same metrics in a promemu registry and a client_golang one and updates both
// alike, so that their families can be compared field by field.
type twins struct {
	ours   *promemu.Registry
	theirs *prometheus.Registry
}

func newTwins(t *testing.T) twins {
	t.Helper()
	ours, theirs := promemu.NewRegistry(), prometheus.NewRegistry()
	t.Cleanup(func() { ours.Close() })

	requests := promemu.MustNewCounterVec(promemu.CounterOpts{Name: "requests_total", Help: "Requests."}, []string{"code"})
	theirRequests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total", Help: "Requests."}, []string{"code"})
	depth := promemu.MustNewGauge(promemu.GaugeOpts{Name: "queue_depth", Help: "Depth.", ConstLabels: promemu.Labels{"queue": "mail"}})
	theirDepth := prometheus.NewGauge(prometheus.GaugeOpts{Name: "queue_depth", Help: "Depth.", ConstLabels: prometheus.Labels{"queue": "mail"}})
	latency := promemu.MustNewHistogram(promemu.HistogramOpts{Name: "latency_seconds", Help: "Latency.", Buckets: []float64{0.1, 1, 10}})
	theirLatency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "latency_seconds", Help: "Latency.", Buckets: []float64{0.1, 1, 10}})
	native := promemu.MustNewHistogram(promemu.HistogramOpts{Name: "native_seconds", Help: "Native.", NativeHistogramBucketFactor: 1.1})
	theirNative := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "native_seconds", Help: "Native.", NativeHistogramBucketFactor: 1.1})
	sizes := promemu.MustNewSummary(promemu.SummaryOpts{Name: "sizes_bytes", Help: "Sizes."})
	theirSizes := prometheus.NewSummary(prometheus.SummaryOpts{Name: "sizes_bytes", Help: "Sizes."})
	ours.MustRegister(requests, depth, latency, native, sizes)
	theirs.MustRegister(theirRequests, theirDepth, theirLatency, theirNative, theirSizes)

	requests.WithLabelValues("200").Add(3)
	theirRequests.WithLabelValues("200").Add(3)
	requests.WithLabelValues("500").Inc()
	theirRequests.WithLabelValues("500").Inc()
	depth.Set(7)
	theirDepth.Set(7)
	for _, v := range []float64{0.05, 0.5, 0.5, 3, 30, -2, 0} {
		latency.Observe(v)
		theirLatency.Observe(v)
		native.Observe(v)
		theirNative.Observe(v)
		sizes.Observe(v)
		theirSizes.Observe(v)
	}
	return twins{ours: ours, theirs: theirs}
}

// withoutTimes clears what differs between two processes making the same metrics: created
// timestamps and exemplar timestamps.
func withoutTimes(families []*dto.MetricFamily) []*dto.MetricFamily {
	for _, f := range families {
		for _, m := range f.Metric {
			if m.Counter != nil {
				m.Counter.CreatedTimestamp = nil
				if m.Counter.Exemplar != nil {
					m.Counter.Exemplar.Timestamp = nil
				}
			}
			if m.Histogram != nil {
				m.Histogram.CreatedTimestamp = nil
				for _, b := range m.Histogram.Bucket {
					if b.Exemplar != nil {
						b.Exemplar.Timestamp = nil
					}
				}
			}
			if m.Summary != nil {
				m.Summary.CreatedTimestamp = nil
			}
		}
	}
	return families
}

func sameFamilies(t *testing.T, got, want []*dto.MetricFamily) {
	t.Helper()
	got, want = withoutTimes(got), withoutTimes(want)
	if len(got) != len(want) {
		t.Fatalf("%d families, want %d:\n%v\n%v", len(got), len(want), got, want)
	}
	for i := range got {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("family %d differs:\n got  %v\n want %v", i, got[i], want[i])
		}
	}
}

func TestGathererGivesClientGolangsFamilies(t *testing.T) {
	tw := newTwins(t)
	got, err := clientgolang.NewGatherer(tw.ours).Gather()
	if err != nil {
		t.Fatal(err)
	}
	want, err := tw.theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		for _, m := range f.Metric {
			if m.Counter != nil && m.Counter.CreatedTimestamp == nil || m.Histogram != nil && m.Histogram.CreatedTimestamp == nil {
				t.Errorf("%s: no created timestamp", f.GetName())
			}
		}
	}
	sameFamilies(t, got, want)
}

func TestGathererCarriesExemplars(t *testing.T) {
	r := promemu.NewRegistry()
	defer r.Close()
	c := promemu.MustNewCounter(promemu.CounterOpts{Name: "jobs_total", Help: "Jobs."})
	r.MustRegister(c)
	if err := c.AddWithExemplar(2, promemu.Labels{"trace_id": "abc"}); err != nil {
		t.Fatal(err)
	}
	families, err := clientgolang.NewGatherer(r).Gather()
	if err != nil {
		t.Fatal(err)
	}
	e := families[0].Metric[0].Counter.GetExemplar()
	if e.GetValue() != 2 || len(e.GetLabel()) != 1 || e.GetLabel()[0].GetValue() != "abc" || e.Timestamp == nil {
		t.Fatalf("exemplar %v", e)
	}
}

func TestGatherAndCompareAndLint(t *testing.T) {
	tw := newTwins(t)
	g := clientgolang.NewGatherer(tw.ours)
	expected := `
# HELP queue_depth Depth.
# TYPE queue_depth gauge
queue_depth{queue="mail"} 7
# HELP requests_total Requests.
# TYPE requests_total counter
requests_total{code="200"} 3
requests_total{code="500"} 1
`
	if err := testutil.GatherAndCompare(g, strings.NewReader(expected), "queue_depth", "requests_total"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(g)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("lint: %v", problems)
	}
	if n := testutil.CollectAndCount(g, "requests_total"); n != 2 {
		t.Fatalf("CollectAndCount: %d", n)
	}
}

// scrape reads a handler's response to a text 0.0.4 scrape into families.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	server := httptest.NewServer(h)
	defer server.Close()
	req, _ := http.NewRequest(http.MethodGet, server.URL, nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%v in\n%s", err, body)
	}
	return families
}

func TestPromhttpOverTheGathererServesOurSamples(t *testing.T) {
	tw := newTwins(t)
	theirs := scrape(t, promhttp.HandlerFor(clientgolang.NewGatherer(tw.ours), promhttp.HandlerOpts{}))
	ours := scrape(t, promemu.Handler(tw.ours))
	if len(theirs) != len(ours) || len(ours) == 0 {
		t.Fatalf("%d families through promhttp, %d through ours", len(theirs), len(ours))
	}
	for name, f := range ours {
		if !proto.Equal(f, theirs[name]) {
			t.Errorf("%s differs:\n ours    %v\n promhttp %v", name, f, theirs[name])
		}
	}
}

func TestCollectorExposesAClientGolangRegistry(t *testing.T) {
	tw := newTwins(t)
	r := promemu.NewRegistry()
	defer r.Close()
	own := promemu.MustNewCounter(promemu.CounterOpts{Name: "own_total", Help: "Ours."})
	r.MustRegister(own)
	c, err := clientgolang.Register(r, tw.theirs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := clientgolang.NewGatherer(r).Gather()
	if err != nil {
		t.Fatal(err)
	}
	want, err := prometheus.Gatherers{clientgolang.NewGatherer(promemuOnly(t, own)), tw.theirs}.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sameFamiliesWithTimes(t, got, want)
	if !r.Unregister(c) {
		t.Fatal("Unregister of the collector reported false")
	}
	if got, _ := clientgolang.NewGatherer(r).Gather(); len(got) != 1 {
		t.Fatalf("after Unregister: %v", got)
	}
}

func promemuOnly(t *testing.T, cs ...promemu.Collector) *promemu.Registry {
	r := promemu.NewRegistry()
	t.Cleanup(func() { r.Close() })
	r.MustRegister(cs...)
	return r
}

func TestRegisterReportsDuplicatesAsClientGolangDoes(t *testing.T) {
	theirs := prometheus.NewRegistry()
	theirs.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// DefaultRegistry has the library's process collector: process_cpu_seconds_total twice.
	_, err := clientgolang.Register(promemu.DefaultRegistry, theirs)
	if err == nil {
		t.Fatal("no error for process_cpu_seconds_total exposed twice")
	}
	var multi prometheus.MultiError
	if !errors.As(err, &multi) || len(multi) < 6 {
		t.Fatalf("error %q, want client_golang's MultiError over the process metrics", err)
	}
	for _, e := range multi {
		if !strings.HasPrefix(e.Error(), `collected metric "process_`) || !strings.HasSuffix(e.Error(), "was collected before with the same name and label values") {
			t.Errorf("not client_golang's duplicate report: %v", e)
		}
	}
	if !strings.Contains(err.Error(), `"process_cpu_seconds_total"`) {
		t.Fatalf("error does not name the duplicate: %v", err)
	}
}

func TestClientGolangRegistryTakesTheGatherer(t *testing.T) {
	tw := newTwins(t)
	theirs := prometheus.NewRegistry()
	theirs.MustRegister(clientgolang.NewGatherer(tw.ours))
	got, err := theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tw.theirs.Gather()
	sameFamilies(t, got, want)
}

// clientGolangWithTimes is a client_golang registry whose families carry created timestamps and
// exemplars: its own counters, histograms and summaries, and a collector's const metrics.
func clientGolangWithTimes(t *testing.T) *prometheus.Registry {
	t.Helper()
	theirs := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total", Help: "Requests."}, []string{"code"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "latency_seconds", Help: "Latency.", Buckets: []float64{0.1, 1, 10}})
	native := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "native_seconds", Help: "Native.", NativeHistogramBucketFactor: 1.1})
	sizes := prometheus.NewSummary(prometheus.SummaryOpts{Name: "sizes_bytes", Help: "Sizes.", Objectives: map[float64]float64{0.5: 0.05}})
	theirs.MustRegister(requests, latency, native, sizes, constCollector{})
	requests.WithLabelValues("200").(prometheus.ExemplarAdder).AddWithExemplar(3, prometheus.Labels{"trace_id": "abc", "span": "1"})
	requests.WithLabelValues("500").Inc()
	for _, v := range []float64{0.05, 0.5, 3, 30} {
		latency.(prometheus.ExemplarObserver).ObserveWithExemplar(v, prometheus.Labels{"trace_id": "t" + strings.Repeat("x", int(v))})
		native.Observe(v)
		sizes.Observe(v)
	}
	latency.Observe(0.7) // no exemplar
	return theirs
}

// constCollector sends client_golang's const metrics with created timestamps and exemplars.
type constCollector struct{}

var (
	jobsDesc  = prometheus.NewDesc("jobs_total", "Jobs.", []string{"queue"}, nil)
	waitDesc  = prometheus.NewDesc("wait_seconds", "Wait.", nil, prometheus.Labels{"zone": "eu"})
	sizeDesc  = prometheus.NewDesc("size_bytes", "Size.", nil, nil)
	createdAt = time.UnixMilli(1700000000123)
)

func (constCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- waitDesc
	ch <- sizeDesc
}

func (constCollector) Collect(ch chan<- prometheus.Metric) {
	at := time.UnixMilli(1700000005250)
	ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(jobsDesc, prometheus.CounterValue, 4, createdAt, "mail")
	ch <- prometheus.MustNewMetricWithExemplars(prometheus.MustNewConstMetricWithCreatedTimestamp(jobsDesc, prometheus.CounterValue, 2, createdAt, "sms"),
		prometheus.Exemplar{Value: 1, Labels: prometheus.Labels{"trace_id": "c1"}, Timestamp: at})
	ch <- prometheus.MustNewMetricWithExemplars(
		prometheus.MustNewConstHistogramWithCreatedTimestamp(waitDesc, 5, 12, map[float64]uint64{1: 2, 5: 4}, createdAt),
		prometheus.Exemplar{Value: 0.5, Labels: prometheus.Labels{"trace_id": "h1"}, Timestamp: at},
		prometheus.Exemplar{Value: 7, Labels: prometheus.Labels{"trace_id": "h2"}, Timestamp: at})
	ch <- prometheus.MustNewConstSummaryWithCreatedTimestamp(sizeDesc, 2, 30, map[float64]float64{0.5: 10}, createdAt)
}

// sameFamiliesWithTimes compares families with their created timestamps and exemplars: each
// timestamp within a microsecond of its twin (the library keeps seconds as a float64), exemplar
// labels in name order (client_golang's order is a map's).
func sameFamiliesWithTimes(t *testing.T, got, want []*dto.MetricFamily) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d families, want %d:\n%v\n%v", len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if len(g.Metric) != len(w.Metric) {
			t.Errorf("%s: %d metrics, want %d", w.GetName(), len(g.Metric), len(w.Metric))
			continue
		}
		for j := range g.Metric {
			for _, pair := range timestampPairs(g.Metric[j], w.Metric[j]) {
				alignTimestamp(t, w.GetName(), pair[0], pair[1])
			}
			for _, e := range append(exemplars(g.Metric[j]), exemplars(w.Metric[j])...) {
				slices.SortFunc(e.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
			}
		}
		if !proto.Equal(g, w) {
			t.Errorf("family %s differs:\n got  %v\n want %v", w.GetName(), g, w)
		}
	}
}

// timestampPairs are the places of a metric's timestamps in got and want: created timestamps
// and exemplar timestamps.
func timestampPairs(g, w *dto.Metric) [][2]**timestamppb.Timestamp {
	var pairs [][2]**timestamppb.Timestamp
	switch {
	case g.Counter != nil && w.Counter != nil:
		pairs = append(pairs, [2]**timestamppb.Timestamp{&g.Counter.CreatedTimestamp, &w.Counter.CreatedTimestamp})
		if g.Counter.Exemplar != nil && w.Counter.Exemplar != nil {
			pairs = append(pairs, [2]**timestamppb.Timestamp{&g.Counter.Exemplar.Timestamp, &w.Counter.Exemplar.Timestamp})
		}
	case g.Histogram != nil && w.Histogram != nil:
		pairs = append(pairs, [2]**timestamppb.Timestamp{&g.Histogram.CreatedTimestamp, &w.Histogram.CreatedTimestamp})
		for k := range min(len(g.Histogram.Bucket), len(w.Histogram.Bucket)) {
			gb, wb := g.Histogram.Bucket[k], w.Histogram.Bucket[k]
			if gb.Exemplar != nil && wb.Exemplar != nil {
				pairs = append(pairs, [2]**timestamppb.Timestamp{&gb.Exemplar.Timestamp, &wb.Exemplar.Timestamp})
			}
		}
	case g.Summary != nil && w.Summary != nil:
		pairs = append(pairs, [2]**timestamppb.Timestamp{&g.Summary.CreatedTimestamp, &w.Summary.CreatedTimestamp})
	}
	return pairs
}

// alignTimestamp checks that got is want to the microsecond (both set), then makes it want's.
func alignTimestamp(t *testing.T, family string, got, want **timestamppb.Timestamp) {
	t.Helper()
	if *want == nil {
		t.Fatalf("%s: the client_golang side has no timestamp there", family)
	}
	if *got == nil {
		t.Errorf("%s: timestamp %v lost", family, (*want).AsTime())
		return
	}
	if d := (*got).AsTime().Sub((*want).AsTime()); d > time.Microsecond || d < -time.Microsecond {
		t.Errorf("%s: timestamp %v, want %v", family, (*got).AsTime(), (*want).AsTime())
	}
	*got = *want
}

func exemplars(m *dto.Metric) []*dto.Exemplar {
	var out []*dto.Exemplar
	if m.Counter != nil && m.Counter.Exemplar != nil {
		out = append(out, m.Counter.Exemplar)
	}
	if m.Histogram != nil {
		for _, b := range m.Histogram.Bucket {
			if b.Exemplar != nil {
				out = append(out, b.Exemplar)
			}
		}
	}
	return out
}

func TestCollectorKeepsCreatedTimestampsAndExemplars(t *testing.T) {
	theirs := clientGolangWithTimes(t)
	r := promemu.NewRegistry()
	defer r.Close()
	clientgolang.MustRegister(r, theirs)
	got, err := clientgolang.NewGatherer(r).Gather()
	if err != nil {
		t.Fatal(err)
	}
	want, err := theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range want {
		for _, m := range f.Metric {
			n += len(exemplars(m))
		}
	}
	if n != 8 {
		t.Fatalf("the client_golang side has %d exemplars, want 8", n)
	}
	sameFamiliesWithTimes(t, got, want)

	// The same through OpenMetrics text, parsed back by expfmt (which reads exemplars and
	// _created lines back only in part): the lines themselves.
	body, err := r.Expose(promemu.FormatOpenMetrics)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`jobs_created{queue="mail"} 1700000000.123`,
		`jobs_total{queue="sms"} 2 # {trace_id="c1"} 1 1700000005.25`,
		`wait_seconds_bucket{zone="eu",le="1.0"} 2 # {trace_id="h1"} 0.5 1700000005.25`,
		`wait_seconds_bucket{zone="eu",le="+Inf"} 5 # {trace_id="h2"} 7 1700000005.25`,
		`wait_seconds_created{zone="eu"} 1700000000.123`,
		`size_bytes_created 1700000000.123`,
		`requests_total{code="200"} 3 # {span="1",trace_id="abc"} 3 `,
		`latency_seconds_bucket{le="+Inf"} 5 # {trace_id="txxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} 30 `,
	} {
		if !strings.Contains(string(body), line) {
			t.Errorf("missing %q in\n%s", line, body)
		}
	}
}

func TestCollectorDropsWhatTheLibraryRefuses(t *testing.T) {
	// client_golang takes a NaN exemplar value; the library does not: the exemplar is left out,
	// the counter stays.
	theirs := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "nan_total", Help: "N."})
	theirs.MustRegister(c)
	c.(prometheus.ExemplarAdder).AddWithExemplar(1, prometheus.Labels{"a": "b"})
	families, _ := theirs.Gather()
	families[0].Metric[0].Counter.Exemplar.Value = proto.Float64(math.NaN())
	r := promemu.NewRegistry()
	defer r.Close()
	r.MustRegister(clientgolang.NewCollector(prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return families, nil })))
	got, err := clientgolang.NewGatherer(r).Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Metric[0].Counter.GetValue() != 1 || got[0].Metric[0].Counter.Exemplar != nil || got[0].Metric[0].Counter.CreatedTimestamp == nil {
		t.Fatalf("families %v", got)
	}
}
