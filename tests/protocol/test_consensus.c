/*
 * Consensus without the simulator: on 4 nodes, the block of view v is decided exactly when the
 * proposal of v+2 is validated (v+3 with the three-chain switch), every node decides the same
 * chain, a node never votes twice in a view, a proposal that neither extends the lock nor
 * carries a newer QC gets no vote, and after a TC the leader proposes on the highest high QC it
 * received. Time moves only by hand; the RNG is fixed.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include "protocol/node_state-internal.h"

#include <string.h>

static Harness *four_nodes(gboolean three_chain)
{
    HarnessOptions o = {.nodes = 4,
                        .crypto = PROTO_CRYPTO_MODELED,
                        .leaders = PROTO_LEADER_ROUND_ROBIN,
                        .three_chain = three_chain};
    return harness_new(&o);
}

/* Every decide is triggered by validating the proposal `lag` views later, every node decides
 * heights 1, 2, 3... in order, and all nodes agree on each height's leaf. */
static void check_decides(Harness *h, ProtoView lag)
{
    ck_assert_uint_gt(h->decisions->len, 4 * 20);
    GArray *first = harness_decisions_of(h, 0);
    for (uint32_t node = 0; node < h->n; node++) {
        GArray *mine = harness_decisions_of(h, node);
        ck_assert_uint_gt(mine->len, 20);
        for (guint i = 0; i < mine->len; i++) {
            Decision *d = &g_array_index(mine, Decision, i);
            ck_assert_uint_eq(d->height, i + 1);
            ck_assert_int_eq(d->trigger_type, PROTO_MSG_PROPOSAL);
            ck_assert_uint_eq(d->trigger_view, d->leaf_view + lag);
            if (i < first->len) {
                ck_assert(
                    proto_commit_equal(&d->commit, &g_array_index(first, Decision, i).commit));
            }
        }
        g_array_unref(mine);
    }
    g_array_unref(first);
}

START_TEST(two_chain_decides_at_v_plus_2)
{
    Harness *h = four_nodes(FALSE);
    harness_start(h);
    harness_run(h, 4000);
    check_decides(h, 2);
    /* Happy path: every view decides; no timeouts, no view sync. */
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_REJECTED, 0), 0);
    harness_free(h);
}
END_TEST

START_TEST(three_chain_decides_at_v_plus_3)
{
    Harness *h = four_nodes(TRUE);
    harness_start(h);
    harness_run(h, 4000);
    check_decides(h, 3);
    harness_free(h);
}
END_TEST

/* Captures the first proposal of `view` that passes through the harness. */
typedef struct Capture {
    ProtoView view;
    GBytes *bytes;
    ProtoMsgType type;
    gboolean drop;
} Capture;

static gboolean capture_filter(Harness *h, const Envelope *e, void *user_data)
{
    (void)h;
    Capture *c = user_data;
    if (e->type != c->type) return FALSE;
    ProtoDecodeContext ctx = {.node_count = 4, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    gboolean match = proto_msg_decode(data, len, &ctx, &msg) == PROTO_OK &&
                     msg.type == PROTO_MSG_PROPOSAL && msg.proposal.view == c->view;
    proto_msg_clear(&msg);
    if (match && c->bytes == NULL) c->bytes = g_bytes_ref(e->bytes);
    return match && c->drop;
}

/* Re-signs `original` (a proposal by `leader`) with a different timestamp: an equivocation. */
static GBytes *equivocate(Harness *h, GBytes *original, ProtoNodeId leader)
{
    ProtoDecodeContext ctx = {.node_count = h->n, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(original, &len);
    ck_assert_int_eq(proto_msg_decode(data, len, &ctx, &msg), PROTO_OK);
    msg.proposal.header.timestamp += 12345;
    ProtoCommit commit;
    proto_leaf_commit(msg.proposal.view, &msg.proposal.parent, &msg.proposal.header,
                      msg.proposal.justify_qc, &commit);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, leader), &commit, &msg.proposal.signature,
                      &cpu);
    GBytes *out = proto_msg_encode(&msg, NULL);
    proto_msg_clear(&msg);
    return out;
}

