/*
 * Scenario files: the documented default of every key is the real default (an empty scenario
 * and one that spells every default out give the same configuration); values land where they
 * should; --set overrides the file and a caller's defaults only fill what the file leaves
 * out; errors name the file, the line, the group and the key, all at once; faults and
 * expectations parse as documented, with their contradictions refused.
 */
#include "sim/scenario/scenario.h"
#include "tests/check_main.h"

#include <string.h>

static void load(SimScenario *s, const char *text, const char *const *overrides)
{
    GError *error = NULL;
    SimScenarioSettings settings = {NULL, overrides};
    ck_assert_msg(sim_scenario_parse(s, "test.ini", text, &settings, &error), "%s",
                  error ? error->message : "");
}

/* The error for `text`, which must be refused (g_free). */
static char *refused(const char *text, const char *const *overrides)
{
    SimScenario s;
    GError *error = NULL;
    SimScenarioSettings settings = {NULL, overrides};
    ck_assert_msg(!sim_scenario_parse(&s, "bad.ini", text, &settings, &error), "accepted:\n%s",
                  text);
    ck_assert_int_eq(error->code, SIM_SCENARIO_ERROR_INVALID);
    char *message = g_strdup(error->message);
    g_error_free(error);
    return message;
}

static void check_refused(const char *text, const char *const expected[])
{
    char *message = refused(text, NULL);
    for (int i = 0; expected[i] != NULL; i++)
        ck_assert_msg(strstr(message, expected[i]) != NULL, "\"%s\" not in:\n%s", expected[i],
                      message);
    g_free(message);
}

static void same_config(const SimRunConfig *a, const SimRunConfig *b)
{
    ck_assert_uint_eq(a->seed, b->seed);
    ck_assert_uint_eq(a->nodes, b->nodes);
    ck_assert_str_eq(a->placement, b->placement);
    ck_assert_uint_eq(a->uplink_bps, b->uplink_bps);
    ck_assert_uint_eq(a->downlink_bps, b->downlink_bps);
    ck_assert_int_eq(a->jitter.kind, b->jitter.kind);
    ck_assert_uint_eq(a->intra_region_one_way, b->intra_region_one_way);
    ck_assert_uint_eq(a->loss_ppm, b->loss_ppm);
    ck_assert_int_eq(a->loss_mode, b->loss_mode);
    ck_assert_uint_eq(a->retransmit_timeout, b->retransmit_timeout);
    ck_assert_uint_eq(a->hold_max, b->hold_max);
    ck_assert_int_eq(a->tcp_mode, b->tcp_mode);
    ck_assert_uint_eq(a->tcp_window, b->tcp_window);
    ck_assert_uint_eq(a->tcp_initial_window, b->tcp_initial_window);
    ck_assert_uint_eq(a->tcp_mss, b->tcp_mss);
    ck_assert_int_eq(a->tcp_slow_start_after_idle, b->tcp_slow_start_after_idle);
    ck_assert_uint_eq(a->vcpus, b->vcpus);
    ck_assert_int_eq(a->crypto, b->crypto);
    ck_assert_int_eq(a->leaders, b->leaders);
    ck_assert_int_eq(a->three_chain, b->three_chain);
    ck_assert_uint_eq(a->view_timeout, b->view_timeout);
    ck_assert_uint_eq(a->view_sync_timeout, b->view_sync_timeout);
    ck_assert_uint_eq(a->fetch_timeout, b->fetch_timeout);
    ck_assert_int_eq(a->stake_kind, b->stake_kind);
    ck_assert_int_eq(memcmp(&a->costs, &b->costs, sizeof a->costs), 0);
    ck_assert_uint_eq(a->end_time, b->end_time);
    ck_assert_uint_eq(a->views_max, b->views_max);
    ck_assert_uint_eq(a->blocks_max, b->blocks_max);
    ck_assert_uint_eq(a->events_max, b->events_max);
    ck_assert_int_eq(a->test_disable_lock_check, b->test_disable_lock_check);
    ck_assert_int_eq(a->da, b->da);
    ck_assert_uint_eq(a->da_committee, b->da_committee);
    ck_assert_int_eq(a->synthetic, b->synthetic);
    ck_assert_uint_eq(a->block_max, b->block_max);
    ck_assert_uint_eq(a->builder_delay, b->builder_delay);
    ck_assert_uint_eq(a->builder_timeout, b->builder_timeout);
    ck_assert_uint_eq(a->data_request_delay, b->data_request_delay);
    ck_assert_str_eq(a->builder_region, b->builder_region);
    ck_assert_uint_eq(a->rollups, b->rollups);
    ck_assert_uint_eq(a->tx_rate_mhz, b->tx_rate_mhz);
    ck_assert_int_eq(a->tx_size.kind, b->tx_size.kind);
    ck_assert(a->tx_size.scale_a == b->tx_size.scale_a);
    ck_assert_uint_eq(a->rpc_ppm, b->rpc_ppm);
    ck_assert_str_eq(a->rollup_placement, b->rollup_placement);
    ck_assert_int_eq(a->rollup_fetch, b->rollup_fetch);
    ck_assert_uint_eq(a->tx_end, b->tx_end);
    ck_assert_uint_eq(a->gst, b->gst);
    ck_assert_int_eq(a->pre_gst_delay.kind, b->pre_gst_delay.kind);
    ck_assert(a->pre_gst_delay.scale_b == b->pre_gst_delay.scale_b);
    ck_assert_uint_eq(a->gst_delta, b->gst_delta);
}

