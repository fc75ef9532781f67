/*
 * A plugin host: loads the library with dlopen(), uses it, frees everything it made, and
 * dlclose()s it, over and over. Run under valgrind by tests/plugin.rs: no invalid access and
 * nothing definitely lost, however many times the library comes and goes.
 *
 * usage: host <path to libprometheus_emulator.so> <iterations>
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep, under -std=c99 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prometheus_emulator.h"

/* The functions the host uses, looked up by name as a plugin host would. */
struct api {
    enum pe_status (*registry_new)(pe_registry **);
    void (*registry_free)(pe_registry *);
    enum pe_status (*counter_new)(const char *, const char *, const char *const *, size_t,
                                  pe_counter **);
    enum pe_status (*counter_labels)(pe_counter *, const char *const *, size_t, pe_counter **);
    enum pe_status (*counter_inc)(pe_counter *, double);
    void (*counter_free)(pe_counter *);
    enum pe_status (*histogram_new)(const char *, const char *, const char *const *, size_t,
                                    const double *, size_t, pe_histogram **);
    enum pe_status (*histogram_observe)(pe_histogram *, double);
    void (*histogram_free)(pe_histogram *);
    enum pe_status (*register_counter)(pe_registry *, pe_counter *);
    enum pe_status (*register_histogram)(pe_registry *, pe_histogram *);
    enum pe_status (*expose)(const pe_registry *, pe_format, char **, size_t *);
    void (*string_free)(char *);
    const char *(*last_error)(void);
};

#define LOAD(lib, api, field, symbol)                                            \
    do {                                                                         \
        *(void **)(&(api)->field) = dlsym((lib), (symbol));                      \
        if ((api)->field == NULL) {                                              \
            fprintf(stderr, "dlsym %s: %s\n", (symbol), dlerror());              \
            return 0;                                                            \
        }                                                                        \
    } while (0)

static int load(void *lib, struct api *api) {
    LOAD(lib, api, registry_new, "pe_registry_new");
    LOAD(lib, api, registry_free, "pe_registry_free");
    LOAD(lib, api, counter_new, "pe_counter_new");
    LOAD(lib, api, counter_labels, "pe_counter_labels");
    LOAD(lib, api, counter_inc, "pe_counter_inc");
    LOAD(lib, api, counter_free, "pe_counter_free");
    LOAD(lib, api, histogram_new, "pe_histogram_new");
    LOAD(lib, api, histogram_observe, "pe_histogram_observe");
    LOAD(lib, api, histogram_free, "pe_histogram_free");
    LOAD(lib, api, register_counter, "pe_registry_register_counter");
    LOAD(lib, api, register_histogram, "pe_registry_register_histogram");
    LOAD(lib, api, expose, "pe_registry_expose");
    LOAD(lib, api, string_free, "pe_string_free");
    LOAD(lib, api, last_error, "pe_last_error");
    return 1;
}

/* One plugin session: everything created is freed before returning. */
static int use_library(const struct api *api, int round) {
    pe_registry *registry = NULL;
    pe_counter *requests = NULL, *child = NULL;
    pe_histogram *latency = NULL;
    char *text = NULL;
    size_t len = 0;
    int ok = 0;
    const char *names[] = {"method"};
    const char *values[] = {"GET"};
    const double buckets[] = {0.1, 1.0};

    if (api->registry_new(&registry) != PE_OK ||
        api->counter_new("plugin_requests_total", "Requests", names, 1, &requests) != PE_OK ||
        api->counter_labels(requests, values, 1, &child) != PE_OK ||
        api->histogram_new("plugin_latency_seconds", "Latency", NULL, 0, buckets, 2, &latency) !=
            PE_OK ||
        api->register_counter(registry, requests) != PE_OK ||
        api->register_histogram(registry, latency) != PE_OK) {
        fprintf(stderr, "round %d: setup failed: %s\n", round, api->last_error());
        goto done;
    }
    for (int i = 0; i <= round % 7; i++) {
        api->counter_inc(child, 1.0);
        api->histogram_observe(latency, 0.5);
    }
    /* An error on purpose: it must be a status, with a message, and change nothing. */
    if (api->counter_inc(child, -1.0) == PE_OK || api->last_error()[0] == '\0') {
        fprintf(stderr, "round %d: a negative increment was accepted\n", round);
        goto done;
    }
    if (api->expose(registry, PE_FORMAT_OPENMETRICS, &text, &len) != PE_OK) {
        fprintf(stderr, "round %d: expose failed: %s\n", round, api->last_error());
        goto done;
    }
    char expected[128];
    snprintf(expected, sizeof expected, "plugin_requests_total{method=\"GET\"} %d\n",
             round % 7 + 1);
    if (strstr(text, expected) == NULL || len != strlen(text)) {
        fprintf(stderr, "round %d: unexpected exposition:\n%s", round, text);
        goto done;
    }
    ok = 1;
done:
    api->string_free(text);
    api->counter_free(child);
    api->counter_free(requests);
    api->histogram_free(latency);
    api->registry_free(registry);
    return ok;
}

static volatile sig_atomic_t signals_seen;

static void on_signal(int signal) {
    (void)signal;
    signals_seen++;
}

/* Whether the library is still mapped into the process (after dlclose it must not be). */
static int library_mapped(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        return -1;
    }
    char line[1024];
    int mapped = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        mapped |= strstr(line, "libprometheus_emulator") != NULL;
    }
    fclose(maps);
    return mapped;
}

/* A short first session (a counter incremented by whole numbers, the per-CPU path), after which
 * the library must really be gone from the process. First: once a thread has used a thread-local
 * value with a destructor (the library's last error message, for one), glibc keeps the library
 * loaded until that thread exits, and dlclose no longer unmaps it. */
static int short_session(const char *path) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 0;
    }
    struct api api;
    pe_counter *counter = NULL;
    int ok = load(lib, &api) && api.counter_new("last_total", "h", NULL, 0, &counter) == PE_OK &&
             api.counter_inc(counter, 1.0) == PE_OK && api.counter_inc(counter, 2.0) == PE_OK;
    if (counter != NULL) {
        api.counter_free(counter);
    }
    if (dlclose(lib) != 0 || !ok) {
        fprintf(stderr, "short session failed\n");
        return 0;
    }
    if (library_mapped() != 0) {
        fprintf(stderr, "the library is still mapped after dlclose\n");
        return 0;
    }
    return 1;
}

/* The host goes on after the last unload. The kernel looks at a thread's restartable-sequence
 * state whenever it delivers a signal or preempts the thread; nothing the library put there may
 * point into its unmapped code or data by then, or the kernel kills the host. */
static int survive_signals_and_preemption(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGUSR1, &action, NULL) != 0) {
        perror("sigaction");
        return 0;
    }
    for (int i = 0; i < 20; i++) {
        raise(SIGUSR1);
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
    if (signals_seen != 20) {
        fprintf(stderr, "%d of 20 signals handled\n", (int)signals_seen);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <library> <iterations>\n", argv[0]);
        return 2;
    }
    int iterations = atoi(argv[2]);
    if (!short_session(argv[1]) || !survive_signals_and_preemption()) {
        return 1;
    }
    for (int round = 0; round < iterations; round++) {
        void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            return 1;
        }
        struct api api;
        int ok = load(lib, &api) && use_library(&api, round);
        if (dlclose(lib) != 0) {
            fprintf(stderr, "dlclose: %s\n", dlerror());
            return 1;
        }
        if (!ok) {
            return 1;
        }
    }
    printf("%d rounds of dlopen, use, free, dlclose: ok\n", iterations);
    return 0;
}
