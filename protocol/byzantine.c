/*
 * The registry of Byzantine behaviours: which module implements each ProtoByzantineKind, and the
 * public calls of byzantine.h, which dispatch to it. The behaviours themselves are in
 * protocol/byzantine/<name>.c.
 */
#include "protocol/byzantine.h"

#include "protocol/assert.h"
#include "protocol/byzantine/behaviour.h"

#include <string.h>

static const ByzantineBehaviour *const registry[PROTO_BYZANTINE_KIND_COUNT_] = {
    [PROTO_BYZANTINE_NONE] = NULL,
    [PROTO_BYZANTINE_SILENT] = &byzantine__silent,
    [PROTO_BYZANTINE_EQUIVOCATE] = &byzantine__equivocate,
    [PROTO_BYZANTINE_FORK] = &byzantine__fork,
    [PROTO_BYZANTINE_STALE_QC] = &byzantine__stale_qc,
    [PROTO_BYZANTINE_DOUBLE_VOTE] = &byzantine__double_vote,
    [PROTO_BYZANTINE_CONFLICTING_VOTES] = &byzantine__conflicting_votes,
    [PROTO_BYZANTINE_INVALID_SIGNATURES] = &byzantine__invalid_signatures,
    [PROTO_BYZANTINE_MALFORMED] = &byzantine__malformed,
    [PROTO_BYZANTINE_WITHHOLD_VOTES] = &byzantine__withhold_votes,
    [PROTO_BYZANTINE_SPAM] = &byzantine__spam,
    [PROTO_BYZANTINE_DA_NO_STORE] = &byzantine__da_no_store,
    [PROTO_BYZANTINE_VID_WITHHOLD] = &byzantine__vid_withhold,
    [PROTO_BYZANTINE_CORRUPT_SHARES] = &byzantine__corrupt_shares,
    [PROTO_BYZANTINE_TWINS] = &byzantine__twins,
    [PROTO_BYZANTINE_AMNESIA] = &byzantine__amnesia,
    [PROTO_BYZANTINE_FORGED_QC] = &byzantine__forged_qc,
    [PROTO_BYZANTINE_WEAK_TC] = &byzantine__weak_tc,
    [PROTO_BYZANTINE_FORK_PARENT] = &byzantine__fork_parent,
    [PROTO_BYZANTINE_INCONSISTENT_ENCODING] = &byzantine__inconsistent_encoding,
    [PROTO_BYZANTINE_NONEMPTY_TRANSITION] = &byzantine__nonempty_transition,
    [PROTO_BYZANTINE_LC_FORGE] = &byzantine__lc_forge,
    [PROTO_BYZANTINE_LC_SILENT] = &byzantine__lc_silent,
};

/* The width of the name column in the help text. */
#define HELP_NAME_WIDTH 23

static const ByzantineBehaviour *behaviour_of(ProtoByzantineKind kind)
{
    PROTO_ASSERT(kind > PROTO_BYZANTINE_NONE && kind < PROTO_BYZANTINE_KIND_COUNT_);
    const ByzantineBehaviour *behaviour = registry[kind];
    PROTO_ASSERT(behaviour != NULL && behaviour->rewrite != NULL);
    return behaviour;
}

