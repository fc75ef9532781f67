package promemu

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// What Prometheus 3 and 2 send by default (ARCHITECTURE.md).
const (
	prometheus3Accept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
	prometheus2Accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	// Prometheus 3 with scrape_native_histograms: true, and with scrape_protocols:
	// [OpenMetricsText2.0.0, PrometheusProto] (src/exposition/negotiate.rs).
	prometheus3NativeAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	prometheus3OM2Accept    = "application/openmetrics-text;version=2.0.0;escaping=allow-utf-8;q=0.7,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,*/*;q=0.5"
)

// handlerRegistry holds the metric types expfmt's parsers read in both formats (its OpenMetrics
// parser refuses info and stateset families, which the exposition test covers byte for byte).
func handlerRegistry() *Registry {
	r := NewRegistry()
	requests := MustNewCounterVec(CounterOpts{Name: "http_requests_total", Help: "Requests."}, []string{"method", "code"})
	requests.WithLabelValues("GET", "200").Add(42)
	requests.WithLabelValues("POST", "500").Add(1.5)
	temperature := MustNewGaugeVec(GaugeOpts{Name: "temperature", Help: "Degrees.", Unit: "celsius"}, []string{"room"})
	temperature.WithLabelValues("kitchen \"main\"").Set(21.5)
	temperature.WithLabelValues("cellar\\\n").Set(math.Inf(-1))
	latency := MustNewHistogram(HistogramOpts{Name: "latency", Help: "Latency.", Unit: "seconds", Buckets: ExponentialBuckets(0.01, 10, 3)})
	for _, v := range []float64{0.005, 0.05, 0.5, 5} {
		latency.Observe(v)
	}
	size := MustNewSummary(SummaryOpts{Name: "size_bytes", Help: "Sizes.", Objectives: DefObjectives})
	for i := 1; i <= 100; i++ {
		size.Observe(float64(i))
	}
	r.MustRegister(requests, temperature, latency, size,
		MustNewGaugeFunc(GaugeOpts{Name: "answer", Help: "Always 42."}, func() float64 { return 42 }))
	return r
}

// gathered flattens Gather into "name{sorted labels}" -> value, without _created samples.
func gathered(t *testing.T, r *Registry) map[string]float64 {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, s := range f.Samples {
			if strings.HasSuffix(s.Name, "_created") {
				continue
			}
			m := model.Metric{model.MetricNameLabel: model.LabelValue(s.Name)}
			for _, l := range s.Labels {
				m[model.LabelName(l.Name)] = model.LabelValue(l.Value)
			}
			out[canonical(m)] = s.Value
		}
	}
	return out
}

// canonical spells a series with le and quantile values as numbers, so "1.0" and "1" agree.
func canonical(m model.Metric) string {
	for _, name := range []model.LabelName{"le", "quantile"} {
		if v, ok := m[name]; ok {
			if f, err := strconv.ParseFloat(string(v), 64); err == nil {
				m[name] = model.LabelValue(strconv.FormatFloat(f, 'g', -1, 64))
			}
		}
	}
	return m.String()
}

// parsed decodes a response body with expfmt in the format its Content-Type names.
func parsed(t *testing.T, header http.Header, body []byte) map[string]float64 {
	t.Helper()
	format := expfmt.ResponseFormat(header)
	if format == expfmt.FmtUnknown {
		t.Fatalf("expfmt does not know the Content-Type %q", header.Get("Content-Type"))
	}
	decoder := expfmt.NewDecoder(bytes.NewReader(body), format)
	out := map[string]float64{}
	for {
		var family dto.MetricFamily
		err := decoder.Decode(&family)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("expfmt (%s) cannot parse:\n%s\n%v", format, body, err)
		}
		samples, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, &family)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			out[canonical(model.Metric(s.Metric))] = float64(s.Value)
		}
	}
	return out
}

