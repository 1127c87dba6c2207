/* `shotglass diff`; see diff.h. */
#include "sim/cli/diff.h"

#include "sim/cli/run_cli.h"
#include "sim/core/assert.h"
#include "sim/out/results.h"
#include "sim/out/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* One side of the comparison. */
typedef struct Side {
    const char *name; /* "A" or "B" */
    char *what;       /* how it was given, for the report */
    char *folder;     /* results folder mode: the folder, else NULL */
    SimScenario scenario;
    gboolean loaded;     /* `scenario` holds a scenario */
    GArray *checkpoints; /* SimTraceCheckpoint: of the first pass, or of the folder */
    gboolean whole;      /* the checkpoints go to the end of the run */
    GPtrArray *keys;     /* the window's events, from the second pass or the folder's
                            window.txt: sim_trace_event_key (owned strings) */
    GPtrArray *texts;    /* and sim_trace_event_describe, likewise */
    SimTrace *trace;     /* of the second pass */
    SimRun *run;         /* of the second pass */
    char *stop;          /* why the second pass's run ended, if it ended in the window */
    gboolean reproduced; /* the second pass repeated the first's checkpoints */
} Side;

typedef struct DiffFlags {
    gint64 seed_a, seed_b, every, context;
    gboolean has_seed_a, has_seed_b;
    char **set_a, **set_b;
    char *dump;
} DiffFlags;

static void side_clear(Side *s)
{
    g_free(s->what);
    g_free(s->folder);
    if (s->loaded) sim_scenario_clear(&s->scenario);
    if (s->checkpoints != NULL) g_array_unref(s->checkpoints);
    if (s->keys != NULL) g_ptr_array_unref(s->keys);
    if (s->texts != NULL) g_ptr_array_unref(s->texts);
    sim_trace_free(s->trace); /* before the run it observes */
    sim_run_free(s->run);
    g_free(s->stop);
    memset(s, 0, sizeof *s);
}

/* --- loading the sides ----------------------------------------------------------------------- */

/* Loads one side from `file` (NULL: the defaults), the common flags and the side's own. */
static gboolean load_side(Side *side, const char *file, char **common, gint64 seed,
                          gboolean has_seed, char **sets, GError **error)
{
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(args, g_strdup("diff"));
    if (file != NULL) g_ptr_array_add(args, g_strdup(file));
    for (guint i = 0; common[i] != NULL; i++)
        g_ptr_array_add(args, g_strdup(common[i]));
    GString *what = g_string_new(file != NULL ? file : "(defaults)");
    for (guint i = 0; common[i] != NULL; i++)
        g_string_append_printf(what, " %s", common[i]);
    if (has_seed) {
        g_ptr_array_add(args, g_strdup_printf("--set=scenario.seed=%" G_GINT64_FORMAT, seed));
        g_string_append_printf(what, " --seed %" G_GINT64_FORMAT, seed);
    }
    for (guint i = 0; sets != NULL && sets[i] != NULL; i++) {
        g_ptr_array_add(args, g_strdup_printf("--set=%s", sets[i]));
        g_string_append_printf(what, " --set %s", sets[i]);
    }
    /* GOption reorders the pointers it is given; the strings stay owned by `args`. */
    int argc = (int)args->len;
    char **argv = g_new0(char *, args->len + 1);
    memcpy(argv, args->pdata, args->len * sizeof *argv);
    gboolean ok = sim_run_cli_load(&argc, &argv, "diff", NULL, &side->scenario, NULL, error);
    g_free(argv);
    g_ptr_array_unref(args);
    side->loaded = ok;
    side->what = g_string_free(what, FALSE);
    if (!ok) g_prefix_error(error, "side %s: ", side->name);
    return ok;
}

/* A member of a JSON object, or NULL. */
static JsonNode *member(JsonObject *object, const char *name)
{
    return object != NULL && json_object_has_member(object, name)
               ? json_object_get_member(object, name)
               : NULL;
}

