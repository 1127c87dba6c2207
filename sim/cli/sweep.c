/* Sweeps and merging of result folders; see sweep.h. */
#include "sim/cli/sweep.h"

#include "analysis/stats.h"
#include "sim/core/assert.h"
#include "sim/plot/report.h"
#include "sim/out/results.h"
#include "sim/scenario/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- reading run folders --------------------------------------------------------------------- */

/* A metric of a run, by its path in summary.json. */
typedef struct Metric {
    const char *name; /* sweep.csv column prefix */
    const char *path; /* members under "metrics", separated by dots; NULL: fail_rate */
    double scale;     /* multiplies the value */
} Metric;

static const Metric metrics[] = {
    {"finality_p50_s", "finality.p50", 1},
    {"finality_p99_s", "finality.p99", 1},
    {"blocks_per_s", "blocks_per_s", 1},
    {"view_time_s", "view_time_s", 1},
    {"payload_mb_per_s", "payload_bytes_per_s", 1e-6},
    {"failed_views", "failed_views", 1},
    {"tx_per_s", "transactions.tx_per_s", 1},
    {"tx_latency_p50_s", "transactions.decide_latency.p50", 1},
    {"tx_latency_p99_s", "transactions.decide_latency.p99", 1},
    {"leader_egress_factor", "leader_egress_factor", 1},
    /* 1 for a run that did not pass, 0 for one that did: its mean is the share that failed */
    {"fail_rate", NULL, 1},
};

#define METRICS G_N_ELEMENTS(metrics)

typedef struct Run {
    char *settings;   /* the overrides, seed aside, sorted and joined by "\n": the group key */
    GPtrArray *pairs; /* "key=value" strings of the settings */
    double values[METRICS];
    gboolean has[METRICS];
    char *replay; /* for a run that failed: "FOLDER: shotglass run FILE --set ..." */
} Run;

static void run_free(Run *r)
{
    g_free(r->settings);
    g_ptr_array_unref(r->pairs);
    g_free(r->replay);
    g_free(r);
}

void sim_sweep_tally_clear(SimSweepTally *tally)
{
    if (tally->failed != NULL) g_ptr_array_unref(tally->failed);
    *tally = (SimSweepTally){.program = tally->program};
}

