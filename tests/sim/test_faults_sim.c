/*
 * Every fault kind acts, driven from scenario text as a user writes it: a partition stops
 * delivery between its groups and decides until it heals, and a hold partition keeps at most
 * hold_max bytes per link; a crash with a duration restarts the nodes from what they persisted;
 * faults fire on views and timeout certificates and end after a number of views, and "leader"
 * means the leader of the view in progress; a filter drops exactly the named types from the
 * named nodes and a delay filter slows them by its delay; a pause fails the views its node
 * leads; a slow CPU and a degraded network stretch finality; skewed clocks time out early;
 * before GST an adversary delays everything and after it the chain runs.
 */
#include "sim/scenario/scenario.h"
#include "tests/check_main.h"
#include "tests/sim/sim_test.h"

#include <string.h>

static SimRun *scenario_run(SimScenario *s, const char *text)
{
    GError *error = NULL;
    ck_assert_msg(sim_scenario_parse(s, "test.ini", text, NULL, &error), "%s",
                  error ? error->message : "");
    return sim_test_run(&s->config);
}

static const SimFaultWindow *only_window(const SimRun *run)
{
    ck_assert_uint_eq(sim_run_fault_count(run), 1);
    return sim_run_fault_window(run, 0);
}

START_TEST(partition_stops_decides_until_it_heals)
{
    SimScenario s;
    SimRun *run = scenario_run(&s, "[scenario]\nviews = 0\nduration = 90s\n"
                                   "[consensus]\nnodes = 10\nleaders = round-robin\n"
                                   "[fault.split]\nkind = partition\ngroups = 0-4 | 5-9\n"
                                   "at = 10s\nuntil = 40s\n");
    sim_test_check_safe(run);
    const SimFaultWindow *w = only_window(run);
    ck_assert(w->started && w->ended);
    ck_assert_uint_eq(w->start, 10 * SIM_S);
    ck_assert_uint_eq(w->end, 40 * SIM_S);
    ck_assert_uint_gt(sim_test_decides_between(run, 0, 10 * SIM_S), 10);
    ck_assert_uint_eq(sim_test_decides_between(run, 12 * SIM_S, 40 * SIM_S), 0);
    ck_assert_uint_gt(sim_test_decides_between(run, 40 * SIM_S, 90 * SIM_S), 10);
    ck_assert_uint_gt(sim_network_stats(sim_run_network(run))->dropped_cut, 0);
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

/* A hold partition keeps at most hold_max bytes per link: a long one under load reaches the
 * bound and drops (and counts) what would go beyond it; a short one drops nothing. */
START_TEST(hold_partition_keeps_at_most_hold_max_per_link)
{
    static const char text[] = "[scenario]\nviews = 0\nduration = 60s\n"
                               "[network]\nhold_max = %s\n"
                               "[consensus]\nnodes = 10\n"
                               "[workload]\nrollups = 2\ntx_rate = 200/s\n"
                               "[fault.split]\nkind = partition\ngroups = 0-6 | 7-9\n"
                               "mode = hold\nat = 5s\nuntil = %s\n";
    SimScenario s;
    char *long_one = g_strdup_printf(text, "256KiB", "45s");
    SimRun *run = scenario_run(&s, long_one);
    sim_test_check_safe(run);
    const SimNetworkStats *stats = sim_network_stats(sim_run_network(run));
    ck_assert_uint_gt(stats->held_cut, 0);
    ck_assert_uint_gt(stats->dropped_hold, 0);
    ck_assert_uint_le(stats->held_bytes_peak, 256 << 10);
    ck_assert_uint_gt(stats->held_bytes_peak, 128 << 10); /* it did fill up */
    sim_run_free(run);
    sim_scenario_clear(&s);
    char *short_one = g_strdup_printf(text, "4MiB", "6s");
    run = scenario_run(&s, short_one);
    sim_test_check_safe(run);
    stats = sim_network_stats(sim_run_network(run));
    ck_assert_uint_gt(stats->held_cut, 0);
    ck_assert_uint_gt(stats->held_bytes_peak, 0);
    ck_assert_uint_eq(stats->dropped_hold, 0);
    sim_run_free(run);
    sim_scenario_clear(&s);
    g_free(long_one);
    g_free(short_one);
}
END_TEST

START_TEST(crash_for_a_duration_restarts_from_persisted_state)
{
    SimScenario s;
    SimRun *run = scenario_run(&s, "[scenario]\nviews = 0\nduration = 120s\n"
                                   "[consensus]\nnodes = 10\n"
                                   "[fault.down]\nkind = crash\nnodes = 0-3\nat = 10s\n"
                                   "duration = 40s\n");
    sim_test_check_safe(run);
    const SimFaultWindow *w = only_window(run);
    ck_assert_uint_eq(w->end, 50 * SIM_S);
    ck_assert_uint_eq(sim_node_set_count(&w->nodes), 4);
    ck_assert_uint_eq(sim_test_decides_between(run, 15 * SIM_S, 50 * SIM_S), 0); /* f+1 down */
    ck_assert_uint_gt(sim_test_decides_between(run, 50 * SIM_S, 120 * SIM_S), 10);
    for (uint32_t id = 0; id < 4; id++) {
        const ProtoNode *node = sim_run_node(run, id);
        ck_assert_ptr_nonnull(node);
        /* It came back from its persisted high QC, not from genesis, and caught up. */
        ck_assert_uint_gt(proto_node_view(node), 30);
    }
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

typedef struct Notes {
    SimTime first_tc;
    SimTime timed_out[10]; /* first TIMED_OUT note per node */
} Notes;

static void watch(void *user_data, uint32_t node, const ProtoAction *a, SimTime now)
{
    Notes *n = user_data;
    if (a->kind != PROTO_ACTION_NOTE) return;
    if (a->note == PROTO_NOTE_TC_FORMED && n->first_tc == SIM_TIME_NONE) n->first_tc = now;
    if (a->note == PROTO_NOTE_TIMED_OUT && node < 10 && n->timed_out[node] == SIM_TIME_NONE) {
        n->timed_out[node] = now;
    }
}

/* Runs scenario `text` with its notes watched. */
static SimRun *watched_run(SimScenario *s, const char *text, Notes *notes)
{
    GError *error = NULL;
    ck_assert_msg(sim_scenario_parse(s, "t.ini", text, NULL, &error), "%s",
                  error ? error->message : "");
    notes->first_tc = SIM_TIME_NONE;
    for (int i = 0; i < 10; i++)
        notes->timed_out[i] = SIM_TIME_NONE;
    s->config.observer = watch;
    s->config.observer_data = notes;
    return sim_test_run(&s->config);
}

START_TEST(faults_fire_on_views_and_tcs_and_resolve_roles_then)
{
    SimScenario s;
    Notes notes;
    SimRun *run = watched_run(&s,
                              "[scenario]\nviews = 60\n[consensus]\nnodes = 10\n"
                              "[fault.leader]\nkind = crash\nnodes = leader\nat = view 20\n"
                              "views = 5\n"
                              "[fault.after-tc]\nkind = slow\nnodes = 9\nfactor = 2\n"
                              "at = tc\n",
                              &notes);
    sim_test_check_safe(run);
    const SimFaultWindow *crash = sim_run_fault_window_named(run, "leader");
    ck_assert(crash->started && crash->ended);
    ck_assert_uint_eq(crash->start_view, 20);
    ck_assert_uint_eq(sim_node_set_count(&crash->nodes), 1);
    ck_assert(sim_node_set_contains(&crash->nodes, proto_stake_leader(sim_run_stake(run), 20)));
    const SimFaultWindow *slow = sim_run_fault_window_named(run, "after-tc");
    ck_assert(slow->started);
    ck_assert_uint_ne(notes.first_tc, SIM_TIME_NONE); /* the crashed leader's view timed out */
    ck_assert_uint_eq(slow->start, notes.first_tc);
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

START_TEST(filter_drops_exactly_the_named_types_from_the_named_nodes)
{
    SimScenario s;
    SimRun *run = scenario_run(&s, "[scenario]\nviews = 50\n[consensus]\nnodes = 10\n"
                                   "[fault.mute]\nkind = filter\nfrom = 3\n"
                                   "types = quorum_vote\n");
    sim_test_check_safe(run);
    SimNetwork *net = sim_run_network(run);
    const SimNetworkStats *stats = sim_network_stats(net);
    uint64_t dropped = 0;
    for (uint16_t t = 0; t < sim_network_type_count(net); t++) {
        for (uint32_t h = 0; h < sim_network_host_count(net); h++) {
            const SimTypeCounters *c = sim_network_counters(net, h, t);
            gboolean votes_of_3 =
                h == 3 && strcmp(sim_network_type_name(net, t), "quorum_vote") == 0;
            if (votes_of_3) {
                ck_assert_uint_gt(c->msgs_sent, 30);
                /* its votes to others are all dropped; the one it counts itself never left */
                ck_assert_uint_ge(c->msgs_dropped + 10, c->msgs_sent);
                dropped += c->msgs_dropped;
            } else {
                ck_assert_uint_eq(c->msgs_dropped, 0);
            }
        }
    }
    ck_assert_uint_eq(stats->dropped_filter, dropped);
    ck_assert_uint_ge(ana_liveness_blocks(sim_run_liveness(run)), 45); /* one voter less is fine */
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

/* Median finality of a 10-node run with `extra` scenario text. */
static uint64_t median_finality(const char *extra)
{
    SimScenario s;
    char *text = g_strdup_printf("[scenario]\nviews = 40\n[consensus]\nnodes = 10\n%s", extra);
    SimRun *run = scenario_run(&s, text);
    sim_test_check_safe(run);
    uint64_t p50 = ana_histogram_percentile(ana_liveness_latency(sim_run_liveness(run)), 50);
    sim_run_free(run);
    sim_scenario_clear(&s);
    g_free(text);
    return p50;
}

START_TEST(delays_cpus_and_links_stretch_finality)
{
    uint64_t base = median_finality("");
    uint64_t delayed = median_finality("[fault.late]\nkind = filter\ntypes = proposal\n"
                                       "action = delay\ndelay = 500ms\n");
    uint64_t slow = median_finality("[fault.cpu]\nkind = slow\nnodes = all\nfactor = 10\n");
    uint64_t degraded = median_finality("[fault.wan]\nkind = degrade\nlatency = 4x\n");
    /* Two proposals lie on the path from proposal to decide, each 500 ms later. */
    ck_assert_uint_ge(delayed, base + 900 * SIM_MS);
    /* Signature checks on the path (a few ms per view at 10 nodes) take ten times as long. */
    ck_assert_uint_gt(slow, base + 150 * SIM_MS);
    ck_assert_uint_gt(degraded, 3 * base);
}
END_TEST

START_TEST(pause_fails_the_views_its_node_leads)
{
    SimScenario s;
    SimRun *run = scenario_run(&s, "[scenario]\nviews = 0\nduration = 100s\n"
                                   "[consensus]\nnodes = 10\nleaders = round-robin\n"
                                   "[fault.nap]\nkind = pause\nnodes = 4\nat = 5s\n"
                                   "duration = 60s\n");
    sim_test_check_safe(run);
    const AnaLiveness *l = sim_run_liveness(run);
    uint32_t failed_led_by_4 = 0, failed_other = 0;
    for (ProtoView v = 1; v + 3 <= ana_liveness_max_view(l); v++) {
        if (!ana_view_outcome_failed(ana_liveness_outcome(l, v, 3))) continue;
        if (v % 10 == 4) {
            failed_led_by_4++;
        } else {
            failed_other++;
        }
    }
    ck_assert_uint_ge(failed_led_by_4, 2);
    ck_assert_uint_eq(failed_other, 0);
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

START_TEST(skewed_clocks_time_out_early)
{
    SimScenario s;
    Notes notes;
    SimRun *run = watched_run(&s,
                              "[scenario]\nviews = 8\n[consensus]\nnodes = 10\n"
                              "leaders = round-robin\n"
                              "[fault.fast]\nkind = skew\nnodes = 5-9\nfactor = 0.5\n"
                              "[fault.dead]\nkind = crash\nnodes = 3\n",
                              &notes);
    /* In view 3 (dead leader) the skewed nodes give up 5 s before the others. */
    for (uint32_t id = 5; id < 10; id++) {
        ck_assert_uint_ne(notes.timed_out[id], SIM_TIME_NONE);
        ck_assert_uint_ge(notes.timed_out[0] - notes.timed_out[id], 4 * SIM_S);
    }
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

START_TEST(before_gst_the_adversary_delays_after_it_the_chain_runs)
{
    SimScenario s;
    SimRun *run = scenario_run(&s, "[scenario]\nviews = 0\nduration = 80s\n"
                                   "[consensus]\nnodes = 10\n"
                                   "[network]\ngst = 40s\npre_gst_delay = uniform(min=5s, "
                                   "max=15s)\ngst_delta = 1s\n");
    sim_test_check_safe(run);
    uint64_t before = sim_test_decides_between(run, 0, 40 * SIM_S);
    uint64_t after = sim_test_decides_between(run, 45 * SIM_S, 80 * SIM_S);
    ck_assert_uint_gt(sim_network_stats(sim_run_network(run))->delayed_gst, 100);
    ck_assert_uint_gt(after, 4 * before + 20);
    sim_run_free(run);
    sim_scenario_clear(&s);
}
END_TEST

/* A 5|5 split leaves no side a quorum, and a fault ending after views never ends: the run stops
 * as stalled one stall time after the last new view. A fault due to end at a time, or a GST
 * still ahead, is waited for instead. */
START_TEST(a_run_without_progress_stops_as_stalled_unless_something_is_due)
{
    static const char *const ends[] = {"views = 10", "until = 5min", "until = 20s"};
    for (guint i = 0; i < G_N_ELEMENTS(ends); i++) {
        SimScenario s;
        char *text = g_strdup_printf("[scenario]\nviews = 0\nduration = 6min\nstall = 1min\n"
                                     "[consensus]\nnodes = 10\n"
                                     "[network]\n%s\n"
                                     "[fault.split]\nkind = partition\ngroups = 0-4 | 5-9\n"
                                     "at = 10s\n%s\n",
                                     i == 2 ? "gst = 3min\npre_gst_delay = uniform(min=4min, "
                                              "max=5min)\ngst_delta = 1s"
                                            : "",
                                     ends[i]);
        SimRun *run = scenario_run(&s, text);
        g_free(text);
        sim_test_check_safe(run);
        SimTime now = sim_engine_now(sim_run_engine(run));
        const char *stop = sim_run_stop_description(run);
        if (i == 0) {
            ck_assert_msg(strstr(stop, "stalled") != NULL, "%s", stop);
            ck_assert(only_window(run)->started && !only_window(run)->ended);
            ck_assert_uint_ge(now, 70 * SIM_S);
            ck_assert_uint_lt(now, 100 * SIM_S);
        } else {
            uint64_t resumed = i == 1 ? 5 * SIM_MIN : 3 * SIM_MIN;
            ck_assert_msg(strstr(stop, "stalled") == NULL, "%s", stop);
            ck_assert_uint_eq(now, 6 * SIM_MIN);
            ck_assert_uint_eq(sim_test_decides_between(run, 20 * SIM_S, resumed), 0);
            ck_assert_uint_gt(sim_test_decides_between(run, resumed, 6 * SIM_MIN), 10);
        }
        sim_run_free(run);
        sim_scenario_clear(&s);
    }
}
END_TEST

/* The watchdog has no event of its own: a run that does not stall is the same run with it off,
 * to the digest, the event count and the time it ends, also when its queue empties (every node
 * crashed) or an event limit stops it after the stall time. A restarted node working its way
 * back up through views below the highest one is progress. */
START_TEST(the_watchdog_changes_nothing_in_a_run_that_does_not_stall)
{
    static const char *const texts[] = {
        "[scenario]\nviews = 50\n[consensus]\nnodes = 4\n"
        "[fault.dead]\nkind = crash\nnodes = all\nat = 5s\n",
        "[scenario]\nviews = 0\nevents = 300000\n[consensus]\nnodes = 4\n",
        "[scenario]\nviews = 0\nduration = 40min\n[consensus]\nnodes = 4\nview_timeout = "
        "5min\n[fault.down]\nkind = crash\nnodes = 0-1\nat = 5s\nuntil = 10min\n",
    };
    for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
        SimScenario on, off;
        SimRun *a = scenario_run(&on, texts[i]);
        ck_assert(sim_scenario_parse(&off, "test.ini", texts[i], NULL, NULL));
        off.config.stall = SIM_TIME_NONE;
        SimRun *b = sim_test_run(&off.config);
        static const char *const why[] = {"nothing left to happen", "event limit reached",
                                          "duration reached"};
        ck_assert_str_eq(sim_run_stop_description(a), why[i]);
        ck_assert_str_eq(sim_run_stop_description(b), why[i]);
        uint8_t da[SIM_DIGEST_BYTES], db[SIM_DIGEST_BYTES];
        sim_engine_digest(sim_run_engine(a), da);
        sim_engine_digest(sim_run_engine(b), db);
        ck_assert_msg(memcmp(da, db, sizeof da) == 0, "case %u: digests differ", i);
        ck_assert_uint_eq(sim_engine_events_run(sim_run_engine(a)),
                          sim_engine_events_run(sim_run_engine(b)));
        ck_assert_uint_eq(sim_engine_now(sim_run_engine(a)), sim_engine_now(sim_run_engine(b)));
        sim_run_free(a);
        sim_run_free(b);
        sim_scenario_clear(&on);
        sim_scenario_clear(&off);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("faults_sim");
    TCase *tc = tcase_create("faults_sim");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, partition_stops_decides_until_it_heals);
    tcase_add_test(tc, hold_partition_keeps_at_most_hold_max_per_link);
    tcase_add_test(tc, crash_for_a_duration_restarts_from_persisted_state);
    tcase_add_test(tc, faults_fire_on_views_and_tcs_and_resolve_roles_then);
    tcase_add_test(tc, filter_drops_exactly_the_named_types_from_the_named_nodes);
    tcase_add_test(tc, delays_cpus_and_links_stretch_finality);
    tcase_add_test(tc, pause_fails_the_views_its_node_leads);
    tcase_add_test(tc, skewed_clocks_time_out_early);
    tcase_add_test(tc, before_gst_the_adversary_delays_after_it_the_chain_runs);
    tcase_add_test(tc, a_run_without_progress_stops_as_stalled_unless_something_is_due);
    tcase_add_test(tc, the_watchdog_changes_nothing_in_a_run_that_does_not_stall);
    suite_add_tcase(suite, tc);
    return suite;
}
