/*
 * The data-availability layer without the simulator: decided blocks are exactly the builder's
 * blocks, with every transaction once; every DA member stores each payload and every validator
 * its share; a replica votes only once it holds the DA certificate and its own share, asks a DA
 * member for a share it missed after data_request_delay, and then votes, but not for a header
 * whose namespace table is not the one the commitment fixes; a DA member rejects a payload that
 * does not match its signed commitment, a replica a share that does not verify.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include <string.h>

enum { DA_VIEW = 5 };

static Harness *da_harness(uint32_t nodes, uint32_t da_count, gboolean synthetic, gboolean builder)
{
    HarnessOptions o = {.nodes = nodes,
                        .crypto = PROTO_CRYPTO_MODELED,
                        .leaders = PROTO_LEADER_ROUND_ROBIN,
                        .view_timeout = 10 * PROTO_S,
                        .da_count = da_count,
                        .synthetic = synthetic,
                        .builder = builder,
                        .block_max = 16 * 1024};
    Harness *h = harness_new(&o);
    for (uint32_t i = 0; i < nodes; i++)
        h->configs[i].data_request_delay = 1 * PROTO_S;
    return h;
}

/* Transactions 1..count over three namespaces, sizes 100..1099 bytes. */
static void add_transactions(Harness *h, uint32_t count)
{
    for (uint32_t i = 1; i <= count; i++) {
        ProtoTx tx = {.ns_id = 10 + i % 3, .id = i, .size = 100 + (i * 7919u) % 1000};
        proto_builder_add(h->builder, &tx);
    }
}

static uint32_t count_envelopes(const Harness *h, ProtoMsgType type, ProtoNodeId from)
{
    uint32_t count = 0;
    for (GList *l = h->queue->head; l != NULL; l = l->next) {
        const Envelope *e = l->data;
        if (e->type == type && (from == PROTO_NODE_NONE || e->from == from)) count++;
    }
    return count;
}

/* --- the happy path ----------------------------------------------------------------------- */

START_TEST(decided_blocks_are_the_builders_blocks)
{
    gboolean synthetic = _i == 1;
    Harness *h = da_harness(7, 4, synthetic, TRUE);
    add_transactions(h, 200);
    harness_start(h);
    harness_run(h, 60000);

    /* Every node decided the same chain; every decided block is one the builder built. */
    GArray *first = harness_decisions_of(h, 0);
    ck_assert_uint_gt(first->len, 20);
    for (uint32_t node = 1; node < h->n; node++) {
        GArray *mine = harness_decisions_of(h, node);
        for (guint i = 0; i < MIN(mine->len, first->len); i++) {
            ck_assert(proto_commit_equal(&g_array_index(mine, Decision, i).payload,
                                         &g_array_index(first, Decision, i).payload));
        }
        g_array_unref(mine);
    }
    uint32_t *seen = g_new0(uint32_t, 201);
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
    uint32_t nonempty = 0;
    for (guint i = 0; i < first->len; i++) {
        const Decision *d = &g_array_index(first, Decision, i);
        ProtoPayload *payload = harness_built(h, &d->payload);
        ck_assert_msg(payload != NULL, "view %" G_GUINT64_FORMAT " decided an unknown block",
                      d->leaf_view);
        ck_assert_uint_eq(payload->size, d->payload_size);
        ck_assert_uint_le(payload->size, 16 * 1024);
        g_array_set_size(txs, 0);
        proto_payload_transactions(payload, txs);
        for (guint t = 0; t < txs->len; t++) {
            const ProtoTx *tx = &g_array_index(txs, ProtoTx, t);
            ck_assert_uint_ge(tx->id, 1);
            ck_assert_uint_le(tx->id, 200);
            seen[tx->id]++;
        }
        if (txs->len == 0) continue;
        nonempty++;
        /* Its data reached every DA member and a share every validator; its leader formed a
         * DA certificate; nobody outside the committee stored the payload. */
        ProtoView v = d->leaf_view;
        ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_DA_STORED, v), 4);
        for (ProtoNodeId m = 4; m < h->n; m++)
            ck_assert_uint_eq(harness_count_notes(h, m, PROTO_NOTE_DA_STORED, v), 0);
        ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_SHARE_STORED, v),
                          h->n);
        ck_assert_uint_eq(harness_count_notes(h, harness_leader(h, v), PROTO_NOTE_DAC_FORMED, v),
                          1);
    }
    /* 200 transactions of ~600 bytes in 16 KiB blocks: several blocks, each tx exactly once. */
    ck_assert_uint_ge(nonempty, 7);
    for (uint32_t id = 1; id <= 200; id++)
        ck_assert_msg(seen[id] == 1, "tx %u decided %u times", id, seen[id]);
    ck_assert_uint_eq(proto_builder_waiting(h->builder), 0);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    g_array_unref(txs);
    g_free(seen);
    g_array_unref(first);
    harness_free(h);
}
END_TEST

