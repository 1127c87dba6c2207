/* `shotglass run` flags and summary; see run_cli.h. */
#include "sim/run_cli.h"

#include "sim/assert.h"
#include "sim/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct Flags {
    gint64 nodes, views, seed, blocks;
    char *crypto, *regions, *view_timeout, *view_sync_timeout, *leaders, *stake, *bandwidth,
        *jitter, *time_limit, *loss;
    gboolean three_chain, quiet, da;
    char **crash, **restart, **byzantine;
    gint64 da_committee, rollups;
    char *block_max, *payloads, *builder_delay, *builder_timeout, *tx_rate, *tx_size, *via_rpc,
        *rollup_fetch, *rollup_regions, *tx_until, *data_request_delay;
} Flags;

static gboolean fail(GError **error, const char *flag, const char *why)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", flag, why);
    return FALSE;
}

static gboolean quantity(const char *flag, const char *text, SimQuantityKind kind, uint64_t *out,
                         GError **error)
{
    GError *inner = NULL;
    if (text == NULL || sim_quantity_parse(text, kind, out, &inner)) return TRUE;
    fail(error, flag, inner->message);
    g_error_free(inner);
    return FALSE;
}

/* "--crash 0-3@10s": the nodes and the virtual time of a crash or restart. */
static gboolean fault_flags(SimRunConfig *c, char **items, SimFaultKind kind, const char *flag,
                            GError **error)
{
    for (guint i = 0; items != NULL && items[i] != NULL; i++) {
        char **parts = g_strsplit(items[i], "@", 2);
        SimNodeSet set;
        sim_node_set_init(&set, c->nodes);
        uint64_t at = 0;
        GError *inner = NULL;
        gboolean ok = parts[0] && parts[1] && sim_node_set_parse(&set, parts[0], &inner) &&
                      sim_quantity_parse(parts[1], SIM_QUANTITY_DURATION, &at, &inner);
        if (ok) sim_run_config_add_fault(c, kind, at, &set);
        if (!ok) {
            fail(error, flag, inner ? inner->message : "expected NODES@TIME, such as 0-3@10s");
            g_clear_error(&inner);
        }
        sim_node_set_clear(&set);
        g_strfreev(parts);
        if (!ok) return FALSE;
    }
    return TRUE;
}

/* "--byzantine 0,3=silent": the nodes and their behaviour. */
static gboolean byzantine_flags(SimRunConfig *c, char **items, GError **error)
{
    for (guint i = 0; items != NULL && items[i] != NULL; i++) {
        char **parts = g_strsplit(items[i], "=", 2);
        SimNodeSet set;
        sim_node_set_init(&set, c->nodes);
        ProtoByzantineKind kind = PROTO_BYZANTINE_NONE;
        GError *inner = NULL;
        gboolean ok = parts[0] && parts[1] && sim_node_set_parse(&set, parts[0], &inner) &&
                      proto_byzantine_lookup(g_strstrip(parts[1]), &kind) &&
                      kind != PROTO_BYZANTINE_NONE;
        if (ok) sim_run_config_add_byzantine(c, kind, &set);
        if (!ok) {
            char *why = inner ? g_strdup(inner->message)
                              : g_strdup_printf("expected NODES=BEHAVIOUR with a behaviour of:\n%s",
                                                proto_byzantine_help());
            fail(error, "--byzantine", why);
            g_free(why);
            g_clear_error(&inner);
        }
        sim_node_set_clear(&set);
        g_strfreev(parts);
        if (!ok) return FALSE;
    }
    return TRUE;
}

static gboolean choice(const char *flag, const char *text, const char *a, const char *b,
                       gboolean *is_b, GError **error)
{
    if (text == NULL) return TRUE;
    if (strcmp(text, a) == 0 || strcmp(text, b) == 0) {
        *is_b = strcmp(text, b) == 0;
        return TRUE;
    }
    char *why = g_strdup_printf("expected %s or %s, got \"%s\"", a, b, text);
    fail(error, flag, why);
    g_free(why);
    return FALSE;
}

