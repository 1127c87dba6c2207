/*
 * Leaves and the shared leaf pool.
 *
 * A leaf is what consensus orders: a view, the commitment of its parent, a block header and the
 * QC that justifies it. It is immutable, refcounted and interned by its commitment in a pool
 * shared by every node of a run, so a leaf that 1,000 nodes validate is stored once; each node
 * keeps references to the leaves it has validated and drops them below its decided anchor. The
 * leaf also keeps the signed proposal it came in, so a node can serve it to a peer that missed
 * it.
 */
#ifndef SHOTGLASS_PROTOCOL_LEAF_H
#define SHOTGLASS_PROTOCOL_LEAF_H

#include "protocol/message.h"
#include "protocol/types.h"

#include <glib.h>

typedef struct ProtoLeafPool ProtoLeafPool;

typedef struct ProtoLeaf {
    uint32_t refcount;
    ProtoView view;
    ProtoCommit parent;
    ProtoHeader header;
    ProtoCert *justify_qc; /* owned reference */
    ProtoCommit commit;
    ProtoNodeId proposer;
    GBytes *proposal;           /* the signed PROPOSAL message; NULL for genesis */
    uint64_t proposal_discount; /* see proto_proposal_discount */
    ProtoLeafPool *pool;
} ProtoLeaf;

ProtoLeafPool *proto_leaf_pool_new(void);
/* Frees the pool; leaves still referenced are detached from it. */
void proto_leaf_pool_free(ProtoLeafPool *pool);
uint32_t proto_leaf_pool_size(const ProtoLeafPool *pool);

/*
 * Returns the pooled leaf with commitment `commit`, or creates it from the other arguments
 * (copied or referenced). Returns a new reference either way. `commit` must be the commitment
 * of the other fields (asserted when expensive checks are on).
 */
ProtoLeaf *proto_leaf_intern(ProtoLeafPool *pool, const ProtoCommit *commit, ProtoView view,
                             const ProtoCommit *parent, const ProtoHeader *header,
                             ProtoCert *justify_qc, ProtoNodeId proposer, GBytes *proposal);

/* The pooled leaf with this commitment, or NULL (borrowed). */
ProtoLeaf *proto_leaf_lookup(ProtoLeafPool *pool, const ProtoCommit *commit);

/* The genesis leaf: view 0, height 0, empty header, justified by a null QC. New reference. */
ProtoLeaf *proto_leaf_new_genesis(ProtoLeafPool *pool, uint32_t node_count);

ProtoLeaf *proto_leaf_ref(ProtoLeaf *leaf);
void proto_leaf_unref(ProtoLeaf *leaf);
uint64_t proto_leaf_live_count(void);

#endif
