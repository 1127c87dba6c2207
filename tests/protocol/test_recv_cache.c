/*
 * The received-broadcast cache (protocol/recv_cache.h): a proposal whose bytes one GBytes shares
 * among all recipients is decoded and checked once, yet each recipient is charged exactly what
 * it is charged when it gets its own copy of the same bytes and decodes them itself; checks that
 * depend on the recipient (the transport sender) still run per recipient; different bytes are
 * checked apart, a bad copy is rejected next to good ones; the cache holds a bounded number of
 * messages and lets their bytes go when they are pushed out.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include "protocol/recv_cache.h"

#include <string.h>

#define NODES 10

typedef struct Capture {
    GBytes *bytes; /* the view-1 proposal, as broadcast */
} Capture;

/* Keeps the first proposal's bytes and drops every proposal copy: the test hands them out. */
static gboolean capture_filter(Harness *h, const Envelope *e, void *user_data)
{
    (void)h;
    Capture *c = user_data;
    if (e->type != PROTO_MSG_PROPOSAL) return FALSE;
    if (c->bytes == NULL) c->bytes = g_bytes_ref(e->bytes);
    return TRUE;
}

static Harness *started(Capture *c)
{
    HarnessOptions o = {
        .nodes = NODES, .crypto = PROTO_CRYPTO_MODELED, .leaders = PROTO_LEADER_ROUND_ROBIN};
    Harness *h = harness_new(&o);
    memset(c, 0, sizeof *c);
    h->filter = capture_filter;
    h->filter_data = c;
    harness_start(h);
    harness_run(h, 100000);
    ck_assert_ptr_nonnull(c->bytes);
    h->filter = NULL;
    for (ProtoNodeId i = 0; i < NODES; i++)
        (void)proto_node_take_cpu(h->nodes[i]);
    return h;
}

static GBytes *copy_of(GBytes *bytes)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    return g_bytes_new(data, len);
}

typedef struct Outcome {
    int rc[NODES];
    ProtoDuration cpu[NODES];
    uint32_t voted[NODES];
    uint64_t verifications;
    uint64_t hits;
} Outcome;

/* Hands the view-1 proposal to every node: the broadcast's bytes, or each its own copy. */
static void deliver_proposal(gboolean shared, Outcome *out)
{
    Capture c;
    Harness *h = started(&c);
    ProtoNodeId leader = harness_leader(h, 1);
    uint64_t hits = proto_recv_cache_stats(h->shared->received)->hits;
    uint64_t verifications = proto_crypto_stats(h->crypto)->verifications;
    for (ProtoNodeId i = 0; i < NODES; i++) {
        GBytes *bytes = shared ? g_bytes_ref(c.bytes) : copy_of(c.bytes);
        out->rc[i] = harness_inject(h, leader, i, bytes);
        g_bytes_unref(bytes);
        out->cpu[i] = proto_node_take_cpu(h->nodes[i]);
        out->voted[i] = harness_count_notes(h, i, PROTO_NOTE_VOTED, 1);
    }
    out->hits = proto_recv_cache_stats(h->shared->received)->hits - hits;
    out->verifications = proto_crypto_stats(h->crypto)->verifications - verifications;
    g_bytes_unref(c.bytes);
    harness_free(h);
}

/* Each recipient of the shared bytes gets the result and the CPU charge of an own copy. */
START_TEST(shared_bytes_are_decoded_once_and_charged_to_each)
{
    Outcome shared = {0}, own = {0};
    deliver_proposal(TRUE, &shared);
    deliver_proposal(FALSE, &own);
    for (ProtoNodeId i = 0; i < NODES; i++) {
        ck_assert_int_eq(shared.rc[i], PROTO_OK);
        ck_assert_int_eq(own.rc[i], PROTO_OK);
        ck_assert_uint_gt(shared.cpu[i], 0);
        ck_assert_uint_eq(shared.cpu[i], own.cpu[i]);
        ck_assert_uint_eq(shared.voted[i], 1);
        ck_assert_uint_eq(own.voted[i], 1);
    }
    /* The first recipient decoded, the other NODES - 1 reused; every check was counted. */
    ck_assert_uint_eq(shared.hits, NODES - 1);
    ck_assert_uint_eq(own.hits, 0);
    ck_assert_uint_eq(shared.verifications, own.verifications);
    ck_assert_uint_ge(shared.verifications, NODES);
}
END_TEST

/* What depends on the recipient is checked per recipient, and other bytes are checked apart:
 * a forged copy is rejected between good ones, and the shared forged bytes at every node. */
