/*
 * The timeline (sim/out/timeline.h) is a trace Perfetto and chrome://tracing can open, and it tells
 * the truth about the run.
 *
 * Method: drive real runs (10 validators, a crashed leader whose view ends by a timeout
 * certificate, then a crash of four validators so that views time out and view sync runs) with
 * an observer that forwards every action to the timeline and keeps its own log; also feed hand-made
 * actions whose events are known exactly. Write the file, parse it back with json-glib and check it
 * with checkers that return a message instead of asserting, so each checker is also shown to reject
 * a document that breaks its rule: the format (every event has its fields, with their types),
 * the track labels, per-node view spans ordered, disjoint and covering every view the log saw
 * the node enter, proposals on the leader's track, the faults' spans, the sampling rule (outside
 * the sample, only the work of views the node leads), and byte-identical files for equal runs.
 */
#include "sim/scenario/scenario.h"
#include "sim/out/timeline.h"
#include "tests/check_main.h"
#include "tests/sim/sim_test.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* The leader of view 20 is down for three views, which its peers leave by a timeout
 * certificate; later f+1 = 4 validators crash for 30 s: no quorum meanwhile, so views time out
 * and view sync runs until they are back. */
static const char crash_scenario[] = "[scenario]\nviews = 0\nduration = 90s\n"
                                     "[consensus]\nnodes = 10\n"
                                     "[fault.leader]\nkind = crash\nnodes = leader\n"
                                     "at = view 20\nviews = 3\n"
                                     "[fault.down]\nkind = crash\nnodes = 0-3\nat = 30s\n"
                                     "duration = 30s\n";

/* --- a parsed trace ------------------------------------------------------------------------- */

typedef struct Event {
    const char *name;
    const char *ph;
    int64_t pid;
    int64_t tid;
    uint64_t ts_ns;
    uint64_t dur_ns; /* "X" only */
    JsonObject *args;
} Event;

typedef struct Trace {
    JsonParser *parser;
    JsonNode *root; /* borrowed from the parser */
    GArray *events; /* Event, in file order; filled only when the format checks out */
} Trace;

/* The file's times are whole microseconds, truncated. */
static uint64_t us_floor(SimTime ns)
{
    return ns / SIM_US * SIM_US;
}

static uint64_t us_to_ns(JsonNode *node)
{
    return (uint64_t)llround(json_node_get_double(node) * 1000.0);
}

static gboolean is_number(JsonNode *node)
{
    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)) return FALSE;
    GType type = json_node_get_value_type(node);
    return type == G_TYPE_DOUBLE || type == G_TYPE_INT64;
}

static gboolean is_int(JsonNode *node)
{
    return node != NULL && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_INT64;
}

static gboolean is_string(JsonNode *node)
{
    return node != NULL && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_STRING;
}

/* The members every event needs, with their types; NULL when they are right. */
static char *check_event(JsonNode *node, guint index)
{
    if (!JSON_NODE_HOLDS_OBJECT(node)) return g_strdup_printf("event %u: not an object", index);
    JsonObject *o = json_node_get_object(node);
    static const char *const strings[] = {"name", "cat", "ph"};
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        if (!is_string(json_object_get_member(o, strings[i]))) {
            return g_strdup_printf("event %u: \"%s\" missing or not a string", index, strings[i]);
        }
    }
    if (!is_number(json_object_get_member(o, "ts")) || json_object_get_double_member(o, "ts") < 0) {
        return g_strdup_printf("event %u: \"ts\" missing or not a number >= 0", index);
    }
    if (!is_int(json_object_get_member(o, "pid")) || !is_int(json_object_get_member(o, "tid"))) {
        return g_strdup_printf("event %u: \"pid\"/\"tid\" missing or not integers", index);
    }
    JsonNode *args = json_object_get_member(o, "args");
    if (args == NULL || !JSON_NODE_HOLDS_OBJECT(args)) {
        return g_strdup_printf("event %u: \"args\" missing or not an object", index);
    }
    const char *ph = json_object_get_string_member(o, "ph");
    if (strcmp(ph, "X") == 0) {
        JsonNode *dur = json_object_get_member(o, "dur");
        if (!is_number(dur) || json_node_get_double(dur) < 0) {
            return g_strdup_printf("event %u: \"X\" without a \"dur\" >= 0", index);
        }
    } else if (strcmp(ph, "i") == 0) {
        JsonNode *s = json_object_get_member(o, "s");
        if (!is_string(s) || strchr("tpg", json_node_get_string(s)[0]) == NULL ||
            json_node_get_string(s)[0] == '\0' || json_node_get_string(s)[1] != '\0') {
            return g_strdup_printf("event %u: \"i\" without a scope \"s\" of t, p or g", index);
        }
    } else if (strcmp(ph, "M") != 0) {
        return g_strdup_printf("event %u: unexpected phase \"%s\"", index, ph);
    }
    return NULL;
}

/* A trace-event object: {"traceEvents": [events], "displayTimeUnit": "ms"}. */
static char *check_format(JsonNode *root)
{
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) return g_strdup("root is not an object");
    JsonObject *top = json_node_get_object(root);
    JsonNode *unit = json_object_get_member(top, "displayTimeUnit");
    if (!is_string(unit) || strcmp(json_node_get_string(unit), "ms") != 0) {
        return g_strdup("displayTimeUnit is not \"ms\"");
    }
    JsonNode *events = json_object_get_member(top, "traceEvents");
    if (events == NULL || !JSON_NODE_HOLDS_ARRAY(events)) return g_strdup("no traceEvents array");
    JsonArray *array = json_node_get_array(events);
    if (json_array_get_length(array) == 0) return g_strdup("traceEvents is empty");
    for (guint i = 0; i < json_array_get_length(array); i++) {
        char *message = check_event(json_array_get_element(array, i), i);
        if (message != NULL) return message;
    }
    return NULL;
}

static void trace_fill(Trace *trace)
{
    JsonArray *array =
        json_object_get_array_member(json_node_get_object(trace->root), "traceEvents");
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *o = json_array_get_object_element(array, i);
        Event e = {.name = json_object_get_string_member(o, "name"),
                   .ph = json_object_get_string_member(o, "ph"),
                   .pid = json_object_get_int_member(o, "pid"),
                   .tid = json_object_get_int_member(o, "tid"),
                   .ts_ns = us_to_ns(json_object_get_member(o, "ts")),
                   .args = json_object_get_object_member(o, "args")};
        if (strcmp(e.ph, "X") == 0) e.dur_ns = us_to_ns(json_object_get_member(o, "dur"));
        g_array_append_val(trace->events, e);
    }
}

