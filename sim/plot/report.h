/*
 * The report of a results folder (`shotglass report DIR`): one self-contained HTML page,
 * DIR/report.html, that can be mailed or attached to an issue as it is.
 *
 * It shows the scenario (name, description, file, hash, seed, overrides, and the file itself),
 * whether the run completed, the oracle verdicts, the expectations with PASS or FAIL and their
 * measured values, and the headline metrics, all from summary.json; then every plot of
 * DIR/plots (drawn first when some are missing); and, when DIR holds a sweep.csv, the sweep
 * table. Plots are inlined as SVG (re-serialised from gnuplot's output: element ids prefixed so
 * that plots cannot collide, scripts, event handlers and links to anything outside the page
 * dropped), or as PNG data: URIs when there is no usable SVG. The page loads nothing: no
 * scripts, stylesheets, images or fonts from elsewhere, only a small inline <style>. Every text
 * taken from a file is escaped.
 */
#ifndef SHOTGLASS_SIM_REPORT_H
#define SHOTGLASS_SIM_REPORT_H

#include <glib.h>

/*
 * Writes dir/report.html (through a temporary file and a rename). `dir` must hold summary.json
 * (a run) or sweep.csv (a sweep), or both. Plots that are missing are drawn first; when gnuplot
 * is not installed the page says so in place of the plots and this still succeeds. Errors:
 * SIM_PLOT_ERROR_INPUT for a missing or malformed summary.json, or a sweep.csv whose header
 * breaks the schema; SIM_CSV_ERROR_INPUT for a CSV file that cannot be read or parsed (either
 * way the message names the file); SIM_PLOT_ERROR_GNUPLOT when gnuplot failed; G_FILE_ERROR
 * when the page cannot be written.
 */
gboolean sim_report_write(const char *dir, GError **error);

/*
 * What `shotglass run --out` and `sweep` do when they finish: draws the plots of `dir` (the
 * run's, or with `sweep` the sweep's, redrawn either way) and writes report.html. A missing
 * gnuplot is a notice on stderr, "shotglass COMMAND: ...", and not a failure; any other error
 * is printed the same way and returns FALSE.
 */
gboolean sim_report_refresh(const char *dir, gboolean sweep, const char *command);

/* `shotglass report DIR`: returns the exit code: 0 written (when gnuplot is missing, after a
 * notice), 1 gnuplot failed, 2 bad usage or a folder that cannot be read. */
int sim_report_main(int argc, char **argv);

#endif
