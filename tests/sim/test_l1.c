/*
 * The L1 chain model: slots start every slot_time and each produces a block; a transaction is
 * included by the first block after its inclusion delay; missed slots produce no block and push
 * inclusion to the next one; a block is final finality_depth slots later; a reorg deeper than the
 * inclusion drops the block, the transaction is included again and its finality comes later;
 * a transaction submitted in a congestion window waits the congested delay; the same seed gives
 * the same chain.
 */
#include "sim/world/l1.h"

#include "tests/check_main.h"

static SimL1 *chain(uint64_t seed, uint64_t missed_ppm)
{
    SimL1Config c;
    sim_l1_config_init(&c);
    c.seed = seed;
    c.missed_ppm = missed_ppm;
    return sim_l1_new(&c);
}

/* The events since the last call, in a new array. */
static GArray *events(SimL1 *l1)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(SimL1Event));
    sim_l1_take_events(l1, out);
    return out;
}

START_TEST(slot_timing)
{
    SimL1 *l1 = chain(1, 0);
    ck_assert_uint_eq(sim_l1_next_slot(l1, 0), 12 * SIM_S);
    ck_assert_uint_eq(sim_l1_next_slot(l1, 12 * SIM_S), 24 * SIM_S);
    ck_assert_uint_eq(sim_l1_next_slot(l1, 12 * SIM_S - 1), 12 * SIM_S);
    sim_l1_advance(l1, 12 * SIM_S - 1);
    ck_assert_uint_eq(sim_l1_height(l1), 0);
    sim_l1_advance(l1, 120 * SIM_S);
    ck_assert_uint_eq(sim_l1_height(l1), 10);
    ck_assert_uint_eq(sim_l1_slots(l1), 10);
    /* Submitted at 125 s: the next slot is 11 (132 s). */
    uint64_t tx = sim_l1_submit(l1, 7, 125 * SIM_S);
    sim_l1_advance(l1, 131 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 0);
    sim_l1_advance(l1, 132 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 11);
    GArray *e = events(l1);
    ck_assert_uint_eq(e->len, 1);
    SimL1Event first = g_array_index(e, SimL1Event, 0);
    ck_assert_int_eq(first.kind, SIM_L1_INCLUDED);
    ck_assert_uint_eq(first.payload, 7);
    ck_assert_uint_eq(first.time, 132 * SIM_S);
    g_array_unref(e);
    sim_l1_free(l1);
}
END_TEST

START_TEST(inclusion_delay)
{
    SimL1Config c;
    sim_l1_config_init(&c);
    c.inclusion_delay.scale_a = 3; /* three slots */
    SimL1 *l1 = sim_l1_new(&c);
    uint64_t tx = sim_l1_submit(l1, 1, 5 * SIM_S);
    sim_l1_advance(l1, 35 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 0);
    sim_l1_advance(l1, 36 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 3);
    sim_l1_free(l1);
}
END_TEST

START_TEST(missed_slots_skip_blocks)
{
    SimL1 *l1 = chain(3, 250000); /* a quarter of the slots */
    sim_l1_advance(l1, 4000 * 12 * SIM_S);
    ck_assert_uint_eq(sim_l1_slots(l1), 4000);
    ck_assert_uint_eq(sim_l1_height(l1) + sim_l1_missed(l1), 4000);
    ck_assert_uint_gt(sim_l1_missed(l1), 850);
    ck_assert_uint_lt(sim_l1_missed(l1), 1150);
    sim_l1_free(l1);
    /* Every slot missed: a transaction waits, then goes in the first block there is. */
    SimL1 *none = chain(3, 1000000);
    uint64_t tx = sim_l1_submit(none, 1, 0);
    sim_l1_advance(none, 3600 * SIM_S);
    ck_assert_uint_eq(sim_l1_height(none), 0);
    ck_assert_uint_eq(sim_l1_tx_block(none, tx), 0);
    sim_l1_free(none);
    /* A chain missing some slots includes a transaction later than one missing none. */
    SimTime sum_missing = 0, sum_full = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        SimL1 *a = chain(seed, 500000), *b = chain(seed, 0);
        GArray *e = g_array_new(FALSE, FALSE, sizeof(SimL1Event));
        sim_l1_submit(a, 1, 100 * SIM_S);
        sim_l1_submit(b, 1, 100 * SIM_S);
        sim_l1_advance(a, 3600 * SIM_S);
        sim_l1_advance(b, 3600 * SIM_S);
        sim_l1_take_events(a, e);
        sum_missing += g_array_index(e, SimL1Event, 0).time;
        g_array_set_size(e, 0);
        sim_l1_take_events(b, e);
        sum_full += g_array_index(e, SimL1Event, 0).time;
        ck_assert_uint_eq(g_array_index(e, SimL1Event, 0).time, 108 * SIM_S);
        g_array_unref(e);
        sim_l1_free(a);
        sim_l1_free(b);
    }
    ck_assert_uint_gt(sum_missing, sum_full);
}
END_TEST

