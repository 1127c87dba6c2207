/*
 * nonempty_transition: with epochs, a leader that puts transactions in the blocks after an
 * epoch's transition block (eN-2, eN-1 and eN, which must be empty: hotshot.md 1.9,
 * espresso-network PR #2853). It takes its honest proposal of such a block, claims a payload
 * of NONEMPTY_PAYLOAD bytes in its header and signs it anew with its own key, so that the
 * proposal is valid in every respect but the emptiness rule. Honest nodes refuse it
 * (consensus__check_transition), the view fails, and the transition restarts from the
 * transition QC under the next leader. Its own copy is left alone (what the node does to its own
 * state is not what it shows the others), and other proposals go out as they are. Without
 * epochs it behaves honestly.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

/* The claimed payload size: any size above zero breaks the rule; 1 MiB is an arbitrary choice,
 * no calibrated parameter (without the data layer, which epochs refuse, no payload travels). */
#define NONEMPTY_PAYLOAD ((uint64_t)1 << 20)

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg msg;
    const ProtoEpochs *epochs = b->node->shared->epochs;
    if (epochs == NULL || !byzantine__is(action, PROTO_MSG_PROPOSAL) ||
        byzantine__to_self(b, action) || !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    ProtoProposal *p = &msg.proposal;
    if (proto_epoch_must_be_empty(p->header.height, proto_epochs_length(epochs)) &&
        p->header.payload_size == 0) {
        p->header.payload_size = NONEMPTY_PAYLOAD;
        uint64_t size = 0;
        GBytes *bytes = byzantine__sign_proposal(b, &msg, &size);
        byzantine__replace(b, out, action, bytes, action->size);
    } else {
        byzantine__keep(b, out, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__nonempty_transition = {
    .name = "nonempty_transition",
    .help = "with epochs, as a leader, puts transactions in the blocks after an epoch's "
            "transition block, which must be empty",
    .rewrite = rewrite,
};
