/*
 * What every transport shares (sim/net/transport.h): how HotShot transmits a message, the
 * configuration of each transport's relays, the statistics, and the placement of relay hosts.
 *
 * Routing words. A relayed copy carries a 64-bit word (sim_network_forward) that the transport's
 * router reads at the host it reaches: the top byte names the transport module that sent it
 * (SIM_ROUTE_*), the rest is that module's own.
 */
#ifndef SHOTGLASS_SIM_RELAY_H
#define SHOTGLASS_SIM_RELAY_H

#include "sim/core/time.h"
#include "sim/net/network.h"
#include "sim/net/regions.h"

#include <glib.h>
#include <stdint.h>

/* HotShot's transmit of a message (HS network.rs; hotshot.md section 2.4's table). */
typedef enum SimSendClass {
    SIM_SEND_BROADCAST,    /* every validator: topic Global */
    SIM_SEND_DA_BROADCAST, /* the DA committee: topic Da */
    SIM_SEND_DIRECT,       /* one node */
} SimSendClass;

typedef struct SimSend {
    SimSendClass cls;
    /* Combined network: "delay by view" messages go on libp2p only after the delay, unless the
     * sender's view advanced meanwhile (legacy quorum votes and every DA-class message). */
    gboolean delay_by_view;
    uint64_t view; /* the message's view (HotShot: BroadcastDelay::View(view_number())) */
    /* A DA-layer message (DA proposal, vote, certificate, VID share): the web-server network
     * posts it to its DA server when it has two. */
    gboolean da_class;
    /* Combined network: a VID share, which HotShot's vid_broadcast_message sends on the primary
     * (the CDN) only. */
    gboolean primary_only;
} SimSend;

/* Push-CDN (sim/net/cdn.h). */
typedef struct SimCdnConfig {
    uint32_t brokers;
    const char *placement;      /* the brokers' regions (sim/net/placement.h text); borrowed */
    const char *marshal_region; /* borrowed */
    uint64_t uplink_bps;        /* each broker's */
    uint64_t downlink_bps;
    uint32_t vcpus;
    SimDuration cpu_per_message; /* a broker's work per message it routes */
    uint64_t cpu_bps;            /* bits a broker's vCPU moves per second (0: free) */
    /* A connection is found dead once nothing has come back on it for this long (QUIC's idle
     * timeout; keep-alives keep a healthy idle connection open). */
    SimDuration idle_timeout;
    SimDuration connect_timeout; /* a connection attempt that gets no answer fails this late */
    SimDuration reconnect_delay; /* the client's pause after a failed attempt */
    /* Test only: HotShot PR #3407's bug, a client whose CDN was unreachable when it started
     * never connects (its connection was never initialised): validators that lose their
     * broker at time 0 never reconnect. */
    gboolean test_no_initial_connect;
} SimCdnConfig;

/* The web-server network (sim/net/webserver.h). */
typedef struct SimWebConfig {
    uint32_t servers;    /* 1: one server for everything; 2: consensus, and DA + transactions */
    const char *region;  /* borrowed */
    uint64_t uplink_bps; /* each server's */
    uint64_t downlink_bps;
    uint32_t vcpus;
    SimDuration poll_interval;   /* each node polls every server this often */
    SimDuration cpu_per_request; /* a server's work per posted message and per poll */
} SimWebConfig;

/* libp2p (sim/net/gossip.h): gossipsub parameters as HotShot sets them. */
typedef struct SimGossipConfig {
    uint32_t mesh_n;
    uint32_t mesh_n_low;
    uint32_t mesh_n_high;
    uint32_t mesh_outbound_min;
    SimDuration heartbeat;
    gboolean flood_publish;
    SimDuration duplicate_cache; /* how long a seen message id is remembered */
    uint32_t kademlia_hops;      /* round trips of a DHT lookup before a first direct */
    /* Test only: HotShot #2619's bottleneck, VID shares gossiped to every validator (published
     * like a broadcast) instead of sent to their owner. */
    gboolean test_gossip_vid;
} SimGossipConfig;

