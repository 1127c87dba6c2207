/* Byzantine behaviours; see byzantine.h. */
#include "protocol/byzantine.h"

#include "protocol/assert.h"
#include "protocol/node-internal.h"

#include <string.h>

typedef enum ForkState {
    FORK_WAITING, /* for a view v it leads with v+1 */
    FORK_ARMED,   /* withheld v, waits to lead v+1 on TC(v) */
    FORK_DONE,
} ForkState;

struct ProtoByzantine {
    ProtoByzantineKind kind;
    ProtoNode *node;
    ForkState fork_state;
    ProtoView fork_view;
    ProtoCert *fork_justify; /* the stale QC the fork builds on */
    uint64_t fork_height;    /* the height of the block the victim decides, taken by the fork */
    GBytes *fork_bytes;      /* the fork proposal, once built */
};

static const char *const names[PROTO_BYZANTINE_KIND_COUNT_] = {
    [PROTO_BYZANTINE_NONE] = "none",
    [PROTO_BYZANTINE_SILENT] = "silent",
    [PROTO_BYZANTINE_EQUIVOCATE] = "equivocate",
    [PROTO_BYZANTINE_FORK] = "fork",
};

gboolean proto_byzantine_lookup(const char *name, ProtoByzantineKind *kind)
{
    for (int i = 0; i < PROTO_BYZANTINE_KIND_COUNT_; i++) {
        if (strcmp(names[i], name) == 0) {
            *kind = (ProtoByzantineKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *proto_byzantine_name(ProtoByzantineKind kind)
{
    PROTO_ASSERT(kind < PROTO_BYZANTINE_KIND_COUNT_);
    return names[kind];
}

const char *proto_byzantine_help(void)
{
    return "silent       a leader that never proposes\n"
           "equivocate   two different proposals for its view, one to each half\n"
           "fork         leading two views in a row, withholds the first from all but one node\n"
           "             and proposes a fork on a stale QC in the second\n";
}

ProtoByzantine *proto_byzantine_new(ProtoByzantineKind kind, ProtoNode *node)
{
    PROTO_ASSERT(kind > PROTO_BYZANTINE_NONE && kind < PROTO_BYZANTINE_KIND_COUNT_);
    PROTO_ASSERT(node != NULL);
    ProtoByzantine *b = g_new0(ProtoByzantine, 1);
    b->kind = kind;
    b->node = node;
    return b;
}

void proto_byzantine_free(ProtoByzantine *b)
{
    if (b == NULL) return;
    proto_cert_unref(b->fork_justify);
    if (b->fork_bytes != NULL) g_bytes_unref(b->fork_bytes);
    g_free(b);
}

static void keep(GArray *out, ProtoAction *action)
{
    g_array_append_val(out, *action);
    memset(action, 0, sizeof *action);
}

static void send_bytes(GArray *out, ProtoNodeId target, ProtoMsgType type, GBytes *bytes,
                       uint64_t size)
{
    ProtoAction a = {.kind = PROTO_ACTION_SEND,
                     .target = target,
                     .msg_type = type,
                     .bytes = g_bytes_ref(bytes),
                     .size = size};
    g_array_append_val(out, a);
}

static gboolean decode_proposal(const ProtoByzantine *b, GBytes *bytes, ProtoMsg *msg)
{
    ProtoDecodeContext ctx = {.node_count = b->node->shared->node_count, .pool = NULL};
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    return proto_msg_decode(data, len, &ctx, msg) == PROTO_OK && msg->type == PROTO_MSG_PROPOSAL;
}

/* Re-signs a (modified) proposal with the node's own key and encodes it. */
static GBytes *sign_and_encode(ProtoByzantine *b, ProtoMsg *msg, uint64_t *size)
{
    ProtoProposal *p = &msg->proposal;
    ProtoCommit commit;
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &commit);
    proto_crypto_sign(b->node->env.signer, &commit, &p->signature, &b->node->cpu);
    return proto_msg_encode(msg, size);
}

static void equivocate(ProtoByzantine *b, ProtoAction *action, GArray *out)
{
    ProtoMsg msg;
    if (!decode_proposal(b, action->bytes, &msg)) {
        keep(out, action);
        return;
    }
    msg.proposal.header.timestamp += 1; /* a different leaf for the same view */
    uint64_t size = 0;
    GBytes *other = sign_and_encode(b, &msg, &size);
    for (ProtoNodeId id = 0; id < b->node->shared->node_count; id++) {
        if (id == b->node->id) continue;
        gboolean first_half = id < b->node->shared->node_count / 2;
        send_bytes(out, id, PROTO_MSG_PROPOSAL, first_half ? action->bytes : other,
                   first_half ? action->size : size);
    }
    g_bytes_unref(other);
    proto_msg_clear(&msg);
    proto_action_clear(action);
}

/* The timeout vote for `view` the attacker adds so that the others' timeouts make a TC. */
static void add_timeout_vote(ProtoByzantine *b, ProtoView view, GArray *out)
{
    ProtoNode *node = b->node;
    ProtoMsg vote = {.type = PROTO_MSG_TIMEOUT_VOTE, .sender = node->id};
    node__sign_vote(node, PROTO_CERT_TC, view, 0, NULL, &vote.vote);
    ProtoAction a = {.kind = PROTO_ACTION_SEND,
                     .target = node__leader(node, view + 1),
                     .msg_type = PROTO_MSG_TIMEOUT_VOTE};
    a.bytes = proto_msg_encode(&vote, &a.size);
    g_array_append_val(out, a);
}

/* In a view v it leads with v+1 as well: show the proposal to one victim only and arm the
 * fork on the QC below the block the victim is about to decide. */
static gboolean fork_arm(ProtoByzantine *b, const ProtoAction *action, const ProtoProposal *p,
                         GArray *out)
{
    ProtoNode *node = b->node;
    if (action->kind != PROTO_ACTION_BROADCAST || p->justify_qc->view + 1 != p->view ||
        node__leader(node, p->view + 1) != node->id) {
        return FALSE;
    }
    ProtoLeaf *a = node__leaf(node, &p->parent);
    ProtoLeaf *g = a != NULL ? node__leaf(node, &a->justify_qc->data) : NULL;
    if (g == NULL || g->view == 0 || node__leaf(node, &g->justify_qc->data) == NULL) return FALSE;
    ProtoNodeId victim = node->id == 0 ? 1 : 0;
    send_bytes(out, victim, PROTO_MSG_PROPOSAL, action->bytes, action->size);
    add_timeout_vote(b, p->view, out);
    b->fork_justify = proto_cert_ref(g->justify_qc);
    b->fork_height = g->header.height;
    b->fork_view = p->view + 1;
    b->fork_state = FORK_ARMED;
    return TRUE;
}

/* Replaces the node's proposal for the fork view by a sibling of the victim's decided block. */
static void fork_build(ProtoByzantine *b, ProtoMsg *msg)
{
    ProtoProposal *p = &msg->proposal;
    p->parent = b->fork_justify->data;
    p->header.height = b->fork_height;
    node__replace_cert(&p->justify_qc, b->fork_justify);
    uint64_t size = 0;
    b->fork_bytes = sign_and_encode(b, msg, &size);
}

static void fork_rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out)
{
    ProtoMsg msg;
    gboolean proposal =
        (action->kind == PROTO_ACTION_BROADCAST || action->kind == PROTO_ACTION_SEND) &&
        action->msg_type == PROTO_MSG_PROPOSAL && decode_proposal(b, action->bytes, &msg);
    if (!proposal) {
        /* While armed it ignores its own view timeout, staying in v+1 until the others'
         * timeout votes for v have all arrived and formed TC(v). */
        if (b->fork_state == FORK_ARMED && action->kind == PROTO_ACTION_TIMER_SET &&
            action->timer == PROTO_TIMER_VIEW) {
            action->at += b->node->config.view_timeout;
        }
        keep(out, action);
        return;
    }
    const ProtoProposal *p = &msg.proposal;
    if (b->fork_state == FORK_WAITING && fork_arm(b, action, p, out)) {
        proto_action_clear(action); /* the broadcast is withheld */
    } else if (b->fork_state == FORK_ARMED && p->view == b->fork_view &&
               p->evidence_kind == PROTO_EVIDENCE_TC) {
        if (b->fork_bytes == NULL) fork_build(b, &msg);
        g_bytes_unref(action->bytes);
        action->bytes = g_bytes_ref(b->fork_bytes);
        if (action->kind == PROTO_ACTION_SEND) b->fork_state = FORK_DONE; /* its own copy */
        keep(out, action);
    } else {
        keep(out, action);
    }
    proto_msg_clear(&msg);
}

void proto_byzantine_rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    gboolean proposal =
        action->msg_type == PROTO_MSG_PROPOSAL &&
        (action->kind == PROTO_ACTION_BROADCAST || action->kind == PROTO_ACTION_SEND);
    switch (b->kind) {
    case PROTO_BYZANTINE_SILENT:
        if (proposal) {
            proto_action_clear(action);
            return;
        }
        break;
    case PROTO_BYZANTINE_EQUIVOCATE:
        if (proposal && action->kind == PROTO_ACTION_BROADCAST) {
            equivocate(b, action, out);
            return;
        }
        break;
    case PROTO_BYZANTINE_FORK:
        fork_rewrite(b, action, out);
        return;
    case PROTO_BYZANTINE_NONE:
    case PROTO_BYZANTINE_KIND_COUNT_:
        PROTO_UNREACHABLE();
    }
    keep(out, action);
}
