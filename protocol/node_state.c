/*
 * The node-state layer, the bottom of a node (layers in node_state-internal.h): appending to
 * the outbox (actions, notes, messages, timers), and the helpers every protocol module uses:
 * the leader schedule, the leaf store, certificate checks, vote signing and vote accumulation.
 * It calls no other part of the node.
 */
#include "protocol/node_state-internal.h"

#include "protocol/assert.h"

#include <string.h>

/* --- outbox ----------------------------------------------------------------------------------- */

static void outbox_grow(ProtoNode *node)
{
    uint32_t old = node->outbox_capacity;
    uint32_t endpoints = MAX(node->shared->node_count, node->shared->endpoint_count);
    PROTO_ASSERT(old < NODE_OUTBOX_MAX + 4 * (uint64_t)endpoints);
    ProtoAction *ring = g_new0(ProtoAction, old * 2);
    for (uint32_t i = 0; i < node->outbox_len; i++) {
        ring[i] = node->outbox[(node->outbox_head + i) % old];
    }
    g_free(node->outbox);
    node->outbox = ring;
    node->outbox_head = 0;
    node->outbox_capacity = old * 2;
}

void node__emit(ProtoNode *node, const ProtoAction *action)
{
    if (node->outbox_len == node->outbox_capacity) outbox_grow(node);
    node->outbox[(node->outbox_head + node->outbox_len) % node->outbox_capacity] = *action;
    node->outbox_len++;
}

void node__note(ProtoNode *node, ProtoNoteKind note, ProtoView view, int64_t value)
{
    ProtoAction action = {.kind = PROTO_ACTION_NOTE, .note = note, .view = view, .value = value};
    node__emit(node, &action);
}

/* The view a message is about (HotShot's view_number()), for the types whose transmit the
 * combined network may delay by view (see ProtoAction.view); 0 for the others. */
static ProtoView message_view(const ProtoMsg *msg)
{
    switch ((int)msg->type) {
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_DA_VOTE:
        return msg->vote.view;
    case PROTO_MSG_DA_CERT:
        return msg->cert->view;
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_VID_SHARE:
        return msg->data.view;
    default:
        return 0;
    }
}

static void emit_message(ProtoNode *node, ProtoActionKind kind, ProtoNodeId target,
                         const ProtoMsg *msg)
{
    PROTO_ASSERT(msg->sender == node->id);
    ProtoAction action = {
        .kind = kind, .target = target, .msg_type = msg->type, .view = message_view(msg)};
    action.bytes = proto_msg_encode(msg, &action.size);
    node__emit(node, &action);
}

void node__send(ProtoNode *node, ProtoNodeId target, const ProtoMsg *msg)
{
    PROTO_ASSERT(target < node->shared->endpoint_count); /* validators, builder, rollups */
    emit_message(node, PROTO_ACTION_SEND, target, msg);
}

void node__broadcast(ProtoNode *node, const ProtoMsg *msg)
{
    emit_message(node, PROTO_ACTION_BROADCAST, PROTO_NODE_NONE, msg);
}

void node__timer_set(ProtoNode *node, ProtoTimer timer, ProtoTime at)
{
    PROTO_ASSERT(timer < PROTO_TIMER_COUNT_ && at >= node->now);
    ProtoAction action = {.kind = PROTO_ACTION_TIMER_SET, .timer = timer, .at = at};
    node__emit(node, &action);
}

void node__timer_cancel(ProtoNode *node, ProtoTimer timer)
{
    PROTO_ASSERT(timer < PROTO_TIMER_COUNT_);
    ProtoAction action = {.kind = PROTO_ACTION_TIMER_CANCEL, .timer = timer};
    node__emit(node, &action);
}

/* --- helpers ---------------------------------------------------------------------------------- */

ProtoNodeId node__leader(const ProtoNode *node, ProtoView view)
{
    if (node->shared->epochs == NULL) return proto_stake_leader(node->shared->stake, view);
    return proto_stake_leader(node__table(node, node->epoch), view);
}

const ProtoStakeTable *node__table(const ProtoNode *node, ProtoEpoch epoch)
{
    if (node->shared->epochs == NULL) return node->shared->stake;
    return proto_epochs_table(node->shared->epochs, epoch);
}

ProtoNodeId node__leader_at(const ProtoNode *node, ProtoView view, uint64_t height)
{
    ProtoEpochs *epochs = node->shared->epochs;
    if (epochs == NULL) return proto_stake_leader(node->shared->stake, view);
    ProtoEpoch epoch = proto_epoch_of_height(height, proto_epochs_length(epochs));
    return proto_stake_leader(proto_epochs_table(epochs, epoch), view);
}

