/*
 * The Chrome trace-event timeline of a run; see timeline.h for the event model.
 *
 * How it works. Recording appends fixed-size records to one array: a note or a decide becomes
 * one record at once; a view span becomes one when it closes (the node enters its next view),
 * so each validator holds at most one open span, kept apart. Writing appends a provisional
 * record for each span still open, sorts the array by (node, time, spans first, arrival),
 * streams the events, then removes the provisional records again: the recorded content is the
 * same afterwards and the timeline can go on recording or be written again.
 *
 * The file is written one event at a time: each event is built with a JsonBuilder and turned
 * into text by a JsonGenerator; only the fixed text around the array ({"traceEvents":[, the
 * separators and ],"displayTimeUnit":"ms"}) is written as literal bytes. Building the whole
 * document as one JsonNode tree would cost about a kilobyte per event in memory.
 */
#include "sim/out/timeline.h"

#include "sim/core/assert.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>

/* Record kinds: the ProtoNoteKind values (from 1), plus a view span and a decide. */
enum {
    ENTRY_SPAN = 0,
    ENTRY_DECIDE = PROTO_NOTE_KIND_COUNT_,
};
_Static_assert(PROTO_NOTE_KIND_COUNT_ < 255, "record kinds fit in a byte");

typedef struct Entry {
    SimTime at;     /* span: its start */
    uint64_t view;  /* note: its view; span: the view; decide: the newest leaf's view */
    int64_t value;  /* note: its value; span: the ProtoViewReason; decide: the newest height */
    uint64_t extra; /* span: its end; decide: the oldest leaf's view */
    uint32_t node;
    uint32_t seq;   /* arrival order, the last sort key */
    uint32_t count; /* decide: leaves; span: 1 when provisional (still open, see write) */
    uint8_t kind;
} Entry;
_Static_assert(sizeof(Entry) == 48, "a record stays compact");

/* The view a validator is in, while its span is recorded (start SIM_TIME_NONE: none). */
typedef struct OpenView {
    SimTime start;
    uint64_t view;
    uint8_t reason;
} OpenView;

typedef struct FaultSpan {
    char *name;
    char *kind;
    char *nodes; /* may be NULL */
    SimTime start;
    SimTime end; /* SIM_TIME_NONE: still on */
} FaultSpan;

struct SimTimeline {
    uint32_t node_count;
    const ProtoStakeTable *stake; /* borrowed */
    SimTimelineLeaderFn leader;   /* NULL: the stake table's leader */
    const void *leader_data;
    SimNodeSet sample;
    GArray *entries;      /* Entry */
    OpenView *open;       /* one per validator */
    GArray *faults;       /* FaultSpan */
    GArray *epochs;       /* SimTimelineEpoch */
    GArray *l1_events;    /* L1Event, or NULL before the first */
    GPtrArray *l1_tracks; /* their names, by first use */
    uint32_t seq_next;
    SimTime last_at; /* the latest `now` seen (0 before any) */
};

static void fault_span_clear(gpointer data)
{
    FaultSpan *f = data;
    g_free(f->name);
    g_free(f->kind);
    g_free(f->nodes);
}

SimTimeline *sim_timeline_new(uint32_t node_count, const ProtoStakeTable *stake,
                              const SimNodeSet *sample)
{
    SIM_ASSERT(node_count > 0);
    SIM_ASSERT(stake != NULL);
    SIM_ASSERT(proto_stake_node_count(stake) == node_count);
    SIM_ASSERT(sample == NULL || sample->node_count == node_count);
    SimTimeline *t = g_new0(SimTimeline, 1);
    t->node_count = node_count;
    t->stake = stake;
    if (sample != NULL) {
        sim_node_set_copy(&t->sample, sample);
    } else {
        sim_node_set_init(&t->sample, node_count);
        sim_node_set_fill(&t->sample);
    }
    t->entries = g_array_new(FALSE, FALSE, sizeof(Entry));
    t->open = g_new(OpenView, node_count);
    for (uint32_t i = 0; i < node_count; i++)
        t->open[i] = (OpenView){SIM_TIME_NONE, 0, 0};
    t->faults = g_array_new(FALSE, TRUE, sizeof(FaultSpan));
    g_array_set_clear_func(t->faults, fault_span_clear);
    t->epochs = g_array_new(FALSE, TRUE, sizeof(SimTimelineEpoch));
    return t;
}

