/*
 * Block payloads, real and synthetic; see payload.h. Real payloads are built and parsed with
 * namespace.c and dispersed with vid.c; synthetic ones are manifests whose namespace roots are
 * hashes, so the same share and namespace-proof logic binds them to the commitment.
 */
#include "protocol/payload.h"

#include "protocol/assert.h"
#include "protocol/namespace.h"
#include "protocol/vid_cost.h"

#include <sodium.h>
#include <string.h>

static const ProtoCostTable *no_costs;

/* A layout entry: namespace id (u32), root, logical length (u64). */
#define LAYOUT_ENTRY (4 + PROTO_COMMIT_BYTES + 8)

static void put_le(uint8_t *out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

/* Adds the CPU time of VID `work` on `bytes` among the storage nodes of `params` (vid_cost.h). */
static void charge_vid(const ProtoCostTable *costs, const ProtoVidParams *params, ProtoVidWork work,
                       uint64_t bytes, ProtoDuration *cpu)
{
    if (costs == NULL || cpu == NULL) return;
    *cpu += proto_vid_cost(costs, work, bytes, params->node_count);
}

static gboolean advz(const ProtoCostTable *costs)
{
    return costs != NULL && costs->vid_scheme == PROTO_VID_SCHEME_ADVZ;
}

/* --- construction ----------------------------------------------------------------------------- */

static ProtoPayload *payload_alloc(uint32_t ns_count, gboolean synthetic)
{
    PROTO_ASSERT(ns_count <= PROTO_PAYLOAD_NAMESPACES_MAX);
    ProtoPayload *p = g_new0(ProtoPayload, 1);
    p->refcount = 1;
    p->synthetic = synthetic;
    p->ns_count = ns_count;
    size_t n = ns_count ? ns_count : 1;
    p->ns_ids = g_new0(uint32_t, n);
    p->ns_lengths = g_new0(uint64_t, n);
    p->ns_offsets = g_new0(uint64_t, n);
    p->ns_spans = g_new0(uint64_t, n);
    p->ns_roots = g_new0(ProtoCommit, n);
    return p;
}

/* The namespaces as the block tree sees them (a new array). */
static ProtoVidNamespace *tree_namespaces(const ProtoPayload *p)
{
    ProtoVidNamespace *ns = g_new(ProtoVidNamespace, p->ns_count ? p->ns_count : 1);
    for (uint32_t i = 0; i < p->ns_count; i++)
        ns[i] = (ProtoVidNamespace){p->ns_ids[i], p->ns_lengths[i], p->ns_roots[i]};
    return ns;
}

/* The logical namespace table: count, then (id, end offset) per namespace. */
static GBytes *logical_table(const ProtoVidNamespace *ns, uint32_t count)
{
    size_t len = 4 + (size_t)8 * count;
    uint8_t *table = g_malloc(len);
    put_le(table, count, 4);
    uint64_t end = 0;
    for (uint32_t i = 0; i < count; i++) {
        end += ns[i].length;
        PROTO_ASSERT(end <= PROTO_PAYLOAD_MAX);
        put_le(table + 4 + 8 * i, ns[i].id, 4);
        put_le(table + 8 + 8 * i, end, 4);
    }
    return g_bytes_new_take(table, len);
}

static void synthetic_root(const ProtoVidParams *params, const uint8_t *entry, size_t len,
                           uint64_t logical, ProtoCommit *out)
{
    static const char tag[] = "shotglass-synthetic-namespace-v1";
    uint8_t word[8];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, PROTO_COMMIT_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag);
    put_le(word, params->total_weight, 8);
    crypto_generichash_update(&h, word, 8);
    put_le(word, logical, 8);
    crypto_generichash_update(&h, word, 8);
    crypto_generichash_update(&h, entry, len);
    crypto_generichash_final(&h, out->bytes, PROTO_COMMIT_BYTES);
}

