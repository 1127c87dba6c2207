/*
 * The wire codec. Writing appends to a GByteArray; reading goes through a bounds-checked cursor
 * whose first failure sticks, so a decoder can read a whole structure and check once.
 */
#include "protocol/message.h"

#include "protocol/assert.h"

#include <sodium.h>
#include <string.h>

/* --- cursor and writer ------------------------------------------------------------------------ */

typedef struct Reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    int error;
} Reader;

static int need(Reader *r, size_t n)
{
    if (r->error != PROTO_OK) return 0;
    if (n > r->len - r->pos) {
        r->error = PROTO_ERR_TRUNCATED;
        return 0;
    }
    return 1;
}

static uint64_t get_uint(Reader *r, int bytes)
{
    if (!need(r, (size_t)bytes)) return 0;
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | r->data[r->pos + (size_t)i];
    r->pos += (size_t)bytes;
    return v;
}

static uint8_t get_u8(Reader *r)
{
    return (uint8_t)get_uint(r, 1);
}

static uint32_t get_u32(Reader *r)
{
    return (uint32_t)get_uint(r, 4);
}

static uint64_t get_u64(Reader *r)
{
    return get_uint(r, 8);
}

static const uint8_t *get_bytes(Reader *r, size_t n)
{
    if (!need(r, n)) return NULL;
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

static void get_commit(Reader *r, ProtoCommit *out)
{
    const uint8_t *p = get_bytes(r, PROTO_COMMIT_BYTES);
    if (p != NULL) memcpy(out->bytes, p, PROTO_COMMIT_BYTES);
}

static void fail(Reader *r, int code)
{
    if (r->error == PROTO_OK) r->error = code;
}

/* A logical size (payload, namespace, transaction): at most PROTO_PAYLOAD_MAX. */
static uint64_t get_size(Reader *r)
{
    uint64_t size = get_u64(r);
    if (r->error == PROTO_OK && size > PROTO_PAYLOAD_MAX) fail(r, PROTO_ERR_LENGTH);
    return size;
}

/*
 * The encoder's output: bytes in `data` (the writer's own `inline_buf` until they outgrow it,
 * then a heap buffer that doubles), so the common small encodings (votes, commitments) cost no
 * allocation and each field a few stores, not a library call.
 */
#define WRITER_INLINE 256

typedef struct Writer {
    uint8_t *data;
    size_t len;
    size_t capacity;
    /* Charged size minus encoded size: minus real-mode signature bytes beyond the 32 a BLS
     * signature takes, plus the logical size of synthetic blobs beyond their bytes. */
    int64_t delta;
    uint8_t inline_buf[WRITER_INLINE];
} Writer;

static void writer_init(Writer *w)
{
    w->data = w->inline_buf;
    w->len = 0;
    w->capacity = WRITER_INLINE;
    w->delta = 0;
}

static void writer_clear(Writer *w)
{
    if (w->data != w->inline_buf) g_free(w->data);
    w->data = NULL;
}

static void writer_reserve(Writer *w, size_t n)
{
    if (w->capacity - w->len >= n) return;
    PROTO_ASSERT(n <= PROTO_MESSAGE_MAX && w->len <= PROTO_MESSAGE_MAX);
    size_t capacity = w->capacity;
    while (capacity - w->len < n)
        capacity *= 2;
    if (w->data == w->inline_buf) {
        w->data = g_malloc(capacity);
        memcpy(w->data, w->inline_buf, w->len);
    } else {
        w->data = g_realloc(w->data, capacity);
    }
    w->capacity = capacity;
}

static inline void put_uint(Writer *w, uint64_t v, int bytes)
{
    writer_reserve(w, (size_t)bytes);
    for (int i = 0; i < bytes; i++)
        w->data[w->len + (size_t)i] = (uint8_t)(v >> (8 * i));
    w->len += (size_t)bytes;
}

static inline void put_bytes(Writer *w, const void *p, size_t n)
{
    if (n == 0) return;
    writer_reserve(w, n);
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void put_commit(Writer *w, const ProtoCommit *c)
{
    put_bytes(w, c->bytes, PROTO_COMMIT_BYTES);
}

/* --- certificates --------------------------------------------------------------------------- */

#define POOL_RECENT 16

struct ProtoCertPool {
    GHashTable *table; /* &cert->digest -> cert; weak: a cert leaves when its last ref goes */
    /* Weak too: pooled certificates by (kind, view), direct-mapped, so that the copies of one
     * certificate that keep arriving (every node forwards its high QC to the next leader) are
     * recognised by comparing their fields, without hashing their n-bit bitmaps first. */
    ProtoCert *recent[POOL_RECENT];
};

static size_t recent_slot(uint8_t kind, ProtoView view)
{
    return (size_t)((view * PROTO_CERT_KIND_COUNT_ + kind) % POOL_RECENT);
}

static uint64_t cert_live;

static size_t bitmap_bytes(uint32_t node_count)
{
    return ((size_t)node_count + 7) / 8;
}

static void write_cert(Writer *w, const ProtoCert *c)
{
    put_uint(w, (uint64_t)c->kind, 1);
    put_uint(w, c->view, 8);
    put_uint(w, c->relay, 4);
    put_commit(w, &c->data);
    put_uint(w, c->node_count, 4);
    put_bytes(w, c->signers, bitmap_bytes(c->node_count));
    put_uint(w, c->scheme, 1);
    put_uint(w, c->signature_len, 4);
    put_bytes(w, c->signature, c->signature_len);
    if (c->signature_len > 32) w->delta -= (int64_t)c->signature_len - 32;
}

static void cert_digest(ProtoCert *cert)
{
    Writer w;
    writer_init(&w);
    write_cert(&w, cert);
    crypto_generichash(cert->digest.bytes, PROTO_COMMIT_BYTES, w.data, w.len, NULL, 0);
    writer_clear(&w);
}

static uint32_t popcount_bitmap(const uint8_t *bitmap, uint32_t node_count)
{
    return (uint32_t)proto_popcount(bitmap, bitmap_bytes(node_count));
}

ProtoCert *proto_cert_new(ProtoCertKind kind, ProtoView view, uint32_t relay,
                          const ProtoCommit *data, uint32_t node_count, const uint8_t *signers,
                          uint8_t scheme, const uint8_t *signature, uint32_t signature_len)
{
    PROTO_ASSERT(kind > 0 && kind < PROTO_CERT_KIND_COUNT_);
    PROTO_ASSERT(node_count > 0 && node_count <= PROTO_NODES_MAX);
    PROTO_ASSERT(signature != NULL || signature_len == 0);
    ProtoCert *cert = g_new0(ProtoCert, 1);
    cert->refcount = 1;
    cert->kind = kind;
    cert->view = view;
    cert->relay = relay;
    if (data != NULL) cert->data = *data;
    cert->node_count = node_count;
    cert->signers = g_malloc0(bitmap_bytes(node_count));
    if (signers != NULL) memcpy(cert->signers, signers, bitmap_bytes(node_count));
    cert->signer_count = popcount_bitmap(cert->signers, node_count);
    cert->scheme = scheme;
    cert->signature_len = signature_len;
    cert->signature = signature_len ? g_memdup2(signature, signature_len) : NULL;
    cert_digest(cert);
    cert_live++;
    return cert;
}

ProtoCert *proto_cert_new_genesis(const ProtoCommit *genesis_leaf, uint32_t node_count)
{
    return proto_cert_new(PROTO_CERT_QC, 0, 0, genesis_leaf, node_count, NULL, PROTO_SIG_MODELED,
                          NULL, 0);
}

int proto_cert_is_genesis(const ProtoCert *cert)
{
    return cert->kind == PROTO_CERT_QC && cert->view == 0 && cert->signer_count == 0 &&
           cert->signature_len == 0;
}

ProtoCert *proto_cert_ref(ProtoCert *cert)
{
    PROTO_ASSERT(cert->refcount > 0);
    cert->refcount++;
    return cert;
}

void proto_cert_unref(ProtoCert *cert)
{
    if (cert == NULL) return;
    PROTO_ASSERT(cert->refcount > 0);
    if (--cert->refcount > 0) return;
    if (cert->pool != NULL) {
        g_hash_table_remove(cert->pool->table, &cert->digest);
        ProtoCert **slot = &cert->pool->recent[recent_slot((uint8_t)cert->kind, cert->view)];
        if (*slot == cert) *slot = NULL;
    }
    g_free(cert->signers);
    g_free(cert->signature);
    g_free(cert);
    cert_live--;
}

uint64_t proto_cert_live_count(void)
{
    return cert_live;
}

static guint commit_hash(gconstpointer key)
{
    const uint8_t *b = ((const ProtoCommit *)key)->bytes;
    return (guint)b[0] | (guint)b[1] << 8 | (guint)b[2] << 16 | (guint)b[3] << 24;
}

static gboolean commit_equal(gconstpointer a, gconstpointer b)
{
    return proto_commit_equal(a, b);
}

ProtoCertPool *proto_cert_pool_new(void)
{
    ProtoCertPool *pool = g_new0(ProtoCertPool, 1);
    pool->table = g_hash_table_new(commit_hash, commit_equal);
    return pool;
}

static void detach(gpointer key, gpointer value, gpointer user_data)
{
    (void)key, (void)user_data;
    ((ProtoCert *)value)->pool = NULL;
}

void proto_cert_pool_free(ProtoCertPool *pool)
{
    if (pool == NULL) return;
    /* iteration-ok: detaching every entry; the order cannot matter */
    g_hash_table_foreach(pool->table, detach, NULL);
    g_hash_table_unref(pool->table);
    g_free(pool);
}

uint32_t proto_cert_pool_size(const ProtoCertPool *pool)
{
    return g_hash_table_size(pool->table);
}

/* Whether `cert` has exactly these fields, i.e. (encodings are canonical) these bytes. The
 * signers and signature are as long as the caller has checked for `node_count`. */
static gboolean same_cert(const ProtoCert *cert, uint8_t kind, ProtoView view, uint32_t relay,
                          const ProtoCommit *data, uint32_t node_count, const uint8_t *signers,
                          uint8_t scheme, const uint8_t *signature, uint32_t signature_len)
{
    return cert->kind == kind && cert->view == view && cert->relay == relay &&
           cert->node_count == node_count && proto_commit_equal(&cert->data, data) &&
           cert->scheme == scheme && cert->signature_len == signature_len &&
           memcmp(cert->signers, signers, bitmap_bytes(cert->node_count)) == 0 &&
           (signature_len == 0 || memcmp(cert->signature, signature, signature_len) == 0);
}

/* Reads a certificate; interns it in the context's pool by the digest of its bytes. */
static ProtoCert *read_cert(Reader *r, const ProtoDecodeContext *ctx)
{
    size_t start = r->pos;
    uint8_t kind = get_u8(r);
    ProtoView view = get_u64(r);
    uint32_t relay = get_u32(r);
    ProtoCommit data = {0};
    get_commit(r, &data);
    uint32_t node_count = get_u32(r);
    if (r->error != PROTO_OK) return NULL;
    if (kind == 0 || kind >= PROTO_CERT_KIND_COUNT_) fail(r, PROTO_ERR_FIELD);
    /* Only view-sync certificates have a relay; elsewhere the field is not signed over, so
     * anything but zero would be an unauthenticated field a peer could flip. */
    if ((kind == PROTO_CERT_QC || kind == PROTO_CERT_TC) && relay != 0) fail(r, PROTO_ERR_FIELD);
    if (node_count != ctx->node_count) fail(r, PROTO_ERR_LENGTH);
    const uint8_t *signers = r->error ? NULL : get_bytes(r, bitmap_bytes(node_count));
    uint8_t scheme = get_u8(r);
    uint32_t signature_len = get_u32(r);
    if (r->error != PROTO_OK) return NULL;
    ProtoCert *same = ctx->pool != NULL ? ctx->pool->recent[recent_slot(kind, view)] : NULL;
    if (same != NULL && signature_len <= r->len - r->pos &&
        same_cert(same, kind, view, relay, &data, node_count, signers, scheme, r->data + r->pos,
                  signature_len)) {
        /* The same bytes as a pooled certificate, which passed every check below when it was
         * decoded: skip them (the bitmap's popcount is n/8 bytes for each of the n high QCs a
         * leader receives). */
        r->pos += signature_len;
        return proto_cert_ref(same); /* the same encoding: the same digest */
    }
    if (node_count % 8 != 0 && (signers[node_count / 8] >> (node_count % 8)) != 0) {
        fail(r, PROTO_ERR_FIELD); /* bits beyond the committee must be zero */
    }
    uint32_t count = popcount_bitmap(signers, node_count);
    uint64_t expected = scheme == PROTO_SIG_ED25519 ? (uint64_t)count * 64 : 32;
    if (scheme != PROTO_SIG_MODELED && scheme != PROTO_SIG_ED25519) fail(r, PROTO_ERR_FIELD);
    if (count == 0 && view == 0 && kind == PROTO_CERT_QC) expected = 0; /* genesis */
    if (signature_len != expected) fail(r, PROTO_ERR_LENGTH);
    const uint8_t *signature = get_bytes(r, signature_len);
    if (r->error != PROTO_OK) return NULL;
    ProtoCommit digest;
    crypto_generichash(digest.bytes, PROTO_COMMIT_BYTES, r->data + start, r->pos - start, NULL, 0);
    if (ctx->pool != NULL) {
        ProtoCert *found = g_hash_table_lookup(ctx->pool->table, &digest);
        if (found != NULL) return proto_cert_ref(found);
    }
    ProtoCert *cert = proto_cert_new((ProtoCertKind)kind, view, relay, &data, node_count, signers,
                                     scheme, signature, signature_len);
    PROTO_ASSERT(proto_commit_equal(&cert->digest, &digest)); /* canonical: bytes = encoding */
    if (ctx->pool != NULL) {
        cert->pool = ctx->pool;
        g_hash_table_insert(ctx->pool->table, &cert->digest, cert);
        ctx->pool->recent[recent_slot(kind, view)] = cert;
    }
    return cert;
}

/* --- headers, leaves and commitments ---------------------------------------------------------- */

void proto_header_copy(ProtoHeader *target, const ProtoHeader *source)
{
    *target = *source;
    target->ns_table = g_bytes_ref(source->ns_table);
}

void proto_header_clear(ProtoHeader *header)
{
    if (header->ns_table != NULL) g_bytes_unref(header->ns_table);
    memset(header, 0, sizeof *header);
}

static void write_header(Writer *w, const ProtoHeader *h)
{
    put_uint(w, h->height, 8);
    put_uint(w, h->timestamp, 8);
    put_commit(w, &h->payload_commit);
    put_commit(w, &h->builder_commit);
    put_uint(w, h->payload_size, 8);
    gsize len = 0;
    const uint8_t *ns = h->ns_table ? g_bytes_get_data(h->ns_table, &len) : NULL;
    put_uint(w, len, 4);
    put_bytes(w, ns, len);
}

static void read_header(Reader *r, ProtoHeader *h)
{
    h->height = get_u64(r);
    h->timestamp = get_u64(r);
    get_commit(r, &h->payload_commit);
    get_commit(r, &h->builder_commit);
    h->payload_size = get_size(r);
    uint32_t ns_len = get_u32(r);
    if (r->error == PROTO_OK && ns_len > PROTO_NS_TABLE_MAX) fail(r, PROTO_ERR_LENGTH);
    const uint8_t *ns = get_bytes(r, ns_len);
    if (r->error == PROTO_OK) h->ns_table = g_bytes_new(ns, ns_len);
}

void proto_header_commit(const ProtoHeader *header, ProtoCommit *out)
{
    static const char tag[] = "shotglass-header-v1";
    Writer w;
    writer_init(&w);
    put_bytes(&w, tag, sizeof tag);
    write_header(&w, header);
    if (header->has_drb) put_bytes(&w, header->next_drb, sizeof header->next_drb);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, w.data, w.len, NULL, 0);
    writer_clear(&w);
}

void proto_leaf_commit(ProtoView view, const ProtoCommit *parent, const ProtoHeader *header,
                       const ProtoCert *justify_qc, ProtoCommit *out)
{
    static const char tag[] = "shotglass-leaf-v1";
    Writer w;
    writer_init(&w);
    ProtoCommit header_commit;
    proto_header_commit(header, &header_commit);
    put_bytes(&w, tag, sizeof tag);
    put_uint(&w, view, 8);
    put_commit(&w, parent);
    put_commit(&w, &header_commit);
    /* The justify QC enters by what it certifies, not by its signer set: two QCs for the same
     * leaf and view justify the same leaf. */
    put_uint(&w, justify_qc->view, 8);
    put_commit(&w, &justify_qc->data);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, w.data, w.len, NULL, 0);
    writer_clear(&w);
}

