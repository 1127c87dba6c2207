/*
 * The libp2p transport (sim/net/gossip.h) through sim/net/transport.h: the gossipsub mesh (its
 * degrees, connectivity and determinism), flood-published broadcasts that reach every live
 * validator once with duplicates filtered, mesh repair at the heartbeat after crashes,
 * partitions, DA broadcasts as directs, and the Kademlia lookup before a first direct.
 */
#include "sim/net/transport.h"

#include "sim/core/units.h"

#include "tests/check_main.h"

#include <string.h>

static const char *const regions_used[] = {"us-east-1", "eu-west-1", "ap-northeast-1", "sa-east-1"};

typedef struct Fixture {
    uint32_t n;
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    SimTransport *transport;
    uint16_t type;
    uint32_t *received;       /* copies each validator's protocol got through the transport */
    uint32_t *received_plain; /* copies that came host to host */
    SimTime *arrived;         /* when each validator's protocol got its last copy */
    gboolean *da_member;
    uint16_t kind_tick;
} Fixture;

static void deliver(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    (void)network, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, f->n);
    f->received[host]++;
    f->arrived[host] = now;
}

static void plain(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                  void *user_data)
{
    (void)network, (void)now, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, f->n);
    f->received_plain[host]++;
}

static void on_tick(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)engine, (void)event, (void)user_data;
}

/* n validators round robin over four regions, the first `da_members` in the DA committee. */
static void setup_mesh(Fixture *f, uint32_t n, uint64_t seed, uint32_t da_members,
                       gboolean flood_publish, uint32_t mesh_n, uint32_t low, uint32_t high)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->received = g_new0(uint32_t, n);
    f->received_plain = g_new0(uint32_t, n);
    f->arrived = g_new0(SimTime, n);
    f->da_member = g_new0(gboolean, n);
    GError *error = NULL;
    f->regions = sim_regions_new_default(&error);
    ck_assert_ptr_nonnull(f->regions);
    f->engine = sim_engine_new(seed, 100000);
    f->kind_tick = sim_engine_register(f->engine, "test.tick", on_tick, NULL, NULL, 0);
    SimNetworkConfig config = {.seed = seed,
                               .rng_algorithm = sim_rng_xoshiro256ss,
                               .regions = f->regions,
                               .jitter = SIM_DIST_NONE_INIT,
                               .retransmit_timeout = 200 * SIM_MS};
    SimRelaySetup relay = {.kind = SIM_TRANSPORT_LIBP2P,
                           .seed = seed,
                           .rng_algorithm = sim_rng_xoshiro256ss,
                           .regions = f->regions,
                           .validators = n,
                           .first_relay = n};
    sim_transport_defaults(&relay);
    relay.gossip.flood_publish = flood_publish;
    if (mesh_n > 0) {
        relay.gossip.mesh_n = mesh_n;
        relay.gossip.mesh_n_low = low;
        relay.gossip.mesh_n_high = high;
    }
    for (uint32_t i = 0; i < da_members; i++)
        f->da_member[i] = TRUE;
    relay.da_member = da_members > 0 ? f->da_member : NULL;
    ck_assert_uint_eq(sim_transport_relay_count(&relay), 0);
    f->network = sim_network_new(f->engine, &config, n);
    f->type = sim_network_register_type(f->network, "a");
    sim_network_set_handlers(f->network, plain, NULL, f);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t region = 0;
        ck_assert(sim_regions_lookup(f->regions, regions_used[i % 4], &region));
        SimHostConfig host = {region, 1000000000, 1000000000, 1, 0};
        sim_network_host_configure(f->network, i, &host);
    }
    f->transport = sim_transport_new(f->network, &relay, deliver, f, &error);
    ck_assert_ptr_nonnull(f->transport);
}

/* With HotShot's mesh bounds. */
static void setup_with(Fixture *f, uint32_t n, uint64_t seed, uint32_t da_members,
                       gboolean flood_publish)
{
    setup_mesh(f, n, seed, da_members, flood_publish, 0, 0, 0);
}

