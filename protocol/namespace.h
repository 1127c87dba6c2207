/*
 * Namespaced block payloads, in the layout of the Espresso sequencer
 * (SEQ types/src/v0/v0_1/block.rs; ../shared/protocol/hotshot.md section 3.3).
 *
 * A block payload is the concatenation of namespace payloads. The namespace table (carried in
 * the header and the DA proposal) is a 4-byte little-endian count followed by that many entries
 * of (4-byte namespace id, 4-byte little-endian *end* offset into the payload). Entry i covers
 * [end of entry i-1, end of entry i) (the first starts at 0).
 *
 * A namespace payload is a 4-byte little-endian transaction count, then that many 4-byte
 * little-endian end offsets, then the transaction bytes; offsets are relative to the first byte
 * after the offset table, and transaction i covers [end i-1, end i).
 *
 * Malformed tables are tolerated deterministically, as Espresso does, and parsing never fails:
 *   - the entry count used is min(claimed count, entries that fit in the table's bytes);
 *   - every offset is clamped to the length of what it indexes;
 *   - a range whose end is before its start is empty (it ends at its start);
 *   - for namespaces, a repeated id is ignored after its first occurrence.
 */
#ifndef SHOTGLASS_PROTOCOL_NAMESPACE_H
#define SHOTGLASS_PROTOCOL_NAMESPACE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ProtoNsEntry {
    uint32_t ns_id;
    uint64_t start; /* byte range in the block payload */
    uint64_t end;
} ProtoNsEntry;

typedef struct ProtoRange {
    uint64_t start;
    uint64_t end;
} ProtoRange;

/* The parsed namespace table: unique namespaces, in table order. */
typedef struct ProtoNsTable {
    ProtoNsEntry *entries; /* owned */
    uint32_t count;
} ProtoNsTable;

/* Parses `table` for a payload of `payload_len` bytes, by the tolerant rules above. */
void proto_ns_table_parse(const uint8_t *table, size_t table_len, uint64_t payload_len,
                          ProtoNsTable *out);
void proto_ns_table_clear(ProtoNsTable *table);

/* The entry of `ns_id`, or NULL. Borrowed from `table`. */
const ProtoNsEntry *proto_ns_table_find(const ProtoNsTable *table, uint32_t ns_id);

/* Parses a namespace payload into transaction ranges (relative to the namespace payload's own
 * first byte) appended to `out` (a GArray of ProtoRange), by the tolerant rules above. */
void proto_ns_payload_parse(const uint8_t *ns_payload, size_t len, GArray *out);

/* Builds a namespace payload from `count` transactions. Returns new bytes. */
GBytes *proto_ns_payload_build(GBytes *const *txs, uint32_t count);

/*
 * Builds a block payload and its namespace table from `count` namespace payloads with ids
 * `ns_ids` (distinct; asserted): the payload is their concatenation in the order given.
 * Stores new references in `*payload` and `*table`.
 */
void proto_block_build(const uint32_t *ns_ids, GBytes *const *ns_payloads, uint32_t count,
                       GBytes **payload, GBytes **table);

#endif
