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
    gboolean three_chain, quiet;
    char **crash, **restart, **byzantine;
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
    return ok;
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
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(engine, digest);
    printf("  trace digest       %s\n", digest);
    uint64_t views = ana_liveness_max_view(l);
    printf("wall clock: %.2f s, %.1f views/s, %.0f node-views/s, %.2fM events/s\n", wall_seconds,
           (double)views / wall_seconds, (double)views * sim_run_config(run)->nodes / wall_seconds,
           (double)sim_engine_events_run(engine) / wall_seconds / 1e6);
    g_free(t), g_free(gap), g_free(p50), g_free(p90), g_free(p99);
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

int sim_run_main(int argc, char **argv)
{
    Flags flags = {0};
    SimRunConfig config;
    sim_run_config_init(&config);
    GError *error = NULL;
    int status = 2;
    SimRun *run = NULL;
    if (parse(&argc, &argv, &flags, &error) && apply(&flags, &config, &error) &&
        (run = sim_run_new(&config, &error)) != NULL) {
        if (!flags.quiet) print_header(&config);
        /* determinism-ok: wall time is measured for the report only, never fed to the run */
        gint64 start = g_get_monotonic_time();
        sim_run_execute(run);
        /* determinism-ok: as above */
        double wall = (double)(g_get_monotonic_time() - start) / 1e6;
        gboolean safe = !ana_safety_violated(sim_run_safety(run));
        if (!flags.quiet) sim_run_print_summary(run, wall);
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
    flags_clear(&flags);
    return status;
}
