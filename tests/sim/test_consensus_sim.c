/*
 * HotShot on the simulator, end to end: every view decides without faults at 4, 10, 100 and
 * 1,000 nodes; with a leader crashed only the views it leads fail; with two consecutive leaders
 * crashed view sync brings every honest node to one view and decides resume (HotShot #2264,
 * PR #2598); with f nodes crashed decides continue, with f+1 they stop without a safety
 * violation and resume when the nodes come back; real Ed25519 signatures work; and the safety
 * oracle catches a real fork (positive control: a Byzantine leader forking on a stale QC while
 * the lock check is disabled) and stays quiet when the lock check is on; its vote-once check
 * covers DA votes (HotShot #3971) in a slot of their own.
 */
#include "sim/run/catchup.h"
#include "sim/run/run.h"
#include "tests/check_main.h"
#include "tests/sim/sim_test.h"

#include <string.h>

static void config_for(SimRunConfig *c, uint32_t nodes, uint64_t views, uint64_t seed)
{
    sim_run_config_init(c);
    c->nodes = nodes;
    c->views_max = views;
    c->seed = seed;
}

/* Views in [1, max - tail] that failed (honest nodes timed out in them). */
static GArray *failed_views(const SimRun *run, ProtoView tail)
{
    const AnaLiveness *l = sim_run_liveness(run);
    GArray *failed = g_array_new(FALSE, FALSE, sizeof(ProtoView));
    for (ProtoView v = 1; v + tail <= ana_liveness_max_view(l); v++) {
        if (ana_view_outcome_failed(ana_liveness_outcome(l, v, tail)))
            g_array_append_val(failed, v);
    }
    return failed;
}

static gboolean led_by(const SimRun *run, ProtoView view, const SimNodeSet *nodes)
{
    return sim_node_set_contains(nodes, proto_stake_leader(sim_run_stake(run), view));
}

/* Failed views are exactly the views in [1, max - tail] led by `dead`. */
static void check_failures_exactly(const SimRun *run, const SimNodeSet *dead, ProtoView tail)
{
    GArray *failed = failed_views(run, tail);
    guint next = 0;
    for (ProtoView v = 1; v + tail <= ana_liveness_max_view(sim_run_liveness(run)); v++) {
        gboolean should = led_by(run, v, dead);
        gboolean did = next < failed->len && g_array_index(failed, ProtoView, next) == v;
        ck_assert_msg(should == did, "view %lu: led by a crashed node %d, failed %d",
                      (unsigned long)v, should, did);
        if (did) next++;
    }
    g_array_unref(failed);
}

static void happy_path(uint32_t nodes, uint64_t views)
{
    SimRunConfig c;
    config_for(&c, nodes, views, 7);
    SimRun *run = sim_test_run(&c);
    const AnaLiveness *l = sim_run_liveness(run);
    ck_assert_uint_gt(ana_liveness_max_view(l), views);
    for (ProtoView v = 1; v + 3 <= ana_liveness_max_view(l); v++) {
        ck_assert_msg(ana_liveness_outcome(l, v, 3) == ANA_VIEW_DECIDED, "%u nodes: view %lu %s",
                      nodes, (unsigned long)v,
                      ana_view_outcome_name(ana_liveness_outcome(l, v, 3)));
    }
    sim_test_check_safe(run);
    ck_assert_uint_lt(sim_run_node_memory_max(run), 64 * 1024);
    sim_run_free(run);
    sim_run_config_clear(&c);
}

START_TEST(every_view_decides_4_nodes)
{
    happy_path(4, 100);
}
END_TEST

START_TEST(every_view_decides_10_nodes)
{
    happy_path(10, 100);
}
END_TEST

START_TEST(every_view_decides_100_nodes)
{
    happy_path(100, 60);
}
END_TEST

START_TEST(every_view_decides_1000_nodes)
{
    happy_path(1000, 20);
}
END_TEST

START_TEST(a_crashed_leader_fails_only_its_views)
{
    SimRunConfig c;
    config_for(&c, 10, 80, 3);
    SimNodeSet dead;
    sim_node_set_init(&dead, 10);
    sim_node_set_add(&dead, 6);
    sim_run_config_add_fault(&c, SIM_FAULT_CRASH, 0, &dead);
    SimRun *run = sim_test_run(&c);
    check_failures_exactly(run, &dead, 3);
    sim_test_check_safe(run);
    sim_run_free(run);
    sim_node_set_clear(&dead);
    sim_run_config_clear(&c);
}
END_TEST

