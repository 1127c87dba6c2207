/*
 * Message delivery over the host array; see network.h for the model. Each copy in flight is a
 * Packet from a pooled free list; a copy costs two events (arrival at the receiver's downlink,
 * delivery to its CPU), plus one per deferral while the receiving CPU is busy.
 *
 * Lifetime: pending events point at packets owned by the network's pool, so the engine must be
 * freed (which discards pending events) before the network.
 */
#include "sim/network.h"

#include "sim/assert.h"
#include "sim/units.h"

#include <sodium.h>
#include <string.h>

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
} Packet;

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

/* The combined effect of every degradation active on one copy. */
typedef struct LinkEffect {
    uint64_t latency_factor_ppm;
    uint64_t bandwidth_divisor_ppm;
    uint64_t loss_ppm;
} LinkEffect;

#define PACKET_BLOCK        1024
#define RETRANSMISSIONS_MAX 64

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
    SimTimerFn timer;
    void *user_data;
    GArray *cuts;         /* of Cut */
    GArray *degradations; /* of Degradation */
    Packet *free_packets;
    GPtrArray *packet_blocks;
    uint64_t packets_live;
    SimNetworkStats stats;
};

/* --- messages -------------------------------------------------------------------------------- */

static uint64_t message_live_count; /* diagnostics only; runs are single-threaded */

SimMessage *sim_message_new(uint32_t source, uint16_t type, GBytes *bytes, uint64_t size)
{
    SIM_ASSERT(bytes != NULL);
    SIM_ASSERT(size > 0);
    SimMessage *message = g_new(SimMessage, 1);
    message->bytes = g_bytes_ref(bytes);
    message->size = size;
    message->source = source;
    message->refcount = 1;
    message->type = type;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    crypto_generichash(message->digest, sizeof message->digest, data, len, NULL, 0);
    message_live_count++;
    return message;
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
    counters_of(network, packet->message->source, packet->message->type)->msgs_dropped++;
}

/* --- cuts and degradations ----------------------------------------------------------------- */

static gboolean sets_match(const SimNodeSet *from, const SimNodeSet *to, gboolean one_way,
                           uint32_t source, uint32_t target)
{
    if (sim_node_set_contains(from, source) && sim_node_set_contains(to, target)) return TRUE;
    return !one_way && sim_node_set_contains(from, target) && sim_node_set_contains(to, source);
}

/* The active cut between source and target at `t` that lasts longest, or NULL. */
static const Cut *find_cut(const SimNetwork *network, uint32_t source, uint32_t target, SimTime t)
{
    const Cut *found = NULL;
    for (guint i = 0; i < network->cuts->len; i++) {
        const Cut *cut = &g_array_index(network->cuts, Cut, i);
        if (t < cut->start || t >= cut->end) continue;
        if (!sets_match(&cut->from, &cut->to, cut->one_way, source, target)) continue;
        if (found == NULL || cut->end > found->end) found = cut;
    }
    return found;
}

