/*
 * libp2p gossipsub, request-response and Kademlia lookups; see gossip.h.
 *
 * Routing words (sim/net/relay.h; the low 56 bits): the operation in bits 48..55, a message id
 * (OP_GOSSIP) in the low 48 bits.
 */
#include "sim/net/gossip.h"

#include "sim/core/assert.h"
#include "sim/core/rng.h"

#include <string.h>

enum {
    OP_GOSSIP = 1, /* a gossipsub copy: publish or forward */
    OP_DIRECT = 2, /* a request-response message */
};

#define ID_BITS      48
#define PICK_TRIES   32 /* random draws before a candidate is looked for by a scan */
#define NO_VALIDATOR UINT32_MAX

/* One published message in the seen-cache. */
typedef struct Seen {
    SimTime last_sight;  /* the latest first sight at any validator */
    SimTime *first_seen; /* per validator; SIM_TIME_NONE: not seen or forgotten */
} Seen;

/* A peer id a validator has looked up (or learnt from a connection), and since when. */
typedef struct Known {
    uint32_t peer;
    SimTime at;
} Known;

struct SimGossip {
    SimNetwork *network;
    SimEngine *engine;
    SimGossipConfig config;
    SimDeliver deliver;
    SimTransportStats *stats;
    uint32_t validators;
    uint32_t *mesh;    /* validators x mesh_n_high: each validator's mesh peers, ascending */
    uint32_t *degree;  /* per validator: its mesh peers */
    gboolean *member;  /* per validator: in the overlay (as of the last heartbeat) */
    gboolean *dropped; /* per validator: went down since the last heartbeat */
    GPtrArray *seen;   /* Seen records of ids seen_base .. seen_base + len - 1 */
    uint64_t seen_base;
    GArray **known; /* per validator, made when it first needs one: Known, ascending by peer */
    SimRng mesh_rng;
    SimRng heartbeat_rng;
    uint64_t kademlia_key;
    uint16_t kind_heartbeat;
    uint16_t kind_lookup;
    gboolean heartbeat_pending;
};

static uint64_t route(unsigned op, uint64_t arg)
{
    SIM_ASSERT(arg < (UINT64_C(1) << ID_BITS));
    return sim_route_make(SIM_ROUTE_GOSSIP, ((uint64_t)op << ID_BITS) | arg);
}

static gboolean host_up(const SimGossip *gossip, uint32_t host)
{
    return sim_network_host(gossip->network, host)->status == SIM_HOST_UP;
}

/* --- the mesh -------------------------------------------------------------------------------- */

static uint32_t *peers_of(const SimGossip *gossip, uint32_t v)
{
    return &gossip->mesh[(size_t)v * gossip->config.mesh_n_high];
}

static gboolean in_mesh(const SimGossip *gossip, uint32_t v, uint32_t u)
{
    const uint32_t *peers = peers_of(gossip, v);
    for (uint32_t i = 0; i < gossip->degree[v]; i++) {
        if (peers[i] == u) return TRUE;
    }
    return FALSE;
}

static void insert_peer(SimGossip *gossip, uint32_t v, uint32_t u)
{
    SIM_ASSERT(gossip->degree[v] < gossip->config.mesh_n_high);
    uint32_t *peers = peers_of(gossip, v);
    uint32_t at = gossip->degree[v];
    while (at > 0 && peers[at - 1] > u) {
        peers[at] = peers[at - 1];
        at--;
    }
    peers[at] = u;
    gossip->degree[v]++;
}

static void remove_peer(SimGossip *gossip, uint32_t v, uint32_t u)
{
    uint32_t *peers = peers_of(gossip, v);
    for (uint32_t i = 0; i < gossip->degree[v]; i++) {
        if (peers[i] != u) continue;
        memmove(&peers[i], &peers[i + 1], (gossip->degree[v] - i - 1) * sizeof(uint32_t));
        gossip->degree[v]--;
        return;
    }
    SIM_UNREACHABLE();
}

/* A GRAFT: the edge v - u, both ways. */
static void graft(SimGossip *gossip, uint32_t v, uint32_t u)
{
    SIM_ASSERT(v != u);
    SIM_ASSERT(!in_mesh(gossip, v, u));
    insert_peer(gossip, v, u);
    insert_peer(gossip, u, v);
}

