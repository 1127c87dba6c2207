/*
 * The one parser for quantities with units, used by the scenario loader, the command line and
 * the benchmarks alike, so that "250ms" means the same thing everywhere.
 *
 * Every quantity is converted once, here, into an integer in the model's base unit:
 *
 *   kind        base unit              accepted units (case-sensitive)
 *   DURATION    nanoseconds            ns us ms s min h
 *   BANDWIDTH   bits per second        bit Kbit Mbit Gbit Tbit (optionally "/s"), bps Kbps Mbps
 *                                      Gbps Tbps, B/s KB/s MB/s GB/s KiB/s MiB/s GiB/s
 *   SIZE        bytes                  B KB MB GB TB (powers of 1000), KiB MiB GiB TiB (of 1024)
 *   RATIO       parts per million      % ppm            (at most 100%)
 *   RATE        milli-events/second    /s /ms /min /h   (e.g. "2000/s")
 *   FACTOR      parts per million      x or none        (e.g. "2x" = 2000000, "1.5")
 *   COUNT       a plain integer        none
 *
 * Numbers are decimal with an optional fractional part ("1.5s"); no exponents, signs or
 * thousands separators. The conversion is exact integer arithmetic with the fraction rounded to
 * the nearest base unit (halves away from zero). Negative values, junk, missing or unknown units
 * and values that do not fit in 64 bits are rejected with a message saying what was expected.
 */
#ifndef SHOTGLASS_SIM_UNITS_H
#define SHOTGLASS_SIM_UNITS_H

#include <glib.h>
#include <stdint.h>

typedef enum SimQuantityKind {
    SIM_QUANTITY_DURATION,
    SIM_QUANTITY_BANDWIDTH,
    SIM_QUANTITY_SIZE,
    SIM_QUANTITY_RATIO,
    SIM_QUANTITY_RATE,
    SIM_QUANTITY_FACTOR,
    SIM_QUANTITY_COUNT,
} SimQuantityKind;

#define SIM_PPM_ONE ((uint64_t)1000000)

#define SIM_QUANTITY_ERROR (sim_quantity_error_quark())

typedef enum SimQuantityError {
    SIM_QUANTITY_ERROR_SYNTAX,   /* not a number followed by a unit */
    SIM_QUANTITY_ERROR_NEGATIVE, /* a leading minus sign */
    SIM_QUANTITY_ERROR_UNIT,     /* missing or unknown unit for this kind */
    SIM_QUANTITY_ERROR_RANGE,    /* does not fit in 64 bits, or a ratio above 100% */
} SimQuantityError;

GQuark sim_quantity_error_quark(void);

/*
 * Parses `text` as a quantity of `kind` into `*value` (base units, see above). On failure
 * returns FALSE, leaves `*value` untouched and sets `error` (domain SIM_QUANTITY_ERROR) to a
 * message that quotes the text and names what was expected.
 */
gboolean sim_quantity_parse(const char *text, SimQuantityKind kind, uint64_t *value,
                            GError **error);

/*
 * Formats `value` (base units of `kind`) for humans, choosing the largest unit that keeps the
 * number readable, e.g. 1500000000 ns -> "1.5s". Returns a newly allocated string (g_free).
 * Ratios, rates, factors and counts are exact (ratios with up to four decimals of a percent,
 * factors up to six): the text parses back to `value`. Durations, bandwidths and sizes keep
 * three decimals of their unit, truncated, so the text parses back to at most `value` and
 * less than 0.1% below it (exact in the smallest unit: ns, bit, B).
 */
char *sim_quantity_format(uint64_t value, SimQuantityKind kind);

/* The name of a kind ("duration", "bandwidth", ...) for messages. Static storage. */
const char *sim_quantity_kind_name(SimQuantityKind kind);

#endif