uint64_t node__cert_height(const ProtoNode *node, const ProtoCert *cert)
{
    PROTO_ASSERT(cert != NULL);
    if (proto_cert_is_genesis(cert)) return 0;
    const ProtoLeaf *leaf = proto_leaf_lookup(node->shared->leaves, &cert->data);
    return leaf != NULL ? leaf->header.height : UINT64_MAX;
}

void node__refresh_epoch(ProtoNode *node)
{
    PROTO_ASSERT(node->shared->epochs != NULL);
    uint64_t height = node__cert_height(node, node->high_qc);
    if (height == UINT64_MAX) return; /* an unknown block: keep the epoch until it is known */
    node->epoch = proto_epoch_of_height(height + 1, proto_epochs_length(node->shared->epochs));
    PROTO_ASSERT(node->epoch >= 1);
}

void node__replace_cert(ProtoCert **slot, ProtoCert *cert)
{
    ProtoCert *old = *slot;
    *slot = cert != NULL ? proto_cert_ref(cert) : NULL;
    proto_cert_unref(old);
}

ProtoLeaf *node__leaf(const ProtoNode *node, const ProtoCommit *commit)
{
    return g_hash_table_lookup(node->leaves, commit);
}

void node__store_leaf(ProtoNode *node, ProtoLeaf *leaf)
{
    if (g_hash_table_contains(node->leaves, &leaf->commit)) return;
    g_hash_table_insert(node->leaves, &leaf->commit, proto_leaf_ref(leaf));
}

static gboolean recently_verified(const ProtoNode *node, const ProtoCommit *digest)
{
    for (int i = 0; i < NODE_RECENT_CERTS; i++) {
        if (proto_commit_equal(&node->recent_certs[i], digest)) return TRUE;
    }
    return FALSE;
}

/*
 * Checks a certificate: the genesis QC is valid without signatures; anything else needs a
 * valid aggregate (crypto) from signers holding at least `threshold` stake. A node remembers
 * the last few certificates it verified, as an implementation would, so the 1,000 copies of
 * one QC a leader receives in high-QC messages cost it one verification, not 1,000.
 */
static int check_cert_in(ProtoNode *node, const ProtoCert *cert, const ProtoStakeTable *table,
                         uint64_t threshold)
{
    if (proto_cert_is_genesis(cert)) {
        return cert->kind == PROTO_CERT_QC &&
                       proto_commit_equal(&cert->data, &node->shared->genesis->commit)
                   ? PROTO_OK
                   : PROTO_ERR_SIGNATURE;
    }
    if (recently_verified(node, &cert->digest)) return PROTO_OK;
    int rc = proto_crypto_verify_cert(node->shared->crypto, cert, &node->cpu);
    /* mutant accept_bad_qc: the signatures' verdict is ignored (the stake is still counted) */
    if (node__mutant(node, PROTO_MUTANT_ACCEPT_BAD_QC) && rc == PROTO_ERR_SIGNATURE) rc = PROTO_OK;
    if (rc != PROTO_OK) return rc;
    if (cert->kind == PROTO_CERT_DA) {
        /* A DA certificate is signed by committee members only, with enough committee stake. */
        const uint8_t *members = node->shared->da_members;
        PROTO_ASSERT(cert->node_count == node->shared->node_count); /* checked by the crypto */
        for (size_t byte = 0; byte < ((size_t)cert->node_count + 7) / 8; byte++) {
            /* Eight signers at a time; without a committee (DA off) no signer is a member. */
            uint8_t outsiders =
                members != NULL ? cert->signers[byte] & ~members[byte] : cert->signers[byte];
            if (outsiders != 0) return PROTO_ERR_SENDER;
        }
    }
    if (proto_stake_of_bitmap(table, cert->signers) < threshold) return PROTO_ERR_THRESHOLD;
    node->recent_certs[node->recent_next] = cert->digest;
    node->recent_next = (node->recent_next + 1) % NODE_RECENT_CERTS;
    return PROTO_OK;
}

int node__check_cert(ProtoNode *node, const ProtoCert *cert, uint64_t threshold)
{
    return check_cert_in(node, cert, node__table(node, node->epoch), threshold);
}

/* floor(2S/3) + 1 of `table` (a majority under the mutant quorum_half). */
static uint64_t quorum_of(const ProtoNode *node, const ProtoStakeTable *table)
{
    /* mutant quorum_half: a majority instead of more than two thirds */
    if (node__mutant(node, PROTO_MUTANT_QUORUM_HALF)) return proto_stake_total(table) / 2 + 1;
    return proto_stake_success_threshold(table);
}

