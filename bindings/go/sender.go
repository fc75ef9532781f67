package promemu

// #include "zwrap.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// SenderProtocol is what a Sender speaks.
type SenderProtocol int

const (
	// RemoteWrite is Prometheus Remote Write 2.0, falling back to 1.0 for the destination when
	// it answers 415 Unsupported Media Type (that batch and every later one go as 1.0). The
	// zero value.
	RemoteWrite SenderProtocol = C.PE_SENDER_REMOTE_WRITE
	// RemoteWriteV1 is Prometheus Remote Write 1.0 only.
	RemoteWriteV1 SenderProtocol = C.PE_SENDER_REMOTE_WRITE_V1
	// OTLP is OTLP/HTTP metrics in binary protobuf, to a URL ending in /v1/metrics.
	OTLP SenderProtocol = C.PE_SENDER_OTLP
)

// String is the protocol's name.
func (p SenderProtocol) String() string {
	switch p {
	case RemoteWrite:
		return "RemoteWrite"
	case RemoteWriteV1:
		return "RemoteWriteV1"
	case OTLP:
		return "OTLP"
	}
	return "SenderProtocol(" + itoa(int(p)) + ")"
}

// SenderOpts configures NewSender. Zero values take the library's defaults; only URL is
// required.
type SenderOpts struct {
	// URL is the receiver's endpoint, http:// or https://: Prometheus's /api/v1/write (or
	// /api/v1/otlp/v1/metrics), an OpenTelemetry collector's /v1/metrics. A query is allowed,
	// credentials are not (use Username and Password).
	URL string
	// Protocol is what to send (default RemoteWrite: 2.0, falling back to 1.0).
	Protocol SenderProtocol
	// Interval is the time between two collections, at least 10ms (default 15s). The first
	// collection is one interval after the start, or at the first Flush.
	Interval time.Duration
	// Timeout bounds one request (default 10s); ConnectTimeout bounds connecting, TCP and TLS
	// (default 5s).
	Timeout, ConnectTimeout time.Duration
	// ExternalLabels are added to every series sent; a series' own label of the same name wins.
	ExternalLabels Labels
	// ResourceAttributes are the OTLP resource's attributes; service.name defaults to the job
	// external label, else the program's name.
	ResourceAttributes map[string]string
	// Headers are sent with every request (every value of a repeated name). Those the sender
	// writes itself (Authorization, Content-Type, Content-Encoding, User-Agent,
	// X-Prometheus-Remote-Write-Version, hop-by-hop fields) are refused.
	Headers http.Header
	// Username and Password, when Username is set, authenticate with HTTP basic auth.
	Username, Password string
	// BearerToken, when set, is sent as Authorization: Bearer; not together with Username.
	BearerToken string
	// CAFile is a PEM file of CA certificates to verify an https:// receiver against, instead
	// of the built-in Mozilla roots. It is read by NewSender.
	CAFile string
	// MaxQueueBytes (default 16 MiB) and MaxQueueBatches (one per collection, default 64)
	// bound the queue; beyond, the oldest batches are dropped and counted.
	MaxQueueBytes, MaxQueueBatches int
	// BackoffMin is the first retry's delay (default 50ms), doubling with jitter up to
	// BackoffMax (default 5s). MaxRetryAfter caps a receiver's Retry-After (default 1m).
	BackoffMin, BackoffMax, MaxRetryAfter time.Duration
	// Destination is the destination label of the sender's self-metrics (default: the URL).
	Destination string
}

// Defaults of Sender's waits when the context has no deadline.
const (
	// DefaultSenderFlushTimeout bounds Flush with a context without a deadline.
	DefaultSenderFlushTimeout = 30 * time.Second
	// DefaultSenderStopTimeout bounds Stop with a context without a deadline, and Close.
	DefaultSenderStopTimeout = 2 * time.Second
)

