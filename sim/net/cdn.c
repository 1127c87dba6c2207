/*
 * Push-CDN brokers and marshal; see cdn.h.
 *
 * Routing words (sim/net/relay.h; the low 56 bits): the operation in bits 48..55, a topic or a
 * validator id in the low 32 bits.
 */
#include "sim/net/cdn.h"

#include "sim/core/assert.h"

#include <string.h>

enum {
    OP_PUBLISH = 1,  /* user -> its broker: a broadcast on a topic */
    OP_MESH_PUBLISH, /* broker -> broker: deliver to your subscribers of the topic */
    OP_DIRECT,       /* user -> its broker: to one validator */
    OP_MESH_DIRECT,  /* broker -> the broker that holds the validator */
    OP_DELIVER,      /* broker -> user */
};

enum {
    TOPIC_GLOBAL = 0,
    TOPIC_DA = 1,
};

/* Connection events ("cdn.reconnect"): the low byte of arg says which step. */
enum {
    STEP_NOTICE = 0, /* an attempt starts: the validator asks the marshal for a broker */
    STEP_JOIN = 1,   /* it reaches the broker the marshal gave it (event source) */
    STEP_IDLE = 2,   /* the idle timer of its connection to broker `source` may have run out;
                      * arg >> 8 is when the silence began */
};

#define NO_BROKER UINT32_MAX

struct SimCdn {
    SimNetwork *network;
    SimEngine *engine;
    SimCdnConfig config;
    SimDeliver deliver;
    SimTransportStats *stats;
    uint32_t validators;
    uint32_t first; /* broker b is host first + b; the marshal is first + brokers */
    gboolean *da_member;
    uint32_t *broker_of;      /* per validator: its broker, or NO_BROKER */
    uint32_t *joining;        /* per validator: the broker it is joining, or NO_BROKER */
    gboolean *orphaned;       /* per validator: its broker crashed; it has not noticed yet */
    SimTime *attached_at;     /* per validator: when its connection was made */
    SimTime *disconnected_at; /* per validator: when it lost its broker */
    GArray **users;           /* per broker: its validators, ascending (uint32_t) */
    uint32_t *da_users;       /* per broker: how many of them are DA members */
    gboolean *broker_up;
    gboolean marshal_up;
    uint16_t kind_reconnect;
    char **names; /* per relay host */
};

static uint64_t route(unsigned op, uint32_t arg)
{
    return sim_route_make(SIM_ROUTE_CDN, ((uint64_t)op << 48) | arg);
}

static uint32_t marshal_host(const SimCdn *cdn)
{
    return cdn->first + cdn->config.brokers;
}

static gboolean host_up(const SimCdn *cdn, uint32_t host)
{
    return sim_network_host(cdn->network, host)->status == SIM_HOST_UP;
}

uint32_t sim_cdn_relay_count(const SimCdnConfig *config)
{
    return config->brokers + 1;
}

/* The marshal's choice: the live broker with the fewest connections, the lowest on a tie. */
static uint32_t least_loaded(const SimCdn *cdn)
{
    uint32_t best = NO_BROKER;
    for (uint32_t b = 0; b < cdn->config.brokers; b++) {
        if (!cdn->broker_up[b]) continue;
        if (best == NO_BROKER || cdn->users[b]->len < cdn->users[best]->len) best = b;
    }
    return best;
}

static void attach(SimCdn *cdn, uint32_t v, uint32_t b)
{
    SIM_ASSERT(cdn->broker_of[v] == NO_BROKER);
    GArray *users = cdn->users[b];
    guint at = users->len;
    while (at > 0 && g_array_index(users, uint32_t, at - 1) > v)
        at--;
    g_array_insert_val(users, at, v);
    if (cdn->da_member != NULL && cdn->da_member[v]) cdn->da_users[b]++;
    cdn->broker_of[v] = b;
    cdn->joining[v] = NO_BROKER;
    cdn->orphaned[v] = FALSE;
    cdn->attached_at[v] = sim_engine_now(cdn->engine);
}

/* The broker forgets `v` (its side of the connection is gone); `v` may not know yet. */
static void forget(SimCdn *cdn, uint32_t v)
{
    uint32_t b = cdn->broker_of[v];
    if (b == NO_BROKER || cdn->orphaned[v]) return;
    GArray *users = cdn->users[b];
    for (guint i = 0; i < users->len; i++) {
        if (g_array_index(users, uint32_t, i) != v) continue;
        g_array_remove_index(users, i);
        break;
    }
    if (cdn->da_member != NULL && cdn->da_member[v]) cdn->da_users[b]--;
}

