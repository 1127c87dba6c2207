/*
 * Per-component random number streams derived from the run seed.
 *
 * Every component that makes random decisions (a link's jitter, a node's key, the workload, a
 * fault injector) owns one SimRng. Its seed is BLAKE2b(run seed, component name, index), so a
 * stream depends only on its own identity: adding a component or drawing more from one stream
 * never changes another's draws. There is no ambient randomness anywhere in a run.
 *
 * A SimRng wraps a gsl_rng so GSL's distributions (gsl_ran_*) can draw from it. The algorithm is
 * always named explicitly; the default is "xoshiro256**", registered here as a gsl_rng_type,
 * because every generator shipped with GSL keeps only 32 bits of its seed (gsl_rng_set truncates),
 * which makes two of 10,000 derived streams identical with probability about 1%. GSL's own
 * generators with a full 32-bit output range (taus2, mt19937, gfsr4, ...) may still be chosen by
 * name, with that caveat.
 *
 * Decisions should use the integer draws (sim_rng_below, sim_rng_chance_ppm); floating-point
 * draws are for sampling continuous distributions, whose results are rounded to integers once.
 */
#ifndef SHOTGLASS_SIM_RNG_H
#define SHOTGLASS_SIM_RNG_H

#include <glib.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_RNG_ALGORITHM_DEFAULT "xoshiro256**"

typedef struct SimRng {
    gsl_rng *gsl; /* owned; read-only for callers, who may pass it to gsl_ran_* */
} SimRng;

/* The xoshiro256** generator as a GSL type (64-bit output, 64-bit seed via splitmix64). */
extern const gsl_rng_type *sim_rng_xoshiro256ss;

/*
 * Looks up an algorithm by its GSL name ("xoshiro256**", "taus2", "mt19937", ...). Returns NULL
 * when unknown or when its output range is not the full 32 or 64 bits the integer draws need.
 */
const gsl_rng_type *sim_rng_algorithm_lookup(const char *name);

/* Writes the names of all usable algorithms, comma separated, into a new string (g_free). */
char *sim_rng_algorithm_list(void);

/* The 64-bit seed of stream (component, index) of a run: BLAKE2b-64 over the three, framed. */
uint64_t sim_rng_derive_seed(uint64_t run_seed, const char *component, uint64_t index);

/* Initialises `rng` as stream (component, index) of `run_seed`. Release with sim_rng_clear. */
void sim_rng_init(SimRng *rng, const gsl_rng_type *algorithm, uint64_t run_seed,
                  const char *component, uint64_t index);

void sim_rng_clear(SimRng *rng);

/* A uniformly distributed 64-bit value. */
uint64_t sim_rng_u64(SimRng *rng);

/* A uniformly distributed integer in [0, bound); bound > 0. Unbiased (rejection sampling). */
uint64_t sim_rng_below(SimRng *rng, uint64_t bound);

/* TRUE with probability ppm / 1,000,000; ppm <= 1,000,000. */
gboolean sim_rng_chance_ppm(SimRng *rng, uint64_t ppm);

/* A double uniform in [0, 1), for continuous distributions only. */
double sim_rng_uniform(SimRng *rng);

/* Fills `out` with `len` random bytes (e.g. the seed of a signing key). */
void sim_rng_bytes(SimRng *rng, uint8_t *out, size_t len);

#endif
