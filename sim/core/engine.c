/*
 * The run loop. See engine.h for the contract; this file holds the pool and the digest buffer.
 *
 * Pool: event bodies live in a growable array of slots; free slots form a stack linked through
 * the slots themselves (no side array).
 * A slot stays allocated until its heap entry is popped, even when cancelled, so the number of
 * slots in use always equals the heap length and both share the `pending_max` bound. Slots are
 * handed out from the stack first, then from the never-used tail of the array, so the memory
 * touched (and resident) follows the peak number of pending events, not the array's capacity.
 *
 * Digest: folding 30 bytes per event straight into BLAKE2b would cost a function call and a
 * partial-block copy per event, so records are appended to a 4 KiB buffer that is hashed when
 * full. The byte stream hashed is the same either way; only the batching differs.
 */
#include "sim/core/engine.h"

#include "sim/core/assert.h"
#include "sim/core/event_queue.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { SLOT_FREE, SLOT_PENDING, SLOT_CANCELLED };

typedef struct Slot {
    void *payload;
    uint64_t arg; /* a free slot: the index of the next free slot (free_len says how many) */
    uint32_t target;
    uint32_t source;
    uint32_t generation;
    uint16_t kind;
    uint8_t state;
} Slot;

_Static_assert(sizeof(Slot) == 32, "event slots are 32 bytes");

typedef struct Kind {
    const char *name;
    SimEventHandler handler;
    SimEventDiscard discard;
    void *user_data;
    SimKindFlags flags;
} Kind;

#define DIGEST_BUFFER_BYTES 4096
#define DIGEST_RECORD_BYTES SIM_ENGINE_RECORD_BYTES

struct SimEngine {
    SimTime now;
    uint64_t seed;
    uint64_t seq_next;
    uint64_t events_run;
    uint64_t trace_events; /* digested events run */
    SimEngineTap tap;      /* tap.event == NULL: none */
    SimEventQueue queue;
    Slot *slots;
    uint32_t free_head; /* the free slots form a stack linked through their `arg` */
    size_t slot_capacity;
    size_t slot_used; /* slots [0, slot_used) have been handed out at least once */
    size_t free_len;  /* how many are on it */
    size_t pending_max;
    size_t pending_peak;
    Kind kinds[SIM_EVENT_KINDS_MAX];
    uint16_t kind_count;
    gboolean running;
    gboolean stop_requested;
    gboolean overflowed; /* more than pending_max events were pending at once */
    const char *stop_reason;
    crypto_generichash_state digest;
    size_t digest_buffer_len;
    uint8_t digest_buffer[DIGEST_BUFFER_BYTES];
};

static void engine_assert_context(void *user_data)
{
    const SimEngine *engine = user_data;
    fprintf(stderr, "  virtual time %" PRIu64 " ns, seed %" PRIu64 ", %" PRIu64 " events run\n",
            engine->now, engine->seed, engine->events_run);
}

SimEngine *sim_engine_new(uint64_t seed, size_t pending_max)
{
    SIM_ASSERT(pending_max > 0);
    SIM_ASSERT(pending_max <= UINT32_MAX);
    SIM_ASSERT(sodium_init() >= 0);
    SimEngine *engine = g_new0(SimEngine, 1);
    engine->seed = seed;
    engine->seq_next = 1;
    engine->pending_max = pending_max;
    sim_event_queue_init(&engine->queue, SIM_ENGINE_PENDING_HARD);
    crypto_generichash_init(&engine->digest, NULL, 0, SIM_DIGEST_BYTES);
    sim_assert_set_context(engine_assert_context, engine);
    return engine;
}

static void slot_release(SimEngine *engine, uint32_t index)
{
    Slot *slot = &engine->slots[index];
    SIM_ASSERT(slot->state != SLOT_FREE);
    slot->state = SLOT_FREE;
    slot->payload = NULL;
    slot->generation++;
    if (slot->generation == 0) slot->generation = 1;
    slot->arg = engine->free_head;
    engine->free_head = index;
    engine->free_len++;
}

