/*
 * The demo workload in C: the seed's "Complete Application Example" on the C API.
 *
 * A simulated HTTP service handles 100 requests. It counts them by method, endpoint and status,
 * tracks active connections, times them in a histogram, records response sizes in a summary,
 * and publishes build info and a task-state enum. Then it serves the registry with the HTTP
 * exporter on a free loopback port, scrapes it once with curl (a real client), prints what came
 * back, stops the exporter and exits.
 *
 * Build against an installed copy:
 *   cc demo.c $(pkg-config --cflags --libs prometheus_emulator) -o demo
 */
#define _POSIX_C_SOURCE 200809L /* popen */
#include <stdio.h>
#include <stdlib.h>

#include "prometheus_emulator.h"

/* Exits with the library's message when a call fails: a demo has no better recovery. */
static void check(pe_status status, const char *what) {
    if (status != PE_OK) {
        fprintf(stderr, "%s failed: %s (%s)\n", what, pe_status_str(status), pe_last_error());
        exit(1);
    }
}

/* A small deterministic generator, so every run prints the same workload. */
static unsigned long long rng_state = 42;

static double next_unit(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static const char *pick(const char *const *items, size_t n) {
    return items[(size_t)(next_unit() * (double)n) % n];
}

/* Serves `registry` on a free loopback port and prints one scrape of it by curl. */
static void serve_and_scrape(pe_registry *registry) {
    pe_exporter_options options = {0};
    options.struct_size = sizeof options;
    options.address = "127.0.0.1:0";
    pe_exporter *exporter = NULL;
    check(pe_exporter_start(&options, registry, &exporter), "pe_exporter_start");
    uint16_t port = 0;
    check(pe_exporter_port(exporter, &port), "pe_exporter_port");

    char command[128];
    snprintf(command, sizeof command, "curl --silent --show-error --include http://127.0.0.1:%u/metrics",
             (unsigned)port);
    printf("=== %s ===\n", command);
    fflush(stdout);
    FILE *scrape = popen(command, "r");
    if (scrape == NULL) {
        perror("popen curl");
        exit(1);
    }
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, scrape)) > 0) {
        fwrite(buffer, 1, got, stdout);
    }
    int status = pclose(scrape);
    pe_exporter_stop(exporter); /* joins every thread the exporter started */
    if (status != 0) {
        fprintf(stderr, "curl failed (status %d)\n", status);
        exit(1);
    }
    printf("\n");
}

int main(void) {
    pe_registry *registry = NULL;
    check(pe_registry_new(&registry), "pe_registry_new");

    const char *request_labels[] = {"method", "endpoint", "status"};
    pe_counter *requests = NULL;
    check(pe_counter_new("http_requests_total", "Total HTTP requests", request_labels, 3, &requests),
          "pe_counter_new");

    pe_gauge *active = NULL;
    check(pe_gauge_new("active_connections", "Number of active connections", NULL, 0, &active),
          "pe_gauge_new");

    const char *duration_labels[] = {"endpoint"};
    const double buckets[] = {0.01, 0.05, 0.1, 0.5, 1.0, 5.0};
    pe_histogram *duration = NULL;
    check(pe_histogram_new("http_request_duration_seconds", "HTTP request duration",
                           duration_labels, 1, buckets, 6, &duration),
          "pe_histogram_new");

    pe_summary *sizes = NULL;
    check(pe_summary_new("http_response_size_bytes", "HTTP response size in bytes", NULL, 0, &sizes),
          "pe_summary_new");

    pe_info *build = NULL;
    check(pe_info_new("app_build", "Application build information", NULL, 0, &build), "pe_info_new");
    const char *info_names[] = {"version", "commit", "build_date"};
    const char *info_values[] = {"1.2.3", "abc123", "2024-01-15"};
    check(pe_info_set(build, info_names, info_values, 3), "pe_info_set");

    const char *states[] = {"pending", "running", "completed", "failed"};
    pe_enum *task_state = NULL;
    check(pe_enum_new("task_state", "Current task state", NULL, 0, states, 4, &task_state),
          "pe_enum_new");

    check(pe_registry_register_counter(registry, requests), "register requests");
    check(pe_registry_register_gauge(registry, active), "register active");
    check(pe_registry_register_histogram(registry, duration), "register duration");
    check(pe_registry_register_summary(registry, sizes), "register sizes");
    check(pe_registry_register_info(registry, build), "register build");
    check(pe_registry_register_enum(registry, task_state), "register task_state");

    /* The hot path: bind the child once, then update it with no lookup at all. */
    const char *users_get_ok[] = {"GET", "/api/users", "200"};
    pe_counter *users_ok = NULL;
    check(pe_counter_labels(requests, users_get_ok, 3, &users_ok), "pe_counter_labels");

    check(pe_enum_set(task_state, "running"), "pe_enum_set");
    const char *endpoints[] = {"/api/users", "/api/posts", "/api/comments"};
    const char *methods[] = {"GET", "POST", "PUT", "DELETE"};
    for (int i = 0; i < 100; i++) {
        const char *endpoint = pick(endpoints, 3);
        const char *method = pick(methods, 4);
        check(pe_gauge_inc(active, 1.0), "pe_gauge_inc");
        double seconds = 0.01 + next_unit() * 0.49;
        check(pe_histogram_observe_labels(duration, &endpoint, 1, seconds), "observe duration");
        const char *status = next_unit() > 0.1 ? "200" : "500";
        const char *labels[] = {method, endpoint, status};
        check(pe_counter_inc_labels(requests, labels, 3, 1.0), "pe_counter_inc_labels");
        check(pe_summary_observe(sizes, (double)(100 + (int)(next_unit() * 900.0))), "observe size");
        check(pe_gauge_dec(active, 1.0), "pe_gauge_dec");
    }
    check(pe_counter_inc(users_ok, 1.0), "pe_counter_inc");
    check(pe_enum_set(task_state, "completed"), "pe_enum_set");

    /* Errors are statuses, and the metric keeps its value. */
    pe_status bad = pe_counter_inc(users_ok, -1.0);
    printf("negative increment -> %s: %s\n\n", pe_status_str(bad), pe_last_error());

    serve_and_scrape(registry);

    double users = 0, median = 0;
    uint64_t timed = 0;
    check(pe_counter_get(users_ok, &users), "pe_counter_get");
    check(pe_histogram_count(duration, &timed), "pe_histogram_count");
    check(pe_summary_quantile(sizes, 0.5, &median), "pe_summary_quantile");
    printf("=== Metrics summary ===\n");
    printf("GET /api/users 200: %g\n", users);
    printf("requests timed: %llu\n", (unsigned long long)timed);
    printf("median response size: %g bytes\n", median);

    pe_counter_free(users_ok);
    pe_counter_free(requests);
    pe_gauge_free(active);
    pe_histogram_free(duration);
    pe_summary_free(sizes);
    pe_info_free(build);
    pe_enum_free(task_state);
    pe_registry_free(registry);
    return 0;
}
