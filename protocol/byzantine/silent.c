/*
 * silent: a leader that is up but never proposes. Its proposals (the broadcast and its own
 * copy) are withheld; everything else, votes included, goes out as the honest node sends it, so
 * the views it leads time out and the others move on with a TC.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    if (byzantine__is(action, PROTO_MSG_PROPOSAL)) {
        byzantine__drop(b, action);
    } else {
        byzantine__keep(b, out, action);
    }
}

const ByzantineBehaviour byzantine__silent = {
    .name = "silent",
    .help = "a leader that never proposes",
    .rewrite = rewrite,
};
