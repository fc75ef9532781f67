/* The error statuses of the functions the other programs use only on their happy path. */
#include "check.h"

static double one(void *user_data) {
    (void)user_data;
    return 1;
}

static void registry_errors(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_gauge *g = NULL;
    pe_histogram *h = NULL;
    pe_summary *s = NULL;
    pe_info *i = NULL;
    pe_enum *e = NULL;
    pe_collector *c = NULL;
    const char *states[] = {"a"};
    OK(pe_gauge_new("g", NULL, NULL, 0, &g));
    OK(pe_histogram_new("h", NULL, NULL, 0, NULL, 0, &h));
    OK(pe_summary_new("s", NULL, NULL, 0, &s));
    OK(pe_info_new("i", NULL, NULL, 0, &i));
    OK(pe_enum_new("e", NULL, NULL, 0, states, 1, &e));
    OK(pe_callback_gauge_new("c", NULL, one, NULL, NULL, &c));

    /* Unregistering what is not registered. */
    FAILS(pe_registry_unregister_gauge(registry, g), PE_ERR_NOT_FOUND,
          "pe_registry_unregister_gauge: not registered");
    FAILS(pe_registry_unregister_histogram(registry, h), PE_ERR_NOT_FOUND,
          "pe_registry_unregister_histogram: not registered");
    FAILS(pe_registry_unregister_summary(registry, s), PE_ERR_NOT_FOUND,
          "pe_registry_unregister_summary: not registered");
    FAILS(pe_registry_unregister_info(registry, i), PE_ERR_NOT_FOUND,
          "pe_registry_unregister_info: not registered");

    /* Clashes, for each registration function: a gauge holds the name first. */
    pe_gauge *s_count = NULL, *i_info = NULL, *e_gauge = NULL, *c_gauge = NULL;
    OK(pe_gauge_new("s_count", NULL, NULL, 0, &s_count));
    OK(pe_gauge_new("i_info", NULL, NULL, 0, &i_info));
    OK(pe_gauge_new("e", NULL, NULL, 0, &e_gauge));
    OK(pe_gauge_new("c", NULL, NULL, 0, &c_gauge));
    OK(pe_registry_register_gauge(registry, s_count));
    OK(pe_registry_register_gauge(registry, i_info));
    OK(pe_registry_register_gauge(registry, e_gauge));
    OK(pe_registry_register_gauge(registry, c_gauge));
    FAILS(pe_registry_register_summary(registry, s), PE_ERR_DUPLICATE,
          "pe_registry_register_summary: duplicate registration: a collector already provides the "
          "sample name \"s_count\"");
    FAILS(pe_registry_register_info(registry, i), PE_ERR_DUPLICATE,
          "pe_registry_register_info: duplicate registration");
    FAILS(pe_registry_register_enum(registry, e), PE_ERR_DUPLICATE,
          "pe_registry_register_enum: duplicate registration");
    FAILS(pe_registry_register_collector(registry, c), PE_ERR_DUPLICATE,
          "pe_registry_register_collector: duplicate registration");

    /* Filtered snapshots check their names. */
    pe_snapshot *snapshot = NULL;
    FAILS(pe_registry_snapshot_filtered(registry, NULL, 1, &snapshot), PE_ERR_NULL,
          "pe_registry_snapshot_filtered: argument `names` is NULL");
    const char *bad[] = {"\xff"};
    FAILS(pe_registry_snapshot_filtered(registry, bad, 1, &snapshot), PE_ERR_UTF8,
          "`names[0]` is not valid UTF-8");
    CHECK(snapshot == NULL);

    pe_registry_free(registry);
    pe_gauge_free(c_gauge);
    pe_gauge_free(e_gauge);
    pe_gauge_free(i_info);
    pe_gauge_free(s_count);
    pe_collector_free(c);
    pe_enum_free(e);
    pe_info_free(i);
    pe_summary_free(s);
    pe_histogram_free(h);
    pe_gauge_free(g);
}

