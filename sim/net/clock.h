/*
 * Clock classes: how fast a host's CPU runs relative to the reference core the CPU cost table
 * is written for (a 3.5 GHz x86-64 core, docs/crypto-costs.md "Scope"). A class scales every
 * CPU cost of the host by 3.5 GHz / its clock (docs/calibration.md, `[hosts] clock`): clock
 * frequency only, not the differences in work per cycle between processor generations.
 *
 * Forms of the text (n = number of validators):
 *   "m6a"                       every validator one class (a preset, or "reference")
 *   "2.9GHz"                    a clock given directly (GHz or MHz)
 *   "m5:50%, m6a:50%"           shares; they must sum to exactly 100%
 *   "m5:40, m6a:60"             counts; they must sum to n
 * Shares become counts by the largest remainder; validators are dealt to classes interleaved
 * (smooth weighted round robin), as placements are (placement.h).
 */
#ifndef SHOTGLASS_SIM_CLOCK_H
#define SHOTGLASS_SIM_CLOCK_H

#include <glib.h>
#include <stdint.h>

#define SIM_CLOCK_REFERENCE_MHZ 3500

/* Fills factor_ppm[0..node_count) (1000000 = the reference core; larger is slower) from
 * `text`. Returns FALSE with `error` naming the offending entry. */
gboolean sim_clock_assign(const char *text, uint32_t node_count, uint64_t *factor_ppm,
                          GError **error);

/* The presets as "name (GHz)" words, comma separated (new string), for help and errors. */
char *sim_clock_presets(void);

#endif
