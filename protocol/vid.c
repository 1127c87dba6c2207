/*
 * Verifiable information dispersal in the shape of AVID-M (see vid.h): stake weights, a
 * systematic Reed-Solomon code over GF(2^16), Merkle commitments over the coded units and over a
 * block's namespace roots, and the share sizes production would send.
 *
 * How the code works. GF(2^16) is built from the primitive polynomial x^16 + x^12 + x^3 + x + 1
 * (0x1100B), whose root x generates the multiplicative group; log and antilog tables turn a
 * product into a table lookup. Point j of the code is the field element j. A payload is cut into
 * chunks of k symbols (two bytes each, little-endian, zero-padded); chunk c's symbols are the
 * values at points 0..k-1 of a polynomial of degree < k, and its value at point j is byte pair c
 * of unit j. Units 0..k-1 are therefore the payload itself; the others, and any data unit
 * missing at recovery, are Lagrange interpolations from k known units. With the barycentric
 * form, the coefficient of source x_j at target t is
 *     L_j(t) = l(t) / ((t - x_j) * d_j),  l(t) = prod_i (t - x_i),  d_j = prod_{i != j} (x_j - x_i)
 * (subtraction is XOR in characteristic 2), so after O(n * targets) set-up the cost is one table
 * lookup and one XOR per (source, target, chunk). The inner loop multiplies a whole unit by one
 * coefficient: it holds the logs of the source unit's symbols, and reads the antilog table at
 * log(symbol) + log(coefficient), where the log of zero is a sentinel that lands in a tail of
 * zeros, so the loop has no branch.
 *
 * Merkle trees. Leaves are BLAKE2b-256(0x00 || unit index, 4 bytes LE || unit bytes) for units,
 * BLAKE2b-256(0x02 || namespace index, 4 bytes LE || namespace root) for the block tree (a
 * distinct tag, so the two kinds of tree cannot be confused short of a hash collision); inner
 * nodes are BLAKE2b-256(0x01 || left || right). The leaf level is padded to the next power of
 * two with the all-zero commitment, which is no leaf's or node's hash short of a BLAKE2b
 * preimage. The tree is stored as a heap: node 1 is the root, node i has children 2i and 2i + 1,
 * and leaf j is node P + j for P leaf slots. The root of a block without namespaces is the
 * BLAKE2b-256 of the string "shotglass-vid-empty-block".
 */
#include "protocol/vid.h"

#include "protocol/assert.h"

#include <sodium.h>
#include <string.h>

#define GF_SIZE     65536u
#define GF_ORDER    65535u /* order of the multiplicative group */
#define GF_POLY     0x1100Bu
#define GF_LOG_ZERO (2u * GF_ORDER) /* the log used for 0: indexes the zero tail of gf_exp */

#define WEIGHT_SCALE   1000u /* stake totals above this are scaled to about this many units */
#define ELEMENT_BYTES  32u   /* production: a BN254 scalar field element */
#define ELEMENT_SPAN   31u   /* production: payload bytes per element */
#define TAG_UNIT_LEAF  0x00
#define TAG_INNER      0x01
#define TAG_BLOCK_LEAF 0x02

static const char EMPTY_BLOCK_DOMAIN[] = "shotglass-vid-empty-block";

/* gf_exp[i] = x^(i mod 65535) for i < 2 * 65535, then 65535 zeros: a sum of two logs indexes it
 * without a reduction, and so does the zero sentinel plus any log. */
static uint16_t gf_exp[3 * GF_ORDER];
static uint32_t gf_log[GF_SIZE];
static int gf_ready; /* runs are single-threaded, so a plain flag guards the one-time set-up */

_Static_assert(GF_LOG_ZERO + GF_ORDER - 1 < 3 * GF_ORDER, "zero sentinel stays in the table");
_Static_assert(PROTO_VID_UNITS_MAX <= GF_SIZE, "unit points must be distinct field elements");

static void gf_init(void)
{
    if (gf_ready) return;
    uint32_t x = 1;
    for (uint32_t i = 0; i < GF_ORDER; i++) {
        /* Coming back to 1 early would mean x has order below 65535: not a primitive polynomial. */
        PROTO_ASSERT(i == 0 || x != 1);
        gf_exp[i] = (uint16_t)x;
        gf_exp[i + GF_ORDER] = (uint16_t)x;
        gf_log[x] = i;
        x <<= 1;
        if (x & GF_SIZE) x ^= GF_POLY;
    }
    PROTO_ASSERT(x == 1);
    memset(gf_exp + 2 * GF_ORDER, 0, GF_ORDER * sizeof gf_exp[0]);
    gf_log[0] = GF_LOG_ZERO;
    gf_ready = 1;
}

