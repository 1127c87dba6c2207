/*
 * The wire codec against honest and hostile input, on 4 nodes in both crypto modes. One
 * realistic message of every type is built with real signers and 3-of-4 certificates: proposals
 * with no evidence, a TC and a view-sync finalize certificate, the five votes, the three
 * view-sync certificates, a high QC, a proposal request and response, and the data path of one
 * block (a real payload of three transactions in two namespaces, and a synthetic one): DA
 * proposals, a DA vote and certificate, VID shares, a share request and response, a submitted
 * transaction, a block request and response, a decide notice, a namespace request and response.
 * Each round-trips through the codec byte for byte; its charged size does not depend on the
 * signature scheme and counts bulk blobs at their logical size; every proper prefix and every
 * extended copy of it fails to decode; client types come from endpoints and nothing else does;
 * every single-bit flip of it either fails to decode or is rejected by a receiver that accepts
 * the original (for the data path, outside the fields no signature or commitment binds, and not
 * at all for unsigned client data); random bytes and random edits of valid encodings never
 * crash the decoder, a node or a rollup; malformed certificates are rejected and well-formed
 * ones are interned. The RNG is fixed.
 *
 * A receiver "that accepts the original" is a fresh node of the shared committee started in
 * view 1 (with the DA layer on: members 0, 1 and 2, every node's builder at endpoint BUILDER) or
 * a fresh rollup executor at endpoint CLIENT, for some messages primed with the messages a real
 * run would have delivered first (the proposal of view 1; for a proposal request the proposal it
 * asks for; for requests to a DA member the DA proposal; for a namespace response the decide
 * notice). Each flip gets its own fresh receiver, so a rejection is caused by the flip and not
 * by the state an earlier delivery left behind; the test asserts that the unflipped message is
 * accepted in that state. Builders take no bytes (their driver feeds them), so a block request
 * has no receiver and is only decoded.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include "protocol/rollup.h"

#include <stdio.h>
#include <string.h>

#define NODES     4
#define BUILDER   NODES       /* endpoint: the builder every node asks for blocks */
#define CLIENT    (NODES + 1) /* endpoint: a user submitting transactions, a rollup executor */
#define ENDPOINTS (NODES + 2)
#define DA_VIEW   2  /* the view whose block the data-path messages carry */
#define ROLLUP_NS 10 /* the namespace of the rollup at CLIENT */
#define LOOSE_MAX 6

typedef enum CaseId {
    CASE_PROPOSAL_GENESIS, /* view 1, justified by the genesis QC */
    CASE_PROPOSAL,         /* view 2, justified by QC(1) */
    CASE_PROPOSAL_TC,      /* view 3, QC(1) and TC(2) */
    CASE_PROPOSAL_VS,      /* view 4, QC(1) and a view-sync finalize certificate for round 4 */
    CASE_QUORUM_VOTE,
    CASE_TIMEOUT_VOTE,
    CASE_VS_PRECOMMIT_VOTE,
    CASE_VS_COMMIT_VOTE,
    CASE_VS_FINALIZE_VOTE,
    CASE_VS_PRECOMMIT_CERT,
    CASE_VS_COMMIT_CERT,
    CASE_VS_FINALIZE_CERT,
    CASE_HIGH_QC,
    CASE_PROPOSAL_REQUEST,
    CASE_PROPOSAL_RESPONSE,
    CASE_DA_PROPOSAL,           /* the real block of DA_VIEW, to DA member 0 */
    CASE_DA_PROPOSAL_SYNTHETIC, /* the synthetic block, to DA member 1 */
    CASE_DA_VOTE,               /* member 1 to the leader */
    CASE_DA_CERT,               /* members 0, 1, 2; the leader to node 3 */
    CASE_VID_SHARE,             /* node 3's share of the real block */
    CASE_VID_SHARE_SYNTHETIC,   /* node 1's share of the synthetic block */
    CASE_VID_REQUEST,           /* node 3 asks DA member 0 for its share */
    CASE_VID_RESPONSE,          /* and gets it */
    CASE_TX_SUBMIT,             /* a user submits a synthetic transaction to node 1 */
    CASE_BLOCK_REQUEST,         /* the leader of view 1 asks its builder */
    CASE_BLOCK_RESPONSE,        /* and gets the synthetic block */
    CASE_DECIDE_NOTICE,         /* node 0 tells the rollup of views 1 (empty) and DA_VIEW */
    CASE_NS_REQUEST,            /* the rollup asks DA member 0 for its namespace */
    CASE_NS_RESPONSE,           /* and gets it */
    CASE_COUNT,
} CaseId;

#define CASE_DATA_FIRST CASE_DA_PROPOSAL

/* A byte range of an encoding. */
typedef struct Range {
    size_t at;
    size_t len;
} Range;

/* One message: what was encoded, its bytes, who sends it and who accepts it. */
typedef struct Case {
    const char *name;
    ProtoMsg msg; /* the message as built (owned) */
    GBytes *bytes;
    uint64_t charged;
    ProtoNodeId from;       /* the transport sender, equal to the envelope's */
    ProtoNodeId to;         /* a receiver that accepts the message after the primes */
    int prime[2];           /* cases delivered to a fresh `to` first, in order; -1 for none */
    uint64_t bulk;          /* bytes of the bulk blob (payload, transaction, units, namespace) */
    uint64_t logical;       /* what the bulk blob is charged at */
    gboolean weak;          /* unsigned client data: a flipped field is just another message */
    Range loose[LOOSE_MAX]; /* fields nothing binds: flips there may be accepted */
} Case;

typedef struct Fixture {
    Harness *h;
    uint64_t rng; /* the nodes' random stream */
    ProtoCommit leaf1, leaf2;
    ProtoCert *qc1;
    ProtoPayload *payload;   /* the real block of DA_VIEW */
    ProtoPayload *synthetic; /* the synthetic block */
    ProtoRollup *rollup;     /* the receiver at CLIENT, once one was needed */
    Case cases[CASE_COUNT];
} Fixture;

static const ProtoCryptoMode modes[2] = {PROTO_CRYPTO_MODELED, PROTO_CRYPTO_REAL};

/* Three transactions in two namespaces (ROLLUP_NS first): a small real block, and a synthetic
 * one whose logical size is far beyond its manifest. */
static const ProtoTx real_txs[3] = {{ROLLUP_NS, 101, 40}, {20, 201, 30}, {ROLLUP_NS, 102, 25}};
static const ProtoTx synthetic_txs[3] = {
    {ROLLUP_NS, 301, 1500}, {20, 401, 700}, {ROLLUP_NS, 302, 64000}};

static uint64_t splitmix(void *user_data)
{
    uint64_t *x = user_data;
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* --- checks shared by every test ------------------------------------------------------------ */

static gboolean is_error_code(int rc)
{
    return rc < 0 && rc > -PROTO_ERR_COUNT_ && strcmp(proto_strerror(rc), "invalid-code") != 0;
}

static gboolean msg_is_zero(const ProtoMsg *msg)
{
    static const ProtoMsg zero;
    return memcmp(msg, &zero, sizeof zero) == 0;
}

/* Decodes for a 4-node committee with the fixture's endpoints; a failure must be a known code
 * and leave `msg` zeroed. These run in loops of thousands, so they abort explicitly instead of
 * marking every passing check. */
static int decode_checked(const uint8_t *data, size_t len, ProtoCertPool *pool, ProtoMsg *msg)
{
    ProtoDecodeContext context = {.node_count = NODES, .pool = pool, .endpoint_count = ENDPOINTS};
    memset(msg, 0x5a, sizeof *msg);
    int rc = proto_msg_decode(data, len, &context, msg);
    if (rc != PROTO_OK && !is_error_code(rc)) ck_abort_msg("decode returned code %d", rc);
    if (rc != PROTO_OK && !msg_is_zero(msg)) {
        ck_abort_msg("decode failed (%s) but left the message set", proto_strerror(rc));
    }
    return rc;
}

static int decode_bytes(GBytes *bytes, ProtoCertPool *pool, ProtoMsg *msg)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    return decode_checked(data, len, pool, msg);
}

/* A node's result: PROTO_OK or a known error code. */
static void check_node_code(int rc)
{
    if (rc != PROTO_OK && !is_error_code(rc)) ck_abort_msg("node returned code %d", rc);
}

/* --- building the messages ------------------------------------------------------------------ */

static void sign(const Harness *h, ProtoNodeId id, const ProtoCommit *message, ProtoSignature *out)
{
    ProtoDuration cpu = 0;
    proto_crypto_sign(proto_crypto_signer(h->crypto, id), message, out, &cpu);
}

/* A certificate of `kind` for (view, relay, data) signed by the three `signers`. */
static ProtoCert *make_cert(const Harness *h, ProtoCertKind kind, ProtoView view, uint32_t relay,
                            const ProtoCommit *data, const ProtoNodeId signers[3])
{
    static const ProtoCommit zero;
    const ProtoCommit *certified = data != NULL ? data : &zero;
    ProtoAggregate aggregate;
    proto_aggregate_init(&aggregate, h->crypto, kind, view, relay, certified);
    ProtoCommit message;
    proto_vote_commit(kind, view, relay, certified, &message);
    for (int i = 0; i < 3; i++) {
        ProtoSignature signature;
        sign(h, signers[i], &message, &signature);
        ck_assert(proto_aggregate_add(&aggregate, signers[i], &signature));
    }
    ProtoCert *cert = proto_aggregate_finish(&aggregate, h->crypto);
    proto_aggregate_clear(&aggregate);
    ProtoDuration cpu = 0;
    ck_assert_int_eq(proto_crypto_verify_cert(h->crypto, cert, &cpu), PROTO_OK);
    return cert;
}

static void fill_header(ProtoHeader *header, ProtoView view, uint64_t height)
{
    static const uint8_t ns_table[12] = {1, 0, 0, 0, 7, 0, 0, 0, 0xe8, 0x03, 0, 0};
    header->height = height;
    header->timestamp = view * 2 * PROTO_S + 12345;
    memset(header->payload_commit.bytes, (int)(0x40 + view), PROTO_COMMIT_BYTES);
    memset(header->builder_commit.bytes, (int)(0x80 + view), PROTO_COMMIT_BYTES);
    header->payload_size = 1000 * view + 17;
    header->ns_table = g_bytes_new(ns_table, sizeof ns_table);
}

