/*
 * The combined network: Push-CDN first, libp2p as the fallback; see combined.h.
 *
 * The duplicate cache of a validator is a hash table of its entries (keyed by the digest, for
 * lookup only: nothing iterates it) and a queue of the same entries in put order, oldest at the
 * head; an entry's queue link is embedded in it, so a put that finds an entry moves it to the
 * tail in O(1) and a put past capacity drops the head.
 */
#include "sim/net/combined.h"

#include "sim/core/assert.h"

#include <string.h>

/* One validator's opinion of the primary network (HotShot's CombinedNetworks fields). */
typedef struct Primary {
    uint64_t fail_counter;     /* primary_fail_counter */
    uint64_t no_delay_counter; /* undelayed secondary sends while down */
    gboolean down;             /* primary_down */
} Primary;

typedef struct Seen {
    uint8_t digest[SIM_MESSAGE_DIGEST_BYTES];
    GList link; /* in the cache's queue; link.data is the entry */
} Seen;

typedef struct Cache {
    GHashTable *table; /* Seen * -> itself */
    GQueue order;      /* oldest put first */
} Cache;

/* A libp2p copy waiting for the delay-by-view check. */
typedef struct Delayed {
    SimMessage *message; /* a reference of its own */
    SimSend send;
    uint32_t incarnation; /* the sender's when it sent it */
    size_t count;
    uint32_t targets[]; /* the libp2p targets */
} Delayed;

struct SimCombined {
    SimNetwork *network;
    SimEngine *engine;
    SimCombinedConfig config;
    SimDeliver deliver;
    SimTransportStats *stats;
    SimViewFn view_of;
    void *view_data;
    uint32_t validators;
    SimCdn *cdn;
    SimGossip *gossip;
    Primary *primary; /* per validator */
    Cache *cache;     /* per validator */
    uint16_t kind_delay;
};

/* --- the duplicate cache --------------------------------------------------------------------- */

static guint seen_hash(gconstpointer key)
{
    const Seen *seen = key;
    guint hash = 0;
    memcpy(&hash, seen->digest, sizeof hash); /* the digest is a hash already */
    return hash;
}

static gboolean seen_equal(gconstpointer a, gconstpointer b)
{
    const Seen *x = a, *y = b;
    return memcmp(x->digest, y->digest, sizeof x->digest) == 0;
}

static void cache_init(Cache *cache)
{
    cache->table = g_hash_table_new(seen_hash, seen_equal);
    g_queue_init(&cache->order);
}

/* Empties the cache (its table stays). */
static void cache_clear(Cache *cache)
{
    g_hash_table_remove_all(cache->table);
    GList *link;
    while ((link = g_queue_pop_head_link(&cache->order)) != NULL)
        g_free(link->data);
    SIM_ASSERT(g_hash_table_size(cache->table) == 0);
}

/* LruCache::put: TRUE if `digest` was not in the cache (it is now, newest). */
static gboolean cache_put(Cache *cache, const uint8_t *digest, uint32_t capacity)
{
    SIM_ASSERT(capacity > 0);
    Seen probe;
    memcpy(probe.digest, digest, sizeof probe.digest);
    Seen *found = g_hash_table_lookup(cache->table, &probe);
    if (found != NULL) {
        g_queue_unlink(&cache->order, &found->link);
        g_queue_push_tail_link(&cache->order, &found->link);
        return FALSE;
    }
    if (cache->order.length >= capacity) {
        Seen *oldest = g_queue_pop_head_link(&cache->order)->data;
        gboolean removed = g_hash_table_remove(cache->table, oldest);
        SIM_ASSERT(removed);
        g_free(oldest);
    }
    Seen *seen = g_new0(Seen, 1);
    memcpy(seen->digest, digest, sizeof seen->digest);
    seen->link.data = seen;
    g_hash_table_add(cache->table, seen);
    g_queue_push_tail_link(&cache->order, &seen->link);
    SIM_ASSERT(cache->order.length <= capacity);
    return TRUE;
}

/* Both sub-networks deliver here. */
static void on_receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                       void *user_data)
{
    SimCombined *combined = user_data;
    SIM_ASSERT(host < combined->validators);
    if (!cache_put(&combined->cache[host], sim_message_digest(message),
                   combined->config.dedup_capacity)) {
        combined->stats->duplicates++;
        return;
    }
    combined->deliver.fn(network, host, message, now, combined->deliver.data);
}

