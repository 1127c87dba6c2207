/*
 * The L1 side of a run (../shared/protocol/hotshot.md sections 3.6 and 3.7): hosts after every
 * other host of the run, in one region: the state relay, then for each L1 (the [l1] group's
 * first, then the [l1.NAME] groups') its light-client prover and its L1 node, each L1 with its
 * own LightClient contract. With one L1:
 *
 *   state relay   (first) keeps the light-client states validators sign, the last relay_keep
 *                 (100) per validator (SEQ sequencer/src/state_signature.rs), and answers a
 *                 prover with the newest state whose signers hold the threshold of stake (the
 *                 one-honest threshold, floor(S/3) + 1).
 *   prover        (first + 1 + 2k for L1 k) every update_interval asks the relay for that
 *                 bundle; when it is newer than what it last submitted, it proves (proving_time
 *                 of its CPU) and submits newFinalizedState to its L1, waits for the receipt
 *                 (inclusion), then sleeps update_interval; on any failure it retries after
 *                 retry_interval (SEQ hotshot-state-prover).
 *   L1 node       (first + 2 + 2k) an RPC node of the L1 chain (sim/world/l1.h) with the
 *                 LightClient contract (sim/world/light_client.h) and the rollup contracts of
 *                 the rollups settling there: submitted updates wait for their block; at
 *                 inclusion the contracts apply them (or refuse), a reorg undoes them, finality
 *                 is recorded for the analysis.
 *
 * Validators: on each decide, every honest validator signs {view, block height, block commitment
 * root} of its newest decided leaf (Schnorr; `sign_cost` of its CPU) and sends it to the relay.
 * The root stands in for the block Merkle tree root by the leaf's commitment, which commits to
 * the whole chain below it. All of it is messages over the simulated network, counted in
 * traffic under their own message types (lc_state, lc_request, lc_bundle, lc_update, l1_receipt).
 *
 * Rollup settlement: rollup r's prover runs beside its executor (host executor_hosts[r], on
 * hardware of its own: its proving time is a delay, not the executor's CPU). Every
 * settle_interval it takes the newest HotShot height its executor has read its namespace of; when
 * that is above what it last settled, it proves the state update (settle_proving_time), then
 * reads the LightClient's height from the L1 node (rs_read, rs_height; again every settle_poll
 * while the light client does not cover the block) and submits the update to its rollup
 * contract (rs_update; sim/world/rollup_contract.h), which takes it at inclusion only if the light
 * client covers the block then; the receipt (rs_receipt) says which. A refused update (the light
 * client's update was undone by a reorg) is read and submitted again. A reorg undoes the rollup
 * contract's updates with the light client's; they are included again like any L1 transaction.
 *
 * Randomness: the L1's streams ("l1.slots", "l1.inclusion", index 0); nothing else draws.
 */
#ifndef SHOTGLASS_SIM_PROVER_H
#define SHOTGLASS_SIM_PROVER_H

#include "analysis/finality.h"
#include "protocol/leaf.h"
#include "protocol/stake.h"
#include "sim/net/network.h"
#include "sim/world/l1.h"
#include "sim/world/light_client.h"
#include "sim/world/rollup_contract.h"
#include "sim/world/state_relay.h"

#include <glib.h>

/* The hosts of the L1 side with `l1s` L1s: the relay, then a prover and an L1 node per L1. */
static inline uint32_t sim_prover_hosts(uint32_t l1s)
{
    return 1 + 2 * l1s;
}

/* The timer slot of a rollup's prover on its executor's host (the executor uses slot 0). */
#define SIM_PROVER_SETTLE_TIMER 8

