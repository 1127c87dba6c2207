/* `shotglass explore`: swarm testing over seeds; see explore.h. */
#include "sim/cli/explore.h"

#include "protocol/byzantine.h"
#include "protocol/stake.h"
#include "sim/cli/trial.h"
#include "sim/core/assert.h"
#include "sim/core/units.h"
#include "sim/run/expect.h"
#include "sim/scenario/edit.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/swarm.h"

#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEEDS_MAX 10000000 /* per invocation: an outcome each is kept until the summary */
#define JOBS_MAX  256

typedef struct Flags {
    gint64 seeds, first_seed, jobs;
    char *out, *kinds, *behaviours, *recovery, *expect;
    char **budget, **sets;
    gboolean liveness, json, quiet, first_failure;
} Flags;

/* One seed's result. */
typedef struct Outcome {
    SimTrial trial;
    SimSwarmDraw draw;
    char *file; /* the failure's scenario file, or NULL */
} Outcome;

typedef struct Explore {
    char *path;         /* the scenario as given */
    char *name;         /* its [scenario] name */
    char *out;          /* where failures go */
    char *base_text;    /* the scenario with --set applied and [expect] filtered */
    GPtrArray *dropped; /* char *: [expect] lines left out */
    SimSwarmBudget budget;
    SimSwarmBase base;
    uint64_t *stakes;
    gboolean *faulty;
    gint64 seeds, first_seed, jobs;
    gboolean json, quiet, expect_all, first_failure;
    gboolean broken;   /* a child could not be started: exit 2 */
    Outcome *outcomes; /* per seed, in seed order */
} Explore;

static volatile sig_atomic_t explore_interrupted;

static void on_interrupt(int signal)
{
    (void)signal;
    explore_interrupted = 1;
}

static void explore_clear(Explore *e)
{
    for (gint64 i = 0; e->outcomes != NULL && i < e->seeds; i++) {
        sim_trial_clear(&e->outcomes[i].trial);
        sim_swarm_draw_clear(&e->outcomes[i].draw);
        g_free(e->outcomes[i].file);
    }
    g_free(e->outcomes);
    g_free(e->path), g_free(e->name), g_free(e->out), g_free(e->base_text);
    if (e->dropped != NULL) g_ptr_array_unref(e->dropped);
    g_free(e->stakes), g_free(e->faulty);
    memset(e, 0, sizeof *e);
}

/* --- flags ----------------------------------------------------------------------------------- */

