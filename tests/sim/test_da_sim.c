/*
 * The data-availability layer on the simulator, end to end.
 *
 * Load: 100 validators, a DA committee of 21, 1 MiB blocks and 8 rollups whose users submit
 * about 1.1 times what the chain can carry for 20 s and then stop. Every view proposed during the
 * load decides a non-empty block, full once the backlog has built up; once the users stop, the
 * backlog drains and every submitted transaction is decided and read back by its rollup; the DA
 * oracle holds for every decided block; and the leader sends each block once to each DA member plus
 * W/k times over in VID shares (32 wire bytes per 31 payload bytes, as BN254 field elements),
 * a little framing on top.
 *
 * Outage: with too few DA members up for a DA certificate, no replica votes and nothing is
 * decided: each view times out for want of a DA certificate; decides resume when the members
 * come back, and the chain stays safe.
 *
 * Real payloads: with real bytes and real erasure coding, every rollup rebuilds its namespace
 * from VID shares and verifies every transaction.
 *
 * vCPUs and VID: with ADVZ (fork-join commitment and dispersal) full 5 MB blocks reach the same
 * view sooner on 8-vCPU validators than on 2-vCPU ones; with AVID-M (one job on one vCPU) the
 * vCPU count hardly matters.
 */
#include "sim/run/run.h"
#include "tests/check_main.h"
#include "tests/sim/sim_test.h"

#include <string.h>

static void set_tx_size(SimRunConfig *c, const char *text)
{
    GError *error = NULL;
    ck_assert_msg(sim_dist_parse(text, SIM_QUANTITY_SIZE, FALSE, &c->tx_size, &error), "%s",
                  error ? error->message : "");
}

/* Block sizes by view, from the leaders' BLOCK_READY notes. */
typedef struct Blocks {
    GArray *size; /* int64_t by view; -1: no block */
} Blocks;

static void observe_blocks(void *user_data, uint32_t node, const ProtoAction *action, SimTime now)
{
    (void)node, (void)now;
    Blocks *b = user_data;
    if (action->kind != PROTO_ACTION_NOTE || action->note != PROTO_NOTE_BLOCK_READY) return;
    if (action->view >= b->size->len) {
        guint old = b->size->len;
        g_array_set_size(b->size, (guint)action->view + 1);
        for (guint i = old; i < b->size->len; i++)
            g_array_index(b->size, int64_t, i) = -1;
    }
    g_array_index(b->size, int64_t, action->view) = action->value;
}

