/*
 * HotShot consensus, variant C (HotStuff-2 with high-QC forwarding), with variant B's
 * three-chain decide as a switch. Specification: ../shared/protocol/hotshot.md section 1.
 *
 * How a view goes on the happy path. The leader L(v) holds QC(v-1), which it formed itself
 * from the votes for v-1 (it is their recipient). It builds a leaf extending the leaf that QC
 * certifies, signs the leaf commitment and broadcasts the proposal. A replica validates it
 * (leader, signature, justify QC, evidence), applies the locking rule, updates its high QC,
 * enters v, checks the decide rule, and if the proposal is safe and it has not voted in v, signs
 * a vote and sends it to L(v+1), then enters v+1 and sends L(v+1) its high QC. L(v+1) counts
 * votes by stake; at floor(2S/3)+1 it has QC(v) and proposes v+1.
 *
 * Locking and deciding (two-chain). A proposal P justified by a QC on leaf A, where A's own QC
 * certifies G: the lock becomes the highest QC seen (high QC and lock coincide in HotStuff-2),
 * and if view(G) + 1 == view(A), G and its undecided ancestors are decided. The block of view v
 * is thus decided when the proposal of v+2 is validated. With `three_chain`, HotShot's legacy
 * rule applies instead: walking from P through A, G, K while each step is exactly one view,
 * length two locks G and length three decides K (decided at the proposal of v+3).
 *
 * The locking rule: vote only if the proposal extends the locked leaf, or its justify QC is
 * newer than the lock (the liveness escape that lets nodes locked on a stale branch follow).
 *
 * Failures. A node whose view timer expires sends a timeout vote for its view to L(v+1) (the
 * timeout vote takes the view's vote slot, so no quorum vote can follow it) and moves to v+1;
 * a second consecutive timeout starts view sync (view_sync.c). L(v+1) forms a TC from timeout
 * votes. A leader proposing on a TC or a view-sync certificate instead of QC(v-1) waits half a
 * view timeout after entering the view, collecting the high QCs the other nodes send it, and
 * proposes on the highest, carrying the TC or certificate as evidence; it stops waiting early
 * only if it learns QC(v-1), which no other QC can beat (HotShot's wait_for_highest_qc).
 *
 * Data availability (da.c), when on: a leader proposes only once its block is dispersed (the
 * header carries the payload commitment and namespace table), and a replica votes only when the
 * proposal, the DA certificate and its own VID share are all present for the same commitment.
 *
 * Missing leaves. A proposal whose parent is unknown is still voted on when the liveness rule
 * allows, but deciding waits: the node asks the proposer for the missing leaf, then other
 * random peers every fetch_timeout, and retries the decide when it arrives.
 *
 * Among the node's layers (node_state-internal.h) this module sits above da.c and view_sync.c
 * and below node.c. It owns the view change (consensus__enter_view), which tells view sync
 * before consensus reacts itself, and it acts on the requests da.c and view_sync.c leave in
 * node->requests (consensus__take_requests): after each of its own calls into da.c, and for
 * node.c after each of node.c's.
 */
#include "protocol/consensus-internal.h"

#include "protocol/assert.h"
#include "protocol/da-internal.h"
#include "protocol/drb.h"
#include "protocol/view_sync-internal.h"

#include <string.h>

/* --- the DRB -------------------------------------------------------------------------------- */

/* This node's DRB result for `epoch`, or NULL when it has not computed it (or forgot it). */
static const uint8_t *own_drb(const ProtoNode *node, ProtoEpoch epoch)
{
    guint slot = (guint)(epoch % NODE_DRB_KEEP);
    return node->drb_epoch[slot] == epoch ? node->drb[slot] : NULL;
}

/*
 * Computes the DRB result of epoch `target` from `root`, the epoch root of target - 2 (its
 * QC-signature field; drb.h), charging `drb_difficulty` iterations to this node, and keeps it.
 * The schedule keeps the first result per epoch for the leader tables; an honest node computing
 * from the same root gets the same one. (The run shares the last computation's bytes as a cache
 * of wall time only: every node is charged its own.)
 */
static const uint8_t *compute_drb(ProtoNode *node, const ProtoLeaf *root, ProtoEpoch target)
{
    ProtoShared *shared = node->shared;
    uint8_t seed[PROTO_DRB_BYTES];
    proto_drb_seed(root->justify_qc, seed);
    if (!shared->drb_memo || memcmp(seed, shared->drb_seed, PROTO_DRB_BYTES) != 0) {
        memcpy(shared->drb_seed, seed, PROTO_DRB_BYTES);
        proto_drb_compute(seed, shared->drb_difficulty, shared->drb_result);
        shared->drb_memo = TRUE;
    }
    const ProtoCostTable *costs = proto_crypto_costs(shared->crypto);
    node->cpu += costs->drb_iteration * shared->drb_difficulty;
    guint slot = (guint)(target % NODE_DRB_KEEP);
    node->drb_epoch[slot] = target;
    memcpy(node->drb[slot], shared->drb_result, PROTO_DRB_BYTES);
    (void)proto_epochs_set_beacon(shared->epochs, target, node->drb[slot]);
    return node->drb[slot];
}

/*
 * Epochs: a decided epoch root of epoch e fixes the leader schedule of e + 2 (hotshot.md 1.2, 1.3,
 * HotShot's add_epoch_root): the node computes the DRB from the root's QC-signature field.
 */
