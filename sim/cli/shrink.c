/* `shotglass shrink`: delta debugging of a failing scenario; see shrink.h. */
#include "sim/cli/shrink.h"

#include "sim/cli/trial.h"
#include "sim/core/assert.h"
#include "sim/core/units.h"
#include "sim/net/nodeset.h"
#include "sim/scenario/edit.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS_MAX 8 /* passes over everything; each pass that changes nothing ends it */

typedef struct Shrink {
    const char *path;
    char *target;   /* the failure tag to keep */
    GKeyFile *file; /* the smallest failing scenario so far */
    char *detail;   /* its failure in words */
    guint runs;     /* trials run */
    guint runs_max;
    gboolean quiet;
} Shrink;

static volatile sig_atomic_t shrink_interrupted;

static void on_interrupt(int signal)
{
    (void)signal;
    shrink_interrupted = 1;
}

static gboolean out_of_runs(const Shrink *s)
{
    return shrink_interrupted || s->runs >= s->runs_max;
}

/* Runs `candidate`; if it fails the same way, it becomes the current scenario (the key file
 * is taken) and TRUE is returned; otherwise it is freed. */
static gboolean try_candidate(Shrink *s, GKeyFile *candidate)
{
    if (out_of_runs(s)) {
        g_key_file_free(candidate);
        return FALSE;
    }
    char *text = sim_scenario_edit_text(candidate);
    SimTrial trial;
    GError *error = NULL;
    gboolean kept = FALSE;
    s->runs++;
    if (sim_trial_run(s->path, text, &trial, &error)) {
        kept = trial.status != SIM_TRIAL_INVALID && sim_trial_has(&trial, s->target);
        if (kept) {
            g_free(s->detail);
            s->detail = g_strdup(trial.detail);
        }
        sim_trial_clear(&trial);
    } else {
        fprintf(stderr, "shotglass shrink: %s\n", error->message);
        g_error_free(error);
        shrink_interrupted = 1;
    }
    g_free(text);
    if (kept) {
        g_key_file_free(s->file);
        s->file = candidate;
        if (!s->quiet) fprintf(stderr, "\rshrink: %u runs, smaller again   ", s->runs);
    } else {
        g_key_file_free(candidate);
    }
    return kept;
}

/* A copy of the current scenario to change. */
static GKeyFile *copy_current(const Shrink *s)
{
    char *text = sim_scenario_edit_text(s->file);
    GKeyFile *copy = sim_scenario_edit_open(s->path, text, NULL);
    SIM_ASSERT(copy != NULL); /* written by sim_scenario_edit_text */
    g_free(text);
    return copy;
}

/* --- ddmin ----------------------------------------------------------------------------------- */

/* Builds the candidate that keeps `keep[0..count)` of the items; NULL when there is none. */
typedef GKeyFile *(*Subset)(Shrink *s, const guint *keep, guint count, void *user_data);

/*
 * Zeller's ddmin over `*len` items (indices into the caller's list, updated in place to the
 * ones kept): try each of n chunks alone, then each complement, and refine n when neither
 * fails. `min` is the fewest items a candidate may keep. Returns TRUE when it removed any.
 */
static gboolean ddmin(Shrink *s, guint *items, guint *len, guint min, Subset subset,
                      void *user_data)
{
    gboolean changed = FALSE;
    guint n = 2;
    guint *trial = g_new(guint, *len + 1);
    if (min == 0 && *len > 0 && try_candidate(s, subset(s, items, 0, user_data))) {
        *len = 0, changed = TRUE;
    }
    while (*len >= 2 && *len > min && !out_of_runs(s)) {
        guint chunk = (*len + n - 1) / n;
        gboolean reduced = FALSE;
        for (guint pass = 0; pass < 2 && !reduced; pass++) { /* chunks, then complements */
            for (guint start = 0; start < *len && !reduced; start += chunk) {
                guint end = MIN(start + chunk, *len), count = 0;
                for (guint i = 0; i < *len; i++) {
                    gboolean inside = i >= start && i < end;
                    if (inside == (pass == 0)) trial[count++] = items[i];
                }
                if (count < MAX(min, 1) || count == *len) continue;
                if (try_candidate(s, subset(s, trial, count, user_data))) {
                    memcpy(items, trial, count * sizeof *items);
                    *len = count;
                    n = pass == 0 ? 2 : MAX(n - 1, 2);
                    reduced = changed = TRUE;
                }
            }
        }
        if (!reduced) {
            if (n >= *len) break;
            n = MIN(*len, 2 * n);
        }
    }
    g_free(trial);
    return changed;
}

/* --- what is shrunk -------------------------------------------------------------------------- */