START_TEST(finality_after_depth)
{
    SimL1 *l1 = chain(1, 0);
    uint64_t tx = sim_l1_submit(l1, 9, 0); /* in block 1, slot 1 (12 s) */
    sim_l1_advance(l1, 64 * 12 * SIM_S);   /* slot 64: not yet */
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 1);
    ck_assert_uint_eq(sim_l1_tx_final(l1, tx), SIM_TIME_NONE);
    ck_assert_uint_eq(sim_l1_final_height(l1), 0);
    sim_l1_advance(l1, 65 * 12 * SIM_S); /* slot 65 = 1 + 64 */
    ck_assert_uint_eq(sim_l1_tx_final(l1, tx), 65 * 12 * SIM_S);
    ck_assert_uint_eq(sim_l1_final_height(l1), 1);
    GArray *e = events(l1);
    ck_assert_uint_eq(e->len, 2);
    ck_assert_int_eq(g_array_index(e, SimL1Event, 1).kind, SIM_L1_FINAL);
    ck_assert_uint_eq(g_array_index(e, SimL1Event, 1).block, 1);
    g_array_unref(e);
    /* Depth counts slots, not blocks: missed slots finalise as well. */
    SimL1 *sparse = chain(5, 500000);
    uint64_t t2 = sim_l1_submit(sparse, 1, 0);
    sim_l1_advance(sparse, 3600 * SIM_S);
    GArray *s = events(sparse);
    ck_assert_uint_eq(s->len, 2);
    SimTime included = g_array_index(s, SimL1Event, 0).time;
    ck_assert_uint_eq(sim_l1_tx_final(sparse, t2), included + 64 * 12 * SIM_S);
    g_array_unref(s);
    sim_l1_free(sparse);
    sim_l1_free(l1);
}
END_TEST

START_TEST(reorg_reincludes_and_delays_finality)
{
    SimL1 *l1 = chain(1, 0);
    uint64_t tx = sim_l1_submit(l1, 4, 0); /* block 1 at 12 s */
    sim_l1_advance(l1, 36 * SIM_S);        /* blocks 1..3 */
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 1);
    /* Depth 2 leaves block 1 alone. */
    ck_assert_uint_eq(sim_l1_reorg(l1, 2, 40 * SIM_S), 2);
    ck_assert_uint_eq(sim_l1_height(l1), 1);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 1);
    /* Depth 3, deeper than the transaction's inclusion: it is pending again. */
    sim_l1_advance(l1, 60 * SIM_S); /* blocks 2..3 again (slots 4, 5) */
    ck_assert_uint_eq(sim_l1_reorg(l1, 3, 62 * SIM_S), 3);
    ck_assert_uint_eq(sim_l1_height(l1), 0);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 0);
    sim_l1_advance(l1, 72 * SIM_S); /* slot 6 */
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 1);
    sim_l1_advance(l1, 3600 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_final(l1, tx), (6 + 64) * 12 * SIM_S); /* not 65 slots */
    GArray *e = events(l1);
    int kinds[3] = {0};
    for (guint i = 0; i < e->len; i++)
        kinds[g_array_index(e, SimL1Event, i).kind]++;
    ck_assert_int_eq(kinds[SIM_L1_INCLUDED], 2);
    ck_assert_int_eq(kinds[SIM_L1_REVERTED], 1);
    ck_assert_int_eq(kinds[SIM_L1_FINAL], 1);
    g_array_unref(e);
    /* A reorg never reaches a final block. */
    ck_assert_uint_eq(sim_l1_reorg(l1, 1000, 3600 * SIM_S), 64);
    ck_assert_uint_eq(sim_l1_tx_block(l1, tx), 1);
    ck_assert_uint_eq(sim_l1_reorged(l1), 2 + 3 + 64);
    sim_l1_free(l1);
}
END_TEST

