package promemu

// UntypedFunc and the exemplar interfaces, with client_golang's names.

// UntypedOpts configures NewUntypedFunc, as in client_golang.
type UntypedOpts Opts

// UntypedFunc is a metric of unknown type without labels whose value a Go function returns at
// each collection. It is a Go Collector (the library has no untyped callback metric): see
// Registry.Register.
type UntypedFunc struct {
	desc *Desc
	fn   func() float64
}

// NewUntypedFunc is client_golang's NewUntypedFunc, returning an error too (a Unit, or names
// NewDesc refuses); MaxSeries, Overflow and SeriesTTL are ignored. fn may be called from any
// goroutine, concurrently. A panic in fn leaves the metric out of that collection.
func NewUntypedFunc(opts UntypedOpts, fn func() float64) (*UntypedFunc, error) {
	if opts.Unit != "" {
		return nil, goError(StatusInvalidConfig, "function metrics take no unit; put it in the name")
	}
	if fn == nil {
		return nil, goError(StatusNull, "untyped function metric without a function")
	}
	desc := NewDesc(BuildFQName(opts.Namespace, opts.Subsystem, opts.Name), opts.Help, nil, opts.ConstLabels)
	if desc.err != nil {
		return nil, desc.err
	}
	return &UntypedFunc{desc: desc, fn: fn}, nil
}

// MustNewUntypedFunc is NewUntypedFunc that panics on error.
func MustNewUntypedFunc(opts UntypedOpts, fn func() float64) *UntypedFunc {
	return must(NewUntypedFunc(opts, fn))
}

// Describe sends the metric's descriptor (Collector).
func (u *UntypedFunc) Describe(ch chan<- *Desc) { ch <- u.desc }

// Collect sends the function's value now (Collector).
func (u *UntypedFunc) Collect(ch chan<- Metric) {
	ch <- &constMetric{desc: u.desc, point: Point{Type: TypeUnknown, Labels: u.desc.constLabels, Value: u.fn()}}
}

// ExemplarAdder is implemented by a Counter: client_golang's ExemplarAdder, whose method here
// returns the error the library gives for invalid exemplar labels.
type ExemplarAdder interface {
	AddWithExemplar(value float64, exemplar Labels) error
}

// ExemplarObserver is implemented by a Histogram: client_golang's ExemplarObserver, whose method
// here returns the error the library gives for invalid exemplar labels.
type ExemplarObserver interface {
	ObserveWithExemplar(value float64, exemplar Labels) error
}

var (
	_ ExemplarAdder    = (*Counter)(nil)
	_ ExemplarObserver = (*Histogram)(nil)
	_ Collector        = (*UntypedFunc)(nil)
)
