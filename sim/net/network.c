/*
 * Message delivery over the host array; see network.h for the model. Each copy in flight is a
 * Packet from a pooled free list; a copy costs two events (arrival at the receiver's downlink,
 * delivery to its CPU), plus one per deferral while the receiving CPU is busy.
 *
 * Lifetime: pending events point at packets owned by the network's pool, so the engine must be
 * freed (which discards pending events) before the network.
 */
#include "sim/net/network.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>
#include <xxhash.h>

struct SimMessage {
    GBytes *bytes;
    uint64_t size;
    uint32_t source;
    uint32_t refcount;
    uint16_t type;
    uint8_t digest[SIM_MESSAGE_DIGEST_BYTES];
};

/* A copy in flight, or an item waiting for its host's CPU: a delivered copy (message set) or a
 * timer firing (message NULL). `next` links the free list or the host's CPU queue. */
typedef struct SimCpuItem {
    SimMessage *message;
    struct SimCpuItem *next;
    SimTime up_done;
    uint64_t divisor_ppm;
    uint32_t target;
    uint32_t source_incarnation;
    uint32_t timer;
    uint32_t timer_generation;
    gboolean local;
    /* The host whose uplink sends this copy: the message's source, or a relay forwarding it
     * (sim_network_forward). */
    uint32_t from;
    /* Relayed copies: the transport's routing word (0: deliver to the host's receive
     * callback) and whether faults also see the copy as going origin -> target. */
    gboolean end_to_end;
    uint64_t route;
} Packet;

/* The hosts a copy's faults look at: the link it uses (from -> target) and, for an end-to-end
 * relayed copy, the pair it connects (origin -> target). */
typedef struct Hop {
    uint32_t from;
    uint32_t target;
    uint32_t origin;
    gboolean end_to_end;
} Hop;

typedef struct Cut {
    SimNodeSet from;
    SimNodeSet to;
    SimTime start;
    SimTime end;
    SimCutMode mode;
    gboolean one_way;
} Cut;

typedef struct Degradation {
    SimNodeSet from;
    SimNodeSet to;
    SimTime start;
    SimTime end;
    uint64_t latency_factor_ppm;
    uint64_t bandwidth_divisor_ppm;
    uint64_t loss_ppm;
    gboolean one_way;
} Degradation;

typedef struct Filter {
    SimNodeSet from;
    SimNodeSet to;
    uint64_t type_mask;
    SimTime start;
    SimTime end;
    SimDuration delay;
    SimFilterAction action;
} Filter;

/* What the filters do to one copy: any DROP wins; the delays of DELAY filters add up. */
typedef struct FilterVerdict {
    gboolean drop;
    gboolean delayed;
    SimDuration delay;
} FilterVerdict;

/*
 * A copy a HOLD cut is holding, either at its sender (not yet handed to the uplink) or at its
 * receiver (it arrived during the cut). Ending a cut early must let such copies go, but a held
 * copy is normally already scheduled for the old heal time, so the network keeps a list of them
 * in the order they were held and re-examines it whenever a cut ends early.
 *
 * A copy held until a known time has a pending arrival event (`event`) that owns its packet; a
 * copy held by an open-ended cut is parked: no event, the packet is owned by the list. Entries
 * whose event has run or was cancelled are stale and are pruned lazily.
 */
typedef struct HeldCopy {
    Packet *packet;
    SimEventId event;         /* its next arrival, or SIM_EVENT_NONE while parked */
    SimTime event_time;       /* when `event` fires */
    SimTime release;          /* when the cuts let it go; SIM_TIME_NONE while parked */
    SimTime since;            /* sender: the hand-over time given to send; receiver: arrival */
    SimDuration filter_delay; /* delay filters added at send (used when a parked copy leaves) */
    gboolean at_sender;
} HeldCopy;

/*
 * The bytes HOLD cuts keep on one link (source -> target), for the bound config.hold_max. Each
 * span is one held copy and when its hold ends (SIM_TIME_NONE while parked); spans whose end
 * has passed are purged when a new copy asks to be held, and the whole table is rebuilt from
 * the held list whenever holds end early or copies are lost (held_recount), so `bytes` is what
 * the link holds now. A copy held at its receiver counts against the same link as one held at
 * its sender: either way, the bytes wait in the connection between the two.
 */
typedef struct HeldSpan {
    SimTime release;
    uint64_t size;
} HeldSpan;

typedef struct LinkHeld {
    GArray *spans;    /* of HeldSpan */
    uint64_t bytes;   /* their total */
    SimTime earliest; /* the earliest release among them (SIM_TIME_NONE: none) */
} LinkHeld;

/* What the cuts do to a copy handed over at some time. */
typedef enum HoldOutcome {
    HOLD_PASS, /* it may leave (possibly later, after holds) */
    HOLD_DROP, /* a DROP cut takes it */
    HOLD_PARK, /* an open-ended HOLD cut keeps it until someone ends the cut */
} HoldOutcome;

/* The combined effect of every degradation active on one copy. */
typedef struct LinkEffect {
    uint64_t latency_factor_ppm;
    uint64_t bandwidth_divisor_ppm;
    uint64_t loss_ppm;
} LinkEffect;

#define PACKET_BLOCK        1024
#define RETRANSMISSIONS_MAX 64
#define HELD_PRUNE_MIN      256

struct SimNetwork {
    SimEngine *engine;
    SimNetworkConfig config;
    SimHost *hosts;
    uint32_t host_count;
    uint16_t kind_arrive;
    uint16_t kind_deliver;
    uint16_t kind_timer;
    uint16_t kind_cpu;
    const char *type_names[SIM_NETWORK_TYPES_MAX];
    uint16_t type_count;
    SimTypeCounters *counters; /* host_count x type_count, allocated at the first send */
    SimReceiveFn receive;
    SimRouteFn router; /* relayed copies with a routing word (sim_network_forward) */
    void *router_data;
    SimCutObserver cut_observer; /* told of each cut added (sim_network_set_cut_observer) */
    void *cut_observer_data;
    SimDeliveryTap delivery_tap;
    void *delivery_tap_data;
    SimTimerFn timer;
    void *user_data;
    GArray *cuts;         /* of Cut */
    GArray *degradations; /* of Degradation */
    GArray *filters;      /* of Filter */
    /* Partial synchrony (sim_network_set_gst): off until set. */
    gboolean gst_set;
    SimTime gst;
    SimDuration gst_delta;
    SimDist pre_gst_delay;
    SimRng gst_rng; /* stream ("network.gst", 0): the adversary's draws, apart from the hosts' */
    GArray *held;   /* of HeldCopy, in the order the copies were held */
    guint held_prune_at;   /* prune stale entries when the list reaches this length */
    GHashTable *link_held; /* link key -> LinkHeld *: lookup only, never iterated */
    /* TCP sender state (config.tcp.enabled): per source host, NULL until it first sends, else
     * an array of one SimTcpConn per target host (32 bytes a pair: 32 MB for 1,000 hosts that
     * all talk to each other, which `bench consensus` shows as 31 MB more peak RSS). */
    SimTcpConn **tcp_conns;
    Packet *free_packets;
    GPtrArray *packet_blocks;
    uint64_t packets_live;
    SimNetworkStats stats;
};

/* --- content digests -------------------------------------------------------------------------
 *
 * A message's content digest is a checksum of its bytes for the trace, not a commitment: no
 * protocol decision reads it, so it need not be cryptographic, only fast and, for accidental
 * differences, collision-free in practice. It is XXH3-128 (xxHash's XXH3_128bits, seed 0, from
 * Debian's libxxhash), its low 64 bits then its high 64 bits, each little-endian: 16 bytes. At
 * 100,000 validators every high QC forwarded to a leader carries a 12.5 KB signer bitmap, so the
 * digest runs over gigabytes a view: one XXH3 pass replaced two passes of a hand-written XXH64
 * (seeds 0 and 1), a tenth of the instructions of 10,000 nodes x 10 views. The test
 * content_digest_is_xxh3_128 holds it to the values xxhsum -H2 (xxHash 0.8.1) prints.
 */

