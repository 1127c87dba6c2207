/*
 * Distributions used for jitter and sizes: with a fixed seed, the sample mean and standard
 * deviation of each distribution are within tolerance of the analytic values, relative scales
 * follow their reference, samples are never negative, and malformed specifications are
 * rejected with a message naming the parameter.
 */
#include "sim/net/distribution.h"

#include "tests/check_main.h"

#include <math.h>
#include <string.h>

static SimDist parse_ok(const char *text, SimQuantityKind unit, gboolean relative)
{
    SimDist d;
    GError *error = NULL;
    ck_assert_msg(sim_dist_parse(text, unit, relative, &d, &error), "%s: %s", text,
                  error ? error->message : "");
    return d;
}

/* Draws n samples and checks mean and sd against the analytic values within `tolerance`. */
static void check_moments(const char *text, uint64_t reference, double tolerance)
{
    SimDist d = parse_ok(text, SIM_QUANTITY_DURATION, TRUE);
    SimRng rng;
    sim_rng_init(&rng, sim_rng_xoshiro256ss, 2024, "distribution", 0);
    enum { N = 200000 };
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < N; i++) {
        double x = (double)sim_dist_sample(&d, &rng, reference);
        sum += x;
        sum_sq += x * x;
    }
    double mean = sum / N;
    double sd = sqrt(sum_sq / N - mean * mean);
    double want_mean = sim_dist_mean(&d, reference);
    double want_sd = sim_dist_sd(&d, reference);
    ck_assert_msg(fabs(mean - want_mean) <= tolerance * want_mean + 1,
                  "%s: mean %.1f, expected %.1f", text, mean, want_mean);
    ck_assert_msg(fabs(sd - want_sd) <= 2 * tolerance * want_sd + 1, "%s: sd %.1f, expected %.1f",
                  text, sd, want_sd);
    sim_rng_clear(&rng);
}

START_TEST(moments_match)
{
    check_moments("uniform(min=1ms, max=5ms)", 0, 0.01);
    check_moments("exponential(mean=2ms)", 0, 0.01);
    check_moments("normal(mean=10ms, sd=1ms)", 0, 0.01);
    check_moments("lognormal(median=5ms, sigma=0.5)", 0, 0.01);
    check_moments("lognormal(mean=5ms, sigma=0.25)", 0, 0.01);
    check_moments("gamma(shape=2, mean=4ms)", 0, 0.01);
    check_moments("gamma(shape=0.5, scale=1ms)", 0, 0.02);
    check_moments("pareto(min=1ms, alpha=3.5)", 0, 0.02);
    check_moments("constant(value=3ms)", 0, 0);
}
END_TEST

START_TEST(relative_scales_follow_the_reference)
{
    /* A median of 10% of a 40 ms base delay is 4 ms. */
    SimDist d = parse_ok("lognormal(median=10%, sigma=0.3)", SIM_QUANTITY_DURATION, TRUE);
    ck_assert(d.relative);
    ck_assert_double_eq_tol(sim_dist_mean(&d, 40000000), 4e6 * exp(0.045), 1);
    check_moments("uniform(min=0%, max=20%)", 50000000, 0.01);
    check_moments("exponential(mean=5%)", 100000000, 0.01);
    char *text = sim_dist_describe(&d);
    ck_assert_str_eq(text, "lognormal(median=10%, sigma=0.3)");
    g_free(text);
}
END_TEST

START_TEST(samples_are_deterministic_and_non_negative)
{
    SimDist d = parse_ok("normal(mean=1ms, sd=5ms)", SIM_QUANTITY_DURATION, FALSE);
    SimRng a, b;
    sim_rng_init(&a, sim_rng_xoshiro256ss, 1, "d", 0);
    sim_rng_init(&b, sim_rng_xoshiro256ss, 1, "d", 0);
    int zeros = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t x = sim_dist_sample(&d, &a, 0);
        ck_assert_uint_eq(x, sim_dist_sample(&d, &b, 0));
        ck_assert_uint_lt(x, (uint64_t)1 << 63);
        zeros += x == 0;
    }
    ck_assert_int_gt(zeros, 3000); /* clamped negatives, about 42% */
    sim_rng_clear(&a);
    sim_rng_clear(&b);
}
END_TEST

