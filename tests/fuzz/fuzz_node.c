/*
 * Fuzz harness: whole nodes fed hostile messages through proto_node_recv.
 *
 * How it works. Each input builds a small network in the process: n validators (4, 5 or 7,
 * equal stake, modeled signatures), the last of which is the Byzantine one, with or without
 * the DA layer (synthetic or real payloads, a committee of all but one). Delivery takes no time;
 * time moves only when a timer fires. The Byzantine node runs the honest protocol, but every
 * message it sends to others is held, and the input decides what becomes of it. The input is a
 * program of one-byte operations with their arguments (reads past the end give zeros):
 *
 *   deliver K     deliver up to K queued messages          timer     fire the earliest timer
 *   raw T L B     hand L bytes B to node T, as from the Byzantine node (T = 255: to all)
 *   forward       send the oldest held message as intended  forward-to M   ... to the nodes in M
 *   drop          withhold the oldest held message
 *   mutate S A M  decode the oldest held message, change one field (S picks which, A by how
 *                 much: view, height, parent, vote data, relay, evidence, vote kind, sizes,
 *                 payload commitments, timestamp, the justify QC swapped for an older one), sign
 *                 it again with the Byzantine key and send it to M
 *   bitflip O B T flip one bit of the oldest held message (not re-signed) and send it to T
 *   replay I F T  send message I of the recent honest traffic to T, as it is or (F odd) as the
 *                 Byzantine node's own: re-addressed and re-signed
 *   restart N     crash honest node N and restart it from what it persisted (at most 4 times)
 *   craft T L B   decode B as a message; if it decodes, re-address and re-sign it as the
 *                 Byzantine node's and send it to T
 *
 * After the program the network runs on (all held messages forwarded, timers fired) for a
 * bounded number of steps. Throughout, the harness checks what it can see from outside: no
 * node asserts (the code's own assertions, and ASan/UBSan); every result code of
 * proto_node_recv is PROTO_OK or a PROTO_ERR_*; no two honest nodes decide different leaves at
 * one height; each honest node decides a chain (heights one apart, each leaf the child of the
 * one before); an honest node never sends two quorum votes for different leaves in one view,
 * restarts included; an honest node's view never goes back except by a restart; and every leaf
 * and certificate is released at the end.
 */
#include "tests/fuzz/driver.h"

#include "protocol/byzantine.h"
#include "protocol/node.h"

#include <stdlib.h>

#include <string.h>

#define NODES_MAX      7
#define HISTORY_MAX    32
#define QCS_MAX        4
#define RAW_MAX        8192
#define DELIVERIES_MAX 1500
#define EPILOGUE_MAX   300
#define TIMERS_MAX     200
#define RESTARTS_MAX   4
#define ALL_TARGETS    255

typedef struct Envelope {
    ProtoNodeId from;
    ProtoNodeId to; /* PROTO_NODE_NONE: a held broadcast */
    GBytes *bytes;
} Envelope;

typedef struct Net {
    uint32_t n;
    ProtoNodeId byz;
    ProtoCrypto *crypto;
    ProtoStakeTable *stake;
    ProtoShared *shared;
    ProtoNode *nodes[NODES_MAX];
    ProtoNodeConfig configs[NODES_MAX];
    ProtoTime timers[NODES_MAX][PROTO_TIMER_COUNT_];
    ProtoTime now;
    uint64_t rng;
    GQueue *queue; /* Envelope *, to deliver */
    GQueue *held;  /* Envelope *, the Byzantine node's, waiting for the input's decision */
    GBytes *history[HISTORY_MAX];
    uint32_t history_len, history_next;
    ProtoCert *qcs[QCS_MAX]; /* justify QCs of recent honest proposals */
    uint32_t qc_next;
    uint64_t deliveries, timer_fires, restarts;
    /* The invariants' records. */
    GHashTable *decided;          /* height (uint64 *) -> leaf commit (ProtoCommit *) */
    GHashTable *votes[NODES_MAX]; /* view (uint64 *) -> voted leaf (ProtoCommit *) */
    uint64_t height[NODES_MAX];
    ProtoCommit tip[NODES_MAX];
    ProtoView view[NODES_MAX];
} Net;