static void content_digest(const uint8_t *data, size_t len, uint8_t out[SIM_MESSAGE_DIGEST_BYTES])
{
    _Static_assert(SIM_MESSAGE_DIGEST_BYTES == 16, "a content digest is one XXH3-128 value");
    XXH128_hash_t h = XXH3_128bits(data, len);
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(h.low64 >> (8 * i));
        out[8 + i] = (uint8_t)(h.high64 >> (8 * i));
    }
}

/* --- messages -------------------------------------------------------------------------------- */

static uint64_t message_live_count; /* diagnostics only; runs are single-threaded */

SimMessage *sim_message_new_from(uint32_t source, uint16_t type, GBytes *bytes, uint64_t size,
                                 const SimMessage *same)
{
    SIM_ASSERT(bytes != NULL);
    SIM_ASSERT(size > 0);
    SimMessage *message = g_new(SimMessage, 1);
    message->bytes = g_bytes_ref(bytes);
    message->size = size;
    message->source = source;
    message->refcount = 1;
    message->type = type;
    if (same != NULL && same->bytes == bytes) { /* GBytes are immutable: the same digest */
        memcpy(message->digest, same->digest, SIM_MESSAGE_DIGEST_BYTES);
    } else {
        gsize len = 0;
        const uint8_t *data = g_bytes_get_data(bytes, &len);
        content_digest(data, len, message->digest);
    }
    message_live_count++;
    return message;
}

SimMessage *sim_message_new(uint32_t source, uint16_t type, GBytes *bytes, uint64_t size)
{
    return sim_message_new_from(source, type, bytes, size, NULL);
}

SimMessage *sim_message_ref(SimMessage *message)
{
    SIM_ASSERT(message->refcount > 0);
    message->refcount++;
    return message;
}

void sim_message_unref(SimMessage *message)
{
    SIM_ASSERT(message->refcount > 0);
    if (--message->refcount > 0) return;
    g_bytes_unref(message->bytes);
    g_free(message);
    message_live_count--;
}

uint32_t sim_message_source(const SimMessage *message)
{
    return message->source;
}

uint16_t sim_message_type(const SimMessage *message)
{
    return message->type;
}

uint64_t sim_message_size(const SimMessage *message)
{
    return message->size;
}

GBytes *sim_message_bytes(const SimMessage *message)
{
    return message->bytes;
}

const uint8_t *sim_message_digest(const SimMessage *message)
{
    return message->digest;
}

uint64_t sim_message_live_count(void)
{
    return message_live_count;
}

/* --- packets ------------------------------------------------------------------------------------
 */

static Packet *packet_new(SimNetwork *network, SimMessage *message, uint32_t target)
{
    if (network->free_packets == NULL) {
        Packet *block = g_new0(Packet, PACKET_BLOCK);
        g_ptr_array_add(network->packet_blocks, block);
        for (size_t i = 0; i < PACKET_BLOCK; i++) {
            block[i].next = network->free_packets;
            network->free_packets = &block[i];
        }
    }
    Packet *packet = network->free_packets;
    network->free_packets = packet->next;
    *packet = (Packet){.divisor_ppm = SIM_PPM_ONE, .target = target};
    if (message != NULL) {
        packet->message = sim_message_ref(message);
        packet->from = message->source;
        packet->source_incarnation = network->hosts[message->source].incarnation;
    }
    network->packets_live++;
    return packet;
}

static void packet_free(SimNetwork *network, Packet *packet)
{
    SIM_ASSERT(network->packets_live > 0);
    if (packet->message != NULL) sim_message_unref(packet->message);
    packet->message = NULL;
    packet->next = network->free_packets;
    network->free_packets = packet;
    network->packets_live--;
}

static void packet_discard(void *payload, void *user_data)
{
    packet_free(user_data, payload);
}

/* --- counters
 * ------------------------------------------------------------------------------------- */

static SimTypeCounters *counters_of(SimNetwork *network, uint32_t host, uint16_t type)
{
    SIM_ASSERT(host < network->host_count && type < network->type_count);
    if (network->counters == NULL) {
        /* Freeze type registration: counters are sized by the number of types. */
        network->counters =
            g_new0(SimTypeCounters,
                   (size_t)network->host_count * (network->type_count ? network->type_count : 1));
    }
    return &network->counters[(size_t)host * network->type_count + type];
}

static void count_drop(SimNetwork *network, const Packet *packet, uint64_t *reason)
{
    (*reason)++;
    counters_of(network, packet->from, packet->message->type)->msgs_dropped++;
}

/* --- cuts and degradations ----------------------------------------------------------------- */

static gboolean sets_match(const SimNodeSet *from, const SimNodeSet *to, gboolean one_way,
                           uint32_t source, uint32_t target)
{
    if (sim_node_set_contains(from, source) && sim_node_set_contains(to, target)) return TRUE;
    return !one_way && sim_node_set_contains(from, target) && sim_node_set_contains(to, source);
}

static Hop hop_of(const Packet *packet)
{
    return (Hop){packet->from, packet->target, packet->message->source, packet->end_to_end};
}

/* Whether a fault between `from` and `to` acts on `hop`: on its link, or on the pair an
 * end-to-end relayed copy connects. */
static gboolean hop_matches(const SimNodeSet *from, const SimNodeSet *to, gboolean one_way, Hop hop)
{
    if (sets_match(from, to, one_way, hop.from, hop.target)) return TRUE;
    return hop.end_to_end && hop.origin != hop.from &&
           sets_match(from, to, one_way, hop.origin, hop.target);
}

/* The active cut on `hop` at `t` that lasts longest, or NULL. */
static const Cut *find_cut(const SimNetwork *network, Hop hop, SimTime t)
{
    const Cut *found = NULL;
    for (guint i = 0; i < network->cuts->len; i++) {
        const Cut *cut = &g_array_index(network->cuts, Cut, i);
        if (t < cut->start || t >= cut->end) continue;
        if (!hop_matches(&cut->from, &cut->to, cut->one_way, hop)) continue;
        if (found == NULL || cut->end > found->end) found = cut;
    }
    return found;
}

/*
 * Follows the cuts between source and target for a copy handed over at `t`: the active cut that
 * lasts longest either drops the copy or holds it until it heals, when the cuts are checked
 * again. On HOLD_PASS, stores in *ready when the copy may leave. Counts each hold in *holds.
 */
static HoldOutcome hold_chain(const SimNetwork *network, Hop hop, SimTime t, SimTime *ready,
                              uint64_t *holds)
{
    /* Each hold moves t to a later heal time, so no cut is met twice. */
    for (guint guard = 0; guard <= network->cuts->len; guard++) {
        const Cut *cut = find_cut(network, hop, t);
        if (cut == NULL) break;
        if (cut->mode == SIM_CUT_DROP) return HOLD_DROP;
        (*holds)++;
        if (cut->end == SIM_TIME_NONE) return HOLD_PARK;
        t = cut->end;
    }
    *ready = t;
    return HOLD_PASS;
}

/* The filters active at `t` on a copy of `message` on `hop`. Draws nothing. */
static FilterVerdict filter_verdict(const SimNetwork *network, const SimMessage *message, Hop hop,
                                    SimTime t)
{
    FilterVerdict verdict = {FALSE, FALSE, 0};
    for (guint i = 0; i < network->filters->len; i++) {
        const Filter *filter = &g_array_index(network->filters, Filter, i);
        if (t < filter->start || t >= filter->end) continue;
        if (((filter->type_mask >> message->type) & 1u) == 0) continue;
        gboolean from = sim_node_set_contains(&filter->from, hop.from) ||
                        (hop.end_to_end && sim_node_set_contains(&filter->from, hop.origin));
        if (!from || !sim_node_set_contains(&filter->to, hop.target)) continue;
        if (filter->action == SIM_FILTER_DROP) {
            verdict.drop = TRUE;
        } else {
            verdict.delayed = TRUE;
            verdict.delay = sim_time_add(verdict.delay, filter->delay);
        }
    }
    return verdict;
}

