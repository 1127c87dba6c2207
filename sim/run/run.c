/* One HotShot run on the simulator; see run.h. */
#include "sim/run/run.h"

#include "sim/core/assert.h"
#include "sim/run/catchup.h"
#include "sim/run/faults.h"
#include "sim/net/clock.h"
#include "sim/net/placement.h"
#include "sim/core/units.h"

#include <string.h>

struct SimRun {
    SimRunConfig config; /* copy; pointers borrowed from the caller's config */
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    SimTransport *transport;
    gboolean *da_member;   /* per validator (the transport's topics) */
    SimMessage *last_sent; /* the last message sent (a reference): its digest, for the same bytes */
    ProtoCrypto *crypto;
    ProtoStakeTable *stake;
    ProtoEpochs *epochs; /* NULL without epochs */
    ProtoShared *shared;
    ProtoNode **nodes;                   /* NULL while crashed */
    ProtoPersisted *persisted;           /* state kept across a crash */
    ProtoByzantineKind *behaviour;       /* per node, now; NONE for honest nodes */
    uint8_t *windowed;                   /* per node: a byzantine window made it Byzantine */
    uint8_t *was_byzantine;              /* per node: Byzantine at some time of the run */
    ProtoByzantine **byzantine;          /* per node, while it runs */
    ProtoByzantineStats *behaviour_done; /* per node: what its behaviours did before restarts */
    ProtoNode **twins; /* per node: the second instance of a twins node, or NULL */
    ProtoByzantine **twin_byzantine;
    SimRng *twin_rngs;
    GQueue *twin_local; /* TwinDelivery: twins' messages to their own id, delivered after the
                           flush that sent them (the network cannot tell the twins apart) */
    GArray *rewritten;  /* scratch for Byzantine rewrites */
    SimRng *node_rngs;
    uint16_t net_type[PROTO_MSG_TYPE_COUNT_];
    SimFaults *faults;
    uint16_t *region_of; /* per validator, for selectors */
    AnaSafety *safety;
    AnaLiveness *liveness;
    AnaData *data;
    SimEndpoints *endpoints;
    SimProver *prover;           /* the L1 side, or NULL */
    AnaFinality *finality;       /* its records, or NULL */
    uint64_t finality_height;    /* without the data layer: the highest block recorded in it */
    SimCatchup *catchup;         /* epochs: joining validators' catch-up traffic, or NULL */
    uint32_t hosts;              /* validators and endpoints */
    uint32_t relays;             /* the transport's hosts after them (brokers, servers) */
    ProtoView dispersal_view;    /* a leader's dispersal being counted in the current flush */
    uint64_t dispersal_bytes[2]; /* DA proposals, VID shares */
    uint64_t dispersal_payload;
    const char *stop;        /* why an oracle or a stop condition of the run stopped it */
    const char *engine_stop; /* otherwise, why the engine stopped (sim_run_stop_description) */
    size_t node_memory_max;
    /* The stall watchdog (run.c): no event of its own, a deadline on each engine run. */
    SimDuration stall; /* the effective stall timeout: config.stall, or auto worked out */
    SimTime watch_at;  /* when an honest node last entered a view (faults keep their own) */
};

static void byzantine_free(SimByzantine *b);

void sim_run_config_init(SimRunConfig *c)
{
    *c = (SimRunConfig){
        .seed = 1,
        .rng_algorithm = sim_rng_xoshiro256ss,
        .nodes = 10,
        .placement = g_strdup("us-east-1:25%, eu-west-1:25%, ap-northeast-1:25%, sa-east-1:25%"),
        .uplink_bps = 1000000000,
        .downlink_bps = 1000000000,
        .jitter = SIM_DIST_NONE_INIT,
        .intra_region_one_way = SIM_TIME_NONE,
        .loss_mode = SIM_LOSS_RETRANSMIT,
        .retransmit_timeout = 200 * SIM_MS,
        .hold_max = 4 << 20, /* Linux's default tcp_wmem maximum: docs/calibration.md */
        .tcp_mode = SIM_TCP_IDEAL,
        .tcp_slow_start_after_idle = -1,
        .vcpus = 1,
        .transport = {.kind = SIM_TRANSPORT_DIRECT},
        .cdn_placement = g_strdup("us-east-1"),
        .cdn_marshal_region = g_strdup("us-east-1"),
        .web_region = g_strdup("us-east-1"),
        .crypto = PROTO_CRYPTO_MODELED,
        .leaders = PROTO_LEADER_STAKE_WEIGHTED,
        .view_timeout = 10 * SIM_S,
        .view_sync_timeout = 1 * SIM_S,
        .fetch_timeout = 1 * SIM_S,
        .stake_kind = SIM_STAKE_EQUAL,
        .drb_difficulty = 10, /* HotShot's tests (hotshot.md 1.3) */
        .end_time = SIM_TIME_NONE,
        .views_max = 100,
        .stall = SIM_STALL_AUTO,
        .faults = g_ptr_array_new_with_free_func((GDestroyNotify)sim_fault_free),
        .byzantine = g_ptr_array_new_with_free_func((GDestroyNotify)byzantine_free),
        .da_committee = 10,
        .synthetic = TRUE,
        .block_max = 1000000,
        .builder_delay = 100 * SIM_MS,
        .builder_timeout = 1 * SIM_S,
        .data_request_delay = 5 * SIM_S,
        .builder_region = g_strdup("us-east-1"),
        .tx_size = {SIM_DIST_CONSTANT, SIM_QUANTITY_SIZE, 300, 0, 0, FALSE},
        .rollup_placement = g_strdup("all"),
        .rollup_fetch = PROTO_ROLLUP_FROM_DA,
        .vid_scheme = PROTO_VID_SCHEME_AVIDM,
        .clock = g_strdup("reference"),
        .builder_api_timeout = 1 * SIM_S,
        .builder_vcpus = 1,
        .tx_end = SIM_TIME_NONE,
        .gst = SIM_TIME_NONE,
        .pre_gst_delay = {SIM_DIST_UNIFORM, SIM_QUANTITY_DURATION, 0, 2e9, 0, FALSE},
        .gst_delta = 1 * SIM_S,
        .l1_slot_time = 12 * SIM_S,
        .l1_inclusion_delay = {SIM_DIST_CONSTANT, SIM_QUANTITY_COUNT, 1, 0, 0, FALSE},
        .l1_finality_depth = 64,
        .l1_update_interval = 10 * SIM_MIN,
        .l1_retry_interval = 2 * SIM_S,
        .l1_proving_time = 24 * SIM_S,
        .l1_sign_cost = 161 * SIM_US,
        .l1_region = g_strdup("us-east-1"),
        .l1_settle_interval = 10 * SIM_MIN,
        .l1_settle_proving_time = 1 * SIM_MIN,
        .l1_settle_poll = 12 * SIM_S,
    };
    proto_cost_table_default(&c->costs);
    sim_transport_defaults(&c->transport);
}

void sim_run_config_clear(SimRunConfig *c)
{
    if (c->faults) g_ptr_array_unref(c->faults);
    if (c->byzantine) g_ptr_array_unref(c->byzantine);
    if (c->stake_list) g_array_unref(c->stake_list);
    if (c->stake_changes) g_array_unref(c->stake_changes);
    g_free(c->placement);
    g_free(c->clock);
    g_free(c->builder_region);
    g_free(c->rollup_placement);
    g_free(c->cdn_placement);
    g_free(c->cdn_marshal_region);
    g_free(c->web_region);
    g_free(c->l1_region);
    if (c->l1_named) g_array_unref(c->l1_named);
    g_free(c->rollup_l1s);
    if (c->rollup_l1) g_array_unref(c->rollup_l1);
    memset(c, 0, sizeof *c);
}

int64_t sim_run_l1_index(const SimRunConfig *c, const char *name)
{
    if (strcmp(name, "l1") == 0) return 0;
    for (guint k = 0; c->l1_named != NULL && k < c->l1_named->len; k++) {
        if (strcmp(g_array_index(c->l1_named, SimRunL1, k).name, name) == 0) return k + 1;
    }
    return -1;
}

void sim_run_config_add_fault(SimRunConfig *c, SimFaultKind kind, SimTime at,
                              const SimNodeSet *nodes)
{
    char *name = g_strdup_printf("%s-%u", sim_fault_kind_name(kind), c->faults->len + 1);
    SimFault *fault = sim_fault_new(kind, name);
    g_free(name);
    fault->at = (SimTrigger){SIM_TRIGGER_TIME, at};
    sim_selector_from_set(&fault->nodes, nodes);
    g_ptr_array_add(c->faults, fault);
}

void sim_run_config_take_fault(SimRunConfig *c, SimFault *fault)
{
    g_ptr_array_add(c->faults, fault);
}

