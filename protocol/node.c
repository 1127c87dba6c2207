/*
 * The public face of a node (node.h), the top of its layers (node_state-internal.h): the shared
 * state, node lifecycle and persistence, input dispatch to consensus.c, da.c and view_sync.c,
 * draining the outbox, and observation. After a call into da.c or view_sync.c it has consensus
 * take the requests they left (consensus__take_requests).
 */
#include "protocol/node.h"

#include "protocol/assert.h"
#include "protocol/consensus-internal.h"
#include "protocol/da-internal.h"
#include "protocol/node_state-internal.h"
#include "protocol/view_sync-internal.h"

#include <string.h>

/* --- shared state -------------------------------------------------------------------------------
 */

ProtoShared *proto_shared_new(ProtoCrypto *crypto, const ProtoStakeTable *stake)
{
    PROTO_ASSERT(crypto != NULL && stake != NULL);
    PROTO_ASSERT(proto_crypto_node_count(crypto) == proto_stake_node_count(stake));
    ProtoShared *shared = g_new0(ProtoShared, 1);
    shared->crypto = crypto;
    shared->stake = stake;
    shared->node_count = proto_stake_node_count(stake);
    shared->endpoint_count = shared->node_count;
    shared->certs = proto_cert_pool_new();
    shared->leaves = proto_leaf_pool_new();
    shared->genesis = proto_leaf_new_genesis(shared->leaves, shared->node_count);
    shared->genesis_qc = proto_cert_new_genesis(&shared->genesis->commit, shared->node_count);
    shared->received = proto_recv_cache_new();
    return shared;
}

void proto_shared_enable_da(ProtoShared *shared, const ProtoNodeId *members, uint32_t count,
                            gboolean synthetic, uint32_t endpoint_count)
{
    PROTO_ASSERT(shared->vid == NULL && members != NULL && count > 0);
    PROTO_ASSERT(endpoint_count >= shared->node_count);
    uint64_t *stakes = g_new(uint64_t, shared->node_count);
    for (uint32_t i = 0; i < shared->node_count; i++)
        stakes[i] = proto_stake_of(shared->stake, i);
    shared->vid = proto_vid_params_new(stakes, shared->node_count);
    g_free(stakes);
    PROTO_ASSERT(shared->vid != NULL);
    shared->da_members = g_malloc0(((size_t)shared->node_count + 7) / 8);
    for (uint32_t i = 0; i < count; i++) {
        PROTO_ASSERT(members[i] < shared->node_count);
        if (proto_shared_is_da_member(shared, members[i])) continue;
        shared->da_members[members[i] >> 3] |= (uint8_t)(1u << (members[i] & 7));
        shared->da_count++;
        shared->da_stake += proto_stake_of(shared->stake, members[i]);
    }
    shared->da_threshold = 2 * shared->da_stake / 3 + 1;
    shared->synthetic = synthetic;
    shared->dispersal = TRUE;
    shared->endpoint_count = endpoint_count;
    shared->empty = proto_payload_empty(shared->vid, synthetic);
}

void proto_shared_enable_epochs(ProtoShared *shared, ProtoEpochs *epochs, uint64_t drb_difficulty)
{
    PROTO_ASSERT(shared->epochs == NULL && epochs != NULL);
    PROTO_ASSERT(proto_stake_node_count(proto_epochs_table(epochs, 1)) == shared->node_count);
    shared->epochs = epochs;
    shared->drb_difficulty = drb_difficulty;
}

void proto_shared_free(ProtoShared *shared)
{
    if (shared == NULL) return;
    proto_recv_cache_free(shared->received); /* first: its messages hold pooled certs */
    if (shared->forward_bytes != NULL) g_bytes_unref(shared->forward_bytes);
    proto_cert_unref(shared->forward_cert);
    proto_payload_unref(shared->empty);
    proto_vid_params_free(shared->vid);
    g_free(shared->da_members);
    proto_leaf_unref(shared->genesis);
    proto_cert_unref(shared->genesis_qc);
    proto_leaf_pool_free(shared->leaves);
    proto_cert_pool_free(shared->certs);
    g_free(shared);
}