START_TEST(overload_fills_every_block_then_drains)
{
    SimRunConfig c;
    sim_run_config_init(&c);
    c.nodes = 100;
    c.views_max = 75;
    c.seed = 3;
    c.da = TRUE;
    c.da_committee = 21;
    c.block_max = 1 << 20;
    c.rollups = 8;
    /* The chain carries about 6,500 transactions of this size per second here (measured with
     * `shotglass run`); 8 x 900/s is 1.1 times that. */
    c.tx_rate_mhz = 900 * 1000;
    set_tx_size(&c, "lognormal(mean=300B, sigma=0.5)");
    c.tx_end = 20 * SIM_S;
    Blocks blocks = {g_array_new(FALSE, FALSE, sizeof(int64_t))};
    c.observer = observe_blocks;
    c.observer_data = &blocks;
    SimRun *run = sim_test_run(&c);
    sim_test_check_safe(run);

    const AnaLiveness *l = sim_run_liveness(run);
    const AnaData *d = sim_run_data(run);
    uint32_t loaded = 0;
    for (ProtoView v = 1; v + 3 <= ana_liveness_max_view(l); v++) {
        const AnaViewRecord *r = ana_liveness_view(l, v);
        ck_assert_msg(r->decided, "view %lu not decided", (unsigned long)v);
        /* Under load every block has transactions (the first leader asks its builder before
         * any arrive), and after the first two seconds' ramp-up every block is full. */
        if (v == 1 || r->proposed_at >= c.tx_end) continue;
        ck_assert_uint_lt(v, blocks.size->len);
        int64_t size = g_array_index(blocks.size, int64_t, v);
        ck_assert_msg(size > 0, "view %lu: an empty block under load", (unsigned long)v);
        if (r->proposed_at < 2 * SIM_S) continue;
        ck_assert_msg(size >= (int64_t)(0.95 * (1 << 20)), "view %lu: a block of %ld bytes",
                      (unsigned long)v, (long)size);
        loaded++;
    }
    ck_assert_uint_ge(loaded, 25);
    /* Drained: every submitted transaction decided and verified by its rollup. */
    ck_assert_uint_gt(ana_data_submitted(d), 130000);
    ck_assert_uint_eq(ana_data_undecided(d), 0);
    ck_assert_uint_eq(ana_data_unavailable(d), 0);
    ck_assert_uint_eq(ana_data_available_txs(d), ana_data_submitted(d));
    ck_assert_uint_ge(ana_data_blocks_checked(d), 70);

    /* Leader egress per block byte. DA: one copy per member, plus message framing. VID: the
     * W units of every namespace, each 1/k of it in 32-byte elements per 31 bytes, rounded up
     * to whole elements and sent with its Merkle path (depth x 32 bytes), in messages whose
     * headers (commitment, signature, namespace table and roots) take well under 1 KiB. */
    const ProtoVidParams *vid = sim_run_shared(run)->vid;
    const AnaDispersal *disp = ana_data_dispersal(d);
    double payload = (double)disp->payload;
    double da_factor = (double)disp->da_bytes / payload;
    double vid_factor = (double)disp->vid_bytes / payload;
    double units = (double)vid->total_weight / vid->threshold * 32.0 / 31.0;
    double block = payload / (double)ana_data_nonempty_blocks(d);
    double per_unit = (double)vid->total_weight * c.rollups * (vid->depth + 1) * 32.0 / block;
    double headers =
        (double)ana_data_role_messages(d, ANA_ROLE_LEADER, PROTO_MSG_VID_SHARE) * 1024.0 / payload;
    ck_assert_msg(da_factor >= 21.0 && da_factor <= 21.02, "DA copies: %.4fx the block", da_factor);
    ck_assert_msg(vid_factor >= units && vid_factor <= units + per_unit + headers,
                  "VID shares: %.4fx the block, expected %.4f to %.4f", vid_factor, units,
                  units + per_unit + headers);
    g_array_unref(blocks.size);
    sim_run_free(run);
    sim_run_config_clear(&c);
}
END_TEST

/* Virtual time for 12 views of full 5 MB blocks on `vcpus`-vCPU validators under `scheme`. */
static SimTime time_for_views(int scheme, uint32_t vcpus)
{
    SimRunConfig c;
    sim_run_config_init(&c);
    c.nodes = 10;
    c.views_max = 12;
    c.da = TRUE;
    c.da_committee = 4;
    c.block_max = 5000000;
    c.vid_scheme = scheme;
    c.vcpus = vcpus;
    c.builder_vcpus = 8;
    c.builder_timeout = 60 * SIM_S;
    c.view_timeout = 120 * SIM_S;
    c.rollups = 4;
    c.tx_rate_mhz = 400 * 1000; /* 4 x 400/s of 10 KB: more than the chain carries */
    set_tx_size(&c, "10KB");
    SimRun *run = sim_test_run(&c);
    sim_test_check_safe(run);
    ck_assert_uint_gt(ana_data_nonempty_blocks(sim_run_data(run)), 8);
    SimTime end = sim_engine_now(sim_run_engine(run));
    sim_run_free(run);
    sim_run_config_clear(&c);
    return end;
}

START_TEST(advz_runs_faster_on_more_vcpus)
{
    SimTime advz2 = time_for_views(PROTO_VID_SCHEME_ADVZ, 2);
    SimTime advz8 = time_for_views(PROTO_VID_SCHEME_ADVZ, 8);
    SimTime avidm2 = time_for_views(PROTO_VID_SCHEME_AVIDM, 2);
    SimTime avidm8 = time_for_views(PROTO_VID_SCHEME_AVIDM, 8);
    ck_assert_msg((double)advz8 < 0.8 * (double)advz2, "ADVZ: %.3f s on 8 vCPUs, %.3f s on 2",
                  (double)advz8 / SIM_S, (double)advz2 / SIM_S);
    ck_assert_msg((double)avidm8 > 0.95 * (double)avidm2, "AVID-M: %.3f s on 8, %.3f s on 2",
                  (double)avidm8 / SIM_S, (double)avidm2 / SIM_S);
    ck_assert_uint_gt(advz2, avidm2); /* ADVZ's KZG work costs more than AVID-M's flat rate */
}
END_TEST

