/*
 * The stake table: quorum thresholds in stake (success floor(2S/3)+1, one honest floor(S/3)+1)
 * for equal, uneven and Zipf tables; the stake of a signer bitmap; round-robin leaders over the
 * nodes with stake; and the stake-weighted election of production HotShot, which must be a pure
 * function of (table, beacon, view), lead each node in proportion to its stake, never pick a
 * node without stake, and match an independent re-implementation of the rule written here from
 * the specification (../shared/protocol/hotshot.md, section 1.3).
 */
#include "tests/check_main.h"

#include "protocol/stake.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 1000

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Fixed pseudo-random 32-byte public keys; `salt` selects another set. */
static void fill_keys(uint8_t (*keys)[32], uint32_t n, uint64_t salt)
{
    uint64_t x = salt;
    for (uint32_t i = 0; i < n; i++) {
        for (int b = 0; b < 32; b += 8) {
            uint64_t r = splitmix(&x);
            for (int k = 0; k < 8; k++)
                keys[i][b + k] = (uint8_t)(r >> (8 * k));
        }
    }
}

static void fill_beacon(uint8_t beacon[32], uint64_t salt)
{
    fill_keys((uint8_t(*)[32])beacon, 1, salt ^ 0xbeac0u);
}

static ProtoStakeTable *table_with(const uint64_t *stakes, uint32_t n, ProtoLeaderMode mode,
                                   uint64_t key_salt, const uint8_t beacon[32])
{
    uint8_t(*keys)[32] = g_malloc((size_t)n * 32);
    fill_keys(keys, n, key_salt);
    ProtoStakeTable *t = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, n, mode, beacon);
    g_free(keys);
    return t;
}

/* --- thresholds ----------------------------------------------------------------------------- */

/* The thresholds of `stakes`, computed here in 128 bits from the formula. */
static void check_thresholds(const uint64_t *stakes, uint32_t n)
{
    ProtoU128 total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += stakes[i];
    uint8_t beacon[32] = {1};
    ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_ROUND_ROBIN, 1, beacon);
    ck_assert_uint_eq(proto_stake_node_count(t), n);
    ck_assert_uint_eq(proto_stake_total(t), (uint64_t)total);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_uint_eq(proto_stake_of(t, i), stakes[i]);
    uint64_t success = proto_stake_success_threshold(t);
    uint64_t honest = proto_stake_one_honest_threshold(t);
    ck_assert_uint_eq(success, (uint64_t)(2 * total / 3 + 1));
    ck_assert_uint_eq(honest, (uint64_t)(total / 3 + 1));
    /* Each is the least stake strictly above its fraction: 3*success > 2S >= 3*(success-1). */
    ck_assert(3 * (ProtoU128)success > 2 * total && 3 * (ProtoU128)(success - 1) <= 2 * total);
    ck_assert(3 * (ProtoU128)honest > total && 3 * (ProtoU128)(honest - 1) <= total);
    proto_stake_table_free(t);
}

START_TEST(thresholds_for_equal_stakes)
{
    /* Node-count thresholds with unit stake, worked out by hand. */
    static const struct {
        uint32_t n;
        uint64_t success, honest;
    } cases[] = {{4, 3, 2}, {10, 7, 4}, {100, 67, 34}, {1000, 667, 334}};
    uint64_t *stakes = g_new(uint64_t, MAX_NODES);
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        proto_stake_equal(cases[c].n, 1, stakes);
        uint8_t beacon[32] = {2};
        ProtoStakeTable *t = table_with(stakes, cases[c].n, PROTO_LEADER_STAKE_WEIGHTED, 3, beacon);
        ck_assert_uint_eq(proto_stake_success_threshold(t), cases[c].success);
        ck_assert_uint_eq(proto_stake_one_honest_threshold(t), cases[c].honest);
        proto_stake_table_free(t);
        /* Other units, including one that makes S large. */
        const uint64_t units[] = {1, 3, 7, 1000003, ((uint64_t)1 << 52) + 1};
        for (size_t u = 0; u < G_N_ELEMENTS(units); u++) {
            proto_stake_equal(cases[c].n, units[u], stakes);
            for (uint32_t i = 0; i < cases[c].n; i++)
                ck_assert_uint_eq(stakes[i], units[u]);
            check_thresholds(stakes, cases[c].n);
        }
    }
    g_free(stakes);
}
END_TEST