/* Every key, from `shotglass list keys`, set to the default it documents. */
static char *every_default(void)
{
    char *keys = sim_scenario_describe_keys(FALSE);
    GString *out = g_string_new(NULL);
    char **lines = g_strsplit(keys, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        if (g_str_has_prefix(line, "[fault") || g_str_has_prefix(line, "[expect")) break;
        if (line[0] == '[') {
            g_string_append_printf(out, "%s\n", line);
        } else if (g_str_has_prefix(line, "  ")) {
            char key[64], def[128];
            ck_assert_int_eq(sscanf(line, "  %63s %127s", key, def), 2);
            /* a default with spaces or in parentheses is prose, not a value */
            if (def[0] == '(' || strcmp(key, "placement") == 0 ||
                strcmp(key, "pre_gst_delay") == 0) {
                continue;
            }
            g_string_append_printf(out, "%s = %s\n", key, def);
        }
    }
    g_strfreev(lines);
    g_free(keys);
    return g_string_free(out, FALSE);
}

/* [test] mutant takes exactly protocol/mutant.h's names, each to its own value; any other name
 * is refused naming the group and the key. */
START_TEST(mutant_names_are_the_protocol_names)
{
    for (int i = 0; i < PROTO_MUTANT_COUNT_; i++) {
        ProtoMutant looked = PROTO_MUTANT_COUNT_;
        ck_assert(proto_mutant_lookup(proto_mutant_name((ProtoMutant)i), &looked));
        ck_assert_int_eq(looked, i);
        char *text = g_strdup_printf("[scenario]\nviews = 5\n[test]\nmutant = %s\n",
                                     proto_mutant_name((ProtoMutant)i));
        SimScenario s;
        load(&s, text, NULL);
        ck_assert_int_eq(s.config.mutant, i);
        sim_scenario_clear(&s);
        g_free(text);
    }
    SimScenario s;
    load(&s, "[scenario]\nviews = 5\n", NULL);
    ck_assert_int_eq(s.config.mutant, PROTO_MUTANT_NONE);
    sim_scenario_clear(&s);
    const char *const expected[] = {"[test] mutant", "quorum_half", "got \"quorum-half\"", NULL};
    check_refused("[scenario]\nviews = 5\n[test]\nmutant = quorum-half\n", expected);
}
END_TEST

START_TEST(documented_defaults_are_the_defaults)
{
    SimRunConfig init;
    sim_run_config_init(&init);
    SimScenario empty, spelled;
    load(&empty, "", NULL);
    same_config(&empty.config, &init);
    char *text = every_default();
    ck_assert_ptr_nonnull(strstr(text, "view_timeout = 10s"));
    ck_assert_ptr_nonnull(strstr(text, "merkle_per_level = 75ns"));
    load(&spelled, text, NULL);
    same_config(&spelled.config, &init);
    g_free(text);
    sim_scenario_clear(&empty);
    sim_scenario_clear(&spelled);
    sim_run_config_clear(&init);
}
END_TEST

