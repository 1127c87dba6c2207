/*
 * Finality two ways (analysis/finality.h) on a hand-made history: a block of height h is
 * covered by the first update above h; L1 finality is that update's final time less the
 * submission; transactions no final update covers are pending; the light-client lag is the
 * time from a block's decide to its cover, or to the end for an uncovered block; an update
 * undone by a reorg covers nothing until taken again; the safety oracle fires on a state at a
 * height honest nodes did not decide, or with another root.
 */
#include "analysis/finality.h"

#include "tests/check_main.h"

#include <string.h>

#define S 1000000000ull

/* The leaf commitment of block `height` in these tests. */
static const uint8_t *commit_of(uint64_t height)
{
    static uint8_t commits[8][ANA_FINALITY_ROOT_BYTES];
    ck_assert_uint_lt(height, 8);
    commits[height][0] = (uint8_t)(height + 1);
    return commits[height];
}

START_TEST(two_ways_and_the_lag)
{
    AnaFinality *f = ana_finality_new(1);
    /* Blocks 1..4 decided at 10, 20, 30, 40 s; one transaction each, submitted 1 s before. */
    for (uint64_t h = 1; h <= 4; h++) {
        ana_finality_on_block(f, h, commit_of(h), h * 10 * S);
        ana_finality_on_tx(f, h, 1000 + (uint32_t)(h % 2), h * 10 * S - S, h * 10 * S);
    }
    /* An update of height 3 (covers 1 and 2) at 100 s, final at 900 s. */
    ana_finality_on_covered(f, 0, 3, commit_of(3), 100 * S);
    ana_finality_on_final(f, 0, 3, 900 * S);
    /* One of height 4 (covers 3) at 200 s, undone by a reorg, taken again at 220 s, never
     * final. */
    ana_finality_on_covered(f, 0, 4, commit_of(4), 200 * S);
    ana_finality_on_uncovered(f, 0, 4);
    ana_finality_on_covered(f, 0, 4, commit_of(4), 220 * S);
    /* Rollup 1001 (odd heights) settles up to 1 at 300 s, final at 950 s, then up to 3, undone,
     * again, never final; rollup 1000 (even heights) settles up to 2 at 310 s, never final. */
    ana_finality_on_settled(f, 1001, 1, 300 * S);
    ana_finality_on_settled_final(f, 1001, 1, 950 * S);
    ana_finality_on_settled(f, 1001, 3, 320 * S);
    ana_finality_on_settled(f, 1000, 2, 310 * S);
    ana_finality_on_unsettled(f, 1001, 3);
    ana_finality_on_settled(f, 1001, 3, 330 * S);
    ana_finality_finish(f, 1000 * S);
    ck_assert_uint_eq(ana_finality_settlements(f), 3);
    ck_assert_uint_eq(ana_histogram_count(ana_finality_settled(f)), 1); /* block 1's */
    ck_assert_uint_eq(ana_histogram_max(ana_finality_settled(f)), 941 * S);
    ck_assert_uint_eq(ana_finality_settled_pending(f), 3);
    ck_assert_uint_eq(ana_finality_updates(f), 2);
    ck_assert_uint_eq(ana_finality_covered_height(f, 0), 4);
    ck_assert_uint_eq(ana_finality_final_height(f, 0), 3);
    const AnaHistogram *soft = ana_finality_soft(f), *l1 = ana_finality_l1(f);
    ck_assert_uint_eq(ana_histogram_count(soft), 4);
    ck_assert_uint_eq(ana_histogram_max(soft), 1 * S);
    ck_assert_uint_eq(ana_histogram_count(l1), 2); /* blocks 1 and 2 */
    ck_assert_uint_eq(ana_finality_l1_pending(f), 2);
    /* Block 1's transaction: submitted 9 s, final 900 s. */
    ck_assert_uint_eq(ana_histogram_max(l1), 891 * S);
    /* Lags: block 1 90 s, block 2 80 s, block 3 220 - 30 = 190 s, block 4 (uncovered) to the
     * end: 1000 - 40 = 960 s. */
    ck_assert_uint_eq(ana_finality_lag_max(f), 960 * S);
    ck_assert(!ana_finality_unsafe(f));
    ck_assert_ptr_null(ana_finality_violation(f));
    ana_finality_free(f);
}
END_TEST

START_TEST(nothing_covered)
{
    AnaFinality *f = ana_finality_new(1);
    ana_finality_on_block(f, 1, commit_of(1), 5 * S);
    ana_finality_on_tx(f, 1, 1000, 4 * S, 5 * S);
    ana_finality_finish(f, 65 * S);
    ck_assert_uint_eq(ana_histogram_count(ana_finality_l1(f)), 0);
    ck_assert_uint_eq(ana_finality_l1_pending(f), 1);
    ck_assert_uint_eq(ana_finality_settled_pending(f), 1);
    ck_assert_uint_eq(ana_finality_lag_max(f), 60 * S);
    ck_assert_uint_eq(ana_finality_covered_height(f, 0), 0);
    ana_finality_free(f);
}
END_TEST