/* log(a) - log(b) modulo the group order, for logs already reduced. */
static uint32_t log_sub(uint32_t a, uint32_t b)
{
    PROTO_ASSERT(a < GF_ORDER && b < GF_ORDER);
    return a >= b ? a - b : a + GF_ORDER - b;
}

/* --- parameters ----------------------------------------------------------------------------- */

static uint32_t ceil_log2(uint64_t n)
{
    uint32_t depth = 0;
    while (((uint64_t)1 << depth) < n)
        depth++;
    return depth;
}

/* A node's weight, given the total stake. */
static uint64_t weight_of(uint64_t stake, ProtoU128 total)
{
    uint64_t w =
        total <= WEIGHT_SCALE ? stake : (uint64_t)((ProtoU128)stake * WEIGHT_SCALE / total) + 1;
    /* Either way a weight is at most WEIGHT_SCALE + 1, so a sum over nodes cannot overflow. */
    PROTO_ASSERT(w <= WEIGHT_SCALE + 1);
    return w;
}

static ProtoU128 total_stake(const uint64_t *stakes, uint32_t node_count)
{
    PROTO_ASSERT(stakes != NULL);
    PROTO_ASSERT(node_count > 0);
    ProtoU128 total = 0;
    for (uint32_t i = 0; i < node_count; i++)
        total += stakes[i];
    PROTO_ASSERT(total > 0);
    return total;
}

uint64_t proto_vid_total_weight(const uint64_t *stakes, uint32_t node_count)
{
    ProtoU128 total = total_stake(stakes, node_count);
    uint64_t units = 0;
    for (uint32_t i = 0; i < node_count; i++)
        units += weight_of(stakes[i], total);
    PROTO_ASSERT(units > 0);
    return units;
}

ProtoVidParams *proto_vid_params_new(const uint64_t *stakes, uint32_t node_count)
{
    ProtoU128 total = total_stake(stakes, node_count);
    ProtoVidParams *p = g_new0(ProtoVidParams, 1);
    p->node_count = node_count;
    p->weights = g_new(uint32_t, node_count);
    p->first_unit = g_new(uint32_t, node_count);
    uint64_t units = 0;
    for (uint32_t i = 0; i < node_count; i++) {
        uint64_t w = weight_of(stakes[i], total);
        p->first_unit[i] = (uint32_t)(units < UINT32_MAX ? units : UINT32_MAX);
        p->weights[i] = (uint32_t)w;
        units += w;
    }
    if (units > PROTO_VID_UNITS_MAX) {
        proto_vid_params_free(p);
        return NULL;
    }
    PROTO_ASSERT(units > 0);
    p->total_weight = (uint32_t)units;
    p->threshold = (uint32_t)((units + 2) / 3);
    p->depth = ceil_log2(units);
    return p;
}

void proto_vid_params_free(ProtoVidParams *params)
{
    if (params == NULL) return;
    g_free(params->weights);
    g_free(params->first_unit);
    g_free(params);
}

uint32_t proto_vid_owner(const ProtoVidParams *params, uint32_t unit)
{
    PROTO_ASSERT(params != NULL);
    PROTO_ASSERT(unit < params->total_weight);
    /* The last node whose first unit is at or before `unit`: nodes of weight zero share their
     * first unit with the next node, so the last of them is the one that owns units. */
    uint32_t lo = 0, hi = params->node_count - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (params->first_unit[mid] <= unit)
            lo = mid;
        else
            hi = mid - 1;
    }
    PROTO_ASSERT(unit - params->first_unit[lo] < params->weights[lo]);
    return lo;
}

/* --- coding --------------------------------------------------------------------------------- */

/* Chunks of k symbols in a payload of `len` bytes; at least one, so every unit exists. */
static uint64_t chunk_count(uint64_t len, uint32_t k)
{
    uint64_t symbols = len / 2 + len % 2;
    uint64_t chunks = symbols / k + (symbols % k != 0);
    return chunks > 0 ? chunks : 1;
}

