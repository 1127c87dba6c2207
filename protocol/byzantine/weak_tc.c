/*
 * weak_tc: a leader that cuts the view before its own short with a timeout certificate of one
 * signature. When it leads v+1 and votes for the proposal of v (the vote goes to itself, as the
 * next leader), it also broadcasts at once a proposal for v+1 built on its high QC, QC(v-1),
 * with evidence "TC(v)" made of its own timeout vote for v alone: a TC far below the
 * floor(2S/3) + 1 of stake a TC needs. The proposal is valid in every other respect (its leader,
 * its signature, its justify QC, the locking rule). Honest nodes refuse it for its evidence and
 * carry on with view v, whose QC the node's honest state machine still forms and proposes on; a
 * node that accepts a TC without counting its stake (the accept_weak_tc mutant) abandons view v
 * for it, which the safety oracle's certificate check reports. Only without the DA layer (a
 * proposal would need a dispersed block); with it, the behaviour does nothing.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"
#include "protocol/da-internal.h"

/* TC(view) signed by the node alone. */
static ProtoCert *own_tc(ProtoNode *node, ProtoView view)
{
    ProtoVote vote;
    node__sign_vote(node, PROTO_CERT_TC, view, 0, NULL, &vote);
    ProtoAggregate aggregate;
    proto_aggregate_init(&aggregate, node->shared->crypto, PROTO_CERT_TC, view, 0, NULL);
    proto_aggregate_add(&aggregate, node->id, &vote.signature);
    ProtoCert *tc = proto_aggregate_finish(&aggregate, node->shared->crypto);
    proto_aggregate_clear(&aggregate);
    return tc;
}

/* The early proposal for `view` (v+1) on the high QC, QC(v-1); NULL when there is none. */
static GBytes *early_proposal(ProtoByzantine *b, ProtoView view, ProtoTime now, uint64_t *size)
{
    ProtoNode *node = b->node;
    ProtoLeaf *parent = node__leaf(node, &node->high_qc->data);
    if (parent == NULL || node->high_qc->view + 2 != view) return NULL;
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = node->id};
    ProtoProposal *p = &msg.proposal;
    p->view = view;
    p->parent = parent->commit;
    p->header.height = parent->header.height + 1;
    p->header.timestamp = now;
    p->header.ns_table = g_bytes_new(NULL, 0);
    p->justify_qc = proto_cert_ref(node->high_qc);
    p->evidence_kind = PROTO_EVIDENCE_TC;
    p->evidence = own_tc(node, view - 1);
    GBytes *bytes = byzantine__sign_proposal(b, &msg, size);
    proto_msg_clear(&msg);
    return bytes;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    ProtoNode *node = b->node;
    ProtoMsg msg;
    if (da__enabled(node) || !byzantine__is(action, PROTO_MSG_QUORUM_VOTE) ||
        !byzantine__to_self(b, action) || !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    ProtoView view = msg.vote.view + 1;
    proto_msg_clear(&msg);
    byzantine__keep(b, out, action);
    uint64_t size = 0;
    GBytes *bytes = early_proposal(b, view, now, &size);
    if (bytes == NULL) return;
    byzantine__add_bytes(b, out, PROTO_NODE_NONE, PROTO_MSG_PROPOSAL, bytes, size);
    g_bytes_unref(bytes);
}

const ByzantineBehaviour byzantine__weak_tc = {
    .name = "weak_tc",
    .help = "as the next leader, proposes at once on a TC of its own signature alone",
    .rewrite = rewrite,
};