/* The overrides a folder's run was given (summary.json scenario.overrides), NULL-terminated. */
static char **folder_overrides(const char *folder, GError **error)
{
    char *path = g_build_filename(folder, "summary.json", NULL);
    JsonParser *parser = sim_results_read_json(path, error);
    char **out = NULL;
    if (parser != NULL) {
        JsonObject *root = json_node_get_object(json_parser_get_root(parser));
        JsonNode *scenario = member(root, "scenario");
        JsonNode *list = scenario != NULL && JSON_NODE_HOLDS_OBJECT(scenario)
                             ? member(json_node_get_object(scenario), "overrides")
                             : NULL;
        GPtrArray *items = g_ptr_array_new();
        gboolean ok = list != NULL && JSON_NODE_HOLDS_ARRAY(list);
        JsonArray *array = ok ? json_node_get_array(list) : NULL;
        for (guint i = 0; ok && i < json_array_get_length(array); i++) {
            JsonNode *item = json_array_get_element(array, i);
            ok = JSON_NODE_HOLDS_VALUE(item) && json_node_get_value_type(item) == G_TYPE_STRING;
            if (ok) g_ptr_array_add(items, g_strdup(json_node_get_string(item)));
        }
        g_ptr_array_add(items, NULL);
        out = (char **)g_ptr_array_free(items, FALSE);
        JsonNode *complete = member(root, "complete");
        if (!ok) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: no scenario.overrides list of strings", path);
            g_clear_pointer(&out, g_strfreev);
        } else if (complete == NULL || !JSON_NODE_HOLDS_VALUE(complete) ||
                   json_node_get_value_type(complete) != G_TYPE_BOOLEAN ||
                   !json_node_get_boolean(complete)) {
            /* Its trace stops where the run was stopped: a prefix, not a run to compare. */
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: the run was interrupted (\"complete\" is not true): run it again "
                        "to the end",
                        path);
            g_clear_pointer(&out, g_strfreev);
        }
        g_object_unref(parser);
    }
    g_free(path);
    return out;
}

/* Loads a results folder's side: its checkpoints, and its scenario for a second pass. */
static gboolean load_folder(Side *side, const char *folder, GError **error)
{
    side->folder = g_strdup(folder);
    side->what = g_strdup(folder);
    side->whole = TRUE;
    side->checkpoints = g_array_new(FALSE, TRUE, sizeof(SimTraceCheckpoint));
    char *digests = g_build_filename(folder, "digests.csv", NULL);
    gboolean ok = sim_trace_read_csv(digests, side->checkpoints, error);
    g_free(digests);
    if (!ok) g_prefix_error(error, "%s is not a results folder of `shotglass run --out`: ", folder);
    char **overrides = ok ? folder_overrides(folder, error) : NULL;
    ok = ok && overrides != NULL;
    char *ini = g_build_filename(folder, "scenario.ini", NULL);
    char *text = NULL;
    ok = ok && g_file_get_contents(ini, &text, NULL, error);
    SimScenarioSettings settings = {NULL, (const char *const *)overrides};
    ok = ok && sim_scenario_parse(&side->scenario, ini, text, &settings, error);
    side->loaded = ok;
    g_free(text);
    g_free(ini);
    g_strfreev(overrides);
    return ok;
}

/* --- running ------------------------------------------------------------------------------- */

/* Runs a side with a trace; the trace and run stay in the side (the caller frees them). */
static gboolean run_side(Side *side, uint64_t every, FILE *dump, const GArray *watch,
                         uint64_t keep_first, uint64_t keep_last, GError **error)
{
    side->run = sim_run_new(&side->scenario.config, error);
    if (side->run == NULL) {
        g_prefix_error(error, "side %s: ", side->name);
        return FALSE;
    }
    side->trace = sim_trace_new(side->run, every);
    if (dump != NULL) sim_trace_dump(side->trace, dump);
    if (watch != NULL) sim_trace_watch(side->trace, watch);
    if (keep_first > 0) {
        sim_trace_keep(side->trace, keep_first, keep_last);
        sim_trace_stop_after(side->trace, keep_last);
    }
    sim_run_execute(side->run);
    sim_trace_finish(side->trace);
    return TRUE;
}

static void drop_run(Side *side)
{
    g_clear_pointer(&side->trace, sim_trace_free);
    g_clear_pointer(&side->run, sim_run_free);
}

