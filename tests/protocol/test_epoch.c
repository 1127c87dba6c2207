/*
 * Epochs (protocol/epoch.h): the height arithmetic of hotshot.md 1.1 and 1.9 (epoch(h) =
 * ceil(h/H) with genesis in epoch 1, the root at eH-5, the transition block at eH-3, three empty
 * blocks after it), checked at every height of several epochs against a direct restatement of
 * the rules; the stake-change rules (register, deregister, delegate, undelegate and their
 * errors); and the schedule: a change at block h applies from epoch e+2 for the first root
 * root(e) >= h, epochs 1 and 2 keep the genesis table, the schedule refuses a change that
 * fails or leaves no stake, and each epoch's table has the stakes the changes give it.
 */
#include "tests/check_main.h"

#include "protocol/epoch.h"

#include <string.h>

static void fill_keys(uint8_t (*keys)[32], uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        for (int b = 0; b < 32; b++)
            keys[i][b] = (uint8_t)(i * 31u + (uint32_t)b * 7u + 1u);
    }
}

/* --- arithmetic ------------------------------------------------------------------------------ */

START_TEST(epoch_of_height_follows_the_ceiling_rule)
{
    ck_assert_uint_eq(proto_epoch_of_height(0, 10), 1); /* genesis is in epoch 1 */
    ck_assert_uint_eq(proto_epoch_of_height(1, 10), 1);
    ck_assert_uint_eq(proto_epoch_of_height(10, 10), 1);
    ck_assert_uint_eq(proto_epoch_of_height(11, 10), 2);
    ck_assert_uint_eq(proto_epoch_of_height(20, 10), 2);
    ck_assert_uint_eq(proto_epoch_of_height(21, 10), 3);
    ck_assert_uint_eq(proto_epoch_of_height(UINT64_MAX, 1), UINT64_MAX);
    for (uint64_t length = PROTO_EPOCH_LENGTH_MIN; length <= 40; length++) {
        for (uint64_t h = 1; h <= 5 * length; h++) {
            ProtoEpoch e = proto_epoch_of_height(h, length);
            ck_assert_uint_eq(e, (h + length - 1) / length);
            ck_assert_uint_ge(h, proto_epoch_first_height(e, length));
            ck_assert_uint_le(h, proto_epoch_last_height(e, length));
        }
    }
}
END_TEST

START_TEST(transition_window_is_the_last_four_blocks)
{
    const uint64_t length = 100;
    for (ProtoEpoch e = 1; e <= 4; e++) {
        uint64_t last = e * length;
        ck_assert_uint_eq(proto_epoch_last_height(e, length), last);
        ck_assert_uint_eq(proto_epoch_root_height(e, length), last - 5);
        ck_assert_uint_eq(proto_epoch_transition_height(e, length), last - 3);
        for (uint64_t h = proto_epoch_first_height(e, length); h <= last; h++) {
            ck_assert_int_eq(proto_epoch_is_root(h, length), h == last - 5);
            ck_assert_int_eq(proto_epoch_in_transition(h, length), h >= last - 3);
            ck_assert_int_eq(proto_epoch_must_be_empty(h, length), h >= last - 2);
            ck_assert_int_eq(proto_epoch_is_last(h, length), h == last);
        }
    }
    /* Genesis is nothing of the kind; the shortest epochs still put the root first. */
    ck_assert(!proto_epoch_in_transition(0, length));
    ck_assert(!proto_epoch_is_root(0, length));
    ck_assert_uint_eq(proto_epoch_root_height(1, PROTO_EPOCH_LENGTH_MIN), 1);
    ck_assert(proto_epoch_is_root(1, PROTO_EPOCH_LENGTH_MIN));
    ck_assert(!proto_epoch_in_transition(2, PROTO_EPOCH_LENGTH_MIN));
    ck_assert(proto_epoch_in_transition(3, PROTO_EPOCH_LENGTH_MIN));
}
END_TEST

START_TEST(a_change_applies_two_epochs_after_the_root_that_sees_it)
{
    const uint64_t length = 100;
    /* Roots are at 95, 195, 295: a change at or below a root is seen by it. */
    ck_assert_uint_eq(proto_epoch_of_change(0, length), 3);
    ck_assert_uint_eq(proto_epoch_of_change(1, length), 3);
    ck_assert_uint_eq(proto_epoch_of_change(95, length), 3);
    ck_assert_uint_eq(proto_epoch_of_change(96, length), 4);
    ck_assert_uint_eq(proto_epoch_of_change(100, length), 4);
    ck_assert_uint_eq(proto_epoch_of_change(195, length), 4);
    ck_assert_uint_eq(proto_epoch_of_change(196, length), 5);
    for (uint64_t h = 0; h < 1000; h++) {
        ProtoEpoch applies = proto_epoch_of_change(h, length);
        ProtoEpoch root_epoch = applies - 2;
        ck_assert_uint_ge(proto_epoch_root_height(root_epoch, length), h);
        if (root_epoch > 1) ck_assert_uint_lt(proto_epoch_root_height(root_epoch - 1, length), h);
    }
}
END_TEST

