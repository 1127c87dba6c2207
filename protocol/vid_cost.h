/*
 * The CPU cost of VID work, per scheme (docs/crypto-costs.md, "VID per scheme").
 *
 * AVID-M:  a flat rate per byte (costs->vid_encode_per_mib) for the commitment and for a
 *          dispersal; a share's check is charged per unit where the units are checked
 *          (payload.c, costs->merkle_verify_per_level), so proto_vid_cost() gives 0 for it.
 * none:    no dispersal; the block commitment is a hash of the block (costs->hash_per_mib).
 * ADVZ:    jellyfish's `advz` (tag 0.4.5, as HotShot 0.5.63 used it) with HotShot's
 *          parameters: n storage nodes (every validator), recovery threshold k = the largest
 *          power of two <= n, multiplicity 1. The payload's 31-byte field elements fill
 *          m = ceil(elements / k) polynomials of k coefficients; each step's cost is an
 *          operation count times a published arkworks timing (zkalc, AWS m5), so it grows with
 *          the block size (m) and with n (k and the 2k evaluation points).
 *
 * Work, as HotShot 0.5.63 does it (crates/task-impls/src/{da.rs, vid.rs, quorum_vote}):
 *   COMMIT        vid_commitment / commit_only_precompute: the builder, and each DA member
 *                 checking the leader's DA proposal.
 *   DISPERSE_PRE  disperse_precompute: the leader, reusing the builder's KZG commitments.
 *   DISPERSE      disperse: shares computed from a stored payload (a DA member answering a
 *                 VID request, calculate_vid_disperse without precompute data).
 *   VERIFY_SHARE  verify_share: every recipient of a share.
 */
#ifndef PROTOCOL_VID_COST_H
#define PROTOCOL_VID_COST_H

#include "protocol/crypto.h"

#include <stdint.h>

typedef enum ProtoVidWork {
    PROTO_VID_WORK_COMMIT,
    PROTO_VID_WORK_DISPERSE_PRE,
    PROTO_VID_WORK_DISPERSE,
    PROTO_VID_WORK_VERIFY_SHARE,
} ProtoVidWork;

/* The CPU time of `work` on a payload of `bytes` logical bytes among `nodes` storage nodes,
 * under costs->vid_scheme. Deterministic: a fixed input gives a fixed value. */
ProtoDuration proto_vid_cost(const ProtoCostTable *costs, ProtoVidWork work, uint64_t bytes,
                             uint32_t nodes);

/* The production size of one node's share under costs->vid_scheme: `avidm_bytes` (the AVID-M
 * size vid.c computes) unless the scheme is ADVZ. An ADVZ share of a `payload_bytes` block is
 * its m evaluations and the common data sent with it (the m KZG commitments), 32 bytes each,
 * plus the aggregate proof, the Merkle path and the lengths (docs/crypto-costs.md). */
uint64_t proto_vid_share_bytes(const ProtoCostTable *costs, uint64_t avidm_bytes,
                               uint64_t payload_bytes, uint32_t nodes);

/* ADVZ's recovery threshold for `nodes` storage nodes (HotShot vid.rs: 1 << ilog2(n)). */
uint32_t proto_advz_threshold(uint32_t nodes);

#endif
