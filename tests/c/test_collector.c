/* Callback metrics and custom collectors from C: values, user_data ownership, the builder. */
#include <stdint.h>

#include "check.h"

typedef struct {
    double next;
    int frees;
} source;

static double next_value(void *user_data) {
    source *s = user_data;
    s->next += 1;
    return s->next;
}

static void free_source(void *user_data) {
    ((source *)user_data)->frees += 1;
}

static void callbacks(void) {
    source src = {0, 0};
    pe_collector *gauge = NULL;
    OK(pe_callback_gauge_new("queue_depth", "Depth.", next_value, &src, free_source, &gauge));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_collector(registry, gauge));
    for (int round = 1; round <= 2; round++) {
        pe_snapshot *snapshot = NULL;
        OK(pe_registry_snapshot(registry, &snapshot));
        double value = 0;
        OK(pe_snapshot_sample_value(snapshot, 0, 0, &value));
        EQ(value, round);
        pe_metric_type type;
        OK(pe_snapshot_family_type(snapshot, 0, &type));
        CHECK(type == PE_METRIC_GAUGE);
        pe_snapshot_free(snapshot);
    }
    /* user_data is released once, when the last reference goes. */
    pe_collector_free(gauge);
    CHECK(src.frees == 0);
    pe_registry_free(registry);
    CHECK(src.frees == 1);

    /* On error the caller keeps user_data: it is not released. */
    source kept = {0, 0};
    pe_collector *bad = NULL;
    FAILS(pe_callback_gauge_new("", NULL, next_value, &kept, free_source, &bad),
          PE_ERR_INVALID_NAME, "pe_callback_gauge_new: invalid metric name \"\": metric names cannot be empty");
    FAILS(pe_callback_gauge_new("g", NULL, NULL, &kept, free_source, &bad), PE_ERR_NULL,
          "argument `value_fn` is NULL");
    FAILS(pe_callback_counter_new("c", NULL, next_value, &kept, free_source, NULL), PE_ERR_NULL,
          "argument `out` is NULL");
    CHECK(kept.frees == 0 && bad == NULL);

    /* A counter callback: `_total` dropped from the family, added to the sample. */
    pe_collector *counter = NULL;
    OK(pe_callback_counter_new("ticks_total", NULL, next_value, &kept, NULL, &counter));
    OK(pe_registry_register_collector(NULL, counter));
    pe_snapshot *snapshot = NULL;
    const char *ticks[] = {"ticks"};
    OK(pe_registry_snapshot_filtered(NULL, ticks, 1, &snapshot));
    const char *name = NULL;
    OK(pe_snapshot_family_name(snapshot, 0, &name));
    STREQ(name, "ticks");
    OK(pe_snapshot_sample_name(snapshot, 0, 0, &name));
    STREQ(name, "ticks_total");
    pe_snapshot_free(snapshot);
    OK(pe_registry_unregister_collector(NULL, counter));
    pe_collector_free(counter);
    CHECK(kept.frees == 0); /* no free function was given */
}

typedef struct {
    int calls;
    int frees;
} custom_state;

static void free_state(void *user_data) {
    ((custom_state *)user_data)->frees += 1;
}

