/*
 * The engine: total event order (time, then scheduling order, with "now" events after the
 * current one), lazy cancellation with generation-checked ids, the three stop conditions,
 * refusal of re-entry and of scheduling in the past, payload discard, the trace digest, and
 * the trace tap.
 */
#include "sim/core/engine.h"

#include "tests/check_main.h"

#include <signal.h>
#include <sodium.h>
#include <string.h>

typedef struct Log {
    uint64_t args[256];
    SimTime times[256];
    size_t len;
    uint16_t kind;
    int discarded;
    SimEventId to_cancel;
    gboolean stop_at_3;
} Log;

static void record(SimEngine *engine, const SimEvent *event, void *user_data)
{
    Log *log = user_data;
    ck_assert_uint_lt(log->len, 256);
    log->args[log->len] = event->arg;
    log->times[log->len] = event->time;
    log->len++;
    ck_assert_uint_eq(sim_engine_now(engine), event->time);
    if (log->stop_at_3 && event->arg == 3) sim_engine_request_stop(engine, "test");
}

static void discard(void *payload, void *user_data)
{
    (void)payload;
    ((Log *)user_data)->discarded++;
}

static SimEngine *engine_with_log(Log *log)
{
    memset(log, 0, sizeof *log);
    SimEngine *engine = sim_engine_new(1, 1000);
    log->kind = sim_engine_register(engine, "record", record, discard, log, SIM_KIND_DIGEST);
    return engine;
}

static const SimEngineLimits no_limits = {SIM_TIME_NONE, 0};

START_TEST(order_is_time_then_scheduling)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    sim_engine_schedule(engine, 30, log.kind, 0, 0, NULL, 1);
    sim_engine_schedule(engine, 10, log.kind, 0, 0, NULL, 2);
    sim_engine_schedule(engine, 20, log.kind, 0, 0, NULL, 3);
    sim_engine_schedule(engine, 10, log.kind, 0, 0, NULL, 4);
    sim_engine_schedule(engine, 10, log.kind, 0, 0, NULL, 5);
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_EMPTY);
    uint64_t expected[] = {2, 4, 5, 3, 1};
    ck_assert_uint_eq(log.len, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(log.args[i], expected[i]);
    ck_assert_uint_eq(sim_engine_now(engine), 30);
    sim_engine_free(engine);
}
END_TEST

typedef struct Chain {
    uint16_t kind;
    int order[8];
    int len;
} Chain;

/* Event 1 schedules 3 for "now"; event 2 was already pending at the same time. "Now" events
 * run after every event already scheduled for this instant, never inside the current one. */
static void chain_handler(SimEngine *engine, const SimEvent *event, void *user_data)
{
    Chain *chain = user_data;
    chain->order[chain->len++] = (int)event->arg;
    if (event->arg == 1) {
        sim_engine_schedule(engine, event->time, chain->kind, 0, 0, NULL, 3);
        chain->order[chain->len++] = -1; /* marks "handler 1 returned" */
    }
}

