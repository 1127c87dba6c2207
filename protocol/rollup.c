/*
 * Rollup executor; see rollup.h. Outstanding blocks are kept in decide order; each has a target
 * (the DA member asked, or the validators asked for shares) and a deadline for the retry timer.
 */
#include "protocol/rollup.h"

#include "protocol/assert.h"
#include "protocol/namespace.h"

#include <string.h>

typedef struct Pending {
    ProtoNotice notice; /* ns_table referenced */
    uint32_t index;     /* the namespace's index in the table */
    uint32_t attempts;
    ProtoTime deadline;
    ProtoRebuild *rebuild; /* vid mode */
} Pending;

struct ProtoRollup {
    ProtoRollupConfig config;
    const ProtoShared *shared;
    ProtoRandomFn random;
    void *random_user_data;
    GQueue *pending; /* Pending *, decide order */
    GArray *outbox;  /* ProtoAction */
    GArray *available;
    ProtoDuration cpu;
    ProtoTime now;
    ProtoRollupStats stats;
};

ProtoRollup *proto_rollup_new(const ProtoRollupConfig *config, const ProtoShared *shared,
                              ProtoRandomFn random, void *random_user_data)
{
    PROTO_ASSERT(config != NULL && shared != NULL && shared->vid != NULL && random != NULL);
    PROTO_ASSERT(config->request_timeout > 0);
    ProtoRollup *r = g_new0(ProtoRollup, 1);
    r->config = *config;
    r->shared = shared;
    r->random = random;
    r->random_user_data = random_user_data;
    r->pending = g_queue_new();
    r->outbox = g_array_new(FALSE, FALSE, sizeof(ProtoAction));
    r->available = g_array_new(FALSE, FALSE, sizeof(ProtoRollupTx));
    return r;
}

static void pending_free(gpointer data)
{
    Pending *p = data;
    if (p->notice.ns_table != NULL) g_bytes_unref(p->notice.ns_table);
    proto_rebuild_free(p->rebuild);
    g_free(p);
}

void proto_rollup_free(ProtoRollup *r)
{
    if (r == NULL) return;
    g_queue_free_full(r->pending, pending_free);
    for (guint i = 0; i < r->outbox->len; i++) {
        proto_action_clear(&g_array_index(r->outbox, ProtoAction, i));
    }
    g_array_unref(r->outbox);
    g_array_unref(r->available);
    g_free(r);
}

static void send(ProtoRollup *r, ProtoNodeId target, const ProtoMsg *msg)
{
    ProtoAction a = {.kind = PROTO_ACTION_SEND, .target = target, .msg_type = msg->type};
    a.bytes = proto_msg_encode(msg, &a.size);
    g_array_append_val(r->outbox, a);
}

static void arm(ProtoRollup *r)
{
    ProtoTime earliest = PROTO_TIME_NONE;
    for (GList *l = r->pending->head; l != NULL; l = l->next) {
        const Pending *p = l->data;
        if (p->deadline < earliest) earliest = p->deadline;
    }
    if (earliest == PROTO_TIME_NONE) return;
    ProtoAction a = {.kind = PROTO_ACTION_TIMER_SET, .timer = 0, .at = MAX(earliest, r->now)};
    g_array_append_val(r->outbox, a);
}

/* The `n`-th DA member (mod the committee size), in id order. */
static ProtoNodeId da_member(const ProtoRollup *r, uint64_t n)
{
    uint64_t pick = n % r->shared->da_count;
    for (ProtoNodeId id = 0; id < r->shared->node_count; id++) {
        if (!proto_shared_is_da_member(r->shared, id)) continue;
        if (pick-- == 0) return id;
    }
    PROTO_UNREACHABLE();
}

