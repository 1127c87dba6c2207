/* Epoch arithmetic, stake-table changes and the per-epoch tables; see epoch.h. */
#include "protocol/epoch.h"

#include "protocol/assert.h"

#include <string.h>

/* --- arithmetic ------------------------------------------------------------------------------ */

ProtoEpoch proto_epoch_of_height(uint64_t height, uint64_t length)
{
    PROTO_ASSERT(length > 0);
    if (height == 0) return 1;
    return (height - 1) / length + 1; /* ceil(height / length) without overflow */
}

uint64_t proto_epoch_first_height(ProtoEpoch epoch, uint64_t length)
{
    PROTO_ASSERT(epoch >= 1 && length > 0);
    return (epoch - 1) * length + 1;
}

uint64_t proto_epoch_last_height(ProtoEpoch epoch, uint64_t length)
{
    PROTO_ASSERT(epoch >= 1 && length > 0);
    PROTO_ASSERT(epoch <= UINT64_MAX / length);
    return epoch * length;
}

uint64_t proto_epoch_root_height(ProtoEpoch epoch, uint64_t length)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN);
    return proto_epoch_last_height(epoch, length) - 5;
}

uint64_t proto_epoch_transition_height(ProtoEpoch epoch, uint64_t length)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN);
    return proto_epoch_last_height(epoch, length) - 3;
}

/* How far `height` is below the last block of its epoch (0 for the last block). */
static uint64_t blocks_to_end(uint64_t height, uint64_t length)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN);
    return proto_epoch_last_height(proto_epoch_of_height(height, length), length) - height;
}

gboolean proto_epoch_is_root(uint64_t height, uint64_t length)
{
    return height > 0 && blocks_to_end(height, length) == 5;
}

gboolean proto_epoch_in_transition(uint64_t height, uint64_t length)
{
    return height > 0 && blocks_to_end(height, length) <= 3;
}

gboolean proto_epoch_must_be_empty(uint64_t height, uint64_t length)
{
    return height > 0 && blocks_to_end(height, length) <= 2;
}

gboolean proto_epoch_is_last(uint64_t height, uint64_t length)
{
    return height > 0 && blocks_to_end(height, length) == 0;
}

ProtoEpoch proto_epoch_of_change(uint64_t height, uint64_t length)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN);
    /* The first epoch e with eH - 5 >= height: e = ceil((height + 5) / H). */
    ProtoEpoch seen_by = proto_epoch_of_height(height + 5, length);
    PROTO_ASSERT(proto_epoch_root_height(seen_by, length) >= height);
    PROTO_ASSERT(seen_by == 1 || proto_epoch_root_height(seen_by - 1, length) < height);
    return seen_by + 2;
}

/* --- changes --------------------------------------------------------------------------------- */

static const char *const kind_names[PROTO_STAKE_CHANGE_KIND_COUNT_] = {
    [PROTO_STAKE_REGISTER] = "register",
    [PROTO_STAKE_DEREGISTER] = "deregister",
    [PROTO_STAKE_DELEGATE] = "delegate",
    [PROTO_STAKE_UNDELEGATE] = "undelegate",
};

const char *proto_stake_change_kind_name(ProtoStakeChangeKind kind)
{
    PROTO_ASSERT(kind >= PROTO_STAKE_REGISTER && kind < PROTO_STAKE_CHANGE_KIND_COUNT_);
    return kind_names[kind];
}

gboolean proto_stake_change_kind_lookup(const char *name, ProtoStakeChangeKind *kind)
{
    PROTO_ASSERT(name != NULL && kind != NULL);
    for (int k = PROTO_STAKE_REGISTER; k < PROTO_STAKE_CHANGE_KIND_COUNT_; k++) {
        if (strcmp(kind_names[k], name) == 0) {
            *kind = (ProtoStakeChangeKind)k;
            return TRUE;
        }
    }
    return FALSE;
}

#define STAKE_LIMIT ((uint64_t)1 << 62)

