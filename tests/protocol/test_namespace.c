/*
 * Namespace tables and namespace payloads (../shared/protocol/hotshot.md section 3.3): the
 * encoding matches the specification byte for byte on a hand-written three-namespace block;
 * parsing round-trips built blocks; malformed tables (a count larger than the bytes hold, a
 * truncated entry, a table shorter than its count, decreasing offsets, offsets past the end,
 * repeated namespace ids) read exactly as the tolerant rules of namespace.h say, for namespace
 * tables and transaction tables alike; and random bytes never crash the parsers, always give
 * ranges inside what they index, and agree with a reference parser written here from the rules.
 */
#include "tests/check_main.h"

#include "protocol/namespace.h"

#include <signal.h>
#include <string.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t draw(uint64_t *x, uint32_t bound)
{
    return (uint32_t)(splitmix(x) % bound);
}

static GBytes *bytes_of(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

static void check_bytes(GBytes *got, const uint8_t *want, size_t len)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(got, &size);
    ck_assert_uint_eq(size, len);
    if (len > 0) ck_assert_mem_eq(data, want, len);
}

/* Transaction ranges of a namespace payload, in a new array. */
static GArray *tx_ranges(const uint8_t *ns_payload, size_t len)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(ProtoRange));
    proto_ns_payload_parse(ns_payload, len, out);
    return out;
}

static void check_range(const ProtoRange *r, uint64_t start, uint64_t end)
{
    ck_assert_uint_eq(r->start, start);
    ck_assert_uint_eq(r->end, end);
}

static void check_entry(const ProtoNsTable *t, uint32_t i, uint32_t id, uint64_t start,
                        uint64_t end)
{
    ck_assert_uint_lt(i, t->count);
    ck_assert_uint_eq(t->entries[i].ns_id, id);
    ck_assert_uint_eq(t->entries[i].start, start);
    ck_assert_uint_eq(t->entries[i].end, end);
}

/* --- the specification, byte for byte ------------------------------------------------------- */

/* Namespace 0x01020304: transactions "ab" and "c". */
static const uint8_t ns_a[] = {0x02, 0, 0, 0, 0x02, 0, 0, 0, 0x03, 0, 0, 0, 'a', 'b', 'c'};
/* Namespace 7: no transactions. */
static const uint8_t ns_b[] = {0x00, 0, 0, 0};
/* Namespace 0xffffffff: one transaction "xyz". */
static const uint8_t ns_c[] = {0x01, 0, 0, 0, 0x03, 0, 0, 0, 'x', 'y', 'z'};
/* Count 3, then (id, end offset) per namespace: ends 15, 19 and 30. */
static const uint8_t table_abc[] = {
    0x03, 0x00, 0x00, 0x00,                         /* count */
    0x04, 0x03, 0x02, 0x01, 0x0f, 0x00, 0x00, 0x00, /* 0x01020304 ends at 15 */
    0x07, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, /* 7 ends at 19 */
    0xff, 0xff, 0xff, 0xff, 0x1e, 0x00, 0x00, 0x00, /* 0xffffffff ends at 30 */
};