static Case *case_init(Fixture *f, CaseId id, const char *name, ProtoMsgType type,
                       ProtoNodeId sender, ProtoNodeId to)
{
    Case *c = &f->cases[id];
    c->name = name;
    c->msg.type = type;
    c->msg.sender = sender;
    c->from = sender;
    c->to = to;
    c->prime[0] = c->prime[1] = -1;
    return c;
}

/* A proposal for `view` by its leader on `justify`; takes `evidence`; stores the leaf commit. */
static void set_proposal(Fixture *f, Case *c, ProtoView view, ProtoCert *justify, uint64_t height,
                         ProtoEvidence kind, ProtoCert *evidence, ProtoCommit *leaf)
{
    ProtoProposal *p = &c->msg.proposal;
    ck_assert_uint_eq(c->msg.sender, harness_leader(f->h, view));
    p->view = view;
    p->parent = justify->data;
    fill_header(&p->header, view, height);
    p->justify_qc = proto_cert_ref(justify);
    p->evidence_kind = kind;
    p->evidence = evidence;
    ProtoCommit commit;
    proto_leaf_commit(view, &p->parent, &p->header, justify, &commit);
    sign(f->h, c->msg.sender, &commit, &p->signature);
    if (leaf != NULL) *leaf = commit;
}

static void build_proposals(Fixture *f)
{
    static const ProtoNodeId s012[3] = {0, 1, 2}, s123[3] = {1, 2, 3}, s023[3] = {0, 2, 3};
    Harness *h = f->h;
    Case *c = case_init(f, CASE_PROPOSAL_GENESIS, "proposal on genesis", PROTO_MSG_PROPOSAL,
                        harness_leader(h, 1), 0);
    set_proposal(f, c, 1, h->shared->genesis_qc, 1, PROTO_EVIDENCE_NONE, NULL, &f->leaf1);
    f->qc1 = make_cert(h, PROTO_CERT_QC, 1, 0, &f->leaf1, s012);
    c = case_init(f, CASE_PROPOSAL, "proposal", PROTO_MSG_PROPOSAL, harness_leader(h, 2), 0);
    c->prime[0] = CASE_PROPOSAL_GENESIS;
    set_proposal(f, c, 2, f->qc1, 2, PROTO_EVIDENCE_NONE, NULL, &f->leaf2);
    c = case_init(f, CASE_PROPOSAL_TC, "proposal with TC", PROTO_MSG_PROPOSAL, harness_leader(h, 3),
                  0);
    c->prime[0] = CASE_PROPOSAL_GENESIS;
    ProtoCert *tc = make_cert(h, PROTO_CERT_TC, 2, 0, NULL, s123);
    set_proposal(f, c, 3, f->qc1, 2, PROTO_EVIDENCE_TC, tc, NULL);
    c = case_init(f, CASE_PROPOSAL_VS, "proposal with view sync", PROTO_MSG_PROPOSAL,
                  harness_leader(h, 4), 2);
    c->prime[0] = CASE_PROPOSAL_GENESIS;
    ProtoCert *finalize = make_cert(h, PROTO_CERT_VS_FINALIZE, 4, 1, NULL, s023);
    set_proposal(f, c, 4, f->qc1, 2, PROTO_EVIDENCE_VIEW_SYNC, finalize, NULL);
}

/* A vote of `type` by `signer`, addressed as the protocol addresses it: view-sync votes to the
 * relay, DA votes to the leader of their view, the others to the leader of the next. */
static void set_vote(Fixture *f, CaseId id, const char *name, ProtoMsgType type, ProtoView view,
                     uint32_t relay, const ProtoCommit *data, ProtoNodeId signer)
{
    ProtoCertKind kind = proto_msg_vote_kind(type);
    gboolean view_sync = kind >= PROTO_CERT_VS_PRECOMMIT && kind <= PROTO_CERT_VS_FINALIZE;
    ProtoView to_view = view_sync ? view + relay : kind == PROTO_CERT_DA ? view : view + 1;
    Case *c = case_init(f, id, name, type, signer, harness_leader(f->h, to_view));
    ProtoVote *vote = &c->msg.vote;
    vote->view = view;
    vote->relay = relay;
    if (data != NULL) vote->data = *data;
    vote->signer = signer;
    ProtoCommit message;
    proto_vote_commit(kind, view, relay, &vote->data, &message);
    sign(f->h, signer, &message, &vote->signature);
}

static void build_votes(Fixture *f)
{
    set_vote(f, CASE_QUORUM_VOTE, "quorum vote", PROTO_MSG_QUORUM_VOTE, 2, 0, &f->leaf2, 0);
    set_vote(f, CASE_TIMEOUT_VOTE, "timeout vote", PROTO_MSG_TIMEOUT_VOTE, 2, 0, NULL, 1);
    /* View sync towards round 5 at relay 1, whose relay is the leader of view 6. */
    set_vote(f, CASE_VS_PRECOMMIT_VOTE, "view-sync pre-commit vote", PROTO_MSG_VS_PRECOMMIT_VOTE, 5,
             1, NULL, 0);
    set_vote(f, CASE_VS_COMMIT_VOTE, "view-sync commit vote", PROTO_MSG_VS_COMMIT_VOTE, 5, 1, NULL,
             1);
    set_vote(f, CASE_VS_FINALIZE_VOTE, "view-sync finalize vote", PROTO_MSG_VS_FINALIZE_VOTE, 5, 1,
             NULL, 3);
}

static void build_certs(Fixture *f)
{
    static const ProtoNodeId s013[3] = {0, 1, 3}, s123[3] = {1, 2, 3};
    static const ProtoCertKind kinds[3] = {PROTO_CERT_VS_PRECOMMIT, PROTO_CERT_VS_COMMIT,
                                           PROTO_CERT_VS_FINALIZE};
    static const char *const names[3] = {"view-sync pre-commit certificate",
                                         "view-sync commit certificate",
                                         "view-sync finalize certificate"};
    static const ProtoNodeId receivers[3] = {0, 1, 3};
    Harness *h = f->h;
    ProtoNodeId relay = harness_leader(h, 6);
    for (int i = 0; i < 3; i++) {
        Case *c = case_init(f, (CaseId)(CASE_VS_PRECOMMIT_CERT + i), names[i],
                            (ProtoMsgType)(PROTO_MSG_VS_PRECOMMIT_CERT + i), relay, receivers[i]);
        c->msg.cert = make_cert(h, kinds[i], 5, 1, NULL, s013);
    }
    /* Node 1 entering view 3 sends its high QC, QC(2), to the leader of view 3. */
    Case *c = case_init(f, CASE_HIGH_QC, "high QC", PROTO_MSG_HIGH_QC, 1, harness_leader(h, 3));
    c->msg.cert = make_cert(h, PROTO_CERT_QC, 2, 0, &f->leaf2, s123);
}

/* Node 3 misses the leaf of view 2 and asks node 0, which holds it and answers. */
static void build_fetch(Fixture *f)
{
    Case *c =
        case_init(f, CASE_PROPOSAL_REQUEST, "proposal request", PROTO_MSG_PROPOSAL_REQUEST, 3, 0);
    c->msg.view = 2;
    c->msg.leaf = f->leaf2;
    c->prime[0] = CASE_PROPOSAL_GENESIS;
    c->prime[1] = CASE_PROPOSAL;
    c = case_init(f, CASE_PROPOSAL_RESPONSE, "proposal response", PROTO_MSG_PROPOSAL_RESPONSE, 0,
                  3);
    c->msg.proposal_bytes = g_bytes_ref(f->cases[CASE_PROPOSAL].bytes);
    c->msg.inner_discount = proto_proposal_discount(&f->cases[CASE_PROPOSAL].msg.proposal);
}

/* --- building the data path ----------------------------------------------------------------- */

/* The leader of `view` signs its dispersal of `payload`: the pair (view, commitment). */
static void sign_dispersal(const Fixture *f, ProtoView view, const ProtoPayload *payload,
                           ProtoSignature *out)
{
    ProtoCommit message;
    proto_dispersal_commit(view, &payload->commit, &message);
    sign(f->h, harness_leader(f->h, view), &message, out);
}

static void set_bulk(Case *c, GBytes *blob, uint64_t logical)
{
    c->bulk = g_bytes_get_size(blob);
    c->logical = logical;
}

/* The leader of DA_VIEW sends DA member `to` its block. */
static void build_da_proposal(Fixture *f, CaseId id, const char *name, ProtoPayload *payload,
                              ProtoNodeId to)
{
    ProtoNodeId leader = harness_leader(f->h, DA_VIEW);
    Case *c = case_init(f, id, name, PROTO_MSG_DA_PROPOSAL, leader, to);
    ProtoDataMsg *d = &c->msg.data;
    d->view = DA_VIEW;
    d->commit = payload->commit;
    d->size = payload->size;
    d->synthetic = (uint8_t)payload->synthetic;
    d->ns_table = g_bytes_ref(payload->ns_table);
    d->bytes = g_bytes_ref(payload->bytes);
    sign_dispersal(f, DA_VIEW, payload, &d->signature);
    set_bulk(c, d->bytes, d->size);
}

/* `owner`'s VID share of `payload`, as the leader (VID_SHARE) or a DA member (VID_RESPONSE)
 * sends it: the units are charged at their production size. */
static void build_share(Fixture *f, CaseId id, const char *name, ProtoMsgType type,
                        ProtoNodeId sender, ProtoPayload *payload, ProtoNodeId owner)
{
    Case *c = case_init(f, id, name, type, sender, owner);
    ProtoDataMsg *d = &c->msg.data;
    d->view = DA_VIEW;
    d->commit = payload->commit;
    d->owner = owner;
    d->size = payload->size;
    d->synthetic = (uint8_t)payload->synthetic;
    d->ns_table = g_bytes_ref(payload->ns_table);
    d->layout = proto_payload_layout(payload);
    d->bytes = proto_payload_share(payload, f->h->shared->vid, owner, NULL, NULL, &d->bulk_size);
    sign_dispersal(f, DA_VIEW, payload, &d->signature);
    set_bulk(c, d->bytes, d->bulk_size);
}

