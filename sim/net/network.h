/*
 * The simulated network: hosts, links between regions, and message delivery.
 *
 * How a message travels (direct topology: every copy goes host to host):
 *   1. The sender hands a copy to its uplink at `ready` (the time its CPU finished the work that
 *      produced it). Filters and cuts look at it here (see below). The uplink serialises copies
 *      FIFO in the order they are handed over: the copy leaves at
 *      up_done = max(ready, uplink_free) + S*8/B_up.
 *      With a TCP model (config.tcp), the copy also waits for its connection's window: it
 *      leaves no earlier than sim_tcp_send() allows on the connection source -> target, whose
 *      round-trip time is the two one-way base delays (times a degradation's latency factor).
 *   2. It propagates for the regions' one-way delay (measured RTT / 2), times a degradation
 *      factor if one applies, plus jitter drawn from the sender's stream, plus one retransmission
 *      timeout per loss if the transport is reliable (or it is dropped, in drop mode), plus the
 *      delays of matching DELAY filters, plus the pre-GST adversary's delay if GST is set.
 *   3. It arrives at the receiver's downlink, which serialises FIFO in arrival order:
 *      down_done = max(arrival, downlink_free) + S*8/B_down.
 *   4. It is delivered to the receiver's CPU: when the CPU is busy (or the host paused), delivery
 *      waits until it is free; then the receive callback runs and may charge CPU time.
 * With idle links, a copy of S bytes arrives exactly at ready + S*8/B_up + latency + S*8/B_down.
 * A copy a host sends to itself skips all of this (and every fault): it reaches the CPU at
 * `ready`.
 *
 * Faults act during windows [start, end) of virtual time; each has a handle, and an end of
 * SIM_TIME_NONE leaves it open until sim_network_end_* ends it (e.g. when the run sees a view).
 *   - Filters pick copies by sender set, receiver set and message type, at hand-over: a DROP
 *     filter loses them, a DELAY filter adds to their propagation. They act before cuts.
 *   - Cuts (partitions) block copies between node sets, one way or both: a copy is checked when
 *     it is handed over and again when it arrives, and is dropped or held until the cut heals.
 *     A copy held at its receiver waits there. A copy held at its sender by a cut with a known
 *     end books its uplink slot after the heal at once, so copies its sender hands over later,
 *     to anyone, queue behind it (the uplink is FIFO); under an open-ended cut it waits without
 *     a slot and takes one when the cut is ended. Ending a cut early lets its copies go then.
 *   - Degradation windows multiply latency, divide bandwidth and add loss between node sets; a
 *     copy's degradation is fixed when it is handed over.
 *   - Partial synchrony (sim_network_set_gst): before GST an adversary delays every network copy,
 *     but never past max(sent, GST) + delta; from GST on it does nothing. It draws from its own
 *     stream, so turning it on changes no other draw.
 * A host that crashes loses what is still queued on its uplink (or held at it), its timers and
 * everything addressed to it until it restarts. A network without faults, or whose faults never
 * match, draws and schedules exactly as one without them.
 *
 * Messages are refcounted (SimMessage): the encoded bytes (GBytes) are shared by every copy of
 * a broadcast, with a logical size that is what the links are charged (it may exceed the byte
 * count for synthetic payloads). Each delivered copy folds (time, target, source, type and the
 * message's content digest) into the engine's trace digest.
 */
#ifndef SHOTGLASS_SIM_NETWORK_H
#define SHOTGLASS_SIM_NETWORK_H

#include "sim/net/distribution.h"
#include "sim/core/engine.h"
#include "sim/net/host.h"
#include "sim/net/nodeset.h"
#include "sim/net/regions.h"
#include "sim/net/tcp.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimNetwork SimNetwork;
typedef struct SimMessage SimMessage;

#define SIM_MESSAGE_DIGEST_BYTES 16
#define SIM_NETWORK_TYPES_MAX    48

