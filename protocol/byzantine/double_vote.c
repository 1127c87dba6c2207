/*
 * double_vote: for every quorum vote it casts, also sends its recipient a second, different
 * quorum vote for the same view, for a fabricated leaf commitment (the real one with its first
 * byte inverted), signed with its own key. Vote collectors tally per vote data (HotShot's
 * accumulator, hotshot.md 1.8), so the fabricated vote opens a tally no one else joins; it can
 * neither count twice for the real leaf nor certify the fabricated one.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg vote;
    if (!byzantine__is(action, PROTO_MSG_QUORUM_VOTE) || !byzantine__decode(b, action, &vote)) {
        byzantine__keep(b, out, action);
        return;
    }
    ProtoNodeId target = action->target;
    byzantine__keep(b, out, action);
    ProtoCommit fabricated = vote.vote.data;
    fabricated.bytes[0] ^= 0xff;
    ProtoMsg second = {.type = PROTO_MSG_QUORUM_VOTE, .sender = b->node->id};
    node__sign_vote(b->node, PROTO_CERT_QC, vote.vote.view, 0, &fabricated, &second.vote);
    byzantine__add(b, out, target, &second);
    proto_msg_clear(&vote);
}

const ByzantineBehaviour byzantine__double_vote = {
    .name = "double_vote",
    .help = "sends each quorum vote twice: the real one and one for a fabricated leaf",
    .rewrite = rewrite,
};
