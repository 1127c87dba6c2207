/* The trace of a run, observed; see trace.h. */
#include "sim/out/trace.h"

#include "protocol/message.h"
#include "sim/core/assert.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

struct SimTrace {
    const SimRun *run;
    SimEngine *engine;
    SimNetwork *network;
    uint64_t every;
    GArray *checkpoints; /* SimTraceCheckpoint */
    GPtrArray *events;   /* SimTraceEvent *, kept */
    SimTraceEvent *open; /* the event in progress, when it is kept or dumped */
    uint64_t keep_first; /* 0: keep none */
    uint64_t keep_last;
    uint64_t stop_after;     /* 0: never */
    FILE *dump;              /* NULL: none */
    const GArray *reference; /* watched checkpoints, or NULL */
    guint reference_next;    /* the first reference checkpoint not yet compared */
    gboolean parted;
    gboolean finished;
    SimTime last_time; /* of the last event seen */
};

static void event_free(SimTraceEvent *e)
{
    if (e == NULL) return;
    g_byte_array_unref(e->bytes);
    g_array_unref(e->messages);
    g_free(e);
}

char *sim_trace_event_key(const SimTrace *t, const SimTraceEvent *e)
{
    const SimEvent *v = &e->event;
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%" PRIu64 " %" PRIu64 " %u %s %u %u %" PRIu64 " ", e->index,
                           v->time, v->kind, sim_engine_kind_name(t->engine, v->kind), v->target,
                           v->source, v->arg);
    if (e->bytes->len == SIM_ENGINE_RECORD_BYTES) g_string_append_c(out, '-');
    for (guint i = SIM_ENGINE_RECORD_BYTES; i < e->bytes->len; i++)
        g_string_append_printf(out, "%02x", e->bytes->data[i]);
    return g_string_free(out, FALSE);
}

static void dump_event(SimTrace *t, const SimTraceEvent *e)
{
    char *key = sim_trace_event_key(t, e);
    fputs(key, t->dump);
    g_free(key);
    fputs(" #", t->dump);
    for (guint i = 0; i < e->messages->len; i++) {
        const SimTraceMessage *m = &g_array_index(e->messages, SimTraceMessage, i);
        fprintf(t->dump, " %s:%u", sim_network_type_name(t->network, m->type), m->source);
    }
    fputc('\n', t->dump);
}

/* The event in progress is complete: kept, or dumped and dropped. */
static void close_open(SimTrace *t)
{
    SimTraceEvent *e = g_steal_pointer(&t->open);
    if (e == NULL) return;
    if (t->dump != NULL) dump_event(t, e);
    if (t->keep_first != 0 && e->index >= t->keep_first && e->index <= t->keep_last) {
        g_ptr_array_add(t->events, e);
    } else {
        event_free(e);
    }
}

static void add_checkpoint(SimTrace *t, uint64_t events)
{
    SimTraceCheckpoint c = {.events = events, .time = events == 0 ? 0 : t->last_time};
    sim_engine_digest(t->engine, c.digest);
    g_array_append_val(t->checkpoints, c);
    if (t->reference == NULL || t->parted) return;
    /* Compare with the reference's checkpoint at the same count, if it has one. */
    while (t->reference_next < t->reference->len &&
           g_array_index(t->reference, SimTraceCheckpoint, t->reference_next).events < events)
        t->reference_next++;
    if (t->reference_next >= t->reference->len) return;
    const SimTraceCheckpoint *r =
        &g_array_index(t->reference, SimTraceCheckpoint, t->reference_next);
    if (r->events == events && memcmp(r->digest, c.digest, SIM_DIGEST_BYTES) != 0) {
        t->parted = TRUE;
        sim_engine_request_stop(t->engine, "the trace parted from the reference");
    }
}

