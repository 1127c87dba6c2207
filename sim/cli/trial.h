/*
 * Trials: one run of a scenario given as text, in a child process, reduced to what failed.
 * `shotglass explore` runs a trial per seed and `shotglass shrink` one per candidate; both need
 * to know not just whether a run failed but how, to keep "the same failure".
 *
 * A trial forks; the child parses the text (sim_scenario_parse, so what is checked is exactly
 * the text that would be written to a file), builds and runs it, and writes its verdict to a
 * pipe; its stderr goes to the same pipe, so an assertion that kills it is reported too. The
 * child is a process of its own because a run that trips an assertion aborts, and that is
 * itself a failure worth finding and shrinking.
 *
 * A verdict is a list of failure tags, the first being the run's failure:
 *   safety:KIND        the safety oracle (agreement, prefix, vote-once), when the scenario does
 *                      not expect that violation
 *   da                 the data-availability oracle
 *   expect:TEXT        an [expect] line that does not hold ("expect:decided_blocks >= 95")
 *   overflow           more events pending at once than the run allows
 *   crash:WHERE        the child died: WHERE is the failed assertion's file:line, or the signal
 * in that order (the oracles, then expectations in their order). A run passes when the list is
 * empty, exactly when `shotglass run` on the same text exits 0.
 */
#ifndef SHOTGLASS_SIM_TRIAL_H
#define SHOTGLASS_SIM_TRIAL_H

#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimTrialStatus {
    SIM_TRIAL_PASSED,
    SIM_TRIAL_FAILED,  /* an oracle or expectation failed, or the run overflowed */
    SIM_TRIAL_CRASHED, /* the child died (an assertion, a signal) */
    SIM_TRIAL_INVALID, /* the text is not a valid scenario (`detail` says why) */
} SimTrialStatus;

typedef struct SimTrial {
    SimTrialStatus status;
    GPtrArray *failures; /* char *: tags, as above; empty when passed */
    char *detail;        /* the first failure in words (or why it is invalid); NULL when passed */
    gboolean stalled;    /* the stall watchdog stopped the run */
    uint64_t blocks;     /* blocks decided */
    uint64_t views;      /* highest view an honest node entered */
    SimTime end;         /* virtual time at the end */
    char digest[65];     /* the trace digest, hex ("" when the run did not finish) */
} SimTrial;

/* A trial under way in a child. */
typedef struct SimTrialChild {
    GPid pid;
    int fd; /* read end of the child's pipe */
} SimTrialChild;

void sim_trial_clear(SimTrial *trial);

/* Whether the trial failed with `tag` among its failures. */
gboolean sim_trial_has(const SimTrial *trial, const char *tag);

/*
 * Starts a trial of scenario `text` (`path` names it in messages) in a child process. Returns
 * FALSE with `error` when no process can be started.
 */
gboolean sim_trial_start(const char *path, const char *text, SimTrialChild *child, GError **error);

/* Reads the verdict of a child that has exited with `wait_status` (from waitpid) into `out`
 * (initialised here) and closes its pipe. */
void sim_trial_finish(SimTrialChild *child, int wait_status, SimTrial *out);

/* Starts a trial and waits for it. Returns FALSE with `error` when it cannot be started. */
gboolean sim_trial_run(const char *path, const char *text, SimTrial *out, GError **error);

#endif
