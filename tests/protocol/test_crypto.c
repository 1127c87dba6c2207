/*
 * The crypto provider, in both modes (modeled BLAKE2b tags and real Ed25519): a signature
 * verifies only for its signer, its message and its scheme; keys and signatures are a pure
 * function of the seeds; a certificate built from k votes verifies, while a forged signer, a
 * borrowed or corrupted signature block, or an empty signer set is rejected; the aggregate
 * refuses a signer twice; the certificate memo saves wall time but never virtual time; and both
 * modes charge the same virtual CPU, taken from the cost table. Forged certificates are sent
 * through the wire decoder first, so each one is something a peer could actually deliver.
 */
#include "tests/check_main.h"

#include "protocol/crypto.h"

#include <sodium.h>
#include <string.h>

#define NODES 10

/* Loop tests run once per mode, indexed by Check's `_i`. */
static const ProtoCryptoMode modes[] = {PROTO_CRYPTO_MODELED, PROTO_CRYPTO_REAL};

/* Distinct, fixed 32-byte seeds; `salt` selects another key set. */
static void fill_seeds(uint8_t (*seeds)[32], uint32_t n, uint8_t salt)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t input[5] = {salt, (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16), 0x5e};
        crypto_generichash(seeds[i], 32, input, sizeof input, NULL, 0);
    }
}

static ProtoCrypto *provider_with(ProtoCryptoMode mode, uint32_t n, uint8_t salt,
                                  const ProtoCostTable *costs)
{
    ck_assert_int_ge(sodium_init(), 0);
    uint8_t(*seeds)[32] = g_malloc((size_t)n * 32);
    fill_seeds(seeds, n, salt);
    ProtoCrypto *crypto = proto_crypto_new(mode, n, (const uint8_t(*)[32])seeds, costs);
    g_free(seeds);
    return crypto;
}

static ProtoCrypto *provider(ProtoCryptoMode mode, uint32_t n, uint8_t salt)
{
    ProtoCostTable costs;
    proto_cost_table_default(&costs);
    return provider_with(mode, n, salt, &costs);
}

static ProtoCommit commit_of(uint8_t fill)
{
    ProtoCommit c;
    for (int i = 0; i < PROTO_COMMIT_BYTES; i++)
        c.bytes[i] = (uint8_t)(fill + 3 * i);
    return c;
}

static ProtoSignature sign_as(ProtoCrypto *crypto, ProtoNodeId id, const ProtoCommit *message)
{
    ProtoSignature sig;
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(crypto, id), message, &sig, &cpu);
    return sig;
}

static int verify(ProtoCrypto *crypto, ProtoNodeId id, const ProtoCommit *message,
                  const ProtoSignature *sig)
{
    ProtoDuration cpu = 0;
    return proto_crypto_verify(crypto, id, message, sig, &cpu);
}

static int verify_cert(ProtoCrypto *crypto, const ProtoCert *cert)
{
    ProtoDuration cpu = 0;
    return proto_crypto_verify_cert(crypto, cert, &cpu);
}

/* A certificate of `kind` over (view, relay, data) from the votes of `signers`. */
static ProtoCert *make_cert(ProtoCrypto *crypto, ProtoCertKind kind, ProtoView view, uint32_t relay,
                            const ProtoCommit *data, const ProtoNodeId *signers, int count)
{
    ProtoAggregate agg;
    proto_aggregate_init(&agg, crypto, kind, view, relay, data);
    ProtoCommit message;
    proto_vote_commit(kind, view, relay, &agg.data, &message);
    for (int i = 0; i < count; i++) {
        ProtoSignature sig = sign_as(crypto, signers[i], &message);
        ck_assert(proto_aggregate_add(&agg, signers[i], &sig));
    }
    ProtoCert *cert = proto_aggregate_finish(&agg, crypto);
    proto_aggregate_clear(&agg);
    return cert;
}

/* The certificate `base` with another signer bitmap and signature block. */
static ProtoCert *rebuild(const ProtoCert *base, const uint8_t *signers, const uint8_t *block,
                          uint32_t len)
{
    return proto_cert_new(base->kind, base->view, base->relay, &base->data, base->node_count,
                          signers, base->scheme, block, len);
}

/* Encodes `cert` in a high-QC message and decodes it as a receiving node would; returns the
 * decode result and, on success, the decoded certificate in `*out`. */
