package promemu

import (
	"bytes"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

// styleRegistry registers a gauge, then a labelled counter: registration order is not name order.
func styleRegistry(t *testing.T) *Registry {
	t.Helper()
	r := NewRegistry()
	temp := MustNewGauge(GaugeOpts{Name: "zeta_temp", Help: "Temp."})
	temp.Set(123456789)
	requests := MustNewCounterVec(CounterOpts{Name: "alpha", Help: "Requests."}, []string{"m"})
	requests.WithLabelValues("GET").Inc()
	r.MustRegister(temp, requests)
	return r
}

// createdValue masks the value of _created samples, a time.
var createdValue = regexp.MustCompile(`(?m)^(\w+_created(\{[^}]*\})?) \S+$`)

func exposeMasked(t *testing.T, r *Registry, format Format) string {
	t.Helper()
	text, err := r.Expose(format)
	if err != nil {
		t.Fatal(err)
	}
	return createdValue.ReplaceAllString(string(text), "$1 <time>")
}

func TestStyleDefault(t *testing.T) {
	r := styleRegistry(t)
	style, err := r.Style()
	if err != nil {
		t.Fatal(err)
	}
	if style != (Style{}) {
		t.Fatalf("a new registry's style is %+v, want the zero Style", style)
	}
	want := `# HELP alpha_total Requests.
# TYPE alpha_total counter
alpha_total{m="GET"} 1
# HELP zeta_temp Temp.
# TYPE zeta_temp gauge
zeta_temp 123456789
`
	if got := exposeMasked(t, r, FormatText); got != want {
		t.Fatalf("default style:\n%s\nwant\n%s", got, want)
	}
}

func TestStyleClientPython(t *testing.T) {
	r := styleRegistry(t)
	if err := r.SetStyle(StyleClientPython); err != nil {
		t.Fatal(err)
	}
	style, err := r.Style()
	if err != nil {
		t.Fatal(err)
	}
	if style != StyleClientPython {
		t.Fatalf("Style() = %+v after SetStyle(StyleClientPython)", style)
	}
	// prometheus_client's bytes for the same program.
	want := `# HELP zeta_temp Temp.
# TYPE zeta_temp gauge
zeta_temp 1.23456789e+08
# HELP alpha_total Requests.
# TYPE alpha_total counter
alpha_total{m="GET"} 1.0
# HELP alpha_created Requests.
# TYPE alpha_created gauge
alpha_created{m="GET"} <time>
`
	if got := exposeMasked(t, r, FormatText); got != want {
		t.Fatalf("client_python style:\n%s\nwant\n%s", got, want)
	}
	// The handler writes the registry's style too.
	rec := httptest.NewRecorder()
	Handler(r).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if got := createdValue.ReplaceAllString(rec.Body.String(), "$1 <time>"); got != want {
		t.Fatalf("handler, client_python style:\n%s", got)
	}
	// Values read back are the same in every style.
	if got := value(t, r, "zeta_temp"); got != 123456789 {
		t.Fatalf("Gather: zeta_temp %v", got)
	}

	// Back to the default.
	if err := r.SetStyle(Style{}); err != nil {
		t.Fatal(err)
	}
	if got := exposeMasked(t, r, FormatText); !strings.HasPrefix(got, "# HELP alpha_total") || strings.Contains(got, "_created") {
		t.Fatalf("default style again:\n%s", got)
	}
}

func TestStyleCreatedNowhere(t *testing.T) {
	r := styleRegistry(t)
	if err := r.SetStyle(Style{Created: CreatedNowhere}); err != nil {
		t.Fatal(err)
	}
	if got := exposeMasked(t, r, FormatOpenMetrics); strings.Contains(got, "_created") {
		t.Fatalf("CreatedNowhere, OpenMetrics:\n%s", got)
	}
	if err := r.SetStyle(Style{}); err != nil {
		t.Fatal(err)
	}
	if got := exposeMasked(t, r, FormatOpenMetrics); !strings.Contains(got, `alpha_created{m="GET"} <time>`) {
		t.Fatalf("default style, OpenMetrics:\n%s", got)
	}
}

// StyleClientGolang writes OpenMetrics metadata in expfmt's order.
func TestStyleClientGolangMetadata(t *testing.T) {
	r := NewRegistry()
	g := MustNewGauge(GaugeOpts{Name: "room_temperature", Help: "Degrees.", Unit: "celsius"})
	g.Set(21.5)
	r.MustRegister(g)
	if err := r.SetStyle(StyleClientGolang); err != nil {
		t.Fatal(err)
	}
	ours, err := r.Expose(FormatOpenMetrics)
	if err != nil {
		t.Fatal(err)
	}
	var theirs bytes.Buffer
	family := &dto.MetricFamily{
		Name:   proto.String("room_temperature_celsius"),
		Help:   proto.String("Degrees."),
		Unit:   proto.String("celsius"),
		Type:   dto.MetricType_GAUGE.Enum(),
		Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(21.5)}}},
	}
	if _, err := expfmt.MetricFamilyToOpenMetrics(&theirs, family); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(&theirs, "# EOF\n")
	if string(ours) != theirs.String() {
		t.Fatalf("StyleClientGolang, OpenMetrics:\n%s\nexpfmt:\n%s", ours, theirs.String())
	}
	if err := r.SetStyle(Style{}); err != nil {
		t.Fatal(err)
	}
	ours, _ = r.Expose(FormatOpenMetrics)
	if !strings.HasPrefix(string(ours), "# TYPE room_temperature_celsius gauge\n# UNIT room_temperature_celsius celsius\n# HELP") {
		t.Fatalf("default style, OpenMetrics:\n%s", ours)
	}
}

func TestStyleErrors(t *testing.T) {
	r := NewRegistry()
	for _, bad := range []Style{{Numbers: 2}, {Created: 3}, {FamilyOrder: 2}, {Metadata: -1}} {
		errorIs(t, r.SetStyle(bad), ErrInvalidValue)
	}
	if style, _ := r.Style(); style != (Style{}) {
		t.Fatalf("a refused style changed the registry: %+v", style)
	}
	_ = r.Close()
	errorIs(t, r.SetStyle(StyleClientPython), ErrClosed)
	if _, err := r.Style(); err != ErrClosed {
		t.Fatalf("Style after Close: %v", err)
	}
}

// A view styles its root.
func TestStyleWrappedView(t *testing.T) {
	r := NewRegistry()
	view := WrapRegistererWithPrefix("app_", r)
	view.MustRegister(MustNewGauge(GaugeOpts{Name: "up", Help: "h"}))
	if err := view.SetStyle(StyleClientPython); err != nil {
		t.Fatal(err)
	}
	if style, _ := r.Style(); style != StyleClientPython {
		t.Fatalf("root style %+v after SetStyle on a view", style)
	}
	if got := exposeMasked(t, r, FormatText); !strings.Contains(got, "app_up 0.0\n") {
		t.Fatalf("root exposition:\n%s", got)
	}
}

func TestReadmeStyleIsTheExample(t *testing.T) { readmeHasExample(t, "ExampleRegistry_SetStyle") }