/* The [fault.*] groups of the current scenario (g_strfreev). */
static char **fault_groups(const Shrink *s, guint *count)
{
    gsize n = 0;
    char **groups = g_key_file_get_groups(s->file, &n);
    GPtrArray *faults = g_ptr_array_new();
    for (gsize i = 0; i < n; i++) {
        if (g_str_has_prefix(groups[i], "fault.")) g_ptr_array_add(faults, g_strdup(groups[i]));
    }
    g_strfreev(groups);
    *count = faults->len;
    g_ptr_array_add(faults, NULL);
    return (char **)g_ptr_array_free(faults, FALSE);
}

static GKeyFile *without_groups(Shrink *s, const guint *keep, guint count, void *user_data)
{
    char **groups = user_data;
    GKeyFile *candidate = copy_current(s);
    for (guint g = 0; groups[g] != NULL; g++) {
        gboolean kept = FALSE;
        for (guint i = 0; i < count && !kept; i++)
            kept = keep[i] == g;
        if (!kept) g_key_file_remove_group(candidate, groups[g], NULL);
    }
    return candidate;
}

static gboolean shrink_faults(Shrink *s)
{
    guint count = 0;
    char **groups = fault_groups(s, &count);
    guint *items = g_new(guint, count + 1);
    for (guint i = 0; i < count; i++)
        items[i] = i;
    guint len = count;
    gboolean changed = ddmin(s, items, &len, 0, without_groups, groups);
    g_free(items);
    g_strfreev(groups);
    return changed;
}

typedef struct NodesKey {
    const char *group;
    const uint32_t *ids;
} NodesKey;

static GKeyFile *with_nodes(Shrink *s, const guint *keep, guint count, void *user_data)
{
    const NodesKey *k = user_data;
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < count; i++)
        g_string_append_printf(text, "%s%u", i ? ", " : "", k->ids[keep[i]]);
    GKeyFile *candidate = copy_current(s);
    g_key_file_set_value(candidate, k->group, "nodes", text->str);
    g_string_free(text, TRUE);
    return candidate;
}

static uint32_t node_count(const Shrink *s)
{
    char *value = g_key_file_get_value(s->file, "consensus", "nodes", NULL);
    uint64_t n = 10; /* the default */
    if (value != NULL && !sim_quantity_parse(value, SIM_QUANTITY_COUNT, &n, NULL)) n = 0;
    g_free(value);
    return n <= 100000 ? (uint32_t)n : 0;
}

/* ddmin over the validators of group's `nodes`, when they are plain ids. */
static gboolean shrink_nodes_of(Shrink *s, const char *group)
{
    char *value = g_key_file_get_value(s->file, group, "nodes", NULL);
    uint32_t n = node_count(s);
    if (value == NULL || n == 0) {
        g_free(value);
        return FALSE;
    }
    SimNodeSet set;
    sim_node_set_init(&set, n);
    gboolean plain = sim_node_set_parse(&set, value, NULL);
    guint count = plain ? sim_node_set_count(&set) : 0;
    uint32_t *ids = g_new(uint32_t, count + 1);
    guint *items = g_new(guint, count + 1);
    sim_node_set_members(&set, ids, count);
    for (guint i = 0; i < count; i++)
        items[i] = i;
    NodesKey key = {group, ids};
    guint len = count;
    gboolean changed = count > 1 && ddmin(s, items, &len, 1, with_nodes, &key);
    g_free(ids), g_free(items), g_free(value);
    sim_node_set_clear(&set);
    return changed;
}

/* Halves a window key (a duration, or a count of views) while the failure stays. */
static gboolean shorten(Shrink *s, const char *group, const char *key, SimQuantityKind kind)
{
    gboolean changed = FALSE;
    for (;;) {
        char *value = g_key_file_get_value(s->file, group, key, NULL);
        uint64_t v = 0;
        gboolean ok = value != NULL && sim_quantity_parse(value, kind, &v, NULL);
        g_free(value);
        uint64_t half = kind == SIM_QUANTITY_DURATION ? v / 2 / SIM_MS * SIM_MS : v / 2;
        if (!ok || half == 0 || out_of_runs(s)) break;
        GKeyFile *candidate = copy_current(s);
        char *text = kind == SIM_QUANTITY_DURATION ? g_strdup_printf("%" PRIu64 "ms", half / SIM_MS)
                                                   : g_strdup_printf("%" PRIu64, half);
        g_key_file_set_value(candidate, group, key, text);
        g_free(text);
        if (!try_candidate(s, candidate)) break;
        changed = TRUE;
    }
    return changed;
}

/* The candidate with `group.key` = `value` (in `kind`'s unit); for fewer validators, a DA
 * committee larger than them is cut to their number. */
