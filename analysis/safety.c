/*
 * The safety oracle; see safety.h. Per height it keeps the first decided leaf's commitment and
 * parent; per node, its decided height, the last vote and proposal it sent, and a ring of its
 * last DA votes. Honest nodes vote and propose in strictly increasing views (the protocol's
 * last-voted-view rule), so one record of each per node is enough to catch any second vote; DA
 * votes need not come in view order, hence the ring (check_da_vote). For the certificate check it
 * keeps references to the last few messages it checked: the copies of one broadcast share their
 * bytes, so each is decoded once (a held reference keeps the bytes alive, so the same address is
 * the same message).
 */
#include "analysis/safety.h"

#include "protocol/assert.h"
#include "protocol/crypto.h"
#include "protocol/epoch.h"
#include "protocol/stake.h"

#include <inttypes.h>
#include <string.h>

typedef struct Decided {
    ProtoCommit commit;
    ProtoCommit parent;
    ProtoView view;
    uint32_t node;
    gboolean known; /* FALSE for a height only a node back from a Byzantine window skipped */
} Decided;

/* A DA vote seen, in a node's ring of the DA_VOTE_SLOTS views it voted in last (view 0: none). */
typedef struct DaVote {
    ProtoView view;
    ProtoCommit data;
} DaVote;

#define DA_VOTE_SLOTS 64

typedef struct NodeRecord {
    gboolean byzantine;
    gboolean rejoined; /* honest again after a Byzantine window: its next decide sets the height */
    uint64_t height;
    ProtoView vote_view; /* last quorum or timeout vote */
    ProtoMsgType vote_type;
    ProtoCommit vote_data;
    gboolean voted;
    struct DaVote *da_votes; /* DA_VOTE_SLOTS, by view; NULL until its first DA vote */
    ProtoView proposal_view;
    ProtoCommit proposal_leaf;
    gboolean proposed;
    ProtoView stored_view; /* the payload it last stored as a DA member */
    ProtoCommit stored_commit;
    gboolean stored;
} NodeRecord;

#define RECENT_ACCEPTED 8

struct AnaSafety {
    uint32_t node_count;
    NodeRecord *nodes;
    GArray *decided; /* index = height - 1 */
    char *violation;
    AnaSafetyKind violation_kind;
    uint64_t violation_time;
    ProtoCrypto *crypto;             /* borrowed; NULL: certificates are not checked */
    const ProtoShared *shared;       /* borrowed */
    GBytes *recent[RECENT_ACCEPTED]; /* messages already checked (references) */
    uint32_t recent_next;
};

AnaSafety *ana_safety_new(uint32_t node_count)
{
    AnaSafety *s = g_new0(AnaSafety, 1);
    s->node_count = node_count;
    s->nodes = g_new0(NodeRecord, node_count);
    s->decided = g_array_new(FALSE, TRUE, sizeof(Decided));
    return s;
}

void ana_safety_free(AnaSafety *s)
{
    if (s == NULL) return;
    for (uint32_t i = 0; i < s->node_count; i++)
        g_free(s->nodes[i].da_votes);
    g_free(s->nodes);
    g_array_unref(s->decided);
    for (int i = 0; i < RECENT_ACCEPTED; i++) {
        if (s->recent[i] != NULL) g_bytes_unref(s->recent[i]);
    }
    g_free(s->violation);
    g_free(s);
}

void ana_safety_set_byzantine(AnaSafety *s, uint32_t node, gboolean byzantine)
{
    PROTO_ASSERT(node < s->node_count);
    NodeRecord *r = &s->nodes[node];
    if (r->byzantine && !byzantine) r->rejoined = TRUE;
    r->byzantine = byzantine;
}

G_GNUC_PRINTF(4, 5)
static void violate(AnaSafety *s, AnaSafetyKind kind, uint64_t now, const char *format, ...)
{
    if (s->violation != NULL) return; /* the first one is what matters */
    s->violation_kind = kind;
    va_list args;
    va_start(args, format);
    s->violation = g_strdup_vprintf(format, args);
    va_end(args);
    s->violation_time = now;
}

