package promemu

// #include "zwrap.h"
import "C"

import (
	"io"
	"runtime"
	"sync"
	"unsafe"
)

// Format is an exposition format (pe_format).
type Format int

const (
	// FormatText is the Prometheus text format 0.0.4.
	FormatText Format = C.PE_FORMAT_PROMETHEUS
	// FormatPrometheus1 is the Prometheus text format 1.0.0: the lines of 0.0.4, with names
	// outside the legacy character set quoted under NoEscaping
	// ({"app.requests_total",method="GET"} 1). Prometheus 3 asks for it (with
	// escaping=allow-utf-8) after OpenMetrics.
	FormatPrometheus1 Format = C.PE_FORMAT_PROMETHEUS_1
	// FormatOpenMetrics is OpenMetrics 1.0 text.
	FormatOpenMetrics Format = C.PE_FORMAT_OPENMETRICS
	// FormatOpenMetrics2 is OpenMetrics 2.0 text, experimental: native histograms as composite
	// values, start times as st@.
	FormatOpenMetrics2 Format = C.PE_FORMAT_OPENMETRICS_2
	// FormatProtobuf is binary: length-delimited client_model MetricFamily messages, as
	// expfmt's protobuf decoder reads them. Its bytes may hold NULs; every writer here takes
	// the length from the library.
	FormatProtobuf Format = C.PE_FORMAT_PROTOBUF
)

// Content types of the formats, without the escaping parameter (Format.ContentType). A response
// states its escaping too, except text 0.0.4 under UnderscoreEscaping: Format.ContentTypeEscaped
// gives what the library's exporter and Handler send.
const (
	ContentTypeText         = "text/plain; version=0.0.4; charset=utf-8"
	ContentTypePrometheus1  = "text/plain; version=1.0.0; charset=utf-8"
	ContentTypeOpenMetrics  = "application/openmetrics-text; version=1.0.0; charset=utf-8"
	ContentTypeOpenMetrics2 = "application/openmetrics-text; version=2.0.0; charset=utf-8"
	ContentTypeProtobuf     = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
)

// ContentType is the media type of the format with its version and charset, without the
// escaping parameter (text 0.0.4's for an unknown format); see ContentTypeEscaped.
func (f Format) ContentType() string {
	switch f {
	case FormatPrometheus1:
		return ContentTypePrometheus1
	case FormatOpenMetrics:
		return ContentTypeOpenMetrics
	case FormatOpenMetrics2:
		return ContentTypeOpenMetrics2
	case FormatProtobuf:
		return ContentTypeProtobuf
	}
	return ContentTypeText
}

// ContentTypeEscaped is the Content-Type of a response in this format with names written with
// escaping, as the library's exporter and Handler send it (pe_content_type): ContentType, then
// "; escaping=<scheme>" except for text 0.0.4 under UnderscoreEscaping. An unknown format or
// scheme gives ContentTypeText.
func (f Format) ContentTypeEscaped(escaping EscapingScheme) string {
	var out *C.char
	if err := pe_content_type(C.pe_format(f), C.pe_escaping(escaping), &out); err != nil {
		return ContentTypeText
	}
	return C.GoString(out)
}

func (f Format) String() string {
	switch f {
	case FormatText:
		return "text"
	case FormatPrometheus1:
		return "prometheus1"
	case FormatOpenMetrics:
		return "openmetrics"
	case FormatOpenMetrics2:
		return "openmetrics2"
	case FormatProtobuf:
		return "protobuf"
	}
	return "Format(" + itoa(int(f)) + ")"
}

// Registry holds collectors and renders what they collect. Its methods are safe for concurrent
// use.
type Registry struct {
	h         *C.struct_pe_registry
	isDefault bool

	// mu guards goCollectors: the Go collectors registered through this *Registry, with the
	// handle kept to unregister them.
	mu           sync.Mutex
	goCollectors map[any]*C.struct_pe_collector
}

// DefaultRegistry is the process-wide default registry of the library: the one C and C++ code in
// the same process reaches with pe_registry_default() or NULL, so Go and native metrics are
// exposed together. The package-level Register, MustRegister and Unregister use it.
var DefaultRegistry = defaultRegistry()

