/*
 * The received-broadcast cache; see recv_cache.h.
 */
#include "protocol/recv_cache.h"

#include "protocol/assert.h"

#include <string.h>

struct ProtoRecvCache {
    ProtoRecvEntry entries[PROTO_RECV_CACHE_ENTRIES];
    uint64_t clock; /* recency stamps; an entry with bytes == NULL is free */
    ProtoRecvCacheStats stats;
};

ProtoRecvCache *proto_recv_cache_new(void)
{
    return g_new0(ProtoRecvCache, 1);
}

static void entry_clear(ProtoRecvEntry *entry)
{
    if (entry->bytes == NULL) return;
    proto_msg_clear(&entry->msg);
    g_bytes_unref(entry->bytes);
    memset(entry, 0, sizeof *entry);
}

void proto_recv_cache_free(ProtoRecvCache *cache)
{
    if (cache == NULL) return;
    for (int i = 0; i < PROTO_RECV_CACHE_ENTRIES; i++)
        entry_clear(&cache->entries[i]);
    g_free(cache);
}

gboolean proto_recv_cache_admits(const uint8_t *data, size_t len)
{
    if (data == NULL || len < PROTO_ENVELOPE_BYTES) return FALSE;
    switch (data[1]) { /* the envelope's type byte */
    case PROTO_MSG_PROPOSAL:
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_DA_CERT:
    case PROTO_MSG_HIGH_QC: /* the n forwards of one QC to a leader are one GBytes */
        return TRUE;
    default:
        return FALSE;
    }
}

ProtoRecvEntry *proto_recv_cache_get(ProtoRecvCache *cache, GBytes *bytes,
                                     const ProtoDecodeContext *context)
{
    PROTO_ASSERT(cache != NULL && bytes != NULL);
    PROTO_ASSERT(context != NULL);
    cache->stats.lookups++;
    ProtoRecvEntry *victim = &cache->entries[0];
    for (int i = 0; i < PROTO_RECV_CACHE_ENTRIES; i++) {
        ProtoRecvEntry *entry = &cache->entries[i];
        if (entry->bytes == bytes) {
            cache->stats.hits++;
            entry->used = ++cache->clock;
            return entry;
        }
        if (entry->used < victim->used) victim = entry; /* free entries have used == 0 */
    }
    entry_clear(victim);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    PROTO_ASSERT(proto_recv_cache_admits(data, len));
    victim->bytes = g_bytes_ref(bytes);
    victim->decode_rc = proto_msg_decode(data, len, context, &victim->msg);
    victim->used = ++cache->clock;
    PROTO_ASSERT(victim->decode_rc == PROTO_OK || victim->msg.type == 0);
    return victim;
}

const ProtoRecvCacheStats *proto_recv_cache_stats(const ProtoRecvCache *cache)
{
    return &cache->stats;
}
