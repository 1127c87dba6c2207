/*
 * The network model end to end on the engine: exact arrival times from the bandwidth and
 * latency formula, FIFO queueing on an uplink, multicast and broadcast fan-out, partitions
 * (symmetric, one-way, hold), degradation, loss (drop and retransmit), crashes, CPU deferral,
 * timers and per-type counters. Every test checks that no message object leaks.
 */
#include "sim/net/network.h"
#include "sim/net/placement.h"
#include "sim/core/units.h"

#include "tests/check_main.h"

#include <string.h>

typedef struct Delivery {
    uint32_t host;
    uint32_t source;
    uint16_t type;
    SimTime time;
} Delivery;

typedef struct Fixture {
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    uint16_t type_a;
    uint16_t type_b;
    Delivery log[4096];
    size_t len;
    SimDuration charge_per_message;
    uint32_t timer_fired[8];
    SimTime timer_time[8];
} Fixture;

static void receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    Fixture *f = user_data;
    ck_assert_uint_lt(f->len, G_N_ELEMENTS(f->log));
    f->log[f->len++] =
        (Delivery){host, sim_message_source(message), sim_message_type(message), now};
    if (f->charge_per_message > 0) sim_network_cpu_charge(network, host, f->charge_per_message);
}

static void on_timer(SimNetwork *network, uint32_t host, uint32_t timer, SimTime now,
                     void *user_data)
{
    (void)network, (void)host;
    Fixture *f = user_data;
    f->timer_fired[timer]++;
    f->timer_time[timer] = now;
}

/* Hosts placed by region name; all links `bps` both ways. */
static void setup(Fixture *f, const char *placement, uint32_t hosts, uint64_t bps,
                  const SimNetworkConfig *overrides)
{
    memset(f, 0, sizeof *f);
    GError *error = NULL;
    f->regions = sim_regions_new_default(&error);
    ck_assert_ptr_nonnull(f->regions);
    f->engine = sim_engine_new(1, 100000);
    SimNetworkConfig config = {.seed = 1,
                               .rng_algorithm = sim_rng_xoshiro256ss,
                               .regions = f->regions,
                               .jitter = SIM_DIST_NONE_INIT,
                               .retransmit_timeout = 200 * SIM_MS};
    if (overrides != NULL) {
        config.loss_ppm = overrides->loss_ppm;
        config.loss_mode = overrides->loss_mode;
        config.jitter = overrides->jitter;
    }
    f->network = sim_network_new(f->engine, &config, hosts);
    f->type_a = sim_network_register_type(f->network, "a");
    f->type_b = sim_network_register_type(f->network, "b");
    sim_network_set_handlers(f->network, receive, on_timer, f);
    uint16_t *placed = g_new(uint16_t, hosts);
    ck_assert(sim_placement_assign(f->regions, placement, hosts, placed, &error));
    for (uint32_t i = 0; i < hosts; i++) {
        SimHostConfig host = {placed[i], bps, bps, 1, 0};
        sim_network_host_configure(f->network, i, &host);
    }
    g_free(placed);
}

static void teardown(Fixture *f)
{
    sim_engine_free(f->engine); /* first: it holds the packets in flight */
    sim_network_free(f->network);
    sim_regions_free(f->regions);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

static void send(Fixture *f, SimTime ready, uint32_t source, uint32_t target, uint64_t size,
                 uint16_t type)
{
    GBytes *bytes = g_bytes_new("payload", 7);
    SimMessage *message = sim_message_new(source, type, bytes, size);
    sim_network_send(f->network, ready, message, target);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void run_all(Fixture *f)
{
    SimEngineLimits limits = {SIM_TIME_NONE, 0};
    sim_engine_run(f->engine, &limits);
}

static void run_until(Fixture *f, SimTime t)
{
    SimEngineLimits limits = {t, 0};
    sim_engine_run(f->engine, &limits);
}

#define ONE_WAY_USE1_EUW1 ((SimDuration)34800000) /* 69.60 ms RTT / 2 */

START_TEST(bandwidth_arithmetic_is_exact)
{
    Fixture f;
    setup(&f, "us-east-1, eu-west-1", 2, 0, NULL);
    SimHostConfig fast_up = {0, 1000000000, 1000000000, 1, 0},
                  slow_down = {0, 1000000000, 100000000, 1, 0};
    sim_regions_lookup(f.regions, "us-east-1", &fast_up.region);
    sim_regions_lookup(f.regions, "eu-west-1", &slow_down.region);
    sim_network_host_configure(f.network, 0, &fast_up);
    sim_network_host_configure(f.network, 1, &slow_down);
    send(&f, 0, 0, 1, 1048576, f.type_a);
    run_all(&f);
    /* 1 MiB: 8,388,608 ns on the 1 Gbit uplink, 34.8 ms of propagation, 83,886,080 ns on the
     * 100 Mbit downlink. */
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].time, 8388608 + ONE_WAY_USE1_EUW1 + 83886080);
    ck_assert_uint_eq(sim_network_base_latency(f.network, 0, 1), ONE_WAY_USE1_EUW1);
    teardown(&f);
}
END_TEST

START_TEST(uplink_is_fifo)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 8000000, NULL); /* 1000 B = 1 ms per hop at 8 Mbit/s */
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    send(&f, 0, 0, 1, 1000, f.type_a);
    send(&f, 0, 0, 2, 1000, f.type_a);
    send(&f, 0, 0, 3, 1000, f.type_b);
    send(&f, 0, 0, 1, 1000, f.type_a); /* back-to-back behind the others, same target */
    run_all(&f);
    ck_assert_uint_eq(f.len, 4);
    /* Copy k leaves the uplink at (k+1) ms; the receivers' downlinks are idle except host 1,
     * whose second copy arrives after its first finished. */
    ck_assert_uint_eq(f.log[0].time, 1 * SIM_MS + lat + SIM_MS);
    ck_assert_uint_eq(f.log[1].time, 2 * SIM_MS + lat + SIM_MS);
    ck_assert_uint_eq(f.log[2].time, 3 * SIM_MS + lat + SIM_MS);
    ck_assert_uint_eq(f.log[3].time, 4 * SIM_MS + lat + SIM_MS);
    ck_assert_uint_eq(f.log[3].host, 1);
    const SimTypeCounters *c = sim_network_counters(f.network, 0, f.type_a);
    ck_assert_uint_eq(c->msgs_sent, 3);
    ck_assert_uint_eq(c->bytes_sent, 3000);
    ck_assert_uint_eq(c->uplink_wait, 0 + 1 * SIM_MS + 3 * SIM_MS); /* copies 1, 2 and 4 */
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_b)->uplink_wait, 2 * SIM_MS);
    ck_assert_uint_eq(sim_network_counters(f.network, 1, f.type_a)->msgs_received, 2);
    ck_assert_uint_eq(sim_network_counters(f.network, 1, f.type_a)->bytes_received, 2000);
    teardown(&f);
}
END_TEST

