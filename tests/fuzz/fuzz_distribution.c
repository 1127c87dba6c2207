/*
 * Fuzz harness: the distribution parser (sim/net/distribution.c).
 *
 * The input is a flags byte (the unit kind: duration, size or bandwidth; whether percentages
 * are allowed) and the text. Parsing must succeed or fail with a message and leave the
 * distribution untouched; a distribution that parses must describe itself, report a finite
 * mean and standard deviation, and draw samples below 2^63 (its documented clamp).
 */
#include "tests/fuzz/driver.h"

#include "sim/net/distribution.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    static const SimQuantityKind units[] = {SIM_QUANTITY_DURATION, SIM_QUANTITY_SIZE,
                                            SIM_QUANTITY_BANDWIDTH, SIM_QUANTITY_DURATION};
    SimQuantityKind unit = units[data[0] & 3u];
    gboolean relative = (data[0] & 4u) != 0;
    char *text = g_strndup((const char *)data + 1, size - 1);
    SimDist dist = SIM_DIST_NONE_INIT, before = dist;
    GError *error = NULL;
    if (!sim_dist_parse(text, unit, relative, &dist, &error)) {
        FUZZ_CHECK(error != NULL && error->message[0] != '\0', "no message");
        FUZZ_CHECK(memcmp(&dist, &before, sizeof dist) == 0, "a failed parse changed it");
        g_error_free(error);
        g_free(text);
        return 0;
    }
    char *description = sim_dist_describe(&dist);
    FUZZ_CHECK(description != NULL && description[0] != '\0', "\"%s\": no description", text);
    g_free(description);
    double mean = sim_dist_mean(&dist, 1000000), sd = sim_dist_sd(&dist, 1000000);
    FUZZ_CHECK(!isnan(mean) && !isnan(sd), "\"%s\": mean %g, sd %g", text, mean, sd);
    SimRng rng;
    sim_rng_init(&rng, gsl_rng_mt19937, 1, "fuzz", 0);
    for (int i = 0; i < 4; i++) {
        uint64_t sample = sim_dist_sample(&dist, &rng, 1000000);
        FUZZ_CHECK(sample < (UINT64_C(1) << 63), "\"%s\": sample %" G_GUINT64_FORMAT, text, sample);
    }
    sim_rng_clear(&rng);
    g_free(text);
    return 0;
}
