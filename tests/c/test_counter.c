/* pe_counter from C: every operation, every error status and its message, values kept on error. */
#include <stdint.h>

#include <stddef.h>
#include <string.h>

#include "check.h"

static void unlabelled(void) {
    pe_counter *c = NULL;
    OK(pe_counter_new("requests_total", "Requests.", NULL, 0, &c));
    EQ(counter_value(c), 0);
    OK(pe_counter_inc(c, 1));
    OK(pe_counter_inc(c, 2.5));
    EQ(counter_value(c), 3.5);

    /* Refused increments change nothing. */
    FAILS(pe_counter_inc(c, -1), PE_ERR_INVALID_VALUE,
          "pe_counter_inc: invalid value: counters can only increase");
    FAILS(pe_counter_inc(c, NAN), PE_ERR_INVALID_VALUE, "counters can only increase");
    FAILS(pe_counter_inc(c, -INFINITY), PE_ERR_INVALID_VALUE, "negative or NaN");
    EQ(counter_value(c), 3.5);

    /* Exemplars: valid ones are kept, invalid ones refuse the whole increment. */
    const char *names[] = {"trace_id"};
    const char *values[] = {"abc123"};
    OK(pe_counter_inc_with_exemplar(c, 1, names, values, 1, NAN));
    OK(pe_counter_inc_with_exemplar(c, 1, names, values, 1, 1700000000.5));
    OK(pe_counter_inc_with_exemplar(c, 1, NULL, NULL, 0, NAN));
    EQ(counter_value(c), 6.5);
    const char *bad_names[] = {"__bad"};
    FAILS(pe_counter_inc_with_exemplar(c, 1, bad_names, values, 1, NAN), PE_ERR_INVALID_VALUE,
          "pe_counter_inc_with_exemplar: invalid exemplar: invalid label name \"__bad\"");
    char long_value[200];
    memset(long_value, 'x', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    const char *long_values[] = {long_value};
    FAILS(pe_counter_inc_with_exemplar(c, 1, names, long_values, 1, NAN), PE_ERR_INVALID_VALUE,
          "more than the 128 OpenMetrics allows");
    FAILS(pe_counter_inc_with_exemplar(c, 1, names, values, 1, INFINITY), PE_ERR_INVALID_VALUE,
          "timestamp is not finite");
    FAILS(pe_counter_inc_with_exemplar(c, -1, names, values, 1, NAN), PE_ERR_INVALID_VALUE,
          "counters can only increase");
    FAILS(pe_counter_inc_with_exemplar(c, 1, names, NULL, 1, NAN), PE_ERR_NULL,
          "argument `exemplar_values` is NULL");
    const char *null_names[] = {NULL};
    FAILS(pe_counter_inc_with_exemplar(c, 1, null_names, values, 1, NAN), PE_ERR_NULL,
          "`exemplar_names[0]` is NULL");
    EQ(counter_value(c), 6.5);

    /* +Inf is a valid increment. */
    pe_counter *inf = NULL;
    OK(pe_counter_new("inf", NULL, NULL, 0, &inf));
    OK(pe_counter_inc(inf, INFINITY));
    EQ(counter_value(inf), INFINITY);
    pe_counter_free(inf);

    /* Reset. */
    OK(pe_counter_reset(c));
    EQ(counter_value(c), 0);

    /* A family without labels: binding with no values gives its one series. */
    pe_counter *same = NULL;
    OK(pe_counter_labels(c, NULL, 0, &same));
    OK(pe_counter_inc(same, 4));
    EQ(counter_value(c), 4);
    double read = 0;
    OK(pe_counter_get_labels(c, NULL, 0, &read));
    EQ(read, 4);
    const char *one[] = {"x"};
    FAILS(pe_counter_labels(c, one, 1, &same), PE_ERR_LABEL_COUNT,
          "wrong number of label values: expected 0, got 1");
    FAILS(pe_counter_inc_labels(c, one, 1, 1), PE_ERR_LABEL_COUNT, "expected 0, got 1");
    FAILS(pe_counter_remove(c, NULL, 0), PE_ERR_NOT_FOUND, "no child with label values []");
    OK(pe_counter_clear(c));
    EQ(counter_value(c), 4);
    pe_counter_free(same);
    pe_counter_free(c);
}

static void labelled(void) {
    const char *label_names[] = {"method", "code"};
    pe_counter *family = NULL;
    OK(pe_counter_new("http_requests", "HTTP requests.", label_names, 2, &family));
    EQ(counter_value(family), 0);

    const char *get200[] = {"GET", "200"};
    const char *post500[] = {"POST", "500"};
    pe_counter *child = NULL;
    OK(pe_counter_labels(family, get200, 2, &child));
    OK(pe_counter_inc(child, 1));
    OK(pe_counter_inc_labels(family, get200, 2, 2));
    EQ(counter_value(child), 3);
    double value = 0;
    OK(pe_counter_get_labels(family, get200, 2, &value));
    EQ(value, 3);

    /* Reads never create children. */
    value = -7;
    FAILS(pe_counter_get_labels(family, post500, 2, &value), PE_ERR_NOT_FOUND,
          "pe_counter_get_labels: no child with label values [\"POST\", \"500\"]");
    EQ(value, -7);
    OK(pe_counter_inc_labels(family, post500, 2, 10));
    EQ(counter_value(family), 13); /* a family read sums its children */

    /* A family with labels is not one series. */
    FAILS(pe_counter_inc(family, 1), PE_ERR_LABEL_COUNT,
          "pe_counter_inc: wrong number of label values: expected 2, got 0");
    FAILS(pe_counter_reset(family), PE_ERR_LABEL_COUNT, "expected 2, got 0");
    FAILS(pe_counter_inc_with_exemplar(family, 1, NULL, NULL, 0, NAN), PE_ERR_LABEL_COUNT,
          "expected 2, got 0");
    FAILS(pe_counter_labels(family, get200, 1, &child), PE_ERR_LABEL_COUNT, "expected 2, got 1");
    FAILS(pe_counter_inc_labels(family, get200, 1, 1), PE_ERR_LABEL_COUNT, "expected 2, got 1");
    FAILS(pe_counter_get_labels(family, get200, 1, &value), PE_ERR_LABEL_COUNT, "got 1");
    const char *three[] = {"GET", "200", "x"};
    FAILS(pe_counter_remove(family, three, 3), PE_ERR_LABEL_COUNT, "got 3");
    FAILS(pe_counter_inc_labels(family, get200, 2, -1), PE_ERR_INVALID_VALUE,
          "counters can only increase");
    EQ(counter_value(family), 13);

    /* A bound child is not a family. */
    pe_counter *grandchild = NULL;
    FAILS(pe_counter_labels(child, get200, 2, &grandchild), PE_ERR_WRONG_KIND,
          "pe_counter_labels: a bound child handle cannot be used here");
    CHECK(grandchild == NULL);
    FAILS(pe_counter_inc_labels(child, get200, 2, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_counter_get_labels(child, get200, 2, &value), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_counter_remove(child, get200, 2), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_counter_clear(child), PE_ERR_WRONG_KIND, "bound child");
    OK(pe_counter_reset(child));
    EQ(counter_value(child), 0);
    OK(pe_counter_inc_labels(family, get200, 2, 3));

    /* Bad label values. */
    const char *null_value[] = {"GET", NULL};
    FAILS(pe_counter_inc_labels(family, null_value, 2, 1), PE_ERR_NULL, "`values[1]` is NULL");
    FAILS(pe_counter_inc_labels(family, NULL, 2, 1), PE_ERR_NULL, "argument `values` is NULL");
    const char *bad_utf8[] = {"GET", "\xff\xfe"};
    FAILS(pe_counter_inc_labels(family, bad_utf8, 2, 1), PE_ERR_UTF8,
          "`values[1]` is not valid UTF-8");
    FAILS(pe_counter_labels(family, bad_utf8, 2, &grandchild), PE_ERR_UTF8, "not valid UTF-8");
    EQ(counter_value(family), 13);

    /* Remove and clear. A removed child's handle stays usable, detached. */
    OK(pe_counter_remove(family, get200, 2));
    FAILS(pe_counter_remove(family, get200, 2), PE_ERR_NOT_FOUND,
          "pe_counter_remove: no child with label values [\"GET\", \"200\"]");
    FAILS(pe_counter_get_labels(family, get200, 2, &value), PE_ERR_NOT_FOUND, "no child");
    OK(pe_counter_inc(child, 5));
    EQ(counter_value(child), 8);
    EQ(counter_value(family), 10);
    OK(pe_counter_clear(family));
    EQ(counter_value(family), 0);

    /* The family outlives its handle while a child handle holds it... and vice versa. */
    pe_counter_free(family);
    OK(pe_counter_inc(child, 1));
    EQ(counter_value(child), 9);
    pe_counter_free(child);
}

static void many_labels(void) {
    /* More label values than the stack fast path holds. */
    const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    const char *values[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    pe_counter *family = NULL;
    OK(pe_counter_new("wide", NULL, names, 10, &family));
    OK(pe_counter_inc_labels(family, values, 10, 2));
    OK(pe_counter_inc_labels(family, values, 10, 3));
    double value = 0;
    OK(pe_counter_get_labels(family, values, 10, &value));
    EQ(value, 5);
    const char *with_null[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", NULL};
    FAILS(pe_counter_inc_labels(family, with_null, 10, 1), PE_ERR_NULL, "`values[9]` is NULL");
    pe_counter_free(family);
}

static void construction_errors(void) {
    pe_counter *const sentinel = (pe_counter *)(uintptr_t)0x1234;
    pe_counter *c = sentinel;
    FAILS(pe_counter_new(NULL, "h", NULL, 0, &c), PE_ERR_NULL,
          "pe_counter_new: argument `name` is NULL");
    FAILS(pe_counter_new("x", "h", NULL, 0, NULL), PE_ERR_NULL, "argument `out` is NULL");
    FAILS(pe_counter_new("", "h", NULL, 0, &c), PE_ERR_INVALID_NAME,
          "invalid metric name \"\": metric names cannot be empty");
    FAILS(pe_counter_new("\xc3\x28", "h", NULL, 0, &c), PE_ERR_UTF8,
          "argument `name` is not valid UTF-8");
    FAILS(pe_counter_new("x", "\xff", NULL, 0, &c), PE_ERR_UTF8, "argument `help`");
    const char *reserved[] = {"__secret"};
    FAILS(pe_counter_new("x", "h", reserved, 1, &c), PE_ERR_INVALID_NAME,
          "names starting with __ are reserved");
    const char *bad_label[] = {""};
    FAILS(pe_counter_new("x", "h", bad_label, 1, &c), PE_ERR_INVALID_NAME,
          "invalid label name \"\": label names cannot be empty");
    const char *twice[] = {"a", "a"};
    FAILS(pe_counter_new("x", "h", twice, 2, &c), PE_ERR_INVALID_NAME,
          "duplicate label name \"a\"");
    FAILS(pe_counter_new("x", "h", NULL, 1, &c), PE_ERR_NULL, "argument `label_names` is NULL");
    const char *null_label[] = {"a", NULL};
    FAILS(pe_counter_new("x", "h", null_label, 2, &c), PE_ERR_NULL, "`label_names[1]` is NULL");
    CHECK(c == sentinel); /* untouched on error */

    /* NULL help is "". */
    OK(pe_counter_new("x", NULL, NULL, 0, &c));
    pe_counter_free(c);

    /* Options. */
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.name = "x";
    c = sentinel;
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_INVALID_CONFIG,
          "pe_counter_new_opts: `opts->struct_size` is 0: set it to sizeof(pe_metric_opts)");
    /* The first version ended before max_series: smaller is refused, that size still works. */
    opts.struct_size = offsetof(pe_metric_opts, max_series) - 1;
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_INVALID_CONFIG, "struct_size");
    opts.struct_size = offsetof(pe_metric_opts, max_series);
    opts.overflow = 7; /* beyond the caller's struct: not read */
    OK(pe_counter_new_opts(&opts, &c));
    pe_counter_free(c);
    c = sentinel;
    opts.overflow = 0;
    opts.struct_size = sizeof opts;
    opts.name = NULL;
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_NULL, "argument `opts->name` is NULL");
    FAILS(pe_counter_new_opts(NULL, &c), PE_ERR_NULL, "argument `opts` is NULL");
    opts.name = "sent";
    opts.unit = "a b";
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_INVALID_CONFIG, "invalid unit \"a b\"");
    opts.unit = "bytes";
    opts.n_label_names = 1;
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_NULL, "argument `opts->label_names` is NULL");
    opts.label_names = reserved;
    FAILS(pe_counter_new_opts(&opts, &c), PE_ERR_INVALID_NAME, "reserved");
    CHECK(c == sentinel);
    const char *labels[] = {"peer"};
    opts.label_names = labels;
    opts.namespace_ = "app";
    opts.subsystem = "net";
    opts.help = "Bytes sent.";
    OK(pe_counter_new_opts(&opts, &c));
    OK(pe_counter_inc_labels(c, labels, 1, 100));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_counter(registry, c));
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    const char *text = NULL;
    OK(pe_snapshot_family_name(snapshot, 0, &text));
    STREQ(text, "app_net_sent_bytes");
    OK(pe_snapshot_family_unit(snapshot, 0, &text));
    STREQ(text, "bytes");
    OK(pe_snapshot_family_help(snapshot, 0, &text));
    STREQ(text, "Bytes sent.");
    pe_snapshot_free(snapshot);
    pe_registry_free(registry);
    pe_counter_free(c);
}

