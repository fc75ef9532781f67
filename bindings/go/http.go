package promemu

// #include "zwrap.h"
import "C"

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"sync"
	"unsafe"
)

// HandlerOpts configures HandlerFor.
type HandlerOpts struct {
	// DisableCompression never gzips responses, whatever Accept-Encoding allows.
	DisableCompression bool
}

// Handler returns an http.Handler serving the registry (nil: DefaultRegistry) as a scrape
// endpoint, to mount in any mux: the format and name escaping the Accept header asks for
// (OpenMetrics 1.0, Prometheus text 1.0.0 or 0.0.4; protobuf or OpenMetrics 2.0 only when named;
// names quoted as they are for escaping=allow-utf-8, escaped with underscores when the header
// names no escaping; see Negotiate), with the Content-Type Negotiate gives (which states the
// escaping), gzipped when Accept-Encoding allows it (see AcceptsGzip), restricted to the families
// named by name[] query parameters when there are any. The library negotiates and renders the
// exposition; GET and HEAD are answered, other methods get 405.
func Handler(r *Registry) http.Handler { return HandlerFor(r, HandlerOpts{}) }

// HandlerFor is Handler with options.
func HandlerFor(r *Registry, opts HandlerOpts) http.Handler {
	if r == nil {
		r = DefaultRegistry
	}
	return &handler{registry: r, opts: opts}
}

type handler struct {
	registry *Registry
	opts     HandlerOpts
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: use GET or HEAD", http.StatusMethodNotAllowed)
		return
	}
	format, escaping, contentType := Negotiate(req.Header.Get("Accept"))
	names, filtered := req.URL.Query()["name[]"]
	if !filtered {
		names = nil
	} else if names == nil {
		names = []string{}
	}
	text, length, err := h.registry.expose(format, escapedWith(escaping), names)
	if err != nil {
		http.Error(w, "collecting metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer C.pe_string_free(text)
	body := unsafe.Slice((*byte)(unsafe.Pointer(text)), length)

	header := w.Header()
	header.Set("Content-Type", contentType)
	header.Add("Vary", "Accept")
	if h.opts.DisableCompression || !AcceptsGzip(req.Header.Get("Accept-Encoding")) {
		header.Set("Content-Length", strconv.Itoa(length))
		if req.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	header.Add("Vary", "Accept-Encoding")
	header.Set("Content-Encoding", "gzip")
	if req.Method == http.MethodHead {
		return
	}
	z := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(z)
	z.Reset(w)
	_, _ = z.Write(body)
	_ = z.Close()
}