static void build_dispersal(Fixture *f)
{
    static const ProtoNodeId members[3] = {0, 1, 2};
    ProtoNodeId leader = harness_leader(f->h, DA_VIEW);
    build_da_proposal(f, CASE_DA_PROPOSAL, "DA proposal", f->payload, 0);
    build_da_proposal(f, CASE_DA_PROPOSAL_SYNTHETIC, "synthetic DA proposal", f->synthetic, 1);
    set_vote(f, CASE_DA_VOTE, "DA vote", PROTO_MSG_DA_VOTE, DA_VIEW, 0, &f->payload->commit, 1);
    Case *c = case_init(f, CASE_DA_CERT, "DA certificate", PROTO_MSG_DA_CERT, leader, 3);
    c->msg.cert = make_cert(f->h, PROTO_CERT_DA, DA_VIEW, 0, &f->payload->commit, members);
    build_share(f, CASE_VID_SHARE, "VID share", PROTO_MSG_VID_SHARE, leader, f->payload, 3);
    build_share(f, CASE_VID_SHARE_SYNTHETIC, "synthetic VID share", PROTO_MSG_VID_SHARE, leader,
                f->synthetic, 1);
    c = case_init(f, CASE_VID_REQUEST, "VID request", PROTO_MSG_VID_REQUEST, 3, 0);
    c->msg.data.view = DA_VIEW;
    c->msg.data.commit = f->payload->commit;
    c->msg.data.owner = 3;
    c->prime[0] = CASE_DA_PROPOSAL;
    c->weak = TRUE; /* anyone may ask for anyone's share */
    build_share(f, CASE_VID_RESPONSE, "VID response", PROTO_MSG_VID_RESPONSE, 0, f->payload, 3);
}

/* A transaction's bytes in a synthetic run: its descriptor (id, size), no content. */
static GBytes *descriptor(uint64_t id, uint32_t size)
{
    uint8_t bytes[PROTO_TX_DESCRIPTOR_BYTES];
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(id >> (8 * i));
    for (int i = 0; i < 4; i++)
        bytes[8 + i] = (uint8_t)(size >> (8 * i));
    return g_bytes_new(bytes, sizeof bytes);
}

/* A user submits a transaction, the leader of view 1 gets its block from the builder. */
static void build_block(Fixture *f)
{
    ProtoNodeId leader = harness_leader(f->h, 1);
    Case *c = case_init(f, CASE_TX_SUBMIT, "transaction", PROTO_MSG_TX_SUBMIT, CLIENT, 1);
    ProtoDataMsg *d = &c->msg.data;
    d->ns_id = ROLLUP_NS;
    d->tx_id = 501;
    d->size = 2048;
    d->synthetic = 1;
    d->bytes = descriptor(d->tx_id, (uint32_t)d->size);
    set_bulk(c, d->bytes, d->size);
    c->weak = TRUE;
    c = case_init(f, CASE_BLOCK_REQUEST, "block request", PROTO_MSG_BLOCK_REQUEST, leader, BUILDER);
    c->msg.data.view = 1;
    c->weak = TRUE;
    c = case_init(f, CASE_BLOCK_RESPONSE, "block response", PROTO_MSG_BLOCK_RESPONSE, BUILDER,
                  leader);
    d = &c->msg.data;
    d->view = 1;
    d->size = f->synthetic->size;
    d->synthetic = 1;
    d->ns_table = g_bytes_ref(f->synthetic->ns_table);
    d->bytes = g_bytes_ref(f->synthetic->bytes);
    set_bulk(c, d->bytes, d->size);
    c->weak = TRUE; /* the builder's block is its own to choose */
}

/* Node 0 tells the rollup of two decided blocks (the empty block of view 1, the real block of
 * DA_VIEW); the rollup fetches its namespace of the second from DA member 0. */
static void build_rollup(Fixture *f)
{
    const ProtoPayload *blocks[2] = {f->h->shared->empty, f->payload};
    Case *c = case_init(f, CASE_DECIDE_NOTICE, "decide notice", PROTO_MSG_DECIDE_NOTICE, 0, CLIENT);
    ProtoDataMsg *d = &c->msg.data;
    d->notice_count = 2;
    d->notices = g_new0(ProtoNotice, 2);
    for (uint32_t i = 0; i < 2; i++) {
        d->notices[i] = (ProtoNotice){i + 1, i + 1, blocks[i]->commit, blocks[i]->size,
                                      g_bytes_ref(blocks[i]->ns_table)};
    }
    c->weak = TRUE; /* a subscriber trusts the node it subscribes to */
    c = case_init(f, CASE_NS_REQUEST, "namespace request", PROTO_MSG_NS_REQUEST, CLIENT, 0);
    c->msg.data.view = DA_VIEW;
    c->msg.data.commit = f->payload->commit;
    c->msg.data.ns_id = ROLLUP_NS;
    c->prime[0] = CASE_DA_PROPOSAL;
    c->weak = TRUE;
    c = case_init(f, CASE_NS_RESPONSE, "namespace response", PROTO_MSG_NS_RESPONSE, 0, CLIENT);
    c->prime[0] = CASE_DECIDE_NOTICE;
    d = &c->msg.data;
    ProtoCommit path[32];
    uint32_t path_len = 0;
    ck_assert(proto_payload_namespace(f->payload, ROLLUP_NS, &d->bytes, &d->index, &d->size, path,
                                      &path_len));
    d->view = DA_VIEW;
    d->commit = f->payload->commit;
    d->ns_id = ROLLUP_NS;
    d->count = f->payload->ns_count;
    d->layout = g_bytes_new(path, (gsize)path_len * sizeof(ProtoCommit));
    set_bulk(c, d->bytes, d->size);
}

static void build_data(Fixture *f)
{
    const ProtoVidParams *vid = f->h->shared->vid;
    f->payload = proto_payload_build(vid, real_txs, 3, FALSE, TRUE, NULL, NULL);
    f->synthetic = proto_payload_build(vid, synthetic_txs, 3, TRUE, TRUE, NULL, NULL);
    ck_assert_uint_eq(f->payload->ns_count, 2);
    ck_assert_uint_eq(f->payload->size, g_bytes_get_size(f->payload->bytes));
    ck_assert_uint_gt(f->synthetic->size, 60 * g_bytes_get_size(f->synthetic->bytes));
    build_dispersal(f);
    build_block(f);
    build_rollup(f);
}

/* Turns the DA layer on before any node exists: members 0, 1 and 2, real payloads, `endpoints`
 * endpoints in all, every node's builder at `builder`. */
static void enable_da(Harness *h, uint32_t endpoints, ProtoNodeId builder)
{
    static const ProtoNodeId members[3] = {0, 1, 2};
    for (uint32_t i = 0; i < h->n; i++) {
        ck_assert_ptr_null(h->nodes[i]);
        h->configs[i].builder = builder;
    }
    proto_shared_enable_da(h->shared, members, 3, FALSE, endpoints);
    ProtoVidParams *vid = proto_vid_params_new((const uint64_t[NODES]){1, 1, 1, 1}, NODES);
    ck_assert_uint_eq(h->shared->vid->total_weight, vid->total_weight);
    ck_assert_uint_eq(h->shared->vid->threshold, vid->threshold);
    ck_assert_uint_eq(h->shared->vid->depth, vid->depth);
    for (uint32_t i = 0; i < NODES; i++)
        ck_assert_uint_eq(h->shared->vid->weights[i], vid->weights[i]);
    proto_vid_params_free(vid);
}

/* Marks bytes [at, at + len) of the case's encoding as a loose field. */
static void loose(Case *c, int *n, size_t at, size_t len)
{
    ck_assert_int_lt(*n, LOOSE_MAX);
    c->loose[(*n)++] = (Range){at, len};
}

/*
 * The fields of a data-path message that no signature or commitment binds, as
 * every_bit_flip_of_a_data_message_is_rejected_or_harmless finds them. The payload commitment
 * binds every namespace's id, length and root, so a namespace table, a logical size or a share
 * layout that disagrees with it is rejected wherever it travels; what is left is that a VID
 * share from a leader in the DA committee is a valid VID response too (same fields, same
 * signature), so the type byte may flip between the two.
 */
static void set_loose(Case *c)
{
    int n = 0;
    if (c->msg.type == PROTO_MSG_VID_SHARE) loose(c, &n, 1, 1); /* the type */
}

static Fixture *fixture_new(ProtoCryptoMode mode)
{
    HarnessOptions options = {.nodes = NODES, .crypto = mode, .leaders = PROTO_LEADER_ROUND_ROBIN};
    Fixture *f = g_new0(Fixture, 1);
    f->h = harness_new(&options);
    enable_da(f->h, ENDPOINTS, BUILDER);
    f->rng = 7;
    build_proposals(f);
    build_votes(f);
    build_certs(f);
    for (int i = 0; i < CASE_PROPOSAL_REQUEST; i++) {
        Case *c = &f->cases[i];
        c->bytes = proto_msg_encode(&c->msg, &c->charged);
    }
    build_fetch(f);
    build_data(f);
    for (int i = CASE_PROPOSAL_REQUEST; i < CASE_COUNT; i++) {
        Case *c = &f->cases[i];
        c->bytes = proto_msg_encode(&c->msg, &c->charged);
        set_loose(c);
    }
    return f;
}

/* Frees the fixture; harness_free asserts that no leaf or certificate is left alive. */
static void fixture_free(Fixture *f)
{
    for (int i = 0; i < CASE_COUNT; i++) {
        proto_msg_clear(&f->cases[i].msg);
        g_bytes_unref(f->cases[i].bytes);
    }
    proto_cert_unref(f->qc1);
    proto_rollup_free(f->rollup);
    proto_payload_unref(f->payload);
    proto_payload_unref(f->synthetic);
    harness_free(f->h);
    g_free(f);
}

/* --- delivering to nodes and rollups -------------------------------------------------------- */

static void discard_actions(ProtoNode *node)
{
    ProtoAction action;
    while (proto_node_drain(node, &action))
        proto_action_clear(&action);
}

/* Replaces node `id` of the harness by a new node started in view 1. */
static ProtoNode *fresh_node(Fixture *f, ProtoNodeId id)
{
    Harness *h = f->h;
    proto_node_free(h->nodes[id]);
    ProtoEnv env = {h->shared, proto_crypto_signer(h->crypto, id), splitmix, &f->rng, NULL, NULL};
    h->nodes[id] = proto_node_new(&h->configs[id], &env);
    proto_node_start(h->nodes[id], h->now);
    discard_actions(h->nodes[id]);
    return h->nodes[id];
}

