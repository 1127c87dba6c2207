/*
 * Basic protocol types: time, views, node ids, commitments and error codes.
 *
 * ProtoTime mirrors the simulator's SimTime (uint64 nanoseconds) without including sim/: the
 * protocol never reads a clock, every entry point takes `now` as an argument.
 */
#ifndef SHOTGLASS_PROTOCOL_TYPES_H
#define SHOTGLASS_PROTOCOL_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t ProtoTime;
typedef uint64_t ProtoDuration;
typedef uint64_t ProtoView;
typedef uint32_t ProtoNodeId;

/* 128-bit intermediate for exact products of 64-bit quantities (GCC and Clang extension). */
__extension__ typedef unsigned __int128 ProtoU128;

#define PROTO_TIME_NONE UINT64_MAX
#define PROTO_US        ((ProtoDuration)1000)
#define PROTO_MS        ((ProtoDuration)1000000)
#define PROTO_S         ((ProtoDuration)1000000000)
#define PROTO_NODE_NONE UINT32_MAX

/* The wire format version this code speaks; votes sign over it (HotShot's "versioned vote
 * data"), so a vote from one version is not a vote in another. */
#define PROTO_WIRE_VERSION 1

#define PROTO_COMMIT_BYTES 32

/* Largest logical payload, namespace or transaction: the namespace table's offsets are u32. */
#define PROTO_PAYLOAD_MAX UINT32_MAX

/* A 32-byte commitment (BLAKE2b-256 of a tagged encoding): leaves, payloads, votes. */
typedef struct ProtoCommit {
    uint8_t bytes[PROTO_COMMIT_BYTES];
} ProtoCommit;

static inline int proto_commit_equal(const ProtoCommit *a, const ProtoCommit *b)
{
    return memcmp(a->bytes, b->bytes, PROTO_COMMIT_BYTES) == 0;
}

static inline int proto_commit_is_zero(const ProtoCommit *c)
{
    static const ProtoCommit zero;
    return proto_commit_equal(c, &zero);
}

/*
 * Error codes: 0 is success, negative values are operating errors (input rejected). Peer input
 * never causes an assertion; it causes one of these, which the node counts and reports.
 */
typedef enum ProtoError {
    PROTO_OK = 0,
    PROTO_ERR_TRUNCATED = -1,      /* a field runs past the end of the message */
    PROTO_ERR_VERSION = -2,        /* unknown wire version */
    PROTO_ERR_TYPE = -3,           /* unknown message type */
    PROTO_ERR_LENGTH = -4,         /* a length field is out of its bounds */
    PROTO_ERR_FIELD = -5,          /* a field has a value its type does not allow */
    PROTO_ERR_TRAILING = -6,       /* bytes left over after the message */
    PROTO_ERR_SENDER = -7,         /* envelope sender does not match the transport or role */
    PROTO_ERR_SIGNATURE = -8,      /* a signature or aggregate does not verify */
    PROTO_ERR_THRESHOLD = -9,      /* a certificate's signers hold too little stake */
    PROTO_ERR_LEADER = -10,        /* proposal not from the view's leader */
    PROTO_ERR_EVIDENCE = -11,      /* missing or wrong view-change evidence */
    PROTO_ERR_STALE = -12,         /* for a view the node has left */
    PROTO_ERR_UNSAFE = -13,        /* fails the locking rule */
    PROTO_ERR_DUPLICATE = -14,     /* already counted or already acted on */
    PROTO_ERR_NOT_RECIPIENT = -15, /* sent to a node that has no role for it */
    PROTO_ERR_INCONSISTENT = -16,  /* contradicts known state (height, parent, commitment) */
    PROTO_ERR_UNKNOWN = -17,       /* refers to data the node does not hold */
    PROTO_ERR_COUNT_ = 18,
} ProtoError;

/* A short name for an error code ("truncated", "signature", ...). Static storage. */
const char *proto_strerror(int code);

/*
 * The number of set bits in `len` bytes at `bytes` (signer bitmaps, node sets). Counts 64 bits
 * at a time with the POPCNT instruction where the CPU has it (checked once, at run time, so the
 * build needs no -mpopcnt), else with the compiler's portable builtin. The result does not
 * depend on which path runs.
 */
uint64_t proto_popcount(const uint8_t *bytes, size_t len);

#endif