/* A member that is an object, or NULL (missing, or of another type). */
static JsonObject *object_member(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static gboolean lookup_number(JsonObject *object, const char *path, double *out)
{
    char **parts = g_strsplit(path, ".", -1);
    gboolean ok = TRUE;
    for (guint i = 0; ok && parts[i] != NULL; i++) {
        JsonNode *node = json_object_get_member(object, parts[i]);
        ok = node != NULL;
        if (!ok) break;
        if (parts[i + 1] == NULL) {
            GType type = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : 0;
            ok = type == G_TYPE_DOUBLE || type == G_TYPE_INT64;
            if (ok) *out = json_node_get_double(node);
        } else {
            ok = JSON_NODE_HOLDS_OBJECT(node);
            if (ok) object = json_node_get_object(node);
        }
    }
    g_strfreev(parts);
    return ok;
}

/* A boolean member: 1 or 0, or -1 when missing or of another type. */
static int boolean_member(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return -1;
    return json_node_get_boolean(node) ? 1 : 0;
}

/* A string member, or NULL. */
static const char *string_member(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The run's settings: its command-line overrides except the seed, in key order. */
static GPtrArray *settings_of(JsonObject *scenario)
{
    GPtrArray *pairs = g_ptr_array_new_with_free_func(g_free);
    JsonNode *list = json_object_get_member(scenario, "overrides");
    JsonArray *overrides =
        list != NULL && JSON_NODE_HOLDS_ARRAY(list) ? json_node_get_array(list) : NULL;
    for (guint i = 0; overrides != NULL && i < json_array_get_length(overrides); i++) {
        JsonNode *item = json_array_get_element(overrides, i);
        const char *pair =
            JSON_NODE_HOLDS_VALUE(item) && json_node_get_value_type(item) == G_TYPE_STRING
                ? json_node_get_string(item)
                : NULL;
        if (pair == NULL || g_str_has_prefix(pair, "scenario.seed=")) continue;
        g_ptr_array_add(pairs, g_strdup(pair));
    }
    g_ptr_array_sort(pairs, compare_strings);
    return pairs;
}

/* "FOLDER: PROGRAM run FILE --set k=v ..." for the run of summary `path`: its overrides as
 * they were given (the seed among them), in their order, since a later one wins and fault
 * groups are numbered in the order they appear. */
static char *replay_line(const char *path, JsonObject *scenario, const char *program)
{
    char *folder = g_path_get_dirname(path);
    char *quoted = g_shell_quote(program != NULL ? program : "shotglass");
    GString *line = g_string_new(NULL);
    g_string_printf(line, "%s: %s run", folder, quoted);
    g_free(quoted);
    const char *file = string_member(scenario, "file");
    if (file != NULL && file[0] != '<') { /* "<command line>": a run without a file */
        quoted = g_shell_quote(file);
        g_string_append_printf(line, " %s", quoted);
        g_free(quoted);
    }
    JsonNode *list = json_object_get_member(scenario, "overrides");
    JsonArray *overrides =
        list != NULL && JSON_NODE_HOLDS_ARRAY(list) ? json_node_get_array(list) : NULL;
    for (guint i = 0; overrides != NULL && i < json_array_get_length(overrides); i++) {
        JsonNode *item = json_array_get_element(overrides, i);
        if (!JSON_NODE_HOLDS_VALUE(item) || json_node_get_value_type(item) != G_TYPE_STRING)
            continue;
        quoted = g_shell_quote(json_node_get_string(item));
        g_string_append_printf(line, " --set %s", quoted);
        g_free(quoted);
    }
    g_free(folder);
    return g_string_free(line, FALSE);
}

/* Reads dir/summary.json; NULL (and `*complete` FALSE) for an interrupted run. */
static Run *read_run(const char *path, const char *program, gboolean *complete, GError **error)
{
    JsonParser *parser = sim_results_read_json(path, error);
    Run *run = NULL;
    *complete = FALSE;
    if (parser != NULL) {
        JsonObject *root = json_node_get_object(json_parser_get_root(parser));
        JsonObject *scenario = object_member(root, "scenario");
        JsonObject *m = object_member(root, "metrics");
        *complete = boolean_member(root, "complete") == 1;
        if (scenario == NULL || m == NULL) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: not a shotglass summary (no scenario or metrics)", path);
        } else if (*complete) {
            run = g_new0(Run, 1);
            run->pairs = settings_of(scenario);
            g_ptr_array_add(run->pairs, NULL);
            run->settings = g_strjoinv("\n", (char **)run->pairs->pdata);
            g_ptr_array_remove_index(run->pairs, run->pairs->len - 1);
            int passed = boolean_member(root, "passed"); /* missing in older summaries */
            for (guint k = 0; k < METRICS; k++) {
                if (metrics[k].path == NULL) {
                    run->has[k] = passed >= 0;
                    run->values[k] = passed == 0;
                } else {
                    run->has[k] = lookup_number(m, metrics[k].path, &run->values[k]);
                    run->values[k] *= metrics[k].scale;
                }
            }
            if (passed == 0) run->replay = replay_line(path, scenario, program);
        }
    }
    if (parser != NULL) g_object_unref(parser);
    return run;
}

/* Every summary.json below `dir`, in sorted order. */
static void find_summaries(const char *dir, GPtrArray *out)
{
    char *summary = g_build_filename(dir, "summary.json", NULL);
    if (g_file_test(summary, G_FILE_TEST_IS_REGULAR)) g_ptr_array_add(out, g_strdup(summary));
    g_free(summary);
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL) return;
    GPtrArray *children = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        char *child = g_build_filename(dir, name, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR)) {
            g_ptr_array_add(children, child);
        } else {
            g_free(child);
        }
    }
    g_dir_close(d);
    g_ptr_array_sort(children, compare_strings);
    for (guint i = 0; i < children->len; i++)
        find_summaries(children->pdata[i], out);
    g_ptr_array_unref(children);
}

/* --- merging ------------------------------------------------------------------------------- */

typedef struct Group {
    GPtrArray *pairs; /* borrowed from its first run */
    GPtrArray *runs;  /* Run *, borrowed */
} Group;

/* The value of `key` in "key=value" pairs, or NULL. */
static const char *value_of(const GPtrArray *pairs, const char *key)
{
    size_t n = strlen(key);
    for (guint i = 0; i < pairs->len; i++) {
        const char *pair = pairs->pdata[i];
        if (strncmp(pair, key, n) == 0 && pair[n] == '=') return pair + n + 1;
    }
    return NULL;
}

