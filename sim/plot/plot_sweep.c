/*
 * The sweep plots (see plot_sweep.h): for every metric and every varied key, the
 * metric's mean over the seeds, with its 95% confidence interval as error bars, against the
 * key's values; one line per combination of the other keys' values. The plot of metric M
 * against key K is sweep_M_vs_K, with M and K reduced to letters, digits, '.', '-' and '_' in
 * the file name (the titles keep them whole).
 */
#include "sim/plot/plot_sweep.h"

#include "sim/core/assert.h"
#include "sim/plot/csv.h"
#include "sim/plot/gnuplot.h"

#include <math.h>
#include <string.h>

void sim_plot_sweep_schema_clear(SimPlotSweepSchema *schema)
{
    if (schema->metrics != NULL) g_ptr_array_unref(schema->metrics);
    schema->metrics = NULL;
}

static gboolean schema_fail(const SimCsv *csv, GError **error, const char *why, guint column)
{
    char *name = g_strescape(column < csv->columns ? csv->header[column] : "", NULL);
    g_set_error(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_INPUT,
                "%s: not a sweep table: %s (column %u, \"%s\"); expected point, the keys, seeds, "
                "then M_mean, M_sd, M_ci95 for every metric M",
                csv->path, why, column + 1, name);
    g_free(name);
    return FALSE;
}

gboolean sim_plot_sweep_schema(const SimCsv *csv, SimPlotSweepSchema *schema, GError **error)
{
    SIM_ASSERT(csv != NULL && schema != NULL);
    /* Column names are scenario keys and metric names: plain, and each once. They end up in
     * file names, scripts and comments, so nothing else is let through. */
    for (guint c = 0; c < csv->columns; c++) {
        const char *name = csv->header[c];
        gboolean plain = name[0] != '\0';
        for (const char *p = name; *p != '\0' && plain; p++)
            plain = g_ascii_isalnum(*p) || *p == '.' || *p == '-' || *p == '_';
        if (!plain) {
            return schema_fail(csv, error, "a column name other than letters, digits and . - _", c);
        }
        for (guint d = 0; d < c; d++) {
            if (strcmp(csv->header[d], name) == 0)
                return schema_fail(csv, error, "a column name given twice", c);
        }
    }
    if (strcmp(csv->header[0], "point") != 0) {
        return schema_fail(csv, error, "the first column is not `point`", 0);
    }
    int seeds = sim_csv_column(csv, "seeds");
    if (seeds < 1) return schema_fail(csv, error, "no column `seeds`", csv->columns - 1);
    guint first = (guint)seeds + 1;
    if ((csv->columns - first) % 3 != 0 || csv->columns == first) {
        return schema_fail(csv, error, "the metrics do not come in threes", csv->columns - 1);
    }
    GPtrArray *metrics = g_ptr_array_new_with_free_func(g_free);
    static const char *const suffixes[] = {"_mean", "_sd", "_ci95"};
    for (guint c = first; c < csv->columns; c += 3) {
        const char *mean = csv->header[c];
        size_t length = strlen(mean);
        char *metric =
            g_str_has_suffix(mean, "_mean") && length > 5 ? g_strndup(mean, length - 5) : NULL;
        for (guint k = 0; metric != NULL && k < 3; k++) {
            char *expected = g_strconcat(metric, suffixes[k], NULL);
            if (strcmp(csv->header[c + k], expected) != 0) {
                g_clear_pointer(&metric, g_free);
                c += k; /* name the column that broke the pattern */
            }
            g_free(expected);
        }
        if (metric == NULL) {
            g_ptr_array_unref(metrics);
            return schema_fail(csv, error, "expected M_mean, M_sd, M_ci95", c);
        }
        g_ptr_array_add(metrics, metric);
    }
    schema->seeds = (guint)seeds;
    schema->metrics = metrics;
    return TRUE;
}

GPtrArray *sim_plot_sweep_names(const SimCsv *csv, GError **error)
{
    SimPlotSweepSchema schema = {0};
    if (!sim_plot_sweep_schema(csv, &schema, error)) return NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint m = 0; m < schema.metrics->len; m++) {
        for (guint k = 1; k < schema.seeds; k++) {
            /* Names are plain (the schema says so); "sweep_a_vs_b_vs_c" could still come from
             * two pairs, so a repeat gets a number. */
            char *name =
                g_strdup_printf("sweep_%s_vs_%s", (char *)schema.metrics->pdata[m], csv->header[k]);
            for (guint n = 2; g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL);
                 n++) {
                g_free(name);
                name = g_strdup_printf("sweep_%s_vs_%s-%u", (char *)schema.metrics->pdata[m],
                                       csv->header[k], n);
            }
            g_ptr_array_add(names, name);
        }
    }
    sim_plot_sweep_schema_clear(&schema);
    return names;
}

/* --- one plot -------------------------------------------------------------------------------- */

