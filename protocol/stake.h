/*
 * The stake table, quorum thresholds and leader election.
 *
 * Thresholds are in stake S (HotShot's PoS rule): a certificate that decides or moves views
 * needs floor(2S/3) + 1 ("success"); a view-sync pre-commit certificate needs floor(S/3) + 1
 * ("one honest node").
 *
 * Leaders:
 *   round robin        leader(v) = eligible[v mod len], eligible = stake > 0 in table order
 *                      (legacy HotShot, variant B).
 *   stake-weighted     production HotShot (variant C): for the epoch's 32-byte random beacon d,
 *                      sort the table by public key XOR cycle(d), accumulate stakes in that order,
 *                      table_hash = SHA-256 of the sorted keys; for view v,
 *                      x = SHA-512(d || v as 8 bytes LE || table_hash) read as a 512-bit
 *                      little-endian integer, b = x mod S, and the leader is the first entry
 *                      whose cumulative stake exceeds b.
 * The table is immutable and shared by every node of a run.
 */
#ifndef SHOTGLASS_PROTOCOL_STAKE_H
#define SHOTGLASS_PROTOCOL_STAKE_H

#include "protocol/types.h"

#include <glib.h>
#include <stdint.h>

typedef enum ProtoLeaderMode {
    PROTO_LEADER_STAKE_WEIGHTED,
    PROTO_LEADER_ROUND_ROBIN,
} ProtoLeaderMode;

typedef struct ProtoStakeTable ProtoStakeTable;

/*
 * Creates a table of `node_count` entries with `stakes[i]` and 32-byte `public_keys[i]`
 * (copied), electing leaders by `mode` from `beacon` (32 bytes, copied; ignored for round
 * robin). The total stake must be positive and below 2^62. Returns a new table.
 */
ProtoStakeTable *proto_stake_table_new(const uint64_t *stakes, const uint8_t (*public_keys)[32],
                                       uint32_t node_count, ProtoLeaderMode mode,
                                       const uint8_t beacon[32]);
void proto_stake_table_free(ProtoStakeTable *table);

uint32_t proto_stake_node_count(const ProtoStakeTable *table);
uint64_t proto_stake_of(const ProtoStakeTable *table, ProtoNodeId id);
uint64_t proto_stake_total(const ProtoStakeTable *table);
uint64_t proto_stake_success_threshold(const ProtoStakeTable *table);    /* floor(2S/3) + 1 */
uint64_t proto_stake_one_honest_threshold(const ProtoStakeTable *table); /* floor(S/3) + 1 */
ProtoLeaderMode proto_stake_leader_mode(const ProtoStakeTable *table);

/* The leader of view `view`. */
ProtoNodeId proto_stake_leader(const ProtoStakeTable *table, ProtoView view);

/* Total stake of the nodes whose bits are set in `bitmap` (ceil(node_count/8) bytes). */
uint64_t proto_stake_of_bitmap(const ProtoStakeTable *table, const uint8_t *bitmap);

/*
 * The same for a bitmap of `node_count` bits of which `count` are set (a certificate's signers
 * and signer_count): with equal stakes, the table's node count and no bit beyond it, `count`
 * times the unit, without reading the n/8 bytes again (every node checks the QC of every
 * proposal: n bitmaps of n bits a view). Otherwise proto_stake_of_bitmap.
 */
uint64_t proto_stake_of_counted_bitmap(const ProtoStakeTable *table, const uint8_t *bitmap,
                                       uint32_t node_count, uint32_t count);

/* SHA-256 of the public keys in election order. */
const ProtoCommit *proto_stake_table_hash(const ProtoStakeTable *table);

/* --- stake distributions --------------------------------------------------------------------- */

/* Every node stake `unit`. */
void proto_stake_equal(uint32_t node_count, uint64_t unit, uint64_t *out);

/*
 * Zipf-distributed stakes: node i (0-based) gets round(scale / (i + 1)^s), at least 1, where
 * `s_ppm` is the exponent in millionths. Deterministic (one libm pow per node).
 */
void proto_stake_zipf(uint32_t node_count, uint64_t s_ppm, uint64_t scale, uint64_t *out);

#endif
