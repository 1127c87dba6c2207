/* The state relay, the light-client prover and the L1 host; see prover.h. */
#include "sim/world/prover.h"

#include "sim/core/assert.h"

#include <string.h>

/* Message kinds, in the order their network types are registered. */
typedef enum WireKind {
    WIRE_STATE,          /* validator -> relay: a signed state */
    WIRE_REQUEST,        /* prover -> relay: the newest bundle, please */
    WIRE_BUNDLE,         /* relay -> prover: a state with its signers' stake (height 0: none) */
    WIRE_UPDATE,         /* prover -> L1: newFinalizedState */
    WIRE_RECEIPT,        /* L1 -> prover: the update's inclusion and the contract's answer */
    WIRE_SETTLE_READ,    /* rollup -> L1: the light client's height, please */
    WIRE_SETTLE_HEIGHT,  /* L1 -> rollup: it (in state.block_height) */
    WIRE_SETTLE_UPDATE,  /* rollup -> L1: the state update up to state.block_height */
    WIRE_SETTLE_RECEIPT, /* L1 -> rollup: its inclusion and the contract's answer */
    WIRE_KIND_COUNT_,
} WireKind;

static const char *const wire_names[WIRE_KIND_COUNT_] = {"lc_state",  "lc_request", "lc_bundle",
                                                         "lc_update", "l1_receipt", "rs_read",
                                                         "rs_height", "rs_update",  "rs_receipt"};

/* Logical sizes (estimates; see docs/calibration.md): a state is 48 B, a Schnorr signature and
 * key 64 B each; a TurboPlonk proof 13 G1 points and 10 field elements (1152 B); plus HTTP or
 * calldata framing. */
#define SIZE_STATE       200
#define SIZE_REQUEST     100
#define SIZE_BUNDLE_BASE 100
#define SIZE_PER_SIGNER  128
#define SIZE_UPDATE      1400
#define SIZE_RECEIPT     300
/* A rollup's state update: its proof and state roots (estimate as a Plonk proof) plus the block
 * header's Merkle proof (sim_rollup_merkle_bytes). */
#define SIZE_SETTLE_BASE 1400

typedef struct Wire {
    uint8_t kind;
    uint32_t node;
    SimLightClientState state;
    uint64_t stake;
    uint64_t extra; /* BUNDLE: signers; RECEIPT: the contract's result (negated) */
} Wire;

#define WIRE_BYTES (1 + 4 + 8 + 8 + SIM_LIGHT_CLIENT_ROOT_BYTES + 8 + 8)

typedef enum Phase {
    PHASE_IDLE,      /* the timer is the next attempt */
    PHASE_ASKING,    /* a request to the relay is out */
    PHASE_PROVING,   /* the timer is the proof's completion */
    PHASE_SUBMITTED, /* waiting for the L1's receipt */
    PHASE_STALLED,   /* test only: never again */
} Phase;

typedef struct Update {
    SimLightClientState state; /* a settlement's: its height in block_height */
    uint64_t stake;
    int result;     /* the contract's answer at its latest inclusion */
    int64_t rollup; /* -1: a light-client update; else the rollup settling */
    gboolean taken; /* a contract took it at some inclusion */
} Update;

typedef enum SettlePhase {
    SETTLE_IDLE,      /* the timer is the next batch */
    SETTLE_PROVING,   /* the timer is the proof's completion */
    SETTLE_READING,   /* a read of the light client is out */
    SETTLE_POLLING,   /* the timer is the next read */
    SETTLE_SUBMITTED, /* waiting for the receipt */
} SettlePhase;

/* A rollup's prover and, on the L1, its contract. */
typedef struct Settler {
    uint32_t host;
    uint32_t ns;
    uint64_t executed; /* the newest height its executor read */
    uint64_t target;   /* the height being proved or submitted */
    uint64_t settled;  /* the newest height a receipt said was taken */
    SettlePhase phase;
    SimTime proving_since;
    uint32_t chain; /* the L1 it settles on */
    SimRollupContract *contract;
} Settler;

/* One L1: its prover, its node, the chain and its LightClient contract. */
typedef struct Chain {
    uint32_t index;
    Phase phase;
    SimStateBundle proving;
    uint64_t submitted_height;
    SimL1 *l1;
    SimLightClient *contract;
    SimDuration update_interval;
    SimDuration proving_time;
    SimTime proving_since;
    GArray *updates; /* Update, by L1 payload */
    SimProverChainStats stats;
} Chain;

