package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Histogram counts observations (request durations, response sizes) in configurable buckets and
// keeps their count and sum. Scrapes see a consistent histogram: the +Inf bucket equals the count.
//
// A Histogram is either a family without labels (NewHistogram) or the child of a HistogramVec.
// Its methods are safe for concurrent use; Observe is lock-free in the library.
type Histogram struct {
	h     *C.struct_pe_histogram
	child bool
}

// NewHistogram creates a histogram, not registered anywhere. Unsorted, repeated or NaN buckets
// are ErrInvalidConfig; an "le" label name is ErrInvalidName.
func NewHistogram(opts HistogramOpts) (*Histogram, error) { return newHistogramFamily(opts, nil) }

// MustNewHistogram is NewHistogram that panics on error.
func MustNewHistogram(opts HistogramOpts) *Histogram { return must(NewHistogram(opts)) }

func newHistogramFamily(opts HistogramOpts, labelNames []string) (*Histogram, error) {
	o := newCOpts(Opts{Namespace: opts.Namespace, Subsystem: opts.Subsystem, Name: opts.Name, Help: opts.Help, Unit: opts.Unit}, labelNames)
	defer o.free()
	buckets := opts.Buckets
	if buckets == nil {
		buckets = DefBuckets
	}
	var h *C.struct_pe_histogram
	// An empty non-nil slice gives the library's defaults (the same as DefBuckets).
	if err := pe_histogram_new_opts(&o.c, (*C.double)(unsafe.SliceData(buckets)), C.size_t(len(buckets)), &h); err != nil {
		return nil, err
	}
	return wrapHistogram(h, false), nil
}

func wrapHistogram(h *C.struct_pe_histogram, child bool) *Histogram {
	x := &Histogram{h: h, child: child}
	runtime.SetFinalizer(x, (*Histogram).release)
	return x
}

func (x *Histogram) release() {
	C.pe_histogram_free(x.h)
	x.h = nil
}

// Close releases the handle of a histogram made by NewHistogram; see Counter.Close.
func (x *Histogram) Close() error {
	if x.child || x.h == nil {
		return nil
	}
	runtime.SetFinalizer(x, nil)
	x.release()
	return nil
}

// Observe records one observation (±Inf allowed). NaN panics with an *Error matching
// ErrInvalidValue, and nothing is recorded.
func (x *Histogram) Observe(v float64) {
	if err := pe_histogram_observe(x.h, C.double(v)); err != nil {
		panic(x.closedOr(err))
	}
	runtime.KeepAlive(x)
}

// ObserveWithExemplar records one observation with an exemplar on its bucket: the labels (at most
// 128 characters in all), value v, timestamped now. Invalid exemplar labels are ErrInvalidValue
// and record nothing.
func (x *Histogram) ObserveWithExemplar(v float64, exemplar Labels) error {
	names, values := sortedPairs(exemplar)
	defer names.free()
	defer values.free()
	err := pe_histogram_observe_with_exemplar(x.h, C.double(v), names.ptr(), values.ptr(), names.len(), C.double(unixSeconds(time.Now())))
	runtime.KeepAlive(x)
	return x.closedOr(err)
}

// Count returns the number of observations (for a family with labels, over all children).
func (x *Histogram) Count() uint64 {
	var n C.uint64_t
	if err := pe_histogram_count(x.h, &n); err != nil {
		panic(x.closedOr(err))
	}
	runtime.KeepAlive(x)
	return uint64(n)
}

// Sum returns the sum of observations (for a family with labels, over all children).
func (x *Histogram) Sum() float64 {
	var s C.double
	if err := pe_histogram_sum(x.h, &s); err != nil {
		panic(x.closedOr(err))
	}
	runtime.KeepAlive(x)
	return float64(s)
}

