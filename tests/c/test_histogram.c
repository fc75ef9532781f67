/* pe_histogram from C: buckets, observations, reads, errors, values kept on error. */
#include "check.h"

static double count_of(const pe_histogram *h) {
    uint64_t count = 0;
    OK(pe_histogram_count(h, &count));
    return (double)count;
}

static double sum_of(const pe_histogram *h) {
    double sum = -1;
    OK(pe_histogram_sum(h, &sum));
    return sum;
}

static void bucket_helpers(void) {
    double out[4] = {0};
    OK(pe_linear_buckets(1, 2, 3, out));
    EQ(out[0], 1);
    EQ(out[1], 3);
    EQ(out[2], 5);
    OK(pe_exponential_buckets(1, 10, 4, out));
    EQ(out[3], 1000);
    out[0] = -1;
    FAILS(pe_linear_buckets(0, 0, 3, out), PE_ERR_INVALID_CONFIG,
          "pe_linear_buckets: invalid configuration: linear_buckets needs a finite start and a finite width > 0");
    FAILS(pe_linear_buckets(0, 1, 0, out), PE_ERR_INVALID_CONFIG, "count >= 1");
    FAILS(pe_exponential_buckets(0, 2, 3, out), PE_ERR_INVALID_CONFIG, "finite start > 0");
    FAILS(pe_exponential_buckets(1, 1, 3, out), PE_ERR_INVALID_CONFIG, "finite factor > 1");
    FAILS(pe_linear_buckets(0, 1, 3, NULL), PE_ERR_NULL, "argument `out` is NULL");
    EQ(out[0], -1);
}

static void unlabelled(void) {
    /* Default buckets. */
    pe_histogram *h = NULL;
    OK(pe_histogram_new("latency_seconds", "Latency.", NULL, 0, NULL, 0, &h));
    size_t n = 0;
    OK(pe_histogram_buckets(h, NULL, NULL, 0, &n));
    CHECK(n == 15);
    double bounds[15];
    OK(pe_histogram_buckets(h, bounds, NULL, 15, &n));
    EQ(bounds[0], 0.005);
    EQ(bounds[14], INFINITY);
    pe_histogram_free(h);

    /* Custom buckets; +Inf is added. */
    double custom[] = {0.1, 0.5, 1};
    OK(pe_histogram_new("work_seconds", NULL, NULL, 0, custom, 3, &h));
    double observations[] = {0.05, 0.1, 0.3, 2, 0.7};
    for (size_t i = 0; i < LEN(observations); i++) OK(pe_histogram_observe(h, observations[i]));
    EQ(count_of(h), 5);
    EQ(sum_of(h), 0.05 + 0.1 + 0.3 + 2 + 0.7);
    uint64_t counts[4];
    OK(pe_histogram_buckets(h, bounds, counts, 4, &n));
    CHECK(n == 4);
    EQ(bounds[3], INFINITY);
    CHECK(counts[0] == 2 && counts[1] == 3 && counts[2] == 4 && counts[3] == 5);
    /* A short array gets the first buckets only. */
    uint64_t two[2] = {0, 0};
    OK(pe_histogram_buckets(h, NULL, two, 2, &n));
    CHECK(n == 4 && two[0] == 2 && two[1] == 3);

    FAILS(pe_histogram_observe(h, NAN), PE_ERR_INVALID_VALUE,
          "pe_histogram_observe: invalid value: histogram observation is NaN");
    EQ(count_of(h), 5);
    OK(pe_histogram_observe(h, INFINITY));
    OK(pe_histogram_observe(h, -INFINITY));
    EQ(count_of(h), 7);

    const char *names[] = {"trace_id"};
    const char *values[] = {"t1"};
    OK(pe_histogram_observe_with_exemplar(h, 0.2, names, values, 1, NAN));
    FAILS(pe_histogram_observe_with_exemplar(h, NAN, names, values, 1, NAN), PE_ERR_INVALID_VALUE,
          "NaN");
    const char *bad[] = {"__x"};
    FAILS(pe_histogram_observe_with_exemplar(h, 0.2, bad, values, 1, NAN), PE_ERR_INVALID_VALUE,
          "invalid exemplar");
    FAILS(pe_histogram_observe_with_exemplar(h, 0.2, names, values, 1, -INFINITY),
          PE_ERR_INVALID_VALUE, "timestamp is not finite");
    EQ(count_of(h), 8);

    FAILS(pe_histogram_buckets(h, bounds, counts, 4, NULL), PE_ERR_NULL,
          "argument `n_buckets` is NULL");
    FAILS(pe_histogram_count(h, NULL), PE_ERR_NULL, "argument `out` is NULL");

    /* Bucket configuration errors. */
    pe_histogram *bad_h = NULL;
    double unsorted[] = {1, 0.5};
    FAILS(pe_histogram_new("h", NULL, NULL, 0, unsorted, 2, &bad_h), PE_ERR_INVALID_CONFIG,
          "buckets must be strictly increasing: 1 is followed by 0.5");
    double repeated[] = {1, 1};
    FAILS(pe_histogram_new("h", NULL, NULL, 0, repeated, 2, &bad_h), PE_ERR_INVALID_CONFIG,
          "strictly increasing");
    double with_nan[] = {1, NAN};
    FAILS(pe_histogram_new("h", NULL, NULL, 0, with_nan, 2, &bad_h), PE_ERR_INVALID_CONFIG,
          "bucket bound is NaN");
    const char *le[] = {"le"};
    FAILS(pe_histogram_new("h", NULL, le, 1, NULL, 0, &bad_h), PE_ERR_INVALID_NAME,
          "invalid label name \"le\": reserved for histogram buckets");
    CHECK(bad_h == NULL);

    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "request";
    opts.unit = "seconds";
    OK(pe_histogram_new_opts(&opts, custom, 3, &bad_h));
    FAILS(pe_histogram_new_opts(&opts, unsorted, 2, &bad_h), PE_ERR_INVALID_CONFIG, "increasing");
    pe_histogram_free(bad_h);
    pe_histogram_free(h);
}