/* Parses `text`; returns NULL, or a message saying why it is not a valid trace. */
static char *trace_parse(Trace *trace, const char *text, gssize len)
{
    trace->parser = json_parser_new();
    trace->events = g_array_new(FALSE, TRUE, sizeof(Event));
    GError *error = NULL;
    if (!json_parser_load_from_data(trace->parser, text, len, &error)) {
        char *message = g_strdup(error->message);
        g_error_free(error);
        return message;
    }
    trace->root = json_parser_get_root(trace->parser);
    char *message = check_format(trace->root);
    if (message == NULL) trace_fill(trace);
    return message;
}

static void trace_load(Trace *trace, const char *path)
{
    char *text = NULL;
    gsize len = 0;
    GError *error = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, &len, &error), "%s",
                  error ? error->message : "");
    char *message = trace_parse(trace, text, (gssize)len);
    ck_assert_msg(message == NULL, "%s: %s", path, message);
    g_free(text);
}

static void trace_clear(Trace *trace)
{
    g_array_unref(trace->events);
    g_object_unref(trace->parser);
}

static int64_t arg_int(const Event *e, const char *name)
{
    ck_assert_msg(json_object_has_member(e->args, name), "%s: no arg %s", e->name, name);
    return json_object_get_int_member(e->args, name);
}

static const char *arg_string(const Event *e, const char *name)
{
    ck_assert_msg(json_object_has_member(e->args, name), "%s: no arg %s", e->name, name);
    return json_object_get_string_member(e->args, name);
}

/* The "M" event `name` for (pid, tid), or NULL. */
static const Event *metadata(const Trace *t, const char *name, int64_t pid, int64_t tid)
{
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (strcmp(e->ph, "M") == 0 && strcmp(e->name, name) == 0 && e->pid == pid &&
            e->tid == tid) {
            return e;
        }
    }
    return NULL;
}

/* The events of (pid, tid) other than labels, in file order. */
static GPtrArray *track(const Trace *t, int64_t pid, int64_t tid)
{
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (e->pid == pid && e->tid == tid && strcmp(e->ph, "M") != 0)
            g_ptr_array_add(out, (void *)e);
    }
    return out;
}

/* --- checkers: NULL when the rule holds, else what breaks it -------------------------------- */

/* Both processes are named, and every thread with events is named after what it shows. */
static char *check_labels(const Trace *t)
{
    const Event *v = metadata(t, "process_name", SIM_TIMELINE_PID_VALIDATORS, 0);
    if (v == NULL || strcmp(json_object_get_string_member(v->args, "name"), "validators") != 0) {
        return g_strdup("the validators process is not named");
    }
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (strcmp(e->ph, "M") == 0) continue;
        const Event *p = metadata(t, "process_name", e->pid, 0);
        const Event *m = metadata(t, "thread_name", e->pid, e->tid);
        if (p == NULL || m == NULL || metadata(t, "thread_sort_index", e->pid, e->tid) == NULL) {
            return g_strdup_printf("track (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                                   ") of \"%s\" has no labels",
                                   e->pid, e->tid, e->name);
        }
        const char *label = json_object_get_string_member(m->args, "name");
        char *expected = g_strdup_printf("node %" G_GINT64_FORMAT, e->tid - 1);
        gboolean ok = e->pid != SIM_TIMELINE_PID_VALIDATORS ||
                      (g_str_has_prefix(label, expected) &&
                       (label[strlen(expected)] == '\0' || label[strlen(expected)] == ' '));
        g_free(expected);
        if (!ok)
            return g_strdup_printf("thread %" G_GINT64_FORMAT " is named \"%s\"", e->tid, label);
    }
    return NULL;
}

/* Per validator track, the view spans in file order start in order and do not overlap. */
static char *check_spans(const Trace *t)
{
    GHashTable *last_end = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    char *message = NULL;
    for (guint i = 0; i < t->events->len && message == NULL; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (e->pid != SIM_TIMELINE_PID_VALIDATORS || strcmp(e->ph, "X") != 0) continue;
        uint64_t *end = g_hash_table_lookup(last_end, &e->tid);
        if (end != NULL && e->ts_ns < *end) {
            message =
                g_strdup_printf("thread %" G_GINT64_FORMAT ": %s starts at %" G_GUINT64_FORMAT
                                " ns, before the previous span ends (%" G_GUINT64_FORMAT " ns)",
                                e->tid, e->name, e->ts_ns, *end);
        }
        if (end == NULL) {
            end = g_new(uint64_t, 1);
            g_hash_table_insert(last_end, g_memdup2(&e->tid, sizeof e->tid), end);
        }
        *end = e->ts_ns + e->dur_ns;
    }
    g_hash_table_unref(last_end);
    return message;
}

/* The validators' events come track by track, each in time order. */
static char *check_order(const Trace *t)
{
    const Event *previous = NULL;
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (e->pid != SIM_TIMELINE_PID_VALIDATORS || strcmp(e->ph, "M") == 0) continue;
        if (previous != NULL &&
            (e->tid < previous->tid || (e->tid == previous->tid && e->ts_ns < previous->ts_ns))) {
            return g_strdup_printf("event %u (%s, thread %" G_GINT64_FORMAT ") is out of order", i,
                                   e->name, e->tid);
        }
        previous = e;
    }
    return NULL;
}

/* Whether `e`, on the track of a validator outside the sample, is work of a view it leads. */
static gboolean leader_work(const ProtoStakeTable *stake, const Event *e)
{
    ProtoNodeId node = (ProtoNodeId)(e->tid - 1);
    if (strcmp(e->ph, "X") == 0 || strcmp(e->name, "proposed") == 0 ||
        strcmp(e->name, "block_ready") == 0 || strcmp(e->name, "dac_formed") == 0) {
        return proto_stake_leader(stake, (ProtoView)arg_int(e, "view")) == node;
    }
    if (strcmp(e->name, "qc_formed") == 0 || strcmp(e->name, "tc_formed") == 0) {
        return proto_stake_leader(stake, (ProtoView)arg_int(e, "view") + 1) == node;
    }
    return FALSE;
}

/* Validators outside `sample` show only the work of views they lead. */
static char *check_sample(const Trace *t, const ProtoStakeTable *stake, const SimNodeSet *sample)
{
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (e->pid != SIM_TIMELINE_PID_VALIDATORS || strcmp(e->ph, "M") == 0) continue;
        if (sim_node_set_contains(sample, (uint32_t)(e->tid - 1))) continue;
        if (!leader_work(stake, e)) {
            return g_strdup_printf("node %" G_GINT64_FORMAT " is outside the sample but shows %s",
                                   e->tid - 1, e->name);
        }
    }
    return NULL;
}

/* --- recording real runs -------------------------------------------------------------------- */

typedef struct Logged {
    uint32_t node;
    ProtoNoteKind note;
    ProtoView view;
    SimTime at;
} Logged;

