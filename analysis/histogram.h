/*
 * A log-linear histogram of non-negative integers (HDR style) for latency percentiles: each
 * power of two is split into 128 linear buckets, so any recorded value is reproduced within
 * 1/128 (0.8%) of itself, whatever its magnitude, in fixed memory (about 60 KiB) however many
 * values are recorded. Values below 128 are exact.
 */
#ifndef SHOTGLASS_ANALYSIS_HISTOGRAM_H
#define SHOTGLASS_ANALYSIS_HISTOGRAM_H

#include <stdint.h>

typedef struct AnaHistogram AnaHistogram;

AnaHistogram *ana_histogram_new(void);
void ana_histogram_free(AnaHistogram *histogram);
void ana_histogram_add(AnaHistogram *histogram, uint64_t value);
void ana_histogram_merge(AnaHistogram *target, const AnaHistogram *source);

uint64_t ana_histogram_count(const AnaHistogram *histogram);
uint64_t ana_histogram_min(const AnaHistogram *histogram);
uint64_t ana_histogram_max(const AnaHistogram *histogram);
double ana_histogram_mean(const AnaHistogram *histogram);

/*
 * The value at percentile `p` (0-100): the smallest recorded bucket whose cumulative count
 * reaches p% of all values, reported as the bucket's midpoint (exact below 128). 0 when empty.
 */
uint64_t ana_histogram_percentile(const AnaHistogram *histogram, double p);

/* How many recorded values lie below `v`, to the histogram's resolution: a value counts when
 * the lowest value of its bucket is below `v` (exact below 128, within 0.8% above). */
uint64_t ana_histogram_count_below(const AnaHistogram *histogram, uint64_t v);

#endif
