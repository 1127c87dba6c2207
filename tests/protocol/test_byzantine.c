/*
 * Byzantine behaviours against honest nodes, without the simulator. For each behaviour, with
 * the Byzantine stake below a third (1 of 4 nodes, or 2 of 7), a test shows that
 *   (a) the behaviour really acted: what it sent (or did not send), counted at the harness, or
 *       the honest nodes' rejections and recoveries it caused;
 *   (b) honest nodes stay safe: no two decide different leaves at one height (check_agreement;
 *       the fork test also runs its positive control, in which it must find a conflict);
 *   (c) honest nodes stay live: their decided height keeps growing while time passes over the
 *       views the behaviour makes fail.
 * The registry itself (names, help, flags, configuration and restart hooks) and the two
 * behaviours that need the driver (twins, amnesia) are tested for what the protocol side
 * provides. Round-robin leaders, view timeout 1 s, modeled crypto (invalid_signatures also
 * real), the harness's fixed RNG.
 */
#include "tests/check_main.h"
#include "tests/protocol/harness.h"

#include <stdio.h>
#include <string.h>

#define STEP      (250 * PROTO_MS)
#define NET_VIEWS 4096

/* --- set-up ----------------------------------------------------------------------------------- */

/* Transactions 1..count over three namespaces, sizes 100..1099 bytes. */
static void add_transactions(Harness *h, uint32_t count)
{
    for (uint32_t i = 1; i <= count; i++) {
        ProtoTx tx = {.ns_id = 10 + i % 3, .id = i, .size = 100 + (i * 7919u) % 1000};
        proto_builder_add(h->builder, &tx);
    }
}

/* `nodes` nodes signing in `crypto` mode; with `da_count` > 0 the DA layer is on (committee
 * 0..da_count-1) with a builder stocked with transactions, and missing shares are asked for
 * after 200 ms. */
static Harness *make_signing(uint32_t nodes, uint32_t da_count, gboolean synthetic,
                             ProtoCryptoMode crypto)
{
    HarnessOptions o = {.nodes = nodes,
                        .crypto = crypto,
                        .leaders = PROTO_LEADER_ROUND_ROBIN,
                        .view_timeout = 1 * PROTO_S,
                        .da_count = da_count,
                        .synthetic = synthetic,
                        .builder = da_count > 0,
                        .block_max = 16 * 1024};
    Harness *h = harness_new(&o);
    h->advance_budget = 600; /* about 20 views a step on the happy path */
    for (uint32_t i = 0; i < nodes; i++) {
        h->configs[i].data_request_delay = 200 * PROTO_MS;
        h->configs[i].data_request_timeout = 200 * PROTO_MS;
    }
    if (h->builder != NULL) add_transactions(h, 5000);
    return h;
}

static Harness *make(uint32_t nodes, uint32_t da_count, gboolean synthetic)
{
    return make_signing(nodes, da_count, synthetic, PROTO_CRYPTO_MODELED);
}

static gboolean honest(const Harness *h, ProtoNodeId id)
{
    return h->behaviour[id] == PROTO_BYZANTINE_NONE;
}

/* Lets `duration` of virtual time pass in steps: views whose leader misbehaves time out, and
 * at most advance_budget messages are delivered per step. */
static void run_for(Harness *h, ProtoDuration duration)
{
    ProtoTime end = h->now + duration;
    while (h->now < end)
        harness_advance(h, MIN(end, h->now + STEP));
}

/* --- (b) safety ------------------------------------------------------------------------------- */

/* Finds two honest nodes that decided different leaves at one height, or an honest node that
 * decided heights out of order; describes it in `why`. */
static gboolean find_conflict(const Harness *h, char *why, size_t why_len)
{
    GArray *chain = g_array_new(FALSE, FALSE, sizeof(ProtoCommit)); /* by height - 1 */
    gboolean conflict = FALSE;
    for (ProtoNodeId node = 0; node < h->n && !conflict; node++) {
        if (!honest(h, node)) continue;
        GArray *mine = harness_decisions_of(h, node);
        for (guint i = 0; i < mine->len && !conflict; i++) {
            const Decision *d = &g_array_index(mine, Decision, i);
            if (d->height != i + 1) {
                snprintf(why, why_len, "node %u's decision %u is at height %" G_GUINT64_FORMAT,
                         node, i + 1, d->height);
                conflict = TRUE;
            } else if (d->height <= chain->len) {
                const ProtoCommit *c = &g_array_index(chain, ProtoCommit, d->height - 1);
                conflict = !proto_commit_equal(c, &d->commit);
                snprintf(why, why_len, "node %u decided another leaf at height %" G_GUINT64_FORMAT,
                         node, d->height);
            } else {
                g_array_append_val(chain, d->commit);
            }
        }
        g_array_unref(mine);
    }
    g_array_unref(chain);
    return conflict;
}

static void check_agreement(const Harness *h)
{
    char why[160] = "";
    ck_assert_msg(!find_conflict(h, why, sizeof why), "safety: %s", why);
}

/* --- (c) liveness ----------------------------------------------------------------------------- */

/* Runs for `duration` and checks that every honest node decided at least `growth` more
 * heights meanwhile. */
static void check_live(Harness *h, ProtoDuration duration, uint64_t growth)
{
    uint64_t before[16];
    ck_assert_uint_le(h->n, 16);
    for (ProtoNodeId i = 0; i < h->n; i++)
        before[i] = harness_height(h, i);
    run_for(h, duration);
    for (ProtoNodeId i = 0; i < h->n; i++) {
        if (!honest(h, i)) continue;
        uint64_t after = harness_height(h, i);
        ck_assert_msg(after >= before[i] + growth,
                      "liveness: node %u went from height %" G_GUINT64_FORMAT
                      " to %" G_GUINT64_FORMAT,
                      i, before[i], after);
    }
}

