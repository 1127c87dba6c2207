/*
 * Fuzz harness: the wire message decoder (protocol/message.c), every message type.
 *
 * The input is one message as a peer would send it. It is decoded for two committees (4
 * validators plus 4 endpoints with a certificate pool, as the node harness and the seed runs
 * have it, and 10 validators without a pool), so bitmap lengths and sender bounds are checked
 * against more than one size. Decoding must either fail with a PROTO_ERR_* code or give a
 * message that encodes back to exactly the input (the encoding is canonical: every length,
 * flag and unused bit is checked), and whose re-decoding encodes the same again. Leaks and
 * out-of-bounds reads are the sanitizers' to find; certificates must all be released.
 */
#include "tests/fuzz/driver.h"

#include "protocol/message.h"

#include <string.h>

static void decode_one(const uint8_t *data, size_t size, uint32_t node_count,
                       uint32_t endpoint_count, ProtoCertPool *pool)
{
    ProtoDecodeContext ctx = {
        .node_count = node_count, .pool = pool, .endpoint_count = endpoint_count};
    ProtoMsg msg;
    int rc = proto_msg_decode(data, size, &ctx, &msg);
    if (rc != PROTO_OK) {
        FUZZ_CHECK(rc < 0 && rc > -PROTO_ERR_COUNT_, "code %d", rc);
        return;
    }
    FUZZ_CHECK(msg.type > 0 && msg.type < PROTO_MSG_TYPE_COUNT_, "type %d", (int)msg.type);
    FUZZ_CHECK(proto_msg_type_name(msg.type) != NULL, "no name for type %d", (int)msg.type);
    uint64_t charged = 0;
    GBytes *encoded = proto_msg_encode(&msg, &charged);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(encoded, &len);
    FUZZ_CHECK(len == size && memcmp(bytes, data, size) == 0,
               "a %s message of %zu bytes encodes back to %zu different bytes",
               proto_msg_type_name(msg.type), size, (size_t)len);
    FUZZ_CHECK(charged >= PROTO_FRAME_BYTES, "charged %" G_GUINT64_FORMAT, charged);
    ProtoMsg again;
    rc = proto_msg_decode(bytes, len, &ctx, &again);
    FUZZ_CHECK(rc == PROTO_OK, "re-decoding a %s message fails with %d",
               proto_msg_type_name(msg.type), rc);
    GBytes *twice = proto_msg_encode(&again, NULL);
    FUZZ_CHECK(g_bytes_equal(encoded, twice), "a %s message does not encode stably",
               proto_msg_type_name(msg.type));
    g_bytes_unref(twice);
    g_bytes_unref(encoded);
    proto_msg_clear(&again);
    proto_msg_clear(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ProtoCertPool *pool = proto_cert_pool_new();
    decode_one(data, size, 4, 8, pool);
    decode_one(data, size, 10, 0, NULL);
    proto_cert_pool_free(pool);
    FUZZ_CHECK(proto_cert_live_count() == 0, "%" G_GUINT64_FORMAT " certificates leaked",
               proto_cert_live_count());
    return 0;
}
