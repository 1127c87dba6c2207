/*
 * `shotglass diff`: where two runs first part.
 *
 * The two sides are two scenario files, one file (or the defaults) with different flags per
 * side (--seed-a/--seed-b, --set-a/--set-b), or two results folders. Each run records its trace
 * digest every K events (sim/out/trace.h); the first checkpoint at which the sides differ
 * brackets the first different event within K events, and re-running both sides over that
 * window with every event kept names it: its index, virtual time, kind, host and the messages
 * it delivered, on both sides, with the equal events just before it. A results folder holds
 * its checkpoints (digests.csv) and what is needed to run it again (scenario.ini and the
 * overrides in summary.json); when this build does not reproduce a folder's checkpoints (a
 * folder from another build), only the window is reported.
 *
 * Exit codes: 0 the traces are identical, 1 they differ (the divergence is printed), 2 bad
 * usage, a scenario that does not load, or a folder without its files.
 */
#ifndef SHOTGLASS_SIM_DIFF_H
#define SHOTGLASS_SIM_DIFF_H

int sim_diff_main(int argc, char **argv);

#endif
