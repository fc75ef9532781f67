/* pe_registry from C: registration rules, the default registry, exposition. */
#include "check.h"

static size_t family_count(const pe_registry *registry) {
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    pe_snapshot_free(snapshot);
    return n;
}

static double zero(void *user_data) {
    (void)user_data;
    return 0;
}

int main(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    CHECK(family_count(registry) == 0);

    pe_counter *x = NULL;
    OK(pe_counter_new("x", "X.", NULL, 0, &x));
    OK(pe_registry_register_counter(registry, x));
    OK(pe_registry_register_counter(registry, x)); /* again: nothing happens */
    CHECK(family_count(registry) == 1);

    /* Name clashes, sample names included. */
    pe_gauge *x_total = NULL, *x_gauge = NULL;
    OK(pe_gauge_new("x_total", NULL, NULL, 0, &x_total));
    OK(pe_gauge_new("x", NULL, NULL, 0, &x_gauge));
    FAILS(pe_registry_register_gauge(registry, x_total), PE_ERR_DUPLICATE,
          "pe_registry_register_gauge: duplicate registration: a collector already provides the "
          "sample name \"x_total\"");
    FAILS(pe_registry_register_gauge(registry, x_gauge), PE_ERR_DUPLICATE, "sample name \"x\"");
    CHECK(family_count(registry) == 1);

    /* A bound child cannot be registered. */
    const char *label_names[] = {"k"};
    pe_counter *family = NULL, *child = NULL;
    OK(pe_counter_new("y", NULL, label_names, 1, &family));
    const char *v[] = {"v"};
    OK(pe_counter_labels(family, v, 1, &child));
    FAILS(pe_registry_register_counter(registry, child), PE_ERR_WRONG_KIND,
          "a bound child handle cannot be registered: register the family it was bound from");
    FAILS(pe_registry_unregister_counter(registry, child), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_registry_register_counter(registry, NULL), PE_ERR_NULL, "argument `metric` is NULL");
    FAILS(pe_registry_register_counter(registry, (pe_counter *)x_gauge), PE_ERR_WRONG_KIND,
          "argument `metric` is a pe_gauge handle, but a pe_counter is needed");
    FAILS(pe_registry_register_counter((pe_registry *)x, family), PE_ERR_WRONG_KIND,
          "argument `registry` is a pe_counter handle, but a pe_registry is needed");

    /* Unregister frees the names. */
    OK(pe_registry_unregister_counter(registry, x));
    FAILS(pe_registry_unregister_counter(registry, x), PE_ERR_NOT_FOUND,
          "pe_registry_unregister_counter: not registered: the collector is not in this registry");
    OK(pe_registry_register_gauge(registry, x_total));
    OK(pe_registry_register_gauge(registry, x_gauge));
    CHECK(family_count(registry) == 2);
    OK(pe_registry_unregister_gauge(registry, x_total));
    OK(pe_registry_unregister_gauge(registry, x_gauge));

    /* The registry keeps its own reference: freeing the handle keeps the metric exposed. */
    OK(pe_registry_register_counter(registry, family));
    OK(pe_counter_inc(child, 2));
    pe_counter_free(family);
    family = NULL;
    pe_snapshot *snapshot = NULL;
    OK(pe_registry_snapshot(registry, &snapshot));
    double value = 0;
    OK(pe_snapshot_sample_value(snapshot, 0, 0, &value));
    EQ(value, 2);
    pe_snapshot_free(snapshot);

    /* One metric in two registries. */
    pe_registry *other = NULL;
    OK(pe_registry_new(&other));
    OK(pe_registry_register_counter(other, x));
    OK(pe_registry_register_counter(registry, x));
    CHECK(family_count(other) == 1 && family_count(registry) == 2);
    pe_registry_free(other);
    OK(pe_counter_inc(x, 1)); /* still alive: the caller's handle and `registry` hold it */

    /* Every metric type registers and unregisters. */
    pe_histogram *h = NULL;
    pe_summary *s = NULL;
    pe_info *i = NULL;
    pe_enum *e = NULL;
    pe_collector *c = NULL;
    pe_gauge *g = NULL;
    const char *states[] = {"a", "b"};
    OK(pe_gauge_new("g", NULL, NULL, 0, &g));
    OK(pe_histogram_new("h", NULL, NULL, 0, NULL, 0, &h));
    OK(pe_summary_new("s", NULL, NULL, 0, &s));
    OK(pe_info_new("i", NULL, NULL, 0, &i));
    OK(pe_enum_new("e", NULL, NULL, 0, states, 2, &e));
    OK(pe_callback_gauge_new("c", NULL, zero, NULL, NULL, &c));
    OK(pe_registry_register_gauge(registry, g));
    OK(pe_registry_register_histogram(registry, h));
    OK(pe_registry_register_summary(registry, s));
    OK(pe_registry_register_info(registry, i));
    OK(pe_registry_register_enum(registry, e));
    OK(pe_registry_register_collector(registry, c));
    CHECK(family_count(registry) == 8);
    FAILS(pe_registry_register_histogram(registry, (pe_histogram *)s), PE_ERR_WRONG_KIND,
          "is a pe_summary handle");
    pe_histogram *h_sum = NULL;
    OK(pe_histogram_new("h_sum", NULL, NULL, 0, NULL, 0, &h_sum)); /* clashes with h's _sum */
    FAILS(pe_registry_register_histogram(registry, h_sum), PE_ERR_DUPLICATE, "\"h_sum\"");
    pe_histogram_free(h_sum);
    OK(pe_registry_unregister_gauge(registry, g));
    OK(pe_registry_unregister_histogram(registry, h));
    OK(pe_registry_unregister_summary(registry, s));
    OK(pe_registry_unregister_info(registry, i));
    OK(pe_registry_unregister_enum(registry, e));
    OK(pe_registry_unregister_collector(registry, c));
    FAILS(pe_registry_unregister_enum(registry, e), PE_ERR_NOT_FOUND, "not registered");
    FAILS(pe_registry_unregister_collector(registry, c), PE_ERR_NOT_FOUND, "not registered");
    CHECK(family_count(registry) == 2);

    /* NULL is the default registry, the same one pe_registry_default() gives. */
    pe_registry *def = NULL;
    OK(pe_registry_default(&def));
    size_t before = family_count(NULL);
    OK(pe_registry_register_gauge(NULL, g));
    CHECK(family_count(def) == before + 1);
    OK(pe_registry_unregister_gauge(def, g));
    CHECK(family_count(NULL) == before);
    pe_registry_free(def);

    /* Exposition. */
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &text, &len));
    CHECK(text != NULL && strlen(text) == len);
    CHECK(len >= 6 && strcmp(text + len - 6, "# EOF\n") == 0);
    pe_string_free(text);
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(text != NULL);
    pe_string_free(text);
    text = NULL;
    FAILS(pe_registry_expose(registry, (pe_format)7, &text, &len), PE_ERR_INVALID_VALUE,
          "pe_registry_expose: unknown pe_format 7");
    CHECK(text == NULL);
    FAILS(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, NULL, &len), PE_ERR_NULL,
          "argument `out` is NULL");
    const char *names[] = {"x_total"};
    OK(pe_registry_expose_filtered(registry, PE_FORMAT_OPENMETRICS, names, 1, &text, &len));
    CHECK(strlen(text) == len);
    pe_string_free(text);
    OK(pe_registry_expose_filtered(NULL, PE_FORMAT_PROMETHEUS, NULL, 0, &text, NULL));
    pe_string_free(text);
    FAILS(pe_registry_expose_filtered(registry, PE_FORMAT_PROMETHEUS, NULL, 1, &text, &len),
          PE_ERR_NULL, "argument `names` is NULL");
    FAILS(pe_registry_expose_filtered(registry, (pe_format)9, names, 1, &text, &len),
          PE_ERR_INVALID_VALUE, "unknown pe_format 9");

    /* Filtered snapshots select by family or sample name. */
    OK(pe_registry_snapshot_filtered(registry, names, 1, &snapshot));
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    CHECK(n == 1);
    const char *name = NULL;
    OK(pe_snapshot_family_name(snapshot, 0, &name));
    STREQ(name, "x");
    pe_snapshot_free(snapshot);
    OK(pe_registry_snapshot_filtered(registry, NULL, 0, &snapshot));
    OK(pe_snapshot_family_count(snapshot, &n));
    CHECK(n == 0);
    pe_snapshot_free(snapshot);

    /* Content negotiation, as the exporter does it. */
    pe_format format = PE_FORMAT_OPENMETRICS;
    OK(pe_negotiate_format(NULL, &format));
    CHECK(format == PE_FORMAT_PROMETHEUS);
    OK(pe_negotiate_format("", &format));
    CHECK(format == PE_FORMAT_PROMETHEUS);
    OK(pe_negotiate_format("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                           "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;"
                           "version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;"
                           "q=0.3,*/*;q=0.2",
                           &format));
    CHECK(format == PE_FORMAT_OPENMETRICS);
    OK(pe_negotiate_format("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5",
                           &format));
    CHECK(format == PE_FORMAT_PROMETHEUS);
    OK(pe_negotiate_format("application/openmetrics-text;version=3.0.0", &format));
    CHECK(format == PE_FORMAT_PROMETHEUS);
    OK(pe_negotiate_format("application/openmetrics-text;version=2.0.0", &format));
    CHECK(format == PE_FORMAT_OPENMETRICS_2);
    OK(pe_negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                           "encoding=delimited;q=0.6,text/plain;q=0.5",
                           &format));
    CHECK(format == PE_FORMAT_PROTOBUF);
    FAILS(pe_negotiate_format("text/plain", NULL), PE_ERR_NULL,
          "pe_negotiate_format: argument `out` is NULL");

    bool gzip = true;
    OK(pe_accepts_gzip(NULL, &gzip));
    CHECK(!gzip);
    OK(pe_accepts_gzip("gzip", &gzip));
    CHECK(gzip);
    OK(pe_accepts_gzip("deflate, GZIP;q=0.5", &gzip));
    CHECK(gzip);
    OK(pe_accepts_gzip("gzip;q=0, *;q=1", &gzip));
    CHECK(!gzip);
    OK(pe_accepts_gzip("br, *", &gzip));
    CHECK(gzip);
    OK(pe_accepts_gzip("identity", &gzip));
    CHECK(!gzip);
    FAILS(pe_accepts_gzip("gzip", NULL), PE_ERR_NULL, "pe_accepts_gzip: argument `out` is NULL");

    FAILS(pe_registry_new(NULL), PE_ERR_NULL, "pe_registry_new: argument `out` is NULL");
    FAILS(pe_registry_default(NULL), PE_ERR_NULL, "argument `out` is NULL");

    pe_registry_free(registry);
    OK(pe_counter_inc(x, 1)); /* metrics outlive the registry */
    EQ(counter_value(x), 2);
    pe_gauge_free(g);
    pe_histogram_free(h);
    pe_summary_free(s);
    pe_info_free(i);
    pe_enum_free(e);
    pe_collector_free(c);
    pe_counter_free(child);
    pe_counter_free(x);
    pe_gauge_free(x_total);
    pe_gauge_free(x_gauge);
    printf("ok\n");
    return 0;
}