static void collect(pe_collect_builder *b, void *user_data) {
    custom_state *state = user_data;
    state->calls += 1;
    const char *q[] = {"queue"};
    const char *qa[] = {"a"};
    const char *qb[] = {"b"};

    /* A point before any family has nowhere to go. */
    FAILS(pe_collect_sample(b, NULL, NULL, 0, 1, NAN), PE_ERR_WRONG_KIND,
          "pe_collect_sample: no family started: call pe_collect_family() first");

    OK(pe_collect_family(b, "jobs_waiting", "Waiting jobs.", PE_METRIC_GAUGE, NULL));
    OK(pe_collect_sample(b, q, qa, 1, 3, NAN));
    OK(pe_collect_sample(b, q, qb, 1, 4, 1700000000.5));
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, NULL, NULL, 0, 0, 0, NAN), PE_ERR_WRONG_KIND,
          "this point does not fit the current family, a gauge");
    const char *bad_label[] = {""};
    FAILS(pe_collect_sample(b, bad_label, qa, 1, 1, NAN), PE_ERR_INVALID_NAME,
          "invalid label name \"\": label names cannot be empty");
    const char *twice[] = {"queue", "queue"};
    const char *two_values[] = {"a", "b"};
    FAILS(pe_collect_sample(b, twice, two_values, 2, 1, NAN), PE_ERR_INVALID_NAME,
          "duplicate label name \"queue\"");
    FAILS(pe_collect_sample(b, q, qa, 1, 1, INFINITY), PE_ERR_INVALID_VALUE,
          "argument `timestamp` is infinite");
    FAILS(pe_collect_sample(b, q, NULL, 1, 1, NAN), PE_ERR_NULL, "argument `label_values`");

    FAILS(pe_collect_family(b, "x", NULL, (pe_metric_type)99, NULL), PE_ERR_INVALID_VALUE,
          "pe_collect_family: unknown pe_metric_type 99");
    FAILS(pe_collect_family(b, "", NULL, PE_METRIC_GAUGE, NULL), PE_ERR_INVALID_NAME,
          "invalid metric name");
    FAILS(pe_collect_family(b, "x", NULL, PE_METRIC_INFO, "bytes"), PE_ERR_INVALID_CONFIG,
          "info metrics cannot have a unit");
    FAILS(pe_collect_family(b, NULL, NULL, PE_METRIC_GAUGE, NULL), PE_ERR_NULL,
          "argument `name` is NULL");

    OK(pe_collect_family(b, "jobs_done_total", "Done.", PE_METRIC_COUNTER, NULL));
    OK(pe_collect_sample(b, NULL, NULL, 0, 42, NAN));

    OK(pe_collect_family(b, "job", "Job time.", PE_METRIC_HISTOGRAM, "seconds"));
    double bounds[] = {0.5, 1, INFINITY};
    uint64_t counts[] = {1, 3, 4};
    OK(pe_collect_histogram(b, NULL, NULL, 0, bounds, counts, 3, 2.5, 4, NAN));
    double finite[] = {0.5, 1, 2};
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, finite, counts, 3, 2.5, 4, NAN),
          PE_ERR_INVALID_CONFIG, "the last upper bound must be +Inf");
    double unsorted[] = {1, 0.5, INFINITY};
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, unsorted, counts, 3, 2.5, 4, NAN),
          PE_ERR_INVALID_CONFIG, "strictly increasing");
    uint64_t decreasing[] = {3, 1, 4};
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, bounds, decreasing, 3, 2.5, 4, NAN),
          PE_ERR_INVALID_VALUE, "cumulative counts must not decrease and must end with count (4)");
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, bounds, counts, 3, 2.5, 5, NAN),
          PE_ERR_INVALID_VALUE, "must end with count (5)");
    const char *le[] = {"le"};
    FAILS(pe_collect_histogram(b, le, qa, 1, bounds, counts, 3, 2.5, 4, NAN), PE_ERR_INVALID_NAME,
          "reserved for histogram buckets");
    FAILS(pe_collect_histogram(b, NULL, NULL, 0, NULL, counts, 3, 2.5, 4, NAN), PE_ERR_NULL,
          "argument `upper_bounds` is NULL");

    OK(pe_collect_family(b, "rpc", NULL, PE_METRIC_SUMMARY, NULL));
    double quantiles[] = {0.5, 0.9};
    double values[] = {1.5, 3};
    OK(pe_collect_summary(b, NULL, NULL, 0, quantiles, values, 2, 10, 5, NAN));
    double bad_q[] = {0.5, 2};
    FAILS(pe_collect_summary(b, NULL, NULL, 0, bad_q, values, 2, 10, 5, NAN),
          PE_ERR_INVALID_VALUE, "quantile 2 is outside [0, 1]");
    const char *quantile[] = {"quantile"};
    FAILS(pe_collect_summary(b, quantile, qa, 1, quantiles, values, 2, 10, 5, NAN),
          PE_ERR_INVALID_NAME, "reserved for summary quantiles");

    OK(pe_collect_family(b, "version", NULL, PE_METRIC_INFO, NULL));
    const char *info_names[] = {"release"};
    const char *info_values[] = {"2.0"};
    OK(pe_collect_info(b, NULL, NULL, 0, info_names, info_values, 1, NAN));
    FAILS(pe_collect_info(b, NULL, NULL, 0, bad_label, info_values, 1, NAN), PE_ERR_INVALID_NAME,
          "invalid label name");

    OK(pe_collect_family(b, "mode", NULL, PE_METRIC_STATESET, NULL));
    const char *states[] = {"on", "off"};
    bool active[] = {true, false};
    OK(pe_collect_stateset(b, NULL, NULL, 0, states, active, 2, NAN));
    const char *dup_states[] = {"on", "on"};
    FAILS(pe_collect_stateset(b, NULL, NULL, 0, dup_states, active, 2, NAN),
          PE_ERR_INVALID_CONFIG, "state \"on\" is listed twice");
    const char *own[] = {"mode"};
    FAILS(pe_collect_stateset(b, own, qa, 1, states, active, 2, NAN), PE_ERR_INVALID_NAME,
          "named after the metric");
    FAILS(pe_collect_sample(b, NULL, NULL, 0, 1, NAN), PE_ERR_WRONG_KIND,
          "does not fit the current family, a stateset");

    OK(pe_collect_family(b, "raw", NULL, PE_METRIC_UNKNOWN, NULL));
    OK(pe_collect_sample(b, NULL, NULL, 0, -1, NAN));
}

