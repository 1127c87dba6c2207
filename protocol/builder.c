/*
 * The builder's mempool: an arrival-ordered queue of entries, each waiting, in a block, or done.
 * Building scans from the head for waiting entries and stops once no queued transaction could
 * fit (a lower bound on their sizes is kept); done entries are dropped from the head as they
 * surface, so a scan passes over the transactions of blocks still undecided and those of one
 * block, not the whole backlog of an overloaded builder.
 */
#include "protocol/builder.h"

#include "protocol/assert.h"

#include <string.h>

typedef enum EntryState {
    ENTRY_WAITING,
    ENTRY_IN_BLOCK,
    ENTRY_DONE,
} EntryState;

typedef struct Entry {
    ProtoTx tx;
    EntryState state;
    ProtoView view; /* the block it is in */
} Entry;

typedef struct Block {
    ProtoCommit commit; /* the payload commitment: the block's key */
    ProtoView view;
    GArray *ids; /* uint64_t transaction ids */
} Block;

struct ProtoBuilder {
    const ProtoVidParams *params;
    uint64_t block_max;
    uint64_t limit;     /* the adaptive size limit, <= block_max */
    gboolean truncated; /* the last block left waiting transactions out for the limit */
    gboolean synthetic;
    GQueue *queue;       /* Entry *, arrival order */
    GHashTable *by_id;   /* id -> Entry *; lookup only */
    GHashTable *blocks;  /* payload commitment -> Block *; lookup only */
    GQueue *block_order; /* Block *, by view, to find those the chain passed */
    uint64_t waiting;
    uint32_t size_min; /* a lower bound on the size of every queued transaction */
    ProtoBuilderStats stats;
};

static guint commit_hash(gconstpointer key)
{
    const uint8_t *b = key;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean commit_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, PROTO_COMMIT_BYTES) == 0;
}

static void block_free(gpointer data)
{
    Block *b = data;
    g_array_unref(b->ids);
    g_free(b);
}

ProtoBuilder *proto_builder_new(const ProtoVidParams *params, uint64_t block_max,
                                gboolean synthetic)
{
    PROTO_ASSERT(params != NULL && block_max > 0);
    ProtoBuilder *b = g_new0(ProtoBuilder, 1);
    b->params = params;
    b->block_max = block_max;
    b->limit = block_max;
    b->synthetic = synthetic;
    b->queue = g_queue_new();
    b->by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL);
    b->blocks = g_hash_table_new_full(commit_hash, commit_equal, NULL, block_free);
    b->block_order = g_queue_new();
    return b;
}

void proto_builder_free(ProtoBuilder *b)
{
    if (b == NULL) return;
    g_queue_free_full(b->queue, g_free);
    g_hash_table_unref(b->by_id);
    g_queue_free(b->block_order);
    g_hash_table_unref(b->blocks);
    g_free(b);
}

void proto_builder_add(ProtoBuilder *b, const ProtoTx *tx)
{
    PROTO_ASSERT(tx->size >= PROTO_TX_DESCRIPTOR_BYTES);
    if (g_hash_table_contains(b->by_id, &tx->id)) {
        b->stats.duplicates++;
        return;
    }
    /* A transaction alone in a block costs its size plus one namespace's tables. */
    if ((uint64_t)tx->size + 4 + 8 + 4 + 4 > b->block_max) {
        b->stats.too_large++;
        return;
    }
    Entry *e = g_new0(Entry, 1);
    e->tx = *tx;
    e->state = ENTRY_WAITING;
    if (g_queue_is_empty(b->queue) || tx->size < b->size_min) b->size_min = tx->size;
    g_queue_push_tail(b->queue, e);
    g_hash_table_insert(b->by_id, &e->tx.id, e);
    b->waiting++;
    b->stats.received++;
}

static void drop_done_head(ProtoBuilder *b)
{
    while (!g_queue_is_empty(b->queue)) {
        Entry *head = g_queue_peek_head(b->queue);
        if (head->state != ENTRY_DONE) break;
        g_queue_pop_head(b->queue);
        g_hash_table_remove(b->by_id, &head->tx.id);
        g_free(head);
    }
}

/* Logical bytes a transaction adds to a block: itself, its offset, and a new namespace's
 * table entry and transaction count the first time its namespace appears. */
static uint64_t cost_of(const ProtoTx *tx, GArray *namespaces)
{
    for (guint i = 0; i < namespaces->len; i++) {
        if (g_array_index(namespaces, uint32_t, i) == tx->ns_id) return (uint64_t)tx->size + 4;
    }
    return (uint64_t)tx->size + 4 + 8 + 4;
}

