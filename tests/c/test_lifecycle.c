/* Series lifecycle from C: idle expiry under a pinned clock, constant labels, a registry view
 * that prefixes and labels what is registered through it, and the struct sizes older callers
 * pass. */
#include <stddef.h>
#include <string.h>

#include "check.h"

static char *expose(pe_registry *registry) {
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    return text;
}

static void has(pe_registry *registry, const char *needle, int wanted) {
    char *text = expose(registry);
    if ((strstr(text, needle) != NULL) != wanted) {
        fprintf(stderr, "%s:%d: \"%s\" %s in:\n%s\n", __FILE__, __LINE__, needle,
                wanted ? "not" : "unexpectedly", text);
        exit(1);
    }
    pe_string_free(text);
}

static void idle_expiry(void) {
    OK(pe_series_clock_pin(1000));
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "jobs_total";
    const char *names[] = {"job"};
    opts.label_names = names;
    opts.n_label_names = 1;
    opts.series_ttl_seconds = 60;
    pe_counter *jobs = NULL;
    OK(pe_counter_new_opts(&opts, &jobs));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_counter(registry, jobs));

    const char *held_job[] = {"held"}, *oneshot_job[] = {"oneshot"};
    pe_counter *held = NULL;
    OK(pe_counter_labels(jobs, held_job, 1, &held));
    OK(pe_counter_inc(held, 4));
    OK(pe_counter_inc_labels(jobs, oneshot_job, 1, 2));
    has(registry, "jobs_total{job=\"held\"} 4\n", 1);
    has(registry, "jobs_total{job=\"oneshot\"} 2\n", 1);

    /* 60 s idle since the collection that first saw them idle: both gone from the output; the
     * one nobody holds is removed, the held one hidden. */
    OK(pe_series_clock_pin(1060));
    has(registry, "job=", 0);
    double value = -1;
    FAILS(pe_counter_get_labels(jobs, oneshot_job, 1, &value), PE_ERR_NOT_FOUND, "no child");
    OK(pe_counter_inc(held, 1));
    OK(pe_counter_inc_labels(jobs, oneshot_job, 1, 1)); /* a new series, from zero */
    has(registry, "jobs_total{job=\"held\"} 5\n", 1);
    has(registry, "jobs_total{job=\"oneshot\"} 1\n", 1);

    FAILS(pe_series_clock_pin(-1), PE_ERR_INVALID_VALUE, "finite, >= 0");
    FAILS(pe_series_clock_pin(NAN), PE_ERR_INVALID_VALUE, "finite");
    opts.series_ttl_seconds = -5;
    pe_counter *bad = NULL;
    FAILS(pe_counter_new_opts(&opts, &bad), PE_ERR_INVALID_VALUE, "opts->series_ttl_seconds");
    opts.series_ttl_seconds = INFINITY;
    FAILS(pe_counter_new_opts(&opts, &bad), PE_ERR_INVALID_VALUE, "opts->series_ttl_seconds");
    CHECK(bad == NULL);
    OK(pe_series_clock_unpin());

    pe_counter_free(held);
    pe_counter_free(jobs);
    pe_registry_free(registry);
}

static void const_labels(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "queue_depth";
    const char *names[] = {"queue"};
    opts.label_names = names;
    opts.n_label_names = 1;
    const char *const_names[] = {"service", "zone"}, *const_values[] = {"api", "eu"};
    opts.const_label_names = const_names;
    opts.const_label_values = const_values;
    opts.n_const_labels = 2;
    pe_gauge *depth = NULL;
    OK(pe_gauge_new_opts(&opts, &depth));
    const char *mail[] = {"mail"};
    OK(pe_gauge_set_labels(depth, mail, 1, 7));
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_gauge(registry, depth));
    has(registry, "queue_depth{service=\"api\",zone=\"eu\",queue=\"mail\"} 7\n", 1);

    /* Checked like labels, and against them. */
    pe_gauge *bad = NULL;
    const_names[1] = "queue";
    FAILS(pe_gauge_new_opts(&opts, &bad), PE_ERR_INVALID_NAME, "queue");
    const_names[1] = "__zone";
    FAILS(pe_gauge_new_opts(&opts, &bad), PE_ERR_INVALID_NAME, "__zone");
    opts.const_label_values = NULL;
    FAILS(pe_gauge_new_opts(&opts, &bad), PE_ERR_NULL, "opts->const_label_values");
    CHECK(bad == NULL);

    pe_gauge_free(depth);
    pe_registry_free(registry);
}

static void wrapping_view(void) {
    pe_registry *root = NULL;
    OK(pe_registry_new(&root));
    const char *names[] = {"env"}, *values[] = {"prod"};
    pe_registry *view = NULL;
    OK(pe_registry_wrap(root, "app_", names, values, 1, &view));
    pe_counter *requests = NULL;
    OK(pe_counter_new("requests_total", "Requests.", NULL, 0, &requests));
    OK(pe_counter_inc(requests, 3));
    OK(pe_registry_register_counter(view, requests));
    has(root, "app_requests_total{env=\"prod\"} 3\n", 1);
    has(view, "app_requests_total{env=\"prod\"} 3\n", 1);

    /* A family that has the added label is refused; so are bad labels for the view. */
    const char *env[] = {"env"};
    pe_gauge *clash = NULL;
    OK(pe_gauge_new("clash", "", env, 1, &clash));
    FAILS(pe_registry_register_gauge(view, clash), PE_ERR_INVALID_NAME, "env");
    has(root, "clash", 0);
    const char *twice[] = {"a", "a"}, *two[] = {"1", "2"};
    pe_registry *bad = NULL;
    FAILS(pe_registry_wrap(root, "", twice, two, 2, &bad), PE_ERR_INVALID_NAME, "\"a\"");
    FAILS(pe_registry_wrap(root, "", NULL, two, 1, &bad), PE_ERR_NULL, "label_names");
    CHECK(bad == NULL);

    OK(pe_registry_unregister_counter(view, requests));
    has(root, "app_requests_total", 0);
    pe_gauge_free(clash);
    pe_counter_free(requests);
    pe_registry_free(view);
    pe_registry_free(root);
}

/* A caller compiled before the lifecycle fields passes a smaller struct: the fields it lacks
 * are not read. */
static void older_struct_sizes(void) {
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.name = "older_total";
    opts.series_ttl_seconds = -1; /* invalid, but beyond the caller's struct */
    opts.n_const_labels = 3;
    opts.struct_size = offsetof(pe_metric_opts, series_ttl_seconds);
    pe_counter *c = NULL;
    OK(pe_counter_new_opts(&opts, &c));
    pe_counter_free(c);
}

int main(void) {
    idle_expiry();
    const_labels();
    wrapping_view();
    older_struct_sizes();
    puts("ok");
    return 0;
}