static gboolean parse_flags(int *argc, char ***argv, Flags *f, GError **error)
{
    f->seeds = 100, f->first_seed = 1, f->jobs = g_get_num_processors();
    GOptionEntry entries[] = {
        {"seeds", 0, 0, G_OPTION_ARG_INT64, &f->seeds, "seeds to explore (default 100)", "N"},
        {"first-seed", 0, 0, G_OPTION_ARG_INT64, &f->first_seed, "seeds S, S+1, ... (default 1)",
         "S"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT64, &f->jobs, "runs at once (default: the CPUs)", "N"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &f->out,
         "where failing seeds are written as scenario files (default explore-NAME)", "DIR"},
        {"budget", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->budget,
         "faulty=SHARE (Byzantine + crashed stake stays below it, default 1/3), byzantine=SHARE, "
         "crashed=SHARE, faults=N (other faults per seed, default 4); repeatable",
         "KEY=VALUE,..."},
        {"kinds", 0, 0, G_OPTION_ARG_STRING, &f->kinds,
         "fault kinds to draw (default all: crash, pause, slow, partition, degrade, filter, "
         "skew, byzantine)",
         "LIST"},
        {"behaviours", 0, 0, G_OPTION_ARG_STRING, &f->behaviours,
         "Byzantine behaviours to draw (default all; `shotglass list behaviours`)", "LIST"},
        {"liveness", 0, 0, G_OPTION_ARG_NONE, &f->liveness,
         "every fault heals, and a new decide must follow the last heal within --recovery", NULL},
        {"recovery", 0, 0, G_OPTION_ARG_STRING, &f->recovery,
         "with --liveness: the bound (default 60s)", "D"},
        {"expect", 0, 0, G_OPTION_ARG_STRING, &f->expect,
         "which [expect] lines to keep: oracles (safety, da_available; default) or all", "WHICH"},
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->sets, "override a scenario key (repeatable)",
         "GROUP.KEY=VALUE"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &f->json, "print the summary as JSON", NULL},
        {"first-failure", 0, 0, G_OPTION_ARG_NONE, &f->first_failure,
         "start no more seeds once one has failed (with --jobs above 1, which seeds ran then "
         "depends on timing)",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &f->quiet, "no progress line", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context =
        g_option_context_new("FILE - run a scenario under random fault schedules, seed by seed");
    g_option_context_set_description(
        context, "Each seed draws faults within the budget, runs, and checks the oracles. A "
                 "failing seed is written to DIR/NAME-seed-S.ini: `shotglass run` on it replays "
                 "the failure and `shotglass shrink` reduces it.\nExit codes: 0 no failure, 1 "
                 "failures, 2 bad usage or scenario.");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    g_option_context_free(context);
    const char *why =
        !ok                           ? NULL
        : *argc != 2                  ? "expected one scenario FILE"
        : f->seeds < 1 || f->jobs < 1 ? "--seeds and --jobs must be at least 1"
        : f->seeds > SEEDS_MAX        ? "--seeds: at most 10000000 at a time"
        : f->jobs > JOBS_MAX          ? "--jobs: at most 256"
        : f->first_seed < 0 || f->first_seed > G_MAXINT64 - f->seeds
            ? "--first-seed must be at least 0, and the last seed below 2^63"
        : f->recovery && !f->liveness ? "--recovery goes with --liveness"
        : f->expect && strcmp(f->expect, "all") != 0 && strcmp(f->expect, "oracles") != 0
            ? "--expect takes oracles or all"
            : NULL;
    if (why != NULL) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, why);
        ok = FALSE;
    }
    return ok;
}

static gboolean parse_budget_item(SimSwarmBudget *b, const char *item, gboolean *byz_set,
                                  gboolean *crash_set, GError **error)
{
    const char *eq = strchr(item, '=');
    char *key = eq ? g_strstrip(g_strndup(item, (gsize)(eq - item))) : g_strdup(item);
    const char *value = eq ? eq + 1 : "";
    gboolean ok = eq != NULL;
    GError *inner = NULL;
    if (ok && strcmp(key, "faults") == 0) {
        uint64_t n = 0;
        ok = sim_quantity_parse(value, SIM_QUANTITY_COUNT, &n, &inner) && n <= 1000;
        b->faults_max = (guint)n;
    } else if (ok && strcmp(key, "faulty") == 0) {
        ok = sim_swarm_share_parse(value, &b->faulty, &inner);
    } else if (ok && strcmp(key, "byzantine") == 0) {
        ok = sim_swarm_share_parse(value, &b->byzantine, &inner);
        *byz_set = TRUE;
    } else if (ok && strcmp(key, "crashed") == 0) {
        ok = sim_swarm_share_parse(value, &b->crashed, &inner);
        *crash_set = TRUE;
    } else {
        ok = FALSE;
    }
    if (!ok) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--budget \"%s\": %s", item,
                    inner != NULL ? inner->message
                                  : "expected faulty=SHARE, byzantine=SHARE, crashed=SHARE or "
                                    "faults=N (at most 1000)");
    }
    g_clear_error(&inner);
    g_free(key);
    return ok;
}

/* A comma-separated list of names into bits; `lookup` maps a name to its bit. */
static gboolean parse_names(const char *flag, const char *text, uint32_t *bits,
                            gboolean (*lookup)(const char *, int *), const char *expected,
                            GError **error)
{
    *bits = 0;
    char **names = g_strsplit(text, ",", -1);
    gboolean ok = names[0] != NULL;
    for (guint i = 0; ok && names[i] != NULL; i++) {
        int bit = 0;
        ok = lookup(g_strstrip(names[i]), &bit);
        if (!ok) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s: unknown \"%s\"; expected a comma-separated list of %s", flag, names[i],
                        expected);
        }
        *bits |= 1u << bit;
    }
    if (names[0] == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: empty list", flag);
    }
    g_strfreev(names);
    return ok;
}