/* Starts, lets the behaviour act, and checks (b) and (c). */
static void run_checked(Harness *h, ProtoDuration duration, uint64_t growth)
{
    harness_start(h);
    run_for(h, duration);
    check_live(h, duration, growth);
    check_agreement(h);
}

/* Did honest node `node` decide a leaf of a view that `leader` led? */
static gboolean decided_a_view_of(const Harness *h, ProtoNodeId node, ProtoNodeId leader)
{
    GArray *mine = harness_decisions_of(h, node);
    gboolean found = FALSE;
    for (guint i = 0; i < mine->len; i++) {
        found |= harness_leader(h, g_array_index(mine, Decision, i).leaf_view) == leader;
    }
    g_array_unref(mine);
    return found;
}

/* Quorum votes the honest nodes cast for views from `from` on that `leader` led. */
static uint32_t honest_votes_for_views_of(const Harness *h, ProtoNodeId leader, ProtoView from)
{
    uint32_t votes = 0;
    for (guint i = 0; i < h->notes->len; i++) {
        const ProtoAction *a = &g_array_index(h->notes, ProtoAction, i);
        if (a->note == PROTO_NOTE_VOTED && honest(h, a->target) && a->view >= from &&
            harness_leader(h, a->view) == leader) {
            votes++;
        }
    }
    return votes;
}

/* --- the network: faults that are not Byzantine, and what a sender sent ----------------------- */

/* A message the network loses: of `type`, for `view` (0: any), from `from` and to `to`
 * (PROTO_NODE_NONE: anyone). */
typedef struct Drop {
    ProtoMsgType type;
    ProtoView view;
    ProtoNodeId from;
    ProtoNodeId to;
} Drop;

typedef struct Net {
    Drop drops[4]; /* faults that are not Byzantine */
    uint32_t drop_count;
    /* Watched: the messages of watch_type from watch_from. */
    ProtoNodeId watch_from;
    ProtoMsgType watch_type;
    GBytes *first[NET_VIEWS];   /* per view, the first one */
    gboolean twice[NET_VIEWS];  /* per view, whether a different one followed */
    uint32_t watched_to_others; /* addressed to another node than the sender */
    uint32_t watched_view[NET_VIEWS];
} Net;

static void drop(Net *net, ProtoMsgType type, ProtoView view, ProtoNodeId from, ProtoNodeId to)
{
    ck_assert_uint_lt(net->drop_count, G_N_ELEMENTS(net->drops));
    net->drops[net->drop_count++] = (Drop){type, view, from, to};
}

static Net *net_new(void)
{
    Net *net = g_new0(Net, 1);
    net->watch_from = PROTO_NODE_NONE;
    return net;
}

static void net_free(Net *net)
{
    for (int i = 0; i < NET_VIEWS; i++) {
        if (net->first[i] != NULL) g_bytes_unref(net->first[i]);
    }
    g_free(net);
}

static void watch(Harness *h, Net *net, const Envelope *e)
{
    ProtoView view = harness_view_of(h, e);
    if (view >= NET_VIEWS) return;
    net->watched_view[view]++;
    net->watched_to_others += e->to != e->from;
    if (net->first[view] == NULL) {
        net->first[view] = g_bytes_ref(e->bytes);
    } else if (!g_bytes_equal(net->first[view], e->bytes)) {
        net->twice[view] = TRUE;
    }
}

static gboolean net_filter(Harness *h, const Envelope *e, void *user_data)
{
    Net *net = user_data;
    if (e->from == net->watch_from && e->type == net->watch_type) watch(h, net, e);
    for (uint32_t i = 0; i < net->drop_count; i++) {
        const Drop *d = &net->drops[i];
        if (e->type == d->type && (d->from == PROTO_NODE_NONE || e->from == d->from) &&
            (d->to == PROTO_NODE_NONE || e->to == d->to) &&
            (d->view == 0 || harness_view_of(h, e) == d->view)) {
            return TRUE;
        }
    }
    return FALSE;
}

static Net *attach_net(Harness *h)
{
    Net *net = net_new();
    h->filter = net_filter;
    h->filter_data = net;
    return net;
}

static uint32_t views_sent_twice(const Net *net)
{
    uint32_t count = 0;
    for (int i = 0; i < NET_VIEWS; i++)
        count += net->twice[i];
    return count;
}

/* --- the registry ----------------------------------------------------------------------------- */

