/*
 * The inside of a run, shared by run.c (building, binding nodes to hosts) and run_faults.c
 * (firing faults). Nothing outside sim/run*.c includes this.
 */
#ifndef SHOTGLASS_SIM_RUN_INTERNAL_H
#define SHOTGLASS_SIM_RUN_INTERNAL_H

#include "sim/run/run.h"

struct SimRun {
    SimRunConfig config; /* copy; pointers borrowed from the caller's config */
    SimEngine *engine;
    SimRegions *regions;
    SimNetwork *network;
    ProtoCrypto *crypto;
    ProtoStakeTable *stake;
    ProtoShared *shared;
    ProtoNode **nodes;                   /* NULL while crashed */
    ProtoPersisted *persisted;           /* state kept across a crash */
    ProtoByzantineKind *behaviour;       /* per node; NONE for honest nodes */
    ProtoByzantine **byzantine;          /* per node, while it runs */
    ProtoByzantineStats *behaviour_done; /* per node: what its behaviours did before restarts */
    ProtoNode **twins; /* per node: the second instance of a twins node, or NULL */
    ProtoByzantine **twin_byzantine;
    SimRng *twin_rngs;
    GQueue *twin_local; /* TwinDelivery: twins' messages to their own id, delivered after the
                           flush that sent them (the network cannot tell the twins apart) */
    GArray *rewritten;  /* scratch for Byzantine rewrites */
    SimRng *node_rngs;
    uint16_t net_type[PROTO_MSG_TYPE_COUNT_];
    /* Faults (run_faults.c). */
    GArray *windows;        /* SimFaultWindow, one per configured fault */
    uint16_t kind_fault;    /* a fault starts or ends: arg = window index * 2 + ending */
    uint16_t *region_of;    /* per validator, for selectors */
    uint64_t *timeout_ppm;  /* per validator: view-timer factor (skew) */
    uint64_t fault_view;    /* the highest view an honest node entered, for triggers */
    uint8_t *fault_pending; /* per window: a start or end is scheduled */
    AnaSafety *safety;
    AnaLiveness *liveness;
    AnaData *data;
    SimEndpoints *endpoints;
    uint32_t hosts;              /* validators and endpoints */
    ProtoView dispersal_view;    /* a leader's dispersal being counted in the current flush */
    uint64_t dispersal_bytes[2]; /* DA proposals, VID shares */
    uint64_t dispersal_payload;
    const char *stop;        /* why an oracle or a stop condition of the run stopped it */
    const char *engine_stop; /* otherwise, why the engine stopped (sim_run_stop_description) */
    size_t node_memory_max;
    /* The stall watchdog (run.c): no event of its own, a deadline on each engine run. */
    SimDuration stall; /* the effective stall time (config.stall, or auto worked out) */
    SimTime watch_at;  /* when an honest node last entered a view, or a fault started or ended */
    guint faults_due;  /* fault starts and ends waiting in the event queue */
};

/* run.c */
void run__crash(SimRun *run, uint32_t id);
void run__restart(SimRun *run, uint32_t id);
SimSelectorContext run__selector_context(const SimRun *run);

/* run_faults.c */
gboolean faults__init(SimRun *run, GError **error);
void faults__free(SimRun *run);
void faults__on_note(SimRun *run, uint32_t node, const ProtoAction *note, SimTime ready);

#endif
