/* `shotglass run`, `validate` and `list`; see run_cli.h. */
#include "sim/cli/run_cli.h"

#include "protocol/mutant.h"

#include "sim/core/assert.h"
#include "sim/plot/plot_run.h"
#include "sim/plot/report.h"
#include "sim/out/dump.h"
#include "sim/out/results.h"
#include "sim/run/selector.h"
#include "sim/out/summary.h"
#include "sim/out/timeline.h"
#include "sim/core/units.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Flags that stand for a scenario key: `--nodes 100` is `--set consensus.nodes=100`. */
typedef struct Alias {
    const char *flag;
    const char *key;
    const char *arg;
    const char *help;
} Alias;

static const Alias aliases[] = {
    {"seed", "scenario.seed", "S", "run seed (default 1)"},
    {"nodes", "consensus.nodes", "N", "validators (default 10)"},
    {"views", "scenario.views", "N", "stop when a node enters view N+1 (default 100; 0: none)"},
    {"blocks", "scenario.blocks", "N", "stop after N decided blocks"},
    {"time-limit", "scenario.duration", "D", "virtual time limit"},
    {"crypto", "consensus.crypto", "MODE", "modeled (default) or real"},
    {"leaders", "consensus.leaders", "RULE", "stake-weighted (default) or round-robin"},
    {"stake", "consensus.stake", "DIST", "equal (default), zipf(s=1.1) or a list"},
    {"view-timeout", "consensus.view_timeout", "D", "default 10s"},
    {"view-sync-timeout", "consensus.view_sync_timeout", "D", "default 1s"},
    {"regions", "network.placement", "PLACEMENT", "placement over regions"},
    {"bandwidth", "network.uplink", "RATE", "uplink and downlink per node (default 1Gbit)"},
    {"jitter", "network.jitter", "DIST", "extra one-way delay distribution"},
    {"loss", "network.loss", "R", "loss rate, costing retransmissions"},
    {"da-committee", "da.committee", "N", "DA committee: validators 0..N-1 (default 10)"},
    {"block-max", "da.block_max", "SIZE", "largest block (default 1MB)"},
    {"payloads", "da.payloads", "FORM", "synthetic (default) or real"},
    {"builder-delay", "da.builder_delay", "D", "the builder's response time, default 100ms"},
    {"builder-timeout", "da.builder_timeout", "D", "a leader's wait for its block (default 1s)"},
    {"data-request-delay", "da.data_request_delay", "D", "before asking for a missing share"},
    {"rollups", "workload.rollups", "N", "rollups (namespaces) with users"},
    {"tx-rate", "workload.tx_rate", "RATE", "transactions per rollup, e.g. 500/s"},
    {"tx-size", "workload.tx_size", "DIST", "transaction size distribution (default 300B)"},
    {"via-rpc", "workload.via_rpc", "R", "share of transactions through the rollup's RPC node"},
    {"rollup-fetch", "workload.rollup_fetch", "HOW", "da (default) or vid"},
    {"rollup-regions", "workload.rollup_regions", "PLACEMENT", "placement of the rollups' hosts"},
    {"tx-until", "workload.until", "D", "users stop submitting at this virtual time"},
};

#define ALIASES G_N_ELEMENTS(aliases)

typedef struct Flags {
    char *values[ALIASES];
    gboolean three_chain, da, quiet, no_plots;
    char **crash, **restart, **byzantine, **sets;
    char *junit, *summary, *out, *timeline, *dump;
} Flags;

static void flags_clear(Flags *f)
{
    for (size_t i = 0; i < ALIASES; i++)
        g_free(f->values[i]);
    g_strfreev(f->crash), g_strfreev(f->restart), g_strfreev(f->byzantine), g_strfreev(f->sets);
    g_free(f->junit), g_free(f->summary), g_free(f->out), g_free(f->timeline), g_free(f->dump);
    memset(f, 0, sizeof *f);
}

