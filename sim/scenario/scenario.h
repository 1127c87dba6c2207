/*
 * Scenario files: GLib key files with units on every quantity (scenarios/README.md documents
 * every group and key). A scenario fills a SimRunConfig and a list of expectations:
 *
 *   [scenario]    name, description, seed, stop conditions (duration, views, blocks, events)
 *   [network]     placement over regions, links, jitter, loss, partial synchrony
 *   [consensus]   validators, stake, crypto, leader rule, decide rule, timeouts
 *   [costs]       the virtual CPU cost of each cryptographic operation
 *   [da]          the data-availability layer: committee, block size, payloads, builder
 *   [workload]    rollups and their transactions
 *   [fault.NAME]  one fault (sim/run/fault.h) or Byzantine behaviour (kind = byzantine)
 *   [expect]      what must hold at the end (sim/run/expect.h)
 *
 * Overrides ("group.key=value", as --set gives them) apply on top of the file. Every problem
 * is reported at once, each line naming the file, the line, the group and the key, and saying
 * what was expected; unknown groups and keys get a "did you mean" when one is close.
 */
#ifndef SHOTGLASS_SIM_SCENARIO_H
#define SHOTGLASS_SIM_SCENARIO_H

#include "sim/run/expect.h"
#include "sim/run/run.h"

#include <glib.h>

#define SIM_SCENARIO_ERROR (sim_scenario_error_quark())
GQuark sim_scenario_error_quark(void);

typedef enum SimScenarioError {
    SIM_SCENARIO_ERROR_READ,    /* the file cannot be read */
    SIM_SCENARIO_ERROR_INVALID, /* syntax, unknown or bad keys, contradictions */
} SimScenarioError;

typedef struct SimScenario {
    char *path;        /* as given ("<defaults>" when there is no file) */
    char *name;        /* [scenario] name, or the file's base name */
    char *description; /* may be NULL */
    char *text;        /* the file's contents ("" without a file) */
    SimRunConfig config;
    GPtrArray *expectations; /* SimExpectation * */
    GPtrArray *warnings;     /* char *: settings that leave a whole subsystem idle (see below) */
} SimScenario;

/* Settings for a load: "group.key=value" strings, NULL-terminated arrays (either may be NULL). */
typedef struct SimScenarioSettings {
    const char *const *defaults;  /* apply where the file says nothing (a caller's defaults) */
    const char *const *overrides; /* apply over the file (--set and the shorthand flags) */
} SimScenarioSettings;

/*
 * Loads `path` (NULL: the built-in defaults only) with `settings` (may be NULL). Returns FALSE
 * with `error` listing every problem. On success `scenario` holds the result
 * (sim_scenario_clear); on failure it is empty.
 *
 * A valid scenario may still leave a whole subsystem idle; each such combination becomes a
 * warning, one sentence saying what stays idle and what to set: rollups with no transaction
 * rate; the DA layer with no workload and no expectation about it; a fault whose start comes
 * after the run has stopped (a time at or past the duration, a view past the view limit); users
 * told to stop at 0s. Warnings do not refuse the scenario; `shotglass run` prints them.
 */
gboolean sim_scenario_load(SimScenario *scenario, const char *path,
                           const SimScenarioSettings *settings, GError **error);

/* The same from text in memory; `path` names it in messages. */
gboolean sim_scenario_parse(SimScenario *scenario, const char *path, const char *text,
                            const SimScenarioSettings *settings, GError **error);

void sim_scenario_clear(SimScenario *scenario);

/*
 * Every group and key with its kind of value, default and meaning, as text for
 * `shotglass list keys` (markdown = FALSE) or as the tables of scenarios/README.md (TRUE).
 */
char *sim_scenario_describe_keys(gboolean markdown);

#endif
