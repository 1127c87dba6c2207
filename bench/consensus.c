/*
 * `shotglass bench consensus`: HotShot at scale on the simulator (default 1,000 nodes x 1,000
 * views, modeled crypto, no payload, four regions). Reports wall time, node-views per second of
 * wall time and peak RSS per node: the growth of the process's peak RSS over what it held before
 * the run was built, divided by the number of nodes.
 */
#include "bench/phold.h"
#include "sim/run.h"
#include "sim/units.h"

#include <inttypes.h>
#include <stdio.h>

int bench_consensus_main(int argc, char **argv)
{
    gint64 nodes = 1000, views = 1000, seed = 1;
    char *crypto = NULL;
    GOptionEntry entries[] = {
        {"nodes", 0, 0, G_OPTION_ARG_INT64, &nodes, "validators (default 1000)", "N"},
        {"views", 0, 0, G_OPTION_ARG_INT64, &views, "views (default 1000)", "N"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed (default 1)", "S"},
        {"crypto", 0, 0, G_OPTION_ARG_STRING, &crypto, "modeled (default) or real", "MODE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("- HotShot at scale");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (ok && (nodes < 1 || nodes > 100000 || views < 1 || seed < 0)) {
        g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--nodes 1..100000, --views >= 1, --seed >= 0");
        ok = FALSE;
    }
    if (!ok) {
        fprintf(stderr, "shotglass bench consensus: %s\n", error->message);
        g_error_free(error);
        g_free(crypto);
        return 2;
    }
    SimRunConfig config;
    sim_run_config_init(&config);
    config.nodes = (uint32_t)nodes;
    config.views_max = (uint64_t)views;
    config.seed = (uint64_t)seed;
    config.crypto =
        crypto && g_str_equal(crypto, "real") ? PROTO_CRYPTO_REAL : PROTO_CRYPTO_MODELED;
    long rss_before = bench_peak_rss_kib();
    double start = bench_wall_seconds();
    SimRun *run = sim_run_new(&config, &error);
    g_assert_no_error(error);
    sim_run_execute(run);
    double seconds = bench_wall_seconds() - start;
    long rss_after = bench_peak_rss_kib();
    const AnaLiveness *l = sim_run_liveness(run);
    uint64_t reached = ana_liveness_max_view(l);
    printf("consensus: %" G_GINT64_FORMAT " nodes, %" PRIu64 " views, %s crypto, no payload, "
           "placement %s\n",
           nodes, reached, config.crypto == PROTO_CRYPTO_REAL ? "real" : "modeled",
           config.placement);
    printf("  blocks decided   %" PRIu64 " (safety %s)\n", ana_liveness_blocks(l),
           ana_safety_violated(sim_run_safety(run)) ? "VIOLATED" : "ok");
    printf("  events           %" PRIu64 "\n", sim_engine_events_run(sim_run_engine(run)));
    printf("  wall             %.3f s\n", seconds);
    printf("  node-views/s     %.0f\n", (double)reached * (double)nodes / seconds);
    printf("  peak RSS         %ld KiB (%ld KiB before the run)\n", rss_after, rss_before);
    printf("  RSS per node     %.1f KiB\n", (double)(rss_after - rss_before) / (double)nodes);
    printf("  protocol state   %zu bytes per node at most\n", sim_run_node_memory_max(run));
    sim_run_free(run);
    sim_run_config_clear(&config);
    g_free(crypto);
    return 0;
}