static void byzantine_free(SimByzantine *b)
{
    sim_selector_clear(&b->nodes);
    g_free(b->name);
    g_free(b);
}

void sim_run_config_add_byzantine_selector(SimRunConfig *c, ProtoByzantineKind kind,
                                           const SimSelector *nodes, const char *name)
{
    SimByzantine *b = g_new0(SimByzantine, 1);
    b->kind = kind;
    b->name = g_strdup(name != NULL ? name : proto_byzantine_name(kind));
    sim_selector_copy(&b->nodes, nodes);
    g_ptr_array_add(c->byzantine, b);
}

void sim_run_config_add_byzantine(SimRunConfig *c, ProtoByzantineKind kind, const SimNodeSet *nodes)
{
    SimSelector selector;
    sim_selector_from_set(&selector, nodes);
    sim_run_config_add_byzantine_selector(c, kind, &selector, NULL);
    sim_selector_clear(&selector);
}

/* --- driving the nodes -------------------------------------------------------------------- */

static void check_stop(SimRun *run)
{
    if (run->stop != NULL) return;
    if (ana_safety_violated(run->safety)) {
        run->stop = "safety violation";
    } else if (run->data != NULL && ana_data_violated(run->data)) {
        run->stop = "data availability violation";
    } else if (run->config.views_max != 0 &&
               ana_liveness_max_view(run->liveness) > run->config.views_max) {
        run->stop = "views reached";
    } else if (run->config.blocks_max != 0 &&
               ana_liveness_blocks(run->liveness) >= run->config.blocks_max) {
        run->stop = "blocks reached";
    }
    if (run->stop != NULL) sim_engine_request_stop(run->engine, run->stop);
}

/* Who sends a validator's message, for traffic by role. */
static AnaRole role_of(ProtoMsgType type)
{
    switch ((int)type) {
    case PROTO_MSG_PROPOSAL:
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_DA_CERT:
    case PROTO_MSG_BLOCK_REQUEST:
        return ANA_ROLE_LEADER;
    case PROTO_MSG_DA_VOTE:
    case PROTO_MSG_VID_RESPONSE:
    case PROTO_MSG_NS_RESPONSE:
        return ANA_ROLE_DA_MEMBER;
    default:
        return ANA_ROLE_REPLICA;
    }
}

/* How HotShot transmits a message of `type` (hotshot.md section 2.4's table) and whether the
 * combined network sends it on libp2p only after a delay (HS network.rs: legacy quorum votes
 * and every DA-class message) or not at all (VID shares). DA proposals go to the committee
 * (DaCommitteeBroadcast). */
static SimSend send_of(const ProtoAction *a)
{
    SimSend send = {.cls = a->kind == PROTO_ACTION_BROADCAST ? SIM_SEND_BROADCAST : SIM_SEND_DIRECT,
                    .view = a->view};
    switch ((int)a->msg_type) {
    case PROTO_MSG_DA_PROPOSAL:
        if (send.cls == SIM_SEND_DIRECT) send.cls = SIM_SEND_DA_BROADCAST;
        send.delay_by_view = TRUE;
        send.da_class = TRUE;
        break;
    case PROTO_MSG_QUORUM_VOTE:
        send.delay_by_view = TRUE;
        break;
    case PROTO_MSG_DA_VOTE:
    case PROTO_MSG_DA_CERT:
        send.delay_by_view = TRUE;
        send.da_class = TRUE;
        break;
    case PROTO_MSG_VID_SHARE:
        send.delay_by_view = TRUE;
        send.da_class = TRUE;
        send.primary_only = TRUE; /* HS combined_network.rs vid_broadcast_message */
        break;
    default:
        break;
    }
    return send;
}

typedef struct TwinDelivery {
    uint32_t id;
    uint32_t side;
    GBytes *bytes;
} TwinDelivery;

/* An L1 fault: a reorg at its start, congestion for its window. */
static void l1_fault(void *user_data, const SimFault *fault, gboolean start, SimTime now)
{
    SimRun *run = user_data;
    if (run->prover == NULL) return;
    if (fault->kind == SIM_FAULT_L1_REORG) {
        if (start) sim_prover_reorg(run->prover, fault->l1, fault->depth, now);
        return;
    }
    SIM_ASSERT(fault->kind == SIM_FAULT_L1_CONGESTION);
    sim_prover_congest(run->prover, fault->l1, start ? &fault->slots : NULL, now);
}

/* The L1s of the run: the [l1] group's and the [l1.NAME] groups'. */
static uint32_t l1_count(const SimRunConfig *c)
{
    return 1 + (c->l1_named != NULL ? c->l1_named->len : 0);
}

/* Whether validator `id` signs light-client states: honest ones and lc_forge (a forged one). */
static gboolean signs_state(const SimRun *run, uint32_t id)
{
    ProtoByzantineKind b = run->behaviour[id];
    return b == PROTO_BYZANTINE_NONE || b == PROTO_BYZANTINE_LC_FORGE;
}

static gboolean has_twins(const SimRun *run, uint32_t id)
{
    return run->twins != NULL && run->behaviour[id] == PROTO_BYZANTINE_TWINS;
}

/* A twin's sends reach only the peers on its side; what it sends itself comes back to it. */
static void twin_send(SimRun *run, uint32_t id, uint32_t side, SimTime ready, SimMessage *message,
                      const ProtoAction *a)
{
    uint32_t n = run->config.nodes;
    if (a->kind == PROTO_ACTION_SEND && a->target == id) {
        TwinDelivery *d = g_new(TwinDelivery, 1);
        *d = (TwinDelivery){id, side, g_bytes_ref(a->bytes)};
        g_queue_push_tail(run->twin_local, d);
    } else if (a->kind == PROTO_ACTION_SEND) {
        if (a->target >= n || proto_byzantine_twin_side(a->target, n) == side) {
            SimSend send = send_of(a);
            sim_transport_send(run->transport, ready, message, &send, &a->target, 1);
        }
    } else {
        uint32_t *targets = g_new(uint32_t, n);
        size_t count = 0;
        for (uint32_t p = 0; p < n; p++) {
            if (p != id && proto_byzantine_twin_side(p, n) == side) targets[count++] = p;
        }
        SimSend send = {.cls = SIM_SEND_DIRECT};
        sim_transport_send(run->transport, ready, message, &send, targets, count);
        g_free(targets);
    }
}

/* The oracles' and counters' view of one send action, whose bytes leave the sender `copies`
 * times. */
static void account_send(SimRun *run, uint32_t id, const ProtoAction *a, uint64_t copies)
{
    if (run->data != NULL) {
        ana_data_on_send(run->data, role_of(a->msg_type), a->msg_type, a->size, copies);
        if (a->msg_type == PROTO_MSG_DA_PROPOSAL || a->msg_type == PROTO_MSG_VID_SHARE) {
            run->dispersal_bytes[a->msg_type == PROTO_MSG_VID_SHARE] += a->size * copies;
        }
    }
    ana_safety_on_send(run->safety, id, a->msg_type, a->bytes, sim_engine_now(run->engine));
}

/*
 * Sends actions[0 .. count): one action, or a run of SENDs of the same bytes and type (a DA
 * proposal to each committee member), which the transport may carry as one topic broadcast.
 */
static void send_actions(SimRun *run, uint32_t id, uint32_t side, SimTime ready,
                         const ProtoAction *actions, guint count)
{
    const ProtoAction *a = &actions[0];
    SimMessage *message =
        sim_message_new_from(id, run->net_type[a->msg_type], a->bytes, a->size, run->last_sent);
    if (run->last_sent != NULL) sim_message_unref(run->last_sent);
    run->last_sent = sim_message_ref(message);
    if (has_twins(run, id)) {
        for (guint i = 0; i < count; i++) {
            account_send(run, id, &actions[i],
                         a->kind == PROTO_ACTION_BROADCAST ? run->config.nodes - 1 : 1);
            twin_send(run, id, side, ready, message, &actions[i]);
        }
    } else {
        SimSend send = send_of(a);
        uint32_t stack[64];
        uint32_t *targets = count <= G_N_ELEMENTS(stack) ? stack : g_new(uint32_t, count);
        for (guint i = 0; i < count; i++)
            targets[i] = actions[i].target;
        /* Counted as the copies that leave the sender's uplink: one per recipient host to
         * host, one for all of them when a relay fans a broadcast out. */
        uint64_t copies = sim_transport_uplink_copies(run->transport, id, &send, targets, count);
        for (guint i = 0; i < count; i++) {
            uint64_t share = copies / count + (i < copies % count ? 1 : 0);
            account_send(run, id, &actions[i], share);
        }
        sim_transport_send(run->transport, ready, message, &send, targets, count);
        if (targets != stack) g_free(targets);
    }
    sim_message_unref(message);
}

/* How many actions from `first` one send carries: a run of SENDs of the same message to
 * different targets, or one. */
