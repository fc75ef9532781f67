package promemu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var (
	allEscapings = []EscapingScheme{NoEscaping, UnderscoreEscaping, DotsEscaping, ValueEncodingEscaping}
	// The formats expfmt decodes (OpenMetrics 2.0 it only encodes).
	decodableFormats = []Format{FormatText, FormatPrometheus1, FormatOpenMetrics, FormatProtobuf}
)

// utf8Registry holds a counter, gauges, a histogram and a summary with UTF-8 metric and label
// names (dots, spaces, emoji, a quote, a colon in a label name), and one legacy family.
func utf8Registry(t *testing.T) *Registry {
	t.Helper()
	r := NewRegistry()
	requests := MustNewCounterVec(CounterOpts{Name: "app.requests_total", Help: "Requests."}, []string{"http.method", "code", "k8s:pod"})
	requests.WithLabelValues("GET", "200", "web-1").Add(42)
	requests.With(Labels{"http.method": "POST", "code": "500", "k8s:pod": "web-2"}).Add(1.5)
	temperature := MustNewGaugeVec(GaugeOpts{Name: "room temperature 🌡", Help: "Degrees.", Unit: "celsius"}, []string{"room \"name\""})
	temperature.WithLabelValues("kitchen").Set(21.5)
	temperature.WithLabelValues("cellar\\\n").Set(math.Inf(-1))
	depth := MustNewGauge(GaugeOpts{Name: "1st.queue", Help: "A name that starts with a digit."})
	depth.Set(3)
	latency := MustNewHistogramVec(HistogramOpts{Name: "http.server.duration", Help: "Latency.", Unit: "seconds", Buckets: []float64{0.1, 1}}, []string{"http.route"})
	for _, v := range []float64{0.05, 0.5, 5} {
		latency.WithLabelValues("/api/ü").Observe(v)
	}
	size := MustNewSummary(SummaryOpts{Name: "U__payload.size", Help: "Sizes.", Objectives: DefObjectives})
	for i := 1; i <= 10; i++ {
		size.Observe(float64(i))
	}
	legacy := MustNewCounterVec(CounterOpts{Name: "legacy_events_total", Help: "A legacy family."}, []string{"event_kind"})
	legacy.WithLabelValues("start").Inc()
	r.MustRegister(requests, temperature, depth, latency, size, legacy)
	return r
}

// escapeLabel is model.EscapeName with client_python's label rule, which the library follows:
// ':' is outside the legacy set of label names (model.EscapeName, written for metric names,
// keeps it). For names without ':' it is model.EscapeName (TestEscapeLabelIsModelsWithoutColon).
func escapeLabel(name string, scheme EscapingScheme) string {
	s := model.EscapingScheme(scheme)
	if !strings.Contains(name, ":") || s == model.NoEscaping {
		return model.EscapeName(name, s)
	}
	valid := func(r rune, i int) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r >= '0' && r <= '9' && i > 0
	}
	legacy := true
	for i, r := range name {
		legacy = legacy && valid(r, i)
	}
	var b strings.Builder
	switch s {
	case model.UnderscoreEscaping:
		for i, r := range name {
			if valid(r, i) {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	case model.DotsEscaping:
		for i, r := range name {
			switch {
			case r == '_':
				b.WriteString("__")
			case r == '.':
				b.WriteString("_dot_")
			case valid(r, i):
				b.WriteRune(r)
			default:
				b.WriteString("__")
			}
		}
	case model.ValueEncodingEscaping:
		if legacy {
			return name
		}
		b.WriteString("U__")
		for i, r := range name {
			switch {
			case r == '_':
				b.WriteString("__")
			case valid(r, i):
				b.WriteRune(r)
			default:
				fmt.Fprintf(&b, "_%x_", r)
			}
		}
	}
	return b.String()
}

func TestEscapeLabelIsModelsWithoutColon(t *testing.T) {
	for _, name := range []string{"http.method", "a b", "le", "_x", "1a", "é", "U__x", "a_b"} {
		for _, e := range allEscapings {
			if got, want := escapeLabel(name, e), model.EscapeName(name, model.EscapingScheme(e)); got != want {
				t.Errorf("escapeLabel(%q, %v) = %q, model.EscapeName %q", name, e, got, want)
			}
		}
	}
}

// exposedName is a metric name as an exposition writes it with escaping, as client_golang's
// encoder does (model.EscapeMetricFamily): a legacy name as it is under every scheme (dots
// included: only EscapeName rewrites legacy names there), any other name rewritten by
// model.EscapeName, or left for quoting under NoEscaping.
func exposedName(name string, escaping EscapingScheme) string {
	if escaping == NoEscaping || model.IsValidLegacyMetricName(name) {
		return name
	}
	return model.EscapeName(name, model.EscapingScheme(escaping))
}

// exposedLabel is exposedName for a label name, with the label rule (':' is not legacy).
func exposedLabel(name string, escaping EscapingScheme) string {
	if escaping == NoEscaping || (model.LabelName(name).IsValidLegacy() && !strings.Contains(name, ":")) {
		return name
	}
	return escapeLabel(name, escaping)
}

// protoName is a family's name as client_model names it (a counter's with _total), the name
// escaping rewrites; the samples add their suffixes (_bucket, _sum, _count) to it.
func protoName(f MetricFamily) string {
	if f.Type == TypeCounter {
		return f.Name + "_total"
	}
	return f.Name
}

// expected is what a decoder reads back from the registry exposed with escaping, built from
// Gather (the library's unescaped names), without _created samples (which the OpenMetrics and
// protobuf decoders fold into their family): the family name as exposedName writes it with the
// sample's suffix after it, label names as exposedLabel writes them.
func expected(t *testing.T, r *Registry, escaping EscapingScheme) map[string]float64 {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		family := exposedName(protoName(f), escaping)
		for _, s := range f.Samples {
			suffix, ok := strings.CutPrefix(s.Name, protoName(f))
			if strings.HasSuffix(s.Name, "_created") {
				continue
			}
			if !ok {
				t.Fatalf("sample %q of family %q", s.Name, f.Name)
			}
			m := model.Metric{model.MetricNameLabel: model.LabelValue(family + suffix)}
			for _, l := range s.Labels {
				m[model.LabelName(exposedLabel(l.Name, escaping))] = model.LabelValue(l.Value)
			}
			out[canonical(m)] = s.Value
		}
	}
	return out
}

