/* The results folder of a run; see results.h. */
#include "sim/out/results.h"

#include "sim/core/assert.h"
#include "sim/out/timeline.h"
#include "sim/net/transport.h"
#include "sim/out/trace.h"
#include "sim/run/catchup.h"
#include "sim/core/units.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

typedef struct QueueSample {
    ProtoView view;
    uint32_t leader;
    SimTime at;
    SimDuration backlog;
} QueueSample;

struct SimRecorder {
    const SimRun *run;
    GArray *queue; /* QueueSample */
    char *sample;  /* as given to sim_recorder_new */
    SimTimeline *timeline;
    SimTrace *trace;    /* the digest checkpoints, once attached to an observed run */
    gboolean observing; /* sim_recorder_observe was called */
};

SimRecorder *sim_recorder_new(const char *timeline)
{
    SimRecorder *r = g_new0(SimRecorder, 1);
    r->queue = g_array_new(FALSE, FALSE, sizeof(QueueSample));
    r->sample = g_strdup(timeline);
    return r;
}

void sim_recorder_free(SimRecorder *r)
{
    if (r == NULL) return;
    g_array_unref(r->queue);
    g_free(r->sample);
    sim_timeline_free(r->timeline);
    sim_trace_free(r->trace);
    g_free(r);
}

static void observe(void *user_data, uint32_t node, const ProtoAction *a, SimTime now)
{
    SimRecorder *r = user_data;
    if (r->timeline != NULL) sim_timeline_on_action(r->timeline, node, a, now);
    if (r->run == NULL || a->kind != PROTO_ACTION_NOTE || a->note != PROTO_NOTE_PROPOSED) return;
    const SimHost *host = sim_network_host(sim_run_network(r->run), node);
    QueueSample s = {a->view, node, now, host->uplink_free > now ? host->uplink_free - now : 0};
    g_array_append_val(r->queue, s);
}

void sim_recorder_observe(SimRecorder *r, SimRunConfig *config)
{
    config->observer = observe;
    config->observer_data = r;
    r->observing = TRUE;
}

/* The validators `spec` (see results.h) puts on the timeline; FALSE for no timeline, or with
 * `error` for a spec that is neither a count nor a static selector of the run. */
static gboolean timeline_sample(const char *spec, const SimRun *run, SimNodeSet *out,
                                GError **error)
{
    uint32_t nodes = sim_run_config(run)->nodes;
    guint64 count = SIM_TIMELINE_SAMPLE_DEFAULT;
    if (spec == NULL || g_ascii_string_to_unsigned(spec, 10, 0, G_MAXUINT32, &count, NULL)) {
        if (count == 0) return FALSE;
        sim_timeline_default_sample(nodes, (uint32_t)count, out);
        return TRUE;
    }
    SimSelector selector;
    if (!sim_selector_parse(&selector, spec, nodes, sim_run_regions(run), error)) return FALSE;
    gboolean ok = sim_selector_is_static(&selector);
    if (ok) {
        sim_node_set_init(out, nodes);
        sim_run_resolve(run, &selector, out);
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "\"%s\": leader terms change during the run (every leader is on the "
                    "timeline anyway); give ids, regions, top-stake(N) or da-committee",
                    spec);
    }
    sim_selector_clear(&selector);
    return ok;
}

/* The timeline's leader names with epochs (SimTimelineLeaderFn). */
static ProtoNodeId run_leader(const void *data, uint64_t view)
{
    return sim_run_leader(data, view);
}

gboolean sim_recorder_attach(SimRecorder *r, const SimRun *run, GError **error)
{
    r->run = run;
    SimNodeSet sample;
    GError *inner = NULL;
    if (timeline_sample(r->sample, run, &sample, &inner)) {
        uint32_t nodes = sim_run_config(run)->nodes;
        r->timeline = sim_timeline_new(nodes, sim_run_stake(run), &sample);
        if (sim_run_epochs(run) != NULL) sim_timeline_set_leader(r->timeline, run_leader, run);
        sim_node_set_clear(&sample);
    } else if (inner != NULL) {
        g_propagate_error(error, inner);
        return FALSE;
    }
    /* Last, so that a refused attach leaves no tap on the run (sim_results_write ends it). */
    if (r->observing && r->trace == NULL) r->trace = sim_trace_new(run, SIM_TRACE_EVERY_DEFAULT);
    return TRUE;
}

/* --- files ----------------------------------------------------------------------------------- */

static double seconds(uint64_t ns)
{
    return (double)ns / 1e9;
}

/* Writes `text` to dir/name through a temporary file and a rename. */
static gboolean put(const char *dir, const char *name, GString *text, GError **error)
{
    char *path = g_build_filename(dir, name, NULL);
    gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, error);
    g_free(path);
    g_string_free(text, TRUE);
    return ok;
}

static GString *views_csv(const SimRun *run)
{
    const AnaLiveness *l = sim_run_liveness(run);
    GString *out =
        g_string_new("view,leader,outcome,proposed_at,decided_at,timeouts,view_sync,epoch\n");
    for (ProtoView v = 1; v <= ana_liveness_max_view(l); v++) {
        const AnaViewRecord *r = ana_liveness_view(l, v);
        AnaViewOutcome o = ana_liveness_outcome(l, v, 3);
        g_string_append_printf(out, "%" PRIu64 ",%u,%s,", v, sim_run_leader(run, v),
                               ana_view_outcome_key(o));
        if (r != NULL && r->proposed) g_string_append_printf(out, "%.9f", seconds(r->proposed_at));
        g_string_append_c(out, ',');
        if (r != NULL && r->decided) g_string_append_printf(out, "%.9f", seconds(r->decided_at));
        g_string_append_printf(out, ",%u,%d,", r ? r->timeouts : 0, r ? r->view_sync : 0);
        ProtoEpoch epoch = sim_run_view_epoch(run, v);
        if (epoch > 0) g_string_append_printf(out, "%" PRIu64, epoch);
        g_string_append_c(out, '\n');
    }
    return out;
}