static LinkEffect link_effect(const SimNetwork *network, Hop hop, SimTime t)
{
    LinkEffect effect = {SIM_PPM_ONE, SIM_PPM_ONE, 0};
    for (guint i = 0; i < network->degradations->len; i++) {
        const Degradation *d = &g_array_index(network->degradations, Degradation, i);
        if (t < d->start || t >= d->end) continue;
        if (!hop_matches(&d->from, &d->to, d->one_way, hop)) continue;
        effect.latency_factor_ppm =
            (uint64_t)(((SimU128)effect.latency_factor_ppm * d->latency_factor_ppm) / SIM_PPM_ONE);
        effect.bandwidth_divisor_ppm =
            (uint64_t)(((SimU128)effect.bandwidth_divisor_ppm * d->bandwidth_divisor_ppm) /
                       SIM_PPM_ONE);
        /* Independent losses: 1 - (1 - a)(1 - b). */
        effect.loss_ppm =
            effect.loss_ppm + d->loss_ppm - effect.loss_ppm * d->loss_ppm / SIM_PPM_ONE;
    }
    return effect;
}

/* --- sending --------------------------------------------------------------------------------- */

/* One-way propagation of a copy: base delay (scaled), jitter, retransmissions. Returns FALSE if
 * the copy is lost for good. Draws come from the sender's stream in a fixed order. */
static gboolean propagation(SimNetwork *network, SimHost *source, uint32_t target,
                            const LinkEffect *effect, SimDuration *delay)
{
    SimDuration base =
        sim_regions_one_way(network->config.regions, source->region, network->hosts[target].region);
    base = (SimDuration)(((SimU128)base * effect->latency_factor_ppm) / SIM_PPM_ONE);
    SimDuration jitter = sim_dist_sample(&network->config.jitter, &source->rng, base);
    uint64_t loss = network->config.loss_ppm + effect->loss_ppm -
                    network->config.loss_ppm * effect->loss_ppm / SIM_PPM_ONE;
    SimDuration extra = 0;
    if (loss > 0 && network->config.loss_mode == SIM_LOSS_DROP) {
        if (sim_rng_chance_ppm(&source->rng, loss)) return FALSE;
    } else if (loss > 0) {
        unsigned attempts = 0;
        while (attempts < RETRANSMISSIONS_MAX && sim_rng_chance_ppm(&source->rng, loss)) {
            attempts++;
        }
        if (attempts == RETRANSMISSIONS_MAX) return FALSE;
        network->stats.retransmissions += attempts;
        extra = attempts * network->config.retransmit_timeout;
    }
    *delay = sim_time_add(sim_time_add(base, jitter), extra);
    return TRUE;
}

static void held_add(SimNetwork *network, const HeldCopy *held);

/* The uplink rate of `host` under a bandwidth divisor (0 = unlimited), as host.c charges it. */
static uint64_t uplink_bps(const SimHost *host, uint64_t divisor_ppm)
{
    if (host->uplink_bps == 0 || divisor_ppm == SIM_PPM_ONE) return host->uplink_bps;
    uint64_t scaled = (uint64_t)(((SimU128)host->uplink_bps * SIM_PPM_ONE) / divisor_ppm);
    return scaled > 0 ? scaled : 1;
}

/* When the last byte of a copy handed to the uplink at `ready` may leave under its
 * connection's TCP window (config.tcp). The connection's round-trip time is the two base
 * one-way delays, scaled by the copy's degradation. */
static SimTime tcp_depart(SimNetwork *network, const Packet *packet, SimTime ready,
                          const LinkEffect *effect)
{
    uint32_t source = packet->from;
    SIM_ASSERT(network->config.tcp.enabled && source != packet->target);
    if (network->tcp_conns == NULL) network->tcp_conns = g_new0(SimTcpConn *, network->host_count);
    if (network->tcp_conns[source] == NULL) {
        network->tcp_conns[source] = g_new0(SimTcpConn, network->host_count);
    }
    SimDuration rtt = sim_time_add(sim_network_base_latency(network, source, packet->target),
                                   sim_network_base_latency(network, packet->target, source));
    rtt = (SimDuration)(((SimU128)rtt * effect->latency_factor_ppm) / SIM_PPM_ONE);
    const SimHost *host = &network->hosts[source];
    return sim_tcp_send(&network->config.tcp, &network->tcp_conns[source][packet->target], ready,
                        packet->message->size, rtt,
                        uplink_bps(host, effect->bandwidth_divisor_ppm));
}

/* A crashed host's connections are gone, both ways: they start again from the initial window. */
static void tcp_forget(SimNetwork *network, uint32_t host)
{
    if (network->tcp_conns == NULL) return;
    g_clear_pointer(&network->tcp_conns[host], g_free);
    for (uint32_t i = 0; i < network->host_count; i++) {
        if (network->tcp_conns[i] != NULL) network->tcp_conns[i][host] = (SimTcpConn){0};
    }
}

/*
 * The adversary's extra delay before GST (the partial synchrony of Dwork, Lynch and
 * Stockmeyer): a copy handed over at sent_at < GST draws a delay from pre_gst_delay, cut down so
 * that it arrives no later than max(sent_at, GST) + delta. Delta bounds the adversary, not
 * physics: a copy whose natural arrival is already later gets nothing, and is not made earlier.
 * Draws only from the GST stream, and only for copies handed over before GST.
 */
static SimDuration gst_extra(SimNetwork *network, const Packet *packet, SimTime sent_at,
                             SimTime natural)
{
    if (!network->gst_set || sent_at >= network->gst) return 0;
    SimDuration base = sim_network_base_latency(network, packet->from, packet->target);
    SimDuration draw = sim_dist_sample(&network->pre_gst_delay, &network->gst_rng, base);
    SimTime bound = sim_time_add(sim_time_max(sent_at, network->gst), network->gst_delta);
    SimDuration extra = sim_time_min(draw, sim_time_since(bound, natural));
    if (extra > 0) network->stats.delayed_gst++;
    SIM_ASSERT(extra == 0 || natural + extra <= bound);
    return extra;
}

/*
 * Hands a copy to its sender's uplink at `ready` (after any holds), draws its propagation and
 * schedules its arrival. `sent_at` is when it was first handed over. Returns the arrival event
 * and stores its time in *arrival, or returns SIM_EVENT_NONE if the copy was lost (and freed).
 */
static SimEventId depart(SimNetwork *network, Packet *packet, SimTime ready, SimTime sent_at,
                         SimDuration filter_delay, SimTime *arrival)
{
    SimMessage *message = packet->message;
    SimHost *source = &network->hosts[packet->from];
    SIM_ASSERT(ready >= sent_at);
    LinkEffect effect = link_effect(network, hop_of(packet), ready);
    SimDuration wait = 0;
    packet->divisor_ppm = effect.bandwidth_divisor_ppm;
    packet->up_done =
        sim_host_uplink_reserve(source, ready, message->size, effect.bandwidth_divisor_ppm, &wait);
    counters_of(network, packet->from, message->type)->uplink_wait += wait;
    if (network->config.tcp.enabled) {
        packet->up_done =
            sim_time_max(packet->up_done, tcp_depart(network, packet, ready, &effect));
    }
    SimDuration delay = 0;
    if (!propagation(network, source, packet->target, &effect, &delay)) {
        count_drop(network, packet, &network->stats.dropped_loss);
        packet_free(network, packet);
        return SIM_EVENT_NONE;
    }
    SimTime natural = sim_time_add(sim_time_add(packet->up_done, delay), filter_delay);
    *arrival = sim_time_add(natural, gst_extra(network, packet, sent_at, natural));
    return sim_engine_schedule(network->engine, *arrival, network->kind_arrive, packet->target,
                               packet->from, packet, message->type);
}

