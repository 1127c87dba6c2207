/*
 * The LightClient contract's state and rules on the L1 (../shared/protocol/hotshot.md section
 * 3.6; SEQ contracts/src/LightClient.sol): rules with their outcomes, not an EVM.
 *
 * newFinalizedState(state, proof) is accepted only when
 *   - the state is newer: its view and its block height both exceed the finalized state's
 *     (else OutdatedState), and
 *   - the proof is valid: here, the Schnorr signatures it proves carry at least the stake
 *     table's threshold of stake (else InvalidProof). The threshold is the one-honest threshold
 *     floor(S/3) + 1 of a stake table of total S, i.e. more than a third of the stake (the
 *     prover's `one_honest_threshold`; proto_stake_one_honest_threshold), which the caller
 *     passes at creation as the contract holds it in its genesis stake-table state.
 * An accepted state becomes the finalized state and is appended to the state history with the
 * L1 block number and timestamp that carried it. Before each append, when the newest and the
 * oldest retained entries lie `retention` or more apart (the contract's
 * stateHistoryRetentionPeriod; 10 days in Espresso's deployment scripts, 864000 s), the oldest
 * entry is dropped, as the contract does (one entry per update). The genesis state is the first
 * entry.
 *
 * A HotShot block of height h is covered by the first retained entry whose HotShot height
 * exceeds h: a state of height H commits (blockCommRoot) to the blocks below H, as the contract's
 * getHotShotCommitment reads it.
 *
 * Reorgs of the L1 undo updates: sim_light_client_revert drops the entries carried by blocks
 * above a height and restores the finalized state of the newest one left (entries keep the view,
 * which the real contract's history does not, for that). An entry the retention rule dropped is
 * not brought back; with retention far above any reorg's depth that never matters.
 */
#ifndef SHOTGLASS_SIM_LIGHT_CLIENT_H
#define SHOTGLASS_SIM_LIGHT_CLIENT_H

#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

#define SIM_LIGHT_CLIENT_ROOT_BYTES 32

typedef enum SimLightClientResult {
    SIM_LIGHT_CLIENT_OK = 0,
    SIM_LIGHT_CLIENT_ERR_OUTDATED = -1,           /* view or block height not newer */
    SIM_LIGHT_CLIENT_ERR_INVALID_PROOF = -2,      /* signers' stake below the threshold */
    SIM_LIGHT_CLIENT_ERR_NOT_COVERED = -3,        /* no retained state covers the height */
    SIM_LIGHT_CLIENT_ERR_MISSING_EPOCH_ROOT = -4, /* with epochs: an epoch root would be skipped */
} SimLightClientResult;

/* The contract's error name for a result ("OutdatedState", ...). Static. */
const char *sim_light_client_strerror(int result);

/* What validators sign and the contract keeps: LightClientState {viewNum, blockHeight,
 * blockCommRoot}. */
typedef struct SimLightClientState {
    uint64_t view;
    uint64_t block_height;
    uint8_t root[SIM_LIGHT_CLIENT_ROOT_BYTES];
} SimLightClientState;

/* One StateHistoryCommitment (plus the view, see above). */
typedef struct SimLightClientEntry {
    uint64_t l1_block_height;
    SimTime l1_timestamp;
    uint64_t hotshot_height;
    uint8_t root[SIM_LIGHT_CLIENT_ROOT_BYTES];
    uint64_t view;
} SimLightClientEntry;

typedef struct SimLightClient SimLightClient;

/* A contract deployed in L1 block `l1_block` at `l1_time` with the genesis state (view 0,
 * height 0, zero root), a stake threshold > 0 and a retention period > 0. */
SimLightClient *sim_light_client_new(uint64_t threshold, SimDuration retention, uint64_t l1_block,
                                     SimTime l1_time);
void sim_light_client_free(SimLightClient *lc);