/* The first pass: each side's checkpoints (B stops where it parts from A, unless dumping). */
static gboolean first_pass(Side *a, Side *b, uint64_t every, const char *dump, GError **error)
{
    Side *sides[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        FILE *out = NULL;
        if (dump != NULL) {
            char *path = g_strdup_printf("%s/%s.trace", dump, i == 0 ? "a" : "b");
            out = fopen(path, "w");
            if (out == NULL) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "--dump-traces: %s: %s", path,
                            g_strerror(errno));
            }
            g_free(path);
            if (out == NULL) return FALSE;
        }
        const GArray *watch = i == 1 && dump == NULL ? a->checkpoints : NULL;
        gboolean ok = run_side(sides[i], every, out, watch, 0, 0, error);
        if (out != NULL) fclose(out);
        if (!ok) return FALSE;
        sides[i]->whole = !sim_trace_parted(sides[i]->trace);
        sides[i]->checkpoints = g_array_copy((GArray *)sim_trace_checkpoints(sides[i]->trace));
        drop_run(sides[i]);
    }
    return TRUE;
}

/* --- comparing ----------------------------------------------------------------------------- */

static const SimTraceCheckpoint *checkpoint_at(const GArray *c, guint i)
{
    return &g_array_index(c, SimTraceCheckpoint, i);
}

static const SimTraceCheckpoint *last_checkpoint(const GArray *c)
{
    return checkpoint_at(c, c->len - 1);
}

/*
 * Brackets the first difference: `*lo` is the last event count at which both sides have equal
 * checkpoints (0 at the start), `*hi` the first at which they differ, or, when no common count
 * differs, one past the shorter side's end. Returns FALSE when the traces are identical.
 */
static gboolean bracket(const Side *a, const Side *b, uint64_t *lo, uint64_t *hi)
{
    const GArray *x = a->checkpoints, *y = b->checkpoints;
    *lo = 0;
    *hi = 0;
    for (guint i = 0, j = 0; i < x->len && j < y->len;) {
        const SimTraceCheckpoint *p = checkpoint_at(x, i), *q = checkpoint_at(y, j);
        if (p->events != q->events) {
            p->events < q->events ? i++ : j++;
            continue;
        }
        if (memcmp(p->digest, q->digest, SIM_DIGEST_BYTES) != 0) {
            *hi = p->events;
            return TRUE;
        }
        *lo = p->events;
        i++, j++;
    }
    const SimTraceCheckpoint *p = last_checkpoint(x), *q = last_checkpoint(y);
    if (a->whole && b->whole && p->events == q->events && *lo == p->events) return FALSE;
    *hi = MIN(p->events, q->events) + 1;
    return TRUE;
}

/* Whether a second pass repeated the checkpoints its side had up to `hi` events. */
static gboolean repeated(const Side *side, uint64_t hi, uint64_t *differs_at)
{
    const GArray *now = sim_trace_checkpoints(side->trace);
    const GArray *before = side->checkpoints;
    for (guint i = 0, j = 0; i < now->len && j < before->len;) {
        const SimTraceCheckpoint *p = checkpoint_at(now, i), *q = checkpoint_at(before, j);
        if (p->events > hi || q->events > hi) break;
        if (p->events != q->events) {
            p->events < q->events ? i++ : j++;
            continue;
        }
        if (memcmp(p->digest, q->digest, SIM_DIGEST_BYTES) != 0) {
            *differs_at = p->events;
            return FALSE;
        }
        i++, j++;
    }
    return TRUE;
}

/* The window's events as keys and descriptions. */
static void take_window(Side *s)
{
    const GPtrArray *events = sim_trace_events(s->trace);
    s->keys = g_ptr_array_new_with_free_func(g_free);
    s->texts = g_ptr_array_new_with_free_func(g_free);
    for (guint k = 0; k < events->len; k++) {
        g_ptr_array_add(s->keys, sim_trace_event_key(s->trace, events->pdata[k]));
        g_ptr_array_add(s->texts, sim_trace_event_describe(s->trace, events->pdata[k]));
    }
}

/*
 * window.txt in a results folder: the events lo+1..hi of its run, as the build that reproduced
 * it saw them, for a diff with another build that cannot ("shotglass diff window LO HI", then
 * "KEY # DESCRIPTION" per event, then "end # WHY" when the run ended inside the window).
 */
