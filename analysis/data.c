/* The data-availability oracle and data-path metrics; see data.h. */
#include "analysis/data.h"

#include "protocol/assert.h"

#include <inttypes.h>
#include <string.h>

#define RETAIN_VIEWS 256  /* holder records kept below the highest decided view */
#define REGISTRY_MAX 8192 /* blocks built whose fate is still open */

typedef struct Holding {
    ProtoCommit commit;
    uint32_t da_holders;
    uint32_t weight;
    uint8_t *stored; /* bitmap: nodes counted as payload holders */
    uint8_t *shared; /* bitmap: nodes counted as share holders */
} Holding;

typedef struct InFlight {
    uint64_t submitted;
    uint32_t rollup;
    uint32_t size;
    gboolean decided;
} InFlight;

struct AnaData {
    uint32_t node_count;
    uint32_t threshold;
    gboolean *byzantine;
    GHashTable *holdings; /* view -> GArray of Holding; lookup only */
    GHashTable *checked;  /* view -> commit decided (checked once) */
    ProtoView decided_view;
    char *violation;
    uint64_t blocks_checked;
    GHashTable *in_flight;  /* tx id -> InFlight */
    GHashTable *registry;   /* commit -> GArray of ProtoTx */
    GQueue *registry_order; /* ProtoCommit *, owned by the registry keys */
    uint64_t submitted, decided_txs, decided_bytes, available;
    GArray *per_second; /* uint64_t: transactions decided in each second */
    uint64_t first_decide, last_decide, nonempty, empty;
    AnaHistogram *decide_latency;
    AnaHistogram *available_latency;
    uint64_t messages[ANA_ROLE_COUNT_][PROTO_MSG_TYPE_COUNT_];
    uint64_t bytes[ANA_ROLE_COUNT_][PROTO_MSG_TYPE_COUNT_];
    AnaDispersal dispersal;
    AnaFinality *finality; /* borrowed, or NULL */
};

const char *ana_role_name(AnaRole role)
{
    static const char *const names[ANA_ROLE_COUNT_] = {"leader",  "da_member", "replica",
                                                       "builder", "user",      "rollup"};
    PROTO_ASSERT(role < ANA_ROLE_COUNT_);
    return names[role];
}

static guint commit_hash(gconstpointer key)
{
    const uint8_t *b = key;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean commit_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, PROTO_COMMIT_BYTES) == 0;
}

static void holdings_free(gpointer data)
{
    GArray *a = data;
    for (guint i = 0; i < a->len; i++) {
        g_free(g_array_index(a, Holding, i).stored);
        g_free(g_array_index(a, Holding, i).shared);
    }
    g_array_unref(a);
}

AnaData *ana_data_new(uint32_t node_count, uint32_t threshold)
{
    AnaData *d = g_new0(AnaData, 1);
    d->node_count = node_count;
    d->threshold = threshold;
    d->byzantine = g_new0(gboolean, node_count);
    d->holdings = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, holdings_free);
    d->checked = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    d->in_flight = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    d->registry =
        g_hash_table_new_full(commit_hash, commit_equal, g_free, (GDestroyNotify)g_array_unref);
    d->registry_order = g_queue_new();
    d->decide_latency = ana_histogram_new();
    d->per_second = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    d->available_latency = ana_histogram_new();
    return d;
}

void ana_data_free(AnaData *d)
{
    if (d == NULL) return;
    g_free(d->byzantine);
    g_hash_table_unref(d->holdings);
    g_hash_table_unref(d->checked);
    g_hash_table_unref(d->in_flight);
    g_queue_free(d->registry_order);
    g_hash_table_unref(d->registry);
    ana_histogram_free(d->decide_latency);
    g_array_unref(d->per_second);
    ana_histogram_free(d->available_latency);
    g_free(d->violation);
    g_free(d);
}

void ana_data_set_byzantine(AnaData *d, uint32_t node, gboolean byzantine)
{
    PROTO_ASSERT(node < d->node_count);
    d->byzantine[node] = byzantine;
}

void ana_data_set_finality(AnaData *d, AnaFinality *finality)
{
    PROTO_ASSERT(d != NULL);
    d->finality = finality;
}

static gint64 *key64(uint64_t v)
{
    gint64 *k = g_new(gint64, 1);
    *k = (gint64)v;
    return k;
}

static Holding *holding(AnaData *d, ProtoView view, const ProtoCommit *commit)
{
    gint64 k = (gint64)view;
    GArray *a = g_hash_table_lookup(d->holdings, &k);
    if (a == NULL) {
        a = g_array_new(FALSE, TRUE, sizeof(Holding));
        g_hash_table_insert(d->holdings, key64(view), a);
    }
    for (guint i = 0; i < a->len; i++) {
        Holding *h = &g_array_index(a, Holding, i);
        if (proto_commit_equal(&h->commit, commit)) return h;
    }
    size_t bitmap = ((size_t)d->node_count + 7) / 8;
    Holding h = {.commit = *commit, .stored = g_malloc0(bitmap), .shared = g_malloc0(bitmap)};
    g_array_append_val(a, h);
    return &g_array_index(a, Holding, a->len - 1);
}

