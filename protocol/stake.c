/* Stake table, thresholds and the two leader-election rules; see stake.h. */
#include "protocol/stake.h"

#include "protocol/assert.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

typedef struct Entry {
    ProtoNodeId id;
    uint8_t order_key[32]; /* public key XOR cycle(beacon) */
} Entry;

#define LEADER_CACHE 1024 /* views whose leader is remembered; a power of two */

typedef struct LeaderCache {
    ProtoView view[LEADER_CACHE];
    ProtoNodeId leader[LEADER_CACHE];
    gboolean valid[LEADER_CACHE];
} LeaderCache;

struct ProtoStakeTable {
    uint32_t node_count;
    uint64_t *stakes;
    uint64_t total;
    ProtoLeaderMode mode;
    uint8_t beacon[32];
    ProtoNodeId *order;    /* election order */
    uint64_t *cumulative;  /* cumulative stake along `order` */
    ProtoNodeId *eligible; /* round robin: stake > 0, in table order */
    uint32_t eligible_count;
    ProtoCommit table_hash;
    uint64_t equal_unit; /* every stake equals this, or 0 when they differ */
    /* Leaders are computed for nearly every message a node receives; the cache keeps the
     * table logically immutable (a cached value is exactly what would be computed). */
    LeaderCache *cache;
};

static int entry_compare(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    int c = memcmp(x->order_key, y->order_key, 32);
    if (c != 0) return c;
    return x->id < y->id ? -1 : x->id > y->id; /* equal keys (twins): stable by id */
}

static void build_order(ProtoStakeTable *t, const uint8_t (*public_keys)[32])
{
    Entry *entries = g_new(Entry, t->node_count);
    for (uint32_t i = 0; i < t->node_count; i++) {
        entries[i].id = i;
        for (int b = 0; b < 32; b++)
            entries[i].order_key[b] = public_keys[i][b] ^ t->beacon[b];
    }
    qsort(entries, t->node_count, sizeof(Entry), entry_compare);
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    uint64_t running = 0;
    for (uint32_t i = 0; i < t->node_count; i++) {
        ProtoNodeId id = entries[i].id;
        t->order[i] = id;
        running += t->stakes[id];
        t->cumulative[i] = running;
        crypto_hash_sha256_update(&sha, public_keys[id], 32);
    }
    crypto_hash_sha256_final(&sha, t->table_hash.bytes);
    g_free(entries);
}

ProtoStakeTable *proto_stake_table_new(const uint64_t *stakes, const uint8_t (*public_keys)[32],
                                       uint32_t node_count, ProtoLeaderMode mode,
                                       const uint8_t beacon[32])
{
    PROTO_ASSERT(stakes != NULL && public_keys != NULL);
    PROTO_ASSERT(node_count > 0);
    ProtoStakeTable *t = g_new0(ProtoStakeTable, 1);
    t->node_count = node_count;
    t->mode = mode;
    if (beacon != NULL) memcpy(t->beacon, beacon, 32);
    t->stakes = g_memdup2(stakes, sizeof(uint64_t) * node_count);
    t->order = g_new(ProtoNodeId, node_count);
    t->cumulative = g_new(uint64_t, node_count);
    t->eligible = g_new(ProtoNodeId, node_count);
    for (uint32_t i = 0; i < node_count; i++) {
        PROTO_ASSERT(stakes[i] < ((uint64_t)1 << 62) - t->total);
        t->total += stakes[i];
        if (stakes[i] > 0) t->eligible[t->eligible_count++] = i;
    }
    PROTO_ASSERT(t->total > 0);
    build_order(t, public_keys);
    t->equal_unit = stakes[0];
    for (uint32_t i = 1; i < node_count && t->equal_unit != 0; i++) {
        if (stakes[i] != stakes[0]) t->equal_unit = 0;
    }
    t->cache = g_new0(LeaderCache, 1);
    return t;
}

void proto_stake_table_free(ProtoStakeTable *t)
{
    if (t == NULL) return;
    g_free(t->stakes);
    g_free(t->order);
    g_free(t->cumulative);
    g_free(t->eligible);
    g_free(t->cache);
    g_free(t);
}

uint32_t proto_stake_node_count(const ProtoStakeTable *t)
{
    return t->node_count;
}

uint64_t proto_stake_of(const ProtoStakeTable *t, ProtoNodeId id)
{
    PROTO_ASSERT(id < t->node_count);
    return t->stakes[id];
}

uint64_t proto_stake_total(const ProtoStakeTable *t)
{
    return t->total;
}

uint64_t proto_stake_success_threshold(const ProtoStakeTable *t)
{
    return 2 * t->total / 3 + 1;
}

