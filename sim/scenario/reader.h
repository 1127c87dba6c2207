/*
 * The scenario file being read: the parse context that every part of the scenario loader
 * shares, the errors it collects (each naming the file, the line, the group and the key), and
 * the line scanner. Below sim/scenario/fault_keys.c and sim/scenario/scenario.c.
 */
#ifndef SHOTGLASS_SIM_SCENARIO_READER_H
#define SHOTGLASS_SIM_SCENARIO_READER_H

#include "sim/net/regions.h"
#include "sim/scenario/scenario.h"

#include <glib.h>

typedef struct ScenarioCtx {
    const char *path;
    GKeyFile *file;
    GHashTable *lines;           /* "group" or "group\x1fkey" -> line number (GINT_TO_POINTER) */
    GHashTable *set_by_override; /* same keys, for what --set gave */
    GString *errors;
    guint error_count;
    SimScenario *s;
    SimRegions *regions;
} ScenarioCtx;

#define READER_ERRORS_MAX 50 /* errors kept; a file with more stops there */

/* The key of `group` (and `key`, or NULL for the group itself) in `lines` (g_free). */
char *reader__line_key(const char *group, const char *key);

/* Where a group or key was written: "FILE:LINE", "FILE (--set)" or "FILE" (g_free). */
char *reader__location(const ScenarioCtx *c, const char *group, const char *key);

/* Adds an error naming `group` and `key` (either may be NULL) where they were written; returns
 * FALSE, so that a check can end in `return reader__problem(...)`. At most 50 are kept. */
G_GNUC_PRINTF(4, 5)
gboolean reader__problem(ScenarioCtx *c, const char *group, const char *key, const char *format,
                         ...);
/* The same at a given line. */
G_GNUC_PRINTF(5, 6)
gboolean reader__line_problem(ScenarioCtx *c, int line, const char *group, const char *key,
                              const char *format, ...);

/* Scans `text` line by line: records where each group and key stands, and reports keys and
 * groups written twice. */
void reader__scan(ScenarioCtx *c, const char *text);

/* The value of `key` in `group` (g_free), or NULL. */
char *reader__get(ScenarioCtx *c, const char *group, const char *key);

#endif
