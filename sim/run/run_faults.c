/*
 * Firing the configured faults (sim/run/fault.h) during a run.
 *
 * A fault starts when its trigger holds: at a virtual time, by an engine event; or when an honest
 * node reports entering a view or forming a TC (the binding passes every honest note here). It
 * then resolves its selectors (so "leader" means the leader of the view in progress), applies
 * its effect, and arranges its end the same way. Starts and ends found in notes are scheduled
 * as events at the note's time rather than applied at once, so a fault never changes a node
 * while that node's own actions are being carried out.
 */
#include "sim/core/assert.h"
#include "sim/run/run-internal.h"
#include "sim/core/units.h"

#include <string.h>

enum { PENDING_START = 1, PENDING_END = 2 };

static SimFaultWindow *window(const SimRun *run, guint i)
{
    return &g_array_index(run->windows, SimFaultWindow, i);
}

static void schedule(SimRun *run, guint index, gboolean ending, SimTime at)
{
    uint8_t flag = ending ? PENDING_END : PENDING_START;
    if (run->fault_pending[index] & flag) return;
    run->fault_pending[index] |= flag;
    run->faults_due++;
    SimTime now = sim_engine_now(run->engine);
    sim_engine_schedule(run->engine, sim_time_max(at, now), run->kind_fault, 0, 0, NULL,
                        (uint64_t)index * 2 + (ending ? 1 : 0));
}

/* `out` gets what `selector` picks, or every validator when the selector is empty. */
static void resolve(const SimRun *run, const SimSelector *selector, SimNodeSet *out)
{
    sim_node_set_init(out, run->config.nodes);
    if (selector->terms == NULL) {
        sim_node_set_fill(out);
        return;
    }
    SimSelectorContext context = run__selector_context(run);
    sim_selector_resolve(selector, &context, out);
}

/* `resolve` for the network's link faults, whose sets range over every host: the validators it
 * picks, never the data path's endpoints (builder, users, rollups), which faults do not touch. */
static void resolve_hosts(const SimRun *run, const SimSelector *selector, SimNodeSet *out)
{
    SimNodeSet validators;
    resolve(run, selector, &validators);
    sim_node_set_init(out, sim_network_host_count(run->network));
    for (uint32_t id = 0; id < validators.node_count; id++) {
        if (sim_node_set_contains(&validators, id)) sim_node_set_add(out, id);
    }
    sim_node_set_clear(&validators);
}

static uint64_t network_types(const SimRun *run, uint64_t protocol_types)
{
    uint64_t mask = 0;
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++) {
        if (protocol_types & ((uint64_t)1 << t)) mask |= (uint64_t)1 << run->net_type[t];
    }
    return mask;
}

static void add_handle(SimFaultWindow *w, uint32_t handle)
{
    g_array_append_val(w->handles, handle);
}

/* Partition, degrade, filter: windows on the network, open until the fault ends. */
static void start_links(SimRun *run, SimFaultWindow *w, SimTime now)
{
    const SimFault *f = w->fault;
    SimNetwork *net = run->network;
    if (f->kind == SIM_FAULT_PARTITION && f->groups != NULL) {
        for (guint a = 0; a < f->groups->len; a++) {
            for (guint b = a + 1; b < f->groups->len; b++) {
                SimNodeSet x, y;
                resolve_hosts(run, f->groups->pdata[a], &x);
                resolve_hosts(run, f->groups->pdata[b], &y);
                add_handle(w, sim_network_add_cut(net, &x, &y, FALSE, now, SIM_TIME_NONE, f->mode));
                sim_node_set_clear(&x);
                sim_node_set_clear(&y);
            }
        }
        return;
    }
    SimNodeSet from, to;
    resolve_hosts(run, &f->from, &from);
    resolve_hosts(run, &f->to, &to);
    if (f->kind == SIM_FAULT_PARTITION) {
        add_handle(w,
                   sim_network_add_cut(net, &from, &to, f->one_way, now, SIM_TIME_NONE, f->mode));
    } else if (f->kind == SIM_FAULT_DEGRADE) {
        add_handle(w, sim_network_add_degradation(net, &from, &to, f->one_way, now, SIM_TIME_NONE,
                                                  f->latency_ppm, f->bandwidth_ppm, f->loss_ppm));
    } else {
        add_handle(w, sim_network_add_filter(net, &from, &to, network_types(run, f->types),
                                             f->delay ? SIM_FILTER_DELAY : SIM_FILTER_DROP,
                                             f->amount, now, SIM_TIME_NONE));
    }
    sim_node_set_clear(&from);
    sim_node_set_clear(&to);
}

static void end_links(SimRun *run, SimFaultWindow *w, SimTime now)
{
    for (guint i = 0; i < w->handles->len; i++) {
        uint32_t handle = g_array_index(w->handles, uint32_t, i);
        switch ((int)w->fault->kind) {
        case SIM_FAULT_PARTITION:
            sim_network_end_cut(run->network, handle, now);
            break;
        case SIM_FAULT_DEGRADE:
            sim_network_end_degradation(run->network, handle, now);
            break;
        default:
            sim_network_end_filter(run->network, handle, now);
            break;
        }
    }
}