int proto_stake_change_apply(const ProtoStakeChange *change, uint64_t *stakes, uint32_t node_count)
{
    PROTO_ASSERT(change != NULL && stakes != NULL);
    if (change->node >= node_count) return PROTO_ERR_UNKNOWN;
    uint64_t *stake = &stakes[change->node];
    switch (change->kind) {
    case PROTO_STAKE_REGISTER:
        if (*stake > 0) return PROTO_ERR_DUPLICATE;
        if (change->amount == 0) return PROTO_ERR_FIELD;
        if (change->amount >= STAKE_LIMIT) return PROTO_ERR_LENGTH;
        *stake = change->amount;
        return PROTO_OK;
    case PROTO_STAKE_DEREGISTER:
        if (*stake == 0) return PROTO_ERR_INCONSISTENT;
        *stake = 0;
        return PROTO_OK;
    case PROTO_STAKE_DELEGATE:
        if (*stake == 0) return PROTO_ERR_INCONSISTENT;
        if (change->amount == 0) return PROTO_ERR_FIELD;
        if (change->amount >= STAKE_LIMIT - *stake) return PROTO_ERR_LENGTH;
        *stake += change->amount;
        return PROTO_OK;
    case PROTO_STAKE_UNDELEGATE:
        if (*stake == 0) return PROTO_ERR_INCONSISTENT;
        if (change->amount == 0 || change->amount >= *stake) return PROTO_ERR_FIELD;
        *stake -= change->amount;
        return PROTO_OK;
    case PROTO_STAKE_CHANGE_KIND_COUNT_:
        break;
    }
    PROTO_UNREACHABLE();
}

/* --- the schedule ---------------------------------------------------------------------------- */

/* What the schedule knows of one epoch: the stakes once computed, the beacon once set, the
 * table once asked for. */
typedef struct EpochEntry {
    uint64_t *stakes; /* NULL until computed */
    gboolean beacon_set;
    uint8_t beacon[32];
    ProtoStakeTable *table; /* NULL until asked for */
} EpochEntry;

struct ProtoEpochs {
    uint64_t length;
    uint32_t node_count;
    ProtoLeaderMode mode;
    uint8_t genesis_beacon[32];
    uint8_t (*keys)[32];
    uint64_t *genesis;
    ProtoStakeChange *changes; /* in schedule order */
    uint32_t change_count;
    EpochEntry *entries; /* entries[e] for epoch e; entries[0] unused */
    uint64_t entry_count;
};

/* Schedule order: by height, then as given (the index is the tie-break). */
typedef struct Indexed {
    ProtoStakeChange change;
    uint32_t index;
} Indexed;

static int by_height(const void *a, const void *b)
{
    const Indexed *x = a, *y = b;
    if (x->change.height != y->change.height) return x->change.height < y->change.height ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* `changes` sorted into schedule order (g_free); `order[i]` gets the original index of the i-th. */
static ProtoStakeChange *sorted_changes(const ProtoStakeChange *changes, uint32_t count,
                                        uint32_t *order)
{
    Indexed *indexed = g_new(Indexed, MAX(count, 1));
    for (uint32_t i = 0; i < count; i++)
        indexed[i] = (Indexed){changes[i], i};
    qsort(indexed, count, sizeof(Indexed), by_height);
    ProtoStakeChange *sorted = g_new(ProtoStakeChange, MAX(count, 1));
    for (uint32_t i = 0; i < count; i++) {
        sorted[i] = indexed[i].change;
        if (order != NULL) order[i] = indexed[i].index;
    }
    g_free(indexed);
    return sorted;
}

static uint64_t total_of(const uint64_t *stakes, uint32_t node_count)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < node_count; i++)
        total += stakes[i];
    return total;
}

int proto_epochs_check(uint64_t length, const uint64_t *stakes, uint32_t node_count,
                       const ProtoStakeChange *changes, uint32_t change_count, uint32_t *bad)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN && stakes != NULL && bad != NULL);
    uint32_t *order = g_new(uint32_t, MAX(change_count, 1));
    ProtoStakeChange *sorted = sorted_changes(changes, change_count, order);
    uint64_t *running = g_memdup2(stakes, sizeof(uint64_t) * node_count);
    int rc = total_of(running, node_count) > 0 ? PROTO_OK : PROTO_ERR_THRESHOLD;
    *bad = 0;
    for (uint32_t i = 0; rc == PROTO_OK && i < change_count; i++) {
        rc = proto_stake_change_apply(&sorted[i], running, node_count);
        /* An epoch's table is the stakes after its last change: changes at one height land in
         * the same epoch, so only the state after the last of them must keep stake. */
        gboolean last_at_height = i + 1 == change_count || sorted[i + 1].height != sorted[i].height;
        if (rc == PROTO_OK && last_at_height && total_of(running, node_count) == 0) {
            rc = PROTO_ERR_THRESHOLD;
        }
        if (rc != PROTO_OK) *bad = order[i];
    }
    g_free(running);
    g_free(sorted);
    g_free(order);
    return rc;
}

