package promemu

import (
	"bytes"
	"math"
	"regexp"
	"testing"

	"github.com/prometheus-emulator/promemu/internal/cref"
)

// buildGo makes, through this package, the metrics internal/cref makes through the C API.
func buildGo(t *testing.T, r *Registry) {
	t.Helper()
	requests := MustNewCounterVec(CounterOpts{Name: "requests_total", Help: "Requests served."}, []string{"method", "code"})
	requests.WithLabelValues("GET", "200").Add(3)
	requests.With(Labels{"code": "500", "method": "POST"}).Add(1.5)

	plain := MustNewCounter(CounterOpts{Namespace: "app", Subsystem: "http", Name: "plain", Help: "A counter with a namespace."})
	plain.Add(7)
	big := MustNewCounter(CounterOpts{Name: "big", Help: "Large values.", Unit: "bytes"})
	big.Add(1e300)

	temperature := MustNewGauge(GaugeOpts{Name: "temperature", Help: "Degrees.", Unit: "celsius"})
	temperature.Set(-3.5)
	queue := MustNewGaugeVec(GaugeOpts{Name: "queue_length", Help: "Help with \\ backslash and\nnewline."}, []string{"queue"})
	queue.WithLabelValues("a\"b\\c\nd").Set(10)
	queue.WithLabelValues("jobs").Add(2)
	queue.WithLabelValues("jobs").Sub(0.5)
	queue.WithLabelValues("café").Set(5e-324)
	infinite := MustNewGauge(GaugeOpts{Name: "infinite"})
	infinite.Set(math.Inf(1))

	latency := MustNewHistogramVec(HistogramOpts{Name: "latency", Help: "Request latency.", Unit: "seconds", Buckets: LinearBuckets(0.1, 0.1, 3)}, []string{"path"})
	for _, v := range []float64{0.05, 0.15, 0.25, 1.0, 0.1} {
		latency.WithLabelValues("/").Observe(v)
	}
	latency.WithLabelValues("/api").Observe(math.Inf(-1))

	size := MustNewSummary(SummaryOpts{Name: "size", Help: "Sizes.", Objectives: map[float64]float64{0.9: 0.01, 0.5: 0.05}})
	for i := 1; i <= 100; i++ {
		size.Observe(float64(i))
	}

	build := MustNewInfo(InfoOpts{Name: "build", Help: "Build information."})
	if err := build.Set(Labels{"version": "1.2.3", "revision": "abc"}); err != nil {
		t.Fatal(err)
	}
	states := []string{"idle", "busy", "down"}
	mode := MustNewEnum(EnumOpts{Name: "mode", Help: "Mode.", States: states})
	if err := mode.Set("busy"); err != nil {
		t.Fatal(err)
	}
	workers := MustNewEnumVec(EnumOpts{Name: "worker_state", Help: "Per worker.", States: states}, []string{"worker"})
	if err := workers.WithLabelValues("w1").Set("down"); err != nil {
		t.Fatal(err)
	}
	features := MustNewEnum(EnumOpts{Name: "features", Help: "Flags.", States: []string{"a", "b"}, Flags: true})
	if err := features.SetState("b", true); err != nil {
		t.Fatal(err)
	}
	r.MustRegister(requests, plain, big, temperature, queue, infinite, latency, size, build, mode, workers, features)
}

// created masks the values of _created samples: the C and Go metrics are made at different times.
var created = regexp.MustCompile(`(?m)^(\w+_created(\{[^}]*\})?) \S+$`)

func TestExpositionMatchesCAPI(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	buildGo(t, r)
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		want, err := cref.Expose(int(format))
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := r.WriteText(&got, format); err != nil {
			t.Fatal(err)
		}
		wantMasked := created.ReplaceAll(want, []byte("$1 <created>"))
		gotMasked := created.ReplaceAll(got.Bytes(), []byte("$1 <created>"))
		if format == FormatText && !bytes.Equal(got.Bytes(), want) {
			t.Errorf("text 0.0.4 differs from the C API's\n--- Go\n%s\n--- C\n%s", got.Bytes(), want)
		}
		if !bytes.Equal(gotMasked, wantMasked) {
			t.Errorf("%v differs from the C API's\n--- Go\n%s\n--- C\n%s", format, gotMasked, wantMasked)
		}
		if format == FormatOpenMetrics && bytes.Count(gotMasked, []byte("<created>")) < 5 {
			t.Errorf("expected _created samples in OpenMetrics:\n%s", gotMasked)
		}
		exposed, err := r.Expose(format)
		if err != nil || !bytes.Equal(created.ReplaceAll(exposed, []byte("$1 <created>")), gotMasked) {
			t.Errorf("Expose differs from WriteText: %v", err)
		}
	}
}