func sameValues(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	var problems []string
	for key, w := range want {
		if g, ok := got[key]; !ok || !equalFloat(g, w) {
			problems = append(problems, fmt.Sprintf("%s: got %v (present %v), want %v", key, g, ok, w))
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			problems = append(problems, "unexpected "+key)
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Fatalf("%s:\n%s", what, strings.Join(problems, "\n"))
	}
}

func get(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHandlerParsedBackInBothFormats(t *testing.T) {
	r := handlerRegistry()
	server := httptest.NewServer(Handler(r))
	defer server.Close()
	want := gathered(t, r)

	// The Content-Type states the escaping (the registry's names are all legacy, so every
	// escaping but dots writes them the same), except for text 0.0.4 with underscores.
	for _, c := range []struct {
		accept, encoding string
		format           Format
		escaping         EscapingScheme
	}{
		{"", "", FormatText, UnderscoreEscaping},
		{"text/plain;version=0.0.4", "gzip", FormatText, UnderscoreEscaping},
		{prometheus3Accept, "gzip", FormatOpenMetrics, NoEscaping},
		{prometheus2Accept, "", FormatOpenMetrics, UnderscoreEscaping},
		{"application/openmetrics-text", "identity", FormatOpenMetrics, UnderscoreEscaping},
		{prometheus3NativeAccept, "gzip", FormatProtobuf, UnderscoreEscaping},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", "", FormatProtobuf, UnderscoreEscaping},
	} {
		t.Run(fmt.Sprintf("%v/%q/%q", c.format, c.accept, c.encoding), func(t *testing.T) {
			header := map[string]string{"Accept": c.accept, "Accept-Encoding": c.encoding}
			resp, body := get(t, http.MethodGet, server.URL+"/metrics", header)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.format.ContentTypeEscaped(c.escaping) {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if c.encoding == "gzip" {
				if resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatal("no gzip")
				}
				body = gunzip(t, body)
			} else if resp.Header.Get("Content-Encoding") != "" {
				t.Fatal("gzip without being asked")
			}
			sameValues(t, "expfmt's reading of the response", parsed(t, resp.Header, body), want)
			// The body is the library's exposition, byte for byte (same metrics, same _created).
			if direct, _ := r.ExposeEscaped(c.format, c.escaping); !bytes.Equal(body, direct) {
				t.Fatalf("body differs from Registry.Expose:\n%s\n---\n%s", body, direct)
			}
		})
	}
}

func TestHandlerFilterHeadAndMethods(t *testing.T) {
	r := handlerRegistry()
	server := httptest.NewServer(HandlerFor(r, HandlerOpts{DisableCompression: true}))
	defer server.Close()

	resp, body := get(t, http.MethodGet, server.URL+"/?name[]=http_requests_total&name[]=latency_seconds", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("DisableCompression")
	}
	got := parsed(t, resp.Header, body)
	if len(got) != 2+6 {
		t.Fatalf("name[] filter kept %d samples:\n%s", len(got), body)
	}
	if _, body := get(t, http.MethodGet, server.URL+"/?name[]=nothing", nil); len(body) != 0 {
		t.Fatalf("an unknown name selects nothing, got %q", body)
	}

	resp, body = get(t, http.MethodHead, server.URL, nil)
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Type") != ContentTypeText {
		t.Fatalf("HEAD: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	resp, _ = get(t, http.MethodPost, server.URL, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST: %d", resp.StatusCode)
	}

	// A closed registry is a server error, not a crash.
	_ = r.Close()
	if resp, _ := get(t, http.MethodGet, server.URL, nil); resp.StatusCode != 500 {
		t.Fatalf("closed registry: %d", resp.StatusCode)
	}
}

func TestHandlerDefaultRegistry(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "promemu_handler_default", Help: "h"})
	MustRegister(c)
	defer Unregister(c)
	server := httptest.NewServer(Handler(nil))
	defer server.Close()
	_, body := get(t, http.MethodGet, server.URL+"?name[]=promemu_handler_default", nil)
	if string(body) != "# HELP promemu_handler_default_total h\n# TYPE promemu_handler_default_total counter\npromemu_handler_default_total 0\n" {
		t.Fatalf("default registry through Handler(nil):\n%s", body)
	}
}

