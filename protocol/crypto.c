/*
 * Crypto provider implementation; see crypto.h.
 */
#include "protocol/crypto.h"

#include "protocol/assert.h"

#include <sodium.h>
#include <string.h>

#define MEMO_ENTRIES_MAX (1u << 16)

struct ProtoSigner {
    const ProtoCrypto *crypto;
    ProtoNodeId id;
};

struct ProtoCrypto {
    ProtoCryptoMode mode;
    uint32_t node_count;
    uint8_t (*secret)[crypto_sign_SECRETKEYBYTES]; /* modeled: the first 32 bytes are the key */
    uint8_t (*public_key)[PROTO_PUBLIC_KEY_BYTES];
    ProtoSigner *signers;
    GHashTable *memo; /* cert digest -> result + 1; a cache, so only wall time depends on it */
    ProtoCostTable costs;
    ProtoCryptoStats stats;
};

void proto_cost_table_default(ProtoCostTable *c)
{
    /* Sources and derivations: docs/crypto-costs.md. */
    *c = (ProtoCostTable){
        .sign = 100 * PROTO_US,
        .verify = 1600 * PROTO_US,
        .cert_verify = 1600 * PROTO_US,
        .cert_verify_per_signer = 1 * PROTO_US,
        .hash_per_mib = 577 * PROTO_US,
        .message_base = 5 * PROTO_US,
        .vid_encode_per_mib = 20 * PROTO_MS,
        .merkle_verify_per_level = 75,
        .drb_iteration = 35, /* one 64-byte SHA-256 block at 0.55 ns/B */
    };
}

static guint digest_hash(gconstpointer key)
{
    const uint8_t *b = key;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean digest_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, PROTO_COMMIT_BYTES) == 0;
}

ProtoCrypto *proto_crypto_new(ProtoCryptoMode mode, uint32_t node_count, const uint8_t (*seeds)[32],
                              const ProtoCostTable *costs)
{
    PROTO_ASSERT(node_count > 0 && node_count <= PROTO_NODES_MAX);
    PROTO_ASSERT(seeds != NULL && costs != NULL);
    PROTO_ASSERT(sodium_init() >= 0);
    ProtoCrypto *crypto = g_new0(ProtoCrypto, 1);
    crypto->mode = mode;
    crypto->node_count = node_count;
    crypto->costs = *costs;
    crypto->secret = g_malloc0((size_t)node_count * crypto_sign_SECRETKEYBYTES);
    crypto->public_key = g_malloc0((size_t)node_count * PROTO_PUBLIC_KEY_BYTES);
    crypto->signers = g_new(ProtoSigner, node_count);
    for (uint32_t i = 0; i < node_count; i++) {
        crypto->signers[i] = (ProtoSigner){crypto, i};
        if (mode == PROTO_CRYPTO_REAL) {
            crypto_sign_seed_keypair(crypto->public_key[i], crypto->secret[i], seeds[i]);
        } else {
            static const char tag[] = "shotglass-modeled-public-key";
            memcpy(crypto->secret[i], seeds[i], 32);
            crypto_generichash(crypto->public_key[i], PROTO_PUBLIC_KEY_BYTES, seeds[i], 32,
                               (const uint8_t *)tag, sizeof tag - 1);
        }
    }
    crypto->memo = g_hash_table_new_full(digest_hash, digest_equal, g_free, NULL);
    return crypto;
}

void proto_crypto_free(ProtoCrypto *crypto)
{
    if (crypto == NULL) return;
    sodium_memzero(crypto->secret, (size_t)crypto->node_count * crypto_sign_SECRETKEYBYTES);
    g_free(crypto->secret);
    g_free(crypto->public_key);
    g_free(crypto->signers);
    g_hash_table_unref(crypto->memo);
    g_free(crypto);
}

ProtoCryptoMode proto_crypto_mode(const ProtoCrypto *crypto)
{
    return crypto->mode;
}

const ProtoCostTable *proto_crypto_costs(const ProtoCrypto *crypto)
{
    return &crypto->costs;
}

uint32_t proto_crypto_node_count(const ProtoCrypto *crypto)
{
    return crypto->node_count;
}

const uint8_t *proto_crypto_public_key(const ProtoCrypto *crypto, ProtoNodeId id)
{
    PROTO_ASSERT(id < crypto->node_count);
    return crypto->public_key[id];
}

const ProtoSigner *proto_crypto_signer(const ProtoCrypto *crypto, ProtoNodeId id)
{
    PROTO_ASSERT(id < crypto->node_count);
    return &crypto->signers[id];
}

ProtoNodeId proto_signer_id(const ProtoSigner *signer)
{
    return signer->id;
}

const ProtoCryptoStats *proto_crypto_stats(const ProtoCrypto *crypto)
{
    return &crypto->stats;
}