static guint send_run(const GArray *actions, guint first)
{
    const ProtoAction *a = &g_array_index(actions, ProtoAction, first);
    if (a->kind != PROTO_ACTION_SEND || a->msg_type != PROTO_MSG_DA_PROPOSAL) return 1;
    guint end = first + 1;
    while (end < actions->len) {
        const ProtoAction *b = &g_array_index(actions, ProtoAction, end);
        if (b->kind != PROTO_ACTION_SEND || b->msg_type != a->msg_type || b->bytes != a->bytes ||
            b->size != a->size)
            break;
        end++;
    }
    return end - first;
}

static void execute(SimRun *run, uint32_t id, uint32_t side, SimTime ready, ProtoAction *action);

/* DA notes feed the DA oracle; a leader's block-ready note opens the count of its dispersal's
 * bytes, which the same flush then sends. */
static void data_note(SimRun *run, uint32_t id, const ProtoAction *a)
{
    if (run->data == NULL) return;
    if (a->note == PROTO_NOTE_DA_STORED) ana_data_on_stored(run->data, id, a->view, &a->commit);
    if (a->note == PROTO_NOTE_SHARE_STORED) {
        ana_data_on_share(run->data, id, a->view, &a->commit, (uint32_t)a->value);
    }
    if (a->note == PROTO_NOTE_BLOCK_READY) {
        run->dispersal_view = a->view;
        run->dispersal_bytes[0] = run->dispersal_bytes[1] = 0;
        run->dispersal_payload = (uint64_t)a->value;
    }
}

static ProtoNode *instance(const SimRun *run, uint32_t id, uint32_t side)
{
    return side == 0 ? run->nodes[id] : run->twins[id];
}

static void flush_side(SimRun *run, uint32_t id, uint32_t side);

/* Twins' messages to themselves, in the order sent. */
static void deliver_twin_local(SimRun *run)
{
    TwinDelivery *d;
    while ((d = g_queue_pop_head(run->twin_local)) != NULL) {
        ProtoNode *node = instance(run, d->id, d->side);
        if (node != NULL) {
            proto_node_recv(node, d->id, d->bytes, sim_engine_now(run->engine));
            flush_side(run, d->id, d->side);
        }
        g_bytes_unref(d->bytes);
        g_free(d);
    }
}

/* Charges the node's work to its host and carries out what it asked for (rewritten first by
 * its behaviour when it is Byzantine). `side` picks the instance of a twins node. */
static void flush_side(SimRun *run, uint32_t id, uint32_t side)
{
    ProtoNode *node = instance(run, id, side);
    ProtoByzantine *behaviour = side == 0 ? run->byzantine[id] : run->twin_byzantine[id];
    SimTime now = sim_engine_now(run->engine);
    ProtoAction a;
    GArray *actions = run->rewritten;
    g_array_set_size(actions, 0);
    while (proto_node_drain(node, &a)) {
        if (behaviour != NULL) {
            proto_byzantine_rewrite(behaviour, &a, actions, now);
        } else {
            g_array_append_val(actions, a);
        }
    }
    /* Charged after the rewrite: a behaviour's extra signatures cost CPU too. */
    ProtoDuration parallel = proto_node_take_parallel_cpu(node);
    SimTime ready =
        sim_network_cpu_charge_parallel(run->network, id, proto_node_take_cpu(node), parallel);
    run->dispersal_view = 0;
    for (guint i = 0; i < actions->len;) {
        ProtoAction *next = &g_array_index(actions, ProtoAction, i);
        if (next->kind == PROTO_ACTION_SEND || next->kind == PROTO_ACTION_BROADCAST) {
            guint count = send_run(actions, i);
            send_actions(run, id, side, ready, next, count);
            for (guint k = 0; k < count; k++)
                proto_action_clear(&next[k]);
            i += count;
            continue;
        }
        execute(run, id, side, ready, next);
        i++;
    }
    if (run->dispersal_view != 0) {
        ana_data_on_dispersal(run->data, run->dispersal_view, run->dispersal_bytes[0],
                              run->dispersal_bytes[1], run->dispersal_payload);
        run->dispersal_view = 0;
    }
    g_array_set_size(actions, 0);
    check_stop(run);
    if (run->twin_local != NULL && !g_queue_is_empty(run->twin_local)) deliver_twin_local(run);
}

static void flush(SimRun *run, uint32_t id)
{
    flush_side(run, id, 0);
}

/* The L1 side without the data layer (which otherwise records decided blocks for it): each
 * block's first honest decide, for the light-client lag (analysis/finality.h). `leaves` come
 * newest first. */
static void record_decided_blocks(SimRun *run, ProtoLeaf *const *leaves, uint32_t count,
                                  SimTime ready)
{
    for (uint32_t i = count; i-- > 0;) {
        const ProtoLeaf *leaf = leaves[i];
        if (leaf->header.height <= run->finality_height) continue;
        run->finality_height = leaf->header.height;
        ana_finality_on_block(run->finality, leaf->header.height, leaf->commit.bytes, ready);
    }
}

static void execute(SimRun *run, uint32_t id, uint32_t side, SimTime ready, ProtoAction *action)
{
    SimTime now = sim_engine_now(run->engine);
    ProtoAction a = *action;
    {
        switch (a.kind) {
        case PROTO_ACTION_SEND:
        case PROTO_ACTION_BROADCAST:
            SIM_UNREACHABLE(); /* flush_side sends them (send_actions) */
        case PROTO_ACTION_TIMER_SET:
            sim_network_timer_set(run->network, id, a.timer + side * PROTO_TIMER_COUNT_,
                                  sim_time_max(a.at, now));
            break;
        case PROTO_ACTION_TIMER_CANCEL:
            sim_network_timer_cancel(run->network, id, a.timer + side * PROTO_TIMER_COUNT_);
            break;
        case PROTO_ACTION_DECIDE:
            ana_safety_on_decide(run->safety, id, a.leaves, a.leaf_count, ready);
            if (run->epochs != NULL) {
                ana_safety_on_decide_qcs(run->safety, id, a.leaves, a.leaf_count, a.qc, ready);
            }
            ana_liveness_on_decide(run->liveness, id, a.leaves, a.leaf_count, ready);
            if (run->data != NULL) ana_data_on_decide(run->data, id, a.leaves, a.leaf_count, ready);
            if (run->data == NULL && run->finality != NULL && !sim_run_is_byzantine(run, id)) {
                record_decided_blocks(run, a.leaves, a.leaf_count, ready);
            }
            if (run->endpoints != NULL && !sim_run_is_byzantine(run, id)) {
                sim_endpoints_on_decide(run->endpoints, id, a.leaves, a.leaf_count, ready);
            }
            if (run->prover != NULL && signs_state(run, id)) {
                gboolean forge = run->behaviour[id] == PROTO_BYZANTINE_LC_FORGE;
                sim_prover_on_decide(run->prover, id, a.leaves, a.leaf_count, forge, ready);
            }
            if (run->catchup != NULL && !sim_run_is_byzantine(run, id)) {
                sim_catchup_on_decide(run->catchup, id, a.leaves, a.leaf_count, ready);
            }
            break;
        case PROTO_ACTION_NOTE:
            ana_liveness_on_note(run->liveness, id, a.note, a.view, a.value, ready);
            if (a.note == PROTO_NOTE_DA_STORED) {
                ana_safety_on_stored(run->safety, id, a.view, &a.commit);
            }
            data_note(run, id, &a);
            if (proto_byzantine_in_consensus(run->behaviour[id])) break;
            sim_faults_on_note(run->faults, &a, ready);
            if (a.note == PROTO_NOTE_VIEW_ENTERED) run->watch_at = now; /* progress */
            break;
        }
        if (run->config.observer != NULL &&
            (a.kind == PROTO_ACTION_NOTE || a.kind == PROTO_ACTION_DECIDE)) {
            run->config.observer(run->config.observer_data, id, &a, ready);
        }
        proto_action_clear(&a);
    }
}

static void on_receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                       void *user_data)
{
    (void)network;
    SimRun *run = user_data;
    if (run->config.message_observer != NULL) {
        run->config.message_observer(run->config.message_observer_data, host,
                                     sim_message_source(message), sim_message_bytes(message));
    }
    if (sim_prover_takes(run->prover, host, message)) {
        sim_prover_receive(run->prover, host, message, now);
        return;
    }
    if (sim_catchup_owns(run->catchup, message)) {
        if (host < run->config.nodes) sim_catchup_receive(run->catchup, host, message, now);
        return;
    }
    if (host >= run->config.nodes) {
        sim_endpoints_receive(run->endpoints, host, message, now);
        return;
    }
    uint32_t source = sim_message_source(message);
    /* Peers talk to the twin on their side; endpoints (builder, rollups) to the first. */
    uint32_t side = has_twins(run, host) && source < run->config.nodes
                        ? proto_byzantine_twin_side(source, run->config.nodes)
                        : 0;
    ProtoNode *node = instance(run, host, side);
    if (node == NULL) return;
    int rc = proto_node_recv(node, source, sim_message_bytes(message), now);
    /* The certificates a node takes on (an unsafe proposal's QC included) go to the oracle. */
    if (rc == PROTO_OK || rc == PROTO_ERR_UNSAFE) {
        ana_safety_on_accept(run->safety, host, sim_message_bytes(message), now);
    }
    flush_side(run, host, side);
}

