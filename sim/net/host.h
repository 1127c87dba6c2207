/*
 * A simulated machine: its region, its network interface and its CPU.
 *
 * Links are store-and-forward FIFO queues: a message of S bytes occupies the uplink for
 * S*8/uplink_bps, starting when the previous message on that link is done, and likewise the
 * downlink on the receiving side. The CPU is a run queue over `vcpus` virtual CPUs, each a
 * busy-until time: handling a message or firing a timer starts no earlier than one of them is
 * free, and its work's cost is charged in virtual time to the vCPU that frees first, so a leader
 * that verifies 10,000 votes really is slower, and one with two vCPUs verifies two at a time.
 * A job runs on one vCPU: the model does not split one job's work across several. Paused hosts have
 * their CPU busy until they resume; crashed hosts drop everything.
 *
 * SimHost is exposed so the network can keep hosts in one flat array; callers outside
 * sim/net/network.c treat every field as read-only.
 */
#ifndef SHOTGLASS_SIM_HOST_H
#define SHOTGLASS_SIM_HOST_H

#include "sim/core/engine.h"
#include "sim/core/rng.h"
#include "sim/core/time.h"

#include <stdint.h>

typedef enum SimHostStatus {
    SIM_HOST_UP,
    SIM_HOST_CRASHED,
} SimHostStatus;

/* Traffic of one message type at one host. */
typedef struct SimTypeCounters {
    uint64_t msgs_sent;
    uint64_t bytes_sent;
    uint64_t msgs_received;
    uint64_t bytes_received;
    uint64_t msgs_dropped;     /* copies this host sent that never arrived (cut, loss, crash) */
    SimDuration uplink_wait;   /* total time its messages queued behind others on the uplink */
    SimDuration downlink_wait; /* total time its incoming messages queued on the downlink */
} SimTypeCounters;

#define SIM_HOST_TIMERS_MAX 16

typedef struct SimHost {
    uint32_t id;
    uint16_t region;
    SimHostStatus status;
    uint64_t uplink_bps; /* 0 = unlimited */
    uint64_t downlink_bps;
    SimTime uplink_free;
    SimTime downlink_free;
    SimTime cpu_free;        /* when the first of its vCPUs is free */
    SimDuration cpu_busy;    /* total CPU time charged, over all vCPUs */
    uint32_t vcpus;          /* virtual CPUs (0, as in a zeroed SimHost, counts as 1) */
    SimTime *vcpu_free;      /* vcpus > 1: each vCPU's busy-until (owned by the network) */
    uint64_t cpu_factor_ppm; /* cost multiplier: 1000000 = nominal, 2000000 = half speed */
    uint64_t clock_ppm;      /* its clock class's multiplier (clock.h); a `slow` fault scales it */
    uint32_t incarnation;    /* bumped at every crash */
    SimTime crashed_at;      /* when the last incarnation ended */
    SimEventId timers[SIM_HOST_TIMERS_MAX];
    uint32_t timer_generation[SIM_HOST_TIMERS_MAX]; /* bumped by set/cancel */
    /* Work waiting for the CPU, first in first out: deliveries and timer firings that came due
     * while it was busy. Owned by the network; `cpu_wakeup` is pending whenever it is not empty. */
    struct SimCpuItem *cpu_head;
    struct SimCpuItem *cpu_tail;
    SimEventId cpu_wakeup;
    SimRng rng; /* draws for messages this host sends: jitter and loss */
} SimHost;

/*
 * Reserves the uplink for `bytes` handed over at `ready`, at the link rate divided by
 * `divisor_ppm` / 10^6 (degradation; 10^6 = nominal). Returns when the last bit has left and
 * stores the time spent queued behind earlier messages in `*wait`.
 */
SimTime sim_host_uplink_reserve(SimHost *host, SimTime ready, uint64_t bytes, uint64_t divisor_ppm,
                                SimDuration *wait);

/* The same for the downlink, for a message whose last bit arrives at `arrival`. */
SimTime sim_host_downlink_reserve(SimHost *host, SimTime arrival, uint64_t bytes,
                                  uint64_t divisor_ppm, SimDuration *wait);

/*
 * Charges `cost` of nominal CPU time, scaled by the host's factor, to the vCPU that is free
 * first (the lowest-numbered one on a tie), starting at max(now, its busy-until); returns the
 * time the work completes. With one vCPU that is the new cpu_free.
 */
SimTime sim_host_cpu_charge(SimHost *host, SimTime now, SimDuration cost);

/*
 * Charges `serial` as sim_host_cpu_charge() does, then `parallel` split into one equal piece
 * per vCPU (a fork-join job: each piece on the vCPU free first, starting no earlier than the
 * serial part's end); returns when the last piece completes. With one vCPU it is the same as
 * charging serial + parallel.
 */
SimTime sim_host_cpu_charge_parallel(SimHost *host, SimTime now, SimDuration serial,
                                     SimDuration parallel);

/* Keeps every vCPU busy until at least `until` (a pause, or a restart at `until`). */
void sim_host_cpu_hold(SimHost *host, SimTime until);

/* Makes every vCPU free at `now` (a crash: the work in progress is gone). */
void sim_host_cpu_reset(SimHost *host, SimTime now);

#endif
