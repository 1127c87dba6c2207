/*
 * Push-CDN ("Cocoa"; EspressoSystems/Push-CDN: cdn-marshal, cdn-broker), as HotShot uses it
 * (../shared/protocol/hotshot.md section 2.4).
 *
 * Hosts: B brokers, then one marshal (relay hosts from setup->first_relay). Each validator
 * holds one connection to one broker, which the marshal assigns: the live broker with the fewest
 * connections (the lowest id on a tie), so at the start validators are dealt round robin.
 * Brokers form a full mesh and share their user maps (which broker holds which validator) and
 * topic maps; the model takes both as known to every broker at once (Push-CDN syncs them over
 * the mesh on every change, a one-way delay, far below a view).
 *
 * Topics: every validator subscribes to Global, DA members also to Da.
 *   broadcast   sender -> its broker (one copy on the sender's uplink), which sends a copy to
 *               each of its own subscribers of the topic and one copy to every other broker
 *               with subscribers; that broker delivers to its own subscribers only.
 *   direct      sender -> its broker -> the broker that holds the recipient (if another) ->
 *               the recipient. A recipient without a broker does not get it.
 * Every copy a broker sends is charged to its uplink and, first, to its CPU (per message and per
 * byte, [cdn] keys), so broker egress, queueing and CPU bound throughput as they would.
 * Copies through a broker are end-to-end for faults (sim_network_forward): a partition between
 * validators separates them; a fault that selects brokers acts on the broker's own links.
 *
 * Dead connections (Push-CDN runs user connections over QUIC: a keep-alive every 5 s, quinn's
 * default idle timeout of 30 s). Nothing tells a validator that its broker crashed or was cut
 * off: it finds its connection dead once nothing could have come back on it for idle_timeout
 * (a cut either way, or a crashed broker, throughout), checked when a cut is added
 * (sim_network_set_cut_observer) or a broker crashes. A connection that stays open, however
 * idle, is never found dead (the keep-alives get through); an interruption shorter than the
 * timeout costs it nothing. Until then its sends go out and die at the cut (or, to a crashed
 * broker, are lost: lost_disconnected) and sim_cdn_send succeeds; from then the validator has
 * no broker, sim_cdn_send returns FALSE, and it reconnects through the marshal: one round trip
 * to the marshal, one to the broker it is given. An attempt that gets no answer (the marshal
 * down or cut off, the broker dead or cut off) fails connect_timeout after it was sent, one to
 * a marshal without a live broker after its answer; the next comes reconnect_delay later.
 * Brokers dead from time 0 are the first connection failing.
 */
#ifndef SHOTGLASS_SIM_CDN_H
#define SHOTGLASS_SIM_CDN_H

#include "sim/net/network.h"
#include "sim/net/relay.h"

#include <glib.h>

typedef struct SimCdn SimCdn;

/* Relay hosts the CDN needs: its brokers and the marshal. */
uint32_t sim_cdn_relay_count(const SimCdnConfig *config);

/* Creates the CDN (places and configures its hosts; connects every validator). Copies that
 * reach a validator go to `deliver`; `stats` is the transport's, borrowed. NULL with `error`
 * for a placement that does not fit. */
SimCdn *sim_cdn_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                    SimTransportStats *stats, GError **error);
void sim_cdn_free(SimCdn *cdn);

/*
 * Sends `message` from its source as `send` says (see transport.h for `targets`). Returns FALSE
 * when the sender has no broker now: nothing was sent.
 */
gboolean sim_cdn_send(SimCdn *cdn, SimTime ready, SimMessage *message, const SimSend *send,
                      const uint32_t *targets, size_t count);

/* A copy with a CDN routing word reached `host` (a broker or a validator). */
void sim_cdn_route(SimCdn *cdn, uint32_t host, const SimMessage *message, uint64_t word,
                   SimTime now);

/* Whether `validator` has a broker now. */
gboolean sim_cdn_connected(const SimCdn *cdn, uint32_t validator);

void sim_cdn_host_down(SimCdn *cdn, uint32_t host);
void sim_cdn_host_up(SimCdn *cdn, uint32_t host);

/* "broker0".."brokerN", "marshal", or NULL for a host that is none of the CDN's. */
const char *sim_cdn_relay_name(const SimCdn *cdn, uint32_t host);

/* The broker `validator` is connected to, or UINT32_MAX. */
uint32_t sim_cdn_broker_of(const SimCdn *cdn, uint32_t validator);

#endif