static int through_wire(const ProtoCert *cert, ProtoCert **out)
{
    ProtoMsg msg = {.type = PROTO_MSG_HIGH_QC, .sender = 1, .cert = (ProtoCert *)cert};
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    ProtoDecodeContext ctx = {.node_count = cert->node_count, .pool = NULL};
    ProtoMsg in;
    gsize len;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    int rc = proto_msg_decode(data, len, &ctx, &in);
    *out = rc == PROTO_OK ? proto_cert_ref(in.cert) : NULL;
    if (rc == PROTO_OK) proto_msg_clear(&in);
    g_bytes_unref(bytes);
    return rc;
}

/* Delivers `cert` over the wire (which must accept it) and returns what verification says. */
static int verify_received(ProtoCrypto *crypto, const ProtoCert *cert)
{
    ProtoCert *copy = NULL;
    ck_assert_int_eq(through_wire(cert, &copy), PROTO_OK);
    int rc = verify_cert(crypto, copy);
    proto_cert_unref(copy);
    return rc;
}

/* --- single signatures ---------------------------------------------------------------------- */

/* A valid signature of `id` over `m`, and every single-field alteration of it, which must fail. */
static void check_one_signature(ProtoCrypto *crypto, ProtoNodeId id, const ProtoCommit *m)
{
    gboolean real = proto_crypto_mode(crypto) == PROTO_CRYPTO_REAL;
    ProtoSignature sig = sign_as(crypto, id, m);
    ck_assert_uint_eq(sig.scheme, real ? PROTO_SIG_ED25519 : PROTO_SIG_MODELED);
    ck_assert_uint_eq(sig.len, real ? 64 : 32);
    ck_assert_int_eq(verify(crypto, id, m, &sig), PROTO_OK);
    ck_assert_int_eq(verify(crypto, (id + 1) % NODES, m, &sig), PROTO_ERR_SIGNATURE);
    ProtoCommit other = *m;
    other.bytes[17] ^= 0x01;
    ck_assert_int_eq(verify(crypto, id, &other, &sig), PROTO_ERR_SIGNATURE);
    /* A single flipped bit anywhere in the signature: first, middle and last byte, low and
     * high bit. */
    const int positions[] = {0, sig.len / 2, sig.len - 1};
    for (int p = 0; p < 3; p++) {
        for (int bit = 0; bit < 8; bit += 7) {
            ProtoSignature flipped = sig;
            flipped.bytes[positions[p]] ^= (uint8_t)(1u << bit);
            ck_assert_int_eq(verify(crypto, id, m, &flipped), PROTO_ERR_SIGNATURE);
        }
    }
    ProtoSignature scheme = sig;
    scheme.scheme = real ? PROTO_SIG_MODELED : PROTO_SIG_ED25519;
    ck_assert_int_eq(verify(crypto, id, m, &scheme), PROTO_ERR_SIGNATURE);
    scheme.scheme = 0;
    ck_assert_int_eq(verify(crypto, id, m, &scheme), PROTO_ERR_SIGNATURE);
    ProtoSignature shorter = sig;
    shorter.len = (uint8_t)(sig.len - 1);
    ck_assert_int_eq(verify(crypto, id, m, &shorter), PROTO_ERR_SIGNATURE);
    ck_assert_int_eq(verify(crypto, NODES, m, &sig), PROTO_ERR_SIGNATURE);
    ck_assert_int_eq(verify(crypto, PROTO_NODE_NONE, m, &sig), PROTO_ERR_SIGNATURE);
    if (real) {
        /* It is a plain Ed25519 signature over the 32 commitment bytes. */
        ck_assert_int_eq(crypto_sign_verify_detached(sig.bytes, m->bytes, PROTO_COMMIT_BYTES,
                                                     proto_crypto_public_key(crypto, id)),
                         0);
    }
}

START_TEST(sign_verify_round_trip_and_forgeries)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    ck_assert_int_eq(proto_crypto_mode(crypto), modes[_i]);
    ck_assert_uint_eq(proto_crypto_node_count(crypto), NODES);
    const ProtoNodeId ids[] = {0, 3, NODES - 1};
    for (int i = 0; i < 3; i++) {
        ProtoCommit m = commit_of((uint8_t)(40 + i));
        check_one_signature(crypto, ids[i], &m);
        ck_assert_uint_eq(proto_signer_id(proto_crypto_signer(crypto, ids[i])), ids[i]);
    }
    /* A signature by one node, claimed for another: each node's signature over the same
     * message differs, and none verifies under another node's id. */
    ProtoCommit m = commit_of(99);
    ProtoSignature sigs[NODES];
    for (ProtoNodeId a = 0; a < NODES; a++)
        sigs[a] = sign_as(crypto, a, &m);
    for (ProtoNodeId a = 0; a < NODES; a++) {
        for (ProtoNodeId b = 0; b < NODES; b++) {
            ck_assert_int_eq(verify(crypto, b, &m, &sigs[a]),
                             a == b ? PROTO_OK : PROTO_ERR_SIGNATURE);
        }
    }
    proto_crypto_free(crypto);
}
END_TEST

