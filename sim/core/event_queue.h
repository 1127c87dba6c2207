/*
 * The engine's priority queue: an array-based 4-ary min-heap of (time, sequence, slot) entries.
 *
 * How it works: entries are ordered by time, then by a sequence number the engine assigns when
 * it schedules an event, so the order is total: two distinct entries never compare equal, and
 * events scheduled for the same instant run in the order they were scheduled. The heap holds the
 * ordering key inline so sifting never chases a pointer; the event body lives in the engine's
 * pool and is reached through the slot index only when the entry is popped. An entry is 16
 * bytes: the time, and one word holding the sequence number in its high SIM_QUEUE_SEQ_BITS bits
 * and the slot in its low SIM_QUEUE_SLOT_BITS, so comparing that word compares sequence numbers
 * (which are unique) and a parent's four children span at most two cache lines. When sequence
 * numbers run out (after 2^34 schedules), sim_event_queue_renumber gives the pending entries
 * the numbers 1..n in their order, so the order of everything pending, and of what is scheduled
 * after, is unchanged. A
 * 4-ary heap halves the depth of a binary heap at the cost of three extra compares per level,
 * which wins once the heap no longer fits in the L1 cache (the PHOLD benchmark measures it).
 *
 * The functions are static inline because they are the innermost loop of every run; the queue
 * is otherwise an ordinary module with init/clear and asserted bounds.
 */
#ifndef SHOTGLASS_SIM_EVENT_QUEUE_H
#define SHOTGLASS_SIM_EVENT_QUEUE_H

#include "sim/core/assert.h"
#include "sim/core/time.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct SimQueueEntry {
    SimTime time;
    uint64_t key; /* (seq << SIM_QUEUE_SLOT_BITS) | slot */
} SimQueueEntry;

#define SIM_QUEUE_SLOT_BITS 30
#define SIM_QUEUE_SEQ_BITS  (64 - SIM_QUEUE_SLOT_BITS)
/* The largest sequence number an entry can hold. */
#define SIM_QUEUE_SEQ_MAX (((uint64_t)1 << SIM_QUEUE_SEQ_BITS) - 1)

_Static_assert(sizeof(SimQueueEntry) == 16, "queue entries are 16 bytes");

static inline SimQueueEntry sim_queue_entry(SimTime time, uint64_t seq, uint32_t slot)
{
    SIM_ASSERT(seq <= SIM_QUEUE_SEQ_MAX);
    SIM_ASSERT(slot < ((uint32_t)1 << SIM_QUEUE_SLOT_BITS));
    return (SimQueueEntry){time, (seq << SIM_QUEUE_SLOT_BITS) | slot};
}

static inline uint64_t sim_queue_entry_seq(const SimQueueEntry *entry)
{
    return entry->key >> SIM_QUEUE_SLOT_BITS;
}

static inline uint32_t sim_queue_entry_slot(const SimQueueEntry *entry)
{
    return (uint32_t)(entry->key & (((uint64_t)1 << SIM_QUEUE_SLOT_BITS) - 1));
}

typedef struct SimEventQueue {
    void *storage;          /* owned: capacity + 3 entries, entries at an offset within it */
    SimQueueEntry *entries; /* entries[1] lies on a cache-line (64-byte) boundary */
    size_t len;
    size_t capacity;
    size_t len_max; /* push beyond this is a programmer error (asserted) */
} SimEventQueue;

#define SIM_EVENT_QUEUE_ARITY 4

static inline gboolean sim_event_queue_less(const SimQueueEntry *a, const SimQueueEntry *b)
{
    return a->time < b->time || (a->time == b->time && a->key < b->key);
}

/*
 * (Re)allocates room for `capacity` entries and places the array so that entries[1] starts a
 * cache line: the four children of a parent, entries[4i+1..4i+4], then share one 64-byte line,
 * so each level of a sift costs one cache miss at most. realloc keeps large blocks at the same
 * offset within a page, so the entries move (memmove) only when the alignment changed.
 */
static inline void sim_event_queue_place(SimEventQueue *queue, size_t capacity)
{
    size_t old_shift =
        queue->entries == NULL ? 0 : (size_t)(queue->entries - (SimQueueEntry *)queue->storage);
    queue->storage = g_realloc(queue->storage, (capacity + 3) * sizeof(SimQueueEntry));
    uintptr_t base = (uintptr_t)queue->storage;
    SIM_ASSERT(base % sizeof(SimQueueEntry) == 0);
    /* the shift s in 0..3 with base + 16 (s + 1) a multiple of 64 */
    size_t shift = ((64 - (base + sizeof(SimQueueEntry)) % 64) % 64) / sizeof(SimQueueEntry);
    SimQueueEntry *first = (SimQueueEntry *)queue->storage;
    if (shift != old_shift && queue->len > 0) {
        memmove(first + shift, first + old_shift, queue->len * sizeof(SimQueueEntry));
    }
    queue->entries = first + shift;
}

/* Initialises an empty queue that may grow to `len_max` entries. */
static inline void sim_event_queue_init(SimEventQueue *queue, size_t len_max)
{
    SIM_ASSERT(queue != NULL);
    SIM_ASSERT(len_max > 0);
    queue->capacity = len_max < 1024 ? len_max : 1024;
    queue->storage = NULL;
    queue->entries = NULL;
    queue->len = 0;
    sim_event_queue_place(queue, queue->capacity);
    queue->len_max = len_max;
}

