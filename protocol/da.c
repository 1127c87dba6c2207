/*
 * The data-availability layer of a node (../shared/protocol/hotshot.md sections 1.4 and 2).
 *
 * Leader of view v: asks its builder for a block (as soon as it sees the proposal of v-1, or on
 * entering v), waits up to builder_timeout and otherwise uses the empty block. With the block in
 * hand it signs (v, payload commitment) once, sends the payload to every DA committee member
 * and each validator its own VID share, collects the members' DA votes into a DA certificate
 * (floor(2 S_DA / 3) + 1 of committee stake) and broadcasts it. Its proposal for v carries the
 * commitment and namespace table in the header.
 *
 * DA member: checks a DA proposal comes from the view's leader with a valid signature,
 * recomputes the commitment from the payload itself, stores the payload and votes once per view,
 * across restarts too: the views it DA-voted in are persisted (ProtoDaVoted, the last 64), and DA
 * votes need not follow the views (HotShot exempts them from its last-actioned-view record, as
 * DA proposals for v and v + 1 can arrive out of order; a restart there can repeat one, which
 * shotglass does not model).
 * It serves shares it computes from the payload, and namespaces to rollups, for the last
 * da_retain_views views.
 *
 * Replica: votes for v only when it holds the validated proposal, the DA certificate and its own
 * share, all for the same commitment. Missing its share data_request_delay after the proposal,
 * it asks the DA members one after another, data_request_timeout apart.
 *
 * Among the node's layers (node_state-internal.h) this module sits on node_state.c, below
 * consensus.c: it never calls consensus, but leaves it a request in node->requests, to vote
 * (a proposal's DAC and share are in) or to propose (the leader's block is dispersed).
 */
#include "protocol/da-internal.h"

#include "protocol/assert.h"
#include "protocol/vid_cost.h"

#include <string.h>

gboolean da__enabled(const ProtoNode *node)
{
    return node->shared->vid != NULL;
}

void da__init(ProtoNode *node)
{
    if (!da__enabled(node)) return;
    PROTO_ASSERT(node->config.da_retain_views >= 4);
    node->da = g_new0(DaRecord, node->config.da_retain_views);
}

static void record_clear(DaRecord *r)
{
    if (r->share_ns_table) g_bytes_unref(r->share_ns_table);
    if (r->share_layout) g_bytes_unref(r->share_layout);
    if (r->share_units) g_bytes_unref(r->share_units);
    proto_payload_unref(r->payload);
    proto_leaf_unref(r->pending);
    memset(r, 0, sizeof *r);
}

void da__records_free(DaRecord *records, uint32_t count)
{
    for (uint32_t i = 0; records != NULL && i < count; i++)
        record_clear(&records[i]);
    g_free(records);
}

/* A record's stored data with fresh references; what was waiting (a proposal, requests) is
 * not kept. */
static void record_copy(DaRecord *to, const DaRecord *from)
{
    *to = *from;
    to->pending = NULL;
    to->requests = 0;
    if (to->share_ns_table) g_bytes_ref(to->share_ns_table);
    if (to->share_layout) g_bytes_ref(to->share_layout);
    if (to->share_units) g_bytes_ref(to->share_units);
    if (to->payload) proto_payload_ref(to->payload);
}

DaRecord *da__snapshot(const ProtoNode *node)
{
    if (node->da == NULL) return NULL;
    DaRecord *copy = g_new0(DaRecord, node->config.da_retain_views);
    for (uint32_t i = 0; i < node->config.da_retain_views; i++)
        record_copy(&copy[i], &node->da[i]);
    return copy;
}

void da__restore(ProtoNode *node, const DaRecord *records, uint32_t count)
{
    if (node->da == NULL || records == NULL) return;
    PROTO_ASSERT(count == node->config.da_retain_views);
    for (uint32_t i = 0; i < count; i++) {
        record_clear(&node->da[i]);
        record_copy(&node->da[i], &records[i]);
    }
}

void da__clear(ProtoNode *node)
{
    da__records_free(node->da, node->da != NULL ? node->config.da_retain_views : 0);
    node->da = NULL;
    proto_payload_unref(node->block);
    node->block = NULL;
}

