/* The exporter from C: start it on a registry of one's own, free the registry handle (the
 * exporter keeps its own reference), scrape it over HTTP, check the errors, stop it. */
#include "check.h"
#include "http_get.h"

static char response[1 << 16];

int main(void) {
    pe_registry *registry = NULL;
    pe_counter *requests = NULL;
    pe_exporter *exporter = NULL, *guarded = NULL, *other = NULL;
    pe_exporter_options opts = {0};
    const char *label_names[] = {"path"};
    const char *label_values[] = {"/"};
    uint16_t port = 0, guarded_port = 0;
    char address[64];

    OK(pe_registry_new(&registry));
    OK(pe_counter_new("c_requests_total", "Requests.", label_names, 1, &requests));
    OK(pe_registry_register_counter(registry, requests));
    OK(pe_counter_inc_labels(requests, label_values, 1, 3));

    opts.struct_size = sizeof opts;
    opts.address = "127.0.0.1:0";
    OK(pe_exporter_start(&opts, registry, &exporter));
    pe_registry_free(registry);
    OK(pe_exporter_port(exporter, &port));
    CHECK(port != 0);

    CHECK(http_get(port, "/metrics", "", response, sizeof response) > 0);
    CHECK(strncmp(response, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(response, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    CHECK(strstr(response, "\nc_requests_total{path=\"/\"} 3\n"));
    CHECK(http_get(port, "/metrics", "Accept: application/openmetrics-text\r\n", response,
                   sizeof response) > 0);
    CHECK(strstr(response, "\r\nContent-Type: application/openmetrics-text; version=1.0.0; "
                           "charset=utf-8; escaping=underscores\r\n"));
    CHECK(strstr(response, "\n# EOF\n"));
    CHECK(http_get(port, "/nope", "", response, sizeof response) > 0);
    CHECK(strncmp(response, "HTTP/1.1 404 ", 13) == 0);

    /* Basic auth, on the default registry (NULL). */
    opts.basic_auth_user = "prometheus";
    opts.basic_auth_password = "secret";
    OK(pe_exporter_start(&opts, NULL, &guarded));
    OK(pe_exporter_port(guarded, &guarded_port));
    CHECK(http_get(guarded_port, "/metrics", "", response, sizeof response) > 0);
    CHECK(strncmp(response, "HTTP/1.1 401 ", 13) == 0);
    CHECK(strstr(response, "\r\nWWW-Authenticate: Basic realm=\"metrics\"\r\n"));
    /* base64("prometheus:secret") */
    CHECK(http_get(guarded_port, "/metrics", "Authorization: Basic cHJvbWV0aGV1czpzZWNyZXQ=\r\n",
                   response, sizeof response) > 0);
    CHECK(strncmp(response, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(response, "\nprocess_cpu_seconds_total "));
    opts.basic_auth_user = NULL;
    opts.basic_auth_password = NULL;

    /* Errors: each a status and a message, and nothing started. */
    snprintf(address, sizeof address, "127.0.0.1:%u", (unsigned)port);
    opts.address = address;
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_IO, "cannot listen on 127.0.0.1:");
    CHECK(other == NULL);
    opts.address = "127.0.0.1:0";
    opts.tls_cert_file = "/nonexistent/cert.pem";
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "tls_key_file");
    opts.tls_key_file = "/nonexistent/key.pem";
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "/nonexistent/cert.pem");
    opts.tls_cert_file = opts.tls_key_file = NULL;
    opts.basic_auth_user = "a:b";
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "':'");
    opts.basic_auth_user = NULL;
    opts.workers = 5000;
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "workers");
    opts.workers = 0;
    /* A certificate path that is not a regular file is refused, not read without end. */
    opts.tls_cert_file = "/dev/zero";
    opts.tls_key_file = "/dev/zero";
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "not a regular file");
    opts.tls_cert_file = opts.tls_key_file = NULL;
    opts.max_connections = 2000000;
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "max_connections");
    opts.max_connections = 0;
    /* The first version of the struct, without max_connections, is still accepted; shorter is not. */
    opts.struct_size = offsetof(pe_exporter_options, max_connections) - 1;
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_INVALID_CONFIG, "struct_size");
    opts.struct_size = offsetof(pe_exporter_options, max_connections);
    opts.max_connections = 2000000; /* beyond the caller's struct: not read */
    OK(pe_exporter_start(&opts, NULL, &other));
    pe_exporter_stop(other);
    other = NULL;
    opts.max_connections = 0;
    opts.struct_size = sizeof opts;
    opts.address = NULL;
    FAILS(pe_exporter_start(&opts, NULL, &other), PE_ERR_NULL, "opts->address");
    CHECK(other == NULL);

    pe_exporter_stop(guarded);
    pe_exporter_stop(exporter);
    pe_exporter_stop(NULL);
    /* The port is free again once stop returns. */
    opts.address = address;
    OK(pe_exporter_start(&opts, NULL, &other));
    pe_exporter_stop(other);
    pe_counter_free(requests);
    printf("ok\n");
    return 0;
}