static uint64_t splitmix(void *user_data)
{
    uint64_t *x = user_data;
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static ProtoDecodeContext context_of(const Net *net)
{
    return (ProtoDecodeContext){.node_count = net->n, .pool = NULL, .endpoint_count = net->n};
}

static void envelope_free(gpointer data)
{
    Envelope *e = data;
    g_bytes_unref(e->bytes);
    g_free(e);
}

static void enqueue(GQueue *queue, ProtoNodeId from, ProtoNodeId to, GBytes *bytes)
{
    Envelope *e = g_new(Envelope, 1);
    *e = (Envelope){from, to, g_bytes_ref(bytes)};
    g_queue_push_tail(queue, e);
}

/* --- the invariants ------------------------------------------------------------------------ */

static void check_decide(Net *net, ProtoNodeId node, const ProtoAction *a)
{
    for (uint32_t i = a->leaf_count; i-- > 0;) { /* oldest first */
        const ProtoLeaf *leaf = a->leaves[i];
        uint64_t h = leaf->header.height;
        FUZZ_CHECK(h == net->height[node] + 1,
                   "node %u decided height %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, node, h,
                   net->height[node]);
        FUZZ_CHECK(net->height[node] == 0 || proto_commit_equal(&leaf->parent, &net->tip[node]),
                   "node %u decided a leaf at height %" G_GUINT64_FORMAT
                   " that does not extend its chain",
                   node, h);
        net->height[node] = h;
        net->tip[node] = leaf->commit;
        const ProtoCommit *other = g_hash_table_lookup(net->decided, &h);
        if (other == NULL) {
            g_hash_table_insert(net->decided, g_memdup2(&h, sizeof h),
                                g_memdup2(&leaf->commit, sizeof leaf->commit));
        } else {
            FUZZ_CHECK(proto_commit_equal(other, &leaf->commit),
                       "safety: honest nodes decided different leaves at height %" G_GUINT64_FORMAT,
                       h);
        }
    }
}

/* An honest node's message: remembered for replays, and checked for a second vote. */
static void observe_honest(Net *net, ProtoNodeId node, GBytes *bytes)
{
    if (net->history[net->history_next] != NULL) g_bytes_unref(net->history[net->history_next]);
    net->history[net->history_next] = g_bytes_ref(bytes);
    net->history_next = (net->history_next + 1) % HISTORY_MAX;
    if (net->history_len < HISTORY_MAX) net->history_len++;
    ProtoDecodeContext ctx = context_of(net);
    ProtoMsg msg;
    gsize len;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    FUZZ_CHECK(proto_msg_decode(data, len, &ctx, &msg) == PROTO_OK,
               "honest node %u sent a message that does not decode", node);
    if (msg.type == PROTO_MSG_QUORUM_VOTE) {
        const ProtoCommit *before = g_hash_table_lookup(net->votes[node], &msg.vote.view);
        FUZZ_CHECK(before == NULL || proto_commit_equal(before, &msg.vote.data),
                   "honest node %u voted for two leaves in view %" G_GUINT64_FORMAT, node,
                   msg.vote.view);
        if (before == NULL) {
            g_hash_table_insert(net->votes[node], g_memdup2(&msg.vote.view, sizeof(ProtoView)),
                                g_memdup2(&msg.vote.data, sizeof msg.vote.data));
        }
    }
    if (msg.type == PROTO_MSG_PROPOSAL && msg.proposal.justify_qc != NULL) {
        proto_cert_unref(net->qcs[net->qc_next]);
        net->qcs[net->qc_next] = proto_cert_ref(msg.proposal.justify_qc);
        net->qc_next = (net->qc_next + 1) % QCS_MAX;
    }
    proto_msg_clear(&msg);
}

static void check_view(Net *net, ProtoNodeId node)
{
    ProtoView view = proto_node_view(net->nodes[node]);
    FUZZ_CHECK(view >= net->view[node],
               "node %u went back from view %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, node,
               net->view[node], view);
    net->view[node] = view;
}

/* --- driving the nodes --------------------------------------------------------------------- */

static void execute(Net *net, ProtoNodeId node, ProtoAction *a)
{
    gboolean byz = node == net->byz;
    switch (a->kind) {
    case PROTO_ACTION_SEND:
        if (a->target >= net->n) break; /* no endpoints in this network */
        if (!byz) observe_honest(net, node, a->bytes);
        enqueue(byz && a->target != node ? net->held : net->queue, node, a->target, a->bytes);
        break;
    case PROTO_ACTION_BROADCAST:
        if (byz) {
            enqueue(net->held, node, PROTO_NODE_NONE, a->bytes);
            break;
        }
        observe_honest(net, node, a->bytes);
        for (uint32_t j = 0; j < net->n; j++) {
            if (j != node) enqueue(net->queue, node, j, a->bytes);
        }
        break;
    case PROTO_ACTION_TIMER_SET:
        FUZZ_CHECK(a->timer < PROTO_TIMER_COUNT_, "timer %u", a->timer);
        net->timers[node][a->timer] = a->at > net->now ? a->at : net->now;
        break;
    case PROTO_ACTION_TIMER_CANCEL:
        FUZZ_CHECK(a->timer < PROTO_TIMER_COUNT_, "timer %u", a->timer);
        net->timers[node][a->timer] = PROTO_TIME_NONE;
        break;
    case PROTO_ACTION_DECIDE:
        if (!byz) check_decide(net, node, a);
        break;
    case PROTO_ACTION_NOTE:
        break;
    }
    proto_action_clear(a);
}

static void drain(Net *net, ProtoNodeId node)
{
    ProtoAction a;
    while (proto_node_drain(net->nodes[node], &a))
        execute(net, node, &a);
    (void)proto_node_take_cpu(net->nodes[node]);
    if (node != net->byz) check_view(net, node);
}

static void recv_one(Net *net, ProtoNodeId from, ProtoNodeId to, GBytes *bytes)
{
    int rc = proto_node_recv(net->nodes[to], from, bytes, net->now);
    FUZZ_CHECK(rc <= 0 && rc > -PROTO_ERR_COUNT_, "proto_node_recv returned %d", rc);
    net->deliveries++;
    drain(net, to);
}

/* Sends `bytes` from the Byzantine node to the honest nodes in `mask` (bit i: honest node i
 * counting from 0 and skipping the Byzantine one), at once. */
static void send_byz(Net *net, GBytes *bytes, uint32_t mask)
{
    for (uint32_t j = 0, k = 0; j < net->n; j++) {
        if (j == net->byz) continue;
        if ((mask >> (k++ % 8)) & 1u) recv_one(net, net->byz, j, bytes);
    }
}

static uint32_t mask_of_target(const Net *net, uint8_t target)
{
    if (target == ALL_TARGETS) return 0xffu;
    return 1u << (target % (net->n - 1));
}

static void deliver(Net *net, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        Envelope *e = g_queue_pop_head(net->queue);
        if (e == NULL) return;
        recv_one(net, e->from, e->to, e->bytes);
        envelope_free(e);
    }
}