START_TEST(thresholds_for_uneven_and_zipf_stakes)
{
    uint64_t uneven[10];
    for (uint32_t i = 0; i < 10; i++)
        uneven[i] = i + 1;
    check_thresholds(uneven, 10);
    /* S = 55: success = floor(110/3) + 1 = 37, one honest = floor(55/3) + 1 = 19. */
    uint8_t beacon[32] = {3};
    ProtoStakeTable *t = table_with(uneven, 10, PROTO_LEADER_STAKE_WEIGHTED, 4, beacon);
    ck_assert_uint_eq(proto_stake_total(t), 55);
    ck_assert_uint_eq(proto_stake_success_threshold(t), 37);
    ck_assert_uint_eq(proto_stake_one_honest_threshold(t), 19);
    proto_stake_table_free(t);
    uint64_t *stakes = g_new(uint64_t, MAX_NODES);
    const uint32_t sizes[] = {4, 10, 100, 1000};
    const uint64_t exponents[] = {500000, 1000000, 2000000};
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        for (size_t e = 0; e < G_N_ELEMENTS(exponents); e++) {
            proto_stake_zipf(sizes[s], exponents[e], 1000000007, stakes);
            check_thresholds(stakes, sizes[s]);
        }
    }
    /* Near the 2^62 limit on S, where 2S no longer fits in 62 bits; with zero stakes too. */
    uint64_t big[4] = {((uint64_t)1 << 61) - 1, 0, ((uint64_t)1 << 60) + 12345, 0};
    check_thresholds(big, 4);
    g_free(stakes);
}
END_TEST

/* --- bitmaps -------------------------------------------------------------------------------- */

static uint64_t naive_bitmap_stake(const uint64_t *stakes, uint32_t n, const uint8_t *bitmap)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        if ((bitmap[i / 8] >> (i % 8)) & 1) sum += stakes[i];
    return sum;
}

START_TEST(stake_of_bitmap_sums_the_set_bits)
{
    uint64_t stakes[MAX_NODES];
    uint8_t bitmap[(MAX_NODES + 7) / 8];
    const uint32_t sizes[] = {1, 7, 8, 9, 13, 64, 1000};
    uint64_t rng = 99;
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        uint32_t n = sizes[s], bytes = (n + 7) / 8;
        for (uint32_t i = 0; i < n; i++)
            stakes[i] = 1 + splitmix(&rng) % 1000003;
        /* The last node, in the partial byte, weighs most. */
        stakes[n - 1] = 1000000000000u;
        uint8_t beacon[32] = {4};
        ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_STAKE_WEIGHTED, 5, beacon);
        memset(bitmap, 0, bytes);
        ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap), 0);
        memset(bitmap, 0xff, bytes);
        if (n % 8 != 0) bitmap[bytes - 1] = (uint8_t)((1u << (n % 8)) - 1);
        ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap), proto_stake_total(t));
        for (uint32_t i = 0; i < n; i++) {
            memset(bitmap, 0, bytes);
            bitmap[i / 8] = (uint8_t)(1u << (i % 8));
            ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap), stakes[i]);
        }
        for (int trial = 0; trial < 200; trial++) {
            for (uint32_t b = 0; b < bytes; b++)
                bitmap[b] = (uint8_t)splitmix(&rng);
            if (n % 8 != 0) bitmap[bytes - 1] &= (uint8_t)((1u << (n % 8)) - 1);
            ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap),
                              naive_bitmap_stake(stakes, n, bitmap));
        }
        /* Bits past the last node (the decoder rejects them) count for nothing. */
        if (n % 8 != 0) {
            memset(bitmap, 0, bytes);
            bitmap[bytes - 1] = (uint8_t)(0xffu << (n % 8));
            ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap), 0);
        }
        proto_stake_table_free(t);
    }
}
END_TEST

