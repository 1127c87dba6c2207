/*
 * Scenario files; see scenario.h. The file is read twice: GKeyFile parses it, and a line scanner
 * (reader.c) finds where each group and key stands (for messages) and what GKeyFile would
 * silently accept. This file holds the plain groups' keys, expectations, the checks across keys
 * and the whole file; fault groups are fault_keys.c's.
 */
#include "sim/scenario/scenario.h"

#include "sim/scenario/fault_keys.h"
#include "sim/scenario/reader.h"
#include "sim/scenario/stake_keys.h"

#include "protocol/epoch.h"
#include "protocol/stake.h"
#include "protocol/vid.h"

#include "sim/core/assert.h"
#include "sim/net/clock.h"
#include "sim/net/placement.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"

#include <stddef.h>
#include <string.h>

G_DEFINE_QUARK(shotglass - scenario - error - quark, sim_scenario_error)

/* --- the keys -------------------------------------------------------------------------------- */

typedef enum ValueType {
    V_SPECIAL,      /* handled by name (scenario text, stake, placements) */
    V_COUNT,        /* an integer field of `width` bytes within [min, max] */
    V_BOOL,         /* gboolean */
    V_QUANTITY,     /* uint64_t in the base unit of `unit`, at least `min` */
    V_TIME_OR_NONE, /* SimTime; `none_word` means SIM_TIME_NONE, `choices` map to `values` */
    V_DIST,         /* SimDist of `unit` (relative allowed for durations) */
    V_CHOICE,       /* int field: the value of the chosen word */
} ValueType;

typedef struct KeySpec {
    const char *group;
    const char *key;
    ValueType type;
    const char *def;
    const char *help;
    size_t offset;
    SimQuantityKind unit;
    int width;
    uint64_t min;
    uint64_t max;
    const char *const *choices; /* NULL-terminated */
    const int *values;
    const char *none_word;
} KeySpec;

#define F(field) offsetof(SimRunConfig, field)
#define COUNT(g, k, d, h, field, w, lo, hi)                                                        \
    {                                                                                              \
        g, k, V_COUNT, d, h, F(field), SIM_QUANTITY_COUNT, w, lo, hi, NULL, NULL, NULL             \
    }
#define QUANTITY(g, k, d, h, field, unit, lo)                                                      \
    {                                                                                              \
        g, k, V_QUANTITY, d, h, F(field), unit, 8, lo, UINT64_MAX, NULL, NULL, NULL                \
    }
#define DURATION(g, k, d, h, field) QUANTITY(g, k, d, h, field, SIM_QUANTITY_DURATION, 0)
#define TIME_OR(g, k, d, h, field, none)                                                           \
    {                                                                                              \
        g, k, V_TIME_OR_NONE, d, h, F(field), SIM_QUANTITY_DURATION, 8, 0, 0, NULL, NULL, none     \
    }
#define DIST(g, k, d, h, field, unit)                                                              \
    {                                                                                              \
        g, k, V_DIST, d, h, F(field), unit, 0, 0, 0, NULL, NULL, NULL                              \
    }
#define CHOICE(g, k, d, h, field, names, values)                                                   \
    {                                                                                              \
        g, k, V_CHOICE, d, h, F(field), SIM_QUANTITY_COUNT, 0, 0, 0, names, values, NULL           \
    }
#define BOOL(g, k, d, h, field)                                                                    \
    {                                                                                              \
        g, k, V_BOOL, d, h, F(field), SIM_QUANTITY_COUNT, 0, 0, 0, NULL, NULL, NULL                \
    }
#define SPECIAL(g, k, d, h)                                                                        \
    {                                                                                              \
        g, k, V_SPECIAL, d, h, 0, SIM_QUANTITY_COUNT, 0, 0, 0, NULL, NULL, NULL                    \
    }

static const char *const auto_names[] = {"auto", NULL};
static const int auto_values[] = {(int)SIM_STALL_AUTO};
static const char *const crypto_names[] = {"modeled", "real", NULL};
static const int crypto_values[] = {PROTO_CRYPTO_MODELED, PROTO_CRYPTO_REAL};
static const char *const leader_names[] = {"stake-weighted", "round-robin", NULL};
static const int leader_values[] = {PROTO_LEADER_STAKE_WEIGHTED, PROTO_LEADER_ROUND_ROBIN};
static const char *const rule_names[] = {"two-chain", "three-chain", NULL};
static const int rule_values[] = {FALSE, TRUE};
static const char *const loss_names[] = {"retransmit", "drop", NULL};
static const int loss_values[] = {SIM_LOSS_RETRANSMIT, SIM_LOSS_DROP};
static const char *const payload_names[] = {"synthetic", "real", NULL};
static const int payload_values[] = {TRUE, FALSE};
static const char *const transport_names[] = {"direct", "webserver", "cdn",
                                              "libp2p", "combined",  NULL};
static const int transport_values[] = {SIM_TRANSPORT_DIRECT, SIM_TRANSPORT_WEBSERVER,
                                       SIM_TRANSPORT_CDN, SIM_TRANSPORT_LIBP2P,
                                       SIM_TRANSPORT_COMBINED};
static const char *const tcp_names[] = {"ideal", "linux-default", "tuned", NULL};
static const int tcp_values[] = {SIM_TCP_IDEAL, SIM_TCP_LINUX_DEFAULT, SIM_TCP_TUNED};
static const char *const flag_names[] = {"true", "false", NULL};
static const int flag_values[] = {TRUE, FALSE};
static const char *const vid_names[] = {"avid-m", "none", "advz", NULL};
static const int vid_values[] = {PROTO_VID_SCHEME_AVIDM, PROTO_VID_SCHEME_NONE,
                                 PROTO_VID_SCHEME_ADVZ};
static const char *const fetch_names[] = {"da", "vid", NULL};
static const int fetch_values[] = {PROTO_ROLLUP_FROM_DA, PROTO_ROLLUP_FROM_VID};

/* [test] mutant: the names of protocol/mutant.h, in its order (tests/sim/test_scenario.c checks).
 */
static const char *const mutant_names[] = {"none",
                                           "quorum_half",
                                           "skip_lock_check",
                                           "restart_forgets_votes",
                                           "restart_forgets_da_vote",
                                           "one_chain_decide",
                                           "accept_bad_qc",
                                           "da_vote_without_storing",
                                           "accept_weak_tc",
                                           "decide_without_ancestors",
                                           "da_trust_commitment",
                                           "last_qc_without_next",
                                           NULL};
static const int mutant_values[] = {
    PROTO_MUTANT_NONE,
    PROTO_MUTANT_QUORUM_HALF,
    PROTO_MUTANT_SKIP_LOCK_CHECK,
    PROTO_MUTANT_RESTART_FORGETS_VOTES,
    PROTO_MUTANT_RESTART_FORGETS_DA_VOTE,
    PROTO_MUTANT_ONE_CHAIN_DECIDE,
    PROTO_MUTANT_ACCEPT_BAD_QC,
    PROTO_MUTANT_DA_VOTE_WITHOUT_STORING,
    PROTO_MUTANT_ACCEPT_WEAK_TC,
    PROTO_MUTANT_DECIDE_WITHOUT_ANCESTORS,
    PROTO_MUTANT_DA_TRUST_COMMITMENT,
    PROTO_MUTANT_LAST_QC_WITHOUT_NEXT,
};
_Static_assert(G_N_ELEMENTS(mutant_values) == PROTO_MUTANT_COUNT_, "every mutant has a name");
_Static_assert(G_N_ELEMENTS(mutant_names) == PROTO_MUTANT_COUNT_ + 1, "every mutant has a name");