typedef struct Capture {
    SimScenario scenario;
    SimRun *run;
    SimTimeline *timeline;
    GArray *log; /* Logged: every note of every node */
    uint64_t decides;
} Capture;

static void forward(void *user_data, uint32_t node, const ProtoAction *a, SimTime now)
{
    Capture *c = user_data;
    sim_timeline_on_action(c->timeline, node, a, now);
    if (a->kind == PROTO_ACTION_DECIDE) c->decides++;
    if (a->kind != PROTO_ACTION_NOTE) return;
    Logged l = {node, a->note, a->view, now};
    g_array_append_val(c->log, l);
}

/* Runs `text` with `seed`, recording a timeline of `sample` (NULL: all) into `path`. */
static void record_run(Capture *c, const char *text, uint64_t seed, const SimNodeSet *sample,
                       const char *path)
{
    GError *error = NULL;
    ck_assert_msg(sim_scenario_parse(&c->scenario, "timeline.ini", text, NULL, &error), "%s",
                  error ? error->message : "");
    c->scenario.config.seed = seed;
    c->scenario.config.observer = forward;
    c->scenario.config.observer_data = c;
    c->log = g_array_new(FALSE, FALSE, sizeof(Logged));
    c->decides = 0;
    c->run = sim_run_new(&c->scenario.config, &error);
    ck_assert_msg(c->run != NULL, "%s", error ? error->message : "");
    c->timeline = sim_timeline_new(c->scenario.config.nodes, sim_run_stake(c->run), sample);
    sim_run_execute(c->run);
    sim_test_check_safe(c->run);
    for (guint i = 0; i < sim_run_fault_count(c->run); i++) {
        const SimFaultWindow *w = sim_run_fault_window(c->run, i);
        if (!w->started) continue;
        char *nodes = sim_node_set_format(&w->nodes);
        sim_timeline_add_fault(c->timeline, w->fault->name, sim_fault_kind_name(w->fault->kind),
                               w->start, w->ended ? w->end : SIM_TIME_NONE, nodes);
        g_free(nodes);
    }
    SimTime end = sim_engine_now(sim_run_engine(c->run));
    ck_assert_msg(sim_timeline_write(c->timeline, path, end, &error), "%s",
                  error ? error->message : "");
}

static void capture_clear(Capture *c)
{
    sim_timeline_free(c->timeline);
    sim_run_free(c->run);
    sim_scenario_clear(&c->scenario);
    g_array_unref(c->log);
}

static uint64_t log_count(const Capture *c, ProtoNoteKind note)
{
    uint64_t n = 0;
    for (guint i = 0; i < c->log->len; i++)
        n += g_array_index(c->log, Logged, i).note == note;
    return n;
}

static guint count_named(const Trace *t, const char *name, int64_t tid)
{
    guint n = 0;
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        n += strcmp(e->name, name) == 0 && e->pid == SIM_TIMELINE_PID_VALIDATORS &&
             (tid < 0 || e->tid == tid);
    }
    return n;
}

/* The span of `node`'s view `view` that starts at `at`, or NULL. */
static const Event *find_span(const Trace *t, uint32_t node, ProtoView view, SimTime at)
{
    for (guint i = 0; i < t->events->len; i++) {
        const Event *e = &g_array_index(t->events, Event, i);
        if (e->pid == SIM_TIMELINE_PID_VALIDATORS && e->tid == (int64_t)node + 1 &&
            strcmp(e->ph, "X") == 0 && e->ts_ns == us_floor(at) &&
            (ProtoView)arg_int(e, "view") == view) {
            return e;
        }
    }
    return NULL;
}

static char *temp_dir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("timeline-XXXXXX", &error);
    ck_assert_msg(dir != NULL, "%s", error ? error->message : "");
    return dir;
}

static void remove_dir(char *dir, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        char *path = g_build_filename(dir, names[i], NULL);
        g_unlink(path);
        g_free(path);
    }
    ck_assert_int_eq(g_rmdir(dir), 0);
    g_free(dir);
}

/* --- real runs ------------------------------------------------------------------------------ */

