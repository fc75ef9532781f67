/* fork() while the library is busy: the parent's exporter is being scraped, one thread adds
 * series (write locks), another exposes the registry (read locks). Each of 100 children, forked
 * one after another, updates and exposes, starts, scrapes and stops its own exporter, stops the
 * exporter it inherited (which must neither join nor abort) and exits 0 through exit(), within a
 * deadline. The parent's exporter keeps serving throughout. */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"
#include "http_get.h"

#define CHILDREN 100
#define CHILD_DEADLINE_MS 10000

static pe_registry *registry;
static pe_counter *jobs;
static uint16_t parent_port;
static int stop; /* read and written with __atomic builtins (C99 has no atomics) */

static void *scrape_loop(void *arg) {
    static char buf[1 << 20];
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) http_get(parent_port, "/metrics", "", buf, sizeof buf);
    return NULL;
}

static void *add_series_loop(void *arg) {
    char value[32];
    const char *values[] = {value};
    long i = 0;
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
        snprintf(value, sizeof value, "parent-%ld", i++ % 5000);
        pe_counter_inc_labels(jobs, values, 1, 1.0);
    }
    return NULL;
}

static void *expose_loop(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
        char *text = NULL;
        size_t len = 0;
        if (pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &text, &len) == PE_OK)
            pe_string_free(text);
    }
    return NULL;
}

/* What a child does; any failure exits non-zero. */
static void child(int index, pe_exporter *inherited) {
    static char buf[1 << 20];
    char value[32];
    const char *values[] = {value};
    double got = 0;
    snprintf(value, sizeof value, "child-%d", index);
    OK(pe_counter_inc_labels(jobs, values, 1, 2.0));
    OK(pe_counter_get_labels(jobs, values, 1, &got));
    CHECK(got == 2.0);
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    CHECK(strstr(text, value) != NULL);
    pe_string_free(text);

    pe_exporter_options opts = {0};
    opts.struct_size = sizeof opts;
    opts.address = "127.0.0.1:0";
    pe_exporter *own = NULL;
    uint16_t port = 0;
    OK(pe_exporter_start(&opts, registry, &own));
    OK(pe_exporter_port(own, &port));
    CHECK(http_get(port, "/metrics", "", buf, sizeof buf) > 0);
    CHECK(strstr(buf, "200 OK") != NULL && strstr(buf, value) != NULL);
    pe_exporter_stop(own);
    /* The inherited exporter is the parent's: stopping it here must neither join nor abort. */
    pe_exporter_stop(inherited);
    exit(0);
}

static double elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1e3 + (now.tv_nsec - since->tv_nsec) / 1e6;
}

/* Waits for `pid` until the deadline; kills it and returns -1 when it hangs. */
static int wait_with_deadline(pid_t pid) {
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    for (;;) {
        int status = 0;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (elapsed_ms(&began) > CHILD_DEADLINE_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
}

int main(void) {
    static char buf[1 << 20];
    const char *label[] = {"worker"};
    OK(pe_registry_new(&registry));
    OK(pe_counter_new("jobs_total", "Jobs done.", label, 1, &jobs));
    OK(pe_registry_register_counter(registry, jobs));

    pe_exporter_options opts = {0};
    opts.struct_size = sizeof opts;
    opts.address = "127.0.0.1:0";
    pe_exporter *exporter = NULL;
    OK(pe_exporter_start(&opts, registry, &exporter));
    OK(pe_exporter_port(exporter, &parent_port));

    pthread_t threads[3];
    CHECK(pthread_create(&threads[0], NULL, scrape_loop, NULL) == 0);
    CHECK(pthread_create(&threads[1], NULL, add_series_loop, NULL) == 0);
    CHECK(pthread_create(&threads[2], NULL, expose_loop, NULL) == 0);

    int failed = 0;
    for (int i = 0; i < CHILDREN; i++) {
        fflush(NULL);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) child(i, exporter);
        int code = wait_with_deadline(pid);
        if (code != 0) {
            fprintf(stderr, "child %d: %s %d\n", i, code < 0 ? "hung, killed" : "exit", code);
            failed++;
        }
    }
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    CHECK(failed == 0);

    /* The parent's exporter served throughout and still does; the children's series are theirs. */
    CHECK(http_get(parent_port, "/metrics", "", buf, sizeof buf) > 0);
    CHECK(strstr(buf, "200 OK") != NULL && strstr(buf, "jobs_total{worker=\"parent-0\"}") != NULL);
    CHECK(strstr(buf, "child-") == NULL);
    pe_exporter_stop(exporter);
    pe_counter_free(jobs);
    pe_registry_free(registry);
    printf("%d children: ok\n", CHILDREN);
    return 0;
}
