/* Native histograms from C: options, observations, the native readers, both kinds of buckets,
 * every exposition format, and bad input refused with the state kept. */
#include <string.h>

#include "check.h"

static pe_native_histogram_opts native_opts(double factor) {
    pe_native_histogram_opts native;
    memset(&native, 0, sizeof native);
    native.struct_size = sizeof native;
    native.bucket_factor = factor;
    return native;
}

static pe_metric_opts metric_opts(const char *name) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = name;
    opts.help = "Latency.";
    return opts;
}

static void native_only(void) {
    pe_metric_opts opts = metric_opts("latency_seconds");
    pe_native_histogram_opts native = native_opts(2);
    pe_histogram *h = NULL;
    OK(pe_histogram_new_native(&opts, NULL, 0, &native, &h));
    OK(pe_histogram_observe(h, 1.5));
    OK(pe_histogram_observe(h, 3));
    OK(pe_histogram_observe(h, 3.5));
    OK(pe_histogram_observe(h, -0.75));
    OK(pe_histogram_observe(h, 0));
    FAILS(pe_histogram_observe(h, NAN), PE_ERR_INVALID_VALUE, "NaN");

    int32_t schema = 99;
    double zero_threshold = -1;
    uint64_t zero_count = 99;
    size_t n_positive = 0, n_negative = 0;
    OK(pe_histogram_native_state(h, &schema, &zero_threshold, &zero_count, &n_positive,
                                 &n_negative));
    EQ(schema, 0);
    EQ(zero_threshold, 2.938735877055719e-39);
    EQ(zero_count, 1);
    EQ(n_positive, 2);
    EQ(n_negative, 1);
    OK(pe_histogram_native_state(h, NULL, NULL, NULL, NULL, NULL));

    int32_t keys[4] = {0};
    uint64_t counts[4] = {0};
    size_t n = 0;
    OK(pe_histogram_native_buckets(h, 0, keys, counts, LEN(keys), &n));
    EQ(n, 2);
    EQ(keys[0], 1); /* (1, 2] */
    EQ(counts[0], 1);
    EQ(keys[1], 2); /* (2, 4] */
    EQ(counts[1], 2);
    OK(pe_histogram_native_buckets(h, 1, keys, counts, LEN(keys), &n));
    EQ(n, 1);
    EQ(keys[0], 0); /* (0.5, 1] */
    OK(pe_histogram_native_buckets(h, 0, NULL, NULL, 0, &n));
    EQ(n, 2);
    FAILS(pe_histogram_native_buckets(h, 0, keys, counts, 4, NULL), PE_ERR_NULL, "n_buckets");

    double lower = 0, upper = 0;
    OK(pe_native_bucket_bounds(2, 0, &lower, &upper));
    EQ(lower, 2);
    EQ(upper, 4);
    OK(pe_native_bucket_bounds(8, 3, NULL, &upper));
    EQ(upper, 2);
    FAILS(pe_native_bucket_bounds(0, 9, &lower, &upper), PE_ERR_INVALID_VALUE, "schema");

    uint64_t count = 0;
    OK(pe_histogram_count(h, &count));
    EQ(count, 5);

    /* No classic buckets: the 1.0 text formats show only +Inf, _count and _sum. */
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_histogram(registry, h));
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    CHECK(strstr(text, "latency_seconds_bucket{le=\"+Inf\"} 5\n") != NULL);
    CHECK(strstr(text, "latency_seconds_count 5\n") != NULL);
    pe_string_free(text);
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS_2, &text, &len));
    CHECK(strstr(text, "# TYPE latency_seconds histogram\n") != NULL);
    CHECK(strstr(text, "latency_seconds {count:5,sum:7.25,schema:0,zero_threshold:2.938735877055719e-39,"
                       "zero_count:1,negative_spans:[0:1],negative_buckets:[1],"
                       "positive_spans:[1:2],positive_buckets:[1,2]} st@") != NULL);
    pe_string_free(text);
    /* Protobuf is binary: its length comes back, NULs and all. */
    OK(pe_registry_expose(registry, PE_FORMAT_PROTOBUF, &text, &len));
    CHECK(len > 40);
    size_t at = 0; /* past the family's length prefix (a varint) */
    while (at < len && ((unsigned char)text[at] & 0x80)) at++;
    at++;
    CHECK(text[at] == 0x0a && text[at + 1] == 15); /* field 1 (name), 15 bytes */
    CHECK(memcmp(text + at + 2, "latency_seconds", 15) == 0);
    pe_string_free(text);
    FAILS(pe_registry_expose(registry, (pe_format)7, &text, &len), PE_ERR_INVALID_VALUE,
          "unknown pe_format 7");

    /* A snapshot carries the native buckets beside the samples: every sample of the point leads
     * to them. */
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    size_t n_samples = 0;
    OK(pe_snapshot_sample_count(snapshot, 0, &n_samples));
    EQ(n_samples, 4); /* _bucket{le="+Inf"}, _count, _sum, _created */
    for (size_t i = 0; i < n_samples; i++) {
        bool has_native = false;
        int32_t snapshot_schema = 99;
        size_t positive = 0;
        OK(pe_snapshot_sample_native(snapshot, 0, i, &has_native, &snapshot_schema, NULL, NULL,
                                     &positive, NULL));
        CHECK(has_native);
        EQ(snapshot_schema, 0);
        EQ(positive, 2);
    }
    OK(pe_snapshot_sample_native_buckets(snapshot, 0, 1, 0, keys, counts, LEN(keys), &n));
    EQ(n, 2);
    EQ(keys[1], 2);
    EQ(counts[1], 2);
    OK(pe_snapshot_sample_native_buckets(snapshot, 0, 1, 1, keys, counts, LEN(keys), &n));
    EQ(n, 1);
    FAILS(pe_snapshot_sample_native_buckets(snapshot, 0, 9, 0, keys, counts, 4, &n),
          PE_ERR_NOT_FOUND, "sample");
    pe_snapshot_free(snapshot);
    pe_registry_free(registry);
    pe_histogram_free(h);
}