START_TEST(a_crash_run_gives_a_valid_labelled_trace_with_every_view)
{
    char *dir = temp_dir(), *path = g_build_filename(dir, "timeline.json", NULL);
    Capture c;
    record_run(&c, crash_scenario, 1, NULL, path);
    /* The run exercised what the timeline shows. */
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_TIMED_OUT), 0);
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_VIEW_SYNC_STARTED), 0);
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_TC_FORMED), 0);
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_VIEW_SYNC_CERT), 0);
    Trace t = {0};
    trace_load(&t, path);
    char *message = check_labels(&t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_spans(&t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_order(&t);
    ck_assert_msg(message == NULL, "%s", message);
    /* Every view a node entered has its span, from the moment it entered, and no other. */
    for (guint i = 0; i < c.log->len; i++) {
        const Logged *l = &g_array_index(c.log, Logged, i);
        if (l->note != PROTO_NOTE_VIEW_ENTERED) continue;
        ck_assert_msg(find_span(&t, l->node, l->view, l->at) != NULL,
                      "node %u: no span for view %" G_GUINT64_FORMAT, l->node, l->view);
    }
    guint spans = 0;
    for (guint i = 0; i < t.events->len; i++)
        spans += strcmp(g_array_index(t.events, Event, i).ph, "X") == 0 &&
                 g_array_index(t.events, Event, i).pid == SIM_TIMELINE_PID_VALIDATORS;
    ck_assert_uint_eq(spans, log_count(&c, PROTO_NOTE_VIEW_ENTERED));
    /* Each kind of note appears as often as the nodes reported it, decides likewise. */
    ck_assert_uint_eq(count_named(&t, "voted", -1), log_count(&c, PROTO_NOTE_VOTED));
    ck_assert_uint_eq(count_named(&t, "timed_out", -1), log_count(&c, PROTO_NOTE_TIMED_OUT));
    ck_assert_uint_eq(count_named(&t, "tc_formed", -1), log_count(&c, PROTO_NOTE_TC_FORMED));
    ck_assert_uint_eq(count_named(&t, "view_sync_started", -1),
                      log_count(&c, PROTO_NOTE_VIEW_SYNC_STARTED));
    ck_assert_uint_eq(count_named(&t, "decide", -1), c.decides);
    trace_clear(&t);
    capture_clear(&c);
    g_free(path);
    remove_dir(dir, (const char *const[]){"timeline.json", NULL});
}
END_TEST

START_TEST(proposals_sit_on_the_leaders_track_and_the_fault_has_its_window)
{
    char *dir = temp_dir(), *path = g_build_filename(dir, "timeline.json", NULL);
    Capture c;
    record_run(&c, crash_scenario, 2, NULL, path);
    Trace t = {0};
    trace_load(&t, path);
    const ProtoStakeTable *stake = sim_run_stake(c.run);
    guint proposals = 0;
    for (guint i = 0; i < t.events->len; i++) {
        const Event *e = &g_array_index(t.events, Event, i);
        if (strcmp(e->name, "proposed") != 0) continue;
        ProtoView view = (ProtoView)arg_int(e, "view");
        ck_assert_int_eq(e->tid - 1, proto_stake_leader(stake, view));
        proposals++;
    }
    ck_assert_uint_gt(proposals, 10);
    ck_assert_uint_eq(proposals, log_count(&c, PROTO_NOTE_PROPOSED));
    /* Each fault: one track of the faults process, from its start to its end. */
    ck_assert_uint_eq(sim_run_fault_count(c.run), 2);
    for (guint k = 0; k < sim_run_fault_count(c.run); k++) {
        const SimFaultWindow *w = sim_run_fault_window(c.run, k);
        ck_assert(w->started && w->ended);
        GPtrArray *spans = track(&t, SIM_TIMELINE_PID_FAULTS, k + 1);
        ck_assert_uint_eq(spans->len, 1);
        const Event *e = g_ptr_array_index(spans, 0);
        ck_assert_str_eq(e->ph, "X");
        ck_assert_str_eq(e->name, w->fault->name);
        ck_assert_uint_eq(e->ts_ns, us_floor(w->start));
        ck_assert_uint_eq(e->ts_ns + e->dur_ns, us_floor(w->end));
        ck_assert_str_eq(arg_string(e, "kind"), "crash");
        char *nodes = sim_node_set_format(&w->nodes);
        ck_assert_str_eq(arg_string(e, "nodes"), nodes);
        g_free(nodes);
        g_ptr_array_unref(spans);
    }
    const SimFaultWindow *down = sim_run_fault_window_named(c.run, "down");
    ck_assert_uint_eq(down->start, 30 * SIM_S);
    ck_assert_uint_eq(down->end, 60 * SIM_S);
    const Event *label = metadata(&t, "thread_name", SIM_TIMELINE_PID_FAULTS, 2);
    ck_assert_ptr_nonnull(label);
    ck_assert_str_eq(json_object_get_string_member(label->args, "name"), "down (crash)");
    trace_clear(&t);
    capture_clear(&c);
    g_free(path);
    remove_dir(dir, (const char *const[]){"timeline.json", NULL});
}
END_TEST

START_TEST(outside_the_sample_only_the_views_a_node_leads)
{
    char *dir = temp_dir(), *path = g_build_filename(dir, "timeline.json", NULL);
    SimNodeSet sample;
    sim_timeline_default_sample(10, 3, &sample); /* 0, 3, 6 */
    Capture c;
    record_run(&c, crash_scenario, 3, &sample, path);
    Trace t = {0};
    trace_load(&t, path);
    const ProtoStakeTable *stake = sim_run_stake(c.run);
    char *message = check_sample(&t, stake, &sample);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_spans(&t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_labels(&t);
    ck_assert_msg(message == NULL, "%s", message);
    /* Every leader's proposals and certificates are there, in or out of the sample (only the
     * next leader forms a QC or TC)... */
    ck_assert_uint_eq(count_named(&t, "proposed", -1), log_count(&c, PROTO_NOTE_PROPOSED));
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_TC_FORMED), 0);
    ck_assert_uint_eq(count_named(&t, "qc_formed", -1), log_count(&c, PROTO_NOTE_QC_FORMED));
    ck_assert_uint_eq(count_named(&t, "tc_formed", -1), log_count(&c, PROTO_NOTE_TC_FORMED));
    /* ...as are the sample's votes, and nobody else's. */
    guint votes = 0;
    for (guint i = 0; i < c.log->len; i++) {
        const Logged *l = &g_array_index(c.log, Logged, i);
        votes += l->note == PROTO_NOTE_VOTED && sim_node_set_contains(&sample, l->node);
    }
    ck_assert_uint_gt(votes, 0);
    ck_assert_uint_eq(count_named(&t, "voted", -1), votes);
    /* Nodes outside the sample do have tracks (their leader work), named as such. */
    guint outside = 0;
    for (int64_t tid = 1; tid <= 10; tid++) {
        if (sim_node_set_contains(&sample, (uint32_t)(tid - 1))) continue;
        const Event *m = metadata(&t, "thread_name", SIM_TIMELINE_PID_VALIDATORS, tid);
        if (m == NULL) continue;
        ck_assert(
            g_str_has_suffix(json_object_get_string_member(m->args, "name"), "(leader only)"));
        outside++;
    }
    ck_assert_uint_gt(outside, 0);
    /* The same trace against a smaller sample breaks the rule: the checker can fail. */
    SimNodeSet smaller;
    sim_node_set_init(&smaller, 10);
    sim_node_set_add(&smaller, 0);
    message = check_sample(&t, stake, &smaller);
    ck_assert_ptr_nonnull(message);
    g_free(message);
    sim_node_set_clear(&smaller);
    trace_clear(&t);
    capture_clear(&c);
    sim_node_set_clear(&sample);
    g_free(path);
    remove_dir(dir, (const char *const[]){"timeline.json", NULL});
}
END_TEST

/* The data path on: a DA committee of 4, two rollups submitting transactions. */
static const char da_scenario[] = "[scenario]\nviews = 30\n[consensus]\nnodes = 10\n"
                                  "[da]\ncommittee = 4\nblock_max = 64KiB\n"
                                  "[workload]\nrollups = 2\ntx_rate = 100/s\n";

START_TEST(with_the_data_path_every_leaders_da_work_appears)
{
    char *dir = temp_dir(), *path = g_build_filename(dir, "timeline.json", NULL);
    SimNodeSet sample;
    sim_timeline_default_sample(10, 3, &sample); /* 0 (a DA member), 3 (one too), 6 */
    Capture c;
    record_run(&c, da_scenario, 5, &sample, path);
    Trace t = {0};
    trace_load(&t, path);
    char *message = check_sample(&t, sim_run_stake(c.run), &sample);
    ck_assert_msg(message == NULL, "%s", message);
    ck_assert_uint_gt(log_count(&c, PROTO_NOTE_BLOCK_READY), 10);
    ck_assert_uint_eq(count_named(&t, "block_ready", -1), log_count(&c, PROTO_NOTE_BLOCK_READY));
    ck_assert_uint_eq(count_named(&t, "dac_formed", -1), log_count(&c, PROTO_NOTE_DAC_FORMED));
    /* Storing is not leader work: only the sample's shows. */
    guint stored = 0, shares = 0;
    for (guint i = 0; i < c.log->len; i++) {
        const Logged *l = &g_array_index(c.log, Logged, i);
        if (!sim_node_set_contains(&sample, l->node)) continue;
        stored += l->note == PROTO_NOTE_DA_STORED;
        shares += l->note == PROTO_NOTE_SHARE_STORED;
    }
    ck_assert_uint_gt(stored, 0);
    ck_assert_uint_eq(count_named(&t, "da_stored", -1), stored);
    ck_assert_uint_eq(count_named(&t, "share_stored", -1), shares);
    for (guint i = 0; i < t.events->len; i++) {
        const Event *e = &g_array_index(t.events, Event, i);
        if (strcmp(e->name, "block_ready") == 0 || strcmp(e->name, "da_stored") == 0) {
            ck_assert_int_ge(arg_int(e, "bytes"), 0);
        } else if (strcmp(e->name, "dac_formed") == 0) {
            ck_assert_int_ge(arg_int(e, "signers"), 3); /* a quorum of the 4 members */
        } else if (strcmp(e->name, "share_stored") == 0) {
            ck_assert_int_gt(arg_int(e, "weight"), 0);
        }
    }
    trace_clear(&t);
    capture_clear(&c);
    sim_node_set_clear(&sample);
    g_free(path);
    remove_dir(dir, (const char *const[]){"timeline.json", NULL});
}
END_TEST

