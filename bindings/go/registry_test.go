package promemu

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/prometheus-emulator/promemu/internal/genwrap"
)

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "x", Help: "x"})
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(c); err != nil {
		t.Fatal("registering the same metric again should do nothing, got", err)
	}
	// A counter x owns x, x_total and x_created.
	for _, name := range []string{"x", "x_total", "x_created"} {
		errorIs(t, r.Register(MustNewGauge(GaugeOpts{Name: name})), ErrDuplicate, "pe_registry_register_gauge")
	}
	panicsWith(t, ErrDuplicate, func() { r.MustRegister(MustNewCounter(CounterOpts{Name: "x_total"})) })

	// One metric in two registries.
	other := NewRegistry()
	other.MustRegister(c)
	c.Inc()
	if value(t, r, "x_total") != 1 || value(t, other, "x_total") != 1 {
		t.Fatal("a metric in two registries")
	}
	if !r.Unregister(c) || r.Unregister(c) {
		t.Fatal("Unregister reports whether it was registered")
	}
	if families, _ := r.Gather(); len(families) != 0 {
		t.Fatalf("after Unregister: %+v", families)
	}
	r.MustRegister(MustNewGauge(GaugeOpts{Name: "x_total"})) // the names are free again
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_ = r.Close()
	errorIs(t, r.Register(c), ErrClosed)
	if _, err := r.Gather(); err != ErrClosed {
		t.Fatal("Gather on a closed registry:", err)
	}
	errorIs(t, r.WriteText(&bytes.Buffer{}, FormatText), ErrClosed)
	if r.Unregister(c) {
		t.Fatal("Unregister on a closed registry")
	}
}

func TestDefaultRegistry(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "promemu_test_default_total", Help: "d"})
	if err := Register(c); err != nil {
		t.Fatal(err)
	}
	defer Unregister(c)
	MustRegister() // nothing
	c.Add(3)
	if value(t, DefaultRegistry, "promemu_test_default_total") != 3 {
		t.Fatal("default registry")
	}
	_ = DefaultRegistry.Close() // a no-op
	if value(t, DefaultRegistry, "promemu_test_default_total") != 3 {
		t.Fatal("Close on DefaultRegistry must do nothing")
	}
	if !Unregister(c) {
		t.Fatal("Unregister from the default registry")
	}
}

func TestWriteTextFormatsAndFilter(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(MustNewCounter(CounterOpts{Name: "a", Help: "A."}), MustNewGauge(GaugeOpts{Name: "b", Help: "B."}), MustNewGauge(GaugeOpts{Name: "c", Help: "C."}))
	var text, om bytes.Buffer
	_ = r.WriteText(&text, FormatText)
	_ = r.WriteText(&om, FormatOpenMetrics)
	if !strings.Contains(text.String(), "# TYPE a_total counter\na_total 0\n") || strings.Contains(text.String(), "# EOF") {
		t.Fatalf("text:\n%s", text.String())
	}
	if !strings.HasSuffix(om.String(), "# EOF\n") || !strings.Contains(om.String(), "a_created") {
		t.Fatalf("openmetrics:\n%s", om.String())
	}
	var filtered bytes.Buffer
	if err := r.WriteTextFiltered(&filtered, FormatText, []string{"a_total", "c"}); err != nil {
		t.Fatal(err)
	}
	if got := filtered.String(); !strings.Contains(got, "a_total 0") || strings.Contains(got, "\nb ") || !strings.Contains(got, "\nc 0") {
		t.Fatalf("filtered:\n%s", got)
	}
	filtered.Reset()
	_ = r.WriteTextFiltered(&filtered, FormatText, nil)
	if filtered.Len() != 0 {
		t.Fatalf("no names select nothing, got %q", filtered.String())
	}
	families, _ := r.GatherFiltered([]string{"b"})
	if len(families) != 1 || families[0].Name != "b" {
		t.Fatalf("GatherFiltered: %+v", families)
	}
	errorIs(t, r.WriteText(&bytes.Buffer{}, Format(7)), ErrInvalidValue, "pe_registry_expose")
	if FormatText.String() != "text" || FormatOpenMetrics.ContentType() != ContentTypeOpenMetrics || Format(7).String() != "Format(7)" {
		t.Fatal("Format strings")
	}
}

func TestGatherStructure(t *testing.T) {
	r := NewRegistry()
	buildGo(t, r)
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.Name)
	}
	want := "app_http_plain big_bytes build features infinite latency_seconds mode queue_length requests size temperature_celsius worker_state"
	if strings.Join(names, " ") != want {
		t.Fatalf("families %v", names)
	}
	byName := map[string]MetricFamily{}
	for _, f := range families {
		byName[f.Name] = f
	}
	if f := byName["latency_seconds"]; f.Type != TypeHistogram || f.Unit != "seconds" || len(f.Samples) != 14 || f.Samples[3].Label("le") != "+Inf" || f.Samples[3].Value != 5 {
		t.Fatalf("histogram family %+v", f)
	}
	if f := byName["queue_length"]; f.Help != "Help with \\ backslash and\nnewline." || f.Samples[0].Label("queue") != "a\"b\\c\nd" || f.Samples[2].Value != 5e-324 {
		t.Fatalf("gauge family %+v", f)
	}
	if f := byName["size"]; f.Type != TypeSummary || f.Samples[0].Label("quantile") != "0.5" {
		t.Fatalf("summary family %+v", f)
	}
	for _, f := range families {
		for _, s := range f.Samples {
			if !s.Timestamp.IsZero() {
				t.Fatalf("a sample with a timestamp: %+v", s)
			}
		}
	}
	if TypeStateSet.String() != "stateset" || MetricType(42).String() != "MetricType(42)" {
		t.Fatal("MetricType strings")
	}
}

func TestGeneratedWrappersFresh(t *testing.T) {
	header, err := os.ReadFile("../../include/prometheus_emulator.h")
	if err != nil {
		t.Fatal("no header at ../../include (the tests run from the repository):", err)
	}
	wrapH, wrapGo, err := genwrap.Generate(header)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"zwrap.h": wrapH, "zwrap.go": wrapGo} {
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go generate` in bindings/go", name)
		}
	}
}

func TestReadmeQuickStartIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("examples/quickstart/main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok || block != string(example) {
		t.Fatal("the README's quick start differs from examples/quickstart/main.go (which go vet compiles)")
	}
}
