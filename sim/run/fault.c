/* Fault descriptions and triggers; see fault.h. */
#include "sim/run/fault.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>

static const char *const kind_names[SIM_FAULT_KIND_COUNT_] = {
    [SIM_FAULT_CRASH] = "crash",
    [SIM_FAULT_RESTART] = "restart",
    [SIM_FAULT_PAUSE] = "pause",
    [SIM_FAULT_SLOW] = "slow",
    [SIM_FAULT_PARTITION] = "partition",
    [SIM_FAULT_DEGRADE] = "degrade",
    [SIM_FAULT_FILTER] = "filter",
    [SIM_FAULT_SKEW] = "skew",
    [SIM_FAULT_BYZANTINE] = "byzantine",
    [SIM_FAULT_L1_REORG] = "l1-reorg",
    [SIM_FAULT_L1_CONGESTION] = "l1-congestion",
};

const char *sim_fault_kind_name(SimFaultKind kind)
{
    SIM_ASSERT(kind < SIM_FAULT_KIND_COUNT_);
    return kind_names[kind];
}

gboolean sim_fault_kind_lookup(const char *name, SimFaultKind *kind)
{
    for (int i = 0; i < SIM_FAULT_KIND_COUNT_; i++) {
        if (strcmp(kind_names[i], name) == 0) {
            *kind = (SimFaultKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

SimFault *sim_fault_new(SimFaultKind kind, const char *name)
{
    SimFault *f = g_new0(SimFault, 1);
    f->name = g_strdup(name);
    f->kind = kind;
    f->at = (SimTrigger){SIM_TRIGGER_TIME, 0};
    f->end = (SimTrigger){SIM_TRIGGER_NEVER, 0};
    f->mode = SIM_CUT_DROP;
    f->factor_ppm = SIM_PPM_ONE;
    f->latency_ppm = SIM_PPM_ONE;
    f->bandwidth_ppm = SIM_PPM_ONE;
    return f;
}

void sim_fault_free(SimFault *f)
{
    if (f == NULL) return;
    sim_selector_clear(&f->nodes);
    sim_selector_clear(&f->from);
    sim_selector_clear(&f->to);
    for (guint i = 0; f->groups != NULL && i < f->groups->len; i++) {
        sim_selector_clear(f->groups->pdata[i]);
        g_free(f->groups->pdata[i]);
    }
    if (f->groups != NULL) g_ptr_array_unref(f->groups);
    g_free(f->name);
    g_free(f);
}

static gboolean trigger_fail(GError **error, const char *text, gboolean is_end)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "expected a virtual time such as 30s, \"view N\", \"tc\" or \"tc N\"%s, got \"%s\"",
                is_end ? " (or \"never\")" : "", text);
    return FALSE;
}

/* "view 50" / "tc 20": the number after the word, which must be at least 1. */
static gboolean word_and_number(const char *text, const char *word, uint64_t *out)
{
    size_t n = strlen(word);
    if (strncmp(text, word, n) != 0 || (text[n] != ' ' && text[n] != '\0')) return FALSE;
    const char *rest = text + n;
    while (*rest == ' ')
        rest++;
    if (*rest == '\0') {
        *out = 0;
        return TRUE;
    }
    return sim_quantity_parse(rest, SIM_QUANTITY_COUNT, out, NULL) && *out >= 1;
}

gboolean sim_trigger_parse(const char *text, gboolean is_end, SimTrigger *out, GError **error)
{
    char *t = g_strstrip(g_strdup(text));
    uint64_t value = 0;
    gboolean ok = TRUE;
    if (is_end && strcmp(t, "never") == 0) {
        *out = (SimTrigger){SIM_TRIGGER_NEVER, 0};
    } else if (word_and_number(t, "view", &value)) {
        ok = value >= 1;
        *out = (SimTrigger){SIM_TRIGGER_VIEW, value};
    } else if (word_and_number(t, "tc", &value)) {
        *out = (SimTrigger){SIM_TRIGGER_TC, value};
    } else if (sim_quantity_parse(t, SIM_QUANTITY_DURATION, &value, NULL)) {
        *out = (SimTrigger){SIM_TRIGGER_TIME, value};
    } else {
        ok = FALSE;
    }
    if (!ok) trigger_fail(error, t, is_end);
    g_free(t);
    return ok;
}

char *sim_trigger_format(const SimTrigger *t)
{
    switch (t->kind) {
    case SIM_TRIGGER_NEVER:
        return g_strdup("never");
    case SIM_TRIGGER_TIME:
        return sim_quantity_format(t->value, SIM_QUANTITY_DURATION);
    case SIM_TRIGGER_VIEW:
        return g_strdup_printf("view %" G_GUINT64_FORMAT, t->value);
    case SIM_TRIGGER_TC:
        return t->value ? g_strdup_printf("tc %" G_GUINT64_FORMAT, t->value) : g_strdup("tc");
    case SIM_TRIGGER_AFTER: {
        char *d = sim_quantity_format(t->value, SIM_QUANTITY_DURATION);
        char *out = g_strdup_printf("after %s", d);
        g_free(d);
        return out;
    }
    case SIM_TRIGGER_VIEWS:
        return g_strdup_printf("after %" G_GUINT64_FORMAT " views", t->value);
    }
    SIM_UNREACHABLE();
}