START_TEST(now_events_run_after_the_current_one)
{
    SimEngine *engine = sim_engine_new(1, 100);
    Chain chain = {0};
    chain.kind = sim_engine_register(engine, "chain", chain_handler, NULL, &chain, 0);
    sim_engine_schedule(engine, 5, chain.kind, 0, 0, NULL, 1);
    sim_engine_schedule(engine, 5, chain.kind, 0, 0, NULL, 2);
    sim_engine_schedule(engine, 6, chain.kind, 0, 0, NULL, 4);
    sim_engine_run(engine, &no_limits);
    int expected[] = {1, -1, 2, 3, 4};
    ck_assert_int_eq(chain.len, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(chain.order[i], expected[i]);
    sim_engine_free(engine);
}
END_TEST

START_TEST(cancellation)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    SimEventId a = sim_engine_schedule(engine, 10, log.kind, 0, 0, &log, 1);
    SimEventId b = sim_engine_schedule(engine, 20, log.kind, 0, 0, &log, 2);
    ck_assert(sim_engine_is_pending(engine, a));
    ck_assert(sim_engine_cancel(engine, b));
    ck_assert_int_eq(log.discarded, 1);
    ck_assert(!sim_engine_is_pending(engine, b));
    ck_assert(!sim_engine_cancel(engine, b)); /* twice */
    ck_assert(!sim_engine_cancel(engine, SIM_EVENT_NONE));
    sim_engine_run(engine, &no_limits);
    ck_assert_uint_eq(log.len, 1);
    ck_assert_uint_eq(log.args[0], 1);
    ck_assert(!sim_engine_cancel(engine, a)); /* already ran */
    /* Slots are reused: a stale id must not cancel the new occupant of its slot. */
    SimEventId c = sim_engine_schedule(engine, 30, log.kind, 0, 0, NULL, 3);
    ck_assert(!sim_engine_cancel(engine, a));
    ck_assert(!sim_engine_cancel(engine, b));
    ck_assert(sim_engine_is_pending(engine, c));
    sim_engine_run(engine, &no_limits);
    ck_assert_uint_eq(log.len, 2);
    ck_assert_uint_eq(log.args[1], 3);
    ck_assert_uint_eq(sim_engine_pending(engine), 0);
    sim_engine_free(engine);
}
END_TEST

START_TEST(many_cancellations_keep_order)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    SimEventId ids[200];
    for (uint64_t i = 0; i < 200; i++) {
        ids[i] = sim_engine_schedule(engine, (i * 37) % 50, log.kind, 0, 0, NULL, i);
    }
    for (size_t i = 0; i < 200; i += 2)
        ck_assert(sim_engine_cancel(engine, ids[i]));
    sim_engine_run(engine, &no_limits);
    ck_assert_uint_eq(log.len, 100);
    for (size_t i = 0; i < log.len; i++) {
        ck_assert_uint_eq(log.args[i] % 2, 1);
        if (i > 0) ck_assert_uint_le(log.times[i - 1], log.times[i]);
        if (i > 0 && log.times[i - 1] == log.times[i])
            ck_assert_uint_lt(log.args[i - 1], log.args[i]);
    }
    sim_engine_free(engine);
}
END_TEST

START_TEST(stop_conditions)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    for (uint64_t i = 1; i <= 10; i++)
        sim_engine_schedule(engine, i * 100, log.kind, 0, 0, NULL, i);
    SimEngineLimits until_450 = {450, 0};
    ck_assert_int_eq(sim_engine_run(engine, &until_450), SIM_STOP_END_TIME);
    ck_assert_uint_eq(log.len, 4);
    ck_assert_uint_eq(sim_engine_now(engine), 450);
    SimEngineLimits six_events = {SIM_TIME_NONE, 6};
    ck_assert_int_eq(sim_engine_run(engine, &six_events), SIM_STOP_MAX_EVENTS);
    ck_assert_uint_eq(log.len, 6);
    ck_assert_uint_eq(sim_engine_events_run(engine), 6);
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_EMPTY);
    ck_assert_uint_eq(log.len, 10);
    sim_engine_free(engine);
}
END_TEST

START_TEST(stop_request_stops_after_current_event)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    log.stop_at_3 = TRUE;
    for (uint64_t i = 1; i <= 5; i++)
        sim_engine_schedule(engine, i, log.kind, 0, 0, NULL, i);
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_REQUESTED);
    ck_assert_uint_eq(log.len, 3);
    ck_assert_str_eq(sim_engine_stop_request_reason(engine), "test");
    /* Pending events are discarded through the kind's discard function at free. */
    sim_engine_free(engine);
    ck_assert_int_eq(log.discarded, 2);
}
END_TEST

/* A request made between runs (as a progress callback does on Ctrl-C) stops the next run
 * before its first event, once: the run after that continues. */