/* The modeled tag of node `id` over `message`: SipHash-2-4 with 128-bit output (libsodium's
 * crypto_shorthash_siphashx24, a keyed PRF) under each half of the node's 32-byte key, one
 * half of the tag each. A MAC is all a modeled signature needs: the keys never leave the
 * provider, so only the signer can make its tag. (It was a keyed BLAKE2b-256, about four times
 * the instructions; a leader checks one tag per vote, so this was a seventh of a run's work.) */
static void modeled_tag(const ProtoCrypto *crypto, ProtoNodeId id, const ProtoCommit *message,
                        uint8_t out[32])
{
    _Static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16, "two SipHash keys per node");
    _Static_assert(crypto_shorthash_siphashx24_BYTES == 16, "two halves of a 32-byte tag");
    crypto_shorthash_siphashx24(out, message->bytes, PROTO_COMMIT_BYTES, crypto->secret[id]);
    crypto_shorthash_siphashx24(out + 16, message->bytes, PROTO_COMMIT_BYTES,
                                crypto->secret[id] + 16);
}

void proto_crypto_sign(const ProtoSigner *signer, const ProtoCommit *message, ProtoSignature *out,
                       ProtoDuration *cpu)
{
    PROTO_ASSERT(signer != NULL && message != NULL && out != NULL && cpu != NULL);
    ProtoCrypto *crypto = (ProtoCrypto *)signer->crypto;
    memset(out, 0, sizeof *out);
    if (crypto->mode == PROTO_CRYPTO_REAL) {
        out->scheme = PROTO_SIG_ED25519;
        out->len = crypto_sign_BYTES;
        crypto_sign_detached(out->bytes, NULL, message->bytes, PROTO_COMMIT_BYTES,
                             crypto->secret[signer->id]);
    } else {
        out->scheme = PROTO_SIG_MODELED;
        out->len = 32;
        modeled_tag(crypto, signer->id, message, out->bytes);
    }
    crypto->stats.signatures++;
    *cpu += crypto->costs.sign;
}

static int check_one(const ProtoCrypto *crypto, ProtoNodeId signer, const ProtoCommit *message,
                     const uint8_t *bytes, size_t len)
{
    if (crypto->mode == PROTO_CRYPTO_REAL) {
        if (len != crypto_sign_BYTES) return PROTO_ERR_SIGNATURE;
        return crypto_sign_verify_detached(bytes, message->bytes, PROTO_COMMIT_BYTES,
                                           crypto->public_key[signer]) == 0
                   ? PROTO_OK
                   : PROTO_ERR_SIGNATURE;
    }
    uint8_t expected[32];
    modeled_tag(crypto, signer, message, expected);
    return len == 32 && sodium_memcmp(expected, bytes, 32) == 0 ? PROTO_OK : PROTO_ERR_SIGNATURE;
}

int proto_crypto_verify(ProtoCrypto *crypto, ProtoNodeId signer, const ProtoCommit *message,
                        const ProtoSignature *signature, ProtoDuration *cpu)
{
    PROTO_ASSERT(message != NULL && signature != NULL && cpu != NULL);
    *cpu += crypto->costs.verify;
    crypto->stats.verifications++;
    uint8_t want = crypto->mode == PROTO_CRYPTO_REAL ? PROTO_SIG_ED25519 : PROTO_SIG_MODELED;
    if (signer >= crypto->node_count || signature->scheme != want) return PROTO_ERR_SIGNATURE;
    return check_one(crypto, signer, message, signature->bytes, signature->len);
}

void proto_crypto_charge_verify(ProtoCrypto *crypto, ProtoDuration *cpu)
{
    PROTO_ASSERT(crypto != NULL && cpu != NULL);
    *cpu += crypto->costs.verify;
    crypto->stats.verifications++;
}

/* The uncached check: every signer's signature (real) or the XOR of their tags (modeled). */
static int check_cert(const ProtoCrypto *crypto, const ProtoCert *cert)
{
    ProtoCommit message;
    proto_vote_commit(cert->kind, cert->view, cert->relay, &cert->data, &message);
    uint8_t aggregate[32] = {0};
    size_t position = 0;
    for (ProtoNodeId id = 0; id < cert->node_count; id++) {
        if (!proto_cert_has_signer(cert, id)) continue;
        if (crypto->mode == PROTO_CRYPTO_REAL) {
            const uint8_t *sig = cert->signature + position * crypto_sign_BYTES;
            if (check_one(crypto, id, &message, sig, crypto_sign_BYTES) != PROTO_OK) {
                return PROTO_ERR_SIGNATURE;
            }
        } else {
            uint8_t tag[32];
            modeled_tag(crypto, id, &message, tag);
            for (int i = 0; i < 32; i++)
                aggregate[i] ^= tag[i];
        }
        position++;
    }
    if (crypto->mode == PROTO_CRYPTO_MODELED &&
        sodium_memcmp(aggregate, cert->signature, 32) != 0) {
        return PROTO_ERR_SIGNATURE;
    }
    return PROTO_OK;
}

