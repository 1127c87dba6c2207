/*
 * Namespace tables and namespace payloads: building them, and parsing them by Espresso's tolerant
 * rules (see namespace.h). Parsing reads peer-controlled bytes, so it never asserts and never
 * fails: every table, however malformed, yields ranges inside what it indexes.
 *
 * How a malformed table reads. Both tables are a 4-byte count followed by fixed-size entries, each
 * ending in a 4-byte end offset. The count used is the claimed count capped by the entries the
 * table's bytes hold (a table shorter than its count field has none). Range i starts at the
 * clamped offset of entry i-1 (at 0 for the first) and ends at its own clamped offset, or at its
 * start if that offset is smaller. As in Espresso, a range starts where the previous *entry*
 * ends, even when that entry was ignored (a repeated namespace id) or its range was emptied by a
 * decreasing offset; so after a decreasing offset the next ranges may overlap earlier ones. They
 * are always inside what the table indexes, which is all a reader relies on.
 */
#include "protocol/namespace.h"

#include "protocol/assert.h"

#include <string.h>

#define COUNT_BYTES    4
#define NS_ENTRY_BYTES 8
#define TX_ENTRY_BYTES 4

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The number of entries of `entry_bytes` each that a table of `len` bytes both claims and holds. */
static size_t entries_used(const uint8_t *table, size_t len, size_t entry_bytes)
{
    if (len < COUNT_BYTES) return 0;
    size_t claimed = read_u32(table);
    size_t fit = (len - COUNT_BYTES) / entry_bytes;
    return claimed < fit ? claimed : fit;
}

/* The range from offset `previous` to offset `end`, both clamped to `limit`; empty (at its start)
 * when the end comes before the start. */
static ProtoRange clamped_range(uint64_t previous, uint64_t end, uint64_t limit)
{
    ProtoRange r;
    r.start = previous < limit ? previous : limit;
    r.end = end < limit ? end : limit;
    if (r.end < r.start) r.end = r.start;
    return r;
}

/* --- namespace tables ----------------------------------------------------------------------- */

void proto_ns_table_parse(const uint8_t *table, size_t table_len, uint64_t payload_len,
                          ProtoNsTable *out)
{
    PROTO_ASSERT(out != NULL);
    PROTO_ASSERT(table != NULL || table_len == 0);
    size_t used = entries_used(table, table_len, NS_ENTRY_BYTES);
    out->entries = g_new0(ProtoNsEntry, used > 0 ? used : 1);
    out->count = 0;
    /* A set of the ids seen so far, for lookup only (it is never iterated). */
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    uint64_t previous = 0;
    for (size_t i = 0; i < used; i++) {
        const uint8_t *entry = table + COUNT_BYTES + i * NS_ENTRY_BYTES;
        uint32_t ns_id = read_u32(entry);
        uint64_t end = read_u32(entry + 4);
        ProtoRange r = clamped_range(previous, end, payload_len);
        previous = end;
        if (g_hash_table_contains(seen, GUINT_TO_POINTER(ns_id))) continue;
        g_hash_table_add(seen, GUINT_TO_POINTER(ns_id));
        out->entries[out->count++] = (ProtoNsEntry){ns_id, r.start, r.end};
    }
    g_hash_table_unref(seen);
    PROTO_ASSERT(out->count <= used);
}

void proto_ns_table_clear(ProtoNsTable *table)
{
    if (table == NULL) return;
    g_free(table->entries);
    table->entries = NULL;
    table->count = 0;
}

const ProtoNsEntry *proto_ns_table_find(const ProtoNsTable *table, uint32_t ns_id)
{
    PROTO_ASSERT(table != NULL);
    for (uint32_t i = 0; i < table->count; i++) {
        if (table->entries[i].ns_id == ns_id) return &table->entries[i];
    }
    return NULL;
}

/* --- namespace payloads --------------------------------------------------------------------- */