static gboolean lookup_kind(const char *name, int *bit)
{
    SimFaultKind kind;
    if (!sim_fault_kind_lookup(name, &kind) || kind == SIM_FAULT_RESTART) return FALSE;
    *bit = (int)kind;
    return TRUE;
}

static gboolean lookup_behaviour(const char *name, int *bit)
{
    ProtoByzantineKind kind;
    if (!proto_byzantine_lookup(name, &kind) || kind == PROTO_BYZANTINE_NONE) return FALSE;
    *bit = (int)kind;
    return TRUE;
}

static gboolean parse_budget(const Flags *f, SimSwarmBudget *b, GError **error)
{
    sim_swarm_budget_init(b);
    gboolean byz_set = FALSE, crash_set = FALSE, ok = TRUE;
    for (guint i = 0; ok && f->budget != NULL && f->budget[i] != NULL; i++) {
        char **items = g_strsplit(f->budget[i], ",", -1);
        for (guint j = 0; ok && items[j] != NULL; j++)
            ok = parse_budget_item(b, items[j], &byz_set, &crash_set, error);
        g_strfreev(items);
    }
    if (!byz_set) b->byzantine = b->faulty;
    if (!crash_set) b->crashed = b->faulty;
    ok = ok &&
         (f->kinds == NULL ||
          parse_names("--kinds", f->kinds, &b->kinds, lookup_kind,
                      "crash, pause, slow, partition, degrade, filter, skew, byzantine", error));
    ok = ok && (f->behaviours == NULL ||
                parse_names("--behaviours", f->behaviours, &b->behaviours, lookup_behaviour,
                            "behaviours (`shotglass list behaviours`)", error));
    b->liveness = f->liveness;
    if (ok && f->recovery != NULL) {
        GError *inner = NULL;
        ok = sim_quantity_parse(f->recovery, SIM_QUANTITY_DURATION, &b->recovery, &inner) &&
             b->recovery >= SIM_MS;
        if (!ok) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--recovery \"%s\": %s",
                        f->recovery,
                        inner ? inner->message : "expected a duration of at least 1ms");
            g_clear_error(&inner);
        }
    }
    return ok;
}

/* --- the base scenario ----------------------------------------------------------------------- */

/* Keeps the [expect] lines explore checks (all, or the oracles' only); the others are listed in
 * `dropped` and named in a comment on the group. */
static void filter_expectations(Explore *e, GKeyFile *file)
{
    e->dropped = g_ptr_array_new_with_free_func(g_free);
    gsize count = 0;
    char **keys = g_key_file_get_keys(file, "expect", &count, NULL);
    for (gsize i = 0; keys != NULL && i < count; i++) {
        char *name = sim_expect_key_name(keys[i]);
        gboolean oracle = strcmp(name, "safety") == 0 || strcmp(name, "da_available") == 0;
        if (!oracle && !e->expect_all) {
            g_ptr_array_add(e->dropped, sim_scenario_edit_expect_line(file, keys[i]));
            g_key_file_remove_key(file, "expect", keys[i], NULL);
        }
        g_free(name);
    }
    g_strfreev(keys);
    if (e->dropped->len == 0) return;
    GString *comment = g_string_new("# shotglass explore checks the oracles here; it left out:");
    for (guint i = 0; i < e->dropped->len; i++)
        g_string_append_printf(comment, "\n#   %s", (const char *)e->dropped->pdata[i]);
    g_key_file_set_comment(file, "expect", NULL, comment->str, NULL);
    g_string_free(comment, TRUE);
}

/* The scenario text explore draws on: the file with --set applied, expectations filtered. */
static gboolean base_text(Explore *e, char **sets, GError **error)
{
    char *text = NULL;
    GError *inner = NULL;
    if (!g_file_get_contents(e->path, &text, NULL, &inner)) {
        g_set_error(error, G_FILE_ERROR, inner->code, "%s: cannot read: %s", e->path,
                    inner->message);
        g_error_free(inner);
        return FALSE;
    }
    GKeyFile *file = sim_scenario_edit_open(e->path, text, error);
    g_free(text);
    gboolean ok = file != NULL;
    for (guint i = 0; ok && sets != NULL && sets[i] != NULL; i++)
        ok = sim_scenario_edit_set(file, sets[i], error);
    if (ok) {
        filter_expectations(e, file);
        e->base_text = sim_scenario_edit_text(file);
    }
    if (file != NULL) g_key_file_free(file);
    return ok;
}