static void wrong_handles(void) {
    pe_gauge *gauge = NULL;
    OK(pe_gauge_new("g", NULL, NULL, 0, &gauge));
    FAILS(pe_counter_inc((pe_counter *)gauge, 1), PE_ERR_WRONG_KIND,
          "pe_counter_inc: argument `counter` is a pe_gauge handle, but a pe_counter is needed");
    pe_counter_free((pe_counter *)gauge); /* not freed: the wrong type */
    OK(pe_gauge_set(gauge, 2));
    EQ(gauge_value(gauge), 2);
    FAILS(pe_counter_inc(NULL, 1), PE_ERR_NULL, "argument `counter` is NULL");
    double value;
    FAILS(pe_counter_get(NULL, &value), PE_ERR_NULL, "argument `counter` is NULL");
    pe_gauge_free(gauge);

    /* A freed handle has its tag cleared (best effort: only until the memory is reused). */
    pe_counter *c = NULL;
    OK(pe_counter_new("freed", NULL, NULL, 0, &c));
    pe_counter_free(c);
    FAILS(pe_counter_inc(c, 1), PE_ERR_WRONG_KIND, "not a live pe_counter handle");
}

/* Partial deletes: every child with the given label values goes, the others stay. */
static void remove_matching(void) {
    const char *names[] = {"method", "status"};
    pe_counter *requests = NULL;
    OK(pe_counter_new("partial_total", "h", names, 2, &requests));
    const char *sets[][2] = {{"GET", "200"}, {"GET", "500"}, {"POST", "200"}, {"PUT", "500"}};
    for (size_t i = 0; i < LEN(sets); i++) {
        OK(pe_counter_inc_labels(requests, sets[i], 2, 1));
    }
    const char *status[] = {"status"};
    const char *failed[] = {"500"};
    size_t removed = 99;
    OK(pe_counter_remove_matching(requests, status, failed, 1, &removed));
    EQ(removed, 2);
    OK(pe_counter_remove_matching(requests, status, failed, 1, &removed));
    EQ(removed, 0);
    const char *both[] = {"status", "method"};
    const char *post_ok[] = {"200", "POST"};
    OK(pe_counter_remove_matching(requests, both, post_ok, 2, NULL));
    double value = 0;
    OK(pe_counter_get_labels(requests, sets[0], 2, &value));
    EQ(value, 1);
    FAILS(pe_counter_get_labels(requests, sets[2], 2, &value), PE_ERR_NOT_FOUND, "");

    const char *unknown[] = {"code"};
    FAILS(pe_counter_remove_matching(requests, unknown, failed, 1, &removed), PE_ERR_INVALID_NAME,
          "pe_counter_remove_matching: invalid label name \"code\": not a label of this family");
    const char *twice[] = {"status", "status"};
    FAILS(pe_counter_remove_matching(requests, twice, post_ok, 2, &removed), PE_ERR_INVALID_NAME,
          "duplicate label name \"status\"");
    FAILS(pe_counter_remove_matching(requests, NULL, failed, 1, &removed), PE_ERR_NULL,
          "argument `label_names` is NULL");
    pe_counter *child = NULL;
    OK(pe_counter_labels(requests, sets[0], 2, &child));
    FAILS(pe_counter_remove_matching(child, status, failed, 1, &removed), PE_ERR_WRONG_KIND, "");
    OK(pe_counter_remove_matching(requests, NULL, NULL, 0, &removed));
    EQ(removed, 1);
    pe_counter_free(child);
    pe_counter_free(requests);
}

