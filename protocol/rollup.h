/*
 * A rollup executor: reads its namespace of every decided block back from the data-availability
 * layer, verifies it, and reports which of its transactions became available, and when
 * (../shared/protocol/hotshot.md sections 3.5 and 3.7). A sans-I/O component its driver hosts on
 * an endpoint; it hears of decided blocks from a node it subscribes to (DECIDE_NOTICE).
 *
 * Two ways to fetch, as in Espresso's fallback order:
 *   da   ask a DA committee member for the namespace with its proof (namespace bytes plus the
 *        path of the namespace's root to the payload commitment), check it by re-encoding;
 *        another member is tried after request_timeout.
 *   vid  reconstruct: ask validators for their VID shares, verify each against the commitment,
 *        and once the shares hold k units of weight, decode the namespace (real payloads only).
 * Blocks whose namespace table does not list the rollup's namespace are checked off at once.
 */
#ifndef SHOTGLASS_PROTOCOL_ROLLUP_H
#define SHOTGLASS_PROTOCOL_ROLLUP_H

#include "protocol/node.h"

#include <glib.h>

typedef enum ProtoRollupMode {
    PROTO_ROLLUP_FROM_DA,
    PROTO_ROLLUP_FROM_VID,
} ProtoRollupMode;

typedef struct ProtoRollupConfig {
    ProtoNodeId endpoint; /* this executor's endpoint id */
    uint32_t ns_id;
    ProtoRollupMode mode;
    ProtoDuration request_timeout;
} ProtoRollupConfig;

/* A transaction of the rollup found in a verified namespace. */
typedef struct ProtoRollupTx {
    uint64_t id;
    uint32_t size;
    ProtoView view;
    uint64_t height;
} ProtoRollupTx;

typedef struct ProtoRollupStats {
    uint64_t blocks_seen;
    uint64_t blocks_verified; /* namespaces fetched and verified (or absent from the block) */
    uint64_t bytes_fetched;
    uint64_t rejected; /* responses that failed verification */
    uint64_t retries;
} ProtoRollupStats;

typedef struct ProtoRollup ProtoRollup;

/* `shared` is borrowed (for the committee, VID parameters and costs). */
ProtoRollup *proto_rollup_new(const ProtoRollupConfig *config, const ProtoShared *shared,
                              ProtoRandomFn random, void *random_user_data);
void proto_rollup_free(ProtoRollup *rollup);

/* Handles a message (DECIDE_NOTICE, NS_RESPONSE, VID_RESPONSE). Returns PROTO_OK or an error. */
int proto_rollup_recv(ProtoRollup *rollup, ProtoNodeId from, GBytes *bytes, ProtoTime now);

/* Its retry timer (timer id 0) fired. */
void proto_rollup_on_timer(ProtoRollup *rollup, ProtoTime now);

/* Pending actions: SEND, TIMER_SET (timer 0). */
gboolean proto_rollup_drain(ProtoRollup *rollup, ProtoAction *action);

/* Transactions found available since the last call, in block order: appended to `out`. */
void proto_rollup_take_available(ProtoRollup *rollup, GArray *out);

ProtoDuration proto_rollup_take_cpu(ProtoRollup *rollup);
const ProtoRollupStats *proto_rollup_stats(const ProtoRollup *rollup);
/* Blocks heard of but not yet verified. */
uint32_t proto_rollup_outstanding(const ProtoRollup *rollup);

#endif
