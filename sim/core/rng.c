/*
 * Seed derivation and the xoshiro256** generator.
 *
 * xoshiro256** (Blackman and Vigna, 2018) has 256 bits of state and passes BigCrush; its state
 * is filled from the 64-bit seed with splitmix64, as its authors recommend, so distinct seeds
 * give unrelated states. It is exposed as a gsl_rng_type so the whole GSL distribution library
 * works on it unchanged.
 */
#include "sim/core/rng.h"

#include "sim/core/assert.h"

#include <sodium.h>
#include <string.h>

typedef struct Xoshiro256State {
    uint64_t s[4];
} Xoshiro256State;

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void xoshiro_set(void *state, unsigned long seed)
{
    Xoshiro256State *st = state;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64_next(&x);
    /* splitmix64 is a bijection of a counter, so four zero outputs in a row cannot happen. */
    SIM_ASSERT((st->s[0] | st->s[1] | st->s[2] | st->s[3]) != 0);
}

static unsigned long xoshiro_get(void *state)
{
    Xoshiro256State *st = state;
    uint64_t *s = st->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static double xoshiro_get_double(void *state)
{
    /* The top 53 bits make an exactly representable double in [0, 1). */
    return (double)(xoshiro_get(state) >> 11) * 0x1.0p-53;
}

_Static_assert(sizeof(unsigned long) == 8, "xoshiro256** as a gsl_rng needs 64-bit longs");

static const gsl_rng_type xoshiro_type = {
    .name = SIM_RNG_ALGORITHM_DEFAULT,
    .max = UINT64_MAX,
    .min = 0,
    .size = sizeof(Xoshiro256State),
    .set = xoshiro_set,
    .get = xoshiro_get,
    .get_double = xoshiro_get_double,
};

const gsl_rng_type *sim_rng_xoshiro256ss = &xoshiro_type;

static gboolean algorithm_usable(const gsl_rng_type *type)
{
    return type->min == 0 && (type->max == UINT64_MAX || type->max == UINT32_MAX);
}

const gsl_rng_type *sim_rng_algorithm_lookup(const char *name)
{
    SIM_ASSERT(name != NULL);
    if (strcmp(name, xoshiro_type.name) == 0) return &xoshiro_type;
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t != NULL; t++) {
        if (strcmp((*t)->name, name) == 0) return algorithm_usable(*t) ? *t : NULL;
    }
    return NULL;
}

char *sim_rng_algorithm_list(void)
{
    GString *list = g_string_new(xoshiro_type.name);
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t != NULL; t++) {
        if (algorithm_usable(*t)) g_string_append_printf(list, ", %s", (*t)->name);
    }
    return g_string_free(list, FALSE);
}

static void put_u64_le(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

uint64_t sim_rng_derive_seed(uint64_t run_seed, const char *component, uint64_t index)
{
    SIM_ASSERT(component != NULL);
    /* Framing: a domain tag, the seed, the name with its length, the index; all fixed-width so
     * no two (component, index) pairs share an encoding. */
    static const char tag[] = "shotglass-rng-v1";
    uint8_t word[8];
    uint8_t digest[8];
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof digest);
    crypto_generichash_update(&state, (const uint8_t *)tag, sizeof tag);
    put_u64_le(word, run_seed);
    crypto_generichash_update(&state, word, sizeof word);
    size_t name_len = strlen(component);
    put_u64_le(word, name_len);
    crypto_generichash_update(&state, word, sizeof word);
    crypto_generichash_update(&state, (const uint8_t *)component, name_len);
    put_u64_le(word, index);
    crypto_generichash_update(&state, word, sizeof word);
    crypto_generichash_final(&state, digest, sizeof digest);
    uint64_t seed = 0;
    for (int i = 7; i >= 0; i--)
        seed = (seed << 8) | digest[i];
    return seed;
}

void sim_rng_init(SimRng *rng, const gsl_rng_type *algorithm, uint64_t run_seed,
                  const char *component, uint64_t index)
{
    SIM_ASSERT(rng != NULL);
    SIM_ASSERT(algorithm != NULL && algorithm_usable(algorithm));
    rng->gsl = gsl_rng_alloc(algorithm);
    SIM_ASSERT(rng->gsl != NULL);
    gsl_rng_set(rng->gsl, sim_rng_derive_seed(run_seed, component, index));
}

void sim_rng_clear(SimRng *rng)
{
    SIM_ASSERT(rng != NULL);
    gsl_rng_free(rng->gsl);
    rng->gsl = NULL;
}

uint64_t sim_rng_u64(SimRng *rng)
{
    SIM_ASSERT(rng->gsl != NULL);
    uint64_t hi = gsl_rng_get(rng->gsl);
    if (rng->gsl->type->max == UINT64_MAX) return hi;
    return (hi << 32) | (uint64_t)gsl_rng_get(rng->gsl);
}

uint64_t sim_rng_below(SimRng *rng, uint64_t bound)
{
    SIM_ASSERT(bound > 0);
    /* Reject draws below 2^64 mod bound, so that the accepted range is a whole number of
     * copies of [0, bound) and every residue is equally likely. */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = sim_rng_u64(rng);
        if (x >= threshold) return x % bound;
    }
}

gboolean sim_rng_chance_ppm(SimRng *rng, uint64_t ppm)
{
    SIM_ASSERT(ppm <= 1000000);
    if (ppm == 0) return FALSE;
    if (ppm == 1000000) return TRUE;
    return sim_rng_below(rng, 1000000) < ppm;
}

double sim_rng_uniform(SimRng *rng)
{
    SIM_ASSERT(rng->gsl != NULL);
    return gsl_rng_uniform(rng->gsl);
}

void sim_rng_bytes(SimRng *rng, uint8_t *out, size_t len)
{
    SIM_ASSERT(out != NULL || len == 0);
    size_t i = 0;
    while (i < len) {
        uint64_t word = sim_rng_u64(rng);
        for (int b = 0; b < 8 && i < len; b++, i++)
            out[i] = (uint8_t)(word >> (8 * b));
    }
}
