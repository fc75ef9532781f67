// Package promauto is client_golang's promauto for promemu: constructors that register what they
// make, in promemu.DefaultRegistry (the package-level functions) or in the registry of With. Like
// client_golang's, they panic where registration fails; so do invalid options, which promemu's
// constructors report as errors.
package promauto

import "github.com/prometheus-emulator/promemu"

// Factory makes metrics and registers them in its registry; With(nil) registers nothing, as in
// client_golang.
type Factory struct {
	r *promemu.Registry
}

// With returns a Factory registering in r (nil: nowhere).
func With(r *promemu.Registry) Factory { return Factory{r: r} }

var defaultFactory = With(promemu.DefaultRegistry)

func register[C promemu.Collector](f Factory, c C, err error) C {
	if err != nil {
		panic(err)
	}
	if f.r != nil {
		f.r.MustRegister(c)
	}
	return c
}

// NewCounter makes a counter and registers it.
func (f Factory) NewCounter(opts promemu.CounterOpts) *promemu.Counter {
	c, err := promemu.NewCounter(opts)
	return register(f, c, err)
}

// NewCounterVec makes a counter family and registers it.
func (f Factory) NewCounterVec(opts promemu.CounterOpts, labelNames []string) *promemu.CounterVec {
	c, err := promemu.NewCounterVec(opts, labelNames)
	return register(f, c, err)
}

// NewCounterFunc makes a function counter and registers it.
func (f Factory) NewCounterFunc(opts promemu.CounterOpts, fn func() float64) *promemu.CounterFunc {
	c, err := promemu.NewCounterFunc(opts, fn)
	return register(f, c, err)
}

// NewGauge makes a gauge and registers it.
func (f Factory) NewGauge(opts promemu.GaugeOpts) *promemu.Gauge {
	g, err := promemu.NewGauge(opts)
	return register(f, g, err)
}

// NewGaugeVec makes a gauge family and registers it.
func (f Factory) NewGaugeVec(opts promemu.GaugeOpts, labelNames []string) *promemu.GaugeVec {
	g, err := promemu.NewGaugeVec(opts, labelNames)
	return register(f, g, err)
}

// NewGaugeFunc makes a function gauge and registers it.
func (f Factory) NewGaugeFunc(opts promemu.GaugeOpts, fn func() float64) *promemu.GaugeFunc {
	g, err := promemu.NewGaugeFunc(opts, fn)
	return register(f, g, err)
}

// NewUntypedFunc makes a function metric of unknown type and registers it.
func (f Factory) NewUntypedFunc(opts promemu.UntypedOpts, fn func() float64) *promemu.UntypedFunc {
	u, err := promemu.NewUntypedFunc(opts, fn)
	return register(f, u, err)
}

// NewHistogram makes a histogram and registers it.
func (f Factory) NewHistogram(opts promemu.HistogramOpts) *promemu.Histogram {
	h, err := promemu.NewHistogram(opts)
	return register(f, h, err)
}

// NewHistogramVec makes a histogram family and registers it.
func (f Factory) NewHistogramVec(opts promemu.HistogramOpts, labelNames []string) *promemu.HistogramVec {
	h, err := promemu.NewHistogramVec(opts, labelNames)
	return register(f, h, err)
}

// NewSummary makes a summary and registers it.
func (f Factory) NewSummary(opts promemu.SummaryOpts) *promemu.Summary {
	s, err := promemu.NewSummary(opts)
	return register(f, s, err)
}

// NewSummaryVec makes a summary family and registers it.
func (f Factory) NewSummaryVec(opts promemu.SummaryOpts, labelNames []string) *promemu.SummaryVec {
	s, err := promemu.NewSummaryVec(opts, labelNames)
	return register(f, s, err)
}

// NewCounter makes a counter registered in promemu.DefaultRegistry.
func NewCounter(opts promemu.CounterOpts) *promemu.Counter { return defaultFactory.NewCounter(opts) }

// NewCounterVec makes a counter family registered in promemu.DefaultRegistry.
func NewCounterVec(opts promemu.CounterOpts, labelNames []string) *promemu.CounterVec {
	return defaultFactory.NewCounterVec(opts, labelNames)
}

// NewCounterFunc makes a function counter registered in promemu.DefaultRegistry.
func NewCounterFunc(opts promemu.CounterOpts, fn func() float64) *promemu.CounterFunc {
	return defaultFactory.NewCounterFunc(opts, fn)
}

// NewGauge makes a gauge registered in promemu.DefaultRegistry.
func NewGauge(opts promemu.GaugeOpts) *promemu.Gauge { return defaultFactory.NewGauge(opts) }

// NewGaugeVec makes a gauge family registered in promemu.DefaultRegistry.
func NewGaugeVec(opts promemu.GaugeOpts, labelNames []string) *promemu.GaugeVec {
	return defaultFactory.NewGaugeVec(opts, labelNames)
}

// NewGaugeFunc makes a function gauge registered in promemu.DefaultRegistry.
func NewGaugeFunc(opts promemu.GaugeOpts, fn func() float64) *promemu.GaugeFunc {
	return defaultFactory.NewGaugeFunc(opts, fn)
}

// NewUntypedFunc makes a function metric of unknown type registered in promemu.DefaultRegistry.
func NewUntypedFunc(opts promemu.UntypedOpts, fn func() float64) *promemu.UntypedFunc {
	return defaultFactory.NewUntypedFunc(opts, fn)
}

// NewHistogram makes a histogram registered in promemu.DefaultRegistry.
func NewHistogram(opts promemu.HistogramOpts) *promemu.Histogram {
	return defaultFactory.NewHistogram(opts)
}

// NewHistogramVec makes a histogram family registered in promemu.DefaultRegistry.
func NewHistogramVec(opts promemu.HistogramOpts, labelNames []string) *promemu.HistogramVec {
	return defaultFactory.NewHistogramVec(opts, labelNames)
}

// NewSummary makes a summary registered in promemu.DefaultRegistry.
func NewSummary(opts promemu.SummaryOpts) *promemu.Summary { return defaultFactory.NewSummary(opts) }

// NewSummaryVec makes a summary family registered in promemu.DefaultRegistry.
func NewSummaryVec(opts promemu.SummaryOpts, labelNames []string) *promemu.SummaryVec {
	return defaultFactory.NewSummaryVec(opts, labelNames)
}