static void short_hex(const ProtoCommit *c, char out[17])
{
    for (int i = 0; i < 8; i++)
        g_snprintf(out + 2 * i, 3, "%02x", c->bytes[i]);
}

static void decide_one(AnaSafety *s, uint32_t node, const ProtoLeaf *leaf, uint64_t now)
{
    NodeRecord *r = &s->nodes[node];
    uint64_t height = leaf->header.height;
    char a[17], b[17];
    if (r->rejoined && height > r->height) r->height = height - 1; /* what it decided meanwhile */
    r->rejoined = FALSE;
    if (height != r->height + 1) {
        violate(s, ANA_SAFETY_PREFIX, now,
                "node %u decided height %" PRIu64 " after height %" PRIu64
                " (its chain has a gap or goes back)",
                node, height, r->height);
        return;
    }
    r->height = height;
    /* A node back from a Byzantine window may decide ahead of every honest node (it decided
     * unchecked while Byzantine): the heights in between stay unknown until someone decides
     * them. */
    if (height > s->decided->len) g_array_set_size(s->decided, (guint)height);
    Decided *first = &g_array_index(s->decided, Decided, height - 1);
    if (!first->known) *first = (Decided){leaf->commit, leaf->parent, leaf->view, node, TRUE};
    if (!proto_commit_equal(&first->commit, &leaf->commit)) {
        short_hex(&first->commit, a);
        short_hex(&leaf->commit, b);
        violate(s, ANA_SAFETY_AGREEMENT, now,
                "nodes %u and %u decided different leaves at height %" PRIu64 ": %s (view %" PRIu64
                ") and %s (view %" PRIu64 ")",
                first->node, node, height, a, first->view, b, leaf->view);
        return;
    }
    if (height < s->decided->len) { /* a height filled in below one decided already */
        const Decided *above = &g_array_index(s->decided, Decided, height);
        if (above->known && !proto_commit_equal(&above->parent, &leaf->commit)) {
            violate(s, ANA_SAFETY_PREFIX, now,
                    "node %u decided a leaf at height %" PRIu64
                    " that is not the parent of the leaf decided at height %" PRIu64,
                    node, height, height + 1);
            return;
        }
    }
    if (height >= 2) {
        const Decided *below = &g_array_index(s->decided, Decided, height - 2);
        if (below->known && !proto_commit_equal(&below->commit, &leaf->parent)) {
            violate(s, ANA_SAFETY_PREFIX, now,
                    "node %u decided a leaf at height %" PRIu64
                    " whose parent is not the leaf decided at height %" PRIu64,
                    node, height, height - 1);
        }
    }
}

void ana_safety_on_decide(AnaSafety *s, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                          uint64_t now)
{
    PROTO_ASSERT(node < s->node_count);
    if (s->nodes[node].byzantine) return;
    for (uint32_t i = count; i > 0; i--)
        decide_one(s, node, leaves[i - 1], now);
}

static void check_vote(AnaSafety *s, uint32_t node, ProtoMsgType type, const ProtoVote *vote,
                       uint64_t now)
{
    NodeRecord *r = &s->nodes[node];
    if (r->voted && vote->view <= r->vote_view) {
        gboolean same = vote->view == r->vote_view && type == r->vote_type &&
                        proto_commit_equal(&vote->data, &r->vote_data);
        if (!same) {
            violate(s, ANA_SAFETY_VOTE_ONCE, now,
                    "node %u sent a %s for view %" PRIu64 " after a %s for view %" PRIu64, node,
                    proto_msg_type_name(type), vote->view, proto_msg_type_name(r->vote_type),
                    r->vote_view);
        }
        return;
    }
    r->voted = TRUE;
    r->vote_view = vote->view;
    r->vote_type = type;
    r->vote_data = vote->data;
}