int proto_crypto_verify_cert(ProtoCrypto *crypto, const ProtoCert *cert, ProtoDuration *cpu)
{
    PROTO_ASSERT(cert != NULL && cpu != NULL);
    *cpu += crypto->costs.cert_verify + crypto->costs.cert_verify_per_signer * cert->signer_count;
    crypto->stats.cert_checks++;
    uint8_t want = crypto->mode == PROTO_CRYPTO_REAL ? PROTO_SIG_ED25519 : PROTO_SIG_MODELED;
    uint64_t length =
        want == PROTO_SIG_ED25519 ? (uint64_t)cert->signer_count * crypto_sign_BYTES : 32;
    /* The decoder checks this for certificates off the wire; certificates built locally (tests,
     * Byzantine behaviours) must not make the check read past the signature block either. */
    if (cert->signer_count == 0 || cert->scheme != want || cert->node_count != crypto->node_count ||
        cert->signature_len != length) {
        return PROTO_ERR_FIELD;
    }
    gpointer found = g_hash_table_lookup(crypto->memo, cert->digest.bytes);
    if (found != NULL) {
        crypto->stats.cert_memo_hits++;
        return GPOINTER_TO_INT(found) - 1;
    }
    int result = check_cert(crypto, cert);
    if (g_hash_table_size(crypto->memo) >= MEMO_ENTRIES_MAX) g_hash_table_remove_all(crypto->memo);
    g_hash_table_insert(crypto->memo, g_memdup2(cert->digest.bytes, PROTO_COMMIT_BYTES),
                        GINT_TO_POINTER(result + 1));
    return result;
}

void proto_crypto_charge_hash(const ProtoCrypto *crypto, uint64_t bytes, ProtoDuration *cpu)
{
    *cpu += (ProtoDuration)(((ProtoU128)bytes * crypto->costs.hash_per_mib) >> 20);
}

/* --- aggregation ----------------------------------------------------------------------------- */

void proto_aggregate_init(ProtoAggregate *a, const ProtoCrypto *crypto, ProtoCertKind kind,
                          ProtoView view, uint32_t relay, const ProtoCommit *data)
{
    PROTO_ASSERT(a != NULL && crypto != NULL);
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->view = view;
    a->relay = relay;
    if (data != NULL) a->data = *data;
    a->node_count = crypto->node_count;
    a->signers = g_malloc0(((size_t)a->node_count + 7) / 8);
    if (crypto->mode == PROTO_CRYPTO_REAL) {
        a->signatures = g_malloc0((size_t)a->node_count * crypto_sign_BYTES);
    }
}

void proto_aggregate_clear(ProtoAggregate *a)
{
    g_free(a->signers);
    g_free(a->signatures);
    memset(a, 0, sizeof *a);
}

void proto_aggregate_release(ProtoAggregate *a)
{
    PROTO_ASSERT(a->signers != NULL);
    g_free(a->signers);
    g_free(a->signatures);
    a->signers = NULL;
    a->signatures = NULL;
}

gboolean proto_aggregate_add(ProtoAggregate *a, ProtoNodeId signer, const ProtoSignature *signature)
{
    PROTO_ASSERT(signer < a->node_count);
    PROTO_ASSERT(a->signers != NULL); /* not released */
    uint8_t bit = (uint8_t)(1u << (signer & 7));
    if (a->signers[signer >> 3] & bit) return FALSE;
    a->signers[signer >> 3] |= bit;
    a->signer_count++;
    if (a->signatures != NULL) {
        PROTO_ASSERT(signature->len == crypto_sign_BYTES);
        memcpy(a->signatures + (size_t)signer * crypto_sign_BYTES, signature->bytes,
               crypto_sign_BYTES);
    } else {
        PROTO_ASSERT(signature->len == 32);
        for (int i = 0; i < 32; i++)
            a->tag[i] ^= signature->bytes[i];
    }
    return TRUE;
}

ProtoCert *proto_aggregate_finish(const ProtoAggregate *a, const ProtoCrypto *crypto)
{
    PROTO_ASSERT(a->signer_count > 0);
    if (crypto->mode == PROTO_CRYPTO_MODELED) {
        return proto_cert_new(a->kind, a->view, a->relay, &a->data, a->node_count, a->signers,
                              PROTO_SIG_MODELED, a->tag, 32);
    }
    uint32_t len = a->signer_count * crypto_sign_BYTES;
    uint8_t *packed = g_malloc(len);
    size_t position = 0;
    for (ProtoNodeId id = 0; id < a->node_count; id++) {
        if (!((a->signers[id >> 3] >> (id & 7)) & 1u)) continue;
        memcpy(packed + position * crypto_sign_BYTES,
               a->signatures + (size_t)id * crypto_sign_BYTES, crypto_sign_BYTES);
        position++;
    }
    ProtoCert *cert = proto_cert_new(a->kind, a->view, a->relay, &a->data, a->node_count,
                                     a->signers, PROTO_SIG_ED25519, packed, len);
    g_free(packed);
    return cert;
}