struct SimProver {
    SimProverConfig config;
    SimNetwork *network;
    const ProtoStakeTable *stake;
    AnaFinality *finality;
    uint16_t types[WIRE_KIND_COUNT_];
    uint64_t threshold;
    uint64_t *last_signed; /* per validator: the height it last signed */
    SimStateRelay *relay;
    Chain *chains;
    uint32_t chain_count;
    GArray *events; /* scratch: SimL1Event */
    Settler *settlers;
    GArray *log; /* SimProverLog */
    SimProverStats stats;
};

#define TIMER_MAIN 0

static uint32_t relay_host(const SimProver *p)
{
    return p->config.first_host;
}

static uint32_t prover_host(const SimProver *p, const Chain *c)
{
    return p->config.first_host + 1 + 2 * c->index;
}

static uint32_t l1_host(const SimProver *p, const Chain *c)
{
    return p->config.first_host + 2 + 2 * c->index;
}

/* The chain whose prover or L1 node `host` (one of sim_prover_owns's, not the relay) is. */
static Chain *chain_of(const SimProver *p, uint32_t host)
{
    SIM_ASSERT(host > p->config.first_host);
    uint32_t k = (host - p->config.first_host - 1) / 2;
    SIM_ASSERT(k < p->chain_count);
    return &p->chains[k];
}

static gboolean is_prover(const SimProver *p, uint32_t host)
{
    return host > p->config.first_host && (host - p->config.first_host) % 2 == 1;
}

void sim_prover_config_init(SimProverConfig *c)
{
    SIM_ASSERT(c != NULL);
    *c = (SimProverConfig){
        .uplink_bps = 1000000000,
        .downlink_bps = 1000000000,
        .update_interval = 10 * SIM_MIN,
        .retry_interval = 2 * SIM_S,
        .proving_time = 24 * SIM_S,
        .sign_cost = 161 * SIM_US,
        .retention = 864000 * SIM_S,
        .relay_keep = 100,
        .settle_interval = 10 * SIM_MIN,
        .settle_proving_time = 1 * SIM_MIN,
        .settle_poll = 12 * SIM_S,
    };
    sim_l1_config_init(&c->l1);
    SIM_ASSERT(c->relay_keep > 0);
}

SimProver *sim_prover_new(const SimProverConfig *config, SimNetwork *network,
                          const ProtoStakeTable *stake, AnaFinality *finality)
{
    SIM_ASSERT(config != NULL && network != NULL && stake != NULL && finality != NULL);
    SIM_ASSERT(config->relay_keep > 0 && config->update_interval > 0);
    SIM_ASSERT(config->chains >= 1);
    uint32_t hosts = sim_prover_hosts(config->chains);
    SIM_ASSERT(sim_network_host_count(network) >= config->first_host + hosts);
    SimProver *p = g_new0(SimProver, 1);
    p->config = *config;
    p->network = network;
    p->stake = stake;
    p->finality = finality;
    p->threshold = proto_stake_one_honest_threshold(stake);
    for (int k = 0; k < WIRE_KIND_COUNT_; k++)
        p->types[k] = sim_network_register_type(network, wire_names[k]);
    for (uint32_t h = 0; h < hosts; h++) { /* the relay, then each L1's prover and node */
        uint16_t region = h > 0 && config->chain_region != NULL ? config->chain_region[(h - 1) / 2]
                                                                : config->region;
        SimHostConfig hc = {region, config->uplink_bps, config->downlink_bps, 1, 0};
        sim_network_host_configure(network, config->first_host + h, &hc);
    }
    uint32_t n = config->validators;
    p->last_signed = g_new0(uint64_t, n);
    p->relay = sim_state_relay_new(n, config->relay_keep);
    p->chain_count = config->chains;
    p->chains = g_new0(Chain, config->chains);
    for (uint32_t k = 0; k < config->chains; k++) {
        Chain *c = &p->chains[k];
        c->index = k;
        SimL1Config l1 = k == 0 ? config->l1 : config->chain_l1[k - 1];
        c->update_interval = k == 0 || config->chain_update_interval == NULL
                                 ? config->update_interval
                                 : config->chain_update_interval[k - 1];
        c->proving_time = k == 0 || config->chain_proving_time == NULL
                              ? config->proving_time
                              : config->chain_proving_time[k - 1];
        SIM_ASSERT(c->update_interval > 0);
        l1.index = k;
        c->l1 = sim_l1_new(&l1);
        c->contract = sim_light_client_new(p->threshold, config->retention, 0, 0);
        if (config->epoch_length > 0) {
            sim_light_client_set_epochs(c->contract, config->epoch_length, config->test_last_block);
        }
        c->updates = g_array_new(FALSE, FALSE, sizeof(Update));
    }
    p->events = g_array_new(FALSE, FALSE, sizeof(SimL1Event));
    p->log = g_array_new(FALSE, FALSE, sizeof(SimProverLog));
    p->settlers = g_new0(Settler, MAX(config->rollups, 1));
    for (uint32_t r = 0; r < config->rollups; r++) {
        p->settlers[r].host = config->executor_hosts[r];
        p->settlers[r].ns = config->rollup_ns[r];
        p->settlers[r].contract = sim_rollup_contract_new();
        p->settlers[r].chain = config->rollup_l1 != NULL ? config->rollup_l1[r] : 0;
        SIM_ASSERT(p->settlers[r].chain < config->chains);
    }
    p->config.executor_hosts = NULL; /* copied above */
    p->config.chain_region = NULL;   /* read above */
    p->config.rollup_ns = NULL;
    p->config.rollup_l1 = NULL;
    p->config.chain_l1 = NULL;
    p->config.chain_update_interval = NULL;
    p->config.chain_proving_time = NULL;
    return p;
}