// decoded is a body read back by expfmt, decoding as the Content-Type says (the escaping
// parameter chooses UTF-8 or legacy validation): the series and the families' types by name.
func decoded(t *testing.T, contentType string, body []byte) (map[string]float64, map[string]dto.MetricType) {
	t.Helper()
	decoder := expfmt.NewDecoder(bytes.NewReader(body), expfmt.Format(contentType))
	samples, types := map[string]float64{}, map[string]dto.MetricType{}
	for {
		var family dto.MetricFamily
		err := decoder.Decode(&family)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("expfmt (%s) cannot parse:\n%s\n%v", contentType, body, err)
		}
		types[family.GetName()] = family.GetType()
		extracted, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, &family)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range extracted {
			samples[canonical(model.Metric(s.Metric))] = float64(s.Value)
		}
	}
	return samples, types
}

// typeLines are the # TYPE lines of a text body: family name -> type.
func typeLines(body []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			if i := strings.LastIndexByte(rest, ' '); i > 0 {
				out[rest[:i]] = rest[i+1:]
			}
		}
	}
	return out
}

// expectedTypeLines are the # TYPE lines the registry's families get in a text format with
// escaping: the client_model name as exposedName writes it (in OpenMetrics, a counter's without
// its _total), quoted when NoEscaping leaves it outside the legacy set.
func expectedTypeLines(t *testing.T, r *Registry, format Format, escaping EscapingScheme) map[string]string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range families {
		name := exposedName(protoName(f), escaping)
		if format == FormatOpenMetrics && f.Type == TypeCounter {
			name = strings.TrimSuffix(name, "_total")
		}
		if !model.IsValidLegacyMetricName(name) {
			name = strconv.Quote(name)
		}
		out[name] = f.Type.String()
	}
	return out
}

// expectedTypes are the family types a decoder reports, by escaped family name (a counter's
// with _total, as expfmt names it).
func expectedTypes(t *testing.T, r *Registry, escaping EscapingScheme) map[string]dto.MetricType {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	types := map[MetricType]dto.MetricType{
		TypeCounter: dto.MetricType_COUNTER, TypeGauge: dto.MetricType_GAUGE,
		TypeHistogram: dto.MetricType_HISTOGRAM, TypeSummary: dto.MetricType_SUMMARY,
	}
	out := map[string]dto.MetricType{}
	for _, f := range families {
		out[exposedName(protoName(f), escaping)] = types[f.Type]
	}
	return out
}