START_TEST(a_node_never_votes_twice_in_a_view)
{
    Harness *h = four_nodes(FALSE);
    Capture c = {.view = 5, .type = PROTO_MSG_PROPOSAL};
    h->filter = capture_filter;
    h->filter_data = &c;
    harness_start(h);
    harness_run(h, 400);
    ck_assert_ptr_nonnull(c.bytes);
    ProtoNodeId leader = harness_leader(h, 5);
    ProtoNodeId replica = (leader + 1) % 4;
    ck_assert_uint_eq(harness_count_notes(h, replica, PROTO_NOTE_VOTED, 5), 1);
    /* The same proposal again, and a conflicting one from the same leader for the same view. */
    GBytes *second = equivocate(h, c.bytes, leader);
    int rc1 = harness_inject(h, leader, replica, c.bytes);
    int rc2 = harness_inject(h, leader, replica, second);
    ck_assert(rc1 == PROTO_ERR_STALE || rc1 == PROTO_ERR_DUPLICATE);
    ck_assert(rc2 == PROTO_ERR_STALE || rc2 == PROTO_ERR_DUPLICATE);
    ck_assert_uint_eq(harness_count_notes(h, replica, PROTO_NOTE_VOTED, 5), 1);
    g_bytes_unref(second);
    g_bytes_unref(c.bytes);
    harness_free(h);
}
END_TEST

START_TEST(timeout_vote_takes_the_vote_slot)
{
    /* The proposal of view 3 is held back until every node has timed out in view 3; delivered
     * late, it gets no quorum vote from anyone. */
    Harness *h = four_nodes(FALSE);
    h->configs[0].view_timeout = h->configs[1].view_timeout = 1 * PROTO_S;
    h->configs[2].view_timeout = h->configs[3].view_timeout = 1 * PROTO_S;
    Capture c = {.view = 3, .type = PROTO_MSG_PROPOSAL, .drop = TRUE};
    h->filter = capture_filter;
    h->filter_data = &c;
    harness_start(h);
    harness_run(h, 1000);
    ck_assert_ptr_nonnull(c.bytes);
    ProtoNodeId leader = harness_leader(h, 3);
    /* The filter drops every copy, the leader's own included, so all four time out in view 3. */
    harness_advance(h, 1 * PROTO_S);
    for (ProtoNodeId i = 0; i < 4; i++) {
        ck_assert_uint_ge(proto_node_last_voted_view(h->nodes[i]), 3);
        if (i == leader) continue;
        int rc = harness_inject(h, leader, i, c.bytes);
        ck_assert(rc == PROTO_ERR_STALE || rc == PROTO_ERR_DUPLICATE);
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_VOTED, 3), 0);
    }
    g_bytes_unref(c.bytes);
    harness_free(h);
}
END_TEST

/* Builds a certificate of `kind` for (view, data) signed by `signers`. */
static ProtoCert *make_cert(Harness *h, ProtoCertKind kind, ProtoView view, const ProtoCommit *data,
                            const ProtoNodeId *signers, int count)
{
    ProtoAggregate agg;
    proto_aggregate_init(&agg, h->crypto, kind, view, 0, data);
    ProtoCommit message;
    ProtoCommit zero = {0};
    proto_vote_commit(kind, view, 0, data ? data : &zero, &message);
    for (int i = 0; i < count; i++) {
        ProtoSignature sig;
        ProtoDuration cpu = 0;
        proto_crypto_sign(proto_crypto_signer(h->crypto, signers[i]), &message, &sig, &cpu);
        proto_aggregate_add(&agg, signers[i], &sig);
    }
    ProtoCert *cert = proto_aggregate_finish(&agg, h->crypto);
    proto_aggregate_clear(&agg);
    return cert;
}

/* A valid proposal for `view` by its leader on `justify` (whose leaf is `parent`), with a TC for
 * view-1 as evidence. */
static GBytes *proposal_on(Harness *h, ProtoView view, ProtoCert *justify, const ProtoLeaf *parent)
{
    static const ProtoNodeId all[] = {0, 1, 2, 3};
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = harness_leader(h, view)};
    ProtoProposal *p = &msg.proposal;
    p->view = view;
    p->parent = justify->data;
    p->header.height = parent->header.height + 1;
    p->header.ns_table = g_bytes_new(NULL, 0);
    p->justify_qc = justify;
    p->evidence_kind = PROTO_EVIDENCE_TC;
    p->evidence = make_cert(h, PROTO_CERT_TC, view - 1, NULL, all, 3);
    ProtoCommit commit;
    proto_leaf_commit(view, &p->parent, &p->header, justify, &commit);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, msg.sender), &commit, &p->signature, &cpu);
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    proto_cert_unref(p->evidence);
    g_bytes_unref(p->header.ns_table);
    return bytes;
}