static const char sweep_body[] =
    "set key outside right top vertical Left reverse\n"
    "set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\n"
    "set style data yerrorlines\n"
    "# Block 0 is a frame point; then one block per combination of the other keys: a title\n"
    "# line, then rows of x, mean, ci95 half-width, tic label. Numeric keys whose values span\n"
    "# a factor of 20 or more get a logarithmic axis; other keys are categories 0, 1, ...\n"
    "stats DATA using 1 nooutput\n"
    "N = STATS_blocks - 1\n"
    "if (STATS_min > 0 && STATS_max >= 20 * STATS_min) { set logscale x }\n"
    "array colors[8] = [\"#4575b4\", \"#d73027\", \"#1a9850\", \"#fdae61\", \"#762a83\", "
    "\"#80cdc1\", \\\n"
    "    \"#f46d43\", \"#542788\"]\n"
    "array types[8] = [7, 5, 9, 11, 13, 6, 4, 8]\n"
    "plot DATA index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     for [i=1:N] DATA index i using 1:2:3:xtic(4) lw 2 pt types[(i-1)%8+1] ps 1.2 \\\n"
    "         lc rgb colors[(i-1)%8+1] title columnheader(1)\n";

/* The values one key takes, in order of first appearance, and whether they are all numbers. */
typedef struct KeyValues {
    GPtrArray *texts; /* char * */
    gboolean numeric;
} KeyValues;

static KeyValues key_values(const SimCsv *csv, guint key)
{
    KeyValues v = {g_ptr_array_new_with_free_func(g_free), TRUE};
    for (guint r = 0; r < csv->rows->len; r++) {
        const char *text = sim_csv_cell(csv, r, key);
        char *end = NULL;
        double x = g_ascii_strtod(text, &end);
        if (text[0] == '\0' || *end != '\0' || !isfinite(x)) v.numeric = FALSE;
        gboolean seen = FALSE;
        for (guint i = 0; i < v.texts->len && !seen; i++)
            seen = strcmp(v.texts->pdata[i], text) == 0;
        if (!seen) g_ptr_array_add(v.texts, g_strdup(text));
    }
    return v;
}

static double key_x(const KeyValues *v, const char *text)
{
    if (v->numeric) return g_ascii_strtod(text, NULL);
    guint i = 0;
    while (i < v->texts->len && strcmp(v->texts->pdata[i], text) != 0)
        i++;
    return (double)i;
}

/* "k1 = v1, k3 = v3" over the varied keys other than `key`; "all points" when there is none. */
static char *group_of(const SimCsv *csv, guint row, guint seeds, guint key)
{
    GString *g = g_string_new(NULL);
    for (guint k = 1; k < seeds; k++) {
        if (k == key) continue;
        g_string_append_printf(g, "%s%s = %s", g->len > 0 ? ", " : "", csv->header[k],
                               sim_csv_cell(csv, row, k));
    }
    if (g->len == 0) g_string_append(g, "all points");
    return g_string_free(g, FALSE);
}

typedef struct SweepRow {
    double x, mean, ci95;
    guint row;
} SweepRow;

