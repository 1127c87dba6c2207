/*
 * da_no_store: a DA committee member that votes for payloads it does not keep. The honest node
 * checks and stores the DA proposal's payload, notes it (DA_STORED) and DA-votes; this
 * behaviour lets the vote go and, at the note, drops the payload from the node's DA record and
 * withholds the note itself, which would tell observers it holds data it does not. Afterwards
 * the node cannot compute shares for replicas that ask it (VID requests go unanswered unless
 * for its own share) nor namespaces for rollups. Its DA certificate contributions are thus
 * empty promises: with its stake below the DA threshold's margin, honest members still hold
 * every certified payload.
 */
#include "protocol/byzantine/behaviour.h"

static void forget_payload(ProtoNode *node, ProtoView view)
{
    if (node->da == NULL || view == 0) return;
    DaRecord *r = &node->da[view % node->config.da_retain_views];
    if (r->view != view || r->payload == NULL) return;
    proto_payload_unref(r->payload);
    r->payload = NULL;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    if (action->kind == PROTO_ACTION_NOTE && action->note == PROTO_NOTE_DA_STORED) {
        forget_payload(b->node, action->view);
        byzantine__drop(b, action);
    } else {
        byzantine__keep(b, out, action);
    }
}

const ByzantineBehaviour byzantine__da_no_store = {
    .name = "da_no_store",
    .help = "as a DA member, DA-votes for payloads but throws them away",
    .rewrite = rewrite,
};