/* Whether a record for `view` may be created: PROTO_OK, PROTO_ERR_STALE when its slot holds a
 * newer view, PROTO_ERR_FIELD when the view is da_retain_views - 1 or more ahead of the current
 * one. How it works: views v and v + da_retain_views share a slot, so a record that far ahead
 * would drop the record of the current view (or the one before) that a pending proposal needs.
 * No honest node sends data that far ahead, so such a view is refused, never stored. */
static int claim_check(const ProtoNode *node, ProtoView view)
{
    if (view == 0) return PROTO_ERR_FIELD;
    if (view >= node->cur_view + node->config.da_retain_views - 1) return PROTO_ERR_FIELD;
    const DaRecord *r = &node->da[view % node->config.da_retain_views];
    if (r->view > view) return PROTO_ERR_STALE;
    return PROTO_OK;
}

/* The record of `view`; with `create`, claims the slot (dropping an older view's record).
 * NULL when none exists and `create` is FALSE, or claim_check() refuses the view. */
static DaRecord *record(ProtoNode *node, ProtoView view, gboolean create)
{
    if (view == 0) return NULL;
    DaRecord *r = &node->da[view % node->config.da_retain_views];
    if (r->view == view) return r;
    if (!create || claim_check(node, view) != PROTO_OK) return NULL;
    record_clear(r);
    r->view = view;
    return r;
}

static size_t bytes_size(GBytes *bytes)
{
    return bytes != NULL ? g_bytes_get_size(bytes) + 32 : 0; /* the data and GBytes itself */
}

static size_t payload_memory(const ProtoPayload *p)
{
    if (p == NULL) return 0;
    size_t per_ns = sizeof(uint32_t) + 4 * sizeof(uint64_t) + sizeof(ProtoCommit);
    return sizeof *p + bytes_size(p->bytes) + bytes_size(p->ns_table) + p->ns_count * per_ns;
}

size_t da__memory(const ProtoNode *node)
{
    if (node->da == NULL) return 0;
    size_t memory = node->config.da_retain_views * sizeof(DaRecord) + payload_memory(node->block);
    for (uint32_t i = 0; i < node->config.da_retain_views; i++) {
        const DaRecord *r = &node->da[i];
        memory += bytes_size(r->share_ns_table) + bytes_size(r->share_layout) +
                  bytes_size(r->share_units) + payload_memory(r->payload);
    }
    return memory;
}

static const ProtoCostTable *costs(const ProtoNode *node)
{
    return proto_crypto_costs(node->shared->crypto);
}

/* ADVZ's commitment and dispersal run on every vCPU (jellyfish's default `parallel` feature):
 * what a payload call charged since `before` moves to the parallel account. Its share check
 * (a sequential fold, vid_cost.h) and AVID-M's work stay on one vCPU. */
static void vid_parallel(ProtoNode *node, ProtoDuration before)
{
    if (costs(node)->vid_scheme != PROTO_VID_SCHEME_ADVZ) return;
    node->cpu_parallel += node->cpu - before;
    node->cpu = before;
}

/* --- the leader's block ------------------------------------------------------------------------
 */

/* What a DA proposal and a share say about the leader's block (borrowed references). */
static void describe_block(const ProtoNode *node, ProtoDataMsg *d)
{
    d->view = node->block_view;
    d->commit = node->block->commit;
    d->size = node->block->size;
    d->synthetic = (uint8_t)node->block->synthetic;
    d->ns_table = node->block->ns_table;
    d->signature = node->block_dispersal;
}

static void send_da_proposal(ProtoNode *node)
{
    ProtoMsg msg = {.type = PROTO_MSG_DA_PROPOSAL, .sender = node->id};
    describe_block(node, &msg.data);
    msg.data.bytes = node->block->bytes;
    ProtoAction a = {
        .kind = PROTO_ACTION_SEND, .msg_type = PROTO_MSG_DA_PROPOSAL, .view = msg.data.view};
    GBytes *bytes = proto_msg_encode(&msg, &a.size);
    for (ProtoNodeId id = 0; id < node->shared->node_count; id++) {
        if (!proto_shared_is_da_member(node->shared, id)) continue;
        a.target = id;
        a.bytes = g_bytes_ref(bytes);
        node__emit(node, &a);
    }
    g_bytes_unref(bytes);
}