static GBytes *file_bytes(const char *path)
{
    char *text = NULL;
    gsize len = 0;
    ck_assert(g_file_get_contents(path, &text, &len, NULL));
    return g_bytes_new_take(text, len);
}

START_TEST(equal_runs_give_byte_identical_files)
{
    char *dir = temp_dir();
    static const char *const names[] = {"a.json", "b.json", "c.json", NULL};
    GBytes *bytes[3];
    SimNodeSet sample;
    sim_timeline_default_sample(10, 4, &sample);
    for (int i = 0; i < 3; i++) {
        char *path = g_build_filename(dir, names[i], NULL);
        Capture c;
        record_run(&c, crash_scenario, i < 2 ? 7 : 8, &sample, path);
        bytes[i] = file_bytes(path);
        capture_clear(&c);
        g_free(path);
    }
    ck_assert_uint_gt(g_bytes_get_size(bytes[0]), 1000);
    ck_assert_msg(g_bytes_equal(bytes[0], bytes[1]), "same seed, different files");
    /* The comparison can fail: another seed gives another file. */
    ck_assert(!g_bytes_equal(bytes[0], bytes[2]));
    for (int i = 0; i < 3; i++)
        g_bytes_unref(bytes[i]);
    sim_node_set_clear(&sample);
    remove_dir(dir, names);
}
END_TEST

/* --- hand-made actions ---------------------------------------------------------------------- */

/* Four equal validators with round-robin leaders: view v is led by v mod 4. */
static ProtoStakeTable *small_stake(void)
{
    uint64_t stakes[4];
    uint8_t keys[4][32] = {{1}, {2}, {3}, {4}};
    uint8_t beacon[32] = {0};
    proto_stake_equal(4, 1, stakes);
    return proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, 4, PROTO_LEADER_ROUND_ROBIN,
                                 beacon);
}

static void note(SimTimeline *t, uint32_t node, ProtoNoteKind kind, ProtoView view, int64_t value,
                 SimTime at)
{
    ProtoAction a = {.kind = PROTO_ACTION_NOTE, .note = kind, .view = view, .value = value};
    sim_timeline_on_action(t, node, &a, at);
}

/* Node 2 (leader of view 2) and node 1 (leader of view 1) through three views. */
static void feed(SimTimeline *t)
{
    note(t, 1, PROTO_NOTE_VIEW_ENTERED, 1, PROTO_VIEW_BY_START, 0);
    note(t, 2, PROTO_NOTE_VIEW_ENTERED, 1, PROTO_VIEW_BY_START, 0);
    note(t, 1, PROTO_NOTE_PROPOSED, 1, PROTO_EVIDENCE_NONE, 1500);
    note(t, 1, PROTO_NOTE_VOTED, 1, 0, 2000);
    note(t, 2, PROTO_NOTE_VOTED, 1, 0, 3000);
    note(t, 2, PROTO_NOTE_QC_FORMED, 1, 3, 5 * SIM_US);
    note(t, 2, PROTO_NOTE_VIEW_ENTERED, 2, PROTO_VIEW_BY_QC, 5 * SIM_US);
    note(t, 2, PROTO_NOTE_PROPOSED, 2, PROTO_EVIDENCE_NONE, 6 * SIM_US);
    note(t, 1, PROTO_NOTE_VIEW_ENTERED, 2, PROTO_VIEW_BY_PROPOSAL, 6500);
    note(t, 1, PROTO_NOTE_VOTED, 2, 0, 7 * SIM_US);
    note(t, 2, PROTO_NOTE_REJECTED, PROTO_MSG_QUORUM_VOTE, PROTO_ERR_SIGNATURE, 7 * SIM_US);
    ProtoLeaf leaves[2] = {{.view = 2, .header.height = 2}, {.view = 1, .header.height = 1}};
    ProtoLeaf *newest_first[2] = {&leaves[0], &leaves[1]};
    ProtoAction decide = {.kind = PROTO_ACTION_DECIDE, .leaves = newest_first, .leaf_count = 2};
    sim_timeline_on_action(t, 2, &decide, 8 * SIM_US);
    note(t, 2, PROTO_NOTE_TIMED_OUT, 2, 1, 10 * SIM_MS);
    note(t, 2, PROTO_NOTE_VIEW_ENTERED, 3, PROTO_VIEW_BY_TIMEOUT, 10 * SIM_MS);
    note(t, 1, PROTO_NOTE_VIEW_ENTERED, 3, PROTO_VIEW_BY_TIMEOUT, 11 * SIM_MS);
    note(t, 2, PROTO_NOTE_VIEW_SYNC_STARTED, 3, 0, 12 * SIM_MS);
    sim_timeline_add_fault(t, "down", "crash", 1 * SIM_MS, SIM_TIME_NONE, "3");
}

static void expect_span(const Event *e, const char *name, uint64_t ts, uint64_t end,
                        const char *reason, int64_t leader)
{
    ck_assert_str_eq(e->ph, "X");
    ck_assert_str_eq(e->name, name);
    ck_assert_uint_eq(e->ts_ns, us_floor(ts));
    ck_assert_uint_eq(e->ts_ns + e->dur_ns, us_floor(end));
    ck_assert_str_eq(arg_string(e, "reason"), reason);
    ck_assert_int_eq(arg_int(e, "leader"), leader);
}

static void expect_instant(const Event *e, const char *name, uint64_t ts)
{
    ck_assert_str_eq(e->ph, "i");
    ck_assert_str_eq(e->name, name);
    ck_assert_uint_eq(e->ts_ns, us_floor(ts));
}

