/* The L1 chain model; see l1.h. */
#include "sim/world/l1.h"

#include "sim/core/assert.h"

typedef struct Tx {
    uint64_t payload;
    uint64_t earliest; /* the first slot that may carry it */
    uint64_t block;    /* 0 while pending */
    SimTime final;     /* SIM_TIME_NONE until its block is final */
} Tx;

typedef struct Block {
    uint64_t slot;
    GArray *txs; /* uint64_t tx ids, in inclusion order */
} Block;

struct SimL1 {
    SimL1Config config;
    SimRng slots_rng;
    SimRng inclusion_rng;
    GArray *txs;     /* Tx, by id */
    GArray *blocks;  /* Block, number n at index n - 1 */
    GArray *pending; /* uint64_t tx ids, ascending */
    GArray *events;  /* SimL1Event, not yet taken */
    uint64_t next_slot;
    uint64_t final_height;
    uint64_t missed;
    uint64_t reorged;
    SimTime now;
    gboolean congested; /* by sim_l1_congest, with this delay */
    SimDist congested_slots;
};

void sim_l1_config_init(SimL1Config *c)
{
    SIM_ASSERT(c != NULL);
    *c = (SimL1Config){
        .seed = 1,
        .rng_algorithm = sim_rng_xoshiro256ss,
        .slot_time = 12 * SIM_S,
        .inclusion_delay = {SIM_DIST_CONSTANT, SIM_QUANTITY_COUNT, 1, 0, 0, FALSE},
        .finality_depth = 64,
    };
    SIM_ASSERT(c->slot_time > 0);
}

SimL1 *sim_l1_new(const SimL1Config *config)
{
    SIM_ASSERT(config != NULL && config->rng_algorithm != NULL);
    SIM_ASSERT(config->slot_time > 0);
    SIM_ASSERT(config->missed_ppm <= 1000000);
    SimL1 *l1 = g_new0(SimL1, 1);
    l1->config = *config;
    sim_rng_init(&l1->slots_rng, config->rng_algorithm, config->seed, "l1.slots", config->index);
    sim_rng_init(&l1->inclusion_rng, config->rng_algorithm, config->seed, "l1.inclusion",
                 config->index);
    l1->txs = g_array_new(FALSE, FALSE, sizeof(Tx));
    l1->blocks = g_array_new(FALSE, FALSE, sizeof(Block));
    l1->pending = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    l1->events = g_array_new(FALSE, FALSE, sizeof(SimL1Event));
    l1->next_slot = 1;
    return l1;
}

void sim_l1_free(SimL1 *l1)
{
    if (l1 == NULL) return;
    for (guint i = 0; i < l1->blocks->len; i++)
        g_array_unref(g_array_index(l1->blocks, Block, i).txs);
    g_array_unref(l1->blocks);
    g_array_unref(l1->txs);
    g_array_unref(l1->pending);
    g_array_unref(l1->events);
    sim_rng_clear(&l1->slots_rng);
    sim_rng_clear(&l1->inclusion_rng);
    g_free(l1);
}

static SimTime slot_start(const SimL1 *l1, uint64_t slot)
{
    SIM_ASSERT(slot <= SIM_TIME_MAX / l1->config.slot_time);
    return slot * l1->config.slot_time;
}

/* The first slot that starts after `now`. */
static uint64_t slot_after(const SimL1 *l1, SimTime now)
{
    return now / l1->config.slot_time + 1;
}

static void emit(SimL1 *l1, SimL1EventKind kind, uint64_t tx, uint64_t block, SimTime time)
{
    SIM_ASSERT(tx < l1->txs->len);
    SimL1Event e = {kind, tx, g_array_index(l1->txs, Tx, tx).payload, block, time};
    g_array_append_val(l1->events, e);
}

/* Slot `slot` produces a block with every pending transaction whose earliest slot has come. */
static void produce(SimL1 *l1, uint64_t slot)
{
    Block b = {slot, g_array_new(FALSE, FALSE, sizeof(uint64_t))};
    g_array_append_val(l1->blocks, b);
    uint64_t number = l1->blocks->len;
    guint kept = 0;
    for (guint i = 0; i < l1->pending->len; i++) {
        uint64_t id = g_array_index(l1->pending, uint64_t, i);
        Tx *tx = &g_array_index(l1->txs, Tx, id);
        SIM_ASSERT(tx->block == 0);
        if (tx->earliest > slot) {
            g_array_index(l1->pending, uint64_t, kept++) = id;
            continue;
        }
        tx->block = number;
        g_array_append_val(b.txs, id);
        emit(l1, SIM_L1_INCLUDED, id, number, slot_start(l1, slot));
    }
    g_array_set_size(l1->pending, kept);
}

