/*
 * withhold_votes: never sends a quorum vote or a DA vote, not even to itself as the next
 * leader, while it still proposes, disperses and forms certificates from the others' votes. Its
 * stake is missing from every QC and DA certificate, so the honest nodes must reach the
 * thresholds on their own (they can, below a third of the stake). Timeout and view-sync votes
 * go out as usual.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    if (byzantine__is(action, PROTO_MSG_QUORUM_VOTE) || byzantine__is(action, PROTO_MSG_DA_VOTE)) {
        byzantine__drop(b, action);
    } else {
        byzantine__keep(b, out, action);
    }
}

const ByzantineBehaviour byzantine__withhold_votes = {
    .name = "withhold_votes",
    .help = "never sends a quorum vote or a DA vote (it still leads)",
    .rewrite = rewrite,
};