/* The keys whose values differ between groups (or that some groups lack), in key order. */
static GPtrArray *varied_keys(GPtrArray *groups)
{
    GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
    for (guint g = 0; g < groups->len; g++) {
        const GPtrArray *pairs = ((Group *)groups->pdata[g])->pairs;
        for (guint i = 0; i < pairs->len; i++) {
            const char *pair = pairs->pdata[i];
            char *key = g_strndup(pair, strcspn(pair, "="));
            if (g_ptr_array_find_with_equal_func(all, key, g_str_equal, NULL)) {
                g_free(key);
            } else {
                g_ptr_array_add(all, key);
            }
        }
    }
    GPtrArray *varied = g_ptr_array_new_with_free_func(g_free);
    const GPtrArray *first = ((Group *)groups->pdata[0])->pairs;
    for (guint k = 0; k < all->len; k++) {
        const char *v0 = value_of(first, all->pdata[k]);
        gboolean differs = FALSE;
        for (guint g = 1; g < groups->len && !differs; g++) {
            const char *v = value_of(((Group *)groups->pdata[g])->pairs, all->pdata[k]);
            differs = v == NULL || v0 == NULL || strcmp(v, v0) != 0;
        }
        if (differs || v0 == NULL) g_ptr_array_add(varied, g_strdup(all->pdata[k]));
    }
    g_ptr_array_unref(all);
    g_ptr_array_sort(varied, compare_strings);
    return varied;
}

/* Orders values numerically when both start with a number ("100" < "1000", "5MB" < "10MB"). */
static int compare_values(const char *a, const char *b)
{
    if (a == NULL || b == NULL) return (a != NULL) - (b != NULL);
    char *end_a, *end_b;
    double x = g_ascii_strtod(a, &end_a), y = g_ascii_strtod(b, &end_b);
    if (end_a != a && end_b != b && x != y) return x < y ? -1 : 1;
    return strcmp(a, b);
}

static gint compare_groups(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const GPtrArray *sort_keys = user_data;
    const Group *x = *(const Group *const *)a, *y = *(const Group *const *)b;
    for (guint k = 0; k < sort_keys->len; k++) {
        int c = compare_values(value_of(x->pairs, sort_keys->pdata[k]),
                               value_of(y->pairs, sort_keys->pdata[k]));
        if (c != 0) return c;
    }
    return 0;
}

static void append_metric(GString *out, const Group *g, guint k)
{
    double *values = g_new(double, g->runs->len);
    size_t n = 0;
    for (guint r = 0; r < g->runs->len; r++) {
        const Run *run = g->runs->pdata[r];
        if (run->has[k]) values[n++] = run->values[k];
    }
    if (n == 0) {
        g_string_append(out, ",,,");
    } else {
        AnaSummary s = ana_summarize(values, n);
        g_string_append_printf(out, ",%.9g,%.9g,%.9g", s.mean, s.sd, s.ci95);
    }
    g_free(values);
}

static GString *sweep_csv(GPtrArray *groups, GPtrArray *keys, const gboolean *present)
{
    GString *out = g_string_new("point");
    for (guint k = 0; k < keys->len; k++)
        g_string_append_printf(out, ",%s", (const char *)keys->pdata[k]);
    g_string_append(out, ",seeds");
    for (guint m = 0; m < METRICS; m++) {
        if (!present[m]) continue;
        const char *n = metrics[m].name;
        g_string_append_printf(out, ",%s_mean,%s_sd,%s_ci95", n, n, n);
    }
    g_string_append_c(out, '\n');
    for (guint g = 0; g < groups->len; g++) {
        const Group *group = groups->pdata[g];
        g_string_append_printf(out, "%u", g + 1);
        for (guint k = 0; k < keys->len; k++) {
            const char *v = value_of(group->pairs, keys->pdata[k]);
            g_string_append_c(out, ',');
            sim_csv_append_field(out, v != NULL ? v : "");
        }
        g_string_append_printf(out, ",%u", group->runs->len);
        for (guint m = 0; m < METRICS; m++) {
            if (present[m]) append_metric(out, group, m);
        }
        g_string_append_c(out, '\n');
    }
    return out;
}

/* Runs grouped by their settings, in the order first met (hash-free: runs are few). */
static GPtrArray *group_runs(GPtrArray *runs)
{
    GPtrArray *groups = g_ptr_array_new_with_free_func(g_free);
    for (guint r = 0; r < runs->len; r++) {
        Run *run = runs->pdata[r];
        Group *group = NULL;
        for (guint g = 0; g < groups->len && group == NULL; g++) {
            Group *candidate = groups->pdata[g];
            const Run *first = candidate->runs->pdata[0];
            if (strcmp(first->settings, run->settings) == 0) group = candidate;
        }
        if (group == NULL) {
            group = g_new0(Group, 1);
            group->pairs = run->pairs;
            group->runs = g_ptr_array_new();
            g_ptr_array_add(groups, group);
        }
        g_ptr_array_add(group->runs, run);
    }
    return groups;
}