/* With equal stakes the sum is a popcount over whole words: the same results, including a last
 * byte whose unused bits are set and a committee whose size is a multiple of 8 but not of 64. */
START_TEST(stake_of_bitmap_with_equal_stakes)
{
    uint64_t stakes[MAX_NODES];
    uint8_t bitmap[(MAX_NODES + 7) / 8];
    const uint32_t sizes[] = {1, 7, 8, 9, 60, 64, 65, 1000};
    uint64_t rng = 17;
    uint8_t beacon[32] = {9};
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        uint32_t n = sizes[s], bytes = (n + 7) / 8;
        for (uint32_t i = 0; i < n; i++)
            stakes[i] = 5;
        ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_STAKE_WEIGHTED, 5, beacon);
        for (int trial = 0; trial < 200; trial++) {
            for (uint32_t b = 0; b < bytes; b++)
                bitmap[b] = (uint8_t)splitmix(&rng);
            ck_assert_uint_eq(proto_stake_of_bitmap(t, bitmap),
                              naive_bitmap_stake(stakes, n, bitmap));
        }
        proto_stake_table_free(t);
    }
}
END_TEST

/* The stake of a counted bitmap (a certificate's signers and signer_count) is that of the
 * bitmap, whether the shortcut applies (equal stakes, no bit beyond the table) or not (bits
 * beyond the last node, a count for another node count, unequal stakes). */
START_TEST(stake_of_counted_bitmap_equals_stake_of_bitmap)
{
    uint64_t stakes[MAX_NODES];
    uint8_t bitmap[(MAX_NODES + 7) / 8];
    const uint32_t sizes[] = {1, 7, 8, 9, 60, 64, 65, 1000};
    uint64_t rng = 23;
    uint8_t beacon[32] = {4};
    for (int uneven = 0; uneven < 2; uneven++) {
        for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
            uint32_t n = sizes[s], bytes = (n + 7) / 8;
            for (uint32_t i = 0; i < n; i++)
                stakes[i] = uneven ? 1 + i % 7 : 5;
            ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_STAKE_WEIGHTED, 5, beacon);
            for (int trial = 0; trial < 200; trial++) {
                for (uint32_t b = 0; b < bytes; b++)
                    bitmap[b] = (uint8_t)splitmix(&rng);
                if (trial % 2 == 0 && n % 8 != 0) { /* no stray bits half the time */
                    bitmap[bytes - 1] &= (uint8_t)((1u << (n % 8)) - 1);
                }
                uint32_t count = (uint32_t)proto_popcount(bitmap, bytes);
                uint64_t want = naive_bitmap_stake(stakes, n, bitmap);
                ck_assert_uint_eq(proto_stake_of_counted_bitmap(t, bitmap, n, count), want);
                if (n % 8 != 0) { /* the count of a wider bitmap: the long way */
                    ck_assert_uint_eq(proto_stake_of_counted_bitmap(t, bitmap, n + 1, count),
                                      proto_stake_of_bitmap(t, bitmap));
                }
            }
            proto_stake_table_free(t);
        }
    }
}
END_TEST

/* --- round robin ---------------------------------------------------------------------------- */

