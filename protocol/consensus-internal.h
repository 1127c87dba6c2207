/*
 * HotShot consensus (consensus.c), for node.c above it. Not part of the public interface.
 */
#ifndef SHOTGLASS_PROTOCOL_CONSENSUS_INTERNAL_H
#define SHOTGLASS_PROTOCOL_CONSENSUS_INTERNAL_H

#include "protocol/node_state-internal.h"

int consensus__on_proposal(ProtoNode *node, const ProtoMsg *msg, GBytes *bytes);
int consensus__on_proposal_response(ProtoNode *node, const ProtoMsg *msg);
int consensus__on_proposal_request(ProtoNode *node, const ProtoMsg *msg);
int consensus__on_vote(ProtoNode *node, const ProtoMsg *msg);
int consensus__on_high_qc(ProtoNode *node, const ProtoMsg *msg);
void consensus__on_view_timeout(ProtoNode *node);
void consensus__on_fetch_timer(ProtoNode *node);
void consensus__try_propose(ProtoNode *node);
/* Moves the node to `view` if it is higher than the current one: arms the view timer, sends
 * the new leader this node's high QC, drops vote tallies that can no longer matter, then lets
 * view sync and consensus react (which may propose). */
void consensus__enter_view(ProtoNode *node, ProtoView view, ProtoViewReason reason);
/* Acts on the requests a lower module left in node->requests (see node_state-internal.h):
 * votes, enters a view, proposes. The caller of a module below consensus calls this as soon as
 * that module returns. */
void consensus__take_requests(ProtoNode *node);
/* Epochs: the transition rules a structurally valid proposal must also meet (consensus.c);
 * PROTO_OK, PROTO_ERR_INCONSISTENT (height not after its QC's block), PROTO_ERR_FIELD (a block
 * of eH-2 .. eH with transactions, or height 0) or PROTO_ERR_EVIDENCE (eH-1 or eH not in the
 * view right after its parent's). */
int consensus__check_transition(const ProtoNode *node, const ProtoProposal *p);

#endif