static gboolean stake_flag(SimRunConfig *c, const char *text, GError **error)
{
    if (text == NULL || strcmp(text, "equal") == 0) return TRUE;
    uint64_t s = 0;
    GError *inner = NULL;
    if (g_str_has_prefix(text, "zipf(s=") && g_str_has_suffix(text, ")")) {
        char *number = g_strndup(text + 7, strlen(text) - 8);
        gboolean ok = sim_quantity_parse(number, SIM_QUANTITY_FACTOR, &s, &inner);
        g_free(number);
        if (ok) {
            c->stake_kind = SIM_STAKE_ZIPF;
            c->stake_zipf_ppm = s;
            return TRUE;
        }
        g_clear_error(&inner);
    }
    return fail(error, "--stake", "expected equal or zipf(s=NUMBER), such as zipf(s=1.1)");
}

static gboolean apply_da(const Flags *f, SimRunConfig *c, GError **error)
{
    gboolean real = FALSE, from_vid = FALSE;
    c->da = f->da || f->rollups > 0;
    if (f->da_committee < 0 || f->rollups < 0) {
        return fail(error, "--da-committee/--rollups", "must not be negative");
    }
    if (f->da_committee > 0) c->da_committee = (uint32_t)f->da_committee;
    if (c->da_committee > c->nodes) c->da_committee = c->nodes;
    c->rollups = (uint32_t)f->rollups;
    if (f->rollup_regions != NULL) {
        g_free(c->rollup_placement);
        c->rollup_placement = g_strdup(f->rollup_regions);
    }
    gboolean ok = choice("--payloads", f->payloads, "synthetic", "real", &real, error) &&
                  choice("--rollup-fetch", f->rollup_fetch, "da", "vid", &from_vid, error) &&
                  quantity("--block-max", f->block_max, SIM_QUANTITY_SIZE, &c->block_max, error) &&
                  quantity("--builder-delay", f->builder_delay, SIM_QUANTITY_DURATION,
                           &c->builder_delay, error) &&
                  quantity("--builder-timeout", f->builder_timeout, SIM_QUANTITY_DURATION,
                           &c->builder_timeout, error) &&
                  quantity("--data-request-delay", f->data_request_delay, SIM_QUANTITY_DURATION,
                           &c->data_request_delay, error) &&
                  quantity("--tx-rate", f->tx_rate, SIM_QUANTITY_RATE, &c->tx_rate_mhz, error) &&
                  quantity("--via-rpc", f->via_rpc, SIM_QUANTITY_RATIO, &c->rpc_ppm, error) &&
                  quantity("--tx-until", f->tx_until, SIM_QUANTITY_DURATION, &c->tx_end, error);
    if (ok && f->tx_size != NULL) {
        GError *inner = NULL;
        ok = sim_dist_parse(f->tx_size, SIM_QUANTITY_SIZE, FALSE, &c->tx_size, &inner);
        if (!ok) fail(error, "--tx-size", inner->message), g_clear_error(&inner);
    }
    c->synthetic = !real;
    c->rollup_fetch = from_vid ? PROTO_ROLLUP_FROM_VID : PROTO_ROLLUP_FROM_DA;
    return ok;
}

static gboolean apply(const Flags *f, SimRunConfig *c, GError **error)
{
    gboolean real = FALSE, round_robin = FALSE;
    if (f->nodes < 1 || f->nodes > 100000) return fail(error, "--nodes", "expected 1 to 100000");
    if (f->views < 0 || f->seed < 0 || f->blocks < 0) {
        return fail(error, "--views/--seed/--blocks", "must not be negative");
    }
    c->nodes = (uint32_t)f->nodes;
    c->views_max = (uint64_t)f->views;
    c->blocks_max = (uint64_t)f->blocks;
    c->seed = (uint64_t)f->seed;
    c->three_chain = f->three_chain;
    if (f->regions) {
        g_free(c->placement);
        c->placement = g_strdup(f->regions);
    }
    uint64_t bandwidth = c->uplink_bps;
    gboolean ok =
        choice("--crypto", f->crypto, "modeled", "real", &real, error) &&
        choice("--leaders", f->leaders, "stake-weighted", "round-robin", &round_robin, error) &&
        quantity("--view-timeout", f->view_timeout, SIM_QUANTITY_DURATION, &c->view_timeout,
                 error) &&
        quantity("--view-sync-timeout", f->view_sync_timeout, SIM_QUANTITY_DURATION,
                 &c->view_sync_timeout, error) &&
        quantity("--bandwidth", f->bandwidth, SIM_QUANTITY_BANDWIDTH, &bandwidth, error) &&
        quantity("--time-limit", f->time_limit, SIM_QUANTITY_DURATION, &c->end_time, error) &&
        quantity("--loss", f->loss, SIM_QUANTITY_RATIO, &c->loss_ppm, error) &&
        stake_flag(c, f->stake, error) &&
        fault_flags(c, f->crash, SIM_FAULT_CRASH, "--crash", error) &&
        fault_flags(c, f->restart, SIM_FAULT_RESTART, "--restart", error) &&
        byzantine_flags(c, f->byzantine, error);
    if (ok && f->jitter != NULL) {
        GError *inner = NULL;
        ok = sim_dist_parse(f->jitter, SIM_QUANTITY_DURATION, TRUE, &c->jitter, &inner);
        if (!ok) fail(error, "--jitter", inner->message), g_clear_error(&inner);
    }
    if (ok && (c->view_timeout == 0 || c->view_sync_timeout == 0)) {
        ok = fail(error, "--view-timeout", "timeouts must be positive");
    }
    c->crypto = real ? PROTO_CRYPTO_REAL : PROTO_CRYPTO_MODELED;
    c->leaders = round_robin ? PROTO_LEADER_ROUND_ROBIN : PROTO_LEADER_STAKE_WEIGHTED;
    c->uplink_bps = c->downlink_bps = bandwidth;
    return ok && apply_da(f, c, error);
}

