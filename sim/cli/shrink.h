/*
 * `shotglass shrink FAILING.ini`: cuts a failing scenario down to a small one that still fails
 * the same way.
 *
 *   shotglass shrink FILE [-o OUT] [--failure TAG] [--max-runs N] [--quiet]
 *
 * The file is run as a trial (sim/cli/trial.h); its first failure tag ("safety:agreement",
 * "expect:decided_blocks >= 95", "crash:protocol/da.c:120", ...), or the one --failure names,
 * is the failure to keep. Then, until nothing changes:
 *   1. delta debugging (Zeller's ddmin) over the [fault.*] groups: drop the groups the failure
 *      does not need;
 *   2. ddmin over the validators of every fault's `nodes` (Byzantine, crashed ... nodes);
 *   3. each fault's window shortened: `duration` and `views` halved while it still fails;
 *   4. fewer validators ([consensus] nodes, with the DA committee no larger), and fewer views
 *      ([scenario] views; `duration` when the run is bounded by time), by bisection.
 * A candidate is kept only if it is a valid scenario and its run fails with the same tag; a
 * candidate that no longer validates (a fault naming a validator that is gone) is rejected.
 * Everything is sequential and every run deterministic, so shrinking is too.
 *
 * The result is printed and written to OUT (default FILE with .ini replaced by .min.ini).
 * Exit codes: 0 written, 2 bad usage, or FILE does not fail (nothing to shrink), 130
 * interrupted (the smallest failing scenario so far is written).
 */
#ifndef SHOTGLASS_SIM_SHRINK_H
#define SHOTGLASS_SIM_SHRINK_H

int sim_shrink_main(int argc, char **argv);

#endif