START_TEST(downlink_queues_in_arrival_order)
{
    Fixture f;
    /* Two senders at different distances to one receiver with a slow downlink. */
    setup(&f, "us-east-1, us-east-2, eu-west-1", 3, 0, NULL);
    SimHostConfig receiver = {0, 0, 8000000, 1, 0};
    sim_network_host_configure(f.network, 0, &receiver);
    SimDuration near = sim_network_base_latency(f.network, 1, 0);
    SimDuration far = sim_network_base_latency(f.network, 2, 0);
    ck_assert_uint_lt(near, far);
    send(&f, 0, 2, 0, 1000, f.type_a); /* sent first, arrives later */
    send(&f, 0, 1, 0, 1000, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.log[0].source, 1);
    ck_assert_uint_eq(f.log[0].time, near + SIM_MS);
    ck_assert_uint_eq(f.log[1].time, far + SIM_MS);
    teardown(&f);
}
END_TEST

START_TEST(multicast_broadcast_and_self)
{
    Fixture f;
    setup(&f, "us-east-1:5", 5, 8000000, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    GBytes *bytes = g_bytes_new("x", 1);
    SimMessage *message = sim_message_new(2, f.type_a, bytes, 1000);
    sim_network_broadcast(f.network, 0, message);
    uint32_t targets[] = {4, 0};
    sim_network_multicast(f.network, 10 * SIM_MS, message, targets, 2);
    sim_network_send(f.network, 20 * SIM_MS, message, 2); /* to itself: no network */
    sim_message_unref(message);
    g_bytes_unref(bytes);
    run_all(&f);
    ck_assert_uint_eq(f.len, 7);
    uint32_t broadcast_order[] = {0, 1, 3, 4};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(f.log[i].host, broadcast_order[i]);
        ck_assert_uint_eq(f.log[i].time, (SimTime)(i + 1) * SIM_MS + lat + SIM_MS);
    }
    ck_assert_uint_eq(f.log[4].host, 4);
    ck_assert_uint_eq(f.log[5].host, 0);
    ck_assert_uint_eq(f.log[6].host, 2);
    ck_assert_uint_eq(f.log[6].time, 20 * SIM_MS);
    ck_assert_uint_eq(sim_network_counters(f.network, 2, f.type_a)->msgs_sent, 6);
    teardown(&f);
}
END_TEST

static void two_groups(Fixture *f, SimNodeSet *left, SimNodeSet *right)
{
    sim_node_set_init(left, 4);
    sim_node_set_init(right, 4);
    sim_node_set_add_range(left, 0, 1);
    sim_node_set_add_range(right, 2, 3);
    (void)f;
}