/* Asks for the pending block's namespace (da) or for shares (vid). */
static void request(ProtoRollup *r, Pending *p)
{
    ProtoMsg msg = {.sender = r->config.endpoint};
    msg.data.view = p->notice.view;
    msg.data.commit = p->notice.payload_commit;
    if (r->config.mode == PROTO_ROLLUP_FROM_DA) {
        msg.type = PROTO_MSG_NS_REQUEST;
        msg.data.ns_id = r->config.ns_id;
        send(r, da_member(r, r->random(r->random_user_data) + p->attempts), &msg);
    } else {
        /* Ask every validator for its own share; the first k units of weight suffice. */
        msg.type = PROTO_MSG_VID_REQUEST;
        for (ProtoNodeId id = 0; id < r->shared->node_count; id++) {
            msg.data.owner = id;
            send(r, id, &msg);
        }
    }
    p->deadline = r->now + r->config.request_timeout;
    if (p->attempts++ > 0) r->stats.retries++;
}

/* --- inputs --------------------------------------------------------------------------------------
 */

static void on_notice(ProtoRollup *r, const ProtoNotice *n)
{
    r->stats.blocks_seen++;
    gsize len = 0;
    const uint8_t *table = g_bytes_get_data(n->ns_table, &len);
    ProtoNsTable parsed;
    proto_ns_table_parse(table, len, n->payload_size, &parsed);
    int32_t index = -1;
    for (uint32_t i = 0; i < parsed.count && index < 0; i++) {
        if (parsed.entries[i].ns_id == r->config.ns_id) index = (int32_t)i;
    }
    proto_ns_table_clear(&parsed);
    if (index < 0) {
        r->stats.blocks_verified++; /* nothing of ours in this block */
        return;
    }
    Pending *p = g_new0(Pending, 1);
    p->notice = *n;
    p->notice.ns_table = g_bytes_ref(n->ns_table);
    p->index = (uint32_t)index;
    g_queue_push_tail(r->pending, p);
    request(r, p);
}

static GList *find(ProtoRollup *r, ProtoView view, const ProtoCommit *commit)
{
    for (GList *l = r->pending->head; l != NULL; l = l->next) {
        const Pending *p = l->data;
        if (p->notice.view == view && proto_commit_equal(&p->notice.payload_commit, commit)) {
            return l;
        }
    }
    return NULL;
}

/* The namespace of a pending block is verified: report its transactions, forget the block. */
static void complete(ProtoRollup *r, GList *link, GBytes *ns, uint64_t logical)
{
    Pending *p = link->data;
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
    proto_namespace_transactions(r->config.ns_id, r->shared->synthetic, ns, txs);
    for (guint i = 0; i < txs->len; i++) {
        const ProtoTx *tx = &g_array_index(txs, ProtoTx, i);
        ProtoRollupTx out = {tx->id, tx->size, p->notice.view, p->notice.height};
        g_array_append_val(r->available, out);
    }
    g_array_unref(txs);
    r->stats.blocks_verified++;
    r->stats.bytes_fetched += logical;
    g_queue_delete_link(r->pending, link);
    pending_free(p);
}

static int on_namespace(ProtoRollup *r, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    GList *link = find(r, d->view, &d->commit);
    if (link == NULL) return PROTO_ERR_STALE;
    Pending *p = link->data;
    gsize path_bytes = g_bytes_get_size(d->layout);
    if (d->ns_id != r->config.ns_id || d->index != p->index ||
        d->synthetic != r->shared->synthetic || path_bytes % sizeof(ProtoCommit) != 0 ||
        path_bytes / sizeof(ProtoCommit) > 32) {
        r->stats.rejected++;
        return PROTO_ERR_FIELD;
    }
    ProtoCommit path[32];
    uint32_t path_len = (uint32_t)(path_bytes / sizeof(ProtoCommit));
    if (path_bytes > 0) memcpy(path, g_bytes_get_data(d->layout, NULL), path_bytes);
    if (!proto_payload_verify_namespace(r->shared->vid, &d->commit, d->ns_id, d->index, d->count,
                                        d->synthetic, d->size, d->bytes, path, path_len,
                                        proto_crypto_costs(r->shared->crypto), &r->cpu)) {
        r->stats.rejected++;
        return PROTO_ERR_INCONSISTENT;
    }
    complete(r, link, d->bytes, d->size);
    return PROTO_OK;
}

