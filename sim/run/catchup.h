/*
 * Epochs: the catch-up traffic of validators joining at an epoch (issue 13; hotshot.md 1.2: a
 * node catching up walks back to the epoch root that fixed its table, SEQ
 * hotshot-types/src/epoch_membership.rs). A validator with stake in epoch e and none in e-1
 * joins at e: it must vote on the transition blocks of e-1 already (with the next epoch's
 * quorum), so when it decides the root of e-1 (block (e-1)N-5, a few blocks before that
 * transition) it asks one validator of e-1 for what it needs, and that validator answers with
 *   - the stake tables of e-1 and e: CATCHUP_ENTRY_BYTES per validator with stake in each (a
 *     BLS key of 64 bytes, a stake amount of 32 and a Schnorr key of 32; hotshot.md 4.2 gives
 *     64 for a key), and
 *   - its newest decided leaf with its QC: the bytes of the proposal that carried it (or
 *     CATCHUP_LEAF_BYTES, hotshot.md 4.2's proposal size, when it holds none).
 * The peer is the ((joiner + e) mod k)-th of the k validators of e-1 in id order, so the load
 * spreads without drawing randomness. It is traffic only: every validator host exists for the
 * whole run and follows the chain without stake, so the answer changes nothing in its state.
 * Messages: catchup_request and catchup_response (their own network types, registered when
 * epochs are on, after every other type, so runs without epochs are unchanged).
 */
#ifndef SHOTGLASS_SIM_CATCHUP_H
#define SHOTGLASS_SIM_CATCHUP_H

#include "protocol/epoch.h"
#include "protocol/leaf.h"
#include "sim/net/network.h"

#include <glib.h>

#define CATCHUP_ENTRY_BYTES   128
#define CATCHUP_LEAF_BYTES    1000
#define CATCHUP_REQUEST_BYTES 100

typedef struct SimCatchup SimCatchup;

/* For `validators` validators (hosts 0 ..) of `network`, epochs from `epochs` (borrowed). */
SimCatchup *sim_catchup_new(SimNetwork *network, ProtoEpochs *epochs, uint32_t validators);
void sim_catchup_free(SimCatchup *catchup);

/* Whether `message` is a catch-up message (FALSE for a NULL catchup). */
gboolean sim_catchup_owns(const SimCatchup *catchup, const SimMessage *message);

/* Honest validator `node` decided `leaves` (newest first) at `ready`. */
void sim_catchup_on_decide(SimCatchup *catchup, uint32_t node, ProtoLeaf *const *leaves,
                           uint32_t count, SimTime ready);

/* A catch-up message reached validator `host` at `now`. */
void sim_catchup_receive(SimCatchup *catchup, uint32_t host, const SimMessage *message,
                         SimTime now);

typedef struct SimCatchupStats {
    uint64_t requests;       /* joiners' requests sent */
    uint64_t responses;      /* answers sent */
    uint64_t response_bytes; /* their charged size */
} SimCatchupStats;

const SimCatchupStats *sim_catchup_stats(const SimCatchup *catchup);

#endif
