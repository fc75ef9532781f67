package promemu

// #include "zwrap.h"
import "C"

import "runtime"

// Gauge is a value that goes up and down: temperatures, queue lengths, memory in use.
//
// A Gauge is either a family without labels (NewGauge) or the child of a GaugeVec. Its methods
// are safe for concurrent use. On a gauge without labels or a child the vec keeps, Set is one
// atomic store and Add a compare-and-swap on the library's memory (the header's cell protocol), with
// no cgo call.
type Gauge struct {
	h *C.struct_pe_gauge
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
	// cell, for a series kept for reuse: Set and Add go there without a cgo call (cells.go).
	cell gaugeCell
}

// NewGauge creates a gauge, not registered anywhere.
func NewGauge(opts GaugeOpts) (*Gauge, error) { return newGaugeFamily(opts, nil) }

// MustNewGauge is NewGauge that panics on error.
func MustNewGauge(opts GaugeOpts) *Gauge { return must(NewGauge(opts)) }

func newGaugeFamily(opts GaugeOpts, labelNames []string) (*Gauge, error) {
	o, err := newCOpts(Opts(opts), labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.struct_pe_gauge
	if err := pe_gauge_new_opts(&o.c, &h); err != nil {
		return nil, err
	}
	return wrapGauge(h, false, len(labelNames) == 0), nil
}

// wrapGauge wraps a handle; withCell reads the series' cell, as wrapCounter does.
func wrapGauge(h *C.struct_pe_gauge, keptByVec, withCell bool) *Gauge {
	g := &Gauge{h: h, keptByVec: keptByVec}
	if withCell {
		g.cell = gaugeCellOf(h)
	}
	runtime.SetFinalizer(g, (*Gauge).release)
	return g
}

func (g *Gauge) release() {
	C.pe_gauge_free(g.h)
	g.h = nil
}

// Close releases the handle of a gauge made by NewGauge; see Counter.Close.
func (g *Gauge) Close() error {
	if g.keptByVec || g.h == nil {
		return nil
	}
	runtime.SetFinalizer(g, nil)
	g.cell = gaugeCell{}
	g.release()
	return nil
}

// Set sets the gauge to v. Every value is valid, NaN and the infinities included, as in
// client_golang.
func (g *Gauge) Set(v float64) {
	if g.cell.bits != nil {
		g.cell.set(v)
		runtime.KeepAlive(g)
		return
	}
	if err := pe_gauge_set(g.h, C.double(v)); err != nil {
		panic(g.closedOr(err))
	}
	runtime.KeepAlive(g)
}

// Inc adds 1.
func (g *Gauge) Inc() { g.Add(1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { g.Sub(1) }

// Add adds v (which may be negative), with IEEE arithmetic: NaN makes the gauge NaN.
func (g *Gauge) Add(v float64) {
	if g.cell.bits != nil {
		g.cell.add(v)
		runtime.KeepAlive(g)
		return
	}
	g.addCall(v)
}

// addCall adds v through the library, for a gauge without a cell.
func (g *Gauge) addCall(v float64) {
	if err := pe_gauge_inc(g.h, C.double(v)); err != nil {
		panic(g.closedOr(err))
	}
	runtime.KeepAlive(g)
}

// Sub subtracts v, as Add adds it.
func (g *Gauge) Sub(v float64) {
	if g.cell.bits != nil {
		g.cell.add(-v)
		runtime.KeepAlive(g)
		return
	}
	if err := pe_gauge_dec(g.h, C.double(v)); err != nil {
		panic(g.closedOr(err))
	}
	runtime.KeepAlive(g)
}

// SetToCurrentTime sets the gauge to the current Unix time in seconds.
func (g *Gauge) SetToCurrentTime() {
	if err := pe_gauge_set_to_current_time(g.h); err != nil {
		panic(g.closedOr(err))
	}
	runtime.KeepAlive(g)
}

// Get returns the value (for a family with labels, the sum over its children).
func (g *Gauge) Get() float64 {
	var v C.double
	if err := pe_gauge_get(g.h, &v); err != nil {
		panic(g.closedOr(err))
	}
	runtime.KeepAlive(g)
	return float64(v)
}

func (g *Gauge) closedOr(err error) error {
	if err != nil && g.h == nil {
		return ErrClosed
	}
	return err
}

func (g *Gauge) bind(values cStrings, keep bool) (*Gauge, error) {
	var h *C.struct_pe_gauge
	err := pe_gauge_labels(g.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(g)
	if err != nil {
		return nil, g.closedOr(err)
	}
	return wrapGauge(h, keep, keep), nil
}

func (g *Gauge) remove(values cStrings) error {
	err := pe_gauge_remove(g.h, values.ptr(), values.len())
	runtime.KeepAlive(g)
	return err
}

func (g *Gauge) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_gauge_remove_matching(g.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(g)
	return int(removed), err
}

func (g *Gauge) clear() error {
	err := pe_gauge_clear(g.h)
	runtime.KeepAlive(g)
	return g.closedOr(err)
}

func (g *Gauge) registerIn(r *C.struct_pe_registry) error {
	return g.closedOr(pe_registry_register_gauge(r, g.h))
}

func (g *Gauge) unregisterFrom(r *C.struct_pe_registry) error {
	return g.closedOr(pe_registry_unregister_gauge(r, g.h))
}

// GaugeVec is a gauge family with label names: one child Gauge per tuple of label values.
type GaugeVec struct {
	*vec[*Gauge]
	family *Gauge
}

// NewGaugeVec creates a gauge family with these label names, not registered anywhere.
func NewGaugeVec(opts GaugeOpts, labelNames []string) (*GaugeVec, error) {
	f, err := newGaugeFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &GaugeVec{vec: newVec(family[*Gauge](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewGaugeVec is NewGaugeVec that panics on error.
func MustNewGaugeVec(opts GaugeOpts, labelNames []string) *GaugeVec {
	return must(NewGaugeVec(opts, labelNames))
}

// Get returns the sum over all children (of the whole family, on a curried vec too).
func (v *GaugeVec) Get() float64 { return v.family.Get() }

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *GaugeVec) Close() error {
	if v.curried {
		return nil
	}
	return v.family.Close()
}

// CurryWith returns the vec with the values of these labels fixed, as client_golang's: its
// WithLabelValues, With, GetMetricWith..., Delete... take the remaining labels only (in the
// order of the label names), while the family, its children and its registration are shared
// with v. A curried vec can be curried again with other labels; a label curried already, or one
// that is not a label name, is an error matching ErrLabelCount. Register one of the two (usually
// v); Reset on either removes every child.
func (v *GaugeVec) CurryWith(labels Labels) (*GaugeVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &GaugeVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *GaugeVec) MustCurryWith(labels Labels) *GaugeVec {
	return must(v.CurryWith(labels))
}

func (v *GaugeVec) registerIn(r *C.struct_pe_registry) error     { return v.family.registerIn(r) }
func (v *GaugeVec) unregisterFrom(r *C.struct_pe_registry) error { return v.family.unregisterFrom(r) }