/* log(d_j) = log prod_{i != j} (x_j - x_i) for each of the `n` distinct points `xs`. */
static void barycentric_logs(const uint16_t *xs, uint32_t n, uint32_t *log_d)
{
    for (uint32_t j = 0; j < n; j++) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (i != j) sum += gf_log[xs[j] ^ xs[i]];
        }
        log_d[j] = (uint32_t)(sum % GF_ORDER);
    }
}

/* log(l(t)) = log prod_i (t - x_i) for each target, none of which is among the `n` points. */
static void node_polynomial_logs(const uint16_t *xs, uint32_t n, const uint16_t *targets,
                                 uint32_t target_count, uint32_t *log_l)
{
    for (uint32_t t = 0; t < target_count; t++) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < n; i++)
            sum += gf_log[targets[t] ^ xs[i]];
        log_l[t] = (uint32_t)(sum % GF_ORDER);
    }
}

/*
 * For every chunk c, sets acc[t * chunks + c] to the value at targets[t] of the polynomial of
 * degree < n through the points (xs[j], symbol c of src[j]). `xs` are distinct and no target is
 * among them; each source holds `chunks` little-endian symbols.
 */
static void interpolate(const uint16_t *xs, const uint8_t *const *src, uint32_t n,
                        const uint16_t *targets, uint32_t target_count, uint64_t chunks,
                        uint16_t *acc)
{
    uint32_t *log_d = g_new(uint32_t, n);
    uint32_t *log_l = g_new(uint32_t, target_count > 0 ? target_count : 1);
    uint32_t *log_src = g_new(uint32_t, chunks);
    barycentric_logs(xs, n, log_d);
    node_polynomial_logs(xs, n, targets, target_count, log_l);
    memset(acc, 0, (size_t)target_count * chunks * sizeof *acc);
    for (uint32_t j = 0; j < n; j++) {
        const uint8_t *s = src[j];
        for (uint64_t c = 0; c < chunks; c++)
            log_src[c] = gf_log[s[2 * c] | (uint32_t)s[2 * c + 1] << 8];
        for (uint32_t t = 0; t < target_count; t++) {
            /* log L_j(t) = log l(t) - log (t - x_j) - log d_j. */
            uint32_t log_coef = log_sub(log_sub(log_l[t], gf_log[targets[t] ^ xs[j]]), log_d[j]);
            const uint16_t *scaled = gf_exp + log_coef;
            uint16_t *a = acc + (size_t)t * chunks;
            for (uint64_t c = 0; c < chunks; c++)
                a[c] ^= scaled[log_src[c]];
        }
    }
    g_free(log_src);
    g_free(log_l);
    g_free(log_d);
}

/* Writes `count` symbols as little-endian byte pairs. */
static void store_symbols(const uint16_t *symbols, uint64_t count, uint8_t *out)
{
    for (uint64_t c = 0; c < count; c++) {
        out[2 * c] = (uint8_t)symbols[c];
        out[2 * c + 1] = (uint8_t)(symbols[c] >> 8);
    }
}

/* Fills data units 0..k-1 (each `unit_bytes` long, zeroed) from the payload: symbol i of chunk c
 * (payload bytes 2(ck + i) and the next) is byte pair c of unit i. */
static void spread_payload(const uint8_t *payload, uint64_t len, uint32_t k, uint64_t chunks,
                           uint8_t *units, size_t unit_bytes)
{
    uint64_t pos = 0;
    for (uint64_t c = 0; c < chunks && pos < len; c++) {
        for (uint32_t i = 0; i < k && pos < len; i++, pos += 2) {
            uint8_t *symbol = units + (size_t)i * unit_bytes + 2 * c;
            symbol[0] = payload[pos];
            if (pos + 1 < len) symbol[1] = payload[pos + 1];
        }
    }
}

/* The inverse of spread_payload: `data[i]` is data unit i. */
static void gather_payload(const uint8_t *const *data, uint32_t k, uint64_t chunks, uint64_t len,
                           uint8_t *out)
{
    uint64_t pos = 0;
    for (uint64_t c = 0; c < chunks && pos < len; c++) {
        for (uint32_t i = 0; i < k && pos < len; i++, pos += 2) {
            out[pos] = data[i][2 * c];
            if (pos + 1 < len) out[pos + 1] = data[i][2 * c + 1];
        }
    }
}

/* --- Merkle trees --------------------------------------------------------------------------- */