static gboolean read_runs(const char *const *dirs, GPtrArray *runs, SimSweepTally *tally,
                          GError **error)
{
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; dirs[i] != NULL; i++)
        find_summaries(dirs[i], paths);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < paths->len; i++) {
        gboolean complete = FALSE;
        GError *inner = NULL;
        Run *run = read_run(paths->pdata[i], tally->program, &complete, &inner);
        if (inner != NULL) {
            g_propagate_error(error, inner);
            ok = FALSE;
        } else if (run != NULL) {
            g_ptr_array_add(runs, run);
            tally->runs++;
            if (run->replay != NULL) g_ptr_array_add(tally->failed, g_steal_pointer(&run->replay));
        } else {
            tally->skipped++;
        }
    }
    if (ok && runs->len == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "no complete run (a folder with a summary.json) under %s%s", dirs[0],
                    dirs[1] ? " and the others" : "");
        ok = FALSE;
    }
    g_ptr_array_unref(paths);
    return ok;
}

gboolean sim_sweep_merge(const char *const *dirs, const char *out, SimSweepTally *tally,
                         GError **error)
{
    SimSweepTally own = {0};
    if (tally == NULL) tally = &own;
    sim_sweep_tally_clear(tally);
    tally->failed = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *runs = g_ptr_array_new_with_free_func((GDestroyNotify)run_free);
    if (!read_runs(dirs, runs, tally, error)) {
        g_ptr_array_unref(runs);
        sim_sweep_tally_clear(&own);
        return FALSE;
    }
    GPtrArray *groups = group_runs(runs);
    GPtrArray *keys = varied_keys(groups);
    g_ptr_array_sort_with_data(groups, compare_groups, keys);
    gboolean present[METRICS] = {FALSE}, any = FALSE;
    for (guint r = 0; r < runs->len; r++) {
        for (guint m = 0; m < METRICS; m++) {
            present[m] |= ((Run *)runs->pdata[r])->has[m];
            any |= present[m];
        }
    }
    gboolean ok = any;
    if (!any) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: no summary.json below it holds a metric (finality, blocks/s, ...)",
                    dirs[0]);
    } else {
        GString *csv = sweep_csv(groups, keys, present);
        char *path = g_build_filename(out, "sweep.csv", NULL);
        ok = g_mkdir_with_parents(out, 0755) == 0 &&
             g_file_set_contents(path, csv->str, (gssize)csv->len, error);
        if (!ok && error != NULL && *error == NULL) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", out,
                        g_strerror(errno));
        }
        g_free(path);
        g_string_free(csv, TRUE);
    }
    for (guint g = 0; g < groups->len; g++)
        g_ptr_array_unref(((Group *)groups->pdata[g])->runs);
    g_ptr_array_unref(groups);
    g_ptr_array_unref(keys);
    g_ptr_array_unref(runs);
    sim_sweep_tally_clear(&own);
    return ok;
}

/* --- running a sweep ----------------------------------------------------------------------- */

typedef struct Sweep {
    char *file;      /* the scenario, absolute */
    char *self;      /* this program, absolute */
    char *out;       /* absolute */
    GPtrArray *vary; /* char ** per --vary: key, then its values */
    char **sets;     /* --set, passed through */
    gint64 seeds, first_seed, jobs;
    gboolean quiet;
    gboolean first_failure; /* start no more runs once one has failed */
} Sweep;

typedef struct Job {
    char **argv;
    char *dir;
} Job;

static void job_free(Job *j)
{
    g_strfreev(j->argv);
    g_free(j->dir);
    g_free(j);
}

/* "key=v1,v2": the key, then the values; "key=v1;v2" when values hold commas (placements). */
static char **parse_vary(const char *text, GError **error)
{
    const char *eq = strchr(text, '=');
    if (eq == NULL || eq == text || eq[1] == '\0') {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--vary \"%s\": expected group.key=VALUE,VALUE,... (or VALUE;VALUE;... when "
                    "values hold commas), such as consensus.nodes=10,100",
                    text);
        return NULL;
    }
    GPtrArray *parts = g_ptr_array_new();
    g_ptr_array_add(parts, g_strndup(text, (gsize)(eq - text)));
    char **values = g_strsplit(eq + 1, strchr(eq, ';') != NULL ? ";" : ",", -1);
    for (guint i = 0; values[i] != NULL; i++)
        g_ptr_array_add(parts, g_strdup(g_strstrip(values[i])));
    g_strfreev(values);
    g_ptr_array_add(parts, NULL);
    return (char **)g_ptr_array_free(parts, FALSE);
}

/* The number of grid points, and point `index`'s "key=value" settings (new strings). */
static guint point_count(const Sweep *s)
{
    guint count = 1;
    for (guint v = 0; v < s->vary->len; v++)
        count *= g_strv_length(s->vary->pdata[v]) - 1;
    return count;
}