static gboolean first_time(uint8_t *bitmap, uint32_t node)
{
    uint8_t bit = (uint8_t)(1u << (node & 7));
    if (bitmap[node >> 3] & bit) return FALSE;
    bitmap[node >> 3] |= bit;
    return TRUE;
}

void ana_data_on_stored(AnaData *d, uint32_t node, ProtoView view, const ProtoCommit *commit)
{
    PROTO_ASSERT(node < d->node_count);
    if (d->byzantine[node] || view + RETAIN_VIEWS < d->decided_view) return;
    Holding *h = holding(d, view, commit);
    if (first_time(h->stored, node)) h->da_holders++;
}

void ana_data_on_share(AnaData *d, uint32_t node, ProtoView view, const ProtoCommit *commit,
                       uint32_t weight)
{
    PROTO_ASSERT(node < d->node_count);
    if (d->byzantine[node] || view + RETAIN_VIEWS < d->decided_view) return;
    /* Shares and stored payloads are counted apart: a DA member usually holds both. */
    Holding *h = holding(d, view, commit);
    if (first_time(h->shared, node)) h->weight += weight;
}

static gboolean prune_view(gpointer key, gpointer value, gpointer user_data)
{
    (void)value;
    return (uint64_t) * (const gint64 *)key + RETAIN_VIEWS < *(const ProtoView *)user_data;
}

/* Transactions of a block decided for the first time: their latency, and throughput. */
static void decided_block(AnaData *d, const ProtoLeaf *leaf, uint64_t now)
{
    if (leaf->header.payload_size == 0) {
        d->empty++;
    } else {
        d->nonempty++;
        if (d->first_decide == 0) d->first_decide = now;
        d->last_decide = now;
    }
    if (d->finality != NULL)
        ana_finality_on_block(d->finality, leaf->header.height, leaf->commit.bytes, now);
    GArray *txs = g_hash_table_lookup(d->registry, leaf->header.payload_commit.bytes);
    for (guint i = 0; txs != NULL && i < txs->len; i++) {
        const ProtoTx *tx = &g_array_index(txs, ProtoTx, i);
        InFlight *f = g_hash_table_lookup(d->in_flight, &tx->id);
        if (f == NULL || f->decided) continue;
        f->decided = TRUE;
        ana_histogram_add(d->decide_latency, now - MIN(now, f->submitted));
        if (d->finality != NULL)
            ana_finality_on_tx(d->finality, leaf->header.height, tx->ns_id, f->submitted, now);
        d->decided_txs++;
        d->decided_bytes += f->size;
        guint second = (guint)MIN(now / 1000000000u, G_MAXUINT - 1);
        if (second >= d->per_second->len) g_array_set_size(d->per_second, second + 1);
        g_array_index(d->per_second, uint64_t, second)++;
    }
}

static void check_block(AnaData *d, uint32_t node, const ProtoLeaf *leaf, uint64_t now)
{
    gint64 k = (gint64)leaf->view;
    const ProtoCommit *commit = &leaf->header.payload_commit;
    ProtoCommit *seen = g_hash_table_lookup(d->checked, &k);
    if (seen != NULL && proto_commit_equal(seen, commit)) return;
    g_hash_table_replace(d->checked, key64(leaf->view), g_memdup2(commit, sizeof *commit));
    d->blocks_checked++;
    decided_block(d, leaf, now);
    GArray *a = g_hash_table_lookup(d->holdings, &k);
    for (guint i = 0; a != NULL && i < a->len; i++) {
        const Holding *h = &g_array_index(a, Holding, i);
        if (!proto_commit_equal(&h->commit, commit)) continue;
        if (h->da_holders > 0 || h->weight >= d->threshold) return;
    }
    if (d->violation != NULL) return;
    const Holding *h = NULL;
    for (guint i = 0; a != NULL && i < a->len; i++) {
        if (proto_commit_equal(&g_array_index(a, Holding, i).commit, commit)) {
            h = &g_array_index(a, Holding, i);
        }
    }
    d->violation = g_strdup_printf(
        "node %u decided the block of view %" PRIu64 " (height %" PRIu64 ") while it was not "
        "recoverable: %u honest DA members hold it, honest shares hold %u units of weight "
        "(k = %u)",
        node, leaf->view, leaf->header.height, h ? h->da_holders : 0, h ? h->weight : 0,
        d->threshold);
}