// Errors of Flush and Stop, besides the status sentinel (ErrIO, ErrHTTP) their errors match
// too, and the *Error (errors.As) holding the library's message.
var (
	// ErrSendTimeout: the deadline passed with batches unsent (for Flush they stay queued and
	// are sent later; for Stop they are dropped). Errors matching it match
	// context.DeadlineExceeded too.
	ErrSendTimeout = errors.New("promemu: sender deadline passed with batches unsent")
	// ErrDropped: every batch was taken off the queue, but some were dropped instead of
	// delivered: rejected by the receiver (a 4xx other than the 415 that triggers the fallback),
	// or displaced from a full queue.
	ErrDropped = errors.New("promemu: sender batches dropped instead of delivered")
	// ErrSenderStopped: Flush on a stopped (or closed) Sender.
	ErrSenderStopped = errors.New("promemu: sender is stopped")
)

// sendError is a failure of Flush or Stop: the library's *Error, plus the sender's own
// sentinels.
type sendError struct {
	err   *Error
	kinds []error
}

func (e *sendError) Error() string   { return e.err.Error() }
func (e *sendError) Unwrap() []error { return append([]error{e.err}, e.kinds...) }

// senderError gives a failure of pe_sender_flush or pe_sender_stop its sender sentinels.
func senderError(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Status {
	case StatusIO:
		return &sendError{err: e, kinds: []error{ErrSendTimeout, context.DeadlineExceeded}}
	case StatusHTTP:
		return &sendError{err: e, kinds: []error{ErrDropped}}
	}
	return err
}

// Sender is a push sender: a thread of the library's own (outside the Go runtime) that collects
// a registry every interval and sends it to a Remote Write or OTLP receiver, with retries and a
// bounded queue, so that no metric update ever waits for the network:
//
//	sender, err := promemu.NewSender(registry, promemu.SenderOpts{
//		URL:            "http://prometheus:9090/api/v1/write",
//		Interval:       15 * time.Second,
//		ExternalLabels: promemu.Labels{"job": "worker"},
//	})
//	if err != nil { ... }
//	defer sender.Close()
//	...
//	err = sender.Stop(ctx) // a last collection, sent before ctx's deadline
//
// 5xx, 429 and requests without an answer are retried with a jittered backoff (or after the
// receiver's Retry-After); any other status drops the batch, its answer kept as LastError. The
// self-metrics prometheus_emulator_sender_*{destination="..."} (samples sent, failed, dropped,
// retries, requests, queue size, last success) are registered in the registry while the sender
// runs. Collectors written in Go run on the sender's thread.
//
// Its methods are safe for concurrent use. A Sender runs until Stop or Close: as with Server,
// dropping it does not stop it (a finalizer releases only a stopped one).
type Sender struct {
	// mu guards h: held shared by the calls into the library, exclusively by the release.
	mu      sync.RWMutex
	h       *C.struct_pe_sender
	stopped atomic.Bool // set once Stop has returned, or is returning

	stopOnce sync.Once
	stopErr  error
}