START_TEST(registry_names_help_and_flags)
{
    const char *help = proto_byzantine_help();
    ck_assert_ptr_eq(help, proto_byzantine_help()); /* built once */
    uint32_t lines = 0;
    for (const char *c = help; *c != '\0'; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, PROTO_BYZANTINE_KIND_COUNT_ - 1);
    for (int i = 0; i < PROTO_BYZANTINE_KIND_COUNT_; i++) {
        ProtoByzantineKind kind = (ProtoByzantineKind)i, found = PROTO_BYZANTINE_KIND_COUNT_;
        const char *name = proto_byzantine_name(kind);
        ck_assert(proto_byzantine_lookup(name, &found));
        ck_assert_int_eq(found, kind);
        if (kind == PROTO_BYZANTINE_NONE) continue;
        ck_assert_msg(strstr(help, name) != NULL, "%s is not in the help", name);
        gboolean twins = kind == PROTO_BYZANTINE_TWINS, amnesia = kind == PROTO_BYZANTINE_AMNESIA;
        ck_assert_int_eq(proto_byzantine_is_twins(kind), twins);
        ck_assert_int_eq(proto_byzantine_is_amnesia(kind), amnesia);
        ck_assert_uint_eq(proto_byzantine_flags(kind), twins     ? PROTO_BYZANTINE_FLAG_TWINS
                                                       : amnesia ? PROTO_BYZANTINE_FLAG_AMNESIA
                                                                 : 0);
    }
    /* The names scenario files write. */
    static const char *const names[] = {"silent",
                                        "equivocate",
                                        "fork",
                                        "stale_qc",
                                        "double_vote",
                                        "conflicting_votes",
                                        "invalid_signatures",
                                        "malformed",
                                        "withhold_votes",
                                        "spam",
                                        "da_no_store",
                                        "vid_withhold",
                                        "corrupt_shares",
                                        "twins",
                                        "amnesia"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        ProtoByzantineKind kind = PROTO_BYZANTINE_NONE;
        ck_assert_msg(proto_byzantine_lookup(names[i], &kind), "%s", names[i]);
        ck_assert_int_eq(kind, (ProtoByzantineKind)(PROTO_BYZANTINE_SILENT + (int)i));
    }
    ProtoByzantineKind untouched = PROTO_BYZANTINE_SPAM;
    ck_assert(!proto_byzantine_lookup("byzantine", &untouched));
    ck_assert_int_eq(untouched, PROTO_BYZANTINE_SPAM);
    ck_assert_uint_eq(proto_byzantine_flags(PROTO_BYZANTINE_NONE), 0);
    ck_assert_uint_eq(proto_byzantine_twin_side(0, 7), 0);
    ck_assert_uint_eq(proto_byzantine_twin_side(2, 7), 0);
    ck_assert_uint_eq(proto_byzantine_twin_side(3, 7), 1);
    ck_assert_uint_eq(proto_byzantine_twin_side(6, 7), 1);
}
END_TEST

static gboolean same_config(const ProtoNodeConfig *a, const ProtoNodeConfig *b)
{
    return a->id == b->id && a->view_timeout == b->view_timeout &&
           a->view_sync_timeout == b->view_sync_timeout && a->fetch_timeout == b->fetch_timeout &&
           a->three_chain == b->three_chain && a->high_qc_forwarding == b->high_qc_forwarding &&
           a->test_disable_lock_check == b->test_disable_lock_check && a->builder == b->builder &&
           a->builder_timeout == b->builder_timeout &&
           a->data_request_delay == b->data_request_delay &&
           a->data_request_timeout == b->data_request_timeout &&
           a->da_retain_views == b->da_retain_views;
}

START_TEST(only_conflicting_votes_changes_the_configuration)
{
    for (int i = 0; i < PROTO_BYZANTINE_KIND_COUNT_; i++) {
        ProtoNodeConfig config, reference;
        proto_node_config_default(&config, 3);
        proto_node_config_default(&reference, 3);
        proto_byzantine_configure((ProtoByzantineKind)i, &config);
        if (i == PROTO_BYZANTINE_CONFLICTING_VOTES) {
            ck_assert(config.test_disable_lock_check);
            reference.test_disable_lock_check = TRUE;
        }
        ck_assert_msg(same_config(&config, &reference), "%s",
                      proto_byzantine_name((ProtoByzantineKind)i));
    }
}
END_TEST

/* --- 1. silent -------------------------------------------------------------------------------- */

START_TEST(silent_leader)
{
    Harness *h = make(4, 0, FALSE);
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_SILENT);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Its node proposed, in every view it led; nothing left the node. */
    ck_assert_uint_gt(proto_node_stats(h->nodes[1])->proposals_sent, 3);
    ck_assert_uint_eq(harness_sent(h, 1, PROTO_MSG_PROPOSAL), 0);
    ck_assert_uint_eq(proto_byzantine_stats(h->byzantine[1])->dropped,
                      2 * proto_node_stats(h->nodes[1])->proposals_sent);
    /* Its views timed out at the honest nodes and none of them decided a block of its. */
    ck_assert_uint_gt(harness_count_notes(h, 0, PROTO_NOTE_TIMED_OUT, 0), 3);
    ck_assert_uint_gt(harness_count_notes(h, 2, PROTO_NOTE_TC_FORMED, 0), 3);
    ck_assert(!decided_a_view_of(h, 0, 1));
    harness_free(h);
}
END_TEST

/* --- 2. equivocate ---------------------------------------------------------------------------- */

START_TEST(equivocating_leader)
{
    Harness *h = make(4, 0, FALSE);
    Net *net = attach_net(h);
    net->watch_from = 1;
    net->watch_type = PROTO_MSG_PROPOSAL;
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_EQUIVOCATE);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Two different proposals went out for each view it led. */
    ck_assert_uint_gt(views_sent_twice(net), 3);
    ck_assert_uint_eq(views_sent_twice(net), proto_node_stats(h->nodes[1])->proposals_sent);
    /* Every node voted at most once per view, so neither proposal was certified: the halves
     * (node 0 with the leader, nodes 2 and 3) each lack a third vote. */
    for (guint i = 0; i < h->notes->len; i++) {
        const ProtoAction *a = &g_array_index(h->notes, ProtoAction, i);
        if (a->note != PROTO_NOTE_VOTED) continue;
        ck_assert_uint_eq(harness_count_notes(h, a->target, PROTO_NOTE_VOTED, a->view), 1);
    }
    ck_assert(!decided_a_view_of(h, 0, 1));
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 3. fork ---------------------------------------------------------------------------------- */