/* Commitment, builder commitment and logical table, once namespaces and roots are known. */
static void seal(ProtoPayload *p, const ProtoVidParams *params, const ProtoCostTable *costs,
                 ProtoVidWork work, ProtoDuration *cpu)
{
    ProtoVidNamespace *ns = tree_namespaces(p);
    proto_vid_block_root(ns, p->ns_count, &p->commit);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(p->bytes, &len);
    crypto_generichash(p->builder_commit.bytes, PROTO_COMMIT_BYTES, data, len, NULL, 0);
    if (p->ns_table == NULL) p->ns_table = logical_table(ns, p->ns_count);
    g_free(ns);
    for (uint32_t i = 0; i < p->ns_count; i++)
        p->size += p->ns_lengths[i];
    charge_vid(costs, params, work, p->size, cpu);
    p->dispersed = work == PROTO_VID_WORK_DISPERSE_PRE;
}

/* Real payloads: encode each namespace, keep or drop the encodings. */
static void encode_real(ProtoPayload *p, const ProtoVidParams *params, gboolean keep)
{
    const uint8_t *data = g_bytes_get_data(p->bytes, NULL);
    if (keep) p->encodings = g_new0(ProtoVidEncoding *, p->ns_count ? p->ns_count : 1);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        ProtoVidEncoding *e = proto_vid_encode(params, data + p->ns_offsets[i], p->ns_lengths[i]);
        p->ns_roots[i] = e->root;
        if (keep) {
            p->encodings[i] = e;
        } else {
            proto_vid_encoding_free(e);
        }
    }
}

static GBytes *filler_tx(const ProtoTx *tx)
{
    PROTO_ASSERT(tx->size >= PROTO_TX_DESCRIPTOR_BYTES);
    uint8_t *bytes = g_malloc(tx->size);
    put_le(bytes, tx->id, 8);
    put_le(bytes + 8, tx->size, 4);
    for (uint32_t i = PROTO_TX_DESCRIPTOR_BYTES; i < tx->size; i++) {
        bytes[i] = (uint8_t)(tx->id * 131 + i * 7);
    }
    return g_bytes_new_take(bytes, tx->size);
}

/* Namespaces in order of first appearance: their ids, and for each the transaction indices. */
static GPtrArray *group(const ProtoTx *txs, uint32_t count, GArray *ids)
{
    GPtrArray *groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (uint32_t t = 0; t < count; t++) {
        guint g = 0;
        while (g < ids->len && g_array_index(ids, uint32_t, g) != txs[t].ns_id)
            g++;
        if (g == ids->len) {
            g_array_append_val(ids, txs[t].ns_id);
            g_ptr_array_add(groups, g_array_new(FALSE, FALSE, sizeof(uint32_t)));
        }
        g_array_append_val(groups->pdata[g], t);
    }
    return groups;
}

static void build_real(ProtoPayload *p, const ProtoTx *txs, GPtrArray *groups)
{
    GBytes **ns_payloads = g_new(GBytes *, p->ns_count ? p->ns_count : 1);
    for (uint32_t g = 0; g < p->ns_count; g++) {
        GArray *members = groups->pdata[g];
        GBytes **tx_bytes = g_new(GBytes *, members->len ? members->len : 1);
        for (guint i = 0; i < members->len; i++) {
            tx_bytes[i] = filler_tx(&txs[g_array_index(members, uint32_t, i)]);
        }
        ns_payloads[g] = proto_ns_payload_build(tx_bytes, members->len);
        for (guint i = 0; i < members->len; i++)
            g_bytes_unref(tx_bytes[i]);
        g_free(tx_bytes);
        p->ns_lengths[g] = g_bytes_get_size(ns_payloads[g]);
        p->ns_spans[g] = p->ns_lengths[g];
        p->ns_offsets[g] = g ? p->ns_offsets[g - 1] + p->ns_lengths[g - 1] : 0;
    }
    proto_block_build(p->ns_ids, ns_payloads, p->ns_count, &p->bytes, &p->ns_table);
    for (uint32_t g = 0; g < p->ns_count; g++)
        g_bytes_unref(ns_payloads[g]);
    g_free(ns_payloads);
}

