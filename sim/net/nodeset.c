/* Node-id bitmaps and their text form. */
#include "sim/net/nodeset.h"

#include "protocol/types.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>

static size_t word_count(uint32_t node_count)
{
    return ((size_t)node_count + 63) / 64;
}

void sim_node_set_init(SimNodeSet *set, uint32_t node_count)
{
    SIM_ASSERT(set != NULL);
    set->node_count = node_count;
    set->words = g_new0(uint64_t, word_count(node_count) > 0 ? word_count(node_count) : 1);
}

void sim_node_set_clear(SimNodeSet *set)
{
    g_free(set->words);
    set->words = NULL;
    set->node_count = 0;
}

void sim_node_set_copy(SimNodeSet *target, const SimNodeSet *source)
{
    sim_node_set_init(target, source->node_count);
    memcpy(target->words, source->words, word_count(source->node_count) * sizeof(uint64_t));
}

void sim_node_set_add(SimNodeSet *set, uint32_t id)
{
    SIM_ASSERT(id < set->node_count);
    set->words[id >> 6] |= (uint64_t)1 << (id & 63);
}

void sim_node_set_remove(SimNodeSet *set, uint32_t id)
{
    SIM_ASSERT(id < set->node_count);
    set->words[id >> 6] &= ~((uint64_t)1 << (id & 63));
}

void sim_node_set_add_range(SimNodeSet *set, uint32_t first, uint32_t last)
{
    SIM_ASSERT(first <= last);
    SIM_ASSERT(last < set->node_count);
    for (uint32_t id = first; id <= last; id++)
        sim_node_set_add(set, id);
}

void sim_node_set_fill(SimNodeSet *set)
{
    if (set->node_count > 0) sim_node_set_add_range(set, 0, set->node_count - 1);
}

uint32_t sim_node_set_count(const SimNodeSet *set)
{
    /* Bits past node_count are never set (add and remove assert the id), so whole words count. */
    return (uint32_t)proto_popcount((const uint8_t *)set->words,
                                    word_count(set->node_count) * sizeof set->words[0]);
}

gboolean sim_node_set_intersects(const SimNodeSet *a, const SimNodeSet *b)
{
    SIM_ASSERT(a->node_count == b->node_count);
    for (size_t i = 0; i < word_count(a->node_count); i++) {
        if (a->words[i] & b->words[i]) return TRUE;
    }
    return FALSE;
}

size_t sim_node_set_members(const SimNodeSet *set, uint32_t *ids, size_t capacity)
{
    size_t n = 0;
    for (uint32_t id = 0; id < set->node_count && n < capacity; id++) {
        if (sim_node_set_contains(set, id)) ids[n++] = id;
    }
    return n;
}

static gboolean parse_id(const char *text, uint32_t node_count, uint32_t *id, GError **error)
{
    uint64_t value;
    GError *inner = NULL;
    if (!sim_quantity_parse(text, SIM_QUANTITY_COUNT, &value, &inner)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "expected a node id or range such as 0-99, got \"%s\"", text);
        g_error_free(inner);
        return FALSE;
    }
    if (value >= node_count) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "node id %s is out of range: there are %u nodes (ids 0-%u)", text, node_count,
                    node_count - 1);
        return FALSE;
    }
    *id = (uint32_t)value;
    return TRUE;
}

static gboolean parse_item(SimNodeSet *set, char *item, GError **error)
{
    uint32_t first, last;
    char *dash = strchr(item, '-');
    if (dash != NULL) *dash = '\0';
    if (!parse_id(g_strstrip(item), set->node_count, &first, error)) return FALSE;
    last = first;
    if (dash != NULL && !parse_id(g_strstrip(dash + 1), set->node_count, &last, error)) {
        return FALSE;
    }
    if (last < first) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "range %u-%u runs backwards",
                    first, last);
        return FALSE;
    }
    for (uint32_t id = first; id <= last; id++) {
        if (sim_node_set_contains(set, id)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "node %u is listed more than once", id);
            return FALSE;
        }
        sim_node_set_add(set, id);
    }
    return TRUE;
}

gboolean sim_node_set_parse(SimNodeSet *set, const char *text, GError **error)
{
    SIM_ASSERT(set != NULL && set->words != NULL && text != NULL);
    char *trimmed = g_strstrip(g_strdup(text));
    gboolean ok = TRUE;
    if (strcmp(trimmed, "all") == 0) {
        sim_node_set_fill(set);
    } else if (trimmed[0] == '\0') {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "expected node ids or ranges such as 0-99, 200 (or \"all\"), got nothing");
        ok = FALSE;
    } else {
        char **items = g_strsplit(trimmed, ",", -1);
        for (guint i = 0; items[i] != NULL && ok; i++)
            ok = parse_item(set, items[i], error);
        g_strfreev(items);
    }
    if (ok && sim_node_set_count(set) == 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "the node set is empty");
        ok = FALSE;
    }
    g_free(trimmed);
    return ok;
}

char *sim_node_set_format(const SimNodeSet *set)
{
    GString *text = g_string_new(NULL);
    uint32_t id = 0;
    while (id < set->node_count) {
        if (!sim_node_set_contains(set, id)) {
            id++;
            continue;
        }
        uint32_t last = id;
        while (last + 1 < set->node_count && sim_node_set_contains(set, last + 1))
            last++;
        if (text->len > 0) g_string_append_c(text, ',');
        if (last == id) {
            g_string_append_printf(text, "%u", id);
        } else {
            g_string_append_printf(text, "%u-%u", id, last);
        }
        id = last + 1;
    }
    return g_string_free(text, FALSE);
}
