package promemu

import (
	"math"
	"testing"
	"time"
)

func TestGauge(t *testing.T) {
	r := NewRegistry()
	g := MustNewGauge(GaugeOpts{Name: "temperature", Help: "t", Unit: "celsius"})
	r.MustRegister(g)
	g.Set(20)
	g.Inc()
	g.Dec()
	g.Dec()
	g.Add(-1.5)
	g.Sub(0.5)
	if g.Get() != 17 {
		t.Fatalf("got %v", g.Get())
	}
	if got := value(t, r, "temperature_celsius"); got != 17 {
		t.Fatalf("exposed %v", got)
	}
	g.Set(math.Inf(-1))
	if !math.IsInf(g.Get(), -1) {
		t.Fatal("-Inf refused")
	}
	// NaN is a gauge value, as in client_golang.
	g.Set(math.NaN())
	if !math.IsNaN(g.Get()) {
		t.Fatalf("Set(NaN) gave %v", g.Get())
	}
	g.Set(1)
	g.Add(math.NaN())
	if !math.IsNaN(g.Get()) {
		t.Fatalf("Add(NaN) gave %v", g.Get())
	}
	g.Set(1)
	g.Sub(math.NaN())
	if !math.IsNaN(g.Get()) {
		t.Fatalf("Sub(NaN) gave %v", g.Get())
	}
	before := float64(time.Now().Unix())
	g.SetToCurrentTime()
	if now := g.Get(); now < before || now > before+60 {
		t.Fatalf("SetToCurrentTime gave %v", now)
	}
}

func TestGaugeVec(t *testing.T) {
	r := NewRegistry()
	v := MustNewGaugeVec(GaugeOpts{Name: "queue", Help: "q"}, []string{"name"})
	r.MustRegister(v)
	v.WithLabelValues("a").Set(3)
	v.With(Labels{"name": "b"}).Add(4)
	if v.Get() != 7 || value(t, r, "queue", "name", "b") != 4 {
		t.Fatal("gauge vec values")
	}
	if !v.DeleteLabelValues("a") || v.Get() != 4 {
		t.Fatal("delete")
	}
	v.Reset()
	if v.Get() != 0 {
		t.Fatal("reset")
	}
	_, err := v.GetMetricWithLabelValues("a", "b")
	errorIs(t, err, ErrLabelCount, "pe_gauge_labels")
	_ = v.Close()
}

func TestGaugeFuncAndCounterFunc(t *testing.T) {
	r := NewRegistry()
	calls := 0.0
	g := MustNewGaugeFunc(GaugeOpts{Namespace: "app", Name: "calls", Help: "Calls."}, func() float64 { calls++; return calls })
	c := MustNewCounterFunc(CounterOpts{Name: "uptime_seconds_total", Help: "Up."}, func() float64 { return 42 })
	bad := MustNewGaugeFunc(GaugeOpts{Name: "broken", Help: "Panics."}, func() float64 { panic("boom") })
	r.MustRegister(g, c, bad)
	first := value(t, r, "app_calls")
	if second := value(t, r, "app_calls"); second != first+1 {
		t.Fatalf("the function is not called once per collection: %v then %v", first, second)
	}
	if value(t, r, "uptime_seconds_total") != 42 {
		t.Fatal("counter func")
	}
	if !math.IsNaN(value(t, r, "broken")) {
		t.Fatal("a panicking function should expose NaN")
	}
	errorIs(t, r.Register(MustNewGaugeFunc(GaugeOpts{Name: "app_calls"}, func() float64 { return 0 })), ErrDuplicate)
	_, err := NewGaugeFunc(GaugeOpts{Name: "x", Unit: "seconds"}, func() float64 { return 0 })
	errorIs(t, err, ErrInvalidConfig)
	_, err = NewGaugeFunc(GaugeOpts{Name: ""}, func() float64 { return 0 })
	errorIs(t, err, ErrInvalidName, "pe_callback_gauge_new")
	_, err = NewCounterFunc(CounterOpts{Name: "x"}, nil)
	errorIs(t, err, ErrNull)

	// Closing the Go handle leaves the registry's reference: still exposed until unregistered.
	before := calls
	_ = g.Close()
	if value(t, r, "app_calls") != before+1 {
		t.Fatal("closed but registered func metric not collected")
	}
	if r.Unregister(g) {
		t.Fatal("Unregister through a closed handle should fail")
	}
	if !r.Unregister(c) || r.Unregister(c) {
		t.Fatal("Unregister")
	}
}
