/*
 * One simulation run of HotShot: the engine, the network, the protocol nodes bound to hosts,
 * the fault schedule and the oracles, built from a SimRunConfig.
 *
 * Binding. Each host runs one protocol node. When the network delivers a message (or a timer
 * fires) the host's CPU is free; the node handles it and reports the virtual CPU time it used
 * (decoding, signatures, certificate checks, from the cost table), which is charged to the
 * host, and everything the node sent leaves when that work is done. Node actions become network
 * sends, broadcasts and timers; decides and notes go to the oracles, which may stop the run
 * (a safety violation stops it at once, with the seed and virtual time in the report).
 *
 * Randomness: keys, the leader beacon, each node's protocol stream and the network's streams
 * all derive from the run seed (sim/core/rng.h), so a run is reproduced bit for bit by its seed.
 */
#ifndef SHOTGLASS_SIM_RUN_H
#define SHOTGLASS_SIM_RUN_H

#include "analysis/data.h"
#include "analysis/liveness.h"
#include "analysis/safety.h"
#include "protocol/byzantine.h"
#include "protocol/epoch.h"
#include "protocol/node.h"
#include "sim/net/distribution.h"
#include "sim/core/engine.h"
#include "sim/world/endpoints.h"
#include "sim/world/prover.h"
#include "sim/run/fault.h"
#include "sim/run/faults.h"
#include "sim/net/network.h"
#include "sim/net/transport.h"

#include <glib.h>

typedef enum SimStakeKind {
    SIM_STAKE_EQUAL,
    SIM_STAKE_ZIPF,
    SIM_STAKE_LIST,
} SimStakeKind;

/* Validators that run a Byzantine behaviour from the start. */
typedef struct SimByzantine {
    char *name; /* the scenario group's name, for messages */
    ProtoByzantineKind kind;
    SimSelector nodes; /* static terms only */
} SimByzantine;

/* An observer of everything a node reports (notes and decides), e.g. for a timeline. Called with
 * the action before it is released; `now` is the time the node's work completes. */
typedef void (*SimRunObserver)(void *user_data, uint32_t node, const ProtoAction *action,
                               SimTime now);

#define SIM_STALL_AUTO ((SimDuration)0)

/* An observer of every message delivered to a validator or an endpoint (`source` sent it to
 * `target`), e.g. to dump them (--dump-messages). Called before the receiver handles it, also
 * when the receiver is crashed; `bytes` is borrowed. Must not change the run. */
typedef void (*SimRunMessageObserver)(void *user_data, uint32_t target, uint32_t source,
                                      GBytes *bytes);

/* An L1 of its own: an [l1.NAME] group (keys it does not set are the [l1] group's). */
typedef struct SimRunL1 {
    char *name;
    SimDuration slot_time;
    uint64_t missed_ppm;
    SimDist inclusion_delay;
    uint32_t finality_depth;
    SimDuration update_interval; /* its prover's */
    SimDuration proving_time;
    char *region; /* where its prover and L1 node run (owned), or NULL: the [l1] group's */
} SimRunL1;

