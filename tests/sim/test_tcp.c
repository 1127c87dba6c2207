/*
 * The TCP model (sim/net/tcp.h), alone and on the network: the presets' cited values, a long
 * transfer over a high-RTT link capped at window / RTT, slow start from the initial window,
 * slow start after idle (Linux's halving per RTO, and off), a crash resetting connections, and
 * tcp = ideal being exactly the latency + bandwidth model.
 */
#include "sim/net/network.h"
#include "sim/net/tcp.h"
#include "sim/core/units.h"

#include "tests/check_main.h"

#include <string.h>

#define MIB ((uint64_t)1 << 20)
/* us-east-1 <-> ap-southeast-2: 199.70 ms measured RTT (sim/net/data/latency_ms.csv). */
#define RTT_USE1_APSE2 ((SimDuration)199700000)
#define GBIT           ((uint64_t)1000000000)

START_TEST(presets_are_the_cited_values)
{
    SimTcpConfig c;
    sim_tcp_preset(SIM_TCP_IDEAL, &c);
    ck_assert(!c.enabled);
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &c);
    ck_assert(c.enabled);
    /* min(tcp_rmem max 6 MiB with tcp_adv_win_scale 1 -> 3 MiB, tcp_wmem max 4 MiB). */
    ck_assert_uint_eq(c.window, 3 * MIB);
    ck_assert_uint_eq(c.initial_window, 10); /* TCP_INIT_CWND, RFC 6928 */
    ck_assert_uint_eq(c.mss, 1448);          /* 1500 - 20 - 20 - 12 (timestamps) */
    ck_assert(c.slow_start_after_idle);
    ck_assert_uint_eq(c.rto_min, 200 * SIM_MS);
    ck_assert_uint_eq(sim_tcp_rto(&c, 100 * SIM_MS), 300 * SIM_MS);
    sim_tcp_preset(SIM_TCP_TUNED, &c);
    ck_assert_uint_eq(c.window, 16 * MIB); /* fasterdata's 32 MiB buffers, half advertised */
    ck_assert_str_eq(sim_tcp_mode_name(SIM_TCP_LINUX_DEFAULT), "linux-default");
}
END_TEST

/* Slow start doubles cwnd per round from the initial window: 14,480 bytes, then 28,960, ... */
START_TEST(slow_start_rounds)
{
    SimTcpConfig c;
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &c);
    SimTcpConn conn = {0};
    SimDuration rtt = 100 * SIM_MS;
    /* 14,480 * (2^3 - 1) = 101,360 bytes fit in three rounds; 101,361 take a fourth. */
    SimTime done = sim_tcp_send(&c, &conn, 0, 101360, rtt, 0);
    ck_assert_uint_eq(done, 2 * rtt);
    ck_assert_uint_eq(conn.cwnd, 4 * 14480); /* the third round's cwnd */
    SimTcpConn fresh = {0};
    ck_assert_uint_eq(sim_tcp_send(&c, &fresh, 0, 101361, rtt, 0), 3 * rtt);
    /* A message that fits the initial window leaves at once (link time aside). */
    SimTcpConn small = {0};
    ck_assert_uint_eq(sim_tcp_send(&c, &small, 5, 1000, rtt, 8000000), 5 + 1000000);
    /* ... and does not grow cwnd: the flow was not cwnd-limited. */
    ck_assert_uint_eq(sim_tcp_send(&c, &small, 5 + rtt, 1000, rtt, 0), 5 + rtt);
    ck_assert_uint_eq(small.cwnd, 14480);
}
END_TEST

/* A long transfer over a small window: once cwnd is the window, one window per RTT, the last
 * round's bytes leaving after their serialisation (the steady rounds are taken in one step,
 * which must agree with taking them one at a time). */
START_TEST(steady_rounds_are_one_window_per_rtt)
{
    SimTcpConfig c;
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &c);
    c.window = 10 * c.mss; /* the initial window: no slow start at all */
    SimDuration rtt = 50 * SIM_MS;
    uint64_t bps = 100000000;
    SimTcpConn conn = {0};
    /* 1000 windows and a half: 1000 full rounds, then 7,240 bytes in round 1001. */
    uint64_t bytes = 1000 * c.window + c.window / 2;
    SimTime done = sim_tcp_send(&c, &conn, SIM_S, bytes, rtt, bps);
    ck_assert_uint_eq(done, SIM_S + 1000 * rtt + sim_time_transmit(c.window / 2, bps));
    /* The same bytes in 1001 messages of at most a window each leave at the same time. */
    SimTcpConn piecewise = {0};
    SimTime last = 0;
    for (int i = 0; i < 1000; i++)
        last = sim_tcp_send(&c, &piecewise, SIM_S, c.window, rtt, bps);
    ck_assert_uint_eq(last, SIM_S + 999 * rtt + sim_time_transmit(c.window, bps));
    last = sim_tcp_send(&c, &piecewise, SIM_S, c.window / 2, rtt, bps);
    ck_assert_uint_eq(last, done);
    /* A window the link cannot send within one RTT is link-limited: the link's rate. */
    c.window = 64 * c.mss;
    SimTcpConn slow = {.cwnd = c.window, .round_start = 0, .done = 0};
    done = sim_tcp_send(&c, &slow, 0, 100 * c.window, rtt, 1000000);
    ck_assert_uint_eq(done, 100 * sim_time_transmit(c.window, 1000000));
}
END_TEST