static void leaf_hash(uint8_t tag, uint32_t index, const uint8_t *data, size_t len,
                      ProtoCommit *out)
{
    uint8_t prefix[5] = {tag, (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)(index >> 16),
                         (uint8_t)(index >> 24)};
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, PROTO_COMMIT_BYTES);
    crypto_generichash_update(&state, prefix, sizeof prefix);
    if (len > 0) crypto_generichash_update(&state, data, len);
    crypto_generichash_final(&state, out->bytes, PROTO_COMMIT_BYTES);
}

static void inner_hash(const ProtoCommit *left, const ProtoCommit *right, ProtoCommit *out)
{
    uint8_t buf[1 + 2 * PROTO_COMMIT_BYTES];
    buf[0] = TAG_INNER;
    memcpy(buf + 1, left->bytes, PROTO_COMMIT_BYTES);
    memcpy(buf + 1 + PROTO_COMMIT_BYTES, right->bytes, PROTO_COMMIT_BYTES);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, buf, sizeof buf, NULL, 0);
}

/* A heap-ordered tree with room for `leaves` leaves (2P nodes; node 0 unused), leaves unset. */
static ProtoCommit *tree_new(uint32_t leaves, uint32_t *slots)
{
    PROTO_ASSERT(leaves > 0 && leaves <= ((uint32_t)1 << 31));
    *slots = (uint32_t)1 << ceil_log2(leaves);
    return g_new0(ProtoCommit, 2 * (size_t)*slots);
}

/* Computes the inner nodes once the `slots` leaf slots are set (padding left all-zero). */
static void tree_fill(ProtoCommit *tree, uint32_t slots)
{
    for (uint32_t node = slots - 1; node >= 1; node--)
        inner_hash(&tree[2 * node], &tree[2 * node + 1], &tree[node]);
}

/* The siblings from leaf `index` up to the root: log2(slots) entries. */
static uint32_t tree_path(const ProtoCommit *tree, uint32_t slots, uint32_t index,
                          ProtoCommit *path)
{
    PROTO_ASSERT(index < slots);
    uint32_t depth = 0;
    for (uint32_t node = slots + index; node > 1; node >>= 1)
        path[depth++] = tree[node ^ 1];
    return depth;
}

/* The root reached from `leaf` at `index` by `depth` siblings. Bits of `index` above the depth
 * are left over, so an index outside the tree can never fold to the root of a smaller one. */
static gboolean fold_path(const ProtoCommit *leaf, uint32_t index, const ProtoCommit *path,
                          uint32_t depth, const ProtoCommit *root)
{
    if (depth < 32 && (index >> depth) != 0) return FALSE;
    ProtoCommit node = *leaf;
    for (uint32_t level = 0; level < depth; level++) {
        if ((index >> level) & 1)
            inner_hash(&path[level], &node, &node);
        else
            inner_hash(&node, &path[level], &node);
    }
    return proto_commit_equal(&node, root);
}

/* --- one encoded payload -------------------------------------------------------------------- */

/* Computes parity units k..W-1 of `enc` from its data units. */
static void encode_parity(uint32_t k, uint32_t unit_count, uint64_t chunks, ProtoVidEncoding *enc)
{
    uint32_t parity = unit_count - k;
    if (parity == 0) return;
    uint16_t *xs = g_new(uint16_t, k);
    const uint8_t **src = g_new(const uint8_t *, k);
    uint16_t *targets = g_new(uint16_t, parity);
    for (uint32_t i = 0; i < k; i++) {
        xs[i] = (uint16_t)i;
        src[i] = enc->units + (size_t)i * enc->unit_bytes;
    }
    for (uint32_t t = 0; t < parity; t++)
        targets[t] = (uint16_t)(k + t);
    uint16_t *acc = g_new(uint16_t, (size_t)parity * chunks);
    interpolate(xs, src, k, targets, parity, chunks, acc);
    for (uint32_t t = 0; t < parity; t++) {
        uint8_t *unit = enc->units + (size_t)(k + t) * enc->unit_bytes;
        store_symbols(acc + (size_t)t * chunks, chunks, unit);
    }
    g_free(acc);
    g_free(targets);
    g_free(src);
    g_free(xs);
}

