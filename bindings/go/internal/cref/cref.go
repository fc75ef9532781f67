// Package cref builds, through the C API alone, the same metrics as the Go binding's exposition
// test builds through package promemu, so the test can compare the two expositions byte for
// byte. (cgo is not allowed in _test.go files, hence this internal package.)
package cref

/*
#include <stdlib.h>
#include "prometheus_emulator.h"

#define TRY(call) do { pe_status s_ = (call); if (s_ != PE_OK) return s_; } while (0)

static pe_metric_opts opts(const char *ns, const char *sub, const char *name, const char *help, const char *unit,
                           const char *const *labels, size_t n) {
    pe_metric_opts o = {0};
    o.struct_size = sizeof o;
    o.namespace_ = ns; o.subsystem = sub; o.name = name; o.help = help; o.unit = unit;
    o.label_names = labels; o.n_label_names = n;
    return o;
}

// Keep in step with buildGo in exposition_test.go.
static pe_status build(pe_registry *r) {
    pe_counter *requests, *plain, *big;
    pe_gauge *temperature, *queue, *infinite;
    pe_histogram *latency;
    pe_summary *size;
    pe_info *build_info;
    pe_enum *mode, *workers, *features;

    const char *method_code[] = {"method", "code"};
    pe_metric_opts o = opts("", "", "requests_total", "Requests served.", "", method_code, 2);
    TRY(pe_counter_new_opts(&o, &requests));
    const char *get200[] = {"GET", "200"}, *post500[] = {"POST", "500"};
    TRY(pe_counter_inc_labels(requests, get200, 2, 3));
    TRY(pe_counter_inc_labels(requests, post500, 2, 1.5));
    TRY(pe_registry_register_counter(r, requests));

    o = opts("app", "http", "plain", "A counter with a namespace.", "", NULL, 0);
    TRY(pe_counter_new_opts(&o, &plain));
    TRY(pe_counter_inc(plain, 7));
    TRY(pe_registry_register_counter(r, plain));

    o = opts("", "", "big", "Large values.", "bytes", NULL, 0);
    TRY(pe_counter_new_opts(&o, &big));
    TRY(pe_counter_inc(big, 1e300));
    TRY(pe_registry_register_counter(r, big));

    o = opts("", "", "temperature", "Degrees.", "celsius", NULL, 0);
    TRY(pe_gauge_new_opts(&o, &temperature));
    TRY(pe_gauge_set(temperature, -3.5));
    TRY(pe_registry_register_gauge(r, temperature));

    const char *q[] = {"queue"};
    o = opts("", "", "queue_length", "Help with \\ backslash and\nnewline.", "", q, 1);
    TRY(pe_gauge_new_opts(&o, &queue));
    const char *odd[] = {"a\"b\\c\nd"}, *plain_q[] = {"jobs"}, *utf8[] = {"caf\xc3\xa9"};
    TRY(pe_gauge_set_labels(queue, odd, 1, 10));
    TRY(pe_gauge_inc_labels(queue, plain_q, 1, 2));
    TRY(pe_gauge_dec_labels(queue, plain_q, 1, 0.5));
    TRY(pe_gauge_set_labels(queue, utf8, 1, 5e-324));
    TRY(pe_registry_register_gauge(r, queue));

    o = opts("", "", "infinite", "", "", NULL, 0);
    TRY(pe_gauge_new_opts(&o, &infinite));
    TRY(pe_gauge_set(infinite, 1.0 / 0.0));
    TRY(pe_registry_register_gauge(r, infinite));

    double bounds[3];
    TRY(pe_linear_buckets(0.1, 0.1, 3, bounds));
    const char *path[] = {"path"};
    o = opts("", "", "latency", "Request latency.", "seconds", path, 1);
    TRY(pe_histogram_new_opts(&o, bounds, 3, &latency));
    const char *root[] = {"/"}, *api[] = {"/api"};
    double observations[] = {0.05, 0.15, 0.25, 1.0, 0.1};
    for (int i = 0; i < 5; i++) TRY(pe_histogram_observe_labels(latency, root, 1, observations[i]));
    TRY(pe_histogram_observe_labels(latency, api, 1, -1.0 / 0.0));
    TRY(pe_registry_register_histogram(r, latency));

    double quantiles[] = {0.5, 0.9}, errors[] = {0.05, 0.01};
    o = opts("", "", "size", "Sizes.", "", NULL, 0);
    TRY(pe_summary_new_opts(&o, quantiles, errors, 2, 0, 0, &size));
    for (int i = 1; i <= 100; i++) TRY(pe_summary_observe(size, i));
    TRY(pe_registry_register_summary(r, size));

    o = opts("", "", "build", "Build information.", "", NULL, 0);
    TRY(pe_info_new_opts(&o, &build_info));
    const char *info_names[] = {"revision", "version"}, *info_values[] = {"abc", "1.2.3"};
    TRY(pe_info_set(build_info, info_names, info_values, 2));
    TRY(pe_registry_register_info(r, build_info));

    const char *states[] = {"idle", "busy", "down"};
    o = opts("", "", "mode", "Mode.", "", NULL, 0);
    TRY(pe_enum_new_opts(&o, states, 3, false, &mode));
    TRY(pe_enum_set(mode, "busy"));
    TRY(pe_registry_register_enum(r, mode));

    const char *worker[] = {"worker"}, *w1[] = {"w1"};
    o = opts("", "", "worker_state", "Per worker.", "", worker, 1);
    TRY(pe_enum_new_opts(&o, states, 3, false, &workers));
    TRY(pe_enum_set_labels(workers, w1, 1, "down"));
    TRY(pe_registry_register_enum(r, workers));

    const char *flags[] = {"a", "b"};
    o = opts("", "", "features", "Flags.", "", NULL, 0);
    TRY(pe_enum_new_opts(&o, flags, 2, true, &features));
    TRY(pe_enum_set_state(features, "b", true));
    TRY(pe_registry_register_enum(r, features));

    pe_counter_free(requests); pe_counter_free(plain); pe_counter_free(big);
    pe_gauge_free(temperature); pe_gauge_free(queue); pe_gauge_free(infinite);
    pe_histogram_free(latency); pe_summary_free(size); pe_info_free(build_info);
    pe_enum_free(mode); pe_enum_free(workers); pe_enum_free(features);
    return PE_OK;
}

// Builds the reference registry and renders it in format; *out is freed with pe_string_free.
static pe_status expose_reference(pe_format format, char **out, size_t *len, char **message) {
    pe_registry *r = NULL;
    pe_status status = pe_registry_new(&r);
    if (status == PE_OK) status = build(r);
    if (status == PE_OK) status = pe_registry_expose(r, format, out, len);
    if (status != PE_OK) *message = (char *)pe_last_error();
    pe_registry_free(r);
    return status;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Expose builds the reference metrics in a new registry through the C API and returns their
// exposition in format (0: Prometheus text 0.0.4, 1: OpenMetrics).
func Expose(format int) ([]byte, error) {
	var text, message *C.char
	var length C.size_t
	status := C.expose_reference(C.pe_format(format), &text, &length, &message)
	if status != C.PE_OK {
		return nil, fmt.Errorf("cref: status %d: %s", int(status), C.GoString(message))
	}
	defer C.pe_string_free(text)
	return C.GoBytes(unsafe.Pointer(text), C.int(length)), nil
}
