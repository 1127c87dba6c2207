/* Scenario files as programs edit them; see edit.h. */
#include "sim/scenario/edit.h"

#include "sim/core/assert.h"

#include <string.h>

GKeyFile *sim_scenario_edit_open(const char *path, const char *text, GError **error)
{
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(text != NULL);
    GKeyFile *file = g_key_file_new();
    GError *inner = NULL;
    if (!g_key_file_load_from_data(file, text, (gsize)-1, G_KEY_FILE_KEEP_COMMENTS, &inner)) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", path,
                    inner->message);
        g_error_free(inner);
        g_key_file_free(file);
        return NULL;
    }
    return file;
}

/* Appends the comment above a group or key. GKeyFile returns comments read from a file without
 * their '#' and comments set with g_key_file_set_comment with it, and gives the comment at the
 * top of the file as the first group's. Blank lines stay blank. */
static void append_comment(GString *out, GKeyFile *file, const char *group, const char *key)
{
    char *comment = g_key_file_get_comment(file, group, key, NULL);
    if (comment == NULL || comment[0] == '\0') {
        g_free(comment);
        return;
    }
    char **lines = g_strsplit(comment, "\n", -1);
    guint count = g_strv_length(lines);
    if (count > 0 && lines[count - 1][0] == '\0') count--; /* the final newline */
    for (guint i = 0; i < count; i++) {
        if (lines[i][0] == '\0') {
            g_string_append_c(out, '\n');
        } else {
            g_string_append_printf(out, "%s%s\n", lines[i][0] == '#' ? "" : "#", lines[i]);
        }
    }
    g_strfreev(lines);
    g_free(comment);
}

/* "key = value", or for [expect] the comparison as written: GKeyFile splits
 * "decided_blocks >= 95" into the key "decided_blocks >" and the value "95", and
 * "failed_views == 0" into "failed_views" and "= 0". */
static void append_entry(GString *out, const char *group, const char *key, const char *value)
{
    gboolean compare = strcmp(group, "expect") == 0;
    size_t n = strlen(key);
    gboolean op = compare && n > 0 && (key[n - 1] == '<' || key[n - 1] == '>');
    if (op) {
        g_string_append_printf(out, "%s= %s\n", key, value);
    } else if (compare && value[0] == '=') {
        g_string_append_printf(out, "%s =%s\n", key, value);
    } else {
        g_string_append_printf(out, "%s = %s\n", key, value);
    }
}

char *sim_scenario_edit_text(GKeyFile *file)
{
    SIM_ASSERT(file != NULL);
    GString *out = g_string_new(NULL);
    gsize groups_len = 0;
    char **groups = g_key_file_get_groups(file, &groups_len);
    for (gsize g = 0; g < groups_len; g++) {
        if (g > 0) g_string_append_c(out, '\n');
        append_comment(out, file, groups[g], NULL);
        g_string_append_printf(out, "[%s]\n", groups[g]);
        gsize keys_len = 0;
        char **keys = g_key_file_get_keys(file, groups[g], &keys_len, NULL);
        for (gsize k = 0; keys != NULL && k < keys_len; k++) {
            append_comment(out, file, groups[g], keys[k]);
            char *value = g_key_file_get_value(file, groups[g], keys[k], NULL);
            append_entry(out, groups[g], keys[k], value != NULL ? value : "");
            g_free(value);
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    /* Two blank lines may follow one another where a group comment began with one. */
    while (strstr(out->str, "\n\n\n") != NULL) {
        char *at = strstr(out->str, "\n\n\n");
        g_string_erase(out, at - out->str, 1);
    }
    return g_string_free(out, FALSE);
}

gboolean sim_scenario_edit_set(GKeyFile *file, const char *assignment, GError **error)
{
    SIM_ASSERT(file != NULL);
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (g_str_has_prefix(assignment, "fault.") && dot != NULL) dot = strchr(dot + 1, '.');
    if (eq == NULL || dot == NULL || dot > eq || dot == assignment || dot + 1 == eq) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--set \"%s\": expected group.key=value, such as consensus.nodes=100",
                    assignment);
        return FALSE;
    }
    char *group = g_strndup(assignment, (gsize)(dot - assignment));
    char *key = g_strstrip(g_strndup(dot + 1, (gsize)(eq - dot - 1)));
    g_key_file_set_value(file, group, key, eq + 1);
    g_free(group);
    g_free(key);
    return TRUE;
}

gboolean sim_scenario_edit_expect(GKeyFile *file, const char *line, GError **error)
{
    SIM_ASSERT(file != NULL);
    const char *eq = strchr(line, '=');
    if (eq == NULL || eq == line) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "expectation \"%s\": expected key = value, key >= value or key <= value", line);
        return FALSE;
    }
    char *key = g_strstrip(g_strndup(line, (gsize)(eq - line)));
    char *value = g_strstrip(g_strdup(eq + 1));
    g_key_file_set_value(file, "expect", key, value);
    g_free(key);
    g_free(value);
    return TRUE;
}

char *sim_scenario_edit_expect_line(GKeyFile *file, const char *key)
{
    char *value = g_key_file_get_value(file, "expect", key, NULL);
    SIM_ASSERT(value != NULL); /* callers pass keys the file has */
    GString *out = g_string_new(NULL);
    append_entry(out, "expect", key, value);
    g_free(value);
    g_string_truncate(out, out->len - 1); /* the newline */
    return g_string_free(out, FALSE);
}