func sameTypes(t *testing.T, what string, got, want map[string]dto.MetricType) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) { // fmt sorts map keys
		t.Fatalf("%s: family types\ngot  %v\nwant %v", what, got, want)
	}
}

func TestUTF8NamesExposedUnderEachEscaping(t *testing.T) {
	r := utf8Registry(t)
	defer r.Close()
	for _, format := range decodableFormats {
		for _, escaping := range allEscapings {
			t.Run(fmt.Sprintf("%v/%v", format, escaping), func(t *testing.T) {
				body, err := r.ExposeEscaped(format, escaping)
				if err != nil {
					t.Fatal(err)
				}
				var written bytes.Buffer
				if err := r.WriteTextEscaped(&written, format, escaping); err != nil || !bytes.Equal(written.Bytes(), body) {
					t.Fatalf("WriteTextEscaped differs from ExposeEscaped (%v)", err)
				}
				contentType := format.ContentTypeEscaped(escaping)
				if format != FormatProtobuf {
					if got, want := typeLines(body), expectedTypeLines(t, r, format, escaping); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("# TYPE lines\ngot  %v\nwant %v", got, want)
					}
				}
				samples, types := decoded(t, contentType, body)
				sameValues(t, "expfmt's reading of "+contentType, samples, expected(t, r, escaping))
				sameTypes(t, contentType, types, expectedTypes(t, r, escaping))

				text := string(body)
				// Legacy names are written as they are under every scheme, dots included.
				if format != FormatProtobuf && !strings.Contains(text, "\nlegacy_events_total{event_kind=\"start\"} 1\n") {
					t.Errorf("the legacy series is not as it is:\n%s", text)
				}
				switch {
				case format == FormatProtobuf:
				case escaping == NoEscaping:
					for _, line := range []string{
						`{"app.requests_total","http.method"="GET",code="200","k8s:pod"="web-1"} 42`,
						`{"1st.queue"} 3`,
						`{"http.server.duration_seconds_bucket","http.route"="/api/ü",le="0.1"} 1`,
						`legacy_events_total{event_kind="start"} 1`,
					} {
						if !strings.Contains(text, "\n"+line+"\n") {
							t.Errorf("no line %s in\n%s", line, text)
						}
					}
				default:
					if strings.Contains(text, "{\"") || strings.Contains(text, "# TYPE \"") {
						t.Errorf("a quoted name under %v:\n%s", escaping, text)
					}
				}
			})
		}
	}
}

// The default escaping of every decodable format is underscores; OpenMetrics 2.0's is
// allow-utf-8.
func TestExposeDefaultEscaping(t *testing.T) {
	r := utf8Registry(t)
	defer r.Close()
	for _, format := range append(decodableFormats, FormatOpenMetrics2) {
		want := UnderscoreEscaping
		if format == FormatOpenMetrics2 {
			want = NoEscaping
		}
		plain, err := r.Expose(format)
		if err != nil {
			t.Fatal(err)
		}
		escaped, err := r.ExposeEscaped(format, want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, escaped) {
			t.Errorf("%v: Expose is not ExposeEscaped(%v):\n%s\n---\n%s", format, want, plain, escaped)
		}
	}
	om2, err := r.ExposeEscaped(FormatOpenMetrics2, NoEscaping)
	if err != nil || !bytes.Contains(om2, []byte(`{"app.requests_total","http.method"="GET",code="200","k8s:pod"="web-1"} 42 st@`)) {
		t.Fatalf("OpenMetrics 2.0 under allow-utf-8 (%v):\n%s", err, om2)
	}
}

