/*
 * shotglass: the command-line entry point. Dispatches to subcommands; each parses its own
 * options with GOption. Exit codes: 0 success, 1 an expectation or oracle failed, 2 usage or
 * input errors.
 */
#include "bench/consensus.h"
#include "bench/phold.h"
#include "sim/cli/diff.h"
#include "sim/cli/explore.h"
#include "sim/cli/ping.h"
#include "sim/plot/plot.h"
#include "sim/plot/report.h"
#include "sim/cli/run_cli.h"
#include "sim/cli/shrink.h"
#include "sim/cli/sweep.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: shotglass COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run            run a scenario (or the defaults) and check its expectations\n"
    "  validate       check scenario files without running them\n"
    "  list           list behaviours, regions, distributions, keys, messages, faults, ...\n"
    "  sweep          run a scenario over a grid of settings and seeds, in parallel\n"
    "  merge          merge result folders into a sweep table\n"
    "  explore        run a scenario under random fault schedules, many seeds in parallel\n"
    "  shrink         cut a failing scenario down to a small one that fails the same way\n"
    "  diff           the first event at which two runs (or two results folders) part\n"
    "  plot           draw (again) the plots of a results folder with gnuplot\n"
    "  report         write one self-contained HTML page for a results folder\n"
    "  ping           measure one-way delays between regions through the network model\n"
    "  bench phold    the PHOLD engine benchmark\n"
    "  bench consensus  HotShot at scale: node-views per second and memory per node\n"
    "  version        print the version\n"
    "\n"
    "`shotglass COMMAND --help` describes a command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *command = argv[1];
    if (strcmp(command, "version") == 0 || strcmp(command, "--version") == 0) {
        printf("shotglass %s\n", SHOTGLASS_VERSION);
        return 0;
    }
    if (strcmp(command, "run") == 0) return sim_run_main(argc - 1, argv + 1);
    if (strcmp(command, "validate") == 0) return sim_validate_main(argc - 1, argv + 1);
    if (strcmp(command, "list") == 0) return sim_list_main(argc - 1, argv + 1);
    if (strcmp(command, "sweep") == 0) return sim_sweep_main(argc - 1, argv + 1);
    if (strcmp(command, "explore") == 0) return sim_explore_main(argc - 1, argv + 1);
    if (strcmp(command, "shrink") == 0) return sim_shrink_main(argc - 1, argv + 1);
    if (strcmp(command, "merge") == 0) return sim_merge_main(argc - 1, argv + 1);
    if (strcmp(command, "diff") == 0) return sim_diff_main(argc - 1, argv + 1);
    if (strcmp(command, "plot") == 0) return sim_plot_main(argc - 1, argv + 1);
    if (strcmp(command, "report") == 0) return sim_report_main(argc - 1, argv + 1);
    if (strcmp(command, "ping") == 0) return sim_ping_main(argc - 1, argv + 1);
    if (strcmp(command, "bench") == 0 && argc >= 3 && strcmp(argv[2], "phold") == 0) {
        return bench_phold_main(argc - 2, argv + 2);
    }
    if (strcmp(command, "bench") == 0 && argc >= 3 && strcmp(argv[2], "consensus") == 0) {
        return bench_consensus_main(argc - 2, argv + 2);
    }
    fprintf(stderr, "shotglass: unknown command \"%s\"\n\n%s", command, usage);
    return 2;
}
