/*
 * Determinism of the engine and network: a randomized gossip workload that exercises jitter,
 * retransmissions, a partition, a degradation window, CPU charges and timers gives the same
 * trace digest every time for one seed, and a different digest for another seed; so does it over
 * the TCP model (sim/net/tcp.h).
 */
#include "sim/net/network.h"
#include "sim/net/placement.h"
#include "tests/check_main.h"

#include <string.h>

typedef struct Gossip {
    SimNetwork *network;
    SimRng rng;
    uint16_t type;
    uint64_t budget; /* messages left to send */
} Gossip;

static void forward(Gossip *g, uint32_t host, SimTime ready)
{
    if (g->budget == 0) return;
    g->budget--;
    uint32_t target = (uint32_t)sim_rng_below(&g->rng, sim_network_host_count(g->network));
    uint8_t body[16];
    sim_rng_bytes(&g->rng, body, sizeof body);
    GBytes *bytes = g_bytes_new(body, sizeof body);
    SimMessage *message = sim_message_new(host, g->type, bytes, 200 + sim_rng_below(&g->rng, 4000));
    sim_network_send(g->network, ready, message, target);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                    void *user_data)
{
    (void)message, (void)now;
    Gossip *g = user_data;
    SimTime ready = sim_network_cpu_charge(network, host, sim_rng_below(&g->rng, 50000));
    forward(g, host, ready);
    if (sim_rng_chance_ppm(&g->rng, 100000)) {
        sim_network_timer_set(network, host, 0, now + sim_rng_below(&g->rng, 10 * SIM_MS));
    }
}

static void on_timer(SimNetwork *network, uint32_t host, uint32_t timer, SimTime now,
                     void *user_data)
{
    (void)network, (void)timer;
    forward(user_data, host, now);
}

static void run(uint64_t seed, SimTcpMode tcp, char digest[65])
{
    GError *error = NULL;
    SimRegions *regions = sim_regions_new_default(&error);
    SimEngine *engine = sim_engine_new(seed, 1 << 20);
    SimNetworkConfig config = {.seed = seed,
                               .rng_algorithm = sim_rng_xoshiro256ss,
                               .regions = regions,
                               .loss_ppm = 20000,
                               .loss_mode = SIM_LOSS_RETRANSMIT,
                               .retransmit_timeout = 200 * SIM_MS};
    sim_tcp_preset(tcp, &config.tcp);
    ck_assert(sim_dist_parse("lognormal(median=5%, sigma=0.8)", SIM_QUANTITY_DURATION, TRUE,
                             &config.jitter, &error));
    enum { HOSTS = 64 };
    SimNetwork *network = sim_network_new(engine, &config, HOSTS);
    Gossip g = {network, {0}, 0, 20000};
    sim_rng_init(&g.rng, sim_rng_xoshiro256ss, seed, "gossip", 0);
    g.type = sim_network_register_type(network, "gossip");
    sim_network_set_handlers(network, receive, on_timer, &g);
    uint16_t placed[HOSTS];
    ck_assert(sim_placement_assign(regions, "all", HOSTS, placed, &error));
    for (uint32_t i = 0; i < HOSTS; i++) {
        SimHostConfig host = {placed[i], 100000000, 200000000, 1, 0};
        sim_network_host_configure(network, i, &host);
    }
    SimNodeSet left, right;
    sim_node_set_init(&left, HOSTS);
    sim_node_set_init(&right, HOSTS);
    sim_node_set_add_range(&left, 0, 31);
    sim_node_set_add_range(&right, 32, 63);
    sim_network_add_cut(network, &left, &right, FALSE, SIM_S, 2 * SIM_S, SIM_CUT_HOLD);
    sim_network_add_degradation(network, &right, &left, TRUE, 0, 3 * SIM_S, 2 * SIM_PPM_ONE,
                                4 * SIM_PPM_ONE, 0);
    for (uint32_t i = 0; i < 16; i++)
        forward(&g, i, 0);
    SimEngineLimits limits = {60 * SIM_S, 0};
    sim_engine_run(engine, &limits);
    ck_assert_uint_gt(sim_network_stats(network)->copies_delivered, 10000);
    sim_engine_digest_hex(engine, digest);
    sim_engine_free(engine);
    sim_network_free(network);
    sim_node_set_clear(&left);
    sim_node_set_clear(&right);
    sim_rng_clear(&g.rng);
    sim_regions_free(regions);
}

START_TEST(same_seed_same_digest)
{
    char a[65], b[65], c[65];
    run(11, SIM_TCP_IDEAL, a);
    run(11, SIM_TCP_IDEAL, b);
    run(12, SIM_TCP_IDEAL, c);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    /* With the TCP model: the same for one seed, and not the ideal links' digest. */
    char d[65], e[65];
    run(11, SIM_TCP_LINUX_DEFAULT, d);
    run(11, SIM_TCP_LINUX_DEFAULT, e);
    ck_assert_str_eq(d, e);
    ck_assert_str_ne(d, a);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("determinism");
    TCase *tc = tcase_create("network");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_seed_same_digest);
    suite_add_tcase(suite, tc);
    return suite;
}