START_TEST(keys_and_signatures_are_deterministic)
{
    ProtoCrypto *a = provider(modes[_i], NODES, 1);
    ProtoCrypto *b = provider(modes[_i], NODES, 1);
    ProtoCrypto *c = provider(modes[_i], NODES, 2);
    uint8_t(*seeds)[32] = g_malloc(NODES * 32);
    fill_seeds(seeds, NODES, 1);
    ProtoCommit m = commit_of(7);
    for (ProtoNodeId i = 0; i < NODES; i++) {
        const uint8_t *key = proto_crypto_public_key(a, i);
        ck_assert_mem_eq(key, proto_crypto_public_key(b, i), PROTO_PUBLIC_KEY_BYTES);
        ck_assert(memcmp(key, proto_crypto_public_key(c, i), PROTO_PUBLIC_KEY_BYTES) != 0);
        for (ProtoNodeId j = 0; j < i; j++)
            ck_assert(memcmp(key, proto_crypto_public_key(a, j), PROTO_PUBLIC_KEY_BYTES) != 0);
        ProtoSignature sa = sign_as(a, i, &m), sb = sign_as(b, i, &m);
        ck_assert_uint_eq(sa.len, sb.len);
        ck_assert_mem_eq(sa.bytes, sb.bytes, sa.len);
        /* A provider built from the same seeds accepts it; one from other seeds does not. */
        ck_assert_int_eq(verify(b, i, &m, &sa), PROTO_OK);
        ck_assert_int_eq(verify(c, i, &m, &sa), PROTO_ERR_SIGNATURE);
        if (modes[_i] == PROTO_CRYPTO_REAL) {
            /* Real keys are libsodium's Ed25519 keys from the seed. */
            uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
            crypto_sign_seed_keypair(pk, sk, seeds[i]);
            ck_assert_mem_eq(key, pk, PROTO_PUBLIC_KEY_BYTES);
            uint8_t expected[crypto_sign_BYTES];
            crypto_sign_detached(expected, NULL, m.bytes, PROTO_COMMIT_BYTES, sk);
            ck_assert_mem_eq(sa.bytes, expected, crypto_sign_BYTES);
        }
    }
    g_free(seeds);
    proto_crypto_free(a);
    proto_crypto_free(b);
    proto_crypto_free(c);
}
END_TEST

/* --- certificates --------------------------------------------------------------------------- */

START_TEST(certificate_from_k_votes_verifies)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    uint64_t live = proto_cert_live_count();
    ProtoCommit data = commit_of(11);
    const ProtoNodeId all[NODES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const ProtoNodeId last[] = {9};
    const ProtoNodeId spread[] = {1, 4, 8, 9};
    struct {
        const ProtoNodeId *ids;
        int count;
    } sets[] = {{last, 1}, {spread, 4}, {all, 7}, {all, NODES}};
    for (size_t s = 0; s < G_N_ELEMENTS(sets); s++) {
        ProtoCert *cert =
            make_cert(crypto, PROTO_CERT_QC, 12, 0, &data, sets[s].ids, sets[s].count);
        ck_assert_uint_eq(cert->signer_count, (uint32_t)sets[s].count);
        ck_assert_uint_eq(cert->scheme,
                          modes[_i] == PROTO_CRYPTO_REAL ? PROTO_SIG_ED25519 : PROTO_SIG_MODELED);
        for (int k = 0; k < sets[s].count; k++)
            ck_assert(proto_cert_has_signer(cert, sets[s].ids[k]));
        ck_assert_int_eq(verify_cert(crypto, cert), PROTO_OK);
        ck_assert_int_eq(verify_received(crypto, cert), PROTO_OK);
        proto_cert_unref(cert);
    }
    /* Every kind, with a relay, and without data. */
    for (int kind = PROTO_CERT_QC; kind < PROTO_CERT_KIND_COUNT_; kind++) {
        ProtoCert *cert = make_cert(crypto, (ProtoCertKind)kind, 30, 2, NULL, spread, 4);
        ck_assert_int_eq(verify_cert(crypto, cert), PROTO_OK);
        proto_cert_unref(cert);
    }
    ck_assert_uint_eq(proto_cert_live_count(), live);
    proto_crypto_free(crypto);
}
END_TEST