START_TEST(encoding_matches_the_specification)
{
    GBytes *ab[2] = {bytes_of("ab"), bytes_of("c")};
    GBytes *xyz = bytes_of("xyz");
    GBytes *payloads[3] = {proto_ns_payload_build(ab, 2), proto_ns_payload_build(NULL, 0),
                           proto_ns_payload_build(&xyz, 1)};
    check_bytes(payloads[0], ns_a, sizeof ns_a);
    check_bytes(payloads[1], ns_b, sizeof ns_b);
    check_bytes(payloads[2], ns_c, sizeof ns_c);
    const uint32_t ids[3] = {0x01020304, 7, 0xffffffff};
    GBytes *payload = NULL, *table = NULL;
    proto_block_build(ids, payloads, 3, &payload, &table);
    uint8_t want[sizeof ns_a + sizeof ns_b + sizeof ns_c];
    memcpy(want, ns_a, sizeof ns_a);
    memcpy(want + sizeof ns_a, ns_b, sizeof ns_b);
    memcpy(want + sizeof ns_a + sizeof ns_b, ns_c, sizeof ns_c);
    check_bytes(payload, want, sizeof want);
    check_bytes(table, table_abc, sizeof table_abc);
    /* And it reads back as written. */
    ProtoNsTable t;
    proto_ns_table_parse(table_abc, sizeof table_abc, sizeof want, &t);
    ck_assert_uint_eq(t.count, 3);
    check_entry(&t, 0, 0x01020304, 0, 15);
    check_entry(&t, 1, 7, 15, 19);
    check_entry(&t, 2, 0xffffffff, 19, 30);
    ck_assert_ptr_eq(proto_ns_table_find(&t, 7), &t.entries[1]);
    ck_assert_ptr_null(proto_ns_table_find(&t, 8));
    proto_ns_table_clear(&t);
    GArray *r = tx_ranges(ns_a, sizeof ns_a);
    ck_assert_uint_eq(r->len, 2);
    check_range(&g_array_index(r, ProtoRange, 0), 12, 14);
    check_range(&g_array_index(r, ProtoRange, 1), 14, 15);
    /* Parsing appends: the next namespace's ranges follow. */
    proto_ns_payload_parse(ns_b, sizeof ns_b, r);
    proto_ns_payload_parse(ns_c, sizeof ns_c, r);
    ck_assert_uint_eq(r->len, 3);
    check_range(&g_array_index(r, ProtoRange, 2), 8, 11);
    g_array_unref(r);
    for (int i = 0; i < 3; i++)
        g_bytes_unref(payloads[i]);
    g_bytes_unref(payload);
    g_bytes_unref(table);
    g_bytes_unref(xyz);
    g_bytes_unref(ab[0]);
    g_bytes_unref(ab[1]);
}
END_TEST

START_TEST(an_empty_block_has_a_zero_count_table)
{
    GBytes *payload = NULL, *table = NULL;
    proto_block_build(NULL, NULL, 0, &payload, &table);
    const uint8_t zero[4] = {0};
    check_bytes(payload, NULL, 0);
    check_bytes(table, zero, sizeof zero);
    ProtoNsTable t;
    proto_ns_table_parse(zero, sizeof zero, 0, &t);
    ck_assert_uint_eq(t.count, 0);
    ck_assert_ptr_null(proto_ns_table_find(&t, 0));
    proto_ns_table_clear(&t);
    g_bytes_unref(payload);
    g_bytes_unref(table);
}
END_TEST

START_TEST(repeated_ids_are_a_programmer_error_when_building)
{
    GBytes *empty = proto_ns_payload_build(NULL, 0);
    GBytes *payloads[3] = {empty, empty, empty};
    const uint32_t ids[3] = {5, 6, 5};
    GBytes *payload = NULL, *table = NULL;
    proto_block_build(ids, payloads, 3, &payload, &table); /* aborts */
}
END_TEST

/* --- round trips ---------------------------------------------------------------------------- */