static void setup(Fixture *f, uint32_t n, uint64_t seed)
{
    setup_with(f, n, seed, 0, TRUE);
}

static void teardown(Fixture *f)
{
    sim_engine_free(f->engine);
    sim_transport_free(f->transport);
    sim_network_free(f->network);
    sim_regions_free(f->regions);
    g_free(f->received);
    g_free(f->received_plain);
    g_free(f->arrived);
    g_free(f->da_member);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

static void send(Fixture *f, SimTime ready, uint32_t source, SimSendClass cls,
                 const uint32_t *targets, size_t count)
{
    GBytes *bytes = g_bytes_new("payload", 7);
    SimMessage *message = sim_message_new(source, f->type, bytes, 1000);
    SimSend how = {.cls = cls};
    sim_transport_send(f->transport, ready, message, &how, targets, count);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

/* Runs until `end`, and the clock reads `end` then. */
static void run_until(Fixture *f, SimTime end)
{
    sim_engine_schedule(f->engine, end, f->kind_tick, 0, 0, NULL, 0);
    SimEngineLimits limits = {end, 0};
    sim_engine_run(f->engine, &limits);
    ck_assert_uint_eq(sim_engine_now(f->engine), end);
}

static void run_all(Fixture *f)
{
    SimEngineLimits limits = {SIM_TIME_NONE, 0};
    sim_engine_run(f->engine, &limits);
}

static void crash(Fixture *f, uint32_t v)
{
    sim_network_host_crash(f->network, v);
    sim_transport_host_down(f->transport, v);
}

static gboolean up(const Fixture *f, uint32_t v)
{
    return sim_network_host(f->network, v)->status == SIM_HOST_UP;
}

/* Every live validator's mesh degree is within the bounds, the mesh is symmetric, holds no
 * down validator, and (over the live ones) is connected. Returns how many were reached. */
static uint32_t check_mesh(const Fixture *f, gboolean connected)
{
    uint8_t *reached = g_new0(uint8_t, f->n);
    uint32_t *queue = g_new(uint32_t, f->n);
    uint32_t head = 0, tail = 0, start = 0, live = 0;
    while (!up(f, start))
        start++;
    for (uint32_t v = 0; v < f->n; v++) {
        size_t count = 0;
        const uint32_t *peers = sim_transport_mesh(f->transport, v, &count);
        if (!up(f, v)) {
            ck_assert_uint_eq(count, 0);
            continue;
        }
        live++;
        ck_assert_uint_ge(count, MIN(6, f->n - 1));
        ck_assert_uint_le(count, 12);
        for (size_t i = 0; i < count; i++) {
            ck_assert(up(f, peers[i]));
            ck_assert_uint_ne(peers[i], v);
            if (i > 0) ck_assert_uint_gt(peers[i], peers[i - 1]);
            size_t back = 0;
            const uint32_t *theirs = sim_transport_mesh(f->transport, peers[i], &back);
            gboolean found = FALSE;
            for (size_t j = 0; j < back; j++)
                found = found || theirs[j] == v;
            ck_assert(found);
        }
    }
    queue[tail++] = start;
    reached[start] = 1;
    while (head < tail) {
        size_t count = 0;
        const uint32_t *peers = sim_transport_mesh(f->transport, queue[head++], &count);
        for (size_t i = 0; i < count; i++) {
            if (reached[peers[i]]) continue;
            reached[peers[i]] = 1;
            queue[tail++] = peers[i];
        }
    }
    if (connected) ck_assert_uint_eq(tail, live);
    g_free(reached);
    g_free(queue);
    return tail;
}

static void mesh_bounds_and_connected(uint32_t n)
{
    Fixture f;
    setup(&f, n, 7);
    check_mesh(&f, TRUE);
    teardown(&f);
}

START_TEST(mesh_degrees_within_bounds_and_connected_at_10)
{
    mesh_bounds_and_connected(10);
}
END_TEST

START_TEST(mesh_degrees_within_bounds_and_connected_at_100)
{
    mesh_bounds_and_connected(100);
}
END_TEST

START_TEST(mesh_degrees_within_bounds_and_connected_at_1000)
{
    mesh_bounds_and_connected(1000);
}
END_TEST

START_TEST(tiny_network_is_a_full_mesh)
{
    Fixture f;
    setup(&f, 4, 1);
    for (uint32_t v = 0; v < 4; v++) {
        size_t count = 0;
        sim_transport_mesh(f.transport, v, &count);
        ck_assert_uint_eq(count, 3);
    }
    teardown(&f);
}
END_TEST

/* With one peer each the random mesh is nearly a matching, many components: they are joined
 * into one without going above mesh_n_high. */
START_TEST(a_sparse_mesh_is_joined_into_one_component)
{
    Fixture f;
    setup_mesh(&f, 100, 1, 0, FALSE, 1, 1, 2);
    uint32_t edges = 0;
    for (uint32_t v = 0; v < f.n; v++) {
        size_t count = 0;
        sim_transport_mesh(f.transport, v, &count);
        ck_assert_uint_ge(count, 1);
        ck_assert_uint_le(count, 2);
        edges += (uint32_t)count;
    }
    ck_assert_uint_ge(edges / 2, f.n - 1);       /* a connected graph has at least n - 1 edges */
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0); /* mesh only: it reaches everyone */
    run_all(&f);
    for (uint32_t v = 1; v < f.n; v++)
        ck_assert_uint_eq(f.received[v], 1);
    teardown(&f);
}
END_TEST

/* Whether the two transports' meshes are the same. */
static gboolean same_mesh(const Fixture *a, const Fixture *b)
{
    for (uint32_t v = 0; v < a->n; v++) {
        size_t ca = 0, cb = 0;
        const uint32_t *pa = sim_transport_mesh(a->transport, v, &ca);
        const uint32_t *pb = sim_transport_mesh(b->transport, v, &cb);
        if (ca != cb || memcmp(pa, pb, ca * sizeof(uint32_t)) != 0) return FALSE;
    }
    return TRUE;
}

START_TEST(same_seed_same_mesh_other_seed_other_mesh)
{
    Fixture a, b, c;
    setup(&a, 100, 11);
    setup(&b, 100, 11);
    setup(&c, 100, 12);
    ck_assert(same_mesh(&a, &b));
    ck_assert(!same_mesh(&a, &c));
    teardown(&a);
    teardown(&b);
    teardown(&c);
}
END_TEST

START_TEST(broadcast_reaches_every_validator_once_and_filters_duplicates)
{
    Fixture f;
    setup(&f, 100, 3);
    send(&f, 0, 5, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 0; v < f.n; v++) {
        ck_assert_uint_eq(f.received[v], v == 5 ? 0 : 1);
        ck_assert_uint_eq(f.received_plain[v], 0);
    }
    const SimTransportStats *stats = sim_transport_stats(f.transport);
    ck_assert_uint_gt(stats->duplicates, 0);
    ck_assert_uint_gt(stats->relayed, 0);
    /* Flood publish: the publisher's uplink carries one copy per other validator; every copy
     * that arrived is either the first one (99) or a duplicate. */
    const SimTypeCounters *sent = sim_network_counters(f.network, 5, f.type);
    ck_assert_uint_eq(sent->msgs_sent, f.n - 1);
    uint64_t arrived = sim_network_stats(f.network)->copies_delivered;
    ck_assert_uint_eq(arrived, (f.n - 1) + stats->duplicates);
    ck_assert_uint_eq(sim_network_stats(f.network)->copies_sent, (f.n - 1) + stats->relayed);
    teardown(&f);
}
END_TEST

START_TEST(without_flood_publish_the_mesh_carries_it_to_everyone)
{
    Fixture f;
    setup_with(&f, 100, 3, 0, FALSE);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 1; v < f.n; v++)
        ck_assert_uint_eq(f.received[v], 1);
    size_t mesh = 0;
    sim_transport_mesh(f.transport, 0, &mesh);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type)->msgs_sent, mesh);
    ck_assert_uint_gt(sim_transport_stats(f.transport)->duplicates, 0);
    teardown(&f);
}
END_TEST

