/*
 * The combined network (sim/net/combined.h) through sim/net/transport.h: the primary failure
 * counter (a validator without a broker holds the CDN down after failures_max + 1 failed sends
 * and sends everything on libp2p), the re-probe every reprobe_every undelayed sends, the
 * delay-by-view check (the libp2p copy cancelled when the sender's view moved on, sent when it
 * did not), directs on both networks delivered once, VID shares on the CDN only, the
 * duplicate cache's eviction of its oldest entry, and what a crash forgets (counters, cache,
 * the delayed copies of the crashed sender).
 */
#include "sim/net/transport.h"

#include "sim/core/units.h"

#include "tests/check_main.h"

#include <string.h>

#define VALIDATORS 12
#define BROKERS    3
#define MARSHAL    (VALIDATORS + BROKERS)

typedef struct Fixture {
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    SimTransport *transport;
    uint16_t type;
    uint32_t received[VALIDATORS];       /* messages each validator's protocol got */
    uint32_t received_plain[VALIDATORS]; /* copies that came host to host */
    uint64_t view[VALIDATORS];           /* each validator's view (view_of) */
    uint32_t sequence;                   /* makes every message's bytes distinct */
} Fixture;

static void deliver(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    (void)network, (void)now, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, VALIDATORS);
    f->received[host]++;
}

static void plain(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                  void *user_data)
{
    (void)network, (void)now, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(host, VALIDATORS);
    f->received_plain[host]++;
}

static uint64_t view_of(void *user_data, uint32_t host)
{
    const Fixture *f = user_data;
    ck_assert_uint_lt(host, VALIDATORS);
    return f->view[host];
}

static void setup_capacity(Fixture *f, uint32_t dedup_capacity)
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
    SimRelaySetup relay = {.kind = SIM_TRANSPORT_COMBINED,
                           .seed = 1,
                           .rng_algorithm = sim_rng_xoshiro256ss,
                           .regions = f->regions,
                           .validators = VALIDATORS,
                           .first_relay = VALIDATORS,
                           .view_of = view_of,
                           .view_data = f};
    sim_transport_defaults(&relay);
    relay.cdn.brokers = BROKERS;
    relay.cdn.placement = "us-east-1";
    relay.cdn.marshal_region = "us-east-1";
    if (dedup_capacity > 0) relay.combined.dedup_capacity = dedup_capacity;
    ck_assert_uint_eq(sim_transport_relay_count(&relay), BROKERS + 1);
    f->network = sim_network_new(f->engine, &config, VALIDATORS + BROKERS + 1);
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
    ck_assert_ptr_nonnull(sim_transport_combined(f->transport));
}

static void setup(Fixture *f)
{
    setup_capacity(f, 0);
}

