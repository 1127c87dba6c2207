/*
 * Firing the configured faults (sim/run/fault.h) during a run: the windows they open and close
 * on the network and on nodes. One run (sim/run/run.c) owns one SimFaults and gives it the narrow
 * interface it needs: the engine to schedule on, the network to cut and degrade, who the
 * validators are (for selectors), and hooks to crash and restart a node. The faults never see the
 * run itself.
 */
#ifndef SHOTGLASS_SIM_RUN_FAULTS_H
#define SHOTGLASS_SIM_RUN_FAULTS_H

#include "protocol/byzantine.h"
#include "protocol/message.h"
#include "protocol/node.h"
#include "sim/core/engine.h"
#include "sim/core/time.h"
#include "sim/net/distribution.h"
#include "sim/net/network.h"
#include "sim/net/nodeset.h"
#include "sim/run/fault.h"
#include "sim/run/selector.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimFaults SimFaults;

/* What became of one configured fault in a run. */
typedef struct SimFaultWindow {
    const SimFault *fault; /* the run's copy of the configuration */
    gboolean started;
    gboolean ended;
    SimTime start;
    SimTime end;         /* valid when ended */
    uint64_t start_view; /* the view in progress when it started */
    SimNodeSet nodes;    /* whom it hit (node-set kinds) */
    SimNodeSet relays;   /* the relay hosts it hit (crash, restart, pause, slow), over all hosts */
    GArray *handles;     /* uint32_t network handles (link kinds) */
} SimFaultWindow;

/* What a fault does to a node that the network alone cannot: the run carries it out. */
typedef struct SimFaultHooks {
    /* crash and restart also get relay hosts (ids from the selector context's first_relay) */
    void (*crash)(void *user_data, uint32_t node);
    void (*restart)(void *user_data, uint32_t node);
    /* A byzantine window starts (`kind`) or ends (PROTO_BYZANTINE_NONE) on `node`. */
    void (*behave)(void *user_data, uint32_t node, ProtoByzantineKind kind);
    /* An L1 fault (l1-reorg, l1-congestion) starts (`start`) or ends, at `now`. */
    void (*l1)(void *user_data, const SimFault *fault, gboolean start, SimTime now);
    void *user_data;
} SimFaultHooks;

typedef struct SimFaultsConfig {
    SimEngine *engine;        /* borrowed */
    SimNetwork *network;      /* borrowed */
    const GPtrArray *faults;  /* SimFault *, borrowed, in the scenario's order */
    SimSelectorContext who;   /* the validators; `view` is kept by the faults */
    const uint16_t *net_type; /* PROTO_MSG_TYPE_COUNT_ entries: protocol to network types */
    SimTime gst;              /* SIM_TIME_NONE: synchronous throughout */
    const SimDist *pre_gst_delay;
    SimDuration gst_delta;
    SimFaultHooks hooks;
} SimFaultsConfig;

/* Checks the faults against the run (static selectors pick someone, partition groups are
 * disjoint), applies clock skew, and schedules the faults that start at a time. Returns NULL
 * with `error` naming the fault group when one is refused. */
SimFaults *sim_faults_new(const SimFaultsConfig *config, GError **error);
void sim_faults_free(SimFaults *faults);

/* An honest node's note (view entered, TC formed) at `ready`: starts and ends the faults it
 * triggers, as events at that time. */
void sim_faults_on_note(SimFaults *faults, const ProtoAction *note, SimTime ready);

/* The highest view an honest node has entered (what "leader" means to a selector now). */
uint64_t sim_faults_view(const SimFaults *faults);
/* The view-timer factor of `node` (clock skew), in parts per million. */
uint64_t sim_faults_timeout_ppm(const SimFaults *faults, uint32_t node);
/* Fault starts and ends waiting in the event queue. */
guint sim_faults_due(const SimFaults *faults);
/* When a fault last started or ended (0 before any did). */
SimTime sim_faults_changed_at(const SimFaults *faults);

guint sim_faults_count(const SimFaults *faults);
const SimFaultWindow *sim_faults_window(const SimFaults *faults, guint index);
/* The window of the fault group `name`, or NULL. */
const SimFaultWindow *sim_faults_window_named(const SimFaults *faults, const char *name);

#endif
