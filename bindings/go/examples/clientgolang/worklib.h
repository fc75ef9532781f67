/* worklib: a C library instrumented with prometheus_emulator, as a Go program may link one.
   It registers its metrics in the registry it is given (NULL: the library's default registry). */
#ifndef WORKLIB_H
#define WORKLIB_H

#include "prometheus_emulator.h"

/* Makes the metrics and registers them in registry; 0 on success, else the pe_status. */
int worklib_init(pe_registry *registry);

/* Does n jobs of this kind: counts them and sets the queue depth. */
void worklib_work(const char *kind, int n);

#endif
