/*
 * Verifiable information dispersal (AVID-M shape over GF(2^16)): stake weights follow the
 * production formula (weight = stake up to a total of 1000, else floor(1000 s / S) + 1, so W is
 * about 1000 + n, and k = ceil(W / 3)); any k distinct units, and any larger set, rebuild the
 * payload exactly, for equal, uneven and Zipf stakes and for payloads of 0, 1, odd, chunk-edge
 * and a few hundred KiB; k - 1 units, bad indices and bad sizes fail with their codes and leave
 * the output alone; every unit's Merkle path verifies, while a flipped bit in the unit or the
 * path, or the unit shown at another index, does not; a namespace proof (and the root-only block
 * path check) verifies for its own namespace only; production share sizes match the hand
 * computation for 100 equal validators (hotshot.md section 2.3); and encoding is a pure function of
 * its input. Randomness comes from a fixed-seed splitmix64 generator.
 */
#include "tests/check_main.h"

#include "protocol/vid.h"

#include <sodium.h>
#include <string.h>

/* --- helpers -------------------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A draw in [0, bound); the modulo bias is irrelevant for picking test subsets. */
static uint32_t draw(uint64_t *x, uint32_t bound)
{
    return (uint32_t)(splitmix(x) % bound);
}

static uint8_t *random_bytes(uint64_t *x, size_t len)
{
    uint8_t *b = g_malloc(len > 0 ? len : 1);
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)splitmix(x);
    return b;
}

/* Stake distributions of the configurations below. */
typedef enum StakeKind { STAKE_EQUAL, STAKE_LIST, STAKE_ZIPF } StakeKind;

typedef struct Config {
    const char *name;
    StakeKind kind;
    uint32_t nodes;
    uint64_t stake;        /* STAKE_EQUAL: every node's; STAKE_ZIPF: node 0's */
    const uint64_t *list;  /* STAKE_LIST */
    uint32_t total_weight; /* expected W */
    uint32_t threshold;    /* expected k */
    size_t lengths[8];
    uint32_t length_count;
    uint32_t trials; /* random subsets of each size per payload */
} Config;

static const uint64_t uneven[] = {30, 20, 15, 15, 10, 7, 3};

static const Config configs[] = {
    {"16 equal",
     STAKE_EQUAL,
     16,
     1,
     NULL,
     16,
     6,
     {0, 1, 2, 3, 11, 12, 1001, 300 * 1024 + 1},
     8,
     24},
    {"W=100 uneven",
     STAKE_LIST,
     7,
     0,
     uneven,
     100,
     34,
     {0, 1, 67, 68, 69, 4999, 200 * 1024 + 3},
     7,
     16},
    /* Node i stakes 10^6 / (i + 1): S is about 4 * 10^6, so weights are scaled and W = 1014. */
    {"30 zipf",
     STAKE_ZIPF,
     30,
     1000000,
     NULL,
     1014,
     338,
     {0, 1, 675, 676, 677, 9999, 40 * 1024 + 1},
     7,
     6},
    {"100 equal", STAKE_EQUAL, 100, 1000, NULL, 1100, 367, {0, 1, 733, 20001}, 4, 4},
};

#define CONFIG_COUNT (sizeof configs / sizeof configs[0])

static uint64_t *config_stakes(const Config *c)
{
    uint64_t *stakes = g_new(uint64_t, c->nodes);
    for (uint32_t i = 0; i < c->nodes; i++) {
        if (c->kind == STAKE_EQUAL)
            stakes[i] = c->stake;
        else if (c->kind == STAKE_LIST)
            stakes[i] = c->list[i];
        else
            stakes[i] = c->stake / (i + 1);
    }
    return stakes;
}

static ProtoVidParams *config_params(const Config *c)
{
    uint64_t *stakes = config_stakes(c);
    ProtoVidParams *p = proto_vid_params_new(stakes, c->nodes);
    g_free(stakes);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->total_weight, c->total_weight);
    ck_assert_uint_eq(p->threshold, c->threshold);
    return p;
}

static ProtoVidParams *equal_params(uint32_t nodes, uint64_t stake)
{
    uint64_t *stakes = g_new(uint64_t, nodes);
    for (uint32_t i = 0; i < nodes; i++)
        stakes[i] = stake;
    ProtoVidParams *p = proto_vid_params_new(stakes, nodes);
    g_free(stakes);
    ck_assert_ptr_nonnull(p);
    return p;
}

static const uint8_t *unit_data(const ProtoVidEncoding *enc, uint32_t unit)
{
    return enc->units + (size_t)unit * enc->unit_bytes;
}

