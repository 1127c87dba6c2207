/*
 * Distribution parsing and sampling. The grammar is name(key=value, ...); each distribution
 * declares which keys it takes and which of them are scales (quantities) or shapes (numbers),
 * and every key is required unless it has an alternative (median or mean for lognormal).
 */
#include "sim/net/distribution.h"

#include "sim/core/assert.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

static const char help_text[] =
    "none                            always 0\n"
    "constant(value=X) or X          always X\n"
    "uniform(min=X, max=Y)           uniform between X and Y\n"
    "exponential(mean=X)             memoryless, mean X\n"
    "normal(mean=X, sd=Y)            clamped at 0\n"
    "lognormal(median=X, sigma=S)    or mean=X; S is the sd of the log\n"
    "gamma(shape=K, mean=X)          or scale=X\n"
    "pareto(min=X, alpha=A)          heavy tail from X; finite mean for A > 1\n";

const char *sim_dist_help(void)
{
    return help_text;
}

typedef struct Params {
    GHashTable *values; /* key -> raw text; lookup only, never iterated for an outcome */
    const char *text;
    SimQuantityKind unit;
    gboolean allow_relative;
    gboolean relative;
    gboolean relative_seen;
} Params;

static gboolean param_error(GError **error, const Params *p, const char *why)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "distribution \"%s\": %s", p->text,
                why);
    return FALSE;
}

/* Reads a scale parameter: a quantity of p->unit, or a percentage when relative is allowed. */
static gboolean scale_param(Params *p, const char *key, double *out, gboolean required,
                            GError **error)
{
    const char *raw = g_hash_table_lookup(p->values, key);
    if (raw == NULL) {
        if (!required) return TRUE;
        char *why = g_strdup_printf("parameter %s is missing", key);
        param_error(error, p, why);
        g_free(why);
        return FALSE;
    }
    uint64_t value = 0;
    GError *inner = NULL;
    gboolean is_percent = g_str_has_suffix(raw, "%");
    if (is_percent && !p->allow_relative) {
        char *why = g_strdup_printf("parameter %s: a percentage is not allowed here", key);
        param_error(error, p, why);
        g_free(why);
        return FALSE;
    }
    if (is_percent) {
        /* A relative scale may exceed 100% (a jitter median of 150% of the base delay), so it
         * is read as a plain number and kept in millionths of the reference. */
        char *number = g_strndup(raw, strlen(raw) - 1);
        if (sim_quantity_parse(number, SIM_QUANTITY_FACTOR, &value, &inner)) value /= 100;
        g_free(number);
    } else {
        sim_quantity_parse(raw, p->unit, &value, &inner);
    }
    g_hash_table_remove(p->values, key); /* consumed: frees `raw` */
    if (inner != NULL) {
        char *why = g_strdup_printf("parameter %s: %s", key, inner->message);
        param_error(error, p, why);
        g_free(why);
        g_error_free(inner);
        return FALSE;
    }
    if (p->relative_seen && p->relative != is_percent) {
        return param_error(error, p, "mix of percentages and absolute values");
    }
    p->relative_seen = TRUE;
    p->relative = is_percent;
    *out = (double)value;
    return TRUE;
}

/* Reads a positive shape parameter (a plain decimal number). */
static gboolean shape_param(Params *p, const char *key, double *out, GError **error)
{
    const char *raw = g_hash_table_lookup(p->values, key);
    uint64_t ppm = 0;
    GError *inner = NULL;
    if (raw == NULL || !sim_quantity_parse(raw, SIM_QUANTITY_FACTOR, &ppm, &inner) || ppm == 0) {
        char *why = raw == NULL ? g_strdup_printf("parameter %s is missing", key)
                                : g_strdup_printf("parameter %s: expected a positive number such "
                                                  "as 0.5, got \"%s\"",
                                                  key, raw);
        param_error(error, p, why);
        g_free(why);
        g_clear_error(&inner);
        return FALSE;
    }
    g_hash_table_remove(p->values, key);
    *out = (double)ppm / 1e6;
    return TRUE;
}

