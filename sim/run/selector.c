/* Node selectors; see selector.h. */
#include "sim/run/selector.h"

#include "sim/core/assert.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"

#include <string.h>

const char *sim_selector_help(void)
{
    return "all, 7, 0-99, region(NAME), top-stake(N), da-committee, leader(V), leader, "
           "next-leader (a comma-separated union)";
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
    static const char *const words[] = {"all",    "region(NAME)", "top-stake(N)", "da-committee",
                                        "leader", "leader(V)",    "next-leader"};
    char *arg = NULL;
    gboolean ok = TRUE;
    if (strcmp(term, "da-committee") == 0) {
        t->kind = SIM_SELECT_DA_COMMITTEE;
    } else if (strcmp(term, "leader") == 0) {
        t->kind = SIM_SELECT_LEADER;
    } else if (strcmp(term, "next-leader") == 0) {
        t->kind = SIM_SELECT_NEXT_LEADER;
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
        sim_node_set_add(out, proto_stake_leader(c->stake, t->value));
        return;
    case SIM_SELECT_LEADER:
        sim_node_set_add(out, proto_stake_leader(c->stake, MAX(c->view, 1)));
        return;
    case SIM_SELECT_NEXT_LEADER:
        sim_node_set_add(out, proto_stake_leader(c->stake, MAX(c->view, 1) + 1));
        return;
    }
    SIM_UNREACHABLE();
}

void sim_selector_resolve(const SimSelector *s, const SimSelectorContext *c, SimNodeSet *out)
{
    SIM_ASSERT(out->node_count == c->node_count && s->node_count == c->node_count);
    for (guint i = 0; s->terms != NULL && i < s->terms->len; i++)
        resolve_term(&g_array_index(s->terms, SimSelectorTerm, i), c, out);
}
