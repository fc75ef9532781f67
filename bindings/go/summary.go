package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"slices"
	"unsafe"
)

// Summary records observations and estimates quantiles over a sliding time window (CKMS targeted
// quantiles: for an objective q with error e the answer's rank lies within [(q-e)n, (q+e)n]), and
// keeps the count and sum of all observations.
//
// A Summary is either a family without labels (NewSummary) or the child of a SummaryVec. Its
// methods are safe for concurrent use.
type Summary struct {
	h *C.struct_pe_summary
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
}

// NewSummary creates a summary, not registered anywhere. Objectives outside [0, 1] or a negative
// MaxAge are ErrInvalidConfig; a "quantile" label name is ErrInvalidName.
func NewSummary(opts SummaryOpts) (*Summary, error) { return newSummaryFamily(opts, nil) }

// MustNewSummary is NewSummary that panics on error.
func MustNewSummary(opts SummaryOpts) *Summary { return must(NewSummary(opts)) }

func newSummaryFamily(opts SummaryOpts, labelNames []string) (*Summary, error) {
	o, err := newCOpts(Opts{Namespace: opts.Namespace, Subsystem: opts.Subsystem, Name: opts.Name, Help: opts.Help, Unit: opts.Unit, ConstLabels: opts.ConstLabels, MaxSeries: opts.MaxSeries, Overflow: opts.Overflow, SeriesTTL: opts.SeriesTTL}, labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	quantiles := make([]float64, 0, len(opts.Objectives))
	for q := range opts.Objectives {
		quantiles = append(quantiles, q)
	}
	slices.Sort(quantiles)
	rankErrors := make([]float64, len(quantiles))
	for i, q := range quantiles {
		rankErrors[i] = opts.Objectives[q]
	}
	// A non-NULL quantiles array with no objective means none (client_golang's default); the
	// library would read NULL as its default objectives.
	quantiles = append(quantiles, 0)
	var h *C.struct_pe_summary
	err = pe_summary_new_opts(&o.c,
		(*C.double)(unsafe.SliceData(quantiles)), (*C.double)(unsafe.SliceData(rankErrors)), C.size_t(len(rankErrors)),
		C.double(opts.MaxAge.Seconds()), C.uint32_t(opts.AgeBuckets), &h)
	if err != nil {
		return nil, err
	}
	return wrapSummary(h, false), nil
}

func wrapSummary(h *C.struct_pe_summary, keptByVec bool) *Summary {
	s := &Summary{h: h, keptByVec: keptByVec}
	runtime.SetFinalizer(s, (*Summary).release)
	return s
}

func (s *Summary) release() {
	C.pe_summary_free(s.h)
	s.h = nil
}

// Close releases the handle of a summary made by NewSummary; see Counter.Close.
func (s *Summary) Close() error {
	if s.keptByVec || s.h == nil {
		return nil
	}
	runtime.SetFinalizer(s, nil)
	s.release()
	return nil
}

// Observe records one observation. NaN panics with an *Error matching ErrInvalidValue, and
// nothing is recorded.
func (s *Summary) Observe(v float64) {
	if err := pe_summary_observe(s.h, C.double(v)); err != nil {
		panic(s.closedOr(err))
	}
	runtime.KeepAlive(s)
}

// Count returns the number of observations (for a family with labels, over all children).
func (s *Summary) Count() uint64 {
	var n C.uint64_t
	if err := pe_summary_count(s.h, &n); err != nil {
		panic(s.closedOr(err))
	}
	runtime.KeepAlive(s)
	return uint64(n)
}

// Sum returns the sum of observations (for a family with labels, over all children).
func (s *Summary) Sum() float64 {
	var v C.double
	if err := pe_summary_sum(s.h, &v); err != nil {
		panic(s.closedOr(err))
	}
	runtime.KeepAlive(s)
	return float64(v)
}

// Quantile estimates quantile q (in [0, 1], otherwise ErrInvalidValue) over the window; NaN when
// the window holds no observation. Any q works, not only the objectives (with a wider error bound).
func (s *Summary) Quantile(q float64) (float64, error) {
	var v C.double
	err := pe_summary_quantile(s.h, C.double(q), &v)
	runtime.KeepAlive(s)
	if err != nil {
		return 0, s.closedOr(err)
	}
	return float64(v), nil
}

func (s *Summary) closedOr(err error) error {
	if err != nil && s.h == nil {
		return ErrClosed
	}
	return err
}

func (s *Summary) bind(values cStrings, keep bool) (*Summary, error) {
	var h *C.struct_pe_summary
	err := pe_summary_labels(s.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(s)
	if err != nil {
		return nil, s.closedOr(err)
	}
	return wrapSummary(h, keep), nil
}

func (s *Summary) remove(values cStrings) error {
	err := pe_summary_remove(s.h, values.ptr(), values.len())
	runtime.KeepAlive(s)
	return err
}

func (s *Summary) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_summary_remove_matching(s.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(s)
	return int(removed), err
}

func (s *Summary) clear() error {
	err := pe_summary_clear(s.h)
	runtime.KeepAlive(s)
	return s.closedOr(err)
}

func (s *Summary) registerIn(r *C.struct_pe_registry) error {
	return s.closedOr(pe_registry_register_summary(r, s.h))
}

func (s *Summary) unregisterFrom(r *C.struct_pe_registry) error {
	return s.closedOr(pe_registry_unregister_summary(r, s.h))
}

// SummaryVec is a summary family with label names: one child Summary per tuple of label values.
type SummaryVec struct {
	*vec[*Summary]
	family *Summary
}

// NewSummaryVec creates a summary family with these label names, not registered anywhere.
func NewSummaryVec(opts SummaryOpts, labelNames []string) (*SummaryVec, error) {
	f, err := newSummaryFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &SummaryVec{vec: newVec(family[*Summary](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewSummaryVec is NewSummaryVec that panics on error.
func MustNewSummaryVec(opts SummaryOpts, labelNames []string) *SummaryVec {
	return must(NewSummaryVec(opts, labelNames))
}

// Count returns the number of observations over all children (of the whole family, on a
// curried vec too).
func (v *SummaryVec) Count() uint64 { return v.family.Count() }

// Sum returns the sum of observations over all children.
func (v *SummaryVec) Sum() float64 { return v.family.Sum() }

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *SummaryVec) Close() error {
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
func (v *SummaryVec) CurryWith(labels Labels) (*SummaryVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &SummaryVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *SummaryVec) MustCurryWith(labels Labels) *SummaryVec {
	return must(v.CurryWith(labels))
}

func (v *SummaryVec) registerIn(r *C.struct_pe_registry) error     { return v.family.registerIn(r) }
func (v *SummaryVec) unregisterFrom(r *C.struct_pe_registry) error { return v.family.unregisterFrom(r) }
