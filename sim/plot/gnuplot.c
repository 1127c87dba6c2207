/* Finding and running gnuplot, and writing its data files and scripts; see gnuplot.h. */
#include "sim/plot/gnuplot.h"

#include "sim/core/assert.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sys/wait.h>

G_DEFINE_QUARK(sim - plot - error - quark, sim_plot_error)

char *sim_gnuplot_notice(const char *dir)
{
    SIM_ASSERT(dir != NULL);
    char *plots = g_build_filename(dir, "plots", NULL);
    char *notice = g_strdup_printf(
        "gnuplot not found: install gnuplot-nox; the data and .gp scripts are in %s", plots);
    g_free(plots);
    return notice;
}

char *sim_gnuplot_find(void)
{
    return g_find_program_in_path("gnuplot");
}

/* --- writing data files and scripts --------------------------------------------------------- */

void sim_gnuplot_append_number(GString *out, double value)
{
    if (isnan(value)) {
        g_string_append(out, "NaN");
        return;
    }
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, g_ascii_formatd(buffer, sizeof buffer, "%.9g", value));
}

void sim_gnuplot_append_data_string(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"') {
            g_string_append_c(out, '\'');
        } else if (*p == '\\') {
            g_string_append_c(out, '/'); /* gnuplot 5.4 drops it inside a data string */
        } else {
            g_string_append_c(out, (unsigned char)*p < ' ' ? ' ' : *p);
        }
    }
    g_string_append_c(out, '"');
}

void sim_gnuplot_append_script_string(GString *out, const char *text)
{
    g_string_append_c(out, '\'');
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\'') g_string_append_c(out, '\'');
        if ((unsigned char)*p >= ' ') g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}

char *sim_gnuplot_folder(const char *dir, GError **error)
{
    SIM_ASSERT(dir != NULL);
    char *plots = g_build_filename(dir, "plots", NULL);
    if (g_mkdir_with_parents(plots, 0755) != 0) {
        int saved = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: cannot create: %s",
                    plots, g_strerror(saved));
        g_clear_pointer(&plots, g_free);
    }
    return plots;
}

/* Font and size shared by both terminals, so the PNG and the SVG look alike. */
#define TERMINAL_OPTIONS "size 1000,600 noenhanced font \"sans,10\""

static GString *script_text(const char *name, const char *what, const char *body)
{
    /* `what` goes into a comment: a line break there would end it and start a command. */
    char *comment = g_strdup(what);
    for (char *p = comment; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) *p = ' ';
    }
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "# %s.gp: %s\n"
                           "# Written by `shotglass plot`. It holds no data: it reads %s.dat, "
                           "whose header says\n"
                           "# where the numbers come from. Edit it freely and rerun "
                           "`gnuplot %s.gp` in this folder:\n"
                           "# it writes %s.png and %s.svg.\n",
                           name, comment, name, name, name, name);
    g_free(comment);
    g_string_append(s, "reset\n"
                       "set encoding utf8\n"
                       "# NaN marks a row to skip (gnuplot 5.4 can crash on NaN labels "
                       "otherwise).\n"
                       "set datafile missing \"NaN\"\n"
                       "set grid back lc rgb \"#dddddd\"\n"
                       "set border 3\n"
                       "set tics nomirror\n"
                       "set terminal pngcairo " TERMINAL_OPTIONS "\n");
    g_string_append_printf(s, "set output '%s.png'\n", name);
    g_string_append(s, body);
    g_string_append(s, "set terminal svg " TERMINAL_OPTIONS " background \"white\"\n");
    g_string_append_printf(s, "set output '%s.svg'\nreplot\nunset output\n", name);
    return s;
}

static gboolean write_file(const char *folder, const char *name, const char *suffix,
                           const GString *text, GError **error)
{
    char *file = g_strconcat(name, suffix, NULL);
    char *path = g_build_filename(folder, file, NULL);
    gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, error);
    g_free(path);
    g_free(file);
    return ok;
}

gboolean sim_gnuplot_write(const char *plots, const char *name, const char *what, GString *data,
                           const char *body, GError **error)
{
    SIM_ASSERT(plots != NULL && name != NULL);
    SIM_ASSERT(data != NULL && body != NULL);
    GString *script = script_text(name, what, body);
    gboolean ok = write_file(plots, name, ".dat", data, error) &&
                  write_file(plots, name, ".gp", script, error);
    g_string_free(script, TRUE);
    g_string_free(data, TRUE);
    return ok;
}

/* The last few lines of gnuplot's messages: enough to see the error, not every warning. */
static char *message_tail(const char *text)
{
    char **lines = g_strsplit(text != NULL ? g_strstrip((char *)text) : "", "\n", -1);
    guint count = g_strv_length(lines), first = count > 6 ? count - 6 : 0;
    char *tail = g_strjoinv("\n", lines + first);
    g_strfreev(lines);
    return tail;
}

static gboolean images_written(const char *plots, const char *name)
{
    gboolean ok = TRUE;
    for (int i = 0; i < 2; i++) {
        char *file = g_strconcat(name, i == 0 ? ".png" : ".svg", NULL);
        char *path = g_build_filename(plots, file, NULL);
        GStatBuf st;
        ok = ok && g_stat(path, &st) == 0 && st.st_size > 0;
        g_free(path);
        g_free(file);
    }
    return ok;
}

gboolean sim_gnuplot_run(const char *gnuplot, const char *plots, const char *name, GError **error)
{
    SIM_ASSERT(gnuplot != NULL && g_path_is_absolute(gnuplot));
    SIM_ASSERT(plots != NULL && name != NULL);
    char *script = g_strconcat(name, ".gp", NULL);
    /* -d: no system or user start-up file (~/.gnuplot could change decimal signs, line
     * types, ...), so the images depend on the data and the script alone. */
    char *argv[] = {(char *)gnuplot, "-d", script, NULL};
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *inner = NULL;
    gboolean ok =
        g_spawn_sync(plots, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &inner);
    if (!ok) {
        g_set_error(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_GNUPLOT, "%s: cannot run %s: %s", script,
                    gnuplot, inner->message);
        g_error_free(inner);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !images_written(plots, name)) {
        char *tail = message_tail(err);
        g_set_error(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_GNUPLOT,
                    "%s/%s: gnuplot failed (%s):\n%s", plots, script,
                    WIFEXITED(status) ? "no images written" : "killed", tail);
        g_free(tail);
        ok = FALSE;
    }
    g_free(out);
    g_free(err);
    g_free(script);
    return ok;
}

gboolean sim_gnuplot_draw(const char *dir, const char *plots, const GPtrArray *names,
                          GError **error)
{
    SIM_ASSERT(dir != NULL && plots != NULL);
    SIM_ASSERT(names != NULL);
    char *gnuplot = sim_gnuplot_find();
    if (gnuplot == NULL) {
        char *notice = sim_gnuplot_notice(dir);
        g_set_error_literal(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT, notice);
        g_free(notice);
        return FALSE;
    }
    /* Every script runs even after one fails, so one broken plot hides no other; the first
     * failure is the one reported. */
    GError *first = NULL;
    for (guint i = 0; i < names->len; i++) {
        GError *inner = NULL;
        if (!sim_gnuplot_run(gnuplot, plots, names->pdata[i], &inner)) {
            if (first == NULL) {
                first = inner;
            } else {
                g_error_free(inner);
            }
        }
    }
    g_free(gnuplot);
    if (first != NULL) g_propagate_error(error, first);
    return first == NULL;
}