/* Both ends drop the connection. */
static void detach(SimCdn *cdn, uint32_t v, SimTime now)
{
    if (cdn->broker_of[v] == NO_BROKER) return;
    forget(cdn, v);
    cdn->broker_of[v] = NO_BROKER;
    cdn->orphaned[v] = FALSE;
    cdn->disconnected_at[v] = now;
}

/* Whether packets get through both ways between `v` and `host` at `t` (no cut either way;
 * the way back checked one base delay later). */
static gboolean path_clear(const SimCdn *cdn, uint32_t v, uint32_t host, SimTime t)
{
    SimTime back = sim_time_add(t, sim_network_base_latency(cdn->network, v, host));
    return sim_network_link_clear(cdn->network, v, host, t) == t &&
           sim_network_link_clear(cdn->network, host, v, back) == back;
}

/* Whether no packet could pass between `v` and `host` (one way or the other blocked at every
 * moment) from `from` until `until`. */
static gboolean silent_throughout(const SimCdn *cdn, uint32_t v, uint32_t host, SimTime from,
                                  SimTime until)
{
    SimTime t = from;
    while (t < until) {
        SimTime out = sim_network_link_clear(cdn->network, v, host, t);
        SimTime in = sim_network_link_clear(cdn->network, host, v, t);
        if (out == t && in == t) return FALSE;
        /* The earlier of the ends of what blocks now (SIM_TIME_NONE is the largest time). */
        SimTime next = out == t ? in : in == t ? out : sim_time_min(out, in);
        if (next == SIM_TIME_NONE) return TRUE;
        t = next;
    }
    return TRUE;
}

/* The connection of `v` to broker `b` went silent at `since`: check it when its idle timer
 * would run out. */
static void watch_idle(SimCdn *cdn, uint32_t v, uint32_t b, SimTime since)
{
    SimTime at = sim_time_add(since, cdn->config.idle_timeout);
    sim_engine_schedule(cdn->engine, sim_time_max(at, sim_engine_now(cdn->engine)),
                        cdn->kind_reconnect, v, b, NULL, ((uint64_t)since << 8) | STEP_IDLE);
}

static void reconnect_later(SimCdn *cdn, uint32_t v, SimTime at)
{
    sim_engine_schedule(cdn->engine, at, cdn->kind_reconnect, v, 0, NULL, STEP_NOTICE);
}

/* An attempt that began at `began` failed: the next one after the client's pause. */
static void attempt_failed(SimCdn *cdn, uint32_t v, SimTime failed_at)
{
    reconnect_later(cdn, v, sim_time_add(failed_at, cdn->config.reconnect_delay));
}

/* The idle timer of `v`'s connection to broker `b`, silent since `since`, ran out now: the
 * connection is dead if nothing could have come back meanwhile. */
static void on_idle(SimCdn *cdn, uint32_t v, uint32_t b, SimTime since, SimTime now)
{
    if (cdn->broker_of[v] != b || cdn->attached_at[v] > since) return; /* another connection */
    uint32_t host = cdn->first + b;
    if (!cdn->orphaned[v] && !silent_throughout(cdn, v, host, since, now)) return;
    detach(cdn, v, now);
    cdn->stats->dead_connections++;
    reconnect_later(cdn, v, now); /* Push-CDN's client reconnects at its next send or receive */
}

static void on_attempt(SimCdn *cdn, uint32_t v, SimTime now)
{
    if (cdn->joining[v] != NO_BROKER) return; /* already on its way */
    uint32_t m = marshal_host(cdn);
    if (!cdn->marshal_up || !path_clear(cdn, v, m, now)) { /* no answer from the marshal */
        attempt_failed(cdn, v, sim_time_add(now, cdn->config.connect_timeout));
        return;
    }
    SimDuration marshal_trip = 2 * sim_network_base_latency(cdn->network, v, m);
    uint32_t b = least_loaded(cdn);
    if (b == NO_BROKER) { /* the marshal answers that it has no broker */
        attempt_failed(cdn, v, sim_time_add(now, marshal_trip));
        return;
    }
    /* A round trip to the marshal for the permit, one to the broker to present it. */
    SimDuration trip = marshal_trip + 2 * sim_network_base_latency(cdn->network, v, cdn->first + b);
    cdn->joining[v] = b;
    sim_engine_schedule(cdn->engine, sim_time_add(now, trip), cdn->kind_reconnect, v, b, NULL,
                        STEP_JOIN);
}

