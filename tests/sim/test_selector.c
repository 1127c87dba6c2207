/*
 * Node selectors: every term resolves to the validators it names (ids, regions, the largest
 * stakes, the DA committee, the leader of a given view, and the leader and next leader of the
 * view in progress when resolved); unions add up; bad terms are refused with what was expected.
 */
#include "sim/run/selector.h"
#include "tests/check_main.h"

#include <string.h>

typedef struct World {
    SimRegions *regions;
    ProtoStakeTable *stake;
    uint16_t region_of[8];
    SimSelectorContext context;
} World;

/* Eight validators: stakes 1..8 (node 7 has the most), regions alternating between two. */
static void world_init(World *w)
{
    w->regions = sim_regions_new_default(NULL);
    ck_assert_ptr_nonnull(w->regions);
    uint16_t east, west;
    ck_assert(sim_regions_lookup(w->regions, "us-east-1", &east));
    ck_assert(sim_regions_lookup(w->regions, "eu-west-1", &west));
    uint64_t stakes[8];
    uint8_t keys[8][32] = {{0}};
    for (int i = 0; i < 8; i++) {
        stakes[i] = (uint64_t)i + 1;
        keys[i][0] = (uint8_t)i;
        w->region_of[i] = i % 2 ? west : east;
    }
    uint8_t beacon[32] = {1};
    w->stake = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, 8,
                                     PROTO_LEADER_ROUND_ROBIN, beacon);
    w->context = (SimSelectorContext){8, w->region_of, w->stake, 3, 5,    8,   3, TRUE,
                                      0, 12,           TRUE,     2, NULL, NULL};
}

static void world_clear(World *w)
{
    proto_stake_table_free(w->stake);
    sim_regions_free(w->regions);
}

/* The ids `text` selects, formatted ("0-2,5"). */
static char *selected(World *w, const char *text)
{
    SimSelector s;
    GError *error = NULL;
    ck_assert_msg(sim_selector_parse(&s, text, 8, w->regions, &error), "%s: %s", text,
                  error ? error->message : "");
    SimNodeSet set;
    sim_node_set_init(&set, 8);
    sim_selector_resolve(&s, &w->context, &set);
    char *out = sim_node_set_format(&set);
    sim_node_set_clear(&set);
    sim_selector_clear(&s);
    return out;
}

static void expect_selects(World *w, const char *text, const char *ids)
{
    char *got = selected(w, text);
    ck_assert_msg(strcmp(got, ids) == 0, "%s selected %s, expected %s", text, got, ids);
    g_free(got);
}

static void expect_refused(World *w, const char *text, const char *why)
{
    SimSelector s;
    GError *error = NULL;
    ck_assert_msg(!sim_selector_parse(&s, text, 8, w->regions, &error), "accepted %s", text);
    ck_assert_msg(strstr(error->message, why) != NULL, "%s: \"%s\" lacks \"%s\"", text,
                  error->message, why);
    ck_assert_ptr_null(s.terms);
    g_error_free(error);
}

START_TEST(terms_resolve_to_what_they_name)
{
    World w;
    world_init(&w);
    expect_selects(&w, "all", "0-7");
    expect_selects(&w, "2, 4-5", "2,4-5");
    expect_selects(&w, "region(eu-west-1)", "1,3,5,7");
    expect_selects(&w, "top-stake(3)", "5-7");
    expect_selects(&w, "da-committee", "0-2");
    expect_selects(&w, "leader(10)", "2"); /* round robin: 10 mod 8 */
    expect_selects(&w, "leader", "5");     /* the view in progress is 5 */
    expect_selects(&w, "next-leader", "6");
    expect_selects(&w, "0, region(eu-west-1), top-stake(1)", "0-1,3,5,7");
    w.context.view = 7;
    expect_selects(&w, "leader, next-leader", "0,7");
    world_clear(&w);
}
END_TEST

START_TEST(static_and_dynamic_selectors_differ)
{
    World w;
    world_init(&w);
    SimSelector a, b;
    ck_assert(sim_selector_parse(&a, "0-3, region(us-east-1), leader(4)", 8, w.regions, NULL));
    ck_assert(sim_selector_parse(&b, "1, next-leader", 8, w.regions, NULL));
    ck_assert(sim_selector_is_static(&a));
    ck_assert(!sim_selector_is_static(&b));
    SimSelector copy;
    sim_selector_copy(&copy, &b);
    ck_assert_str_eq(copy.text, "1, next-leader");
    ck_assert(!sim_selector_is_static(&copy));
    sim_selector_clear(&copy);
    sim_selector_clear(&a);
    sim_selector_clear(&b);
    world_clear(&w);
}
END_TEST

