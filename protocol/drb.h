/*
 * The distributed random beacon (DRB) of hotshot.md 1.3: the leader schedule of epoch e + 2
 * comes from the decided epoch root of epoch e. Its seed is the root leaf's QC-signature field
 * (the first 32 bytes of the bincode-serialized signature of the leaf's justify QC); the result is
 * SHA-256 iterated `difficulty` times over the seed, a sequential delay function that every node
 * recomputes (no proof). Epochs 1 and 2 use the genesis beacon.
 *
 * The seed here is BLAKE2b-256 of the QC's (view, data, signer bitmap) instead of its signature
 * bytes: a BLS aggregate is a deterministic function of the signer set and the signed message,
 * so this is the same information; and the seed does not depend on which crypto mode signed the
 * QC (their signature bytes differ). The schedule still does, as without epochs: the election
 * orders validators by their public keys, which differ between the modes.
 *
 * Difficulties above PROTO_DRB_ITERATIONS_MAX (mainnet's 2.5e10 would take minutes of wall time
 * per epoch) are computed as PROTO_DRB_ITERATIONS_MAX iterations over SHA-256(seed || difficulty
 * as 8 bytes LE): a different but equally fixed function. The virtual CPU time charged is always
 * `difficulty` iterations (costs.drb_iteration each).
 */
#ifndef SHOTGLASS_PROTOCOL_DRB_H
#define SHOTGLASS_PROTOCOL_DRB_H

#include "protocol/message.h"

#include <stdint.h>

#define PROTO_DRB_BYTES          32
#define PROTO_DRB_ITERATIONS_MAX ((uint64_t)1 << 20)

/* The DRB seed of an epoch root whose justify QC is `qc`. */
void proto_drb_seed(const ProtoCert *qc, uint8_t seed[PROTO_DRB_BYTES]);

/* The DRB result of `seed` after `difficulty` (>= 1) iterations (see the file comment). */
void proto_drb_compute(const uint8_t seed[PROTO_DRB_BYTES], uint64_t difficulty,
                       uint8_t result[PROTO_DRB_BYTES]);

#endif