/* --- changes --------------------------------------------------------------------------------- */

START_TEST(stake_changes_apply_and_refuse)
{
    uint64_t stakes[3] = {10, 0, 5};
    ProtoStakeChange c = {.height = 1, .kind = PROTO_STAKE_REGISTER, .node = 1, .amount = 7};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_OK);
    ck_assert_uint_eq(stakes[1], 7);
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_DUPLICATE);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_DELEGATE, .node = 0, .amount = 3};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_OK);
    ck_assert_uint_eq(stakes[0], 13);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_UNDELEGATE, .node = 0, .amount = 13};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_FIELD); /* all of it */
    c.amount = 12;
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_OK);
    ck_assert_uint_eq(stakes[0], 1);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_DEREGISTER, .node = 2};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_OK);
    ck_assert_uint_eq(stakes[2], 0);
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_INCONSISTENT);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_DELEGATE, .node = 2, .amount = 1};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_INCONSISTENT);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_REGISTER, .node = 3, .amount = 1};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_UNKNOWN);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_REGISTER, .node = 2, .amount = 0};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_FIELD);
    c = (ProtoStakeChange){.kind = PROTO_STAKE_REGISTER, .node = 2, .amount = (uint64_t)1 << 62};
    ck_assert_int_eq(proto_stake_change_apply(&c, stakes, 3), PROTO_ERR_LENGTH);
    ck_assert_uint_eq(stakes[2], 0); /* untouched by the refusals */
    ProtoStakeChangeKind kind;
    ck_assert(proto_stake_change_kind_lookup("undelegate", &kind));
    ck_assert_int_eq(kind, PROTO_STAKE_UNDELEGATE);
    ck_assert_str_eq(proto_stake_change_kind_name(PROTO_STAKE_REGISTER), "register");
    ck_assert(!proto_stake_change_kind_lookup("stake", &kind));
}
END_TEST

/* --- the schedule ---------------------------------------------------------------------------- */

START_TEST(schedule_gives_each_epoch_its_stakes)
{
    enum { N = 4 };
    const uint64_t length = 10; /* roots at 5, 15, 25, ... */
    uint64_t genesis[N] = {10, 10, 10, 0};
    uint8_t keys[N][32];
    fill_keys(keys, N);
    uint8_t beacon[32] = {1};
    /* Out of height order on purpose: the schedule sorts them. */
    ProtoStakeChange changes[] = {
        {.height = 16, .kind = PROTO_STAKE_DEREGISTER, .node = 0},             /* epoch 5 */
        {.height = 3, .kind = PROTO_STAKE_REGISTER, .node = 3, .amount = 20},  /* epoch 3 */
        {.height = 5, .kind = PROTO_STAKE_DELEGATE, .node = 1, .amount = 5},   /* epoch 3 */
        {.height = 6, .kind = PROTO_STAKE_UNDELEGATE, .node = 3, .amount = 5}, /* epoch 4 */
    };
    uint32_t bad = 99;
    ck_assert_int_eq(proto_epochs_check(length, genesis, N, changes, 4, &bad), PROTO_OK);
    ProtoEpochs *epochs = proto_epochs_new(length, genesis, (const uint8_t(*)[32])keys, N,
                                           PROTO_LEADER_STAKE_WEIGHTED, beacon, changes, 4);
    ck_assert_uint_eq(proto_epochs_change_count(epochs), 4);
    const uint64_t want[6][N] = {
        {0},
        {10, 10, 10, 0},
        {10, 10, 10, 0}, /* epochs 1, 2: genesis */
        {10, 15, 10, 20},
        {10, 15, 10, 15},
        {0, 15, 10, 15},
    };
    for (ProtoEpoch e = 1; e <= 5; e++) {
        const ProtoStakeTable *t = proto_epochs_table(epochs, e);
        uint64_t total = 0;
        for (ProtoNodeId id = 0; id < N; id++) {
            ck_assert_uint_eq(proto_stake_of(t, id), want[e][id]);
            ck_assert_uint_eq(proto_epochs_stake_of(epochs, e, id), want[e][id]);
            total += want[e][id];
        }
        ck_assert_uint_eq(proto_stake_total(t), total);
        ck_assert_ptr_eq(proto_epochs_table(epochs, e), t); /* built once */
    }
    /* Later epochs keep the last stakes; a validator without stake never leads. */
    const ProtoStakeTable *t9 = proto_epochs_table(epochs, 9);
    ck_assert_uint_eq(proto_stake_of(t9, 0), 0);
    for (ProtoView v = 1; v < 500; v++)
        ck_assert_uint_ne(proto_stake_leader(t9, v), 0);
    proto_epochs_free(epochs);
}
END_TEST