static gboolean held_is_stale(const SimNetwork *network, const HeldCopy *held);

_Static_assert(sizeof(gsize) >= 8, "a link key packs two 32-bit host ids");

static gpointer link_key(uint32_t source, uint32_t target)
{
    return GSIZE_TO_POINTER((((gsize)source << 32) | target) + 1); /* never NULL */
}

static void link_held_free(gpointer data)
{
    LinkHeld *l = data;
    g_array_unref(l->spans);
    g_free(l);
}

static LinkHeld *link_held_of(SimNetwork *network, uint32_t source, uint32_t target)
{
    gpointer key = link_key(source, target);
    LinkHeld *l = g_hash_table_lookup(network->link_held, key);
    if (l == NULL) {
        l = g_new0(LinkHeld, 1);
        l->spans = g_array_new(FALSE, FALSE, sizeof(HeldSpan));
        l->earliest = SIM_TIME_NONE;
        g_hash_table_insert(network->link_held, key, l);
    }
    return l;
}

/* Forgets the spans of `l` whose hold has ended by `now`, keeping the order of the others. */
static void link_held_purge(LinkHeld *l, SimTime now)
{
    if (l->earliest == SIM_TIME_NONE || l->earliest > now) return;
    guint kept = 0;
    l->earliest = SIM_TIME_NONE;
    for (guint i = 0; i < l->spans->len; i++) {
        HeldSpan span = g_array_index(l->spans, HeldSpan, i);
        if (span.release != SIM_TIME_NONE && span.release <= now) {
            SIM_ASSERT(l->bytes >= span.size);
            l->bytes -= span.size;
            continue;
        }
        l->earliest = sim_time_min(l->earliest, span.release);
        g_array_index(l->spans, HeldSpan, kept++) = span;
    }
    g_array_set_size(l->spans, kept);
}

static void link_held_add(SimNetwork *network, LinkHeld *l, SimTime release, uint64_t size)
{
    HeldSpan span = {release, size};
    g_array_append_val(l->spans, span);
    l->bytes += size;
    l->earliest = sim_time_min(l->earliest, release);
    network->stats.held_bytes_peak = MAX(network->stats.held_bytes_peak, l->bytes);
}

/* Whether a HOLD cut may keep `packet` until `release` (SIM_TIME_NONE: parked) without its link
 * going beyond hold_max; if so, counts its bytes against the link. */
static gboolean held_admit(SimNetwork *network, const Packet *packet, SimTime release)
{
    uint64_t size = packet->message->size;
    LinkHeld *l = link_held_of(network, packet->from, packet->target);
    link_held_purge(l, sim_engine_now(network->engine));
    if (network->config.hold_max > 0 && l->bytes + size > network->config.hold_max) return FALSE;
    link_held_add(network, l, release, size);
    SIM_ASSERT(network->config.hold_max == 0 || l->bytes <= network->config.hold_max);
    return TRUE;
}

/* After holds ended early or held copies were lost: counts each link's held bytes again from
 * the copies still held now (never more than before, so the bound still holds). */
static void held_recount(SimNetwork *network)
{
    SimTime now = sim_engine_now(network->engine);
    g_hash_table_remove_all(network->link_held);
    for (guint i = 0; i < network->held->len; i++) {
        const HeldCopy *held = &g_array_index(network->held, HeldCopy, i);
        if (held_is_stale(network, held)) continue;
        if (held->release != SIM_TIME_NONE && held->release <= now) continue;
        const Packet *packet = held->packet;
        const SimHost *source = &network->hosts[packet->from];
        gboolean lost =
            source->status != SIM_HOST_UP || source->incarnation != packet->source_incarnation;
        if (held->at_sender && lost) continue; /* its sender's buffer went with the crash */
        link_held_add(network, link_held_of(network, packet->from, packet->target), held->release,
                      packet->message->size);
    }
}

/* Sends a copy handed over at `sent_at` through the cuts: dropped, parked, or sent on (after
 * waiting for the cuts that hold it to heal). Held copies are remembered (see HeldCopy). */
static void hand_over(SimNetwork *network, Packet *packet, SimTime sent_at,
                      SimDuration filter_delay)
{
    SimTime ready = sent_at;
    uint64_t holds = 0;
    HoldOutcome outcome = hold_chain(network, hop_of(packet), sent_at, &ready, &holds);
    network->stats.held_cut += holds;
    if (outcome == HOLD_DROP) {
        count_drop(network, packet, &network->stats.dropped_cut);
        packet_free(network, packet);
        return;
    }
    if (holds > 0 && !held_admit(network, packet, outcome == HOLD_PARK ? SIM_TIME_NONE : ready)) {
        count_drop(network, packet, &network->stats.dropped_hold);
        packet_free(network, packet);
        return;
    }
    HeldCopy held = {.packet = packet,
                     .release = ready,
                     .since = sent_at,
                     .filter_delay = filter_delay,
                     .at_sender = TRUE};
    if (outcome == HOLD_PARK) {
        held.release = SIM_TIME_NONE;
        held_add(network, &held);
        return;
    }
    held.event = depart(network, packet, ready, sent_at, filter_delay, &held.event_time);
    if (holds > 0 && held.event != SIM_EVENT_NONE) held_add(network, &held);
}

static void forward_copy(SimNetwork *network, uint32_t from, SimTime ready, SimMessage *message,
                         uint32_t target, uint64_t route, gboolean end_to_end)
{
    SIM_ASSERT(target < network->host_count && from < network->host_count);
    SIM_ASSERT(ready >= sim_engine_now(network->engine));
    SimHost *source = &network->hosts[from];
    if (source->status != SIM_HOST_UP) return;
    Packet *packet = packet_new(network, message, target);
    packet->from = from;
    packet->source_incarnation = source->incarnation;
    packet->route = route;
    packet->end_to_end = end_to_end;
    if (target == from) {
        packet->local = TRUE;
        sim_engine_schedule(network->engine, ready, network->kind_deliver, target, from, packet,
                            message->type);
        return;
    }
    SimTypeCounters *counters = counters_of(network, from, message->type);
    counters->msgs_sent++;
    counters->bytes_sent += message->size;
    network->stats.copies_sent++;
    FilterVerdict verdict = filter_verdict(network, message, hop_of(packet), ready);
    if (verdict.drop) {
        count_drop(network, packet, &network->stats.dropped_filter);
        packet_free(network, packet);
        return;
    }
    if (verdict.delayed) network->stats.delayed_filter++;
    hand_over(network, packet, ready, verdict.delay);
}

static void send_copy(SimNetwork *network, SimTime ready, SimMessage *message, uint32_t target)
{
    forward_copy(network, message->source, ready, message, target, 0, FALSE);
}

void sim_network_send(SimNetwork *network, SimTime ready, SimMessage *message, uint32_t target)
{
    send_copy(network, ready, message, target);
}

void sim_network_forward(SimNetwork *network, uint32_t from, SimTime ready, SimMessage *message,
                         uint32_t target, uint64_t route, gboolean end_to_end)
{
    forward_copy(network, from, ready, message, target, route, end_to_end);
}

void sim_network_multicast(SimNetwork *network, SimTime ready, SimMessage *message,
                           const uint32_t *targets, size_t count)
{
    SIM_ASSERT(targets != NULL || count == 0);
    for (size_t i = 0; i < count; i++)
        send_copy(network, ready, message, targets[i]);
}

void sim_network_broadcast(SimNetwork *network, SimTime ready, SimMessage *message)
{
    for (uint32_t target = 0; target < network->host_count; target++) {
        if (target != message->source) send_copy(network, ready, message, target);
    }
}