void sim_prover_free(SimProver *p)
{
    if (p == NULL) return;
    g_free(p->last_signed);
    sim_state_relay_free(p->relay);
    for (uint32_t k = 0; k < p->chain_count; k++) {
        sim_l1_free(p->chains[k].l1);
        sim_light_client_free(p->chains[k].contract);
        g_array_unref(p->chains[k].updates);
    }
    g_free(p->chains);
    g_array_unref(p->events);
    g_array_unref(p->log);
    for (uint32_t r = 0; r < p->config.rollups; r++)
        sim_rollup_contract_free(p->settlers[r].contract);
    g_free(p->settlers);
    g_free(p);
}

gboolean sim_prover_owns(const SimProver *p, uint32_t host)
{
    return p != NULL && host >= p->config.first_host &&
           host < p->config.first_host + sim_prover_hosts(p->chain_count);
}

static void note(SimProver *p, gboolean rollup, uint32_t index, const char *name, SimTime start,
                 SimTime end, uint64_t height)
{
    SimProverLog l = {rollup, index, name, start, end, height};
    g_array_append_val(p->log, l);
}

guint sim_prover_log_count(const SimProver *p)
{
    return p->log->len;
}

const SimProverLog *sim_prover_log(const SimProver *p, guint i)
{
    SIM_ASSERT(i < p->log->len);
    return &g_array_index(p->log, SimProverLog, i);
}

/* --- the wire -------------------------------------------------------------------------------- */

static void put64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

static void send(SimProver *p, uint32_t from, SimTime ready, const Wire *w, uint32_t target,
                 uint64_t size)
{
    SIM_ASSERT(w->kind < WIRE_KIND_COUNT_);
    uint8_t b[WIRE_BYTES];
    b[0] = w->kind;
    for (int i = 0; i < 4; i++)
        b[1 + i] = (uint8_t)(w->node >> (8 * i));
    put64(b + 5, w->state.view);
    put64(b + 13, w->state.block_height);
    memcpy(b + 21, w->state.root, SIM_LIGHT_CLIENT_ROOT_BYTES);
    put64(b + 21 + SIM_LIGHT_CLIENT_ROOT_BYTES, w->stake);
    put64(b + 29 + SIM_LIGHT_CLIENT_ROOT_BYTES, w->extra);
    GBytes *bytes = g_bytes_new(b, sizeof b);
    SimMessage *m = sim_message_new(from, p->types[w->kind], bytes, MAX(size, sizeof b));
    sim_network_send(p->network, ready, m, target);
    sim_message_unref(m);
    g_bytes_unref(bytes);
}

static gboolean decode(const SimMessage *message, Wire *w)
{
    gsize len = 0;
    const uint8_t *b = g_bytes_get_data(sim_message_bytes(message), &len);
    if (len != WIRE_BYTES || b[0] >= WIRE_KIND_COUNT_) return FALSE;
    w->kind = b[0];
    w->node = 0;
    for (int i = 0; i < 4; i++)
        w->node |= (uint32_t)b[1 + i] << (8 * i);
    w->state.view = get64(b + 5);
    w->state.block_height = get64(b + 13);
    memcpy(w->state.root, b + 21, SIM_LIGHT_CLIENT_ROOT_BYTES);
    w->stake = get64(b + 21 + SIM_LIGHT_CLIENT_ROOT_BYTES);
    w->extra = get64(b + 29 + SIM_LIGHT_CLIENT_ROOT_BYTES);
    return TRUE;
}

/* --- validators ------------------------------------------------------------------------------ */

