/* UTF-8 metric and label names from C: accepted by default, refused under legacy validation
 * (process-wide and per registry), exposed quoted or escaped as the scraper asks, and the
 * negotiation that picks the escaping. */
#include <string.h>

#include "check.h"

/* A registry with counter `app.requests_total{http.method="GET"} 3`. */
static pe_registry *utf8_registry(void) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    const char *labels[] = {"http.method"};
    pe_counter *requests = NULL;
    OK(pe_counter_new("app.requests_total", "Requests.", labels, 1, &requests));
    const char *get[] = {"GET"};
    pe_counter *child = NULL;
    OK(pe_counter_labels(requests, get, 1, &child));
    OK(pe_counter_inc(child, 3));
    OK(pe_registry_register_counter(registry, requests));
    pe_counter_free(child);
    pe_counter_free(requests);
    return registry;
}

static void contains(pe_registry *registry, pe_format format, pe_escaping escaping,
                     const char *needle) {
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose_escaped(registry, format, escaping, &text, &len));
    if (strstr(text, needle) == NULL) {
        fprintf(stderr, "%s:%d: %s not in:\n%s\n", __FILE__, __LINE__, needle, text);
        exit(1);
    }
    EQ(len, strlen(text));
    pe_string_free(text);
}

static void exposition(void) {
    pe_registry *registry = utf8_registry();
    contains(registry, PE_FORMAT_PROMETHEUS_1, PE_ESCAPING_ALLOW_UTF8,
             "# TYPE \"app.requests_total\" counter\n"
             "{\"app.requests_total\",\"http.method\"=\"GET\"} 3\n");
    contains(registry, PE_FORMAT_OPENMETRICS, PE_ESCAPING_ALLOW_UTF8,
             "# TYPE \"app.requests\" counter\n");
    contains(registry, PE_FORMAT_OPENMETRICS, PE_ESCAPING_UNDERSCORES,
             "app_requests_total{http_method=\"GET\"} 3\n");
    contains(registry, PE_FORMAT_PROMETHEUS, PE_ESCAPING_DOTS,
             "app_dot_requests__total{http_dot_method=\"GET\"} 3\n");
    contains(registry, PE_FORMAT_PROMETHEUS, PE_ESCAPING_VALUES,
             "U__app_2e_requests__total{U__http_2e_method=\"GET\"} 3\n");

    /* The old call keeps the format's default: underscores. */
    char *text = NULL;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, NULL));
    CHECK(strstr(text, "app_requests_total{http_method=\"GET\"} 3\n") != NULL);
    pe_string_free(text);

    const char *names[] = {"app.requests"};
    OK(pe_registry_expose_filtered_escaped(registry, PE_FORMAT_PROMETHEUS, PE_ESCAPING_ALLOW_UTF8,
                                           names, 1, &text, NULL));
    CHECK(strstr(text, "{\"app.requests_total\",\"http.method\"=\"GET\"} 3\n") != NULL);
    pe_string_free(text);

    FAILS(pe_registry_expose_escaped(registry, PE_FORMAT_PROMETHEUS, (pe_escaping)9, &text, NULL),
          PE_ERR_INVALID_VALUE, "pe_registry_expose_escaped: unknown pe_escaping 9");
    FAILS(pe_registry_expose_escaped(registry, (pe_format)9, PE_ESCAPING_DOTS, &text, NULL),
          PE_ERR_INVALID_VALUE, "unknown pe_format 9");
    pe_registry_free(registry);
}