/* --- the vote dependency ------------------------------------------------------------------ */

typedef struct Drop {
    ProtoMsgType type;
    ProtoNodeId from; /* PROTO_NODE_NONE: any */
    ProtoNodeId to;   /* PROTO_NODE_NONE: any */
    ProtoView view;
    uint32_t dropped;
} Drop;

typedef struct Drops {
    Drop rules[4];
    uint32_t count;
    uint32_t votes[PROTO_MSG_TYPE_COUNT_]; /* envelopes of DA_VIEW seen, by type */
} Drops;

static gboolean drop_filter(Harness *h, const Envelope *e, void *user_data)
{
    Drops *drops = user_data;
    ProtoView view = harness_view_of(h, e);
    if (view == DA_VIEW) drops->votes[e->type]++;
    for (uint32_t i = 0; i < drops->count; i++) {
        Drop *d = &drops->rules[i];
        if (e->type == d->type && view == d->view &&
            (d->from == PROTO_NODE_NONE || e->from == d->from) &&
            (d->to == PROTO_NODE_NONE || e->to == d->to)) {
            d->dropped++;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean decided_view(const Harness *h, ProtoNodeId node, ProtoView view)
{
    for (guint i = 0; i < h->decisions->len; i++) {
        const Decision *d = &g_array_index(h->decisions, Decision, i);
        if (d->node == node && d->leaf_view == view) return TRUE;
    }
    return FALSE;
}

START_TEST(no_vote_without_the_da_certificate)
{
    Harness *h = da_harness(4, 4, FALSE, TRUE);
    add_transactions(h, 100);
    Drops drops = {.rules = {{PROTO_MSG_DA_CERT, PROTO_NODE_NONE, PROTO_NODE_NONE, DA_VIEW, 0}},
                   .count = 1};
    h->filter = drop_filter;
    h->filter_data = &drops;
    harness_start(h);
    harness_run(h, 60000);
    /* The certificate was formed and sent, and dropped everywhere: view DA_VIEW stalls with
     * its proposal and every share delivered, and nobody votes. */
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_DAC_FORMED, DA_VIEW), 1);
    ck_assert_uint_ge(drops.rules[0].dropped, h->n - 1);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_SHARE_STORED, DA_VIEW),
                      h->n);
    for (ProtoNodeId i = 0; i < h->n; i++) {
        ck_assert_uint_eq(proto_node_view(h->nodes[i]), DA_VIEW);
        ck_assert_uint_lt(proto_node_last_voted_view(h->nodes[i]), DA_VIEW);
    }
    ck_assert_uint_eq(drops.votes[PROTO_MSG_QUORUM_VOTE], 0);
    /* The view times out; the chain goes on without its block. */
    harness_advance(h, 30 * PROTO_S);
    ck_assert_uint_gt(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, DA_VIEW), 0);
    ck_assert_uint_gt(harness_height(h, 0), DA_VIEW);
    for (ProtoNodeId i = 0; i < h->n; i++)
        ck_assert(!decided_view(h, i, DA_VIEW));
    harness_free(h);
}
END_TEST