START_TEST(parse_round_trips_built_blocks)
{
    uint64_t x = 17;
    for (int trial = 0; trial < 200; trial++) {
        uint32_t count = draw(&x, 9);
        uint32_t ids[8];
        GBytes *ns_payloads[8];
        GPtrArray *txs[8];
        for (uint32_t i = 0; i < count; i++) {
            ids[i] = (uint32_t)splitmix(&x) ^ i; /* distinct: low bits differ after the mix */
            for (uint32_t j = 0; j < i; j++) {
                if (ids[j] == ids[i]) ids[i] ^= 0x80000000u;
            }
            txs[i] = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
            uint32_t n = draw(&x, 6);
            for (uint32_t t = 0; t < n; t++) {
                uint32_t len = draw(&x, 4) == 0 ? 0 : draw(&x, 100);
                uint8_t *b = g_malloc(len + 1);
                for (uint32_t k = 0; k < len; k++)
                    b[k] = (uint8_t)splitmix(&x);
                g_ptr_array_add(txs[i], g_bytes_new_take(b, len));
            }
            ns_payloads[i] = proto_ns_payload_build((GBytes *const *)txs[i]->pdata, n);
        }
        GBytes *payload = NULL, *table = NULL;
        proto_block_build(ids, ns_payloads, count, &payload, &table);
        gsize payload_len = 0, table_len = 0;
        const uint8_t *pb = g_bytes_get_data(payload, &payload_len);
        const uint8_t *tb = g_bytes_get_data(table, &table_len);
        ck_assert_uint_eq(table_len, 4 + 8 * (gsize)count);
        ProtoNsTable t;
        proto_ns_table_parse(tb, table_len, payload_len, &t);
        ck_assert_uint_eq(t.count, count);
        for (uint32_t i = 0; i < count; i++) {
            const ProtoNsEntry *e = proto_ns_table_find(&t, ids[i]);
            ck_assert_ptr_eq(e, &t.entries[i]);
            gsize ns_len = 0;
            const uint8_t *ns = g_bytes_get_data(ns_payloads[i], &ns_len);
            ck_assert_uint_eq(e->end - e->start, ns_len);
            ck_assert_mem_eq(pb + e->start, ns, ns_len);
            GArray *r = tx_ranges(pb + e->start, (size_t)(e->end - e->start));
            ck_assert_uint_eq(r->len, txs[i]->len);
            for (guint k = 0; k < r->len; k++) {
                ProtoRange *range = &g_array_index(r, ProtoRange, k);
                gsize tx_len = 0;
                const uint8_t *tx = g_bytes_get_data(g_ptr_array_index(txs[i], k), &tx_len);
                ck_assert_uint_eq(range->end - range->start, tx_len);
                if (tx_len > 0) ck_assert_mem_eq(pb + e->start + range->start, tx, tx_len);
            }
            g_array_unref(r);
        }
        proto_ns_table_clear(&t);
        for (uint32_t i = 0; i < count; i++) {
            g_bytes_unref(ns_payloads[i]);
            g_ptr_array_unref(txs[i]);
        }
        g_bytes_unref(payload);
        g_bytes_unref(table);
    }
}
END_TEST

/* --- malformed namespace tables ------------------------------------------------------------- */

/* Writes a table of `count` claimed entries followed by `n` (id, end) pairs; returns its length. */
static size_t make_table(uint8_t *out, uint32_t count, const uint32_t *ids, const uint32_t *ends,
                         uint32_t n)
{
    for (int b = 0; b < 4; b++)
        out[b] = (uint8_t)(count >> (8 * b));
    for (uint32_t i = 0; i < n; i++) {
        for (int b = 0; b < 4; b++) {
            out[4 + 8 * i + (uint32_t)b] = (uint8_t)(ids[i] >> (8 * b));
            out[8 + 8 * i + (uint32_t)b] = (uint8_t)(ends[i] >> (8 * b));
        }
    }
    return 4 + 8 * (size_t)n;
}