/* Adds to `faulty` the validators `selector` picks in `run` (as it stands before it starts). */
static void mark(const SimRun *run, const SimSelector *selector, uint32_t nodes, gboolean *faulty)
{
    SimNodeSet set;
    sim_node_set_init(&set, nodes);
    sim_run_resolve(run, selector, &set);
    for (uint32_t i = 0; i < nodes; i++)
        faulty[i] |= sim_node_set_contains(&set, i);
    sim_node_set_clear(&set);
}

/* Stakes, the scenario's own faulty validators, and the horizon (a trial of the scenario as it
 * is). A selector of leaders counts the leaders when the run is built: an approximation, since
 * whom `leader` hits depends on the seed. */
static gboolean measure_base(Explore *e, GError **error)
{
    SimScenario s = {0};
    if (!sim_scenario_parse(&s, e->path, e->base_text, NULL, error)) return FALSE;
    SimRun *run = sim_run_new(&s.config, error);
    if (run == NULL) {
        sim_scenario_clear(&s);
        return FALSE;
    }
    uint32_t n = s.config.nodes;
    e->name = g_strdup(s.name);
    e->stakes = g_new(uint64_t, n);
    e->faulty = g_new0(gboolean, n);
    for (uint32_t i = 0; i < n; i++)
        e->stakes[i] = proto_stake_of(sim_run_stake(run), i);
    for (guint i = 0; i < s.config.byzantine->len; i++)
        mark(run, &((SimByzantine *)s.config.byzantine->pdata[i])->nodes, n, e->faulty);
    for (guint i = 0; i < s.config.faults->len; i++) {
        const SimFault *f = s.config.faults->pdata[i];
        if (f->kind == SIM_FAULT_CRASH || f->kind == SIM_FAULT_PAUSE ||
            f->kind == SIM_FAULT_BYZANTINE)
            mark(run, &f->nodes, n, e->faulty);
    }
    e->base = (SimSwarmBase){.nodes = n,
                             .stakes = e->stakes,
                             .da_committee = s.config.da ? MIN(s.config.da_committee, n) : 0,
                             .faulty = e->faulty,
                             .view_timeout = s.config.view_timeout};
    sim_run_free(run);
    sim_scenario_clear(&s);
    SimTrial trial;
    if (!sim_trial_run(e->path, e->base_text, &trial, error)) return FALSE;
    e->base.horizon = trial.end > 0 ? trial.end : 60 * SIM_S;
    sim_trial_clear(&trial);
    return TRUE;
}

/* Seed `seed`'s scenario text. */
static char *seed_text(const Explore *e, uint64_t seed, SimSwarmDraw *draw)
{
    GKeyFile *file = sim_scenario_edit_open(e->path, e->base_text, NULL);
    SIM_ASSERT(file != NULL); /* it was read from this very text */
    sim_swarm_draw(&e->budget, &e->base, seed, file, draw);
    char *text = sim_scenario_edit_text(file);
    g_key_file_free(file);
    return text;
}

/* --- running the seeds ----------------------------------------------------------------------- */

/* Writes a failing seed's scenario, with a header saying what failed and how to replay it. */
static char *write_failure(const Explore *e, uint64_t seed, const char *text, const SimTrial *t)
{
    char *base = g_strdup_printf("%s-seed-%" PRIu64 ".ini", e->name, seed);
    char *path = g_build_filename(e->out, base, NULL);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out,
                           "# shotglass explore: seed %" PRIu64 " of %s, with the faults it drew "
                           "([fault.explore-*]).\n# It failed: %s: %s\n# Replay: shotglass run "
                           "%s; reduce: shotglass shrink %s\n",
                           seed, e->path, (const char *)t->failures->pdata[0],
                           t->detail != NULL ? t->detail : "", path, path);
    g_string_append(out, text);
    GError *error = NULL;
    if (g_mkdir_with_parents(e->out, 0755) != 0 ||
        !g_file_set_contents(path, out->str, (gssize)out->len, &error)) {
        fprintf(stderr, "\nshotglass explore: %s: %s\n", path,
                error != NULL ? error->message : g_strerror(errno));
        g_clear_error(&error);
        g_free(path);
        path = NULL;
    }
    g_string_free(out, TRUE);
    g_free(base);
    return path;
}