START_TEST(symmetric_partition_blocks_then_heals)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    sim_network_add_cut(f.network, &left, &right, FALSE, 100 * SIM_MS, 200 * SIM_MS, SIM_CUT_DROP);
    send(&f, 99 * SIM_MS, 0, 2, 100, f.type_a);  /* in flight when the cut starts: lost */
    send(&f, 150 * SIM_MS, 0, 3, 100, f.type_a); /* across: lost */
    send(&f, 150 * SIM_MS, 3, 1, 100, f.type_a); /* across, other direction: lost */
    send(&f, 150 * SIM_MS, 0, 1, 100, f.type_b); /* same side: delivered */
    send(&f, 200 * SIM_MS, 0, 2, 100, f.type_a); /* after heal: delivered */
    run_all(&f);
    ck_assert_uint_eq(f.len, 2);
    ck_assert_uint_eq(f.log[0].type, f.type_b);
    ck_assert_uint_eq(f.log[1].host, 2);
    ck_assert_uint_ge(f.log[1].time, 200 * SIM_MS);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_cut, 3);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_a)->msgs_dropped, 2);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(one_way_partition_delivers_one_way)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    sim_network_add_cut(f.network, &left, &right, TRUE, 0, SIM_S, SIM_CUT_DROP);
    send(&f, 0, 0, 2, 100, f.type_a); /* left -> right: cut */
    send(&f, 0, 2, 0, 100, f.type_b); /* right -> left: delivered */
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].host, 0);
    ck_assert_uint_eq(f.log[0].type, f.type_b);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(held_messages_arrive_after_heal)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    sim_network_add_cut(f.network, &left, &right, FALSE, 10 * SIM_MS, 500 * SIM_MS, SIM_CUT_HOLD);
    send(&f, 50 * SIM_MS, 0, 2, 100, f.type_a);
    run_until(&f, 499 * SIM_MS);
    ck_assert_uint_eq(f.len, 0);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].time, 500 * SIM_MS + lat);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(ending_a_drop_cut_resumes_delivery)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    uint32_t open =
        sim_network_add_cut(f.network, &left, &right, FALSE, 0, SIM_TIME_NONE, SIM_CUT_DROP);
    uint32_t later =
        sim_network_add_cut(f.network, &left, &right, TRUE, SIM_S, 2 * SIM_S, SIM_CUT_DROP);
    ck_assert_uint_eq(open, 0);
    ck_assert_uint_eq(later, 1);
    send(&f, 10 * SIM_MS, 0, 2, 100, f.type_a); /* lost */
    run_until(&f, 50 * SIM_MS);
    sim_network_end_cut(f.network, open, 60 * SIM_MS);
    sim_network_end_cut(f.network, later, 0);   /* ended before it starts: never acts */
    send(&f, 59 * SIM_MS, 2, 0, 100, f.type_a); /* still inside: lost */
    send(&f, 60 * SIM_MS, 0, 2, 100, f.type_a); /* delivered */
    send(&f, 1500 * SIM_MS, 0, 2, 100, f.type_b);
    run_all(&f);
    ck_assert_uint_eq(f.len, 2);
    ck_assert_uint_eq(f.log[0].time, 60 * SIM_MS + lat);
    ck_assert_uint_eq(f.log[1].time, 1500 * SIM_MS + lat);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_cut, 2);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(ending_a_hold_cut_early_releases_held_copies)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 8000000, NULL); /* 1000 B = 1 ms per link hop */
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    uint32_t cut = sim_network_add_cut(f.network, &left, &right, FALSE, 10 * SIM_MS, 500 * SIM_MS,
                                       SIM_CUT_HOLD);
    send(&f, 9 * SIM_MS, 0, 2, 1000, f.type_a);  /* arrives during the cut: held at host 2 */
    send(&f, 50 * SIM_MS, 0, 3, 1000, f.type_a); /* sent during the cut: held at host 0 */
    run_until(&f, 100 * SIM_MS);
    ck_assert_uint_eq(sim_network_stats(f.network)->held_cut, 2);
    sim_network_end_cut(f.network, cut, 200 * SIM_MS);
    send(&f, 150 * SIM_MS, 1, 3, 1000, f.type_b); /* held until the new end */
    run_until(&f, 200 * SIM_MS);
    ck_assert_uint_eq(f.len, 0);
    run_all(&f);
    ck_assert_uint_eq(f.len, 3);
    /* The copy held at its receiver arrives again at 200 ms and crosses the downlink. */
    ck_assert_uint_eq(f.log[0].host, 2);
    ck_assert_uint_eq(f.log[0].time, 201 * SIM_MS);
    /* The copies held at their senders leave at 200 ms instead of 500 ms. */
    ck_assert_uint_eq(f.log[1].source, 0);
    ck_assert_uint_eq(f.log[1].time, 202 * SIM_MS + lat);
    ck_assert_uint_eq(f.log[2].source, 1);
    ck_assert_uint_eq(f.log[2].time, 203 * SIM_MS + lat); /* behind it on host 3's downlink */
    ck_assert_uint_eq(sim_network_stats(f.network)->held_cut, 3);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(open_ended_hold_cut_holds_until_ended)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    ck_assert_uint_ge(lat, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    uint32_t cut = sim_network_add_cut(f.network, &left, &right, FALSE, 10 * SIM_MS, SIM_TIME_NONE,
                                       SIM_CUT_HOLD);
    send(&f, 10 * SIM_MS - lat / 2, 0, 2, 100, f.type_a); /* held at its receiver */
    send(&f, 20 * SIM_MS, 1, 3, 100, f.type_a);           /* held at its sender */
    send(&f, 20 * SIM_MS, 2, 0, 100, f.type_b);
    send(&f, 20 * SIM_MS, 0, 1, 100, f.type_b); /* same side: delivered */
    run_until(&f, 300 * SIM_MS);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(sim_network_stats(f.network)->held_cut, 3);
    sim_network_end_cut(f.network, cut, 400 * SIM_MS);
    run_all(&f);
    ck_assert_uint_eq(f.len, 4);
    ck_assert_uint_eq(f.log[1].host, 2);
    ck_assert_uint_eq(f.log[1].time, 400 * SIM_MS);
    ck_assert_uint_eq(f.log[2].source, 1); /* released in the order they were held */
    ck_assert_uint_eq(f.log[2].time, 400 * SIM_MS + lat);
    ck_assert_uint_eq(f.log[3].source, 2);
    ck_assert_uint_eq(f.log[3].time, 400 * SIM_MS + lat);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(copies_held_by_an_open_cut_are_lost_with_their_sender_or_freed)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    uint32_t cut = sim_network_add_cut(f.network, &left, &right, FALSE, 10 * SIM_MS, SIM_TIME_NONE,
                                       SIM_CUT_HOLD);
    send(&f, 20 * SIM_MS, 1, 3, 100, f.type_a);
    send(&f, 20 * SIM_MS, 0, 2, 100, f.type_a);
    run_until(&f, 30 * SIM_MS);
    sim_network_host_crash(f.network, 1); /* loses the copy waiting on it */
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_crash, 1);
    ck_assert_uint_eq(sim_network_counters(f.network, 1, f.type_a)->msgs_dropped, 1);
    sim_network_host_restart(f.network, 1);
    sim_network_end_cut(f.network, cut, 50 * SIM_MS);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].source, 0);
    ck_assert_uint_eq(f.log[0].time, 50 * SIM_MS + lat);
    /* A cut never ended keeps its copies until the network is freed, which frees them. */
    sim_network_add_cut(f.network, &left, &right, TRUE, SIM_S, SIM_TIME_NONE, SIM_CUT_HOLD);
    send(&f, SIM_S, 0, 3, 100, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(degradation_scales_latency_and_bandwidth)
{
    Fixture f;
    setup(&f, "us-east-1, eu-west-1", 2, 8000000, NULL);
    SimNodeSet a, b;
    sim_node_set_init(&a, 2);
    sim_node_set_init(&b, 2);
    sim_node_set_add(&a, 0);
    sim_node_set_add(&b, 1);
    sim_network_add_degradation(f.network, &a, &b, TRUE, SIM_S, 2 * SIM_S, 3 * SIM_PPM_ONE,
                                2 * SIM_PPM_ONE, 0);
    send(&f, 0, 0, 1, 1000, f.type_a);     /* before the window */
    send(&f, SIM_S, 0, 1, 1000, f.type_a); /* inside: 3x latency, half bandwidth */
    send(&f, SIM_S, 1, 0, 1000, f.type_a); /* one_way: the reverse is nominal */
    run_all(&f);
    ck_assert_uint_eq(f.len, 3);
    ck_assert_uint_eq(f.log[0].time, SIM_MS + ONE_WAY_USE1_EUW1 + SIM_MS);
    ck_assert_uint_eq(f.log[1].time, SIM_S + SIM_MS + ONE_WAY_USE1_EUW1 + SIM_MS);
    ck_assert_uint_eq(f.log[2].time, SIM_S + 2 * SIM_MS + 3 * ONE_WAY_USE1_EUW1 + 2 * SIM_MS);
    ck_assert_uint_eq(f.log[2].host, 1);
    sim_node_set_clear(&a);
    sim_node_set_clear(&b);
    teardown(&f);
}
END_TEST

START_TEST(a_copy_held_at_a_sender_that_crashed_stays_lost_when_the_cut_ends)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet left, right;
    two_groups(&f, &left, &right);
    uint32_t cut = sim_network_add_cut(f.network, &left, &right, FALSE, 10 * SIM_MS, 500 * SIM_MS,
                                       SIM_CUT_HOLD);
    send(&f, 50 * SIM_MS, 0, 2, 100, f.type_a); /* its uplink slot is after the heal */
    send(&f, 50 * SIM_MS, 1, 3, 100, f.type_a);
    run_until(&f, 100 * SIM_MS);
    sim_network_host_crash(f.network, 0);
    run_until(&f, 120 * SIM_MS);
    sim_network_host_restart(f.network, 0);
    sim_network_end_cut(f.network, cut, 200 * SIM_MS);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].source, 1);
    ck_assert_uint_eq(f.log[0].time, 200 * SIM_MS + lat);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_crash, 1);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_a)->msgs_dropped, 1);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    teardown(&f);
}
END_TEST