static void on_epoch_root(ProtoNode *node, const ProtoLeaf *root)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    PROTO_ASSERT(proto_epoch_is_root(root->header.height, length));
    ProtoEpoch epoch = proto_epoch_of_height(root->header.height, length);
    if (own_drb(node, epoch + 2) == NULL) (void)compute_drb(node, root, epoch + 2);
}

/* Whether the proposal of a block at `height` carries the next epoch's DRB result: a block of
 * its epoch's transition (eH-3 .. eH) whose next epoch is the third or later (epochs 1 and 2
 * use the genesis beacon). */
static gboolean carries_drb(const ProtoNode *node, uint64_t height)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    return height > 0 && proto_epoch_in_transition(height, length) &&
           proto_epoch_of_height(height, length) + 1 >= 3;
}

/*
 * The DRB result of `target` as this node knows it: its own, or, for a node that has not decided
 * the root of target - 2 yet (a lagging node), computed now from that root if the node holds it
 * on the chain below `parent`. NULL when it can do neither.
 */
static const uint8_t *drb_for(ProtoNode *node, const ProtoLeaf *parent, ProtoEpoch target)
{
    const uint8_t *known = own_drb(node, target);
    if (known != NULL || target < 3) return known;
    uint64_t root = proto_epoch_root_height(target - 2, proto_epochs_length(node->shared->epochs));
    const ProtoLeaf *leaf = parent;
    while (leaf != NULL && leaf->header.height > root)
        leaf = node__leaf(node, &leaf->parent);
    if (leaf == NULL || leaf->header.height != root) return NULL;
    return compute_drb(node, leaf, target);
}

/*
 * Epochs: the DRB result a proposal carries (hotshot.md 1.3: voters recompute and refuse on a
 * mismatch). A transition block's proposal must carry the next epoch's result and others none;
 * the result must be the one this node computed (computing it now if it lags and holds the
 * root). A node that can neither (it holds no root: it decided nothing of that epoch) takes it
 * unchecked: HotShot's catch-up would fetch the root, which shotglass does not model.
 */
static int check_drb(ProtoNode *node, const ProtoProposal *p)
{
    if (!carries_drb(node, p->header.height)) {
        return p->header.has_drb ? PROTO_ERR_FIELD : PROTO_OK;
    }
    if (!p->header.has_drb) return PROTO_ERR_FIELD;
    uint64_t length = proto_epochs_length(node->shared->epochs);
    ProtoEpoch target = proto_epoch_of_height(p->header.height, length) + 1;
    const uint8_t *expected = drb_for(node, node__leaf(node, &p->parent), target);
    if (expected != NULL && memcmp(expected, p->header.next_drb, PROTO_DRB_BYTES) != 0) {
        return PROTO_ERR_INCONSISTENT;
    }
    return PROTO_OK;
}

/* --- validation --------------------------------------------------------------------------------
 */

/*
 * Computes a proposal's leaf commitment and checks the leader's signature over it. Both depend
 * on the bytes alone, so for a broadcast the first recipient's results are reused by the others
 * (recv_cache.h), each still charged the check.
 */
static int proposal_signature(ProtoNode *node, const ProtoProposal *p, ProtoNodeId proposer,
                              ProtoCommit *commit)
{
    ProtoRecvEntry *memo = node__recv_memo(node, p);
    if (memo != NULL && memo->have_commit) {
        *commit = memo->commit;
    } else {
        proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, commit);
        if (memo != NULL) {
            memo->commit = *commit;
            memo->have_commit = TRUE;
        }
    }
    ProtoCrypto *crypto = node->shared->crypto;
    if (memo != NULL && memo->have_signature && memo->signature_signer == proposer) {
        proto_crypto_charge_verify(crypto, &node->cpu);
        return memo->signature_rc;
    }
    int rc = proto_crypto_verify(crypto, proposer, commit, &p->signature, &node->cpu);
    if (memo != NULL) {
        memo->signature_rc = rc;
        memo->signature_signer = proposer;
        memo->have_signature = TRUE;
    }
    return rc;
}

/*
 * consensus__check_transition: the transition rules of epochs (hotshot.md 1.9, espresso-network PR
 * #2853), for a proposal whose structure is otherwise valid: its height follows its justify QC's
 * block; blocks eH-2 .. eH carry no transactions; and eH-1 and eH (whose parents are empty
 * transition blocks) are proposed in the view right after their parent's, on its QC with no other
 * evidence. The child of the transition block eH-3 may follow a failure: that is where a broken
 * transition restarts (try_propose).
 */
int consensus__check_transition(const ProtoNode *node, const ProtoProposal *p)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    uint64_t height = p->header.height;
    uint64_t parent = node__cert_height(node, p->justify_qc);
    if (parent != UINT64_MAX && parent + 1 != height) return PROTO_ERR_INCONSISTENT;
    if (height == 0) return PROTO_ERR_FIELD;
    if (!proto_epoch_must_be_empty(height, length)) return PROTO_OK;
    if (p->header.payload_size != 0) return PROTO_ERR_FIELD;
    if (proto_epoch_must_be_empty(height - 1, length) &&
        (p->justify_qc->view + 1 != p->view || p->evidence_kind != PROTO_EVIDENCE_NONE)) {
        return PROTO_ERR_EVIDENCE;
    }
    /* test_own_proposal_check (QNT finding i, hotshot.md 1.9): the consecutive views are read
     * off the node's own high QC, which must be the QC just before the justify QC. A leader has
     * already raised its high QC to the justify QC it formed, and refuses its own proposal. */
    if (node->config.test_own_proposal_check && proto_epoch_must_be_empty(height - 1, length) &&
        node->high_qc->view + 1 != p->justify_qc->view) {
        return PROTO_ERR_EVIDENCE;
    }
    return PROTO_OK;
}