/* A new receiver at `to`: a node, the rollup executor at CLIENT, or nothing (the builder). */
static void fresh_receiver(Fixture *f, ProtoNodeId to)
{
    if (to < NODES) {
        fresh_node(f, to);
    } else if (to == CLIENT) {
        ProtoRollupConfig config = {CLIENT, ROLLUP_NS, PROTO_ROLLUP_FROM_DA, PROTO_S};
        proto_rollup_free(f->rollup);
        f->rollup = proto_rollup_new(&config, f->h->shared, splitmix, &f->rng);
    }
}

/* Hands `bytes` from `from` to the receiver at `to`, dropping what it does in response. */
static int receive(Fixture *f, ProtoNodeId from, ProtoNodeId to, GBytes *bytes)
{
    ProtoAction action;
    int rc = PROTO_ERR_NOT_RECIPIENT; /* a builder takes no bytes: its driver calls it */
    if (to < NODES) {
        rc = proto_node_recv(f->h->nodes[to], from, bytes, f->h->now);
        discard_actions(f->h->nodes[to]);
    } else if (to == CLIENT) {
        rc = proto_rollup_recv(f->rollup, from, bytes, f->h->now);
        while (proto_rollup_drain(f->rollup, &action))
            proto_action_clear(&action);
    }
    return rc;
}

/* Hands `bytes` from the case's sender to a fresh, primed copy of its receiver. */
static int deliver_fresh(Fixture *f, const Case *c, GBytes *bytes)
{
    fresh_receiver(f, c->to);
    for (int i = 0; i < 2; i++) {
        if (c->prime[i] < 0) continue;
        const Case *prime = &f->cases[c->prime[i]];
        int rc = receive(f, prime->from, c->to, prime->bytes);
        if (rc != PROTO_OK) ck_abort_msg("%s: priming failed: %s", c->name, proto_strerror(rc));
    }
    return receive(f, c->from, c->to, bytes);
}

/* --- round trip ------------------------------------------------------------------------------ */

static void assert_cert_equal(const ProtoCert *a, const ProtoCert *b)
{
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(a->kind, b->kind);
    ck_assert_uint_eq(a->view, b->view);
    ck_assert_uint_eq(a->relay, b->relay);
    ck_assert(proto_commit_equal(&a->data, &b->data));
    ck_assert_uint_eq(a->node_count, b->node_count);
    ck_assert_uint_eq(a->signer_count, b->signer_count);
    ck_assert_mem_eq(a->signers, b->signers, (a->node_count + 7) / 8);
    ck_assert_uint_eq(a->scheme, b->scheme);
    ck_assert_uint_eq(a->signature_len, b->signature_len);
    if (a->signature_len > 0) ck_assert_mem_eq(a->signature, b->signature, a->signature_len);
    ck_assert(proto_commit_equal(&a->digest, &b->digest));
}

static void assert_signature_equal(const ProtoSignature *a, const ProtoSignature *b)
{
    ck_assert_uint_eq(a->scheme, b->scheme);
    ck_assert_uint_eq(a->len, b->len);
    ck_assert_mem_eq(a->bytes, b->bytes, a->len);
}

static void assert_proposal_equal(const ProtoProposal *a, const ProtoProposal *b)
{
    ck_assert_uint_eq(a->view, b->view);
    ck_assert(proto_commit_equal(&a->parent, &b->parent));
    ck_assert_uint_eq(a->header.height, b->header.height);
    ck_assert_uint_eq(a->header.timestamp, b->header.timestamp);
    ck_assert(proto_commit_equal(&a->header.payload_commit, &b->header.payload_commit));
    ck_assert(proto_commit_equal(&a->header.builder_commit, &b->header.builder_commit));
    ck_assert_uint_eq(a->header.payload_size, b->header.payload_size);
    ck_assert(g_bytes_equal(a->header.ns_table, b->header.ns_table));
    assert_cert_equal(a->justify_qc, b->justify_qc);
    ck_assert_int_eq(a->evidence_kind, b->evidence_kind);
    if (a->evidence_kind != PROTO_EVIDENCE_NONE) assert_cert_equal(a->evidence, b->evidence);
    if (b->evidence_kind == PROTO_EVIDENCE_NONE) ck_assert_ptr_null(b->evidence);
    assert_signature_equal(&a->signature, &b->signature);
}

/* Blobs as the codec sees them: a missing blob is an empty one. */
static void assert_blob_equal(GBytes *a, GBytes *b)
{
    gsize a_len = 0, b_len = 0;
    const uint8_t *a_data = a != NULL ? g_bytes_get_data(a, &a_len) : NULL;
    const uint8_t *b_data = b != NULL ? g_bytes_get_data(b, &b_len) : NULL;
    ck_assert_uint_eq(a_len, b_len);
    if (a_len > 0) ck_assert_mem_eq(a_data, b_data, a_len);
}

/* Every data field; `b` is decoded, so its bulk_size (not on the wire) is zero. */
static void assert_data_equal(const ProtoDataMsg *a, const ProtoDataMsg *b)
{
    ck_assert_uint_eq(a->view, b->view);
    ck_assert(proto_commit_equal(&a->commit, &b->commit));
    ck_assert_uint_eq(a->owner, b->owner);
    ck_assert_uint_eq(a->ns_id, b->ns_id);
    ck_assert_uint_eq(a->tx_id, b->tx_id);
    ck_assert_uint_eq(a->size, b->size);
    ck_assert_uint_eq(a->synthetic, b->synthetic);
    ck_assert_uint_eq(a->index, b->index);
    ck_assert_uint_eq(a->count, b->count);
    assert_blob_equal(a->ns_table, b->ns_table);
    assert_blob_equal(a->layout, b->layout);
    assert_blob_equal(a->bytes, b->bytes);
    ck_assert_uint_eq(b->bulk_size, 0);
    assert_signature_equal(&a->signature, &b->signature);
    ck_assert_uint_eq(a->notice_count, b->notice_count);
    for (uint32_t i = 0; i < a->notice_count; i++) {
        const ProtoNotice *x = &a->notices[i], *y = &b->notices[i];
        ck_assert_uint_eq(x->view, y->view);
        ck_assert_uint_eq(x->height, y->height);
        ck_assert(proto_commit_equal(&x->payload_commit, &y->payload_commit));
        ck_assert_uint_eq(x->payload_size, y->payload_size);
        assert_blob_equal(x->ns_table, y->ns_table);
    }
}

static void assert_decoded_equal(const Fixture *f, const Case *c, const ProtoMsg *d)
{
    const ProtoMsg *m = &c->msg;
    ck_assert_int_eq(d->type, m->type);
    ck_assert_uint_eq(d->sender, m->sender);
    if (m->type == PROTO_MSG_PROPOSAL) assert_proposal_equal(&m->proposal, &d->proposal);
    if (proto_msg_vote_kind(m->type) != 0) {
        ck_assert_uint_eq(d->vote.view, m->vote.view);
        ck_assert_uint_eq(d->vote.relay, m->vote.relay);
        ck_assert(proto_commit_equal(&d->vote.data, &m->vote.data));
        ck_assert_uint_eq(d->vote.signer, m->vote.signer);
        assert_signature_equal(&m->vote.signature, &d->vote.signature);
    }
    if (m->cert != NULL) assert_cert_equal(m->cert, d->cert);
    ck_assert_uint_eq(d->view, m->view);
    ck_assert(proto_commit_equal(&d->leaf, &m->leaf));
    if (m->type == PROTO_MSG_PROPOSAL_RESPONSE) {
        const Case *inner = &f->cases[CASE_PROPOSAL];
        ck_assert(g_bytes_equal(d->proposal_bytes, inner->bytes));
        assert_proposal_equal(&inner->msg.proposal, &d->proposal);
        ck_assert_uint_eq(d->vote.signer, inner->msg.sender);
    }
    assert_data_equal(&m->data, &d->data);
}

/* Decodes the case (optionally interning in `pool`), compares, re-encodes byte for byte. A VID
 * share's production size is not on the wire: re-encoded without it, its units are charged at
 * their bytes; with it, as the original. */
static void check_round_trip(const Fixture *f, const Case *c, ProtoCertPool *pool)
{
    ProtoMsg decoded;
    int rc = decode_bytes(c->bytes, pool, &decoded);
    ck_assert_msg(rc == PROTO_OK, "%s: %s", c->name, proto_strerror(rc));
    assert_decoded_equal(f, c, &decoded);
    uint64_t charged = 0;
    GBytes *again = proto_msg_encode(&decoded, &charged);
    ck_assert_msg(g_bytes_equal(again, c->bytes), "%s: re-encoding differs", c->name);
    g_bytes_unref(again);
    if (c->msg.data.bulk_size != 0) {
        ck_assert_uint_eq(charged, c->charged - c->logical);
        decoded.data.bulk_size = c->msg.data.bulk_size;
        again = proto_msg_encode(&decoded, &charged);
        ck_assert(g_bytes_equal(again, c->bytes));
        g_bytes_unref(again);
    }
    ck_assert_uint_eq(charged, c->charged);
    proto_msg_clear(&decoded);
    ck_assert(msg_is_zero(&decoded));
}

START_TEST(every_message_type_round_trips)
{
    Fixture *f = fixture_new(modes[_i]);
    ProtoCertPool *pool = proto_cert_pool_new();
    uint32_t types = 0, evidence = 0, synthetic = 0;
    for (int i = 0; i < CASE_COUNT; i++) {
        const Case *c = &f->cases[i];
        check_round_trip(f, c, NULL);
        check_round_trip(f, c, pool);
        ck_assert_uint_eq(proto_cert_pool_size(pool), 0);
        types |= 1u << c->msg.type;
        if (c->msg.type == PROTO_MSG_PROPOSAL) evidence |= 1u << c->msg.proposal.evidence_kind;
        if (c->msg.data.synthetic) synthetic |= 1u << c->msg.type;
    }
    /* Every type from 1 to PROTO_MSG_TYPE_COUNT_ - 1, and proposals with all three evidences. */
    ck_assert_uint_eq(types, (1u << PROTO_MSG_TYPE_COUNT_) - 2);
    ck_assert_uint_eq(evidence, 7);
    /* Payloads come in both forms: these types carry a synthetic one as well as a real one (or,
     * for transactions and builder blocks, as a synthetic run sends them). */
    ck_assert_uint_eq(synthetic, 1u << PROTO_MSG_DA_PROPOSAL | 1u << PROTO_MSG_VID_SHARE |
                                     1u << PROTO_MSG_TX_SUBMIT | 1u << PROTO_MSG_BLOCK_RESPONSE);
    proto_cert_pool_free(pool);
    fixture_free(f);
}
END_TEST