static GOptionEntry *option_entries(Flags *f, gboolean with_run_options)
{
    GOptionEntry fixed[] = {
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->sets,
         "override a scenario key (repeatable), e.g. --set consensus.nodes=100", "GROUP.KEY=VALUE"},
        {"three-chain", 0, 0, G_OPTION_ARG_NONE, &f->three_chain, "legacy three-chain decide rule",
         NULL},
        {"da", 0, 0, G_OPTION_ARG_NONE, &f->da,
         "the data-availability layer (implied by --rollups and the DA flags)", NULL},
        {"crash", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->crash, "crash nodes at a time", "IDS@T"},
        {"restart", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->restart, "restart crashed nodes at a time",
         "IDS@T"},
        {"byzantine", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->byzantine,
         "make nodes Byzantine (`shotglass list behaviours`)", "IDS=BEHAVIOUR"},
        {"junit", 0, 0, G_OPTION_ARG_FILENAME, &f->junit, "write the expectations as JUnit XML",
         "FILE"},
        {"summary", 0, 0, G_OPTION_ARG_FILENAME, &f->summary,
         "write the run's summary.json alone to FILE (no tables, no plots; cheap)", "FILE"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &f->out,
         "write a results folder: summary.json, CSV tables, timeline, plots", "DIR"},
        {"timeline-nodes", 0, 0, G_OPTION_ARG_STRING, &f->timeline,
         "with --out: validators on the timeline besides the leaders: N spread evenly (default "
         "32; 0: none) or a selector, e.g. 0-9,region(eu-west-1)",
         "N|NODES"},
        {"no-plots", 0, 0, G_OPTION_ARG_NONE, &f->no_plots,
         "with --out: no plots and no report.html (`shotglass report DIR` makes them later)", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &f->quiet, "print only the verdict", NULL},
        {"dump-messages", 0, 0, G_OPTION_ARG_FILENAME, &f->dump,
         "write every distinct message delivered, one file each, for fuzz corpora "
         "(docs/fuzzing.md)",
         "DIR"},
    };
    size_t fixed_count = with_run_options ? G_N_ELEMENTS(fixed) : G_N_ELEMENTS(fixed) - 6;
    GOptionEntry *entries = g_new0(GOptionEntry, ALIASES + G_N_ELEMENTS(fixed) + 1);
    for (size_t i = 0; i < ALIASES; i++) {
        entries[i] = (GOptionEntry){
            aliases[i].flag, 0, 0, G_OPTION_ARG_STRING, &f->values[i], aliases[i].help,
            aliases[i].arg};
    }
    memcpy(entries + ALIASES, fixed, fixed_count * sizeof *entries);
    return entries;
}

/* "IDS@T" or "IDS=BEHAVIOUR" lists become [fault.NAME] groups as overrides. */
static gboolean fault_overrides(GPtrArray *out, char **items, const char *kind, char sep,
                                GError **error)
{
    for (guint i = 0; items != NULL && items[i] != NULL; i++) {
        const char *cut = strchr(items[i], sep);
        if (cut == NULL || cut == items[i] || cut[1] == '\0') {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--%s \"%s\": expected %s, such as %s", kind, items[i],
                        sep == '@' ? "NODES@TIME" : "NODES=BEHAVIOUR",
                        sep == '@' ? "0-3@10s" : "0,3=silent");
            return FALSE;
        }
        char *nodes = g_strndup(items[i], (gsize)(cut - items[i]));
        const char *group_kind = strcmp(kind, "byzantine") == 0 ? "byzantine" : kind;
        g_ptr_array_add(out, g_strdup_printf("fault.%s-%u.kind=%s", kind, i + 1, group_kind));
        g_ptr_array_add(out, g_strdup_printf("fault.%s-%u.nodes=%s", kind, i + 1, nodes));
        g_ptr_array_add(out, g_strdup_printf("fault.%s-%u.%s=%s", kind, i + 1,
                                             sep == '@' ? "at" : "behaviour", cut + 1));
        g_free(nodes);
    }
    return TRUE;
}

