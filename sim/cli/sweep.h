/*
 * Sweeps: one scenario over a grid of settings and seeds.
 *
 *   shotglass sweep FILE --vary consensus.nodes=10,100,1000 --vary da.committee=10,21
 *                   --seeds 5 --jobs 2 --out DIR
 *
 * runs every point of the grid (the product of the --vary lists) with every seed, each as its
 * own `shotglass run FILE --set ... --seed S --out DIR/points/pNNN/seed-S` worker process, at
 * most --jobs at a time. A run whose folder already holds a complete summary.json is not run
 * again, so an interrupted sweep (Ctrl-C, or killed outright) resumes where it stopped; while
 * a sweep or any of its runs lives, the folder is locked (flock, inherited by the runs), and a
 * second sweep on it is refused rather than run the same jobs beside orphaned runs of a killed
 * one. When all have run, the folders are
 * merged into DIR/sweep.csv: one row per point, with the mean, standard deviation and 95%
 * confidence half-width (Student's t across seeds) of each metric, and plotted. Without --vary
 * the grid is one point. Runs that failed an expectation or an oracle are listed, each with
 * the command that replays it, and make the sweep exit 1; `--first-failure` starts no more runs
 * once one has failed, which turns a sweep over seeds into a hunt for a failing seed.
 *
 * `--emit-jobs FILE` writes the same runs as one self-contained command per line instead (for
 * GNU parallel, or a Slurm array reading line $SLURM_ARRAY_TASK_ID), and `shotglass merge
 * DIR...` aggregates result folders made anywhere into the same sweep.csv: runs are grouped by
 * the settings their command line gave (the seed aside), and the settings that differ between
 * groups become the sweep.csv columns.
 */
#ifndef SHOTGLASS_SIM_SWEEP_H
#define SHOTGLASS_SIM_SWEEP_H

#include <glib.h>

/* What a merge found besides the table. */
typedef struct SimSweepTally {
    const char *program; /* in: the program the replay commands name (NULL: "shotglass") */
    guint runs;          /* complete runs merged */
    guint skipped;       /* incomplete runs left out */
    GPtrArray *failed;   /* char *, owned: per failed run, "FOLDER: the command that replays it" */
} SimSweepTally;

/* Frees what the tally holds; keeps `program`. */
void sim_sweep_tally_clear(SimSweepTally *tally);

/*
 * Merges every run folder (a folder with a summary.json) found under `dirs` (NULL-terminated)
 * into out/sweep.csv. Incomplete runs are left out. A run whose summary says it did not pass
 * (an expectation or an oracle failed) counts in the `fail_rate` metric and is listed in
 * `tally->failed`, in folder order. `tally` may be NULL; otherwise clear it after. Returns
 * FALSE with `error` when nothing can be merged or a file cannot be read or written.
 */
gboolean sim_sweep_merge(const char *const *dirs, const char *out, SimSweepTally *tally,
                         GError **error);

int sim_sweep_main(int argc, char **argv);
int sim_merge_main(int argc, char **argv);

#endif