static gboolean candidate(const SimGossip *gossip, uint32_t v, uint32_t u, uint32_t below)
{
    return u != v && gossip->member[u] && gossip->degree[u] < below && !in_mesh(gossip, v, u) &&
           host_up(gossip, u);
}

/* A random member that v may graft, of degree below `below`: a few draws, then a scan from a
 * random place. NO_VALIDATOR if there is none. */
static uint32_t pick_peer(const SimGossip *gossip, SimRng *rng, uint32_t v, uint32_t below)
{
    uint32_t n = gossip->validators;
    for (int i = 0; i < PICK_TRIES; i++) {
        uint32_t u = (uint32_t)sim_rng_below(rng, n);
        if (candidate(gossip, v, u, below)) return u;
    }
    uint32_t start = (uint32_t)sim_rng_below(rng, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t u = (start + i) % n;
        if (candidate(gossip, v, u, below)) return u;
    }
    return NO_VALIDATOR;
}

/* Grafts peers to v until it has mesh_n: peers below mesh_n first, then below mesh_n_high. */
static void fill(SimGossip *gossip, SimRng *rng, uint32_t v)
{
    const SimGossipConfig *c = &gossip->config;
    while (gossip->degree[v] < c->mesh_n) {
        uint32_t u = pick_peer(gossip, rng, v, c->mesh_n);
        if (u == NO_VALIDATOR) u = pick_peer(gossip, rng, v, c->mesh_n_high);
        if (u == NO_VALIDATOR) return;
        graft(gossip, v, u);
    }
}

/* Marks in `reached` the validators connected to `start` through the mesh (none of them marked
 * before); leaves them in queue[0 .. result). */
static uint32_t component(const SimGossip *gossip, uint32_t start, uint8_t *reached,
                          uint32_t *queue)
{
    uint32_t head = 0, tail = 0;
    queue[tail++] = start;
    reached[start] = 1;
    while (head < tail) {
        uint32_t v = queue[head++];
        const uint32_t *peers = peers_of(gossip, v);
        for (uint32_t i = 0; i < gossip->degree[v]; i++) {
            if (reached[peers[i]] != 0) continue;
            reached[peers[i]] = 1;
            queue[tail++] = peers[i];
        }
    }
    return tail;
}

/* The lowest of `members` (count of them) with room for one more peer, or NO_VALIDATOR. */
static uint32_t lowest_with_room(const SimGossip *gossip, const uint32_t *members, uint32_t count)
{
    uint32_t best = NO_VALIDATOR;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t v = members[i];
        if (gossip->degree[v] < gossip->config.mesh_n_high && v < best) best = v;
    }
    return best;
}

/* Joins every other component to validator 0's by one edge between the lowest ids with room
 * on each side (none is added if a side has no room: then the mesh stays split). */
static void connect_components(SimGossip *gossip)
{
    uint32_t n = gossip->validators;
    uint8_t *reached = g_new0(uint8_t, n);
    uint32_t *main_part = g_new(uint32_t, n), *part = g_new(uint32_t, n);
    uint32_t main_size = component(gossip, 0, reached, main_part);
    for (uint32_t v = 1; v < n; v++) {
        if (reached[v] != 0 || !gossip->member[v]) continue;
        uint32_t size = component(gossip, v, reached, part);
        uint32_t a = lowest_with_room(gossip, part, size);
        uint32_t b = lowest_with_room(gossip, main_part, main_size);
        if (a != NO_VALIDATOR && b != NO_VALIDATOR) graft(gossip, a, b);
        memcpy(&main_part[main_size], part, size * sizeof(uint32_t));
        main_size += size;
    }
    g_free(reached);
    g_free(main_part);
    g_free(part);
}

static void build_mesh(SimGossip *gossip)
{
    for (uint32_t v = 0; v < gossip->validators; v++)
        fill(gossip, &gossip->mesh_rng, v);
    connect_components(gossip);
}

/* --- the heartbeat --------------------------------------------------------------------------- */

/* Drops v from every mesh (a PRUNE of each of its edges, seen from both sides). */
static void leave(SimGossip *gossip, uint32_t v)
{
    const uint32_t *peers = peers_of(gossip, v);
    for (uint32_t i = 0; i < gossip->degree[v]; i++)
        remove_peer(gossip, peers[i], v);
    gossip->degree[v] = 0;
    gossip->member[v] = FALSE;
}