void proto_node_config_default(ProtoNodeConfig *config, ProtoNodeId id)
{
    *config = (ProtoNodeConfig){
        .id = id,
        .view_timeout = 10 * PROTO_S, /* HotShotConfig's default next_view_timeout */
        .view_sync_timeout = 1 * PROTO_S,
        .fetch_timeout = 1 * PROTO_S,
        .three_chain = FALSE,
        .high_qc_forwarding = TRUE,
        .test_disable_lock_check = FALSE,
        .test_own_proposal_check = FALSE,
        .test_last_votes_to_current_leader = FALSE,
        .mutant = PROTO_MUTANT_NONE,
        .builder = PROTO_NODE_NONE,
        .builder_timeout = 1 * PROTO_S,    /* the orchestrator's default */
        .data_request_delay = 5 * PROTO_S, /* HotShotConfig's default */
        .data_request_timeout = 2 * PROTO_S,
        .da_retain_views = 64,
    };
}

/* --- names ------------------------------------------------------------------------------------ */

const char *proto_note_name(ProtoNoteKind note)
{
    static const char *const names[PROTO_NOTE_KIND_COUNT_] = {
        [PROTO_NOTE_VIEW_ENTERED] = "view_entered",
        [PROTO_NOTE_PROPOSED] = "proposed",
        [PROTO_NOTE_VOTED] = "voted",
        [PROTO_NOTE_TIMED_OUT] = "timed_out",
        [PROTO_NOTE_QC_FORMED] = "qc_formed",
        [PROTO_NOTE_TC_FORMED] = "tc_formed",
        [PROTO_NOTE_VIEW_SYNC_STARTED] = "view_sync_started",
        [PROTO_NOTE_VIEW_SYNC_CERT] = "view_sync_cert",
        [PROTO_NOTE_REJECTED] = "rejected",
        [PROTO_NOTE_UNSAFE_PROPOSAL] = "unsafe_proposal",
        [PROTO_NOTE_FETCH] = "fetch",
        [PROTO_NOTE_DA_STORED] = "da_stored",
        [PROTO_NOTE_SHARE_STORED] = "share_stored",
        [PROTO_NOTE_DAC_FORMED] = "dac_formed",
        [PROTO_NOTE_BLOCK_READY] = "block_ready",
    };
    PROTO_ASSERT(note > 0 && note < PROTO_NOTE_KIND_COUNT_);
    return names[note];
}

const char *proto_view_reason_name(ProtoViewReason reason)
{
    switch (reason) {
    case PROTO_VIEW_BY_START:
        return "start";
    case PROTO_VIEW_BY_PROPOSAL:
        return "proposal";
    case PROTO_VIEW_BY_VOTE:
        return "vote";
    case PROTO_VIEW_BY_QC:
        return "qc";
    case PROTO_VIEW_BY_TC:
        return "tc";
    case PROTO_VIEW_BY_TIMEOUT:
        return "timeout";
    case PROTO_VIEW_BY_VIEW_SYNC:
        return "view_sync";
    }
    PROTO_UNREACHABLE();
}

/* --- lifecycle ----------------------------------------------------------------------------------
 */

