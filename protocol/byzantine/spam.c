/*
 * spam: floods every node with votes for views that have not happened yet. Each time its node
 * enters a view v (the VIEW_ENTERED note passes through the rewrite), it broadcasts, for each
 * view w in v+1 .. v+SPAM_VIEWS, a timeout vote for w and view-sync pre-commit, commit and
 * finalize votes for round w at relay 0, all validly signed with its own key. Most arrive at
 * nodes that are not their recipient, or repeat votes already counted; the rest open vote
 * tallies for future views at their recipients, which one node's stake (below a third) can
 * never complete: at most a pre-commit certificate needs floor(S/3)+1. Everything the node does
 * itself goes out unchanged.
 */
#include "protocol/byzantine/behaviour.h"

/* How far ahead it votes: per view entered, 4 x SPAM_VIEWS broadcasts. */
#define SPAM_VIEWS 32

static void add_vote(ProtoByzantine *b, ProtoMsgType type, ProtoCertKind kind, ProtoView view,
                     GArray *out)
{
    ProtoMsg msg = {.type = type, .sender = b->node->id};
    node__sign_vote(b->node, kind, view, 0, NULL, &msg.vote);
    byzantine__add(b, out, PROTO_NODE_NONE, &msg);
}

static void flood(ProtoByzantine *b, ProtoView view, GArray *out)
{
    for (ProtoView w = view + 1; w <= view + SPAM_VIEWS; w++) {
        add_vote(b, PROTO_MSG_TIMEOUT_VOTE, PROTO_CERT_TC, w, out);
        add_vote(b, PROTO_MSG_VS_PRECOMMIT_VOTE, PROTO_CERT_VS_PRECOMMIT, w, out);
        add_vote(b, PROTO_MSG_VS_COMMIT_VOTE, PROTO_CERT_VS_COMMIT, w, out);
        add_vote(b, PROTO_MSG_VS_FINALIZE_VOTE, PROTO_CERT_VS_FINALIZE, w, out);
    }
}

static void rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    (void)now;
    gboolean entered = action->kind == PROTO_ACTION_NOTE && action->note == PROTO_NOTE_VIEW_ENTERED;
    ProtoView view = action->view;
    byzantine__keep(b, out, action);
    if (entered) flood(b, view, out);
}

const ByzantineBehaviour byzantine__spam = {
    .name = "spam",
    .help = "floods every node with timeout and view-sync votes for the next 32 views",
    .rewrite = rewrite,
};