void sim_timeline_free(SimTimeline *t)
{
    if (t == NULL) return;
    g_array_unref(t->entries);
    g_array_unref(t->faults);
    g_array_unref(t->epochs);
    if (t->l1_events != NULL) g_array_unref(t->l1_events);
    if (t->l1_tracks != NULL) g_ptr_array_unref(t->l1_tracks);
    g_free(t->open);
    sim_node_set_clear(&t->sample);
    g_free(t);
}

size_t sim_timeline_event_count(const SimTimeline *t)
{
    SIM_ASSERT(t != NULL);
    return t->entries->len;
}

/* --- recording ------------------------------------------------------------------------------ */

static void append(SimTimeline *t, Entry *e)
{
    SIM_ASSERT(e->node < t->node_count);
    SIM_ASSERT(t->seq_next < UINT32_MAX);
    e->seq = t->seq_next++;
    g_array_append_val(t->entries, *e);
}

static void close_view(SimTimeline *t, uint32_t node, SimTime end, uint32_t provisional)
{
    const OpenView *open = &t->open[node];
    SIM_ASSERT(open->start != SIM_TIME_NONE);
    SIM_ASSERT(end >= open->start);
    Entry e = {.at = open->start,
               .view = open->view,
               .value = open->reason,
               .extra = end,
               .node = node,
               .count = provisional,
               .kind = ENTRY_SPAN};
    append(t, &e);
}

/* Closes the node's open span and opens one for `view` if the node's views are recorded. A span
 * never starts before the previous one ended, so a node's spans never overlap. */
static ProtoNodeId leader_of(const SimTimeline *t, ProtoView view)
{
    if (t->leader != NULL) return t->leader(t->leader_data, view);
    return proto_stake_leader(t->stake, view);
}

void sim_timeline_set_leader(SimTimeline *t, SimTimelineLeaderFn leader, const void *data)
{
    SIM_ASSERT(t != NULL);
    t->leader = leader;
    t->leader_data = data;
}

static void enter_view(SimTimeline *t, uint32_t node, const ProtoAction *a, SimTime now,
                       gboolean sampled)
{
    OpenView *open = &t->open[node];
    SimTime start = now;
    if (open->start != SIM_TIME_NONE) {
        start = sim_time_max(now, open->start);
        close_view(t, node, start, 0);
        open->start = SIM_TIME_NONE;
    }
    if (!sampled && leader_of(t, a->view) != node) return;
    SIM_ASSERT(a->value >= PROTO_VIEW_BY_START);
    SIM_ASSERT(a->value <= PROTO_VIEW_BY_VIEW_SYNC);
    *open = (OpenView){start, a->view, (uint8_t)a->value};
}

/* Whether a note is work `node` does as a leader: of the note's view, or (certificates formed
 * from votes, which go to the next leader) of the view after it. */
static gboolean leader_work(const SimTimeline *t, uint32_t node, const ProtoAction *a)
{
    ProtoView led = a->view;
    switch (a->note) {
    case PROTO_NOTE_PROPOSED:
    case PROTO_NOTE_BLOCK_READY:
    case PROTO_NOTE_DAC_FORMED:
        break;
    case PROTO_NOTE_QC_FORMED:
    case PROTO_NOTE_TC_FORMED:
        if (a->view == UINT64_MAX) return FALSE;
        led = a->view + 1;
        break;
    case PROTO_NOTE_VIEW_ENTERED:
    case PROTO_NOTE_VOTED:
    case PROTO_NOTE_TIMED_OUT:
    case PROTO_NOTE_VIEW_SYNC_STARTED:
    case PROTO_NOTE_VIEW_SYNC_CERT:
    case PROTO_NOTE_REJECTED:
    case PROTO_NOTE_UNSAFE_PROPOSAL:
    case PROTO_NOTE_FETCH:
    case PROTO_NOTE_DA_STORED:
    case PROTO_NOTE_SHARE_STORED:
    case PROTO_NOTE_KIND_COUNT_:
        return FALSE;
    }
    return leader_of(t, led) == node;
}