/* --- held copies ------------------------------------------------------------------------------ */

static gboolean held_is_stale(const SimNetwork *network, const HeldCopy *held)
{
    return held->event != SIM_EVENT_NONE && !sim_engine_is_pending(network->engine, held->event);
}

/* Drops the entries whose copies have moved on, keeping the order of the others. */
static void held_prune(SimNetwork *network)
{
    guint kept = 0;
    for (guint i = 0; i < network->held->len; i++) {
        const HeldCopy *held = &g_array_index(network->held, HeldCopy, i);
        if (held_is_stale(network, held)) continue;
        g_array_index(network->held, HeldCopy, kept++) = *held;
    }
    g_array_set_size(network->held, kept);
    network->held_prune_at = MAX(HELD_PRUNE_MIN, 2 * kept);
}

static void held_add(SimNetwork *network, const HeldCopy *held)
{
    SIM_ASSERT(held->packet != NULL);
    SIM_ASSERT((held->event == SIM_EVENT_NONE) == (held->release == SIM_TIME_NONE));
    if (network->held->len >= network->held_prune_at) held_prune(network);
    g_array_append_vals(network->held, held, 1);
}

/* Loses a held copy for `reason`, freeing its packet (through its event, when it has one). */
static void held_drop(SimNetwork *network, const HeldCopy *held, uint64_t *reason)
{
    count_drop(network, held->packet, reason);
    if (held->event == SIM_EVENT_NONE) {
        packet_free(network, held->packet);
        return;
    }
    gboolean cancelled = sim_engine_cancel(network->engine, held->event);
    SIM_ASSERT(cancelled);
}

/*
 * Brings a held copy's pending arrival forward to `time`; a copy held at its sender also leaves
 * its uplink `up_shift` earlier. The engine cannot move an event, so the old one is cancelled
 * (which frees its packet) and a copy of the packet is scheduled in its place.
 */
static void held_move(SimNetwork *network, HeldCopy *held, SimTime time, SimDuration up_shift)
{
    SIM_ASSERT(time < held->event_time);
    Packet saved = *held->packet;
    SIM_ASSERT(saved.up_done >= up_shift);
    SimMessage *message = sim_message_ref(saved.message);
    gboolean cancelled = sim_engine_cancel(network->engine, held->event);
    SIM_ASSERT(cancelled);
    Packet *packet = packet_new(network, message, saved.target);
    sim_message_unref(message);
    packet->up_done = saved.up_done - up_shift;
    packet->divisor_ppm = saved.divisor_ppm;
    packet->source_incarnation = saved.source_incarnation;
    packet->from = saved.from;
    packet->route = saved.route;
    packet->end_to_end = saved.end_to_end;
    held->packet = packet;
    held->event_time = sim_time_max(time, sim_engine_now(network->engine));
    held->event = sim_engine_schedule(network->engine, held->event_time, network->kind_arrive,
                                      saved.target, saved.from, packet, message->type);
    held_add(network, held);
}

/*
 * Re-examines a copy held at its sender against the cuts as they are now; if its sender crashed
 * meanwhile, the copy is lost. A parked copy whose cuts have all healed (or have an end now)
 * leaves then. A copy already scheduled for a later heal leaves earlier by the difference: it
 * keeps the delay it drew, and its old slot on the uplink stays reserved (the link cannot give
 * time back).
 */
static void held_recheck_sender(SimNetwork *network, HeldCopy *held)
{
    Packet *packet = held->packet;
    const SimHost *source = &network->hosts[packet->from];
    SimTime ready = held->since;
    uint64_t holds = 0;
    HoldOutcome outcome = hold_chain(network, hop_of(packet), held->since, &ready, &holds);
    if (outcome == HOLD_DROP) {
        held_drop(network, held, &network->stats.dropped_cut);
        return;
    }
    ready = sim_time_max(ready, sim_engine_now(network->engine));
    if (outcome == HOLD_PARK || ready >= held->release) {
        held_add(network, held);
        return;
    }
    /* Its uplink slot lies after the heal, so a crash since then lost it. */
    if (source->status != SIM_HOST_UP || source->incarnation != packet->source_incarnation) {
        held_drop(network, held, &network->stats.dropped_crash);
        return;
    }
    if (held->event != SIM_EVENT_NONE) {
        SimDuration shift = held->release - ready;
        held->release = ready;
        held_move(network, held, held->event_time - shift, shift);
        return;
    }
    held->release = ready;
    held->event =
        depart(network, packet, ready, held->since, held->filter_delay, &held->event_time);
    if (held->event != SIM_EVENT_NONE) held_add(network, held);
}

/* Re-examines a copy held at its receiver: it arrived at `since`; the cut that lasts longest
 * there now decides when it arrives again (the arrival handler checks the cuts once more). */
static void held_recheck_receiver(SimNetwork *network, HeldCopy *held)
{
    Packet *packet = held->packet;
    const Cut *cut = find_cut(network, hop_of(packet), held->since);
    if (cut != NULL && cut->mode == SIM_CUT_DROP) {
        held_drop(network, held, &network->stats.dropped_cut);
        return;
    }
    SimTime release = cut != NULL ? cut->end : held->since;
    release = sim_time_max(release, sim_engine_now(network->engine));
    if (release >= held->release) {
        held_add(network, held);
        return;
    }
    held->release = release;
    if (held->event != SIM_EVENT_NONE) {
        held_move(network, held, release, 0);
        return;
    }
    held->event_time = release;
    held->event = sim_engine_schedule(network->engine, release, network->kind_arrive,
                                      packet->target, packet->from, packet, packet->message->type);
    held_add(network, held);
}

/* After a cut ended early: re-examines every held copy, in the order they were held, so that
 * copies released at the same instant keep that order. */
static void held_release(SimNetwork *network)
{
    GArray *list = network->held;
    network->held = g_array_new(FALSE, TRUE, sizeof(HeldCopy));
    for (guint i = 0; i < list->len; i++) {
        HeldCopy held = g_array_index(list, HeldCopy, i);
        if (held_is_stale(network, &held)) continue;
        if (held.at_sender) {
            held_recheck_sender(network, &held);
        } else {
            held_recheck_receiver(network, &held);
        }
    }
    g_array_unref(list);
    network->held_prune_at = MAX(HELD_PRUNE_MIN, 2 * network->held->len);
    held_recount(network);
}

/* A crashed host loses the copies parked at it, as it loses what is queued on its uplink. */
static void held_drop_parked_from(SimNetwork *network, uint32_t host)
{
    guint kept = 0;
    for (guint i = 0; i < network->held->len; i++) {
        HeldCopy held = g_array_index(network->held, HeldCopy, i);
        gboolean parked = held.event == SIM_EVENT_NONE && held.at_sender;
        if (parked && held.packet->from == host) {
            held_drop(network, &held, &network->stats.dropped_crash);
            continue;
        }
        g_array_index(network->held, HeldCopy, kept++) = held;
    }
    g_array_set_size(network->held, kept);
}

/* --- arrival and delivery -------------------------------------------------------------------- */

/* TRUE if the copy was still queued on its sender's uplink when the sender crashed. When the
 * sender crashed more than once since, the exact end of the copy's incarnation is unknown and
 * the copy is conservatively treated as lost. */
static gboolean lost_in_sender_crash(const SimNetwork *network, const Packet *packet)
{
    const SimHost *source = &network->hosts[packet->from];
    if (source->incarnation == packet->source_incarnation) return FALSE;
    if (source->incarnation > packet->source_incarnation + 1) return TRUE;
    return packet->up_done > source->crashed_at;
}

