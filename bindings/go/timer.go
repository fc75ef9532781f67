package promemu

import "time"

// Observer is what takes observations: *Histogram, *Summary, or an ObserverFunc.
type Observer interface {
	Observe(float64)
}

// ObserverFunc makes a function an Observer (to set a gauge from a Timer, say).
type ObserverFunc func(float64)

// Observe calls f(v).
func (f ObserverFunc) Observe(v float64) { f(v) }

var (
	_ Observer = (*Histogram)(nil)
	_ Observer = (*Summary)(nil)
)

// Timer measures a duration into an Observer, in seconds, as client_golang's Timer does:
//
//	timer := promemu.NewTimer(latency.WithLabelValues("GET"))
//	defer timer.ObserveDuration()
type Timer struct {
	begin    time.Time
	observer Observer
}

// NewTimer starts a timer; a nil observer is allowed (ObserveDuration then only measures).
func NewTimer(o Observer) *Timer {
	return &Timer{begin: time.Now(), observer: o}
}

// ObserveDuration records the time since NewTimer, in seconds, and returns it.
func (t *Timer) ObserveDuration() time.Duration {
	d := time.Since(t.begin)
	if t.observer != nil {
		t.observer.Observe(d.Seconds())
	}
	return d
}
