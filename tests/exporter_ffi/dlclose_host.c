/*
 * A plugin host that runs an exporter: dlopen() the library, start an exporter, scrape it, stop
 * it, dlclose() the library, over and over. pe_exporter_stop() must have joined every thread it
 * started: a thread left running would execute unmapped code after dlclose() and crash the host.
 *
 * The exporter is started from a short-lived thread. Rust's thread spawning registers a
 * thread-local destructor on the spawning thread, and glibc keeps a library loaded after
 * dlclose() while a live thread has a pending destructor of it; once the starting thread has
 * exited, dlclose() really unmaps the library, and the host checks that it did (RTLD_NOLOAD).
 *
 * usage: dlclose_host <path to libprometheus_emulator.so> <rounds>
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "prometheus_emulator.h"
#include "http_get.h"

struct api {
    enum pe_status (*start)(const pe_exporter_options *, pe_registry *, pe_exporter **);
    enum pe_status (*port)(const pe_exporter *, uint16_t *);
    void (*stop)(pe_exporter *);
    const char *(*last_error)(void);
};

#define LOAD(lib, api, field, symbol)                                            \
    do {                                                                         \
        *(void **)(&(api)->field) = dlsym((lib), (symbol));                      \
        if ((api)->field == NULL) {                                              \
            fprintf(stderr, "dlsym %s: %s\n", (symbol), dlerror());              \
            return 0;                                                            \
        }                                                                        \
    } while (0)

static int load(void *lib, struct api *api) {
    LOAD(lib, api, start, "pe_exporter_start");
    LOAD(lib, api, port, "pe_exporter_port");
    LOAD(lib, api, stop, "pe_exporter_stop");
    LOAD(lib, api, last_error, "pe_last_error");
    return 1;
}

static char response[1 << 16];

struct start_args {
    struct api *api;
    pe_exporter *exporter;
    uint16_t port;
    int ok;
};

static void *start_exporter(void *arg) {
    struct start_args *args = arg;
    pe_exporter_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.address = "127.0.0.1:0";
    args->ok = args->api->start(&opts, NULL, &args->exporter) == PE_OK &&
               args->api->port(args->exporter, &args->port) == PE_OK;
    if (!args->ok) fprintf(stderr, "start: %s\n", args->api->last_error());
    return NULL;
}

int main(int argc, char **argv) {
    int rounds, round;
    if (argc != 3) {
        fprintf(stderr, "usage: %s <library> <rounds>\n", argv[0]);
        return 2;
    }
    rounds = atoi(argv[2]);
    for (round = 0; round < rounds; round++) {
        struct api api;
        struct start_args args;
        pthread_t starter;
        void *again;
        void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            return 1;
        }
        if (!load(lib, &api)) return 1;
        memset(&args, 0, sizeof args);
        args.api = &api;
        if (pthread_create(&starter, NULL, start_exporter, &args) != 0 ||
            pthread_join(starter, NULL) != 0 || !args.ok) {
            fprintf(stderr, "round %d: start failed\n", round);
            return 1;
        }
        /* A scrape, then a client left connected and silent across the stop. */
        if (http_get(args.port, "/metrics", "", response, sizeof response) <= 0 ||
            strncmp(response, "HTTP/1.1 200 OK\r\n", 17) != 0 ||
            strstr(response, "process_resident_memory_bytes") == NULL) {
            fprintf(stderr, "round %d: bad scrape:\n%s\n", round, response);
            return 1;
        }
        {
            struct sockaddr_in addr;
            int idle = socket(AF_INET, SOCK_STREAM, 0);
            memset(&addr, 0, sizeof addr);
            addr.sin_family = AF_INET;
            addr.sin_port = htons(args.port);
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (idle < 0 || connect(idle, (struct sockaddr *)&addr, sizeof addr) != 0) {
                fprintf(stderr, "round %d: connect failed\n", round);
                return 1;
            }
            api.stop(args.exporter);
            close(idle);
        }
        if (dlclose(lib) != 0) {
            fprintf(stderr, "dlclose: %s\n", dlerror());
            return 1;
        }
        again = dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD);
        if (again != NULL) {
            fprintf(stderr, "round %d: the library is still loaded after dlclose\n", round);
            return 1;
        }
    }
    printf("%d rounds of dlopen, start, scrape, stop, dlclose: ok\n", rounds);
    return 0;
}