/* A fork on 4 nodes with stake-weighted leaders, by the first node that leads two views in a
 * row; with `lock_check` off at the honest nodes too. */
static Harness *fork_run(gboolean lock_check, ProtoNodeId *attacker, ProtoView *view)
{
    HarnessOptions o = {.nodes = 4,
                        .crypto = PROTO_CRYPTO_MODELED,
                        .leaders = PROTO_LEADER_STAKE_WEIGHTED,
                        .view_timeout = 1 * PROTO_S};
    Harness *h = harness_new(&o);
    h->advance_budget = 600;
    ProtoView v = 3;
    while (harness_leader(h, v) != harness_leader(h, v + 1))
        ck_assert_uint_lt(++v, 100);
    *attacker = harness_leader(h, v);
    *view = v;
    harness_set_byzantine(h, *attacker, PROTO_BYZANTINE_FORK);
    for (ProtoNodeId i = 0; i < 4; i++)
        h->configs[i].test_disable_lock_check |= !lock_check;
    harness_start(h);
    run_for(h, 10 * PROTO_S);
    return h;
}

START_TEST(fork_is_refused_by_the_lock_and_caught_without_it)
{
    ProtoNodeId attacker, victim;
    ProtoView v;
    Harness *h = fork_run(TRUE, &attacker, &v);
    victim = attacker == 0 ? 1 : 0;
    /* (a) Only the victim saw the proposal of v and decided with it; everyone else refused the
     * fork in v+1 by the locking rule. */
    ck_assert_uint_eq(proto_byzantine_stats(h->byzantine[attacker])->changed, 2);
    ck_assert_uint_eq(harness_count_notes(h, victim, PROTO_NOTE_VOTED, v), 1);
    for (ProtoNodeId i = 0; i < 4; i++) {
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_VOTED, v + 1), 0);
        if (i == attacker || i == victim) continue; /* the victim was past v+1 already */
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_UNSAFE_PROPOSAL, v + 1), 1);
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_VOTED, v), 0);
    }
    /* (b) and (c). */
    check_agreement(h);
    check_live(h, 5 * PROTO_S, 10);
    harness_free(h);

    /* The positive control: the same attack with the lock check off breaks agreement, and
     * the safety check of these tests sees it. */
    h = fork_run(FALSE, &attacker, &v);
    char why[160] = "";
    ck_assert(find_conflict(h, why, sizeof why));
    harness_free(h);
}
END_TEST

/* --- 4. stale_qc ------------------------------------------------------------------------------ */

START_TEST(stale_qc_proposals_are_refused)
{
    /* Node 1 leads views 1, 5, 9, ... The network loses every proposal of view 8, so node 1
     * proposes 9 with TC(8) as evidence: a proposal valid in all but the locking rule. */
    Harness *h = make(4, 0, FALSE);
    Net *net = attach_net(h);
    drop(net, PROTO_MSG_PROPOSAL, 8, PROTO_NODE_NONE, PROTO_NODE_NONE);
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_STALE_QC);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Its proposals after view 1 (built on genesis, nothing older exists) carried stale
     * QCs: without evidence they fail for lack of it, view 9's fails the locking rule. */
    ck_assert_uint_gt(proto_byzantine_stats(h->byzantine[1])->changed, 6);
    for (ProtoNodeId i = 0; i < 4; i++) {
        if (i == 1) continue;
        ck_assert_uint_gt(harness_count_rejected(h, i, PROTO_MSG_PROPOSAL, PROTO_ERR_EVIDENCE), 3);
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_UNSAFE_PROPOSAL, 9), 1);
        ck_assert_uint_eq(harness_count_notes(h, i, PROTO_NOTE_VOTED, 9), 0);
    }
    ck_assert_uint_eq(honest_votes_for_views_of(h, 1, 1), 3); /* view 1 */
    ck_assert_uint_eq(honest_votes_for_views_of(h, 1, 2), 0);
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 5. double_vote --------------------------------------------------------------------------- */

START_TEST(double_votes_open_tallies_no_one_joins)
{
    Harness *h = make(4, 0, FALSE);
    Net *net = attach_net(h);
    net->watch_from = 1;
    net->watch_type = PROTO_MSG_QUORUM_VOTE;
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_DOUBLE_VOTE);
    harness_start(h);
    run_for(h, 2 * PROTO_S);
    /* (a) Two different quorum votes for each view it voted in. */
    uint64_t votes = proto_node_stats(h->nodes[1])->votes_sent;
    ck_assert_uint_gt(votes, 100);
    ck_assert_uint_eq(harness_sent(h, 1, PROTO_MSG_QUORUM_VOTE), 2 * votes);
    ck_assert_uint_eq(views_sent_twice(net), votes);
    /* At most one QC per view, for the real leaf: the fabricated votes never add up. */
    for (ProtoView v = 1; v < NET_VIEWS && v < votes; v++) {
        ck_assert_uint_le(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_QC_FORMED, v), 1);
    }
    /* (b), and (c) at full speed: not a single view failed. */
    check_live(h, 2 * PROTO_S, 100);
    check_agreement(h);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 6. conflicting_votes --------------------------------------------------------------------- */