static void fire_timer(Net *net)
{
    if (net->timer_fires >= TIMERS_MAX) return;
    ProtoTime best = PROTO_TIME_NONE;
    uint32_t node = 0, timer = 0;
    for (uint32_t i = 0; i < net->n; i++) {
        for (uint32_t t = 0; t < PROTO_TIMER_COUNT_; t++) {
            if (net->timers[i][t] < best) best = net->timers[i][t], node = i, timer = t;
        }
    }
    if (best == PROTO_TIME_NONE) return;
    net->now = best;
    net->timers[node][timer] = PROTO_TIME_NONE;
    net->timer_fires++;
    proto_node_on_timer(net->nodes[node], timer, net->now);
    drain(net, node);
}

/* The oracle's own test (tests/fuzz/meson.build): with SHOTGLASS_FUZZ_PLANT=amnesia, honest
 * nodes lose what they persisted when they restart, as the amnesia behaviour does, which the
 * checks above must catch on a program that restarts a node that has decided and voted. */
static gboolean planted_amnesia(void)
{
    const char *plant = getenv("SHOTGLASS_FUZZ_PLANT");
    return plant != NULL && strcmp(plant, "amnesia") == 0;
}

static void restart(Net *net, ProtoNodeId node)
{
    if (net->restarts >= RESTARTS_MAX) return;
    net->restarts++;
    ProtoPersisted persisted;
    proto_node_persist(net->nodes[node], &persisted);
    if (planted_amnesia())
        proto_byzantine_on_restart(PROTO_BYZANTINE_AMNESIA, net->shared, &persisted);
    proto_node_free(net->nodes[node]);
    for (int t = 0; t < PROTO_TIMER_COUNT_; t++)
        net->timers[node][t] = PROTO_TIME_NONE;
    ProtoEnv env = {net->shared, proto_crypto_signer(net->crypto, node), splitmix, &net->rng, NULL,
                    NULL};
    net->nodes[node] = proto_node_new(&net->configs[node], &env);
    proto_node_restart(net->nodes[node], &persisted, net->now);
    proto_persisted_clear(&persisted);
    net->view[node] = 0; /* a restart may re-enter an earlier view */
    drain(net, node);
}

