/*
 * The web-server network; see webserver.h.
 *
 * Routing words (sim/net/relay.h; the low 56 bits): the operation in bits 48..55, a validator id
 * or an audience in the low 32 bits.
 */
#include "sim/net/webserver.h"

#include "sim/core/assert.h"
#include "sim/core/rng.h"

enum {
    OP_POST = 1, /* validator -> server: keep this for the audience in the low bits */
    OP_DELIVER,  /* server -> validator: the answer to a poll */
};

/* Audiences of a post, beside one validator's id. */
#define TO_ALL       0xffffffffu /* every validator but the sender */
#define TO_COMMITTEE 0xfffffffeu /* every DA member but the sender */

struct SimWeb {
    SimNetwork *network;
    SimEngine *engine;
    SimWebConfig config;
    SimDeliver deliver;
    SimTransportStats *stats;
    uint32_t validators;
    uint32_t first; /* server s is host first + s */
    gboolean *da_member;
    /* Per (server, validator), at s * validators + v: */
    SimDuration *phase;   /* when in its poll cycle the validator's first poll leaves */
    GPtrArray **pending;  /* messages the server holds for it (references) */
    SimTime *response_at; /* when the answer to the poll that takes them leaves, or NONE */
    gboolean *server_up;
    uint16_t kind_poll;
    char **names;
};

static uint64_t route(unsigned op, uint32_t arg)
{
    return sim_route_make(SIM_ROUTE_WEB, ((uint64_t)op << 48) | arg);
}

uint32_t sim_web_relay_count(const SimWebConfig *config)
{
    return config->servers;
}

static gboolean host_up(const SimWeb *web, uint32_t host)
{
    return sim_network_host(web->network, host)->status == SIM_HOST_UP;
}

static size_t slot(const SimWeb *web, uint32_t s, uint32_t v)
{
    return (size_t)s * web->validators + v;
}

/* When the answer to the first poll of `v` that reaches server `s` at or after `t` leaves the
 * server: polls leave v at phase + k (poll_interval + round trip) and take one way to arrive. */
static SimTime next_answer(const SimWeb *web, uint32_t s, uint32_t v, SimTime t)
{
    SimDuration one_way = sim_network_base_latency(web->network, v, web->first + s);
    SimDuration cycle = sim_time_add(web->config.poll_interval, 2 * one_way);
    SimTime first = sim_time_add(web->phase[slot(web, s, v)], one_way);
    if (cycle == 0 || t <= first) return sim_time_max(first, t);
    uint64_t k = (t - first + cycle - 1) / cycle;
    return first + k * cycle;
}

static void schedule_answer(SimWeb *web, uint32_t s, uint32_t v, SimTime after)
{
    size_t i = slot(web, s, v);
    if (web->response_at[i] != SIM_TIME_NONE) return;
    web->response_at[i] = next_answer(web, s, v, after);
    sim_engine_schedule(web->engine, web->response_at[i], web->kind_poll, v, s, NULL, 0);
}

static void drop_pending(SimWeb *web, size_t i)
{
    GPtrArray *held = web->pending[i];
    web->stats->lost_disconnected += held->len;
    g_ptr_array_set_size(held, 0);
}

/* The answer to a poll of validator v (event target) at server s (event source). */
static void on_poll(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimWeb *web = user_data;
    uint32_t v = event->target, s = event->source;
    size_t i = slot(web, s, v);
    if (web->response_at[i] != event->time) return; /* superseded (a crash in between) */
    web->response_at[i] = SIM_TIME_NONE;
    GPtrArray *held = web->pending[i];
    if (!web->server_up[s]) {
        drop_pending(web, i);
        return;
    }
    if (!host_up(web, v)) return; /* it polls again when it is back (sim_web_host_up) */
    uint32_t server = web->first + s;
    SimTime ready = sim_time_max(
        event->time, sim_network_cpu_charge(web->network, server, web->config.cpu_per_request));
    for (guint m = 0; m < held->len; m++) {
        sim_network_forward(web->network, server, ready, g_ptr_array_index(held, m), v,
                            route(OP_DELIVER, 0), TRUE);
        web->stats->relayed++;
    }
    g_ptr_array_set_size(held, 0);
}

SimWeb *sim_web_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                    SimTransportStats *stats, GError **error)
{
    const SimWebConfig *config = &setup->web;
    SIM_ASSERT(config->servers == 1 || config->servers == 2);
    if (!sim_relay_place(network, setup->regions, config->region, setup->first_relay,
                         config->servers, config->uplink_bps, config->downlink_bps, config->vcpus,
                         "[webserver] region", error)) {
        return NULL;
    }
    SimWeb *web = g_new0(SimWeb, 1);
    web->network = network;
    web->engine = sim_network_engine(network);
    web->config = *config;
    web->config.region = NULL; /* borrowed text: not kept */
    web->deliver = deliver;
    web->stats = stats;
    web->validators = setup->validators;
    web->first = setup->first_relay;
    if (setup->da_member != NULL) {
        web->da_member = g_memdup2(setup->da_member, sizeof(gboolean) * setup->validators);
    }
    size_t slots = (size_t)config->servers * setup->validators;
    web->phase = g_new(SimDuration, slots);
    web->pending = g_new(GPtrArray *, slots);
    web->response_at = g_new(SimTime, slots);
    SimRng rng;
    sim_rng_init(&rng, setup->rng_algorithm, setup->seed, "webserver.poll", 0);
    for (size_t i = 0; i < slots; i++) {
        web->phase[i] = config->poll_interval > 0 ? sim_rng_below(&rng, config->poll_interval) : 0;
        web->pending[i] = g_ptr_array_new_with_free_func((GDestroyNotify)sim_message_unref);
        web->response_at[i] = SIM_TIME_NONE;
    }
    sim_rng_clear(&rng);
    web->server_up = g_new(gboolean, config->servers);
    web->names = g_new0(char *, config->servers + 1);
    for (uint32_t s = 0; s < config->servers; s++) {
        web->server_up[s] = TRUE;
        web->names[s] = g_strdup(config->servers == 1 ? "web"
                                 : s == 0             ? "web-consensus"
                                                      : "web-da");
    }
    web->kind_poll =
        sim_engine_register(web->engine, "web.poll", on_poll, NULL, web, SIM_KIND_DIGEST);
    return web;
}

