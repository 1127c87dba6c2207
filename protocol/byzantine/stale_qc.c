/*
 * stale_qc: a leader that justifies every proposal with an old QC instead of its high QC.
 *
 * Which QC. Walking down from its high QC, QC(A), to A's justify QC, QC(G), and to G's, QC(K):
 * the proposal is built on K at K's height plus one. Honest nodes hold at least the lock the
 * latest proposal gave them, QC(G) (the justify of A's proposal), and K is G's parent, so the
 * proposal neither extends their lock nor carries a QC newer than it: the locking rule refuses
 * it. (Early on, when the walk reaches genesis, the genesis QC is used; it is stale as soon as
 * anyone is locked on a later one. When no older QC exists at all, the proposal goes out as it
 * is.)
 *
 * Evidence. A justify QC more than one view old needs view-change evidence. The honest node
 * attaches it only when its high QC needs it; this leader attaches the TC for v-1 or the
 * view-sync finalize certificate for v whenever it holds one, so that after a failed view its
 * proposal is valid in every respect but the locking rule. Without either, honest nodes reject
 * it for missing evidence instead. The broadcast and its own copy carry the same bytes.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

typedef struct StaleQc {
    ProtoView view; /* the view of the cached proposal */
    GBytes *bytes;
    uint64_t size;
} StaleQc;

static void *create(ProtoNode *node)
{
    (void)node;
    return g_new0(StaleQc, 1);
}

static void destroy(void *state)
{
    StaleQc *stale = state;
    if (stale->bytes != NULL) g_bytes_unref(stale->bytes);
    g_free(stale);
}

static ProtoLeaf *find_leaf(ProtoNode *node, const ProtoCommit *commit)
{
    ProtoLeaf *leaf = node__leaf(node, commit);
    return leaf != NULL ? leaf : proto_leaf_lookup(node->shared->leaves, commit);
}

/* The QC two certified leaves below `justify`, with its leaf in `*leaf` (borrowed). */
static ProtoCert *stale_justify(ProtoNode *node, ProtoCert *justify, ProtoLeaf **leaf)
{
    ProtoCert *qc = justify;
    for (int step = 0; step < 2; step++) {
        ProtoLeaf *certified = find_leaf(node, &qc->data);
        if (certified == NULL || certified->view == 0) break;
        qc = certified->justify_qc;
    }
    *leaf = find_leaf(node, &qc->data);
    if (*leaf == NULL) {
        qc = node->shared->genesis_qc;
        *leaf = node->shared->genesis;
    }
    return qc;
}

/* Rebuilds the proposal in `msg` on the stale QC; FALSE if there is nothing older. */
static gboolean make_stale(ProtoByzantine *b, ProtoMsg *msg)
{
    ProtoNode *node = b->node;
    ProtoProposal *p = &msg->proposal;
    ProtoLeaf *parent = NULL;
    ProtoCert *stale = stale_justify(node, p->justify_qc, &parent);
    if (stale->view >= p->justify_qc->view) return FALSE;
    node__replace_cert(&p->justify_qc, stale);
    p->parent = stale->data;
    p->header.height = parent->header.height + 1;
    if (p->evidence_kind == PROTO_EVIDENCE_NONE) {
        if (node->tc != NULL && node->tc->view + 1 == p->view) {
            p->evidence_kind = PROTO_EVIDENCE_TC;
            node__replace_cert(&p->evidence, node->tc);
        } else if (node->vs_finalize != NULL && node->vs_finalize->view == p->view) {
            p->evidence_kind = PROTO_EVIDENCE_VIEW_SYNC;
            node__replace_cert(&p->evidence, node->vs_finalize);
        }
    }
    return TRUE;
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    StaleQc *stale = b->state;
    PROTO_ASSERT(stale != NULL);
    ProtoMsg msg;
    if (!byzantine__is(action, PROTO_MSG_PROPOSAL) || !byzantine__decode(b, action, &msg)) {
        byzantine__keep(b, out, action);
        return;
    }
    if (msg.proposal.view != stale->view) {
        if (stale->bytes != NULL) g_bytes_unref(stale->bytes);
        stale->bytes = NULL;
        stale->view = msg.proposal.view;
        if (make_stale(b, &msg)) stale->bytes = byzantine__sign_proposal(b, &msg, &stale->size);
    }
    if (stale->bytes != NULL) {
        byzantine__replace(b, out, action, g_bytes_ref(stale->bytes), stale->size);
    } else {
        byzantine__keep(b, out, action);
    }
    proto_msg_clear(&msg);
}

const ByzantineBehaviour byzantine__stale_qc = {
    .name = "stale_qc",
    .help = "justifies every proposal with a QC older than the honest nodes' lock",
    .create = create,
    .free = destroy,
    .rewrite = rewrite,
};