/*
 * Adds node `forged` to `base`'s signer set with `bytes` (64 real, 32 modeled) as its
 * contribution: inserted at its position among the real-mode signatures, or XORed into the
 * modeled tag. That is all an attacker can do to claim a signer.
 */
static ProtoCert *add_signer(ProtoCrypto *crypto, const ProtoCert *base, ProtoNodeId forged,
                             const uint8_t *bytes)
{
    uint8_t bitmap[(NODES + 7) / 8];
    memcpy(bitmap, base->signers, sizeof bitmap);
    bitmap[forged >> 3] |= (uint8_t)(1u << (forged & 7));
    if (proto_crypto_mode(crypto) == PROTO_CRYPTO_MODELED) {
        uint8_t tag[32];
        for (int i = 0; i < 32; i++)
            tag[i] = base->signature[i] ^ bytes[i];
        return rebuild(base, bitmap, tag, 32);
    }
    uint32_t len = base->signature_len + 64;
    uint8_t *block = g_malloc(len);
    size_t before = 0;
    for (ProtoNodeId id = 0; id < forged; id++)
        before += proto_cert_has_signer(base, id) ? 1 : 0;
    memcpy(block, base->signature, before * 64);
    memcpy(block + before * 64, bytes, 64);
    memcpy(block + (before + 1) * 64, base->signature + before * 64,
           base->signature_len - before * 64);
    ProtoCert *cert = rebuild(base, bitmap, block, len);
    g_free(block);
    return cert;
}

/* Tries the contributions an attacker without `forged`'s vote on this message can make. */
static void try_forged_signer(ProtoCrypto *crypto, const ProtoCert *base, ProtoNodeId forged)
{
    ProtoCommit message, other_view;
    proto_vote_commit(base->kind, base->view, base->relay, &base->data, &message);
    proto_vote_commit(base->kind, base->view + 1, base->relay, &base->data, &other_view);
    ProtoSignature candidates[4];
    /* The node's own vote in another view, another signer's vote on this message, zeros (in
     * modeled mode: the tag left as it was) and arbitrary bytes. */
    candidates[0] = sign_as(crypto, forged, &other_view);
    candidates[1] = sign_as(crypto, 5, &message);
    memset(&candidates[2], 0, sizeof candidates[2]);
    for (int i = 0; i < PROTO_SIGNATURE_MAX; i++)
        candidates[3].bytes[i] = (uint8_t)(i * 73 + forged * 29 + 5);
    for (int c = 0; c < 4; c++) {
        ProtoCert *cert = add_signer(crypto, base, forged, candidates[c].bytes);
        ck_assert(proto_cert_has_signer(cert, forged));
        ck_assert_uint_eq(cert->signer_count, base->signer_count + 1);
        ck_assert_int_eq(verify_received(crypto, cert), PROTO_ERR_SIGNATURE);
        ck_assert_int_eq(verify_cert(crypto, cert), PROTO_ERR_SIGNATURE);
        proto_cert_unref(cert);
    }
    /* Control: with the node's actual vote on this message the same construction verifies, so
     * the rejections above are the crypto's doing and not a malformed certificate. */
    ProtoSignature genuine = sign_as(crypto, forged, &message);
    ProtoCert *cert = add_signer(crypto, base, forged, genuine.bytes);
    ck_assert_int_eq(verify_received(crypto, cert), PROTO_OK);
    proto_cert_unref(cert);
}

