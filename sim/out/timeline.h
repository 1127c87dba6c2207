/*
 * A timeline of a run in the Chrome trace-event JSON format, the format chrome://tracing and
 * Perfetto (ui.perfetto.dev) open: {"traceEvents": [...], "displayTimeUnit": "ms"}.
 *
 * What it records. The timeline is fed what a SimRunObserver sees (notes and decides, with the
 * time the node's work completed) and, at the end, the fault windows of the run:
 *
 *   process "validators" (pid 1), one thread per recorded validator (tid = node id + 1, named
 *   "node N"; sorted by node id)
 *     "X"  "view V"   cat "view"       from entering view V to entering the next view (or the
 *                                      end of the run); args: view, reason (how it was entered,
 *                                      proto_view_reason_name), leader (of view V)
 *     "i"  "proposed"                  cat "consensus"  args: view, evidence (none/tc/view_sync)
 *     "i"  "voted"                     cat "consensus"  args: view
 *     "i"  "qc_formed"                 cat "consensus"  args: view (the certified view), signers
 *     "i"  "unsafe_proposal"           cat "consensus"  args: view
 *     "i"  "fetch"                     cat "consensus"  args: peer (asked for a missing leaf)
 *     "i"  "timed_out"                 cat "timeout"    args: view, consecutive
 *     "i"  "tc_formed"                 cat "timeout"    args: view (the timed-out view), signers
 *     "i"  "view_sync_started"         cat "view_sync"  args: round, relay
 *     "i"  "view_sync_cert"            cat "view_sync"  args: round, certificate
 *     "i"  "rejected"                  cat "reject"     args: error (proto_strerror), code,
 *                                                       message (type name, when the note
 *                                                       names a valid message type)
 *     "i"  "da_stored" "share_stored"  cat "da"         args: view, bytes / weight
 *     "i"  "dac_formed" "block_ready"  cat "da"         args: view, signers / bytes
 *     "i"  "decide"                    cat "decide"     args: leaves, height_first,
 *                                                       height_last, view_first, view_last
 *   process "faults" (pid 2), one thread per fault (tid = index + 1, in the order added)
 *     "X"  NAME       cat "fault"      from its start to its end (or the end of the run);
 *                                      args: kind, nodes, ended
 *   process "epochs" (pid 3, with epochs only), one thread "epochs" (tid 1)
 *     "X"  "epoch E"  cat "epoch"      from the first decide of its first block (epoch 1: 0) to
 *                                      that of the next epoch's (or the end of the run); args:
 *                                      epoch, validators, stake, transition_views (of the
 *                                      transition out of it; 0 when it did not complete)
 *   process "L1 side" (pid 4), with [l1]: one thread per track the caller names (tid = order
 *   of first use + 1): for each L1 its blocks and its prover, for each rollup its settlement
 *     "i"  NAME       cat "l1"         an instant (an L1 block, an update taken, final, undone)
 *     "X"  NAME       cat "l1"         a span (a proof being made); args: height
 *
 * Instants are thread-scoped ("s": "t"). Every event carries name, cat, ph, ts, pid, tid and
 * args; "M" metadata events (process_name, process_sort_index, thread_name, thread_sort_index)
 * label the tracks. Times are whole microseconds of virtual time, truncated (a span's "dur" is
 * its end truncated minus its start truncated, so spans that touch still touch); events within
 * one microsecond keep their exact order in the file.
 *
 * Sampling. Large runs record a sample of validators in full and, for every other validator,
 * only its work as a leader, so every leader's work appears while the file stays small. A
 * validator outside the sample keeps: its span of each view V it leads, PROPOSED, BLOCK_READY
 * and DAC_FORMED of a view V it leads, and QC_FORMED and TC_FORMED of view V when it leads V + 1
 * (votes and timeout votes of V go to the leader of V + 1, who forms the certificate that lets
 * it lead). Its track is named "node N (leader only)" and sorted after the sample's.
 *
 * Determinism. Events are kept in a flat array of fixed-size records in arrival order and
 * written sorted by (track, time, spans before instants, arrival), a total order; nothing is
 * keyed by pointer or hash, so the same run gives a byte-identical file (times are integers,
 * so no floating-point formatting is involved).
 *
 * Memory: 48 bytes per recorded event plus 24 bytes per validator; the file is written event
 * by event (each event one json-glib object on its own line), never held whole in memory.
 */
#ifndef SHOTGLASS_SIM_TIMELINE_H
#define SHOTGLASS_SIM_TIMELINE_H

#include "protocol/node.h"
#include "protocol/stake.h"
#include "sim/net/nodeset.h"
#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

