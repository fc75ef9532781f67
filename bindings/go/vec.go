package promemu

import (
	"fmt"
	"slices"
	"sync"
)

// family is what a vec needs from the family handle it wraps: binding, removing and clearing
// children through the C API.
type family[M any] interface {
	// bind binds the child of these values (pe_<type>_labels). keep marks it as the vec's to
	// keep (Close on it does nothing); otherwise it is the caller's, which Close releases.
	bind(values cStrings, keep bool) (M, error)
	remove(values cStrings) error
	// removeMatching removes the children whose labels include every names[i] = values[i]
	// (pe_<type>_remove_matching) and returns how many it removed.
	removeMatching(names, values cStrings) (int, error)
	clear() error
}

// vec keeps the bound children of one labelled family, keyed by a hash of their label values, so
// that a repeated lookup costs a hash and a map read in Go and no cgo call: only the update itself
// crosses into C. A child is bound (pe_<type>_labels) on its first lookup.
//
// Children are never freed by the vec: Delete and Reset only forget them, and each is released
// by its finalizer once no goroutine holds it, so a goroutine still updating a deleted child never
// touches freed memory.
//
// A vec that folds label sets beyond its MaxSeries keeps no child (see keepsChildren): each
// lookup binds through the library, which decides whether the label set gets its own child or the
// overflow child, and counts every one it folds. Nor does a vec with a SeriesTTL, so that the
// library can free the children nobody holds once they expire. Each lookup of such a vec returns
// a child of the caller's own: its Close releases it.
//
// CurryWith makes another vec over the same vecChildren with some label values fixed (curry):
// its lookups take the remaining values and inline the curried ones, so the family, its children
// and the Go map are shared, as the metricMap of client_golang's curried vecs is.
type vec[M any] struct {
	*vecChildren[M]
	// curry holds the curried label values in the order of the label names; empty for a vec
	// that was not curried (or was curried with no labels).
	curry []curriedValue
	// curried is true for a vec made by CurryWith: its Close leaves the shared family alone.
	curried bool
}

// vecChildren is what a vec shares with the vecs curried from it: the family handle, the label
// names and the bound children.
type vecChildren[M any] struct {
	family     family[M]
	labelNames []string
	// keeps is false for a vec that folds label sets beyond its MaxSeries or expires idle
	// children.
	keeps bool

	mu       sync.RWMutex
	children map[uint64][]vecChild[M]
}

// curriedValue is one curried label: its index in the label names and its value.
type curriedValue struct {
	index int
	value string
}

type vecChild[M any] struct {
	values []string
	metric M
}

func newVec[M any](f family[M], labelNames []string, keeps bool) *vec[M] {
	return &vec[M]{vecChildren: &vecChildren[M]{
		family:     f,
		labelNames: slices.Clone(labelNames),
		keeps:      keeps,
		children:   map[uint64][]vecChild[M]{},
	}}
}

// FNV-1a, over the values with a 0xff byte (which UTF-8 never contains) after each.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	h ^= 0xff
	h *= fnvPrime
	return h
}

// GetMetricWithLabelValues returns the child for these label values (in the order of the label
// names; for a curried vec, of the labels not curried), binding it on first use. A wrong number
// of values is ErrLabelCount; invalid UTF-8 is ErrUTF8. A new label set beyond MaxSeries gets the
// overflow child (OverflowFold) or an error matching ErrCardinality (OverflowRefuse).
func (v *vec[M]) GetMetricWithLabelValues(values ...string) (M, error) {
	if len(v.curry) > 0 {
		return v.getCurried(values)
	}
	return v.get(values)
}

// getCurried is GetMetricWithLabelValues on a curried vec: the full values are put together in
// a buffer on the stack, so that a lookup that finds its child allocates nothing.
func (v *vec[M]) getCurried(values []string) (M, error) {
	var buf [8]string
	full, err := v.inline(buf[:0], values)
	if err != nil {
		var zero M
		return zero, err
	}
	return v.get(full)
}

// get returns the child for the full label values, binding it on first use.
func (v *vec[M]) get(values []string) (M, error) {
	h := uint64(fnvOffset)
	for _, value := range values {
		h = hashAdd(h, value)
	}
	v.mu.RLock()
	for _, child := range v.children[h] {
		if slices.Equal(child.values, values) {
			v.mu.RUnlock()
			return child.metric, nil
		}
	}
	v.mu.RUnlock()
	return v.bind(h, slices.Clone(values))
}

// WithLabelValues is GetMetricWithLabelValues that panics on error, as in client_golang.
func (v *vec[M]) WithLabelValues(values ...string) M {
	metric, err := v.GetMetricWithLabelValues(values...)
	if err != nil {
		panic(err)
	}
	return metric
}