void sim_prover_on_decide(SimProver *p, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                          gboolean forge, SimTime ready)
{
    SIM_ASSERT(node < p->config.validators);
    if (count == 0) return;
    const ProtoLeaf *newest = leaves[0];
    if (newest->header.height <= p->last_signed[node]) return;
    p->last_signed[node] = newest->header.height;
    _Static_assert(PROTO_COMMIT_BYTES == SIM_LIGHT_CLIENT_ROOT_BYTES, "a root is a commitment");
    _Static_assert(ANA_FINALITY_ROOT_BYTES == SIM_LIGHT_CLIENT_ROOT_BYTES, "the oracle's roots");
    Wire w = {.kind = WIRE_STATE, .node = node};
    w.state.view = newest->view;
    w.state.block_height = newest->header.height;
    memcpy(w.state.root, newest->commit.bytes, SIM_LIGHT_CLIENT_ROOT_BYTES);
    if (forge) { /* Byzantine lc_forge: a state nobody decided, ahead of the chain */
        w.state.view += SIM_PROVER_FORGED_AHEAD;
        w.state.block_height += SIM_PROVER_FORGED_AHEAD;
        w.state.root[0] ^= 0xff;
    }
    /* The signature runs once the decide's own work is done (the CPU is busy until then). */
    SimTime signed_at = sim_network_cpu_charge(p->network, node, p->config.sign_cost);
    SIM_ASSERT(signed_at >= p->config.sign_cost);
    send(p, node, MAX(signed_at, ready), &w, relay_host(p), SIZE_STATE);
    p->stats.signatures++;
}

/* --- the relay ------------------------------------------------------------------------------- */

static void relay_store(SimProver *p, const Wire *w)
{
    if (w->node >= p->config.validators) return;
    sim_state_relay_store(p->relay, w->node, proto_stake_of(p->stake, w->node), &w->state);
}

/* What may follow the finalized height under the epoch rules (see SimProverConfig). */
typedef struct Follows {
    uint64_t finalized;
    uint64_t length;
    gboolean test_last_block;
} Follows;

static gboolean may_follow(uint64_t height, void *data)
{
    const Follows *f = data;
    if (sim_light_client_past_root(height, f->length, f->test_last_block)) return FALSE;
    uint64_t epoch = sim_light_client_epoch_of(f->finalized, f->length);
    uint64_t next = sim_light_client_epoch_of(height, f->length);
    return next == epoch ||
           (next == epoch + 1 && sim_light_client_is_root(f->finalized, f->length));
}

/* Answers a request with the newest state whose signers reach the threshold (or none); with
 * epochs, the newest that may follow the finalized height the request carries. */
static void relay_answer(SimProver *p, const Wire *request, uint32_t asker, SimTime now)
{
    Wire w = {.kind = WIRE_BUNDLE, .node = relay_host(p)};
    SimStateBundle b;
    Follows follows = {request->state.block_height, p->config.epoch_length,
                       p->config.test_last_block};
    gboolean found =
        p->config.epoch_length == 0
            ? sim_state_relay_best(p->relay, p->threshold, &b)
            : sim_state_relay_best_where(p->relay, p->threshold, may_follow, &follows, &b);
    if (found) {
        w.state = b.state;
        w.stake = b.stake;
        w.extra = b.signers;
    }
    send(p, relay_host(p), now, &w, asker, SIZE_BUNDLE_BASE + SIZE_PER_SIGNER * w.extra);
}

/* --- the prover ------------------------------------------------------------------------------ */

static void prover_wait(SimProver *p, Chain *c, SimTime at)
{
    c->phase = PHASE_IDLE;
    sim_network_timer_set(p->network, prover_host(p, c), TIMER_MAIN, at);
}

static void prover_timer(SimProver *p, Chain *c, SimTime now)
{
    if (c->phase == PHASE_IDLE || c->phase == PHASE_ASKING) {
        if (c->phase == PHASE_ASKING)
            c->stats.retries++, p->stats.retries++; /* no answer: the relay is down */
        Wire w = {.kind = WIRE_REQUEST, .node = prover_host(p, c)};
        if (p->config.epoch_length > 0) { /* the epoch rules need it (SimProverConfig) */
            w.state.block_height = sim_light_client_finalized(c->contract)->block_height;
        }
        send(p, prover_host(p, c), now, &w, relay_host(p), SIZE_REQUEST);
        c->phase = PHASE_ASKING;
        c->stats.requests++, p->stats.requests++;
        sim_network_timer_set(p->network, prover_host(p, c), TIMER_MAIN,
                              now + p->config.retry_interval);
    } else if (c->phase == PHASE_PROVING) {
        Wire w = {.kind = WIRE_UPDATE, .node = prover_host(p, c), .state = c->proving.state};
        w.stake = c->proving.stake;
        send(p, prover_host(p, c), now, &w, l1_host(p, c), SIZE_UPDATE);
        note(p, FALSE, c->index, "proving", c->proving_since, now, w.state.block_height);
        c->submitted_height = c->proving.state.block_height;
        c->phase = PHASE_SUBMITTED;
        c->stats.proofs++, p->stats.proofs++;
    }
}

