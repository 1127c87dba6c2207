/*
 * The [fault.NAME] groups of a scenario (sim/scenario/fault_keys.h).
 */
#include "sim/scenario/fault_keys.h"

#include "sim/core/assert.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"
#include "sim/run/fault.h"
#include "sim/run/selector.h"

#include <string.h>

/* --- the keys of a fault
 * ---------------------------------------------------------------------------------- */

#define KIND_BYZANTINE SIM_FAULT_BYZANTINE /* [fault.NAME] kind = byzantine */
#define K(kind)        (1u << (kind))
#define NODE_KINDS                                                                                 \
    (K(SIM_FAULT_CRASH) | K(SIM_FAULT_RESTART) | K(SIM_FAULT_PAUSE) | K(SIM_FAULT_SLOW) |          \
     K(SIM_FAULT_SKEW) | K(KIND_BYZANTINE))
#define TIMED_KINDS (0xffffu & ~K(SIM_FAULT_SKEW))
#define L1_KINDS    (K(SIM_FAULT_L1_REORG) | K(SIM_FAULT_L1_CONGESTION))

typedef struct FaultKey {
    const char *key;
    unsigned kinds; /* bit per kind that takes it */
    const char *help;
} FaultKey;

static const FaultKey fault_keys[] = {
    {"kind", 0xffffu,
     "crash, restart, pause, slow, partition, degrade, filter, skew, byzantine, l1-reorg or "
     "l1-congestion"},
    {"at", TIMED_KINDS,
     "start: a virtual time such as 30s, view N, tc or tc N (default 0s; byzantine: the whole "
     "run)"},
    {"until", TIMED_KINDS & ~K(SIM_FAULT_RESTART) & ~K(SIM_FAULT_L1_REORG),
     "end: a virtual time, view N, tc or tc N"},
    {"duration", TIMED_KINDS & ~K(SIM_FAULT_RESTART) & ~K(SIM_FAULT_L1_REORG),
     "end: this long after the start"},
    {"views", TIMED_KINDS & ~K(SIM_FAULT_RESTART) & ~K(SIM_FAULT_L1_REORG),
     "end: this many views after the view in progress at the start"},
    {"nodes", NODE_KINDS, "the validators it applies to (a node selector)"},
    {"groups", K(SIM_FAULT_PARTITION), "partition: node selectors separated by |"},
    {"from", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE) | K(SIM_FAULT_FILTER),
     "senders (default: all)"},
    {"to", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE) | K(SIM_FAULT_FILTER),
     "receivers (default: all)"},
    {"one_way", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE),
     "only from -> to (default false: both ways)"},
    {"mode", K(SIM_FAULT_PARTITION), "drop (default) or hold (deliver when it heals)"},
    {"factor", K(SIM_FAULT_SLOW) | K(SIM_FAULT_SKEW),
     "slow: CPU time multiplier; skew: view timer multiplier (e.g. 0.5)"},
    {"latency", K(SIM_FAULT_DEGRADE), "latency multiplier (default 1x)"},
    {"bandwidth", K(SIM_FAULT_DEGRADE), "bandwidth divisor (default 1x)"},
    {"loss", K(SIM_FAULT_DEGRADE), "share of copies lost (default 0%)"},
    {"types", K(SIM_FAULT_FILTER), "message types, comma-separated (`shotglass list messages`)"},
    {"action", K(SIM_FAULT_FILTER), "drop (default) or delay"},
    {"delay", K(SIM_FAULT_FILTER), "with action = delay: how long"},
    {"behaviour", K(KIND_BYZANTINE), "a Byzantine behaviour (`shotglass list behaviours`)"},
    {"l1", L1_KINDS, "l1-reorg, l1-congestion: the L1, l1 (default: the [l1] group's) or NAME"},
    {"depth", K(SIM_FAULT_L1_REORG), "l1-reorg: the blocks dropped, the newest not final (10)"},
    {"slots", K(SIM_FAULT_L1_CONGESTION),
     "l1-congestion: whole slots from submission to the earliest block, a distribution (25)"},
};

static const FaultKey *find_fault_key(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        if (strcmp(fault_keys[i].key, key) == 0) return &fault_keys[i];
    }
    return NULL;
}

static const char *kind_name(unsigned kind)
{
    return kind == KIND_BYZANTINE ? "byzantine" : sim_fault_kind_name((SimFaultKind)kind);
}