START_TEST(values_land_where_they_belong)
{
    SimScenario s;
    load(&s,
         "[scenario]\nname = demo\nseed = 42\nduration = 2min\nviews = 0\n"
         "[network]\nplacement = eu-west-1\nuplink = 100Mbit\njitter = lognormal(median=5%, "
         "sigma=0.5)\nloss = 1%\nloss_mode = drop\ngst = 30s\n"
         "[consensus]\nnodes = 7\nstake = 5, 1, 1, 1, 1, 1, 1\ncrypto = real\nleaders = "
         "round-robin\ndecide_rule = three-chain\nview_timeout = 4s\n"
         "[costs]\nverify = 2ms\n"
         "[da]\ncommittee = 4\nblock_max = 2MiB\npayloads = real\n"
         "[workload]\nrollups = 2\ntx_rate = 10/s\ntx_size = uniform(min=100B, max=1KB)\n",
         NULL);
    const SimRunConfig *c = &s.config;
    ck_assert_str_eq(s.name, "demo");
    ck_assert_uint_eq(c->seed, 42);
    ck_assert_uint_eq(c->end_time, 120 * SIM_S);
    ck_assert_uint_eq(c->views_max, 0);
    ck_assert_str_eq(c->placement, "eu-west-1");
    ck_assert_uint_eq(c->uplink_bps, 100000000);
    ck_assert_int_eq(c->jitter.kind, SIM_DIST_LOGNORMAL);
    ck_assert_uint_eq(c->loss_ppm, 10000);
    ck_assert_int_eq(c->loss_mode, SIM_LOSS_DROP);
    ck_assert_uint_eq(c->gst, 30 * SIM_S);
    ck_assert_uint_eq(c->nodes, 7);
    ck_assert_int_eq(c->stake_kind, SIM_STAKE_LIST);
    ck_assert_uint_eq(g_array_index(c->stake_list, uint64_t, 0), 5);
    ck_assert_int_eq(c->crypto, PROTO_CRYPTO_REAL);
    ck_assert_int_eq(c->leaders, PROTO_LEADER_ROUND_ROBIN);
    ck_assert(c->three_chain);
    ck_assert_uint_eq(c->view_timeout, 4 * SIM_S);
    ck_assert_uint_eq(c->costs.verify, 2 * SIM_MS);
    ck_assert(c->da); /* implied by rollups */
    ck_assert_uint_eq(c->da_committee, 4);
    ck_assert_uint_eq(c->block_max, 2u << 20);
    ck_assert(!c->synthetic);
    ck_assert_uint_eq(c->tx_rate_mhz, 10000);
    ck_assert_int_eq(c->tx_size.kind, SIM_DIST_UNIFORM);
    sim_scenario_clear(&s);
}
END_TEST

/* A TCP preset gives every value; keys override them one by one; overrides without a TCP
 * model, or a window smaller than a segment, are refused naming the key. */
