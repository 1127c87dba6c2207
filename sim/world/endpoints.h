/*
 * The hosts around the validators: the builder, and for each rollup its users, its RPC node and
 * its executor (../shared/protocol/hotshot.md section 3).
 *
 * Ids: validators are 0..n-1; the builder is n; rollup r has users n+1+3r, RPC node n+2+3r and
 * executor n+3+3r.
 *
 *   users     submit transactions of the rollup's namespace as a Poisson process at tx_rate,
 *             sizes from tx_size; a share rpc_ppm go through the rollup's RPC node, the rest
 *             straight to a validator chosen at random: Espresso's two flows.
 *   RPC node  forwards what its users send to a validator chosen at random.
 *   builder   keeps the mempool (protocol/builder.c); answers a leader's block request
 *             builder_delay later; hears of decides from the validator it subscribes to.
 *   executor  reads the rollup's namespace of each decided block back (protocol/rollup.c).
 * Subscribers (builder, executors) follow the first validator in their own region, or
 * validator 0 when their region has none, as a node's query service would serve them.
 */
#ifndef SHOTGLASS_SIM_ENDPOINTS_H
#define SHOTGLASS_SIM_ENDPOINTS_H

#include "analysis/data.h"
#include "protocol/builder.h"
#include "protocol/node.h"
#include "protocol/rollup.h"
#include "sim/net/distribution.h"
#include "sim/net/network.h"

#include <glib.h>

typedef struct SimEndpointsConfig {
    uint64_t seed;
    const gsl_rng_type *rng_algorithm;
    uint32_t validators;
    uint32_t rollups;
    uint64_t block_max;
    gboolean synthetic;
    SimDuration builder_delay;
    SimDuration builder_api_timeout; /* the builder's own limit per response (0: none) */
    uint16_t builder_region;
    const uint16_t *rollup_regions; /* one per rollup */
    uint64_t tx_rate_mhz;           /* per rollup, milli-transactions per second */
    SimDist tx_size;
    uint64_t rpc_ppm;
    SimTime tx_end;
    ProtoRollupMode rollup_fetch;
    SimDuration rollup_timeout;
    uint64_t uplink_bps;
    uint64_t downlink_bps;
    uint32_t builder_vcpus; /* the builder host's vCPUs (0 = 1); ADVZ's commitment uses them all */
} SimEndpointsConfig;

typedef struct SimEndpoints SimEndpoints;

/* Endpoints besides validators for `rollups` rollups. */
static inline uint32_t sim_endpoints_count(uint32_t rollups)
{
    return 1 + 3 * rollups;
}

/*
 * Sets up the endpoint hosts (configuring their regions and links in `network`, whose hosts
 * validators + sim_endpoints_count(rollups) must be). `shared`, `network` and `data` are
 * borrowed and must outlive the endpoints.
 */
SimEndpoints *sim_endpoints_new(const SimEndpointsConfig *config, SimNetwork *network,
                                ProtoShared *shared, AnaData *data);
void sim_endpoints_free(SimEndpoints *endpoints);

/* Starts the users' arrival processes at `now`. */
void sim_endpoints_start(SimEndpoints *endpoints, SimTime now);

/* Network callbacks for hosts at or above the validator count. */
void sim_endpoints_receive(SimEndpoints *endpoints, uint32_t host, const SimMessage *message,
                           SimTime now);
void sim_endpoints_timer(SimEndpoints *endpoints, uint32_t host, uint32_t timer, SimTime now);

/* Validator `node` decided `leaves` (newest first), its work done at `ready`: tells its
 * subscribers. */
void sim_endpoints_on_decide(SimEndpoints *endpoints, uint32_t node, ProtoLeaf *const *leaves,
                             uint32_t count, SimTime ready);

/* Told, when rollup `rollup`'s executor has read its namespace of a block, the block's height
 * (after the transactions it found are reported available). */
typedef void (*SimEndpointsExecutedFn)(void *user_data, uint32_t rollup, uint64_t height);
void sim_endpoints_set_executed(SimEndpoints *endpoints, SimEndpointsExecutedFn fn,
                                void *user_data);
/* The namespace of rollup `rollup`. */
uint32_t sim_endpoints_rollup_ns(const SimEndpoints *endpoints, uint32_t rollup);
/* The host of rollup `rollup`'s executor. */
static inline uint32_t sim_endpoints_executor_host(uint32_t validators, uint32_t rollup)
{
    return validators + 3 + 3 * rollup;
}

/* The network message type of each protocol message type (set by the run). */
void sim_endpoints_set_types(SimEndpoints *endpoints, const uint16_t *types);

const ProtoBuilderStats *sim_endpoints_builder_stats(const SimEndpoints *endpoints);
const ProtoRollupStats *sim_endpoints_rollup_stats(const SimEndpoints *endpoints, uint32_t rollup);
uint32_t sim_endpoints_rollup_outstanding(const SimEndpoints *endpoints, uint32_t rollup);

#endif
