/* pe_parse_exposition from C: both grammars read into a snapshot, errors with their line, the
 * partial form that keeps the families before an error, NULs kept in strings. */
#include "check.h"

#define PARSE(text, format, out) pe_parse_exposition((text), strlen(text), (format), (out))

static void check_sample(const pe_snapshot *snapshot, size_t family, size_t sample,
                         const char *name, double value) {
    const char *got = NULL;
    OK(pe_snapshot_sample_name(snapshot, family, sample, &got));
    STREQ(got, name);
    double v = 0;
    OK(pe_snapshot_sample_value(snapshot, family, sample, &v));
    EQ(v, value);
}

static void text_format(void) {
    const char *text =
        "# HELP requests Requests\\nserved.\n"
        "# TYPE requests counter\n"
        "requests{method=\"GET\",path=\"/a\\\"b\"} 7 1500\n"
        "# TYPE latency histogram\n"
        "latency_bucket{le=\"0.5\"} 1\n"
        "latency_bucket{le=\"+Inf\"} 3\n"
        "latency_sum 2.5\n"
        "latency_count 3\n"
        "loose 1e3\n";
    pe_snapshot *snapshot = NULL;
    OK(PARSE(text, PE_FORMAT_PROMETHEUS, &snapshot));
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    EQ(n, 3);
    const char *s = NULL;
    OK(pe_snapshot_family_name(snapshot, 0, &s));
    STREQ(s, "requests");
    OK(pe_snapshot_family_help(snapshot, 0, &s));
    STREQ(s, "Requests\nserved.");
    pe_metric_type kind;
    OK(pe_snapshot_family_type(snapshot, 0, &kind));
    CHECK(kind == PE_METRIC_COUNTER);
    check_sample(snapshot, 0, 0, "requests_total", 7);
    const char *name = NULL, *value = NULL;
    OK(pe_snapshot_sample_label(snapshot, 0, 0, 1, &name, &value));
    STREQ(name, "path");
    STREQ(value, "/a\"b");
    bool has_timestamp = false;
    double timestamp = 0;
    OK(pe_snapshot_sample_timestamp(snapshot, 0, 0, &has_timestamp, &timestamp));
    CHECK(has_timestamp);
    EQ(timestamp, 1.5);
    OK(pe_snapshot_family_type(snapshot, 1, &kind));
    CHECK(kind == PE_METRIC_HISTOGRAM);
    OK(pe_snapshot_sample_count(snapshot, 1, &n));
    EQ(n, 4);
    check_sample(snapshot, 1, 1, "latency_bucket", 3);
    OK(pe_snapshot_family_type(snapshot, 2, &kind));
    CHECK(kind == PE_METRIC_UNKNOWN);
    check_sample(snapshot, 2, 0, "loose", 1000);
    pe_snapshot_free(snapshot);
}

static void openmetrics(void) {
    const char *text =
        "# TYPE jobs counter\n"
        "jobs_total 2 1.25 # {trace=\"t1\"} 1 7\n"
        "# TYPE wait_seconds gauge\n"
        "# UNIT wait_seconds seconds\n"
        "wait_seconds 0.5\n"
        "# TYPE queue gaugehistogram\n"
        "queue_bucket{le=\"+Inf\"} 4\n"
        "queue_gcount 4\n"
        "queue_gsum 8\n"
        "# EOF\n";
    pe_snapshot *snapshot = NULL;
    OK(PARSE(text, PE_FORMAT_OPENMETRICS, &snapshot));
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    EQ(n, 3);
    check_sample(snapshot, 0, 0, "jobs_total", 2);
    bool has_exemplar = false, has_timestamp = false;
    double value = 0, timestamp = 0;
    OK(pe_snapshot_sample_exemplar(snapshot, 0, 0, &has_exemplar, &value, &has_timestamp,
                                   &timestamp));
    CHECK(has_exemplar && has_timestamp);
    EQ(value, 1);
    EQ(timestamp, 7);
    OK(pe_snapshot_sample_timestamp(snapshot, 0, 0, &has_timestamp, &timestamp));
    EQ(timestamp, 1.25);
    const char *s = NULL;
    OK(pe_snapshot_family_unit(snapshot, 1, &s));
    STREQ(s, "seconds");
    pe_metric_type kind;
    OK(pe_snapshot_family_type(snapshot, 2, &kind));
    CHECK(kind == PE_METRIC_GAUGE_HISTOGRAM);
    char *json = NULL;
    OK(pe_snapshot_json_columns(snapshot, &json, NULL));
    /* Integers stay integers; an OpenMetrics timestamp keeps seconds and nanoseconds. */
    CHECK(strstr(json, "[2]") != NULL);
    CHECK(strstr(json, "[[1,250000000]]") != NULL);
    pe_string_free(json);
    pe_snapshot_free(snapshot);
}