/* A congestion window of 25 slots from 100 s to 200 s (the l1-congestion fault's switch). */
START_TEST(congestion_window)
{
    SimL1Config c;
    sim_l1_config_init(&c);
    SimL1 *l1 = sim_l1_new(&c);
    SimDist slots = {SIM_DIST_CONSTANT, SIM_QUANTITY_COUNT, 25, 0, 0, FALSE};
    uint64_t before = sim_l1_submit(l1, 1, 90 * SIM_S); /* next slot: 96 s, block 8 */
    sim_l1_congest(l1, &slots, 100 * SIM_S);
    uint64_t during = sim_l1_submit(l1, 2, 100 * SIM_S); /* slot 9 + 24 = 33: 396 s */
    sim_l1_congest(l1, NULL, 200 * SIM_S);
    uint64_t after = sim_l1_submit(l1, 3, 200 * SIM_S); /* slot 17: 204 s */
    sim_l1_advance(l1, 3600 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, before), 8);
    ck_assert_uint_eq(sim_l1_tx_block(l1, during), 33);
    ck_assert_uint_eq(sim_l1_tx_block(l1, after), 17);
    sim_l1_free(l1);
}
END_TEST

/* The congestion fault's switch: from sim_l1_congest(slots) to sim_l1_congest(NULL), submitted
 * transactions wait `slots`; before and after, the inclusion delay. */
START_TEST(congestion_switch)
{
    SimL1Config c;
    sim_l1_config_init(&c);
    SimL1 *l1 = sim_l1_new(&c);
    SimDist slots = {SIM_DIST_CONSTANT, SIM_QUANTITY_COUNT, 10, 0, 0, FALSE};
    uint64_t before = sim_l1_submit(l1, 1, 90 * SIM_S); /* slot 8 */
    sim_l1_congest(l1, &slots, 100 * SIM_S);
    uint64_t during = sim_l1_submit(l1, 2, 100 * SIM_S); /* slot 9 + 9 = 18 */
    sim_l1_congest(l1, NULL, 150 * SIM_S);
    uint64_t after = sim_l1_submit(l1, 3, 150 * SIM_S); /* slot 13 */
    sim_l1_advance(l1, 3600 * SIM_S);
    ck_assert_uint_eq(sim_l1_tx_block(l1, before), 8);
    ck_assert_uint_eq(sim_l1_tx_block(l1, after), 13);
    ck_assert_uint_eq(sim_l1_tx_block(l1, during), 18);
    ck_assert_uint_eq(sim_l1_block_time(l1, 18), 18 * 12 * SIM_S);
    sim_l1_free(l1);
}
END_TEST

/* The block of each of 50 transactions over an hour of a chain with missed slots. */
static void trace(uint64_t seed, uint64_t *blocks)
{
    SimL1Config c;
    sim_l1_config_init(&c);
    c.seed = seed;
    c.missed_ppm = 100000;
    c.inclusion_delay = (SimDist){SIM_DIST_UNIFORM, SIM_QUANTITY_COUNT, 1, 5, 0, FALSE};
    SimL1 *l1 = sim_l1_new(&c);
    for (uint64_t i = 0; i < 50; i++)
        sim_l1_submit(l1, i, i * 60 * SIM_S);
    sim_l1_advance(l1, 3600 * SIM_S);
    for (uint64_t i = 0; i < 50; i++)
        blocks[i] = sim_l1_tx_block(l1, i);
    sim_l1_free(l1);
}

START_TEST(deterministic_per_seed)
{
    uint64_t a[50], b[50], other[50];
    trace(11, a);
    trace(11, b);
    trace(12, other);
    gboolean differ = FALSE;
    for (int i = 0; i < 50; i++) {
        ck_assert_uint_eq(a[i], b[i]);
        ck_assert_uint_gt(a[i], 0);
        differ |= a[i] != other[i];
    }
    ck_assert(differ);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("l1");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, slot_timing);
    tcase_add_test(tc, inclusion_delay);
    tcase_add_test(tc, missed_slots_skip_blocks);
    tcase_add_test(tc, finality_after_depth);
    tcase_add_test(tc, reorg_reincludes_and_delays_finality);
    tcase_add_test(tc, congestion_window);
    tcase_add_test(tc, congestion_switch);
    tcase_add_test(tc, deterministic_per_seed);
    suite_add_tcase(s, tc);
    return s;
}