/* DA votes have their own record: a DA vote and a quorum vote for one view are both honest, and
 * DA votes need not come in view order (HotShot exempts them from the last-actioned-view rule:
 * DA proposals for v and v + 1 can arrive out of order, hotshot.md 1.8). What no honest node
 * does is DA-vote for two payloads in one view. Only the last DA_VOTE_SLOTS views a node voted
 * in are remembered: only DA committee members vote, and a ring keeps it to 2.5 KiB each. */
static void check_da_vote(AnaSafety *s, uint32_t node, const ProtoVote *vote, uint64_t now)
{
    NodeRecord *r = &s->nodes[node];
    if (!r->stored || r->stored_view != vote->view ||
        !proto_commit_equal(&r->stored_commit, &vote->data)) {
        violate(s, ANA_SAFETY_CUSTODY, now,
                "node %u sent a da_vote for view %" PRIu64 " without storing that payload first",
                node, vote->view);
    }
    if (r->da_votes == NULL) r->da_votes = g_new0(DaVote, DA_VOTE_SLOTS);
    DaVote *slot = &r->da_votes[vote->view % DA_VOTE_SLOTS];
    if (slot->view == vote->view) {
        if (!proto_commit_equal(&vote->data, &slot->data)) {
            violate(s, ANA_SAFETY_VOTE_ONCE, now,
                    "node %u sent a second da_vote for view %" PRIu64 ", for another payload", node,
                    vote->view);
        }
        return; /* the same vote again: a resend */
    }
    if (slot->view > vote->view) return; /* older than the ring remembers */
    *slot = (DaVote){.view = vote->view, .data = vote->data};
}

static void check_proposal(AnaSafety *s, uint32_t node, const ProtoProposal *p, uint64_t now)
{
    NodeRecord *r = &s->nodes[node];
    ProtoCommit leaf;
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &leaf);
    if (r->proposed && p->view <= r->proposal_view) {
        if (p->view != r->proposal_view || !proto_commit_equal(&leaf, &r->proposal_leaf)) {
            violate(s, ANA_SAFETY_VOTE_ONCE, now,
                    "node %u sent two different proposals for view %" PRIu64
                    " (or one for an older view)",
                    node, p->view);
        }
        return;
    }
    r->proposed = TRUE;
    r->proposal_view = p->view;
    r->proposal_leaf = leaf;
}

void ana_safety_on_send(AnaSafety *s, uint32_t node, ProtoMsgType type, GBytes *bytes, uint64_t now)
{
    PROTO_ASSERT(node < s->node_count);
    if (s->nodes[node].byzantine) return;
    if (type != PROTO_MSG_QUORUM_VOTE && type != PROTO_MSG_TIMEOUT_VOTE &&
        type != PROTO_MSG_DA_VOTE && type != PROTO_MSG_PROPOSAL) {
        return;
    }
    ProtoDecodeContext ctx = {.node_count = s->node_count, .pool = NULL};
    ProtoMsg msg;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    if (proto_msg_decode(data, len, &ctx, &msg) != PROTO_OK) {
        violate(s, ANA_SAFETY_VOTE_ONCE, now, "node %u sent a %s that does not decode", node,
                proto_msg_type_name(type));
        return;
    }
    if (type == PROTO_MSG_PROPOSAL) {
        check_proposal(s, node, &msg.proposal, now);
    } else if (type == PROTO_MSG_DA_VOTE) {
        check_da_vote(s, node, &msg.vote, now);
    } else {
        check_vote(s, node, type, &msg.vote, now);
    }
    proto_msg_clear(&msg);
}

void ana_safety_on_stored(AnaSafety *s, uint32_t node, ProtoView view, const ProtoCommit *commit)
{
    PROTO_ASSERT(node < s->node_count && commit != NULL);
    NodeRecord *r = &s->nodes[node];
    r->stored = TRUE;
    r->stored_view = view;
    r->stored_commit = *commit;
}

/* --- certificates ----------------------------------------------------------------------------- */

void ana_safety_set_certificates(AnaSafety *s, ProtoCrypto *crypto, const ProtoShared *shared)
{
    PROTO_ASSERT(crypto != NULL && shared != NULL && shared->node_count == s->node_count);
    s->crypto = crypto;
    s->shared = shared;
}

