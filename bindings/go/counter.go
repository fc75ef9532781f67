package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"time"
)

// Counter is a value that only goes up (and is reset by a restart): requests served, errors,
// bytes sent. It is exposed as <name>_total (and <name>_created in OpenMetrics).
//
// A Counter is either a family without labels (NewCounter) or the child of a CounterVec for one
// tuple of label values. Its methods are safe for concurrent use. Inc and Add on a counter without
// labels or a child the vec keeps are one atomic add (a compare-and-swap for fractions) on the
// library's memory, the header's cell protocol, with no cgo call; other updates are one cgo call
// into a lock-free, allocation-free path of the library.
type Counter struct {
	h *C.struct_pe_counter
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
	// cells, for a series kept for reuse (a family without labels, a vec's kept child): valid
	// increments go there without a cgo call (cells.go). None (whole nil) elsewhere.
	cells counterCells
}

// NewCounter creates a counter, not registered anywhere (see Registry.Register). Invalid names
// are ErrInvalidName, an invalid unit ErrInvalidConfig.
func NewCounter(opts CounterOpts) (*Counter, error) {
	return newCounterFamily(opts, nil)
}

// MustNewCounter is NewCounter that panics on error.
func MustNewCounter(opts CounterOpts) *Counter {
	return must(NewCounter(opts))
}

func newCounterFamily(opts CounterOpts, labelNames []string) (*Counter, error) {
	o, err := newCOpts(Opts(opts), labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.struct_pe_counter
	if err := pe_counter_new_opts(&o.c, &h); err != nil {
		return nil, err
	}
	return wrapCounter(h, false, len(labelNames) == 0), nil
}

// wrapCounter wraps a handle; withCells reads the series' cells (one more cgo call, worth it for
// a series that is updated again and again).
func wrapCounter(h *C.struct_pe_counter, keptByVec, withCells bool) *Counter {
	c := &Counter{h: h, keptByVec: keptByVec}
	if withCells {
		c.cells = counterCellsOf(h)
	}
	runtime.SetFinalizer(c, (*Counter).release)
	return c
}

func (c *Counter) release() {
	C.pe_counter_free(c.h)
	c.h = nil
}

// Close releases the handle of a counter made by NewCounter; do not use the counter afterwards
// (calls then fail with ErrClosed), and do not call Close while another goroutine may still use
// it. A registry keeps its own reference, so a registered counter stays exposed. Close on the
// child of a vec does nothing (the vec keeps it for its next lookups), except in a vec that keeps
// no children (SeriesTTL, or MaxSeries with OverflowFold): there each lookup returns a child of
// the caller's own, and Close releases it, so that an idle series nobody holds can be freed
// without waiting for the garbage collector. Without Close, a finalizer releases the handle once
// the counter is unreachable.
func (c *Counter) Close() error {
	if c.keptByVec || c.h == nil {
		return nil
	}
	runtime.SetFinalizer(c, nil)
	c.cells = counterCells{}
	c.release()
	return nil
}

// Inc adds 1.
func (c *Counter) Inc() {
	if c.cells.whole != nil {
		c.cells.add(1)
		runtime.KeepAlive(c)
		return
	}
	c.addCall(1)
}

// Add adds v, which must be >= 0 (+Inf is allowed). Like client_golang it panics on a negative
// value, and here on NaN too, with an *Error matching ErrInvalidValue; the value is unchanged.
func (c *Counter) Add(v float64) {
	if c.cells.whole != nil && v >= 0 { // NaN fails the comparison
		if whole, ok := wholeAmount(v); ok {
			c.cells.add(whole)
		} else {
			c.cells.addFraction(v)
		}
		runtime.KeepAlive(c)
		return
	}
	c.addCall(v)
}

// addCall adds v through the library: what the cells do not take, and the errors.
func (c *Counter) addCall(v float64) {
	if err := pe_counter_inc(c.h, C.double(v)); err != nil {
		panic(c.closedOr(err))
	}
	runtime.KeepAlive(c)
}

// AddWithExemplar adds v and records an exemplar for it: the labels (at most 128 characters in
// all), value v, timestamped now. Invalid exemplar labels are ErrInvalidValue and change nothing.
func (c *Counter) AddWithExemplar(v float64, exemplar Labels) error {
	names, values := sortedPairs(exemplar)
	defer names.free()
	defer values.free()
	err := pe_counter_inc_with_exemplar(c.h, C.double(v), names.ptr(), values.ptr(), names.len(), C.double(unixSeconds(time.Now())))
	runtime.KeepAlive(c)
	return c.closedOr(err)
}

// Get returns the value (for a family with labels, the sum over its children).
func (c *Counter) Get() float64 {
	var v C.double
	if err := pe_counter_get(c.h, &v); err != nil {
		panic(c.closedOr(err))
	}
	runtime.KeepAlive(c)
	return float64(v)
}

// Reset sets the counter back to 0 and restarts its _created time.
func (c *Counter) Reset() error {
	err := pe_counter_reset(c.h)
	runtime.KeepAlive(c)
	return c.closedOr(err)
}

// closedOr replaces the library's complaint about a NULL handle with ErrClosed.
func (c *Counter) closedOr(err error) error {
	if err != nil && c.h == nil {
		return ErrClosed
	}
	return err
}

func (c *Counter) bind(values cStrings, keep bool) (*Counter, error) {
	var h *C.struct_pe_counter
	err := pe_counter_labels(c.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(c)
	if err != nil {
		return nil, c.closedOr(err)
	}
	return wrapCounter(h, keep, keep), nil
}

func (c *Counter) remove(values cStrings) error {
	err := pe_counter_remove(c.h, values.ptr(), values.len())
	runtime.KeepAlive(c)
	return err
}

func (c *Counter) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_counter_remove_matching(c.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(c)
	return int(removed), err
}

func (c *Counter) clear() error {
	err := pe_counter_clear(c.h)
	runtime.KeepAlive(c)
	return c.closedOr(err)
}

func (c *Counter) registerIn(r *C.struct_pe_registry) error {
	return c.closedOr(pe_registry_register_counter(r, c.h))
}

func (c *Counter) unregisterFrom(r *C.struct_pe_registry) error {
	return c.closedOr(pe_registry_unregister_counter(r, c.h))
}

// CounterVec is a counter family with label names: one child Counter per tuple of label values.
type CounterVec struct {
	*vec[*Counter]
	family *Counter
}

// NewCounterVec creates a counter family with these label names, not registered anywhere.
func NewCounterVec(opts CounterOpts, labelNames []string) (*CounterVec, error) {
	f, err := newCounterFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &CounterVec{vec: newVec(family[*Counter](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewCounterVec is NewCounterVec that panics on error.
func MustNewCounterVec(opts CounterOpts, labelNames []string) *CounterVec {
	return must(NewCounterVec(opts, labelNames))
}

// Get returns the sum over all children (of the whole family, on a curried vec too).
func (v *CounterVec) Get() float64 { return v.family.Get() }

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *CounterVec) Close() error {
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
func (v *CounterVec) CurryWith(labels Labels) (*CounterVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &CounterVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *CounterVec) MustCurryWith(labels Labels) *CounterVec {
	return must(v.CurryWith(labels))
}

func (v *CounterVec) registerIn(r *C.struct_pe_registry) error     { return v.family.registerIn(r) }
func (v *CounterVec) unregisterFrom(r *C.struct_pe_registry) error { return v.family.unregisterFrom(r) }

func must[T any](value T, err error) T {
	if err != nil {
		panic(err)
	}
	return value
}