static gboolean parse(int *argc, char ***argv, Flags *f, GError **error)
{
    f->nodes = 10, f->views = 100, f->seed = 1;
    GOptionEntry entries[] = {
        {"nodes", 0, 0, G_OPTION_ARG_INT64, &f->nodes, "validators (default 10)", "N"},
        {"views", 0, 0, G_OPTION_ARG_INT64, &f->views,
         "stop when a node enters view N+1 (default 100; 0 = no limit)", "N"},
        {"blocks", 0, 0, G_OPTION_ARG_INT64, &f->blocks, "stop after N decided blocks", "N"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &f->seed, "run seed (default 1)", "S"},
        {"crypto", 0, 0, G_OPTION_ARG_STRING, &f->crypto, "modeled (default) or real", "MODE"},
        {"regions", 0, 0, G_OPTION_ARG_STRING, &f->regions,
         "placement over regions (default: four regions, 25% each)", "PLACEMENT"},
        {"view-timeout", 0, 0, G_OPTION_ARG_STRING, &f->view_timeout, "default 10s", "D"},
        {"view-sync-timeout", 0, 0, G_OPTION_ARG_STRING, &f->view_sync_timeout, "default 1s", "D"},
        {"leaders", 0, 0, G_OPTION_ARG_STRING, &f->leaders,
         "stake-weighted (default) or round-robin", "RULE"},
        {"three-chain", 0, 0, G_OPTION_ARG_NONE, &f->three_chain, "legacy three-chain decide rule",
         NULL},
        {"stake", 0, 0, G_OPTION_ARG_STRING, &f->stake, "equal (default) or zipf(s=1.1)", "DIST"},
        {"bandwidth", 0, 0, G_OPTION_ARG_STRING, &f->bandwidth,
         "uplink and downlink per node (default 1Gbit)", "RATE"},
        {"jitter", 0, 0, G_OPTION_ARG_STRING, &f->jitter, "extra one-way delay distribution",
         "DIST"},
        {"loss", 0, 0, G_OPTION_ARG_STRING, &f->loss, "loss rate, costing retransmissions", "R"},
        {"time-limit", 0, 0, G_OPTION_ARG_STRING, &f->time_limit, "virtual time limit", "D"},
        {"crash", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->crash, "crash nodes at a time", "IDS@T"},
        {"restart", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->restart, "restart crashed nodes at a time",
         "IDS@T"},
        {"byzantine", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->byzantine,
         "make nodes Byzantine: silent, equivocate or fork", "IDS=BEHAVIOUR"},
        {"da", 0, 0, G_OPTION_ARG_NONE, &f->da,
         "data availability: DA committee, VID shares, payloads (implied by --rollups)", NULL},
        {"da-committee", 0, 0, G_OPTION_ARG_INT64, &f->da_committee,
         "DA committee members: validators 0..N-1 (default 10)", "N"},
        {"block-max", 0, 0, G_OPTION_ARG_STRING, &f->block_max, "largest block (default 1MB)",
         "SIZE"},
        {"payloads", 0, 0, G_OPTION_ARG_STRING, &f->payloads,
         "synthetic (default: sizes only) or real (bytes, erasure coded)", "FORM"},
        {"builder-delay", 0, 0, G_OPTION_ARG_STRING, &f->builder_delay,
         "builder's response time (default 100ms)", "D"},
        {"builder-timeout", 0, 0, G_OPTION_ARG_STRING, &f->builder_timeout,
         "a leader's wait for its block (default 1s)", "D"},
        {"data-request-delay", 0, 0, G_OPTION_ARG_STRING, &f->data_request_delay,
         "before asking DA members for a missing share (default 5s)", "D"},
        {"rollups", 0, 0, G_OPTION_ARG_INT64, &f->rollups, "rollups (namespaces) with users", "N"},
        {"tx-rate", 0, 0, G_OPTION_ARG_STRING, &f->tx_rate, "transactions per rollup, e.g. 500/s",
         "RATE"},
        {"tx-size", 0, 0, G_OPTION_ARG_STRING, &f->tx_size,
         "size distribution (default 300B; draws below 12B, a transaction's id and size, count "
         "as 12B)",
         "DIST"},
        {"via-rpc", 0, 0, G_OPTION_ARG_STRING, &f->via_rpc,
         "share of transactions sent through the rollup's RPC node (default 0%)", "R"},
        {"rollup-fetch", 0, 0, G_OPTION_ARG_STRING, &f->rollup_fetch,
         "da (default: namespace from a DA member) or vid (rebuild from shares)", "HOW"},
        {"rollup-regions", 0, 0, G_OPTION_ARG_STRING, &f->rollup_regions,
         "placement of each rollup's hosts (default all)", "PLACEMENT"},
        {"tx-until", 0, 0, G_OPTION_ARG_STRING, &f->tx_until, "users stop submitting at", "D"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &f->quiet, "print only the verdict line", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("- run HotShot on the simulated network");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    if (ok && *argc > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument \"%s\"",
                    (*argv)[1]);
        ok = FALSE;
    }
    g_option_context_free(context);
    return ok;
}

static void flags_clear(Flags *f)
{
    g_free(f->crypto), g_free(f->regions), g_free(f->view_timeout), g_free(f->leaders);
    g_free(f->view_sync_timeout), g_free(f->stake), g_free(f->bandwidth), g_free(f->jitter);
    g_free(f->time_limit), g_free(f->loss);
    g_strfreev(f->crash), g_strfreev(f->restart), g_strfreev(f->byzantine);
    g_free(f->block_max), g_free(f->payloads), g_free(f->builder_delay), g_free(f->tx_rate);
    g_free(f->builder_timeout), g_free(f->tx_size), g_free(f->via_rpc), g_free(f->rollup_fetch);
    g_free(f->rollup_regions), g_free(f->tx_until), g_free(f->data_request_delay);
}

static char *duration(uint64_t ns)
{
    return sim_quantity_format(ns, SIM_QUANTITY_DURATION);
}

static void print_views(SimRun *run)
{
    const AnaLiveness *l = sim_run_liveness(run);
    ProtoView max = ana_liveness_max_view(l);
    uint64_t counts[ANA_VIEW_OUTCOME_COUNT_] = {0};
    uint64_t failures = 0;
    GString *failed = g_string_new(NULL);
    for (ProtoView v = 1; v <= max; v++) {
        AnaViewOutcome o = ana_liveness_outcome(l, v, 3);
        counts[o]++;
        if (!ana_view_outcome_failed(o)) continue;
        failures++;
        if (failed->len < 60)
            g_string_append_printf(failed, "%s%" PRIu64, failed->len ? "," : "", v);
    }
    printf("  failed views       %" PRIu64 " of %" PRIu64 "%s%s%s\n", failures, max,
           failures ? " (" : "", failed->str, failures ? ")" : "");
    for (int o = ANA_VIEW_ORPHANED; o < ANA_VIEW_OUTCOME_COUNT_; o++) {
        if (counts[o]) printf("    %-16" PRIu64 " %s\n", counts[o], ana_view_outcome_name(o));
    }
    g_string_free(failed, TRUE);
}

static void print_traffic(SimRun *run)
{
    SimNetwork *net = sim_run_network(run);
    uint64_t msgs = 0, bytes = 0;
    for (uint32_t h = 0; h < sim_network_host_count(net); h++) {
        for (uint16_t t = 0; t < sim_network_type_count(net); t++) {
            const SimTypeCounters *c = sim_network_counters(net, h, t);
            msgs += c->msgs_sent;
            bytes += c->bytes_sent;
        }
    }
    char *size = sim_quantity_format(bytes, SIM_QUANTITY_SIZE);
    printf("  traffic            %" PRIu64 " messages, %s sent\n", msgs, size);
    g_free(size);
}

static void print_data(SimRun *run);

void sim_run_print_summary(SimRun *run, double wall_seconds)
{
    SimEngine *engine = sim_run_engine(run);
    const AnaLiveness *l = sim_run_liveness(run);
    const AnaSafety *s = sim_run_safety(run);
    const AnaHistogram *lat = ana_liveness_latency(l);
    SimTime now = sim_engine_now(engine);
    char *t = duration(now), *gap = duration(ana_liveness_longest_gap(l, now));
    char *p50 = duration(ana_histogram_percentile(lat, 50));
    char *p90 = duration(ana_histogram_percentile(lat, 90));
    char *p99 = duration(ana_histogram_percentile(lat, 99));
    const char *stop = sim_run_stop_description(run);
    printf("result (%s at virtual time %s)\n", stop ? stop : "time or event limit", t);
    printf("  views reached      %" PRIu64 "\n", ana_liveness_max_view(l));
    printf("  blocks decided     %" PRIu64 "\n", ana_liveness_blocks(l));
    printf("  decide latency     p50 %s, p90 %s, p99 %s (virtual; proposal to decide, %" PRIu64
           " node decides)\n",
           p50, p90, p99, ana_histogram_count(lat));
    printf("  longest gap        %s without a new decide\n", gap);
    print_views(run);
    print_traffic(run);
    if (ana_safety_violated(s)) {
        char *when = duration(ana_safety_violation_time(s));
        printf("  safety             VIOLATED at %s: %s\n", when, ana_safety_violation(s));
        g_free(when);
    } else {
        printf("  safety             ok (agreement, prefix and vote-once hold)\n");
    }
    print_data(run);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(engine, digest);
    printf("  trace digest       %s\n", digest);
    uint64_t views = ana_liveness_max_view(l);
    printf("wall clock: %.2f s, %.1f views/s, %.0f node-views/s, %.2fM events/s\n", wall_seconds,
           (double)views / wall_seconds, (double)views * sim_run_config(run)->nodes / wall_seconds,
           (double)sim_engine_events_run(engine) / wall_seconds / 1e6);
    g_free(t), g_free(gap), g_free(p50), g_free(p90), g_free(p99);
}

static void print_latency(const char *label, const AnaHistogram *h)
{
    if (ana_histogram_count(h) == 0) {
        printf("    %-18s none\n", label);
        return;
    }
    char *p50 = duration(ana_histogram_percentile(h, 50));
    char *p90 = duration(ana_histogram_percentile(h, 90));
    char *p99 = duration(ana_histogram_percentile(h, 99));
    printf("    %-18s p50 %s, p90 %s, p99 %s (%" PRIu64 " transactions)\n", label, p50, p90, p99,
           ana_histogram_count(h));
    g_free(p50), g_free(p90), g_free(p99);
}

static void print_roles(const AnaData *d)
{
    printf("  sent by role      ");
    for (int role = 0; role < ANA_ROLE_COUNT_; role++) {
        uint64_t bytes = 0;
        for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
            bytes += ana_data_role_bytes(d, role, t);
        char *size = sim_quantity_format(bytes, SIM_QUANTITY_SIZE);
        printf("%s %s %s", role ? "," : "", ana_role_name(role), size);
        g_free(size);
    }
    printf("\n");
}

static void print_data(SimRun *run)
{
    const AnaData *d = sim_run_data(run);
    const SimRunConfig *c = sim_run_config(run);
    if (d == NULL) return;
    char *block = sim_quantity_format(c->block_max, SIM_QUANTITY_SIZE);
    printf("data availability (DA committee %u, blocks up to %s, %s payloads, %u rollups)\n",
           c->da_committee, block, c->synthetic ? "synthetic" : "real", c->rollups);
    g_free(block);
    printf("  blocks            %" PRIu64 " with transactions, %" PRIu64 " empty\n",
           ana_data_nonempty_blocks(d), ana_data_empty_blocks(d));
    printf("  transactions      %" PRIu64 " submitted, %" PRIu64 " decided, %" PRIu64
           " verified by their rollup\n",
           ana_data_submitted(d), ana_data_decided_txs(d), ana_data_available_txs(d));
    const ProtoBuilderStats *b = sim_endpoints_builder_stats(sim_run_endpoints(run));
    if (b->too_large > 0) {
        printf("  dropped           %" PRIu64
               " transactions larger than a block (by the builder)\n",
               b->too_large);
    }
    print_latency("submit to decide", ana_data_decide_latency(d));
    print_latency("submit to rollup", ana_data_available_latency(d));
    uint64_t span = ana_data_last_decide(d) - ana_data_first_decide(d);
    if (span > 0) {
        double seconds = (double)span / 1e9;
        printf("  throughput        %.1f tx/s, %.3f MB/s (decided, over %.1f s)\n",
               (double)ana_data_decided_txs(d) / seconds,
               (double)ana_data_decided_bytes(d) / seconds / 1e6, seconds);
    }
    const AnaDispersal *disp = ana_data_dispersal(d);
    if (disp->blocks > 0 && disp->payload > 0) {
        double sent = (double)(disp->da_bytes + disp->vid_bytes), payload = (double)disp->payload;
        printf("  leader egress     %.3f MB per block of %.3f MB on average: %.2fx the block "
               "= %.2fx to %u DA members + %.2fx in VID shares\n",
               sent / (double)disp->blocks / 1e6, payload / (double)disp->blocks / 1e6,
               sent / payload, (double)disp->da_bytes / payload, c->da_committee,
               (double)disp->vid_bytes / payload);
    }
    if (ana_data_violated(d)) {
        printf("  DA oracle         VIOLATED: %s\n", ana_data_violation(d));
    } else {
        printf("  DA oracle         ok: every decided block was recoverable (%" PRIu64
               " checked)\n",
               ana_data_blocks_checked(d));
    }
    print_roles(d);
}

static void print_header(const SimRunConfig *c)
{
    char *timeout = duration(c->view_timeout);
    char *bw = sim_quantity_format(c->uplink_bps, SIM_QUANTITY_BANDWIDTH);
    char *jitter = sim_dist_describe(&c->jitter);
    printf("shotglass run: %u nodes, placement \"%s\", links %s, jitter %s\n", c->nodes,
           c->placement, bw, jitter);
    printf("  seed %" PRIu64 ", crypto %s, leaders %s, decide rule %s, view timeout %s\n", c->seed,
           c->crypto == PROTO_CRYPTO_REAL ? "real" : "modeled",
           c->leaders == PROTO_LEADER_ROUND_ROBIN ? "round-robin" : "stake-weighted",
           c->three_chain ? "three-chain" : "two-chain", timeout);
    g_free(timeout), g_free(bw), g_free(jitter);
}

gboolean sim_run_cli_parse(int *argc, char ***argv, SimRunConfig *config, gboolean *quiet,
                           GError **error)
{
    Flags flags = {0};
    gboolean ok = parse(argc, argv, &flags, error) && apply(&flags, config, error);
    if (quiet != NULL) *quiet = flags.quiet;
    flags_clear(&flags);
    return ok;
}

int sim_run_main(int argc, char **argv)
{
    SimRunConfig config;
    sim_run_config_init(&config);
    GError *error = NULL;
    int status = 2;
    SimRun *run = NULL;
    gboolean quiet = FALSE;
    if (sim_run_cli_parse(&argc, &argv, &config, &quiet, &error) &&
        (run = sim_run_new(&config, &error)) != NULL) {
        if (!quiet) print_header(&config);
        /* determinism-ok: wall time is measured for the report only, never fed to the run */
        gint64 start = g_get_monotonic_time();
        sim_run_execute(run);
        /* determinism-ok: as above */
        double wall = (double)(g_get_monotonic_time() - start) / 1e6;
        gboolean safe = !ana_safety_violated(sim_run_safety(run)) &&
                        (sim_run_data(run) == NULL || !ana_data_violated(sim_run_data(run)));
        if (!quiet) sim_run_print_summary(run, wall);
        char digest[2 * SIM_DIGEST_BYTES + 1];
        sim_engine_digest_hex(sim_run_engine(run), digest);
        printf("%s: %" PRIu64 " blocks, seed %" PRIu64 ", digest %s\n",
               safe ? "SAFE" : "SAFETY VIOLATION", ana_liveness_blocks(sim_run_liveness(run)),
               config.seed, digest);
        status = safe ? 0 : 1;
    } else {
        fprintf(stderr, "shotglass run: %s\n", error->message);
        g_error_free(error);
    }
    sim_run_free(run);
    sim_run_config_clear(&config);
    return status;
}
