/*
 * `shotglass explore SCENARIO`: swarm testing of a scenario over many seeds.
 *
 *   shotglass explore FILE [--seeds N] [--first-seed S] [--jobs J] [--out DIR]
 *                    [--budget KEY=VALUE,...] [--kinds LIST] [--behaviours LIST]
 *                    [--liveness [--recovery D]] [--expect oracles|all] [--set K=V] [--json]
 *
 * Each seed draws a random fault schedule within a budget (sim/scenario/swarm.h), overlays it
 * on the scenario, and runs the result as a trial (sim/cli/trial.h), J at a time, with a
 * progress line on stderr. A seed fails when the run fails the oracles (safety, data
 * availability), an expectation it keeps, or crashes; each failing seed is written to
 * DIR/NAME-seed-S.ini, a standalone scenario that `shotglass run` replays to the same failure
 * (the drawn faults are plain [fault.explore-*] groups, the seed is fixed). What is printed on
 * stdout depends only on the scenario, the flags and the seeds, never on --jobs or timing.
 *
 * Expectations: by default only the scenario's `safety` and `da_available` lines are kept
 * (with random faults, a bound the scenario states for its own fault-free run, such as
 * failed_views == 0, does not apply; the oracles do); `--expect all` keeps every line. In
 * liveness mode every fault heals and a recovery expectation is added (swarm.h).
 *
 * Exit codes: 0 no seed failed, 1 some did, 2 bad usage or scenario, 130 interrupted.
 */
#ifndef SHOTGLASS_SIM_EXPLORE_H
#define SHOTGLASS_SIM_EXPLORE_H

int sim_explore_main(int argc, char **argv);

#endif
