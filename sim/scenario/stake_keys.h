/*
 * The [stake_changes] group of a scenario file: one key per stake-table change, named freely,
 * whose value says what happens to which validator at which block:
 *
 *   [stake_changes]
 *   join-17   = register 17 stake 50 at block 100
 *   leave-3   = deregister 3 at block 180
 *   more-4    = delegate 4 stake 10 at block 250
 *   less-4    = undelegate 4 stake 5 at block 320
 *
 * A change at block h applies from epoch e + 2, e the first epoch whose root (block eN - 5) is at
 * or above h (protocol/epoch.h). The group needs [epochs] length; the changes are checked against
 * the genesis stakes in block order, each error naming the key of the change that fails.
 */
#ifndef SHOTGLASS_SIM_SCENARIO_STAKE_KEYS_H
#define SHOTGLASS_SIM_SCENARIO_STAKE_KEYS_H

#include "sim/scenario/reader.h"

#include <glib.h>
#include <stdint.h>

/* Reads [stake_changes] into the run configuration, checking the changes against `stakes` (the
 * genesis stakes, one per validator; NULL when they are unknown because of an earlier error),
 * or adds the errors that stop it. */
void stake_keys__parse(ScenarioCtx *c, const uint64_t *stakes);

/* Appends the reference of the group, as text or as Markdown. */
void stake_keys__describe(GString *out, gboolean markdown);

#endif