func defaultRegistry() *Registry {
	var h *C.struct_pe_registry
	if err := pe_registry_default(&h); err != nil {
		panic(err)
	}
	return &Registry{h: h, isDefault: true}
}

// NewRegistry creates an empty registry.
func NewRegistry() *Registry {
	var h *C.struct_pe_registry
	if err := pe_registry_new(&h); err != nil {
		panic(err)
	}
	r := &Registry{h: h}
	runtime.SetFinalizer(r, (*Registry).release)
	return r
}

func (r *Registry) release() {
	r.releaseGoCollectors()
	C.pe_registry_free(r.h)
	r.h = nil
}

// Close releases the registry handle; do not use the registry afterwards. Its metrics live on as
// long as other handles or registries hold them. Close on DefaultRegistry does nothing.
func (r *Registry) Close() error {
	if r.isDefault || r.h == nil {
		return nil
	}
	runtime.SetFinalizer(r, nil)
	r.release()
	return nil
}

// Register adds c. Registering the same collector again does nothing; another collector that
// provides one of its sample names is ErrDuplicate (a counter x owns x, x_total and x_created);
// the child of a vec is ErrWrongKind.
//
// A Collector written in Go (not one of this package's metrics) is checked as client_golang
// checks it: a descriptor with an error is refused with it, and so is one whose name the
// registry already exposes (ErrDuplicate, with client_golang's message). One that describes
// nothing is unchecked, as in client_golang: at collection, the library merges the points of
// same-named families of one type and drops a later family whose type clashes. A Go collector
// is kept by its identity (==) for Unregister; one whose type is not comparable cannot be
// unregistered.
func (r *Registry) Register(c Collector) error {
	if r.h == nil {
		return ErrClosed
	}
	var err error
	if m, ok := c.(registrable); ok {
		err = m.registerIn(r.h)
	} else {
		err = r.registerGo(c)
	}
	runtime.KeepAlive(r)
	runtime.KeepAlive(c)
	return err
}