static void on_arrive(SimEngine *engine, const SimEvent *event, void *user_data)
{
    SimNetwork *network = user_data;
    Packet *packet = event->payload;
    SimHost *target = &network->hosts[packet->target];
    if (target->status != SIM_HOST_UP || lost_in_sender_crash(network, packet)) {
        count_drop(network, packet, &network->stats.dropped_crash);
        packet_free(network, packet);
        return;
    }
    const Cut *cut = find_cut(network, hop_of(packet), event->time);
    if (cut != NULL && cut->mode == SIM_CUT_DROP) {
        count_drop(network, packet, &network->stats.dropped_cut);
        packet_free(network, packet);
        return;
    }
    if (cut != NULL && !held_admit(network, packet, cut->end)) {
        count_drop(network, packet, &network->stats.dropped_hold);
        packet_free(network, packet);
        return;
    }
    if (cut != NULL) {
        network->stats.held_cut++;
        HeldCopy held = {.packet = packet, .release = cut->end, .since = event->time};
        if (cut->end != SIM_TIME_NONE) {
            held.event_time = cut->end;
            held.event = sim_engine_schedule(engine, cut->end, network->kind_arrive, event->target,
                                             event->source, packet, event->arg);
        }
        held_add(network, &held);
        return;
    }
    SimDuration wait = 0;
    SimTime done = sim_host_downlink_reserve(target, event->time, packet->message->size,
                                             packet->divisor_ppm, &wait);
    counters_of(network, packet->target, packet->message->type)->downlink_wait += wait;
    sim_engine_schedule(engine, done, network->kind_deliver, event->target, event->source, packet,
                        event->arg);
}

/* Runs one item on its host's CPU (which is free now) and releases it. */
static void cpu_run(SimNetwork *network, SimHost *host, Packet *item, SimTime now)
{
    if (item->message == NULL) {
        gboolean current = item->timer_generation == host->timer_generation[item->timer];
        if (current && network->timer != NULL) {
            network->timer(network, host->id, item->timer, now, network->user_data);
        }
        packet_free(network, item);
        return;
    }
    if (!item->local) {
        SimTypeCounters *counters = counters_of(network, host->id, item->message->type);
        counters->msgs_received++;
        counters->bytes_received += item->message->size;
        network->stats.copies_delivered++;
    }
    if (network->delivery_tap != NULL) { /* relayed hops too: each goes into the digest */
        network->delivery_tap(network->delivery_tap_data, host->id, item->message, now);
    }
    sim_engine_digest_add(network->engine, item->message->digest, SIM_MESSAGE_DIGEST_BYTES);
    if (item->route != 0) {
        SIM_ASSERT(network->router != NULL);
        network->router(network, host->id, item->message, item->from, item->route, now,
                        network->router_data);
        packet_free(network, item);
        return;
    }
    if (network->receive != NULL) {
        network->receive(network, host->id, item->message, now, network->user_data);
    }
    packet_free(network, item);
}

/* Runs queued items while the CPU is free at `now`; when work remains, wakes up again when the
 * CPU frees. There is one pending wake-up per busy host, whatever the queue's length, so a
 * leader with 1,000 queued votes costs 1,000 events, not 500,000 re-schedulings. */
static void cpu_drain(SimNetwork *network, SimHost *host, SimTime now)
{
    while (host->cpu_head != NULL && host->cpu_free <= now && host->status == SIM_HOST_UP) {
        Packet *item = host->cpu_head;
        host->cpu_head = item->next;
        if (host->cpu_head == NULL) host->cpu_tail = NULL;
        cpu_run(network, host, item, now);
    }
    if (host->cpu_head != NULL && !sim_engine_is_pending(network->engine, host->cpu_wakeup)) {
        host->cpu_wakeup = sim_engine_schedule(network->engine, sim_time_max(host->cpu_free, now),
                                               network->kind_cpu, host->id, host->id, NULL, 0);
    }
}

/* Hands an item to a host's CPU: it runs now if the CPU is idle, else waits behind earlier work
 * (first in, first out). */
static void cpu_submit(SimNetwork *network, SimHost *host, Packet *item, SimTime now)
{
    item->next = NULL;
    if (host->cpu_tail != NULL) {
        host->cpu_tail->next = item;
    } else {
        host->cpu_head = item;
    }
    host->cpu_tail = item;
    cpu_drain(network, host, now);
}

/* Frees everything queued for a host's CPU; lost copies count as dropped when `count`. */
static void cpu_queue_discard(SimNetwork *network, SimHost *host, gboolean count)
{
    while (host->cpu_head != NULL) {
        Packet *item = host->cpu_head;
        host->cpu_head = item->next;
        if (count && item->message != NULL && !item->local) {
            count_drop(network, item, &network->stats.dropped_crash);
        }
        packet_free(network, item);
    }
    host->cpu_tail = NULL;
}

static void on_deliver(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimNetwork *network = user_data;
    Packet *packet = event->payload;
    SimHost *target = &network->hosts[packet->target];
    if (target->status != SIM_HOST_UP) {
        if (!packet->local) count_drop(network, packet, &network->stats.dropped_crash);
        packet_free(network, packet);
        return;
    }
    cpu_submit(network, target, packet, event->time);
}

static void on_cpu_wakeup(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimNetwork *network = user_data;
    SimHost *host = &network->hosts[event->target];
    host->cpu_wakeup = SIM_EVENT_NONE;
    cpu_drain(network, host, event->time);
}

static void on_timer(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimNetwork *network = user_data;
    SimHost *host = &network->hosts[event->target];
    uint32_t slot = (uint32_t)event->arg;
    SIM_ASSERT(slot < SIM_HOST_TIMERS_MAX);
    host->timers[slot] = SIM_EVENT_NONE;
    if (host->status != SIM_HOST_UP) return;
    Packet *item = packet_new(network, NULL, event->target);
    item->timer = slot;
    item->timer_generation = host->timer_generation[slot];
    cpu_submit(network, host, item, event->time);
}

/* --- construction ---------------------------------------------------------------------------- */

SimNetwork *sim_network_new(SimEngine *engine, const SimNetworkConfig *config, uint32_t host_count)
{
    SIM_ASSERT(engine != NULL && config != NULL && config->regions != NULL);
    SIM_ASSERT(host_count > 0);
    SIM_ASSERT(config->loss_ppm <= SIM_PPM_ONE);
    SimNetwork *network = g_new0(SimNetwork, 1);
    network->engine = engine;
    network->config = *config;
    network->host_count = host_count;
    network->hosts = g_new0(SimHost, host_count);
    for (uint32_t i = 0; i < host_count; i++) {
        SimHost *host = &network->hosts[i];
        host->id = i;
        host->cpu_factor_ppm = SIM_PPM_ONE;
        host->clock_ppm = SIM_PPM_ONE;
        host->vcpus = 1;
        sim_rng_init(&host->rng, config->rng_algorithm, config->seed, "network.host", i);
    }
    network->cuts = g_array_new(FALSE, TRUE, sizeof(Cut));
    network->degradations = g_array_new(FALSE, TRUE, sizeof(Degradation));
    network->filters = g_array_new(FALSE, TRUE, sizeof(Filter));
    network->held = g_array_new(FALSE, TRUE, sizeof(HeldCopy));
    network->held_prune_at = HELD_PRUNE_MIN;
    network->link_held = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, link_held_free);
    network->packet_blocks = g_ptr_array_new_with_free_func(g_free);
    network->kind_arrive = sim_engine_register(engine, "net.arrive", on_arrive, packet_discard,
                                               network, SIM_KIND_DIGEST);
    network->kind_deliver = sim_engine_register(engine, "net.deliver", on_deliver, packet_discard,
                                                network, SIM_KIND_DIGEST);
    network->kind_timer =
        sim_engine_register(engine, "host.timer", on_timer, NULL, network, SIM_KIND_DIGEST);
    network->kind_cpu =
        sim_engine_register(engine, "host.cpu", on_cpu_wakeup, NULL, network, SIM_KIND_DIGEST);
    return network;
}

