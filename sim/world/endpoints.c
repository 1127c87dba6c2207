/* The builder, users, RPC nodes and rollup executors; see endpoints.h. */
#include "sim/world/endpoints.h"

#include "sim/core/assert.h"

#include <math.h>
#include <string.h>

typedef enum EndpointKind {
    ENDPOINT_BUILDER,
    ENDPOINT_USERS,
    ENDPOINT_RPC,
    ENDPOINT_EXECUTOR,
} EndpointKind;

typedef struct BlockRequest {
    ProtoView view;
    uint32_t leader;
    SimTime arrived;
    SimTime due;
} BlockRequest;

typedef struct Rollup {
    uint32_t ns_id;
    uint64_t next_tx;
    SimRng users_rng;
    SimRng rpc_rng;
    SimRng executor_rng;
    ProtoRollup *executor;
} Rollup;

struct SimEndpoints {
    SimEndpointsConfig config;
    SimNetwork *network;
    ProtoShared *shared;
    AnaData *data;
    uint16_t types[PROTO_MSG_TYPE_COUNT_];
    uint32_t first; /* id of the builder: the first endpoint */
    ProtoBuilder *builder;
    GQueue *requests; /* BlockRequest *, by due time */
    Rollup *rollups;
    SimEndpointsExecutedFn executed; /* or NULL */
    void *executed_data;
    GPtrArray **subscribers; /* per validator: uint32_t host ids (GUINT_TO_POINTER) or NULL */
};

#define TIMER_MAIN 0

static EndpointKind kind_of(const SimEndpoints *e, uint32_t host, uint32_t *rollup)
{
    SIM_ASSERT(host >= e->first);
    if (host == e->first) return ENDPOINT_BUILDER;
    uint32_t offset = host - e->first - 1;
    *rollup = offset / 3;
    SIM_ASSERT(*rollup < e->config.rollups);
    return (EndpointKind)(ENDPOINT_USERS + offset % 3);
}

static uint64_t executor_random(void *user_data)
{
    return sim_rng_u64(user_data);
}

static void subscribe(SimEndpoints *e, uint32_t host)
{
    uint16_t region = sim_network_host(e->network, host)->region;
    uint32_t node = 0;
    for (uint32_t v = 0; v < e->config.validators; v++) {
        if (sim_network_host(e->network, v)->region == region) {
            node = v;
            break;
        }
    }
    if (e->subscribers[node] == NULL) e->subscribers[node] = g_ptr_array_new();
    g_ptr_array_add(e->subscribers[node], GUINT_TO_POINTER(host));
}

static void configure(SimEndpoints *e, uint32_t host, uint16_t region, uint32_t vcpus)
{
    SimHostConfig c = {region, e->config.uplink_bps, e->config.downlink_bps, vcpus, 0};
    sim_network_host_configure(e->network, host, &c);
}

SimEndpoints *sim_endpoints_new(const SimEndpointsConfig *config, SimNetwork *network,
                                ProtoShared *shared, AnaData *data)
{
    SIM_ASSERT(config != NULL && network != NULL && shared != NULL && shared->vid != NULL);
    SIM_ASSERT(sim_network_host_count(network) >= /* relays (transport.h) come after them */
               config->validators + sim_endpoints_count(config->rollups));
    SimEndpoints *e = g_new0(SimEndpoints, 1);
    e->config = *config;
    e->network = network;
    e->shared = shared;
    e->data = data;
    e->first = config->validators;
    e->builder = proto_builder_new(shared->vid, config->block_max, config->synthetic);
    e->requests = g_queue_new();
    e->subscribers = g_new0(GPtrArray *, config->validators);
    e->rollups = g_new0(Rollup, config->rollups ? config->rollups : 1);
    configure(e, e->first, config->builder_region, config->builder_vcpus);
    subscribe(e, e->first);
    for (uint32_t r = 0; r < config->rollups; r++) {
        Rollup *rollup = &e->rollups[r];
        rollup->ns_id = 1000 + r;
        for (uint32_t k = 1; k <= 3; k++)
            configure(e, e->first + 3 * r + k, config->rollup_regions[r], 1);
        sim_rng_init(&rollup->users_rng, config->rng_algorithm, config->seed, "rollup.users", r);
        sim_rng_init(&rollup->rpc_rng, config->rng_algorithm, config->seed, "rollup.rpc", r);
        sim_rng_init(&rollup->executor_rng, config->rng_algorithm, config->seed, "rollup.executor",
                     r);
        ProtoRollupConfig rc = {e->first + 3 * r + 3, rollup->ns_id, config->rollup_fetch,
                                config->rollup_timeout};
        rollup->executor = proto_rollup_new(&rc, shared, executor_random, &rollup->executor_rng);
        subscribe(e, e->first + 3 * r + 3);
    }
    return e;
}

