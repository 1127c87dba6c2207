/*
 * Plots and reports of results folders (sim/plot/: csv, gnuplot, plot_run, plot_sweep, plot,
 * report).
 *
 * Method: each test copies the hand-written folder tests/plot/run (four nodes; a partition, a
 * crash that never ends, a fault that never started; views without proposals and one with an
 * outcome from the future; an empty roles.csv; text in summary.json that must be escaped) or
 * the sweep table tests/plot/sweep.csv into a fresh temporary folder, draws or reports there,
 * and checks the files: PNGs by their signature and IHDR chunk, SVGs by parsing them, data
 * files and scripts by what they must and must not hold, and the HTML page by its structure,
 * its escaping and the absence of anything loaded from elsewhere. "No gnuplot" is PATH set to
 * an empty folder. Tests that draw need gnuplot (`make deps` installs gnuplot-nox).
 */
#include "sim/plot/csv.h"
#include "sim/plot/gnuplot.h"
#include "sim/plot/plot.h"
#include "sim/plot/plot_run.h"
#include "sim/plot/plot_sweep.h"
#include "sim/plot/report.h"

#include "tests/check_main.h"

#include <glib/gstdio.h>
#include <string.h>

/* --- helpers --------------------------------------------------------------------------------- */

static char *fixture(const char *name)
{
    const char *root = g_getenv("SHOTGLASS_FIXTURES");
    return g_build_filename(root != NULL ? root : "tests/plot", name, NULL);
}

static char *read_text(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL), *text = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "%s: cannot read", path);
    g_free(path);
    return text;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    ck_assert(g_file_set_contents(path, text, -1, NULL));
    g_free(path);
}

static gboolean exists(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    gboolean found = g_file_test(path, G_FILE_TEST_EXISTS);
    g_free(path);
    return found;
}

/* A fresh temporary folder holding a copy of tests/plot/run (when `run`) and of sweep.csv
 * (when `sweep`). */
static char *folder(gboolean run, gboolean sweep)
{
    char *dir = g_dir_make_tmp("shotglass-plot-XXXXXX", NULL);
    ck_assert_ptr_nonnull(dir);
    char *source = fixture("run");
    GDir *d = run ? g_dir_open(source, 0, NULL) : NULL;
    for (const char *f = d ? g_dir_read_name(d) : NULL; f != NULL; f = g_dir_read_name(d)) {
        char *text = read_text(source, f);
        write_text(dir, f, text);
        g_free(text);
    }
    if (d != NULL) g_dir_close(d);
    char *base = fixture("");
    if (sweep) {
        char *text = read_text(base, "sweep.csv");
        write_text(dir, "sweep.csv", text);
        g_free(text);
    }
    g_free(base);
    g_free(source);
    return dir;
}

static void remove_tree(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *f = d ? g_dir_read_name(d) : NULL; f != NULL; f = g_dir_read_name(d)) {
        char *path = g_build_filename(dir, f, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
            remove_tree(path);
        } else {
            g_remove(path);
            g_free(path);
        }
    }
    if (d != NULL) g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}

/* Runs `body` with PATH pointing at an empty folder, so gnuplot cannot be found. */
static char *path_without_gnuplot(void)
{
    char *empty = g_dir_make_tmp("shotglass-empty-XXXXXX", NULL);
    char *saved = g_strdup(g_getenv("PATH"));
    g_setenv("PATH", empty, TRUE);
    ck_assert_ptr_null(sim_gnuplot_find());
    g_rmdir(empty);
    g_free(empty);
    return saved;
}

static void restore_path(char *saved)
{
    if (saved != NULL) g_setenv("PATH", saved, TRUE);
    g_free(saved);
}

static void require_gnuplot(void)
{
    char *gnuplot = sim_gnuplot_find();
    ck_assert_msg(gnuplot != NULL, "gnuplot is not on PATH: install gnuplot-nox to run this");
    g_free(gnuplot);
}