START_TEST(certificate_with_forged_signer_is_rejected)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    uint64_t live = proto_cert_live_count();
    ProtoCommit data = commit_of(21);
    const ProtoNodeId signers[] = {0, 2, 5};
    ProtoCert *base = make_cert(crypto, PROTO_CERT_QC, 8, 0, &data, signers, 3);
    ck_assert_int_eq(verify_received(crypto, base), PROTO_OK);
    /* Between signers (1, 3), after the last (7), and in the partial last byte (9). */
    const ProtoNodeId forged[] = {1, 3, 7, 9};
    for (size_t f = 0; f < G_N_ELEMENTS(forged); f++)
        try_forged_signer(crypto, base, forged[f]);
    if (modes[_i] == PROTO_CRYPTO_REAL) {
        /* Setting a bit without adding a signature: the decoder refuses the block length, so no
         * peer can deliver such a certificate to proto_crypto_verify_cert. */
        uint8_t bitmap[(NODES + 7) / 8];
        memcpy(bitmap, base->signers, sizeof bitmap);
        bitmap[0] |= 1u << 7;
        ProtoCert *cert = rebuild(base, bitmap, base->signature, base->signature_len);
        ProtoCert *copy = NULL;
        ck_assert_int_eq(through_wire(cert, &copy), PROTO_ERR_LENGTH);
        proto_cert_unref(cert);
    }
    proto_cert_unref(base);
    ck_assert_uint_eq(proto_cert_live_count(), live);
    proto_crypto_free(crypto);
}
END_TEST

/* `base`'s header (kind, view, relay, data, signers) with `donor`'s signature block. */
static int verify_swapped(ProtoCrypto *crypto, const ProtoCert *base, const ProtoCert *donor)
{
    ck_assert_int_eq(verify_cert(crypto, donor), PROTO_OK);
    ck_assert_mem_eq(base->signers, donor->signers, (NODES + 7) / 8);
    ProtoCert *cert = rebuild(base, base->signers, donor->signature, donor->signature_len);
    int rc = verify_received(crypto, cert);
    proto_cert_unref(cert);
    return rc;
}

START_TEST(certificate_with_another_signature_block_is_rejected)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    uint64_t live = proto_cert_live_count();
    ProtoCommit x = commit_of(31), y = commit_of(32);
    const ProtoNodeId s[] = {0, 2, 5, 8};
    ProtoCert *base = make_cert(crypto, PROTO_CERT_QC, 5, 0, &x, s, 4);
    /* Valid certificates by the same signers that differ from `base` in one field each: the
     * view, the leaf, the relay and the kind. */
    ProtoCert *donors[] = {
        make_cert(crypto, PROTO_CERT_QC, 6, 0, &x, s, 4),
        make_cert(crypto, PROTO_CERT_QC, 5, 0, &y, s, 4),
        make_cert(crypto, PROTO_CERT_QC, 5, 1, &x, s, 4),
        make_cert(crypto, PROTO_CERT_VS_COMMIT, 5, 0, &x, s, 4),
    };
    ck_assert_int_eq(verify_received(crypto, base), PROTO_OK);
    for (size_t d = 0; d < G_N_ELEMENTS(donors); d++) {
        ck_assert_int_eq(verify_swapped(crypto, base, donors[d]), PROTO_ERR_SIGNATURE);
        proto_cert_unref(donors[d]);
    }
    /* One corrupted bit in one signature (real), or in the aggregate tag (modeled, where the
     * offsets, taken modulo the 32-byte block, fall on its first and last bytes). */
    uint32_t len = base->signature_len;
    const uint32_t flips[] = {0, 64 + 0, 64 + 31, 64 + 32, len - 1};
    for (size_t f = 0; f < G_N_ELEMENTS(flips); f++) {
        uint8_t *block = g_memdup2(base->signature, len);
        block[flips[f] % len] ^= 0x10;
        ProtoCert *cert = rebuild(base, base->signers, block, len);
        ck_assert_int_eq(verify_received(crypto, cert), PROTO_ERR_SIGNATURE);
        proto_cert_unref(cert);
        g_free(block);
    }
    if (modes[_i] == PROTO_CRYPTO_REAL) {
        /* Every signature valid, but two of them in each other's place. */
        uint8_t *block = g_memdup2(base->signature, len);
        memcpy(block, base->signature + 64, 64);
        memcpy(block + 64, base->signature, 64);
        ProtoCert *cert = rebuild(base, base->signers, block, len);
        ck_assert_int_eq(verify_received(crypto, cert), PROTO_ERR_SIGNATURE);
        proto_cert_unref(cert);
        g_free(block);
    }
    proto_cert_unref(base);
    ck_assert_uint_eq(proto_cert_live_count(), live);
    proto_crypto_free(crypto);
}
END_TEST