void sim_endpoints_free(SimEndpoints *e)
{
    if (e == NULL) return;
    proto_builder_free(e->builder);
    g_queue_free_full(e->requests, g_free);
    for (uint32_t r = 0; r < e->config.rollups; r++) {
        sim_rng_clear(&e->rollups[r].users_rng);
        sim_rng_clear(&e->rollups[r].rpc_rng);
        sim_rng_clear(&e->rollups[r].executor_rng);
        proto_rollup_free(e->rollups[r].executor);
    }
    for (uint32_t v = 0; v < e->config.validators; v++) {
        if (e->subscribers[v] != NULL) g_ptr_array_unref(e->subscribers[v]);
    }
    g_free(e->subscribers);
    g_free(e->rollups);
    g_free(e);
}

void sim_endpoints_set_types(SimEndpoints *e, const uint16_t *types)
{
    memcpy(e->types, types, sizeof e->types);
}

/* Sends an encoded message from `host` at `ready`, counting its traffic by role. */
static void send(SimEndpoints *e, uint32_t host, SimTime ready, const ProtoMsg *msg,
                 uint32_t target, AnaRole role)
{
    uint64_t size = 0;
    GBytes *bytes = proto_msg_encode(msg, &size);
    SimMessage *m = sim_message_new(host, e->types[msg->type], bytes, size);
    sim_network_send(e->network, ready, m, target);
    ana_data_on_send(e->data, role, msg->type, size, 1);
    sim_message_unref(m);
    g_bytes_unref(bytes);
}

static gboolean decode(const SimEndpoints *e, const SimMessage *message, ProtoMsg *msg)
{
    ProtoDecodeContext ctx = {.node_count = e->shared->node_count,
                              .pool = NULL,
                              .endpoint_count = e->shared->endpoint_count};
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(sim_message_bytes(message), &len);
    return proto_msg_decode(data, len, &ctx, msg) == PROTO_OK &&
           msg->sender == sim_message_source(message);
}

/* --- users and RPC nodes ---------------------------------------------------------------------- */

static void arm_users(SimEndpoints *e, uint32_t r, SimTime now)
{
    if (e->config.tx_rate_mhz == 0) return;
    /* Exponential gaps with mean 1/rate: -ln(U) / rate, in ns, rounded once. */
    double u = gsl_rng_uniform_pos(e->rollups[r].users_rng.gsl);
    double gap = -log(u) * 1e12 / (double)e->config.tx_rate_mhz;
    SimTime at = sim_time_add(now, (SimDuration)(gap + 0.5));
    if (at >= e->config.tx_end) return;
    sim_network_timer_set(e->network, e->first + 3 * r + 1, TIMER_MAIN, at);
}

void sim_endpoints_start(SimEndpoints *e, SimTime now)
{
    for (uint32_t r = 0; r < e->config.rollups; r++)
        arm_users(e, r, now);
}

static ProtoNodeId any_validator(SimEndpoints *e, SimRng *rng)
{
    return (ProtoNodeId)sim_rng_below(rng, e->config.validators);
}

static void submit(SimEndpoints *e, uint32_t r, SimTime now)
{
    Rollup *rollup = &e->rollups[r];
    uint64_t size = sim_dist_sample(&e->config.tx_size, &rollup->users_rng, 0);
    if (size < PROTO_TX_DESCRIPTOR_BYTES) size = PROTO_TX_DESCRIPTOR_BYTES;
    if (size > UINT32_MAX) size = UINT32_MAX;
    uint64_t id = ((uint64_t)(r + 1) << 40) | rollup->next_tx++;
    uint8_t descriptor[PROTO_TX_DESCRIPTOR_BYTES];
    for (int i = 0; i < 8; i++)
        descriptor[i] = (uint8_t)(id >> (8 * i));
    for (int i = 0; i < 4; i++)
        descriptor[8 + i] = (uint8_t)(size >> (8 * i));
    uint32_t users = e->first + 3 * r + 1;
    ProtoMsg msg = {.type = PROTO_MSG_TX_SUBMIT, .sender = users};
    msg.data.ns_id = rollup->ns_id;
    msg.data.tx_id = id;
    msg.data.size = size;
    msg.data.synthetic = 1; /* the descriptor stands for the transaction's bytes */
    msg.data.bytes = g_bytes_new(descriptor, sizeof descriptor);
    gboolean via_rpc = sim_rng_chance_ppm(&rollup->users_rng, e->config.rpc_ppm);
    uint32_t target = via_rpc ? users + 1 : any_validator(e, &rollup->users_rng);
    ana_data_on_submit(e->data, id, r, (uint32_t)size, now);
    send(e, users, now, &msg, target, ANA_ROLE_USER);
    g_bytes_unref(msg.data.bytes);
    arm_users(e, r, now);
}