typedef struct Slot {
    SimTrialChild child;
    gint64 index; /* -1: free */
    char *text;
} Slot;

static void progress(const Explore *e, gint64 done, guint failed, guint busy)
{
    if (e->quiet || !isatty(STDERR_FILENO)) return;
    fprintf(stderr,
            "\rexplore: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " seeds, %u failed, %u "
            "running   ",
            done, e->seeds, failed, busy);
}

/* Reads what the children wrote, as it comes (a child is never left blocked on a full pipe),
 * and records the outcome of every child whose pipe has ended. */
static void reap(Explore *e, Slot *slots, guint count, guint *busy, guint *failed)
{
    struct pollfd *fds = g_new(struct pollfd, count);
    guint n = 0;
    for (guint i = 0; i < count; i++) {
        if (slots[i].index >= 0)
            fds[n++] = (struct pollfd){.fd = slots[i].child.fd, .events = POLLIN};
    }
    if (poll(fds, n, -1) < 0) { /* EINTR: a Ctrl-C; the caller looks at the flag */
        g_free(fds);
        return;
    }
    for (guint i = 0, f = 0; i < count; i++) {
        if (slots[i].index < 0) continue;
        gboolean ready = fds[f++].revents != 0;
        if (!ready || !sim_trial_read(&slots[i].child)) continue;
        Outcome *o = &e->outcomes[slots[i].index];
        sim_trial_finish(&slots[i].child, &o->trial);
        if (o->trial.status != SIM_TRIAL_PASSED) {
            (*failed)++;
            o->file = write_failure(e, (uint64_t)(e->first_seed + slots[i].index), slots[i].text,
                                    &o->trial);
        }
        g_free(slots[i].text);
        slots[i] = (Slot){.index = -1};
        (*busy)--;
    }
    g_free(fds);
}

/* Runs every seed, `jobs` at once (until a Ctrl-C). A seed that ran has its trial's
 * `failures` set. */
static void run_seeds(Explore *e)
{
    guint count = (guint)MIN(e->jobs, e->seeds), busy = 0, failed = 0;
    Slot *slots = g_new0(Slot, count);
    for (guint i = 0; i < count; i++)
        slots[i].index = -1;
    gint64 next = 0, done = 0;
    while (next < e->seeds || busy > 0) {
        while (!explore_interrupted && !e->broken && !(e->first_failure && failed > 0) &&
               busy < count && next < e->seeds) {
            guint s = 0;
            while (slots[s].index >= 0)
                s++;
            Outcome *o = &e->outcomes[next];
            slots[s].text = seed_text(e, (uint64_t)(e->first_seed + next), &o->draw);
            GError *error = NULL;
            if (!sim_trial_start(e->path, slots[s].text, &slots[s].child, &error)) {
                fprintf(stderr, "\nshotglass explore: %s\n", error->message);
                g_error_free(error);
                g_free(slots[s].text);
                e->broken = TRUE;
                break;
            }
            slots[s].index = next++;
            busy++;
        }
        if (busy == 0) break;
        guint before = busy;
        reap(e, slots, count, &busy, &failed);
        done += before - busy;
        progress(e, done, failed, busy);
    }
    if (!e->quiet && isatty(STDERR_FILENO)) fprintf(stderr, "\n");
    g_free(slots);
}

/* --- the summary ----------------------------------------------------------------------------- */

typedef struct Tag {
    char *tag;
    guint count;
    uint64_t first_seed;
} Tag;

static void tag_free(Tag *t)
{
    g_free(t->tag);
    g_free(t);
}

static gint compare_tags(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const Tag *const *)a)->tag, (*(const Tag *const *)b)->tag);
}