START_TEST(tcp_presets_and_overrides)
{
    SimScenario s;
    SimTcpConfig tcp;
    load(&s, "", NULL);
    sim_run_tcp_config(&s.config, &tcp);
    ck_assert(!tcp.enabled); /* ideal by default: the old model */
    ck_assert_uint_eq(s.config.vcpus, 1);
    sim_scenario_clear(&s);
    load(&s, "[network]\ntcp = linux-default\n[hosts]\nvcpus = 2\n", NULL);
    sim_run_tcp_config(&s.config, &tcp);
    ck_assert(tcp.enabled && tcp.slow_start_after_idle);
    ck_assert_uint_eq(tcp.window, 3u << 20);
    ck_assert_uint_eq(s.config.vcpus, 2);
    sim_scenario_clear(&s);
    load(&s,
         "[network]\ntcp = tuned\ntcp_window = 1MiB\ntcp_initial_window = 4\ntcp_mss = "
         "8948B\ntcp_slow_start_after_idle = false\n",
         NULL);
    sim_run_tcp_config(&s.config, &tcp);
    ck_assert_uint_eq(tcp.window, 1u << 20);
    ck_assert_uint_eq(tcp.initial_window, 4);
    ck_assert_uint_eq(tcp.mss, 8948);
    ck_assert(!tcp.slow_start_after_idle);
    sim_scenario_clear(&s);
    check_refused(
        "[network]\ntcp_window = 1MiB\n",
        (const char *const[]){"bad.ini:2: [network] tcp_window: needs a TCP model", NULL});
    check_refused(
        "[network]\ntcp = tuned\ntcp_window = 1000B\n",
        (const char *const[]){"[network] tcp_window: is 1000 bytes, less than one segment", NULL});
    check_refused(
        "[network]\ntcp = reno\n",
        (const char *const[]){"[network] tcp: expected ideal or linux-default or tuned", NULL});
    check_refused("[hosts]\nvcpus = 0\n",
                  (const char *const[]){"bad.ini:2: [hosts] vcpus: expected a whole number", NULL});
}
END_TEST

/* A [da] knob means the DA layer is wanted; `enabled` set either way has the last word. */
START_TEST(a_da_key_turns_the_data_path_on_unless_enabled_says_no)
{
    const struct {
        const char *text;
        const char *const *overrides;
        gboolean da;
    } cases[] = {
        {"[consensus]\nnodes = 30\n", NULL, FALSE},
        {"[consensus]\nnodes = 30\n[da]\ncommittee = 21\n", NULL, TRUE},
        {"[consensus]\nnodes = 30\n", (const char *const[]){"da.block_max=2MB", NULL}, TRUE},
        {"[consensus]\nnodes = 30\n[da]\nenabled = false\ncommittee = 21\n", NULL, FALSE},
        {"[consensus]\nnodes = 30\n[da]\ncommittee = 21\n",
         (const char *const[]){"da.enabled=false", NULL}, FALSE},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimScenario s;
        load(&s, cases[i].text, cases[i].overrides);
        ck_assert_msg(s.config.da == cases[i].da, "case %u", i);
        sim_scenario_clear(&s);
    }
}
END_TEST

/* An unset committee is 10, or every validator when there are fewer; a given one is kept, and
 * one larger than the validators is still refused. */
START_TEST(the_da_committee_defaults_to_ten_or_all_validators)
{
    const struct {
        const char *text;
        uint32_t committee;
    } cases[] = {
        {"[consensus]\nnodes = 4\n[da]\nenabled = true\n", 4},
        {"[consensus]\nnodes = 30\n[da]\nenabled = true\n", 10},
        {"[consensus]\nnodes = 10\n[da]\nenabled = true\n", 10},
        {"[consensus]\nnodes = 4\n[workload]\nrollups = 1\ntx_rate = 5/s\n", 4},
        {"[consensus]\nnodes = 30\n[da]\ncommittee = 21\n", 21},
        {"[consensus]\nnodes = 4\n[da]\ncommittee = 3\n", 3},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimScenario s;
        load(&s, cases[i].text, NULL);
        ck_assert_msg(s.config.da, "case %u", i);
        ck_assert_msg(s.config.da_committee == cases[i].committee, "case %u: %u", i,
                      s.config.da_committee);
        sim_scenario_clear(&s);
    }
    SimScenario s;
    load(&s, "[consensus]\nnodes = 4\n", (const char *const[]){"da.enabled=true", NULL});
    ck_assert_uint_eq(s.config.da_committee, 4); /* --da on the command line */
    sim_scenario_clear(&s);
    check_refused("[consensus]\nnodes = 4\n[da]\ncommittee = 10\n",
                  (const char *const[]){"[da] committee: has 10 members, but there are 4", NULL});
}
END_TEST

/* The warnings of `text`, joined by newlines (g_free); "" when there are none. */
static char *warnings_of(const char *text)
{
    SimScenario s;
    load(&s, text, NULL);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < s.warnings->len; i++)
        g_string_append_printf(out, "%s\n", (const char *)s.warnings->pdata[i]);
    sim_scenario_clear(&s);
    return g_string_free(out, FALSE);
}