static void build_manifest(ProtoPayload *p, const ProtoVidParams *params, const ProtoTx *txs,
                           GPtrArray *groups)
{
    GByteArray *m = g_byte_array_new();
    uint8_t word[8];
    put_le(word, p->ns_count, 4);
    g_byte_array_append(m, word, 4);
    for (uint32_t g = 0; g < p->ns_count; g++) {
        GArray *members = groups->pdata[g];
        size_t start = m->len;
        uint64_t logical = 4 + 4 * (uint64_t)members->len;
        put_le(word, p->ns_ids[g], 4);
        g_byte_array_append(m, word, 4);
        put_le(word, members->len, 4);
        g_byte_array_append(m, word, 4);
        for (guint i = 0; i < members->len; i++) {
            const ProtoTx *tx = &txs[g_array_index(members, uint32_t, i)];
            put_le(word, tx->id, 8);
            g_byte_array_append(m, word, 8);
            put_le(word, tx->size, 4);
            g_byte_array_append(m, word, 4);
            logical += tx->size;
        }
        p->ns_lengths[g] = logical;
        p->ns_offsets[g] = start;
        p->ns_spans[g] = m->len - start;
        synthetic_root(params, m->data + start, m->len - start, logical, &p->ns_roots[g]);
    }
    p->bytes = g_byte_array_free_to_bytes(m);
}

ProtoPayload *proto_payload_build(const ProtoVidParams *params, const ProtoTx *txs, uint32_t count,
                                  gboolean synthetic, gboolean keep_encodings,
                                  const ProtoCostTable *costs, ProtoDuration *cpu)
{
    PROTO_ASSERT(params != NULL && (txs != NULL || count == 0));
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GPtrArray *groups = group(txs, count, ids);
    ProtoPayload *p = payload_alloc(ids->len, synthetic);
    if (ids->len > 0) memcpy(p->ns_ids, ids->data, sizeof(uint32_t) * ids->len);
    if (synthetic) {
        build_manifest(p, params, txs, groups);
    } else {
        build_real(p, txs, groups);
        encode_real(p, params, keep_encodings);
    }
    seal(p, params, costs, PROTO_VID_WORK_COMMIT, cpu); /* the builder's commitment */
    g_ptr_array_unref(groups);
    g_array_unref(ids);
    return p;
}

ProtoPayload *proto_payload_empty(const ProtoVidParams *params, gboolean synthetic)
{
    return proto_payload_build(params, NULL, 0, synthetic, TRUE, no_costs, NULL);
}

/* --- parsing received payloads ------------------------------------------------------------------
 */

typedef struct Cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
    gboolean bad;
} Cursor;

static uint64_t take(Cursor *c, int bytes)
{
    if (c->bad || c->len - c->pos < (size_t)bytes) {
        c->bad = TRUE;
        return 0;
    }
    uint64_t v = get_le(c->data + c->pos, bytes);
    c->pos += (size_t)bytes;
    return v;
}

/* One namespace of a manifest: id, transactions; returns its logical length. */
static uint64_t manifest_namespace(Cursor *c, uint32_t *id)
{
    *id = (uint32_t)take(c, 4);
    uint64_t txs = take(c, 4);
    if (c->bad || txs > (c->len - c->pos) / 12) {
        c->bad = TRUE;
        return 0;
    }
    uint64_t logical = 4 + 4 * txs;
    for (uint64_t t = 0; t < txs; t++) {
        take(c, 8);
        uint64_t size = take(c, 4);
        if (size < PROTO_TX_DESCRIPTOR_BYTES) c->bad = TRUE;
        logical += size;
    }
    return logical;
}

static ProtoPayload *parse_manifest(const ProtoVidParams *params, GBytes *bytes)
{
    gsize len = 0;
    Cursor c = {g_bytes_get_data(bytes, &len), len, 0, FALSE};
    uint64_t count = take(&c, 4);
    if (c.bad || count > PROTO_PAYLOAD_NAMESPACES_MAX || count > (len - 4) / 8) return NULL;
    ProtoPayload *p = payload_alloc((uint32_t)count, TRUE);
    uint64_t total = 0;
    for (uint32_t i = 0; i < p->ns_count && !c.bad; i++) {
        size_t start = c.pos;
        p->ns_lengths[i] = manifest_namespace(&c, &p->ns_ids[i]);
        total += p->ns_lengths[i];
        c.bad |= total > PROTO_PAYLOAD_MAX; /* more than a namespace table can describe */
        p->ns_offsets[i] = start;
        p->ns_spans[i] = c.pos - start;
        for (uint32_t j = 0; j < i; j++)
            c.bad |= p->ns_ids[j] == p->ns_ids[i];
        if (!c.bad)
            synthetic_root(params, c.data + start, c.pos - start, p->ns_lengths[i],
                           &p->ns_roots[i]);
    }
    if (c.bad || c.pos != len) {
        proto_payload_unref(p);
        return NULL;
    }
    p->bytes = g_bytes_ref(bytes);
    return p;
}