static const char *cert_name(ProtoCertKind kind)
{
    switch (kind) {
    case PROTO_CERT_QC:
        return "QC";
    case PROTO_CERT_TC:
        return "TC";
    case PROTO_CERT_VS_PRECOMMIT:
        return "view-sync pre-commit certificate";
    case PROTO_CERT_VS_COMMIT:
        return "view-sync commit certificate";
    case PROTO_CERT_VS_FINALIZE:
        return "view-sync finalize certificate";
    case PROTO_CERT_DA:
        return "DA certificate";
    case PROTO_CERT_KIND_COUNT_:
        break;
    }
    return "certificate";
}

/* The stake behind a certificate's signers, counting only DA members for a DA certificate;
 * sets `*outsider` when a DA certificate names a signer outside the committee. */
static uint64_t backing_stake(const AnaSafety *s, const ProtoCert *cert, gboolean *outsider)
{
    const ProtoStakeTable *stake = s->shared->stake;
    *outsider = FALSE;
    if (cert->kind != PROTO_CERT_DA) {
        return proto_stake_of_counted_bitmap(stake, cert->signers, cert->node_count,
                                             cert->signer_count);
    }
    uint64_t total = 0;
    for (ProtoNodeId id = 0; id < cert->node_count; id++) {
        if (!proto_cert_has_signer(cert, id)) continue;
        if (proto_shared_is_da_member(s->shared, id)) {
            total += proto_stake_of(stake, id);
        } else {
            *outsider = TRUE;
        }
    }
    return total;
}

static uint64_t cert_threshold(const AnaSafety *s, ProtoCertKind kind)
{
    if (kind == PROTO_CERT_DA) return s->shared->da_threshold;
    if (kind == PROTO_CERT_VS_PRECOMMIT) return proto_stake_one_honest_threshold(s->shared->stake);
    return proto_stake_success_threshold(s->shared->stake);
}

/*
 * Epochs: a QC must hold a quorum of its block's epoch's table, and a QC on a block of the
 * transition (eH-3 .. eH) a quorum of the next epoch's table as well (the double QC of hotshot.md
 * 1.9); the block's height comes from the run's leaf pool. Returns FALSE after reporting a
 * violation; TRUE when the QC passes or its block is unknown.
 */
static gboolean check_epoch_qc(AnaSafety *s, uint32_t node, const ProtoCert *qc, uint64_t now)
{
    ProtoEpochs *epochs = s->shared->epochs;
    const ProtoLeaf *leaf = proto_leaf_lookup(s->shared->leaves, &qc->data);
    if (leaf == NULL) return TRUE;
    uint64_t length = proto_epochs_length(epochs);
    uint64_t height = leaf->header.height;
    ProtoEpoch epoch = proto_epoch_of_height(height, length);
    ProtoEpoch last = proto_epoch_in_transition(height, length) ? epoch + 1 : epoch;
    for (ProtoEpoch e = epoch; e <= last; e++) {
        const ProtoStakeTable *table = proto_epochs_table(epochs, e);
        uint64_t backing =
            proto_stake_of_counted_bitmap(table, qc->signers, qc->node_count, qc->signer_count);
        if (backing >= proto_stake_success_threshold(table)) continue;
        violate(s, ANA_SAFETY_CERTIFICATE, now,
                "node %u accepted a QC for view %" PRIu64 " on block %" PRIu64 " (epoch %" PRIu64
                "%s) whose signers hold %" PRIu64 " of epoch %" PRIu64 "'s %" PRIu64
                " stake, below its threshold of %" PRIu64,
                node, qc->view, height, epoch, last > epoch ? ", a transition block" : "", backing,
                e, proto_stake_total(table), proto_stake_success_threshold(table));
        return FALSE;
    }
    return TRUE;
}

/* Epochs: whether a TC or view-sync certificate holds its threshold in the table of some epoch
 * around the decided chain's (the oracle does not know the epoch each node was in). */