/* A capped family: new label sets beyond max_series fold into the overflow series, or are
 * refused, and the default registry's self-metric counts them. */
static void capped(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "capped_total";
    const char *names[] = {"user"};
    opts.label_names = names;
    opts.n_label_names = 1;
    opts.max_series = 2;
    pe_counter *fold = NULL;
    OK(pe_counter_new_opts(&opts, &fold));
    const char *users[][1] = {{"a"}, {"b"}, {"c"}, {"d"}};
    for (size_t i = 0; i < LEN(users); i++) {
        OK(pe_counter_inc_labels(fold, users[i], 1, 1));
    }
    const char *overflow[] = {"__overflow__"};
    double value = 0;
    OK(pe_counter_get_labels(fold, overflow, 1, &value));
    EQ(value, 2);

    opts.name = "refusing_total";
    opts.overflow = PE_OVERFLOW_REFUSE;
    pe_counter *refuse = NULL;
    OK(pe_counter_new_opts(&opts, &refuse));
    OK(pe_counter_inc_labels(refuse, users[0], 1, 1));
    OK(pe_counter_inc_labels(refuse, users[1], 1, 1));
    FAILS(pe_counter_inc_labels(refuse, users[2], 1, 1), PE_ERR_CARDINALITY,
          "pe_counter_inc_labels: family \"refusing\" holds its max_series of 2 series");
    pe_counter *child = NULL;
    FAILS(pe_counter_labels(refuse, users[3], 1, &child), PE_ERR_CARDINALITY, "max_series");
    CHECK(child == NULL);
    OK(pe_counter_inc_labels(refuse, users[0], 1, 1));
    STREQ(pe_status_str(PE_ERR_CARDINALITY), "series limit reached");

    char *text = NULL;
    OK(pe_registry_expose(NULL, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(strstr(text, "prometheus_emulator_series_dropped_total{family=\"capped\"} 2\n"));
    CHECK(strstr(text, "prometheus_emulator_series_dropped_total{family=\"refusing\"} 2\n"));
    pe_string_free(text);

    opts.overflow = 7;
    FAILS(pe_counter_new_opts(&opts, &child), PE_ERR_INVALID_VALUE, "`opts->overflow` is 7");
    pe_counter_free(fold);
    pe_counter_free(refuse);
}

int main(void) {
    capped();
    remove_matching();
    unlabelled();
    labelled();
    many_labels();
    construction_errors();
    wrong_handles();
    printf("ok\n");
    return 0;
}