static void send_shares(ProtoNode *node)
{
    GBytes *layout = proto_payload_layout(node->block);
    ProtoMsg msg = {.type = PROTO_MSG_VID_SHARE, .sender = node->id};
    ProtoDataMsg *d = &msg.data;
    describe_block(node, d);
    d->layout = layout;
    for (ProtoNodeId id = 0; id < node->shared->node_count; id++) {
        d->owner = id;
        d->bytes = proto_payload_share(node->block, node->shared->vid, id, costs(node), &node->cpu,
                                       &d->bulk_size);
        node__send(node, id, &msg);
        g_bytes_unref(d->bytes);
    }
    g_bytes_unref(layout);
}

/* The leader has its block: sign the dispersal, send it out, and have consensus try to propose
 * (a request, taken when the entry point that got here returns). */
static void block_ready(ProtoNode *node, ProtoPayload *payload)
{
    PROTO_ASSERT(node->block_state == BLOCK_REQUESTED);
    proto_payload_unref(node->block);
    node->block = payload;
    node->block_state = BLOCK_READY;
    ProtoCommit message;
    proto_dispersal_commit(node->block_view, &payload->commit, &message);
    proto_crypto_sign(node->env.signer, &message, &node->block_dispersal, &node->cpu);
    ProtoAction note = {.kind = PROTO_ACTION_NOTE,
                        .note = PROTO_NOTE_BLOCK_READY,
                        .view = node->block_view,
                        .value = (int64_t)payload->size,
                        .commit = payload->commit};
    node__emit(node, &note);
    send_da_proposal(node);
    if (node->shared->dispersal) send_shares(node);
    node->requests.propose = TRUE;
}

/*
 * Epochs: whether the block this leader will propose for `view` must be empty (eH-2 .. eH): its
 * height is that of the latest proposal, if it is for the view before, plus one, else that of
 * the high QC's block plus one (a high QC on eH-2 or eH-1 makes a restart on the transition QC,
 * eH-3, whose child must be empty as well). DA members vote once per view, so the choice is made
 * before the dispersal; a wrong guess leaves a non-empty block the leader may not propose
 * (consensus__try_propose), and its view fails.
 */
static gboolean must_propose_empty(const ProtoNode *node, ProtoView view)
{
    if (node->shared->epochs == NULL) return FALSE;
    uint64_t length = proto_epochs_length(node->shared->epochs);
    const ProtoLeaf *latest = node->latest_proposal;
    uint64_t height = latest != NULL && latest->view + 1 == view
                          ? latest->header.height
                          : node__cert_height(node, node->high_qc);
    return height != UINT64_MAX && proto_epoch_must_be_empty(height + 1, length);
}

void da__start_block(ProtoNode *node, ProtoView view)
{
    if (!da__enabled(node) || view <= node->block_view) return;
    node->block_view = view;
    node->block_state = BLOCK_REQUESTED;
    if (node->config.builder == PROTO_NODE_NONE || must_propose_empty(node, view)) {
        block_ready(node, proto_payload_ref(node->shared->empty));
        return;
    }
    ProtoMsg msg = {.type = PROTO_MSG_BLOCK_REQUEST, .sender = node->id};
    msg.data.view = view;
    node__send(node, node->config.builder, &msg);
    node__timer_set(node, PROTO_TIMER_BUILDER, node->now + node->config.builder_timeout);
}

gboolean da__block_ready(const ProtoNode *node, ProtoView view)
{
    return node->block_view == view && node->block_state == BLOCK_READY;
}

void da__fill_header(const ProtoNode *node, ProtoHeader *header)
{
    PROTO_ASSERT(node->block_state == BLOCK_READY);
    header->payload_commit = node->block->commit;
    header->builder_commit = node->block->builder_commit;
    header->payload_size = node->block->size;
    header->ns_table = g_bytes_ref(node->block->ns_table);
}