static void on_event(void *user_data, const SimEvent *event, uint64_t index, const uint8_t *record)
{
    SimTrace *t = user_data;
    SIM_ASSERT(!t->finished);
    SIM_ASSERT(index >= 1);
    close_open(t);
    if (index > 1 && (index - 1) % t->every == 0) add_checkpoint(t, index - 1);
    t->last_time = event->time;
    gboolean keep = t->keep_first != 0 && index >= t->keep_first && index <= t->keep_last;
    if (keep || t->dump != NULL) {
        SimTraceEvent *e = g_new0(SimTraceEvent, 1);
        e->index = index;
        e->event = *event;
        e->event.payload = NULL;
        e->bytes = g_byte_array_sized_new(SIM_ENGINE_RECORD_BYTES + SIM_MESSAGE_DIGEST_BYTES);
        g_byte_array_append(e->bytes, record, SIM_ENGINE_RECORD_BYTES);
        e->messages = g_array_new(FALSE, TRUE, sizeof(SimTraceMessage));
        t->open = e;
    }
    if (t->stop_after != 0 && index == t->stop_after) {
        sim_engine_request_stop(t->engine, "the traced window is complete");
    }
}

static void on_bytes(void *user_data, const void *data, size_t len)
{
    SimTrace *t = user_data;
    SIM_ASSERT(len <= G_MAXUINT);
    if (t->open != NULL) g_byte_array_append(t->open->bytes, data, (guint)len);
}

/* The view a message is about, by its type; FALSE when it names none or does not decode. */
static gboolean message_view(const SimTrace *t, const SimMessage *message, uint64_t *view)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(sim_message_bytes(message), &len);
    ProtoDecodeContext context = {sim_run_config(t->run)->nodes, NULL,
                                  sim_network_host_count(t->network)};
    ProtoMsg msg;
    if (proto_msg_decode(data, len, &context, &msg) != PROTO_OK) return FALSE;
    gboolean named = TRUE;
    switch (msg.type) {
    case PROTO_MSG_PROPOSAL:
    case PROTO_MSG_PROPOSAL_RESPONSE:
        *view = msg.proposal.view;
        break;
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_TIMEOUT_VOTE:
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
    case PROTO_MSG_VS_COMMIT_VOTE:
    case PROTO_MSG_VS_FINALIZE_VOTE:
    case PROTO_MSG_DA_VOTE:
        *view = msg.vote.view;
        break;
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
    case PROTO_MSG_DA_CERT:
    case PROTO_MSG_HIGH_QC: /* the view of the certificate it carries */
        named = msg.cert != NULL;
        if (named) *view = msg.cert->view;
        break;
    case PROTO_MSG_PROPOSAL_REQUEST:
        *view = msg.view;
        break;
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_REQUEST:
    case PROTO_MSG_VID_RESPONSE:
    case PROTO_MSG_BLOCK_REQUEST:
    case PROTO_MSG_BLOCK_RESPONSE:
    case PROTO_MSG_NS_REQUEST:
    case PROTO_MSG_NS_RESPONSE:
        *view = msg.data.view;
        break;
    case PROTO_MSG_TX_SUBMIT:
    case PROTO_MSG_DECIDE_NOTICE:
    case PROTO_MSG_TYPE_COUNT_:
    default:
        named = FALSE;
        break;
    }
    proto_msg_clear(&msg);
    return named;
}

static void on_delivery(void *user_data, uint32_t host, const SimMessage *message, SimTime now)
{
    (void)now;
    SimTrace *t = user_data;
    if (t->open == NULL) return;
    SimTraceMessage m = {.host = host,
                         .source = sim_message_source(message),
                         .type = sim_message_type(message),
                         .size = sim_message_size(message)};
    memcpy(m.digest, sim_message_digest(message), SIM_MESSAGE_DIGEST_BYTES);
    if (t->keep_first != 0 && t->open->index >= t->keep_first) {
        m.decoded = message_view(t, message, &m.view);
    }
    g_array_append_val(t->open->messages, m);
}

