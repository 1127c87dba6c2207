/*
 * HotShot messages, certificates and leaves, and their versioned binary encoding.
 *
 * Every message starts with an 8-byte envelope: version (u8), type (u8), flags (u16), sender
 * (u32). All integers are little-endian. The flags are zero except PROTO_FLAG_ANY_SENDER, which
 * only a HIGH_QC may carry (see PROTO_FLAG_ANY_SENDER below). Bodies, by type:
 *
 *   PROPOSAL            view u64, parent commit, header, justify QC (cert), evidence u8 (0 none,
 *                       1 TC for view-1, 2 view-sync finalize cert for view) [+ cert], signature
 *   QUORUM/TIMEOUT/VS_* votes   view u64, relay u32, data commit, signer u32, signature
 *   VS_*_CERT           cert
 *   HIGH_QC             cert (the sender's high QC, sent to the leader of a view it enters)
 *   PROPOSAL_REQUEST    view u64, leaf commit (of a leaf the sender misses, and its view)
 *   PROPOSAL_RESPONSE   u32 length, then a complete PROPOSAL message
 *
 * The data path (DA committee, VID, transactions, builder, subscribers, rollups):
 *   DA_PROPOSAL         view, payload commitment, logical size u64, synthetic u8, namespace
 *                       table (blob), payload (blob), dispersal signature
 *   DA_VOTE             a vote (kind DA, data = payload commitment, view = the block's view)
 *   DA_CERT             cert
 *   VID_SHARE           view, payload commitment, owner u32, logical size u64, synthetic u8,
 *   VID_RESPONSE        namespace table (blob), layout (blob: per namespace its root and
 *                       logical length), units (blob: the owner's units with their paths),
 *                       dispersal signature
 *   VID_REQUEST         view, payload commitment, owner u32
 *   TX_SUBMIT           namespace id u32, transaction id u64, logical size u64, synthetic u8,
 *                       transaction (blob)
 *   BLOCK_REQUEST       view
 *   BLOCK_RESPONSE      view, logical size u64, synthetic u8, namespace table (blob),
 *                       payload (blob)
 *   DECIDE_NOTICE       count u32, then per decided leaf: view, height, payload commitment,
 *                       logical size u64, namespace table (blob)
 *   NS_REQUEST          view, payload commitment, namespace id u32
 *   NS_RESPONSE         view, payload commitment, namespace id u32, index u32, count u32,
 *                       logical size u64, synthetic u8, path (blob of commitments),
 *                       namespace bytes (blob)
 *   (blob = u32 length + bytes; a dispersal signature is the leader's over the pair
 *    (view, payload commitment), see proto_dispersal_commit)
 *
 *   header     height u64, timestamp u64, payload commit, builder commit, payload size u64,
 *              namespace table length u32 + bytes
 *   cert       kind u8, view u64, relay u32, data commit, node count u32, signer bitmap
 *              (ceil(n/8) bytes, unused bits zero), scheme u8, signature length u32 + bytes
 *   signature  scheme u8 (1 modeled tag, 2 Ed25519), length u8, bytes (32 or 64)
 *
 * Decoding checks every length and field against the message's bounds and the committee size,
 * never reads out of bounds, and rejects malformed input with a PROTO_ERR_* code; it does not
 * verify signatures or thresholds (that needs the stake table and crypto provider, see
 * crypto.h). Certificates are immutable and refcounted; decoding can intern them in a pool by
 * the digest of their encoding, so the 1,000 copies of one QC a leader receives in a view
 * share one object.
 *
 * Charged size: what the network bills for a message is its encoded length with every
 * signature counted at 32 bytes (a BLS-over-BN254 signature or aggregate, as production sends;
 * Ed25519 signatures are 64 bytes and real-mode certificates list one per signer), plus
 * PROTO_FRAME_BYTES of transport framing. Timing therefore does not depend on the crypto mode.
 */
#ifndef SHOTGLASS_PROTOCOL_MESSAGE_H
#define SHOTGLASS_PROTOCOL_MESSAGE_H

#include "protocol/types.h"

#include <glib.h>
#include <stdint.h>