void proto_dispersal_commit(ProtoView view, const ProtoCommit *payload, ProtoCommit *out)
{
    static const char tag[] = "shotglass-dispersal-v1";
    uint8_t buf[sizeof tag + 8 + PROTO_COMMIT_BYTES];
    memcpy(buf, tag, sizeof tag);
    for (int i = 0; i < 8; i++)
        buf[sizeof tag + (size_t)i] = (uint8_t)(view >> (8 * i));
    memcpy(buf + sizeof tag + 8, payload->bytes, PROTO_COMMIT_BYTES);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, buf, sizeof buf, NULL, 0);
}

void proto_vote_commit(ProtoCertKind kind, ProtoView view, uint32_t relay, const ProtoCommit *data,
                       ProtoCommit *out)
{
    static const char tag[] = "shotglass-vote-v1";
    uint8_t buf[sizeof tag + 1 + 8 + 4 + PROTO_COMMIT_BYTES + 1];
    size_t n = 0;
    memcpy(buf, tag, sizeof tag);
    n += sizeof tag;
    buf[n++] = (uint8_t)kind;
    for (int i = 0; i < 8; i++)
        buf[n++] = (uint8_t)(view >> (8 * i));
    for (int i = 0; i < 4; i++)
        buf[n++] = (uint8_t)(relay >> (8 * i));
    memcpy(buf + n, data->bytes, PROTO_COMMIT_BYTES);
    n += PROTO_COMMIT_BYTES;
    buf[n++] = PROTO_WIRE_VERSION;
    PROTO_ASSERT(n == sizeof buf);
    crypto_generichash(out->bytes, PROTO_COMMIT_BYTES, buf, n, NULL, 0);
}

