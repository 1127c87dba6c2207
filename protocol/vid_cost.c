/*
 * VID CPU costs per scheme; see vid_cost.h. ADVZ's primitive timings and where each comes from
 * are in docs/crypto-costs.md ("VID per scheme", sources S18-S21).
 */
#include "protocol/vid_cost.h"

#include "protocol/assert.h"

/* arkworks 0.4 on BN254 (zkalc, frontend/data/bn254/arkworks/aws_m5.*.json), in ns. Single
 * operations from the m5.2xlarge file (they do not run in parallel); the MSM from the m5.large
 * file (2 vCPUs, the size of a validator). */
#define ADVZ_MUL_FF        37      /* mul_ff */
#define ADVZ_ADD_FF        7       /* add_ff */
#define ADVZ_MUL_G1        137426  /* mul_G1: one scalar multiplication */
#define ADVZ_ADD_G1        505     /* add_G1 */
#define ADVZ_PAIRING       1046409 /* pairing, m5.large */
#define ADVZ_PAIR_PLUS_PCT 135     /* a 2-pair multi-pairing costs 1.35 pairings (gnark, S3) */
#define ADVZ_ELEM_BYTES    31      /* bytes_to_field: (254 - 1) / 8 payload bytes per element */

/* msm_G1 on m5.large for 2^1 .. 2^17 points (index = log2 of the size). */
static const uint64_t msm_ns[] = {
    ADVZ_MUL_G1, 294584,   462458,    549398,    797167,    1286158,
    2114836,     3193150,  5383053,   9363409,   15560005,  27931619,
    50151722,    91805148, 169074729, 313303243, 585944564, 1131444345,
};
#define MSM_LOG_MAX 17

/* The timings are of an m5 core (up to 3.1 GHz, S21); the cost table's reference core runs at
 * 3.5 GHz (docs/crypto-costs.md, scope), so each ADVZ total is scaled by 3.1 / 3.5. */
#define ADVZ_REF_NUM 31
#define ADVZ_REF_DEN 35

static uint32_t log2_floor(uint64_t v)
{
    uint32_t l = 0;
    while (v >>= 1)
        l++;
    return l;
}

uint32_t proto_advz_threshold(uint32_t nodes)
{
    return nodes ? UINT32_C(1) << log2_floor(nodes) : 1;
}

/* An MSM of `s` points: the table at powers of two, linear in between (zkalc's own estimate). */
static uint64_t msm(uint64_t s)
{
    if (s == 0) return 0;
    uint32_t l = log2_floor(s);
    PROTO_ASSERT(l < MSM_LOG_MAX);
    uint64_t lo = UINT64_C(1) << l;
    return msm_ns[l] + (msm_ns[l + 1] - msm_ns[l]) * (s - lo) / lo;
}

/* The sum of msm(j) for j = 1 .. k-1 (the h polynomial: one MSM per coefficient, S20). */
static uint64_t msm_sum_below(uint64_t k)
{
    uint64_t total = 0;
    for (uint64_t j = 1; j < k; j++)
        total += msm(j);
    return total;
}

/* A radix-2 FFT over Fr of size s: s/2 log2 s butterflies, one multiplication and two
 * additions each. */
static uint64_t fft(uint64_t s)
{
    return s / 2 * log2_floor(s) * (ADVZ_MUL_FF + 2 * ADVZ_ADD_FF);
}

static uint64_t sha(const ProtoCostTable *costs, uint64_t bytes)
{
    return (uint64_t)(((ProtoU128)bytes * costs->hash_per_mib) >> 20);
}

typedef struct Advz {
    uint64_t k, m, n;
} Advz;

static uint64_t advz_commit(const ProtoCostTable *costs, const Advz *a)
{
    /* bytes_to_polys (an IFFT of size k per polynomial), batch_commit, derive_commit */
    return a->m * (fft(a->k) + msm(a->k)) + sha(costs, 64 * a->m + 16);
}

