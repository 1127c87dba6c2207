/* Helpers the Byzantine behaviours share; see behaviour.h. */
#include "protocol/byzantine/behaviour.h"

#include "protocol/assert.h"

#include <string.h>

void byzantine__keep(ProtoByzantine *b, GArray *out, ProtoAction *action)
{
    PROTO_ASSERT(action->kind != 0);
    g_array_append_val(out, *action);
    memset(action, 0, sizeof *action);
    b->stats.kept++;
}

void byzantine__drop(ProtoByzantine *b, ProtoAction *action)
{
    PROTO_ASSERT(action->kind != 0);
    proto_action_clear(action);
    b->stats.dropped++;
}

void byzantine__replace(ProtoByzantine *b, GArray *out, ProtoAction *action, GBytes *bytes,
                        uint64_t size)
{
    PROTO_ASSERT(byzantine__is_message(action));
    PROTO_ASSERT(bytes != NULL && size > 0);
    g_bytes_unref(action->bytes);
    action->bytes = bytes;
    action->size = size;
    g_array_append_val(out, *action);
    memset(action, 0, sizeof *action);
    b->stats.changed++;
}

void byzantine__add_bytes(ProtoByzantine *b, GArray *out, ProtoNodeId target, ProtoMsgType type,
                          GBytes *bytes, uint64_t size)
{
    PROTO_ASSERT(bytes != NULL);
    PROTO_ASSERT(target == PROTO_NODE_NONE || target < b->node->shared->endpoint_count);
    ProtoAction a = {.kind = target == PROTO_NODE_NONE ? PROTO_ACTION_BROADCAST : PROTO_ACTION_SEND,
                     .target = target,
                     .msg_type = type,
                     .bytes = g_bytes_ref(bytes),
                     .size = size};
    g_array_append_val(out, a);
    b->stats.added++;
}

void byzantine__add(ProtoByzantine *b, GArray *out, ProtoNodeId target, const ProtoMsg *msg)
{
    PROTO_ASSERT(msg->sender == b->node->id);
    uint64_t size = 0;
    GBytes *bytes = proto_msg_encode(msg, &size);
    byzantine__add_bytes(b, out, target, msg->type, bytes, size);
    g_bytes_unref(bytes);
}

gboolean byzantine__is_message(const ProtoAction *action)
{
    return action->kind == PROTO_ACTION_SEND || action->kind == PROTO_ACTION_BROADCAST;
}

gboolean byzantine__is(const ProtoAction *action, ProtoMsgType type)
{
    return byzantine__is_message(action) && action->msg_type == type;
}

gboolean byzantine__to_self(const ProtoByzantine *b, const ProtoAction *action)
{
    return action->kind == PROTO_ACTION_SEND && action->target == b->node->id;
}

gboolean byzantine__decode(const ProtoByzantine *b, const ProtoAction *action, ProtoMsg *msg)
{
    PROTO_ASSERT(byzantine__is_message(action) && action->bytes != NULL);
    const ProtoShared *shared = b->node->shared;
    ProtoDecodeContext ctx = {
        .node_count = shared->node_count, .pool = NULL, .endpoint_count = shared->endpoint_count};
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(action->bytes, &len);
    return proto_msg_decode(data, len, &ctx, msg) == PROTO_OK;
}

GBytes *byzantine__sign_proposal(ProtoByzantine *b, ProtoMsg *msg, uint64_t *size)
{
    PROTO_ASSERT(msg->type == PROTO_MSG_PROPOSAL && msg->sender == b->node->id);
    ProtoProposal *p = &msg->proposal;
    ProtoCommit commit;
    proto_leaf_commit(p->view, &p->parent, &p->header, p->justify_qc, &commit);
    proto_crypto_sign(b->node->env.signer, &commit, &p->signature, &b->node->cpu);
    return proto_msg_encode(msg, size);
}

uint64_t byzantine__random(const ProtoByzantine *b)
{
    const ProtoEnv *env = &b->node->env;
    PROTO_ASSERT(env->random != NULL);
    return env->random(env->random_user_data);
}