/*
 * newFinalizedState: `state` with a proof over signers holding `signed_stake`, in L1 block
 * `l1_block` at `l1_time` (neither before the newest entry's). Returns SIM_LIGHT_CLIENT_OK, or
 * SIM_LIGHT_CLIENT_ERR_OUTDATED or SIM_LIGHT_CLIENT_ERR_INVALID_PROOF (checked in that order,
 * as the contract does), leaving the contract unchanged.
 */
int sim_light_client_new_finalized_state(SimLightClient *lc, const SimLightClientState *state,
                                         uint64_t signed_stake, uint64_t l1_block, SimTime l1_time);

/*
 * With epochs of `blocks_per_epoch` (>= 6) blocks: LightClientV2's rules (SEQ
 * contracts/src/LightClientV2.sol, PR espresso#2984; hotshot.md 3.6), checked after OutdatedState
 * and before the proof, each refusal MissingEpochRootUpdate. With epoch(h) = ceil(h / H), the
 * first epoch 1 (epochStartBlock 0) and f the finalized height:
 *   - a state past its epoch's root (eH-4 .. eH: the transition, which the light client skips)
 *     is refused;
 *   - a state of epoch 2 or later is refused if it skips an epoch (epoch(h) >= epoch(f) + 2), or
 *     enters the next one (epoch(h) = epoch(f) + 1) while f is not an epoch root.
 * So every epoch's root is taken before any later block. `test_last_block` (test only) keeps the
 * off-by-one of isGtEpochRoot that PR espresso#3314 fixed (h % H > H - 5, which misses h % H ==
 * 0): an epoch's last block passes as "not past the root" and, once taken, wedges the contract
 * (the Decaf epoch-1155 incident). The stake table the proof is checked against stays the
 * genesis one: the contract's switch to the next stake table at each root is not modelled.
 */
void sim_light_client_set_epochs(SimLightClient *lc, uint64_t blocks_per_epoch,
                                 gboolean test_last_block);

/* isGtEpochRoot of the contract and is_ge_epoch_root's use in the prover: whether `height` lies
 * past its epoch's root (see sim_light_client_set_epochs; `test_last_block` is the bug). */
gboolean sim_light_client_past_root(uint64_t height, uint64_t blocks_per_epoch,
                                    gboolean test_last_block);
/* Whether `height` is an epoch root (eH - 5; height 0 is not). */
gboolean sim_light_client_is_root(uint64_t height, uint64_t blocks_per_epoch);
/* epochFromBlockNumber: ceil(height / H), and 1 for height 0. */
uint64_t sim_light_client_epoch_of(uint64_t height, uint64_t blocks_per_epoch);

/* Undoes the updates carried by L1 blocks above `l1_block` (an L1 reorg); returns how many. */
guint sim_light_client_revert(SimLightClient *lc, uint64_t l1_block);

/* The finalized state (borrowed, valid until the next call that changes the contract). */
const SimLightClientState *sim_light_client_finalized(const SimLightClient *lc);

/* The retained history, oldest first (entries borrowed as above). */
guint sim_light_client_history_count(const SimLightClient *lc);
const SimLightClientEntry *sim_light_client_history(const SimLightClient *lc, guint index);

/* getHotShotCommitment: the first retained entry covering HotShot height `height`, copied to
 * `out`; SIM_LIGHT_CLIENT_ERR_NOT_COVERED (and `out` untouched) when none does. */
int sim_light_client_commitment(const SimLightClient *lc, uint64_t height,
                                SimLightClientEntry *out);

uint64_t sim_light_client_threshold(const SimLightClient *lc);
/* The epoch length set by sim_light_client_set_epochs (0: none). */
uint64_t sim_light_client_blocks_per_epoch(const SimLightClient *lc);
gboolean sim_light_client_test_last_block(const SimLightClient *lc);
/* Updates accepted, and refused by each rule, so far. */
uint64_t sim_light_client_accepted(const SimLightClient *lc);
uint64_t sim_light_client_rejected(const SimLightClient *lc, int result);

#endif