// GetMetricWith returns the child for these labels, which must name exactly the label names
// (for a curried vec, those not curried; otherwise ErrLabelCount), binding it on first use.
func (v *vec[M]) GetMetricWith(labels Labels) (M, error) {
	if len(v.curry) > 0 {
		values, err := v.curriedValuesOf(labels)
		if err != nil {
			var zero M
			return zero, err
		}
		return v.get(values)
	}
	h := uint64(fnvOffset)
	for _, name := range v.labelNames {
		h = hashAdd(h, labels[name])
	}
	if len(labels) == len(v.labelNames) {
		v.mu.RLock()
		for _, child := range v.children[h] {
			if v.matches(child.values, labels) {
				v.mu.RUnlock()
				return child.metric, nil
			}
		}
		v.mu.RUnlock()
	}
	values, err := v.valuesOf(labels)
	if err != nil {
		var zero M
		return zero, err
	}
	return v.bind(h, values)
}

// With is GetMetricWith that panics on error, as in client_golang.
func (v *vec[M]) With(labels Labels) M {
	metric, err := v.GetMetricWith(labels)
	if err != nil {
		panic(err)
	}
	return metric
}

// DeleteLabelValues removes the child with these label values (for a curried vec, the values of
// the labels not curried): it is no longer exposed. It reports whether there was one. Handles to
// it stay usable but update a series no longer exposed.
func (v *vec[M]) DeleteLabelValues(values ...string) bool {
	if len(v.curry) > 0 {
		var buf [8]string
		full, err := v.inline(buf[:0], values)
		if err != nil {
			return false
		}
		values = full
	}
	h := uint64(fnvOffset)
	for _, value := range values {
		h = hashAdd(h, value)
	}
	return v.delete(h, values)
}

// Delete removes the child with these labels, as DeleteLabelValues does.
func (v *vec[M]) Delete(labels Labels) bool {
	var values []string
	var err error
	if len(v.curry) > 0 {
		values, err = v.curriedValuesOf(labels)
	} else {
		values, err = v.valuesOf(labels)
	}
	if err != nil {
		return false
	}
	h := uint64(fnvOffset)
	for _, value := range values {
		h = hashAdd(h, value)
	}
	return v.delete(h, values)
}

// DeletePartialMatch removes every child whose labels include all of these name/value pairs,
// and returns how many it removed, as client_golang's DeletePartialMatch. Empty (or nil) labels
// match every child. A label name that is not one of the vec's deletes nothing and returns 0, as
// in client_golang (so do invalid UTF-8 and a closed vec). The library does the matching. Handles
// to removed children stay usable but update series no longer exposed; a new lookup makes a new
// series at 0.
//
// On a curried vec it does what client_golang's does: a curried label among labels matches
// nothing (0, whatever its value), and the curried values do not narrow the match, so the
// children of other values of the curried labels are removed too. To match on a curried label,
// call it on the vec that was curried.
func (v *vec[M]) DeletePartialMatch(labels Labels) int {
	for _, c := range v.curry {
		if _, ok := labels[v.labelNames[c.index]]; ok {
			return 0
		}
	}
	names, values := sortedPairs(labels)
	defer names.free()
	defer values.free()
	// Held across the C call so that no child is bound between the removal and forgetting the
	// removed children below.
	v.mu.Lock()
	defer v.mu.Unlock()
	removed, err := v.family.removeMatching(names, values)
	if err != nil {
		return 0
	}
	v.forgetMatching(labels)
	return removed
}

// forgetMatching drops the kept children whose values include all of labels (whose names the
// library has checked). The caller holds v.mu.
func (v *vec[M]) forgetMatching(labels Labels) {
	type want struct {
		index int
		value string
	}
	wanted := make([]want, 0, len(labels))
	for i, name := range v.labelNames {
		if value, ok := labels[name]; ok {
			wanted = append(wanted, want{i, value})
		}
	}
	for h, children := range v.children {
		children = slices.DeleteFunc(children, func(child vecChild[M]) bool {
			for _, w := range wanted {
				if child.values[w.index] != w.value {
					return false
				}
			}
			return true
		})
		if len(children) == 0 {
			delete(v.children, h)
		} else {
			v.children[h] = children
		}
	}
}

// Reset removes every child, on a curried vec too (as in client_golang): the children are the
// family's.
func (v *vec[M]) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	clear(v.children)
	if err := v.family.clear(); err != nil {
		panic(err)
	}
}

func (v *vec[M]) delete(h uint64, values []string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	children := v.children[h]
	for i, child := range children {
		if slices.Equal(child.values, values) {
			children = slices.Delete(children, i, i+1)
			if len(children) == 0 {
				delete(v.children, h)
			} else {
				v.children[h] = children
			}
			break
		}
	}
	c := newCStrings(values)
	defer c.free()
	return v.family.remove(c) == nil
}