ProtoCertKind proto_msg_vote_kind(ProtoMsgType type)
{
    switch (type) {
    case PROTO_MSG_QUORUM_VOTE:
        return PROTO_CERT_QC;
    case PROTO_MSG_TIMEOUT_VOTE:
        return PROTO_CERT_TC;
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
        return PROTO_CERT_VS_PRECOMMIT;
    case PROTO_MSG_VS_COMMIT_VOTE:
        return PROTO_CERT_VS_COMMIT;
    case PROTO_MSG_VS_FINALIZE_VOTE:
        return PROTO_CERT_VS_FINALIZE;
    case PROTO_MSG_DA_VOTE:
        return PROTO_CERT_DA;
    case PROTO_MSG_PROPOSAL:
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
    case PROTO_MSG_HIGH_QC:
    case PROTO_MSG_PROPOSAL_REQUEST:
    case PROTO_MSG_PROPOSAL_RESPONSE:
    case PROTO_MSG_DA_PROPOSAL:
    case PROTO_MSG_DA_CERT:
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_REQUEST:
    case PROTO_MSG_VID_RESPONSE:
    case PROTO_MSG_TX_SUBMIT:
    case PROTO_MSG_BLOCK_REQUEST:
    case PROTO_MSG_BLOCK_RESPONSE:
    case PROTO_MSG_DECIDE_NOTICE:
    case PROTO_MSG_NS_REQUEST:
    case PROTO_MSG_NS_RESPONSE:
    case PROTO_MSG_TYPE_COUNT_:
        break;
    }
    return (ProtoCertKind)0;
}