static GPtrArray *point_settings(const Sweep *s, guint index)
{
    GPtrArray *pairs = g_ptr_array_new_with_free_func(g_free);
    for (guint v = s->vary->len; v-- > 0;) { /* the first --vary changes slowest */
        char **axis = s->vary->pdata[v];
        guint n = g_strv_length(axis) - 1;
        g_ptr_array_insert(pairs, 0, g_strdup_printf("%s=%s", axis[0], axis[1 + index % n]));
        index /= n;
    }
    return pairs;
}

static Job *make_job(const Sweep *s, guint point, gint64 seed)
{
    Job *job = g_new0(Job, 1);
    char name[32];
    g_snprintf(name, sizeof name, "p%03u", point + 1);
    char *seed_dir = g_strdup_printf("seed-%" G_GINT64_FORMAT, seed);
    job->dir = g_build_filename(s->out, "points", name, seed_dir, NULL);
    g_free(seed_dir);
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, g_strdup(s->self));
    g_ptr_array_add(argv, g_strdup("run"));
    g_ptr_array_add(argv, g_strdup(s->file));
    g_ptr_array_add(argv, g_strdup("--quiet"));
    g_ptr_array_add(argv, g_strdup("--no-plots"));
    g_ptr_array_add(argv, g_strdup_printf("--out=%s", job->dir));
    for (guint i = 0; s->sets != NULL && s->sets[i] != NULL; i++)
        g_ptr_array_add(argv, g_strdup_printf("--set=%s", s->sets[i]));
    GPtrArray *pairs = point_settings(s, point);
    for (guint i = 0; i < pairs->len; i++)
        g_ptr_array_add(argv, g_strdup_printf("--set=%s", (char *)pairs->pdata[i]));
    g_ptr_array_unref(pairs);
    g_ptr_array_add(argv, g_strdup_printf("--seed=%" G_GINT64_FORMAT, seed));
    g_ptr_array_add(argv, NULL);
    job->argv = (char **)g_ptr_array_free(argv, FALSE);
    return job;
}

/* A run is done when its folder holds a complete summary; JOB_FAILED when that says it did
 * not pass. */
enum { JOB_TO_DO, JOB_PASSED, JOB_FAILED };

static int job_state(const Job *job)
{
    char *path = g_build_filename(job->dir, "summary.json", NULL);
    gboolean complete = FALSE;
    Run *run = read_run(path, NULL, &complete, NULL);
    int state = !complete ? JOB_TO_DO : run->replay != NULL ? JOB_FAILED : JOB_PASSED;
    if (run != NULL) run_free(run);
    g_free(path);
    return state;
}

static GPtrArray *all_jobs(const Sweep *s)
{
    GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
    for (guint p = 0; p < point_count(s); p++) {
        for (gint64 i = 0; i < s->seeds; i++)
            g_ptr_array_add(jobs, make_job(s, p, s->first_seed + i));
    }
    return jobs;
}

static volatile sig_atomic_t sweep_interrupted;

static void on_interrupt(int signal)
{
    (void)signal;
    sweep_interrupted = 1;
}

/* Starts `job` with its output going to its folder's run.log. */
static gboolean spawn_job(const Job *job, GPid *pid, GError **error)
{
    if (g_mkdir_with_parents(job->dir, 0755) != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", job->dir,
                    g_strerror(errno));
        return FALSE;
    }
    char *log = g_build_filename(job->dir, "run.log", NULL);
    int fd = g_open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_free(log);
    if (fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s/run.log: %s", job->dir,
                    g_strerror(errno));
        return FALSE;
    }
    /* Descriptors stay open so that the run inherits the sweep's lock (lock_out). */
    gboolean ok = g_spawn_async_with_fds(NULL, job->argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_LEAVE_DESCRIPTORS_OPEN,
                                         NULL, NULL, pid, -1, fd, fd, error);
    close(fd);
    return ok;
}

typedef struct Pool {
    const Job **running; /* by slot */
    GPid *pids;
    guint busy;
    guint done;
    guint failed;  /* runs that failed an expectation or an oracle (exit 1), or crashed */
    guint crashed; /* runs killed by a signal, or ending with an unknown exit code */
} Pool;