/* Every override the flags make, in order: aliases, fault flags, then --set. */
static gboolean overrides_of(const Flags *f, GPtrArray *out, GError **error)
{
    for (size_t i = 0; i < ALIASES; i++) {
        if (f->values[i] == NULL) continue;
        g_ptr_array_add(out, g_strdup_printf("%s=%s", aliases[i].key, f->values[i]));
        if (strcmp(aliases[i].flag, "bandwidth") == 0) {
            g_ptr_array_add(out, g_strdup_printf("network.downlink=%s", f->values[i]));
        }
    }
    if (f->three_chain) g_ptr_array_add(out, g_strdup("consensus.decide_rule=three-chain"));
    if (f->da) g_ptr_array_add(out, g_strdup("da.enabled=true"));
    if (!fault_overrides(out, f->crash, "crash", '@', error) ||
        !fault_overrides(out, f->restart, "restart", '@', error) ||
        !fault_overrides(out, f->byzantine, "byzantine", '=', error)) {
        return FALSE;
    }
    for (guint i = 0; f->sets != NULL && f->sets[i] != NULL; i++)
        g_ptr_array_add(out, g_strdup(f->sets[i]));
    g_ptr_array_add(out, NULL);
    return TRUE;
}

gboolean sim_run_cli_load(int *argc, char ***argv, const char *command, const char *const *defaults,
                          SimScenario *scenario, SimRunCliOptions *options, GError **error)
{
    Flags f = {0};
    gboolean run_options = options != NULL;
    GOptionEntry *entries = option_entries(&f, run_options);
    char *summary = g_strdup_printf("[FILE] - %s", command);
    GOptionContext *context = g_option_context_new(summary);
    g_option_context_set_description(
        context, "FILE is a scenario (scenarios/README.md); without one the built-in defaults "
                 "apply.\nEvery flag above stands for a scenario key and --set overrides any "
                 "key.\nExit codes: 0 every expectation holds, 1 an expectation or oracle "
                 "failed, 2 bad usage or scenario.");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean ok = g_option_context_parse(context, argc, argv, error);
    g_option_context_free(context);
    g_free(summary);
    g_free(entries);
    if (ok && *argc > 2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "one scenario file at a time " /* determinism-ok: words, not a clock */
                    "(got \"%s\" and \"%s\")",
                    (*argv)[1], (*argv)[2]);
        ok = FALSE;
    }
    GPtrArray *overrides = g_ptr_array_new_with_free_func(g_free);
    ok = ok && overrides_of(&f, overrides, error);
    SimScenarioSettings settings = {defaults, (const char *const *)overrides->pdata};
    ok = ok && sim_scenario_load(scenario, *argc > 1 ? (*argv)[1] : NULL, &settings, error);
    if (ok && options != NULL) {
        options->quiet = f.quiet;
        options->plots = !f.no_plots;
        options->junit = g_steal_pointer(&f.junit);
        options->summary = g_steal_pointer(&f.summary);
        options->out = g_steal_pointer(&f.out);
        options->timeline = g_steal_pointer(&f.timeline);
        options->dump = g_steal_pointer(&f.dump);
        options->overrides = g_new0(char *, overrides->len);
        for (guint i = 0; i + 1 < overrides->len; i++) /* the last one is the NULL end */
            options->overrides[i] = g_strdup(overrides->pdata[i]);
    }
    g_ptr_array_unref(overrides);
    flags_clear(&f);
    return ok;
}

/* --- run ------------------------------------------------------------------------------------ */

typedef struct Progress {
    gint64 start;
    gint64 last;
    gboolean shown;
    gboolean show;
} Progress;

static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal)
{
    (void)signal;
    interrupted = 1;
}

