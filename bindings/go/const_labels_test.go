package promemu

import (
	"bytes"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parseText parses a text 0.0.4 exposition with expfmt.
func parseText(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, body)
	}
	return families
}

// labelsOf is a dto metric's labels as name=value pairs in their order.
func labelsOf(m *dto.Metric) []string {
	pairs := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		pairs = append(pairs, l.GetName()+"="+l.GetValue())
	}
	return pairs
}

func TestConstLabels(t *testing.T) {
	r := NewRegistry()
	service := Labels{"zone": "eu", "service": "api"}
	depth := MustNewGaugeVec(GaugeOpts{Name: "queue_depth", Help: "h", ConstLabels: service}, []string{"queue"})
	depth.WithLabelValues("mail").Set(7)
	up := MustNewCounter(CounterOpts{Name: "starts_total", Help: "h", ConstLabels: Labels{"service": "api"}})
	up.Inc()
	latency := MustNewHistogramVec(HistogramOpts{Name: "latency", Help: "h", Buckets: []float64{1}, ConstLabels: service}, []string{"route"})
	latency.WithLabelValues("/").Observe(0.5)
	sizes := MustNewSummary(SummaryOpts{Name: "sizes", Help: "h", Objectives: map[float64]float64{0.5: 0.05}, ConstLabels: service})
	sizes.Observe(3)
	answer := MustNewGaugeFunc(GaugeOpts{Name: "answer", Help: "h", ConstLabels: service}, func() float64 { return 42 })
	r.MustRegister(depth, up, latency, sizes, answer)

	body, err := r.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`queue_depth{service="api",zone="eu",queue="mail"} 7`,
		`starts_total{service="api"} 1`,
		`latency_bucket{service="api",zone="eu",route="/",le="1.0"} 1`,
		`sizes{service="api",zone="eu",quantile="0.5"} 3`,
		`answer{service="api",zone="eu"} 42`,
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("no %s in\n%s", line, body)
		}
	}
	families := parseText(t, body)
	if got := labelsOf(families["queue_depth"].GetMetric()[0]); strings.Join(got, ",") != "service=api,zone=eu,queue=mail" {
		t.Errorf("expfmt reads queue_depth with %v", got)
	}
	if got := families["answer"].GetMetric()[0].GetGauge().GetValue(); got != 42 {
		t.Errorf("expfmt reads answer %v", got)
	}
	if got := value(t, r, "queue_depth", "service", "api", "zone", "eu", "queue", "mail"); got != 7 {
		t.Errorf("Gather: queue_depth %v", got)
	}

	// Info and enum metrics carry them too.
	info := MustNewInfo(InfoOpts{Name: "build", Help: "h", ConstLabels: Labels{"service": "api"}})
	if err := info.Set(Labels{"version": "1.2"}); err != nil {
		t.Fatal(err)
	}
	errorIs(t, info.Set(Labels{"service": "x"}), ErrInvalidName)
	state := MustNewEnum(EnumOpts{Name: "mode", Help: "h", States: []string{"on", "off"}, ConstLabels: Labels{"service": "api"}})
	ro := NewRegistry()
	ro.MustRegister(info, state)
	om, err := ro.Expose(FormatOpenMetrics)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`build_info{service="api",version="1.2"} 1`, `mode{service="api",mode="on"} 1`} {
		if !strings.Contains(string(om), line+"\n") {
			t.Errorf("no %s in\n%s", line, om)
		}
	}
}

func TestConstLabelsRefused(t *testing.T) {
	_, err := NewCounterVec(CounterOpts{Name: "cl_clash", ConstLabels: Labels{"k": "1"}}, []string{"k"})
	errorIs(t, err, ErrInvalidName, `"k"`)
	_, err = NewGauge(GaugeOpts{Name: "cl_reserved", ConstLabels: Labels{"__k": "1"}})
	errorIs(t, err, ErrInvalidName, "__k")
	_, err = NewGauge(GaugeOpts{Name: "cl_empty", ConstLabels: Labels{"": "1"}})
	errorIs(t, err, ErrInvalidName)
	_, err = NewHistogram(HistogramOpts{Name: "cl_le", ConstLabels: Labels{"le": "1"}})
	errorIs(t, err, ErrInvalidName, "le")
	_, err = NewSummary(SummaryOpts{Name: "cl_quantile", ConstLabels: Labels{"quantile": "1"}})
	errorIs(t, err, ErrInvalidName, "quantile")
	_, err = NewCounter(CounterOpts{Name: "cl_utf8", ConstLabels: Labels{"k": "\xff"}})
	errorIs(t, err, ErrUTF8)
	_, err = NewGaugeFunc(GaugeOpts{Name: "cl_func", ConstLabels: Labels{"__k": "1"}}, func() float64 { return 1 })
	errorIs(t, err, ErrInvalidName, "__k")
	// Legacy validation applies to them as to label names.
	withValidation(t, LegacyValidation)
	_, err = NewCounter(CounterOpts{Name: "cl_legacy", ConstLabels: Labels{"a.b": "1"}})
	errorIs(t, err, ErrInvalidName, "a.b")
}

// A callback metric's constant labels are added at each registration; unregistering finds it.
func TestConstLabelsOnFunctionMetrics(t *testing.T) {
	r := NewRegistry()
	c := MustNewCounterFunc(CounterOpts{Name: "cl_ticks_total", Help: "h", ConstLabels: Labels{"b": "2", "a": "1"}}, func() float64 { return 3 })
	r.MustRegister(c)
	r.MustRegister(c) // again: nothing
	if got := value(t, r, "cl_ticks_total", "a", "1", "b", "2"); got != 3 {
		t.Fatalf("cl_ticks_total %v", got)
	}
	if !r.Unregister(c) || r.Unregister(c) {
		t.Fatal("Unregister of a function metric with constant labels")
	}
	if _, ok := sample(t, r, "cl_ticks_total", "a", "1", "b", "2"); ok {
		t.Fatal("still exposed after Unregister")
	}
	// A wrapping view that adds one of its labels refuses it.
	view := WrapRegistererWith(Labels{"a": "x"}, r)
	errorIs(t, view.Register(c), ErrInvalidName, `"a"`)
}