static void on_timer(SimNetwork *network, uint32_t host, uint32_t timer, SimTime now,
                     void *user_data)
{
    (void)network;
    SimRun *run = user_data;
    if (sim_prover_takes_timer(run->prover, host, timer)) {
        sim_prover_timer(run->prover, host, timer, now);
        return;
    }
    if (host >= run->config.nodes) {
        sim_endpoints_timer(run->endpoints, host, timer, now);
        return;
    }
    uint32_t side = timer / PROTO_TIMER_COUNT_;
    ProtoNode *node = instance(run, host, side);
    if (node == NULL) return;
    proto_node_on_timer(node, timer % PROTO_TIMER_COUNT_, now);
    flush_side(run, host, side);
}

static uint64_t node_random(void *user_data)
{
    return sim_rng_u64(user_data);
}

/* HotShot's is_primary_down: the combined network's flag for the node (never without one). */
static gboolean node_primary_down(void *user_data, ProtoNodeId id)
{
    const SimRun *run = user_data;
    const SimCombined *combined =
        run->transport != NULL ? sim_transport_combined(run->transport) : NULL;
    return combined != NULL && sim_combined_primary_down(combined, id);
}

static ProtoNode *new_instance(SimRun *run, uint32_t id, SimRng *rng)
{
    ProtoNodeConfig config;
    proto_node_config_default(&config, id);
    config.view_timeout = (SimDuration)(((ProtoU128)run->config.view_timeout *
                                         sim_faults_timeout_ppm(run->faults, id)) /
                                        SIM_PPM_ONE);
    config.view_sync_timeout = run->config.view_sync_timeout;
    config.fetch_timeout = run->config.fetch_timeout;
    config.three_chain = run->config.three_chain;
    config.test_disable_lock_check = run->config.test_disable_lock_check;
    config.test_own_proposal_check = run->config.test_own_proposal_check;
    config.test_last_votes_to_current_leader = run->config.test_last_votes_to_current_leader;
    config.mutant = run->config.mutant;
    if (run->config.da) {
        config.builder = run->config.nodes; /* the first endpoint */
        config.builder_timeout = run->config.builder_timeout;
        config.data_request_delay = run->config.data_request_delay;
        config.test_silent_local_share = run->config.test_silent_local_share;
    }
    proto_byzantine_configure(run->behaviour[id], &config);
    ProtoEnv env = {run->shared,       proto_crypto_signer(run->crypto, id),
                    node_random,       rng,
                    node_primary_down, run};
    return proto_node_new(&config, &env);
}

/* The node (and, for twins, its second instance), wrapped by its behaviour if Byzantine. */
static ProtoNode *make_node(SimRun *run, uint32_t id)
{
    SIM_ASSERT(run->byzantine[id] == NULL);
    ProtoNode *node = new_instance(run, id, &run->node_rngs[id]);
    if (run->behaviour[id] != PROTO_BYZANTINE_NONE) {
        run->byzantine[id] = proto_byzantine_new(run->behaviour[id], node);
    }
    if (has_twins(run, id)) {
        run->twins[id] = new_instance(run, id, &run->twin_rngs[id]);
        run->twin_byzantine[id] = proto_byzantine_new(run->behaviour[id], run->twins[id]);
    }
    return node;
}

static void add_stats(ProtoByzantineStats *to, const ProtoByzantine *behaviour)
{
    if (behaviour == NULL) return;
    const ProtoByzantineStats *s = proto_byzantine_stats(behaviour);
    to->kept += s->kept;
    to->dropped += s->dropped;
    to->changed += s->changed;
    to->added += s->added;
}

void sim_run_behaviour_stats(const SimRun *run, uint32_t id, ProtoByzantineStats *out)
{
    SIM_ASSERT(id < run->config.nodes);
    *out = run->behaviour_done[id];
    add_stats(out, run->byzantine[id]);
    if (run->twins != NULL) add_stats(out, run->twin_byzantine[id]);
}

static void drop_node(SimRun *run, uint32_t id)
{
    add_stats(&run->behaviour_done[id], run->byzantine[id]);
    if (run->twins != NULL) add_stats(&run->behaviour_done[id], run->twin_byzantine[id]);
    proto_byzantine_free(run->byzantine[id]);
    run->byzantine[id] = NULL;
    proto_node_free(run->nodes[id]);
    run->nodes[id] = NULL;
    if (run->twins != NULL) {
        proto_byzantine_free(run->twin_byzantine[id]);
        run->twin_byzantine[id] = NULL;
        proto_node_free(run->twins[id]);
        run->twins[id] = NULL;
    }
}

/* --- faults ------------------------------------------------------------------------------------
 */

static void crash_node(void *user_data, uint32_t id)
{
    SimRun *run = user_data;
    if (sim_prover_owns(run->prover, id)) { /* the state relay or the prover */
        sim_network_host_crash(run->network, id);
        sim_prover_host_down(run->prover, id, sim_engine_now(run->engine));
        return;
    }
    if (id >= run->config.nodes) { /* a relay (broker, server): no protocol state */
        sim_network_host_crash(run->network, id);
        sim_transport_host_down(run->transport, id);
        return;
    }
    if (run->nodes[id] == NULL) return;
    proto_node_persist(run->nodes[id], &run->persisted[id]);
    size_t memory = proto_node_memory(run->nodes[id]);
    if (memory > run->node_memory_max) run->node_memory_max = memory;
    drop_node(run, id);
    sim_network_host_crash(run->network, id);
    sim_transport_host_down(run->transport, id);
}

static void restart_node(void *user_data, uint32_t id)
{
    SimRun *run = user_data;
    if (sim_prover_owns(run->prover, id)) {
        if (sim_network_host(run->network, id)->status == SIM_HOST_UP) return;
        sim_network_host_restart(run->network, id);
        sim_prover_host_up(run->prover, id, sim_engine_now(run->engine));
        return;
    }
    if (id >= run->config.nodes) {
        if (sim_network_host(run->network, id)->status == SIM_HOST_UP) return;
        sim_network_host_restart(run->network, id);
        sim_transport_host_up(run->transport, id);
        return;
    }
    if (run->nodes[id] != NULL) return;
    sim_network_host_restart(run->network, id);
    sim_transport_host_up(run->transport, id);
    run->nodes[id] = make_node(run, id);
    SimTime now = sim_engine_now(run->engine);
    proto_byzantine_on_restart(run->behaviour[id], run->shared, &run->persisted[id]);
    proto_node_restart(run->nodes[id], &run->persisted[id], now);
    if (run->twins != NULL && run->twins[id] != NULL) {
        proto_node_restart(run->twins[id], &run->persisted[id], now);
    }
    proto_persisted_clear(&run->persisted[id]);
    flush(run, id);
    if (run->twins != NULL && run->twins[id] != NULL) flush_side(run, id, 1);
}

/* --- construction --------------------------------------------------------------------------------
 */

static gboolean build_stakes(const SimRunConfig *c, uint64_t *stakes, GError **error)
{
    switch (c->stake_kind) {
    case SIM_STAKE_EQUAL:
        proto_stake_equal(c->nodes, 1, stakes);
        return TRUE;
    case SIM_STAKE_ZIPF:
        proto_stake_zipf(c->nodes, c->stake_zipf_ppm, 1000000, stakes);
        return TRUE;
    case SIM_STAKE_LIST:
        if (c->stake_list == NULL || c->stake_list->len != c->nodes) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "the stake list has %u entries for %u nodes",
                        c->stake_list ? c->stake_list->len : 0, c->nodes);
            return FALSE;
        }
        memcpy(stakes, c->stake_list->data, sizeof(uint64_t) * c->nodes);
        for (uint32_t i = 0; i < c->nodes; i++) {
            if (stakes[i] == 0) continue;
            return TRUE; /* at least one node has stake */
        }
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "every stake is zero");
        return FALSE;
    }
    SIM_UNREACHABLE();
}

void sim_run_tcp_config(const SimRunConfig *c, SimTcpConfig *tcp)
{
    sim_tcp_preset(c->tcp_mode, tcp);
    if (!tcp->enabled) return;
    if (c->tcp_window > 0) tcp->window = c->tcp_window;
    if (c->tcp_initial_window > 0) tcp->initial_window = c->tcp_initial_window;
    if (c->tcp_mss > 0) tcp->mss = c->tcp_mss;
    if (c->tcp_slow_start_after_idle >= 0)
        tcp->slow_start_after_idle = c->tcp_slow_start_after_idle;
    SIM_ASSERT(tcp->window > 0 && tcp->mss > 0 && tcp->initial_window > 0);
}

