package promemu

// #include "zwrap.h"
import "C"

import "runtime"

// Enum is a series in exactly one of a fixed set of states (or, made with EnumOpts.Flags, a set
// of independent flags), exposed as an OpenMetrics state set: one sample per state, 1 for the
// active ones. Prometheus text 0.0.4 shows it as a gauge.
//
// An Enum is either a family without labels (NewEnum) or the child of an EnumVec.
type Enum struct {
	h *C.struct_pe_enum
	// keptByVec: a child the vec keeps for its lookups; Close on it does nothing.
	keptByVec bool
}

// NewEnum creates an enum in its first state (or, with Flags, with every flag unset), not
// registered anywhere. No state, or a state twice, is ErrInvalidConfig.
func NewEnum(opts EnumOpts) (*Enum, error) { return newEnumFamily(opts, nil) }

// MustNewEnum is NewEnum that panics on error.
func MustNewEnum(opts EnumOpts) *Enum { return must(NewEnum(opts)) }

func newEnumFamily(opts EnumOpts, labelNames []string) (*Enum, error) {
	o, err := newCOpts(Opts{Namespace: opts.Namespace, Subsystem: opts.Subsystem, Name: opts.Name, Help: opts.Help, ConstLabels: opts.ConstLabels, MaxSeries: opts.MaxSeries, Overflow: opts.Overflow, SeriesTTL: opts.SeriesTTL}, labelNames)
	if err != nil {
		return nil, err
	}
	defer o.free()
	states := newCStrings(opts.States)
	defer states.free()
	var h *C.struct_pe_enum
	if err := pe_enum_new_opts(&o.c, states.ptr(), states.len(), C.bool(opts.Flags), &h); err != nil {
		return nil, err
	}
	return wrapEnum(h, false), nil
}

func wrapEnum(h *C.struct_pe_enum, keptByVec bool) *Enum {
	e := &Enum{h: h, keptByVec: keptByVec}
	runtime.SetFinalizer(e, (*Enum).release)
	return e
}

func (e *Enum) release() {
	C.pe_enum_free(e.h)
	e.h = nil
}

// Close releases the handle of an enum made by NewEnum; see Counter.Close.
func (e *Enum) Close() error {
	if e.keptByVec || e.h == nil {
		return nil
	}
	runtime.SetFinalizer(e, nil)
	e.release()
	return nil
}

// Set makes state the one active state; an unknown state is ErrInvalidValue and changes nothing.
func (e *Enum) Set(state string) error {
	s := cString(state)
	defer free(s)
	err := pe_enum_set(e.h, s)
	runtime.KeepAlive(e)
	return e.closedOr(err)
}

// SetState sets or clears one state, leaving the others as they are (for flag sets).
func (e *Enum) SetState(state string, active bool) error {
	s := cString(state)
	defer free(s)
	err := pe_enum_set_state(e.h, s, C.bool(active))
	runtime.KeepAlive(e)
	return e.closedOr(err)
}

// State returns the active state (the first one for flag sets), or "" when none is.
func (e *Enum) State() string {
	var s *C.char
	if err := pe_enum_get(e.h, &s); err != nil {
		panic(e.closedOr(err))
	}
	state := goString(s)
	runtime.KeepAlive(e)
	return state
}

// IsActive reports whether state is active; an unknown state is ErrInvalidValue.
func (e *Enum) IsActive(state string) (bool, error) {
	s := cString(state)
	defer free(s)
	var active C.bool
	err := pe_enum_is_active(e.h, s, &active)
	runtime.KeepAlive(e)
	return bool(active), e.closedOr(err)
}

func (e *Enum) closedOr(err error) error {
	if err != nil && e.h == nil {
		return ErrClosed
	}
	return err
}

func (e *Enum) bind(values cStrings, keep bool) (*Enum, error) {
	var h *C.struct_pe_enum
	err := pe_enum_labels(e.h, values.ptr(), values.len(), &h)
	runtime.KeepAlive(e)
	if err != nil {
		return nil, e.closedOr(err)
	}
	return wrapEnum(h, keep), nil
}

func (e *Enum) remove(values cStrings) error {
	err := pe_enum_remove(e.h, values.ptr(), values.len())
	runtime.KeepAlive(e)
	return err
}

func (e *Enum) removeMatching(names, values cStrings) (int, error) {
	var removed C.size_t
	err := pe_enum_remove_matching(e.h, names.ptr(), values.ptr(), names.len(), &removed)
	runtime.KeepAlive(e)
	return int(removed), err
}

func (e *Enum) clear() error {
	err := pe_enum_clear(e.h)
	runtime.KeepAlive(e)
	return e.closedOr(err)
}

func (e *Enum) registerIn(r *C.struct_pe_registry) error {
	return e.closedOr(pe_registry_register_enum(r, e.h))
}

func (e *Enum) unregisterFrom(r *C.struct_pe_registry) error {
	return e.closedOr(pe_registry_unregister_enum(r, e.h))
}

// EnumVec is an enum family with label names: one child Enum per tuple of label values.
type EnumVec struct {
	*vec[*Enum]
	family *Enum
}

// NewEnumVec creates an enum family with these label names, not registered anywhere. The
// family's own name is reserved as a label name (state sets use it for the state).
func NewEnumVec(opts EnumOpts, labelNames []string) (*EnumVec, error) {
	f, err := newEnumFamily(opts, labelNames)
	if err != nil {
		return nil, err
	}
	return &EnumVec{vec: newVec(family[*Enum](f), labelNames, keepsChildren(opts.MaxSeries, opts.Overflow, opts.SeriesTTL)), family: f}, nil
}

// MustNewEnumVec is NewEnumVec that panics on error.
func MustNewEnumVec(opts EnumOpts, labelNames []string) *EnumVec {
	return must(NewEnumVec(opts, labelNames))
}

// Close releases the family handle; see Counter.Close. Close on a curried vec does nothing: the
// family is the vec's it was curried from.
func (v *EnumVec) Close() error {
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
func (v *EnumVec) CurryWith(labels Labels) (*EnumVec, error) {
	curried, err := v.curryWith(labels)
	if err != nil {
		return nil, err
	}
	return &EnumVec{vec: curried, family: v.family}, nil
}

// MustCurryWith is CurryWith that panics on error.
func (v *EnumVec) MustCurryWith(labels Labels) *EnumVec {
	return must(v.CurryWith(labels))
}

func (v *EnumVec) registerIn(r *C.struct_pe_registry) error     { return v.family.registerIn(r) }
func (v *EnumVec) unregisterFrom(r *C.struct_pe_registry) error { return v.family.unregisterFrom(r) }
