/*
 * Assertions for protocol/, never compiled out. Identical in behaviour to sim/core/assert.h, but
 * protocol/ includes nothing from sim/ (it is a sans-I/O library a real network driver could
 * use), so it has its own macro and its own context hook. Assertions are for programmer errors
 * only: a malformed or Byzantine message is rejected with an error code, never asserted on.
 */
#ifndef SHOTGLASS_PROTOCOL_ASSERT_H
#define SHOTGLASS_PROTOCOL_ASSERT_H

#define PROTO_ASSERT(expr)                                                                         \
    ((expr) ? (void)0 : proto__assert_fail(#expr, __FILE__, __LINE__, __func__))

#define PROTO_UNREACHABLE() proto__assert_fail("unreachable", __FILE__, __LINE__, __func__)

/* A hook that appends context (node, view, time) to an assertion report; NULL clears it. */
typedef void (*ProtoAssertContextFn)(void *user_data);

void proto_assert_set_context(ProtoAssertContextFn context, void *user_data);

_Noreturn void proto__assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