static void metric_errors(void) {
    pe_histogram *h = NULL;
    OK(pe_histogram_new("h", NULL, NULL, 0, NULL, 0, &h));
    FAILS(pe_histogram_sum(h, NULL), PE_ERR_NULL, "pe_histogram_sum: argument `out` is NULL");
    pe_summary *s = NULL;
    OK(pe_summary_new("s", NULL, NULL, 0, &s));
    FAILS(pe_summary_count(s, NULL), PE_ERR_NULL, "pe_summary_count: argument `out` is NULL");
    FAILS(pe_summary_sum(s, NULL), PE_ERR_NULL, "pe_summary_sum: argument `out` is NULL");

    pe_info *i = NULL;
    FAILS(pe_info_new("", NULL, NULL, 0, &i), PE_ERR_INVALID_NAME,
          "pe_info_new: invalid metric name \"\"");
    const char *reserved[] = {"__x"};
    FAILS(pe_info_new("i", NULL, reserved, 1, &i), PE_ERR_INVALID_NAME, "reserved");
    CHECK(i == NULL);
    const char *names[] = {"k"};
    OK(pe_info_new("i", NULL, names, 1, &i));
    pe_info *child = NULL;
    FAILS(pe_info_labels(i, NULL, 0, &child), PE_ERR_LABEL_COUNT,
          "pe_info_labels: wrong number of label values: expected 1, got 0");
    OK(pe_info_labels(i, names, 1, &child));
    FAILS(pe_info_labels(child, names, 1, &child), PE_ERR_WRONG_KIND, "bound child");

    const char *states[] = {"a", "b"};
    pe_enum *e = NULL, *e_child = NULL;
    OK(pe_enum_new("e", NULL, names, 1, states, 2, &e));
    FAILS(pe_enum_labels(e, NULL, 0, &e_child), PE_ERR_LABEL_COUNT,
          "pe_enum_labels: wrong number of label values: expected 1, got 0");
    OK(pe_enum_labels(e, names, 1, &e_child));
    FAILS(pe_enum_labels(e_child, names, 1, &e_child), PE_ERR_WRONG_KIND, "bound child");

    pe_enum_free(e_child);
    pe_enum_free(e);
    pe_info_free(child);
    pe_info_free(i);
    pe_summary_free(s);
    pe_histogram_free(h);
}

static void snapshot_errors(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_gauge *g = NULL;
    OK(pe_gauge_new("g", NULL, NULL, 0, &g));
    OK(pe_registry_register_gauge(registry, g));
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    const char *text = NULL;
    size_t n = 0;
    bool has = false, has_timestamp = false;
    double value = 0, timestamp = 0;
    FAILS(pe_snapshot_family_help(snapshot, 1, &text), PE_ERR_NOT_FOUND,
          "pe_snapshot_family_help: family index 1 is out of range (there are 1)");
    FAILS(pe_snapshot_family_unit(snapshot, 1, &text), PE_ERR_NOT_FOUND,
          "pe_snapshot_family_unit: family index 1");
    FAILS(pe_snapshot_sample_timestamp(snapshot, 0, 1, &has, &timestamp), PE_ERR_NOT_FOUND,
          "pe_snapshot_sample_timestamp: sample index 1 is out of range (there are 1)");
    FAILS(pe_snapshot_sample_timestamp(snapshot, 0, 0, &has, NULL), PE_ERR_NULL,
          "argument `timestamp` is NULL");
    FAILS(pe_snapshot_sample_label_count(snapshot, 2, 0, &n), PE_ERR_NOT_FOUND,
          "pe_snapshot_sample_label_count: family index 2");
    FAILS(pe_snapshot_sample_exemplar(snapshot, 0, 3, &has, &value, &has_timestamp, &timestamp),
          PE_ERR_NOT_FOUND, "pe_snapshot_sample_exemplar: sample index 3");
    FAILS(pe_snapshot_sample_exemplar(snapshot, 0, 0, &has, NULL, &has_timestamp, &timestamp),
          PE_ERR_NULL, "argument `value` is NULL");
    FAILS(pe_snapshot_exemplar_label_count(snapshot, 0, 9, &n), PE_ERR_NOT_FOUND,
          "pe_snapshot_exemplar_label_count: sample index 9");
    pe_snapshot_free(snapshot);
    pe_registry_free(registry);
    pe_gauge_free(g);
}

int main(void) {
    registry_errors();
    metric_errors();
    snapshot_errors();
    printf("ok\n");
    return 0;
}
