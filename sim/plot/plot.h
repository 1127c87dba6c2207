/*
 * Plots of a results folder (`shotglass plot DIR`), drawn by gnuplot run as a separate program.
 *
 * For every plot NAME this writes, into DIR/plots/,
 *   NAME.dat  the numbers, taken from the folder's CSV files and arranged for gnuplot (a comment
 *             at its top says where they come from and what each column is);
 *   NAME.gp   the gnuplot script, which holds no data: it reads NAME.dat, so a user can edit it
 *             and rerun `gnuplot NAME.gp` from DIR/plots;
 *   NAME.png and NAME.svg, written by that script.
 * The plots of a run (sim_plot_draw):
 *   finality_cdf     CDF of finality latency, and of transaction latency with a workload
 *   throughput       blocks and payload decided per second, fault windows shaded and named
 *   view_outcomes    each view at its time, coloured by outcome (decided, failed and why, ...),
 *                    and the views view sync led into
 *   bandwidth_roles  bytes sent by role, stacked by message type (without the data path: bytes
 *                    sent per message type, summed over the validators)
 *   leader_queue     the leader's uplink backlog at each proposal
 * and of a sweep (sim_plot_sweep): sweep_METRIC_vs_KEY, the metric's mean over the seeds with
 * its 95% confidence interval against each varied key, one line per combination of the others.
 *
 * gnuplot is found on PATH. Without it the data files and scripts are still written, and the
 * functions fail with SIM_PLOT_ERROR_NO_GNUPLOT, whose message is the notice to show the user.
 * Plotting reads a finished run's files and never feeds anything back into a run.
 */
#ifndef SHOTGLASS_SIM_PLOT_H
#define SHOTGLASS_SIM_PLOT_H

#include <glib.h>

#define SIM_PLOT_ERROR (sim_plot_error_quark())
GQuark sim_plot_error_quark(void);

typedef enum SimPlotError {
    /* A file of the folder is missing, unreadable or malformed (the message names it). */
    SIM_PLOT_ERROR_INPUT,
    /* gnuplot is not on PATH; data files and scripts were written, nothing was drawn. */
    SIM_PLOT_ERROR_NO_GNUPLOT,
    /* gnuplot failed on a script or did not write its images (the message has its errors). */
    SIM_PLOT_ERROR_GNUPLOT,
} SimPlotError;

/* The plots of a run, in the order a report shows them. */
extern const char *const sim_plot_run_names[];
#define SIM_PLOT_RUN_COUNT 5

/* The notice printed when gnuplot is missing; `dir` is the results folder. Free with g_free. */
char *sim_plot_no_gnuplot_notice(const char *dir);

/* The absolute path of gnuplot found on PATH, or NULL. Free with g_free. */
char *sim_plot_find_gnuplot(void);

/*
 * Draws the run plots of the results folder `dir` (which must hold views.csv, latency.csv,
 * throughput.csv, faults.csv, roles.csv, node_types.csv and leader_queue.csv) into dir/plots,
 * creating it if needed. Returns TRUE when every plot was drawn. Errors: SIM_PLOT_ERROR_INPUT,
 * SIM_PLOT_ERROR_NO_GNUPLOT (after writing every data file and script), SIM_PLOT_ERROR_GNUPLOT,
 * or a G_FILE_ERROR when dir/plots cannot be written.
 */
gboolean sim_plot_draw(const char *dir, GError **error);

/*
 * Draws the sweep plots of dir/sweep.csv into dir/plots. Its columns: `point`, one column per
 * varied scenario key (e.g. `consensus.nodes`), `seeds`, then for every metric M `M_mean`,
 * `M_sd` and `M_ci95` (half-width of the 95% confidence interval). A key whose values are all
 * numbers is a numeric axis (logarithmic when its values span a factor of 20 or more); other
 * keys are categories in the order they first appear. Errors as for sim_plot_draw.
 */
gboolean sim_plot_sweep(const char *dir, GError **error);

/* Removes the run plots of `dir` (plots/NAME.dat, .gp, .png and .svg for each run plot, and
 * plots/ itself once empty) and dir/report.html, so that a folder whose run was redone shows
 * no plots of the earlier run. Other files are left alone. */
void sim_plot_forget(const char *dir);

/* Whether some plot of `dir` that its files call for (the run plots when it holds views.csv, the
 * sweep plots when it holds a readable sweep.csv) lacks its SVG or PNG. */
gboolean sim_plot_missing(const char *dir);

/* `shotglass plot DIR`: draws the run plots and, with a sweep.csv, the sweep plots. Returns the
 * exit code: 0 drawn (or gnuplot missing, after a notice), 1 gnuplot failed, 2 bad usage or a
 * folder that cannot be read (the message names the file). */
int sim_plot_main(int argc, char **argv);

#endif
