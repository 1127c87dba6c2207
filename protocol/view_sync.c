/*
 * View synchronization: HotShot's three-phase relay protocol (NK20-derived), used when neither
 * a QC nor a TC moves the nodes forward. Specification: ../shared/protocol/hotshot.md 1.7.
 *
 * How it works, for a target round R (a view to jump to):
 *   - A node whose view timer expires twice in a row sends a pre-commit vote for (R, relay 0)
 *     to the relay L(R + 0) and arms view_sync_timeout.
 *   - The relay L(R + r) collects votes addressed to relay r: f+1 pre-commit votes (one honest
 *     node wants R) make a pre-commit certificate, 2f+1 commit votes a commit certificate, 2f+1
 *     finalize votes a finalize certificate; each is broadcast to all.
 *   - On a valid pre-commit certificate for R a node sends a commit vote to the same relay, even
 *     if it never timed out (this is how stragglers are pulled in). On a commit certificate it
 *     sends a finalize vote and immediately enters view R. On a finalize certificate it enters
 *     R; the leader of R attaches that certificate to its proposal as evidence.
 *   - If a relay attempt times out, r advances and the node sends a fresh pre-commit vote to
 *     L(R + r), whatever phase it was in.
 * Certificates for a higher round abandon a lower one; duplicates change nothing.
 *
 * Among the node's layers (node_state-internal.h) this module sits on node_state.c, below
 * consensus.c: entering a round, and proposing on a finalize certificate, are requests it leaves
 * in node->requests for consensus; consensus tells it of every view change
 * (view_sync__on_view_entered).
 */
#include "protocol/view_sync-internal.h"

#include "protocol/assert.h"

static ProtoMsgType vote_type(ProtoCertKind kind)
{
    switch (kind) {
    case PROTO_CERT_VS_PRECOMMIT:
        return PROTO_MSG_VS_PRECOMMIT_VOTE;
    case PROTO_CERT_VS_COMMIT:
        return PROTO_MSG_VS_COMMIT_VOTE;
    case PROTO_CERT_VS_FINALIZE:
        return PROTO_MSG_VS_FINALIZE_VOTE;
    case PROTO_CERT_QC:
    case PROTO_CERT_TC:
    case PROTO_CERT_DA:
    case PROTO_CERT_KIND_COUNT_:
        break;
    }
    PROTO_UNREACHABLE();
}

static ProtoMsgType cert_type(ProtoCertKind kind)
{
    return (ProtoMsgType)(vote_type(kind) +
                          (PROTO_MSG_VS_PRECOMMIT_CERT - PROTO_MSG_VS_PRECOMMIT_VOTE));
}

static void send_vote(ProtoNode *node, ProtoCertKind kind, ProtoView round, uint32_t relay)
{
    ProtoMsg msg = {.type = vote_type(kind), .sender = node->id};
    node__sign_vote(node, kind, round, relay, NULL, &msg.vote);
    node__send(node, node__leader(node, round + relay), &msg);
}

static void arm(ProtoNode *node)
{
    node__timer_set(node, PROTO_TIMER_VIEW_SYNC, node->now + node->config.view_sync_timeout);
}

void view_sync__start(ProtoNode *node, ProtoView round)
{
    if (round <= node->cur_view || round <= node->vs_round) return;
    node->vs_round = round;
    node->vs_relay = 0;
    node->vs_phase = VIEW_SYNC_PRECOMMIT;
    node->stats.view_syncs++;
    node__note(node, PROTO_NOTE_VIEW_SYNC_STARTED, round, 0);
    send_vote(node, PROTO_CERT_VS_PRECOMMIT, round, 0);
    arm(node);
}

void view_sync__on_timer(ProtoNode *node)
{
    if (node->vs_round == 0 || node->vs_round <= node->cur_view) return;
    node->vs_relay++;
    node->vs_phase = VIEW_SYNC_PRECOMMIT;
    send_vote(node, PROTO_CERT_VS_PRECOMMIT, node->vs_round, node->vs_relay);
    arm(node);
}

void view_sync__on_view_entered(ProtoNode *node)
{
    if (node->vs_round == 0 || node->cur_view < node->vs_round) return;
    node->vs_round = 0;
    node->vs_relay = 0;
    node->vs_phase = VIEW_SYNC_IDLE;
    node__timer_cancel(node, PROTO_TIMER_VIEW_SYNC);
}

