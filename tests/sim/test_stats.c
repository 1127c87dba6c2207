/*
 * Statistics: a hand-computed example of the mean, standard deviation and 95% confidence
 * interval (Student's t), percentiles by interpolation, and the edge cases.
 */
#include "analysis/stats.h"
#include "tests/check_main.h"

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

Suite *test_suite(void)
{
    Suite *suite = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, confidence_interval_matches_a_hand_computed_example);
    tcase_add_test(tc, percentiles_interpolate_between_order_statistics);
    tcase_add_test(tc, edge_cases);
    suite_add_tcase(suite, tc);
    return suite;
}