static void record_decide(SimTimeline *t, uint32_t node, const ProtoAction *a, SimTime now)
{
    SIM_ASSERT(a->leaf_count > 0);
    SIM_ASSERT(a->leaves != NULL);
    const ProtoLeaf *newest = a->leaves[0], *oldest = a->leaves[a->leaf_count - 1];
    SIM_ASSERT(oldest->view <= newest->view);
    Entry e = {.at = now,
               .view = newest->view,
               .value = (int64_t)newest->header.height,
               .extra = oldest->view,
               .node = node,
               .count = a->leaf_count,
               .kind = ENTRY_DECIDE};
    append(t, &e);
}

void sim_timeline_on_action(SimTimeline *t, uint32_t node, const ProtoAction *a, SimTime now)
{
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(node < t->node_count);
    SIM_ASSERT(now != SIM_TIME_NONE);
    t->last_at = sim_time_max(t->last_at, now);
    gboolean sampled = sim_node_set_contains(&t->sample, node);
    if (a->kind == PROTO_ACTION_DECIDE) {
        if (sampled) record_decide(t, node, a, now);
        return;
    }
    if (a->kind != PROTO_ACTION_NOTE) return;
    SIM_ASSERT(a->note > 0 && a->note < PROTO_NOTE_KIND_COUNT_);
    if (a->note == PROTO_NOTE_VIEW_ENTERED) {
        enter_view(t, node, a, now, sampled);
    } else if (sampled || leader_work(t, node, a)) {
        Entry e = {
            .at = now, .view = a->view, .value = a->value, .node = node, .kind = (uint8_t)a->note};
        append(t, &e);
    }
}

typedef struct L1Event {
    guint track; /* index into l1_tracks */
    char *name;
    SimTime start;
    SimTime end; /* SIM_TIME_NONE: an instant */
    uint64_t height;
} L1Event;

static void clear_l1_event(gpointer data)
{
    g_free(((L1Event *)data)->name);
}

void sim_timeline_add_l1(SimTimeline *t, const char *track, const char *name, SimTime start,
                         SimTime end, uint64_t height)
{
    SIM_ASSERT(t != NULL && track != NULL && name != NULL);
    SIM_ASSERT(start != SIM_TIME_NONE && (end == SIM_TIME_NONE || end >= start));
    if (t->l1_events == NULL) {
        t->l1_events = g_array_new(FALSE, FALSE, sizeof(L1Event));
        g_array_set_clear_func(t->l1_events, clear_l1_event);
        t->l1_tracks = g_ptr_array_new_with_free_func(g_free);
    }
    guint index = 0;
    while (index < t->l1_tracks->len && strcmp(t->l1_tracks->pdata[index], track) != 0)
        index++;
    if (index == t->l1_tracks->len) g_ptr_array_add(t->l1_tracks, g_strdup(track));
    L1Event e = {index, g_strdup(name), start, end, height};
    g_array_append_val(t->l1_events, e);
}

void sim_timeline_add_fault(SimTimeline *t, const char *name, const char *kind, SimTime start,
                            SimTime end, const char *nodes)
{
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(name != NULL && kind != NULL);
    SIM_ASSERT(start != SIM_TIME_NONE);
    SIM_ASSERT(end == SIM_TIME_NONE || end >= start);
    FaultSpan f = {g_strdup(name), g_strdup(kind), g_strdup(nodes), start, end};
    g_array_append_val(t->faults, f);
}

void sim_timeline_add_epoch(SimTimeline *t, const SimTimelineEpoch *epoch)
{
    SIM_ASSERT(t != NULL && epoch != NULL);
    SIM_ASSERT(epoch->start != SIM_TIME_NONE);
    SIM_ASSERT(epoch->end == SIM_TIME_NONE || epoch->end >= epoch->start);
    g_array_append_val(t->epochs, *epoch);
}