static void labelled(void) {
    const char *label_names[] = {"route"};
    double buckets[] = {1, 2};
    pe_histogram *family = NULL;
    OK(pe_histogram_new("route_seconds", NULL, label_names, 1, buckets, 2, &family));
    const char *a[] = {"/a"};
    const char *b[] = {"/b"};
    const char *c[] = {"/c"};
    pe_histogram *child = NULL;
    OK(pe_histogram_labels(family, a, 1, &child));
    OK(pe_histogram_observe(child, 0.5));
    OK(pe_histogram_observe(child, 1.5));
    OK(pe_histogram_observe_labels(family, b, 1, 3));
    OK(pe_histogram_observe_labels(family, b, 1, 0.5));

    /* Family reads sum over children. */
    EQ(count_of(family), 4);
    EQ(sum_of(family), 5.5);
    uint64_t counts[3];
    size_t n = 0;
    OK(pe_histogram_buckets(family, NULL, counts, 3, &n));
    CHECK(n == 3 && counts[0] == 2 && counts[1] == 3 && counts[2] == 4);

    uint64_t count = 0;
    double sum = 0;
    OK(pe_histogram_count_labels(family, b, 1, &count));
    CHECK(count == 2);
    OK(pe_histogram_sum_labels(family, b, 1, &sum));
    EQ(sum, 3.5);
    double bounds[3];
    OK(pe_histogram_buckets_labels(family, a, 1, bounds, counts, 3, &n));
    CHECK(n == 3 && counts[0] == 1 && counts[1] == 2 && counts[2] == 2);
    EQ(bounds[1], 2);

    FAILS(pe_histogram_count_labels(family, c, 1, &count), PE_ERR_NOT_FOUND,
          "pe_histogram_count_labels: no child with label values [\"/c\"]");
    FAILS(pe_histogram_sum_labels(family, c, 1, &sum), PE_ERR_NOT_FOUND, "no child");
    FAILS(pe_histogram_buckets_labels(family, c, 1, NULL, NULL, 0, &n), PE_ERR_NOT_FOUND,
          "no child");
    FAILS(pe_histogram_observe(family, 1), PE_ERR_LABEL_COUNT,
          "pe_histogram_observe: wrong number of label values: expected 1, got 0");
    FAILS(pe_histogram_observe_with_exemplar(family, 1, NULL, NULL, 0, NAN), PE_ERR_LABEL_COUNT,
          "expected 1, got 0");
    FAILS(pe_histogram_observe_labels(family, NULL, 0, 1), PE_ERR_LABEL_COUNT, "got 0");
    FAILS(pe_histogram_observe_labels(family, a, 1, NAN), PE_ERR_INVALID_VALUE, "NaN");
    FAILS(pe_histogram_observe_labels(child, a, 1, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_histogram_labels(child, a, 1, &child), PE_ERR_WRONG_KIND, "bound child");
    EQ(count_of(family), 4);

    OK(pe_histogram_remove(family, b, 1));
    FAILS(pe_histogram_remove(family, b, 1), PE_ERR_NOT_FOUND, "no child");
    EQ(count_of(family), 2);
    OK(pe_histogram_clear(family));
    EQ(count_of(family), 0);
    EQ(count_of(child), 2); /* the detached child keeps its data */
    FAILS(pe_histogram_clear(child), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_histogram_remove(child, a, 1), PE_ERR_WRONG_KIND, "bound child");
    pe_histogram_free(child);
    pe_histogram_free(family);
}

int main(void) {
    bucket_helpers();
    unlabelled();
    labelled();
    printf("ok\n");
    return 0;
}