/*
 * Checks a proposal from `proposer` and computes its leaf commitment. Cheap structural checks
 * come before signatures.
 */
static int validate_proposal(ProtoNode *node, const ProtoProposal *p, ProtoNodeId proposer,
                             ProtoCommit *commit)
{
    if (p->view == 0 || p->justify_qc->view >= p->view) return PROTO_ERR_FIELD;
    if (proposer != node__leader_at(node, p->view, p->header.height)) return PROTO_ERR_LEADER;
    if (!proto_commit_equal(&p->parent, &p->justify_qc->data)) return PROTO_ERR_INCONSISTENT;
    gboolean needs_evidence = p->justify_qc->view + 1 != p->view;
    if (needs_evidence || p->evidence_kind != PROTO_EVIDENCE_NONE) {
        if (p->evidence_kind == PROTO_EVIDENCE_TC && p->evidence->view + 1 != p->view) {
            return PROTO_ERR_EVIDENCE;
        }
        if (p->evidence_kind == PROTO_EVIDENCE_VIEW_SYNC && p->evidence->view != p->view) {
            return PROTO_ERR_EVIDENCE;
        }
        if (p->evidence_kind == PROTO_EVIDENCE_NONE) return PROTO_ERR_EVIDENCE;
    }
    if (node->shared->epochs != NULL) {
        int rc = consensus__check_transition(node, p);
        if (rc != PROTO_OK) return rc;
    }
    int rc = proposal_signature(node, p, proposer, commit);
    if (rc != PROTO_OK) return rc;
    rc = node__check_qc(node, p->justify_qc);
    if (rc == PROTO_OK && p->evidence_kind != PROTO_EVIDENCE_NONE) {
        uint64_t threshold = node__quorum_threshold(node);
        /* mutant accept_weak_tc: any TC with one valid signature will do */
        if (p->evidence_kind == PROTO_EVIDENCE_TC &&
            node__mutant(node, PROTO_MUTANT_ACCEPT_WEAK_TC)) {
            threshold = 1;
        }
        rc = node__check_cert(node, p->evidence, threshold);
        if (rc != PROTO_OK) rc = PROTO_ERR_EVIDENCE;
    }
    if (rc == PROTO_OK && node->shared->epochs != NULL) rc = check_drb(node, p);
    return rc;
}

/*
 * Epochs: whether `leaf` restarts a broken transition from the transition QC while the lock is on
 * an empty block of that transition (eH-2 or eH-1) that extends the transition block: those
 * blocks carry no transactions and cannot be decided before eH-1 and eH are certified in
 * consecutive views, which the break prevented at this node.
 */
static gboolean restarts_transition(const ProtoNode *node, const ProtoLeaf *leaf)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    uint64_t from = leaf->header.height - 1;
    if (leaf->header.height == 0 ||
        proto_epoch_transition_height(proto_epoch_of_height(from, length), length) != from) {
        return FALSE;
    }
    const ProtoLeaf *locked = node__leaf(node, &node->locked_leaf);
    for (int step = 0; locked != NULL && step < 3; step++) {
        if (locked->header.height == from) {
            return proto_commit_equal(&locked->commit, &leaf->parent);
        }
        if (!proto_epoch_must_be_empty(locked->header.height, length) ||
            proto_epoch_is_last(locked->header.height, length)) {
            return FALSE;
        }
        locked = node__leaf(node, &locked->parent);
    }
    return FALSE;
}

/* The locking rule (see the file comment). */
static gboolean is_safe(const ProtoNode *node, const ProtoLeaf *leaf)
{
    if (node->config.test_disable_lock_check) return TRUE;
    if (node__mutant(node, PROTO_MUTANT_SKIP_LOCK_CHECK)) return TRUE; /* mutant skip_lock_check */
    if (leaf->justify_qc->view > node->locked_view) return TRUE;
    if (node->shared->epochs != NULL && restarts_transition(node, leaf)) return TRUE;
    const ProtoLeaf *cur = node__leaf(node, &leaf->parent);
    while (cur != NULL) {
        if (proto_commit_equal(&cur->commit, &node->locked_leaf)) return TRUE;
        if (cur->view <= node->locked_view) return FALSE;
        cur = node__leaf(node, &cur->parent);
    }
    return FALSE; /* a gap in the chain: cannot show that it extends the lock */
}

static void update_high_qc(ProtoNode *node, ProtoCert *qc)
{
    PROTO_ASSERT(qc->kind == PROTO_CERT_QC);
    if (qc->view <= node->high_qc->view) return;
    node__replace_cert(&node->high_qc, qc);
    if (!node->config.three_chain) {
        node->locked_view = qc->view;
        node->locked_leaf = qc->data;
    }
    if (node->shared->epochs != NULL) {
        node__refresh_epoch(node);
        uint64_t length = proto_epochs_length(node->shared->epochs);
        uint64_t height = node__cert_height(node, qc);
        if (height != UINT64_MAX && height > 0 &&
            proto_epoch_transition_height(proto_epoch_of_height(height, length), length) ==
                height) {
            node__replace_cert(&node->transition_qc, qc);
        }
    }
}

/* --- fetching missing leaves --------------------------------------------------------------------
 */

