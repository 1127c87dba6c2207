/*
 * Placement and costs of relay hosts; see relay.h.
 */
#include "sim/net/relay.h"

#include "sim/core/assert.h"
#include "sim/net/placement.h"

gboolean sim_relay_place(SimNetwork *network, const SimRegions *regions, const char *placement,
                         uint32_t first, uint32_t count, uint64_t uplink_bps, uint64_t downlink_bps,
                         uint32_t vcpus, const char *what, GError **error)
{
    SIM_ASSERT(first + count <= sim_network_host_count(network));
    if (count == 0) return TRUE;
    uint16_t *region = g_new(uint16_t, count);
    GError *local = NULL;
    if (!sim_placement_assign(regions, placement, count, region, &local)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", what,
                    local->message);
        g_error_free(local);
        g_free(region);
        return FALSE;
    }
    for (uint32_t i = 0; i < count; i++) {
        SimHostConfig host = {region[i], uplink_bps, downlink_bps, vcpus, 0};
        sim_network_host_configure(network, first + i, &host);
    }
    g_free(region);
    return TRUE;
}

SimDuration sim_relay_cost(SimDuration per_message, uint64_t bps, uint64_t size)
{
    if (bps == 0) return per_message;
    return sim_time_add(per_message, sim_time_transmit(size, bps));
}

gboolean sim_relay_covers_committee(const gboolean *da_member, uint32_t validators, uint32_t sender,
                                    const uint32_t *targets, size_t count)
{
    if (da_member == NULL) return FALSE;
    size_t members = 0, seen = 0;
    for (uint32_t v = 0; v < validators; v++) {
        if (da_member[v] && v != sender) members++;
    }
    for (size_t i = 0; i < count; i++) {
        if (targets[i] == sender) continue;
        if (targets[i] >= validators || !da_member[targets[i]]) return FALSE;
        seen++;
    }
    return seen == members;
}