static const KeySpec keys[] = {
    SPECIAL("scenario", "name", "(the file's name)", "a short name for reports"),
    SPECIAL("scenario", "description", "(none)", "what the scenario is about"),
    COUNT("scenario", "seed", "1", "the run seed: same seed, same run, bit for bit", seed, 8, 0,
          UINT64_MAX),
    TIME_OR("scenario", "duration", "none", "stop at this virtual time", end_time, "none"),
    {"scenario", "stall", V_TIME_OR_NONE, "auto",
     "stop (stalled) once no honest validator has entered a view for this long and no fault "
     "is due to start or end (at least [consensus] view_timeout; auto: 20 view timeouts, times "
     "the largest skew or slow factor, and at least 10min; none: never)",
     F(stall), SIM_QUANTITY_DURATION, 8, 1, 0, auto_names, auto_values, "none"},
    COUNT("scenario", "views", "100", "stop when an honest node enters view N+1 (0: no limit)",
          views_max, 8, 0, UINT64_MAX),
    COUNT("scenario", "blocks", "0", "stop after N decided blocks (0: no limit)", blocks_max, 8, 0,
          UINT64_MAX),
    COUNT("scenario", "events", "0", "stop after N events (0: no limit)", events_max, 8, 0,
          UINT64_MAX),
    SPECIAL("network", "placement",
            "us-east-1:25%, eu-west-1:25%, ap-northeast-1:25%, sa-east-1:25%",
            "validators over regions: shares, counts, one region, all, or a list"),
    QUANTITY("network", "uplink", "1Gbit", "each validator's uplink", uplink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    QUANTITY("network", "downlink", "1Gbit", "each validator's downlink", downlink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    DIST("network", "jitter", "none", "extra one-way delay (percentages are of the base delay)",
         jitter, SIM_QUANTITY_DURATION),
    TIME_OR("network", "intra_region_latency", "measured",
            "one-way delay inside a region (measured: from the data)", intra_region_one_way,
            "measured"),
    QUANTITY("network", "loss", "0%", "share of copies lost", loss_ppm, SIM_QUANTITY_RATIO, 0),
    CHOICE("network", "loss_mode", "retransmit",
           "retransmit (a lost copy costs a timeout) or drop (it is gone)", loss_mode, loss_names,
           loss_values),
    DURATION("network", "retransmit_timeout", "200ms", "the cost of one loss in retransmit mode",
             retransmit_timeout),
    QUANTITY("network", "hold_max", "4MiB",
             "per link: the most bytes a partition with mode = hold keeps until it heals; "
             "copies beyond it are dropped and counted (Linux's default tcp_wmem maximum; "
             "docs/calibration.md)",
             hold_max, SIM_QUANTITY_SIZE, 1),
    CHOICE("network", "tcp", "ideal",
           "each connection's TCP: ideal (latency and bandwidth only), linux-default or tuned "
           "(window / RTT, slow start; docs/calibration.md)",
           tcp_mode, tcp_names, tcp_values),
    QUANTITY("network", "tcp_window", "(the preset's)",
             "the most bytes a connection has in flight (linux-default 3MiB, tuned 16MiB)",
             tcp_window, SIM_QUANTITY_SIZE, 1),
    COUNT("network", "tcp_initial_window", "(the preset's)",
          "segments a new or idle connection may send in its first round trip (10)",
          tcp_initial_window, 8, 1, 65535),
    QUANTITY("network", "tcp_mss", "(the preset's)", "payload bytes per segment (1448B)", tcp_mss,
             SIM_QUANTITY_SIZE, 1),
    CHOICE("network", "tcp_slow_start_after_idle", "(the preset's)",
           "true: cwnd decays after an idle of one retransmission timeout, as Linux's default",
           tcp_slow_start_after_idle, flag_names, flag_values),
    TIME_OR("network", "gst", "none",
            "global stabilisation time: before it, copies get adversarial delays", gst, "none"),
    DIST("network", "pre_gst_delay", "uniform(min=0s, max=2s)",
         "the adversarial extra delay of a copy sent before GST", pre_gst_delay,
         SIM_QUANTITY_DURATION),
    DURATION("network", "gst_delta", "1s",
             "a copy sent at t arrives by max(t, gst) + gst_delta (the adversary's bound)",
             gst_delta),
    CHOICE("network", "transport", "direct",
           "how validators' messages travel: direct (host to host), webserver (posted to HTTP "
           "servers that nodes poll; [webserver] group), cdn (Push-CDN brokers; [cdn] group), "
           "libp2p (gossipsub and request-response; [libp2p] group), combined (what Espresso "
           "runs: the CDN first, libp2p as the fallback; [cdn], [libp2p] and [combined] groups) "
           "(sim/net/transport.h)",
           transport.kind, transport_names, transport_values),
    COUNT("cdn", "brokers", "3", "Push-CDN brokers (Cappuccino ran 3)", transport.cdn.brokers, 4, 1,
          1024),
    SPECIAL("cdn", "broker_regions", "us-east-1",
            "the brokers over regions, as [network] placement"),
    SPECIAL("cdn", "marshal_region", "us-east-1", "where the marshal runs"),
    QUANTITY("cdn", "uplink", "12.5Gbit", "each broker's uplink (m6a.xlarge: up to 12.5 Gbit)",
             transport.cdn.uplink_bps, SIM_QUANTITY_BANDWIDTH, 1),
    QUANTITY("cdn", "downlink", "12.5Gbit", "each broker's downlink", transport.cdn.downlink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    COUNT("cdn", "vcpus", "4", "each broker's virtual CPUs (m6a.xlarge: 4)", transport.cdn.vcpus, 4,
          1, 4096),
    DURATION("cdn", "cpu_per_message", "0s",
             "a broker's CPU work per copy it sends, besides the bytes",
             transport.cdn.cpu_per_message),
    QUANTITY("cdn", "cpu_rate", "0bit",
             "bits per second one broker vCPU writes out (framing, TLS); 0: free",
             transport.cdn.cpu_bps, SIM_QUANTITY_BANDWIDTH, 0),
    BOOL("cdn", "test_no_initial_connect", "false",
         "test only: HotShot PR #3407's bug: validators whose brokers are down when the run "
         "starts never connect to the CDN (scenarios/regression-10-cdn-unreachable-at-start.ini)",
         transport.cdn.test_no_initial_connect),
    DURATION("cdn", "idle_timeout", "30s",
             "a validator's connection to its broker is found dead when nothing has come back "
             "on it for this long (QUIC idle timeout; a crashed or cut-off broker)",
             transport.cdn.idle_timeout),
    DURATION("cdn", "connect_timeout", "5s",
             "a connection attempt to the marshal or a broker that gets no answer fails after "
             "this long",
             transport.cdn.connect_timeout),
    DURATION("cdn", "reconnect_delay", "2s",
             "the client's pause after a failed connection attempt before the next one",
             transport.cdn.reconnect_delay),
    COUNT("webserver", "servers", "2",
          "1: one server for everything; 2: one for consensus, one for the DA layer (Doppio)",
          transport.web.servers, 4, 1, 2),
    SPECIAL("webserver", "region", "us-east-1", "where the servers run"),
    QUANTITY("webserver", "uplink", "12.5Gbit",
             "each server's uplink (m6a.xlarge: up to 12.5 Gbit)", transport.web.uplink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    QUANTITY("webserver", "downlink", "12.5Gbit", "each server's downlink",
             transport.web.downlink_bps, SIM_QUANTITY_BANDWIDTH, 1),
    COUNT("webserver", "vcpus", "4", "each server's virtual CPUs (m6a.xlarge: 4)",
          transport.web.vcpus, 4, 1, 4096),
    DURATION("webserver", "poll_interval", "100ms",
             "each validator sleeps this long between polls of a server (the paper, 4.4)",
             transport.web.poll_interval),
    DURATION("webserver", "cpu_per_request", "0s",
             "a server's CPU work per post it takes and per poll it answers with messages",
             transport.web.cpu_per_request),
    COUNT("libp2p", "mesh_n", "8",
          "gossipsub mesh peers each validator keeps (HotShot's GossipConfig default, "
          "crates/libp2p-networking/src/network/node/config.rs: 8, from Ethereum's spec)",
          transport.gossip.mesh_n, 4, 1, 1024),
    COUNT("libp2p", "mesh_n_low", "6",
          "below this many mesh peers a validator grafts more at the next heartbeat (HotShot's "
          "GossipConfig: 6)",
          transport.gossip.mesh_n_low, 4, 1, 1024),
    COUNT("libp2p", "mesh_n_high", "12",
          "the most mesh peers a validator keeps (HotShot's GossipConfig: 12)",
          transport.gossip.mesh_n_high, 4, 1, 1024),
    QUANTITY("libp2p", "heartbeat", "1s",
             "gossipsub's mesh maintenance period: a crashed validator leaves the meshes at the "
             "next one (HotShot's GossipConfig: 1 s, libp2p's default)",
             transport.gossip.heartbeat, SIM_QUANTITY_DURATION, 1),
    BOOL("libp2p", "flood_publish", "true",
         "a publisher sends its own broadcast to every validator, not only its mesh peers "
         "(HotShot's GossipConfig: true)",
         transport.gossip.flood_publish),
    DURATION("libp2p", "duplicate_cache", "60s",
             "how long a validator remembers a message id to filter duplicates (HotShot's "
             "GossipConfig duplicate_cache_time: 60 s)",
             transport.gossip.duplicate_cache),
    BOOL("libp2p", "test_gossip_vid", "false",
         "test only: HotShot #2619's bottleneck: VID shares gossiped to every validator instead "
         "of sent to their owner (scenarios/regression-11-libp2p-vid-gossip.ini)",
         transport.gossip.test_gossip_vid),
    COUNT("libp2p", "kademlia_hops", "3",
          "round trips of the Kademlia lookup of a peer id before the first direct to it (a "
          "model choice, about log base 8 of 1,000 peers; docs/calibration.md)",
          transport.gossip.kademlia_hops, 4, 0, 64),
    DURATION("combined", "delay", "1s",
             "a delay-by-view broadcast (DA proposals, legacy quorum votes) goes on libp2p this "
             "long after the CDN unless the sender's view moved on (Espresso's 1 s, "
             "espresso-network sequencer/src/lib.rs; HotShot's default is 5 s, "
             "COMBINED_NETWORK_DELAY_DURATION in crates/types/src/constants.rs)",
             transport.combined.delay),
    COUNT("combined", "failures_max", "5",
          "a validator holds the CDN down once it failed more often than this (HotShot's "
          "COMBINED_NETWORK_MIN_PRIMARY_FAILURES, crates/types/src/constants.rs)",
          transport.combined.failures_max, 4, 1, 1000000),
    COUNT("combined", "reprobe_every", "50",
          "while the CDN is down, after this many undelayed libp2p sends it is probed again "
          "(HotShot's COMBINED_NETWORK_PRIMARY_CHECK_INTERVAL, crates/types/src/constants.rs)",
          transport.combined.reprobe_every, 4, 1, 1000000),
    COUNT("combined", "dedup_capacity", "200000",
          "messages each validator remembers to drop the copy from the other network (HotShot's "
          "COMBINED_NETWORK_CACHE_SIZE, crates/types/src/constants.rs)",
          transport.combined.dedup_capacity, 4, 1, 100000000),
    COUNT("hosts", "vcpus", "1",
          "each validator's virtual CPUs: its work runs on the first free one (1: one job at "
          "a time, the model before vCPUs; Espresso's testnets ran 2)",
          vcpus, 4, 1, 4096),
    SPECIAL("hosts", "clock", "reference",
            "each validator's CPU clock class; CPU costs scale by 3.5 GHz (the cost table's "
            "reference core) over its clock: reference, m5 (3.1 GHz), c5 (3.4), m6i (3.5), m6a "
            "(3.6), a clock such as 2.9GHz, or shares such as m5:50%, m6a:50% "
            "(docs/calibration.md)"),
    COUNT("consensus", "nodes", "10", "validators", nodes, 4, 1, 100000),
    SPECIAL("consensus", "stake", "equal",
            "equal, zipf(s=NUMBER), or a list of one integer per validator"),
    CHOICE("consensus", "crypto", "modeled",
           "modeled (keyed tags) or real (Ed25519); CPU costs are the same", crypto, crypto_names,
           crypto_values),
    CHOICE("consensus", "leaders", "stake-weighted", "leader election", leaders, leader_names,
           leader_values),
    CHOICE("consensus", "decide_rule", "two-chain",
           "HotStuff-2's two-chain rule or the legacy three-chain rule", three_chain, rule_names,
           rule_values),
    QUANTITY("consensus", "view_timeout", "10s", "a view times out after this", view_timeout,
             SIM_QUANTITY_DURATION, 1),
    QUANTITY("consensus", "view_sync_timeout", "1s", "each view-sync relay round",
             view_sync_timeout, SIM_QUANTITY_DURATION, 1),
    QUANTITY("consensus", "fetch_timeout", "1s", "before asking another peer for a missing leaf",
             fetch_timeout, SIM_QUANTITY_DURATION, 1),
    BOOL("consensus", "unsafe_disable_lock_check", "false",
         "honest nodes skip the locking rule (only to show the safety oracle catching a fork)",
         test_disable_lock_check),
    DURATION("costs", "sign", "100us", "one BLS signature", costs.sign),
    DURATION("costs", "verify", "1.6ms", "one BLS signature check", costs.verify),
    DURATION("costs", "cert_verify", "1.6ms", "an aggregate signature check", costs.cert_verify),
    DURATION("costs", "cert_verify_per_signer", "1us", "plus this per signer",
             costs.cert_verify_per_signer),
    DURATION("costs", "hash_per_mib", "577us", "hashing payloads", costs.hash_per_mib),
    DURATION("costs", "message", "5us", "receiving and decoding any message", costs.message_base),
    DURATION("costs", "vid_encode_per_mib", "20ms", "erasure coding", costs.vid_encode_per_mib),
    DURATION("costs", "merkle_per_level", "75ns", "one level of a Merkle proof",
             costs.merkle_verify_per_level),
    DURATION("costs", "drb_iteration", "35ns",
             "one SHA-256 iteration of the DRB's delay function (a 64-byte block at 0.55 ns/B; "
             "docs/crypto-costs.md)",
             costs.drb_iteration),
    BOOL("da", "enabled", "false",
         "the data-availability layer (when not set: on if another [da] key is set or [workload] "
         "rollups > 0)",
         da),
    COUNT("da", "committee", "10",
          "DA committee members: validators 0..N-1 (default: 10, or all validators when there "
          "are fewer)",
          da_committee, 4, 1, 100000),
    QUANTITY("da", "block_max", "1MB", "the largest block a builder makes", block_max,
             SIM_QUANTITY_SIZE, 64),
    CHOICE("da", "payloads", "synthetic",
           "synthetic (sizes only, for scale) or real (bytes, erasure coded)", synthetic,
           payload_names, payload_values),
    CHOICE("da", "vid", "avid-m",
           "avid-m (every validator gets its VID share and votes only with it; CPU at "
           "costs.vid_encode_per_mib), advz (the same dispersal with ADVZ's KZG costs, growing "
           "with the block and the validators: protocol 0.1-0.2, Cappuccino, mainnet at launch; "
           "docs/crypto-costs.md) or none (the committee alone holds blocks, replicas vote on the "
           "DA certificate: the paper and Doppio; the commitment costs costs.hash_per_mib)",
           vid_scheme, vid_names, vid_values),
    DURATION("da", "builder_delay", "100ms", "the builder's answer to a block request",
             builder_delay),
    DURATION("da", "builder_timeout", "1s", "a leader proposes an empty block after this",
             builder_timeout),
    DURATION("da", "builder_api_timeout", "1s",
             "the builder's own limit on a response: one later than this lowers its block size "
             "limit by a tenth, one in time for a block the limit cut short raises it (Espresso "
             "builder: ESPRESSO_BUILDER_WEBSERVER_RESPONSE_TIMEOUT_DURATION, 1 s; 0: fixed)",
             builder_api_timeout),
    COUNT("da", "builder_vcpus", "1",
          "the builder's virtual CPUs; ADVZ's commitment (jellyfish's rayon code) runs on all of "
          "them, other work on one. No testnet's builder machine was published: 1 is a choice",
          builder_vcpus, 4, 1, 4096),
    DURATION("da", "data_request_delay", "5s",
             "a replica missing its share asks DA members after this", data_request_delay),
    BOOL("da", "test_silent_local_share", "false",
         "test only: HotShot PR #3390's bug: with the CDN down ([network] transport = combined) "
         "a DA member computes its own VID share from the DA proposal but never announces it, "
         "so it never votes (scenarios/regression-09-cdn-down-local-shares.ini)",
         test_silent_local_share),
    SPECIAL("da", "builder_region", "us-east-1", "where the builder runs"),
    COUNT("workload", "rollups", "0", "rollups (namespaces), each with users", rollups, 4, 0, 4096),
    QUANTITY("workload", "tx_rate", "0/s", "transactions per second per rollup (Poisson)",
             tx_rate_mhz, SIM_QUANTITY_RATE, 0),
    DIST("workload", "tx_size", "300B", "transaction size distribution (at least 12B)", tx_size,
         SIM_QUANTITY_SIZE),
    QUANTITY("workload", "via_rpc", "0%", "share of transactions sent through the rollup's RPC",
             rpc_ppm, SIM_QUANTITY_RATIO, 0),
    SPECIAL("workload", "rollup_regions", "all", "placement of the rollups' hosts"),
    SPECIAL("workload", "rollup_l1s", "l1",
            "the L1 each rollup settles on, one name per rollup or one for all: l1 (the [l1] "
            "group's) or the NAME of an [l1.NAME] group"),
    CHOICE("workload", "rollup_fetch", "da",
           "rollups read from a DA member (da) or rebuild from shares (vid, real payloads)",
           rollup_fetch, fetch_names, fetch_values),
    TIME_OR("workload", "until", "none", "users stop submitting at this virtual time", tx_end,
            "none"),
    BOOL("l1", "enabled", "false",
         "the L1 side: an L1 chain, the light-client contract, the state relay and the prover "
         "(when not set: on if the file has an [l1] group)",
         l1),
    /* At least 100 ms (the fastest chains' blocks are a few hundred): a slot is events, and a
     * nanosecond slot made an hour of virtual time 3.6e12 of them. */
    QUANTITY("l1", "slot_time", "12s", "the L1's slot length, at least 100ms; Ethereum: 12s",
             l1_slot_time, SIM_QUANTITY_DURATION, 100 * SIM_MS),
    QUANTITY("l1", "missed_slots", "0%", "share of L1 slots that produce no block", l1_missed_ppm,
             SIM_QUANTITY_RATIO, 0),
    DIST("l1", "inclusion_delay", "1",
         "whole slots from submitting an L1 transaction to its earliest block (1: the next "
         "slot; a distribution draws one per transaction)",
         l1_inclusion_delay, SIM_QUANTITY_COUNT),
    COUNT("l1", "finality_depth", "64",
          "slots after its block until an L1 transaction is final (Ethereum: two epochs of 32)",
          l1_finality_depth, 4, 1, 1000000),
    QUANTITY("l1", "update_interval", "10min",
             "the light-client prover's wait between updates (hotshot-state-prover's default)",
             l1_update_interval, SIM_QUANTITY_DURATION, 1),
    QUANTITY("l1", "retry_interval", "2s",
             "the prover's wait after a failed attempt (no newer signed state, a refusal)",
             l1_retry_interval, SIM_QUANTITY_DURATION, 1),
    DURATION("l1", "proving_time", "24s",
             "the prover's CPU time for one light-client proof (TurboPlonk on BN254, 2^20 gates: "
             "docs/crypto-costs.md)",
             l1_proving_time),
    DURATION("l1", "state_sign", "161us",
             "a validator's CPU time to sign one light-client state (Schnorr over BN254's "
             "embedded curve: one scalar multiplication, docs/crypto-costs.md S16)",
             l1_sign_cost),
    SPECIAL("l1", "region", "us-east-1", "where the state relay, the prover and the L1 node run"),
    QUANTITY("l1", "settle_interval", "10min",
             "how often each rollup posts a state update to its contract on the L1, at least 1s "
             "(no published default: rollups choose; see docs/calibration.md)",
             l1_settle_interval, SIM_QUANTITY_DURATION, SIM_S),
    DURATION("l1", "settle_proving_time", "1min",
             "how long a rollup's prover takes to prove a state update (no published figure)",
             l1_settle_proving_time),
    {"l1", "liveness_bound", V_TIME_OR_NONE, "auto",
     "the light-client liveness oracle: while the prover is up, no decided block waits longer "
     "for the contract to cover it (auto: 2 x update_interval + proving_time + 20 slots of that "
     "L1; none: no oracle)",
     F(l1_liveness_bound), SIM_QUANTITY_DURATION, 8, 1, 0, auto_names, auto_values, "none"},
    BOOL("l1", "test_prover_stall", "false",
         "test only: the prover stops after its first update while it stays up (the liveness "
         "oracle must fire)",
         l1_test_prover_stall),
    QUANTITY("l1", "settle_poll", "12s",
             "how often a rollup reads the light client until it covers the update's block",
             l1_settle_poll, SIM_QUANTITY_DURATION, 1),
    {"epochs", "length", V_COUNT, "0",
     "blocks per epoch (at least 6; 0: no epochs, one stake table for the whole run): epoch e "
     "holds blocks (e-1)N+1 .. eN, its root is block eN-5, its transition block eN-3, and "
     "[stake_changes] take effect two epochs after the root that sees them (hotshot.md 1.2, 1.9)",
     F(epoch_length), SIM_QUANTITY_COUNT, 8, 0, (uint64_t)1 << 32, NULL, NULL, NULL},
    COUNT("epochs", "drb_difficulty", "10",
          "SHA-256 iterations of the DRB that turns an epoch root's QC into the leader schedule of "
          "the epoch after next; every node that decides the root computes it and is charged "
          "[costs] drb_iteration each (HotShot's tests 10, Decaf 5e9, mainnet 2.5e10; hotshot.md "
          "1.3)",
          drb_difficulty, 8, 1, UINT64_MAX),
    BOOL("epochs", "test_own_proposal_check", "false",
         "test only: the QNT finding of hotshot.md 1.9 that a leader can refuse its own proposal: "
         "the consecutive-view check of blocks eN-1 and eN reads the node's own high QC, which "
         "the leader already raised to the QC it formed "
         "(scenarios/regression-25-qnt-own-proposal.ini)",
         test_own_proposal_check),
    BOOL("epochs", "test_last_votes_to_current_leader", "false",
         "test only: the QNT finding of hotshot.md 1.9 on who receives the last block's votes: "
         "they go to the next view's leader of the current epoch, not of the next epoch, whose "
         "leader proposes its first block (scenarios/regression-25-qnt-vote-recipients.ini)",
         test_last_votes_to_current_leader),
    BOOL("epochs", "test_light_client_last_block", "false",
         "test only: the Decaf epoch-1155 bug of hotshot.md 3.6 (espresso-network #3314): the "
         "light client's and the prover's 'past the epoch root' test misses the epoch's last "
         "block, so an update to it is taken before the root "
         "(scenarios/regression-19-light-client-epoch-root.ini)",
         test_light_client_last_block),
    CHOICE("test", "mutant", "none",
           "test only: a known protocol bug compiled into every validator, to show an oracle "
           "catching it (`shotglass list mutants`, docs/mutants.md)",
           mutant, mutant_names, mutant_values),
};

static const char *const groups[] = {
    "scenario", "network", "webserver", "cdn", "libp2p", "combined", "hosts",  "consensus",
    "costs",    "da",      "workload",  "l1",  "epochs", "test",     "expect", "fault.NAME"};

static const KeySpec *find_key(const char *group, const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0) return &keys[i];
    }
    return NULL;
}

/* What `key`, unknown in `group`, may have meant (g_free), or NULL: the closest key of the
 * group, else a key of another group that has the same name or is named by it with its group
 * ("da_committee" for [da] committee, as DESIGN.md's sketch has it in [consensus]). */
static char *suggest_key(const char *group, const char *key)
{
    const char *names[G_N_ELEMENTS(keys)];
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0) names[n++] = keys[i].key;
    }
    const char *close = sim_suggest(key, names, n);
    if (close != NULL) return g_strdup(close);
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        size_t g = strlen(keys[i].group);
        gboolean named = strncmp(key, keys[i].group, g) == 0 && key[g] == '_' &&
                         strcmp(key + g + 1, keys[i].key) == 0;
        if (strcmp(keys[i].key, key) == 0 || named) {
            return g_strdup_printf("[%s] %s", keys[i].group, keys[i].key);
        }
    }
    return NULL;
}

