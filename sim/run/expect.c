/* Expectations; see expect.h. */
#include "sim/run/expect.h"

#include "sim/core/assert.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"
#include "sim/net/transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct MetricSpec {
    const char *name; /* for percentiles, the prefix before the number */
    SimExpectMetric metric;
    SimQuantityKind unit; /* COUNT or DURATION; unused for the two verdicts */
    SimExpectOp plain;    /* what a bare "=" means */
    gboolean percentile;  /* name is followed by a percentile, e.g. finality_p99 */
    gboolean per_fault;   /* name is followed by ".FAULT" */
} MetricSpec;

static const MetricSpec metrics[] = {
    {"safety", SIM_EXPECT_SAFETY, SIM_QUANTITY_COUNT, SIM_EXPECT_EQUAL, FALSE, FALSE},
    {"da_available", SIM_EXPECT_DA_AVAILABLE, SIM_QUANTITY_COUNT, SIM_EXPECT_EQUAL, FALSE, FALSE},
    {"decided_blocks", SIM_EXPECT_DECIDED_BLOCKS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE,
     FALSE},
    {"views", SIM_EXPECT_VIEWS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE, FALSE},
    {"failed_views", SIM_EXPECT_FAILED_VIEWS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_MOST, FALSE, FALSE},
    {"longest_gap", SIM_EXPECT_LONGEST_GAP, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, FALSE,
     FALSE},
    {"finality_p", SIM_EXPECT_FINALITY, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, TRUE, FALSE},
    {"recovery", SIM_EXPECT_RECOVERY, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, FALSE, TRUE},
    {"decided_txs", SIM_EXPECT_DECIDED_TXS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE, FALSE},
    {"undecided_txs", SIM_EXPECT_UNDECIDED_TXS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_MOST, FALSE,
     FALSE},
    {"tx_latency_p", SIM_EXPECT_TX_LATENCY, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, TRUE, FALSE},
    {"reconnects", SIM_EXPECT_RECONNECTS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE, FALSE},
    {"reconnect_gap", SIM_EXPECT_RECONNECT_GAP, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, FALSE,
     FALSE},
    {"l1_finality_p", SIM_EXPECT_L1_FINALITY, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST, TRUE,
     FALSE},
    {"light_client_lag_max", SIM_EXPECT_LIGHT_CLIENT_LAG, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST,
     FALSE, FALSE},
    {"light_client_safe", SIM_EXPECT_LIGHT_CLIENT_SAFE, SIM_QUANTITY_COUNT, SIM_EXPECT_EQUAL, FALSE,
     FALSE},
    {"transitions", SIM_EXPECT_TRANSITIONS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE, FALSE},
    {"transition_views", SIM_EXPECT_TRANSITION_VIEWS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_MOST, FALSE,
     FALSE},
    {"leader_egress", SIM_EXPECT_LEADER_EGRESS, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_MOST, FALSE,
     FALSE},
    {"cdn_down", SIM_EXPECT_CDN_DOWN, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_LEAST, FALSE, FALSE},
    {"settled_finality_p", SIM_EXPECT_SETTLED_FINALITY, SIM_QUANTITY_DURATION, SIM_EXPECT_AT_MOST,
     TRUE, FALSE},
    {"l1_updates_lost", SIM_EXPECT_L1_LOST, SIM_QUANTITY_COUNT, SIM_EXPECT_AT_MOST, FALSE, FALSE},
    {"light_client_live", SIM_EXPECT_LIGHT_CLIENT_LIVE, SIM_QUANTITY_COUNT, SIM_EXPECT_EQUAL, FALSE,
     FALSE},
};

static const char *const display_names[] = {
    "safety",
    "da_available",
    "decided_blocks",
    "views",
    "failed_views",
    "longest_gap",
    "finality_p99",
    "recovery.NAME",
    "decided_txs",
    "undecided_txs",
    "tx_latency_p99",
    "reconnects",
    "reconnect_gap",
    "l1_finality_p99",
    "light_client_lag_max",
    "light_client_safe",
    "transitions",
    "transition_views",
    "leader_egress",
    "cdn_down",
    "settled_finality_p99",
    "l1_updates_lost",
    "light_client_live",
};

static gboolean fail(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);
static gboolean fail(GError **error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
    g_free(message);
    return FALSE;
}