START_TEST(missing_share_is_fetched_then_voted)
{
    /* Committee {0, 1, 2}; node 3 is a validator outside it. Node 0's vote for DA_VIEW is
     * dropped, so the quorum (3 of 4) needs node 3, whose share never arrives. */
    Harness *h = da_harness(4, 3, FALSE, TRUE);
    add_transactions(h, 100);
    Drops drops = {.rules = {{PROTO_MSG_VID_SHARE, PROTO_NODE_NONE, 3, DA_VIEW, 0},
                             {PROTO_MSG_QUORUM_VOTE, 0, PROTO_NODE_NONE, DA_VIEW, 0}},
                   .count = 2};
    h->filter = drop_filter;
    h->filter_data = &drops;
    harness_start(h);
    harness_run(h, 60000);
    /* The others voted (and so moved on to the next view); without node 3 the next leader
     * has no QC for DA_VIEW. */
    ck_assert_uint_eq(drops.rules[0].dropped, 1);
    ck_assert_uint_eq(drops.rules[1].dropped, 1);
    ck_assert_uint_lt(proto_node_high_qc_view(h->nodes[2]), DA_VIEW);
    ck_assert_uint_eq(proto_node_view(h->nodes[3]), DA_VIEW);
    ck_assert_uint_lt(proto_node_last_voted_view(h->nodes[3]), DA_VIEW);
    ck_assert_uint_eq(harness_count_notes(h, 3, PROTO_NOTE_SHARE_STORED, DA_VIEW), 0);
    ck_assert_uint_eq(drops.votes[PROTO_MSG_VID_REQUEST], 0);
    ck_assert_int_eq((int64_t)h->timers[3][PROTO_TIMER_DATA], (int64_t)(1 * PROTO_S));

    /* Nothing happens before the delay... */
    harness_advance(h, 1 * PROTO_S - 1);
    ck_assert_uint_eq(drops.votes[PROTO_MSG_VID_REQUEST], 0);
    ck_assert_uint_lt(proto_node_high_qc_view(h->nodes[2]), DA_VIEW);
    /* ...then node 3 asks a DA member, gets its share, votes, and the view completes. */
    harness_advance(h, 1 * PROTO_S);
    ck_assert_uint_eq(drops.votes[PROTO_MSG_VID_REQUEST], 1);
    ck_assert_uint_eq(drops.votes[PROTO_MSG_VID_RESPONSE], 1);
    ck_assert_uint_eq(harness_count_notes(h, 3, PROTO_NOTE_SHARE_STORED, DA_VIEW), 1);
    ck_assert_uint_ge(proto_node_high_qc_view(h->nodes[2]), DA_VIEW);
    ck_assert(decided_view(h, 3, DA_VIEW));
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    harness_free(h);
}
END_TEST

/* The leader's proposal of DA_VIEW, held back from the replicas. */
static gboolean hold_proposal(Harness *h, const Envelope *e, void *user_data)
{
    GBytes **held = user_data;
    if (e->type != PROTO_MSG_PROPOSAL || harness_view_of(h, e) != DA_VIEW) return FALSE;
    if (*held == NULL) *held = g_bytes_ref(e->bytes);
    return TRUE;
}

/* The proposal with the first namespace id of its header's table changed, re-signed. */
static GBytes *retabled(Harness *h, GBytes *original)
{
    ProtoDecodeContext ctx = {.node_count = h->n, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(original, &len);
    ck_assert_int_eq(proto_msg_decode(data, len, &ctx, &msg), PROTO_OK);
    gsize table_len;
    uint8_t *table = g_bytes_unref_to_data(msg.proposal.header.ns_table, &table_len);
    ck_assert_uint_ge(table_len, 12);
    table[4] ^= 0x01;
    msg.proposal.header.ns_table = g_bytes_new_take(table, table_len);
    ProtoCommit commit;
    proto_leaf_commit(msg.proposal.view, &msg.proposal.parent, &msg.proposal.header,
                      msg.proposal.justify_qc, &commit);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, msg.sender), &commit, &msg.proposal.signature,
                      &cpu);
    GBytes *out = proto_msg_encode(&msg, NULL);
    proto_msg_clear(&msg);
    return out;
}