/* --- values ---------------------------------------------------------------------------------- */

static void *field(SimScenario *s, const KeySpec *k)
{
    return (char *)&s->config + k->offset;
}

static gboolean quantity_problem(ScenarioCtx *c, const KeySpec *k, GError *inner)
{
    if (k->none_word == NULL) {
        reader__problem(c, k->group, k->key, "%s", inner->message);
    } else { /* a time, or a word: say the words too */
        GString *words = g_string_new(k->none_word);
        for (int i = 0; k->choices != NULL && k->choices[i] != NULL; i++)
            g_string_append_printf(words, " or %s", k->choices[i]);
        reader__problem(c, k->group, k->key, "%s (or %s)", inner->message, words->str);
        g_string_free(words, TRUE);
    }
    g_error_free(inner);
    return FALSE;
}

static gboolean apply_count(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    uint64_t v = 0;
    GError *inner = NULL;
    if (!sim_quantity_parse(value, k->unit, &v, &inner)) return quantity_problem(c, k, inner);
    if (v < k->min || v > k->max) {
        return reader__problem(
            c, k->group, k->key,
            "expected %s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ", got \"%s\"",
            k->type == V_COUNT ? "a whole number" : "a value", k->min, k->max, value);
    }
    if (k->type == V_COUNT && k->width == 4) {
        *(uint32_t *)field(c->s, k) = (uint32_t)v;
    } else {
        *(uint64_t *)field(c->s, k) = v;
    }
    return TRUE;
}