void sim_timeline_default_sample(uint32_t node_count, uint32_t max_nodes, SimNodeSet *out)
{
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(max_nodes > 0);
    sim_node_set_init(out, node_count);
    if (node_count <= max_nodes) {
        if (node_count > 0) sim_node_set_fill(out);
        return;
    }
    for (uint32_t i = 0; i < max_nodes; i++)
        sim_node_set_add(out, (uint32_t)((uint64_t)i * node_count / max_nodes));
    SIM_ASSERT(sim_node_set_count(out) == max_nodes);
}

/* --- ordering ------------------------------------------------------------------------------- */

/* (node, time, spans before instants, arrival): total, since arrival numbers are distinct. */
static int entry_compare(const void *pa, const void *pb)
{
    const Entry *a = pa, *b = pb;
    if (a->node != b->node) return a->node < b->node ? -1 : 1;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    int a_instant = a->kind != ENTRY_SPAN, b_instant = b->kind != ENTRY_SPAN;
    if (a_instant != b_instant) return a_instant - b_instant;
    return a->seq < b->seq ? -1 : (a->seq > b->seq ? 1 : 0);
}

/* Appends a provisional record for every span still open, ending at `end`. */
static void add_provisional(SimTimeline *t, SimTime end)
{
    for (uint32_t node = 0; node < t->node_count; node++) {
        if (t->open[node].start == SIM_TIME_NONE) continue;
        close_view(t, node, sim_time_max(end, t->open[node].start), 1);
    }
}

/* Removes the provisional records, keeping the others in their order. */
static void drop_provisional(SimTimeline *t)
{
    Entry *entries = (Entry *)(void *)t->entries->data;
    guint kept = 0;
    for (guint i = 0; i < t->entries->len; i++) {
        if (entries[i].kind == ENTRY_SPAN && entries[i].count != 0) continue;
        entries[kept++] = entries[i];
    }
    g_array_set_size(t->entries, kept);
}

/* --- writing: one event at a time ----------------------------------------------------------- */

typedef struct Writer {
    GOutputStream *out;
    JsonBuilder *builder;
    JsonGenerator *generator;
    guint events; /* written so far */
    GError *error;
} Writer;

static void write_bytes(Writer *w, const char *bytes, gsize len)
{
    if (w->error != NULL) return;
    g_output_stream_write_all(w->out, bytes, len, NULL, NULL, &w->error);
}

static void member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

static void member_int(JsonBuilder *b, const char *name, int64_t value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void member_uint(JsonBuilder *b, const char *name, uint64_t value)
{
    SIM_ASSERT(value <= (uint64_t)INT64_MAX);
    member_int(b, name, (int64_t)value);
}

/* Virtual nanoseconds as the format's microseconds, truncated to an integer: json-glib writes
 * a double with 17 significant digits (4484.8469999999998), long and tied to its formatting, so
 * whole microseconds it is. Records are sorted by the exact time, so the file keeps the order of
 * events that fall in the same microsecond. */
static void member_us(JsonBuilder *b, const char *name, SimTime ns)
{
    SIM_ASSERT(ns != SIM_TIME_NONE);
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, (int64_t)(ns / SIM_US));
}

/* The length of [start, end) in whole microseconds, truncating both ends the same way, so that
 * spans that touch still touch and spans that do not overlap still do not. */
static void member_dur(JsonBuilder *b, SimTime start, SimTime end)
{
    SIM_ASSERT(end >= start);
    json_builder_set_member_name(b, "dur");
    json_builder_add_int_value(b, (int64_t)(end / SIM_US - start / SIM_US));
}