/* --- forging with the Byzantine key -------------------------------------------------------- */

static void sign(Net *net, const ProtoCommit *what, ProtoSignature *out)
{
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(net->crypto, net->byz), what, out, &cpu);
}

/* Makes `msg` the Byzantine node's: its sender, signer and every signature it can make. */
static void resign(Net *net, ProtoMsg *msg)
{
    ProtoCommit c;
    msg->sender = net->byz;
    ProtoCertKind kind = proto_msg_vote_kind(msg->type);
    if (kind != 0) {
        msg->vote.signer = net->byz;
        proto_vote_commit(kind, msg->vote.view, msg->vote.relay, &msg->vote.data, &c);
        sign(net, &c, &msg->vote.signature);
    }
    if (msg->type == PROTO_MSG_PROPOSAL || msg->type == PROTO_MSG_PROPOSAL_RESPONSE) {
        ProtoProposal *p = &msg->proposal;
        proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &c);
        sign(net, &c, &p->signature);
    }
    if (msg->type == PROTO_MSG_PROPOSAL_RESPONSE) {
        ProtoMsg inner = {.type = PROTO_MSG_PROPOSAL, .sender = net->byz};
        inner.proposal = msg->proposal;
        g_bytes_unref(msg->proposal_bytes);
        msg->proposal_bytes = proto_msg_encode(&inner, NULL);
        msg->vote.signer = net->byz;
    }
    if (msg->type == PROTO_MSG_DA_PROPOSAL || msg->type == PROTO_MSG_VID_SHARE ||
        msg->type == PROTO_MSG_VID_RESPONSE) {
        proto_dispersal_commit(msg->data.view, &msg->data.commit, &c);
        sign(net, &c, &msg->data.signature);
    }
}

static uint64_t add_signed(uint64_t value, uint8_t delta)
{
    return value + (uint64_t)(int64_t)(int8_t)delta;
}

static uint64_t add_size(uint64_t size, uint8_t delta)
{
    uint64_t changed = add_signed(size, delta);
    return changed <= PROTO_PAYLOAD_MAX ? changed : size;
}

/* Changes one field of a decoded message (see the header comment). */
static void mutate(Net *net, ProtoMsg *msg, uint8_t selector, uint8_t arg)
{
    ProtoProposal *p = &msg->proposal;
    switch (selector % 12) {
    case 0:
        p->view = add_signed(p->view, arg);
        msg->vote.view = add_signed(msg->vote.view, arg);
        msg->data.view = add_signed(msg->data.view, arg);
        msg->view = add_signed(msg->view, arg);
        break;
    case 1:
        p->header.height = add_signed(p->header.height, arg);
        break;
    case 2:
        p->parent.bytes[arg % PROTO_COMMIT_BYTES] ^= 1;
        break;
    case 3:
        msg->vote.data.bytes[arg % PROTO_COMMIT_BYTES] ^= 1;
        break;
    case 4:
        msg->vote.relay = (uint32_t)add_signed(msg->vote.relay, arg);
        break;
    case 5:
        proto_cert_unref(p->evidence);
        p->evidence = NULL;
        p->evidence_kind = PROTO_EVIDENCE_NONE;
        break;
    case 6:
        if (proto_msg_vote_kind(msg->type) != 0 && msg->type != PROTO_MSG_DA_VOTE) {
            msg->type = (ProtoMsgType)(PROTO_MSG_QUORUM_VOTE + arg % 5);
        }
        break;
    case 7: /* sizes stay what the encoder accepts (the decoder refuses larger ones) */
        msg->data.size = add_size(msg->data.size, arg);
        p->header.payload_size = add_size(p->header.payload_size, arg);
        break;
    case 8:
        p->header.payload_commit.bytes[arg % PROTO_COMMIT_BYTES] ^= 1;
        break;
    case 9:
        msg->data.commit.bytes[arg % PROTO_COMMIT_BYTES] ^= 1;
        break;
    case 10:
        p->header.timestamp = add_signed(p->header.timestamp, arg) * PROTO_MS;
        break;
    default: {
        ProtoCert *qc = net->qcs[arg % QCS_MAX];
        if (qc == NULL || p->justify_qc == NULL) break;
        proto_cert_unref(p->justify_qc);
        p->justify_qc = proto_cert_ref(qc);
        break;
    }
    }
}

