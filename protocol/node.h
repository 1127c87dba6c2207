/*
 * A HotShot node as a sans-I/O state machine (the boundary of DESIGN.md section 4).
 *
 * The node never reads a clock, touches a socket or starts a timer. Its driver (the simulator,
 * or one day a real network) feeds it inputs with the current time and drains the actions
 * they produce:
 *
 *   node = proto_node_new(&config, &env);
 *   proto_node_start(node, now);
 *   proto_node_recv(node, from, bytes, now);      // decode, validate, maybe act
 *   proto_node_on_timer(node, timer, now);
 *   while (proto_node_drain(node, &action)) { ...deliver it...; proto_action_clear(&action); }
 *   cost = proto_node_take_cpu(node);             // virtual CPU the inputs consumed
 *
 * Actions are data: send a message to a node, broadcast it to all others, set or cancel a
 * timer, a decided chain of leaves, and notes that describe what happened (views entered,
 * certificates formed, inputs rejected) for observers. A message for the node itself is an
 * ordinary SEND to its own id; the driver delivers it back, so the node never re-enters itself.
 * Entry points must not be called while another is running (asserted), and `now` must never
 * go backwards (asserted).
 *
 * The protocol is HotShot variant C (HotStuff-2 with high-QC forwarding, two-chain decide,
 * stake-weighted leaders) with switches for variant B's three-chain decide and round-robin
 * leaders; see ../shared/protocol/hotshot.md section 1 and the comments in consensus.c and
 * view_sync.c.
 */
#ifndef SHOTGLASS_PROTOCOL_NODE_H
#define SHOTGLASS_PROTOCOL_NODE_H

#include "protocol/crypto.h"
#include "protocol/epoch.h"
#include "protocol/leaf.h"
#include "protocol/message.h"
#include "protocol/mutant.h"
#include "protocol/payload.h"
#include "protocol/recv_cache.h"
#include "protocol/stake.h"
#include "protocol/vid.h"
#include "protocol/types.h"

#include <glib.h>
#include <stdint.h>

/* --- what all nodes of a run share --------------------------------------------------------- */

/*
 * Immutable or interning state shared by every node of a run: the stake table and crypto
 * provider (borrowed), and the certificate and leaf pools (owned). A real deployment would
 * have one per process.
 */
/* One remembered vote commitment (proto_vote_commit) of the run; see ProtoShared. */
typedef struct ProtoVoteCommitMemo {
    ProtoCertKind kind; /* 0: empty */
    ProtoView view;
    uint32_t relay;
    ProtoCommit data;
    ProtoCommit commit;
} ProtoVoteCommitMemo;

#define PROTO_VOTE_COMMIT_MEMOS 4

typedef struct ProtoShared {
    ProtoCrypto *crypto;
    const ProtoStakeTable *stake;
    /* The stake table per epoch (borrowed), or NULL without epochs: then `stake` is the table
     * of the whole run. With epochs, `stake` is the genesis table (the DA committee's stake). */
    ProtoEpochs *epochs;
    uint64_t drb_difficulty; /* SHA-256 iterations of the DRB (epochs only) */
    /* The last DRB computed (seed and result): every node that decides an epoch root computes
     * the same one, and is charged for it; a cache of a pure function. */
    gboolean drb_memo;
    uint8_t drb_seed[32];
    uint8_t drb_result[32];
    ProtoCertPool *certs;
    ProtoLeafPool *leaves;
    ProtoLeaf *genesis;
    ProtoCert *genesis_qc;
    uint32_t node_count;
    uint32_t endpoint_count; /* validators plus builders, users and rollups */
    /* The data-availability layer; vid is NULL when it is off (empty blocks, no DA traffic). */
    ProtoVidParams *vid;
    uint8_t *da_members; /* bitmap over validators */
    uint32_t da_count;
    uint64_t da_stake;
    uint64_t da_threshold; /* floor(2 S_DA / 3) + 1 */
    gboolean synthetic;    /* payload form of the run */
    /* VID dispersal: the leader sends every validator its share, and a replica votes only with
     * its share in hand (TRUE after proto_shared_enable_da). FALSE is the DA layer of the paper
     * and of Doppio (hotshot.md 4.4): the committee holds the whole block, nobody else any of
     * it, and replicas vote on the DA certificate alone. */
    gboolean dispersal;
    ProtoPayload *empty;      /* the empty block a leader proposes without a builder's */
    ProtoRecvCache *received; /* broadcasts decoded once for all recipients (recv_cache.h) */
    /* The last vote commitments computed: the voters of a view and its next leader, checking
     * their votes, all hash the same (kind, view, relay, data). A cache of a pure function. */
    ProtoVoteCommitMemo vote_commits[PROTO_VOTE_COMMIT_MEMOS];
    uint32_t vote_commit_next;
    /* The last high-QC forward encoded (any_sender: the same bytes from every node) and
     * the certificate it carries (a reference, so the address names that certificate). */
    ProtoCert *forward_cert;
    GBytes *forward_bytes;
    uint64_t forward_size;
} ProtoShared;

