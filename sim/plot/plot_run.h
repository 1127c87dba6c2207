/*
 * The plots of a run's results folder, drawn by gnuplot (sim/plot/gnuplot.h) from the folder's
 * CSV files (sim/plot/csv.h). For every plot NAME this writes, into DIR/plots/,
 *   NAME.dat  the numbers, taken from the folder's CSV files and arranged for gnuplot (a comment
 *             at its top says where they come from and what each column is);
 *   NAME.gp   the gnuplot script, which holds no data: it reads NAME.dat, so a user can edit it
 *             and rerun `gnuplot NAME.gp` from DIR/plots;
 *   NAME.png and NAME.svg, written by that script.
 * The plots:
 *   finality_cdf     CDF of finality latency, and of transaction latency with a workload
 *   throughput       blocks and payload decided per second, fault windows shaded and named
 *   view_outcomes    each view at its time, coloured by outcome (decided, failed and why, ...),
 *                    and the views view sync led into
 *   bandwidth_roles  bytes sent by role, stacked by message type (without the data path: bytes
 *                    sent per message type, summed over the validators)
 *   leader_queue     the leader's uplink backlog at each proposal
 * and, when the folder's epochs.csv has rows (a run with epochs), after them:
 *   epoch_transitions  the views each completed epoch transition took, against the 4 of a
 *                    transition without a failure
 * Plotting reads a finished run's files and never feeds anything back into a run.
 */
#ifndef SHOTGLASS_SIM_PLOT_PLOT_RUN_H
#define SHOTGLASS_SIM_PLOT_PLOT_RUN_H

#include <glib.h>

/* The plots of a run, in the order a report shows them. */
extern const char *const sim_plot_run_names[];
#define SIM_PLOT_RUN_COUNT 5
/* The plot of runs with epochs, drawn after the others. */
#define SIM_PLOT_EPOCH_TRANSITIONS "epoch_transitions"

/*
 * Draws the run plots of the results folder `dir` (which must hold views.csv, latency.csv,
 * throughput.csv, faults.csv, roles.csv, node_types.csv and leader_queue.csv) into dir/plots,
 * creating it if needed. Returns TRUE when every plot was drawn. Errors: SIM_CSV_ERROR_INPUT
 * for a missing or malformed file, SIM_PLOT_ERROR_NO_GNUPLOT (after writing every data file and
 * script), SIM_PLOT_ERROR_GNUPLOT, or a G_FILE_ERROR when dir/plots cannot be written.
 */
gboolean sim_plot_run_draw(const char *dir, GError **error);

/* Removes the run plots of `dir` (plots/NAME.dat, .gp, .png and .svg for each run plot, and
 * plots/ itself once empty) and dir/report.html, so that a folder whose run was redone shows
 * no plots of the earlier run. Other files are left alone. */
void sim_plot_run_forget(const char *dir);

#endif
