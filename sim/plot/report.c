/* The HTML report of a results folder; see report.h. */
#include "sim/plot/report.h"

#include "sim/core/assert.h"
#include "sim/plot/csv.h"
#include "sim/plot/gnuplot.h"
#include "sim/plot/plot.h"
#include "sim/plot/plot_run.h"
#include "sim/plot/plot_sweep.h"
#include "sim/out/results.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Appends `text` escaped for HTML; bytes that are not UTF-8 (files may hold anything) become
 * U+FFFD, since the page says it is UTF-8. */
static void esc(GString *out, const char *text)
{
    char *valid = g_utf8_make_valid(text != NULL ? text : "", -1);
    char *escaped = g_markup_escape_text(valid, -1);
    g_string_append(out, escaped);
    g_free(escaped);
    g_free(valid);
}

/* --- inlining an SVG ------------------------------------------------------------------------- */

/*
 * How it works: gnuplot's SVG is parsed with GMarkup and written out again element by element,
 * so what reaches the page is well-formed whatever the file holds. On the way, ids get a
 * per-plot prefix (gnuplot names its point shapes and filters alike in every file, and one page
 * holds many plots), and so do the references to them (href="#id", url(#id)). Only what an
 * SVG drawing needs passes, by allow-list: the drawing elements gnuplot writes and their kin,
 * and their presentation attributes, with names compared exactly (an HTML parser lowercases
 * names in inline SVG, so "HREF" or "IMAGE" must not pass as something else). Everything else
 * goes, with its content: scripts, styles, links, images, animation, foreign content, HTML
 * elements (which would leave SVG parsing). An attribute value goes when it could reach
 * outside the page: a url( other than url(#id), in any case, a ':' (schemes) or a backslash
 * (CSS escapes). Comments, the DOCTYPE and processing instructions are not copied.
 */
typedef struct SvgCopy {
    GString *out;
    const char *prefix;
    guint depth;       /* elements open */
    guint skip_depth;  /* > 0: inside a dropped element, at this depth */
    gboolean open_tag; /* a start tag written without its '>' yet */
    GHashTable *ids;   /* ids written so far -> GUINT_TO_POINTER(times seen); lookups only */
} SvgCopy;

/* Whether `name` is one of the space-separated words of `list`, exactly (case counts). */
static gboolean listed(const char *name, const char *list)
{
    size_t length = strlen(name);
    if (length == 0 || strchr(name, ' ') != NULL) return FALSE;
    for (const char *hit = strstr(list, name); hit != NULL; hit = strstr(hit + 1, name)) {
        gboolean starts = hit == list || hit[-1] == ' ';
        gboolean ends = hit[length] == ' ' || hit[length] == '\0';
        if (starts && ends) return TRUE;
    }
    return FALSE;
}

static gboolean allowed_element(const char *name)
{
    return listed(name, "svg g defs title desc path rect circle ellipse line polyline polygon "
                        "text tspan use symbol marker clipPath filter feFlood feComposite "
                        "feOffset feBlend feMerge feMergeNode linearGradient stop pattern");
}

static gboolean allowed_attribute(const char *name)
{
    return listed(name, "id class x y x1 y1 x2 y2 cx cy r rx ry dx dy width height d points "
                        "transform viewBox preserveAspectRatio fill fill-opacity fill-rule "
                        "stroke stroke-width stroke-linecap stroke-linejoin stroke-dasharray "
                        "stroke-dashoffset stroke-opacity stroke-miterlimit opacity color "
                        "visibility display clip-path clip-rule clipPathUnits font-family "
                        "font-size font-weight font-style text-anchor dominant-baseline "
                        "alignment-baseline baseline-shift letter-spacing text-decoration "
                        "rotate textLength lengthAdjust filter filterUnits flood-color "
                        "flood-opacity result in in2 operator mode offset stop-color "
                        "stop-opacity gradientUnits gradientTransform patternUnits "
                        "patternTransform markerWidth markerHeight refX refY orient "
                        "marker-start marker-mid marker-end href xlink:href");
}

/* Whether a value could reach outside the page (see above); url(#id) is local. */
static gboolean leaves_page(const char *value)
{
    if (strchr(value, ':') != NULL || strchr(value, '\\') != NULL) return TRUE;
    char *lower = g_ascii_strdown(value, -1);
    gboolean out = FALSE;
    for (const char *hit = strstr(lower, "url("); hit != NULL && !out;
         hit = strstr(hit + 4, "url("))
        out = hit[4] != '#';
    out = out || strstr(lower, "image-set(") != NULL || strstr(lower, "expression(") != NULL;
    g_free(lower);
    return out;
}

/* An id made unique in the page: the prefix, and a count when gnuplot repeats one in a file
 * (it does, e.g. for a key drawn twice); references keep going to the first, as in a browser. */
static char *unique_id(SvgCopy *c, const char *value)
{
    guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(c->ids, value));
    g_hash_table_insert(c->ids, g_strdup(value), GUINT_TO_POINTER(seen + 1));
    return seen == 0 ? g_strconcat(c->prefix, value, NULL)
                     : g_strdup_printf("%s%s-%u", c->prefix, value, seen + 1);
}