func TestExposeFilteredEscaped(t *testing.T) {
	r := utf8Registry(t)
	defer r.Close()
	// Families are selected by their names as made, whatever the escaping.
	for _, escaping := range allEscapings {
		body, err := r.ExposeFilteredEscaped(FormatText, escaping, []string{"app.requests", "1st.queue"})
		if err != nil {
			t.Fatal(err)
		}
		samples, _ := decoded(t, FormatText.ContentTypeEscaped(escaping), body)
		if len(samples) != 3 || !bytes.Contains(body, []byte(" 42\n")) {
			t.Fatalf("%v: the filter kept %d samples:\n%s", escaping, len(samples), body)
		}
		var written bytes.Buffer
		if err := r.WriteTextFilteredEscaped(&written, FormatText, escaping, []string{"app.requests", "1st.queue"}); err != nil || !bytes.Equal(written.Bytes(), body) {
			t.Fatalf("WriteTextFilteredEscaped differs (%v)", err)
		}
	}
	if body, err := r.ExposeFiltered(FormatText, []string{"1st.queue"}); err != nil || string(body) != "# HELP _st_queue A name that starts with a digit.\n# TYPE _st_queue gauge\n_st_queue 3\n" {
		t.Fatalf("ExposeFiltered (%v):\n%s", err, body)
	}
	for _, names := range [][]string{nil, {}} {
		if body, err := r.ExposeFilteredEscaped(FormatText, NoEscaping, names); err != nil || len(body) != 0 {
			t.Fatalf("no names select nothing: %q %v", body, err)
		}
	}
	if _, err := r.ExposeEscaped(FormatText, EscapingScheme(9)); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("unknown escaping: %v", err)
	}
	if _, err := r.ExposeFilteredEscaped(Format(42), NoEscaping, []string{"x"}); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("unknown format: %v", err)
	}
	_ = r.Close()
	if _, err := r.ExposeEscaped(FormatText, NoEscaping); err != ErrClosed {
		t.Fatalf("closed registry: %v", err)
	}
}

// The library writes what client_golang's encoder (expfmt with an escaping scheme) writes for the
// same metrics, in every format and scheme both have, read back by expfmt. Label names hold no
// ':' here, which the two escape differently on purpose (escapeLabel).
func TestEscapedExpositionMatchesClientGolang(t *testing.T) {
	ours := NewRegistry()
	defer ours.Close()
	theirs := prometheus.NewRegistry()

	requests := MustNewCounterVec(CounterOpts{Name: "app.requests_total", Help: "Requests."}, []string{"http.method", "code"})
	theirRequests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "app.requests_total", Help: "Requests."}, []string{"http.method", "code"})
	requests.WithLabelValues("GET", "200").Add(42)
	theirRequests.WithLabelValues("GET", "200").Add(42)
	temperature := MustNewGaugeVec(GaugeOpts{Name: "room temperature 🌡_celsius", Help: "Degrees."}, []string{"room \"name\""})
	theirTemperature := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "room temperature 🌡_celsius", Help: "Degrees."}, []string{"room \"name\""})
	temperature.WithLabelValues("cellar\\\n").Set(-2)
	theirTemperature.WithLabelValues("cellar\\\n").Set(-2)
	depth := MustNewGauge(GaugeOpts{Name: "1st.queue", Help: "Depth."})
	theirDepth := prometheus.NewGauge(prometheus.GaugeOpts{Name: "1st.queue", Help: "Depth."})
	depth.Set(3)
	theirDepth.Set(3)
	latency := MustNewHistogramVec(HistogramOpts{Name: "http.server.duration_seconds", Help: "Latency.", Buckets: []float64{0.1, 1}}, []string{"http.route"})
	theirLatency := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http.server.duration_seconds", Help: "Latency.", Buckets: []float64{0.1, 1}}, []string{"http.route"})
	size := MustNewSummary(SummaryOpts{Name: "U__payload.size", Help: "Sizes."})
	theirSize := prometheus.NewSummary(prometheus.SummaryOpts{Name: "U__payload.size", Help: "Sizes."})
	for _, v := range []float64{0.05, 0.5, 5} {
		latency.WithLabelValues("/api/ü").Observe(v)
		theirLatency.WithLabelValues("/api/ü").Observe(v)
		size.Observe(v)
		theirSize.Observe(v)
	}
	legacy := MustNewCounterVec(CounterOpts{Name: "legacy_events_total", Help: "Legacy."}, []string{"event_kind"})
	theirLegacy := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "legacy_events_total", Help: "Legacy."}, []string{"event_kind"})
	legacy.WithLabelValues("start").Inc()
	theirLegacy.WithLabelValues("start").Inc()
	ours.MustRegister(requests, temperature, depth, latency, size, legacy)
	theirs.MustRegister(theirRequests, theirTemperature, theirDepth, theirLatency, theirSize, theirLegacy)
	gathered, err := theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		format Format
		their  expfmt.Format
	}{
		{FormatText, expfmt.FmtText},
		{FormatOpenMetrics, expfmt.FmtOpenMetrics_1_0_0},
		{FormatProtobuf, expfmt.FmtProtoDelim},
	} {
		for _, escaping := range allEscapings {
			t.Run(fmt.Sprintf("%v/%v", c.format, escaping), func(t *testing.T) {
				theirFormat := c.their.WithEscapingScheme(model.EscapingScheme(escaping))
				var want bytes.Buffer
				encoder := expfmt.NewEncoder(&want, theirFormat)
				for _, family := range gathered {
					if err := encoder.Encode(family); err != nil {
						t.Fatal(err)
					}
				}
				if closer, ok := encoder.(expfmt.Closer); ok {
					if err := closer.Close(); err != nil {
						t.Fatal(err)
					}
				}
				body, err := ours.ExposeEscaped(c.format, escaping)
				if err != nil {
					t.Fatal(err)
				}
				gotSamples, gotTypes := decoded(t, c.format.ContentTypeEscaped(escaping), body)
				wantSamples, wantTypes := decoded(t, string(theirFormat), want.Bytes())
				sameValues(t, "ours against client_golang's\n"+string(body)+"\n---\n"+want.String(), gotSamples, wantSamples)
				sameTypes(t, "ours against client_golang's", gotTypes, wantTypes)
			})
		}
	}
}