START_TEST(round_robin_cycles_over_nodes_with_stake)
{
    const uint64_t stakes[] = {0, 3, 0, 0, 5, 1, 0, 2, 0};
    const ProtoNodeId eligible[] = {1, 4, 5, 7};
    uint8_t beacon_a[32], beacon_b[32];
    fill_beacon(beacon_a, 1);
    fill_beacon(beacon_b, 2);
    ProtoStakeTable *a = table_with(stakes, 9, PROTO_LEADER_ROUND_ROBIN, 6, beacon_a);
    ProtoStakeTable *b = table_with(stakes, 9, PROTO_LEADER_ROUND_ROBIN, 7, beacon_b);
    ck_assert_int_eq(proto_stake_leader_mode(a), PROTO_LEADER_ROUND_ROBIN);
    for (ProtoView v = 0; v < 10000; v++) {
        ck_assert_uint_eq(proto_stake_leader(a, v), eligible[v % 4]);
        /* Keys and beacon play no part. */
        ck_assert_uint_eq(proto_stake_leader(b, v), eligible[v % 4]);
    }
    const ProtoView far[] = {(ProtoView)1 << 32, ((ProtoView)1 << 63) + 1, UINT64_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(far); i++)
        ck_assert_uint_eq(proto_stake_leader(a, far[i]), eligible[far[i] % 4]);
    proto_stake_table_free(a);
    proto_stake_table_free(b);
    /* Equal stakes: node v mod n; the beacon may be NULL. */
    uint64_t equal[7];
    proto_stake_equal(7, 5, equal);
    ProtoStakeTable *t = table_with(equal, 7, PROTO_LEADER_ROUND_ROBIN, 8, NULL);
    for (ProtoView v = 0; v < 1000; v++)
        ck_assert_uint_eq(proto_stake_leader(t, v), v % 7);
    ck_assert_uint_eq(proto_stake_leader(t, UINT64_MAX), UINT64_MAX % 7);
    proto_stake_table_free(t);
}
END_TEST

/* --- stake-weighted: the specification, re-implemented ------------------------------------ */

typedef struct SpecEntry {
    uint8_t order_key[32];
    ProtoNodeId id;
} SpecEntry;

static int spec_compare(const void *a, const void *b)
{
    const SpecEntry *x = a, *y = b;
    int c = memcmp(x->order_key, y->order_key, 32);
    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/* Election order (keys XOR beacon, ascending) and table hash (SHA-256 of the keys in that
 * order). The beacon and keys are both 32 bytes, so cycle(beacon) is the beacon itself. */
static void spec_order(const uint8_t (*keys)[32], uint32_t n, const uint8_t beacon[32],
                       ProtoNodeId *order, uint8_t table_hash[32])
{
    SpecEntry *entries = g_new(SpecEntry, n);
    uint8_t *concat = g_malloc((size_t)n * 32);
    for (uint32_t i = 0; i < n; i++) {
        entries[i].id = i;
        for (int b = 0; b < 32; b++)
            entries[i].order_key[b] = keys[i][b] ^ beacon[b];
    }
    qsort(entries, n, sizeof *entries, spec_compare);
    for (uint32_t i = 0; i < n; i++) {
        order[i] = entries[i].id;
        memcpy(concat + (size_t)i * 32, keys[order[i]], 32);
    }
    crypto_hash_sha256(table_hash, concat, (unsigned long long)n * 32);
    g_free(concat);
    g_free(entries);
}

/* x mod m for a 512-bit little-endian x, from the least significant byte up (the library goes
 * the other way): sum of x[i] * (256^i mod m). */
static uint64_t spec_mod(const uint8_t x[64], uint64_t m)
{
    ProtoU128 r = 0, weight = 1 % m;
    for (int i = 0; i < 64; i++) {
        r = (r + (ProtoU128)x[i] * weight) % m;
        weight = weight * 256 % m;
    }
    return (uint64_t)r;
}

/* The leader of `view`: SHA-512(beacon || view LE || table hash) mod S, then the first node in
 * election order whose cumulative stake exceeds it, found by a linear scan. */
static ProtoNodeId spec_leader(const uint64_t *stakes, const ProtoNodeId *order, uint32_t n,
                               const uint8_t beacon[32], const uint8_t table_hash[32],
                               ProtoView view)
{
    uint8_t input[72], x[64];
    memcpy(input, beacon, 32);
    for (int i = 0; i < 8; i++)
        input[32 + i] = (uint8_t)(view >> (8 * i));
    memcpy(input + 40, table_hash, 32);
    crypto_hash_sha512(x, input, sizeof input);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += stakes[i];
    uint64_t b = spec_mod(x, total), cumulative = 0;
    for (uint32_t i = 0; i < n; i++) {
        cumulative += stakes[order[i]];
        if (cumulative > b) return order[i];
    }
    ck_abort_msg("no leader: cumulative stake never exceeds b");
    return PROTO_NODE_NONE;
}

static void check_against_spec(const uint64_t *stakes, uint32_t n, uint64_t key_salt,
                               uint64_t beacon_salt)
{
    uint8_t(*keys)[32] = g_malloc((size_t)n * 32);
    fill_keys(keys, n, key_salt);
    uint8_t beacon[32], table_hash[32];
    fill_beacon(beacon, beacon_salt);
    ProtoNodeId *order = g_new(ProtoNodeId, n);
    spec_order((const uint8_t(*)[32])keys, n, beacon, order, table_hash);
    ProtoStakeTable *t = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, n,
                                               PROTO_LEADER_STAKE_WEIGHTED, beacon);
    ck_assert_mem_eq(proto_stake_table_hash(t)->bytes, table_hash, 32);
    const ProtoView far[] = {(ProtoView)1 << 32, ((ProtoView)1 << 63) + 5, UINT64_MAX};
    for (ProtoView v = 0; v < 64 + G_N_ELEMENTS(far); v++) {
        ProtoView view = v < 64 ? v * 1009 : far[v - 64];
        ck_assert_uint_eq(proto_stake_leader(t, view),
                          spec_leader(stakes, order, n, beacon, table_hash, view));
    }
    proto_stake_table_free(t);
    g_free(order);
    g_free(keys);
}

