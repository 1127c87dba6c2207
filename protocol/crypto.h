/*
 * The crypto provider: signatures, certificate aggregation and verification, and the CPU cost
 * of each operation, behind one interface with two modes.
 *
 *   real     libsodium Ed25519. A vote carries a 64-byte signature; a certificate is the signer
 *            bitmap plus every signer's signature, in ascending signer order.
 *   modeled  keyed SipHash-2-4 tags (32 bytes: two 128-bit outputs); the keys stay inside the
 *            provider, so a node can only tag as the signer it was given (ProtoSigner). A
 *            certificate is the bitmap plus the XOR of its signers' tags, which, like a BLS
 *            aggregate, cannot be formed without every signer's tag and is checked by
 *            recomputing them.
 *
 * Both modes charge the same virtual CPU time, taken from the cost table (BLS over BN254, as
 * HotShot signs), so timing results do not depend on the mode; only wall time does. Certificate
 * signature checks are memoised by the certificate's digest in the provider, which every node of
 * a run shares: 1,000 nodes receiving the same QC verify it once in wall time, while each is
 * still charged the virtual cost.
 *
 * Default costs and their sources are in docs/crypto-costs.md: a BLS verify in Jellyfish is two
 * full BN254 pairings plus hash-to-curve (1.6 ms at arkworks speed), signing is a hash-to-curve
 * and a G1 multiplication (100 us), a certificate check is one BLS verify plus a G2 addition per
 * signer (1 us, with keys validated once when the stake table is loaded), SHA-256 runs at about
 * 0.55 ns per byte.
 */
#ifndef SHOTGLASS_PROTOCOL_CRYPTO_H
#define SHOTGLASS_PROTOCOL_CRYPTO_H

#include "protocol/message.h"
#include "protocol/types.h"

#include <glib.h>
#include <stdint.h>

typedef enum ProtoCryptoMode {
    PROTO_CRYPTO_MODELED,
    PROTO_CRYPTO_REAL,
} ProtoCryptoMode;

/* Which VID the cost table charges (vid_cost.h): zero, as in a zeroed table, is AVID-M. */
typedef enum ProtoVidScheme {
    PROTO_VID_SCHEME_AVIDM = 0, /* flat per byte: vid_encode_per_mib */
    PROTO_VID_SCHEME_NONE,      /* no dispersal: the commitment is a hash (hash_per_mib) */
    PROTO_VID_SCHEME_ADVZ,      /* KZG on BN254, grows with the block and the storage nodes */
} ProtoVidScheme;

typedef struct ProtoCostTable {
    ProtoDuration sign;                   /* one BLS signature */
    ProtoDuration verify;                 /* one BLS signature check */
    ProtoDuration cert_verify;            /* an aggregate check: the pairings */
    ProtoDuration cert_verify_per_signer; /* plus one public-key addition per signer */
    ProtoDuration hash_per_mib;           /* SHA-256 over payloads */
    ProtoDuration message_base;           /* receiving and decoding any message */
    ProtoDuration vid_encode_per_mib;     /* erasure coding over the BN254 field (DA) */
    ProtoDuration merkle_verify_per_level;
    ProtoDuration drb_iteration; /* one SHA-256 of the DRB's delay function (epochs, drb.h) */
    int vid_scheme;              /* ProtoVidScheme: how VID work is charged (vid_cost.h) */
} ProtoCostTable;

#define PROTO_PUBLIC_KEY_BYTES 32

typedef struct ProtoCrypto ProtoCrypto;
typedef struct ProtoSigner ProtoSigner;

/* Fills `costs` with the documented defaults. */
void proto_cost_table_default(ProtoCostTable *costs);

/*
 * Creates a provider for `node_count` nodes whose keys derive from `seeds[i]` (32 bytes each,
 * from the driver's seeded random streams; Ed25519 keys come from crypto_sign_seed_keypair).
 * Copies `costs`. Returns a new provider (proto_crypto_free).
 */
ProtoCrypto *proto_crypto_new(ProtoCryptoMode mode, uint32_t node_count, const uint8_t (*seeds)[32],
                              const ProtoCostTable *costs);
void proto_crypto_free(ProtoCrypto *crypto);

