/* pe_snapshot from C: every family type flattened into samples, exemplars, index errors. */
#include "check.h"

/* Finds the family called `name`; exits when missing. */
static size_t family_index(const pe_snapshot *snapshot, const char *name) {
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    for (size_t i = 0; i < n; i++) {
        const char *got = NULL;
        OK(pe_snapshot_family_name(snapshot, i, &got));
        if (strcmp(got, name) == 0) return i;
    }
    fprintf(stderr, "no family %s\n", name);
    exit(1);
}

static void check_sample(const pe_snapshot *snapshot, size_t family, size_t sample,
                         const char *name, double value) {
    const char *got = NULL;
    OK(pe_snapshot_sample_name(snapshot, family, sample, &got));
    STREQ(got, name);
    double v = 0;
    OK(pe_snapshot_sample_value(snapshot, family, sample, &v));
    if (!isnan(value)) EQ(v, value);
}

static void check_label(const pe_snapshot *snapshot, size_t family, size_t sample, size_t label,
                        const char *name, const char *value) {
    const char *n = NULL, *v = NULL;
    OK(pe_snapshot_sample_label(snapshot, family, sample, label, &n, &v));
    STREQ(n, name);
    STREQ(v, value);
}

/* `s` is inside the snapshot's string buffer, NUL-terminated at `len`. */
static void check_string(const char *s, size_t len, const char *strings, size_t strings_len) {
    CHECK(s >= strings && s + len < strings + strings_len);
    CHECK(strlen(s) == len);
}

static void check_labels(const pe_snapshot_label *labels, size_t n, const char *strings,
                         size_t strings_len) {
    for (size_t l = 0; l < n; l++) {
        check_string(labels[l].name, labels[l].name_len, strings, strings_len);
        check_string(labels[l].value, labels[l].value_len, strings, strings_len);
    }
}

/* pe_snapshot_families() lends what the accessors read, field by field, all strings inside the
 * buffer of pe_snapshot_strings(). */
static void check_bulk_view(const pe_snapshot *snapshot) {
    const pe_snapshot_family *families = NULL;
    size_t n_families = 0, n = 0, strings_len = 0;
    const char *strings = NULL;
    OK(pe_snapshot_families(snapshot, &families, &n_families));
    OK(pe_snapshot_strings(snapshot, &strings, &strings_len));
    OK(pe_snapshot_family_count(snapshot, &n));
    CHECK(n == n_families);
    for (size_t f = 0; f < n_families; f++) {
        const pe_snapshot_family *family = &families[f];
        const char *text = NULL;
        OK(pe_snapshot_family_name(snapshot, f, &text));
        CHECK(text == family->name);
        check_string(family->name, family->name_len, strings, strings_len);
        OK(pe_snapshot_family_help(snapshot, f, &text));
        CHECK(text == family->help);
        check_string(family->help, family->help_len, strings, strings_len);
        OK(pe_snapshot_family_unit(snapshot, f, &text));
        CHECK(text == family->unit);
        check_string(family->unit, family->unit_len, strings, strings_len);
        pe_metric_type type;
        OK(pe_snapshot_family_type(snapshot, f, &type));
        CHECK(type == family->kind);
        OK(pe_snapshot_sample_count(snapshot, f, &n));
        CHECK(n == family->n_samples);
        for (size_t s = 0; s < family->n_samples; s++) {
            const pe_snapshot_sample *sample = &family->samples[s];
            OK(pe_snapshot_sample_name(snapshot, f, s, &text));
            CHECK(text == sample->name);
            check_string(sample->name, sample->name_len, strings, strings_len);
            double value = 0, timestamp = 0;
            bool has_timestamp = false, has_exemplar = false;
            OK(pe_snapshot_sample_value(snapshot, f, s, &value));
            CHECK(memcmp(&value, &sample->value, sizeof value) == 0);
            OK(pe_snapshot_sample_timestamp(snapshot, f, s, &has_timestamp, &timestamp));
            CHECK(has_timestamp == sample->has_timestamp && timestamp == sample->timestamp);
            OK(pe_snapshot_sample_label_count(snapshot, f, s, &n));
            CHECK(n == sample->n_labels);
            for (size_t l = 0; l < n; l++) {
                const char *name = NULL, *label_value = NULL;
                OK(pe_snapshot_sample_label(snapshot, f, s, l, &name, &label_value));
                CHECK(name == sample->labels[l].name && label_value == sample->labels[l].value);
            }
            check_labels(sample->labels, sample->n_labels, strings, strings_len);
            OK(pe_snapshot_sample_exemplar(snapshot, f, s, &has_exemplar, &value, &has_timestamp,
                                           &timestamp));
            CHECK(has_exemplar == (sample->exemplar != NULL));
            if (sample->exemplar == NULL) continue;
            CHECK(value == sample->exemplar->value);
            CHECK(has_timestamp == sample->exemplar->has_timestamp);
            CHECK(timestamp == sample->exemplar->timestamp);
            OK(pe_snapshot_exemplar_label_count(snapshot, f, s, &n));
            CHECK(n == sample->exemplar->n_labels);
            for (size_t l = 0; l < n; l++) {
                const char *name = NULL, *label_value = NULL;
                OK(pe_snapshot_exemplar_label(snapshot, f, s, l, &name, &label_value));
                CHECK(name == sample->exemplar->labels[l].name);
                CHECK(label_value == sample->exemplar->labels[l].value);
            }
            check_labels(sample->exemplar->labels, sample->exemplar->n_labels, strings,
                         strings_len);
        }
    }
}