/* Splits "name(k=v, k=v)" into name and a key table; returns FALSE on bad syntax. */
static gboolean split_call(const char *text, char **name, GHashTable *values)
{
    const char *open = strchr(text, '(');
    if (open == NULL) {
        *name = g_strstrip(g_strdup(text));
        return TRUE;
    }
    size_t len = strlen(text);
    if (len < 2 || text[len - 1] != ')') return FALSE;
    *name = g_strstrip(g_strndup(text, (size_t)(open - text)));
    char *inside = g_strndup(open + 1, (size_t)(text + len - 1 - open - 1));
    char **pairs = g_strsplit(inside, ",", -1);
    gboolean ok = TRUE;
    for (guint i = 0; pairs[i] != NULL && ok; i++) {
        char *pair = g_strstrip(pairs[i]);
        if (pair[0] == '\0' && pairs[1] == NULL) break; /* "name()" */
        char *eq = strchr(pair, '=');
        if (eq == NULL) {
            ok = FALSE;
            break;
        }
        *eq = '\0';
        char *key = g_strstrip(g_strdup(pair));
        char *value = g_strstrip(g_strdup(eq + 1));
        if (key[0] == '\0' || value[0] == '\0' || g_hash_table_contains(values, key)) ok = FALSE;
        g_hash_table_insert(values, key, value);
    }
    g_strfreev(pairs);
    g_free(inside);
    return ok;
}

static gboolean parse_kind(SimDist *d, const char *name, Params *p, GError **error)
{
    if (strcmp(name, "none") == 0) {
        d->kind = SIM_DIST_NONE;
    } else if (strcmp(name, "constant") == 0) {
        d->kind = SIM_DIST_CONSTANT;
        return scale_param(p, "value", &d->scale_a, TRUE, error);
    } else if (strcmp(name, "uniform") == 0) {
        d->kind = SIM_DIST_UNIFORM;
        if (!scale_param(p, "min", &d->scale_a, TRUE, error) ||
            !scale_param(p, "max", &d->scale_b, TRUE, error)) {
            return FALSE;
        }
        if (d->scale_b < d->scale_a) return param_error(error, p, "max is below min");
    } else if (strcmp(name, "exponential") == 0) {
        d->kind = SIM_DIST_EXPONENTIAL;
        return scale_param(p, "mean", &d->scale_a, TRUE, error);
    } else if (strcmp(name, "normal") == 0) {
        d->kind = SIM_DIST_NORMAL;
        return scale_param(p, "mean", &d->scale_a, TRUE, error) &&
               scale_param(p, "sd", &d->scale_b, TRUE, error);
    } else if (strcmp(name, "lognormal") == 0) {
        d->kind = SIM_DIST_LOGNORMAL;
        double mean = -1;
        if (!shape_param(p, "sigma", &d->shape, error)) return FALSE;
        gboolean has_median = g_hash_table_contains(p->values, "median");
        gboolean has_mean = g_hash_table_contains(p->values, "mean");
        if (has_median == has_mean)
            return param_error(error, p, "give exactly one of median, mean");
        if (has_median) return scale_param(p, "median", &d->scale_a, TRUE, error);
        if (!scale_param(p, "mean", &mean, TRUE, error)) return FALSE;
        /* mean = median * exp(sigma^2 / 2). With a large sigma the median underflows to 0 and
         * every draw would be 0 whatever the mean (fuzz/distribution found sigma=1e10). */
        d->scale_a = mean / exp(d->shape * d->shape / 2);
        if (mean > 0 && !(d->scale_a > 0)) {
            return param_error(error, p,
                               "sigma is too large for mean=: the median, "
                               "mean / exp(sigma^2 / 2), would be 0");
        }
    } else if (strcmp(name, "gamma") == 0) {
        d->kind = SIM_DIST_GAMMA;
        if (!shape_param(p, "shape", &d->shape, error)) return FALSE;
        gboolean has_scale = g_hash_table_contains(p->values, "scale");
        gboolean has_mean = g_hash_table_contains(p->values, "mean");
        if (has_scale == has_mean) return param_error(error, p, "give exactly one of mean, scale");
        if (has_scale) return scale_param(p, "scale", &d->scale_a, TRUE, error);
        if (!scale_param(p, "mean", &d->scale_a, TRUE, error)) return FALSE;
        d->scale_a /= d->shape;
    } else if (strcmp(name, "pareto") == 0) {
        d->kind = SIM_DIST_PARETO;
        return shape_param(p, "alpha", &d->shape, error) &&
               scale_param(p, "min", &d->scale_a, TRUE, error);
    } else {
        char *why = g_strdup_printf("unknown distribution \"%s\"; expected one of none, constant, "
                                    "uniform, exponential, normal, lognormal, gamma, pareto",
                                    name);
        param_error(error, p, why);
        g_free(why);
        return FALSE;
    }
    return TRUE;
}