static ProtoPayload *parse_real(const ProtoVidParams *params, GBytes *bytes, GBytes *ns_table,
                                gboolean keep)
{
    gsize table_len = 0, len = g_bytes_get_size(bytes);
    const uint8_t *table = g_bytes_get_data(ns_table, &table_len);
    ProtoNsTable parsed;
    proto_ns_table_parse(table, table_len, len, &parsed);
    ProtoPayload *p = payload_alloc(MIN(parsed.count, PROTO_PAYLOAD_NAMESPACES_MAX), FALSE);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        p->ns_ids[i] = parsed.entries[i].ns_id;
        p->ns_offsets[i] = parsed.entries[i].start;
        p->ns_lengths[i] = parsed.entries[i].end - parsed.entries[i].start;
        p->ns_spans[i] = p->ns_lengths[i];
    }
    proto_ns_table_clear(&parsed);
    p->bytes = g_bytes_ref(bytes);
    encode_real(p, params, keep);
    return p;
}

ProtoPayload *proto_payload_from_bytes(const ProtoVidParams *params, GBytes *bytes,
                                       GBytes *ns_table, uint64_t size, gboolean synthetic,
                                       gboolean keep_encodings, const ProtoCostTable *costs,
                                       ProtoDuration *cpu, int *rc)
{
    PROTO_ASSERT(params != NULL && bytes != NULL && ns_table != NULL && rc != NULL);
    ProtoPayload *p = synthetic ? parse_manifest(params, bytes)
                                : parse_real(params, bytes, ns_table, keep_encodings);
    *rc = PROTO_OK;
    if (p == NULL) {
        *rc = PROTO_ERR_FIELD;
        return NULL;
    }
    /* The leader, which keeps the encodings, disperses with the builder's commitments; a DA
     * member recomputes the commitment (HotShot 0.5.63 vid.rs, da.rs). */
    seal(p, params, costs, keep_encodings ? PROTO_VID_WORK_DISPERSE_PRE : PROTO_VID_WORK_COMMIT,
         cpu);
    /* The table it came with must be the canonical one for what the bytes hold (the commitment
     * binds ids and lengths, so any other table would describe another block), and the logical
     * size must be stated truly. */
    gboolean table_ok = g_bytes_equal(p->ns_table, ns_table);
    if (!table_ok || p->size != (synthetic ? size : g_bytes_get_size(bytes)) || size != p->size) {
        *rc = PROTO_ERR_INCONSISTENT;
        proto_payload_unref(p);
        return NULL;
    }
    return p;
}

ProtoPayload *proto_payload_ref(ProtoPayload *p)
{
    PROTO_ASSERT(p->refcount > 0);
    p->refcount++;
    return p;
}

void proto_payload_unref(ProtoPayload *p)
{
    if (p == NULL) return;
    PROTO_ASSERT(p->refcount > 0);
    if (--p->refcount > 0) return;
    for (uint32_t i = 0; p->encodings != NULL && i < p->ns_count; i++) {
        proto_vid_encoding_free(p->encodings[i]);
    }
    g_free(p->encodings);
    if (p->bytes != NULL) g_bytes_unref(p->bytes);
    if (p->ns_table != NULL) g_bytes_unref(p->ns_table);
    g_free(p->ns_ids);
    g_free(p->ns_lengths);
    g_free(p->ns_offsets);
    g_free(p->ns_spans);
    g_free(p->ns_roots);
    g_free(p);
}

/* --- transactions ------------------------------------------------------------------------------
 */

static void manifest_transactions(uint32_t ns_id, Cursor *c, uint64_t txs, GArray *out)
{
    for (uint64_t t = 0; t < txs && !c->bad; t++) {
        ProtoTx tx = {ns_id, take(c, 8), 0};
        tx.size = (uint32_t)take(c, 4);
        if (!c->bad) g_array_append_val(out, tx);
    }
}