START_TEST(certificate_without_signers_or_for_another_scheme_is_a_field_error)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    gboolean real = modes[_i] == PROTO_CRYPTO_REAL;
    uint8_t scheme = real ? PROTO_SIG_ED25519 : PROTO_SIG_MODELED;
    ProtoCommit data = commit_of(41);
    uint8_t none[(NODES + 7) / 8] = {0};
    uint8_t zero_tag[32] = {0};
    ProtoCert *empty =
        proto_cert_new(PROTO_CERT_QC, 3, 0, &data, NODES, none, scheme, zero_tag, real ? 0 : 32);
    ck_assert_uint_eq(empty->signer_count, 0);
    ck_assert_int_eq(verify_cert(crypto, empty), PROTO_ERR_FIELD);
    ProtoCert *genesis = proto_cert_new_genesis(&data, NODES);
    ck_assert_int_eq(verify_cert(crypto, genesis), PROTO_ERR_FIELD);
    /* A valid certificate relabelled with the other scheme, and one for another committee. */
    const ProtoNodeId s[] = {1, 2, 3};
    ProtoCert *good = make_cert(crypto, PROTO_CERT_QC, 3, 0, &data, s, 3);
    ProtoCert *relabelled = proto_cert_new(
        good->kind, good->view, good->relay, &good->data, NODES, good->signers,
        real ? PROTO_SIG_MODELED : PROTO_SIG_ED25519, good->signature, good->signature_len);
    ck_assert_int_eq(verify_cert(crypto, relabelled), PROTO_ERR_FIELD);
    ProtoCert *smaller =
        proto_cert_new(good->kind, good->view, good->relay, &good->data, NODES - 2, good->signers,
                       good->scheme, good->signature, good->signature_len);
    ck_assert_int_eq(verify_cert(crypto, smaller), PROTO_ERR_FIELD);
    ck_assert_int_eq(verify_cert(crypto, good), PROTO_OK);
    proto_cert_unref(empty);
    proto_cert_unref(genesis);
    proto_cert_unref(good);
    proto_cert_unref(relabelled);
    proto_cert_unref(smaller);
    proto_crypto_free(crypto);
}
END_TEST

START_TEST(aggregate_refuses_a_duplicate_signer)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    ProtoCommit data = commit_of(51), message, other;
    ProtoAggregate agg;
    proto_aggregate_init(&agg, crypto, PROTO_CERT_QC, 4, 0, &data);
    proto_vote_commit(PROTO_CERT_QC, 4, 0, &data, &message);
    proto_vote_commit(PROTO_CERT_QC, 9, 0, &data, &other);
    ProtoSignature sig2 = sign_as(crypto, 2, &message);
    ck_assert(proto_aggregate_add(&agg, 2, &sig2));
    ck_assert_uint_eq(agg.signer_count, 1);
    /* The same vote again, and a different signature from the same node: both refused, and
     * neither changes what the aggregate holds (a second XOR would cancel a modeled tag). */
    ck_assert(!proto_aggregate_add(&agg, 2, &sig2));
    ProtoSignature sig2_other = sign_as(crypto, 2, &other);
    ck_assert(!proto_aggregate_add(&agg, 2, &sig2_other));
    ck_assert_uint_eq(agg.signer_count, 1);
    ProtoSignature sig9 = sign_as(crypto, 9, &message);
    ck_assert(proto_aggregate_add(&agg, 9, &sig9));
    ck_assert(!proto_aggregate_add(&agg, 9, &sig9));
    ck_assert_uint_eq(agg.signer_count, 2);
    ProtoCert *cert = proto_aggregate_finish(&agg, crypto);
    proto_aggregate_clear(&agg);
    ck_assert_uint_eq(cert->signer_count, 2);
    ck_assert_int_eq(verify_received(crypto, cert), PROTO_OK);
    proto_cert_unref(cert);
    proto_crypto_free(crypto);
}
END_TEST

/* --- the memo and virtual CPU --------------------------------------------------------------- */

