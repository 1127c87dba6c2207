/*
 * Byzantine behaviours. A Byzantine node runs the honest state machine underneath, and its
 * behaviour rewrites what the node sends (and may add messages of its own, signed with the
 * node's own key: it cannot sign as anyone else). Behaviours live in protocol/ because they need
 * protocol knowledge: which proposal to withhold, which stale certificate to build on.
 *
 * Each behaviour is a module of its own, protocol/byzantine/<name>.c, behind the small
 * interface of protocol/byzantine/behaviour.h; this header is the registry's public face. The
 * names are the ones scenario files and `--byzantine` write:
 *
 *   silent             never proposes (a leader that is up but mute)
 *   equivocate         sends two different proposals for its view, one to each half of the nodes
 *   fork               when it leads two views in a row, v and v+1: shows its proposal of v to a
 *                      single victim (who decides the grandparent block with it), adds its own
 *                      timeout vote and ignores its own view timer so that the others' timeouts
 *                      form TC(v) at it, then in v+1 proposes, with TC(v) as evidence, a sibling
 *                      of that grandparent built on the stale QC below it. Honest nodes refuse it
 *                      by the locking rule; with the lock check disabled they vote for it, decide
 *                      it, and break agreement with the victim: the positive control of the
 *                      safety oracle.
 *
 * What the driver does: wraps the node with proto_byzantine_new(kind, node) and passes every
 * action it drains through proto_byzantine_rewrite, executing what comes out instead.
 */
#ifndef SHOTGLASS_PROTOCOL_BYZANTINE_H
#define SHOTGLASS_PROTOCOL_BYZANTINE_H

#include "protocol/node.h"

#include <glib.h>
#include <stdint.h>

/* Existing values keep their numbers; new behaviours are appended before the count. */
typedef enum ProtoByzantineKind {
    PROTO_BYZANTINE_NONE = 0,
    PROTO_BYZANTINE_SILENT,
    PROTO_BYZANTINE_EQUIVOCATE,
    PROTO_BYZANTINE_FORK,
    PROTO_BYZANTINE_KIND_COUNT_,
} ProtoByzantineKind;

typedef struct ProtoByzantine ProtoByzantine;

/* What a behaviour did to its node's actions, for reports and tests. */
typedef struct ProtoByzantineStats {
    uint64_t kept;    /* actions passed on unchanged */
    uint64_t dropped; /* actions withheld */
    uint64_t changed; /* messages sent with other bytes or to other recipients than the node's */
    uint64_t added;   /* messages of its own (signed with its own key) */
} ProtoByzantineStats;

/* Looks a behaviour up by name ("silent", ...; "none" gives PROTO_BYZANTINE_NONE); returns
 * FALSE, leaving `*kind` untouched, when there is none. */
gboolean proto_byzantine_lookup(const char *name, ProtoByzantineKind *kind);
/* The behaviour's name ("none" for PROTO_BYZANTINE_NONE). Static. */
const char *proto_byzantine_name(ProtoByzantineKind kind);
/* One line per behaviour (none excluded): name and what it does. Static, built once. */
const char *proto_byzantine_help(void);

/* Wraps `node` (borrowed; must outlive the behaviour) with a new behaviour of `kind`, not
 * PROTO_BYZANTINE_NONE. Free with proto_byzantine_free. */
ProtoByzantine *proto_byzantine_new(ProtoByzantineKind kind, ProtoNode *node);
void proto_byzantine_free(ProtoByzantine *byzantine);

ProtoByzantineKind proto_byzantine_kind(const ProtoByzantine *byzantine);
const ProtoByzantineStats *proto_byzantine_stats(const ProtoByzantine *byzantine);

/*
 * Rewrites one action the node produced: appends what should really happen to `out` (a GArray
 * of ProtoAction; the caller executes and clears them), possibly nothing, possibly several
 * actions. Takes ownership of `action`'s contents and leaves it zeroed. Must be called between
 * the node's entry points (it may sign with the node's key and charge the node's CPU, which the
 * driver collects with proto_node_take_cpu afterwards), with the actions in drain order.
 */
void proto_byzantine_rewrite(ProtoByzantine *byzantine, ProtoAction *action, GArray *out,
                             ProtoTime now);

#endif
