/*
 * The transport between the protocol driver and the network; see transport.h.
 */
#include "sim/net/transport.h"

#include "sim/core/assert.h"
#include "sim/net/cdn.h"
#include "sim/net/webserver.h"
#include "sim/net/gossip.h"

struct SimTransport {
    SimTransportKind kind;
    SimNetwork *network;
    SimTransportStats stats;
    SimCdn *cdn;       /* owned, or borrowed from `combined` */
    SimGossip *gossip; /* likewise */
    SimCombined *combined;
    uint32_t brokers;
    SimWeb *web;
    uint32_t servers;
    uint32_t validators;
    gboolean *da_member; /* per validator, a copy; NULL without a DA committee */
};

static const char *const kind_names[SIM_TRANSPORT_KIND_COUNT_] = {
    [SIM_TRANSPORT_DIRECT] = "direct",     [SIM_TRANSPORT_WEBSERVER] = "webserver",
    [SIM_TRANSPORT_CDN] = "cdn",           [SIM_TRANSPORT_LIBP2P] = "libp2p",
    [SIM_TRANSPORT_COMBINED] = "combined",
};

const char *sim_transport_kind_name(SimTransportKind kind)
{
    SIM_ASSERT(kind < SIM_TRANSPORT_KIND_COUNT_);
    return kind_names[kind];
}

void sim_transport_defaults(SimRelaySetup *setup)
{
    /* Each value's source is in docs/calibration.md ("Transports"). */
    setup->cdn = (SimCdnConfig){
        .brokers = 3,                 /* Cappuccino: 3 brokers (hotshot.md 4.4) */
        .uplink_bps = 12500000000ull, /* m6a.xlarge: up to 12.5 Gbit */
        .downlink_bps = 12500000000ull,
        .vcpus = 4, /* m6a.xlarge: 4 vCPUs */
        .cpu_per_message = 0,
        .cpu_bps = 0,
        .idle_timeout = 30 * SIM_S,   /* quinn's default max_idle_timeout */
        .connect_timeout = 5 * SIM_S, /* cdn-proto quic.rs: the connect's timeout */
        .reconnect_delay = 2 * SIM_S, /* cdn-client lib.rs: sleep before the next attempt */
    };
    setup->web = (SimWebConfig){
        .servers = 2, /* Doppio: one for consensus, one for DA and transactions */
        .uplink_bps = 12500000000ull,
        .downlink_bps = 12500000000ull,
        .vcpus = 4,
        .poll_interval = 100 * SIM_MS, /* the paper, section 4.4 */
    };
    /* HotShot's GossipConfig::default (libp2p-networking network/node/config.rs); kademlia_hops
     * is the model's own. */
    setup->gossip = (SimGossipConfig){
        .mesh_n = 8,
        .mesh_n_low = 6,
        .mesh_n_high = 12,
        .mesh_outbound_min = 2,
        .heartbeat = 1 * SIM_S,
        .flood_publish = TRUE,
        .duplicate_cache = 60 * SIM_S,
        .kademlia_hops = 3,
    };
    setup->combined = (SimCombinedConfig){
        .delay = 1 * SIM_S,
        .failures_max = 5,
        .reprobe_every = 50,
        .dedup_capacity = 200000,
    };
}

uint32_t sim_transport_relay_count(const SimRelaySetup *setup)
{
    switch ((SimTransportKind)setup->kind) {
    case SIM_TRANSPORT_CDN:
        return sim_cdn_relay_count(&setup->cdn);
    case SIM_TRANSPORT_COMBINED:
        return sim_combined_relay_count(setup);
    case SIM_TRANSPORT_WEBSERVER:
        return sim_web_relay_count(&setup->web);
    case SIM_TRANSPORT_DIRECT:
    case SIM_TRANSPORT_LIBP2P: /* validator to validator: no relay hosts */
        return 0;
    case SIM_TRANSPORT_KIND_COUNT_:
        break;
    }
    SIM_UNREACHABLE();
}