START_TEST(memo_saves_wall_time_but_charges_full_cost)
{
    ProtoCrypto *crypto = provider(modes[_i], NODES, 1);
    const ProtoCostTable *costs = proto_crypto_costs(crypto);
    const ProtoCryptoStats *stats = proto_crypto_stats(crypto);
    ProtoCommit data = commit_of(61);
    const ProtoNodeId s[] = {0, 1, 3, 4, 6, 7, 9};
    ProtoCert *cert = make_cert(crypto, PROTO_CERT_QC, 14, 0, &data, s, 7);
    ProtoDuration expected = costs->cert_verify + 7 * costs->cert_verify_per_signer;
    ProtoDuration first = 12345, second = 777;
    ck_assert_int_eq(proto_crypto_verify_cert(crypto, cert, &first), PROTO_OK);
    ck_assert_uint_eq(stats->cert_checks, 1);
    ck_assert_uint_eq(stats->cert_memo_hits, 0);
    ck_assert_int_eq(proto_crypto_verify_cert(crypto, cert, &second), PROTO_OK);
    ck_assert_uint_eq(stats->cert_checks, 2);
    ck_assert_uint_eq(stats->cert_memo_hits, 1);
    ck_assert_uint_eq(first - 12345, expected);
    ck_assert_uint_eq(second - 777, expected);
    /* A separately decoded copy is the same certificate by digest: another hit. */
    ck_assert_int_eq(verify_received(crypto, cert), PROTO_OK);
    ck_assert_uint_eq(stats->cert_memo_hits, 2);
    /* The digest covers the signature block: a forgery with the same header misses the memo
     * of the valid certificate and fails; its failure is memoised in turn. */
    uint8_t *block = g_memdup2(cert->signature, cert->signature_len);
    block[cert->signature_len - 1] ^= 0x01;
    ProtoCert *forged = rebuild(cert, cert->signers, block, cert->signature_len);
    ProtoDuration third = 0, fourth = 0;
    ck_assert_int_eq(proto_crypto_verify_cert(crypto, forged, &third), PROTO_ERR_SIGNATURE);
    ck_assert_uint_eq(stats->cert_memo_hits, 2);
    ck_assert_int_eq(proto_crypto_verify_cert(crypto, forged, &fourth), PROTO_ERR_SIGNATURE);
    ck_assert_uint_eq(stats->cert_memo_hits, 3);
    ck_assert_uint_eq(third, expected);
    ck_assert_uint_eq(fourth, expected);
    ck_assert_uint_eq(stats->cert_checks, 5);
    g_free(block);
    proto_cert_unref(forged);
    proto_cert_unref(cert);
    proto_crypto_free(crypto);
}
END_TEST

/* A cost table whose entries are all different, so a wrong field shows. */
static ProtoCostTable distinct_costs(void)
{
    return (ProtoCostTable){.sign = 101,
                            .verify = 1009,
                            .cert_verify = 2003,
                            .cert_verify_per_signer = 7,
                            .hash_per_mib = 3001,
                            .message_base = 13,
                            .vid_encode_per_mib = 4001,
                            .merkle_verify_per_level = 17};
}

