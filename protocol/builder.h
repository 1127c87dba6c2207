/*
 * A block builder: the mempool and block assembly, as a sans-I/O component its driver hosts on
 * a builder endpoint (../shared/protocol/hotshot.md section 3.2).
 *
 * Transactions arrive forwarded by sequencer nodes and wait in arrival order. Asked for a block
 * for view v, the builder takes waiting transactions first come, first served, as long as the
 * block's logical size (transactions plus namespace and transaction tables) stays within
 * block_max, groups them by namespace and builds the payload (real or synthetic, payload.h).
 * Included transactions wait for the block's fate: when the builder hears that blocks were
 * decided (it subscribes to a node's decide events, as Espresso's builders do), their
 * transactions are done; transactions of a block for a view the decided chain has passed, and
 * that was not decided, go back to waiting in their original order.
 *
 * The size limit adapts, as Espresso's builder's does (marketplace-builder-core
 * crates/legacy/src/block_size_limits.rs, BlockSizeLimits; hotshot-builder-core service.rs): it
 * starts at block_max; a response the builder could not give within its API timeout takes a
 * tenth off (never below 10,000 bytes), and a response given in time, with a tenth of the
 * timeout to spare, for a block the limit cut short adds a tenth back (never above block_max).
 * So a builder whose block work outgrows the leader's patience builds smaller blocks instead of
 * none. What the builder cannot see, the transfer of the block to a far or slow leader, does not
 * move the limit: there, as in HotShot, the leader proposes an empty block.
 */
#ifndef SHOTGLASS_PROTOCOL_BUILDER_H
#define SHOTGLASS_PROTOCOL_BUILDER_H

#include "protocol/payload.h"

#include <glib.h>

typedef struct ProtoBuilder ProtoBuilder;

typedef struct ProtoBuilderStats {
    uint64_t received;   /* distinct transactions taken in */
    uint64_t duplicates; /* submissions of a transaction already known */
    uint64_t too_large;  /* transactions larger than any block: dropped */
    uint64_t blocks;     /* blocks built */
    uint64_t requeued;   /* transactions returned to waiting after an undecided block */
    uint64_t decided;    /* transactions seen in decided blocks */
    uint64_t late;       /* responses later than the API timeout (each lowered the limit) */
    uint64_t raised;     /* times the limit went back up */
} ProtoBuilderStats;

#define PROTO_BUILDER_LIMIT_FLOOR 10000 /* bytes: MAX_BLOCK_SIZE_FLOOR */

/* `params` is borrowed and must outlive the builder. */
ProtoBuilder *proto_builder_new(const ProtoVidParams *params, uint64_t block_max,
                                gboolean synthetic);
void proto_builder_free(ProtoBuilder *builder);

/* Takes a transaction into the mempool (ignored if its id is already known). */
void proto_builder_add(ProtoBuilder *builder, const ProtoTx *tx);

/*
 * Builds the block for `view` from waiting transactions (possibly empty). Charges the build's
 * hashing and encoding to `*cpu` via `costs`. Returns a new payload reference.
 */
ProtoPayload *proto_builder_build(ProtoBuilder *builder, ProtoView view,
                                  const ProtoCostTable *costs, ProtoDuration *cpu);

/*
 * Learns that the blocks with these payload commitments (of views `views`) were decided, the
 * decided chain having reached view `decided_view`: their transactions are done, and the
 * transactions of blocks for earlier views that were not decided wait again.
 */
void proto_builder_on_decided(ProtoBuilder *builder, const ProtoCommit *commits,
                              const ProtoView *views, uint32_t count, ProtoView decided_view);

/*
 * Tells the builder how long its last response (to the block it built last) took, from the
 * request's arrival to the response leaving, against its API timeout; adjusts the limit as
 * the header describes. A timeout of 0 keeps the limit where it is.
 */
void proto_builder_on_served(ProtoBuilder *builder, ProtoDuration took, ProtoDuration timeout);

/* The size limit the next block is built under (bytes). */
uint64_t proto_builder_limit(const ProtoBuilder *builder);

/* Transactions waiting to be included. */
uint64_t proto_builder_waiting(const ProtoBuilder *builder);
const ProtoBuilderStats *proto_builder_stats(const ProtoBuilder *builder);

#endif