static void send_fetch(ProtoNode *node)
{
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL_REQUEST, .sender = node->id};
    msg.leaf = node->fetch_leaf;
    msg.view = node->fetch_view;
    node__send(node, node->fetch_target, &msg);
    node__timer_set(node, PROTO_TIMER_FETCH, node->now + node->config.fetch_timeout);
    node->stats.fetches++;
    node__note(node, PROTO_NOTE_FETCH, 0, node->fetch_target);
}

static ProtoNodeId random_peer(ProtoNode *node)
{
    uint32_t n = node->shared->node_count;
    if (n == 1) return node->id;
    ProtoNodeId peer = (ProtoNodeId)(node->env.random(node->env.random_user_data) % (n - 1));
    return peer >= node->id ? peer + 1 : peer;
}

/* Asks `hint` (or a random peer) for the leaf of `view` with `commit`, unless held or asked. */
static void fetch(ProtoNode *node, const ProtoCommit *commit, ProtoView view, ProtoNodeId hint)
{
    if (node__leaf(node, commit) != NULL) return;
    if (node->fetching && proto_commit_equal(&node->fetch_leaf, commit)) return;
    node->fetching = TRUE;
    node->fetch_leaf = *commit;
    node->fetch_view = view;
    node->fetch_attempts = 0;
    node->fetch_target =
        hint < node->shared->node_count && hint != node->id ? hint : random_peer(node);
    send_fetch(node);
}

void consensus__on_fetch_timer(ProtoNode *node)
{
    if (!node->fetching) return;
    if (node__leaf(node, &node->fetch_leaf) != NULL) {
        node->fetching = FALSE;
        return;
    }
    node->fetch_attempts++;
    node->fetch_target = random_peer(node);
    send_fetch(node);
}

/* --- deciding --------------------------------------------------------------------------------- */

static gboolean drop_below_anchor(gpointer key, gpointer value, gpointer user_data)
{
    (void)key;
    return ((const ProtoLeaf *)value)->view < ((const ProtoLeaf *)user_data)->view;
}

/*
 * Decides `target` and its undecided ancestors, certified by `qc`. Waits (fetching) when a leaf
 * between it and the anchor is missing; refuses a chain that does not reach the anchor, which
 * only a safety violation elsewhere can produce.
 */
static void decide_chain(ProtoNode *node, ProtoLeaf *target, ProtoCert *qc)
{
    if (target->view <= node->anchor->view) return;
    GPtrArray *chain = g_ptr_array_new();
    ProtoLeaf *cur = target;
    while (cur->view > node->anchor->view) {
        g_ptr_array_add(chain, cur);
        ProtoLeaf *parent = node__leaf(node, &cur->parent);
        if (parent == NULL) {
            fetch(node, &cur->parent, cur->justify_qc->view, cur->proposer);
            g_ptr_array_free(chain, TRUE);
            return;
        }
        cur = parent;
    }
    if (!proto_commit_equal(&cur->commit, &node->anchor->commit)) {
        /* REJECTED notes carry the message type in their view field (node.h) */
        node__note(node, PROTO_NOTE_REJECTED, PROTO_MSG_PROPOSAL, PROTO_ERR_INCONSISTENT);
        g_ptr_array_free(chain, TRUE);
        return;
    }
    ProtoAction action = {.kind = PROTO_ACTION_DECIDE, .qc = proto_cert_ref(qc)};
    /* mutant decide_without_ancestors: the newest leaf only (chain->pdata[0] is the target) */
    if (node__mutant(node, PROTO_MUTANT_DECIDE_WITHOUT_ANCESTORS)) g_ptr_array_set_size(chain, 1);
    action.leaf_count = chain->len;
    action.leaves = g_new(ProtoLeaf *, chain->len);
    for (guint i = 0; i < chain->len; i++)
        action.leaves[i] = proto_leaf_ref(chain->pdata[i]);
    g_ptr_array_free(chain, TRUE);
    ProtoLeaf *old = node->anchor;
    node->anchor = proto_leaf_ref(target);
    proto_leaf_unref(old);
    node->stats.decided_leaves += action.leaf_count;
    if (node->shared->epochs != NULL) {
        uint64_t length = proto_epochs_length(node->shared->epochs);
        for (uint32_t i = action.leaf_count; i-- > 0;) {
            if (proto_epoch_is_root(action.leaves[i]->header.height, length)) {
                on_epoch_root(node, action.leaves[i]);
            }
        }
    }
    node__emit(node, &action);
    /* iteration-ok: a filter, the order of removals cannot matter */
    g_hash_table_foreach_remove(node->leaves, drop_below_anchor, node->anchor);
}

/*
 * Epochs: the empty blocks eH-2 and eH-1 are not decided on their own, only with the last block
 * eH. So a broken transition can restart from the transition QC (try_propose) without abandoning
 * a decided block: a restart is voted for only by nodes locked no higher than eH-1
 * (restarts_transition), and once eH is certified a quorum is locked on it.
 */
static gboolean held_in_transition(const ProtoNode *node, const ProtoLeaf *leaf)
{
    if (node->shared->epochs == NULL) return FALSE;
    uint64_t length = proto_epochs_length(node->shared->epochs);
    return proto_epoch_must_be_empty(leaf->header.height, length) &&
           !proto_epoch_is_last(leaf->header.height, length);
}

