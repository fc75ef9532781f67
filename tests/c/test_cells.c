/* The cell protocol (pe_counter_get_cells, pe_gauge_get_cell) from C: threads updating the cells
 * directly under the header's rules, alongside threads calling the library, on one series. The
 * totals must be exact, resets and idle expiry must see the direct updates, and the functions
 * refuse what has no cells. The atomics are GCC's builtins (C99 has none). */
#include <pthread.h>
#include <stdint.h>

#include "check.h"

#define THREADS 4
#define INCREMENTS 500000

typedef struct {
    pe_counter *counter;
    pe_counter_cells cells;
    size_t cell;
} counter_job;

/* Both protocols' first step: mark the series active. */
static void touch(uint64_t *activity) {
    if (__atomic_load_n(activity, __ATOMIC_RELAXED) != 0)
        __atomic_store_n(activity, 0, __ATOMIC_RELAXED);
}

/* The rules of pe_counter_cells: touch the activity word, then one atomic add to any cell. */
static void add_direct(const pe_counter_cells *cells, size_t index, uint64_t whole) {
    touch(cells->activity);
    char *word = (char *)cells->whole + (index & (cells->n_cells - 1)) * cells->stride;
    __atomic_fetch_add((uint64_t *)(void *)word, whole, __ATOMIC_RELAXED);
}

