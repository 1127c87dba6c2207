/*
 * How it works: a value v >= 128 with highest set bit b (b >= 7) falls in group b - 6, and
 * inside the group in linear bucket (v >> (b - 7)) - 128, i.e. the 7 bits after the top bit.
 * Group 0 holds 0..127 exactly. 58 groups of 128 buckets cover all of uint64.
 */
#include "analysis/histogram.h"

#include <glib.h>

#define SUB_BUCKETS 128
#define GROUPS      58

struct AnaHistogram {
    uint64_t counts[GROUPS * SUB_BUCKETS];
    uint64_t count;
    uint64_t min;
    uint64_t max;
    double sum;
};

AnaHistogram *ana_histogram_new(void)
{
    AnaHistogram *h = g_new0(AnaHistogram, 1);
    h->min = UINT64_MAX;
    return h;
}

void ana_histogram_free(AnaHistogram *h)
{
    g_free(h);
}

static unsigned bucket_of(uint64_t v)
{
    if (v < SUB_BUCKETS) return (unsigned)v;
    unsigned top = 63u - (unsigned)__builtin_clzll(v);
    unsigned group = top - 6;
    unsigned sub = (unsigned)(v >> (top - 7)) - SUB_BUCKETS;
    return group * SUB_BUCKETS + sub;
}

/* Lowest value and width of a bucket. */
static void bucket_range(unsigned index, uint64_t *low, uint64_t *width)
{
    unsigned group = index / SUB_BUCKETS, sub = index % SUB_BUCKETS;
    if (group == 0) {
        *low = sub;
        *width = 1;
        return;
    }
    unsigned shift = group - 1;
    *low = ((uint64_t)(SUB_BUCKETS + sub)) << shift;
    *width = (uint64_t)1 << shift;
}

void ana_histogram_add(AnaHistogram *h, uint64_t v)
{
    h->counts[bucket_of(v)]++;
    h->count++;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->sum += (double)v;
}

void ana_histogram_merge(AnaHistogram *target, const AnaHistogram *source)
{
    for (unsigned i = 0; i < GROUPS * SUB_BUCKETS; i++)
        target->counts[i] += source->counts[i];
    target->count += source->count;
    if (source->min < target->min) target->min = source->min;
    if (source->max > target->max) target->max = source->max;
    target->sum += source->sum;
}

uint64_t ana_histogram_count_below(const AnaHistogram *h, uint64_t v)
{
    if (v == 0) return 0;
    unsigned last = bucket_of(v - 1); /* the bucket of the largest value below v */
    uint64_t below = 0;
    for (unsigned i = 0; i <= last; i++)
        below += h->counts[i];
    return below;
}

uint64_t ana_histogram_count(const AnaHistogram *h)
{
    return h->count;
}

uint64_t ana_histogram_min(const AnaHistogram *h)
{
    return h->count ? h->min : 0;
}

uint64_t ana_histogram_max(const AnaHistogram *h)
{
    return h->max;
}

double ana_histogram_mean(const AnaHistogram *h)
{
    return h->count ? h->sum / (double)h->count : 0;
}

uint64_t ana_histogram_percentile(const AnaHistogram *h, double p)
{
    if (h->count == 0) return 0;
    double rank = p / 100.0 * (double)h->count;
    uint64_t need = rank <= 1 ? 1 : (uint64_t)(rank + 0.999999999);
    if (need > h->count) need = h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < GROUPS * SUB_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= need) {
            uint64_t low, width;
            bucket_range(i, &low, &width);
            uint64_t mid = low + width / 2;
            if (mid < h->min) mid = h->min;
            if (mid > h->max) mid = h->max;
            return mid;
        }
    }
    return h->max;
}