typedef enum SimLossMode {
    SIM_LOSS_RETRANSMIT, /* reliable transport: each loss costs one retransmission timeout */
    SIM_LOSS_DROP,       /* the copy is gone */
} SimLossMode;

typedef enum SimCutMode {
    SIM_CUT_DROP, /* copies across the cut are lost */
    SIM_CUT_HOLD, /* copies across the cut wait and are delivered when it heals */
} SimCutMode;

typedef enum SimFilterAction {
    SIM_FILTER_DROP,  /* matching copies are lost */
    SIM_FILTER_DELAY, /* matching copies take `delay` longer to propagate */
} SimFilterAction;

typedef struct SimNetworkConfig {
    uint64_t seed;
    const gsl_rng_type *rng_algorithm;
    const SimRegions *regions; /* borrowed; must outlive the network */
    SimDist jitter;            /* extra one-way delay; percentages are of the base delay */
    uint64_t loss_ppm;
    SimLossMode loss_mode;
    SimDuration retransmit_timeout;
    /* The most bytes HOLD cuts may keep on one link (source -> target) at once; a copy that
     * would go beyond it is dropped (stats.dropped_hold), as a full socket buffer would refuse
     * it. 0 = no bound. */
    uint64_t hold_max;
    /* The TCP model of every connection between two hosts (sim/net/tcp.h); zero-initialised
     * (enabled = FALSE) keeps links ideal: latency and bandwidth only. */
    SimTcpConfig tcp;
} SimNetworkConfig;

typedef struct SimHostConfig {
    uint16_t region;
    uint64_t uplink_bps; /* 0 = unlimited */
    uint64_t downlink_bps;
    uint32_t vcpus;     /* virtual CPUs that run its work in parallel; 0 = 1 */
    uint64_t clock_ppm; /* CPU cost multiplier of its clock class (clock.h); 0 = the reference */
} SimHostConfig;

/* Called when a copy is delivered to `host`'s CPU. `message` is borrowed for the call. */
typedef void (*SimReceiveFn)(SimNetwork *network, uint32_t host, const SimMessage *message,
                             SimTime now, void *user_data);

/* Called when a relayed copy that carries a routing word (sim_network_forward, route != 0) is
 * delivered to `host`'s CPU, instead of the receive callback: the transport above the network
 * decides what the host does with it (forward it on, hand it to the protocol). `from` is the
 * host that sent this copy; the message's source is where it started. `message` is borrowed. */
typedef void (*SimRouteFn)(SimNetwork *network, uint32_t host, const SimMessage *message,
                           uint32_t from, uint64_t route, SimTime now, void *user_data);

/* Called when timer `timer` of `host` fires (and the host's CPU is free). */
typedef void (*SimTimerFn)(SimNetwork *network, uint32_t host, uint32_t timer, SimTime now,
                           void *user_data);

/* Totals over the whole network. */
typedef struct SimNetworkStats {
    uint64_t copies_sent;
    uint64_t copies_delivered;
    uint64_t dropped_cut;
    uint64_t dropped_loss;
    uint64_t dropped_crash;
    uint64_t held_cut;
    uint64_t retransmissions;
    uint64_t dropped_filter;  /* copies a DROP filter took */
    uint64_t delayed_filter;  /* copies one or more DELAY filters slowed down */
    uint64_t delayed_gst;     /* copies the pre-GST adversary slowed down */
    uint64_t dropped_hold;    /* copies a HOLD cut refused: their link held hold_max already */
    uint64_t held_bytes_peak; /* the most bytes HOLD cuts kept on one link at once */
} SimNetworkStats;

/* --- messages ------------------------------------------------------------------------------ */

/*
 * Creates a message from `source` of registered `type`. Takes a reference on `bytes`; `size` is
 * the logical size in bytes charged to links, which may differ from the byte count either way
 * (synthetic payloads are larger than their bytes; real-mode signatures are charged at the size
 * of the BLS signatures production sends). Computes the content digest once (XXH3-128 of the
 * bytes: a fast checksum for the trace, not a commitment; see network.c).
 * Returns a message with one reference.
 */
