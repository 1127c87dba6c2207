/* The in-memory protocol driver; see harness.h. */
#include "tests/protocol/harness.h"

#include <check.h>
#include <string.h>

static uint64_t splitmix(void *user_data)
{
    uint64_t *x = user_data;
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

Harness *harness_new(const HarnessOptions *o)
{
    Harness *h = g_new0(Harness, 1);
    h->n = o->nodes;
    h->rng = 42;
    h->advance_budget = 20000;
    uint8_t(*seeds)[32] = g_malloc0((size_t)h->n * 32);
    uint64_t *stakes = g_new(uint64_t, h->n);
    for (uint32_t i = 0; i < h->n; i++) {
        for (int b = 0; b < 32; b++)
            seeds[i][b] = (uint8_t)(i * 31 + b + 1);
        stakes[i] = o->stakes ? o->stakes[i] : 1;
    }
    ProtoCostTable costs;
    proto_cost_table_default(&costs);
    h->crypto = proto_crypto_new(o->crypto, h->n, (const uint8_t(*)[32])seeds, &costs);
    uint8_t(*keys)[32] = g_malloc((size_t)h->n * 32);
    for (uint32_t i = 0; i < h->n; i++)
        memcpy(keys[i], proto_crypto_public_key(h->crypto, i), 32);
    uint8_t beacon[32] = {7};
    h->stake = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, h->n, o->leaders, beacon);
    h->shared = proto_shared_new(h->crypto, h->stake);
    if (o->epoch_length > 0) {
        h->epochs = proto_epochs_new(o->epoch_length, stakes, (const uint8_t(*)[32])keys, h->n,
                                     o->leaders, beacon, o->changes, o->change_count);
        proto_shared_enable_epochs(h->shared, h->epochs, 10);
    }
    if (o->da_count > 0) {
        ProtoNodeId *members = g_new(ProtoNodeId, o->da_count);
        for (uint32_t i = 0; i < o->da_count; i++)
            members[i] = i;
        proto_shared_enable_da(h->shared, members, o->da_count, o->synthetic,
                               h->n + (o->builder ? 1 : 0));
        g_free(members);
        if (o->builder) {
            h->builder = proto_builder_new(h->shared->vid, o->block_max ? o->block_max : 1u << 20,
                                           o->synthetic);
            h->built = g_ptr_array_new_with_free_func((GDestroyNotify)proto_payload_unref);
        }
    }
    h->nodes = g_new0(ProtoNode *, h->n);
    h->configs = g_new0(ProtoNodeConfig, h->n);
    h->timers = g_malloc((size_t)h->n * sizeof *h->timers);
    h->down = g_new0(gboolean, h->n);
    h->behaviour = g_new0(ProtoByzantineKind, h->n);
    h->byzantine = g_new0(ProtoByzantine *, h->n);
    h->rewritten = g_array_new(FALSE, FALSE, sizeof(ProtoAction));
    h->sent = g_malloc0((size_t)(h->n + 1) * sizeof *h->sent);
    for (uint32_t i = 0; i < h->n; i++) {
        proto_node_config_default(&h->configs[i], i);
        h->configs[i].three_chain = o->three_chain;
        h->configs[i].mutant = o->mutant;
        if (o->view_timeout) h->configs[i].view_timeout = o->view_timeout;
        if (h->builder != NULL) h->configs[i].builder = h->n;
        for (int t = 0; t < PROTO_TIMER_COUNT_; t++)
            h->timers[i][t] = PROTO_TIME_NONE;
    }
    h->queue = g_queue_new();
    h->decisions = g_array_new(FALSE, FALSE, sizeof(Decision));
    h->notes = g_array_new(FALSE, FALSE, sizeof(ProtoAction));
    g_free(seeds);
    g_free(keys);
    g_free(stakes);
    return h;
}

void harness_set_byzantine(Harness *h, ProtoNodeId node, ProtoByzantineKind kind)
{
    ck_assert_uint_lt(node, h->n);
    ck_assert_ptr_null(h->nodes[node]);
    h->behaviour[node] = kind;
    proto_byzantine_configure(kind, &h->configs[node]);
}

static void create_node(Harness *h, ProtoNodeId i)
{
    ProtoEnv env = {h->shared, proto_crypto_signer(h->crypto, i), splitmix, &h->rng, NULL, NULL};
    h->nodes[i] = proto_node_new(&h->configs[i], &env);
    if (h->behaviour[i] != PROTO_BYZANTINE_NONE) {
        h->byzantine[i] = proto_byzantine_new(h->behaviour[i], h->nodes[i]);
    }
}

