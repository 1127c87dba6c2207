/*
 * Random fault schedules for `shotglass explore`, in the manner of TigerBeetle's VOPR "swarm"
 * testing: every seed draws its own mix of faults, so that many seeds cover combinations nobody
 * would write by hand.
 *
 * A schedule is drawn from one RNG stream, (seed, "explore", 0) by sim/core/rng.h's
 * derivation, and nothing else: the same scenario and seed give the same schedule. It is written
 * as ordinary [fault.explore-N-KIND] groups into the scenario's key file (sim/scenario/edit.h),
 * with [scenario] seed set to the same seed, so the file replays the run with `shotglass run`.
 *
 * What a seed draws:
 *   - a faulty set within the budget: validators that are Byzantine (each its own group, with a
 *     behaviour drawn from the allowed ones, sometimes only for a window) or crashed (with a
 *     restart after a window, or for good) or paused for a window. The budget counts the stake
 *     of Byzantine plus crashed and paused validators, those of the scenario's own faults
 *     included, and keeps it strictly below a fraction of the total stake and of the DA
 *     committee's stake (default 1/3 of each);
 *   - up to `faults_max` other faults: partitions (two groups, or one way; dropping or holding),
 *     degraded links (latency, bandwidth, loss), message filters (dropping or delaying some
 *     message types), slow CPUs, and clock skew (view timers running fast or slow);
 *   - in liveness mode, every fault with a window heals (no crash for good, no open-ended
 *     partition), the run is set to last `recovery` x 2 past the last heal, and an expectation
 *     `recovery.LAST <= recovery` asks for a new decide within the bound after it.
 * Times are drawn over the horizon: the virtual time the scenario takes without the drawn
 * faults (the caller measures it once), so windows fall inside the run whatever its pace.
 */
#ifndef SHOTGLASS_SIM_SCENARIO_SWARM_H
#define SHOTGLASS_SIM_SCENARIO_SWARM_H

#include "sim/core/time.h"
#include "sim/run/fault.h"

#include <glib.h>
#include <stdint.h>

/* A fraction num/den; an amount x is within it when x * den < num * total (strictly). */
typedef struct SimSwarmShare {
    uint64_t num;
    uint64_t den;
} SimSwarmShare;

typedef struct SimSwarmBudget {
    SimSwarmShare faulty;    /* Byzantine + crashed/paused stake below this share (1/3) */
    SimSwarmShare byzantine; /* Byzantine stake below this share (default: faulty) */
    SimSwarmShare crashed;   /* crashed and paused stake below this share (default: faulty) */
    guint faults_max;        /* network, CPU and clock faults per seed, at most (default 4) */
    uint32_t kinds;          /* bit (1 << SimFaultKind) per kind that may be drawn */
    uint32_t behaviours;     /* bit (1 << ProtoByzantineKind) per behaviour that may be drawn */
    gboolean liveness;       /* every fault heals; progress must resume within `recovery` */
    SimDuration recovery;
} SimSwarmBudget;

/* What the drawn faults act on: the scenario as loaded, and the caller's measurements. */
typedef struct SimSwarmBase {
    uint32_t nodes;
    const uint64_t *stakes; /* per validator, borrowed */
    uint32_t da_committee;  /* members 0 .. da_committee-1; 0 without the DA layer */
    const gboolean *faulty; /* per validator: Byzantine, crashed or paused by the scenario */
    SimTime horizon;        /* the scenario's virtual run time without the drawn faults */
    SimDuration view_timeout;
} SimSwarmBase;

/* What a seed drew, for summaries. */
typedef struct SimSwarmDraw {
    guint kinds[SIM_FAULT_KIND_COUNT_]; /* groups written, per kind */
    guint byzantine;                    /* validators made Byzantine */
    guint crashed;                      /* validators crashed or paused */
    char *last;                         /* liveness: the fault whose heal is checked (g_free) */
} SimSwarmDraw;

/* The default budget: faulty, Byzantine and crashed stake each below 1/3, at most 4 other
 * faults, every kind and behaviour, safety mode, recovery bound 60 s. */
void sim_swarm_budget_init(SimSwarmBudget *budget);

/*
 * Parses "1/3", "0.25", "30%" or "0" into a share in [0, 1] (0: none at all). Returns FALSE with
 * `error` otherwise.
 */
gboolean sim_swarm_share_parse(const char *text, SimSwarmShare *out, GError **error);

/*
 * Draws seed `seed`'s schedule for `base` within `budget` and writes it into `file` (the
 * scenario's key file): fault groups, [scenario] seed, and in liveness mode the stop condition
 * and the recovery expectation. Fills `draw` (clear it with sim_swarm_draw_clear).
 */
void sim_swarm_draw(const SimSwarmBudget *budget, const SimSwarmBase *base, uint64_t seed,
                    GKeyFile *file, SimSwarmDraw *draw);
void sim_swarm_draw_clear(SimSwarmDraw *draw);

#endif
