/*
 * The bare PHOLD baseline: the same model as bench/phold.c on a plain array-based 4-ary heap of
 * (time, sequence, lp) and nothing else: no pool, no cancellation, no digest, no dispatch. It
 * shares only the seed derivation and the delay draw with the engine version (setup and
 * arithmetic, not machinery), so the two process the identical event sequence.
 */
#include "bench/phold_common.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct Entry {
    uint64_t time;
    uint64_t seq;
    uint32_t lp;
} Entry;

typedef struct Heap {
    Entry *e;
    size_t len;
} Heap;

static inline int less(const Entry *a, const Entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void push(Heap *h, Entry x)
{
    size_t i = h->len++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!less(&x, &h->e[p])) break;
        h->e[i] = h->e[p];
        i = p;
    }
    h->e[i] = x;
}

static inline Entry pop(Heap *h)
{
    Entry top = h->e[0];
    Entry last = h->e[--h->len];
    size_t n = h->len, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n) break;
        size_t end = c + 4 < n ? c + 4 : n, best = c;
        for (size_t k = c + 1; k < end; k++) {
            if (less(&h->e[k], &h->e[best])) best = k;
        }
        if (!less(&h->e[best], &last)) break;
        h->e[i] = h->e[best];
        i = best;
    }
    if (n > 0) h->e[i] = last;
    return top;
}

int main(int argc, char **argv)
{
    BenchPholdConfig config;
    GError *error = NULL;
    if (!bench_phold_parse_args(&argc, &argv, &config, &error)) {
        fprintf(stderr, "phold-baseline: %s\n", error->message);
        return 2;
    }
    size_t population = (size_t)config.lps * config.events;
    Heap heap = {malloc(population * sizeof(Entry)), 0};
    SimRng *rngs = malloc(config.lps * sizeof(SimRng));
    uint64_t seq = 1;
    for (uint32_t lp = 0; lp < config.lps; lp++) {
        sim_rng_init(&rngs[lp], sim_rng_xoshiro256ss, config.seed, "phold.lp", lp);
        for (uint32_t e = 0; e < config.events; e++) {
            uint64_t at = bench_phold_delay(&rngs[lp], &config) - config.lookahead;
            push(&heap, (Entry){at, seq++, lp});
        }
    }
    uint64_t checksum = 0, processed = 0, now = 0;
    double start = bench_wall_seconds();
    while (processed < config.count) {
        Entry x = pop(&heap);
        now = x.time;
        processed++;
        checksum = bench_phold_fold(checksum, x.time, x.lp);
        SimRng *rng = &rngs[x.lp];
        uint32_t destination = (uint32_t)sim_rng_below(rng, config.lps);
        uint64_t delay = bench_phold_delay(rng, &config);
        push(&heap, (Entry){x.time + delay, seq++, destination});
    }
    double seconds = bench_wall_seconds() - start;
    BenchPholdResult result = {
        processed, checksum, now, seconds, (double)processed / seconds, bench_peak_rss_kib()};
    bench_phold_print("baseline", &config, &result);
    for (uint32_t lp = 0; lp < config.lps; lp++)
        sim_rng_clear(&rngs[lp]);
    free(rngs);
    free(heap.e);
    return 0;
}
