package promemu

// Go collectors: a Collector written in Go (Describe and Collect, as in client_golang) becomes a
// custom collector of the library (pe_collector_new). At every collection the library calls
// promemuCollectCallback, which runs Collect and hands the points to the library's builder
// (pe_collect_family, pe_collect_sample, ...); the library validates, orders and renders them
// like its own families. No Go pointer is kept on the C side: user_data is a runtime/cgo.Handle.

/*
#include <stdint.h>
#include "zwrap.h"

extern void promemuCollectCallback(pe_collect_builder *, uintptr_t);
extern void promemuFreeCallback(uintptr_t);

static void pego_collect_fn(pe_collect_builder *builder, void *user_data) {
    promemuCollectCallback(builder, (uintptr_t)user_data);
}
static void pego_free_collector_fn(void *user_data) { promemuFreeCallback((uintptr_t)user_data); }

static pego_error *pego_go_collector_new(const char *name, uintptr_t handle, pe_collector **out) {
    pe_status status = pe_collector_new_v2(name, pego_collect_fn, (void *)handle, pego_free_collector_fn, out);
    return status == PE_OK ? NULL : pego_fail(status);
}
*/
import "C"

import (
	"fmt"
	"math"
	"reflect"
	"runtime/cgo"
)

// Collector is client_golang's Collector: anything a Registry can hold. The metrics of this
// package (Counter, CounterVec, Gauge, ..., GaugeFunc, CounterFunc) implement it and register as
// the library's own families; Go code may implement it too, sending NewDesc descriptors from
// Describe and const metrics (NewConstMetric, NewConstHistogram, NewConstSummary,
// NewConstNativeHistogram, NewMetricWithTimestamp) or this package's metrics from Collect, which
// the library calls at every collection, from any goroutine, possibly concurrently.
type Collector interface {
	Describe(chan<- *Desc)
	Collect(chan<- Metric)
}

// registrable is implemented by the metrics of this package: they register as the library's
// own families rather than as Go collectors.
type registrable interface {
	registerIn(r *C.struct_pe_registry) error
	unregisterFrom(r *C.struct_pe_registry) error
}

// registerGo registers a Go collector: its descriptors are checked (NewDesc's errors, and names
// that the registry already exposes, with client_golang's messages), then a pe_collector calling
// its Collect is registered. Registering the same collector again does nothing, as for the
// library's own metrics.
func (r *Registry) registerGo(c Collector) error {
	key, comparable := collectorKey(c)
	r.mu.Lock()
	defer r.mu.Unlock()
	if comparable {
		if _, ok := r.goCollectors[key]; ok {
			return nil
		}
	}
	descs := describe(c)
	if err := r.checkDescs(descs); err != nil {
		return err
	}
	// Named after its Go type in prometheus_emulator_collector_timeout_total.
	name := cString(fmt.Sprintf("%T", c))
	defer free(name)
	handle := cgo.NewHandle(c)
	var h *C.struct_pe_collector
	if err := errorOf(C.pego_go_collector_new(name, C.uintptr_t(handle), &h)); err != nil {
		handle.Delete()
		return err
	}
	if err := pe_registry_register_collector(r.h, h); err != nil {
		C.pe_collector_free(h)
		return err
	}
	if !comparable {
		// Not a map key: registered for good (client_golang too needs a collector's identity to
		// unregister it). The registry keeps its own reference.
		C.pe_collector_free(h)
		return nil
	}
	if r.goCollectors == nil {
		r.goCollectors = map[any]*C.struct_pe_collector{}
	}
	r.goCollectors[key] = h
	return nil
}

func (r *Registry) unregisterGo(c Collector) bool {
	key, comparable := collectorKey(c)
	if !comparable {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.goCollectors[key]
	if !ok {
		return false
	}
	delete(r.goCollectors, key)
	err := pe_registry_unregister_collector(r.h, h)
	C.pe_collector_free(h)
	return err == nil
}

// releaseGoCollectors drops the handles the registry keeps for unregistering.
func (r *Registry) releaseGoCollectors() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, h := range r.goCollectors {
		C.pe_collector_free(h)
		delete(r.goCollectors, key)
	}
}

func collectorKey(c Collector) (any, bool) {
	return c, reflect.TypeOf(c).Comparable()
}

