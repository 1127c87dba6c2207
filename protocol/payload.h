/*
 * Block payloads: what a builder assembles, a leader disperses, DA members store and rollups
 * read back, in one of two forms.
 *
 *   real       the bytes of the block in Espresso's layout (namespace.h): the namespace
 *              payloads concatenated, each a transaction table and transaction bytes. Every
 *              transaction starts with a 12-byte descriptor (its id, 8 bytes, and its size,
 *              4 bytes, little-endian) followed by filler, so transactions can be followed end
 *              to end. Dispersal is real erasure coding (vid.h).
 *   synthetic  a manifest: the namespaces and, for each transaction, only its descriptor. The
 *              block's logical size is what the real block would take (every byte of every
 *              transaction plus the tables), and that is what links are charged; no content is
 *              encoded. For runs at scale.
 * Manifest layout: u32 namespace count; per namespace: u32 id, u32 transaction count, then per
 * transaction u64 id and u32 size (all little-endian).
 *
 * Either way the header carries a namespace table in the *logical* layout (end offsets into the
 * real block), and the payload commitment is the VID block root over the namespaces (vid.h),
 * whose leaves bind each namespace's id and logical length to its root: the commitment fixes
 * the table, so a table that disagrees with it is rejected wherever it travels. For synthetic
 * payloads a namespace's root is a hash of its manifest entry and logical length, so shares and
 * namespace proofs are still bound to the commitment.
 */
#ifndef SHOTGLASS_PROTOCOL_PAYLOAD_H
#define SHOTGLASS_PROTOCOL_PAYLOAD_H

#include "protocol/crypto.h"
#include "protocol/types.h"
#include "protocol/vid.h"

#include <glib.h>
#include <stdint.h>

#define PROTO_TX_DESCRIPTOR_BYTES    12
#define PROTO_PAYLOAD_NAMESPACES_MAX 4096

/* One transaction as the data path sees it. */
typedef struct ProtoTx {
    uint32_t ns_id;
    uint64_t id;
    uint32_t size; /* logical bytes, at least PROTO_TX_DESCRIPTOR_BYTES */
} ProtoTx;

typedef struct ProtoPayload {
    uint32_t refcount;
    gboolean synthetic;
    GBytes *bytes;    /* the real block, or the manifest */
    GBytes *ns_table; /* logical namespace table, for the header */
    uint64_t size;    /* logical bytes */
    uint32_t ns_count;
    uint32_t *ns_ids;     /* in table order */
    uint64_t *ns_lengths; /* logical bytes per namespace */
    uint64_t *ns_offsets; /* where each namespace (real) or manifest entry starts in `bytes` */
    uint64_t *ns_spans;   /* its length in `bytes` (real: = ns_lengths) */
    ProtoCommit *ns_roots;
    ProtoCommit commit;           /* payload (VID) commitment */
    ProtoCommit builder_commit;   /* hash of `bytes` */
    ProtoVidEncoding **encodings; /* real payloads, when kept: one per namespace */
    gboolean dispersed;           /* charged as the leader's dispersal (vid_cost.h) */
} ProtoPayload;

/*
 * Builds a payload from `count` transactions (grouped by namespace in order of first
 * appearance; real payloads get deterministic filler bytes). Computes the commitment, keeping
 * the encodings (a leader needs them to cut shares). Charges the builder's VID commitment
 * (PROTO_VID_WORK_COMMIT, vid_cost.h) from `costs` to `*cpu` when not NULL. Returns a new
 * payload with one reference.
 */
ProtoPayload *proto_payload_build(const ProtoVidParams *params, const ProtoTx *txs, uint32_t count,
                                  gboolean synthetic, gboolean keep_encodings,
                                  const ProtoCostTable *costs, ProtoDuration *cpu);

/*
 * Rebuilds a payload received as bytes (DA proposal, builder response): parses it, recomputes
 * its commitment (the DA member's check) and its logical table. `keep_encodings` says the
 * caller disperses the block (the leader, from the builder's response): it is charged the
 * dispersal with the builder's commitments (PROTO_VID_WORK_DISPERSE_PRE); otherwise the
 * commitment (PROTO_VID_WORK_COMMIT, a DA member). Returns NULL with `*rc` set to
 * PROTO_ERR_FIELD when a manifest is malformed or a real block's table disagrees with `ns_table`.
 */
ProtoPayload *proto_payload_from_bytes(const ProtoVidParams *params, GBytes *bytes,
                                       GBytes *ns_table, uint64_t size, gboolean synthetic,
                                       gboolean keep_encodings, const ProtoCostTable *costs,
                                       ProtoDuration *cpu, int *rc);

ProtoPayload *proto_payload_ref(ProtoPayload *payload);
void proto_payload_unref(ProtoPayload *payload);