START_TEST(da_committee_below_threshold_stops_decides)
{
    SimRunConfig c;
    sim_run_config_init(&c);
    c.nodes = 10;
    c.views_max = 0;
    c.end_time = 80 * SIM_S;
    c.seed = 5;
    c.da = TRUE;
    c.da_committee = 4; /* a DA certificate needs 3 of them */
    c.rollups = 2;
    c.tx_rate_mhz = 50 * 1000;
    SimNodeSet members;
    sim_node_set_init(&members, 10);
    sim_node_set_add_range(&members, 0, 1);
    sim_run_config_add_fault(&c, SIM_FAULT_CRASH, 5 * SIM_S, &members);
    sim_run_config_add_fault(&c, SIM_FAULT_RESTART, 40 * SIM_S, &members);
    SimRun *run = sim_test_run(&c);
    sim_test_check_safe(run);
    /* Eight of ten validators are up, enough for QCs: what stops is the DA certificate. */
    ck_assert_uint_gt(sim_test_decides_between(run, 0, 5 * SIM_S), 5);
    ck_assert_uint_eq(sim_test_decides_between(run, 7 * SIM_S, 40 * SIM_S), 0);
    ck_assert_uint_gt(sim_test_decides_between(run, 40 * SIM_S, 80 * SIM_S), 5);
    ck_assert_uint_gt(ana_data_nonempty_blocks(sim_run_data(run)), 10);
    /* The views of the outage failed for want of a DA certificate (or of their leader, when
     * it was one of the crashed members), one view timeout each. */
    const AnaLiveness *l = sim_run_liveness(run);
    uint32_t no_dac = 0;
    for (ProtoView v = 1; v + 3 <= ana_liveness_max_view(l); v++) {
        AnaViewOutcome o = ana_liveness_outcome(l, v, 3);
        if (!ana_view_outcome_failed(o)) continue;
        ck_assert_msg(o == ANA_VIEW_FAILED_NO_DAC || o == ANA_VIEW_FAILED_NO_PROPOSAL,
                      "view %lu: %s", (unsigned long)v, ana_view_outcome_name(o));
        no_dac += o == ANA_VIEW_FAILED_NO_DAC;
    }
    ck_assert_uint_ge(no_dac, 2);
    sim_run_free(run);
    sim_node_set_clear(&members);
    sim_run_config_clear(&c);
}
END_TEST

START_TEST(real_payloads_rebuilt_from_shares)
{
    SimRunConfig c;
    sim_run_config_init(&c);
    c.nodes = 16;
    c.views_max = 60;
    c.seed = 11;
    c.crypto = PROTO_CRYPTO_REAL;
    c.da = TRUE;
    c.synthetic = FALSE;
    c.da_committee = 5;
    c.block_max = 200 * 1000;
    c.rollups = 2;
    c.tx_rate_mhz = 100 * 1000;
    c.tx_end = 15 * SIM_S;
    c.rollup_fetch = PROTO_ROLLUP_FROM_VID;
    SimRun *run = sim_test_run(&c);
    sim_test_check_safe(run);
    const AnaData *d = sim_run_data(run);
    ck_assert_uint_gt(ana_data_submitted(d), 2000);
    ck_assert_uint_eq(ana_data_undecided(d), 0);
    ck_assert_uint_eq(ana_data_available_txs(d), ana_data_submitted(d));
    ck_assert_uint_gt(ana_data_nonempty_blocks(d), 20);
    sim_run_free(run);
    sim_run_config_clear(&c);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("da_sim");
    TCase *tc = tcase_create("da_sim");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, overload_fills_every_block_then_drains);
    tcase_add_test(tc, da_committee_below_threshold_stops_decides);
    tcase_add_test(tc, real_payloads_rebuilt_from_shares);
    tcase_add_test(tc, advz_runs_faster_on_more_vcpus);
    suite_add_tcase(suite, tc);
    return suite;
}
