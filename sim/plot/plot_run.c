/* The plots of a run; see plot_run.h. */
#include "sim/plot/plot_run.h"

#include "sim/core/assert.h"
#include "sim/plot/csv.h"
#include "sim/plot/gnuplot.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

const char *const sim_plot_run_names[SIM_PLOT_RUN_COUNT] = {
    "finality_cdf", "throughput", "view_outcomes", "bandwidth_roles", "leader_queue",
};

/* --- finality_cdf ---------------------------------------------------------------------------- */

static const char finality_body[] =
    "set title \"Latency CDF: finality, and transaction latency when the run has a workload\"\n"
    "set xlabel \"latency (s of virtual time, log scale)\"\n"
    "set ylabel \"fraction of samples at or below the latency\"\n"
    "set logscale x\n"
    "set format x \"%g\"\n"
    "set yrange [0:1.02]\n"
    "set ytics 0.1\n"
    "set key at screen 0.5,0.01 center bottom vertical Left reverse\n"
    "set key title \"Points mark percentiles: min, 1, 5, 10, 20, ..., 90, 95, 98, 99, 99.5, "
    "99.9, max\"\n"
    "set bmargin 9\n"
    "array colors[3] = [\"#4575b4\", \"#d73027\", \"#1a9850\"]\n"
    "# Block 0 is one point that keeps the axes valid when nothing was decided.\n"
    "plot 'finality_cdf.dat' index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     for [i=1:3] '' index i using 1:2 with linespoints lw 2 pt 7 ps 0.6 "
    "lc rgb colors[i] \\\n"
    "         title columnheader(1)\n";

typedef struct LatencyCurve {
    const char *metric;
    const char *title;
} LatencyCurve;

/* The last two curves are drawn only when latency.csv has them (runs with [l1]; the last one
 * with rollups settling there), so that the plot of any other run stays as it was. */
static const LatencyCurve latency_curves[] = {
    {"finality", "finality: from the leader's proposal to each honest node's decide"},
    {"tx_decide", "transactions: from submission to decided"},
    {"tx_available", "transactions: from submission to available at their rollup"},
    {"tx_l1_final", "transactions: from submission to final on the L1 (the light-client update "
                    "covering their block in a final L1 block)"},
    {"tx_settled", "transactions: from submission to settled by their rollup (its state update "
                   "taken on the L1, in a final L1 block)"},
};
#define CURVES_ALWAYS 3

/* Whether latency.csv has rows of `metric`. */
static gboolean has_metric(const SimCsv *csv, guint column, const char *metric)
{
    for (guint r = 0; r < csv->rows->len; r++) {
        if (strcmp(sim_csv_cell(csv, r, column), metric) == 0) return TRUE;
    }
    return FALSE;
}

/* How many curves latency.csv gives: the three, then tx_l1_final, then tx_settled. */
static size_t curve_count(const SimCsv *csv, guint metric)
{
    if (!has_metric(csv, metric, latency_curves[CURVES_ALWAYS].metric)) return CURVES_ALWAYS;
    if (!has_metric(csv, metric, latency_curves[CURVES_ALWAYS + 1].metric)) {
        return CURVES_ALWAYS + 1;
    }
    return CURVES_ALWAYS + 2;
}

static gboolean finality_data(const SimCsv *csv, GString *out, GError **error)
{
    int metric, percentile, seconds;
    if (!sim_csv_columns(csv, error, "metric", &metric, "percentile", &percentile, "seconds",
                         &seconds, NULL)) {
        return FALSE;
    }
    g_string_append(out, "# finality_cdf.dat: written by `shotglass plot` from ../latency.csv.\n"
                         "# Block 0: a frame point. Blocks 1-3: finality, tx_decide and "
                         "tx_available, each a title\n"
                         "# line, then rows of latency (s) and the fraction at or below it "
                         "(percentile / 100).\n");
    size_t curves = curve_count(csv, (guint)metric);
    if (curves > CURVES_ALWAYS)
        g_string_append(out, "# Block 4: tx_l1_final (with [l1]), the same way.\n");
    if (curves > CURVES_ALWAYS + 1)
        g_string_append(out, "# Block 5: tx_settled (with [l1] and rollups), the same way.\n");
    g_string_append(out, "1 0\n");
    for (size_t c = 0; c < curves; c++) {
        GString *rows = g_string_new(NULL);
        for (guint r = 0; r < csv->rows->len; r++) {
            if (strcmp(sim_csv_cell(csv, r, (guint)metric), latency_curves[c].metric) != 0) {
                continue;
            }
            double p, s;
            if (!sim_csv_number(csv, r, (guint)percentile, FALSE, &p, error) ||
                !sim_csv_number(csv, r, (guint)seconds, FALSE, &s, error)) {
                g_string_free(rows, TRUE);
                return FALSE;
            }
            sim_gnuplot_append_number(rows, s);
            g_string_append_c(rows, ' ');
            sim_gnuplot_append_number(rows, p / 100);
            g_string_append_c(rows, '\n');
        }
        g_string_append(out, "\n\n");
        sim_gnuplot_append_data_string(out, rows->len > 0 ? latency_curves[c].title : "");
        g_string_append_printf(out, "\n%s", rows->len > 0 ? rows->str : "NaN NaN\n");
        g_string_free(rows, TRUE);
    }
    return TRUE;
}