/* The PNG signature, then the IHDR chunk: length 13, type, non-zero width and height. */
static void assert_png(const char *plots, const char *name)
{
    char *file = g_strconcat(name, ".png", NULL), *path = g_build_filename(plots, file, NULL);
    char *bytes = NULL;
    gsize length = 0;
    ck_assert_msg(g_file_get_contents(path, &bytes, &length, NULL), "%s: missing", path);
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    ck_assert_msg(length > 33 && memcmp(bytes, signature, 8) == 0, "%s: not a PNG", path);
    ck_assert_msg(memcmp(bytes + 8, ihdr, 8) == 0, "%s: no IHDR chunk first", path);
    const unsigned char *u = (const unsigned char *)bytes;
    guint32 width = (guint32)u[16] << 24 | (guint32)u[17] << 16 | (guint32)u[18] << 8 | u[19];
    guint32 height = (guint32)u[20] << 24 | (guint32)u[21] << 16 | (guint32)u[22] << 8 | u[23];
    ck_assert_uint_eq(width, 1000);
    ck_assert_uint_eq(height, 600);
    g_free(bytes), g_free(path), g_free(file);
}

static void svg_root(GMarkupParseContext *context, const char *element, const char **names,
                     const char **values, gpointer user_data, GError **error)
{
    (void)names, (void)values, (void)error;
    char **root = user_data;
    if (*root == NULL) *root = g_strdup(element);
    (void)context;
}

/* Parses as XML (GMarkup: well-formed, the five entities) with <svg> as its root. */
static void assert_svg(const char *plots, const char *name)
{
    char *file = g_strconcat(name, ".svg", NULL);
    char *text = read_text(plots, file);
    GMarkupParser parser = {svg_root, NULL, NULL, NULL, NULL};
    char *root = NULL;
    GMarkupParseContext *context = g_markup_parse_context_new(&parser, 0, &root, NULL);
    GError *error = NULL;
    gboolean ok = g_markup_parse_context_parse(context, text, -1, &error) &&
                  g_markup_parse_context_end_parse(context, &error);
    ck_assert_msg(ok, "%s: not well-formed: %s", file, error ? error->message : "");
    ck_assert_str_eq(root, "svg");
    g_markup_parse_context_free(context);
    g_free(root), g_free(text), g_free(file);
}