typedef struct Totals {
    guint ran, failed, stalled, safety, da, crashed, invalid;
    guint kinds[SIM_FAULT_KIND_COUNT_];
    guint byzantine, crashed_nodes;
    GPtrArray *tags; /* Tag *, sorted by tag: each seed counted under its first failure */
} Totals;

static void add_tag(Totals *t, const char *tag, uint64_t seed)
{
    for (guint i = 0; i < t->tags->len; i++) {
        Tag *x = t->tags->pdata[i];
        if (strcmp(x->tag, tag) == 0) {
            x->count++;
            return;
        }
    }
    Tag *x = g_new0(Tag, 1);
    *x = (Tag){g_strdup(tag), 1, seed};
    g_ptr_array_add(t->tags, x);
}

static void total(const Explore *e, Totals *t)
{
    *t = (Totals){.tags = g_ptr_array_new_with_free_func((GDestroyNotify)tag_free)};
    for (gint64 i = 0; i < e->seeds; i++) {
        const Outcome *o = &e->outcomes[i];
        if (o->trial.failures == NULL) continue; /* not run (interrupted) */
        t->ran++;
        t->stalled += o->trial.stalled;
        for (int k = 0; k < SIM_FAULT_KIND_COUNT_; k++)
            t->kinds[k] += o->draw.kinds[k];
        t->byzantine += o->draw.byzantine, t->crashed_nodes += o->draw.crashed;
        if (o->trial.status == SIM_TRIAL_PASSED) continue;
        t->failed++;
        t->crashed += o->trial.status == SIM_TRIAL_CRASHED;
        t->invalid += o->trial.status == SIM_TRIAL_INVALID;
        const char *first =
            o->trial.status == SIM_TRIAL_INVALID ? "invalid" : o->trial.failures->pdata[0];
        for (guint f = 0; f < o->trial.failures->len; f++) {
            t->safety += g_str_has_prefix(o->trial.failures->pdata[f], "safety:");
            t->da += strcmp(o->trial.failures->pdata[f], "da") == 0;
        }
        add_tag(t, first, (uint64_t)(e->first_seed + i));
    }
    g_ptr_array_sort(t->tags, compare_tags);
}

static char *share_text(SimSwarmShare s)
{
    return s.num == 0 ? g_strdup("0") : g_strdup_printf("%" PRIu64 "/%" PRIu64, s.num, s.den);
}

static void print_header(const Explore *e)
{
    char *faulty = share_text(e->budget.faulty), *byz = share_text(e->budget.byzantine),
         *crash = share_text(e->budget.crashed);
    char *horizon = sim_quantity_format(e->base.horizon, SIM_QUANTITY_DURATION);
    printf("explore %s (%s): seeds %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT ", %s mode\n", e->name,
           e->path, e->first_seed, e->first_seed + e->seeds - 1,
           e->budget.liveness ? "liveness" : "safety");
    printf("  budget           Byzantine + crashed stake < %s (Byzantine < %s, crashed < %s), "
           "up to %u other faults\n",
           faulty, byz, crash, e->budget.faults_max);
    printf("  horizon          %s (the scenario without drawn faults)\n", horizon);
    if (e->budget.liveness) {
        char *bound = sim_quantity_format(e->budget.recovery, SIM_QUANTITY_DURATION);
        printf("  liveness         every fault heals; a decide within %s of the last heal\n",
               bound);
        g_free(bound);
    }
    for (guint i = 0; i < e->dropped->len; i++)
        printf("  not checked      %s (the scenario's, for its own run)\n",
               (const char *)e->dropped->pdata[i]);
    g_free(faulty), g_free(byz), g_free(crash), g_free(horizon);
}

static void print_failures(const Explore *e, const Totals *t)
{
    for (guint i = 0; i < t->tags->len; i++) {
        const Tag *x = t->tags->pdata[i];
        printf("    %-40s %u (first: seed %" PRIu64 ")\n", x->tag, x->count, x->first_seed);
    }
    guint shown = 0;
    for (gint64 i = 0; i < e->seeds && shown < 20; i++) {
        const Outcome *o = &e->outcomes[i];
        if (o->trial.failures == NULL || o->trial.status == SIM_TRIAL_PASSED) continue;
        if (shown++ == 0) printf("  failing seeds (the first 20)\n");
        printf("    seed %" G_GINT64_FORMAT ": %s: %s\n      %s\n", e->first_seed + i,
               o->trial.status == SIM_TRIAL_INVALID ? "invalid"
                                                    : (const char *)o->trial.failures->pdata[0],
               o->trial.detail != NULL ? o->trial.detail : "",
               o->file != NULL ? o->file : "(not written)");
    }
}