gboolean sim_dist_parse(const char *text, SimQuantityKind unit, gboolean allow_relative,
                        SimDist *dist, GError **error)
{
    SIM_ASSERT(text != NULL && dist != NULL);
    GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    Params p = {values, text, unit, allow_relative, FALSE, FALSE};
    SimDist d = {SIM_DIST_NONE, unit, 0, 0, 0, FALSE};
    char *name = NULL;
    gboolean ok;
    char *trimmed = g_strstrip(g_strdup(text));
    if (trimmed[0] != '\0' && g_ascii_isdigit(trimmed[0])) {
        /* A bare quantity is a constant. */
        g_hash_table_insert(values, g_strdup("value"), g_strdup(trimmed));
        d.kind = SIM_DIST_CONSTANT;
        ok = scale_param(&p, "value", &d.scale_a, TRUE, error);
    } else if (!split_call(trimmed, &name, values)) {
        ok = param_error(error, &p,
                         "expected name(key=value, ...) such as "
                         "lognormal(median=5ms, sigma=0.5)");
    } else {
        ok = parse_kind(&d, name, &p, error);
        if (ok && g_hash_table_size(values) > 0) {
            /* Report one unknown key; which one is irrelevant to the outcome (all are errors). */
            GHashTableIter it;
            gpointer key;
            g_hash_table_iter_init(&it, values); /* iteration-ok: any leftover key is an error */
            g_hash_table_iter_next(&it, &key, NULL);
            char *why = g_strdup_printf("unknown parameter %s for %s", (char *)key, name);
            ok = param_error(error, &p, why);
            g_free(why);
        }
    }
    d.relative = p.relative;
    if (ok) *dist = d;
    g_free(name);
    g_free(trimmed);
    g_hash_table_unref(values);
    return ok;
}

static double scaled(const SimDist *d, double value, uint64_t reference)
{
    return d->relative ? value * (double)reference / 1e6 : value;
}

static uint64_t to_units(double x)
{
    if (!(x > 0)) return 0; /* also catches NaN */
    /* The documented range is [0, 2^63): fuzz/distribution found a constant of 1e19 ns
     * sampled as 2^63 itself. */
    if (x >= 9.2e18) return ((uint64_t)1 << 63) - 1;
    return (uint64_t)llround(x);
}

uint64_t sim_dist_sample(const SimDist *d, SimRng *rng, uint64_t reference)
{
    SIM_ASSERT(d != NULL && rng != NULL);
    double a = scaled(d, d->scale_a, reference);
    double b = scaled(d, d->scale_b, reference);
    switch (d->kind) {
    case SIM_DIST_NONE:
        return 0;
    case SIM_DIST_CONSTANT:
        return to_units(a);
    case SIM_DIST_UNIFORM:
        return to_units(a + (b - a) * gsl_rng_uniform(rng->gsl));
    case SIM_DIST_EXPONENTIAL:
        return to_units(gsl_ran_exponential(rng->gsl, a));
    case SIM_DIST_NORMAL:
        return to_units(a + gsl_ran_gaussian_ziggurat(rng->gsl, b));
    case SIM_DIST_LOGNORMAL:
        return to_units(gsl_ran_lognormal(rng->gsl, log(a), d->shape));
    case SIM_DIST_GAMMA:
        return to_units(gsl_ran_gamma(rng->gsl, d->shape, a));
    case SIM_DIST_PARETO:
        return to_units(gsl_ran_pareto(rng->gsl, d->shape, a));
    }
    SIM_UNREACHABLE();
}

