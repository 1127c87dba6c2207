/*
 * The web-server network: the early HotShot network of the paper and of the Doppio testnet
 * (HotShot's WebServerNetwork; ../shared/protocol/hotshot.md sections 2.3 and 4.4).
 *
 * Hosts: one or two HTTP servers (relay hosts from setup->first_relay). With two, as Doppio ran
 * them, server 0 ("web-consensus") carries consensus messages (proposals, quorum and timeout
 * votes, view sync) and server 1 ("web-da") the DA layer's (DA proposals, DA votes and
 * certificates, VID shares); with one ("web") it carries everything.
 *
 * A validator's send is an HTTP POST: one copy over its uplink to the server, whatever the
 * number of recipients (a broadcast, a DA proposal to the committee). The server keeps it, and
 * each recipient gets it in the response to its next poll: every validator polls every server,
 * waits for the answer, sleeps poll_interval and polls again, so its polls reach the server
 * every poll_interval + one round trip, at a phase drawn from the seed. The server then sends
 * the copy over its own uplink (its egress bounds what every recipient gets, as it did), after
 * cpu_per_request of work per request it answers. Messages to and from the data path's other
 * hosts (builder, rollups) go host to host. Copies through a server are end-to-end for faults.
 *
 * Not modelled: the bytes of the HTTP requests and headers (hundreds of bytes against
 * proposals of kilobytes to megabytes), and the server's work on polls that find nothing.
 * A crashed server loses what it held; a validator that is down misses nothing that is still
 * on the server: it polls again when it comes back.
 */
#ifndef SHOTGLASS_SIM_WEBSERVER_H
#define SHOTGLASS_SIM_WEBSERVER_H

#include "sim/net/network.h"
#include "sim/net/relay.h"

#include <glib.h>

typedef struct SimWeb SimWeb;

/* Relay hosts the web-server network needs: its servers. */
uint32_t sim_web_relay_count(const SimWebConfig *config);

/* Creates the servers (places and configures their hosts, draws each validator's poll phases).
 * Copies that reach a validator go to `deliver`; `stats` is the transport's, borrowed. NULL
 * with `error` for a region that does not exist. */
SimWeb *sim_web_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                    SimTransportStats *stats, GError **error);
void sim_web_free(SimWeb *web);

/* Posts `message` from its source as `send` says (see transport.h for `targets`). */
void sim_web_send(SimWeb *web, SimTime ready, SimMessage *message, const SimSend *send,
                  const uint32_t *targets, size_t count);

/* A copy with a web-server routing word reached `host` (a server or a validator). */
void sim_web_route(SimWeb *web, uint32_t host, const SimMessage *message, uint64_t word,
                   SimTime now);

void sim_web_host_down(SimWeb *web, uint32_t host);
void sim_web_host_up(SimWeb *web, uint32_t host);

/* "web", or "web-consensus" and "web-da"; NULL for a host that is none of the servers. */
const char *sim_web_relay_name(const SimWeb *web, uint32_t host);

#endif
