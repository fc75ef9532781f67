package clientgolang_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	sameFamilies(t, got, want)
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