static void on_join(SimCdn *cdn, uint32_t v, uint32_t b, SimTime now)
{
    cdn->joining[v] = NO_BROKER;
    uint32_t host = cdn->first + b;
    SimDuration rtt = 2 * sim_network_base_latency(cdn->network, v, host);
    SimTime began = now >= rtt ? now - rtt : 0; /* when the handshake with the broker started */
    if (!cdn->broker_up[b] || !path_clear(cdn, v, host, began)) { /* no answer: time out */
        attempt_failed(cdn, v, sim_time_max(now, sim_time_add(began, cdn->config.connect_timeout)));
        return;
    }
    attach(cdn, v, b);
    cdn->stats->reconnects++;
    SimDuration gap = sim_time_since(now, cdn->disconnected_at[v]);
    cdn->stats->reconnect_gap_max = MAX(cdn->stats->reconnect_gap_max, gap);
}

static void on_reconnect(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimCdn *cdn = user_data;
    uint32_t v = event->target;
    SimTime now = event->time;
    if (!host_up(cdn, v)) return;
    unsigned step = (unsigned)(event->arg & 0xff);
    if (step == STEP_IDLE) {
        on_idle(cdn, v, event->source, (SimTime)(event->arg >> 8), now);
        return;
    }
    if (cdn->broker_of[v] != NO_BROKER) return;
    if (step == STEP_NOTICE) {
        on_attempt(cdn, v, now);
    } else {
        on_join(cdn, v, event->source, now);
    }
}

/* A cut was added: every connection it silences is checked when its idle timer runs out. */
static void on_cut(SimNetwork *network, uint32_t cut, SimTime start, void *user_data)
{
    (void)network, (void)cut;
    SimCdn *cdn = user_data;
    for (uint32_t v = 0; v < cdn->validators; v++) {
        uint32_t b = cdn->broker_of[v];
        if (b == NO_BROKER || cdn->orphaned[v]) continue;
        if (!path_clear(cdn, v, cdn->first + b, start)) watch_idle(cdn, v, b, start);
    }
}

SimCdn *sim_cdn_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                    SimTransportStats *stats, GError **error)
{
    const SimCdnConfig *config = &setup->cdn;
    SIM_ASSERT(config->brokers > 0);
    if (!sim_relay_place(network, setup->regions, config->placement, setup->first_relay,
                         config->brokers, config->uplink_bps, config->downlink_bps, config->vcpus,
                         "[cdn] placement", error) ||
        !sim_relay_place(network, setup->regions, config->marshal_region,
                         setup->first_relay + config->brokers, 1, config->uplink_bps,
                         config->downlink_bps, 1, "[cdn] marshal_region", error)) {
        return NULL;
    }
    SimCdn *cdn = g_new0(SimCdn, 1);
    cdn->network = network;
    cdn->engine = sim_network_engine(network);
    cdn->config = *config;
    cdn->config.placement = NULL; /* borrowed text: not kept */
    cdn->config.marshal_region = NULL;
    cdn->deliver = deliver;
    cdn->stats = stats;
    cdn->validators = setup->validators;
    cdn->first = setup->first_relay;
    uint32_t n = setup->validators, brokers = config->brokers;
    if (setup->da_member != NULL) {
        cdn->da_member = g_memdup2(setup->da_member, sizeof(gboolean) * n);
    }
    cdn->broker_of = g_new(uint32_t, n);
    cdn->joining = g_new(uint32_t, n);
    cdn->orphaned = g_new0(gboolean, n);
    cdn->attached_at = g_new0(SimTime, n);
    cdn->disconnected_at = g_new0(SimTime, n);
    cdn->users = g_new(GArray *, brokers);
    cdn->da_users = g_new0(uint32_t, brokers);
    cdn->broker_up = g_new(gboolean, brokers);
    cdn->names = g_new0(char *, brokers + 2); /* and the NULL g_strfreev stops at */
    for (uint32_t b = 0; b < brokers; b++) {
        cdn->users[b] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        cdn->broker_up[b] = TRUE;
        cdn->names[b] = g_strdup_printf("broker%u", b);
    }
    cdn->names[brokers] = g_strdup("marshal");
    cdn->marshal_up = TRUE;
    cdn->kind_reconnect =
        sim_engine_register(cdn->engine, "cdn.reconnect", on_reconnect, NULL, cdn, SIM_KIND_DIGEST);
    for (uint32_t v = 0; v < n; v++) {
        cdn->broker_of[v] = NO_BROKER;
        attach(cdn, v, least_loaded(cdn));
    }
    sim_network_set_cut_observer(network, on_cut, cdn);
    return cdn;
}

