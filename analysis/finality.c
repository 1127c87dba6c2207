/* Finality per transaction, soft and on the L1; see finality.h. */
#include "analysis/finality.h"

#include "protocol/assert.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT64_MAX

typedef struct BlockRecord {
    uint64_t height;
    uint64_t decided;
} BlockRecord;

typedef struct TxRecord {
    uint64_t height;
    uint32_t ns;
    uint64_t submitted;
    uint64_t decided;
} TxRecord;

typedef struct Update {
    uint64_t height;
    uint64_t covered;
    uint64_t final; /* NONE until final */
} Update;

typedef struct Settlement {
    uint32_t ns;
    uint64_t height;
    uint64_t at;
    uint64_t final; /* NONE until final */
} Settlement;

/* One L1's light client, with its figures. */
typedef struct Chain {
    GArray *updates; /* Update, by ascending height */
    GArray *up;      /* uint64_t pairs: the prover's up stretches [from, to), to NONE: still up */
    uint64_t bound;  /* the liveness bound (0: none) */
    AnaHistogram *l1;
    uint64_t pending;
    uint64_t lag_max;
} Chain;

struct AnaFinality {
    GArray *blocks; /* BlockRecord */
    GArray *txs;    /* TxRecord */
    Chain *chains;
    uint32_t chain_count;
    GHashTable *ns_l1;   /* namespace -> its rollup's L1 + 1 (absent: L1 0) */
    GArray *settlements; /* Settlement, in the order taken (ascending per namespace) */
    GHashTable *commits; /* height -> its leaf commitment (ANA_FINALITY_ROOT_BYTES); lookup only */
    char *violation;
    char *stall; /* the liveness oracle's first violation */
    AnaHistogram *soft;
    AnaHistogram *l1;
    AnaHistogram *settled;
    uint64_t pending;
    uint64_t settled_pending;
    uint64_t lag_max;
};

AnaFinality *ana_finality_new(uint32_t l1s)
{
    PROTO_ASSERT(l1s >= 1);
    AnaFinality *f = g_new0(AnaFinality, 1);
    f->blocks = g_array_new(FALSE, FALSE, sizeof(BlockRecord));
    f->txs = g_array_new(FALSE, FALSE, sizeof(TxRecord));
    f->chain_count = l1s;
    f->chains = g_new0(Chain, l1s);
    for (uint32_t i = 0; i < l1s; i++) {
        f->chains[i].updates = g_array_new(FALSE, FALSE, sizeof(Update));
        f->chains[i].l1 = ana_histogram_new();
        f->chains[i].up = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        uint64_t from = 0, to = NONE;
        g_array_append_val(f->chains[i].up, from);
        g_array_append_val(f->chains[i].up, to);
    }
    f->ns_l1 = g_hash_table_new(g_direct_hash, g_direct_equal);
    f->settlements = g_array_new(FALSE, FALSE, sizeof(Settlement));
    f->commits = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    f->soft = ana_histogram_new();
    f->l1 = ana_histogram_new();
    f->settled = ana_histogram_new();
    PROTO_ASSERT(f->chains[0].updates->len == 0);
    return f;
}

void ana_finality_free(AnaFinality *f)
{
    if (f == NULL) return;
    g_array_unref(f->blocks);
    g_array_unref(f->txs);
    for (uint32_t i = 0; i < f->chain_count; i++) {
        g_array_unref(f->chains[i].updates);
        g_array_unref(f->chains[i].up);
        ana_histogram_free(f->chains[i].l1);
    }
    g_free(f->chains);
    g_hash_table_unref(f->ns_l1);
    g_array_unref(f->settlements);
    g_hash_table_unref(f->commits);
    g_free(f->violation);
    g_free(f->stall);
    ana_histogram_free(f->soft);
    ana_histogram_free(f->l1);
    ana_histogram_free(f->settled);
    g_free(f);
}

void ana_finality_on_block(AnaFinality *f, uint64_t height, const uint8_t *commit, uint64_t decided)
{
    PROTO_ASSERT(f != NULL && commit != NULL);
    BlockRecord b = {height, decided};
    g_array_append_val(f->blocks, b);
    gint64 *key = g_new(gint64, 1);
    *key = (gint64)height;
    g_hash_table_replace(f->commits, key, g_memdup2(commit, ANA_FINALITY_ROOT_BYTES));
}

/* The oracle: `root` must be the commitment of the block honest nodes decided at `height`. */
static void check_state(AnaFinality *f, uint64_t height, const uint8_t *root, uint64_t time)
{
    if (f->violation != NULL) return;
    gint64 key = (gint64)height;
    const uint8_t *decided = g_hash_table_lookup(f->commits, &key);
    if (decided != NULL && memcmp(decided, root, ANA_FINALITY_ROOT_BYTES) == 0) return;
    f->violation = g_strdup_printf(
        "the light-client contract took a state of HotShot height %" PRIu64 " at %.3f s %s", height,
        (double)time / 1e9,
        decided == NULL ? "that no honest node had decided"
                        : "whose root is not that of the block honest nodes decided there");
}

