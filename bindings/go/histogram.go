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
// With HistogramOpts.NativeHistogramBucketFactor above 1 it keeps native buckets (read back with
// NativeState), instead of or besides the classic ones.
//
// A Histogram is either a family without labels (NewHistogram) or the child of a HistogramVec.
// Its methods are safe for concurrent use; Observe is lock-free in the library.
type Histogram struct {
	h *C.struct_pe_histogram
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
}

// NewHistogram creates a histogram, not registered anywhere: classic buckets, native buckets
// when opts.NativeHistogramBucketFactor is above 1 (pe_histogram_new_native), or both (see
// HistogramOpts). Unsorted, repeated or NaN buckets and invalid native options are
// ErrInvalidConfig; an "le" label name is ErrInvalidName.
func NewHistogram(opts HistogramOpts) (*Histogram, error) { return newHistogramFamily(opts, nil) }

// MustNewHistogram is NewHistogram that panics on error.
func MustNewHistogram(opts HistogramOpts) *Histogram { return must(NewHistogram(opts)) }

func newHistogramFamily(opts HistogramOpts, labelNames []string) (*Histogram, error) {
	o, err := newCOpts(Opts{Namespace: opts.Namespace, Subsystem: opts.Subsystem, Name: opts.Name, Help: opts.Help, Unit: opts.Unit, ConstLabels: opts.ConstLabels, MaxSeries: opts.MaxSeries, Overflow: opts.Overflow, SeriesTTL: opts.SeriesTTL}, labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.struct_pe_histogram
	// NaN is not "at most 1": it goes to the library, which refuses it.
	if !(opts.NativeHistogramBucketFactor <= 1) {
		native := nativeOpts(opts)
		// Nil or empty buckets: native only (NULL, 0), as in client_golang.
		if err := pe_histogram_new_native(&o.c, (*C.double)(unsafe.SliceData(opts.Buckets)), C.size_t(len(opts.Buckets)), &native, &h); err != nil {
			return nil, err
		}
		return wrapHistogram(h, false), nil
	}
	buckets := opts.Buckets
	if buckets == nil {
		buckets = DefBuckets
	}
	// An empty non-nil slice gives the library's defaults (the same as DefBuckets).
	if err := pe_histogram_new_opts(&o.c, (*C.double)(unsafe.SliceData(buckets)), C.size_t(len(buckets)), &h); err != nil {
		return nil, err
	}
	return wrapHistogram(h, false), nil
}

// nativeOpts copies the native options into the C struct, unchanged: the library applies the
// defaults and checks the values.
func nativeOpts(opts HistogramOpts) C.struct_pe_native_histogram_opts {
	var native C.struct_pe_native_histogram_opts
	native.struct_size = C.size_t(unsafe.Sizeof(native))
	native.bucket_factor = C.double(opts.NativeHistogramBucketFactor)
	native.zero_threshold = C.double(opts.NativeHistogramZeroThreshold)
	native.max_bucket_number = C.uint64_t(opts.NativeHistogramMaxBucketNumber)
	native.min_reset_duration_seconds = C.double(opts.NativeHistogramMinResetDuration.Seconds())
	native.max_zero_threshold = C.double(opts.NativeHistogramMaxZeroThreshold)
	return native
}

func wrapHistogram(h *C.struct_pe_histogram, keptByVec bool) *Histogram {
	x := &Histogram{h: h, keptByVec: keptByVec}
	runtime.SetFinalizer(x, (*Histogram).release)
	return x
}

func (x *Histogram) release() {
	C.pe_histogram_free(x.h)
	x.h = nil
}

// Close releases the handle of a histogram made by NewHistogram; see Counter.Close.
func (x *Histogram) Close() error {
	if x.keptByVec || x.h == nil {
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

// NativeHistogramState is the native part of a histogram, as NativeState reads it.
type NativeHistogramState struct {
	// Schema is the resolution, -4 to 8: at schema s, bucket k holds the magnitudes in
	// (2^((k-1)·2^-s), 2^(k·2^-s)] (NativeBucketBounds computes them). It falls when the
	// bucket limit halves the resolution, and a reset restores it.
	Schema int32
	// ZeroThreshold is the width of the zero bucket: observations within ±ZeroThreshold count
	// in ZeroCount. It grows when the bucket limit widens the zero bucket.
	ZeroThreshold float64
	// ZeroCount is the number of observations in the zero bucket.
	ZeroCount uint64
	// Positive and Negative are the populated buckets of each sign (Negative for observations
	// below -ZeroThreshold, by magnitude).
	Positive, Negative NativeBuckets
}

// NativeBuckets are the populated native buckets of one sign, in increasing key order: bucket
// Keys[i] holds Counts[i] observations (not cumulative).
type NativeBuckets struct {
	Keys   []int32
	Counts []uint64
}

// NativeState reads the native buckets of a histogram made with NativeHistogramBucketFactor
// above 1 (a family without labels, or the child of a vec), through pe_histogram_native_state
// and pe_histogram_native_buckets. The keys always belong to Schema: the reads are repeated
// when the bucket limit changed the schema or the zero bucket in between. Observations made
// meanwhile by other goroutines may be in one sign's counts and not yet in another's.
//
// A histogram without native buckets is ErrInvalidConfig; a vec's family (bind a child) is
// ErrLabelCount.
func (x *Histogram) NativeState() (NativeHistogramState, error) {
	defer runtime.KeepAlive(x)
	for {
		var schema C.int32_t
		var zeroThreshold C.double
		var zeroCount C.uint64_t
		var nPositive, nNegative C.size_t
		if err := pe_histogram_native_state(x.h, &schema, &zeroThreshold, &zeroCount, &nPositive, &nNegative); err != nil {
			return NativeHistogramState{}, x.closedOr(err)
		}
		positive, err := x.nativeBuckets(0, nPositive)
		if err != nil {
			return NativeHistogramState{}, err
		}
		negative, err := x.nativeBuckets(1, nNegative)
		if err != nil {
			return NativeHistogramState{}, err
		}
		var schemaAfter C.int32_t
		var zeroThresholdAfter C.double
		if err := pe_histogram_native_state(x.h, &schemaAfter, &zeroThresholdAfter, nil, nil, nil); err != nil {
			return NativeHistogramState{}, x.closedOr(err)
		}
		if schemaAfter == schema && zeroThresholdAfter == zeroThreshold {
			return NativeHistogramState{
				Schema:        int32(schema),
				ZeroThreshold: float64(zeroThreshold),
				ZeroCount:     uint64(zeroCount),
				Positive:      positive,
				Negative:      negative,
			}, nil
		}
	}
}

// nativeBuckets reads the buckets of one sign, starting with room for n.
func (x *Histogram) nativeBuckets(negative C.int32_t, n C.size_t) (NativeBuckets, error) {
	for {
		keys := make([]int32, n)
		counts := make([]uint64, n)
		capacity := n
		if err := pe_histogram_native_buckets(x.h, negative, (*C.int32_t)(unsafe.SliceData(keys)), (*C.uint64_t)(unsafe.SliceData(counts)), capacity, &n); err != nil {
			return NativeBuckets{}, x.closedOr(err)
		}
		if n <= capacity {
			return NativeBuckets{Keys: keys[:n], Counts: counts[:n]}, nil
		}
	}
}

// NativeBucketBounds returns the bounds of native bucket key at schema (-4 to 8): it holds the
// magnitudes above lower and up to upper (the last finite bucket ends at math.MaxFloat64, the
// one above it, where ±Inf observations go, at +Inf). The library computes them; a schema out
// of range is ErrInvalidValue.
func NativeBucketBounds(key, schema int32) (lower, upper float64, err error) {
	var l, u C.double
	if err := pe_native_bucket_bounds(C.int32_t(key), C.int32_t(schema), &l, &u); err != nil {
		return 0, 0, err
	}
	return float64(l), float64(u), nil
}

func (x *Histogram) closedOr(err error) error {
	if err != nil && x.h == nil {
		return ErrClosed
	}
	return err
}

func (x *Histogram) bind(values cStrings, keep bool) (*Histogram, error) {
	var h *C.struct_pe_histogram
	err := pe_histogram_labels(x.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(x)
	if err != nil {
		return nil, x.closedOr(err)
	}
	return wrapHistogram(h, keep), nil
}

func (x *Histogram) remove(values cStrings) error {
	err := pe_histogram_remove(x.h, values.ptr(), values.len())
	runtime.KeepAlive(x)
	return err
}

func (x *Histogram) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_histogram_remove_matching(x.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(x)
	return int(removed), err
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
	return &HistogramVec{vec: newVec(family[*Histogram](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewHistogramVec is NewHistogramVec that panics on error.
func MustNewHistogramVec(opts HistogramOpts, labelNames []string) *HistogramVec {
	return must(NewHistogramVec(opts, labelNames))
}

// Count returns the number of observations over all children (of the whole family, on a
// curried vec too).
func (v *HistogramVec) Count() uint64 { return v.family.Count() }

// Sum returns the sum of observations over all children.
func (v *HistogramVec) Sum() float64 { return v.family.Sum() }

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *HistogramVec) Close() error {
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
func (v *HistogramVec) CurryWith(labels Labels) (*HistogramVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &HistogramVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *HistogramVec) MustCurryWith(labels Labels) *HistogramVec {
	return must(v.CurryWith(labels))
}

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