static gboolean apply_quantity(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    uint64_t v = 0;
    GError *inner = NULL;
    if (!sim_quantity_parse(value, k->unit, &v, &inner)) return quantity_problem(c, k, inner);
    if (v < k->min && k->min == 1) {
        return reader__problem(c, k->group, k->key, "must be more than zero, got \"%s\"", value);
    }
    if (v < k->min) {
        char *least = sim_quantity_format(k->min, k->unit);
        reader__problem(c, k->group, k->key, "must be at least %s, got \"%s\"", least, value);
        g_free(least);
        return FALSE;
    }
    *(uint64_t *)field(c->s, k) = v;
    return TRUE;
}

static gboolean apply_choice(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    for (int i = 0; k->choices[i] != NULL; i++) {
        if (strcmp(value, k->choices[i]) == 0) {
            *(int *)field(c->s, k) = k->values[i];
            return TRUE;
        }
    }
    char *list = g_strjoinv(" or ", (char **)k->choices);
    reader__problem(c, k->group, k->key, "expected %s, got \"%s\"", list, value);
    g_free(list);
    return FALSE;
}

static gboolean apply_bool(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        return reader__problem(c, k->group, k->key, "expected true or false, got \"%s\"", value);
    }
    *(gboolean *)field(c->s, k) = strcmp(value, "true") == 0;
    return TRUE;
}

static gboolean apply_dist(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    GError *inner = NULL;
    SimDist d;
    if (!sim_dist_parse(value, k->unit, k->unit == SIM_QUANTITY_DURATION, &d, &inner)) {
        return quantity_problem(c, k, inner);
    }
    *(SimDist *)field(c->s, k) = d;
    return TRUE;
}

static gboolean apply_stake(ScenarioCtx *c, const char *value)
{
    SimRunConfig *cfg = &c->s->config;
    if (strcmp(value, "equal") == 0) {
        cfg->stake_kind = SIM_STAKE_EQUAL;
        return TRUE;
    }
    if (g_str_has_prefix(value, "zipf(s=") && g_str_has_suffix(value, ")")) {
        char *number = g_strndup(value + 7, strlen(value) - 8);
        gboolean ok = sim_quantity_parse(number, SIM_QUANTITY_FACTOR, &cfg->stake_zipf_ppm, NULL);
        g_free(number);
        if (ok && cfg->stake_zipf_ppm > 0) {
            cfg->stake_kind = SIM_STAKE_ZIPF;
            return TRUE;
        }
    } else if (g_ascii_isdigit(value[0])) {
        char **items = g_strsplit(value, ",", -1);
        GArray *list = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        gboolean ok = TRUE;
        for (guint i = 0; ok && items[i] != NULL; i++) {
            uint64_t v = 0;
            ok = sim_quantity_parse(g_strstrip(items[i]), SIM_QUANTITY_COUNT, &v, NULL);
            g_array_append_val(list, v);
        }
        g_strfreev(items);
        if (ok) {
            if (cfg->stake_list != NULL) g_array_unref(cfg->stake_list);
            cfg->stake_list = list;
            cfg->stake_kind = SIM_STAKE_LIST;
            return TRUE;
        }
        g_array_unref(list);
    }
    return reader__problem(
        c, "consensus", "stake",
        "expected equal, zipf(s=NUMBER) such as zipf(s=1.1), or one whole number per "
        "validator separated by commas, got \"%s\"",
        value);
}

static void replace_text(char **slot, const char *value)
{
    g_free(*slot);
    *slot = g_strdup(value);
}

static gboolean apply_special(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    SimScenario *s = c->s;
    if (strcmp(k->key, "name") == 0) {
        if (*value == '\0') return reader__problem(c, k->group, k->key, "must not be empty");
        replace_text(&s->name, value);
    } else if (strcmp(k->key, "description") == 0) {
        replace_text(&s->description, value);
    } else if (strcmp(k->key, "stake") == 0) {
        return apply_stake(c, value);
    } else if (strcmp(k->key, "placement") == 0) {
        replace_text(&s->config.placement, value);
    } else if (strcmp(k->key, "clock") == 0) {
        replace_text(&s->config.clock, value);
    } else if (strcmp(k->key, "broker_regions") == 0) {
        replace_text(&s->config.cdn_placement, value);
    } else if (strcmp(k->key, "marshal_region") == 0) {
        replace_text(&s->config.cdn_marshal_region, value);
    } else if (strcmp(k->group, "webserver") == 0 && strcmp(k->key, "region") == 0) {
        replace_text(&s->config.web_region, value);
    } else if (strcmp(k->key, "builder_region") == 0) {
        replace_text(&s->config.builder_region, value);
    } else if (strcmp(k->key, "rollup_l1s") == 0) {
        replace_text(&s->config.rollup_l1s, value);
    } else if (strcmp(k->key, "rollup_regions") == 0) {
        replace_text(&s->config.rollup_placement, value);
    } else if (strcmp(k->key, "region") == 0) {
        replace_text(&s->config.l1_region, value);
    } else {
        SIM_UNREACHABLE();
    }
    return TRUE;
}

static gboolean apply_value(ScenarioCtx *c, const KeySpec *k, const char *value)
{
    switch (k->type) {
    case V_SPECIAL:
        return apply_special(c, k, value);
    case V_COUNT:
        return apply_count(c, k, value);
    case V_BOOL:
        return apply_bool(c, k, value);
    case V_QUANTITY:
        return apply_quantity(c, k, value);
    case V_TIME_OR_NONE:
        if (strcmp(value, k->none_word) == 0) {
            *(SimTime *)field(c->s, k) = SIM_TIME_NONE;
            return TRUE;
        }
        for (int i = 0; k->choices != NULL && k->choices[i] != NULL; i++) {
            if (strcmp(value, k->choices[i]) != 0) continue;
            *(SimTime *)field(c->s, k) = (SimTime)k->values[i];
            return TRUE;
        }
        return apply_quantity(c, k, value);
    case V_DIST:
        return apply_dist(c, k, value);
    case V_CHOICE:
        return apply_choice(c, k, value);
    }
    SIM_UNREACHABLE();
}

/* --- expectations ---------------------------------------------------------------------------- */

static gboolean has_fault(ScenarioCtx *c, const char *name)
{
    char *group = g_strdup_printf("fault.%s", name);
    gboolean has = g_key_file_has_group(c->file, group);
    g_free(group);
    return has;
}

static void parse_expect(ScenarioCtx *c)
{
    gsize count = 0;
    char **names = g_key_file_get_keys(c->file, "expect", &count, NULL);
    for (gsize i = 0; i < count; i++) {
        char *value = reader__get(c, "expect", names[i]);
        GError *inner = NULL;
        SimExpectation *e = sim_expect_parse(names[i], value, &inner);
        if (e == NULL) {
            reader__problem(c, "expect", names[i], "%s", inner->message);
            g_error_free(inner);
        } else if (e->metric == SIM_EXPECT_RECOVERY && !has_fault(c, e->fault)) {
            reader__problem(c, "expect", names[i], "there is no [fault.%s]", e->fault);
            sim_expect_free(e);
        } else if (e->l1 != NULL && sim_run_l1_index(&c->s->config, e->l1) < 0) {
            reader__problem(c, "expect", names[i], "there is no L1 %s (no [l1.%s] group)", e->l1,
                            e->l1);
            sim_expect_free(e);
        } else {
            g_ptr_array_add(c->s->expectations, e);
        }
        g_free(value);
    }
    g_strfreev(names);
}

/* --- checks across keys ---------------------------------------------------------------------- */

static void check_region(ScenarioCtx *c, const char *group, const char *key, const char *name);