typedef struct SimProverConfig {
    uint32_t validators;
    uint32_t first_host; /* the relay; the prover and the L1 follow */
    uint16_t region;     /* the relay's, and every L1's unless chain_region says otherwise */
    /* Per L1 (chains entries; NULL: all in `region`): where its prover and L1 node run. Read
     * by sim_prover_new only. */
    const uint16_t *chain_region;
    uint64_t uplink_bps;
    uint64_t downlink_bps;
    SimL1Config l1; /* L1 0's (the [l1] group's) */
    /* L1s: `chains` (>= 1), the ones after the first from chain_l1 (chains - 1 of them; copied
     * by sim_prover_new; their index is set to theirs). */
    uint32_t chains;
    const SimL1Config *chain_l1;
    /* Their provers' update_interval and proving_time, chains - 1 each (NULL: the first's). */
    const SimDuration *chain_update_interval;
    const SimDuration *chain_proving_time;
    SimDuration update_interval;
    SimDuration retry_interval;
    SimDuration proving_time;
    SimDuration sign_cost;
    SimDuration retention; /* the contract's stateHistoryRetentionPeriod */
    uint32_t relay_keep;   /* states kept per validator */
    /* Rollup settlement: `rollups` rollups, the host of each one's executor and its namespace
     * (arrays copied by sim_prover_new; NULL when rollups is 0). */
    uint32_t rollups;
    const uint32_t *executor_hosts;
    const uint32_t *rollup_ns;
    const uint32_t *rollup_l1; /* the L1 each settles on (NULL: all on L1 0) */
    SimDuration settle_interval;
    SimDuration settle_proving_time;
    SimDuration settle_poll;
    /* Test only: each prover stops for good after its first update is taken, while its host
     * stays up (a positive control of the light-client liveness oracle). */
    gboolean test_stall;
    /* Epochs of epoch_length blocks (0: none): the contract applies LightClientV2's rules
     * (sim_light_client_set_epochs) and the prover follows them. Each request carries the
     * contract's finalized height f (a view call on the L1 node, read as the request leaves),
     * and the relay answers with the newest bundle the rules let follow f: in f's epoch up to
     * its root, or, once f is that root, in the next epoch up to its root. So each epoch's root
     * is proved before any later block, as long as the relay still holds it (relay_keep states
     * per validator). test_last_block: the off-by-one of PR espresso#3314 in both the prover's
     * and the contract's 'past the root' test (test only). */
    uint64_t epoch_length;
    gboolean test_last_block;
} SimProverConfig;

#define SIM_PROVER_FORGED_AHEAD 1000

/* Fills the defaults except validators, first_host and region: 10 min updates, 2 s retry, 24 s
 * proving, 161 us per signature, 10 days of history, 100 states per validator, the L1's; no
 * rollups, settling every 10 min after 1 min of proving, polling every 12 s. */
void sim_prover_config_init(SimProverConfig *config);

typedef struct SimProver SimProver;

/* Sets up the three hosts in `network` (which must have them) and registers the message types.
 * `network`, `stake` and `finality` are borrowed and must outlive the result. */
SimProver *sim_prover_new(const SimProverConfig *config, SimNetwork *network,
                          const ProtoStakeTable *stake, AnaFinality *finality);
void sim_prover_free(SimProver *prover);

/* Arms the prover's first attempt and the L1's first slot, at `now`. */
void sim_prover_start(SimProver *prover, SimTime now);

/* Whether `host` is one of the L1 side's (FALSE for a NULL prover). Like the endpoints, they are
 * not listed in nodes.csv; their traffic counts in the run's totals. */
gboolean sim_prover_owns(const SimProver *prover, uint32_t host);

/* Whether the message or the timer at `host` is the prover's to handle: `host` is one of the
 * three, or an executor's host and the message one of settlement's types (the timer its slot). */
gboolean sim_prover_takes(const SimProver *prover, uint32_t host, const SimMessage *message);
gboolean sim_prover_takes_timer(const SimProver *prover, uint32_t host, uint32_t timer);

/* Rollup `rollup`'s executor has read its namespace of HotShot blocks up to `height`. */
void sim_prover_on_executed(SimProver *prover, uint32_t rollup, uint64_t height);

/* Network callbacks for the hosts sim_prover_takes names. */
void sim_prover_receive(SimProver *prover, uint32_t host, const SimMessage *message, SimTime now);
void sim_prover_timer(SimProver *prover, uint32_t host, uint32_t timer, SimTime now);

