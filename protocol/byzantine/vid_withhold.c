/*
 * vid_withhold: a leader that disperses its block to the DA committee as usual but withholds the
 * VID shares. In even views it sends no share at all (not even its own); in odd views only to a
 * minority: itself, then the other nodes in ascending id while the recipients together hold at
 * most a quarter of the stake, well under the third that k = ceil(W/3) units need. Replicas
 * without their share cannot vote; after data_request_delay they ask the DA members, who
 * compute shares from the payload they stored, so the view completes late rather than not at
 * all (hotshot.md 2.2, missing-share recovery).
 */
#include "protocol/byzantine/behaviour.h"

/* Does `target` get its share of the block of `view`? */
static gboolean receives(const ProtoNode *node, ProtoView view, ProtoNodeId target)
{
    if (view % 2 == 0) return FALSE;
    const ProtoStakeTable *stake = node->shared->stake;
    uint64_t total = proto_stake_total(stake);
    uint64_t held = proto_stake_of(stake, node->id);
    if (4 * held > total) return FALSE; /* it alone holds more than a quarter */
    if (target == node->id) return TRUE;
    for (ProtoNodeId id = 0; id < node->shared->node_count; id++) {
        if (id == node->id) continue;
        held += proto_stake_of(stake, id);
        if (4 * held > total) return FALSE;
        if (id == target) return TRUE;
    }
    return FALSE;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg msg;
    if (!byzantine__is(action, PROTO_MSG_VID_SHARE) || !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (receives(b->node, msg.data.view, msg.data.owner)) {
        byzantine__keep(b, out, action);
    } else {
        byzantine__drop(b, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__vid_withhold = {
    .name = "vid_withhold",
    .help = "as a leader, sends VID shares to nobody, or to a minority under a quarter of stake",
    .rewrite = rewrite,
};
