/*
 * lc_forge: signs a forged light-client state on each decide. The light-client state is signed
 * by the driver's L1 side (sim/world/prover.h), not by the consensus state machine, so the
 * behaviour leaves every consensus message alone; the driver reads the kind and signs the
 * forged state (1000 blocks and views ahead of the node's decided one, with a wrong root). Over
 * a third of the stake doing it makes the light-client safety oracle fire (the contract's
 * threshold is one honest signer's worth: floor(S/3) + 1), under it the forgery never gets in.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__lc_forge = {
    .name = "lc_forge",
    .help = "signs a forged light-client state on each decide (consensus honest; needs [l1])",
    .rewrite = rewrite,
};
