/*
 * Assertions that are never compiled out.
 *
 * SIM_ASSERT is independent of NDEBUG and G_DISABLE_ASSERT: a simulator whose invariants silently
 * stop being checked in an optimised build produces results nobody can trust. On failure it
 * prints the expression, file:line and function, then asks the registered context hook (set by
 * the run loop) to print the virtual time and seed, so every crash report is reproducible, and
 * aborts. Assertions are for programmer errors only; bad input and peer messages are operating
 * errors and are returned, never asserted (STYLE.md rule 4).
 */
#ifndef SHOTGLASS_SIM_ASSERT_H
#define SHOTGLASS_SIM_ASSERT_H

#define SIM_ASSERT(expr) ((expr) ? (void)0 : sim__assert_fail(#expr, __FILE__, __LINE__, __func__))

/* For the rare branch that must never run. */
#define SIM_UNREACHABLE() sim__assert_fail("unreachable", __FILE__, __LINE__, __func__)

/*
 * A hook that appends run context (virtual time, seed) to an assertion report. `user_data` is
 * borrowed and must stay valid until the hook is replaced or cleared with NULL.
 */
typedef void (*SimAssertContextFn)(void *user_data);

void sim_assert_set_context(SimAssertContextFn context, void *user_data);

_Noreturn void sim__assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