/* Waits for one worker; FALSE if it was refused, as only a bad configuration makes it. */
static gboolean reap_one(Pool *pool, guint slots)
{
    int status = 0;
    GPid pid = waitpid(-1, &status, 0);
    if (pid < 0) return TRUE; /* EINTR: a Ctrl-C; the caller looks at the flag */
    for (guint i = 0; i < slots; i++) {
        if (pool->running[i] == NULL || pool->pids[i] != pid) continue;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        gboolean bad = code == 2, crashed = code != 0 && code != 1 && code != 2 && code != 130;
        if (bad)
            fprintf(stderr, "sweep: a run was refused: see %s/run.log\n", pool->running[i]->dir);
        if (crashed) {
            fprintf(stderr, "\nsweep: a run crashed (%s %d): see %s/run.log\n",
                    code < 0 ? "signal" : "exit code", code < 0 ? WTERMSIG(status) : code,
                    pool->running[i]->dir);
        }
        g_spawn_close_pid(pid);
        pool->running[i] = NULL;
        pool->busy--;
        pool->done++;
        pool->failed += code == 1 || crashed;
        pool->crashed += crashed;
        return !bad;
    }
    return TRUE;
}

/* Runs the jobs not yet done, `slots` at once (and, with `first_failure`, starts none after
 * a run failed, counting the `failed` of earlier invocations). Returns 0, 1 (a run crashed), 2
 * (a run refused) or 130. */
static int run_jobs(GPtrArray *jobs, guint slots, gboolean quiet, gboolean first_failure,
                    guint failed)
{
    quiet |= !isatty(STDERR_FILENO); /* the progress line is for terminals */
    Pool pool = {g_new0(const Job *, slots), g_new0(GPid, slots), 0, 0, failed, 0};
    struct sigaction action = {.sa_handler = on_interrupt}, previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    guint next = 0;
    gboolean ok = TRUE;
    while (next < jobs->len || pool.busy > 0) {
        while (ok && !sweep_interrupted && !(first_failure && pool.failed > 0) &&
               pool.busy < slots && next < jobs->len) {
            const Job *job = jobs->pdata[next++];
            guint slot = 0;
            while (pool.running[slot] != NULL)
                slot++;
            GError *error = NULL;
            if (!spawn_job(job, &pool.pids[slot], &error)) {
                fprintf(stderr, "sweep: %s\n", error->message);
                g_error_free(error);
                ok = FALSE;
                break;
            }
            pool.running[slot] = job;
            pool.busy++;
        }
        if (pool.busy == 0) break;
        ok = reap_one(&pool, slots) && ok;
        if (!quiet)
            fprintf(stderr, "\rsweep: %u of %u runs done, %u failed, %u running   ", pool.done,
                    jobs->len, pool.failed, pool.busy);
    }
    if (!quiet) fprintf(stderr, "\n");
    sigaction(SIGINT, &previous, NULL);
    g_free(pool.running);
    g_free(pool.pids);
    return sweep_interrupted ? 130 : !ok ? 2 : pool.crashed > 0 ? 1 : 0;
}

/*
 * Locks the sweep's folder (flock on the folder itself) for as long as this sweep or any of its
 * runs lives: the runs inherit the descriptor. A sweep killed outright (SIGKILL) leaves its
 * runs going as orphans, and a second sweep started on the same folder would run the same jobs
 * again beside them and merge folders they are still writing; it is refused instead, until the
 * orphans are done. Returns the descriptor (never closed: the lock ends with the process and
 * its runs), or -1 with `error`.
 */
static int lock_out(const char *out, GError **error)
{
    int fd = g_mkdir_with_parents(out, 0755) == 0 ? g_open(out, O_RDONLY | O_DIRECTORY, 0) : -1;
    if (fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", out,
                    g_strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    int code = errno;
    if (code != EWOULDBLOCK) { /* a file system without locks: sweep unguarded, as before */
        fprintf(stderr,
                "shotglass sweep: warning: %s: cannot lock the folder (%s); do not start "
                "a second sweep on it while this one runs\n",
                out, g_strerror(code));
        return fd;
    }
    close(fd);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "%s: another sweep, or the runs of one that was killed, still write there; wait "
                "for them to end (or stop them), then run this again",
                out);
    return -1;
}

/* Every point's scenario must load before anything runs. */
static gboolean validate_points(const Sweep *s, GError **error)
{
    for (guint p = 0; p < point_count(s); p++) {
        GPtrArray *overrides = g_ptr_array_new();
        for (guint i = 0; s->sets != NULL && s->sets[i] != NULL; i++)
            g_ptr_array_add(overrides, s->sets[i]);
        GPtrArray *pairs = point_settings(s, p);
        for (guint i = 0; i < pairs->len; i++)
            g_ptr_array_add(overrides, pairs->pdata[i]);
        g_ptr_array_add(overrides, NULL);
        SimScenarioSettings settings = {NULL, (const char *const *)overrides->pdata};
        SimScenario scenario;
        GError *inner = NULL;
        gboolean ok = sim_scenario_load(&scenario, s->file, &settings, &inner);
        if (ok) {
            sim_scenario_clear(&scenario);
        } else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "point %u: %s", p + 1,
                        inner->message);
            g_error_free(inner);
        }
        g_ptr_array_unref(pairs);
        g_ptr_array_unref(overrides);
        if (!ok) return FALSE;
    }
    return TRUE;
}

