/*
 * Faults as a scenario states them: what happens, to whom, from when and until when. The run
 * (sim/run/faults.c) fires them.
 *
 *   crash      the nodes stop, keeping what they persisted; with an end, they restart then
 *   restart    crashed nodes come back from what they persisted
 *   pause      the nodes' CPUs stop (deliveries and timers wait) until the end
 *   slow       the nodes' CPUs take `factor` times longer until the end
 *   partition  the groups cannot reach one another (or `from` cannot reach `to`, one way)
 *   degrade    latency times `latency`, bandwidth divided by `bandwidth`, plus `loss`, between
 *              `from` and `to`
 *   filter     messages of the listed types from `from` to `to` are dropped or delayed
 *   skew       the nodes' view timers run `factor` times as long (clocks out of step); static
 *   l1-reorg   an L1 ([l1], or the [l1.NAME] named by `l1`) drops its last `depth` blocks that
 *              are not final, at the start (sim/world/l1.h)
 *   l1-congestion  that L1's transactions submitted until the end wait `slots` whole slots
 *              (a distribution) for their earliest block
 *
 * A fault starts at a trigger: a virtual instant ("30s"), the first honest node entering a view
 * ("view 50") or the first timeout certificate ("tc", or "tc 20": of view 20 or later). It ends
 * at another trigger ("until"), after a duration, after a number of views counted from the view
 * in progress when it started, or never.
 */
#ifndef SHOTGLASS_SIM_FAULT_H
#define SHOTGLASS_SIM_FAULT_H

#include "protocol/byzantine.h"
#include "sim/net/network.h"
#include "sim/run/selector.h"
#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimFaultKind {
    SIM_FAULT_CRASH,
    SIM_FAULT_RESTART,
    SIM_FAULT_PAUSE,
    SIM_FAULT_SLOW,
    SIM_FAULT_PARTITION,
    SIM_FAULT_DEGRADE,
    SIM_FAULT_FILTER,
    SIM_FAULT_SKEW,
    SIM_FAULT_BYZANTINE,     /* a behaviour for a window; without one it is a run setting */
    SIM_FAULT_L1_REORG,      /* an L1 drops its last `depth` blocks that are not final */
    SIM_FAULT_L1_CONGESTION, /* an L1's submitted transactions wait `slots` slots */
    SIM_FAULT_KIND_COUNT_,
} SimFaultKind;

typedef enum SimTriggerKind {
    SIM_TRIGGER_NEVER,
    SIM_TRIGGER_TIME,  /* value: virtual time */
    SIM_TRIGGER_VIEW,  /* value: a view some honest node enters */
    SIM_TRIGGER_TC,    /* value: the lowest view whose TC counts */
    SIM_TRIGGER_AFTER, /* ends only: value: a duration after the start */
    SIM_TRIGGER_VIEWS, /* ends only: value: views after the view in progress at the start */
} SimTriggerKind;

typedef struct SimTrigger {
    SimTriggerKind kind;
    uint64_t value;
} SimTrigger;

typedef struct SimFault {
    char *name; /* the scenario group's name ("split" for [fault.split]) */
    SimFaultKind kind;
    SimTrigger at;
    SimTrigger end;
    SimSelector nodes;   /* crash, restart, pause, slow, skew */
    SimSelector from;    /* partition (one way), degrade, filter; empty: every validator */
    SimSelector to;      /* likewise */
    GPtrArray *groups;   /* partition: SimSelector *, at least two, disjoint */
    gboolean one_way;    /* partition, degrade: only from -> to */
    SimCutMode mode;     /* partition: drop copies, or hold them until it heals */
    uint64_t factor_ppm; /* slow: CPU time factor; skew: view-timer factor */
    uint64_t latency_ppm;
    uint64_t bandwidth_ppm;
    uint64_t loss_ppm;
    uint64_t types;               /* filter: bit per protocol message type */
    gboolean delay;               /* filter: delay instead of drop */
    SimDuration amount;           /* filter: the delay */
    ProtoByzantineKind behaviour; /* byzantine */
    uint32_t l1;                  /* l1-reorg, l1-congestion: the L1 (0: [l1]; k: [l1.NAME]) */
    uint32_t depth;               /* l1-reorg: blocks */
    SimDist slots;                /* l1-congestion: the inclusion delay, whole slots */
} SimFault;

/* A new fault of `kind` named `name`, starting at time 0 and never ending, selecting nothing. */
SimFault *sim_fault_new(SimFaultKind kind, const char *name);
void sim_fault_free(SimFault *fault);

const char *sim_fault_kind_name(SimFaultKind kind);
gboolean sim_fault_kind_lookup(const char *name, SimFaultKind *kind);

/*
 * Parses a trigger: "30s", "view 50", "tc", "tc 20". `is_end` also allows "never". Returns
 * FALSE with `error` saying what was expected.
 */
gboolean sim_trigger_parse(const char *text, gboolean is_end, SimTrigger *out, GError **error);
char *sim_trigger_format(const SimTrigger *trigger);

#endif
