/*
 * Transports over the network (sim/net/transport.h): the Push-CDN's routing (a broadcast
 * reaches every validator once and every other broker once; a direct reaches exactly its
 * recipient; the Da topic reaches only the committee), its relays charged like hosts, faults
 * acting end to end through brokers, and reconnection through the marshal after a broker dies.
 */
#include "sim/net/transport.h"

#include "sim/core/units.h"

#include "tests/check_main.h"

#include <string.h>

#define VALIDATORS 12
#define BROKERS    3

typedef struct Fixture {
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    SimTransport *transport;
    uint16_t type;
    uint32_t received[VALIDATORS];       /* copies each validator got through the transport */
    uint32_t received_plain[VALIDATORS]; /* copies that came host to host */
    uint32_t last_source[VALIDATORS];
    SimTime last_time[VALIDATORS];
    gboolean da_member[VALIDATORS];
} Fixture;

static void deliver(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    (void)network;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, VALIDATORS);
    f->received[host]++;
    f->last_source[host] = sim_message_source(message);
    f->last_time[host] = now;
}

static void plain(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                  void *user_data)
{
    (void)network, (void)now, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, VALIDATORS);
    f->received_plain[host]++;
}

static void setup(Fixture *f, SimTransportKind kind, uint32_t da_members)
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
    SimRelaySetup relay = {.kind = kind,
                           .seed = 1,
                           .rng_algorithm = sim_rng_xoshiro256ss,
                           .regions = f->regions,
                           .validators = VALIDATORS,
                           .first_relay = VALIDATORS};
    sim_transport_defaults(&relay);
    relay.cdn.brokers = BROKERS;
    relay.cdn.placement = "us-east-1";
    relay.cdn.marshal_region = "us-east-1";
    relay.cdn.cpu_per_message = 10 * SIM_US;
    relay.web.region = "us-east-1";
    for (uint32_t i = 0; i < da_members; i++)
        f->da_member[i] = TRUE;
    relay.da_member = da_members > 0 ? f->da_member : NULL;
    uint32_t hosts = VALIDATORS + sim_transport_relay_count(&relay);
    f->network = sim_network_new(f->engine, &config, hosts);
    f->type = sim_network_register_type(f->network, "a");
    sim_network_set_handlers(f->network, plain, NULL, f);
    uint16_t region = 0;
    ck_assert(sim_regions_lookup(f->regions, "us-east-1", &region));
    for (uint32_t i = 0; i < VALIDATORS; i++) {
        SimHostConfig host = {region, 1000000000, 1000000000, 1, 0};
        sim_network_host_configure(f->network, i, &host);
    }
    f->transport = sim_transport_new(f->network, &relay, deliver, f, &error);
    ck_assert_ptr_nonnull(f->transport);
}