START_TEST(hand_made_actions_become_the_expected_events)
{
    ProtoStakeTable *stake = small_stake();
    SimTimeline *timeline = sim_timeline_new(4, stake, NULL);
    feed(timeline);
    char *dir = temp_dir(), *path = g_build_filename(dir, "t.json", NULL);
    ck_assert(sim_timeline_write(timeline, path, 20 * SIM_MS, NULL));
    Trace t = {0};
    trace_load(&t, path);
    GPtrArray *node2 = track(&t, SIM_TIMELINE_PID_VALIDATORS, 3);
    ck_assert_uint_eq(node2->len, 10);
    const Event *const *e = (const Event *const *)node2->pdata;
    expect_span(e[0], "view 1", 0, 5 * SIM_US, "start", 1);
    expect_instant(e[1], "voted", 3000);
    expect_span(e[2], "view 2", 5 * SIM_US, 10 * SIM_MS, "qc", 2);
    expect_instant(e[3], "qc_formed", 5 * SIM_US); /* spans first at equal times */
    ck_assert_int_eq(arg_int(e[3], "signers"), 3);
    expect_instant(e[4], "proposed", 6 * SIM_US);
    ck_assert_str_eq(arg_string(e[4], "evidence"), "none");
    expect_instant(e[5], "rejected", 7 * SIM_US);
    ck_assert_str_eq(arg_string(e[5], "error"), "signature");
    ck_assert_str_eq(arg_string(e[5], "message"), "quorum_vote");
    expect_instant(e[6], "decide", 8 * SIM_US);
    ck_assert_int_eq(arg_int(e[6], "leaves"), 2);
    ck_assert_int_eq(arg_int(e[6], "height_first"), 1);
    ck_assert_int_eq(arg_int(e[6], "height_last"), 2);
    ck_assert_int_eq(arg_int(e[6], "view_first"), 1);
    ck_assert_int_eq(arg_int(e[6], "view_last"), 2);
    expect_span(e[7], "view 3", 10 * SIM_MS, 20 * SIM_MS, "timeout", 3); /* open to the end */
    expect_instant(e[8], "timed_out", 10 * SIM_MS);
    ck_assert_int_eq(arg_int(e[8], "consecutive"), 1);
    expect_instant(e[9], "view_sync_started", 12 * SIM_MS);
    ck_assert_int_eq(arg_int(e[9], "round"), 3);
    g_ptr_array_unref(node2);
    GPtrArray *faults = track(&t, SIM_TIMELINE_PID_FAULTS, 1);
    ck_assert_uint_eq(faults->len, 1);
    const Event *f = g_ptr_array_index(faults, 0);
    ck_assert_uint_eq(f->ts_ns, 1 * SIM_MS);
    ck_assert_uint_eq(f->ts_ns + f->dur_ns, 20 * SIM_MS); /* still on: to the end of the run */
    ck_assert(!json_object_get_boolean_member(f->args, "ended"));
    g_ptr_array_unref(faults);
    trace_clear(&t);
    sim_timeline_free(timeline);
    proto_stake_table_free(stake);
    g_free(path);
    remove_dir(dir, (const char *const[]){"t.json", NULL});
}
END_TEST

START_TEST(outside_the_sample_hand_made)
{
    ProtoStakeTable *stake = small_stake();
    SimNodeSet sample;
    sim_node_set_init(&sample, 4);
    sim_node_set_add(&sample, 2);
    SimTimeline *timeline = sim_timeline_new(4, stake, &sample);
    feed(timeline);
    char *dir = temp_dir(), *path = g_build_filename(dir, "t.json", NULL);
    ck_assert(sim_timeline_write(timeline, path, 20 * SIM_MS, NULL));
    Trace t = {0};
    trace_load(&t, path);
    /* Node 1 leads view 1 only: its span of view 1 (to its entering view 2) and its proposal. */
    GPtrArray *node1 = track(&t, SIM_TIMELINE_PID_VALIDATORS, 2);
    ck_assert_uint_eq(node1->len, 2);
    expect_span(g_ptr_array_index(node1, 0), "view 1", 0, 6500, "start", 1);
    expect_instant(g_ptr_array_index(node1, 1), "proposed", 1500);
    g_ptr_array_unref(node1);
    GPtrArray *node2 = track(&t, SIM_TIMELINE_PID_VALIDATORS, 3);
    ck_assert_uint_eq(node2->len, 10); /* in the sample: everything */
    g_ptr_array_unref(node2);
    const Event *label = metadata(&t, "thread_name", SIM_TIMELINE_PID_VALIDATORS, 2);
    ck_assert_str_eq(json_object_get_string_member(label->args, "name"), "node 1 (leader only)");
    label = metadata(&t, "thread_name", SIM_TIMELINE_PID_VALIDATORS, 3);
    ck_assert_str_eq(json_object_get_string_member(label->args, "name"), "node 2");
    ck_assert_ptr_null(metadata(&t, "thread_name", SIM_TIMELINE_PID_VALIDATORS, 1));
    ck_assert_ptr_null(metadata(&t, "thread_name", SIM_TIMELINE_PID_VALIDATORS, 4));
    char *message = check_sample(&t, stake, &sample);
    ck_assert_msg(message == NULL, "%s", message);
    trace_clear(&t);
    sim_timeline_free(timeline);
    sim_node_set_clear(&sample);
    proto_stake_table_free(stake);
    g_free(path);
    remove_dir(dir, (const char *const[]){"t.json", NULL});
}
END_TEST

START_TEST(writing_twice_gives_the_same_file_and_recording_goes_on)
{
    ProtoStakeTable *stake = small_stake();
    SimTimeline *timeline = sim_timeline_new(4, stake, NULL);
    feed(timeline);
    size_t recorded = sim_timeline_event_count(timeline);
    char *dir = temp_dir();
    char *a = g_build_filename(dir, "a.json", NULL), *b = g_build_filename(dir, "b.json", NULL);
    ck_assert(sim_timeline_write(timeline, a, 20 * SIM_MS, NULL));
    ck_assert_uint_eq(sim_timeline_event_count(timeline), recorded);
    ck_assert(sim_timeline_write(timeline, b, 20 * SIM_MS, NULL));
    GBytes *first = file_bytes(a), *second = file_bytes(b);
    ck_assert(g_bytes_equal(first, second));
    /* The open view of node 2 closes once, when it enters view 4, not at the earlier writes. */
    note(timeline, 2, PROTO_NOTE_VIEW_ENTERED, 4, PROTO_VIEW_BY_VIEW_SYNC, 15 * SIM_MS);
    ck_assert(sim_timeline_write(timeline, a, 30 * SIM_MS, NULL));
    Trace t = {0};
    trace_load(&t, a);
    GPtrArray *node2 = track(&t, SIM_TIMELINE_PID_VALIDATORS, 3);
    ck_assert_uint_eq(node2->len, 11);
    expect_span(g_ptr_array_index(node2, 7), "view 3", 10 * SIM_MS, 15 * SIM_MS, "timeout", 3);
    expect_span(g_ptr_array_index(node2, 10), "view 4", 15 * SIM_MS, 30 * SIM_MS, "view_sync", 0);
    char *message = check_spans(&t);
    ck_assert_msg(message == NULL, "%s", message);
    g_ptr_array_unref(node2);
    trace_clear(&t);
    g_bytes_unref(first);
    g_bytes_unref(second);
    sim_timeline_free(timeline);
    proto_stake_table_free(stake);
    g_free(a);
    g_free(b);
    remove_dir(dir, (const char *const[]){"a.json", "b.json", NULL});
}
END_TEST