void da__on_builder_timer(ProtoNode *node)
{
    if (node->block_state == BLOCK_REQUESTED) {
        block_ready(node, proto_payload_ref(node->shared->empty));
    }
}

static int on_block_response(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    if (msg->sender != node->config.builder) return PROTO_ERR_SENDER;
    if (d->view != node->block_view || node->block_state != BLOCK_REQUESTED) {
        return PROTO_ERR_STALE;
    }
    int rc;
    ProtoDuration before = node->cpu;
    ProtoPayload *payload =
        proto_payload_from_bytes(node->shared->vid, d->bytes, d->ns_table, d->size, d->synthetic,
                                 TRUE, costs(node), &node->cpu, &rc);
    vid_parallel(node, before);
    node__timer_cancel(node, PROTO_TIMER_BUILDER);
    block_ready(node, payload != NULL ? payload : proto_payload_ref(node->shared->empty));
    return rc;
}

/* --- the vote dependency ------------------------------------------------------------------------
 */

static void check_vote(ProtoNode *node, DaRecord *r)
{
    if (r->pending == NULL) return;
    const ProtoLeaf *leaf = r->pending;
    if (leaf->view != node->cur_view || leaf->view <= node->last_voted_view) {
        proto_leaf_unref(r->pending); /* the node moved on, or already voted (timed out) */
        r->pending = NULL;
        return;
    }
    const ProtoCommit *c = &leaf->header.payload_commit;
    if (!r->dac || !proto_commit_equal(&r->dac_commit, c)) return;
    if (!node->shared->dispersal) {
        PROTO_ASSERT(node->requests.vote == NULL);
        node->requests.vote = r->pending; /* no VID: the DA certificate is all there is */
        r->pending = NULL;
        return;
    }
    if (!r->share || !proto_commit_equal(&r->share_commit, c)) return;
    /* The share's table and size are the ones the commitment fixes: a header that states
     * others describes a block that does not exist, and gets no vote. */
    if (!g_bytes_equal(leaf->header.ns_table, r->share_ns_table) ||
        leaf->header.payload_size != r->share_size) {
        proto_leaf_unref(r->pending);
        r->pending = NULL;
        return;
    }
    /* Consensus votes, and cancels the data timer, when the entry point that got here returns:
     * no path from here back out of da.c emits anything more, so the order is a direct call's. */
    PROTO_ASSERT(node->requests.vote == NULL);
    node->requests.vote = r->pending; /* the reference moves with it */
    r->pending = NULL;
}

void da__on_safe_proposal(ProtoNode *node, ProtoLeaf *leaf)
{
    PROTO_ASSERT(leaf->view == node->cur_view);
    DaRecord *r = record(node, leaf->view, TRUE);
    /* Records are only claimed within the window claim_check() allows, which never reaches the
     * current view's slot from another view. */
    PROTO_ASSERT(r != NULL);
    proto_leaf_unref(r->pending);
    r->pending = proto_leaf_ref(leaf);
    check_vote(node, r);
    if (r->pending != NULL && !r->share && !r->share_unseen && node->shared->dispersal) {
        node__timer_set(node, PROTO_TIMER_DATA, node->now + node->config.data_request_delay);
    }
}

/* Asks the next DA member for this node's share of the current view's block. */
void da__on_data_timer(ProtoNode *node)
{
    DaRecord *r = record(node, node->cur_view, FALSE);
    if (r == NULL || r->pending == NULL || r->share || r->share_unseen) return;
    uint32_t pick = (uint32_t)((r->requests + node->id) % node->shared->da_count);
    ProtoNodeId target = 0;
    for (ProtoNodeId id = 0; id < node->shared->node_count; id++) {
        if (!proto_shared_is_da_member(node->shared, id)) continue;
        if (pick-- == 0) {
            target = id;
            break;
        }
    }
    ProtoMsg msg = {.type = PROTO_MSG_VID_REQUEST, .sender = node->id};
    msg.data.view = r->view;
    msg.data.commit = r->pending->header.payload_commit;
    msg.data.owner = node->id;
    node__send(node, target, &msg);
    r->requests++;
    node__timer_set(node, PROTO_TIMER_DATA, node->now + node->config.data_request_timeout);
}