/* The attribute as it should appear, or NULL to drop it. */
static char *copied_value(SvgCopy *c, const char *name, const char *value)
{
    const char *prefix = c->prefix;
    if (!allowed_attribute(name)) return NULL;
    if (strcmp(name, "id") == 0) return unique_id(c, value);
    if (strcmp(name, "href") == 0 || strcmp(name, "xlink:href") == 0) {
        return value[0] == '#' && !leaves_page(value) ? g_strconcat("#", prefix, value + 1, NULL)
                                                      : NULL;
    }
    if (leaves_page(value)) return NULL;
    if (strstr(value, "url(") == NULL) return g_strdup(value);
    /* Only local references: url(#id) becomes url(#prefix-id); any other url( drops it. */
    GString *v = g_string_new(NULL);
    const char *p = value;
    for (const char *hit = strstr(p, "url("); hit != NULL; hit = strstr(p, "url(")) {
        if (hit[4] != '#') return g_string_free(v, TRUE);
        g_string_append_len(v, p, hit - p);
        g_string_append_printf(v, "url(#%s", prefix);
        p = hit + 5;
    }
    g_string_append(v, p);
    return g_string_free(v, FALSE);
}

static void close_open_tag(SvgCopy *c)
{
    if (c->open_tag) g_string_append_c(c->out, '>');
    c->open_tag = FALSE;
}

static void svg_start(GMarkupParseContext *context, const char *element, const char **names,
                      const char **values, gpointer user_data, GError **error)
{
    SvgCopy *c = user_data;
    (void)context;
    c->depth++;
    if (c->depth == 1 && strcmp(element, "svg") != 0) {
        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "root is <%s>", element);
        return;
    }
    if (c->skip_depth > 0) return;
    /* The root's own <title> and <desc> only say "Gnuplot"; the plots' titles are kept. */
    gboolean root_label =
        c->depth == 2 && (strcmp(element, "title") == 0 || strcmp(element, "desc") == 0);
    if (!allowed_element(element) || root_label) {
        c->skip_depth = c->depth;
        return;
    }
    close_open_tag(c);
    g_string_append_printf(c->out, "<%s", element);
    for (guint i = 0; names[i] != NULL; i++) {
        char *value = copied_value(c, names[i], values[i]);
        if (value == NULL) continue;
        g_string_append_printf(c->out, " %s=\"", names[i]);
        esc(c->out, value);
        g_string_append_c(c->out, '"');
        g_free(value);
    }
    c->open_tag = TRUE;
}

static void svg_end(GMarkupParseContext *context, const char *element, gpointer user_data,
                    GError **error)
{
    SvgCopy *c = user_data;
    (void)context, (void)error;
    SIM_ASSERT(c->depth > 0);
    if (c->skip_depth == 0) {
        if (c->open_tag) {
            g_string_append(c->out, "/>");
            c->open_tag = FALSE;
        } else {
            g_string_append_printf(c->out, "</%s>", element);
        }
    } else if (c->skip_depth == c->depth) {
        c->skip_depth = 0;
    }
    c->depth--;
}

static void svg_text(GMarkupParseContext *context, const char *text, gsize length,
                     gpointer user_data, GError **error)
{
    SvgCopy *c = user_data;
    (void)context, (void)error;
    if (c->skip_depth > 0 || c->depth == 0) return;
    gboolean blank = TRUE;
    for (gsize i = 0; i < length && blank; i++)
        blank = g_ascii_isspace(text[i]);
    if (blank) {
        /* Layout between elements: one line break keeps the page readable, and small. */
        if (memchr(text, '\n', length) != NULL && !c->open_tag) g_string_append_c(c->out, '\n');
        return;
    }
    close_open_tag(c);
    char *escaped = g_markup_escape_text(text, (gssize)length);
    g_string_append(c->out, escaped);
    g_free(escaped);
}

/* Appends the SVG at `path` to `out`, ids prefixed with `prefix`; FALSE (and `out` untouched)
 * when the file cannot be read or is not an SVG document. */