/* Delivers DA_VIEW's proposal (tampered with or not) once the DA certificate and every share
 * are in; returns how many replicas voted for it. */
static uint32_t votes_for_proposal(gboolean tamper)
{
    Harness *h = da_harness(4, 4, FALSE, TRUE);
    add_transactions(h, 400); /* enough that DA_VIEW has a block with namespaces */
    GBytes *held = NULL;
    h->filter = hold_proposal;
    h->filter_data = &held;
    harness_start(h);
    harness_run(h, 60000);
    ck_assert(held != NULL);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_SHARE_STORED, DA_VIEW),
                      h->n);
    ProtoNodeId leader = harness_leader(h, DA_VIEW);
    GBytes *bytes = tamper ? retabled(h, held) : g_bytes_ref(held);
    h->filter = NULL;
    uint32_t voted = 0;
    for (ProtoNodeId i = 0; i < h->n; i++) {
        if (i == leader) continue;
        /* Either way the proposal itself is well formed and safe: it is taken. */
        ck_assert_int_eq(harness_inject(h, leader, i, bytes), PROTO_OK);
        voted += proto_node_last_voted_view(h->nodes[i]) == DA_VIEW;
    }
    g_bytes_unref(bytes);
    g_bytes_unref(held);
    harness_free(h);
    return voted;
}

START_TEST(header_must_state_the_committed_table)
{
    ck_assert_uint_eq(votes_for_proposal(FALSE), 3);
    ck_assert_uint_eq(votes_for_proposal(TRUE), 0);
}
END_TEST

/* --- rejected data ------------------------------------------------------------------------ */

static ProtoPayload *payload_of(Harness *h, uint32_t first_id, uint32_t count)
{
    ProtoTx txs[16];
    ck_assert_uint_le(count, 16);
    for (uint32_t i = 0; i < count; i++)
        txs[i] = (ProtoTx){.ns_id = 7 + i % 2, .id = first_id + i, .size = 200 + 13 * i};
    return proto_payload_build(h->shared->vid, txs, count, FALSE, TRUE, NULL, NULL);
}

static void sign_dispersal(Harness *h, ProtoNodeId signer, ProtoView view,
                           const ProtoCommit *commit, ProtoSignature *out)
{
    ProtoCommit message;
    proto_dispersal_commit(view, commit, &message);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, signer), &message, out, &cpu);
}

/* A DA proposal for `view` by `sender`: `claimed`'s commitment, signed by `signer`, carrying
 * `carried`'s bytes. */
static GBytes *da_proposal(Harness *h, ProtoView view, ProtoNodeId sender, ProtoNodeId signer,
                           const ProtoPayload *claimed, const ProtoPayload *carried)
{
    ProtoMsg msg = {.type = PROTO_MSG_DA_PROPOSAL, .sender = sender};
    msg.data.view = view;
    msg.data.commit = claimed->commit;
    msg.data.size = carried->size;
    msg.data.ns_table = carried->ns_table;
    msg.data.bytes = carried->bytes;
    sign_dispersal(h, signer, view, &claimed->commit, &msg.data.signature);
    return proto_msg_encode(&msg, NULL);
}

static int inject_da_proposal(Harness *h, ProtoNodeId to, ProtoView view, ProtoNodeId sender,
                              ProtoNodeId signer, const ProtoPayload *claimed,
                              const ProtoPayload *carried)
{
    GBytes *bytes = da_proposal(h, view, sender, signer, claimed, carried);
    int rc = harness_inject(h, sender, to, bytes);
    g_bytes_unref(bytes);
    return rc;
}