static gint sweep_row_compare(gconstpointer a, gconstpointer b)
{
    const SweepRow *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* The rows of one line of the plot, sorted by x (then by row, so the order is total). */
static gboolean group_rows(const SimCsv *csv, const KeyValues *v, guint key, guint mean_column,
                           guint seeds, const char *group, GArray *rows, GError **error)
{
    for (guint r = 0; r < csv->rows->len; r++) {
        char *g = group_of(csv, r, seeds, key);
        gboolean mine = strcmp(g, group) == 0;
        g_free(g);
        if (!mine) continue;
        SweepRow s = {key_x(v, sim_csv_cell(csv, r, key)), NAN, NAN, r};
        if (!sim_csv_number(csv, r, mean_column, TRUE, &s.mean, error) ||
            !sim_csv_number(csv, r, mean_column + 2, TRUE, &s.ci95, error)) {
            return FALSE;
        }
        if (isnan(s.ci95)) s.ci95 = 0;
        g_array_append_val(rows, s);
    }
    g_array_sort(rows, sweep_row_compare);
    return TRUE;
}

static void append_rows(const SimCsv *csv, guint key, const GArray *rows, GString *out)
{
    for (guint i = 0; i < rows->len; i++) {
        const SweepRow *s = &g_array_index(rows, SweepRow, i);
        sim_gnuplot_append_number(out, s->x);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_number(out, s->mean);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_number(out, s->ci95);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_data_string(out, sim_csv_cell(csv, s->row, key));
        g_string_append_c(out, '\n');
    }
}

/* The frame point: the first value of the key and the first finite mean (0 if none), so the
 * axes are valid even when every mean is missing. */
static void frame_point(const SimCsv *csv, const KeyValues *v, guint key, guint mean_column,
                        GString *out)
{
    double y = 0;
    for (guint r = csv->rows->len; r > 0; r--) {
        double m;
        if (sim_csv_number(csv, r - 1, mean_column, TRUE, &m, NULL) && !isnan(m)) y = m;
    }
    double x = csv->rows->len > 0 ? key_x(v, sim_csv_cell(csv, 0, key)) : 0;
    sim_gnuplot_append_number(out, x);
    g_string_append_c(out, ' ');
    sim_gnuplot_append_number(out, y);
    g_string_append(out, "\n");
}

static gboolean sweep_data(const SimCsv *csv, guint seeds, guint mean_column, guint key,
                           GString *out, GError **error)
{
    KeyValues v = key_values(csv, key);
    g_string_append_printf(out, "# Written by `shotglass plot` from ../sweep.csv: %s against %s.\n",
                           csv->header[mean_column], csv->header[key]);
    frame_point(csv, &v, key, mean_column, out);
    GPtrArray *groups = g_ptr_array_new_with_free_func(g_free);
    gboolean ok = TRUE;
    for (guint r = 0; ok && r < csv->rows->len; r++) {
        char *group = group_of(csv, r, seeds, key);
        gboolean seen = FALSE;
        for (guint i = 0; i < groups->len && !seen; i++)
            seen = strcmp(groups->pdata[i], group) == 0;
        if (seen) {
            g_free(group);
            continue;
        }
        g_ptr_array_add(groups, group);
        GArray *rows = g_array_new(FALSE, FALSE, sizeof(SweepRow));
        ok = group_rows(csv, &v, key, mean_column, seeds, group, rows, error);
        g_string_append(out, "\n\n");
        sim_gnuplot_append_data_string(out, group);
        g_string_append_c(out, '\n');
        append_rows(csv, key, rows, out);
        g_array_unref(rows);
    }
    g_ptr_array_unref(groups);
    g_ptr_array_unref(v.texts);
    return ok;
}

static char *sweep_script(const char *name, const char *metric, const char *key)
{
    GString *s = g_string_new("DATA = ");
    char *data = g_strconcat(name, ".dat", NULL);
    sim_gnuplot_append_script_string(s, data);
    char *title = g_strdup_printf("%s against %s: mean over the seeds, with its 95%% "
                                  "confidence interval",
                                  metric, key);
    char *xlabel = g_strdup_printf("%s (scenario key varied by the sweep)", key);
    char *ylabel = g_strdup_printf("%s (mean over the seeds; bars: 95%% CI)", metric);
    g_string_append(s, "\nset title ");
    sim_gnuplot_append_script_string(s, title);
    g_string_append(s, "\nset xlabel ");
    sim_gnuplot_append_script_string(s, xlabel);
    g_string_append(s, "\nset ylabel ");
    sim_gnuplot_append_script_string(s, ylabel);
    g_string_append_printf(s, "\n%s", sweep_body);
    g_free(data), g_free(title), g_free(xlabel), g_free(ylabel);
    return g_string_free(s, FALSE);
}

static gboolean write_sweep_plots(const SimCsv *csv, const SimPlotSweepSchema *schema,
                                  const GPtrArray *names, const char *plots, GError **error)
{
    gboolean ok = TRUE;
    guint n = 0;
    for (guint m = 0; ok && m < schema->metrics->len; m++) {
        for (guint k = 1; ok && k < schema->seeds; k++, n++) {
            const char *name = names->pdata[n];
            GString *data = g_string_new(NULL);
            ok = sweep_data(csv, schema->seeds, schema->seeds + 1 + 3 * m, k, data, error);
            if (!ok) {
                g_string_free(data, TRUE);
                break;
            }
            char *what = g_strdup_printf("%s against %s (sweep)", (char *)schema->metrics->pdata[m],
                                         csv->header[k]);
            char *body = sweep_script(name, schema->metrics->pdata[m], csv->header[k]);
            ok = sim_gnuplot_write(plots, name, what, data, body, error);
            g_free(body);
            g_free(what);
        }
    }
    SIM_ASSERT(!ok || n == names->len);
    return ok;
}

gboolean sim_plot_sweep_draw(const char *dir, GError **error)
{
    SIM_ASSERT(dir != NULL);
    SimCsv *csv = sim_csv_read_in(dir, "sweep.csv", error);
    if (csv == NULL) return FALSE;
    SimPlotSweepSchema schema = {0};
    GPtrArray *names = NULL;
    char *plots = NULL;
    gboolean ok = sim_plot_sweep_schema(csv, &schema, error) &&
                  (names = sim_plot_sweep_names(csv, error)) != NULL &&
                  (plots = sim_gnuplot_folder(dir, error)) != NULL &&
                  write_sweep_plots(csv, &schema, names, plots, error) &&
                  (names->len == 0 || sim_gnuplot_draw(dir, plots, names, error));
    g_free(plots);
    if (names != NULL) g_ptr_array_unref(names);
    sim_plot_sweep_schema_clear(&schema);
    sim_csv_free(csv);
    return ok;
}