double sim_dist_mean(const SimDist *d, uint64_t reference)
{
    double a = scaled(d, d->scale_a, reference);
    double b = scaled(d, d->scale_b, reference);
    switch (d->kind) {
    case SIM_DIST_NONE:
        return 0;
    case SIM_DIST_CONSTANT:
    case SIM_DIST_EXPONENTIAL:
    case SIM_DIST_NORMAL:
        return a;
    case SIM_DIST_UNIFORM:
        return (a + b) / 2;
    case SIM_DIST_LOGNORMAL: /* a median of 0 draws only 0, however wide (0 * inf is NaN) */
        return a > 0 ? a * exp(d->shape * d->shape / 2) : 0;
    case SIM_DIST_GAMMA:
        return d->shape * a;
    case SIM_DIST_PARETO:
        return d->shape > 1 ? d->shape * a / (d->shape - 1) : INFINITY;
    }
    SIM_UNREACHABLE();
}

double sim_dist_sd(const SimDist *d, uint64_t reference)
{
    double a = scaled(d, d->scale_a, reference);
    double b = scaled(d, d->scale_b, reference);
    double s = d->shape;
    switch (d->kind) {
    case SIM_DIST_NONE:
    case SIM_DIST_CONSTANT:
        return 0;
    case SIM_DIST_UNIFORM:
        return (b - a) / sqrt(12);
    case SIM_DIST_EXPONENTIAL:
        return a;
    case SIM_DIST_NORMAL:
        return b;
    case SIM_DIST_LOGNORMAL:
        return a > 0 ? a * exp(s * s / 2) * sqrt(expm1(s * s)) : 0;
    case SIM_DIST_GAMMA:
        return sqrt(s) * a;
    case SIM_DIST_PARETO:
        return s > 2 ? a * sqrt(s / (s - 2)) / (s - 1) : INFINITY;
    }
    SIM_UNREACHABLE();
}

static char *scale_text(const SimDist *d, double value)
{
    if (d->relative) return g_strdup_printf("%g%%", value / 1e4);
    return sim_quantity_format((uint64_t)llround(value), d->unit);
}

char *sim_dist_describe(const SimDist *d)
{
    char *a = scale_text(d, d->scale_a);
    char *b = scale_text(d, d->scale_b);
    char *text = NULL;
    switch (d->kind) {
    case SIM_DIST_NONE:
        text = g_strdup("none");
        break;
    case SIM_DIST_CONSTANT:
        text = g_strdup_printf("constant(value=%s)", a);
        break;
    case SIM_DIST_UNIFORM:
        text = g_strdup_printf("uniform(min=%s, max=%s)", a, b);
        break;
    case SIM_DIST_EXPONENTIAL:
        text = g_strdup_printf("exponential(mean=%s)", a);
        break;
    case SIM_DIST_NORMAL:
        text = g_strdup_printf("normal(mean=%s, sd=%s)", a, b);
        break;
    case SIM_DIST_LOGNORMAL:
        text = g_strdup_printf("lognormal(median=%s, sigma=%g)", a, d->shape);
        break;
    case SIM_DIST_GAMMA:
        text = g_strdup_printf("gamma(shape=%g, scale=%s)", d->shape, a);
        break;
    case SIM_DIST_PARETO:
        text = g_strdup_printf("pareto(min=%s, alpha=%g)", a, d->shape);
        break;
    }
    g_free(a);
    g_free(b);
    SIM_ASSERT(text != NULL);
    return text;
}
