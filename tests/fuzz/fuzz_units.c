/*
 * Fuzz harness: the quantity parser (sim/core/units.c), every kind: durations, bandwidths,
 * sizes, ratios, rates, factors and counts.
 *
 * The input is a kind byte and the text. Parsing must succeed or fail with a
 * SIM_QUANTITY_ERROR with a message, leaving the value alone; a value that parses must format to
 * text that parses back as sim_quantity_format promises: to exactly the value for ratios,
 * rates, factors and counts, and for durations, bandwidths and sizes to at most the value and
 * less than 0.1% below it. (It found ratios shown truncated:
 * region shares adding up to 100.0004% were refused as "add up to 100%, expected exactly
 * 100%".)
 */
#include "tests/fuzz/driver.h"

#include "sim/core/units.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    SimQuantityKind kind = (SimQuantityKind)(data[0] % (SIM_QUANTITY_COUNT + 1));
    char *text = g_strndup((const char *)data + 1, size - 1);
    uint64_t value = 12345;
    GError *error = NULL;
    if (!sim_quantity_parse(text, kind, &value, &error)) {
        FUZZ_CHECK(error != NULL && error->domain == SIM_QUANTITY_ERROR, "no quantity error");
        FUZZ_CHECK(value == 12345, "a failed parse changed the value");
        FUZZ_CHECK(error->message[0] != '\0', "an empty message");
        g_error_free(error);
        g_free(text);
        return 0;
    }
    char *formatted = sim_quantity_format(value, kind);
    uint64_t back = 0;
    FUZZ_CHECK(sim_quantity_parse(formatted, kind, &back, &error),
               "\"%s\" (%s) parses to %" G_GUINT64_FORMAT ", which formats to \"%s\", which does "
               "not parse: %s",
               text, sim_quantity_kind_name(kind), value, formatted, error ? error->message : "");
    gboolean lossy = kind == SIM_QUANTITY_DURATION || kind == SIM_QUANTITY_BANDWIDTH ||
                     kind == SIM_QUANTITY_SIZE;
    FUZZ_CHECK(lossy ? back <= value && value - back <= value / 1000 : back == value,
               "\"%s\" (%s) = %" G_GUINT64_FORMAT " formats to \"%s\" = %" G_GUINT64_FORMAT, text,
               sim_quantity_kind_name(kind), value, formatted, back);
    g_free(formatted);
    g_free(text);
    return 0;
}