func describe(c Collector) []*Desc {
	ch := make(chan *Desc, 16)
	go func() {
		defer close(ch)
		c.Describe(ch)
	}()
	var descs []*Desc
	for d := range ch {
		descs = append(descs, d)
	}
	return descs
}

// checkDescs refuses descriptors with an error, and names the registry already exposes (a family
// name or a sample name: counter x owns x, x_total and x_created), with client_golang's words.
// The caller holds r.mu.
func (r *Registry) checkDescs(descs []*Desc) error {
	if len(descs) == 0 {
		return nil // an unchecked collector, as in client_golang
	}
	for _, d := range descs {
		if d == nil {
			return goError(StatusNull, "collector described a nil descriptor")
		}
		if d.err != nil {
			return d.err
		}
	}
	families, err := r.gather(nil)
	if err != nil {
		return err
	}
	help := map[string]string{}
	for _, f := range families {
		help[f.Name] = f.Help
		for _, s := range f.Samples {
			help[s.Name] = f.Help
		}
	}
	for _, d := range descs {
		existing, ok := help[d.fqName]
		if !ok {
			continue
		}
		if existing == d.help {
			return goError(StatusDuplicate, fmt.Sprintf("descriptor %s already exists with the same fully-qualified name and const label values", d))
		}
		return goError(StatusDuplicate, fmt.Sprintf("a previously registered descriptor with the same fully-qualified name as %s has different label names or a different help string", d))
	}
	return nil
}

// collectGo runs a Go collector's Collect and hands its points to the builder, family by family
// (metrics grouped by descriptor name, in the order of their first metric). A metric whose Write
// fails, or of another type than its family's first, is left out (and so are a creation time
// or an exemplar the library refuses): the library's collector contract has no way to report it.
func collectGo(builder *C.struct_pe_collect_builder, c Collector) {
	ch := make(chan Metric, 64)
	go func() {
		defer close(ch)
		defer func() { _ = recover() }() // a panicking Collect loses what it did not send
		c.Collect(ch)
	}()
	var order []string
	groups := map[string][]Metric{}
	for m := range ch {
		if m == nil || m.Desc() == nil {
			continue
		}
		name := m.Desc().fqName
		if _, ok := groups[name]; !ok {
			order = append(order, name)
		}
		groups[name] = append(groups[name], m)
	}
	for _, name := range order {
		writeFamily(builder, groups[name])
	}
}

func writeFamily(builder *C.struct_pe_collect_builder, metrics []Metric) {
	points := make([]Point, 0, len(metrics))
	for _, m := range metrics {
		var p Point
		if m.Desc().err != nil || m.Write(&p) != nil {
			continue
		}
		if len(points) > 0 && p.Type != points[0].Type {
			continue
		}
		points = append(points, p)
	}
	if len(points) == 0 {
		return
	}
	desc := metrics[0].Desc()
	name := cString(desc.fqName)
	defer free(name)
	help := cString(desc.help)
	defer free(help)
	// On error no family is started: its points must not land in the previous family.
	if pe_collect_family(builder, name, help, C.pe_metric_type(points[0].Type), nil) != nil {
		return
	}
	for i := range points {
		_ = writePoint(builder, &points[i])
	}
}

// writePoint adds the point, then its creation time and exemplars (pe_collect_created,
// pe_collect_exemplar). One the library refuses is left out, the point staying; the first error
// is returned.
func writePoint(builder *C.struct_pe_collect_builder, p *Point) error {
	if err := addPoint(builder, p); err != nil {
		return err
	}
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	hasCreated := p.Type == TypeCounter || p.Type == TypeHistogram && p.Histogram != nil || p.Type == TypeSummary && p.Summary != nil
	if !p.Created.IsZero() && hasCreated {
		keep(pe_collect_created(builder, C.double(unixSeconds(p.Created))))
	}
	switch {
	case p.Type == TypeCounter && p.Exemplar != nil:
		keep(writeExemplar(builder, 0, p.Exemplar))
	case p.Type == TypeHistogram && p.Histogram != nil:
		h := p.Histogram
		n := min(len(h.UpperBounds), len(h.CumulativeCounts), len(h.Exemplars))
		for i, e := range h.Exemplars[:n] {
			if e != nil {
				keep(writeExemplar(builder, C.size_t(i), e))
			}
		}
	}
	return first
}

