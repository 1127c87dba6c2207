/*
 * VID costs per scheme (protocol/vid_cost.h): AVID-M and none keep their flat per-byte rates;
 * ADVZ grows with the block and, for the dispersal, with the number of storage nodes; fixed
 * inputs give fixed values (reference values from the same formula in Python integer
 * arithmetic, docs/crypto-costs.md "VID per scheme").
 */
#include "tests/check_main.h"

#include "protocol/vid_cost.h"

static ProtoCostTable table(ProtoVidScheme scheme)
{
    ProtoCostTable c;
    proto_cost_table_default(&c);
    c.vid_scheme = scheme;
    return c;
}

START_TEST(avidm_and_none_are_flat)
{
    ProtoCostTable a = table(PROTO_VID_SCHEME_AVIDM), n = table(PROTO_VID_SCHEME_NONE);
    uint64_t bytes = 3 * 1048576 + 12345;
    ProtoDuration avidm = (ProtoDuration)(((ProtoU128)bytes * a.vid_encode_per_mib) >> 20);
    ProtoDuration hash = (ProtoDuration)(((ProtoU128)bytes * n.hash_per_mib) >> 20);
    for (int w = PROTO_VID_WORK_COMMIT; w <= PROTO_VID_WORK_DISPERSE; w++) {
        for (uint32_t nodes = 10; nodes <= 1000; nodes *= 10) {
            ck_assert_uint_eq(proto_vid_cost(&a, (ProtoVidWork)w, bytes, nodes), avidm);
            ck_assert_uint_eq(proto_vid_cost(&n, (ProtoVidWork)w, bytes, nodes), hash);
        }
    }
    ck_assert_uint_eq(proto_vid_cost(&a, PROTO_VID_WORK_VERIFY_SHARE, bytes, 100), 0);
    ck_assert_uint_eq(proto_vid_cost(&n, PROTO_VID_WORK_VERIFY_SHARE, bytes, 100), 0);
    /* A zeroed table is AVID-M, as before the scheme existed. */
    ProtoCostTable zero = {.vid_encode_per_mib = 1000};
    ck_assert_uint_eq(proto_vid_cost(&zero, PROTO_VID_WORK_COMMIT, 1048576, 7), 1000);
}
END_TEST

START_TEST(advz_fixed_values)
{
    ProtoCostTable c = table(PROTO_VID_SCHEME_ADVZ);
    ck_assert_uint_eq(c.hash_per_mib, 577000); /* the reference values assume it */
    const uint64_t mib = 1048576;
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_COMMIT, mib, 100), 995495781);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE_PRE, mib, 100), 149531569);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE, mib, 100), 1140422870);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_VERIFY_SHARE, mib, 100), 66191565);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_COMMIT, 5000000, 100), 4744130152);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE, mib, 1000), 3643301269);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_VERIFY_SHARE, mib, 1000), 9689056);
    ck_assert_uint_eq(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE_PRE, 0, 100), 0);
    ck_assert_uint_eq(proto_advz_threshold(100), 64);
    ck_assert_uint_eq(proto_advz_threshold(128), 128);
    ck_assert_uint_eq(proto_advz_threshold(1000), 512);
}
END_TEST

START_TEST(advz_grows_with_block_and_nodes)
{
    ProtoCostTable c = table(PROTO_VID_SCHEME_ADVZ);
    for (int w = PROTO_VID_WORK_COMMIT; w <= PROTO_VID_WORK_VERIFY_SHARE; w++) {
        ProtoDuration last = 0;
        for (uint64_t bytes = 100000; bytes <= 20000000; bytes *= 2) {
            ProtoDuration cost = proto_vid_cost(&c, (ProtoVidWork)w, bytes, 100);
            ck_assert_uint_gt(cost, last);
            last = cost;
        }
    }
    /* The dispersal's opening proofs grow with the storage nodes (threshold 8, 64, 512); the
     * commitments fall (fewer, larger MSMs), so the full dispersal grows only once the proofs
     * dominate. */
    ProtoDuration last = 0;
    for (uint32_t nodes = 10; nodes <= 1000; nodes *= 10) {
        ProtoDuration cost = proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE_PRE, 1048576, nodes);
        ck_assert_uint_gt(cost, last);
        last = cost;
    }
    ck_assert_uint_gt(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE, 1048576, 1000),
                      proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE, 1048576, 100));
    ck_assert_uint_gt(proto_vid_cost(&c, PROTO_VID_WORK_COMMIT, 1048576, 10),
                      proto_vid_cost(&c, PROTO_VID_WORK_COMMIT, 1048576, 1000));
    /* The leader's precomputed dispersal skips the KZG commitments the builder made. */
    ck_assert_uint_lt(proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE_PRE, 5000000, 100),
                      proto_vid_cost(&c, PROTO_VID_WORK_DISPERSE, 5000000, 100));
}
END_TEST

/* ADVZ shares: 2 x 32 bytes per polynomial (evaluation and commitment) and a small fixed part;
 * other schemes keep the AVID-M size they are given. */
START_TEST(advz_share_bytes)
{
    ProtoCostTable a = table(PROTO_VID_SCHEME_AVIDM), z = table(PROTO_VID_SCHEME_ADVZ);
    ck_assert_uint_eq(proto_vid_share_bytes(&a, 12345, 1048576, 100), 12345);
    ck_assert_uint_eq(proto_vid_share_bytes(NULL, 12345, 1048576, 100), 12345);
    /* 1 MiB, n = 100: k = 64, m = 529; depth 7 */
    ck_assert_uint_eq(proto_vid_share_bytes(&z, 12345, 1048576, 100), 64 * 529 + 32 * 8 + 104);
    /* n = 128 is a power of two: depth 7, k = 128, m = 265 */
    ck_assert_uint_eq(proto_vid_share_bytes(&z, 0, 1048576, 128), 64 * 265 + 32 * 8 + 104);
    ck_assert_uint_eq(proto_vid_share_bytes(&z, 0, 0, 100), 32 * 8 + 104);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("vid_cost");
    TCase *tc = tcase_create("vid_cost");
    tcase_add_test(tc, avidm_and_none_are_flat);
    tcase_add_test(tc, advz_fixed_values);
    tcase_add_test(tc, advz_grows_with_block_and_nodes);
    tcase_add_test(tc, advz_share_bytes);
    suite_add_tcase(suite, tc);
    return suite;
}