static void assert_drawn(const char *plots, const char *name)
{
    assert_png(plots, name);
    assert_svg(plots, name);
    char *gp = g_strconcat(name, ".gp", NULL), *dat = g_strconcat(name, ".dat", NULL);
    ck_assert_msg(exists(plots, gp) && exists(plots, dat), "%s: no .gp or .dat", name);
    g_free(gp), g_free(dat);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* --- the CSV reader -------------------------------------------------------------------------- */

static SimCsv *parse(const char *text, GError **error)
{
    char *dir = g_dir_make_tmp("shotglass-csv-XXXXXX", NULL);
    write_text(dir, "t.csv", text);
    SimCsv *csv = sim_csv_read_in(dir, "t.csv", error);
    remove_tree(dir);
    return csv;
}

START_TEST(csv_fields)
{
    SimCsv *csv = parse("a,b,c\r\n1,\"x,\"\"y\"\"\",\n\n\"two\nlines\",,3\n", NULL);
    ck_assert_ptr_nonnull(csv);
    ck_assert_uint_eq(csv->columns, 3);
    ck_assert_uint_eq(csv->rows->len, 2);
    ck_assert_str_eq(sim_csv_cell(csv, 0, 1), "x,\"y\"");
    ck_assert_str_eq(sim_csv_cell(csv, 0, 2), "");
    ck_assert_str_eq(sim_csv_cell(csv, 1, 0), "two\nlines");
    ck_assert_int_eq(sim_csv_column(csv, "c"), 2);
    ck_assert_int_eq(sim_csv_column(csv, "d"), -1);
    double v = 0;
    GError *error = NULL;
    ck_assert(sim_csv_number(csv, 1, 2, FALSE, &v, NULL));
    ck_assert(v == 3.0);
    ck_assert(sim_csv_number(csv, 0, 2, TRUE, &v, NULL));
    ck_assert(v != v); /* NAN */
    ck_assert(!sim_csv_number(csv, 0, 2, FALSE, &v, &error));
    ck_assert(!sim_csv_number(csv, 0, 1, TRUE, &v, NULL));
    /* The second row starts on line 4 of the file (a blank line before it). */
    g_clear_error(&error);
    ck_assert(!sim_csv_number(csv, 1, 0, FALSE, &v, &error));
    ck_assert_msg(strstr(error->message, "t.csv:4: column \"a\"") != NULL, "%s", error->message);
    g_error_free(error);
    sim_csv_free(csv);
}
END_TEST

START_TEST(csv_errors)
{
    static const char *const bad[][2] = {
        {"a,b\n1,2,3\n", "t.csv:2: 3 fields, but the header has 2"},
        {"a,b\n\"1,2\n", "t.csv:2: a quoted field is not closed"},
        {"a,b\n1,2\n3,x\"y\n", "t.csv:3: a quote inside an unquoted field"},
        {"a,b\n\"1\"2,3\n", "t.csv:2: a quote inside an unquoted field, or text after"},
        {"", "t.csv: empty"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        ck_assert_ptr_null(parse(bad[i][0], &error));
        ck_assert(g_error_matches(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT));
        ck_assert_msg(strstr(error->message, bad[i][1]) != NULL, "%s", error->message);
        g_error_free(error);
    }
    GError *error = NULL;
    ck_assert_ptr_null(sim_csv_read("/nonexistent/x.csv", &error));
    ck_assert_msg(strstr(error->message, "/nonexistent/x.csv") != NULL, "%s", error->message);
    g_error_free(error);
}
END_TEST

/* --- run plots ------------------------------------------------------------------------------- */

START_TEST(draw_run)
{
    require_gnuplot();
    char *dir = folder(TRUE, FALSE), *plots = g_build_filename(dir, "plots", NULL);
    GError *error = NULL;
    ck_assert_msg(sim_plot_run_draw(dir, &error), "%s", error ? error->message : "");
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++)
        assert_drawn(plots, sim_plot_run_names[i]);
    ck_assert(!sim_plot_missing(dir));
    /* Scripts read their data file and hold no data: not even the odd time of view 2. */
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++) {
        char *gp = g_strconcat(sim_plot_run_names[i], ".gp", NULL);
        char *dat = g_strconcat("'", sim_plot_run_names[i], ".dat'", NULL);
        char *text = read_text(plots, gp);
        ck_assert_msg(strstr(text, dat) != NULL, "%s does not read %s", gp, dat);
        ck_assert_ptr_null(strstr(text, "0.5 2"));
        ck_assert_ptr_nonnull(strstr(text, "set title"));
        ck_assert_ptr_nonnull(strstr(text, "set xlabel"));
        ck_assert_ptr_nonnull(strstr(text, "set ylabel"));
        g_free(text), g_free(dat), g_free(gp);
    }
    g_free(plots);
    remove_tree(dir);
}
END_TEST

START_TEST(view_times_interpolated)
{
    char *dir = folder(TRUE, FALSE), *saved = path_without_gnuplot();
    sim_plot_run_draw(dir, NULL);
    restore_path(saved);
    char *text = read_text(dir, "plots/view_outcomes.dat");
    /* Views 3 and 4 have no times: placed between view 2 (0.5 s) and view 5 (3.5 s); view 9,
     * after the last view with a time (8 s), at 8 s; and counted in the titles. */
    ck_assert_ptr_nonnull(strstr(text, "\n1.5 3\n2.5 4\n"));
    ck_assert_ptr_nonnull(strstr(text, "\"other outcome: 1 view\"\n8 9\n"));
    ck_assert_ptr_nonnull(strstr(text, "\"decided: 5 views\""));
    ck_assert_ptr_nonnull(strstr(text, "\"orphaned (voted on, block never decided): 1 view\""));
    ck_assert_ptr_null(strstr(text, "skipped by view sync")); /* absent: no key entry */
    /* View 5 was entered through view sync (its view_sync column), so it is marked again. */
    ck_assert_ptr_nonnull(strstr(text, "\"entered through view sync: 1 view\"\n3.5 5\n"));
    g_free(text);
    remove_tree(dir);
}
END_TEST

START_TEST(fault_windows)
{
    char *dir = folder(TRUE, FALSE), *saved = path_without_gnuplot();
    sim_plot_run_draw(dir, NULL);
    restore_path(saved);
    char *text = read_text(dir, "plots/throughput.dat");
    /* The open crash ends with the run (10 s); quotes in its name become apostrophes; the
     * fault that never started has no window. */
    ck_assert_ptr_nonnull(strstr(text, "\n1 3 \"split: partition\"\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n6 10 \"leader 'two': crash (until the end)\"\n"));
    ck_assert_ptr_null(strstr(text, "later"));
    ck_assert_ptr_nonnull(strstr(text, "\"second\" \"blocks decided per second\" \"\"\n"));
    g_free(text);
    remove_tree(dir);
}
END_TEST

