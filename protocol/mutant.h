/*
 * Mutants: known protocol bugs compiled into the honest code, off unless a test run asks for one
 * (scenario key [test] mutant, docs/mutants.md). Each is a one-line departure from the protocol
 * at one site in protocol/, guarded by node__mutant(node, PROTO_MUTANT_X) (a compare of one
 * configuration field, so the honest path costs nothing measurable). They exist to show that
 * the oracles catch real bugs: every mutant has a scenario under which the run breaks the
 * oracle meant to catch it, and passes without the mutant (tests/check_mutants.py).
 *
 * A mutant is not a Byzantine behaviour: it changes every validator, honest ones included, and
 * the oracles keep checking the honest ones.
 */
#ifndef SHOTGLASS_PROTOCOL_MUTANT_H
#define SHOTGLASS_PROTOCOL_MUTANT_H

#include <glib.h>

/* Existing values keep their numbers; new mutants are appended before the count. */
typedef enum ProtoMutant {
    PROTO_MUTANT_NONE = 0,
    PROTO_MUTANT_QUORUM_HALF,              /* QC, TC and view-sync quorums at floor(S/2) + 1 */
    PROTO_MUTANT_SKIP_LOCK_CHECK,          /* vote without the locking (safe-node) rule */
    PROTO_MUTANT_RESTART_FORGETS_VOTES,    /* a restart forgets the views voted and proposed in */
    PROTO_MUTANT_RESTART_FORGETS_DA_VOTE,  /* a restart forgets the views DA-voted in (#3971) */
    PROTO_MUTANT_ONE_CHAIN_DECIDE,         /* decide a block as soon as its QC is seen */
    PROTO_MUTANT_ACCEPT_BAD_QC,            /* certificates: stake counted, signatures not checked */
    PROTO_MUTANT_DA_VOTE_WITHOUT_STORING,  /* a DA member votes for a payload it does not keep */
    PROTO_MUTANT_ACCEPT_WEAK_TC,           /* a TC as evidence needs one valid signature only */
    PROTO_MUTANT_DECIDE_WITHOUT_ANCESTORS, /* a decide reports the newest leaf only */
    PROTO_MUTANT_DA_TRUST_COMMITMENT,      /* a DA member votes for the leader's commitment
                                              without re-encoding the payload */
    PROTO_MUTANT_LAST_QC_WITHOUT_NEXT,     /* epochs: a last-block QC needs no next-epoch QC
                                              (espresso-network PR #2829) */
    PROTO_MUTANT_COUNT_,
} ProtoMutant;

/* Looks a mutant up by name ("none" gives PROTO_MUTANT_NONE); FALSE, `*mutant` untouched, when
 * there is none. */
gboolean proto_mutant_lookup(const char *name, ProtoMutant *mutant);
/* The mutant's name, as scenario files write it ("none" for PROTO_MUTANT_NONE). Static. */
const char *proto_mutant_name(ProtoMutant mutant);
/* One line: the bug the mutant compiles in. Static. */
const char *proto_mutant_about(ProtoMutant mutant);

#endif