static guint commit_hash(gconstpointer key)
{
    const uint8_t *b = ((const ProtoCommit *)key)->bytes;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean commit_equal(gconstpointer a, gconstpointer b)
{
    return proto_commit_equal(a, b);
}

ProtoNode *proto_node_new(const ProtoNodeConfig *config, const ProtoEnv *env)
{
    PROTO_ASSERT(config != NULL && env != NULL && env->shared != NULL && env->signer != NULL);
    PROTO_ASSERT(config->id < env->shared->node_count);
    PROTO_ASSERT(config->view_timeout > 0 && config->view_sync_timeout > 0);
    ProtoNode *node = g_new0(ProtoNode, 1);
    node->config = *config;
    node->env = *env;
    node->shared = env->shared;
    node->id = config->id;
    node->leaves =
        g_hash_table_new_full(commit_hash, commit_equal, NULL, (GDestroyNotify)proto_leaf_unref);
    node->anchor = proto_leaf_ref(node->shared->genesis);
    node__store_leaf(node, node->shared->genesis);
    node->high_qc = proto_cert_ref(node->shared->genesis_qc);
    node->locked_leaf = node->shared->genesis->commit;
    node->epoch = 1;
    node->propose_deadline = PROTO_TIME_NONE;
    node->outbox_capacity = NODE_OUTBOX_INITIAL;
    da__init(node);
    node->outbox = g_new0(ProtoAction, node->outbox_capacity);
    return node;
}

void proto_node_free(ProtoNode *node)
{
    if (node == NULL) return;
    ProtoAction action;
    while (proto_node_drain(node, &action))
        proto_action_clear(&action);
    for (int i = 0; node->accumulators != NULL && i < NODE_ACCUMULATORS_MAX; i++) {
        if (node->accumulators[i].active) proto_aggregate_clear(&node->accumulators[i].aggregate);
    }
    g_free(node->accumulators);
    da__clear(node);
    g_hash_table_unref(node->leaves);
    proto_leaf_unref(node->anchor);
    proto_leaf_unref(node->latest_proposal);
    proto_cert_unref(node->high_qc);
    proto_cert_unref(node->tc);
    proto_cert_unref(node->transition_qc);
    proto_cert_unref(node->vs_finalize);
    g_free(node->outbox);
    g_free(node);
}

static gboolean no_requests(const ProtoNode *node)
{
    return node->requests.vote == NULL && node->requests.enter_view == 0 && !node->requests.propose;
}

static void set_now(ProtoNode *node, ProtoTime now)
{
    PROTO_ASSERT(!node->busy);
    PROTO_ASSERT(no_requests(node));
    PROTO_ASSERT(now >= node->now);
    node->busy = TRUE;
    node->now = now;
}

void proto_node_start(ProtoNode *node, ProtoTime now)
{
    set_now(node, now);
    PROTO_ASSERT(node->cur_view == 0);
    consensus__enter_view(node, 1, PROTO_VIEW_BY_START);
    node->busy = FALSE;
}

static gint by_view(gconstpointer a, gconstpointer b)
{
    const ProtoLeaf *x = *(const ProtoLeaf *const *)a, *y = *(const ProtoLeaf *const *)b;
    if (x->view != y->view) return x->view < y->view ? -1 : 1;
    return memcmp(x->commit.bytes, y->commit.bytes, PROTO_COMMIT_BYTES);
}

/* The stored leaves above the anchor, in view order (new references). */
static ProtoLeaf **leaves_above_anchor(const ProtoNode *node, uint32_t *count)
{
    GPtrArray *above = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, node->leaves); /* iteration-ok: sorted below */
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        ProtoLeaf *leaf = value;
        if (leaf->view > node->anchor->view) g_ptr_array_add(above, proto_leaf_ref(leaf));
    }
    g_ptr_array_sort(above, by_view);
    *count = above->len;
    return (ProtoLeaf **)(void *)g_ptr_array_free(above, FALSE);
}

void proto_node_persist(const ProtoNode *node, ProtoPersisted *out)
{
    *out = (ProtoPersisted){
        .last_voted_view = node->last_voted_view,
        .last_proposed_view = node->last_proposed_view,
        .da_voted = node->da_voted,
        .high_qc = proto_cert_ref(node->high_qc),
        .locked_view = node->locked_view,
        .locked_leaf = node->locked_leaf,
        .anchor = proto_leaf_ref(node->anchor),
        .da = da__snapshot(node),
        .da_count = node->da != NULL ? node->config.da_retain_views : 0,
    };
    out->leaves = leaves_above_anchor(node, &out->leaf_count);
}

void proto_persisted_clear(ProtoPersisted *persisted)
{
    proto_cert_unref(persisted->high_qc);
    proto_leaf_unref(persisted->anchor);
    for (uint32_t i = 0; i < persisted->leaf_count; i++)
        proto_leaf_unref(persisted->leaves[i]);
    g_free(persisted->leaves);
    da__records_free(persisted->da, persisted->da_count);
    memset(persisted, 0, sizeof *persisted);
}

