/*
 * How a validator's messages reach the others: the transport between the protocol and the
 * simulated network (../shared/protocol/hotshot.md section 2.4).
 *
 * HotShot hands every outgoing message to its network as one of three transmits: a broadcast to
 * all validators, a broadcast to the DA committee, or a direct message to one node (VID
 * dispersal is a batch of directs). What happens next depends on the network Espresso ran:
 *
 *   direct     every copy goes host to host over the simulated links (no relays). A broadcast
 *              is one copy to every other host. This is shotglass's original model; it keeps
 *              its digests.
 *   webserver  the early HotShot network (the paper, Doppio): messages are posted to central
 *              HTTP servers that each node polls (sim/net/webserver.h).
 *   cdn        Push-CDN: a marshal and brokers; each validator holds one connection to one
 *              broker, brokers form a full mesh (sim/net/cdn.h).
 *   libp2p     gossipsub broadcast and request-response directs (sim/net/gossip.h).
 *   combined   what Espresso runs: the CDN first, libp2p as the fallback (sim/net/combined.h);
 *              its relays are the CDN's.
 *
 * Relays (brokers, marshal, web servers) are hosts of the simulated network after the
 * validators and the endpoints: ids first_relay .. first_relay + relay count - 1. They have
 * links, CPUs and counters like any host, and faults can select them. Copies between
 * validators through a relay carry a routing word and are delivered by the network to the
 * transport (sim_network_set_router), which hands what reaches a validator to `deliver`: the
 * protocol sees the original sender as the source. Messages to or from endpoints (builder,
 * rollups) are HTTP requests to a node's API and go host to host under every transport.
 */
#ifndef SHOTGLASS_SIM_TRANSPORT_H
#define SHOTGLASS_SIM_TRANSPORT_H

#include "sim/net/combined.h"
#include "sim/net/network.h"
#include "sim/net/relay.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef enum SimTransportKind {
    SIM_TRANSPORT_DIRECT,
    SIM_TRANSPORT_WEBSERVER,
    SIM_TRANSPORT_CDN,
    SIM_TRANSPORT_LIBP2P,
    SIM_TRANSPORT_COMBINED,
    SIM_TRANSPORT_KIND_COUNT_,
} SimTransportKind;

typedef struct SimTransport SimTransport;

/* The scenario's transport name of `kind` ("direct", "cdn", ...). */
const char *sim_transport_kind_name(SimTransportKind kind);

/* Fills every transport's settings in `setup` with their defaults (docs/calibration.md); the
 * kind and the run-time fields are left alone. */
void sim_transport_defaults(SimRelaySetup *setup);

/* How many relay hosts the transport needs (brokers and marshal, web servers; 0 for direct). */
uint32_t sim_transport_relay_count(const SimRelaySetup *setup);

/*
 * Creates the transport over `network`, whose relay hosts (setup->first_relay onwards) it
 * configures (region, links, CPUs). Installs itself as the network's router. `deliver` is called
 * for every copy that reaches a validator through a relay (the network's receive callback
 * handles the rest); both borrowed for the transport's lifetime. Returns NULL with `error` when
 * the relays cannot be placed (an unknown region).
 */
SimTransport *sim_transport_new(SimNetwork *network, const SimRelaySetup *setup,
                                SimReceiveFn deliver, void *deliver_data, GError **error);
void sim_transport_free(SimTransport *transport);

SimTransportKind sim_transport_kind(const SimTransport *transport);

/*
 * Sends `message` (from its source, a validator), handed over at `ready`, as `send` says:
 *   SIM_SEND_BROADCAST     to every validator but the sender (`targets` ignored);
 *   SIM_SEND_DA_BROADCAST  to `targets`, the DA committee (a topic broadcast where the
 *                          transport has topics, else one direct per member);
 *   SIM_SEND_DIRECT        to each of `targets`, one direct message each.
 * Under `direct`, a broadcast is sim_network_broadcast (every host but the sender, endpoints
 * included, as before transports existed) and the rest sim_network_send in the order given.
 */
void sim_transport_send(SimTransport *transport, SimTime ready, SimMessage *message,
                        const SimSend *send, const uint32_t *targets, size_t count);

/* How many copies of a message sim_transport_send would put on the sender's own uplink (the
 * same arguments): a broadcast is validators - 1 copies host to host and one through a relay;
 * a DA proposal to the whole committee one through a relay with topics or posts; directs one
 * each (copies to oneself and to endpoints included, as the direct transport counts them).
 * Under combined, the CDN's copies (none while the sender has no broker) plus the libp2p
 * copies that go at once
 * (sim_combined_libp2p_copies); a delayed libp2p copy is decided later and not counted here
 * (the hosts' counters see every copy). */
uint64_t sim_transport_uplink_copies(const SimTransport *transport, uint32_t source,
                                     const SimSend *send, const uint32_t *targets, size_t count);

/* A relay or a validator crashed or came back (called after sim_network_host_crash/restart):
 * validators connected to a dead broker reconnect through the marshal. */
void sim_transport_host_down(SimTransport *transport, uint32_t host);
void sim_transport_host_up(SimTransport *transport, uint32_t host);

/* The name of relay host `host` ("broker2", "marshal", "web-da"), or NULL if it is none. */
const char *sim_transport_relay_name(const SimTransport *transport, uint32_t host);

/* How many brokers (cdn, combined) or web servers (webserver) the transport has; 0 if none. */
uint32_t sim_transport_brokers(const SimTransport *transport);
uint32_t sim_transport_servers(const SimTransport *transport);

/* The broker index `validator` is connected to under a CDN, or UINT32_MAX (none, or no CDN). */
uint32_t sim_transport_broker_of(const SimTransport *transport, uint32_t validator);

/* The gossipsub mesh peers of `validator` under libp2p, ascending, and their number in `count`
 * (borrowed until the next heartbeat); NULL and 0 under the other transports. */
const uint32_t *sim_transport_mesh(const SimTransport *transport, uint32_t validator,
                                   size_t *count);

/* The combined network under `combined` (its per-validator state, sim/net/combined.h),
 * borrowed for the transport's lifetime; NULL under the other transports. */
const SimCombined *sim_transport_combined(const SimTransport *transport);

const SimTransportStats *sim_transport_stats(const SimTransport *transport);

#endif
