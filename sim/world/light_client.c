/* The LightClient contract's rules; see light_client.h. */
#include "sim/world/light_client.h"

#include "sim/core/assert.h"

#include <string.h>

struct SimLightClient {
    uint64_t threshold;
    SimDuration retention;
    SimLightClientState finalized;
    GArray *history; /* SimLightClientEntry, oldest first */
    uint64_t accepted;
    uint64_t outdated;
    uint64_t invalid_proof;
    uint64_t missing_root;
    uint64_t blocks_per_epoch; /* 0: no epochs */
    gboolean test_last_block;
};

const char *sim_light_client_strerror(int result)
{
    switch (result) {
    case SIM_LIGHT_CLIENT_OK:
        return "ok";
    case SIM_LIGHT_CLIENT_ERR_OUTDATED:
        return "OutdatedState";
    case SIM_LIGHT_CLIENT_ERR_INVALID_PROOF:
        return "InvalidProof";
    case SIM_LIGHT_CLIENT_ERR_NOT_COVERED:
        return "InvalidHotShotBlockForCommitmentCheck";
    case SIM_LIGHT_CLIENT_ERR_MISSING_EPOCH_ROOT:
        return "MissingEpochRootUpdate";
    default:
        return "unknown result";
    }
}

static void append(SimLightClient *lc, const SimLightClientState *state, uint64_t l1_block,
                   SimTime l1_time)
{
    SimLightClientEntry e = {l1_block, l1_time, state->block_height, {0}, state->view};
    memcpy(e.root, state->root, sizeof e.root);
    g_array_append_val(lc->history, e);
    SIM_ASSERT(lc->history->len > 0);
}

SimLightClient *sim_light_client_new(uint64_t threshold, SimDuration retention, uint64_t l1_block,
                                     SimTime l1_time)
{
    SIM_ASSERT(threshold > 0);
    SIM_ASSERT(retention > 0);
    SimLightClient *lc = g_new0(SimLightClient, 1);
    lc->threshold = threshold;
    lc->retention = retention;
    lc->history = g_array_new(FALSE, FALSE, sizeof(SimLightClientEntry));
    append(lc, &lc->finalized, l1_block, l1_time);
    return lc;
}

void sim_light_client_free(SimLightClient *lc)
{
    if (lc == NULL) return;
    g_array_unref(lc->history);
    g_free(lc);
}

/* updateStateHistory's pruning: one oldest entry when the retained span reached retention. */
static void prune(SimLightClient *lc)
{
    guint n = lc->history->len;
    SIM_ASSERT(n > 0);
    const SimLightClientEntry *first = &g_array_index(lc->history, SimLightClientEntry, 0);
    const SimLightClientEntry *last = &g_array_index(lc->history, SimLightClientEntry, n - 1);
    SIM_ASSERT(last->l1_timestamp >= first->l1_timestamp);
    if (last->l1_timestamp - first->l1_timestamp >= lc->retention) {
        g_array_remove_index(lc->history, 0);
    }
}

void sim_light_client_set_epochs(SimLightClient *lc, uint64_t blocks_per_epoch,
                                 gboolean test_last_block)
{
    SIM_ASSERT(lc != NULL && blocks_per_epoch > 5);
    lc->blocks_per_epoch = blocks_per_epoch;
    lc->test_last_block = test_last_block;
}

uint64_t sim_light_client_epoch_of(uint64_t height, uint64_t blocks_per_epoch)
{
    SIM_ASSERT(blocks_per_epoch > 0);
    return height == 0 ? 1 : (height - 1) / blocks_per_epoch + 1;
}

gboolean sim_light_client_is_root(uint64_t height, uint64_t blocks_per_epoch)
{
    SIM_ASSERT(blocks_per_epoch > 5);
    return height > 0 && (height + 5) % blocks_per_epoch == 0;
}

gboolean sim_light_client_past_root(uint64_t height, uint64_t blocks_per_epoch,
                                    gboolean test_last_block)
{
    SIM_ASSERT(blocks_per_epoch > 5);
    if (height == 0) return FALSE;
    uint64_t in_epoch = height % blocks_per_epoch;
    if (in_epoch == 0) return !test_last_block; /* the last block: the off-by-one */
    return in_epoch > blocks_per_epoch - 5;
}

/* LightClientV2's epoch checks (see sim_light_client_set_epochs). */
static gboolean skips_epoch_root(const SimLightClient *lc, uint64_t height)
{
    uint64_t length = lc->blocks_per_epoch;
    if (length == 0) return FALSE;
    if (sim_light_client_past_root(height, length, lc->test_last_block)) return TRUE;
    uint64_t last = sim_light_client_epoch_of(lc->finalized.block_height, length);
    uint64_t next = sim_light_client_epoch_of(height, length);
    if (next <= 1) return FALSE;
    if (next >= last + 2) return TRUE;
    return next == last + 1 && !sim_light_client_is_root(lc->finalized.block_height, length);
}

