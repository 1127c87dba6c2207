/*
 * Statistics: a hand-computed example of the mean, standard deviation and 95% confidence
 * interval (Student's t), percentiles by interpolation, and the edge cases; and the latency
 * histogram against exact order statistics.
 */
#include "analysis/histogram.h"
#include "analysis/stats.h"
#include "tests/check_main.h"

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

START_TEST(confidence_interval_matches_a_hand_computed_example)
{
    /* 10, 12, 14, 16, 18: mean 14; squared deviations 16+4+0+4+16 = 40, sd = sqrt(40/4) =
     * 3.16228; t(0.975, 4) = 2.776445 (tables); ci = 2.776445 * 3.16228 / sqrt(5) = 3.92649. */
    const double values[] = {18, 10, 14, 12, 16};
    AnaSummary s = ana_summarize(values, 5);
    ck_assert_uint_eq(s.count, 5);
    ck_assert_double_eq_tol(s.mean, 14.0, 1e-12);
    ck_assert_double_eq_tol(s.sd, sqrt(10.0), 1e-12);
    ck_assert_double_eq_tol(s.ci95, 3.92649, 1e-5);
    ck_assert_double_eq_tol(s.median, 14.0, 1e-12);
    ck_assert_double_eq_tol(s.min, 10.0, 1e-12);
    ck_assert_double_eq_tol(s.max, 18.0, 1e-12);
    /* Two runs: t(0.975, 1) = 12.7062; sd of {1, 3} = sqrt(2); ci = 12.7062 * sqrt(2)/sqrt(2). */
    const double two[] = {1, 3};
    ck_assert_double_eq_tol(ana_summarize(two, 2).ci95, 12.7062, 1e-4);
}
END_TEST

START_TEST(percentiles_interpolate_between_order_statistics)
{
    const double values[] = {40, 10, 30, 20};
    ck_assert_double_eq_tol(ana_percentile(values, 4, 0), 10, 1e-12);
    ck_assert_double_eq_tol(ana_percentile(values, 4, 50), 25, 1e-12);
    ck_assert_double_eq_tol(ana_percentile(values, 4, 100), 40, 1e-12);
    ck_assert_double_eq_tol(ana_percentile(values, 4, 90), 37, 1e-12); /* 30 + 0.7 * 10 */
}
END_TEST

START_TEST(edge_cases)
{
    AnaSummary none = ana_summarize(NULL, 0);
    ck_assert_uint_eq(none.count, 0);
    ck_assert(none.mean == 0 && none.ci95 == 0);
    const double one[] = {7};
    AnaSummary single = ana_summarize(one, 1);
    ck_assert(single.mean == 7 && single.sd == 0 && single.ci95 == 0);
    ck_assert(ana_percentile(NULL, 0, 50) == 0);
}
END_TEST

/* Latency-like values: lognormal around 400 ms (in ns), with a tail, and a few tiny ones. */
static uint64_t *sample(size_t n, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    uint64_t *v = g_new(uint64_t, n);
    for (size_t i = 0; i < n; i++) {
        v[i] = i % 97 == 0 ? gsl_rng_uniform_int(rng, 300)
                           : (uint64_t)gsl_ran_lognormal(rng, log(4e8), 0.8);
    }
    gsl_rng_free(rng);
    return v;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(histogram_percentiles_are_within_its_resolution)
{
    enum { N = 20000 };
    uint64_t *v = sample(N, 7);
    AnaHistogram *h = ana_histogram_new();
    for (size_t i = 0; i < N; i++)
        ana_histogram_add(h, v[i]);
    qsort(v, N, sizeof *v, compare_u64);
    ck_assert_uint_eq(ana_histogram_count(h), N);
    ck_assert_uint_eq(ana_histogram_min(h), v[0]);
    ck_assert_uint_eq(ana_histogram_max(h), v[N - 1]);
    const double points[] = {1, 10, 25, 50, 90, 99, 99.9};
    for (size_t i = 0; i < G_N_ELEMENTS(points); i++) {
        /* The exact value: the smallest with at least p% of the values at or below it (p% of
         * N computed so that 99.9% of 20000 is 19980, not 19980.000000000004). */
        size_t rank = (size_t)ceil(points[i] * N / 100 - 1e-6);
        double exact = (double)v[rank - 1], got = (double)ana_histogram_percentile(h, points[i]);
        ck_assert_msg(fabs(got - exact) <= exact / 128 + 1, "p%g: %.0f, exactly %.0f", points[i],
                      got, exact);
    }
    /* count_below: at least the values below v, at most those below v plus its bucket. */
    for (size_t i = 0; i < N; i += 997) {
        uint64_t at = v[i] + 1, slack = at / 128 + 1;
        size_t below = 0, within = 0;
        while (below < N && v[below] < at)
            below++;
        while (within < N && v[within] < at + slack)
            within++;
        uint64_t got = ana_histogram_count_below(h, at);
        ck_assert_msg(got >= below && got <= within,
                      "below %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT ", exactly %zu", at, got,
                      below);
    }
    ck_assert_uint_eq(ana_histogram_count_below(h, 0), 0);
    ck_assert_uint_eq(ana_histogram_count_below(h, UINT64_MAX), N);
    ana_histogram_free(h);
    g_free(v);
}
END_TEST

START_TEST(histogram_is_exact_below_128_and_merges)
{
    AnaHistogram *a = ana_histogram_new(), *b = ana_histogram_new(), *all = ana_histogram_new();
    ck_assert_uint_eq(ana_histogram_percentile(a, 50), 0); /* empty */
    for (uint64_t x = 1; x <= 100; x++) {
        ana_histogram_add(x % 2 ? a : b, x);
        ana_histogram_add(all, x);
    }
    ck_assert_uint_eq(ana_histogram_percentile(all, 50), 50);
    ck_assert_uint_eq(ana_histogram_percentile(all, 99), 99);
    ck_assert_uint_eq(ana_histogram_count_below(all, 51), 50);
    ana_histogram_merge(a, b);
    ck_assert_uint_eq(ana_histogram_count(a), 100);
    ck_assert_uint_eq(ana_histogram_min(a), 1);
    ck_assert_uint_eq(ana_histogram_max(a), 100);
    ck_assert_double_eq_tol(ana_histogram_mean(a), 50.5, 1e-9);
    for (double p = 1; p <= 100; p += 7)
        ck_assert_uint_eq(ana_histogram_percentile(a, p), ana_histogram_percentile(all, p));
    ana_histogram_free(a);
    ana_histogram_free(b);
    ana_histogram_free(all);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, confidence_interval_matches_a_hand_computed_example);
    tcase_add_test(tc, percentiles_interpolate_between_order_statistics);
    tcase_add_test(tc, edge_cases);
    tcase_add_test(tc, histogram_percentiles_are_within_its_resolution);
    tcase_add_test(tc, histogram_is_exact_below_128_and_merges);
    suite_add_tcase(suite, tc);
    return suite;
}