typedef struct SimRunConfig {
    uint64_t seed;
    const gsl_rng_type *rng_algorithm;
    uint32_t nodes;
    char *placement; /* owned; see sim/net/placement.h */
    uint64_t uplink_bps;
    uint64_t downlink_bps;
    SimDist jitter;
    SimDuration intra_region_one_way; /* SIM_TIME_NONE: the measured same-region value */
    uint64_t loss_ppm;
    SimLossMode loss_mode;
    SimDuration retransmit_timeout;
    uint64_t hold_max; /* bytes a HOLD cut may keep per link (SimNetworkConfig.hold_max) */
    /* TCP per connection (sim/net/tcp.h): a preset, and overrides of its values (0, or -1 for
     * the flag: the preset's). */
    SimTcpMode tcp_mode;
    uint64_t tcp_window;
    uint64_t tcp_initial_window;
    uint64_t tcp_mss;
    int tcp_slow_start_after_idle;
    uint32_t vcpus; /* each validator's virtual CPUs */
    /* How validators' messages travel (sim/net/transport.h): the kind and each transport's
     * settings. The setup's region texts point at the owned strings below when the run starts;
     * its run-time fields (regions, validators, first_relay, DA members) are filled then. */
    SimRelaySetup transport;
    char *cdn_placement;      /* owned */
    char *cdn_marshal_region; /* owned */
    char *web_region;         /* owned */
    ProtoCryptoMode crypto;
    ProtoLeaderMode leaders;
    gboolean three_chain;
    SimDuration view_timeout;
    SimDuration view_sync_timeout;
    SimDuration fetch_timeout;
    SimStakeKind stake_kind;
    uint64_t stake_zipf_ppm;
    GArray *stake_list; /* uint64_t, owned; SIM_STAKE_LIST */
    /* Epochs (protocol/epoch.h): blocks per epoch, 0 for none (one stake table for the whole
     * run), and the stake-table changes (ProtoStakeChange, owned; NULL for none). */
    uint64_t epoch_length;
    GArray *stake_changes;
    uint64_t drb_difficulty; /* [epochs] drb_difficulty: SHA-256 iterations of the DRB */
    /* [epochs] test_*: test only, the buggy rules of regression scenarios (hotshot.md 1.9 and
     * 3.6; ProtoNodeConfig and SimProverConfig say what each does). */
    gboolean test_own_proposal_check;
    gboolean test_last_votes_to_current_leader;
    gboolean test_light_client_last_block;
    ProtoCostTable costs;
    SimTime end_time;    /* SIM_TIME_NONE: no limit */
    uint64_t views_max;  /* stop once an honest node enters view views_max + 1; 0: no limit */
    uint64_t blocks_max; /* stop once this many blocks are decided; 0: no limit */
    uint64_t events_max; /* 0: no limit */
    /* Stop ("stalled") once no honest node has entered a view for this long and no fault is
     * due to start or end, counted from GST at the earliest; SIM_TIME_NONE: never;
     * SIM_STALL_AUTO: 20 view (or view-sync) timeouts times the largest skew or slow factor,
     * and at least 10 minutes. A partition that leaves no side a quorum, with a fault end
     * counted in views, would otherwise run forever. */
    SimDuration stall;
    GPtrArray *faults;    /* SimFault *, owned */
    GPtrArray *byzantine; /* SimByzantine *, owned */
    gboolean test_disable_lock_check;
    ProtoMutant mutant;      /* [test] mutant: a known bug in every validator (protocol/mutant.h) */
    SimRunObserver observer; /* optional */
    void *observer_data;
    SimRunMessageObserver message_observer; /* optional */
    void *message_observer_data;
    /* Data availability and workload (off unless `da`). */
    gboolean da;           /* DA committee, VID shares, payloads, the vote rule */
    uint32_t da_committee; /* members: validators 0 .. da_committee-1 */
    int vid_scheme; /* [da] vid: ProtoVidScheme; all but none disperse (ProtoShared.dispersal) */
    char *clock;    /* [hosts] clock: the validators' clock classes (sim/net/clock.h) */
    gboolean synthetic;              /* synthetic payloads (sizes only) instead of real bytes */
    uint64_t block_max;              /* bytes */
    SimDuration builder_delay;       /* the builder's answer to a block request */
    SimDuration builder_timeout;     /* a leader's wait for it */
    SimDuration builder_api_timeout; /* the builder's own limit per response (its size limit) */
    uint32_t builder_vcpus;          /* [da] builder_vcpus */
    SimDuration data_request_delay;
    gboolean test_silent_local_share; /* [da]: test only, HotShot PR #3390's bug */
    char *builder_region;             /* owned */
    uint32_t rollups;
    uint64_t tx_rate_mhz; /* per rollup, milli-transactions per second */
    SimDist tx_size;
    uint64_t rpc_ppm;       /* share of transactions sent through the RPC node */
    char *rollup_placement; /* owned; placement text over the rollups */
    ProtoRollupMode rollup_fetch;
    SimTime tx_end; /* users stop submitting (SIM_TIME_NONE: never) */
    /* Partial synchrony (off unless gst is set): before GST copies get an adversarial extra
     * delay from pre_gst_delay, arriving by max(sent, GST) + gst_delta. */
    SimTime gst; /* SIM_TIME_NONE: synchronous throughout */
    SimDist pre_gst_delay;
    SimDuration gst_delta;
    /* The L1 side (off unless `l1`; needs `da`): an L1 chain, the light-client contract, the
     * state relay and the prover (sim/world/prover.h). */
    gboolean l1;
    SimDuration l1_slot_time;
    uint64_t l1_missed_ppm;
    SimDist l1_inclusion_delay; /* whole slots */
    uint32_t l1_finality_depth; /* slots */
    SimDuration l1_update_interval;
    SimDuration l1_retry_interval;
    SimDuration l1_proving_time;
    SimDuration l1_sign_cost; /* one validator's Schnorr signature of the light-client state */
    char *l1_region;          /* owned; where the relay, the prover and the L1 node run */
    SimDuration l1_settle_interval;     /* rollups' state updates: every this long */
    SimDuration l1_settle_proving_time; /* after proving this long */
    SimDuration l1_settle_poll;         /* reading the light client this often until it covers */
    SimDuration l1_liveness_bound; /* the liveness oracle's bound (0: auto; SIM_TIME_NONE: off) */
    gboolean l1_test_prover_stall; /* test only: the prover stops after its first update */
    GArray *l1_named;              /* SimRunL1: the [l1.NAME] groups, in file order (NULL: none) */
    char *rollup_l1s;  /* [workload] rollup_l1s as written (NULL: every rollup on [l1]) */
    GArray *rollup_l1; /* uint32_t per rollup: 0 is [l1], k is l1_named[k - 1] (NULL: all 0) */
} SimRunConfig;

