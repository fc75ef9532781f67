/* pe_summary from C: objectives, observations, reads, errors, values kept on error. */
#include "check.h"

static double count_of(const pe_summary *s) {
    uint64_t count = 0;
    OK(pe_summary_count(s, &count));
    return (double)count;
}

static double sum_of(const pe_summary *s) {
    double sum = -1;
    OK(pe_summary_sum(s, &sum));
    return sum;
}

/* The estimate of a quantile; NaN when the window is empty. Within its objective's error. */
static void check_quantile(const pe_summary *s, double q, double want, double rank_error) {
    double got = 0;
    OK(pe_summary_quantile(s, q, &got));
    /* 1..100 observed: a rank error of e allows values within e * 100 of the exact one. */
    if (!isnan(got)) CHECK(fabs(got - want) <= rank_error * 100 + 1);
}

int main(void) {
    pe_summary *s = NULL;
    OK(pe_summary_new("rpc_seconds", "RPC latency.", NULL, 0, &s));
    for (int i = 1; i <= 100; i++) OK(pe_summary_observe(s, i));
    EQ(count_of(s), 100);
    EQ(sum_of(s), 5050);
    check_quantile(s, 0.5, 50, 0.05);
    check_quantile(s, 0.9, 90, 0.01);
    FAILS(pe_summary_observe(s, NAN), PE_ERR_INVALID_VALUE,
          "pe_summary_observe: invalid value: summary observation is NaN");
    EQ(count_of(s), 100);
    FAILS(pe_summary_quantile(s, 0.5, NULL), PE_ERR_NULL, "argument `out` is NULL");

    /* Options: custom objectives, none at all, window. */
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "custom";
    double quantiles[] = {0.5, 0.99};
    double errors[] = {0.01, 0.001};
    pe_summary *custom = NULL;
    OK(pe_summary_new_opts(&opts, quantiles, errors, 2, 60, 3, &custom));
    for (int i = 1; i <= 100; i++) OK(pe_summary_observe(custom, i));
    check_quantile(custom, 0.5, 50, 0.01);
    opts.name = "plain";
    pe_summary *plain = NULL;
    OK(pe_summary_new_opts(&opts, quantiles, errors, 0, 0, 0, &plain)); /* no objectives */
    opts.name = "defaults";
    pe_summary *defaults = NULL;
    OK(pe_summary_new_opts(&opts, NULL, NULL, 0, 0, 0, &defaults)); /* default objectives */

    pe_summary *bad = NULL;
    FAILS(pe_summary_new_opts(&opts, NULL, errors, 2, 0, 0, &bad), PE_ERR_NULL,
          "argument `quantiles` is NULL");
    FAILS(pe_summary_new_opts(&opts, quantiles, NULL, 2, 0, 0, &bad), PE_ERR_NULL,
          "argument `errors` is NULL");
    FAILS(pe_summary_new_opts(&opts, quantiles, errors, 2, -1, 0, &bad), PE_ERR_INVALID_CONFIG,
          "max_age_seconds -1 is not a positive, finite number of seconds");
    FAILS(pe_summary_new_opts(&opts, quantiles, errors, 2, INFINITY, 0, &bad),
          PE_ERR_INVALID_CONFIG, "max_age_seconds inf");
    FAILS(pe_summary_new_opts(&opts, quantiles, errors, 2, NAN, 0, &bad), PE_ERR_INVALID_CONFIG,
          "max_age_seconds NaN");
    const char *reserved[] = {"quantile"};
    FAILS(pe_summary_new("s", NULL, reserved, 1, &bad), PE_ERR_INVALID_NAME,
          "invalid label name \"quantile\": reserved for summary quantiles");
    CHECK(bad == NULL);

    /* Labelled. */
    const char *label_names[] = {"method"};
    pe_summary *family = NULL;
    OK(pe_summary_new("calls", NULL, label_names, 1, &family));
    const char *get[] = {"get"};
    const char *put[] = {"put"};
    const char *del[] = {"delete"};
    pe_summary *child = NULL;
    OK(pe_summary_labels(family, get, 1, &child));
    OK(pe_summary_observe(child, 1));
    OK(pe_summary_observe(child, 3));
    OK(pe_summary_observe_labels(family, put, 1, 10));
    EQ(count_of(family), 3);
    EQ(sum_of(family), 14);
    uint64_t count = 0;
    double value = 0;
    OK(pe_summary_count_labels(family, get, 1, &count));
    CHECK(count == 2);
    OK(pe_summary_sum_labels(family, put, 1, &value));
    EQ(value, 10);
    OK(pe_summary_quantile_labels(family, get, 1, 0.5, &value));
    OK(pe_summary_quantile(child, 0.5, &value));
    FAILS(pe_summary_quantile(family, 0.5, &value), PE_ERR_LABEL_COUNT,
          "pe_summary_quantile: wrong number of label values: expected 1, got 0");
    FAILS(pe_summary_quantile_labels(family, del, 1, 0.5, &value), PE_ERR_NOT_FOUND,
          "no child with label values [\"delete\"]");
    FAILS(pe_summary_count_labels(family, del, 1, &count), PE_ERR_NOT_FOUND, "no child");
    FAILS(pe_summary_sum_labels(family, del, 1, &value), PE_ERR_NOT_FOUND, "no child");
    FAILS(pe_summary_observe(family, 1), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_summary_observe_labels(family, put, 1, NAN), PE_ERR_INVALID_VALUE, "NaN");
    FAILS(pe_summary_observe_labels(child, put, 1, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_summary_labels(child, put, 1, &child), PE_ERR_WRONG_KIND, "bound child");
    EQ(count_of(family), 3);
    OK(pe_summary_remove(family, put, 1));
    FAILS(pe_summary_remove(family, put, 1), PE_ERR_NOT_FOUND, "no child");
    EQ(count_of(family), 2);
    OK(pe_summary_clear(family));
    EQ(count_of(family), 0);
    FAILS(pe_summary_clear(child), PE_ERR_WRONG_KIND, "bound child");

    pe_summary_free(child);
    pe_summary_free(family);
    pe_summary_free(defaults);
    pe_summary_free(plain);
    pe_summary_free(custom);
    pe_summary_free(s);
    printf("ok\n");
    return 0;
}