static void print_summary(const Explore *e, const Totals *t)
{
    print_header(e);
    printf("result\n  seeds run        %u\n  passed           %u\n  failed           %u\n", t->ran,
           t->ran - t->failed, t->failed);
    printf("  stalled          %u (not a failure unless an expectation says so)\n", t->stalled);
    printf("  faults drawn     ");
    for (int k = 0; k < SIM_FAULT_KIND_COUNT_; k++) {
        if (k != SIM_FAULT_RESTART)
            printf("%s%s %u", k ? ", " : "", sim_fault_kind_name(k), t->kinds[k]);
    }
    printf("\n  faulty nodes     %u Byzantine, %u crashed or paused\n", t->byzantine,
           t->crashed_nodes);
    printf("  failures         safety %u, data availability %u, crashed %u, invalid %u\n",
           t->safety, t->da, t->crashed, t->invalid);
    print_failures(e, t);
    printf("%s: %u safety violation%s in %u seeds\n", t->safety ? "SAFETY VIOLATION" : "SAFE",
           t->safety, t->safety == 1 ? "" : "s", t->ran);
    if (t->failed == 0) {
        printf("PASS: no seed failed (%s)\n", e->name);
    } else {
        printf("FAIL: %u of %u seeds failed (%s); their scenarios are in %s\n", t->failed, t->ran,
               e->name, e->out);
    }
}

static void json_int(JsonBuilder *b, const char *name, int64_t value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void json_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL) {
        json_builder_add_string_value(b, value);
    } else {
        json_builder_add_null_value(b);
    }
}

static void json_failures(JsonBuilder *b, const Explore *e, const Totals *t)
{
    json_builder_set_member_name(b, "by_failure");
    json_builder_begin_object(b);
    for (guint i = 0; i < t->tags->len; i++)
        json_int(b, ((Tag *)t->tags->pdata[i])->tag, ((Tag *)t->tags->pdata[i])->count);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "failures");
    json_builder_begin_array(b);
    for (gint64 i = 0; i < e->seeds; i++) {
        const Outcome *o = &e->outcomes[i];
        if (o->trial.failures == NULL || o->trial.status == SIM_TRIAL_PASSED) continue;
        json_builder_begin_object(b);
        json_int(b, "seed", e->first_seed + i);
        json_string(b, "failure",
                    o->trial.status == SIM_TRIAL_INVALID
                        ? "invalid"
                        : (const char *)o->trial.failures->pdata[0]);
        json_string(b, "detail", o->trial.detail);
        json_string(b, "file", o->file);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* The budget as the flags set it, and the expectations left out. */
static void json_budget(JsonBuilder *b, const Explore *e)
{
    json_builder_set_member_name(b, "budget");
    json_builder_begin_object(b);
    const SimSwarmShare *shares[] = {&e->budget.faulty, &e->budget.byzantine, &e->budget.crashed};
    const char *names[] = {"faulty", "byzantine", "crashed"};
    for (size_t i = 0; i < G_N_ELEMENTS(shares); i++) {
        char *text = share_text(*shares[i]);
        json_string(b, names[i], text);
        g_free(text);
    }
    json_int(b, "faults", e->budget.faults_max);
    json_builder_end_object(b);
    if (e->budget.liveness) json_int(b, "recovery_ns", (int64_t)e->budget.recovery);
    json_builder_set_member_name(b, "not_checked");
    json_builder_begin_array(b);
    for (guint i = 0; i < e->dropped->len; i++)
        json_builder_add_string_value(b, e->dropped->pdata[i]);
    json_builder_end_array(b);
}

static void print_json(const Explore *e, const Totals *t)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_string(b, "scenario", e->name);
    json_string(b, "file", e->path);
    json_int(b, "first_seed", e->first_seed);
    json_int(b, "seeds", e->seeds);
    json_string(b, "mode", e->budget.liveness ? "liveness" : "safety");
    json_int(b, "horizon_ns", (int64_t)e->base.horizon);
    json_budget(b, e);
    json_int(b, "ran", t->ran);
    json_int(b, "passed", t->ran - t->failed);
    json_int(b, "failed", t->failed);
    json_int(b, "stalled", t->stalled);
    json_int(b, "safety_violations", t->safety);
    json_int(b, "da_violations", t->da);
    json_int(b, "crashed", t->crashed);
    json_int(b, "invalid", t->invalid);
    json_builder_set_member_name(b, "faults_drawn");
    json_builder_begin_object(b);
    for (int k = 0; k < SIM_FAULT_KIND_COUNT_; k++) {
        if (k != SIM_FAULT_RESTART) json_int(b, sim_fault_kind_name(k), t->kinds[k]);
    }
    json_builder_end_object(b);
    json_int(b, "byzantine_nodes", t->byzantine);
    json_int(b, "crashed_nodes", t->crashed_nodes);
    json_failures(b, e, t);
    json_builder_end_object(b);
    JsonGenerator *g = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(g, root);
    json_generator_set_pretty(g, TRUE);
    char *text = json_generator_to_data(g, NULL);
    printf("%s\n", text);
    g_free(text);
    json_node_unref(root);
    g_object_unref(g);
    g_object_unref(b);
}