// NewSender starts a sender of r (nil: DefaultRegistry). A bad option is an error matching
// ErrInvalidConfig (ErrInvalidValue for an unknown Protocol) carrying the library's message.
func NewSender(r *Registry, opts SenderOpts) (*Sender, error) {
	var c C.struct_pe_sender_options
	c.struct_size = C.size_t(unsafe.Sizeof(c))
	var toFree []*C.char
	str := func(s string) *C.char {
		p := cString(s)
		toFree = append(toFree, p)
		return p
	}
	var arrays []cStrings
	strs := func(values []string) **C.char {
		a := newCStrings(values)
		arrays = append(arrays, a)
		return a.ptr()
	}
	defer func() {
		for _, p := range toFree {
			free(p)
		}
		for _, a := range arrays {
			a.free()
		}
	}()
	var err error
	millis := func(name string, d time.Duration) C.uint64_t {
		if d < 0 {
			err = goError(StatusInvalidConfig, fmt.Sprintf("SenderOpts.%s is negative: %v", name, d))
			return 0
		}
		if d == 0 {
			return 0
		}
		return C.uint64_t(max(d.Milliseconds(), 1))
	}
	size := func(name string, n int) C.size_t {
		if n < 0 {
			err = goError(StatusInvalidConfig, fmt.Sprintf("SenderOpts.%s is negative: %d", name, n))
			return 0
		}
		return C.size_t(n)
	}
	if opts.Protocol < 0 {
		return nil, goError(StatusInvalidValue, fmt.Sprintf("SenderOpts.Protocol is unknown: %v", opts.Protocol))
	}
	c.url = str(opts.URL)
	c.protocol = C.uint64_t(opts.Protocol)
	c.interval_ms = millis("Interval", opts.Interval)
	c.timeout_ms = millis("Timeout", opts.Timeout)
	c.connect_timeout_ms = millis("ConnectTimeout", opts.ConnectTimeout)
	c.backoff_min_ms = millis("BackoffMin", opts.BackoffMin)
	c.backoff_max_ms = millis("BackoffMax", opts.BackoffMax)
	c.max_retry_after_ms = millis("MaxRetryAfter", opts.MaxRetryAfter)
	c.max_queue_bytes = size("MaxQueueBytes", opts.MaxQueueBytes)
	c.max_queue_batches = size("MaxQueueBatches", opts.MaxQueueBatches)
	if err != nil {
		return nil, err
	}

	pairs := func(m Labels) (names, values **C.char, n C.size_t) {
		ns, vs := sortedPairs(m)
		arrays = append(arrays, ns, vs)
		return ns.ptr(), vs.ptr(), ns.len()
	}
	c.external_label_names, c.external_label_values, c.n_external_labels = pairs(opts.ExternalLabels)
	c.resource_attribute_keys, c.resource_attribute_values, c.n_resource_attributes = pairs(opts.ResourceAttributes)
	var headerNames, headerValues []string
	for _, name := range slices.Sorted(mapKeys(opts.Headers)) {
		for _, v := range opts.Headers[name] {
			headerNames, headerValues = append(headerNames, name), append(headerValues, v)
		}
	}
	c.header_names, c.header_values = strs(headerNames), strs(headerValues)
	c.n_headers = C.size_t(len(headerNames))
	if opts.Username != "" {
		c.username = str(opts.Username)
		c.password = str(opts.Password)
	}
	if opts.BearerToken != "" {
		c.bearer_token = str(opts.BearerToken)
	}
	if opts.CAFile != "" {
		c.ca_file = str(opts.CAFile)
	}
	if opts.Destination != "" {
		c.destination = str(opts.Destination)
	}

	var registry *C.struct_pe_registry
	if r != nil && !r.isDefault {
		if r.h == nil {
			return nil, ErrClosed
		}
		registry = r.h
	}
	var h *C.struct_pe_sender
	err = pe_sender_start(registry, &c, &h)
	runtime.KeepAlive(r)
	if err != nil {
		return nil, err
	}
	s := &Sender{h: h}
	runtime.SetFinalizer(s, (*Sender).finalize)
	return s, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// seconds is the time left before ctx's deadline (fallback when it has none), at least 0.
func seconds(ctx context.Context, fallback time.Duration) C.double {
	left := fallback
	if deadline, ok := ctx.Deadline(); ok {
		left = time.Until(deadline)
	}
	if ctx.Err() != nil || left < 0 {
		left = 0
	}
	return C.double(left.Seconds())
}

// Flush collects now and waits until everything queued (this collection included) is sent, or
// ctx is done. Without a deadline in ctx it waits at most DefaultSenderFlushTimeout. What is
// not sent in time stays queued and is sent later.
//
// It returns nil when every batch was delivered; an error matching ErrSendTimeout (and
// context.DeadlineExceeded, and ErrIO) when the deadline passed with batches queued, the
// library's message saying how many and the receiver's last answer; an error matching
// ErrDropped (and ErrHTTP) when some batches were rejected or displaced; ctx.Err() when ctx is
// cancelled first (the library's wait then ends on its own by the deadline, in the background);
// ErrSenderStopped after Stop or Close.
func (s *Sender) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	timeout := seconds(ctx, DefaultSenderFlushTimeout)
	s.mu.RLock()
	if s.h == nil || s.stopped.Load() {
		s.mu.RUnlock()
		return ErrSenderStopped
	}
	done := make(chan error, 1)
	go func() {
		defer s.mu.RUnlock()
		err := pe_sender_flush(s.h, timeout)
		var e *Error
		if errors.As(err, &e) && e.Status == StatusInvalidValue && s.stopped.Load() {
			// Stopped by another goroutine since the check above.
			done <- &sendError{err: e, kinds: []error{ErrSenderStopped}}
			return
		}
		done <- senderError(err)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The library's deadline is the same: its answer is due now and says more.
			return <-done
		}
		return ctx.Err()
	}
}