SimMessage *sim_message_new(uint32_t source, uint16_t type, GBytes *bytes, uint64_t size);

/* The same, taking the content digest from `same` (may be NULL) when it holds the same GBytes:
 * the n high-QC forwards of a view share their bytes, and each would hash n/8 bytes again. */
SimMessage *sim_message_new_from(uint32_t source, uint16_t type, GBytes *bytes, uint64_t size,
                                 const SimMessage *same);
SimMessage *sim_message_ref(SimMessage *message);
void sim_message_unref(SimMessage *message);
uint32_t sim_message_source(const SimMessage *message);
uint16_t sim_message_type(const SimMessage *message);
uint64_t sim_message_size(const SimMessage *message);
GBytes *sim_message_bytes(const SimMessage *message); /* borrowed */
const uint8_t *sim_message_digest(const SimMessage *message);

/* Live SimMessage objects in the process (leak checks in tests). */
uint64_t sim_message_live_count(void);

/* --- the network ----------------------------------------------------------------------------- */

/*
 * Creates a network of `host_count` hosts, all up, in region 0 with unlimited links until
 * configured. Registers its event kinds with `engine` (borrowed; must outlive the network).
 */
SimNetwork *sim_network_new(SimEngine *engine, const SimNetworkConfig *config, uint32_t host_count);
void sim_network_free(SimNetwork *network);

void sim_network_set_handlers(SimNetwork *network, SimReceiveFn receive, SimTimerFn timer,
                              void *user_data);

/* Installs the router of relayed copies (NULL removes it; then no copy may carry a route). */
void sim_network_set_router(SimNetwork *network, SimRouteFn router, void *user_data);

/* An observer of deliveries (sim/out/trace.h): called for every copy handed to a host's CPU,
 * local copies and relayed hops (a copy reaching a broker, a server or a gossiping validator
 * with a routing word) included, just before the receiver handles it and the copy's digest goes
 * into the trace. `message` is borrowed for the call. The tap must not change the run. */
typedef void (*SimDeliveryTap)(void *user_data, uint32_t host, const SimMessage *message,
                               SimTime now);

/* Installs the delivery tap (NULL removes it). Without one a delivery costs one untaken branch
 * more. */
void sim_network_set_delivery_tap(SimNetwork *network, SimDeliveryTap tap, void *user_data);

void sim_network_host_configure(SimNetwork *network, uint32_t host, const SimHostConfig *config);

/* Registers a message type for the counters; `name` is borrowed (static). Returns its id. All
 * types must be registered before the first message is sent. */
uint16_t sim_network_register_type(SimNetwork *network, const char *name);

/* --- sending: `message` is borrowed; the network takes a reference per copy ----------------- */

/* Sends one copy to `target`, handed to the uplink at `ready` (>= now). A copy to oneself is
 * delivered at `ready` without touching the network. */
void sim_network_send(SimNetwork *network, SimTime ready, SimMessage *message, uint32_t target);

/*
 * Relaying: sends one copy of `message` (whose source may be another host) from host `from`'s
 * uplink to `target`, handed over at `ready`; the copy is charged to `from`'s links and counters
 * and crosses the link from -> target like any copy. A copy with `route` != 0 goes to the
 * router (sim_network_set_router) at `target`; with route 0 to the receive callback, which
 * sees the message's source as its sender. Faults (cuts, filters, degradations) act on the link
 * from -> target; with `end_to_end` they also act as on a copy from the message's source to
 * `target`, so a partition between two validators still separates them when a relay (a broker,
 * a web server) carries their messages. A transport built on this is sim/net/transport.h.
 */
void sim_network_forward(SimNetwork *network, uint32_t from, SimTime ready, SimMessage *message,
                         uint32_t target, uint64_t route, gboolean end_to_end);

