/* The mutants' names and descriptions; see mutant.h. The bug sites are where the code uses
 * node__mutant (node_state-internal.h). */
#include "protocol/mutant.h"

#include "protocol/assert.h"

#include <string.h>

typedef struct MutantInfo {
    const char *name;
    const char *about;
} MutantInfo;

static const MutantInfo mutants[PROTO_MUTANT_COUNT_] = {
    [PROTO_MUTANT_NONE] = {"none", "the protocol as specified"},
    [PROTO_MUTANT_QUORUM_HALF] = {"quorum_half",
                                  "QCs, TCs and view-sync certificates need floor(S/2) + 1 "
                                  "of the stake instead of floor(2S/3) + 1"},
    [PROTO_MUTANT_SKIP_LOCK_CHECK] = {"skip_lock_check",
                                      "votes for any valid proposal, without the locking rule"},
    [PROTO_MUTANT_RESTART_FORGETS_VOTES] = {"restart_forgets_votes",
                                            "a restarted node forgets the views it voted and "
                                            "proposed in (espresso-network #4472)"},
    [PROTO_MUTANT_RESTART_FORGETS_DA_VOTE] = {"restart_forgets_da_vote",
                                              "a restarted node forgets the views it DA-voted "
                                              "in (HotShot PR #3971)"},
    [PROTO_MUTANT_ONE_CHAIN_DECIDE] = {"one_chain_decide",
                                       "decides a block as soon as a proposal carries its QC, "
                                       "not when its child is certified in the next view"},
    [PROTO_MUTANT_ACCEPT_BAD_QC] = {"accept_bad_qc",
                                    "accepts a certificate whose signers hold enough stake "
                                    "without checking its signatures"},
    [PROTO_MUTANT_DA_VOTE_WITHOUT_STORING] = {"da_vote_without_storing",
                                              "a DA member votes for a payload it checked but "
                                              "does not store"},
    [PROTO_MUTANT_ACCEPT_WEAK_TC] = {"accept_weak_tc",
                                     "accepts a TC as a proposal's evidence with one valid "
                                     "signature, whatever its stake"},
    [PROTO_MUTANT_DECIDE_WITHOUT_ANCESTORS] = {"decide_without_ancestors",
                                               "a decide reports only the newest leaf, not its "
                                               "undecided ancestors"},
    [PROTO_MUTANT_DA_TRUST_COMMITMENT] = {"da_trust_commitment",
                                          "a DA member votes for the commitment the leader "
                                          "signed without checking it against the payload"},
    [PROTO_MUTANT_LAST_QC_WITHOUT_NEXT] = {"last_qc_without_next",
                                           "with epochs, forms and accepts the QC on an epoch's "
                                           "last block without its next-epoch QC (quorum of the "
                                           "next epoch's table; espresso-network PR #2829)"},
};

gboolean proto_mutant_lookup(const char *name, ProtoMutant *mutant)
{
    PROTO_ASSERT(name != NULL && mutant != NULL);
    for (int i = 0; i < PROTO_MUTANT_COUNT_; i++) {
        if (strcmp(mutants[i].name, name) == 0) {
            *mutant = (ProtoMutant)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *proto_mutant_name(ProtoMutant mutant)
{
    PROTO_ASSERT(mutant < PROTO_MUTANT_COUNT_);
    PROTO_ASSERT(mutants[mutant].name != NULL);
    return mutants[mutant].name;
}

const char *proto_mutant_about(ProtoMutant mutant)
{
    PROTO_ASSERT(mutant < PROTO_MUTANT_COUNT_);
    PROTO_ASSERT(mutants[mutant].about != NULL);
    return mutants[mutant].about;
}