// Buckets returns the upper bounds (the last is +Inf) and the cumulative count of each, from one
// consistent snapshot (for a family with labels, summed over all children).
func (x *Histogram) Buckets() (upperBounds []float64, cumulativeCounts []uint64) {
	var n C.size_t
	if err := pe_histogram_buckets(x.h, nil, nil, 0, &n); err != nil {
		panic(x.closedOr(err))
	}
	for {
		upperBounds = make([]float64, n)
		cumulativeCounts = make([]uint64, n)
		capacity := n
		if err := pe_histogram_buckets(x.h, (*C.double)(unsafe.SliceData(upperBounds)), (*C.uint64_t)(unsafe.SliceData(cumulativeCounts)), capacity, &n); err != nil {
			panic(x.closedOr(err))
		}
		if n <= capacity {
			runtime.KeepAlive(x)
			return upperBounds[:n], cumulativeCounts[:n]
		}
	}
}

func (x *Histogram) closedOr(err error) error {
	if err != nil && x.h == nil {
		return ErrClosed
	}
	return err
}

func (x *Histogram) bind(values cStrings) (*Histogram, error) {
	var h *C.struct_pe_histogram
	err := pe_histogram_labels(x.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(x)
	if err != nil {
		return nil, x.closedOr(err)
	}
	return wrapHistogram(h, true), nil
}

func (x *Histogram) remove(values cStrings) error {
	err := pe_histogram_remove(x.h, values.ptr(), values.len())
	runtime.KeepAlive(x)
	return err
}

func (x *Histogram) clear() error {
	err := pe_histogram_clear(x.h)
	runtime.KeepAlive(x)
	return x.closedOr(err)
}

func (x *Histogram) registerIn(r *C.struct_pe_registry) error {
	return x.closedOr(pe_registry_register_histogram(r, x.h))
}

func (x *Histogram) unregisterFrom(r *C.struct_pe_registry) error {
	return x.closedOr(pe_registry_unregister_histogram(r, x.h))
}

// HistogramVec is a histogram family with label names: one child Histogram per tuple of label
// values.
type HistogramVec struct {
	*vec[*Histogram]
	family *Histogram
}

// NewHistogramVec creates a histogram family with these label names, not registered anywhere.
func NewHistogramVec(opts HistogramOpts, labelNames []string) (*HistogramVec, error) {
	f, err := newHistogramFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &HistogramVec{vec: newVec(family[*Histogram](f), labelNames), family: f}, nil
}

// MustNewHistogramVec is NewHistogramVec that panics on error.
func MustNewHistogramVec(opts HistogramOpts, labelNames []string) *HistogramVec {
	return must(NewHistogramVec(opts, labelNames))
}

// Count returns the number of observations over all children.
func (v *HistogramVec) Count() uint64 { return v.family.Count() }

// Sum returns the sum of observations over all children.
func (v *HistogramVec) Sum() float64 { return v.family.Sum() }

// Close releases the family handle; see Counter.Close.
func (v *HistogramVec) Close() error { return v.family.Close() }

func (v *HistogramVec) registerIn(r *C.struct_pe_registry) error { return v.family.registerIn(r) }
func (v *HistogramVec) unregisterFrom(r *C.struct_pe_registry) error {
	return v.family.unregisterFrom(r)
}

// LinearBuckets returns count upper bounds start, start+width, start+2*width, ... (computed by the
// library). Like client_golang it panics when count < 1 or width <= 0 (or an argument is not
// finite), with an *Error matching ErrInvalidConfig.
func LinearBuckets(start, width float64, count int) []float64 {
	buckets := make([]float64, max(count, 0))
	if err := pe_linear_buckets(C.double(start), C.double(width), C.size_t(len(buckets)), (*C.double)(unsafe.SliceData(buckets))); err != nil {
		panic(err)
	}
	return buckets
}

// ExponentialBuckets returns count upper bounds start, start*factor, start*factor^2, ...
// (computed by the library). It panics when count < 1, start <= 0 or factor <= 1, with an *Error
// matching ErrInvalidConfig.
func ExponentialBuckets(start, factor float64, count int) []float64 {
	buckets := make([]float64, max(count, 0))
	if err := pe_exponential_buckets(C.double(start), C.double(factor), C.size_t(len(buckets)), (*C.double)(unsafe.SliceData(buckets))); err != nil {
		panic(err)
	}
	return buckets
}