/* The L1 side's tracks: one per name in order of first use, instants and spans with their
 * height, labelled; clearing them and adding again writes them once. */
START_TEST(l1_tracks_hold_instants_and_spans)
{
    ProtoStakeTable *stake = small_stake();
    SimTimeline *timeline = sim_timeline_new(4, stake, NULL);
    feed(timeline);
    for (int round = 0; round < 2; round++) {
        sim_timeline_clear_l1(timeline);
        sim_timeline_add_l1(timeline, "L1 l1: blocks", "block", 12 * SIM_MS, SIM_TIME_NONE, 1);
        sim_timeline_add_l1(timeline, "L1 l1: light-client prover", "proving", 2 * SIM_MS,
                            5 * SIM_MS, 7);
        sim_timeline_add_l1(timeline, "L1 l1: blocks", "block", 24 * SIM_MS, SIM_TIME_NONE, 2);
    }
    char *dir = temp_dir();
    char *a = g_build_filename(dir, "a.json", NULL);
    ck_assert(sim_timeline_write(timeline, a, 30 * SIM_MS, NULL));
    Trace t = {0};
    trace_load(&t, a);
    GPtrArray *blocks = track(&t, SIM_TIMELINE_PID_L1, 1);
    GPtrArray *prover = track(&t, SIM_TIMELINE_PID_L1, 2);
    ck_assert_uint_eq(blocks->len, 2);
    ck_assert_uint_eq(prover->len, 1);
    const Event *span = g_ptr_array_index(prover, 0);
    ck_assert_str_eq(span->ph, "X");
    ck_assert_int_eq(json_object_get_int_member(span->args, "height"), 7);
    const Event *label = metadata(&t, "thread_name", SIM_TIMELINE_PID_L1, 2);
    ck_assert_ptr_nonnull(label);
    ck_assert_str_eq(json_object_get_string_member(label->args, "name"),
                     "L1 l1: light-client prover");
    char *message = check_labels(&t);
    ck_assert_msg(message == NULL, "%s", message);
    g_ptr_array_unref(blocks);
    g_ptr_array_unref(prover);
    trace_clear(&t);
    sim_timeline_free(timeline);
    proto_stake_table_free(stake);
    g_free(a);
    remove_dir(dir, (const char *const[]){"a.json", NULL});
}
END_TEST

START_TEST(a_view_entered_out_of_order_does_not_overlap)
{
    ProtoStakeTable *stake = small_stake();
    SimTimeline *timeline = sim_timeline_new(4, stake, NULL);
    note(timeline, 0, PROTO_NOTE_VIEW_ENTERED, 1, PROTO_VIEW_BY_START, 5 * SIM_MS);
    note(timeline, 0, PROTO_NOTE_VIEW_ENTERED, 2, PROTO_VIEW_BY_QC, 3 * SIM_MS); /* earlier */
    char *dir = temp_dir(), *path = g_build_filename(dir, "t.json", NULL);
    ck_assert(sim_timeline_write(timeline, path, 10 * SIM_MS, NULL));
    Trace t = {0};
    trace_load(&t, path);
    char *message = check_spans(&t);
    ck_assert_msg(message == NULL, "%s", message);
    GPtrArray *node0 = track(&t, SIM_TIMELINE_PID_VALIDATORS, 1);
    ck_assert_uint_eq(node0->len, 2);
    expect_span(g_ptr_array_index(node0, 0), "view 1", 5 * SIM_MS, 5 * SIM_MS, "start", 1);
    expect_span(g_ptr_array_index(node0, 1), "view 2", 5 * SIM_MS, 10 * SIM_MS, "qc", 2);
    g_ptr_array_unref(node0);
    trace_clear(&t);
    sim_timeline_free(timeline);
    proto_stake_table_free(stake);
    g_free(path);
    remove_dir(dir, (const char *const[]){"t.json", NULL});
}
END_TEST

