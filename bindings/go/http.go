package promemu

// #include "zwrap.h"
import "C"

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// HandlerErrorHandling is how a handler made by HandlerFor answers when the registry cannot be
// collected, as promhttp's.
type HandlerErrorHandling int

const (
	// HTTPErrorOnError answers 500 with the error in the body, and stops sending a response
	// whose writing fails (a client gone, a Timeout passed).
	HTTPErrorOnError HandlerErrorHandling = iota
	// ContinueOnError serves what could be collected despite errors. The library renders an
	// exposition whole or not at all (a Go collector's refused points are left out, not an
	// error), so when collecting fails there is nothing to serve, and the answer is 500 as with
	// HTTPErrorOnError, as promhttp answers when nothing was gathered.
	ContinueOnError
	// PanicOnError panics with the first error, collecting or writing (for "crash only" apps).
	PanicOnError
)

// Logger is what HandlerOpts.ErrorLog needs, as in promhttp: *log.Logger is one.
type Logger interface {
	Println(v ...any)
}

// HandlerOpts configures HandlerFor, with promhttp.HandlerOpts's names and meaning; its zero
// value is a handler as promhttp's zero HandlerOpts makes it (no OpenMetrics).
type HandlerOpts struct {
	// ErrorLog, when not nil, is told about errors collecting the registry ("error gathering
	// metrics: ...") and writing the response ("error encoding and sending metric family:
	// ..."), whatever ErrorHandling says.
	ErrorLog Logger
	// ErrorHandling is what to do on those errors: HTTPErrorOnError (the zero value),
	// ContinueOnError or PanicOnError.
	ErrorHandling HandlerErrorHandling
	// DisableCompression never gzips responses, whatever Accept-Encoding allows.
	DisableCompression bool
	// MaxRequestsInFlight, above 0, limits the requests served at once: one more is answered
	// 503 Service Unavailable ("Limit of concurrent requests reached (n), try again later.").
	MaxRequestsInFlight int
	// Timeout, above 0, answers 503 Service Unavailable ("Exceeded configured timeout of ...")
	// to a request not served within it, through http.TimeoutHandler as promhttp does, which
	// buffers the response. The collection goes on to its end in the background (C code is not
	// interrupted), holding its MaxRequestsInFlight slot as long as a slow Collect takes (the
	// library's collection deadlines are its exporter's, StartServer's).
	Timeout time.Duration
	// EnableOpenMetrics lets the Accept header choose OpenMetrics (1.0, and 2.0 when named).
	// When false (promhttp's default), the handler never answers in OpenMetrics, even to a
	// header asking only for it: it answers in the Prometheus text format (or protobuf) the
	// header accepts, text 0.0.4 when it accepts none. Handler sets it.
	EnableOpenMetrics bool
}

// Handler returns an http.Handler serving the registry (nil: DefaultRegistry) as a scrape
// endpoint, to mount in any mux: the format and name escaping the Accept header asks for
// (OpenMetrics 1.0, Prometheus text 1.0.0 or 0.0.4; protobuf or OpenMetrics 2.0 only when named;
// names quoted as they are for escaping=allow-utf-8, escaped with underscores when the header
// names no escaping; see Negotiate), with the Content-Type Negotiate gives (which states the
// escaping), gzipped when Accept-Encoding allows it (see AcceptsGzip), restricted to the families
// named by name[] query parameters when there are any. The library negotiates and renders the
// exposition; GET and HEAD are answered, other methods get 405. It is
// HandlerFor(r, HandlerOpts{EnableOpenMetrics: true}): unlike promhttp's zero options, it offers
// OpenMetrics, which Prometheus asks for first.
func Handler(r *Registry) http.Handler { return HandlerFor(r, HandlerOpts{EnableOpenMetrics: true}) }

// HandlerFor is Handler with options, as promhttp.HandlerFor: HandlerOpts{} serves no
// OpenMetrics, reports errors as 500, and sets no limits.
func HandlerFor(r *Registry, opts HandlerOpts) http.Handler {
	if r == nil {
		r = DefaultRegistry
	}
	h := &handler{registry: r, opts: opts}
	if opts.MaxRequestsInFlight > 0 {
		h.inFlight = make(chan struct{}, opts.MaxRequestsInFlight)
	}
	if opts.Timeout <= 0 {
		return h
	}
	return http.TimeoutHandler(h, opts.Timeout, fmt.Sprintf("Exceeded configured timeout of %v.\n", opts.Timeout))
}

type handler struct {
	registry *Registry
	opts     HandlerOpts
	// inFlight holds a token per request being served, when MaxRequestsInFlight limits them.
	inFlight chan struct{}
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: use GET or HEAD", http.StatusMethodNotAllowed)
		return
	}
	if h.inFlight != nil {
		select {
		case h.inFlight <- struct{}{}:
			defer func() { <-h.inFlight }()
		default:
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", h.opts.MaxRequestsInFlight), http.StatusServiceUnavailable)
			return
		}
	}
	format, escaping, contentType := h.negotiate(req.Header.Get("Accept"))
	names, filtered := req.URL.Query()["name[]"]
	if !filtered {
		names = nil
	} else if names == nil {
		names = []string{}
	}
	text, length, err := h.registry.expose(format, escapedWith(escaping), names)
	if err != nil {
		h.log("error gathering metrics:", err)
		if h.opts.ErrorHandling == PanicOnError {
			panic(err)
		}
		// HTTPErrorOnError, and ContinueOnError with nothing collected.
		http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
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
			_, err := w.Write(body)
			h.writeFailed(err)
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
	_, err = z.Write(body)
	if closeErr := z.Close(); err == nil {
		err = closeErr
	}
	h.writeFailed(err)
}

// negotiate is Negotiate, without the OpenMetrics formats unless EnableOpenMetrics.
func (h *handler) negotiate(accept string) (Format, EscapingScheme, string) {
	if h.opts.EnableOpenMetrics {
		return Negotiate(accept)
	}
	format, escaping, contentType := Negotiate(withoutOpenMetrics(accept))
	if format == FormatOpenMetrics || format == FormatOpenMetrics2 {
		// What is left is a wildcard the text formats were refused through (text/plain;q=0):
		// answer with the fallback, as expfmt does.
		return FormatText, UnderscoreEscaping, ContentTypeText
	}
	return format, escaping, contentType
}

// withoutOpenMetrics drops the media ranges of an Accept header through which the library
// chooses OpenMetrics: application/openmetrics-text, and application/* (protobuf is never chosen
// through a wildcard, so nothing else is lost).
func withoutOpenMetrics(accept string) string {
	ranges := strings.Split(accept, ",")
	kept := ranges[:0]
	for _, r := range ranges {
		mediaType, _, _ := strings.Cut(r, ";")
		switch strings.ToLower(strings.TrimSpace(mediaType)) {
		case "application/openmetrics-text", "application/*":
			continue
		}
		kept = append(kept, r)
	}
	return strings.Join(kept, ",")
}

// writeFailed handles an error writing the response, as promhttp does: logged, a panic under
// PanicOnError, and otherwise the end of the response (which is written whole or not at all
// here, so there is nothing more to stop).
func (h *handler) writeFailed(err error) {
	if err == nil {
		return
	}
	h.log("error encoding and sending metric family:", err)
	if h.opts.ErrorHandling == PanicOnError {
		panic(err)
	}
}

func (h *handler) log(what string, err error) {
	if h.opts.ErrorLog != nil {
		h.opts.ErrorLog.Println(what, err)
	}
}
