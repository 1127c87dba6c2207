/*
 * Fuzz harness: the scenario loader (sim/scenario/), as `shotglass validate` runs it.
 *
 * The input is a scenario file's text. Loading must succeed, or fail with
 * SIM_SCENARIO_ERROR and a message that names the file (every problem line does). A scenario
 * that loads is built into a run, as validate does (sim_run_new: placement, stake table, keys,
 * DA committee, fault selectors), which must succeed or fail with a message, never assert;
 * scenarios of more than 300 validators are loaded but not built, to keep each input fast.
 */
#include "tests/fuzz/driver.h"

#include "sim/scenario/scenario.h"

#include <string.h>

#define BUILD_NODES_MAX 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    SimScenario scenario = {0};
    GError *error = NULL;
    if (!sim_scenario_parse(&scenario, "fuzz.ini", text, NULL, &error)) {
        FUZZ_CHECK(error != NULL && error->domain == SIM_SCENARIO_ERROR, "no scenario error");
        FUZZ_CHECK(strstr(error->message, "fuzz.ini") != NULL,
                   "the message does not name the "
                   "file: %s",
                   error->message);
        g_error_free(error);
        g_free(text);
        return 0;
    }
    if (scenario.config.nodes <= BUILD_NODES_MAX) {
        SimRun *run = sim_run_new(&scenario.config, &error);
        if (run == NULL) {
            FUZZ_CHECK(error != NULL && error->message[0] != '\0', "no message");
            g_error_free(error);
        }
        sim_run_free(run);
    }
    sim_scenario_clear(&scenario);
    g_free(text);
    return 0;
}
