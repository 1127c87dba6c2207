/*
 * Finality two ways (analysis/finality.h) on a hand-made history: a block of height h is
 * covered by the first update above h; L1 finality is that update's final time less the
 * submission; transactions no final update covers are pending; the light-client lag is the
 * time from a block's decide to its cover, or to the end for an uncovered block; an update
 * undone by a reorg covers nothing until taken again.
 */
#include "analysis/finality.h"

#include "tests/check_main.h"

#define S 1000000000ull

START_TEST(two_ways_and_the_lag)
{
    AnaFinality *f = ana_finality_new();
    /* Blocks 1..4 decided at 10, 20, 30, 40 s; one transaction each, submitted 1 s before. */
    for (uint64_t h = 1; h <= 4; h++) {
        ana_finality_on_block(f, h, h * 10 * S);
        ana_finality_on_tx(f, h, h * 10 * S - S, h * 10 * S);
    }
    /* An update of height 3 (covers 1 and 2) at 100 s, final at 900 s. */
    ana_finality_on_covered(f, 3, 100 * S);
    ana_finality_on_final(f, 3, 900 * S);
    /* One of height 4 (covers 3) at 200 s, undone by a reorg, taken again at 220 s, never
     * final. */
    ana_finality_on_covered(f, 4, 200 * S);
    ana_finality_on_uncovered(f, 4);
    ana_finality_on_covered(f, 4, 220 * S);
    ana_finality_finish(f, 1000 * S);
    ck_assert_uint_eq(ana_finality_updates(f), 2);
    ck_assert_uint_eq(ana_finality_covered_height(f), 4);
    ck_assert_uint_eq(ana_finality_final_height(f), 3);
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
    ana_finality_free(f);
}
END_TEST

START_TEST(nothing_covered)
{
    AnaFinality *f = ana_finality_new();
    ana_finality_on_block(f, 1, 5 * S);
    ana_finality_on_tx(f, 1, 4 * S, 5 * S);
    ana_finality_finish(f, 65 * S);
    ck_assert_uint_eq(ana_histogram_count(ana_finality_l1(f)), 0);
    ck_assert_uint_eq(ana_finality_l1_pending(f), 1);
    ck_assert_uint_eq(ana_finality_lag_max(f), 60 * S);
    ck_assert_uint_eq(ana_finality_covered_height(f), 0);
    ana_finality_free(f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("finality");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, two_ways_and_the_lag);
    tcase_add_test(tc, nothing_covered);
    suite_add_tcase(s, tc);
    return s;
}
