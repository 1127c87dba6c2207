/*
 * Verifiable information dispersal in the shape of Espresso's AVID-M
 * (../shared/protocol/hotshot.md section 2.3).
 *
 * Weights. With total stake S over n nodes: if S <= 1000 a node's weight is its stake, else
 * w_i = floor(stake_i * 1000 / S) + 1. The total weight W is about 1000 + n; node i owns the
 * w_i consecutive units starting at the sum of the weights before it. Any k = ceil(W / 3) units
 * rebuild the payload, so honest voters holding more than a third of the weight can.
 *
 * Encoding. Production AVID-M works over the BN254 scalar field (31 payload bytes per 32-byte
 * element). shotglass encodes real payloads over GF(2^16) instead (two payload bytes per
 * symbol): the same maximum-distance-separable property (any k of the W units decode), fast
 * enough in software, and good for W up to 65,536 units. The payload (a namespace's bytes,
 * zero-padded) is cut into chunks of k symbols; each chunk is the values at points 0..k-1 of the
 * polynomial of degree < k through them (systematic), extended to points 0..W-1; unit j is the
 * column of all chunks' values at point j. A Merkle tree (BLAKE2b-256, domain-separated leaves
 * and inner nodes, padded to a power of two) over the W unit hashes gives the root.
 *
 * Namespaces are dispersed separately, so a rollup can check its namespace alone: the block's
 * payload commitment is the Merkle root over one leaf per namespace (in table order) that binds
 * its id, its length and its root, so the commitment fixes the whole namespace table; a
 * namespace proof is that namespace's bytes plus the path of its leaf in the block tree;
 * verifying re-encodes the bytes and checks the leaf's path.
 *
 * Charged sizes follow production, whatever the encoding: a unit of a payload of L bytes is
 * ceil(ceil(L / 31) / k) elements of 32 bytes, and every unit travels with its Merkle path
 * (32 bytes per level, ceil(log2 W) levels).
 */
#ifndef SHOTGLASS_PROTOCOL_VID_H
#define SHOTGLASS_PROTOCOL_VID_H

#include "protocol/types.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VID_UNITS_MAX 65536

typedef struct ProtoVidParams {
    uint32_t node_count;
    uint32_t *weights;     /* per node, owned */
    uint32_t *first_unit;  /* per node: index of its first unit, owned */
    uint32_t total_weight; /* W */
    uint32_t threshold;    /* k = ceil(W / 3) */
    uint32_t depth;        /* Merkle tree depth: ceil(log2 W) */
} ProtoVidParams;

/* Weights from stakes as above. Returns NULL if W would exceed PROTO_VID_UNITS_MAX. */
ProtoVidParams *proto_vid_params_new(const uint64_t *stakes, uint32_t node_count);

/* The total weight W proto_vid_params_new() would give `stakes` (node_count > 0 of them, not
 * all zero), which may exceed PROTO_VID_UNITS_MAX: a scenario checks it before a run. */
uint64_t proto_vid_total_weight(const uint64_t *stakes, uint32_t node_count);
void proto_vid_params_free(ProtoVidParams *params);

/* The node owning unit `unit`. */
uint32_t proto_vid_owner(const ProtoVidParams *params, uint32_t unit);

/* --- one encoded payload (a namespace) ------------------------------------------------------- */

typedef struct ProtoVidEncoding {
    uint32_t unit_count; /* W */
    uint32_t unit_bytes; /* bytes per unit (2 per chunk) */
    uint64_t payload_len;
    uint8_t *units;    /* unit_count x unit_bytes, owned */
    ProtoCommit *tree; /* Merkle tree nodes, owned (layout private to vid.c) */
    ProtoCommit root;
} ProtoVidEncoding;

/* Encodes `len` bytes into W units and builds the tree. Returns a new encoding. */
ProtoVidEncoding *proto_vid_encode(const ProtoVidParams *params, const uint8_t *payload,
                                   size_t len);
void proto_vid_encoding_free(ProtoVidEncoding *encoding);