/* --- throughput ------------------------------------------------------------------------------ */

static const char throughput_body[] =
    "set title \"Decided blocks and payload per second of virtual time, with fault windows\"\n"
    "set xlabel \"virtual time (s)\"\n" /* determinism-ok: an axis label */
    "set ylabel \"blocks decided in that second (first decide of each block)\"\n"
    "set key at screen 0.5,0.01 center bottom horizontal\n"
    "set bmargin 6\n"
    "set style fill solid 0.6 noborder\n"
    "stats 'throughput.dat' index 1 using 2 nooutput\n"
    "ymax = (STATS_max > 0 ? STATS_max : 1) * 1.3\n"
    "if (STATS_max < 10) { set ytics 1 }\n"
    "stats 'throughput.dat' index 1 using 3 nooutput\n"
    "payload = (STATS_max > 0)\n"
    "AXES = payload ? \"x1y2\" : \"x1y1\"\n"
    "if (payload) {\n"
    "    set border 11\n"
    "    set y2tics\n"
    "    set y2range [0:*]\n"
    "    set y2label \"payload decided in that second (MB)\"\n"
    "}\n"
    "set xrange [0:*]\n"
    "set autoscale xfixmax\n"
    "set yrange [0:ymax]\n"
    "# Block 0 is a frame point; block 1 the seconds; block 2 the fault windows: start, end,\n"
    "# label. A window is shaded over the full height; labels are staggered.\n"
    "plot 'throughput.dat' index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     '' index 2 using (($1+$2)/2):(ymax/2):(($2-$1)/2):(ymax/2) with boxxyerror \\\n"
    "         fs transparent solid 0.15 noborder lc rgb \"#d73027\" title columnheader(1), \\\n"
    "     '' index 2 using 1:(ymax*(0.96-0.05*(int($0)%4))):3 with labels left offset 0.5,0 \\\n"
    "         tc rgb \"#a50026\" notitle, \\\n"
    "     '' index 1 using ($1+0.5):2:(1.0) with boxes lc rgb \"#4575b4\" "
    "title columnheader(2), \\\n"
    "     '' index 1 using ($1+0.5):(payload ? $3 : NaN) axes @AXES with histeps lw 2 \\\n"
    "         lc rgb \"#1a9850\" title columnheader(3)\n";

typedef struct Seconds {
    GString *rows;
    double end;     /* the end of the last second, for windows still open */
    double payload; /* bytes over the run */
} Seconds;

static gboolean throughput_rows(const SimCsv *csv, Seconds *s, GError **error)
{
    int second, blocks, bytes;
    if (!sim_csv_columns(csv, error, "second", &second, "blocks", &blocks, "payload_bytes", &bytes,
                         NULL)) {
        return FALSE;
    }
    for (guint r = 0; r < csv->rows->len; r++) {
        double t, b, p;
        if (!sim_csv_number(csv, r, (guint)second, FALSE, &t, error) ||
            !sim_csv_number(csv, r, (guint)blocks, FALSE, &b, error) ||
            !sim_csv_number(csv, r, (guint)bytes, FALSE, &p, error)) {
            return FALSE;
        }
        s->end = MAX(s->end, t + 1);
        s->payload += p;
        g_string_append_printf(s->rows, "%.0f %.0f ", t, b);
        sim_gnuplot_append_number(s->rows, p / 1e6);
        g_string_append_c(s->rows, '\n');
    }
    if (csv->rows->len == 0) g_string_append(s->rows, "0 0 0\n"); /* keeps `stats` working */
    return TRUE;
}

/* One row per fault that started: start, end (the run's end for a window still open), label. */
static gboolean fault_rows(const SimCsv *csv, double end_of_run, GString *rows, GError **error)
{
    int name, kind, started, start, end;
    if (!sim_csv_columns(csv, error, "name", &name, "kind", &kind, "started", &started, "start",
                         &start, "end", &end, NULL)) {
        return FALSE;
    }
    for (guint r = 0; r < csv->rows->len; r++) {
        double from, to;
        if (strcmp(sim_csv_cell(csv, r, (guint)started), "1") != 0) continue;
        if (!sim_csv_number(csv, r, (guint)start, FALSE, &from, error) ||
            !sim_csv_number(csv, r, (guint)end, TRUE, &to, error)) {
            return FALSE;
        }
        char *label =
            g_strdup_printf("%s: %s%s", sim_csv_cell(csv, r, (guint)name),
                            sim_csv_cell(csv, r, (guint)kind), isnan(to) ? " (until the end)" : "");
        sim_gnuplot_append_number(rows, from);
        g_string_append_c(rows, ' ');
        sim_gnuplot_append_number(rows, isnan(to) ? MAX(end_of_run, from) : to);
        g_string_append_c(rows, ' ');
        sim_gnuplot_append_data_string(rows, label);
        g_string_append_c(rows, '\n');
        g_free(label);
    }
    return TRUE;
}