START_TEST(conflicting_votes_cannot_certify_a_fork)
{
    /* 7 nodes: node 2 proposes on stale QCs, node 5 votes without the locking rule (2 of 7).
     * The network loses node 1's proposals, so node 2 always holds a TC as evidence and its
     * proposals fail the locking rule alone. */
    Harness *h = make(7, 0, FALSE);
    Net *net = attach_net(h);
    drop(net, PROTO_MSG_PROPOSAL, 0, 1, PROTO_NODE_NONE);
    harness_set_byzantine(h, 2, PROTO_BYZANTINE_STALE_QC);
    harness_set_byzantine(h, 5, PROTO_BYZANTINE_CONFLICTING_VOTES);
    ck_assert(h->configs[5].test_disable_lock_check);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Node 5 voted for node 2's stale proposals, which every honest node refused. */
    uint32_t conflicting = 0, refused = 0;
    for (ProtoView v = 9; v < 200; v += 7) { /* views node 2 led, past the first rounds */
        conflicting += harness_count_notes(h, 5, PROTO_NOTE_VOTED, v);
        refused += harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_UNSAFE_PROPOSAL, v);
    }
    ck_assert_uint_gt(conflicting, 3);
    ck_assert_uint_ge(refused, 5 * conflicting);
    /* Nothing else voted for them, beyond view 2 (built on genesis: nothing older exists). */
    ck_assert_uint_eq(honest_votes_for_views_of(h, 2, 3), 0);
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 7. invalid_signatures -------------------------------------------------------------------- */

START_TEST(invalid_signatures_are_rejected)
{
    /* Modeled tags, then real Ed25519 signatures (certificates: one per signer). */
    Harness *h = make_signing(4, 4, TRUE, _i == 0 ? PROTO_CRYPTO_MODELED : PROTO_CRYPTO_REAL);
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_INVALID_SIGNATURES);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Whatever it signed failed verification at the honest nodes. */
    static const ProtoMsgType types[] = {PROTO_MSG_PROPOSAL, PROTO_MSG_QUORUM_VOTE,
                                         PROTO_MSG_DA_PROPOSAL, PROTO_MSG_DA_VOTE,
                                         PROTO_MSG_VID_SHARE};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        uint32_t rejected =
            harness_count_rejected(h, PROTO_NODE_NONE, types[i], PROTO_ERR_SIGNATURE);
        ck_assert_msg(rejected > 3, "%s: %u", proto_msg_type_name(types[i]), rejected);
    }
    ck_assert_uint_eq(harness_count_rejected(h, 1, 0, PROTO_ERR_SIGNATURE), 0);
    /* Its blocks never got a DA certificate nor a vote. */
    ck_assert_uint_eq(honest_votes_for_views_of(h, 1, 0), 0);
    ck_assert_uint_eq(harness_count_notes(h, 1, PROTO_NOTE_DAC_FORMED, 0), 0);
    harness_free(h);
}
END_TEST

/* --- 8. malformed ----------------------------------------------------------------------------- */

START_TEST(malformed_messages_are_rejected)
{
    gboolean synthetic = _i % 2 == 1;
    Harness *h = make(4, 4, synthetic);
    h->rng = 1000 + (uint64_t)_i; /* other garbage in each run */
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_MALFORMED);
    run_checked(h, 10 * PROTO_S, 10);
    /* (a) Everything it sent to others was garbage, which the honest nodes rejected at
     * decoding (truncated, oversized, bad version...) or, the mutated copies that still
     * decode, at validation. */
    const ProtoByzantineStats *stats = proto_byzantine_stats(h->byzantine[1]);
    ck_assert_uint_gt(stats->changed, 100);
    static const int codes[] = {PROTO_ERR_TRUNCATED, PROTO_ERR_TRAILING, PROTO_ERR_VERSION};
    for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
        uint32_t rejected = harness_count_rejected(h, PROTO_NODE_NONE, 0, codes[i]);
        ck_assert_msg(rejected > 10, "%s: %u", proto_strerror(codes[i]), rejected);
    }
    ck_assert_uint_gt(harness_count_rejected(h, PROTO_NODE_NONE, 0, 0), stats->changed / 2);
    ck_assert_uint_eq(honest_votes_for_views_of(h, 1, 0), 0);
    harness_free(h);
}
END_TEST

/* --- 9. withhold_votes ------------------------------------------------------------------------ */

START_TEST(withheld_votes_leave_the_leader_leading)
{
    Harness *h = make(4, 4, TRUE);
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_WITHHOLD_VOTES);
    run_checked(h, 5 * PROTO_S, 50);
    /* (a) Its node voted and DA-voted; no vote of either kind left it. */
    ck_assert_uint_gt(proto_node_stats(h->nodes[1])->votes_sent, 50);
    ck_assert_uint_gt(harness_count_notes(h, 1, PROTO_NOTE_DA_STORED, 0), 50);
    ck_assert_uint_eq(harness_sent(h, 1, PROTO_MSG_QUORUM_VOTE), 0);
    ck_assert_uint_eq(harness_sent(h, 1, PROTO_MSG_DA_VOTE), 0);
    /* The three honest nodes make every threshold alone: no view failed, its own included. */
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    ck_assert(decided_a_view_of(h, 0, 1));
    harness_free(h);
}
END_TEST

/* --- 10. spam --------------------------------------------------------------------------------- */

static Harness *spam_run(void)
{
    Harness *h = make(4, 0, FALSE);
    h->advance_budget = 6000; /* the flood is 384 envelopes per view it enters */
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_SPAM);
    harness_start(h);
    run_for(h, 5 * PROTO_S);
    return h;
}