typedef enum ProtoMsgType {
    PROTO_MSG_PROPOSAL = 1,
    PROTO_MSG_QUORUM_VOTE = 2,
    PROTO_MSG_TIMEOUT_VOTE = 3,
    PROTO_MSG_VS_PRECOMMIT_VOTE = 4,
    PROTO_MSG_VS_COMMIT_VOTE = 5,
    PROTO_MSG_VS_FINALIZE_VOTE = 6,
    PROTO_MSG_VS_PRECOMMIT_CERT = 7,
    PROTO_MSG_VS_COMMIT_CERT = 8,
    PROTO_MSG_VS_FINALIZE_CERT = 9,
    PROTO_MSG_HIGH_QC = 10,
    PROTO_MSG_PROPOSAL_REQUEST = 11,
    PROTO_MSG_PROPOSAL_RESPONSE = 12,
    PROTO_MSG_DA_PROPOSAL = 13,
    PROTO_MSG_DA_VOTE = 14,
    PROTO_MSG_DA_CERT = 15,
    PROTO_MSG_VID_SHARE = 16,
    PROTO_MSG_VID_REQUEST = 17,
    PROTO_MSG_VID_RESPONSE = 18,
    PROTO_MSG_TX_SUBMIT = 19,
    PROTO_MSG_BLOCK_REQUEST = 20,
    PROTO_MSG_BLOCK_RESPONSE = 21,
    PROTO_MSG_DECIDE_NOTICE = 22,
    PROTO_MSG_NS_REQUEST = 23,
    PROTO_MSG_NS_RESPONSE = 24,
    PROTO_MSG_TYPE_COUNT_ = 25,
} ProtoMsgType;

/* Message types any endpoint may send; every other type must come from a validator. */
static inline int proto_msg_from_anyone(ProtoMsgType type)
{
    return type == PROTO_MSG_TX_SUBMIT || type == PROTO_MSG_BLOCK_RESPONSE ||
           type == PROTO_MSG_DECIDE_NOTICE || type == PROTO_MSG_NS_REQUEST ||
           type == PROTO_MSG_NS_RESPONSE || type == PROTO_MSG_VID_REQUEST ||
           type == PROTO_MSG_BLOCK_REQUEST;
}

/* What a certificate certifies; votes of a kind form certificates of the same kind. */
typedef enum ProtoCertKind {
    PROTO_CERT_QC = 1,
    PROTO_CERT_TC = 2,
    PROTO_CERT_VS_PRECOMMIT = 3,
    PROTO_CERT_VS_COMMIT = 4,
    PROTO_CERT_VS_FINALIZE = 5,
    PROTO_CERT_DA = 6,
    PROTO_CERT_KIND_COUNT_ = 7,
} ProtoCertKind;

typedef enum ProtoSigScheme {
    PROTO_SIG_MODELED = 1, /* keyed SipHash tag; certificates carry the XOR aggregate */
    PROTO_SIG_ED25519 = 2, /* libsodium; certificates carry one signature per signer */
} ProtoSigScheme;

typedef enum ProtoEvidence {
    PROTO_EVIDENCE_NONE = 0,
    PROTO_EVIDENCE_TC = 1,
    PROTO_EVIDENCE_VIEW_SYNC = 2,
} ProtoEvidence;

#define PROTO_SIGNATURE_MAX  64
#define PROTO_FRAME_BYTES    64
#define PROTO_NS_TABLE_MAX   (1u << 20)
#define PROTO_NOTICES_MAX    4096
#define PROTO_MESSAGE_MAX    (64u << 20)
#define PROTO_NODES_MAX      (1u << 20)
#define PROTO_ENVELOPE_BYTES 8

typedef struct ProtoSignature {
    uint8_t scheme;
    uint8_t len;
    uint8_t bytes[PROTO_SIGNATURE_MAX];
} ProtoSignature;

typedef struct ProtoCertPool ProtoCertPool;

/* A certificate (QC, TC or view-sync certificate): immutable once built, refcounted. */
typedef struct ProtoCert {
    uint32_t refcount;
    ProtoCertKind kind;
    ProtoView view;   /* view-sync certificates: the round R */
    uint32_t relay;   /* view-sync certificates: the relay index r; else 0 */
    ProtoCommit data; /* QC: the leaf; else zero */
    uint32_t node_count;
    uint32_t signer_count;
    uint8_t *signers; /* bitmap, ceil(node_count / 8) bytes, owned */
    uint8_t scheme;
    uint32_t signature_len;
    uint8_t *signature;  /* owned */
    ProtoCommit digest;  /* BLAKE2b-256 of the encoding: identity for memo and interning */
    ProtoCertPool *pool; /* interned in, or NULL */
} ProtoCert;

