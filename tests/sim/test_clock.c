/*
 * Clock classes (sim/net/clock.h): presets and frequencies become cost factors against the
 * 3.5 GHz reference core, shares and counts are dealt over the validators, bad text is an
 * error naming the entry, and the same work on a slower class takes proportionally longer.
 */
#include "sim/net/clock.h"
#include "sim/net/host.h"
#include "sim/core/units.h"

#include "tests/check_main.h"

static gboolean assign(const char *text, uint32_t n, uint64_t *out, char **message)
{
    GError *error = NULL;
    gboolean ok = sim_clock_assign(text, n, out, &error);
    if (message != NULL) *message = error ? g_strdup(error->message) : NULL;
    g_clear_error(&error);
    return ok;
}

START_TEST(presets_and_frequencies)
{
    uint64_t f[3];
    ck_assert(assign("reference", 3, f, NULL));
    ck_assert_uint_eq(f[0], SIM_PPM_ONE);
    ck_assert_uint_eq(f[2], SIM_PPM_ONE);
    ck_assert(assign("m5", 1, f, NULL));
    ck_assert_uint_eq(f[0], 1129032); /* 3.5 / 3.1 */
    ck_assert(assign("M6A", 1, f, NULL));
    ck_assert_uint_eq(f[0], 972222); /* 3.5 / 3.6 */
    ck_assert(assign("m6i", 1, f, NULL));
    ck_assert_uint_eq(f[0], SIM_PPM_ONE);
    ck_assert(assign(" 1.75GHz ", 1, f, NULL));
    ck_assert_uint_eq(f[0], 2 * SIM_PPM_ONE);
    ck_assert(assign("875MHz", 1, f, NULL));
    ck_assert_uint_eq(f[0], 4 * SIM_PPM_ONE);
}
END_TEST

START_TEST(shares_and_counts_are_dealt)
{
    uint64_t f[4];
    ck_assert(assign("m5:50%, m6a:50%", 4, f, NULL));
    ck_assert_uint_eq(f[0], 1129032); /* interleaved, the first listed first */
    ck_assert_uint_eq(f[1], 972222);
    ck_assert_uint_eq(f[2], 1129032);
    ck_assert_uint_eq(f[3], 972222);
    ck_assert(assign("reference:3, 1.75GHz:1", 4, f, NULL));
    int slow = 0;
    for (int i = 0; i < 4; i++)
        slow += f[i] == 2 * SIM_PPM_ONE;
    ck_assert_int_eq(slow, 1);
}
END_TEST

START_TEST(bad_text_names_the_entry)
{
    uint64_t f[4];
    char *m = NULL;
    ck_assert(!assign("m7x", 4, f, &m));
    ck_assert_ptr_nonnull(strstr(m, "\"m7x\""));
    ck_assert_ptr_nonnull(strstr(m, "m6a (3.6 GHz)"));
    g_free(m);
    ck_assert(!assign("m5:50%, m6a:40%", 4, f, &m));
    ck_assert_ptr_nonnull(strstr(m, "100%"));
    g_free(m);
    ck_assert(!assign("m5:1, m6a:2", 4, f, &m));
    ck_assert_ptr_nonnull(strstr(m, "expected 4"));
    g_free(m);
    ck_assert(!assign("m5:50%, m6a:2", 4, f, &m));
    ck_assert_ptr_nonnull(strstr(m, "mix"));
    g_free(m);
    ck_assert(!assign("m5, m6a", 4, f, &m));
    ck_assert_ptr_nonnull(strstr(m, "no share"));
    g_free(m);
    ck_assert(!assign("20GHz", 4, f, &m));
    g_free(m);
}
END_TEST

/* 3.1 ms of reference work takes 3.5 ms on an m5 core (3.1 GHz) and 3.014 ms on m6a. */
START_TEST(slower_class_takes_proportionally_longer)
{
    uint64_t f[1];
    ck_assert(assign("m5", 1, f, NULL));
    SimHost m5 = {.cpu_factor_ppm = f[0]};
    ck_assert(assign("m6a", 1, f, NULL));
    SimHost m6a = {.cpu_factor_ppm = f[0]};
    SimHost ref = {.cpu_factor_ppm = SIM_PPM_ONE};
    SimDuration work = 3100000;
    ck_assert_uint_eq(sim_host_cpu_charge(&ref, 0, work), 3100000);
    ck_assert_uint_eq(sim_host_cpu_charge(&m5, 0, work), 3499999); /* 3.1 ms x 1.129032 */
    ck_assert_uint_eq(sim_host_cpu_charge(&m6a, 0, work), 3013888);
    /* Twice the work, twice the time, on the slow class too. */
    ck_assert_uint_eq(sim_host_cpu_charge(&m5, 3499999, 2 * work), 3499999 + 6999998);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("clock");
    TCase *tc = tcase_create("clock");
    tcase_add_test(tc, presets_and_frequencies);
    tcase_add_test(tc, shares_and_counts_are_dealt);
    tcase_add_test(tc, bad_text_names_the_entry);
    tcase_add_test(tc, slower_class_takes_proportionally_longer);
    suite_add_tcase(suite, tc);
    return suite;
}