static void errors(void) {
    pe_snapshot *snapshot = NULL;
    FAILS(PARSE("a 1\nb{c=d} 2\n", PE_FORMAT_PROMETHEUS, &snapshot), PE_ERR_PARSE,
          "line 2: Invalid labels");
    CHECK(snapshot == NULL);
    FAILS(PARSE("a 1\n", PE_FORMAT_OPENMETRICS, &snapshot), PE_ERR_PARSE,
          "line 1: Missing # EOF");
    FAILS(PARSE("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n# EOF\n", PE_FORMAT_OPENMETRICS,
                &snapshot),
          PE_ERR_PARSE, "+Inf bucket missing");
    FAILS(PARSE("a 1\n", PE_FORMAT_PROTOBUF, &snapshot), PE_ERR_INVALID_VALUE, "cannot be parsed");
    FAILS(pe_parse_exposition("\xff", 1, PE_FORMAT_PROMETHEUS, &snapshot), PE_ERR_UTF8, "UTF-8");
    FAILS(pe_parse_exposition(NULL, 0, PE_FORMAT_PROMETHEUS, &snapshot), PE_ERR_NULL, "text");
    FAILS(PARSE("a 1\n", PE_FORMAT_PROMETHEUS, NULL), PE_ERR_NULL, "out");
    CHECK(snapshot == NULL);

    /* An empty text is valid in the text format: no families. */
    OK(pe_parse_exposition("", 0, PE_FORMAT_PROMETHEUS, &snapshot));
    size_t n = 99;
    OK(pe_snapshot_family_count(snapshot, &n));
    EQ(n, 0);
    pe_snapshot_free(snapshot);
}

static void partial(void) {
    pe_snapshot *snapshot = NULL;
    char *error = NULL;
    const char *text = "a 1\nb 2\nc{ 3\nd 4\n";
    OK(pe_parse_exposition_partial(text, strlen(text), PE_FORMAT_PROMETHEUS, &snapshot, &error));
    CHECK(error != NULL);
    CHECK(strncmp(error, "line 3: ", 8) == 0);
    size_t n = 0;
    OK(pe_snapshot_family_count(snapshot, &n));
    EQ(n, 2);
    pe_string_free(error);
    pe_snapshot_free(snapshot);

    text = "a 1\n# EOF\n";
    OK(pe_parse_exposition_partial(text, strlen(text), PE_FORMAT_OPENMETRICS, &snapshot, &error));
    CHECK(error == NULL);
    pe_snapshot_free(snapshot);

    /* A NUL inside the text is kept in the string (its length counts it). */
    const char with_nul[] = "# HELP a he\0lp\na 1\n";
    OK(pe_parse_exposition(with_nul, sizeof with_nul - 1, PE_FORMAT_PROMETHEUS, &snapshot));
    const pe_snapshot_family *families = NULL;
    OK(pe_snapshot_families(snapshot, &families, &n));
    EQ(families[0].help_len, 5);
    CHECK(memcmp(families[0].help, "he\0lp", 5) == 0);
    pe_snapshot_free(snapshot);
}

int main(void) {
    text_format();
    openmetrics();
    errors();
    partial();
    puts("ok");
    return 0;
}