static void prover_receive(SimProver *p, Chain *c, const Wire *w, SimTime now)
{
    if (w->kind == WIRE_BUNDLE && c->phase == PHASE_ASKING) {
        if (w->state.block_height <= c->submitted_height) {
            c->stats.retries++, p->stats.retries++;
            prover_wait(p, c, now + p->config.retry_interval);
            return;
        }
        c->proving = (SimStateBundle){w->state, w->stake, (uint32_t)w->extra};
        c->phase = PHASE_PROVING;
        c->proving_since = now;
        SimTime done = sim_network_cpu_charge(p->network, prover_host(p, c), c->proving_time);
        sim_network_timer_set(p->network, prover_host(p, c), TIMER_MAIN, done);
    } else if (w->kind == WIRE_RECEIPT && c->phase == PHASE_SUBMITTED &&
               w->state.block_height == c->submitted_height) {
        gboolean ok = w->extra == 0;
        if (!ok) c->stats.retries++, p->stats.retries++;
        if (ok && p->config.test_stall) { /* test only: stalled, yet up */
            c->phase = PHASE_STALLED;
            return;
        }
        prover_wait(p, c, now + (ok ? c->update_interval : p->config.retry_interval));
    }
}

/* --- the L1 ---------------------------------------------------------------------------------- */

static void l1_arm(SimProver *p, Chain *c, SimTime now)
{
    sim_network_timer_set(p->network, l1_host(p, c), TIMER_MAIN, sim_l1_next_slot(c->l1, now));
}

static void lc_included(SimProver *p, Chain *c, const SimL1Event *e, SimTime now)
{
    Update *u = &g_array_index(c->updates, Update, e->payload);
    u->result =
        sim_light_client_new_finalized_state(c->contract, &u->state, u->stake, e->block, e->time);
    if (u->result == SIM_LIGHT_CLIENT_OK) {
        u->taken = TRUE;
        c->stats.accepted++, p->stats.accepted++;
        ana_finality_on_covered(p->finality, c->index, u->state.block_height, u->state.root,
                                e->time);
    } else {
        c->stats.refused++, p->stats.refused++;
    }
    note(p, FALSE, c->index, u->result == SIM_LIGHT_CLIENT_OK ? "update taken" : "update refused",
         e->time, SIM_TIME_NONE, u->state.block_height);
    Wire w = {.kind = WIRE_RECEIPT, .node = l1_host(p, c), .state = u->state};
    w.extra = (uint64_t)(int64_t)-u->result;
    send(p, l1_host(p, c), now, &w, prover_host(p, c), SIZE_RECEIPT);
}

/* A rollup's state update reached a block: its contract checks it against the light client. */
static void settle_included(SimProver *p, Chain *c, Update *u, const SimL1Event *e, SimTime now)
{
    Settler *s = &p->settlers[u->rollup];
    uint64_t gas = sim_rollup_contract_gas(s->contract);
    u->result =
        sim_rollup_contract_settle(s->contract, c->contract, u->state.block_height, e->block);
    if (u->result == SIM_ROLLUP_OK) {
        u->taken = TRUE;
        p->stats.settle_accepted++;
        p->stats.settle_gas += sim_rollup_contract_gas(s->contract) - gas;
        ana_finality_on_settled(p->finality, s->ns, u->state.block_height, e->time);
    } else {
        p->stats.settle_refused++;
    }
    note(p, TRUE, (uint32_t)u->rollup, u->result == SIM_ROLLUP_OK ? "settled" : "settle refused",
         e->time, SIM_TIME_NONE, u->state.block_height);
    Wire w = {.kind = WIRE_SETTLE_RECEIPT, .node = (uint32_t)u->rollup, .state = u->state};
    w.extra = (uint64_t)(int64_t)-u->result;
    send(p, l1_host(p, c), now, &w, s->host, SIZE_RECEIPT);
}

static void l1_included(SimProver *p, Chain *c, const SimL1Event *e, SimTime now)
{
    Update *u = &g_array_index(c->updates, Update, e->payload);
    if (u->rollup < 0) {
        lc_included(p, c, e, now);
    } else {
        settle_included(p, c, u, e, now);
    }
}

