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
 *   stale_qc           justifies every proposal with the QC two certified blocks below its high
 *                      QC, older than the lock honest nodes hold (with the TC or view-sync
 *                      certificate it holds as evidence); honest nodes refuse it
 *   double_vote        sends each quorum vote twice: the real one and one for a fabricated leaf
 *   conflicting_votes  votes without the locking rule (a configuration change, see below)
 *   invalid_signatures corrupts every signature it sends: proposals, votes of every kind, DA
 *                      votes, certificates and dispersal signatures
 *   malformed          replaces every message it sends by random bytes, a random body behind a
 *                      valid envelope, a truncated copy, an oversized copy or a copy with one
 *                      byte changed, chosen with the node's random function
 *   withhold_votes     never sends a quorum vote or a DA vote (it still leads)
 *   spam               on entering each view v, sends every node a timeout vote and view-sync
 *                      pre-commit, commit and finalize votes for each view v+1 .. v+32
 *   da_no_store        as a DA member, DA-votes for a payload but throws it away: it can serve
 *                      neither shares nor namespaces later (and does not report storing it)
 *   vid_withhold       as a leader, sends VID shares in even views to nobody, in odd views only
 *                      to itself and the lowest ids within a quarter of the stake
 *   corrupt_shares     as a leader, corrupts the units (synthetic payloads: the layout) of the
 *                      VID shares it sends others: in some views all of them, in others each with
 *                      probability one half
 *   twins              two node instances behind one key (the driver runs them, see below)
 *   amnesia            forgets its lock and the views it voted in when it restarts (see below)
 *   forged_qc          justifies its proposals with a QC whose aggregate signature is forged
 *                      (and signs the proposal itself properly); honest nodes refuse it
 *   weak_tc            as the leader of v+1, on voting for the proposal of v, proposes v+1 at
 *                      once on QC(v-1) with a "TC(v)" of its own timeout vote alone; honest
 *                      nodes refuse it for its evidence
 *   fork_parent        fork one block up: the second proposal is a sibling of the first one's
 *                      parent A, on QC(G); honest nodes accept it (it extends their lock) and
 *                      the victim, having decided only G by the two-chain rule, follows
 *   lc_forge           with an L1 side, signs a forged light-client state on each decide (1000
 *                      blocks and views ahead of its decided one, with a wrong root) instead of
 *                      its decided one; its consensus messages are honest (the driver, which
 *                      signs the light-client state, carries it out: sim/world/prover.h)
 *   lc_silent          with an L1 side, signs no light-client state; consensus as lc_forge
 *   inconsistent_encoding  as a leader with real payloads, disperses VID shares that are no
 *                      encoding of its block (a mixed encoding of its first namespace) under a
 *                      commitment that says they are; DA members re-encode the payload, see the
 *                      mismatch and refuse to DA-vote
 *   nonempty_transition  with epochs, as the leader of an epoch's block eN-2, eN-1 or eN (which
 *                      must be empty), claims a payload in its header; honest nodes refuse it
 *
 * Self-addressed messages (a leader's copy of its own proposal, a vote to itself as the next
 * leader) go through the rewrite like any other, and behaviours that corrupt the wire
 * (invalid_signatures, malformed, corrupt_shares) leave them alone: what the node does to its
 * own state is not what it shows the others.
 *
 * What the driver does. For a node of kind `kind` the driver:
 *   1. calls proto_byzantine_configure(kind, &config) before proto_node_new;
 *   2. wraps the node with proto_byzantine_new(kind, node) and passes every action it drains
 *      through proto_byzantine_rewrite, executing what comes out instead;
 *   3. if proto_byzantine_is_twins(kind): creates a second node instance with the same id,
 *      configuration and signer, wrapped by its own ProtoByzantine. Peer p talks to twin
 *      proto_byzantine_twin_side(p, node_count): its messages go to that twin only, and each twin's
 *      sends (its broadcasts included) reach only the peers on its side (a twin's messages to
 *      its own id go back to that same twin). The twins therefore see different histories and
 *      can propose and vote differently in the same view; together they are one Byzantine node
 *      of the node's stake. Each twin has its own timers and random stream.
 *   4. if proto_byzantine_is_amnesia(kind), on a restart: calls
 *      proto_byzantine_on_restart(kind, shared, &persisted) on the state the node persisted
 *      before proto_node_restart (for other kinds the call changes nothing, so a driver may
 *      call it for every restarting node).
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
    PROTO_BYZANTINE_STALE_QC,
    PROTO_BYZANTINE_DOUBLE_VOTE,
    PROTO_BYZANTINE_CONFLICTING_VOTES,
    PROTO_BYZANTINE_INVALID_SIGNATURES,
    PROTO_BYZANTINE_MALFORMED,
    PROTO_BYZANTINE_WITHHOLD_VOTES,
    PROTO_BYZANTINE_SPAM,
    PROTO_BYZANTINE_DA_NO_STORE,
    PROTO_BYZANTINE_VID_WITHHOLD,
    PROTO_BYZANTINE_CORRUPT_SHARES,
    PROTO_BYZANTINE_TWINS,
    PROTO_BYZANTINE_AMNESIA,
    PROTO_BYZANTINE_FORGED_QC,
    PROTO_BYZANTINE_WEAK_TC,
    PROTO_BYZANTINE_FORK_PARENT,
    PROTO_BYZANTINE_INCONSISTENT_ENCODING,
    PROTO_BYZANTINE_NONEMPTY_TRANSITION,
    PROTO_BYZANTINE_LC_FORGE,
    PROTO_BYZANTINE_LC_SILENT,
    PROTO_BYZANTINE_KIND_COUNT_,
} ProtoByzantineKind;