START_TEST(malformed_namespace_tables_read_as_specified)
{
    uint8_t buf[64];
    ProtoNsTable t;
    const uint32_t ids[4] = {1, 2, 3, 4};
    /* A count larger than the bytes hold: only the entries present are read. */
    const uint32_t ends[4] = {5, 10, 15, 20};
    size_t len = make_table(buf, 5, ids, ends, 2);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 2);
    check_entry(&t, 0, 1, 0, 5);
    check_entry(&t, 1, 2, 5, 10);
    proto_ns_table_clear(&t);
    len = make_table(buf, UINT32_MAX, ids, ends, 3);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 3);
    proto_ns_table_clear(&t);
    /* A truncated last entry is not read; a count smaller than the entries present wins. */
    len = make_table(buf, 3, ids, ends, 3);
    proto_ns_table_parse(buf, len - 1, 20, &t);
    ck_assert_uint_eq(t.count, 2);
    proto_ns_table_clear(&t);
    proto_ns_table_parse(buf, len - 4, 20, &t);
    ck_assert_uint_eq(t.count, 2);
    check_entry(&t, 1, 2, 5, 10);
    proto_ns_table_clear(&t);
    make_table(buf, 1, ids, ends, 3);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 1);
    check_entry(&t, 0, 1, 0, 5);
    proto_ns_table_clear(&t);
    /* Empty tables: no bytes, fewer bytes than the count field, a zero count. */
    make_table(buf, 3, ids, ends, 3);
    for (size_t short_len = 0; short_len < 12; short_len++) {
        proto_ns_table_parse(short_len == 0 ? NULL : buf, short_len, 20, &t);
        ck_assert_uint_eq(t.count, 0);
        ck_assert_ptr_null(proto_ns_table_find(&t, 1));
        proto_ns_table_clear(&t);
    }
    make_table(buf, 0, ids, ends, 3);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 0);
    proto_ns_table_clear(&t);
}
END_TEST

START_TEST(namespace_offsets_are_clamped_and_ordered)
{
    uint8_t buf[64];
    ProtoNsTable t;
    const uint32_t ids[4] = {1, 2, 3, 4};
    /* Decreasing: 10, 5, 8. Entry 2 ends before it starts, so it is empty at its start (10);
     * entry 3 starts at entry 2's offset (5), as in Espresso. */
    const uint32_t down[3] = {10, 5, 8};
    size_t len = make_table(buf, 3, ids, down, 3);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 3);
    check_entry(&t, 0, 1, 0, 10);
    check_entry(&t, 1, 2, 10, 10);
    check_entry(&t, 2, 3, 5, 8);
    proto_ns_table_clear(&t);
    /* Past the payload: every offset is clamped to its length (30). */
    const uint32_t far[4] = {10, 100, 200, UINT32_MAX};
    len = make_table(buf, 4, ids, far, 4);
    proto_ns_table_parse(buf, len, 30, &t);
    ck_assert_uint_eq(t.count, 4);
    check_entry(&t, 0, 1, 0, 10);
    check_entry(&t, 1, 2, 10, 30);
    check_entry(&t, 2, 3, 30, 30);
    check_entry(&t, 3, 4, 30, 30);
    proto_ns_table_clear(&t);
    proto_ns_table_parse(buf, len, 0, &t);
    for (uint32_t i = 0; i < 4; i++)
        check_entry(&t, i, ids[i], 0, 0);
    proto_ns_table_clear(&t);
    /* Repeated ids: the first wins; the ignored entry's offset still starts the next range. */
    const uint32_t dup_ids[4] = {1, 2, 1, 3};
    const uint32_t ends[4] = {5, 10, 15, 20};
    len = make_table(buf, 4, dup_ids, ends, 4);
    proto_ns_table_parse(buf, len, 20, &t);
    ck_assert_uint_eq(t.count, 3);
    check_entry(&t, 0, 1, 0, 5);
    check_entry(&t, 1, 2, 5, 10);
    check_entry(&t, 2, 3, 15, 20);
    ck_assert_ptr_eq(proto_ns_table_find(&t, 1), &t.entries[0]);
    ck_assert_ptr_eq(proto_ns_table_find(&t, 3), &t.entries[2]);
    proto_ns_table_clear(&t);
}
END_TEST

/* --- malformed transaction tables ----------------------------------------------------------- */

/* Writes a namespace payload: claimed `count`, the `n` offsets, then `body`; returns its length. */
static size_t make_ns(uint8_t *out, uint32_t count, const uint32_t *ends, uint32_t n,
                      const char *body)
{
    for (int b = 0; b < 4; b++)
        out[b] = (uint8_t)(count >> (8 * b));
    for (uint32_t i = 0; i < n; i++) {
        for (int b = 0; b < 4; b++)
            out[4 + 4 * i + (uint32_t)b] = (uint8_t)(ends[i] >> (8 * b));
    }
    size_t len = 4 + 4 * (size_t)n;
    memcpy(out + len, body, strlen(body));
    return len + strlen(body);
}