gboolean proto_byzantine_lookup(const char *name, ProtoByzantineKind *kind)
{
    PROTO_ASSERT(name != NULL && kind != NULL);
    for (int i = 0; i < PROTO_BYZANTINE_KIND_COUNT_; i++) {
        if (strcmp(proto_byzantine_name((ProtoByzantineKind)i), name) == 0) {
            *kind = (ProtoByzantineKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *proto_byzantine_name(ProtoByzantineKind kind)
{
    PROTO_ASSERT(kind < PROTO_BYZANTINE_KIND_COUNT_);
    return kind == PROTO_BYZANTINE_NONE ? "none" : behaviour_of(kind)->name;
}

static char *build_help(void)
{
    GString *help = g_string_new(NULL);
    for (int i = PROTO_BYZANTINE_NONE + 1; i < PROTO_BYZANTINE_KIND_COUNT_; i++) {
        const ByzantineBehaviour *behaviour = behaviour_of((ProtoByzantineKind)i);
        PROTO_ASSERT(strlen(behaviour->name) < HELP_NAME_WIDTH);
        PROTO_ASSERT(strchr(behaviour->help, '\n') == NULL);
        g_string_append_printf(help, "%-*s%s\n", HELP_NAME_WIDTH, behaviour->name, behaviour->help);
    }
    return g_string_free(help, FALSE);
}

const char *proto_byzantine_help(void)
{
    /* Built once from the modules' lines and kept for the life of the process. */
    static char *help;
    if (help == NULL) help = build_help();
    return help;
}

uint32_t proto_byzantine_flags(ProtoByzantineKind kind)
{
    PROTO_ASSERT(kind < PROTO_BYZANTINE_KIND_COUNT_);
    return kind == PROTO_BYZANTINE_NONE ? 0 : behaviour_of(kind)->flags;
}

gboolean proto_byzantine_is_twins(ProtoByzantineKind kind)
{
    return (proto_byzantine_flags(kind) & PROTO_BYZANTINE_FLAG_TWINS) != 0;
}

gboolean proto_byzantine_is_amnesia(ProtoByzantineKind kind)
{
    return (proto_byzantine_flags(kind) & PROTO_BYZANTINE_FLAG_AMNESIA) != 0;
}

gboolean proto_byzantine_can_switch(ProtoByzantineKind kind)
{
    if (kind == PROTO_BYZANTINE_NONE) return TRUE;
    return !proto_byzantine_is_twins(kind) && !proto_byzantine_is_amnesia(kind) &&
           behaviour_of(kind)->configure == NULL;
}

void proto_byzantine_configure(ProtoByzantineKind kind, ProtoNodeConfig *config)
{
    PROTO_ASSERT(config != NULL);
    if (kind == PROTO_BYZANTINE_NONE) return;
    const ByzantineBehaviour *behaviour = behaviour_of(kind);
    if (behaviour->configure != NULL) behaviour->configure(config);
}

void proto_byzantine_on_restart(ProtoByzantineKind kind, const ProtoShared *shared,
                                ProtoPersisted *persisted)
{
    PROTO_ASSERT(shared != NULL && persisted != NULL);
    if (kind == PROTO_BYZANTINE_NONE) return;
    const ByzantineBehaviour *behaviour = behaviour_of(kind);
    if (behaviour->restart != NULL) behaviour->restart(shared, persisted);
    PROTO_ASSERT(persisted->high_qc != NULL && persisted->anchor != NULL);
}

uint32_t proto_byzantine_twin_side(ProtoNodeId peer, uint32_t node_count)
{
    PROTO_ASSERT(peer < node_count);
    return peer < node_count / 2 ? 0 : 1;
}

ProtoByzantine *proto_byzantine_new(ProtoByzantineKind kind, ProtoNode *node)
{
    PROTO_ASSERT(node != NULL);
    ProtoByzantine *b = g_new0(ProtoByzantine, 1);
    b->kind = kind;
    b->behaviour = behaviour_of(kind);
    b->node = node;
    if (b->behaviour->create != NULL) b->state = b->behaviour->create(node);
    return b;
}

void proto_byzantine_free(ProtoByzantine *b)
{
    if (b == NULL) return;
    if (b->behaviour->free != NULL) b->behaviour->free(b->state);
    g_free(b);
}

ProtoByzantineKind proto_byzantine_kind(const ProtoByzantine *b)
{
    return b->kind;
}

const ProtoByzantineStats *proto_byzantine_stats(const ProtoByzantine *b)
{
    return &b->stats;
}

void proto_byzantine_rewrite(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now)
{
    PROTO_ASSERT(b != NULL && action != NULL && out != NULL);
    PROTO_ASSERT(g_array_get_element_size(out) == sizeof(ProtoAction));
    guint before = out->len;
    uint64_t disposed = b->stats.kept + b->stats.dropped + b->stats.changed;
    b->behaviour->rewrite(b, action, out, now);
    /* The contract of behaviour.h: the action was disposed of exactly once, and what came out
     * is well formed. */
    PROTO_ASSERT(b->stats.kept + b->stats.dropped + b->stats.changed == disposed + 1);
    PROTO_ASSERT(action->kind == 0 && action->bytes == NULL);
    for (guint i = before; i < out->len; i++) {
        const ProtoAction *a = &g_array_index(out, ProtoAction, i);
        PROTO_ASSERT(!byzantine__is_message(a) || a->bytes != NULL);
    }
}
