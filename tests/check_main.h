/* Every Check test program defines test_suite(); tests/check_main.c runs it. */
#ifndef SHOTGLASS_TESTS_CHECK_MAIN_H
#define SHOTGLASS_TESTS_CHECK_MAIN_H

#include <check.h>

Suite *test_suite(void);

#endif