/*
 * An inconsistent encoding, as a Byzantine disperser would make it (the paper's §A.8): units
 * 0..split-1 of the encoding of `payload`, units split..W-1 of the encoding of `other` (same
 * length `len`), and the Merkle tree over that mixture. Every unit sits under the root, so each
 * holder's check passes, but the units are no codeword when the two payloads differ: k units
 * from below `split` decode `payload`, k from above it `other`, a mix neither, and re-encoding
 * what was decoded does not give the root. Returns a new encoding.
 */
ProtoVidEncoding *proto_vid_encode_mixed(const ProtoVidParams *params, const uint8_t *payload,
                                         const uint8_t *other, size_t len, uint32_t split);

/* Writes the Merkle path of unit `unit` (params->depth commitments, leaf to root) into `path`. */
void proto_vid_unit_path(const ProtoVidParams *params, const ProtoVidEncoding *encoding,
                         uint32_t unit, ProtoCommit *path);

/* Checks that `data` (unit_bytes long) is unit `unit` under `root`. */
gboolean proto_vid_verify_unit(const ProtoVidParams *params, const ProtoCommit *root, uint32_t unit,
                               const uint8_t *data, size_t unit_bytes, const ProtoCommit *path);

/*
 * Rebuilds a payload of `payload_len` bytes from `count` distinct units (indices `units[i]`,
 * contents `data[i]`, each `unit_bytes` long) into `out` (payload_len bytes). Returns PROTO_OK,
 * PROTO_ERR_THRESHOLD when fewer than k distinct units are given, or PROTO_ERR_FIELD for a unit
 * index out of range or a unit size that does not match `payload_len`. Does not check proofs:
 * callers verify units against the root first (and may re-encode the result to confirm it).
 */
int proto_vid_recover(const ProtoVidParams *params, uint64_t payload_len, const uint32_t *units,
                      const uint8_t *const *data, uint32_t count, size_t unit_bytes, uint8_t *out);

/* --- namespaced blocks ---------------------------------------------------------------------- */

/* One namespace of a block as the block tree sees it. */
typedef struct ProtoVidNamespace {
    uint32_t id;
    uint64_t length; /* logical bytes */
    ProtoCommit root;
} ProtoVidNamespace;

/* The block commitment: Merkle root over the namespaces' leaves, in table order (the root of an
 * empty block is the hash of nothing, domain-separated). */
void proto_vid_block_root(const ProtoVidNamespace *ns, uint32_t count, ProtoCommit *out);

/* The path of namespace `index`'s leaf in the block tree, ceil(log2 count) commitments; returns
 * how many were written (0 for a single namespace). `path` must hold 32 entries. */
uint32_t proto_vid_block_path(const ProtoVidNamespace *ns, uint32_t count, uint32_t index,
                              ProtoCommit *path);

/* Checks that namespace `ns` sits at position `index` of `count` namespaces under
 * `block_root`. */
gboolean proto_vid_verify_block_path(const ProtoCommit *block_root, uint32_t count, uint32_t index,
                                     const ProtoVidNamespace *ns, const ProtoCommit *path,
                                     uint32_t path_len);

/*
 * Verifies a namespace proof: re-encodes `ns_bytes`, and checks that the namespace `ns_id` with
 * those bytes, at position `index` of `count` namespaces, is under `block_root` by `path`
 * (`path_len` entries).
 */
gboolean proto_vid_verify_namespace(const ProtoVidParams *params, const ProtoCommit *block_root,
                                    uint32_t count, uint32_t index, uint32_t ns_id,
                                    const uint8_t *ns_bytes, size_t ns_len, const ProtoCommit *path,
                                    uint32_t path_len);

/* --- production-equivalent sizes ------------------------------------------------------------- */

/* Bytes of one unit of a payload of `payload_len` bytes in production AVID-M. */
uint64_t proto_vid_unit_size(const ProtoVidParams *params, uint64_t payload_len);

/* Bytes node `node` receives for a block whose namespaces have the given lengths: its w_i units
 * of every namespace, each with its Merkle path. */
uint64_t proto_vid_share_size(const ProtoVidParams *params, uint32_t node,
                              const uint64_t *ns_lengths, uint32_t ns_count);

#endif
