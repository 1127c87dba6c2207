/*
 * The combined network Espresso runs: Push-CDN as the primary network (sim/net/cdn.h) and
 * libp2p as the secondary (sim/net/gossip.h), with HotShot's fallback rules (HS
 * crates/hotshot/src/traits/networking/combined_network.rs, send_both_networks and
 * recv_message; constants in crates/types/src/constants.rs; research.md section 5).
 *
 * Hosts: the CDN's brokers and marshal are the relay hosts; libp2p has none. Both sub-networks
 * run as they do alone, with their routing words (SIM_ROUTE_CDN, SIM_ROUTE_GOSSIP), and both
 * hand what reaches a validator to this module's receive filter.
 *
 * Sending. Each validator keeps a primary failure counter, a primary-down flag and a counter
 * of undelayed secondary sends while down (a crash resets all three, as a restart would). For
 * every send, in this order:
 *   1. If the primary is not down but the counter is above failures_max (HotShot's
 *      COMBINED_NETWORK_MIN_PRIMARY_FAILURES, 5), it is declared down now (stats->cdn_down).
 *   2. The message always goes on the CDN. If that fails at once (the sender has no broker:
 *      sim_cdn_send returns FALSE), the counter goes up by one.
 *   3. A broadcast or DA broadcast marked delay_by_view (legacy quorum votes and DA-class
 *      messages), while the primary is neither down nor failed in step 2, is checked `delay`
 *      later (Espresso's 1 s; the event kind "combined.delay", which keeps a reference on the
 *      message): if the sender's view (setup->view_of) has moved past send->view by then, the
 *      CDN is taken to work: the counter goes down by one, or, at zero, the primary is up again;
 *      no libp2p copy (stats->delayed_cancelled). Otherwise the counter goes up by one and the
 *      message goes on libp2p then. A sender that crashed meanwhile sends nothing.
 *   4. Every other send also goes on libp2p at once: directs (CombinedNetworks::direct_message
 *      passes BroadcastDelay::None whatever the message), broadcasts not marked delay_by_view
 *      (BroadcastDelay::None: HotShot's else branch sends them on the secondary at once even
 *      while the CDN is up, so proposals, timeout votes and view-sync messages go on both), and
 *      everything while the primary is down or failed. While down, each such send counts; the
 *      one after reprobe_every (COMBINED_NETWORK_PRIMARY_CHECK_INTERVAL, 50) of them resets the
 *      count, marks the primary up (stats->cdn_up) and sets the counter to failures_max, so the
 *      next delayed broadcast probes the CDN again.
 * A send marked primary_only (VID shares: HotShot's vid_broadcast_message goes only on the
 * primary) goes on the CDN alone and touches no counter. The libp2p copy goes to the
 * validators among the targets other than the sender; copies to the sender itself and to
 * endpoints go once, through the CDN's host-to-host path. Every libp2p copy counts in
 * stats->libp2p_sends.
 *
 * Receiving. A validator hands each message to the protocol at most once: a cache of the
 * message digests it has seen (HotShot keys its LruCache by the blake3 hash of the bytes; the
 * model by sim_message_digest, the content digest of the same bytes), dedup_capacity entries
 * (COMBINED_NETWORK_CACHE_SIZE, 200,000) per validator, least recently put first out (a copy
 * seen again counts as a put, as LruCache::put does). A filtered copy counts in
 * stats->duplicates (which libp2p's own seen-cache also counts into). A crash clears the cache.
 *
 * Not modelled: the cost of hashing on receive; HotShot's delayed tasks per view channel are
 * one event per delayed send, which decides the same way.
 */
#ifndef SHOTGLASS_SIM_COMBINED_H
#define SHOTGLASS_SIM_COMBINED_H

#include "sim/net/cdn.h"
#include "sim/net/gossip.h"
#include "sim/net/network.h"
#include "sim/net/relay.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SimCombined SimCombined;

/* Relay hosts the combined network needs: the CDN's. */
uint32_t sim_combined_relay_count(const SimRelaySetup *setup);

/*
 * Creates the CDN and the libp2p network over `network` (see sim_cdn_new, sim_gossip_new) and
 * the per-validator state. Copies that pass the duplicate filter go to `deliver`; `stats` is the
 * transport's, shared with both sub-networks, borrowed for the combined network's lifetime like
 * `network` and setup->view_data. Asserts failures_max, reprobe_every and dedup_capacity > 0.
 * Returns NULL with `error` when the CDN's relays cannot be placed.
 */
SimCombined *sim_combined_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                              SimTransportStats *stats, GError **error);

/* Frees the combined network and both sub-networks. Pending "combined.delay" events must have
 * been discarded (engine freed) or run before. */
void sim_combined_free(SimCombined *combined);

/* Sends `message` from its source, a validator, as `send` says (see transport.h for `targets`
 * and the rules above). `message` is borrowed; a delayed copy takes its own reference. */
void sim_combined_send(SimCombined *combined, SimTime ready, SimMessage *message,
                       const SimSend *send, const uint32_t *targets, size_t count);

/* How many libp2p copies sim_combined_send with the same arguments would hand to the sender's
 * uplink at once (for the egress accounting; no state changes): validators - 1 for a broadcast
 * (flood publish), one per other validator target otherwise, 0 when the copy is delayed (it is
 * decided later) or the send is primary_only. */
uint64_t sim_combined_libp2p_copies(const SimCombined *combined, uint32_t source,
                                    const SimSend *send, const uint32_t *targets, size_t count);

/* The sub-networks, owned by `combined` (for the router and the relay queries). */
SimCdn *sim_combined_cdn(const SimCombined *combined);
SimGossip *sim_combined_gossip(const SimCombined *combined);

/* A host went down or came up (after sim_network_host_crash/restart): both sub-networks hear of
 * it; a validator that goes down also loses its counters and its duplicate cache. */
void sim_combined_host_down(SimCombined *combined, uint32_t host);
void sim_combined_host_up(SimCombined *combined, uint32_t host);

/* `validator`'s view of the CDN: whether it holds it down, and its failure counter. */
gboolean sim_combined_primary_down(const SimCombined *combined, uint32_t validator);
uint64_t sim_combined_fail_counter(const SimCombined *combined, uint32_t validator);

#endif