/* The keys a kind takes, for messages (g_free). */
static char *keys_of_kind(unsigned kind)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        if (!(fault_keys[i].kinds & K(kind))) continue;
        g_string_append_printf(list, "%s%s", list->len ? ", " : "", fault_keys[i].key);
    }
    return g_string_free(list, FALSE);
}

static gboolean parse_kind(ScenarioCtx *c, const char *group, unsigned *kind)
{
    char *value = g_key_file_get_value(c->file, group, "kind", NULL);
    if (value == NULL) {
        return reader__problem(c, group, NULL,
                               "has no kind; expected kind = crash, restart, pause, slow, "
                               "partition, degrade, filter, skew, byzantine, l1-reorg or "
                               "l1-congestion");
    }
    SimFaultKind k;
    gboolean ok = TRUE;
    if (sim_fault_kind_lookup(value, &k)) {
        *kind = k;
    } else {
        static const char *const names[] = {"crash",     "restart",  "pause",        "slow",
                                            "partition", "degrade",  "filter",       "skew",
                                            "byzantine", "l1-reorg", "l1-congestion"};
        const char *close = sim_suggest(value, names, G_N_ELEMENTS(names));
        ok = reader__problem(c, group, "kind",
                             "unknown kind \"%s\"%s%s%s; expected crash, restart, pause, slow, "
                             "partition, degrade, filter, skew, byzantine, l1-reorg or "
                             "l1-congestion",
                             value, close ? " (did you mean " : "", close ? close : "",
                             close ? "?)" : "");
    }
    g_free(value);
    return ok;
}

/* Every key of the group is one its kind takes. */
static gboolean check_fault_keys(ScenarioCtx *c, const char *group, unsigned kind)
{
    gsize count = 0;
    char **names = g_key_file_get_keys(c->file, group, &count, NULL);
    gboolean ok = TRUE;
    for (gsize i = 0; i < count; i++) {
        const FaultKey *fk = find_fault_key(names[i]);
        if (fk != NULL && (fk->kinds & K(kind))) continue;
        char *takes = keys_of_kind(kind);
        if (fk != NULL) {
            ok = reader__problem(c, group, names[i], "a %s fault takes no %s (it takes: %s)",
                                 kind_name(kind), names[i], takes);
        } else {
            const char *all[G_N_ELEMENTS(fault_keys)];
            for (size_t j = 0; j < G_N_ELEMENTS(fault_keys); j++)
                all[j] = fault_keys[j].key;
            const char *close = sim_suggest(names[i], all, G_N_ELEMENTS(all));
            ok = reader__problem(c, group, names[i], "unknown key%s%s%s; a %s fault takes: %s",
                                 close ? " (did you mean " : "", close ? close : "",
                                 close ? "?)" : "", kind_name(kind), takes);
        }
        g_free(takes);
    }
    g_strfreev(names);
    return ok;
}

/* A selector key; absent: `out` stays empty, which is fine unless `required`. */
static gboolean fault_selector(ScenarioCtx *c, const char *group, const char *key,
                               gboolean required, SimSelector *out)
{
    char *value = reader__get(c, group, key);
    gboolean ok = TRUE;
    if (value == NULL) {
        if (required)
            ok = reader__problem(c, group, NULL, "needs %s (a node selector: %s)", key,
                                 sim_selector_help());
    } else {
        GError *inner = NULL;
        ok = sim_selector_parse(out, value, c->s->config.nodes, c->regions, &inner);
        if (!ok) reader__problem(c, group, key, "%s", inner->message), g_error_free(inner);
    }
    g_free(value);
    return ok;
}

static gboolean fault_quantity(ScenarioCtx *c, const char *group, const char *key,
                               SimQuantityKind kind, uint64_t *out)
{
    char *value = reader__get(c, group, key);
    if (value == NULL) return TRUE;
    GError *inner = NULL;
    gboolean ok = sim_quantity_parse(value, kind, out, &inner);
    if (!ok) reader__problem(c, group, key, "%s", inner->message), g_error_free(inner);
    g_free(value);
    return ok;
}

static gboolean fault_trigger(ScenarioCtx *c, const char *group, const char *key, gboolean is_end,
                              SimTrigger *out)
{
    char *value = reader__get(c, group, key);
    if (value == NULL) return TRUE;
    GError *inner = NULL;
    gboolean ok = sim_trigger_parse(value, is_end, out, &inner);
    if (!ok) reader__problem(c, group, key, "%s", inner->message), g_error_free(inner);
    g_free(value);
    return ok;
}

