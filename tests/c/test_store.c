/* The shared store from C, as a pre-fork server uses it: the parent opens a store and makes its
   metrics on it, forks workers that update them (and make new label sets), and scrapes every
   worker's values; workers killed with SIGKILL at any moment lose no completed increment. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define WORKERS 8
#define INCREMENTS 1000000
#define NEW_SERIES 200

static char *scrape(pe_registry *registry) {
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    return text;
}

/* The value of the sample line that starts with `sample` and a space; -1 when there is none. */
static double sample_value(const char *text, const char *sample) {
    size_t n = strlen(sample);
    for (const char *line = text; line && *line; line = strchr(line, '\n') + 1) {
        if (strncmp(line, sample, n) == 0 && line[n] == ' ') return strtod(line + n + 1, NULL);
        if (!strchr(line, '\n')) break;
    }
    return -1;
}

static void wait_for(pid_t pid) {
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
}

int main(void) {
    char dir[] = "/tmp/pe_store_test_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    pe_store *store = NULL;
    OK(pe_store_open(dir, NULL, &store));

    const char *labels[] = {"route"};
    pe_metric_opts opts = {0};
    opts.struct_size = sizeof opts;
    opts.name = "requests";
    opts.help = "Requests served.";
    opts.label_names = labels;
    opts.n_label_names = 1;
    opts.store = store;
    pe_counter *requests = NULL;
    OK(pe_counter_new_opts(&opts, &requests));

    pe_metric_opts gauge_opts = {0};
    gauge_opts.struct_size = sizeof gauge_opts;
    gauge_opts.name = "busy_workers";
    gauge_opts.store = store;
    gauge_opts.gauge_mode = PE_GAUGE_MODE_LIVESUM;
    pe_gauge *busy = NULL;
    OK(pe_gauge_new_opts(&gauge_opts, &busy));

    /* A gauge mode that is no mode, and a type the store cannot hold, are refused clearly. */
    gauge_opts.name = "bad_mode";
    gauge_opts.gauge_mode = 42;
    pe_gauge *bad = NULL;
    FAILS(pe_gauge_new_opts(&gauge_opts, &bad), PE_ERR_INVALID_VALUE, "gauge_mode");
    pe_metric_opts ttl_opts = opts;
    ttl_opts.name = "expiring";
    ttl_opts.series_ttl_seconds = 60;
    pe_counter *expiring = NULL;
    FAILS(pe_counter_new_opts(&ttl_opts, &expiring), PE_ERR_INVALID_CONFIG, "series_ttl");

    /* Info, enum and exemplars are in the store: what a worker sets, the parent exposes. */
    pe_metric_opts info_opts = {0};
    info_opts.struct_size = sizeof info_opts;
    info_opts.name = "build";
    info_opts.store = store;
    pe_info *info = NULL;
    OK(pe_info_new_opts(&info_opts, &info));
    pe_metric_opts enum_opts = info_opts;
    enum_opts.name = "phase";
    const char *states[] = {"starting", "serving"};
    pe_enum *phase = NULL;
    OK(pe_enum_new_opts(&enum_opts, states, 2, false, &phase));
    pe_metric_opts traced_opts = info_opts;
    traced_opts.name = "traced";
    pe_counter *traced = NULL;
    OK(pe_counter_new_opts(&traced_opts, &traced));
    pid_t setter = fork();
    CHECK(setter >= 0);
    if (setter == 0) {
        const char *names[] = {"version"}, *values[] = {"2.1"};
        OK(pe_info_set(info, names, values, 1));
        OK(pe_enum_set(phase, "serving"));
        const char *ex_names[] = {"trace_id"}, *ex_values[] = {"f00"};
        OK(pe_counter_inc_with_exemplar(traced, 1, ex_names, ex_values, 1, 1700000000.0));
        _exit(0);
    }
    wait_for(setter);

    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_collector *collector = NULL;
    OK(pe_store_collector(store, &collector));
    OK(pe_registry_register_collector(registry, collector));
    {
        char *om = NULL;
        size_t om_len = 0;
        OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &om, &om_len));
        EQ(sample_value(om, "build_info{version=\"2.1\"}"), 1);
        EQ(sample_value(om, "phase{phase=\"serving\"}"), 1);
        EQ(sample_value(om, "phase{phase=\"starting\"}"), 0);
        CHECK(strstr(om, "traced_total 1 # {trace_id=\"f00\"} 1 1700000000") != NULL);
        pe_string_free(om);
    }

    /* 8 workers, each 1M increments of one shared series and new label sets of its own. */
    const char *shared[] = {"/"};
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        CHECK(pids[w] >= 0);
        if (pids[w] == 0) {
            pe_counter *child = NULL;
            OK(pe_counter_labels(requests, shared, 1, &child));
            OK(pe_gauge_set(busy, 1));
            for (int i = 0; i < INCREMENTS; i++) {
                OK(pe_counter_inc(child, 1));
                if (i % (INCREMENTS / NEW_SERIES) == 0) {
                    char route[32];
                    snprintf(route, sizeof route, "/w%d/%d", w, i / (INCREMENTS / NEW_SERIES));
                    const char *values[] = {route};
                    OK(pe_counter_inc_labels(requests, values, 1, 2));
                }
            }
            _exit(0);
        }
    }
    for (int w = 0; w < WORKERS; w++) wait_for(pids[w]);
    char *text = scrape(registry);
    EQ(sample_value(text, "requests_total{route=\"/\"}"), (double)WORKERS * INCREMENTS);
    EQ(sample_value(text, "requests_total{route=\"/w7/199\"}"), 2);
    EQ(sample_value(text, "requests_total{route=\"/w0/0\"}"), 2);
    /* Every worker is dead: a livesum gauge counts the parent alone, which made it at 0. */
    EQ(sample_value(text, "busy_workers"), 0);
    pe_string_free(text);

    /* Workers killed at random moments, some while making new label sets (under the store's
       lock): each publishes how many increments returned before it was killed. */
    volatile uint64_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                   -1, 0);
    CHECK(done != MAP_FAILED);
    srand((unsigned)getpid());
    for (int round = 0; round < 4; round++) {
        for (int w = 0; w < WORKERS; w++) {
            pids[w] = fork();
            CHECK(pids[w] >= 0);
            if (pids[w] == 0) {
                char name[32];
                snprintf(name, sizeof name, "killed%d", round * WORKERS + w);
                const char *values[] = {name};
                for (uint64_t i = 0;; i++) {
                    OK(pe_counter_inc_labels(requests, values, 1, 1));
                    done[round * WORKERS + w] = i + 1;
                    char route[48];
                    snprintf(route, sizeof route, "/k%d/%llu", round * WORKERS + w,
                             (unsigned long long)i);
                    const char *fresh[] = {route};
                    OK(pe_counter_inc_labels(requests, fresh, 1, 1));
                }
            }
        }
        usleep(20000 + (useconds_t)(rand() % 30000));
        for (int w = 0; w < WORKERS; w++) {
            usleep((useconds_t)(rand() % 2000));
            kill(pids[w], SIGKILL);
        }
        for (int w = 0; w < WORKERS; w++) wait_for(pids[w]);
    }
    text = scrape(registry);
    for (int k = 0; k < 4 * WORKERS; k++) {
        char sample[64];
        snprintf(sample, sizeof sample, "requests_total{route=\"killed%d\"}", k);
        double got = sample_value(text, sample);
        /* The increment that returned is counted; one more may have landed before the kill. */
        CHECK(done[k] > 0);
        CHECK(got == (double)done[k] || got == (double)done[k] + 1);
    }
    EQ(sample_value(text, "requests_total{route=\"/\"}"), (double)WORKERS * INCREMENTS);
    pe_string_free(text);

    /* The parent still makes series after all of that (the lock recovered from any holder). */
    const char *after[] = {"/after"};
    OK(pe_counter_inc_labels(requests, after, 1, 5));
    OK(pe_store_mark_process_dead(store, 12345678));
    text = scrape(registry);
    EQ(sample_value(text, "requests_total{route=\"/after\"}"), 5);
    pe_string_free(text);

    /* A store the library cannot read is refused with PE_ERR_STORE, and its file left alone. */
    char path[96];
    snprintf(path, sizeof path, "%s/prometheus_emulator.store", dir);
    char bad_dir[] = "/tmp/pe_store_bad_XXXXXX";
    CHECK(mkdtemp(bad_dir) != NULL);
    char bad_path[96];
    snprintf(bad_path, sizeof bad_path, "%s/prometheus_emulator.store", bad_dir);
    FILE *f = fopen(bad_path, "w");
    CHECK(f != NULL);
    for (int i = 0; i < 8192; i++) fputc('x', f);
    fclose(f);
    pe_store *corrupt = NULL;
    FAILS(pe_store_open(bad_dir, NULL, &corrupt), PE_ERR_STORE, "magic");
    CHECK(corrupt == NULL);
    FAILS(pe_store_open("/nonexistent/dir", NULL, &corrupt), PE_ERR_IO, "/nonexistent/dir");
    unlink(bad_path);
    rmdir(bad_dir);

    pe_registry_free(registry);
    pe_collector_free(collector);
    pe_gauge_free(busy);
    pe_info_free(info);
    pe_enum_free(phase);
    pe_counter_free(traced);
    pe_counter_free(requests);
    pe_store_free(store);
    unlink(path);
    rmdir(dir);
    printf("ok\n");
    return 0;
}