/* --- DA committee -------------------------------------------------------------------------------
 */

/*
 * Whether `id` leads `view` as the DA layer sees it: the view's leader in the node's epoch, or,
 * with epochs while the node's high QC is on a block of its epoch's transition, the view's
 * leader in the next epoch too: the DA proposal and shares for the next epoch's first block can
 * arrive before the proposal that moves the node into that epoch (HotShot's DA proposals carry
 * their epoch; shotglass's do not).
 */
static gboolean da_leader(const ProtoNode *node, ProtoView view, ProtoNodeId id)
{
    if (id == node__leader(node, view)) return TRUE;
    if (node->shared->epochs == NULL) return FALSE;
    uint64_t length = proto_epochs_length(node->shared->epochs);
    uint64_t height = node__cert_height(node, node->high_qc);
    if (height == UINT64_MAX || !proto_epoch_in_transition(height, length)) return FALSE;
    return id == proto_stake_leader(node__table(node, node->epoch + 1), view);
}

static int check_dispersal(ProtoNode *node, ProtoView view, ProtoNodeId leader,
                           const ProtoCommit *commit, const ProtoSignature *signature)
{
    ProtoCommit message;
    proto_dispersal_commit(view, commit, &message);
    return proto_crypto_verify(node->shared->crypto, leader, &message, signature, &node->cpu);
}

/* A DA member keeps the payload it checked (`payload`, taken) and says so. */
static void store_payload(ProtoNode *node, const ProtoDataMsg *d, ProtoPayload *payload)
{
    DaRecord *r = record(node, d->view, TRUE);
    PROTO_ASSERT(r != NULL);
    proto_payload_unref(r->payload);
    r->payload = payload;
    r->dispersal = d->signature;
    ProtoAction note = {.kind = PROTO_ACTION_NOTE,
                        .note = PROTO_NOTE_DA_STORED,
                        .view = d->view,
                        .value = (int64_t)payload->size,
                        .commit = payload->commit};
    node__emit(node, &note);
}

/* Whether the node DA-voted in `view` (ProtoDaVoted: views below the window count as voted). */
static gboolean da_voted_in(const ProtoDaVoted *voted, ProtoView view)
{
    if (view < voted->base) return TRUE;
    return view - voted->base < 64 && (voted->bits >> (view - voted->base) & 1) != 0;
}

/* Records a DA vote in `view`, sliding the window up when the view is past it. */
static void da_voted_add(ProtoDaVoted *voted, ProtoView view)
{
    PROTO_ASSERT(view >= voted->base);
    if (view - voted->base >= 64) {
        ProtoView base = view - 63, shift = base - voted->base;
        voted->bits = shift >= 64 ? 0 : voted->bits >> shift;
        voted->base = base;
    }
    voted->bits |= UINT64_C(1) << (view - voted->base);
}

static gboolean primary_down(const ProtoNode *node)
{
    return node->env.primary_down != NULL &&
           node->env.primary_down(node->env.primary_down_data, node->id);
}

/*
 * With the primary network down, a DA member computes the block's VID shares itself from the
 * payload it stored, so that it has its own (and can serve the others': on_vid_request), and
 * takes its own share as received (HS da.rs, DaProposalValidated: calculate_and_update_vid,
 * then VidShareRecv; PR #3390). Under test_silent_local_share the share is kept but not
 * announced: the node neither votes on it nor asks for it.
 */