/* Nodes are created lazily at start, so tests can change configs after harness_new. */
static void create_nodes(Harness *h)
{
    for (uint32_t i = 0; i < h->n; i++) {
        if (h->nodes[i] == NULL) create_node(h, i);
    }
}

static void envelope_free(gpointer data)
{
    Envelope *e = data;
    g_bytes_unref(e->bytes);
    g_free(e);
}

void harness_free(Harness *h)
{
    g_queue_free_full(h->queue, envelope_free);
    for (uint32_t i = 0; i < h->n; i++) {
        proto_byzantine_free(h->byzantine[i]);
        proto_node_free(h->nodes[i]);
    }
    proto_builder_free(h->builder);
    if (h->built != NULL) g_ptr_array_unref(h->built);
    proto_shared_free(h->shared);
    proto_stake_table_free(h->stake);
    proto_epochs_free(h->epochs);
    proto_crypto_free(h->crypto);
    g_array_unref(h->decisions);
    g_array_unref(h->notes);
    g_free(h->nodes);
    g_free(h->configs);
    g_free(h->timers);
    g_free(h->down);
    g_free(h->behaviour);
    g_free(h->byzantine);
    g_array_unref(h->rewritten);
    g_free(h->sent);
    g_free(h);
    ck_assert_uint_eq(proto_leaf_live_count(), 0);
    ck_assert_uint_eq(proto_cert_live_count(), 0);
}

static void enqueue(Harness *h, ProtoNodeId from, ProtoNodeId to, ProtoMsgType type, GBytes *b)
{
    Envelope *e = g_new(Envelope, 1);
    *e = (Envelope){from, to, type, g_bytes_ref(b)};
    g_queue_push_tail(h->queue, e);
    if (from <= h->n && type > 0 && type < PROTO_MSG_TYPE_COUNT_) h->sent[from][type]++;
}

static void record_decide(Harness *h, ProtoNodeId node, const ProtoAction *a)
{
    for (uint32_t i = 0; i < a->leaf_count; i++) {
        const ProtoLeaf *leaf = a->leaves[a->leaf_count - 1 - i]; /* oldest first */
        Decision d = {node,
                      leaf->view,
                      leaf->header.height,
                      leaf->commit,
                      h->handling_type,
                      h->handling_view,
                      leaf->header.payload_commit,
                      leaf->header.payload_size};
        g_array_append_val(h->decisions, d);
    }
}

/* Carries out one action of `node` and releases it. */
static void execute(Harness *h, ProtoNodeId node, ProtoAction a)
{
    switch (a.kind) {
    case PROTO_ACTION_SEND:
        enqueue(h, node, a.target, a.msg_type, a.bytes);
        break;
    case PROTO_ACTION_BROADCAST:
        for (uint32_t j = 0; j < h->n; j++) {
            if (j != node) enqueue(h, node, j, a.msg_type, a.bytes);
        }
        break;
    case PROTO_ACTION_TIMER_SET:
        h->timers[node][a.timer] = a.at;
        break;
    case PROTO_ACTION_TIMER_CANCEL:
        h->timers[node][a.timer] = PROTO_TIME_NONE;
        break;
    case PROTO_ACTION_DECIDE:
        record_decide(h, node, &a);
        break;
    case PROTO_ACTION_NOTE: {
        ProtoAction note = a;
        note.target = node;
        g_array_append_val(h->notes, note);
        break;
    }
    }
    if (a.kind != PROTO_ACTION_NOTE) proto_action_clear(&a);
}

/* Carries out what `node` asked for, rewritten first by its behaviour when it is Byzantine. */
static void drain(Harness *h, ProtoNodeId node)
{
    ProtoAction a;
    while (proto_node_drain(h->nodes[node], &a)) {
        if (h->byzantine[node] == NULL) {
            execute(h, node, a);
            continue;
        }
        g_array_set_size(h->rewritten, 0);
        proto_byzantine_rewrite(h->byzantine[node], &a, h->rewritten, h->now);
        for (guint i = 0; i < h->rewritten->len; i++)
            execute(h, node, g_array_index(h->rewritten, ProtoAction, i));
        g_array_set_size(h->rewritten, 0);
    }
}