/* Recovers from the units listed in `units` and checks the result is `payload`. */
static void check_recovers(const ProtoVidParams *p, const ProtoVidEncoding *enc,
                           const uint8_t *payload, const uint32_t *units, uint32_t count)
{
    const uint8_t **data = g_new(const uint8_t *, count > 0 ? count : 1);
    for (uint32_t i = 0; i < count; i++)
        data[i] = unit_data(enc, units[i]);
    size_t len = (size_t)enc->payload_len;
    /* Exactly the payload's size, so the sanitizer catches a write past it. */
    uint8_t *out = g_malloc(len > 0 ? len : 1);
    int rc = proto_vid_recover(p, enc->payload_len, units, data, count, enc->unit_bytes, out);
    ck_assert_int_eq(rc, PROTO_OK);
    ck_assert_msg(len == 0 || memcmp(out, payload, len) == 0, "payload of %zu bytes differs", len);
    g_free(out);
    g_free(data);
}

/* Puts a random permutation of 0..n-1 in `perm`. */
static void shuffle(uint64_t *x, uint32_t *perm, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = draw(x, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

/* --- the field ------------------------------------------------------------------------------ */

START_TEST(field_polynomial_is_primitive)
{
    /* vid.c builds GF(2^16) from x^16 + x^12 + x^3 + x + 1; its generator x must have order
     * 65535 (visit every nonzero element), or log tables would repeat and points would collide.
     * vid.c asserts the same when it builds its tables; this is an independent check. */
    const uint32_t poly = 0x1100B;
    uint32_t x = 1, order = 0;
    do {
        x <<= 1;
        if (x & 0x10000) x ^= poly;
        order++;
    } while (x != 1 && order < 70000);
    ck_assert_uint_eq(order, 65535);
}
END_TEST

/* --- weights -------------------------------------------------------------------------------- */

/* Checks weights, prefix sums, W, k, depth and owners of `p` against the formula. */
static void check_weights(const ProtoVidParams *p, const uint64_t *stakes, uint32_t n)
{
    ProtoU128 total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += stakes[i];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t w =
            total <= 1000 ? stakes[i] : (uint64_t)(stakes[i] * (ProtoU128)1000 / total) + 1;
        ck_assert_uint_eq(p->weights[i], w);
        ck_assert_uint_eq(p->first_unit[i], sum);
        for (uint32_t u = 0; u < w; u++)
            ck_assert_uint_eq(proto_vid_owner(p, (uint32_t)sum + u), i);
        sum += w;
    }
    ck_assert_uint_eq(p->node_count, n);
    ck_assert_uint_eq(p->total_weight, sum);
    ck_assert_uint_eq(p->threshold, (sum + 2) / 3);
    ck_assert(3 * (uint64_t)p->threshold >= sum && 3 * (uint64_t)(p->threshold - 1) < sum);
    uint32_t depth = 0;
    while ((1u << depth) < sum)
        depth++;
    ck_assert_uint_eq(p->depth, depth);
    if (total > 1000) {
        /* Each weight is within one of its share of 1000, so W is between 1000 and 1000 + n. */
        ck_assert_uint_ge(sum, 1000);
        ck_assert_uint_le(sum, 1000 + n);
    }
}

START_TEST(weights_follow_the_formula)
{
    uint64_t stakes[1000];
    /* Small totals: weight = stake, a zero-stake node owns nothing. */
    const uint64_t small[] = {5, 0, 300, 0, 695};
    ProtoVidParams *p = proto_vid_params_new(small, 5);
    check_weights(p, small, 5);
    ck_assert_uint_eq(p->total_weight, 1000);
    ck_assert_uint_eq(p->threshold, 334);
    ck_assert_uint_eq(proto_vid_owner(p, 5), 2);
    ck_assert_uint_eq(proto_vid_owner(p, 305), 4);
    proto_vid_params_free(p);
    /* 16 equal nodes of stake 1: one unit each. */
    for (uint32_t i = 0; i < 16; i++)
        stakes[i] = 1;
    p = proto_vid_params_new(stakes, 16);
    check_weights(p, stakes, 16);
    ck_assert_uint_eq(p->total_weight, 16);
    ck_assert_uint_eq(p->threshold, 6);
    ck_assert_uint_eq(p->depth, 4);
    proto_vid_params_free(p);
    /* 100 equal nodes with a total above 1000: 11 units each (hotshot.md section 2.3). */
    for (uint32_t i = 0; i < 100; i++)
        stakes[i] = 1000;
    p = proto_vid_params_new(stakes, 100);
    check_weights(p, stakes, 100);
    ck_assert_uint_eq(p->weights[42], 11);
    ck_assert_uint_eq(p->total_weight, 1100);
    ck_assert_uint_eq(p->threshold, 367);
    ck_assert_uint_eq(p->depth, 11);
    proto_vid_params_free(p);
    /* Zipf and random stakes with large totals. */
    for (uint32_t i = 0; i < 30; i++)
        stakes[i] = 1000000 / (i + 1);
    p = proto_vid_params_new(stakes, 30);
    check_weights(p, stakes, 30);
    ck_assert_uint_eq(p->weights[0], 251);
    proto_vid_params_free(p);
    uint64_t x = 7;
    for (uint32_t i = 0; i < 1000; i++)
        stakes[i] = 1 + splitmix(&x) % ((uint64_t)1 << 40);
    p = proto_vid_params_new(stakes, 1000);
    check_weights(p, stakes, 1000);
    proto_vid_params_free(p);
}
END_TEST

START_TEST(too_many_units_is_refused)
{
    /* 70,000 equal nodes with a large total: one unit each, W = 70,000 > 65,536. */
    uint32_t n = 70000;
    uint64_t *stakes = g_new(uint64_t, n);
    for (uint32_t i = 0; i < n; i++)
        stakes[i] = 1000;
    ck_assert_ptr_null(proto_vid_params_new(stakes, n));
    /* 65,536 exactly is allowed. */
    ProtoVidParams *p = proto_vid_params_new(stakes, PROTO_VID_UNITS_MAX);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->total_weight, PROTO_VID_UNITS_MAX);
    ck_assert_uint_eq(p->depth, 16);
    proto_vid_params_free(p);
    g_free(stakes);
}
END_TEST