/* Round robin over 10 nodes with 3 and 4 crashed: every tenth view two dead leaders in a row. */
START_TEST(two_consecutive_dead_leaders_view_sync_recovers)
{
    SimRunConfig c;
    config_for(&c, 10, 60, 5);
    c.leaders = PROTO_LEADER_ROUND_ROBIN;
    SimNodeSet dead;
    sim_node_set_init(&dead, 10);
    sim_node_set_add_range(&dead, 3, 4);
    sim_run_config_add_fault(&c, SIM_FAULT_CRASH, 0, &dead);
    SimRun *run = sim_test_run(&c);
    const AnaLiveness *l = sim_run_liveness(run);
    check_failures_exactly(run, &dead, 3);
    /* After each pair of timeouts view sync moved every honest node (all 8) into one view. */
    uint32_t synced = 0;
    for (ProtoView v = 1; v <= ana_liveness_max_view(l); v++) {
        const AnaViewRecord *r = ana_liveness_view(l, v);
        if (r == NULL || !r->view_sync || v + 3 > ana_liveness_max_view(l)) continue;
        ck_assert_uint_eq(r->entered_count, 8);
        ck_assert_msg(r->decided, "view-sync round %lu was not decided", (unsigned long)v);
        synced++;
    }
    ck_assert_uint_ge(synced, 4);
    sim_test_check_safe(run);
    sim_run_free(run);
    sim_node_set_clear(&dead);
    sim_run_config_clear(&c);
}
END_TEST

START_TEST(f_crashed_decides_continue)
{
    SimRunConfig c;
    config_for(&c, 10, 80, 11);
    SimNodeSet dead;
    sim_node_set_init(&dead, 10);
    sim_node_set_add_range(&dead, 0, 2); /* f = floor(9/3) = 3 */
    sim_run_config_add_fault(&c, SIM_FAULT_CRASH, 0, &dead);
    SimRun *run = sim_test_run(&c);
    check_failures_exactly(run, &dead, 3);
    ck_assert_uint_gt(ana_liveness_blocks(sim_run_liveness(run)), 30);
    sim_test_check_safe(run);
    sim_run_free(run);
    sim_node_set_clear(&dead);
    sim_run_config_clear(&c);
}
END_TEST

START_TEST(f_plus_one_crashed_stalls_safely_then_resumes)
{
    SimRunConfig c;
    config_for(&c, 10, 0, 13);
    c.end_time = 400 * SIM_S;
    SimNodeSet dead;
    sim_node_set_init(&dead, 10);
    sim_node_set_add_range(&dead, 2, 5); /* 4 = f + 1 */
    sim_run_config_add_fault(&c, SIM_FAULT_CRASH, 30 * SIM_S, &dead);
    sim_run_config_add_fault(&c, SIM_FAULT_RESTART, 150 * SIM_S, &dead);
    SimRun *run = sim_test_run(&c);
    ck_assert_uint_gt(sim_test_decides_between(run, 0, 30 * SIM_S), 10);
    /* A block already certified when the nodes crashed may still be decided right after. */
    ck_assert_uint_eq(sim_test_decides_between(run, 35 * SIM_S, 150 * SIM_S), 0);
    ck_assert_uint_gt(sim_test_decides_between(run, 150 * SIM_S, 400 * SIM_S), 10);
    sim_test_check_safe(run);
    sim_run_free(run);
    sim_node_set_clear(&dead);
    sim_run_config_clear(&c);
}
END_TEST

START_TEST(real_crypto_16_nodes_100_views)
{
    SimRunConfig c;
    config_for(&c, 16, 100, 17);
    c.crypto = PROTO_CRYPTO_REAL;
    SimRun *run = sim_test_run(&c);
    const AnaLiveness *l = sim_run_liveness(run);
    for (ProtoView v = 1; v + 3 <= ana_liveness_max_view(l); v++) {
        ck_assert_int_eq(ana_liveness_outcome(l, v, 3), ANA_VIEW_DECIDED);
    }
    ck_assert_uint_ge(ana_liveness_blocks(l), 97);
    sim_test_check_safe(run);
    ck_assert_uint_gt(proto_crypto_stats(sim_run_crypto(run))->verifications, 16 * 90);
    sim_run_free(run);
    sim_run_config_clear(&c);
}
END_TEST