static gboolean throughput_data(const SimCsv *seconds, const SimCsv *faults, GString *out,
                                GError **error)
{
    Seconds s = {g_string_new(NULL), 0, 0};
    GString *windows = g_string_new(NULL);
    gboolean ok = throughput_rows(seconds, &s, error) && fault_rows(faults, s.end, windows, error);
    if (ok) {
        g_string_append(out, "# throughput.dat: written by `shotglass plot` from "
                             "../throughput.csv and ../faults.csv.\n"
                             "# Block 0: a frame point. Block 1: second, blocks decided in it, "
                             "payload decided in it (MB).\n"
                             "# Block 2: fault windows: start (s), end (s), label.\n"
                             "0 0\n\n\n\"second\" ");
        sim_gnuplot_append_data_string(out, s.payload > 0 ? "blocks decided per second (left axis)"
                                                          : "blocks decided per second");
        g_string_append_c(out, ' ');
        sim_gnuplot_append_data_string(out,
                                       s.payload > 0 ? "payload decided, MB (right axis)" : "");
        g_string_append_printf(out, "\n%s\n\n", s.rows->str);
        sim_gnuplot_append_data_string(out, windows->len > 0 ? "fault window (shaded)" : "");
        g_string_append_printf(out, "\n%s", windows->len > 0 ? windows->str : "NaN NaN NaN\n");
    }
    g_string_free(s.rows, TRUE);
    g_string_free(windows, TRUE);
    return ok;
}

/* --- view_outcomes --------------------------------------------------------------------------- */

static const char view_body[] =
    "set title \"View outcomes: every view at its proposal time, marked by what became of it\"\n"
    "set xlabel \"virtual time (s)\"\n" /* determinism-ok: an axis label */
    "set ylabel \"view number\"\n"
    "set xrange [0:*]\n"
    "set yrange [0:*]\n"
    "set offsets 0, graph 0.02, graph 0.04, 0\n"
    "set key inside left top vertical Left reverse opaque box\n"
    "set label 1 \"Views without a proposal are placed between their neighbours in time.\" \\\n"
    "    at screen 0.01,0.015 left font \",8\"\n"
    "array colors[9] = [\"#4575b4\", \"#999999\", \"#fdae61\", \"#74add1\", \"#d73027\", "
    "\"#f46d43\", \\\n"
    "                   \"#a50026\", \"#762a83\", \"#000000\"]\n"
    "array types[9] = [7, 6, 9, 4, 5, 11, 13, 3, 2]\n"
    "array sizes[9] = [0.5, 1, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]\n"
    "# Block 0 is a frame point; blocks 1-9 one outcome each, block 10 the views view sync\n"
    "# led into (see view_outcomes.dat).\n"
    "plot 'view_outcomes.dat' index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     for [i=1:9] '' index i using 1:2 with points pt types[i] ps sizes[i] "
    "lc rgb colors[i] \\\n"
    "         title columnheader(1), \\\n"
    "     '' index 10 using 1:2 with points pt 12 ps 2.5 lc rgb \"#000000\" "
    "title columnheader(1)\n";

typedef struct Outcome {
    const char *key; /* as views.csv writes it (ana_view_outcome_key); NULL: any other */
    const char *title;
} Outcome;

static const Outcome outcomes[] = {
    {"decided", "decided"},
    {"pending", "pending (the run ended first)"},
    {"orphaned", "orphaned (voted on, block never decided)"},
    {"skipped", "skipped by view sync"},
    {"failed_no_proposal", "failed: no proposal (leader down or without evidence)"},
    {"failed_no_dac", "failed: proposed, no DA certificate"},
    {"failed_no_qc", "failed: proposed, no quorum certificate"},
    {"failed_certified", "failed: certified, but timed out"},
    {NULL, "other outcome"},
};

/* A view's time: its proposal, else its decide; views with neither are placed by linear
 * interpolation between the nearest views that have one (before the first: at 0; after the
 * last: at the last). */
static void interpolate(double *t, guint n)
{
    guint previous = G_MAXUINT;
    for (guint i = 0; i < n; i++) {
        if (isnan(t[i])) continue;
        double from = previous == G_MAXUINT ? 0 : t[previous];
        guint first = previous == G_MAXUINT ? 0 : previous + 1;
        for (guint k = first; k < i; k++) {
            double step = (double)(k + 1 - first) / (double)(i + 1 - first);
            t[k] = from + (t[i] - from) * step;
        }
        previous = i;
    }
    for (guint k = previous == G_MAXUINT ? 0 : previous + 1; k < n; k++)
        t[k] = previous == G_MAXUINT ? 0 : t[previous];
}