static void teardown(Fixture *f)
{
    sim_engine_free(f->engine);
    sim_transport_free(f->transport);
    sim_network_free(f->network);
    sim_regions_free(f->regions);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

/* Sends a message whose bytes are `tag` (so two sends with one tag are the same message). */
static void send_tagged(Fixture *f, uint32_t tag, SimTime ready, uint32_t source, SimSend how,
                        const uint32_t *targets, size_t count)
{
    GBytes *bytes = g_bytes_new(&tag, sizeof tag);
    SimMessage *message = sim_message_new(source, f->type, bytes, 1000);
    sim_transport_send(f->transport, ready, message, &how, targets, count);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

/* Sends a new message. */
static void send_as(Fixture *f, SimTime ready, uint32_t source, SimSend how,
                    const uint32_t *targets, size_t count)
{
    send_tagged(f, ++f->sequence, ready, source, how, targets, count);
}

static void run_until(Fixture *f, SimTime end)
{
    SimEngineLimits limits = {end, 0};
    sim_engine_run(f->engine, &limits);
}

static const SimTransportStats *stats(const Fixture *f)
{
    return sim_transport_stats(f->transport);
}

static const SimCombined *combined(const Fixture *f)
{
    return sim_transport_combined(f->transport);
}

/* Validator 0 loses its broker for good: broker 0 and the marshal crash. After time 0 it
 * learns of it once its connection has been silent for the idle timeout, which this waits. */
static void cut_off_validator_0(Fixture *f)
{
    uint32_t dead[] = {VALIDATORS + 0, MARSHAL};
    for (size_t i = 0; i < G_N_ELEMENTS(dead); i++) {
        sim_network_host_crash(f->network, dead[i]);
        sim_transport_host_down(f->transport, dead[i]);
    }
    SimTime now = sim_engine_now(f->engine);
    if (now > 0) run_until(f, now + 30 * SIM_S);
    ck_assert_uint_eq(sim_transport_broker_of(f->transport, 0), UINT32_MAX);
}

START_TEST(the_relays_are_the_cdns)
{
    Fixture f;
    setup(&f);
    ck_assert_uint_eq(sim_transport_brokers(f.transport), BROKERS);
    ck_assert_str_eq(sim_transport_relay_name(f.transport, VALIDATORS + 2), "broker2");
    ck_assert_str_eq(sim_transport_relay_name(f.transport, MARSHAL), "marshal");
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(sim_transport_broker_of(f.transport, v), v % BROKERS);
    size_t degree = 0;
    ck_assert_ptr_nonnull(sim_transport_mesh(f.transport, 0, &degree));
    ck_assert_uint_gt(degree, 0);
    teardown(&f);
}
END_TEST

START_TEST(failed_cdn_sends_declare_it_down_after_failures_max)
{
    Fixture f;
    setup(&f);
    cut_off_validator_0(&f);
    SimSend plain_broadcast = {.cls = SIM_SEND_BROADCAST};
    for (uint32_t i = 1; i <= 6; i++) {
        send_as(&f, 0, 0, plain_broadcast, NULL, 0);
        ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), i);
        ck_assert(!sim_combined_primary_down(combined(&f), 0));
    }
    ck_assert_uint_eq(stats(&f)->cdn_down, 0);
    /* The seventh send finds the counter above 5: the CDN is down. */
    send_as(&f, 0, 0, plain_broadcast, NULL, 0);
    ck_assert(sim_combined_primary_down(combined(&f), 0));
    ck_assert_uint_eq(stats(&f)->cdn_down, 1);
    /* Down: a delay-by-view broadcast goes on libp2p at once too, with no delay event. */
    SimSend delayed = {.cls = SIM_SEND_BROADCAST, .delay_by_view = TRUE, .view = 1};
    send_as(&f, 0, 0, delayed, NULL, 0);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 8);
    ck_assert_uint_eq(stats(&f)->lost_disconnected, 8); /* every CDN attempt found no broker */
    /* The egress accounting: no CDN copy without a broker, libp2p's flood publish at once. */
    ck_assert_uint_eq(sim_transport_uplink_copies(f.transport, 0, &delayed, NULL, 0),
                      VALIDATORS - 1);
    /* Validator 1 is connected: one copy to its broker, plus libp2p's unless delayed. */
    ck_assert_uint_eq(sim_transport_uplink_copies(f.transport, 1, &plain_broadcast, NULL, 0),
                      1 + VALIDATORS - 1);
    ck_assert_uint_eq(sim_transport_uplink_copies(f.transport, 1, &delayed, NULL, 0), 1);
    uint32_t to[] = {1, 5};
    SimSend share = {.cls = SIM_SEND_DIRECT, .primary_only = TRUE};
    ck_assert_uint_eq(sim_transport_uplink_copies(f.transport, 1, &share, to, 2), 2);
    run_until(&f, 900 * SIM_MS); /* before the delay would have expired */
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], 8); /* all of them, through libp2p only */
    ck_assert_uint_eq(stats(&f)->delayed_cancelled, 0);
    /* Other validators' CDN is fine. */
    ck_assert(!sim_combined_primary_down(combined(&f), 1));
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 1), 0);
    teardown(&f);
}
END_TEST

