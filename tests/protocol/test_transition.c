/*
 * Epoch transitions without the simulator (consensus.c with protocol/epoch.h; hotshot.md 1.9,
 * espresso-network after PR #2853). On a few nodes with epochs of 10 blocks: the chain runs
 * through several transitions, the empty blocks eH-2 and eH-1 are decided only together with
 * eH, and the first proposal of each epoch comes from the new epoch's leader on a double QC of
 * the last block; the double-QC rule (a transition block's QC needs a quorum of both epochs'
 * tables) stalls the chain at the boundary when the next epoch's quorum does not vote, unless
 * the mutant last_qc_without_next is compiled in; and the transition-block rules (empty blocks,
 * consecutive views, heights after their QC's block, the restart from the transition QC) hold
 * for crafted proposals; and a leader's signed non-empty last block is refused, its empty twin
 * voted for; and a transition block's proposal with a wrong next-epoch DRB result is refused.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include "protocol/consensus-internal.h"

#include <string.h>

#define LENGTH 10

/* What the proposal filter saw. */
typedef struct Watch {
    uint32_t first_blocks; /* proposals of an epoch's first block (eH + 1) */
    uint32_t wrong_leader;
    uint32_t single_qc;         /* of those, justified by a QC without the next epoch's quorum */
    gboolean drop_votes_for_20; /* drop the votes of nodes 3 and 4 on block 20 */
    uint64_t stop_at_height;    /* drop everything once a proposal of this height appears */
    uint64_t stop_before;       /* the same, whoever the proposal of this height is sent to */
    gboolean stopped;
} Watch;

static gboolean watch(Harness *h, const Envelope *e, void *user_data)
{
    Watch *w = user_data;
    if (w->stopped) return TRUE;
    if (e->type != PROTO_MSG_PROPOSAL && e->type != PROTO_MSG_QUORUM_VOTE) return FALSE;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    ProtoDecodeContext ctx = {.node_count = h->n};
    ProtoMsg msg;
    if (proto_msg_decode(data, len, &ctx, &msg) != PROTO_OK) return FALSE;
    gboolean drop = FALSE;
    if (e->type == PROTO_MSG_QUORUM_VOTE) {
        const ProtoLeaf *leaf = proto_leaf_lookup(h->shared->leaves, &msg.vote.data);
        drop = w->drop_votes_for_20 && leaf != NULL && leaf->header.height == 20 &&
               (msg.vote.signer == 3 || msg.vote.signer == 4);
    } else if (w->stop_before != 0 && msg.proposal.header.height >= w->stop_before) {
        w->stopped = drop = TRUE;
    } else if (e->to == 0) { /* each broadcast once */
        const ProtoProposal *p = &msg.proposal;
        uint64_t height = p->header.height;
        if (w->stop_at_height != 0 && height >= w->stop_at_height) w->stopped = drop = TRUE;
        if (height > 1 &&
            proto_epoch_first_height(proto_epoch_of_height(height, LENGTH), LENGTH) == height) {
            const ProtoStakeTable *next =
                proto_epochs_table(h->epochs, proto_epoch_of_height(height, LENGTH));
            w->first_blocks++;
            w->wrong_leader += msg.sender != proto_stake_leader(next, p->view);
            w->single_qc += proto_stake_of_bitmap(next, p->justify_qc->signers) <
                            proto_stake_success_threshold(next);
        }
    }
    proto_msg_clear(&msg);
    return drop;
}

/* Nodes 0-3 with stake, node 4 without; at block 1 node 0 leaves and node 4 joins, so epochs 1
 * and 2 are {0, 1, 2, 3} and epoch 3 on is {1, 2, 3, 4}. */
static const uint64_t churn_stakes[5] = {1, 1, 1, 1, 0};
static const ProtoStakeChange churn[] = {
    {.height = 1, .kind = PROTO_STAKE_DEREGISTER, .node = 0},
    {.height = 1, .kind = PROTO_STAKE_REGISTER, .node = 4, .amount = 1},
};

static Harness *epoch_harness(ProtoMutant mutant)
{
    HarnessOptions o = {.nodes = 5,
                        .crypto = PROTO_CRYPTO_MODELED,
                        .leaders = PROTO_LEADER_STAKE_WEIGHTED,
                        .view_timeout = 2 * PROTO_S,
                        .stakes = churn_stakes,
                        .epoch_length = LENGTH,
                        .changes = churn,
                        .change_count = G_N_ELEMENTS(churn),
                        .mutant = mutant};
    return harness_new(&o);
}