/* The relay's side: count a vote addressed to this node as relay r of round R. */
int view_sync__on_vote(ProtoNode *node, const ProtoMsg *msg)
{
    ProtoCertKind kind = proto_msg_vote_kind(msg->type);
    const ProtoVote *vote = &msg->vote;
    if (vote->signer != msg->sender) return PROTO_ERR_SENDER;
    if (!proto_commit_is_zero(&vote->data)) return PROTO_ERR_FIELD;
    /* The relay index grows by one per failed attempt and may exceed the node count: the relay
     * is L(R + r), which wraps over the leader schedule (HotShot #2489 mishandled exactly a
     * node being relay more than once). */
    if (vote->view == 0) return PROTO_ERR_FIELD;
    if (node__leader(node, vote->view + vote->relay) != node->id) return PROTO_ERR_NOT_RECIPIENT;
    if (vote->view < node->cur_view) return PROTO_ERR_STALE;
    int rc;
    ProtoCert *cert = node__accumulate(node, kind, vote, &rc);
    if (cert == NULL) return rc;
    node__note(node, PROTO_NOTE_VIEW_SYNC_CERT, cert->view, kind);
    ProtoMsg out = {.type = cert_type(kind), .sender = node->id, .cert = cert};
    node__broadcast(node, &out);
    node__send(node, node->id, &out); /* the relay is a replica too */
    proto_cert_unref(cert);
    return PROTO_OK;
}

/* Has this node already moved past `phase` for (round, relay)? */
static gboolean already(const ProtoNode *node, ProtoView round, uint32_t relay, ViewSyncPhase phase)
{
    return node->vs_round == round && node->vs_relay == relay && node->vs_phase >= phase;
}

static void follow(ProtoNode *node, ProtoView round, uint32_t relay, ViewSyncPhase phase)
{
    if (node->vs_round < round) node__note(node, PROTO_NOTE_VIEW_SYNC_STARTED, round, relay);
    node->vs_round = round;
    node->vs_relay = relay;
    node->vs_phase = phase;
}

/* The replica's side: react to a certificate from a relay. */
int view_sync__on_cert(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoCert *cert = msg->cert;
    ProtoView round = cert->view;
    gboolean finalize = cert->kind == PROTO_CERT_VS_FINALIZE;
    if (round == 0) return PROTO_ERR_FIELD;
    if (round < node->cur_view) return PROTO_ERR_STALE;
    const ProtoStakeTable *stake = node__table(node, node->epoch);
    uint64_t threshold = cert->kind == PROTO_CERT_VS_PRECOMMIT
                             ? proto_stake_one_honest_threshold(stake)
                             : node__quorum_threshold(node);
    int rc = node__check_cert(node, cert, threshold);
    if (rc != PROTO_OK) return rc;
    if (!finalize && (round == node->cur_view || round < node->vs_round)) {
        /* A round below the one this node syncs to, or the view it is in already: peers behind
         * it want that view. HotShot runs one replica task per round (view_sync.rs,
         * send_to_or_create_replica drops a certificate only below the current view), so the
         * node votes in it too, keeping its own round: without this, nodes split over two views
         * after a partition with no quorum on either side never sync again (the lower round
         * lacks the votes of those ahead, the higher one the f+1 to start). */
        if (cert->kind == PROTO_CERT_VS_PRECOMMIT) {
            send_vote(node, PROTO_CERT_VS_COMMIT, round, cert->relay);
        } else {
            send_vote(node, PROTO_CERT_VS_FINALIZE, round, cert->relay);
            if (round > node->cur_view) node->requests.enter_view = round;
        }
        return PROTO_OK;
    }
    if (cert->kind == PROTO_CERT_VS_PRECOMMIT) {
        if (already(node, round, cert->relay, VIEW_SYNC_COMMIT)) return PROTO_ERR_DUPLICATE;
        follow(node, round, cert->relay, VIEW_SYNC_COMMIT);
        send_vote(node, PROTO_CERT_VS_COMMIT, round, cert->relay);
        arm(node);
    } else if (cert->kind == PROTO_CERT_VS_COMMIT) {
        if (already(node, round, cert->relay, VIEW_SYNC_FINALIZE)) return PROTO_ERR_DUPLICATE;
        follow(node, round, cert->relay, VIEW_SYNC_FINALIZE);
        send_vote(node, PROTO_CERT_VS_FINALIZE, round, cert->relay);
        node->requests.enter_view = round;
    } else {
        if (node->vs_finalize == NULL || node->vs_finalize->view < round) {
            node__replace_cert(&node->vs_finalize, (ProtoCert *)cert);
        }
        node->requests.enter_view = round; /* then propose, if this node leads the round */
        node->requests.propose = TRUE;
    }
    return PROTO_OK;
}