static void l1_reverted(SimProver *p, Chain *c, Update *u, const SimL1Event *e)
{
    if (u->result != SIM_LIGHT_CLIENT_OK) return;
    if (u->rollup < 0) {
        sim_light_client_revert(c->contract, e->block - 1);
        ana_finality_on_uncovered(p->finality, c->index, u->state.block_height);
        note(p, FALSE, c->index, "update undone", e->time, SIM_TIME_NONE, u->state.block_height);
        c->stats.reverted++, p->stats.reverted++;
        return;
    }
    const Settler *s = &p->settlers[u->rollup];
    sim_rollup_contract_revert(s->contract, e->block - 1);
    ana_finality_on_unsettled(p->finality, s->ns, u->state.block_height);
    note(p, TRUE, (uint32_t)u->rollup, "settle undone", e->time, SIM_TIME_NONE,
         u->state.block_height);
    p->stats.settle_reverted++;
}

static void l1_final(SimProver *p, Chain *c, const Update *u, const SimL1Event *e)
{
    if (u->result != SIM_LIGHT_CLIENT_OK) return;
    if (u->rollup < 0) {
        ana_finality_on_final(p->finality, c->index, u->state.block_height, e->time);
        note(p, FALSE, c->index, "update final", e->time, SIM_TIME_NONE, u->state.block_height);
    } else {
        note(p, TRUE, (uint32_t)u->rollup, "settled final", e->time, SIM_TIME_NONE,
             u->state.block_height);
        ana_finality_on_settled_final(p->finality, p->settlers[u->rollup].ns, u->state.block_height,
                                      e->time);
    }
}

/* Hands what the chain did since the last call to the contract and the analysis. */
static void l1_events(SimProver *p, Chain *c, SimTime now)
{
    g_array_set_size(p->events, 0);
    sim_l1_take_events(c->l1, p->events);
    for (guint i = 0; i < p->events->len; i++) {
        const SimL1Event *e = &g_array_index(p->events, SimL1Event, i);
        SIM_ASSERT(e->payload < c->updates->len);
        Update *u = &g_array_index(c->updates, Update, e->payload);
        switch (e->kind) {
        case SIM_L1_INCLUDED:
            l1_included(p, c, e, now);
            break;
        case SIM_L1_REVERTED:
            l1_reverted(p, c, u, e);
            break;
        case SIM_L1_FINAL:
            l1_final(p, c, u, e);
            break;
        }
    }
}

static void l1_submit(SimProver *p, Chain *c, const Wire *w, SimTime now)
{
    Update u = {w->state, w->stake, SIM_LIGHT_CLIENT_OK, -1, FALSE};
    if (w->kind == WIRE_SETTLE_UPDATE) {
        if (w->node >= p->config.rollups || p->settlers[w->node].chain != c->index) return;
        u.rollup = w->node;
    }
    g_array_append_val(c->updates, u);
    sim_l1_submit(c->l1, c->updates->len - 1, now);
    l1_events(p, c, now); /* submitting advanced the chain to now */
}

/* A rollup's read of the light client: its finalized HotShot height. */
static void l1_settle_read(SimProver *p, Chain *c, const Wire *w, SimTime now)
{
    if (w->node >= p->config.rollups || p->settlers[w->node].chain != c->index) return;
    sim_l1_advance(c->l1, now);
    l1_events(p, c, now);
    Wire r = {.kind = WIRE_SETTLE_HEIGHT, .node = w->node};
    r.state = *sim_light_client_finalized(c->contract);
    send(p, l1_host(p, c), now, &r, p->settlers[w->node].host, SIZE_RECEIPT);
}

/* --- rollup settlement ----------------------------------------------------------------------- */

static void settle_wait(SimProver *p, Settler *s, SettlePhase phase, SimTime at)
{
    s->phase = phase;
    sim_network_timer_set(p->network, s->host, SIM_PROVER_SETTLE_TIMER, at);
}

static void settle_read(SimProver *p, Settler *s, SimTime now)
{
    Wire w = {.kind = WIRE_SETTLE_READ, .node = (uint32_t)(s - p->settlers)};
    send(p, s->host, now, &w, l1_host(p, &p->chains[s->chain]), SIZE_REQUEST);
    p->stats.settle_reads++;
    settle_wait(p, s, SETTLE_READING, now + p->config.settle_poll); /* read again if no answer */
}