static void check_places(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    GError *inner = NULL;
    uint16_t *placed = g_new(uint16_t, MAX(cfg->nodes, cfg->rollups) + 1);
    if (!sim_placement_assign(c->regions, cfg->placement, cfg->nodes, placed, &inner)) {
        reader__problem(c, "network", "placement", "%s", inner->message);
        g_clear_error(&inner);
    }
    uint64_t *clock = g_new(uint64_t, cfg->nodes);
    if (!sim_clock_assign(cfg->clock, cfg->nodes, clock, &inner)) {
        reader__problem(c, "hosts", "clock", "%s", inner->message);
        g_clear_error(&inner);
    }
    g_free(clock);
    if (cfg->rollups > 0 &&
        !sim_placement_assign(c->regions, cfg->rollup_placement, cfg->rollups, placed, &inner)) {
        reader__problem(c, "workload", "rollup_regions", "%s", inner->message);
        g_clear_error(&inner);
    }
    if (cfg->transport.kind == SIM_TRANSPORT_CDN || cfg->transport.kind == SIM_TRANSPORT_COMBINED) {
        uint16_t *brokers = g_new(uint16_t, cfg->transport.cdn.brokers);
        if (!sim_placement_assign(c->regions, cfg->cdn_placement, cfg->transport.cdn.brokers,
                                  brokers, &inner)) {
            reader__problem(c, "cdn", "broker_regions", "%s", inner->message);
            g_clear_error(&inner);
        }
        g_free(brokers);
        check_region(c, "cdn", "marshal_region", cfg->cdn_marshal_region);
    }
    if (cfg->transport.kind == SIM_TRANSPORT_WEBSERVER) {
        check_region(c, "webserver", "region", cfg->web_region);
    }
    check_region(c, "da", "builder_region", cfg->builder_region);
    g_free(placed);
}