static uint64_t advz_disperse_pre(const ProtoCostTable *costs, const Advz *a)
{
    if (a->m == 0) return 0;
    uint64_t k = a->k, m = a->m;
    uint64_t polys = m * (fft(k) + fft(2 * k));               /* bytes_to_polys, evaluate_polys */
    uint64_t tree = sha(costs, a->n * (32 * m + 64));         /* Merkle tree over n eval tuples */
    uint64_t aggregate = m * k * (ADVZ_MUL_FF + ADVZ_ADD_FF); /* the pseudorandom combination */
    uint64_t g1_ffts = (2 * k + k * log2_floor(k)) * (ADVZ_MUL_G1 + ADVZ_ADD_G1); /* 2 cosets */
    return polys + tree + aggregate + msm_sum_below(k) + g1_ffts + sha(costs, 2 * 64 * m);
}

static uint64_t advz_verify(const ProtoCostTable *costs, const Advz *a)
{
    uint64_t m = a->m;
    uint64_t hashes = sha(costs, 3 * 64 * m) + log2_floor(2 * a->n) * sha(costs, 64);
    uint64_t combine = m * (ADVZ_MUL_G1 + ADVZ_ADD_G1 + ADVZ_MUL_FF + ADVZ_ADD_FF);
    uint64_t kzg = ADVZ_PAIRING * ADVZ_PAIR_PLUS_PCT / 100 + 2 * ADVZ_MUL_G1;
    return hashes + combine + kzg;
}

static ProtoDuration advz_cost(const ProtoCostTable *costs, ProtoVidWork work, uint64_t bytes,
                               uint32_t nodes)
{
    Advz a = {proto_advz_threshold(nodes), 0, nodes ? nodes : 1};
    uint64_t elems = (bytes + ADVZ_ELEM_BYTES - 1) / ADVZ_ELEM_BYTES;
    a.m = (elems + a.k - 1) / a.k;
    uint64_t ns = 0;
    switch (work) {
    case PROTO_VID_WORK_COMMIT:
        ns = advz_commit(costs, &a);
        break;
    case PROTO_VID_WORK_DISPERSE_PRE:
        ns = advz_disperse_pre(costs, &a);
        break;
    case PROTO_VID_WORK_DISPERSE:
        ns = advz_disperse_pre(costs, &a) + a.m * msm(a.k);
        break;
    case PROTO_VID_WORK_VERIFY_SHARE:
        ns = advz_verify(costs, &a);
        break;
    }
    return (ProtoDuration)((ProtoU128)ns * ADVZ_REF_NUM / ADVZ_REF_DEN);
}

uint64_t proto_vid_share_bytes(const ProtoCostTable *costs, uint64_t avidm_bytes,
                               uint64_t payload_bytes, uint32_t nodes)
{
    if (costs == NULL || costs->vid_scheme != PROTO_VID_SCHEME_ADVZ) return avidm_bytes;
    uint64_t k = proto_advz_threshold(nodes);
    uint64_t m = ((payload_bytes + ADVZ_ELEM_BYTES - 1) / ADVZ_ELEM_BYTES + k - 1) / k;
    uint32_t depth = log2_floor(nodes ? nodes : 1);
    if ((UINT64_C(1) << depth) < nodes) depth++; /* ceil(log2 n) */
    /* share: index 4, evals 8 + 32m, one proof 8 + 32, Merkle path 32 (depth + 1);
     * common: commitments 8 + 32m, evaluation digest 32, three lengths 12 */
    return 64 * m + 32 * ((uint64_t)depth + 1) + 4 + 8 + 8 + 32 + 8 + 32 + 12;
}

ProtoDuration proto_vid_cost(const ProtoCostTable *costs, ProtoVidWork work, uint64_t bytes,
                             uint32_t nodes)
{
    PROTO_ASSERT(costs != NULL);
    switch (costs->vid_scheme) {
    case PROTO_VID_SCHEME_ADVZ:
        return advz_cost(costs, work, bytes, nodes);
    case PROTO_VID_SCHEME_NONE:
        if (work == PROTO_VID_WORK_VERIFY_SHARE) return 0;
        return (ProtoDuration)(((ProtoU128)bytes * costs->hash_per_mib) >> 20);
    default:
        if (work == PROTO_VID_WORK_VERIFY_SHARE) return 0; /* per unit, in payload.c */
        return (ProtoDuration)(((ProtoU128)bytes * costs->vid_encode_per_mib) >> 20);
    }
}