START_TEST(ending_a_degradation_early_restores_latency)
{
    Fixture f;
    setup(&f, "us-east-1, eu-west-1", 2, 0, NULL);
    SimNodeSet a, b;
    sim_node_set_init(&a, 2);
    sim_node_set_init(&b, 2);
    sim_node_set_add(&a, 0);
    sim_node_set_add(&b, 1);
    uint32_t open = sim_network_add_degradation(f.network, &a, &b, TRUE, 0, SIM_TIME_NONE,
                                                3 * SIM_PPM_ONE, SIM_PPM_ONE, 0);
    send(&f, 0, 0, 1, 10, f.type_a); /* 3x */
    run_until(&f, SIM_S);
    sim_network_end_degradation(f.network, open, 2 * SIM_S);
    send(&f, 2 * SIM_S - 1, 0, 1, 10, f.type_a);             /* still 3x */
    send(&f, 2 * SIM_S, 0, 1, 10, f.type_a);                 /* nominal */
    sim_network_end_degradation(f.network, open, 3 * SIM_S); /* later than its end: no-op */
    send(&f, 2500 * SIM_MS, 0, 1, 10, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 4);
    ck_assert_uint_eq(f.log[0].time, 3 * ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(f.log[1].time, 2 * SIM_S + ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(f.log[2].time, 2 * SIM_S - 1 + 3 * ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(f.log[3].time, 2500 * SIM_MS + ONE_WAY_USE1_EUW1);
    sim_node_set_clear(&a);
    sim_node_set_clear(&b);
    teardown(&f);
}
END_TEST

/* The first delivery of a copy of `type` from `source` to `host`, or NULL. */
static const Delivery *delivery_of(const Fixture *f, uint32_t source, uint32_t host, uint16_t type)
{
    for (size_t i = 0; i < f->len; i++) {
        const Delivery *d = &f->log[i];
        if (d->source == source && d->host == host && d->type == type) return d;
    }
    return NULL;
}

START_TEST(drop_filter_drops_named_types_between_named_sets_in_its_window)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 2);
    SimNodeSet from, to, self;
    sim_node_set_init(&from, 4);
    sim_node_set_init(&to, 4);
    sim_node_set_init(&self, 4);
    sim_node_set_add(&from, 0);
    sim_node_set_add_range(&to, 2, 3);
    sim_node_set_add(&self, 1);
    uint64_t only_a = UINT64_C(1) << f.type_a;
    sim_network_add_filter(f.network, &from, &to, only_a, SIM_FILTER_DROP, 0, 100 * SIM_MS,
                           200 * SIM_MS);
    sim_network_add_filter(f.network, &self, &self, ~UINT64_C(0) >> 16, SIM_FILTER_DROP, 0, 0,
                           SIM_TIME_NONE);
    /* In time order: an uplink is FIFO in the order copies are handed to it. */
    send(&f, 99 * SIM_MS, 0, 3, 100, f.type_a);  /* before the window */
    send(&f, 150 * SIM_MS, 0, 2, 100, f.type_a); /* dropped */
    send(&f, 150 * SIM_MS, 0, 3, 100, f.type_a); /* dropped */
    send(&f, 150 * SIM_MS, 0, 2, 100, f.type_b); /* other type */
    send(&f, 150 * SIM_MS, 0, 1, 100, f.type_a); /* target not in `to` */
    send(&f, 150 * SIM_MS, 2, 0, 100, f.type_a); /* the reverse direction */
    send(&f, 150 * SIM_MS, 1, 2, 100, f.type_a); /* source not in `from` */
    send(&f, 200 * SIM_MS, 0, 3, 100, f.type_a); /* at its end: outside */
    send(&f, 150 * SIM_MS, 1, 1, 100, f.type_a); /* to itself: never filtered */
    run_all(&f);
    ck_assert_uint_eq(f.len, 7);
    ck_assert_ptr_null(delivery_of(&f, 0, 2, f.type_a));
    ck_assert_ptr_nonnull(delivery_of(&f, 0, 2, f.type_b));
    ck_assert_ptr_nonnull(delivery_of(&f, 0, 1, f.type_a));
    ck_assert_ptr_nonnull(delivery_of(&f, 2, 0, f.type_a));
    ck_assert_ptr_nonnull(delivery_of(&f, 1, 2, f.type_a));
    ck_assert_ptr_nonnull(delivery_of(&f, 1, 1, f.type_a));
    size_t to_three = 0;
    for (size_t i = 0; i < f.len; i++) {
        if (f.log[i].host != 3) continue;
        to_three++;
        ck_assert(f.log[i].time == 99 * SIM_MS + lat || f.log[i].time == 200 * SIM_MS + lat);
    }
    ck_assert_uint_eq(to_three, 2);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_filter, 2);
    ck_assert_uint_eq(sim_network_stats(f.network)->delayed_filter, 0);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_a)->msgs_dropped, 2);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_a)->msgs_sent, 5);
    ck_assert_uint_eq(sim_network_counters(f.network, 0, f.type_b)->msgs_dropped, 0);
    sim_node_set_clear(&from);
    sim_node_set_clear(&to);
    sim_node_set_clear(&self);
    teardown(&f);
}
END_TEST

START_TEST(delay_filters_add_exactly_their_delays_and_drop_wins)
{
    Fixture f;
    setup(&f, "us-east-1:4", 4, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    SimNodeSet zero, one_two, two;
    sim_node_set_init(&zero, 4);
    sim_node_set_init(&one_two, 4);
    sim_node_set_init(&two, 4);
    sim_node_set_add(&zero, 0);
    sim_node_set_add_range(&one_two, 1, 2);
    sim_node_set_add(&two, 2);
    uint64_t a = UINT64_C(1) << f.type_a, b = UINT64_C(1) << f.type_b;
    sim_network_add_filter(f.network, &zero, &one_two, a | b, SIM_FILTER_DELAY, 5 * SIM_MS, 0,
                           SIM_S);
    sim_network_add_filter(f.network, &zero, &one_two, a, SIM_FILTER_DELAY, 7 * SIM_MS, 0, SIM_S);
    sim_network_add_filter(f.network, &zero, &two, a, SIM_FILTER_DROP, 0, 0, SIM_S);
    send(&f, 0, 0, 1, 100, f.type_a); /* 5 + 7 ms */
    send(&f, 0, 0, 1, 100, f.type_b); /* 5 ms */
    send(&f, 0, 1, 0, 100, f.type_a); /* not filtered */
    send(&f, 0, 0, 2, 100, f.type_a); /* dropped: DROP wins over both delays */
    send(&f, 0, 0, 2, 100, f.type_b); /* 5 ms */
    run_all(&f);
    ck_assert_uint_eq(f.len, 4);
    ck_assert_uint_eq(delivery_of(&f, 0, 1, f.type_a)->time, lat + 12 * SIM_MS);
    ck_assert_uint_eq(delivery_of(&f, 0, 1, f.type_b)->time, lat + 5 * SIM_MS);
    ck_assert_uint_eq(delivery_of(&f, 1, 0, f.type_a)->time, lat);
    ck_assert_uint_eq(delivery_of(&f, 0, 2, f.type_b)->time, lat + 5 * SIM_MS);
    ck_assert_uint_eq(sim_network_stats(f.network)->delayed_filter, 3);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_filter, 1);
    sim_node_set_clear(&zero);
    sim_node_set_clear(&one_two);
    sim_node_set_clear(&two);
    teardown(&f);
}
END_TEST