START_TEST(spam_for_future_views_is_refused_or_left_incomplete)
{
    Harness *h = spam_run();
    /* (a) It flooded: 32 views ahead, four votes each, to three nodes, per view entered. Most
     * reached nodes that are not their recipient. */
    uint64_t entered = harness_count_notes(h, 1, PROTO_NOTE_VIEW_ENTERED, 0);
    ck_assert_uint_gt(entered, 3);
    ck_assert_uint_ge(harness_sent(h, 1, PROTO_MSG_TIMEOUT_VOTE), 3 * 32 * entered);
    ck_assert_uint_ge(harness_sent(h, 1, PROTO_MSG_VS_FINALIZE_VOTE), 3 * 32 * entered);
    ck_assert_uint_le(harness_sent(h, 1, PROTO_MSG_TIMEOUT_VOTE), 3 * 33 * entered);
    for (ProtoNodeId i = 0; i < 4; i++) {
        if (i == 1) continue;
        ck_assert_uint_gt(
            harness_count_rejected(h, i, PROTO_MSG_TIMEOUT_VOTE, PROTO_ERR_NOT_RECIPIENT), 50);
        ck_assert_uint_gt(
            harness_count_rejected(h, i, PROTO_MSG_VS_COMMIT_VOTE, PROTO_ERR_NOT_RECIPIENT), 50);
    }
    /* No certificate for a view the honest nodes had not reached came of it. */
    for (guint i = 0; i < h->notes->len; i++) {
        const ProtoAction *a = &g_array_index(h->notes, ProtoAction, i);
        if (a->note != PROTO_NOTE_TC_FORMED && a->note != PROTO_NOTE_VIEW_SYNC_CERT) continue;
        ck_assert_uint_le(a->view, proto_node_view(h->nodes[a->target]));
    }
    /* (b) */
    check_agreement(h);
    harness_free(h);
}
END_TEST

/*
 * (c) for spam: the flood does not halt the honest nodes. Each vote opens a tally at its
 * recipient (node_state.c, node__accumulate); with 4 nodes, 32 views ahead fill all
 * NODE_ACCUMULATORS_MAX = 32 slots of every node. When claim_accumulator evicted the tally with
 * the lowest view, that was the one under way: the QC of view 2 was lost and after two minutes
 * of virtual time no block was decided (on the simulator, 4 nodes, seed 1: 10 of 61 views
 * failed). It now evicts the tally farthest from the current view.
 */
START_TEST(spam_does_not_stall_the_honest_nodes)
{
    Harness *h = spam_run();
    check_live(h, 5 * PROTO_S, 20);
    check_agreement(h);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    harness_free(h);
}
END_TEST

/* --- 11. da_no_store -------------------------------------------------------------------------- */

enum { DA_VIEW = 6 }; /* led by node 2 */

START_TEST(da_member_that_stores_nothing)
{
    /* Committee {0, 1, 2}; node 0 keeps no payload. The network loses node 3's share of
     * DA_VIEW, and node 1's vote, so that the view needs node 3's. Node 3 asks DA member
     * (0 + 3) mod 3 = node 0 first, then node 1. */
    Harness *h = make(4, 3, FALSE);
    Net *net = attach_net(h);
    drop(net, PROTO_MSG_VID_SHARE, DA_VIEW, PROTO_NODE_NONE, 3);
    drop(net, PROTO_MSG_QUORUM_VOTE, DA_VIEW, 1, PROTO_NODE_NONE);
    net->watch_from = 0;
    net->watch_type = PROTO_MSG_DA_VOTE;
    harness_set_byzantine(h, 0, PROTO_BYZANTINE_DA_NO_STORE);
    harness_start(h);
    run_for(h, 1 * PROTO_S); /* past node 3's two requests, 200 ms apart */
    /* (a) It DA-voted for every block, the one of DA_VIEW included, but stored none. */
    ck_assert_uint_eq(net->watched_view[DA_VIEW], 1);
    ck_assert_uint_gt(harness_sent(h, 0, PROTO_MSG_DA_VOTE), 20);
    ck_assert_uint_eq(harness_count_notes(h, 0, PROTO_NOTE_DA_STORED, 0), 0);
    ck_assert_uint_eq(harness_count_notes(h, 1, PROTO_NOTE_DA_STORED, DA_VIEW), 1);
    /* It could not answer node 3's request; the next member did, and node 3 voted. */
    ck_assert_uint_eq(harness_count_rejected(h, 0, PROTO_MSG_VID_REQUEST, PROTO_ERR_UNKNOWN), 1);
    ck_assert_uint_eq(harness_sent(h, 3, PROTO_MSG_VID_REQUEST), 2);
    ck_assert_uint_eq(harness_count_notes(h, 3, PROTO_NOTE_SHARE_STORED, DA_VIEW), 1);
    ck_assert_uint_eq(harness_count_notes(h, 3, PROTO_NOTE_VOTED, DA_VIEW), 1);
    /* Nor can it serve a rollup a namespace of a block decided lately (still retained); an
     * honest member can. */
    GArray *decided = harness_decisions_of(h, 3);
    const Decision *d = &g_array_index(decided, Decision, decided->len - 1);
    for (guint i = decided->len; i-- > 0 && d->payload_size == 0;)
        d = &g_array_index(decided, Decision, i);
    ck_assert_uint_lt(proto_node_view(h->nodes[0]), d->leaf_view + 32);
    ProtoPayload *block = harness_built(h, &d->payload);
    ck_assert(block != NULL && block->ns_count > 0);
    ProtoMsg request = {.type = PROTO_MSG_NS_REQUEST, .sender = 3};
    request.data.view = d->leaf_view;
    request.data.commit = d->payload;
    request.data.ns_id = block->ns_ids[0];
    GBytes *bytes = proto_msg_encode(&request, NULL);
    ck_assert_int_eq(harness_inject(h, 3, 0, bytes), PROTO_ERR_UNKNOWN);
    ck_assert_int_eq(harness_inject(h, 3, 1, bytes), PROTO_OK);
    g_bytes_unref(bytes);
    g_array_unref(decided);
    /* (b) and (c). */
    check_live(h, 5 * PROTO_S, 20);
    check_agreement(h);
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 12. vid_withhold ------------------------------------------------------------------------- */

START_TEST(withheld_shares_are_fetched_from_the_committee)
{
    /* 7 nodes, committee {0..3}; node 1 leads views 1, 8, 15... (odd and even). */
    Harness *h = make(7, 4, TRUE);
    Net *net = attach_net(h);
    net->watch_from = 1;
    net->watch_type = PROTO_MSG_VID_SHARE;
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_VID_WITHHOLD);
    run_checked(h, 10 * PROTO_S, 20);
    /* (a) Its shares went to itself alone (7 nodes: a quarter of the stake is one node's),
     * and in even views to nobody. */
    ck_assert_uint_gt(proto_byzantine_stats(h->byzantine[1])->dropped, 6 * 6);
    ck_assert_uint_eq(net->watched_to_others, 0);
    ck_assert_uint_eq(net->watched_view[15], 1);
    ck_assert_uint_eq(net->watched_view[8], 0);
    /* The others asked the committee for their shares of its blocks, and enough of them got
     * theirs and voted to certify its block of view 8 (a QC needs 5 of 7; data timers of equal
     * deadlines fire by node id, so the highest ids are not needed and seldom ask). */
    uint32_t fetched = 0, voted = 0;
    uint64_t requests = 0;
    for (ProtoNodeId i = 0; i < 7; i++) {
        if (i == 1) continue;
        fetched += harness_count_notes(h, i, PROTO_NOTE_SHARE_STORED, 8);
        voted += harness_count_notes(h, i, PROTO_NOTE_VOTED, 8);
        requests += harness_sent(h, i, PROTO_MSG_VID_REQUEST);
    }
    ck_assert_uint_gt(requests, 4 * 6);
    ck_assert_uint_ge(fetched, 4);
    ck_assert_uint_ge(voted, 4);
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_QC_FORMED, 8), 1);
    /* Its views still decide, a request delay late, without timing out. */
    ck_assert(decided_a_view_of(h, 0, 1));
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    net_free(net);
    harness_free(h);
}
END_TEST