static gboolean view_times(const SimCsv *csv, int proposed, int decided, double *t, GError **error)
{
    for (guint r = 0; r < csv->rows->len; r++) {
        double p, d;
        if (!sim_csv_number(csv, r, (guint)proposed, TRUE, &p, error) ||
            !sim_csv_number(csv, r, (guint)decided, TRUE, &d, error)) {
            return FALSE;
        }
        t[r] = isnan(p) ? d : p;
    }
    interpolate(t, csv->rows->len);
    return TRUE;
}

static size_t outcome_index(const char *key)
{
    size_t i = 0;
    while (outcomes[i].key != NULL && strcmp(outcomes[i].key, key) != 0)
        i++;
    return i;
}

/* Appends a block of `count` views (`rows`, freed here) titled "WHAT: N views"; an empty block
 * has an empty title (no legend entry) and one NaN row, so gnuplot's indices stay put. */
static void points_block(GString *out, const char *what, GString *rows, guint count)
{
    char *title = count == 0 ? g_strdup("")
                             : g_strdup_printf("%s: %u view%s", what, count, count == 1 ? "" : "s");
    g_string_append(out, "\n\n");
    sim_gnuplot_append_data_string(out, title);
    g_string_append_printf(out, "\n%s", count > 0 ? rows->str : "NaN NaN\n");
    g_free(title);
    g_string_free(rows, TRUE);
}

/* A point per view: its time and its number (parsed, so only numbers reach the file). */
static void append_point(GString *rows, double t, double view)
{
    sim_gnuplot_append_number(rows, t);
    g_string_append_c(rows, ' ');
    sim_gnuplot_append_number(rows, view);
    g_string_append_c(rows, '\n');
}

static void outcome_block(const SimCsv *csv, const double *t, const double *views, int outcome,
                          size_t o, GString *out)
{
    GString *rows = g_string_new(NULL);
    guint count = 0;
    for (guint r = 0; r < csv->rows->len; r++) {
        if (outcome_index(sim_csv_cell(csv, r, (guint)outcome)) != o) continue;
        append_point(rows, t[r], views[r]);
        count++;
    }
    points_block(out, outcomes[o].title, rows, count);
}

/* The views view sync led into (views.csv's view_sync column, when present). */
static void view_sync_block(const SimCsv *csv, const double *t, const double *views, GString *out)
{
    int column = sim_csv_column(csv, "view_sync");
    GString *rows = g_string_new(NULL);
    guint count = 0;
    for (guint r = 0; column >= 0 && r < csv->rows->len; r++) {
        if (strcmp(sim_csv_cell(csv, r, (guint)column), "1") != 0) continue;
        append_point(rows, t[r], views[r]);
        count++;
    }
    points_block(out, "entered through view sync", rows, count);
}

static gboolean view_data(const SimCsv *csv, GString *out, GError **error)
{
    int view, outcome, proposed, decided;
    if (!sim_csv_columns(csv, error, "view", &view, "outcome", &outcome, "proposed_at", &proposed,
                         "decided_at", &decided, NULL)) {
        return FALSE;
    }
    double *t = g_new(double, csv->rows->len + 1), *views = g_new(double, csv->rows->len + 1);
    /* Views are numbered; a non-number here is a malformed file, not a plotting choice. */
    gboolean ok = view_times(csv, proposed, decided, t, error);
    for (guint r = 0; ok && r < csv->rows->len; r++)
        ok = sim_csv_number(csv, r, (guint)view, FALSE, &views[r], error);
    if (ok) {
        g_string_append(out, "# view_outcomes.dat: written by `shotglass plot` from "
                             "../views.csv.\n"
                             "# Block 0: a frame point. Then one block per outcome, in the "
                             "order of view_outcomes.gp, and one of the views view sync led "
                             "into:\n"
                             "# a title line, then rows of seconds (the proposal, else the "
                             "decide, else interpolated) and view.\n"
                             "0 0\n");
        for (size_t o = 0; o < G_N_ELEMENTS(outcomes); o++)
            outcome_block(csv, t, views, outcome, o, out);
        view_sync_block(csv, t, views, out);
    }
    g_free(t);
    g_free(views);
    return ok;
}

/* --- bandwidth_roles ------------------------------------------------------------------------- */

static const char bandwidth_body[] =
    "set ylabel \"sent over the whole run (MB)\"\n"
    "set yrange [0:*]\n"
    "set offsets 0.5, 0.5, graph 0.08, 0\n"
    "set xtics rotate by -30 left\n"
    "set key outside right top vertical Left reverse\n"
    "set style fill solid 0.85 border lc rgb \"white\"\n"
    "# One block per message type (a slice of each bar), then the totals (a label per bar).\n"
    "stats 'bandwidth_roles.dat' using 0 nooutput\n"
    "N = STATS_blocks - 1\n"
    "array colors[16] = [\"#4575b4\", \"#d73027\", \"#1a9850\", \"#fdae61\", \"#762a83\", "
    "\"#80cdc1\", \\\n"
    "    \"#f46d43\", \"#542788\", \"#bf812d\", \"#35978f\", \"#de77ae\", \"#7f7f7f\", "
    "\"#a6d96a\", \\\n"
    "    \"#fee090\", \"#8c510a\", \"#313695\"]\n"
    "plot for [i=0:N-1] 'bandwidth_roles.dat' index i using 1:3:($1-0.35):($1+0.35):2:3 \\\n"
    "         with boxxyerror lc rgb colors[i%16+1] title columnheader(1), \\\n"
    "     '' index N using 1:2:3:xtic(4) with labels offset 0,0.7 notitle\n";