static void settle_timer(SimProver *p, Settler *s, SimTime now)
{
    switch (s->phase) {
    case SETTLE_IDLE:
        if (s->executed <= s->settled) {
            settle_wait(p, s, SETTLE_IDLE, now + p->config.settle_interval);
            return;
        }
        s->target = s->executed;
        p->stats.settle_proofs++;
        s->proving_since = now;
        settle_wait(p, s, SETTLE_PROVING, now + p->config.settle_proving_time);
        return;
    case SETTLE_PROVING:
        note(p, TRUE, (uint32_t)(s - p->settlers), "proving", s->proving_since, now, s->target);
        settle_read(p, s, now);
        return;
    case SETTLE_POLLING:
    case SETTLE_READING:
        settle_read(p, s, now);
        return;
    case SETTLE_SUBMITTED:
        return;
    }
}

static uint64_t settle_size(const Chain *c)
{
    return SIZE_SETTLE_BASE +
           sim_rollup_merkle_bytes(sim_light_client_finalized(c->contract)->block_height);
}

static void settle_receive(SimProver *p, Settler *s, const Wire *w, SimTime now)
{
    if (w->kind == WIRE_SETTLE_HEIGHT && s->phase == SETTLE_READING) {
        if (w->state.block_height <= s->target) { /* not covered yet */
            settle_wait(p, s, SETTLE_POLLING, now + p->config.settle_poll);
            return;
        }
        Wire u = {.kind = WIRE_SETTLE_UPDATE, .node = w->node};
        u.state.block_height = s->target;
        const Chain *c = &p->chains[s->chain];
        send(p, s->host, now, &u, l1_host(p, c), settle_size(c));
        sim_network_timer_cancel(p->network, s->host, SIM_PROVER_SETTLE_TIMER);
        s->phase = SETTLE_SUBMITTED;
        p->stats.settle_submits++;
    } else if (w->kind == WIRE_SETTLE_RECEIPT) {
        gboolean ok = w->extra == 0;
        if (ok && w->state.block_height > s->settled) s->settled = w->state.block_height;
        if (s->phase != SETTLE_SUBMITTED || w->state.block_height != s->target) return;
        if (ok || s->settled >= s->target) {
            settle_wait(p, s, SETTLE_IDLE, now + p->config.settle_interval);
        } else {
            settle_wait(p, s, SETTLE_POLLING, now + p->config.settle_poll);
        }
    }
}

void sim_prover_on_executed(SimProver *p, uint32_t rollup, uint64_t height)
{
    SIM_ASSERT(p != NULL && rollup < p->config.rollups);
    Settler *s = &p->settlers[rollup];
    if (height > s->executed) s->executed = height;
}

static Settler *settler_at(const SimProver *p, uint32_t host)
{
    for (uint32_t r = 0; r < p->config.rollups; r++)
        if (p->settlers[r].host == host) return &p->settlers[r];
    return NULL;
}

gboolean sim_prover_takes(const SimProver *p, uint32_t host, const SimMessage *message)
{
    if (p == NULL) return FALSE;
    if (sim_prover_owns(p, host)) return TRUE;
    uint16_t type = sim_message_type(message);
    return (type == p->types[WIRE_SETTLE_HEIGHT] || type == p->types[WIRE_SETTLE_RECEIPT]) &&
           settler_at(p, host) != NULL;
}

gboolean sim_prover_takes_timer(const SimProver *p, uint32_t host, uint32_t timer)
{
    if (p == NULL) return FALSE;
    if (sim_prover_owns(p, host)) return TRUE;
    return timer == SIM_PROVER_SETTLE_TIMER && settler_at(p, host) != NULL;
}

/* --- crashes -------------------------------------------------------------------------------- */

void sim_prover_host_down(SimProver *p, uint32_t host, SimTime now)
{
    SIM_ASSERT(sim_prover_owns(p, host));
    SIM_ASSERT(host == relay_host(p) || is_prover(p, host));
    if (host != relay_host(p)) {
        chain_of(p, host)->phase = PHASE_IDLE; /* its timer went with the host */
        ana_finality_on_prover(p->finality, chain_of(p, host)->index, FALSE, now);
        return;
    }
    sim_state_relay_reset(p->relay);
    SIM_ASSERT(sim_state_relay_bundles(p->relay) == 0);
}

void sim_prover_host_up(SimProver *p, uint32_t host, SimTime now)
{
    SIM_ASSERT(sim_prover_owns(p, host));
    SIM_ASSERT(host == relay_host(p) || is_prover(p, host));
    if (host == relay_host(p)) return;
    prover_wait(p, chain_of(p, host), now);
    ana_finality_on_prover(p->finality, chain_of(p, host)->index, TRUE, now);
}

/* --- dispatch -------------------------------------------------------------------------------- */

