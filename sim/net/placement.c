/* Placement parsing and the interleaved assignment of nodes to regions. */
#include "sim/net/placement.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>

typedef struct Share {
    uint16_t region;
    uint64_t weight; /* ppm for shares, nodes for counts */
    uint64_t count;
} Share;

static gboolean lookup_region(const SimRegions *regions, const char *name, uint16_t *region,
                              GError **error)
{
    if (sim_regions_lookup(regions, name, region)) return TRUE;
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "unknown region \"%s\" (did you mean %s? `shotglass list regions` shows all)", name,
                sim_regions_suggest(regions, name));
    return FALSE;
}

/* Smooth weighted round robin: each step every region gains its count, the richest (lowest
 * index on ties) takes the node and pays n. After n steps each region got exactly its count. */
static void deal(const Share *shares, size_t share_count, uint32_t node_count, uint16_t *out)
{
    int64_t *current = g_new0(int64_t, share_count);
    for (uint32_t node = 0; node < node_count; node++) {
        size_t best = 0;
        for (size_t i = 0; i < share_count; i++) {
            current[i] += (int64_t)shares[i].count;
            if (current[i] > current[best]) best = i;
        }
        current[best] -= node_count;
        out[node] = shares[best].region;
    }
    for (size_t i = 0; i < share_count; i++)
        SIM_ASSERT(current[i] == 0);
    g_free(current);
}

/* Largest remainder: floor of each exact share, then one more to the largest remainders. */
static void apportion(Share *shares, size_t share_count, uint32_t node_count)
{
    uint64_t assigned = 0;
    uint64_t *remainder = g_new(uint64_t, share_count);
    for (size_t i = 0; i < share_count; i++) {
        uint64_t exact = shares[i].weight * node_count;
        shares[i].count = exact / SIM_PPM_ONE;
        remainder[i] = exact % SIM_PPM_ONE;
        assigned += shares[i].count;
    }
    while (assigned < node_count) {
        size_t best = 0;
        for (size_t i = 1; i < share_count; i++) {
            if (remainder[i] > remainder[best]) best = i;
        }
        shares[best].count++;
        remainder[best] = 0;
        assigned++;
    }
    g_free(remainder);
}

static gboolean parse_shares(const SimRegions *regions, char **items, uint32_t node_count,
                             uint16_t *out, GError **error)
{
    size_t share_count = g_strv_length(items);
    Share *shares = g_new0(Share, share_count);
    gboolean percent = FALSE;
    uint64_t total = 0;
    gboolean ok = TRUE;
    for (size_t i = 0; i < share_count && ok; i++) {
        char *colon = strrchr(items[i], ':');
        if (colon == NULL) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "\"%s\" has no share; expected region:share such as us-east-1:40%%",
                        g_strstrip(items[i]));
            ok = FALSE;
            break;
        }
        *colon = '\0';
        char *name = g_strstrip(items[i]);
        char *amount = g_strstrip(colon + 1);
        gboolean is_percent = g_str_has_suffix(amount, "%");
        GError *inner = NULL;
        if (i > 0 && is_percent != percent) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "mix of percentages and counts at \"%s\"; use one or the other", name);
            ok = FALSE;
        } else if (!lookup_region(regions, name, &shares[i].region, error)) {
            ok = FALSE;
        } else if (!sim_quantity_parse(amount, is_percent ? SIM_QUANTITY_RATIO : SIM_QUANTITY_COUNT,
                                       &shares[i].weight, &inner)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "region %s: %s", name,
                        inner->message);
            g_error_free(inner);
            ok = FALSE;
        }
        for (size_t j = 0; ok && j < i; j++) {
            if (shares[j].region == shares[i].region) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "region %s is listed twice", name);
                ok = FALSE;
            }
        }
        percent = is_percent;
        total += shares[i].weight;
    }
    if (ok)
        ok = sim_share_total_check(total, percent, node_count, "region", "the node count", error);
    if (ok) {
        if (percent) {
            apportion(shares, share_count, node_count);
        } else {
            for (size_t i = 0; i < share_count; i++)
                shares[i].count = shares[i].weight;
        }
        deal(shares, share_count, node_count, out);
    }
    g_free(shares);
    return ok;
}

static gboolean parse_list(const SimRegions *regions, char **items, uint32_t node_count,
                           uint16_t *out, GError **error)
{
    guint count = g_strv_length(items);
    if (count == 1) {
        uint16_t region;
        if (!lookup_region(regions, g_strstrip(items[0]), &region, error)) return FALSE;
        for (uint32_t i = 0; i < node_count; i++)
            out[i] = region;
        return TRUE;
    }
    if (count != node_count) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%u region names for %u nodes; give one region per node, or shares such as "
                    "us-east-1:50%%, eu-west-1:50%%",
                    count, node_count);
        return FALSE;
    }
    for (uint32_t i = 0; i < node_count; i++) {
        if (!lookup_region(regions, g_strstrip(items[i]), &out[i], error)) return FALSE;
    }
    return TRUE;
}

gboolean sim_share_total_check(uint64_t total, gboolean percent, uint32_t count, const char *what,
                               const char *counted, GError **error)
{
    if (percent && total != SIM_PPM_ONE) {
        char *sum = sim_quantity_format(total, SIM_QUANTITY_RATIO);
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s shares add up to %s, expected exactly 100%%", what, sum);
        g_free(sum);
        return FALSE;
    }
    if (!percent && total != count) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s counts add up to %" G_GUINT64_FORMAT ", expected %u (%s)", what, total,
                    count, counted);
        return FALSE;
    }
    return TRUE;
}

gboolean sim_placement_assign(const SimRegions *regions, const char *text, uint32_t node_count,
                              uint16_t *region_of_node, GError **error)
{
    SIM_ASSERT(regions != NULL && text != NULL && region_of_node != NULL);
    SIM_ASSERT(node_count > 0);
    char *trimmed = g_strstrip(g_strdup(text));
    gboolean ok;
    if (strcmp(trimmed, "all") == 0) {
        uint16_t n = sim_regions_count(regions);
        Share *shares = g_new0(Share, n);
        for (uint16_t i = 0; i < n; i++) {
            shares[i] = (Share){i, 1, node_count / n + (i < node_count % n ? 1 : 0)};
        }
        deal(shares, n, node_count, region_of_node);
        g_free(shares);
        ok = TRUE;
    } else if (trimmed[0] == '\0') {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "expected a placement such as us-east-1:50%%, eu-west-1:50%%");
        ok = FALSE;
    } else {
        char **items = g_strsplit(trimmed, ",", -1);
        ok = strchr(trimmed, ':') != NULL
                 ? parse_shares(regions, items, node_count, region_of_node, error)
                 : parse_list(regions, items, node_count, region_of_node, error);
        g_strfreev(items);
    }
    g_free(trimmed);
    return ok;
}