void harness_start(Harness *h)
{
    create_nodes(h);
    for (uint32_t i = 0; i < h->n; i++) {
        if (h->down[i]) continue;
        proto_node_start(h->nodes[i], h->now);
        drain(h, i);
    }
}

/* The builder endpoint: answers block requests at once, ignores everything else. */
static void builder_receive(Harness *h, const Envelope *e)
{
    ProtoDecodeContext ctx = {.node_count = h->n, .endpoint_count = h->n + 1, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    if (proto_msg_decode(data, len, &ctx, &msg) != PROTO_OK) return; /* a Byzantine sender */
    if (msg.type == PROTO_MSG_BLOCK_REQUEST) {
        ProtoCostTable costs;
        proto_cost_table_default(&costs);
        ProtoDuration cpu = 0;
        ProtoPayload *payload = proto_builder_build(h->builder, msg.data.view, &costs, &cpu);
        ProtoMsg reply = {.type = PROTO_MSG_BLOCK_RESPONSE, .sender = h->n};
        reply.data.view = msg.data.view;
        reply.data.size = payload->size;
        reply.data.synthetic = (uint8_t)payload->synthetic;
        reply.data.ns_table = payload->ns_table;
        reply.data.bytes = payload->bytes;
        GBytes *bytes = proto_msg_encode(&reply, NULL);
        enqueue(h, h->n, e->from, reply.type, bytes);
        g_bytes_unref(bytes);
        g_ptr_array_add(h->built, payload);
    }
    proto_msg_clear(&msg);
}

static void deliver(Harness *h, Envelope *e)
{
    if (e->to >= h->n) {
        if (h->builder != NULL && e->to == h->n && !h->down[e->from]) builder_receive(h, e);
        return;
    }
    if (h->down[e->to] || (e->from < h->n && h->down[e->from]) ||
        (h->filter != NULL && h->filter(h, e, h->filter_data))) {
        return;
    }
    h->handling_type = e->type;
    h->handling_view = 0;
    if (e->type == PROTO_MSG_PROPOSAL) {
        ProtoDecodeContext ctx = {.node_count = h->n, .pool = NULL};
        ProtoMsg msg;
        gsize len;
        const uint8_t *data = g_bytes_get_data(e->bytes, &len);
        if (proto_msg_decode(data, len, &ctx, &msg) == PROTO_OK)
            h->handling_view = msg.proposal.view;
        proto_msg_clear(&msg);
    }
    proto_node_recv(h->nodes[e->to], e->from, e->bytes, h->now);
    h->delivered++;
    drain(h, e->to);
}

void harness_run(Harness *h, uint64_t steps_max)
{
    for (uint64_t i = 0; i < steps_max && !g_queue_is_empty(h->queue); i++) {
        Envelope *e = g_queue_pop_head(h->queue);
        deliver(h, e);
        envelope_free(e);
    }
}

void harness_advance(Harness *h, ProtoTime until)
{
    uint64_t budget_end = h->delivered + h->advance_budget;
    harness_run(h, h->advance_budget);
    for (;;) {
        ProtoTime best = PROTO_TIME_NONE;
        uint32_t node = 0, timer = 0;
        for (uint32_t i = 0; i < h->n; i++) {
            for (uint32_t t = 0; t < PROTO_TIMER_COUNT_; t++) {
                if (!h->down[i] && h->timers[i][t] < best) {
                    best = h->timers[i][t], node = i, timer = t;
                }
            }
        }
        if (best == PROTO_TIME_NONE || best > until) break;
        h->now = best;
        h->timers[node][timer] = PROTO_TIME_NONE;
        h->handling_type = 0;
        proto_node_on_timer(h->nodes[node], timer, h->now);
        drain(h, node);
        harness_run(h, budget_end > h->delivered ? budget_end - h->delivered : 0);
        if (h->delivered >= budget_end) break;
    }
    h->now = until;
}

void harness_restart(Harness *h, ProtoNodeId node)
{
    ck_assert_ptr_nonnull(h->nodes[node]);
    ProtoPersisted persisted;
    proto_node_persist(h->nodes[node], &persisted);
    proto_byzantine_free(h->byzantine[node]);
    h->byzantine[node] = NULL;
    proto_node_free(h->nodes[node]);
    for (int t = 0; t < PROTO_TIMER_COUNT_; t++)
        h->timers[node][t] = PROTO_TIME_NONE;
    proto_byzantine_on_restart(h->behaviour[node], h->shared, &persisted);
    create_node(h, node);
    proto_node_restart(h->nodes[node], &persisted, h->now);
    proto_persisted_clear(&persisted);
    drain(h, node);
}

int harness_inject(Harness *h, ProtoNodeId from, ProtoNodeId to, GBytes *bytes)
{
    int rc = proto_node_recv(h->nodes[to], from, bytes, h->now);
    drain(h, to);
    return rc;
}

ProtoNodeId harness_leader(const Harness *h, ProtoView view)
{
    return proto_stake_leader(h->stake, view);
}

ProtoView harness_view_of(const Harness *h, const Envelope *e)
{
    ProtoDecodeContext ctx = {.node_count = h->n, .endpoint_count = h->n + 1, .pool = NULL};
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    ProtoView view = 0;
    if (proto_msg_decode(data, len, &ctx, &msg) == PROTO_OK) {
        switch ((int)msg.type) {
        case PROTO_MSG_PROPOSAL:
            view = msg.proposal.view;
            break;
        case PROTO_MSG_QUORUM_VOTE:
        case PROTO_MSG_TIMEOUT_VOTE:
        case PROTO_MSG_VS_PRECOMMIT_VOTE:
        case PROTO_MSG_VS_COMMIT_VOTE:
        case PROTO_MSG_VS_FINALIZE_VOTE:
        case PROTO_MSG_DA_VOTE:
            view = msg.vote.view;
            break;
        case PROTO_MSG_VS_PRECOMMIT_CERT:
        case PROTO_MSG_VS_COMMIT_CERT:
        case PROTO_MSG_VS_FINALIZE_CERT:
        case PROTO_MSG_HIGH_QC:
        case PROTO_MSG_DA_CERT:
            view = msg.cert->view;
            break;
        case PROTO_MSG_PROPOSAL_REQUEST:
            view = msg.view;
            break;
        default:
            view = msg.type >= PROTO_MSG_DA_PROPOSAL ? msg.data.view : 0;
            break;
        }
    }
    proto_msg_clear(&msg);
    return view;
}

ProtoPayload *harness_built(const Harness *h, const ProtoCommit *commit)
{
    for (guint i = 0; h->built != NULL && i < h->built->len; i++) {
        ProtoPayload *p = g_ptr_array_index(h->built, i);
        if (proto_commit_equal(&p->commit, commit)) return p;
    }
    return NULL;
}

GArray *harness_decisions_of(const Harness *h, ProtoNodeId node)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(Decision));
    for (guint i = 0; i < h->decisions->len; i++) {
        Decision *d = &g_array_index(h->decisions, Decision, i);
        if (d->node == node) g_array_append_val(out, *d);
    }
    return out;
}