/* --- main ------------------------------------------------------------------------------------ */

static gboolean setup(Explore *e, Flags *f, const char *path, GError **error)
{
    e->path = g_strdup(path);
    e->seeds = f->seeds, e->first_seed = f->first_seed, e->jobs = f->jobs;
    e->json = f->json, e->quiet = f->quiet, e->first_failure = f->first_failure;
    e->expect_all = f->expect != NULL && strcmp(f->expect, "all") == 0;
    if (!parse_budget(f, &e->budget, error)) return FALSE;
    if (!base_text(e, f->sets, error) || !measure_base(e, error)) return FALSE;
    e->out = f->out != NULL ? g_strdup(f->out) : g_strdup_printf("explore-%s", e->name);
    e->outcomes = g_new0(Outcome, e->seeds);
    /* The first seed's schedule must load: a budget or base that the generator cannot serve
     * is the user's error, not a failure of the protocol. */
    SimSwarmDraw draw;
    char *text = seed_text(e, (uint64_t)e->first_seed, &draw);
    SimScenario s = {0};
    gboolean ok = sim_scenario_parse(&s, e->path, text, NULL, error);
    if (ok) sim_scenario_clear(&s);
    sim_swarm_draw_clear(&draw);
    g_free(text);
    return ok;
}

int sim_explore_main(int argc, char **argv)
{
    Flags f = {0};
    Explore e = {0};
    GError *error = NULL;
    int status = 2;
    if (parse_flags(&argc, &argv, &f, &error) && setup(&e, &f, argv[1], &error)) {
        struct sigaction action = {.sa_handler = on_interrupt}, previous;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous);
        /* wall time for the stderr line only, never printed on stdout */
        gint64 start = g_get_monotonic_time(); /* determinism-ok: stderr only */
        run_seeds(&e);
        sigaction(SIGINT, &previous, NULL);
        Totals t;
        total(&e, &t);
        if (e.json) {
            print_json(&e, &t);
        } else {
            print_summary(&e, &t);
        }
        fflush(stdout);
        double wall = (double)(g_get_monotonic_time() - start) / 1e6; /* determinism-ok: as above */
        if (!e.quiet)
            fprintf(stderr, "explore: wall clock %.1f s, %.1f seeds/s\n", wall, t.ran / wall);
        status = e.broken ? 2 : explore_interrupted ? 130 : t.failed > 0 ? 1 : 0;
        g_ptr_array_unref(t.tags);
    }
    if (error != NULL) {
        fprintf(stderr, "shotglass explore: %s\n", error->message);
        g_error_free(error);
    }
    explore_clear(&e);
    g_free(f.out), g_free(f.kinds), g_free(f.behaviours), g_free(f.recovery), g_free(f.expect);
    g_strfreev(f.budget), g_strfreev(f.sets);
    return status;
}