void sim_network_free(SimNetwork *network)
{
    if (network == NULL) return;
    for (uint32_t i = 0; i < network->host_count; i++) {
        cpu_queue_discard(network, &network->hosts[i], FALSE);
    }
    for (guint i = 0; i < network->held->len; i++) {
        /* Parked copies are owned here; the others were freed with their events. */
        HeldCopy *held = &g_array_index(network->held, HeldCopy, i);
        if (held->event == SIM_EVENT_NONE) packet_free(network, held->packet);
    }
    g_array_unref(network->held);
    g_hash_table_unref(network->link_held);
    SIM_ASSERT(network->packets_live == 0); /* free the engine first: it holds the packets */
    for (uint32_t i = 0; i < network->host_count; i++)
        sim_rng_clear(&network->hosts[i].rng);
    for (guint i = 0; i < network->cuts->len; i++) {
        Cut *cut = &g_array_index(network->cuts, Cut, i);
        sim_node_set_clear(&cut->from);
        sim_node_set_clear(&cut->to);
    }
    for (guint i = 0; i < network->degradations->len; i++) {
        Degradation *d = &g_array_index(network->degradations, Degradation, i);
        sim_node_set_clear(&d->from);
        sim_node_set_clear(&d->to);
    }
    for (guint i = 0; i < network->filters->len; i++) {
        Filter *filter = &g_array_index(network->filters, Filter, i);
        sim_node_set_clear(&filter->from);
        sim_node_set_clear(&filter->to);
    }
    g_array_unref(network->cuts);
    g_array_unref(network->degradations);
    g_array_unref(network->filters);
    if (network->gst_set) sim_rng_clear(&network->gst_rng);
    g_ptr_array_unref(network->packet_blocks);
    g_free(network->counters);
    for (uint32_t i = 0; network->tcp_conns != NULL && i < network->host_count; i++)
        g_free(network->tcp_conns[i]);
    g_free(network->tcp_conns);
    for (uint32_t i = 0; i < network->host_count; i++)
        g_free(network->hosts[i].vcpu_free);
    g_free(network->hosts);
    g_free(network);
}

void sim_network_set_handlers(SimNetwork *network, SimReceiveFn receive, SimTimerFn timer,
                              void *user_data)
{
    network->receive = receive;
    network->timer = timer;
    network->user_data = user_data;
}

void sim_network_set_router(SimNetwork *network, SimRouteFn router, void *user_data)
{
    network->router = router;
    network->router_data = user_data;
}

void sim_network_set_delivery_tap(SimNetwork *network, SimDeliveryTap tap, void *user_data)
{
    SIM_ASSERT(network != NULL);
    network->delivery_tap = tap;
    network->delivery_tap_data = user_data;
}

void sim_network_host_configure(SimNetwork *network, uint32_t host, const SimHostConfig *config)
{
    SIM_ASSERT(host < network->host_count);
    SIM_ASSERT(config->region < sim_regions_count(network->config.regions));
    SimHost *h = &network->hosts[host];
    h->region = config->region;
    h->uplink_bps = config->uplink_bps;
    h->downlink_bps = config->downlink_bps;
    h->clock_ppm = config->clock_ppm ? config->clock_ppm : SIM_PPM_ONE;
    h->cpu_factor_ppm = h->clock_ppm;
    uint32_t vcpus = MAX(config->vcpus, 1u);
    if (vcpus == h->vcpus) return;
    SIM_ASSERT(h->cpu_head == NULL); /* configured before it runs anything */
    g_clear_pointer(&h->vcpu_free, g_free);
    h->vcpus = vcpus;
    if (vcpus > 1) {
        h->vcpu_free = g_new(SimTime, vcpus);
        for (uint32_t i = 0; i < vcpus; i++)
            h->vcpu_free[i] = h->cpu_free;
    }
}

uint16_t sim_network_register_type(SimNetwork *network, const char *name)
{
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(network->counters == NULL); /* registration closes at the first send */
    SIM_ASSERT(network->type_count < SIM_NETWORK_TYPES_MAX);
    network->type_names[network->type_count] = name;
    return network->type_count++;
}

/* --- CPU, timers, host state --------------------------------------------------------------------
 */

SimTime sim_network_cpu_charge(SimNetwork *network, uint32_t host, SimDuration cost)
{
    SIM_ASSERT(host < network->host_count);
    return sim_host_cpu_charge(&network->hosts[host], sim_engine_now(network->engine), cost);
}

SimTime sim_network_cpu_charge_parallel(SimNetwork *network, uint32_t host, SimDuration serial,
                                        SimDuration parallel)
{
    SIM_ASSERT(host < network->host_count);
    return sim_host_cpu_charge_parallel(&network->hosts[host], sim_engine_now(network->engine),
                                        serial, parallel);
}

void sim_network_timer_set(SimNetwork *network, uint32_t host, uint32_t timer, SimTime at)
{
    SIM_ASSERT(host < network->host_count && timer < SIM_HOST_TIMERS_MAX);
    SimHost *h = &network->hosts[host];
    if (h->status != SIM_HOST_UP) return;
    sim_engine_cancel(network->engine, h->timers[timer]);
    h->timer_generation[timer]++; /* a firing already queued for the CPU is now stale */
    h->timers[timer] =
        sim_engine_schedule(network->engine, at, network->kind_timer, host, host, NULL, timer);
}

void sim_network_timer_cancel(SimNetwork *network, uint32_t host, uint32_t timer)
{
    SIM_ASSERT(host < network->host_count && timer < SIM_HOST_TIMERS_MAX);
    SimHost *h = &network->hosts[host];
    sim_engine_cancel(network->engine, h->timers[timer]);
    h->timer_generation[timer]++;
    h->timers[timer] = SIM_EVENT_NONE;
}

gboolean sim_network_timer_pending(const SimNetwork *network, uint32_t host, uint32_t timer)
{
    SIM_ASSERT(host < network->host_count && timer < SIM_HOST_TIMERS_MAX);
    return sim_engine_is_pending(network->engine, network->hosts[host].timers[timer]);
}

void sim_network_host_crash(SimNetwork *network, uint32_t host)
{
    SIM_ASSERT(host < network->host_count);
    SimHost *h = &network->hosts[host];
    if (h->status == SIM_HOST_CRASHED) return;
    SimTime now = sim_engine_now(network->engine);
    for (uint32_t t = 0; t < SIM_HOST_TIMERS_MAX; t++) {
        sim_network_timer_cancel(network, host, t);
    }
    cpu_queue_discard(network, h, TRUE);
    held_drop_parked_from(network, host);
    sim_engine_cancel(network->engine, h->cpu_wakeup);
    h->cpu_wakeup = SIM_EVENT_NONE;
    h->status = SIM_HOST_CRASHED;
    h->incarnation++;
    h->crashed_at = now;
    held_recount(network); /* what it held for its links is gone */
    tcp_forget(network, host);
    /* Whatever was queued on the links is gone; the links are idle from now on. */
    h->uplink_free = now;
    h->downlink_free = now;
    sim_host_cpu_reset(h, now);
}

void sim_network_host_restart(SimNetwork *network, uint32_t host)
{
    SIM_ASSERT(host < network->host_count);
    SimHost *h = &network->hosts[host];
    SimTime now = sim_engine_now(network->engine);
    h->status = SIM_HOST_UP;
    h->uplink_free = sim_time_max(h->uplink_free, now);
    h->downlink_free = sim_time_max(h->downlink_free, now);
    sim_host_cpu_hold(h, now);
}

void sim_network_host_pause(SimNetwork *network, uint32_t host, SimTime until)
{
    SIM_ASSERT(host < network->host_count);
    sim_host_cpu_hold(&network->hosts[host], until);
}

