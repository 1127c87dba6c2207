/*
 * The fault-schedule generator of `shotglass explore` (sim/scenario/swarm.c): a schedule is a
 * function of the seed, stays inside its stake budget (total and DA committee) with unequal
 * stakes and the scenario's own faulty validators counted, always validates as a scenario,
 * and in liveness mode heals every fault and expects the recovery.
 */
#include "tests/check_main.h"

#include "sim/scenario/edit.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/swarm.h"

#include <check.h>
#include <string.h>

#define NODES 9
static const uint64_t stakes[NODES] = {40, 25, 10, 8, 6, 4, 3, 2, 2}; /* total 100 */
static const char base_text[] = "[scenario]\nviews = 20\n\n[consensus]\nnodes = 9\n"
                                "stake = 40, 25, 10, 8, 6, 4, 3, 2, 2\n\n[da]\ncommittee = 4\n";

static SimSwarmBase base_of(const gboolean *faulty)
{
    return (SimSwarmBase){.nodes = NODES,
                          .stakes = stakes,
                          .da_committee = 4,
                          .faulty = faulty,
                          .horizon = 20 * SIM_S,
                          .view_timeout = 10 * SIM_S};
}

/* Seed `seed`'s scenario text (g_free). */
static char *draw_text(const SimSwarmBudget *budget, const SimSwarmBase *base, uint64_t seed)
{
    GKeyFile *file = sim_scenario_edit_open("base", base_text, NULL);
    ck_assert_ptr_nonnull(file);
    SimSwarmDraw draw;
    sim_swarm_draw(budget, base, seed, file, &draw);
    char *text = sim_scenario_edit_text(file);
    sim_swarm_draw_clear(&draw);
    g_key_file_free(file);
    return text;
}

START_TEST(swarm_is_a_function_of_the_seed)
{
    SimSwarmBudget budget;
    sim_swarm_budget_init(&budget);
    SimSwarmBase base = base_of(NULL);
    guint differ = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        char *a = draw_text(&budget, &base, seed), *b = draw_text(&budget, &base, seed);
        char *c = draw_text(&budget, &base, seed + 1);
        ck_assert_str_eq(a, b);
        differ += strcmp(a, c) != 0;
        g_free(a), g_free(b), g_free(c);
    }
    ck_assert_uint_ge(differ, 18);
}
END_TEST

/* The validators the schedule makes Byzantine, crashed or paused, summed by stake. */
static void faulty_stake(GKeyFile *file, uint64_t *total, uint64_t *da)
{
    *total = *da = 0;
    gboolean seen[NODES] = {FALSE};
    char **groups = g_key_file_get_groups(file, NULL);
    for (guint g = 0; groups[g] != NULL; g++) {
        char *kind = g_key_file_get_value(file, groups[g], "kind", NULL);
        gboolean counts =
            kind != NULL && (strcmp(kind, "byzantine") == 0 || strcmp(kind, "crash") == 0 ||
                             strcmp(kind, "pause") == 0);
        char *nodes = counts ? g_key_file_get_value(file, groups[g], "nodes", NULL) : NULL;
        if (nodes != NULL) {
            guint64 id = g_ascii_strtoull(nodes, NULL, 10);
            ck_assert_uint_lt(id, NODES);
            ck_assert_msg(id != 3, "node 3 is the scenario's own faulty validator");
            if (!seen[id]) *total += stakes[id], *da += id < 4 ? stakes[id] : 0;
            seen[id] = TRUE;
        }
        g_free(kind), g_free(nodes);
    }
    g_strfreev(groups);
}