/* Applies the decide rule to a validated proposal's leaf (see the file comment). */
static void try_decide(ProtoNode *node, ProtoLeaf *leaf)
{
    ProtoLeaf *a = node__leaf(node, &leaf->parent);
    if (a == NULL) {
        fetch(node, &leaf->parent, leaf->justify_qc->view, leaf->proposer);
        return;
    }
    if (a->view == 0) return; /* the parent is genesis: nothing before it to decide */
    if (node__mutant(node, PROTO_MUTANT_ONE_CHAIN_DECIDE)) { /* mutant one_chain_decide */
        decide_chain(node, a, leaf->justify_qc);
        return;
    }
    if (!node->config.three_chain) {
        ProtoLeaf *g = node__leaf(node, &a->justify_qc->data);
        if (g == NULL) {
            fetch(node, &a->justify_qc->data, a->justify_qc->view, a->proposer);
            return;
        }
        if (g->view + 1 == a->view && !held_in_transition(node, g)) {
            decide_chain(node, g, a->justify_qc);
        }
        return;
    }
    if (leaf->view != a->view + 1) return;
    ProtoLeaf *g = node__leaf(node, &a->justify_qc->data);
    if (g == NULL) {
        fetch(node, &a->justify_qc->data, a->justify_qc->view, a->proposer);
        return;
    }
    if (a->view != g->view + 1 || g->view == 0) return;
    if (g->view > node->locked_view) {
        node->locked_view = g->view;
        node->locked_leaf = g->commit;
    }
    ProtoLeaf *k = node__leaf(node, &g->justify_qc->data);
    if (k == NULL) {
        fetch(node, &g->justify_qc->data, g->justify_qc->view, g->proposer);
        return;
    }
    if (g->view == k->view + 1) decide_chain(node, k, g->justify_qc);
}

/* --- proposing -----------------------------------------------------------------------------------
 */

/* Has da.c start the leader's block for `view`, proposing if that disperses it at once. */
static void start_block(ProtoNode *node, ProtoView view)
{
    da__start_block(node, view);
    consensus__take_requests(node);
}

/* Builds, signs and sends the proposal for the current view on the high QC. */
static void propose(ProtoNode *node, ProtoLeaf *parent, ProtoCert *justify, ProtoEvidence kind,
                    ProtoCert *evidence)
{
    ProtoView view = node->cur_view;
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = node->id};
    ProtoProposal *p = &msg.proposal;
    p->view = view;
    p->parent = parent->commit;
    p->header.height = parent->header.height + 1;
    p->header.timestamp = node->now;
    if (da__enabled(node)) {
        da__fill_header(node, &p->header);
    } else {
        p->header.ns_table = g_bytes_new(NULL, 0);
    }
    if (node->shared->epochs != NULL && carries_drb(node, p->header.height)) {
        uint64_t length = proto_epochs_length(node->shared->epochs);
        ProtoEpoch next = proto_epoch_of_height(p->header.height, length) + 1;
        const uint8_t *drb = drb_for(node, parent, next);
        p->header.has_drb = drb != NULL; /* without it, replicas refuse the proposal */
        if (drb != NULL) memcpy(p->header.next_drb, drb, PROTO_DRB_BYTES);
    }
    p->justify_qc = justify;
    p->evidence_kind = kind;
    p->evidence = evidence;
    ProtoCommit commit;
    proto_leaf_commit(view, &p->parent, &p->header, p->justify_qc, &commit);
    proto_crypto_sign(node->env.signer, &commit, &p->signature, &node->cpu);
    /* One encoding for everyone: the broadcast to the others and the copy to ourselves, which
     * we validate and vote on like any replica. */
    ProtoAction action = {.kind = PROTO_ACTION_BROADCAST, .msg_type = PROTO_MSG_PROPOSAL};
    action.bytes = proto_msg_encode(&msg, &action.size);
    ProtoAction self = action;
    self.kind = PROTO_ACTION_SEND;
    self.target = node->id;
    self.bytes = g_bytes_ref(action.bytes);
    node__emit(node, &action);
    node__emit(node, &self);
    g_bytes_unref(p->header.ns_table);
    node->last_proposed_view = view;
    node->propose_deadline = PROTO_TIME_NONE;
    node->stats.proposals_sent++;
    node__note(node, PROTO_NOTE_PROPOSED, view, kind);
}

/*
 * Epochs: what a leader proposing on a TC or view sync builds on. A high QC on eH-2 or eH-1 cannot
 * be extended (its child must follow in the next view), so the transition restarts from the
 * transition QC (on eH-3) of the same epoch; any other high QC is extended as usual.
 */
static ProtoCert *restart_qc(const ProtoNode *node)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    uint64_t height = node__cert_height(node, node->high_qc);
    const ProtoCert *tqc = node->transition_qc;
    if (height == UINT64_MAX || height == 0 || !proto_epoch_must_be_empty(height, length) ||
        proto_epoch_is_last(height, length) || tqc == NULL) {
        return node->high_qc;
    }
    uint64_t transition =
        proto_epoch_transition_height(proto_epoch_of_height(height, length), length);
    return node__cert_height(node, tqc) == transition ? node->transition_qc : node->high_qc;
}

/*
 * Proposes for the current view if this node leads it and holds evidence to enter it: QC(v-1)
 * (propose at once), or a TC for v-1 or a view-sync finalize certificate for v (first collect
 * high QCs until half a view timeout has passed; one for v-1 ends the wait, see the file comment).
 */