static void negotiation(void) {
    pe_format format = PE_FORMAT_PROTOBUF;
    pe_escaping escaping = PE_ESCAPING_DOTS;
    const char *content_type = NULL;
    OK(pe_negotiate("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                    "text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                    &format, &escaping, &content_type));
    EQ(format, PE_FORMAT_OPENMETRICS);
    EQ(escaping, PE_ESCAPING_ALLOW_UTF8);
    STREQ(content_type,
          "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8");

    OK(pe_negotiate(NULL, &format, &escaping, NULL));
    EQ(format, PE_FORMAT_PROMETHEUS);
    EQ(escaping, PE_ESCAPING_UNDERSCORES);
    OK(pe_negotiate("text/plain;version=1.0.0;escaping=values", &format, &escaping,
                    &content_type));
    EQ(format, PE_FORMAT_PROMETHEUS_1);
    EQ(escaping, PE_ESCAPING_VALUES);
    STREQ(content_type, "text/plain; version=1.0.0; charset=utf-8; escaping=values");
    FAILS(pe_negotiate("text/plain", NULL, &escaping, NULL), PE_ERR_NULL, "argument `format`");

    OK(pe_content_type(PE_FORMAT_PROMETHEUS, PE_ESCAPING_UNDERSCORES, &content_type));
    STREQ(content_type, "text/plain; version=0.0.4; charset=utf-8");
    FAILS(pe_content_type(PE_FORMAT_PROMETHEUS, (pe_escaping)4, &content_type),
          PE_ERR_INVALID_VALUE, "unknown pe_escaping 4");

    char *escaped = NULL;
    OK(pe_escape_name("http.server duration", PE_ESCAPING_UNDERSCORES, &escaped));
    STREQ(escaped, "http_server_duration");
    pe_string_free(escaped);
    OK(pe_escape_name("a_b", PE_ESCAPING_DOTS, &escaped));
    STREQ(escaped, "a__b");
    pe_string_free(escaped);
    FAILS(pe_escape_name("\xff", PE_ESCAPING_DOTS, &escaped), PE_ERR_UTF8, "argument `name`");
}

static void validation(void) {
    pe_name_validation scheme = PE_NAME_VALIDATION_LEGACY;
    OK(pe_get_name_validation(&scheme));
    EQ(scheme, PE_NAME_VALIDATION_UTF8);

    /* A legacy registry refuses UTF-8 names at registration and keeps what it had. */
    pe_registry *strict = NULL;
    OK(pe_registry_new(&strict));
    OK(pe_registry_set_name_validation(strict, PE_NAME_VALIDATION_LEGACY));
    pe_gauge *dotted = NULL;
    OK(pe_gauge_new("room.temperature", NULL, NULL, 0, &dotted));
    FAILS(pe_registry_register_gauge(strict, dotted), PE_ERR_INVALID_NAME,
          "invalid metric name \"room.temperature\": legacy name validation is on");
    const char *dotted_label[] = {"http.method"};
    pe_gauge *labelled = NULL;
    OK(pe_gauge_new("legacy_name", NULL, dotted_label, 1, &labelled));
    FAILS(pe_registry_register_gauge(strict, labelled), PE_ERR_INVALID_NAME,
          "invalid label name \"http.method\"");
    pe_gauge *plain = NULL;
    OK(pe_gauge_new("room_temperature", NULL, NULL, 0, &plain));
    OK(pe_registry_register_gauge(strict, plain));
    OK(pe_registry_set_name_validation(strict, PE_NAME_VALIDATION_DEFAULT));
    OK(pe_registry_register_gauge(strict, dotted));
    FAILS(pe_registry_set_name_validation(strict, (pe_name_validation)7), PE_ERR_INVALID_VALUE,
          "unknown pe_name_validation 7");

    /* Process-wide legacy validation refuses them when the metric is made. */
    OK(pe_set_name_validation(PE_NAME_VALIDATION_LEGACY));
    OK(pe_get_name_validation(&scheme));
    EQ(scheme, PE_NAME_VALIDATION_LEGACY);
    pe_counter *refused = NULL;
    FAILS(pe_counter_new("app.requests_total", NULL, NULL, 0, &refused), PE_ERR_INVALID_NAME,
          "legacy name validation is on: must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    CHECK(refused == NULL);
    FAILS(pe_counter_new("ok_total", NULL, dotted_label, 1, &refused), PE_ERR_INVALID_NAME,
          "must match [a-zA-Z_][a-zA-Z0-9_]*");
    FAILS(pe_set_name_validation(PE_NAME_VALIDATION_DEFAULT), PE_ERR_INVALID_VALUE,
          "PE_NAME_VALIDATION_DEFAULT applies to registries");
    OK(pe_set_name_validation(PE_NAME_VALIDATION_UTF8));
    OK(pe_counter_new("app.requests_total", NULL, dotted_label, 1, &refused));
    pe_counter_free(refused);

    pe_gauge_free(dotted);
    pe_gauge_free(labelled);
    pe_gauge_free(plain);
    pe_registry_free(strict);
}

int main(void) {
    exposition();
    negotiation();
    validation();
    puts("ok");
    return 0;
}
