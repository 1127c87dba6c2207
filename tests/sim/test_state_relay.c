/*
 * The state relay's threshold bundling: signatures of one state add up by stake; the newest
 * state over the threshold wins, a newer one below it does not; a state at exactly the threshold
 * passes and one unit below does not; different roots at one height are different states; each
 * validator keeps its last `keep` states, the oldest leaving its bundle; repeats do not count
 * twice; a reset forgets everything.
 */
#include "sim/world/state_relay.h"

#include "tests/check_main.h"

static SimLightClientState state(uint64_t height, uint8_t root)
{
    SimLightClientState s = {height + 1, height, {0}};
    s.root[0] = root;
    return s;
}

START_TEST(stake_adds_up_to_the_threshold)
{
    /* Stakes 1..6 (total 21): the one-honest threshold is 21/3 + 1 = 8. */
    SimStateRelay *r = sim_state_relay_new(6, 100);
    SimLightClientState s = state(10, 1);
    SimStateBundle b;
    sim_state_relay_store(r, 5, 6, &s); /* 6 */
    ck_assert(!sim_state_relay_best(r, 8, &b));
    sim_state_relay_store(r, 0, 1, &s); /* 7: one below */
    ck_assert(!sim_state_relay_best(r, 8, &b));
    sim_state_relay_store(r, 1, 2, &s); /* 9 */
    ck_assert(sim_state_relay_best(r, 8, &b));
    ck_assert_uint_eq(b.state.block_height, 10);
    ck_assert_uint_eq(b.stake, 9);
    ck_assert_uint_eq(b.signers, 3);
    ck_assert_uint_eq(b.state.view, 11);
    /* Exactly the threshold passes. */
    SimStateRelay *exact = sim_state_relay_new(6, 100);
    sim_state_relay_store(exact, 5, 6, &s);
    sim_state_relay_store(exact, 1, 2, &s);
    ck_assert(sim_state_relay_best(exact, 8, &b));
    ck_assert_uint_eq(b.stake, 8);
    sim_state_relay_free(exact);
    sim_state_relay_free(r);
}
END_TEST

START_TEST(newest_state_over_the_threshold)
{
    SimStateRelay *r = sim_state_relay_new(4, 100);
    SimLightClientState old = state(10, 1), newer = state(11, 2);
    for (uint32_t n = 0; n < 4; n++)
        sim_state_relay_store(r, n, 1, &old);
    sim_state_relay_store(r, 0, 1, &newer); /* 1 of 4 at height 11 */
    SimStateBundle b;
    ck_assert(sim_state_relay_best(r, 2, &b));
    ck_assert_uint_eq(b.state.block_height, 10);
    sim_state_relay_store(r, 1, 1, &newer);
    ck_assert(sim_state_relay_best(r, 2, &b));
    ck_assert_uint_eq(b.state.block_height, 11);
    ck_assert_uint_eq(b.state.root[0], 2);
    sim_state_relay_free(r);
}
END_TEST

START_TEST(roots_split_bundles)
{
    SimStateRelay *r = sim_state_relay_new(4, 100);
    SimLightClientState a = state(10, 1), forged = state(10, 9);
    sim_state_relay_store(r, 0, 1, &a);
    sim_state_relay_store(r, 1, 1, &a);
    sim_state_relay_store(r, 2, 1, &forged);
    ck_assert_uint_eq(sim_state_relay_bundles(r), 2);
    SimStateBundle b;
    ck_assert(sim_state_relay_best(r, 2, &b));
    ck_assert_uint_eq(b.state.root[0], 1);
    ck_assert(!sim_state_relay_best(r, 3, &b));
    sim_state_relay_free(r);
}
END_TEST

START_TEST(keeps_the_last_states_per_validator)
{
    SimStateRelay *r = sim_state_relay_new(2, 3);
    for (uint64_t h = 1; h <= 5; h++) {
        SimLightClientState s = state(h, 1);
        sim_state_relay_store(r, 0, 5, &s);
    }
    ck_assert_uint_eq(sim_state_relay_held(r, 0), 3);
    ck_assert_uint_eq(sim_state_relay_bundles(r), 3); /* heights 3, 4, 5 */
    /* Validator 1 signs height 2, which validator 0 forgot: only its own stake backs it. */
    SimLightClientState two = state(2, 1);
    sim_state_relay_store(r, 1, 1, &two);
    SimStateBundle b;
    ck_assert(sim_state_relay_best(r, 1, &b));
    ck_assert_uint_eq(b.state.block_height, 5);
    ck_assert(sim_state_relay_best(r, 6, &b) == FALSE);
    /* A repeat (or an older height) from the same validator is not counted again. */
    SimLightClientState five = state(5, 1);
    sim_state_relay_store(r, 0, 5, &five);
    ck_assert(sim_state_relay_best(r, 5, &b));
    ck_assert_uint_eq(b.stake, 5);
    ck_assert_uint_eq(b.signers, 1);
    sim_state_relay_reset(r);
    ck_assert_uint_eq(sim_state_relay_bundles(r), 0);
    ck_assert_uint_eq(sim_state_relay_held(r, 0), 0);
    ck_assert(!sim_state_relay_best(r, 1, &b));
    sim_state_relay_store(r, 0, 5, &five); /* after a reset, it may sign again */
    ck_assert(sim_state_relay_best(r, 5, &b));
    sim_state_relay_free(r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("state_relay");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, stake_adds_up_to_the_threshold);
    tcase_add_test(tc, newest_state_over_the_threshold);
    tcase_add_test(tc, roots_split_bundles);
    tcase_add_test(tc, keeps_the_last_states_per_validator);
    suite_add_tcase(s, tc);
    return s;
}