/* What results show of one epoch the chain reached (epochs only). */
typedef struct EpochRow {
    ProtoEpoch epoch;
    uint32_t validators; /* with stake in it */
    uint64_t stake;
    uint64_t started_at; /* the first decide of its first block (epoch 1: 0); UINT64_MAX: none */
    gboolean completed;  /* its transition into the next epoch */
    ProtoView from, to;  /* then: the views of its transition block and of the next first block */
} EpochRow;

/* The epochs the decided chain reached, in order (EpochRow; empty without epochs). */
static GArray *epoch_rows(const SimRun *run)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(EpochRow));
    ProtoEpochs *epochs = sim_run_epochs(run);
    if (epochs == NULL) return rows;
    uint64_t length = proto_epochs_length(epochs);
    ProtoEpoch last = proto_epoch_of_height(ana_safety_height(sim_run_safety(run)) + 1, length);
    for (ProtoEpoch e = 1; e <= last; e++) {
        const ProtoStakeTable *table = proto_epochs_table(epochs, e);
        EpochRow row = {.epoch = e, .stake = proto_stake_total(table)};
        for (ProtoNodeId id = 0; id < proto_stake_node_count(table); id++)
            row.validators += proto_stake_of(table, id) > 0;
        row.started_at = e == 1 ? 0 : UINT64_MAX;
        row.completed = sim_run_transition(run, e, &row.from, &row.to);
        g_array_append_val(rows, row);
    }
    const GArray *blocks = ana_liveness_decided(sim_run_liveness(run));
    for (guint i = 0; i < blocks->len; i++) {
        const AnaBlockRecord *b = &g_array_index(blocks, AnaBlockRecord, i);
        ProtoEpoch e = proto_epoch_of_height(b->height, length);
        if (b->height > 1 && proto_epoch_first_height(e, length) == b->height && e <= rows->len) {
            EpochRow *row = &g_array_index(rows, EpochRow, e - 1);
            row->started_at = MIN(row->started_at, b->decided_at);
        }
    }
    return rows;
}

static GString *epochs_csv(const SimRun *run)
{
    GString *out =
        g_string_new("epoch,validators,stake,started_at,transition_from_view,transition_to_view,"
                     "transition_views\n");
    GArray *rows = epoch_rows(run);
    for (guint i = 0; i < rows->len; i++) {
        const EpochRow *r = &g_array_index(rows, EpochRow, i);
        g_string_append_printf(out, "%" PRIu64 ",%u,%" PRIu64 ",", r->epoch, r->validators,
                               r->stake);
        if (r->started_at != UINT64_MAX)
            g_string_append_printf(out, "%.9f", seconds(r->started_at));
        if (r->completed) {
            g_string_append_printf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", r->from, r->to,
                                   r->to - r->from);
        } else {
            g_string_append(out, ",,,\n");
        }
    }
    g_array_unref(rows);
    return out;
}

static GString *blocks_csv(const SimRun *run)
{
    const GArray *blocks = ana_liveness_decided(sim_run_liveness(run));
    GString *out = g_string_new("height,view,proposed_at,decided_at,latency,payload_bytes\n");
    for (guint i = 0; i < blocks->len; i++) {
        const AnaBlockRecord *b = &g_array_index(blocks, AnaBlockRecord, i);
        g_string_append_printf(out, "%" PRIu64 ",%" PRIu64 ",%.9f,%.9f,%.9f,%" PRIu64 "\n",
                               b->height, b->view, seconds(b->proposed_at), seconds(b->decided_at),
                               seconds(b->decided_at - MIN(b->decided_at, b->proposed_at)),
                               b->payload_bytes);
    }
    return out;
}

/* Per second of virtual time: blocks, payload bytes and (with a workload) transactions decided;
 * without a workload the transactions column is empty. */