uint64_t node__quorum_threshold(const ProtoNode *node)
{
    return quorum_of(node, node__table(node, node->epoch));
}

/* The tables whose quorums a QC on a block at `height` needs: its epoch's, and for a block of the
 * transition the next epoch's too (else NULL). An unknown height: the node's epoch alone. */
static void qc_tables(const ProtoNode *node, uint64_t height, const ProtoStakeTable **table,
                      const ProtoStakeTable **next)
{
    ProtoEpochs *epochs = node->shared->epochs;
    *next = NULL;
    if (epochs == NULL || height == UINT64_MAX) {
        *table = node__table(node, node->epoch);
        return;
    }
    uint64_t length = proto_epochs_length(epochs);
    ProtoEpoch epoch = proto_epoch_of_height(height, length);
    *table = proto_epochs_table(epochs, epoch);
    if (!proto_epoch_in_transition(height, length)) return;
    /* mutant last_qc_without_next: the last block's QC is taken without its next-epoch QC */
    if (proto_epoch_is_last(height, length) &&
        node__mutant(node, PROTO_MUTANT_LAST_QC_WITHOUT_NEXT)) {
        return;
    }
    *next = proto_epochs_table(epochs, epoch + 1);
}

int node__check_qc(ProtoNode *node, const ProtoCert *qc)
{
    if (node->shared->epochs == NULL || proto_cert_is_genesis(qc)) {
        return node__check_cert(node, qc, node__quorum_threshold(node));
    }
    const ProtoStakeTable *table, *next;
    qc_tables(node, node__cert_height(node, qc), &table, &next);
    int rc = check_cert_in(node, qc, table, quorum_of(node, table));
    if (rc != PROTO_OK || next == NULL) return rc;
    /* The next-epoch QC: the same votes, counted in the next epoch's table. */
    if (proto_stake_of_bitmap(next, qc->signers) < quorum_of(node, next)) {
        return PROTO_ERR_THRESHOLD;
    }
    return PROTO_OK;
}

/* proto_vote_commit through the run's memo (ProtoShared.vote_commits). */
static void vote_commit(ProtoNode *node, ProtoCertKind kind, ProtoView view, uint32_t relay,
                        const ProtoCommit *data, ProtoCommit *out)
{
    ProtoShared *shared = node->shared;
    for (int i = 0; i < PROTO_VOTE_COMMIT_MEMOS; i++) {
        const ProtoVoteCommitMemo *m = &shared->vote_commits[i];
        if (m->kind == kind && m->view == view && m->relay == relay &&
            proto_commit_equal(&m->data, data)) {
            *out = m->commit;
            return;
        }
    }
    proto_vote_commit(kind, view, relay, data, out);
    ProtoVoteCommitMemo *m = &shared->vote_commits[shared->vote_commit_next];
    shared->vote_commit_next = (shared->vote_commit_next + 1) % PROTO_VOTE_COMMIT_MEMOS;
    *m = (ProtoVoteCommitMemo){.kind = kind, .view = view, .relay = relay, .data = *data};
    m->commit = *out;
}

void node__sign_vote(ProtoNode *node, ProtoCertKind kind, ProtoView view, uint32_t relay,
                     const ProtoCommit *data, ProtoVote *vote)
{
    ProtoCommit message;
    memset(vote, 0, sizeof *vote);
    vote->view = view;
    vote->relay = relay;
    if (data != NULL) vote->data = *data;
    vote->signer = node->id;
    vote_commit(node, kind, view, relay, &vote->data, &message);
    proto_crypto_sign(node->env.signer, &message, &vote->signature, &node->cpu);
}

static Accumulator *find_accumulator(ProtoNode *node, ProtoCertKind kind, const ProtoVote *vote)
{
    if (node->accumulators == NULL) return NULL;
    for (int i = 0; i < NODE_ACCUMULATORS_MAX; i++) {
        Accumulator *a = &node->accumulators[i];
        if (a->active && a->aggregate.kind == kind && a->aggregate.view == vote->view &&
            a->aggregate.relay == vote->relay &&
            proto_commit_equal(&a->aggregate.data, &vote->data)) {
            return a;
        }
    }
    return NULL;
}

static ProtoView view_distance(const ProtoNode *node, ProtoView view)
{
    return view > node->cur_view ? view - node->cur_view : node->cur_view - view;
}

/*
 * A free slot, or the one least likely to matter: the tally for the view farthest from the
 * current one, then the one with least stake. (Evicting the lowest view instead let one
 * Byzantine node, flooding votes for the next 32 views, evict the tally of the view under way
 * at every node and halt a 4-node chain: found by the spam behaviour's test.)
 */
