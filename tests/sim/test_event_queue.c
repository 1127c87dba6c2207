/*
 * The 4-ary heap on its own: pops come out in (time, sequence) order for random input, for
 * equal times (sequence decides), and for many ties mixed with distinct times; and the bound
 * on its length is enforced.
 */
#include "sim/core/event_queue.h"
#include "sim/core/rng.h"

#include "tests/check_main.h"

#include <signal.h>

static void check_sorted_drain(SimEventQueue *queue, size_t expected)
{
    SimQueueEntry previous = {0, 0};
    for (size_t i = 0; i < expected; i++) {
        SimQueueEntry e = sim_event_queue_pop(queue);
        if (i > 0) {
            ck_assert_msg(sim_event_queue_less(&previous, &e), "pop %zu out of order", i);
        }
        previous = e;
    }
    ck_assert_uint_eq(sim_event_queue_len(queue), 0);
}

START_TEST(random_times_pop_in_order)
{
    SimRng rng;
    sim_rng_init(&rng, sim_rng_xoshiro256ss, 7, "test", 0);
    SimEventQueue queue;
    sim_event_queue_init(&queue, 100000);
    for (uint64_t i = 0; i < 100000; i++) {
        sim_event_queue_push(&queue, sim_queue_entry(sim_rng_below(&rng, 1000000), i, 0));
    }
    check_sorted_drain(&queue, 100000);
    sim_event_queue_clear(&queue);
    sim_rng_clear(&rng);
}
END_TEST

START_TEST(equal_times_keep_scheduling_order)
{
    SimEventQueue queue;
    sim_event_queue_init(&queue, 1000);
    /* Push in a scrambled sequence order, all at one time: pops must come out by sequence. */
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t seq = (i * 7919) % 1000;
        sim_event_queue_push(&queue, sim_queue_entry(42, seq, (uint32_t)seq));
    }
    for (uint64_t i = 0; i < 1000; i++) {
        SimQueueEntry e = sim_event_queue_pop(&queue);
        ck_assert_uint_eq(e.time, 42);
        ck_assert_uint_eq(sim_queue_entry_seq(&e), i);
        ck_assert_uint_eq(sim_queue_entry_slot(&e), i);
    }
    sim_event_queue_clear(&queue);
}
END_TEST

START_TEST(many_ties_interleaved)
{
    SimRng rng;
    sim_rng_init(&rng, sim_rng_xoshiro256ss, 8, "test", 0);
    SimEventQueue queue;
    sim_event_queue_init(&queue, 50000);
    /* Only 16 distinct times for 50,000 entries, pushed and popped in interleaved bursts. */
    uint64_t seq = 0;
    size_t len = 0;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 1000; i++) {
            sim_event_queue_push(&queue, sim_queue_entry(sim_rng_below(&rng, 16), seq++, 0));
            len++;
        }
        SimQueueEntry previous = sim_event_queue_pop(&queue);
        len--;
        for (int i = 0; i < 300; i++, len--) {
            SimQueueEntry e = sim_event_queue_pop(&queue);
            ck_assert(sim_event_queue_less(&previous, &e));
            previous = e;
        }
    }
    check_sorted_drain(&queue, len);
    sim_event_queue_clear(&queue);
    sim_rng_clear(&rng);
}
END_TEST

/* Sequence numbers near the top of their range, ties on time, then a renumbering: the entries
 * drain in the same (time, sequence) order as before (slots record that order), and entries
 * pushed after it with the returned number come after every renumbered one at the same time. */
START_TEST(renumber_keeps_order)
{
    SimRng rng;
    sim_rng_init(&rng, sim_rng_xoshiro256ss, 9, "test", 0);
    SimEventQueue reference, queue;
    sim_event_queue_init(&reference, 3000);
    sim_event_queue_init(&queue, 3000);
    uint64_t seq = SIM_QUEUE_SEQ_MAX - 2000;
    for (uint32_t i = 0; i < 2000; i++, seq++) {
        SimQueueEntry e = sim_queue_entry(sim_rng_below(&rng, 50), seq, i);
        sim_event_queue_push(&reference, e);
        sim_event_queue_push(&queue, e);
    }
    for (int i = 0; i < 500; i++) { /* leave a heap that is not sorted */
        sim_event_queue_pop(&reference);
        sim_event_queue_pop(&queue);
    }
    uint64_t next = sim_event_queue_renumber(&queue);
    ck_assert_uint_eq(next, 1501);
    /* Later pushes with fresh numbers, at times that tie with the renumbered entries. */
    for (uint32_t i = 0; i < 500; i++) {
        sim_event_queue_push(&queue, sim_queue_entry(i % 50, next++, 2000 + i));
    }
    SimTime previous_time = 0;
    uint64_t previous_seq = 0;
    for (int i = 0; i < 1500 + 500; i++) {
        SimQueueEntry e = sim_event_queue_pop(&queue);
        uint32_t slot = sim_queue_entry_slot(&e);
        ck_assert(e.time > previous_time ||
                  (e.time == previous_time && sim_queue_entry_seq(&e) > previous_seq));
        previous_time = e.time;
        previous_seq = sim_queue_entry_seq(&e);
        if (slot < 2000) { /* an old entry: it must be the next of the reference order, unless
                            * a new entry with the same time went first (it must not) */
            SimQueueEntry r = sim_event_queue_pop(&reference);
            ck_assert_uint_eq(sim_queue_entry_slot(&r), slot);
            ck_assert_uint_eq(r.time, e.time);
        } else {
            /* every old entry at this time has already been popped */
            ck_assert(sim_event_queue_len(&reference) == 0 ||
                      sim_event_queue_peek(&reference)->time > e.time);
        }
    }
    ck_assert_uint_eq(sim_event_queue_len(&reference), 0);
    sim_event_queue_clear(&reference);
    sim_event_queue_clear(&queue);
    sim_rng_clear(&rng);
}
END_TEST

START_TEST(push_beyond_bound_aborts)
{
    SimEventQueue queue;
    sim_event_queue_init(&queue, 3);
    for (uint64_t i = 0; i < 4; i++)
        sim_event_queue_push(&queue, sim_queue_entry(i, i, 0));
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("event_queue");
    TCase *tc = tcase_create("heap");
    tcase_add_test(tc, random_times_pop_in_order);
    tcase_add_test(tc, equal_times_keep_scheduling_order);
    tcase_add_test(tc, many_ties_interleaved);
    tcase_add_test(tc, renumber_keeps_order);
    tcase_add_test_raise_signal(tc, push_beyond_bound_aborts, SIGABRT);
    suite_add_tcase(suite, tc);
    return suite;
}
