package promemu

import (
	"testing"
	"time"
)

func TestTimer(t *testing.T) {
	h := MustNewHistogramVec(HistogramOpts{Name: "t", Help: "t"}, []string{"op"})
	timer := NewTimer(h.WithLabelValues("sleep"))
	time.Sleep(20 * time.Millisecond)
	d := timer.ObserveDuration()
	if d < 20*time.Millisecond || h.Count() != 1 || h.Sum() < 0.02 || h.Sum() != d.Seconds() {
		t.Fatalf("duration %v, count %v, sum %v", d, h.Count(), h.Sum())
	}
	var got float64
	NewTimer(ObserverFunc(func(v float64) { got = v })).ObserveDuration()
	if got <= 0 {
		t.Fatal("ObserverFunc")
	}
	if NewTimer(nil).ObserveDuration() < 0 {
		t.Fatal("nil observer")
	}
}