/* --- encoding and recovery ------------------------------------------------------------------ */

/* Recovery of one payload from random subsets of exactly k units and of more than k units (in
 * random order, some with repeated units), from the data units alone and from the last k. */
static void check_subsets(const ProtoVidParams *p, const uint8_t *payload, size_t len,
                          uint32_t trials, uint64_t *x)
{
    ProtoVidEncoding *enc = proto_vid_encode(p, payload, len);
    uint32_t w = p->total_weight, k = p->threshold;
    ck_assert_uint_eq(enc->unit_count, w);
    ck_assert_uint_eq(enc->payload_len, len);
    uint64_t symbols = (len + 1) / 2, chunks = (symbols + k - 1) / k;
    ck_assert_uint_eq(enc->unit_bytes, 2 * (chunks > 0 ? chunks : 1));
    uint32_t *perm = g_new(uint32_t, 2 * w);
    for (uint32_t t = 0; t < trials; t++) {
        shuffle(x, perm, w);
        check_recovers(p, enc, payload, perm, k);
        uint32_t more = k + 1 + draw(x, w - k);
        if (more > w) more = w;
        /* Append a few repeats of units already listed: they must not count twice or hurt. */
        uint32_t repeats = draw(x, 4);
        for (uint32_t r = 0; r < repeats; r++)
            perm[more + r] = perm[draw(x, more)];
        check_recovers(p, enc, payload, perm, more + repeats);
    }
    for (uint32_t i = 0; i < k; i++) {
        perm[i] = i;
        perm[k + i] = w - k + i;
    }
    check_recovers(p, enc, payload, perm, k);
    check_recovers(p, enc, payload, perm + k, k);
    g_free(perm);
    proto_vid_encoding_free(enc);
}

START_TEST(any_k_units_recover_the_payload)
{
    const Config *c = &configs[_i];
    ProtoVidParams *p = config_params(c);
    uint64_t x = 1000 + (uint64_t)_i;
    for (uint32_t l = 0; l < c->length_count; l++) {
        size_t len = c->lengths[l];
        uint8_t *payload = random_bytes(&x, len);
        uint32_t trials = len > 64 * 1024 ? (c->trials + 3) / 4 : c->trials;
        check_subsets(p, payload, len, trials, &x);
        g_free(payload);
    }
    proto_vid_params_free(p);
}
END_TEST

START_TEST(every_k_subset_recovers_for_16_units)
{
    /* All C(16, 6) = 8008 subsets of the 16 units of a 37-byte payload (four chunks, the last
     * one partial): the code is maximum-distance-separable, not just for the subsets drawn. */
    ProtoVidParams *p = equal_params(16, 1);
    uint64_t x = 99;
    uint8_t *payload = random_bytes(&x, 37);
    ProtoVidEncoding *enc = proto_vid_encode(p, payload, 37);
    uint32_t units[16], subsets = 0;
    for (uint32_t mask = 0; mask < (1u << 16); mask++) {
        if (__builtin_popcount(mask) != 6) continue;
        uint32_t n = 0;
        for (uint32_t u = 0; u < 16; u++) {
            if (mask & (1u << u)) units[n++] = u;
        }
        check_recovers(p, enc, payload, units, n);
        subsets++;
    }
    ck_assert_uint_eq(subsets, 8008);
    proto_vid_encoding_free(enc);
    g_free(payload);
    proto_vid_params_free(p);
}
END_TEST

START_TEST(tiny_unit_counts)
{
    /* W = 1, 2 and 3 all have k = 1: every single unit is the whole payload. */
    uint64_t x = 5;
    for (uint32_t n = 1; n <= 3; n++) {
        ProtoVidParams *p = equal_params(n, 1);
        ck_assert_uint_eq(p->threshold, 1);
        ck_assert_uint_eq(p->depth, n == 1 ? 0 : 2 - (n == 2));
        uint8_t *payload = random_bytes(&x, 9);
        ProtoVidEncoding *enc = proto_vid_encode(p, payload, 9);
        for (uint32_t u = 0; u < n; u++) {
            check_recovers(p, enc, payload, &u, 1);
            ProtoCommit path[2];
            proto_vid_unit_path(p, enc, u, path);
            ck_assert(
                proto_vid_verify_unit(p, &enc->root, u, unit_data(enc, u), enc->unit_bytes, path));
        }
        proto_vid_encoding_free(enc);
        g_free(payload);
        proto_vid_params_free(p);
    }
}
END_TEST