/* --- 13. corrupt_shares ----------------------------------------------------------------------- */

START_TEST(corrupt_shares_are_rejected_and_replaced)
{
    gboolean synthetic = _i == 1;
    Harness *h = make(4, 4, synthetic);
    harness_set_byzantine(h, 1, PROTO_BYZANTINE_CORRUPT_SHARES);
    run_checked(h, 10 * PROTO_S, 20);
    /* (a) Replicas rejected corrupted shares of its blocks, and fetched good ones. */
    const ProtoByzantineStats *stats = proto_byzantine_stats(h->byzantine[1]);
    ck_assert_uint_gt(stats->changed, 10);
    uint32_t rejected = harness_count_rejected(h, PROTO_NODE_NONE, PROTO_MSG_VID_SHARE, 0);
    ck_assert_uint_eq(rejected, stats->changed);
    uint64_t requests = 0;
    for (ProtoNodeId i = 0; i < 4; i++)
        requests += harness_sent(h, i, PROTO_MSG_VID_REQUEST);
    ck_assert_uint_gt(requests, 10); /* some views complete without the victims' votes */
    ck_assert(decided_a_view_of(h, 0, 1));
    ck_assert_uint_eq(harness_count_notes(h, PROTO_NODE_NONE, PROTO_NOTE_TIMED_OUT, 0), 0);
    harness_free(h);
}
END_TEST

/* --- 14. twins and amnesia -------------------------------------------------------------------- */

/* The decisions of 4 nodes after `steps` deliveries, with node 1 of `kind` (or honest). */
static GArray *decisions_with(ProtoByzantineKind kind)
{
    Harness *h = make(4, 4, TRUE);
    if (kind != PROTO_BYZANTINE_NONE) harness_set_byzantine(h, 1, kind);
    harness_start(h);
    harness_run(h, 20000);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(Decision));
    g_array_append_vals(out, h->decisions->data, h->decisions->len);
    if (kind != PROTO_BYZANTINE_NONE) {
        ck_assert_uint_eq(proto_byzantine_stats(h->byzantine[1])->dropped, 0);
        ck_assert_uint_eq(proto_byzantine_stats(h->byzantine[1])->changed, 0);
        ck_assert_uint_eq(proto_byzantine_stats(h->byzantine[1])->added, 0);
    }
    harness_free(h);
    return out;
}

START_TEST(twins_and_amnesia_rewrite_nothing)
{
    /* What makes them Byzantine is the driver's part; on their own they run exactly like an
     * honest node. */
    GArray *reference = decisions_with(PROTO_BYZANTINE_NONE);
    ck_assert_uint_gt(reference->len, 100);
    ProtoByzantineKind kinds[] = {PROTO_BYZANTINE_TWINS, PROTO_BYZANTINE_AMNESIA};
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        GArray *mine = decisions_with(kinds[k]);
        ck_assert_uint_eq(mine->len, reference->len);
        for (guint i = 0; i < mine->len; i++) {
            const Decision *a = &g_array_index(mine, Decision, i);
            const Decision *b = &g_array_index(reference, Decision, i);
            ck_assert(a->node == b->node && a->leaf_view == b->leaf_view && a->height == b->height);
            ck_assert(proto_commit_equal(&a->commit, &b->commit));
            ck_assert(a->trigger_type == b->trigger_type && a->trigger_view == b->trigger_view);
            ck_assert(proto_commit_equal(&a->payload, &b->payload));
        }
        g_array_unref(mine);
    }
    g_array_unref(reference);
}
END_TEST