static void on_heartbeat(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine, (void)event;
    SimGossip *gossip = user_data;
    gossip->heartbeat_pending = FALSE;
    uint32_t n = gossip->validators;
    for (uint32_t v = 0; v < n; v++) {
        if (gossip->member[v] && (gossip->dropped[v] || !host_up(gossip, v))) leave(gossip, v);
        gossip->dropped[v] = FALSE;
    }
    for (uint32_t v = 0; v < n; v++) {
        if (!gossip->member[v] && host_up(gossip, v)) gossip->member[v] = TRUE;
    }
    for (uint32_t v = 0; v < n; v++) {
        if (gossip->member[v] && gossip->degree[v] < gossip->config.mesh_n_low) {
            fill(gossip, &gossip->heartbeat_rng, v);
        }
    }
}

/* Schedules the next heartbeat on the grid (strictly after now), unless one is due. */
static void heartbeat_soon(SimGossip *gossip)
{
    if (gossip->heartbeat_pending) return;
    SimTime now = sim_engine_now(gossip->engine);
    SimDuration period = gossip->config.heartbeat;
    SimTime next = sim_time_add((now / period) * period, period);
    sim_engine_schedule(gossip->engine, next, gossip->kind_heartbeat, 0, 0, NULL, 0);
    gossip->heartbeat_pending = TRUE;
}

void sim_gossip_host_down(SimGossip *gossip, uint32_t host)
{
    if (host >= gossip->validators) return;
    gossip->dropped[host] = TRUE;
    if (gossip->known[host] != NULL) g_array_set_size(gossip->known[host], 0); /* in memory */
    for (guint i = 0; i < gossip->seen->len; i++) {
        Seen *seen = g_ptr_array_index(gossip->seen, i);
        seen->first_seen[host] = SIM_TIME_NONE; /* its seen-cache was in memory */
    }
    heartbeat_soon(gossip);
}

void sim_gossip_host_up(SimGossip *gossip, uint32_t host)
{
    if (host >= gossip->validators) return;
    heartbeat_soon(gossip);
}

const uint32_t *sim_gossip_mesh(const SimGossip *gossip, uint32_t validator, size_t *count)
{
    SIM_ASSERT(validator < gossip->validators);
    *count = gossip->degree[validator];
    return peers_of(gossip, validator);
}

/* --- the seen-cache -------------------------------------------------------------------------- */

static void seen_free(gpointer data)
{
    Seen *seen = data;
    g_free(seen->first_seen);
    g_free(seen);
}

/* Drops the oldest records that every validator has forgotten by `now`. */
static void seen_expire(SimGossip *gossip, SimTime now)
{
    guint drop = 0;
    while (drop < gossip->seen->len) {
        const Seen *seen = g_ptr_array_index(gossip->seen, drop);
        if (sim_time_add(seen->last_sight, gossip->config.duplicate_cache) > now) break;
        drop++;
    }
    if (drop == 0) return;
    g_ptr_array_remove_range(gossip->seen, 0, drop);
    gossip->seen_base += drop;
}

/* A new message id, first seen by its publisher at `at`. */
static uint64_t seen_publish(SimGossip *gossip, uint32_t publisher, SimTime at)
{
    seen_expire(gossip, sim_engine_now(gossip->engine));
    Seen *seen = g_new(Seen, 1);
    seen->first_seen = g_new(SimTime, gossip->validators);
    for (uint32_t v = 0; v < gossip->validators; v++)
        seen->first_seen[v] = SIM_TIME_NONE;
    seen->first_seen[publisher] = at;
    seen->last_sight = at;
    g_ptr_array_add(gossip->seen, seen);
    return gossip->seen_base + gossip->seen->len - 1;
}

/* Whether v sees message `id` for the first time now, within duplicate_cache; records it. */
static gboolean seen_first(SimGossip *gossip, uint32_t v, uint64_t id, SimTime now)
{
    if (id < gossip->seen_base) return FALSE; /* every validator has forgotten it: too late */
    SIM_ASSERT(id - gossip->seen_base < gossip->seen->len);
    Seen *seen = g_ptr_array_index(gossip->seen, (guint)(id - gossip->seen_base));
    SimTime first = seen->first_seen[v];
    if (first != SIM_TIME_NONE && sim_time_add(first, gossip->config.duplicate_cache) > now) {
        return FALSE;
    }
    seen->first_seen[v] = now;
    seen->last_sight = sim_time_max(seen->last_sight, now);
    return TRUE;
}

/* --- sending --------------------------------------------------------------------------------- */