SimTrace *sim_trace_new(const SimRun *run, uint64_t every)
{
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(every > 0);
    SimTrace *t = g_new0(SimTrace, 1);
    t->run = run;
    t->engine = sim_run_engine(run);
    t->network = sim_run_network(run);
    SIM_ASSERT(sim_engine_trace_events(t->engine) == 0);
    t->every = every;
    t->checkpoints = g_array_new(FALSE, TRUE, sizeof(SimTraceCheckpoint));
    t->events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
    SimEngineTap tap = {on_event, on_bytes, t};
    sim_engine_set_tap(t->engine, &tap);
    sim_network_set_delivery_tap(t->network, on_delivery, t);
    return t;
}

static void untap(SimTrace *t)
{
    sim_engine_set_tap(t->engine, NULL);
    sim_network_set_delivery_tap(t->network, NULL, NULL);
}

void sim_trace_free(SimTrace *t)
{
    if (t == NULL) return;
    if (!t->finished) untap(t);
    event_free(t->open);
    g_array_unref(t->checkpoints);
    g_ptr_array_unref(t->events);
    g_free(t);
}

void sim_trace_keep(SimTrace *t, uint64_t first, uint64_t last)
{
    SIM_ASSERT(first >= 1);
    SIM_ASSERT(first <= last);
    t->keep_first = first;
    t->keep_last = last;
}

void sim_trace_dump(SimTrace *t, FILE *out)
{
    SIM_ASSERT(out != NULL);
    t->dump = out;
}

void sim_trace_stop_after(SimTrace *t, uint64_t events)
{
    SIM_ASSERT(events > 0);
    t->stop_after = events;
}

void sim_trace_watch(SimTrace *t, const GArray *reference)
{
    SIM_ASSERT(reference != NULL);
    t->reference = reference;
    t->reference_next = 0;
}

void sim_trace_finish(SimTrace *t)
{
    if (t->finished) return;
    close_open(t);
    uint64_t events = sim_engine_trace_events(t->engine);
    guint n = t->checkpoints->len;
    gboolean known =
        n > 0 && g_array_index(t->checkpoints, SimTraceCheckpoint, n - 1).events == events;
    if (!known && !t->parted) { /* a parted run's end says nothing: it was cut short */
        add_checkpoint(t, events);
    }
    untap(t);
    t->finished = TRUE;
}

const GArray *sim_trace_checkpoints(const SimTrace *t)
{
    return t->checkpoints;
}

const GPtrArray *sim_trace_events(const SimTrace *t)
{
    return t->events;
}

uint64_t sim_trace_every(const SimTrace *t)
{
    return t->every;
}

gboolean sim_trace_parted(const SimTrace *t)
{
    return t->parted;
}

static void append_time(GString *out, SimTime time)
{
    g_string_append_printf(out, "%" PRIu64 ".%09" PRIu64, time / 1000000000u, time % 1000000000u);
}

char *sim_trace_event_describe(const SimTrace *t, const SimTraceEvent *e)
{
    const SimEvent *v = &e->event;
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "event %" PRIu64 " at ", e->index);
    append_time(out, v->time);
    const char *kind = sim_engine_kind_name(t->engine, v->kind);
    /* A fault event's argument is its window's index times two, plus one when it ends
     * (sim/run/faults.c), and it runs on no host in particular: name the fault instead. */
    if (strcmp(kind, "fault") == 0 && v->arg / 2 < sim_run_fault_count(t->run)) {
        const SimFaultWindow *w = sim_run_fault_window(t->run, (guint)(v->arg / 2));
        g_string_append_printf(out, " s: fault [fault.%s] (%s) %s", w->fault->name,
                               sim_fault_kind_name(w->fault->kind),
                               v->arg % 2 == 0 ? "starts" : "ends");
    } else {
        g_string_append_printf(out, " s: %s, node %u (source %u, arg %" PRIu64 ")", kind, v->target,
                               v->source, v->arg);
    }
    for (guint i = 0; i < e->messages->len; i++) {
        const SimTraceMessage *m = &g_array_index(e->messages, SimTraceMessage, i);
        char digest[2 * SIM_MESSAGE_DIGEST_BYTES + 1];
        sodium_bin2hex(digest, sizeof digest, m->digest, SIM_MESSAGE_DIGEST_BYTES);
        g_string_append_printf(out, "%s node %u receives %s", i == 0 ? ";" : ",", m->host,
                               sim_network_type_name(t->network, m->type));
        if (m->decoded) g_string_append_printf(out, " for view %" PRIu64, m->view);
        g_string_append_printf(out, " from node %u (%" PRIu64 " bytes, digest %.16s)", m->source,
                               m->size, digest);
    }
    return g_string_free(out, FALSE);
}