START_TEST(a_down_cdn_is_probed_again_every_reprobe_every_sends)
{
    Fixture f;
    setup(&f);
    cut_off_validator_0(&f);
    uint32_t to = 5;
    SimSend direct = {.cls = SIM_SEND_DIRECT};
    /* Sends 1-6 fail, 7 declares it down and is the first undelayed send while down; 7..56
     * are 50 of them; send 57 resets: up, counter at failures_max. */
    for (uint32_t i = 1; i <= 56; i++)
        send_as(&f, 0, 0, direct, &to, 1);
    ck_assert(sim_combined_primary_down(combined(&f), 0));
    ck_assert_uint_eq(stats(&f)->cdn_up, 0);
    send_as(&f, 0, 0, direct, &to, 1);
    ck_assert(!sim_combined_primary_down(combined(&f), 0));
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 5);
    ck_assert_uint_eq(stats(&f)->cdn_up, 1);
    /* The probe fails (still no broker): 58 fails, 59 finds the counter at 6 and gives up. */
    send_as(&f, 0, 0, direct, &to, 1);
    ck_assert(!sim_combined_primary_down(combined(&f), 0));
    send_as(&f, 0, 0, direct, &to, 1);
    ck_assert(sim_combined_primary_down(combined(&f), 0));
    ck_assert_uint_eq(stats(&f)->cdn_down, 2);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 59);
    run_until(&f, 5 * SIM_S);
    ck_assert_uint_eq(f.received[5], 59);
    teardown(&f);
}
END_TEST

START_TEST(a_delayed_copy_is_cancelled_when_the_view_moves_on)
{
    Fixture f;
    setup(&f);
    f.view[0] = 7;
    SimSend delayed = {.cls = SIM_SEND_BROADCAST, .delay_by_view = TRUE, .view = 7};
    send_as(&f, 0, 0, delayed, NULL, 0);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 0);
    run_until(&f, 500 * SIM_MS);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], 1); /* through the CDN */
    f.view[0] = 8;
    run_until(&f, 3 * SIM_S);
    ck_assert_uint_eq(stats(&f)->delayed_cancelled, 1);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 0);
    ck_assert_uint_eq(stats(&f)->duplicates, 0);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 0);
    ck_assert(!sim_combined_primary_down(combined(&f), 0));
    teardown(&f);
}
END_TEST

START_TEST(a_delayed_copy_goes_on_libp2p_when_the_view_stays)
{
    Fixture f;
    setup(&f);
    f.view[0] = 7;
    SimSend delayed = {.cls = SIM_SEND_BROADCAST, .delay_by_view = TRUE, .view = 7};
    send_as(&f, 0, 0, delayed, NULL, 0);
    run_until(&f, 999 * SIM_MS);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 0);
    run_until(&f, 5 * SIM_S);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 1);
    ck_assert_uint_eq(stats(&f)->delayed_cancelled, 0);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 1);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], 1); /* the libp2p copy was filtered */
    ck_assert_uint_ge(stats(&f)->duplicates, VALIDATORS - 1);
    /* A later delayed broadcast whose view moves on takes the failure back. */
    SimSend next = {.cls = SIM_SEND_BROADCAST, .delay_by_view = TRUE, .view = 8};
    f.view[0] = 9;
    send_as(&f, sim_engine_now(f.engine), 0, next, NULL, 0);
    run_until(&f, 10 * SIM_S);
    ck_assert_uint_eq(stats(&f)->delayed_cancelled, 1);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 0);
    teardown(&f);
}
END_TEST

