/*
 * forged_qc: a leader that justifies its proposals with a QC whose aggregate signature is
 * forged. It takes its honest proposal, replaces the justify QC (not the genesis QC, which has
 * no signature) by a copy with the same signers and a corrupted aggregate (first byte
 * inverted), and signs the proposal anew with its own key, so that the proposal's signature is
 * valid and only the certificate is not. Honest nodes check the QC's signatures and refuse the
 * proposal, and the view fails; a node that counts the signers' stake without checking their
 * signatures (the accept_bad_qc mutant) takes the forged QC as its high QC, which the safety
 * oracle's certificate check reports. Its own copy of the proposal is left alone.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

/* Replaces `*slot` by a copy with a corrupted aggregate signature; FALSE for the genesis QC. */
static gboolean forge(ProtoCert **slot)
{
    const ProtoCert *c = *slot;
    if (c->signature_len == 0) return FALSE;
    uint8_t *signature = g_memdup2(c->signature, c->signature_len);
    signature[0] ^= 0xff;
    ProtoCert *forged = proto_cert_new(c->kind, c->view, c->relay, &c->data, c->node_count,
                                       c->signers, c->scheme, signature, c->signature_len);
    g_free(signature);
    proto_cert_unref(*slot);
    *slot = forged;
    return TRUE;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    ProtoMsg msg;
    if (!byzantine__is(action, PROTO_MSG_PROPOSAL) || byzantine__to_self(b, action) ||
        !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (forge(&msg.proposal.justify_qc)) {
        uint64_t size = 0;
        GBytes *bytes = byzantine__sign_proposal(b, &msg, &size);
        PROTO_ASSERT(g_bytes_get_size(bytes) == g_bytes_get_size(action->bytes));
        byzantine__replace(b, out, action, bytes, action->size);
    } else {
        byzantine__keep(b, out, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__forged_qc = {
    .name = "forged_qc",
    .help = "as a leader, justifies its proposals with a QC whose signatures are forged",
    .rewrite = rewrite,
};