int main(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));

    const char *method[] = {"method"};
    const char *get[] = {"GET"};
    pe_counter *requests = NULL;
    OK(pe_counter_new("requests_total", "Requests.", method, 1, &requests));
    pe_counter *requests_get = NULL;
    OK(pe_counter_labels(requests, get, 1, &requests_get));
    const char *ex_names[] = {"trace_id"};
    const char *ex_values[] = {"abc"};
    OK(pe_counter_inc_with_exemplar(requests_get, 2, ex_names, ex_values, 1, 1700000000.25));
    OK(pe_registry_register_counter(registry, requests));

    pe_gauge *temperature = NULL;
    OK(pe_gauge_new("temperature", "Temperature.", NULL, 0, &temperature));
    OK(pe_gauge_set(temperature, -3.5));
    OK(pe_registry_register_gauge(registry, temperature));

    double buckets[] = {0.5, 1};
    pe_histogram *latency = NULL;
    OK(pe_histogram_new("latency", "Latency.", NULL, 0, buckets, 2, &latency));
    OK(pe_histogram_observe(latency, 0.2));
    OK(pe_histogram_observe_with_exemplar(latency, 0.7, ex_names, ex_values, 1, NAN));
    OK(pe_registry_register_histogram(registry, latency));

    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "rpc";
    double quantiles[] = {0.5};
    double errors[] = {0.05};
    pe_summary *rpc = NULL;
    OK(pe_summary_new_opts(&opts, quantiles, errors, 1, 0, 0, &rpc));
    OK(pe_summary_observe(rpc, 4));
    OK(pe_registry_register_summary(registry, rpc));

    pe_info *build = NULL;
    OK(pe_info_new("build", "Build.", NULL, 0, &build));
    const char *info_names[] = {"version"};
    const char *info_values[] = {"1.0"};
    OK(pe_info_set(build, info_names, info_values, 1));
    OK(pe_registry_register_info(registry, build));

    const char *states[] = {"up", "down"};
    pe_enum *status = NULL;
    OK(pe_enum_new("status", "Status.", NULL, 0, states, 2, &status));
    OK(pe_enum_set(status, "down"));
    OK(pe_registry_register_enum(registry, status));

    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    CHECK(n == 6);

    /* Families are sorted by name. */
    const char *names[] = {"build", "latency", "requests", "rpc", "status", "temperature"};
    pe_metric_type types[] = {PE_METRIC_INFO, PE_METRIC_HISTOGRAM, PE_METRIC_COUNTER,
                              PE_METRIC_SUMMARY, PE_METRIC_STATESET, PE_METRIC_GAUGE};
    for (size_t i = 0; i < n; i++) {
        const char *text = NULL;
        OK(pe_snapshot_family_name(snapshot, i, &text));
        STREQ(text, names[i]);
        pe_metric_type type;
        OK(pe_snapshot_family_type(snapshot, i, &type));
        CHECK(type == types[i]);
        OK(pe_snapshot_family_unit(snapshot, i, &text));
        STREQ(text, "");
    }
    const char *help = NULL;
    OK(pe_snapshot_family_help(snapshot, 2, &help));
    STREQ(help, "Requests.");

    /* Counter: _total with its exemplar, then _created. */
    size_t f = family_index(snapshot, "requests"), samples = 0, labels = 0;
    OK(pe_snapshot_sample_count(snapshot, f, &samples));
    CHECK(samples == 2);
    check_sample(snapshot, f, 0, "requests_total", 2);
    check_sample(snapshot, f, 1, "requests_created", NAN);
    OK(pe_snapshot_sample_label_count(snapshot, f, 0, &labels));
    CHECK(labels == 1);
    check_label(snapshot, f, 0, 0, "method", "GET");
    bool has_exemplar = false, has_timestamp = false;
    double value = 0, timestamp = 0;
    OK(pe_snapshot_sample_exemplar(snapshot, f, 0, &has_exemplar, &value, &has_timestamp,
                                   &timestamp));
    CHECK(has_exemplar && has_timestamp);
    EQ(value, 2);
    EQ(timestamp, 1700000000.25);
    OK(pe_snapshot_exemplar_label_count(snapshot, f, 0, &labels));
    CHECK(labels == 1);
    const char *label = NULL, *label_value = NULL;
    OK(pe_snapshot_exemplar_label(snapshot, f, 0, 0, &label, &label_value));
    STREQ(label, "trace_id");
    STREQ(label_value, "abc");
    OK(pe_snapshot_sample_exemplar(snapshot, f, 1, &has_exemplar, &value, &has_timestamp,
                                   &timestamp));
    CHECK(!has_exemplar && !has_timestamp && isnan(value));
    OK(pe_snapshot_exemplar_label_count(snapshot, f, 1, &labels));
    CHECK(labels == 0);
    FAILS(pe_snapshot_exemplar_label(snapshot, f, 1, 0, &label, &label_value), PE_ERR_NOT_FOUND,
          "pe_snapshot_exemplar_label: label index 0 is out of range (there are 0)");
    OK(pe_snapshot_sample_timestamp(snapshot, f, 0, &has_timestamp, &timestamp));
    CHECK(!has_timestamp);

    /* Histogram: buckets with le, _count, _sum, _created; the exemplar on its bucket. */
    f = family_index(snapshot, "latency");
    OK(pe_snapshot_sample_count(snapshot, f, &samples));
    CHECK(samples == 6);
    check_sample(snapshot, f, 0, "latency_bucket", 1);
    check_label(snapshot, f, 0, 0, "le", "0.5");
    check_sample(snapshot, f, 1, "latency_bucket", 2);
    check_label(snapshot, f, 1, 0, "le", "1.0");
    check_sample(snapshot, f, 2, "latency_bucket", 2);
    check_label(snapshot, f, 2, 0, "le", "+Inf");
    check_sample(snapshot, f, 3, "latency_count", 2);
    check_sample(snapshot, f, 4, "latency_sum", 0.2 + 0.7);
    check_sample(snapshot, f, 5, "latency_created", NAN);
    OK(pe_snapshot_sample_exemplar(snapshot, f, 1, &has_exemplar, &value, &has_timestamp,
                                   &timestamp));
    CHECK(has_exemplar && !has_timestamp);
    EQ(value, 0.7);
    OK(pe_snapshot_sample_exemplar(snapshot, f, 0, &has_exemplar, &value, &has_timestamp,
                                   &timestamp));
    CHECK(!has_exemplar);

    /* Summary: one sample per quantile, then _count, _sum, _created. */
    f = family_index(snapshot, "rpc");
    OK(pe_snapshot_sample_count(snapshot, f, &samples));
    CHECK(samples == 4);
    check_sample(snapshot, f, 0, "rpc", NAN);
    check_label(snapshot, f, 0, 0, "quantile", "0.5");
    check_sample(snapshot, f, 1, "rpc_count", 1);
    check_sample(snapshot, f, 2, "rpc_sum", 4);

    /* Info and enum. */
    f = family_index(snapshot, "build");
    check_sample(snapshot, f, 0, "build_info", 1);
    check_label(snapshot, f, 0, 0, "version", "1.0");
    f = family_index(snapshot, "status");
    OK(pe_snapshot_sample_count(snapshot, f, &samples));
    CHECK(samples == 2);
    check_sample(snapshot, f, 0, "status", 0);
    check_label(snapshot, f, 0, 0, "status", "up");
    check_sample(snapshot, f, 1, "status", 1);
    check_label(snapshot, f, 1, 0, "status", "down");
    f = family_index(snapshot, "temperature");
    check_sample(snapshot, f, 0, "temperature", -3.5);
    OK(pe_snapshot_sample_label_count(snapshot, f, 0, &labels));
    CHECK(labels == 0);

    /* The same, all at once. */
    check_bulk_view(snapshot);
    const pe_snapshot_family *families = NULL;
    const char *strings = NULL;
    FAILS(pe_snapshot_families(snapshot, &families, NULL), PE_ERR_NULL,
          "pe_snapshot_families: argument `n_families` is NULL");
    FAILS(pe_snapshot_strings((pe_snapshot *)registry, &strings, &n), PE_ERR_WRONG_KIND,
          "pe_snapshot_strings: argument `snapshot` is a pe_registry handle");
    pe_snapshot *empty = NULL;
    OK(pe_registry_snapshot_filtered(registry, NULL, 0, &empty));
    OK(pe_snapshot_families(empty, &families, &n));
    CHECK(n == 0);
    pe_snapshot_free(empty);

    /* Index errors. */
    const char *text = NULL;
    FAILS(pe_snapshot_family_name(snapshot, 6, &text), PE_ERR_NOT_FOUND,
          "pe_snapshot_family_name: family index 6 is out of range (there are 6)");
    FAILS(pe_snapshot_family_type(snapshot, 99, &types[0]), PE_ERR_NOT_FOUND, "family index 99");
    FAILS(pe_snapshot_sample_count(snapshot, 6, &samples), PE_ERR_NOT_FOUND, "family index 6");
    FAILS(pe_snapshot_sample_name(snapshot, 0, 1, &text), PE_ERR_NOT_FOUND,
          "sample index 1 is out of range (there are 1)");
    FAILS(pe_snapshot_sample_value(snapshot, 0, 5, &value), PE_ERR_NOT_FOUND, "sample index 5");
    FAILS(pe_snapshot_sample_label(snapshot, 0, 0, 1, &label, &label_value), PE_ERR_NOT_FOUND,
          "label index 1 is out of range (there are 1)");
    FAILS(pe_snapshot_sample_label(snapshot, 0, 0, 0, NULL, &label_value), PE_ERR_NULL,
          "argument `name` is NULL");
    FAILS(pe_snapshot_family_count((pe_snapshot *)registry, &n), PE_ERR_WRONG_KIND,
          "argument `snapshot` is a pe_registry handle, but a pe_snapshot is needed");

    /* Snapshots are frozen: later updates do not show; strings live until the snapshot goes. */
    OK(pe_gauge_set(temperature, 10));
    check_sample(snapshot, family_index(snapshot, "temperature"), 0, "temperature", -3.5);
    const char *kept = NULL;
    OK(pe_snapshot_family_help(snapshot, 0, &kept));
    pe_snapshot *other = NULL;
    OK(pe_registry_snapshot(registry, &other));
    pe_snapshot_free(other);
    STREQ(kept, "Build.");
    FAILS(pe_registry_snapshot(registry, NULL), PE_ERR_NULL, "argument `out` is NULL");


    /* The whole snapshot as JSON, in one call. */
    pe_registry *small = NULL;
    OK(pe_registry_new(&small));
    const char *k[] = {"k"};
    const char *odd[] = {"a\"b\nc"};
    const char *x[] = {"x"};
    pe_gauge *g = NULL;
    OK(pe_gauge_new("g", "G \"q\".", k, 1, &g));
    OK(pe_gauge_set_labels(g, odd, 1, INFINITY));
    OK(pe_gauge_set_labels(g, x, 1, 0.5));
    OK(pe_registry_register_gauge(small, g));
    pe_snapshot *small_snapshot = NULL;
    OK(pe_registry_snapshot(small, &small_snapshot));
    check_bulk_view(small_snapshot);
    char *json = NULL;
    size_t json_len = 0;
    OK(pe_snapshot_json(small_snapshot, &json, &json_len));
    STREQ(json, "[[\"g\",\"G \\\"q\\\".\",\"\",1,[[\"g\",{\"k\":\"a\\\"b\\nc\"},\"+Inf\",null,null],"
                "[\"g\",{\"k\":\"x\"},0.5,null,null]]]]");
    CHECK(json_len == strlen(json));
    pe_string_free(json);
    OK(pe_snapshot_json(small_snapshot, &json, NULL));
    pe_string_free(json);
    FAILS(pe_snapshot_json(small_snapshot, NULL, NULL), PE_ERR_NULL,
          "pe_snapshot_json: argument `out` is NULL");
    FAILS(pe_snapshot_json(NULL, &json, NULL), PE_ERR_NULL, "argument `snapshot` is NULL");
    /* The same by columns. */
    OK(pe_snapshot_json_columns(small_snapshot, &json, &json_len));
    STREQ(json, "[[\"g\",\"G \\\"q\\\".\",\"\",1,[\"g\",\"g\"],"
                "[{\"k\":\"a\\\"b\\nc\"},{\"k\":\"x\"}],[\"+Inf\",0.5],null,null]]");
    CHECK(json_len == strlen(json));
    pe_string_free(json);
    FAILS(pe_snapshot_json_columns(small_snapshot, NULL, &json_len), PE_ERR_NULL,
          "pe_snapshot_json_columns: argument `out` is NULL");
    pe_snapshot_free(small_snapshot);
    pe_gauge_free(g);
    pe_registry_free(small);
    pe_snapshot_free(snapshot);
    pe_registry_free(registry);
    pe_counter_free(requests_get);
    pe_counter_free(requests);
    pe_gauge_free(temperature);
    pe_histogram_free(latency);
    pe_summary_free(rpc);
    pe_info_free(build);
    pe_enum_free(status);
    printf("ok\n");
    return 0;
}
