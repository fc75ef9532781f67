/* Collection under a scrape deadline from C: a custom collector (pe_collector_new_v2) that blocks
 * until released costs a scrape its families, not the scrape itself; the scrape answers within
 * the budget X-Prometheus-Scrape-Timeout-Seconds gives, with the fast families and
 * prometheus_emulator_collector_timeout_total{collector="c_slow"}; the collector is not started
 * again while it runs; pe_exporter_stop() returns once it has returned. Also: the new option
 * fields, older struct sizes, and the errors of pe_collector_new_v2. */
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "http_get.h"

static char response[1 << 16];

/* The slow collector's gate and counts. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_changed = PTHREAD_COND_INITIALIZER;
static int released = 0, calls = 0, returned = 0;

/* Waits until released (30 s at most, so a failing test ends), then adds its gauge. */
static void slow_collect(pe_collect_builder *builder, void *user_data) {
    struct timespec until;
    (void)user_data;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&gate_lock);
    calls++;
    while (!released) {
        if (pthread_cond_timedwait(&gate_changed, &gate_lock, &until) != 0) break;
    }
    returned++;
    pthread_cond_broadcast(&gate_changed);
    pthread_mutex_unlock(&gate_lock);
    pe_collect_family(builder, "c_slow_items", "Slow to count.", PE_METRIC_GAUGE, NULL);
    pe_collect_sample(builder, NULL, NULL, 0, 1, NAN);
}

static void counts(int *out_calls, int *out_returned) {
    pthread_mutex_lock(&gate_lock);
    *out_calls = calls;
    *out_returned = returned;
    pthread_mutex_unlock(&gate_lock);
}

static void release_gate(void) {
    pthread_mutex_lock(&gate_lock);
    released = 1;
    pthread_cond_broadcast(&gate_changed);
    pthread_mutex_unlock(&gate_lock);
}

static double fast_value(void *user_data) {
    (void)user_data;
    return 7;
}

static void fast_collect(pe_collect_builder *builder, void *user_data) {
    (void)user_data;
    pe_collect_family(builder, "c_fast_items", "Quick to count.", PE_METRIC_GAUGE, NULL);
    pe_collect_sample(builder, NULL, NULL, 0, 2, NAN);
}

static long scrape(uint16_t port, const char *headers) {
    long got = http_get(port, "/metrics", headers, response, sizeof response);
    CHECK(got > 0);
    CHECK(strncmp(response, "HTTP/1.1 200 OK\r\n", 17) == 0);
    return got;
}

static void *stop_exporter(void *exporter) {
    int c, r;
    pe_exporter_stop(exporter);
    counts(&c, &r);
    return (void *)(long)r; /* how many collections had returned when stop did */
}