static void on_route(SimNetwork *network, uint32_t host, const SimMessage *message, uint32_t from,
                     uint64_t route, SimTime now, void *user_data)
{
    (void)network;
    SimTransport *transport = user_data;
    switch (sim_route_owner(route)) {
    case SIM_ROUTE_CDN:
        sim_cdn_route(transport->cdn, host, message, sim_route_word(route), now);
        break;
    case SIM_ROUTE_WEB:
        sim_web_route(transport->web, host, message, sim_route_word(route), now);
        break;
    case SIM_ROUTE_GOSSIP:
        sim_gossip_route(transport->gossip, host, message, from, sim_route_word(route), now);
        break;
    default:
        SIM_UNREACHABLE();
    }
}

SimTransport *sim_transport_new(SimNetwork *network, const SimRelaySetup *setup,
                                SimReceiveFn deliver, void *deliver_data, GError **error)
{
    SIM_ASSERT(setup->kind >= 0 && setup->kind < SIM_TRANSPORT_KIND_COUNT_);
    SimTransport *transport = g_new0(SimTransport, 1);
    transport->kind = (SimTransportKind)setup->kind;
    transport->network = network;
    transport->validators = setup->validators;
    if (setup->da_member != NULL) {
        transport->da_member = g_memdup2(setup->da_member, sizeof(gboolean) * setup->validators);
    }
    SimDeliver to_protocol = {deliver, deliver_data};
    switch (transport->kind) {
    case SIM_TRANSPORT_DIRECT:
        return transport;
    case SIM_TRANSPORT_CDN:
        transport->cdn = sim_cdn_new(network, setup, to_protocol, &transport->stats, error);
        transport->brokers = setup->cdn.brokers;
        if (transport->cdn == NULL) break;
        sim_network_set_router(network, on_route, transport);
        return transport;
    case SIM_TRANSPORT_WEBSERVER:
        transport->web = sim_web_new(network, setup, to_protocol, &transport->stats, error);
        transport->servers = setup->web.servers;
        if (transport->web == NULL) break;
        sim_network_set_router(network, on_route, transport);
        return transport;
    case SIM_TRANSPORT_LIBP2P:
        transport->gossip = sim_gossip_new(network, setup, to_protocol, &transport->stats);
        sim_network_set_router(network, on_route, transport);
        return transport;
    case SIM_TRANSPORT_COMBINED:
        transport->combined =
            sim_combined_new(network, setup, to_protocol, &transport->stats, error);
        if (transport->combined == NULL) break;
        transport->cdn = sim_combined_cdn(transport->combined);
        transport->gossip = sim_combined_gossip(transport->combined);
        transport->brokers = setup->cdn.brokers;
        sim_network_set_router(network, on_route, transport);
        return transport;
    case SIM_TRANSPORT_KIND_COUNT_:
        SIM_UNREACHABLE();
    }
    g_free(transport->da_member);
    g_free(transport);
    return NULL;
}

void sim_transport_free(SimTransport *transport)
{
    if (transport == NULL) return;
    if (transport->combined != NULL) {
        sim_combined_free(transport->combined); /* and the sub-networks it owns */
    } else {
        sim_cdn_free(transport->cdn);
        sim_gossip_free(transport->gossip);
    }
    sim_web_free(transport->web);
    g_free(transport->da_member);
    g_free(transport);
}

SimTransportKind sim_transport_kind(const SimTransport *transport)
{
    return transport->kind;
}

void sim_transport_send(SimTransport *transport, SimTime ready, SimMessage *message,
                        const SimSend *send, const uint32_t *targets, size_t count)
{
    SIM_ASSERT(targets != NULL || count == 0);
    switch (transport->kind) {
    case SIM_TRANSPORT_DIRECT:
        if (send->cls == SIM_SEND_BROADCAST) {
            sim_network_broadcast(transport->network, ready, message);
        } else {
            sim_network_multicast(transport->network, ready, message, targets, count);
        }
        break;
    case SIM_TRANSPORT_CDN:
        sim_cdn_send(transport->cdn, ready, message, send, targets, count);
        break;
    case SIM_TRANSPORT_WEBSERVER:
        sim_web_send(transport->web, ready, message, send, targets, count);
        break;
    case SIM_TRANSPORT_LIBP2P:
        sim_gossip_send(transport->gossip, ready, message, send, targets, count);
        break;
    case SIM_TRANSPORT_COMBINED:
        sim_combined_send(transport->combined, ready, message, send, targets, count);
        break;
    case SIM_TRANSPORT_KIND_COUNT_:
        SIM_UNREACHABLE();
    }
}