/* The combined network (sim/net/combined.h; HS combined_network.rs and constants.rs). */
typedef struct SimCombinedConfig {
    SimDuration delay;       /* delay-by-view messages go on libp2p this much later */
    uint32_t failures_max;   /* more failures than this: the CDN is down */
    uint32_t reprobe_every;  /* while down, every this many messages also try the CDN */
    uint32_t dedup_capacity; /* entries of the duplicate-filter cache */
} SimCombinedConfig;

/* Whether `targets` are exactly the DA committee (`da_member` over `validators`; NULL: none)
 * but `sender`, so that one topic broadcast or one post reaches the same validators. Targets come
 * from one loop over the committee, so they hold no repeats. */
gboolean sim_relay_covers_committee(const gboolean *da_member, uint32_t validators, uint32_t sender,
                                    const uint32_t *targets, size_t count);

/* The view a validator is in now (the combined network's delay-by-view check). */
typedef uint64_t (*SimViewFn)(void *user_data, uint32_t host);

/* Everything a transport needs to set up (SimRunConfig holds one, filled from the scenario). */
typedef struct SimRelaySetup {
    int kind;      /* SimTransportKind */
    uint64_t seed; /* for the transports' own draws (gossip mesh, poll phases) */
    const gsl_rng_type *rng_algorithm;
    const SimRegions *regions; /* borrowed */
    uint32_t validators;       /* hosts 0 .. validators-1 */
    const gboolean *da_member; /* per validator; borrowed; NULL: no DA committee */
    uint32_t first_relay;      /* the first relay host's id */
    SimViewFn view_of;         /* optional */
    void *view_data;
    SimCdnConfig cdn;
    SimWebConfig web;
    SimGossipConfig gossip;
    SimCombinedConfig combined;
} SimRelaySetup;

typedef struct SimTransportStats {
    uint64_t relayed;              /* copies relays forwarded */
    uint64_t duplicates;           /* copies a validator had already received (filtered) */
    uint64_t reconnects;           /* validators that reconnected through the marshal */
    uint64_t lost_disconnected;    /* messages sent or routed while a validator had no broker */
    uint64_t dead_connections;     /* broker connections found dead by their idle timeout */
    SimDuration reconnect_gap_max; /* the longest a validator was without a broker */
    uint64_t libp2p_sends;         /* combined: messages also sent on libp2p */
    uint64_t delayed_cancelled;    /* combined: delayed libp2p copies the view made needless */
    uint64_t cdn_down;             /* combined: times a validator declared the CDN down */
    uint64_t cdn_up;               /* combined: times it came back */
} SimTransportStats;

/* Route word owners (the top byte). */
enum {
    SIM_ROUTE_CDN = 1,
    SIM_ROUTE_WEB = 2,
    SIM_ROUTE_GOSSIP = 3,
};

static inline uint64_t sim_route_make(unsigned owner, uint64_t word)
{
    return ((uint64_t)owner << 56) | (word & ((UINT64_C(1) << 56) - 1));
}

static inline unsigned sim_route_owner(uint64_t route)
{
    return (unsigned)(route >> 56);
}

static inline uint64_t sim_route_word(uint64_t route)
{
    return route & ((UINT64_C(1) << 56) - 1);
}

/* Where copies that reach a validator go: the protocol driver's receive callback. */
typedef struct SimDeliver {
    SimReceiveFn fn;
    void *data;
} SimDeliver;

/*
 * Places `count` relay hosts from `first` by `placement` (sim/net/placement.h) and configures
 * their links and CPUs. `what` names them in errors ("[cdn] placement"). Returns FALSE with
 * `error` for an unknown region or a count that does not fit the text.
 */
gboolean sim_relay_place(SimNetwork *network, const SimRegions *regions, const char *placement,
                         uint32_t first, uint32_t count, uint64_t uplink_bps, uint64_t downlink_bps,
                         uint32_t vcpus, const char *what, GError **error);

/* The CPU time a relay spends on a message of `size` bytes: per message, plus its bits at
 * `bps` (0: nothing per byte). */
SimDuration sim_relay_cost(SimDuration per_message, uint64_t bps, uint64_t size);

#endif