void sim_network_host_set_cpu_factor(SimNetwork *network, uint32_t host, uint64_t factor_ppm)
{
    SIM_ASSERT(host < network->host_count);
    SIM_ASSERT(factor_ppm > 0);
    SimHost *h = &network->hosts[host];
    h->cpu_factor_ppm = (uint64_t)(((SimU128)h->clock_ppm * factor_ppm) / SIM_PPM_ONE);
    if (h->cpu_factor_ppm == 0) h->cpu_factor_ppm = 1;
}

/* --- faults on links ------------------------------------------------------------------------- */

uint32_t sim_network_add_cut(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                             gboolean one_way, SimTime start, SimTime end, SimCutMode mode)
{
    SIM_ASSERT(from->node_count == network->host_count && to->node_count == network->host_count);
    SIM_ASSERT(start < end);
    SIM_ASSERT(network->cuts->len < UINT32_MAX);
    Cut cut = {.start = start, .end = end, .mode = mode, .one_way = one_way};
    sim_node_set_copy(&cut.from, from);
    sim_node_set_copy(&cut.to, to);
    g_array_append_val(network->cuts, cut);
    uint32_t handle = network->cuts->len - 1;
    if (network->cut_observer != NULL) {
        network->cut_observer(network, handle, start, network->cut_observer_data);
    }
    return handle;
}

void sim_network_set_cut_observer(SimNetwork *network, SimCutObserver observer, void *user_data)
{
    network->cut_observer = observer;
    network->cut_observer_data = user_data;
}

SimTime sim_network_link_clear(const SimNetwork *network, uint32_t from, uint32_t to, SimTime t)
{
    SIM_ASSERT(from < network->host_count && to < network->host_count);
    Hop hop = {from, to, from, FALSE};
    /* Each step moves t to a later end, so no cut is met twice. */
    for (guint guard = 0; guard <= network->cuts->len; guard++) {
        const Cut *cut = find_cut(network, hop, t);
        if (cut == NULL) return t;
        if (cut->end == SIM_TIME_NONE) return SIM_TIME_NONE;
        t = cut->end;
    }
    return t;
}

/* The window's new end when it is ended at `at`: never later than before, never before its
 * start (a window ended before it starts is empty). */
static SimTime window_end(SimTime start, SimTime end, SimTime at)
{
    return sim_time_min(end, sim_time_max(start, at));
}

void sim_network_end_cut(SimNetwork *network, uint32_t cut, SimTime at)
{
    SIM_ASSERT(cut < network->cuts->len);
    SIM_ASSERT(at >= sim_engine_now(network->engine));
    Cut *c = &g_array_index(network->cuts, Cut, cut);
    SimTime end = window_end(c->start, c->end, at);
    if (end == c->end) return;
    c->end = end;
    held_release(network);
}

uint32_t sim_network_add_degradation(SimNetwork *network, const SimNodeSet *from,
                                     const SimNodeSet *to, gboolean one_way, SimTime start,
                                     SimTime end, uint64_t latency_factor_ppm,
                                     uint64_t bandwidth_divisor_ppm, uint64_t loss_ppm)
{
    SIM_ASSERT(from->node_count == network->host_count && to->node_count == network->host_count);
    SIM_ASSERT(start < end);
    SIM_ASSERT(latency_factor_ppm > 0 && bandwidth_divisor_ppm > 0 && loss_ppm <= SIM_PPM_ONE);
    SIM_ASSERT(network->degradations->len < UINT32_MAX);
    Degradation d = {.start = start,
                     .end = end,
                     .latency_factor_ppm = latency_factor_ppm,
                     .bandwidth_divisor_ppm = bandwidth_divisor_ppm,
                     .loss_ppm = loss_ppm,
                     .one_way = one_way};
    sim_node_set_copy(&d.from, from);
    sim_node_set_copy(&d.to, to);
    g_array_append_val(network->degradations, d);
    return network->degradations->len - 1;
}

void sim_network_end_degradation(SimNetwork *network, uint32_t degradation, SimTime at)
{
    SIM_ASSERT(degradation < network->degradations->len);
    SIM_ASSERT(at >= sim_engine_now(network->engine));
    Degradation *d = &g_array_index(network->degradations, Degradation, degradation);
    d->end = window_end(d->start, d->end, at);
    SIM_ASSERT(d->start <= d->end);
}

uint32_t sim_network_add_filter(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                                uint64_t type_mask, SimFilterAction action, SimDuration delay,
                                SimTime start, SimTime end)
{
    _Static_assert(SIM_NETWORK_TYPES_MAX <= 64, "a filter's type mask has one bit per type");
    SIM_ASSERT(from->node_count == network->host_count && to->node_count == network->host_count);
    SIM_ASSERT(start < end);
    SIM_ASSERT((type_mask >> (SIM_NETWORK_TYPES_MAX - 1)) <= 1);
    SIM_ASSERT(action == SIM_FILTER_DROP || action == SIM_FILTER_DELAY);
    SIM_ASSERT(action == SIM_FILTER_DELAY ? delay > 0 : delay == 0);
    SIM_ASSERT(network->filters->len < UINT32_MAX);
    Filter filter = {
        .type_mask = type_mask, .start = start, .end = end, .delay = delay, .action = action};
    sim_node_set_copy(&filter.from, from);
    sim_node_set_copy(&filter.to, to);
    g_array_append_val(network->filters, filter);
    return network->filters->len - 1;
}

void sim_network_end_filter(SimNetwork *network, uint32_t filter, SimTime at)
{
    SIM_ASSERT(filter < network->filters->len);
    SIM_ASSERT(at >= sim_engine_now(network->engine));
    Filter *f = &g_array_index(network->filters, Filter, filter);
    f->end = window_end(f->start, f->end, at);
    SIM_ASSERT(f->start <= f->end);
}

void sim_network_set_gst(SimNetwork *network, SimTime gst, const SimDist *pre_gst_delay,
                         SimDuration delta)
{
    SIM_ASSERT(!network->gst_set);
    SIM_ASSERT(gst != SIM_TIME_NONE);
    SIM_ASSERT(pre_gst_delay != NULL);
    SIM_ASSERT(pre_gst_delay->unit == SIM_QUANTITY_DURATION);
    network->gst_set = TRUE;
    network->gst = gst;
    network->gst_delta = delta;
    network->pre_gst_delay = *pre_gst_delay;
    /* A stream of its own, derived by name: the hosts' jitter and loss draws are untouched. */
    sim_rng_init(&network->gst_rng, network->config.rng_algorithm, network->config.seed,
                 "network.gst", 0);
}

/* --- observation ---------------------------------------------------------------------------------
 */

uint32_t sim_network_host_count(const SimNetwork *network)
{
    return network->host_count;
}

const SimHost *sim_network_host(const SimNetwork *network, uint32_t host)
{
    SIM_ASSERT(host < network->host_count);
    return &network->hosts[host];
}

uint16_t sim_network_type_count(const SimNetwork *network)
{
    return network->type_count;
}

const char *sim_network_type_name(const SimNetwork *network, uint16_t type)
{
    SIM_ASSERT(type < network->type_count);
    return network->type_names[type];
}

const SimTypeCounters *sim_network_counters(const SimNetwork *network, uint32_t host, uint16_t type)
{
    static const SimTypeCounters zero;
    SIM_ASSERT(host < network->host_count && type < network->type_count);
    if (network->counters == NULL) return &zero;
    return &network->counters[(size_t)host * network->type_count + type];
}

const SimNetworkStats *sim_network_stats(const SimNetwork *network)
{
    return &network->stats;
}

SimEngine *sim_network_engine(const SimNetwork *network)
{
    return network->engine;
}

SimDuration sim_network_base_latency(const SimNetwork *network, uint32_t source, uint32_t target)
{
    SIM_ASSERT(source < network->host_count && target < network->host_count);
    return sim_regions_one_way(network->config.regions, network->hosts[source].region,
                               network->hosts[target].region);
}