/* Starts an event and its common members; the caller adds its own, then the args object. */
static void event_begin(Writer *w, const char *name, const char *cat, const char *ph, SimTime at,
                        int pid, uint32_t tid)
{
    SIM_ASSERT(name != NULL && cat != NULL);
    SIM_ASSERT(at != SIM_TIME_NONE);
    JsonBuilder *b = w->builder;
    json_builder_reset(b);
    json_builder_begin_object(b);
    member_string(b, "name", name);
    member_string(b, "cat", cat);
    member_string(b, "ph", ph);
    member_us(b, "ts", at);
    member_int(b, "pid", pid);
    member_uint(b, "tid", tid);
}

/* Closes the event (and its open args object) and writes it on a line of its own. */
static void event_end(Writer *w)
{
    JsonBuilder *b = w->builder;
    json_builder_end_object(b); /* args */
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    SIM_ASSERT(root != NULL);
    json_generator_set_root(w->generator, root);
    gsize len = 0;
    char *text = json_generator_to_data(w->generator, &len);
    SIM_ASSERT(len > 0);
    if (w->events++ > 0) write_bytes(w, ",\n", 2);
    write_bytes(w, text, len);
    g_free(text);
    json_node_unref(root);
}

static void args_begin(Writer *w)
{
    json_builder_set_member_name(w->builder, "args");
    json_builder_begin_object(w->builder);
}

static void metadata(Writer *w, const char *name, int pid, uint32_t tid, const char *label,
                     int64_t sort_index)
{
    event_begin(w, name, "__metadata", "M", 0, pid, tid);
    args_begin(w);
    if (label != NULL) {
        member_string(w->builder, "name", label);
    } else {
        member_int(w->builder, "sort_index", sort_index);
    }
    event_end(w);
}

/* --- writing: the events -------------------------------------------------------------------- */

static const char *note_category(uint8_t kind)
{
    switch ((ProtoNoteKind)kind) {
    case PROTO_NOTE_PROPOSED:
    case PROTO_NOTE_VOTED:
    case PROTO_NOTE_QC_FORMED:
    case PROTO_NOTE_UNSAFE_PROPOSAL:
    case PROTO_NOTE_FETCH:
        return "consensus";
    case PROTO_NOTE_TIMED_OUT:
    case PROTO_NOTE_TC_FORMED:
        return "timeout";
    case PROTO_NOTE_VIEW_SYNC_STARTED:
    case PROTO_NOTE_VIEW_SYNC_CERT:
        return "view_sync";
    case PROTO_NOTE_REJECTED:
        return "reject";
    case PROTO_NOTE_DA_STORED:
    case PROTO_NOTE_SHARE_STORED:
    case PROTO_NOTE_DAC_FORMED:
    case PROTO_NOTE_BLOCK_READY:
        return "da";
    case PROTO_NOTE_VIEW_ENTERED:
    case PROTO_NOTE_KIND_COUNT_:
        break;
    }
    SIM_UNREACHABLE();
}

static const char *evidence_name(int64_t evidence)
{
    switch (evidence) {
    case PROTO_EVIDENCE_NONE:
        return "none";
    case PROTO_EVIDENCE_TC:
        return "tc";
    case PROTO_EVIDENCE_VIEW_SYNC:
        return "view_sync";
    default:
        return "unknown";
    }
}

static const char *view_sync_cert_name(int64_t kind)
{
    switch (kind) {
    case PROTO_CERT_VS_PRECOMMIT:
        return "precommit";
    case PROTO_CERT_VS_COMMIT:
        return "commit";
    case PROTO_CERT_VS_FINALIZE:
        return "finalize";
    default:
        return "unknown";
    }
}

/* A REJECTED note: value is the error code, view the message type (when it is one). */
static void rejected_args(JsonBuilder *b, const Entry *e)
{
    member_string(b, "error", proto_strerror((int)e->value));
    member_int(b, "code", e->value);
    if (e->view > 0 && e->view < PROTO_MSG_TYPE_COUNT_) {
        member_string(b, "message", proto_msg_type_name((ProtoMsgType)e->view));
    }
}

