/* Clock classes; see clock.h. Preset clocks and their sources: docs/calibration.md. */
#include "sim/net/clock.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"
#include "sim/net/placement.h"

#include <string.h>

typedef struct Preset {
    const char *name;
    uint32_t mhz;
} Preset;

/* AWS data (docs/crypto-costs.md S21): m5 Xeon Platinum 8175M up to 3.1 GHz; c5 3.4 GHz (the
 * first generation; later c5 hosts reach 3.6); m6i Ice Lake and m6a EPYC Milan all-core turbo
 * 3.5 and 3.6 GHz. */
static const Preset presets[] = {
    {"reference", SIM_CLOCK_REFERENCE_MHZ},
    {"m5", 3100},
    {"c5", 3400},
    {"m6i", 3500},
    {"m6a", 3600},
};

char *sim_clock_presets(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        g_string_append_printf(s, "%s%s (%u.%u GHz)", i ? ", " : "", presets[i].name,
                               presets[i].mhz / 1000, presets[i].mhz % 1000 / 100);
    }
    return g_string_free(s, FALSE);
}

/* A class name or frequency to MHz. */
static gboolean class_mhz(const char *word, uint32_t *mhz, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        if (g_ascii_strcasecmp(word, presets[i].name) == 0) {
            *mhz = presets[i].mhz;
            return TRUE;
        }
    }
    char *end = NULL;
    double v = g_ascii_strtod(word, &end);
    double scale = 0;
    if (end != word && end != NULL) {
        if (g_ascii_strcasecmp(end, "GHz") == 0) scale = 1000;
        if (g_ascii_strcasecmp(end, "MHz") == 0) scale = 1;
    }
    if (scale > 0 && v * scale >= 100 && v * scale <= 10000) {
        *mhz = (uint32_t)(v * scale + 0.5);
        return TRUE;
    }
    char *known = sim_clock_presets();
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "unknown clock class \"%s\"; expected one of %s, or a clock between 0.1GHz and "
                "10GHz such as 2.9GHz",
                word, known);
    g_free(known);
    return FALSE;
}

static uint64_t factor_of(uint32_t mhz)
{
    return ((uint64_t)SIM_CLOCK_REFERENCE_MHZ * SIM_PPM_ONE + mhz / 2) / mhz;
}

typedef struct Share {
    uint32_t mhz;
    uint64_t weight; /* ppm for shares, validators for counts */
    uint64_t count;
} Share;

/* Largest remainder (ties to the class listed first), then smooth weighted round robin. */
static void deal(Share *shares, size_t n, gboolean percent, uint32_t nodes, uint64_t *out)
{
    uint64_t assigned = 0;
    uint64_t *remainder = g_new0(uint64_t, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t exact = percent ? shares[i].weight * nodes : shares[i].weight * SIM_PPM_ONE;
        shares[i].count = exact / SIM_PPM_ONE;
        remainder[i] = exact % SIM_PPM_ONE;
        assigned += shares[i].count;
    }
    for (; assigned < nodes; assigned++) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++) {
            if (remainder[i] > remainder[best]) best = i;
        }
        shares[best].count++;
        remainder[best] = 0;
    }
    g_free(remainder);
    int64_t *current = g_new0(int64_t, n);
    for (uint32_t node = 0; node < nodes; node++) {
        size_t best = 0;
        for (size_t i = 0; i < n; i++) {
            current[i] += (int64_t)shares[i].count;
            if (current[i] > current[best]) best = i;
        }
        current[best] -= nodes;
        out[node] = factor_of(shares[best].mhz);
    }
    g_free(current);
}

/* One "class:amount" entry; `percent` says which kind of amount it holds. */
static gboolean parse_entry(char *item, Share *share, gboolean *percent, GError **error)
{
    char *colon = strrchr(item, ':');
    if (colon == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "\"%s\" has no share; expected class:share such as m5:50%%", g_strstrip(item));
        return FALSE;
    }
    *colon = '\0';
    char *name = g_strstrip(item), *amount = g_strstrip(colon + 1);
    *percent = g_str_has_suffix(amount, "%");
    GError *inner = NULL;
    if (!class_mhz(name, &share->mhz, error)) return FALSE;
    if (!sim_quantity_parse(amount, *percent ? SIM_QUANTITY_RATIO : SIM_QUANTITY_COUNT,
                            &share->weight, &inner)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "class %s: %s", name,
                    inner->message);
        g_error_free(inner);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_shares(char **items, uint32_t nodes, uint64_t *out, GError **error)
{
    size_t n = g_strv_length(items);
    Share *shares = g_new0(Share, n);
    gboolean percent = FALSE, ok = TRUE;
    uint64_t total = 0;
    for (size_t i = 0; i < n && ok; i++) {
        gboolean is_percent = FALSE;
        ok = parse_entry(items[i], &shares[i], &is_percent, error);
        if (ok && i > 0 && is_percent != percent) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "mix of percentages and counts; use one or the other");
            ok = FALSE;
        }
        percent = is_percent;
        total += shares[i].weight;
    }
    if (ok) ok = sim_share_total_check(total, percent, nodes, "clock", "the validators", error);
    if (ok) deal(shares, n, percent, nodes, out);
    g_free(shares);
    return ok;
}

gboolean sim_clock_assign(const char *text, uint32_t node_count, uint64_t *factor_ppm,
                          GError **error)
{
    SIM_ASSERT(text != NULL && factor_ppm != NULL);
    char *trimmed = g_strstrip(g_strdup(text));
    gboolean ok;
    if (strchr(trimmed, ':') != NULL || strchr(trimmed, ',') != NULL) {
        char **items = g_strsplit(trimmed, ",", -1);
        ok = parse_shares(items, node_count, factor_ppm, error);
        g_strfreev(items);
    } else {
        uint32_t mhz = 0;
        ok = class_mhz(trimmed, &mhz, error);
        for (uint32_t i = 0; ok && i < node_count; i++)
            factor_ppm[i] = factor_of(mhz);
    }
    g_free(trimmed);
    return ok;
}