static void local_share(ProtoNode *node, const ProtoDataMsg *d)
{
    DaRecord *r = record(node, d->view, FALSE);
    if (r == NULL || r->payload == NULL || r->share || !node->shared->dispersal) return;
    if (!primary_down(node)) return;
    ProtoPayload *payload = r->payload;
    uint64_t bulk = 0;
    GBytes *units =
        proto_payload_share(payload, node->shared->vid, node->id, costs(node), &node->cpu, &bulk);
    if (node->config.test_silent_local_share) { /* the PR #3390 bug */
        g_bytes_unref(units);
        r->share_unseen = TRUE;
        return;
    }
    r->share = TRUE;
    r->share_commit = payload->commit;
    r->share_synthetic = payload->synthetic;
    r->share_size = payload->size;
    r->share_ns_table = g_bytes_ref(payload->ns_table);
    r->share_layout = proto_payload_layout(payload);
    r->share_units = units;
    ProtoAction note = {.kind = PROTO_ACTION_NOTE,
                        .note = PROTO_NOTE_SHARE_STORED,
                        .view = d->view,
                        .value = node->shared->vid->weights[node->id],
                        .commit = payload->commit};
    node__emit(node, &note);
    check_vote(node, r);
}

static int on_da_proposal(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    if (!proto_shared_is_da_member(node->shared, node->id)) return PROTO_ERR_NOT_RECIPIENT;
    if (!da_leader(node, d->view, msg->sender)) return PROTO_ERR_LEADER;
    if (d->view + 1 < node->cur_view) return PROTO_ERR_STALE;
    int rc = check_dispersal(node, d->view, msg->sender, &d->commit, &d->signature);
    if (rc != PROTO_OK) return rc;
    ProtoDuration before = node->cpu;
    ProtoPayload *payload =
        proto_payload_from_bytes(node->shared->vid, d->bytes, d->ns_table, d->size, d->synthetic,
                                 FALSE, costs(node), &node->cpu, &rc);
    vid_parallel(node, before);
    if (payload == NULL) return rc;
    int claim = record(node, d->view, FALSE) != NULL ? PROTO_OK : claim_check(node, d->view);
    /* The payload re-encoded must give the commitment the leader signed: this is where an
     * inconsistent encoding (shares that are no encoding of the block) is caught. */
    gboolean matches = proto_commit_equal(&payload->commit, &d->commit);
    if (node__mutant(node, PROTO_MUTANT_DA_TRUST_COMMITMENT)) matches = TRUE; /* mutant */
    if (!matches || claim != PROTO_OK) {
        proto_payload_unref(payload);
        return claim != PROTO_OK ? claim : PROTO_ERR_INCONSISTENT;
    }
    ProtoCommit commit = d->commit; /* the payload's own commitment, unless under the mutant */
    if (node__mutant(node, PROTO_MUTANT_DA_VOTE_WITHOUT_STORING)) {
        proto_payload_unref(payload); /* mutant da_vote_without_storing: checked, not kept */
    } else {
        store_payload(node, d, payload);
    }
    if (!da_voted_in(&node->da_voted, d->view)) {
        ProtoMsg vote = {.type = PROTO_MSG_DA_VOTE, .sender = node->id};
        node__sign_vote(node, PROTO_CERT_DA, d->view, 0, &commit, &vote.vote);
        node__send(node, msg->sender, &vote);
        da_voted_add(&node->da_voted, d->view);
    }
    local_share(node, d);
    return PROTO_OK;
}

static int on_da_vote(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoVote *vote = &msg->vote;
    if (vote->signer != msg->sender) return PROTO_ERR_SENDER;
    if (vote->relay != 0) return PROTO_ERR_FIELD;
    if (!da_leader(node, vote->view, node->id)) return PROTO_ERR_NOT_RECIPIENT;
    if (vote->view + 1 < node->cur_view) return PROTO_ERR_STALE;
    int rc;
    ProtoCert *cert = node__accumulate(node, PROTO_CERT_DA, vote, &rc);
    if (cert == NULL) return rc;
    ProtoAction note = {.kind = PROTO_ACTION_NOTE,
                        .note = PROTO_NOTE_DAC_FORMED,
                        .view = cert->view,
                        .value = cert->signer_count,
                        .commit = cert->data};
    node__emit(node, &note);
    ProtoMsg out = {.type = PROTO_MSG_DA_CERT, .sender = node->id, .cert = cert};
    node__broadcast(node, &out);
    node__send(node, node->id, &out);
    proto_cert_unref(cert);
    return PROTO_OK;
}

