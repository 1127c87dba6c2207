/* Node selectors; see selector.h. */
#include "sim/run/selector.h"

#include "sim/core/assert.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"

#include <string.h>

const char *sim_selector_help(void)
{
    return "all, 7, 0-99, region(NAME), top-stake(N), da-committee, leader(V), leader, "
           "next-leader, brokers, broker(N), marshal, servers, server(N), state-relay, prover, "
           "prover(N) (the prover of L1 N: 0 the [l1] group's, then the [l1.NAME] groups in "
           "order) (a comma-separated union)";
}

static gboolean fail(GError **error, const char *term, const char *why)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "node selector \"%s\": %s", term,
                why);
    return FALSE;
}

/* The argument of "name(arg)" when `term` has that form, else NULL (g_free). */
static char *argument_of(const char *term, const char *name)
{
    size_t n = strlen(name), len = strlen(term);
    if (len < n + 2 || strncmp(term, name, n) != 0 || term[n] != '(' || term[len - 1] != ')') {
        return NULL;
    }
    return g_strstrip(g_strndup(term + n + 1, len - n - 2));
}

static gboolean parse_count(const char *term, const char *text, uint64_t min, uint64_t max,
                            uint64_t *out, GError **error)
{
    GError *inner = NULL;
    if (!sim_quantity_parse(text, SIM_QUANTITY_COUNT, out, &inner)) {
        fail(error, term, inner->message);
        g_error_free(inner);
        return FALSE;
    }
    if (*out < min || *out > max) {
        char *why = g_strdup_printf(
            "expected a number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, min, max);
        fail(error, term, why);
        g_free(why);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_region(SimSelectorTerm *t, const char *term, const char *name,
                             const SimRegions *regions, GError **error)
{
    t->kind = SIM_SELECT_REGION;
    if (sim_regions_lookup(regions, name, &t->region)) return TRUE;
    const char *close = sim_regions_suggest(regions, name);
    char *why =
        g_strdup_printf("unknown region \"%s\"%s%s%s (`shotglass list regions`)", name,
                        close ? ", did you mean \"" : "", close ? close : "", close ? "\"?" : "");
    fail(error, term, why);
    g_free(why);
    return FALSE;
}

static gboolean parse_named(SimSelectorTerm *t, const char *term, uint32_t node_count,
                            const SimRegions *regions, GError **error)
{
    static const char *const words[] = {
        "all",       "region(NAME)", "top-stake(N)", "da-committee", "leader",
        "leader(V)", "next-leader",  "brokers",      "broker(N)",    "marshal",
        "servers",   "server(N)",    "state-relay",  "prover",       "prover(N)"};
    char *arg = NULL;
    gboolean ok = TRUE;
    if (strcmp(term, "da-committee") == 0) {
        t->kind = SIM_SELECT_DA_COMMITTEE;
    } else if (strcmp(term, "leader") == 0) {
        t->kind = SIM_SELECT_LEADER;
    } else if (strcmp(term, "next-leader") == 0) {
        t->kind = SIM_SELECT_NEXT_LEADER;
    } else if (strcmp(term, "brokers") == 0 || strcmp(term, "servers") == 0 ||
               strcmp(term, "marshal") == 0) {
        t->kind = SIM_SELECT_RELAY;
        t->relay = term[0] == 'b'   ? SIM_RELAY_BROKER
                   : term[0] == 's' ? SIM_RELAY_SERVER
                                    : SIM_RELAY_MARSHAL;
        t->value = SIM_SELECT_EVERY;
    } else if (strcmp(term, "state-relay") == 0 || strcmp(term, "prover") == 0) {
        t->kind = SIM_SELECT_RELAY;
        t->relay = term[0] == 's' ? SIM_RELAY_STATE_RELAY : SIM_RELAY_PROVER;
        t->value = SIM_SELECT_EVERY;
    } else if ((arg = argument_of(term, "broker")) != NULL ||
               (arg = argument_of(term, "server")) != NULL ||
               (arg = argument_of(term, "prover")) != NULL) {
        t->kind = SIM_SELECT_RELAY;
        t->relay = term[0] == 'b'   ? SIM_RELAY_BROKER
                   : term[0] == 's' ? SIM_RELAY_SERVER
                                    : SIM_RELAY_PROVER;
        ok = parse_count(term, arg, 0, UINT32_MAX - 1, &t->value, error);
    } else if ((arg = argument_of(term, "region")) != NULL) {
        ok = parse_region(t, term, arg, regions, error);
    } else if ((arg = argument_of(term, "top-stake")) != NULL) {
        t->kind = SIM_SELECT_TOP_STAKE;
        ok = parse_count(term, arg, 1, node_count, &t->value, error);
    } else if ((arg = argument_of(term, "leader")) != NULL) {
        t->kind = SIM_SELECT_LEADER_OF;
        ok = parse_count(term, arg, 1, UINT32_MAX, &t->value, error);
    } else {
        char *head = g_strndup(term, strcspn(term, "("));
        const char *close = sim_suggest(head, words, G_N_ELEMENTS(words));
        char *why =
            g_strdup_printf("unknown term%s%s%s; expected %s", close ? ", did you mean " : "",
                            close ? close : "", close ? "?" : "", sim_selector_help());
        ok = fail(error, term, why);
        g_free(why);
        g_free(head);
    }
    g_free(arg);
    return ok;
}

static gboolean parse_term(SimSelector *s, const char *term, const SimRegions *regions,
                           GError **error)
{
    SimSelectorTerm t = {.kind = SIM_SELECT_IDS};
    sim_node_set_init(&t.ids, s->node_count);
    gboolean ok = TRUE;
    if (*term == '\0') {
        ok = fail(error, s->text, "an empty term (two commas, or a comma at an end)");
    } else if (strcmp(term, "all") == 0) {
        sim_node_set_fill(&t.ids);
    } else if (g_ascii_isdigit(*term)) {
        GError *inner = NULL;
        ok = sim_node_set_parse(&t.ids, term, &inner);
        if (!ok) fail(error, term, inner->message), g_error_free(inner);
    } else {
        ok = parse_named(&t, term, s->node_count, regions, error);
    }
    if (ok) {
        g_array_append_val(s->terms, t);
    } else {
        sim_node_set_clear(&t.ids);
    }
    return ok;
}

gboolean sim_selector_parse(SimSelector *out, const char *text, uint32_t node_count,
                            const SimRegions *regions, GError **error)
{
    SIM_ASSERT(out != NULL && text != NULL && regions != NULL);
    *out = (SimSelector){node_count, g_array_new(FALSE, FALSE, sizeof(SimSelectorTerm)),
                         g_strstrip(g_strdup(text))};
    if (*out->text == '\0') {
        sim_selector_clear(out);
        return fail(error, text, "selects nothing; expected e.g. 0-3 or region(us-east-1)");
    }
    char **terms = g_strsplit(out->text, ",", -1);
    gboolean ok = TRUE;
    for (guint i = 0; ok && terms[i] != NULL; i++)
        ok = parse_term(out, g_strstrip(terms[i]), regions, error);
    g_strfreev(terms);
    if (!ok) sim_selector_clear(out);
    return ok;
}

void sim_selector_clear(SimSelector *s)
{
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++)
        sim_node_set_clear(&g_array_index(s->terms, SimSelectorTerm, i).ids);
    if (s->terms != NULL) g_array_unref(s->terms);
    g_free(s->text);
    memset(s, 0, sizeof *s);
}

void sim_selector_copy(SimSelector *to, const SimSelector *from)
{
    *to = (SimSelector){from->node_count, g_array_new(FALSE, FALSE, sizeof(SimSelectorTerm)),
                        g_strdup(from->text)};
    for (guint i = 0; from->terms != NULL && i < from->terms->len; i++) {
        SimSelectorTerm t = g_array_index(from->terms, SimSelectorTerm, i);
        sim_node_set_copy(&t.ids, &g_array_index(from->terms, SimSelectorTerm, i).ids);
        g_array_append_val(to->terms, t);
    }
}

void sim_selector_from_set(SimSelector *out, const SimNodeSet *ids)
{
    SimSelectorTerm t = {.kind = SIM_SELECT_IDS};
    sim_node_set_copy(&t.ids, ids);
    *out = (SimSelector){ids->node_count, g_array_new(FALSE, FALSE, sizeof(SimSelectorTerm)),
                         sim_node_set_format(ids)};
    g_array_append_val(out->terms, t);
}

gboolean sim_selector_is_static(const SimSelector *s)
{
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++) {
        SimSelectorTermKind kind = g_array_index(s->terms, SimSelectorTerm, i).kind;
        if (kind == SIM_SELECT_LEADER || kind == SIM_SELECT_NEXT_LEADER) return FALSE;
    }
    return TRUE;
}

/* Adds the `n` validators with the most stake (ties: lower id first). */
static ProtoNodeId leader_of(const SimSelectorContext *c, uint64_t view)
{
    if (c->leader != NULL) return c->leader(c->leader_data, view);
    return proto_stake_leader(c->stake, view);
}

static void add_top_stake(const SimSelectorContext *c, uint64_t n, SimNodeSet *out)
{
    gboolean *taken = g_new0(gboolean, c->node_count);
    for (uint64_t k = 0; k < n && k < c->node_count; k++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t id = 0; id < c->node_count; id++) {
            if (taken[id]) continue;
            if (best == UINT32_MAX ||
                proto_stake_of(c->stake, id) > proto_stake_of(c->stake, best)) {
                best = id;
            }
        }
        taken[best] = TRUE;
        sim_node_set_add(out, best);
    }
    g_free(taken);
}

