/*
 * conflicting_votes: votes for proposals that conflict with its lock. The locking rule is the
 * one check between a replica and a vote for a fork (consensus.c, is_safe), so this behaviour is
 * a configuration change rather than a rewrite: the node runs with the lock check off and sends
 * what it then decides. Its votes alone (below a third of the stake) cannot certify a fork; a
 * stale_qc or fork leader is what gives it something to vote for.
 */
#include "protocol/byzantine/behaviour.h"

static void configure(ProtoNodeConfig *config)
{
    config->test_disable_lock_check = TRUE;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__conflicting_votes = {
    .name = "conflicting_votes",
    .help = "votes for proposals that conflict with its lock (no locking rule)",
    .rewrite = rewrite,
    .configure = configure,
};
