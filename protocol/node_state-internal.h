/*
 * The node's state and the node-state layer (node_state.c), shared by the modules of a node. Not
 * part of the public interface.
 *
 * How a node is layered. Each module calls only modules below it, and includes only their
 * headers, so the #include graph is the call graph and has no cycle:
 *
 *   node.c        the public entry points (lifecycle, input dispatch, draining, observation)
 *   consensus.c   proposals, votes, certificates, view changes, deciding, fetching
 *   da.c, view_sync.c   data availability; view synchronization (independent of each other)
 *   node_state.c  with this header: the state, the outbox and the helpers every module uses
 *
 * Where a lower module has something for a higher one (DA: a proposal's data are all in, or the
 * leader's block is dispersed; view sync: enter a round, and propose on a finalize certificate),
 * it does not call up: it leaves a request in node->requests, after which its entry point emits
 * nothing more, and the caller has consensus take it as soon as that entry point returns
 * (consensus__take_requests), so the actions come out in the order a direct call would have
 * emitted them. No request is pending outside a call into the node.
 */
#ifndef SHOTGLASS_PROTOCOL_NODE_STATE_INTERNAL_H
#define SHOTGLASS_PROTOCOL_NODE_STATE_INTERNAL_H

#include "protocol/node.h"

#define NODE_DRB_KEEP         8
#define NODE_ACCUMULATORS_MAX 32
#define NODE_RECENT_CERTS     8
/* The outbox: actions pending between drains, at most NODE_OUTBOX_MAX plus 4 per endpoint; a
 * drained outbox larger than NODE_OUTBOX_KEEP shrinks back to the initial size. */
#define NODE_OUTBOX_MAX     4096
#define NODE_OUTBOX_INITIAL 4
#define NODE_OUTBOX_KEEP    256

/* Votes of one kind for one (view, relay, data), collected by their recipient. */
typedef struct Accumulator {
    gboolean active;
    gboolean done; /* its certificate was formed; later votes are ignored unverified */
    uint64_t stake;
    uint64_t stake_next; /* epochs: a transition block's votes, counted in the next epoch's table */
    ProtoAggregate aggregate;
} Accumulator;

/* What a node holds of one view's block: the DA certificate, its own VID share, the payload
 * (DA members), and a validated proposal waiting for them before the node can vote. */
typedef struct DaRecord {
    ProtoView view; /* 0: unused */
    gboolean dac;
    ProtoCommit dac_commit;
    gboolean share;
    ProtoCommit share_commit;
    gboolean share_synthetic;
    uint64_t share_size; /* logical payload size */
    GBytes *share_ns_table;
    GBytes *share_layout;
    GBytes *share_units;
    ProtoSignature dispersal; /* the leader's signature over (view, commitment) */
    ProtoPayload *payload;    /* DA members */
    ProtoLeaf *pending;       /* a safe proposal waiting for the DAC and the share */
    uint32_t requests;
    gboolean share_unseen; /* test_silent_local_share: computed and kept, never announced */
} DaRecord;

typedef enum BlockState {
    BLOCK_NONE = 0,
    BLOCK_REQUESTED, /* asked the builder, waiting */
    BLOCK_READY,     /* payload in hand, dispersed */
} BlockState;

typedef enum ViewSyncPhase {
    VIEW_SYNC_IDLE = 0,
    VIEW_SYNC_PRECOMMIT, /* sent a pre-commit vote to the current relay */
    VIEW_SYNC_COMMIT,    /* holds a pre-commit certificate, sent a commit vote */
    VIEW_SYNC_FINALIZE,  /* holds a commit certificate, sent a finalize vote, entered the round */
} ViewSyncPhase;

/* What a lower module left for consensus during the call that just returned (see the file
 * comment); consensus__take_requests acts on them in this order. */
typedef struct NodeRequests {
    ProtoLeaf *vote;      /* da.c: its DAC and share are in; vote on this proposal (a reference) */
    ProtoView enter_view; /* view_sync.c: enter this view (by view sync); 0 for none */
    gboolean propose;     /* da.c: the leader's block is dispersed; view_sync.c: a finalize
                           * certificate is in; either way, try to propose */
} NodeRequests;

struct ProtoNode {
    ProtoNodeConfig config;
    ProtoEnv env;
    ProtoShared *shared;
    ProtoNodeId id;
    ProtoTime now;
    gboolean busy; /* inside an entry point: re-entry is a programmer error */
    /* While proto_node_recv handles a cached broadcast: its entry, whose byte-only check
     * results validation may reuse (node__recv_memo); else NULL. */
    ProtoRecvEntry *recv_entry;

    ProtoView cur_view;
    ProtoTime view_started;
    ProtoView last_voted_view; /* quorum and timeout votes share this slot */
    ProtoView last_proposed_view;
    ProtoView last_proposal_seen; /* one proposal per view is considered for voting */
    uint32_t consecutive_timeouts;

    ProtoCert *high_qc;
    /* Epochs: the epoch of the next block (that of the high QC's block plus one), whose table
     * elects leaders and counts timeouts and view sync; and the QC on the current epoch's
     * transition block, from which a broken transition restarts (consensus.c). */
    ProtoEpoch epoch;
    ProtoCert *transition_qc;
    /* Epochs: the DRB results this node computed, for the last NODE_DRB_KEEP epochs (HotShot
     * keeps 8; hotshot.md 1.3), slot epoch % NODE_DRB_KEEP; drb_epoch 0 marks an empty slot. Not
     * persisted: a restarted node computes them again when it needs them (consensus.c). */
    ProtoEpoch drb_epoch[NODE_DRB_KEEP];
    uint8_t drb[NODE_DRB_KEEP][32];
    ProtoView locked_view;
    ProtoCommit locked_leaf;
    ProtoCert *tc;          /* the highest TC this node holds (leader evidence) */
    ProtoCert *vs_finalize; /* the highest view-sync finalize certificate it holds */

