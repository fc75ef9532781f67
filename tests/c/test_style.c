/* Exposition styles from C: client_python's numbers, `_created` families and registration
 * order on one registry, the default elsewhere, and the checks on the struct. */
#include <string.h>

#include "check.h"

static void python_style(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_exposition_style style;
    memset(&style, 0, sizeof style);
    style.struct_size = sizeof style;
    style.numbers = PE_NUMBERS_PYTHON;
    style.created = PE_CREATED_EVERYWHERE;
    style.family_order = PE_FAMILIES_REGISTRATION;
    style.metadata = PE_METADATA_HELP_FIRST;
    OK(pe_registry_set_style(registry, &style));

    pe_gauge *zeta = NULL;
    OK(pe_gauge_new("zeta", "Last by name.", NULL, 0, &zeta));
    OK(pe_gauge_set(zeta, 123456789));
    pe_counter *alpha = NULL;
    OK(pe_counter_new("alpha_total", "First by name.", NULL, 0, &alpha));
    OK(pe_counter_inc(alpha, 1));
    OK(pe_registry_register_gauge(registry, zeta));
    OK(pe_registry_register_counter(registry, alpha));

    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    const char *want = "# HELP zeta Last by name.\n# TYPE zeta gauge\nzeta 1.23456789e+08\n"
                       "# HELP alpha_total First by name.\n# TYPE alpha_total counter\n"
                       "alpha_total 1.0\n"
                       "# HELP alpha_created First by name.\n# TYPE alpha_created gauge\n"
                       "alpha_created ";
    if (strncmp(text, want, strlen(want)) != 0) {
        fprintf(stderr, "%s:%d: got:\n%s\n", __FILE__, __LINE__, text);
        exit(1);
    }
    pe_string_free(text);

    pe_exposition_style read;
    memset(&read, 0, sizeof read);
    OK(pe_registry_get_style(registry, &read));
    EQ(read.struct_size, sizeof read);
    EQ(read.numbers, PE_NUMBERS_PYTHON);
    EQ(read.family_order, PE_FAMILIES_REGISTRATION);

    /* Another registry keeps the default. */
    pe_registry *plain = NULL;
    OK(pe_registry_new(&plain));
    OK(pe_registry_get_style(plain, &read));
    EQ(read.numbers, PE_NUMBERS_SHORTEST);
    EQ(read.created, PE_CREATED_OPENMETRICS);
    OK(pe_registry_register_gauge(plain, zeta));
    OK(pe_registry_expose(plain, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(strstr(text, "zeta 123456789\n") != NULL);
    pe_string_free(text);

    /* Bad structs change nothing. */
    style.numbers = 2;
    FAILS(pe_registry_set_style(registry, &style), PE_ERR_INVALID_VALUE, "style->numbers");
    style.numbers = PE_NUMBERS_PYTHON;
    style.created = 3;
    FAILS(pe_registry_set_style(registry, &style), PE_ERR_INVALID_VALUE, "style->created");
    style.struct_size = 8;
    FAILS(pe_registry_set_style(registry, &style), PE_ERR_INVALID_CONFIG, "struct_size");
    FAILS(pe_registry_set_style(registry, NULL), PE_ERR_NULL, "style");
    OK(pe_registry_get_style(registry, &read));
    EQ(read.created, PE_CREATED_EVERYWHERE);

    pe_gauge_free(zeta);
    pe_counter_free(alpha);
    pe_registry_free(plain);
    pe_registry_free(registry);
}

/* A summary exposed as client_python exposes one without objectives: count and sum only, its
 * quantiles still answered. */
static void hidden_quantiles(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "size_bytes";
    pe_summary *size = NULL;
    OK(pe_summary_new_opts_v2(&opts, NULL, NULL, 0, 0, 0, false, &size));
    OK(pe_summary_observe(size, 3));
    double median = 0;
    OK(pe_summary_quantile(size, 0.5, &median));
    EQ(median, 3);
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_summary(registry, size));
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(strstr(text, "quantile") == NULL);
    CHECK(strstr(text, "size_bytes_count 1\nsize_bytes_sum 3\n") != NULL);
    pe_string_free(text);
    pe_summary *bad = NULL;
    FAILS(pe_summary_new_opts_v2(NULL, NULL, NULL, 0, 0, 0, false, &bad), PE_ERR_NULL,
          "pe_summary_new_opts_v2: argument `opts` is NULL");
    pe_summary_free(size);
    pe_registry_free(registry);
}

int main(void) {
    python_style();
    hidden_quantiles();
    puts("ok");
    return 0;
}