/* Calls recover into a canary buffer and checks it returns `want` and leaves the buffer alone. */
static void check_recover_fails(const ProtoVidParams *p, uint64_t payload_len,
                                const uint32_t *units, const uint8_t *const *data, uint32_t count,
                                size_t unit_bytes, int want)
{
    uint8_t out[64];
    memset(out, 0xa5, sizeof out);
    ck_assert_uint_le(payload_len, sizeof out);
    ck_assert_int_eq(proto_vid_recover(p, payload_len, units, data, count, unit_bytes, out), want);
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_uint_eq(out[i], 0xa5);
}

START_TEST(too_few_or_malformed_units_fail_cleanly)
{
    const Config *c = &configs[_i];
    ProtoVidParams *p = config_params(c);
    uint32_t w = p->total_weight, k = p->threshold;
    uint64_t x = 77 + (uint64_t)_i;
    const size_t len = 61;
    uint8_t *payload = random_bytes(&x, len);
    ProtoVidEncoding *enc = proto_vid_encode(p, payload, len);
    uint32_t *units = g_new(uint32_t, w + 8);
    const uint8_t **data = g_new(const uint8_t *, w + 8);
    shuffle(&x, units, w);
    for (uint32_t i = 0; i < w; i++)
        data[i] = unit_data(enc, units[i]);
    /* k - 1 distinct units, alone or repeated up to k and beyond. */
    check_recover_fails(p, len, units, data, k - 1, enc->unit_bytes, PROTO_ERR_THRESHOLD);
    check_recover_fails(p, len, units, data, 0, enc->unit_bytes, PROTO_ERR_THRESHOLD);
    if (k > 1) {
        for (uint32_t r = 0; r < 8; r++) {
            units[k - 1 + r] = units[r % (k - 1)];
            data[k - 1 + r] = data[r % (k - 1)];
        }
        check_recover_fails(p, len, units, data, k + 7, enc->unit_bytes, PROTO_ERR_THRESHOLD);
        shuffle(&x, units, w);
        for (uint32_t i = 0; i < w; i++)
            data[i] = unit_data(enc, units[i]);
    }
    /* Enough units, but one index out of range, or a size that does not fit the length. */
    uint32_t saved = units[k / 2];
    units[k / 2] = w + draw(&x, 100);
    check_recover_fails(p, len, units, data, k, enc->unit_bytes, PROTO_ERR_FIELD);
    units[k / 2] = saved;
    check_recover_fails(p, len, units, data, k, enc->unit_bytes - 1, PROTO_ERR_FIELD);
    check_recover_fails(p, len, units, data, k, enc->unit_bytes + 2, PROTO_ERR_FIELD);
    uint64_t other_len = len + 2 * (uint64_t)k; /* one chunk more */
    uint8_t *big = g_malloc(other_len);
    ck_assert_int_eq(proto_vid_recover(p, other_len, units, data, k, enc->unit_bytes, big),
                     PROTO_ERR_FIELD);
    g_free(big);
    /* And with everything right, it works. */
    check_recovers(p, enc, payload, units, k);
    g_free(data);
    g_free(units);
    proto_vid_encoding_free(enc);
    g_free(payload);
    proto_vid_params_free(p);
}
END_TEST

START_TEST(encoding_is_deterministic_and_systematic)
{
    ProtoVidParams *p = config_params(&configs[1]);
    uint64_t x = 3;
    const size_t len = 5001;
    uint8_t *payload = random_bytes(&x, len);
    ProtoVidEncoding *a = proto_vid_encode(p, payload, len);
    ProtoVidEncoding *b = proto_vid_encode(p, payload, len);
    ck_assert(proto_commit_equal(&a->root, &b->root));
    ck_assert_uint_eq(a->unit_bytes, b->unit_bytes);
    ck_assert_mem_eq(a->units, b->units, (size_t)a->unit_count * a->unit_bytes);
    /* Systematic: symbol i of chunk c (payload bytes 2(ck + i), +1) is byte pair c of unit i. */
    uint32_t k = p->threshold;
    for (size_t pos = 0; pos < len; pos++) {
        size_t symbol = pos / 2, c = symbol / k, i = symbol % k;
        ck_assert_uint_eq(a->units[i * a->unit_bytes + 2 * c + pos % 2], payload[pos]);
    }
    /* One byte more or one byte changed is another commitment. */
    payload[len / 2] ^= 1;
    ProtoVidEncoding *changed = proto_vid_encode(p, payload, len);
    ck_assert(!proto_commit_equal(&a->root, &changed->root));
    ProtoVidEncoding *shorter = proto_vid_encode(p, payload, len - 1);
    ck_assert(!proto_commit_equal(&changed->root, &shorter->root));
    proto_vid_encoding_free(shorter);
    proto_vid_encoding_free(changed);
    proto_vid_encoding_free(b);
    proto_vid_encoding_free(a);
    g_free(payload);
    proto_vid_params_free(p);
}
END_TEST