void proto_ns_payload_parse(const uint8_t *ns_payload, size_t len, GArray *out)
{
    PROTO_ASSERT(out != NULL);
    PROTO_ASSERT(g_array_get_element_size(out) == sizeof(ProtoRange));
    PROTO_ASSERT(ns_payload != NULL || len == 0);
    size_t used = entries_used(ns_payload, len, TX_ENTRY_BYTES);
    /* Offsets count from the first byte after the entries actually used, as in Espresso. */
    uint64_t body = COUNT_BYTES + (uint64_t)used * TX_ENTRY_BYTES;
    if (used == 0) return;
    PROTO_ASSERT(body <= len);
    uint64_t previous = 0;
    for (size_t i = 0; i < used; i++) {
        uint64_t end = read_u32(ns_payload + COUNT_BYTES + i * TX_ENTRY_BYTES);
        ProtoRange r = clamped_range(previous, end, len - body);
        previous = end;
        r.start += body;
        r.end += body;
        g_array_append_val(out, r);
    }
}

GBytes *proto_ns_payload_build(GBytes *const *txs, uint32_t count)
{
    PROTO_ASSERT(txs != NULL || count == 0);
    uint64_t body = 0;
    for (uint32_t i = 0; i < count; i++)
        body += g_bytes_get_size(txs[i]);
    uint64_t header = COUNT_BYTES + (uint64_t)count * TX_ENTRY_BYTES;
    /* Offsets are 4 bytes on the wire; a builder that exceeds them is a local bug. */
    PROTO_ASSERT(body <= UINT32_MAX);
    PROTO_ASSERT(header + body <= SIZE_MAX);
    uint8_t *bytes = g_malloc((size_t)(header + body));
    write_u32(bytes, count);
    uint64_t end = 0;
    for (uint32_t i = 0; i < count; i++) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(txs[i], &size);
        if (size > 0) memcpy(bytes + header + end, data, size);
        end += size;
        write_u32(bytes + COUNT_BYTES + (size_t)i * TX_ENTRY_BYTES, (uint32_t)end);
    }
    PROTO_ASSERT(end == body);
    return g_bytes_new_take(bytes, (gsize)(header + body));
}

/* --- blocks --------------------------------------------------------------------------------- */

/* Asserts that the `count` ids are distinct. */
static void assert_distinct(const uint32_t *ns_ids, uint32_t count)
{
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t i = 0; i < count; i++) {
        PROTO_ASSERT(!g_hash_table_contains(seen, GUINT_TO_POINTER(ns_ids[i])));
        g_hash_table_add(seen, GUINT_TO_POINTER(ns_ids[i]));
    }
    g_hash_table_unref(seen);
}

void proto_block_build(const uint32_t *ns_ids, GBytes *const *ns_payloads, uint32_t count,
                       GBytes **payload, GBytes **table)
{
    PROTO_ASSERT(payload != NULL && table != NULL);
    PROTO_ASSERT((ns_ids != NULL && ns_payloads != NULL) || count == 0);
    assert_distinct(ns_ids, count);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++)
        total += g_bytes_get_size(ns_payloads[i]);
    /* End offsets are 4 bytes on the wire. */
    PROTO_ASSERT(total <= UINT32_MAX);
    size_t table_len = COUNT_BYTES + (size_t)count * NS_ENTRY_BYTES;
    uint8_t *table_bytes = g_malloc(table_len);
    uint8_t *payload_bytes = g_malloc(total > 0 ? (size_t)total : 1);
    write_u32(table_bytes, count);
    uint64_t end = 0;
    for (uint32_t i = 0; i < count; i++) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(ns_payloads[i], &size);
        if (size > 0) memcpy(payload_bytes + end, data, size);
        end += size;
        uint8_t *entry = table_bytes + COUNT_BYTES + (size_t)i * NS_ENTRY_BYTES;
        write_u32(entry, ns_ids[i]);
        write_u32(entry + 4, (uint32_t)end);
    }
    PROTO_ASSERT(end == total);
    *payload = g_bytes_new_take(payload_bytes, (gsize)total);
    *table = g_bytes_new_take(table_bytes, table_len);
}
