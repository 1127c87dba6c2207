/*
 * The results folder of a run (`shotglass run FILE --out DIR`):
 *
 *   summary.json     what ran (scenario, its hash, overrides, seed, version), whether it
 *                    completed and passed, the trace digest, the scenario's warnings
 *                    (sim/scenario/scenario.h), oracle verdicts, expectations
 *                    with their measured values, and headline metrics
 *   scenario.ini     the scenario file as it was read
 *   views.csv        one row per view: leader, outcome, proposal and decide times, timeouts
 *   blocks.csv       one row per decided block: height, view, proposal and first decide times
 *   throughput.csv   per second of virtual time: blocks, payload bytes and (with a workload;
 *                    otherwise empty) transactions decided
 *   latency.csv      finality (and, with a workload, transaction) latency percentiles
 *   latency_histogram.csv  the same latencies counted in bins [from, to) a tenth of a decade
 *                    wide (edges 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 times a power of ten)
 *   nodes.csv        one row per validator: region, CPU busy time, queueing, traffic totals
 *   node_types.csv   one row per validator and message type: messages and bytes each way
 *   roles.csv        bytes and messages by role and message type (with the data path)
 *   faults.csv       each fault: kind, start, end, whom it hit (the validators for node faults;
 *                    the groups, or "from X to Y", as written, for link faults)
 *   leader_queue.csv per proposal: the leader's uplink backlog then
 *   timeline.json    a Chrome trace-event timeline (chrome://tracing, Perfetto): a track per
 *                    validator of a sample, plus every leader's work, and the fault windows
 *   digests.csv      the trace digest after every SIM_TRACE_EVERY_DEFAULT events and at the
 *                    end (sim/out/trace.h), for `shotglass diff` to find where two runs part
 *
 * and, drawn afterwards from these files by `shotglass run` (sim/plot/plot_run.h,
 * sim/plot/report.h), plots/ and report.html.
 *
 * Times are in seconds (virtual unless named wall). Every file is written to a temporary name
 * and renamed into place, so a reader never sees half a file; summary.json is written last and
 * says "complete": false for a run that was interrupted.
 */
#ifndef SHOTGLASS_SIM_RESULTS_H
#define SHOTGLASS_SIM_RESULTS_H

#include "sim/run/expect.h"
#include "sim/run/run.h"
#include "sim/scenario/scenario.h"

#include <glib.h>
#include <json-glib/json-glib.h>

/* Samples taken during the run for the results (install with sim_recorder_observe): the
 * leader's uplink backlog at each proposal, and the timeline (timeline.json, sim/out/timeline.h)
 * of a sample of validators plus every leader. `timeline` chooses the sample: NULL for the
 * default (SIM_TIMELINE_SAMPLE_DEFAULT validators spread evenly over the ids), a number N for
 * N of them (0: no timeline), or a node selector (sim/run/selector.h) without leader terms, such
 * as "0-9,region(eu-west-1)". */
typedef struct SimRecorder SimRecorder;

SimRecorder *sim_recorder_new(const char *timeline);
void sim_recorder_free(SimRecorder *recorder);

/* Points `config`'s observer at the recorder (call before sim_run_new) and, once the run is
 * built, lets it read the run (call after, before the run starts; with the observer in place
 * this also starts the digest checkpoints); this chooses the timeline's sample, and fails
 * (G_OPTION_ERROR) when `timeline` is neither a number nor a selector of this run. */
void sim_recorder_observe(SimRecorder *recorder, SimRunConfig *config);
gboolean sim_recorder_attach(SimRecorder *recorder, const SimRun *run, GError **error);

typedef struct SimResultsInfo {
    const SimScenario *scenario;
    const char *const *overrides; /* as given on the command line; may be NULL */
    const SimExpectResult *results;
    double wall_seconds;
    gboolean complete;
    gboolean passed; /* every expectation and oracle held: `shotglass run` would exit 0 */
} SimResultsInfo;

/* Reads the JSON file `path` whose root must be an object (a summary.json). json-glib parses
 * recursively, so nesting deeper than SIM_RESULTS_JSON_DEPTH is refused before it parses.
 * Returns the parser (g_object_unref; its root is the object) or NULL with a G_FILE_ERROR
 * whose message names the file. */
#define SIM_RESULTS_JSON_DEPTH 64
JsonParser *sim_results_read_json(const char *path, GError **error);

/* Appends `text` to a CSV row as one field: as it is, or quoted when it holds a comma, a quote
 * or a line break (a quote inside doubled), as RFC 4180 has it. */
void sim_csv_append_field(GString *out, const char *text);

/* Writes the folder `dir` (created if needed). */
gboolean sim_results_write(const char *dir, const SimRun *run, const SimRecorder *recorder,
                           const SimResultsInfo *info, GError **error);

/* Writes the summary.json of `run` alone to the file `path` (its folder created if needed),
 * through a temporary file and a rename, so a reader sees the old file or the new one whole:
 * the same text as the results folder's summary.json, without recording or writing the
 * rest. Returns FALSE with a G_FILE_ERROR naming the path when it cannot be written. */
gboolean sim_results_write_summary(const char *path, const SimRun *run, const SimResultsInfo *info,
                                   GError **error);

#endif
