/*
 * corrupt_shares: a leader whose VID shares do not match its commitment. For each view it draws
 * (with the node's random function) whether to corrupt the shares it sends to all other nodes
 * or to each with probability one half; a corrupted share has one byte of its units inverted
 * (synthetic payloads carry no units: a byte of the layout's first namespace root instead). The
 * dispersal signature stays valid, so a replica finds out only when it checks the units against
 * the commitment; it rejects the share, and, missing it, asks the DA members for a good one
 * after data_request_delay. Its own share is left intact.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

typedef struct CorruptShares {
    ProtoView view; /* the view of the current dispersal */
    gboolean all;   /* corrupt every share of it, or each with probability 1/2 */
} CorruptShares;

static void *create(ProtoNode *node)
{
    (void)node;
    return g_new0(CorruptShares, 1);
}

static void destroy(void *state)
{
    g_free(state);
}

/* Inverts byte `at` of `*blob` (a new GBytes replaces it); FALSE if it is too short. */
static gboolean invert(GBytes **blob, size_t at)
{
    if (*blob == NULL || g_bytes_get_size(*blob) <= at) return FALSE;
    gsize len = 0;
    uint8_t *data = g_bytes_unref_to_data(*blob, &len);
    data[at] ^= 0xff;
    *blob = g_bytes_new_take(data, len);
    return TRUE;
}

static gboolean corrupt(ProtoDataMsg *d)
{
    /* The layout is a u32 count, then per namespace u32 id and the 32-byte root. */
    return invert(&d->bytes, 0) || invert(&d->layout, 8);
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    CorruptShares *state = b->state;
    PROTO_ASSERT(state != NULL);
    ProtoMsg msg;
    if (!byzantine__is(action, PROTO_MSG_VID_SHARE) || byzantine__to_self(b, action) ||
        !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (msg.data.view != state->view) {
        state->view = msg.data.view;
        state->all = byzantine__random(b) % 2 == 0;
    }
    gboolean chosen = state->all || byzantine__random(b) % 2 == 0;
    if (chosen && corrupt(&msg.data)) {
        GBytes *bytes = proto_msg_encode(&msg, NULL);
        PROTO_ASSERT(g_bytes_get_size(bytes) == g_bytes_get_size(action->bytes));
        byzantine__replace(b, out, action, bytes, action->size);
    } else {
        byzantine__keep(b, out, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__corrupt_shares = {
    .name = "corrupt_shares",
    .help = "as a leader, corrupts the VID shares it sends (all, or each with probability 1/2)",
    .create = create,
    .free = destroy,
    .rewrite = rewrite,
};