START_TEST(swarm_stays_within_the_budget)
{
    SimSwarmBudget budget;
    sim_swarm_budget_init(&budget);
    gboolean faulty[NODES] = {FALSE};
    faulty[3] = TRUE; /* the scenario's own: 8 of the stake */
    SimSwarmBase base = base_of(faulty);
    guint drawn = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        char *text = draw_text(&budget, &base, seed);
        SimScenario s;
        GError *error = NULL;
        ck_assert_msg(sim_scenario_parse(&s, "drawn", text, NULL, &error), "seed %lu: %s\n%s",
                      (unsigned long)seed, error ? error->message : "", text);
        sim_scenario_clear(&s);
        GKeyFile *file = sim_scenario_edit_open("drawn", text, NULL);
        uint64_t total = 0, da = 0;
        faulty_stake(file, &total, &da);
        total += 8, da += 8; /* node 3, in the DA committee */
        ck_assert_msg(3 * total < 100, "seed %lu: faulty stake %lu of 100", (unsigned long)seed,
                      (unsigned long)total);
        ck_assert_msg(3 * da < 83, "seed %lu: DA faulty stake %lu of 83", (unsigned long)seed,
                      (unsigned long)da);
        drawn += total > 8;
        g_key_file_free(file);
        g_free(text);
    }
    ck_assert_uint_gt(drawn, 100);         /* the budget is used, not just respected */
    budget.faulty = (SimSwarmShare){0, 1}; /* none at all */
    for (uint64_t seed = 1; seed <= 50; seed++) {
        char *text = draw_text(&budget, &base, seed);
        ck_assert_ptr_null(strstr(text, "kind = crash"));
        ck_assert_ptr_null(strstr(text, "kind = byzantine"));
        ck_assert_ptr_null(strstr(text, "kind = pause"));
        g_free(text);
    }
}
END_TEST

START_TEST(swarm_liveness_heals_every_fault)
{
    SimSwarmBudget budget;
    sim_swarm_budget_init(&budget);
    budget.liveness = TRUE;
    SimSwarmBase base = base_of(NULL);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        char *text = draw_text(&budget, &base, seed);
        GKeyFile *file = sim_scenario_edit_open("drawn", text, NULL);
        char **groups = g_key_file_get_groups(file, NULL);
        guint windows = 0;
        for (guint g = 0; groups[g] != NULL; g++) {
            if (!g_str_has_prefix(groups[g], "fault.")) continue;
            char *kind = g_key_file_get_value(file, groups[g], "kind", NULL);
            gboolean whole_run =
                strcmp(kind, "skew") == 0 || (strcmp(kind, "byzantine") == 0 &&
                                              !g_key_file_has_key(file, groups[g], "at", NULL));
            ck_assert_msg(whole_run || g_key_file_has_key(file, groups[g], "duration", NULL),
                          "seed %lu: [%s] never heals", (unsigned long)seed, groups[g]);
            windows += !whole_run;
            g_free(kind);
        }
        char *views = g_key_file_get_value(file, "scenario", "views", NULL);
        ck_assert_str_eq(views, "0");
        ck_assert(g_key_file_has_key(file, "scenario", "duration", NULL));
        if (windows > 0) ck_assert_ptr_nonnull(strstr(text, "\nrecovery.explore-"));
        g_free(views);
        g_strfreev(groups);
        g_key_file_free(file);
        g_free(text);
    }
}
END_TEST

START_TEST(swarm_shares_parse)
{
    SimSwarmShare s;
    ck_assert(sim_swarm_share_parse("1/3", &s, NULL) && s.num == 1 && s.den == 3);
    ck_assert(sim_swarm_share_parse("0.25", &s, NULL) && s.num == 25 && s.den == 100);
    ck_assert(sim_swarm_share_parse("30%", &s, NULL) && s.num == 30 && s.den == 100);
    ck_assert(sim_swarm_share_parse("0", &s, NULL) && s.num == 0);
    const char *bad[] = {"2", "1/0", "x", "-1", "", "1/3x", "150%"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        ck_assert_msg(!sim_swarm_share_parse(bad[i], &s, &error), "\"%s\" accepted", bad[i]);
        ck_assert_ptr_nonnull(strstr(error->message, "share"));
        g_error_free(error);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("explore's fault schedules");
    TCase *tc = tcase_create("swarm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, swarm_is_a_function_of_the_seed);
    tcase_add_test(tc, swarm_stays_within_the_budget);
    tcase_add_test(tc, swarm_liveness_heals_every_fault);
    tcase_add_test(tc, swarm_shares_parse);
    suite_add_tcase(suite, tc);
    return suite;
}