// Prometheus 3's default Accept header gets OpenMetrics 1.0 with allow-utf-8: quoted names, and a
// Content-Type that says so; Prometheus 2's gets OpenMetrics with underscores.
func TestHandlerEscapingForPrometheus3And2(t *testing.T) {
	r := utf8Registry(t)
	defer r.Close()
	server := httptest.NewServer(Handler(r))
	defer server.Close()

	for _, c := range []struct {
		name, accept, contentType string
		format                    Format
		escaping                  EscapingScheme
		lines                     []string
	}{
		{"prometheus3", prometheus3Accept, "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
			FormatOpenMetrics, NoEscaping, []string{
				`# TYPE "app.requests" counter`,
				`{"app.requests_total","http.method"="GET",code="200","k8s:pod"="web-1"} 42`,
				`{"room temperature 🌡_celsius","room \"name\""="kitchen"} 21.5`,
				`# EOF`,
			}},
		{"prometheus2", prometheus2Accept, "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
			FormatOpenMetrics, UnderscoreEscaping, []string{
				`# TYPE app_requests counter`,
				`app_requests_total{http_method="GET",code="200",k8s_pod="web-1"} 42`,
				`room_temperature___celsius{room__name_="kitchen"} 21.5`,
				`_st_queue 3`,
			}},
		{"text1", "text/plain;version=1.0.0;escaping=allow-utf-8", "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
			FormatPrometheus1, NoEscaping, []string{`{"1st.queue"} 3`}},
		{"text0.0.4", "text/plain;version=0.0.4", ContentTypeText,
			FormatText, UnderscoreEscaping, []string{`http_server_duration_seconds_count{http_route="/api/ü"} 3`}},
		{"values", "text/plain;version=0.0.4;escaping=values", "text/plain; version=0.0.4; charset=utf-8; escaping=values",
			FormatText, ValueEncodingEscaping, []string{`U___31_st_2e_queue 3`}},
		{"protobuf", prometheus3NativeAccept, ContentTypeProtobuf + "; escaping=underscores",
			FormatProtobuf, UnderscoreEscaping, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, http.MethodGet, server.URL+"/metrics", map[string]string{"Accept": c.accept})
			contentType := resp.Header.Get("Content-Type")
			if resp.StatusCode != 200 || contentType != c.contentType {
				t.Fatalf("status %d, Content-Type %q, want %q", resp.StatusCode, contentType, c.contentType)
			}
			if c.escaping == NoEscaping && !strings.HasSuffix(contentType, "escaping=allow-utf-8") {
				t.Fatalf("Content-Type %q", contentType)
			}
			if direct, _ := r.ExposeEscaped(c.format, c.escaping); !bytes.Equal(body, direct) {
				t.Fatalf("body differs from ExposeEscaped(%v, %v):\n%s\n---\n%s", c.format, c.escaping, body, direct)
			}
			for _, line := range c.lines {
				if !strings.Contains(string(body), "\n"+line+"\n") && !strings.HasPrefix(string(body), line+"\n") {
					t.Errorf("no line %s in\n%s", line, body)
				}
			}
			if c.escaping != NoEscaping && bytes.Contains(body, []byte(`{"`)) {
				t.Errorf("quoted names under %v:\n%s", c.escaping, body)
			}
			samples, types := decoded(t, contentType, body)
			sameValues(t, "expfmt's reading of the response", samples, expected(t, r, c.escaping))
			sameTypes(t, contentType, types, expectedTypes(t, r, c.escaping))
		})
	}

	// name[] takes the names as made, escaped in the response as negotiated.
	_, body := get(t, http.MethodGet, server.URL+"/?name[]="+url.QueryEscape("app.requests"), map[string]string{"Accept": prometheus3Accept})
	if !bytes.Contains(body, []byte("\n{\"app.requests_total\",")) || bytes.Contains(body, []byte("legacy")) {
		t.Fatalf("name[]=app.requests:\n%s", body)
	}
}