static int on_da_cert(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoCert *cert = msg->cert;
    if (cert->view + 1 < node->cur_view) return PROTO_ERR_STALE;
    /* The slot is claimed only once the certificate checks out, so that a forged one cannot
     * drop a record the node still serves. */
    DaRecord *r = record(node, cert->view, FALSE);
    if (r == NULL && claim_check(node, cert->view) != PROTO_OK) {
        return claim_check(node, cert->view);
    }
    if (r != NULL && r->dac) return PROTO_ERR_DUPLICATE;
    int rc = node__check_cert(node, cert, node->shared->da_threshold);
    if (rc != PROTO_OK) return rc;
    r = record(node, cert->view, TRUE);
    PROTO_ASSERT(r != NULL);
    r->dac = TRUE;
    r->dac_commit = cert->data;
    check_vote(node, r);
    return PROTO_OK;
}

/* --- shares
 * ----------------------------------------------------------------------------------------- */

static int on_share(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    if (!node->shared->dispersal) return PROTO_ERR_NOT_RECIPIENT; /* no VID in this network */
    if (d->owner != node->id) return PROTO_ERR_NOT_RECIPIENT;
    if (msg->type == PROTO_MSG_VID_SHARE && !da_leader(node, d->view, msg->sender)) {
        return PROTO_ERR_LEADER;
    }
    if (msg->type == PROTO_MSG_VID_RESPONSE &&
        !proto_shared_is_da_member(node->shared, msg->sender)) {
        return PROTO_ERR_SENDER;
    }
    /* As for certificates, the slot is claimed only once the share checks out. */
    DaRecord *r = record(node, d->view, FALSE);
    if (r == NULL && claim_check(node, d->view) != PROTO_OK) return claim_check(node, d->view);
    if (r != NULL && r->share) return PROTO_ERR_DUPLICATE;
    /* A share from the leader carries its signature; one from a DA member, the leader's */
    ProtoNodeId signer =
        msg->type == PROTO_MSG_VID_SHARE ? msg->sender : node__leader(node, d->view);
    int rc = check_dispersal(node, d->view, signer, &d->commit, &d->signature);
    if (rc == PROTO_OK) {
        rc = proto_payload_verify_share(node->shared->vid, &d->commit, node->id, d->synthetic,
                                        d->ns_table, d->size, d->layout, d->bytes, costs(node),
                                        &node->cpu);
    }
    if (rc != PROTO_OK) return rc;
    r = record(node, d->view, TRUE);
    PROTO_ASSERT(r != NULL);
    r->share = TRUE;
    r->share_commit = d->commit;
    r->share_synthetic = d->synthetic;
    r->share_size = d->size;
    r->share_ns_table = g_bytes_ref(d->ns_table);
    r->share_layout = g_bytes_ref(d->layout);
    r->share_units = g_bytes_ref(d->bytes);
    r->dispersal = d->signature;
    ProtoAction note = {.kind = PROTO_ACTION_NOTE,
                        .note = PROTO_NOTE_SHARE_STORED,
                        .view = d->view,
                        .value = node->shared->vid->weights[node->id],
                        .commit = d->commit};
    node__emit(node, &note);
    check_vote(node, r);
    return PROTO_OK;
}

