/*
 * The gnuplot side of every plot: finding gnuplot, writing a plot's data file and script in
 * the dialect gnuplot reads, and running gnuplot on the scripts. gnuplot is an external
 * program found on PATH; a plot is NAME.dat (the numbers) and NAME.gp (a script that reads
 * them and writes NAME.png and NAME.svg), both in a results folder's plots/.
 *
 * It also holds SIM_PLOT_ERROR, the error domain of every module of sim/plot/ above the CSV
 * reader: they all draw through this one, so it is the lowest place they share.
 */
#ifndef SHOTGLASS_SIM_PLOT_GNUPLOT_H
#define SHOTGLASS_SIM_PLOT_GNUPLOT_H

#include <glib.h>

#define SIM_PLOT_ERROR (sim_plot_error_quark())
GQuark sim_plot_error_quark(void);

typedef enum SimPlotError {
    /* A file of the folder is malformed in a way the CSV reader cannot see (a sweep.csv whose
     * header breaks the schema, a bad summary.json); the message names it. Files the CSV
     * reader rejects fail with SIM_CSV_ERROR_INPUT (sim/plot/csv.h). */
    SIM_PLOT_ERROR_INPUT,
    /* gnuplot is not on PATH; data files and scripts were written, nothing was drawn. */
    SIM_PLOT_ERROR_NO_GNUPLOT,
    /* gnuplot failed on a script or did not write its images (the message has its errors). */
    SIM_PLOT_ERROR_GNUPLOT,
} SimPlotError;

/* The notice printed when gnuplot is missing; `dir` is the results folder. Free with g_free. */
char *sim_gnuplot_notice(const char *dir);

/* The absolute path of gnuplot found on PATH, or NULL. Free with g_free. */
char *sim_gnuplot_find(void);

/* Appends `value` with up to 9 significant digits and a '.' whatever the locale; NAN as "NaN"
 * (which gnuplot skips). */
void sim_gnuplot_append_number(GString *out, double value);

/* Appends `text` as a double-quoted gnuplot data string: quotes become apostrophes, backslashes
 * slashes and control characters spaces, since gnuplot's data files have no escapes. */
void sim_gnuplot_append_data_string(GString *out, const char *text);

/* Appends `text` as a single-quoted gnuplot string literal (a quote doubled, control characters
 * dropped). */
void sim_gnuplot_append_script_string(GString *out, const char *text);

/* Creates dir/plots if needed and returns its path (free with g_free), or NULL with a
 * G_FILE_ERROR naming it. */
char *sim_gnuplot_folder(const char *dir, GError **error);

/* Writes `plots`/`name`.dat and `plots`/`name`.gp. `body` is the part of the script between
 * the common preamble (reset, style, the PNG terminal) and the common end (the SVG terminal and
 * replot); `what` is the one-line description in the script's first comment. Takes ownership of
 * `data`; `body` is borrowed. Fails with a G_FILE_ERROR. */
gboolean sim_gnuplot_write(const char *plots, const char *name, const char *what, GString *data,
                           const char *body, GError **error);

/* Runs gnuplot (at `gnuplot`, an absolute path) on `name`.gp in the folder `plots`, and checks
 * that it wrote `name`.png and `name`.svg. Fails with SIM_PLOT_ERROR_GNUPLOT and gnuplot's
 * messages. */
gboolean sim_gnuplot_run(const char *gnuplot, const char *plots, const char *name, GError **error);

/* Runs gnuplot on `plots`/NAME.gp for every name (char *) in `names`, even after one fails; the
 * first failure is reported. Without gnuplot: SIM_PLOT_ERROR_NO_GNUPLOT and its notice (which
 * names the results folder `dir`). */
gboolean sim_gnuplot_draw(const char *dir, const char *plots, const GPtrArray *names,
                          GError **error);

#endif
