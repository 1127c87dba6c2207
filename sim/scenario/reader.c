/*
 * Reading a scenario file (sim/scenario/reader.h): where each group and key stands, for
 * messages, and what GKeyFile would silently accept (a key set twice, a group written twice, a
 * locale suffix).
 */
#include "sim/scenario/reader.h"

#include <string.h>

char *reader__line_key(const char *group, const char *key)
{
    return key != NULL ? g_strdup_printf("%s\x1f%s", group, key) : g_strdup(group);
}

/* Where a group or key was written: "FILE:LINE", "FILE (--set)" or "FILE". */
char *reader__location(const ScenarioCtx *c, const char *group, const char *key)
{
    char *k = reader__line_key(group, key);
    int line = GPOINTER_TO_INT(g_hash_table_lookup(c->lines, k));
    gboolean override = g_hash_table_contains(c->set_by_override, k);
    g_free(k);
    if (override && c->path[0] == '<') return g_strdup("command line");
    if (override) return g_strdup_printf("%s (command line)", c->path);
    if (line > 0) return g_strdup_printf("%s:%d", c->path, line);
    return g_strdup(c->path);
}

G_GNUC_PRINTF(4, 5)
gboolean reader__problem(ScenarioCtx *c, const char *group, const char *key, const char *format,
                         ...)
{
    if (++c->error_count > READER_ERRORS_MAX) return FALSE;
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    char *where = reader__location(c, group != NULL ? group : "", key);
    if (group == NULL) {
        g_string_append_printf(c->errors, "%s: %s\n", where, message);
    } else if (key == NULL) {
        g_string_append_printf(c->errors, "%s: [%s]: %s\n", where, group, message);
    } else {
        g_string_append_printf(c->errors, "%s: [%s] %s: %s\n", where, group, key, message);
    }
    g_free(where);
    g_free(message);
    return FALSE;
}

/* A problem at a given line, with the group and key when there are some. */
G_GNUC_PRINTF(5, 6)
gboolean reader__line_problem(ScenarioCtx *c, int line, const char *group, const char *key,
                              const char *format, ...)
{
    if (++c->error_count > READER_ERRORS_MAX) return FALSE;
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    g_string_append_printf(c->errors, "%s:%d: ", c->path, line);
    if (group != NULL)
        g_string_append_printf(c->errors, "[%s]%s%s: ", group, key ? " " : "", key ? key : "");
    g_string_append_printf(c->errors, "%s\n", message);
    g_free(message);
    return FALSE;
}

/* --- the line scanner ------------------------------------------------------------------------ */

static void scan_key(ScenarioCtx *c, const char *group, char *line, int number)
{
    char *eq = strchr(line, '=');
    if (group == NULL || eq == NULL) return; /* GKeyFile reports these */
    *eq = '\0';
    char *key = g_strstrip(line);
    char *k = reader__line_key(group, key);
    gpointer first = g_hash_table_lookup(c->lines, k);
    if (first != NULL) {
        reader__line_problem(c, number, group, key, "set twice (first on line %d); keep one",
                             GPOINTER_TO_INT(first));
        g_free(k);
    } else {
        g_hash_table_insert(c->lines, k, GINT_TO_POINTER(number));
    }
    if (strchr(key, '[') != NULL || strchr(key, ']') != NULL) {
        reader__line_problem(c, number, group, key, "a key cannot contain [ or ]");
    }
}

void reader__scan(ScenarioCtx *c, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    char *group = NULL;
    for (int i = 0; lines[i] != NULL; i++) {
        char *line = g_strstrip(lines[i]);
        if (*line == '\0' || *line == '#') continue;
        if (*line == '[' && line[strlen(line) - 1] == ']') {
            g_free(group);
            group = g_strndup(line + 1, strlen(line) - 2);
            gpointer first = g_hash_table_lookup(c->lines, group);
            if (first != NULL) {
                reader__line_problem(c, i + 1, group, NULL,
                                     "the group appears twice (first on line %d); merge them",
                                     GPOINTER_TO_INT(first));
            } else {
                g_hash_table_insert(c->lines, g_strdup(group), GINT_TO_POINTER(i + 1));
            }
            continue;
        }
        scan_key(c, group, line, i + 1);
    }
    g_free(group);
    g_strfreev(lines);
}

char *reader__get(ScenarioCtx *c, const char *group, const char *key)
{
    char *value = g_key_file_get_value(c->file, group, key, NULL);
    return value != NULL ? g_strstrip(value) : NULL;
}
