/*
 * The discrete-event engine: virtual clock, pooled events, the run loop, the trace digest and
 * the stop conditions.
 *
 * An event is a small fixed-size record (time, kind, target, source, payload pointer, 64-bit
 * argument) drawn from a pool. Kinds are registered once with a handler; the engine pops events
 * in (time, sequence) order and calls the kind's handler with a copy of the record. A handler may
 * schedule and cancel events, including for the current instant, which then run after it: the
 * engine never calls a handler from inside another (no re-entry), and sim_engine_run refuses to
 * be called from a handler.
 *
 * Cancellation is lazy: sim_engine_cancel marks the pooled record as a tombstone and the run
 * loop frees it when its heap entry surfaces. Event ids carry a generation, so cancelling an
 * event that already ran (or whose slot was reused) is a harmless no-op that returns FALSE.
 *
 * The trace digest is a running BLAKE2b-256 over every dispatched event of a digested kind
 * (time, kind, target, source, argument) plus whatever the handlers add with
 * sim_engine_digest_add (the network adds each delivered message's content digest, a
 * checksum of its bytes: see sim_message_new). Two runs
 * are the same run exactly when their digests are equal. Payload pointers are never folded in.
 *
 * The trace is that byte stream, event by event: each digested event's record
 * (SIM_ENGINE_RECORD_BYTES: time, kind, target, source, argument, little-endian) followed by the
 * bytes its handler added. A tap (sim_engine_set_tap) sees it as it is made, for checkpoints of
 * the digest and for per-event detail (sim/out/trace.h); an engine without a tap pays one
 * untaken branch per event for it.
 */
#ifndef SHOTGLASS_SIM_ENGINE_H
#define SHOTGLASS_SIM_ENGINE_H

#include "sim/core/time.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SimEngine SimEngine;

/* (generation << 32) | slot. SIM_EVENT_NONE is never a valid id. */
typedef uint64_t SimEventId;
#define SIM_EVENT_NONE ((SimEventId)0)

#define SIM_EVENT_KINDS_MAX 64
#define SIM_DIGEST_BYTES    32

/* What a handler receives: a copy of the event, valid for the duration of the call. */
typedef struct SimEvent {
    SimTime time;
    uint64_t seq;  /* rank among pending events in scheduling order (renumbered, order kept,
                      after 2^34 schedules) */
    void *payload; /* ownership as agreed by the kind's scheduler and handler */
    uint64_t arg;
    uint32_t target;
    uint32_t source;
    uint16_t kind;
} SimEvent;

typedef void (*SimEventHandler)(SimEngine *engine, const SimEvent *event, void *user_data);

/* Called for the payload of an event that is cancelled or still pending when the engine is
 * freed, so payloads never leak. May be NULL when payloads are not owned by the event. */
typedef void (*SimEventDiscard)(void *payload, void *user_data);

typedef enum SimKindFlags {
    SIM_KIND_DIGEST = 1 << 0, /* fold each dispatched event into the trace digest */
} SimKindFlags;

typedef enum SimStopReason {
    SIM_STOP_EMPTY,      /* nothing left to do */
    SIM_STOP_END_TIME,   /* the next event lies beyond the end time */
    SIM_STOP_MAX_EVENTS, /* the event budget is spent */
    SIM_STOP_REQUESTED,  /* sim_engine_request_stop was called (e.g. by an oracle) */
} SimStopReason;

typedef struct SimEngineLimits {
    SimTime end_time;    /* events later than this are not run; SIM_TIME_NONE for no limit */
    uint64_t events_max; /* 0 for no limit */
} SimEngineLimits;

/* The most events that may ever be pending at once (slot indices are 32-bit). */
#define SIM_ENGINE_PENDING_HARD ((size_t)1 << 30)

/*
 * Creates an engine at time 0. `seed` is only reported (assertion failures print it with the
 * virtual time); randomness comes from SimRng streams. `pending_max` bounds the events that may
 * be pending at once, sized from the scenario: when a run goes past it (a workload that outruns
 * the network), the engine stops after the current event, as if asked to, and
 * sim_engine_overflowed() says so. Returns a new engine (sim_engine_free).
 */
SimEngine *sim_engine_new(uint64_t seed, size_t pending_max);

/* Frees the engine, discarding pending events through their kinds' discard functions. */
void sim_engine_free(SimEngine *engine);