uint64_t harness_height(const Harness *h, ProtoNodeId node)
{
    uint64_t height = 0;
    for (guint i = 0; i < h->decisions->len; i++) {
        Decision *d = &g_array_index(h->decisions, Decision, i);
        if (d->node == node && d->height > height) height = d->height;
    }
    return height;
}

uint32_t harness_count_notes(const Harness *h, ProtoNodeId node, ProtoNoteKind kind, ProtoView view)
{
    uint32_t count = 0;
    for (guint i = 0; i < h->notes->len; i++) {
        ProtoAction *a = &g_array_index(h->notes, ProtoAction, i);
        if (a->note == kind && (node == PROTO_NODE_NONE || a->target == node) &&
            (view == 0 || a->view == view)) {
            count++;
        }
    }
    return count;
}

uint32_t harness_count_rejected(const Harness *h, ProtoNodeId node, ProtoMsgType type, int code)
{
    uint32_t count = 0;
    for (guint i = 0; i < h->notes->len; i++) {
        ProtoAction *a = &g_array_index(h->notes, ProtoAction, i);
        if (a->note == PROTO_NOTE_REJECTED && (node == PROTO_NODE_NONE || a->target == node) &&
            (type == 0 || a->view == (ProtoView)type) && (code == 0 || a->value == code)) {
            count++;
        }
    }
    return count;
}

uint64_t harness_sent(const Harness *h, ProtoNodeId from, ProtoMsgType type)
{
    ck_assert_uint_le(from, h->n);
    if (type != 0) return h->sent[from][type];
    uint64_t total = 0;
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
        total += h->sent[from][t];
    return total;
}
