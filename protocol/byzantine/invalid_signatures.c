/*
 * invalid_signatures: every signature it sends is corrupted (its first byte inverted), so that
 * nothing it says can be verified: proposals, votes of every kind (quorum, timeout, view-sync
 * and DA votes), the certificates it forms or forwards (DA and view-sync certificates, high
 * QCs; the genesis QC has no signature to corrupt), the dispersal signature on its DA proposals,
 * VID shares and VID responses, and the proposal inside a proposal response. Messages without
 * signatures go out as they are, and so do its messages to itself. Lengths do not change, so
 * each message keeps the charged size of the honest one.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

static gboolean corrupt_signature(ProtoSignature *signature)
{
    if (signature->len == 0) return FALSE;
    signature->bytes[0] ^= 0xff;
    return TRUE;
}

/* Replaces `*slot` by a copy whose aggregate signature is corrupted. */
static gboolean corrupt_cert(ProtoCert **slot)
{
    const ProtoCert *c = *slot;
    if (c == NULL || c->signature_len == 0) return FALSE;
    uint8_t *signature = g_memdup2(c->signature, c->signature_len);
    signature[0] ^= 0xff;
    ProtoCert *bad = proto_cert_new(c->kind, c->view, c->relay, &c->data, c->node_count, c->signers,
                                    c->scheme, signature, c->signature_len);
    g_free(signature);
    proto_cert_unref(*slot);
    *slot = bad;
    return TRUE;
}

/* A proposal response carries someone's signed proposal: corrupt its signature inside. */
static gboolean corrupt_inner(ProtoMsg *msg)
{
    ProtoMsg inner = {.type = PROTO_MSG_PROPOSAL, .sender = msg->vote.signer};
    inner.proposal = msg->proposal; /* borrowed for the encoding */
    if (!corrupt_signature(&inner.proposal.signature)) return FALSE;
    GBytes *bytes = proto_msg_encode(&inner, NULL);
    g_bytes_unref(msg->proposal_bytes);
    msg->proposal_bytes = bytes;
    return TRUE;
}

static gboolean corrupt(ProtoMsg *msg)
{
    switch ((int)msg->type) {
    case PROTO_MSG_PROPOSAL:
        return corrupt_signature(&msg->proposal.signature);
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_TIMEOUT_VOTE:
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
    case PROTO_MSG_VS_COMMIT_VOTE:
    case PROTO_MSG_VS_FINALIZE_VOTE:
    case PROTO_MSG_DA_VOTE:
        return corrupt_signature(&msg->vote.signature);
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
    case PROTO_MSG_HIGH_QC:
    case PROTO_MSG_DA_CERT:
        return corrupt_cert(&msg->cert);
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_RESPONSE:
        return corrupt_signature(&msg->data.signature);
    case PROTO_MSG_PROPOSAL_RESPONSE:
        return corrupt_inner(msg);
    default:
        return FALSE; /* no signature */
    }
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg msg;
    if (!byzantine__is_message(action) || byzantine__to_self(b, action) ||
        !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (corrupt(&msg)) {
        GBytes *bytes = proto_msg_encode(&msg, NULL);
        PROTO_ASSERT(g_bytes_get_size(bytes) == g_bytes_get_size(action->bytes));
        byzantine__replace(b, out, action, bytes, action->size);
    } else {
        byzantine__keep(b, out, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__invalid_signatures = {
    .name = "invalid_signatures",
    .help = "corrupts every signature it sends (proposals, votes, certificates, dispersals)",
    .rewrite = rewrite,
};