START_TEST(chain_runs_through_transitions)
{
    Harness *h = epoch_harness(PROTO_MUTANT_NONE);
    Watch w = {0};
    h->filter = watch;
    h->filter_data = &w;
    harness_start(h);
    harness_run(h, 20000);
    for (ProtoNodeId node = 0; node < h->n; node++) {
        GArray *mine = harness_decisions_of(h, node);
        ck_assert_uint_gt(mine->len, 4 * LENGTH);
        for (guint i = 0; i < mine->len; i++) {
            const Decision *d = &g_array_index(mine, Decision, i);
            ck_assert_uint_eq(d->height, i + 1);
            /* eH-2 and eH-1 are decided by the same proposal as eH, never before it. */
            if (proto_epoch_must_be_empty(d->height, LENGTH) &&
                !proto_epoch_is_last(d->height, LENGTH) && i + 1 < mine->len) {
                const Decision *next = &g_array_index(mine, Decision, i + 1);
                ck_assert_uint_eq(d->trigger_view, next->trigger_view);
            }
        }
        g_array_unref(mine);
    }
    ck_assert_uint_ge(w.first_blocks, 4);
    ck_assert_uint_eq(w.wrong_leader, 0); /* led from the new epoch's table */
    ck_assert_uint_eq(w.single_qc, 0);    /* on a double QC */
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_REJECTED, 0), 0);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    /* The DRBs of the roots of epochs 1 and 2 set the beacons of epochs 3 and 4 before their
     * tables were built: the genesis beacon (the harness's {7}) no longer agrees. */
    const uint8_t genesis[32] = {7};
    ck_assert(!proto_epochs_set_beacon(h->epochs, 3, genesis));
    ck_assert(!proto_epochs_set_beacon(h->epochs, 4, genesis));
    harness_free(h);
}
END_TEST

/* Block 20 ends epoch 2; its QC needs 3 of {0, 1, 2, 3} and 3 of {1, 2, 3, 4}. Without the votes
 * of 3 and 4 only the first forms, so no block of epoch 3 is ever built, whatever the restarts
 * from the transition QC try; the mutant builds on the single QC and goes on. */
static uint64_t height_with_votes_for_20_dropped(ProtoMutant mutant, uint32_t *single_qc)
{
    Harness *h = epoch_harness(mutant);
    Watch w = {.drop_votes_for_20 = TRUE};
    h->filter = watch;
    h->filter_data = &w;
    harness_start(h);
    harness_run(h, 20000);
    harness_advance(h, h->now + 120 * PROTO_S);
    uint64_t height = 0;
    for (ProtoNodeId node = 0; node < h->n; node++)
        height = MAX(height, harness_height(h, node));
    *single_qc = w.single_qc;
    harness_free(h);
    return height;
}

START_TEST(double_qc_needs_the_next_epochs_quorum)
{
    uint32_t single_qc = 0;
    uint64_t honest = height_with_votes_for_20_dropped(PROTO_MUTANT_NONE, &single_qc);
    ck_assert_uint_ge(honest, 17); /* the transition block is decided ... */
    ck_assert_uint_lt(honest, 20); /* ... but the chain cannot leave the epoch */
    ck_assert_uint_eq(single_qc, 0);
    uint64_t mutant =
        height_with_votes_for_20_dropped(PROTO_MUTANT_LAST_QC_WITHOUT_NEXT, &single_qc);
    ck_assert_uint_gt(mutant, 20);
    ck_assert_uint_gt(single_qc, 0); /* epoch 3 began on a QC of epoch 2's table alone */
}
END_TEST

/* The leaf at `height` among node 0's stored leaves, or NULL. */
static const ProtoLeaf *stored_leaf(const Harness *h, uint64_t height)
{
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, h->nodes[0]->leaves); /* iteration-ok: a search by height */
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const ProtoLeaf *leaf = value;
        if (leaf->header.height == height) return leaf;
    }
    return NULL;
}

/* A proposal skeleton on `justify` (borrowed) for `height` in `view`. */
static ProtoProposal proposal_on(ProtoCert *justify, uint64_t height, ProtoView view)
{
    ProtoProposal p = {.view = view, .justify_qc = justify, .parent = justify->data};
    p.header.height = height;
    return p;
}

