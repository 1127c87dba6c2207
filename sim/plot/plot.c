/* `shotglass plot`: which plots a folder calls for, and the command; see plot.h. */
#include "sim/plot/plot.h"

#include "sim/core/assert.h"
#include "sim/plot/csv.h"
#include "sim/plot/gnuplot.h"
#include "sim/plot/plot_run.h"
#include "sim/plot/plot_sweep.h"

#include <stdio.h>

/* --- missing plots, and the command ---------------------------------------------------------- */

static gboolean has_file(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    gboolean found = g_file_test(path, G_FILE_TEST_IS_REGULAR);
    g_free(path);
    return found;
}

static gboolean image_missing(const char *dir, const char *name)
{
    char *svg = g_strconcat("plots/", name, ".svg", NULL);
    char *png = g_strconcat("plots/", name, ".png", NULL);
    gboolean missing = !has_file(dir, svg) && !has_file(dir, png);
    g_free(svg);
    g_free(png);
    return missing;
}

gboolean sim_plot_missing(const char *dir)
{
    SIM_ASSERT(dir != NULL);
    gboolean missing = FALSE;
    for (int i = 0; has_file(dir, "views.csv") && i < SIM_PLOT_RUN_COUNT; i++)
        missing = missing || image_missing(dir, sim_plot_run_names[i]);
    SimCsv *sweep = has_file(dir, "sweep.csv") ? sim_csv_read_in(dir, "sweep.csv", NULL) : NULL;
    GPtrArray *names = sweep != NULL ? sim_plot_sweep_names(sweep, NULL) : NULL;
    for (guint i = 0; names != NULL && i < names->len; i++)
        missing = missing || image_missing(dir, names->pdata[i]);
    if (names != NULL) g_ptr_array_unref(names);
    sim_csv_free(sweep);
    return missing;
}

int sim_plot_exit_code(const GError *error)
{
    if (error == NULL || g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT)) {
        return 0;
    }
    return g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_GNUPLOT) ? 1 : 2;
}

/* Parses `COMMAND DIR`; returns the folder (owned by argv) or NULL after printing why. */
const char *sim_plot_parse_folder(int *argc, char ***argv, const char *parameter,
                                  const char *summary)
{
    GOptionEntry entries[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *context = g_option_context_new(parameter);
    g_option_context_set_summary(context, summary);
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    const char *command = (*argv)[0];
    const char *dir = NULL;
    if (!g_option_context_parse(context, argc, argv, &error)) {
        fprintf(stderr, "shotglass %s: %s\n", command, error->message);
        g_error_free(error);
    } else if (*argc != 2) {
        fprintf(stderr, "shotglass %s: expected one results folder (see --help)\n", command);
    } else if (!g_file_test((*argv)[1], G_FILE_TEST_IS_DIR)) {
        fprintf(stderr, "shotglass %s: %s: no such folder\n", command, (*argv)[1]);
    } else {
        dir = (*argv)[1];
    }
    g_option_context_free(context);
    return dir;
}

int sim_plot_main(int argc, char **argv)
{
    const char *dir = sim_plot_parse_folder(
        &argc, &argv, "DIR - draw the plots of a results folder",
        "Writes DIR/plots/NAME.dat (the numbers), NAME.gp (a gnuplot script that reads them)\n"
        "and, with gnuplot on PATH, NAME.png and NAME.svg, for the run's plots and, when DIR\n"
        "holds sweep.csv, the sweep's.");
    if (dir == NULL) return 2;
    gboolean run = has_file(dir, "views.csv"), sweep = has_file(dir, "sweep.csv");
    if (!run && !sweep) {
        fprintf(stderr, "shotglass plot: %s: not a results folder (no views.csv, no sweep.csv)\n",
                dir);
        return 2;
    }
    GError *error = NULL;
    if (run) sim_plot_run_draw(dir, &error);
    if (sweep && sim_plot_exit_code(error) == 0) {
        GError *notice = error;
        error = NULL;
        sim_plot_sweep_draw(dir, &error);
        if (error == NULL) {
            error = notice; /* the run's notice, if any, is the one to print */
        } else {
            g_clear_error(&notice);
        }
    }
    int status = sim_plot_exit_code(error);
    if (error != NULL) {
        fprintf(stderr, "shotglass plot: %s\n", error->message);
        g_error_free(error);
    } else {
        char *plots = g_build_filename(dir, "plots", NULL);
        printf("shotglass plot: drew the %s%s%s plots in %s (NAME.png, NAME.svg; rerun NAME.gp "
               "with gnuplot there)\n",
               run ? "run" : "", run && sweep ? " and " : "", sweep ? "sweep" : "", plots);
        g_free(plots);
    }
    return status;
}