static void check_warned(const char *text, const char *expected)
{
    char *got = warnings_of(text);
    if (expected == NULL) {
        ck_assert_msg(*got == '\0', "warned:\n%s\nfor:\n%s", got, text);
    } else {
        ck_assert_msg(strstr(got, expected) != NULL, "\"%s\" not in:\n%s", expected, got);
        ck_assert_msg(strchr(got, '\n') == got + strlen(got) - 1, "more than one:\n%s", got);
    }
    g_free(got);
}

/* Valid settings that leave a whole subsystem idle are warned about, one warning each; a
 * scenario that uses what it turns on has none. */
START_TEST(idle_subsystems_are_warned_about)
{
    check_warned("", NULL);
    check_warned("[workload]\nrollups = 2\ntx_rate = 10/s\n", NULL);
    check_warned("[da]\ncommittee = 5\n[expect]\nda_available = true\n", NULL);
    check_warned("[scenario]\nduration = 60s\nviews = 0\n[fault.x]\nkind = crash\nnodes = "
                 "1\nat = 30s\n",
                 NULL);
    check_warned("[workload]\nrollups = 2\n",
                 "[workload] rollups = 2, but tx_rate is 0/s: no transaction is submitted");
    check_warned("[workload]\nrollups = 2\ntx_rate = 10/s\nuntil = 0s\n",
                 "[workload] until = 0s: users stop before they start");
    check_warned("[da]\nenabled = true\n", "the DA layer is on, but there is no workload");
    check_warned("[da]\ncommittee = 5\n[expect]\ndecided_blocks >= 3\n",
                 "the DA layer is on, but there is no workload");
    check_warned("[scenario]\nduration = 60s\nviews = 0\n[fault.late]\nkind = crash\nnodes = "
                 "1\nat = 60s\n",
                 "[fault.late] starts at 1min, but the run stops at 1min");
    check_warned("[scenario]\nviews = 20\n[fault.late]\nkind = crash\nnodes = 1\nat = view "
                 "21\n",
                 "[fault.late] starts at view 21, but the run stops after view 20");
}
END_TEST

/* A view timeout shorter than the leader's modeled check of a quorum of votes is warned
 * about, counting the fewest votes that pass two thirds of the stake. */
START_TEST(a_timeout_below_the_quorum_check_is_warned_about)
{
    check_warned("[consensus]\nnodes = 10000\n",
                 "at 10000 validators a leader checks at least 6667 votes for a quorum "
                 "certificate, 1.605ms each ([costs] verify + message): 10.7s of modeled CPU, "
                 "not less than [consensus] view_timeout (10s)");
    check_warned("[consensus]\nnodes = 10000\nview_timeout = 30s\n", NULL);
    check_warned("[consensus]\nnodes = 1000\n", NULL);
    check_warned("[consensus]\nnodes = 100\n[costs]\nverify = 150ms\n",
                 "at 100 validators a leader checks at least 67 votes");
    /* One validator holds more than two thirds: its own vote is a quorum. */
    check_warned("[consensus]\nnodes = 4\nstake = 100, 1, 1, 1\n[costs]\nverify = 20s\n",
                 "checks at least 1 vote for a quorum certificate, 20s each");
    check_warned("[consensus]\nnodes = 4\nstake = 100, 1, 1, 1\n[costs]\nverify = 5s\n", NULL);
}
END_TEST