/* A proposal for `view` by its leader on the genesis QC, with a TC for view - 1 as evidence:
 * valid, but a fork from everything decided since genesis. */
static GBytes *fork_from_genesis(Harness *h, ProtoView view)
{
    ProtoMsg msg = {.type = PROTO_MSG_PROPOSAL, .sender = harness_leader(h, view)};
    ProtoProposal *p = &msg.proposal;
    p->view = view;
    p->parent = h->shared->genesis->commit;
    p->header.height = 1;
    p->header.ns_table = g_bytes_new(NULL, 0);
    p->justify_qc = h->shared->genesis_qc;
    p->evidence_kind = PROTO_EVIDENCE_TC;
    ProtoAggregate agg;
    proto_aggregate_init(&agg, h->crypto, PROTO_CERT_TC, view - 1, 0, NULL);
    ProtoCommit message, zero = {0};
    proto_vote_commit(PROTO_CERT_TC, view - 1, 0, &zero, &message);
    ProtoDuration cpu = 0;
    for (ProtoNodeId i = 0; i < 3; i++) {
        ProtoSignature signature;
        proto_crypto_sign(proto_crypto_signer(h->crypto, i), &message, &signature, &cpu);
        proto_aggregate_add(&agg, i, &signature);
    }
    p->evidence = proto_aggregate_finish(&agg, h->crypto);
    proto_aggregate_clear(&agg);
    ProtoCommit commit;
    proto_leaf_commit(view, &p->parent, &p->header, p->justify_qc, &commit);
    proto_crypto_sign(proto_crypto_signer(h->crypto, msg.sender), &commit, &p->signature, &cpu);
    GBytes *bytes = proto_msg_encode(&msg, NULL);
    proto_cert_unref(p->evidence);
    g_bytes_unref(p->header.ns_table);
    return bytes;
}

START_TEST(amnesia_forgets_its_lock_on_restart)
{
    /* Node 3 is amnesiac, node 2 honest; both crash and restart at once. */
    Harness *h = make(4, 0, FALSE);
    harness_set_byzantine(h, 3, PROTO_BYZANTINE_AMNESIA);
    harness_start(h);
    harness_run(h, 500);
    ck_assert_uint_gt(proto_node_locked_view(h->nodes[3]), 5);
    harness_restart(h, 2);
    harness_restart(h, 3);
    ck_assert_uint_gt(proto_node_locked_view(h->nodes[2]), 5);
    ck_assert_uint_gt(proto_node_last_voted_view(h->nodes[2]), 5);
    ck_assert_uint_eq(proto_node_locked_view(h->nodes[3]), 0);
    ck_assert_uint_eq(proto_node_high_qc_view(h->nodes[3]), 0);
    ck_assert_uint_eq(proto_node_last_voted_view(h->nodes[3]), 0);
    ck_assert_uint_eq(proto_node_anchor(h->nodes[3])->view, 0);
    ck_assert_uint_eq(proto_node_view(h->nodes[3]), 1);
    /* A fork from genesis for the view the honest node is in (its evidence is forged by the
     * test; for a later view, the honest node would follow it there while the others could
     * not, a split no real TC allows): the honest node refuses it, the amnesiac votes. */
    ProtoView view = MAX(proto_node_view(h->nodes[2]), proto_node_last_voted_view(h->nodes[2]) + 1);
    GBytes *fork = fork_from_genesis(h, view);
    ck_assert_int_eq(harness_inject(h, harness_leader(h, view), 2, fork), PROTO_ERR_UNSAFE);
    ck_assert_int_eq(harness_inject(h, harness_leader(h, view), 3, fork), PROTO_OK);
    ck_assert_uint_eq(harness_count_notes(h, 3, PROTO_NOTE_VOTED, view), 1);
    ck_assert_uint_eq(harness_count_notes(h, 2, PROTO_NOTE_VOTED, view), 0);
    g_bytes_unref(fork);
    /* One vote cannot certify the fork: the honest nodes go on, safely. */
    check_live(h, 5 * PROTO_S, 10);
    check_agreement(h);
    harness_free(h);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("byzantine");
    TCase *tc = tcase_create("byzantine");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, registry_names_help_and_flags);
    tcase_add_test(tc, only_conflicting_votes_changes_the_configuration);
    tcase_add_test(tc, silent_leader);
    tcase_add_test(tc, equivocating_leader);
    tcase_add_test(tc, fork_is_refused_by_the_lock_and_caught_without_it);
    tcase_add_test(tc, stale_qc_proposals_are_refused);
    tcase_add_test(tc, double_votes_open_tallies_no_one_joins);
    tcase_add_test(tc, spam_does_not_stall_the_honest_nodes);
    tcase_add_test(tc, conflicting_votes_cannot_certify_a_fork);
    tcase_add_loop_test(tc, invalid_signatures_are_rejected, 0, 2);
    tcase_add_loop_test(tc, malformed_messages_are_rejected, 0, 4);
    tcase_add_test(tc, withheld_votes_leave_the_leader_leading);
    tcase_add_test(tc, spam_for_future_views_is_refused_or_left_incomplete);
    tcase_add_test(tc, da_member_that_stores_nothing);
    tcase_add_test(tc, withheld_shares_are_fetched_from_the_committee);
    tcase_add_loop_test(tc, corrupt_shares_are_rejected_and_replaced, 0, 2);
    tcase_add_test(tc, twins_and_amnesia_rewrite_nothing);
    tcase_add_test(tc, amnesia_forgets_its_lock_on_restart);
    suite_add_tcase(suite, tc);
    return suite;
}