static GKeyFile *with_value(const Shrink *s, const char *group, const char *key, uint64_t value,
                            SimQuantityKind kind)
{
    GKeyFile *candidate = copy_current(s);
    char *text = kind == SIM_QUANTITY_DURATION ? g_strdup_printf("%" PRIu64 "ms", value / SIM_MS)
                                               : g_strdup_printf("%" PRIu64, value);
    g_key_file_set_value(candidate, group, key, text);
    char *committee = g_key_file_get_value(candidate, "da", "committee", NULL);
    uint64_t members = 0;
    if (strcmp(key, "nodes") == 0 && committee != NULL &&
        sim_quantity_parse(committee, SIM_QUANTITY_COUNT, &members, NULL) && members > value) {
        g_key_file_set_value(candidate, "da", "committee", text);
    }
    g_free(committee);
    g_free(text);
    return candidate;
}

/* Bisects `group.key` down between `low` and its value: the smallest value found that still
 * fails (the failure need not be monotone in it, so this is a local minimum). */
static gboolean bisect(Shrink *s, const char *group, const char *key, uint64_t low,
                       SimQuantityKind kind)
{
    char *value = g_key_file_get_value(s->file, group, key, NULL);
    uint64_t high = 0;
    gboolean ok = value != NULL && sim_quantity_parse(value, kind, &high, NULL);
    g_free(value);
    if (!ok || high <= low) return FALSE;
    uint64_t step = kind == SIM_QUANTITY_DURATION ? SIM_MS : 1;
    gboolean changed = FALSE;
    while (low < high && high - low >= step && !out_of_runs(s)) {
        uint64_t mid = (low + (high - low) / 2) / step * step;
        if (mid < low) mid = low;
        if (try_candidate(s, with_value(s, group, key, mid, kind))) {
            high = mid, changed = TRUE;
        } else {
            low = mid + step;
        }
    }
    return changed;
}

static uint64_t views_of(const Shrink *s)
{
    char *value = g_key_file_get_value(s->file, "scenario", "views", NULL);
    uint64_t views = 100; /* the default */
    if (value != NULL && !sim_quantity_parse(value, SIM_QUANTITY_COUNT, &views, NULL)) views = 0;
    g_free(value);
    return views;
}

/* One pass over everything; TRUE when something got smaller. */
static gboolean shrink_pass(Shrink *s)
{
    gboolean changed = shrink_faults(s);
    guint count = 0;
    char **groups = fault_groups(s, &count);
    for (guint i = 0; i < count && !out_of_runs(s); i++) {
        changed |= shrink_nodes_of(s, groups[i]);
        changed |= shorten(s, groups[i], "duration", SIM_QUANTITY_DURATION);
        changed |= shorten(s, groups[i], "views", SIM_QUANTITY_COUNT);
    }
    g_strfreev(groups);
    changed |= bisect(s, "consensus", "nodes", 1, SIM_QUANTITY_COUNT);
    if (views_of(s) > 0) {
        if (!g_key_file_has_key(s->file, "scenario", "views", NULL))
            g_key_file_set_value(s->file, "scenario", "views", "100");
        changed |= bisect(s, "scenario", "views", 1, SIM_QUANTITY_COUNT);
    } else {
        changed |= bisect(s, "scenario", "duration", SIM_S, SIM_QUANTITY_DURATION);
    }
    return changed;
}

/* --- main ------------------------------------------------------------------------------------ */

typedef struct Size {
    guint faults;
    uint32_t nodes;
    uint64_t views;
} Size;

static Size size_of(const Shrink *s)
{
    Size size = {0, node_count(s), views_of(s)};
    char **groups = fault_groups(s, &size.faults);
    g_strfreev(groups);
    return size;
}

/* The first run: the failure to keep. FALSE (with `error`) when the file does not fail. */
static gboolean first_trial(Shrink *s, const char *text, const char *failure, GError **error)
{
    SimTrial trial;
    if (!sim_trial_run(s->path, text, &trial, error)) return FALSE;
    s->runs++;
    gboolean ok = FALSE;
    if (trial.status == SIM_TRIAL_INVALID) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", trial.detail);
    } else if (trial.status == SIM_TRIAL_PASSED) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s: the scenario does not fail (every oracle and expectation holds), so "
                    "there is nothing to shrink",
                    s->path);
    } else if (failure != NULL && !sim_trial_has(&trial, failure)) {
        GString *tags = g_string_new(NULL);
        for (guint i = 0; i < trial.failures->len; i++)
            g_string_append_printf(tags, "%s%s", i ? ", " : "",
                                   (const char *)trial.failures->pdata[i]);
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--failure \"%s\": %s fails with %s instead", failure, s->path, tags->str);
        g_string_free(tags, TRUE);
    } else {
        s->target = g_strdup(failure != NULL ? failure : trial.failures->pdata[0]);
        s->detail = g_strdup(trial.detail);
        ok = TRUE;
    }
    sim_trial_clear(&trial);
    return ok;
}

