/*
 * `shotglass plot DIR`: draws the plots a results folder calls for, the run's (plot_run.h)
 * when it holds views.csv and the sweep's (plot_sweep.h) when it holds sweep.csv, and the
 * pieces of the command that `shotglass report` shares.
 *
 * gnuplot is found on PATH. Without it the data files and scripts are still written, and the
 * drawing fails with SIM_PLOT_ERROR_NO_GNUPLOT, whose message is the notice to show the user.
 */
#ifndef SHOTGLASS_SIM_PLOT_H
#define SHOTGLASS_SIM_PLOT_H

#include <glib.h>

/* Whether some plot of `dir` that its files call for (the run plots when it holds views.csv, the
 * sweep plots when it holds a readable sweep.csv) lacks its SVG or PNG. */
gboolean sim_plot_missing(const char *dir);

/* The exit code of `shotglass plot` or `report` for `error` (NULL: success): 0, or 0 for a
 * missing gnuplot, 1 when gnuplot failed, 2 for input and file errors. */
int sim_plot_exit_code(const GError *error);

/* Parses `COMMAND [OPTIONS] DIR` (argv[0] is the command) with GOption; returns DIR (owned by
 * argv) or NULL after printing why to stderr. `parameter` and `summary` are the help texts. */
const char *sim_plot_parse_folder(int *argc, char ***argv, const char *parameter,
                                  const char *summary);

/* `shotglass plot DIR`: draws the run plots and, with a sweep.csv, the sweep plots. Returns the
 * exit code: 0 drawn (or gnuplot missing, after a notice), 1 gnuplot failed, 2 bad usage or a
 * folder that cannot be read (the message names the file). */
int sim_plot_main(int argc, char **argv);

#endif
