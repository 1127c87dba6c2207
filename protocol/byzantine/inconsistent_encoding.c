/*
 * inconsistent_encoding: a disperser whose VID shares are not an encoding of its block (the
 * paper's §A.8; regression row 24). With real payloads, for each block it leads whose first
 * namespace has bytes, it makes a mixed encoding of that namespace (vid.h,
 * proto_vid_encode_mixed): the units of the lower half of the validators (by id) from the
 * namespace itself, the others' from a copy with its last byte changed, all under one Merkle
 * root. The block commitment it announces is the root over that namespace root and the honest
 * ones, and everything it sends others says so: the proposal's header, the dispersal signature,
 * the VID shares (each with valid Merkle paths, so every holder's check passes) and the DA
 * proposal, whose payload is the block itself.
 *
 * What honest nodes do, as the protocol has them: a DA member decodes the payload it is sent,
 * re-encodes it and compares the commitment with the signed one (da.c, on_da_proposal): they
 * differ, so it refuses the DA proposal (counted as inconsistent) and does not DA-vote. Without
 * a DA certificate no replica votes for the proposal, the view times out, and nothing the
 * inconsistent encoding commits to is ever certified. (AVID-M's retrieval-time incorrect-encoding
 * proof, for a namespace certified all the same, matters only if the DA committee fails too.)
 * Its messages to itself are left alone; with synthetic payloads (no units) it changes nothing.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

#include <string.h>

typedef struct Inconsistent {
    ProtoView view;           /* the dispersal being rewritten, 0 for none */
    ProtoPayload *block;      /* its block (a reference) */
    ProtoVidEncoding *mixed;  /* the inconsistent encoding of namespace 0 */
    ProtoCommit commit;       /* the commitment it announces */
    ProtoSignature signature; /* over (view, commit) */
    GBytes *layout;           /* the layout with namespace 0's root replaced */
} Inconsistent;

static void *create(ProtoNode *node)
{
    (void)node;
    return g_new0(Inconsistent, 1);
}

static void forget(Inconsistent *state)
{
    proto_payload_unref(state->block);
    proto_vid_encoding_free(state->mixed);
    if (state->layout != NULL) g_bytes_unref(state->layout);
    memset(state, 0, sizeof *state);
}

static void destroy(void *state)
{
    forget(state);
    g_free(state);
}

/* Builds the inconsistent dispersal of the node's block for `view`; FALSE if it cannot. */
static gboolean prepare(ProtoByzantine *b, Inconsistent *state, ProtoView view)
{
    ProtoNode *node = b->node;
    ProtoPayload *p = node->block;
    const ProtoVidParams *params = node->shared->vid;
    if (p == NULL || p->synthetic || p->ns_count == 0 || p->ns_lengths[0] == 0) return FALSE;
    size_t len = (size_t)p->ns_lengths[0];
    const uint8_t *data = (const uint8_t *)g_bytes_get_data(p->bytes, NULL) + p->ns_offsets[0];
    uint8_t *other = g_memdup2(data, len);
    other[len - 1] ^= 0x01;
    uint32_t split = params->first_unit[params->node_count / 2];
    state->mixed = proto_vid_encode_mixed(params, data, other, len, split);
    g_free(other);
    ProtoVidNamespace *ns = g_new(ProtoVidNamespace, p->ns_count);
    for (uint32_t i = 0; i < p->ns_count; i++)
        ns[i] = (ProtoVidNamespace){p->ns_ids[i], p->ns_lengths[i], p->ns_roots[i]};
    ns[0].root = state->mixed->root;
    proto_vid_block_root(ns, p->ns_count, &state->commit);
    g_free(ns);
    gsize layout_len = 0;
    uint8_t *layout = g_bytes_unref_to_data(proto_payload_layout(p), &layout_len);
    memcpy(layout + 4 + 4, state->mixed->root.bytes, PROTO_COMMIT_BYTES); /* entry 0's root */
    state->layout = g_bytes_new_take(layout, layout_len);
    ProtoCommit message;
    proto_dispersal_commit(view, &state->commit, &message);
    proto_crypto_sign(node->env.signer, &message, &state->signature, &node->cpu);
    state->block = proto_payload_ref(p);
    state->view = view;
    return TRUE;
}