START_TEST(stop_request_between_runs_stops_the_next)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    for (uint64_t i = 1; i <= 5; i++)
        sim_engine_schedule(engine, i, log.kind, 0, 0, NULL, i);
    SimEngineLimits two = {SIM_TIME_NONE, 2};
    ck_assert_int_eq(sim_engine_run(engine, &two), SIM_STOP_MAX_EVENTS);
    sim_engine_request_stop(engine, "between");
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_REQUESTED);
    ck_assert_uint_eq(log.len, 2);
    ck_assert_uint_eq(sim_engine_now(engine), 2);
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_EMPTY);
    ck_assert_uint_eq(log.len, 5);
    sim_engine_free(engine);
}
END_TEST

static void reenter(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)event, (void)user_data;
    sim_engine_run(engine, &no_limits);
}

START_TEST(reentry_aborts)
{
    SimEngine *engine = sim_engine_new(1, 10);
    uint16_t kind = sim_engine_register(engine, "reenter", reenter, NULL, NULL, 0);
    sim_engine_schedule(engine, 1, kind, 0, 0, NULL, 0);
    sim_engine_run(engine, &no_limits);
}
END_TEST

START_TEST(scheduling_in_the_past_aborts)
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    sim_engine_schedule(engine, 100, log.kind, 0, 0, NULL, 0);
    sim_engine_run(engine, &no_limits);
    sim_engine_schedule(engine, 99, log.kind, 0, 0, NULL, 0);
}
END_TEST

/* Past the pending bound the engine stops, says so, and loses nothing: a later run goes on. */
START_TEST(pending_bound_stops_the_run)
{
    Log log;
    memset(&log, 0, sizeof log);
    SimEngine *engine = sim_engine_new(1, 4);
    uint16_t kind = sim_engine_register(engine, "record", record, NULL, &log, 0);
    for (int i = 0; i < 4; i++)
        sim_engine_schedule(engine, 1, kind, 0, 0, NULL, 0);
    ck_assert(!sim_engine_overflowed(engine));
    sim_engine_schedule(engine, 2, kind, 0, 0, NULL, 0);
    ck_assert(sim_engine_overflowed(engine));
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_REQUESTED);
    ck_assert_uint_eq(sim_engine_events_run(engine), 0);
    ck_assert_int_eq(sim_engine_run(engine, &no_limits), SIM_STOP_EMPTY);
    ck_assert_uint_eq(sim_engine_events_run(engine), 5);
    sim_engine_free(engine);
}
END_TEST

static void run_digest(uint64_t changed_arg, gboolean extra, char out[65])
{
    Log log;
    SimEngine *engine = engine_with_log(&log);
    uint16_t quiet = sim_engine_register(engine, "quiet", record, NULL, &log, 0);
    for (uint64_t i = 0; i < 50; i++) {
        sim_engine_schedule(engine, i * 3, log.kind, (uint32_t)i, 1, NULL,
                            i == 7 ? changed_arg : i);
        sim_engine_schedule(engine, i * 3 + 1, quiet, 0, 0, NULL, i);
    }
    if (extra) sim_engine_digest_add(engine, "x", 1);
    sim_engine_run(engine, &no_limits);
    sim_engine_digest_hex(engine, out);
    sim_engine_free(engine);
}

START_TEST(digest_tracks_delivered_events)
{
    char a[65], b[65], c[65], d[65];
    run_digest(7, FALSE, a);
    run_digest(7, FALSE, b);
    run_digest(8, FALSE, c);
    run_digest(7, TRUE, d);
    ck_assert_str_eq(a, b); /* same events: same digest */
    ck_assert_str_ne(a, c); /* one argument differs */
    ck_assert_str_ne(a, d); /* extra bytes folded in */
    ck_assert_uint_eq(strlen(a), 64);
}
END_TEST

/* A tap that rebuilds the trace from what it is shown, checking at each event that the
 * engine's digest covers exactly the events before it. */
typedef struct Rebuilt {
    SimEngine *engine;
    crypto_generichash_state hash;
    uint64_t last_index;
    int bytes_seen;
} Rebuilt;

