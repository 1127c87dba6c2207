/* Names of the protocol error codes. */
#include "protocol/types.h"

const char *proto_strerror(int code)
{
    static const char *const names[PROTO_ERR_COUNT_] = {
        "ok",       "truncated", "version",   "type",          "length",       "field",
        "trailing", "sender",    "signature", "threshold",     "leader",       "evidence",
        "stale",    "unsafe",    "duplicate", "not-recipient", "inconsistent", "unknown",
    };
    if (code > 0 || -code >= PROTO_ERR_COUNT_) return "invalid-code";
    return names[-code];
}
