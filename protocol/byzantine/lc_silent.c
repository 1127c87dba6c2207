/*
 * lc_silent: signs no light-client state. As lc_forge, the driver's L1 side carries it out
 * (sim/world/prover.h) and consensus is left alone. With more than two thirds of the stake
 * silent the rest cannot reach the light client's threshold (floor(S/3) + 1): the contract
 * stops moving while HotShot goes on deciding.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__lc_silent = {
    .name = "lc_silent",
    .help = "signs no light-client state (consensus honest; needs [l1])",
    .rewrite = rewrite,
};