/* Linux's tcp_cwnd_restart(): idle for 1.5 RTO halves cwnd once; for 30 s it is back to the
 * initial window; with slow_start_after_idle off it keeps the window. */
START_TEST(idle_restart_halves_per_rto)
{
    SimTcpConfig c;
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &c);
    SimDuration rtt = 100 * SIM_MS, rto = sim_tcp_rto(&c, rtt);
    SimTcpConn conn = {0};
    SimTime done = sim_tcp_send(&c, &conn, 0, 64 * MIB, rtt, 0);
    ck_assert_uint_eq(conn.cwnd, c.window);
    SimTcpConn saved = conn;
    /* 1.5 RTO idle: cwnd = 1.5 MiB, so 3 MiB takes two rounds. */
    SimTime t = done + rto + rto / 2;
    ck_assert_uint_eq(sim_tcp_send(&c, &conn, t, 3 * MIB, rtt, 0), t + rtt);
    /* Just one RTO idle: no decay, one round. */
    conn = saved;
    t = done + rto;
    ck_assert_uint_eq(sim_tcp_send(&c, &conn, t, 3 * MIB, rtt, 0), t);
    /* 30 s idle: the initial window again (63 * 14,480 < 1 MiB <= 127 * 14,480: 7 rounds). */
    conn = saved;
    t = done + 30 * SIM_S;
    ck_assert_uint_eq(sim_tcp_send(&c, &conn, t, MIB, rtt, 0), t + 6 * rtt);
    c.slow_start_after_idle = FALSE;
    conn = saved;
    ck_assert_uint_eq(sim_tcp_send(&c, &conn, t, MIB, rtt, 0), t);
}
END_TEST

/* --- on the network ------------------------------------------------------------------------ */

typedef struct Fixture {
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    uint16_t type;
    SimTime delivered[8];
    size_t len;
} Fixture;

static void receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    (void)network, (void)host, (void)message;
    Fixture *f = user_data;
    ck_assert_uint_lt(f->len, G_N_ELEMENTS(f->delivered));
    f->delivered[f->len++] = now;
}

/* Host 0 in us-east-1 with a 1 Gbit uplink, host 1 in ap-southeast-2 with an unlimited
 * downlink (so a delivery is the time the last byte left plus the one-way delay). */
static void setup(Fixture *f, const SimTcpConfig *tcp)
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
                               .retransmit_timeout = 200 * SIM_MS,
                               .tcp = *tcp};
    f->network = sim_network_new(f->engine, &config, 2);
    f->type = sim_network_register_type(f->network, "bulk");
    sim_network_set_handlers(f->network, receive, NULL, f);
    uint16_t use1, apse2;
    ck_assert(sim_regions_lookup(f->regions, "us-east-1", &use1));
    ck_assert(sim_regions_lookup(f->regions, "ap-southeast-2", &apse2));
    SimHostConfig sender = {use1, GBIT, GBIT, 1, 0}, receiver = {apse2, GBIT, 0, 1, 0};
    sim_network_host_configure(f->network, 0, &sender);
    sim_network_host_configure(f->network, 1, &receiver);
    ck_assert_uint_eq(sim_network_base_latency(f->network, 0, 1) +
                          sim_network_base_latency(f->network, 1, 0),
                      RTT_USE1_APSE2);
}

static void teardown(Fixture *f)
{
    sim_engine_free(f->engine);
    sim_network_free(f->network);
    sim_regions_free(f->regions);
    ck_assert_uint_eq(sim_message_live_count(), 0);
}

static void send_at(Fixture *f, SimTime ready, uint64_t size)
{
    GBytes *bytes = g_bytes_new("bulk", 4);
    SimMessage *message = sim_message_new(0, f->type, bytes, size);
    sim_network_send(f->network, ready, message, 1);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void run_until(Fixture *f, SimTime t)
{
    SimEngineLimits limits = {t, 0};
    sim_engine_run(f->engine, &limits);
}

/* A bulk transfer over one cross-ocean connection: once slow start is over, 96 MiB move at
 * window / RTT (3 MiB / 199.7 ms = 15.75 MB/s, an eighth of the 1 Gbit link), within 5 %. */
START_TEST(bulk_transfer_reaches_window_over_rtt)
{
    Fixture f;
    SimTcpConfig tcp;
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &tcp);
    setup(&f, &tcp);
    send_at(&f, 0, 64 * MIB); /* warms the connection up */
    send_at(&f, 0, 96 * MIB);
    run_until(&f, 600 * SIM_S);
    ck_assert_uint_eq(f.len, 2);
    double seconds = (double)(f.delivered[1] - f.delivered[0]) / 1e9;
    double rate = (double)(96 * MIB) / seconds;
    double cap = (double)tcp.window / ((double)RTT_USE1_APSE2 / 1e9);
    ck_assert_double_le(rate, cap * 1.05);
    ck_assert_double_ge(rate, cap * 0.95);
    ck_assert_double_lt(rate, (double)GBIT / 8 / 4); /* far below the link */
    teardown(&f);

    /* The tuned window is 16 MiB: the same transfer moves five times faster, still capped. */
    sim_tcp_preset(SIM_TCP_TUNED, &tcp);
    setup(&f, &tcp);
    send_at(&f, 0, 64 * MIB);
    send_at(&f, 0, 96 * MIB);
    run_until(&f, 600 * SIM_S);
    ck_assert_uint_eq(f.len, 2);
    rate = (double)(96 * MIB) / ((double)(f.delivered[1] - f.delivered[0]) / 1e9);
    cap = (double)tcp.window / ((double)RTT_USE1_APSE2 / 1e9);
    ck_assert_double_le(rate, cap * 1.05);
    ck_assert_double_ge(rate, cap * 0.95);
    teardown(&f);
}
END_TEST