static void write_window(const Side *s, uint64_t lo, uint64_t hi)
{
    GString *out = g_string_new(NULL);
    g_string_printf(out, "shotglass diff window %" PRIu64 " %" PRIu64 "\n", lo, hi);
    for (guint k = 0; k < s->keys->len; k++) {
        g_string_append_printf(out, "%s # %s\n", (const char *)s->keys->pdata[k],
                               (const char *)s->texts->pdata[k]);
    }
    if (s->stop != NULL) g_string_append_printf(out, "end # %s\n", s->stop);
    char *path = g_build_filename(s->folder, "window.txt", NULL);
    GError *error = NULL;
    if (g_file_set_contents(path, out->str, (gssize)out->len, &error)) {
        printf("side %s: wrote its window to %s\n", s->name, path);
    } else {
        printf("side %s: %s\n", s->name, error->message);
        g_error_free(error);
    }
    g_free(path);
    g_string_free(out, TRUE);
}

/* Reads a folder's window.txt for the window lo..hi into the side; FALSE if it has none. */
static gboolean read_window(Side *s, uint64_t lo, uint64_t hi)
{
    char *path = g_build_filename(s->folder, "window.txt", NULL), *text = NULL;
    gboolean ok = g_file_get_contents(path, &text, NULL, NULL);
    char **lines = ok ? g_strsplit(text, "\n", -1) : NULL;
    char *header = g_strdup_printf("shotglass diff window %" PRIu64 " %" PRIu64, lo, hi);
    ok = ok && lines[0] != NULL && strcmp(lines[0], header) == 0;
    if (ok) {
        s->keys = g_ptr_array_new_with_free_func(g_free);
        s->texts = g_ptr_array_new_with_free_func(g_free);
    }
    for (guint i = 1; ok && lines[i] != NULL && lines[i][0] != '\0'; i++) {
        char *cut = strstr(lines[i], " # ");
        if (cut == NULL) continue; /* not ours */
        *cut = '\0';
        if (strcmp(lines[i], "end") == 0) {
            g_free(s->stop);
            s->stop = g_strdup(cut + 3);
            continue;
        }
        g_ptr_array_add(s->keys, g_strdup(lines[i]));
        g_ptr_array_add(s->texts, g_strdup(cut + 3));
    }
    if (ok) printf("side %s: its window as %s saw it (written by its own build)\n", s->name, path);
    g_strfreev(lines);
    g_free(header);
    g_free(text);
    g_free(path);
    return ok;
}

/* The second pass: both sides again, keeping events lo+1..hi. */
static gboolean second_pass(Side *a, Side *b, uint64_t every, uint64_t lo, uint64_t hi,
                            GError **error)
{
    Side *sides[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        Side *s = sides[i];
        if (!run_side(s, every, NULL, NULL, lo + 1, hi, error)) return FALSE;
        uint64_t ran = sim_engine_trace_events(sim_run_engine(s->run));
        if (ran < hi) s->stop = g_strdup(sim_run_stop_description(s->run));
        uint64_t at = 0;
        s->reproduced = repeated(s, hi, &at);
        if (s->reproduced) {
            take_window(s);
        } else {
            printf("side %s did not repeat its own trace: %s at event %" PRIu64 "%s\n", s->name,
                   s->folder != NULL ? "this build's digest differs from the folder's"
                                     : "a second run in this process differs from the first",
                   at, s->folder != NULL ? "" : " (nondeterminism)");
            g_clear_pointer(&s->stop, g_free);
        }
        drop_run(s);
    }
    /* Two builds' folders: each build reproduces its own, and leaves its window for the other. */
    for (int i = 0; a->folder != NULL && i < 2; i++) {
        Side *s = sides[i], *other = sides[1 - i];
        if (s->reproduced && !other->reproduced) write_window(s, lo, hi);
        if (!s->reproduced) s->reproduced = read_window(s, lo, hi);
    }
    return TRUE;
}

/* --- reporting ------------------------------------------------------------------------------- */

static void print_side(const Side *s)
{
    const SimTraceCheckpoint *last = last_checkpoint(s->checkpoints);
    char hex[2 * SIM_DIGEST_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, last->digest, SIM_DIGEST_BYTES);
    if (s->whole) {
        printf("  %s: %s\n     %" PRIu64 " events, digest %s\n", s->name, s->what, last->events,
               hex);
    } else {
        printf("  %s: %s\n     stopped after event %" PRIu64 ", where it parted from A\n", s->name,
               s->what, last->events);
    }
}

static const char *key_at(const Side *s, guint k)
{
    return k < s->keys->len ? s->keys->pdata[k] : NULL;
}