START_TEST(da_member_checks_the_commitment)
{
    Harness *h = da_harness(4, 3, FALSE, FALSE);
    harness_start(h);
    ProtoView view = 2;
    ProtoNodeId leader = harness_leader(h, view);
    ProtoNodeId member = leader == 0 ? 1 : 0;
    ProtoPayload *a = payload_of(h, 1, 9);
    ProtoPayload *b = payload_of(h, 100, 9);
    uint32_t votes = count_envelopes(h, PROTO_MSG_DA_VOTE, member);

    /* Another block's bytes under the signed commitment: no storage, no vote. */
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, b),
                     PROTO_ERR_INCONSISTENT);
    /* Signed by someone else, or sent by someone other than the leader. */
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, 3, a, a), PROTO_ERR_SIGNATURE);
    ck_assert_int_eq(inject_da_proposal(h, member, view, 3, 3, a, a), PROTO_ERR_LEADER);
    /* Validators outside the committee take no DA proposals. */
    ck_assert_int_eq(inject_da_proposal(h, 3, view, leader, leader, a, a), PROTO_ERR_NOT_RECIPIENT);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes);
    ck_assert_uint_eq(harness_count_notes(h, member, PROTO_NOTE_DA_STORED, view), 0);

    /* The genuine proposal is stored and gets exactly one DA vote, even when repeated. */
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, a), PROTO_OK);
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, a), PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes + 1);
    ck_assert_uint_eq(harness_count_notes(h, member, PROTO_NOTE_DA_STORED, view), 2);
    proto_payload_unref(a);
    proto_payload_unref(b);
    harness_free(h);
}
END_TEST

/* The ways share_message spoils a share. The layout is u32 count, then per namespace u32 id,
 * 32-byte root, u64 length. */
enum {
    SHARE_INTACT,
    SHARE_UNIT,   /* one byte of the units */
    SHARE_ID,     /* the first namespace's id */
    SHARE_ROOT,   /* one byte of its root */
    SHARE_LENGTH, /* its length, one bit */
    SHARE_HUGE,   /* its length, 2^64 - 1 (once crashed the share's owner on serving it) */
    SHARE_TABLE,  /* the namespace table sent beside the layout */
    SHARE_SIZE,   /* the logical size sent beside it */
    SHARE_SPOILS_,
};

static uint64_t fixed_random(void *user_data)
{
    return ++*(uint64_t *)user_data;
}

/* Crashes `id` and brings it back from what it persisted (HotShot's restart). */
static void crash_and_restart(Harness *h, ProtoNodeId id, uint64_t *rng)
{
    ProtoPersisted persisted;
    proto_node_persist(h->nodes[id], &persisted);
    proto_node_free(h->nodes[id]);
    ProtoEnv env = {h->shared, proto_crypto_signer(h->crypto, id), fixed_random, rng, NULL, NULL};
    h->nodes[id] = proto_node_new(&h->configs[id], &env);
    proto_node_restart(h->nodes[id], &persisted, h->now);
    proto_persisted_clear(&persisted);
    ProtoAction a;
    while (proto_node_drain(h->nodes[id], &a))
        proto_action_clear(&a);
}

static gboolean always_down(void *user_data, ProtoNodeId id)
{
    (void)user_data, (void)id;
    return TRUE;
}

/* Brings `id` back, as crash_and_restart does, on a network whose primary (the CDN) is down;
 * `silent` sets the test switch of HotShot PR #3390's bug. */
static void restart_with_cdn_down(Harness *h, ProtoNodeId id, uint64_t *rng, gboolean silent)
{
    ProtoPersisted persisted;
    proto_node_persist(h->nodes[id], &persisted);
    proto_node_free(h->nodes[id]);
    h->configs[id].test_silent_local_share = silent;
    ProtoEnv env = {h->shared, proto_crypto_signer(h->crypto, id), fixed_random, rng, always_down,
                    NULL};
    h->nodes[id] = proto_node_new(&h->configs[id], &env);
    proto_node_restart(h->nodes[id], &persisted, h->now);
    proto_persisted_clear(&persisted);
    ProtoAction a;
    while (proto_node_drain(h->nodes[id], &a))
        proto_action_clear(&a);
}