static gboolean inline_svg(GString *out, const char *path, const char *prefix)
{
    char *text = NULL;
    gsize length = 0;
    if (!g_file_get_contents(path, &text, &length, NULL)) return FALSE;
    GMarkupParser parser = {svg_start, svg_end, svg_text, NULL, NULL};
    SvgCopy copy = {g_string_new(NULL),
                    prefix,
                    0,
                    0,
                    FALSE,
                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    GMarkupParseContext *context = g_markup_parse_context_new(&parser, 0, &copy, NULL);
    gboolean ok = g_markup_parse_context_parse(context, text, (gssize)length, NULL) &&
                  g_markup_parse_context_end_parse(context, NULL) && copy.depth == 0 &&
                  copy.out->len > 0;
    g_markup_parse_context_free(context);
    g_hash_table_unref(copy.ids);
    if (ok) g_string_append(out, copy.out->str);
    g_string_free(copy.out, TRUE);
    g_free(text);
    return ok;
}

static gboolean inline_png(GString *out, const char *path, const char *name)
{
    char *bytes = NULL;
    gsize length = 0;
    if (!g_file_get_contents(path, &bytes, &length, NULL)) return FALSE;
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    gboolean ok = length > 8 && memcmp(bytes, signature, 8) == 0;
    if (ok) {
        char *base64 = g_base64_encode((const guchar *)bytes, length);
        g_string_append(out, "<img alt=\"");
        esc(out, name);
        g_string_append_printf(out, "\" src=\"data:image/png;base64,%s\">", base64);
        g_free(base64);
    }
    g_free(bytes);
    return ok;
}

/* --- plots ----------------------------------------------------------------------------------- */

typedef struct Caption {
    const char *name;
    const char *text;
} Caption;

static const Caption captions[] = {
    {"epoch_transitions", "Epochs: how many views each completed epoch transition took, from "
                          "the view of its transition block (eN-3) to that of the next "
                          "epoch's first block; 4 when nothing failed (the transition block, "
                          "three empty blocks, the first block). A failure restarts the "
                          "transition from the transition block's QC."},
    {"finality_cdf", "How long until a block is final: the fraction of (block, honest node) "
                     "decides reached within a latency, from the leader's proposal; with a "
                     "workload also the transactions' latency to decided and to available at "
                     "their rollup."},
    {"throughput", "Blocks (bars) and payload (line, when there is one) decided in each second "
                   "of virtual time. Shaded: the windows in which a scheduled fault was "
                   "active, named by the scenario's fault and its kind."},
    {"view_outcomes", "Each view at the time of its proposal, by view number. A steady climb is "
                      "a healthy chain; flat stretches are stalls; marked points are views "
                      "that did not decide, and why."},
    {"bandwidth_roles", "Bytes sent over the whole run by each role, stacked by message type "
                        "(without the data path: per message type, all validators together). "
                        "The label on each bar is its total."},
    {"leader_queue", "At each proposal, how long the leader's uplink was still busy with what "
                     "it had already queued: a high value delays the proposal's delivery."},
};

static const char *caption_of(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(captions); i++) {
        if (strcmp(captions[i].name, name) == 0) return captions[i].text;
    }
    if (g_str_has_prefix(name, "sweep_")) {
        return "A sweep: the metric's mean over the seeds at each value of the key, with the "
               "95% confidence interval as error bars, one line per combination of the other "
               "varied keys.";
    }
    return "";
}

static int plot_rank(const char *name)
{
    for (int i = 0; i < SIM_PLOT_RUN_COUNT; i++) {
        if (strcmp(sim_plot_run_names[i], name) == 0) return i;
    }
    return SIM_PLOT_RUN_COUNT;
}

/* The run plots in their order, then the others by name. */
static gint plot_compare(gconstpointer a, gconstpointer b)
{
    const char *p = *(const char *const *)a, *q = *(const char *const *)b;
    int rp = plot_rank(p), rq = plot_rank(q);
    return rp != rq ? rp - rq : strcmp(p, q);
}

/* The names (stems) of the plots in dir/plots that have an SVG or a PNG. */
static GPtrArray *plot_names(const char *plots)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(plots, 0, NULL);
    for (const char *f = d != NULL ? g_dir_read_name(d) : NULL; f != NULL; f = g_dir_read_name(d)) {
        if (!g_str_has_suffix(f, ".svg") && !g_str_has_suffix(f, ".png")) continue;
        char *stem = g_strndup(f, strlen(f) - 4);
        gboolean seen = FALSE;
        for (guint i = 0; i < names->len && !seen; i++)
            seen = strcmp(names->pdata[i], stem) == 0;
        if (seen) {
            g_free(stem);
        } else {
            g_ptr_array_add(names, stem);
        }
    }
    if (d != NULL) g_dir_close(d);
    g_ptr_array_sort(names, plot_compare); /* directory order is the file system's */
    return names;
}

static void plot_figure(GString *out, const char *plots, const char *name, guint index)
{
    char *svg_file = g_strconcat(name, ".svg", NULL), *png_file = g_strconcat(name, ".png", NULL);
    char *svg = g_build_filename(plots, svg_file, NULL),
         *png = g_build_filename(plots, png_file, NULL);
    char *prefix = g_strdup_printf("p%u-", index);
    g_string_append(out, "<figure id=\"plot-");
    esc(out, name);
    g_string_append(out, "\">\n<h3>");
    esc(out, name);
    g_string_append(out, "</h3>\n<div class=\"plot\">");
    if (!inline_svg(out, svg, prefix) && !inline_png(out, png, name)) {
        g_string_append(out, "<p class=\"fail\">This plot's SVG and PNG could not be read.</p>");
    }
    g_string_append(out, "</div>\n<figcaption>");
    esc(out, caption_of(name));
    g_string_append(out, " <span class=\"files\">Files: plots/");
    esc(out, name);
    g_string_append(out, ".{svg,png} from plots/");
    esc(out, name);
    g_string_append(out, ".gp, which reads plots/");
    esc(out, name);
    g_string_append(out, ".dat.</span></figcaption>\n</figure>\n");
    g_free(prefix);
    g_free(svg), g_free(png), g_free(svg_file), g_free(png_file);
}

