package promemu

// #include "zwrap.h"
import "C"

import "runtime"

// Info is a set of constant labels describing the target (version, build, revision), exposed as
// <name>_info with value 1.
//
// An Info is either a family without labels (NewInfo) or the child of an InfoVec.
type Info struct {
	h *C.struct_pe_info
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
}

// NewInfo creates an info metric with no info labels yet (see Set), not registered anywhere.
func NewInfo(opts InfoOpts) (*Info, error) { return newInfoFamily(opts, nil) }

// MustNewInfo is NewInfo that panics on error.
func MustNewInfo(opts InfoOpts) *Info { return must(NewInfo(opts)) }

func newInfoFamily(opts InfoOpts, labelNames []string) (*Info, error) {
	o, err := newCOpts(Opts{Namespace: opts.Namespace, Subsystem: opts.Subsystem, Name: opts.Name, Help: opts.Help, ConstLabels: opts.ConstLabels, MaxSeries: opts.MaxSeries, Overflow: opts.Overflow, SeriesTTL: opts.SeriesTTL}, labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.struct_pe_info
	if err := pe_info_new_opts(&o.c, &h); err != nil {
		return nil, err
	}
	return wrapInfo(h, false), nil
}

func wrapInfo(h *C.struct_pe_info, keptByVec bool) *Info {
	i := &Info{h: h, keptByVec: keptByVec}
	runtime.SetFinalizer(i, (*Info).release)
	return i
}

func (i *Info) release() {
	C.pe_info_free(i.h)
	i.h = nil
}

// Close releases the handle of an info made by NewInfo; see Counter.Close.
func (i *Info) Close() error {
	if i.keptByVec || i.h == nil {
		return nil
	}
	runtime.SetFinalizer(i, nil)
	i.release()
	return nil
}

// Set replaces the info labels (exposed sorted by name). A bad or reserved name, or one of the
// family's own label names, is ErrInvalidName and leaves the labels unchanged.
func (i *Info) Set(labels Labels) error {
	names, values := sortedPairs(labels)
	defer names.free()
	defer values.free()
	err := pe_info_set(i.h, names.ptr(), values.ptr(), names.len())
	runtime.KeepAlive(i)
	return i.closedOr(err)
}

func (i *Info) closedOr(err error) error {
	if err != nil && i.h == nil {
		return ErrClosed
	}
	return err
}

func (i *Info) bind(values cStrings, keep bool) (*Info, error) {
	var h *C.struct_pe_info
	err := pe_info_labels(i.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(i)
	if err != nil {
		return nil, i.closedOr(err)
	}
	return wrapInfo(h, keep), nil
}

func (i *Info) remove(values cStrings) error {
	err := pe_info_remove(i.h, values.ptr(), values.len())
	runtime.KeepAlive(i)
	return err
}

func (i *Info) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_info_remove_matching(i.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(i)
	return int(removed), err
}

func (i *Info) clear() error {
	err := pe_info_clear(i.h)
	runtime.KeepAlive(i)
	return i.closedOr(err)
}

func (i *Info) registerIn(r *C.struct_pe_registry) error {
	return i.closedOr(pe_registry_register_info(r, i.h))
}

func (i *Info) unregisterFrom(r *C.struct_pe_registry) error {
	return i.closedOr(pe_registry_unregister_info(r, i.h))
}

// InfoVec is an info family with label names: one child Info per tuple of label values.
type InfoVec struct {
	*vec[*Info]
	family *Info
}

// NewInfoVec creates an info family with these label names, not registered anywhere.
func NewInfoVec(opts InfoOpts, labelNames []string) (*InfoVec, error) {
	f, err := newInfoFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &InfoVec{vec: newVec(family[*Info](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewInfoVec is NewInfoVec that panics on error.
func MustNewInfoVec(opts InfoOpts, labelNames []string) *InfoVec {
	return must(NewInfoVec(opts, labelNames))
}

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *InfoVec) Close() error {
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
func (v *InfoVec) CurryWith(labels Labels) (*InfoVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &InfoVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *InfoVec) MustCurryWith(labels Labels) *InfoVec {
	return must(v.CurryWith(labels))
}

func (v *InfoVec) registerIn(r *C.struct_pe_registry) error     { return v.family.registerIn(r) }
func (v *InfoVec) unregisterFrom(r *C.struct_pe_registry) error { return v.family.unregisterFrom(r) }
