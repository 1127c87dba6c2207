/*
 * fork: the stale-QC fork attack, and the positive control of the safety oracle.
 *
 * How it works. It waits for a view v that it leads together with v+1, whose proposal extends
 * A (view v-1) whose QC certifies G (v-2), with G's parent known. Then:
 *   - its proposal of v goes to a single victim (node 0, or 1 if it is node 0), who validates
 *     it, sees QC(A) over QC(G) in consecutive views and decides G;
 *   - it sends its own timeout vote for v to itself and ignores its own view timer while armed,
 *     so that the others' timeout votes form TC(v) at it (it leads v+1);
 *   - in v+1 it proposes, with TC(v) as evidence, a sibling of G: a leaf at G's height built on
 *     the stale QC that justifies G (the QC of G's parent), replacing both its broadcast and its
 *     own copy.
 * Honest nodes are locked at least on QC(G), which the sibling neither extends nor beats, so
 * they refuse it by the locking rule. With the lock check disabled they vote for it, decide it
 * at G's height, and disagree with the victim.
 *
 * fork_parent, the same attack one block up: in v+1 it proposes a sibling of A (not G), built on
 * QC(G). That extends the lock the others hold (QC(G): they never saw QC(A)), so they vote for
 * it, certify it and decide it at A's height. That is safe under the two-chain rule, which let
 * the victim decide only G; a node that decides A on seeing QC(A) alone (the one_chain_decide
 * mutant) has decided a block the others replace, and agreement breaks.
 */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

typedef enum ForkState {
    FORK_WAITING, /* for a view v it leads with v+1 */
    FORK_ARMED,   /* withheld v, waits to lead v+1 on TC(v) */
    FORK_DONE,
} ForkState;

typedef struct Fork {
    ForkState state;
    gboolean parent_sibling; /* fork_parent: a sibling of A rather than of G */
    ProtoView view;          /* v+1 */
    ProtoCert *justify;      /* the stale QC the fork builds on */
    uint64_t height;         /* the height of the block the victim decides, taken by the fork */
    GBytes *bytes;           /* the fork proposal, once built */
    uint64_t bytes_size;     /* its charged size */
    ProtoCommit commit;      /* its leaf commitment */
} Fork;

static void *create(ProtoNode *node)
{
    (void)node;
    return g_new0(Fork, 1);
}

static void *create_parent_sibling(ProtoNode *node)
{
    Fork *fork = create(node);
    fork->parent_sibling = TRUE;
    return fork;
}

static void destroy(void *state)
{
    Fork *fork = state;
    proto_cert_unref(fork->justify);
    if (fork->bytes != NULL) g_bytes_unref(fork->bytes);
    g_free(fork);
}

/* The timeout vote for `view` the attacker adds so that the others' timeouts make a TC. */
static void add_timeout_vote(ProtoByzantine *b, ProtoView view, GArray *out)
{
    ProtoNode *node = b->node;
    ProtoMsg vote = {.type = PROTO_MSG_TIMEOUT_VOTE, .sender = node->id};
    node__sign_vote(node, PROTO_CERT_TC, view, 0, NULL, &vote.vote);
    byzantine__add(b, out, node__leader(node, view + 1), &vote);
}

/* In a view v it leads with v+1 as well: show the proposal to one victim only and arm the
 * fork on the QC below the block the victim is about to decide. */
