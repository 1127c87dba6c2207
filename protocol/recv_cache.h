/*
 * Received broadcasts, decoded once for all their recipients.
 *
 * A broadcast's encoding is one GBytes that every recipient is handed (the drivers share it
 * among the copies), so 1,000 nodes receiving the same proposal would decode the same bytes
 * 1,000 times, re-hash its certificates' n-bit signer bitmaps, recompute its leaf commitment and
 * re-check the leader's signature: the wall-clock cost of a view grew with n². This cache, in
 * the state all nodes of a run share (ProtoShared), keeps for the last few broadcasts it saw the
 * decoded message and the results of the checks that depend on the bytes alone (the leaf
 * commitment and the signature check over it, with the fixed key set), so the first recipient
 * does the work and the others reuse it.
 *
 * What it does not change: every recipient is still charged the full virtual CPU cost of the
 * decode and of each check, and counted in the crypto statistics, as if it had done them; so
 * timing, traces and digests are those of an uncached run. It caches nothing a node's own state
 * decides (sender checks, views, leaders, stake thresholds: those run per recipient).
 *
 * How it works. Entries are keyed by the identity of the GBytes, and each entry holds a
 * reference on it, so while an entry lives its address cannot be reused for other bytes; GBytes
 * are immutable, so identity implies equal content. Different bytes are different keys: a
 * Byzantine sender that gives each recipient its own bytes has each copy decoded and checked.
 * Only message types whose bytes reach many recipients are admitted (proposals, DA proposals
 * and certificates, view-sync certificates, and high-QC forwards, which every node sends a
 * leader as the same bytes: ProtoMsg.any_sender): votes arrive once each and would only push
 * broadcasts out. A fixed number of entries, replaced least recently used first, bounds its
 * memory to PROTO_RECV_CACHE_ENTRIES messages. The decoded messages are shared read-only: a
 * handler gets a const ProtoMsg and must copy (with references) what it keeps.
 */
#ifndef SHOTGLASS_PROTOCOL_RECV_CACHE_H
#define SHOTGLASS_PROTOCOL_RECV_CACHE_H

#include "protocol/message.h"

#include <glib.h>
#include <stdint.h>

#define PROTO_RECV_CACHE_ENTRIES 8

/* One received broadcast. Read-only to callers except through the setters below. */
typedef struct ProtoRecvEntry {
    GBytes *bytes; /* the key; one reference held */
    int decode_rc; /* proto_msg_decode's result */
    ProtoMsg msg;  /* decoded (valid when decode_rc == PROTO_OK); owned, shared read-only */
    uint64_t used; /* recency stamp */
    /* PROPOSAL and PROPOSAL_RESPONSE: the leaf commitment of msg.proposal and the result of the
     * signature check of msg.proposal.signature over it, once some recipient computed them. */
    gboolean have_commit;
    ProtoCommit commit;
    gboolean have_signature;
    ProtoNodeId signature_signer; /* whose signature was checked (the proposer) */
    int signature_rc;
} ProtoRecvEntry;

typedef struct ProtoRecvCacheStats {
    uint64_t lookups; /* admitted messages looked up */
    uint64_t hits;    /* of which already decoded */
} ProtoRecvCacheStats;

typedef struct ProtoRecvCache ProtoRecvCache;

ProtoRecvCache *proto_recv_cache_new(void);
/* Releases every entry (its message and its reference on the bytes) and the cache. */
void proto_recv_cache_free(ProtoRecvCache *cache);

/* Whether messages of the type in this encoding's envelope are cached (broadcast types). */
gboolean proto_recv_cache_admits(const uint8_t *data, size_t len);

/*
 * The entry for `bytes`, decoding them with `context` first if they are not cached (evicting
 * the least recently used entry). Precondition: proto_recv_cache_admits. The context must be
 * the same for every call on one cache (the run's committee). Returns an entry owned by the
 * cache, valid until the next call on it.
 */
ProtoRecvEntry *proto_recv_cache_get(ProtoRecvCache *cache, GBytes *bytes,
                                     const ProtoDecodeContext *context);

const ProtoRecvCacheStats *proto_recv_cache_stats(const ProtoRecvCache *cache);

#endif