START_TEST(stake_weighted_matches_the_specification)
{
    const uint64_t small[] = {1, 2, 3, 4, 10};
    const uint64_t with_zeros[] = {0, 7, 0, 1, 2, 0, 9, 0};
    /* Stakes near 2^59 each, so S is close to the 2^62 limit and b uses all of it. */
    uint64_t large[7];
    for (int i = 0; i < 7; i++)
        large[i] = ((uint64_t)1 << 59) + (uint64_t)i * 0x123456789abu;
    for (uint64_t beacon = 0; beacon < 4; beacon++) {
        check_against_spec(small, 5, 11, beacon);
        check_against_spec(with_zeros, 8, 12, beacon);
        check_against_spec(large, 7, 13, beacon);
    }
    uint64_t *zipf = g_new(uint64_t, MAX_NODES);
    proto_stake_zipf(MAX_NODES, 1000000, 1000000, zipf);
    check_against_spec(zipf, MAX_NODES, 14, 5);
    g_free(zipf);
}
END_TEST

/* --- stake-weighted: properties ------------------------------------------------------------- */

START_TEST(stake_weighted_is_deterministic_and_depends_on_the_beacon)
{
    const uint64_t stakes[] = {1, 2, 3, 4, 10};
    uint8_t beacon[32], other[32], one_bit[32];
    fill_beacon(beacon, 21);
    fill_beacon(other, 22);
    memcpy(one_bit, beacon, 32);
    one_bit[31] ^= 0x80;
    ProtoStakeTable *a = table_with(stakes, 5, PROTO_LEADER_STAKE_WEIGHTED, 15, beacon);
    ProtoStakeTable *b = table_with(stakes, 5, PROTO_LEADER_STAKE_WEIGHTED, 15, beacon);
    ProtoStakeTable *c = table_with(stakes, 5, PROTO_LEADER_STAKE_WEIGHTED, 15, other);
    ProtoStakeTable *d = table_with(stakes, 5, PROTO_LEADER_STAKE_WEIGHTED, 15, one_bit);
    ck_assert_int_eq(proto_stake_leader_mode(a), PROTO_LEADER_STAKE_WEIGHTED);
    ck_assert(proto_commit_equal(proto_stake_table_hash(a), proto_stake_table_hash(b)));
    const uint32_t views = 10000;
    uint32_t same_c = 0, same_d = 0;
    for (ProtoView v = 0; v < views; v++) {
        ProtoNodeId leader = proto_stake_leader(a, v);
        ck_assert_uint_eq(proto_stake_leader(a, v), leader);
        ck_assert_uint_eq(proto_stake_leader(b, v), leader);
        same_c += proto_stake_leader(c, v) == leader;
        same_d += proto_stake_leader(d, v) == leader;
    }
    /*
     * Under another beacon the leaders are drawn afresh, so two schedules agree on a view with
     * probability sum(p_i^2) = (1 + 4 + 9 + 16 + 100) / 400 = 0.325: 3250 of 10,000 views,
     * standard deviation sqrt(10000 * 0.325 * 0.675) = 47. Allow 5 deviations either way; a
     * schedule that ignored the beacon would agree on all 10,000.
     */
    ck_assert_uint_ge(same_c, 3250 - 235);
    ck_assert_uint_le(same_c, 3250 + 235);
    ck_assert_uint_ge(same_d, 3250 - 235);
    ck_assert_uint_le(same_d, 3250 + 235);
    proto_stake_table_free(a);
    proto_stake_table_free(b);
    proto_stake_table_free(c);
    proto_stake_table_free(d);
}
END_TEST