START_TEST(schedule_refuses_bad_changes)
{
    enum { N = 3 };
    uint64_t genesis[N] = {1, 1, 0};
    uint32_t bad = 99;
    ProtoStakeChange changes[] = {
        {.height = 40, .kind = PROTO_STAKE_UNDELEGATE, .node = 1, .amount = 1}, /* all of it */
        {.height = 20, .kind = PROTO_STAKE_REGISTER, .node = 2, .amount = 4},
    };
    ck_assert_int_eq(proto_epochs_check(10, genesis, N, changes, 2, &bad), PROTO_ERR_FIELD);
    ck_assert_uint_eq(bad, 0);
    /* Registering twice: the second (in height order) is the bad one, wherever it is listed. */
    ProtoStakeChange twice[] = {
        {.height = 30, .kind = PROTO_STAKE_REGISTER, .node = 2, .amount = 1},
        {.height = 20, .kind = PROTO_STAKE_REGISTER, .node = 2, .amount = 4},
    };
    ck_assert_int_eq(proto_epochs_check(10, genesis, N, twice, 2, &bad), PROTO_ERR_DUPLICATE);
    ck_assert_uint_eq(bad, 0);
    /* Everybody leaving: the epoch after would have no stake. */
    ProtoStakeChange leave[] = {
        {.height = 7, .kind = PROTO_STAKE_DEREGISTER, .node = 0},
        {.height = 8, .kind = PROTO_STAKE_DEREGISTER, .node = 1},
    };
    ck_assert_int_eq(proto_epochs_check(10, genesis, N, leave, 2, &bad), PROTO_ERR_THRESHOLD);
    ck_assert_uint_eq(bad, 1);
    /* ... unless someone joins at the same block. */
    ProtoStakeChange handover[] = {
        {.height = 8, .kind = PROTO_STAKE_DEREGISTER, .node = 0},
        {.height = 8, .kind = PROTO_STAKE_DEREGISTER, .node = 1},
        {.height = 8, .kind = PROTO_STAKE_REGISTER, .node = 2, .amount = 3},
    };
    ck_assert_int_eq(proto_epochs_check(10, genesis, N, handover, 3, &bad), PROTO_OK);
}
END_TEST

START_TEST(beacon_is_set_once_and_changes_leaders)
{
    enum { N = 50 };
    uint64_t genesis[N];
    proto_stake_equal(N, 1, genesis);
    uint8_t keys[N][32];
    fill_keys(keys, N);
    uint8_t zero[32] = {0}, drb[32] = {0xab, 0xcd};
    ProtoEpochs *epochs = proto_epochs_new(10, genesis, (const uint8_t(*)[32])keys, N,
                                           PROTO_LEADER_STAKE_WEIGHTED, zero, NULL, 0);
    ck_assert(proto_epochs_set_beacon(epochs, 3, drb));
    ck_assert(proto_epochs_set_beacon(epochs, 3, drb));   /* agrees */
    ck_assert(!proto_epochs_set_beacon(epochs, 3, zero)); /* disagrees: ignored */
    const ProtoStakeTable *genesis_table = proto_epochs_table(epochs, 1);
    const ProtoStakeTable *third = proto_epochs_table(epochs, 3);
    uint32_t differ = 0;
    for (ProtoView v = 1; v <= 200; v++)
        differ += proto_stake_leader(genesis_table, v) != proto_stake_leader(third, v);
    ck_assert_uint_gt(differ, 100); /* another beacon, another schedule */
    /* Too late: the table of epoch 4 is built with the genesis beacon. */
    (void)proto_epochs_table(epochs, 4);
    ck_assert(!proto_epochs_set_beacon(epochs, 4, drb));
    ck_assert(proto_epochs_set_beacon(epochs, 4, zero));
    proto_epochs_free(epochs);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("epoch");
    TCase *tc = tcase_create("epoch");
    tcase_add_test(tc, epoch_of_height_follows_the_ceiling_rule);
    tcase_add_test(tc, transition_window_is_the_last_four_blocks);
    tcase_add_test(tc, a_change_applies_two_epochs_after_the_root_that_sees_it);
    tcase_add_test(tc, stake_changes_apply_and_refuse);
    tcase_add_test(tc, schedule_gives_each_epoch_its_stakes);
    tcase_add_test(tc, schedule_refuses_bad_changes);
    tcase_add_test(tc, beacon_is_set_once_and_changes_leaders);
    suite_add_tcase(suite, tc);
    return suite;
}