static void teardown(Fixture *f)
{
    sim_engine_free(f->engine);
    sim_transport_free(f->transport);
    sim_network_free(f->network);
    sim_regions_free(f->regions);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

static void send_as(Fixture *f, SimTime ready, uint32_t source, SimSend how,
                    const uint32_t *targets, size_t count)
{
    GBytes *bytes = g_bytes_new("payload", 7);
    SimMessage *message = sim_message_new(source, f->type, bytes, 1000);
    sim_transport_send(f->transport, ready, message, &how, targets, count);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void send(Fixture *f, SimTime ready, uint32_t source, SimSendClass cls,
                 const uint32_t *targets, size_t count)
{
    send_as(f, ready, source, (SimSend){.cls = cls}, targets, count);
}

static void run_all(Fixture *f)
{
    SimEngineLimits limits = {SIM_TIME_NONE, 0};
    sim_engine_run(f->engine, &limits);
}

static uint64_t received_at(const Fixture *f, uint32_t host)
{
    return sim_network_counters(f->network, host, f->type)->msgs_received;
}

static uint64_t sent_by(const Fixture *f, uint32_t host)
{
    return sim_network_counters(f->network, host, f->type)->msgs_sent;
}

START_TEST(broadcast_reaches_every_validator_and_each_other_broker_once)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    /* Dealt round robin by the marshal: validator v on broker v % 3. */
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(sim_transport_broker_of(f.transport, v), v % BROKERS);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    ck_assert_uint_eq(f.received[0], 0);
    for (uint32_t v = 1; v < VALIDATORS; v++) {
        ck_assert_uint_eq(f.received[v], 1);
        ck_assert_uint_eq(f.last_source[v], 0); /* the protocol sees the original sender */
    }
    /* One copy on the sender's uplink, whatever the number of validators. */
    ck_assert_uint_eq(sent_by(&f, 0), 1);
    /* Broker 0 got it from its user; brokers 1 and 2 once each over the mesh. */
    for (uint32_t b = 0; b < BROKERS; b++)
        ck_assert_uint_eq(received_at(&f, VALIDATORS + b), 1);
    /* Broker 0: its 3 other users and 2 brokers; brokers 1 and 2: their 4 users each. */
    ck_assert_uint_eq(sent_by(&f, VALIDATORS + 0), 3 + 2);
    ck_assert_uint_eq(sent_by(&f, VALIDATORS + 1), 4);
    ck_assert_uint_eq(sent_by(&f, VALIDATORS + 2), 4);
    ck_assert_uint_eq(received_at(&f, VALIDATORS + BROKERS), 0); /* the marshal routes nothing */
    ck_assert_str_eq(sim_transport_relay_name(f.transport, VALIDATORS + 1), "broker1");
    ck_assert_str_eq(sim_transport_relay_name(f.transport, VALIDATORS + BROKERS), "marshal");
    ck_assert_ptr_null(sim_transport_relay_name(f.transport, 3));
    teardown(&f);
}
END_TEST

START_TEST(direct_reaches_exactly_its_recipient)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    uint32_t to_other_broker = 5, to_same_broker = 3;
    send(&f, 0, 0, SIM_SEND_DIRECT, &to_other_broker, 1);
    send(&f, 0, 0, SIM_SEND_DIRECT, &to_same_broker, 1);
    run_all(&f);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v == 5 || v == 3 ? 1 : 0);
    /* 0 -> broker 0 -> broker 2 -> 5, and 0 -> broker 0 -> 3. */
    ck_assert_uint_eq(received_at(&f, VALIDATORS + 0), 2);
    ck_assert_uint_eq(received_at(&f, VALIDATORS + 1), 0);
    ck_assert_uint_eq(received_at(&f, VALIDATORS + 2), 1);
    teardown(&f);
}
END_TEST

START_TEST(da_topic_reaches_only_the_committee)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 4); /* validators 0..3: brokers 0, 1, 2, 0 */
    uint32_t committee[] = {0, 1, 2, 3};
    send(&f, 0, 0, SIM_SEND_DA_BROADCAST, committee, 4);
    run_all(&f);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v >= 1 && v <= 3 ? 1 : 0);
    ck_assert_uint_eq(f.received_plain[0], 1); /* its own copy, locally */
    ck_assert_uint_eq(sent_by(&f, 0), 1);
    /* A committee that is not the whole committee goes as directs: here only member 2. */
    uint32_t some[] = {2};
    send(&f, sim_engine_now(f.engine), 0, SIM_SEND_DA_BROADCAST, some, 1);
    run_all(&f);
    ck_assert_uint_eq(f.received[2], 2);
    ck_assert_uint_eq(f.received[1], 1);
    teardown(&f);
}
END_TEST

START_TEST(a_partition_between_validators_holds_through_the_brokers)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    SimNodeSet a, b;
    sim_node_set_init(&a, VALIDATORS + BROKERS + 1);
    sim_node_set_init(&b, VALIDATORS + BROKERS + 1);
    sim_node_set_add(&a, 0);
    sim_node_set_add(&b, 4); /* on broker 1 */
    sim_node_set_add(&b, 3); /* on broker 0, like the sender */
    sim_network_add_cut(f.network, &a, &b, FALSE, 0, SIM_TIME_NONE, SIM_CUT_DROP);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v == 3 || v == 4 ? 0 : 1);
    sim_node_set_clear(&a);
    sim_node_set_clear(&b);
    teardown(&f);
}
END_TEST

