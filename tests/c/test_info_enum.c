/* pe_info and pe_enum from C. */
#include "check.h"

static void info(void) {
    pe_info *build = NULL;
    OK(pe_info_new("build", "Build information.", NULL, 0, &build));
    const char *names[] = {"version", "commit"};
    const char *values[] = {"1.2.3", "abc"};
    OK(pe_info_set(build, names, values, 2));
    const char *twice[] = {"version", "version"};
    FAILS(pe_info_set(build, twice, values, 2), PE_ERR_INVALID_NAME,
          "pe_info_set: duplicate label name \"version\"");
    const char *reserved[] = {"__v"};
    FAILS(pe_info_set(build, reserved, values, 1), PE_ERR_INVALID_NAME, "reserved");
    FAILS(pe_info_set(build, names, NULL, 2), PE_ERR_NULL, "argument `values` is NULL");
    OK(pe_info_set(build, NULL, NULL, 0));
    OK(pe_info_set(build, names, values, 2));

    const char *label_names[] = {"component"};
    pe_info *family = NULL;
    OK(pe_info_new("component", NULL, label_names, 1, &family));
    const char *api[] = {"api"};
    const char *db[] = {"db"};
    OK(pe_info_set_labels(family, api, 1, names, values, 2));
    pe_info *child = NULL;
    OK(pe_info_labels(family, db, 1, &child));
    OK(pe_info_set(child, names, values, 1));
    FAILS(pe_info_set(family, names, values, 1), PE_ERR_LABEL_COUNT,
          "pe_info_set: wrong number of label values: expected 1, got 0");
    FAILS(pe_info_set(child, label_names, values, 1), PE_ERR_INVALID_NAME,
          "invalid label name \"component\": already a label of the info family");
    FAILS(pe_info_set_labels(family, NULL, 0, names, values, 1), PE_ERR_LABEL_COUNT, "got 0");
    FAILS(pe_info_set_labels(child, api, 1, names, values, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_info_set_labels(family, api, 1, twice, values, 2), PE_ERR_INVALID_NAME, "duplicate");

    /* The labels in force after those errors: the last good ones. */
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    OK(pe_registry_register_info(registry, build));
    OK(pe_registry_register_info(registry, family));
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    size_t families = 0, samples = 0, labels = 0;
    OK(pe_snapshot_family_count(snapshot, &families));
    CHECK(families == 2);
    const char *text = NULL, *value = NULL;
    OK(pe_snapshot_family_name(snapshot, 0, &text));
    STREQ(text, "build");
    OK(pe_snapshot_sample_name(snapshot, 0, 0, &text));
    STREQ(text, "build_info");
    OK(pe_snapshot_sample_label_count(snapshot, 0, 0, &labels));
    CHECK(labels == 2);
    OK(pe_snapshot_sample_label(snapshot, 0, 0, 1, &text, &value));
    STREQ(text, "commit");
    STREQ(value, "abc");
    OK(pe_snapshot_sample_count(snapshot, 1, &samples));
    CHECK(samples == 2);
    OK(pe_snapshot_sample_label(snapshot, 1, 0, 0, &text, &value));
    STREQ(text, "component");
    STREQ(value, "api");
    pe_snapshot_free(snapshot);

    OK(pe_info_remove(family, api, 1));
    FAILS(pe_info_remove(family, api, 1), PE_ERR_NOT_FOUND, "no child");
    OK(pe_info_clear(family));
    FAILS(pe_info_clear(child), PE_ERR_WRONG_KIND, "bound child");

    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "with_unit";
    opts.unit = "bytes";
    pe_info *bad = NULL;
    FAILS(pe_info_new_opts(&opts, &bad), PE_ERR_INVALID_CONFIG, "info metrics cannot have a unit");
    opts.unit = NULL;
    OK(pe_info_new_opts(&opts, &bad));
    pe_info_free(bad);
    pe_registry_free(registry);
    pe_info_free(child);
    pe_info_free(family);
    pe_info_free(build);
}

static void enumeration(void) {
    const char *states[] = {"starting", "running", "stopped"};
    pe_enum *e = NULL;
    OK(pe_enum_new("task_state", "State.", NULL, 0, states, 3, &e));
    const char *state = NULL;
    OK(pe_enum_get(e, &state));
    STREQ(state, "starting");
    OK(pe_enum_set(e, "running"));
    OK(pe_enum_get(e, &state));
    STREQ(state, "running");
    FAILS(pe_enum_set(e, "flying"), PE_ERR_INVALID_VALUE, "pe_enum_set: unknown state \"flying\"");
    FAILS(pe_enum_set(e, NULL), PE_ERR_NULL, "argument `state` is NULL");
    FAILS(pe_enum_set(e, "\xff"), PE_ERR_UTF8, "argument `state` is not valid UTF-8");
    OK(pe_enum_get(e, &state));
    STREQ(state, "running");
    bool active = false;
    OK(pe_enum_is_active(e, "running", &active));
    CHECK(active);
    OK(pe_enum_is_active(e, "stopped", &active));
    CHECK(!active);
    FAILS(pe_enum_is_active(e, "flying", &active), PE_ERR_INVALID_VALUE, "unknown state");
    OK(pe_enum_set_state(e, "running", false));
    OK(pe_enum_get(e, &state));
    CHECK(state == NULL);
    OK(pe_enum_set_state(e, "stopped", true));
    OK(pe_enum_get(e, &state));
    STREQ(state, "stopped");
    FAILS(pe_enum_set_state(e, "flying", true), PE_ERR_INVALID_VALUE, "unknown state");

    /* Construction errors. */
    pe_enum *bad = NULL;
    FAILS(pe_enum_new("e", NULL, NULL, 0, NULL, 0, &bad), PE_ERR_INVALID_CONFIG,
          "a state set needs at least one state");
    const char *dup[] = {"a", "a"};
    FAILS(pe_enum_new("e", NULL, NULL, 0, dup, 2, &bad), PE_ERR_INVALID_CONFIG,
          "state \"a\" is listed twice");
    const char *own[] = {"e"};
    FAILS(pe_enum_new("e", NULL, own, 1, states, 3, &bad), PE_ERR_INVALID_NAME,
          "a state set exposes its states under a label named after the metric");
    FAILS(pe_enum_new("e", NULL, NULL, 0, NULL, 2, &bad), PE_ERR_NULL, "argument `states` is NULL");
    CHECK(bad == NULL);

    /* Flags. */
    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "features";
    const char *flags[] = {"fast", "safe"};
    pe_enum *f = NULL;
    OK(pe_enum_new_opts(&opts, flags, 2, true, &f));
    OK(pe_enum_get(f, &state));
    CHECK(state == NULL);
    OK(pe_enum_set_state(f, "safe", true));
    OK(pe_enum_set_state(f, "fast", true));
    OK(pe_enum_get(f, &state));
    STREQ(state, "fast");
    opts.unit = "x";
    FAILS(pe_enum_new_opts(&opts, flags, 2, false, &bad), PE_ERR_INVALID_CONFIG,
          "stateset metrics cannot have a unit");

    /* Labelled. */
    const char *label_names[] = {"worker"};
    pe_enum *family = NULL;
    OK(pe_enum_new("worker_state", NULL, label_names, 1, states, 3, &family));
    const char *w1[] = {"w1"};
    const char *w2[] = {"w2"};
    const char *w3[] = {"w3"};
    OK(pe_enum_set_labels(family, w1, 1, "stopped"));
    OK(pe_enum_get_labels(family, w1, 1, &state));
    STREQ(state, "stopped");
    pe_enum *child = NULL;
    OK(pe_enum_labels(family, w2, 1, &child));
    OK(pe_enum_get(child, &state));
    STREQ(state, "starting");
    OK(pe_enum_set_state_labels(family, w2, 1, "running", true));
    OK(pe_enum_is_active(child, "running", &active));
    CHECK(active);
    FAILS(pe_enum_get_labels(family, w3, 1, &state), PE_ERR_NOT_FOUND,
          "no child with label values [\"w3\"]");
    FAILS(pe_enum_get(family, &state), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_enum_set(family, "running"), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_enum_set_state(family, "running", true), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_enum_is_active(family, "running", &active), PE_ERR_LABEL_COUNT, "got 0");
    FAILS(pe_enum_set_labels(family, w1, 1, "flying"), PE_ERR_INVALID_VALUE, "unknown state");
    FAILS(pe_enum_set_state_labels(family, w1, 1, "flying", true), PE_ERR_INVALID_VALUE,
          "unknown state");
    FAILS(pe_enum_set_labels(child, w1, 1, "running"), PE_ERR_WRONG_KIND, "bound child");
    OK(pe_enum_get_labels(family, w1, 1, &state));
    STREQ(state, "stopped");
    OK(pe_enum_remove(family, w1, 1));
    FAILS(pe_enum_remove(family, w1, 1), PE_ERR_NOT_FOUND, "no child");
    OK(pe_enum_clear(family));
    FAILS(pe_enum_clear(child), PE_ERR_WRONG_KIND, "bound child");

    /* A state string stays valid while a handle of the family lives. */
    OK(pe_enum_get(child, &state));
    pe_enum_free(family);
    STREQ(state, "starting");
    pe_enum_free(child);
    pe_enum_free(f);
    pe_enum_free(e);
}

int main(void) {
    info();
    enumeration();
    printf("ok\n");
    return 0;
}
