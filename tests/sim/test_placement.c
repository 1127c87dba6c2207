/*
 * Placement: percentages become exact counts by largest remainder, counts and explicit lists
 * are honoured, nodes are interleaved across regions, and bad placements are rejected with a
 * suggestion for misspelt regions.
 */
#include "sim/net/placement.h"

#include "tests/check_main.h"

#include <string.h>

static SimRegions *regions_new(void)
{
    GError *error = NULL;
    SimRegions *regions = sim_regions_new_default(&error);
    ck_assert_msg(regions != NULL, "%s", error ? error->message : "");
    return regions;
}

static uint32_t count_in(const SimRegions *regions, const uint16_t *placed, uint32_t n,
                         const char *name)
{
    uint16_t region;
    ck_assert(sim_regions_lookup(regions, name, &region));
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++)
        count += placed[i] == region;
    return count;
}

START_TEST(percentages)
{
    SimRegions *regions = regions_new();
    uint16_t placed[1000];
    GError *error = NULL;
    ck_assert(sim_placement_assign(regions, "us-east-1:40%, eu-west-1:30%, ap-northeast-1:30%",
                                   1000, placed, &error));
    ck_assert_uint_eq(count_in(regions, placed, 1000, "us-east-1"), 400);
    ck_assert_uint_eq(count_in(regions, placed, 1000, "eu-west-1"), 300);
    ck_assert_uint_eq(count_in(regions, placed, 1000, "ap-northeast-1"), 300);
    /* 10 nodes at 33.4/33.3/33.3%: 3.34, 3.33, 3.33 -> 4, 3, 3 by largest remainder. */
    ck_assert(sim_placement_assign(regions, "us-east-1:33.4%, eu-west-1:33.3%, sa-east-1:33.3%", 10,
                                   placed, &error));
    ck_assert_uint_eq(count_in(regions, placed, 10, "us-east-1"), 4);
    ck_assert_uint_eq(count_in(regions, placed, 10, "eu-west-1"), 3);
    ck_assert_uint_eq(count_in(regions, placed, 10, "sa-east-1"), 3);
    /* 7 nodes at 50/50: 3.5 and 3.5 -> the tie goes to the region listed first. */
    ck_assert(sim_placement_assign(regions, "eu-west-1:50%, us-east-1:50%", 7, placed, &error));
    ck_assert_uint_eq(count_in(regions, placed, 7, "eu-west-1"), 4);
    sim_regions_free(regions);
}
END_TEST

START_TEST(interleaved)
{
    SimRegions *regions = regions_new();
    uint16_t placed[8];
    GError *error = NULL;
    ck_assert(sim_placement_assign(regions, "us-east-1:50%, eu-west-1:50%", 8, placed, &error));
    for (int i = 1; i < 8; i++)
        ck_assert_uint_ne(placed[i], placed[i - 1]);
    uint16_t big[1000];
    ck_assert(sim_placement_assign(regions, "all", 1000, big, &error));
    for (uint16_t r = 0; r < sim_regions_count(regions); r++) {
        uint32_t count = count_in(regions, big, 1000, sim_regions_name(regions, r));
        ck_assert(count == 47 || count == 48); /* 1000 / 21 */
    }
    sim_regions_free(regions);
}
END_TEST

START_TEST(counts_single_and_explicit)
{
    SimRegions *regions = regions_new();
    uint16_t placed[4];
    GError *error = NULL;
    ck_assert(sim_placement_assign(regions, "us-east-1:1, eu-west-1:3", 4, placed, &error));
    ck_assert_uint_eq(count_in(regions, placed, 4, "eu-west-1"), 3);
    ck_assert(sim_placement_assign(regions, "ap-south-1", 4, placed, &error));
    ck_assert_uint_eq(count_in(regions, placed, 4, "ap-south-1"), 4);
    ck_assert(sim_placement_assign(regions, "us-east-1, us-east-1, eu-west-1, sa-east-1", 4, placed,
                                   &error));
    ck_assert_str_eq(sim_regions_name(regions, placed[2]), "eu-west-1");
    ck_assert_str_eq(sim_regions_name(regions, placed[3]), "sa-east-1");
    sim_regions_free(regions);
}
END_TEST

START_TEST(rejects_bad_placements)
{
    SimRegions *regions = regions_new();
    uint16_t placed[10];
    struct {
        const char *text;
        const char *message_part;
    } cases[] = {
        {"us-east-1:40%, eu-west-1:40%", "add up to 80%, expected exactly 100%"},
        {"us-east-1:5, eu-west-1:4", "add up to 9, expected 10"},
        {"us-east-1:50%, eu-west-1:5", "mix of percentages and counts"},
        {"us-east-2:50%, us-east-2:50%", "listed twice"},
        {"us-est-1:100%", "did you mean us-east-1"},
        {"eu-west-1, us-east-1", "2 region names for 10 nodes"},
        {"us-east-1:50%, eu-west-1", "has no share"},
        {"us-east-1:-5%, eu-west-1:105%", "negative"},
        {"", "expected a placement"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *error = NULL;
        ck_assert_msg(!sim_placement_assign(regions, cases[i].text, 10, placed, &error),
                      "accepted \"%s\"", cases[i].text);
        ck_assert_msg(strstr(error->message, cases[i].message_part) != NULL,
                      "\"%s\": message \"%s\" lacks \"%s\"", cases[i].text, error->message,
                      cases[i].message_part);
        g_error_free(error);
    }
    sim_regions_free(regions);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("placement");
    TCase *tc = tcase_create("placement");
    tcase_add_test(tc, percentages);
    tcase_add_test(tc, interleaved);
    tcase_add_test(tc, counts_single_and_explicit);
    tcase_add_test(tc, rejects_bad_placements);
    suite_add_tcase(suite, tc);
    return suite;
}