static void plots_section(GString *out, const char *dir, const char *notice)
{
    char *plots = g_build_filename(dir, "plots", NULL);
    GPtrArray *names = plot_names(plots);
    g_string_append(out, "<section id=\"plots\">\n<h2>Plots</h2>\n");
    if (notice != NULL) {
        g_string_append(out, "<p class=\"fail\">");
        esc(out, notice);
        g_string_append(out, "</p>\n");
    } else if (names->len == 0) {
        g_string_append(out, "<p>This folder has no plots.</p>\n");
    }
    for (guint i = 0; i < names->len; i++)
        plot_figure(out, plots, names->pdata[i], i);
    g_string_append(out, "</section>\n");
    g_ptr_array_unref(names);
    g_free(plots);
}

/* --- summary.json ---------------------------------------------------------------------------- */

static JsonNode *member(JsonObject *o, const char *name)
{
    return o != NULL && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;
}

static JsonObject *object_member(JsonObject *o, const char *name)
{
    JsonNode *n = member(o, name);
    return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static gboolean boolean_member(JsonObject *o, const char *name, gboolean fallback)
{
    JsonNode *n = member(o, name);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n)) return fallback;
    return json_node_get_value_type(n) == G_TYPE_BOOLEAN ? json_node_get_boolean(n) : fallback;
}

/* A JSON value as text: strings as they are, numbers and booleans printed, null as "none". */
static char *node_text(JsonNode *n)
{
    if (n == NULL || JSON_NODE_HOLDS_NULL(n)) return g_strdup("none");
    if (JSON_NODE_HOLDS_VALUE(n)) {
        GType type = json_node_get_value_type(n);
        if (type == G_TYPE_STRING) return g_strdup(json_node_get_string(n));
        if (type == G_TYPE_BOOLEAN) return g_strdup(json_node_get_boolean(n) ? "true" : "false");
        if (type == G_TYPE_INT64) {
            return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
        }
        if (type == G_TYPE_DOUBLE) {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];
            return g_strdup(
                g_ascii_formatd(buffer, sizeof buffer, "%.6g", json_node_get_double(n)));
        }
    }
    return json_to_string(n, FALSE);
}

static void table_row(GString *out, const char *label, const char *value)
{
    g_string_append(out, "<tr><th>");
    esc(out, label);
    g_string_append(out, "</th><td>");
    esc(out, value);
    g_string_append(out, "</td></tr>\n");
}

static void node_row(GString *out, const char *label, JsonNode *n)
{
    char *text = node_text(n);
    table_row(out, label, text);
    g_free(text);
}

static void page_head(GString *out, const char *title)
{
    g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    esc(out, title);
    g_string_append(out,
                    "</title>\n<style>\n"
                    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
                    "color:#222}\n"
                    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
                    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;"
                    "vertical-align:top}\n"
                    "th{background:#f3f3f3;font-weight:normal}\n"
                    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
                    ".pass{color:#1a7f37;font-weight:bold}\n.fail{color:#c62828;font-weight:bold}\n"
                    ".status{padding:.6em .9em;background:#f3f3f3;border-left:4px solid #888}\n"
                    "figure{margin:2em 0}\n.plot svg,.plot img{width:100%;height:auto;"
                    "max-width:1000px}\n"
                    "figcaption{color:#444;max-width:1000px}\n.files{color:#777;font-size:.9em}\n"
                    "pre{background:#f6f6f6;padding:.8em;overflow:auto}\n"
                    "</style>\n</head>\n<body>\n<h1>");
    esc(out, title);
    g_string_append(out, "</h1>\n");
}

/* One line: did the run complete, do the expectations and oracles hold. */
static void status_line(GString *out, JsonObject *summary)
{
    JsonNode *list = member(summary, "expectations");
    JsonArray *expectations =
        list != NULL && JSON_NODE_HOLDS_ARRAY(list) ? json_node_get_array(list) : NULL;
    guint total = expectations != NULL ? json_array_get_length(expectations) : 0, passed = 0;
    for (guint i = 0; i < total; i++) {
        JsonNode *e = json_array_get_element(expectations, i);
        if (JSON_NODE_HOLDS_OBJECT(e)) {
            passed += boolean_member(json_node_get_object(e), "pass", FALSE);
        }
    }
    gboolean complete = boolean_member(summary, "complete", FALSE);
    char *stopped = node_text(member(summary, "stopped"));
    g_string_append_printf(out, "<p class=\"status\" id=\"status\"><span class=\"%s\">%s</span> ",
                           complete ? "pass" : "fail",
                           complete ? "The run completed" : "The run did not complete");
    g_string_append(out, "(stopped: ");
    esc(out, stopped);
    g_string_append_printf(out, "). <span class=\"%s\">%u of %u expectations pass.</span></p>\n",
                           passed == total ? "pass" : "fail", passed, total);
    g_free(stopped);
}