static void resolve_term(const SimSelectorTerm *t, const SimSelectorContext *c, SimNodeSet *out)
{
    switch (t->kind) {
    case SIM_SELECT_IDS:
        for (uint32_t id = 0; id < c->node_count; id++) {
            if (sim_node_set_contains(&t->ids, id)) sim_node_set_add(out, id);
        }
        return;
    case SIM_SELECT_REGION:
        for (uint32_t id = 0; id < c->node_count; id++) {
            if (c->regions[id] == t->region) sim_node_set_add(out, id);
        }
        return;
    case SIM_SELECT_TOP_STAKE:
        add_top_stake(c, t->value, out);
        return;
    case SIM_SELECT_DA_COMMITTEE:
        if (c->da_committee > 0) sim_node_set_add_range(out, 0, c->da_committee - 1);
        return;
    case SIM_SELECT_LEADER_OF:
        sim_node_set_add(out, leader_of(c, t->value));
        return;
    case SIM_SELECT_LEADER:
        sim_node_set_add(out, leader_of(c, MAX(c->view, 1)));
        return;
    case SIM_SELECT_NEXT_LEADER:
        sim_node_set_add(out, leader_of(c, MAX(c->view, 1) + 1));
        return;
    case SIM_SELECT_RELAY:
        return; /* not a validator: sim_selector_resolve_relays */
    }
    SIM_UNREACHABLE();
}