static void check_region(ScenarioCtx *c, const char *group, const char *key, const char *name)
{
    uint16_t region;
    if (!sim_regions_lookup(c->regions, name, &region)) {
        const char *close = sim_regions_suggest(c->regions, name);
        reader__problem(c, group, key, "unknown region \"%s\"%s%s%s", name,
                        close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
}

static void check_stake(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    if (cfg->stake_kind != SIM_STAKE_LIST) return;
    if (cfg->stake_list->len != cfg->nodes) {
        reader__problem(c, "consensus", "stake",
                        "lists %u stakes for %u validators ([consensus] nodes)",
                        cfg->stake_list->len, cfg->nodes);
        return;
    }
    for (guint i = 0; i < cfg->stake_list->len; i++) {
        if (g_array_index(cfg->stake_list, uint64_t, i) > 0) return;
    }
    reader__problem(c, "consensus", "stake", "every stake is zero");
}

/* Whether [da] has a key other than `enabled`. */
static gboolean da_knob_set(ScenarioCtx *c)
{
    char **names = g_key_file_get_keys(c->file, "da", NULL, NULL);
    gboolean found = FALSE;
    for (guint i = 0; names != NULL && names[i] != NULL && !found; i++)
        found = strcmp(names[i], "enabled") != 0;
    g_strfreev(names);
    return found;
}

/* Fills `stakes` (one per validator) as the run will; FALSE for a stake list of the wrong
 * length (check_stake() reports it). */
static gboolean config_stakes(const SimRunConfig *cfg, uint64_t *stakes)
{
    switch (cfg->stake_kind) {
    case SIM_STAKE_EQUAL:
        proto_stake_equal(cfg->nodes, 1, stakes);
        return TRUE;
    case SIM_STAKE_ZIPF:
        proto_stake_zipf(cfg->nodes, cfg->stake_zipf_ppm, 1000000, stakes);
        return TRUE;
    case SIM_STAKE_LIST:
        if (cfg->stake_list->len != cfg->nodes) return FALSE;
        memcpy(stakes, cfg->stake_list->data, sizeof(uint64_t) * cfg->nodes);
        return TRUE;
    }
    return FALSE;
}

/* The VID code takes at most PROTO_VID_UNITS_MAX units in all; with more validators than
 * that (or stakes that give them more), the DA layer cannot be built, so say so now rather than
 * fail in the run. Stake lists check_stake() refused are left alone. */
static void check_vid_units(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    uint64_t *stakes = g_new(uint64_t, cfg->nodes);
    if (!config_stakes(cfg, stakes)) {
        g_free(stakes);
        return;
    }
    uint32_t staked = 0;
    for (uint32_t i = 0; i < cfg->nodes; i++)
        staked += stakes[i] > 0;
    uint64_t units = staked > 0 ? proto_vid_total_weight(stakes, cfg->nodes) : 0;
    g_free(stakes);
    if (units > PROTO_VID_UNITS_MAX) {
        reader__problem(
            c, "consensus", "nodes",
            "%u validators get %" G_GUINT64_FORMAT " VID units, but the data-availability "
            "layer ([da]) supports at most %u (%u validators of equal stake)",
            cfg->nodes, units, (unsigned)PROTO_VID_UNITS_MAX, (unsigned)PROTO_VID_UNITS_MAX);
    }
}

static void check_data_path(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    /* Setting a DA knob means wanting the DA layer, unless `enabled` says otherwise (a file
     * may keep its DA settings while switching the layer off). */
    if (da_knob_set(c) && !g_key_file_has_key(c->file, "da", "enabled", NULL)) cfg->da = TRUE;
    if (cfg->rollups > 0) {
        if (g_key_file_has_key(c->file, "da", "enabled", NULL) && !cfg->da) {
            reader__problem(c, "da", "enabled",
                            "is false, but [workload] rollups = %u needs the "
                            "data-availability layer",
                            cfg->rollups);
        }
        cfg->da = TRUE;
    }
    if (cfg->tx_rate_mhz > 0 && cfg->rollups == 0) {
        reader__problem(c, "workload", "tx_rate",
                        "transactions need rollups: set [workload] rollups");
    }
    /* An unset committee is 10 members, or every validator of a smaller run: the default must
     * not be an error (`shotglass run --nodes 4 --da`). A committee the file gives is kept. */
    if (!g_key_file_has_key(c->file, "da", "committee", NULL))
        cfg->da_committee = MIN(cfg->da_committee, cfg->nodes);
    if (cfg->da) check_vid_units(c);
    if (cfg->da && cfg->da_committee > cfg->nodes) {
        reader__problem(c, "da", "committee", "has %u members, but there are %u validators",
                        cfg->da_committee, cfg->nodes);
    }
    if (cfg->rollup_fetch == PROTO_ROLLUP_FROM_VID && cfg->vid_scheme == PROTO_VID_SCHEME_NONE &&
        cfg->rollups > 0) {
        reader__problem(c, "workload", "rollup_fetch",
                        "vid rebuilds blocks from VID shares: it needs [da] vid = avid-m");
    }
    if (cfg->rollup_fetch == PROTO_ROLLUP_FROM_VID && cfg->synthetic && cfg->rollups > 0) {
        reader__problem(c, "workload", "rollup_fetch",
                        "vid rebuilds real bytes: it needs [da] payloads = "
                        "real");
    }
    if (cfg->block_max > (cfg->synthetic ? PROTO_PAYLOAD_MAX : PROTO_MESSAGE_MAX / 2)) {
        reader__problem(c, "da", "block_max", "at most %s with %s payloads",
                        cfg->synthetic ? "4GB" : "32MiB", cfg->synthetic ? "synthetic" : "real");
    }
}

/* [workload] rollup_l1s: a name per rollup (or one for all), each l1 or an [l1.NAME]'s NAME. */
static void resolve_rollup_l1s(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    if (cfg->rollup_l1s == NULL || cfg->rollups == 0) return;
    char **names = g_strsplit(cfg->rollup_l1s, ",", -1);
    guint count = g_strv_length(names);
    if (count != 1 && count != cfg->rollups) {
        reader__problem(c, "workload", "rollup_l1s",
                        "names %u L1s, but there are %u rollups: give one name for all, or one "
                        "per rollup",
                        count, cfg->rollups);
        g_strfreev(names);
        return;
    }
    cfg->rollup_l1 = g_array_sized_new(FALSE, TRUE, sizeof(uint32_t), cfg->rollups);
    for (uint32_t r = 0; r < cfg->rollups; r++) {
        const char *name = g_strstrip(names[count == 1 ? 0 : r]);
        uint32_t found = UINT32_MAX;
        if (strcmp(name, "l1") == 0) found = 0;
        for (guint k = 0; cfg->l1_named != NULL && k < cfg->l1_named->len; k++) {
            if (strcmp(g_array_index(cfg->l1_named, SimRunL1, k).name, name) == 0) found = k + 1;
        }
        if (found == UINT32_MAX) {
            reader__problem(c, "workload", "rollup_l1s",
                            "\"%s\" (rollup %u) is no L1: there is no [l1.%s] group (l1 names "
                            "the [l1] group's)",
                            name, r, name);
            found = 0;
        }
        g_array_append_val(cfg->rollup_l1, found);
    }
    g_strfreev(names);
}

/* The L1 side is on when the file has an [l1] group, unless its `enabled` says otherwise; it
 * reads decides through the data layer, so it needs that on (check_data_path decided it), except
 * with epochs (which refuse the data layer): there the run records decides for it. */
static void check_l1(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    if (!g_key_file_has_key(c->file, "l1", "enabled", NULL))
        cfg->l1 = g_key_file_has_group(c->file, "l1") || cfg->l1_named != NULL;
    resolve_rollup_l1s(c);
    if (!cfg->l1) return;
    if (!cfg->da && cfg->epoch_length == 0) {
        reader__problem(c, "l1", NULL,
                        "the L1 side needs the data-availability layer: set [workload] rollups "
                        "(or [da] enabled = true)");
    }
    check_region(c, "l1", "region", cfg->l1_region);
    for (guint k = 0; cfg->l1_named != NULL && k < cfg->l1_named->len; k++) {
        const SimRunL1 *named = &g_array_index(cfg->l1_named, SimRunL1, k);
        if (named->region == NULL) continue;
        char *group = g_strdup_printf("l1.%s", named->name);
        check_region(c, group, "region", named->region);
        g_free(group);
    }
}

/* The TCP overrides need a TCP model, and a window must hold a segment. */
static void check_tcp(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    static const char *const overrides[] = {"tcp_window", "tcp_initial_window", "tcp_mss",
                                            "tcp_slow_start_after_idle"};
    if (cfg->tcp_mode == SIM_TCP_IDEAL) {
        for (size_t i = 0; i < G_N_ELEMENTS(overrides); i++) {
            if (!g_key_file_has_key(c->file, "network", overrides[i], NULL)) continue;
            reader__problem(c, "network", overrides[i],
                            "needs a TCP model: set [network] tcp = linux-default or tuned "
                            "(with tcp = ideal a connection has no window)");
        }
        return;
    }
    SimTcpConfig tcp;
    sim_run_tcp_config(cfg, &tcp);
    if (tcp.window < tcp.mss) {
        reader__problem(c, "network", "tcp_window",
                        "is %" G_GUINT64_FORMAT " bytes, less than one segment ([network] tcp_mss "
                        "%" G_GUINT64_FORMAT " bytes)",
                        tcp.window, tcp.mss);
    }
}

/* Gossipsub's bounds: mesh_n_low <= mesh_n <= mesh_n_high. The problem names the bound when
 * it is set, else mesh_n (so the key that was changed is the one named). */
static void check_gossip(ScenarioCtx *c)
{
    const SimGossipConfig *g = &c->s->config.transport.gossip;
    if (g->mesh_n_low > g->mesh_n) {
        if (g_key_file_has_key(c->file, "libp2p", "mesh_n_low", NULL)) {
            reader__problem(c, "libp2p", "mesh_n_low", "is %u, more than [libp2p] mesh_n (%u)",
                            g->mesh_n_low, g->mesh_n);
        } else {
            reader__problem(c, "libp2p", "mesh_n", "is %u, less than [libp2p] mesh_n_low (%u)",
                            g->mesh_n, g->mesh_n_low);
        }
    }
    if (g->mesh_n > g->mesh_n_high) {
        if (g_key_file_has_key(c->file, "libp2p", "mesh_n_high", NULL)) {
            reader__problem(c, "libp2p", "mesh_n_high", "is %u, less than [libp2p] mesh_n (%u)",
                            g->mesh_n_high, g->mesh_n);
        } else {
            reader__problem(c, "libp2p", "mesh_n", "is %u, more than [libp2p] mesh_n_high (%u)",
                            g->mesh_n, g->mesh_n_high);
        }
    }
}

static void check_config(ScenarioCtx *c)
{
    SimRunConfig *cfg = &c->s->config;
    check_places(c);
    check_gossip(c);
    check_tcp(c);
    check_stake(c);
    check_data_path(c);
    check_l1(c);
    if (cfg->views_max == 0 && cfg->blocks_max == 0 && cfg->end_time == SIM_TIME_NONE &&
        cfg->events_max == 0) {
        reader__problem(c, "scenario", NULL,
                        "nothing stops the run: set duration, views, blocks or events");
    }
    gsize changes = 0;
    char **change_keys = g_key_file_get_keys(c->file, "stake_changes", &changes, NULL);
    g_strfreev(change_keys);
    if (cfg->epoch_length != 0 && cfg->da && changes > 0) {
        reader__problem(c, "epochs", "length",
                        "epochs with the data-availability layer ([da]) are modelled only with "
                        "a fixed stake table: VID shares follow the genesis table, and the "
                        "next epoch's shares of a changed table are missing ([stake_changes])");
    }
    if (cfg->epoch_length != 0 && cfg->three_chain) {
        reader__problem(c, "epochs", "length",
                        "epochs run with the two-chain decide rule only (variant C); "
                        "[consensus] decide_rule is three-chain");
    }
    if (cfg->epoch_length != 0 && cfg->epoch_length < PROTO_EPOCH_LENGTH_MIN) {
        reader__problem(c, "epochs", "length",
                        "is %" G_GUINT64_FORMAT " blocks; expected 0 (no epochs) or at least %d, "
                        "so that the epoch root (block eN-5) and the transition (eN-3) fit in "
                        "an epoch",
                        cfg->epoch_length, PROTO_EPOCH_LENGTH_MIN);
    }
    if (cfg->gst != SIM_TIME_NONE && cfg->gst_delta == 0) {
        reader__problem(c, "network", "gst_delta", "must be more than zero when gst is set");
    }
    if (cfg->stall != SIM_TIME_NONE && cfg->stall != SIM_STALL_AUTO &&
        cfg->stall < cfg->view_timeout) {
        char *timeout = sim_quantity_format(cfg->view_timeout, SIM_QUANTITY_DURATION);
        reader__problem(
            c, "scenario", "stall",
            "is shorter than [consensus] view_timeout (%s), so an ordinary timeout would "
            "count as a stall; expected at least that (several view timeouts), or none",
            timeout);
        g_free(timeout);
    }
}

/* --- warnings -------------------------------------------------------------------------------- */

G_GNUC_PRINTF(2, 3)
static void warn(ScenarioCtx *c, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_ptr_array_add(c->s->warnings, g_strdup_vprintf(format, args));
    va_end(args);
}

/* Whether an expectation looks at the data path (so DA without a workload is on purpose). */
static gboolean expects_data(const SimScenario *s)
{
    for (guint i = 0; i < s->expectations->len; i++) {
        SimExpectMetric m = ((const SimExpectation *)s->expectations->pdata[i])->metric;
        if (m == SIM_EXPECT_DA_AVAILABLE || m == SIM_EXPECT_DECIDED_TXS ||
            m == SIM_EXPECT_UNDECIDED_TXS || m == SIM_EXPECT_TX_LATENCY) {
            return TRUE;
        }
    }
    return FALSE;
}

/* A fault that cannot start before the run stops (only static starts are known here). */
static void check_fault_start(ScenarioCtx *c, const SimFault *f)
{
    const SimRunConfig *cfg = &c->s->config;
    if (f->at.kind == SIM_TRIGGER_TIME && cfg->end_time != SIM_TIME_NONE &&
        f->at.value >= cfg->end_time) {
        char *at = sim_quantity_format(f->at.value, SIM_QUANTITY_DURATION);
        char *end = sim_quantity_format(cfg->end_time, SIM_QUANTITY_DURATION);
        warn(c,
             "[fault.%s] starts at %s, but the run stops at %s ([scenario] duration): "
             "the fault never happens",
             f->name, at, end);
        g_free(at);
        g_free(end);
    }
    if ((f->at.kind == SIM_TRIGGER_VIEW || f->at.kind == SIM_TRIGGER_TC) && cfg->views_max > 0 &&
        f->at.value > cfg->views_max) {
        warn(c,
             "[fault.%s] starts at view %" G_GUINT64_FORMAT
             ", but the run stops after view %" G_GUINT64_FORMAT
             " ([scenario] views): the fault never happens",
             f->name, f->at.value, cfg->views_max);
    }
}

/* Settings that are valid but leave a whole subsystem idle (see sim_scenario_load). */
static void check_idle(ScenarioCtx *c)
{
    const SimRunConfig *cfg = &c->s->config;
    if (cfg->rollups > 0 && cfg->tx_rate_mhz == 0) {
        warn(c,
             "[workload] rollups = %u, but tx_rate is 0/s: no transaction is submitted "
             "(set [workload] tx_rate)",
             cfg->rollups);
    } else if (cfg->rollups > 0 && cfg->tx_end == 0) {
        warn(c, "[workload] until = 0s: users stop before they start, so no transaction is "
                "submitted");
    }
    if (cfg->da && cfg->rollups == 0 && !expects_data(c->s)) {
        warn(c, "the DA layer is on, but there is no workload ([workload] rollups = 0) and no "
                "expectation about it: blocks carry no transactions and nothing checks the data "
                "path (set [workload] rollups and tx_rate, or expect da_available)");
    }
    for (guint i = 0; cfg->faults != NULL && i < cfg->faults->len; i++)
        check_fault_start(c, cfg->faults->pdata[i]);
}

static int compare_stake_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/* The fewest votes whose stake passes the success threshold, floor(2S/3) + 1: the largest
 * stakes first. Sorts `stakes`. */
static uint64_t fewest_quorum_votes(uint64_t *stakes, uint32_t n)
{
    qsort(stakes, n, sizeof(uint64_t), compare_stake_desc);
    ProtoU128 total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += stakes[i];
    ProtoU128 threshold = total * 2 / 3 + 1, sum = 0;
    uint64_t votes = 0;
    while (votes < n && sum < threshold)
        sum += stakes[votes++];
    return votes;
}

/* A view timeout that cannot cover the leader's modeled check of a quorum of votes: each vote
 * costs [costs] verify + message on the leader's one CPU, so at large n no certificate forms
 * before the view times out and nothing is decided. True to the model, but a surprise. */
static void check_scale(ScenarioCtx *c)
{
    const SimRunConfig *cfg = &c->s->config;
    uint64_t *stakes = g_new(uint64_t, cfg->nodes);
    uint64_t votes = config_stakes(cfg, stakes) ? fewest_quorum_votes(stakes, cfg->nodes) : 0;
    g_free(stakes);
    SimDuration per_vote = cfg->costs.verify + cfg->costs.message_base;
    ProtoU128 need = (ProtoU128)votes * per_vote;
    if (votes == 0 || per_vote == 0 || need < cfg->view_timeout) return;
    char *cpu = sim_quantity_format(need > UINT64_MAX ? UINT64_MAX : (SimDuration)need,
                                    SIM_QUANTITY_DURATION);
    char *each = sim_quantity_format(per_vote, SIM_QUANTITY_DURATION);
    char *timeout = sim_quantity_format(cfg->view_timeout, SIM_QUANTITY_DURATION);
    warn(c,
         "at %u validators a leader checks at least %" G_GUINT64_FORMAT
         " vote%s for a quorum certificate, %s each ([costs] verify + message): %s of modeled "
         "CPU, not less than [consensus] view_timeout (%s), so views time out before a "
         "certificate forms and no block is decided; raise [consensus] view_timeout well above "
         "%s (or lower [costs] verify)",
         cfg->nodes, votes, votes == 1 ? "" : "s", each, cpu, timeout, cpu);
    g_free(cpu);
    g_free(each);
    g_free(timeout);
}

/* --- groups, overrides and the whole file ------------------------------------------------------
 */

static gboolean is_plain_group(const char *group)
{
    for (size_t i = 0; i < G_N_ELEMENTS(groups) - 2; i++) {
        if (strcmp(groups[i], group) == 0) return TRUE;
    }
    return FALSE;
}

/* The keys an [l1.NAME] group may set: its chain's; the rest are the [l1] group's for all. */
static const char *const named_l1_keys[] = {"slot_time",      "missed_slots",    "inclusion_delay",
                                            "finality_depth", "update_interval", "proving_time",
                                            "region"};

static void named_l1_from(SimRunL1 *out, const SimRunConfig *cfg)
{
    out->slot_time = cfg->l1_slot_time;
    out->missed_ppm = cfg->l1_missed_ppm;
    out->inclusion_delay = cfg->l1_inclusion_delay;
    out->finality_depth = cfg->l1_finality_depth;
    out->update_interval = cfg->l1_update_interval;
    out->proving_time = cfg->l1_proving_time;
}

static void named_l1_to(SimRunConfig *cfg, const SimRunL1 *in)
{
    cfg->l1_slot_time = in->slot_time;
    cfg->l1_missed_ppm = in->missed_ppm;
    cfg->l1_inclusion_delay = in->inclusion_delay;
    cfg->l1_finality_depth = in->finality_depth;
    cfg->l1_update_interval = in->update_interval;
    cfg->l1_proving_time = in->proving_time;
}

static void clear_named_l1(gpointer data)
{
    g_free(((SimRunL1 *)data)->name);
    g_free(((SimRunL1 *)data)->region);
}

/* One [l1.NAME] group: its keys parsed as the [l1] group's are (errors name its group), into a
 * SimRunL1 that starts as a copy of the [l1] group's chain. */
static void apply_named_l1(ScenarioCtx *c, const char *group)
{
    SimRunConfig *cfg = &c->s->config;
    const char *name = group + strlen("l1.");
    if (*name == '\0' || strcmp(name, "l1") == 0 || strchr(name, ',') != NULL) {
        reader__problem(c, group, NULL,
                        "an [l1.NAME] group needs a NAME, other than l1, without "
                        "commas");
        return;
    }
    SimRunL1 base = {0}, named;
    named_l1_from(&base, cfg);
    named = base;
    gsize count = 0;
    char **set = g_key_file_get_keys(c->file, group, &count, NULL);
    for (gsize i = 0; set != NULL && i < count; i++) {
        gboolean chain_key = FALSE;
        for (size_t j = 0; j < G_N_ELEMENTS(named_l1_keys); j++)
            chain_key = chain_key || strcmp(set[i], named_l1_keys[j]) == 0;
        if (!chain_key) {
            reader__problem(c, group, set[i],
                            "is not a key of an [l1.NAME] group, which sets slot_time, "
                            "missed_slots, inclusion_delay, finality_depth, update_interval, "
                            "proving_time and region (%s)",
                            find_key("l1", set[i]) != NULL ? "the rest are the [l1] group's"
                                                           : "unknown key");
            continue;
        }
        char *value = reader__get(c, group, set[i]);
        if (strcmp(set[i], "region") == 0) { /* a string of its own, checked with [l1]'s */
            g_free(named.region);
            named.region = g_strstrip(value);
            continue;
        }
        KeySpec k = *find_key("l1", set[i]);
        k.group = group;
        named_l1_to(cfg, &named);
        apply_value(c, &k, value);
        named_l1_from(&named, cfg);
        g_free(value);
    }
    g_strfreev(set);
    named_l1_to(cfg, &base);
    named.name = g_strdup(name);
    if (cfg->l1_named == NULL) {
        cfg->l1_named = g_array_new(FALSE, TRUE, sizeof(SimRunL1));
        g_array_set_clear_func(cfg->l1_named, clear_named_l1);
    }
    g_array_append_val(cfg->l1_named, named);
}

static void apply_named_l1s(ScenarioCtx *c)
{
    gsize count = 0;
    char **names = g_key_file_get_groups(c->file, &count);
    for (gsize i = 0; i < count; i++) {
        if (g_str_has_prefix(names[i], "l1.")) apply_named_l1(c, names[i]);
    }
    g_strfreev(names);
}

static void check_groups(ScenarioCtx *c)
{
    gsize count = 0;
    char **names = g_key_file_get_groups(c->file, &count);
    for (gsize i = 0; i < count; i++) {
        if (is_plain_group(names[i]) || strcmp(names[i], "expect") == 0 ||
            strcmp(names[i], "stake_changes") == 0 || g_str_has_prefix(names[i], "fault.") ||
            g_str_has_prefix(names[i], "l1.")) {
            continue;
        }
        const char *close = sim_suggest(names[i], groups, G_N_ELEMENTS(groups));
        reader__problem(
            c, names[i], NULL,
            "unknown group%s%s%s; the groups are scenario, network, webserver, cdn, libp2p, "
            "combined, hosts, consensus, costs, da, workload, l1, l1.NAME, epochs, stake_changes, "
            "test, expect and fault.NAME",
            close ? " (did you mean [" : "", close ? close : "", close ? "]?)" : "");
    }
    g_strfreev(names);
}

/* The [l1] keys that became fault kinds: a pointer to them instead of "unknown key". */
static gboolean moved_l1_key(ScenarioCtx *c, const char *group, const char *key)
{
    static const char *const moved[] = {"reorg_at", "reorg_depth", "congested_from",
                                        "congested_until", "congested_delay"};
    if (strcmp(group, "l1") != 0) return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(moved); i++) {
        if (strcmp(key, moved[i]) != 0) continue;
        reader__problem(c, group, key,
                        "unknown key: L1 reorgs and congestion are faults now, [fault.NAME] kind "
                        "= %s (scenarios/README.md)",
                        i < 2 ? "l1-reorg with at and depth"
                              : "l1-congestion with at, until and slots");
        return TRUE;
    }
    return FALSE;
}

static void apply_plain_groups(ScenarioCtx *c)
{
    for (size_t g = 0; g < G_N_ELEMENTS(groups) - 2; g++) {
        gsize count = 0;
        char **names = g_key_file_get_keys(c->file, groups[g], &count, NULL);
        for (gsize i = 0; names != NULL && i < count; i++) {
            const KeySpec *k = find_key(groups[g], names[i]);
            if (k == NULL && moved_l1_key(c, groups[g], names[i])) continue;
            if (k == NULL) {
                char *close = suggest_key(groups[g], names[i]);
                reader__problem(c, groups[g], names[i],
                                "unknown key%s%s%s (`shotglass list keys` shows them all)",
                                close ? "; did you mean " : "", close ? close : "",
                                close ? "?" : "");
                g_free(close);
                continue;
            }
            char *value = reader__get(c, groups[g], names[i]);
            apply_value(c, k, value);
            g_free(value);
        }
        g_strfreev(names);
    }
}

/* "group.key=value": [fault.NAME] groups have a dot of their own; [expect] keys may too. */
static void apply_override(ScenarioCtx *c, const char *text)
{
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    if (g_str_has_prefix(text, "fault.") && dot != NULL) dot = strchr(dot + 1, '.');
    /* l1.NAME.key=value names an [l1.NAME] group; l1.key=value the [l1] group */
    const char *second = dot != NULL && g_str_has_prefix(text, "l1.") ? strchr(dot + 1, '.') : NULL;
    if (second != NULL && eq != NULL && second < eq) dot = second;
    if (eq == NULL || dot == NULL || dot > eq || dot == text || dot + 1 == eq) {
        reader__problem(c, NULL, NULL,
                        "--set \"%s\": expected group.key=value, such as consensus.nodes=100",
                        text);
        return;
    }
    char *group = g_strndup(text, (gsize)(dot - text));
    char *key = g_strstrip(g_strndup(dot + 1, (gsize)(eq - dot - 1)));
    g_key_file_set_value(c->file, group, key, eq + 1);
    g_hash_table_add(c->set_by_override, reader__line_key(group, key));
    g_free(group);
    g_free(key);
}

/* Lines that are neither a group, a key = value nor a comment, and keys before any group. */
static gboolean syntax_ok(ScenarioCtx *c, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    char *group = NULL;
    gboolean ok = TRUE;
    for (int i = 0; lines[i] != NULL; i++) {
        char *line = g_strstrip(lines[i]);
        if (*line == '\0' || *line == '#') continue;
        if (*line == '[') {
            gboolean closed = line[strlen(line) - 1] == ']';
            g_free(group);
            group = closed ? g_strndup(line + 1, strlen(line) - 2) : NULL;
            if (!closed) {
                ok = reader__line_problem(c, i + 1, NULL, NULL,
                                          "\"%s\" is not a [group] line: no ]", line);
            }
        } else if (group == NULL) {
            ok = reader__line_problem(c, i + 1, NULL, NULL, "\"%s\": a key before any [group]",
                                      line);
        } else if (strchr(line, '=') == NULL) {
            ok = reader__line_problem(c, i + 1, group, NULL,
                                      "\"%s\" is not key = value (in [expect] also key >= value, "
                                      "key <= value, key == value)",
                                      line);
        }
    }
    g_free(group);
    g_strfreev(lines);
    return ok;
}

static char *base_name(const char *path)
{
    char *base = g_path_get_basename(path);
    char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base) *dot = '\0';
    return base;
}

