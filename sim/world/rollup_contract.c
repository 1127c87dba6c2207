/* A rollup contract's acceptance rule and Merkle-check cost; see rollup_contract.h. */
#include "sim/world/rollup_contract.h"

#include "sim/core/assert.h"

typedef struct Settled {
    uint64_t height;
    uint64_t l1_block;
} Settled;

struct SimRollupContract {
    GArray *settled; /* Settled, ascending */
    uint64_t accepted;
    uint64_t outdated;
    uint64_t not_covered;
    uint64_t gas;
};

#define KECCAK_BASE   30 /* yellow paper G_keccak256 */
#define KECCAK_WORD   6  /* G_keccak256word */
#define CALLDATA_BYTE 16 /* EIP-2028, a non-zero byte */
#define DIGEST_BYTES  32
#define ARITY         3
#define SIBLINGS      (ARITY - 1)
#define GAS_PER_LEVEL (KECCAK_BASE + KECCAK_WORD * ARITY + CALLDATA_BYTE * SIBLINGS * DIGEST_BYTES)
#define GAS_LEAF      (CALLDATA_BYTE * DIGEST_BYTES)

const char *sim_rollup_strerror(int result)
{
    switch (result) {
    case SIM_ROLLUP_OK:
        return "ok";
    case SIM_ROLLUP_ERR_OUTDATED:
        return "OutdatedState";
    case SIM_ROLLUP_ERR_NOT_COVERED:
        return "InvalidHotShotBlockForCommitmentCheck";
    default:
        return "unknown result";
    }
}

uint32_t sim_rollup_merkle_depth(uint64_t leaves)
{
    uint32_t depth = 0;
    uint64_t capacity = 1;
    while (capacity < leaves) {
        capacity = capacity > UINT64_MAX / ARITY ? UINT64_MAX : capacity * ARITY;
        depth++;
    }
    SIM_ASSERT(depth <= 41);
    return depth;
}

uint64_t sim_rollup_merkle_gas(uint64_t leaves)
{
    return GAS_LEAF + (uint64_t)sim_rollup_merkle_depth(leaves) * GAS_PER_LEVEL;
}

uint64_t sim_rollup_merkle_bytes(uint64_t leaves)
{
    return DIGEST_BYTES + (uint64_t)sim_rollup_merkle_depth(leaves) * SIBLINGS * DIGEST_BYTES;
}

SimRollupContract *sim_rollup_contract_new(void)
{
    SimRollupContract *rc = g_new0(SimRollupContract, 1);
    rc->settled = g_array_new(FALSE, FALSE, sizeof(Settled));
    SIM_ASSERT(rc->settled->len == 0);
    return rc;
}

void sim_rollup_contract_free(SimRollupContract *rc)
{
    if (rc == NULL) return;
    g_array_unref(rc->settled);
    g_free(rc);
}

uint64_t sim_rollup_contract_settled(const SimRollupContract *rc)
{
    SIM_ASSERT(rc != NULL);
    if (rc->settled->len == 0) return 0;
    return g_array_index(rc->settled, Settled, rc->settled->len - 1).height;
}

int sim_rollup_contract_settle(SimRollupContract *rc, const SimLightClient *lc, uint64_t height,
                               uint64_t l1_block)
{
    SIM_ASSERT(rc != NULL && lc != NULL);
    if (rc->settled->len > 0) {
        SIM_ASSERT(l1_block >= g_array_index(rc->settled, Settled, rc->settled->len - 1).l1_block);
    }
    if (height <= sim_rollup_contract_settled(rc)) {
        rc->outdated++;
        return SIM_ROLLUP_ERR_OUTDATED;
    }
    SimLightClientEntry entry;
    if (sim_light_client_commitment(lc, height, &entry) != SIM_LIGHT_CLIENT_OK) {
        rc->not_covered++;
        return SIM_ROLLUP_ERR_NOT_COVERED;
    }
    SIM_ASSERT(entry.hotshot_height > height);
    Settled s = {height, l1_block};
    g_array_append_val(rc->settled, s);
    rc->gas += sim_rollup_merkle_gas(entry.hotshot_height);
    rc->accepted++;
    return SIM_ROLLUP_OK;
}

guint sim_rollup_contract_revert(SimRollupContract *rc, uint64_t l1_block)
{
    SIM_ASSERT(rc != NULL);
    guint dropped = 0;
    while (rc->settled->len > 0 &&
           g_array_index(rc->settled, Settled, rc->settled->len - 1).l1_block > l1_block) {
        g_array_set_size(rc->settled, rc->settled->len - 1);
        dropped++;
    }
    return dropped;
}

uint64_t sim_rollup_contract_accepted(const SimRollupContract *rc)
{
    return rc->accepted;
}

uint64_t sim_rollup_contract_rejected(const SimRollupContract *rc, int result)
{
    SIM_ASSERT(result == SIM_ROLLUP_ERR_OUTDATED || result == SIM_ROLLUP_ERR_NOT_COVERED);
    return result == SIM_ROLLUP_ERR_OUTDATED ? rc->outdated : rc->not_covered;
}

uint64_t sim_rollup_contract_gas(const SimRollupContract *rc)
{
    return rc->gas;
}
