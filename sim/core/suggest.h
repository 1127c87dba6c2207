/*
 * "Did you mean": the closest of a set of known words to a misspelt one, for error messages
 * about keys, groups, regions, behaviours and the like.
 */
#ifndef SHOTGLASS_SIM_SUGGEST_H
#define SHOTGLASS_SIM_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between two short words (SIZE_MAX when either exceeds 64 bytes). */
size_t sim_edit_distance(const char *a, const char *b);

/*
 * The candidate closest to `word`, if it is close enough to be a likely misspelling (at most a
 * third of the word's length plus one edits away); NULL otherwise. Ties go to the first.
 */
const char *sim_suggest(const char *word, const char *const *candidates, size_t count);

#endif