/* The args of a note other than VIEW_ENTERED: what its view and value mean for its kind. */
static void note_args(JsonBuilder *b, const Entry *e)
{
    ProtoNoteKind kind = (ProtoNoteKind)e->kind;
    if (kind == PROTO_NOTE_REJECTED) {
        rejected_args(b, e);
    } else if (kind == PROTO_NOTE_FETCH) {
        member_int(b, "peer", e->value);
    } else if (kind == PROTO_NOTE_VIEW_SYNC_STARTED || kind == PROTO_NOTE_VIEW_SYNC_CERT) {
        member_uint(b, "round", e->view);
        if (kind == PROTO_NOTE_VIEW_SYNC_STARTED) {
            member_int(b, "relay", e->value);
        } else {
            member_string(b, "certificate", view_sync_cert_name(e->value));
        }
    } else {
        member_uint(b, "view", e->view);
        if (kind == PROTO_NOTE_PROPOSED) member_string(b, "evidence", evidence_name(e->value));
        if (kind == PROTO_NOTE_TIMED_OUT) member_int(b, "consecutive", e->value);
        if (kind == PROTO_NOTE_QC_FORMED || kind == PROTO_NOTE_TC_FORMED ||
            kind == PROTO_NOTE_DAC_FORMED) {
            member_int(b, "signers", e->value);
        }
        if (kind == PROTO_NOTE_DA_STORED || kind == PROTO_NOTE_BLOCK_READY) {
            member_int(b, "bytes", e->value);
        }
        if (kind == PROTO_NOTE_SHARE_STORED) member_int(b, "weight", e->value);
    }
}

static void write_span(Writer *w, const SimTimeline *t, const Entry *e)
{
    char name[32];
    g_snprintf(name, sizeof name, "view %" G_GUINT64_FORMAT, e->view);
    event_begin(w, name, "view", "X", e->at, SIM_TIMELINE_PID_VALIDATORS, e->node + 1);
    member_dur(w->builder, e->at, e->extra);
    args_begin(w);
    member_uint(w->builder, "view", e->view);
    member_string(w->builder, "reason", proto_view_reason_name((ProtoViewReason)e->value));
    member_uint(w->builder, "leader", leader_of(t, e->view));
    event_end(w);
}

static void write_decide(Writer *w, const Entry *e)
{
    SIM_ASSERT(e->count > 0);
    SIM_ASSERT((uint64_t)e->value + 1 >= e->count);
    event_begin(w, "decide", "decide", "i", e->at, SIM_TIMELINE_PID_VALIDATORS, e->node + 1);
    member_string(w->builder, "s", "t");
    args_begin(w);
    JsonBuilder *b = w->builder;
    member_uint(b, "leaves", e->count);
    /* A decided chain links each leaf to its parent, and heights grow by one along it. */
    member_int(b, "height_first", e->value - (int64_t)e->count + 1);
    member_int(b, "height_last", e->value);
    member_uint(b, "view_first", e->extra);
    member_uint(b, "view_last", e->view);
    event_end(w);
}

static void write_entry(Writer *w, const SimTimeline *t, const Entry *e)
{
    if (e->kind == ENTRY_SPAN) {
        write_span(w, t, e);
        return;
    }
    if (e->kind == ENTRY_DECIDE) {
        write_decide(w, e);
        return;
    }
    const char *name = proto_note_name((ProtoNoteKind)e->kind);
    event_begin(w, name, note_category(e->kind), "i", e->at, SIM_TIMELINE_PID_VALIDATORS,
                e->node + 1);
    member_string(w->builder, "s", "t");
    args_begin(w);
    note_args(w->builder, e);
    event_end(w);
}

static void write_fault(Writer *w, const FaultSpan *f, uint32_t tid, SimTime end_of_run)
{
    SimTime end = f->end != SIM_TIME_NONE ? f->end : sim_time_max(end_of_run, f->start);
    event_begin(w, f->name, "fault", "X", f->start, SIM_TIMELINE_PID_FAULTS, tid);
    member_dur(w->builder, f->start, end);
    args_begin(w);
    member_string(w->builder, "kind", f->kind);
    if (f->nodes != NULL) member_string(w->builder, "nodes", f->nodes);
    json_builder_set_member_name(w->builder, "ended");
    json_builder_add_boolean_value(w->builder, f->end != SIM_TIME_NONE);
    event_end(w);
}