static void classic_and_native(void) {
    pe_metric_opts opts = metric_opts("size_bytes");
    const char *labels[] = {"path"};
    opts.label_names = labels;
    opts.n_label_names = 1;
    pe_native_histogram_opts native = native_opts(1.1);
    native.max_bucket_number = 4;
    const double bounds[] = {10, 100};
    pe_histogram *family = NULL;
    OK(pe_histogram_new_native(&opts, bounds, LEN(bounds), &native, &family));
    const char *api[] = {"/api"};
    pe_histogram *child = NULL;
    OK(pe_histogram_labels(family, api, 1, &child));
    for (int i = 1; i <= 100; i++) OK(pe_histogram_observe(child, i * 5.0));

    size_t n = 0;
    uint64_t cumulative[3] = {0};
    OK(pe_histogram_buckets(child, NULL, cumulative, LEN(cumulative), &n));
    EQ(n, 3);
    EQ(cumulative[0], 2);
    EQ(cumulative[1], 20);
    EQ(cumulative[2], 100);
    int32_t schema = 0;
    size_t n_positive = 0;
    OK(pe_histogram_native_state(child, &schema, NULL, NULL, &n_positive, NULL));
    CHECK(schema < 3); /* halved to keep 4 buckets */
    CHECK(n_positive <= 4);
    uint64_t counts[8] = {0};
    OK(pe_histogram_native_buckets(child, 0, NULL, counts, LEN(counts), &n));
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += counts[i];
    EQ(total, 100);

    /* A family with labels has no one native state. */
    FAILS(pe_histogram_native_state(family, &schema, NULL, NULL, NULL, NULL), PE_ERR_LABEL_COUNT,
          "label");
    pe_histogram_free(child);
    pe_histogram_free(family);
}

static void bad_options(void) {
    pe_metric_opts opts = metric_opts("h");
    pe_histogram *h = NULL;
    pe_native_histogram_opts native = native_opts(1);
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG,
          "bucket factor must be finite and above 1, not 1");
    native = native_opts(NAN);
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG, "NaN");
    native = native_opts(2);
    native.min_reset_duration_seconds = -1;
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG,
          "min_reset_duration_seconds");
    native = native_opts(2);
    native.max_zero_threshold = INFINITY;
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG,
          "max zero threshold");
    native = native_opts(2);
    native.max_bucket_number = 1ull << 40;
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG, "32 bits");
    native = native_opts(2);
    native.struct_size = 8;
    FAILS(pe_histogram_new_native(&opts, NULL, 0, &native, &h), PE_ERR_INVALID_CONFIG,
          "struct_size");
    FAILS(pe_histogram_new_native(&opts, NULL, 0, NULL, &h), PE_ERR_NULL, "native");
    native = native_opts(2);
    const double unsorted[] = {2, 1};
    FAILS(pe_histogram_new_native(&opts, unsorted, 2, &native, &h), PE_ERR_INVALID_CONFIG,
          "increasing");
    CHECK(h == NULL);

    /* A classic histogram has no native state to read. */
    OK(pe_histogram_new("classic", "", NULL, 0, NULL, 0, &h));
    FAILS(pe_histogram_native_state(h, NULL, NULL, NULL, NULL, NULL), PE_ERR_INVALID_CONFIG,
          "no native buckets");
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_histogram(registry, h));
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    bool has_native = true;
    int32_t schema = 99;
    OK(pe_snapshot_sample_native(snapshot, 0, 0, &has_native, &schema, NULL, NULL, NULL, NULL));
    CHECK(!has_native);
    EQ(schema, 99); /* untouched */
    size_t n = 0;
    FAILS(pe_snapshot_sample_native_buckets(snapshot, 0, 0, 0, NULL, NULL, 0, &n), PE_ERR_NOT_FOUND,
          "has no native buckets");
    pe_snapshot_free(snapshot);
    pe_registry_free(registry);
    pe_histogram_free(h);
}

