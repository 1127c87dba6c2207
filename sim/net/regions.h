/*
 * Regions and the measured latency between them.
 *
 * The default table is compiled into the binary from sim/net/data/ (see SOURCES.md there): 21 AWS
 * regions and the CloudPing p50 round-trip times between every pair, measured over the year to
 * 2025-05-29 (cloudping.co, via oaustegard/oaustegard.github.io, Apache-2.0). The one-way delay
 * of a link is half its round-trip time. The diagonal (same-region RTT, 2.1-5.3 ms) includes
 * connection set-up overhead of the measuring probe and can be overridden.
 *
 * Values are converted once, at load, to integer nanoseconds; nothing downstream sees floats.
 */
#ifndef SHOTGLASS_SIM_REGIONS_H
#define SHOTGLASS_SIM_REGIONS_H

#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimRegions SimRegions;

#define SIM_REGIONS_MAX 256

/* Loads the compiled-in table. Returns NULL with `error` set if the embedded data is broken. */
SimRegions *sim_regions_new_default(GError **error);

/*
 * Loads a table from CSV text: `regions_csv` with header region,continent,latitude,longitude and
 * `latency_csv` with header from,to,rtt_ms_p50 covering every ordered pair. Lines starting with
 * '#' are comments. `origin` names the source in error messages. Returns NULL with `error` set
 * on a malformed line, an unknown region or a missing pair.
 */
SimRegions *sim_regions_new_from_csv(const char *regions_csv, const char *latency_csv,
                                     const char *origin, GError **error);

void sim_regions_free(SimRegions *regions);

uint16_t sim_regions_count(const SimRegions *regions);
const char *sim_regions_name(const SimRegions *regions, uint16_t region);
const char *sim_regions_continent(const SimRegions *regions, uint16_t region);

/* Finds a region by exact name; returns FALSE if there is none. */
gboolean sim_regions_lookup(const SimRegions *regions, const char *name, uint16_t *region);

/* The closest region name to `name` (edit distance), for "did you mean" messages; static. */
const char *sim_regions_suggest(const SimRegions *regions, const char *name);

/* Measured round-trip time between two regions. */
SimDuration sim_regions_rtt(const SimRegions *regions, uint16_t a, uint16_t b);

/* One-way delay: RTT / 2, or the override for a == b when one is set. */
SimDuration sim_regions_one_way(const SimRegions *regions, uint16_t a, uint16_t b);

/* Replaces the same-region one-way delay for every region (SIM_TIME_NONE restores the data). */
void sim_regions_set_intra_one_way(SimRegions *regions, SimDuration one_way);

/* A comma-separated list of all region names (g_free). */
char *sim_regions_list(const SimRegions *regions);

#endif