START_TEST(bandwidth_without_roles)
{
    char *dir = folder(TRUE, FALSE), *saved = path_without_gnuplot();
    sim_plot_run_draw(dir, NULL);
    restore_path(saved);
    char *data = read_text(dir, "plots/bandwidth_roles.dat");
    char *script = read_text(dir, "plots/bandwidth_roles.gp");
    /* Summed over the nodes, largest first: proposal 6000 B, quorum_vote 2400, timeout 300. */
    ck_assert_ptr_nonnull(strstr(data, "from ../node_types.csv (roles.csv is empty)"));
    ck_assert_ptr_nonnull(strstr(data, "\n0 0 0.006\n1 0 0.0024\n2 0 0.0003\n"));
    ck_assert_ptr_nonnull(strstr(data, "\n0 0.006 \"6 kB\" \"proposal\"\n"));
    ck_assert_ptr_nonnull(strstr(script, "per message type by all validators"));
    g_free(data);
    g_free(script);
    /* With roles, one bar per role and one slice per message type. */
    write_text(dir, "roles.csv",
               "role,type,messages,bytes\nleader,proposal,2,2000000\n"
               "replica,quorum_vote,4,500000\nleader,da_cert,1,1000000\n");
    saved = path_without_gnuplot();
    sim_plot_run_draw(dir, NULL);
    restore_path(saved);
    data = read_text(dir, "plots/bandwidth_roles.dat");
    ck_assert_ptr_nonnull(strstr(data, "\"da_cert\"\n0 2 3\n"));
    ck_assert_ptr_nonnull(
        strstr(data, "\n0 3 \"3 MB\" \"leader\"\n1 0.5 \"500 kB\" \"replica\"\n"));
    g_free(data);
    script = read_text(dir, "plots/bandwidth_roles.gp");
    ck_assert_ptr_nonnull(strstr(script, "sent by each role"));
    g_free(script);
    remove_tree(dir);
}
END_TEST

START_TEST(without_gnuplot)
{
    char *dir = folder(TRUE, TRUE), *saved = path_without_gnuplot();
    GError *error = NULL;
    ck_assert(!sim_plot_run_draw(dir, &error));
    ck_assert(g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT));
    char *notice = sim_gnuplot_notice(dir);
    ck_assert_str_eq(error->message, notice);
    ck_assert_ptr_nonnull(strstr(notice, "gnuplot not found: install gnuplot-nox; the data and "
                                         ".gp scripts are in "));
    g_clear_error(&error);
    ck_assert(!sim_plot_sweep_draw(dir, &error));
    ck_assert(g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT));
    g_clear_error(&error);
    char *plots = g_build_filename(dir, "plots", NULL);
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++) {
        char *gp = g_strconcat(sim_plot_run_names[i], ".gp", NULL);
        char *dat = g_strconcat(sim_plot_run_names[i], ".dat", NULL);
        char *png = g_strconcat(sim_plot_run_names[i], ".png", NULL);
        ck_assert(exists(plots, gp) && exists(plots, dat) && !exists(plots, png));
        g_free(gp), g_free(dat), g_free(png);
    }
    ck_assert(exists(plots, "sweep_bytes_vs_da.committee.gp"));
    ck_assert(sim_plot_missing(dir));
    /* The command says so once and succeeds. */
    char *argv[] = {"plot", dir, NULL};
    ck_assert_int_eq(sim_plot_main(2, argv), 0);
    restore_path(saved);
    g_free(notice);
    g_free(plots);
    remove_tree(dir);
}
END_TEST