/* Crashes `count` of validator x's mesh peers; returns x's degree before. */
static size_t crash_peers_of(Fixture *f, uint32_t x, size_t count)
{
    size_t degree = 0;
    const uint32_t *peers = sim_transport_mesh(f->transport, x, &degree);
    uint32_t victims[16];
    ck_assert_uint_le(count, degree);
    memcpy(victims, peers, count * sizeof(uint32_t));
    for (size_t i = 0; i < count; i++)
        crash(f, victims[i]);
    return degree;
}

START_TEST(crashed_validators_leave_the_meshes_at_the_next_heartbeat)
{
    Fixture f;
    setup_with(&f, 100, 5, 0, FALSE);
    uint32_t x = 17;
    run_until(&f, 1500 * SIM_MS);
    size_t before = crash_peers_of(&f, x, 3); /* at 1.5 s: x falls below mesh_n_low */
    size_t degree = 0;
    sim_transport_mesh(f.transport, x, &degree);
    ck_assert_uint_eq(degree, before); /* nothing changes until the heartbeat */
    run_until(&f, 1999 * SIM_MS);
    sim_transport_mesh(f.transport, x, &degree);
    ck_assert_uint_eq(degree, before);
    run_until(&f, 2 * SIM_S + 1);
    check_mesh(&f, TRUE);
    sim_transport_mesh(f.transport, x, &degree);
    ck_assert_uint_ge(degree, 8); /* grafted back up to mesh_n */
    /* Without flood publish, the repaired mesh reaches every live validator once. */
    send(&f, sim_engine_now(f.engine), x, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 0; v < f.n; v++)
        ck_assert_uint_eq(f.received[v], v == x || !up(&f, v) ? 0 : 1);
    teardown(&f);
}
END_TEST