START_TEST(overrides_beat_the_file_and_defaults_fill_gaps)
{
    const char *const overrides[] = {"consensus.nodes=12", "fault.late.at=view 9",
                                     "expect.decided_blocks>=5", NULL};
    const char *const defaults[] = {"consensus.nodes=1000", "scenario.views=1000", NULL};
    SimScenario s;
    GError *error = NULL;
    SimScenarioSettings settings = {defaults, overrides};
    ck_assert(sim_scenario_parse(&s, "x.ini",
                                 "[consensus]\nnodes = 4\n[fault.late]\nkind = crash\nnodes = "
                                 "1\nat = 5s\n",
                                 &settings, &error));
    ck_assert_uint_eq(s.config.nodes, 12);       /* the override beats the file */
    ck_assert_uint_eq(s.config.views_max, 1000); /* the default fills what the file leaves */
    const SimFault *f = s.config.faults->pdata[0];
    ck_assert_int_eq(f->at.kind, SIM_TRIGGER_VIEW);
    ck_assert_uint_eq(f->at.value, 9);
    ck_assert_uint_eq(s.expectations->len, 1);
    const SimExpectation *e = s.expectations->pdata[0];
    ck_assert_int_eq(e->metric, SIM_EXPECT_DECIDED_BLOCKS);
    ck_assert_int_eq(e->op, SIM_EXPECT_AT_LEAST);
    ck_assert_uint_eq(e->value, 5);
    sim_scenario_clear(&s);
    /* An override of an unknown key is refused like the file's own. */
    const char *const bad[] = {"consensus.nodez=3", NULL};
    char *message = refused("", bad);
    ck_assert_ptr_nonnull(
        strstr(message, "bad.ini (command line): [consensus] nodez: unknown key"));
    ck_assert_ptr_nonnull(strstr(message, "did you mean nodes"));
    g_free(message);
}
END_TEST

START_TEST(errors_name_file_line_group_and_key_all_at_once)
{
    check_refused("[consensus]\nnodes = 4\nview_timeout = 3 seconds\n[da]\ncomittee = 3\n",
                  (const char *const[]){"bad.ini:3: [consensus] view_timeout: expected a duration",
                                        "bad.ini:5: [da] comittee: unknown key; did you mean "
                                        "committee?",
                                        NULL});
    check_refused(
        "[consensus]\nnodes = 4\nnodes = 5\n",
        (const char *const[]){"bad.ini:3: [consensus] nodes: set twice (first on line 2)", NULL});
    check_refused("[consensus]\nnodes = 4\n[consensus]\ncrypto = real\n",
                  (const char *const[]){"bad.ini:3: [consensus]: the group appears twice", NULL});
    check_refused(
        "[consensus\nnodes = 4\n",
        (const char *const[]){"bad.ini:1: \"[consensus\" is not a [group] line: no ]", NULL});
    check_refused(
        "nodes = 4\n[consensus]\n",
        (const char *const[]){"bad.ini:1: \"nodes = 4\": a key before any [group]", NULL});
    check_refused("[consenssus]\nnodes = 4\n",
                  (const char *const[]){"bad.ini:1: [consenssus]: unknown group (did you mean "
                                        "[consensus]?)",
                                        NULL});
    check_refused("[scenario]\nviews = 0\n",
                  (const char *const[]){"[scenario]: nothing stops the run", NULL});
    check_refused("[consensus]\nnodes = 4\n[da]\nenabled = true\ncommittee = 5\n",
                  (const char *const[]){"[da] committee: has 5 members, but there are 4", NULL});
}
END_TEST

