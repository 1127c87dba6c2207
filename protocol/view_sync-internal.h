/*
 * View synchronization (view_sync.c), for the modules above it: consensus.c and node.c. Not part
 * of the public interface.
 */
#ifndef SHOTGLASS_PROTOCOL_VIEW_SYNC_INTERNAL_H
#define SHOTGLASS_PROTOCOL_VIEW_SYNC_INTERNAL_H

#include "protocol/node_state-internal.h"

void view_sync__start(ProtoNode *node, ProtoView round);
int view_sync__on_vote(ProtoNode *node, const ProtoMsg *msg);
/* Requests `enter_view` for a commit or finalize certificate, and `propose` for a finalize
 * one, for the caller to take at once (consensus__take_requests; see node_state-internal.h). */
int view_sync__on_cert(ProtoNode *node, const ProtoMsg *msg);
void view_sync__on_timer(ProtoNode *node);
/* Ends the view sync under way once the node has reached its round; consensus calls it on
 * every view change. */
void view_sync__on_view_entered(ProtoNode *node);

#endif