/* What a behaviour needs from the driver beyond the rewrite (proto_byzantine_flags). */
typedef enum ProtoByzantineFlags {
    PROTO_BYZANTINE_FLAG_TWINS = 1u << 0,   /* two instances behind one key (step 3 above) */
    PROTO_BYZANTINE_FLAG_AMNESIA = 1u << 1, /* restarts from forgotten state (step 4 above) */
} ProtoByzantineFlags;

typedef struct ProtoByzantine ProtoByzantine;

/* What a behaviour did to its node's actions, for reports and tests. */
typedef struct ProtoByzantineStats {
    uint64_t kept;    /* actions passed on unchanged */
    uint64_t dropped; /* actions withheld */
    uint64_t changed; /* messages sent with other bytes or to other recipients than the node's */
    uint64_t added;   /* messages of its own (signed with its own key) */
} ProtoByzantineStats;

/* Whether a behaviour changes what the node does in consensus: every one but none and the
 * light-client signing behaviours lc_forge and lc_silent, which consensus and DA oracles count
 * as honest (they are, there). */
static inline gboolean proto_byzantine_in_consensus(ProtoByzantineKind kind)
{
    return kind != PROTO_BYZANTINE_NONE && kind != PROTO_BYZANTINE_LC_FORGE &&
           kind != PROTO_BYZANTINE_LC_SILENT;
}

/* Looks a behaviour up by name ("silent", ...; "none" gives PROTO_BYZANTINE_NONE); returns
 * FALSE, leaving `*kind` untouched, when there is none. */
gboolean proto_byzantine_lookup(const char *name, ProtoByzantineKind *kind);
/* The behaviour's name ("none" for PROTO_BYZANTINE_NONE). Static. */
const char *proto_byzantine_name(ProtoByzantineKind kind);
/* One line per behaviour (none excluded): name and what it does. Static, built once. */
const char *proto_byzantine_help(void);

/* The PROTO_BYZANTINE_FLAG_* bits of a kind (0 for none). */
uint32_t proto_byzantine_flags(ProtoByzantineKind kind);
gboolean proto_byzantine_is_twins(ProtoByzantineKind kind);
gboolean proto_byzantine_is_amnesia(ProtoByzantineKind kind);
/* Whether a running honest node can take on the behaviour and drop it again: not twins (a second
 * instance from the start), nor a behaviour that changes the node's configuration, nor amnesia
 * (the forgotten state it restarts from outlives any window: an "honest again" node would vote
 * from it and break vote-once through no fault of the protocol). */
gboolean proto_byzantine_can_switch(ProtoByzantineKind kind);

/*
 * Adjusts the configuration of a node that will run behaviour `kind`, before proto_node_new
 * (conflicting_votes turns the lock check off). Does nothing for kinds without an adjustment,
 * PROTO_BYZANTINE_NONE included.
 */
void proto_byzantine_configure(ProtoByzantineKind kind, ProtoNodeConfig *config);

/*
 * Rewrites what a node of `kind` persisted (see proto_node_persist) into what it will restart
 * with: amnesia forgets everything (genesis high QC, lock and anchor, no actioned views); other
 * kinds leave it unchanged. `persisted` keeps owning its references. `shared` is borrowed.
 */
void proto_byzantine_on_restart(ProtoByzantineKind kind, const ProtoShared *shared,
                                ProtoPersisted *persisted);

/* Which twin (0 or 1) peer `peer` talks to: the lower half of the ids to twin 0. */
uint32_t proto_byzantine_twin_side(ProtoNodeId peer, uint32_t node_count);

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
