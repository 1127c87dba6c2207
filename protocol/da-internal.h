/*
 * The data-availability layer (da.c), for the modules above it: consensus.c and node.c. Not part
 * of the public interface. The functions marked "requests" may leave node->requests for the
 * caller to take at once (consensus__take_requests; see node_state-internal.h).
 */
#ifndef SHOTGLASS_PROTOCOL_DA_INTERNAL_H
#define SHOTGLASS_PROTOCOL_DA_INTERNAL_H

#include "protocol/node_state-internal.h"

gboolean da__enabled(const ProtoNode *node);
void da__init(ProtoNode *node);
void da__clear(ProtoNode *node);
/* Requests `propose` once the block is dispersed (at once without a builder). */
void da__start_block(ProtoNode *node, ProtoView view);
gboolean da__block_ready(const ProtoNode *node, ProtoView view);
void da__fill_header(const ProtoNode *node, ProtoHeader *header);
/* Requests `vote` for `leaf` once its DAC and share are in (at once if they are). */
void da__on_safe_proposal(ProtoNode *node, ProtoLeaf *leaf);
/* Requests `vote` (a DAC or share completing a proposal) or `propose` (the builder's block). */
int da__dispatch(ProtoNode *node, const ProtoMsg *msg);
/* Requests `propose` (the empty block). */
void da__on_builder_timer(ProtoNode *node);
void da__on_data_timer(ProtoNode *node);
/* A copy of the stored payloads and shares (references taken; proposals waiting for data are
 * not kept), and putting one back into a fresh node. */
DaRecord *da__snapshot(const ProtoNode *node);
void da__restore(ProtoNode *node, const DaRecord *records, uint32_t count);
void da__records_free(DaRecord *records, uint32_t count);
size_t da__memory(const ProtoNode *node);

#endif