/* When the fault will end, if that is a time known now; SIM_TIME_NONE otherwise. */
static SimTime known_end(const SimFault *f, SimTime start)
{
    if (f->end.kind == SIM_TRIGGER_AFTER) return sim_time_add(start, f->end.value);
    if (f->end.kind == SIM_TRIGGER_TIME) return sim_time_max(f->end.value, start);
    return SIM_TIME_NONE;
}

static void start_nodes(SimRun *run, SimFaultWindow *w, SimTime now)
{
    const SimFault *f = w->fault;
    sim_node_set_clear(&w->nodes); /* set up empty with the window */
    resolve(run, &f->nodes, &w->nodes);
    for (uint32_t id = 0; id < run->config.nodes; id++) {
        if (!sim_node_set_contains(&w->nodes, id)) continue;
        switch ((int)f->kind) {
        case SIM_FAULT_CRASH:
            run__crash(run, id);
            break;
        case SIM_FAULT_RESTART:
            run__restart(run, id);
            break;
        case SIM_FAULT_PAUSE:
            sim_network_host_pause(run->network, id, known_end(f, now));
            break;
        case SIM_FAULT_SLOW:
            sim_network_host_set_cpu_factor(run->network, id, f->factor_ppm);
            break;
        default:
            SIM_UNREACHABLE();
        }
    }
}

static void end_nodes(SimRun *run, SimFaultWindow *w)
{
    for (uint32_t id = 0; id < run->config.nodes; id++) {
        if (!sim_node_set_contains(&w->nodes, id)) continue;
        if (w->fault->kind == SIM_FAULT_CRASH) run__restart(run, id);
        if (w->fault->kind == SIM_FAULT_SLOW) {
            sim_network_host_set_cpu_factor(run->network, id, SIM_PPM_ONE);
        }
    }
}

static gboolean acts_on_links(SimFaultKind kind)
{
    return kind == SIM_FAULT_PARTITION || kind == SIM_FAULT_DEGRADE || kind == SIM_FAULT_FILTER;
}

static void fire_start(SimRun *run, guint index, SimTime now)
{
    SimFaultWindow *w = window(run, index);
    w->started = TRUE;
    w->start = now;
    w->start_view = run->fault_view;
    if (acts_on_links(w->fault->kind)) {
        start_links(run, w, now);
    } else {
        start_nodes(run, w, now);
    }
    SimTime end = known_end(w->fault, now);
    if (end != SIM_TIME_NONE) schedule(run, index, TRUE, end);
    if (w->fault->kind == SIM_FAULT_RESTART) { /* instantaneous */
        w->ended = TRUE;
        w->end = now;
    }
}

static void fire_end(SimRun *run, guint index, SimTime now)
{
    SimFaultWindow *w = window(run, index);
    if (!w->started || w->ended) return;
    if (acts_on_links(w->fault->kind)) {
        end_links(run, w, now);
    } else {
        end_nodes(run, w);
    }
    w->ended = TRUE;
    w->end = now;
}

static void on_fault_event(SimEngine *engine, const SimEvent *event, void *user_data)
{
    SimRun *run = user_data;
    guint index = (guint)(event->arg / 2);
    run->watch_at = sim_engine_now(engine); /* a fault changing is progress for the watchdog */
    run->faults_due--;
    if (event->arg % 2 == 0) {
        fire_start(run, index, sim_engine_now(engine));
    } else {
        fire_end(run, index, sim_engine_now(engine));
    }
}

void faults__on_note(SimRun *run, uint32_t node, const ProtoAction *note, SimTime ready)
{
    (void)node;
    gboolean view = note->note == PROTO_NOTE_VIEW_ENTERED && note->view > run->fault_view;
    gboolean tc = note->note == PROTO_NOTE_TC_FORMED;
    if (!view && !tc) return;
    if (view) run->fault_view = note->view;
    for (guint i = 0; i < run->windows->len; i++) {
        const SimFaultWindow *w = window(run, i);
        const SimTrigger *at = &w->fault->at, *end = &w->fault->end;
        if (!w->started) {
            if ((view && at->kind == SIM_TRIGGER_VIEW && note->view >= at->value) ||
                (tc && at->kind == SIM_TRIGGER_TC && note->view >= at->value)) {
                schedule(run, i, FALSE, ready);
            }
            continue;
        }
        if (w->ended) continue;
        if ((view && end->kind == SIM_TRIGGER_VIEW && note->view >= end->value) ||
            (view && end->kind == SIM_TRIGGER_VIEWS && note->view >= w->start_view + end->value) ||
            (tc && end->kind == SIM_TRIGGER_TC && note->view >= end->value)) {
            schedule(run, i, TRUE, ready);
        }
    }
}