/* --- Merkle proofs -------------------------------------------------------------------------- */

/* BLAKE2b-256 of `tag || index (4 bytes LE) || data`. */
static void tagged_leaf(uint8_t tag, uint32_t index, const uint8_t *data, size_t len,
                        ProtoCommit *out)
{
    uint8_t *buf = g_malloc(5 + len);
    buf[0] = tag;
    for (int b = 0; b < 4; b++)
        buf[1 + b] = (uint8_t)(index >> (8 * b));
    if (len > 0) memcpy(buf + 5, data, len);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, buf, 5 + len, NULL, 0);
    g_free(buf);
}

/* The root over `count` leaves by the construction vid.c documents: the leaf level padded to a
 * power of two with all-zero commitments, inner nodes BLAKE2b-256(0x01 || left || right). */
static void root_of_leaves(const ProtoCommit *leaves, uint32_t count, ProtoCommit *out)
{
    uint32_t slots = 1;
    while (slots < count)
        slots <<= 1;
    ProtoCommit *level = g_new0(ProtoCommit, slots);
    memcpy(level, leaves, count * sizeof *leaves);
    for (; slots > 1; slots /= 2) {
        for (uint32_t i = 0; i < slots / 2; i++) {
            uint8_t buf[1 + 2 * PROTO_COMMIT_BYTES] = {0x01};
            memcpy(buf + 1, level[2 * i].bytes, PROTO_COMMIT_BYTES);
            memcpy(buf + 1 + PROTO_COMMIT_BYTES, level[2 * i + 1].bytes, PROTO_COMMIT_BYTES);
            crypto_generichash(level[i].bytes, PROTO_COMMIT_BYTES, buf, sizeof buf, NULL, 0);
        }
    }
    *out = level[0];
    g_free(level);
}

START_TEST(roots_follow_the_documented_construction)
{
    uint64_t x = 31337;
    for (size_t c = 0; c < CONFIG_COUNT; c++) {
        ProtoVidParams *p = config_params(&configs[c]);
        uint8_t *payload = random_bytes(&x, 777);
        ProtoVidEncoding *enc = proto_vid_encode(p, payload, 777);
        ProtoCommit *leaves = g_new(ProtoCommit, enc->unit_count), want;
        for (uint32_t u = 0; u < enc->unit_count; u++)
            tagged_leaf(0x00, u, unit_data(enc, u), enc->unit_bytes, &leaves[u]);
        root_of_leaves(leaves, enc->unit_count, &want);
        ck_assert(proto_commit_equal(&enc->root, &want));
        /* The block tree, with these leaf hashes as namespace roots: leaf tag 0x02 over the
         * namespace's id (u32), length (u64), little-endian, and root. */
        uint32_t count = 1 + (uint32_t)c * 2;
        ProtoCommit *block_leaves = g_new(ProtoCommit, count), block;
        ProtoVidNamespace *ns = g_new(ProtoVidNamespace, count);
        for (uint32_t i = 0; i < count; i++) {
            ns[i] = (ProtoVidNamespace){0x01020304u + i, 0x0a0b0c0d0e0fULL * (i + 1), leaves[i]};
            uint8_t entry[12 + PROTO_COMMIT_BYTES];
            for (int b = 0; b < 4; b++)
                entry[b] = (uint8_t)(ns[i].id >> (8 * b));
            for (int b = 0; b < 8; b++)
                entry[4 + b] = (uint8_t)(ns[i].length >> (8 * b));
            memcpy(entry + 12, leaves[i].bytes, PROTO_COMMIT_BYTES);
            tagged_leaf(0x02, i, entry, sizeof entry, &block_leaves[i]);
        }
        root_of_leaves(block_leaves, count, &want);
        proto_vid_block_root(ns, count, &block);
        ck_assert(proto_commit_equal(&block, &want));
        g_free(ns);
        g_free(block_leaves);
        g_free(leaves);
        proto_vid_encoding_free(enc);
        g_free(payload);
        proto_vid_params_free(p);
    }
}
END_TEST