int main(void) {
    pe_registry *registry = NULL;
    pe_collector *slow = NULL, *fast = NULL, *gauge = NULL, *other = NULL;
    pe_exporter *exporter = NULL, *other_exporter = NULL;
    pe_exporter_options opts = {0};
    pthread_t stopper;
    void *returned_at_stop = NULL;
    int c, r;
    uint16_t port = 0;

    /* pe_collector_new_v2's errors leave nothing behind. */
    FAILS(pe_collector_new_v2(NULL, slow_collect, NULL, NULL, &other), PE_ERR_NULL, "name");
    FAILS(pe_collector_new_v2("x", NULL, NULL, NULL, &other), PE_ERR_NULL, "collect");
    FAILS(pe_collector_new_v2("\xff", slow_collect, NULL, NULL, &other), PE_ERR_UTF8, "name");
    FAILS(pe_collector_new_v2("x", slow_collect, NULL, NULL, NULL), PE_ERR_NULL, "out");
    CHECK(other == NULL);

    OK(pe_registry_new(&registry));
    OK(pe_collector_new_v2("c_slow", slow_collect, NULL, NULL, &slow));
    OK(pe_collector_new(fast_collect, NULL, NULL, &fast));
    OK(pe_callback_gauge_new("c_queue_depth", "Items queued.", fast_value, NULL, NULL, &gauge));
    OK(pe_registry_register_collector(registry, slow));
    OK(pe_registry_register_collector(registry, fast));
    OK(pe_registry_register_collector(registry, gauge));

    opts.struct_size = sizeof opts;
    opts.address = "127.0.0.1:0";
    opts.collector_threads = 2;
    OK(pe_exporter_start(&opts, registry, &exporter));
    OK(pe_exporter_port(exporter, &port));

    /* A 1 s timeout: 0.5 s for the collectors, and the slow one waits for its gate. */
    scrape(port, "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n");
    CHECK(strstr(response, "\nc_fast_items 2\n"));
    CHECK(strstr(response, "\nc_queue_depth 7\n"));
    CHECK(strstr(response, "c_slow_items") == NULL);
    CHECK(strstr(response, "\nprometheus_emulator_collector_timeout_total{collector=\"c_slow\"} 1\n"));
    /* Still running: counted again, not started again. */
    scrape(port, "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n");
    CHECK(strstr(response, "\nprometheus_emulator_collector_timeout_total{collector=\"c_slow\"} 2\n"));
    counts(&c, &r);
    CHECK(c == 1 && r == 0);

    /* Stop waits for the collector still running (released once stop is likely under way). */
    CHECK(pthread_create(&stopper, NULL, stop_exporter, exporter) == 0);
    nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    release_gate();
    CHECK(pthread_join(stopper, &returned_at_stop) == 0);
    CHECK((long)returned_at_stop == 1);
    exporter = NULL;

    /* Without the header, inline as before: the collector returns, its family is there. */
    OK(pe_exporter_start(&opts, registry, &exporter));
    OK(pe_exporter_port(exporter, &port));
    scrape(port, "");
    CHECK(strstr(response, "\nc_slow_items 1\n"));
    pe_exporter_stop(exporter);

    /* Out of range: refused, nothing started. */
    opts.collector_threads = 5000;
    FAILS(pe_exporter_start(&opts, registry, &other_exporter), PE_ERR_INVALID_CONFIG,
          "collector_threads");
    CHECK(other_exporter == NULL);
    /* A caller compiled before the deadline fields: they are not read (5000 is ignored), and
     * the defaults apply. */
    opts.struct_size = offsetof(pe_exporter_options, scrape_timeout_margin_ms);
    OK(pe_exporter_start(&opts, registry, &other_exporter));
    OK(pe_exporter_port(other_exporter, &port));
    scrape(port, "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n");
    CHECK(strstr(response, "\nc_slow_items 1\n"));
    pe_exporter_stop(other_exporter);
    /* The first version, without max_connections, still works too. */
    opts.struct_size = offsetof(pe_exporter_options, max_connections);
    OK(pe_exporter_start(&opts, registry, &other_exporter));
    pe_exporter_stop(other_exporter);

    /* A default collection timeout puts scrapes without the header under a deadline; an
     * unnamed custom collector is counted as "pe_collector". */
    pthread_mutex_lock(&gate_lock);
    released = 0;
    pthread_mutex_unlock(&gate_lock);
    pe_registry_unregister_collector(registry, slow);
    pe_collector_free(slow);
    OK(pe_collector_new(slow_collect, NULL, NULL, &slow));
    OK(pe_registry_register_collector(registry, slow));
    opts.struct_size = sizeof opts;
    opts.collector_threads = 0;
    opts.default_collection_timeout_ms = 300;
    opts.max_collection_timeout_ms = 300;
    opts.scrape_timeout_margin_ms = 100;
    OK(pe_exporter_start(&opts, registry, &exporter));
    OK(pe_exporter_port(exporter, &port));
    scrape(port, "");
    CHECK(strstr(response, "\nc_fast_items 2\n"));
    CHECK(strstr(response, "c_slow_items") == NULL);
    CHECK(strstr(response, "\nprometheus_emulator_collector_timeout_total{collector=\"pe_collector\"} 1\n"));
    release_gate();
    pe_exporter_stop(exporter);

    pe_collector_free(slow);
    pe_collector_free(fast);
    pe_collector_free(gauge);
    pe_registry_free(registry);
    printf("ok\n");
    return 0;
}