static void custom(void) {
    custom_state state = {0, 0};
    pe_collector *collector = NULL;
    FAILS(pe_collector_new(NULL, &state, NULL, &collector), PE_ERR_NULL,
          "pe_collector_new: argument `collect` is NULL");
    OK(pe_collector_new(collect, &state, free_state, &collector));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_collector(registry, collector));

    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    CHECK(state.calls == 1);
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    CHECK(n == 7);
    /* Sorted by name: job_seconds, jobs_done, jobs_waiting, mode, raw, rpc, version. */
    const char *expected[] = {"job_seconds", "jobs_done", "jobs_waiting", "mode", "raw", "rpc",
                              "version"};
    pe_metric_type types[] = {PE_METRIC_HISTOGRAM, PE_METRIC_COUNTER, PE_METRIC_GAUGE,
                              PE_METRIC_STATESET, PE_METRIC_UNKNOWN, PE_METRIC_SUMMARY,
                              PE_METRIC_INFO};
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        pe_metric_type type;
        OK(pe_snapshot_family_name(snapshot, i, &name));
        STREQ(name, expected[i]);
        OK(pe_snapshot_family_type(snapshot, i, &type));
        CHECK(type == types[i]);
    }
    const char *text = NULL;
    OK(pe_snapshot_family_unit(snapshot, 0, &text));
    STREQ(text, "seconds");
    /* jobs_waiting: two points, the second with its timestamp. */
    size_t samples = 0;
    OK(pe_snapshot_sample_count(snapshot, 2, &samples));
    CHECK(samples == 2);
    bool has = true;
    double value = 0, timestamp = -1;
    OK(pe_snapshot_sample_timestamp(snapshot, 2, 0, &has, &timestamp));
    CHECK(!has && timestamp == 0);
    OK(pe_snapshot_sample_timestamp(snapshot, 2, 1, &has, &timestamp));
    CHECK(has);
    EQ(timestamp, 1700000000.5);
    OK(pe_snapshot_sample_value(snapshot, 2, 1, &value));
    EQ(value, 4);
    /* The histogram: 3 buckets, count, sum. */
    OK(pe_snapshot_sample_count(snapshot, 0, &samples));
    CHECK(samples == 5);
    const char *label = NULL, *label_value = NULL;
    OK(pe_snapshot_sample_label(snapshot, 0, 2, 0, &label, &label_value));
    STREQ(label, "le");
    STREQ(label_value, "+Inf");
    OK(pe_snapshot_sample_name(snapshot, 0, 4, &text));
    STREQ(text, "job_seconds_sum");
    pe_snapshot_free(snapshot);

    /* The registry cannot check a custom collector's names, so it merges same-named families. */
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, (char **)&text, NULL));
    pe_string_free((char *)text);
    CHECK(state.calls == 2);

    pe_collector_free(collector);
    pe_registry_free(registry);
    CHECK(state.frees == 1);
}

