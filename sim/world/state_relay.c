/* The state relay's store; see state_relay.h. */
#include "sim/world/state_relay.h"

#include "sim/core/assert.h"

#include <string.h>

typedef struct Signed {
    uint64_t height;
    uint64_t stake;
    uint8_t root[SIM_LIGHT_CLIENT_ROOT_BYTES];
} Signed;

struct SimStateRelay {
    uint32_t validators;
    uint32_t keep;
    Signed *rings;   /* validators x keep */
    uint32_t *first; /* per validator: the oldest entry's slot */
    uint32_t *len;
    GArray *bundles; /* SimStateBundle, by (height, root) ascending */
};

SimStateRelay *sim_state_relay_new(uint32_t validators, uint32_t keep)
{
    SIM_ASSERT(validators > 0);
    SIM_ASSERT(keep > 0);
    SimStateRelay *r = g_new0(SimStateRelay, 1);
    r->validators = validators;
    r->keep = keep;
    r->rings = g_new0(Signed, (size_t)validators * keep);
    r->first = g_new0(uint32_t, validators);
    r->len = g_new0(uint32_t, validators);
    r->bundles = g_array_new(FALSE, FALSE, sizeof(SimStateBundle));
    return r;
}

void sim_state_relay_free(SimStateRelay *r)
{
    if (r == NULL) return;
    g_free(r->rings);
    g_free(r->first);
    g_free(r->len);
    g_array_unref(r->bundles);
    g_free(r);
}

static int compare_key(uint64_t height, const uint8_t *root, const SimStateBundle *b)
{
    if (height != b->state.block_height) return height < b->state.block_height ? -1 : 1;
    return memcmp(root, b->state.root, SIM_LIGHT_CLIENT_ROOT_BYTES);
}

/* The index of the bundle of (height, root), or where it would go (`*found` says which). */
static guint bundle_index(const SimStateRelay *r, uint64_t height, const uint8_t *root,
                          gboolean *found)
{
    guint i = r->bundles->len; /* newest heights sit at the end: search from there */
    *found = FALSE;
    while (i > 0) {
        int c = compare_key(height, root, &g_array_index(r->bundles, SimStateBundle, i - 1));
        if (c == 0) {
            *found = TRUE;
            return i - 1;
        }
        if (c > 0) break;
        i--;
    }
    return i;
}

/* Validator `node`'s oldest state leaves its bundle. */
static void forget_oldest(SimStateRelay *r, uint32_t node)
{
    SIM_ASSERT(r->len[node] > 0);
    const Signed *old = &r->rings[(size_t)node * r->keep + r->first[node]];
    gboolean found = FALSE;
    guint i = bundle_index(r, old->height, old->root, &found);
    SIM_ASSERT(found);
    SimStateBundle *b = &g_array_index(r->bundles, SimStateBundle, i);
    SIM_ASSERT(b->signers > 0 && b->stake >= old->stake);
    b->signers--;
    b->stake -= old->stake;
    if (b->signers == 0) g_array_remove_index(r->bundles, i);
    r->first[node] = (r->first[node] + 1) % r->keep;
    r->len[node]--;
}

void sim_state_relay_store(SimStateRelay *r, uint32_t node, uint64_t stake,
                           const SimLightClientState *state)
{
    SIM_ASSERT(node < r->validators && state != NULL);
    uint32_t keep = r->keep;
    if (r->len[node] > 0) {
        uint32_t newest = (r->first[node] + r->len[node] - 1) % keep;
        if (state->block_height <= r->rings[(size_t)node * keep + newest].height) return;
    }
    if (r->len[node] == keep) forget_oldest(r, node);
    uint32_t slot = (r->first[node] + r->len[node]) % keep;
    Signed *s = &r->rings[(size_t)node * keep + slot];
    *s = (Signed){state->block_height, stake, {0}};
    memcpy(s->root, state->root, sizeof s->root);
    r->len[node]++;
    gboolean found = FALSE;
    guint i = bundle_index(r, state->block_height, state->root, &found);
    if (!found) {
        SimStateBundle b = {*state, 0, 0};
        g_array_insert_val(r->bundles, i, b);
    }
    SimStateBundle *b = &g_array_index(r->bundles, SimStateBundle, i);
    b->stake += stake;
    b->signers++;
    SIM_ASSERT(r->len[node] <= keep);
}

gboolean sim_state_relay_best(const SimStateRelay *r, uint64_t threshold, SimStateBundle *out)
{
    return sim_state_relay_best_where(r, threshold, NULL, NULL, out);
}

gboolean sim_state_relay_best_where(const SimStateRelay *r, uint64_t threshold,
                                    SimStateRelayFilter allowed, void *data, SimStateBundle *out)
{
    SIM_ASSERT(r != NULL && out != NULL);
    for (guint i = r->bundles->len; i > 0; i--) {
        const SimStateBundle *b = &g_array_index(r->bundles, SimStateBundle, i - 1);
        if (b->stake < threshold) continue;
        if (allowed != NULL && !allowed(b->state.block_height, data)) continue;
        *out = *b;
        return TRUE;
    }
    return FALSE;
}

void sim_state_relay_reset(SimStateRelay *r)
{
    SIM_ASSERT(r != NULL);
    g_array_set_size(r->bundles, 0);
    memset(r->first, 0, sizeof *r->first * r->validators);
    memset(r->len, 0, sizeof *r->len * r->validators);
}

guint sim_state_relay_bundles(const SimStateRelay *r)
{
    return r->bundles->len;
}

uint32_t sim_state_relay_held(const SimStateRelay *r, uint32_t node)
{
    SIM_ASSERT(node < r->validators);
    return r->len[node];
}