// Stop stops the sender: a last collection, then what is queued is sent until everything is
// delivered or ctx's deadline (DefaultSenderStopTimeout without one; none left when ctx is
// done already) passes; then a request in flight is cut, what is left is dropped, the library's
// thread is joined and the self-metrics are unregistered. Cancelling ctx does not cut the wait
// short: only its deadline counts. Stop blocks until the thread is joined (two waits can outlast
// the deadline: resolving a host name and a TCP connect in progress, at most ConnectTimeout).
//
// It returns nil when everything was delivered; an error matching ErrSendTimeout (batches
// dropped unsent at the deadline) or ErrDropped (batches rejected or displaced since the call
// began), as Flush does. Stopping again returns the first Stop's result.
func (s *Sender) Stop(ctx context.Context) error {
	return s.stop(seconds(ctx, DefaultSenderStopTimeout))
}

func (s *Sender) stop(timeout C.double) error {
	s.stopOnce.Do(func() {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if s.h == nil {
			s.stopErr = ErrSenderStopped
			return
		}
		s.stopped.Store(true) // a Flush racing with the stop learns why it failed
		s.stopErr = senderError(pe_sender_stop(s.h, timeout))
	})
	return s.stopErr
}

// Close stops the sender, as Stop with DefaultSenderStopTimeout does (unless Stop ran first),
// and releases it. It returns Stop's result; closing again returns nil.
func (s *Sender) Close() error {
	err := s.stop(C.double(DefaultSenderStopTimeout.Seconds()))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h == nil {
		return nil
	}
	runtime.SetFinalizer(s, nil)
	C.pe_sender_free(s.h)
	s.h = nil
	return err
}

// finalize releases a stopped sender whose Close was forgotten; a running one is left running.
func (s *Sender) finalize() {
	if s.stopped.Load() && s.h != nil {
		C.pe_sender_free(s.h)
		s.h = nil
	}
}

// LastError is the sender's last error: the receiver's answer (status and body) to a request
// that failed or was rejected, a connection error, a full queue, the fallback from Remote Write
// 2.0 to 1.0. It is "" when nothing failed yet, and after Close.
func (s *Sender) LastError() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return ""
	}
	var out *C.char
	if err := pe_sender_last_error(s.h, &out); err != nil {
		return ""
	}
	defer C.pe_string_free(out)
	return goString(out)
}

// PushRemoteWrite sends r (nil: DefaultRegistry) once, for a batch job: it starts a sender with
// opts (opts.URL is set to url), stops it at once (one collection, sent before ctx's deadline,
// DefaultSenderStopTimeout without one) and returns Stop's result.
func PushRemoteWrite(ctx context.Context, url string, r *Registry, opts SenderOpts) error {
	opts.URL = url
	if opts.Interval == 0 {
		// No periodic collection before the one Stop makes.
		opts.Interval = 24 * time.Hour
	}
	s, err := NewSender(r, opts)
	if err != nil {
		return err
	}
	err = s.Stop(ctx)
	_ = s.Close()
	return err
}