uint64_t proto_stake_one_honest_threshold(const ProtoStakeTable *t)
{
    return t->total / 3 + 1;
}

ProtoLeaderMode proto_stake_leader_mode(const ProtoStakeTable *t)
{
    return t->mode;
}

/* x mod m for x a 512-bit little-endian integer: Horner over 64-bit limbs, most significant
 * first, each step (r * 2^64 + limb) mod m exact in 128 bits since r < m < 2^64. */
static uint64_t mod_le512(const uint8_t x[64], uint64_t m)
{
    ProtoU128 r = 0;
    for (int limb = 7; limb >= 0; limb--) {
        uint64_t word = 0;
        for (int b = 7; b >= 0; b--)
            word = (word << 8) | x[limb * 8 + b];
        r = ((r << 64) | word) % m;
    }
    return (uint64_t)r;
}

static ProtoNodeId weighted_leader(const ProtoStakeTable *t, ProtoView view)
{
    uint8_t input[32 + 8 + PROTO_COMMIT_BYTES];
    memcpy(input, t->beacon, 32);
    for (int i = 0; i < 8; i++)
        input[32 + i] = (uint8_t)(view >> (8 * i));
    memcpy(input + 40, t->table_hash.bytes, PROTO_COMMIT_BYTES);
    uint8_t x[crypto_hash_sha512_BYTES];
    crypto_hash_sha512(x, input, sizeof input);
    uint64_t b = mod_le512(x, t->total);
    /* First entry whose cumulative stake exceeds b: binary search. */
    uint32_t lo = 0, hi = t->node_count - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->cumulative[mid] > b) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    PROTO_ASSERT(t->cumulative[lo] > b);
    return t->order[lo];
}

ProtoNodeId proto_stake_leader(const ProtoStakeTable *t, ProtoView view)
{
    if (t->mode == PROTO_LEADER_ROUND_ROBIN) {
        PROTO_ASSERT(t->eligible_count > 0);
        return t->eligible[view % t->eligible_count];
    }
    size_t slot = view & (LEADER_CACHE - 1);
    LeaderCache *cache = t->cache;
    if (!cache->valid[slot] || cache->view[slot] != view) {
        cache->leader[slot] = weighted_leader(t, view);
        cache->view[slot] = view;
        cache->valid[slot] = TRUE;
    }
    return cache->leader[slot];
}

uint64_t proto_stake_of_counted_bitmap(const ProtoStakeTable *t, const uint8_t *bitmap,
                                       uint32_t node_count, uint32_t count)
{
    if (t->equal_unit != 0 && node_count == t->node_count &&
        (node_count % 8 == 0 || bitmap[node_count / 8] >> (node_count % 8) == 0)) {
        return (uint64_t)count * t->equal_unit;
    }
    return proto_stake_of_bitmap(t, bitmap);
}

uint64_t proto_stake_of_bitmap(const ProtoStakeTable *t, const uint8_t *bitmap)
{
    uint64_t sum = 0;
    if (t->equal_unit != 0) {
        /* Equal stakes (the common case): stake is the number of signers times the unit. Whole
         * bytes by proto_popcount, then the last partial byte masked to real nodes. */
        size_t full = t->node_count / 8;
        uint64_t count = proto_popcount(bitmap, full);
        if (t->node_count % 8) {
            count += (uint64_t)__builtin_popcount(bitmap[full] & ((1u << (t->node_count % 8)) - 1));
        }
        return count * t->equal_unit;
    }
    for (uint32_t byte = 0; byte < (t->node_count + 7) / 8; byte++) {
        uint8_t bits = bitmap[byte];
        while (bits != 0) {
            uint32_t bit = (uint32_t)__builtin_ctz(bits);
            uint32_t id = byte * 8 + bit;
            if (id < t->node_count) sum += t->stakes[id];
            bits &= (uint8_t)(bits - 1);
        }
    }
    return sum;
}

const ProtoCommit *proto_stake_table_hash(const ProtoStakeTable *t)
{
    return &t->table_hash;
}

void proto_stake_equal(uint32_t node_count, uint64_t unit, uint64_t *out)
{
    PROTO_ASSERT(unit > 0);
    for (uint32_t i = 0; i < node_count; i++)
        out[i] = unit;
}

void proto_stake_zipf(uint32_t node_count, uint64_t s_ppm, uint64_t scale, uint64_t *out)
{
    PROTO_ASSERT(scale > 0 && scale < ((uint64_t)1 << 40));
    double s = (double)s_ppm / 1e6;
    for (uint32_t i = 0; i < node_count; i++) {
        double v = (double)scale / pow((double)(i + 1), s);
        uint64_t stake = (uint64_t)llround(v);
        out[i] = stake > 0 ? stake : 1;
    }
}