const char *sim_expect_help(void)
{
    return "safety = ok                  no violation (also: true); or the violation the run must\n"
           "                             report: agreement, prefix, vote-once, certificate,\n"
           "                             custody, or violated (any)\n"
           "da_available = true          every decided block was recoverable (DA oracle)\n"
           "decided_blocks >= N          blocks decided by some honest node\n"
           "views >= N                   the highest view an honest node entered\n"
           "failed_views <= N            views in which honest nodes timed out\n"
           "longest_gap <= D             longest virtual time without a new decide\n"
           "finality_pNN <= D            finality latency percentile, e.g. finality_p99\n"
           "recovery.FAULT <= D          from the end of [fault.FAULT] to the next new decide\n"
           "decided_txs >= N             transactions decided (with a workload)\n"
           "undecided_txs <= N           submitted but never decided\n"
           "tx_latency_pNN <= D          submission to first decide, percentile\n"
           "reconnects >= N              validators that reconnected through the marshal (cdn)\n"
           "reconnect_gap <= D           the longest a validator was without a broker (cdn)\n"
           "cdn_down >= N                times a validator declared the CDN down (combined)\n"
           "l1_finality_pNN <= D         submission to L1 finality of the light-client update\n"
           "                             covering the transaction's block, percentile ([l1]);\n"
           "                             l1_finality_pNN.NAME: of the rollups on L1 NAME only\n"
           "light_client_lag_max <= D    the longest a decided block waited for the light\n"
           "                             client contract to cover it ([l1])\n"
           "light_client_safe = true     the contract took only states honest nodes decided\n"
           "                             ([l1]; light-client safety oracle)\n"
           "transitions >= N             epoch transitions completed (first block of e+1 "
           "decided)\n"
           "transition_views <= N        the most views a transition took, from eH-3 to eH+1 "
           "(4: none failed)\n"
           "leader_egress <= N           bytes leaders sent per byte of their blocks, rounded\n"
           "                             up (DA proposals and VID shares; the DA layer)\n"
           "light_client_live = true     while the prover was up, no decided block waited more\n"
           "                             than [l1] liveness_bound for the contract ([l1];\n"
           "                             light-client liveness oracle)\n"
           "l1_updates_lost <= N         updates a contract took that a reorg undid for good,\n"
           "                             their height no longer held at the end ([l1])\n"
           "settled_finality_pNN <= D    submission to L1 finality of the rollup's state update\n"
           "                             taken with the transaction, percentile ([l1])\n"
           "\ncomparisons: key >= value, key <= value, key == value; a plain = means at most for\n"
           "times and failures, at least for counts\n";
}

char *sim_expect_key_name(const char *key)
{
    char *name = g_strstrip(g_strdup(key));
    size_t len = strlen(name);
    if (len > 0 && (name[len - 1] == '>' || name[len - 1] == '<')) name[len - 1] = '\0';
    return g_strstrip(name);
}

/* The metric a name refers to, with its percentile or fault. */
static const MetricSpec *lookup(const char *name, SimExpectation *e, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(metrics); i++) {
        const MetricSpec *m = &metrics[i];
        size_t n = strlen(m->name);
        if (!m->percentile && !m->per_fault && strcmp(name, m->name) == 0) return m;
        if (m->per_fault && strncmp(name, m->name, n) == 0 && name[n] == '.' && name[n + 1]) {
            e->fault = g_strdup(name + n + 1);
            return m;
        }
        if (m->percentile && strncmp(name, m->name, n) == 0 && name[n] != '\0') {
            char *end = NULL;
            errno = 0;
            e->percentile = g_ascii_strtod(name + n, &end);
            /* l1_finality_pNN.NAME: on one L1 (a dot before the number's end is its decimals) */
            const char *dot = strrchr(name + n, '.');
            if (m->metric == SIM_EXPECT_L1_FINALITY && dot != NULL && dot[1] != '\0' &&
                !g_ascii_isdigit(dot[1])) {
                char *number = g_strndup(name + n, (gsize)(dot - name - n));
                e->percentile = g_ascii_strtod(number, &end);
                gboolean whole = errno == 0 && *end == '\0';
                g_free(number);
                if (whole && e->percentile > 0 && e->percentile <= 100) {
                    e->l1 = g_strdup(dot + 1);
                    return m;
                }
                end = (char *)"?";
            }
            if (errno == 0 && *end == '\0' && e->percentile > 0 && e->percentile <= 100) return m;
            fail(error, "\"%s\": expected a percentile from 0 (exclusive) to 100 after \"%s\"",
                 name, m->name);
            return NULL;
        }
    }
    const char *close = sim_suggest(name, display_names, G_N_ELEMENTS(display_names));
    fail(error,
         "unknown expectation \"%s\"%s%s%s; known: safety, da_available, decided_blocks, "
         "views, failed_views, longest_gap, finality_pNN, recovery.FAULT, decided_txs, "
         "undecided_txs, tx_latency_pNN, reconnects, reconnect_gap, l1_finality_pNN, "
         "light_client_lag_max, light_client_safe, transitions, transition_views, leader_egress, "
         "cdn_down, settled_finality_pNN, l1_updates_lost, light_client_live",
         name, close ? " (did you mean " : "", close ? close : "", close ? "?)" : "");
    return NULL;
}