START_TEST(faults_parse_as_documented)
{
    SimScenario s;
    load(&s,
         "[consensus]\nnodes = 10\n"
         "[fault.split]\nkind = partition\nat = view 20\nviews = 5\ngroups = 0-4 | 5-9\nmode = "
         "hold\n"
         "[fault.dark]\nkind = crash\nnodes = leader, next-leader\nat = tc 3\nduration = 30s\n"
         "[fault.mute]\nkind = filter\nfrom = region(eu-west-1)\ntypes = quorum_vote, "
         "timeout_vote\naction = delay\ndelay = 2s\nuntil = 60s\n"
         "[fault.late]\nkind = skew\nnodes = top-stake(3)\nfactor = 0.5\n"
         "[fault.liar]\nkind = byzantine\nnodes = 9\nbehaviour = equivocate\n",
         NULL);
    ck_assert_uint_eq(s.config.faults->len, 4);
    ck_assert_uint_eq(s.config.byzantine->len, 1);
    const SimFault *split = s.config.faults->pdata[0];
    ck_assert_int_eq(split->kind, SIM_FAULT_PARTITION);
    ck_assert_int_eq(split->at.kind, SIM_TRIGGER_VIEW);
    ck_assert_int_eq(split->end.kind, SIM_TRIGGER_VIEWS);
    ck_assert_uint_eq(split->end.value, 5);
    ck_assert_uint_eq(split->groups->len, 2);
    ck_assert_int_eq(split->mode, SIM_CUT_HOLD);
    const SimFault *dark = s.config.faults->pdata[1];
    ck_assert(!sim_selector_is_static(&dark->nodes));
    ck_assert_int_eq(dark->at.kind, SIM_TRIGGER_TC);
    ck_assert_uint_eq(dark->at.value, 3);
    ck_assert_int_eq(dark->end.kind, SIM_TRIGGER_AFTER);
    const SimFault *mute = s.config.faults->pdata[2];
    ck_assert(mute->delay);
    ck_assert_uint_eq(mute->amount, 2 * SIM_S);
    ck_assert_uint_eq(mute->types, (1u << PROTO_MSG_QUORUM_VOTE) | (1u << PROTO_MSG_TIMEOUT_VOTE));
    const SimFault *late = s.config.faults->pdata[3];
    ck_assert_uint_eq(late->factor_ppm, 500000);
    sim_scenario_clear(&s);
}
END_TEST