static int on_share(ProtoRollup *r, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    GList *link = find(r, d->view, &d->commit);
    if (link == NULL) return PROTO_ERR_STALE;
    Pending *p = link->data;
    const ProtoCostTable *costs = proto_crypto_costs(r->shared->crypto);
    int rc = proto_payload_verify_share(r->shared->vid, &d->commit, d->owner, FALSE, d->ns_table,
                                        d->size, d->layout, d->bytes, costs, &r->cpu);
    if (rc != PROTO_OK || d->synthetic) {
        r->stats.rejected++;
        return rc != PROTO_OK ? rc : PROTO_ERR_FIELD;
    }
    if (p->rebuild == NULL) p->rebuild = proto_rebuild_new(r->shared->vid, &d->commit, d->layout);
    if (p->rebuild == NULL || !proto_rebuild_add(p->rebuild, d->owner, d->bytes)) return PROTO_OK;
    GBytes *ns = proto_rebuild_namespace(p->rebuild, p->index, costs, &r->cpu);
    ProtoCommit path[32];
    uint32_t path_len = proto_rebuild_path(p->rebuild, p->index, path);
    gboolean ok = ns != NULL && proto_payload_verify_namespace(
                                    r->shared->vid, &d->commit, r->config.ns_id, p->index,
                                    proto_rebuild_count(p->rebuild), FALSE, g_bytes_get_size(ns),
                                    ns, path, path_len, costs, &r->cpu);
    if (ok) complete(r, link, ns, g_bytes_get_size(ns));
    if (!ok) r->stats.rejected++;
    if (ns != NULL) g_bytes_unref(ns);
    return ok ? PROTO_OK : PROTO_ERR_INCONSISTENT;
}

int proto_rollup_recv(ProtoRollup *r, ProtoNodeId from, GBytes *bytes, ProtoTime now)
{
    PROTO_ASSERT(now >= r->now);
    r->now = now;
    ProtoDecodeContext ctx = {.node_count = r->shared->node_count,
                              .pool = NULL,
                              .endpoint_count = r->shared->endpoint_count};
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    ProtoMsg msg;
    int rc = proto_msg_decode(data, len, &ctx, &msg);
    r->cpu += proto_crypto_costs(r->shared->crypto)->message_base;
    if (rc == PROTO_OK && msg.sender != from) rc = PROTO_ERR_SENDER;
    if (rc == PROTO_OK) {
        if (msg.type == PROTO_MSG_DECIDE_NOTICE) {
            for (uint32_t i = 0; i < msg.data.notice_count; i++)
                on_notice(r, &msg.data.notices[i]);
        } else if (msg.type == PROTO_MSG_NS_RESPONSE) {
            rc = on_namespace(r, &msg);
        } else if (msg.type == PROTO_MSG_VID_RESPONSE) {
            rc = on_share(r, &msg);
        } else {
            rc = PROTO_ERR_NOT_RECIPIENT;
        }
    }
    proto_msg_clear(&msg);
    arm(r);
    return rc;
}

void proto_rollup_on_timer(ProtoRollup *r, ProtoTime now)
{
    PROTO_ASSERT(now >= r->now);
    r->now = now;
    for (GList *l = r->pending->head; l != NULL; l = l->next) {
        Pending *p = l->data;
        if (p->deadline <= now) request(r, p);
    }
    arm(r);
}

gboolean proto_rollup_drain(ProtoRollup *r, ProtoAction *action)
{
    if (r->outbox->len == 0) return FALSE;
    *action = g_array_index(r->outbox, ProtoAction, 0);
    g_array_remove_index(r->outbox, 0);
    return TRUE;
}

void proto_rollup_take_available(ProtoRollup *r, GArray *out)
{
    g_array_append_vals(out, r->available->data, r->available->len);
    g_array_set_size(r->available, 0);
}

ProtoDuration proto_rollup_take_cpu(ProtoRollup *r)
{
    ProtoDuration cpu = r->cpu;
    r->cpu = 0;
    return cpu;
}

const ProtoRollupStats *proto_rollup_stats(const ProtoRollup *r)
{
    return &r->stats;
}

uint32_t proto_rollup_outstanding(const ProtoRollup *r)
{
    return g_queue_get_length(r->pending);
}