static ProtoCertKind cert_kind_of_type(ProtoMsgType type)
{
    if (type == PROTO_MSG_VS_PRECOMMIT_CERT) return PROTO_CERT_VS_PRECOMMIT;
    if (type == PROTO_MSG_VS_COMMIT_CERT) return PROTO_CERT_VS_COMMIT;
    if (type == PROTO_MSG_VS_FINALIZE_CERT) return PROTO_CERT_VS_FINALIZE;
    if (type == PROTO_MSG_DA_CERT) return PROTO_CERT_DA;
    return (ProtoCertKind)0;
}

const char *proto_msg_type_name(ProtoMsgType type)
{
    static const char *const names[PROTO_MSG_TYPE_COUNT_] = {
        [PROTO_MSG_PROPOSAL] = "proposal",
        [PROTO_MSG_QUORUM_VOTE] = "quorum_vote",
        [PROTO_MSG_TIMEOUT_VOTE] = "timeout_vote",
        [PROTO_MSG_VS_PRECOMMIT_VOTE] = "vs_precommit_vote",
        [PROTO_MSG_VS_COMMIT_VOTE] = "vs_commit_vote",
        [PROTO_MSG_VS_FINALIZE_VOTE] = "vs_finalize_vote",
        [PROTO_MSG_VS_PRECOMMIT_CERT] = "vs_precommit_cert",
        [PROTO_MSG_VS_COMMIT_CERT] = "vs_commit_cert",
        [PROTO_MSG_VS_FINALIZE_CERT] = "vs_finalize_cert",
        [PROTO_MSG_HIGH_QC] = "high_qc",
        [PROTO_MSG_PROPOSAL_REQUEST] = "proposal_request",
        [PROTO_MSG_PROPOSAL_RESPONSE] = "proposal_response",
        [PROTO_MSG_DA_PROPOSAL] = "da_proposal",
        [PROTO_MSG_DA_VOTE] = "da_vote",
        [PROTO_MSG_DA_CERT] = "da_cert",
        [PROTO_MSG_VID_SHARE] = "vid_share",
        [PROTO_MSG_VID_REQUEST] = "vid_request",
        [PROTO_MSG_VID_RESPONSE] = "vid_response",
        [PROTO_MSG_TX_SUBMIT] = "tx_submit",
        [PROTO_MSG_BLOCK_REQUEST] = "block_request",
        [PROTO_MSG_BLOCK_RESPONSE] = "block_response",
        [PROTO_MSG_DECIDE_NOTICE] = "decide_notice",
        [PROTO_MSG_NS_REQUEST] = "ns_request",
        [PROTO_MSG_NS_RESPONSE] = "ns_response",
    };
    PROTO_ASSERT(type > 0 && type < PROTO_MSG_TYPE_COUNT_);
    return names[type];
}