static inline void sim_event_queue_clear(SimEventQueue *queue)
{
    g_free(queue->storage);
    queue->storage = NULL;
    queue->entries = NULL;
    queue->len = 0;
    queue->capacity = 0;
}

static inline size_t sim_event_queue_len(const SimEventQueue *queue)
{
    return queue->len;
}

/* The earliest entry; the queue must not be empty. Borrowed until the next push or pop. */
static inline const SimQueueEntry *sim_event_queue_peek(const SimEventQueue *queue)
{
    SIM_ASSERT(queue->len > 0);
    return &queue->entries[0];
}

static inline void sim_event_queue_grow(SimEventQueue *queue)
{
    SIM_ASSERT(queue->len < queue->len_max);
    size_t capacity = queue->capacity * 2;
    if (capacity > queue->len_max) capacity = queue->len_max;
    sim_event_queue_place(queue, capacity);
    queue->capacity = capacity;
}

static inline void sim_event_queue_push(SimEventQueue *queue, SimQueueEntry entry)
{
    if (queue->len == queue->capacity) sim_event_queue_grow(queue);
    SimQueueEntry *e = queue->entries;
    size_t i = queue->len++;
    while (i > 0) {
        size_t parent = (i - 1) / SIM_EVENT_QUEUE_ARITY;
        if (!sim_event_queue_less(&entry, &e[parent])) break;
        e[i] = e[parent];
        i = parent;
    }
    e[i] = entry;
}

/* The entry's full ordering key, (time, key) as one 128-bit number, so choosing the least of
 * four children is three branch-free compares. */
__extension__ typedef unsigned __int128 SimQueueRank;

static inline SimQueueRank sim_event_queue_rank(const SimQueueEntry *entry)
{
    return ((SimQueueRank)entry->time << 64) | entry->key;
}

/*
 * Removes and returns the earliest entry; the queue must not be empty.
 *
 * Bottom-up ("hole") deletion: the hole left at the root walks down to a leaf along the least
 * child, without comparing against the last entry on the way, and the last entry is then sifted
 * up from that leaf. The last entry came from the bottom and almost always belongs near it, so
 * this saves one compare (an unpredictable branch) per level over the textbook sift-down; the
 * resulting heap is the same set in a valid heap order either way, and the pop order, fixed by
 * the total (time, sequence) order, is identical. Always inlined: GCC -O2 declined to inline it
 * into the run loop once it grew, and the call cost PHOLD 3 to 6 % of its events/s.
 */
__attribute__((always_inline)) static inline SimQueueEntry sim_event_queue_pop(SimEventQueue *queue)
{
    SIM_ASSERT(queue->len > 0);
    SimQueueEntry *e = queue->entries;
    SimQueueEntry top = e[0];
    SimQueueEntry last = e[--queue->len];
    size_t len = queue->len;
    if (len == 0) return top;
    size_t i = 0;
    for (;;) {
        size_t first = i * SIM_EVENT_QUEUE_ARITY + 1;
        if (first + SIM_EVENT_QUEUE_ARITY > len) break;
        SimQueueRank r0 = sim_event_queue_rank(&e[first]);
        SimQueueRank r1 = sim_event_queue_rank(&e[first + 1]);
        SimQueueRank r2 = sim_event_queue_rank(&e[first + 2]);
        SimQueueRank r3 = sim_event_queue_rank(&e[first + 3]);
        size_t a = r1 < r0 ? first + 1 : first;
        SimQueueRank ra = r1 < r0 ? r1 : r0;
        size_t b = r3 < r2 ? first + 3 : first + 2;
        SimQueueRank rb = r3 < r2 ? r3 : r2;
        size_t best = rb < ra ? b : a;
        e[i] = e[best];
        i = best;
    }
    size_t first = i * SIM_EVENT_QUEUE_ARITY + 1;
    if (first < len) { /* a last, partly filled family */
        size_t best = first;
        for (size_t c = first + 1; c < len; c++) {
            if (sim_event_queue_less(&e[c], &e[best])) best = c;
        }
        e[i] = e[best];
        i = best;
    }
    while (i > 0) { /* the last entry back up from the hole */
        size_t parent = (i - 1) / SIM_EVENT_QUEUE_ARITY;
        if (!sim_event_queue_less(&last, &e[parent])) break;
        e[i] = e[parent];
        i = parent;
    }
    e[i] = last;
    return top;
}

static int sim_event_queue_compare(const void *a, const void *b)
{
    const SimQueueEntry *x = a, *y = b;
    return sim_event_queue_less(x, y) ? -1 : sim_event_queue_less(y, x) ? 1 : 0;
}

/*
 * Gives the pending entries the sequence numbers 1..n in their (time, sequence) order, keeping
 * their times and slots, and returns n + 1, the next number to use. The order among the entries,
 * and between them and any entry pushed later with a larger number, is unchanged. A sorted
 * array is a valid heap, so the entries stay a heap. O(n log n), once per 2^34 schedules.
 */
static inline uint64_t sim_event_queue_renumber(SimEventQueue *queue)
{
    qsort(queue->entries, queue->len, sizeof *queue->entries, sim_event_queue_compare);
    for (size_t i = 0; i < queue->len; i++) {
        SimQueueEntry *e = &queue->entries[i];
        *e = sim_queue_entry(e->time, i + 1, sim_queue_entry_slot(e));
    }
    return queue->len + 1;
}

#endif