/* Real namespace payload bytes: follow the transaction table, read each descriptor. */
static void real_transactions(uint32_t ns_id, const uint8_t *ns, size_t len, GArray *out)
{
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(ProtoRange));
    proto_ns_payload_parse(ns, len, ranges); /* ranges are relative to `ns` itself */
    for (guint i = 0; i < ranges->len; i++) {
        ProtoRange r = g_array_index(ranges, ProtoRange, i);
        if (r.end - r.start < PROTO_TX_DESCRIPTOR_BYTES || r.end > len) continue;
        const uint8_t *tx = ns + r.start;
        ProtoTx t = {ns_id, get_le(tx, 8), (uint32_t)get_le(tx + 8, 4)};
        g_array_append_val(out, t);
    }
    g_array_unref(ranges);
}

void proto_namespace_transactions(uint32_t ns_id, gboolean synthetic, GBytes *bytes, GArray *out)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    if (!synthetic) {
        real_transactions(ns_id, data, len, out);
        return;
    }
    Cursor c = {data, len, 0, FALSE};
    take(&c, 4); /* the id, already known */
    uint64_t txs = take(&c, 4);
    manifest_transactions(ns_id, &c, txs, out);
}

void proto_payload_transactions(const ProtoPayload *p, GArray *out)
{
    const uint8_t *data = g_bytes_get_data(p->bytes, NULL);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        GBytes *ns = g_bytes_new_static(data + p->ns_offsets[i], p->ns_spans[i]);
        proto_namespace_transactions(p->ns_ids[i], p->synthetic, ns, out);
        g_bytes_unref(ns);
    }
}

/* --- shares ------------------------------------------------------------------------------------
 */

GBytes *proto_payload_layout(const ProtoPayload *p)
{
    size_t len = 4 + (size_t)LAYOUT_ENTRY * p->ns_count;
    uint8_t *out = g_malloc(len);
    put_le(out, p->ns_count, 4);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        uint8_t *entry = out + 4 + LAYOUT_ENTRY * i;
        put_le(entry, p->ns_ids[i], 4);
        memcpy(entry + 4, p->ns_roots[i].bytes, PROTO_COMMIT_BYTES);
        put_le(entry + 4 + PROTO_COMMIT_BYTES, p->ns_lengths[i], 8);
    }
    return g_bytes_new_take(out, len);
}

/* Bytes per unit of a namespace of `len` bytes: two per chunk of k symbols, at least one. */
static size_t unit_bytes_for(const ProtoVidParams *params, uint64_t len)
{
    uint64_t symbols = (len + 1) / 2;
    uint64_t chunks = (symbols + params->threshold - 1) / params->threshold;
    return 2 * (size_t)(chunks ? chunks : 1);
}

GBytes *proto_payload_share(ProtoPayload *p, const ProtoVidParams *params, ProtoNodeId owner,
                            const ProtoCostTable *costs, ProtoDuration *cpu, uint64_t *charged)
{
    PROTO_ASSERT(owner < params->node_count);
    *charged = proto_vid_share_bytes(
        costs, proto_vid_share_size(params, owner, p->ns_lengths, p->ns_count), p->size,
        params->node_count);
    /* ADVZ disperses the whole block at once: shares cut from a payload the node did not
     * disperse (a VID request's answer) cost a full dispersal (HotShot calculate_vid_disperse
     * without precompute data). */
    if (advz(costs) && !p->dispersed)
        charge_vid(costs, params, PROTO_VID_WORK_DISPERSE, p->size, cpu);
    if (p->synthetic) return g_bytes_new(NULL, 0);
    GByteArray *out = g_byte_array_new();
    const uint8_t *data = g_bytes_get_data(p->bytes, NULL);
    ProtoCommit *path = g_new(ProtoCommit, params->depth ? params->depth : 1);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        ProtoVidEncoding *e = p->encodings ? p->encodings[i] : NULL;
        if (e == NULL) {
            e = proto_vid_encode(params, data + p->ns_offsets[i], p->ns_lengths[i]);
            if (!advz(costs)) {
                charge_vid(costs, params, PROTO_VID_WORK_DISPERSE, p->ns_lengths[i], cpu);
            }
        }
        uint32_t first = params->first_unit[owner];
        for (uint32_t u = first; u < first + params->weights[owner]; u++) {
            g_byte_array_append(out, e->units + (size_t)u * e->unit_bytes, e->unit_bytes);
            proto_vid_unit_path(params, e, u, path);
            g_byte_array_append(out, (const uint8_t *)path, params->depth * PROTO_COMMIT_BYTES);
        }
        if (p->encodings == NULL || p->encodings[i] == NULL) proto_vid_encoding_free(e);
    }
    g_free(path);
    return g_byte_array_free_to_bytes(out);
}