void ana_finality_on_tx(AnaFinality *f, uint64_t height, uint32_t ns, uint64_t submitted,
                        uint64_t decided)
{
    PROTO_ASSERT(f != NULL);
    TxRecord t = {height, ns, submitted, decided};
    g_array_append_val(f->txs, t);
}

void ana_finality_set_rollup_l1(AnaFinality *f, uint32_t ns, uint32_t l1)
{
    PROTO_ASSERT(f != NULL && l1 < f->chain_count);
    g_hash_table_replace(f->ns_l1, GUINT_TO_POINTER(ns), GUINT_TO_POINTER(l1 + 1));
}

static Chain *chain(const AnaFinality *f, uint32_t l1)
{
    PROTO_ASSERT(l1 < f->chain_count);
    return &f->chains[l1];
}

void ana_finality_on_covered(AnaFinality *f, uint32_t l1, uint64_t height, const uint8_t *root,
                             uint64_t time)
{
    PROTO_ASSERT(f != NULL && root != NULL);
    check_state(f, height, root, time);
    GArray *updates = chain(f, l1)->updates;
    if (updates->len > 0) {
        PROTO_ASSERT(g_array_index(updates, Update, updates->len - 1).height < height);
    }
    Update u = {height, time, NONE};
    g_array_append_val(updates, u);
}

void ana_finality_on_uncovered(AnaFinality *f, uint32_t l1, uint64_t height)
{
    PROTO_ASSERT(f != NULL);
    GArray *updates = chain(f, l1)->updates;
    PROTO_ASSERT(updates->len > 0);
    const Update *last = &g_array_index(updates, Update, updates->len - 1);
    PROTO_ASSERT(last->height == height);
    PROTO_ASSERT(last->final == NONE);
    g_array_set_size(updates, updates->len - 1);
}

void ana_finality_on_final(AnaFinality *f, uint32_t l1, uint64_t height, uint64_t time)
{
    PROTO_ASSERT(f != NULL);
    GArray *updates = chain(f, l1)->updates;
    for (guint i = updates->len; i > 0; i--) {
        Update *u = &g_array_index(updates, Update, i - 1);
        if (u->height != height) continue;
        PROTO_ASSERT(u->final == NONE);
        u->final = time;
        return;
    }
    PROTO_ASSERT(!"a final update the contract never took");
}

/* The newest settlement recorded for `ns` (NULL: none). */
static Settlement *newest_settlement(AnaFinality *f, uint32_t ns)
{
    for (guint i = f->settlements->len; i > 0; i--) {
        Settlement *s = &g_array_index(f->settlements, Settlement, i - 1);
        if (s->ns == ns) return s;
    }
    return NULL;
}

void ana_finality_on_settled(AnaFinality *f, uint32_t ns, uint64_t height, uint64_t time)
{
    PROTO_ASSERT(f != NULL);
    const Settlement *last = newest_settlement(f, ns);
    PROTO_ASSERT(last == NULL || last->height < height);
    Settlement s = {ns, height, time, NONE};
    g_array_append_val(f->settlements, s);
}

void ana_finality_on_unsettled(AnaFinality *f, uint32_t ns, uint64_t height)
{
    PROTO_ASSERT(f != NULL);
    for (guint i = f->settlements->len; i > 0; i--) {
        const Settlement *s = &g_array_index(f->settlements, Settlement, i - 1);
        if (s->ns != ns) continue;
        PROTO_ASSERT(s->height == height && s->final == NONE);
        g_array_remove_index(f->settlements, i - 1);
        return;
    }
    PROTO_ASSERT(!"an undone settlement never taken");
}

void ana_finality_on_settled_final(AnaFinality *f, uint32_t ns, uint64_t height, uint64_t time)
{
    PROTO_ASSERT(f != NULL);
    for (guint i = f->settlements->len; i > 0; i--) {
        Settlement *s = &g_array_index(f->settlements, Settlement, i - 1);
        if (s->ns != ns || s->height != height) continue;
        PROTO_ASSERT(s->final == NONE);
        s->final = time;
        return;
    }
    PROTO_ASSERT(!"a final settlement never taken");
}

/* When the first settlement of the transaction's namespace at or above its height became final
 * (NONE: none by the end). Settlements of a namespace ascend, so the first one found is it. */