START_TEST(a_restarted_validator_rejoins_at_the_next_heartbeat)
{
    Fixture f;
    setup(&f, 50, 9);
    crash(&f, 3);
    run_until(&f, 1 * SIM_S + 1);
    size_t degree = 0;
    sim_transport_mesh(f.transport, 3, &degree);
    ck_assert_uint_eq(degree, 0);
    sim_network_host_restart(f.network, 3);
    sim_transport_host_up(f.transport, 3);
    run_until(&f, 2 * SIM_S + 1);
    sim_transport_mesh(f.transport, 3, &degree);
    ck_assert_uint_eq(degree, 8);
    check_mesh(&f, TRUE);
    send(&f, sim_engine_now(f.engine), 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 1; v < f.n; v++)
        ck_assert_uint_eq(f.received[v], 1);
    teardown(&f);
}
END_TEST

START_TEST(a_broadcast_after_crashes_reaches_every_live_validator)
{
    Fixture f;
    setup(&f, 100, 5);
    for (uint32_t v = 10; v < 100; v += 9)
        crash(&f, v);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0); /* before the heartbeat: meshes hold the dead */
    run_until(&f, 1500 * SIM_MS);
    check_mesh(&f, TRUE);
    send(&f, sim_engine_now(f.engine), 1, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 0; v < f.n; v++) {
        uint32_t expected = !up(&f, v) ? 0 : v == 0 || v == 1 ? 1 : 2;
        ck_assert_uint_eq(f.received[v], expected);
    }
    teardown(&f);
}
END_TEST

START_TEST(a_partition_between_halves_stops_delivery_across_it)
{
    Fixture f;
    setup(&f, 100, 2);
    SimNodeSet a, b;
    sim_node_set_init(&a, f.n);
    sim_node_set_init(&b, f.n);
    for (uint32_t v = 0; v < f.n; v++)
        sim_node_set_add(v < 50 ? &a : &b, v);
    sim_network_add_cut(f.network, &a, &b, FALSE, 0, SIM_TIME_NONE, SIM_CUT_DROP);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    send(&f, 0, 70, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 0; v < f.n; v++)
        ck_assert_uint_eq(f.received[v], v == 0 || v == 70 ? 0 : 1);
    ck_assert_uint_gt(sim_network_stats(f.network)->dropped_cut, 0);
    sim_node_set_clear(&a);
    sim_node_set_clear(&b);
    teardown(&f);
}
END_TEST