static void scenario_section(GString *out, const char *dir, JsonObject *summary)
{
    JsonObject *s = object_member(summary, "scenario");
    static const char *const fields[][2] = {
        {"name", "name"}, {"description", "description"},
        {"file", "file"}, {"blake2b", "hash (BLAKE2b of the file)"},
        {"seed", "seed"}, {"nodes", "nodes"},
    };
    g_string_append(out, "<section id=\"scenario\">\n<h2>Scenario</h2>\n<table>\n");
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        node_row(out, fields[i][1], member(s, fields[i][0]));
    JsonNode *o = member(s, "overrides");
    GString *overrides = g_string_new(NULL);
    JsonArray *list = o != NULL && JSON_NODE_HOLDS_ARRAY(o) ? json_node_get_array(o) : NULL;
    for (guint i = 0; list != NULL && i < json_array_get_length(list); i++) {
        char *text = node_text(json_array_get_element(list, i));
        g_string_append_printf(overrides, "%s%s", i > 0 ? "; " : "", text);
        g_free(text);
    }
    table_row(out, "overrides (--set)", overrides->len > 0 ? overrides->str : "none");
    g_string_free(overrides, TRUE);
    g_string_append(out, "</table>\n");
    char *path = g_build_filename(dir, "scenario.ini", NULL), *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_string_append(out, "<details><summary>scenario.ini as the run read it</summary><pre>");
        esc(out, text);
        g_string_append(out, "</pre></details>\n");
    }
    g_free(text);
    g_free(path);
    g_string_append(out, "</section>\n");
}

static void run_section(GString *out, JsonObject *summary)
{
    static const char *const fields[][2] = {
        {"complete", "complete"},
        {"stopped", "stopped by"},
        {"virtual_time_s", "virtual time (s)"}, /* determinism-ok: a label, no clock read */
        {"wall_time_s", "wall-clock time (s)"}, /* determinism-ok: a label, as above */
        {"events", "events run"},
        {"digest", "trace digest"},
        {"shotglass", "shotglass version"},
    };
    g_string_append(out, "<section id=\"run\">\n<h2>Run</h2>\n<table>\n");
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        node_row(out, fields[i][1], member(summary, fields[i][0]));
    g_string_append(out, "</table>\n</section>\n");
}

/* Each oracle: its verdict (ok, violated, or not checked) and its other non-null members. */
static void oracle_row(GString *out, const char *name, JsonObject *oracle)
{
    gboolean checked = boolean_member(oracle, "checked", TRUE);
    gboolean ok = boolean_member(oracle, "ok", FALSE);
    g_string_append(out, "<tr><th>");
    esc(out, name);
    g_string_append_printf(out, "</th><td class=\"%s\">%s</td><td>",
                           !checked ? ""
                           : ok     ? "pass"
                                    : "fail",
                           !checked ? "not checked"
                           : ok     ? "PASS"
                                    : "FAIL");
    /* Details (the violation) only for a failed oracle: a passing one says "ok" already. */
    GList *members = checked && !ok ? json_object_get_members(oracle) : NULL;
    gboolean first = TRUE;
    for (GList *m = members; m != NULL; m = m->next) {
        JsonNode *n = json_object_get_member(oracle, m->data);
        if (strcmp(m->data, "ok") == 0 || strcmp(m->data, "checked") == 0) continue;
        if (JSON_NODE_HOLDS_NULL(n)) continue;
        char *text = node_text(n);
        g_string_append(out, first ? "" : "; ");
        esc(out, m->data);
        g_string_append(out, ": ");
        esc(out, text);
        g_free(text);
        first = FALSE;
    }
    g_list_free(members);
    g_string_append(out, "</td></tr>\n");
}

static void oracles_section(GString *out, JsonObject *summary)
{
    JsonObject *oracles = object_member(summary, "oracles");
    g_string_append(out, "<section id=\"oracles\">\n<h2>Oracles</h2>\n<table>\n"
                         "<tr><th>oracle</th><th>verdict</th><th>detail</th></tr>\n");
    GList *members = oracles != NULL ? json_object_get_members(oracles) : NULL;
    for (GList *m = members; m != NULL; m = m->next) {
        JsonObject *oracle = object_member(oracles, m->data);
        if (oracle != NULL) oracle_row(out, m->data, oracle);
    }
    g_list_free(members);
    g_string_append(out, "</table>\n</section>\n");
}

static void expectations_section(GString *out, JsonObject *summary)
{
    JsonNode *list = member(summary, "expectations");
    JsonArray *a = list != NULL && JSON_NODE_HOLDS_ARRAY(list) ? json_node_get_array(list) : NULL;
    g_string_append(out, "<section id=\"expectations\">\n<h2>Expectations</h2>\n");
    if (a == NULL || json_array_get_length(a) == 0) {
        g_string_append(out, "<p>The scenario states no expectations.</p>\n</section>\n");
        return;
    }
    g_string_append(out,
                    "<table>\n<tr><th>expectation</th><th>result</th><th>measured</th></tr>\n");
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
        gboolean pass = boolean_member(o, "pass", FALSE);
        char *text = node_text(member(o, "expectation")),
             *measured = node_text(member(o, "measured"));
        g_string_append(out, "<tr><td><code>");
        esc(out, text);
        g_string_append_printf(out, "</code></td><td class=\"%s\">%s</td><td>",
                               pass ? "pass" : "fail", pass ? "PASS" : "FAIL");
        esc(out, measured);
        g_string_append(out, "</td></tr>\n");
        g_free(text);
        g_free(measured);
    }
    g_string_append(out, "</table>\n</section>\n");
}