START_TEST(bad_input)
{
    char *dir = folder(TRUE, FALSE), *saved = path_without_gnuplot();
    GError *error = NULL;
    write_text(dir, "leader_queue.csv", "view,leader,time,uplink_backlog\n1,0,soon,0\n");
    ck_assert(!sim_plot_run_draw(dir, &error));
    ck_assert(g_error_matches(error, SIM_CSV_ERROR, SIM_CSV_ERROR_INPUT));
    ck_assert_msg(strstr(error->message, "leader_queue.csv:2: column \"time\": \"soon\"") != NULL,
                  "%s", error->message);
    g_clear_error(&error);
    write_text(dir, "views.csv", "view,leader,proposed_at\n");
    ck_assert(!sim_plot_run_draw(dir, &error));
    ck_assert_msg(strstr(error->message, "views.csv: no column \"outcome\"") != NULL, "%s",
                  error->message);
    g_clear_error(&error);
    char *path = g_build_filename(dir, "latency.csv", NULL);
    g_remove(path);
    ck_assert(!sim_plot_run_draw(dir, &error));
    ck_assert_msg(strstr(error->message, path) != NULL, "%s", error->message);
    g_clear_error(&error);
    char *argv[] = {"plot", dir, NULL};
    ck_assert_int_eq(sim_plot_main(2, argv), 2);
    restore_path(saved);
    g_free(path);
    remove_tree(dir);
}
END_TEST

START_TEST(command_usage)
{
    char *empty = folder(FALSE, FALSE);
    char *none[] = {"plot", NULL};
    char *two[] = {"plot", empty, empty, NULL};
    char *missing[] = {"plot", "/nonexistent/results", NULL};
    char *not_results[] = {"report", empty, NULL};
    char *flag[] = {"report", "--no-such-flag", empty, NULL};
    ck_assert_int_eq(sim_plot_main(1, none), 2);
    ck_assert_int_eq(sim_plot_main(3, two), 2);
    ck_assert_int_eq(sim_plot_main(2, missing), 2);
    ck_assert_int_eq(sim_plot_main(2, (char *[]){"plot", empty, NULL}), 2);
    ck_assert_int_eq(sim_report_main(2, not_results), 2);
    ck_assert_int_eq(sim_report_main(3, flag), 2);
    ck_assert(!exists(empty, "report.html"));
    remove_tree(empty);
}
END_TEST

/* --- sweep plots ----------------------------------------------------------------------------- */

START_TEST(draw_sweep)
{
    require_gnuplot();
    char *dir = folder(FALSE, TRUE), *plots = g_build_filename(dir, "plots", NULL);
    GError *error = NULL;
    ck_assert_msg(sim_plot_sweep_draw(dir, &error), "%s", error ? error->message : "");
    static const char *const metrics[] = {"blocks_per_s", "finality_p50_s", "bytes"};
    static const char *const keys[] = {"consensus.nodes", "da.committee"};
    for (size_t m = 0; m < 3; m++) {
        for (size_t k = 0; k < 2; k++) {
            char *name = g_strdup_printf("sweep_%s_vs_%s", metrics[m], keys[k]);
            assert_drawn(plots, name);
            g_free(name);
        }
    }
    ck_assert(!sim_plot_missing(dir));
    /* One line per value of the other key, points sorted by x, the CI as the third column. */
    char *data = read_text(plots, "sweep_blocks_per_s_vs_consensus.nodes.dat");
    ck_assert_ptr_nonnull(strstr(data, "\"da.committee = 5\"\n10 4.91 0.26 \"10\"\n"
                                       "100 2.88 0.4 \"100\"\n"));
    ck_assert_ptr_nonnull(strstr(data, "\"da.committee = 10\"\n10 4.62 0.22 \"10\"\n"));
    char *script = read_text(plots, "sweep_bytes_vs_da.committee.gp");
    ck_assert_ptr_nonnull(strstr(script, "set xlabel 'da.committee"));
    ck_assert_ptr_nonnull(strstr(script, "yerrorlines"));
    ck_assert_int_eq(count(script, "1520000"), 0);
    g_free(script), g_free(data), g_free(plots);
    remove_tree(dir);
}
END_TEST

