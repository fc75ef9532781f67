package promemu

// #include "zwrap.h"
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// ServerOpts configures StartServerWith. Zero fields take the library's defaults.
type ServerOpts struct {
	// Addr is where to listen, host:port: "0.0.0.0:9100", "[::]:9100", "127.0.0.1:0" (port 0
	// picks a free port; Server.Port tells which). Required.
	Addr string
	// Workers render answers, 1 to 1024 (default 4); one event-loop thread besides them watches
	// every connection, so idle or slow clients occupy no worker.
	Workers int
	// MaxPendingConnections is how many complete requests may wait for a worker, 1 to 65536
	// (default 64); more get 503.
	MaxPendingConnections int
	// ReadTimeout bounds the arrival of a request head (default 10s).
	ReadTimeout time.Duration
	// WriteTimeout bounds sending one response (default 10s).
	WriteTimeout time.Duration
	// IdleTimeout bounds a keep-alive connection's wait between requests (default 10s).
	IdleTimeout time.Duration
	// MaxHeadBytes is the largest request head accepted, at least 1024 (default 16384).
	MaxHeadBytes int
	// MaxRequestsPerConnection on one keep-alive connection (default 1000).
	MaxRequestsPerConnection int
	// BasicAuthUser, when set, is the user every request must authenticate as (HTTP basic auth,
	// with BasicAuthPassword); others get 401.
	BasicAuthUser     string
	BasicAuthPassword string
	// TLSCertFile and TLSKeyFile, both set, serve HTTPS: PEM files, the chain leaf first, and its
	// private key.
	TLSCertFile string
	TLSKeyFile  string
	// MaxConnections open at once, 1 to 1000000 (default 1024): at the cap the oldest idle
	// connection is closed to make room; when all are busy with an answer a new one gets 503.
	MaxConnections int
	// MaxConnectionsPerPeer is the same cap per peer address (default MaxConnections).
	MaxConnectionsPerPeer int
	// ScrapeTimeoutMargin is taken off the timeout a scrape announces in
	// X-Prometheus-Scrape-Timeout-Seconds (as Prometheus does) to give the collectors their
	// budget (default 500ms, at most half the timeout). Within it, callback metrics (GaugeFunc,
	// CounterFunc) run on the server's collector threads; one still running at its end is left
	// out of the answer, counted in prometheus_emulator_collector_timeout_total{collector=...}
	// and not started again until it returns. Close waits for it to return.
	ScrapeTimeoutMargin time.Duration
	// DefaultCollectionTimeout is the budget of a scrape that announces no timeout; zero (the
	// default) collects such a scrape inline, as long as its collectors take.
	DefaultCollectionTimeout time.Duration
	// MaxCollectionTimeout caps the budget, whatever a scrape announces (default: no cap).
	MaxCollectionTimeout time.Duration
	// CollectorThreads is how many threads collect under a deadline at most, 1 to 1024
	// (default 8), started as scrapes need them.
	CollectorThreads int
}

// Server is the library's native HTTP exporter, running on its own threads outside the Go
// runtime: GET and HEAD /metrics with content negotiation, gzip and name[] filtering, / with a
// link to it, 404 and 405 otherwise.
//
// It runs until Close. There is deliberately no finalizer: dropping the *Server (as in
// `promemu.StartServer(":9100", nil)` with the result ignored) must not stop the server.
type Server struct {
	mu sync.Mutex
	h  *C.struct_pe_exporter
}

// StartServer starts the native exporter on addr serving r, and returns once it listens. A nil r
// (or DefaultRegistry) serves the default registry with the library's process collector
// (process_cpu_seconds_total, process_resident_memory_bytes, ...) registered in it, as the C API
// does for NULL.
func StartServer(addr string, r *Registry) (*Server, error) {
	return StartServerWith(ServerOpts{Addr: addr}, r)
}

// StartServerWith is StartServer with options. A bad option (a number out of range, one TLS file
// only, an unreadable certificate) is ErrInvalidConfig; an address that cannot be listened on is
// ErrIO.
func StartServerWith(opts ServerOpts, r *Registry) (*Server, error) {
	var c C.struct_pe_exporter_options
	c.struct_size = C.size_t(unsafe.Sizeof(c))
	var toFree []*C.char
	str := func(s string) *C.char {
		p := cString(s)
		toFree = append(toFree, p)
		return p
	}
	defer func() {
		for _, p := range toFree {
			free(p)
		}
	}()
	c.address = str(opts.Addr)
	c.basic_auth_user = str(opts.BasicAuthUser)
	c.basic_auth_password = str(opts.BasicAuthPassword)
	c.tls_cert_file = str(opts.TLSCertFile)
	c.tls_key_file = str(opts.TLSKeyFile)
	var err error
	size := func(name string, n int) C.size_t {
		if n < 0 {
			err = goError(StatusInvalidConfig, fmt.Sprintf("ServerOpts.%s is negative", name))
		}
		return C.size_t(max(n, 0))
	}
	millis := func(name string, d time.Duration) C.uint32_t {
		ms := d.Milliseconds()
		if d > 0 && ms == 0 {
			ms = 1
		}
		if ms < 0 || ms > math.MaxUint32 {
			err = goError(StatusInvalidConfig, fmt.Sprintf("ServerOpts.%s out of range: %v", name, d))
			return 0
		}
		return C.uint32_t(ms)
	}
	c.workers = size("Workers", opts.Workers)
	c.max_pending_connections = size("MaxPendingConnections", opts.MaxPendingConnections)
	c.max_head_bytes = size("MaxHeadBytes", opts.MaxHeadBytes)
	c.max_requests_per_connection = size("MaxRequestsPerConnection", opts.MaxRequestsPerConnection)
	c.max_connections = size("MaxConnections", opts.MaxConnections)
	c.max_connections_per_peer = size("MaxConnectionsPerPeer", opts.MaxConnectionsPerPeer)
	c.read_timeout_ms = millis("ReadTimeout", opts.ReadTimeout)
	c.write_timeout_ms = millis("WriteTimeout", opts.WriteTimeout)
	c.idle_timeout_ms = millis("IdleTimeout", opts.IdleTimeout)
	c.collector_threads = size("CollectorThreads", opts.CollectorThreads)
	c.scrape_timeout_margin_ms = C.uint64_t(millis("ScrapeTimeoutMargin", opts.ScrapeTimeoutMargin))
	c.default_collection_timeout_ms = C.uint64_t(millis("DefaultCollectionTimeout", opts.DefaultCollectionTimeout))
	c.max_collection_timeout_ms = C.uint64_t(millis("MaxCollectionTimeout", opts.MaxCollectionTimeout))
	if err != nil {
		return nil, err
	}

	var registry *C.struct_pe_registry
	if r != nil && !r.isDefault {
		if r.h == nil {
			return nil, ErrClosed
		}
		registry = r.h
	}
	var h *C.struct_pe_exporter
	err = pe_exporter_start(&c, registry, &h)
	runtime.KeepAlive(r)
	if err != nil {
		return nil, err
	}
	return &Server{h: h}, nil
}

// Port is the port the server listens on (the one picked, when the address asked for port 0).
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h == nil {
		return 0
	}
	var port C.uint16_t
	if err := pe_exporter_port(s.h, &port); err != nil {
		panic(err)
	}
	return int(port)
}

// Close stops the server: it stops listening, ends open connections and joins the library's
// threads; the port is free again when it returns. Closing twice does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h != nil {
		C.pe_exporter_stop(s.h)
		s.h = nil
	}
	return nil
}