START_TEST(stake_weighted_shares_follow_stake)
{
    const uint64_t stakes[] = {1, 2, 3, 4, 10};
    const uint32_t n = 5, views = 200000;
    const double total = 20;
    uint8_t beacon[32];
    fill_beacon(beacon, 31);
    ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_STAKE_WEIGHTED, 16, beacon);
    uint32_t led[5] = {0};
    for (ProtoView v = 0; v < views; v++)
        led[proto_stake_leader(t, v)]++;
    /*
     * If the hash behaves as a uniform draw, node i leads Binomial(N, p_i) views, p_i = s_i/S,
     * with standard deviation sigma_i = sqrt(N p_i (1 - p_i)): 97 views (0.049 percentage
     * points of share) for the 1/20 node, 224 (0.11 points) for the 10/20 node. Each count
     * must be within 5 sigma (a false alarm has probability below 3e-6 per run over the five
     * nodes), and Pearson's chi-square over the five counts (4 degrees of freedom) must stay
     * below 35 (P = 5e-7). An off-by-one at a cumulative boundary moves 1/20 of all views and
     * an unweighted rule moves 30%: hundreds of sigma either way.
     */
    double chi_square = 0;
    for (uint32_t i = 0; i < n; i++) {
        double p = (double)stakes[i] / total, expected = views * p;
        double sigma = sqrt(views * p * (1 - p)), deviation = led[i] - expected;
        ck_assert_msg(fabs(deviation) <= 5 * sigma, "node %u led %u views, expected %.0f +- %.0f",
                      i, led[i], expected, 5 * sigma);
        chi_square += deviation * deviation / expected;
    }
    ck_assert_msg(chi_square < 35, "chi-square %.2f", chi_square);
    proto_stake_table_free(t);
}
END_TEST

START_TEST(zero_stake_never_leads)
{
    const uint64_t stakes[] = {0, 5, 0, 1, 0, 3, 0, 0, 2, 0};
    const uint32_t n = 10;
    /* Several beacons put the zero-stake nodes at different places in the election order,
     * including first and last, where a boundary mistake would surface. */
    for (uint64_t b = 0; b < 8; b++) {
        uint8_t beacon[32];
        fill_beacon(beacon, 40 + b);
        ProtoStakeTable *t = table_with(stakes, n, PROTO_LEADER_STAKE_WEIGHTED, 17, beacon);
        uint32_t led[10] = {0};
        for (ProtoView v = 0; v < 25000; v++)
            led[proto_stake_leader(t, v)]++;
        for (uint32_t i = 0; i < n; i++) {
            if (stakes[i] == 0) {
                ck_assert_uint_eq(led[i], 0);
            } else {
                ck_assert_uint_gt(led[i], 0);
            }
        }
        proto_stake_table_free(t);
    }
    /* A single node with stake leads every view. */
    const uint64_t one[] = {0, 0, 4, 0};
    uint8_t beacon[32];
    fill_beacon(beacon, 50);
    ProtoStakeTable *t = table_with(one, 4, PROTO_LEADER_STAKE_WEIGHTED, 18, beacon);
    for (ProtoView v = 0; v < 1000; v++)
        ck_assert_uint_eq(proto_stake_leader(t, v), 2);
    proto_stake_table_free(t);
}
END_TEST

/* --- Zipf ----------------------------------------------------------------------------------- */