/* --- set-up -------------------------------------------------------------------------------- */

G_GNUC_PRINTF(3, 4)
static gboolean refuse(GError **error, const SimFault *f, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *why = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "[fault.%s] %s", f->name, why);
    g_free(why);
    return FALSE;
}

/* Static selectors must pick someone, and partition groups must not share anyone. */
static gboolean check_static(SimRun *run, const SimFault *f, GError **error)
{
    const SimSelector *lists[3] = {&f->nodes, &f->from, &f->to};
    const char *names[3] = {"nodes", "from", "to"};
    for (int i = 0; i < 3; i++) {
        if (lists[i]->terms == NULL || !sim_selector_is_static(lists[i])) continue;
        SimNodeSet set;
        resolve(run, lists[i], &set);
        uint32_t count = sim_node_set_count(&set);
        sim_node_set_clear(&set);
        if (count == 0) {
            return refuse(error, f, "%s: \"%s\" selects no validator", names[i], lists[i]->text);
        }
    }
    SimNodeSet seen;
    sim_node_set_init(&seen, run->config.nodes);
    gboolean ok = TRUE;
    for (guint g = 0; ok && f->groups != NULL && g < f->groups->len; g++) {
        SimNodeSet set;
        resolve(run, f->groups->pdata[g], &set);
        if (sim_node_set_count(&set) == 0) {
            ok = refuse(error, f, "groups: group %u selects no validator", g + 1);
        } else if (sim_node_set_intersects(&seen, &set)) {
            ok = refuse(error, f, "groups: group %u overlaps an earlier group", g + 1);
        }
        for (uint32_t id = 0; id < run->config.nodes; id++) {
            if (sim_node_set_contains(&set, id)) sim_node_set_add(&seen, id);
        }
        sim_node_set_clear(&set);
    }
    sim_node_set_clear(&seen);
    return ok;
}

/* Skew changes the nodes' view timers from the start, so it acts before they are built. */
static void apply_skew(SimRun *run, guint index)
{
    SimFaultWindow *w = window(run, index);
    sim_node_set_clear(&w->nodes);
    resolve(run, &w->fault->nodes, &w->nodes);
    for (uint32_t id = 0; id < run->config.nodes; id++) {
        if (sim_node_set_contains(&w->nodes, id)) run->timeout_ppm[id] = w->fault->factor_ppm;
    }
    w->started = TRUE;
    w->start = 0;
}

gboolean faults__init(SimRun *run, GError **error)
{
    const SimRunConfig *c = &run->config;
    run->kind_fault =
        sim_engine_register(run->engine, "fault", on_fault_event, NULL, run, SIM_KIND_DIGEST);
    run->timeout_ppm = g_new(uint64_t, c->nodes);
    for (uint32_t id = 0; id < c->nodes; id++)
        run->timeout_ppm[id] = SIM_PPM_ONE;
    run->windows = g_array_new(FALSE, TRUE, sizeof(SimFaultWindow));
    run->fault_pending = g_new0(uint8_t, c->faults->len + 1);
    for (guint i = 0; i < c->faults->len; i++) {
        const SimFault *f = c->faults->pdata[i];
        SimFaultWindow w = {.fault = f, .handles = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
        sim_node_set_init(&w.nodes, c->nodes);
        g_array_append_val(run->windows, w);
        if (f->nodes.terms != NULL && f->nodes.node_count != c->nodes) {
            return refuse(error, f, "selects among %u validators, but the run has %u",
                          f->nodes.node_count, c->nodes);
        }
        if (!check_static(run, f, error)) return FALSE;
        if (f->kind == SIM_FAULT_SKEW) {
            apply_skew(run, i);
        } else if (f->at.kind == SIM_TRIGGER_TIME) {
            schedule(run, i, FALSE, f->at.value);
        }
    }
    if (c->gst != SIM_TIME_NONE) {
        sim_network_set_gst(run->network, c->gst, &c->pre_gst_delay, c->gst_delta);
    }
    return TRUE;
}

void faults__free(SimRun *run)
{
    for (guint i = 0; run->windows != NULL && i < run->windows->len; i++) {
        sim_node_set_clear(&window(run, i)->nodes);
        g_array_unref(window(run, i)->handles);
    }
    if (run->windows != NULL) g_array_unref(run->windows);
    g_free(run->timeout_ppm);
    g_free(run->fault_pending);
}

guint sim_run_fault_count(const SimRun *run)
{
    return run->windows->len;
}

const SimFaultWindow *sim_run_fault_window(const SimRun *run, guint index)
{
    SIM_ASSERT(index < run->windows->len);
    return window(run, index);
}

const SimFaultWindow *sim_run_fault_window_named(const SimRun *run, const char *name)
{
    for (guint i = 0; i < run->windows->len; i++) {
        if (strcmp(window(run, i)->fault->name, name) == 0) return window(run, i);
    }
    return NULL;
}