START_TEST(each_recipient_and_each_copy_is_still_checked)
{
    Capture c;
    Harness *h = started(&c);
    ProtoNodeId leader = harness_leader(h, 1);
    GBytes *forged;
    {
        gsize len = 0;
        const uint8_t *data = g_bytes_get_data(c.bytes, &len);
        uint8_t *bad = g_memdup2(data, len);
        bad[len - 1] ^= 1; /* the last byte of the leader's signature */
        forged = g_bytes_new_take(bad, len);
    }
    ProtoNodeId other = (leader + 1) % NODES;
    uint32_t forgeries = 0;
    /* Node `other` is told the proposal came from someone other than its sender in the
     * envelope: rejected there, though the same bytes are cached and fine elsewhere. */
    ck_assert_int_eq(harness_inject(h, leader, (leader + 2) % NODES, c.bytes), PROTO_OK);
    ck_assert_int_eq(harness_inject(h, (leader + 3) % NODES, other, c.bytes), PROTO_ERR_SENDER);
    for (ProtoNodeId i = 0; i < NODES; i++) {
        if (i == (leader + 2) % NODES) continue;
        ck_assert_int_eq(harness_inject(h, leader, i, forged), PROTO_ERR_SIGNATURE);
        forgeries++;
        ck_assert_uint_gt(proto_node_take_cpu(h->nodes[i]), 0);
        if (i % 2 == 0) {
            ck_assert_int_eq(harness_inject(h, leader, i, c.bytes), PROTO_OK);
        } else {
            GBytes *again = copy_of(forged); /* the forgery in bytes of its own */
            ck_assert_int_eq(harness_inject(h, leader, i, again), PROTO_ERR_SIGNATURE);
            forgeries++;
            g_bytes_unref(again);
        }
    }
    ck_assert_uint_eq(
        harness_count_rejected(h, PROTO_NODE_NONE, PROTO_MSG_PROPOSAL, PROTO_ERR_SIGNATURE),
        forgeries);
    g_bytes_unref(forged);
    g_bytes_unref(c.bytes);
    harness_free(h);
}
END_TEST

static void count_free(gpointer data)
{
    g_free(((void **)data)[0]);
    (*(int *)((void **)data)[1])++;
    g_free(data);
}

/* At most PROTO_RECV_CACHE_ENTRIES messages are kept; pushed out, their bytes are let go. */
START_TEST(the_cache_is_bounded_and_releases_bytes)
{
    Capture c;
    Harness *h = started(&c);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(c.bytes, &len);
    ProtoDecodeContext ctx = {.node_count = NODES, .pool = NULL};
    ProtoRecvCache *cache = proto_recv_cache_new();
    int freed = 0;
    for (int i = 0; i < 3 * PROTO_RECV_CACHE_ENTRIES; i++) {
        void **owner = g_new(void *, 2);
        owner[0] = g_memdup2(data, len);
        owner[1] = &freed;
        GBytes *b = g_bytes_new_with_free_func(owner[0], len, count_free, owner);
        ck_assert(proto_recv_cache_admits(data, len));
        ProtoRecvEntry *e = proto_recv_cache_get(cache, b, &ctx);
        ck_assert_int_eq(e->decode_rc, PROTO_OK);
        ck_assert_int_eq(e->msg.type, PROTO_MSG_PROPOSAL);
        g_bytes_unref(b); /* the cache holds the only reference now */
        int expected = i + 1 > PROTO_RECV_CACHE_ENTRIES ? i + 1 - PROTO_RECV_CACHE_ENTRIES : 0;
        ck_assert_int_eq(freed, expected);
    }
    ck_assert_uint_eq(proto_recv_cache_stats(cache)->hits, 0);
    proto_recv_cache_free(cache);
    ck_assert_int_eq(freed, 3 * PROTO_RECV_CACHE_ENTRIES);
    /* Unicast types are not admitted: they arrive once each. */
    uint8_t vote_envelope[PROTO_ENVELOPE_BYTES] = {PROTO_WIRE_VERSION, PROTO_MSG_QUORUM_VOTE};
    ck_assert(!proto_recv_cache_admits(vote_envelope, sizeof vote_envelope));
    ck_assert(!proto_recv_cache_admits(data, 1));
    g_bytes_unref(c.bytes);
    harness_free(h);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("recv_cache");
    TCase *tc = tcase_create("recv_cache");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shared_bytes_are_decoded_once_and_charged_to_each);
    tcase_add_test(tc, each_recipient_and_each_copy_is_still_checked);
    tcase_add_test(tc, the_cache_is_bounded_and_releases_bytes);
    suite_add_tcase(suite, tc);
    return suite;
}
