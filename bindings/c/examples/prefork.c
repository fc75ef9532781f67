/* A pre-fork server's metrics: the parent opens a shared store before forking, makes its
   metrics on it, and forks workers; every worker's increments land in the one store, and the
   parent's scrape shows them all (serve `registry` with pe_exporter_start() to expose it).

       cc -std=c99 prefork.c -lprometheus_emulator -o prefork && ./prefork */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prometheus_emulator.h"

#define WORKERS 4

static void check(pe_status status, const char *what) {
    if (status != PE_OK) {
        fprintf(stderr, "%s: %s\n", what, pe_last_error());
        exit(1);
    }
}

int main(void) {
    /* Any directory all workers can write; wipe it between runs, as with prometheus_client. */
    char dir[] = "/tmp/prefork_metrics_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    pe_store *store = NULL;
    check(pe_store_open(dir, NULL, &store), "pe_store_open");

    const char *labels[] = {"worker"};
    pe_metric_opts opts = {0};
    opts.struct_size = sizeof opts;
    opts.name = "jobs_done";
    opts.help = "Jobs done by the workers.";
    opts.label_names = labels;
    opts.n_label_names = 1;
    opts.store = store;
    pe_counter *jobs = NULL;
    check(pe_counter_new_opts(&opts, &jobs), "jobs");

    pe_metric_opts busy_opts = {0};
    busy_opts.struct_size = sizeof busy_opts;
    busy_opts.name = "workers_busy";
    busy_opts.help = "Workers in a job.";
    busy_opts.store = store;
    busy_opts.gauge_mode = PE_GAUGE_MODE_LIVESUM; /* only live workers count */
    pe_gauge *busy = NULL;
    check(pe_gauge_new_opts(&busy_opts, &busy), "busy");

    /* The registry the parent serves: the store's collector reads every process's values. */
    pe_registry *registry = NULL;
    pe_collector *all_workers = NULL;
    check(pe_registry_new(&registry), "registry");
    check(pe_store_collector(store, &all_workers), "pe_store_collector");
    check(pe_registry_register_collector(registry, all_workers), "register");

    for (int w = 0; w < WORKERS; w++) {
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            char name[16];
            snprintf(name, sizeof name, "%d", w);
            const char *values[] = {name};
            pe_counter *mine = NULL;
            check(pe_counter_labels(jobs, values, 1, &mine), "labels");
            check(pe_gauge_set(busy, 1), "busy");
            for (int job = 0; job < 1000 * (w + 1); job++) check(pe_counter_inc(mine, 1), "inc");
            check(pe_gauge_set(busy, 0), "idle");
            _exit(0);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int status;
        pid_t pid = wait(&status);
        /* A server's worker-exit hook: the worker's gauge values leave the live modes now. */
        check(pe_store_mark_process_dead(store, pid), "mark dead");
    }

    char *text = NULL;
    size_t len = 0;
    check(pe_registry_expose(registry, PE_FORMAT_PROMETHEUS, &text, &len), "expose");
    fputs(text, stdout);
    pe_string_free(text);

    pe_registry_free(registry);
    pe_collector_free(all_workers);
    pe_gauge_free(busy);
    pe_counter_free(jobs);
    pe_store_free(store);
    char path[64];
    snprintf(path, sizeof path, "%s/prometheus_emulator.store", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}