static void publish(SimGossip *gossip, SimTime ready, SimMessage *message)
{
    uint32_t v = sim_message_source(message);
    uint64_t word = route(OP_GOSSIP, seen_publish(gossip, v, ready));
    if (gossip->config.flood_publish) {
        for (uint32_t w = 0; w < gossip->validators; w++) {
            if (w == v || !gossip->member[w]) continue;
            sim_network_forward(gossip->network, v, ready, message, w, word, FALSE);
        }
        return;
    }
    const uint32_t *peers = peers_of(gossip, v);
    for (uint32_t i = 0; i < gossip->degree[v]; i++)
        sim_network_forward(gossip->network, v, ready, message, peers[i], word, FALSE);
}

static uint64_t mix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* How long a's Kademlia lookup of b takes: a round trip to each hop's peer. */
static SimDuration lookup_time(const SimGossip *gossip, uint32_t a, uint32_t b)
{
    uint64_t key = mix64(gossip->kademlia_key ^ (((uint64_t)a << 32) | b));
    SimDuration total = 0;
    for (uint32_t i = 0; i < gossip->config.kademlia_hops; i++) {
        uint32_t hop = (uint32_t)(mix64(key + i) % gossip->validators);
        total = sim_time_add(total, 2 * sim_network_base_latency(gossip->network, a, hop));
    }
    return total;
}

/* Where `peer` is in a's known peers (ascending), or where it would go; *found says which. */
static guint known_index(const GArray *known, uint32_t peer, gboolean *found)
{
    guint lo = 0, hi = known->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        uint32_t at = g_array_index(known, Known, mid).peer;
        if (at == peer) {
            *found = TRUE;
            return mid;
        }
        if (at < peer)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = FALSE;
    return lo;
}

/* From when a knows b's peer id: now if it did already, else once a lookup started at `ready`
 * ends (at most `ready` + lookup when `lookup`, else `ready`). */
static SimTime learn(SimGossip *gossip, uint32_t a, uint32_t b, SimTime ready, gboolean lookup)
{
    if (gossip->known[a] == NULL) gossip->known[a] = g_array_new(FALSE, FALSE, sizeof(Known));
    GArray *known = gossip->known[a];
    gboolean found;
    guint at = known_index(known, b, &found);
    if (found) {
        Known *k = &g_array_index(known, Known, at);
        if (!lookup) k->at = sim_time_min(k->at, ready);
        return k->at;
    }
    Known k = {b, lookup ? sim_time_add(ready, lookup_time(gossip, a, b)) : ready};
    g_array_insert_val(known, at, k);
    return k.at;
}

static void on_lookup(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimGossip *gossip = user_data;
    SimMessage *message = event->payload;
    /* A sender that crashed during the lookup lost the message with it, even if it is back. */
    if (sim_network_host(gossip->network, event->source)->incarnation == event->arg) {
        sim_network_forward(gossip->network, event->source, event->time, message, event->target,
                            route(OP_DIRECT, 0), FALSE);
    }
    sim_message_unref(message);
}

static void discard_lookup(void *payload, void *user_data)
{
    (void)user_data;
    sim_message_unref(payload);
}

static void direct(SimGossip *gossip, SimTime ready, SimMessage *message, uint32_t w)
{
    uint32_t v = sim_message_source(message);
    if (w == v || w >= gossip->validators) {
        sim_network_send(gossip->network, ready, message, w); /* itself, or an endpoint */
        return;
    }
    SimTime known = learn(gossip, v, w, ready, TRUE);
    if (known <= ready) {
        sim_network_forward(gossip->network, v, ready, message, w, route(OP_DIRECT, 0), FALSE);
        return;
    }
    /* Not on the uplink yet: the copy takes its slot when the lookup is over. */
    uint32_t incarnation = sim_network_host(gossip->network, v)->incarnation;
    sim_engine_schedule(gossip->engine, known, gossip->kind_lookup, w, v, sim_message_ref(message),
                        incarnation);
}

void sim_gossip_send(SimGossip *gossip, SimTime ready, SimMessage *message, const SimSend *send,
                     const uint32_t *targets, size_t count)
{
    SIM_ASSERT(sim_message_source(message) < gossip->validators);
    SIM_ASSERT(targets != NULL || count == 0);
    if (sim_gossip_publishes(gossip, send)) {
        publish(gossip, ready, message);
        return;
    }
    for (size_t i = 0; i < count; i++)
        direct(gossip, ready, message, targets[i]);
}

