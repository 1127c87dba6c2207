/*
 * The trace of a run, observed as it is made: checkpoints of the trace digest, and the events
 * of a window in detail, for `digests.csv` in a results folder and for `shotglass diff`.
 *
 * The trace is the byte stream the trace digest hashes (sim/core/engine.h): for each event, its
 * record, then what its handler added (the digest of each message it delivered). A checkpoint
 * is the digest of the trace after event N, taken every `every` events and once more at the
 * end; two runs whose checkpoints at N agree ran the same first N events (up to a BLAKE2b
 * collision), so the first checkpoint at which they part brackets their first different event
 * within `every` events. Re-running that window with detail kept (sim_trace_keep) finds the
 * event itself, and names what it did (kind, host, the messages it delivered).
 *
 * How it works: a SimTrace installs the engine's trace tap and the network's delivery tap on a
 * run (one SimTrace per run at a time). Just before event N + 1 is folded in, the engine's
 * digest covers events 1..N exactly; that is when the checkpoint for N is taken. Detail of an
 * event (its record, the bytes and messages its handler added) is complete when the next event
 * starts or the trace is finished. Observing changes nothing in the run: no event, no draw.
 */
#ifndef SHOTGLASS_SIM_TRACE_H
#define SHOTGLASS_SIM_TRACE_H

#include "sim/run/run.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

/* Checkpoints every this many events unless told otherwise (digests.csv uses it). */
#define SIM_TRACE_EVERY_DEFAULT 4096

typedef struct SimTraceCheckpoint {
    uint64_t events; /* the digest covers events 1..events */
    SimTime time;    /* the virtual time of event `events` (0 when there is none) */
    uint8_t digest[SIM_DIGEST_BYTES];
} SimTraceCheckpoint;

/* A message an event delivered to a host. */
typedef struct SimTraceMessage {
    uint32_t host;   /* the receiver */
    uint32_t source; /* the sender */
    uint16_t type;   /* the network's type (sim_network_type_name) */
    uint64_t size;   /* logical bytes */
    uint8_t digest[SIM_MESSAGE_DIGEST_BYTES];
    uint64_t view; /* the view it is about, 0 when it names none or does not decode */
    gboolean decoded;
} SimTraceMessage;

/* One event in detail. */
typedef struct SimTraceEvent {
    uint64_t index;    /* from 1 */
    SimEvent event;    /* payload cleared */
    GByteArray *bytes; /* what the trace digest saw: the record, then what the handler added */
    GArray *messages;  /* SimTraceMessage, in delivery order */
} SimTraceEvent;

typedef struct SimTrace SimTrace;

/*
 * Starts observing `run` (borrowed; must outlive the trace, and must not have run yet): a
 * checkpoint every `every` events (> 0). Installs the run's engine and delivery taps, which
 * sim_trace_free removes. Returns a new trace.
 */
SimTrace *sim_trace_new(const SimRun *run, uint64_t every);
void sim_trace_free(SimTrace *trace);

/* Keeps events first..last (from 1, inclusive) in detail (sim_trace_events). */
void sim_trace_keep(SimTrace *trace, uint64_t first, uint64_t last);

/* Writes every event to `out` (borrowed), one line each as it completes: its key
 * (sim_trace_event_key), then "#" and the delivered messages' types and senders. Large: for
 * checks and debugging. */
void sim_trace_dump(SimTrace *trace, FILE *out);

/* Asks the run to stop once event `events` (> 0) has run. */
void sim_trace_stop_after(SimTrace *trace, uint64_t events);

/* Compares each checkpoint with the one of `reference` (borrowed, SimTraceCheckpoint; must
 * outlive the run) at the same event count, and asks the run to stop at the first that
 * differs: the rest of the run cannot change where two runs first part. */
void sim_trace_watch(SimTrace *trace, const GArray *reference);

/* Ends observation after the run: completes the last event, adds the final checkpoint (all
 * events run, the run's trace digest; not after sim_trace_watch stopped the run) and removes
 * the taps. Later calls do nothing. Free the
 * trace before the run, or after this. */
void sim_trace_finish(SimTrace *trace);

/* The checkpoints so far (SimTraceCheckpoint, in order; owned by the trace). */
const GArray *sim_trace_checkpoints(const SimTrace *trace);

/* The events kept in detail (SimTraceEvent *, in order; owned by the trace). */
const GPtrArray *sim_trace_events(const SimTrace *trace);

/* The checkpoint interval. */
uint64_t sim_trace_every(const SimTrace *trace);

/* Whether sim_trace_watch stopped the run (a checkpoint differed from the reference). */
gboolean sim_trace_parted(const SimTrace *trace);

/* The event as text that is equal for two events exactly when the trace saw the same bytes:
 * index, time in ns, kind id and name, target, source, argument, and the added bytes in hex
 * ("-" for none), space-separated (new string). */
char *sim_trace_event_key(const SimTrace *trace, const SimTraceEvent *event);

/* "event N at T s: KIND, node X ...": one line naming what the event did (new string). */
char *sim_trace_event_describe(const SimTrace *trace, const SimTraceEvent *event);

/* digests.csv: "events,time,digest" and a row per checkpoint (new string). */
GString *sim_trace_csv(const SimTrace *trace);

/* Reads a digests.csv into `out` (SimTraceCheckpoint). FALSE with a G_FILE_ERROR naming the
 * file and line when it is missing or malformed (rows must go up in `events`). */
gboolean sim_trace_read_csv(const char *path, GArray *out, GError **error);

#endif