START_TEST(a_write_that_fails_reports_it_and_leaves_nothing)
{
    ProtoStakeTable *stake = small_stake();
    SimTimeline *timeline = sim_timeline_new(4, stake, NULL);
    feed(timeline);
    char *dir = temp_dir();
    /* The temporary file cannot be created: no such directory. */
    char *missing = g_build_filename(dir, "missing", "t.json", NULL);
    GError *error = NULL;
    ck_assert(!sim_timeline_write(timeline, missing, 20 * SIM_MS, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert(error->domain == G_IO_ERROR);
    g_clear_error(&error);
    ck_assert(!g_file_test(missing, G_FILE_TEST_EXISTS));
    /* The temporary file is written but cannot replace the target, a directory: it goes. */
    char *target = g_build_filename(dir, "out", NULL), *tmp = g_strconcat(target, ".tmp", NULL);
    ck_assert_int_eq(g_mkdir(target, 0700), 0);
    ck_assert(!sim_timeline_write(timeline, target, 20 * SIM_MS, &error));
    ck_assert_ptr_nonnull(error);
    g_clear_error(&error);
    ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
    ck_assert(g_file_test(target, G_FILE_TEST_IS_DIR));
    /* And a write that works leaves no temporary file either. */
    ck_assert_int_eq(g_rmdir(target), 0);
    ck_assert(sim_timeline_write(timeline, target, 20 * SIM_MS, NULL));
    ck_assert(g_file_test(target, G_FILE_TEST_IS_REGULAR));
    ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
    sim_timeline_free(timeline);
    proto_stake_table_free(stake);
    g_free(missing);
    g_free(target);
    g_free(tmp);
    remove_dir(dir, (const char *const[]){"out", NULL});
}
END_TEST

START_TEST(the_default_sample_spreads_evenly)
{
    SimNodeSet set;
    sim_timeline_default_sample(1000, 32, &set);
    ck_assert_uint_eq(sim_node_set_count(&set), 32);
    uint32_t ids[32];
    ck_assert_uint_eq(sim_node_set_members(&set, ids, 32), 32);
    ck_assert_uint_eq(ids[0], 0);
    ck_assert_uint_eq(ids[1], 31);   /* floor(1000 / 32) */
    ck_assert_uint_eq(ids[16], 500); /* the middle */
    ck_assert_uint_eq(ids[31], 968); /* floor(31 * 1000 / 32) */
    for (int i = 1; i < 32; i++)
        ck_assert_uint_le(ids[i] - ids[i - 1], 32);
    sim_node_set_clear(&set);
    sim_timeline_default_sample(10, 32, &set);
    ck_assert_uint_eq(sim_node_set_count(&set), 10);
    sim_node_set_clear(&set);
    sim_timeline_default_sample(33, 32, &set);
    ck_assert_uint_eq(sim_node_set_count(&set), 32);
    sim_node_set_clear(&set);
}
END_TEST

/* --- the checkers reject what breaks their rules -------------------------------------------- */

static char *parse_text(const char *text, Trace *trace)
{
    *trace = (Trace){0};
    return trace_parse(trace, text, -1);
}

static void expect_rejected(const char *text, const char *why)
{
    Trace t;
    char *message = parse_text(text, &t);
    ck_assert_msg(message != NULL, "accepted a trace where %s", why);
    g_free(message);
    trace_clear(&t);
}

#define EVENT_I "{\"name\":\"voted\",\"cat\":\"consensus\",\"ph\":\"i\",\"s\":\"t\",\"ts\":1.5,"
#define HEAD    "{\"displayTimeUnit\":\"ms\",\"traceEvents\":["

START_TEST(the_format_checker_rejects_broken_documents)
{
    Trace t;
    char *message = parse_text(HEAD EVENT_I "\"pid\":1,\"tid\":1,\"args\":{}}]}", &t);
    ck_assert_msg(message == NULL, "%s", message); /* the well-formed baseline */
    trace_clear(&t);
    expect_rejected("[]", "the root is an array");
    expect_rejected("{\"traceEvents\":[]}", "displayTimeUnit is missing");
    expect_rejected(HEAD "]}", "there are no events");
    expect_rejected(HEAD EVENT_I "\"pid\":1,\"tid\":1}]}", "args is missing");
    expect_rejected(HEAD EVENT_I "\"pid\":\"1\",\"tid\":1,\"args\":{}}]}", "pid is a string");
    expect_rejected(HEAD "{\"name\":\"v\",\"cat\":\"view\",\"ph\":\"X\",\"ts\":0,\"pid\":1,"
                         "\"tid\":1,\"args\":{}}]}",
                    "an X event has no dur");
    expect_rejected(HEAD "{\"name\":\"v\",\"cat\":\"c\",\"ph\":\"i\",\"ts\":0,\"pid\":1,"
                         "\"tid\":1,\"args\":{}}]}",
                    "an instant has no scope");
    expect_rejected(HEAD "{\"name\":\"v\",\"ph\":\"i\",\"s\":\"t\",\"ts\":0,\"pid\":1,"
                         "\"tid\":1,\"args\":{}}]}",
                    "cat is missing");
    expect_rejected(HEAD "{\"name\":\"v\",\"cat\":\"c\",\"ph\":\"i\",\"s\":\"t\",\"ts\":\"0\","
                         "\"pid\":1,\"tid\":1,\"args\":{}}]}",
                    "ts is a string");
}
END_TEST

START_TEST(the_span_and_label_checkers_reject_what_they_should)
{
    static const char overlapping[] =
        HEAD "{\"name\":\"view 1\",\"cat\":\"view\",\"ph\":\"X\",\"ts\":0,\"dur\":10,\"pid\":1,"
             "\"tid\":1,\"args\":{\"view\":1}},"
             "{\"name\":\"view 2\",\"cat\":\"view\",\"ph\":\"X\",\"ts\":9.999,\"dur\":5,\"pid\":1,"
             "\"tid\":1,\"args\":{\"view\":2}}]}";
    Trace t;
    char *message = parse_text(overlapping, &t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_spans(&t);
    ck_assert_ptr_nonnull(message); /* view 2 starts 1 ns before view 1 ends */
    g_free(message);
    message = check_order(&t);
    ck_assert_msg(message == NULL, "%s", message); /* in order of start, though overlapping */
    message = check_labels(&t);
    ck_assert_ptr_nonnull(message); /* no process_name, no thread_name */
    g_free(message);
    trace_clear(&t);
    static const char unordered[] = HEAD EVENT_I "\"pid\":1,\"tid\":2,\"args\":{}}," EVENT_I
                                                 "\"pid\":1,\"tid\":1,\"args\":{}}]}";
    message = parse_text(unordered, &t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_order(&t);
    ck_assert_ptr_nonnull(message); /* thread 2's event before thread 1's */
    g_free(message);
    trace_clear(&t);
    static const char misnamed[] =
        HEAD "{\"name\":\"process_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"ts\":0,"
             "\"pid\":1,\"tid\":0,\"args\":{\"name\":\"validators\"}},"
             "{\"name\":\"thread_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"ts\":0,"
             "\"pid\":1,\"tid\":1,\"args\":{\"name\":\"node 10\"}},"
             "{\"name\":\"thread_sort_index\",\"cat\":\"__metadata\",\"ph\":\"M\",\"ts\":0,"
             "\"pid\":1,\"tid\":1,\"args\":{\"sort_index\":0}}," EVENT_I
             "\"pid\":1,\"tid\":1,\"args\":{}}]}";
    message = parse_text(misnamed, &t);
    ck_assert_msg(message == NULL, "%s", message);
    message = check_labels(&t);
    ck_assert_ptr_nonnull(message); /* tid 1 is node 0, not node 10 */
    g_free(message);
    trace_clear(&t);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *runs = tcase_create("runs");
    tcase_set_timeout(runs, 300);
    tcase_add_test(runs, a_crash_run_gives_a_valid_labelled_trace_with_every_view);
    tcase_add_test(runs, proposals_sit_on_the_leaders_track_and_the_fault_has_its_window);
    tcase_add_test(runs, outside_the_sample_only_the_views_a_node_leads);
    tcase_add_test(runs, with_the_data_path_every_leaders_da_work_appears);
    tcase_add_test(runs, equal_runs_give_byte_identical_files);
    suite_add_tcase(s, runs);
    TCase *unit = tcase_create("unit");
    tcase_add_test(unit, hand_made_actions_become_the_expected_events);
    tcase_add_test(unit, outside_the_sample_hand_made);
    tcase_add_test(unit, writing_twice_gives_the_same_file_and_recording_goes_on);
    tcase_add_test(unit, l1_tracks_hold_instants_and_spans);
    tcase_add_test(unit, a_view_entered_out_of_order_does_not_overlap);
    tcase_add_test(unit, a_write_that_fails_reports_it_and_leaves_nothing);
    tcase_add_test(unit, the_default_sample_spreads_evenly);
    tcase_add_test(unit, the_format_checker_rejects_broken_documents);
    tcase_add_test(unit, the_span_and_label_checkers_reject_what_they_should);
    suite_add_tcase(s, unit);
    return s;
}
