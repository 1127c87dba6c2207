/*
 * Placement of nodes over regions.
 *
 * Forms of the placement text (n = number of nodes):
 *   "us-east-1:40%, eu-west-1:30%, ap-northeast-1:30%"   shares; they must sum to exactly 100%
 *   "us-east-1:40, eu-west-1:60"                          counts; they must sum to n
 *   "eu-west-1"                                           every node in one region
 *   "all"                                                 evenly over every known region
 *   "us-east-1, us-east-1, eu-west-1, ..."                explicit: exactly n names, node by node
 *
 * Shares become counts by the largest-remainder method (ties go to the region listed first), so
 * the counts are the closest integers to the shares and always sum to n. Nodes are then dealt to
 * regions interleaved (smooth weighted round robin), so that consecutive ids, and therefore
 * round-robin leaders, cycle through the regions in proportion instead of sitting in one block.
 * Explicit lists are kept as given.
 */
#ifndef SHOTGLASS_SIM_PLACEMENT_H
#define SHOTGLASS_SIM_PLACEMENT_H

#include "sim/net/regions.h"

#include <glib.h>
#include <stdint.h>

/*
 * Fills region_of_node[0..node_count) from `text`. Returns FALSE with `error`
 * (G_OPTION_ERROR domain) naming the offending entry, with a suggestion for unknown regions;
 * the array is then unspecified.
 */
gboolean sim_placement_assign(const SimRegions *regions, const char *text, uint32_t node_count,
                              uint16_t *region_of_node, GError **error);

/*
 * The total of a list of shares ("us-east-1:25%, ..." or "m5:30, ..."): percentages (as parts
 * per million) must add up to exactly 100 %, counts to `count`. Returns FALSE with `error`
 * ("WHAT shares add up to ..." / "WHAT counts add up to N, expected count (COUNTED)") otherwise.
 */
gboolean sim_share_total_check(uint64_t total, gboolean percent, uint32_t count, const char *what,
                               const char *counted, GError **error);

#endif