static void check_lock_rule(gboolean disable_lock_check)
{
    Harness *h = four_nodes(FALSE);
    for (int i = 0; i < 4; i++)
        h->configs[i].test_disable_lock_check = disable_lock_check;
    harness_start(h);
    harness_run(h, 300);
    /* Pick a replica that is not the next leader; it is locked on a recent QC. */
    ProtoNodeId replica = 0;
    ProtoView view = proto_node_view(h->nodes[replica]);
    while (harness_leader(h, view + 5) == replica)
        replica++;
    ProtoView locked = proto_node_locked_view(h->nodes[replica]);
    ck_assert_uint_gt(locked, 3);
    /* A fork: a proposal for a future view justified by the genesis QC (older than the lock,
     * and its parent, genesis, does not extend the locked leaf). */
    GBytes *fork = proposal_on(h, view + 5, h->shared->genesis_qc, h->shared->genesis);
    uint32_t votes_before = harness_count_notes(h, replica, PROTO_NOTE_VOTED, view + 5);
    int rc = harness_inject(h, harness_leader(h, view + 5), replica, fork);
    uint32_t votes_after = harness_count_notes(h, replica, PROTO_NOTE_VOTED, view + 5);
    if (disable_lock_check) {
        ck_assert_int_eq(rc, PROTO_OK);
        ck_assert_uint_eq(votes_after, votes_before + 1);
    } else {
        ck_assert_int_eq(rc, PROTO_ERR_UNSAFE);
        ck_assert_uint_eq(votes_after, votes_before);
        ck_assert_uint_eq(harness_count_notes(h, replica, PROTO_NOTE_UNSAFE_PROPOSAL, view + 5), 1);
    }
    g_bytes_unref(fork);
    h->filter = NULL;
    harness_free(h);
}

START_TEST(proposal_against_the_lock_gets_no_vote)
{
    check_lock_rule(FALSE);
}
END_TEST

START_TEST(lock_check_switch_lets_it_through)
{
    check_lock_rule(TRUE);
}
END_TEST

/* Drops every proposal of view `view` so all nodes time out there, and keeps the first
 * proposal of view + 1 that goes by. */
typedef struct DropAndWatch {
    ProtoView view;
    ProtoView watched_justify_view;
    ProtoEvidence watched_evidence;
    gboolean watched;
} DropAndWatch;