/* The state relay or the prover crashed (its network host is down already): the relay loses
 * the states it kept (they live in memory), the prover its work in progress. */
void sim_prover_host_down(SimProver *prover, uint32_t host, SimTime now);
/* (Both tell the analysis when a prover was up, for the light-client liveness oracle.)
 * It came back at `now`: the prover starts over with a request at once; the L1 node does not
 * crash (sim_prover_owns hosts it, but no selector names it). */
void sim_prover_host_up(SimProver *prover, uint32_t host, SimTime now);

/* Validator `node` decided `leaves` (newest first), its work done at `ready`: it signs the
 * newest one's state, or with `forge` a forged one (SIM_PROVER_FORGED_AHEAD blocks and views
 * ahead, a wrong root: Byzantine lc_forge), and sends it to the relay. */
void sim_prover_on_decide(SimProver *prover, uint32_t node, ProtoLeaf *const *leaves,
                          uint32_t count, gboolean forge, SimTime ready);

/* L1 `l1` is congested from `now` on: its transactions wait `slots` whole slots for their
 * earliest block (NULL: no longer; sim_l1_congest). */
void sim_prover_congest(SimProver *prover, uint32_t l1, const SimDist *slots, SimTime now);

/* Updates a contract took (light-client or rollup) whose height its contract no longer holds
 * (its height now is lower): what reorgs undid for good. 0 when every undone update got in again
 * (or a newer one did). */
uint64_t sim_prover_lost(const SimProver *prover);

/* An L1 reorg of `depth` blocks of L1 `l1` now (see sim_l1_reorg); returns the blocks
 * dropped. */
uint32_t sim_prover_reorg(SimProver *prover, uint32_t l1, uint32_t depth, SimTime now);

typedef struct SimProverStats {
    uint64_t signatures; /* states signed by validators */
    uint64_t requests;   /* the prover's requests to the relay */
    uint64_t retries;    /* attempts that found no newer bundle (or a refusal) */
    uint64_t proofs;     /* updates proved and submitted */
    uint64_t accepted;   /* applied by the contract (a re-inclusion after a reorg counts again) */
    uint64_t refused;    /* refused by the contract */
    uint64_t reverted;   /* undone by reorgs */
    /* rollup settlement, over all rollups */
    uint64_t settle_proofs;   /* state updates proved */
    uint64_t settle_reads;    /* light-client reads */
    uint64_t settle_submits;  /* submissions (a re-submission counts again) */
    uint64_t settle_accepted; /* taken by rollup contracts (re-inclusions count again) */
    uint64_t settle_refused;
    uint64_t settle_reverted; /* undone by reorgs */
    uint64_t settle_gas;      /* the Merkle checks of the updates taken */
} SimProverStats;

/* What the L1 side did, for the timeline: on L1 `index`'s prover track or, with `rollup`, on
 * rollup `index`'s settlement track, an instant (end SIM_TIME_NONE) or a span named `name`
 * (static), about HotShot height `height`. In the order it happened. */
typedef struct SimProverLog {
    gboolean rollup;
    uint32_t index;
    const char *name;
    SimTime start;
    SimTime end;
    uint64_t height;
} SimProverLog;

guint sim_prover_log_count(const SimProver *prover);
const SimProverLog *sim_prover_log(const SimProver *prover, guint i);

/* One L1's light-client prover. */
typedef struct SimProverChainStats {
    uint64_t requests, retries, proofs, accepted, refused, reverted;
} SimProverChainStats;

const SimProverStats *sim_prover_stats(const SimProver *prover);
/* The L1s (>= 1), each one's chain, prover counters and LightClient contract. */
uint32_t sim_prover_l1s(const SimProver *prover);
const SimL1 *sim_prover_l1(const SimProver *prover, uint32_t l1);
const SimProverChainStats *sim_prover_chain_stats(const SimProver *prover, uint32_t l1);
const SimLightClient *sim_prover_light_client(const SimProver *prover, uint32_t l1);
/* The height rollup `rollup`'s contract has settled (0: none). */
uint64_t sim_prover_rollup_settled(const SimProver *prover, uint32_t rollup);

#endif