static void rpc_forward(SimEndpoints *e, uint32_t r, uint32_t host, ProtoMsg *msg, SimTime now)
{
    if (msg->type != PROTO_MSG_TX_SUBMIT) return;
    msg->sender = host;
    send(e, host, now, msg, any_validator(e, &e->rollups[r].rpc_rng), ANA_ROLE_USER);
}

/* --- the builder --------------------------------------------------------------------------- */

static void arm_builder(SimEndpoints *e, SimTime now)
{
    if (g_queue_is_empty(e->requests)) return;
    const BlockRequest *first = g_queue_peek_head(e->requests);
    sim_network_timer_set(e->network, e->first, TIMER_MAIN, sim_time_max(first->due, now));
}

static void answer_requests(SimEndpoints *e, SimTime now)
{
    while (!g_queue_is_empty(e->requests)) {
        BlockRequest *req = g_queue_peek_head(e->requests);
        if (req->due > now) break;
        g_queue_pop_head(e->requests);
        ProtoDuration cpu = 0;
        ProtoPayload *payload =
            proto_builder_build(e->builder, req->view, proto_crypto_costs(e->shared->crypto), &cpu);
        GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
        proto_payload_transactions(payload, txs);
        ana_data_on_block_built(e->data, &payload->commit, (const ProtoTx *)(void *)txs->data,
                                txs->len);
        g_array_unref(txs);
        /* ADVZ's commitment is a fork-join job over every vCPU (protocol/vid_cost.h). */
        const ProtoCostTable *costs = proto_crypto_costs(e->shared->crypto);
        SimTime ready = costs->vid_scheme == PROTO_VID_SCHEME_ADVZ
                            ? sim_network_cpu_charge_parallel(e->network, e->first, 0, cpu)
                            : sim_network_cpu_charge(e->network, e->first, cpu);
        proto_builder_on_served(e->builder, sim_time_since(ready, req->arrived),
                                e->config.builder_api_timeout);
        ProtoMsg msg = {.type = PROTO_MSG_BLOCK_RESPONSE, .sender = e->first};
        msg.data.view = req->view;
        msg.data.size = payload->size;
        msg.data.synthetic = (uint8_t)payload->synthetic;
        msg.data.ns_table = payload->ns_table;
        msg.data.bytes = payload->bytes;
        send(e, e->first, ready, &msg, req->leader, ANA_ROLE_BUILDER);
        proto_payload_unref(payload);
        g_free(req);
    }
    arm_builder(e, now);
}

static void builder_notice(SimEndpoints *e, const ProtoDataMsg *d)
{
    ProtoCommit *commits = g_new(ProtoCommit, d->notice_count ? d->notice_count : 1);
    ProtoView *views = g_new(ProtoView, d->notice_count ? d->notice_count : 1);
    ProtoView decided = 0;
    for (uint32_t i = 0; i < d->notice_count; i++) {
        commits[i] = d->notices[i].payload_commit;
        views[i] = d->notices[i].view;
        if (views[i] > decided) decided = views[i];
    }
    proto_builder_on_decided(e->builder, commits, views, d->notice_count, decided);
    g_free(commits);
    g_free(views);
}

static void builder_receive(SimEndpoints *e, ProtoMsg *msg, SimTime now)
{
    const ProtoDataMsg *d = &msg->data;
    if (msg->type == PROTO_MSG_TX_SUBMIT && d->size >= PROTO_TX_DESCRIPTOR_BYTES &&
        d->size <= UINT32_MAX) {
        ProtoTx tx = {d->ns_id, d->tx_id, (uint32_t)d->size};
        proto_builder_add(e->builder, &tx);
    } else if (msg->type == PROTO_MSG_BLOCK_REQUEST && msg->sender < e->config.validators) {
        BlockRequest *req = g_new(BlockRequest, 1);
        *req = (BlockRequest){d->view, msg->sender, now, now + e->config.builder_delay};
        g_queue_push_tail(e->requests, req); /* equal delays keep due times in order */
        arm_builder(e, now);
    } else if (msg->type == PROTO_MSG_DECIDE_NOTICE) {
        builder_notice(e, d);
    }
}

/* --- rollup executors ------------------------------------------------------------------------ */