/* The first message after an idle pays the slow-start rounds again; without
 * slow_start_after_idle it goes at the link's rate. */
START_TEST(first_message_after_idle_slow_starts)
{
    for (int after_idle = 1; after_idle >= 0; after_idle--) {
        Fixture f;
        SimTcpConfig tcp;
        sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &tcp);
        tcp.slow_start_after_idle = after_idle;
        setup(&f, &tcp);
        send_at(&f, 0, 64 * MIB);
        run_until(&f, 30 * SIM_S);
        ck_assert_uint_eq(f.len, 1);
        SimTime t = 40 * SIM_S;
        send_at(&f, t, MIB);
        run_until(&f, 100 * SIM_S);
        ck_assert_uint_eq(f.len, 2);
        SimDuration one_way = RTT_USE1_APSE2 / 2;
        /* 63 * 14,480 = 912,240 bytes in six rounds; the last 136,336 in the seventh. */
        SimTime expected = after_idle ? t + 6 * RTT_USE1_APSE2 + sim_time_transmit(136336, GBIT)
                                      : t + sim_time_transmit(MIB, GBIT);
        ck_assert_uint_eq(f.delivered[1], expected + one_way);
        teardown(&f);
    }
}
END_TEST

/* A crash ends a host's connections both ways: after the receiver restarts, the warm
 * connection to it starts again from the initial window even with slow start after idle off. */
START_TEST(a_crash_resets_the_connection)
{
    Fixture f;
    SimTcpConfig tcp;
    sim_tcp_preset(SIM_TCP_LINUX_DEFAULT, &tcp);
    tcp.slow_start_after_idle = FALSE;
    setup(&f, &tcp);
    send_at(&f, 0, 64 * MIB);
    run_until(&f, 30 * SIM_S);
    ck_assert_uint_eq(f.len, 1);
    sim_network_host_crash(f.network, 1);
    sim_network_host_restart(f.network, 1);
    SimTime t = 40 * SIM_S;
    send_at(&f, t, MIB);
    run_until(&f, 100 * SIM_S);
    ck_assert_uint_eq(f.len, 2);
    ck_assert_uint_eq(f.delivered[1], t + 6 * RTT_USE1_APSE2 + sim_time_transmit(136336, GBIT) +
                                          RTT_USE1_APSE2 / 2);
    teardown(&f);
}
END_TEST

/* tcp = ideal is the old model exactly: ready + S*8/B_up + latency (+ S*8/B_down = 0 here),
 * with no window however large the message and however long the path. */
START_TEST(ideal_is_the_old_model)
{
    Fixture f;
    SimTcpConfig tcp;
    sim_tcp_preset(SIM_TCP_IDEAL, &tcp);
    setup(&f, &tcp);
    send_at(&f, 0, 64 * MIB);
    send_at(&f, 0, MIB);
    run_until(&f, 600 * SIM_S);
    ck_assert_uint_eq(f.len, 2);
    SimDuration one_way = RTT_USE1_APSE2 / 2;
    ck_assert_uint_eq(f.delivered[0], sim_time_transmit(64 * MIB, GBIT) + one_way);
    ck_assert_uint_eq(f.delivered[1], sim_time_transmit(65 * MIB, GBIT) + one_way);
    teardown(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("tcp");
    TCase *tc = tcase_create("tcp");
    tcase_add_test(tc, presets_are_the_cited_values);
    tcase_add_test(tc, slow_start_rounds);
    tcase_add_test(tc, steady_rounds_are_one_window_per_rtt);
    tcase_add_test(tc, idle_restart_halves_per_rto);
    tcase_add_test(tc, bulk_transfer_reaches_window_over_rtt);
    tcase_add_test(tc, first_message_after_idle_slow_starts);
    tcase_add_test(tc, a_crash_resets_the_connection);
    tcase_add_test(tc, ideal_is_the_old_model);
    suite_add_tcase(s, tc);
    return s;
}