// Negotiate's choices, the cases of the library's own tests (src/exposition/negotiate.rs): the
// escaping comes from the range that chose the format, and defaults to underscores (allow-utf-8
// for OpenMetrics 2.0).
func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		accept   string
		format   Format
		escaping EscapingScheme
	}{
		{prometheus3Accept, FormatOpenMetrics, NoEscaping},
		{prometheus2Accept, FormatOpenMetrics, UnderscoreEscaping},
		{prometheus3NativeAccept, FormatProtobuf, UnderscoreEscaping},
		{prometheus3OM2Accept, FormatOpenMetrics2, NoEscaping},
		{"", FormatText, UnderscoreEscaping},
		{"*/*", FormatText, UnderscoreEscaping},
		{"garbage", FormatText, UnderscoreEscaping},
		{"text/plain;version=1.0.0;escaping=allow-utf-8", FormatPrometheus1, NoEscaping},
		{"text/plain;version=1.0.0", FormatPrometheus1, UnderscoreEscaping},
		{"text/plain;version=0.0.4;escaping=values", FormatText, ValueEncodingEscaping},
		{"text/plain;version=1.0.0;escaping=dots;q=0.5,*/*;q=0.1", FormatPrometheus1, DotsEscaping},
		{"text/plain;escaping=allow-utf-8;q=0.1,application/openmetrics-text", FormatOpenMetrics, UnderscoreEscaping},
		{"application/openmetrics-text;version=1.0.0;escaping=bogus", FormatOpenMetrics, UnderscoreEscaping},
		{"application/openmetrics-text;version=2.0.0;escaping=underscores", FormatOpenMetrics2, UnderscoreEscaping},
		{"application/openmetrics-text;version=2.0.0", FormatOpenMetrics2, NoEscaping},
		{"\xff\xfe", FormatText, UnderscoreEscaping}, // not UTF-8: the fallback
	} {
		format, escaping, contentType := Negotiate(c.accept)
		if format != c.format || escaping != c.escaping {
			t.Errorf("Negotiate(%q) = %v, %v; want %v, %v", c.accept, format, escaping, c.format, c.escaping)
		}
		if want := format.ContentTypeEscaped(escaping); contentType != want {
			t.Errorf("Negotiate(%q): Content-Type %q, ContentTypeEscaped %q", c.accept, contentType, want)
		}
		if NegotiateFormat(c.accept) != format {
			t.Errorf("NegotiateFormat(%q) = %v, Negotiate %v", c.accept, NegotiateFormat(c.accept), format)
		}
	}
}

// The constants mirror prometheus/common/model's, value for value and string for string, and the
// Content-Types carry the escaping as expfmt reads it.
func TestEscapingAndValidationMirrorModel(t *testing.T) {
	for _, c := range []struct {
		ours EscapingScheme
		its  model.EscapingScheme
	}{
		{NoEscaping, model.NoEscaping}, {UnderscoreEscaping, model.UnderscoreEscaping},
		{DotsEscaping, model.DotsEscaping}, {ValueEncodingEscaping, model.ValueEncodingEscaping},
	} {
		if int(c.ours) != int(c.its) || c.ours.String() != c.its.String() {
			t.Errorf("%d %q differs from model's %d %q", c.ours, c.ours, c.its, c.its)
		}
		if parsed, err := model.ToEscapingScheme(c.ours.String()); err != nil || parsed != c.its {
			t.Errorf("model.ToEscapingScheme(%q) = %v, %v", c.ours, parsed, err)
		}
	}
	for _, c := range []struct {
		ours ValidationScheme
		its  model.ValidationScheme
	}{
		{UnsetValidation, model.UnsetValidation}, {LegacyValidation, model.LegacyValidation}, {UTF8Validation, model.UTF8Validation},
	} {
		if int(c.ours) != int(c.its) || c.ours.String() != c.its.String() {
			t.Errorf("%d %q differs from model's %d %q", c.ours, c.ours, c.its, c.its)
		}
	}
	if EscapingScheme(7).String() != "EscapingScheme(7)" || ValidationScheme(7).String() != "ValidationScheme(7)" {
		t.Error("unknown scheme strings")
	}

	for _, format := range append(decodableFormats, FormatOpenMetrics2) {
		for _, escaping := range allEscapings {
			contentType := format.ContentTypeEscaped(escaping)
			want := format.ContentType() + "; escaping=" + escaping.String()
			if format == FormatText && escaping == UnderscoreEscaping {
				want = ContentTypeText
			}
			if contentType != want {
				t.Errorf("ContentTypeEscaped(%v, %v) = %q, want %q", format, escaping, contentType, want)
			}
			if got := expfmt.Format(contentType).ToEscapingScheme(); got != model.EscapingScheme(escaping) {
				t.Errorf("expfmt reads %q as %v", contentType, got)
			}
		}
	}
	if FormatPrometheus1.String() != "prometheus1" || FormatPrometheus1.ContentType() != ContentTypePrometheus1 {
		t.Error("FormatPrometheus1")
	}
	if Format(42).ContentTypeEscaped(NoEscaping) != ContentTypeText || FormatText.ContentTypeEscaped(EscapingScheme(9)) != ContentTypeText {
		t.Error("an unknown format or scheme should give ContentTypeText")
	}
}