/* Builds the Merkle tree over the encoding's units and sets its root. */
static void commit_units(ProtoVidEncoding *enc)
{
    uint32_t slots = 0;
    enc->tree = tree_new(enc->unit_count, &slots);
    for (uint32_t j = 0; j < enc->unit_count; j++) {
        leaf_hash(TAG_UNIT_LEAF, j, enc->units + (size_t)j * enc->unit_bytes, enc->unit_bytes,
                  &enc->tree[slots + j]);
    }
    tree_fill(enc->tree, slots);
    enc->root = enc->tree[1];
}

ProtoVidEncoding *proto_vid_encode(const ProtoVidParams *params, const uint8_t *payload, size_t len)
{
    PROTO_ASSERT(params != NULL);
    PROTO_ASSERT(payload != NULL || len == 0);
    gf_init();
    uint32_t k = params->threshold, unit_count = params->total_weight;
    uint64_t chunks = chunk_count(len, k);
    PROTO_ASSERT(2 * chunks <= UINT32_MAX);
    PROTO_ASSERT(2 * chunks * unit_count <= SIZE_MAX);
    ProtoVidEncoding *enc = g_new0(ProtoVidEncoding, 1);
    enc->unit_count = unit_count;
    enc->unit_bytes = (uint32_t)(2 * chunks);
    enc->payload_len = len;
    enc->units = g_malloc0((size_t)unit_count * enc->unit_bytes);
    spread_payload(payload, len, k, chunks, enc->units, enc->unit_bytes);
    encode_parity(k, unit_count, chunks, enc);
    commit_units(enc);
    return enc;
}

ProtoVidEncoding *proto_vid_encode_mixed(const ProtoVidParams *params, const uint8_t *payload,
                                         const uint8_t *other, size_t len, uint32_t split)
{
    PROTO_ASSERT(split <= params->total_weight);
    ProtoVidEncoding *enc = proto_vid_encode(params, payload, len);
    ProtoVidEncoding *second = proto_vid_encode(params, other, len);
    PROTO_ASSERT(second->unit_bytes == enc->unit_bytes);
    size_t from = (size_t)split * enc->unit_bytes;
    memcpy(enc->units + from, second->units + from,
           (size_t)enc->unit_count * enc->unit_bytes - from);
    proto_vid_encoding_free(second);
    g_free(enc->tree);
    commit_units(enc);
    return enc;
}

void proto_vid_encoding_free(ProtoVidEncoding *encoding)
{
    if (encoding == NULL) return;
    g_free(encoding->units);
    g_free(encoding->tree);
    g_free(encoding);
}

void proto_vid_unit_path(const ProtoVidParams *params, const ProtoVidEncoding *encoding,
                         uint32_t unit, ProtoCommit *path)
{
    PROTO_ASSERT(params != NULL && encoding != NULL);
    PROTO_ASSERT(encoding->unit_count == params->total_weight);
    PROTO_ASSERT(unit < encoding->unit_count);
    PROTO_ASSERT(path != NULL || params->depth == 0);
    uint32_t slots = (uint32_t)1 << params->depth;
    uint32_t depth = tree_path(encoding->tree, slots, unit, path);
    PROTO_ASSERT(depth == params->depth);
}

gboolean proto_vid_verify_unit(const ProtoVidParams *params, const ProtoCommit *root, uint32_t unit,
                               const uint8_t *data, size_t unit_bytes, const ProtoCommit *path)
{
    PROTO_ASSERT(params != NULL && root != NULL);
    PROTO_ASSERT(data != NULL || unit_bytes == 0);
    PROTO_ASSERT(path != NULL || params->depth == 0);
    if (unit >= params->total_weight) return FALSE;
    ProtoCommit leaf;
    leaf_hash(TAG_UNIT_LEAF, unit, data, unit_bytes, &leaf);
    return fold_path(&leaf, unit, path, params->depth, root);
}

/* Checks recovery inputs without touching `out`: every index in range, every unit the size of
 * the payload's units. Fills `chosen` with k distinct units, data units first (they need no
 * arithmetic), and returns how many it found. */