void ana_data_on_decide(AnaData *d, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                        uint64_t now)
{
    PROTO_ASSERT(node < d->node_count);
    if (d->byzantine[node]) return;
    ProtoView before = d->decided_view, oldest = G_MAXUINT64;
    for (uint32_t i = count; i > 0; i--) {
        const ProtoLeaf *leaf = leaves[i - 1];
        if (leaf->view == 0) continue;
        check_block(d, node, leaf, now);
        oldest = MIN(oldest, leaf->view);
        if (leaf->view > d->decided_view) d->decided_view = leaf->view;
    }
    /* Pruning can only find something when the decided view moved or this call recorded a view
     * already out of the window (a node far behind): every other decide, each node's, would
     * walk both tables for nothing. */
    if (d->decided_view == before && (oldest == G_MAXUINT64 || oldest + RETAIN_VIEWS >= before))
        return;
    /* iteration-ok: pruning by key, the order of removals cannot matter */
    g_hash_table_foreach_remove(d->holdings, prune_view, &d->decided_view);
    /* iteration-ok: as above */
    g_hash_table_foreach_remove(d->checked, prune_view, &d->decided_view);
}

gboolean ana_data_violated(const AnaData *d)
{
    return d->violation != NULL;
}

const char *ana_data_violation(const AnaData *d)
{
    return d->violation;
}

uint64_t ana_data_blocks_checked(const AnaData *d)
{
    return d->blocks_checked;
}

/* --- transactions -------------------------------------------------------------------------------
 */

void ana_data_on_submit(AnaData *d, uint64_t tx_id, uint32_t rollup, uint32_t size, uint64_t now)
{
    InFlight *f = g_new0(InFlight, 1);
    f->submitted = now;
    f->rollup = rollup;
    f->size = size;
    g_hash_table_replace(d->in_flight, key64(tx_id), f);
    d->submitted++;
}

void ana_data_on_block_built(AnaData *d, const ProtoCommit *commit, const ProtoTx *txs,
                             uint32_t count)
{
    if (g_hash_table_contains(d->registry, commit->bytes)) return;
    GArray *copy = g_array_sized_new(FALSE, FALSE, sizeof(ProtoTx), count);
    g_array_append_vals(copy, txs, count);
    ProtoCommit *key = g_memdup2(commit, sizeof *commit);
    g_hash_table_insert(d->registry, key, copy);
    g_queue_push_tail(d->registry_order, key);
    while (g_queue_get_length(d->registry_order) > REGISTRY_MAX) {
        g_hash_table_remove(d->registry, g_queue_pop_head(d->registry_order));
    }
}

void ana_data_on_available(AnaData *d, uint64_t tx_id, uint64_t now)
{
    gint64 k = (gint64)tx_id;
    InFlight *f = g_hash_table_lookup(d->in_flight, &k);
    if (f == NULL) return;
    ana_histogram_add(d->available_latency, now - MIN(now, f->submitted));
    d->available++;
    g_hash_table_remove(d->in_flight, &k);
}

uint64_t ana_data_submitted(const AnaData *d)
{
    return d->submitted;
}

uint64_t ana_data_decided_txs(const AnaData *d)
{
    return d->decided_txs;
}

const GArray *ana_data_decided_per_second(const AnaData *d)
{
    return d->per_second;
}

uint64_t ana_data_decided_bytes(const AnaData *d)
{
    return d->decided_bytes;
}

uint64_t ana_data_available_txs(const AnaData *d)
{
    return d->available;
}

uint64_t ana_data_undecided(const AnaData *d)
{
    return d->submitted - d->decided_txs;
}

uint64_t ana_data_unavailable(const AnaData *d)
{
    return g_hash_table_size(d->in_flight);
}

const AnaHistogram *ana_data_decide_latency(const AnaData *d)
{
    return d->decide_latency;
}

const AnaHistogram *ana_data_available_latency(const AnaData *d)
{
    return d->available_latency;
}

uint64_t ana_data_first_decide(const AnaData *d)
{
    return d->first_decide;
}

uint64_t ana_data_last_decide(const AnaData *d)
{
    return d->last_decide;
}

uint64_t ana_data_nonempty_blocks(const AnaData *d)
{
    return d->nonempty;
}

uint64_t ana_data_empty_blocks(const AnaData *d)
{
    return d->empty;
}

/* --- traffic ------------------------------------------------------------------------------------
 */

void ana_data_on_send(AnaData *d, AnaRole role, ProtoMsgType type, uint64_t bytes, uint64_t copies)
{
    PROTO_ASSERT(role < ANA_ROLE_COUNT_ && type < PROTO_MSG_TYPE_COUNT_);
    d->messages[role][type] += copies;
    d->bytes[role][type] += bytes * copies;
}

uint64_t ana_data_role_bytes(const AnaData *d, AnaRole role, ProtoMsgType type)
{
    return d->bytes[role][type];
}

uint64_t ana_data_role_messages(const AnaData *d, AnaRole role, ProtoMsgType type)
{
    return d->messages[role][type];
}

void ana_data_on_dispersal(AnaData *d, ProtoView view, uint64_t da_bytes, uint64_t vid_bytes,
                           uint64_t payload)
{
    (void)view;
    d->dispersal.da_bytes += da_bytes;
    d->dispersal.vid_bytes += vid_bytes;
    d->dispersal.payload += payload;
    d->dispersal.blocks++;
}

const AnaDispersal *ana_data_dispersal(const AnaData *d)
{
    return &d->dispersal;
}