GString *sim_trace_csv(const SimTrace *t)
{
    GString *out = g_string_new("events,time,digest\n");
    for (guint i = 0; i < t->checkpoints->len; i++) {
        const SimTraceCheckpoint *c = &g_array_index(t->checkpoints, SimTraceCheckpoint, i);
        char hex[2 * SIM_DIGEST_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, c->digest, SIM_DIGEST_BYTES);
        g_string_append_printf(out, "%" PRIu64 ",", c->events);
        append_time(out, c->time);
        g_string_append_printf(out, ",%s\n", hex);
    }
    return out;
}

/* Parses one row "EVENTS,SECONDS.NANOS,HEX" into `c`; FALSE when it is not one. */
static gboolean parse_row(const char *line, SimTraceCheckpoint *c)
{
    char **fields = g_strsplit(line, ",", -1);
    gboolean ok = g_strv_length(fields) == 3;
    guint64 events = 0, seconds = 0, nanos = 0;
    char **time = ok ? g_strsplit(fields[1], ".", -1) : NULL;
    ok = ok && g_strv_length(time) == 2 && strlen(time[1]) == 9 &&
         g_ascii_string_to_unsigned(fields[0], 10, 0, G_MAXUINT64, &events, NULL) &&
         g_ascii_string_to_unsigned(time[0], 10, 0, UINT64_MAX / 1000000000u - 1, &seconds, NULL) &&
         g_ascii_string_to_unsigned(time[1], 10, 0, 999999999, &nanos, NULL) &&
         strlen(fields[2]) == 2 * SIM_DIGEST_BYTES &&
         sodium_hex2bin(c->digest, SIM_DIGEST_BYTES, fields[2], strlen(fields[2]), NULL, NULL,
                        NULL) == 0;
    if (ok) {
        c->events = events;
        c->time = seconds * 1000000000u + nanos;
    }
    g_strfreev(time);
    g_strfreev(fields);
    return ok;
}

gboolean sim_trace_read_csv(const char *path, GArray *out, GError **error)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, error)) return FALSE;
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    gboolean ok = lines[0] != NULL && strcmp(g_strchomp(lines[0]), "events,time,digest") == 0;
    if (!ok) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:1: expected the header \"events,time,digest\"", path);
    }
    for (guint i = 1; ok && lines[i] != NULL; i++) {
        char *line = g_strchomp(lines[i]);
        if (line[0] == '\0' && lines[i + 1] == NULL) break; /* the final newline */
        SimTraceCheckpoint c;
        ok = parse_row(line, &c);
        guint n = out->len;
        ok = ok && (n == 0 || g_array_index(out, SimTraceCheckpoint, n - 1).events < c.events);
        if (!ok) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:%u: expected EVENTS,SECONDS,DIGEST (64 hex digits) with EVENTS "
                        "going up, got \"%s\"",
                        path, i + 1, line);
        } else {
            g_array_append_val(out, c);
        }
    }
    if (ok && out->len == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no checkpoint rows", path);
        ok = FALSE;
    }
    g_strfreev(lines);
    return ok;
}