void consensus__try_propose(ProtoNode *node)
{
    ProtoView v = node->cur_view;
    if (v == 0 || node__leader(node, v) != node->id || v <= node->last_proposed_view) return;
    ProtoEvidence kind = PROTO_EVIDENCE_NONE;
    ProtoCert *evidence = NULL;
    if (node->high_qc->view + 1 != v) {
        if (node->tc != NULL && node->tc->view + 1 == v) {
            kind = PROTO_EVIDENCE_TC;
            evidence = node->tc;
        } else if (node->vs_finalize != NULL && node->vs_finalize->view == v) {
            kind = PROTO_EVIDENCE_VIEW_SYNC;
            evidence = node->vs_finalize;
        } else {
            return; /* nothing lets us lead this view yet */
        }
        ProtoTime deadline = node->view_started + node->config.view_timeout / 2;
        if (node->now < deadline) {
            if (node->propose_deadline != deadline) {
                node->propose_deadline = deadline;
                node__timer_set(node, PROTO_TIMER_PROPOSE, deadline);
            }
            return;
        }
    }
    ProtoCert *justify = node->high_qc;
    if (kind != PROTO_EVIDENCE_NONE && node->shared->epochs != NULL) justify = restart_qc(node);
    ProtoLeaf *parent = node__leaf(node, &justify->data);
    if (parent == NULL) {
        fetch(node, &justify->data, justify->view,
              PROTO_NODE_NONE); /* retried when the leaf arrives */
        return;
    }
    if (da__enabled(node) && !da__block_ready(node, v)) {
        start_block(node, v); /* proposing is retried when the block is dispersed */
        return;
    }
    /* Epochs with DA: a dispersed block with transactions cannot become eH-2 .. eH (da.c chose
     * the empty block when it foresaw the height; otherwise the view is lost). */
    if (da__enabled(node) && node->shared->epochs != NULL && node->block->size != 0 &&
        proto_epoch_must_be_empty(parent->header.height + 1,
                                  proto_epochs_length(node->shared->epochs))) {
        return;
    }
    if (node->propose_deadline != PROTO_TIME_NONE) node__timer_cancel(node, PROTO_TIMER_PROPOSE);
    propose(node, parent, justify, kind, evidence);
}

/* Epochs: the leader of `view` for the block it will probably propose (the latest proposal's
 * child if that proposal is of the view before, else the high QC's block's child); the view's
 * leader without epochs. */
static ProtoNodeId expected_leader(const ProtoNode *node, ProtoView view)
{
    if (node->shared->epochs == NULL) return node__leader(node, view);
    const ProtoLeaf *latest = node->latest_proposal;
    uint64_t height = latest != NULL && latest->view + 1 == view
                          ? latest->header.height
                          : node__cert_height(node, node->high_qc);
    if (height == UINT64_MAX) return node__leader(node, view);
    return node__leader_at(node, view, height + 1);
}

static void on_view_entered(ProtoNode *node)
{
    if (da__enabled(node) && expected_leader(node, node->cur_view) == node->id) {
        start_block(node, node->cur_view);
    }
    if (node->propose_deadline != PROTO_TIME_NONE) {
        node->propose_deadline = PROTO_TIME_NONE;
        node__timer_cancel(node, PROTO_TIMER_PROPOSE);
    }
    consensus__try_propose(node);
}

/* --- views ------------------------------------------------------------------------------------ */

void consensus__enter_view(ProtoNode *node, ProtoView view, ProtoViewReason reason)
{
    if (view <= node->cur_view) return;
    node->cur_view = view;
    node->view_started = node->now;
    if (reason != PROTO_VIEW_BY_TIMEOUT) node->consecutive_timeouts = 0;
    node__timer_set(node, PROTO_TIMER_VIEW, node->now + node->config.view_timeout);
    node__note(node, PROTO_NOTE_VIEW_ENTERED, view, reason);
    ProtoNodeId leader = node__leader(node, view);
    if (node->config.high_qc_forwarding && leader != node->id) node__forward_high_qc(node, leader);
    /* Old vote collections can no longer produce a useful certificate. */
    for (int i = 0; i < NODE_ACCUMULATORS_MAX && node->accumulators_active > 0; i++) {
        Accumulator *a = &node->accumulators[i];
        if (!a->active) continue;
        gboolean view_sync = a->aggregate.kind >= PROTO_CERT_VS_PRECOMMIT;
        ProtoView keep_from = view_sync ? view : (view >= 2 ? view - 2 : 0);
        if (a->aggregate.view + (view_sync ? 0 : 1) < keep_from) {
            proto_aggregate_clear(&a->aggregate);
            a->active = FALSE;
            node->accumulators_active--;
        }
    }
    view_sync__on_view_entered(node);
    on_view_entered(node);
}

/* --- voting ------------------------------------------------------------------------------------
 */

/* Epochs: whether this node votes on a block at `height`: it has stake in the block's epoch, or,
 * for a transition block, in the next one. */
static gboolean staked_for(const ProtoNode *node, uint64_t height)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    ProtoEpoch epoch = proto_epoch_of_height(height, length);
    if (proto_stake_of(node__table(node, epoch), node->id) > 0) return TRUE;
    return proto_epoch_in_transition(height, length) &&
           proto_stake_of(node__table(node, epoch + 1), node->id) > 0;
}

/*
 * Epochs: who collects the votes on the block at `height` voted in `view`: the leader of the next
 * view, drawn from the table of the epoch of the block's child (for an epoch's last block, the
 * next epoch's leader, who proposes that epoch's first block). test_last_votes_to_current_leader
 * (QNT finding ii, hotshot.md 1.9) sends the last block's votes to the current epoch's leader.
 */