void sim_web_free(SimWeb *web)
{
    if (web == NULL) return;
    size_t slots = (size_t)web->config.servers * web->validators;
    for (size_t i = 0; i < slots; i++)
        g_ptr_array_unref(web->pending[i]);
    g_strfreev(web->names);
    g_free(web->pending);
    g_free(web->phase);
    g_free(web->response_at);
    g_free(web->server_up);
    g_free(web->da_member);
    g_free(web);
}

void sim_web_send(SimWeb *web, SimTime ready, SimMessage *message, const SimSend *send,
                  const uint32_t *targets, size_t count)
{
    uint32_t v = sim_message_source(message);
    SIM_ASSERT(v < web->validators);
    uint32_t server = web->first + (web->config.servers == 2 && send->da_class ? 1 : 0);
    if (send->cls == SIM_SEND_BROADCAST) {
        sim_network_forward(web->network, v, ready, message, server, route(OP_POST, TO_ALL), FALSE);
        return;
    }
    if (send->cls == SIM_SEND_DA_BROADCAST &&
        sim_relay_covers_committee(web->da_member, web->validators, v, targets, count)) {
        for (size_t i = 0; i < count; i++) {
            if (targets[i] == v) sim_network_send(web->network, ready, message, v);
        }
        sim_network_forward(web->network, v, ready, message, server, route(OP_POST, TO_COMMITTEE),
                            FALSE);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t w = targets[i];
        if (w == v || w >= web->validators) {
            sim_network_send(web->network, ready, message, w); /* itself, or an endpoint */
            continue;
        }
        sim_network_forward(web->network, v, ready, message, server, route(OP_POST, w), FALSE);
    }
}

static void hold(SimWeb *web, uint32_t s, uint32_t v, const SimMessage *message, SimTime now)
{
    g_ptr_array_add(web->pending[slot(web, s, v)], sim_message_ref((SimMessage *)message));
    if (host_up(web, v)) schedule_answer(web, s, v, now);
}

void sim_web_route(SimWeb *web, uint32_t host, const SimMessage *message, uint64_t word,
                   SimTime now)
{
    unsigned op = (unsigned)(word >> 48) & 0xff;
    uint32_t audience = (uint32_t)word;
    if (op == OP_DELIVER) {
        SIM_ASSERT(host < web->validators);
        web->deliver.fn(web->network, host, message, now, web->deliver.data);
        return;
    }
    SIM_ASSERT(op == OP_POST && host >= web->first && host < web->first + web->config.servers);
    uint32_t s = host - web->first;
    /* Taking the post in is a request too. */
    sim_network_cpu_charge(web->network, host, web->config.cpu_per_request);
    uint32_t origin = sim_message_source(message);
    if (audience != TO_ALL && audience != TO_COMMITTEE) {
        SIM_ASSERT(audience < web->validators);
        hold(web, s, audience, message, now);
        return;
    }
    for (uint32_t v = 0; v < web->validators; v++) {
        if (v == origin) continue;
        if (audience == TO_COMMITTEE && !web->da_member[v]) continue;
        hold(web, s, v, message, now);
    }
}

void sim_web_host_down(SimWeb *web, uint32_t host)
{
    if (host < web->first || host >= web->first + web->config.servers) return;
    uint32_t s = host - web->first;
    web->server_up[s] = FALSE;
    for (uint32_t v = 0; v < web->validators; v++) {
        size_t i = slot(web, s, v);
        drop_pending(web, i);
        web->response_at[i] = SIM_TIME_NONE; /* pending answers find nothing to send */
    }
}

void sim_web_host_up(SimWeb *web, uint32_t host)
{
    SimTime now = sim_engine_now(web->engine);
    if (host < web->validators) { /* back: it polls every server again */
        for (uint32_t s = 0; s < web->config.servers; s++) {
            if (web->pending[slot(web, s, host)]->len > 0) schedule_answer(web, s, host, now);
        }
        return;
    }
    if (host >= web->first && host < web->first + web->config.servers) {
        web->server_up[host - web->first] = TRUE;
    }
}

const char *sim_web_relay_name(const SimWeb *web, uint32_t host)
{
    if (host < web->first || host >= web->first + web->config.servers) return NULL;
    return web->names[host - web->first];
}