/* Decodes `bytes`; on success re-addresses, mutates (when `selector` >= 0), re-signs and
 * returns the new encoding, else NULL. */
static GBytes *forge(Net *net, const uint8_t *data, size_t len, int selector, uint8_t arg)
{
    ProtoDecodeContext ctx = context_of(net);
    ProtoMsg msg;
    if (proto_msg_decode(data, len, &ctx, &msg) != PROTO_OK) return NULL;
    if (selector >= 0) mutate(net, &msg, (uint8_t)selector, arg);
    resign(net, &msg);
    GBytes *out = proto_msg_encode(&msg, NULL);
    proto_msg_clear(&msg);
    return out;
}

/* --- the program --------------------------------------------------------------------------- */

static void forward(Net *net, Envelope *e, uint32_t mask)
{
    if (e->to == PROTO_NODE_NONE) {
        send_byz(net, e->bytes, mask);
    } else if (mask == 0xffu || e->to == net->byz) {
        if (e->to != net->byz) recv_one(net, net->byz, e->to, e->bytes);
    } else {
        send_byz(net, e->bytes, mask);
    }
}

static void op_raw(Net *net, FuzzInput *in, gboolean craft)
{
    uint8_t target = fuzz_u8(in);
    const uint8_t *data;
    size_t len = fuzz_bytes(in, fuzz_u16(in) % RAW_MAX, &data);
    GBytes *bytes = craft ? forge(net, data, len, -1, 0) : g_bytes_new(data, len);
    if (bytes == NULL) return;
    send_byz(net, bytes, mask_of_target(net, target));
    g_bytes_unref(bytes);
}

static void op_held(Net *net, FuzzInput *in, uint8_t op)
{
    Envelope *e = g_queue_pop_head(net->held);
    if (e == NULL) {
        deliver(net, 1);
        return;
    }
    gsize len;
    const uint8_t *data = g_bytes_get_data(e->bytes, &len);
    if (op == 3) {
        forward(net, e, 0xffu);
    } else if (op == 4) {
        forward(net, e, fuzz_u8(in));
    } else if (op == 6) {
        uint8_t selector = fuzz_u8(in), arg = fuzz_u8(in), mask = fuzz_u8(in);
        GBytes *forged = forge(net, data, len, selector, arg);
        if (forged != NULL) send_byz(net, forged, mask);
        if (forged != NULL) g_bytes_unref(forged);
    } else if (op == 7) {
        uint16_t offset = fuzz_u16(in);
        uint8_t bit = fuzz_u8(in), target = fuzz_u8(in);
        uint8_t *copy = g_memdup2(data, len);
        if (len > 0) copy[offset % len] ^= (uint8_t)(1u << (bit % 8));
        GBytes *flipped = g_bytes_new_take(copy, len);
        send_byz(net, flipped, mask_of_target(net, target));
        g_bytes_unref(flipped);
    }
    envelope_free(e); /* op 5: dropped */
}

static void op_replay(Net *net, FuzzInput *in)
{
    uint8_t index = fuzz_u8(in), flags = fuzz_u8(in), target = fuzz_u8(in);
    if (net->history_len == 0) return;
    GBytes *old = net->history[index % net->history_len];
    gsize len;
    const uint8_t *data = g_bytes_get_data(old, &len);
    GBytes *bytes = flags & 1u ? forge(net, data, len, -1, 0) : g_bytes_ref(old);
    if (bytes == NULL) return;
    send_byz(net, bytes, mask_of_target(net, target));
    g_bytes_unref(bytes);
}

static void step(Net *net, FuzzInput *in)
{
    uint8_t op = fuzz_u8(in) % 11;
    switch (op) {
    case 0:
        if (net->deliveries < DELIVERIES_MAX) deliver(net, 1u + fuzz_u8(in));
        break;
    case 1:
        fire_timer(net);
        break;
    case 2:
        op_raw(net, in, FALSE);
        break;
    case 8:
        op_replay(net, in);
        break;
    case 9: {
        ProtoNodeId node = fuzz_u8(in) % (net->n - 1);
        restart(net, node >= net->byz ? node + 1 : node);
        break;
    }
    case 10:
        op_raw(net, in, TRUE);
        break;
    default:
        op_held(net, in, op);
        break;
    }
}

