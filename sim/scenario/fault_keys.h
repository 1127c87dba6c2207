/*
 * The [fault.NAME] groups of a scenario file: which keys each kind of fault takes, their values,
 * and their reference for `shotglass list keys`. Byzantine faults without a window become run
 * settings; everything else a fault the run fires (sim/run/faults.h).
 */
#ifndef SHOTGLASS_SIM_SCENARIO_FAULT_KEYS_H
#define SHOTGLASS_SIM_SCENARIO_FAULT_KEYS_H

#include "sim/scenario/reader.h"

#include <glib.h>

/* Reads the group `group` ("fault.NAME") into the scenario's run configuration, or adds the
 * errors that stop it. */
void fault_keys__parse(ScenarioCtx *c, const char *group);

/* Appends the reference of the fault keys, as text or as Markdown. */
void fault_keys__describe(GString *out, gboolean markdown);

#endif