/* A caller's default: only where the file is silent. */
static void apply_default(ScenarioCtx *c, const char *text)
{
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    SIM_ASSERT(eq != NULL && dot != NULL && dot < eq); /* written by programs, not users */
    char *group = g_strndup(text, (gsize)(dot - text));
    char *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
    if (!g_key_file_has_key(c->file, group, key, NULL)) {
        g_key_file_set_value(c->file, group, key, eq + 1);
    }
    g_free(group);
    g_free(key);
}

/* [stake_changes], checked against the genesis stakes when those are known. */
static void parse_stake_changes(ScenarioCtx *c)
{
    const SimRunConfig *cfg = &c->s->config;
    uint64_t *stakes = g_new(uint64_t, cfg->nodes);
    gboolean known = config_stakes(cfg, stakes);
    stake_keys__parse(c, known ? stakes : NULL);
    g_free(stakes);
}

static void parse_all(ScenarioCtx *c, const char *text, const SimScenarioSettings *settings)
{
    reader__scan(c, text);
    if (!syntax_ok(c, text) || c->error_count > 0) return; /* the rest would be guesswork */
    GError *inner = NULL;
    if (!g_key_file_load_from_data(c->file, text, (gsize)-1, G_KEY_FILE_NONE, &inner)) {
        reader__problem(c, NULL, NULL, "%s", inner->message);
        g_error_free(inner);
        return;
    }
    const char *const *defaults = settings != NULL ? settings->defaults : NULL;
    const char *const *overrides = settings != NULL ? settings->overrides : NULL;
    for (guint i = 0; defaults != NULL && defaults[i] != NULL; i++)
        apply_default(c, defaults[i]);
    for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
        apply_override(c, overrides[i]);
    check_groups(c);
    apply_plain_groups(c);
    apply_named_l1s(c);
    check_config(c);
    char *nodes = reader__get(c, "consensus", "nodes");
    uint64_t validators = 0;
    gboolean nodes_ok =
        nodes == NULL || (sim_quantity_parse(nodes, SIM_QUANTITY_COUNT, &validators, NULL) &&
                          validators >= 1 && validators <= find_key("consensus", "nodes")->max);
    g_free(nodes);
    if (!nodes_ok) return; /* selectors need the number of validators (reported above) */
    gsize count = 0;
    char **names = g_key_file_get_groups(c->file, &count);
    for (gsize i = 0; i < count; i++) {
        if (g_str_has_prefix(names[i], "fault.")) fault_keys__parse(c, names[i]);
    }
    g_strfreev(names);
    parse_expect(c);
    parse_stake_changes(c);
    if (c->error_count == 0) {
        check_idle(c);
        check_scale(c);
    }
}