START_TEST(transition_blocks_follow_the_rules)
{
    Harness *h = epoch_harness(PROTO_MUTANT_NONE);
    Watch w = {.stop_at_height = 11};
    h->filter = watch;
    h->filter_data = &w;
    harness_start(h);
    harness_run(h, 20000);
    /* Node 0 holds blocks 8, 9 and 10 (the empty ones): their QCs certify 7, 8 and 9. */
    const ProtoLeaf *b8 = stored_leaf(h, 8), *b9 = stored_leaf(h, 9), *b10 = stored_leaf(h, 10);
    ck_assert(b8 != NULL && b9 != NULL && b10 != NULL);
    const ProtoNode *node = h->nodes[0];
    ProtoCert *qc7 = b8->justify_qc, *qc8 = b9->justify_qc, *qc9 = b10->justify_qc;
    ck_assert_uint_eq(node__cert_height(node, qc9), 9);
    /* The last block on QC(9) in the next view: fine; with transactions, or a view later: no. */
    ProtoProposal p = proposal_on(qc9, 10, qc9->view + 1);
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_OK);
    p.header.payload_size = 100;
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_ERR_FIELD);
    p = proposal_on(qc9, 10, qc9->view + 2);
    p.evidence_kind = PROTO_EVIDENCE_TC;
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_ERR_EVIDENCE);
    p = proposal_on(qc8, 9, qc8->view + 3);
    p.evidence_kind = PROTO_EVIDENCE_TC;
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_ERR_EVIDENCE);
    /* Restarting from the transition QC after a failure: eH-2 on QC(7) in any view, empty. */
    p = proposal_on(qc7, 8, qc9->view + 5);
    p.evidence_kind = PROTO_EVIDENCE_TC;
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_OK);
    p.header.payload_size = 1;
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_ERR_FIELD);
    /* A height that does not follow its QC's block. */
    p = proposal_on(qc7, 9, qc7->view + 1);
    ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_ERR_INCONSISTENT);
    /* The transition block itself may carry transactions. */
    const ProtoLeaf *b7 = stored_leaf(h, 7);
    if (b7 != NULL) {
        p = proposal_on(b7->justify_qc, 7, b7->justify_qc->view + 1);
        p.header.payload_size = 100;
        ck_assert_int_eq(consensus__check_transition(node, &p), PROTO_OK);
    }
    /* Double QCs: QC(8) holds quorums of epoch 1 and epoch 2 (the same table here). */
    ProtoNode *mutable_node = h->nodes[0];
    ck_assert_int_eq(node__check_qc(mutable_node, qc8), PROTO_OK);
    harness_free(h);
}
END_TEST

/* The signed proposal `leader` would send for block 10 in view 10 on `qc9`, carrying
 * `payload_size` bytes of transactions (encoded; caller unrefs). */
static GBytes *signed_last_block(Harness *h, ProtoNodeId leader, ProtoCert *qc9,
                                 uint64_t payload_size)
{
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = leader};
    ProtoProposal *p = &msg.proposal;
    *p = proposal_on(qc9, 10, 10);
    p->header.payload_size = payload_size;
    p->header.ns_table = g_bytes_new(NULL, 0);
    ProtoCommit commit;
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &commit);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, leader), &commit, &p->signature, &cpu);
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    g_bytes_unref(p->header.ns_table);
    return bytes;
}

/* A Byzantine leader's non-empty block after the transition block is refused; the same block
 * empty is voted for. */
START_TEST(non_empty_block_after_the_transition_block_is_refused)
{
    Harness *h = epoch_harness(PROTO_MUTANT_NONE);
    Watch w = {.stop_at_height = 10};
    h->filter = watch;
    h->filter_data = &w;
    harness_start(h);
    harness_run(h, 20000);
    ck_assert(w.stopped);
    /* The leader of view 10 formed QC(9) and proposed block 10, which nobody received. */
    ProtoNodeId leader = node__leader_at(h->nodes[0], 10, 10);
    ProtoCert *qc9 = h->nodes[leader]->high_qc;
    ck_assert_uint_eq(qc9->view, 9);
    ck_assert_uint_eq(node__cert_height(h->nodes[leader], qc9), 9);
    ProtoNodeId replica = (leader + 1) % 4;
    GBytes *full = signed_last_block(h, leader, qc9, 1000);
    ck_assert_int_eq(harness_inject(h, leader, replica, full), PROTO_ERR_FIELD);
    ck_assert_uint_eq(proto_node_last_voted_view(h->nodes[replica]), 9);
    g_bytes_unref(full);
    GBytes *empty = signed_last_block(h, leader, qc9, 0);
    ck_assert_int_eq(harness_inject(h, leader, replica, empty), PROTO_OK);
    ck_assert_uint_eq(proto_node_last_voted_view(h->nodes[replica]), 10);
    g_bytes_unref(empty);
    harness_free(h);
}
END_TEST