static gboolean drop_view(Harness *h, const Envelope *e, void *user_data)
{
    (void)h;
    if (e->type != PROTO_MSG_PROPOSAL) return FALSE;
    DropAndWatch *d = user_data;
    ProtoDecodeContext ctx = {.node_count = 4, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    ck_assert_int_eq(proto_msg_decode(data, len, &ctx, &msg), PROTO_OK);
    gboolean drop = msg.proposal.view == d->view;
    if (msg.proposal.view == d->view + 1 && !d->watched) {
        d->watched = TRUE;
        d->watched_justify_view = msg.proposal.justify_qc->view;
        d->watched_evidence = msg.proposal.evidence_kind;
    }
    proto_msg_clear(&msg);
    return drop;
}

START_TEST(after_a_tc_the_leader_proposes_on_the_highest_high_qc)
{
    Harness *h = four_nodes(FALSE);
    ProtoView v = 6;
    DropAndWatch d = {.view = v};
    h->filter = drop_view;
    h->filter_data = &d;
    harness_start(h);
    harness_run(h, 2000);
    /* Everyone is stuck in view v: the leader of v formed QC(v-1) and holds it as its high QC;
     * the others only have QC(v-2) from the proposal of v-1. */
    ProtoNodeId lv = harness_leader(h, v), lnext = harness_leader(h, v + 1);
    ck_assert_uint_eq(proto_node_high_qc_view(h->nodes[lv]), v - 1);
    ck_assert_uint_eq(proto_node_high_qc_view(h->nodes[lnext]), v - 2);
    /* Time out; TC(v) forms at L(v+1), which then waits half a view timeout for high QCs. */
    ProtoDuration timeout = h->configs[0].view_timeout;
    harness_advance(h, timeout);
    ck_assert_uint_eq(harness_count_notes(h, lnext, PROTO_NOTE_TC_FORMED, v), 1);
    ck_assert_uint_eq(harness_count_notes(h, lnext, PROTO_NOTE_PROPOSED, v + 1), 0);
    ck_assert(!d.watched);
    harness_advance(h, timeout + timeout / 2);
    ck_assert_uint_eq(harness_count_notes(h, lnext, PROTO_NOTE_PROPOSED, v + 1), 1);
    /* Its proposal for v+1 carries QC(v-1), learnt from L(v)'s high-QC message, not its own
     * QC(v-2), with TC(v) as evidence. */
    ck_assert(d.watched);
    ck_assert_uint_eq(d.watched_justify_view, v - 1);
    ck_assert_int_eq(d.watched_evidence, PROTO_EVIDENCE_TC);
    /* v-1's block survives: it was certified and then extended, so it is decided. */
    GArray *mine = harness_decisions_of(h, lnext);
    gboolean decided_v_minus_1 = FALSE;
    for (guint i = 0; i < mine->len; i++) {
        decided_v_minus_1 |= g_array_index(mine, Decision, i).leaf_view == v - 1;
    }
    ck_assert(decided_v_minus_1);
    g_array_unref(mine);
    harness_free(h);
}
END_TEST

static uint64_t counter(void *user_data)
{
    return ++*(uint64_t *)user_data;
}

/* Every node crashes and comes back from what it persisted; what it sends on restarting is
 * lost, its timers are kept. */
static void restart_all(Harness *h, uint64_t *rng)
{
    for (ProtoNodeId id = 0; id < h->n; id++) {
        ProtoPersisted persisted;
        proto_node_persist(h->nodes[id], &persisted);
        proto_node_free(h->nodes[id]);
        ProtoEnv env = {h->shared, proto_crypto_signer(h->crypto, id), counter, rng, NULL, NULL};
        h->nodes[id] = proto_node_new(&h->configs[id], &env);
        proto_node_restart(h->nodes[id], &persisted, h->now);
        proto_persisted_clear(&persisted);
        for (int t = 0; t < PROTO_TIMER_COUNT_; t++)
            h->timers[id][t] = PROTO_TIME_NONE;
        ProtoAction a;
        while (proto_node_drain(h->nodes[id], &a)) {
            if (a.kind == PROTO_ACTION_TIMER_SET) h->timers[id][a.timer] = a.at;
            proto_action_clear(&a);
        }
    }
}

/* Stuck in view v with QC(v-1) formed but v-1's block not yet decided, every node restarts.
 * The block must survive: the nodes persisted the leaves they validated (HotShot persists each
 * proposal), so the next leader can build on it and it gets decided. */
START_TEST(a_restart_of_every_node_keeps_the_certified_block)
{
    Harness *h = four_nodes(FALSE);
    ProtoView v = 6;
    DropAndWatch d = {.view = v};
    h->filter = drop_view;
    h->filter_data = &d;
    harness_start(h);
    harness_run(h, 2000);
    uint64_t before = harness_height(h, 0);
    uint64_t rng = 9;
    restart_all(h, &rng);
    h->filter = NULL;
    ProtoDuration timeout = h->configs[0].view_timeout;
    for (int i = 1; i <= 6; i++)
        harness_advance(h, (ProtoTime)i * timeout);
    for (ProtoNodeId id = 0; id < h->n; id++) {
        GArray *mine = harness_decisions_of(h, id);
        gboolean decided_v_minus_1 = FALSE;
        for (guint i = 0; i < mine->len; i++) {
            const Decision *dec = &g_array_index(mine, Decision, i);
            ck_assert_uint_eq(dec->height, i + 1); /* no gap across the restart */
            decided_v_minus_1 |= dec->leaf_view == v - 1;
        }
        ck_assert_msg(decided_v_minus_1, "node %u lost the block of view %lu", id,
                      (unsigned long)(v - 1));
        g_array_unref(mine);
        ck_assert_uint_gt(harness_height(h, id), before + 3);
    }
    harness_free(h);
}
END_TEST

/* A leader that formed a certificate keeps no copy of its signer bits (or, real mode, of the
 * signatures): the certificate, pooled and shared by every node, has them. */
START_TEST(formed_certificates_keep_no_signer_bits)
{
    HarnessOptions o = {
        .nodes = 4, .crypto = PROTO_CRYPTO_REAL, .leaders = PROTO_LEADER_ROUND_ROBIN};
    Harness *h = harness_new(&o);
    harness_start(h);
    harness_run(h, 4000);
    uint32_t done = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        for (int k = 0; k < NODE_ACCUMULATORS_MAX; k++) {
            const Accumulator *a = &h->nodes[i]->accumulators[k];
            if (!a->active || !a->done) continue;
            ck_assert_ptr_null(a->aggregate.signers);
            ck_assert_ptr_null(a->aggregate.signatures);
            done++;
        }
    }
    ck_assert_uint_gt(done, 0);
    ck_assert_uint_gt(harness_height(h, 0), 10);
    harness_free(h);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("consensus");
    TCase *tc = tcase_create("consensus");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, two_chain_decides_at_v_plus_2);
    tcase_add_test(tc, three_chain_decides_at_v_plus_3);
    tcase_add_test(tc, formed_certificates_keep_no_signer_bits);
    tcase_add_test(tc, a_node_never_votes_twice_in_a_view);
    tcase_add_test(tc, timeout_vote_takes_the_vote_slot);
    tcase_add_test(tc, proposal_against_the_lock_gets_no_vote);
    tcase_add_test(tc, lock_check_switch_lets_it_through);
    tcase_add_test(tc, after_a_tc_the_leader_proposes_on_the_highest_high_qc);
    tcase_add_test(tc, a_restart_of_every_node_keeps_the_certified_block);
    suite_add_tcase(suite, tc);
    return suite;
}
