/*
 * The safety oracle; see safety.h. Per height it keeps the first decided leaf's commitment and
 * parent; per node, its decided height and the last vote, DA vote and proposal it sent. Honest
 * nodes vote in strictly increasing views (the protocol's last-voted-view rule, and its
 * last-DA-voted-view rule for DA votes), so one record of each per node is enough to catch any
 * second vote.
 */
#include "analysis/safety.h"

#include "protocol/assert.h"

#include <inttypes.h>
#include <string.h>

typedef struct Decided {
    ProtoCommit commit;
    ProtoCommit parent;
    ProtoView view;
    uint32_t node;
    gboolean known; /* FALSE for a height only a node back from a Byzantine window skipped */
} Decided;

typedef struct NodeRecord {
    gboolean byzantine;
    gboolean rejoined; /* honest again after a Byzantine window: its next decide sets the height */
    uint64_t height;
    ProtoView vote_view; /* last quorum or timeout vote */
    ProtoMsgType vote_type;
    ProtoCommit vote_data;
    gboolean voted;
    ProtoView da_vote_view; /* last DA vote */
    ProtoCommit da_vote_data;
    gboolean da_voted;
    ProtoView proposal_view;
    ProtoCommit proposal_leaf;
    gboolean proposed;
} NodeRecord;

struct AnaSafety {
    uint32_t node_count;
    NodeRecord *nodes;
    GArray *decided; /* index = height - 1 */
    char *violation;
    AnaSafetyKind violation_kind;
    uint64_t violation_time;
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
    g_free(s->nodes);
    g_array_unref(s->decided);
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

/* DA votes have their own slot: a DA vote and a quorum vote for one view are both honest. */
static void check_da_vote(AnaSafety *s, uint32_t node, const ProtoVote *vote, uint64_t now)
{
    NodeRecord *r = &s->nodes[node];
    if (r->da_voted && vote->view <= r->da_vote_view) {
        if (vote->view != r->da_vote_view || !proto_commit_equal(&vote->data, &r->da_vote_data)) {
            violate(s, ANA_SAFETY_VOTE_ONCE, now,
                    "node %u sent a da_vote for view %" PRIu64 " after a da_vote for view %" PRIu64
                    " (for another payload, or a later view)",
                    node, vote->view, r->da_vote_view);
        }
        return;
    }
    r->da_voted = TRUE;
    r->da_vote_view = vote->view;
    r->da_vote_data = vote->data;
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

uint64_t ana_safety_node_height(const AnaSafety *s, uint32_t node)
{
    PROTO_ASSERT(node < s->node_count);
    return s->nodes[node].height;
}
