/*
 * Summary statistics with GSL: mean, standard deviation, percentiles, and the 95% confidence
 * interval of a mean across independent runs (seeds), from Student's t distribution.
 */
#ifndef SHOTGLASS_ANALYSIS_STATS_H
#define SHOTGLASS_ANALYSIS_STATS_H

#include <stddef.h>

typedef struct AnaSummary {
    size_t count;
    double mean;
    double sd;   /* sample standard deviation (n - 1); 0 for fewer than two values */
    double ci95; /* half-width of the 95% confidence interval of the mean: t(0.975, n-1) sd / √n;
                    0 for fewer than two values */
    double min;
    double median;
    double max;
} AnaSummary;

/* Summarises `count` values (any order; not modified). An empty set gives all zeros. */
AnaSummary ana_summarize(const double *values, size_t count);

/* The `p`-th percentile (0..100) of `count` values, by linear interpolation between order
 * statistics (GSL's quantile). 0 for an empty set. */
double ana_percentile(const double *values, size_t count, double p);

#endif