static gboolean arm(ProtoByzantine *b, Fork *fork, ProtoAction *action, const ProtoProposal *p,
                    GArray *out)
{
    ProtoNode *node = b->node;
    if (action->kind != PROTO_ACTION_BROADCAST || p->justify_qc->view + 1 != p->view ||
        node__leader(node, p->view + 1) != node->id) {
        return FALSE;
    }
    ProtoLeaf *a = node__leaf(node, &p->parent);
    ProtoLeaf *g = a != NULL ? node__leaf(node, &a->justify_qc->data) : NULL;
    if (g == NULL || g->view == 0) return FALSE;
    /* fork builds on the QC of G's parent, which must be known; fork_parent on QC(G) */
    if (!fork->parent_sibling && node__leaf(node, &g->justify_qc->data) == NULL) return FALSE;
    ProtoNodeId victim = node->id == 0 ? 1 : 0;
    byzantine__add_bytes(b, out, victim, PROTO_MSG_PROPOSAL, action->bytes, action->size);
    byzantine__drop(b, action); /* the broadcast is withheld */
    add_timeout_vote(b, p->view, out);
    fork->justify = proto_cert_ref(fork->parent_sibling ? a->justify_qc : g->justify_qc);
    fork->height = fork->parent_sibling ? a->header.height : g->header.height;
    fork->view = p->view + 1;
    fork->state = FORK_ARMED;
    return TRUE;
}

/* Replaces the node's proposal for the fork view by a sibling of the victim's decided block. */
static void build(ProtoByzantine *b, Fork *fork, ProtoMsg *msg)
{
    ProtoProposal *p = &msg->proposal;
    p->parent = fork->justify->data;
    p->header.height = fork->height;
    node__replace_cert(&p->justify_qc, fork->justify);
    fork->bytes = byzantine__sign_proposal(b, msg, &fork->bytes_size);
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &fork->commit);
}

/* fork_parent: its own state machine, locked on QC(A), refuses the sibling; the attacker votes
 * for it anyway, to the next leader, so that the others' votes make a QC. */
static void add_fork_vote(ProtoByzantine *b, const Fork *fork, GArray *out)
{
    ProtoNode *node = b->node;
    ProtoMsg vote = {.type = PROTO_MSG_QUORUM_VOTE, .sender = node->id};
    node__sign_vote(node, PROTO_CERT_QC, fork->view, 0, &fork->commit, &vote.vote);
    byzantine__add(b, out, node__leader(node, fork->view + 1), &vote);
}

static void rewrite_proposal(ProtoByzantine *b, Fork *fork, ProtoAction *action, ProtoMsg *msg,
                             GArray *out)
{
    const ProtoProposal *p = &msg->proposal;
    if (fork->state == FORK_WAITING && arm(b, fork, action, p, out)) return;
    if (fork->state == FORK_ARMED && p->view == fork->view &&
        p->evidence_kind == PROTO_EVIDENCE_TC) {
        if (fork->bytes == NULL) build(b, fork, msg);
        if (action->kind == PROTO_ACTION_SEND) fork->state = FORK_DONE; /* its own copy */
        byzantine__replace(b, out, action, g_bytes_ref(fork->bytes), fork->bytes_size);
        if (fork->parent_sibling && fork->state == FORK_DONE) add_fork_vote(b, fork, out);
        return;
    }
    byzantine__keep(b, out, action);
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    Fork *fork = b->state;
    PROTO_ASSERT(fork != NULL);
    ProtoMsg msg;
    if (byzantine__is(action, PROTO_MSG_PROPOSAL) && byzantine__decode(b, action, &msg)) {
        rewrite_proposal(b, fork, action, &msg, out);
        proto_msg_clear(&msg);
        return;
    }
    /* While armed it ignores its own view timeout, staying in v+1 until the others' timeout
     * votes for v have all arrived and formed TC(v). */
    if (fork->state == FORK_ARMED && action->kind == PROTO_ACTION_TIMER_SET &&
        action->timer == PROTO_TIMER_VIEW) {
        action->at += b->node->config.view_timeout;
    }
    byzantine__keep(b, out, action);
}

const ByzantineBehaviour byzantine__fork = {
    .name = "fork",
    .help = "leading two views in a row, withholds the first from all but one node and "
            "proposes a fork on a stale QC in the second",
    .create = create,
    .free = destroy,
    .rewrite = rewrite,
};

const ByzantineBehaviour byzantine__fork_parent = {
    .name = "fork_parent",
    .help = "like fork, but the second proposal is a sibling of the first one's parent, built on "
            "the QC below it (safe under the two-chain rule)",
    .create = create_parent_sibling,
    .free = destroy,
    .rewrite = rewrite,
};
