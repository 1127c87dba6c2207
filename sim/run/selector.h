/*
 * Node selectors: which validators a fault or a Byzantine behaviour applies to, written as a
 * comma-separated union of terms:
 *
 *   all              every validator
 *   7, 0-99          ids and inclusive id ranges
 *   region(NAME)     the validators placed in a region, e.g. region(eu-west-1)
 *   top-stake(N)     the N validators with the most stake (ties: lower id first)
 *   da-committee     the DA committee
 *   leader(V)        the leader of view V
 *   leader           the leader of the view in progress when the fault fires
 *   next-leader      the leader of the view after it
 *   brokers, broker(N)   the Push-CDN's brokers, or broker N (transport cdn or combined)
 *   marshal          the Push-CDN's marshal
 *   servers, server(N)   the web servers (transport webserver)
 *   state-relay      the light-client state relay server ([l1])
 *   prover           the light-client prover ([l1])
 *
 * The relay terms (brokers, marshal, servers, state-relay, prover) pick hosts that are not
 * validators: they count
 * only for faults on hosts and links (crash, restart, pause, slow, partition, degrade), resolve
 * with sim_selector_resolve_relays, and are checked against the run's transport when it is
 * built (sim_selector_check_relays).
 * Terms resolve against a run (placement, stake table, DA committee) when it is built, except
 * `leader` and `next-leader`, which resolve when the fault fires. A selector that resolves to
 * no validator is an error.
 */
#ifndef SHOTGLASS_SIM_SELECTOR_H
#define SHOTGLASS_SIM_SELECTOR_H

#include "protocol/stake.h"
#include "sim/net/nodeset.h"
#include "sim/net/regions.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimSelectorTermKind {
    SIM_SELECT_IDS,
    SIM_SELECT_REGION,
    SIM_SELECT_TOP_STAKE,
    SIM_SELECT_DA_COMMITTEE,
    SIM_SELECT_LEADER_OF, /* leader(V) */
    SIM_SELECT_LEADER,    /* when the fault fires */
    SIM_SELECT_NEXT_LEADER,
    SIM_SELECT_RELAY, /* relay: brokers, broker(N), marshal, servers, server(N), state-relay,
                         prover */
} SimSelectorTermKind;

typedef enum SimRelayKind {
    SIM_RELAY_BROKER,
    SIM_RELAY_MARSHAL,
    SIM_RELAY_SERVER,
    SIM_RELAY_STATE_RELAY,
    SIM_RELAY_PROVER,
} SimRelayKind;

#define SIM_SELECT_EVERY UINT64_MAX /* a relay term without an index: all of that kind */

typedef struct SimSelectorTerm {
    SimSelectorTermKind kind;
    SimNodeSet ids;     /* IDS */
    uint16_t region;    /* REGION */
    uint64_t value;     /* TOP_STAKE: N; LEADER_OF: the view; RELAY: index or SIM_SELECT_EVERY */
    SimRelayKind relay; /* RELAY */
} SimSelectorTerm;

typedef struct SimSelector {
    uint32_t node_count;
    GArray *terms; /* SimSelectorTerm; NULL for an empty selector */
    char *text;    /* as written, for messages */
} SimSelector;

/* What a selector resolves against. */
/* The leader of `view` when it is not the stake table's alone (epochs: sim_run_leader). */
typedef ProtoNodeId (*SimSelectorLeaderFn)(const void *data, uint64_t view);

typedef struct SimSelectorContext {
    uint32_t node_count;
    const uint16_t *regions; /* per validator */
    const ProtoStakeTable *stake;
    uint32_t da_committee; /* members 0 .. da_committee-1; 0 without the DA layer */
    uint64_t view;         /* the view in progress (for leader and next-leader) */
    /* The transport's relay hosts: brokers from first_relay, the marshal after them (when
     * marshal), or web servers from first_relay. */
    uint32_t first_relay;
    uint32_t brokers;
    gboolean marshal;
    uint32_t servers;
    /* The L1 side's hosts (sim/world/prover.h), when l1: the state relay at first_l1, then for
     * each of the l1s L1s its prover and its L1 node (prover k at first_l1 + 1 + 2k). */
    uint32_t first_l1;
    gboolean l1;
    uint32_t l1s;               /* 0 counts as 1 */
    SimSelectorLeaderFn leader; /* NULL: proto_stake_leader(stake, view) */
    const void *leader_data;
} SimSelectorContext;

/*
 * Parses `text` for a run of `node_count` validators; `regions` names the known regions.
 * Returns FALSE with `error` saying what was expected (ids out of range, an unknown region with
 * a suggestion, an unknown term) and leaves `out` empty.
 */
gboolean sim_selector_parse(SimSelector *out, const char *text, uint32_t node_count,
                            const SimRegions *regions, GError **error);
void sim_selector_clear(SimSelector *selector);
void sim_selector_copy(SimSelector *to, const SimSelector *from);

/* A selector of exactly `ids` (copied). */
void sim_selector_from_set(SimSelector *out, const SimNodeSet *ids);

/* TRUE when it resolves the same whenever it is resolved (no leader / next-leader). */
gboolean sim_selector_is_static(const SimSelector *selector);

/* Resolves into `out` (initialised over context->node_count validators; members are added). */
void sim_selector_resolve(const SimSelector *selector, const SimSelectorContext *context,
                          SimNodeSet *out);

/* Whether the selector has relay terms. */
gboolean sim_selector_has_relays(const SimSelector *selector);

/* Adds the relay hosts the selector picks to `hosts` (a set over every host of the network). */
void sim_selector_resolve_relays(const SimSelector *selector, const SimSelectorContext *context,
                                 SimNodeSet *hosts);

/* FALSE with `error` when a relay term names relays the run does not have (broker(5) with 3
 * brokers, brokers without a CDN). */
gboolean sim_selector_check_relays(const SimSelector *selector, const SimSelectorContext *context,
                                   GError **error);

/* The one-line summary of the syntax, for `shotglass list` and error messages. Static. */
const char *sim_selector_help(void);

#endif