typedef struct ProtoHeader {
    uint64_t height;
    ProtoTime timestamp;
    ProtoCommit payload_commit;
    ProtoCommit builder_commit;
    uint64_t payload_size;
    GBytes *ns_table; /* owned reference; never NULL */
    /* Epochs: the DRB result of the next epoch, which proposals of an epoch's transition blocks
     * carry (HotShot's next_drb_result, hotshot.md 1.3; consensus.c). Kept with the header so
     * that it enters the leaf commitment the leader signs; encoded and committed only when
     * present, so runs without epochs see the same bytes as before. */
    gboolean has_drb;
    uint8_t next_drb[32];
} ProtoHeader;

typedef struct ProtoProposal {
    ProtoView view;
    ProtoCommit parent;
    ProtoHeader header;
    ProtoCert *justify_qc; /* owned reference */
    ProtoEvidence evidence_kind;
    ProtoCert *evidence;      /* owned reference or NULL */
    ProtoSignature signature; /* by the leader over the leaf commitment */
} ProtoProposal;

typedef struct ProtoVote {
    ProtoView view;
    uint32_t relay;
    ProtoCommit data;
    ProtoNodeId signer;
    ProtoSignature signature;
} ProtoVote;

/* A decided leaf as a subscriber (builder, rollup executor) hears of it. */
typedef struct ProtoNotice {
    ProtoView view;
    uint64_t height;
    ProtoCommit payload_commit;
    uint64_t payload_size;
    GBytes *ns_table; /* owned */
} ProtoNotice;

/* The data-path fields of a message; which are used depends on the type (see above). */
typedef struct ProtoDataMsg {
    ProtoView view;
    ProtoCommit commit;       /* payload commitment */
    ProtoNodeId owner;        /* VID_*: whose share */
    uint32_t ns_id;           /* TX_SUBMIT, NS_* */
    uint64_t tx_id;           /* TX_SUBMIT */
    uint64_t size;            /* logical size of the payload, transaction or namespace */
    uint8_t synthetic;        /* bytes are a manifest: sizes and ids, no content */
    uint32_t index;           /* NS_RESPONSE: namespace index in the table */
    uint32_t count;           /* NS_RESPONSE: namespaces in the table */
    GBytes *ns_table;         /* owned */
    GBytes *layout;           /* VID_*: roots and lengths; NS_RESPONSE: path; owned */
    GBytes *bytes;            /* payload, transaction, units or namespace bytes; owned */
    uint64_t bulk_size;       /* VID_* when encoding: production size of the units, to charge */
    ProtoSignature signature; /* the leader's dispersal signature */
    ProtoNotice *notices;     /* DECIDE_NOTICE, owned */
    uint32_t notice_count;
} ProtoDataMsg;

/*
 * A message whose sender is whoever the transport says sent it (ProtoMsg.any_sender): the
 * envelope carries PROTO_FLAG_ANY_SENDER and a zero sender field, and the decoded sender is
 * PROTO_NODE_NONE. Only HIGH_QC uses it: a forwarded certificate authenticates itself and says
 * nothing of its forwarder, so the n forwards of one QC to a leader are the same bytes, which the
 * run holds and hashes once (at 100,000 validators each carries a 12.5 KB signer bitmap). The
 * charged size is unchanged: the field is still there. The receiver checks nothing of the sender
 * for it.
 */
#define PROTO_FLAG_ANY_SENDER 0x1

/* A decoded message. Owns what it points to; release with proto_msg_clear. */
typedef struct ProtoMsg {
    ProtoMsgType type;
    ProtoNodeId sender;
    gboolean any_sender;     /* HIGH_QC only: PROTO_FLAG_ANY_SENDER, `sender` is not in the bytes */
    ProtoProposal proposal;  /* PROPOSAL, and the inner proposal of PROPOSAL_RESPONSE */
    GBytes *proposal_bytes;  /* PROPOSAL_RESPONSE: the inner message as received */
    uint64_t inner_discount; /* PROPOSAL_RESPONSE, encoding: proto_proposal_discount of the
                                inner proposal, so its charged size is mode-independent */
    ProtoVote vote;          /* the five vote types */
    ProtoCert *cert;         /* VS_*_CERT, HIGH_QC */
    ProtoView view;          /* HIGH_QC, PROPOSAL_REQUEST */
    ProtoCommit leaf;        /* PROPOSAL_REQUEST */
    ProtoDataMsg data;       /* the data path */
} ProtoMsg;