gboolean sim_selector_has_relays(const SimSelector *s)
{
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++) {
        if (g_array_index(s->terms, SimSelectorTerm, i).kind == SIM_SELECT_RELAY) return TRUE;
    }
    return FALSE;
}

/* The hosts of one kind of relay: `return` of them, the k-th at *first + k * *stride. */
static uint32_t relays_of(const SimSelectorContext *c, SimRelayKind kind, uint32_t *first,
                          uint32_t *stride)
{
    *first = c->first_relay;
    *stride = 1;
    switch (kind) {
    case SIM_RELAY_BROKER:
        return c->brokers;
    case SIM_RELAY_MARSHAL:
        *first = c->first_relay + c->brokers;
        return c->marshal ? 1 : 0;
    case SIM_RELAY_SERVER:
        return c->servers;
    case SIM_RELAY_STATE_RELAY:
        *first = c->first_l1;
        return c->l1 ? 1 : 0;
    case SIM_RELAY_PROVER: /* one per L1, each followed by its L1 node */
        *first = c->first_l1 + 1;
        *stride = 2;
        return c->l1 ? MAX(c->l1s, 1) : 0;
    }
    SIM_UNREACHABLE();
}

void sim_selector_resolve_relays(const SimSelector *s, const SimSelectorContext *c,
                                 SimNodeSet *hosts)
{
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++) {
        const SimSelectorTerm *t = &g_array_index(s->terms, SimSelectorTerm, i);
        if (t->kind != SIM_SELECT_RELAY) continue;
        uint32_t first = 0, stride = 1, count = relays_of(c, t->relay, &first, &stride);
        for (uint32_t k = 0; k < count; k++) {
            if (t->value == SIM_SELECT_EVERY || t->value == k) {
                sim_node_set_add(hosts, first + k * stride);
            }
        }
    }
}

gboolean sim_selector_check_relays(const SimSelector *s, const SimSelectorContext *c,
                                   GError **error)
{
    static const char *const what[] = {"brokers (transport cdn or combined)",
                                       "a marshal (transport cdn or combined)",
                                       "web servers (transport webserver)",
                                       "state relay (no [l1] group)", "prover (no [l1] group)"};
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++) {
        const SimSelectorTerm *t = &g_array_index(s->terms, SimSelectorTerm, i);
        if (t->kind != SIM_SELECT_RELAY) continue;
        uint32_t first = 0, stride = 1, count = relays_of(c, t->relay, &first, &stride);
        if (count == 0) {
            char *why = g_strdup_printf("the run has no %s", what[t->relay]);
            fail(error, s->text, why);
            g_free(why);
            return FALSE;
        }
        if (t->value != SIM_SELECT_EVERY && t->value >= count) {
            char *why = g_strdup_printf("there are %u (numbered from 0)", count);
            fail(error, s->text, why);
            g_free(why);
            return FALSE;
        }
    }
    return TRUE;
}

void sim_selector_resolve(const SimSelector *s, const SimSelectorContext *c, SimNodeSet *out)
{
    SIM_ASSERT(out->node_count == c->node_count && s->node_count == c->node_count);
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++)
        resolve_term(&g_array_index(s->terms, SimSelectorTerm, i), c, out);
}