// MustRegister registers each collector and panics on the first error, as in client_golang.
func (r *Registry) MustRegister(cs ...Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// Unregister removes c and reports whether it was registered.
func (r *Registry) Unregister(c Collector) bool {
	if r.h == nil {
		return false
	}
	m, ok := c.(registrable)
	if !ok {
		return r.unregisterGo(c)
	}
	err := m.unregisterFrom(r.h)
	runtime.KeepAlive(r)
	runtime.KeepAlive(c)
	return err == nil
}

// WriteText collects every collector and writes the exposition in format to w: families sorted by
// name. The library renders it; the bytes go from its buffer to w without a copy in Go. For
// FormatProtobuf they are binary, of the length the library returns. Names outside the legacy
// character set are written with the format's default escaping: UnderscoreEscaping, or
// NoEscaping for FormatOpenMetrics2 (WriteTextEscaped chooses).
func (r *Registry) WriteText(w io.Writer, format Format) error {
	return r.write(w, format, formatDefault, nil)
}

// WriteTextEscaped is WriteText with names written with escaping: under NoEscaping, names
// outside the legacy sets are quoted in the text formats (# TYPE "app.requests" counter,
// {"app.requests_total",method="GET"} 1) and left as they are in protobuf; the other schemes
// rewrite them as EscapeName does.
func (r *Registry) WriteTextEscaped(w io.Writer, format Format, escaping EscapingScheme) error {
	return r.write(w, format, escapedWith(escaping), nil)
}

// WriteTextFiltered is WriteText keeping only the families that one of names selects, as the
// name[] parameter of a scrape does: a family is selected by its name or one of its sample names
// (x or x_total select counter x). No names select nothing.
func (r *Registry) WriteTextFiltered(w io.Writer, format Format, names []string) error {
	return r.write(w, format, formatDefault, nonNil(names))
}

// WriteTextFilteredEscaped is WriteTextFiltered with names written with escaping (see
// WriteTextEscaped). The names select families by their name as made (app.requests), not
// escaped.
func (r *Registry) WriteTextFilteredEscaped(w io.Writer, format Format, escaping EscapingScheme, names []string) error {
	return r.write(w, format, escapedWith(escaping), nonNil(names))
}

// Expose returns the exposition in format, as WriteText writes it.
func (r *Registry) Expose(format Format) ([]byte, error) {
	return r.exposeBytes(format, formatDefault, nil)
}

// ExposeEscaped returns the exposition in format with names written with escaping, as
// WriteTextEscaped writes it.
func (r *Registry) ExposeEscaped(format Format, escaping EscapingScheme) ([]byte, error) {
	return r.exposeBytes(format, escapedWith(escaping), nil)
}

// ExposeFiltered returns the exposition in format of the families names select, as
// WriteTextFiltered writes it.
func (r *Registry) ExposeFiltered(format Format, names []string) ([]byte, error) {
	return r.exposeBytes(format, formatDefault, nonNil(names))
}

// ExposeFilteredEscaped is ExposeFiltered with names written with escaping, as
// WriteTextFilteredEscaped writes it.
func (r *Registry) ExposeFilteredEscaped(format Format, escaping EscapingScheme, names []string) ([]byte, error) {
	return r.exposeBytes(format, escapedWith(escaping), nonNil(names))
}

// escapingChoice is the escaping expose asks for: a scheme, or (formatDefault) the format's
// default, which pe_registry_expose and pe_registry_expose_filtered apply.
type escapingChoice struct {
	scheme EscapingScheme
	set    bool
}

var formatDefault = escapingChoice{}

func escapedWith(scheme EscapingScheme) escapingChoice {
	return escapingChoice{scheme: scheme, set: true}
}

// nonNil keeps "no names" (select nothing) apart from nil (every family) for expose.
func nonNil(names []string) []string {
	if names == nil {
		return []string{}
	}
	return names
}

func (r *Registry) write(w io.Writer, format Format, escaping escapingChoice, names []string) error {
	text, length, err := r.expose(format, escaping, names)
	if err != nil {
		return err
	}
	defer C.pe_string_free(text)
	_, err = w.Write(unsafe.Slice((*byte)(unsafe.Pointer(text)), length))
	return err
}

func (r *Registry) exposeBytes(format Format, escaping escapingChoice, names []string) ([]byte, error) {
	text, length, err := r.expose(format, escaping, names)
	if err != nil {
		return nil, err
	}
	defer C.pe_string_free(text)
	return C.GoBytes(unsafe.Pointer(text), C.int(length)), nil
}

// expose renders the registry through the library; names nil means every family. The caller
// frees the text with pe_string_free.
func (r *Registry) expose(format Format, escaping escapingChoice, names []string) (*C.char, int, error) {
	if r.h == nil {
		return nil, 0, ErrClosed
	}
	var text *C.char
	var length C.size_t
	var err error
	switch {
	case names == nil && !escaping.set:
		err = pe_registry_expose(r.h, C.pe_format(format), &text, &length)
	case names == nil:
		err = pe_registry_expose_escaped(r.h, C.pe_format(format), C.pe_escaping(escaping.scheme), &text, &length)
	default:
		c := newCStrings(names)
		if !escaping.set {
			err = pe_registry_expose_filtered(r.h, C.pe_format(format), c.ptr(), c.len(), &text, &length)
		} else {
			err = pe_registry_expose_filtered_escaped(r.h, C.pe_format(format), C.pe_escaping(escaping.scheme), c.ptr(), c.len(), &text, &length)
		}
		c.free()
	}
	runtime.KeepAlive(r)
	if err != nil {
		return nil, 0, err
	}
	return text, int(length), nil
}

// Register registers c in DefaultRegistry.
func Register(c Collector) error { return DefaultRegistry.Register(c) }

// MustRegister registers the collectors in DefaultRegistry and panics on the first error.
func MustRegister(cs ...Collector) { DefaultRegistry.MustRegister(cs...) }

// Unregister removes c from DefaultRegistry and reports whether it was there.
func Unregister(c Collector) bool { return DefaultRegistry.Unregister(c) }

// CHandle is the registry's pe_registry handle, for C or C++ code in the same program (through
// cgo) to register its metrics into: pass it as a pe_registry *. It is borrowed: valid until
// Close, and C code must not free it. DefaultRegistry's is what pe_registry_default() gives (C
// code may pass NULL instead). nil after Close.
func (r *Registry) CHandle() unsafe.Pointer { return unsafe.Pointer(r.h) }