static void executor_flush(SimEndpoints *e, uint32_t r)
{
    Rollup *rollup = &e->rollups[r];
    uint32_t host = e->first + 3 * r + 3;
    SimTime ready =
        sim_network_cpu_charge(e->network, host, proto_rollup_take_cpu(rollup->executor));
    ProtoAction a;
    while (proto_rollup_drain(rollup->executor, &a)) {
        if (a.kind == PROTO_ACTION_SEND) {
            SimMessage *m = sim_message_new(host, e->types[a.msg_type], a.bytes, a.size);
            sim_network_send(e->network, ready, m, a.target);
            ana_data_on_send(e->data, ANA_ROLE_ROLLUP, a.msg_type, a.size, 1);
            sim_message_unref(m);
        } else if (a.kind == PROTO_ACTION_TIMER_SET) {
            sim_network_timer_set(e->network, host, TIMER_MAIN, a.at);
        }
        proto_action_clear(&a);
    }
    GArray *found = g_array_new(FALSE, FALSE, sizeof(ProtoRollupTx));
    proto_rollup_take_available(rollup->executor, found);
    uint64_t height = 0;
    for (guint i = 0; i < found->len; i++) {
        const ProtoRollupTx *tx = &g_array_index(found, ProtoRollupTx, i);
        ana_data_on_available(e->data, tx->id, ready);
        height = MAX(height, tx->height);
    }
    if (height > 0 && e->executed != NULL) e->executed(e->executed_data, r, height);
    g_array_unref(found);
}

/* --- dispatch -------------------------------------------------------------------------------- */

void sim_endpoints_receive(SimEndpoints *e, uint32_t host, const SimMessage *message, SimTime now)
{
    uint32_t r = 0;
    EndpointKind kind = kind_of(e, host, &r);
    if (kind == ENDPOINT_EXECUTOR) {
        proto_rollup_recv(e->rollups[r].executor, sim_message_source(message),
                          sim_message_bytes(message), now);
        executor_flush(e, r);
        return;
    }
    ProtoMsg msg;
    if (!decode(e, message, &msg)) {
        proto_msg_clear(&msg);
        return;
    }
    if (kind == ENDPOINT_BUILDER) builder_receive(e, &msg, now);
    if (kind == ENDPOINT_RPC) rpc_forward(e, r, host, &msg, now);
    proto_msg_clear(&msg);
}

void sim_endpoints_timer(SimEndpoints *e, uint32_t host, uint32_t timer, SimTime now)
{
    (void)timer;
    uint32_t r = 0;
    switch (kind_of(e, host, &r)) {
    case ENDPOINT_BUILDER:
        answer_requests(e, now);
        break;
    case ENDPOINT_USERS:
        submit(e, r, now);
        break;
    case ENDPOINT_EXECUTOR:
        proto_rollup_on_timer(e->rollups[r].executor, now);
        executor_flush(e, r);
        break;
    case ENDPOINT_RPC:
        break;
    }
}

void sim_endpoints_on_decide(SimEndpoints *e, uint32_t node, ProtoLeaf *const *leaves,
                             uint32_t count, SimTime ready)
{
    SIM_ASSERT(node < e->config.validators);
    GPtrArray *subscribers = e->subscribers[node];
    if (subscribers == NULL || count == 0) return;
    ProtoMsg msg = {.type = PROTO_MSG_DECIDE_NOTICE, .sender = node};
    msg.data.notice_count = MIN(count, PROTO_NOTICES_MAX);
    msg.data.notices = g_new(ProtoNotice, msg.data.notice_count);
    for (uint32_t i = 0; i < msg.data.notice_count; i++) {
        const ProtoLeaf *leaf = leaves[count - 1 - i]; /* oldest first */
        msg.data.notices[i] =
            (ProtoNotice){leaf->view, leaf->header.height, leaf->header.payload_commit,
                          leaf->header.payload_size, leaf->header.ns_table};
    }
    for (guint s = 0; s < subscribers->len; s++) {
        send(e, node, ready, &msg, GPOINTER_TO_UINT(subscribers->pdata[s]), ANA_ROLE_REPLICA);
    }
    g_free(msg.data.notices);
}

const ProtoBuilderStats *sim_endpoints_builder_stats(const SimEndpoints *e)
{
    return proto_builder_stats(e->builder);
}

void sim_endpoints_set_executed(SimEndpoints *e, SimEndpointsExecutedFn fn, void *user_data)
{
    SIM_ASSERT(e != NULL);
    e->executed = fn;
    e->executed_data = user_data;
}

uint32_t sim_endpoints_rollup_ns(const SimEndpoints *e, uint32_t rollup)
{
    SIM_ASSERT(rollup < e->config.rollups);
    return e->rollups[rollup].ns_id;
}

const ProtoRollupStats *sim_endpoints_rollup_stats(const SimEndpoints *e, uint32_t rollup)
{
    SIM_ASSERT(rollup < e->config.rollups);
    return proto_rollup_stats(e->rollups[rollup].executor);
}

uint32_t sim_endpoints_rollup_outstanding(const SimEndpoints *e, uint32_t rollup)
{
    SIM_ASSERT(rollup < e->config.rollups);
    return proto_rollup_outstanding(e->rollups[rollup].executor);
}
