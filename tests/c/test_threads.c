/* Concurrency from C: 8 threads x 1M increments on one counter, on a bound child and through
 * one-shot labelled increments; totals must be exact. Collections run alongside. */
#include <pthread.h>
#include <time.h>

#include "check.h"

#define THREADS 8
#define INCREMENTS 1000000

typedef struct {
    pe_counter *target;   /* the counter or bound child to increment */
    pe_counter *family;   /* the labelled family for one-shot increments */
    const char *values[2];
} job;

static void *inc_handle(void *arg) {
    job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (pe_counter_inc(j->target, 1) != PE_OK) exit(2);
    }
    return NULL;
}

static void *inc_labels(void *arg) {
    job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (pe_counter_inc_labels(j->family, j->values, 2, 1) != PE_OK) exit(3);
    }
    return NULL;
}

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static int done = 0;

static int is_done(void) {
    CHECK(pthread_mutex_lock(&done_lock) == 0);
    int value = done;
    CHECK(pthread_mutex_unlock(&done_lock) == 0);
    return value;
}

static void *scrape(void *arg) {
    pe_registry *registry = arg;
    while (!is_done()) {
        char *text = NULL;
        if (pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &text, NULL) != PE_OK) exit(4);
        pe_string_free(text);
        pe_snapshot *snapshot = NULL;
        if (pe_registry_snapshot(registry, &snapshot) != PE_OK) exit(5);
        pe_snapshot_free(snapshot);
        nanosleep(&(struct timespec){0, 1000000}, NULL); /* a scrape every millisecond */
    }
    return NULL;
}

static void run(void *(*body)(void *), job *jobs) {
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, body, &jobs[t]) == 0);
    for (int t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
}

int main(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_counter *plain = NULL;
    OK(pe_counter_new("plain", NULL, NULL, 0, &plain));
    const char *label_names[] = {"method", "code"};
    pe_counter *family = NULL;
    OK(pe_counter_new("labelled", NULL, label_names, 2, &family));
    OK(pe_registry_register_counter(registry, plain));
    OK(pe_registry_register_counter(registry, family));
    const char *bound_values[] = {"GET", "200"};
    pe_counter *bound = NULL;
    OK(pe_counter_labels(family, bound_values, 2, &bound));

    pthread_t scraper;
    CHECK(pthread_create(&scraper, NULL, scrape, registry) == 0);

    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t].target = plain;
        jobs[t].family = family;
        jobs[t].values[0] = "POST";
        jobs[t].values[1] = t % 2 ? "500" : "201";
    }
    run(inc_handle, jobs);
    EQ(counter_value(plain), (double)THREADS * INCREMENTS);

    for (int t = 0; t < THREADS; t++) jobs[t].target = bound;
    run(inc_handle, jobs);
    EQ(counter_value(bound), (double)THREADS * INCREMENTS);

    run(inc_labels, jobs);
    const char *post201[] = {"POST", "201"};
    const char *post500[] = {"POST", "500"};
    double value = 0;
    OK(pe_counter_get_labels(family, post201, 2, &value));
    EQ(value, THREADS / 2 * (double)INCREMENTS);
    OK(pe_counter_get_labels(family, post500, 2, &value));
    EQ(value, THREADS / 2 * (double)INCREMENTS);
    EQ(counter_value(family), 2.0 * THREADS * INCREMENTS);

    CHECK(pthread_mutex_lock(&done_lock) == 0);
    done = 1;
    CHECK(pthread_mutex_unlock(&done_lock) == 0);
    CHECK(pthread_join(scraper, NULL) == 0);
    pe_counter_free(bound);
    pe_counter_free(family);
    pe_counter_free(plain);
    pe_registry_free(registry);
    printf("ok\n");
    return 0;
}
