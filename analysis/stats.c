/* Summary statistics; see stats.h. */
#include "analysis/stats.h"

#include <glib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

static double *sorted_copy(const double *values, size_t count)
{
    double *copy = g_new(double, count ? count : 1);
    if (count > 0) memcpy(copy, values, count * sizeof *copy);
    gsl_sort(copy, 1, count);
    return copy;
}

AnaSummary ana_summarize(const double *values, size_t count)
{
    AnaSummary s = {.count = count};
    if (count == 0) return s;
    double *sorted = sorted_copy(values, count);
    s.mean = gsl_stats_mean(sorted, 1, count);
    s.min = sorted[0];
    s.max = sorted[count - 1];
    s.median = gsl_stats_median_from_sorted_data(sorted, 1, count);
    if (count > 1) {
        s.sd = gsl_stats_sd_m(sorted, 1, count, s.mean);
        s.ci95 = gsl_cdf_tdist_Pinv(0.975, (double)(count - 1)) * s.sd / sqrt((double)count);
    }
    g_free(sorted);
    return s;
}

double ana_percentile(const double *values, size_t count, double p)
{
    if (count == 0) return 0;
    double *sorted = sorted_copy(values, count);
    double q = gsl_stats_quantile_from_sorted_data(sorted, 1, count, p / 100.0);
    g_free(sorted);
    return q;
}
