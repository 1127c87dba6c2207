/*
 * Quantity parser: "<decimal number><unit>" to an integer in base units.
 *
 * How it works: the number is read as an integer mantissa and a count of fractional digits
 * ("1.5" = 15 and 1), the unit supplies an exact rational factor num/den, and the result is
 * mantissa * num / (den * 10^digits) rounded to nearest in 128-bit arithmetic. Nothing here uses
 * floating point, so "0.1s" is exactly 100000000 ns on every machine and build type.
 */
#include "sim/core/units.h"

#include "sim/core/assert.h"
#include "sim/core/time.h"

#include <string.h>

typedef struct Unit {
    const char *name;
    uint64_t num;
    uint64_t den;
} Unit;

typedef struct KindInfo {
    const char *name;
    const char *example;
    const Unit *units;
    size_t unit_count;
} KindInfo;

static const Unit duration_units[] = {
    {"ns", 1, 1},         {"us", 1000, 1},         {"ms", 1000000, 1},
    {"s", 1000000000, 1}, {"min", 60000000000, 1}, {"h", 3600000000000, 1},
};

static const Unit bandwidth_units[] = {
    {"bit", 1, 1},
    {"Kbit", 1000, 1},
    {"Mbit", 1000000, 1},
    {"Gbit", 1000000000, 1},
    {"Tbit", 1000000000000, 1},
    {"bit/s", 1, 1},
    {"Kbit/s", 1000, 1},
    {"Mbit/s", 1000000, 1},
    {"Gbit/s", 1000000000, 1},
    {"Tbit/s", 1000000000000, 1},
    {"bps", 1, 1},
    {"Kbps", 1000, 1},
    {"Mbps", 1000000, 1},
    {"Gbps", 1000000000, 1},
    {"Tbps", 1000000000000, 1},
    {"B/s", 8, 1},
    {"KB/s", 8000, 1},
    {"MB/s", 8000000, 1},
    {"GB/s", 8000000000, 1},
    {"KiB/s", 8 * 1024, 1},
    {"MiB/s", 8 * 1024 * 1024, 1},
    {"GiB/s", (uint64_t)8 * 1024 * 1024 * 1024, 1},
};

static const Unit size_units[] = {
    {"B", 1, 1},
    {"KB", 1000, 1},
    {"MB", 1000000, 1},
    {"GB", 1000000000, 1},
    {"TB", 1000000000000, 1},
    {"KiB", 1024, 1},
    {"MiB", (uint64_t)1024 * 1024, 1},
    {"GiB", (uint64_t)1024 * 1024 * 1024, 1},
    {"TiB", (uint64_t)1024 * 1024 * 1024 * 1024, 1},
};

static const Unit ratio_units[] = {
    {"%", 10000, 1},
    {"ppm", 1, 1},
};

static const Unit rate_units[] = {
    {"/s", 1000, 1},
    {"/ms", 1000000, 1},
    {"/min", 1000, 60},
    {"/h", 1000, 3600},
};

static const Unit factor_units[] = {
    {"x", SIM_PPM_ONE, 1},
    {"", SIM_PPM_ONE, 1},
};

static const Unit count_units[] = {
    {"", 1, 1},
};

#define KIND(name, example, units)                                                                 \
    {                                                                                              \
        name, example, units, G_N_ELEMENTS(units)                                                  \
    }

static const KindInfo kind_info[] = {
    [SIM_QUANTITY_DURATION] = KIND("duration", "250ms or 1.5s", duration_units),
    [SIM_QUANTITY_BANDWIDTH] = KIND("bandwidth", "1Gbit or 100Mbit", bandwidth_units),
    [SIM_QUANTITY_SIZE] = KIND("size", "300B or 1MiB", size_units),
    [SIM_QUANTITY_RATIO] = KIND("ratio", "0.1% or 500ppm", ratio_units),
    [SIM_QUANTITY_RATE] = KIND("rate", "2000/s or 30/min", rate_units),
    [SIM_QUANTITY_FACTOR] = KIND("factor", "2x or 1.5", factor_units),
    [SIM_QUANTITY_COUNT] = KIND("whole number", "10 or 1000", count_units),
};

#undef KIND

/* At most 18 fractional digits keeps 10^digits inside 64 bits. */
#define FRACTION_DIGITS_MAX 18