void sim_cdn_free(SimCdn *cdn)
{
    if (cdn == NULL) return;
    for (uint32_t b = 0; b < cdn->config.brokers; b++) {
        g_array_unref(cdn->users[b]);
    }
    g_strfreev(cdn->names);
    g_free(cdn->users);
    g_free(cdn->da_users);
    g_free(cdn->broker_up);
    g_free(cdn->broker_of);
    g_free(cdn->joining);
    g_free(cdn->orphaned);
    g_free(cdn->attached_at);
    g_free(cdn->disconnected_at);
    g_free(cdn->da_member);
    g_free(cdn);
}

gboolean sim_cdn_connected(const SimCdn *cdn, uint32_t validator)
{
    SIM_ASSERT(validator < cdn->validators);
    return cdn->broker_of[validator] != NO_BROKER;
}

uint32_t sim_cdn_broker_of(const SimCdn *cdn, uint32_t validator)
{
    SIM_ASSERT(validator < cdn->validators);
    return cdn->broker_of[validator];
}

gboolean sim_cdn_send(SimCdn *cdn, SimTime ready, SimMessage *message, const SimSend *send,
                      const uint32_t *targets, size_t count)
{
    uint32_t v = sim_message_source(message);
    SIM_ASSERT(v < cdn->validators);
    uint32_t b = cdn->broker_of[v];
    if (b == NO_BROKER) {
        cdn->stats->lost_disconnected++;
        return FALSE;
    }
    if (cdn->orphaned[v]) { /* written to a connection whose broker is gone */
        cdn->stats->lost_disconnected++;
        return TRUE;
    }
    uint32_t broker = cdn->first + b;
    if (send->cls == SIM_SEND_BROADCAST) {
        sim_network_forward(cdn->network, v, ready, message, broker,
                            route(OP_PUBLISH, TOPIC_GLOBAL), FALSE);
        return TRUE;
    }
    if (send->cls == SIM_SEND_DA_BROADCAST &&
        sim_relay_covers_committee(cdn->da_member, cdn->validators, v, targets, count)) {
        for (size_t i = 0; i < count; i++) {
            if (targets[i] == v) sim_network_send(cdn->network, ready, message, v);
        }
        sim_network_forward(cdn->network, v, ready, message, broker, route(OP_PUBLISH, TOPIC_DA),
                            FALSE);
        return TRUE;
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t w = targets[i];
        if (w == v || w >= cdn->validators) {
            sim_network_send(cdn->network, ready, message, w); /* itself, or an endpoint */
            continue;
        }
        sim_network_forward(cdn->network, v, ready, message, broker, route(OP_DIRECT, w), FALSE);
    }
    return TRUE;
}

/* Sends one copy from broker `b`'s host, after the CPU work of writing it out. */
static void broker_send(SimCdn *cdn, uint32_t b, SimTime now, const SimMessage *message,
                        uint32_t target, uint64_t word, gboolean end_to_end)
{
    uint32_t host = cdn->first + b;
    SimDuration cost =
        sim_relay_cost(cdn->config.cpu_per_message, cdn->config.cpu_bps, sim_message_size(message));
    SimTime ready = sim_time_max(now, sim_network_cpu_charge(cdn->network, host, cost));
    sim_network_forward(cdn->network, host, ready, (SimMessage *)message, target, word, end_to_end);
    cdn->stats->relayed++;
}

static void deliver_local(SimCdn *cdn, uint32_t b, SimTime now, const SimMessage *message,
                          uint32_t topic)
{
    uint32_t origin = sim_message_source(message);
    GArray *users = cdn->users[b];
    for (guint i = 0; i < users->len; i++) {
        uint32_t w = g_array_index(users, uint32_t, i);
        if (w == origin) continue;
        if (topic == TOPIC_DA && !cdn->da_member[w]) continue;
        broker_send(cdn, b, now, message, w, route(OP_DELIVER, 0), TRUE);
    }
}