/* Parses and checks the ranges against `want` (pairs of start, end). */
static void check_tx_ranges(const uint8_t *ns, size_t len, const uint64_t *want, guint n)
{
    GArray *r = tx_ranges(ns, len);
    ck_assert_uint_eq(r->len, n);
    for (guint i = 0; i < n; i++)
        check_range(&g_array_index(r, ProtoRange, i), want[2 * i], want[2 * i + 1]);
    g_array_unref(r);
}

START_TEST(malformed_transaction_tables_read_as_specified)
{
    uint8_t buf[64];
    /* A count of 10 with two offsets and no bytes: two entries fit, both clamped to nothing. */
    const uint32_t two[2] = {2, 5};
    size_t len = make_ns(buf, 10, two, 2, "");
    check_tx_ranges(buf, len, (const uint64_t[]){12, 12, 12, 12}, 2);
    /* A count of 3 with two offsets and "abcdef": the third entry is read from "abcd" (a huge
     * offset, clamped); the body is then "ef", at byte 16. */
    len = make_ns(buf, 3, two, 2, "abcdef");
    check_tx_ranges(buf, len, (const uint64_t[]){16, 18, 18, 18, 18, 18}, 3);
    /* Decreasing offsets 4, 2, 6 over "abcdef": the second is empty at its start. */
    const uint32_t down[3] = {4, 2, 6};
    len = make_ns(buf, 3, down, 3, "abcdef");
    check_tx_ranges(buf, len, (const uint64_t[]){16, 20, 20, 20, 18, 22}, 3);
    /* Past the end: clamped to the body's 5 bytes. */
    const uint32_t far[2] = {3, 99};
    len = make_ns(buf, 2, far, 2, "abcde");
    check_tx_ranges(buf, len, (const uint64_t[]){12, 15, 15, 17}, 2);
    /* A truncated table: a count of 2, one offset and two stray bytes. */
    const uint32_t one[1] = {1};
    len = make_ns(buf, 2, one, 1, "zz");
    check_tx_ranges(buf, len, (const uint64_t[]){8, 9}, 1);
    /* Empty: no bytes, fewer than the count field, a zero count with bytes after it. */
    for (size_t short_len = 0; short_len < 4; short_len++)
        check_tx_ranges(short_len == 0 ? NULL : buf, short_len, NULL, 0);
    len = make_ns(buf, 0, two, 2, "abc");
    check_tx_ranges(buf, len, NULL, 0);
    /* Transactions are not deduplicated: equal offsets give empty transactions. */
    const uint32_t same[3] = {2, 2, 2};
    len = make_ns(buf, 3, same, 3, "ab");
    check_tx_ranges(buf, len, (const uint64_t[]){16, 18, 18, 18, 18, 18}, 3);
}
END_TEST

/* --- random bytes --------------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t clamp(uint64_t v, uint64_t limit)
{
    return v < limit ? v : limit;
}

/* Whether `r` is [start, end), inside [0, limit]. */
static gboolean range_is(uint64_t r_start, uint64_t r_end, uint64_t start, uint64_t end,
                         uint64_t limit)
{
    return r_start == start && r_end == end && start <= end && end <= limit;
}

/*
 * The namespace table rules restated entry by entry, to compare the parser with. The random
 * checks return a verdict instead of asserting each comparison, because Check reports every
 * passing assertion to its parent process, which would dominate the run.
 */