static gboolean emit_jobs(GPtrArray *jobs, const char *path, GError **error)
{
    GString *out = g_string_new(NULL);
    for (guint j = 0; j < jobs->len; j++) {
        const Job *job = jobs->pdata[j];
        for (guint a = 0; job->argv[a] != NULL; a++) {
            char *quoted = g_shell_quote(job->argv[a]);
            g_string_append_printf(out, "%s%s", a ? " " : "", quoted);
            g_free(quoted);
        }
        g_string_append_c(out, '\n');
    }
    gboolean ok = g_file_set_contents(path, out->str, (gssize)out->len, error);
    g_string_free(out, TRUE);
    return ok;
}

static void sweep_clear(Sweep *s)
{
    g_free(s->file), g_free(s->self), g_free(s->out);
    if (s->vary != NULL) g_ptr_array_unref(s->vary);
    g_strfreev(s->sets);
}

typedef struct SweepFlags {
    char **vary, **sets;
    char *out, *emit;
    gint64 seeds, first_seed, jobs;
    gboolean quiet, first_failure;
} SweepFlags;

static gboolean parse_sweep(int *argc, char ***argv, SweepFlags *f, GError **error)
{
    f->seeds = 3, f->first_seed = 1, f->jobs = g_get_num_processors();
    GOptionEntry entries[] = {
        {"vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->vary,
         "a key and its values, split at `;` instead when one holds a comma (repeatable; the "
         "grid is their product)",
         "GROUP.KEY=V1,V2,..."},
        {"seeds", 0, 0, G_OPTION_ARG_INT64, &f->seeds, "runs per point (default 3)", "N"},
        {"first-seed", 0, 0, G_OPTION_ARG_INT64, &f->first_seed, "seeds N, N+1, ... (default 1)",
         "N"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT64, &f->jobs, "worker processes (default: the CPUs)", "N"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &f->out, "the sweep's folder (required)", "DIR"},
        {"emit-jobs", 0, 0, G_OPTION_ARG_FILENAME, &f->emit,
         "write one command per run to FILE instead of running them", "FILE"},
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->sets, "a key for every run (repeatable)",
         "GROUP.KEY=VALUE"},
        {"first-failure", 0, 0, G_OPTION_ARG_NONE, &f->first_failure,
         "start no more runs once one fails (to hunt for a seed that breaks the scenario)", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &f->quiet, "no progress line", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("FILE - run a scenario over a grid of settings");
    g_option_context_set_description(
        context, "Each run is `shotglass run FILE --set ... --seed S --out "
                 "DIR/points/pNNN/seed-S`; finished runs are skipped, so an interrupted sweep "
                 "resumes. Without --vary there is one point: its seeds.\nDIR/sweep.csv has a "
                 "row per point with the mean, sd and 95% confidence half-width of each metric "
                 "across seeds. Runs that failed an expectation or an oracle are listed with the "
                 "command that replays each, and the sweep then exits 1.");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    g_option_context_free(context);
    const char *why = !ok                           ? NULL
                      : *argc != 2                  ? "expected one scenario FILE"
                      : f->out == NULL              ? "--out DIR is required"
                      : f->seeds < 1 || f->jobs < 1 ? "--seeds and --jobs must be at least 1"
                      : f->first_failure && f->emit != NULL
                          ? "--first-failure needs the sweep to run the jobs, not --emit-jobs"
                          : NULL;
    if (why != NULL) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, why);
        ok = FALSE;
    }
    return ok;
}

static gboolean build_sweep(Sweep *s, SweepFlags *f, const char *file, GError **error)
{
    *s = (Sweep){.seeds = f->seeds,
                 .first_seed = f->first_seed,
                 .jobs = f->jobs,
                 .quiet = f->quiet,
                 .first_failure = f->first_failure,
                 .sets = g_steal_pointer(&f->sets)};
    s->self = g_file_read_link("/proc/self/exe", error);
    if (s->self == NULL) return FALSE;
    s->file = g_canonicalize_filename(file, NULL);
    s->out = g_canonicalize_filename(f->out, NULL);
    s->vary = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (guint i = 0; f->vary != NULL && f->vary[i] != NULL; i++) {
        char **axis = parse_vary(f->vary[i], error);
        if (axis == NULL) return FALSE;
        g_ptr_array_add(s->vary, axis);
    }
    return validate_points(s, error);
}