/* Parses a layout into namespaces (a new array); NULL when malformed: a bad length, or logical
 * sizes beyond what a namespace table can describe. */
static ProtoVidNamespace *parse_layout(GBytes *layout, uint32_t *count)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(layout, &len);
    if (len < 4) return NULL;
    uint64_t n = get_le(data, 4);
    if (n > PROTO_PAYLOAD_NAMESPACES_MAX || len != 4 + LAYOUT_ENTRY * n) return NULL;
    ProtoVidNamespace *ns = g_new(ProtoVidNamespace, n ? n : 1);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *entry = data + 4 + LAYOUT_ENTRY * i;
        ns[i].id = (uint32_t)get_le(entry, 4);
        memcpy(ns[i].root.bytes, entry + 4, PROTO_COMMIT_BYTES);
        ns[i].length = get_le(entry + 4 + PROTO_COMMIT_BYTES, 8);
        total += MIN(ns[i].length, (uint64_t)PROTO_PAYLOAD_MAX + 1);
    }
    if (total > PROTO_PAYLOAD_MAX) {
        g_free(ns);
        return NULL;
    }
    *count = (uint32_t)n;
    return ns;
}

/* Per-namespace lengths for proto_vid_share_size (a new array). */
static uint64_t *layout_lengths(const ProtoVidNamespace *ns, uint32_t count)
{
    uint64_t *lengths = g_new(uint64_t, count ? count : 1);
    for (uint32_t i = 0; i < count; i++)
        lengths[i] = ns[i].length;
    return lengths;
}

uint64_t proto_payload_share_size(const ProtoVidParams *params, ProtoNodeId owner, GBytes *layout)
{
    uint32_t count = 0;
    ProtoVidNamespace *ns = parse_layout(layout, &count);
    if (ns == NULL) return 0;
    uint64_t *lengths = layout_lengths(ns, count);
    uint64_t size = proto_vid_share_size(params, owner, lengths, count);
    g_free(lengths);
    g_free(ns);
    return size;
}

static int verify_units(const ProtoVidParams *params, ProtoNodeId owner, uint32_t count,
                        const ProtoVidNamespace *ns, GBytes *units, const ProtoCostTable *costs,
                        ProtoDuration *cpu)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(units, &len);
    size_t pos = 0;
    uint32_t first = params->first_unit[owner], weight = params->weights[owner];
    for (uint32_t i = 0; i < count; i++) {
        size_t unit_bytes = unit_bytes_for(params, ns[i].length);
        size_t step = unit_bytes + (size_t)params->depth * PROTO_COMMIT_BYTES;
        for (uint32_t u = first; u < first + weight; u++) {
            if (len - pos < step) return PROTO_ERR_FIELD;
            ProtoCommit aligned[32];
            memcpy(aligned, data + pos + unit_bytes, (size_t)params->depth * PROTO_COMMIT_BYTES);
            if (!proto_vid_verify_unit(params, &ns[i].root, u, data + pos, unit_bytes, aligned)) {
                return PROTO_ERR_INCONSISTENT;
            }
            if (costs != NULL && !advz(costs))
                *cpu += costs->merkle_verify_per_level * (params->depth + 1);
            pos += step;
        }
    }
    return pos == len ? PROTO_OK : PROTO_ERR_FIELD;
}