/* With the CDN down a DA member computes its own share from the DA proposal and holds it as
 * received (HotShot PR #3390); under the bug's switch it keeps it unannounced: no share note. */
START_TEST(da_member_takes_its_own_share_when_the_cdn_is_down)
{
    for (int silent = 0; silent <= 1; silent++) {
        Harness *h = da_harness(4, 3, FALSE, FALSE);
        harness_start(h);
        ProtoView view = 2;
        ProtoNodeId leader = harness_leader(h, view);
        ProtoNodeId member = leader == 0 ? 1 : 0;
        uint64_t rng = 7;
        restart_with_cdn_down(h, member, &rng, silent);
        ProtoPayload *a = payload_of(h, 1, 9);
        ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, a), PROTO_OK);
        ck_assert_uint_eq(harness_count_notes(h, member, PROTO_NOTE_DA_STORED, view), 1);
        ck_assert_uint_eq(harness_count_notes(h, member, PROTO_NOTE_SHARE_STORED, view),
                          silent ? 0 : 1);
        proto_payload_unref(a);
        harness_free(h);
    }
}
END_TEST

/* A DA member keeps what it stored across a restart: it still serves shares of it, and a DA
 * proposal delivered again gets no second DA vote (HotShot #3971, regression row 5). */
START_TEST(da_member_restarts_with_its_payloads)
{
    Harness *h = da_harness(4, 3, FALSE, FALSE);
    harness_start(h);
    ProtoView view = 2;
    ProtoNodeId leader = harness_leader(h, view);
    ProtoNodeId member = leader == 0 ? 1 : 0;
    ProtoPayload *a = payload_of(h, 1, 9);
    uint32_t votes = count_envelopes(h, PROTO_MSG_DA_VOTE, member);
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, a), PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes + 1);
    uint64_t rng = 5;
    crash_and_restart(h, member, &rng);
    ProtoMsg request = {.type = PROTO_MSG_VID_REQUEST, .sender = 3};
    request.data.view = view;
    request.data.commit = a->commit;
    request.data.owner = 3;
    GBytes *bytes = proto_msg_encode(&request, NULL);
    uint32_t responses = count_envelopes(h, PROTO_MSG_VID_RESPONSE, member);
    ck_assert_int_eq(harness_inject(h, 3, member, bytes), PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_VID_RESPONSE, member), responses + 1);
    g_bytes_unref(bytes);
    ck_assert_int_eq(inject_da_proposal(h, member, view, leader, leader, a, a), PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes + 1);
    proto_payload_unref(a);
    harness_free(h);
}
END_TEST

/* DA votes need not follow the views (HotShot exempts them from the last-actioned view: DA
 * proposals for v and v + 1 can arrive out of order), but a member DA-votes at most once in a
 * view, across a restart too. */
START_TEST(da_votes_out_of_order_but_once_a_view)
{
    Harness *h = da_harness(4, 3, FALSE, FALSE);
    harness_start(h);
    ProtoNodeId member = 0;
    while (member == harness_leader(h, 2) || member == harness_leader(h, 3))
        member++;
    ProtoPayload *a = payload_of(h, 1, 9);
    ProtoPayload *b = payload_of(h, 100, 9);
    uint32_t votes = count_envelopes(h, PROTO_MSG_DA_VOTE, member);
    ck_assert_int_eq(
        inject_da_proposal(h, member, 3, harness_leader(h, 3), harness_leader(h, 3), a, a),
        PROTO_OK);
    ck_assert_int_eq(
        inject_da_proposal(h, member, 2, harness_leader(h, 2), harness_leader(h, 2), b, b),
        PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes + 2);
    uint64_t rng = 9;
    crash_and_restart(h, member, &rng);
    /* Another payload for a view it DA-voted in, after the restart: stored, not voted. */
    ck_assert_int_eq(
        inject_da_proposal(h, member, 2, harness_leader(h, 2), harness_leader(h, 2), a, a),
        PROTO_OK);
    ck_assert_uint_eq(count_envelopes(h, PROTO_MSG_DA_VOTE, member), votes + 2);
    proto_payload_unref(a);
    proto_payload_unref(b);
    harness_free(h);
}
END_TEST