/* --- charged size ---------------------------------------------------------------------------- */

/* Bytes by which the message's signatures exceed the 32 a BLS signature or aggregate takes. */
static uint64_t signature_excess(const ProtoMsg *m)
{
    uint64_t len = 0;
    if (m->type == PROTO_MSG_PROPOSAL) return proto_proposal_discount(&m->proposal);
    if (m->type == PROTO_MSG_PROPOSAL_RESPONSE) return m->inner_discount;
    if (proto_msg_vote_kind(m->type) != 0) len = m->vote.signature.len;
    if (m->cert != NULL) len = m->cert->signature_len;
    if (m->type == PROTO_MSG_DA_PROPOSAL || m->type == PROTO_MSG_VID_SHARE ||
        m->type == PROTO_MSG_VID_RESPONSE) {
        len = m->data.signature.len;
    }
    return len > 32 ? len - 32 : 0;
}

typedef struct Sizes {
    uint64_t length[CASE_COUNT];
    uint64_t charged[CASE_COUNT];
    uint64_t bulk[CASE_COUNT];
    uint64_t logical[CASE_COUNT];
    uint64_t excess[CASE_COUNT];
} Sizes;

/* Encoded lengths and charged sizes of every case in one mode. Fixtures of the two modes are
 * not alive at once: harness_free asserts that no certificate is left in the process. */
static void measure(ProtoCryptoMode mode, Sizes *sizes)
{
    Fixture *f = fixture_new(mode);
    for (int i = 0; i < CASE_COUNT; i++) {
        const Case *c = &f->cases[i];
        sizes->length[i] = g_bytes_get_size(c->bytes);
        sizes->charged[i] = c->charged;
        sizes->bulk[i] = c->bulk;
        sizes->logical[i] = c->logical;
        sizes->excess[i] = signature_excess(&c->msg);
    }
    fixture_free(f);
}

START_TEST(charged_size_does_not_depend_on_the_crypto_mode)
{
    Sizes modeled, real;
    measure(PROTO_CRYPTO_MODELED, &modeled);
    measure(PROTO_CRYPTO_REAL, &real);
    for (int i = 0; i < CASE_COUNT; i++) {
        /* Modeled signatures and aggregates are 32 bytes, as a BLS signature is; bulk blobs are
         * charged at their logical size in both modes. */
        ck_assert_uint_eq(modeled.excess[i], 0);
        ck_assert_uint_eq(modeled.bulk[i], real.bulk[i]);
        ck_assert_uint_eq(modeled.logical[i], real.logical[i]);
        uint64_t body = modeled.length[i] - modeled.bulk[i] + modeled.logical[i];
        ck_assert_uint_eq(modeled.charged[i], body + PROTO_FRAME_BYTES);
        if (i == CASE_PROPOSAL_RESPONSE) continue; /* see the next test */
        ck_assert_msg(real.charged[i] == modeled.charged[i], "case %d: real %llu, modeled %llu", i,
                      (unsigned long long)real.charged[i], (unsigned long long)modeled.charged[i]);
        uint64_t real_body = real.length[i] - real.bulk[i] + real.logical[i];
        if (real.excess[i] == 0) {
            ck_assert_uint_eq(real.charged[i], real_body + PROTO_FRAME_BYTES);
        } else {
            ck_assert_uint_lt(real.charged[i], real_body + PROTO_FRAME_BYTES);
        }
    }
    /* The discount is exact: 32 bytes per Ed25519 signature, 3 x 64 - 32 per certificate. */
    ck_assert_uint_eq(real.length[CASE_QUORUM_VOTE] + PROTO_FRAME_BYTES -
                          real.charged[CASE_QUORUM_VOTE],
                      64 - 32);
    ck_assert_uint_eq(real.length[CASE_HIGH_QC] + PROTO_FRAME_BYTES - real.charged[CASE_HIGH_QC],
                      3 * 64 - 32);
    ck_assert_uint_eq(real.length[CASE_PROPOSAL_TC] + PROTO_FRAME_BYTES -
                          real.charged[CASE_PROPOSAL_TC],
                      2 * (3 * 64 - 32) + 32);
}
END_TEST

/* A proposal response carries a whole proposal (a leader signature and one or two certificates):
 * the documented rule counts those signatures at 32 bytes too. */
START_TEST(charged_size_of_a_proposal_response_does_not_depend_on_the_crypto_mode)
{
    Sizes modeled, real;
    measure(PROTO_CRYPTO_MODELED, &modeled);
    measure(PROTO_CRYPTO_REAL, &real);
    ck_assert_msg(real.charged[CASE_PROPOSAL_RESPONSE] == modeled.charged[CASE_PROPOSAL_RESPONSE],
                  "real %llu, modeled %llu (encoded %llu and %llu bytes)",
                  (unsigned long long)real.charged[CASE_PROPOSAL_RESPONSE],
                  (unsigned long long)modeled.charged[CASE_PROPOSAL_RESPONSE],
                  (unsigned long long)real.length[CASE_PROPOSAL_RESPONSE],
                  (unsigned long long)modeled.length[CASE_PROPOSAL_RESPONSE]);
}
END_TEST

/* The data path is charged as production sends it: a payload, transaction or namespace at its
 * logical size (a synthetic one's bytes are only a manifest), VID units at their production
 * size, signatures at 32 bytes. Checked exactly against the encoding, field by field. */
START_TEST(charged_size_of_data_messages_counts_logical_sizes)
{
    Fixture *f = fixture_new(modes[_i]);
    uint64_t real_sig = modes[_i] == PROTO_CRYPTO_REAL ? 64 - 32 : 0;
    static const struct {
        CaseId id;
        uint64_t excess; /* Ed25519 signatures in real mode */
    } bulky[] = {
        {CASE_TX_SUBMIT, 0},           {CASE_DA_PROPOSAL, 1}, {CASE_DA_PROPOSAL_SYNTHETIC, 1},
        {CASE_BLOCK_RESPONSE, 0},      {CASE_NS_RESPONSE, 0}, {CASE_VID_SHARE, 1},
        {CASE_VID_SHARE_SYNTHETIC, 1}, {CASE_VID_RESPONSE, 1}};
    for (size_t i = 0; i < G_N_ELEMENTS(bulky); i++) {
        const Case *c = &f->cases[bulky[i].id];
        const ProtoDataMsg *d = &c->msg.data;
        gboolean vid = c->msg.type == PROTO_MSG_VID_SHARE || c->msg.type == PROTO_MSG_VID_RESPONSE;
        uint64_t blob = g_bytes_get_size(d->bytes), logical = vid ? d->bulk_size : d->size;
        uint64_t len = g_bytes_get_size(c->bytes);
        ck_assert_uint_eq(c->charged,
                          len - blob + logical + PROTO_FRAME_BYTES - bulky[i].excess * real_sig);
    }
    /* Synthetic blobs are charged far beyond their bytes, a real payload at its bytes, and VID
     * units at the production size of the share their layout describes. */
    const Case *tx = &f->cases[CASE_TX_SUBMIT];
    ck_assert_uint_eq(tx->charged, g_bytes_get_size(tx->bytes) - 12 + 2048 + PROTO_FRAME_BYTES);
    const Case *real = &f->cases[CASE_DA_PROPOSAL];
    ck_assert_uint_eq(real->charged + real_sig, g_bytes_get_size(real->bytes) + PROTO_FRAME_BYTES);
    const Case *block = &f->cases[CASE_BLOCK_RESPONSE];
    ck_assert_uint_gt(block->charged, 60 * g_bytes_get_size(block->bytes));
    for (CaseId id = CASE_VID_SHARE; id <= CASE_VID_RESPONSE; id++) {
        const Case *share = &f->cases[id];
        if (id == CASE_VID_REQUEST) continue;
        ck_assert_uint_eq(share->logical, proto_payload_share_size(f->h->shared->vid, share->to,
                                                                   share->msg.data.layout));
    }
    const Case *share = &f->cases[CASE_VID_SHARE_SYNTHETIC];
    ck_assert_uint_eq(share->bulk, 0);
    ck_assert_uint_gt(share->charged, g_bytes_get_size(share->bytes) + PROTO_FRAME_BYTES);
    fixture_free(f);
}
END_TEST

/* --- truncation and trailing bytes ---------------------------------------------------------- */

START_TEST(every_truncation_and_extension_is_rejected)
{
    Fixture *f = fixture_new(modes[_i]);
    ProtoCertPool *pool = proto_cert_pool_new();
    uint64_t checked = 0;
    for (int i = 0; i < CASE_COUNT; i++) {
        const Case *c = &f->cases[i];
        gsize len = 0;
        const uint8_t *data = g_bytes_get_data(c->bytes, &len);
        ProtoMsg msg;
        for (size_t cut = 0; cut < len; cut++) {
            /* A prefix holds the same values as the message up to its end, so the first field
             * that fails is the one that runs past it. */
            int rc = decode_checked(cut == 0 ? NULL : data, cut, pool, &msg);
            if (rc != PROTO_ERR_TRUNCATED) {
                ck_abort_msg("%s cut to %zu of %zu bytes: %s", c->name, cut, len,
                             proto_strerror(rc));
            }
            if (proto_cert_pool_size(pool) != 0)
                ck_abort_msg("%s: a cert stayed interned", c->name);
            checked++;
        }
        for (int extra = 0; extra < 2; extra++) {
            uint8_t *longer = g_malloc(len + 1);
            memcpy(longer, data, len);
            longer[len] = extra ? 0xff : 0x00;
            ck_assert_int_eq(decode_checked(longer, len + 1, pool, &msg), PROTO_ERR_TRAILING);
            g_free(longer);
        }
    }
    if (g_getenv("SHOTGLASS_TEST_VERBOSE") != NULL) {
        printf("truncations (%s): %llu rejected\n",
               modes[_i] == PROTO_CRYPTO_REAL ? "real" : "modeled", (unsigned long long)checked);
    }
    ck_assert_uint_gt(checked, 4000);
    ck_assert_uint_eq(proto_cert_pool_size(pool), 0);
    proto_cert_pool_free(pool);
    fixture_free(f);
}
END_TEST

