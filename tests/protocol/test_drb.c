/*
 * The DRB (protocol/drb.h): the iterated SHA-256 gives fixed outputs for fixed inputs (reference
 * values from Python's hashlib: h = seed; for _ in range(d): h = sha256(h).digest()), difficulties
 * above the cap take the documented stand-in, and the seed of a QC depends on its view, data and
 * signers only.
 */
#include "tests/check_main.h"

#include "protocol/drb.h"

#include <string.h>

static void hex(const uint8_t *bytes, char out[65])
{
    for (int i = 0; i < 32; i++)
        g_snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

START_TEST(fixed_input_gives_fixed_output)
{
    uint8_t seed[PROTO_DRB_BYTES] = {0}, result[PROTO_DRB_BYTES];
    char text[65];
    proto_drb_compute(seed, 10, result);
    hex(result, text);
    ck_assert_str_eq(text, "f13587bc89fe4882c7c889302511ffd738d136129b9f5be4c492cb4948a93a89");
    for (int i = 0; i < PROTO_DRB_BYTES; i++)
        seed[i] = (uint8_t)i;
    proto_drb_compute(seed, 1000, result);
    hex(result, text);
    ck_assert_str_eq(text, "45cd0d40a72c806c4b78bbeca7a52d9fa6f25751fea57cf1564e7b70b9519db4");
    /* One more iteration is another value; the same call is the same value. */
    uint8_t again[PROTO_DRB_BYTES], more[PROTO_DRB_BYTES];
    proto_drb_compute(seed, 1000, again);
    proto_drb_compute(seed, 1001, more);
    ck_assert_mem_eq(again, result, PROTO_DRB_BYTES);
    ck_assert(memcmp(more, result, PROTO_DRB_BYTES) != 0);
}
END_TEST

START_TEST(large_difficulties_use_the_stand_in)
{
    uint8_t seed[PROTO_DRB_BYTES] = {1}, a[PROTO_DRB_BYTES], b[PROTO_DRB_BYTES];
    uint8_t capped[PROTO_DRB_BYTES];
    proto_drb_compute(seed, PROTO_DRB_ITERATIONS_MAX + 1, a);
    proto_drb_compute(seed, PROTO_DRB_ITERATIONS_MAX + 1, b);
    proto_drb_compute(seed, PROTO_DRB_ITERATIONS_MAX, capped);
    ck_assert_mem_eq(a, b, PROTO_DRB_BYTES);
    ck_assert(memcmp(a, capped, PROTO_DRB_BYTES) != 0);
    proto_drb_compute(seed, 25000000000u, b); /* mainnet's difficulty: fixed, and quick here */
    ck_assert(memcmp(a, b, PROTO_DRB_BYTES) != 0);
}
END_TEST

START_TEST(seed_depends_on_the_qc)
{
    ProtoCommit data = {{3}};
    uint8_t signers[2] = {0x0f, 0x01};
    ProtoCert *qc = proto_cert_new(PROTO_CERT_QC, 95, 0, &data, 9, signers, PROTO_SIG_MODELED,
                                   (const uint8_t[32]){9}, 32);
    ProtoCert *other = proto_cert_new(PROTO_CERT_QC, 95, 0, &data, 9, (const uint8_t[2]){0x1f, 0},
                                      PROTO_SIG_MODELED, (const uint8_t[32]){9}, 32);
    ProtoCert *later = proto_cert_new(PROTO_CERT_QC, 96, 0, &data, 9, signers, PROTO_SIG_MODELED,
                                      (const uint8_t[32]){8}, 32);
    uint8_t s1[PROTO_DRB_BYTES], s2[PROTO_DRB_BYTES], s3[PROTO_DRB_BYTES], s4[PROTO_DRB_BYTES];
    proto_drb_seed(qc, s1);
    proto_drb_seed(qc, s2);
    proto_drb_seed(other, s3);
    proto_drb_seed(later, s4);
    ck_assert_mem_eq(s1, s2, PROTO_DRB_BYTES);
    ck_assert(memcmp(s1, s3, PROTO_DRB_BYTES) != 0);
    ck_assert(memcmp(s1, s4, PROTO_DRB_BYTES) != 0);
    proto_cert_unref(qc);
    proto_cert_unref(other);
    proto_cert_unref(later);
    ck_assert_uint_eq(proto_cert_live_count(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("drb");
    TCase *tc = tcase_create("drb");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixed_input_gives_fixed_output);
    tcase_add_test(tc, large_difficulties_use_the_stand_in);
    tcase_add_test(tc, seed_depends_on_the_qc);
    suite_add_tcase(suite, tc);
    return suite;
}
