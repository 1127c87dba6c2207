/*
 * `shotglass bench consensus`: HotShot at scale on the simulator. Takes every `shotglass run`
 * flag, with 1,000 nodes and 1,000 views as its defaults (modeled crypto, no payload, four
 * regions unless told otherwise; --rollups or --da turns the data path on). Reports wall time,
 * node-views per second of wall time and peak RSS per node: the growth of the process's peak RSS
 * over what it held before the run was built, divided by the number of nodes.
 */
#include "bench/consensus.h"

#include "bench/phold_common.h"
#include "sim/run/run.h"
#include "sim/cli/run_cli.h"
#include "sim/scenario/scenario.h"
#include "sim/core/units.h"

#include <inttypes.h>
#include <stdio.h>

static void print_data(const SimRun *run)
{
    const SimRunConfig *c = sim_run_config(run);
    const AnaData *d = sim_run_data(run);
    const AnaDispersal *disp = ana_data_dispersal(d);
    char *block = sim_quantity_format(c->block_max, SIM_QUANTITY_SIZE);
    printf("  data path        DA committee %u, blocks up to %s, %s payloads, %u rollups\n",
           c->da_committee, block, c->synthetic ? "synthetic" : "real", c->rollups);
    printf("  blocks           %" PRIu64 " with transactions (%.3f MB on average), %" PRIu64
           " empty\n",
           ana_data_nonempty_blocks(d),
           ana_data_nonempty_blocks(d)
               ? (double)ana_data_decided_bytes(d) / 1e6 / (double)ana_data_nonempty_blocks(d)
               : 0.0,
           ana_data_empty_blocks(d));
    printf("  transactions     %" PRIu64 " submitted, %" PRIu64 " decided (DA oracle %s)\n",
           ana_data_submitted(d), ana_data_decided_txs(d),
           ana_data_violated(d) ? "VIOLATED" : "ok");
    if (disp->payload > 0) {
        printf("  leader egress    %.2fx the block (%.2fx DA copies, %.2fx VID shares)\n",
               (double)(disp->da_bytes + disp->vid_bytes) / (double)disp->payload,
               (double)disp->da_bytes / (double)disp->payload,
               (double)disp->vid_bytes / (double)disp->payload);
    }
    g_free(block);
}

int bench_consensus_main(int argc, char **argv)
{
    /* Below a scenario file: 1,000 nodes x 1,000 views unless it (or a flag) says otherwise. */
    static const char *const defaults[] = {"consensus.nodes=1000", "scenario.views=1000", NULL};
    SimScenario scenario = {0};
    GError *error = NULL;
    if (!sim_run_cli_load(&argc, &argv, "HotShot at scale", defaults, &scenario, NULL, &error)) {
        fprintf(stderr, "shotglass bench consensus: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    SimRunConfig config = scenario.config;
    long rss_before = bench_peak_rss_kib();
    double start = bench_wall_seconds();
    SimRun *run = sim_run_new(&config, &error);
    if (run == NULL) {
        fprintf(stderr, "shotglass bench consensus: %s: %s\n", scenario.path, error->message);
        g_error_free(error);
        sim_scenario_clear(&scenario);
        return 2;
    }
    sim_run_execute(run);
    double seconds = bench_wall_seconds() - start;
    long rss_after = bench_peak_rss_kib();
    const AnaLiveness *l = sim_run_liveness(run);
    uint64_t reached = ana_liveness_max_view(l);
    printf("consensus: %u nodes, %" PRIu64 " views, %s crypto, %s, placement %s\n", config.nodes,
           reached, config.crypto == PROTO_CRYPTO_REAL ? "real" : "modeled",
           config.da ? "data path on" : "no payload", config.placement);
    printf("  blocks decided   %" PRIu64 " (safety %s)\n", ana_liveness_blocks(l),
           ana_safety_violated(sim_run_safety(run)) ? "VIOLATED" : "ok");
    if (config.da) print_data(run);
    printf("  events           %" PRIu64 "\n", sim_engine_events_run(sim_run_engine(run)));
    printf("  virtual time     %.3f s\n", (double)sim_engine_now(sim_run_engine(run)) / 1e9);
    printf("  wall             %.3f s\n", seconds);
    printf("  node-views/s     %.0f\n", (double)reached * (double)config.nodes / seconds);
    printf("  peak RSS         %ld KiB (%ld KiB before the run)\n", rss_after, rss_before);
    printf("  RSS per node     %.1f KiB\n",
           (double)(rss_after - rss_before) / (double)config.nodes);
    printf("  protocol state   %zu bytes per node at most\n", sim_run_node_memory_max(run));
    sim_run_free(run);
    sim_scenario_clear(&scenario);
    return 0;
}