/* --- headline metrics ------------------------------------------------------------------------ */

typedef struct MetricNote {
    const char *path; /* a metric, or "group." for every metric under it */
    const char *note;
} MetricNote;

static const MetricNote metric_notes[] = {
    {"views", "views entered"},
    {"blocks", "blocks decided"},
    {"failed_views", "views that ended without their block being decided"},
    {"longest_gap_s", "longest stretch of virtual time without a new decide"},
    {"finality.", "finality latency: from the leader's proposal to each honest node's decide"},
    {"blocks_per_s", "blocks decided per second, between the first and the last decide"},
    {"payload_bytes_per_s", "payload decided per second, between the first and the last decide"},
    {"transactions.decide_latency.", "transaction latency: from submission to decided"},
    {"transactions.available_latency.",
     "transaction latency: from submission to available at its rollup"},
    {"transactions.", "transactions of the workload"},
    {"leader_egress_factor", "bytes a leader sends (DA proposals and VID shares) per payload byte"},
    {"messages", "messages sent by all nodes"},
    {"bytes", "bytes sent by all nodes"},
};

static const char *metric_note(const char *path)
{
    for (size_t i = 0; i < G_N_ELEMENTS(metric_notes); i++) {
        const char *p = metric_notes[i].path;
        gboolean group = g_str_has_suffix(p, ".");
        if (group ? g_str_has_prefix(path, p) : strcmp(path, p) == 0) return metric_notes[i].note;
    }
    return "";
}

/* The unit of a metric, from the conventions of summary.json's names. */
static const char *metric_unit(const char *path)
{
    const char *leaf = strrchr(path, '.') != NULL ? strrchr(path, '.') + 1 : path;
    if (g_str_has_suffix(leaf, "bytes_per_s")) return "B/s";
    if (strcmp(leaf, "blocks_per_s") == 0) return "blocks/s";
    if (strcmp(leaf, "tx_per_s") == 0) return "tx/s";
    if (g_str_has_suffix(leaf, "_per_s")) return "per s";
    if (g_str_has_suffix(leaf, "_s")) return "s";
    if (strcmp(leaf, "bytes") == 0) return "B";
    if (g_str_has_suffix(path, "_factor")) return "\xc3\x97"; /* U+00D7, a multiple */
    gboolean latency = g_str_has_prefix(path, "finality.") || strstr(path, "_latency.") != NULL;
    return latency && strcmp(leaf, "count") != 0 ? "s" : "";
}

/* A number in bytes, or bytes per second, also in kB, MB, GB. */
static void append_bytes(GString *out, double bytes, const char *unit)
{
    static const char *const prefixes[] = {"k", "M", "G", "T"};
    if (bytes < 1000) return;
    size_t p = 0;
    for (bytes /= 1000; bytes >= 1000 && p + 1 < G_N_ELEMENTS(prefixes); p++)
        bytes /= 1000;
    g_string_append_printf(out, " (%.3g %s%s)", bytes, prefixes[p], unit);
}

static void metric_value(GString *out, JsonNode *n, const char *unit)
{
    gboolean number = JSON_NODE_HOLDS_VALUE(n) && (json_node_get_value_type(n) == G_TYPE_DOUBLE ||
                                                   json_node_get_value_type(n) == G_TYPE_INT64);
    double v = number ? json_node_get_double(n) : 0;
    char *text = NULL;
    if (number && json_node_get_value_type(n) == G_TYPE_DOUBLE && fabs(v) >= 1e5) {
        text = g_strdup_printf("%.0f", v); /* whole units are precise enough up there */
    } else {
        text = node_text(n);
    }
    GString *shown = g_string_new(text);
    if (number && g_str_has_prefix(unit, "B")) append_bytes(shown, v, unit);
    esc(out, shown->str);
    g_string_free(shown, TRUE);
    g_free(text);
}

/* `last_note`: the note of the row before, so a group's note is given once. */
static void metric_row(GString *out, const char *path, JsonNode *n, const char **last_note)
{
    const char *unit = metric_unit(path), *note = metric_note(path);
    g_string_append(out, "<tr><th><code>");
    esc(out, path);
    g_string_append(out, "</code></th><td class=\"num\">");
    metric_value(out, n, unit);
    g_string_append(out, "</td><td>");
    esc(out, unit);
    g_string_append(out, "</td><td>");
    esc(out, note == *last_note ? "" : note);
    g_string_append(out, "</td></tr>\n");
    *last_note = note;
}

