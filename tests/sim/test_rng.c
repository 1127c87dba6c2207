/*
 * Random streams: the same (seed, component, index) reproduces the same draws; different
 * seeds, names or indices give different streams; creating or drawing from other streams never
 * changes a stream's draws; integer draws are in range and unbiased enough to pass a chi-square
 * test; GSL's built-in generators are selectable by name.
 */
#include "sim/core/rng.h"

#include "tests/check_main.h"

#include <gsl/gsl_cdf.h>
#include <string.h>

static void draw(SimRng *rng, uint64_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = sim_rng_u64(rng);
}

START_TEST(reproducible)
{
    SimRng a, b;
    sim_rng_init(&a, sim_rng_xoshiro256ss, 42, "node", 3);
    sim_rng_init(&b, sim_rng_xoshiro256ss, 42, "node", 3);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(sim_rng_u64(&a), sim_rng_u64(&b));
    sim_rng_clear(&a);
    sim_rng_clear(&b);
}
END_TEST

START_TEST(streams_differ)
{
    uint64_t base[8], other[8];
    SimRng r;
    sim_rng_init(&r, sim_rng_xoshiro256ss, 42, "node", 3);
    draw(&r, base, 8);
    sim_rng_clear(&r);
    const struct {
        uint64_t seed;
        const char *name;
        uint64_t index;
    } variants[] = {{43, "node", 3}, {42, "nodes", 3}, {42, "node", 4}, {42, "nod", 3}};
    for (size_t v = 0; v < G_N_ELEMENTS(variants); v++) {
        sim_rng_init(&r, sim_rng_xoshiro256ss, variants[v].seed, variants[v].name,
                     variants[v].index);
        draw(&r, other, 8);
        sim_rng_clear(&r);
        int equal = 0;
        for (int i = 0; i < 8; i++)
            equal += base[i] == other[i];
        ck_assert_int_eq(equal, 0);
    }
    /* 10,000 derived seeds: no two equal (GSL's own seeding keeps only 32 bits). */
    GHashTable *seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (uint64_t i = 0; i < 10000; i++) {
        gint64 *s = g_new(gint64, 1);
        *s = (gint64)sim_rng_derive_seed(1, "node", i);
        ck_assert(!g_hash_table_contains(seen, s));
        g_hash_table_add(seen, s);
    }
    g_hash_table_unref(seen);
}
END_TEST

START_TEST(adding_streams_does_not_shift_others)
{
    uint64_t alone[16], crowded[16];
    SimRng target;
    sim_rng_init(&target, sim_rng_xoshiro256ss, 9, "network", 0);
    draw(&target, alone, 16);
    sim_rng_clear(&target);
    /* Now with other streams created before and drawn from in between. */
    SimRng before, after;
    sim_rng_init(&before, sim_rng_xoshiro256ss, 9, "workload", 0);
    sim_rng_init(&target, sim_rng_xoshiro256ss, 9, "network", 0);
    sim_rng_init(&after, sim_rng_xoshiro256ss, 9, "faults", 0);
    for (int i = 0; i < 16; i++) {
        sim_rng_u64(&before);
        crowded[i] = sim_rng_u64(&target);
        sim_rng_below(&after, 10);
    }
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(alone[i], crowded[i]);
    sim_rng_clear(&before);
    sim_rng_clear(&target);
    sim_rng_clear(&after);
}
END_TEST

START_TEST(below_is_uniform)
{
    SimRng r;
    sim_rng_init(&r, sim_rng_xoshiro256ss, 5, "uniform", 0);
    enum { BINS = 10, DRAWS = 100000 };
    uint64_t counts[BINS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = sim_rng_below(&r, BINS);
        ck_assert_uint_lt(x, BINS);
        counts[x]++;
    }
    double chi2 = 0, expected = (double)DRAWS / BINS;
    for (int i = 0; i < BINS; i++)
        chi2 += ((double)counts[i] - expected) * ((double)counts[i] - expected) / expected;
    /* Fixed seed: this is deterministic, and must sit well inside the 99.9% quantile. */
    ck_assert_double_lt(chi2, gsl_cdf_chisq_Pinv(0.999, BINS - 1));
    ck_assert_uint_eq(sim_rng_below(&r, 1), 0);
    uint64_t ppm_hits = 0;
    for (int i = 0; i < DRAWS; i++)
        ppm_hits += sim_rng_chance_ppm(&r, 250000);
    ck_assert_uint_gt(ppm_hits, 24000);
    ck_assert_uint_lt(ppm_hits, 26000);
    ck_assert(!sim_rng_chance_ppm(&r, 0));
    ck_assert(sim_rng_chance_ppm(&r, 1000000));
    sim_rng_clear(&r);
}
END_TEST

START_TEST(named_algorithms)
{
    ck_assert_ptr_eq(sim_rng_algorithm_lookup("xoshiro256**"), sim_rng_xoshiro256ss);
    ck_assert_ptr_nonnull(sim_rng_algorithm_lookup("taus2"));
    ck_assert_ptr_nonnull(sim_rng_algorithm_lookup("mt19937"));
    ck_assert_ptr_null(sim_rng_algorithm_lookup("no-such-generator"));
    /* ran0 has a 31-bit range: unusable for exact integer draws. */
    ck_assert_ptr_null(sim_rng_algorithm_lookup("ran0"));
    SimRng a, b;
    sim_rng_init(&a, sim_rng_algorithm_lookup("taus2"), 1, "x", 0);
    sim_rng_init(&b, sim_rng_algorithm_lookup("taus2"), 1, "x", 0);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(sim_rng_u64(&a), sim_rng_u64(&b));
    sim_rng_clear(&a);
    sim_rng_clear(&b);
    char *list = sim_rng_algorithm_list();
    ck_assert_ptr_nonnull(strstr(list, "xoshiro256**"));
    g_free(list);
}
END_TEST

START_TEST(bytes_fill)
{
    SimRng r;
    sim_rng_init(&r, sim_rng_xoshiro256ss, 1, "bytes", 0);
    uint8_t buf[37] = {0};
    sim_rng_bytes(&r, buf, sizeof buf);
    int zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    ck_assert_int_lt(zeros, 4);
    sim_rng_clear(&r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, reproducible);
    tcase_add_test(tc, streams_differ);
    tcase_add_test(tc, adding_streams_does_not_shift_others);
    tcase_add_test(tc, below_is_uniform);
    tcase_add_test(tc, named_algorithms);
    tcase_add_test(tc, bytes_fill);
    suite_add_tcase(suite, tc);
    return suite;
}
