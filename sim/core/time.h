/*
 * Virtual time for the simulator.
 *
 * Time is an unsigned 64-bit count of nanoseconds since the start of a run. An instant is a
 * SimTime and a length of time is a SimDuration; both are plain integers so that every build
 * type computes exactly the same schedule (no floating point ever touches time, latency or
 * bandwidth inside sim/ and protocol/). SIM_TIME_NONE marks "not set" and doubles as "never".
 * Additions saturate at SIM_TIME_NONE - 1 instead of wrapping, so a huge timeout cannot wrap
 * around into the past: 2^64 ns is 584 years, far past any run, which is why saturation never
 * changes a result that ends in finite time.
 */
#ifndef SHOTGLASS_SIM_TIME_H
#define SHOTGLASS_SIM_TIME_H

#include <stdint.h>

typedef uint64_t SimTime;
typedef uint64_t SimDuration;

/* 128-bit intermediate for exact products of 64-bit quantities (GCC and Clang extension). */
__extension__ typedef unsigned __int128 SimU128;

#define SIM_TIME_NONE UINT64_MAX
#define SIM_TIME_MAX  (UINT64_MAX - 1)

#define SIM_NS  ((SimDuration)1)
#define SIM_US  ((SimDuration)1000)
#define SIM_MS  ((SimDuration)1000000)
#define SIM_S   ((SimDuration)1000000000)
#define SIM_MIN ((SimDuration)60 * SIM_S)

/* Returns t + d, saturating at SIM_TIME_MAX; t may not be SIM_TIME_NONE. */
static inline SimTime sim_time_add(SimTime t, SimDuration d)
{
    if (d > SIM_TIME_MAX - t) return SIM_TIME_MAX;
    return t + d;
}

/* Returns a - b for a >= b, or 0 when b is later than a. */
static inline SimDuration sim_time_since(SimTime a, SimTime b)
{
    return a > b ? a - b : 0;
}

static inline SimTime sim_time_max(SimTime a, SimTime b)
{
    return a > b ? a : b;
}

static inline SimTime sim_time_min(SimTime a, SimTime b)
{
    return a < b ? a : b;
}

/*
 * Returns the time to push `bytes` bytes through a link of `bits_per_second`, rounded up to the
 * next nanosecond so that a link never sends faster than its rate. A rate of 0 means "infinite"
 * and costs nothing. Saturates at SIM_TIME_MAX for absurd inputs instead of overflowing.
 */
static inline SimDuration sim_time_transmit(uint64_t bytes, uint64_t bits_per_second)
{
    if (bits_per_second == 0 || bytes == 0) return 0;
    /* bytes * 8e9 overflows 64 bits only beyond 2 GiB, so use 128-bit arithmetic. */
    SimU128 numerator = (SimU128)bytes * 8u * SIM_S;
    SimU128 result = (numerator + bits_per_second - 1) / bits_per_second;
    return result > SIM_TIME_MAX ? SIM_TIME_MAX : (SimDuration)result;
}

#endif