/* Runs a fixed script of operations and records the virtual CPU charged by each. */
static int charged_costs(ProtoCrypto *crypto, ProtoDuration *out)
{
    int n = 0;
    ProtoCommit m = commit_of(71), data = commit_of(72);
    ProtoSignature sig;
    proto_crypto_sign(proto_crypto_signer(crypto, 3), &m, &sig, &out[n++]);
    /* Verifications that pass, fail on the key, and fail on the signer id cost the same. */
    proto_crypto_verify(crypto, 3, &m, &sig, &out[n++]);
    proto_crypto_verify(crypto, 4, &m, &sig, &out[n++]);
    proto_crypto_verify(crypto, NODES + 1, &m, &sig, &out[n++]);
    const ProtoNodeId s[NODES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int counts[] = {1, 4, NODES};
    for (int c = 0; c < 3; c++) {
        ProtoCert *cert = make_cert(crypto, PROTO_CERT_TC, 20, 0, &data, s, counts[c]);
        /* Computed, then answered from the memo. */
        proto_crypto_verify_cert(crypto, cert, &out[n++]);
        proto_crypto_verify_cert(crypto, cert, &out[n++]);
        proto_cert_unref(cert);
    }
    proto_crypto_charge_hash(crypto, 123457, &out[n++]);
    return n;
}

START_TEST(both_modes_charge_identical_costs)
{
    ProtoCostTable tables[2];
    proto_cost_table_default(&tables[0]);
    tables[1] = distinct_costs();
    for (int t = 0; t < 2; t++) {
        ProtoCrypto *modeled = provider_with(PROTO_CRYPTO_MODELED, NODES, 1, &tables[t]);
        ProtoCrypto *real = provider_with(PROTO_CRYPTO_REAL, NODES, 1, &tables[t]);
        ProtoDuration a[16] = {0}, b[16] = {0};
        int na = charged_costs(modeled, a), nb = charged_costs(real, b);
        ck_assert_int_eq(na, nb);
        ck_assert_mem_eq(a, b, sizeof a);
        const ProtoCostTable *c = &tables[t];
        ck_assert_uint_eq(a[0], c->sign);
        for (int i = 1; i <= 3; i++)
            ck_assert_uint_eq(a[i], c->verify);
        const uint32_t counts[] = {1, 4, NODES};
        for (int k = 0; k < 3; k++) {
            ck_assert_uint_eq(a[4 + 2 * k], c->cert_verify + counts[k] * c->cert_verify_per_signer);
            ck_assert_uint_eq(a[5 + 2 * k], a[4 + 2 * k]);
        }
        ck_assert_uint_eq(a[10], (ProtoDuration)(((ProtoU128)123457 * c->hash_per_mib) >> 20));
        /* The provider copied the table it was given. */
        ck_assert_mem_eq(proto_crypto_costs(real), c, sizeof *c);
        ck_assert_uint_eq(proto_crypto_stats(modeled)->cert_memo_hits, 3);
        ck_assert_uint_eq(proto_crypto_stats(real)->cert_memo_hits, 3);
        proto_crypto_free(modeled);
        proto_crypto_free(real);
    }
}
END_TEST

START_TEST(default_cost_table_is_sane)
{
    ProtoCostTable c;
    memset(&c, 0, sizeof c);
    proto_cost_table_default(&c);
    ck_assert_uint_gt(c.sign, 0);
    ck_assert_uint_gt(c.verify, 0);
    ck_assert_uint_gt(c.cert_verify, 0);
    ck_assert_uint_gt(c.cert_verify_per_signer, 0);
    ck_assert_uint_gt(c.hash_per_mib, 0);
    ck_assert_uint_gt(c.message_base, 0);
    ck_assert_uint_gt(c.vid_encode_per_mib, 0);
    ck_assert_uint_gt(c.merkle_verify_per_level, 0);
    /* A BLS verify (two pairings) costs more than a signature (one G1 multiplication), and a
     * key addition per signer is small next to a verify. */
    ck_assert_uint_gt(c.verify, c.sign);
    ck_assert_uint_lt(c.cert_verify_per_signer, c.verify);
}
END_TEST

START_TEST(hash_charge_is_per_mib)
{
    ProtoCostTable tables[2];
    proto_cost_table_default(&tables[0]);
    tables[1] = distinct_costs();
    for (int t = 0; t < 2; t++) {
        ProtoCrypto *crypto = provider_with(modes[_i], 2, 1, &tables[t]);
        ProtoDuration cpu = 0;
        proto_crypto_charge_hash(crypto, (uint64_t)1 << 20, &cpu);
        ck_assert_uint_eq(cpu, tables[t].hash_per_mib);
        /* It adds to the accumulator; 3 MiB more charges three times as much. */
        proto_crypto_charge_hash(crypto, (uint64_t)3 << 20, &cpu);
        ck_assert_uint_eq(cpu, 4 * tables[t].hash_per_mib);
        ProtoDuration none = 5;
        proto_crypto_charge_hash(crypto, 0, &none);
        ck_assert_uint_eq(none, 5);
        proto_crypto_free(crypto);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("crypto");
    TCase *tc = tcase_create("crypto");
    tcase_set_timeout(tc, 60);
    int n = (int)G_N_ELEMENTS(modes);
    tcase_add_loop_test(tc, sign_verify_round_trip_and_forgeries, 0, n);
    tcase_add_loop_test(tc, keys_and_signatures_are_deterministic, 0, n);
    tcase_add_loop_test(tc, certificate_from_k_votes_verifies, 0, n);
    tcase_add_loop_test(tc, certificate_with_forged_signer_is_rejected, 0, n);
    tcase_add_loop_test(tc, certificate_with_another_signature_block_is_rejected, 0, n);
    tcase_add_loop_test(tc, certificate_without_signers_or_for_another_scheme_is_a_field_error, 0,
                        n);
    tcase_add_loop_test(tc, aggregate_refuses_a_duplicate_signer, 0, n);
    tcase_add_loop_test(tc, memo_saves_wall_time_but_charges_full_cost, 0, n);
    tcase_add_test(tc, both_modes_charge_identical_costs);
    tcase_add_test(tc, default_cost_table_is_sane);
    tcase_add_loop_test(tc, hash_charge_is_per_mib, 0, n);
    suite_add_tcase(suite, tc);
    return suite;
}
