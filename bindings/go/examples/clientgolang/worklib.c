/* worklib: see worklib.h. */
#include "worklib.h"

static pe_counter *jobs;
static pe_gauge *queue_depth;

int worklib_init(pe_registry *registry) {
    const char *labels[] = {"kind"};
    pe_status status = pe_counter_new("worklib_jobs_total", "Jobs done by worklib.", labels, 1, &jobs);
    if (status != PE_OK) return status;
    status = pe_gauge_new("worklib_queue_depth", "Jobs waiting in worklib's queue.", NULL, 0, &queue_depth);
    if (status != PE_OK) return status;
    status = pe_registry_register_counter(registry, jobs);
    if (status != PE_OK) return status;
    return pe_registry_register_gauge(registry, queue_depth);
}

void worklib_work(const char *kind, int n) {
    const char *values[] = {kind};
    pe_counter_inc_labels(jobs, values, 1, (double)n);
    pe_gauge_set(queue_depth, (double)(100 - n));
}