/* --- signatures, votes, proposals ------------------------------------------------------------ */

static void write_signature(Writer *w, const ProtoSignature *s)
{
    put_uint(w, s->scheme, 1);
    put_uint(w, s->len, 1);
    put_bytes(w, s->bytes, s->len);
    if (s->len > 32) w->delta -= (int64_t)s->len - 32;
}

static void read_signature(Reader *r, ProtoSignature *s)
{
    s->scheme = get_u8(r);
    s->len = get_u8(r);
    if (r->error != PROTO_OK) return;
    if (s->scheme == PROTO_SIG_MODELED ? s->len != 32
                                       : (s->scheme != PROTO_SIG_ED25519 || s->len != 64)) {
        fail(r, PROTO_ERR_FIELD);
        return;
    }
    const uint8_t *p = get_bytes(r, s->len);
    if (p != NULL) memcpy(s->bytes, p, s->len);
}

static void write_vote(Writer *w, const ProtoVote *v)
{
    put_uint(w, v->view, 8);
    put_uint(w, v->relay, 4);
    put_commit(w, &v->data);
    put_uint(w, v->signer, 4);
    write_signature(w, &v->signature);
}

static void read_vote(Reader *r, const ProtoDecodeContext *ctx, ProtoVote *v)
{
    v->view = get_u64(r);
    v->relay = get_u32(r);
    get_commit(r, &v->data);
    v->signer = get_u32(r);
    if (r->error == PROTO_OK && v->signer >= ctx->node_count) fail(r, PROTO_ERR_FIELD);
    read_signature(r, &v->signature);
}

#define PROPOSAL_HAS_DRB 0x80u

static void write_proposal(Writer *w, const ProtoProposal *p)
{
    put_uint(w, p->view, 8);
    put_commit(w, &p->parent);
    write_header(w, &p->header);
    write_cert(w, p->justify_qc);
    /* The evidence byte's top bit says the DRB result follows (epochs only). */
    put_uint(w, (uint64_t)p->evidence_kind | (p->header.has_drb ? PROPOSAL_HAS_DRB : 0), 1);
    if (p->header.has_drb) put_bytes(w, p->header.next_drb, sizeof p->header.next_drb);
    if (p->evidence_kind != PROTO_EVIDENCE_NONE) write_cert(w, p->evidence);
    write_signature(w, &p->signature);
}

uint64_t proto_proposal_discount(const ProtoProposal *p)
{
    uint64_t discount = p->signature.len > 32 ? p->signature.len - 32u : 0;
    if (p->justify_qc->signature_len > 32) discount += p->justify_qc->signature_len - 32;
    if (p->evidence != NULL && p->evidence->signature_len > 32) {
        discount += p->evidence->signature_len - 32;
    }
    return discount;
}

static void read_proposal(Reader *r, const ProtoDecodeContext *ctx, ProtoProposal *p)
{
    p->view = get_u64(r);
    get_commit(r, &p->parent);
    read_header(r, &p->header);
    p->justify_qc = read_cert(r, ctx);
    if (r->error == PROTO_OK && p->justify_qc->kind != PROTO_CERT_QC) fail(r, PROTO_ERR_FIELD);
    uint8_t evidence = get_u8(r);
    if (r->error != PROTO_OK) return;
    if (evidence & PROPOSAL_HAS_DRB) {
        evidence &= (uint8_t)~PROPOSAL_HAS_DRB;
        const uint8_t *drb = get_bytes(r, sizeof p->header.next_drb);
        if (r->error != PROTO_OK) return;
        p->header.has_drb = TRUE;
        memcpy(p->header.next_drb, drb, sizeof p->header.next_drb);
    }
    if (evidence > PROTO_EVIDENCE_VIEW_SYNC) {
        fail(r, PROTO_ERR_FIELD);
        return;
    }
    p->evidence_kind = (ProtoEvidence)evidence;
    if (evidence != PROTO_EVIDENCE_NONE) {
        p->evidence = read_cert(r, ctx);
        ProtoCertKind want = evidence == PROTO_EVIDENCE_TC ? PROTO_CERT_TC : PROTO_CERT_VS_FINALIZE;
        if (r->error == PROTO_OK && p->evidence->kind != want) fail(r, PROTO_ERR_FIELD);
    }
    read_signature(r, &p->signature);
}

/* --- the data path ------------------------------------------------------------------------ */

#define BLOB_MAX PROTO_MESSAGE_MAX

static void put_blob(Writer *w, GBytes *blob)
{
    gsize len = 0;
    const uint8_t *data = blob != NULL ? g_bytes_get_data(blob, &len) : NULL;
    put_uint(w, len, 4);
    put_bytes(w, data, len);
}

/* A blob whose logical size is `logical` bytes (synthetic content, or production VID units). */
static void put_bulk(Writer *w, GBytes *blob, uint64_t logical)
{
    /* Charged sizes are at most a few times PROTO_PAYLOAD_MAX, far from overflowing `delta`. */
    PROTO_ASSERT(logical <= 16 * (uint64_t)PROTO_PAYLOAD_MAX);
    put_blob(w, blob);
    w->delta += (int64_t)logical - (int64_t)(blob != NULL ? g_bytes_get_size(blob) : 0);
}

