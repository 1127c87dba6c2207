/*
 * twins: two instances of a node behind one key (the Twins approach to testing BFT protocols:
 * a correct implementation run twice with the same identity behaves like an equivocating node,
 * without writing any attack by hand). Each instance is honest; what makes them Byzantine is
 * that the driver runs both and splits the network between them (see byzantine.h, step 3), so
 * they see different histories and may propose or vote differently in the same view. Nothing
 * is rewritten here.
 */
#include "protocol/byzantine/behaviour.h"

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__twins = {
    .name = "twins",
    .help = "two node instances behind one key, each talking to half of the nodes (driver)",
    .flags = PROTO_BYZANTINE_FLAG_TWINS,
    .rewrite = rewrite,
};
