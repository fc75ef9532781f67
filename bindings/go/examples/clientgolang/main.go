// Command clientgolang is a Go HTTP service with one /metrics for everything: client_golang's Go
// and process collectors, the metrics of a C library (worklib, linked through cgo) updating
// prometheus_emulator metrics, and the service's own promemu metrics. The promemu registry is
// the one registry; the client_golang registry is exposed through it (clientgolang.Register,
// which refuses names exposed twice as client_golang's Gatherers would).
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../../../include
#include <stdlib.h>
#include "worklib.h"
*/
import "C"

import (
	"fmt"
	"log"
	"net/http"
	"strconv"
	"unsafe"

	"github.com/prometheus-emulator/promemu"
	"github.com/prometheus-emulator/promemu/clientgolang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// newService makes the registry, hands it to the C library, joins client_golang's collectors to
// it and returns the service's routes: /work?kind=...&n=... (the C library does the work) and
// /metrics.
func newService() (http.Handler, error) {
	registry := promemu.NewRegistry()
	// The C library registers its metrics in the registry it is given.
	if status := C.worklib_init((*C.pe_registry)(registry.CHandle())); status != 0 {
		return nil, fmt.Errorf("worklib_init: %s", promemu.Status(status))
	}

	goMetrics := prometheus.NewRegistry()
	goMetrics.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if _, err := clientgolang.Register(registry, goMetrics); err != nil {
		return nil, err
	}

	requests := promemu.MustNewCounterVec(promemu.CounterOpts{
		Name: "service_requests_total",
		Help: "Requests served, by path.",
	}, []string{"path"})
	registry.MustRegister(requests)

	mux := http.NewServeMux()
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		requests.WithLabelValues("/work").Inc()
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			n = 1
		}
		kind := C.CString(r.URL.Query().Get("kind"))
		defer C.free(unsafe.Pointer(kind))
		C.worklib_work(kind, C.int(n))
		fmt.Fprintf(w, "did %d\n", n)
	})
	mux.Handle("/metrics", promemu.Handler(registry))
	return mux, nil
}

func main() {
	service, err := newService()
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(":8080", service))
}
