/*
 * A reader for the CSV files of a results folder (sim/out/results.c writes them): a header
 * line, then rows of comma-separated fields; a field may be quoted ("a,b"), with "" standing
 * for a quote inside it, and may then hold line breaks. Every row must have as many fields as
 * the header; blank lines are skipped. Fields are taken as they are (no blanks trimmed), so
 * " 1" is not the number 1. Parsing is libcsv's; this module adds the header, the width check,
 * the line each row starts on (for messages), and locale-free numbers.
 *
 * Errors are SIM_CSV_ERROR_INPUT and name the file, and the line where they can.
 */
#ifndef SHOTGLASS_SIM_PLOT_CSV_H
#define SHOTGLASS_SIM_PLOT_CSV_H

#include <glib.h>

#define SIM_CSV_ERROR (sim_csv_error_quark())
GQuark sim_csv_error_quark(void);

typedef enum SimCsvError {
    /* The file is missing, unreadable or malformed (the message names it). */
    SIM_CSV_ERROR_INPUT,
} SimCsvError;

typedef struct SimCsv {
    char *path;      /* as given to sim_csv_read, for messages */
    char **header;   /* NULL-terminated; `columns` names */
    guint columns;   /* fields per row */
    GPtrArray *rows; /* char ** each, NULL-terminated, `columns` fields */
    GArray *lines;   /* guint: the line in the file where each row starts (1 = header) */
} SimCsv;

/* Reads `path` (borrowed). Returns a new table (free with sim_csv_free), or NULL with
 * SIM_CSV_ERROR_INPUT naming the file when it cannot be read, is empty, has a quoted field
 * left open or a row of the wrong width (then with its line). */
SimCsv *sim_csv_read(const char *path, GError **error);

/* Reads dir/`name` (see sim_csv_read). */
SimCsv *sim_csv_read_in(const char *dir, const char *name, GError **error);

/* Frees `csv` and everything in it; NULL is ignored. */
void sim_csv_free(SimCsv *csv);

/* The index of the column `name`, or -1. */
int sim_csv_column(const SimCsv *csv, const char *name);

/* Finds every named column: pairs of (const char *name, int *index), then NULL. Fails with
 * SIM_CSV_ERROR_INPUT naming the file and the first missing column. */
gboolean sim_csv_columns(const SimCsv *csv, GError **error, ...) G_GNUC_NULL_TERMINATED;

/* The text of a cell (owned by the table, valid until sim_csv_free). `row` and `column` must
 * be in range. */
const char *sim_csv_cell(const SimCsv *csv, guint row, guint column);

/* A cell as a number, read whatever the locale. An empty cell gives NAN when `empty_ok`;
 * otherwise, and for a cell that is not a finite number, fails with SIM_CSV_ERROR_INPUT naming
 * the file, line and column, leaving *value untouched. */
gboolean sim_csv_number(const SimCsv *csv, guint row, guint column, gboolean empty_ok,
                        double *value, GError **error);

#endif