static uint64_t settled_at(const AnaFinality *f, const TxRecord *t)
{
    for (guint i = 0; i < f->settlements->len; i++) {
        const Settlement *s = &g_array_index(f->settlements, Settlement, i);
        if (s->ns == t->ns && s->height >= t->height) return s->final;
    }
    return NONE;
}

static int compare_tx(const void *a, const void *b)
{
    const TxRecord *x = a, *y = b;
    if (x->height != y->height) return x->height < y->height ? -1 : 1;
    if (x->submitted != y->submitted) return x->submitted < y->submitted ? -1 : 1;
    return (x->decided > y->decided) - (x->decided < y->decided);
}

static int compare_block(const void *a, const void *b)
{
    const BlockRecord *x = a, *y = b;
    if (x->height != y->height) return x->height < y->height ? -1 : 1;
    return (x->decided > y->decided) - (x->decided < y->decided);
}

/* The index of the first update above `height`, from `from` on (updates ascend). */
static guint covering(const GArray *updates, guint from, uint64_t height)
{
    guint j = from;
    while (j < updates->len && g_array_index(updates, Update, j).height <= height)
        j++;
    return j;
}

/* The L1 of the transaction's rollup. */
static uint32_t tx_l1(const AnaFinality *f, const TxRecord *t)
{
    guint v = GPOINTER_TO_UINT(g_hash_table_lookup(f->ns_l1, GUINT_TO_POINTER(t->ns)));
    return v == 0 ? 0 : v - 1;
}

static void finish_txs(AnaFinality *f)
{
    if (f->txs->len > 1) qsort(f->txs->data, f->txs->len, sizeof(TxRecord), compare_tx);
    guint *from = g_new0(guint, f->chain_count); /* txs ascend by height: per chain, a cursor */
    for (guint i = 0; i < f->txs->len; i++) {
        const TxRecord *t = &g_array_index(f->txs, TxRecord, i);
        ana_histogram_add(f->soft, t->decided - MIN(t->decided, t->submitted));
        uint32_t l1 = tx_l1(f, t);
        Chain *c = chain(f, l1);
        from[l1] = covering(c->updates, from[l1], t->height);
        guint j = from[l1];
        uint64_t final = j < c->updates->len ? g_array_index(c->updates, Update, j).final : NONE;
        if (final == NONE) {
            f->pending++;
            c->pending++;
        } else {
            ana_histogram_add(f->l1, final - MIN(final, t->submitted));
            ana_histogram_add(c->l1, final - MIN(final, t->submitted));
        }
        uint64_t settled = settled_at(f, t);
        if (settled == NONE) {
            f->settled_pending++;
        } else {
            ana_histogram_add(f->settled, settled - MIN(settled, t->submitted));
        }
    }
    g_free(from);
}

void ana_finality_set_liveness_bound(AnaFinality *f, uint32_t l1, uint64_t bound)
{
    PROTO_ASSERT(f != NULL && bound > 0);
    chain(f, l1)->bound = bound;
}

void ana_finality_on_prover(AnaFinality *f, uint32_t l1, gboolean up, uint64_t time)
{
    PROTO_ASSERT(f != NULL);
    GArray *stretches = chain(f, l1)->up;
    uint64_t *last_to = &g_array_index(stretches, uint64_t, stretches->len - 1);
    gboolean is_up = *last_to == NONE;
    if (up == is_up) return;
    if (!up) {
        PROTO_ASSERT(time >= g_array_index(stretches, uint64_t, stretches->len - 2));
        *last_to = time;
        return;
    }
    PROTO_ASSERT(time >= *last_to);
    uint64_t to = NONE;
    g_array_append_val(stretches, time);
    g_array_append_val(stretches, to);
}

/* The longest stretch of [from, to] in which the chain's prover was up without a break, and
 * where it starts. */
static uint64_t longest_up(const Chain *c, uint64_t from, uint64_t to, uint64_t *start)
{
    uint64_t best = 0;
    for (guint i = 0; i + 1 < c->up->len; i += 2) {
        uint64_t s = MAX(from, g_array_index(c->up, uint64_t, i));
        uint64_t e = MIN(to, g_array_index(c->up, uint64_t, i + 1));
        if (e > s && e - s > best) {
            best = e - s;
            *start = s;
        }
    }
    return best;
}

/* The liveness oracle for one block on one chain, covered at `covered` (or the run's end). */
static void check_live(AnaFinality *f, uint32_t l1, const BlockRecord *b, uint64_t covered)
{
    const Chain *c = chain(f, l1);
    if (c->bound == 0 || f->stall != NULL) return;
    uint64_t start = 0;
    if (longest_up(c, b->decided, covered, &start) <= c->bound) return;
    f->stall = g_strdup_printf(
        "L1 %u's light client left the block of HotShot height %" PRIu64 " (decided at %.3f s) "
        "uncovered for more than %.3f s while its prover was up (from %.3f s)",
        l1, b->height, (double)b->decided / 1e9, (double)c->bound / 1e9, (double)start / 1e9);
}

