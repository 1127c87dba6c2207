/*
 * Firing the configured faults (sim/run/fault.h) during a run (sim/run/faults.h).
 *
 * A fault starts when its trigger holds: at a virtual time, by an engine event; or when an honest
 * node reports entering a view or forming a TC (the binding passes every honest note here). It
 * then resolves its selectors (so "leader" means the leader of the view in progress), applies
 * its effect, and arranges its end the same way. Starts and ends found in notes are scheduled
 * as events at the note's time rather than applied at once, so a fault never changes a node
 * while that node's own actions are being carried out.
 */
#include "sim/run/faults.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>

enum { PENDING_START = 1, PENDING_END = 2 };

struct SimFaults {
    SimFaultsConfig config;
    uint32_t nodes;        /* validators */
    GArray *windows;       /* SimFaultWindow, one per configured fault */
    uint16_t kind_fault;   /* a fault starts or ends: arg = window index * 2 + ending */
    uint64_t *timeout_ppm; /* per validator: view-timer factor (skew) */
    uint64_t view;         /* the highest view an honest node entered, for triggers */
    uint8_t *pending;      /* per window: a start or end is scheduled */
    guint due;             /* fault starts and ends waiting in the event queue */
    SimTime changed_at;    /* when a fault last started or ended */
};

static SimFaultWindow *window(const SimFaults *faults, guint i)
{
    return &g_array_index(faults->windows, SimFaultWindow, i);
}

static void schedule(SimFaults *faults, guint index, gboolean ending, SimTime at)
{
    uint8_t flag = ending ? PENDING_END : PENDING_START;
    if (faults->pending[index] & flag) return;
    faults->pending[index] |= flag;
    faults->due++;
    SimEngine *engine = faults->config.engine;
    SimTime now = sim_engine_now(engine);
    sim_engine_schedule(engine, sim_time_max(at, now), faults->kind_fault, 0, 0, NULL,
                        (uint64_t)index * 2 + (ending ? 1 : 0));
}

/* `out` gets the validators `selector` picks, or every validator when the selector is empty. */
static void resolve(const SimFaults *faults, const SimSelector *selector, SimNodeSet *out)
{
    sim_node_set_init(out, faults->nodes);
    if (selector->terms == NULL) {
        sim_node_set_fill(out);
        return;
    }
    SimSelectorContext context = faults->config.who;
    context.view = faults->view;
    sim_selector_resolve(selector, &context, out);
}

/* `resolve` for the network's link faults, whose sets range over every host: the validators it
 * picks, never the data path's endpoints (builder, users, rollups), which faults do not touch. */
static void resolve_hosts(const SimFaults *faults, const SimSelector *selector, SimNodeSet *out)
{
    SimNodeSet validators;
    resolve(faults, selector, &validators);
    sim_node_set_init(out, sim_network_host_count(faults->config.network));
    for (uint32_t id = 0; id < validators.node_count; id++) {
        if (sim_node_set_contains(&validators, id)) sim_node_set_add(out, id);
    }
    sim_node_set_clear(&validators);
    sim_selector_resolve_relays(selector, &faults->config.who, out);
}

/* The relay hosts a node fault's selector picks (brokers, servers), over all hosts. */
static void resolve_relays(const SimFaults *faults, const SimSelector *selector, SimNodeSet *out)
{
    sim_node_set_init(out, sim_network_host_count(faults->config.network));
    sim_selector_resolve_relays(selector, &faults->config.who, out);
}

static uint64_t network_types(const SimFaults *faults, uint64_t protocol_types)
{
    uint64_t mask = 0;
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++) {
        if (protocol_types & ((uint64_t)1 << t)) mask |= (uint64_t)1 << faults->config.net_type[t];
    }
    return mask;
}

static void add_handle(SimFaultWindow *w, uint32_t handle)
{
    g_array_append_val(w->handles, handle);
}

/* Partition, degrade, filter: windows on the network, open until the fault ends. */
static void start_links(SimFaults *faults, SimFaultWindow *w, SimTime now)
{
    const SimFault *f = w->fault;
    SimNetwork *net = faults->config.network;
    if (f->kind == SIM_FAULT_PARTITION && f->groups != NULL) {
        for (guint a = 0; a < f->groups->len; a++) {
            for (guint b = a + 1; b < f->groups->len; b++) {
                SimNodeSet x, y;
                resolve_hosts(faults, f->groups->pdata[a], &x);
                resolve_hosts(faults, f->groups->pdata[b], &y);
                add_handle(w, sim_network_add_cut(net, &x, &y, FALSE, now, SIM_TIME_NONE, f->mode));
                sim_node_set_clear(&x);
                sim_node_set_clear(&y);
            }
        }
        return;
    }
    SimNodeSet from, to;
    resolve_hosts(faults, &f->from, &from);
    resolve_hosts(faults, &f->to, &to);
    if (f->kind == SIM_FAULT_PARTITION) {
        add_handle(w,
                   sim_network_add_cut(net, &from, &to, f->one_way, now, SIM_TIME_NONE, f->mode));
    } else if (f->kind == SIM_FAULT_DEGRADE) {
        add_handle(w, sim_network_add_degradation(net, &from, &to, f->one_way, now, SIM_TIME_NONE,
                                                  f->latency_ppm, f->bandwidth_ppm, f->loss_ppm));
    } else {
        add_handle(w, sim_network_add_filter(net, &from, &to, network_types(faults, f->types),
                                             f->delay ? SIM_FILTER_DELAY : SIM_FILTER_DROP,
                                             f->amount, now, SIM_TIME_NONE));
    }
    sim_node_set_clear(&from);
    sim_node_set_clear(&to);
}