/* The view a validator is in now (0 while crashed): the combined network's delay-by-view. */
static uint64_t view_of(void *user_data, uint32_t host)
{
    SimRun *run = user_data;
    return host < run->config.nodes && run->nodes[host] != NULL ? proto_node_view(run->nodes[host])
                                                                : 0;
}

static gboolean build_network(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    run->regions = sim_regions_new_default(error);
    if (run->regions == NULL) return FALSE;
    sim_regions_set_intra_one_way(run->regions, c->intra_region_one_way);
    run->region_of = g_new(uint16_t, c->nodes);
    if (!sim_placement_assign(run->regions, c->placement, c->nodes, run->region_of, error)) {
        return FALSE;
    }
    SimNetworkConfig net = {.seed = c->seed,
                            .rng_algorithm = c->rng_algorithm,
                            .regions = run->regions,
                            .jitter = c->jitter,
                            .loss_ppm = c->loss_ppm,
                            .loss_mode = c->loss_mode,
                            .retransmit_timeout = c->retransmit_timeout,
                            .hold_max = c->hold_max};
    sim_run_tcp_config(c, &net.tcp);
    SimRelaySetup setup = c->transport;
    setup.seed = c->seed;
    setup.rng_algorithm = c->rng_algorithm;
    setup.regions = run->regions;
    setup.validators = c->nodes;
    setup.first_relay = run->hosts;
    setup.cdn.placement = c->cdn_placement;
    setup.cdn.marshal_region = c->cdn_marshal_region;
    setup.web.region = c->web_region;
    if (c->da) {
        run->da_member = g_new0(gboolean, c->nodes);
        for (uint32_t i = 0; i < c->da_committee && i < c->nodes; i++)
            run->da_member[i] = TRUE; /* build_da's committee: validators 0 .. m-1 */
        setup.da_member = run->da_member;
    }
    setup.view_of = view_of;
    setup.view_data = run;
    run->relays = sim_transport_relay_count(&setup);
    run->network = sim_network_new(
        run->engine, &net, run->hosts + run->relays + (c->l1 ? sim_prover_hosts(l1_count(c)) : 0));
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++) {
        run->net_type[t] = sim_network_register_type(run->network, proto_msg_type_name(t));
    }
    sim_network_set_handlers(run->network, on_receive, on_timer, run);
    uint64_t *clock = g_new(uint64_t, c->nodes);
    if (!sim_clock_assign(c->clock, c->nodes, clock, error)) {
        g_free(clock);
        return FALSE;
    }
    for (uint32_t i = 0; i < c->nodes; i++) {
        SimHostConfig host = {run->region_of[i], c->uplink_bps, c->downlink_bps, c->vcpus,
                              clock[i]};
        sim_network_host_configure(run->network, i, &host);
    }
    g_free(clock);
    run->transport = sim_transport_new(run->network, &setup, on_receive, run, error);
    return run->transport != NULL;
}

/* Whether the scenario's VID disperses shares (every scheme but none). */
static gboolean vid_disperses(const SimRunConfig *c)
{
    return c->vid_scheme != PROTO_VID_SCHEME_NONE;
}

/* Keys, beacon and per-node streams come from the seed, each from its own named stream. */
static gboolean build_committee(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    uint8_t(*seeds)[32] = g_malloc((size_t)c->nodes * 32);
    for (uint32_t i = 0; i < c->nodes; i++) {
        SimRng key;
        sim_rng_init(&key, c->rng_algorithm, c->seed, "node.key", i);
        sim_rng_bytes(&key, seeds[i], 32);
        sim_rng_clear(&key);
    }
    /* The scheme prices VID work (protocol/vid_cost.h); without DA, none changes nothing. */
    ProtoCostTable costs = c->costs;
    costs.vid_scheme =
        c->da || c->vid_scheme != PROTO_VID_SCHEME_NONE ? c->vid_scheme : PROTO_VID_SCHEME_AVIDM;
    run->crypto = proto_crypto_new(c->crypto, c->nodes, (const uint8_t(*)[32])seeds, &costs);
    g_free(seeds);
    uint64_t *stakes = g_new(uint64_t, c->nodes);
    if (!build_stakes(c, stakes, error)) {
        g_free(stakes);
        return FALSE;
    }
    uint8_t(*keys)[32] = g_malloc((size_t)c->nodes * 32);
    for (uint32_t i = 0; i < c->nodes; i++)
        memcpy(keys[i], proto_crypto_public_key(run->crypto, i), 32);
    uint8_t beacon[32];
    SimRng beacon_rng;
    sim_rng_init(&beacon_rng, c->rng_algorithm, c->seed, "leader.beacon", 0);
    sim_rng_bytes(&beacon_rng, beacon, sizeof beacon);
    sim_rng_clear(&beacon_rng);
    run->stake =
        proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, c->nodes, c->leaders, beacon);
    if (c->epoch_length > 0) {
        const GArray *changes = c->stake_changes;
        run->epochs = proto_epochs_new(
            c->epoch_length, stakes, (const uint8_t(*)[32])keys, c->nodes, c->leaders, beacon,
            changes != NULL ? (const ProtoStakeChange *)(void *)changes->data : NULL,
            changes != NULL ? changes->len : 0);
    }
    g_free(stakes);
    g_free(keys);
    run->shared = proto_shared_new(run->crypto, run->stake);
    if (run->epochs != NULL) {
        proto_shared_enable_epochs(run->shared, run->epochs, c->drb_difficulty);
    }
    return TRUE;
}

/* The DA committee and the DA oracle, once the behaviours are known. */
static void build_da(SimRun *run)
{
    const SimRunConfig *c = &run->config;
    if (c->da) {
        ProtoNodeId *members = g_new(ProtoNodeId, c->da_committee);
        for (uint32_t i = 0; i < c->da_committee; i++)
            members[i] = i;
        proto_shared_enable_da(run->shared, members, c->da_committee, c->synthetic, run->hosts);
        run->shared->dispersal = vid_disperses(c);
        g_free(members);
        run->data = ana_data_new(c->nodes, run->shared->vid->threshold);
        for (uint32_t id = 0; id < c->nodes; id++) {
            if (proto_byzantine_in_consensus(run->behaviour[id]))
                ana_data_set_byzantine(run->data, id, TRUE);
        }
    }
}

static void build_nodes(SimRun *run)
{
    const SimRunConfig *c = &run->config;
    run->nodes = g_new0(ProtoNode *, c->nodes);
    run->byzantine = g_new0(ProtoByzantine *, c->nodes);
    run->behaviour_done = g_new0(ProtoByzantineStats, c->nodes);
    for (uint32_t i = 0; i < c->nodes && run->twins == NULL; i++) {
        if (run->behaviour[i] != PROTO_BYZANTINE_TWINS) continue;
        run->twins = g_new0(ProtoNode *, c->nodes);
        run->twin_byzantine = g_new0(ProtoByzantine *, c->nodes);
        run->twin_rngs = g_new0(SimRng, c->nodes);
        run->twin_local = g_queue_new();
    }
    run->persisted = g_new0(ProtoPersisted, c->nodes);
    run->node_rngs = g_new(SimRng, c->nodes);
    for (uint32_t i = 0; i < c->nodes; i++) {
        sim_rng_init(&run->node_rngs[i], c->rng_algorithm, c->seed, "node.protocol", i);
        if (run->twins != NULL) {
            sim_rng_init(&run->twin_rngs[i], c->rng_algorithm, c->seed, "node.twin", i);
        }
        run->nodes[i] = make_node(run, i);
    }
}

static ProtoNodeId leader_callback(const void *data, uint64_t view)
{
    return sim_run_leader(data, view);
}

static SimSelectorContext selector_context(const SimRun *run)
{
    return (SimSelectorContext){.node_count = run->config.nodes,
                                .regions = run->region_of,
                                .stake = run->stake,
                                .leader = run->epochs != NULL ? leader_callback : NULL,
                                .leader_data = run,
                                .da_committee = run->config.da ? run->config.da_committee : 0,
                                .view = run->faults ? sim_faults_view(run->faults) : 0,
                                .first_relay = run->hosts,
                                .brokers = sim_transport_brokers(run->transport),
                                .marshal = sim_transport_brokers(run->transport) > 0,
                                .servers = sim_transport_servers(run->transport),
                                .first_l1 = run->hosts + run->relays,
                                .l1 = run->config.l1,
                                .l1s = l1_count(&run->config)};
}

