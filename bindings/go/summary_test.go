package promemu

import (
	"math"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	r := NewRegistry()
	s := MustNewSummary(SummaryOpts{Name: "rpc", Help: "r", Unit: "seconds", Objectives: DefObjectives})
	r.MustRegister(s)
	if q, err := s.Quantile(0.5); err != nil || !math.IsNaN(q) {
		t.Fatalf("empty window: %v %v", q, err)
	}
	for i := 1; i <= 1000; i++ {
		s.Observe(float64(i))
	}
	panicsWith(t, ErrInvalidValue, func() { s.Observe(math.NaN()) }, "pe_summary_observe")
	if s.Count() != 1000 || s.Sum() != 500500 {
		t.Fatalf("count %v sum %v", s.Count(), s.Sum())
	}
	for q, e := range DefObjectives {
		got, err := s.Quantile(q)
		if err != nil {
			t.Fatal(err)
		}
		if got < (q-e)*1000 || got > (q+e)*1000+1 {
			t.Fatalf("quantile %v = %v, outside the error bound %v", q, got, e)
		}
		exposed := value(t, r, "rpc_seconds", "quantile", map[float64]string{0.5: "0.5", 0.9: "0.9", 0.99: "0.99"}[q])
		if exposed < (q-e)*1000 || exposed > (q+e)*1000+1 {
			t.Fatalf("exposed quantile %v = %v", q, exposed)
		}
	}
	_, err := s.Quantile(1.5)
	errorIs(t, err, ErrInvalidValue, "pe_summary_quantile")
	if value(t, r, "rpc_seconds_count") != 1000 || value(t, r, "rpc_seconds_sum") != 500500 {
		t.Fatal("count and sum samples")
	}
}

func TestSummaryObjectives(t *testing.T) {
	r := NewRegistry()
	// No objectives, as in client_golang: only _count and _sum.
	none := MustNewSummary(SummaryOpts{Name: "none", Help: "n"})
	none.Observe(1)
	r.MustRegister(none)
	families, _ := r.Gather()
	for _, s := range families[0].Samples {
		if s.Label("quantile") != "" {
			t.Fatalf("a summary without objectives exposes %+v", s)
		}
	}
	_, err := NewSummary(SummaryOpts{Name: "s", Objectives: map[float64]float64{1.5: 0.01}})
	errorIs(t, err, ErrInvalidConfig, "pe_summary_new_opts")
	_, err = NewSummary(SummaryOpts{Name: "s", MaxAge: -time.Second})
	errorIs(t, err, ErrInvalidConfig)
	_, err = NewSummaryVec(SummaryOpts{Name: "s"}, []string{"quantile"})
	errorIs(t, err, ErrInvalidName, "quantile")

	// A short window forgets old observations; count and sum cover all time.
	windowed := MustNewSummary(SummaryOpts{Name: "w", Objectives: map[float64]float64{0.5: 0.05}, MaxAge: 200 * time.Millisecond, AgeBuckets: 2})
	windowed.Observe(100)
	time.Sleep(500 * time.Millisecond)
	windowed.Observe(1)
	if q, _ := windowed.Quantile(0.5); q != 1 || windowed.Count() != 2 {
		t.Fatalf("after the window: median %v, count %v", q, windowed.Count())
	}
}

func TestSummaryVec(t *testing.T) {
	v := MustNewSummaryVec(SummaryOpts{Name: "s", Help: "s", Objectives: map[float64]float64{0.5: 0.05}}, []string{"op"})
	v.WithLabelValues("read").Observe(1)
	v.With(Labels{"op": "write"}).Observe(3)
	if v.Count() != 2 || v.Sum() != 4 {
		t.Fatal("vec sums")
	}
	if q, err := v.WithLabelValues("write").Quantile(0.5); err != nil || q != 3 {
		t.Fatalf("child quantile %v %v", q, err)
	}
	// Quantiles do not add up over children.
	_, err := v.family.Quantile(0.5)
	errorIs(t, err, ErrLabelCount)
	if !v.DeleteLabelValues("read") || v.Count() != 1 {
		t.Fatal("delete")
	}
	_ = v.Close()
}