static GString *throughput_csv(const SimRun *run)
{
    const GArray *blocks = ana_liveness_decided(sim_run_liveness(run));
    const GArray *txs = sim_run_data(run) ? ana_data_decided_per_second(sim_run_data(run)) : NULL;
    uint64_t end = sim_engine_now(sim_run_engine(run)) / 1000000000u + 1;
    uint64_t *count = g_new0(uint64_t, end + 1), *bytes = g_new0(uint64_t, end + 1);
    for (guint i = 0; i < blocks->len; i++) {
        const AnaBlockRecord *b = &g_array_index(blocks, AnaBlockRecord, i);
        uint64_t second = MIN(b->decided_at / 1000000000u, end);
        count[second]++;
        bytes[second] += b->payload_bytes;
    }
    GString *out = g_string_new("second,blocks,payload_bytes,transactions\n");
    for (uint64_t s = 0; s < end; s++) {
        g_string_append_printf(out, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", s, count[s], bytes[s]);
        if (txs != NULL) {
            g_string_append_printf(out, "%" PRIu64,
                                   s < txs->len ? g_array_index(txs, uint64_t, s) : 0);
        }
        g_string_append_c(out, '\n');
    }
    g_free(count);
    g_free(bytes);
    return out;
}

static void percentiles(GString *out, const char *metric, const AnaHistogram *h)
{
    static const double points[] = {1,  5,  10, 20, 25, 30, 40,   50,   60, 70,
                                    75, 80, 90, 95, 98, 99, 99.5, 99.9, 100};
    if (ana_histogram_count(h) == 0) return;
    g_string_append_printf(out, "%s,0,%.9f\n", metric, seconds(ana_histogram_min(h)));
    for (size_t i = 0; i < G_N_ELEMENTS(points); i++) {
        g_string_append_printf(out, "%s,%g,%.9f\n", metric, points[i],
                               seconds(ana_histogram_percentile(h, points[i])));
    }
}

static GString *latency_csv(const SimRun *run)
{
    GString *out = g_string_new("metric,percentile,seconds\n");
    percentiles(out, "finality", ana_liveness_latency(sim_run_liveness(run)));
    const AnaData *d = sim_run_data(run);
    if (d != NULL) {
        percentiles(out, "tx_decide", ana_data_decide_latency(d));
        percentiles(out, "tx_available", ana_data_available_latency(d));
    }
    const AnaFinality *f = sim_run_finality(run);
    if (f != NULL) percentiles(out, "tx_l1_final", ana_finality_l1(f));
    if (f != NULL) percentiles(out, "tx_settled", ana_finality_settled(f));
    return out;
}

/* Bin edge k in ns, for k >= 30 (1 us): the Renard R10 series (1, 1.25, 1.6, 2, 2.5, 3.15, 4,
 * 5, 6.3, 8) times powers of ten; integers, so no floating point decides a bin. */
#define BIN_FIRST 30u
#define BIN_LAST  190u /* 10^19 ns: beyond it, one last bin to UINT64_MAX */

static uint64_t bin_edge(unsigned k)
{
    static const uint64_t r10[] = {100, 125, 160, 200, 250, 315, 400, 500, 630, 800};
    SIM_ASSERT(k >= BIN_FIRST && k < BIN_LAST);
    uint64_t decade = 1;
    for (unsigned d = 2; d < k / 10; d++)
        decade *= 10;
    return decade * r10[k % 10];
}

/* Counts per bin from the bin holding the minimum (from 0 when it is below 1 us) to the bin
 * holding the maximum. */
static void histogram_rows(GString *out, const char *metric, const AnaHistogram *h)
{
    if (ana_histogram_count(h) == 0) return;
    unsigned k = BIN_FIRST;
    while (k + 1 < BIN_LAST && bin_edge(k + 1) <= ana_histogram_min(h))
        k++;
    for (; k < BIN_LAST; k++) {
        uint64_t from = k == BIN_FIRST && ana_histogram_min(h) < bin_edge(k) ? 0 : bin_edge(k);
        uint64_t to = k + 1 < BIN_LAST ? bin_edge(k + 1) : UINT64_MAX;
        uint64_t n = ana_histogram_count_below(h, to) - ana_histogram_count_below(h, from);
        g_string_append_printf(out, "%s,%.9f,%.9f,%" PRIu64 "\n", metric, seconds(from),
                               seconds(to), n);
        if (to > ana_histogram_max(h)) break;
    }
}

/* latency_histogram.csv: the same samples as latency.csv, counted in bins of a tenth of a
 * decade. */
static GString *latency_histogram_csv(const SimRun *run)
{
    GString *out = g_string_new("metric,from,to,count\n");
    histogram_rows(out, "finality", ana_liveness_latency(sim_run_liveness(run)));
    const AnaData *d = sim_run_data(run);
    if (d != NULL) {
        histogram_rows(out, "tx_decide", ana_data_decide_latency(d));
        histogram_rows(out, "tx_available", ana_data_available_latency(d));
    }
    const AnaFinality *f = sim_run_finality(run);
    if (f != NULL) histogram_rows(out, "tx_l1_final", ana_finality_l1(f));
    if (f != NULL) histogram_rows(out, "tx_settled", ana_finality_settled(f));
    return out;
}

/* The share of its vCPUs' time a host spent working, over the run's virtual time. */
static double busy_fraction(const SimHost *h, SimTime end)
{
    if (end == 0) return 0;
    return (double)h->cpu_busy / ((double)end * (double)MAX(h->vcpus, 1u));
}

/* What host `id` is in nodes.csv and node_types.csv: "validator", a relay's name ("broker0",
 * "marshal"), or NULL for an endpoint (builder, rollups), which neither file lists. */
static const char *host_kind(const SimRun *run, uint32_t id)
{
    if (id < sim_run_config(run)->nodes) return "validator";
    return sim_transport_relay_name(sim_run_transport(run), id);
}

static GString *nodes_csv(const SimRun *run)
{
    SimNetwork *net = sim_run_network(run);
    GString *out =
        g_string_new("node,region,byzantine,vcpus,clock_factor,cpu_busy,cpu_busy_fraction,"
                     "uplink_wait,downlink_wait,msgs_sent,bytes_sent,msgs_received,"
                     "bytes_received,msgs_dropped,host\n");
    SimTime end = sim_engine_now(sim_run_engine(run));
    for (uint32_t id = 0; id < sim_network_host_count(net); id++) {
        const char *kind = host_kind(run, id);
        if (kind == NULL) continue;
        const SimHost *h = sim_network_host(net, id);
        SimTypeCounters t = {0};
        for (uint16_t k = 0; k < sim_network_type_count(net); k++) {
            const SimTypeCounters *c = sim_network_counters(net, id, k);
            t.msgs_sent += c->msgs_sent, t.bytes_sent += c->bytes_sent;
            t.msgs_received += c->msgs_received, t.bytes_received += c->bytes_received;
            t.msgs_dropped += c->msgs_dropped;
            t.uplink_wait += c->uplink_wait, t.downlink_wait += c->downlink_wait;
        }
        g_string_append_printf(out,
                               "%u,%s,%d,%u,%.6f,%.9f,%.6f,%.9f,%.9f,%" PRIu64 ",%" PRIu64
                               ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s\n",
                               id, sim_regions_name(sim_run_regions(run), h->region),
                               id < sim_run_config(run)->nodes && sim_run_was_byzantine(run, id),
                               MAX(h->vcpus, 1u), (double)h->clock_ppm / SIM_PPM_ONE,
                               seconds(h->cpu_busy), busy_fraction(h, end), seconds(t.uplink_wait),
                               seconds(t.downlink_wait), t.msgs_sent, t.bytes_sent, t.msgs_received,
                               t.bytes_received, t.msgs_dropped, kind);
    }
    return out;
}

static GString *node_types_csv(const SimRun *run)
{
    SimNetwork *net = sim_run_network(run);
    GString *out = g_string_new("node,type,msgs_sent,bytes_sent,msgs_received,bytes_received,"
                                "msgs_dropped,uplink_wait,downlink_wait,host\n");
    for (uint32_t id = 0; id < sim_network_host_count(net); id++) {
        const char *kind = host_kind(run, id);
        if (kind == NULL) continue;
        for (uint16_t k = 0; k < sim_network_type_count(net); k++) {
            const SimTypeCounters *c = sim_network_counters(net, id, k);
            if (c->msgs_sent == 0 && c->msgs_received == 0) continue;
            g_string_append_printf(out,
                                   "%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                                   ",%.9f,%.9f,%s\n",
                                   id, sim_network_type_name(net, k), c->msgs_sent, c->bytes_sent,
                                   c->msgs_received, c->bytes_received, c->msgs_dropped,
                                   seconds(c->uplink_wait), seconds(c->downlink_wait), kind);
        }
    }
    return out;
}

static GString *roles_csv(const SimRun *run)
{
    const AnaData *d = sim_run_data(run);
    GString *out = g_string_new("role,type,messages,bytes\n");
    for (int role = 0; d != NULL && role < ANA_ROLE_COUNT_; role++) {
        for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++) {
            uint64_t messages = ana_data_role_messages(d, role, t);
            if (messages == 0) continue;
            g_string_append_printf(out, "%s,%s,%" PRIu64 ",%" PRIu64 "\n", ana_role_name(role),
                                   proto_msg_type_name(t), messages,
                                   ana_data_role_bytes(d, role, t));
        }
    }
    return out;
}