void sim_engine_free(SimEngine *engine)
{
    if (engine == NULL) return;
    SIM_ASSERT(!engine->running);
    while (sim_event_queue_len(&engine->queue) > 0) {
        SimQueueEntry entry = sim_event_queue_pop(&engine->queue);
        uint32_t index = sim_queue_entry_slot(&entry);
        Slot *slot = &engine->slots[index];
        const Kind *kind = &engine->kinds[slot->kind];
        if (slot->state == SLOT_PENDING && kind->discard != NULL) {
            kind->discard(slot->payload, kind->user_data);
        }
        slot_release(engine, index);
    }
    SIM_ASSERT(engine->free_len == engine->slot_used);
    sim_event_queue_clear(&engine->queue);
    g_free(engine->slots);
    sim_assert_set_context(NULL, NULL);
    g_free(engine);
}

uint16_t sim_engine_register(SimEngine *engine, const char *name, SimEventHandler handler,
                             SimEventDiscard discard, void *user_data, SimKindFlags flags)
{
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(handler != NULL);
    SIM_ASSERT(engine->kind_count < SIM_EVENT_KINDS_MAX);
    uint16_t id = engine->kind_count++;
    engine->kinds[id] = (Kind){name, handler, discard, user_data, flags};
    return id;
}

static void pool_grow(SimEngine *engine)
{
    size_t old = engine->slot_capacity;
    SIM_ASSERT(old < SIM_ENGINE_PENDING_HARD);
    size_t capacity = old == 0 ? 1024 : old * 2;
    if (capacity > SIM_ENGINE_PENDING_HARD) capacity = SIM_ENGINE_PENDING_HARD;
    /* The new tail is left untouched (not resident) until slot_take hands it out. */
    engine->slots = g_renew(Slot, engine->slots, capacity);
    engine->slot_capacity = capacity;
}

/* A free slot's index: the most recently released one, else the lowest never used. */
static uint32_t slot_take(SimEngine *engine)
{
    if (engine->free_len > 0) {
        uint32_t index = engine->free_head;
        engine->free_head = (uint32_t)engine->slots[index].arg;
        engine->free_len--;
        return index;
    }
    if (engine->slot_used == engine->slot_capacity) pool_grow(engine);
    uint32_t index = (uint32_t)engine->slot_used++;
    engine->slots[index] = (Slot){.generation = 1, .state = SLOT_FREE};
    return index;
}

SimEventId sim_engine_schedule(SimEngine *engine, SimTime time, uint16_t kind, uint32_t target,
                               uint32_t source, void *payload, uint64_t arg)
{
    SIM_ASSERT(time >= engine->now);
    SIM_ASSERT(time != SIM_TIME_NONE);
    SIM_ASSERT(kind < engine->kind_count);
    uint32_t index = slot_take(engine);
    Slot *slot = &engine->slots[index];
    SIM_ASSERT(slot->state == SLOT_FREE);
    slot->payload = payload;
    slot->arg = arg;
    slot->target = target;
    slot->source = source;
    slot->kind = kind;
    slot->state = SLOT_PENDING;
    if (engine->seq_next > SIM_QUEUE_SEQ_MAX) { /* after 2^34 schedules: order-preserving */
        engine->seq_next = sim_event_queue_renumber(&engine->queue);
    }
    sim_event_queue_push(&engine->queue, sim_queue_entry(time, engine->seq_next++, index));
    size_t pending = sim_event_queue_len(&engine->queue);
    if (pending > engine->pending_peak) engine->pending_peak = pending;
    if (pending > engine->pending_max && !engine->overflowed) {
        /* What a scenario asks for (a workload the network cannot carry) is no programmer
         * error: the run stops after this event, with a reason; the event is kept. */
        engine->overflowed = TRUE;
        sim_engine_request_stop(engine, "too many events pending at once");
    }
    return ((SimEventId)slot->generation << 32) | index;
}

static Slot *slot_of(const SimEngine *engine, SimEventId id)
{
    if (id == SIM_EVENT_NONE) return NULL;
    uint32_t index = (uint32_t)id;
    uint32_t generation = (uint32_t)(id >> 32);
    if (index >= engine->slot_used) return NULL;
    Slot *slot = &engine->slots[index];
    return slot->generation == generation && slot->state == SLOT_PENDING ? slot : NULL;
}