/* Relays are hosts 8.. (3 brokers, then the marshal), then the L1 side's state relay (12) and,
 * for each of two L1s, its prover and its L1 node (13, 14; 15, 16): they never count as
 * validators. */
START_TEST(relay_terms_pick_relay_hosts_only)
{
    World w;
    world_init(&w);
    expect_selects(&w, "brokers", "");
    expect_selects(&w, "broker(1), 2", "2");
    const char *cases[][2] = {{"brokers", "8-10"},
                              {"broker(2)", "10"},
                              {"marshal", "11"},
                              {"broker(0), marshal, 3", "8,11"},
                              {"state-relay", "12"},
                              {"prover", "13,15"},
                              {"prover(0)", "13"},
                              {"prover(1)", "15"},
                              {"prover, state-relay, marshal", "11-13,15"}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimSelector s;
        ck_assert(sim_selector_parse(&s, cases[i][0], 8, w.regions, NULL));
        ck_assert(sim_selector_has_relays(&s));
        ck_assert(sim_selector_check_relays(&s, &w.context, NULL));
        SimNodeSet hosts;
        sim_node_set_init(&hosts, 17);
        sim_selector_resolve_relays(&s, &w.context, &hosts);
        char *got = sim_node_set_format(&hosts);
        ck_assert_msg(strcmp(got, cases[i][1]) == 0, "%s: %s", cases[i][0], got);
        g_free(got);
        sim_node_set_clear(&hosts);
        sim_selector_clear(&s);
    }
    /* Checked against the run: broker(3) of 3, servers without a web server. */
    const char *bad[][2] = {
        {"broker(3)", "there are 3"}, {"servers", "no web servers"}, {"prover(2)", "there are 2"}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        SimSelector s;
        GError *error = NULL;
        ck_assert(sim_selector_parse(&s, bad[i][0], 8, w.regions, NULL));
        ck_assert(!sim_selector_check_relays(&s, &w.context, &error));
        ck_assert_msg(strstr(error->message, bad[i][1]) != NULL, "%s", error->message);
        g_error_free(error);
        sim_selector_clear(&s);
    }
    /* Without [l1] there is neither. */
    w.context.l1 = FALSE;
    SimSelector prover;
    GError *error = NULL;
    ck_assert(sim_selector_parse(&prover, "prover", 8, w.regions, NULL));
    ck_assert(!sim_selector_check_relays(&prover, &w.context, &error));
    ck_assert_msg(strstr(error->message, "no [l1] group") != NULL, "%s", error->message);
    g_error_free(error);
    sim_selector_clear(&prover);
    SimSelector plain;
    ck_assert(sim_selector_parse(&plain, "0-3", 8, w.regions, NULL));
    ck_assert(!sim_selector_has_relays(&plain));
    sim_selector_clear(&plain);
    world_clear(&w);
}
END_TEST

START_TEST(bad_terms_are_refused)
{
    World w;
    world_init(&w);
    expect_refused(&w, "8", "out of range");
    expect_refused(&w, "3-1", "runs backwards");
    expect_refused(&w, "region(us-east-7)", "did you mean \"us-east-1\"");
    expect_refused(&w, "top-stake(0)", "from 1 to 8");
    expect_refused(&w, "top-stake(9)", "from 1 to 8");
    expect_refused(&w, "leader(0)", "from 1");
    expect_refused(&w, "leeder", "did you mean leader?");
    expect_refused(&w, "1,,2", "an empty term");
    expect_refused(&w, "", "selects nothing");
    expect_refused(&w, "region(eu-west-1", "unknown term");
    world_clear(&w);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("selector");
    TCase *tc = tcase_create("selector");
    tcase_add_test(tc, terms_resolve_to_what_they_name);
    tcase_add_test(tc, static_and_dynamic_selectors_differ);
    tcase_add_test(tc, relay_terms_pick_relay_hosts_only);
    tcase_add_test(tc, bad_terms_are_refused);
    suite_add_tcase(suite, tc);
    return suite;
}
