/*
 * `shotglass run`: one HotShot run from command-line flags (before scenario files, and as their
 * quick alternative), with a readable summary: progress, decided blocks, latency percentiles,
 * failed views and why, safety verdict, traffic and the trace digest. Wall-clock figures are
 * printed apart, since they are the only part of the output that varies from run to run.
 */
#ifndef SHOTGLASS_SIM_RUN_CLI_H
#define SHOTGLASS_SIM_RUN_CLI_H

#include "sim/run.h"

/* Entry point of the subcommand; returns 0 (safe), 1 (an oracle failed) or 2 (bad usage). */
int sim_run_main(int argc, char **argv);

/*
 * Parses `shotglass run` flags from `argv` (argv[0] is the program) into `config`, which the
 * caller initialised. Later flags override earlier ones, so callers can prepend their own
 * defaults. Sets `*quiet` (may be NULL) from --quiet. Returns FALSE with `error` set on bad flags.
 */
gboolean sim_run_cli_parse(int *argc, char ***argv, SimRunConfig *config, gboolean *quiet,
                           GError **error);

/* Prints the summary of a finished run to stdout. */
void sim_run_print_summary(SimRun *run, double wall_seconds);

#endif