static ProtoNodeId qc_vote_recipient(const ProtoNode *node, ProtoView view, uint64_t height)
{
    uint64_t length = proto_epochs_length(node->shared->epochs);
    if (node->config.test_last_votes_to_current_leader && proto_epoch_is_last(height, length)) {
        return node__leader_at(node, view + 1, height);
    }
    return node__leader_at(node, view + 1, height + 1);
}

static void cast_vote(ProtoNode *node, const ProtoLeaf *leaf)
{
    PROTO_ASSERT(leaf->view > node->last_voted_view);
    ProtoMsg msg = {.type = PROTO_MSG_QUORUM_VOTE, .sender = node->id};
    if (node->shared->epochs == NULL) {
        node__sign_vote(node, PROTO_CERT_QC, leaf->view, 0, &leaf->commit, &msg.vote);
        node__send(node, node__leader(node, leaf->view + 1), &msg);
    } else if (staked_for(node, leaf->header.height)) {
        node__sign_vote(node, PROTO_CERT_QC, leaf->view, 0, &leaf->commit, &msg.vote);
        node__send(node, qc_vote_recipient(node, leaf->view, leaf->header.height), &msg);
    }
    node->last_voted_view = leaf->view;
    node->stats.votes_sent++;
    node__note(node, PROTO_NOTE_VOTED, leaf->view, 0);
    consensus__enter_view(node, leaf->view + 1, PROTO_VIEW_BY_VOTE);
}

void consensus__take_requests(ProtoNode *node)
{
    /* Taken whole first: what the actions below raise, the wrappers of the lower calls take. */
    NodeRequests taken = node->requests;
    memset(&node->requests, 0, sizeof node->requests);
    if (taken.vote != NULL) {
        cast_vote(node, taken.vote);
        proto_leaf_unref(taken.vote);
        node__timer_cancel(node, PROTO_TIMER_DATA); /* da.c's wait for the share is over */
    }
    if (taken.enter_view != 0) {
        consensus__enter_view(node, taken.enter_view, PROTO_VIEW_BY_VIEW_SYNC);
    }
    if (taken.propose) consensus__try_propose(node);
    PROTO_ASSERT(node->requests.vote == NULL && node->requests.enter_view == 0);
    PROTO_ASSERT(!node->requests.propose);
}

static ProtoLeaf *intern_leaf(ProtoNode *node, const ProtoProposal *p, const ProtoCommit *commit,
                              ProtoNodeId proposer, GBytes *bytes)
{
    ProtoLeaf *leaf = proto_leaf_intern(node->shared->leaves, commit, p->view, &p->parent,
                                        &p->header, p->justify_qc, proposer, bytes);
    leaf->proposal_discount = proto_proposal_discount(p); /* the same for every copy */
    return leaf;
}

int consensus__on_proposal(ProtoNode *node, const ProtoMsg *msg, GBytes *bytes)
{
    const ProtoProposal *p = &msg->proposal;
    if (p->view < node->cur_view) return PROTO_ERR_STALE;
    /* One proposal per view is considered: a second (an equivocating leader's) is ignored. */
    if (p->view <= node->last_proposal_seen) return PROTO_ERR_DUPLICATE;
    ProtoCommit commit;
    int rc = validate_proposal(node, p, msg->sender, &commit);
    if (rc != PROTO_OK) return rc;
    ProtoLeaf *parent = node__leaf(node, &p->parent);
    if (parent != NULL && p->header.height != parent->header.height + 1) {
        return PROTO_ERR_INCONSISTENT;
    }
    ProtoLeaf *leaf = intern_leaf(node, p, &commit, msg->sender, bytes);
    node->last_proposal_seen = p->view;
    node__store_leaf(node, leaf);
    ProtoLeaf *previous = node->latest_proposal;
    node->latest_proposal = leaf; /* takes the interned reference */
    proto_leaf_unref(previous);
    gboolean safe = is_safe(node, leaf);
    update_high_qc(node, p->justify_qc);
    if (p->evidence_kind == PROTO_EVIDENCE_VIEW_SYNC &&
        (node->vs_finalize == NULL || node->vs_finalize->view < p->evidence->view)) {
        node__replace_cert(&node->vs_finalize, p->evidence);
    }
    consensus__enter_view(node, p->view, PROTO_VIEW_BY_PROPOSAL);
    try_decide(node, leaf);
    if (!safe) {
        node__note(node, PROTO_NOTE_UNSAFE_PROPOSAL, p->view, 0);
        return PROTO_ERR_UNSAFE;
    }
    /* HotShot leaders start fetching their block as soon as they see the previous proposal. */
    /* (With epochs, the leader of the next block's epoch: the proposal's block may be its
     * epoch's last.) */
    if (da__enabled(node) && node__leader_at(node, p->view + 1, p->header.height + 1) == node->id) {
        start_block(node, p->view + 1);
    }
    if (p->view != node->cur_view || p->view <= node->last_voted_view) return PROTO_OK;
    if (da__enabled(node)) {
        da__on_safe_proposal(node, leaf); /* votes once the DAC and its share are there */
        consensus__take_requests(node);
    } else {
        cast_vote(node, leaf);
    }
    return PROTO_OK;
}

