/* The stand-alone driver of a fuzz harness (without libFuzzer); see driver.h. */
#include "tests/fuzz/driver.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "fuzz: %s:%d: ", file, line);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}

#ifndef SHOTGLASS_LIBFUZZER

static gboolean run_file(const char *path, uint64_t *count)
{
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "fuzz: %s\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    /* A copy of exactly `len` bytes, so ASan catches a read one past the end. */
    uint8_t *copy = g_memdup2(data, len);
    g_free(data);
    LLVMFuzzerTestOneInput(copy, len);
    g_free(copy);
    (*count)++;
    return TRUE;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Runs `path`, a file or a directory (its entries in name order, recursively). */
static gboolean run_path(const char *path, uint64_t *count)
{
    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) return run_file(path, count);
    GError *error = NULL;
    GDir *dir = g_dir_open(path, 0, &error);
    if (dir == NULL) {
        fprintf(stderr, "fuzz: %s\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL)
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    gboolean ok = TRUE;
    for (guint i = 0; i < names->len; i++)
        ok &= run_path(names->pdata[i], count);
    g_ptr_array_unref(names);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t count = 0;
    gboolean ok = TRUE;
    if (argc < 2) {
        GByteArray *input = g_byte_array_new();
        uint8_t buffer[65536];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0)
            g_byte_array_append(input, buffer, (guint)n);
        LLVMFuzzerTestOneInput(input->data, input->len);
        g_byte_array_unref(input);
        count = 1;
    }
    for (int i = 1; i < argc; i++)
        ok &= run_path(argv[i], &count);
    printf("%s: %" G_GUINT64_FORMAT " inputs ran clean\n", argv[0], count);
    return ok && count > 0 ? 0 : 1;
}

#endif