static gboolean table_follows_rules(const uint8_t *b, size_t len, uint64_t payload_len)
{
    ProtoNsTable t;
    proto_ns_table_parse(b, len, payload_len, &t);
    uint64_t claimed = len >= 4 ? le32(b) : 0;
    uint64_t fit = len >= 4 ? (len - 4) / 8 : 0;
    uint64_t used = claimed < fit ? claimed : fit;
    uint32_t next = 0;
    gboolean ok = TRUE;
    for (uint64_t i = 0; i < used && ok; i++) {
        uint32_t id = le32(b + 4 + 8 * i);
        uint64_t start = i == 0 ? 0 : clamp(le32(b + 8 * i), payload_len);
        uint64_t end = clamp(le32(b + 8 + 8 * i), payload_len);
        if (end < start) end = start;
        int repeated = 0;
        for (uint64_t j = 0; j < i; j++)
            repeated |= le32(b + 4 + 8 * j) == id;
        if (repeated) continue;
        const ProtoNsEntry *e = next < t.count ? &t.entries[next] : NULL;
        ok = e != NULL && e->ns_id == id && range_is(e->start, e->end, start, end, payload_len) &&
             proto_ns_table_find(&t, id) == e;
        next++;
    }
    ok = ok && t.count == next;
    proto_ns_table_clear(&t);
    return ok;
}

/* The transaction table rules restated, likewise. */
static gboolean ns_follows_rules(const uint8_t *b, size_t len)
{
    GArray *r = tx_ranges(b, len);
    uint64_t claimed = len >= 4 ? le32(b) : 0;
    uint64_t fit = len >= 4 ? (len - 4) / 4 : 0;
    uint64_t used = claimed < fit ? claimed : fit;
    uint64_t body = 4 + 4 * used;
    gboolean ok = r->len == used;
    for (uint64_t i = 0; i < used && ok; i++) {
        ProtoRange *range = &g_array_index(r, ProtoRange, i);
        uint64_t start = i == 0 ? 0 : clamp(le32(b + 4 * i), len - body);
        uint64_t end = clamp(le32(b + 4 + 4 * i), len - body);
        if (end < start) end = start;
        ok = range_is(range->start, range->end, body + start, body + end, len);
    }
    g_array_unref(r);
    return ok;
}

START_TEST(random_bytes_parse_inside_their_bounds)
{
    uint64_t x = 2024;
    for (int trial = 0; trial < 20000; trial++) {
        size_t len = draw(&x, 160);
        uint8_t *b = g_malloc(len > 0 ? len : 1);
        for (size_t i = 0; i < len; i++)
            b[i] = (uint8_t)splitmix(&x);
        /* Mostly small counts, offsets and ids, so that tables are often partly well formed. */
        for (size_t i = 0; i + 4 <= len; i += 4) {
            if (draw(&x, 3) != 0) {
                uint32_t v = draw(&x, 3) == 0 ? draw(&x, 4) : draw(&x, 200);
                for (int k = 0; k < 4; k++)
                    b[i + (size_t)k] = (uint8_t)(v >> (8 * k));
            }
        }
        uint64_t payload_len = draw(&x, 4) == 0 ? splitmix(&x) : draw(&x, 250);
        const uint8_t *bytes = len > 0 ? b : NULL;
        if (!table_follows_rules(bytes, len, payload_len)) ck_abort_msg("table, trial %d", trial);
        if (!ns_follows_rules(bytes, len)) ck_abort_msg("namespace payload, trial %d", trial);
        g_free(b);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("namespace");
    TCase *tc = tcase_create("namespace");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, encoding_matches_the_specification);
    tcase_add_test(tc, an_empty_block_has_a_zero_count_table);
    tcase_add_test_raise_signal(tc, repeated_ids_are_a_programmer_error_when_building, SIGABRT);
    tcase_add_test(tc, parse_round_trips_built_blocks);
    tcase_add_test(tc, malformed_namespace_tables_read_as_specified);
    tcase_add_test(tc, namespace_offsets_are_clamped_and_ordered);
    tcase_add_test(tc, malformed_transaction_tables_read_as_specified);
    tcase_add_test(tc, random_bytes_parse_inside_their_bounds);
    suite_add_tcase(suite, tc);
    return suite;
}