int consensus__on_proposal_response(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoProposal *p = &msg->proposal;
    ProtoNodeId proposer = msg->vote.signer; /* the inner message's sender */
    if (p->view <= node->anchor->view) return PROTO_ERR_STALE;
    ProtoCommit commit;
    int rc = validate_proposal(node, p, proposer, &commit);
    if (rc != PROTO_OK) return rc;
    ProtoLeaf *leaf = intern_leaf(node, p, &commit, proposer, msg->proposal_bytes);
    node__store_leaf(node, leaf);
    proto_leaf_unref(leaf);
    if (node->fetching && proto_commit_equal(&node->fetch_leaf, &commit)) {
        node->fetching = FALSE;
        node__timer_cancel(node, PROTO_TIMER_FETCH);
    }
    update_high_qc(node, p->justify_qc);
    /* The leaf may complete a chain to decide, or be the parent a leader waits for. */
    if (node->latest_proposal != NULL) try_decide(node, node->latest_proposal);
    consensus__try_propose(node);
    return PROTO_OK;
}

int consensus__on_proposal_request(ProtoNode *node, const ProtoMsg *msg)
{
    ProtoLeaf *leaf = node__leaf(node, &msg->leaf);
    if (leaf == NULL || leaf->proposal == NULL || leaf->view != msg->view) {
        return PROTO_ERR_UNKNOWN;
    }
    ProtoMsg reply = {.type = PROTO_MSG_PROPOSAL_RESPONSE, .sender = node->id};
    reply.proposal_bytes = leaf->proposal;
    reply.inner_discount = leaf->proposal_discount;
    node__send(node, msg->sender, &reply);
    return PROTO_OK;
}

/* --- certificates from votes -------------------------------------------------------------------
 */

static void on_certificate(ProtoNode *node, ProtoCert *cert)
{
    if (cert->kind == PROTO_CERT_QC) {
        node__note(node, PROTO_NOTE_QC_FORMED, cert->view, cert->signer_count);
        update_high_qc(node, cert);
        consensus__enter_view(node, cert->view + 1, PROTO_VIEW_BY_QC);
    } else {
        node__note(node, PROTO_NOTE_TC_FORMED, cert->view, cert->signer_count);
        if (node->tc == NULL || node->tc->view < cert->view) node__replace_cert(&node->tc, cert);
        consensus__enter_view(node, cert->view + 1, PROTO_VIEW_BY_TC);
    }
    consensus__try_propose(node);
}

/* Who collects `vote`: the leader of the next view, of the epoch of the voted block's child. */
static ProtoNodeId vote_recipient(const ProtoNode *node, ProtoCertKind kind, const ProtoVote *vote)
{
    if (node->shared->epochs == NULL || kind != PROTO_CERT_QC) {
        return node__leader(node, vote->view + 1);
    }
    const ProtoLeaf *leaf = proto_leaf_lookup(node->shared->leaves, &vote->data);
    if (leaf == NULL) return node__leader(node, vote->view + 1);
    return qc_vote_recipient(node, vote->view, leaf->header.height);
}

int consensus__on_vote(ProtoNode *node, const ProtoMsg *msg)
{
    ProtoCertKind kind = proto_msg_vote_kind(msg->type);
    const ProtoVote *vote = &msg->vote;
    if (vote->signer != msg->sender) return PROTO_ERR_SENDER;
    if (vote->relay != 0) return PROTO_ERR_FIELD;
    if (kind == PROTO_CERT_TC && !proto_commit_is_zero(&vote->data)) return PROTO_ERR_FIELD;
    if (vote_recipient(node, kind, vote) != node->id) return PROTO_ERR_NOT_RECIPIENT;
    if (vote->view + 1 < node->cur_view) return PROTO_ERR_STALE;
    int rc;
    ProtoCert *cert = node__accumulate(node, kind, vote, &rc);
    if (cert == NULL) return rc;
    on_certificate(node, cert);
    proto_cert_unref(cert);
    return PROTO_OK;
}

/* A peer's high QC, sent as it entered a view this node leads. Any valid QC may raise the
 * high QC; a leader waiting to propose on a TC proposes at once if this is QC(v-1). */
int consensus__on_high_qc(ProtoNode *node, const ProtoMsg *msg)
{
    if (msg->cert->view <= node->high_qc->view) return PROTO_ERR_DUPLICATE;
    int rc = node__check_qc(node, msg->cert);
    if (rc != PROTO_OK) return rc;
    update_high_qc(node, msg->cert);
    consensus__try_propose(node);
    return PROTO_OK;
}

/* --- timeouts
 * -------------------------------------------------------------------------------------- */

void consensus__on_view_timeout(ProtoNode *node)
{
    ProtoView v = node->cur_view;
    node->stats.timeouts++;
    node->consecutive_timeouts++;
    node__note(node, PROTO_NOTE_TIMED_OUT, v, node->consecutive_timeouts);
    gboolean staked = node->shared->epochs == NULL ||
                      proto_stake_of(node__table(node, node->epoch), node->id) > 0;
    if (v > node->last_voted_view && staked) {
        ProtoMsg msg = {.type = PROTO_MSG_TIMEOUT_VOTE, .sender = node->id};
        node__sign_vote(node, PROTO_CERT_TC, v, 0, NULL, &msg.vote);
        node__send(node, node__leader(node, v + 1), &msg);
        node->last_voted_view = v;
    }
    if (node->consecutive_timeouts == 1) {
        consensus__enter_view(node, v + 1, PROTO_VIEW_BY_TIMEOUT);
        return;
    }
    /* A second consecutive timeout: neither a QC nor a TC got us moving; sync views. */
    node__timer_set(node, PROTO_TIMER_VIEW, node->now + node->config.view_timeout);
    view_sync__start(node, v + 1);
}