START_TEST(unit_proofs_catch_corruption)
{
    const Config *c = &configs[_i];
    ProtoVidParams *p = config_params(c);
    uint32_t w = p->total_weight, depth = p->depth;
    uint64_t x = 555 + (uint64_t)_i;
    const size_t len = 2000;
    uint8_t *payload = random_bytes(&x, len);
    ProtoVidEncoding *enc = proto_vid_encode(p, payload, len);
    ProtoCommit path[16], bad[16];
    uint8_t *unit = g_malloc(enc->unit_bytes);
    for (uint32_t u = 0; u < w; u++) {
        proto_vid_unit_path(p, enc, u, path);
        memcpy(unit, unit_data(enc, u), enc->unit_bytes);
        ck_assert(proto_vid_verify_unit(p, &enc->root, u, unit, enc->unit_bytes, path));
        /* One flipped bit in the unit. */
        uint32_t bit = draw(&x, enc->unit_bytes * 8);
        unit[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert(!proto_vid_verify_unit(p, &enc->root, u, unit, enc->unit_bytes, path));
        unit[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        /* The right unit at another index (with its own path, or with that index's). */
        uint32_t other = (u + 1 + draw(&x, w - 1)) % w;
        ck_assert(!proto_vid_verify_unit(p, &enc->root, other, unit, enc->unit_bytes, path));
        proto_vid_unit_path(p, enc, other, bad);
        ck_assert(!proto_vid_verify_unit(p, &enc->root, other, unit, enc->unit_bytes, bad));
        ck_assert(!proto_vid_verify_unit(p, &enc->root, u + w, unit, enc->unit_bytes, path));
        /* One flipped bit in the path, and a truncated unit. */
        memcpy(bad, path, depth * sizeof path[0]);
        uint32_t level = draw(&x, depth), byte = draw(&x, PROTO_COMMIT_BYTES);
        bad[level].bytes[byte] ^= (uint8_t)(1u << draw(&x, 8));
        ck_assert(!proto_vid_verify_unit(p, &enc->root, u, unit, enc->unit_bytes, bad));
        ck_assert(!proto_vid_verify_unit(p, &enc->root, u, unit, enc->unit_bytes - 1, path));
    }
    /* Another payload's root does not accept these units. */
    payload[0] ^= 0x80;
    ProtoVidEncoding *other = proto_vid_encode(p, payload, len);
    proto_vid_unit_path(p, enc, 0, path);
    ck_assert(!proto_vid_verify_unit(p, &other->root, 0, unit_data(enc, 0), enc->unit_bytes, path));
    proto_vid_encoding_free(other);
    g_free(unit);
    proto_vid_encoding_free(enc);
    g_free(payload);
    proto_vid_params_free(p);
}
END_TEST

/* --- namespace proofs ----------------------------------------------------------------------- */

#define NS_MAX 8

/* The leaf-only check: the path of namespace `i` accepts its leaf there and nothing else, not
 * even its root under another id or length. */
static void check_block_path(const ProtoCommit *block_root, const ProtoVidNamespace *roots,
                             uint32_t count, uint32_t i, const ProtoCommit *path, uint32_t n,
                             uint64_t *x)
{
    ProtoCommit bad[32];
    ck_assert(proto_vid_verify_block_path(block_root, count, i, &roots[i], path, n));
    ProtoVidNamespace renamed = roots[i], resized = roots[i];
    renamed.id ^= 1u << draw(x, 32);
    resized.length ^= 1ull << draw(x, 64);
    ck_assert(!proto_vid_verify_block_path(block_root, count, i, &renamed, path, n));
    ck_assert(!proto_vid_verify_block_path(block_root, count, i, &resized, path, n));
    for (uint32_t j = 0; j < count; j++) {
        if (j == i) continue;
        ck_assert(!proto_vid_verify_block_path(block_root, count, i, &roots[j], path, n));
        ck_assert(!proto_vid_verify_block_path(block_root, count, j, &roots[i], path, n));
    }
    ck_assert(!proto_vid_verify_block_path(block_root, count, count, &roots[i], path, n));
    ck_assert(!proto_vid_verify_block_path(block_root, 0, 0, &roots[i], path, n));
    ck_assert(!proto_vid_verify_block_path(block_root, 2 * count + 1, i, &roots[i], path, n));
    ck_assert(!proto_vid_verify_block_path(&roots[i].root, count, i, &roots[i], path, n));
    if (n > 0) {
        memcpy(bad, path, n * sizeof path[0]);
        bad[draw(x, n)].bytes[draw(x, PROTO_COMMIT_BYTES)] ^= 0x02;
        ck_assert(!proto_vid_verify_block_path(block_root, count, i, &roots[i], bad, n));
        ck_assert(!proto_vid_verify_block_path(block_root, count, i, &roots[i], path, n - 1));
    }
}

/* Checks every namespace proof of a block of `count` namespaces under `p`. */
static void check_namespace_proofs(const ProtoVidParams *p, uint32_t count, uint64_t *x)
{
    uint8_t *bytes[NS_MAX];
    size_t lens[NS_MAX];
    ProtoVidNamespace roots[NS_MAX] = {0};
    ProtoCommit block_root, path[32], bad[32];
    uint32_t ids[NS_MAX];
    for (uint32_t i = 0; i < count; i++) {
        lens[i] = i == 1 ? 0 : 1 + draw(x, 3000);
        bytes[i] = random_bytes(x, lens[i]);
        ids[i] = 1000 + 7 * i;
        ProtoVidEncoding *enc = proto_vid_encode(p, bytes[i], lens[i]);
        roots[i] = (ProtoVidNamespace){ids[i], lens[i], enc->root};
        proto_vid_encoding_free(enc);
    }
    proto_vid_block_root(roots, count, &block_root);
    uint32_t depth = 0;
    while ((1u << depth) < count)
        depth++;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t n = proto_vid_block_path(roots, count, i, path);
        ck_assert_uint_eq(n, depth);
        ck_assert(proto_vid_verify_namespace(p, &block_root, count, i, ids[i], bytes[i], lens[i],
                                             path, n));
        check_block_path(&block_root, roots, count, i, path, n, x);
        for (uint32_t j = 0; j < count; j++) {
            if (j == i) continue;
            /* Another namespace's bytes at this index, or these bytes at another index. */
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[j], bytes[j],
                                                  lens[j], path, n));
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, j, ids[i], bytes[i],
                                                  lens[i], path, n));
        }
        ck_assert(!proto_vid_verify_namespace(p, &block_root, count, count, ids[i], bytes[i],
                                              lens[i], path, n));
        /* These bytes claimed for another namespace id. */
        ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[i] + 1, bytes[i],
                                              lens[i], path, n));
        if (lens[i] > 0) {
            size_t at = draw(x, (uint32_t)lens[i]);
            bytes[i][at] ^= 0x01;
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[i], bytes[i],
                                                  lens[i], path, n));
            bytes[i][at] ^= 0x01;
            /* One byte fewer. */
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[i], bytes[i],
                                                  lens[i] - 1, path, n));
        }
        if (n > 0) {
            memcpy(bad, path, n * sizeof path[0]);
            bad[draw(x, n)].bytes[draw(x, PROTO_COMMIT_BYTES)] ^= 0x10;
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[i], bytes[i],
                                                  lens[i], bad, n));
            ck_assert(!proto_vid_verify_namespace(p, &block_root, count, i, ids[i], bytes[i],
                                                  lens[i], path, n - 1));
        }
        /* The same proof claimed for a block with more namespaces. */
        ck_assert(!proto_vid_verify_namespace(p, &block_root, 2 * count + 1, i, ids[i], bytes[i],
                                              lens[i], path, n));
    }
    for (uint32_t i = 0; i < count; i++)
        g_free(bytes[i]);
}

