/* pe_gauge from C: every operation, every error status and its message, values kept on error. */
#include <time.h>

#include "check.h"

int main(void) {
    pe_gauge *g = NULL;
    OK(pe_gauge_new("temperature", "Temperature.", NULL, 0, &g));
    EQ(gauge_value(g), 0);
    OK(pe_gauge_set(g, 22.5));
    OK(pe_gauge_inc(g, 0.5));
    OK(pe_gauge_dec(g, 1));
    OK(pe_gauge_inc(g, -2));
    EQ(gauge_value(g), 20);
    /* NaN is a gauge value, in every format and every other client. */
    OK(pe_gauge_set(g, NAN));
    CHECK(isnan(gauge_value(g)));
    OK(pe_gauge_set(g, 20));
    OK(pe_gauge_inc(g, NAN));
    CHECK(isnan(gauge_value(g)));
    OK(pe_gauge_set(g, 20));
    OK(pe_gauge_dec(g, NAN));
    CHECK(isnan(gauge_value(g)));
    OK(pe_gauge_set(g, 20));
    EQ(gauge_value(g), 20);
    OK(pe_gauge_set(g, -INFINITY));
    EQ(gauge_value(g), -INFINITY);
    OK(pe_gauge_set_to_current_time(g));
    CHECK(fabs(gauge_value(g) - (double)time(NULL)) < 5);

    /* Labelled. */
    const char *label_names[] = {"room"};
    pe_gauge *rooms = NULL;
    OK(pe_gauge_new("room_temperature", NULL, label_names, 1, &rooms));
    const char *kitchen[] = {"kitchen"};
    const char *hall[] = {"hall"};
    const char *attic[] = {"attic"};
    pe_gauge *k = NULL;
    OK(pe_gauge_labels(rooms, kitchen, 1, &k));
    OK(pe_gauge_set(k, 19));
    OK(pe_gauge_set_labels(rooms, hall, 1, 17));
    OK(pe_gauge_inc_labels(rooms, hall, 1, 2));
    OK(pe_gauge_dec_labels(rooms, kitchen, 1, 4));
    double value = 0;
    OK(pe_gauge_get_labels(rooms, hall, 1, &value));
    EQ(value, 19);
    EQ(gauge_value(k), 15);
    EQ(gauge_value(rooms), 34); /* sum over children */
    OK(pe_gauge_set_to_current_time_labels(rooms, attic, 1));
    OK(pe_gauge_get_labels(rooms, attic, 1, &value));
    CHECK(fabs(value - (double)time(NULL)) < 5);
    OK(pe_gauge_remove(rooms, attic, 1));

    FAILS(pe_gauge_set(rooms, 1), PE_ERR_LABEL_COUNT,
          "pe_gauge_set: wrong number of label values: expected 1, got 0");
    FAILS(pe_gauge_inc(rooms, 1), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_gauge_dec(rooms, 1), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_gauge_set_to_current_time(rooms), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    FAILS(pe_gauge_set_labels(rooms, NULL, 0, 1), PE_ERR_LABEL_COUNT, "expected 1, got 0");
    OK(pe_gauge_set_labels(rooms, attic, 1, NAN));
    OK(pe_gauge_get_labels(rooms, attic, 1, &value));
    CHECK(isnan(value));
    OK(pe_gauge_inc_labels(rooms, attic, 1, 1));
    OK(pe_gauge_dec_labels(rooms, attic, 1, NAN));
    OK(pe_gauge_remove(rooms, attic, 1));
    FAILS(pe_gauge_set_to_current_time_labels(k, hall, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_gauge_set_labels(k, hall, 1, 1), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_gauge_get_labels(rooms, attic, 1, &value), PE_ERR_NOT_FOUND,
          "pe_gauge_get_labels: no child with label values [\"attic\"]");
    FAILS(pe_gauge_remove(rooms, attic, 1), PE_ERR_NOT_FOUND, "no child");
    FAILS(pe_gauge_labels(k, hall, 1, &k), PE_ERR_WRONG_KIND, "bound child");
    FAILS(pe_gauge_set(NULL, 1), PE_ERR_NULL, "argument `gauge` is NULL");
    FAILS(pe_gauge_get(g, NULL), PE_ERR_NULL, "argument `out` is NULL");
    FAILS(pe_gauge_set((pe_gauge *)(void *)&value, 1), /* not a handle at all */
          PE_ERR_WRONG_KIND, "not a live pe_gauge handle");
    EQ(gauge_value(rooms), 34);
    EQ(gauge_value(k), 15);

    pe_metric_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.name = "size";
    opts.unit = "bytes";
    pe_gauge *sized = NULL;
    OK(pe_gauge_new_opts(&opts, &sized));
    FAILS(pe_gauge_new_opts(NULL, &sized), PE_ERR_NULL, "argument `opts` is NULL");
    FAILS(pe_gauge_new("", NULL, NULL, 0, &sized), PE_ERR_INVALID_NAME, "invalid metric name");

    OK(pe_gauge_clear(rooms));
    EQ(gauge_value(rooms), 0);
    FAILS(pe_gauge_clear(k), PE_ERR_WRONG_KIND, "bound child");
    pe_gauge_free(sized);
    pe_gauge_free(k);
    pe_gauge_free(rooms);
    pe_gauge_free(g);
    printf("ok\n");
    return 0;
}