START_TEST(zipf_stakes_decrease_from_node_zero)
{
    uint64_t *stakes = g_new(uint64_t, MAX_NODES);
    const uint64_t exponents[] = {0, 500000, 1000000, 1500000, 2000000};
    const uint64_t scales[] = {1, 1000, 1000000};
    for (size_t e = 0; e < G_N_ELEMENTS(exponents); e++) {
        for (size_t s = 0; s < G_N_ELEMENTS(scales); s++) {
            proto_stake_zipf(MAX_NODES, exponents[e], scales[s], stakes);
            ck_assert_uint_eq(stakes[0], scales[s]);
            for (uint32_t i = 0; i < MAX_NODES; i++) {
                ck_assert_uint_ge(stakes[i], 1);
                if (i > 0) ck_assert_uint_le(stakes[i], stakes[i - 1]);
                if (exponents[e] == 0) ck_assert_uint_eq(stakes[i], scales[s]);
            }
        }
    }
    /* s = 1: node i gets scale / (i + 1), rounded to the nearest integer. */
    const uint64_t scale = 1000000;
    proto_stake_zipf(MAX_NODES, 1000000, scale, stakes);
    for (uint32_t i = 0; i < MAX_NODES; i++) {
        double ideal = (double)scale / (i + 1);
        ck_assert_msg(fabs((double)stakes[i] - ideal) <= 0.5 + 1e-9, "node %u: %lu vs %.3f", i,
                      (unsigned long)stakes[i], ideal);
    }
    ck_assert_uint_eq(stakes[1], 500000);
    ck_assert_uint_eq(stakes[2], 333333);
    ck_assert_uint_eq(stakes[999], 1000);
    /* s = 2 on a small scale: the tail would round to zero and is held at 1. */
    proto_stake_zipf(MAX_NODES, 2000000, 1000, stakes);
    ck_assert_uint_eq(stakes[9], 10);
    ck_assert_uint_eq(stakes[999], 1);
    g_free(stakes);
}
END_TEST

/* proto_popcount, whichever path the CPU takes, agrees with a bit-by-bit count on every length
 * and alignment (the word loop, the byte tail, and both together). */
START_TEST(popcount_matches_a_bit_by_bit_count)
{
    uint8_t buffer[80];
    uint32_t state = 12345;
    for (size_t i = 0; i < sizeof buffer; i++) {
        state = state * 1103515245u + 12345u;
        buffer[i] = (uint8_t)(state >> 16);
    }
    for (size_t offset = 0; offset < 8; offset++) {
        for (size_t len = 0; offset + len <= sizeof buffer; len++) {
            uint64_t slow = 0;
            for (size_t i = 0; i < len * 8; i++)
                slow += (buffer[offset + i / 8] >> (i % 8)) & 1u;
            ck_assert_uint_eq(proto_popcount(buffer + offset, len), slow);
        }
    }
    memset(buffer, 0xff, sizeof buffer);
    ck_assert_uint_eq(proto_popcount(buffer, sizeof buffer), 8 * sizeof buffer);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("stake");
    TCase *tc = tcase_create("stake");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, thresholds_for_equal_stakes);
    tcase_add_test(tc, thresholds_for_uneven_and_zipf_stakes);
    tcase_add_test(tc, stake_of_bitmap_sums_the_set_bits);
    tcase_add_test(tc, stake_of_bitmap_with_equal_stakes);
    tcase_add_test(tc, stake_of_counted_bitmap_equals_stake_of_bitmap);
    tcase_add_test(tc, round_robin_cycles_over_nodes_with_stake);
    tcase_add_test(tc, stake_weighted_matches_the_specification);
    tcase_add_test(tc, stake_weighted_is_deterministic_and_depends_on_the_beacon);
    tcase_add_test(tc, stake_weighted_shares_follow_stake);
    tcase_add_test(tc, zero_stake_never_leads);
    tcase_add_test(tc, zipf_stakes_decrease_from_node_zero);
    tcase_add_test(tc, popcount_matches_a_bit_by_bit_count);
    suite_add_tcase(suite, tc);
    return suite;
}