gboolean sim_gossip_publishes(const SimGossip *gossip, const SimSend *send)
{
    return send->cls == SIM_SEND_BROADCAST ||
           (gossip->config.test_gossip_vid && send->primary_only);
}

/* --- receiving ------------------------------------------------------------------------------- */

void sim_gossip_route(SimGossip *gossip, uint32_t host, const SimMessage *message, uint32_t from,
                      uint64_t word, SimTime now)
{
    SIM_ASSERT(host < gossip->validators);
    unsigned op = (unsigned)(word >> ID_BITS) & 0xff;
    uint64_t id = word & ((UINT64_C(1) << ID_BITS) - 1);
    if (op == OP_DIRECT) {
        learn(gossip, host, from, now, FALSE); /* it answers on the connection it came on */
        gossip->deliver.fn(gossip->network, host, message, now, gossip->deliver.data);
        return;
    }
    SIM_ASSERT(op == OP_GOSSIP);
    if (!seen_first(gossip, host, id, now)) {
        gossip->stats->duplicates++;
        return;
    }
    uint32_t origin = sim_message_source(message);
    const uint32_t *peers = peers_of(gossip, host);
    for (uint32_t i = 0; i < gossip->degree[host]; i++) {
        if (peers[i] == from || peers[i] == origin) continue;
        sim_network_forward(gossip->network, host, now, (SimMessage *)message, peers[i],
                            route(OP_GOSSIP, id), FALSE);
        gossip->stats->relayed++;
    }
    gossip->deliver.fn(gossip->network, host, message, now, gossip->deliver.data);
}

/* --- life ------------------------------------------------------------------------------------ */

SimGossip *sim_gossip_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                          SimTransportStats *stats)
{
    const SimGossipConfig *c = &setup->gossip;
    SIM_ASSERT(c->mesh_n_low <= c->mesh_n);
    SIM_ASSERT(c->mesh_n <= c->mesh_n_high);
    SIM_ASSERT(c->mesh_n_high > 0 && c->heartbeat > 0);
    SIM_ASSERT(setup->validators > 0 && setup->validators <= sim_network_host_count(network));
    SimGossip *gossip = g_new0(SimGossip, 1);
    uint32_t n = setup->validators;
    gossip->network = network;
    gossip->engine = sim_network_engine(network);
    gossip->config = *c;
    gossip->deliver = deliver;
    gossip->stats = stats;
    gossip->validators = n;
    gossip->mesh = g_new(uint32_t, (size_t)n * c->mesh_n_high);
    gossip->degree = g_new0(uint32_t, n);
    gossip->member = g_new(gboolean, n);
    gossip->dropped = g_new0(gboolean, n);
    gossip->known = g_new0(GArray *, n);
    gossip->seen = g_ptr_array_new_with_free_func(seen_free);
    for (uint32_t v = 0; v < n; v++)
        gossip->member[v] = host_up(gossip, v);
    sim_rng_init(&gossip->mesh_rng, setup->rng_algorithm, setup->seed, "gossip.mesh", 0);
    sim_rng_init(&gossip->heartbeat_rng, setup->rng_algorithm, setup->seed, "gossip.heartbeat", 0);
    gossip->kademlia_key = sim_rng_derive_seed(setup->seed, "gossip.kademlia", 0);
    gossip->kind_heartbeat = sim_engine_register(gossip->engine, "gossip.heartbeat", on_heartbeat,
                                                 NULL, gossip, SIM_KIND_DIGEST);
    gossip->kind_lookup = sim_engine_register(gossip->engine, "gossip.lookup", on_lookup,
                                              discard_lookup, gossip, SIM_KIND_DIGEST);
    build_mesh(gossip);
    return gossip;
}

void sim_gossip_free(SimGossip *gossip)
{
    if (gossip == NULL) return;
    for (uint32_t v = 0; v < gossip->validators; v++) {
        if (gossip->known[v] != NULL) g_array_unref(gossip->known[v]);
    }
    g_ptr_array_unref(gossip->seen);
    sim_rng_clear(&gossip->mesh_rng);
    sim_rng_clear(&gossip->heartbeat_rng);
    g_free(gossip->known);
    g_free(gossip->mesh);
    g_free(gossip->degree);
    g_free(gossip->member);
    g_free(gossip->dropped);
    g_free(gossip);
}