/* The sample size a results folder uses for large runs. */
#define SIM_TIMELINE_SAMPLE_DEFAULT 32

/* Process ids of the two groups of tracks. */
#define SIM_TIMELINE_PID_VALIDATORS 1
#define SIM_TIMELINE_PID_FAULTS     2
#define SIM_TIMELINE_PID_EPOCHS     3
#define SIM_TIMELINE_PID_L1         4 /* the L1 side's tracks, with [l1] */

typedef struct SimTimeline SimTimeline;

/*
 * Creates an empty timeline over validators [0, node_count). `stake` is borrowed and must stay
 * valid until the timeline is freed (it names the leaders). `sample` (copied; NULL: every node)
 * is the set recorded in full and must range over `node_count` ids.
 */
SimTimeline *sim_timeline_new(uint32_t node_count, const ProtoStakeTable *stake,
                              const SimNodeSet *sample);
void sim_timeline_free(SimTimeline *timeline);

/* The leader of `view` when the stake table alone does not say (epochs: sim_run_leader). */
typedef ProtoNodeId (*SimTimelineLeaderFn)(const void *data, uint64_t view);

/* Names leaders with `leader` (`data` borrowed, valid until the timeline is freed) instead of
 * the stake table; NULL goes back to the table. */
void sim_timeline_set_leader(SimTimeline *timeline, SimTimelineLeaderFn leader, const void *data);

/*
 * Records what validator `node` reported at virtual time `now`: a NOTE or DECIDE action, as a
 * SimRunObserver receives it (`action` is borrowed and not kept). Other action kinds are
 * ignored. Calls for one node come in non-decreasing `now` in the simulator (a host's CPU does
 * one thing at a time); should one not, its view span starts where the previous one ended, so a
 * node's spans never overlap.
 */
void sim_timeline_on_action(SimTimeline *timeline, uint32_t node, const ProtoAction *action,
                            SimTime now);

/*
 * Adds a fault window: `name`, `kind` and `nodes` (text for the args; copied; `nodes` may be
 * NULL) from `start` to `end` (SIM_TIME_NONE: still on at the end of the run). Add only faults
 * that started; `end`, when set, is not before `start`.
 */
void sim_timeline_add_fault(SimTimeline *timeline, const char *name, const char *kind,
                            SimTime start, SimTime end, const char *nodes);

/* An epoch's span (see the file comment). */
typedef struct SimTimelineEpoch {
    uint64_t epoch;
    SimTime start;
    SimTime end; /* SIM_TIME_NONE: still on at the end of the run */
    uint32_t validators;
    uint64_t stake;
    uint64_t transition_views;
} SimTimelineEpoch;

/* Adds an epoch's span (copied; `end`, when set, is not before `start`). */
void sim_timeline_add_epoch(SimTimeline *timeline, const SimTimelineEpoch *epoch);
/* Adds an event of the L1 side on the track named `track` (copied; a new name opens a new
 * track): an instant at `start` when `end` is SIM_TIME_NONE, else a span to `end` (not before
 * `start`), named `name` (copied), with args.height `height`. Events of a track are written in
 * the order added, which must be by time. */
void sim_timeline_add_l1(SimTimeline *timeline, const char *track, const char *name, SimTime start,
                         SimTime end, uint64_t height);

/* Forgets the L1 side's events and tracks (to add them again as they stand). */
void sim_timeline_clear_l1(SimTimeline *timeline);

/* Events recorded so far (view spans are counted when they close). */
size_t sim_timeline_event_count(const SimTimeline *timeline);

/*
 * Writes the trace to `path` through a temporary file (`path`.tmp) renamed into place, closing
 * the views still open and the faults still on at `end_of_run`, or at the latest time recorded
 * if that is later (a node's work may complete after the engine's last event). The content is
 * unchanged (the records are sorted in place), so the timeline may go on recording and be
 * written again. Returns FALSE with `error` (G_IO_ERROR domain) when the file cannot be written;
 * the temporary file is then removed and a previous file at `path` is left as it was.
 */
gboolean sim_timeline_write(SimTimeline *timeline, const char *path, SimTime end_of_run,
                            GError **error);

/*
 * Initialises `out` over `node_count` ids with the default sample: every node when node_count
 * <= max_nodes, otherwise max_nodes ids spread evenly, floor(i * node_count / max_nodes) for
 * i = 0 .. max_nodes - 1 (so node 0 is always in). Deterministic. `max_nodes` must be positive.
 * Release `out` with sim_node_set_clear.
 */
void sim_timeline_default_sample(uint32_t node_count, uint32_t max_nodes, SimNodeSet *out);

#endif