static void rebuilt_event(void *user_data, const SimEvent *event, uint64_t index,
                          const uint8_t *record)
{
    Rebuilt *r = user_data;
    ck_assert_uint_eq(index, r->last_index + 1);
    ck_assert_uint_eq(index, sim_engine_trace_events(r->engine));
    ck_assert_uint_eq(event->time, sim_engine_now(r->engine));
    uint8_t ours[SIM_DIGEST_BYTES], engines[SIM_DIGEST_BYTES];
    crypto_generichash_state copy = r->hash;
    crypto_generichash_final(&copy, ours, sizeof ours);
    sim_engine_digest(r->engine, engines);
    ck_assert_mem_eq(ours, engines, SIM_DIGEST_BYTES);
    crypto_generichash_update(&r->hash, record, SIM_ENGINE_RECORD_BYTES);
    r->last_index = index;
}

static void rebuilt_bytes(void *user_data, const void *data, size_t len)
{
    Rebuilt *r = user_data;
    crypto_generichash_update(&r->hash, data, len);
    r->bytes_seen++;
}

static void add_bytes(SimEngine *engine, const SimEvent *event, void *user_data)
{
    (void)user_data;
    if (event->arg % 3 == 0) sim_engine_digest_add(engine, &event->arg, sizeof event->arg);
}

static void tapped_run(gboolean tapped, Rebuilt *r, char out[65])
{
    SimEngine *engine = sim_engine_new(1, 1000);
    uint16_t kind = sim_engine_register(engine, "add", add_bytes, NULL, NULL, SIM_KIND_DIGEST);
    uint16_t quiet = sim_engine_register(engine, "quiet", add_bytes, NULL, NULL, 0);
    for (uint64_t i = 0; i < 200; i++) { /* 200 x 26 bytes and more: the buffer flushes */
        sim_engine_schedule(engine, i * 5, kind, (uint32_t)i, 2, NULL, i);
        sim_engine_schedule(engine, i * 5 + 1, quiet, 0, 0, NULL, i + 1);
    }
    if (tapped) {
        memset(r, 0, sizeof *r);
        r->engine = engine;
        crypto_generichash_init(&r->hash, NULL, 0, SIM_DIGEST_BYTES);
        SimEngineTap tap = {rebuilt_event, rebuilt_bytes, r};
        sim_engine_set_tap(engine, &tap);
    }
    sim_engine_run(engine, &no_limits);
    ck_assert_uint_eq(sim_engine_trace_events(engine), 200);
    ck_assert_uint_eq(sim_engine_events_run(engine), 400);
    sim_engine_digest_hex(engine, out);
    if (tapped) {
        uint8_t ours[SIM_DIGEST_BYTES];
        char hex[65];
        crypto_generichash_final(&r->hash, ours, sizeof ours);
        sodium_bin2hex(hex, sizeof hex, ours, sizeof ours);
        ck_assert_str_eq(hex, out); /* the tap saw the whole trace */
    }
    sim_engine_free(engine);
}

START_TEST(tap_sees_the_trace)
{
    char plain[65], tapped[65];
    Rebuilt r;
    tapped_run(FALSE, NULL, plain);
    tapped_run(TRUE, &r, tapped);
    ck_assert_str_eq(plain, tapped); /* observing changes nothing */
    ck_assert_uint_eq(r.last_index, 200);
    /* the digested kind adds bytes for every third argument; the quiet kind's adds count too */
    ck_assert_int_gt(r.bytes_seen, 60);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_add_test(tc, order_is_time_then_scheduling);
    tcase_add_test(tc, now_events_run_after_the_current_one);
    tcase_add_test(tc, cancellation);
    tcase_add_test(tc, many_cancellations_keep_order);
    tcase_add_test(tc, stop_conditions);
    tcase_add_test(tc, stop_request_stops_after_current_event);
    tcase_add_test(tc, stop_request_between_runs_stops_the_next);
    tcase_add_test_raise_signal(tc, reentry_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, scheduling_in_the_past_aborts, SIGABRT);
    tcase_add_test(tc, pending_bound_stops_the_run);
    tcase_add_test(tc, digest_tracks_delivered_events);
    tcase_add_test(tc, tap_sees_the_trace);
    suite_add_tcase(suite, tc);
    return suite;
}
