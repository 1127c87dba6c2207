/*
 * What the PHOLD benchmark (Fujimoto 1990) on the shotglass engine (bench/phold.h) shares with
 * the bare baseline in bench/phold_baseline.c, so both run exactly the same model; and the
 * measuring helpers of every benchmark.
 *
 * Model: `lps` logical processes each start with `events` pending events at exponentially
 * distributed times. Processing an event at LP i at time t draws, from LP i's own random stream,
 * a destination LP uniformly and a delay lookahead + Exp(mean), and schedules one event there.
 * The population stays constant; the run ends after `count` events. Both implementations use
 * the same seed derivation, draws and (time, sequence) order, so they process the identical
 * event sequence and print the same checksum, which phold-compare verifies.
 */
#ifndef SHOTGLASS_BENCH_PHOLD_COMMON_H
#define SHOTGLASS_BENCH_PHOLD_COMMON_H

#include "sim/core/rng.h"
#include "sim/core/time.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>

typedef struct BenchPholdConfig {
    uint32_t lps;
    uint32_t events; /* initial events per LP */
    uint64_t count;  /* events to process */
    uint64_t seed;
    SimDuration lookahead; /* minimum delay */
    SimDuration mean;      /* mean of the exponential part of the delay */
} BenchPholdConfig;

typedef struct BenchPholdResult {
    uint64_t processed;
    uint64_t checksum; /* order-sensitive fold of (time, lp) of every processed event */
    SimTime end_time;
    double seconds;
    double events_per_second;
    long peak_rss_kib;
} BenchPholdResult;

/* Parses the shared command line (--lps --events --count --seed --lookahead --mean). */
gboolean bench_phold_parse_args(int *argc, char ***argv, BenchPholdConfig *config, GError **error);

/* The delay drawn by an LP for its next event: lookahead + Exp(mean), rounded to ns. */
static inline SimDuration bench_phold_delay(SimRng *rng, const BenchPholdConfig *config)
{
    double u = sim_rng_uniform(rng);
    double x = -(double)config->mean * log1p(-u);
    return config->lookahead + (SimDuration)(x + 0.5);
}

static inline uint64_t bench_phold_fold(uint64_t checksum, SimTime time, uint32_t lp)
{
    return (checksum ^ (time * 0x9e3779b97f4a7c15u + lp)) * 0x100000001b3u;
}

long bench_peak_rss_kib(void);
double bench_wall_seconds(void);

void bench_phold_print(const char *label, const BenchPholdConfig *config,
                       const BenchPholdResult *result);

#endif