/* A node that leads two consecutive views early in the run of `seed`, or PROTO_NODE_NONE. */
static ProtoNodeId consecutive_leader(uint64_t seed)
{
    SimRunConfig c;
    config_for(&c, 4, 1, seed);
    GError *error = NULL;
    SimRun *probe = sim_run_new(&c, &error);
    ProtoNodeId found = PROTO_NODE_NONE;
    for (ProtoView v = 5; v < 40 && found == PROTO_NODE_NONE; v++) {
        ProtoNodeId a = proto_stake_leader(sim_run_stake(probe), v);
        if (a == proto_stake_leader(sim_run_stake(probe), v + 1) && a != 0) found = a;
    }
    sim_run_free(probe);
    sim_run_config_clear(&c);
    return found;
}

static SimRun *fork_run(uint64_t seed, ProtoNodeId attacker, gboolean lock_check)
{
    SimRunConfig c;
    config_for(&c, 4, 60, seed);
    c.test_disable_lock_check = !lock_check;
    SimNodeSet byzantine;
    sim_node_set_init(&byzantine, 4);
    sim_node_set_add(&byzantine, attacker);
    sim_run_config_add_byzantine(&c, PROTO_BYZANTINE_FORK, &byzantine);
    SimRun *run = sim_test_run(&c);
    sim_node_set_clear(&byzantine);
    sim_run_config_clear(&c);
    return run;
}

START_TEST(safety_oracle_catches_a_fork_without_the_lock_check)
{
    uint64_t seed = 1;
    ProtoNodeId attacker = PROTO_NODE_NONE;
    while (attacker == PROTO_NODE_NONE)
        attacker = consecutive_leader(++seed);
    SimRun *broken = fork_run(seed, attacker, FALSE);
    const AnaSafety *s = sim_run_safety(broken);
    ck_assert_msg(ana_safety_violated(s), "the fork went unnoticed (seed %lu)",
                  (unsigned long)seed);
    ck_assert_ptr_nonnull(strstr(ana_safety_violation(s), "decided different leaves at height"));
    ck_assert_str_eq(sim_run_stop_description(broken), "safety violation");
    /* The run stops at the event that produced the violation; the oracle dates the decide when
     * that event's work completed, a few milliseconds of virtual CPU later. */
    SimTime stopped = sim_engine_now(sim_run_engine(broken));
    ck_assert_uint_ge(ana_safety_violation_time(s), stopped);
    ck_assert_uint_lt(ana_safety_violation_time(s) - stopped, SIM_S);
    sim_run_free(broken);
    /* Same attack, same seed, lock check on: honest nodes refuse the fork. */
    SimRun *held = fork_run(seed, attacker, TRUE);
    sim_test_check_safe(held);
    ck_assert_uint_gt(ana_liveness_blocks(sim_run_liveness(held)), 30);
    sim_run_free(held);
}
END_TEST

/* Hands the oracle a DA vote of `node` for `view` on the payload `tag` fills with, after the
 * note that the node stored it when `stored` (as an honest DA member does). */
static void send_da_vote_stored(AnaSafety *s, ProtoNodeId node, ProtoView view, uint8_t tag,
                                gboolean stored)
{
    ProtoMsg msg = {.type = PROTO_MSG_DA_VOTE, .sender = node};
    msg.vote.view = view;
    msg.vote.signer = node;
    msg.vote.signature.scheme = PROTO_SIG_MODELED; /* well formed; the oracle checks no tags */
    msg.vote.signature.len = 32;
    memset(msg.vote.data.bytes, tag, PROTO_COMMIT_BYTES);
    if (stored) ana_safety_on_stored(s, node, view, &msg.vote.data);
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    ana_safety_on_send(s, node, PROTO_MSG_DA_VOTE, bytes, view * SIM_S);
    g_bytes_unref(bytes);
}

static void send_da_vote(AnaSafety *s, ProtoNodeId node, ProtoView view, uint8_t tag)
{
    send_da_vote_stored(s, node, view, tag, TRUE);
}

/* A committee of four equal stakes, its crypto and shared state, for the certificate check. */
typedef struct CertWorld {
    ProtoCrypto *crypto;
    ProtoStakeTable *stake;
    ProtoShared *shared;
} CertWorld;

static void cert_world_init(CertWorld *w)
{
    uint8_t seeds[4][32], keys[4][32], beacon[32] = {7};
    uint64_t stakes[4] = {1, 1, 1, 1};
    for (uint32_t i = 0; i < 4; i++)
        memset(seeds[i], (int)(i + 1), 32);
    ProtoCostTable costs;
    proto_cost_table_default(&costs);
    w->crypto = proto_crypto_new(PROTO_CRYPTO_MODELED, 4, (const uint8_t(*)[32])seeds, &costs);
    for (uint32_t i = 0; i < 4; i++)
        memcpy(keys[i], proto_crypto_public_key(w->crypto, i), 32);
    w->stake = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, 4,
                                     PROTO_LEADER_ROUND_ROBIN, beacon);
    w->shared = proto_shared_new(w->crypto, w->stake);
}