// The cases of the library's own negotiation tests (src/exposition/negotiate.rs).
func TestNegotiateFormat(t *testing.T) {
	openMetrics := []string{
		prometheus3Accept, prometheus2Accept,
		"application/openmetrics-text",
		"application/openmetrics-text; version=0.0.1; charset=utf-8",
		"Application/OpenMetrics-Text;Version=1.0.0;Q=0.9,text/plain;q=0.8",
		"text/plain;q=0.5,application/openmetrics-text;q=0.6",
		"text/plain;q=0,*/*",
		"application/*",
		"application/*;q=0.9,text/*;q=0.3",
		"application/openmetrics-text,text/plain",
		"*/*;q=0.5,application/openmetrics-text;q=0.5",
		"application/openmetrics-text;version=\"1.0.0\"",
		"application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;version=0.0.1;q=0.7,text/plain;q=0.5",
		"application/openmetrics-text;q=0.9;version=9",
		"text/plain;version=9.9.9,application/openmetrics-text;q=0.2",
		"text/plain;q=abc,application/openmetrics-text;q=0.1",
		"text/plain;x=\"a,b;c\";q=0.1,application/openmetrics-text;q=0.2",
		" application/openmetrics-text ; version=1.0.0 ; q=0.3 , text/plain ; q=0.2 ",
	}
	text := []string{
		"", "text/plain", "text/plain;version=0.0.4", "*/*", "text/html,*/*;q=0.8", "application/json",
		"text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		"application/openmetrics-text;q=0", "application/openmetrics-text;q=0.0,*/*",
		"application/openmetrics-text;q=0.5,text/plain;q=0.6",
		"application/openmetrics-text;q=0.1,*/*;q=1",
		"text/plain,application/openmetrics-text",
		"application/openmetrics-text;q=0.5,text/plain;version=0.0.4;q=0.5",
		"application/openmetrics-text;version=2.0.0;q=0.1,text/plain;q=0.5",
		"application/vnd.google.protobuf", "application/vnd.google.protobuf;proto=other.Message",
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;q=0",
		"garbage", ";;;", ",,,", "/", "application/", "/openmetrics-text", "*/openmetrics-text",
		"application/openmetrics-text;q=abc", "application/openmetrics-text;q=2", "application/openmetrics-text;q=-1",
		"application/openmetrics-text;q=inf", "application/openmetrics-text;q=NaN", "application/openmetrics-text;q",
		"application/openmetrics-text;version=\"1.0.0", "application/openmetrics text", "applicätion/openmetrics-text",
		"\x00\x01",
	}
	// The newer formats, only when named.
	newer := map[string]Format{
		prometheus3NativeAccept: FormatProtobuf,
		prometheus3OM2Accept:    FormatOpenMetrics2,
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily":                    FormatProtobuf,
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited": FormatProtobuf,
		"application/openmetrics-text;version=2.0.0":                                                 FormatOpenMetrics2,
		"application/openmetrics-text;version=2.0.0,text/plain;q=0.1":                                FormatOpenMetrics2,
	}
	for accept, want := range newer {
		if got := NegotiateFormat(accept); got != want {
			t.Errorf("%q should give %v, got %v", accept, want, got)
		}
	}
	for _, accept := range openMetrics {
		if NegotiateFormat(accept) != FormatOpenMetrics {
			t.Errorf("%q should give OpenMetrics", accept)
		}
	}
	for _, accept := range text {
		if NegotiateFormat(accept) != FormatText {
			t.Errorf("%q should give text", accept)
		}
	}
	for header, want := range map[string]bool{
		"gzip": true, "GZIP": true, "gzip, deflate, br": true, "deflate, gzip;q=0.5": true, "x-gzip": true, "*": true,
		"identity;q=1, *;q=0.1": true, " gzip ; q=1.000 ": true,
		"": false, "identity": false, "deflate, br": false, "gzip;q=0": false, "gzip;q=0.000": false, "*;q=0": false,
		"gzip;q=0, *": false, "gzip;q=bad": false, "gzipped": false, "garbage;;=": false,
	} {
		if AcceptsGzip(header) != want {
			t.Errorf("AcceptsGzip(%q) should be %v", header, want)
		}
	}
}
