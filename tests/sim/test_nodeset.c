/* Node sets: membership, counting, text round trip, and rejection of bad selectors. */
#include "sim/net/nodeset.h"

#include "tests/check_main.h"

#include <string.h>

START_TEST(parse_and_format)
{
    SimNodeSet set;
    sim_node_set_init(&set, 1000);
    GError *error = NULL;
    ck_assert(sim_node_set_parse(&set, "0-499, 600, 700-799", &error));
    ck_assert_uint_eq(sim_node_set_count(&set), 601);
    ck_assert(sim_node_set_contains(&set, 0));
    ck_assert(sim_node_set_contains(&set, 499));
    ck_assert(!sim_node_set_contains(&set, 500));
    ck_assert(sim_node_set_contains(&set, 600));
    ck_assert(!sim_node_set_contains(&set, 1000)); /* outside: simply not a member */
    char *text = sim_node_set_format(&set);
    ck_assert_str_eq(text, "0-499,600,700-799");
    g_free(text);
    uint32_t ids[4];
    ck_assert_uint_eq(sim_node_set_members(&set, ids, 4), 4);
    ck_assert_uint_eq(ids[3], 3);
    sim_node_set_clear(&set);

    sim_node_set_init(&set, 70);
    ck_assert(sim_node_set_parse(&set, "all", &error));
    ck_assert_uint_eq(sim_node_set_count(&set), 70);
    SimNodeSet other;
    sim_node_set_init(&other, 70);
    sim_node_set_add(&other, 69);
    ck_assert(sim_node_set_intersects(&set, &other));
    sim_node_set_remove(&set, 69);
    ck_assert(!sim_node_set_intersects(&set, &other));
    sim_node_set_clear(&set);
    sim_node_set_clear(&other);
}
END_TEST

START_TEST(rejects_bad_selectors)
{
    const char *bad[] = {"", "1000", "5-2", "1,1", "0-10,5", "x", "-3", "1-", "1.5", "0-99999"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        SimNodeSet set;
        sim_node_set_init(&set, 1000);
        GError *error = NULL;
        ck_assert_msg(!sim_node_set_parse(&set, bad[i], &error), "accepted \"%s\"", bad[i]);
        ck_assert_ptr_nonnull(error);
        g_error_free(error);
        sim_node_set_clear(&set);
    }
    SimNodeSet set;
    sim_node_set_init(&set, 10);
    GError *error = NULL;
    ck_assert(!sim_node_set_parse(&set, "12", &error));
    ck_assert_ptr_nonnull(strstr(error->message, "out of range: there are 10 nodes"));
    g_error_free(error);
    sim_node_set_clear(&set);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("nodeset");
    TCase *tc = tcase_create("nodeset");
    tcase_add_test(tc, parse_and_format);
    tcase_add_test(tc, rejects_bad_selectors);
    suite_add_tcase(suite, tc);
    return suite;
}