static gboolean parse_verdict(SimExpectation *e, const char *value, GError **error)
{
    if (e->metric == SIM_EXPECT_DA_AVAILABLE || e->metric == SIM_EXPECT_LIGHT_CLIENT_SAFE ||
        e->metric == SIM_EXPECT_LIGHT_CLIENT_LIVE) {
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
            e->value = strcmp(value, "true") == 0;
            return TRUE;
        }
        return fail(error, "expected true or false, got \"%s\"", value);
    }
    static const char *const words[] = {"ok",        "agreement",   "prefix",
                                        "vote-once", "certificate", "custody"};
    for (int k = 0; k < (int)G_N_ELEMENTS(words); k++) {
        if (strcmp(value, words[k]) == 0) {
            e->safety = k;
            return TRUE;
        }
    }
    if (strcmp(value, "true") == 0) return e->safety = ANA_SAFETY_OK, TRUE;
    if (strcmp(value, "violated") == 0) return e->safety = -1, TRUE;
    return fail(error,
                "expected ok (or true), agreement, prefix, vote-once, certificate, custody or "
                "violated, got "
                "\"%s\"",
                value);
}

SimExpectation *sim_expect_parse(const char *key, const char *value, GError **error)
{
    SimExpectation *e = g_new0(SimExpectation, 1);
    char *name = sim_expect_key_name(key);
    char *k = g_strstrip(g_strdup(key));
    char *v = g_strstrip(g_strdup(value));
    size_t klen = strlen(k);
    gboolean explicit_op = klen > 0 && (k[klen - 1] == '>' || k[klen - 1] == '<');
    gboolean equal = !explicit_op && v[0] == '=';
    const char *number = equal ? g_strchug(v + 1) : v;
    const MetricSpec *m = lookup(name, e, error);
    gboolean ok = m != NULL;
    if (ok) {
        e->metric = m->metric;
        e->op = explicit_op ? (k[klen - 1] == '>' ? SIM_EXPECT_AT_LEAST : SIM_EXPECT_AT_MOST)
                            : (equal ? SIM_EXPECT_EQUAL : m->plain);
        gboolean verdict = m->metric == SIM_EXPECT_SAFETY || m->metric == SIM_EXPECT_DA_AVAILABLE ||
                           m->metric == SIM_EXPECT_LIGHT_CLIENT_SAFE ||
                           m->metric == SIM_EXPECT_LIGHT_CLIENT_LIVE;
        if (verdict && (explicit_op || equal)) {
            ok = fail(error, "%s takes \"= value\", not a comparison", name);
        } else if (verdict) {
            ok = parse_verdict(e, number, error);
        } else {
            GError *inner = NULL;
            ok = sim_quantity_parse(number, m->unit, &e->value, &inner);
            if (!ok) fail(error, "%s", inner->message), g_error_free(inner);
        }
    }
    static const char *const ops[] = {">=", "<=", "=="};
    e->text = g_strdup_printf("%s %s %s", name, ops[e->op], number);
    g_free(name), g_free(k), g_free(v);
    if (!ok) {
        sim_expect_free(e);
        return NULL;
    }
    return e;
}

void sim_expect_free(SimExpectation *e)
{
    if (e == NULL) return;
    g_free(e->text);
    g_free(e->fault);
    g_free(e->l1);
    g_free(e);
}

void sim_expect_result_clear(SimExpectResult *r)
{
    g_free(r->measured);
    memset(r, 0, sizeof *r);
}

/* --- evaluation ------------------------------------------------------------------------------ */

static gboolean compare(SimExpectOp op, uint64_t measured, uint64_t bound)
{
    switch (op) {
    case SIM_EXPECT_AT_LEAST:
        return measured >= bound;
    case SIM_EXPECT_AT_MOST:
        return measured <= bound;
    case SIM_EXPECT_EQUAL:
        return measured == bound;
    }
    SIM_UNREACHABLE();
}