START_TEST(a_cut_broker_stops_its_validators_traffic)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    SimNodeSet broker, all;
    sim_node_set_init(&broker, VALIDATORS + BROKERS + 1);
    sim_node_set_init(&all, VALIDATORS + BROKERS + 1);
    sim_node_set_add(&broker, VALIDATORS + 1);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        sim_node_set_add(&all, v);
    sim_network_add_cut(f.network, &broker, &all, FALSE, 0, SIM_TIME_NONE, SIM_CUT_DROP);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    /* Not run to the end: the validators cut off retry the broker for as long as the cut. */
    SimEngineLimits soon = {10 * SIM_S, 0};
    sim_engine_run(f.engine, &soon);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v % BROKERS == 1 ? 0 : 1);
    sim_node_set_clear(&broker);
    sim_node_set_clear(&all);
    teardown(&f);
}
END_TEST

START_TEST(validators_of_a_dead_broker_reconnect_through_the_marshal)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    uint32_t broker1 = VALIDATORS + 1;
    sim_network_host_crash(f.network, broker1);
    sim_transport_host_down(f.transport, broker1);
    /* Right after the crash: validator 1 (on broker 1) has no broker; what it sends is lost,
     * and a broadcast from 0 misses broker 1's users. */
    send(&f, 0, 1, SIM_SEND_BROADCAST, NULL, 0);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    SimEngineLimits soon = {100 * SIM_MS, 0};
    sim_engine_run(f.engine, &soon);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v % BROKERS == 1 ? 0 : 1);
    ck_assert_uint_eq(f.received[0], 0);
    const SimTransportStats *stats = sim_transport_stats(f.transport);
    ck_assert_uint_eq(stats->lost_disconnected, 1);
    /* A broker dead from the start: the first connections of its validators get no answer
     * (connect_timeout), and they try again after reconnect_delay. */
    run_all(&f);
    ck_assert_uint_eq(stats->dead_connections, 0);
    /* Then two round trips each, and the 4 moved to broker 0 or 2 (the fewest connections
     * first). */
    ck_assert_uint_eq(stats->reconnects, 4);
    /* The timeout and the pause, then a round trip to the marshal and one to the new broker
     * (one region). */
    SimDuration one_way = sim_network_base_latency(f.network, 1, VALIDATORS + BROKERS);
    ck_assert_uint_eq(stats->reconnect_gap_max, 5 * SIM_S + 2 * SIM_S + 4 * one_way);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_ne(sim_transport_broker_of(f.transport, v), 1);
    memset(f.received, 0, sizeof f.received);
    send(&f, sim_engine_now(f.engine), 1, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v == 1 ? 0 : 1);
    teardown(&f);
}
END_TEST

/* Cuts broker 1 off from every validator during [0, end). */
static void cut_broker1(Fixture *f, SimTime end)
{
    SimNodeSet broker, all;
    sim_node_set_init(&broker, VALIDATORS + BROKERS + 1);
    sim_node_set_init(&all, VALIDATORS + BROKERS + 1);
    sim_node_set_add(&broker, VALIDATORS + 1);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        sim_node_set_add(&all, v);
    sim_network_add_cut(f->network, &broker, &all, FALSE, 0, end, SIM_CUT_DROP);
    sim_node_set_clear(&broker);
    sim_node_set_clear(&all);
}