/* The deepest nesting of arrays and objects in `text` (strings skipped). */
static guint json_depth(const char *text, gsize length)
{
    guint depth = 0, deepest = 0;
    gboolean in_string = FALSE;
    for (gsize i = 0; i < length; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = FALSE;
        } else if (ch == '"') {
            in_string = TRUE;
        } else if (ch == '[' || ch == '{') {
            deepest = MAX(deepest, ++depth);
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

JsonParser *sim_results_read_json(const char *path, GError **error)
{
    char *text = NULL;
    gsize length = 0;
    GError *inner = NULL;
    if (!g_file_get_contents(path, &text, &length, &inner)) {
        g_propagate_error(error, inner);
        return NULL;
    }
    JsonParser *parser = json_parser_new();
    gboolean ok = FALSE;
    if (json_depth(text, length) > SIM_RESULTS_JSON_DEPTH) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: JSON nested more than %d deep; not a shotglass file", path,
                    SIM_RESULTS_JSON_DEPTH);
    } else if (!json_parser_load_from_data(parser, text, (gssize)length, &inner)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, inner->message);
        g_error_free(inner);
    } else if (json_parser_get_root(parser) == NULL ||
               !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a JSON object", path);
    } else {
        ok = TRUE;
    }
    g_free(text);
    if (!ok) g_clear_object(&parser);
    return parser;
}

void sim_csv_append_field(GString *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        g_string_append(out, text);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '"') g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

static const char *selector_text(const SimSelector *s)
{
    return s->terms == NULL || s->text == NULL ? "all" : s->text;
}

/* Whom a fault hit: the validators for node faults, else the selectors it was given. */
static char *fault_whom(const SimFaultWindow *w)
{
    const SimFault *f = w->fault;
    if (f->groups != NULL && f->groups->len > 0) {
        GString *g = g_string_new(NULL);
        for (guint i = 0; i < f->groups->len; i++)
            g_string_append_printf(g, "%s%s", i ? " | " : "", selector_text(f->groups->pdata[i]));
        return g_string_free(g, FALSE);
    }
    if (sim_node_set_count(&w->nodes) > 0 || (f->from.terms == NULL && f->to.terms == NULL)) {
        return sim_node_set_format(&w->nodes);
    }
    return g_strdup_printf("from %s %s %s", selector_text(&f->from), f->one_way ? "to" : "and",
                           selector_text(&f->to));
}

