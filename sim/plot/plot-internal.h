/*
 * Shared by plot.c, plot_sweep.c and report.c: a small reader for the CSV files of a results
 * folder, number formatting that ignores the locale, and the helpers that write a plot's data
 * file and gnuplot script.
 *
 * The reader takes the dialect results.c writes: a header line, then rows of comma-separated
 * fields; a field may be quoted ("a,b"), with "" standing for a quote inside it. Every row must
 * have as many fields as the header. Errors name the file, and the line where they can.
 */
#ifndef SHOTGLASS_SIM_PLOT_INTERNAL_H
#define SHOTGLASS_SIM_PLOT_INTERNAL_H

#include <glib.h>

typedef struct SimCsv {
    char *path;      /* as given to sim__csv_read, for messages */
    char **header;   /* NULL-terminated; `columns` names */
    guint columns;   /* fields per row */
    GPtrArray *rows; /* char ** each, NULL-terminated, `columns` fields */
    GArray *lines;   /* guint: the line in the file where each row starts (1 = header) */
} SimCsv;

/* Reads `path`. Returns a new table (free with sim__csv_free), or NULL with SIM_PLOT_ERROR_INPUT
 * naming the file when it cannot be read, is empty or has a row of the wrong width. */
SimCsv *sim__csv_read(const char *path, GError **error);
void sim__csv_free(SimCsv *csv);

/* The index of the column `name`, or -1. */
int sim__csv_column(const SimCsv *csv, const char *name);

/* Finds every named column: pairs of (const char *name, int *index), then NULL. Fails with
 * SIM_PLOT_ERROR_INPUT naming the file and the first missing column. */
gboolean sim__csv_columns(const SimCsv *csv, GError **error, ...) G_GNUC_NULL_TERMINATED;

/* The text of a cell (owned by the table). */
const char *sim__csv_cell(const SimCsv *csv, guint row, guint column);

/* A cell as a number. An empty cell gives NAN when `empty_ok`; otherwise, and for a cell that
 * is not a number, fails with SIM_PLOT_ERROR_INPUT naming the file, line and column. */
gboolean sim__csv_number(const SimCsv *csv, guint row, guint column, gboolean empty_ok,
                         double *value, GError **error);

/* Appends `value` with up to 9 significant digits and a '.' whatever the locale; NAN as "NaN"
 * (which gnuplot skips). */
void sim__plot_append_number(GString *out, double value);

/* Appends `text` as a double-quoted gnuplot data string: quotes become apostrophes, backslashes
 * slashes and control characters spaces, since gnuplot's data files have no escapes. */
void sim__plot_append_data_string(GString *out, const char *text);

/* Appends `text` as a single-quoted gnuplot string literal (a quote doubled, control characters
 * dropped). */
void sim__plot_append_script_string(GString *out, const char *text);

/* Writes dir/plots/`name`.dat and dir/plots/`name`.gp. `body` is the part of the script between
 * the common preamble (reset, style, the PNG terminal) and the common end (the SVG terminal and
 * replot); `what` is the one-line description in the script's first comment. Takes ownership of
 * `data`; `body` is borrowed. */
gboolean sim__plot_write(const char *plots, const char *name, const char *what, GString *data,
                         const char *body, GError **error);

/* Runs gnuplot (at `gnuplot`, an absolute path) on plots/`name`.gp in the folder `plots`, and
 * checks that it wrote `name`.png and `name`.svg. Fails with SIM_PLOT_ERROR_GNUPLOT and
 * gnuplot's messages. */
gboolean sim__plot_run(const char *gnuplot, const char *plots, const char *name, GError **error);

/* Creates dir/plots if needed and returns its path (free with g_free), or NULL. */
char *sim__plot_folder(const char *dir, GError **error);

/* Reads dir/`name` (see sim__csv_read). */
SimCsv *sim__csv_read_in(const char *dir, const char *name, GError **error);

/* Runs gnuplot on plots/NAME.gp for every name (char *) in `names`, even after one fails; the
 * first failure is reported. Without gnuplot: SIM_PLOT_ERROR_NO_GNUPLOT and its notice. */
gboolean sim__plot_draw_names(const char *dir, const char *plots, const GPtrArray *names,
                              GError **error);

/* The layout of a sweep.csv (see sim_plot_sweep): keys are columns 1 .. seeds - 1; metric i
 * has its mean, sd and ci95 in columns seeds + 1 + 3 i, + 1 and + 2. */
typedef struct SimSweepSchema {
    guint seeds;        /* the column `seeds` */
    GPtrArray *metrics; /* char *: the metric names */
} SimSweepSchema;

/* Checks the header of `csv`, a sweep.csv. Fills `schema` (release with
 * sim__sweep_schema_clear) or fails with SIM_PLOT_ERROR_INPUT naming the file and column. */
gboolean sim__sweep_schema(const SimCsv *csv, SimSweepSchema *schema, GError **error);
void sim__sweep_schema_clear(SimSweepSchema *schema);

/* The names (without extension) of the sweep plots of `csv`, a sweep.csv, in the order they
 * are drawn (metric by metric, then key by key); NULL with SIM_PLOT_ERROR_INPUT when its
 * header does not follow the schema. Free with g_ptr_array_unref. */
GPtrArray *sim__plot_sweep_names(const SimCsv *csv, GError **error);

/* The exit code of `shotglass plot` or `report` for `error` (NULL: success): 0, or 0 for a
 * missing gnuplot, 1 when gnuplot failed, 2 for input and file errors. */
int sim__plot_exit_code(const GError *error);

/* Parses `COMMAND [OPTIONS] DIR` (argv[0] is the command) with GOption; returns DIR (owned by
 * argv) or NULL after printing why to stderr. */
const char *sim__plot_parse_folder(int *argc, char ***argv, const char *parameter,
                                   const char *summary);

#endif
