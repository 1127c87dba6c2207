/*
 * Byzantine behaviours. A Byzantine node runs the honest state machine underneath, and its
 * behaviour rewrites what the node sends (and may add messages of its own, signed with the
 * node's own key: it cannot sign as anyone else). Behaviours live in protocol/ because they need
 * protocol knowledge: which proposal to withhold, which stale certificate to build on.
 *
 *   silent       never proposes (a leader that is up but mute)
 *   equivocate   sends two different proposals for its view, one to each half of the nodes
 *   fork         when it leads two views in a row, v and v+1: shows its proposal of v to a
 *                single victim (who decides the grandparent block with it), adds its own timeout
 *                vote and ignores its own view timer so that the others' timeouts form TC(v)
 *                at it, then in v+1 proposes, with TC(v)
 *                as evidence, a sibling of that grandparent built on the stale QC below it.
 *                Honest nodes refuse it by the locking rule; with the lock check disabled they
 *                vote for it, decide it, and break agreement with the victim: the positive
 *                control of the safety oracle.
 */
#ifndef SHOTGLASS_PROTOCOL_BYZANTINE_H
#define SHOTGLASS_PROTOCOL_BYZANTINE_H

#include "protocol/node.h"

#include <glib.h>

typedef enum ProtoByzantineKind {
    PROTO_BYZANTINE_NONE = 0,
    PROTO_BYZANTINE_SILENT,
    PROTO_BYZANTINE_EQUIVOCATE,
    PROTO_BYZANTINE_FORK,
    PROTO_BYZANTINE_KIND_COUNT_,
} ProtoByzantineKind;

typedef struct ProtoByzantine ProtoByzantine;

/* Looks a behaviour up by name ("silent", ...); returns FALSE when there is none. */
gboolean proto_byzantine_lookup(const char *name, ProtoByzantineKind *kind);
const char *proto_byzantine_name(ProtoByzantineKind kind);
/* One line per behaviour: name and what it does. Static. */
const char *proto_byzantine_help(void);

/* Wraps `node` (borrowed; must outlive the behaviour). */
ProtoByzantine *proto_byzantine_new(ProtoByzantineKind kind, ProtoNode *node);
void proto_byzantine_free(ProtoByzantine *byzantine);

/*
 * Rewrites one action the node produced: appends what should really happen to `out` (an array
 * of ProtoAction; the caller executes and clears them). Takes ownership of `action`'s contents.
 */
void proto_byzantine_rewrite(ProtoByzantine *byzantine, ProtoAction *action, GArray *out,
                             ProtoTime now);

#endif