static GBytes *get_blob(Reader *r, uint32_t max)
{
    uint32_t len = get_u32(r);
    if (r->error == PROTO_OK && len > max) fail(r, PROTO_ERR_LENGTH);
    const uint8_t *data = get_bytes(r, len);
    return data != NULL ? g_bytes_new(data, len) : NULL;
}

static void get_flag(Reader *r, uint8_t *flag)
{
    *flag = get_u8(r);
    if (r->error == PROTO_OK && *flag > 1) fail(r, PROTO_ERR_FIELD);
}

static void write_vid(Writer *w, const ProtoDataMsg *d)
{
    put_uint(w, d->view, 8);
    put_commit(w, &d->commit);
    put_uint(w, d->owner, 4);
    put_uint(w, d->size, 8);
    put_uint(w, d->synthetic, 1);
    put_blob(w, d->ns_table);
    put_blob(w, d->layout);
    put_bulk(w, d->bytes, d->bulk_size);
    write_signature(w, &d->signature);
}

static void read_vid(Reader *r, const ProtoDecodeContext *ctx, ProtoDataMsg *d)
{
    d->view = get_u64(r);
    get_commit(r, &d->commit);
    d->owner = get_u32(r);
    if (r->error == PROTO_OK && d->owner >= ctx->node_count) fail(r, PROTO_ERR_FIELD);
    d->size = get_size(r);
    get_flag(r, &d->synthetic);
    d->ns_table = get_blob(r, PROTO_NS_TABLE_MAX);
    d->layout = get_blob(r, BLOB_MAX);
    d->bytes = get_blob(r, BLOB_MAX);
    read_signature(r, &d->signature);
}

static void write_notices(Writer *w, const ProtoDataMsg *d)
{
    put_uint(w, d->notice_count, 4);
    for (uint32_t i = 0; i < d->notice_count; i++) {
        const ProtoNotice *n = &d->notices[i];
        put_uint(w, n->view, 8);
        put_uint(w, n->height, 8);
        put_commit(w, &n->payload_commit);
        put_uint(w, n->payload_size, 8);
        put_blob(w, n->ns_table);
    }
}

static void read_notices(Reader *r, ProtoDataMsg *d)
{
    uint32_t count = get_u32(r);
    if (r->error == PROTO_OK && count > PROTO_NOTICES_MAX) fail(r, PROTO_ERR_LENGTH);
    if (r->error != PROTO_OK) return;
    d->notices = g_new0(ProtoNotice, count ? count : 1);
    for (uint32_t i = 0; i < count && r->error == PROTO_OK; i++) {
        ProtoNotice *n = &d->notices[i];
        n->view = get_u64(r);
        n->height = get_u64(r);
        get_commit(r, &n->payload_commit);
        n->payload_size = get_size(r);
        n->ns_table = get_blob(r, PROTO_NS_TABLE_MAX);
        d->notice_count = i + 1;
    }
}

static void write_data(Writer *w, const ProtoMsg *msg)
{
    const ProtoDataMsg *d = &msg->data;
    switch ((int)msg->type) {
    case PROTO_MSG_DA_PROPOSAL:
        put_uint(w, d->view, 8);
        put_commit(w, &d->commit);
        put_uint(w, d->size, 8);
        put_uint(w, d->synthetic, 1);
        put_blob(w, d->ns_table);
        put_bulk(w, d->bytes, d->size);
        write_signature(w, &d->signature);
        break;
    case PROTO_MSG_DA_VOTE:
        write_vote(w, &msg->vote);
        break;
    case PROTO_MSG_DA_CERT:
        write_cert(w, msg->cert);
        break;
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_RESPONSE:
        write_vid(w, d);
        break;
    case PROTO_MSG_VID_REQUEST:
        put_uint(w, d->view, 8);
        put_commit(w, &d->commit);
        put_uint(w, d->owner, 4);
        break;
    case PROTO_MSG_TX_SUBMIT:
        put_uint(w, d->ns_id, 4);
        put_uint(w, d->tx_id, 8);
        put_uint(w, d->size, 8);
        put_uint(w, d->synthetic, 1);
        put_bulk(w, d->bytes, d->size);
        break;
    case PROTO_MSG_BLOCK_REQUEST:
        put_uint(w, d->view, 8);
        break;
    case PROTO_MSG_BLOCK_RESPONSE:
        put_uint(w, d->view, 8);
        put_uint(w, d->size, 8);
        put_uint(w, d->synthetic, 1);
        put_blob(w, d->ns_table);
        put_bulk(w, d->bytes, d->size);
        break;
    case PROTO_MSG_DECIDE_NOTICE:
        write_notices(w, d);
        break;
    case PROTO_MSG_NS_REQUEST:
        put_uint(w, d->view, 8);
        put_commit(w, &d->commit);
        put_uint(w, d->ns_id, 4);
        break;
    case PROTO_MSG_NS_RESPONSE:
        put_uint(w, d->view, 8);
        put_commit(w, &d->commit);
        put_uint(w, d->ns_id, 4);
        put_uint(w, d->index, 4);
        put_uint(w, d->count, 4);
        put_uint(w, d->size, 8);
        put_uint(w, d->synthetic, 1);
        put_blob(w, d->layout);
        put_bulk(w, d->bytes, d->size);
        break;
    default:
        PROTO_UNREACHABLE();
    }
}

