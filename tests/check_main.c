/*
 * Shared main for the Check test programs: each test file defines test_suite() and links this.
 * Check's fork mode stays on, so a crash in one test is reported and does not hide the others;
 * CK_FORK=no in the environment turns it off, to debug a test in gdb.
 */
#include "tests/check_main.h"

#include <stdlib.h>

int main(void)
{
    SRunner *runner = srunner_create(test_suite());
    srunner_set_fork_status(runner, CK_FORK_GETENV);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