/* Sends one copy to each of `targets` (in the order given) over the sender's uplink. */
void sim_network_multicast(SimNetwork *network, SimTime ready, SimMessage *message,
                           const uint32_t *targets, size_t count);

/* Sends one copy to every other host, in ascending id order. */
void sim_network_broadcast(SimNetwork *network, SimTime ready, SimMessage *message);

/* --- CPU, timers and host state ----------------------------------------------------------------
 */

/* Charges `cost` of CPU work to `host` starting now (or when one of its vCPUs frees up);
 * returns the time the work completes, which is when messages it produced may be handed to the
 * uplink. The work runs on one vCPU (sim_host_cpu_charge). */
SimTime sim_network_cpu_charge(SimNetwork *network, uint32_t host, SimDuration cost);
/* The same with a part that runs on every vCPU at once (sim_host_cpu_charge_parallel). */
SimTime sim_network_cpu_charge_parallel(SimNetwork *network, uint32_t host, SimDuration serial,
                                        SimDuration parallel);

/* Arms timer slot `timer` (< SIM_HOST_TIMERS_MAX) of `host` for `at`, replacing a pending one. */
void sim_network_timer_set(SimNetwork *network, uint32_t host, uint32_t timer, SimTime at);
void sim_network_timer_cancel(SimNetwork *network, uint32_t host, uint32_t timer);
gboolean sim_network_timer_pending(const SimNetwork *network, uint32_t host, uint32_t timer);

void sim_network_host_crash(SimNetwork *network, uint32_t host);
void sim_network_host_restart(SimNetwork *network, uint32_t host);
/* Keeps the host's CPU busy until `until` (deliveries and timers wait). */
void sim_network_host_pause(SimNetwork *network, uint32_t host, SimTime until);
/* CPU cost multiplier in ppm (2000000 = half speed), relative to the host's clock class. */
void sim_network_host_set_cpu_factor(SimNetwork *network, uint32_t host, uint64_t factor_ppm);

/* --- faults on links ---------------------------------------------------------------------------
 */

/*
 * Every fault below acts during a window [start, end) of virtual time; an end of SIM_TIME_NONE
 * leaves the window open until it is ended with the matching sim_network_end_* call. Adding a
 * fault returns its handle: small integers from 0 in the order of addition, one sequence per
 * kind of fault, valid for the network's lifetime. Node sets are copied. Windows may be added at
 * any time, but a window that starts in the past does not reach back to copies already sent.
 */

/*
 * Blocks copies from `from` to `to` (and back unless `one_way`) during [start, end), start < end.
 * In SIM_CUT_DROP mode such copies are lost; in SIM_CUT_HOLD mode they wait (at the sender if the
 * cut is active when they are handed over, at the receiver if it is active when they arrive)
 * until the cut heals, then go on. Returns the cut's handle.
 */
uint32_t sim_network_add_cut(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                             gboolean one_way, SimTime start, SimTime end, SimCutMode mode);

/*
 * Ends cut `cut` at `at` (>= now) if that is earlier than its current end (a cut ended before it
 * starts never acts). Copies it holds go on as if the cut had always ended at `at` (unless
 * another cut still holds or drops them): those waiting at a receiver arrive then; those waiting
 * at a sender leave then. A copy held at its sender by a cut with a known end has already been
 * given its uplink slot after that end; it keeps its drawn delay and leaves earlier by the
 * difference, and its old slot stays reserved (the uplink cannot give time back).
 */
void sim_network_end_cut(SimNetwork *network, uint32_t cut, SimTime at);

/* Called by sim_network_add_cut once the cut `cut`, starting at `start`, is in place (for a
 * transport whose connections notice a silent peer, sim/net/cdn.h). One observer at a time;
 * NULL removes it. */
typedef void (*SimCutObserver)(SimNetwork *network, uint32_t cut, SimTime start, void *user_data);
void sim_network_set_cut_observer(SimNetwork *network, SimCutObserver observer, void *user_data);