static int choose_units(const ProtoVidParams *params, uint64_t chunks, const uint32_t *units,
                        uint32_t count, size_t unit_bytes, uint32_t *chosen, uint32_t *found)
{
    uint32_t k = params->threshold, unit_count = params->total_weight;
    if (unit_bytes % 2 != 0 || unit_bytes / 2 != chunks) return PROTO_ERR_FIELD;
    for (uint32_t i = 0; i < count; i++) {
        if (units[i] >= unit_count) return PROTO_ERR_FIELD;
    }
    uint8_t *taken = g_new0(uint8_t, unit_count);
    uint32_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < count && n < k; i++) {
            uint32_t u = units[i];
            if (taken[u] || (pass == 0) != (u < k)) continue;
            taken[u] = 1;
            chosen[n++] = i;
        }
    }
    g_free(taken);
    *found = n;
    return n < k ? PROTO_ERR_THRESHOLD : PROTO_OK;
}

/* Interpolates the data units missing from the `k` chosen ones and points `data_units[i]` at data
 * unit i, in the caller's buffers or in the returned block (NULL if none was missing; free it). */
static uint8_t *rebuild_data_units(uint32_t k, const uint32_t *units, const uint8_t *const *data,
                                   const uint32_t *chosen, uint64_t chunks,
                                   const uint8_t **data_units)
{
    uint16_t *xs = g_new(uint16_t, k);
    const uint8_t **src = g_new(const uint8_t *, k);
    uint16_t *targets = g_new(uint16_t, k);
    memset(data_units, 0, (size_t)k * sizeof *data_units);
    for (uint32_t j = 0; j < k; j++) {
        xs[j] = (uint16_t)units[chosen[j]];
        src[j] = data[chosen[j]];
        if (xs[j] < k) data_units[xs[j]] = src[j];
    }
    uint32_t missing = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (data_units[i] == NULL) targets[missing++] = (uint16_t)i;
    }
    uint8_t *rebuilt = NULL;
    if (missing > 0) {
        uint16_t *acc = g_new(uint16_t, (size_t)missing * chunks);
        interpolate(xs, src, k, targets, missing, chunks, acc);
        rebuilt = g_malloc((size_t)missing * chunks * 2);
        for (uint32_t t = 0; t < missing; t++) {
            uint8_t *unit = rebuilt + (size_t)t * chunks * 2;
            store_symbols(acc + (size_t)t * chunks, chunks, unit);
            data_units[targets[t]] = unit;
        }
        g_free(acc);
    }
    g_free(targets);
    g_free(src);
    g_free(xs);
    return rebuilt;
}

int proto_vid_recover(const ProtoVidParams *params, uint64_t payload_len, const uint32_t *units,
                      const uint8_t *const *data, uint32_t count, size_t unit_bytes, uint8_t *out)
{
    PROTO_ASSERT(params != NULL);
    PROTO_ASSERT((units != NULL && data != NULL) || count == 0);
    PROTO_ASSERT(out != NULL || payload_len == 0);
    gf_init();
    uint32_t k = params->threshold;
    uint64_t chunks = chunk_count(payload_len, k);
    uint32_t *chosen = g_new(uint32_t, k);
    uint32_t found = 0;
    int rc = choose_units(params, chunks, units, count, unit_bytes, chosen, &found);
    if (rc != PROTO_OK) {
        g_free(chosen);
        return rc;
    }
    PROTO_ASSERT(found == k);
    const uint8_t **data_units = g_new(const uint8_t *, k);
    uint8_t *rebuilt = rebuild_data_units(k, units, data, chosen, chunks, data_units);
    gather_payload(data_units, k, chunks, payload_len, out);
    g_free(rebuilt);
    g_free(data_units);
    g_free(chosen);
    return PROTO_OK;
}

/* --- namespaced blocks ---------------------------------------------------------------------- */

/* A namespace's leaf: its position, id, length and root. */
static void namespace_leaf(uint32_t index, const ProtoVidNamespace *ns, ProtoCommit *out)
{
    uint8_t data[12 + PROTO_COMMIT_BYTES];
    for (int b = 0; b < 4; b++)
        data[b] = (uint8_t)(ns->id >> (8 * b));
    for (int b = 0; b < 8; b++)
        data[4 + b] = (uint8_t)(ns->length >> (8 * b));
    memcpy(data + 12, ns->root.bytes, PROTO_COMMIT_BYTES);
    leaf_hash(TAG_BLOCK_LEAF, index, data, sizeof data, out);
}

/* The block tree over `count` (> 0) namespaces; returns it and sets `*slots`. */
static ProtoCommit *block_tree(const ProtoVidNamespace *ns, uint32_t count, uint32_t *slots)
{
    ProtoCommit *tree = tree_new(count, slots);
    for (uint32_t i = 0; i < count; i++)
        namespace_leaf(i, &ns[i], &tree[*slots + i]);
    tree_fill(tree, *slots);
    return tree;
}