ProtoEpochs *proto_epochs_new(uint64_t length, const uint64_t *stakes,
                              const uint8_t (*public_keys)[32], uint32_t node_count,
                              ProtoLeaderMode mode, const uint8_t beacon[32],
                              const ProtoStakeChange *changes, uint32_t change_count)
{
    PROTO_ASSERT(length >= PROTO_EPOCH_LENGTH_MIN);
    PROTO_ASSERT(stakes != NULL && public_keys != NULL && node_count > 0);
    uint32_t bad = 0;
    PROTO_ASSERT(proto_epochs_check(length, stakes, node_count, changes, change_count, &bad) ==
                 PROTO_OK);
    ProtoEpochs *e = g_new0(ProtoEpochs, 1);
    e->length = length;
    e->node_count = node_count;
    e->mode = mode;
    if (beacon != NULL) memcpy(e->genesis_beacon, beacon, 32);
    e->keys = g_memdup2(public_keys, (size_t)node_count * 32);
    e->genesis = g_memdup2(stakes, sizeof(uint64_t) * node_count);
    e->changes = sorted_changes(changes, change_count, NULL);
    e->change_count = change_count;
    return e;
}

void proto_epochs_free(ProtoEpochs *e)
{
    if (e == NULL) return;
    for (uint64_t i = 0; i < e->entry_count; i++) {
        g_free(e->entries[i].stakes);
        proto_stake_table_free(e->entries[i].table);
    }
    g_free(e->entries);
    g_free(e->changes);
    g_free(e->genesis);
    g_free(e->keys);
    g_free(e);
}

uint64_t proto_epochs_length(const ProtoEpochs *e)
{
    return e->length;
}

uint32_t proto_epochs_change_count(const ProtoEpochs *e)
{
    return e->change_count;
}

/* The entry of `epoch`, growing the array to hold it. */
static EpochEntry *entry(ProtoEpochs *e, ProtoEpoch epoch)
{
    PROTO_ASSERT(epoch >= 1 && epoch < ((uint64_t)1 << 40));
    if (epoch >= e->entry_count) {
        uint64_t count = MAX(epoch + 1, 2 * e->entry_count);
        e->entries = g_renew(EpochEntry, e->entries, count);
        memset(e->entries + e->entry_count, 0, sizeof(EpochEntry) * (count - e->entry_count));
        e->entry_count = count;
    }
    return &e->entries[epoch];
}

/* Fills `out` with the stakes of `epoch`: genesis plus every change that applies by then. */
static void stakes_of(const ProtoEpochs *e, ProtoEpoch epoch, uint64_t *out)
{
    memcpy(out, e->genesis, sizeof(uint64_t) * e->node_count);
    for (uint32_t i = 0; i < e->change_count; i++) {
        if (proto_epoch_of_change(e->changes[i].height, e->length) > epoch) break;
        int rc = proto_stake_change_apply(&e->changes[i], out, e->node_count);
        PROTO_ASSERT(rc == PROTO_OK); /* proto_epochs_check passed at creation */
    }
}

uint64_t proto_epochs_stake_of(const ProtoEpochs *e, ProtoEpoch epoch, ProtoNodeId id)
{
    PROTO_ASSERT(id < e->node_count && epoch >= 1);
    if (epoch < e->entry_count && e->entries[epoch].stakes != NULL) {
        return e->entries[epoch].stakes[id];
    }
    uint64_t *stakes = g_new(uint64_t, e->node_count);
    stakes_of(e, epoch, stakes);
    uint64_t stake = stakes[id];
    g_free(stakes);
    return stake;
}

const ProtoStakeTable *proto_epochs_table(ProtoEpochs *e, ProtoEpoch epoch)
{
    EpochEntry *en = entry(e, epoch);
    if (en->table != NULL) return en->table;
    if (en->stakes == NULL) {
        en->stakes = g_new(uint64_t, e->node_count);
        stakes_of(e, epoch, en->stakes);
    }
    const uint8_t *beacon = en->beacon_set ? en->beacon : e->genesis_beacon;
    en->table = proto_stake_table_new(en->stakes, (const uint8_t(*)[32])e->keys, e->node_count,
                                      e->mode, beacon);
    PROTO_ASSERT(proto_stake_total(en->table) > 0);
    return en->table;
}

gboolean proto_epochs_set_beacon(ProtoEpochs *e, ProtoEpoch epoch, const uint8_t beacon[32])
{
    PROTO_ASSERT(epoch >= 3 && beacon != NULL);
    EpochEntry *en = entry(e, epoch);
    if (en->beacon_set) return memcmp(en->beacon, beacon, 32) == 0;
    if (en->table != NULL) return memcmp(e->genesis_beacon, beacon, 32) == 0; /* too late */
    memcpy(en->beacon, beacon, 32);
    en->beacon_set = TRUE;
    return TRUE;
}
