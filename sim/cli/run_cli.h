/*
 * The scenario commands: `shotglass run [FILE]` (one run with a readable summary, expectations
 * and an exit code), `shotglass validate FILE...` and `shotglass list TOPIC`.
 *
 * A run is a scenario file (or the built-in defaults) plus overrides from the command line:
 * --set group.key=value for any key, and shorthand flags (--nodes, --views, --crash ...) for
 * the common ones. Exit codes: 0 every expectation holds (and, without a safety or DA
 * expectation, the oracles hold), 1 an expectation or oracle failed, 2 bad usage or scenario.
 */
#ifndef SHOTGLASS_SIM_RUN_CLI_H
#define SHOTGLASS_SIM_RUN_CLI_H

#include "sim/scenario/scenario.h"

typedef struct SimRunCliOptions {
    gboolean quiet;
    char *junit;      /* owned; NULL: no JUnit report */
    char *summary;    /* owned; NULL: no lone summary.json (--summary) */
    char *out;        /* owned; NULL: no results folder */
    gboolean plots;   /* with `out`: draw the plots and write report.html */
    char **overrides; /* owned, NULL-terminated: every group.key=value the command line set */
    char *timeline;   /* owned; --timeline-nodes as given, NULL: the default sample */
    char *dump;       /* owned; --dump-messages DIR, NULL: no dump (sim/out/dump.h) */
} SimRunCliOptions;

void sim_run_cli_options_clear(SimRunCliOptions *options);

/*
 * Parses a command line (argv[0] is the command; flags may come before or after FILE) into a
 * scenario. `defaults` ("group.key=value", NULL-terminated, may be NULL) apply where the file
 * is silent. `options` (may be NULL: then --quiet, --junit and --out are not offered) receives the
 * output options. Returns FALSE with `error` for bad usage or an invalid scenario.
 */
gboolean sim_run_cli_load(int *argc, char ***argv, const char *command, const char *const *defaults,
                          SimScenario *scenario, SimRunCliOptions *options, GError **error);

int sim_run_main(int argc, char **argv);
int sim_validate_main(int argc, char **argv);
int sim_list_main(int argc, char **argv);

#endif