func TestEscapeNameMatchesModel(t *testing.T) {
	names := []string{
		"", "x", "legacy_name", "legacy:name:with:colons", "_leading_underscore", "__reserved", "_",
		"app.requests_total", "http.server.request.duration", "a..b", ".", "..", "trailing.",
		"with space", "tab\there", "new\nline", "carriage\rreturn", `quote"d`, `back\slash`, `{braces}`, "a=b,c",
		"emoji🔥", "🚀", "😀😃.x", "中文名字", "ünïcödé", "é", "temp.°C", "a-b", "a/b", "50%",
		"1leading_digit", "9", "0.5", "1st.queue", "12",
		"U__", "U__x", "U__app_2e_requests", "U__legacy", "U___31_", "u__lower", "U_single", "_dot_", "x__y",
		"\u00a0nbsp", "\u200bzero width", "\U0010ffff", "a\u0301", // combining accent
	}
	for _, name := range names {
		for _, escaping := range allEscapings {
			got, err := EscapeName(name, escaping)
			want := model.EscapeName(name, model.EscapingScheme(escaping))
			if err != nil || got != want {
				t.Errorf("EscapeName(%q, %v) = %q (%v), model.EscapeName %q", name, escaping, got, err, want)
			}
		}
	}
	// Dots rewrites legacy names too, as model.EscapeName does (the exposition does not).
	if got, _ := EscapeName("legacy_name", DotsEscaping); got != "legacy__name" {
		t.Errorf("dots on a legacy name: %q", got)
	}
	if _, err := EscapeName("a\xffb", UnderscoreEscaping); !errors.Is(err, ErrUTF8) {
		t.Errorf("not UTF-8: %v", err)
	}
	if _, err := EscapeName("a\x00b", UnderscoreEscaping); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("NUL: %v", err)
	}
	if _, err := EscapeName("a.b", EscapingScheme(9)); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("unknown scheme: %v", err)
	}
}

// withValidation sets the process-wide validation for the test and restores it after.
func withValidation(t *testing.T, scheme ValidationScheme) {
	t.Helper()
	previous := NameValidationScheme()
	if err := SetNameValidationScheme(scheme); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := SetNameValidationScheme(previous); err != nil {
			t.Error(err)
		}
	})
}

