/*
 * Random distributions of quantities, parsed from text such as "lognormal(median=5ms, sigma=0.5)"
 * and sampled with GSL from a SimRng. Used for link jitter, transaction sizes and any other
 * scenario value that varies.
 *
 *   none                              always 0
 *   constant(value=X)  or just  X     always X
 *   uniform(min=X, max=Y)             uniform on [X, Y]
 *   exponential(mean=X)
 *   normal(mean=X, sd=Y)              clamped at 0
 *   lognormal(median=X, sigma=s)      also lognormal(mean=X, sigma=s); sigma of the log
 *   gamma(shape=k, mean=X)            also gamma(shape=k, scale=X)
 *   pareto(min=X, alpha=a)            heavy tail from X; mean a*X/(a-1) for a > 1
 *
 * X and Y are quantities of the distribution's unit kind (a duration for jitter, a size for
 * transactions). Where the caller allows it, a scale may instead be a percentage, meaning a
 * fraction of a reference the caller supplies at each draw: jitter uses the link's base one-way
 * delay, so "lognormal(median=10%, sigma=0.5)" scales with distance. Shape parameters (sigma, k,
 * alpha) are plain numbers.
 *
 * Parameters are held as doubles because GSL samples in floating point; every sample is rounded
 * to the nearest integer base unit once, immediately, and clamped to [0, 2^63).
 */
#ifndef SHOTGLASS_SIM_DISTRIBUTION_H
#define SHOTGLASS_SIM_DISTRIBUTION_H

#include "sim/core/rng.h"
#include "sim/core/units.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimDistKind {
    SIM_DIST_NONE,
    SIM_DIST_CONSTANT,
    SIM_DIST_UNIFORM,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_NORMAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_GAMMA,
    SIM_DIST_PARETO,
} SimDistKind;

typedef struct SimDist {
    SimDistKind kind;
    SimQuantityKind unit;
    /* Scale parameters in base units, or in millionths of the reference when relative. */
    double scale_a;
    double scale_b;
    double shape; /* sigma, k or alpha */
    gboolean relative;
} SimDist;

#define SIM_DIST_NONE_INIT                                                                         \
    {                                                                                              \
        SIM_DIST_NONE, SIM_QUANTITY_DURATION, 0, 0, 0, FALSE                                       \
    }

/*
 * Parses `text` into `dist`. Scale values are quantities of `unit`; percentages are accepted
 * (relative to the reference given to sim_dist_sample) only when `allow_relative`. Returns FALSE
 * with `error` (G_OPTION_ERROR domain) naming the distribution, the parameter and what was
 * expected; `dist` is then untouched.
 */
gboolean sim_dist_parse(const char *text, SimQuantityKind unit, gboolean allow_relative,
                        SimDist *dist, GError **error);

/* Draws one value in base units; `reference` scales relative parameters (ignored otherwise). */
uint64_t sim_dist_sample(const SimDist *dist, SimRng *rng, uint64_t reference);

/* The distribution's mean in base units (infinite for pareto with alpha <= 1). */
double sim_dist_mean(const SimDist *dist, uint64_t reference);

/* Its standard deviation in base units (infinite where undefined). */
double sim_dist_sd(const SimDist *dist, uint64_t reference);

/* A canonical description, e.g. "lognormal(median=5ms, sigma=0.5)" (g_free). */
char *sim_dist_describe(const SimDist *dist);

/* Names and parameters of every distribution, one per line, for `shotglass list`. Static. */
const char *sim_dist_help(void);

#endif