void sim_prover_start(SimProver *p, SimTime now)
{
    SIM_ASSERT(p != NULL);
    for (uint32_t k = 0; k < p->chain_count; k++) {
        prover_wait(p, &p->chains[k], now);
        l1_arm(p, &p->chains[k], now);
    }
    for (uint32_t r = 0; r < p->config.rollups; r++)
        settle_wait(p, &p->settlers[r], SETTLE_IDLE, now + p->config.settle_interval);
}

void sim_prover_receive(SimProver *p, uint32_t host, const SimMessage *message, SimTime now)
{
    SIM_ASSERT(sim_prover_takes(p, host, message));
    Wire w;
    if (!decode(message, &w)) return;
    if (!sim_prover_owns(p, host)) {
        settle_receive(p, settler_at(p, host), &w, now);
    } else if (host == relay_host(p)) {
        if (w.kind == WIRE_STATE && sim_message_source(message) == w.node) relay_store(p, &w);
        if (w.kind == WIRE_REQUEST && sim_prover_owns(p, sim_message_source(message)) &&
            is_prover(p, sim_message_source(message))) {
            relay_answer(p, &w, sim_message_source(message), now);
        }
    } else if (is_prover(p, host)) {
        prover_receive(p, chain_of(p, host), &w, now);
    } else if (w.kind == WIRE_UPDATE || w.kind == WIRE_SETTLE_UPDATE) {
        l1_submit(p, chain_of(p, host), &w, now);
    } else if (w.kind == WIRE_SETTLE_READ) {
        l1_settle_read(p, chain_of(p, host), &w, now);
    }
}

void sim_prover_timer(SimProver *p, uint32_t host, uint32_t timer, SimTime now)
{
    SIM_ASSERT(sim_prover_takes_timer(p, host, timer));
    if (!sim_prover_owns(p, host)) {
        settle_timer(p, settler_at(p, host), now);
        return;
    }
    SIM_ASSERT(host != relay_host(p));
    Chain *c = chain_of(p, host);
    SIM_ASSERT(timer == TIMER_MAIN);
    if (is_prover(p, host)) {
        prover_timer(p, c, now);
    } else {
        sim_l1_advance(c->l1, now);
        l1_events(p, c, now);
        l1_arm(p, c, now);
    }
}

void sim_prover_congest(SimProver *p, uint32_t l1, const SimDist *slots, SimTime now)
{
    SIM_ASSERT(p != NULL && l1 < p->chain_count);
    Chain *c = &p->chains[l1];
    sim_l1_congest(c->l1, slots, now);
    l1_events(p, c, now);
}

uint64_t sim_prover_lost(const SimProver *p)
{
    uint64_t lost = 0;
    for (uint32_t k = 0; k < p->chain_count; k++) {
        const Chain *c = &p->chains[k];
        uint64_t covered = sim_light_client_finalized(c->contract)->block_height;
        for (guint i = 0; i < c->updates->len; i++) {
            const Update *u = &g_array_index(c->updates, Update, i);
            if (!u->taken) continue;
            uint64_t now = u->rollup < 0
                               ? covered
                               : sim_rollup_contract_settled(p->settlers[u->rollup].contract);
            if (now < u->state.block_height) lost++;
        }
    }
    return lost;
}

uint32_t sim_prover_reorg(SimProver *p, uint32_t l1, uint32_t depth, SimTime now)
{
    SIM_ASSERT(p != NULL && l1 < p->chain_count);
    Chain *c = &p->chains[l1];
    uint32_t dropped = sim_l1_reorg(c->l1, depth, now);
    l1_events(p, c, now);
    return dropped;
}

const SimProverStats *sim_prover_stats(const SimProver *p)
{
    return &p->stats;
}

uint32_t sim_prover_l1s(const SimProver *p)
{
    return p->chain_count;
}

const SimL1 *sim_prover_l1(const SimProver *p, uint32_t l1)
{
    SIM_ASSERT(l1 < p->chain_count);
    return p->chains[l1].l1;
}

const SimProverChainStats *sim_prover_chain_stats(const SimProver *p, uint32_t l1)
{
    SIM_ASSERT(l1 < p->chain_count);
    return &p->chains[l1].stats;
}

uint64_t sim_prover_rollup_settled(const SimProver *p, uint32_t rollup)
{
    SIM_ASSERT(rollup < p->config.rollups);
    return sim_rollup_contract_settled(p->settlers[rollup].contract);
}

const SimLightClient *sim_prover_light_client(const SimProver *p, uint32_t l1)
{
    SIM_ASSERT(l1 < p->chain_count);
    return p->chains[l1].contract;
}
