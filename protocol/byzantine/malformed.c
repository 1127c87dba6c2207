/*
 * malformed: every message it sends to another node is replaced by garbage, one of five kinds
 * drawn from the node's random function (the driver's seeded stream, so runs repeat):
 *   random       random bytes, 1 to twice the original length;
 *   random body  the original 8-byte envelope (version, type, sender) followed by random bytes,
 *                so that the body decoder of the type sees them;
 *   truncated    a strict prefix of the original (possibly empty);
 *   oversized    the original followed by 1 to its length again of random bytes;
 *   mutated      the original with one byte (not in the envelope) replaced by a random value,
 *                which often decodes and must then fail validation.
 * Its messages to itself pass unchanged, so its own state machine runs as before. The charged
 * size is the garbage's length plus framing. Honest nodes must reject all of it with an error
 * code (STYLE.md rule 4: never assert on peer input).
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

#include <string.h>

typedef enum Garbage {
    GARBAGE_RANDOM,
    GARBAGE_RANDOM_BODY,
    GARBAGE_TRUNCATED,
    GARBAGE_OVERSIZED,
    GARBAGE_MUTATED,
    GARBAGE_COUNT_,
} Garbage;

static void fill_random(ProtoByzantine *b, uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        bytes[i] = (uint8_t)byzantine__random(b);
}

/* A uniform value in [0, bound). */
static size_t below(ProtoByzantine *b, size_t bound)
{
    PROTO_ASSERT(bound > 0);
    return (size_t)(byzantine__random(b) % bound);
}

static GBytes *garble(ProtoByzantine *b, const uint8_t *data, size_t len)
{
    PROTO_ASSERT(len >= PROTO_ENVELOPE_BYTES);
    size_t out_len = 0;
    uint8_t *out = NULL;
    switch ((Garbage)below(b, GARBAGE_COUNT_)) {
    case GARBAGE_RANDOM:
        out_len = 1 + below(b, 2 * len);
        out = g_malloc(out_len);
        fill_random(b, out, out_len);
        break;
    case GARBAGE_RANDOM_BODY:
        out_len = PROTO_ENVELOPE_BYTES + below(b, 2 * len);
        out = g_malloc(out_len);
        memcpy(out, data, PROTO_ENVELOPE_BYTES);
        fill_random(b, out + PROTO_ENVELOPE_BYTES, out_len - PROTO_ENVELOPE_BYTES);
        break;
    case GARBAGE_TRUNCATED:
        out_len = below(b, len);
        out = g_malloc(out_len + 1); /* +1: g_malloc(0) returns NULL */
        memcpy(out, data, out_len);
        break;
    case GARBAGE_OVERSIZED:
        out_len = len + 1 + below(b, len);
        out = g_malloc(out_len);
        memcpy(out, data, len);
        fill_random(b, out + len, out_len - len);
        break;
    case GARBAGE_MUTATED:
    case GARBAGE_COUNT_:
        out_len = len;
        out = g_memdup2(data, len);
        if (len > PROTO_ENVELOPE_BYTES) {
            out[PROTO_ENVELOPE_BYTES + below(b, len - PROTO_ENVELOPE_BYTES)] =
                (uint8_t)byzantine__random(b);
        }
        break;
    }
    return g_bytes_new_take(out, out_len);
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    if (!byzantine__is_message(action) || byzantine__to_self(b, action)) {
        byzantine__keep(b, out, action);
        return;
    }
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(action->bytes, &len);
    GBytes *garbage = garble(b, data, len);
    uint64_t size = g_bytes_get_size(garbage) + PROTO_FRAME_BYTES;
    byzantine__replace(b, out, action, garbage, size);
}

const ByzantineBehaviour byzantine__malformed = {
    .name = "malformed",
    .help = "replaces its messages by random bytes, truncated, oversized or mutated copies",
    .rewrite = rewrite,
};
