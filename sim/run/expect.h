/*
 * Expectations: what a scenario's [expect] group says must hold when the run ends, checked
 * against the oracles and metrics, each reported PASS or FAIL with the measured value.
 *
 *   safety = ok                  no violation (also: true); or the violation the run must
 *                                report: agreement, prefix, vote-once, or violated (any)
 *   da_available = true          the DA oracle holds (every decided block was recoverable)
 *   decided_blocks >= 100        blocks decided by some honest node
 *   views >= 50                  the highest view an honest node entered
 *   failed_views <= 3            views in which honest nodes timed out
 *   longest_gap <= 5s            longest virtual time without a new decide
 *   finality_p99 <= 2s           finality latency percentile (any pNN, e.g. p50, p99.9)
 *   recovery.NAME <= 10s         from the end of fault NAME to the next new decide
 *   decided_txs >= 1000          transactions decided (with a workload)
 *   undecided_txs <= 0           submitted but never decided
 *   tx_latency_p99 <= 3s         submission to first decide, percentile
 *   reconnects >= 1              validators that reconnected through the marshal (cdn)
 *   reconnect_gap <= 2s          the longest a validator was without a broker (cdn)
 *   cdn_down >= 1                times a validator declared the CDN down (combined)
 *   leader_egress <= 20          bytes leaders sent per byte of their blocks, rounded up (DA)
 *   l1_finality_p50 <= 20min     submission to L1 finality of the light-client update
 *                                covering the transaction's block, percentile ([l1])
 *   light_client_lag_max <= 12min  the longest a decided block waited for the light client
 *                                to cover it ([l1])
 *   light_client_safe = true     the light-client safety oracle holds ([l1]): the contract
 *                                took only states honest nodes decided
 *
 * Comparisons: ">=", "<=" and "==" (written "key >= value", "key <= value", "key == value");
 * a plain "=" means "at most" for times and failures, "at least" for counts, and "is" for
 * safety, da_available and light_client_safe.
 */
#ifndef SHOTGLASS_SIM_EXPECT_H
#define SHOTGLASS_SIM_EXPECT_H

#include "sim/run/run.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimExpectMetric {
    SIM_EXPECT_SAFETY,
    SIM_EXPECT_DA_AVAILABLE,
    SIM_EXPECT_DECIDED_BLOCKS,
    SIM_EXPECT_VIEWS,
    SIM_EXPECT_FAILED_VIEWS,
    SIM_EXPECT_LONGEST_GAP,
    SIM_EXPECT_FINALITY,
    SIM_EXPECT_RECOVERY,
    SIM_EXPECT_DECIDED_TXS,
    SIM_EXPECT_UNDECIDED_TXS,
    SIM_EXPECT_TX_LATENCY,
    SIM_EXPECT_RECONNECTS,
    SIM_EXPECT_RECONNECT_GAP,
    SIM_EXPECT_L1_FINALITY,
    SIM_EXPECT_LIGHT_CLIENT_LAG,
    SIM_EXPECT_LIGHT_CLIENT_SAFE,
    SIM_EXPECT_TRANSITIONS,
    SIM_EXPECT_TRANSITION_VIEWS,
    SIM_EXPECT_LEADER_EGRESS,
    SIM_EXPECT_CDN_DOWN,
    SIM_EXPECT_SETTLED_FINALITY,
    SIM_EXPECT_L1_LOST,
    SIM_EXPECT_LIGHT_CLIENT_LIVE,
} SimExpectMetric;

typedef enum SimExpectOp {
    SIM_EXPECT_AT_LEAST,
    SIM_EXPECT_AT_MOST,
    SIM_EXPECT_EQUAL,
} SimExpectOp;

typedef struct SimExpectation {
    char *text; /* "decided_blocks >= 100", for reports */
    SimExpectMetric metric;
    SimExpectOp op;
    uint64_t value;    /* count, or duration in ns */
    double percentile; /* FINALITY, TX_LATENCY, L1_FINALITY */
    char *fault;       /* RECOVERY: the fault's name */
    int safety;        /* SAFETY: an AnaSafetyKind, or -1 for "any violation" */
    char *l1;          /* L1_FINALITY: the L1 named after a dot (NULL: every rollup's own) */
} SimExpectation;

typedef struct SimExpectResult {
    gboolean pass;
    char *measured; /* what the run gave, in words or with units */
} SimExpectResult;

/*
 * Parses one [expect] entry as GKeyFile gives it: `key` ("decided_blocks >" for a line
 * "decided_blocks >= 100", "decided_blocks" for "=" and "=="), `value` ("100", or "= 100" for
 * "=="). Returns NULL with `error` saying what was expected (with a suggestion for unknown
 * names).
 */
SimExpectation *sim_expect_parse(const char *key, const char *value, GError **error);
void sim_expect_free(SimExpectation *expectation);

/* The list of expectations with their meaning, for `shotglass list expectations`. Static. */
const char *sim_expect_help(void);

/* The name part of an [expect] key, without any comparison ("recovery.split" from
 * "recovery.split <"). New string. */
char *sim_expect_key_name(const char *key);

/* Checks an expectation against a finished run. */
void sim_expect_evaluate(const SimExpectation *expectation, const SimRun *run,
                         SimExpectResult *result);
void sim_expect_result_clear(SimExpectResult *result);

/*
 * Writes a JUnit XML report to `path`: one test suite named `suite`, a test case per
 * expectation, failures carrying the measured value; `seconds` is the wall time of the run.
 */
gboolean sim_expect_write_junit(const char *path, const char *suite,
                                const SimExpectation *const *expectations,
                                const SimExpectResult *results, guint count, double seconds,
                                GError **error);

#endif