START_TEST(a_partitioned_broker_is_found_dead_within_the_idle_timeout)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    cut_broker1(&f, 60 * SIM_S);
    const SimTransportStats *stats = sim_transport_stats(f.transport);
    SimEngineLimits before = {30 * SIM_S - 1, 0};
    sim_engine_run(f.engine, &before);
    ck_assert_uint_eq(sim_transport_broker_of(f.transport, 1), 1);
    SimEngineLimits at = {30 * SIM_S, 0};
    sim_engine_run(f.engine, &at);
    /* Found dead: broker 1's four validators have no broker, and their sends fail. */
    ck_assert_uint_eq(stats->dead_connections, 4);
    for (uint32_t v = 1; v < VALIDATORS; v += BROKERS)
        ck_assert_uint_eq(sim_transport_broker_of(f.transport, v), UINT32_MAX);
    ck_assert_uint_eq(sim_transport_broker_of(f.transport, 0), 0);
    /* The marshal still deals broker 1 (it holds nobody now); its handshakes time out until the
     * cut heals at 60 s, then they connect again. */
    run_all(&f);
    ck_assert_uint_eq(stats->reconnects, 4);
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(sim_transport_broker_of(f.transport, v), v % BROKERS);
    ck_assert_uint_ge(sim_engine_now(f.engine), 60 * SIM_S);
    teardown(&f);
}
END_TEST

START_TEST(a_healthy_idle_connection_is_not_found_dead)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_CDN, 0);
    /* A 20 s interruption, shorter than the idle timeout: keep-alives get through after it. */
    cut_broker1(&f, 20 * SIM_S);
    run_all(&f);
    const SimTransportStats *stats = sim_transport_stats(f.transport);
    ck_assert_uint_eq(stats->dead_connections, 0);
    /* Ten idle minutes later the connections still carry a broadcast. */
    send(&f, 10 * 60 * SIM_S, 1, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    ck_assert_uint_eq(stats->dead_connections, 0);
    for (uint32_t v = 0; v < VALIDATORS; v++) {
        ck_assert_uint_eq(sim_transport_broker_of(f.transport, v), v % BROKERS);
        ck_assert_uint_eq(f.received[v], v == 1 ? 0 : 1);
    }
    teardown(&f);
}
END_TEST

/* --- the web-server network ------------------------------------------------------------------ */

START_TEST(web_post_goes_up_once_and_each_validator_polls_it)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_WEBSERVER, 0);
    uint32_t consensus = VALIDATORS, da = VALIDATORS + 1;
    ck_assert_str_eq(sim_transport_relay_name(f.transport, consensus), "web-consensus");
    ck_assert_str_eq(sim_transport_relay_name(f.transport, da), "web-da");
    ck_assert_uint_eq(sim_transport_servers(f.transport), 2);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    ck_assert_uint_eq(sent_by(&f, 0), 1); /* one POST */
    ck_assert_uint_eq(sent_by(&f, consensus), VALIDATORS - 1);
    ck_assert_uint_eq(sent_by(&f, da), 0);
    /* Each copy waits for its recipient's next poll: later than a copy straight from the
     * server, by at most one poll cycle; the poll phases differ per validator. */
    SimDuration one_way = sim_network_base_latency(f.network, 0, consensus);
    SimDuration wire = sim_time_transmit(1000, 1000000000);
    SimTime posted = one_way + wire, earliest = SIM_TIME_NONE, latest = 0;
    for (uint32_t v = 1; v < VALIDATORS; v++) {
        ck_assert_uint_eq(f.received[v], 1);
        ck_assert_uint_eq(f.last_source[v], 0);
        SimTime cycle = 100 * SIM_MS + 2 * one_way;
        ck_assert_uint_ge(f.last_time[v], posted + one_way);
        ck_assert_uint_le(f.last_time[v], posted + cycle + one_way + 2 * wire);
        earliest = MIN(earliest, f.last_time[v]);
        latest = MAX(latest, f.last_time[v]);
    }
    ck_assert_uint_gt(latest - earliest, 10 * SIM_MS);
    ck_assert_uint_eq(sim_transport_stats(f.transport)->relayed, VALIDATORS - 1);
    teardown(&f);
}
END_TEST