int sim_light_client_new_finalized_state(SimLightClient *lc, const SimLightClientState *state,
                                         uint64_t signed_stake, uint64_t l1_block, SimTime l1_time)
{
    SIM_ASSERT(lc != NULL && state != NULL);
    const SimLightClientEntry *newest =
        &g_array_index(lc->history, SimLightClientEntry, lc->history->len - 1);
    SIM_ASSERT(l1_block >= newest->l1_block_height);
    SIM_ASSERT(l1_time >= newest->l1_timestamp);
    if (state->view <= lc->finalized.view || state->block_height <= lc->finalized.block_height) {
        lc->outdated++;
        return SIM_LIGHT_CLIENT_ERR_OUTDATED;
    }
    if (skips_epoch_root(lc, state->block_height)) {
        lc->missing_root++;
        return SIM_LIGHT_CLIENT_ERR_MISSING_EPOCH_ROOT;
    }
    if (signed_stake < lc->threshold) {
        lc->invalid_proof++;
        return SIM_LIGHT_CLIENT_ERR_INVALID_PROOF;
    }
    lc->finalized = *state;
    if (lc->history->len > 0) prune(lc);
    append(lc, state, l1_block, l1_time);
    lc->accepted++;
    return SIM_LIGHT_CLIENT_OK;
}

guint sim_light_client_revert(SimLightClient *lc, uint64_t l1_block)
{
    SIM_ASSERT(lc != NULL);
    guint dropped = 0;
    while (lc->history->len > 1) {
        guint last = lc->history->len - 1;
        if (g_array_index(lc->history, SimLightClientEntry, last).l1_block_height <= l1_block) {
            break;
        }
        g_array_set_size(lc->history, last);
        dropped++;
    }
    const SimLightClientEntry *e =
        &g_array_index(lc->history, SimLightClientEntry, lc->history->len - 1);
    if (dropped > 0) {
        lc->finalized.view = e->view;
        lc->finalized.block_height = e->hotshot_height;
        memcpy(lc->finalized.root, e->root, sizeof e->root);
    }
    SIM_ASSERT(lc->finalized.block_height >= e->hotshot_height);
    return dropped;
}

const SimLightClientState *sim_light_client_finalized(const SimLightClient *lc)
{
    SIM_ASSERT(lc != NULL);
    return &lc->finalized;
}

guint sim_light_client_history_count(const SimLightClient *lc)
{
    SIM_ASSERT(lc != NULL);
    return lc->history->len;
}

const SimLightClientEntry *sim_light_client_history(const SimLightClient *lc, guint index)
{
    SIM_ASSERT(index < lc->history->len);
    return &g_array_index(lc->history, SimLightClientEntry, index);
}

int sim_light_client_commitment(const SimLightClient *lc, uint64_t height, SimLightClientEntry *out)
{
    SIM_ASSERT(lc != NULL && out != NULL);
    for (guint i = 0; i < lc->history->len; i++) {
        const SimLightClientEntry *e = &g_array_index(lc->history, SimLightClientEntry, i);
        if (e->hotshot_height > height) {
            *out = *e;
            return SIM_LIGHT_CLIENT_OK;
        }
    }
    return SIM_LIGHT_CLIENT_ERR_NOT_COVERED;
}

uint64_t sim_light_client_threshold(const SimLightClient *lc)
{
    return lc->threshold;
}

uint64_t sim_light_client_blocks_per_epoch(const SimLightClient *lc)
{
    return lc->blocks_per_epoch;
}

gboolean sim_light_client_test_last_block(const SimLightClient *lc)
{
    return lc->test_last_block;
}

uint64_t sim_light_client_accepted(const SimLightClient *lc)
{
    return lc->accepted;
}

uint64_t sim_light_client_rejected(const SimLightClient *lc, int result)
{
    SIM_ASSERT(result == SIM_LIGHT_CLIENT_ERR_OUTDATED ||
               result == SIM_LIGHT_CLIENT_ERR_INVALID_PROOF ||
               result == SIM_LIGHT_CLIENT_ERR_MISSING_EPOCH_ROOT);
    if (result == SIM_LIGHT_CLIENT_ERR_MISSING_EPOCH_ROOT) return lc->missing_root;
    return result == SIM_LIGHT_CLIENT_ERR_OUTDATED ? lc->outdated : lc->invalid_proof;
}