static GString *faults_csv(const SimRun *run)
{
    GString *out = g_string_new("name,kind,started,start,end,nodes\n");
    for (guint i = 0; i < sim_run_fault_count(run); i++) {
        const SimFaultWindow *w = sim_run_fault_window(run, i);
        char *nodes = fault_whom(w);
        g_string_append_printf(out, "%s,%s,%d,", w->fault->name,
                               sim_fault_kind_name(w->fault->kind), w->started);
        if (w->started) g_string_append_printf(out, "%.9f", seconds(w->start));
        g_string_append_c(out, ',');
        if (w->ended) g_string_append_printf(out, "%.9f", seconds(w->end));
        g_string_append_c(out, ',');
        sim_csv_append_field(out, nodes);
        g_string_append_c(out, '\n');
        g_free(nodes);
    }
    return out;
}

static GString *leader_queue_csv(const SimRecorder *r)
{
    GString *out = g_string_new("view,leader,time,uplink_backlog\n");
    for (guint i = 0; r != NULL && i < r->queue->len; i++) {
        const QueueSample *s = &g_array_index(r->queue, QueueSample, i);
        g_string_append_printf(out, "%" PRIu64 ",%u,%.9f,%.9f\n", s->view, s->leader,
                               seconds(s->at), seconds(s->backlog));
    }
    return out;
}

/* The L1 side's tracks: each L1's blocks and prover, each rollup's settlement. */
static void timeline_l1(SimTimeline *t, const SimRun *run)
{
    const SimProver *p = sim_run_prover(run);
    if (p == NULL) return;
    sim_timeline_clear_l1(t); /* written again: the L1 side as it is now */
    const SimRunConfig *c = sim_run_config(run);
    for (uint32_t k = 0; k < sim_prover_l1s(p); k++) {
        const SimL1 *l1 = sim_prover_l1(p, k);
        const char *name = k == 0 ? "l1" : g_array_index(c->l1_named, SimRunL1, k - 1).name;
        char *track = g_strdup_printf("L1 %s: blocks", name);
        for (uint64_t n = 1; n <= sim_l1_height(l1); n++)
            sim_timeline_add_l1(t, track, "block", sim_l1_block_time(l1, n), SIM_TIME_NONE, n);
        g_free(track);
    }
    for (guint i = 0; i < sim_prover_log_count(p); i++) {
        const SimProverLog *l = sim_prover_log(p, i);
        const char *name = l->rollup || l->index == 0
                               ? "l1"
                               : g_array_index(c->l1_named, SimRunL1, l->index - 1).name;
        char *track = l->rollup ? g_strdup_printf("rollup %u: settlement", l->index)
                                : g_strdup_printf("L1 %s: light-client prover", name);
        sim_timeline_add_l1(t, track, l->name, l->start, l->end, l->height);
        g_free(track);
    }
}

/* The timeline, with the fault windows as they ended up. */
static gboolean write_timeline(const char *dir, const SimRun *run, const SimRecorder *r,
                               GError **error)
{
    if (r == NULL || r->timeline == NULL) return TRUE;
    for (guint i = 0; i < sim_run_fault_count(run); i++) {
        const SimFaultWindow *w = sim_run_fault_window(run, i);
        if (!w->started) continue;
        char *nodes = fault_whom(w);
        sim_timeline_add_fault(r->timeline, w->fault->name, sim_fault_kind_name(w->fault->kind),
                               w->start, w->ended ? w->end : SIM_TIME_NONE, nodes);
        g_free(nodes);
    }
    GArray *epochs = epoch_rows(run);
    for (guint i = 0; i < epochs->len; i++) {
        const EpochRow *e = &g_array_index(epochs, EpochRow, i);
        if (e->started_at == UINT64_MAX) continue;
        const EpochRow *next = i + 1 < epochs->len ? &g_array_index(epochs, EpochRow, i + 1) : NULL;
        SimTime end =
            next != NULL && next->started_at != UINT64_MAX ? next->started_at : SIM_TIME_NONE;
        SimTimelineEpoch span = {e->epoch,      e->started_at, end,
                                 e->validators, e->stake,      e->completed ? e->to - e->from : 0};
        sim_timeline_add_epoch(r->timeline, &span);
    }
    g_array_unref(epochs);
    timeline_l1(r->timeline, run);
    char *path = g_build_filename(dir, "timeline.json", NULL);
    gboolean ok = sim_timeline_write(r->timeline, path, sim_engine_now(sim_run_engine(run)), error);
    g_free(path);
    return ok;
}

/* --- summary.json ---------------------------------------------------------------------------- */

static void member_double(JsonBuilder *b, const char *name, double value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, value);
}

static void member_int(JsonBuilder *b, const char *name, int64_t value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL) {
        json_builder_add_string_value(b, value);
    } else {
        json_builder_add_null_value(b);
    }
}

static void member_bool(JsonBuilder *b, const char *name, gboolean value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

/* {"count", "mean", "p50", "p90", "p99", "max"} of a latency histogram, in seconds. */
static void latency_object(JsonBuilder *b, const char *name, const AnaHistogram *h)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_object(b);
    uint64_t count = ana_histogram_count(h);
    member_int(b, "count", (int64_t)count);
    if (count > 0) {
        member_double(b, "mean", ana_histogram_mean(h) / 1e9);
        member_double(b, "p50", seconds(ana_histogram_percentile(h, 50)));
        member_double(b, "p90", seconds(ana_histogram_percentile(h, 90)));
        member_double(b, "p99", seconds(ana_histogram_percentile(h, 99)));
        member_double(b, "max", seconds(ana_histogram_max(h)));
    }
    json_builder_end_object(b);
}