gboolean sim_scenario_parse(SimScenario *s, const char *path, const char *text,
                            const SimScenarioSettings *settings, GError **error)
{
    SIM_ASSERT(s != NULL && path != NULL && text != NULL);
    *s = (SimScenario){.path = g_strdup(path),
                       .name = path[0] == '<' ? g_strdup("defaults") : base_name(path),
                       .text = g_strdup(text),
                       .expectations =
                           g_ptr_array_new_with_free_func((GDestroyNotify)sim_expect_free),
                       .warnings = g_ptr_array_new_with_free_func(g_free)};
    sim_run_config_init(&s->config);
    ScenarioCtx c = {.path = path,
                     .file = g_key_file_new(),
                     .lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                     .set_by_override =
                         g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                     .errors = g_string_new(NULL),
                     .s = s,
                     .regions = sim_regions_new_default(NULL)};
    SIM_ASSERT(c.regions != NULL); /* built into the binary */
    parse_all(&c, text, settings);
    gboolean ok = c.error_count == 0;
    if (!ok) {
        if (c.error_count > READER_ERRORS_MAX) {
            g_string_append_printf(c.errors, "(and %u more)\n", c.error_count - READER_ERRORS_MAX);
        }
        g_strchomp(c.errors->str);
        g_set_error_literal(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID, c.errors->str);
        sim_scenario_clear(s);
    }
    g_key_file_free(c.file);
    g_hash_table_unref(c.lines);
    g_hash_table_unref(c.set_by_override);
    g_string_free(c.errors, TRUE);
    sim_regions_free(c.regions);
    return ok;
}

gboolean sim_scenario_load(SimScenario *s, const char *path, const SimScenarioSettings *settings,
                           GError **error)
{
    if (path == NULL) return sim_scenario_parse(s, "<command line>", "", settings, error);
    char *text = NULL;
    gsize len = 0;
    GError *inner = NULL;
    if (!g_file_get_contents(path, &text, &len, &inner)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_READ, "%s: cannot read: %s", path,
                    inner->message);
        g_error_free(inner);
        memset(s, 0, sizeof *s);
        return FALSE;
    }
    if (!g_utf8_validate(text, (gssize)len, NULL)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID,
                    "%s: not a text file (invalid UTF-8 or a NUL byte)", path);
        g_free(text);
        memset(s, 0, sizeof *s);
        return FALSE;
    }
    gboolean ok = sim_scenario_parse(s, path, text, settings, error);
    g_free(text);
    return ok;
}

void sim_scenario_clear(SimScenario *s)
{
    if (s->expectations != NULL) g_ptr_array_unref(s->expectations);
    if (s->warnings != NULL) g_ptr_array_unref(s->warnings);
    if (s->config.faults != NULL) sim_run_config_clear(&s->config);
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_free(s->text);
    memset(s, 0, sizeof *s);
}

static const struct {
    const char *group, *key, *example;
} examples[] = {
    {"scenario", "name", "partition-heal"},
    {"scenario", "description", "a continent drops off for 30 s"},
    {"scenario", "seed", "42"},
    {"scenario", "duration", "2min"},
    {"scenario", "stall", "30min"},
    {"scenario", "views", "500"},
    {"scenario", "blocks", "1000"},
    {"scenario", "events", "50000000"},
    {"network", "placement", "us-east-1:40%, eu-west-1:60%"},
    {"network", "uplink", "100Mbit"},
    {"network", "downlink", "10Gbit"},
    {"network", "jitter", "lognormal(median=5%, sigma=0.5)"},
    {"network", "intra_region_latency", "1ms"},
    {"network", "loss", "0.5%"},
    {"network", "loss_mode", "drop"},
    {"network", "retransmit_timeout", "300ms"},
    {"network", "hold_max", "256KiB"},
    {"network", "tcp", "linux-default"},
    {"network", "tcp_window", "16MiB"},
    {"network", "tcp_initial_window", "4"},
    {"network", "tcp_mss", "8948B"},
    {"network", "tcp_slow_start_after_idle", "false"},
    {"hosts", "vcpus", "2"},
    {"hosts", "clock", "m6a:50%, m5:50%"},
    {"network", "transport", "cdn"},
    {"cdn", "brokers", "5"},
    {"cdn", "broker_regions", "us-east-1:2, eu-west-1:1"},
    {"cdn", "marshal_region", "eu-west-1"},
    {"cdn", "uplink", "1.5625Gbit"},
    {"cdn", "downlink", "12.5Gbit"},
    {"cdn", "vcpus", "8"},
    {"cdn", "cpu_per_message", "5us"},
    {"cdn", "cpu_rate", "8Gbit"},
    {"cdn", "idle_timeout", "10s"},
    {"cdn", "connect_timeout", "3s"},
    {"cdn", "reconnect_delay", "1s"},
    {"cdn", "test_no_initial_connect", "true"},
    {"webserver", "servers", "1"},
    {"webserver", "region", "eu-west-1"},
    {"webserver", "uplink", "10Gbit"},
    {"webserver", "downlink", "10Gbit"},
    {"webserver", "vcpus", "8"},
    {"webserver", "poll_interval", "50ms"},
    {"webserver", "cpu_per_request", "20us"},
    {"libp2p", "mesh_n", "6"},
    {"libp2p", "mesh_n_low", "4"},
    {"libp2p", "mesh_n_high", "10"},
    {"libp2p", "heartbeat", "700ms"},
    {"libp2p", "flood_publish", "false"},
    {"libp2p", "duplicate_cache", "2min"},
    {"libp2p", "kademlia_hops", "5"},
    {"libp2p", "test_gossip_vid", "true"},
    {"combined", "delay", "5s"},
    {"combined", "failures_max", "3"},
    {"combined", "reprobe_every", "20"},
    {"combined", "dedup_capacity", "10000"},
    {"network", "gst", "40s"},
    {"network", "pre_gst_delay", "exponential(mean=3s)"},
    {"network", "gst_delta", "500ms"},
    {"consensus", "nodes", "1000"},
    {"consensus", "stake", "zipf(s=1.1)"},
    {"consensus", "crypto", "real"},
    {"consensus", "leaders", "round-robin"},
    {"consensus", "decide_rule", "three-chain"},
    {"consensus", "view_timeout", "4s"},
    {"consensus", "view_sync_timeout", "2s"},
    {"consensus", "fetch_timeout", "500ms"},
    {"consensus", "unsafe_disable_lock_check", "true"},
    {"costs", "sign", "200us"},
    {"costs", "verify", "2ms"},
    {"costs", "cert_verify", "3ms"},
    {"costs", "cert_verify_per_signer", "2us"},
    {"costs", "hash_per_mib", "1ms"},
    {"costs", "message", "10us"},
    {"costs", "vid_encode_per_mib", "40ms"},
    {"costs", "merkle_per_level", "100ns"},
    {"da", "enabled", "true"},
    {"da", "committee", "21"},
    {"da", "block_max", "5MB"},
    {"da", "payloads", "real"},
    {"da", "vid", "none"},
    {"da", "builder_api_timeout", "2s"},
    {"da", "builder_delay", "250ms"},
    {"da", "builder_vcpus", "16"},
    {"da", "builder_timeout", "2s"},
    {"da", "data_request_delay", "1s"},
    {"da", "test_silent_local_share", "true"},
    {"da", "builder_region", "eu-west-1"},
    {"workload", "rollups", "8"},
    {"workload", "tx_rate", "2000/s"},
    {"workload", "tx_size", "lognormal(mean=300B, sigma=0.5)"},
    {"workload", "via_rpc", "50%"},
    {"workload", "rollup_regions", "us-east-1"},
    {"workload", "rollup_fetch", "vid"},
    {"workload", "until", "60s"},
    {"l1", "enabled", "true"},
    {"l1", "slot_time", "2s"},
    {"l1", "missed_slots", "1%"},
    {"l1", "inclusion_delay", "uniform(min=1, max=3)"},
    {"l1", "finality_depth", "32"},
    {"l1", "update_interval", "5min"},
    {"l1", "retry_interval", "5s"},
    {"l1", "proving_time", "1min"},
    {"l1", "state_sign", "1ms"},
    {"l1", "region", "eu-west-1"},
    {"workload", "rollup_l1s", "l1"},
    {"l1", "settle_interval", "30min"},
    {"l1", "settle_proving_time", "5min"},
    {"l1", "settle_poll", "1min"},
    {"l1", "liveness_bound", "30min"},
    {"l1", "test_prover_stall", "true"},
    {"epochs", "length", "100"},
    {"epochs", "drb_difficulty", "1000000"},
    {"epochs", "test_own_proposal_check", "true"},
    {"epochs", "test_last_votes_to_current_leader", "true"},
    {"epochs", "test_light_client_last_block", "true"},
    {"costs", "drb_iteration", "40ns"},
    {"test", "mutant", "quorum_half"},
};

/* An example value of a key, for the documentation. */
static const char *example_of(const KeySpec *k)
{
    for (size_t i = 0; i < G_N_ELEMENTS(examples); i++) {
        if (strcmp(examples[i].group, k->group) == 0 && strcmp(examples[i].key, k->key) == 0) {
            return examples[i].example;
        }
    }
    SIM_UNREACHABLE(); /* every key has one: tests/sim/test_scenario.c checks */
}

/* --- documentation --------------------------------------------------------------------------- */

static void describe_plain(GString *out, gboolean markdown)
{
    const char *current = "";
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        const KeySpec *k = &keys[i];
        if (strcmp(current, k->group) != 0) {
            current = k->group;
            if (markdown) {
                g_string_append_printf(out,
                                       "\n### [%s]\n\n| key | default | example | meaning |\n"
                                       "| --- | --- | --- | --- |\n",
                                       current);
            } else {
                g_string_append_printf(out, "%s[%s]\n", i ? "\n" : "", current);
            }
        }
        if (markdown) {
            g_string_append_printf(out, "| `%s` | `%s` | `%s` | %s |\n", k->key, k->def,
                                   example_of(k), k->help);
        } else {
            g_string_append_printf(out, "  %-26s %-22s %s\n", k->key, k->def, k->help);
        }
    }
}

char *sim_scenario_describe_keys(gboolean markdown)
{
    GString *out = g_string_new(NULL);
    describe_plain(out, markdown);
    fault_keys__describe(out, markdown);
    stake_keys__describe(out, markdown);
    if (markdown) {
        g_string_append(
            out, "\n### [expect]\n\nOne line per expectation; see \"Expectations\" above.\n");
    } else {
        g_string_append(out, "\n[expect]\n  safety, da_available, decided_blocks, views, "
                             "failed_views, longest_gap, finality_pNN,\n  recovery.FAULT, "
                             "decided_txs, undecided_txs, tx_latency_pNN, transitions,\n  "
                             "transition_views (see `shotglass list "
                             "expectations`)\n");
    }
    return g_string_free(out, FALSE);
}
