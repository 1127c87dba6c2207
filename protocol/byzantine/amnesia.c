/*
 * amnesia: a node that loses what it was supposed to persist when it restarts: its high QC and
 * lock, the views it voted and proposed in (HotShot's last actioned views, #3648/#3686), and its
 * decided anchor. It comes back as a fresh node in view 1, so it votes for whatever a valid
 * proposal asks, including proposals that conflict with the lock it held before, and may vote
 * again in views it voted in. Running it is the driver's part (byzantine.h, step 4): the
 * restart hook below turns the persisted state into the forgotten one; nothing is rewritten.
 */
#include "protocol/byzantine/behaviour.h"

static void forget(const ProtoShared *shared, ProtoPersisted *persisted)
{
    proto_persisted_clear(persisted);
    persisted->high_qc = proto_cert_ref(shared->genesis_qc);
    persisted->locked_view = 0;
    persisted->locked_leaf = shared->genesis->commit;
    persisted->anchor = proto_leaf_ref(shared->genesis);
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__amnesia = {
    .name = "amnesia",
    .help = "forgets its lock and the views it voted in when it restarts (driver)",
    .flags = PROTO_BYZANTINE_FLAG_AMNESIA,
    .rewrite = rewrite,
    .restart = forget,
};