START_TEST(web_da_messages_go_to_the_da_server_and_committee)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_WEBSERVER, 4);
    uint32_t consensus = VALIDATORS, da = VALIDATORS + 1;
    uint32_t committee[] = {0, 1, 2, 3};
    SimSend how = {.cls = SIM_SEND_DA_BROADCAST, .da_class = TRUE};
    send_as(&f, 0, 2, how, committee, G_N_ELEMENTS(committee));
    uint32_t leader = 5;
    send_as(&f, 0, 1, (SimSend){.cls = SIM_SEND_DIRECT, .da_class = TRUE}, &leader, 1);
    run_all(&f);
    ck_assert_uint_eq(sent_by(&f, consensus), 0);
    ck_assert_uint_eq(sent_by(&f, da), 3 + 1); /* the three other members, and the leader */
    for (uint32_t v = 0; v < VALIDATORS; v++) {
        uint32_t expected = (v < 4 && v != 2) || v == leader ? 1 : 0;
        ck_assert_uint_eq(f.received[v] + f.received_plain[v], expected + (v == 2));
    }
    teardown(&f);
}
END_TEST

START_TEST(web_a_down_validator_gets_what_the_server_held_when_back)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_WEBSERVER, 0);
    uint32_t consensus = VALIDATORS;
    sim_network_host_crash(f.network, 3);
    sim_transport_host_down(f.transport, 3);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    SimEngineLimits soon = {1 * SIM_S, 0};
    sim_engine_run(f.engine, &soon);
    ck_assert_uint_eq(f.received[3], 0);
    ck_assert_uint_eq(f.received[4], 1);
    sim_network_host_restart(f.network, 3);
    sim_transport_host_up(f.transport, 3);
    run_all(&f);
    ck_assert_uint_eq(f.received[3], 1);
    /* A crashed server loses what it held. */
    memset(f.received, 0, sizeof f.received);
    sim_network_host_crash(f.network, 5);
    sim_transport_host_down(f.transport, 5);
    send(&f, sim_engine_now(f.engine), 0, SIM_SEND_BROADCAST, NULL, 0);
    SimTime now = sim_engine_now(f.engine);
    SimEngineLimits posted = {now + 50 * SIM_MS, 0};
    sim_engine_run(f.engine, &posted);
    sim_network_host_crash(f.network, consensus);
    sim_transport_host_down(f.transport, consensus);
    sim_network_host_restart(f.network, 5);
    sim_transport_host_up(f.transport, 5);
    run_all(&f);
    ck_assert_uint_eq(f.received[5], 0);
    ck_assert_uint_gt(sim_transport_stats(f.transport)->lost_disconnected, 0);
    teardown(&f);
}
END_TEST

START_TEST(direct_transport_sends_host_to_host)
{
    Fixture f;
    setup(&f, SIM_TRANSPORT_DIRECT, 0);
    ck_assert_uint_eq(sim_network_host_count(f.network), VALIDATORS);
    send(&f, 0, 0, SIM_SEND_BROADCAST, NULL, 0);
    run_all(&f);
    for (uint32_t v = 1; v < VALIDATORS; v++) {
        ck_assert_uint_eq(f.received_plain[v], 1);
        ck_assert_uint_eq(f.received[v], 0);
    }
    ck_assert_uint_eq(sent_by(&f, 0), VALIDATORS - 1);
    teardown(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("transport");
    TCase *tc = tcase_create("cdn");
    tcase_add_test(tc, broadcast_reaches_every_validator_and_each_other_broker_once);
    tcase_add_test(tc, direct_reaches_exactly_its_recipient);
    tcase_add_test(tc, da_topic_reaches_only_the_committee);
    tcase_add_test(tc, a_partition_between_validators_holds_through_the_brokers);
    tcase_add_test(tc, a_cut_broker_stops_its_validators_traffic);
    tcase_add_test(tc, validators_of_a_dead_broker_reconnect_through_the_marshal);
    tcase_add_test(tc, a_partitioned_broker_is_found_dead_within_the_idle_timeout);
    tcase_add_test(tc, a_healthy_idle_connection_is_not_found_dead);
    tcase_add_test(tc, direct_transport_sends_host_to_host);
    suite_add_tcase(s, tc);
    TCase *web = tcase_create("webserver");
    tcase_add_test(web, web_post_goes_up_once_and_each_validator_polls_it);
    tcase_add_test(web, web_da_messages_go_to_the_da_server_and_committee);
    tcase_add_test(web, web_a_down_validator_gets_what_the_server_held_when_back);
    suite_add_tcase(s, web);
    return s;
}