static void cert_world_clear(CertWorld *w)
{
    proto_shared_free(w->shared);
    proto_stake_table_free(w->stake);
    proto_crypto_free(w->crypto);
}

/* A QC for view 3 signed by the first `signers` nodes; its aggregate corrupted if `forge`. */
static ProtoCert *qc_of(const CertWorld *w, uint32_t signers, gboolean forge)
{
    ProtoCommit leaf, message;
    memset(leaf.bytes, 0x33, PROTO_COMMIT_BYTES);
    proto_vote_commit(PROTO_CERT_QC, 3, 0, &leaf, &message);
    ProtoAggregate aggregate;
    proto_aggregate_init(&aggregate, w->crypto, PROTO_CERT_QC, 3, 0, &leaf);
    for (ProtoNodeId id = 0; id < signers; id++) {
        ProtoSignature signature;
        ProtoDuration cpu = 0;
        proto_crypto_sign(proto_crypto_signer(w->crypto, id), &message, &signature, &cpu);
        proto_aggregate_add(&aggregate, id, &signature);
    }
    if (forge) aggregate.tag[0] ^= 0xff;
    ProtoCert *qc = proto_aggregate_finish(&aggregate, w->crypto);
    proto_aggregate_clear(&aggregate);
    return qc;
}

/* Hands the oracle a high-QC message that `node` accepted. */
static void accept_high_qc(AnaSafety *s, ProtoNodeId node, ProtoCert *qc)
{
    ProtoMsg msg = {.type = PROTO_MSG_HIGH_QC, .sender = (node + 1) % 4, .cert = qc};
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    ana_safety_on_accept(s, node, bytes, 0);
    g_bytes_unref(bytes);
    proto_cert_unref(qc);
}

/* The certificate check: valid signatures from floor(2S/3) + 1 = 3 of 4, checked by the oracle
 * itself; a Byzantine node's acceptances are not judged. */
START_TEST(certificate_check_counts_stake_and_signatures)
{
    CertWorld w;
    cert_world_init(&w);
    AnaSafety *s = ana_safety_new(4);
    ana_safety_set_certificates(s, w.crypto, w.shared);
    accept_high_qc(s, 0, qc_of(&w, 3, FALSE));
    accept_high_qc(s, 1, proto_cert_ref(w.shared->genesis_qc));
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    ana_safety_set_byzantine(s, 2, TRUE);
    accept_high_qc(s, 2, qc_of(&w, 1, FALSE));
    ck_assert(!ana_safety_violated(s));
    accept_high_qc(s, 3, qc_of(&w, 2, FALSE));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_CERTIFICATE);
    ck_assert_str_eq(ana_safety_violation(s), "node 3 accepted a QC for view 3 whose 2 signers "
                                              "hold 2 of 4 stake, below its threshold of 3");
    ana_safety_free(s);
    s = ana_safety_new(4);
    ana_safety_set_certificates(s, w.crypto, w.shared);
    accept_high_qc(s, 1, qc_of(&w, 4, TRUE));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_CERTIFICATE);
    ck_assert(strstr(ana_safety_violation(s), "whose signatures do not verify") != NULL);
    ana_safety_free(s);
    cert_world_clear(&w);
}
END_TEST

/* The custody check: a DA vote must follow the storing of that very payload. */
START_TEST(custody_needs_the_payload_stored)
{
    AnaSafety *s = ana_safety_new(4);
    send_da_vote(s, 1, 5, 0xaa);
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    ana_safety_set_byzantine(s, 2, TRUE);
    send_da_vote_stored(s, 2, 5, 0xaa, FALSE); /* Byzantine: not judged */
    ck_assert(!ana_safety_violated(s));
    ProtoCommit other;
    memset(other.bytes, 0xbb, PROTO_COMMIT_BYTES);
    ana_safety_on_stored(s, 3, 6, &other); /* stored another payload than it votes for */
    send_da_vote_stored(s, 3, 6, 0xcc, FALSE);
    ck_assert(ana_safety_violated(s));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_CUSTODY);
    ck_assert_str_eq(ana_safety_violation(s),
                     "node 3 sent a da_vote for view 6 without storing that payload first");
    ana_safety_free(s);
    s = ana_safety_new(2);
    send_da_vote(s, 0, 4, 0x10);
    send_da_vote_stored(s, 0, 5, 0x11, FALSE); /* stored view 4's, votes for view 5's */
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_CUSTODY);
    ana_safety_free(s);
}
END_TEST

