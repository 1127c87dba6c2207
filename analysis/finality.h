/*
 * Finality per transaction, two ways (../shared/protocol/hotshot.md section 3.7):
 *
 *   soft   from submission to the first honest decide of the transaction's block (HotShot);
 *   L1     from submission to the moment the L1 block carrying the light-client update that
 *          covers the block's HotShot height becomes final on the L1 (the L1 of the
 *          transaction's rollup, when there are several);
 *   settled from submission to the moment the L1 block carrying the first state update of the
 *          transaction's rollup (its namespace) at or above the block's height, taken by the
 *          rollup's contract, becomes final on the L1 (sim/world/rollup_contract.h).
 *
 * A light-client state of HotShot height H covers the blocks below H (its blockCommRoot commits
 * to them; sim/world/light_client.h), so a block of height h waits for the first update above h.
 * The light-client lag of a block is the time from its first decide to the contract covering it
 * (the update's inclusion on the L1); a block still uncovered when the run ends counts with the
 * run's end. Its maximum over the run (and over the L1s) is the light-client liveness figure.
 *
 * Light-client safety oracle: every state the contract takes must be one honest nodes decided:
 * its root (the leaf commitment, sim/world/prover.h) must be that of the block honest nodes
 * decided at its height, by the time the contract takes it. The first state that is not is the
 * violation, reported with its height and time; the run goes on.
 *
 * Inputs arrive as the run goes (decided blocks and transactions from the data layer, contract
 * updates from the L1 side); figures are worked out once, at ana_finality_finish. Transactions
 * whose block no final update covers by then have no L1 finality and are counted apart.
 * Memory: one record per decided block and per decided transaction.
 */
#ifndef SHOTGLASS_ANALYSIS_FINALITY_H
#define SHOTGLASS_ANALYSIS_FINALITY_H

#include "analysis/histogram.h"

#include <glib.h>
#include <stdint.h>

typedef struct AnaFinality AnaFinality;

/* Records for `l1s` (>= 1) L1s, each with its own light client; a rollup's transactions count
 * on its rollup's L1 (ana_finality_set_rollup_l1; L1 0 unless set). */
AnaFinality *ana_finality_new(uint32_t l1s);
void ana_finality_free(AnaFinality *finality);

#define ANA_FINALITY_ROOT_BYTES 32

/* The block of HotShot height `height`, whose leaf commitment is `commit`
 * (ANA_FINALITY_ROOT_BYTES), was first decided by an honest node at `decided`. */
void ana_finality_on_block(AnaFinality *finality, uint64_t height, const uint8_t *commit,
                           uint64_t decided);
/* A transaction of namespace `ns` submitted at `submitted` was decided in the block of `height`
 * at `decided`. */
void ana_finality_on_tx(AnaFinality *finality, uint64_t height, uint32_t ns, uint64_t submitted,
                        uint64_t decided);

/* The rollup of namespace `ns` settles on L1 `l1`. */
void ana_finality_set_rollup_l1(AnaFinality *finality, uint32_t ns, uint32_t l1);

/* L1 `l1`'s contract took a state of HotShot height `height` with root `root`
 * (ANA_FINALITY_ROOT_BYTES) at `time` (its L1 block's time); heights only grow between reverts.
 * Checked by the light-client safety oracle. */
void ana_finality_on_covered(AnaFinality *finality, uint32_t l1, uint64_t height,
                             const uint8_t *root, uint64_t time);
/* An L1 reorg undid the update of `height` (the newest one recorded on that L1). */
void ana_finality_on_uncovered(AnaFinality *finality, uint32_t l1, uint64_t height);
/* The L1 block carrying the update of `height` became final at `time`. */
void ana_finality_on_final(AnaFinality *finality, uint32_t l1, uint64_t height, uint64_t time);

/* The contract of the rollup of namespace `ns` took its state update up to HotShot height
 * `height` at `time`; heights of a namespace only grow between unsettles. */
void ana_finality_on_settled(AnaFinality *finality, uint32_t ns, uint64_t height, uint64_t time);
/* An L1 reorg undid that update (the newest one recorded for `ns`). */
void ana_finality_on_unsettled(AnaFinality *finality, uint32_t ns, uint64_t height);
/* The L1 block carrying it became final at `time`. */
void ana_finality_on_settled_final(AnaFinality *finality, uint32_t ns, uint64_t height,
                                   uint64_t time);

/* Light-client liveness oracle, apart from safety: while L1 `l1`'s prover is up, no decided
 * block waits more than `bound` (> 0) for that L1's light client to cover it. A block decided at
 * d and covered at c (or not by the end) violates it when some stretch of [d, c] in which the
 * prover was up without a break lasts more than `bound`; the first violation (the lowest height,
 * then the earliest time) is reported. The prover is up from time 0 unless told otherwise. */
void ana_finality_set_liveness_bound(AnaFinality *finality, uint32_t l1, uint64_t bound);
/* L1 `l1`'s prover went down (`up` FALSE) or came back up at `time` (times do not go back). */
void ana_finality_on_prover(AnaFinality *finality, uint32_t l1, gboolean up, uint64_t time);
/* Whether the liveness oracle fired (by ana_finality_finish), and why (NULL when it did not). */
gboolean ana_finality_stalled(const AnaFinality *finality);
const char *ana_finality_stall(const AnaFinality *finality);

/* The light-client safety oracle: whether it fired, and why (NULL when it did not; owned by
 * `finality`). */
gboolean ana_finality_unsafe(const AnaFinality *finality);
const char *ana_finality_violation(const AnaFinality *finality);

/* Works out the figures with the run ended at `end`; may be called again later. */
void ana_finality_finish(AnaFinality *finality, uint64_t end);

const AnaHistogram *ana_finality_soft(const AnaFinality *finality);
const AnaHistogram *ana_finality_l1(const AnaFinality *finality);
/* Settled finality (submission to the final settling update), and decided transactions no
 * final settling update covered by the end; state updates the rollups' contracts took. */
const AnaHistogram *ana_finality_settled(const AnaFinality *finality);
uint64_t ana_finality_settled_pending(const AnaFinality *finality);
uint64_t ana_finality_settlements(const AnaFinality *finality);
/* Decided transactions no final update covered by the end. */
uint64_t ana_finality_l1_pending(const AnaFinality *finality);
/* The longest light-client lag of a decided block (ns) on any L1, and the number of updates
 * taken on all. */
uint64_t ana_finality_lag_max(const AnaFinality *finality);
uint64_t ana_finality_updates(const AnaFinality *finality);
/* Per L1 (< ana_finality_l1s): L1 finality of its rollups' transactions, those not yet final,
 * its light client's longest lag and its updates. */
uint32_t ana_finality_l1s(const AnaFinality *finality);
const AnaHistogram *ana_finality_chain_l1(const AnaFinality *finality, uint32_t l1);
uint64_t ana_finality_chain_pending(const AnaFinality *finality, uint32_t l1);
uint64_t ana_finality_chain_lag_max(const AnaFinality *finality, uint32_t l1);
uint64_t ana_finality_chain_updates(const AnaFinality *finality, uint32_t l1);
/* The HotShot height of L1 `l1`'s newest update, and of its newest final one (0: none). */
uint64_t ana_finality_covered_height(const AnaFinality *finality, uint32_t l1);
uint64_t ana_finality_final_height(const AnaFinality *finality, uint32_t l1);

#endif
