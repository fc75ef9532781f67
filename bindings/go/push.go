package promemu

// #include "zwrap.h"
import "C"

import (
	"fmt"
	"runtime"
	"slices"
	"time"
	"unsafe"
)

// Pusher sends a registry to a Prometheus Pushgateway through the library's client, like
// client_golang's push.Pusher:
//
//	err := promemu.NewPusher("localhost:9091", "batch_job").
//		Registry(registry).
//		Grouping("instance", "worker-1").
//		Push()
//
// The setters return the Pusher for chaining; the calls block until the gateway answers or the
// timeout runs out. A Pusher is not safe for concurrent configuration, but Push, PushAdd and Delete
// may run concurrently.
type Pusher struct {
	gateway, job   string
	registry       *Registry
	groupingNames  []string
	groupingValues []string
	opts           PushOpts
}

// PushOpts are the transport options of a push. Zero values take the library's defaults.
type PushOpts struct {
	// Timeout bounds one request: connecting, sending, reading the answer (default 10s).
	Timeout time.Duration
	// ConnectTimeout bounds connecting, TCP and TLS (default 5s).
	ConnectTimeout time.Duration
	// Username and Password, when Username is set, authenticate with HTTP basic auth.
	Username, Password string
	// CAFile is a PEM file of CA certificates to verify an https:// gateway against, instead of
	// the built-in Mozilla roots.
	CAFile string
}

// NewPusher makes a Pusher for the gateway (host:port, or an http:// or https:// URL, optionally
// with a path prefix) and the job (not empty). It pushes DefaultRegistry unless Registry says
// otherwise.
func NewPusher(gateway, job string) *Pusher {
	return &Pusher{gateway: gateway, job: job, registry: DefaultRegistry}
}

// Registry sets the registry to push.
func (p *Pusher) Registry(r *Registry) *Pusher {
	p.registry = r
	return p
}

// Grouping adds a label to the grouping key (in addition to job). Values may hold anything: the
// library encodes them (base64 where needed). A bad name, or "job", fails the push with
// ErrInvalidName.
func (p *Pusher) Grouping(name, value string) *Pusher {
	if i := slices.Index(p.groupingNames, name); i >= 0 {
		p.groupingValues[i] = value
		return p
	}
	p.groupingNames = append(p.groupingNames, name)
	p.groupingValues = append(p.groupingValues, value)
	return p
}

// Options sets the transport options.
func (p *Pusher) Options(opts PushOpts) *Pusher {
	p.opts = opts
	return p
}

// BasicAuth sets the credentials of HTTP basic auth.
func (p *Pusher) BasicAuth(username, password string) *Pusher {
	p.opts.Username, p.opts.Password = username, password
	return p
}

// Push replaces every metric of the group with the registry's (HTTP PUT). An answer other than
// 2xx is ErrHTTP, its message holding the status and the gateway's explanation; no connection or
// a timeout is ErrIO.
func (p *Pusher) Push() error { return p.send(pushPut) }

// PushAdd replaces only the group's metrics that have the same names as pushed ones (HTTP POST).
func (p *Pusher) PushAdd() error { return p.send(pushPost) }

// Add is PushAdd, under client_golang's name.
func (p *Pusher) Add() error { return p.send(pushPost) }

// Delete deletes the group from the gateway (HTTP DELETE); deleting a missing group succeeds.
func (p *Pusher) Delete() error { return p.send(pushDelete) }

// pushMillis converts a timeout; 0 keeps the library's default, anything positive is at least 1 ms.
func pushMillis(name string, d time.Duration) (C.uint64_t, error) {
	if d < 0 {
		return 0, goError(StatusInvalidConfig, fmt.Sprintf("PushOpts.%s is negative", name))
	}
	if d == 0 {
		return 0, nil
	}
	return C.uint64_t(max(d.Milliseconds(), 1)), nil
}

type pushMethod int

const (
	pushPut pushMethod = iota
	pushPost
	pushDelete
)

func (p *Pusher) send(method pushMethod) error {
	var opts C.struct_pe_push_options
	opts.struct_size = C.size_t(unsafe.Sizeof(opts))
	var err error
	if opts.timeout_ms, err = pushMillis("Timeout", p.opts.Timeout); err != nil {
		return err
	}
	if opts.connect_timeout_ms, err = pushMillis("ConnectTimeout", p.opts.ConnectTimeout); err != nil {
		return err
	}
	var toFree []*C.char
	str := func(s string) *C.char {
		c := cString(s)
		toFree = append(toFree, c)
		return c
	}
	defer func() {
		for _, c := range toFree {
			free(c)
		}
	}()
	if p.opts.Username != "" {
		opts.username = str(p.opts.Username)
		opts.password = str(p.opts.Password)
	}
	if p.opts.CAFile != "" {
		opts.ca_file = str(p.opts.CAFile)
	}
	gateway, job := str(p.gateway), str(p.job)
	names, values := newCStrings(p.groupingNames), newCStrings(p.groupingValues)
	defer names.free()
	defer values.free()

	var registry *C.struct_pe_registry
	if p.registry != nil {
		if p.registry.h == nil {
			return ErrClosed
		}
		registry = p.registry.h
	}
	switch method {
	case pushPut:
		err = pe_push(gateway, job, names.ptr(), values.ptr(), names.len(), registry, &opts)
	case pushPost:
		err = pe_pushadd(gateway, job, names.ptr(), values.ptr(), names.len(), registry, &opts)
	case pushDelete:
		err = pe_push_delete(gateway, job, names.ptr(), values.ptr(), names.len(), &opts)
	}
	runtime.KeepAlive(p.registry)
	return err
}
