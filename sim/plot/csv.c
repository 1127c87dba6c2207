/*
 * The CSV reader; see csv.h. libcsv splits the fields; the text is fed to it one line at a
 * time, so the line a row starts on is known exactly: a row always starts at the beginning of
 * a line, the first line fed while no row is open.
 */
#include "sim/plot/csv.h"

#include "sim/core/assert.h"

#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(sim - csv - error - quark, sim_csv_error)

void sim_csv_free(SimCsv *csv)
{
    if (csv == NULL) return;
    g_free(csv->path);
    g_strfreev(csv->header);
    g_ptr_array_unref(csv->rows);
    g_array_unref(csv->lines);
    g_free(csv);
}

/* What libcsv's callbacks build: the fields of the row under way, and the first error. */
typedef struct CsvParse {
    SimCsv *csv;
    GPtrArray *fields; /* char *, the row under way */
    guint line;        /* the line being fed */
    guint start;       /* the line the row under way started on; 0: no row open */
    GError *error;
} CsvParse;

static void field_callback(void *text, size_t length, void *data)
{
    CsvParse *p = data;
    SIM_ASSERT(p->start > 0);
    g_ptr_array_add(p->fields, g_strndup(text, length));
}

static void row_callback(int terminator, void *data)
{
    CsvParse *p = data;
    SimCsv *csv = p->csv;
    (void)terminator;
    g_ptr_array_add(p->fields, NULL);
    char **row = (char **)g_ptr_array_free(p->fields, FALSE);
    guint start = p->start;
    p->fields = g_ptr_array_new_with_free_func(g_free);
    p->start = 0;
    if (csv->header == NULL) {
        csv->header = row;
        csv->columns = g_strv_length(row);
        return;
    }
    guint width = g_strv_length(row);
    g_ptr_array_add(csv->rows, row);
    g_array_append_val(csv->lines, start);
    if (width != csv->columns && p->error == NULL) {
        g_set_error(&p->error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT,
                    "%s:%u: %u fields, but the header has %u", csv->path, start, width,
                    csv->columns);
    }
}

/* No blanks are trimmed: a cell is exactly what the file holds. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* Feeds `text` to `parser` line by line; returns FALSE at the first line libcsv rejects. */
static gboolean feed_lines(struct csv_parser *parser, CsvParse *p, const char *text, gsize length)
{
    for (gsize at = 0; at < length; p->line++) {
        const char *end = memchr(text + at, '\n', length - at);
        gsize chunk = end != NULL ? (gsize)(end - (text + at)) + 1 : length - at;
        gboolean blank = text[at] == '\n' || (text[at] == '\r' && chunk == 2);
        if (p->start == 0 && !blank) p->start = p->line;
        if (csv_parse(parser, text + at, chunk, field_callback, row_callback, p) != chunk) {
            return FALSE;
        }
        at += chunk;
    }
    return TRUE;
}

static gboolean csv_parse_text(SimCsv *csv, const char *text, gsize length, GError **error)
{
    struct csv_parser parser;
    /* Strict: a quote inside an unquoted field, text after a closing quote, or a quote left
     * open at the end is an error, not a guess. */
    int status = csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
    SIM_ASSERT(status == 0);
    csv_set_space_func(&parser, no_space);
    CsvParse p = {csv, g_ptr_array_new_with_free_func(g_free), 1, 0, NULL};
    gboolean fed = feed_lines(&parser, &p, text, length);
    guint start = p.start;
    gboolean closed = fed && csv_fini(&parser, field_callback, row_callback, &p) == 0;
    csv_free(&parser);
    g_ptr_array_free(p.fields, TRUE);
    if (p.error != NULL) {
        g_propagate_error(error, p.error);
    } else if (!fed) {
        g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT,
                    "%s:%u: a quote inside an unquoted field, or text after a closing quote",
                    csv->path, p.line);
    } else if (!closed) {
        g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT,
                    "%s:%u: a quoted field is not closed", csv->path, start);
    } else if (csv->header == NULL || csv->header[0] == NULL || csv->header[0][0] == '\0') {
        g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT, "%s: empty (no header line)",
                    csv->path);
    } else {
        return TRUE;
    }
    return FALSE;
}

SimCsv *sim_csv_read(const char *path, GError **error)
{
    SIM_ASSERT(path != NULL);
    char *text = NULL;
    gsize length = 0;
    GError *inner = NULL;
    if (!g_file_get_contents(path, &text, &length, &inner)) {
        g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT, "%s", inner->message);
        g_error_free(inner);
        return NULL;
    }
    SimCsv *csv = g_new0(SimCsv, 1);
    csv->path = g_strdup(path);
    csv->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    csv->lines = g_array_new(FALSE, FALSE, sizeof(guint));
    gboolean ok = csv_parse_text(csv, text, length, error);
    g_free(text);
    if (!ok) g_clear_pointer(&csv, sim_csv_free);
    SIM_ASSERT(csv == NULL || csv->rows->len == csv->lines->len);
    return csv;
}

SimCsv *sim_csv_read_in(const char *dir, const char *name, GError **error)
{
    SIM_ASSERT(dir != NULL && name != NULL);
    char *path = g_build_filename(dir, name, NULL);
    SimCsv *csv = sim_csv_read(path, error);
    g_free(path);
    return csv;
}

int sim_csv_column(const SimCsv *csv, const char *name)
{
    SIM_ASSERT(csv != NULL);
    SIM_ASSERT(name != NULL);
    for (guint i = 0; i < csv->columns; i++) {
        if (strcmp(csv->header[i], name) == 0) return (int)i;
    }
    return -1;
}

gboolean sim_csv_columns(const SimCsv *csv, GError **error, ...)
{
    SIM_ASSERT(csv != NULL);
    va_list args;
    va_start(args, error);
    gboolean ok = TRUE;
    for (const char *name = va_arg(args, const char *); ok && name != NULL;
         name = va_arg(args, const char *)) {
        int *index = va_arg(args, int *);
        *index = sim_csv_column(csv, name);
        if (*index < 0) {
            g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT, "%s: no column \"%s\"",
                        csv->path, name);
            ok = FALSE;
        }
    }
    va_end(args);
    return ok;
}

const char *sim_csv_cell(const SimCsv *csv, guint row, guint column)
{
    SIM_ASSERT(row < csv->rows->len);
    SIM_ASSERT(column < csv->columns);
    return ((char **)csv->rows->pdata[row])[column];
}

gboolean sim_csv_number(const SimCsv *csv, guint row, guint column, gboolean empty_ok,
                        double *value, GError **error)
{
    const char *text = sim_csv_cell(csv, row, column);
    char *end = NULL;
    double parsed = g_ascii_strtod(text, &end);
    if (text[0] == '\0' && empty_ok) {
        *value = NAN;
        return TRUE;
    }
    /* strtod would skip leading blanks, line breaks included: a cell is a number or not. */
    if (text[0] == '\0' || g_ascii_isspace(text[0]) || *end != '\0' || !isfinite(parsed)) {
        g_set_error(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT,
                    "%s:%u: column \"%s\": \"%s\" is not a number", csv->path,
                    g_array_index(csv->lines, guint, row), csv->header[column], text);
        return FALSE;
    }
    *value = parsed;
    return TRUE;
}