// bind makes the child through the library (which checks the count and the strings) and keeps it
// (unless the vec keeps no children: see keepsChildren).
func (v *vec[M]) bind(h uint64, values []string) (M, error) {
	if !v.keeps {
		c := newCStrings(values)
		defer c.free()
		return v.family.bind(c, false)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, child := range v.children[h] {
		if slices.Equal(child.values, values) {
			return child.metric, nil
		}
	}
	c := newCStrings(values)
	defer c.free()
	metric, err := v.family.bind(c, true)
	if err != nil {
		return metric, err
	}
	v.children[h] = append(v.children[h], vecChild[M]{values: values, metric: metric})
	return metric, nil
}

func (v *vec[M]) matches(values []string, labels Labels) bool {
	for i, name := range v.labelNames {
		if value, ok := labels[name]; !ok || value != values[i] {
			return false
		}
	}
	return true
}

// valuesOf orders the values of labels as the label names; ErrLabelCount when the names differ.
func (v *vec[M]) valuesOf(labels Labels) ([]string, error) {
	values := make([]string, len(v.labelNames))
	for i, name := range v.labelNames {
		value, ok := labels[name]
		if !ok {
			return nil, goError(StatusLabelCount, fmt.Sprintf("label %q missing from %v (label names %q)", name, labels, v.labelNames))
		}
		values[i] = value
	}
	if len(labels) != len(v.labelNames) {
		return nil, goError(StatusLabelCount, fmt.Sprintf("labels %v do not match the label names %q", labels, v.labelNames))
	}
	return values, nil
}

// curryWith makes the vec curried with labels: sharing v's family and children, with these label
// values fixed on top of those v has fixed already. client_golang's rules and messages: a label
// curried already, or one that is not a label name of the vec, is an error (ErrLabelCount).
func (v *vec[M]) curryWith(labels Labels) (*vec[M], error) {
	var curry []curriedValue
	old := 0
	for i, name := range v.labelNames {
		value, ok := labels[name]
		if old < len(v.curry) && v.curry[old].index == i {
			if ok {
				return nil, goError(StatusLabelCount, fmt.Sprintf("label name %q is already curried", name))
			}
			curry = append(curry, v.curry[old])
			old++
		} else if ok {
			curry = append(curry, curriedValue{index: i, value: value})
		}
	}
	if unknown := len(v.curry) + len(labels) - len(curry); unknown > 0 {
		return nil, goError(StatusLabelCount, fmt.Sprintf("%d unknown label(s) found during currying", unknown))
	}
	return &vec[M]{vecChildren: v.vecChildren, curry: curry, curried: true}, nil
}

// inline puts together the full label values of a curried vec's lookup, appending to buf: the
// curried values at their places, values (those of the labels not curried, in order) elsewhere.
// A wrong number of values is ErrLabelCount, in client_golang's words.
func (v *vec[M]) inline(buf, values []string) ([]string, error) {
	if want := len(v.labelNames) - len(v.curry); len(values) != want {
		// Formatting a copy keeps values from escaping (and the callers' variadic arrays
		// from moving to the heap).
		return nil, cardinalityError(want, len(values), fmt.Sprintf("%#v", slices.Clone(values)))
	}
	full := buf
	next, c := 0, 0
	for i := range v.labelNames {
		if c < len(v.curry) && v.curry[c].index == i {
			full = append(full, v.curry[c].value)
			c++
		} else {
			full = append(full, values[next])
			next++
		}
	}
	return full, nil
}

// curriedValuesOf is valuesOf for a curried vec: labels name the labels not curried, and the
// full values come back in the order of the label names. The errors are client_golang's.
func (v *vec[M]) curriedValuesOf(labels Labels) ([]string, error) {
	if want := len(v.labelNames) - len(v.curry); len(labels) != want {
		return nil, cardinalityError(want, len(labels), fmt.Sprintf("%#v", labels))
	}
	values := make([]string, len(v.labelNames))
	c := 0
	for i, name := range v.labelNames {
		value, ok := labels[name]
		if c < len(v.curry) && v.curry[c].index == i {
			if ok {
				return nil, goError(StatusLabelCount, fmt.Sprintf("label name %q is already curried", name))
			}
			values[i] = v.curry[c].value
			c++
			continue
		}
		if !ok {
			return nil, goError(StatusLabelCount, fmt.Sprintf("label name %q missing in label map", name))
		}
		values[i] = value
	}
	return values, nil
}

func cardinalityError(want, got int, values string) error {
	return goError(StatusLabelCount, fmt.Sprintf("inconsistent label cardinality: expected %d label values but got %d in %s", want, got, values))
}