START_TEST(vote_once_covers_da_votes)
{
    AnaSafety *s = ana_safety_new(4);
    send_da_vote(s, 1, 5, 0xaa);
    send_da_vote(s, 1, 5, 0xaa); /* the same vote again: a resend, not a second vote */
    send_da_vote(s, 1, 6, 0xbb);
    send_da_vote(s, 2, 6, 0xcc); /* another node: its own record */
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    send_da_vote(s, 3, 7, 0x01);
    ana_safety_set_byzantine(s, 3, TRUE);
    send_da_vote(s, 3, 7, 0x02); /* Byzantine: not judged */
    ck_assert(!ana_safety_violated(s));
    send_da_vote(s, 1, 6, 0xdd); /* a second payload for view 6 */
    ck_assert(ana_safety_violated(s));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_VOTE_ONCE);
    ck_assert_str_eq(ana_safety_violation(s),
                     "node 1 sent a second da_vote for view 6, for another payload");
    ana_safety_free(s);
    s = ana_safety_new(2);
    send_da_vote(s, 0, 9, 0x10);
    send_da_vote(s, 0, 8, 0x11);      /* out of order: DA votes need not follow the views */
    send_da_vote(s, 0, 9 + 64, 0x12); /* takes view 9's slot in the ring */
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    send_da_vote(s, 0, 8, 0x13); /* a second payload for view 8 */
    ck_assert(ana_safety_violated(s));
    ana_safety_free(s);
}
END_TEST

/* Epochs of 20 blocks over 10 validators: 8 and 9 join, 0 leaves, 3 gains stake. The honest run
 * crosses every boundary safely; with the mutant last_qc_without_next the safety oracle catches
 * the first single QC on a last block (epoch 3's table is not epoch 2's). */
static SimRun *epochs_run(SimRunConfig *config, ProtoMutant mutant)
{
    SimRunConfig c;
    config_for(&c, 10, 200, 1);
    const uint64_t stakes[10] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    c.stake_kind = SIM_STAKE_LIST;
    c.stake_list = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_array_append_vals(c.stake_list, stakes, 10);
    c.epoch_length = 20;
    const ProtoStakeChange changes[] = {
        {.height = 10, .kind = PROTO_STAKE_REGISTER, .node = 8, .amount = 2},
        {.height = 30, .kind = PROTO_STAKE_REGISTER, .node = 9, .amount = 2},
        {.height = 30, .kind = PROTO_STAKE_DEREGISTER, .node = 0},
        {.height = 50, .kind = PROTO_STAKE_DELEGATE, .node = 3, .amount = 3},
    };
    c.stake_changes = g_array_new(FALSE, FALSE, sizeof(ProtoStakeChange));
    g_array_append_vals(c.stake_changes, changes, G_N_ELEMENTS(changes));
    c.mutant = mutant;
    *config = c; /* the caller clears it after freeing the run */
    return sim_test_run(config);
}

START_TEST(epochs_cross_boundaries_safely_and_the_mutant_is_caught)
{
    SimRunConfig c;
    SimRun *run = epochs_run(&c, PROTO_MUTANT_NONE);
    sim_test_check_safe(run);
    ck_assert_uint_gt(ana_safety_height(sim_run_safety(run)), 9 * 20); /* nine transitions */
    /* Two joiners (8 from epoch 3, 9 from epoch 4) each ask once and are answered with two
     * tables (8 + 9 and 9 + 9 validators with stake) and a leaf (sim/run/catchup.h). */
    const SimCatchupStats *catchup = sim_catchup_stats(sim_run_catchup(run));
    ck_assert_uint_eq(catchup->requests, 2);
    ck_assert_uint_eq(catchup->responses, 2);
    ck_assert_uint_gt(catchup->response_bytes, (17 + 18) * CATCHUP_ENTRY_BYTES);
    ck_assert_uint_lt(catchup->response_bytes, (17 + 18) * CATCHUP_ENTRY_BYTES + 2 * 4096);
    sim_run_free(run);
    sim_run_config_clear(&c);
    run = epochs_run(&c, PROTO_MUTANT_LAST_QC_WITHOUT_NEXT);
    const AnaSafety *s = sim_run_safety(run);
    ck_assert(ana_safety_violated(s));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_CERTIFICATE);
    ck_assert_ptr_nonnull(strstr(ana_safety_violation(s), "a transition block"));
    ck_assert_uint_lt(ana_safety_height(s), 41);
    sim_run_free(run);
    sim_run_config_clear(&c);
}
END_TEST