START_TEST(fault_contradictions_are_refused)
{
    const char *base = "[consensus]\nnodes = 10\n";
    struct {
        const char *fault;
        const char *expected;
    } cases[] = {
        {"kind = crash\nnodes = 1\nduration = 5s\nviews = 3\n", "give one"},
        {"kind = crash\nnodes = 10\n", "node id 10 is out of range"},
        {"kind = partition\ngroups = 0-5 | 5-9\n", "group 2 (5-9) overlaps an earlier group"},
        {"kind = partition\ngroups = 0-4\n", "at least two groups"},
        {"kind = partition\ngroups = 0-4 | 5-9\nfrom = 1\nto = 2\n", "not both"},
        {"kind = pause\nnodes = 1\n", "a pause needs an end in time"},
        {"kind = slow\nnodes = 1\nfactor = 0.5\n", "at least 1x"},
        {"kind = filter\ntypes = quorum_vot\n", "did you mean quorum_vote?"},
        {"kind = filter\ntypes = proposal\ndelay = 1s\n", "only with action = delay"},
        {"kind = crash\nnodes = 1\nfactor = 2\n", "a crash fault takes no factor"},
        {"kind = byzantine\nnodes = leader\nbehaviour = silent\n", "chosen before the run"},
        {"kind = byzantine\nnodes = 1\nbehaviour = equivocat\n", "did you mean equivocate?"},
        {"kind = crash\nnodes = region(mars-1)\n", "unknown region \"mars-1\""},
        {"kind = crash\nnodes = 1\nat = 10s\nuntil = 5s\n", "ends at or before it starts"},
        {"kind = restart\nnodes = 1\nduration = 5s\n", "a restart fault takes no duration"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text = g_strdup_printf("%s[fault.f]\n%s", base, cases[i].fault);
        check_refused(text, (const char *const[]){"[fault.f]", cases[i].expected, NULL});
        g_free(text);
    }
}
END_TEST

START_TEST(expectations_parse_as_documented)
{
    SimScenario s;
    load(&s,
         "[fault.heal]\nkind = partition\ngroups = 0-4 | 5-9\nuntil = 20s\n"
         "[expect]\nsafety = ok\nda_available = true\ndecided_blocks >= 50\n"
         "failed_views == 0\nlongest_gap = 5s\nfinality_p99.9 <= 2s\nrecovery.heal <= "
         "10s\nviews = 40\n",
         NULL);
    ck_assert_uint_eq(s.expectations->len, 8);
    const SimExpectation *const *e = (const SimExpectation *const *)s.expectations->pdata;
    ck_assert_int_eq(e[0]->safety, ANA_SAFETY_OK);
    ck_assert_int_eq(e[3]->op, SIM_EXPECT_EQUAL);
    ck_assert_int_eq(e[4]->op, SIM_EXPECT_AT_MOST); /* a bound on a time */
    ck_assert_uint_eq(e[4]->value, 5 * SIM_S);
    ck_assert(e[5]->percentile == 99.9);
    ck_assert_str_eq(e[6]->fault, "heal");
    ck_assert_int_eq(e[7]->op, SIM_EXPECT_AT_LEAST); /* a count */
    sim_scenario_clear(&s);
    check_refused(
        "[expect]\ndecided_blok >= 3\n",
        (const char *const[]){"[expect] decided_blok >", "did you mean decided_blocks", NULL});
    check_refused("[expect]\nrecovery.nope <= 3s\n",
                  (const char *const[]){"there is no [fault.nope]", NULL});
    check_refused("[expect]\nsafety >= ok\n", (const char *const[]){"not a comparison", NULL});
    check_refused("[expect]\nlongest_gap <= 3 sec\n",
                  (const char *const[]){"[expect] longest_gap <", "expected a duration", NULL});
}
END_TEST

/* Every key's documented example is a value the key takes (with what it depends on). */
START_TEST(documented_examples_are_valid)
{
    char *doc = sim_scenario_describe_keys(TRUE);
    char **lines = g_strsplit(doc, "\n", -1);
    char group[32] = "";
    guint checked = 0;
    for (int i = 0; lines[i] != NULL; i++) {
        if (sscanf(lines[i], "### [%31[^]]", group) == 1) continue;
        if (!g_str_has_prefix(lines[i], "| `") || strncmp(group, "fault", 5) == 0) continue;
        char **cells = g_strsplit(lines[i], "|", -1);
        char *key = g_strstrip(g_strdelimit(cells[1], "`", ' '));
        char *example = g_strstrip(g_strdelimit(cells[3], "`", ' '));
        char *setting = g_strdup_printf("%s.%s=%s", group, key, example);
        gboolean workload = strcmp(group, "workload") == 0 && strcmp(key, "rollups") != 0;
        const char *list[6];
        int n = 0;
        list[n++] = setting;
        /* The TCP overrides need a TCP model. */
        if (g_str_has_prefix(key, "tcp_")) list[n++] = "network.tcp=linux-default";
        if (strcmp(key, "nodes") != 0) list[n++] = "consensus.nodes=1000";
        if (workload) list[n++] = "workload.rollups=1";
        /* For vid; epochs do not run with the DA layer yet. */
        if (strcmp(key, "payloads") != 0 && strcmp(group, "epochs") != 0) {
            list[n++] = "da.payloads=real";
        }
        list[n] = NULL;
        SimScenarioSettings settings = {NULL, list};
        SimScenario s;
        GError *error = NULL;
        ck_assert_msg(sim_scenario_parse(&s, "example.ini", "", &settings, &error), "%s: %s",
                      setting, error ? error->message : "");
        sim_scenario_clear(&s);
        checked++;
        g_free(setting);
        g_strfreev(cells);
    }
    ck_assert_uint_ge(checked, 45);
    g_strfreev(lines);
    g_free(doc);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("scenario");
    TCase *tc = tcase_create("scenario");
    tcase_add_test(tc, mutant_names_are_the_protocol_names);
    tcase_add_test(tc, documented_defaults_are_the_defaults);
    tcase_add_test(tc, documented_examples_are_valid);
    tcase_add_test(tc, values_land_where_they_belong);
    tcase_add_test(tc, tcp_presets_and_overrides);
    tcase_add_test(tc, a_da_key_turns_the_data_path_on_unless_enabled_says_no);
    tcase_add_test(tc, the_da_committee_defaults_to_ten_or_all_validators);
    tcase_add_test(tc, idle_subsystems_are_warned_about);
    tcase_add_test(tc, a_timeout_below_the_quorum_check_is_warned_about);
    tcase_add_test(tc, overrides_beat_the_file_and_defaults_fill_gaps);
    tcase_add_test(tc, errors_name_file_line_group_and_key_all_at_once);
    tcase_add_test(tc, faults_parse_as_documented);
    tcase_add_test(tc, fault_contradictions_are_refused);
    tcase_add_test(tc, expectations_parse_as_documented);
    suite_add_tcase(suite, tc);
    return suite;
}
