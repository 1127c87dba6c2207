/*
 * PHOLD on the shotglass engine: one event kind, one random stream per LP, digest on, exactly
 * as a simulation uses the engine.
 */
#include "bench/phold.h"

#include "sim/core/assert.h"
#include "sim/core/engine.h"

#include <stdio.h>

typedef struct PholdModel {
    const BenchPholdConfig *config;
    SimRng *rngs;
    uint16_t kind;
    uint64_t checksum;
} PholdModel;

static void phold_event(SimEngine *engine, const SimEvent *event, void *user_data)
{
    PholdModel *model = user_data;
    model->checksum = bench_phold_fold(model->checksum, event->time, event->target);
    SimRng *rng = &model->rngs[event->target];
    uint32_t destination = (uint32_t)sim_rng_below(rng, model->config->lps);
    SimDuration delay = bench_phold_delay(rng, model->config);
    sim_engine_schedule(engine, event->time + delay, model->kind, destination, event->target, NULL,
                        0);
}

void bench_phold_run_engine(const BenchPholdConfig *config, BenchPholdResult *result)
{
    size_t population = (size_t)config->lps * config->events;
    SimEngine *engine = sim_engine_new(config->seed, population);
    PholdModel model = {config, g_new(SimRng, config->lps), 0, 0};
    model.kind = sim_engine_register(engine, "phold", phold_event, NULL, &model, SIM_KIND_DIGEST);
    for (uint32_t lp = 0; lp < config->lps; lp++) {
        sim_rng_init(&model.rngs[lp], sim_rng_xoshiro256ss, config->seed, "phold.lp", lp);
        for (uint32_t e = 0; e < config->events; e++) {
            SimDuration at = bench_phold_delay(&model.rngs[lp], config) - config->lookahead;
            sim_engine_schedule(engine, at, model.kind, lp, lp, NULL, 0);
        }
    }
    double start = bench_wall_seconds();
    SimEngineLimits limits = {SIM_TIME_NONE, config->count};
    SimStopReason reason = sim_engine_run(engine, &limits);
    double seconds = bench_wall_seconds() - start;
    SIM_ASSERT(reason == SIM_STOP_MAX_EVENTS);
    *result = (BenchPholdResult){
        .processed = sim_engine_events_run(engine),
        .checksum = model.checksum,
        .end_time = sim_engine_now(engine),
        .seconds = seconds,
        .events_per_second = (double)sim_engine_events_run(engine) / seconds,
        .peak_rss_kib = bench_peak_rss_kib(),
    };
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(engine, digest);
    printf("trace digest %s\n", digest);
    for (uint32_t lp = 0; lp < config->lps; lp++)
        sim_rng_clear(&model.rngs[lp]);
    g_free(model.rngs);
    sim_engine_free(engine);
}

int bench_phold_main(int argc, char **argv)
{
    BenchPholdConfig config;
    GError *error = NULL;
    if (!bench_phold_parse_args(&argc, &argv, &config, &error)) {
        fprintf(stderr, "shotglass bench phold: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    BenchPholdResult result;
    bench_phold_run_engine(&config, &result);
    bench_phold_print("engine", &config, &result);
    return 0;
}