static const char bandwidth_roles_head[] =
    "set title \"Megabytes sent by each role, stacked by message type\"\n"
    "set xlabel \"role of the sender (leader: of the view; da_member: of the DA committee)\"\n";

static const char bandwidth_types_head[] =
    "set title \"Megabytes sent per message type by all validators (no data path, so no "
    "roles)\"\n"
    "set xlabel \"message type\"\n";

/* A stacked bar chart: bars (x categories) and slices (stacked series, in order of first
 * appearance), with bytes per (slice, bar). */
typedef struct StackPart {
    guint bar, slice;
    double bytes;
} StackPart;

typedef struct Stacks {
    GPtrArray *bars;   /* char * */
    GPtrArray *slices; /* char * */
    GArray *parts;     /* StackPart */
} Stacks;

static void stacks_init(Stacks *s)
{
    s->bars = g_ptr_array_new_with_free_func(g_free);
    s->slices = g_ptr_array_new_with_free_func(g_free);
    s->parts = g_array_new(FALSE, FALSE, sizeof(StackPart));
}

static void stacks_clear(Stacks *s)
{
    g_ptr_array_unref(s->bars);
    g_ptr_array_unref(s->slices);
    g_array_unref(s->parts);
}

static guint intern(GPtrArray *names, const char *name)
{
    for (guint i = 0; i < names->len; i++) {
        if (strcmp(names->pdata[i], name) == 0) return i;
    }
    g_ptr_array_add(names, g_strdup(name));
    return names->len - 1;
}

static void stacks_add(Stacks *s, const char *bar, const char *slice, double bytes)
{
    StackPart part = {intern(s->bars, bar), intern(s->slices, slice), bytes};
    g_array_append_val(s->parts, part);
    SIM_ASSERT(part.bar < s->bars->len && part.slice < s->slices->len);
}

static double stacks_bytes(const Stacks *s, guint bar, guint slice)
{
    double sum = 0;
    for (guint i = 0; i < s->parts->len; i++) {
        const StackPart *p = &g_array_index(s->parts, StackPart, i);
        if (p->bar == bar && p->slice == slice) sum += p->bytes;
    }
    return sum;
}

