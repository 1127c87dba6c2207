/*
 * The light-client state relay server's store (SEQ sequencer/src/state_signature.rs and the
 * relay server): the states validators signed, the last `keep` per validator, bundled by state
 * with the stake of their signers, so that the prover can ask for the newest state whose
 * signers reach a threshold.
 *
 * A bundle is one distinct state (block height and root; the view of its first signature) with
 * the sum of its signers' stake and their count. When a validator's store is full, its oldest
 * state is forgotten and its stake leaves that state's bundle; an empty bundle is dropped. A
 * validator's state at or below the height it last had stored is ignored (honest validators sign
 * increasing heights; a repeat must not count twice). Bundles are kept by (height, root), so
 * the search for the newest one over a threshold looks at the highest heights first.
 */
#ifndef SHOTGLASS_SIM_STATE_RELAY_H
#define SHOTGLASS_SIM_STATE_RELAY_H

#include "sim/world/light_client.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimStateBundle {
    SimLightClientState state;
    uint64_t stake; /* of its signers */
    uint32_t signers;
} SimStateBundle;

typedef struct SimStateRelay SimStateRelay;

/* A store for `validators` validators keeping `keep` (> 0) states each. */
SimStateRelay *sim_state_relay_new(uint32_t validators, uint32_t keep);
void sim_state_relay_free(SimStateRelay *relay);

/* Validator `node` (< validators) of stake `stake` signed `state`. */
void sim_state_relay_store(SimStateRelay *relay, uint32_t node, uint64_t stake,
                           const SimLightClientState *state);

/* The newest state (highest height, then highest root) whose signers hold at least
 * `threshold`: TRUE with it in `out`, or FALSE with `out` untouched. */
gboolean sim_state_relay_best(const SimStateRelay *relay, uint64_t threshold, SimStateBundle *out);

/* The same among the states whose height `allowed` accepts (called with `data`). */
typedef gboolean (*SimStateRelayFilter)(uint64_t height, void *data);
gboolean sim_state_relay_best_where(const SimStateRelay *relay, uint64_t threshold,
                                    SimStateRelayFilter allowed, void *data, SimStateBundle *out);

/* Forgets everything (the server restarted; it keeps its states in memory). */
void sim_state_relay_reset(SimStateRelay *relay);

/* Distinct states held, and states held for `node`. */
guint sim_state_relay_bundles(const SimStateRelay *relay);
uint32_t sim_state_relay_held(const SimStateRelay *relay, uint32_t node);

#endif