static void write_epoch(Writer *w, const SimTimelineEpoch *e, SimTime end_of_run)
{
    SimTime end = e->end != SIM_TIME_NONE ? e->end : sim_time_max(end_of_run, e->start);
    char name[32];
    g_snprintf(name, sizeof name, "epoch %" G_GUINT64_FORMAT, e->epoch);
    event_begin(w, name, "epoch", "X", e->start, SIM_TIMELINE_PID_EPOCHS, 1);
    member_dur(w->builder, e->start, end);
    args_begin(w);
    member_uint(w->builder, "epoch", e->epoch);
    member_uint(w->builder, "validators", e->validators);
    member_uint(w->builder, "stake", e->stake);
    member_uint(w->builder, "transition_views", e->transition_views);
    event_end(w);
}

/* The epochs' process and track (with epochs only). */
static void write_epoch_labels(Writer *w, const SimTimeline *t)
{
    if (t->epochs->len == 0) return;
    const int pe = SIM_TIMELINE_PID_EPOCHS;
    metadata(w, "process_name", pe, 0, "epochs", 0);
    metadata(w, "process_sort_index", pe, 0, NULL, -1);
    metadata(w, "thread_name", pe, 1, "epochs", 0);
    metadata(w, "thread_sort_index", pe, 1, NULL, 0);
}

/* The track labels: processes, then a thread per validator with records (every sampled one
 * has a track even if it recorded nothing), then a thread per fault. */
static void write_labels(Writer *w, const SimTimeline *t)
{
    const int pv = SIM_TIMELINE_PID_VALIDATORS, pf = SIM_TIMELINE_PID_FAULTS;
    metadata(w, "process_name", pv, 0, "validators", 0);
    metadata(w, "process_sort_index", pv, 0, NULL, 1);
    SimNodeSet tracks;
    sim_node_set_copy(&tracks, &t->sample);
    const Entry *entries = (const Entry *)(const void *)t->entries->data;
    for (guint i = 0; i < t->entries->len; i++)
        sim_node_set_add(&tracks, entries[i].node);
    for (uint32_t node = 0; node < t->node_count; node++) {
        if (!sim_node_set_contains(&tracks, node)) continue;
        gboolean full = sim_node_set_contains(&t->sample, node);
        char label[48];
        g_snprintf(label, sizeof label, full ? "node %u" : "node %u (leader only)", node);
        metadata(w, "thread_name", pv, node + 1, label, 0);
        metadata(w, "thread_sort_index", pv, node + 1, NULL,
                 (int64_t)node + (full ? 0 : (int64_t)t->node_count));
    }
    sim_node_set_clear(&tracks);
    if (t->faults->len == 0) return;
    metadata(w, "process_name", pf, 0, "faults", 0);
    metadata(w, "process_sort_index", pf, 0, NULL, 0);
    for (guint i = 0; i < t->faults->len; i++) {
        const FaultSpan *f = &g_array_index(t->faults, FaultSpan, i);
        char *label = g_strdup_printf("%s (%s)", f->name, f->kind);
        metadata(w, "thread_name", pf, i + 1, label, 0);
        metadata(w, "thread_sort_index", pf, i + 1, NULL, i);
        g_free(label);
    }
}

void sim_timeline_clear_l1(SimTimeline *t)
{
    SIM_ASSERT(t != NULL);
    if (t->l1_events != NULL) g_array_set_size(t->l1_events, 0);
    if (t->l1_tracks != NULL) g_ptr_array_set_size(t->l1_tracks, 0);
}