static uint64_t failed_views(const AnaLiveness *l)
{
    uint64_t count = 0;
    for (ProtoView v = 1; v <= ana_liveness_max_view(l); v++)
        count += ana_view_outcome_failed(ana_liveness_outcome(l, v, 3)) != 0;
    return count;
}

/* Time from the end of the named fault to the next new decide; FALSE (with `why`) if there is
 * no such time. */
static gboolean recovery(const SimRun *run, const char *fault, uint64_t *out, char **why)
{
    const SimFaultWindow *w = sim_run_fault_window_named(run, fault);
    if (w == NULL || !w->started) {
        *why = g_strdup(w == NULL ? "no fault of that name" : "the fault never started");
        return FALSE;
    }
    if (!w->ended) {
        *why = g_strdup("the fault never ended");
        return FALSE;
    }
    const GArray *times = ana_liveness_decide_times(sim_run_liveness(run));
    for (guint i = 0; i < times->len; i++) {
        uint64_t t = g_array_index(times, uint64_t, i);
        if (t >= w->end) {
            *out = t - w->end;
            return TRUE;
        }
    }
    *why = g_strdup("no new decide after the fault ended");
    return FALSE;
}

static void evaluate_safety(const SimExpectation *e, const SimRun *run, SimExpectResult *r)
{
    const AnaSafety *s = sim_run_safety(run);
    AnaSafetyKind kind = ana_safety_violation_kind(s);
    r->pass = e->safety < 0 ? kind != ANA_SAFETY_OK : (int)kind == e->safety;
    r->measured = kind == ANA_SAFETY_OK
                      ? g_strdup("ok: agreement, prefix, vote-once, certificates, custody")
                      : g_strdup_printf("%s violated: %s", ana_safety_kind_name(kind),
                                        ana_safety_violation(s));
}

static void evaluate_da(const SimExpectation *e, const SimRun *run, SimExpectResult *r)
{
    const AnaData *d = sim_run_data(run);
    gboolean held = d == NULL || !ana_data_violated(d);
    r->pass = held == (e->value != 0);
    r->measured = d == NULL ? g_strdup("true (no data-availability layer in this run)")
                  : held    ? g_strdup("true: every decided block was recoverable")
                            : g_strdup_printf("false: %s", ana_data_violation(d));
}

static void evaluate_light_client(const SimExpectation *e, const SimRun *run, SimExpectResult *r)
{
    const AnaFinality *f = sim_run_finality(run);
    gboolean held = f == NULL || !ana_finality_unsafe(f);
    r->pass = held == (e->value != 0);
    r->measured = f == NULL ? g_strdup("true (no L1 side in this run)")
                  : held    ? g_strdup("true: the contract took only states honest nodes decided")
                            : g_strdup_printf("false: %s", ana_finality_violation(f));
}

static void evaluate_light_client_live(const SimExpectation *e, const SimRun *run,
                                       SimExpectResult *r)
{
    const AnaFinality *f = sim_run_finality(run);
    gboolean held = f == NULL || !ana_finality_stalled(f);
    r->pass = held == (e->value != 0);
    r->measured = f == NULL ? g_strdup("true (no L1 side in this run)")
                  : held    ? g_strdup("true: no block waited past the bound while a prover was up")
                            : g_strdup_printf("false: %s", ana_finality_stall(f));
}

static gboolean is_l1_metric(SimExpectMetric m)
{
    return m == SIM_EXPECT_L1_FINALITY || m == SIM_EXPECT_LIGHT_CLIENT_LAG ||
           m == SIM_EXPECT_SETTLED_FINALITY || m == SIM_EXPECT_L1_LOST;
}

