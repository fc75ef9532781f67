package testutil_test

import (
	"strings"
	"testing"

	"github.com/prometheus-emulator/promemu"
	"github.com/prometheus-emulator/promemu/promauto"
	"github.com/prometheus-emulator/promemu/testutil"
)

func TestHelpers(t *testing.T) {
	r := promemu.NewRegistry()
	defer r.Close()
	f := promauto.With(r)
	requests := f.NewCounterVec(promemu.CounterOpts{Name: "requests_total", Help: "Requests."}, []string{"code"})
	requests.WithLabelValues("200").Add(3)
	requests.WithLabelValues("500").Inc()
	depth := f.NewGauge(promemu.GaugeOpts{Name: "depth", Help: "Depth."})
	depth.Set(4)
	untyped := f.NewUntypedFunc(promemu.UntypedOpts{Name: "answer", Help: "Answer."}, func() float64 { return 42 })

	if v := testutil.ToFloat64(requests.WithLabelValues("200")); v != 3 {
		t.Fatalf("ToFloat64 of a child: %v", v)
	}
	if v := testutil.ToFloat64(depth); v != 4 {
		t.Fatalf("ToFloat64 of a gauge: %v", v)
	}
	if v := testutil.ToFloat64(untyped); v != 42 {
		t.Fatalf("ToFloat64 of an untyped func: %v", v)
	}
	if n := testutil.CollectAndCount(requests); n != 2 {
		t.Fatalf("CollectAndCount: %d", n)
	}
	if n := testutil.CollectAndCount(requests, "other_total"); n != 0 {
		t.Fatalf("CollectAndCount by name: %d", n)
	}
	expected := `
# HELP requests_total Requests.
# TYPE requests_total counter
requests_total{code="200"} 3
requests_total{code="500"} 1
`
	if err := testutil.CollectAndCompare(requests, strings.NewReader(expected)); err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(requests, strings.NewReader(strings.Replace(expected, "} 3", "} 4", 1))); err == nil {
		t.Fatal("CollectAndCompare found no difference")
	}
	if err := testutil.GatherAndCompare(r, strings.NewReader(expected+`
# HELP answer Answer.
# TYPE answer untyped
answer 42
`), "requests_total", "answer"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(requests)
	if err != nil || len(problems) != 0 {
		t.Fatalf("lint: %v %v", problems, err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("ToFloat64 of a vec with two children did not panic")
			}
		}()
		testutil.ToFloat64(requests)
	}()
}

func TestPromautoPanicsOnDuplicates(t *testing.T) {
	r := promemu.NewRegistry()
	defer r.Close()
	promauto.With(r).NewCounter(promemu.CounterOpts{Name: "dup_total", Help: "h"})
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on a duplicate registration")
		}
	}()
	promauto.With(r).NewGauge(promemu.GaugeOpts{Name: "dup_total", Help: "h"})
}

func TestPromautoDefaultRegistry(t *testing.T) {
	c := promauto.NewCounter(promemu.CounterOpts{Name: "promauto_default_total", Help: "h"})
	defer promemu.Unregister(c)
	c.Inc()
	families, err := promemu.DefaultRegistry.GatherFiltered([]string{"promauto_default_total"})
	if err != nil || len(families) != 1 {
		t.Fatalf("%v %v", families, err)
	}
	// With(nil) registers nowhere.
	promauto.With(nil).NewCounter(promemu.CounterOpts{Name: "promauto_default_total", Help: "h"})
}
