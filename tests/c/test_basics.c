/* Library-wide functions: version, status strings, the per-thread last error, strings. */
#include <pthread.h>
#include <stdint.h>

#include "check.h"

static void *read_last_error(void *result) {
    /* A new thread has no last error, whatever the main thread did. */
    *(const char **)result = pe_last_error();
    CHECK(strcmp(pe_last_error(), "") == 0);
    /* And its failures do not show on the main thread. */
    FAILS(pe_counter_inc(NULL, 1), PE_ERR_NULL, "pe_counter_inc: argument `counter` is NULL");
    return NULL;
}

int main(void) {
    /* Before any failure the last error is "", never NULL. */
    CHECK(pe_last_error() != NULL);
    STREQ(pe_last_error(), "");

    /* Version: the header's macros match the library. */
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", PE_VERSION_MAJOR, PE_VERSION_MINOR,
             PE_VERSION_PATCH);
    STREQ(pe_version(), expected);

    /* Every status has a description; others are "unknown status". */
    pe_status all[] = {PE_OK, PE_ERR_NULL, PE_ERR_UTF8, PE_ERR_WRONG_KIND, PE_ERR_INVALID_NAME,
                       PE_ERR_LABEL_COUNT, PE_ERR_INVALID_VALUE, PE_ERR_INVALID_CONFIG,
                       PE_ERR_DUPLICATE, PE_ERR_NOT_FOUND, PE_ERR_INTERNAL, PE_ERR_IO,
                       PE_ERR_HTTP, PE_ERR_CARDINALITY, PE_ERR_PARSE, PE_ERR_STORE};
    for (size_t i = 0; i < LEN(all); i++) {
        CHECK((int)all[i] == (int)i);
        CHECK(pe_status_str(all[i]) != NULL);
        CHECK(strcmp(pe_status_str(all[i]), "unknown status") != 0);
    }
    STREQ(pe_status_str(PE_OK), "success");
    STREQ(pe_status_str(PE_ERR_NULL), "null pointer argument");
    STREQ(pe_status_str((pe_status)99), "unknown status");
    STREQ(pe_status_str((pe_status)-1), "unknown status");

    /* A failure sets the message, prefixed with the function; a success leaves it. */
    FAILS(pe_gauge_set(NULL, 1), PE_ERR_NULL, "pe_gauge_set: argument `gauge` is NULL");
    const char *message = pe_last_error();
    pe_registry *registry = NULL;
    OK(pe_registry_new(&registry));
    STREQ(pe_last_error(), "pe_gauge_set: argument `gauge` is NULL");
    CHECK(pe_last_error() == message);

    /* The last error is per thread. */
    pthread_t thread;
    const char *seen = NULL;
    CHECK(pthread_create(&thread, NULL, read_last_error, &seen) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    STREQ(pe_last_error(), "pe_gauge_set: argument `gauge` is NULL");

    /* Freeing NULL is always a no-op. */
    pe_string_free(NULL);
    pe_registry_free(NULL);
    pe_counter_free(NULL);
    pe_gauge_free(NULL);
    pe_histogram_free(NULL);
    pe_summary_free(NULL);
    pe_info_free(NULL);
    pe_enum_free(NULL);
    pe_collector_free(NULL);
    pe_snapshot_free(NULL);

    /* Freeing a handle as another type leaves it alone and says so. */
    pe_counter_free((pe_counter *)registry);
    STREQ(pe_last_error(),
          "pe_counter_free: argument `counter` is a pe_registry handle, but a pe_counter is "
          "needed");
    pe_registry *default_registry = NULL;
    OK(pe_registry_default(&default_registry));
    OK(pe_registry_expose(registry, PE_FORMAT_OPENMETRICS, &(char *){NULL}, NULL));

    /* A zeroed block of memory is not a handle. */
    static uint64_t zeroed[64];
    FAILS(pe_counter_inc((pe_counter *)(void *)zeroed, 1), PE_ERR_WRONG_KIND,
          "argument `counter` is not a live pe_counter handle (freed, zeroed or foreign memory)");
    FAILS(pe_registry_expose((pe_registry *)(void *)zeroed, PE_FORMAT_PROMETHEUS,
                             &(char *){NULL}, NULL),
          PE_ERR_WRONG_KIND, "not a live pe_registry handle");

    /* The default registry handle: always the same, and freeing it is a no-op. */
    pe_registry *again = NULL;
    OK(pe_registry_default(&again));
    CHECK(again == default_registry);
    pe_registry_free(again);
    pe_registry_free(default_registry);
    pe_registry_free(default_registry);
    OK(pe_registry_default(&again));
    CHECK(again == default_registry);
    char *text = NULL;
    size_t len = 0;
    OK(pe_registry_expose(again, PE_FORMAT_OPENMETRICS, &text, &len));
    CHECK(text != NULL && strlen(text) == len);
    pe_string_free(text);
    pe_registry_free(again);

    pe_registry_free(registry);
    printf("ok\n");
    return 0;
}