/*
 * Registers an event kind. `name` is borrowed (static storage expected) and used in reports;
 * `handler` runs each event; `discard` may be NULL. Returns the kind id. At most
 * SIM_EVENT_KINDS_MAX kinds; registration order must be deterministic (it is part of the
 * digest).
 */
uint16_t sim_engine_register(SimEngine *engine, const char *name, SimEventHandler handler,
                             SimEventDiscard discard, void *user_data, SimKindFlags flags);

/*
 * Schedules an event of `kind` at `time` (>= now; asserted). Returns its id for cancellation.
 * The payload is not touched by the engine except through the kind's discard function.
 */
SimEventId sim_engine_schedule(SimEngine *engine, SimTime time, uint16_t kind, uint32_t target,
                               uint32_t source, void *payload, uint64_t arg);

/*
 * Cancels a pending event. Returns TRUE if it was pending (its payload is discarded through the
 * kind's discard function), FALSE if it already ran, was cancelled or is SIM_EVENT_NONE.
 */
gboolean sim_engine_cancel(SimEngine *engine, SimEventId id);

/* Returns TRUE if `id` is still pending. */
gboolean sim_engine_is_pending(const SimEngine *engine, SimEventId id);

/*
 * Runs events in order until a stop condition holds and returns which. The clock then reads the
 * time of the last event run, or limits->end_time if the run stopped on it. May be called
 * again to continue. Must not be called from a handler.
 */
SimStopReason sim_engine_run(SimEngine *engine, const SimEngineLimits *limits);

/* Asks the run loop to stop after the current event; asked between runs (from a progress
 * callback, a signal handler's flag), the next sim_engine_run returns at once. Each request
 * stops one run. `reason` (borrowed, static) is kept. */
void sim_engine_request_stop(SimEngine *engine, const char *reason);

/* Whether more than `pending_max` events were pending at once (the run was stopped for it). */
gboolean sim_engine_overflowed(const SimEngine *engine);

/* The reason given to the last honoured stop request, or NULL. */
const char *sim_engine_stop_request_reason(const SimEngine *engine);

SimTime sim_engine_now(const SimEngine *engine);
uint64_t sim_engine_seed(const SimEngine *engine);
uint64_t sim_engine_events_run(const SimEngine *engine);
size_t sim_engine_pending(const SimEngine *engine);
size_t sim_engine_pending_peak(const SimEngine *engine);
const char *sim_engine_kind_name(const SimEngine *engine, uint16_t kind);

/* Folds extra bytes into the trace digest, in call order (e.g. a message's content digest). */
void sim_engine_digest_add(SimEngine *engine, const void *data, size_t len);

/* Writes the current trace digest (without ending the stream) to `out`. */
void sim_engine_digest(SimEngine *engine, uint8_t out[SIM_DIGEST_BYTES]);

/* Writes the digest as 64 lowercase hex characters plus NUL into `out`. */
void sim_engine_digest_hex(SimEngine *engine, char out[2 * SIM_DIGEST_BYTES + 1]);

const char *sim_stop_reason_name(SimStopReason reason);

/* --- the trace tap --------------------------------------------------------------------------- */

/* The bytes one digested event contributes before its handler adds any. */
#define SIM_ENGINE_RECORD_BYTES 26

/*
 * An observer of the trace. `event` runs for every digested event before the event is folded
 * into the digest and before its handler runs: sim_engine_digest then covers the events before
 * it, exactly. `index` is the event's position in the trace, from 1; `record` its
 * SIM_ENGINE_RECORD_BYTES bytes (borrowed for the call). `bytes` (may be NULL) runs for every
 * sim_engine_digest_add, with the data borrowed for the call. A tap may read the engine, call
 * sim_engine_digest and sim_engine_request_stop (the event still runs), and nothing else.
 */
typedef struct SimEngineTap {
    void (*event)(void *user_data, const SimEvent *event, uint64_t index, const uint8_t *record);
    void (*bytes)(void *user_data, const void *data, size_t len);
    void *user_data;
} SimEngineTap;

/* Installs `tap` (copied; its `event` must not be NULL), or removes the tap when NULL. At most
 * one tap at a time: installing over another is a programmer error. */
void sim_engine_set_tap(SimEngine *engine, const SimEngineTap *tap);

/* The digested events run so far: the length of the trace in events. */
uint64_t sim_engine_trace_events(const SimEngine *engine);

#endif
