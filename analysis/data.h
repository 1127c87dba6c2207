/*
 * The data-availability oracle and data-path metrics.
 *
 * Oracle: every block an honest node decides must be recoverable at that moment: some honest DA
 * committee member stores a payload with the block's commitment, or honest validators store VID
 * shares of it holding at least k units of weight. The first decided block that is neither is a
 * violation, reported with its view.
 *
 * Metrics: per transaction, the time from submission to the first honest decide of its block
 * and to its rollup having it verified; throughput over the decided blocks (transactions and
 * logical bytes per second of virtual time); bytes and messages sent by role (leader, DA member,
 * replica, builder, user, rollup) and message type; and the leader's egress per block (DA
 * proposal copies plus VID shares) against the block's size. Only transactions in flight are
 * held; latencies go to histograms as they complete.
 */
#ifndef SHOTGLASS_ANALYSIS_DATA_H
#define SHOTGLASS_ANALYSIS_DATA_H

#include "analysis/finality.h"
#include "analysis/histogram.h"
#include "protocol/leaf.h"
#include "protocol/message.h"
#include "protocol/payload.h"

#include <glib.h>
#include <stdint.h>

typedef enum AnaRole {
    ANA_ROLE_LEADER,
    ANA_ROLE_DA_MEMBER,
    ANA_ROLE_REPLICA,
    ANA_ROLE_BUILDER,
    ANA_ROLE_USER,
    ANA_ROLE_ROLLUP,
    ANA_ROLE_COUNT_,
} AnaRole;

const char *ana_role_name(AnaRole role);

typedef struct AnaData AnaData;

/* `threshold`: VID's k (units of weight needed to recover). */
AnaData *ana_data_new(uint32_t node_count, uint32_t threshold);
void ana_data_free(AnaData *data);
void ana_data_set_byzantine(AnaData *data, uint32_t node, gboolean byzantine);
/* Reports every block's first honest decide and its transactions to `finality` (borrowed; must
 * outlive `data`), for finality on the L1. */
void ana_data_set_finality(AnaData *data, AnaFinality *finality);

/* --- the oracle's inputs --------------------------------------------------------------------- */

/* An honest DA member stored the payload `commit` of `view`. */
void ana_data_on_stored(AnaData *data, uint32_t node, ProtoView view, const ProtoCommit *commit);
/* A validator stored its share (weight units) of `commit` of `view`. */
void ana_data_on_share(AnaData *data, uint32_t node, ProtoView view, const ProtoCommit *commit,
                       uint32_t weight);
/* A node decided leaves (newest first). */
void ana_data_on_decide(AnaData *data, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                        uint64_t now);

gboolean ana_data_violated(const AnaData *data);
const char *ana_data_violation(const AnaData *data);
uint64_t ana_data_blocks_checked(const AnaData *data);

/* --- transactions ---------------------------------------------------------------------------- */

void ana_data_on_submit(AnaData *data, uint64_t tx_id, uint32_t rollup, uint32_t size,
                        uint64_t now);
/* The transactions of a block the builder built (by payload commitment). */
void ana_data_on_block_built(AnaData *data, const ProtoCommit *commit, const ProtoTx *txs,
                             uint32_t count);
/* A rollup verified one of its transactions. */
void ana_data_on_available(AnaData *data, uint64_t tx_id, uint64_t now);

uint64_t ana_data_submitted(const AnaData *data);
uint64_t ana_data_decided_txs(const AnaData *data);
/* Transactions decided (first decide of their block) in each second of time: element s
 * (uint64_t) counts those decided in [s, s+1) seconds; the array ends at the last such second. */
const GArray *ana_data_decided_per_second(const AnaData *data);
uint64_t ana_data_decided_bytes(const AnaData *data);
uint64_t ana_data_available_txs(const AnaData *data);
/* Transactions submitted but never decided / decided but not yet available, at this point. */
uint64_t ana_data_undecided(const AnaData *data);
uint64_t ana_data_unavailable(const AnaData *data);
const AnaHistogram *ana_data_decide_latency(const AnaData *data);
const AnaHistogram *ana_data_available_latency(const AnaData *data);
/* First and last decide of a block with transactions (for throughput). */
uint64_t ana_data_first_decide(const AnaData *data);
uint64_t ana_data_last_decide(const AnaData *data);
uint64_t ana_data_nonempty_blocks(const AnaData *data);
uint64_t ana_data_empty_blocks(const AnaData *data);

/* --- traffic --------------------------------------------------------------------------------- */

void ana_data_on_send(AnaData *data, AnaRole role, ProtoMsgType type, uint64_t bytes,
                      uint64_t copies);
uint64_t ana_data_role_bytes(const AnaData *data, AnaRole role, ProtoMsgType type);
uint64_t ana_data_role_messages(const AnaData *data, AnaRole role, ProtoMsgType type);

/* What leaders sent to disperse their blocks, summed over blocks. */
typedef struct AnaDispersal {
    uint64_t da_bytes;  /* DA proposals (the payload to each committee member) */
    uint64_t vid_bytes; /* VID shares (units with their Merkle paths) */
    uint64_t payload;   /* logical bytes of the blocks */
    uint64_t blocks;
} AnaDispersal;

/* The leader of `view` sent `da_bytes` of DA proposals and `vid_bytes` of VID shares for it; its
 * block has `payload` logical bytes. */
void ana_data_on_dispersal(AnaData *data, ProtoView view, uint64_t da_bytes, uint64_t vid_bytes,
                           uint64_t payload);
const AnaDispersal *ana_data_dispersal(const AnaData *data);

#endif