/* The copies through the relays (or host to host without them). */
static uint64_t relay_copies(const SimTransport *transport, uint32_t source, const SimSend *send,
                             const uint32_t *targets, size_t count)
{
    gboolean relayed = transport->cdn != NULL || transport->web != NULL;
    if (send->cls == SIM_SEND_BROADCAST) return relayed ? 1 : transport->validators - 1;
    if (transport->kind == SIM_TRANSPORT_LIBP2P && sim_gossip_publishes(transport->gossip, send)) {
        return transport->validators - 1; /* flood publish: one copy to every validator */
    }
    if (relayed && send->cls == SIM_SEND_DA_BROADCAST) {
        if (sim_relay_covers_committee(transport->da_member, transport->validators, source, targets,
                                       count)) {
            return 1;
        }
    }
    return count;
}

uint64_t sim_transport_uplink_copies(const SimTransport *transport, uint32_t source,
                                     const SimSend *send, const uint32_t *targets, size_t count)
{
    if (transport->combined == NULL) return relay_copies(transport, source, send, targets, count);
    /* A sender without a broker sends nothing on the CDN (sim_cdn_send fails at once). */
    uint64_t copies = sim_cdn_connected(transport->cdn, source)
                          ? relay_copies(transport, source, send, targets, count)
                          : 0;
    return copies + sim_combined_libp2p_copies(transport->combined, source, send, targets, count);
}

void sim_transport_host_down(SimTransport *transport, uint32_t host)
{
    if (transport->combined != NULL) {
        sim_combined_host_down(transport->combined, host);
        return;
    }
    if (transport->cdn != NULL) sim_cdn_host_down(transport->cdn, host);
    if (transport->web != NULL) sim_web_host_down(transport->web, host);
    if (transport->gossip != NULL) sim_gossip_host_down(transport->gossip, host);
}

void sim_transport_host_up(SimTransport *transport, uint32_t host)
{
    if (transport->combined != NULL) {
        sim_combined_host_up(transport->combined, host);
        return;
    }
    if (transport->cdn != NULL) sim_cdn_host_up(transport->cdn, host);
    if (transport->web != NULL) sim_web_host_up(transport->web, host);
    if (transport->gossip != NULL) sim_gossip_host_up(transport->gossip, host);
}

const char *sim_transport_relay_name(const SimTransport *transport, uint32_t host)
{
    if (transport->cdn != NULL) return sim_cdn_relay_name(transport->cdn, host);
    if (transport->web != NULL) return sim_web_relay_name(transport->web, host);
    return NULL;
}

uint32_t sim_transport_brokers(const SimTransport *transport)
{
    return transport->cdn != NULL ? transport->brokers : 0;
}

uint32_t sim_transport_servers(const SimTransport *transport)
{
    return transport->web != NULL ? transport->servers : 0;
}

uint32_t sim_transport_broker_of(const SimTransport *transport, uint32_t validator)
{
    return transport->cdn != NULL ? sim_cdn_broker_of(transport->cdn, validator) : UINT32_MAX;
}

const SimCombined *sim_transport_combined(const SimTransport *transport)
{
    return transport->combined;
}

const SimTransportStats *sim_transport_stats(const SimTransport *transport)
{
    return &transport->stats;
}

const uint32_t *sim_transport_mesh(const SimTransport *transport, uint32_t validator, size_t *count)
{
    if (transport->gossip != NULL) return sim_gossip_mesh(transport->gossip, validator, count);
    *count = 0;
    return NULL;
}