static gboolean epoch_cert_ok(const AnaSafety *s, const ProtoCert *cert)
{
    ProtoEpochs *epochs = s->shared->epochs;
    ProtoEpoch epoch = proto_epoch_of_height(s->decided->len + 1, proto_epochs_length(epochs));
    for (ProtoEpoch e = epoch > 1 ? epoch - 1 : 1; e <= epoch + 1; e++) {
        const ProtoStakeTable *table = proto_epochs_table(epochs, e);
        uint64_t threshold = cert->kind == PROTO_CERT_VS_PRECOMMIT
                                 ? proto_stake_one_honest_threshold(table)
                                 : proto_stake_success_threshold(table);
        uint64_t backing = proto_stake_of_counted_bitmap(table, cert->signers, cert->node_count,
                                                         cert->signer_count);
        if (backing >= threshold) return TRUE;
    }
    return FALSE;
}

void ana_safety_on_decide_qcs(AnaSafety *s, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                              const ProtoCert *qc, uint64_t now)
{
    PROTO_ASSERT(node < s->node_count && (count == 0 || leaves != NULL));
    if (s->crypto == NULL || s->shared->epochs == NULL || s->nodes[node].byzantine) return;
    for (uint32_t i = 0; i < count && s->violation == NULL; i++) {
        const ProtoCert *certifying = i == 0 ? qc : leaves[i - 1]->justify_qc;
        if (certifying == NULL || proto_cert_is_genesis(certifying)) continue;
        if (!proto_commit_equal(&certifying->data, &leaves[i]->commit)) {
            violate(s, ANA_SAFETY_CERTIFICATE, now,
                    "node %u decided block %" PRIu64 " without a QC on it", node,
                    leaves[i]->header.height);
            return;
        }
        check_epoch_qc(s, node, certifying, now);
        uint64_t height = leaves[i]->header.height;
        if (proto_epoch_must_be_empty(height, proto_epochs_length(s->shared->epochs)) &&
            leaves[i]->header.payload_size != 0) {
            violate(s, ANA_SAFETY_CERTIFICATE, now,
                    "node %u decided block %" PRIu64 ", after its epoch's transition block, "
                    "with a payload of %" PRIu64 " bytes (it must be empty)",
                    node, height, leaves[i]->header.payload_size);
            return;
        }
    }
}

static void check_cert(AnaSafety *s, uint32_t node, const ProtoCert *cert, uint64_t now)
{
    if (cert == NULL) return;
    const char *name = cert_name(cert->kind);
    if (proto_cert_is_genesis(cert)) {
        if (cert->kind != PROTO_CERT_QC ||
            !proto_commit_equal(&cert->data, &s->shared->genesis->commit)) {
            violate(s, ANA_SAFETY_CERTIFICATE, now,
                    "node %u accepted a %s without signatures that is not the genesis QC", node,
                    name);
        }
        return;
    }
    ProtoDuration cpu = 0; /* the oracle's checks cost no node anything */
    int rc = proto_crypto_verify_cert(s->crypto, cert, &cpu);
    gboolean outsider = FALSE;
    uint64_t backing = backing_stake(s, cert, &outsider);
    uint64_t threshold = cert_threshold(s, cert->kind);
    if (s->shared->epochs != NULL && cert->kind != PROTO_CERT_DA && rc == PROTO_OK) {
        if (cert->kind == PROTO_CERT_QC) {
            check_epoch_qc(s, node, cert, now);
            return;
        }
        /* Held to the epochs around the chain's: a failure reads as stake below threshold 1. */
        threshold = epoch_cert_ok(s, cert) ? 0 : 1;
        if (threshold == 1) backing = 0;
    }
    if (rc != PROTO_OK) {
        violate(s, ANA_SAFETY_CERTIFICATE, now,
                "node %u accepted a %s for view %" PRIu64 " whose signatures do not verify (%s)",
                node, name, cert->view, proto_strerror(rc));
    } else if (outsider) {
        violate(s, ANA_SAFETY_CERTIFICATE, now,
                "node %u accepted a %s for view %" PRIu64 " signed by a node outside the DA "
                "committee",
                node, name, cert->view);
    } else if (backing < threshold) {
        violate(s, ANA_SAFETY_CERTIFICATE, now,
                "node %u accepted a %s for view %" PRIu64 " whose %u signers hold %" PRIu64
                " of %" PRIu64 " stake, below its threshold of %" PRIu64,
                node, name, cert->view, cert->signer_count, backing,
                proto_stake_total(s->shared->stake), threshold);
    }
}

