/* Assertions for the C tests: each failure prints where and why, with pe_last_error(). */
#ifndef PE_TEST_CHECK_H
#define PE_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus_emulator.h"

/* A condition that must hold. */
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* A call that must return PE_OK. */
#define OK(call)                                                                      \
    do {                                                                              \
        pe_status ok_status_ = (call);                                                \
        if (ok_status_ != PE_OK) {                                                    \
            fprintf(stderr, "%s:%d: %s returned %d (%s): %s\n", __FILE__, __LINE__,   \
                    #call, (int)ok_status_, pe_status_str(ok_status_),                \
                    pe_last_error());                                                 \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* A call that must fail with `status`, and whose pe_last_error() contains `needle`. */
#define FAILS(call, status, needle)                                                   \
    do {                                                                              \
        pe_status fails_status_ = (call);                                             \
        if (fails_status_ != (status)) {                                              \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s: %s\n",          \
                    __FILE__, __LINE__, #call, (int)fails_status_,                    \
                    pe_status_str(fails_status_), #status, pe_last_error());          \
            exit(1);                                                                  \
        }                                                                             \
        if (strstr(pe_last_error(), (needle)) == NULL) {                              \
            fprintf(stderr, "%s:%d: %s: message \"%s\" lacks \"%s\"\n", __FILE__,     \
                    __LINE__, #call, pe_last_error(), (needle));                      \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Two doubles that must be equal (or both NaN). */
#define EQ(got, want)                                                                 \
    do {                                                                              \
        double eq_got_ = (got), eq_want_ = (want);                                    \
        if (!(eq_got_ == eq_want_ || (isnan(eq_got_) && isnan(eq_want_)))) {          \
            fprintf(stderr, "%s:%d: %s is %.17g, expected %.17g\n", __FILE__,         \
                    __LINE__, #got, eq_got_, eq_want_);                               \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Two strings that must be equal. */
#define STREQ(got, want)                                                              \
    do {                                                                              \
        const char *streq_got_ = (got), *streq_want_ = (want);                        \
        if (streq_got_ == NULL || strcmp(streq_got_, streq_want_) != 0) {             \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,       \
                    __LINE__, #got, streq_got_ ? streq_got_ : "(null)", streq_want_); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Number of elements of an array. */
#define LEN(array) (sizeof(array) / sizeof((array)[0]))

/* A counter's value, read through pe_counter_get(). */
static inline double counter_value(const pe_counter *counter) {
    double value = -1;
    OK(pe_counter_get(counter, &value));
    return value;
}

static inline double gauge_value(const pe_gauge *gauge) {
    double value = -1;
    OK(pe_gauge_get(gauge, &value));
    return value;
}

/* Threads of this process, from /proc/self/status. */
static inline int thread_count(void) {
    FILE *status = fopen("/proc/self/status", "r");
    CHECK(status != NULL);
    char line[256];
    int threads = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, "Threads:", 8) == 0) {
            threads = atoi(line + 8);
        }
    }
    fclose(status);
    return threads;
}

#endif