START_TEST(sizes_and_bare_constants)
{
    SimDist d = parse_ok("lognormal(mean=300B, sigma=0.5)", SIM_QUANTITY_SIZE, FALSE);
    ck_assert_double_eq_tol(sim_dist_mean(&d, 0), 300, 0.5);
    d = parse_ok("512B", SIM_QUANTITY_SIZE, FALSE);
    ck_assert_int_eq(d.kind, SIM_DIST_CONSTANT);
    ck_assert_double_eq(sim_dist_mean(&d, 0), 512);
    d = parse_ok("none", SIM_QUANTITY_DURATION, FALSE);
    ck_assert_int_eq(d.kind, SIM_DIST_NONE);
}
END_TEST

/* Samples stay below 2^63 even for scales beyond it (fuzz/distribution once drew 2^63 from a
 * constant of 1e19 ns, which fits the quantity parser's 64 bits). */
START_TEST(huge_scales_clamp_below_two_to_the_63)
{
    SimDist d = parse_ok("10000000005.95022222s", SIM_QUANTITY_DURATION, FALSE);
    SimRng rng;
    sim_rng_init(&rng, sim_rng_xoshiro256ss, 1, "d", 0);
    ck_assert_uint_eq(sim_dist_sample(&d, &rng, 0), ((uint64_t)1 << 63) - 1);
    d = parse_ok("uniform(min=9000000000s, max=18000000000s)", SIM_QUANTITY_DURATION, FALSE);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_lt(sim_dist_sample(&d, &rng, 0), (uint64_t)1 << 63);
    sim_rng_clear(&rng);
}
END_TEST

START_TEST(rejects_bad_specifications)
{
    struct {
        const char *text;
        const char *message_part;
    } cases[] = {
        {"lognormal(sigma=0.5)", "exactly one of median, mean"},
        {"lognormal(median=5ms)", "sigma is missing"},
        {"lognormal(median=5ms, sigma=-1)", "sigma"},
        {"lognormal(median=5, sigma=1)", "unit is missing"},
        {"uniform(min=5ms, max=1ms)", "max is below min"},
        {"uniform(min=1ms, max=5ms, mode=2ms)", "unknown parameter mode"},
        {"weibull(k=1)", "unknown distribution"},
        {"gamma(shape=2, mean=1ms, scale=1ms)", "exactly one of mean, scale"},
        /* found by fuzz/distribution: the median underflowed to 0, so every draw was 0 */
        {"lognormal(mean=5ms, sigma=11111111111)", "sigma is too large for mean="},
        {"exponential(mean=1ms", "expected name(key=value"},
        {"exponential(1ms)", "expected name(key=value"},
        {"uniform(min=1ms, min=2ms)", "expected name(key=value"},
        {"pareto(min=10%, alpha=2)", "percentage is not allowed"},
        {"exponential(mean=-3ms)", "negative"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimDist d;
        GError *error = NULL;
        gboolean relative = i != G_N_ELEMENTS(cases) - 2; /* the pareto case forbids % */
        ck_assert_msg(!sim_dist_parse(cases[i].text, SIM_QUANTITY_DURATION, relative, &d, &error),
                      "accepted %s", cases[i].text);
        ck_assert_msg(strstr(error->message, cases[i].message_part) != NULL,
                      "%s: message \"%s\" lacks \"%s\"", cases[i].text, error->message,
                      cases[i].message_part);
        g_error_free(error);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("distribution");
    TCase *tc = tcase_create("distribution");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, moments_match);
    tcase_add_test(tc, relative_scales_follow_the_reference);
    tcase_add_test(tc, samples_are_deterministic_and_non_negative);
    tcase_add_test(tc, sizes_and_bare_constants);
    tcase_add_test(tc, huge_scales_clamp_below_two_to_the_63);
    tcase_add_test(tc, rejects_bad_specifications);
    suite_add_tcase(suite, tc);
    return suite;
}