/* A custom collector hands over a native histogram point: keys and counts per sign. */
static void collect_native(pe_collect_builder *b, void *user_data) {
    (void)user_data;
    OK(pe_collect_family(b, "rpc_seconds", "RPC time.", PE_METRIC_HISTOGRAM, NULL));
    const int32_t positive_keys[] = {1, 2, 5};
    const uint64_t positive_counts[] = {2, 0, 3}; /* the empty bucket is left out */
    const int32_t negative_keys[] = {0};
    const uint64_t negative_counts[] = {1};
    const char *names[] = {"service"};
    const char *values[] = {"db"};
    OK(pe_collect_native_histogram(b, names, values, 1, 0, 0.001, 4, positive_keys,
                                   positive_counts, 3, negative_keys, negative_counts, 1, NULL,
                                   NULL, 0, 12.5, 10, NAN));
    const int32_t unsorted[] = {2, 1};
    FAILS(pe_collect_native_histogram(b, NULL, NULL, 0, 0, 0, 0, unsorted, positive_counts, 2,
                                      NULL, NULL, 0, NULL, NULL, 0, 1, 5, NAN),
          PE_ERR_INVALID_VALUE, "strictly increasing");
    FAILS(pe_collect_native_histogram(b, NULL, NULL, 0, 9, 0, 0, NULL, NULL, 0, NULL, NULL, 0,
                                      NULL, NULL, 0, 0, 0, NAN),
          PE_ERR_INVALID_CONFIG, "schema must be from -4 to 8, not 9");
    FAILS(pe_collect_native_histogram(b, NULL, NULL, 0, 0, -1, 0, NULL, NULL, 0, NULL, NULL, 0,
                                      NULL, NULL, 0, 0, 0, NAN),
          PE_ERR_INVALID_CONFIG, "zero threshold");
    FAILS(pe_collect_native_histogram(b, NULL, NULL, 0, 0, 0, 4, positive_keys, positive_counts,
                                      3, NULL, NULL, 0, NULL, NULL, 0, 0, 5, NAN),
          PE_ERR_INVALID_VALUE, "count (5) is below the buckets' total (9)");
    FAILS(pe_collect_native_histogram(b, NULL, NULL, 0, 0, 0, 0, NULL, positive_counts, 1, NULL,
                                      NULL, 0, NULL, NULL, 0, 0, 5, NAN),
          PE_ERR_NULL, "positive_keys");
}

static void custom_collector(void) {
    pe_collector *collector = NULL;
    OK(pe_collector_new(collect_native, NULL, NULL, &collector));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_collector(registry, collector));
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS_2, &text, &len));
    STREQ(text, "# TYPE rpc_seconds histogram\n# HELP rpc_seconds RPC time.\n"
                "rpc_seconds{service=\"db\"} {count:10,sum:12.5,schema:0,zero_threshold:0.001,"
                "zero_count:4,negative_spans:[0:1],negative_buckets:[1],"
                "positive_spans:[1:1,3:1],positive_buckets:[2,3]}\n# EOF\n");
    pe_string_free(text);
    /* A collected native point's samples lead to its buckets too. */
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    bool has_native = true;
    OK(pe_snapshot_sample_native(snapshot, 0, 0, &has_native, NULL, NULL, NULL, NULL, NULL));
    CHECK(has_native);
    pe_snapshot_free(snapshot);
    /* Without native support, the text formats show the count in one +Inf bucket. */
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    CHECK(strstr(text, "rpc_seconds_bucket{service=\"db\",le=\"+Inf\"} 10\n") != NULL);
    pe_string_free(text);
    pe_registry_free(registry);
    pe_collector_free(collector);
}

int main(void) {
    native_only();
    custom_collector();
    classic_and_native();
    bad_options();
    printf("ok\n");
    return 0;
}