/* The oracles' view of whether `id` is Byzantine now. */
static void mark_byzantine(SimRun *run, uint32_t id, gboolean byzantine)
{
    byzantine = byzantine && proto_byzantine_in_consensus(run->behaviour[id]);
    ana_safety_set_byzantine(run->safety, id, byzantine);
    ana_liveness_set_byzantine(run->liveness, id, byzantine);
    if (run->data != NULL) ana_data_set_byzantine(run->data, id, byzantine);
    if (byzantine) run->was_byzantine[id] = TRUE;
}

/* A byzantine window starts (`kind`) or ends (NONE) on `id`: the running node is wrapped by the
 * behaviour, or unwrapped, and the oracles judge it accordingly from now on. A node that is
 * Byzantine already (for the whole run, or by another window) is left as it is. */
static void behave_node(void *user_data, uint32_t id, ProtoByzantineKind kind)
{
    SimRun *run = user_data;
    gboolean start = kind != PROTO_BYZANTINE_NONE;
    if (start ? run->behaviour[id] != PROTO_BYZANTINE_NONE : !run->windowed[id]) return;
    if (run->byzantine[id] != NULL) {
        add_stats(&run->behaviour_done[id], run->byzantine[id]);
        proto_byzantine_free(run->byzantine[id]);
        run->byzantine[id] = NULL;
    }
    run->behaviour[id] = kind;
    run->windowed[id] = start ? 1 : 0;
    if (start && run->nodes[id] != NULL) {
        run->byzantine[id] = proto_byzantine_new(kind, run->nodes[id]);
    }
    mark_byzantine(run, id, start);
}

static gboolean build_faults(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    SimFaultsConfig config = {
        .engine = run->engine,
        .network = run->network,
        .faults = c->faults,
        .who = selector_context(run),
        .net_type = run->net_type,
        .gst = c->gst,
        .pre_gst_delay = &c->pre_gst_delay,
        .gst_delta = c->gst_delta,
        .hooks = {crash_node, restart_node, behave_node, l1_fault, run},
    };
    run->faults = sim_faults_new(&config, error);
    return run->faults != NULL;
}