static char *default_output(const char *path)
{
    if (g_str_has_suffix(path, ".ini"))
        return g_strdup_printf("%.*s.min.ini", (int)(strlen(path) - 4), path);
    return g_strdup_printf("%s.min.ini", path);
}

/* Writes and prints the result; FALSE if it cannot be written. */
static gboolean finish(Shrink *s, const char *out, Size before, GError **error)
{
    Size after = size_of(s);
    char *body = sim_scenario_edit_text(s->file);
    /* The header lines explore or an earlier shrink wrote describe another file: drop them. */
    static const char *const stale[] = {
        "# shotglass explore: ", "# It failed: ", "# Replay: ", "# shrunk by shotglass shrink "};
    for (gboolean again = TRUE; again;) {
        again = FALSE;
        for (size_t i = 0; i < G_N_ELEMENTS(stale) && !again; i++) {
            if (!g_str_has_prefix(body, stale[i])) continue;
            const char *next = strchr(body, '\n');
            memmove(body, next ? next + 1 : body + strlen(body), strlen(next ? next + 1 : "") + 1);
            again = TRUE;
        }
    }
    char *text = g_strdup_printf("# shrunk by shotglass shrink from %s (%u runs); it still fails: "
                                 "%s: %s\n%s",
                                 s->path, s->runs, s->target, s->detail ? s->detail : "", body);
    gboolean ok = g_file_set_contents(out, text, -1, error);
    if (ok) {
        printf("%s", text);
        printf("shrink: %s -> %s: %s; faults %u -> %u, validators %u -> %u, views %" PRIu64
               " -> %" PRIu64 " (%u runs%s)\n",
               s->path, out, s->target, before.faults, after.faults, before.nodes, after.nodes,
               before.views, after.views, s->runs,
               shrink_interrupted       ? ", interrupted"
               : s->runs >= s->runs_max ? ", run limit"
                                        : "");
    }
    g_free(body);
    g_free(text);
    return ok;
}

static gboolean shrink(Shrink *s, const char *failure, const char *out, GError **error)
{
    char *text = NULL;
    GError *inner = NULL;
    if (!g_file_get_contents(s->path, &text, NULL, &inner)) {
        g_set_error(error, G_FILE_ERROR, inner->code, "%s: cannot read: %s", s->path,
                    inner->message);
        g_error_free(inner);
        return FALSE;
    }
    s->file = sim_scenario_edit_open(s->path, text, error);
    gboolean ok = s->file != NULL && first_trial(s, text, failure, error);
    g_free(text);
    if (!ok) return FALSE;
    if (!s->quiet) fprintf(stderr, "shrink: keeping %s\n", s->target);
    Size before = size_of(s);
    for (guint round = 0; round < ROUNDS_MAX && !out_of_runs(s); round++) {
        if (!shrink_pass(s)) break;
    }
    if (!s->quiet) fprintf(stderr, "\n");
    return finish(s, out, before, error);
}

int sim_shrink_main(int argc, char **argv)
{
    char *out = NULL, *failure = NULL;
    gint64 runs_max = 2000;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
         "where the minimal scenario goes (default FILE.min.ini)", "OUT"},
        {"failure", 0, 0, G_OPTION_ARG_STRING, &failure,
         "the failure to keep, as a tag (default: the file's first failure)", "TAG"},
        {"max-runs", 0, 0, G_OPTION_ARG_INT64, &runs_max, "stop after N runs (default 2000)", "N"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress on stderr", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("FILE - cut a failing scenario down");
    g_option_context_set_description(
        context, "Removes faults, Byzantine and crashed validators, shortens fault windows, and "
                 "lowers the validator count and the views while the run fails the same way "
                 "(the same oracle or expectation; tags as `shotglass explore` prints them).\n"
                 "Exit codes: 0 written, 2 bad usage or a file that does not fail.");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (ok && (argc != 2 || runs_max < 1)) {
        g_set_error_literal(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            argc != 2 ? "expected one scenario FILE" : "--max-runs must be >= 1");
        ok = FALSE;
    }
    Shrink s = {
        .path = ok ? argv[1] : NULL, .runs_max = (guint)MIN(runs_max, G_MAXUINT), .quiet = quiet};
    char *target = ok && out == NULL ? default_output(argv[1]) : g_strdup(out);
    struct sigaction action = {.sa_handler = on_interrupt}, previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    ok = ok && shrink(&s, failure, target, &error);
    sigaction(SIGINT, &previous, NULL);
    if (error != NULL) {
        fprintf(stderr, "shotglass shrink: %s\n", error->message);
        g_error_free(error);
    }
    if (s.file != NULL) g_key_file_free(s.file);
    g_free(s.target), g_free(s.detail), g_free(target), g_free(out), g_free(failure);
    return !ok ? 2 : shrink_interrupted ? 130 : 0;
}