/* The L1 side's metrics: FALSE (with `why`) without [l1] or with nothing measured. */
static gboolean measure_l1(const SimExpectation *e, const SimRun *run, uint64_t *out, char **why)
{
    const AnaFinality *f = sim_run_finality(run);
    if (f == NULL) {
        *why = g_strdup("no L1 side in this run (no [l1] group)");
        return FALSE;
    }
    if (e->metric == SIM_EXPECT_LIGHT_CLIENT_LAG) return *out = ana_finality_lag_max(f), TRUE;
    if (e->metric == SIM_EXPECT_L1_LOST) return *out = sim_prover_lost(sim_run_prover(run)), TRUE;
    gboolean settled = e->metric == SIM_EXPECT_SETTLED_FINALITY;
    SIM_ASSERT(settled || e->metric == SIM_EXPECT_L1_FINALITY);
    const AnaHistogram *h = settled ? ana_finality_settled(f) : ana_finality_l1(f);
    if (e->l1 != NULL) {
        int64_t l1 = sim_run_l1_index(sim_run_config(run), e->l1);
        if (l1 < 0) {
            *why = g_strdup_printf("no L1 named %s in this run", e->l1);
            return FALSE;
        }
        h = ana_finality_chain_l1(f, (uint32_t)l1);
    }
    if (ana_histogram_count(h) == 0) {
        *why = g_strdup(settled ? "no transaction was settled by its rollup on the L1"
                                : "no transaction became final on the L1");
        return FALSE;
    }
    *out = ana_histogram_percentile(h, e->percentile);
    return TRUE;
}

/* Bytes leaders sent per byte of their blocks, rounded up. */
static gboolean measure_egress(const AnaData *d, uint64_t *out, char **why)
{
    const AnaDispersal *disp = d != NULL ? ana_data_dispersal(d) : NULL;
    if (disp == NULL || disp->payload == 0) {
        *why = g_strdup("no block with a payload was dispersed");
        return FALSE;
    }
    uint64_t sent = disp->da_bytes + disp->vid_bytes;
    *out = (sent + disp->payload - 1) / disp->payload;
    return TRUE;
}

/* The transport's counters (reconnects, reconnect_gap, cdn_down): runs with brokers only. */
static gboolean measure_relays(const SimExpectation *e, const SimRun *run, uint64_t *out,
                               char **why)
{
    SimTransport *transport = sim_run_transport(run);
    if (transport == NULL || sim_transport_brokers(transport) == 0) {
        const char *kind =
            transport != NULL ? sim_transport_kind_name(sim_transport_kind(transport)) : "direct";
        *why = g_strdup_printf("no brokers in this run ([network] transport = %s)", kind);
        return FALSE;
    }
    const SimTransportStats *s = sim_transport_stats(transport);
    if (e->metric == SIM_EXPECT_RECONNECTS) *out = s->reconnects;
    if (e->metric == SIM_EXPECT_RECONNECT_GAP) *out = (uint64_t)s->reconnect_gap_max;
    if (e->metric == SIM_EXPECT_CDN_DOWN) *out = s->cdn_down;
    return TRUE;
}

/* The measured number of a numeric metric; FALSE (with `why`) when it has none. */
static gboolean measure(const SimExpectation *e, const SimRun *run, uint64_t *out, char **why)
{
    const AnaLiveness *l = sim_run_liveness(run);
    const AnaData *d = sim_run_data(run);
    if (is_l1_metric(e->metric)) return measure_l1(e, run, out, why);
    if (e->metric == SIM_EXPECT_LEADER_EGRESS) return measure_egress(d, out, why);
    if (e->metric == SIM_EXPECT_RECONNECTS || e->metric == SIM_EXPECT_RECONNECT_GAP ||
        e->metric == SIM_EXPECT_CDN_DOWN) {
        return measure_relays(e, run, out, why);
    }
    gboolean needs_data = e->metric == SIM_EXPECT_DECIDED_TXS ||
                          e->metric == SIM_EXPECT_UNDECIDED_TXS ||
                          e->metric == SIM_EXPECT_TX_LATENCY;
    if (needs_data && d == NULL) {
        *why = g_strdup("no workload in this run");
        return FALSE;
    }
    if (e->metric == SIM_EXPECT_TRANSITIONS || e->metric == SIM_EXPECT_TRANSITION_VIEWS) {
        if (sim_run_epochs(run) == NULL) {
            *why = g_strdup("no epochs in this run ([epochs] length = 0)");
            return FALSE;
        }
        uint64_t views_max = 0;
        uint64_t count = sim_run_transitions(run, &views_max);
        if (e->metric == SIM_EXPECT_TRANSITION_VIEWS && count == 0) {
            *why = g_strdup("no transition completed");
            return FALSE;
        }
        *out = e->metric == SIM_EXPECT_TRANSITIONS ? count : views_max;
        return TRUE;
    }
    const AnaHistogram *h = NULL;
    switch ((int)e->metric) {
    case SIM_EXPECT_DECIDED_BLOCKS:
        return *out = ana_liveness_blocks(l), TRUE;
    case SIM_EXPECT_VIEWS:
        return *out = ana_liveness_max_view(l), TRUE;
    case SIM_EXPECT_FAILED_VIEWS:
        return *out = failed_views(l), TRUE;
    case SIM_EXPECT_LONGEST_GAP:
        return *out = ana_liveness_longest_gap(l, sim_engine_now(sim_run_engine(run))), TRUE;
    case SIM_EXPECT_RECOVERY:
        return recovery(run, e->fault, out, why);
    case SIM_EXPECT_DECIDED_TXS:
        return *out = ana_data_decided_txs(d), TRUE;
    case SIM_EXPECT_UNDECIDED_TXS:
        return *out = ana_data_undecided(d), TRUE;
    case SIM_EXPECT_FINALITY:
        h = ana_liveness_latency(l);
        break;
    case SIM_EXPECT_TX_LATENCY:
        h = ana_data_decide_latency(d);
        break;
    default:
        SIM_UNREACHABLE();
    }
    if (ana_histogram_count(h) == 0) {
        *why = g_strdup("nothing was measured");
        return FALSE;
    }
    *out = ana_histogram_percentile(h, e->percentile);
    return TRUE;
}