static void print_event(const Side *s, guint k, uint64_t index)
{
    if (k >= s->keys->len) {
        printf("  %s: no event %" PRIu64 ": the run ended (%s)\n", s->name, index,
               s->stop != NULL ? s->stop : "its trace is shorter");
        return;
    }
    printf("  %s: %s\n", s->name, (const char *)s->texts->pdata[k]);
}

/* The virtual time in a key (its second field), or SIM_TIME_NONE. */
static SimTime key_time(const char *key)
{
    const char *space = key != NULL ? strchr(key, ' ') : NULL;
    guint64 time = SIM_TIME_NONE;
    if (space != NULL) time = g_ascii_strtoull(space + 1, NULL, 10);
    return time;
}

/* Prints the first different event of the window; returns FALSE if the window has none. */
static gboolean report_event(const Side *a, const Side *b, uint64_t lo, gint64 context)
{
    guint n = MAX(a->keys->len, b->keys->len), k = 0;
    while (k < n && key_at(a, k) != NULL && key_at(b, k) != NULL &&
           strcmp(key_at(a, k), key_at(b, k)) == 0)
        k++;
    if (k == n) return FALSE;
    uint64_t index = lo + 1 + k;
    SimTime ta = key_time(key_at(a, k)), tb = key_time(key_at(b, k));
    printf("first difference at event %" PRIu64, index);
    if (ta != SIM_TIME_NONE && ta == tb) {
        printf(", virtual time %" PRIu64 ".%09" PRIu64 " s", ta / 1000000000u, ta % 1000000000u);
    }
    printf(":\n");
    print_event(a, k, index);
    print_event(b, k, index);
    guint first = k > (guint)context ? k - (guint)context : 0;
    if (first < k) printf("the same on both sides before it:\n");
    for (guint i = first; i < k; i++)
        printf("     %s\n", (const char *)a->texts->pdata[i]);
    return TRUE;
}

static void print_window(const Side *a, uint64_t lo, uint64_t hi)
{
    printf("the traces part after event %" PRIu64 " and by event %" PRIu64, lo, hi);
    for (guint i = 0; i < a->checkpoints->len; i++) {
        const SimTraceCheckpoint *c = checkpoint_at(a->checkpoints, i);
        if (c->events == lo && lo > 0) {
            printf(" (A's virtual time %" PRIu64 ".%09" PRIu64 " s at event %" PRIu64 ")",
                   c->time / 1000000000u, c->time % 1000000000u, lo);
        }
    }
    printf("\n");
}

/* --- the command ----------------------------------------------------------------------------- */

static gboolean parse_flags(int *argc, char ***argv, DiffFlags *f, GError **error)
{
    f->every = SIM_TRACE_EVERY_DEFAULT, f->context = 3;
    f->seed_a = f->seed_b = G_MININT64; /* not given */
    GOptionEntry entries[] = {
        {"seed-a", 0, 0, G_OPTION_ARG_INT64, &f->seed_a, "side A's seed", "S"},
        {"seed-b", 0, 0, G_OPTION_ARG_INT64, &f->seed_b, "side B's seed", "S"},
        {"set-a", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->set_a, "a key for side A only (repeatable)",
         "GROUP.KEY=VALUE"},
        {"set-b", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->set_b, "a key for side B only (repeatable)",
         "GROUP.KEY=VALUE"},
        {"every", 0, 0, G_OPTION_ARG_INT64, &f->every,
         "checkpoint the trace digest every N events (default 4096)", "N"},
        {"context", 0, 0, G_OPTION_ARG_INT64, &f->context,
         "equal events shown before the first difference (default 3)", "N"},
        {"dump-traces", 0, 0, G_OPTION_ARG_FILENAME, &f->dump,
         "also write every event of both runs to DIR/a.trace and DIR/b.trace (large)", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context =
        g_option_context_new("[A [B]] [RUN FLAGS] - the first event at which two runs part");
    g_option_context_set_description(
        context,
        "A and B are scenario files (one file: both sides use it; none: the defaults), or two "
        "results folders (`run --out`).\nEvery `shotglass run` flag after them applies to both "
        "sides; --seed-a/--seed-b and --set-a/--set-b to one.\nExit codes: 0 identical "
        "traces, 1 they differ (printed), 2 bad usage or input. See docs/diff.md.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_set_ignore_unknown_options(context, TRUE);
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    g_option_context_free(context);
    f->has_seed_a = ok && f->seed_a != G_MININT64;
    f->has_seed_b = ok && f->seed_b != G_MININT64;
    if (ok && (f->every < 1 || f->context < 0)) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "--every must be at least 1 and --context at least 0");
        ok = FALSE;
    }
    return ok;
}

static void flags_clear(DiffFlags *f)
{
    g_strfreev(f->set_a), g_strfreev(f->set_b), g_free(f->dump);
}

/* Splits what GOption left into the leading files (at most two) and the common run flags. */
static gboolean split_args(int argc, char **argv, char **files, char ***common, GError **error)
{
    int i = 1;
    while (i < argc && i < 3 && argv[i][0] != '-')
        files[i - 1] = argv[i], i++;
    if (i < argc && argv[i][0] != '-' && i == 3) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "two sides at most (got \"%s\" as a third)", argv[i]);
        return FALSE;
    }
    *common = g_new0(char *, (gsize)(argc - i + 1));
    for (int k = i; k < argc; k++)
        (*common)[k - i] = g_strdup(argv[k]);
    return TRUE;
}

