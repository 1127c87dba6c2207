/*
 * HotShot at scale: `shotglass bench consensus` runs one scenario and reports node-views per
 * second and memory per node.
 */
#ifndef SHOTGLASS_BENCH_CONSENSUS_H
#define SHOTGLASS_BENCH_CONSENSUS_H

/* Entry point of `shotglass bench consensus ...`; returns the process exit code. */
int bench_consensus_main(int argc, char **argv);

#endif