/* A collector that gives its points' creation times and exemplars. */
static void collect_decorated(pe_collect_builder *b, void *user_data) {
    (void)user_data;
    FAILS(pe_collect_created(b, 1), PE_ERR_WRONG_KIND, "no point added yet");
    OK(pe_collect_family(b, "sent_total", "Sent.", PE_METRIC_COUNTER, NULL));
    OK(pe_collect_sample(b, NULL, NULL, 0, 7, NAN));
    OK(pe_collect_created(b, 1700000000.25));
    const char *trace[] = {"trace_id"}, *abc[] = {"abc"};
    OK(pe_collect_exemplar(b, 0, trace, abc, 1, 1, 1700000001));
    FAILS(pe_collect_created(b, INFINITY), PE_ERR_INVALID_VALUE, "finite");
    FAILS(pe_collect_exemplar(b, 0, trace, abc, 1, NAN, NAN), PE_ERR_INVALID_VALUE, "NaN");

    OK(pe_collect_family(b, "wait_seconds", "Wait.", PE_METRIC_HISTOGRAM, NULL));
    double bounds[] = {1, INFINITY};
    uint64_t counts[] = {2, 3};
    OK(pe_collect_histogram(b, NULL, NULL, 0, bounds, counts, 2, 4.5, 3, NAN));
    OK(pe_collect_created(b, 1700000000.5));
    OK(pe_collect_exemplar(b, 1, trace, abc, 1, 2.5, NAN));
    FAILS(pe_collect_exemplar(b, 2, trace, abc, 1, 2.5, NAN), PE_ERR_INVALID_VALUE,
          "`bucket` is 2: the point has 2 buckets");

    OK(pe_collect_family(b, "level", "Level.", PE_METRIC_GAUGE, NULL));
    OK(pe_collect_sample(b, NULL, NULL, 0, 1, NAN));
    FAILS(pe_collect_created(b, 1), PE_ERR_WRONG_KIND, "not a counter, histogram or summary");
    FAILS(pe_collect_exemplar(b, 0, NULL, NULL, 0, 1, NAN), PE_ERR_WRONG_KIND, "not a counter");
}

static void decorated(void) {
    pe_collector *collector = NULL;
    OK(pe_collector_new(collect_decorated, NULL, NULL, &collector));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_collector(registry, collector));
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &text, NULL));
    const char *wanted[] = {
        "sent_total 7 # {trace_id=\"abc\"} 1 1700000001\n",
        "sent_created 1700000000.25\n",
        "wait_seconds_bucket{le=\"+Inf\"} 3 # {trace_id=\"abc\"} 2.5\n",
        "wait_seconds_created 1700000000.5\n",
    };
    for (size_t i = 0; i < LEN(wanted); i++) {
        if (strstr(text, wanted[i]) == NULL) {
            fprintf(stderr, "%s:%d: %s not in:\n%s\n", __FILE__, __LINE__, wanted[i], text);
            exit(1);
        }
    }
    pe_string_free(text);
    pe_collector_free(collector);
    pe_registry_free(registry);
}

/* The default registry's process collector: out of it and back, and into a registry of one's own. */
static int exposes_process_metrics(pe_registry *registry) {
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    int found = strstr(text, "process_start_time_seconds") != NULL;
    pe_string_free(text);
    return found;
}

static void process_collector(void) {
    pe_collector *process = NULL, *again = NULL;
    OK(pe_collector_process(&process));
    OK(pe_collector_process(&again));
    CHECK(exposes_process_metrics(NULL));
    OK(pe_registry_unregister_collector(NULL, process));
    CHECK(!exposes_process_metrics(NULL));
    FAILS(pe_registry_unregister_collector(NULL, again), PE_ERR_NOT_FOUND, "");
    pe_registry *own = NULL;
    OK(pe_registry_new(&own));
    CHECK(!exposes_process_metrics(own));
    OK(pe_registry_register_collector(own, again));
    CHECK(exposes_process_metrics(own));
    OK(pe_registry_register_collector(NULL, process));
    CHECK(exposes_process_metrics(NULL));
    FAILS(pe_collector_process(NULL), PE_ERR_NULL, "out");
    pe_registry_free(own);
    pe_collector_free(again);
    pe_collector_free(process);
}

int main(void) {
    callbacks();
    custom();
    decorated();
    process_collector();
    printf("ok\n");
    return 0;
}