/* A VID share of `payload` for `owner` in `view`, signed by the view's leader, spoilt as
 * `corrupt` says. */
static GBytes *share_message(Harness *h, ProtoView view, ProtoPayload *payload, ProtoNodeId owner,
                             int corrupt)
{
    ProtoNodeId leader = harness_leader(h, view);
    ProtoMsg msg = {.type = PROTO_MSG_VID_SHARE, .sender = leader};
    ProtoDataMsg *d = &msg.data;
    d->view = view;
    d->commit = payload->commit;
    d->size = payload->size;
    d->ns_table = payload->ns_table;
    sign_dispersal(h, leader, view, &payload->commit, &d->signature);
    GBytes *layout = proto_payload_layout(payload);
    GBytes *units = proto_payload_share(payload, h->shared->vid, owner, NULL, NULL, &d->bulk_size);
    gsize layout_len, units_len;
    uint8_t *layout_data = g_bytes_unref_to_data(layout, &layout_len);
    uint8_t *units_data = g_bytes_unref_to_data(units, &units_len);
    ck_assert_uint_gt(units_len, 64);
    if (corrupt == SHARE_UNIT) units_data[units_len / 3] ^= 0x40;
    if (corrupt == SHARE_ID) layout_data[4] ^= 0x01;
    if (corrupt == SHARE_ROOT) layout_data[8 + 17] ^= 0x20;
    if (corrupt == SHARE_LENGTH) layout_data[40] ^= 0x02;
    if (corrupt == SHARE_HUGE) memset(layout_data + 40, 0xff, 8);
    GBytes *table = NULL;
    if (corrupt == SHARE_TABLE) {
        gsize table_len = 0;
        const uint8_t *original = g_bytes_get_data(payload->ns_table, &table_len);
        uint8_t *t = g_memdup2(original, table_len);
        t[table_len - 1] ^= 0x01; /* the last end offset */
        d->ns_table = table = g_bytes_new_take(t, table_len);
    }
    if (corrupt == SHARE_SIZE) d->size++;
    d->layout = g_bytes_new_take(layout_data, layout_len);
    d->bytes = g_bytes_new_take(units_data, units_len);
    d->owner = owner;
    GBytes *out = proto_msg_encode(&msg, NULL);
    g_bytes_unref(d->layout);
    g_bytes_unref(d->bytes);
    if (table != NULL) g_bytes_unref(table);
    return out;
}

START_TEST(replica_rejects_a_share_that_does_not_verify)
{
    Harness *h = da_harness(4, 3, FALSE, FALSE);
    harness_start(h);
    ProtoView view = 2;
    ProtoNodeId leader = harness_leader(h, view);
    ProtoNodeId replica = leader == 3 ? 2 : 3;
    ProtoPayload *a = payload_of(h, 1, 12);
    /* Everything in a share is bound to the commitment, directly or through the layout. */
    for (int corrupt = SHARE_UNIT; corrupt < SHARE_SPOILS_; corrupt++) {
        GBytes *bytes = share_message(h, view, a, replica, corrupt);
        int rc = harness_inject(h, leader, replica, bytes);
        ck_assert_msg(rc == (corrupt == SHARE_HUGE ? PROTO_ERR_FIELD : PROTO_ERR_INCONSISTENT),
                      "spoilt share %d: %s", corrupt, proto_strerror(rc));
        g_bytes_unref(bytes);
    }
    ck_assert_uint_eq(harness_count_notes(h, replica, PROTO_NOTE_SHARE_STORED, view), 0);
    /* Someone else's share, then the replica's own, intact. */
    GBytes *other = share_message(h, view, a, replica ^ 1, SHARE_INTACT);
    ck_assert_int_eq(harness_inject(h, leader, replica, other), PROTO_ERR_NOT_RECIPIENT);
    g_bytes_unref(other);
    GBytes *good = share_message(h, view, a, replica, SHARE_INTACT);
    ck_assert_int_eq(harness_inject(h, leader, replica, good), PROTO_OK);
    ck_assert_int_eq(harness_inject(h, leader, replica, good), PROTO_ERR_DUPLICATE);
    g_bytes_unref(good);
    ck_assert_uint_eq(harness_count_notes(h, replica, PROTO_NOTE_SHARE_STORED, view), 1);
    proto_payload_unref(a);
    harness_free(h);
}
END_TEST