ProtoCryptoMode proto_crypto_mode(const ProtoCrypto *crypto);
const ProtoCostTable *proto_crypto_costs(const ProtoCrypto *crypto);
uint32_t proto_crypto_node_count(const ProtoCrypto *crypto);
const uint8_t *proto_crypto_public_key(const ProtoCrypto *crypto, ProtoNodeId id);

/* The capability to sign as node `id`; owned by the provider. Drivers hand each node its own. */
const ProtoSigner *proto_crypto_signer(const ProtoCrypto *crypto, ProtoNodeId id);
ProtoNodeId proto_signer_id(const ProtoSigner *signer);

/* Signs `message` as the signer's node; adds the cost of a signature to `*cpu`. */
void proto_crypto_sign(const ProtoSigner *signer, const ProtoCommit *message, ProtoSignature *out,
                       ProtoDuration *cpu);

/* Checks one signature by `signer` over `message`; adds a verification's cost to `*cpu`.
 * Returns PROTO_OK or PROTO_ERR_SIGNATURE (also for the wrong scheme or an unknown signer). */
int proto_crypto_verify(ProtoCrypto *crypto, ProtoNodeId signer, const ProtoCommit *message,
                        const ProtoSignature *signature, ProtoDuration *cpu);

/* Charges and counts a signature check like proto_crypto_verify, without redoing it: for a
 * caller that holds the result of the same check over the same bytes (recv_cache.h). */
void proto_crypto_charge_verify(ProtoCrypto *crypto, ProtoDuration *cpu);

/*
 * Checks that a certificate's signature covers exactly its signer set over the vote commitment
 * of (kind, view, relay, data). Memoised by digest; adds the virtual cost to `*cpu` every time.
 * Does not check stake thresholds (the stake table does). Returns PROTO_OK, PROTO_ERR_SIGNATURE
 * or PROTO_ERR_FIELD (no signers, or a scheme this provider does not use).
 */
int proto_crypto_verify_cert(ProtoCrypto *crypto, const ProtoCert *cert, ProtoDuration *cpu);

/* Adds the cost of hashing `bytes` bytes to `*cpu`. */
void proto_crypto_charge_hash(const ProtoCrypto *crypto, uint64_t bytes, ProtoDuration *cpu);

/* --- building certificates from verified votes ---------------------------------------------- */

typedef struct ProtoAggregate {
    ProtoCertKind kind;
    ProtoView view;
    uint32_t relay;
    ProtoCommit data;
    uint32_t node_count;
    uint32_t signer_count;
    uint8_t *signers;    /* bitmap, owned */
    uint8_t tag[32];     /* modeled: XOR of tags */
    uint8_t *signatures; /* real: node_count x 64 bytes, indexed by signer, owned */
} ProtoAggregate;

void proto_aggregate_init(ProtoAggregate *aggregate, const ProtoCrypto *crypto, ProtoCertKind kind,
                          ProtoView view, uint32_t relay, const ProtoCommit *data);
void proto_aggregate_clear(ProtoAggregate *aggregate);

/* Adds a verified signature; returns FALSE if `signer` was already counted. */
gboolean proto_aggregate_add(ProtoAggregate *aggregate, ProtoNodeId signer,
                             const ProtoSignature *signature);

/* Builds the certificate (one reference, caller owns). */
ProtoCert *proto_aggregate_finish(const ProtoAggregate *aggregate, const ProtoCrypto *crypto);

/*
 * Frees the signer bitmap and the signatures of an aggregate whose certificate is built: the
 * certificate holds the signer set from then on (one copy, shared by every node through the
 * certificate pool), so a tally need not keep its n bits (and, real mode, n signatures) until
 * it is cleared. Afterwards only proto_aggregate_clear may be called on it.
 */
void proto_aggregate_release(ProtoAggregate *aggregate);

/* --- statistics ----------------------------------------------------------------------------------
 */

typedef struct ProtoCryptoStats {
    uint64_t signatures;
    uint64_t verifications;
    uint64_t cert_checks;
    uint64_t cert_memo_hits;
} ProtoCryptoStats;

const ProtoCryptoStats *proto_crypto_stats(const ProtoCrypto *crypto);

#endif