/* The empty payload (no namespaces) of a run. */
ProtoPayload *proto_payload_empty(const ProtoVidParams *params, gboolean synthetic);

/* The transactions in a payload, in block order, appended to `out` (GArray of ProtoTx). */
void proto_payload_transactions(const ProtoPayload *payload, GArray *out);

/* --- shares -------------------------------------------------------------------------------------
 */

/* The namespaces a share carries: u32 count, then per namespace its u32 id, 32-byte root and u64
 * logical length (little-endian). New bytes. */
GBytes *proto_payload_layout(const ProtoPayload *payload);

/*
 * The units of `owner` (real payloads: its units of every namespace, each followed by its
 * Merkle path; synthetic: empty), with their production size in `*charged`. Computes encodings
 * on demand (charging `cpu`) when the payload does not keep them; under ADVZ, a payload this
 * node did not disperse is charged a full dispersal per call (vid_cost.h). New bytes.
 */
GBytes *proto_payload_share(ProtoPayload *payload, const ProtoVidParams *params, ProtoNodeId owner,
                            const ProtoCostTable *costs, ProtoDuration *cpu, uint64_t *charged);

/* The production size of `owner`'s share of a block with this layout (0 if malformed). */
uint64_t proto_payload_share_size(const ProtoVidParams *params, ProtoNodeId owner, GBytes *layout);

/*
 * Checks a share for `owner` against `commit`: the layout's namespaces must make the commitment,
 * the namespace table (unless NULL) and logical `size` sent with it must be the ones the layout
 * gives, and for real payloads every unit must sit under its namespace's root. Charges Merkle
 * verification per unit to `cpu` (ADVZ: one verify_share of the whole block, vid_cost.h). Returns
 * PROTO_OK or PROTO_ERR_INCONSISTENT / PROTO_ERR_FIELD.
 */
int proto_payload_verify_share(const ProtoVidParams *params, const ProtoCommit *commit,
                               ProtoNodeId owner, gboolean synthetic, GBytes *ns_table,
                               uint64_t size, GBytes *layout, GBytes *units,
                               const ProtoCostTable *costs, ProtoDuration *cpu);

/* --- rebuilding a block from shares (real payloads) ------------------------------------------ */

typedef struct ProtoRebuild ProtoRebuild;

/* Starts rebuilding the block with this commitment and layout; NULL if the layout is bad. */
ProtoRebuild *proto_rebuild_new(const ProtoVidParams *params, const ProtoCommit *commit,
                                GBytes *layout);
void proto_rebuild_free(ProtoRebuild *rebuild);

/* Adds `owner`'s verified units (as a share carries them). Returns TRUE once the shares added
 * hold at least k units of weight. A second share from one owner is ignored. */
gboolean proto_rebuild_add(ProtoRebuild *rebuild, ProtoNodeId owner, GBytes *units);

/* Weight of the units added so far. */
uint32_t proto_rebuild_weight(const ProtoRebuild *rebuild);

/* The number of namespaces, and namespace `index`'s path in the block tree (32 entries). */
uint32_t proto_rebuild_count(const ProtoRebuild *rebuild);
uint32_t proto_rebuild_path(const ProtoRebuild *rebuild, uint32_t index, ProtoCommit *path);

/* Recovers namespace `index` (new bytes), or NULL with too little weight. Charges decoding. */
GBytes *proto_rebuild_namespace(ProtoRebuild *rebuild, uint32_t index, const ProtoCostTable *costs,
                                ProtoDuration *cpu);

/* --- namespaces for rollups
 * ----------------------------------------------------------------------- */

/*
 * The bytes of namespace `ns_id` (real: its slice of the block; synthetic: its manifest entry),
 * its index, and the path of its root in the block tree (`path` holds 32 entries). Returns
 * FALSE when the block has no such namespace.
 */
gboolean proto_payload_namespace(const ProtoPayload *payload, uint32_t ns_id, GBytes **bytes,
                                 uint32_t *index, uint64_t *logical, ProtoCommit *path,
                                 uint32_t *path_len);

/*
 * A rollup's check of a namespace it fetched: recomputes the namespace root from the bytes and
 * checks its path to the block commitment. Charges re-encoding to `cpu`.
 */
gboolean proto_payload_verify_namespace(const ProtoVidParams *params, const ProtoCommit *commit,
                                        uint32_t ns_id, uint32_t index, uint32_t count,
                                        gboolean synthetic, uint64_t logical, GBytes *bytes,
                                        const ProtoCommit *path, uint32_t path_len,
                                        const ProtoCostTable *costs, ProtoDuration *cpu);

/* The transactions in namespace bytes as returned above, appended to `out`. */
void proto_namespace_transactions(uint32_t ns_id, gboolean synthetic, GBytes *bytes, GArray *out);

#endif