START_TEST(sweep_categories)
{
    char *dir = folder(FALSE, FALSE), *saved = path_without_gnuplot();
    write_text(dir, "sweep.csv",
               "point,network.placement,seeds,gap_mean,gap_sd,gap_ci95\n"
               "1,us-east-1,3,2.5,0.1,\n2,\"a,b\",3,,0.2,0.3\n");
    GError *error = NULL;
    ck_assert(!sim_plot_sweep_draw(dir, &error));
    ck_assert(g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT));
    g_clear_error(&error);
    /* Text values are categories 0, 1 in order of appearance; an empty CI is 0, an empty mean
     * a gap; with one key, one line. */
    char *data = read_text(dir, "plots/sweep_gap_vs_network.placement.dat");
    ck_assert_ptr_nonnull(
        strstr(data, "\"all points\"\n0 2.5 0 \"us-east-1\"\n1 NaN 0.3 \"a,b\"\n"));
    g_free(data);
    restore_path(saved);
    remove_tree(dir);
}
END_TEST

START_TEST(sweep_schema_errors)
{
    static const char *const bad[][2] = {
        {"pt,a,seeds,m_mean,m_sd,m_ci95\n", "the first column is not `point`"},
        {"point,a,m_mean,m_sd,m_ci95\n", "no column `seeds`"},
        {"point,a,seeds,m_mean,m_sd\n", "the metrics do not come in threes"},
        {"point,a,seeds\n", "the metrics do not come in threes"},
        {"point,a,seeds,m_mean,m_sd,n_ci95\n", "(column 6, \"n_ci95\")"},
        {"point,a,seeds,m_avg,m_sd,m_ci95\n", "(column 4, \"m_avg\")"},
    };
    char *dir = folder(FALSE, FALSE);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        write_text(dir, "sweep.csv", bad[i][0]);
        GError *error = NULL;
        ck_assert(!sim_plot_sweep_draw(dir, &error));
        ck_assert(g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_INPUT));
        ck_assert_msg(strstr(error->message, "sweep.csv: not a sweep table") != NULL &&
                          strstr(error->message, bad[i][1]) != NULL,
                      "%zu: %s", i, error->message);
        g_error_free(error);
    }
    ck_assert(!exists(dir, "plots/sweep_m_vs_a.gp"));
    remove_tree(dir);
}
END_TEST

/* --- the report ------------------------------------------------------------------------------ */

/* Every id="..." in `html` once only (plots inlined side by side must not collide). */
static void assert_unique_ids(const char *html)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (const char *p = strstr(html, " id=\""); p != NULL; p = strstr(p + 1, " id=\"")) {
        const char *start = p + 5, *end = strchr(start, '"');
        char *id = g_strndup(start, (gsize)(end - start));
        ck_assert_msg(!g_hash_table_contains(seen, id), "id \"%s\" twice", id);
        g_hash_table_add(seen, id);
    }
    ck_assert_uint_gt(g_hash_table_size(seen), 20);
    g_hash_table_unref(seen);
}

static void assert_self_contained(const char *html)
{
    /* Attribute values only: summary.json's text may well mention a URL, escaped. */
    static const char *const external[] = {"=\"http:", "=\"https:", "=\"//",   "='http", "='//",
                                           "<link",    "<script",   "@import", "url(h"};
    for (size_t i = 0; i < G_N_ELEMENTS(external); i++)
        ck_assert_msg(strstr(html, external[i]) == NULL, "the page holds \"%s\"", external[i]);
}