gboolean sim_engine_cancel(SimEngine *engine, SimEventId id)
{
    Slot *slot = slot_of(engine, id);
    if (slot == NULL) return FALSE;
    const Kind *kind = &engine->kinds[slot->kind];
    slot->state = SLOT_CANCELLED;
    if (kind->discard != NULL) kind->discard(slot->payload, kind->user_data);
    slot->payload = NULL;
    return TRUE;
}

gboolean sim_engine_is_pending(const SimEngine *engine, SimEventId id)
{
    return slot_of(engine, id) != NULL;
}

static void digest_flush(SimEngine *engine)
{
    crypto_generichash_update(&engine->digest, engine->digest_buffer, engine->digest_buffer_len);
    engine->digest_buffer_len = 0;
}

void sim_engine_digest_add(SimEngine *engine, const void *data, size_t len)
{
    SIM_ASSERT(data != NULL || len == 0);
    if (engine->tap.bytes != NULL) engine->tap.bytes(engine->tap.user_data, data, len);
    if (engine->digest_buffer_len + len > DIGEST_BUFFER_BYTES) digest_flush(engine);
    if (len > DIGEST_BUFFER_BYTES) {
        crypto_generichash_update(&engine->digest, data, len);
        return;
    }
    memcpy(engine->digest_buffer + engine->digest_buffer_len, data, len);
    engine->digest_buffer_len += len;
}

static inline void put_le64(uint8_t *out, uint64_t value)
{
    value = GUINT64_TO_LE(value);
    memcpy(out, &value, sizeof value);
}

static inline void put_le32(uint8_t *out, uint32_t value)
{
    value = GUINT32_TO_LE(value);
    memcpy(out, &value, sizeof value);
}

/* The record, little-endian whatever the host: time, kind, target, source, argument. */
static inline void encode_record(uint8_t *out, const SimEvent *event)
{
    put_le64(out, event->time);
    uint16_t kind = GUINT16_TO_LE(event->kind);
    memcpy(out + 8, &kind, sizeof kind);
    put_le32(out + 10, event->target);
    put_le32(out + 14, event->source);
    put_le64(out + 18, event->arg);
}

static void digest_event(SimEngine *engine, const SimEvent *event)
{
    engine->trace_events++;
    if (engine->digest_buffer_len + DIGEST_RECORD_BYTES > DIGEST_BUFFER_BYTES) {
        digest_flush(engine);
    }
    if (engine->tap.event != NULL) { /* the slow path: the tap sees the record first */
        uint8_t record[DIGEST_RECORD_BYTES];
        encode_record(record, event);
        /* The tap may flush the buffer (sim_engine_digest), which only makes room. */
        engine->tap.event(engine->tap.user_data, event, engine->trace_events, record);
        memcpy(engine->digest_buffer + engine->digest_buffer_len, record, DIGEST_RECORD_BYTES);
    } else {
        encode_record(engine->digest_buffer + engine->digest_buffer_len, event);
    }
    engine->digest_buffer_len += DIGEST_RECORD_BYTES;
}

void sim_engine_digest(SimEngine *engine, uint8_t out[SIM_DIGEST_BYTES])
{
    digest_flush(engine);
    crypto_generichash_state copy = engine->digest;
    crypto_generichash_final(&copy, out, SIM_DIGEST_BYTES);
}

void sim_engine_digest_hex(SimEngine *engine, char out[2 * SIM_DIGEST_BYTES + 1])
{
    uint8_t digest[SIM_DIGEST_BYTES];
    sim_engine_digest(engine, digest);
    sodium_bin2hex(out, 2 * SIM_DIGEST_BYTES + 1, digest, sizeof digest);
}