/* at, and one of until / duration / views. */
static gboolean fault_times(ScenarioCtx *c, const char *group, SimFault *f)
{
    gboolean has_until = g_key_file_has_key(c->file, group, "until", NULL);
    gboolean has_duration = g_key_file_has_key(c->file, group, "duration", NULL);
    gboolean has_views = g_key_file_has_key(c->file, group, "views", NULL);
    if (has_until + has_duration + has_views > 1) {
        return reader__problem(c, group, has_views ? "views" : "duration",
                               "until, duration and views each say when the fault ends; give one");
    }
    uint64_t amount = 0;
    gboolean ok = fault_trigger(c, group, "at", FALSE, &f->at) &&
                  fault_trigger(c, group, "until", TRUE, &f->end);
    if (ok && has_duration) {
        ok = fault_quantity(c, group, "duration", SIM_QUANTITY_DURATION, &amount);
        if (ok && amount == 0) ok = reader__problem(c, group, "duration", "must be more than zero");
        f->end = (SimTrigger){SIM_TRIGGER_AFTER, amount};
    }
    if (ok && has_views) {
        ok = fault_quantity(c, group, "views", SIM_QUANTITY_COUNT, &amount);
        if (ok && amount == 0) ok = reader__problem(c, group, "views", "must be at least 1");
        f->end = (SimTrigger){SIM_TRIGGER_VIEWS, amount};
    }
    if (ok && f->at.kind == SIM_TRIGGER_TIME && f->end.kind == SIM_TRIGGER_TIME &&
        f->end.value <= f->at.value) {
        ok = reader__problem(c, group, "until", "ends at or before it starts");
    }
    if (ok && f->kind == SIM_FAULT_PAUSE && f->end.kind != SIM_TRIGGER_TIME &&
        f->end.kind != SIM_TRIGGER_AFTER) {
        ok = reader__problem(c, group, NULL,
                             "a pause needs an end in time: until = TIME or duration");
    }
    return ok;
}

/* Two static id-only selectors must not share a validator. */
static gboolean groups_disjoint(ScenarioCtx *c, const char *group, GPtrArray *sets)
{
    SimNodeSet seen, mine;
    sim_node_set_init(&seen, c->s->config.nodes);
    SimSelectorContext none = {.node_count = c->s->config.nodes};
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < sets->len; i++) {
        const SimSelector *sel = sets->pdata[i];
        gboolean ids_only = TRUE;
        for (guint t = 0; t < sel->terms->len; t++)
            ids_only &= g_array_index(sel->terms, SimSelectorTerm, t).kind == SIM_SELECT_IDS;
        if (!ids_only) continue; /* regions and roles are checked when the run is built */
        sim_node_set_init(&mine, c->s->config.nodes);
        sim_selector_resolve(sel, &none, &mine);
        if (sim_node_set_intersects(&seen, &mine)) {
            ok = reader__problem(c, group, "groups", "group %u (%s) overlaps an earlier group",
                                 i + 1, sel->text);
        }
        for (uint32_t id = 0; id < c->s->config.nodes; id++) {
            if (sim_node_set_contains(&mine, id)) sim_node_set_add(&seen, id);
        }
        sim_node_set_clear(&mine);
    }
    sim_node_set_clear(&seen);
    return ok;
}