ProtoShared *proto_shared_new(ProtoCrypto *crypto, const ProtoStakeTable *stake);
void proto_shared_free(ProtoShared *shared);

/*
 * Turns epochs on: stake tables, leaders and quorums per epoch from `epochs` (borrowed; outlives
 * the shared state), the transition rules (hotshot.md 1.9) and the DRB of `drb_difficulty`
 * iterations. Call before creating nodes.
 */
void proto_shared_enable_epochs(ProtoShared *shared, ProtoEpochs *epochs, uint64_t drb_difficulty);

/*
 * Turns the data-availability layer on: the DA committee (`members`, validator ids, copied),
 * the payload form, and the number of endpoints (validators first, then the others) that may
 * send client messages. VID weights come from the stake table.
 */
void proto_shared_enable_da(ProtoShared *shared, const ProtoNodeId *members, uint32_t count,
                            gboolean synthetic, uint32_t endpoint_count);

static inline gboolean proto_shared_is_da_member(const ProtoShared *shared, ProtoNodeId id)
{
    return shared->da_members != NULL && id < shared->node_count &&
           ((shared->da_members[id >> 3] >> (id & 7)) & 1u);
}

/* --- configuration -----------------------------------------------------------------------------
 */

typedef struct ProtoNodeConfig {
    ProtoNodeId id;
    ProtoDuration view_timeout;       /* HotShot's next_view_timeout */
    ProtoDuration view_sync_timeout;  /* per relay attempt */
    ProtoDuration fetch_timeout;      /* before asking another peer for a missing leaf */
    gboolean three_chain;             /* variant B decide rule instead of two-chain */
    gboolean high_qc_forwarding;      /* variant C: send the high QC to each new leader */
    gboolean test_disable_lock_check; /* test only: vote without the locking rule */
    /* Test only, epochs: the buggy rules of hotshot.md 1.9's QNT findings (consensus.c). The
     * consecutive-view check of eH-1 and eH compares the justify QC with the node's own high QC
     * (finding i: a leader that formed that QC refuses its own proposal); the votes on an epoch's
     * last block go to the next view's leader in the current epoch's table (finding ii: only to
     * the leader), not to the next epoch's leader, who proposes the next epoch's first block. */
    gboolean test_own_proposal_check;
    gboolean test_last_votes_to_current_leader;
    ProtoMutant mutant; /* test only: a known bug compiled in (mutant.h) */
    /* Data availability (used when the shared state has it on). */
    ProtoNodeId builder;                /* endpoint id of the builder, or PROTO_NODE_NONE */
    ProtoDuration builder_timeout;      /* a leader proposes an empty block after this */
    ProtoDuration data_request_delay;   /* before asking DA members for a missing share */
    ProtoDuration data_request_timeout; /* before asking the next DA member */
    uint32_t da_retain_views;           /* views whose payloads and shares a node keeps */
    /* Test only: HotShot PR #3390's bug. With the primary down a DA member computes its own
     * share from the DA proposal, stores it, and never announces it, so it never votes. */
    gboolean test_silent_local_share;
} ProtoNodeConfig;

void proto_node_config_default(ProtoNodeConfig *config, ProtoNodeId id);

typedef uint64_t (*ProtoRandomFn)(void *user_data);

/* Whether node `id`'s network holds its primary (the CDN) down now (HotShot's
 * ConnectedNetwork::is_primary_down; the combined network's flag). */
typedef gboolean (*ProtoPrimaryDownFn)(void *user_data, ProtoNodeId id);

typedef struct ProtoEnv {
    ProtoShared *shared;       /* borrowed; outlives the node */
    const ProtoSigner *signer; /* the only key the node can sign with */
    ProtoRandomFn random;      /* uniform 64-bit values from the driver's seeded stream */
    void *random_user_data;
    ProtoPrimaryDownFn primary_down; /* optional; NULL: the primary is never down */
    void *primary_down_data;
} ProtoEnv;

/* --- actions ------------------------------------------------------------------------------------
 */

