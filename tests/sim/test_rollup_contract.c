/*
 * The rollup contract's rules: an update is taken only once the light client covers its block
 * (a state above its height), never for a block beyond the light client's height, never twice
 * for the same or a lower height; a reorg undoes what the dropped L1 blocks carried; the Merkle
 * check's depth (arity 3) and gas.
 */
#include "sim/world/rollup_contract.h"

#include "tests/check_main.h"

static SimLightClient *light_client_at(uint64_t height)
{
    SimLightClient *lc = sim_light_client_new(1, 864000 * SIM_S, 0, 0);
    if (height > 0) {
        SimLightClientState s = {height + 1, height, {0}};
        ck_assert_int_eq(sim_light_client_new_finalized_state(lc, &s, 1, 1, 12 * SIM_S), 0);
    }
    return lc;
}

START_TEST(rejects_beyond_light_client)
{
    SimLightClient *lc = light_client_at(100); /* covers blocks 0 .. 99 */
    SimRollupContract *rc = sim_rollup_contract_new();
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 100, 2), SIM_ROLLUP_ERR_NOT_COVERED);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 5000, 2), SIM_ROLLUP_ERR_NOT_COVERED);
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 0);
    ck_assert_uint_eq(sim_rollup_contract_rejected(rc, SIM_ROLLUP_ERR_NOT_COVERED), 2);
    ck_assert_uint_eq(sim_rollup_contract_gas(rc), 0);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 99, 2), SIM_ROLLUP_OK);
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 99);
    ck_assert_uint_eq(sim_rollup_contract_accepted(rc), 1);
    ck_assert_uint_eq(sim_rollup_contract_gas(rc), sim_rollup_merkle_gas(100));
    sim_rollup_contract_free(rc);
    sim_light_client_free(lc);
}
END_TEST

START_TEST(genesis_covers_nothing)
{
    SimLightClient *lc = light_client_at(0);
    SimRollupContract *rc = sim_rollup_contract_new();
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 1, 1), SIM_ROLLUP_ERR_NOT_COVERED);
    sim_rollup_contract_free(rc);
    sim_light_client_free(lc);
}
END_TEST

START_TEST(outdated_update)
{
    SimLightClient *lc = light_client_at(100);
    SimRollupContract *rc = sim_rollup_contract_new();
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 50, 2), SIM_ROLLUP_OK);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 50, 3), SIM_ROLLUP_ERR_OUTDATED);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 40, 3), SIM_ROLLUP_ERR_OUTDATED);
    ck_assert_uint_eq(sim_rollup_contract_rejected(rc, SIM_ROLLUP_ERR_OUTDATED), 2);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 60, 3), SIM_ROLLUP_OK);
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 60);
    sim_rollup_contract_free(rc);
    sim_light_client_free(lc);
}
END_TEST

START_TEST(revert_and_reapply)
{
    SimLightClient *lc = light_client_at(100);
    SimRollupContract *rc = sim_rollup_contract_new();
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 10, 2), SIM_ROLLUP_OK);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 20, 4), SIM_ROLLUP_OK);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 30, 5), SIM_ROLLUP_OK);
    ck_assert_uint_eq(sim_rollup_contract_revert(rc, 3), 2); /* blocks 4 and 5 dropped */
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 10);
    ck_assert_int_eq(sim_rollup_contract_settle(rc, lc, 30, 4), SIM_ROLLUP_OK); /* re-included */
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 30);
    ck_assert_uint_eq(sim_rollup_contract_revert(rc, 10), 0);
    ck_assert_uint_eq(sim_rollup_contract_revert(rc, 0), 2);
    ck_assert_uint_eq(sim_rollup_contract_settled(rc), 0);
    sim_rollup_contract_free(rc);
    sim_light_client_free(lc);
}
END_TEST

START_TEST(merkle_cost)
{
    ck_assert_uint_eq(sim_rollup_merkle_depth(0), 0);
    ck_assert_uint_eq(sim_rollup_merkle_depth(1), 0);
    ck_assert_uint_eq(sim_rollup_merkle_depth(2), 1);
    ck_assert_uint_eq(sim_rollup_merkle_depth(3), 1);
    ck_assert_uint_eq(sim_rollup_merkle_depth(4), 2);
    ck_assert_uint_eq(sim_rollup_merkle_depth(9), 2);
    ck_assert_uint_eq(sim_rollup_merkle_depth(10), 3);
    ck_assert_uint_eq(sim_rollup_merkle_depth(UINT64_MAX), 41);
    /* 3^6 = 729 < 1000 <= 3^7: depth 7, 7 x (48 + 1024) + 512 gas, 32 + 7 x 64 bytes */
    ck_assert_uint_eq(sim_rollup_merkle_gas(1000), 7 * 1072 + 512);
    ck_assert_uint_eq(sim_rollup_merkle_bytes(1000), 32 + 7 * 64);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("rollup_contract");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rejects_beyond_light_client);
    tcase_add_test(tc, genesis_covers_nothing);
    tcase_add_test(tc, outdated_update);
    tcase_add_test(tc, revert_and_reapply);
    tcase_add_test(tc, merkle_cost);
    suite_add_tcase(s, tc);
    return s;
}
