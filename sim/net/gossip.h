/*
 * libp2p as HotShot uses it (HS libp2p_network.rs, libp2p-networking; ../shared/protocol/
 * hotshot.md section 2.4): gossipsub on the topic "global" for broadcasts, request-response for
 * directs, a Kademlia DHT to find a recipient's peer id. There are no relay hosts: every copy
 * goes validator to validator over the simulated links, on the uplink of the validator that
 * sends it (the publisher, or a validator that forwards).
 *
 * The mesh. Gossipsub keeps, per peer and topic, a mesh of mesh_n peers (GRAFT and PRUNE keep it
 * between mesh_n_low and mesh_n_high and symmetric: if a has b, b has a). The model holds the
 * mesh as one undirected graph over the validators, built at the start from the stream
 * "gossip.mesh" of setup->seed: validators in ascending id order each graft random peers until
 * they have mesh_n (a peer below mesh_n first, else one below mesh_n_high), then components
 * that are not connected to validator 0's are joined by one edge each (lowest ids below
 * mesh_n_high), so the initial mesh is connected. With fewer than mesh_n + 1 validators it is
 * the full graph. mesh_outbound_min is not modelled (every edge counts as both).
 *
 * Broadcast (SIM_SEND_BROADCAST). The publisher gives the message a new id (publish order), and
 * with flood_publish sends its own message to every validator subscribed to the topic (all of
 * them, i.e. every overlay member but itself, ascending), else to its mesh peers. A validator
 * that receives a copy it has not seen within duplicate_cache hands it to the protocol once and
 * forwards it to its mesh peers except the one it came from and the publisher, at once (before
 * the protocol's work; gossipsub forwards from its own task), on its own uplink; a copy it has
 * seen is counted in stats->duplicates and dropped. Forwarded copies are stats->relayed. The
 * seen-cache is one record per message id holding each validator's first-sight time; a
 * validator forgets it duplicate_cache after its first sight (and on a crash); a record is
 * dropped once every validator has forgotten it, and a copy that arrives even later is taken
 * as a duplicate (so a copy held by a partition cannot start a second flood). Gossip (IHAVE /
 * IWANT), IDONTWANT, peer scoring and the message history are not modelled.
 *
 * Directs (SIM_SEND_DIRECT, and SIM_SEND_DA_BROADCAST, which HotShot's libp2p network sends as
 * one direct per DA member). The first direct from a to b waits for a Kademlia lookup of b's
 * peer id: kademlia_hops round trips, hop i to a peer drawn from (seed, a, b, i), each costing
 * twice the base one-way latency between a and that peer (no jitter, no bytes on the links); the
 * copy is handed to a's uplink when the lookup ends. Later directs from a to b go at once (or
 * when the lookup under way ends), and a validator that receives a direct from a knows a from
 * then on (the connection it came on). A crash forgets what the validator knew (peer ids, its
 * seen-cache) and the directs still waiting for a lookup. Copies to the sender itself or to
 * endpoints (builder, rollups) go host to host, as under every transport.
 *
 * Heartbeat. Every `heartbeat` (a grid from time 0) gossipsub maintains its meshes. A validator
 * that went down is dropped from every mesh at the next heartbeat after its crash (even if it is
 * back by then: its connections are gone), and a validator that is up and was not in the
 * overlay joins it; then every member below mesh_n_low grafts random live peers (stream
 * "gossip.heartbeat", ascending ids) below mesh_n_high until it has mesh_n. The model runs a
 * heartbeat only when a validator went down or came up since the last one: the heartbeats it
 * skips would change no mesh, and a run without faults has no heartbeat events. Partitions do not
 * change meshes (connections are kept across a cut).
 *
 * Faults act on every copy as on any host-to-host copy: a partition separates the validators on
 * its sides, and a gossip copy may still get around it through a validator outside the cut.
 */
#ifndef SHOTGLASS_SIM_GOSSIP_H
#define SHOTGLASS_SIM_GOSSIP_H

#include "sim/net/network.h"
#include "sim/net/relay.h"

#include <glib.h>
#include <stddef.h>

typedef struct SimGossip SimGossip;

/*
 * Creates the libp2p network over the validators 0 .. setup->validators - 1 of `network` and
 * builds their mesh. Copies that reach a validator go to `deliver`; `stats` is the transport's,
 * borrowed for the gossip's lifetime, like `network`. Asserts mesh_n_low <= mesh_n <=
 * mesh_n_high and heartbeat > 0 (the scenario checks them).
 */
SimGossip *sim_gossip_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                          SimTransportStats *stats);
void sim_gossip_free(SimGossip *gossip);

/* Sends `message` from its source, a validator, as `send` says (see transport.h for
 * `targets`). */
void sim_gossip_send(SimGossip *gossip, SimTime ready, SimMessage *message, const SimSend *send,
                     const uint32_t *targets, size_t count);

/* A copy with a gossip routing word reached validator `host` from host `from`. */
void sim_gossip_route(SimGossip *gossip, uint32_t host, const SimMessage *message, uint32_t from,
                      uint64_t word, SimTime now);

/* A host went down or came up (after sim_network_host_crash/restart); relays are ignored. */
void sim_gossip_host_down(SimGossip *gossip, uint32_t host);
void sim_gossip_host_up(SimGossip *gossip, uint32_t host);

/* `validator`'s mesh peers, ascending, and their number in `count`; borrowed until the next
 * heartbeat. */
const uint32_t *sim_gossip_mesh(const SimGossip *gossip, uint32_t validator, size_t *count);

/* Whether a send goes out as a gossipsub publish (a broadcast; with test_gossip_vid, a VID
 * share too) rather than as directs. */
gboolean sim_gossip_publishes(const SimGossip *gossip, const SimSend *send);

#endif
