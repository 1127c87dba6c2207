/* Link and CPU arithmetic of one host; see host.h. All integer nanoseconds. */
#include "sim/net/host.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

static uint64_t effective_bps(uint64_t bps, uint64_t divisor_ppm)
{
    SIM_ASSERT(divisor_ppm > 0);
    if (bps == 0 || divisor_ppm == SIM_PPM_ONE) return bps;
    uint64_t scaled = (uint64_t)(((SimU128)bps * SIM_PPM_ONE) / divisor_ppm);
    return scaled > 0 ? scaled : 1;
}

static SimTime reserve(SimTime *link_free, uint64_t bps, SimTime ready, uint64_t bytes,
                       uint64_t divisor_ppm, SimDuration *wait)
{
    SimTime start = sim_time_max(ready, *link_free);
    *wait = start - ready;
    SimTime done = sim_time_add(start, sim_time_transmit(bytes, effective_bps(bps, divisor_ppm)));
    SIM_ASSERT(done >= start);
    *link_free = done;
    return done;
}

SimTime sim_host_uplink_reserve(SimHost *host, SimTime ready, uint64_t bytes, uint64_t divisor_ppm,
                                SimDuration *wait)
{
    SIM_ASSERT(host->status == SIM_HOST_UP);
    return reserve(&host->uplink_free, host->uplink_bps, ready, bytes, divisor_ppm, wait);
}

SimTime sim_host_downlink_reserve(SimHost *host, SimTime arrival, uint64_t bytes,
                                  uint64_t divisor_ppm, SimDuration *wait)
{
    SIM_ASSERT(host->status == SIM_HOST_UP);
    return reserve(&host->downlink_free, host->downlink_bps, arrival, bytes, divisor_ppm, wait);
}

/* cpu_free is the earliest vCPU's busy-until. */
static void cpu_free_update(SimHost *host)
{
    SimTime first = host->vcpu_free[0];
    for (uint32_t i = 1; i < host->vcpus; i++)
        first = sim_time_min(first, host->vcpu_free[i]);
    host->cpu_free = first;
}

SimTime sim_host_cpu_charge(SimHost *host, SimTime now, SimDuration cost)
{
    SIM_ASSERT(host->cpu_factor_ppm > 0);
    SIM_ASSERT(host->vcpus <= 1 || host->vcpu_free != NULL); /* 0 (zeroed) counts as 1 */
    SimDuration scaled = (SimDuration)(((SimU128)cost * host->cpu_factor_ppm) / SIM_PPM_ONE);
    host->cpu_busy += scaled;
    if (host->vcpus <= 1) {
        SimTime start = sim_time_max(now, host->cpu_free);
        host->cpu_free = sim_time_add(start, scaled);
        SIM_ASSERT(host->cpu_free >= now);
        return host->cpu_free;
    }
    uint32_t first = 0;
    for (uint32_t i = 1; i < host->vcpus; i++) {
        if (host->vcpu_free[i] < host->vcpu_free[first]) first = i;
    }
    SimTime done = sim_time_add(sim_time_max(now, host->vcpu_free[first]), scaled);
    host->vcpu_free[first] = done;
    cpu_free_update(host);
    SIM_ASSERT(done >= now);
    return done;
}

SimTime sim_host_cpu_charge_parallel(SimHost *host, SimTime now, SimDuration serial,
                                     SimDuration parallel)
{
    SimTime done = sim_host_cpu_charge(host, now, serial);
    if (parallel == 0) return done;
    uint32_t vcpus = MAX(host->vcpus, 1u);
    SimDuration piece = parallel / vcpus, rest = parallel % vcpus;
    SimTime end = done;
    for (uint32_t i = 0; i < vcpus; i++)
        end = sim_time_max(end, sim_host_cpu_charge(host, done, piece + (i < rest ? 1 : 0)));
    return end;
}

void sim_host_cpu_hold(SimHost *host, SimTime until)
{
    host->cpu_free = sim_time_max(host->cpu_free, until);
    for (uint32_t i = 0; host->vcpus > 1 && i < host->vcpus; i++)
        host->vcpu_free[i] = sim_time_max(host->vcpu_free[i], until);
    SIM_ASSERT(host->cpu_free >= until);
}

void sim_host_cpu_reset(SimHost *host, SimTime now)
{
    host->cpu_free = now;
    for (uint32_t i = 0; host->vcpus > 1 && i < host->vcpus; i++)
        host->vcpu_free[i] = now;
    SIM_ASSERT(host->cpu_free == now);
}
