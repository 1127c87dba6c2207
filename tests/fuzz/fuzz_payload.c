/*
 * Fuzz harness: the data path's decoders, which take apart what a wire message carries
 * (protocol/payload.c, protocol/namespace.c, protocol/vid.c).
 *
 * The input is one message (the same seeds as the message harness) decoded for 4 validators
 * with equal stake; its fields go where the node (da.c), a builder's client and a rollup
 * (rollup.c) send them, with the checks those callers make first:
 *
 *   DA_PROPOSAL, BLOCK_RESPONSE   proto_payload_from_bytes (a manifest or a real block against
 *                                 its namespace table); a payload that parses must give, for
 *                                 each namespace, bytes that verify against its commitment, and
 *                                 for every node a share that verifies and a rebuild that works
 *   VID_SHARE, VID_RESPONSE       proto_payload_share_size, proto_payload_verify_share, and a
 *                                 rebuild from the share (proto_rebuild_*)
 *   NS_RESPONSE                   proto_payload_verify_namespace with the carried path
 *   DECIDE_NOTICE                 proto_ns_table_parse of each notice's table
 *
 * Whatever the type, and when the input does not decode at all, the raw bytes also go through
 * proto_ns_table_parse and proto_ns_payload_parse, whose results must keep the documented
 * bounds: ranges inside what they index, starts not after ends, namespace ids unique.
 */
#include "tests/fuzz/driver.h"

#include "protocol/crypto.h"
#include "protocol/namespace.h"
#include "protocol/payload.h"
#include "protocol/vid.h"

#include <string.h>

#define NODES 4

static void check_table(const uint8_t *data, size_t len, uint64_t payload_len)
{
    ProtoNsTable table;
    proto_ns_table_parse(data, len, payload_len, &table);
    for (uint32_t i = 0; i < table.count; i++) {
        const ProtoNsEntry *e = &table.entries[i];
        FUZZ_CHECK(e->start <= e->end && e->end <= payload_len,
                   "entry %u: [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") of %" G_GUINT64_FORMAT,
                   i, e->start, e->end, payload_len);
        FUZZ_CHECK(proto_ns_table_find(&table, e->ns_id) == e, "namespace %u twice", e->ns_id);
    }
    proto_ns_table_clear(&table);
}

static void check_ns_payload(const uint8_t *data, size_t len)
{
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(ProtoRange));
    proto_ns_payload_parse(data, len, ranges);
    for (guint i = 0; i < ranges->len; i++) {
        const ProtoRange *r = &g_array_index(ranges, ProtoRange, i);
        FUZZ_CHECK(r->start <= r->end && r->end <= len, "transaction %u out of bounds", i);
    }
    g_array_unref(ranges);
}

/* A payload that parsed: everything a leader and a rollup derive from it must check out. */
static void check_payload(const ProtoVidParams *params, ProtoPayload *payload,
                          const ProtoCostTable *costs)
{
    ProtoDuration cpu = 0;
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
    proto_payload_transactions(payload, txs);
    g_array_unref(txs);
    for (uint32_t i = 0; i < payload->ns_count && i < 8; i++) {
        GBytes *bytes = NULL;
        uint32_t index = 0, path_len = 0;
        uint64_t logical = 0;
        ProtoCommit path[32];
        FUZZ_CHECK(proto_payload_namespace(payload, payload->ns_ids[i], &bytes, &index, &logical,
                                           path, &path_len),
                   "namespace %u of the table is missing", payload->ns_ids[i]);
        FUZZ_CHECK(proto_payload_verify_namespace(params, &payload->commit, payload->ns_ids[i],
                                                  index, payload->ns_count, payload->synthetic,
                                                  logical, bytes, path, path_len, costs, &cpu),
                   "namespace %u does not verify against its own block", payload->ns_ids[i]);
        GArray *ns_txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
        proto_namespace_transactions(payload->ns_ids[i], payload->synthetic, bytes, ns_txs);
        g_array_unref(ns_txs);
        g_bytes_unref(bytes);
    }
    GBytes *layout = proto_payload_layout(payload);
    ProtoRebuild *rebuild = proto_rebuild_new(params, &payload->commit, layout);
    FUZZ_CHECK(rebuild != NULL, "the layout of a parsed block is refused");
    gboolean enough = FALSE;
    for (ProtoNodeId owner = 0; owner < NODES; owner++) {
        uint64_t charged = 0;
        GBytes *units = proto_payload_share(payload, params, owner, costs, &cpu, &charged);
        int rc = proto_payload_verify_share(params, &payload->commit, owner, payload->synthetic,
                                            payload->ns_table, payload->size, layout, units, costs,
                                            &cpu);
        FUZZ_CHECK(rc == PROTO_OK, "node %u's share of a parsed block fails with %d", owner, rc);
        if (!payload->synthetic && !enough) enough = proto_rebuild_add(rebuild, owner, units);
        g_bytes_unref(units);
    }
    for (uint32_t i = 0; enough && i < proto_rebuild_count(rebuild) && i < 8; i++) {
        GBytes *ns = proto_rebuild_namespace(rebuild, i, costs, &cpu);
        FUZZ_CHECK(ns != NULL, "namespace %u cannot be rebuilt from every share", i);
        g_bytes_unref(ns);
    }
    proto_rebuild_free(rebuild);
    g_bytes_unref(layout);
}