typedef enum ProtoTimer {
    PROTO_TIMER_VIEW = 0,      /* view timeout */
    PROTO_TIMER_VIEW_SYNC = 1, /* view-sync relay attempt */
    PROTO_TIMER_PROPOSE = 2,   /* a leader's wait for high QCs after a TC or view sync */
    PROTO_TIMER_FETCH = 3,     /* retry fetching a missing leaf */
    PROTO_TIMER_BUILDER = 4,   /* a leader's wait for its builder's block */
    PROTO_TIMER_DATA = 5,      /* a replica's wait before asking DA members for its share */
    PROTO_TIMER_COUNT_ = 6,
} ProtoTimer;

typedef enum ProtoActionKind {
    PROTO_ACTION_SEND = 1,
    PROTO_ACTION_BROADCAST,
    PROTO_ACTION_TIMER_SET,
    PROTO_ACTION_TIMER_CANCEL,
    PROTO_ACTION_DECIDE,
    PROTO_ACTION_NOTE,
} ProtoActionKind;

typedef enum ProtoNoteKind {
    PROTO_NOTE_VIEW_ENTERED = 1, /* value: ProtoViewReason */
    PROTO_NOTE_PROPOSED,         /* value: evidence kind */
    PROTO_NOTE_VOTED,
    PROTO_NOTE_TIMED_OUT,
    PROTO_NOTE_QC_FORMED,
    PROTO_NOTE_TC_FORMED,
    PROTO_NOTE_VIEW_SYNC_STARTED, /* view: the round */
    PROTO_NOTE_VIEW_SYNC_CERT,    /* view: the round; value: the certificate kind formed */
    PROTO_NOTE_REJECTED,          /* value: the PROTO_ERR_* code; view: the message type */
    PROTO_NOTE_UNSAFE_PROPOSAL,   /* a valid proposal that failed the locking rule */
    PROTO_NOTE_FETCH,             /* asked a peer for a missing leaf */
    PROTO_NOTE_DA_STORED,         /* a DA member stored the payload of `view` (commit set) */
    PROTO_NOTE_SHARE_STORED,      /* stored its VID share of `view` (commit; value = weight) */
    PROTO_NOTE_DAC_FORMED,        /* a leader formed the DA certificate of `view` */
    PROTO_NOTE_BLOCK_READY,       /* a leader has its block for `view` (value = logical size) */
    PROTO_NOTE_KIND_COUNT_,
} ProtoNoteKind;

typedef enum ProtoViewReason {
    PROTO_VIEW_BY_START = 0,
    PROTO_VIEW_BY_PROPOSAL,
    PROTO_VIEW_BY_VOTE,
    PROTO_VIEW_BY_QC,
    PROTO_VIEW_BY_TC,
    PROTO_VIEW_BY_TIMEOUT,
    PROTO_VIEW_BY_VIEW_SYNC,
} ProtoViewReason;

typedef struct ProtoAction {
    ProtoActionKind kind;
    ProtoNodeId target;    /* SEND */
    ProtoMsgType msg_type; /* SEND, BROADCAST */
    GBytes *bytes;         /* SEND, BROADCAST: owned */
    uint64_t size;         /* SEND, BROADCAST: charged size in bytes */
    uint32_t timer;        /* TIMER_* */
    ProtoTime at;          /* TIMER_SET */
    ProtoLeaf **leaves;    /* DECIDE: newly decided leaves, newest first; owned references */
    uint32_t leaf_count;
    ProtoCert *qc;      /* DECIDE: the QC that certifies the newest decided leaf; owned */
    ProtoNoteKind note; /* NOTE */
    ProtoView view;     /* NOTE; SEND, BROADCAST: the message's view for quorum and DA votes,
                           DA proposals and certificates and VID shares (what the combined
                           network's delay by view looks at), else 0 */
    int64_t value;      /* NOTE */
    ProtoCommit commit; /* NOTE: the payload commitment of DA notes */
} ProtoAction;

/* Releases what an action owns and zeroes it. */
void proto_action_clear(ProtoAction *action);

const char *proto_note_name(ProtoNoteKind note);
const char *proto_view_reason_name(ProtoViewReason reason);

/* --- the node
 * ------------------------------------------------------------------------------------- */

typedef struct ProtoNode ProtoNode;

typedef struct ProtoNodeStats {
    uint64_t received[PROTO_MSG_TYPE_COUNT_];
    uint64_t rejected[PROTO_ERR_COUNT_]; /* by -code */
    uint64_t proposals_sent;
    uint64_t votes_sent;
    uint64_t timeouts;
    uint64_t view_syncs;
    uint64_t decided_leaves;
    uint64_t fetches;
} ProtoNodeStats;

