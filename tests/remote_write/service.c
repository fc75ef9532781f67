/* A C service pushing its registry with the library's sender: a labelled counter, a gauge, a
 * classic and a native histogram and a summary, sent every 50 ms, flushed after each round of
 * updates. tests/remote_write_senders.rs runs it against real Prometheus receivers and queries
 * what they stored.
 *
 * argv: 1 the receiver's URL, 2 the protocol ("rw" for Remote Write 2.0 falling back to 1.0,
 * "otlp"), 3 the job. Prints "flushed <round>" after each flush, then "stopped". */
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

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL rw|otlp JOB\n", argv[0]);
        return 2;
    }
    pe_registry *registry = NULL;
    check(pe_registry_new(&registry), "pe_registry_new");

    const char *code[] = {"code"};
    pe_counter *requests = NULL;
    check(pe_counter_new("requests_total", "Requests.", code, 1, &requests), "counter");
    check(pe_registry_register_counter(registry, requests), "register counter");
    pe_gauge *in_flight = NULL;
    check(pe_gauge_new("in_flight", "In flight.", NULL, 0, &in_flight), "gauge");
    check(pe_registry_register_gauge(registry, in_flight), "register gauge");

    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "latency_seconds";
    opts.help = "Latency.";
    const double bounds[] = {0.1, 1};
    pe_histogram *latency = NULL;
    check(pe_histogram_new_opts(&opts, bounds, 2, &latency), "histogram");
    check(pe_registry_register_histogram(registry, latency), "register histogram");

    opts.name = "wait_seconds";
    opts.help = "Wait.";
    pe_native_histogram_opts native;
    memset(&native, 0, sizeof native);
    native.struct_size = sizeof native;
    native.bucket_factor = 1.1;
    pe_histogram *wait = NULL;
    check(pe_histogram_new_native(&opts, NULL, 0, &native, &wait), "native histogram");
    check(pe_registry_register_histogram(registry, wait), "register native histogram");

    pe_summary *rpc = NULL;
    check(pe_summary_new("rpc_seconds", "RPC.", NULL, 0, &rpc), "summary");
    check(pe_registry_register_summary(registry, rpc), "register summary");

    pe_sender_options sender_opts;
    memset(&sender_opts, 0, sizeof sender_opts);
    sender_opts.struct_size = sizeof sender_opts;
    sender_opts.url = argv[1];
    sender_opts.interval_ms = 50;
    const char *label_names[] = {"job", "instance"};
    const char *label_values[] = {argv[3], "c-service:1"};
    const char *attribute_keys[] = {"service.name", "service.instance.id"};
    if (strcmp(argv[2], "otlp") == 0) {
        sender_opts.protocol = PE_SENDER_OTLP;
        sender_opts.resource_attribute_keys = attribute_keys;
        sender_opts.resource_attribute_values = label_values;
        sender_opts.n_resource_attributes = 2;
    } else {
        sender_opts.protocol = PE_SENDER_REMOTE_WRITE;
        sender_opts.external_label_names = label_names;
        sender_opts.external_label_values = label_values;
        sender_opts.n_external_labels = 2;
    }
    pe_sender *sender = NULL;
    check(pe_sender_start(registry, &sender_opts, &sender), "pe_sender_start");

    /* Two rounds: what the receiver holds last is the second round's totals. */
    const char *ok[] = {"200"};
    const char *failed[] = {"500"};
    const double waits[] = {0.25, 0.5, 0.5, 4, -2};
    for (int round = 1; round <= 2; round++) {
        check(pe_counter_inc_labels(requests, ok, 1, 2), "inc");
        check(pe_counter_inc_labels(requests, failed, 1, 1), "inc");
        check(pe_gauge_set(in_flight, round * 10.5), "set");
        check(pe_histogram_observe(latency, 0.0625), "observe");
        check(pe_histogram_observe(latency, 4), "observe");
        for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++)
            check(pe_histogram_observe(wait, waits[i]), "observe native");
        check(pe_summary_observe(rpc, 0.25), "observe summary");
        check(pe_sender_flush(sender, 10), "pe_sender_flush");
        printf("flushed %d\n", round);
        fflush(stdout);
    }
    check(pe_sender_stop(sender, 10), "pe_sender_stop");
    pe_sender_free(sender);
    puts("stopped");

    pe_summary_free(rpc);
    pe_histogram_free(wait);
    pe_histogram_free(latency);
    pe_gauge_free(in_flight);
    pe_counter_free(requests);
    pe_registry_free(registry);
    return 0;
}