static void read_data(Reader *r, const ProtoDecodeContext *ctx, ProtoMsg *msg)
{
    ProtoDataMsg *d = &msg->data;
    switch ((int)msg->type) {
    case PROTO_MSG_DA_PROPOSAL:
        d->view = get_u64(r);
        get_commit(r, &d->commit);
        d->size = get_size(r);
        get_flag(r, &d->synthetic);
        d->ns_table = get_blob(r, PROTO_NS_TABLE_MAX);
        d->bytes = get_blob(r, BLOB_MAX);
        read_signature(r, &d->signature);
        break;
    case PROTO_MSG_DA_VOTE:
        read_vote(r, ctx, &msg->vote);
        break;
    case PROTO_MSG_DA_CERT:
        msg->cert = read_cert(r, ctx);
        if (r->error == PROTO_OK && msg->cert->kind != PROTO_CERT_DA) fail(r, PROTO_ERR_FIELD);
        break;
    case PROTO_MSG_VID_SHARE:
    case PROTO_MSG_VID_RESPONSE:
        read_vid(r, ctx, d);
        break;
    case PROTO_MSG_VID_REQUEST:
        d->view = get_u64(r);
        get_commit(r, &d->commit);
        d->owner = get_u32(r);
        if (r->error == PROTO_OK && d->owner >= ctx->node_count) fail(r, PROTO_ERR_FIELD);
        break;
    case PROTO_MSG_TX_SUBMIT:
        d->ns_id = get_u32(r);
        d->tx_id = get_u64(r);
        d->size = get_size(r);
        get_flag(r, &d->synthetic);
        d->bytes = get_blob(r, BLOB_MAX);
        break;
    case PROTO_MSG_BLOCK_REQUEST:
        d->view = get_u64(r);
        break;
    case PROTO_MSG_BLOCK_RESPONSE:
        d->view = get_u64(r);
        d->size = get_size(r);
        get_flag(r, &d->synthetic);
        d->ns_table = get_blob(r, PROTO_NS_TABLE_MAX);
        d->bytes = get_blob(r, BLOB_MAX);
        break;
    case PROTO_MSG_DECIDE_NOTICE:
        read_notices(r, d);
        break;
    case PROTO_MSG_NS_REQUEST:
        d->view = get_u64(r);
        get_commit(r, &d->commit);
        d->ns_id = get_u32(r);
        break;
    case PROTO_MSG_NS_RESPONSE:
        d->view = get_u64(r);
        get_commit(r, &d->commit);
        d->ns_id = get_u32(r);
        d->index = get_u32(r);
        d->count = get_u32(r);
        d->size = get_size(r);
        get_flag(r, &d->synthetic);
        d->layout = get_blob(r, BLOB_MAX);
        d->bytes = get_blob(r, BLOB_MAX);
        if (r->error == PROTO_OK && (d->index >= d->count || d->count == 0)) {
            fail(r, PROTO_ERR_FIELD);
        }
        break;
    default:
        PROTO_UNREACHABLE();
    }
}

/* --- messages --------------------------------------------------------------------------------- */

static void write_body(Writer *w, const ProtoMsg *msg)
{
    switch ((int)msg->type) {
    case PROTO_MSG_PROPOSAL:
        write_proposal(w, &msg->proposal);
        break;
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_TIMEOUT_VOTE:
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
    case PROTO_MSG_VS_COMMIT_VOTE:
    case PROTO_MSG_VS_FINALIZE_VOTE:
        write_vote(w, &msg->vote);
        break;
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
        write_cert(w, msg->cert);
        break;
    case PROTO_MSG_HIGH_QC:
        write_cert(w, msg->cert);
        break;
    case PROTO_MSG_PROPOSAL_REQUEST:
        put_uint(w, msg->view, 8);
        put_commit(w, &msg->leaf);
        break;
    case PROTO_MSG_PROPOSAL_RESPONSE: {
        gsize len = 0;
        const uint8_t *inner = g_bytes_get_data(msg->proposal_bytes, &len);
        put_uint(w, len, 4);
        put_bytes(w, inner, len);
        w->delta -= (int64_t)msg->inner_discount; /* the inner proposal's real-mode signatures */
        break;
    }
    default:
        write_data(w, msg);
        break;
    }
}

GBytes *proto_msg_encode(const ProtoMsg *msg, uint64_t *charged)
{
    PROTO_ASSERT(msg->type > 0 && msg->type < PROTO_MSG_TYPE_COUNT_);
    Writer w;
    writer_init(&w);
    put_uint(&w, PROTO_WIRE_VERSION, 1);
    put_uint(&w, (uint64_t)msg->type, 1);
    gboolean any = msg->any_sender;
    PROTO_ASSERT(!any || msg->type == PROTO_MSG_HIGH_QC);
    put_uint(&w, any ? PROTO_FLAG_ANY_SENDER : 0, 2);
    put_uint(&w, any ? 0 : msg->sender, 4);
    write_body(&w, msg);
    size_t len = w.len;
    PROTO_ASSERT(len <= PROTO_MESSAGE_MAX);
    PROTO_ASSERT((int64_t)len + w.delta > 0);
    if (charged != NULL) *charged = (uint64_t)((int64_t)len + w.delta) + PROTO_FRAME_BYTES;
    /* A message lives until its last recipient has run it (the n HighQc directs of a view all
     * wait at one leader), so it keeps only its own bytes, not the doubled buffer. */
    if (w.data == w.inline_buf) return g_bytes_new(w.data, len);
    return g_bytes_new_take(g_realloc(w.data, len), len);
}