/* Answers with the owner's share: computed from the payload (DA members), or this node's own. */
static int on_vid_request(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    if (!node->shared->dispersal) return PROTO_ERR_NOT_RECIPIENT;
    DaRecord *r = record(node, d->view, FALSE);
    if (r == NULL) return PROTO_ERR_UNKNOWN;
    ProtoMsg reply = {.type = PROTO_MSG_VID_RESPONSE, .sender = node->id};
    ProtoDataMsg *out = &reply.data;
    out->view = d->view;
    out->commit = d->commit;
    out->owner = d->owner;
    out->signature = r->dispersal;
    GBytes *layout = NULL, *units = NULL;
    if (r->payload != NULL && proto_commit_equal(&r->payload->commit, &d->commit)) {
        out->size = r->payload->size;
        out->synthetic = (uint8_t)r->payload->synthetic;
        out->ns_table = r->payload->ns_table;
        layout = proto_payload_layout(r->payload);
        ProtoDuration before = node->cpu;
        units = proto_payload_share(r->payload, node->shared->vid, d->owner, costs(node),
                                    &node->cpu, &out->bulk_size);
        vid_parallel(node, before);
    } else if (d->owner == node->id && r->share &&
               proto_commit_equal(&r->share_commit, &d->commit)) {
        out->size = r->share_size;
        out->synthetic = (uint8_t)r->share_synthetic;
        out->ns_table = r->share_ns_table;
        layout = g_bytes_ref(r->share_layout);
        units = g_bytes_ref(r->share_units);
        out->bulk_size = proto_vid_share_bytes(
            costs(node), proto_payload_share_size(node->shared->vid, node->id, layout), out->size,
            node->shared->vid->node_count);
    } else {
        return PROTO_ERR_UNKNOWN;
    }
    out->layout = layout;
    out->bytes = units;
    node__send(node, msg->sender, &reply);
    g_bytes_unref(layout);
    g_bytes_unref(units);
    return PROTO_OK;
}

/* --- clients: transactions, rollups -------------------------------------------------------------
 */

/* A sequencer node passes submitted transactions on to its builder. */
static int on_tx_submit(ProtoNode *node, const ProtoMsg *msg)
{
    if (node->config.builder == PROTO_NODE_NONE) return PROTO_ERR_NOT_RECIPIENT;
    ProtoMsg forward = {.type = PROTO_MSG_TX_SUBMIT, .sender = node->id};
    forward.data = msg->data;
    node__send(node, node->config.builder, &forward);
    return PROTO_OK;
}

/* A rollup asks a DA member for its namespace of a decided block. */
static int on_ns_request(ProtoNode *node, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    DaRecord *r = record(node, d->view, FALSE);
    if (r == NULL || r->payload == NULL || !proto_commit_equal(&r->payload->commit, &d->commit)) {
        return PROTO_ERR_UNKNOWN;
    }
    ProtoMsg reply = {.type = PROTO_MSG_NS_RESPONSE, .sender = node->id};
    ProtoDataMsg *out = &reply.data;
    ProtoCommit path[32];
    uint32_t path_len = 0;
    if (!proto_payload_namespace(r->payload, d->ns_id, &out->bytes, &out->index, &out->size, path,
                                 &path_len)) {
        return PROTO_ERR_UNKNOWN;
    }
    out->view = d->view;
    out->commit = d->commit;
    out->ns_id = d->ns_id;
    out->count = r->payload->ns_count;
    out->synthetic = (uint8_t)r->payload->synthetic;
    out->layout = g_bytes_new(path, (gsize)path_len * sizeof(ProtoCommit));
    node__send(node, msg->sender, &reply);
    g_bytes_unref(out->bytes);
    g_bytes_unref(out->layout);
    return PROTO_OK;
}

int da__dispatch(ProtoNode *node, const ProtoMsg *msg)
{
    if (!da__enabled(node)) return PROTO_ERR_NOT_RECIPIENT;
    switch ((int)msg->type) { /* the other types go on to the DA layer */
    case PROTO_MSG_DA_PROPOSAL:
        return on_da_proposal(node, msg);
    case PROTO_MSG_DA_VOTE:
        return on_da_vote(node, msg);
    case PROTO_MSG_DA_CERT:
        return on_da_cert(node, msg);
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_RESPONSE:
        return on_share(node, msg);
    case PROTO_MSG_VID_REQUEST:
        return on_vid_request(node, msg);
    case PROTO_MSG_TX_SUBMIT:
        return on_tx_submit(node, msg);
    case PROTO_MSG_BLOCK_RESPONSE:
        return on_block_response(node, msg);
    case PROTO_MSG_NS_REQUEST:
        return on_ns_request(node, msg);
    default:
        return PROTO_ERR_NOT_RECIPIENT;
    }
}