/* The signed proposal `leader` would send for block 20 on `qc19`, in the view after it, carrying
 * `drb` as
 * the next epoch's DRB result (none for NULL; encoded; caller unrefs). */
static GBytes *signed_block_20(Harness *h, ProtoNodeId leader, ProtoCert *qc19, const uint8_t *drb)
{
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = leader};
    ProtoProposal *p = &msg.proposal;
    *p = proposal_on(qc19, 20, qc19->view + 1);
    p->header.ns_table = g_bytes_new(NULL, 0);
    p->header.has_drb = drb != NULL;
    if (drb != NULL) memcpy(p->header.next_drb, drb, sizeof p->header.next_drb);
    ProtoCommit commit;
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &commit);
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, leader), &commit, &p->signature, &cpu);
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    g_bytes_unref(p->header.ns_table);
    return bytes;
}

/* Epoch 2's transition blocks (17 .. 20) carry epoch 3's DRB result; a replica refuses the last
 * block's proposal with a wrong result or none, and votes for it with the right one. */
START_TEST(wrong_drb_result_is_refused)
{
    Harness *h = epoch_harness(PROTO_MUTANT_NONE);
    Watch w = {.stop_before = 20};
    h->filter = watch;
    h->filter_data = &w;
    harness_start(h);
    harness_run(h, 20000);
    ck_assert(w.stopped);
    const ProtoLeaf *b19 = stored_leaf(h, 19);
    ck_assert(b19 != NULL && b19->header.has_drb);
    uint8_t right[32], wrong[32];
    memcpy(right, b19->header.next_drb, sizeof right);
    memcpy(wrong, right, sizeof wrong);
    wrong[0] ^= 1;
    ProtoView view = b19->view + 1;
    ProtoNodeId leader = node__leader_at(h->nodes[0], view, 20);
    ProtoCert *qc19 = h->nodes[leader]->high_qc;
    ck_assert_uint_eq(node__cert_height(h->nodes[leader], qc19), 19);
    ck_assert_uint_eq(qc19->view, b19->view);
    ProtoNodeId replica = 0; /* staked in epoch 2 and not yet sent block 20 */
    while (replica < 4 && (replica == leader || h->nodes[replica]->cur_view > view))
        replica++;
    ck_assert_uint_lt(replica, 4);
    GBytes *bad = signed_block_20(h, leader, qc19, wrong),
           *none = signed_block_20(h, leader, qc19, NULL);
    ck_assert_int_eq(harness_inject(h, leader, replica, bad), PROTO_ERR_INCONSISTENT);
    ck_assert_int_eq(harness_inject(h, leader, replica, none), PROTO_ERR_FIELD);
    ck_assert_uint_eq(proto_node_last_voted_view(h->nodes[replica]), b19->view);
    GBytes *good = signed_block_20(h, leader, qc19, right);
    ck_assert_int_eq(harness_inject(h, leader, replica, good), PROTO_OK);
    ck_assert_uint_eq(proto_node_last_voted_view(h->nodes[replica]), view);
    g_bytes_unref(bad);
    g_bytes_unref(none);
    g_bytes_unref(good);
    harness_free(h);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("transition");
    TCase *tc = tcase_create("transition");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, chain_runs_through_transitions);
    tcase_add_test(tc, double_qc_needs_the_next_epochs_quorum);
    tcase_add_test(tc, transition_blocks_follow_the_rules);
    tcase_add_test(tc, non_empty_block_after_the_transition_block_is_refused);
    tcase_add_test(tc, wrong_drb_result_is_refused);
    suite_add_tcase(suite, tc);
    return suite;
}
