/*
 * The interface between the Byzantine registry (protocol/byzantine.c) and the behaviours, each a
 * module protocol/byzantine/<name>.c that defines one ByzantineBehaviour, plus the helpers they
 * share (common.c). Not part of the public interface: drivers use protocol/byzantine.h.
 *
 * A behaviour sees its node's internals (node_state-internal.h): it may read them, and may
 * change state a real faulty implementation could change, like dropping a stored payload, but it
 * signs only through the node's own signer (node->env.signer, e.g. via node__sign_vote), so it
 * can never sign as anyone else.
 *
 * The rewrite contract: `rewrite` receives one drained action and must dispose of it through
 * the helpers below, exactly once: byzantine__keep (pass it on), byzantine__drop (withhold it)
 * or byzantine__replace (pass it on with other bytes); it may add messages of its own with
 * byzantine__add / byzantine__add_bytes before or after. The helpers keep the statistics.
 */
#ifndef SHOTGLASS_PROTOCOL_BYZANTINE_BEHAVIOUR_H
#define SHOTGLASS_PROTOCOL_BYZANTINE_BEHAVIOUR_H

#include "protocol/byzantine.h"
#include "protocol/node_state-internal.h"

#include <glib.h>

typedef struct ByzantineBehaviour ByzantineBehaviour;

struct ProtoByzantine {
    ProtoByzantineKind kind;
    const ByzantineBehaviour *behaviour;
    ProtoNode *node; /* borrowed */
    void *state;     /* the behaviour's own (create/free), or NULL */
    ProtoByzantineStats stats;
};

struct ByzantineBehaviour {
    const char *name; /* as scenario files write it */
    const char *help; /* one line, no newline */
    uint32_t flags;   /* PROTO_BYZANTINE_FLAG_* */
    /* Per-node state, or NULL for none; free gets what create returned. */
    void *(*create)(ProtoNode *node);
    void (*free)(void *state);
    /* One drained action (see the contract above). Required. */
    void (*rewrite)(ProtoByzantine *b, ProtoAction *action, GArray *out, ProtoTime now);
    /* Optional: the node's configuration before it is created. */
    void (*configure)(ProtoNodeConfig *config);
    /* Optional: what the node persisted, before it restarts. */
    void (*restart)(const ProtoShared *shared, ProtoPersisted *persisted);
};

extern const ByzantineBehaviour byzantine__silent;
extern const ByzantineBehaviour byzantine__equivocate;
extern const ByzantineBehaviour byzantine__fork;
extern const ByzantineBehaviour byzantine__stale_qc;
extern const ByzantineBehaviour byzantine__double_vote;
extern const ByzantineBehaviour byzantine__conflicting_votes;
extern const ByzantineBehaviour byzantine__invalid_signatures;
extern const ByzantineBehaviour byzantine__malformed;
extern const ByzantineBehaviour byzantine__withhold_votes;
extern const ByzantineBehaviour byzantine__spam;
extern const ByzantineBehaviour byzantine__da_no_store;
extern const ByzantineBehaviour byzantine__vid_withhold;
extern const ByzantineBehaviour byzantine__corrupt_shares;
extern const ByzantineBehaviour byzantine__twins;
extern const ByzantineBehaviour byzantine__amnesia;
extern const ByzantineBehaviour byzantine__forged_qc;
extern const ByzantineBehaviour byzantine__weak_tc;
extern const ByzantineBehaviour byzantine__fork_parent;
extern const ByzantineBehaviour byzantine__inconsistent_encoding;
extern const ByzantineBehaviour byzantine__nonempty_transition;
extern const ByzantineBehaviour byzantine__lc_forge;
extern const ByzantineBehaviour byzantine__lc_silent;

/* --- disposing of an action (common.c) -------------------------------------------------------- */

/* Passes `action` on unchanged. */
void byzantine__keep(ProtoByzantine *b, GArray *out, ProtoAction *action);
/* Withholds `action` (releases it). */
void byzantine__drop(ProtoByzantine *b, ProtoAction *action);
/* Passes the message `action` on with `bytes` instead (takes ownership) charged `size`. */
void byzantine__replace(ProtoByzantine *b, GArray *out, ProtoAction *action, GBytes *bytes,
                        uint64_t size);
/* Adds a message of its own: `bytes` (a new reference is taken) of `type`, charged `size`, as a
 * SEND to `target`, or a BROADCAST when `target` is PROTO_NODE_NONE. */
void byzantine__add_bytes(ProtoByzantine *b, GArray *out, ProtoNodeId target, ProtoMsgType type,
                          GBytes *bytes, uint64_t size);
/* Encodes `msg` (its sender must be the node) and adds it as above. */
void byzantine__add(ProtoByzantine *b, GArray *out, ProtoNodeId target, const ProtoMsg *msg);

/* --- looking at actions ----------------------------------------------------------------------- */

/* A SEND or a BROADCAST. */
gboolean byzantine__is_message(const ProtoAction *action);
/* A message of `type`. */
gboolean byzantine__is(const ProtoAction *action, ProtoMsgType type);
/* A SEND to the node itself. */
gboolean byzantine__to_self(const ProtoByzantine *b, const ProtoAction *action);
/* Decodes the bytes of a message action; FALSE (msg cleared) if they do not decode. */
gboolean byzantine__decode(const ProtoByzantine *b, const ProtoAction *action, ProtoMsg *msg);

/* --- forging with the node's own key ---------------------------------------------------------- */

/* Signs the proposal in `msg` (the node's own) over its leaf commitment, and encodes it. */
GBytes *byzantine__sign_proposal(ProtoByzantine *b, ProtoMsg *msg, uint64_t *size);
/* A uniform value from the node's random function (the driver's seeded stream). */
uint64_t byzantine__random(const ProtoByzantine *b);

#endif