static void direct(SimCdn *cdn, uint32_t b, SimTime now, const SimMessage *message, uint32_t w,
                   gboolean from_mesh)
{
    uint32_t holder = w < cdn->validators ? cdn->broker_of[w] : NO_BROKER;
    if (holder != NO_BROKER && cdn->orphaned[w]) holder = NO_BROKER; /* its broker is gone */
    if (holder == b) {
        broker_send(cdn, b, now, message, w, route(OP_DELIVER, 0), TRUE);
    } else if (holder != NO_BROKER && !from_mesh) {
        broker_send(cdn, b, now, message, cdn->first + holder, route(OP_MESH_DIRECT, w), FALSE);
    } else {
        cdn->stats->lost_disconnected++; /* the recipient has no broker (or moved meanwhile) */
    }
}

void sim_cdn_route(SimCdn *cdn, uint32_t host, const SimMessage *message, uint64_t word,
                   SimTime now)
{
    unsigned op = (unsigned)(word >> 48) & 0xff;
    uint32_t arg = (uint32_t)word;
    if (op == OP_DELIVER) {
        SIM_ASSERT(host < cdn->validators);
        cdn->deliver.fn(cdn->network, host, message, now, cdn->deliver.data);
        return;
    }
    SIM_ASSERT(host >= cdn->first && host < cdn->first + cdn->config.brokers);
    uint32_t b = host - cdn->first;
    switch (op) {
    case OP_PUBLISH:
        deliver_local(cdn, b, now, message, arg);
        for (uint32_t other = 0; other < cdn->config.brokers; other++) {
            if (other == b || !cdn->broker_up[other]) continue;
            gboolean subscribers =
                arg == TOPIC_DA ? cdn->da_users[other] > 0 : cdn->users[other]->len > 0;
            if (!subscribers) continue;
            broker_send(cdn, b, now, message, cdn->first + other, route(OP_MESH_PUBLISH, arg),
                        FALSE);
        }
        break;
    case OP_MESH_PUBLISH:
        deliver_local(cdn, b, now, message, arg);
        break;
    case OP_DIRECT:
        direct(cdn, b, now, message, arg, FALSE);
        break;
    case OP_MESH_DIRECT:
        direct(cdn, b, now, message, arg, TRUE);
        break;
    default:
        SIM_UNREACHABLE();
    }
}

void sim_cdn_host_down(SimCdn *cdn, uint32_t host)
{
    SimTime now = sim_engine_now(cdn->engine);
    if (host < cdn->validators) {
        detach(cdn, host, now); /* its connection is gone; it reconnects when it restarts */
        cdn->joining[host] = NO_BROKER;
        return;
    }
    if (host == marshal_host(cdn)) {
        cdn->marshal_up = FALSE;
        return;
    }
    if (host < cdn->first || host >= cdn->first + cdn->config.brokers) return;
    uint32_t b = host - cdn->first;
    if (!cdn->broker_up[b]) return;
    cdn->broker_up[b] = FALSE;
    GArray *users = cdn->users[b];
    while (users->len > 0) {
        uint32_t v = g_array_index(users, uint32_t, 0);
        if (now == 0) { /* unreachable from the start: the first connection fails */
            detach(cdn, v, now);
            if (cdn->config.test_no_initial_connect) continue; /* the #3407 bug */
            attempt_failed(cdn, v, sim_time_add(now, cdn->config.connect_timeout));
            continue;
        }
        /* The broker's side is gone; nothing comes back to `v` from now on. */
        forget(cdn, v);
        cdn->orphaned[v] = TRUE;
        watch_idle(cdn, v, b, now);
    }
}

void sim_cdn_host_up(SimCdn *cdn, uint32_t host)
{
    SimTime now = sim_engine_now(cdn->engine);
    if (host < cdn->validators) {
        if (cdn->broker_of[host] == NO_BROKER) {
            cdn->disconnected_at[host] = now;
            reconnect_later(cdn, host, now);
        }
        return;
    }
    if (host == marshal_host(cdn)) {
        cdn->marshal_up = TRUE;
        return;
    }
    if (host >= cdn->first && host < cdn->first + cdn->config.brokers) {
        cdn->broker_up[host - cdn->first] = TRUE; /* new connections may go to it */
    }
}

const char *sim_cdn_relay_name(const SimCdn *cdn, uint32_t host)
{
    if (host < cdn->first || host > marshal_host(cdn)) return NULL;
    return cdn->names[host - cdn->first];
}