/* Loads both sides; FALSE with `error` on bad input. */
static gboolean load_sides(Side *a, Side *b, char **files, char **common, const DiffFlags *f,
                           GError **error)
{
    gboolean dir_a = files[0] != NULL && g_file_test(files[0], G_FILE_TEST_IS_DIR);
    gboolean dir_b = files[1] != NULL && g_file_test(files[1], G_FILE_TEST_IS_DIR);
    if (dir_a || dir_b) {
        if (!dir_a || !dir_b || common[0] != NULL || f->set_a || f->set_b || f->has_seed_a ||
            f->has_seed_b || f->dump) {
            g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "results folders are compared two at a time, without run "
                                "flags: shotglass diff DIR_A DIR_B");
            return FALSE;
        }
        return load_folder(a, files[0], error) && load_folder(b, files[1], error);
    }
    const char *file_b = files[1] != NULL ? files[1] : files[0];
    return load_side(a, files[0], common, f->seed_a, f->has_seed_a, f->set_a, error) &&
           load_side(b, file_b, common, f->seed_b, f->has_seed_b, f->set_b, error);
}

/* Compares the loaded sides and prints the outcome; returns the exit status. */
static int compare(Side *a, Side *b, const DiffFlags *f, GError **error)
{
    uint64_t every = (uint64_t)f->every;
    gboolean folders = a->folder != NULL;
    if (!folders && !first_pass(a, b, every, f->dump, error)) return 2;
    if (folders) every = SIM_TRACE_EVERY_DEFAULT;
    printf("shotglass diff (checkpoints every %" PRIu64 " events)\n", every);
    print_side(a);
    print_side(b);
    uint64_t lo = 0, hi = 0;
    if (!bracket(a, b, &lo, &hi)) {
        printf("identical: the same %" PRIu64 " events\n", last_checkpoint(a->checkpoints)->events);
        return 0;
    }
    print_window(a, lo, hi);
    if (!second_pass(a, b, every, lo, hi, error)) return 2;
    if (!a->reproduced || !b->reproduced) {
        printf("the exact event is not known: it lies in that window%s\n",
               a->folder != NULL ? "; run this diff with the build that wrote the other folder "
                                   "too (it leaves its window there), then again with either"
                                 : "");
        return 1;
    }
    if (!report_event(a, b, lo, f->context)) {
        printf("no event of the window differs on a second run: the first run of a side was "
               "not repeated (nondeterminism)\n");
    }
    return 1;
}

int sim_diff_main(int argc, char **argv)
{
    DiffFlags f = {0};
    Side a = {.name = "A"}, b = {.name = "B"};
    GError *error = NULL;
    char *files[2] = {NULL, NULL};
    char **common = NULL;
    int status = 2;
    if (parse_flags(&argc, &argv, &f, &error) && split_args(argc, argv, files, &common, &error) &&
        load_sides(&a, &b, files, common, &f, &error)) {
        status = compare(&a, &b, &f, &error);
    }
    if (error != NULL) {
        fprintf(stderr, "shotglass diff: %s\n", error->message);
        g_error_free(error);
        status = 2;
    }
    g_strfreev(common);
    side_clear(&a);
    side_clear(&b);
    flags_clear(&f);
    return status;
}
