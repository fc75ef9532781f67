/* pe_sender from C: argument errors with their messages, then start, flush, a rejected batch,
 * stop and free against the scripted receiver that tests/c_api.rs starts, which then checks
 * what arrived. Stop joins the sender's thread: the process is back to one thread.
 *
 * argv: 1 the receiver's URL (it answers 200, then 400 "bad batch from C", then 200),
 * 2 a URL where connections are refused. */
#include "check.h"

static void argument_errors(const char *url) {
    pe_sender *sender = NULL;
    pe_sender_options opts = {0};
    FAILS(pe_sender_start(NULL, NULL, &sender), PE_ERR_NULL, "opts");
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "struct_size");
    opts.struct_size = sizeof opts;
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_NULL, "opts->url");
    opts.url = "ftp://example.org/write";
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "http://");
    opts.url = url;
    FAILS(pe_sender_start(NULL, &opts, NULL), PE_ERR_NULL, "out");
    opts.protocol = 7;
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_VALUE, "pe_sender_protocol");
    opts.protocol = PE_SENDER_REMOTE_WRITE;
    opts.interval_ms = 1;
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "interval");
    opts.interval_ms = 0;
    opts.username = "user";
    opts.bearer_token = "token";
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "bearer_token");
    opts.username = NULL;
    opts.bearer_token = NULL;
    const char *names[] = {"Content-Type"};
    const char *values[] = {"text/plain"};
    opts.header_names = names;
    opts.header_values = values;
    opts.n_headers = 1;
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "Content-Type");
    opts.header_names = NULL;
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_NULL, "opts->header_names");
    opts.n_headers = 0;
    opts.ca_file = "/nonexistent/ca.pem";
    FAILS(pe_sender_start(NULL, &opts, &sender), PE_ERR_INVALID_CONFIG, "CA file");
    CHECK(sender == NULL);

    /* The wrong kind of handle. */
    pe_counter *counter = NULL;
    OK(pe_counter_new("c_sender_wrong_kind", "h", NULL, 0, &counter));
    FAILS(pe_sender_flush((pe_sender *)counter, 1), PE_ERR_WRONG_KIND, "pe_counter");
    FAILS(pe_sender_stop((pe_sender *)counter, 1), PE_ERR_WRONG_KIND, "pe_sender");
    pe_sender_free((pe_sender *)counter); /* left alone */
    OK(pe_counter_inc(counter, 1));
    pe_counter_free(counter);
    pe_sender_free(NULL);
    FAILS(pe_sender_flush(NULL, 1), PE_ERR_NULL, "sender");
    CHECK(thread_count() == 1);
}

static void send_and_stop(const char *url) {
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    pe_counter *jobs = NULL;
    OK(pe_counter_new("c_jobs_processed_total", "Jobs processed.", NULL, 0, &jobs));
    OK(pe_registry_register_counter(registry, jobs));
    OK(pe_counter_inc(jobs, 3));

    const char *label_names[] = {"job"};
    const char *label_values[] = {"c_sender"};
    const char *header_names[] = {"X-Scope-OrgID"};
    const char *header_values[] = {"tenant-c"};
    pe_sender_options opts = {0};
    opts.struct_size = sizeof opts;
    opts.url = url;
    opts.interval_ms = 3600 * 1000;
    opts.external_label_names = label_names;
    opts.external_label_values = label_values;
    opts.n_external_labels = 1;
    opts.header_names = header_names;
    opts.header_values = header_values;
    opts.n_headers = 1;
    opts.username = "writer";
    opts.password = "s3cret";
    opts.destination = "c-test";
    opts.backoff_min_ms = 10;
    opts.backoff_max_ms = 50;

    pe_sender *sender = NULL;
    OK(pe_sender_start(registry, &opts, &sender));
    CHECK(sender != NULL);
    CHECK(thread_count() == 2);
    /* The caller's registry handle may go: the sender holds its own reference. */
    OK(pe_sender_flush(sender, 10));
    FAILS(pe_sender_flush(sender, -1), PE_ERR_INVALID_VALUE, "timeout_seconds");

    /* The receiver rejects the second batch: dropped, with its answer as the message. */
    FAILS(pe_sender_flush(sender, 10), PE_ERR_HTTP, "bad batch from C");
    char *last = NULL;
    OK(pe_sender_last_error(sender, &last));
    CHECK(strstr(last, "400") != NULL);
    pe_string_free(last);

    /* The self-metrics are in the registry while the sender runs. */
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    CHECK(strstr(text, "prometheus_emulator_sender_requests_total{destination=\"c-test\","
                       "outcome=\"rejected\"} 1") != NULL);
    pe_string_free(text);

    OK(pe_sender_stop(sender, 10));
    CHECK(thread_count() == 1);
    OK(pe_sender_stop(sender, 10)); /* stopped already */
    FAILS(pe_sender_flush(sender, 1), PE_ERR_INVALID_VALUE, "stopped");
    OK(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len));
    CHECK(strstr(text, "prometheus_emulator_sender_") == NULL);
    pe_string_free(text);
    pe_sender_free(sender);
    pe_counter_free(jobs);
    pe_registry_free(registry);
}

/* A receiver that refuses connections: stop keeps to its deadline, reports the loss, and the
 * thread is joined; free on a running sender stops it too. */
static void dead_receiver(const char *dead_url) {
    pe_sender_options opts = {0};
    opts.struct_size = sizeof opts;
    opts.url = dead_url;
    opts.interval_ms = 3600 * 1000;
    pe_sender *sender = NULL;
    OK(pe_sender_start(NULL, &opts, &sender));
    FAILS(pe_sender_flush(sender, 1), PE_ERR_IO, "connect");
    FAILS(pe_sender_stop(sender, 0.5), PE_ERR_IO, "unsent");
    CHECK(thread_count() == 1);
    pe_sender_free(sender);

    OK(pe_sender_start(NULL, &opts, &sender));
    CHECK(thread_count() == 2);
    pe_sender_free(sender);
    CHECK(thread_count() == 1);
}

int main(int argc, char **argv) {
    CHECK(argc == 3);
    argument_errors(argv[1]);
    send_and_stop(argv[1]);
    dead_receiver(argv[2]);
    printf("ok\n");
    return 0;
}
