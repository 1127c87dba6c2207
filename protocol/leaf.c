/* The leaf pool: a weak intern table keyed by commitment; see leaf.h. */
#include "protocol/leaf.h"

#include "protocol/assert.h"

#include <string.h>

struct ProtoLeafPool {
    GHashTable *table; /* &leaf->commit -> leaf; weak */
};

static uint64_t leaf_live;

static guint commit_hash(gconstpointer key)
{
    const uint8_t *b = ((const ProtoCommit *)key)->bytes;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean commit_equal(gconstpointer a, gconstpointer b)
{
    return proto_commit_equal(a, b);
}

ProtoLeafPool *proto_leaf_pool_new(void)
{
    ProtoLeafPool *pool = g_new(ProtoLeafPool, 1);
    pool->table = g_hash_table_new(commit_hash, commit_equal);
    return pool;
}

static void detach(gpointer key, gpointer value, gpointer user_data)
{
    (void)key, (void)user_data;
    ((ProtoLeaf *)value)->pool = NULL;
}

void proto_leaf_pool_free(ProtoLeafPool *pool)
{
    if (pool == NULL) return;
    g_hash_table_foreach(pool->table, detach, NULL); /* iteration-ok: order cannot matter */
    g_hash_table_unref(pool->table);
    g_free(pool);
}

uint32_t proto_leaf_pool_size(const ProtoLeafPool *pool)
{
    return g_hash_table_size(pool->table);
}

ProtoLeaf *proto_leaf_lookup(ProtoLeafPool *pool, const ProtoCommit *commit)
{
    return g_hash_table_lookup(pool->table, commit);
}

ProtoLeaf *proto_leaf_intern(ProtoLeafPool *pool, const ProtoCommit *commit, ProtoView view,
                             const ProtoCommit *parent, const ProtoHeader *header,
                             ProtoCert *justify_qc, ProtoNodeId proposer, GBytes *proposal)
{
    PROTO_ASSERT(pool != NULL && commit != NULL && header != NULL && justify_qc != NULL);
    ProtoLeaf *found = g_hash_table_lookup(pool->table, commit);
    if (found != NULL) {
        PROTO_ASSERT(found->view == view);
        return proto_leaf_ref(found);
    }
#ifdef SHOTGLASS_EXPENSIVE_CHECKS
    ProtoCommit check;
    proto_leaf_commit(view, parent, header, justify_qc, &check);
    PROTO_ASSERT(proto_commit_equal(&check, commit));
#endif
    ProtoLeaf *leaf = g_new0(ProtoLeaf, 1);
    leaf->refcount = 1;
    leaf->view = view;
    leaf->parent = *parent;
    proto_header_copy(&leaf->header, header);
    leaf->justify_qc = proto_cert_ref(justify_qc);
    leaf->commit = *commit;
    leaf->proposer = proposer;
    leaf->proposal = proposal != NULL ? g_bytes_ref(proposal) : NULL;
    leaf->pool = pool;
    g_hash_table_insert(pool->table, &leaf->commit, leaf);
    leaf_live++;
    return leaf;
}

ProtoLeaf *proto_leaf_new_genesis(ProtoLeafPool *pool, uint32_t node_count)
{
    ProtoHeader header = {0};
    header.ns_table = g_bytes_new(NULL, 0);
    ProtoCommit zero = {0};
    /* The genesis leaf is justified by a null certificate that certifies nothing. */
    ProtoCert *null_qc = proto_cert_new_genesis(&zero, node_count);
    ProtoCommit commit;
    proto_leaf_commit(0, &zero, &header, null_qc, &commit);
    ProtoLeaf *leaf =
        proto_leaf_intern(pool, &commit, 0, &zero, &header, null_qc, PROTO_NODE_NONE, NULL);
    proto_cert_unref(null_qc);
    proto_header_clear(&header);
    return leaf;
}

ProtoLeaf *proto_leaf_ref(ProtoLeaf *leaf)
{
    PROTO_ASSERT(leaf->refcount > 0);
    leaf->refcount++;
    return leaf;
}

void proto_leaf_unref(ProtoLeaf *leaf)
{
    if (leaf == NULL) return;
    PROTO_ASSERT(leaf->refcount > 0);
    if (--leaf->refcount > 0) return;
    if (leaf->pool != NULL) g_hash_table_remove(leaf->pool->table, &leaf->commit);
    proto_header_clear(&leaf->header);
    proto_cert_unref(leaf->justify_qc);
    if (leaf->proposal != NULL) g_bytes_unref(leaf->proposal);
    g_free(leaf);
    leaf_live--;
}

uint64_t proto_leaf_live_count(void)
{
    return leaf_live;
}
