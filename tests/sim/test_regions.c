/*
 * The measured latency table: the built-in data loads, is symmetric, has the values SOURCES.md
 * quotes, one-way is half the RTT, the diagonal override works, and malformed CSV is rejected
 * with file and line.
 */
#include "sim/net/regions.h"

#include "tests/check_main.h"

#include <string.h>

START_TEST(builtin_data)
{
    GError *error = NULL;
    SimRegions *regions = sim_regions_new_default(&error);
    ck_assert_ptr_nonnull(regions);
    ck_assert_uint_eq(sim_regions_count(regions), 21);
    uint16_t use1, euw1, aps2, afs1;
    ck_assert(sim_regions_lookup(regions, "us-east-1", &use1));
    ck_assert(sim_regions_lookup(regions, "eu-west-1", &euw1));
    ck_assert(sim_regions_lookup(regions, "ap-southeast-2", &aps2));
    ck_assert(sim_regions_lookup(regions, "af-south-1", &afs1));
    /* Values quoted in SOURCES.md. */
    ck_assert_uint_eq(sim_regions_rtt(regions, use1, euw1), 69600000);
    ck_assert_uint_eq(sim_regions_rtt(regions, afs1, aps2), 409210000);
    ck_assert_uint_eq(sim_regions_one_way(regions, use1, euw1), 34800000);
    ck_assert_uint_eq(sim_regions_rtt(regions, use1, use1), 5350000);
    for (uint16_t a = 0; a < 21; a++) {
        for (uint16_t b = 0; b < 21; b++) {
            ck_assert_uint_eq(sim_regions_rtt(regions, a, b), sim_regions_rtt(regions, b, a));
            ck_assert_uint_gt(sim_regions_rtt(regions, a, b), 0);
        }
    }
    sim_regions_set_intra_one_way(regions, 250000);
    ck_assert_uint_eq(sim_regions_one_way(regions, use1, use1), 250000);
    ck_assert_uint_eq(sim_regions_one_way(regions, use1, euw1), 34800000);
    ck_assert_str_eq(sim_regions_suggest(regions, "us-est-1"), "us-east-1");
    ck_assert_str_eq(sim_regions_continent(regions, aps2), "Oceania");
    sim_regions_free(regions);
}
END_TEST

static const char two_regions[] = "region,continent,latitude,longitude\n"
                                  "a,X,0,0\n"
                                  "b,Y,1,1\n";

START_TEST(rejects_malformed_csv)
{
    struct {
        const char *regions;
        const char *latency;
        const char *message_part;
    } cases[] = {
        {two_regions, "from,to,rtt_ms_p50\na,a,1\na,b,2\nb,a,2\n", "no value for b -> b"},
        {two_regions, "from,to,rtt_ms_p50\na,a,1\na,b,2\nb,a,2\nb,c,3\n", "line 5: unknown region"},
        {two_regions, "from,to,rtt_ms_p50\na,a,1\na,b,-2\nb,a,2\nb,b,1\n",
         "line 3: bad round-trip"},
        {two_regions, "from,to,rtt\n", "line 1: expected header"},
        {two_regions, "# comment\nfrom,to,rtt_ms_p50\na,a\n", "line 3: expected from,to"},
        {"region,continent,latitude,longitude\na,X,0,0\na,X,0,0\n", "from,to,rtt_ms_p50\n",
         "listed twice"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *error = NULL;
        SimRegions *r =
            sim_regions_new_from_csv(cases[i].regions, cases[i].latency, "test", &error);
        ck_assert_msg(r == NULL, "case %zu accepted", i);
        ck_assert_msg(strstr(error->message, cases[i].message_part) != NULL,
                      "case %zu: \"%s\" lacks \"%s\"", i, error->message, cases[i].message_part);
        g_error_free(error);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("regions");
    TCase *tc = tcase_create("regions");
    tcase_add_test(tc, builtin_data);
    tcase_add_test(tc, rejects_malformed_csv);
    suite_add_tcase(suite, tc);
    return suite;
}
