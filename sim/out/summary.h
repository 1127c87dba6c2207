/*
 * The human-readable account of a run that `shotglass run` prints: the set-up, progress,
 * decided blocks, latency percentiles, failed views and why, safety, traffic, the data path
 * and the trace digest. Wall-clock figures are printed apart, on their own line, since they are
 * the only part of the output that varies from run to run.
 */
#ifndef SHOTGLASS_SIM_SUMMARY_H
#define SHOTGLASS_SIM_SUMMARY_H

#include "sim/run/run.h"

/* Two lines: validators, placement, links, jitter; seed, crypto, leader and decide rules. */
void sim_summary_print_header(const SimRunConfig *config);

/* The result of a finished run, to stdout; `warnings` (char *, borrowed; may be NULL) are the
 * scenario's warnings, listed after the data path. */
void sim_summary_print(SimRun *run, const GPtrArray *warnings, double wall_seconds);

#endif