static void human_bytes(GString *out, double bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    size_t u = 0;
    while (bytes >= 1000 && u + 1 < G_N_ELEMENTS(units)) {
        bytes /= 1000;
        u++;
    }
    g_string_append_printf(out, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
}

static void stacks_totals(const Stacks *s, const double *total, GString *out)
{
    g_string_append(out, "\"totals\"\n");
    for (guint b = 0; b < s->bars->len; b++) {
        GString *label = g_string_new(NULL);
        human_bytes(label, total[b] * 1e6);
        g_string_append_printf(out, "%u ", b);
        sim_gnuplot_append_number(out, total[b]);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_data_string(out, label->str);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_data_string(out, s->bars->pdata[b]);
        g_string_append_c(out, '\n');
        g_string_free(label, TRUE);
    }
    if (s->bars->len == 0) g_string_append(out, "0 0 \"\" \"\"\n"); /* keeps the axes valid */
}

/* One block per slice: bar, bottom and top of the slice (MB); then the totals. */
static void stacks_write(const Stacks *s, GString *out)
{
    double *total = g_new0(double, s->bars->len + 1);
    for (guint k = 0; k < s->slices->len; k++) {
        sim_gnuplot_append_data_string(out, s->slices->pdata[k]);
        g_string_append_c(out, '\n');
        gboolean any = FALSE;
        for (guint b = 0; b < s->bars->len; b++) {
            double v = stacks_bytes(s, b, k) / 1e6;
            if (v <= 0) continue;
            g_string_append_printf(out, "%u ", b);
            sim_gnuplot_append_number(out, total[b]);
            g_string_append_c(out, ' ');
            sim_gnuplot_append_number(out, total[b] + v);
            g_string_append_c(out, '\n');
            total[b] += v;
            any = TRUE;
        }
        if (!any) g_string_append(out, "NaN NaN NaN\n");
        g_string_append(out, "\n\n");
    }
    stacks_totals(s, total, out);
    g_free(total);
}

/* From roles.csv (role, type, bytes). */
static gboolean role_stacks(const SimCsv *csv, Stacks *s, GError **error)
{
    int role, type, bytes;
    if (!sim_csv_columns(csv, error, "role", &role, "type", &type, "bytes", &bytes, NULL)) {
        return FALSE;
    }
    for (guint r = 0; r < csv->rows->len; r++) {
        double b;
        if (!sim_csv_number(csv, r, (guint)bytes, FALSE, &b, error)) return FALSE;
        stacks_add(s, sim_csv_cell(csv, r, (guint)role), sim_csv_cell(csv, r, (guint)type), b);
    }
    return TRUE;
}

/* From node_types.csv: bytes sent per message type, summed over the validators, largest first
 * (ties by name, so the order never depends on the file's). */
static gboolean type_stacks(const SimCsv *csv, Stacks *s, GError **error)
{
    int type, bytes;
    if (!sim_csv_columns(csv, error, "type", &type, "bytes_sent", &bytes, NULL)) return FALSE;
    int host = sim_csv_column(csv, "host"); /* absent in folders written before relays */
    Stacks sums;
    stacks_init(&sums);
    gboolean ok = TRUE;
    for (guint r = 0; ok && r < csv->rows->len; r++) {
        if (host >= 0 && strcmp(sim_csv_cell(csv, r, (guint)host), "validator") != 0)
            continue; /* relays */
        double b = 0;
        ok = sim_csv_number(csv, r, (guint)bytes, FALSE, &b, error);
        if (ok) stacks_add(&sums, sim_csv_cell(csv, r, (guint)type), "sent", b);
    }
    guint n = sums.bars->len;
    double *total = g_new0(double, n + 1);
    guint *order = g_new0(guint, n + 1);
    for (guint b = 0; b < n; b++) {
        total[b] = stacks_bytes(&sums, b, 0);
        guint at = b; /* insertion sort: a few dozen message types at most */
        for (; at > 0 && (total[order[at - 1]] < total[b] ||
                          (total[order[at - 1]] == total[b] &&
                           strcmp(sums.bars->pdata[order[at - 1]], sums.bars->pdata[b]) > 0));
             at--)
            order[at] = order[at - 1];
        order[at] = b;
    }
    for (guint i = 0; ok && i < n; i++)
        stacks_add(s, sums.bars->pdata[order[i]], "sent by all validators together",
                   total[order[i]]);
    g_free(order);
    g_free(total);
    stacks_clear(&sums);
    return ok;
}

/* --- leader_queue ---------------------------------------------------------------------------- */

static const char leader_queue_body[] =
    "set title \"The leader's uplink backlog when it sends its proposal\"\n"
    "set xlabel \"virtual time of the proposal (s)\"\n"
    "set ylabel \"time until the leader's uplink has sent what it already queued (ms)\"\n"
    "set xrange [0:*]\n"
    "set yrange [0:*]\n"
    "set key at screen 0.5,0.01 center bottom horizontal\n"
    "set bmargin 6\n"
    "# Block 0 is a frame point; block 1 one row per proposal: time, backlog (ms), view, "
    "leader.\n"
    "plot 'leader_queue.dat' index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     '' index 1 using 1:2 with impulses lc rgb \"#4575b4\" \\\n"
    "         title \"one proposal: the wait its leader's uplink already had\", \\\n"
    "     '' index 1 using 1:2 with points pt 7 ps 0.5 lc rgb \"#4575b4\" notitle\n";

static gboolean leader_queue_data(const SimCsv *csv, GString *out, GError **error)
{
    int view, leader, time, backlog;
    if (!sim_csv_columns(csv, error, "view", &view, "leader", &leader, "time", &time,
                         "uplink_backlog", &backlog, NULL)) {
        return FALSE;
    }
    g_string_append(out, "# leader_queue.dat: written by `shotglass plot` from "
                         "../leader_queue.csv.\n"
                         "# Block 0: a frame point. Block 1: per proposal, seconds, the "
                         "leader's uplink backlog (ms),\n"
                         "# view, leader.\n"
                         "0 0\n\n\n");
    for (guint r = 0; r < csv->rows->len; r++) {
        double t, b, v, l;
        if (!sim_csv_number(csv, r, (guint)time, FALSE, &t, error) ||
            !sim_csv_number(csv, r, (guint)backlog, FALSE, &b, error) ||
            !sim_csv_number(csv, r, (guint)view, FALSE, &v, error) ||
            !sim_csv_number(csv, r, (guint)leader, FALSE, &l, error)) {
            return FALSE;
        }
        double row[] = {t, b * 1e3, v, l};
        for (size_t i = 0; i < G_N_ELEMENTS(row); i++) {
            if (i > 0) g_string_append_c(out, ' ');
            sim_gnuplot_append_number(out, row[i]);
        }
        g_string_append_c(out, '\n');
    }
    if (csv->rows->len == 0) g_string_append(out, "NaN NaN\n");
    return TRUE;
}

/* --- epoch_transitions (runs with epochs) ---------------------------------------------------- */

static const char epoch_transitions_body[] =
    "set title \"Views per epoch transition: from the transition block to the next epoch's first "
    "block\"\n"
    "set xlabel \"epoch (its transition into the next one)\"\n"
    "set ylabel \"views\"\n"
    "set yrange [0:*]\n"
    "set offsets 0.5, 0.5, graph 0.15, 0\n"
    "set xtics 1\n"
    "set key at screen 0.5,0.01 center bottom horizontal\n"
    "set bmargin 6\n"
    "set style fill solid 0.6 noborder\n"
    "set boxwidth 0.7\n"
    "# Block 0 is a frame point; block 1 one row per completed transition: epoch, views.\n"
    "plot 'epoch_transitions.dat' index 0 using 1:2 with dots lc rgb \"#ff000000\" notitle, \\\n"
    "     '' index 1 using 1:2 with boxes lc rgb \"#4575b4\" "
    "title \"views the transition took\", \\\n"
    "     4 with lines dt 2 lw 2 lc rgb \"#d73027\" "
    "title \"4: without a failure (eN-3, three empty blocks, eN+1)\"\n";

static gboolean epoch_transitions_data(const SimCsv *csv, GString *out, GError **error)
{
    int epoch, views;
    if (!sim_csv_columns(csv, error, "epoch", &epoch, "transition_views", &views, NULL)) {
        return FALSE;
    }
    g_string_append(out, "# epoch_transitions.dat: written by `shotglass plot` from "
                         "../epochs.csv.\n"
                         "# Block 0: a frame point. Block 1: per completed transition, the "
                         "epoch it leaves and its views.\n"
                         "1 0\n\n\n");
    guint rows = 0;
    for (guint r = 0; r < csv->rows->len; r++) {
        double e, v;
        if (!sim_csv_number(csv, r, (guint)epoch, FALSE, &e, error) ||
            !sim_csv_number(csv, r, (guint)views, TRUE, &v, error)) {
            return FALSE;
        }
        if (isnan(v)) continue; /* not completed */
        sim_gnuplot_append_number(out, e);
        g_string_append_c(out, ' ');
        sim_gnuplot_append_number(out, v);
        g_string_append_c(out, '\n');
        rows++;
    }
    if (rows == 0) g_string_append(out, "NaN NaN\n");
    return TRUE;
}

typedef gboolean (*DataFn)(const SimCsv *csv, GString *out, GError **error);

/* A plot made from one CSV file. */
static gboolean write_simple(const char *dir, const char *plots, const char *csv_name,
                             const char *name, const char *what, DataFn data_fn, const char *body,
                             GError **error)
{
    SimCsv *csv = sim_csv_read_in(dir, csv_name, error);
    if (csv == NULL) return FALSE;
    GString *data = g_string_new(NULL);
    gboolean ok = data_fn(csv, data, error);
    sim_csv_free(csv);
    if (!ok) {
        g_string_free(data, TRUE);
        return FALSE;
    }
    return sim_gnuplot_write(plots, name, what, data, body, error);
}

static gboolean write_throughput(const char *dir, const char *plots, GError **error)
{
    SimCsv *seconds = sim_csv_read_in(dir, "throughput.csv", error);
    SimCsv *faults = seconds != NULL ? sim_csv_read_in(dir, "faults.csv", error) : NULL;
    GString *data = g_string_new(NULL);
    gboolean ok = faults != NULL && throughput_data(seconds, faults, data, error);
    sim_csv_free(seconds);
    sim_csv_free(faults);
    if (!ok) {
        g_string_free(data, TRUE);
        return FALSE;
    }
    return sim_gnuplot_write(plots, "throughput",
                             "blocks and payload decided per second, fault windows shaded", data,
                             throughput_body, error);
}

/* Roles when roles.csv has rows (the data path ran), else message types from node_types.csv. */
static gboolean write_bandwidth(const char *dir, const char *plots, GError **error)
{
    SimCsv *roles = sim_csv_read_in(dir, "roles.csv", error);
    if (roles == NULL) return FALSE;
    gboolean by_role = roles->rows->len > 0;
    SimCsv *types = by_role ? NULL : sim_csv_read_in(dir, "node_types.csv", error);
    Stacks s;
    stacks_init(&s);
    gboolean ok =
        by_role ? role_stacks(roles, &s, error) : types != NULL && type_stacks(types, &s, error);
    GString *data = g_string_new(NULL);
    g_string_append_printf(data,
                           "# bandwidth_roles.dat: written by `shotglass plot` from ../%s.\n"
                           "# One block per %s: a title line, then rows of bar (0, 1, ...), "
                           "bottom and top of\n"
                           "# the slice (MB). Last block: bar, total (MB), label, bar name.\n",
                           by_role ? "roles.csv" : "node_types.csv (roles.csv is empty)",
                           by_role ? "message type" : "series");
    if (ok) stacks_write(&s, data);
    stacks_clear(&s);
    sim_csv_free(roles);
    sim_csv_free(types);
    if (!ok) {
        g_string_free(data, TRUE);
        return FALSE;
    }
    char *body =
        g_strconcat(by_role ? bandwidth_roles_head : bandwidth_types_head, bandwidth_body, NULL);
    ok = sim_gnuplot_write(plots, "bandwidth_roles",
                           by_role ? "bytes sent by role, stacked by message type"
                                   : "bytes sent per message type (no data path, so no roles)",
                           data, body, error);
    g_free(body);
    return ok;
}

/* Replaces the first `old` in `text` by `new` (GLib's g_string_replace needs 2.68). */
static void replace_once(GString *text, const char *old, const char *new)
{
    const char *at = strstr(text->str, old);
    SIM_ASSERT(at != NULL);
    gssize pos = at - text->str;
    g_string_erase(text, pos, (gssize)strlen(old));
    g_string_insert(text, pos, new);
}

/* The finality CDF, with a fourth curve (L1 finality) when latency.csv has it. */
static gboolean write_finality(const char *dir, const char *plots, GError **error)
{
    SimCsv *csv = sim_csv_read_in(dir, "latency.csv", error);
    if (csv == NULL) return FALSE;
    GString *data = g_string_new(NULL);
    gboolean ok = finality_data(csv, data, error);
    int metric = sim_csv_column(csv, "metric");
    size_t curves = ok && metric >= 0 ? curve_count(csv, (guint)metric) : CURVES_ALWAYS;
    sim_csv_free(csv);
    if (!ok) {
        g_string_free(data, TRUE);
        return FALSE;
    }
    GString *body = g_string_new(finality_body);
    if (curves == CURVES_ALWAYS + 1) {
        replace_once(body, "array colors[3] = [\"#4575b4\", \"#d73027\", \"#1a9850\"]",
                     "array colors[4] = [\"#4575b4\", \"#d73027\", \"#1a9850\", \"#984ea3\"]");
        replace_once(body, "for [i=1:3]", "for [i=1:4]");
    } else if (curves == CURVES_ALWAYS + 2) {
        replace_once(body, "array colors[3] = [\"#4575b4\", \"#d73027\", \"#1a9850\"]",
                     "array colors[5] = [\"#4575b4\", \"#d73027\", \"#1a9850\", \"#984ea3\", "
                     "\"#ff7f00\"]");
        replace_once(body, "for [i=1:3]", "for [i=1:5]");
    }
    ok = sim_gnuplot_write(plots, "finality_cdf",
                           "CDF of finality latency (and of transaction latency with a workload)",
                           data, body->str, error);
    g_string_free(body, TRUE);
    return ok;
}

static gboolean write_run_plots(const char *dir, const char *plots, GError **error)
{
    return write_finality(dir, plots, error) && write_throughput(dir, plots, error) &&
           write_simple(dir, plots, "views.csv", "view_outcomes",
                        "every view at its time, marked by its outcome", view_data, view_body,
                        error) &&
           write_bandwidth(dir, plots, error) &&
           write_simple(dir, plots, "leader_queue.csv", "leader_queue",
                        "the leader's uplink backlog at each proposal", leader_queue_data,
                        leader_queue_body, error);
}

/* Whether `dir` has an epochs.csv with rows (a run with epochs). */
static gboolean has_epochs(const char *dir)
{
    char *path = g_build_filename(dir, "epochs.csv", NULL);
    gboolean present = g_file_test(path, G_FILE_TEST_EXISTS);
    g_free(path);
    if (!present) return FALSE;
    SimCsv *csv = sim_csv_read_in(dir, "epochs.csv", NULL);
    gboolean rows = csv != NULL && csv->rows->len > 0;
    sim_csv_free(csv);
    return rows;
}

gboolean sim_plot_run_draw(const char *dir, GError **error)
{
    SIM_ASSERT(dir != NULL);
    char *plots = sim_gnuplot_folder(dir, error);
    if (plots == NULL) return FALSE;
    GPtrArray *names = g_ptr_array_new();
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++)
        g_ptr_array_add(names, (char *)sim_plot_run_names[i]);
    gboolean ok = write_run_plots(dir, plots, error);
    if (ok && has_epochs(dir)) {
        g_ptr_array_add(names, (char *)SIM_PLOT_EPOCH_TRANSITIONS);
        ok = write_simple(dir, plots, "epochs.csv", SIM_PLOT_EPOCH_TRANSITIONS,
                          "views per epoch transition", epoch_transitions_data,
                          epoch_transitions_body, error);
    }
    ok = ok && sim_gnuplot_draw(dir, plots, names, error);
    g_ptr_array_unref(names);
    g_free(plots);
    return ok;
}

void sim_plot_run_forget(const char *dir)
{
    static const char *const extensions[] = {"dat", "gp", "png", "svg"};
    char *plots = g_build_filename(dir, "plots", NULL);
    for (guint i = 0; i <= SIM_PLOT_RUN_COUNT; i++) {
        const char *stem =
            i < SIM_PLOT_RUN_COUNT ? sim_plot_run_names[i] : SIM_PLOT_EPOCH_TRANSITIONS;
        for (guint e = 0; e < G_N_ELEMENTS(extensions); e++) {
            char *name = g_strdup_printf("%s.%s", stem, extensions[e]);
            char *path = g_build_filename(plots, name, NULL);
            g_unlink(path);
            g_free(path);
            g_free(name);
        }
    }
    g_rmdir(plots); /* fails, harmlessly, when something else is in it */
    char *report = g_build_filename(dir, "report.html", NULL);
    g_unlink(report);
    g_free(report);
    g_free(plots);
}