void proto_node_restart(ProtoNode *node, const ProtoPersisted *p, ProtoTime now)
{
    set_now(node, now);
    PROTO_ASSERT(node->cur_view == 0); /* a fresh node */
    node->last_voted_view = p->last_voted_view;
    node->last_proposed_view = p->last_proposed_view;
    node->da_voted = p->da_voted;
    node->last_proposal_seen = p->last_voted_view;
    if (node__mutant(node, PROTO_MUTANT_RESTART_FORGETS_VOTES)) { /* mutant */
        node->last_voted_view = node->last_proposed_view = node->last_proposal_seen = 0;
    }
    if (node__mutant(node, PROTO_MUTANT_RESTART_FORGETS_DA_VOTE)) { /* mutant */
        node->da_voted = (ProtoDaVoted){0};
    }
    da__restore(node, p->da, p->da_count);
    node__replace_cert(&node->high_qc, p->high_qc);
    node->locked_view = p->locked_view;
    node->locked_leaf = p->locked_leaf;
    if (node->shared->epochs != NULL) node__refresh_epoch(node);
    ProtoLeaf *old = node->anchor;
    node->anchor = proto_leaf_ref(p->anchor);
    proto_leaf_unref(old);
    node__store_leaf(node, node->anchor);
    for (uint32_t i = 0; i < p->leaf_count; i++)
        node__store_leaf(node, p->leaves[i]);
    consensus__enter_view(node, p->high_qc->view + 1, PROTO_VIEW_BY_START);
    node->busy = FALSE;
}

/* --- outbox ----------------------------------------------------------------------------------- */

gboolean proto_node_drain(ProtoNode *node, ProtoAction *action)
{
    if (node->outbox_len == 0) return FALSE;
    *action = node->outbox[node->outbox_head];
    memset(&node->outbox[node->outbox_head], 0, sizeof(ProtoAction));
    node->outbox_head = (node->outbox_head + 1) % node->outbox_capacity;
    node->outbox_len--;
    if (node->outbox_len == 0 && node->outbox_capacity > NODE_OUTBOX_KEEP) {
        /* A leader's dispersal (a share per validator) grows the outbox once a view it leads;
         * keeping that ring would cost every node that ever led a few hundred KiB. */
        g_free(node->outbox);
        node->outbox_capacity = NODE_OUTBOX_INITIAL;
        node->outbox = g_new0(ProtoAction, node->outbox_capacity);
        node->outbox_head = 0;
    }
    return TRUE;
}

void proto_action_clear(ProtoAction *action)
{
    if (action->bytes != NULL) g_bytes_unref(action->bytes);
    for (uint32_t i = 0; i < action->leaf_count; i++)
        proto_leaf_unref(action->leaves[i]);
    g_free(action->leaves);
    proto_cert_unref(action->qc);
    memset(action, 0, sizeof *action);
}

ProtoDuration proto_node_take_cpu(ProtoNode *node)
{
    ProtoDuration cpu = node->cpu;
    node->cpu = 0;
    return cpu;
}

ProtoDuration proto_node_take_parallel_cpu(ProtoNode *node)
{
    ProtoDuration cpu = node->cpu_parallel;
    node->cpu_parallel = 0;
    return cpu;
}

/* --- inputs ----------------------------------------------------------------------------------- */

static int dispatch(ProtoNode *node, const ProtoMsg *msg, GBytes *bytes)
{
    int rc;
    switch ((int)msg->type) { /* the other types go on to the DA layer */
    case PROTO_MSG_PROPOSAL:
        return consensus__on_proposal(node, msg, bytes);
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_TIMEOUT_VOTE:
        return consensus__on_vote(node, msg);
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
    case PROTO_MSG_VS_COMMIT_VOTE:
    case PROTO_MSG_VS_FINALIZE_VOTE:
        return view_sync__on_vote(node, msg);
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
        rc = view_sync__on_cert(node, msg);
        consensus__take_requests(node);
        return rc;
    case PROTO_MSG_HIGH_QC:
        return consensus__on_high_qc(node, msg);
    case PROTO_MSG_PROPOSAL_REQUEST:
        return consensus__on_proposal_request(node, msg);
    case PROTO_MSG_PROPOSAL_RESPONSE:
        return consensus__on_proposal_response(node, msg);
    default:
        rc = da__dispatch(node, msg);
        consensus__take_requests(node);
        return rc;
    }
}