/* Fills `config` with the defaults (10 nodes over four regions, 1 Gbit links, no jitter,
 * modeled crypto, stake-weighted leaders, 10 s view timeout, 100 views). */
void sim_run_config_init(SimRunConfig *config);
void sim_run_config_clear(SimRunConfig *config);
/* The index of the L1 named `name`: 0 for "l1" (the [l1] group's), k for the k-th [l1.NAME];
 * -1 for no such L1. */
int64_t sim_run_l1_index(const SimRunConfig *config, const char *name);

/* The TCP model `config` asks for: its preset with the overrides applied. */
void sim_run_tcp_config(const SimRunConfig *config, SimTcpConfig *tcp);

/* Adds a fault of `kind` on `nodes` (copied) at virtual time `at`, never ending. */
void sim_run_config_add_fault(SimRunConfig *config, SimFaultKind kind, SimTime at,
                              const SimNodeSet *nodes);

/* Adds a fault, taking ownership. */
void sim_run_config_take_fault(SimRunConfig *config, SimFault *fault);

/* Makes `nodes` (copied) Byzantine with `kind`. */
void sim_run_config_add_byzantine(SimRunConfig *config, ProtoByzantineKind kind,
                                  const SimNodeSet *nodes);

/* Makes the validators `nodes` selects (copied) Byzantine with `kind`; `name` may be NULL. */
void sim_run_config_add_byzantine_selector(SimRunConfig *config, ProtoByzantineKind kind,
                                           const SimSelector *nodes, const char *name);

typedef struct SimRun SimRun;

/*
 * Builds a run: placement, hosts, keys, stake table, nodes, faults. Returns NULL with `error`
 * set when the configuration is inconsistent (a bad placement, a stake list of the wrong
 * length, a fault naming a node that does not exist).
 */
SimRun *sim_run_new(const SimRunConfig *config, GError **error);
void sim_run_free(SimRun *run);

/* Starts every node at time 0 and runs until a stop condition; returns why it stopped. */
SimStopReason sim_run_execute(SimRun *run);

/* Reports progress between slices of a run; must not change the run. */
typedef void (*SimRunProgress)(const SimRun *run, void *user_data);

/* The same, calling `progress` every `chunk` events (the run itself is identical). */
SimStopReason sim_run_execute_progress(SimRun *run, SimRunProgress progress, void *user_data,
                                       uint64_t chunk);

/* Why the run stopped, in words ("views reached", "safety violation", "duration reached",
 * "nothing left to happen", ...); NULL before it ran. Static. */
const char *sim_run_stop_description(const SimRun *run);

/* Whether the stall watchdog (SimRunConfig.stall) stopped the run. */
/* Whether the run stopped because more events were pending at once than it allows (a workload
 * the network cannot carry); such a run fails. */
gboolean sim_run_overflowed(const SimRun *run);
gboolean sim_run_stalled(const SimRun *run);