static gboolean checked_before(AnaSafety *s, GBytes *bytes)
{
    for (int i = 0; i < RECENT_ACCEPTED; i++) {
        if (s->recent[i] == bytes) return TRUE;
    }
    if (s->recent[s->recent_next] != NULL) g_bytes_unref(s->recent[s->recent_next]);
    s->recent[s->recent_next] = g_bytes_ref(bytes);
    s->recent_next = (s->recent_next + 1) % RECENT_ACCEPTED;
    return FALSE;
}

static gboolean carries_certificates(ProtoMsgType type)
{
    switch ((int)type) {
    case PROTO_MSG_PROPOSAL:
    case PROTO_MSG_PROPOSAL_RESPONSE:
    case PROTO_MSG_HIGH_QC:
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
    case PROTO_MSG_DA_CERT:
        return TRUE;
    default:
        return FALSE;
    }
}

void ana_safety_on_accept(AnaSafety *s, uint32_t node, GBytes *bytes, uint64_t now)
{
    PROTO_ASSERT(node < s->node_count && bytes != NULL);
    if (s->crypto == NULL || s->nodes[node].byzantine || s->violation != NULL) return;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    if (len < 2 || !carries_certificates((ProtoMsgType)data[1]) || checked_before(s, bytes)) return;
    ProtoDecodeContext ctx = {.node_count = s->node_count, .pool = NULL};
    ProtoMsg msg;
    if (proto_msg_decode(data, len, &ctx, &msg) != PROTO_OK) return; /* the node's own problem */
    if (msg.type == PROTO_MSG_PROPOSAL || msg.type == PROTO_MSG_PROPOSAL_RESPONSE) {
        check_cert(s, node, msg.proposal.justify_qc, now);
        if (msg.proposal.evidence_kind != PROTO_EVIDENCE_NONE) {
            check_cert(s, node, msg.proposal.evidence, now);
        }
    } else {
        check_cert(s, node, msg.cert, now);
    }
    proto_msg_clear(&msg);
}

gboolean ana_safety_violated(const AnaSafety *s)
{
    return s->violation != NULL;
}

AnaSafetyKind ana_safety_violation_kind(const AnaSafety *s)
{
    return s->violation != NULL ? s->violation_kind : ANA_SAFETY_OK;
}

const char *ana_safety_kind_name(AnaSafetyKind kind)
{
    switch (kind) {
    case ANA_SAFETY_OK:
        return "ok";
    case ANA_SAFETY_AGREEMENT:
        return "agreement";
    case ANA_SAFETY_PREFIX:
        return "prefix";
    case ANA_SAFETY_VOTE_ONCE:
        return "vote-once";
    case ANA_SAFETY_CERTIFICATE:
        return "certificate";
    case ANA_SAFETY_CUSTODY:
        return "custody";
    }
    PROTO_UNREACHABLE();
}

const char *ana_safety_violation(const AnaSafety *s)
{
    return s->violation;
}

uint64_t ana_safety_violation_time(const AnaSafety *s)
{
    return s->violation_time;
}

uint64_t ana_safety_height(const AnaSafety *s)
{
    return s->decided->len;
}

ProtoView ana_safety_decided_view(const AnaSafety *s, uint64_t height)
{
    if (height == 0 || height > s->decided->len) return 0;
    const Decided *d = &g_array_index(s->decided, Decided, height - 1);
    return d->known ? d->view : 0;
}

uint64_t ana_safety_node_height(const AnaSafety *s, uint32_t node)
{
    PROTO_ASSERT(node < s->node_count);
    return s->nodes[node].height;
}