/* The rules for any other valid amount: a compare-and-swap loop on one fraction word. */
static void add_fraction_direct(const pe_counter_cells *cells, size_t index, double v) {
    touch(cells->activity);
    char *word = (char *)cells->fraction + (index & (cells->n_cells - 1)) * cells->stride;
    uint64_t *bits = (uint64_t *)(void *)word;
    uint64_t old = __atomic_load_n(bits, __ATOMIC_RELAXED), next;
    do {
        double x;
        memcpy(&x, &old, sizeof x);
        x += v;
        memcpy(&next, &x, sizeof next);
    } while (!__atomic_compare_exchange_n(bits, &old, next, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

static void *direct(void *arg) {
    counter_job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (i % 2)
            add_direct(&j->cells, j->cell + (size_t)i, 1);
        else
            add_fraction_direct(&j->cells, j->cell + (size_t)i, 0.5);
    }
    return NULL;
}

static void *called(void *arg) {
    counter_job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (pe_counter_inc(j->counter, i % 2 ? 1 : 0.5) != PE_OK) exit(2);
    }
    return NULL;
}

typedef struct {
    pe_gauge *gauge;
    pe_gauge_cell cell;
} gauge_job;

/* The rules of pe_gauge_cell for an add: touch the activity word, then a compare-and-swap loop. */
static void gauge_add_direct(const pe_gauge_cell *cell, double v) {
    touch(cell->activity);
    uint64_t old = __atomic_load_n(cell->bits, __ATOMIC_RELAXED), next;
    do {
        double x;
        memcpy(&x, &old, sizeof x);
        x += v;
        memcpy(&next, &x, sizeof next);
    } while (!__atomic_compare_exchange_n(cell->bits, &old, next, 1, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
}

static void gauge_set_direct(const pe_gauge_cell *cell, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    touch(cell->activity);
    __atomic_store_n(cell->bits, bits, __ATOMIC_RELAXED);
}

static void *gauge_direct(void *arg) {
    gauge_job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) gauge_add_direct(&j->cell, 2);
    return NULL;
}

static void *gauge_called(void *arg) {
    gauge_job *j = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (pe_gauge_dec(j->gauge, 1) != PE_OK) exit(3);
    }
    return NULL;
}

int main(void) {
    /* A bound child: direct and called increments on one series add up exactly. */
    const char *names[] = {"path"};
    const char *root[] = {"/"};
    pe_counter *family = NULL, *child = NULL;
    OK(pe_counter_new("hits_total", NULL, names, 1, &family));
    OK(pe_counter_labels(family, root, 1, &child));
    pe_counter_cells cells;
    OK(pe_counter_get_cells(child, &cells));
    EQ(cells.protocol, PE_CELL_PROTOCOL);
    CHECK(cells.n_cells >= 1 && (cells.n_cells & (cells.n_cells - 1)) == 0);
    CHECK(cells.stride >= sizeof(uint64_t) && ((uintptr_t)cells.whole % 8) == 0);

    pthread_t threads[2 * THREADS];
    counter_job jobs[2 * THREADS];
    for (int t = 0; t < 2 * THREADS; t++) {
        jobs[t] = (counter_job){.counter = child, .cells = cells, .cell = (size_t)t};
        CHECK(pthread_create(&threads[t], NULL, t % 2 ? called : direct, &jobs[t]) == 0);
    }
    for (int t = 0; t < 2 * THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    /* Direct and called alike: alternately 0.5 and 1, 0.75 on average. */
    EQ(counter_value(child), 2 * THREADS * INCREMENTS * 0.75);
    double value = 0;
    OK(pe_counter_get_labels(family, root, 1, &value));
    EQ(value, THREADS * INCREMENTS * 1.5);
    CHECK(((uintptr_t)cells.fraction % 8) == 0 && cells.fraction != cells.whole);

    /* A reset clears what was added directly; later direct adds count from zero. */
    OK(pe_counter_reset(child));
    EQ(counter_value(child), 0);
    add_direct(&cells, 1, 7);
    EQ(counter_value(child), 7);

    /* A family without labels has cells; one with labels has none until a child is bound. */
    pe_counter *plain = NULL;
    OK(pe_counter_new("plain_total", NULL, NULL, 0, &plain));
    pe_counter_cells plain_cells;
    OK(pe_counter_get_cells(plain, &plain_cells));
    add_direct(&plain_cells, 0, 41);
    OK(pe_counter_inc(plain, 1));
    EQ(counter_value(plain), 42);
    FAILS(pe_counter_get_cells(family, &plain_cells), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_counter_get_cells(NULL, &plain_cells), PE_ERR_NULL, "counter");
    FAILS(pe_counter_get_cells(plain, NULL), PE_ERR_NULL, "out");

    /* A gauge: direct adds and called decrements add up; a direct set of NaN is a value. */
    pe_gauge *g = NULL;
    OK(pe_gauge_new("in_flight", NULL, NULL, 0, &g));
    pe_gauge_cell gcell;
    OK(pe_gauge_get_cell(g, &gcell));
    EQ(gcell.protocol, PE_CELL_PROTOCOL);
    gauge_job gjob = {.gauge = g, .cell = gcell};
    for (int t = 0; t < 2 * THREADS; t++)
        CHECK(pthread_create(&threads[t], NULL, t % 2 ? gauge_called : gauge_direct, &gjob) == 0);
    for (int t = 0; t < 2 * THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    EQ(gauge_value(g), THREADS * INCREMENTS * 2.0 - THREADS * INCREMENTS);
    gauge_set_direct(&gcell, NAN);
    CHECK(isnan(gauge_value(g)));
    gauge_set_direct(&gcell, -3.5);
    EQ(gauge_value(g), -3.5);
    pe_gauge *rooms = NULL;
    OK(pe_gauge_new("rooms", NULL, names, 1, &rooms));
    FAILS(pe_gauge_get_cell(rooms, &gcell), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_gauge_get_cell(g, NULL), PE_ERR_NULL, "out");
    FAILS(pe_counter_get_cells((pe_counter *)g, &plain_cells), PE_ERR_WRONG_KIND, "pe_gauge");

    /* Idle expiry sees direct updates as activity: with a 10 s TTL and a pinned clock, a child
     * touched only through its cells stays, one left alone goes. */
    OK(pe_series_clock_pin(1000));
    pe_metric_opts opts = {.struct_size = sizeof opts, .name = "ttl_total",
                           .label_names = names, .n_label_names = 1, .series_ttl_seconds = 10};
    pe_counter *ttl = NULL, *busy = NULL, *idle = NULL;
    OK(pe_counter_new_opts(&opts, &ttl));
    const char *busy_path[] = {"/busy"};
    const char *idle_path[] = {"/idle"};
    OK(pe_counter_labels(ttl, busy_path, 1, &busy));
    OK(pe_counter_labels(ttl, idle_path, 1, &idle));
    pe_counter_cells busy_cells;
    OK(pe_counter_get_cells(busy, &busy_cells));
    pe_counter_free(idle);
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_counter(registry, ttl));
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL)); /* stamps both idle */
    pe_string_free(text);
    OK(pe_series_clock_pin(1006));
    add_direct(&busy_cells, 0, 1);
    OK(pe_series_clock_pin(1012));
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(strstr(text, "ttl_total{path=\"/busy\"} 1") != NULL);
    CHECK(strstr(text, "/idle") == NULL);
    pe_string_free(text);
    OK(pe_series_clock_unpin());

    pe_registry_free(registry);
    pe_counter_free(busy);
    pe_counter_free(ttl);
    pe_gauge_free(rooms);
    pe_gauge_free(g);
    pe_counter_free(plain);
    pe_counter_free(child);
    pe_counter_free(family);
    puts("ok");
    return 0;
}