START_TEST(report_run)
{
    require_gnuplot();
    char *dir = folder(TRUE, FALSE);
    GError *error = NULL;
    ck_assert(sim_plot_missing(dir));
    ck_assert_msg(sim_report_write(dir, &error), "%s", error ? error->message : "");
    ck_assert(!sim_plot_missing(dir)); /* drawn on the way */
    char *html = read_text(dir, "report.html");
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++) {
        char *figure = g_strdup_printf("<figure id=\"plot-%s\">", sim_plot_run_names[i]);
        ck_assert_msg(strstr(html, figure) != NULL, "no %s", figure);
        g_free(figure);
    }
    ck_assert_int_eq(count(html, "<svg "), SIM_PLOT_RUN_COUNT);
    ck_assert_int_eq(count(html, "</svg>"), SIM_PLOT_RUN_COUNT);
    /* Text from summary.json is escaped, wherever it goes. */
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;"));
    ck_assert_ptr_nonnull(strstr(html, "<title>shotglass report: fixture &lt;b&gt;bold&lt;/b&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "decided &lt;different&gt; leaves"));
    ck_assert_ptr_nonnull(strstr(html, "scenario.name=&lt;i&gt;x&lt;/i&gt;"));
    ck_assert_ptr_null(strstr(html, "<b>bold"));
    assert_self_contained(html);
    assert_unique_ids(html);
    /* The verdicts: an interrupted run, a failed oracle, one expectation of two. */
    ck_assert_ptr_nonnull(strstr(html, "The run did not complete"));
    ck_assert_ptr_nonnull(strstr(html, "1 of 2 expectations pass"));
    ck_assert_ptr_nonnull(strstr(html, "<th>safety</th><td class=\"fail\">FAIL</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<th>data_availability</th><td class=\"\">not checked"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"fail\">FAIL</td><td>4.250s &lt;too long&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "<code>finality.p50</code></th><td class=\"num\">0.3</td>"
                                       "<td>s</td>"));
    ck_assert_ptr_nonnull(strstr(html, "123456789 (123 MB)"));
    g_free(html);
    remove_tree(dir);
}
END_TEST

/* A hostile SVG among the plots: its script, handlers and outside references are dropped, its
 * ids prefixed; a plot with only a PNG is inlined as a data: URI. */
START_TEST(report_sanitises)
{
    char *dir = folder(TRUE, FALSE), *saved = path_without_gnuplot();
    char *plots = g_build_filename(dir, "plots", NULL);
    ck_assert_int_eq(g_mkdir(plots, 0755), 0);
    g_free(plots);
    write_text(dir, "plots/evil.svg",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
               "onload=\"steal()\"><script>steal()</script><defs><path id='a' d='M0'/></defs>"
               "<use xlink:href='#a' fill='url(#a)'/><use href='http://x/y.svg#b'/>"
               "<rect style='fill:url(https://x/p.png)'/><text>1 &lt; 2 &amp; ok</text>"
               "<foreignObject><div>gone</div></foreignObject>"
               /* Past a deny-list: names in other cases (an HTML parser lowercases them),
                * CSS in capitals, animation, and HTML elements that leave SVG parsing. */
               "<image HREF='https://x/i.png'/><use XLINK:HREF='https://x/u.svg#c'/>"
               "<rect fill='URL(https://x/f.png)' stroke='red'/>"
               "<set attributeName='href' to='https://x/s'/><animate values='javascript:s()'/>"
               "<img src='https://x/img.png'/><meta http-equiv='refresh' content='0;url=x'/>"
               "</svg>\n");
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
                                        0,    13,  'I', 'H', 'D',  'R',  0,    0,    0, 1,
                                        0,    0,   0,   1,   8,    2,    0,    0};
    char *path = g_build_filename(dir, "plots", "only_png.png", NULL);
    ck_assert(g_file_set_contents(path, (const char *)png, sizeof png, NULL));
    write_text(dir, "plots/broken.svg", "<svg><g></svg>");
    GError *error = NULL;
    ck_assert_msg(sim_report_write(dir, &error), "%s", error ? error->message : "");
    char *html = read_text(dir, "report.html");
    assert_self_contained(html);
    ck_assert_ptr_null(strstr(html, "steal"));
    ck_assert_ptr_null(strstr(html, "gone"));
    ck_assert_ptr_null(strstr(html, "<!DOCTYPE svg"));
    for (const char *const *p = (const char *const[]){"https", "javascript", "refresh", "<image",
                                                      "<set", "<animate", NULL};
         *p != NULL; p++)
        ck_assert_msg(strstr(html, *p) == NULL, "the page holds \"%s\"", *p);
    ck_assert_ptr_nonnull(strstr(html, "<rect stroke=\"red\"/>")); /* the fill went */
    /* Plots in order of name: broken (0), evil (1), only_png (2). */
    ck_assert_ptr_nonnull(strstr(html, "<path id=\"p1-a\" d=\"M0\"/>"));
    ck_assert_ptr_nonnull(strstr(html, "<use xlink:href=\"#p1-a\" fill=\"url(#p1-a)\"/><use/>"));
    ck_assert_ptr_nonnull(strstr(html, "<rect/><text>1 &lt; 2 &amp; ok</text>"));
    ck_assert_ptr_nonnull(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo"));
    ck_assert_ptr_nonnull(strstr(html, "<figure id=\"plot-broken\">"));
    ck_assert_ptr_nonnull(strstr(html, "could not be read"));
    /* No gnuplot: the page says so where the run's plots would be. */
    ck_assert_ptr_nonnull(strstr(html, "gnuplot not found: install gnuplot-nox"));
    restore_path(saved);
    g_free(html);
    g_free(path);
    remove_tree(dir);
}
END_TEST

START_TEST(report_sweep)
{
    require_gnuplot();
    char *dir = folder(TRUE, TRUE);
    char *argv[] = {"report", dir, NULL};
    ck_assert_int_eq(sim_report_main(2, argv), 0);
    char *html = read_text(dir, "report.html");
    ck_assert_ptr_nonnull(strstr(html, "<figure id=\"plot-sweep_bytes_vs_consensus.nodes\">"));
    ck_assert_int_eq(count(html, "<figure id=\"plot-sweep_"), 6);
    ck_assert_int_eq(count(html, "<svg "), SIM_PLOT_RUN_COUNT + 6);
    ck_assert_ptr_nonnull(strstr(html, "<section id=\"sweep\">"));
    ck_assert_ptr_nonnull(strstr(html, "<th>finality_p50_s</th>"));
    ck_assert_ptr_nonnull(
        strstr(html, "<td class=\"num\" title=\"sd 0.21\">4.91 \xc2\xb1 0.26</td>"));
    /* The run's plots come first, in their order; the sweep's after them. */
    ck_assert(strstr(html, "plot-finality_cdf") < strstr(html, "plot-leader_queue"));
    ck_assert(strstr(html, "plot-leader_queue") < strstr(html, "plot-sweep_"));
    assert_self_contained(html);
    assert_unique_ids(html);
    g_free(html);
    /* A sweep alone (no summary.json) still makes a page. */
    char *summary = g_build_filename(dir, "summary.json", NULL);
    g_remove(summary);
    ck_assert_int_eq(sim_report_main(2, argv), 0);
    html = read_text(dir, "report.html");
    ck_assert_ptr_nonnull(strstr(html, "<title>shotglass sweep report: "));
    ck_assert_ptr_null(strstr(html, "id=\"expectations\""));
    g_free(html);
    g_free(summary);
    remove_tree(dir);
}
END_TEST

START_TEST(report_bad_summary)
{
    char *dir = folder(TRUE, FALSE);
    write_text(dir, "summary.json", "{\"complete\": tru");
    GError *error = NULL;
    ck_assert(!sim_report_write(dir, &error));
    ck_assert(g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_INPUT));
    ck_assert_msg(strstr(error->message, "summary.json") != NULL, "%s", error->message);
    g_clear_error(&error);
    write_text(dir, "summary.json", "[1, 2]");
    ck_assert(!sim_report_write(dir, &error));
    ck_assert_msg(strstr(error->message, "summary.json: not a JSON object") != NULL, "%s",
                  error->message);
    g_clear_error(&error);
    char *argv[] = {"report", dir, NULL};
    ck_assert_int_eq(sim_report_main(2, argv), 2);
    ck_assert(!exists(dir, "report.html"));
    remove_tree(dir);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, csv_fields);
    tcase_add_test(csv, csv_errors);
    suite_add_tcase(s, csv);
    TCase *run = tcase_create("run plots");
    tcase_set_timeout(run, 30);
    tcase_add_test(run, draw_run);
    tcase_add_test(run, view_times_interpolated);
    tcase_add_test(run, fault_windows);
    tcase_add_test(run, bandwidth_without_roles);
    tcase_add_test(run, without_gnuplot);
    tcase_add_test(run, bad_input);
    tcase_add_test(run, command_usage);
    suite_add_tcase(s, run);
    TCase *sweep = tcase_create("sweep plots");
    tcase_set_timeout(sweep, 30);
    tcase_add_test(sweep, draw_sweep);
    tcase_add_test(sweep, sweep_categories);
    tcase_add_test(sweep, sweep_schema_errors);
    suite_add_tcase(s, sweep);
    TCase *report = tcase_create("report");
    tcase_set_timeout(report, 30);
    tcase_add_test(report, report_run);
    tcase_add_test(report, report_sanitises);
    tcase_add_test(report, report_sweep);
    tcase_add_test(report, report_bad_summary);
    suite_add_tcase(s, report);
    return s;
}