START_TEST(ending_a_filter_early_stops_it)
{
    Fixture f;
    setup(&f, "us-east-1:2", 2, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    SimNodeSet all;
    sim_node_set_init(&all, 2);
    sim_node_set_fill(&all);
    uint32_t filter = sim_network_add_filter(f.network, &all, &all, UINT64_C(1) << f.type_a,
                                             SIM_FILTER_DROP, 0, 0, SIM_TIME_NONE);
    ck_assert_uint_eq(filter, 0);
    send(&f, 10 * SIM_MS, 0, 1, 100, f.type_a);
    run_until(&f, 50 * SIM_MS);
    sim_network_end_filter(f.network, filter, 80 * SIM_MS);
    send(&f, 80 * SIM_MS - 1, 1, 0, 100, f.type_a);
    send(&f, 80 * SIM_MS, 0, 1, 100, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].time, 80 * SIM_MS + lat);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_filter, 2);
    sim_node_set_clear(&all);
    teardown(&f);
}
END_TEST

START_TEST(gst_delays_copies_before_it_and_bounds_their_arrival)
{
    Fixture f;
    setup(&f, "us-east-1, eu-west-1", 2, 0, NULL);
    SimDist forever = {.kind = SIM_DIST_CONSTANT, .unit = SIM_QUANTITY_DURATION, .scale_a = 1e10};
    sim_network_set_gst(f.network, SIM_S, &forever, 10 * SIM_MS); /* draws 10 s, always cut */
    send(&f, 0, 0, 1, 10, f.type_a);                              /* held back to GST + delta */
    send(&f, 0, 0, 0, 10, f.type_b);             /* to itself: no network, no delay */
    send(&f, 900 * SIM_MS, 0, 1, 10, f.type_a);  /* likewise */
    send(&f, 990 * SIM_MS, 0, 1, 10, f.type_a);  /* arrives after the bound anyway: untouched */
    send(&f, SIM_S, 0, 1, 10, f.type_a);         /* at GST: no delay */
    send(&f, 1500 * SIM_MS, 1, 0, 10, f.type_a); /* after GST: no delay */
    run_all(&f);
    ck_assert_uint_eq(f.len, 6);
    ck_assert_uint_eq(f.log[0].host, 0);
    ck_assert_uint_eq(f.log[0].time, 0);
    ck_assert_uint_eq(f.log[1].time, 1010 * SIM_MS);
    ck_assert_uint_eq(f.log[2].time, 1010 * SIM_MS);
    ck_assert_uint_eq(f.log[3].time, 990 * SIM_MS + ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(f.log[4].time, SIM_S + ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(f.log[5].time, 1500 * SIM_MS + ONE_WAY_USE1_EUW1);
    ck_assert_uint_eq(sim_network_stats(f.network)->delayed_gst, 2);
    teardown(&f);
}
END_TEST

START_TEST(gst_random_delays_stay_within_the_bound)
{
    Fixture f;
    setup(&f, "us-east-1, eu-west-1, us-east-1", 3, 0, NULL);
    SimDist pre_gst = SIM_DIST_NONE_INIT;
    GError *error = NULL;
    ck_assert(sim_dist_parse("uniform(min=0ms, max=400ms)", SIM_QUANTITY_DURATION, FALSE, &pre_gst,
                             &error));
    const SimTime gst = SIM_S, bound = gst + 100 * SIM_MS;
    sim_network_set_gst(f.network, gst, &pre_gst, 100 * SIM_MS);
    for (SimTime t = 0; t < gst; t += SIM_MS) /* host 0 sends before GST */
        send(&f, t, 0, 1, 10, f.type_a);
    for (SimTime t = gst; t < gst + 200 * SIM_MS; t += SIM_MS) /* host 2 after */
        send(&f, t, 2, 1, 10, f.type_b);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1200);
    size_t at_bound = 0, below = 0, after = 0;
    SimDuration extra_total = 0;
    for (size_t i = 0; i < f.len; i++) {
        const Delivery *d = &f.log[i];
        if (d->source == 2) { /* after GST: exactly the natural delay, in order */
            ck_assert_uint_eq(d->time, gst + after * SIM_MS + ONE_WAY_USE1_EUW1);
            after++;
            continue;
        }
        ck_assert_uint_le(d->time, bound);
        at_bound += d->time == bound;
        below += d->time < bound;
        extra_total += d->time - ONE_WAY_USE1_EUW1; /* minus the send times, below */
    }
    ck_assert_uint_eq(after, 200);
    SimDuration send_total = (SimDuration)999 * 1000 / 2 * SIM_MS;
    /* Before GST the mean extra is about 200 ms (less where the bound cuts it). */
    ck_assert_uint_gt(extra_total - send_total, 1000 * 100 * SIM_MS);
    ck_assert_uint_gt(at_bound, 100);
    ck_assert_uint_gt(below, 500);
    ck_assert_uint_gt(sim_network_stats(f.network)->delayed_gst, 990);
    teardown(&f);
}
END_TEST

/* A small gossip run for digests: each delivery may forward the message to a random host. */
typedef struct Gossip {
    SimRng rng;
    uint16_t type;
    uint64_t budget;
} Gossip;

static void gossip_forward(SimNetwork *network, Gossip *g, uint32_t host, SimTime ready)
{
    if (g->budget == 0) return;
    g->budget--;
    uint32_t target = (uint32_t)sim_rng_below(&g->rng, sim_network_host_count(network));
    uint8_t body[8];
    sim_rng_bytes(&g->rng, body, sizeof body);
    GBytes *bytes = g_bytes_new(body, sizeof body);
    SimMessage *message = sim_message_new(host, g->type, bytes, 100 + sim_rng_below(&g->rng, 900));
    sim_network_send(network, ready, message, target);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void gossip_receive(SimNetwork *network, uint32_t host, const SimMessage *message,
                           SimTime now, void *user_data)
{
    (void)message;
    Gossip *g = user_data;
    gossip_forward(network, g, host, sim_network_cpu_charge(network, host, 20 * SIM_US));
    if (sim_rng_chance_ppm(&g->rng, 300000)) gossip_forward(network, g, host, now);
}

typedef enum GossipVariant {
    GOSSIP_PLAIN,
    GOSSIP_FILTERS_NEVER_MATCH, /* filters on an unused type or an empty set */
    GOSSIP_FILTER_DELAYS,       /* a 1 ns DELAY filter on everything: must change the digest */
    GOSSIP_GST,
} GossipVariant;

static void gossip_faults(SimNetwork *network, uint16_t unused_type, GossipVariant variant)
{
    SimNodeSet left, right, none;
    sim_node_set_init(&left, 16);
    sim_node_set_init(&right, 16);
    sim_node_set_init(&none, 16);
    sim_node_set_add_range(&left, 0, 7);
    sim_node_set_add_range(&right, 8, 15);
    sim_network_add_cut(network, &left, &right, FALSE, 200 * SIM_MS, 400 * SIM_MS, SIM_CUT_HOLD);
    sim_network_add_degradation(network, &right, &left, TRUE, 0, SIM_S, 2 * SIM_PPM_ONE,
                                3 * SIM_PPM_ONE, 0);
    sim_node_set_fill(&left);
    if (variant == GOSSIP_FILTERS_NEVER_MATCH) {
        sim_network_add_filter(network, &left, &left, UINT64_C(1) << unused_type, SIM_FILTER_DROP,
                               0, 0, SIM_TIME_NONE);
        sim_network_add_filter(network, &none, &left, ~UINT64_C(0) >> 16, SIM_FILTER_DELAY, SIM_MS,
                               0, SIM_TIME_NONE);
    }
    if (variant == GOSSIP_FILTER_DELAYS) {
        sim_network_add_filter(network, &left, &left, ~UINT64_C(0) >> 16, SIM_FILTER_DELAY, 1, 0,
                               SIM_TIME_NONE);
    }
    if (variant == GOSSIP_GST) {
        SimDist pre_gst = {
            .kind = SIM_DIST_EXPONENTIAL, .unit = SIM_QUANTITY_DURATION, .scale_a = 50e6};
        sim_network_set_gst(network, 500 * SIM_MS, &pre_gst, 100 * SIM_MS);
    }
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    sim_node_set_clear(&none);
}

static void gossip_digest(uint64_t seed, GossipVariant variant, char digest[65])
{
    GError *error = NULL;
    SimRegions *regions = sim_regions_new_default(&error);
    SimEngine *engine = sim_engine_new(seed, 100000);
    SimNetworkConfig config = {.seed = seed,
                               .rng_algorithm = sim_rng_xoshiro256ss,
                               .regions = regions,
                               .loss_ppm = 20000,
                               .loss_mode = SIM_LOSS_RETRANSMIT,
                               .retransmit_timeout = 200 * SIM_MS};
    ck_assert(sim_dist_parse("lognormal(median=5%, sigma=0.8)", SIM_QUANTITY_DURATION, TRUE,
                             &config.jitter, &error));
    SimNetwork *network = sim_network_new(engine, &config, 16);
    Gossip g = {.budget = 3000};
    sim_rng_init(&g.rng, sim_rng_xoshiro256ss, seed, "gossip", 0);
    g.type = sim_network_register_type(network, "gossip");
    uint16_t unused_type = sim_network_register_type(network, "unused");
    sim_network_set_handlers(network, gossip_receive, NULL, &g);
    uint16_t placed[16];
    ck_assert(sim_placement_assign(regions, "all", 16, placed, &error));
    for (uint32_t i = 0; i < 16; i++) {
        SimHostConfig host = {placed[i], 100000000, 200000000, 1, 0};
        sim_network_host_configure(network, i, &host);
    }
    gossip_faults(network, unused_type, variant);
    for (uint32_t i = 0; i < 16; i++)
        gossip_forward(network, &g, i, 0);
    SimEngineLimits limits = {SIM_TIME_NONE, 0};
    sim_engine_run(engine, &limits);
    ck_assert_uint_gt(sim_network_stats(network)->copies_delivered, 2500);
    sim_engine_digest_hex(engine, digest);
    sim_engine_free(engine);
    sim_network_free(network);
    sim_rng_clear(&g.rng);
    sim_regions_free(regions);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

START_TEST(filters_that_never_match_change_nothing)
{
    char plain[65], never[65], delays[65];
    gossip_digest(5, GOSSIP_PLAIN, plain);
    gossip_digest(5, GOSSIP_FILTERS_NEVER_MATCH, never);
    gossip_digest(5, GOSSIP_FILTER_DELAYS, delays);
    ck_assert_str_eq(plain, never);
    ck_assert_str_ne(plain, delays); /* the digest does see a filter that acts */
}
END_TEST

START_TEST(gst_runs_are_deterministic)
{
    char plain[65], a[65], b[65], other_seed[65];
    gossip_digest(5, GOSSIP_PLAIN, plain);
    gossip_digest(5, GOSSIP_GST, a);
    gossip_digest(5, GOSSIP_GST, b);
    gossip_digest(6, GOSSIP_GST, other_seed);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, plain);
    ck_assert_str_ne(a, other_seed);
}
END_TEST

START_TEST(loss_drop_and_retransmit)
{
    Fixture f;
    SimNetworkConfig drop = {
        .loss_ppm = 300000, .loss_mode = SIM_LOSS_DROP, .jitter = SIM_DIST_NONE_INIT};
    setup(&f, "us-east-1:2", 2, 0, &drop);
    for (int i = 0; i < 1000; i++)
        send(&f, 0, 0, 1, 10, f.type_a);
    run_all(&f);
    ck_assert_uint_gt(f.len, 650); /* 30% lost, fixed seed */
    ck_assert_uint_lt(f.len, 750);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_loss, 1000 - f.len);
    teardown(&f);

    SimNetworkConfig retransmit = {
        .loss_ppm = 300000, .loss_mode = SIM_LOSS_RETRANSMIT, .jitter = SIM_DIST_NONE_INIT};
    setup(&f, "us-east-1:2", 2, 0, &retransmit);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    for (int i = 0; i < 1000; i++)
        send(&f, 0, 0, 1, 10, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1000); /* reliable: everything arrives, some late */
    size_t late = 0;
    for (size_t i = 0; i < f.len; i++) {
        SimDuration extra = f.log[i].time - lat;
        ck_assert_uint_eq(extra % (200 * SIM_MS), 0); /* whole retransmission timeouts */
        late += extra > 0;
    }
    ck_assert_uint_gt(late, 250);
    ck_assert_uint_lt(late, 350);
    teardown(&f);
}
END_TEST

START_TEST(crash_drops_traffic_and_timers)
{
    Fixture f;
    setup(&f, "us-east-1:3", 3, 8000000, NULL); /* 1000 B = 1 ms per link hop */
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    sim_network_timer_set(f.network, 1, 0, 50 * SIM_MS);
    send(&f, 0, 0, 1, 1000, f.type_a);
    /* Ten copies queue on host 2's uplink; copy k has left it at k ms. */
    for (int i = 0; i < 10; i++)
        send(&f, 0, 2, 0, 1000, f.type_b);
    run_until(&f, 5 * SIM_MS);
    sim_network_host_crash(f.network, 1);
    sim_network_host_crash(f.network, 2);       /* copies 6-10 were still on its uplink: lost */
    send(&f, 6 * SIM_MS, 0, 1, 1000, f.type_a); /* to a crashed host: dropped */
    run_until(&f, 100 * SIM_MS);
    ck_assert_uint_eq(f.timer_fired[0], 0); /* the crashed host's timer is gone */
    size_t from_two = 0;
    for (size_t i = 0; i < f.len; i++)
        from_two += f.log[i].source == 2;
    ck_assert_uint_eq(from_two, 5);
    ck_assert_uint_eq(f.log[0].time, SIM_MS + lat + SIM_MS);
    ck_assert_uint_eq(f.len, 6);
    ck_assert_uint_eq(sim_network_stats(f.network)->dropped_crash, 6);
    sim_network_host_restart(f.network, 1);
    send(&f, 200 * SIM_MS, 0, 1, 1000, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 7);
    ck_assert_uint_eq(f.log[6].host, 1);
    teardown(&f);
}
END_TEST

START_TEST(cpu_defers_delivery_and_timers)
{
    Fixture f;
    setup(&f, "us-east-1:2", 2, 0, NULL);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    f.charge_per_message = 10 * SIM_MS;
    for (int i = 0; i < 3; i++)
        send(&f, 0, 0, 1, 10, f.type_a);
    sim_network_timer_set(f.network, 1, 2, lat + SIM_MS);
    run_all(&f);
    ck_assert_uint_eq(f.len, 3);
    ck_assert_uint_eq(f.log[0].time, lat);
    ck_assert_uint_eq(f.log[1].time, lat + 10 * SIM_MS);
    ck_assert_uint_eq(f.log[2].time, lat + 20 * SIM_MS);
    ck_assert_uint_eq(f.timer_fired[2], 1);
    /* The timer came due (lat + 1 ms) while the CPU was busy and after messages 2 and 3 had
     * arrived, so it waits its turn behind both: the CPU is FIFO. */
    ck_assert_uint_eq(f.timer_time[2], lat + 30 * SIM_MS);
    ck_assert_uint_eq(sim_network_host(f.network, 1)->cpu_busy, 30 * SIM_MS);
    /* Pause: nothing is handled until it ends. */
    sim_network_host_pause(f.network, 0, SIM_S);
    send(&f, sim_engine_now(f.engine), 1, 0, 10, f.type_b);
    run_all(&f);
    ck_assert_uint_eq(f.log[3].time, SIM_S);
    teardown(&f);
}
END_TEST

/* A host's CPU is a run queue over its vCPUs: three 10 ms jobs that arrive together run one
 * after another on one vCPU, two at a time on two. */
START_TEST(cpu_jobs_run_in_parallel_on_vcpus)
{
    for (uint32_t vcpus = 1; vcpus <= 2; vcpus++) {
        Fixture f;
        setup(&f, "us-east-1:2", 2, 0, NULL);
        SimHostConfig two = {sim_network_host(f.network, 1)->region, 0, 0, vcpus, 0};
        sim_network_host_configure(f.network, 1, &two);
        ck_assert_uint_eq(sim_network_host(f.network, 1)->vcpus, vcpus);
        SimDuration lat = sim_network_base_latency(f.network, 0, 1);
        f.charge_per_message = 10 * SIM_MS;
        for (int i = 0; i < 3; i++)
            send(&f, 0, 0, 1, 10, f.type_a);
        run_all(&f);
        ck_assert_uint_eq(f.len, 3);
        ck_assert_uint_eq(f.log[0].time, lat);
        if (vcpus == 1) {
            ck_assert_uint_eq(f.log[1].time, lat + 10 * SIM_MS); /* in series */
            ck_assert_uint_eq(f.log[2].time, lat + 20 * SIM_MS);
        } else {
            ck_assert_uint_eq(f.log[1].time, lat); /* in parallel */
            ck_assert_uint_eq(f.log[2].time, lat + 10 * SIM_MS);
        }
        ck_assert_uint_eq(sim_network_host(f.network, 1)->cpu_busy, 30 * SIM_MS);
        /* A pause holds every vCPU. */
        sim_network_host_pause(f.network, 1, SIM_S);
        send(&f, sim_engine_now(f.engine), 0, 1, 10, f.type_b);
        send(&f, sim_engine_now(f.engine), 0, 1, 10, f.type_b);
        run_all(&f);
        ck_assert_uint_eq(f.log[3].time, SIM_S);
        ck_assert_uint_eq(f.log[4].time, vcpus == 1 ? SIM_S + 10 * SIM_MS : SIM_S);
        teardown(&f);
    }
}
END_TEST

/* A host of a half-speed clock class takes 20 ms for a 10 ms job; a `slow` factor multiplies
 * the class's, and resetting the factor returns to the class, not to the reference. */
START_TEST(clock_class_scales_cpu_and_composes_with_slow)
{
    Fixture f;
    setup(&f, "us-east-1:2", 2, 0, NULL);
    SimHostConfig half = {sim_network_host(f.network, 1)->region, 0, 0, 1, 2 * SIM_PPM_ONE};
    sim_network_host_configure(f.network, 1, &half);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    f.charge_per_message = 10 * SIM_MS;
    send(&f, 0, 0, 1, 10, f.type_a);
    send(&f, 0, 0, 1, 10, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.log[1].time, lat + 20 * SIM_MS); /* behind the first, 20 ms long */
    sim_network_host_set_cpu_factor(f.network, 1, 3 * SIM_PPM_ONE);
    ck_assert_uint_eq(sim_network_host(f.network, 1)->cpu_factor_ppm, 6 * SIM_PPM_ONE);
    sim_network_host_set_cpu_factor(f.network, 1, SIM_PPM_ONE);
    ck_assert_uint_eq(sim_network_host(f.network, 1)->cpu_factor_ppm, 2 * SIM_PPM_ONE);
    teardown(&f);
}
END_TEST

START_TEST(timers_set_replace_cancel)
{
    Fixture f;
    setup(&f, "us-east-1:1", 1, 0, NULL);
    sim_network_timer_set(f.network, 0, 0, 100);
    sim_network_timer_set(f.network, 0, 0, 300); /* replaces */
    sim_network_timer_set(f.network, 0, 1, 200);
    ck_assert(sim_network_timer_pending(f.network, 0, 1));
    sim_network_timer_cancel(f.network, 0, 1);
    ck_assert(!sim_network_timer_pending(f.network, 0, 1));
    run_all(&f);
    ck_assert_uint_eq(f.timer_fired[0], 1);
    ck_assert_uint_eq(f.timer_time[0], 300);
    ck_assert_uint_eq(f.timer_fired[1], 0);
    teardown(&f);
}
END_TEST

START_TEST(jitter_spreads_arrivals)
{
    Fixture f;
    SimNetworkConfig jittery = {.jitter = SIM_DIST_NONE_INIT};
    GError *error = NULL;
    ck_assert(sim_dist_parse("exponential(mean=10%)", SIM_QUANTITY_DURATION, TRUE, &jittery.jitter,
                             &error));
    setup(&f, "us-east-1, eu-west-1", 2, 0, &jittery);
    for (int i = 0; i < 2000; i++)
        send(&f, 0, 0, 1, 10, f.type_a);
    run_all(&f);
    double sum = 0;
    for (size_t i = 0; i < f.len; i++) {
        ck_assert_uint_ge(f.log[i].time, ONE_WAY_USE1_EUW1);
        sum += (double)(f.log[i].time - ONE_WAY_USE1_EUW1);
    }
    double mean = sum / (double)f.len;
    ck_assert_double_gt(mean, 0.09 * 34.8e6);
    ck_assert_double_lt(mean, 0.11 * 34.8e6);
    teardown(&f);
}
END_TEST

START_TEST(cpu_backlog_costs_linear_events)
{
    Fixture f;
    setup(&f, "us-east-1:2", 2, 0, NULL);
    f.charge_per_message = SIM_MS; /* 1,000 messages arrive at once: a 1 s backlog */
    for (int i = 0; i < 1000; i++)
        send(&f, 0, 0, 1, 10, f.type_a);
    run_all(&f);
    ck_assert_uint_eq(f.len, 1000);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    ck_assert_uint_eq(f.log[999].time, lat + 999 * SIM_MS);
    /* Two events per copy (arrival, delivery) plus one CPU wake-up per queued item at most;
     * re-scheduling each waiting delivery would cost about 500,000. */
    ck_assert_uint_le(sim_engine_events_run(f.engine), 3 * 1000 + 10);
    teardown(&f);
}
END_TEST

/* Cancels timer 1 of host 1 when the first message is handled, after it has come due. */
static void cancel_on_receive(SimNetwork *network, uint32_t host, const SimMessage *message,
                              SimTime now, void *user_data)
{
    receive(network, host, message, now, user_data);
    sim_network_timer_cancel(network, host, 1);
}

START_TEST(cancelled_timer_queued_behind_work_never_fires)
{
    Fixture f;
    setup(&f, "us-east-1:2", 2, 0, NULL);
    sim_network_set_handlers(f.network, cancel_on_receive, on_timer, &f);
    SimDuration lat = sim_network_base_latency(f.network, 0, 1);
    sim_network_host_pause(f.network, 1, lat + 10 * SIM_MS);
    send(&f, 0, 0, 1, 10, f.type_a);                      /* queued during the pause */
    sim_network_timer_set(f.network, 1, 1, lat + SIM_MS); /* fires during the pause, queued */
    run_all(&f);
    ck_assert_uint_eq(f.len, 1);
    ck_assert_uint_eq(f.log[0].time, lat + 10 * SIM_MS);
    ck_assert_uint_eq(f.timer_fired[1], 0);
    teardown(&f);
}
END_TEST

/* A message's content digest is XXH3-128, low half then high half, little-endian: the values
 * `xxhsum -H2` (xxHash 0.8.1) prints for these inputs, the empty one included
 * (99aa06d3014798d86001c324468d497f, xxHash's own sanity value for XXH128 of nothing). */
START_TEST(content_digest_is_xxh3_128)
{
    static const struct {
        size_t len;
        uint64_t low, high;
    } vectors[] = {
        {0, UINT64_C(0x6001c324468d497f), UINT64_C(0x99aa06d3014798d8)},
        {3, UINT64_C(0xa9088dda485b481c), UINT64_C(0xce31763cbf8245a5)},
        {7, UINT64_C(0x7af1e487627dd4bc), UINT64_C(0xa051eefb8df8740e)},
        {31, UINT64_C(0x262deca043341a5b), UINT64_C(0x670ee2d79d2552f8)},
        {100, UINT64_C(0x0cc97f05750182b2), UINT64_C(0x2207ed96998d91f2)},
        {4096, UINT64_C(0xd7428746842be37e), UINT64_C(0x1546867423105cd5)},
    };
    static uint8_t data[4096];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    for (size_t v = 0; v < G_N_ELEMENTS(vectors); v++) {
        GBytes *bytes = g_bytes_new(data, vectors[v].len);
        SimMessage *m = sim_message_new(0, 0, bytes, 1);
        const uint8_t *digest = sim_message_digest(m);
        uint64_t h0 = 0, h1 = 0;
        for (int i = 7; i >= 0; i--) {
            h0 = h0 << 8 | digest[i];
            h1 = h1 << 8 | digest[8 + i];
        }
        ck_assert_uint_eq(h0, vectors[v].low);
        ck_assert_uint_eq(h1, vectors[v].high);
        sim_message_unref(m);
        g_bytes_unref(bytes);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("network");
    TCase *tc = tcase_create("network");
    tcase_add_test(tc, bandwidth_arithmetic_is_exact);
    tcase_add_test(tc, content_digest_is_xxh3_128);
    tcase_add_test(tc, uplink_is_fifo);
    tcase_add_test(tc, downlink_queues_in_arrival_order);
    tcase_add_test(tc, multicast_broadcast_and_self);
    tcase_add_test(tc, symmetric_partition_blocks_then_heals);
    tcase_add_test(tc, one_way_partition_delivers_one_way);
    tcase_add_test(tc, held_messages_arrive_after_heal);
    tcase_add_test(tc, ending_a_drop_cut_resumes_delivery);
    tcase_add_test(tc, ending_a_hold_cut_early_releases_held_copies);
    tcase_add_test(tc, open_ended_hold_cut_holds_until_ended);
    tcase_add_test(tc, copies_held_by_an_open_cut_are_lost_with_their_sender_or_freed);
    tcase_add_test(tc, a_copy_held_at_a_sender_that_crashed_stays_lost_when_the_cut_ends);
    tcase_add_test(tc, degradation_scales_latency_and_bandwidth);
    tcase_add_test(tc, ending_a_degradation_early_restores_latency);
    tcase_add_test(tc, drop_filter_drops_named_types_between_named_sets_in_its_window);
    tcase_add_test(tc, delay_filters_add_exactly_their_delays_and_drop_wins);
    tcase_add_test(tc, ending_a_filter_early_stops_it);
    tcase_add_test(tc, gst_delays_copies_before_it_and_bounds_their_arrival);
    tcase_add_test(tc, gst_random_delays_stay_within_the_bound);
    tcase_add_test(tc, filters_that_never_match_change_nothing);
    tcase_add_test(tc, gst_runs_are_deterministic);
    tcase_add_test(tc, loss_drop_and_retransmit);
    tcase_add_test(tc, crash_drops_traffic_and_timers);
    tcase_add_test(tc, cpu_defers_delivery_and_timers);
    tcase_add_test(tc, cpu_jobs_run_in_parallel_on_vcpus);
    tcase_add_test(tc, clock_class_scales_cpu_and_composes_with_slow);
    tcase_add_test(tc, timers_set_replace_cancel);
    tcase_add_test(tc, cpu_backlog_costs_linear_events);
    tcase_add_test(tc, cancelled_timer_queued_behind_work_never_fires);
    tcase_add_test(tc, jitter_spreads_arrivals);
    suite_add_tcase(suite, tc);
    return suite;
}
