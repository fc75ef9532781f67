/* pe_push, pe_pushadd, pe_push_delete from C, against real Pushgateways started by
 * tests/push_c.rs, which then reads back what this program pushed.
 *
 * argv: 1 plain gateway (host:port), 2 a closed port (host:port), 3 a server that accepts and
 * never answers (host:port), 4 an https:// gateway with basic auth (pusher / test), 5 the PEM file
 * of the CA that signed its certificate. */
#include <time.h>

#include "check.h"

/* The message of the last failure contains `needle`. */
#define MESSAGE_HAS(needle)                                                          \
    do {                                                                             \
        if (strstr(pe_last_error(), (needle)) == NULL) {                             \
            fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__,        \
                    __LINE__, pe_last_error(), (needle));                            \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static pe_push_options default_options(void) {
    pe_push_options options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    return options;
}

int main(int argc, char **argv) {
    CHECK(argc == 6);
    const char *gateway = argv[1], *closed = argv[2], *silent = argv[3];
    const char *https = argv[4], *ca_file = argv[5];

    /* A registry with a labelled counter and a gauge. */
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    const char *queue[] = {"queue"};
    pe_counter *processed = NULL;
    OK(pe_counter_new("c_jobs_processed", "Jobs processed.", queue, 1, &processed));
    OK(pe_registry_register_counter(registry, processed));
    const char *high[] = {"high"};
    OK(pe_counter_inc_labels(processed, high, 1, 3));
    pe_gauge *last_success = NULL;
    OK(pe_gauge_new("c_last_success", "Last success.", NULL, 0, &last_success));
    OK(pe_registry_register_gauge(registry, last_success));
    OK(pe_gauge_set(last_success, 42));

    /* push with a grouping key whose value needs @base64; default options. */
    const char *names[] = {"instance", "path"};
    const char *values[] = {"host-1", "/var/tmp"};
    OK(pe_push(gateway, "c_batch", names, values, 2, registry, NULL));

    /* pushadd to a UTF-8 group, with explicit options. */
    pe_push_options options = default_options();
    options.timeout_ms = 5000;
    options.connect_timeout_ms = 2000;
    const char *utf8[] = {"Προμηθεύς"};
    OK(pe_pushadd(gateway, "c_batch", names, utf8, 1, registry, &options));

    /* An empty grouping value, and a group pushed then deleted. */
    const char *empty[] = {""};
    OK(pe_push(gateway, "c_empty", names, empty, 1, registry, &options));
    OK(pe_push(gateway, "c_gone", NULL, NULL, 0, registry, &options));
    OK(pe_push_delete(gateway, "c_gone", NULL, NULL, 0, &options));
    OK(pe_push_delete(gateway, "c_never_pushed", NULL, NULL, 0, NULL));

    /* NULL registry: the default one. */
    pe_gauge *in_default = NULL;
    OK(pe_gauge_new("c_default_registry_gauge", NULL, NULL, 0, &in_default));
    OK(pe_registry_register_gauge(NULL, in_default));
    OK(pe_gauge_set(in_default, 7));
    OK(pe_push(gateway, "c_default", NULL, NULL, 0, NULL, NULL));

    /* A gauge named like the counter's sample clashes with it: the gateway answers 400, and the
     * message carries the method, the URL, the status and the gateway's explanation. */
    pe_registry *clashing = NULL;
    OK(pe_registry_new(&clashing));
    pe_gauge *clash = NULL;
    OK(pe_gauge_new("c_jobs_processed_total", NULL, NULL, 0, &clash));
    OK(pe_registry_register_gauge(clashing, clash));
    FAILS(pe_push(gateway, "c_clash", NULL, NULL, 0, clashing, NULL), PE_ERR_HTTP,
          "pe_push: PUT http://");
    MESSAGE_HAS("/metrics/job/c_clash: the Pushgateway answered 400: ");
    MESSAGE_HAS("inconsistent with existing metrics");
    MESSAGE_HAS("\"c_jobs_processed_total\"");
    FAILS(pe_pushadd(gateway, "c_clash", NULL, NULL, 0, clashing, NULL), PE_ERR_HTTP,
          "pe_pushadd: POST http://");

    /* Nobody there: refused at once. */
    double start = seconds_now();
    FAILS(pe_push(closed, "c", NULL, NULL, 0, registry, NULL), PE_ERR_IO, "cannot connect");
    FAILS(pe_push_delete(closed, "c", NULL, NULL, 0, NULL), PE_ERR_IO, "pe_push_delete: DELETE");
    CHECK(seconds_now() - start < 3);

    /* A gateway that never answers: the timeout ends the call. */
    options.timeout_ms = 300;
    start = seconds_now();
    FAILS(pe_push(silent, "c", NULL, NULL, 0, registry, &options), PE_ERR_IO, "timeout of 300ms");
    double took = seconds_now() - start;
    CHECK(took >= 0.25 && took < 3);

    /* Arguments refused before any I/O. */
    FAILS(pe_push(NULL, "c", NULL, NULL, 0, registry, NULL), PE_ERR_NULL, "`gateway`");
    FAILS(pe_push(gateway, NULL, NULL, NULL, 0, registry, NULL), PE_ERR_NULL, "`job`");
    FAILS(pe_push(gateway, "c", NULL, values, 1, registry, NULL), PE_ERR_NULL, "`names`");
    const char *null_value[] = {NULL};
    FAILS(pe_push(gateway, "c", names, null_value, 1, registry, NULL), PE_ERR_NULL, "values[0]");
    FAILS(pe_push(gateway, "", NULL, NULL, 0, registry, NULL), PE_ERR_INVALID_VALUE,
          "pe_push: invalid job name: the job name must not be empty");
    FAILS(pe_push("ftp://gw", "c", NULL, NULL, 0, registry, NULL), PE_ERR_INVALID_VALUE,
          "only http:// and https:// are supported");
    const char *job_label[] = {"job"};
    FAILS(pe_pushadd(gateway, "c", job_label, values, 1, registry, NULL), PE_ERR_INVALID_NAME,
          "invalid grouping key label \"job\"");
    const char *bad_name[] = {"bad-name"};
    FAILS(pe_push_delete(gateway, "c", bad_name, values, 1, NULL), PE_ERR_INVALID_NAME,
          "bad-name");
    const char *twice[] = {"a", "a"};
    FAILS(pe_push(gateway, "c", twice, values, 2, registry, NULL), PE_ERR_INVALID_NAME,
          "the label appears twice");
    FAILS(pe_push(gateway, "c\xff", NULL, NULL, 0, registry, NULL), PE_ERR_UTF8, "`job`");
    FAILS(pe_push(gateway, "c", NULL, NULL, 0, (pe_registry *)processed, NULL),
          PE_ERR_WRONG_KIND, "argument `registry` is a pe_counter handle");
    pe_push_options old = default_options();
    old.struct_size = sizeof(size_t);
    FAILS(pe_push(gateway, "c", NULL, NULL, 0, registry, &old), PE_ERR_INVALID_CONFIG,
          "set it to sizeof(pe_push_options)");
    pe_push_options no_ca = default_options();
    no_ca.ca_file = "/nonexistent/ca.pem";
    FAILS(pe_push(https, "c", NULL, NULL, 0, registry, &no_ca), PE_ERR_INVALID_CONFIG,
          "CA file /nonexistent/ca.pem");

    /* HTTPS with a private CA and basic auth. */
    pe_push_options secure = default_options();
    secure.ca_file = ca_file;
    secure.username = "pusher";
    secure.password = "test";
    OK(pe_push(https, "c_tls", NULL, NULL, 0, registry, &secure));
    OK(pe_pushadd(https, "c_tls", NULL, NULL, 0, registry, &secure));
    secure.password = "wrong";
    FAILS(pe_push(https, "c_tls", NULL, NULL, 0, registry, &secure), PE_ERR_HTTP, "answered 401");
    secure.password = NULL; /* "" */
    FAILS(pe_push_delete(https, "c_tls", NULL, NULL, 0, &secure), PE_ERR_HTTP, "answered 401");
    pe_push_options untrusted = default_options();
    untrusted.username = "pusher";
    untrusted.password = "test";
    FAILS(pe_push(https, "c_tls", NULL, NULL, 0, registry, &untrusted), PE_ERR_IO, "certificate");

    /* A push starts no thread (the library runs none outside the exporter, so a host may
     * dlclose() it): this program is still single-threaded, even after timeouts. */
    CHECK(thread_count() == 1);

    pe_gauge_free(clash);
    pe_registry_free(clashing);
    pe_gauge_free(in_default);
    pe_gauge_free(last_success);
    pe_counter_free(processed);
    pe_registry_free(registry);
    printf("ok\n");
    return 0;
}
