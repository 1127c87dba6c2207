/*
 * The entry point every fuzz harness defines, and what the harnesses share.
 *
 * A harness is one function, LLVMFuzzerTestOneInput, that takes one input and returns 0; it
 * aborts (an assertion, a sanitizer report, fuzz_fail) when the code under test misbehaves. Built
 * with -Dfuzz=true, libFuzzer supplies main() and drives the function; otherwise driver.c does:
 * it runs every file named on its command line (directories are read recursively, in name
 * order), or standard input when there is none, so the same binary replays a corpus as a meson
 * test and serves as an AFL++ target (afl-fuzz ... -- fuzz-message @@, or the stdin form).
 */
#ifndef SHOTGLASS_TESTS_FUZZ_DRIVER_H
#define SHOTGLASS_TESTS_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant found by a harness (printf-style) and aborts. */
void fuzz_fail(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define FUZZ_CHECK(expr, ...)                                                                      \
    do {                                                                                           \
        if (!(expr)) fuzz_fail(__FILE__, __LINE__, "check failed: " #expr ": " __VA_ARGS__);       \
    } while (0)

/* A cursor over the input: reads past the end give zeros, so every input is a valid program. */
typedef struct FuzzInput {
    const uint8_t *data;
    size_t size;
    size_t pos;
} FuzzInput;

static inline int fuzz_input_done(const FuzzInput *in)
{
    return in->pos >= in->size;
}

static inline uint8_t fuzz_u8(FuzzInput *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint16_t fuzz_u16(FuzzInput *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | (uint16_t)(fuzz_u8(in) << 8));
}

/* Up to `n` bytes (fewer at the end of the input); returns how many, pointing `*out` at them. */
static inline size_t fuzz_bytes(FuzzInput *in, size_t n, const uint8_t **out)
{
    size_t left = in->size - in->pos;
    if (n > left) n = left;
    *out = in->data + in->pos;
    in->pos += n;
    return n;
}

#endif
