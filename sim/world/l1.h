/*
 * An L1 chain as the Espresso side sees it: slots, blocks, the transactions submitted to it
 * (light-client updates), their inclusion and their finality, and reorgs. No EVM: a
 * transaction is an opaque 64-bit payload its submitter interprets (../shared/protocol/
 * hotshot.md sections 3.6 and 3.7; Ethereum's consensus layer for the numbers).
 *
 * How it works. Slot s starts at s * slot_time; slot 0 is genesis and carries no block. When
 * the chain is advanced past a slot, the slot's proposer either misses it (with probability
 * missed_ppm, one integer draw per slot, in slot order, from the stream ("l1.slots", index)) or
 * produces the next block, which carries every pending transaction whose earliest slot has come,
 * in submission order. A transaction submitted at time t gets an inclusion delay of d >= 1
 * whole slots (drawn from `inclusion_delay` on the stream ("l1.inclusion", index) at
 * submission; 1 is "the next slot"): its earliest slot is the d-th slot after t. So a missed
 * slot pushes the transactions it would have carried into the next produced block. While the
 * chain is congested (sim_l1_congest, the l1-congestion fault) the delay comes from the
 * congestion's own distribution instead (transactions whose fee is below the going price wait
 * for it to fall).
 *
 * A block produced at slot s is final once slot s + finality_depth has come (Ethereum finalises
 * after two epochs of 32 slots: depth 64), whether or not the slots in between produced blocks.
 * Final blocks never change.
 *
 * A reorg of depth d at time t drops the last d non-final blocks: their transactions go back to
 * the pending pool with the next slot after t as their earliest, and are included again by the
 * next produced block, so finality comes later by the reorg; block numbers are reused by the
 * new blocks. A reorg never reaches a final block (it drops fewer blocks if it would).
 *
 * The model is passive: the caller advances it to a moment (say every slot start, see
 * sim_l1_next_slot) and takes what happened (inclusions, reversions, finalisations) as events;
 * a reorg reports its reversions newest first, as the chain unwinds.
 */
#ifndef SHOTGLASS_SIM_L1_H
#define SHOTGLASS_SIM_L1_H

#include "sim/core/rng.h"
#include "sim/core/time.h"
#include "sim/net/distribution.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimL1Config {
    uint64_t seed;
    const gsl_rng_type *rng_algorithm;
    uint32_t index;          /* which L1 of the run: the index of its random streams */
    SimDuration slot_time;   /* > 0; Ethereum: 12 s */
    uint64_t missed_ppm;     /* share of slots without a block, parts per million */
    SimDist inclusion_delay; /* whole slots (SIM_QUANTITY_COUNT); samples below 1 count as 1 */
    uint32_t finality_depth; /* slots after a block's until it is final; Ethereum: 64 */
} SimL1Config;

/* Fills `config` with the defaults: 12 s slots, no missed slots, the next slot, depth 64. */
void sim_l1_config_init(SimL1Config *config);

typedef struct SimL1 SimL1;

typedef enum SimL1EventKind {
    SIM_L1_INCLUDED, /* the transaction is in block `block` (produced at `time`) */
    SIM_L1_REVERTED, /* a reorg dropped the block that held it; it is pending again */
    SIM_L1_FINAL,    /* its block `block` became final at `time` */
} SimL1EventKind;

typedef struct SimL1Event {
    SimL1EventKind kind;
    uint64_t tx;      /* the id sim_l1_submit returned */
    uint64_t payload; /* as submitted */
    uint64_t block;   /* block number (from 1) */
    SimTime time;     /* INCLUDED: the block's slot start; FINAL: when it became final;
                         REVERTED: the reorg's time */
} SimL1Event;

/* A chain at genesis (time 0). `config` is copied. */
SimL1 *sim_l1_new(const SimL1Config *config);
void sim_l1_free(SimL1 *l1);

/* Produces (or misses) every slot whose start is at or before `now` and not yet processed, and
 * finalises what their coming finalises; events go to the queue sim_l1_take_events drains.
 * `now` never goes backwards (asserted). */
void sim_l1_advance(SimL1 *l1, SimTime now);

/* The start of the first slot after `now`: when the next call to sim_l1_advance has work. */
SimTime sim_l1_next_slot(const SimL1 *l1, SimTime now);

/* Submits a transaction at `now` (after advancing to `now`); returns its id (0, 1, ...). */
uint64_t sim_l1_submit(SimL1 *l1, uint64_t payload, SimTime now);

/* From `now` on (after advancing to `now`), transactions submitted draw their delay from
 * `slots` (copied), or, with NULL, from the configuration again (a congestion fault). */
void sim_l1_congest(SimL1 *l1, const SimDist *slots, SimTime now);

/* Reorg at `now` (after advancing to `now`): drops the last `depth` non-final blocks (fewer
 * when there are fewer); returns how many it dropped. */
uint32_t sim_l1_reorg(SimL1 *l1, uint32_t depth, SimTime now);

/* Appends the events since the last call (SimL1Event) to `out`, oldest first, and forgets
 * them. */
void sim_l1_take_events(SimL1 *l1, GArray *out);

/* The chain's height (blocks produced and not dropped) and its final height. */
uint64_t sim_l1_height(const SimL1 *l1);
uint64_t sim_l1_final_height(const SimL1 *l1);
/* Slots processed so far (genesis excluded) and how many of them were missed. */
uint64_t sim_l1_slots(const SimL1 *l1);
uint64_t sim_l1_missed(const SimL1 *l1);
/* Blocks dropped by reorgs so far. */
uint64_t sim_l1_reorged(const SimL1 *l1);
/* The block holding transaction `tx` (0 while pending), and when it became final (or
 * SIM_TIME_NONE). */
uint64_t sim_l1_tx_block(const SimL1 *l1, uint64_t tx);
SimTime sim_l1_tx_final(const SimL1 *l1, uint64_t tx);
const SimL1Config *sim_l1_config(const SimL1 *l1);
/* When block `number` (1 .. sim_l1_height) was produced: its slot's start. */
SimTime sim_l1_block_time(const SimL1 *l1, uint64_t number);

#endif