/* --- sending --------------------------------------------------------------------------------- */

/* The libp2p copy: to the validators among `targets` but the sender (a broadcast ignores them;
 * the CDN carried the copies to the sender and to endpoints). */
static void secondary(SimCombined *combined, SimTime ready, SimMessage *message,
                      const SimSend *send, const uint32_t *targets, size_t count)
{
    combined->stats->libp2p_sends++;
    sim_gossip_send(combined->gossip, ready, message, send, targets, count);
}

/* Copies the validator targets but the sender into a new array; their number in `kept`. */
static uint32_t *peer_targets(const SimCombined *combined, uint32_t sender, const uint32_t *targets,
                              size_t count, size_t *kept)
{
    uint32_t *peers = g_new(uint32_t, count > 0 ? count : 1);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (targets[i] != sender && targets[i] < combined->validators) peers[n++] = targets[i];
    }
    *kept = n;
    return peers;
}

static void delay_secondary(SimCombined *combined, SimTime ready, SimMessage *message,
                            const SimSend *send, const uint32_t *peers, size_t count)
{
    uint32_t v = sim_message_source(message);
    Delayed *d = g_malloc(sizeof *d + sizeof(uint32_t) * count);
    d->message = sim_message_ref(message);
    d->send = *send;
    d->incarnation = sim_network_host(combined->network, v)->incarnation;
    d->count = count;
    if (count > 0) memcpy(d->targets, peers, sizeof(uint32_t) * count);
    sim_engine_schedule(combined->engine, sim_time_add(ready, combined->config.delay),
                        combined->kind_delay, v, v, d, 0);
}

/* The undelayed branch while the primary is down: every reprobe_every + 1 sends, probe it. */
static void count_undelayed(SimCombined *combined, Primary *p)
{
    if (!p->down) return;
    if (p->no_delay_counter < combined->config.reprobe_every) {
        p->no_delay_counter++;
        return;
    }
    p->no_delay_counter = 0;
    p->down = FALSE;
    p->fail_counter = combined->config.failures_max;
    combined->stats->cdn_up++;
}

void sim_combined_send(SimCombined *combined, SimTime ready, SimMessage *message,
                       const SimSend *send, const uint32_t *targets, size_t count)
{
    uint32_t v = sim_message_source(message);
    SIM_ASSERT(v < combined->validators);
    SIM_ASSERT(targets != NULL || count == 0);
    if (send->primary_only) {
        (void)sim_cdn_send(combined->cdn, ready, message, send, targets, count);
        return;
    }
    Primary *p = &combined->primary[v];
    gboolean failed = p->down;
    if (!p->down && p->fail_counter > combined->config.failures_max) {
        p->down = TRUE;
        combined->stats->cdn_down++;
        failed = TRUE;
    }
    if (!sim_cdn_send(combined->cdn, ready, message, send, targets, count)) {
        p->fail_counter++;
        failed = TRUE;
    }
    size_t kept = 0;
    uint32_t *peers = peer_targets(combined, v, targets, count, &kept);
    if (send->delay_by_view && send->cls != SIM_SEND_DIRECT && !failed) {
        delay_secondary(combined, ready, message, send, peers, kept);
    } else {
        count_undelayed(combined, p);
        if (send->cls == SIM_SEND_BROADCAST || kept > 0) {
            secondary(combined, ready, message, send, peers, kept);
        }
    }
    g_free(peers);
}

uint64_t sim_combined_libp2p_copies(const SimCombined *combined, uint32_t source,
                                    const SimSend *send, const uint32_t *targets, size_t count)
{
    SIM_ASSERT(source < combined->validators);
    SIM_ASSERT(targets != NULL || count == 0);
    if (send->primary_only) return 0;
    const Primary *p = &combined->primary[source];
    gboolean failed = p->down || p->fail_counter > combined->config.failures_max ||
                      !sim_cdn_connected(combined->cdn, source);
    if (send->delay_by_view && send->cls != SIM_SEND_DIRECT && !failed) return 0;
    if (send->cls == SIM_SEND_BROADCAST) return combined->validators - 1;
    uint64_t copies = 0;
    for (size_t i = 0; i < count; i++) {
        if (targets[i] != source && targets[i] < combined->validators) copies++;
    }
    return copies;
}