/* Blocks whose slot is finality_depth or more behind `slot` become final at its start. */
static void finalise(SimL1 *l1, uint64_t slot)
{
    SimTime at = slot_start(l1, slot);
    while (l1->final_height < l1->blocks->len) {
        const Block *b = &g_array_index(l1->blocks, Block, l1->final_height);
        if (b->slot + l1->config.finality_depth > slot) break;
        l1->final_height++;
        for (guint i = 0; i < b->txs->len; i++) {
            uint64_t id = g_array_index(b->txs, uint64_t, i);
            g_array_index(l1->txs, Tx, id).final = at;
            emit(l1, SIM_L1_FINAL, id, l1->final_height, at);
        }
    }
    SIM_ASSERT(l1->final_height <= l1->blocks->len);
}

void sim_l1_advance(SimL1 *l1, SimTime now)
{
    SIM_ASSERT(l1 != NULL);
    SIM_ASSERT(now >= l1->now);
    l1->now = now;
    while (slot_start(l1, l1->next_slot) <= now) {
        uint64_t slot = l1->next_slot++;
        if (sim_rng_chance_ppm(&l1->slots_rng, l1->config.missed_ppm)) {
            l1->missed++;
        } else {
            produce(l1, slot);
        }
        finalise(l1, slot);
    }
}

SimTime sim_l1_next_slot(const SimL1 *l1, SimTime now)
{
    SIM_ASSERT(l1 != NULL);
    SimTime next = slot_start(l1, slot_after(l1, now));
    SIM_ASSERT(next > now);
    return next;
}

uint64_t sim_l1_submit(SimL1 *l1, uint64_t payload, SimTime now)
{
    sim_l1_advance(l1, now);
    const SimDist *dist = l1->congested ? &l1->congested_slots : &l1->config.inclusion_delay;
    uint64_t delay = sim_dist_sample(dist, &l1->inclusion_rng, 0);
    if (delay < 1) delay = 1;
    Tx tx = {payload, slot_after(l1, now) + delay - 1, 0, SIM_TIME_NONE};
    uint64_t id = l1->txs->len;
    g_array_append_val(l1->txs, tx);
    g_array_append_val(l1->pending, id);
    SIM_ASSERT(tx.earliest > now / l1->config.slot_time);
    return id;
}

void sim_l1_congest(SimL1 *l1, const SimDist *slots, SimTime now)
{
    sim_l1_advance(l1, now);
    l1->congested = slots != NULL;
    if (slots != NULL) l1->congested_slots = *slots;
}

static gint compare_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint32_t sim_l1_reorg(SimL1 *l1, uint32_t depth, SimTime now)
{
    sim_l1_advance(l1, now);
    uint64_t open = l1->blocks->len - l1->final_height;
    uint32_t dropped = (uint32_t)MIN((uint64_t)depth, open);
    uint64_t earliest = slot_after(l1, now);
    for (uint32_t k = 0; k < dropped; k++) {
        guint last = l1->blocks->len - 1;
        Block *b = &g_array_index(l1->blocks, Block, last);
        for (guint i = b->txs->len; i > 0; i--) { /* newest first, as the chain unwinds */
            uint64_t id = g_array_index(b->txs, uint64_t, i - 1);
            Tx *tx = &g_array_index(l1->txs, Tx, id);
            SIM_ASSERT(tx->final == SIM_TIME_NONE);
            tx->block = 0;
            tx->earliest = earliest;
            g_array_append_val(l1->pending, id);
            emit(l1, SIM_L1_REVERTED, id, last + 1, now);
        }
        g_array_unref(b->txs);
        g_array_set_size(l1->blocks, last);
    }
    g_array_sort(l1->pending, compare_u64); /* back in submission order */
    l1->reorged += dropped;
    SIM_ASSERT(l1->blocks->len >= l1->final_height);
    return dropped;
}

void sim_l1_take_events(SimL1 *l1, GArray *out)
{
    SIM_ASSERT(l1 != NULL && out != NULL);
    g_array_append_vals(out, l1->events->data, l1->events->len);
    g_array_set_size(l1->events, 0);
}

uint64_t sim_l1_height(const SimL1 *l1)
{
    return l1->blocks->len;
}

uint64_t sim_l1_final_height(const SimL1 *l1)
{
    return l1->final_height;
}

uint64_t sim_l1_slots(const SimL1 *l1)
{
    return l1->next_slot - 1;
}

uint64_t sim_l1_missed(const SimL1 *l1)
{
    return l1->missed;
}

uint64_t sim_l1_reorged(const SimL1 *l1)
{
    return l1->reorged;
}

uint64_t sim_l1_tx_block(const SimL1 *l1, uint64_t tx)
{
    SIM_ASSERT(tx < l1->txs->len);
    return g_array_index(l1->txs, Tx, tx).block;
}

SimTime sim_l1_tx_final(const SimL1 *l1, uint64_t tx)
{
    SIM_ASSERT(tx < l1->txs->len);
    return g_array_index(l1->txs, Tx, tx).final;
}

SimTime sim_l1_block_time(const SimL1 *l1, uint64_t number)
{
    SIM_ASSERT(number >= 1 && number <= l1->blocks->len);
    return slot_start(l1, g_array_index(l1->blocks, Block, number - 1).slot);
}

const SimL1Config *sim_l1_config(const SimL1 *l1)
{
    return &l1->config;
}