/* Each block's lag on each L1: from its first decide to its cover there (or `end`). */
static void finish_lags(AnaFinality *f, uint64_t end)
{
    if (f->blocks->len > 1)
        qsort(f->blocks->data, f->blocks->len, sizeof(BlockRecord), compare_block);
    for (uint32_t l1 = 0; l1 < f->chain_count; l1++) {
        Chain *c = chain(f, l1);
        guint j = 0;
        for (guint i = 0; i < f->blocks->len; i++) {
            const BlockRecord *b = &g_array_index(f->blocks, BlockRecord, i);
            j = covering(c->updates, j, b->height);
            uint64_t covered =
                j < c->updates->len ? g_array_index(c->updates, Update, j).covered : end;
            uint64_t lag = covered - MIN(covered, b->decided);
            if (lag > c->lag_max) c->lag_max = lag;
            check_live(f, l1, b, covered);
        }
        if (c->lag_max > f->lag_max) f->lag_max = c->lag_max;
    }
}

void ana_finality_finish(AnaFinality *f, uint64_t end)
{
    PROTO_ASSERT(f != NULL);
    ana_histogram_free(f->soft);
    ana_histogram_free(f->l1);
    ana_histogram_free(f->settled);
    f->soft = ana_histogram_new();
    f->l1 = ana_histogram_new();
    f->settled = ana_histogram_new();
    f->pending = 0;
    f->settled_pending = 0;
    f->lag_max = 0;
    g_free(f->stall);
    f->stall = NULL;
    for (uint32_t l1 = 0; l1 < f->chain_count; l1++) {
        Chain *c = chain(f, l1);
        ana_histogram_free(c->l1);
        c->l1 = ana_histogram_new();
        c->pending = 0;
        c->lag_max = 0;
    }
    finish_txs(f);
    finish_lags(f, end);
    PROTO_ASSERT(f->pending <= f->txs->len);
}

gboolean ana_finality_stalled(const AnaFinality *f)
{
    return f->stall != NULL;
}

const char *ana_finality_stall(const AnaFinality *f)
{
    return f->stall;
}

gboolean ana_finality_unsafe(const AnaFinality *f)
{
    return f->violation != NULL;
}

const char *ana_finality_violation(const AnaFinality *f)
{
    return f->violation;
}

const AnaHistogram *ana_finality_soft(const AnaFinality *f)
{
    return f->soft;
}

const AnaHistogram *ana_finality_l1(const AnaFinality *f)
{
    return f->l1;
}

const AnaHistogram *ana_finality_settled(const AnaFinality *f)
{
    return f->settled;
}

uint64_t ana_finality_settled_pending(const AnaFinality *f)
{
    return f->settled_pending;
}

uint64_t ana_finality_settlements(const AnaFinality *f)
{
    return f->settlements->len;
}

uint64_t ana_finality_l1_pending(const AnaFinality *f)
{
    return f->pending;
}

uint64_t ana_finality_lag_max(const AnaFinality *f)
{
    return f->lag_max;
}

uint64_t ana_finality_updates(const AnaFinality *f)
{
    uint64_t n = 0;
    for (uint32_t l1 = 0; l1 < f->chain_count; l1++)
        n += f->chains[l1].updates->len;
    return n;
}

uint32_t ana_finality_l1s(const AnaFinality *f)
{
    return f->chain_count;
}

const AnaHistogram *ana_finality_chain_l1(const AnaFinality *f, uint32_t l1)
{
    return chain(f, l1)->l1;
}

uint64_t ana_finality_chain_pending(const AnaFinality *f, uint32_t l1)
{
    return chain(f, l1)->pending;
}

uint64_t ana_finality_chain_lag_max(const AnaFinality *f, uint32_t l1)
{
    return chain(f, l1)->lag_max;
}

uint64_t ana_finality_chain_updates(const AnaFinality *f, uint32_t l1)
{
    return chain(f, l1)->updates->len;
}

uint64_t ana_finality_covered_height(const AnaFinality *f, uint32_t l1)
{
    const GArray *updates = chain(f, l1)->updates;
    if (updates->len == 0) return 0;
    return g_array_index(updates, Update, updates->len - 1).height;
}

uint64_t ana_finality_final_height(const AnaFinality *f, uint32_t l1)
{
    const GArray *updates = chain(f, l1)->updates;
    for (guint i = updates->len; i > 0; i--) {
        const Update *u = &g_array_index(updates, Update, i - 1);
        if (u->final != NONE) return u->height;
    }
    return 0;
}
