/*
 * Argument parsing, timing and reporting shared by the engine PHOLD and its baseline. Benchmarks
 * live outside sim/ and may read the wall clock; nothing here feeds back into a run.
 */
#include "bench/phold_common.h"

#include "sim/core/units.h"

#include <stdio.h>
#include <sys/resource.h>

long bench_peak_rss_kib(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
    return usage.ru_maxrss;
}

double bench_wall_seconds(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

static gboolean parse_u64(const char *name, const char *text, SimQuantityKind kind, uint64_t *value,
                          GError **error)
{
    if (text == NULL) return TRUE;
    GError *inner = NULL;
    if (!sim_quantity_parse(text, kind, value, &inner)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s: %s", name,
                    inner->message);
        g_error_free(inner);
        return FALSE;
    }
    return TRUE;
}

gboolean bench_phold_parse_args(int *argc, char ***argv, BenchPholdConfig *config, GError **error)
{
    char *lps = NULL, *events = NULL, *count = NULL, *seed = NULL, *lookahead = NULL, *mean = NULL;
    GOptionEntry entries[] = {
        {"lps", 0, 0, G_OPTION_ARG_STRING, &lps, "logical processes (default 10000)", "N"},
        {"events", 0, 0, G_OPTION_ARG_STRING, &events, "initial events per LP (default 16)", "E"},
        {"count", 0, 0, G_OPTION_ARG_STRING, &count, "events to process (default 20000000)", "C"},
        {"seed", 0, 0, G_OPTION_ARG_STRING, &seed, "run seed (default 1)", "S"},
        {"lookahead", 0, 0, G_OPTION_ARG_STRING, &lookahead, "minimum delay (default 1ms)", "D"},
        {"mean", 0, 0, G_OPTION_ARG_STRING, &mean, "mean exponential delay (default 1ms)", "D"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    *config = (BenchPholdConfig){10000, 16, 20000000, 1, SIM_MS, SIM_MS};
    GOptionContext *context = g_option_context_new("- the PHOLD engine benchmark");
    g_option_context_add_main_entries(context, entries, NULL);
    uint64_t v_lps = config->lps, v_events = config->events;
    gboolean ok =
        g_option_context_parse(context, argc, argv, error) &&
        parse_u64("lps", lps, SIM_QUANTITY_COUNT, &v_lps, error) &&
        parse_u64("events", events, SIM_QUANTITY_COUNT, &v_events, error) &&
        parse_u64("count", count, SIM_QUANTITY_COUNT, &config->count, error) &&
        parse_u64("seed", seed, SIM_QUANTITY_COUNT, &config->seed, error) &&
        parse_u64("lookahead", lookahead, SIM_QUANTITY_DURATION, &config->lookahead, error) &&
        parse_u64("mean", mean, SIM_QUANTITY_DURATION, &config->mean, error);
    if (ok && (v_lps == 0 || v_lps > UINT32_MAX || v_events == 0 || v_events > 1000000 ||
               v_lps * v_events > UINT32_MAX)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--lps and --events must be positive, with lps x events below 2^32");
        ok = FALSE;
    }
    config->lps = (uint32_t)v_lps;
    config->events = (uint32_t)v_events;
    g_free(lps), g_free(events), g_free(count), g_free(seed), g_free(lookahead), g_free(mean);
    g_option_context_free(context);
    return ok;
}

void bench_phold_print(const char *label, const BenchPholdConfig *config,
                       const BenchPholdResult *result)
{
    printf("%s: lps=%u events=%u count=%" G_GUINT64_FORMAT " seed=%" G_GUINT64_FORMAT "\n", label,
           config->lps, config->events, config->count, config->seed);
    printf("  processed      %" G_GUINT64_FORMAT " events\n", result->processed);
    printf("  virtual end    %" G_GUINT64_FORMAT " ns\n", result->end_time);
    printf("  checksum       %016" G_GINT64_MODIFIER "x\n", result->checksum);
    printf("  wall           %.3f s\n", result->seconds);
    printf("  events/s       %.0f\n", result->events_per_second);
    printf("  peak RSS       %ld KiB\n", result->peak_rss_kib);
}