GQuark sim_quantity_error_quark(void)
{
    return g_quark_from_static_string("sim-quantity-error-quark");
}

const char *sim_quantity_kind_name(SimQuantityKind kind)
{
    SIM_ASSERT((size_t)kind < G_N_ELEMENTS(kind_info));
    return kind_info[kind].name;
}

static char *unit_list(const KindInfo *info)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < info->unit_count; i++) {
        if (info->units[i].name[0] == '\0') continue;
        if (list->len > 0) g_string_append(list, ", ");
        g_string_append(list, info->units[i].name);
    }
    if (list->len == 0) g_string_append(list, "none");
    return g_string_free(list, FALSE);
}

static gboolean fail(GError **error, SimQuantityError code, SimQuantityKind kind, const char *text,
                     const char *why)
{
    const KindInfo *info = &kind_info[kind];
    char *units = unit_list(info);
    g_set_error(error, SIM_QUANTITY_ERROR, (int)code,
                "expected a %s such as %s (units: %s), got \"%s\": %s", info->name, info->example,
                units, text, why);
    g_free(units);
    return FALSE;
}

static const Unit *find_unit(const KindInfo *info, const char *name)
{
    for (size_t i = 0; i < info->unit_count; i++) {
        if (strcmp(info->units[i].name, name) == 0) return &info->units[i];
    }
    return NULL;
}

/* Reads digits[.digits] at *cursor; returns FALSE on no digits or more than 19 significant. */
static gboolean read_decimal(const char **cursor, uint64_t *mantissa, unsigned *fraction_digits,
                             gboolean *too_long)
{
    const char *p = *cursor;
    uint64_t m = 0;
    unsigned digits_total = 0;
    unsigned fraction = 0;
    gboolean seen_point = FALSE;
    *too_long = FALSE;
    if (*p == '.') return FALSE; /* ".5s": a digit must come first */
    for (; *p != '\0'; p++) {
        if (*p == '.' && !seen_point) {
            seen_point = TRUE;
            continue;
        }
        if (*p < '0' || *p > '9') break;
        digits_total++;
        if (seen_point) fraction++;
        uint64_t digit = (uint64_t)(*p - '0');
        if (m > (UINT64_MAX - digit) / 10 || fraction > FRACTION_DIGITS_MAX) {
            *too_long = TRUE;
            return FALSE;
        }
        m = m * 10 + digit;
    }
    if (digits_total == 0 || p[-1] == '.') return FALSE;
    *cursor = p;
    *mantissa = m;
    *fraction_digits = fraction;
    return TRUE;
}

static gboolean scale(uint64_t mantissa, unsigned fraction_digits, const Unit *unit,
                      uint64_t *value)
{
    SimU128 denominator = unit->den;
    for (unsigned i = 0; i < fraction_digits; i++)
        denominator *= 10;
    SimU128 numerator = (SimU128)mantissa * unit->num;
    SimU128 rounded = (2 * numerator + denominator) / (2 * denominator);
    if (rounded > UINT64_MAX) return FALSE;
    *value = (uint64_t)rounded;
    return TRUE;
}

gboolean sim_quantity_parse(const char *text, SimQuantityKind kind, uint64_t *value, GError **error)
{
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(value != NULL);
    SIM_ASSERT((size_t)kind < G_N_ELEMENTS(kind_info));

    const KindInfo *info = &kind_info[kind];
    char *trimmed = g_strstrip(g_strdup(text));
    const char *cursor = trimmed;
    gboolean ok = FALSE;
    uint64_t mantissa = 0;
    uint64_t result = 0;
    unsigned fraction_digits = 0;
    gboolean too_long = FALSE;

    if (*cursor == '-') {
        fail(error, SIM_QUANTITY_ERROR_NEGATIVE, kind, text, "negative values are not allowed");
    } else if (!read_decimal(&cursor, &mantissa, &fraction_digits, &too_long)) {
        fail(error, too_long ? SIM_QUANTITY_ERROR_RANGE : SIM_QUANTITY_ERROR_SYNTAX, kind, text,
             too_long ? "too many digits" : "it does not start with a decimal number");
    } else {
        while (*cursor == ' ')
            cursor++;
        const Unit *unit = find_unit(info, cursor);
        if (unit == NULL) {
            fail(error, SIM_QUANTITY_ERROR_UNIT, kind, text,
                 *cursor == '\0' ? "the unit is missing" : "unknown unit");
        } else if (kind == SIM_QUANTITY_COUNT && fraction_digits > 0) {
            fail(error, SIM_QUANTITY_ERROR_SYNTAX, kind, text, "a whole number has no fraction");
        } else if (!scale(mantissa, fraction_digits, unit, &result)) {
            fail(error, SIM_QUANTITY_ERROR_RANGE, kind, text, "the value does not fit in 64 bits");
        } else if (kind == SIM_QUANTITY_RATIO && result > SIM_PPM_ONE) {
            fail(error, SIM_QUANTITY_ERROR_RANGE, kind, text, "a ratio is at most 100%");
        } else {
            *value = result;
            ok = TRUE;
        }
    }
    g_free(trimmed);
    return ok;
}