const SimRunConfig *sim_run_config(const SimRun *run);
SimEngine *sim_run_engine(const SimRun *run);
SimNetwork *sim_run_network(const SimRun *run);
SimTransport *sim_run_transport(const SimRun *run);
const AnaSafety *sim_run_safety(const SimRun *run);
const AnaLiveness *sim_run_liveness(const SimRun *run);
const ProtoStakeTable *sim_run_stake(const SimRun *run);
/* The run's epoch schedule (protocol/epoch.h), or NULL without epochs. */
ProtoEpochs *sim_run_epochs(const SimRun *run);
/* Epochs: the joining validators' catch-up traffic (sim/run/catchup.h), or NULL without. */
typedef struct SimCatchup SimCatchup;
const SimCatchup *sim_run_catchup(const SimRun *run);

/*
 * Epochs: the transitions the decided chain completed (its first block of epoch e+1 decided,
 * e >= 1) and the most views one took, from the view of the transition block eH-3 to that of
 * the first block of e+1 (4 when nothing fails: eH-3, the three empty blocks, then eH+1).
 * Returns the count; `*views_max` is 0 when there is none (or no epochs).
 */
uint64_t sim_run_transitions(const SimRun *run, uint64_t *views_max);

/* Epochs: whether the transition out of epoch `epoch` completed, and then the views of its
 * transition block and of the next epoch's first block in `*from` and `*to`. */
gboolean sim_run_transition(const SimRun *run, ProtoEpoch epoch, ProtoView *from, ProtoView *to);

/* The epoch of `view` as sim_run_leader reads it (the block after the last one decided in an
 * earlier view); 0 without epochs. */
ProtoEpoch sim_run_view_epoch(const SimRun *run, ProtoView view);

/*
 * The leader of `view`: without epochs, the stake table's; with epochs, the leader in the table
 * of the epoch the view's block belongs to, taken as the block after the last one decided in an
 * earlier view (exact for decided views; for others, the epoch the chain was in).
 */
ProtoNodeId sim_run_leader(const SimRun *run, ProtoView view);
const AnaData *sim_run_data(const SimRun *run);
/* The endpoints (builder, users, rollups), or NULL without the DA layer. */
const SimEndpoints *sim_run_endpoints(const SimRun *run);
const ProtoShared *sim_run_shared(const SimRun *run);
/* The L1 side and its finality records, or NULL without [l1]. The records' figures are worked
 * out when the run stops (ana_finality_finish). */
const SimProver *sim_run_prover(const SimRun *run);
const AnaFinality *sim_run_finality(const SimRun *run);
const ProtoCrypto *sim_run_crypto(const SimRun *run);
const SimRegions *sim_run_regions(const SimRun *run);
/* Adds to `out` (initialised over the validators) what `selector` picks in the run as it
 * stands (leader terms: the view in progress). */
void sim_run_resolve(const SimRun *run, const SimSelector *selector, SimNodeSet *out);
/* Whether a node is Byzantine now (for the whole run, or inside a byzantine window), and
 * whether it was at any time so far: in consensus (proto_byzantine_in_consensus), so not for the
 * light-client signing behaviours lc_forge and lc_silent, which only the L1 side sees. */
gboolean sim_run_is_byzantine(const SimRun *run, uint32_t id);
gboolean sim_run_was_byzantine(const SimRun *run, uint32_t id);
/* The node on a host, or NULL while it is crashed. */
const ProtoNode *sim_run_node(const SimRun *run, uint32_t id);
/* Largest per-node protocol state (bytes) seen at the end of the run. */
size_t sim_run_node_memory_max(const SimRun *run);

/* What validator `id`'s Byzantine behaviour did over the run so far, summed over its restarts
 * and (twins) both instances; zeros for an honest validator. */
void sim_run_behaviour_stats(const SimRun *run, uint32_t id, ProtoByzantineStats *out);

/* The configured faults, in order, with when they started and ended and whom they hit. */
guint sim_run_fault_count(const SimRun *run);
const SimFaultWindow *sim_run_fault_window(const SimRun *run, guint index);
/* The window of the fault named `name` ([fault.NAME]), or NULL. */
const SimFaultWindow *sim_run_fault_window_named(const SimRun *run, const char *name);

#endif
