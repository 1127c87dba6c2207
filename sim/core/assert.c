/*
 * Failure path of SIM_ASSERT: report and abort. Kept out of line so the check itself stays one
 * compare and a cold call at every use.
 */
#include "sim/core/assert.h"

#include <stdio.h>
#include <stdlib.h>

/* Diagnostics only: the hook never influences a run, it just describes where it died. */
static SimAssertContextFn assert_context;
static void *assert_context_user_data;

void sim_assert_set_context(SimAssertContextFn context, void *user_data)
{
    assert_context = context;
    assert_context_user_data = user_data;
}

void sim__assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "shotglass: assertion failed: %s\n  at %s:%d in %s()\n", expr, file, line,
            func);
    if (assert_context != NULL) assert_context(assert_context_user_data);
    fflush(stderr);
    abort();
}