/* Preferred output units per kind, largest first. */
static const Unit format_duration[] = {
    {"h", 3600000000000, 1}, {"min", 60000000000, 1}, {"s", 1000000000, 1},
    {"ms", 1000000, 1},      {"us", 1000, 1},         {"ns", 1, 1},
};
static const Unit format_bandwidth[] = {
    {"Tbit", 1000000000000, 1}, {"Gbit", 1000000000, 1}, {"Mbit", 1000000, 1},
    {"Kbit", 1000, 1},          {"bit", 1, 1},
};
static const Unit format_size[] = {
    {"GiB", (uint64_t)1024 * 1024 * 1024, 1},
    {"MiB", (uint64_t)1024 * 1024, 1},
    {"KiB", 1024, 1},
    {"B", 1, 1},
};

/* `value` in the largest of `units` (largest first) it reaches, with at most `decimals`
 * decimals (truncated), trailing zeros trimmed. */
static char *format_with(uint64_t value, const Unit *units, size_t count, int decimals)
{
    SIM_ASSERT(decimals >= 1 && decimals <= 6);
    uint64_t scale = 1;
    for (int d = 0; d < decimals; d++)
        scale *= 10;
    for (size_t i = 0; i < count; i++) {
        uint64_t unit = units[i].num;
        if (value < unit && i + 1 < count) continue;
        uint64_t whole = value / unit;
        uint64_t fraction = (uint64_t)(((SimU128)(value % unit) * scale) / unit);
        if (fraction == 0) return g_strdup_printf("%" G_GUINT64_FORMAT "%s", whole, units[i].name);
        char digits[8];
        g_snprintf(digits, sizeof digits, "%0*" G_GUINT64_FORMAT, decimals, fraction);
        for (int j = decimals - 1; j > 0 && digits[j] == '0'; j--)
            digits[j] = '\0';
        return g_strdup_printf("%" G_GUINT64_FORMAT ".%s%s", whole, digits, units[i].name);
    }
    SIM_UNREACHABLE();
}

char *sim_quantity_format(uint64_t value, SimQuantityKind kind)
{
    switch (kind) {
    case SIM_QUANTITY_DURATION:
        return format_with(value, format_duration, G_N_ELEMENTS(format_duration), 3);
    case SIM_QUANTITY_BANDWIDTH:
        return format_with(value, format_bandwidth, G_N_ELEMENTS(format_bandwidth), 3);
    case SIM_QUANTITY_SIZE:
        return format_with(value, format_size, G_N_ELEMENTS(format_size), 3);
    case SIM_QUANTITY_RATIO: {
        static const Unit percent[] = {{"%", 10000, 1}};
        return format_with(value, percent, 1, 4); /* exact: 1 ppm is 0.0001% */
    }
    case SIM_QUANTITY_RATE: {
        static const Unit per_second[] = {{"/s", 1000, 1}};
        return format_with(value, per_second, 1, 3); /* exact */
    }
    case SIM_QUANTITY_FACTOR: {
        static const Unit times[] = {{"x", SIM_PPM_ONE, 1}};
        return format_with(value, times, 1, 6); /* exact */
    }
    case SIM_QUANTITY_COUNT:
        return g_strdup_printf("%" G_GUINT64_FORMAT, value);
    }
    SIM_UNREACHABLE();
}
