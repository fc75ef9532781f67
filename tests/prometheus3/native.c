/* A C program with a native histogram, served for a Prometheus 3 to scrape: it observes
 * 1 ms, 2 ms, ... 1000 ms, prints the port its exporter listens on, and serves until stdin
 * closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus_emulator.h"

static void check(pe_status status, const char *what) {
    if (status != PE_OK) {
        fprintf(stderr, "%s: %s\n", what, pe_last_error());
        exit(1);
    }
}

int main(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "request_latency_seconds";
    opts.help = "Request latency.";
    pe_native_histogram_opts native;
    memset(&native, 0, sizeof native);
    native.struct_size = sizeof native;
    native.bucket_factor = 1.1;
    pe_histogram *latency = NULL;
    check(pe_histogram_new_native(&opts, NULL, 0, &native, &latency), "pe_histogram_new_native");
    for (int i = 1; i <= 1000; i++) check(pe_histogram_observe(latency, i / 1000.0), "observe");

    pe_registry *registry = NULL;
    check(pe_registry_new(&registry), "pe_registry_new");
    check(pe_registry_register_histogram(registry, latency), "register");
    pe_exporter_options options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.address = "127.0.0.1:0";
    pe_exporter *exporter = NULL;
    check(pe_exporter_start(&options, registry, &exporter), "pe_exporter_start");
    uint16_t port = 0;
    check(pe_exporter_port(exporter, &port), "pe_exporter_port");
    printf("port %u\n", (unsigned)port);
    fflush(stdout);
    while (getchar() != EOF) {
    }
    pe_exporter_stop(exporter);
    pe_histogram_free(latency);
    pe_registry_free(registry);
    return 0;
}
