/*
 * Sweeps: one scenario over a grid of settings and seeds.
 *
 *   shotglass sweep FILE --vary consensus.nodes=10,100,1000 --vary da.committee=10,21
 *                   --seeds 5 --jobs 2 --out DIR
 *
 * runs every point of the grid (the product of the --vary lists) with every seed, each as its
 * own `shotglass run FILE --set ... --seed S --out DIR/points/pNNN/seed-S` worker process, at
 * most --jobs at a time. A run whose folder already holds a complete summary.json is not run
 * again, so an interrupted sweep resumes where it stopped. When all have run, the folders are
 * merged into DIR/sweep.csv: one row per point, with the mean, standard deviation and 95%
 * confidence half-width (Student's t across seeds) of each metric, and plotted.
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

/*
 * Merges every run folder (a folder with a summary.json) found under `dirs` (NULL-terminated)
 * into out/sweep.csv. Incomplete runs are left out (and counted in `*skipped`, may be NULL).
 * Returns FALSE with `error` when nothing can be merged or a file cannot be read or written.
 */
gboolean sim_sweep_merge(const char *const *dirs, const char *out, guint *skipped, GError **error);

int sim_sweep_main(int argc, char **argv);
int sim_merge_main(int argc, char **argv);

#endif