/* What decoding needs to know about the committee. */
typedef struct ProtoDecodeContext {
    uint32_t node_count;
    ProtoCertPool *pool; /* may be NULL: certificates are then not interned */
    /* Endpoints beyond the validators (builders, users, rollups) have ids node_count and up, below
     * endpoint_count; they may send the types proto_msg_from_anyone accepts. 0 means none. */
    uint32_t endpoint_count;
} ProtoDecodeContext;

/* --- certificates ---------------------------------------------------------------------------- */

/*
 * Builds a certificate. Copies `signers` (ceil(node_count/8) bytes) and `signature`. Computes
 * the digest. Returns a new certificate with one reference.
 */
ProtoCert *proto_cert_new(ProtoCertKind kind, ProtoView view, uint32_t relay,
                          const ProtoCommit *data, uint32_t node_count, const uint8_t *signers,
                          uint8_t scheme, const uint8_t *signature, uint32_t signature_len);
ProtoCert *proto_cert_ref(ProtoCert *cert);
void proto_cert_unref(ProtoCert *cert);

static inline int proto_cert_has_signer(const ProtoCert *cert, ProtoNodeId id)
{
    return id < cert->node_count && ((cert->signers[id >> 3] >> (id & 7)) & 1u);
}

/* The genesis QC certifies the genesis leaf and carries no signatures. */
ProtoCert *proto_cert_new_genesis(const ProtoCommit *genesis_leaf, uint32_t node_count);
int proto_cert_is_genesis(const ProtoCert *cert);

/* Live ProtoCert objects in the process (tests assert it returns to zero). */
uint64_t proto_cert_live_count(void);

ProtoCertPool *proto_cert_pool_new(void);
/* Frees the pool; certificates still alive are detached from it. */
void proto_cert_pool_free(ProtoCertPool *pool);
uint32_t proto_cert_pool_size(const ProtoCertPool *pool);

/* --- headers, leaves, commitments ----------------------------------------------------------- */

void proto_header_copy(ProtoHeader *target, const ProtoHeader *source);
void proto_header_clear(ProtoHeader *header);

/* Commitment to a header (every field, including the namespace table). */
void proto_header_commit(const ProtoHeader *header, ProtoCommit *out);

/* The leaf commitment that QCs and the leader's signature certify. */
void proto_leaf_commit(ProtoView view, const ProtoCommit *parent, const ProtoHeader *header,
                       const ProtoCert *justify_qc, ProtoCommit *out);

/* What a leader's dispersal signature signs: the view and the payload commitment. */
void proto_dispersal_commit(ProtoView view, const ProtoCommit *payload, ProtoCommit *out);

/* What a vote signs: the kind, view, relay, data and wire version, domain-separated. */
void proto_vote_commit(ProtoCertKind kind, ProtoView view, uint32_t relay, const ProtoCommit *data,
                       ProtoCommit *out);

/* Bytes by which a proposal's real-mode signatures exceed their BLS size (0 in modeled mode). */
uint64_t proto_proposal_discount(const ProtoProposal *proposal);

/* The certificate kind formed by votes of a message type (0 if not a vote type). */
ProtoCertKind proto_msg_vote_kind(ProtoMsgType type);

/* --- messages -------------------------------------------------------------------------------- */

/*
 * Decodes `len` bytes into `msg`. Returns PROTO_OK, or a negative PROTO_ERR_* code with `msg`
 * cleared (nothing to release). Never reads beyond `bytes + len`.
 */
int proto_msg_decode(const uint8_t *bytes, size_t len, const ProtoDecodeContext *context,
                     ProtoMsg *msg);

/* Encodes `msg`; stores the charged size (see above) in `*charged` when not NULL. */
GBytes *proto_msg_encode(const ProtoMsg *msg, uint64_t *charged);

/* Releases what `msg` owns and zeroes it. */
void proto_msg_clear(ProtoMsg *msg);

/* The type's name ("proposal", "quorum_vote", ...), for counters and reports. Static. */
const char *proto_msg_type_name(ProtoMsgType type);

#endif