/* Nested objects become dotted names (finality.p50); at most a few levels deep. */
static void metric_rows(GString *out, JsonObject *o, const char *prefix, guint depth,
                        const char **last_note)
{
    GList *members = json_object_get_members(o); /* in the file's order */
    for (GList *m = members; m != NULL; m = m->next) {
        JsonNode *n = json_object_get_member(o, m->data);
        char *path = g_strconcat(prefix, m->data, NULL);
        if (JSON_NODE_HOLDS_OBJECT(n) && depth < 4) {
            char *group = g_strconcat(path, ".", NULL);
            metric_rows(out, json_node_get_object(n), group, depth + 1, last_note);
            g_free(group);
        } else {
            metric_row(out, path, n, last_note);
        }
        g_free(path);
    }
    g_list_free(members);
}

static void metrics_section(GString *out, JsonObject *summary)
{
    JsonObject *metrics = object_member(summary, "metrics");
    g_string_append(out, "<section id=\"metrics\">\n<h2>Headline metrics</h2>\n<table>\n"
                         "<tr><th>metric</th><th>value</th><th>unit</th><th>meaning</th></tr>\n");
    const char *last_note = NULL;
    if (metrics != NULL) metric_rows(out, metrics, "", 0, &last_note);
    g_string_append(out, "</table>\n</section>\n");
}

/* --- the sweep table ------------------------------------------------------------------------- */

static void sweep_cell(GString *out, const SimCsv *csv, guint row, guint mean)
{
    const char *m = sim_csv_cell(csv, row, mean), *sd = sim_csv_cell(csv, row, mean + 1),
               *ci = sim_csv_cell(csv, row, mean + 2);
    g_string_append(out, "<td class=\"num\" title=\"sd ");
    esc(out, sd);
    g_string_append(out, "\">");
    esc(out, m);
    if (ci[0] != '\0') {
        g_string_append(out, " \xc2\xb1 "); /* U+00B1 */
        esc(out, ci);
    }
    g_string_append(out, "</td>");
}