/* --- set-up and tear-down ------------------------------------------------------------------ */

static void net_init(Net *net, uint8_t shape)
{
    static const uint32_t sizes[] = {4, 5, 7, 4};
    memset(net, 0, sizeof *net);
    net->n = sizes[shape & 3u];
    net->byz = net->n - 1;
    net->rng = 42;
    uint8_t seeds[NODES_MAX][32], keys[NODES_MAX][32];
    uint64_t stakes[NODES_MAX];
    for (uint32_t i = 0; i < net->n; i++) {
        for (int b = 0; b < 32; b++)
            seeds[i][b] = (uint8_t)(i * 31 + b + 1);
        stakes[i] = 1;
    }
    ProtoCostTable costs;
    proto_cost_table_default(&costs);
    net->crypto =
        proto_crypto_new(PROTO_CRYPTO_MODELED, net->n, (const uint8_t(*)[32])seeds, &costs);
    for (uint32_t i = 0; i < net->n; i++)
        memcpy(keys[i], proto_crypto_public_key(net->crypto, i), 32);
    uint8_t beacon[32] = {7};
    net->stake = proto_stake_table_new(
        stakes, (const uint8_t(*)[32])keys, net->n,
        shape & 16u ? PROTO_LEADER_ROUND_ROBIN : PROTO_LEADER_STAKE_WEIGHTED, beacon);
    net->shared = proto_shared_new(net->crypto, net->stake);
    if (shape & 4u) {
        ProtoNodeId members[NODES_MAX];
        for (uint32_t i = 0; i < net->n - 1; i++)
            members[i] = i + 1; /* the Byzantine node is a member, node 0 is not */
        proto_shared_enable_da(net->shared, members, net->n - 1, !(shape & 8u), net->n);
    }
    net->queue = g_queue_new();
    net->held = g_queue_new();
    net->decided = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    for (uint32_t i = 0; i < net->n; i++) {
        net->votes[i] = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        proto_node_config_default(&net->configs[i], i);
        net->configs[i].three_chain = (shape & 32u) != 0;
        ProtoEnv env = {net->shared, proto_crypto_signer(net->crypto, i), splitmix, &net->rng, NULL,
                        NULL};
        net->nodes[i] = proto_node_new(&net->configs[i], &env);
        for (int t = 0; t < PROTO_TIMER_COUNT_; t++)
            net->timers[i][t] = PROTO_TIME_NONE;
    }
}

static void net_clear(Net *net)
{
    g_queue_free_full(net->queue, envelope_free);
    g_queue_free_full(net->held, envelope_free);
    for (uint32_t i = 0; i < HISTORY_MAX; i++) {
        if (net->history[i] != NULL) g_bytes_unref(net->history[i]);
    }
    for (uint32_t i = 0; i < QCS_MAX; i++)
        proto_cert_unref(net->qcs[i]);
    for (uint32_t i = 0; i < net->n; i++) {
        proto_node_free(net->nodes[i]);
        g_hash_table_unref(net->votes[i]);
    }
    g_hash_table_unref(net->decided);
    proto_shared_free(net->shared);
    proto_stake_table_free(net->stake);
    proto_crypto_free(net->crypto);
    FUZZ_CHECK(proto_leaf_live_count() == 0, "%" G_GUINT64_FORMAT " leaves leaked",
               proto_leaf_live_count());
    FUZZ_CHECK(proto_cert_live_count() == 0, "%" G_GUINT64_FORMAT " certificates leaked",
               proto_cert_live_count());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = {data, size, 0};
    Net net;
    net_init(&net, fuzz_u8(&in));
    for (uint32_t i = 0; i < net.n; i++) {
        proto_node_start(net.nodes[i], net.now);
        drain(&net, i);
    }
    while (!fuzz_input_done(&in) && net.deliveries < DELIVERIES_MAX)
        step(&net, &in);
    /* The epilogue: the Byzantine node turns honest, and the network runs on for a while. */
    uint64_t end = net.deliveries + EPILOGUE_MAX;
    for (int round = 0; round < 8 && net.deliveries < end; round++) {
        Envelope *e;
        while ((e = g_queue_pop_head(net.held)) != NULL) {
            forward(&net, e, 0xffu);
            envelope_free(e);
        }
        deliver(&net, (uint32_t)(end - net.deliveries));
        fire_timer(&net);
    }
    net_clear(&net);
    return 0;
}