static gboolean fault_partition(ScenarioCtx *c, const char *group, SimFault *f)
{
    char *groups_text = reader__get(c, group, "groups");
    gboolean pairs = g_key_file_has_key(c->file, group, "from", NULL) ||
                     g_key_file_has_key(c->file, group, "to", NULL);
    gboolean ok = TRUE;
    if ((groups_text != NULL) == pairs) {
        ok = reader__problem(c, group, groups_text ? "groups" : NULL,
                             "a partition takes either groups (A | B | ...) or from and to, not %s",
                             groups_text ? "both" : "neither");
    } else if (groups_text != NULL) {
        char **parts = g_strsplit(groups_text, "|", -1);
        f->groups = g_ptr_array_new();
        for (guint i = 0; ok && parts[i] != NULL; i++) {
            SimSelector *sel = g_new0(SimSelector, 1);
            GError *inner = NULL;
            ok = sim_selector_parse(sel, parts[i], c->s->config.nodes, c->regions, &inner);
            if (!ok) reader__problem(c, group, "groups", "group %u: %s", i + 1, inner->message);
            g_clear_error(&inner);
            g_ptr_array_add(f->groups, sel);
        }
        if (ok && f->groups->len < 2) {
            ok = reader__problem(c, group, "groups", "expected at least two groups separated by |");
        }
        ok = ok && groups_disjoint(c, group, f->groups);
        g_strfreev(parts);
    } else {
        ok = fault_selector(c, group, "from", TRUE, &f->from) &&
             fault_selector(c, group, "to", TRUE, &f->to);
    }
    g_free(groups_text);
    char *mode = reader__get(c, group, "mode");
    if (ok && mode != NULL && strcmp(mode, "drop") != 0 && strcmp(mode, "hold") != 0) {
        ok = reader__problem(c, group, "mode", "expected drop or hold, got \"%s\"", mode);
    }
    f->mode = mode != NULL && strcmp(mode, "hold") == 0 ? SIM_CUT_HOLD : SIM_CUT_DROP;
    g_free(mode);
    return ok;
}

static gboolean fault_bool(ScenarioCtx *c, const char *group, const char *key, gboolean *out)
{
    char *value = reader__get(c, group, key);
    gboolean ok = value == NULL || strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
    if (!ok) reader__problem(c, group, key, "expected true or false, got \"%s\"", value);
    if (value != NULL) *out = strcmp(value, "true") == 0;
    g_free(value);
    return ok;
}