/* --- senders --------------------------------------------------------------------------------- */

/* The case's message from envelope sender `sender`, decoded for NODES validators and
 * `endpoint_count` endpoints. */
static int decode_from(const Case *c, ProtoNodeId sender, uint32_t endpoint_count)
{
    ProtoMsg msg = c->msg; /* a shallow copy: encoding only reads it */
    msg.sender = sender;
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    ProtoDecodeContext context = {.node_count = NODES, .endpoint_count = endpoint_count};
    ProtoMsg decoded;
    int rc = proto_msg_decode(data, len, &context, &decoded);
    if (rc == PROTO_OK) ck_assert_uint_eq(decoded.sender, sender);
    ck_assert(rc == PROTO_OK || msg_is_zero(&decoded));
    proto_msg_clear(&decoded);
    g_bytes_unref(bytes);
    return rc;
}

/* Validators send everything; endpoints (ids NODES and up, below endpoint_count) send the client
 * types, and only when the context has them. */
static void check_senders(const Case *c)
{
    static const uint32_t contexts[] = {0, NODES - 1, NODES, NODES + 1, ENDPOINTS};
    gboolean client = proto_msg_from_anyone(c->msg.type);
    for (size_t i = 0; i < G_N_ELEMENTS(contexts); i++) {
        uint32_t endpoints = contexts[i];
        int beyond = client && endpoints > NODES ? PROTO_OK : PROTO_ERR_SENDER;
        ck_assert_int_eq(decode_from(c, 0, endpoints), PROTO_OK);
        ck_assert_int_eq(decode_from(c, NODES - 1, endpoints), PROTO_OK);
        ck_assert_int_eq(decode_from(c, NODES, endpoints), beyond);
        if (endpoints > NODES) {
            ck_assert_int_eq(decode_from(c, endpoints - 1, endpoints), beyond);
            ck_assert_int_eq(decode_from(c, endpoints, endpoints), PROTO_ERR_SENDER);
        }
        ck_assert_int_eq(decode_from(c, UINT32_MAX, endpoints), PROTO_ERR_SENDER);
    }
}

START_TEST(only_client_types_come_from_endpoints)
{
    Fixture *f = fixture_new(PROTO_CRYPTO_MODELED);
    uint32_t client = 0;
    for (int i = 0; i < CASE_COUNT; i++) {
        const Case *c = &f->cases[i];
        check_senders(c);
        if (!proto_msg_from_anyone(c->msg.type)) {
            /* A node knows the run's endpoints and still refuses this type from one. */
            ck_assert_uint_lt(c->to, NODES);
            ProtoMsg msg = c->msg;
            msg.sender = CLIENT;
            GBytes *bytes = proto_msg_encode(&msg, NULL);
            fresh_node(f, c->to);
            ck_assert_int_eq(receive(f, CLIENT, c->to, bytes), PROTO_ERR_SENDER);
            g_bytes_unref(bytes);
        } else {
            client |= 1u << c->msg.type;
        }
    }
    /* What users, builders and rollups send; a validator's requests may come from them too. */
    ck_assert_uint_eq(client, 1u << PROTO_MSG_TX_SUBMIT | 1u << PROTO_MSG_BLOCK_RESPONSE |
                                  1u << PROTO_MSG_DECIDE_NOTICE | 1u << PROTO_MSG_NS_REQUEST |
                                  1u << PROTO_MSG_NS_RESPONSE | 1u << PROTO_MSG_VID_REQUEST |
                                  1u << PROTO_MSG_BLOCK_REQUEST);
    /* The fixture's messages from endpoints are accepted by the nodes they go to. */
    ck_assert_int_eq(deliver_fresh(f, &f->cases[CASE_TX_SUBMIT], f->cases[CASE_TX_SUBMIT].bytes),
                     PROTO_OK);
    ck_assert_int_eq(deliver_fresh(f, &f->cases[CASE_NS_REQUEST], f->cases[CASE_NS_REQUEST].bytes),
                     PROTO_OK);
    ck_assert_int_eq(
        deliver_fresh(f, &f->cases[CASE_BLOCK_RESPONSE], f->cases[CASE_BLOCK_RESPONSE].bytes),
        PROTO_OK);
    fixture_free(f);
}
END_TEST

/* --- single-bit flips ------------------------------------------------------------------------ */

typedef struct FlipStats {
    uint64_t flips;
    uint64_t decode_rejected;
    uint64_t node_rejected; /* by the receiver, node or rollup */
    uint64_t accepted;
    uint64_t loose;                   /* of the accepted, flips in a field nothing binds */
    uint64_t undelivered;             /* decoded, for a receiver that takes no bytes (a builder) */
    uint64_t codes[PROTO_ERR_COUNT_]; /* by -code, decoder and receiver together */
    char first_accepted[160];         /* outside the loose fields */
} FlipStats;

static gboolean in_loose(const Case *c, size_t byte)
{
    for (int i = 0; i < LOOSE_MAX; i++) {
        if (byte >= c->loose[i].at && byte - c->loose[i].at < c->loose[i].len) return TRUE;
    }
    return FALSE;
}

static void flip_bit(Fixture *f, const Case *c, size_t bit, FlipStats *stats)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(c->bytes, &len);
    uint8_t *copy = g_memdup2(data, len);
    copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    GBytes *bytes = g_bytes_new_take(copy, len);
    ProtoMsg msg;
    int rc = decode_bytes(bytes, NULL, &msg);
    stats->flips++;
    if (rc != PROTO_OK) {
        stats->decode_rejected++;
        stats->codes[-rc]++;
    } else if (c->to == BUILDER) {
        stats->undelivered++;
    } else {
        rc = deliver_fresh(f, c, bytes);
        check_node_code(rc);
        if (rc != PROTO_OK) stats->node_rejected++;
        stats->codes[-rc]++;
        if (rc == PROTO_OK) stats->accepted++;
        if (rc == PROTO_OK && in_loose(c, bit / 8)) stats->loose++;
        if (rc == PROTO_OK && !in_loose(c, bit / 8) && stats->accepted - stats->loose == 1) {
            g_snprintf(stats->first_accepted, sizeof stats->first_accepted,
                       "%s: bit %zu of byte %zu (of %zu) was accepted by %u", c->name, bit % 8,
                       bit / 8, (size_t)len, c->to);
        }
    }
    proto_msg_clear(&msg);
    g_bytes_unref(bytes);
}

/* Flips every bit of the case's encoding in turn, after checking the original is accepted. */
static void flip_case(Fixture *f, const Case *c, FlipStats *stats)
{
    int rc = deliver_fresh(f, c, c->bytes);
    if (c->to != BUILDER) {
        ck_assert_msg(rc == PROTO_OK, "%s: the original is rejected: %s", c->name,
                      proto_strerror(rc));
    }
    size_t bits = g_bytes_get_size(c->bytes) * 8;
    for (size_t bit = 0; bit < bits; bit++)
        flip_bit(f, c, bit, stats);
}

static void report_flips(const char *what, ProtoCryptoMode mode, const FlipStats *s)
{
    if (g_getenv("SHOTGLASS_TEST_VERBOSE") == NULL) return;
    printf("%s (%s): %llu flips, %llu rejected by the decoder, %llu by the receiver, %llu "
           "accepted (%llu in unbound fields), %llu with no receiver\n",
           what, mode == PROTO_CRYPTO_REAL ? "real" : "modeled", (unsigned long long)s->flips,
           (unsigned long long)s->decode_rejected, (unsigned long long)s->node_rejected,
           (unsigned long long)s->accepted, (unsigned long long)s->loose,
           (unsigned long long)s->undelivered);
    for (int code = 1; code < PROTO_ERR_COUNT_; code++) {
        if (s->codes[code] == 0) continue;
        printf("  %-14s %llu\n", proto_strerror(-code), (unsigned long long)s->codes[code]);
    }
}

START_TEST(every_bit_flip_is_rejected)
{
    Fixture *f = fixture_new(modes[_i]);
    FlipStats stats = {0};
    for (int i = 0; i < CASE_DATA_FIRST; i++) {
        if (i == CASE_PROPOSAL_GENESIS) continue; /* the next test */
        flip_case(f, &f->cases[i], &stats);
    }
    report_flips("bit flips", modes[_i], &stats);
    ck_assert_msg(stats.accepted == 0, "%llu flips accepted; first: %s",
                  (unsigned long long)stats.accepted, stats.first_accepted);
    ck_assert_uint_eq(stats.flips, stats.decode_rejected + stats.node_rejected);
    ck_assert_uint_gt(stats.node_rejected, 0);
    fixture_free(f);
}
END_TEST

/* The proposal of view 1 is justified by the genesis QC, which carries no signature: what binds
 * its fields is the leaf commitment (its view and data) and the genesis check. */
START_TEST(every_bit_flip_of_the_first_proposal_is_rejected)
{
    Fixture *f = fixture_new(modes[_i]);
    FlipStats stats = {0};
    flip_case(f, &f->cases[CASE_PROPOSAL_GENESIS], &stats);
    report_flips("bit flips of the view-1 proposal", modes[_i], &stats);
    ck_assert_msg(stats.accepted == 0, "%llu flips accepted; first: %s",
                  (unsigned long long)stats.accepted, stats.first_accepted);
    fixture_free(f);
}
END_TEST

/*
 * The data path: every flip either fails to decode or is handled without a crash. What a
 * receiver checks depends on the message. Signed and committed ones (a DA proposal at a DA
 * member, a DA vote at the leader, a DA certificate, a share at its owner, a namespace at the
 * rollup) must reject every flip that decodes, except in the fields listed as loose (see
 * set_loose: fields no signature or commitment binds, found by this test). Unsigned client data
 * (transactions, blocks from the builder, requests, decide notices) is "weak": a flipped field
 * is just another message, which the receiver may well accept.
 */
START_TEST(every_bit_flip_of_a_data_message_is_rejected_or_harmless)
{
    Fixture *f = fixture_new(modes[_i]);
    FlipStats total = {0};
    for (int i = CASE_DATA_FIRST; i < CASE_COUNT; i++) {
        const Case *c = &f->cases[i];
        FlipStats stats = {0};
        flip_case(f, c, &stats);
        report_flips(c->name, modes[_i], &stats);
        ck_assert_uint_eq(stats.flips, stats.decode_rejected + stats.node_rejected +
                                           stats.accepted + stats.undelivered);
        if (!c->weak) {
            ck_assert_msg(stats.accepted == stats.loose, "%llu flips accepted; first: %s",
                          (unsigned long long)(stats.accepted - stats.loose), stats.first_accepted);
            ck_assert_uint_gt(stats.node_rejected, 0);
        }
        total.flips += stats.flips;
    }
    ck_assert_uint_gt(total.flips, 10000);
    fixture_free(f);
}
END_TEST

