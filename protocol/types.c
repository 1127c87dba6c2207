/* Names of the protocol error codes, and the bit count shared by bitmaps and node sets. */
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

/*
 * How it works. Without -mpopcnt (the baseline x86-64 target) __builtin_popcountll becomes a
 * call to libgcc's table-free bit-twiddling __popcountdi2, about ten times the cost of the one
 * POPCNT instruction every x86-64 CPU since 2008 has. The same loop is therefore compiled twice,
 * once for the "popcnt" target, and the CPU's feature flag (read by __builtin_cpu_supports from
 * the CPUID data libgcc gathers at start-up) picks one. Elsewhere the portable loop runs.
 */
static inline uint64_t count_loop(const uint8_t *bytes, size_t len)
{
    uint64_t count = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, bytes + i, 8);
        count += (uint64_t)__builtin_popcountll(word);
    }
    for (; i < len; i++)
        count += (uint64_t)__builtin_popcount(bytes[i]);
    return count;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt"))) static uint64_t count_popcnt(const uint8_t *bytes, size_t len)
{
    return count_loop(bytes, len);
}

uint64_t proto_popcount(const uint8_t *bytes, size_t len)
{
    if (len == 0) return 0;
    if (__builtin_cpu_supports("popcnt")) return count_popcnt(bytes, len);
    return count_loop(bytes, len);
}
#else
uint64_t proto_popcount(const uint8_t *bytes, size_t len)
{
    if (len == 0) return 0;
    return count_loop(bytes, len);
}
#endif