    ProtoLeaf *anchor;          /* last decided leaf */
    ProtoLeaf *latest_proposal; /* last validated proposal, to retry a decide after a fetch */
    GHashTable *leaves;         /* commit -> validated leaf (reference); lookup only */

    /* A leader proposing on a TC or view sync first waits for high QCs until this time. */
    ProtoTime propose_deadline; /* PROTO_TIME_NONE when not waiting */

    /* NODE_ACCUMULATORS_MAX tallies, allocated when the node first tallies a vote: most nodes
     * never lead, and 32 empty tallies are 4 KiB per node (400 MiB at 100,000 nodes). */
    Accumulator *accumulators;
    uint32_t accumulators_active; /* how many are active: most nodes hold none, and a scan of
                                     all of them each view costs 32 cache lines */

    ProtoView vs_round; /* the round view sync is driving towards, 0 when idle */
    uint32_t vs_relay;
    ViewSyncPhase vs_phase;

    gboolean fetching;
    ProtoCommit fetch_leaf;
    ProtoView fetch_view;
    ProtoNodeId fetch_target;
    uint32_t fetch_attempts;

    /* Data availability (when shared->vid is set). */
    DaRecord *da;          /* ring of config.da_retain_views records, by view */
    ProtoDaVoted da_voted; /* the views DA-voted in, persisted */
    ProtoView block_view;  /* the view the leader's block is for */
    BlockState block_state;
    ProtoPayload *block;
    ProtoSignature block_dispersal;

    NodeRequests requests; /* empty outside a call into the node */

    ProtoCommit recent_certs[NODE_RECENT_CERTS]; /* digests this node verified lately */
    uint32_t recent_next;

    ProtoAction *outbox; /* ring of outbox_capacity (see NODE_OUTBOX_*) */
    uint32_t outbox_capacity;
    uint32_t outbox_head;
    uint32_t outbox_len;
    ProtoDuration cpu;
    ProtoDuration cpu_parallel; /* work that spreads over every vCPU (ADVZ's rayon code) */
    ProtoNodeStats stats;
};

/* Whether the node runs with the known bug `mutant` compiled in (mutant.h): the check at each
 * bug site, one compare of a configuration field. */
static inline gboolean node__mutant(const ProtoNode *node, ProtoMutant mutant)
{
    return node->config.mutant == mutant;
}

/* node_state.c */
/* Appends an action to the outbox; the outbox takes ownership of what it points to. */
void node__emit(ProtoNode *node, const ProtoAction *action);
void node__note(ProtoNode *node, ProtoNoteKind note, ProtoView view, int64_t value);
void node__send(ProtoNode *node, ProtoNodeId target, const ProtoMsg *msg);
/* Sends the node's high QC to `leader` as a HIGH_QC with any_sender: the same bytes from
 * every node forwarding that certificate, encoded once for the run (ProtoShared.forward_*). */
void node__forward_high_qc(ProtoNode *node, ProtoNodeId leader);
void node__broadcast(ProtoNode *node, const ProtoMsg *msg);
void node__timer_set(ProtoNode *node, ProtoTimer timer, ProtoTime at);
void node__timer_cancel(ProtoNode *node, ProtoTimer timer);
ProtoNodeId node__leader(const ProtoNode *node, ProtoView view);
/* The leader of `view` for a block at `height` (its epoch's leader; node__leader without epochs).
 */
ProtoNodeId node__leader_at(const ProtoNode *node, ProtoView view, uint64_t height);
/* The stake table of `epoch` (the run's one table without epochs). */
const ProtoStakeTable *node__table(const ProtoNode *node, ProtoEpoch epoch);
/* The height of the block a QC certifies (vote data carry it in HotShot, PR espresso#2829; here
 * the run's leaf pool knows it): 0 for genesis, UINT64_MAX when the leaf is unknown. */
uint64_t node__cert_height(const ProtoNode *node, const ProtoCert *cert);
/* Sets node->epoch from the high QC (epochs only). */
void node__refresh_epoch(ProtoNode *node);
int node__check_cert(ProtoNode *node, const ProtoCert *cert, uint64_t threshold);
/*
 * Checks a QC: its signature and the quorum of its block's epoch; with epochs, a QC on a block of
 * the transition (eH-3 .. eH) is a double QC: its signers must also hold a quorum of epoch e+1's
 * table. Returns as node__check_cert.
 */
int node__check_qc(ProtoNode *node, const ProtoCert *qc);
/* The stake a QC, a TC or a view-sync commit or finalize certificate needs: floor(2S/3) + 1. */
uint64_t node__quorum_threshold(const ProtoNode *node);

/* The cache entry of the broadcast being received when `proposal` is its decoded proposal (its
 * leaf commitment and signature check can then be reused, see recv_cache.h); else NULL. */
static inline ProtoRecvEntry *node__recv_memo(const ProtoNode *node, const ProtoProposal *proposal)
{
    ProtoRecvEntry *entry = node->recv_entry;
    return entry != NULL && &entry->msg.proposal == proposal ? entry : NULL;
}
ProtoCert *node__accumulate(ProtoNode *node, ProtoCertKind kind, const ProtoVote *vote, int *rc);
void node__sign_vote(ProtoNode *node, ProtoCertKind kind, ProtoView view, uint32_t relay,
                     const ProtoCommit *data, ProtoVote *vote);
ProtoLeaf *node__leaf(const ProtoNode *node, const ProtoCommit *commit);
void node__store_leaf(ProtoNode *node, ProtoLeaf *leaf);
void node__replace_cert(ProtoCert **slot, ProtoCert *cert);

#endif