START_TEST(da_broadcast_is_one_direct_per_member)
{
    Fixture f;
    setup_with(&f, 20, 4, 5, TRUE);
    uint32_t committee[] = {0, 1, 2, 3, 4};
    send(&f, 0, 2, SIM_SEND_DA_BROADCAST, committee, 5);
    run_all(&f);
    for (uint32_t v = 0; v < f.n; v++) {
        ck_assert_uint_eq(f.received[v], v < 5 && v != 2 ? 1 : 0);
        ck_assert_uint_eq(f.received_plain[v], v == 2 ? 1 : 0); /* its own copy, locally */
    }
    ck_assert_uint_eq(sim_network_counters(f.network, 2, f.type)->msgs_sent, 4);
    ck_assert_uint_eq(sim_transport_stats(f.transport)->relayed, 0);
    teardown(&f);
}
END_TEST

/* How long a direct from 0 to `to` takes, sent now. */
static SimDuration direct_time(Fixture *f, uint32_t to)
{
    uint32_t before = f->received[to];
    SimTime start = sim_engine_now(f->engine);
    send(f, start, 0, SIM_SEND_DIRECT, &to, 1);
    run_all(f);
    ck_assert_uint_eq(f->received[to], before + 1);
    return sim_time_since(f->arrived[to], start);
}

START_TEST(first_direct_waits_for_a_kademlia_lookup)
{
    Fixture f;
    setup(&f, 40, 6);
    uint32_t to = 13;
    SimDuration first = direct_time(&f, to);
    SimDuration second = direct_time(&f, to);
    /* The second goes straight: its transmission and one-way delay only. */
    SimDuration one_way = sim_network_base_latency(f.network, 0, to);
    ck_assert_uint_ge(second, one_way);
    ck_assert_uint_lt(second, one_way + 1 * SIM_MS);
    /* The first paid three round trips to hop peers (each at least the intra-region RTT). */
    ck_assert_uint_gt(first, second + 3 * sim_network_base_latency(f.network, 0, 0));
    /* The recipient learnt the sender from the connection: its answer goes straight too. */
    GBytes *bytes = g_bytes_new("reply", 5);
    SimMessage *reply = sim_message_new(to, f.type, bytes, 1000);
    SimSend how = {.cls = SIM_SEND_DIRECT};
    uint32_t zero = 0;
    SimTime start = sim_engine_now(f.engine);
    sim_transport_send(f.transport, start, reply, &how, &zero, 1);
    sim_message_unref(reply);
    g_bytes_unref(bytes);
    run_all(&f);
    ck_assert_uint_eq(f.received[0], 1);
    ck_assert_uint_eq(f.received[to], 2);
    teardown(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("gossip");
    TCase *tc = tcase_create("libp2p");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, mesh_degrees_within_bounds_and_connected_at_10);
    tcase_add_test(tc, mesh_degrees_within_bounds_and_connected_at_100);
    tcase_add_test(tc, mesh_degrees_within_bounds_and_connected_at_1000);
    tcase_add_test(tc, tiny_network_is_a_full_mesh);
    tcase_add_test(tc, a_sparse_mesh_is_joined_into_one_component);
    tcase_add_test(tc, same_seed_same_mesh_other_seed_other_mesh);
    tcase_add_test(tc, broadcast_reaches_every_validator_once_and_filters_duplicates);
    tcase_add_test(tc, without_flood_publish_the_mesh_carries_it_to_everyone);
    tcase_add_test(tc, crashed_validators_leave_the_meshes_at_the_next_heartbeat);
    tcase_add_test(tc, a_restarted_validator_rejoins_at_the_next_heartbeat);
    tcase_add_test(tc, a_broadcast_after_crashes_reaches_every_live_validator);
    tcase_add_test(tc, a_partition_between_halves_stops_delivery_across_it);
    tcase_add_test(tc, da_broadcast_is_one_direct_per_member);
    tcase_add_test(tc, first_direct_waits_for_a_kademlia_lookup);
    suite_add_tcase(s, tc);
    return s;
}