/* A DA certificate for (view, payload) signed by `signers` (an aggregate the crypto accepts). */
static GBytes *da_cert_message(Harness *h, ProtoView view, const ProtoCommit *payload,
                               const ProtoNodeId *signers, int count)
{
    ProtoAggregate agg;
    proto_aggregate_init(&agg, h->crypto, PROTO_CERT_DA, view, 0, payload);
    ProtoCommit message;
    proto_vote_commit(PROTO_CERT_DA, view, 0, payload, &message);
    for (int i = 0; i < count; i++) {
        ProtoSignature sig;
        ProtoDuration cpu = 0;
        proto_crypto_sign(proto_crypto_signer(h->crypto, signers[i]), &message, &sig, &cpu);
        proto_aggregate_add(&agg, signers[i], &sig);
    }
    ProtoCert *cert = proto_aggregate_finish(&agg, h->crypto);
    proto_aggregate_clear(&agg);
    ProtoMsg msg = {.type = PROTO_MSG_DA_CERT, .sender = harness_leader(h, view), .cert = cert};
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    proto_cert_unref(cert);
    return bytes;
}

/* Only the DA committee signs DA certificates: one validly signed by enough stake, but with a
 * signer from outside the committee, is refused; the same without it is taken. */
START_TEST(da_certificate_from_outside_the_committee_is_refused)
{
    Harness *h = da_harness(7, 4, FALSE, FALSE);
    harness_start(h);
    ProtoCommit payload;
    memset(payload.bytes, 7, sizeof payload.bytes);
    static const ProtoNodeId with_outsider[] = {0, 1, 2, 4}, members[] = {0, 1, 2};
    GBytes *bad = da_cert_message(h, 1, &payload, with_outsider, 4);
    GBytes *good = da_cert_message(h, 1, &payload, members, 3);
    ProtoNodeId from = harness_leader(h, 1), to = 5;
    ck_assert_int_eq(harness_inject(h, from, to, bad), PROTO_ERR_SENDER);
    ck_assert_int_eq(harness_inject(h, from, to, good), PROTO_OK);
    g_bytes_unref(bad);
    g_bytes_unref(good);
    harness_free(h);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("da");
    TCase *tc = tcase_create("da");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, decided_blocks_are_the_builders_blocks, 0, 2);
    tcase_add_test(tc, no_vote_without_the_da_certificate);
    tcase_add_test(tc, da_certificate_from_outside_the_committee_is_refused);
    tcase_add_test(tc, missing_share_is_fetched_then_voted);
    tcase_add_test(tc, header_must_state_the_committed_table);
    tcase_add_test(tc, da_member_checks_the_commitment);
    tcase_add_test(tc, da_member_restarts_with_its_payloads);
    tcase_add_test(tc, da_member_takes_its_own_share_when_the_cdn_is_down);
    tcase_add_test(tc, da_votes_out_of_order_but_once_a_view);
    tcase_add_test(tc, replica_rejects_a_share_that_does_not_verify);
    suite_add_tcase(suite, tc);
    return suite;
}