void sim_expect_evaluate(const SimExpectation *e, const SimRun *run, SimExpectResult *r)
{
    *r = (SimExpectResult){0};
    if (e->metric == SIM_EXPECT_SAFETY) {
        evaluate_safety(e, run, r);
        return;
    }
    if (e->metric == SIM_EXPECT_DA_AVAILABLE) {
        evaluate_da(e, run, r);
        return;
    }
    if (e->metric == SIM_EXPECT_LIGHT_CLIENT_SAFE) {
        evaluate_light_client(e, run, r);
        return;
    }
    if (e->metric == SIM_EXPECT_LIGHT_CLIENT_LIVE) {
        evaluate_light_client_live(e, run, r);
        return;
    }
    uint64_t value = 0;
    char *why = NULL;
    if (!measure(e, run, &value, &why)) {
        r->pass = FALSE;
        r->measured = why;
        return;
    }
    r->pass = compare(e->op, value, e->value);
    gboolean duration =
        e->metric == SIM_EXPECT_LONGEST_GAP || e->metric == SIM_EXPECT_FINALITY ||
        e->metric == SIM_EXPECT_RECOVERY || e->metric == SIM_EXPECT_TX_LATENCY ||
        e->metric == SIM_EXPECT_RECONNECT_GAP || e->metric == SIM_EXPECT_L1_FINALITY ||
        e->metric == SIM_EXPECT_LIGHT_CLIENT_LAG || e->metric == SIM_EXPECT_SETTLED_FINALITY;
    r->measured = duration ? sim_quantity_format(value, SIM_QUANTITY_DURATION)
                           : g_strdup_printf("%" G_GUINT64_FORMAT, value);
}

/* --- JUnit ----------------------------------------------------------------------------------- */

gboolean sim_expect_write_junit(const char *path, const char *suite,
                                const SimExpectation *const *expectations,
                                const SimExpectResult *results, guint count, double seconds,
                                GError **error)
{
    guint failures = 0;
    for (guint i = 0; i < count; i++)
        failures += !results[i].pass;
    GString *xml = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    char *head = g_markup_printf_escaped(
        "<testsuites tests=\"%u\" failures=\"%u\">\n"
        "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" errors=\"0\" time=\"%.3f\">\n",
        count, failures, suite, count, failures, seconds);
    g_string_append(xml, head);
    g_free(head);
    for (guint i = 0; i < count; i++) {
        char *item = g_markup_printf_escaped("    <testcase classname=\"%s\" name=\"%s\">\n", suite,
                                             expectations[i]->text);
        g_string_append(xml, item);
        g_free(item);
        char *body = results[i].pass
                         ? g_markup_printf_escaped("      <system-out>measured: %s</system-out>\n",
                                                   results[i].measured)
                         : g_markup_printf_escaped(
                               "      <failure message=\"measured: %s\">expected %s, measured "
                               "%s</failure>\n",
                               results[i].measured, expectations[i]->text, results[i].measured);
        g_string_append(xml, body);
        g_free(body);
        g_string_append(xml, "    </testcase>\n");
    }
    g_string_append(xml, "  </testsuite>\n</testsuites>\n");
    gboolean ok = g_file_set_contents(path, xml->str, (gssize)xml->len, error);
    g_string_free(xml, TRUE);
    return ok;
}
