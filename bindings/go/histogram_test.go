package promemu

import (
	"math"
	"slices"
	"testing"
)

func TestHistogram(t *testing.T) {
	r := NewRegistry()
	h := MustNewHistogram(HistogramOpts{Name: "latency", Help: "l", Unit: "seconds", Buckets: []float64{0.1, 1, 10}})
	r.MustRegister(h)
	for _, v := range []float64{0.05, 0.1, 0.5, 5, 50, math.Inf(1)} {
		h.Observe(v)
	}
	panicsWith(t, ErrInvalidValue, func() { h.Observe(math.NaN()) }, "pe_histogram_observe")
	if h.Count() != 6 || !math.IsInf(h.Sum(), 1) {
		t.Fatalf("count %v sum %v", h.Count(), h.Sum())
	}
	bounds, counts := h.Buckets()
	if !slices.Equal(bounds, []float64{0.1, 1, 10, math.Inf(1)}) || !slices.Equal(counts, []uint64{2, 3, 4, 6}) {
		t.Fatalf("buckets %v %v", bounds, counts)
	}
	for le, want := range map[string]float64{"0.1": 2, "1.0": 3, "10.0": 4, "+Inf": 6} {
		if got := value(t, r, "latency_seconds_bucket", "le", le); got != want {
			t.Fatalf("bucket le=%s: %v, want %v", le, got, want)
		}
	}
	if value(t, r, "latency_seconds_count") != 6 {
		t.Fatal("count sample")
	}
}

func TestHistogramDefaultBucketsAndHelpers(t *testing.T) {
	h := MustNewHistogram(HistogramOpts{Name: "d", Help: "d"})
	bounds, _ := h.Buckets()
	if !slices.Equal(bounds, append(slices.Clone(DefBuckets), math.Inf(1))) {
		t.Fatalf("default buckets %v", bounds)
	}
	if got := LinearBuckets(1, 2, 4); !slices.Equal(got, []float64{1, 3, 5, 7}) {
		t.Fatalf("linear %v", got)
	}
	if got := ExponentialBuckets(1, 10, 3); !slices.Equal(got, []float64{1, 10, 100}) {
		t.Fatalf("exponential %v", got)
	}
	panicsWith(t, ErrInvalidConfig, func() { LinearBuckets(0, 0, 3) }, "pe_linear_buckets")
	panicsWith(t, ErrInvalidConfig, func() { LinearBuckets(0, 1, 0) })
	panicsWith(t, ErrInvalidConfig, func() { ExponentialBuckets(1, 1, 3) }, "pe_exponential_buckets")
	panicsWith(t, ErrInvalidConfig, func() { ExponentialBuckets(0, 2, 3) })
	panicsWith(t, ErrInvalidConfig, func() { ExponentialBuckets(1, 2, -1) })

	_, err := NewHistogram(HistogramOpts{Name: "h", Buckets: []float64{2, 1}})
	errorIs(t, err, ErrInvalidConfig, "pe_histogram_new_opts")
	_, err = NewHistogram(HistogramOpts{Name: "h", Buckets: []float64{1, math.NaN()}})
	errorIs(t, err, ErrInvalidConfig)
	_, err = NewHistogramVec(HistogramOpts{Name: "h"}, []string{"le"})
	errorIs(t, err, ErrInvalidName, "le")
}

func TestHistogramVecAndExemplar(t *testing.T) {
	r := NewRegistry()
	v := MustNewHistogramVec(HistogramOpts{Name: "size", Help: "s", Buckets: []float64{1, 2}}, []string{"path"})
	r.MustRegister(v)
	v.WithLabelValues("/a").Observe(1)
	v.With(Labels{"path": "/b"}).Observe(3)
	if err := v.WithLabelValues("/a").ObserveWithExemplar(1.5, Labels{"trace_id": "t1"}); err != nil {
		t.Fatal(err)
	}
	if v.Count() != 3 || v.Sum() != 5.5 {
		t.Fatalf("vec count %v sum %v", v.Count(), v.Sum())
	}
	s, ok := sample(t, r, "size_bucket", "path", "/a", "le", "2.0")
	if !ok || s.Value != 2 || s.Exemplar == nil || s.Exemplar.Value != 1.5 || len(s.Exemplar.Labels) != 1 || s.Exemplar.Labels["trace_id"] != "t1" {
		t.Fatalf("bucket with exemplar %+v %+v", s, s.Exemplar)
	}
	errorIs(t, v.WithLabelValues("/a").ObserveWithExemplar(math.NaN(), nil), ErrInvalidValue)
	errorIs(t, v.WithLabelValues("/a").ObserveWithExemplar(1, Labels{"": "x"}), ErrInvalidValue)
	if v.WithLabelValues("/a").Count() != 2 {
		t.Fatal("a refused observation was recorded")
	}
	v.Reset()
	if v.Count() != 0 {
		t.Fatal("reset")
	}
	_ = v.Close()
}