static void read_body(Reader *r, const ProtoDecodeContext *ctx, ProtoMsg *msg)
{
    switch ((int)msg->type) {
    case PROTO_MSG_PROPOSAL:
        read_proposal(r, ctx, &msg->proposal);
        break;
    case PROTO_MSG_QUORUM_VOTE:
    case PROTO_MSG_TIMEOUT_VOTE:
    case PROTO_MSG_VS_PRECOMMIT_VOTE:
    case PROTO_MSG_VS_COMMIT_VOTE:
    case PROTO_MSG_VS_FINALIZE_VOTE:
        read_vote(r, ctx, &msg->vote);
        break;
    case PROTO_MSG_VS_PRECOMMIT_CERT:
    case PROTO_MSG_VS_COMMIT_CERT:
    case PROTO_MSG_VS_FINALIZE_CERT:
        msg->cert = read_cert(r, ctx);
        if (r->error == PROTO_OK && msg->cert->kind != cert_kind_of_type(msg->type)) {
            fail(r, PROTO_ERR_FIELD);
        }
        break;
    case PROTO_MSG_HIGH_QC:
        msg->cert = read_cert(r, ctx);
        if (r->error == PROTO_OK && msg->cert->kind != PROTO_CERT_QC) fail(r, PROTO_ERR_FIELD);
        break;
    case PROTO_MSG_PROPOSAL_REQUEST:
        msg->view = get_u64(r);
        get_commit(r, &msg->leaf);
        break;
    case PROTO_MSG_PROPOSAL_RESPONSE: {
        uint32_t len = get_u32(r);
        const uint8_t *inner = get_bytes(r, len);
        if (r->error != PROTO_OK) break;
        /* Check the inner type before decoding it: a response nested in responses would
         * otherwise recurse once per 12 bytes, and a peer could exhaust the stack. */
        if (len < PROTO_ENVELOPE_BYTES || inner[1] != PROTO_MSG_PROPOSAL) {
            fail(r, PROTO_ERR_TYPE);
            break;
        }
        ProtoMsg nested;
        int rc = proto_msg_decode(inner, len, ctx, &nested);
        if (rc == PROTO_OK && nested.type != PROTO_MSG_PROPOSAL) rc = PROTO_ERR_TYPE;
        if (rc != PROTO_OK) {
            proto_msg_clear(&nested);
            fail(r, rc);
            break;
        }
        msg->proposal = nested.proposal;
        msg->proposal_bytes = g_bytes_new(inner, len);
        msg->inner_discount = proto_proposal_discount(&msg->proposal);
        /* The inner sender is the proposal's leader; keep it in the vote slot's signer. */
        msg->vote.signer = nested.sender;
        break;
    }
    default:
        read_data(r, ctx, msg);
        break;
    }
}

int proto_msg_decode(const uint8_t *bytes, size_t len, const ProtoDecodeContext *context,
                     ProtoMsg *msg)
{
    PROTO_ASSERT(bytes != NULL || len == 0);
    PROTO_ASSERT(context != NULL && context->node_count > 0);
    memset(msg, 0, sizeof *msg);
    Reader r = {bytes, len, 0, PROTO_OK};
    if (len > PROTO_MESSAGE_MAX) return PROTO_ERR_LENGTH;
    uint8_t version = get_u8(&r);
    uint8_t type = get_u8(&r);
    uint16_t flags = (uint16_t)get_uint(&r, 2);
    msg->sender = get_u32(&r);
    if (r.error == PROTO_OK && version != PROTO_WIRE_VERSION) fail(&r, PROTO_ERR_VERSION);
    if (r.error == PROTO_OK && (type == 0 || type >= PROTO_MSG_TYPE_COUNT_))
        fail(&r, PROTO_ERR_TYPE);
    if (r.error == PROTO_OK && flags == PROTO_FLAG_ANY_SENDER) {
        if (type != PROTO_MSG_HIGH_QC || msg->sender != 0) fail(&r, PROTO_ERR_FIELD);
    } else if (r.error == PROTO_OK && flags != 0) {
        fail(&r, PROTO_ERR_FIELD);
    } else if (r.error == PROTO_OK && type < PROTO_MSG_TYPE_COUNT_) {
        uint32_t limit = context->node_count;
        if (proto_msg_from_anyone((ProtoMsgType)type) && context->endpoint_count > limit) {
            limit = context->endpoint_count;
        }
        if (msg->sender >= limit) fail(&r, PROTO_ERR_SENDER);
    }
    if (r.error == PROTO_OK && flags == PROTO_FLAG_ANY_SENDER) {
        msg->any_sender = TRUE;
        msg->sender = PROTO_NODE_NONE;
    }
    if (r.error == PROTO_OK) {
        msg->type = (ProtoMsgType)type;
        read_body(&r, context, msg);
    }
    if (r.error == PROTO_OK && r.pos != len) fail(&r, PROTO_ERR_TRAILING);
    if (r.error != PROTO_OK) {
        proto_msg_clear(msg);
        return r.error;
    }
    return PROTO_OK;
}

void proto_msg_clear(ProtoMsg *msg)
{
    proto_header_clear(&msg->proposal.header);
    proto_cert_unref(msg->proposal.justify_qc);
    proto_cert_unref(msg->proposal.evidence);
    proto_cert_unref(msg->cert);
    if (msg->proposal_bytes != NULL) g_bytes_unref(msg->proposal_bytes);
    ProtoDataMsg *d = &msg->data;
    if (d->ns_table != NULL) g_bytes_unref(d->ns_table);
    if (d->layout != NULL) g_bytes_unref(d->layout);
    if (d->bytes != NULL) g_bytes_unref(d->bytes);
    for (uint32_t i = 0; i < d->notice_count; i++) {
        if (d->notices[i].ns_table != NULL) g_bytes_unref(d->notices[i].ns_table);
    }
    g_free(d->notices);
    memset(msg, 0, sizeof *msg);
}
