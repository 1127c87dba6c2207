/* Helpers shared by the simulation tests (tests/sim/test_*_sim.c). */
#ifndef SHOTGLASS_TESTS_SIM_SIM_TEST_H
#define SHOTGLASS_TESTS_SIM_SIM_TEST_H

#include "sim/run/run.h"

/* Builds and executes a run, failing the test if the configuration is refused. */
SimRun *sim_test_run(const SimRunConfig *config);

/* Fails the test if the safety oracle, or the DA oracle when the data path is on, reported a
 * violation. */
void sim_test_check_safe(const SimRun *run);

/* New blocks decided in virtual time [from, to). */
uint64_t sim_test_decides_between(const SimRun *run, uint64_t from, uint64_t to);

#endif