static void sweep_section(GString *out, const SimCsv *csv, const SimPlotSweepSchema *schema)
{
    g_string_append(out, "<section id=\"sweep\">\n<h2>Sweep</h2>\n<p>Each point: the mean over "
                         "its seeds \xc2\xb1 the half-width of the 95% confidence interval "
                         "(hover for the standard deviation).</p>\n<table>\n<tr>");
    for (guint c = 0; c <= schema->seeds; c++) {
        g_string_append(out, "<th>");
        esc(out, csv->header[c]);
        g_string_append(out, "</th>");
    }
    for (guint m = 0; m < schema->metrics->len; m++) {
        g_string_append(out, "<th>");
        esc(out, schema->metrics->pdata[m]);
        g_string_append(out, "</th>");
    }
    g_string_append(out, "</tr>\n");
    for (guint r = 0; r < csv->rows->len; r++) {
        g_string_append(out, "<tr>");
        for (guint c = 0; c <= schema->seeds; c++) {
            g_string_append(out, c == 0 || c == schema->seeds ? "<td class=\"num\">" : "<td>");
            esc(out, sim_csv_cell(csv, r, c));
            g_string_append(out, "</td>");
        }
        for (guint m = 0; m < schema->metrics->len; m++)
            sweep_cell(out, csv, r, schema->seeds + 1 + 3 * m);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</table>\n</section>\n");
}

/* --- the page -------------------------------------------------------------------------------- */

typedef struct Inputs {
    JsonParser *parser;  /* summary.json, or NULL */
    JsonObject *summary; /* its root, owned by the parser */
    SimCsv *sweep;       /* sweep.csv, or NULL */
    SimPlotSweepSchema schema;
} Inputs;

static void inputs_clear(Inputs *in)
{
    if (in->parser != NULL) g_object_unref(in->parser);
    sim_csv_free(in->sweep);
    sim_plot_sweep_schema_clear(&in->schema);
    memset(in, 0, sizeof *in);
}

static gboolean load_summary(const char *dir, Inputs *in, GError **error)
{
    char *path = g_build_filename(dir, "summary.json", NULL);
    GError *inner = NULL;
    in->parser = sim_results_read_json(path, &inner);
    if (in->parser == NULL) {
        g_set_error_literal(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_INPUT, inner->message);
        g_error_free(inner);
    } else {
        in->summary = json_node_get_object(json_parser_get_root(in->parser));
    }
    g_free(path);
    return in->parser != NULL;
}

static gboolean load_inputs(const char *dir, Inputs *in, GError **error)
{
    char *summary = g_build_filename(dir, "summary.json", NULL);
    char *sweep = g_build_filename(dir, "sweep.csv", NULL);
    gboolean has_summary = g_file_test(summary, G_FILE_TEST_EXISTS);
    gboolean has_sweep = g_file_test(sweep, G_FILE_TEST_EXISTS);
    gboolean ok = TRUE;
    if (!has_summary && !has_sweep) {
        g_set_error(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_INPUT,
                    "%s: not a results folder (no summary.json, no sweep.csv)", dir);
        ok = FALSE;
    }
    if (ok && has_summary) ok = load_summary(dir, in, error);
    if (ok && has_sweep) {
        in->sweep = sim_csv_read(sweep, error);
        ok = in->sweep != NULL && sim_plot_sweep_schema(in->sweep, &in->schema, error);
    }
    g_free(summary);
    g_free(sweep);
    return ok;
}

/* Draws what is missing. A missing gnuplot is no failure: its notice goes into `notice`. */
static gboolean draw_missing(const char *dir, char **notice, GError **error)
{
    if (!sim_plot_missing(dir)) return TRUE;
    char *views = g_build_filename(dir, "views.csv", NULL),
         *sweep = g_build_filename(dir, "sweep.csv", NULL);
    GError *inner = NULL;
    if (g_file_test(views, G_FILE_TEST_EXISTS)) sim_plot_run_draw(dir, &inner);
    if (g_file_test(sweep, G_FILE_TEST_EXISTS) && sim_plot_exit_code(inner) == 0) {
        g_clear_error(&inner);
        sim_plot_sweep_draw(dir, &inner);
    }
    g_free(views);
    g_free(sweep);
    if (g_error_matches(inner, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT)) {
        *notice = g_strdup(inner->message);
        g_clear_error(&inner);
    }
    gboolean ok = inner == NULL;
    if (!ok) g_propagate_error(error, inner);
    return ok;
}

static GString *page(const char *dir, const Inputs *in, const char *notice)
{
    GString *out = g_string_new(NULL);
    JsonObject *scenario = object_member(in->summary, "scenario");
    char *name = node_text(member(scenario, "name"));
    char *base = g_path_get_basename(dir); /* the same page whichever way DIR was written */
    char *title = in->summary != NULL ? g_strdup_printf("shotglass report: %s", name)
                                      : g_strdup_printf("shotglass sweep report: %s", base);
    g_free(base);
    page_head(out, title);
    if (in->summary != NULL) {
        status_line(out, in->summary);
        scenario_section(out, dir, in->summary);
        run_section(out, in->summary);
        oracles_section(out, in->summary);
        expectations_section(out, in->summary);
        metrics_section(out, in->summary);
    }
    plots_section(out, dir, notice);
    if (in->sweep != NULL) sweep_section(out, in->sweep, &in->schema);
    g_string_append(out, "<footer><p class=\"files\">Written by <code>shotglass report</code> "
                         "from the files of this folder; the page loads nothing from "
                         "elsewhere.</p></footer>\n</body>\n</html>\n");
    g_free(title);
    g_free(name);
    return out;
}

gboolean sim_report_write(const char *dir, GError **error)
{
    SIM_ASSERT(dir != NULL);
    Inputs in = {0};
    char *notice = NULL;
    GError *inner = NULL;
    gboolean ok = load_inputs(dir, &in, &inner) && draw_missing(dir, &notice, &inner);
    if (ok) {
        GString *html = page(dir, &in, notice);
        char *path = g_build_filename(dir, "report.html", NULL);
        ok = g_file_set_contents(path, html->str, (gssize)html->len, &inner);
        g_free(path);
        g_string_free(html, TRUE);
    }
    SIM_ASSERT(ok == (inner == NULL));
    if (inner != NULL) g_propagate_error(error, inner);
    g_free(notice);
    inputs_clear(&in);
    return ok;
}

gboolean sim_report_refresh(const char *dir, gboolean sweep, const char *command)
{
    GError *error = NULL;
    gboolean ok = sweep ? sim_plot_sweep_draw(dir, &error) : sim_plot_run_draw(dir, &error);
    if (!ok && g_error_matches(error, SIM_PLOT_ERROR, SIM_PLOT_ERROR_NO_GNUPLOT)) {
        fprintf(stderr, "shotglass %s: %s\n", command, error->message);
        g_clear_error(&error);
        ok = TRUE;
    }
    ok = ok && sim_report_write(dir, &error);
    if (!ok) {
        fprintf(stderr, "shotglass %s: plots of %s: %s\n", command, dir, error->message);
        g_error_free(error);
    }
    return ok;
}

int sim_report_main(int argc, char **argv)
{
    const char *dir = sim_plot_parse_folder(
        &argc, &argv, "DIR - write DIR/report.html, one self-contained page",
        "The scenario, the verdicts, the expectations, the headline metrics and every plot\n"
        "(drawn first when missing), in one HTML file that loads nothing from elsewhere.");
    if (dir == NULL) return 2;
    char *gnuplot = sim_gnuplot_find();
    gboolean without_plots = gnuplot == NULL && sim_plot_missing(dir);
    g_free(gnuplot);
    GError *error = NULL;
    if (!sim_report_write(dir, &error)) {
        fprintf(stderr, "shotglass report: %s\n", error->message);
        int status = sim_plot_exit_code(error);
        g_error_free(error);
        return status == 0 ? 1 : status;
    }
    if (without_plots) {
        char *notice = sim_gnuplot_notice(dir);
        fprintf(stderr, "shotglass report: %s\n", notice);
        g_free(notice);
    }
    char *path = g_build_filename(dir, "report.html", NULL);
    GStatBuf st;
    if (g_stat(path, &st) == 0) {
        printf("shotglass report: wrote %s (%.0f kB)\n", path, (double)st.st_size / 1000);
    }
    g_free(path);
    return 0;
}