/* Lists the failed runs of a merge (the first ten) with their replay commands; returns 1 when
 * there were any, else 0. */
static int report_failures(const SimSweepTally *tally, const char *who)
{
    guint failed = tally->failed->len;
    if (failed == 0) return 0;
    printf("%s: %u of %u runs failed an expectation or an oracle; replay one with\n", who, failed,
           tally->runs);
    for (guint i = 0; i < failed && i < 10; i++)
        printf("  %s\n", (const char *)tally->failed->pdata[i]);
    if (failed > 10)
        printf("  ... and %u more (fail_rate in sweep.csv counts them)\n", failed - 10);
    return 1;
}

/* Merges DIR into DIR/sweep.csv and draws its plots. */
static int finish(const Sweep *s)
{
    const char *const dirs[] = {s->out, NULL};
    SimSweepTally tally = {.program = s->self};
    GError *error = NULL;
    if (!sim_sweep_merge(dirs, s->out, &tally, &error)) {
        fprintf(stderr, "shotglass sweep: %s\n", error->message);
        g_error_free(error);
        sim_sweep_tally_clear(&tally);
        return 2;
    }
    guint planned = point_count(s) * (guint)s->seeds;
    printf("sweep: %s/sweep.csv (%u point%s x %" G_GINT64_FORMAT " seed%s, %u runs)\n", s->out,
           point_count(s), point_count(s) == 1 ? "" : "s", s->seeds, s->seeds == 1 ? "" : "s",
           tally.runs);
    if (tally.runs < planned) {
        printf("sweep: %u of the %u runs have no complete results (crashed, or not started "
               "after --first-failure)\n",
               planned - tally.runs, planned);
    }
    int status = report_failures(&tally, "sweep");
    sim_sweep_tally_clear(&tally);
    if (!sim_report_refresh(s->out, TRUE, "sweep")) return 2;
    printf("sweep: plots in %s/plots, report %s/report.html\n", s->out, s->out);
    return status;
}

int sim_sweep_main(int argc, char **argv)
{
    SweepFlags f = {0};
    Sweep s = {0};
    GError *error = NULL;
    int status = 2;
    if (parse_sweep(&argc, &argv, &f, &error) && build_sweep(&s, &f, argv[1], &error)) {
        GPtrArray *jobs = all_jobs(&s);
        if (f.emit != NULL) {
            status = emit_jobs(jobs, f.emit, &error) ? 0 : 2;
            if (status == 0) {
                printf("wrote %u commands to %s; run them (e.g. `parallel < %s`), then "
                       "`shotglass merge %s`\n",
                       jobs->len, f.emit, f.emit, s.out);
            }
        } else if (lock_out(s.out, &error) >= 0) {
            guint failed = 0;
            for (guint j = jobs->len; j-- > 0;) {
                int state = job_state(jobs->pdata[j]);
                failed += state == JOB_FAILED;
                if (state != JOB_TO_DO) g_ptr_array_remove_index(jobs, j);
            }
            status = run_jobs(jobs, (guint)s.jobs, s.quiet, s.first_failure, failed);
            if (status <= 1) {
                int merged = finish(&s); /* not inside MAX: it would run twice */
                status = MAX(merged, status);
            }
        }
        g_ptr_array_unref(jobs);
    }
    if (error != NULL) {
        fprintf(stderr, "shotglass sweep: %s\n", error->message);
        g_error_free(error);
    }
    sweep_clear(&s);
    g_strfreev(f.vary), g_strfreev(f.sets), g_free(f.out), g_free(f.emit);
    return status;
}

int sim_merge_main(int argc, char **argv)
{
    char *out = NULL;
    GOptionEntry entries[] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
         "where sweep.csv goes (default: the first DIR)", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("DIR... - merge run folders into sweep.csv");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (ok && argc < 2) {
        g_set_error_literal(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "no folder given");
        ok = FALSE;
    }
    char *self = g_file_read_link("/proc/self/exe", NULL);
    SimSweepTally tally = {.program = self};
    const char *target = out != NULL ? out : (ok ? argv[1] : NULL);
    ok = ok && sim_sweep_merge((const char *const *)argv + 1, target, &tally, &error);
    int status = 2;
    if (ok) {
        printf("merged %u runs into %s/sweep.csv%s\n", tally.runs, target,
               tally.skipped ? " (incomplete runs left out)" : "");
        status = report_failures(&tally, "merge");
        if (!sim_report_refresh(target, TRUE, "merge")) status = 2;
    } else if (error != NULL) {
        fprintf(stderr, "shotglass merge: %s\n", error->message);
        g_error_free(error);
    }
    sim_sweep_tally_clear(&tally);
    g_free(self);
    g_free(out);
    return status;
}
