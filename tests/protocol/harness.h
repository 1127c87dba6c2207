/*
 * A driver for protocol tests without the simulator: nodes exchange messages through one FIFO
 * queue with no latency, time moves only when a test advances it, timers fire in time order,
 * and randomness is a fixed splitmix64 sequence. Tests can drop messages, crash nodes and
 * inject bytes, and read back every decide with the message that triggered it.
 *
 * A node can be Byzantine (harness_set_byzantine): the harness then drives it as byzantine.h
 * asks of a driver: the behaviour's configuration hook runs before the node is created, every
 * action the node drains goes through proto_byzantine_rewrite, and a restart
 * (harness_restart) passes the persisted state through proto_byzantine_on_restart.
 */
#ifndef SHOTGLASS_TESTS_PROTOCOL_HARNESS_H
#define SHOTGLASS_TESTS_PROTOCOL_HARNESS_H

#include "protocol/builder.h"
#include "protocol/byzantine.h"
#include "protocol/node.h"

#include <glib.h>

typedef struct Envelope {
    ProtoNodeId from;
    ProtoNodeId to;
    ProtoMsgType type;
    GBytes *bytes;
} Envelope;

typedef struct Decision {
    ProtoNodeId node;
    ProtoView leaf_view;
    uint64_t height;
    ProtoCommit commit;
    ProtoMsgType trigger_type; /* the message being handled when the decide happened */
    ProtoView trigger_view;    /* its view (proposals) */
    ProtoCommit payload;       /* the leaf's payload commitment */
    uint64_t payload_size;
} Decision;

typedef struct Harness Harness;

/* Returns TRUE to drop the envelope instead of delivering it. */
typedef gboolean (*HarnessFilter)(Harness *h, const Envelope *e, void *user_data);

struct Harness {
    uint32_t n;
    ProtoCrypto *crypto;
    ProtoStakeTable *stake;
    ProtoEpochs *epochs; /* NULL without epochs */
    ProtoShared *shared;
    ProtoNode **nodes;
    ProtoNodeConfig *configs;
    GQueue *queue; /* of Envelope * */
    ProtoTime now;
    ProtoTime (*timers)[PROTO_TIMER_COUNT_];
    gboolean *down;
    GArray *decisions; /* of Decision */
    GArray *notes;     /* of ProtoAction (kind NOTE), with target = node */
    HarnessFilter filter;
    void *filter_data;
    uint64_t rng;
    uint64_t delivered;
    uint64_t advance_budget; /* messages harness_advance may deliver per call (default 20000) */
    ProtoMsgType handling_type;
    ProtoView handling_view;
    ProtoBuilder *builder;         /* endpoint `n`, with HarnessOptions.builder */
    GPtrArray *built;              /* of ProtoPayload *: every block the builder handed out */
    ProtoByzantineKind *behaviour; /* per node, PROTO_BYZANTINE_NONE for honest ones */
    ProtoByzantine **byzantine;    /* per node, while it runs */
    GArray *rewritten;             /* of ProtoAction: one rewrite's output */
    uint64_t (*sent)[PROTO_MSG_TYPE_COUNT_]; /* envelopes queued, by sender and type */
};

typedef struct HarnessOptions {
    uint32_t nodes;
    ProtoCryptoMode crypto;
    ProtoLeaderMode leaders;
    gboolean three_chain;
    ProtoDuration view_timeout;
    const uint64_t *stakes; /* NULL: equal */
    /* The data-availability layer, on when da_count > 0: the committee is nodes 0..da_count-1.
     * With `builder`, endpoint `n` is a block builder answering leaders at once from the
     * transactions tests add with proto_builder_add(h->builder, ...); otherwise leaders
     * propose empty blocks. */
    uint32_t da_count;
    gboolean synthetic;
    gboolean builder;
    uint64_t block_max; /* 0: 1 MiB */
    /* Epochs (protocol/epoch.h), on when epoch_length > 0, with these stake changes. */
    uint64_t epoch_length;
    const ProtoStakeChange *changes;
    uint32_t change_count;
    ProtoMutant mutant; /* every node's */
} HarnessOptions;

Harness *harness_new(const HarnessOptions *options);
void harness_free(Harness *h);

/* Makes `node` Byzantine with `kind`; before harness_start. Applies the configuration hook to
 * h->configs[node] at once (tests may adjust the config further afterwards). */
void harness_set_byzantine(Harness *h, ProtoNodeId node, ProtoByzantineKind kind);

/* Starts every node at the current time and processes the resulting actions. */
void harness_start(Harness *h);

/* Delivers queued messages (FIFO) until none is left or `steps_max` were delivered. */
void harness_run(Harness *h, uint64_t steps_max);

/* Fires every timer due at or before `until` in time order (running the queue after each),
 * then sets the clock to `until`. Delivery is instantaneous, so a live protocol never runs out
 * of messages at one instant: at most `advance_budget` messages are delivered per call. */
void harness_advance(Harness *h, ProtoTime until);

/* Crashes `node` and restarts it at once from what it persisted (as the behaviour's restart
 * hook leaves it), with a fresh node object, the same configuration and cleared timers. */
void harness_restart(Harness *h, ProtoNodeId node);

/* Hands `bytes` to node `to` as if `from` sent it; returns the node's result code. */
int harness_inject(Harness *h, ProtoNodeId from, ProtoNodeId to, GBytes *bytes);

ProtoNodeId harness_leader(const Harness *h, ProtoView view);

/* The view an envelope is about (proposal, vote, certificate or data message; 0 otherwise). */
ProtoView harness_view_of(const Harness *h, const Envelope *e);

/* The block the builder built with this payload commitment, or NULL. */
ProtoPayload *harness_built(const Harness *h, const ProtoCommit *commit);

/* Decisions of one node, in order (a new array of Decision; g_array_unref). */
GArray *harness_decisions_of(const Harness *h, ProtoNodeId node);

/* Highest decided height at a node (0 if none). */
uint64_t harness_height(const Harness *h, ProtoNodeId node);

/* Counts notes of `kind` at `node` (PROTO_NODE_NONE: any node) for `view` (0: any). */
uint32_t harness_count_notes(const Harness *h, ProtoNodeId node, ProtoNoteKind kind,
                             ProtoView view);

/* Counts the inputs `node` (PROTO_NODE_NONE: any) rejected with `code` (0: any code other than
 * the routine STALE and DUPLICATE, which are not noted), for messages of `type` (0: any type;
 * messages that do not decode count as type 0 and match only 0). */
uint32_t harness_count_rejected(const Harness *h, ProtoNodeId node, ProtoMsgType type, int code);

/* Envelopes `from` queued of `type` (0: any), a broadcast counting once per recipient. */
uint64_t harness_sent(const Harness *h, ProtoNodeId from, ProtoMsgType type);

#endif
