package promemu

/*
#include <stdint.h>
#include "zwrap.h"

extern double promemuValueCallback(uintptr_t);
extern void promemuFreeCallback(uintptr_t);

static double pego_value_fn(void *user_data) { return promemuValueCallback((uintptr_t)user_data); }
static void pego_free_fn(void *user_data) { promemuFreeCallback((uintptr_t)user_data); }

static pego_error *pego_callback_new(int counter, const char *name, const char *help, uintptr_t handle,
                                     pe_collector **out) {
    pe_status status = counter
        ? pe_callback_counter_new(name, help, pego_value_fn, (void *)handle, pego_free_fn, out)
        : pe_callback_gauge_new(name, help, pego_value_fn, (void *)handle, pego_free_fn, out);
    return status == PE_OK ? NULL : pego_fail(status);
}
*/
import "C"

import (
	"maps"
	"runtime"
	"runtime/cgo"
)

// GaugeFunc is a gauge without labels whose value a Go function returns at each collection.
type GaugeFunc struct{ *callbackMetric }

// CounterFunc is a counter without labels whose value a Go function returns at each collection;
// the value must never decrease.
type CounterFunc struct{ *callbackMetric }

// NewGaugeFunc creates a gauge whose value is fn() at each collection, as client_golang's
// NewGaugeFunc does. fn may be called from any goroutine or thread, concurrently: it must be safe
// for that. A panic in fn is recovered and exposed as NaN. The name is BuildFQName(Namespace,
// Subsystem, Name); a Unit is ErrInvalidConfig (callback metrics take none). ConstLabels are
// checked here and added at each registration (through a wrapping view of the registry, see
// Registry.Wrap); MaxSeries, Overflow and SeriesTTL, options of labelled families, are ignored.
func NewGaugeFunc(opts GaugeOpts, fn func() float64) (*GaugeFunc, error) {
	m, err := newCallbackMetric(false, Opts(opts), fn)
	if err != nil {
		return nil, err
	}
	return &GaugeFunc{m}, nil
}

// MustNewGaugeFunc is NewGaugeFunc that panics on error.
func MustNewGaugeFunc(opts GaugeOpts, fn func() float64) *GaugeFunc {
	return must(NewGaugeFunc(opts, fn))
}

// NewCounterFunc creates a counter whose value is fn() at each collection (exposed as
// <name>_total); see NewGaugeFunc.
func NewCounterFunc(opts CounterOpts, fn func() float64) (*CounterFunc, error) {
	m, err := newCallbackMetric(true, Opts(opts), fn)
	if err != nil {
		return nil, err
	}
	return &CounterFunc{m}, nil
}

// MustNewCounterFunc is NewCounterFunc that panics on error.
func MustNewCounterFunc(opts CounterOpts, fn func() float64) *CounterFunc {
	return must(NewCounterFunc(opts, fn))
}

// callbackMetric holds a pe_collector made by pe_callback_*_new. The library owns the cgo.Handle
// of fn from then on and deletes it (through promemuFreeCallback) when the collector is
// destroyed: after Close and after every registry holding it let it go.
type callbackMetric struct {
	h *C.struct_pe_collector
	// constLabels are added by registering through a view (the C constructors take none).
	constLabels Labels
}

func newCallbackMetric(counter bool, opts Opts, fn func() float64) (*callbackMetric, error) {
	if opts.Unit != "" {
		return nil, goError(StatusInvalidConfig, "callback metrics take no unit; put it in the name")
	}
	if fn == nil {
		return nil, goError(StatusNull, "callback metric without a function")
	}
	if len(opts.ConstLabels) > 0 {
		// A view of the default registry checks the labels, and is dropped unused.
		view, err := wrapRegistry(nil, "", opts.ConstLabels)
		if err != nil {
			return nil, err
		}
		C.pe_registry_free(view)
	}
	name := cString(BuildFQName(opts.Namespace, opts.Subsystem, opts.Name))
	defer free(name)
	help := cString(opts.Help)
	defer free(help)
	handle := cgo.NewHandle(fn)
	isCounter := C.int(0)
	if counter {
		isCounter = 1
	}
	var h *C.struct_pe_collector
	if err := errorOf(C.pego_callback_new(isCounter, name, help, C.uintptr_t(handle), &h)); err != nil {
		handle.Delete() // on error the library did not take it
		return nil, err
	}
	m := &callbackMetric{h: h, constLabels: maps.Clone(opts.ConstLabels)}
	runtime.SetFinalizer(m, (*callbackMetric).release)
	return m, nil
}

func (m *callbackMetric) release() {
	C.pe_collector_free(m.h)
	m.h = nil
}

// Close releases the handle; a registry holding the metric keeps it (and calls fn) until it is
// unregistered.
func (m *callbackMetric) Close() error {
	if m.h == nil {
		return nil
	}
	runtime.SetFinalizer(m, nil)
	m.release()
	return nil
}

func (m *callbackMetric) registerIn(r *C.struct_pe_registry) error {
	if m.h == nil {
		return ErrClosed
	}
	if len(m.constLabels) == 0 {
		return pe_registry_register_collector(r, m.h)
	}
	view, err := wrapRegistry(r, "", m.constLabels)
	if err != nil {
		return err
	}
	defer C.pe_registry_free(view)
	return pe_registry_register_collector(view, m.h)
}

// unregisterFrom needs no view: a registry finds a collector registered through one by the
// collector itself.
func (m *callbackMetric) unregisterFrom(r *C.struct_pe_registry) error {
	if m.h == nil {
		return ErrClosed
	}
	return pe_registry_unregister_collector(r, m.h)
}
