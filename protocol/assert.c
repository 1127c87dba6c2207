/* Failure path of PROTO_ASSERT: report, let the driver add context, abort. */
#include "protocol/assert.h"

#include <stdio.h>
#include <stdlib.h>

static ProtoAssertContextFn assert_context;
static void *assert_context_user_data;

void proto_assert_set_context(ProtoAssertContextFn context, void *user_data)
{
    assert_context = context;
    assert_context_user_data = user_data;
}

void proto__assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "shotglass protocol: assertion failed: %s\n  at %s:%d in %s()\n", expr, file,
            line, func);
    if (assert_context != NULL) assert_context(assert_context_user_data);
    fflush(stderr);
    abort();
}