/* A leaf at `height` with commitment `tag` and parent `parent_tag` (the oracle reads no more). */
static ProtoLeaf fake_leaf(uint64_t height, uint8_t tag, uint8_t parent_tag)
{
    ProtoLeaf leaf = {.view = height};
    leaf.header.height = height;
    memset(leaf.commit.bytes, tag, PROTO_COMMIT_BYTES);
    memset(leaf.parent.bytes, parent_tag, PROTO_COMMIT_BYTES);
    return leaf;
}

static void decide_fake(AnaSafety *s, uint32_t node, uint64_t height, uint8_t tag, uint8_t parent)
{
    ProtoLeaf leaf = fake_leaf(height, tag, parent);
    ProtoLeaf *leaves[] = {&leaf};
    ana_safety_on_decide(s, node, leaves, 1, height * SIM_S);
}

/* A case swarm exploration reaches (windowed Byzantine behaviours): a node honest again after a
 * Byzantine window decides a height above every other honest node's; the oracle used to read
 * its table of decided heights past the end. The heights in
 * between are unknown until someone decides them, and are then checked both ways. */
START_TEST(safety_oracle_rejoined_node_ahead_of_the_others)
{
    AnaSafety *s = ana_safety_new(4);
    decide_fake(s, 1, 1, 0x01, 0x00);
    decide_fake(s, 1, 2, 0x02, 0x01);
    ana_safety_set_byzantine(s, 3, TRUE);
    ana_safety_set_byzantine(s, 3, FALSE);
    decide_fake(s, 3, 6, 0x06, 0x05); /* four heights above node 1 */
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    ck_assert_uint_eq(ana_safety_height(s), 6);
    for (uint8_t h = 3; h <= 6; h++)
        decide_fake(s, 1, h, h, (uint8_t)(h - 1));
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    ana_safety_free(s);

    s = ana_safety_new(4); /* a leaf filled in below that is not the known leaf's parent */
    ana_safety_set_byzantine(s, 3, TRUE);
    ana_safety_set_byzantine(s, 3, FALSE);
    decide_fake(s, 3, 3, 0x03, 0x02);
    decide_fake(s, 0, 1, 0x01, 0x00);
    decide_fake(s, 0, 2, 0x22, 0x01);
    ck_assert(ana_safety_violated(s));
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_PREFIX);
    ana_safety_free(s);

    s = ana_safety_new(4); /* a different leaf at the height the rejoined node decided */
    ana_safety_set_byzantine(s, 2, TRUE);
    ana_safety_set_byzantine(s, 2, FALSE);
    decide_fake(s, 2, 2, 0x02, 0x01);
    decide_fake(s, 0, 1, 0x01, 0x00);
    decide_fake(s, 0, 2, 0x12, 0x01);
    ck_assert_int_eq(ana_safety_violation_kind(s), ANA_SAFETY_AGREEMENT);
    ana_safety_free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("consensus on the simulator");
    TCase *tc = tcase_create("runs");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_view_decides_4_nodes);
    tcase_add_test(tc, every_view_decides_10_nodes);
    tcase_add_test(tc, every_view_decides_100_nodes);
    tcase_add_test(tc, every_view_decides_1000_nodes);
    tcase_add_test(tc, a_crashed_leader_fails_only_its_views);
    tcase_add_test(tc, two_consecutive_dead_leaders_view_sync_recovers);
    tcase_add_test(tc, f_crashed_decides_continue);
    tcase_add_test(tc, f_plus_one_crashed_stalls_safely_then_resumes);
    tcase_add_test(tc, real_crypto_16_nodes_100_views);
    tcase_add_test(tc, safety_oracle_catches_a_fork_without_the_lock_check);
    tcase_add_test(tc, custody_needs_the_payload_stored);
    tcase_add_test(tc, certificate_check_counts_stake_and_signatures);
    tcase_add_test(tc, vote_once_covers_da_votes);
    tcase_add_test(tc, safety_oracle_rejoined_node_ahead_of_the_others);
    tcase_add_test(tc, epochs_cross_boundaries_safely_and_the_mutant_is_caught);
    suite_add_tcase(suite, tc);
    return suite;
}
