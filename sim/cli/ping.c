/* The ping demo: a tiny workload on the real engine and network; see ping.h. */
#include "sim/cli/ping.h"

#include "sim/core/assert.h"
#include "sim/net/network.h"
#include "sim/net/placement.h"
#include "sim/core/units.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_REGIONS "us-east-1, eu-west-1, ap-northeast-1, sa-east-1"

typedef struct PingSettings {
    char *regions_text;
    uint32_t hosts;
    uint64_t size;
    uint64_t bandwidth;
    uint64_t seed;
    SimDist jitter;
} PingSettings;

typedef struct PingRun {
    uint32_t hosts;
    uint64_t size;
    uint16_t type_ping;
    uint16_t type_pong;
    SimTime *one_way;    /* [source * hosts + target], measured source -> target */
    SimTime *round_trip; /* [source * hosts + target] */
} PingRun;

/* Pings carry their send time so the receiver measures the one-way delay on its own. */
static GBytes *stamp(SimTime t)
{
    uint8_t buf[8];
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(t >> (8 * i));
    return g_bytes_new(buf, sizeof buf);
}

static SimTime read_stamp(const SimMessage *message)
{
    gsize len = 0;
    const uint8_t *buf = g_bytes_get_data(sim_message_bytes(message), &len);
    SIM_ASSERT(len == 8);
    SimTime t = 0;
    for (int i = 7; i >= 0; i--)
        t = (t << 8) | buf[i];
    return t;
}

static void send_stamped(SimNetwork *network, PingRun *run, uint32_t source, uint16_t type,
                         SimTime sent_at, uint32_t target)
{
    GBytes *bytes = stamp(sent_at);
    SimMessage *message = sim_message_new(source, type, bytes, run->size);
    sim_network_send(network, sim_engine_now(sim_network_engine(network)), message, target);
    sim_message_unref(message);
    g_bytes_unref(bytes);
}

static void ping_receive(SimNetwork *network, uint32_t host, const SimMessage *message, SimTime now,
                         void *user_data)
{
    PingRun *run = user_data;
    uint32_t source = sim_message_source(message);
    SimTime sent_at = read_stamp(message);
    if (sim_message_type(message) == run->type_ping) {
        run->one_way[(size_t)source * run->hosts + host] = now - sent_at;
        send_stamped(network, run, host, run->type_pong, sent_at, source);
    } else {
        run->round_trip[(size_t)host * run->hosts + source] = now - sent_at;
    }
}

static void print_matrix(const char *title, const SimTime *values, const SimRegions *regions,
                         const uint16_t *placed, uint32_t n)
{
    printf("\n%s, ms\n%-16s", title, "from \\ to");
    for (uint32_t j = 0; j < n; j++)
        printf(" %14s", sim_regions_name(regions, placed[j]));
    printf("\n");
    for (uint32_t i = 0; i < n; i++) {
        printf("%-16s", sim_regions_name(regions, placed[i]));
        for (uint32_t j = 0; j < n; j++) {
            if (i == j) {
                printf(" %14s", "-");
            } else {
                printf(" %14.3f", (double)values[(size_t)i * n + j] / 1e6);
            }
        }
        printf("\n");
    }
}