static void end_links(SimFaults *faults, SimFaultWindow *w, SimTime now)
{
    SimNetwork *net = faults->config.network;
    for (guint i = 0; i < w->handles->len; i++) {
        uint32_t handle = g_array_index(w->handles, uint32_t, i);
        switch ((int)w->fault->kind) {
        case SIM_FAULT_PARTITION:
            sim_network_end_cut(net, handle, now);
            break;
        case SIM_FAULT_DEGRADE:
            sim_network_end_degradation(net, handle, now);
            break;
        default:
            sim_network_end_filter(net, handle, now);
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

static void start_nodes(SimFaults *faults, SimFaultWindow *w, SimTime now)
{
    const SimFault *f = w->fault;
    const SimFaultHooks *hooks = &faults->config.hooks;
    sim_node_set_clear(&w->nodes); /* set up empty with the window */
    resolve(faults, &f->nodes, &w->nodes);
    sim_node_set_clear(&w->relays);
    resolve_relays(faults, &f->nodes, &w->relays);
    SimNetwork *net = faults->config.network;
    for (uint32_t host = faults->nodes; host < w->relays.node_count; host++) {
        if (!sim_node_set_contains(&w->relays, host)) continue;
        if (f->kind == SIM_FAULT_CRASH) hooks->crash(hooks->user_data, host);
        if (f->kind == SIM_FAULT_RESTART) hooks->restart(hooks->user_data, host);
        if (f->kind == SIM_FAULT_PAUSE) sim_network_host_pause(net, host, known_end(f, now));
        if (f->kind == SIM_FAULT_SLOW) sim_network_host_set_cpu_factor(net, host, f->factor_ppm);
    }
    for (uint32_t id = 0; id < faults->nodes; id++) {
        if (!sim_node_set_contains(&w->nodes, id)) continue;
        switch ((int)f->kind) {
        case SIM_FAULT_CRASH:
            hooks->crash(hooks->user_data, id);
            break;
        case SIM_FAULT_RESTART:
            hooks->restart(hooks->user_data, id);
            break;
        case SIM_FAULT_PAUSE:
            sim_network_host_pause(faults->config.network, id, known_end(f, now));
            break;
        case SIM_FAULT_SLOW:
            sim_network_host_set_cpu_factor(faults->config.network, id, f->factor_ppm);
            break;
        case SIM_FAULT_BYZANTINE:
            hooks->behave(hooks->user_data, id, f->behaviour);
            break;
        default:
            SIM_UNREACHABLE();
        }
    }
}

static void end_nodes(SimFaults *faults, SimFaultWindow *w)
{
    const SimFaultHooks *hooks = &faults->config.hooks;
    for (uint32_t host = faults->nodes; host < w->relays.node_count; host++) {
        if (!sim_node_set_contains(&w->relays, host)) continue;
        if (w->fault->kind == SIM_FAULT_CRASH) hooks->restart(hooks->user_data, host);
        if (w->fault->kind == SIM_FAULT_SLOW) {
            sim_network_host_set_cpu_factor(faults->config.network, host, SIM_PPM_ONE);
        }
    }
    for (uint32_t id = 0; id < faults->nodes; id++) {
        if (!sim_node_set_contains(&w->nodes, id)) continue;
        if (w->fault->kind == SIM_FAULT_CRASH) hooks->restart(hooks->user_data, id);
        if (w->fault->kind == SIM_FAULT_BYZANTINE) {
            hooks->behave(hooks->user_data, id, PROTO_BYZANTINE_NONE);
        }
        if (w->fault->kind == SIM_FAULT_SLOW) {
            sim_network_host_set_cpu_factor(faults->config.network, id, SIM_PPM_ONE);
        }
    }
}

static gboolean acts_on_links(SimFaultKind kind)
{
    return kind == SIM_FAULT_PARTITION || kind == SIM_FAULT_DEGRADE || kind == SIM_FAULT_FILTER;
}

static gboolean acts_on_l1(SimFaultKind kind)
{
    return kind == SIM_FAULT_L1_REORG || kind == SIM_FAULT_L1_CONGESTION;
}

static void fire_start(SimFaults *faults, guint index, SimTime now)
{
    SimFaultWindow *w = window(faults, index);
    w->started = TRUE;
    w->start = now;
    w->start_view = faults->view;
    const SimFaultHooks *hooks = &faults->config.hooks;
    if (acts_on_l1(w->fault->kind)) {
        if (hooks->l1 != NULL) hooks->l1(hooks->user_data, w->fault, TRUE, now);
    } else if (acts_on_links(w->fault->kind)) {
        start_links(faults, w, now);
    } else {
        start_nodes(faults, w, now);
    }
    SimTime end = known_end(w->fault, now);
    if (end != SIM_TIME_NONE) schedule(faults, index, TRUE, end);
    if (w->fault->kind == SIM_FAULT_RESTART || w->fault->kind == SIM_FAULT_L1_REORG) {
        /* instantaneous */
        w->ended = TRUE;
        w->end = now;
    }
}

static void fire_end(SimFaults *faults, guint index, SimTime now)
{
    SimFaultWindow *w = window(faults, index);
    if (!w->started || w->ended) return;
    const SimFaultHooks *hooks = &faults->config.hooks;
    if (acts_on_l1(w->fault->kind)) {
        if (hooks->l1 != NULL) hooks->l1(hooks->user_data, w->fault, FALSE, now);
    } else if (acts_on_links(w->fault->kind)) {
        end_links(faults, w, now);
    } else {
        end_nodes(faults, w);
    }
    w->ended = TRUE;
    w->end = now;
}

static void on_fault_event(SimEngine *engine, const SimEvent *event, void *user_data)
{
    SimFaults *faults = user_data;
    guint index = (guint)(event->arg / 2);
    faults->changed_at = sim_engine_now(engine); /* a fault changing is progress for the watchdog */
    faults->due--;
    if (event->arg % 2 == 0) {
        fire_start(faults, index, sim_engine_now(engine));
    } else {
        fire_end(faults, index, sim_engine_now(engine));
    }
}

void sim_faults_on_note(SimFaults *faults, const ProtoAction *note, SimTime ready)
{
    gboolean view = note->note == PROTO_NOTE_VIEW_ENTERED && note->view > faults->view;
    gboolean tc = note->note == PROTO_NOTE_TC_FORMED;
    if (!view && !tc) return;
    if (view) faults->view = note->view;
    for (guint i = 0; i < faults->windows->len; i++) {
        const SimFaultWindow *w = window(faults, i);
        const SimTrigger *at = &w->fault->at, *end = &w->fault->end;
        if (!w->started) {
            if ((view && at->kind == SIM_TRIGGER_VIEW && note->view >= at->value) ||
                (tc && at->kind == SIM_TRIGGER_TC && note->view >= at->value)) {
                schedule(faults, i, FALSE, ready);
            }
            continue;
        }
        if (w->ended) continue;
        if ((view && end->kind == SIM_TRIGGER_VIEW && note->view >= end->value) ||
            (view && end->kind == SIM_TRIGGER_VIEWS && note->view >= w->start_view + end->value) ||
            (tc && end->kind == SIM_TRIGGER_TC && note->view >= end->value)) {
            schedule(faults, i, TRUE, ready);
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
static gboolean check_static(SimFaults *faults, const SimFault *f, GError **error)
{
    const SimSelector *lists[3] = {&f->nodes, &f->from, &f->to};
    const char *names[3] = {"nodes", "from", "to"};
    for (int i = 0; i < 3; i++) {
        if (lists[i]->terms == NULL) continue;
        GError *inner = NULL;
        if (!sim_selector_check_relays(lists[i], &faults->config.who, &inner)) {
            refuse(error, f, "%s: %s", names[i], inner->message);
            g_error_free(inner);
            return FALSE;
        }
        gboolean relays = sim_selector_has_relays(lists[i]);
        if (relays && (f->kind == SIM_FAULT_SKEW || f->kind == SIM_FAULT_BYZANTINE)) {
            return refuse(error, f, "%s: \"%s\" names relays, which run no protocol to %s",
                          names[i], lists[i]->text,
                          f->kind == SIM_FAULT_SKEW ? "skew" : "make Byzantine");
        }
        if (relays || !sim_selector_is_static(lists[i])) continue;
        SimNodeSet set;
        resolve(faults, lists[i], &set);
        uint32_t count = sim_node_set_count(&set);
        sim_node_set_clear(&set);
        if (count == 0) {
            return refuse(error, f, "%s: \"%s\" selects no validator", names[i], lists[i]->text);
        }
    }
    SimNodeSet seen;
    sim_node_set_init(&seen, faults->nodes);
    gboolean ok = TRUE;
    for (guint g = 0; ok && f->groups != NULL && g < f->groups->len; g++) {
        SimNodeSet set;
        resolve(faults, f->groups->pdata[g], &set);
        if (sim_node_set_count(&set) == 0) {
            ok = refuse(error, f, "groups: group %u selects no validator", g + 1);
        } else if (sim_node_set_intersects(&seen, &set)) {
            ok = refuse(error, f, "groups: group %u overlaps an earlier group", g + 1);
        }
        for (uint32_t id = 0; id < faults->nodes; id++) {
            if (sim_node_set_contains(&set, id)) sim_node_set_add(&seen, id);
        }
        sim_node_set_clear(&set);
    }
    sim_node_set_clear(&seen);
    return ok;
}

/* Skew changes the nodes' view timers from the start, so it acts before they are built. */
static void apply_skew(SimFaults *faults, guint index)
{
    SimFaultWindow *w = window(faults, index);
    sim_node_set_clear(&w->nodes);
    resolve(faults, &w->fault->nodes, &w->nodes);
    for (uint32_t id = 0; id < faults->nodes; id++) {
        if (sim_node_set_contains(&w->nodes, id)) faults->timeout_ppm[id] = w->fault->factor_ppm;
    }
    w->started = TRUE;
    w->start = 0;
}

SimFaults *sim_faults_new(const SimFaultsConfig *config, GError **error)
{
    SimFaults *faults = g_new0(SimFaults, 1);
    faults->config = *config;
    uint32_t nodes = faults->nodes = config->who.node_count;
    const GPtrArray *list = config->faults;
    faults->kind_fault =
        sim_engine_register(config->engine, "fault", on_fault_event, NULL, faults, SIM_KIND_DIGEST);
    faults->timeout_ppm = g_new(uint64_t, nodes);
    for (uint32_t id = 0; id < nodes; id++)
        faults->timeout_ppm[id] = SIM_PPM_ONE;
    faults->windows = g_array_new(FALSE, TRUE, sizeof(SimFaultWindow));
    faults->pending = g_new0(uint8_t, list->len + 1);
    for (guint i = 0; i < list->len; i++) {
        const SimFault *f = list->pdata[i];
        SimFaultWindow w = {.fault = f, .handles = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
        sim_node_set_init(&w.nodes, nodes);
        sim_node_set_init(&w.relays, sim_network_host_count(config->network));
        g_array_append_val(faults->windows, w);
        gboolean ok = TRUE;
        if (f->nodes.terms != NULL && f->nodes.node_count != nodes) {
            ok = refuse(error, f, "selects among %u validators, but the run has %u",
                        f->nodes.node_count, nodes);
        }
        if (!ok || !check_static(faults, f, error)) {
            sim_faults_free(faults);
            return NULL;
        }
        if (f->kind == SIM_FAULT_SKEW) {
            apply_skew(faults, i);
        } else if (f->at.kind == SIM_TRIGGER_TIME) {
            schedule(faults, i, FALSE, f->at.value);
        }
    }
    if (config->gst != SIM_TIME_NONE) {
        sim_network_set_gst(config->network, config->gst, config->pre_gst_delay, config->gst_delta);
    }
    return faults;
}

void sim_faults_free(SimFaults *faults)
{
    if (faults == NULL) return;
    for (guint i = 0; i < faults->windows->len; i++) {
        sim_node_set_clear(&window(faults, i)->nodes);
        sim_node_set_clear(&window(faults, i)->relays);
        g_array_unref(window(faults, i)->handles);
    }
    g_array_unref(faults->windows);
    g_free(faults->timeout_ppm);
    g_free(faults->pending);
    g_free(faults);
}

uint64_t sim_faults_view(const SimFaults *faults)
{
    return faults->view;
}

uint64_t sim_faults_timeout_ppm(const SimFaults *faults, uint32_t node)
{
    SIM_ASSERT(node < faults->nodes);
    return faults->timeout_ppm[node];
}

guint sim_faults_due(const SimFaults *faults)
{
    return faults->due;
}

SimTime sim_faults_changed_at(const SimFaults *faults)
{
    return faults->changed_at;
}

guint sim_faults_count(const SimFaults *faults)
{
    return faults->windows->len;
}

const SimFaultWindow *sim_faults_window(const SimFaults *faults, guint index)
{
    SIM_ASSERT(index < faults->windows->len);
    return window(faults, index);
}

const SimFaultWindow *sim_faults_window_named(const SimFaults *faults, const char *name)
{
    for (guint i = 0; i < faults->windows->len; i++) {
        if (strcmp(window(faults, i)->fault->name, name) == 0) return window(faults, i);
    }
    return NULL;
}