static void on_block(const ProtoVidParams *params, const ProtoDataMsg *d,
                     const ProtoCostTable *costs)
{
    if (d->bytes == NULL || d->ns_table == NULL) return;
    ProtoDuration cpu = 0;
    int rc = PROTO_OK;
    ProtoPayload *payload = proto_payload_from_bytes(params, d->bytes, d->ns_table, d->size,
                                                     d->synthetic, FALSE, costs, &cpu, &rc);
    if (payload == NULL) {
        FUZZ_CHECK(rc < 0 && rc > -PROTO_ERR_COUNT_, "code %d", rc);
        return;
    }
    check_payload(params, payload, costs);
    proto_payload_unref(payload);
}

static void on_share(const ProtoVidParams *params, const ProtoDataMsg *d,
                     const ProtoCostTable *costs)
{
    ProtoDuration cpu = 0;
    (void)proto_payload_share_size(params, d->owner, d->layout);
    int rc = proto_payload_verify_share(params, &d->commit, d->owner, d->synthetic, d->ns_table,
                                        d->size, d->layout, d->bytes, costs, &cpu);
    if (rc != PROTO_OK || d->synthetic) return;
    ProtoRebuild *rebuild = proto_rebuild_new(params, &d->commit, d->layout);
    if (rebuild == NULL) return;
    if (proto_rebuild_add(rebuild, d->owner, d->bytes)) {
        for (uint32_t i = 0; i < proto_rebuild_count(rebuild) && i < 8; i++) {
            GBytes *ns = proto_rebuild_namespace(rebuild, i, costs, &cpu);
            if (ns != NULL) g_bytes_unref(ns);
        }
    }
    proto_rebuild_free(rebuild);
}

static void on_namespace(const ProtoVidParams *params, const ProtoDataMsg *d,
                         const ProtoCostTable *costs)
{
    gsize path_bytes = g_bytes_get_size(d->layout);
    if (path_bytes % sizeof(ProtoCommit) != 0 || path_bytes / sizeof(ProtoCommit) > 32) return;
    ProtoCommit path[32];
    if (path_bytes > 0) memcpy(path, g_bytes_get_data(d->layout, NULL), path_bytes);
    ProtoDuration cpu = 0;
    (void)proto_payload_verify_namespace(params, &d->commit, d->ns_id, d->index, d->count,
                                         d->synthetic, d->size, d->bytes, path,
                                         (uint32_t)(path_bytes / sizeof(ProtoCommit)), costs, &cpu);
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(ProtoTx));
    proto_namespace_transactions(d->ns_id, d->synthetic, d->bytes, txs);
    g_array_unref(txs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_table(data, size, size);
    check_table(data, size, UINT32_MAX);
    check_ns_payload(data, size);
    static const uint64_t stakes[NODES] = {1, 1, 1, 1};
    ProtoVidParams *params = proto_vid_params_new(stakes, NODES);
    ProtoCostTable costs;
    proto_cost_table_default(&costs);
    ProtoDecodeContext ctx = {.node_count = NODES, .pool = NULL, .endpoint_count = 2 * NODES};
    ProtoMsg msg;
    if (proto_msg_decode(data, size, &ctx, &msg) == PROTO_OK) {
        const ProtoDataMsg *d = &msg.data;
        switch ((int)msg.type) {
        case PROTO_MSG_DA_PROPOSAL:
        case PROTO_MSG_BLOCK_RESPONSE:
            on_block(params, d, &costs);
            break;
        case PROTO_MSG_VID_SHARE:
        case PROTO_MSG_VID_RESPONSE:
            on_share(params, d, &costs);
            break;
        case PROTO_MSG_NS_RESPONSE:
            on_namespace(params, d, &costs);
            break;
        case PROTO_MSG_DECIDE_NOTICE:
            for (uint32_t i = 0; i < d->notice_count; i++) {
                gsize len;
                const uint8_t *table = g_bytes_get_data(d->notices[i].ns_table, &len);
                check_table(table, len, d->notices[i].payload_size);
            }
            break;
        default:
            break;
        }
        proto_msg_clear(&msg);
    }
    proto_vid_params_free(params);
    return 0;
}