/* --- random input ---------------------------------------------------------------------------- */

/* Random bytes of length 0..600; half of them start with a well-formed envelope (version 1, a
 * known type, no flags, a committee member as sender) so that the bodies get parsed too. */
static GBytes *random_message(uint64_t *rng, ProtoNodeId *sender)
{
    size_t len = (size_t)(splitmix(rng) % 601);
    uint8_t *data = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)splitmix(rng);
    *sender = (ProtoNodeId)(splitmix(rng) % NODES);
    if (len >= PROTO_ENVELOPE_BYTES && splitmix(rng) % 2 == 0) {
        data[0] = PROTO_WIRE_VERSION;
        data[1] = (uint8_t)(1 + splitmix(rng) % (PROTO_MSG_TYPE_COUNT_ - 1));
        data[2] = data[3] = 0;
        data[4] = (uint8_t)*sender;
        data[5] = data[6] = data[7] = 0;
    }
    return g_bytes_new_take(data, len);
}

/* Without and with the DA layer (empty blocks: the harness delivers to validators only, so
 * there is no builder), garbage of every type goes to live nodes between honest traffic. */
START_TEST(random_bytes_never_crash_a_live_node)
{
    HarnessOptions options = {
        .nodes = NODES, .crypto = PROTO_CRYPTO_MODELED, .leaders = PROTO_LEADER_ROUND_ROBIN};
    Harness *h = harness_new(&options);
    if (_i == 1) enable_da(h, NODES, PROTO_NODE_NONE);
    harness_start(h);
    harness_run(h, 200);
    uint64_t height = harness_height(h, 0);
    uint64_t rng = 1234, decoded = 0;
    for (int i = 0; i < 10000; i++) {
        ProtoNodeId sender;
        GBytes *bytes = random_message(&rng, &sender);
        ProtoMsg msg;
        if (decode_bytes(bytes, NULL, &msg) == PROTO_OK) decoded++;
        proto_msg_clear(&msg);
        check_node_code(harness_inject(h, sender, (ProtoNodeId)(i % NODES), bytes));
        g_bytes_unref(bytes);
        harness_run(h, 8); /* honest traffic goes on between the garbage */
    }
    /* Nothing random forges a signature: the run kept deciding. */
    if (g_getenv("SHOTGLASS_TEST_VERBOSE") != NULL) {
        printf("random bytes (DA %s): %llu of 10000 decoded; height %llu -> %llu\n",
               _i ? "on" : "off", (unsigned long long)decoded, (unsigned long long)height,
               (unsigned long long)harness_height(h, 0));
    }
    ck_assert_uint_gt(harness_height(h, 0), height + 100);
    ck_assert_uint_lt(decoded, 100);
    harness_free(h);
}
END_TEST

/* Overwrites, inserts or deletes 1 to 4 bytes at a random place. */
static GBytes *mutate(GBytes *original, uint64_t *rng)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(original, &len);
    GByteArray *out = g_byte_array_sized_new((guint)len + 4);
    g_byte_array_append(out, data, (guint)len);
    guint count = (guint)(1 + splitmix(rng) % 4);
    guint at = (guint)(splitmix(rng) % len);
    switch (splitmix(rng) % 3) {
    case 0:
        for (guint i = 0; i < count; i++)
            out->data[(at + i) % len] = (uint8_t)splitmix(rng);
        break;
    case 1:
        g_byte_array_set_size(out, (guint)len + count);
        memmove(out->data + at + count, out->data + at, len - at);
        for (guint i = 0; i < count; i++)
            out->data[at + i] = (uint8_t)splitmix(rng);
        break;
    default:
        g_byte_array_remove_range(out, at, MIN(count, (guint)len - at));
        break;
    }
    return g_byte_array_free_to_bytes(out);
}

/* Every edit is decoded and, if that succeeds, handed to a fresh receiver that accepts the
 * original. Nothing may crash and every code must be a known one. An overwrite with the byte
 * already there changes nothing, so an accepted edit of a consensus message must leave the bytes
 * as they were; the exception is the view-1 proposal, whose known malleability
 * every_bit_flip_of_the_first_proposal_is_rejected reports. Data-path messages have fields
 * nothing binds (see the flip test), so for them only the absence of crashes is checked. */
START_TEST(mutated_messages_never_crash_a_node)
{
    Fixture *f = fixture_new(modes[_i]);
    uint64_t rng = 99, accepted = 0, decoded = 0;
    for (int i = 0; i < 12000; i++) {
        int id = i % CASE_COUNT;
        const Case *c = &f->cases[id];
        GBytes *bytes = mutate(c->bytes, &rng);
        ProtoMsg msg;
        int rc = decode_bytes(bytes, NULL, &msg);
        proto_msg_clear(&msg);
        decoded += rc == PROTO_OK;
        if (rc == PROTO_OK) {
            rc = deliver_fresh(f, c, bytes);
            check_node_code(rc);
            accepted += rc == PROTO_OK;
        }
        if (rc == PROTO_OK && !g_bytes_equal(bytes, c->bytes) && id != CASE_PROPOSAL_GENESIS &&
            id < CASE_DATA_FIRST) {
            ck_abort_msg("%s: edit %d changed the message and was accepted", c->name, i);
        }
        g_bytes_unref(bytes);
    }
    if (g_getenv("SHOTGLASS_TEST_VERBOSE") != NULL) {
        printf("mutations (%s): %llu of 12000 decoded, %llu accepted\n",
               modes[_i] == PROTO_CRYPTO_REAL ? "real" : "modeled", (unsigned long long)decoded,
               (unsigned long long)accepted);
    }
    ck_assert_uint_gt(decoded, 1000);
    fixture_free(f);
}
END_TEST
/* --- certificates ---------------------------------------------------------------------------- */

/* Encodes a high-QC message carrying `cert` (consumed) and decodes it for `node_count` nodes. */
static int decode_cert(ProtoCert *cert, uint32_t node_count)
{
    ProtoMsg msg = {.type = PROTO_MSG_HIGH_QC, .sender = 1, .cert = cert};
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    proto_cert_unref(cert);
    ProtoDecodeContext context = {.node_count = node_count, .pool = NULL};
    ProtoMsg decoded;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    int rc = proto_msg_decode(data, len, &context, &decoded);
    ck_assert(rc == PROTO_OK || msg_is_zero(&decoded));
    proto_msg_clear(&decoded);
    g_bytes_unref(bytes);
    return rc;
}

static ProtoCert *qc2_like(const Fixture *f, uint32_t node_count, uint8_t signers, uint8_t scheme,
                           uint32_t signature_len)
{
    uint8_t bitmap[2] = {signers, 0};
    uint8_t signature[4 * 64];
    memset(signature, 0x33, sizeof signature);
    return proto_cert_new(PROTO_CERT_QC, 2, 0, &f->leaf2, node_count, bitmap, scheme, signature,
                          signature_len);
}

START_TEST(certificates_with_unused_bits_or_a_wrong_size_are_rejected)
{
    Fixture *f = fixture_new(modes[_i]);
    /* The high QC's bitmap follows the envelope, kind, view, relay, data and node count. */
    const Case *c = &f->cases[CASE_HIGH_QC];
    size_t at = PROTO_ENVELOPE_BYTES + 1 + 8 + 4 + PROTO_COMMIT_BYTES + 4;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(c->bytes, &len);
    ck_assert_uint_eq(data[at], c->msg.cert->signers[0]);
    for (int bit = NODES; bit < 8; bit++) {
        uint8_t *copy = g_memdup2(data, len);
        copy[at] |= (uint8_t)(1u << bit);
        ProtoMsg msg;
        ck_assert_int_eq(decode_checked(copy, len, NULL, &msg), PROTO_ERR_FIELD);
        g_free(copy);
    }
    const uint8_t s = 0x0e; /* nodes 1, 2 and 3 */
    ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, PROTO_SIG_MODELED, 32), 4), PROTO_OK);
    ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, PROTO_SIG_ED25519, 192), 4), PROTO_OK);
    /* A committee of another size, whatever the bitmap's byte count. */
    ck_assert_int_eq(decode_cert(qc2_like(f, 5, s, PROTO_SIG_MODELED, 32), 4), PROTO_ERR_LENGTH);
    ck_assert_int_eq(decode_cert(qc2_like(f, 5, s, PROTO_SIG_MODELED, 32), 5), PROTO_OK);
    ck_assert_int_eq(decode_cert(qc2_like(f, 3, s >> 1, PROTO_SIG_MODELED, 32), 4),
                     PROTO_ERR_LENGTH);
    ck_assert_int_eq(decode_cert(qc2_like(f, 9, s, PROTO_SIG_MODELED, 32), 4), PROTO_ERR_LENGTH);
    /* Signature lengths that do not fit the scheme and the signer count. */
    static const uint32_t modeled_bad[] = {0, 31, 33, 64, 192};
    for (size_t i = 0; i < G_N_ELEMENTS(modeled_bad); i++) {
        ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, PROTO_SIG_MODELED, modeled_bad[i]), 4),
                         PROTO_ERR_LENGTH);
    }
    static const uint32_t real_bad[] = {0, 32, 64, 128, 191, 193, 256};
    for (size_t i = 0; i < G_N_ELEMENTS(real_bad); i++) {
        ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, PROTO_SIG_ED25519, real_bad[i]), 4),
                         PROTO_ERR_LENGTH);
    }
    ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, 0, 32), 4), PROTO_ERR_FIELD);
    ck_assert_int_eq(decode_cert(qc2_like(f, 4, s, 3, 32), 4), PROTO_ERR_FIELD);
    fixture_free(f);
    ck_assert_uint_eq(proto_cert_live_count(), 0);
}
END_TEST

static ProtoMsg *decode_into(const Case *c, ProtoCertPool *pool, ProtoMsg *msg)
{
    ck_assert_int_eq(decode_bytes(c->bytes, pool, msg), PROTO_OK);
    return msg;
}