/* "proposal, quorum_vote": the message types, as bits. */
static gboolean fault_types(ScenarioCtx *c, const char *group, SimFault *f)
{
    char *value = reader__get(c, group, "types");
    if (value == NULL) return reader__problem(c, group, NULL, "a filter needs types");
    const char *names[PROTO_MSG_TYPE_COUNT_];
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
        names[t - 1] = proto_msg_type_name(t);
    char **items = g_strsplit(value, ",", -1);
    gboolean ok = TRUE;
    for (guint i = 0; items[i] != NULL; i++) {
        const char *item = g_strstrip(items[i]);
        int found = 0;
        for (int t = 1; t < PROTO_MSG_TYPE_COUNT_ && !found; t++)
            found = strcmp(item, names[t - 1]) == 0 ? t : 0;
        if (found) {
            f->types |= (uint64_t)1 << found;
            continue;
        }
        const char *close = sim_suggest(item, names, PROTO_MSG_TYPE_COUNT_ - 1);
        ok = reader__problem(c, group, "types",
                             "unknown message type \"%s\"%s%s%s (`shotglass list messages`)", item,
                             close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
    g_strfreev(items);
    g_free(value);
    return ok;
}

static gboolean fault_filter(ScenarioCtx *c, const char *group, SimFault *f)
{
    gboolean ok = fault_types(c, group, f) && fault_selector(c, group, "from", FALSE, &f->from) &&
                  fault_selector(c, group, "to", FALSE, &f->to);
    char *action = reader__get(c, group, "action");
    gboolean has_delay = g_key_file_has_key(c->file, group, "delay", NULL);
    if (action != NULL && strcmp(action, "drop") != 0 && strcmp(action, "delay") != 0) {
        ok = reader__problem(c, group, "action", "expected drop or delay, got \"%s\"", action);
    }
    f->delay = action != NULL && strcmp(action, "delay") == 0;
    if (f->delay && !has_delay) ok = reader__problem(c, group, NULL, "action = delay needs delay");
    if (!f->delay && has_delay) ok = reader__problem(c, group, "delay", "only with action = delay");
    ok = ok && fault_quantity(c, group, "delay", SIM_QUANTITY_DURATION, &f->amount);
    g_free(action);
    return ok;
}

static gboolean fault_degrade(ScenarioCtx *c, const char *group, SimFault *f)
{
    gboolean ok = fault_selector(c, group, "from", FALSE, &f->from) &&
                  fault_selector(c, group, "to", FALSE, &f->to) &&
                  fault_quantity(c, group, "latency", SIM_QUANTITY_FACTOR, &f->latency_ppm) &&
                  fault_quantity(c, group, "bandwidth", SIM_QUANTITY_FACTOR, &f->bandwidth_ppm) &&
                  fault_quantity(c, group, "loss", SIM_QUANTITY_RATIO, &f->loss_ppm);
    if (ok && (f->latency_ppm == 0 || f->bandwidth_ppm == 0)) {
        ok = reader__problem(c, group, f->latency_ppm == 0 ? "latency" : "bandwidth",
                             "must be more than zero");
    }
    return ok;
}

static gboolean fault_factor(ScenarioCtx *c, const char *group, SimFault *f)
{
    if (!g_key_file_has_key(c->file, group, "factor", NULL)) {
        return reader__problem(c, group, NULL, "a %s fault needs factor",
                               sim_fault_kind_name(f->kind));
    }
    if (!fault_quantity(c, group, "factor", SIM_QUANTITY_FACTOR, &f->factor_ppm)) return FALSE;
    if (f->factor_ppm == 0) return reader__problem(c, group, "factor", "must be more than zero");
    if (f->kind == SIM_FAULT_SLOW && f->factor_ppm < SIM_PPM_ONE) {
        return reader__problem(c, group, "factor", "a slow CPU takes a factor of at least 1x");
    }
    return TRUE;
}

/* An L1 fault: its L1 (an [l1] side must exist), and its depth or its slots. */
static gboolean fault_l1(ScenarioCtx *c, const char *group, SimFault *f)
{
    const SimRunConfig *cfg = &c->s->config;
    gboolean ok = TRUE;
    if (!cfg->l1) ok = reader__problem(c, group, "kind", "needs the L1 side (an [l1] group)");
    char *name = reader__get(c, group, "l1");
    if (name != NULL) {
        int64_t index = sim_run_l1_index(cfg, name);
        if (index < 0) {
            ok = reader__problem(c, group, "l1",
                                 "\"%s\" is no L1: there is no [l1.%s] group (l1 names the [l1] "
                                 "group's)",
                                 name, name);
        }
        f->l1 = index < 0 ? 0 : (uint32_t)index;
        g_free(name);
    }
    if (f->kind == SIM_FAULT_L1_REORG) {
        uint64_t depth = 10;
        ok = fault_quantity(c, group, "depth", SIM_QUANTITY_COUNT, &depth) && ok;
        if (depth < 1 || depth > 1000000) {
            ok = reader__problem(c, group, "depth", "expected 1 to 1000000 blocks");
        }
        f->depth = (uint32_t)depth;
        return ok;
    }
    f->slots = (SimDist){SIM_DIST_CONSTANT, SIM_QUANTITY_COUNT, 25, 0, 0, FALSE};
    char *slots = reader__get(c, group, "slots");
    if (slots != NULL) {
        GError *inner = NULL;
        if (!sim_dist_parse(slots, SIM_QUANTITY_COUNT, FALSE, &f->slots, &inner)) {
            ok = reader__problem(c, group, "slots", "%s", inner->message);
            g_error_free(inner);
        }
        g_free(slots);
    }
    return ok;
}

/* The behaviour key of a byzantine fault. */
static gboolean byzantine_behaviour(ScenarioCtx *c, const char *group, ProtoByzantineKind *kind)
{
    char *behaviour = reader__get(c, group, "behaviour");
    gboolean ok = TRUE;
    if (behaviour == NULL) {
        ok = reader__problem(c, group, NULL,
                             "a byzantine fault needs behaviour (`shotglass list "
                             "behaviours`)");
    } else if (!proto_byzantine_lookup(behaviour, kind) || *kind == PROTO_BYZANTINE_NONE) {
        const char *names[PROTO_BYZANTINE_KIND_COUNT_];
        for (int k = 1; k < PROTO_BYZANTINE_KIND_COUNT_; k++)
            names[k - 1] = proto_byzantine_name(k);
        const char *close = sim_suggest(behaviour, names, PROTO_BYZANTINE_KIND_COUNT_ - 1);
        ok = reader__problem(
            c, group, "behaviour", "unknown behaviour \"%s\"%s%s%s (`shotglass list behaviours`)",
            behaviour, close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
    g_free(behaviour);
    return ok;
}

/* A byzantine fault with at, until, duration or views: the nodes take the behaviour on inside
 * that window only, and are honest (and checked as honest) before and after it. */
static void parse_byzantine_window(ScenarioCtx *c, const char *group, ProtoByzantineKind kind,
                                   gboolean ok)
{
    SimFault *f = sim_fault_new(SIM_FAULT_BYZANTINE, group + strlen("fault."));
    f->behaviour = kind;
    ok = fault_times(c, group, f) && ok;
    ok = fault_selector(c, group, "nodes", TRUE, &f->nodes) && ok;
    if (ok && !proto_byzantine_can_switch(kind)) {
        ok = reader__problem(
            c, group, "behaviour",
            "%s changes how the node is built or what it restarts from, so it holds for "
            "the whole run: remove "
            "at, until, duration and views",
            proto_byzantine_name(kind));
    }
    if (ok) {
        sim_run_config_take_fault(&c->s->config, f);
    } else {
        sim_fault_free(f);
    }
}

static void parse_byzantine(ScenarioCtx *c, const char *group)
{
    ProtoByzantineKind kind = PROTO_BYZANTINE_NONE;
    gboolean ok = byzantine_behaviour(c, group, &kind);
    static const char *const window_keys[] = {"at", "until", "duration", "views"};
    for (size_t i = 0; i < G_N_ELEMENTS(window_keys); i++) {
        if (g_key_file_has_key(c->file, group, window_keys[i], NULL)) {
            parse_byzantine_window(c, group, kind, ok);
            return;
        }
    }
    SimSelector nodes = {0};
    ok = fault_selector(c, group, "nodes", TRUE, &nodes) && ok;
    if (ok && !sim_selector_is_static(&nodes)) {
        ok = reader__problem(c, group, "nodes",
                             "Byzantine nodes are chosen before the run: leader and next-leader "
                             "cannot be used here (leader(V) can)");
    }
    if (ok) sim_run_config_add_byzantine_selector(&c->s->config, kind, &nodes, group + 6);
    sim_selector_clear(&nodes);
}

void fault_keys__parse(ScenarioCtx *c, const char *group)
{
    const char *name = group + strlen("fault.");
    unsigned kind = 0;
    if (*name == '\0') {
        reader__problem(c, group, NULL, "a fault group needs a name, as in [fault.split]");
        return;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
            reader__problem(c, group, NULL,
                            "a fault's name is letters, digits, - and _ (it names the fault in "
                            "recovery.NAME, --set fault.NAME.KEY and the results)");
            return;
        }
    }
    if (!parse_kind(c, group, &kind) || !check_fault_keys(c, group, kind)) return;
    if (kind == KIND_BYZANTINE) {
        parse_byzantine(c, group);
        return;
    }
    SimFault *f = sim_fault_new((SimFaultKind)kind, name);
    gboolean ok = fault_times(c, group, f);
    if (K(kind) & NODE_KINDS) ok = fault_selector(c, group, "nodes", TRUE, &f->nodes) && ok;
    switch ((int)kind) {
    case SIM_FAULT_PARTITION:
        ok = fault_partition(c, group, f) && ok;
        ok = fault_bool(c, group, "one_way", &f->one_way) && ok;
        break;
    case SIM_FAULT_DEGRADE:
        ok = fault_degrade(c, group, f) && ok;
        ok = fault_bool(c, group, "one_way", &f->one_way) && ok;
        break;
    case SIM_FAULT_FILTER:
        ok = fault_filter(c, group, f) && ok;
        break;
    case SIM_FAULT_SLOW:
    case SIM_FAULT_SKEW:
        ok = fault_factor(c, group, f) && ok;
        break;
    case SIM_FAULT_L1_REORG:
    case SIM_FAULT_L1_CONGESTION:
        ok = fault_l1(c, group, f) && ok;
        break;
    default:
        break;
    }
    if (ok && f->kind == SIM_FAULT_PARTITION && f->groups != NULL && f->one_way) {
        ok = reader__problem(c, group, "one_way", "one_way applies to from and to, not to groups");
    }
    if (ok) {
        sim_run_config_take_fault(&c->s->config, f);
    } else {
        sim_fault_free(f);
    }
}

void fault_keys__describe(GString *out, gboolean markdown)
{
    if (markdown) {
        g_string_append(out, "\n### [fault.NAME]\n\n| key | meaning |\n| --- | --- |\n");
    } else {
        g_string_append(out, "\n[fault.NAME]\n");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        const FaultKey *f = &fault_keys[i];
        if (markdown) {
            char **parts = g_strsplit(f->help, "|", -1); /* a | would end the table cell */
            char *help = g_strjoinv("\\|", parts);
            g_string_append_printf(out, "| `%s` | %s |\n", f->key, help);
            g_free(help);
            g_strfreev(parts);
        } else {
            g_string_append_printf(out, "  %-26s %s\n", f->key, f->help);
        }
    }
}