/* Between slices of the run: a Ctrl-C stops it (the results folder says so), and on a terminal
 * a progress line shows how far it got. */
static void between_slices(const SimRun *run, void *user_data)
{
    Progress *p = user_data;
    SimEngine *engine = sim_run_engine(run);
    if (interrupted) sim_engine_request_stop(engine, "interrupted");
    gint64 now = g_get_monotonic_time(); /* determinism-ok: the progress line only */
    if (!p->show || now - p->last < 250000) return;
    p->last = now;
    p->shown = TRUE;
    char *t = sim_quantity_format(sim_engine_now(engine), SIM_QUANTITY_DURATION);
    double seconds = (double)(now - p->start) / 1e6;
    fprintf(stderr, "\r  virtual %s, view %" PRIu64 ", %" PRIu64 " blocks, %.2fM events/s   ", t,
            ana_liveness_max_view(sim_run_liveness(run)),
            ana_liveness_blocks(sim_run_liveness(run)),
            (double)sim_engine_events_run(engine) / seconds / 1e6);
    fflush(stderr);
    g_free(t);
}

/* Runs to the end (or a Ctrl-C); returns the wall time. */
static double execute(SimRun *run, gboolean show_progress)
{
    Progress progress = {.show = show_progress};
    /* wall time for the report only, never fed to the run */
    progress.start = progress.last = g_get_monotonic_time(); /* determinism-ok: report */
    sim_run_execute_progress(run, between_slices, &progress, 20000);
    if (progress.shown) fprintf(stderr, "\r%80s\r", "");
    return (double)(g_get_monotonic_time() - progress.start) / 1e6; /* determinism-ok: report */
}

static gboolean has_expectation(const SimScenario *s, SimExpectMetric metric)
{
    for (guint i = 0; i < s->expectations->len; i++) {
        if (((const SimExpectation *)s->expectations->pdata[i])->metric == metric) return TRUE;
    }
    return FALSE;
}

/* Prints each expectation with PASS or FAIL (only failures when quiet); returns the failures. */
static guint report_expectations(const SimScenario *s, const SimRun *run, SimExpectResult *results,
                                 gboolean quiet)
{
    guint failures = 0;
    if (!quiet && s->expectations->len > 0) printf("expectations (%s)\n", s->name);
    for (guint i = 0; i < s->expectations->len; i++) {
        const SimExpectation *e = s->expectations->pdata[i];
        sim_expect_evaluate(e, run, &results[i]);
        failures += !results[i].pass;
        if (quiet && results[i].pass) continue;
        printf("  %s  %s: %s\n", results[i].pass ? "PASS" : "FAIL", e->text, results[i].measured);
    }
    return failures;
}

/* The verdict lines; returns the exit status (before outputs). */
static int verdict(const SimScenario *s, const SimRun *run, guint failures)
{
    gboolean safe = !ana_safety_violated(sim_run_safety(run));
    gboolean available = sim_run_data(run) == NULL || !ana_data_violated(sim_run_data(run));
    gboolean light_client =
        sim_run_finality(run) == NULL || !ana_finality_unsafe(sim_run_finality(run));
    gboolean live = sim_run_finality(run) == NULL || !ana_finality_stalled(sim_run_finality(run));
    gboolean oracles = (live || has_expectation(s, SIM_EXPECT_LIGHT_CLIENT_LIVE)) &&
                       (safe || has_expectation(s, SIM_EXPECT_SAFETY)) &&
                       (available || has_expectation(s, SIM_EXPECT_DA_AVAILABLE)) &&
                       (light_client || has_expectation(s, SIM_EXPECT_LIGHT_CLIENT_SAFE));
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(sim_run_engine(run), digest);
    printf("%s: %" PRIu64 " blocks, seed %" PRIu64 ", digest %s\n",
           safe ? "SAFE" : "SAFETY VIOLATION", ana_liveness_blocks(sim_run_liveness(run)),
           s->config.seed, digest);
    /* An interrupted run measured only part of what its expectations are about: it neither
     * passes nor fails them. */
    if (s->expectations->len > 0) {
        printf("%s: %u of %u expectations hold (%s)\n",
               interrupted ? "INTERRUPTED"
               : failures  ? "FAIL"
                           : "PASS",
               s->expectations->len - failures, s->expectations->len, s->name);
    }
    return failures == 0 && oracles ? 0 : 1;
}