static gboolean parse_settings(int *argc, char ***argv, PingSettings *s, GError **error)
{
    char *size = NULL, *jitter = NULL, *bandwidth = NULL;
    gint64 seed = 1;
    GOptionEntry entries[] = {
        {"regions", 0, 0, G_OPTION_ARG_STRING, &s->regions_text,
         "comma-separated regions (default: " DEFAULT_REGIONS ")", "LIST"},
        {"size", 0, 0, G_OPTION_ARG_STRING, &size, "message size (default 64B)", "SIZE"},
        {"jitter", 0, 0, G_OPTION_ARG_STRING, &jitter, "jitter distribution (default none)",
         "DIST"},
        {"bandwidth", 0, 0, G_OPTION_ARG_STRING, &bandwidth,
         "uplink and downlink of every host (default 1Gbit)", "RATE"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "run seed (default 1)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context =
        g_option_context_new("- measure one-way delays between regions through the model");
    g_option_context_add_main_entries(context, entries, NULL);
    s->size = 64;
    s->bandwidth = 1000000000;
    s->jitter = (SimDist)SIM_DIST_NONE_INIT;
    GError *inner = NULL;
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    if (ok) {
        ok = (size == NULL || sim_quantity_parse(size, SIM_QUANTITY_SIZE, &s->size, &inner)) &&
             (bandwidth == NULL ||
              sim_quantity_parse(bandwidth, SIM_QUANTITY_BANDWIDTH, &s->bandwidth, &inner)) &&
             (jitter == NULL ||
              sim_dist_parse(jitter, SIM_QUANTITY_DURATION, TRUE, &s->jitter, &inner));
        if (!ok) g_propagate_error(error, inner);
    }
    if (ok && seed < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seed must not be negative");
        ok = FALSE;
    }
    s->seed = (uint64_t)seed;
    if (s->regions_text == NULL) s->regions_text = g_strdup(DEFAULT_REGIONS);
    char **names = g_strsplit(s->regions_text, ",", -1);
    s->hosts = g_strv_length(names);
    g_strfreev(names);
    if (ok && s->hosts < 2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--regions needs at least two regions");
        ok = FALSE;
    }
    g_free(size), g_free(jitter), g_free(bandwidth);
    g_option_context_free(context);
    return ok;
}

static void run_pings(const PingSettings *s, const SimRegions *regions, const uint16_t *placed)
{
    SimEngine *engine = sim_engine_new(s->seed, (size_t)4 * s->hosts * s->hosts + 16);
    SimNetworkConfig config = {.seed = s->seed,
                               .rng_algorithm = sim_rng_xoshiro256ss,
                               .regions = regions,
                               .jitter = s->jitter,
                               .retransmit_timeout = 200 * SIM_MS};
    SimNetwork *network = sim_network_new(engine, &config, s->hosts);
    PingRun run = {s->hosts,
                   s->size,
                   0,
                   0,
                   g_new0(SimTime, (size_t)s->hosts * s->hosts),
                   g_new0(SimTime, (size_t)s->hosts * s->hosts)};
    run.type_ping = sim_network_register_type(network, "ping");
    run.type_pong = sim_network_register_type(network, "pong");
    sim_network_set_handlers(network, ping_receive, NULL, &run);
    for (uint32_t i = 0; i < s->hosts; i++) {
        SimHostConfig host = {placed[i], s->bandwidth, s->bandwidth, 1, 0};
        sim_network_host_configure(network, i, &host);
    }
    for (uint32_t i = 0; i < s->hosts; i++) {
        for (uint32_t j = 0; j < s->hosts; j++) {
            if (i != j) send_stamped(network, &run, i, run.type_ping, 0, j);
        }
    }
    SimEngineLimits limits = {SIM_TIME_NONE, 0};
    sim_engine_run(engine, &limits);
    char *jitter = sim_dist_describe(&s->jitter);
    char *bandwidth = sim_quantity_format(s->bandwidth, SIM_QUANTITY_BANDWIDTH);
    printf("shotglass ping: %u hosts, %" G_GUINT64_FORMAT "-byte messages, links %s, jitter %s, "
           "seed %" G_GUINT64_FORMAT "\n",
           s->hosts, s->size, bandwidth, jitter, s->seed);
    printf("every host pings every other at t=0; each ping queues behind the earlier ones on its "
           "sender's uplink\n");
    print_matrix("measured one-way delay", run.one_way, regions, placed, s->hosts);
    print_matrix("measured round trip", run.round_trip, regions, placed, s->hosts);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(engine, digest);
    printf("\n%" G_GUINT64_FORMAT " events, trace digest %s\n", sim_engine_events_run(engine),
           digest);
    printf("latency data: CloudPing p50 RTT over the year to 2025-05-29 (one-way = RTT/2); "
           "see sim/net/data/SOURCES.md\n");
    g_free(jitter);
    g_free(bandwidth);
    g_free(run.one_way);
    g_free(run.round_trip);
    sim_engine_free(engine);
    sim_network_free(network);
}

int sim_ping_main(int argc, char **argv)
{
    PingSettings settings = {0};
    GError *error = NULL;
    SimRegions *regions = sim_regions_new_default(&error);
    SIM_ASSERT(regions != NULL); /* the data is compiled in */
    uint16_t *placed = NULL;
    int status = 0;
    if (!parse_settings(&argc, &argv, &settings, &error)) {
        status = 2;
    } else {
        placed = g_new(uint16_t, settings.hosts);
        if (!sim_placement_assign(regions, settings.regions_text, settings.hosts, placed, &error)) {
            status = 2;
        } else {
            run_pings(&settings, regions, placed);
        }
    }
    if (status != 0) {
        fprintf(stderr, "shotglass ping: %s\n", error->message);
        g_error_free(error);
    }
    g_free(placed);
    g_free(settings.regions_text);
    sim_regions_free(regions);
    return status;
}
