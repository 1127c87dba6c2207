/*
 * equivocate: a leader that proposes two different leaves for its view. The broadcast of its
 * proposal is replaced by direct sends: the nodes with ids in the lower half get the honest
 * proposal, the others a sibling that differs only in the header's timestamp, re-signed with
 * its own key. Its own copy is the honest one. A replica considers one proposal per view, so
 * each node votes at most once and at most one of the two can be certified.
 */
#include "protocol/byzantine/behaviour.h"

static void equivocate(ProtoByzantine *b, ProtoAction *action, ProtoMsg *msg, GArray *out)
{
    msg->proposal.header.timestamp += 1; /* a different leaf for the same view */
    uint64_t size = 0;
    GBytes *other = byzantine__sign_proposal(b, msg, &size);
    uint32_t n = b->node->shared->node_count;
    for (ProtoNodeId id = 0; id < n; id++) {
        if (id == b->node->id) continue;
        gboolean first_half = id < n / 2;
        byzantine__add_bytes(b, out, id, PROTO_MSG_PROPOSAL, first_half ? action->bytes : other,
                             first_half ? action->size : size);
    }
    g_bytes_unref(other);
    byzantine__drop(b, action); /* replaced by the sends above */
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg msg;
    if (byzantine__is(action, PROTO_MSG_PROPOSAL) && action->kind == PROTO_ACTION_BROADCAST &&
        byzantine__decode(b, action, &msg)) {
        equivocate(b, action, &msg, out);
        proto_msg_clear(&msg);
    } else {
        byzantine__keep(b, out, action);
    }
}

const ByzantineBehaviour byzantine__equivocate = {
    .name = "equivocate",
    .help = "two different proposals for its view, one to each half of the nodes",
    .rewrite = rewrite,
};
