/*
 * Scenario files as programs edit them: `shotglass explore` adds the fault schedule it drew to a
 * scenario and writes the result as a file that replays it; `shotglass shrink` removes and
 * shortens faults, nodes and views. Both work on the file's GKeyFile (comments kept) and turn
 * it back into text in the scenario format's own style: "key = value" lines, and [expect] lines
 * written as their comparison ("decided_blocks >= 95", "failed_views == 0"), which GKeyFile
 * alone would write as "decided_blocks >=95".
 *
 * The text a program writes is the text it runs: callers load the result with
 * sim_scenario_parse, so a written file replays exactly what was checked.
 */
#ifndef SHOTGLASS_SIM_SCENARIO_EDIT_H
#define SHOTGLASS_SIM_SCENARIO_EDIT_H

#include <glib.h>

/*
 * Reads scenario text into a new key file, keeping comments. Returns NULL with `error` (naming
 * `path`) when it is not a key file; the scenario's own checks are sim_scenario_parse's.
 */
GKeyFile *sim_scenario_edit_open(const char *path, const char *text, GError **error);

/* The key file as scenario text (g_free): groups and keys in their order, with their
 * comments. */
char *sim_scenario_edit_text(GKeyFile *file);

/*
 * Applies "group.key=value" (as --set takes it; [fault.NAME] groups have a dot of their own).
 * Returns FALSE with `error` for text of another shape.
 */
gboolean sim_scenario_edit_set(GKeyFile *file, const char *assignment, GError **error);

/*
 * Adds the [expect] line `line` ("recovery.x <= 60s", "safety = ok"), replacing one with the
 * same key. Returns FALSE with `error` when it has no "=".
 */
gboolean sim_scenario_edit_expect(GKeyFile *file, const char *line, GError **error);

/* The [expect] entry `key` as it is written ("decided_blocks >= 95"), g_free. */
char *sim_scenario_edit_expect_line(GKeyFile *file, const char *key);

#endif
