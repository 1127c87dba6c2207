/*
 * Sets of node ids, as a bitmap over a fixed number of nodes. Partitions, degradation windows,
 * faults and multicasts select nodes with them; membership is one shift and mask.
 *
 * Text form: comma-separated ids and inclusive ranges, "0-499, 600, 700-799", or "all". Ids must
 * be below the node count; an empty set, reversed range or repeated id is an error (a repeated
 * id in a selector is almost always a typo for another one).
 */
#ifndef SHOTGLASS_SIM_NODESET_H
#define SHOTGLASS_SIM_NODESET_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SimNodeSet {
    uint32_t node_count;
    uint64_t *words; /* owned */
} SimNodeSet;

/* Initialises an empty set over ids [0, node_count). Release with sim_node_set_clear. */
void sim_node_set_init(SimNodeSet *set, uint32_t node_count);
void sim_node_set_clear(SimNodeSet *set);
void sim_node_set_copy(SimNodeSet *target, const SimNodeSet *source);

void sim_node_set_add(SimNodeSet *set, uint32_t id);
void sim_node_set_add_range(SimNodeSet *set, uint32_t first, uint32_t last);
void sim_node_set_remove(SimNodeSet *set, uint32_t id);
void sim_node_set_fill(SimNodeSet *set);

static inline gboolean sim_node_set_contains(const SimNodeSet *set, uint32_t id)
{
    return id < set->node_count && ((set->words[id >> 6] >> (id & 63)) & 1u);
}

uint32_t sim_node_set_count(const SimNodeSet *set);
gboolean sim_node_set_intersects(const SimNodeSet *a, const SimNodeSet *b);

/* Writes up to `capacity` member ids in ascending order into `ids`; returns how many. */
size_t sim_node_set_members(const SimNodeSet *set, uint32_t *ids, size_t capacity);

/*
 * Parses `text` (see above) into `set`, which must be initialised over the right node count.
 * Returns FALSE with `error` (G_OPTION_ERROR domain) saying what was expected; members added
 * before the error stay (callers discard the set on failure).
 */
gboolean sim_node_set_parse(SimNodeSet *set, const char *text, GError **error);

/* The canonical text form, e.g. "0-499,600" (g_free). */
char *sim_node_set_format(const SimNodeSet *set);

#endif
