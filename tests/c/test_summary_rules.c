/* Summary rules that the core's estimator enforces: objectives in range, quantile queries. */
#include "check.h"

int main(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "s";
    pe_summary *s = NULL;
    double out_of_range[] = {1.5};
    double errors[] = {0.01};
    FAILS(pe_summary_new_opts(&opts, out_of_range, errors, 1, 0, 0, &s), PE_ERR_INVALID_CONFIG,
          "invalid configuration");
    double quantiles[] = {0.5};
    double bad_errors[] = {-0.1};
    FAILS(pe_summary_new_opts(&opts, quantiles, bad_errors, 1, 0, 0, &s), PE_ERR_INVALID_CONFIG,
          "invalid configuration");
    CHECK(s == NULL);
    OK(pe_summary_new_opts(&opts, quantiles, errors, 1, 0, 0, &s));
    for (int i = 1; i <= 1000; i++) OK(pe_summary_observe(s, i));
    double value = 0;
    OK(pe_summary_quantile(s, 0.5, &value));
    CHECK(fabs(value - 500) <= 0.01 * 1000 + 1);
    FAILS(pe_summary_quantile(s, 2, &value), PE_ERR_INVALID_VALUE, "invalid value");
    FAILS(pe_summary_quantile(s, NAN, &value), PE_ERR_INVALID_VALUE, "invalid value");
    pe_summary_free(s);
    printf("ok\n");
    return 0;
}