void proto_vid_block_root(const ProtoVidNamespace *ns, uint32_t count, ProtoCommit *out)
{
    PROTO_ASSERT(out != NULL);
    PROTO_ASSERT(ns != NULL || count == 0);
    if (count == 0) {
        crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, (const uint8_t *)EMPTY_BLOCK_DOMAIN,
                           sizeof EMPTY_BLOCK_DOMAIN - 1, NULL, 0);
        return;
    }
    uint32_t slots = 0;
    ProtoCommit *tree = block_tree(ns, count, &slots);
    *out = tree[1];
    g_free(tree);
}

uint32_t proto_vid_block_path(const ProtoVidNamespace *ns, uint32_t count, uint32_t index,
                              ProtoCommit *path)
{
    PROTO_ASSERT(ns != NULL && path != NULL);
    PROTO_ASSERT(index < count);
    uint32_t slots = 0;
    ProtoCommit *tree = block_tree(ns, count, &slots);
    uint32_t depth = tree_path(tree, slots, index, path);
    g_free(tree);
    PROTO_ASSERT(depth == ceil_log2(count) && depth <= 32);
    return depth;
}

gboolean proto_vid_verify_block_path(const ProtoCommit *block_root, uint32_t count, uint32_t index,
                                     const ProtoVidNamespace *ns, const ProtoCommit *path,
                                     uint32_t path_len)
{
    PROTO_ASSERT(block_root != NULL && ns != NULL);
    PROTO_ASSERT(path != NULL || path_len == 0);
    /* All three numbers come with a proof from a peer, so they are checked, not asserted. */
    if (count == 0 || index >= count || path_len != ceil_log2(count)) return FALSE;
    ProtoCommit leaf;
    namespace_leaf(index, ns, &leaf);
    return fold_path(&leaf, index, path, path_len, block_root);
}

gboolean proto_vid_verify_namespace(const ProtoVidParams *params, const ProtoCommit *block_root,
                                    uint32_t count, uint32_t index, uint32_t ns_id,
                                    const uint8_t *ns_bytes, size_t ns_len, const ProtoCommit *path,
                                    uint32_t path_len)
{
    PROTO_ASSERT(params != NULL && block_root != NULL);
    PROTO_ASSERT(ns_bytes != NULL || ns_len == 0);
    PROTO_ASSERT(path != NULL || path_len == 0);
    /* Check the cheap conditions before paying for an encoding. */
    if (count == 0 || index >= count || path_len != ceil_log2(count)) return FALSE;
    ProtoVidEncoding *enc = proto_vid_encode(params, ns_bytes, ns_len);
    ProtoVidNamespace ns = {ns_id, ns_len, enc->root};
    gboolean ok = proto_vid_verify_block_path(block_root, count, index, &ns, path, path_len);
    proto_vid_encoding_free(enc);
    return ok;
}

/* --- production-equivalent sizes ------------------------------------------------------------ */

uint64_t proto_vid_unit_size(const ProtoVidParams *params, uint64_t payload_len)
{
    PROTO_ASSERT(params != NULL && params->threshold > 0);
    uint64_t elements = payload_len / ELEMENT_SPAN + (payload_len % ELEMENT_SPAN != 0);
    uint64_t per_unit = elements / params->threshold + (elements % params->threshold != 0);
    /* An empty payload is charged one element per unit, not nothing: its W units are still
     * dispersed (each with its path), and the encoding here gives them a chunk too. */
    return (per_unit > 0 ? per_unit : 1) * ELEMENT_BYTES;
}

uint64_t proto_vid_share_size(const ProtoVidParams *params, uint32_t node,
                              const uint64_t *ns_lengths, uint32_t ns_count)
{
    PROTO_ASSERT(params != NULL);
    PROTO_ASSERT(node < params->node_count);
    PROTO_ASSERT(ns_lengths != NULL || ns_count == 0);
    uint64_t path_bytes = (uint64_t)params->depth * PROTO_COMMIT_BYTES;
    uint64_t total = 0;
    for (uint32_t i = 0; i < ns_count; i++)
        total += params->weights[node] * (proto_vid_unit_size(params, ns_lengths[i]) + path_bytes);
    return total;
}