ProtoPayload *proto_builder_build(ProtoBuilder *b, ProtoView view, const ProtoCostTable *costs,
                                  ProtoDuration *cpu)
{
    drop_done_head(b);
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
    GArray *namespaces = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint64_t size = 4; /* the namespace table's count */
    b->truncated = FALSE;
    for (GList *l = b->queue->head; l != NULL; l = l->next) {
        /* No queued transaction fits any more, and whether one was left out is known: the rest
         * of the queue would only be passed over (a full block must not cost a full scan). */
        if ((b->truncated || b->limit == b->block_max) && size + b->size_min + 4 > b->limit) break;
        Entry *e = l->data;
        if (e->state != ENTRY_WAITING) continue;
        uint64_t cost = cost_of(&e->tx, namespaces);
        if (size + cost > b->limit) { /* a smaller one later may still fit */
            if (size + cost <= b->block_max) b->truncated = TRUE;
            continue;
        }
        if (cost > e->tx.size + 4) g_array_append_val(namespaces, e->tx.ns_id);
        size += cost;
        e->state = ENTRY_IN_BLOCK;
        e->view = view;
        b->waiting--;
        g_array_append_val(txs, e->tx);
    }
    ProtoPayload *payload = proto_payload_build(b->params, (const ProtoTx *)(void *)txs->data,
                                                txs->len, b->synthetic, FALSE, costs, cpu);
    Block *block = g_new0(Block, 1);
    block->commit = payload->commit;
    block->view = view;
    block->ids = g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), txs->len);
    for (guint i = 0; i < txs->len; i++) {
        g_array_append_val(block->ids, g_array_index(txs, ProtoTx, i).id);
    }
    Block *old = g_hash_table_lookup(b->blocks, block->commit.bytes);
    if (old != NULL) {
        /* The same transactions again (an identical block after a failed view): keep one. */
        g_queue_remove(b->block_order, old);
        g_hash_table_remove(b->blocks, old->commit.bytes);
    }
    g_hash_table_insert(b->blocks, block->commit.bytes, block);
    g_queue_push_tail(b->block_order, block);
    b->stats.blocks++;
    g_array_unref(txs);
    g_array_unref(namespaces);
    return payload;
}

void proto_builder_on_served(ProtoBuilder *b, ProtoDuration took, ProtoDuration timeout)
{
    if (timeout == 0) return;
    if (took > timeout) {
        uint64_t lower = b->limit - b->limit / 10;
        b->limit = MAX(lower, MIN(PROTO_BUILDER_LIMIT_FLOOR, b->block_max));
        b->stats.late++;
    } else if (b->truncated && took < timeout - timeout / 10 && b->limit < b->block_max) {
        b->limit = MIN(b->block_max, b->limit + MAX(b->limit / 10, 1));
        b->stats.raised++;
    }
}

uint64_t proto_builder_limit(const ProtoBuilder *b)
{
    return b->limit;
}

static void settle(ProtoBuilder *b, Block *block, EntryState state)
{
    for (guint i = 0; i < block->ids->len; i++) {
        Entry *e = g_hash_table_lookup(b->by_id, &g_array_index(block->ids, uint64_t, i));
        if (e == NULL || e->state != ENTRY_IN_BLOCK || e->view != block->view) continue;
        e->state = state;
        if (state == ENTRY_WAITING) {
            b->waiting++;
            b->stats.requeued++;
        } else {
            b->stats.decided++;
        }
    }
}

void proto_builder_on_decided(ProtoBuilder *b, const ProtoCommit *commits, const ProtoView *views,
                              uint32_t count, ProtoView decided_view)
{
    for (uint32_t i = 0; i < count; i++) {
        Block *block = g_hash_table_lookup(b->blocks, commits[i].bytes);
        if (block != NULL && block->view == views[i]) settle(b, block, ENTRY_DONE);
    }
    /* Blocks for views up to the decided one are settled either way: decided above, or passed
     * over by the chain, and their transactions wait again. */
    while (!g_queue_is_empty(b->block_order)) {
        Block *block = g_queue_peek_head(b->block_order);
        if (block->view > decided_view) break;
        g_queue_pop_head(b->block_order);
        settle(b, block, ENTRY_WAITING);
        g_hash_table_remove(b->blocks, block->commit.bytes);
    }
    drop_done_head(b);
}

uint64_t proto_builder_waiting(const ProtoBuilder *b)
{
    return b->waiting;
}

const ProtoBuilderStats *proto_builder_stats(const ProtoBuilder *b)
{
    return &b->stats;
}