static void write_l1(Writer *w, const SimTimeline *t)
{
    if (t->l1_events == NULL) return;
    const int pl = SIM_TIMELINE_PID_L1;
    metadata(w, "process_name", pl, 0, "L1 side", 0);
    metadata(w, "process_sort_index", pl, 0, NULL, 2);
    for (guint k = 0; k < t->l1_tracks->len; k++) {
        metadata(w, "thread_name", pl, k + 1, t->l1_tracks->pdata[k], 0);
        metadata(w, "thread_sort_index", pl, k + 1, NULL, k);
    }
    for (guint k = 0; k < t->l1_tracks->len; k++) {
        for (guint i = 0; i < t->l1_events->len; i++) {
            const L1Event *e = &g_array_index(t->l1_events, L1Event, i);
            if (e->track != k) continue;
            gboolean span = e->end != SIM_TIME_NONE;
            event_begin(w, e->name, "l1", span ? "X" : "i", e->start, pl, k + 1);
            if (span) {
                member_dur(w->builder, e->start, e->end);
            } else {
                member_string(w->builder, "s", "t");
            }
            args_begin(w);
            member_int(w->builder, "height", (int64_t)e->height);
            event_end(w);
        }
    }
}

/* Writes the document to `out`; the records must be sorted and the open spans closed. */
static gboolean write_document(const SimTimeline *t, GOutputStream *out, SimTime end_of_run,
                               GError **error)
{
    static const char head[] = "{\"traceEvents\":[\n";
    static const char tail[] = "\n],\"displayTimeUnit\":\"ms\"}\n";
    Writer w = {out, json_builder_new(), json_generator_new(), 0, NULL};
    write_bytes(&w, head, sizeof head - 1);
    write_labels(&w, t);
    write_epoch_labels(&w, t);
    const Entry *entries = (const Entry *)(const void *)t->entries->data;
    for (guint i = 0; i < t->entries->len && w.error == NULL; i++)
        write_entry(&w, t, &entries[i]);
    for (guint i = 0; i < t->faults->len; i++)
        write_fault(&w, &g_array_index(t->faults, FaultSpan, i), i + 1, end_of_run);
    for (guint i = 0; i < t->epochs->len; i++)
        write_epoch(&w, &g_array_index(t->epochs, SimTimelineEpoch, i), end_of_run);
    write_l1(&w, t);
    write_bytes(&w, tail, sizeof tail - 1);
    g_object_unref(w.builder);
    g_object_unref(w.generator);
    if (w.error == NULL) return TRUE;
    g_propagate_error(error, w.error);
    return FALSE;
}

/* Writes the document to the file `tmp` (created or truncated). */
static gboolean write_file(const SimTimeline *t, GFile *tmp, SimTime end_of_run, GError **error)
{
    GFileOutputStream *file =
        g_file_replace(tmp, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
    if (file == NULL) return FALSE;
    GOutputStream *out = g_buffered_output_stream_new_sized(G_OUTPUT_STREAM(file), 1 << 16);
    gboolean ok = write_document(t, out, end_of_run, error);
    /* Closing the buffer flushes it and closes the file under it; after a failed write its
     * error is the one reported. */
    if (!g_output_stream_close(out, NULL, ok ? error : NULL)) ok = FALSE;
    g_object_unref(out);
    g_object_unref(file);
    return ok;
}

gboolean sim_timeline_write(SimTimeline *t, const char *path, SimTime end_of_run, GError **error)
{
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(end_of_run != SIM_TIME_NONE);
    guint recorded = t->entries->len;
    uint32_t seq_next = t->seq_next;
    end_of_run = sim_time_max(end_of_run, t->last_at);
    add_provisional(t, end_of_run);
    if (t->entries->len > 1) qsort(t->entries->data, t->entries->len, sizeof(Entry), entry_compare);
    char *tmp_path = g_strconcat(path, ".tmp", NULL);
    GFile *tmp = g_file_new_for_path(tmp_path), *target = g_file_new_for_path(path);
    gboolean ok = write_file(t, tmp, end_of_run, error) &&
                  g_file_move(tmp, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
    if (!ok) g_file_delete(tmp, NULL, NULL);
    g_object_unref(tmp);
    g_object_unref(target);
    g_free(tmp_path);
    drop_provisional(t);
    t->seq_next = seq_next;
    SIM_ASSERT(t->entries->len == recorded);
    return ok;
}