/* Pops the next live event into `event`; returns FALSE when a limit or emptiness stops. */
static gboolean next_event(SimEngine *engine, const SimEngineLimits *limits, SimEvent *event,
                           SimStopReason *reason)
{
    for (;;) {
        if (sim_event_queue_len(&engine->queue) == 0) {
            *reason = SIM_STOP_EMPTY;
            return FALSE;
        }
        const SimQueueEntry *top = sim_event_queue_peek(&engine->queue);
        if (top->time > limits->end_time) {
            engine->now = limits->end_time;
            *reason = SIM_STOP_END_TIME;
            return FALSE;
        }
        if (limits->events_max != 0 && engine->events_run >= limits->events_max) {
            *reason = SIM_STOP_MAX_EVENTS;
            return FALSE;
        }
        SimQueueEntry entry = sim_event_queue_pop(&engine->queue);
        /* The next event to run is now at the top: start fetching its body so the cache miss
         * overlaps with this event's handler instead of stalling the next pop. */
        if (sim_event_queue_len(&engine->queue) > 0) {
            __builtin_prefetch(
                &engine->slots[sim_queue_entry_slot(sim_event_queue_peek(&engine->queue))]);
        }
        uint32_t index = sim_queue_entry_slot(&entry);
        Slot *slot = &engine->slots[index];
        gboolean live = slot->state == SLOT_PENDING;
        if (live) {
            *event = (SimEvent){entry.time,    sim_queue_entry_seq(&entry),
                                slot->payload, slot->arg,
                                slot->target,  slot->source,
                                slot->kind};
        }
        slot_release(engine, index);
        if (live) return TRUE;
    }
}

SimStopReason sim_engine_run(SimEngine *engine, const SimEngineLimits *limits)
{
    SIM_ASSERT(limits != NULL);
    SIM_ASSERT(!engine->running);
    if (engine->stop_requested) { /* asked between runs: stop before the first event */
        engine->stop_requested = FALSE;
        return SIM_STOP_REQUESTED;
    }
    engine->running = TRUE;
    SimStopReason reason = SIM_STOP_EMPTY;
    SimEvent event;
    while (next_event(engine, limits, &event, &reason)) {
        SIM_ASSERT(event.time >= engine->now);
        engine->now = event.time;
        engine->events_run++;
        const Kind *kind = &engine->kinds[event.kind];
        if (kind->flags & SIM_KIND_DIGEST) digest_event(engine, &event);
        kind->handler(engine, &event, kind->user_data);
        if (engine->stop_requested) {
            engine->stop_requested = FALSE; /* a later run continues */
            reason = SIM_STOP_REQUESTED;
            break;
        }
    }
    engine->running = FALSE;
    return reason;
}

void sim_engine_request_stop(SimEngine *engine, const char *reason)
{
    engine->stop_requested = TRUE;
    engine->stop_reason = reason;
}

gboolean sim_engine_overflowed(const SimEngine *engine)
{
    return engine->overflowed;
}

const char *sim_engine_stop_request_reason(const SimEngine *engine)
{
    return engine->stop_reason;
}

SimTime sim_engine_now(const SimEngine *engine)
{
    return engine->now;
}

uint64_t sim_engine_seed(const SimEngine *engine)
{
    return engine->seed;
}

uint64_t sim_engine_events_run(const SimEngine *engine)
{
    return engine->events_run;
}

size_t sim_engine_pending(const SimEngine *engine)
{
    return sim_event_queue_len(&engine->queue);
}

size_t sim_engine_pending_peak(const SimEngine *engine)
{
    return engine->pending_peak;
}

const char *sim_engine_kind_name(const SimEngine *engine, uint16_t kind)
{
    SIM_ASSERT(kind < engine->kind_count);
    return engine->kinds[kind].name;
}

void sim_engine_set_tap(SimEngine *engine, const SimEngineTap *tap)
{
    SIM_ASSERT(engine != NULL);
    if (tap == NULL) {
        engine->tap = (SimEngineTap){0};
        return;
    }
    SIM_ASSERT(tap->event != NULL);
    SIM_ASSERT(engine->tap.event == NULL);
    engine->tap = *tap;
}

uint64_t sim_engine_trace_events(const SimEngine *engine)
{
    return engine->trace_events;
}

const char *sim_stop_reason_name(SimStopReason reason)
{
    switch (reason) {
    case SIM_STOP_EMPTY:
        return "no events left";
    case SIM_STOP_END_TIME:
        return "end time reached";
    case SIM_STOP_MAX_EVENTS:
        return "event budget spent";
    case SIM_STOP_REQUESTED:
        return "stop requested";
    }
    SIM_UNREACHABLE();
}