int proto_payload_verify_share(const ProtoVidParams *params, const ProtoCommit *commit,
                               ProtoNodeId owner, gboolean synthetic, GBytes *ns_table,
                               uint64_t size, GBytes *layout, GBytes *units,
                               const ProtoCostTable *costs, ProtoDuration *cpu)
{
    PROTO_ASSERT(owner < params->node_count && params->depth <= 32);
    uint32_t count = 0;
    ProtoVidNamespace *ns = parse_layout(layout, &count);
    if (ns == NULL) return PROTO_ERR_FIELD;
    ProtoCommit root;
    proto_vid_block_root(ns, count, &root);
    int rc = proto_commit_equal(&root, commit) ? PROTO_OK : PROTO_ERR_INCONSISTENT;
    /* The layout is now bound to the commitment; the table and size beside it must agree. */
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++)
        total += ns[i].length;
    GBytes *table = rc == PROTO_OK ? logical_table(ns, count) : NULL;
    if (rc == PROTO_OK &&
        (total != size || (ns_table != NULL && !g_bytes_equal(table, ns_table)))) {
        rc = PROTO_ERR_INCONSISTENT;
    }
    /* ADVZ checks one share against the whole block (verify_share), whatever it holds. */
    if (rc == PROTO_OK && advz(costs))
        charge_vid(costs, params, PROTO_VID_WORK_VERIFY_SHARE, total, cpu);
    if (rc == PROTO_OK && synthetic) rc = g_bytes_get_size(units) == 0 ? PROTO_OK : PROTO_ERR_FIELD;
    if (rc == PROTO_OK && !synthetic)
        rc = verify_units(params, owner, count, ns, units, costs, cpu);
    if (table != NULL) g_bytes_unref(table);
    g_free(ns);
    return rc;
}

/* --- namespaces for rollups
 * ------------------------------------------------------------------------ */

gboolean proto_payload_namespace(const ProtoPayload *p, uint32_t ns_id, GBytes **bytes,
                                 uint32_t *index, uint64_t *logical, ProtoCommit *path,
                                 uint32_t *path_len)
{
    for (uint32_t i = 0; i < p->ns_count; i++) {
        if (p->ns_ids[i] != ns_id) continue;
        *bytes = g_bytes_new_from_bytes(p->bytes, p->ns_offsets[i], p->ns_spans[i]);
        *index = i;
        *logical = p->ns_lengths[i];
        ProtoVidNamespace *ns = tree_namespaces(p);
        *path_len = proto_vid_block_path(ns, p->ns_count, i, path);
        g_free(ns);
        return TRUE;
    }
    return FALSE;
}

gboolean proto_payload_verify_namespace(const ProtoVidParams *params, const ProtoCommit *commit,
                                        uint32_t ns_id, uint32_t index, uint32_t count,
                                        gboolean synthetic, uint64_t logical, GBytes *bytes,
                                        const ProtoCommit *path, uint32_t path_len,
                                        const ProtoCostTable *costs, ProtoDuration *cpu)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    if (!synthetic) {
        /* Re-encoding the namespace (AVID-M's namespace proof). ADVZ's KZG range proofs are not
         * modelled: a rollup is charged AVID-M's rate for them (docs/crypto-costs.md). */
        if (advz(costs)) {
            *cpu += (ProtoDuration)(((ProtoU128)len * costs->vid_encode_per_mib) >> 20);
        } else {
            charge_vid(costs, params, PROTO_VID_WORK_COMMIT, len, cpu);
        }
        return len == logical && proto_vid_verify_namespace(params, commit, count, index, ns_id,
                                                            data, len, path, path_len);
    }
    Cursor c = {data, len, 0, FALSE};
    uint32_t id = 0;
    uint64_t computed = manifest_namespace(&c, &id);
    if (c.bad || c.pos != len || id != ns_id || computed != logical) return FALSE;
    ProtoVidNamespace ns = {ns_id, logical, {{0}}};
    synthetic_root(params, data, len, logical, &ns.root);
    if (costs != NULL) *cpu += costs->merkle_verify_per_level * (path_len + 1);
    return proto_vid_verify_block_path(commit, count, index, &ns, path, path_len);
}

/* --- rebuilding ------------------------------------------------------------------------------ */

struct ProtoRebuild {
    const ProtoVidParams *params;
    ProtoCommit commit;
    uint32_t count;
    ProtoVidNamespace *ns;
    uint32_t weight;
    GArray *owners;   /* ProtoNodeId, in the order added */
    GPtrArray *units; /* GBytes *, parallel to owners */
};