static gboolean assign_behaviours(SimRun *run, GError **error)
{
    run->behaviour = g_new0(ProtoByzantineKind, run->config.nodes);
    run->windowed = g_new0(uint8_t, run->config.nodes);
    run->was_byzantine = g_new0(uint8_t, run->config.nodes);
    SimSelectorContext context = selector_context(run);
    for (guint i = 0; i < run->config.byzantine->len; i++) {
        const SimByzantine *b = run->config.byzantine->pdata[i];
        SimNodeSet nodes;
        sim_node_set_init(&nodes, run->config.nodes);
        if (b->nodes.node_count == run->config.nodes)
            sim_selector_resolve(&b->nodes, &context, &nodes);
        gboolean empty = sim_node_set_count(&nodes) == 0;
        for (uint32_t id = 0; id < run->config.nodes; id++) {
            if (!sim_node_set_contains(&nodes, id)) continue;
            run->behaviour[id] = b->kind;
            mark_byzantine(run, id, TRUE);
        }
        sim_node_set_clear(&nodes);
        if (empty) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "[fault.%s] nodes: \"%s\" selects no validator of the %u", b->name,
                        b->nodes.text ? b->nodes.text : "", run->config.nodes);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean check_da(const SimRunConfig *c, GError **error)
{
    const char *why = NULL;
    if (c->da_committee == 0 || c->da_committee > c->nodes) {
        why = "the DA committee must have between 1 and the number of nodes members";
    } else if (c->block_max < 64) {
        why = "block_max must be at least 64 bytes";
    } else if (c->block_max > (c->synthetic ? PROTO_PAYLOAD_MAX : PROTO_MESSAGE_MAX / 2)) {
        why = c->synthetic ? "block_max must be below 4 GiB (the namespace table's offsets are u32)"
                           : "block_max must be at most 32 MiB with real payloads (they travel "
                             "whole in one message)";
    } else if (c->rollup_fetch == PROTO_ROLLUP_FROM_VID && !vid_disperses(c)) {
        why = "rollups cannot rebuild blocks from VID shares without VID ([da] vid = none)";
    } else if (c->rollup_fetch == PROTO_ROLLUP_FROM_VID && c->synthetic) {
        why = "rollups can rebuild blocks from VID shares only with real payloads";
    } else if (c->rollups > 4096) {
        why = "at most 4096 rollups";
    }
    if (why != NULL) g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", why);
    return why == NULL;
}

/* The builder and each rollup's hosts: placed, configured, subscribed. */
static gboolean build_endpoints(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    uint16_t builder_region = 0;
    uint16_t *rollup_regions = g_new(uint16_t, c->rollups ? c->rollups : 1);
    if (!sim_placement_assign(run->regions, c->builder_region, 1, &builder_region, error) ||
        (c->rollups > 0 && !sim_placement_assign(run->regions, c->rollup_placement, c->rollups,
                                                 rollup_regions, error))) {
        g_free(rollup_regions);
        return FALSE;
    }
    SimEndpointsConfig ec = {
        .seed = c->seed,
        .rng_algorithm = c->rng_algorithm,
        .validators = c->nodes,
        .rollups = c->rollups,
        .block_max = c->block_max,
        .synthetic = c->synthetic,
        .builder_delay = c->builder_delay,
        .builder_api_timeout = c->builder_api_timeout,
        .builder_vcpus = c->builder_vcpus,
        .builder_region = builder_region,
        .rollup_regions = rollup_regions,
        .tx_rate_mhz = c->tx_rate_mhz,
        .tx_size = c->tx_size,
        .rpc_ppm = c->rpc_ppm,
        .tx_end = c->tx_end,
        .rollup_fetch = c->rollup_fetch,
        .rollup_timeout = 2 * SIM_S,
        .uplink_bps = c->uplink_bps,
        .downlink_bps = c->downlink_bps,
    };
    run->endpoints = sim_endpoints_new(&ec, run->network, run->shared, run->data);
    sim_endpoints_set_types(run->endpoints, run->net_type);
    g_free(rollup_regions);
    return TRUE;
}

/* The L1s configured and, for the named ones, their chain settings from the [l1] group's. */
static void named_l1_configs(const SimRunConfig *c, const SimL1Config *base, SimL1Config *out)
{
    for (uint32_t k = 0; c->l1_named != NULL && k < c->l1_named->len; k++) {
        const SimRunL1 *n = &g_array_index(c->l1_named, SimRunL1, k);
        out[k] = *base;
        out[k].slot_time = n->slot_time;
        out[k].missed_ppm = n->missed_ppm;
        out[k].inclusion_delay = n->inclusion_delay;
        out[k].finality_depth = n->finality_depth;
    }
}

/* The liveness oracle's bound per L1: the configured one, or 2 update intervals, a proof and
 * 20 slots of that L1. */
static void liveness_bounds(SimRun *run, const SimProverConfig *pc)
{
    const SimRunConfig *c = &run->config;
    if (c->l1_liveness_bound == SIM_TIME_NONE) return;
    for (uint32_t k = 0; k < pc->chains; k++) {
        SimDuration slot = k == 0 ? pc->l1.slot_time : pc->chain_l1[k - 1].slot_time;
        SimDuration every = k == 0 ? pc->update_interval : pc->chain_update_interval[k - 1];
        SimDuration proving = k == 0 ? pc->proving_time : pc->chain_proving_time[k - 1];
        SimDuration bound =
            c->l1_liveness_bound != 0 ? c->l1_liveness_bound : 2 * every + proving + 20 * slot;
        ana_finality_set_liveness_bound(run->finality, k, bound);
    }
}

static void on_executed(void *user_data, uint32_t rollup, uint64_t height)
{
    sim_prover_on_executed(user_data, rollup, height);
}

/* Where each L1's prover and node run: its [l1.NAME] region, else the [l1] group's `base`
 * (regions were checked when the scenario was read). A new array of `chains` entries. */
static uint16_t *l1_regions(const SimRun *run, uint16_t base, uint32_t chains)
{
    const SimRunConfig *c = &run->config;
    uint16_t *regions = g_new0(uint16_t, chains);
    for (uint32_t k = 0; k < chains; k++) {
        const char *where = k == 0 ? NULL : g_array_index(c->l1_named, SimRunL1, k - 1).region;
        regions[k] = base;
        gboolean known = where == NULL || sim_regions_lookup(run->regions, where, &regions[k]);
        SIM_ASSERT(known);
    }
    return regions;
}

/* The L1 side: its three hosts after the transport's, fed by the data layer's decides; the
 * rollups' provers beside their executors. */
static gboolean build_prover(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    SimProverConfig pc;
    sim_prover_config_init(&pc);
    if (!sim_placement_assign(run->regions, c->l1_region, 1, &pc.region, error)) return FALSE;
    pc.validators = c->nodes;
    pc.first_host = run->hosts + run->relays;
    pc.uplink_bps = c->uplink_bps;
    pc.downlink_bps = c->downlink_bps;
    pc.l1.seed = c->seed;
    pc.l1.rng_algorithm = c->rng_algorithm;
    pc.l1.slot_time = c->l1_slot_time;
    pc.l1.missed_ppm = c->l1_missed_ppm;
    pc.l1.inclusion_delay = c->l1_inclusion_delay;
    pc.l1.finality_depth = c->l1_finality_depth;
    pc.update_interval = c->l1_update_interval;
    pc.retry_interval = c->l1_retry_interval;
    pc.proving_time = c->l1_proving_time;
    pc.sign_cost = c->l1_sign_cost;
    pc.epoch_length = c->epoch_length;
    pc.test_last_block = c->test_light_client_last_block;
    pc.rollups = c->rollups;
    uint32_t *hosts = g_new0(uint32_t, MAX(c->rollups, 1)),
             *ns = g_new0(uint32_t, MAX(c->rollups, 1));
    for (uint32_t r = 0; r < c->rollups; r++) {
        hosts[r] = sim_endpoints_executor_host(c->nodes, r);
        ns[r] = sim_endpoints_rollup_ns(run->endpoints, r);
    }
    pc.executor_hosts = hosts;
    pc.rollup_ns = ns;
    pc.settle_interval = c->l1_settle_interval;
    pc.settle_proving_time = c->l1_settle_proving_time;
    pc.settle_poll = c->l1_settle_poll;
    pc.test_stall = c->l1_test_prover_stall;
    pc.chains = l1_count(c);
    SimL1Config *named = g_new0(SimL1Config, pc.chains);
    named_l1_configs(c, &pc.l1, named);
    pc.chain_l1 = named;
    SimDuration *every = g_new0(SimDuration, pc.chains), *proving = g_new0(SimDuration, pc.chains);
    uint16_t *regions = l1_regions(run, pc.region, pc.chains);
    pc.chain_region = regions;
    for (uint32_t k = 1; k < pc.chains; k++) {
        every[k - 1] = g_array_index(c->l1_named, SimRunL1, k - 1).update_interval;
        proving[k - 1] = g_array_index(c->l1_named, SimRunL1, k - 1).proving_time;
    }
    pc.chain_update_interval = every;
    pc.chain_proving_time = proving;
    pc.rollup_l1 = c->rollup_l1 != NULL ? (const uint32_t *)(void *)c->rollup_l1->data : NULL;
    run->finality = ana_finality_new(pc.chains);
    liveness_bounds(run, &pc);
    for (uint32_t r = 0; pc.rollup_l1 != NULL && r < c->rollups; r++)
        ana_finality_set_rollup_l1(run->finality, ns[r], pc.rollup_l1[r]);
    if (run->data != NULL) ana_data_set_finality(run->data, run->finality);
    run->prover = sim_prover_new(&pc, run->network, run->stake, run->finality);
    g_free(named);
    g_free(every);
    g_free(proving);
    g_free(regions);
    g_free(hosts);
    g_free(ns);
    /* Without the data layer (epochs run [l1] without it) there are no rollups to settle. */
    if (run->endpoints != NULL)
        sim_endpoints_set_executed(run->endpoints, on_executed, run->prover);
    return TRUE;
}

/* --- the stall watchdog (SimRunConfig.stall) ------------------------------------------------ */

static const char stalled_text[] =
    "stalled (no honest node entered a view for the [scenario] stall time)";

/* The stall time in effect: the configured one, or for SIM_STALL_AUTO 20 of the longer of the
 * view and view-sync timeouts, stretched by the largest skew or slow factor, and at least 10
 * minutes. */
static SimDuration effective_stall(const SimRunConfig *c)
{
    if (c->stall != SIM_STALL_AUTO) return c->stall;
    uint64_t factor_ppm = 1000000;
    for (guint i = 0; i < c->faults->len; i++) {
        const SimFault *f = c->faults->pdata[i];
        if (f->kind == SIM_FAULT_SKEW || f->kind == SIM_FAULT_SLOW)
            factor_ppm = MAX(factor_ppm, f->factor_ppm);
    }
    SimDuration timeout = MAX(c->view_timeout, c->view_sync_timeout);
    double stall = 20.0 * (double)timeout * ((double)factor_ppm / 1e6);
    if (stall >= (double)SIM_TIME_MAX) return SIM_TIME_NONE;
    return MAX((SimDuration)stall, 10 * SIM_MIN);
}

/* When the run counts as stalled if nothing moves before: the stall time after the last
 * progress, but not from before GST (the adversary may hold every message until then);
 * SIM_TIME_NONE with the watchdog off. */
static SimTime stall_deadline(const SimRun *run)
{
    if (run->stall == SIM_TIME_NONE) return SIM_TIME_NONE;
    SimTime since = sim_time_max(run->watch_at, sim_faults_changed_at(run->faults));
    if (run->config.gst != SIM_TIME_NONE) since = sim_time_max(since, run->config.gst);
    return sim_time_add(since, run->stall);
}

SimRun *sim_run_new(const SimRunConfig *config, GError **error)
{
    SIM_ASSERT(config != NULL && config->rng_algorithm != NULL);
    if (config->nodes == 0 || config->nodes > PROTO_NODES_MAX) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "the number of nodes must be between 1 and %u", PROTO_NODES_MAX);
        return NULL;
    }
    SimRun *run = g_new0(SimRun, 1);
    run->config = *config;
    size_t pending_max = (size_t)config->nodes * config->nodes * 2 + (1u << 16);
    if (pending_max > ((size_t)1 << 28)) pending_max = (size_t)1 << 28;
    run->engine = sim_engine_new(config->seed, pending_max);
    run->safety = ana_safety_new(config->nodes);
    run->liveness = ana_liveness_new(config->nodes);
    run->rewritten = g_array_new(FALSE, FALSE, sizeof(ProtoAction));
    run->hosts = config->nodes + (config->da ? sim_endpoints_count(config->rollups) : 0);
    if ((config->da && !check_da(config, error)) || !build_network(run, error) ||
        !build_committee(run, error) || !assign_behaviours(run, error) ||
        !build_faults(run, error)) {
        sim_run_free(run);
        return NULL;
    }
    build_da(run);
    ana_safety_set_certificates(run->safety, run->crypto, run->shared);
    build_nodes(run);
    if (config->da && !build_endpoints(run, error)) {
        sim_run_free(run);
        return NULL;
    }
    gboolean l1_fed = config->da || config->epoch_length > 0; /* record_decided_blocks */
    if (config->l1 && (!l1_fed || !build_prover(run, error))) {
        if (!l1_fed) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "the L1 side needs the data-availability layer");
        }
        sim_run_free(run);
        return NULL;
    }
    /* Last, so that its message types come after every other (runs without epochs keep theirs). */
    if (run->epochs != NULL)
        run->catchup = sim_catchup_new(run->network, run->epochs, config->nodes);
    run->stall = effective_stall(config);
    return run;
}

void sim_run_free(SimRun *run)
{
    if (run == NULL) return;
    for (uint32_t i = 0; run->nodes != NULL && i < run->config.nodes; i++) {
        if (run->nodes[i] != NULL) drop_node(run, i);
        proto_persisted_clear(&run->persisted[i]);
    }
    g_free(run->byzantine);
    g_free(run->behaviour_done);
    g_free(run->behaviour);
    g_free(run->windowed);
    g_free(run->was_byzantine);
    for (uint32_t i = 0; run->twin_rngs != NULL && i < run->config.nodes; i++)
        sim_rng_clear(&run->twin_rngs[i]);
    g_free(run->twin_rngs);
    g_free(run->twins);
    g_free(run->twin_byzantine);
    if (run->twin_local != NULL) g_queue_free(run->twin_local); /* drained by every flush */
    sim_faults_free(run->faults);
    g_free(run->region_of);
    if (run->rewritten != NULL) g_array_unref(run->rewritten);
    sim_endpoints_free(run->endpoints);
    sim_prover_free(run->prover);
    if (run->last_sent != NULL) sim_message_unref(run->last_sent);
    sim_engine_free(run->engine); /* before the network: pending events hold its packets */
    sim_transport_free(run->transport);
    sim_network_free(run->network);
    g_free(run->da_member);
    for (uint32_t i = 0; run->node_rngs != NULL && i < run->config.nodes; i++) {
        sim_rng_clear(&run->node_rngs[i]);
    }
    g_free(run->node_rngs);
    g_free(run->nodes);
    g_free(run->persisted);
    proto_shared_free(run->shared);
    proto_stake_table_free(run->stake);
    sim_catchup_free(run->catchup);
    proto_epochs_free(run->epochs);
    proto_crypto_free(run->crypto);
    sim_regions_free(run->regions);
    ana_safety_free(run->safety);
    ana_liveness_free(run->liveness);
    ana_data_free(run->data);
    ana_finality_free(run->finality);
    g_free(run);
}