START_TEST(a_da_broadcast_is_delayed_too_but_not_to_the_sender)
{
    Fixture f;
    setup(&f);
    uint32_t committee[] = {0, 1, 2, 3, 4};
    SimSend da = {.cls = SIM_SEND_DA_BROADCAST, .delay_by_view = TRUE, .view = 2, .da_class = 1};
    send_as(&f, 0, 0, da, committee, G_N_ELEMENTS(committee));
    run_until(&f, 5 * SIM_S);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 1); /* the view stayed */
    ck_assert_uint_eq(f.received_plain[0], 1);     /* its own copy once, locally */
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v < 5 ? 1 : 0);
    ck_assert_uint_eq(stats(&f)->duplicates, 4);
    teardown(&f);
}
END_TEST

START_TEST(a_direct_goes_on_both_networks_and_is_delivered_once)
{
    Fixture f;
    setup(&f);
    uint32_t to = 5;
    SimSend direct = {.cls = SIM_SEND_DIRECT, .delay_by_view = TRUE, .view = 3};
    send_as(&f, 0, 0, direct, &to, 1); /* the delay does not apply to directs */
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 1);
    run_until(&f, 5 * SIM_S);
    ck_assert_uint_eq(sim_network_counters(f.network, 5, f.type)->msgs_received, 2);
    ck_assert_uint_eq(f.received[5], 1);
    ck_assert_uint_eq(stats(&f)->duplicates, 1);
    for (uint32_t v = 0; v < VALIDATORS; v++) {
        if (v != 5) ck_assert_uint_eq(f.received[v], 0);
    }
    /* A broadcast without delay_by_view goes on both at once, too. */
    send_as(&f, sim_engine_now(f.engine), 0, (SimSend){.cls = SIM_SEND_BROADCAST}, NULL, 0);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 2);
    run_until(&f, 10 * SIM_S);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(f.received[v], v == 5 ? 2 : 1);
    teardown(&f);
}
END_TEST

START_TEST(a_vid_share_goes_on_the_cdn_only)
{
    Fixture f;
    setup(&f);
    uint32_t to = 4;
    SimSend share = {.cls = SIM_SEND_DIRECT, .delay_by_view = TRUE, .primary_only = TRUE};
    send_as(&f, 0, 0, share, &to, 1);
    run_until(&f, 5 * SIM_S);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 0);
    ck_assert_uint_eq(sim_network_counters(f.network, 4, f.type)->msgs_received, 1);
    ck_assert_uint_eq(f.received[4], 1);
    /* Even without a broker: lost, and no failure is counted. */
    cut_off_validator_0(&f);
    send_as(&f, sim_engine_now(f.engine), 0, share, &to, 1);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 0);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 0);
    teardown(&f);
}
END_TEST

START_TEST(the_duplicate_cache_evicts_its_oldest_entry)
{
    Fixture f;
    setup_capacity(&f, 2);
    uint32_t to = 5;
    SimSend direct = {.cls = SIM_SEND_DIRECT};
    for (uint32_t tag = 1; tag <= 3; tag++) {
        send_tagged(&f, tag, sim_engine_now(f.engine), 0, direct, &to, 1);
        run_until(&f, tag * 2 * SIM_S);
    }
    ck_assert_uint_eq(f.received[5], 3);
    ck_assert_uint_eq(stats(&f)->duplicates, 3);
    /* The cache holds 2 and 3: message 1 again is new to it (and evicts 2), 3 is not. */
    send_tagged(&f, 1, sim_engine_now(f.engine), 0, direct, &to, 1);
    run_until(&f, 10 * SIM_S);
    ck_assert_uint_eq(f.received[5], 4);
    ck_assert_uint_eq(stats(&f)->duplicates, 4);
    send_tagged(&f, 3, sim_engine_now(f.engine), 0, direct, &to, 1);
    run_until(&f, 12 * SIM_S);
    ck_assert_uint_eq(f.received[5], 4);
    ck_assert_uint_eq(stats(&f)->duplicates, 6);
    /* And 2 was evicted by 1. */
    send_tagged(&f, 2, sim_engine_now(f.engine), 0, direct, &to, 1);
    run_until(&f, 14 * SIM_S);
    ck_assert_uint_eq(f.received[5], 5);
    teardown(&f);
}
END_TEST