/* JUnit, the lone summary and the results folder; FALSE if one could not be written. */
static gboolean outputs(const SimScenario *s, const SimRun *run, const SimRecorder *recorder,
                        const SimRunCliOptions *o, const SimExpectResult *results, double wall,
                        gboolean passed)
{
    GError *error = NULL;
    gboolean ok = TRUE;
    if (o->junit != NULL &&
        !sim_expect_write_junit(o->junit, s->name,
                                (const SimExpectation *const *)s->expectations->pdata, results,
                                s->expectations->len, wall, &error)) {
        fprintf(stderr, "shotglass run: --junit: %s\n", error->message);
        g_clear_error(&error);
        ok = FALSE;
    }
    SimResultsInfo info = {s,     (const char *const *)o->overrides, results, wall, !interrupted,
                           passed};
    if (o->summary != NULL && !sim_results_write_summary(o->summary, run, &info, &error)) {
        fprintf(stderr, "shotglass run: --summary: %s\n", error->message);
        g_clear_error(&error);
        ok = FALSE;
    }
    if (o->out != NULL) sim_plot_run_forget(o->out); /* the plots of an earlier run, if any */
    if (o->out != NULL && !sim_results_write(o->out, run, recorder, &info, &error)) {
        fprintf(stderr, "shotglass run: --out: %s\n", error->message);
        g_clear_error(&error);
        ok = FALSE;
    }
    return ok;
}

/* Runs a built scenario and reports; returns the exit status. */
static int run_and_report(const SimScenario *s, SimRun *run, const SimRecorder *recorder,
                          const SimRunCliOptions *o)
{
    /* Before anything else, and with -q too: a warning explains an empty result. */
    for (guint i = 0; i < s->warnings->len; i++)
        fprintf(stderr, "shotglass run: warning: %s\n", (const char *)s->warnings->pdata[i]);
    if (!o->quiet && s->path[0] != '<') {
        printf("scenario %s (%s)%s%s\n", s->name, s->path, s->description ? ": " : "",
               s->description ? s->description : "");
    }
    if (!o->quiet) sim_summary_print_header(&s->config);
    double wall = execute(run, !o->quiet && isatty(STDERR_FILENO));
    if (!o->quiet) sim_summary_print(run, s->warnings, wall);
    if (o->quiet && (sim_run_stalled(run) || sim_run_overflowed(run))) { /* says why it ended */
        printf("%s at virtual time %.3f s\n", sim_run_stop_description(run),
               (double)sim_engine_now(sim_run_engine(run)) / 1e9);
    }
    SimExpectResult *results = g_new0(SimExpectResult, s->expectations->len + 1);
    guint failures = report_expectations(s, run, results, o->quiet);
    int status = verdict(s, run, failures);
    if (sim_run_overflowed(run)) { /* cut short: what it measured is not the scenario's */
        fprintf(stderr, "shotglass run: stopped early: %s\n", sim_run_stop_description(run));
        status = 1;
    }
    if (!outputs(s, run, recorder, o, results, wall, status == 0 && !interrupted)) status = 2;
    if (status != 2 && o->out != NULL && o->plots && !interrupted) {
        if (!sim_report_refresh(o->out, FALSE, "run"))
            status = 2;
        else if (!o->quiet)
            printf("results: %s (report: %s/report.html)\n", o->out, o->out);
    }
    if (interrupted) {
        fprintf(stderr, "shotglass run: interrupted at virtual time %.3f s%s\n",
                (double)sim_engine_now(sim_run_engine(run)) / 1e9,
                o->out ? " (the results folder is marked incomplete)" : "");
        status = 130;
    }
    for (guint i = 0; i < s->expectations->len; i++)
        sim_expect_result_clear(&results[i]);
    g_free(results);
    return status;
}

