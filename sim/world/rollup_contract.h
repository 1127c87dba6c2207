/*
 * A rollup's contract on its L1 (../shared/protocol/hotshot.md sections 3.6 and 3.7): the rule
 * by which it takes the rollup's state updates, and their cost; rules with outcomes, not an EVM.
 *
 * An update says "the rollup's state after executing its namespace of every HotShot block up to
 * height h". The contract takes it only when
 *   - it is newer: h exceeds the height it last settled (else SIM_ROLLUP_ERR_OUTDATED), and
 *   - the light client covers block h (sim_light_client_commitment: a retained state above h,
 *     whose blockCommRoot the update's Merkle proof of block h's header is checked against;
 *     else SIM_ROLLUP_ERR_NOT_COVERED, the LightClient's InvalidHotShotBlockForCommitmentCheck).
 * The Merkle check is that of Espresso's block Merkle tree (a SHA3 tree of arity 3 over the
 * headers, jellyfish's LightWeightSHA3MerkleTree; espresso types BlockMerkleTree): a path of
 * depth d = ceil(log3(leaves)) carries 2 sibling digests of 32 B per level. Its cost in L1 gas,
 * per Ethereum's yellow paper and EIP-2028 (docs/crypto-costs.md S18): per level one KECCAK256 over
 * three words (30 + 6 x 3 = 48 gas) and 64 B of calldata (16 gas a byte: 1024 gas), plus the
 * 32 B leaf's calldata (512 gas).
 *
 * A taken update is kept with the L1 block that carried it; an L1 reorg undoes the updates of
 * the blocks it dropped (sim_rollup_contract_revert), restoring the settled height before them.
 */
#ifndef SHOTGLASS_SIM_ROLLUP_CONTRACT_H
#define SHOTGLASS_SIM_ROLLUP_CONTRACT_H

#include "sim/world/light_client.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimRollupResult {
    SIM_ROLLUP_OK = 0,
    SIM_ROLLUP_ERR_OUTDATED = -1,    /* not above the settled height */
    SIM_ROLLUP_ERR_NOT_COVERED = -2, /* the light client does not cover the block yet */
} SimRollupResult;

/* The result's name ("ok", "OutdatedState", "InvalidHotShotBlockForCommitmentCheck"). Static. */
const char *sim_rollup_strerror(int result);

/* The depth of a Merkle path of the block tree holding `leaves` headers (arity 3; 0 for <= 1). */
uint32_t sim_rollup_merkle_depth(uint64_t leaves);
/* The gas of checking block `height`'s header against a root over `leaves` headers. */
uint64_t sim_rollup_merkle_gas(uint64_t leaves);
/* The proof's calldata bytes (the leaf and the siblings). */
uint64_t sim_rollup_merkle_bytes(uint64_t leaves);

typedef struct SimRollupContract SimRollupContract;

SimRollupContract *sim_rollup_contract_new(void);
void sim_rollup_contract_free(SimRollupContract *rc);

/*
 * The update settling HotShot blocks up to `height`, in L1 block `l1_block` (not below the
 * newest taken's), checked against the light client `lc` as it stands. Returns SIM_ROLLUP_OK
 * (and adds the Merkle check's gas to the contract's total), or an error leaving it unchanged.
 */
int sim_rollup_contract_settle(SimRollupContract *rc, const SimLightClient *lc, uint64_t height,
                               uint64_t l1_block);

/* Undoes the updates carried by L1 blocks above `l1_block`; returns how many. */
guint sim_rollup_contract_revert(SimRollupContract *rc, uint64_t l1_block);

/* The settled height (0: none), updates taken and refused (by rule), gas spent on checks. */
uint64_t sim_rollup_contract_settled(const SimRollupContract *rc);
uint64_t sim_rollup_contract_accepted(const SimRollupContract *rc);
uint64_t sim_rollup_contract_rejected(const SimRollupContract *rc, int result);
uint64_t sim_rollup_contract_gas(const SimRollupContract *rc);

#endif