static Accumulator *claim_accumulator(ProtoNode *node)
{
    Accumulator *victim = NULL;
    ProtoView worst = 0;
    if (node->accumulators == NULL) node->accumulators = g_new0(Accumulator, NODE_ACCUMULATORS_MAX);
    for (int i = 0; i < NODE_ACCUMULATORS_MAX; i++) {
        Accumulator *a = &node->accumulators[i];
        if (!a->active) return a;
        ProtoView distance = view_distance(node, a->aggregate.view);
        if (victim == NULL || distance > worst || (distance == worst && a->stake < victim->stake)) {
            victim = a;
            worst = distance;
        }
    }
    proto_aggregate_clear(&victim->aggregate);
    victim->active = FALSE;
    node->accumulators_active--;
    return victim;
}

/*
 * Counts a vote of `kind` whose recipient role the caller has checked. Votes are tallied per
 * (kind, view, relay, data): a key voting for two different data is counted in both tallies,
 * as in HotShot's accumulator. Returns the certificate (new reference) when this vote makes the
 * tally reach its threshold, else NULL with `*rc` set (PROTO_OK while still collecting).
 */
/* The tables a tally of `kind` for `vote` counts in (see qc_tables; DA votes count in the
 * genesis table, as the committee's stake does). */
static void vote_tables(const ProtoNode *node, ProtoCertKind kind, const ProtoVote *vote,
                        const ProtoStakeTable **table, const ProtoStakeTable **next)
{
    *next = NULL;
    if (node->shared->epochs == NULL || kind == PROTO_CERT_DA) {
        *table = kind == PROTO_CERT_DA ? node->shared->stake : node__table(node, node->epoch);
        return;
    }
    if (kind != PROTO_CERT_QC) {
        *table = node__table(node, node->epoch);
        return;
    }
    const ProtoLeaf *leaf = proto_leaf_lookup(node->shared->leaves, &vote->data);
    qc_tables(node, leaf != NULL ? leaf->header.height : UINT64_MAX, table, next);
}

ProtoCert *node__accumulate(ProtoNode *node, ProtoCertKind kind, const ProtoVote *vote, int *rc)
{
    const ProtoStakeTable *stake, *next;
    vote_tables(node, kind, vote, &stake, &next);
    uint64_t threshold = kind == PROTO_CERT_VS_PRECOMMIT ? proto_stake_one_honest_threshold(stake)
                         : kind == PROTO_CERT_DA         ? node->shared->da_threshold
                                                         : quorum_of(node, stake);
    Accumulator *a = find_accumulator(node, kind, vote);
    *rc = PROTO_OK;
    if (a != NULL &&
        (a->done || (a->aggregate.signers[vote->signer >> 3] >> (vote->signer & 7)) & 1)) {
        *rc = PROTO_ERR_DUPLICATE;
        return NULL;
    }
    /* Only the DA committee's votes count towards a DA certificate; a transition block's votes
     * count if the signer has stake in either epoch. */
    uint64_t signer_next = next != NULL ? proto_stake_of(next, vote->signer) : 0;
    if ((proto_stake_of(stake, vote->signer) == 0 && signer_next == 0) ||
        (kind == PROTO_CERT_DA && !proto_shared_is_da_member(node->shared, vote->signer))) {
        *rc = PROTO_ERR_SENDER;
        return NULL;
    }
    ProtoCommit message;
    vote_commit(node, kind, vote->view, vote->relay, &vote->data, &message);
    *rc = proto_crypto_verify(node->shared->crypto, vote->signer, &message, &vote->signature,
                              &node->cpu);
    if (*rc != PROTO_OK) return NULL;
    if (a == NULL) {
        a = claim_accumulator(node);
        a->active = TRUE;
        node->accumulators_active++;
        PROTO_ASSERT(node->accumulators_active <= NODE_ACCUMULATORS_MAX);
        a->done = FALSE;
        a->stake = 0;
        a->stake_next = 0;
        proto_aggregate_init(&a->aggregate, node->shared->crypto, kind, vote->view, vote->relay,
                             &vote->data);
    }
    proto_aggregate_add(&a->aggregate, vote->signer, &vote->signature);
    a->stake += proto_stake_of(stake, vote->signer);
    a->stake_next += signer_next;
    if (a->stake < threshold) return NULL;
    if (next != NULL && a->stake_next < quorum_of(node, next)) return NULL; /* a double QC */
    a->done = TRUE;
    ProtoCert *cert = proto_aggregate_finish(&a->aggregate, node->shared->crypto);
    /* Later votes for a done tally are ignored unread, so its signer bits can go now: the
     * certificate has them. */
    proto_aggregate_release(&a->aggregate);
    return cert;
}