/* The earliest time >= `t` at which a copy `from` sends `to` on their own link passes every cut
 * known now (cuts, not filters or degradations): `t` itself when none is active then,
 * SIM_TIME_NONE while an open-ended cut blocks it. Draws nothing. */
SimTime sim_network_link_clear(const SimNetwork *network, uint32_t from, uint32_t to, SimTime t);

/*
 * Between `from` and `to` (both ways unless `one_way`) during [start, end), start < end: latency
 * times latency_factor_ppm / 10^6, bandwidth divided by bandwidth_divisor_ppm / 10^6, plus
 * loss_ppm. A copy's degradation is fixed when it is handed to the uplink. Returns its handle.
 */
uint32_t sim_network_add_degradation(SimNetwork *network, const SimNodeSet *from,
                                     const SimNodeSet *to, gboolean one_way, SimTime start,
                                     SimTime end, uint64_t latency_factor_ppm,
                                     uint64_t bandwidth_divisor_ppm, uint64_t loss_ppm);

/* Ends degradation `degradation` at `at` (>= now) if that is earlier than its current end.
 * Copies handed over from `at` on see nominal links; copies in flight keep their delays. */
void sim_network_end_degradation(SimNetwork *network, uint32_t degradation, SimTime at);

/*
 * Acts on copies of registered types whose bit is set in `type_mask` (bit t = type t) sent from
 * a host in `from` to a host in `to` (one way), handed to the uplink (the `ready` given to the
 * send call) during [start, end), start < end. SIM_FILTER_DROP loses such a copy (counted as
 * dropped_filter and in the sender's msgs_dropped); SIM_FILTER_DELAY adds `delay` (> 0; 0 for
 * DROP) to its propagation (counted as delayed_filter). When several filters match, any DROP
 * wins and the delays add up. Filters act before cuts, so a dropped copy is never held. A copy
 * a host sends to itself never touches the network and is never filtered. Returns its handle.
 */
uint32_t sim_network_add_filter(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                                uint64_t type_mask, SimFilterAction action, SimDuration delay,
                                SimTime start, SimTime end);

/* Ends filter `filter` at `at` (>= now) if that is earlier than its current end. */
void sim_network_end_filter(SimNetwork *network, uint32_t filter, SimTime at);

/*
 * Partial synchrony. Every network copy handed to the uplink (the `ready` given to the send call)
 * at t < gst gets an adversarial extra delay drawn from `pre_gst_delay` (a duration distribution,
 * copied; percentages are of the base one-way delay), cut down so that it arrives at the
 * receiver's downlink no later than max(t, gst) + delta. Delta bounds the adversary, not
 * physics: a copy that would arrive later anyway gets no extra delay and is not made earlier.
 * Copies handed over at or after gst get nothing. The draws come from a stream of their own
 * ("network.gst"), so they change no other stream. Call at most once; gst != SIM_TIME_NONE.
 * Without a call there is no adversary.
 */
void sim_network_set_gst(SimNetwork *network, SimTime gst, const SimDist *pre_gst_delay,
                         SimDuration delta);

/* --- observation ---------------------------------------------------------------------------------
 */

uint32_t sim_network_host_count(const SimNetwork *network);
const SimHost *sim_network_host(const SimNetwork *network, uint32_t host);
uint16_t sim_network_type_count(const SimNetwork *network);
const char *sim_network_type_name(const SimNetwork *network, uint16_t type);
const SimTypeCounters *sim_network_counters(const SimNetwork *network, uint32_t host,
                                            uint16_t type);
const SimNetworkStats *sim_network_stats(const SimNetwork *network);
SimEngine *sim_network_engine(const SimNetwork *network);

/* The base one-way delay between two hosts (regions only: no jitter, loss or degradation). */
SimDuration sim_network_base_latency(const SimNetwork *network, uint32_t source, uint32_t target);

#endif