/* The delay is over: the view decides whether the CDN did its job. */
static void on_delay(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine;
    SimCombined *combined = user_data;
    Delayed *d = event->payload;
    uint32_t v = event->source;
    SIM_ASSERT(v < combined->validators);
    const SimHost *host = sim_network_host(combined->network, v);
    if (host->status == SIM_HOST_UP && host->incarnation == d->incarnation) {
        Primary *p = &combined->primary[v];
        gboolean advanced =
            combined->view_of != NULL && combined->view_of(combined->view_data, v) > d->send.view;
        if (advanced) {
            combined->stats->delayed_cancelled++;
            if (p->fail_counter > 0) {
                p->fail_counter--;
            } else if (p->down) {
                p->down = FALSE;
                combined->stats->cdn_up++;
            }
        } else {
            p->fail_counter++;
            if (d->send.cls == SIM_SEND_BROADCAST || d->count > 0) {
                secondary(combined, event->time, d->message, &d->send, d->targets, d->count);
            }
        }
    }
    sim_message_unref(d->message);
    g_free(d);
}

static void discard_delay(void *payload, void *user_data)
{
    (void)user_data;
    Delayed *d = payload;
    sim_message_unref(d->message);
    g_free(d);
}

/* --- life ------------------------------------------------------------------------------------ */

uint32_t sim_combined_relay_count(const SimRelaySetup *setup)
{
    return sim_cdn_relay_count(&setup->cdn);
}

SimCombined *sim_combined_new(SimNetwork *network, const SimRelaySetup *setup, SimDeliver deliver,
                              SimTransportStats *stats, GError **error)
{
    const SimCombinedConfig *config = &setup->combined;
    SIM_ASSERT(config->failures_max > 0 && config->reprobe_every > 0);
    SIM_ASSERT(config->dedup_capacity > 0);
    SimCombined *combined = g_new0(SimCombined, 1);
    SimDeliver filter = {on_receive, combined};
    combined->cdn = sim_cdn_new(network, setup, filter, stats, error);
    if (combined->cdn == NULL) {
        g_free(combined);
        return NULL;
    }
    combined->gossip = sim_gossip_new(network, setup, filter, stats);
    combined->network = network;
    combined->engine = sim_network_engine(network);
    combined->config = *config;
    combined->deliver = deliver;
    combined->stats = stats;
    combined->view_of = setup->view_of;
    combined->view_data = setup->view_data;
    combined->validators = setup->validators;
    combined->primary = g_new0(Primary, setup->validators);
    combined->cache = g_new(Cache, setup->validators);
    for (uint32_t v = 0; v < setup->validators; v++)
        cache_init(&combined->cache[v]);
    combined->kind_delay = sim_engine_register(combined->engine, "combined.delay", on_delay,
                                               discard_delay, combined, SIM_KIND_DIGEST);
    return combined;
}

void sim_combined_free(SimCombined *combined)
{
    if (combined == NULL) return;
    for (uint32_t v = 0; v < combined->validators; v++) {
        cache_clear(&combined->cache[v]);
        g_hash_table_unref(combined->cache[v].table);
    }
    sim_cdn_free(combined->cdn);
    sim_gossip_free(combined->gossip);
    g_free(combined->cache);
    g_free(combined->primary);
    g_free(combined);
}

SimCdn *sim_combined_cdn(const SimCombined *combined)
{
    return combined->cdn;
}

SimGossip *sim_combined_gossip(const SimCombined *combined)
{
    return combined->gossip;
}

void sim_combined_host_down(SimCombined *combined, uint32_t host)
{
    sim_cdn_host_down(combined->cdn, host);
    sim_gossip_host_down(combined->gossip, host);
    if (host >= combined->validators) return;
    combined->primary[host] = (Primary){0};
    cache_clear(&combined->cache[host]);
}

void sim_combined_host_up(SimCombined *combined, uint32_t host)
{
    sim_cdn_host_up(combined->cdn, host);
    sim_gossip_host_up(combined->gossip, host);
}

gboolean sim_combined_primary_down(const SimCombined *combined, uint32_t validator)
{
    SIM_ASSERT(validator < combined->validators);
    return combined->primary[validator].down;
}

uint64_t sim_combined_fail_counter(const SimCombined *combined, uint32_t validator)
{
    SIM_ASSERT(validator < combined->validators);
    return combined->primary[validator].fail_counter;
}