START_TEST(a_crash_forgets_the_counters_and_the_cache)
{
    Fixture f;
    setup(&f);
    uint32_t to = 5;
    SimSend direct = {.cls = SIM_SEND_DIRECT};
    send_tagged(&f, 1, 0, 0, direct, &to, 1);
    run_until(&f, 2 * SIM_S);
    ck_assert_uint_eq(f.received[5], 1);
    sim_network_host_crash(f.network, 5);
    sim_transport_host_down(f.transport, 5);
    sim_network_host_restart(f.network, 5);
    sim_transport_host_up(f.transport, 5);
    run_until(&f, 4 * SIM_S); /* it reconnects to a broker */
    ck_assert_uint_ne(sim_transport_broker_of(f.transport, 5), UINT32_MAX);
    send_tagged(&f, 1, sim_engine_now(f.engine), 0, direct, &to, 1);
    run_until(&f, 8 * SIM_S);
    ck_assert_uint_eq(f.received[5], 2);
    teardown(&f);
}
END_TEST

START_TEST(a_sender_that_crashes_during_the_delay_sends_nothing_later)
{
    Fixture f;
    setup(&f);
    cut_off_validator_0(&f);
    SimSend plain_broadcast = {.cls = SIM_SEND_BROADCAST};
    for (uint32_t i = 0; i < 3; i++)
        send_as(&f, 0, 0, plain_broadcast, NULL, 0);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 3);
    /* Validator 1 (on broker 1) sends a delayed broadcast, then crashes and comes back. */
    SimSend delayed = {.cls = SIM_SEND_BROADCAST, .delay_by_view = TRUE, .view = 4};
    f.view[1] = 4;
    send_as(&f, 0, 1, delayed, NULL, 0);
    run_until(&f, 500 * SIM_MS);
    sim_network_host_crash(f.network, 1);
    sim_transport_host_down(f.transport, 1);
    sim_network_host_restart(f.network, 1);
    sim_transport_host_up(f.transport, 1);
    run_until(&f, 3 * SIM_S);
    ck_assert_uint_eq(stats(&f)->libp2p_sends, 3); /* validator 0's only */
    ck_assert_uint_eq(stats(&f)->delayed_cancelled, 0);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 1), 0);
    /* A crash of validator 0 forgets its failures too. */
    sim_network_host_crash(f.network, 0);
    sim_transport_host_down(f.transport, 0);
    ck_assert_uint_eq(sim_combined_fail_counter(combined(&f), 0), 0);
    teardown(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("combined");
    TCase *tc = tcase_create("combined");
    tcase_add_test(tc, the_relays_are_the_cdns);
    tcase_add_test(tc, failed_cdn_sends_declare_it_down_after_failures_max);
    tcase_add_test(tc, a_down_cdn_is_probed_again_every_reprobe_every_sends);
    tcase_add_test(tc, a_delayed_copy_is_cancelled_when_the_view_moves_on);
    tcase_add_test(tc, a_delayed_copy_goes_on_libp2p_when_the_view_stays);
    tcase_add_test(tc, a_da_broadcast_is_delayed_too_but_not_to_the_sender);
    tcase_add_test(tc, a_direct_goes_on_both_networks_and_is_delivered_once);
    tcase_add_test(tc, a_vid_share_goes_on_the_cdn_only);
    tcase_add_test(tc, the_duplicate_cache_evicts_its_oldest_entry);
    tcase_add_test(tc, a_crash_forgets_the_counters_and_the_cache);
    tcase_add_test(tc, a_sender_that_crashes_during_the_delay_sends_nothing_later);
    suite_add_tcase(s, tc);
    return s;
}