int proto_node_recv(ProtoNode *node, ProtoNodeId from, GBytes *bytes, ProtoTime now)
{
    PROTO_ASSERT(bytes != NULL);
    set_now(node, now);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    node->cpu += proto_crypto_costs(node->shared->crypto)->message_base;
    proto_crypto_charge_hash(node->shared->crypto, len, &node->cpu);
    ProtoDecodeContext context = {.node_count = node->shared->node_count,
                                  .pool = node->shared->certs,
                                  .endpoint_count = node->shared->endpoint_count};
    /* A broadcast is decoded once for all its recipients (recv_cache.h); each is charged above
     * as if it decoded it, and validation charges each for the checks it reuses. */
    ProtoMsg own;
    const ProtoMsg *msg = &own;
    int rc;
    if (proto_recv_cache_admits(data, len)) {
        node->recv_entry = proto_recv_cache_get(node->shared->received, bytes, &context);
        rc = node->recv_entry->decode_rc;
        msg = &node->recv_entry->msg;
    } else {
        rc = proto_msg_decode(data, len, &context, &own);
    }
    if (rc == PROTO_OK && msg->sender != from && !msg->any_sender) {
        rc = PROTO_ERR_SENDER;
    }
    if (rc == PROTO_OK) {
        node->stats.received[msg->type]++;
        rc = dispatch(node, msg, bytes);
    }
    if (rc < 0) {
        node->stats.rejected[-rc]++;
        /* Late and repeated messages are routine; only real rejections are noted. */
        if (rc != PROTO_ERR_DUPLICATE && rc != PROTO_ERR_STALE) {
            node__note(node, PROTO_NOTE_REJECTED, (ProtoView)msg->type, rc);
        }
    }
    if (msg == &own) proto_msg_clear(&own);
    node->recv_entry = NULL;
    node->busy = FALSE;
    return rc;
}

void proto_node_on_timer(ProtoNode *node, uint32_t timer, ProtoTime now)
{
    set_now(node, now);
    switch (timer) {
    case PROTO_TIMER_VIEW:
        consensus__on_view_timeout(node);
        break;
    case PROTO_TIMER_VIEW_SYNC:
        view_sync__on_timer(node);
        break;
    case PROTO_TIMER_PROPOSE:
        consensus__try_propose(node);
        break;
    case PROTO_TIMER_FETCH:
        consensus__on_fetch_timer(node);
        break;
    case PROTO_TIMER_BUILDER:
        da__on_builder_timer(node);
        consensus__take_requests(node);
        break;
    case PROTO_TIMER_DATA:
        da__on_data_timer(node);
        break;
    default:
        PROTO_UNREACHABLE();
    }
    node->busy = FALSE;
}

/* --- observation --------------------------------------------------------------------------------
 */

ProtoNodeId proto_node_id(const ProtoNode *node)
{
    return node->id;
}

ProtoView proto_node_view(const ProtoNode *node)
{
    return node->cur_view;
}

ProtoView proto_node_high_qc_view(const ProtoNode *node)
{
    return node->high_qc->view;
}

ProtoView proto_node_locked_view(const ProtoNode *node)
{
    return node->locked_view;
}

ProtoView proto_node_last_voted_view(const ProtoNode *node)
{
    return node->last_voted_view;
}

const ProtoLeaf *proto_node_anchor(const ProtoNode *node)
{
    return node->anchor;
}

const ProtoNodeStats *proto_node_stats(const ProtoNode *node)
{
    return &node->stats;
}

size_t proto_node_memory(const ProtoNode *node)
{
    size_t bitmap = ((size_t)node->shared->node_count + 7) / 8;
    size_t memory = sizeof *node + node->outbox_capacity * sizeof(ProtoAction);
    if (node->accumulators != NULL) memory += NODE_ACCUMULATORS_MAX * sizeof(Accumulator);
    for (int i = 0; node->accumulators != NULL && i < NODE_ACCUMULATORS_MAX; i++) {
        const Accumulator *a = &node->accumulators[i];
        if (a->active && !a->done) memory += bitmap; /* done: released to the certificate */
    }
    /* A GHashTable entry costs about a key, a value and a hash slot. */
    memory += g_hash_table_size(node->leaves) * 3 * sizeof(void *) + 64;
    return memory + da__memory(node);
}