static void scenario_object(JsonBuilder *b, const SimResultsInfo *info)
{
    const SimScenario *s = info->scenario;
    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, (const uint8_t *)s->text, strlen(s->text), NULL, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    json_builder_set_member_name(b, "scenario");
    json_builder_begin_object(b);
    member_string(b, "name", s->name);
    member_string(b, "description", s->description);
    member_string(b, "file", s->path);
    member_string(b, "blake2b", hex);
    member_int(b, "seed", (int64_t)s->config.seed);
    member_int(b, "nodes", s->config.nodes);
    json_builder_set_member_name(b, "overrides");
    json_builder_begin_array(b);
    for (guint i = 0; info->overrides != NULL && info->overrides[i] != NULL; i++)
        json_builder_add_string_value(b, info->overrides[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void oracles_object(JsonBuilder *b, const SimRun *run)
{
    const AnaSafety *s = sim_run_safety(run);
    const AnaData *d = sim_run_data(run);
    json_builder_set_member_name(b, "oracles");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "safety");
    json_builder_begin_object(b);
    member_bool(b, "ok", !ana_safety_violated(s));
    member_string(b, "violated",
                  ana_safety_violated(s) ? ana_safety_kind_name(ana_safety_violation_kind(s))
                                         : NULL);
    member_string(b, "violation", ana_safety_violation(s));
    json_builder_end_object(b);
    json_builder_set_member_name(b, "data_availability");
    json_builder_begin_object(b);
    member_bool(b, "checked", d != NULL);
    member_bool(b, "ok", d == NULL || !ana_data_violated(d));
    member_string(b, "violation", d != NULL ? ana_data_violation(d) : NULL);
    json_builder_end_object(b);
    const AnaFinality *f = sim_run_finality(run);
    if (f != NULL) { /* with [l1] only */
        json_builder_set_member_name(b, "light_client");
        json_builder_begin_object(b);
        member_bool(b, "ok", !ana_finality_unsafe(f));
        member_string(b, "violation", ana_finality_violation(f));
        member_bool(b, "live", !ana_finality_stalled(f));
        member_string(b, "stall", ana_finality_stall(f));
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
}

static void expectations_array(JsonBuilder *b, const SimResultsInfo *info)
{
    const SimScenario *s = info->scenario;
    json_builder_set_member_name(b, "expectations");
    json_builder_begin_array(b);
    for (guint i = 0; info->results != NULL && i < s->expectations->len; i++) {
        const SimExpectation *e = s->expectations->pdata[i];
        json_builder_begin_object(b);
        member_string(b, "expectation", e->text);
        member_bool(b, "pass", info->results[i].pass);
        member_string(b, "measured", info->results[i].measured);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* Decides (blocks, bytes) per second between the first and the last decide, and the mean
 * view time over the same span: its length over the views from the first block's to the last's
 * (failed views count, as they take their time). */
static void throughput_members(JsonBuilder *b, const SimRun *run)
{
    const GArray *blocks = ana_liveness_decided(sim_run_liveness(run));
    double span = 0, bytes = 0, views = 0;
    if (blocks->len > 1) {
        const AnaBlockRecord *first = &g_array_index(blocks, AnaBlockRecord, 0);
        const AnaBlockRecord *last = &g_array_index(blocks, AnaBlockRecord, blocks->len - 1);
        span = seconds(last->decided_at - first->decided_at);
        views = last->view > first->view ? (double)(last->view - first->view) : 0;
        for (guint i = 1; i < blocks->len; i++)
            bytes += (double)g_array_index(blocks, AnaBlockRecord, i).payload_bytes;
    }
    member_double(b, "blocks_per_s", span > 0 ? (double)(blocks->len - 1) / span : 0);
    member_double(b, "payload_bytes_per_s", span > 0 ? bytes / span : 0);
    member_double(b, "view_time_s", views > 0 ? span / views : 0);
}

static void data_members(JsonBuilder *b, const SimRun *run)
{
    const AnaData *d = sim_run_data(run);
    if (d == NULL) return;
    json_builder_set_member_name(b, "transactions");
    json_builder_begin_object(b);
    member_int(b, "submitted", (int64_t)ana_data_submitted(d));
    member_int(b, "decided", (int64_t)ana_data_decided_txs(d));
    member_int(b, "undecided", (int64_t)ana_data_undecided(d));
    member_int(b, "available", (int64_t)ana_data_available_txs(d));
    uint64_t span = ana_data_last_decide(d) - ana_data_first_decide(d);
    member_double(b, "tx_per_s", span ? (double)ana_data_decided_txs(d) / seconds(span) : 0);
    member_double(b, "bytes_per_s", span ? (double)ana_data_decided_bytes(d) / seconds(span) : 0);
    latency_object(b, "decide_latency", ana_data_decide_latency(d));
    latency_object(b, "available_latency", ana_data_available_latency(d));
    json_builder_end_object(b);
    const AnaDispersal *disp = ana_data_dispersal(d);
    if (disp->payload > 0) {
        member_double(b, "leader_egress_factor",
                      (double)(disp->da_bytes + disp->vid_bytes) / (double)disp->payload);
    }
}

/* Per L1 ([l1], then the [l1.NAME] groups): its slot, its rollups' L1 finality, its light
 * client's lag and updates. */
static void l1_chains(JsonBuilder *b, const SimRun *run, const AnaFinality *f)
{
    const SimProver *p = sim_run_prover(run);
    const SimRunConfig *c = sim_run_config(run);
    json_builder_set_member_name(b, "l1_chains");
    json_builder_begin_array(b);
    for (uint32_t k = 0; k < sim_prover_l1s(p); k++) {
        json_builder_begin_object(b);
        member_string(b, "name", k == 0 ? "l1" : g_array_index(c->l1_named, SimRunL1, k - 1).name);
        member_double(b, "slot_time_s", seconds(sim_l1_config(sim_prover_l1(p, k))->slot_time));
        latency_object(b, "l1_finality", ana_finality_chain_l1(f, k));
        member_int(b, "l1_finality_pending", (int64_t)ana_finality_chain_pending(f, k));
        member_double(b, "light_client_lag_max_s", seconds(ana_finality_chain_lag_max(f, k)));
        member_int(b, "light_client_updates", (int64_t)ana_finality_chain_updates(f, k));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* Finality on the L1 and the light client's lag, with [l1] only. */
static void l1_members(JsonBuilder *b, const SimRun *run)
{
    const AnaFinality *f = sim_run_finality(run);
    if (f == NULL) return;
    latency_object(b, "l1_finality", ana_finality_l1(f));
    member_int(b, "l1_finality_pending", (int64_t)ana_finality_l1_pending(f));
    member_double(b, "light_client_lag_max_s", seconds(ana_finality_lag_max(f)));
    member_int(b, "light_client_updates", (int64_t)ana_finality_updates(f));
    latency_object(b, "settled_finality", ana_finality_settled(f));
    member_int(b, "settled_pending", (int64_t)ana_finality_settled_pending(f));
    const SimProverStats *st = sim_prover_stats(sim_run_prover(run));
    member_int(b, "rollup_settlements", (int64_t)ana_finality_settlements(f));
    member_int(b, "rollup_settle_refused", (int64_t)st->settle_refused);
    member_int(b, "rollup_settle_gas", (int64_t)st->settle_gas);
    l1_chains(b, run, f);
}

/* The transport's counters (relays, reconnections, fallbacks), for any transport but direct. */
static void transport_object(JsonBuilder *b, const SimRun *run)
{
    const SimTransport *t = sim_run_transport(run);
    if (sim_transport_kind(t) == SIM_TRANSPORT_DIRECT) return;
    const SimTransportStats *s = sim_transport_stats(t);
    json_builder_set_member_name(b, "transport");
    json_builder_begin_object(b);
    member_string(b, "kind", sim_transport_kind_name(sim_transport_kind(t)));
    member_int(b, "relayed", (int64_t)s->relayed);
    member_int(b, "duplicates", (int64_t)s->duplicates);
    member_int(b, "reconnects", (int64_t)s->reconnects);
    member_double(b, "reconnect_gap_max_s", seconds(s->reconnect_gap_max));
    member_int(b, "lost_disconnected", (int64_t)s->lost_disconnected);
    member_int(b, "dead_connections", (int64_t)s->dead_connections);
    member_int(b, "libp2p_sends", (int64_t)s->libp2p_sends);
    member_int(b, "delayed_cancelled", (int64_t)s->delayed_cancelled);
    member_int(b, "cdn_down", (int64_t)s->cdn_down);
    member_int(b, "cdn_up", (int64_t)s->cdn_up);
    json_builder_end_object(b);
}

/* Epochs: the transitions completed and, per epoch the chain reached, its validators (stake
 * above zero) and total stake. */
static void epochs_object(JsonBuilder *b, const SimRun *run)
{
    ProtoEpochs *epochs = sim_run_epochs(run);
    if (epochs == NULL) return;
    uint64_t length = proto_epochs_length(epochs);
    uint64_t views_max = 0;
    uint64_t transitions = sim_run_transitions(run, &views_max);
    json_builder_set_member_name(b, "epochs");
    json_builder_begin_object(b);
    member_int(b, "length", (int64_t)length);
    member_int(b, "transitions", (int64_t)transitions);
    member_int(b, "transition_views_max", (int64_t)views_max);
    const SimCatchupStats *catchup = sim_catchup_stats(sim_run_catchup(run));
    member_int(b, "catchup_requests", (int64_t)catchup->requests);
    member_int(b, "catchup_bytes", (int64_t)catchup->response_bytes);
    json_builder_set_member_name(b, "per_epoch");
    json_builder_begin_array(b);
    ProtoEpoch last = proto_epoch_of_height(ana_safety_height(sim_run_safety(run)) + 1, length);
    for (ProtoEpoch e = 1; e <= last; e++) {
        const ProtoStakeTable *table = proto_epochs_table(epochs, e);
        uint32_t validators = 0;
        for (ProtoNodeId id = 0; id < proto_stake_node_count(table); id++)
            validators += proto_stake_of(table, id) > 0;
        json_builder_begin_object(b);
        member_int(b, "epoch", (int64_t)e);
        member_int(b, "validators", (int64_t)validators);
        member_int(b, "stake", (int64_t)proto_stake_total(table));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void metrics_object(JsonBuilder *b, const SimRun *run)
{
    const AnaLiveness *l = sim_run_liveness(run);
    SimNetwork *net = sim_run_network(run);
    uint64_t messages = 0, bytes = 0, failed = 0;
    for (uint32_t h = 0; h < sim_network_host_count(net); h++) {
        for (uint16_t t = 0; t < sim_network_type_count(net); t++) {
            messages += sim_network_counters(net, h, t)->msgs_sent;
            bytes += sim_network_counters(net, h, t)->bytes_sent;
        }
    }
    for (ProtoView v = 1; v <= ana_liveness_max_view(l); v++)
        failed += ana_view_outcome_failed(ana_liveness_outcome(l, v, 3)) != 0;
    json_builder_set_member_name(b, "metrics");
    json_builder_begin_object(b);
    member_int(b, "views", (int64_t)ana_liveness_max_view(l));
    member_int(b, "blocks", (int64_t)ana_liveness_blocks(l));
    member_int(b, "failed_views", (int64_t)failed);
    SimTime end = sim_engine_now(sim_run_engine(run));
    member_double(b, "longest_gap_s", seconds(ana_liveness_longest_gap(l, end)));
    latency_object(b, "finality", ana_liveness_latency(l));
    throughput_members(b, run);
    data_members(b, run);
    l1_members(b, run);
    member_int(b, "messages", (int64_t)messages);
    member_int(b, "bytes", (int64_t)bytes);
    const SimNetworkStats *stats = sim_network_stats(net);
    member_int(b, "held_copies", (int64_t)stats->held_cut);
    member_int(b, "held_bytes_peak", (int64_t)stats->held_bytes_peak);
    member_int(b, "dropped_hold", (int64_t)stats->dropped_hold);
    transport_object(b, run);
    epochs_object(b, run);
    json_builder_end_object(b);
}

static GString *summary_json(const SimRun *run, const SimResultsInfo *info)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    member_string(b, "shotglass", SHOTGLASS_VERSION);
    member_bool(b, "complete", info->complete);
    const char *stop = sim_run_stop_description(run);
    member_string(b, "stopped", info->complete && stop != NULL ? stop : "interrupted");
    member_bool(b, "passed", info->passed);
    scenario_object(b, info);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(sim_run_engine(run), digest);
    member_string(b, "digest", digest);
    member_double(b, "virtual_time_s", seconds(sim_engine_now(sim_run_engine(run))));
    member_double(b, "wall_time_s", info->wall_seconds);
    member_int(b, "events", (int64_t)sim_engine_events_run(sim_run_engine(run)));
    json_builder_set_member_name(b, "warnings");
    json_builder_begin_array(b);
    for (guint i = 0; i < info->scenario->warnings->len; i++)
        json_builder_add_string_value(b, info->scenario->warnings->pdata[i]);
    json_builder_end_array(b);
    oracles_object(b, run);
    expectations_array(b, info);
    metrics_object(b, run);
    json_builder_end_object(b);
    JsonGenerator *g = json_generator_new();
    json_generator_set_pretty(g, TRUE);
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(g, root);
    char *text = json_generator_to_data(g, NULL);
    GString *out = g_string_new(text);
    g_string_append_c(out, '\n');
    g_free(text);
    json_node_unref(root);
    g_object_unref(g);
    g_object_unref(b);
    return out;
}

gboolean sim_results_write(const char *dir, const SimRun *run, const SimRecorder *recorder,
                           const SimResultsInfo *info, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot create: %s",
                    dir, g_strerror(errno));
        return FALSE;
    }
    /* summary.json goes first and comes back last, so a folder with one is whole; a timeline
     * of an earlier run in the folder goes when this run records none. */
    char *summary = g_build_filename(dir, "summary.json", NULL);
    char *timeline = g_build_filename(dir, "timeline.json", NULL);
    char *digests = g_build_filename(dir, "digests.csv", NULL);
    g_unlink(summary);
    if (recorder == NULL || recorder->timeline == NULL) g_unlink(timeline);
    gboolean traced = recorder != NULL && recorder->trace != NULL;
    if (!traced) g_unlink(digests);
    g_free(summary);
    g_free(timeline);
    g_free(digests);
    if (traced) sim_trace_finish(recorder->trace); /* the run is over: the final checkpoint */
    return write_timeline(dir, run, recorder, error) &&
           (!traced || put(dir, "digests.csv", sim_trace_csv(recorder->trace), error)) &&
           put(dir, "scenario.ini", g_string_new(info->scenario->text), error) &&
           put(dir, "views.csv", views_csv(run), error) &&
           put(dir, "blocks.csv", blocks_csv(run), error) &&
           put(dir, "epochs.csv", epochs_csv(run), error) &&
           put(dir, "throughput.csv", throughput_csv(run), error) &&
           put(dir, "latency.csv", latency_csv(run), error) &&
           put(dir, "latency_histogram.csv", latency_histogram_csv(run), error) &&
           put(dir, "nodes.csv", nodes_csv(run), error) &&
           put(dir, "node_types.csv", node_types_csv(run), error) &&
           put(dir, "roles.csv", roles_csv(run), error) &&
           put(dir, "faults.csv", faults_csv(run), error) &&
           put(dir, "leader_queue.csv", leader_queue_csv(recorder), error) &&
           put(dir, "summary.json", summary_json(run, info), error);
}

gboolean sim_results_write_summary(const char *path, const SimRun *run, const SimResultsInfo *info,
                                   GError **error)
{
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(info != NULL && info->scenario != NULL);
    char *dir = g_path_get_dirname(path);
    gboolean made = g_mkdir_with_parents(dir, 0755) == 0;
    if (!made) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot create: %s",
                    dir, g_strerror(errno));
    }
    g_free(dir);
    if (!made) return FALSE;
    GString *text = summary_json(run, info);
    gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, error);
    g_string_free(text, TRUE);
    return ok;
}