START_TEST(decoded_certificates_are_interned)
{
    Fixture *f = fixture_new(modes[_i]);
    uint64_t live = proto_cert_live_count();
    ProtoCertPool *pool = proto_cert_pool_new();
    ProtoMsg a, b, p2, p3, response;
    decode_into(&f->cases[CASE_HIGH_QC], pool, &a);
    decode_into(&f->cases[CASE_HIGH_QC], pool, &b);
    ck_assert_ptr_eq(a.cert, b.cert);
    ck_assert_uint_eq(a.cert->refcount, 2);
    ck_assert_uint_eq(proto_cert_pool_size(pool), 1);
    ck_assert_uint_eq(proto_cert_live_count(), live + 1);
    /* QC(1) justifies three of the proposals: one object, distinct from the one it was encoded
     * from (which is not in the pool), next to TC(2). */
    decode_into(&f->cases[CASE_PROPOSAL], pool, &p2);
    decode_into(&f->cases[CASE_PROPOSAL_TC], pool, &p3);
    decode_into(&f->cases[CASE_PROPOSAL_RESPONSE], pool, &response);
    ck_assert_ptr_eq(p2.proposal.justify_qc, p3.proposal.justify_qc);
    ck_assert_ptr_eq(p2.proposal.justify_qc, response.proposal.justify_qc);
    ck_assert_ptr_ne(p2.proposal.justify_qc, f->qc1);
    ck_assert(proto_commit_equal(&p2.proposal.justify_qc->digest, &f->qc1->digest));
    ck_assert_uint_eq(proto_cert_pool_size(pool), 3);
    ck_assert_uint_eq(proto_cert_live_count(), live + 3);
    proto_msg_clear(&a);
    ck_assert_uint_eq(proto_cert_pool_size(pool), 3);
    proto_msg_clear(&b);
    proto_msg_clear(&p2);
    proto_msg_clear(&response);
    ck_assert_uint_eq(proto_cert_pool_size(pool), 2);
    /* Freeing the pool detaches what is still alive; releasing it later is safe. */
    proto_cert_pool_free(pool);
    proto_msg_clear(&p3);
    ck_assert_uint_eq(proto_cert_live_count(), live);
    fixture_free(f);
    ck_assert_uint_eq(proto_cert_live_count(), 0);
}
END_TEST

/* Interning recognises a certificate it holds by its fields before hashing: a copy that differs
 * in one byte of the signature, or in one signer bit, is still a certificate of its own. */
START_TEST(certificates_one_byte_apart_are_not_conflated)
{
    Fixture *f = fixture_new(modes[_i]);
    ProtoCertPool *pool = proto_cert_pool_new();
    ProtoMsg a, b, c;
    decode_into(&f->cases[CASE_HIGH_QC], pool, &a);
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(f->cases[CASE_HIGH_QC].bytes, &len);
    uint8_t *changed = g_memdup2(data, len);
    changed[len - 1] ^= 0x01; /* the last signature byte */
    GBytes *other = g_bytes_new(changed, len);
    ck_assert_int_eq(decode_bytes(other, pool, &b), PROTO_OK);
    ck_assert_ptr_ne(a.cert, b.cert);
    ck_assert(!proto_commit_equal(&a.cert->digest, &b.cert->digest));
    ck_assert_uint_eq(proto_cert_pool_size(pool), 2);
    g_bytes_unref(other);
    if (modes[_i] == PROTO_CRYPTO_MODELED) { /* a fixed-size aggregate: any signer set decodes */
        changed[len - 1] ^= 0x01;
        size_t bitmap = PROTO_ENVELOPE_BYTES + 1 + 8 + 4 + PROTO_COMMIT_BYTES + 4;
        changed[bitmap] ^= 0x01; /* node 0's signer bit */
        other = g_bytes_new(changed, len);
        ck_assert_int_eq(decode_bytes(other, pool, &c), PROTO_OK);
        ck_assert_ptr_ne(a.cert, c.cert);
        ck_assert_uint_ne(a.cert->signer_count, c.cert->signer_count);
        ck_assert_uint_eq(proto_cert_pool_size(pool), 3);
        g_bytes_unref(other);
        proto_msg_clear(&c);
    }
    g_free(changed);
    proto_msg_clear(&a);
    proto_msg_clear(&b);
    ck_assert_uint_eq(proto_cert_pool_size(pool), 0);
    proto_cert_pool_free(pool);
    fixture_free(f);
}
END_TEST

/* --- nesting --------------------------------------------------------------------------------- */

/* `depth` proposal responses, each the body of the next, around the proposal of view 1. */
static GBytes *nested_responses(const Fixture *f, size_t depth)
{
    gsize inner_len = 0;
    const uint8_t *inner = g_bytes_get_data(f->cases[CASE_PROPOSAL_GENESIS].bytes, &inner_len);
    size_t level = PROTO_ENVELOPE_BYTES + 4, total = depth * level + inner_len;
    uint8_t *data = g_malloc(total);
    for (size_t i = 0; i < depth; i++) {
        uint8_t *p = data + i * level;
        size_t body = total - (i + 1) * level;
        memset(p, 0, level);
        p[0] = PROTO_WIRE_VERSION;
        p[1] = PROTO_MSG_PROPOSAL_RESPONSE;
        for (int b = 0; b < 4; b++)
            p[PROTO_ENVELOPE_BYTES + b] = (uint8_t)(body >> (8 * b));
    }
    memcpy(data + depth * level, inner, inner_len);
    return g_bytes_new_take(data, total);
}

/* A response must contain a proposal, not another response, however deep the nesting: a
 * 12 MiB message (below PROTO_MESSAGE_MAX) nests a million levels. Shallow nests fail as `type`
 * (the level above the proposal finds a response inside); the deep one may fail with any known
 * code, but must not exhaust the stack. */
/* A logical size a namespace table cannot describe (over 2^32 - 1 bytes) is rejected by the
 * decoder, in every message that states one: a transaction of 2^63 bytes once got through and
 * crashed the node that forwarded it (its charged size overflowed). */
START_TEST(logical_sizes_beyond_a_namespace_table_are_rejected)
{
    const ProtoMsgType types[] = {PROTO_MSG_DA_PROPOSAL,    PROTO_MSG_VID_SHARE,
                                  PROTO_MSG_VID_RESPONSE,   PROTO_MSG_TX_SUBMIT,
                                  PROTO_MSG_BLOCK_RESPONSE, PROTO_MSG_NS_RESPONSE};
    const uint64_t sizes[] = {PROTO_PAYLOAD_MAX, (uint64_t)PROTO_PAYLOAD_MAX + 1, 1ull << 35};
    for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
        for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
            ProtoMsg msg = {.type = types[t], .sender = 1};
            msg.data.size = sizes[z];
            msg.data.count = 1;
            msg.data.signature = (ProtoSignature){.scheme = PROTO_SIG_MODELED, .len = 32};
            msg.data.ns_table = g_bytes_new(NULL, 0);
            GBytes *bytes = proto_msg_encode(&msg, NULL);
            g_bytes_unref(msg.data.ns_table);
            ProtoMsg decoded;
            gsize len = 0;
            const uint8_t *data = g_bytes_get_data(bytes, &len);
            int rc = decode_checked(data, len, NULL, &decoded);
            ck_assert_msg(rc == (sizes[z] > PROTO_PAYLOAD_MAX ? PROTO_ERR_LENGTH : PROTO_OK),
                          "%s of %llu bytes: %s", proto_msg_type_name(types[t]),
                          (unsigned long long)sizes[z], proto_strerror(rc));
            proto_msg_clear(&decoded);
            g_bytes_unref(bytes);
        }
    }
}
END_TEST

START_TEST(nested_proposal_responses_are_rejected)
{
    Fixture *f = fixture_new(PROTO_CRYPTO_MODELED);
    static const size_t depths[] = {2, 3, 100, 1000000};
    for (size_t i = 0; i < G_N_ELEMENTS(depths); i++) {
        GBytes *bytes = nested_responses(f, depths[i]);
        ProtoMsg msg;
        int rc = decode_bytes(bytes, NULL, &msg);
        int node_rc = deliver_fresh(f, &f->cases[CASE_PROPOSAL_RESPONSE], bytes);
        if (depths[i] <= 100) {
            ck_assert_int_eq(rc, PROTO_ERR_TYPE);
            ck_assert_int_eq(node_rc, PROTO_ERR_TYPE);
        }
        ck_assert(is_error_code(rc) && is_error_code(node_rc));
        g_bytes_unref(bytes);
    }
    GBytes *one = nested_responses(f, 1);
    ck_assert_int_eq(deliver_fresh(f, &f->cases[CASE_PROPOSAL_RESPONSE], one), PROTO_OK);
    g_bytes_unref(one);
    fixture_free(f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("message");
    TCase *tc = tcase_create("message");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, every_message_type_round_trips, 0, 2);
    tcase_add_test(tc, charged_size_does_not_depend_on_the_crypto_mode);
    tcase_add_test(tc, charged_size_of_a_proposal_response_does_not_depend_on_the_crypto_mode);
    tcase_add_loop_test(tc, charged_size_of_data_messages_counts_logical_sizes, 0, 2);
    tcase_add_loop_test(tc, every_truncation_and_extension_is_rejected, 0, 2);
    tcase_add_test(tc, only_client_types_come_from_endpoints);
    tcase_add_loop_test(tc, every_bit_flip_is_rejected, 0, 2);
    tcase_add_loop_test(tc, every_bit_flip_of_the_first_proposal_is_rejected, 0, 2);
    tcase_add_loop_test(tc, every_bit_flip_of_a_data_message_is_rejected_or_harmless, 0, 2);
    tcase_add_loop_test(tc, random_bytes_never_crash_a_live_node, 0, 2);
    tcase_add_loop_test(tc, mutated_messages_never_crash_a_node, 0, 2);
    tcase_add_loop_test(tc, certificates_with_unused_bits_or_a_wrong_size_are_rejected, 0, 2);
    tcase_add_loop_test(tc, decoded_certificates_are_interned, 0, 2);
    tcase_add_loop_test(tc, certificates_one_byte_apart_are_not_conflated, 0, 2);
    tcase_add_test(tc, nested_proposal_responses_are_rejected);
    tcase_add_test(tc, logical_sizes_beyond_a_namespace_table_are_rejected);
    suite_add_tcase(suite, tc);
    return suite;
}