SimStopReason sim_run_execute(SimRun *run)
{
    return sim_run_execute_progress(run, NULL, NULL, 0);
}

/* Runs the engine to a stop condition, in chunks of `chunk` events with a progress call after
 * each (all at once without a callback), and up to the stall deadline at a time: the watchdog has
 * no event of its own, so it changes neither the digest, nor the event count, nor when a run whose
 * queue empties ends. */
static SimStopReason run_engine(SimRun *run, SimRunProgress progress, void *user_data,
                                uint64_t chunk)
{
    uint64_t budget = run->config.events_max;
    for (;;) {
        SimEngineLimits limits = {run->config.end_time, budget};
        uint64_t done = sim_engine_events_run(run->engine);
        if (progress != NULL && chunk > 0 && (budget == 0 || done + chunk < budget)) {
            limits.events_max = done + chunk;
        }
        /* Stalled: the deadline passed with no fault due (a fault due to start or end is
         * waited for: its event moves the watch). Otherwise run to the next check. */
        SimTime now = sim_engine_now(run->engine), deadline = stall_deadline(run);
        if (deadline <= now && sim_faults_due(run->faults) == 0) break;
        if (deadline <= now) deadline = sim_time_add(now, run->stall);
        gboolean watching = deadline < limits.end_time;
        if (watching) limits.end_time = deadline;
        SimStopReason reason = sim_engine_run(run->engine, &limits);
        if (reason == SIM_STOP_END_TIME && watching) continue; /* checked at the top */
        if (reason != SIM_STOP_MAX_EVENTS || limits.events_max == budget) return reason;
        progress(run, user_data);
    }
    run->stop = stalled_text;
    return SIM_STOP_REQUESTED;
}

static const char overflow_text[] =
    "more events were pending at once than this run allows (the workload outruns what the "
    "network delivers: lower [workload] tx_rate, or shorten the run)";

SimStopReason sim_run_execute_progress(SimRun *run, SimRunProgress progress, void *user_data,
                                       uint64_t chunk)
{
    for (uint32_t i = 0; i < run->config.nodes; i++) {
        if (run->nodes[i] == NULL) continue;
        proto_node_start(run->nodes[i], sim_engine_now(run->engine));
        flush(run, i);
        if (run->twins != NULL && run->twins[i] != NULL) {
            proto_node_start(run->twins[i], sim_engine_now(run->engine));
            flush_side(run, i, 1);
        }
    }
    if (run->endpoints != NULL) sim_endpoints_start(run->endpoints, sim_engine_now(run->engine));
    if (run->prover != NULL) sim_prover_start(run->prover, sim_engine_now(run->engine));
    run->watch_at = sim_engine_now(run->engine);
    SimStopReason reason =
        run->stop ? SIM_STOP_REQUESTED : run_engine(run, progress, user_data, chunk);
    static const char *const engine_stops[] = {
        [SIM_STOP_EMPTY] = "nothing left to happen",
        [SIM_STOP_END_TIME] = "duration reached",
        [SIM_STOP_MAX_EVENTS] = "event limit reached",
        [SIM_STOP_REQUESTED] = "interrupted", /* a stop asked from outside, as by Ctrl-C */
    };
    run->engine_stop = engine_stops[reason];
    if (sim_engine_overflowed(run->engine) && run->stop == NULL) run->stop = overflow_text;
    for (uint32_t i = 0; i < run->config.nodes; i++) {
        if (run->nodes[i] == NULL) continue;
        size_t memory = proto_node_memory(run->nodes[i]);
        if (memory > run->node_memory_max) run->node_memory_max = memory;
    }
    if (run->finality != NULL) ana_finality_finish(run->finality, sim_engine_now(run->engine));
    return reason;
}

gboolean sim_run_overflowed(const SimRun *run)
{
    return run->stop == overflow_text;
}

gboolean sim_run_stalled(const SimRun *run)
{
    return run->stop == stalled_text;
}

const char *sim_run_stop_description(const SimRun *run)
{
    return run->stop != NULL ? run->stop : run->engine_stop;
}

const SimRunConfig *sim_run_config(const SimRun *run)
{
    return &run->config;
}

SimEngine *sim_run_engine(const SimRun *run)
{
    return run->engine;
}

SimTransport *sim_run_transport(const SimRun *run)
{
    return run->transport;
}

SimNetwork *sim_run_network(const SimRun *run)
{
    return run->network;
}

const AnaSafety *sim_run_safety(const SimRun *run)
{
    return run->safety;
}

const AnaLiveness *sim_run_liveness(const SimRun *run)
{
    return run->liveness;
}

const ProtoStakeTable *sim_run_stake(const SimRun *run)
{
    return run->stake;
}

ProtoEpochs *sim_run_epochs(const SimRun *run)
{
    return run->epochs;
}

const SimCatchup *sim_run_catchup(const SimRun *run)
{
    return run->catchup;
}

ProtoNodeId sim_run_leader(const SimRun *run, ProtoView view)
{
    if (run->epochs == NULL) return proto_stake_leader(run->stake, view);
    return proto_stake_leader(proto_epochs_table(run->epochs, sim_run_view_epoch(run, view)), view);
}

ProtoEpoch sim_run_view_epoch(const SimRun *run, ProtoView view)
{
    if (run->epochs == NULL) return 0;
    /* Decided views grow with height: the last height decided in a view before `view`. */
    uint64_t lo = 0, hi = ana_safety_height(run->safety);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (ana_safety_decided_view(run->safety, mid) < view) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return proto_epoch_of_height(lo + 1, proto_epochs_length(run->epochs));
}

gboolean sim_run_transition(const SimRun *run, ProtoEpoch e, ProtoView *from, ProtoView *to)
{
    if (run->epochs == NULL || e == 0) return FALSE;
    uint64_t length = proto_epochs_length(run->epochs);
    if (proto_epoch_last_height(e, length) + 1 > ana_safety_height(run->safety)) return FALSE;
    *from = ana_safety_decided_view(run->safety, proto_epoch_transition_height(e, length));
    *to = ana_safety_decided_view(run->safety, proto_epoch_last_height(e, length) + 1);
    return *from != 0 && *to > *from; /* else skipped by a node back from a Byzantine window */
}

uint64_t sim_run_transitions(const SimRun *run, uint64_t *views_max)
{
    *views_max = 0;
    if (run->epochs == NULL) return 0;
    uint64_t length = proto_epochs_length(run->epochs);
    uint64_t height = ana_safety_height(run->safety);
    uint64_t count = 0;
    for (ProtoEpoch e = 1; proto_epoch_last_height(e, length) + 1 <= height; e++) {
        ProtoView from = 0, to = 0;
        if (!sim_run_transition(run, e, &from, &to)) continue;
        count++;
        *views_max = MAX(*views_max, to - from);
    }
    return count;
}

const ProtoCrypto *sim_run_crypto(const SimRun *run)
{
    return run->crypto;
}

const SimRegions *sim_run_regions(const SimRun *run)
{
    return run->regions;
}

void sim_run_resolve(const SimRun *run, const SimSelector *selector, SimNodeSet *out)
{
    SimSelectorContext context = selector_context(run);
    sim_selector_resolve(selector, &context, out);
}

gboolean sim_run_is_byzantine(const SimRun *run, uint32_t id)
{
    SIM_ASSERT(id < run->config.nodes);
    return proto_byzantine_in_consensus(run->behaviour[id]);
}

gboolean sim_run_was_byzantine(const SimRun *run, uint32_t id)
{
    SIM_ASSERT(id < run->config.nodes);
    return run->was_byzantine[id];
}

const AnaData *sim_run_data(const SimRun *run)
{
    return run->data;
}

const SimProver *sim_run_prover(const SimRun *run)
{
    return run->prover;
}

const AnaFinality *sim_run_finality(const SimRun *run)
{
    return run->finality;
}

const SimEndpoints *sim_run_endpoints(const SimRun *run)
{
    return run->endpoints;
}

const ProtoShared *sim_run_shared(const SimRun *run)
{
    return run->shared;
}

const ProtoNode *sim_run_node(const SimRun *run, uint32_t id)
{
    SIM_ASSERT(id < run->config.nodes);
    return run->nodes[id];
}

size_t sim_run_node_memory_max(const SimRun *run)
{
    return run->node_memory_max;
}

guint sim_run_fault_count(const SimRun *run)
{
    return sim_faults_count(run->faults);
}

const SimFaultWindow *sim_run_fault_window(const SimRun *run, guint index)
{
    return sim_faults_window(run->faults, index);
}

const SimFaultWindow *sim_run_fault_window_named(const SimRun *run, const char *name)
{
    return sim_faults_window_named(run->faults, name);
}