func writeExemplar(builder *C.struct_pe_collect_builder, bucket C.size_t, e *Exemplar) error {
	names, values := sortedPairs(e.Labels)
	defer names.free()
	defer values.free()
	ts := C.double(math.NaN())
	if !e.Timestamp.IsZero() {
		ts = C.double(unixSeconds(e.Timestamp))
	}
	return pe_collect_exemplar(builder, bucket, names.ptr(), values.ptr(), names.len(), C.double(e.Value), ts)
}

func addPoint(builder *C.struct_pe_collect_builder, p *Point) error {
	names, values := labelArrays(p.Labels)
	defer names.free()
	defer values.free()
	ts := C.double(math.NaN())
	if !p.Timestamp.IsZero() {
		ts = C.double(unixSeconds(p.Timestamp))
	}
	switch p.Type {
	case TypeCounter, TypeGauge, TypeUnknown:
		return pe_collect_sample(builder, names.ptr(), values.ptr(), names.len(), C.double(p.Value), ts)
	case TypeHistogram:
		h := p.Histogram
		if h == nil {
			return goError(StatusNull, "histogram point without a histogram")
		}
		bounds, counts := floatsPtr(h.UpperBounds), uintsPtr(h.CumulativeCounts)
		n := C.size_t(min(len(h.UpperBounds), len(h.CumulativeCounts)))
		if h.Native == nil {
			return pe_collect_histogram(builder, names.ptr(), values.ptr(), names.len(), bounds, counts, n, C.double(h.Sum), C.uint64_t(h.Count), ts)
		}
		nh := h.Native
		pos, neg := nh.Positive, nh.Negative
		return pe_collect_native_histogram(builder, names.ptr(), values.ptr(), names.len(),
			C.int32_t(nh.Schema), C.double(nh.ZeroThreshold), C.uint64_t(nh.ZeroCount),
			int32sPtr(pos.Keys), uintsPtr(pos.Counts), C.size_t(min(len(pos.Keys), len(pos.Counts))),
			int32sPtr(neg.Keys), uintsPtr(neg.Counts), C.size_t(min(len(neg.Keys), len(neg.Counts))),
			bounds, counts, n, C.double(h.Sum), C.uint64_t(h.Count), ts)
	case TypeSummary:
		s := p.Summary
		if s == nil {
			return goError(StatusNull, "summary point without a summary")
		}
		n := C.size_t(min(len(s.Quantiles), len(s.Values)))
		return pe_collect_summary(builder, names.ptr(), values.ptr(), names.len(), floatsPtr(s.Quantiles), floatsPtr(s.Values), n, C.double(s.Sum), C.uint64_t(s.Count), ts)
	case TypeInfo:
		infoNames, infoValues := labelArrays(p.InfoLabels)
		defer infoNames.free()
		defer infoValues.free()
		return pe_collect_info(builder, names.ptr(), values.ptr(), names.len(), infoNames.ptr(), infoValues.ptr(), infoNames.len(), ts)
	case TypeStateSet:
		states := make([]string, len(p.States))
		active := make([]C.bool, len(p.States)+1)
		for i, s := range p.States {
			states[i] = s.Name
			active[i] = C.bool(s.Active)
		}
		cStates := newCStrings(states)
		defer cStates.free()
		return pe_collect_stateset(builder, names.ptr(), values.ptr(), names.len(), cStates.ptr(), &active[0], cStates.len(), ts)
	}
	return goError(StatusInvalidValue, fmt.Sprintf("point of unknown type %d", int(p.Type)))
}

func labelArrays(labels []LabelPair) (names, values cStrings) {
	n := make([]string, len(labels))
	v := make([]string, len(labels))
	for i, l := range labels {
		n[i], v[i] = l.Name, l.Value
	}
	return newCStrings(n), newCStrings(v)
}

// Go memory passed for the duration of a call (no Go pointer inside, so cgo allows it).
func floatsPtr(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(&s[0])
}

func uintsPtr(s []uint64) *C.uint64_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.uint64_t)(&s[0])
}

func int32sPtr(s []int32) *C.int32_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.int32_t)(&s[0])
}