ProtoRebuild *proto_rebuild_new(const ProtoVidParams *params, const ProtoCommit *commit,
                                GBytes *layout)
{
    ProtoRebuild *rb = g_new0(ProtoRebuild, 1);
    rb->ns = parse_layout(layout, &rb->count);
    if (rb->ns == NULL) {
        g_free(rb);
        return NULL;
    }
    rb->params = params;
    rb->commit = *commit;
    rb->owners = g_array_new(FALSE, FALSE, sizeof(ProtoNodeId));
    rb->units = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    return rb;
}

void proto_rebuild_free(ProtoRebuild *rb)
{
    if (rb == NULL) return;
    g_free(rb->ns);
    g_array_unref(rb->owners);
    g_ptr_array_unref(rb->units);
    g_free(rb);
}

gboolean proto_rebuild_add(ProtoRebuild *rb, ProtoNodeId owner, GBytes *units)
{
    PROTO_ASSERT(owner < rb->params->node_count);
    for (guint i = 0; i < rb->owners->len; i++) {
        if (g_array_index(rb->owners, ProtoNodeId, i) == owner) {
            return rb->weight >= rb->params->threshold;
        }
    }
    g_array_append_val(rb->owners, owner);
    g_ptr_array_add(rb->units, g_bytes_ref(units));
    rb->weight += rb->params->weights[owner];
    return rb->weight >= rb->params->threshold;
}

uint32_t proto_rebuild_weight(const ProtoRebuild *rb)
{
    return rb->weight;
}

uint32_t proto_rebuild_count(const ProtoRebuild *rb)
{
    return rb->count;
}

uint32_t proto_rebuild_path(const ProtoRebuild *rb, uint32_t index, ProtoCommit *path)
{
    return proto_vid_block_path(rb->ns, rb->count, index, path);
}

/* Where namespace `index`'s units start in an owner's share bytes. */
static size_t namespace_offset(const ProtoRebuild *rb, ProtoNodeId owner, uint32_t index)
{
    size_t offset = 0;
    for (uint32_t i = 0; i < index; i++) {
        size_t step = unit_bytes_for(rb->params, rb->ns[i].length) +
                      (size_t)rb->params->depth * PROTO_COMMIT_BYTES;
        offset += step * rb->params->weights[owner];
    }
    return offset;
}

GBytes *proto_rebuild_namespace(ProtoRebuild *rb, uint32_t index, const ProtoCostTable *costs,
                                ProtoDuration *cpu)
{
    PROTO_ASSERT(index < rb->count);
    if (rb->weight < rb->params->threshold) return NULL;
    size_t unit_bytes = unit_bytes_for(rb->params, rb->ns[index].length);
    size_t step = unit_bytes + (size_t)rb->params->depth * PROTO_COMMIT_BYTES;
    uint32_t *indices = g_new(uint32_t, rb->weight);
    const uint8_t **data = g_new(const uint8_t *, rb->weight);
    uint32_t n = 0;
    for (guint i = 0; i < rb->owners->len; i++) {
        ProtoNodeId owner = g_array_index(rb->owners, ProtoNodeId, i);
        gsize len = 0;
        const uint8_t *bytes = g_bytes_get_data(rb->units->pdata[i], &len);
        size_t offset = namespace_offset(rb, owner, index);
        for (uint32_t u = 0; u < rb->params->weights[owner]; u++) {
            if (offset + (u + 1) * step > len) break;
            indices[n] = rb->params->first_unit[owner] + u;
            data[n++] = bytes + offset + u * step;
        }
    }
    uint8_t *out = g_malloc(rb->ns[index].length ? rb->ns[index].length : 1);
    int rc = proto_vid_recover(rb->params, rb->ns[index].length, indices, data, n, unit_bytes, out);
    /* Decoding at the encoding rate (ADVZ's recovery is not modelled apart: the same rate). */
    if (costs != NULL && cpu != NULL) {
        *cpu +=
            (ProtoDuration)(((ProtoU128)rb->ns[index].length * costs->vid_encode_per_mib) >> 20);
    }
    g_free(indices);
    g_free(data);
    if (rc != PROTO_OK) {
        g_free(out);
        return NULL;
    }
    return g_bytes_new_take(out, rb->ns[index].length);
}