/* Creates a node; copies `config` and `env`. */
ProtoNode *proto_node_new(const ProtoNodeConfig *config, const ProtoEnv *env);
void proto_node_free(ProtoNode *node);

/* Enters view 1 at `now` (the leader of view 1 proposes on the genesis QC). */
void proto_node_start(ProtoNode *node, ProtoTime now);

typedef struct DaRecord ProtoDaRecord; /* opaque here; see node_state-internal.h */

/*
 * The views a node DA-voted in: bit i of `bits` is view `base + i`, and every view below `base`
 * counts as voted. Production HotShot exempts DA votes from the last-actioned-view rule, because
 * DA proposals for v and v + 1 can arrive out of order (hotshot.md 1.8), and so can DA-vote twice
 * in a view across a restart (HotShot PR #3971); a set per view refuses only the second vote in
 * one view. 64 views cover any pair of DA proposals a member still accepts (a view below its
 * current one is stale).
 */
typedef struct ProtoDaVoted {
    ProtoView base;
    uint64_t bits;
} ProtoDaVoted;

/*
 * What a node keeps on disk, and gets back after a crash: its last actioned views (so it never
 * votes or proposes twice in a view, HotShot #3648/#3686, nor DA-votes twice in a view, HotShot
 * #3971), its high QC and lock, its decided anchor, the validated leaves above the anchor (HotShot
 * persists every proposal it validates: without them, a restart of every node would lose the
 * certified but undecided blocks, and with them the parent of the next proposal), and the
 * payloads and VID shares it stores (so a DA member can still serve what it certified).
 * Everything else (pending votes, view-sync progress, timers, proposals waiting for data) is
 * lost.
 */
typedef struct ProtoPersisted {
    ProtoView last_voted_view;
    ProtoView last_proposed_view;
    ProtoDaVoted da_voted;
    ProtoCert *high_qc; /* owned reference */
    ProtoView locked_view;
    ProtoCommit locked_leaf;
    ProtoLeaf *anchor;  /* owned reference */
    ProtoLeaf **leaves; /* owned references: validated leaves above the anchor, by view */
    uint32_t leaf_count;
    ProtoDaRecord *da; /* owned; NULL without the DA layer */
    uint32_t da_count; /* records in `da` */
} ProtoPersisted;

/* Takes a snapshot of what `node` has persisted (references are taken). */
void proto_node_persist(const ProtoNode *node, ProtoPersisted *out);
void proto_persisted_clear(ProtoPersisted *persisted);

/*
 * Restarts a node from persisted state at `now`: it enters the view after its high QC, which
 * is kept apart from its last voted view (the fix of espresso #1931: restarting "in" the last
 * actioned view strands nodes in views no f+1 others share), and catches up from there.
 */
void proto_node_restart(ProtoNode *node, const ProtoPersisted *persisted, ProtoTime now);

/*
 * Handles a message from `from` (the authenticated transport sender). `bytes` is borrowed; the
 * node takes its own reference if it keeps it. Returns PROTO_OK, or the negative PROTO_ERR_*
 * code for which the message was rejected (rejections are also counted and noted).
 */
int proto_node_recv(ProtoNode *node, ProtoNodeId from, GBytes *bytes, ProtoTime now);

/* Handles the expiry of `timer` (a ProtoTimer) that the node set earlier. */
void proto_node_on_timer(ProtoNode *node, uint32_t timer, ProtoTime now);

/* Moves the oldest pending action into `action`; returns FALSE when there is none. */
gboolean proto_node_drain(ProtoNode *node, ProtoAction *action);

/* Returns the virtual CPU time consumed since the last call, and resets it. */
ProtoDuration proto_node_take_cpu(ProtoNode *node);

/* The same for the part of that work which runs on every vCPU of the host at once (ADVZ's VID
 * commitment and dispersal: jellyfish's default `parallel` feature, rayon). Not included in
 * proto_node_take_cpu(). */
ProtoDuration proto_node_take_parallel_cpu(ProtoNode *node);

ProtoNodeId proto_node_id(const ProtoNode *node);
ProtoView proto_node_view(const ProtoNode *node);
ProtoView proto_node_high_qc_view(const ProtoNode *node);
ProtoView proto_node_locked_view(const ProtoNode *node);
ProtoView proto_node_last_voted_view(const ProtoNode *node);
/* The decided anchor (borrowed). */
const ProtoLeaf *proto_node_anchor(const ProtoNode *node);
const ProtoNodeStats *proto_node_stats(const ProtoNode *node);
/* Bytes of heap memory the node holds itself (shared leaves and certificates excluded). */
size_t proto_node_memory(const ProtoNode *node);

#endif
