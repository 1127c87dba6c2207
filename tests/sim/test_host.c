/* Host arithmetic: serialization times, FIFO reservation, degradation divisors, CPU charging. */
#include "sim/net/host.h"
#include "sim/core/units.h"

#include "tests/check_main.h"

START_TEST(transmit_times)
{
    /* 1 MiB at 1 Gbit/s: 8,388,608 bits = 8,388,608 ns exactly. */
    ck_assert_uint_eq(sim_time_transmit(1048576, 1000000000), 8388608);
    ck_assert_uint_eq(sim_time_transmit(1048576, 100000000), 83886080);
    /* Rounded up: 1 byte at 3 bit/s is 2.67 s -> 2,666,666,667 ns. */
    ck_assert_uint_eq(sim_time_transmit(1, 3), 2666666667);
    ck_assert_uint_eq(sim_time_transmit(1000, 0), 0); /* unlimited */
    ck_assert_uint_eq(sim_time_transmit(0, 1000), 0);
    /* 1 TiB at 1 bit/s saturates instead of wrapping. */
    ck_assert_uint_eq(sim_time_transmit((uint64_t)1 << 40, 1), SIM_TIME_MAX);
}
END_TEST

START_TEST(fifo_reservations)
{
    SimHost host = {.uplink_bps = 8000000, .downlink_bps = 8000000, .cpu_factor_ppm = SIM_PPM_ONE};
    SimDuration wait;
    /* 1000 bytes at 8 Mbit/s = 1 ms each. */
    ck_assert_uint_eq(sim_host_uplink_reserve(&host, 0, 1000, SIM_PPM_ONE, &wait), 1000000);
    ck_assert_uint_eq(wait, 0);
    ck_assert_uint_eq(sim_host_uplink_reserve(&host, 0, 1000, SIM_PPM_ONE, &wait), 2000000);
    ck_assert_uint_eq(wait, 1000000);
    ck_assert_uint_eq(sim_host_uplink_reserve(&host, 5000000, 1000, SIM_PPM_ONE, &wait), 6000000);
    ck_assert_uint_eq(wait, 0);
    /* A bandwidth divisor of 4 makes it 4 ms. */
    ck_assert_uint_eq(sim_host_downlink_reserve(&host, 0, 1000, 4 * SIM_PPM_ONE, &wait), 4000000);
}
END_TEST

START_TEST(cpu_charging)
{
    SimHost host = {.cpu_factor_ppm = SIM_PPM_ONE};
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 100, 50), 150);
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 120, 50), 200); /* queued behind the first */
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 300, 0), 300);
    host.cpu_factor_ppm = 2 * SIM_PPM_ONE; /* half speed */
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 300, 50), 400);
    ck_assert_uint_eq(host.cpu_busy, 200);
}
END_TEST

/* Two vCPUs run two jobs at once; the third waits for the first vCPU to free. */
START_TEST(cpu_charging_on_vcpus)
{
    SimTime free_at[2] = {0, 0};
    SimHost host = {.cpu_factor_ppm = SIM_PPM_ONE, .vcpus = 2, .vcpu_free = free_at};
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 100, 50), 150);
    ck_assert_uint_eq(host.cpu_free, 0); /* the other vCPU is still free */
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 100, 80), 180);
    ck_assert_uint_eq(host.cpu_free, 150);
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 120, 10), 160); /* on the first, at 150 */
    ck_assert_uint_eq(host.cpu_busy, 140);
    sim_host_cpu_hold(&host, 500);
    ck_assert_uint_eq(host.cpu_free, 500);
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 0, 10), 510);
    sim_host_cpu_reset(&host, 600);
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 600, 10), 610);
    ck_assert_uint_eq(sim_host_cpu_charge(&host, 600, 10), 610);
}
END_TEST

/* A fork-join job (ADVZ's rayon work): on one vCPU it is serial + parallel; on two the parallel
 * part takes half as long, and a second job queues behind it on both vCPUs. */
START_TEST(parallel_work_on_one_and_two_vcpus)
{
    SimHost one = {.cpu_factor_ppm = SIM_PPM_ONE};
    ck_assert_uint_eq(sim_host_cpu_charge_parallel(&one, 100, 10, 400), 510);
    ck_assert_uint_eq(sim_host_cpu_charge(&one, 100, 5), 515); /* waits for all of it */
    SimTime free_at[2] = {0, 0};
    SimHost two = {.cpu_factor_ppm = SIM_PPM_ONE, .vcpus = 2, .vcpu_free = free_at};
    ck_assert_uint_eq(sim_host_cpu_charge_parallel(&two, 100, 10, 400), 310);
    ck_assert_uint_eq(two.cpu_busy, 410);
    ck_assert_uint_eq(sim_host_cpu_charge(&two, 100, 5), 315); /* both vCPUs were busy */
    /* No parallel part: exactly sim_host_cpu_charge. An odd split puts the extra unit first. */
    ck_assert_uint_eq(sim_host_cpu_charge_parallel(&two, 400, 7, 0), 407);
    ck_assert_uint_eq(sim_host_cpu_charge_parallel(&two, 500, 0, 3), 502);
    /* With one vCPU busy elsewhere, the idle one takes both halves (as work stealing would). */
    SimTime busy[2] = {1000, 0};
    SimHost skew = {.cpu_factor_ppm = SIM_PPM_ONE, .vcpus = 2, .vcpu_free = busy};
    ck_assert_uint_eq(sim_host_cpu_charge_parallel(&skew, 0, 0, 400), 400);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("host");
    TCase *tc = tcase_create("host");
    tcase_add_test(tc, transmit_times);
    tcase_add_test(tc, fifo_reservations);
    tcase_add_test(tc, cpu_charging);
    tcase_add_test(tc, cpu_charging_on_vcpus);
    tcase_add_test(tc, parallel_work_on_one_and_two_vcpus);
    suite_add_tcase(suite, tc);
    return suite;
}