void sim_run_cli_options_clear(SimRunCliOptions *o)
{
    g_free(o->junit);
    g_free(o->summary);
    g_free(o->out);
    g_free(o->timeline);
    g_free(o->dump);
    g_strfreev(o->overrides);
    memset(o, 0, sizeof *o);
}

int sim_run_main(int argc, char **argv)
{
    SimScenario scenario = {0};
    SimRunCliOptions options = {0};
    GError *error = NULL;
    if (!sim_run_cli_load(&argc, &argv, "run a scenario", NULL, &scenario, &options, &error)) {
        fprintf(stderr, "shotglass run: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    int status = 2;
    /* From here a Ctrl-C stops the run at its next slice (at once if it has not started) and
     * the results say so; the run is built and reported with the handler in place. */
    struct sigaction action = {.sa_handler = on_interrupt}, previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    SimRecorder *recorder = sim_recorder_new(options.timeline);
    if (options.out != NULL) sim_recorder_observe(recorder, &scenario.config);
    SimMessageDump *dump = NULL;
    if (options.dump != NULL && (dump = sim_message_dump_new(options.dump, &error)) == NULL) {
        fprintf(stderr, "shotglass run: --dump-messages: %s\n", error->message);
        g_clear_error(&error);
        sim_recorder_free(recorder);
        sim_scenario_clear(&scenario);
        sim_run_cli_options_clear(&options);
        sigaction(SIGINT, &previous, NULL);
        return 2;
    }
    if (dump != NULL) sim_message_dump_observe(dump, &scenario.config);
    SimRun *run = sim_run_new(&scenario.config, &error);
    if (run == NULL) {
        fprintf(stderr, "shotglass run: %s: %s\n", scenario.path, error->message);
        g_error_free(error);
    } else if (!sim_recorder_attach(recorder, run, &error)) {
        fprintf(stderr, "shotglass run: --timeline-nodes %s\n", error->message);
        g_error_free(error);
    } else {
        status = run_and_report(&scenario, run, recorder, &options);
    }
    sigaction(SIGINT, &previous, NULL);
    sim_run_free(run);
    if (dump != NULL && !options.quiet) {
        printf("messages: %" PRIu64 " distinct, written to %s\n", sim_message_dump_written(dump),
               options.dump);
    }
    if (!sim_message_dump_free(dump, &error)) {
        fprintf(stderr, "shotglass run: --dump-messages: %s\n", error->message);
        g_clear_error(&error);
        status = 2;
    }
    sim_recorder_free(recorder);
    sim_scenario_clear(&scenario);
    sim_run_cli_options_clear(&options);
    return status;
}

/* --- validate -------------------------------------------------------------------------------- */

static gboolean validate_one(const char *path)
{
    SimScenario s = {0};
    GError *error = NULL;
    if (!sim_scenario_load(&s, path, NULL, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    SimRun *run = sim_run_new(&s.config, &error);
    gboolean ok = run != NULL;
    if (ok) {
        printf("%s: ok: \"%s\", %u validators, %u faults, %u Byzantine groups, %u "
               "expectations\n",
               path, s.name, s.config.nodes, s.config.faults->len, s.config.byzantine->len,
               s.expectations->len);
    } else {
        fprintf(stderr, "%s: %s\n", path, error->message);
        g_error_free(error);
    }
    sim_run_free(run);
    sim_scenario_clear(&s);
    return ok;
}

int sim_validate_main(int argc, char **argv)
{
    GOptionContext *context = g_option_context_new("FILE... - check scenario files");
    g_option_context_set_description(context,
                                     "Reads each scenario, builds its run without running it, "
                                     "and reports every problem.\nExit code 0 when all are "
                                     "valid, 2 otherwise.");
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (!ok || argc < 2) {
        fprintf(stderr, "shotglass validate: %s\n", ok ? "no scenario file given" : error->message);
        g_clear_error(&error);
        return 2;
    }
    gboolean all = TRUE;
    for (int i = 1; i < argc; i++)
        all &= validate_one(argv[i]);
    return all ? 0 : 2;
}

/* --- list ------------------------------------------------------------------------------------ */

static void list_messages(void)
{
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
        printf("%s\n", proto_msg_type_name(t));
}

static void list_faults(void)
{
    printf("crash      nodes stop (and restart at the end, if it has one), keeping what they "
           "persist\nrestart    crashed nodes come back from what they persisted\n"
           "pause      nodes' CPUs stop until the end\nslow       nodes' CPUs take factor "
           "times longer\npartition  groups (A | B) cannot reach one another, or from -> to\n"
           "degrade    latency x latency, bandwidth / bandwidth, plus loss, from <-> to\n"
           "filter     messages of the listed types from -> to are dropped or delayed\n"
           "skew       nodes' view timers run factor times as long (static)\n"
           "byzantine  nodes run a behaviour (`shotglass list behaviours`)\n"
           "l1-reorg   an L1 (l1 = NAME, default the [l1] group's) drops its last depth blocks "
           "that are not final\n"
           "l1-congestion  that L1's transactions wait slots whole slots until the end\n"
           "\nstart (at): 30s | view N | tc | tc N;   end: until = the same | duration = D | "
           "views = N\nnodes, from, to, groups: %s\n",
           sim_selector_help());
}

/* The mutants [test] mutant takes (docs/mutants.md), none excluded. */
static void list_mutants(void)
{
    for (int i = 1; i < PROTO_MUTANT_COUNT_; i++)
        printf("%-25s %s\n", proto_mutant_name((ProtoMutant)i), proto_mutant_about((ProtoMutant)i));
}

int sim_list_main(int argc, char **argv)
{
    static const char topics[] = "behaviours, regions, distributions, keys, messages, faults, "
                                 "selectors, expectations, mutants";
    gboolean markdown =
        argc == 3 && strcmp(argv[1], "keys") == 0 && strcmp(argv[2], "--markdown") == 0;
    if (argc != 2 && !markdown) {
        fprintf(stderr,
                "usage: shotglass list TOPIC (keys --markdown: as scenarios/README.md "
                "has them)\ntopics: %s\n",
                topics);
        return 2;
    }
    const char *topic = argv[1];
    char *text = NULL;
    if (strcmp(topic, "behaviours") == 0) {
        fputs(proto_byzantine_help(), stdout);
    } else if (strcmp(topic, "regions") == 0) {
        SimRegions *regions = sim_regions_new_default(NULL);
        fputs(text = sim_regions_list(regions), stdout);
        fputc('\n', stdout);
        sim_regions_free(regions);
    } else if (strcmp(topic, "distributions") == 0) {
        fputs(sim_dist_help(), stdout);
    } else if (strcmp(topic, "keys") == 0) {
        fputs(text = sim_scenario_describe_keys(markdown), stdout);
    } else if (strcmp(topic, "messages") == 0) {
        list_messages();
    } else if (strcmp(topic, "faults") == 0) {
        list_faults();
    } else if (strcmp(topic, "selectors") == 0) {
        printf("%s\n", sim_selector_help());
    } else if (strcmp(topic, "expectations") == 0) {
        fputs(sim_expect_help(), stdout);
    } else if (strcmp(topic, "mutants") == 0) {
        list_mutants();
    } else {
        fprintf(stderr, "shotglass list: unknown topic \"%s\"; topics: %s\n", topic, topics);
        return 2;
    }
    g_free(text);
    return 0;
}