/* The paper's §A.8: a mixed encoding passes every unit check, but its units are no codeword:
 * k units from below the split decode one payload, k from above it the other, and re-encoding
 * either does not give the root. */
START_TEST(mixed_encoding_passes_unit_checks_but_is_no_codeword)
{
    ProtoVidParams *p = config_params(&configs[1]);
    uint32_t w = p->total_weight, k = p->threshold;
    uint64_t x = 8;
    const size_t len = 3000;
    uint8_t *payload = random_bytes(&x, len);
    uint8_t *other = g_memdup2(payload, len);
    other[len - 1] ^= 0x01;
    ck_assert_uint_ge(w, 2 * k);
    ProtoVidEncoding *mixed = proto_vid_encode_mixed(p, payload, other, len, w - k);
    ProtoCommit path[16];
    for (uint32_t u = 0; u < w; u++) {
        proto_vid_unit_path(p, mixed, u, path);
        ck_assert(proto_vid_verify_unit(p, &mixed->root, u, unit_data(mixed, u), mixed->unit_bytes,
                                        path));
    }
    uint32_t *units = g_new(uint32_t, k);
    for (uint32_t i = 0; i < k; i++)
        units[i] = i;
    check_recovers(p, mixed, payload, units, k); /* the lower units: the payload */
    for (uint32_t i = 0; i < k; i++)
        units[i] = w - k + i;
    check_recovers(p, mixed, other, units, k); /* the upper units: the other payload */
    ProtoVidEncoding *honest = proto_vid_encode(p, payload, len);
    ProtoVidEncoding *second = proto_vid_encode(p, other, len);
    ck_assert(!proto_commit_equal(&honest->root, &mixed->root));
    ck_assert(!proto_commit_equal(&second->root, &mixed->root));
    ProtoVidEncoding *same = proto_vid_encode_mixed(p, payload, payload, len, w - k);
    ck_assert(proto_commit_equal(&same->root, &honest->root)); /* no difference, no mixture */
    proto_vid_encoding_free(same);
    proto_vid_encoding_free(second);
    proto_vid_encoding_free(honest);
    proto_vid_encoding_free(mixed);
    g_free(units);
    g_free(other);
    g_free(payload);
    proto_vid_params_free(p);
}
END_TEST