static LinkEffect link_effect(const SimNetwork *network, uint32_t source, uint32_t target,
                              SimTime t)
{
    LinkEffect effect = {SIM_PPM_ONE, SIM_PPM_ONE, 0};
    for (guint i = 0; i < network->degradations->len; i++) {
        const Degradation *d = &g_array_index(network->degradations, Degradation, i);
        if (t < d->start || t >= d->end) continue;
        if (!sets_match(&d->from, &d->to, d->one_way, source, target)) continue;
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

static void send_copy(SimNetwork *network, SimTime ready, SimMessage *message, uint32_t target)
{
    SIM_ASSERT(target < network->host_count);
    SIM_ASSERT(ready >= sim_engine_now(network->engine));
    SimHost *source = &network->hosts[message->source];
    if (source->status != SIM_HOST_UP) return;
    Packet *packet = packet_new(network, message, target);
    if (target == message->source) {
        packet->local = TRUE;
        sim_engine_schedule(network->engine, ready, network->kind_deliver, target, message->source,
                            packet, message->type);
        return;
    }
    SimTypeCounters *counters = counters_of(network, message->source, message->type);
    counters->msgs_sent++;
    counters->bytes_sent += message->size;
    network->stats.copies_sent++;
    /* A copy handed over during a cut: dropped, or (hold) waits until the cut heals. */
    for (guint guard = 0; guard <= network->cuts->len; guard++) {
        const Cut *cut = find_cut(network, message->source, target, ready);
        if (cut == NULL) break;
        if (cut->mode == SIM_CUT_DROP) {
            count_drop(network, packet, &network->stats.dropped_cut);
            packet_free(network, packet);
            return;
        }
        network->stats.held_cut++;
        ready = cut->end;
    }
    LinkEffect effect = link_effect(network, message->source, target, ready);
    SimDuration wait = 0;
    packet->divisor_ppm = effect.bandwidth_divisor_ppm;
    packet->up_done =
        sim_host_uplink_reserve(source, ready, message->size, effect.bandwidth_divisor_ppm, &wait);
    counters->uplink_wait += wait;
    SimDuration delay = 0;
    if (!propagation(network, source, target, &effect, &delay)) {
        count_drop(network, packet, &network->stats.dropped_loss);
        packet_free(network, packet);
        return;
    }
    sim_engine_schedule(network->engine, sim_time_add(packet->up_done, delay), network->kind_arrive,
                        target, message->source, packet, message->type);
}

void sim_network_send(SimNetwork *network, SimTime ready, SimMessage *message, uint32_t target)
{
    send_copy(network, ready, message, target);
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

/* --- arrival and delivery -------------------------------------------------------------------- */

/* TRUE if the copy was still queued on its sender's uplink when the sender crashed. When the
 * sender crashed more than once since, the exact end of the copy's incarnation is unknown and
 * the copy is conservatively treated as lost. */
static gboolean lost_in_sender_crash(const SimNetwork *network, const Packet *packet)
{
    const SimHost *source = &network->hosts[packet->message->source];
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
    const Cut *cut = find_cut(network, event->source, event->target, event->time);
    if (cut != NULL && cut->mode == SIM_CUT_DROP) {
        count_drop(network, packet, &network->stats.dropped_cut);
        packet_free(network, packet);
        return;
    }
    if (cut != NULL) {
        network->stats.held_cut++;
        sim_engine_schedule(engine, cut->end, network->kind_arrive, event->target, event->source,
                            packet, event->arg);
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
    sim_engine_digest_add(network->engine, item->message->digest, SIM_MESSAGE_DIGEST_BYTES);
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
        sim_rng_init(&host->rng, config->rng_algorithm, config->seed, "network.host", i);
    }
    network->cuts = g_array_new(FALSE, TRUE, sizeof(Cut));
    network->degradations = g_array_new(FALSE, TRUE, sizeof(Degradation));
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
    g_array_unref(network->cuts);
    g_array_unref(network->degradations);
    g_ptr_array_unref(network->packet_blocks);
    g_free(network->counters);
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

void sim_network_host_configure(SimNetwork *network, uint32_t host, const SimHostConfig *config)
{
    SIM_ASSERT(host < network->host_count);
    SIM_ASSERT(config->region < sim_regions_count(network->config.regions));
    SimHost *h = &network->hosts[host];
    h->region = config->region;
    h->uplink_bps = config->uplink_bps;
    h->downlink_bps = config->downlink_bps;
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
    sim_engine_cancel(network->engine, h->cpu_wakeup);
    h->cpu_wakeup = SIM_EVENT_NONE;
    h->status = SIM_HOST_CRASHED;
    h->incarnation++;
    h->crashed_at = now;
    /* Whatever was queued on the links is gone; the links are idle from now on. */
    h->uplink_free = now;
    h->downlink_free = now;
    h->cpu_free = now;
}

void sim_network_host_restart(SimNetwork *network, uint32_t host)
{
    SIM_ASSERT(host < network->host_count);
    SimHost *h = &network->hosts[host];
    SimTime now = sim_engine_now(network->engine);
    h->status = SIM_HOST_UP;
    h->uplink_free = sim_time_max(h->uplink_free, now);
    h->downlink_free = sim_time_max(h->downlink_free, now);
    h->cpu_free = sim_time_max(h->cpu_free, now);
}

void sim_network_host_pause(SimNetwork *network, uint32_t host, SimTime until)
{
    SIM_ASSERT(host < network->host_count);
    SimHost *h = &network->hosts[host];
    h->cpu_free = sim_time_max(h->cpu_free, until);
}

void sim_network_host_set_cpu_factor(SimNetwork *network, uint32_t host, uint64_t factor_ppm)
{
    SIM_ASSERT(host < network->host_count);
    SIM_ASSERT(factor_ppm > 0);
    network->hosts[host].cpu_factor_ppm = factor_ppm;
}

/* --- faults on links ------------------------------------------------------------------------- */

void sim_network_add_cut(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                         gboolean one_way, SimTime start, SimTime end, SimCutMode mode)
{
    SIM_ASSERT(from->node_count == network->host_count && to->node_count == network->host_count);
    SIM_ASSERT(start < end);
    Cut cut = {.start = start, .end = end, .mode = mode, .one_way = one_way};
    sim_node_set_copy(&cut.from, from);
    sim_node_set_copy(&cut.to, to);
    g_array_append_val(network->cuts, cut);
}

void sim_network_add_degradation(SimNetwork *network, const SimNodeSet *from, const SimNodeSet *to,
                                 gboolean one_way, SimTime start, SimTime end,
                                 uint64_t latency_factor_ppm, uint64_t bandwidth_divisor_ppm,
                                 uint64_t loss_ppm)
{
    SIM_ASSERT(from->node_count == network->host_count && to->node_count == network->host_count);
    SIM_ASSERT(start < end);
    SIM_ASSERT(latency_factor_ppm > 0 && bandwidth_divisor_ppm > 0 && loss_ppm <= SIM_PPM_ONE);
    Degradation d = {.start = start,
                     .end = end,
                     .latency_factor_ppm = latency_factor_ppm,
                     .bandwidth_divisor_ppm = bandwidth_divisor_ppm,
                     .loss_ppm = loss_ppm,
                     .one_way = one_way};
    sim_node_set_copy(&d.from, from);
    sim_node_set_copy(&d.to, to);
    g_array_append_val(network->degradations, d);
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