/* `owner`'s units and paths, namespace by namespace, as proto_payload_share lays them out. */
static GBytes *share_units(ProtoByzantine *b, Inconsistent *state, ProtoNodeId owner)
{
    const ProtoVidParams *params = b->node->shared->vid;
    const ProtoPayload *p = state->block;
    const uint8_t *data = g_bytes_get_data(p->bytes, NULL);
    GByteArray *out = g_byte_array_new();
    ProtoCommit *path = g_new(ProtoCommit, params->depth ? params->depth : 1);
    for (uint32_t i = 0; i < p->ns_count; i++) {
        ProtoVidEncoding *e = i == 0 ? state->mixed : p->encodings ? p->encodings[i] : NULL;
        gboolean own = e == NULL;
        if (own) e = proto_vid_encode(params, data + p->ns_offsets[i], p->ns_lengths[i]);
        uint32_t first = params->first_unit[owner];
        for (uint32_t u = first; u < first + params->weights[owner]; u++) {
            g_byte_array_append(out, e->units + (size_t)u * e->unit_bytes, e->unit_bytes);
            proto_vid_unit_path(params, e, u, path);
            g_byte_array_append(out, (const uint8_t *)path, params->depth * PROTO_COMMIT_BYTES);
        }
        if (own) proto_vid_encoding_free(e);
    }
    g_free(path);
    return g_byte_array_free_to_bytes(out);
}

/* Rewrites a DA proposal, a share or a proposal of the dispersal; FALSE to keep it as it is. */
static gboolean rewrite_message(ProtoByzantine *b, Inconsistent *state, ProtoMsg *msg)
{
    if (msg->type == PROTO_MSG_PROPOSAL) {
        if (msg->proposal.view != state->view) return FALSE;
        msg->proposal.header.payload_commit = state->commit;
        return TRUE;
    }
    ProtoDataMsg *d = &msg->data;
    if (d->view != state->view) return FALSE;
    d->commit = state->commit;
    d->signature = state->signature;
    if (msg->type == PROTO_MSG_VID_SHARE) {
        g_bytes_unref(d->layout);
        d->layout = g_bytes_ref(state->layout);
        g_bytes_unref(d->bytes);
        d->bytes = share_units(b, state, d->owner);
    }
    return TRUE;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    Inconsistent *state = b->state;
    PROTO_ASSERT(state != NULL);
    if (action->kind == PROTO_ACTION_NOTE && action->note == PROTO_NOTE_BLOCK_READY) {
        forget(state);
        prepare(b, state, action->view);
    }
    ProtoMsg msg;
    gboolean ours = byzantine__is(action, PROTO_MSG_PROPOSAL) ||
                    byzantine__is(action, PROTO_MSG_DA_PROPOSAL) ||
                    byzantine__is(action, PROTO_MSG_VID_SHARE);
    if (state->view == 0 || !ours || byzantine__to_self(b, action) ||
        !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (!rewrite_message(b, state, &msg)) {
        byzantine__keep(b, out, action);
    } else {
        uint64_t size = 0;
        GBytes *bytes = msg.type == PROTO_MSG_PROPOSAL ? byzantine__sign_proposal(b, &msg, &size)
                                                       : proto_msg_encode(&msg, &size);
        PROTO_ASSERT(g_bytes_get_size(bytes) == g_bytes_get_size(action->bytes));
        byzantine__replace(b, out, action, bytes, action->size);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__inconsistent_encoding = {
    .name = "inconsistent_encoding",
    .help = "as a leader (real payloads), disperses VID shares that are no encoding of its block, "
            "under a commitment that says they are",
    .create = create,
    .free = destroy,
    .rewrite = rewrite,
};