/* The oracle: a state at a height nobody decided, or with another root, is a violation. */
START_TEST(safety_oracle)
{
    AnaFinality *f = ana_finality_new(1);
    ana_finality_on_block(f, 1, commit_of(1), 5 * S);
    ana_finality_on_block(f, 2, commit_of(2), 6 * S);
    ana_finality_on_covered(f, 0, 2, commit_of(2), 7 * S);
    ck_assert(!ana_finality_unsafe(f));
    ana_finality_on_covered(f, 0, 5, commit_of(5), 8 * S); /* not decided yet */
    ck_assert(ana_finality_unsafe(f));
    ck_assert_ptr_nonnull(strstr(ana_finality_violation(f), "height 5"));
    ck_assert_ptr_nonnull(strstr(ana_finality_violation(f), "no honest node had decided"));
    ana_finality_free(f);
    AnaFinality *g = ana_finality_new(1);
    ana_finality_on_block(g, 1, commit_of(1), 5 * S);
    ana_finality_on_covered(g, 0, 1, commit_of(2), 7 * S); /* a wrong root */
    ck_assert(ana_finality_unsafe(g));
    ck_assert_ptr_nonnull(strstr(ana_finality_violation(g), "whose root is not"));
    ana_finality_free(g);
}
END_TEST

/* Two L1s: rollup 1000's transactions count on L1 0, rollup 1001's on L1 1; the lag is the
 * worst over both. */
START_TEST(two_l1s)
{
    AnaFinality *f = ana_finality_new(2);
    ana_finality_set_rollup_l1(f, 1001, 1);
    ana_finality_on_block(f, 1, commit_of(1), 10 * S);
    ana_finality_on_tx(f, 1, 1000, 9 * S, 10 * S);
    ana_finality_on_tx(f, 1, 1001, 9 * S, 10 * S);
    ana_finality_on_block(f, 2, commit_of(2), 20 * S);
    ana_finality_on_block(f, 3, commit_of(3), 30 * S);
    ana_finality_on_covered(f, 0, 2, commit_of(2), 100 * S);
    ana_finality_on_final(f, 0, 2, 900 * S);
    ana_finality_on_covered(f, 1, 3, commit_of(3), 40 * S);
    ana_finality_on_final(f, 1, 3, 100 * S);
    ana_finality_finish(f, 1000 * S);
    ck_assert_uint_eq(ana_finality_l1s(f), 2);
    ck_assert_uint_eq(ana_histogram_max(ana_finality_chain_l1(f, 0)), 891 * S);
    ck_assert_uint_eq(ana_histogram_max(ana_finality_chain_l1(f, 1)), 91 * S);
    ck_assert_uint_eq(ana_histogram_count(ana_finality_l1(f)), 2);
    /* Uncovered to the end: on L1 1 block 3 (970 s), on L1 0 blocks 2 and 3 (980 s). */
    ck_assert_uint_eq(ana_finality_chain_lag_max(f, 1), 970 * S);
    ck_assert_uint_eq(ana_finality_chain_lag_max(f, 0), 980 * S);
    ck_assert_uint_eq(ana_finality_lag_max(f), 980 * S);
    ck_assert_uint_eq(ana_finality_updates(f), 2);
    ck_assert_uint_eq(ana_finality_chain_updates(f, 1), 1);
    ck_assert_uint_eq(ana_finality_covered_height(f, 1), 3);
    ana_finality_free(f);
}
END_TEST

/* The liveness oracle counts only stretches in which the prover was up without a break. */
START_TEST(liveness_oracle)
{
    AnaFinality *f = ana_finality_new(1);
    ana_finality_set_liveness_bound(f, 0, 100 * S);
    ana_finality_on_block(f, 1, commit_of(1), 10 * S);
    ana_finality_on_prover(f, 0, FALSE, 50 * S); /* up 10..50 s: 40 s */
    ana_finality_on_prover(f, 0, TRUE, 500 * S);
    ana_finality_finish(f, 550 * S); /* up 500..550 s: 50 s; uncovered to the end */
    ck_assert(!ana_finality_stalled(f));
    ck_assert_ptr_null(ana_finality_stall(f));
    ana_finality_finish(f, 700 * S); /* up 500..700 s: 200 s > 100 s */
    ck_assert(ana_finality_stalled(f));
    ck_assert_ptr_nonnull(strstr(ana_finality_stall(f), "height 1"));
    ck_assert_ptr_nonnull(strstr(ana_finality_stall(f), "from 500.000 s"));
    ana_finality_free(f);
    AnaFinality *g = ana_finality_new(1); /* covered in time: no violation */
    ana_finality_set_liveness_bound(g, 0, 100 * S);
    ana_finality_on_block(g, 1, commit_of(1), 10 * S);
    ana_finality_on_covered(g, 0, 2, commit_of(1), 90 * S);
    ana_finality_finish(g, 700 * S);
    ck_assert(!ana_finality_stalled(g));
    ana_finality_free(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("finality");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, two_ways_and_the_lag);
    tcase_add_test(tc, nothing_covered);
    tcase_add_test(tc, two_l1s);
    tcase_add_test(tc, liveness_oracle);
    tcase_add_test(tc, safety_oracle);
    suite_add_tcase(s, tc);
    return s;
}