START_TEST(namespace_proofs_verify_only_their_namespace)
{
    uint64_t x = 4242;
    ProtoVidParams *p16 = equal_params(16, 1);
    ProtoVidParams *p100 = config_params(&configs[1]);
    const uint32_t counts[] = {1, 2, 3, 5, 8};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        check_namespace_proofs(p16, counts[c], &x);
        check_namespace_proofs(p100, counts[c], &x);
    }
    /* An empty block's root is the hash of the domain string; a one-namespace block differs. */
    ProtoCommit empty, want, one;
    proto_vid_block_root(NULL, 0, &empty);
    const char domain[] = "shotglass-vid-empty-block";
    crypto_generichash(want.bytes, PROTO_COMMIT_BYTES, (const uint8_t *)domain, sizeof domain - 1,
                       NULL, 0);
    ck_assert(proto_commit_equal(&empty, &want));
    ProtoVidNamespace only = {5, 0, want};
    proto_vid_block_root(&only, 1, &one);
    ck_assert(!proto_commit_equal(&one, &want));
    ck_assert(!proto_vid_verify_namespace(p16, &empty, 0, 0, 5, NULL, 0, NULL, 0));
    ck_assert(!proto_vid_verify_block_path(&empty, 0, 0, &only, NULL, 0));
    /* A one-namespace block: the root is the leaf, and the path is empty. */
    ck_assert(proto_vid_verify_block_path(&one, 1, 0, &only, NULL, 0));
    ProtoVidNamespace other = only;
    other.root.bytes[31] ^= 0x40;
    ck_assert(!proto_vid_verify_block_path(&one, 1, 0, &other, NULL, 0));
    proto_vid_params_free(p100);
    proto_vid_params_free(p16);
}
END_TEST

/* --- production sizes ----------------------------------------------------------------------- */

START_TEST(production_sizes_match_the_hand_computation)
{
    /*
     * hotshot.md section 2.3: 100 equal validators, W = 1100, w = 11, k = 367, depth
     * ceil(log2 1100) = 11. A 1 MB (10^6-byte) payload is ceil(10^6 / 31) = 32,259 elements,
     * ceil(32,259 / 367) = 88 per unit, so a unit is 88 * 32 = 2,816 bytes and its path
     * 11 * 32 = 352 bytes; one node's share is 11 * (2,816 + 352) = 34,848 bytes (about 35 KB).
     * 5 MB: 161,291 elements, 440 per unit: 11 * (14,080 + 352) = 158,752 (about 159 KB).
     */
    ProtoVidParams *p = equal_params(100, 1000);
    ck_assert_uint_eq(p->total_weight, 1100);
    ck_assert_uint_eq(p->weights[0], 11);
    ck_assert_uint_eq(p->threshold, 367);
    ck_assert_uint_eq(p->depth, 11);
    ck_assert_uint_eq(proto_vid_unit_size(p, 1000000), 2816);
    uint64_t mb = 1000000, five = 5000000;
    uint64_t share = proto_vid_share_size(p, 37, &mb, 1);
    ck_assert_uint_eq(share, 34848);
    ck_assert(share >= 33000 && share <= 38000);
    ck_assert_uint_eq(proto_vid_share_size(p, 0, &five, 1), 158752);
    /* Element and unit boundaries: 31 * 367 bytes fill one element per unit, one more needs two. */
    ck_assert_uint_eq(proto_vid_unit_size(p, 1), 32);
    ck_assert_uint_eq(proto_vid_unit_size(p, 31 * 367), 32);
    ck_assert_uint_eq(proto_vid_unit_size(p, 31 * 367 + 1), 64);
    /* An empty namespace still costs one element per unit, plus its paths. */
    ck_assert_uint_eq(proto_vid_unit_size(p, 0), 32);
    uint64_t lens[3] = {1000000, 0, 5000000};
    ck_assert_uint_eq(proto_vid_share_size(p, 99, lens, 3), 34848 + 11 * (32 + 352) + 158752);
    ck_assert_uint_eq(proto_vid_share_size(p, 99, lens, 0), 0);
    proto_vid_params_free(p);
    /* Uneven stakes: a node's share scales with its weight. */
    p = config_params(&configs[1]);
    uint64_t len = 100000;
    uint64_t per_unit = proto_vid_unit_size(p, len) + 32 * p->depth;
    ck_assert_uint_eq(proto_vid_unit_size(p, len), ((100000 + 30) / 31 + 33) / 34 * 32);
    for (uint32_t i = 0; i < p->node_count; i++)
        ck_assert_uint_eq(proto_vid_share_size(p, i, &len, 1), p->weights[i] * per_unit);
    proto_vid_params_free(p);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("vid");
    TCase *tc = tcase_create("vid");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, field_polynomial_is_primitive);
    tcase_add_test(tc, weights_follow_the_formula);
    tcase_add_test(tc, too_many_units_is_refused);
    tcase_add_loop_test(tc, any_k_units_recover_the_payload, 0, (int)CONFIG_COUNT);
    tcase_add_test(tc, every_k_subset_recovers_for_16_units);
    tcase_add_test(tc, tiny_unit_counts);
    tcase_add_loop_test(tc, too_few_or_malformed_units_fail_cleanly, 0, (int)CONFIG_COUNT);
    tcase_add_test(tc, encoding_is_deterministic_and_systematic);
    tcase_add_test(tc, roots_follow_the_documented_construction);
    tcase_add_loop_test(tc, unit_proofs_catch_corruption, 0, (int)CONFIG_COUNT);
    tcase_add_test(tc, mixed_encoding_passes_unit_checks_but_is_no_codeword);
    tcase_add_test(tc, namespace_proofs_verify_only_their_namespace);
    tcase_add_test(tc, production_sizes_match_the_hand_computation);
    suite_add_tcase(suite, tc);
    return suite;
}