func TestLegacyValidationRefusesUTF8Names(t *testing.T) {
	if NameValidationScheme() != UTF8Validation {
		t.Fatalf("the default is %v", NameValidationScheme())
	}
	before := MustNewCounter(CounterOpts{Name: "made.before", Help: "h"})
	withValidation(t, LegacyValidation)
	if NameValidationScheme() != LegacyValidation {
		t.Fatal("not switched")
	}

	_, err := NewCounter(CounterOpts{Name: "app.requests_total", Help: "h"})
	errorIs(t, err, ErrInvalidName, `"app.requests"`, "legacy")
	_, err = NewGaugeVec(GaugeOpts{Name: "ok_name", Help: "h"}, []string{"http.method"})
	errorIs(t, err, ErrInvalidName, `"http.method"`)
	_, err = NewHistogram(HistogramOpts{Name: "http.server.duration", Help: "h"})
	errorIs(t, err, ErrInvalidName)
	_, err = NewSummaryVec(SummaryOpts{Name: "ok", Help: "h"}, []string{"k8s:pod"}) // ':' is not legacy in a label
	errorIs(t, err, ErrInvalidName)
	_, err = NewCounter(CounterOpts{Namespace: "my.app", Name: "x", Help: "h"})
	errorIs(t, err, ErrInvalidName)
	panicsWith(t, ErrInvalidName, func() { MustNewGauge(GaugeOpts{Name: "temp.°C", Help: "h"}) })

	legacy := MustNewCounterVec(CounterOpts{Name: "legacy:requests_total", Help: "h"}, []string{"method"})
	legacy.WithLabelValues("GET").Inc()
	r := NewRegistry()
	defer r.Close()
	// Following the process-wide setting, the registry refuses what was made under UTF-8;
	// set to UTF-8, it takes it, with its name.
	r.MustRegister(legacy)
	errorIs(t, r.Register(before), ErrInvalidName, `"made.before"`)
	if err := r.SetNameValidationScheme(UTF8Validation); err != nil {
		t.Fatal(err)
	}
	r.MustRegister(before)
	body, err := r.ExposeEscaped(FormatText, NoEscaping)
	if err != nil || !bytes.Contains(body, []byte(`{"made.before_total"} 0`)) || !bytes.Contains(body, []byte(`legacy:requests_total{method="GET"} 1`)) {
		t.Fatalf("(%v)\n%s", err, body)
	}

	for _, scheme := range []ValidationScheme{UnsetValidation, ValidationScheme(7), ValidationScheme(-1)} {
		errorIs(t, SetNameValidationScheme(scheme), ErrInvalidValue)
	}
	if NameValidationScheme() != LegacyValidation {
		t.Fatal("a refused scheme changed the setting")
	}
}

func TestRegistryNameValidation(t *testing.T) {
	utf8Counter := MustNewCounter(CounterOpts{Name: "app.requests_total", Help: "h"})
	utf8Label := MustNewGaugeVec(GaugeOpts{Name: "plain", Help: "h"}, []string{"http.method"})
	legacy := MustNewCounter(CounterOpts{Name: "legacy_total", Help: "h"})

	r := NewRegistry()
	defer r.Close()
	if err := r.SetNameValidationScheme(LegacyValidation); err != nil {
		t.Fatal(err)
	}
	errorIs(t, r.Register(utf8Counter), ErrInvalidName, `"app.requests"`)
	errorIs(t, r.Register(utf8Label), ErrInvalidName, `"http.method"`)
	if err := r.Register(legacy); err != nil {
		t.Fatal(err)
	}

	// UnsetValidation follows the process-wide setting: UTF-8 by default...
	if err := r.SetNameValidationScheme(UnsetValidation); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(utf8Counter); err != nil {
		t.Fatal(err)
	}
	r.Unregister(utf8Counter)
	// ...legacy when switched.
	withValidation(t, LegacyValidation)
	errorIs(t, r.Register(utf8Counter), ErrInvalidName)
	// A registry set to UTF-8 takes what was made before the switch, but cannot loosen it for
	// new metrics, which are checked when made.
	if err := r.SetNameValidationScheme(UTF8Validation); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(utf8Counter); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCounter(CounterOpts{Name: "new.one", Help: "h"}); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("made under legacy validation: %v", err)
	}

	errorIs(t, r.SetNameValidationScheme(ValidationScheme(7)), ErrInvalidValue)
	_ = r.Close()
	if err := r.SetNameValidationScheme(LegacyValidation); err != ErrClosed {
		t.Fatalf("closed registry: %v", err)
	}
}

// The library's default escaping is underscores whatever the validation, and names made under
// UTF-8 validation are escaped in the default exposition, so a registry of UTF-8 names stays
// readable by expfmt's legacy-validating text decoder.
func TestDefaultExpositionIsLegacyReadable(t *testing.T) {
	r := utf8Registry(t)
	defer r.Close()
	body, err := r.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("legacy parser: %v\n%s", err, body)
	}
	var names []string
	for name := range families {
		names = append(names, name)
	}
	sort.Strings(names)
	want := []string{"U__payload_size", "_st_queue", "app_requests_total", "http_server_duration_seconds", "legacy_events_total", "room_temperature___celsius"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("families %v, want %v", names, want)
	}
}
