/* Helpers shared by the simulation tests; see sim_test.h. */
#include "tests/sim/sim_test.h"

#include <check.h>

SimRun *sim_test_run(const SimRunConfig *config)
{
    GError *error = NULL;
    SimRun *run = sim_run_new(config, &error);
    ck_assert_msg(run != NULL, "%s", error ? error->message : "");
    sim_run_execute(run);
    return run;
}

void sim_test_check_safe(const SimRun *run)
{
    const AnaSafety *s = sim_run_safety(run);
    ck_assert_msg(!ana_safety_violated(s), "%s", ana_safety_violation(s));
    const AnaData *d = sim_run_data(run);
    if (d != NULL) ck_assert_msg(!ana_data_violated(d), "%s", ana_data_violation(d));
}

uint64_t sim_test_decides_between(const SimRun *run, uint64_t from, uint64_t to)
{
    const GArray *times = ana_liveness_decide_times(sim_run_liveness(run));
    uint64_t count = 0;
    for (guint i = 0; i < times->len; i++) {
        uint64_t t = g_array_index(times, uint64_t, i);
        count += t >= from && t < to;
    }
    return count;
}
