/*
 * The builder's adaptive block-size limit (protocol/builder.h): a late response lowers it by a
 * tenth, down to the floor; a response in time with a tenth to spare, for a block the limit cut
 * short, raises it by a tenth, up to block_max; in time without that margin, or for a block
 * that held everything waiting, leaves it alone; and the next block is built under it.
 */
#include "protocol/builder.h"

#include "tests/check_main.h"

#define BLOCK_MAX 100000
#define TIMEOUT   (1 * PROTO_S)

typedef struct Fixture {
    ProtoVidParams *vid;
    ProtoBuilder *b;
    ProtoCostTable costs;
} Fixture;

static void setup(Fixture *f, uint32_t txs, uint32_t size)
{
    f->vid = proto_vid_params_new((const uint64_t[4]){1, 1, 1, 1}, 4);
    f->b = proto_builder_new(f->vid, BLOCK_MAX, TRUE);
    proto_cost_table_default(&f->costs);
    for (uint32_t i = 1; i <= txs; i++) {
        ProtoTx tx = {.ns_id = 1, .id = i, .size = size};
        proto_builder_add(f->b, &tx);
    }
}

static void teardown(Fixture *f)
{
    proto_builder_free(f->b);
    proto_vid_params_free(f->vid);
}

static uint64_t build(Fixture *f, ProtoView view)
{
    ProtoDuration cpu = 0;
    ProtoPayload *p = proto_builder_build(f->b, view, &f->costs, &cpu);
    uint64_t size = p->size;
    proto_payload_unref(p);
    return size;
}

START_TEST(late_responses_lower_the_limit_to_the_floor)
{
    Fixture f;
    setup(&f, 1000, 1000);
    ck_assert_uint_eq(proto_builder_limit(f.b), BLOCK_MAX);
    build(&f, 1);
    proto_builder_on_served(f.b, TIMEOUT + 1, TIMEOUT);
    ck_assert_uint_eq(proto_builder_limit(f.b), BLOCK_MAX - BLOCK_MAX / 10);
    /* The next block is built under the lower limit. */
    ck_assert_uint_le(build(&f, 2), BLOCK_MAX - BLOCK_MAX / 10);
    for (int i = 0; i < 100; i++)
        proto_builder_on_served(f.b, TIMEOUT + 1, TIMEOUT);
    ck_assert_uint_eq(proto_builder_limit(f.b), PROTO_BUILDER_LIMIT_FLOOR);
    ck_assert_uint_eq(proto_builder_stats(f.b)->late, 101);
    teardown(&f);
}
END_TEST

START_TEST(responses_in_time_raise_it_only_with_margin_and_a_cut_block)
{
    Fixture f;
    setup(&f, 1000, 1000);
    build(&f, 1);
    proto_builder_on_served(f.b, TIMEOUT + 1, TIMEOUT);
    uint64_t low = proto_builder_limit(f.b);
    build(&f, 2); /* cut short: more is waiting than the limit takes */
    proto_builder_on_served(f.b, TIMEOUT - TIMEOUT / 20, TIMEOUT); /* in time, no margin */
    ck_assert_uint_eq(proto_builder_limit(f.b), low);
    build(&f, 3);
    proto_builder_on_served(f.b, TIMEOUT / 2, TIMEOUT);
    ck_assert_uint_eq(proto_builder_limit(f.b), MIN(BLOCK_MAX, low + low / 10));
    for (int i = 0; i < 50; i++) {
        build(&f, (ProtoView)(4 + i));
        proto_builder_on_served(f.b, TIMEOUT / 2, TIMEOUT);
    }
    ck_assert_uint_eq(proto_builder_limit(f.b), BLOCK_MAX); /* never above block_max */
    teardown(&f);
}
END_TEST

START_TEST(a_block_that_took_everything_leaves_the_limit)
{
    Fixture f;
    setup(&f, 10, 1000); /* 10 KB waiting: far below the limit */
    build(&f, 1);
    proto_builder_on_served(f.b, TIMEOUT + 1, TIMEOUT);
    uint64_t low = proto_builder_limit(f.b);
    build(&f, 2);
    proto_builder_on_served(f.b, 1, TIMEOUT);
    ck_assert_uint_eq(proto_builder_limit(f.b), low);
    /* A zero timeout: the limit is fixed. */
    proto_builder_on_served(f.b, 100 * PROTO_S, 0);
    ck_assert_uint_eq(proto_builder_limit(f.b), low);
    teardown(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("builder");
    TCase *tc = tcase_create("limit");
    tcase_add_test(tc, late_responses_lower_the_limit_to_the_floor);
    tcase_add_test(tc, responses_in_time_raise_it_only_with_margin_and_a_cut_block);
    tcase_add_test(tc, a_block_that_took_everything_leaves_the_limit);
    suite_add_tcase(s, tc);
    return s;
}
