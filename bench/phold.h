/*
 * The PHOLD benchmark on the shotglass engine: `shotglass bench phold` (the model is described
 * in bench/phold_common.h).
 */
#ifndef SHOTGLASS_BENCH_PHOLD_H
#define SHOTGLASS_BENCH_PHOLD_H

#include "bench/phold_common.h"

/* Runs PHOLD on the shotglass engine. */
void bench_phold_run_engine(const BenchPholdConfig *config, BenchPholdResult *result);

/* Entry point of `shotglass bench phold ...`; returns the process exit code. */
int bench_phold_main(int argc, char **argv);

#endif
