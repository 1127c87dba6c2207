/* The printed summary of a run; see summary.h. */
#include "sim/out/summary.h"

#include "sim/core/units.h"
#include "sim/net/transport.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static char *duration(uint64_t ns)
{
    return sim_quantity_format(ns, SIM_QUANTITY_DURATION);
}

static void print_views(SimRun *run)
{
    const AnaLiveness *l = sim_run_liveness(run);
    ProtoView max = ana_liveness_max_view(l);
    uint64_t counts[ANA_VIEW_OUTCOME_COUNT_] = {0};
    uint64_t failures = 0, open_timed_out = 0;
    GString *failed = g_string_new(NULL);
    for (ProtoView v = 1; v <= max; v++) {
        AnaViewOutcome o = ana_liveness_outcome(l, v, 3);
        counts[o]++;
        const AnaViewRecord *record = ana_liveness_view(l, v);
        if (o == ANA_VIEW_PENDING && record != NULL) open_timed_out += record->timeouts > 0;
        if (!ana_view_outcome_failed(o)) continue;
        failures++;
        if (failed->len < 60) {
            g_string_append_printf(failed, "%s%" PRIu64, failed->len ? "," : "", v);
        } else if (!g_str_has_suffix(failed->str, ",...")) {
            g_string_append(failed, ",...");
        }
    }
    printf("  failed views       %" PRIu64 " of %" PRIu64 "%s%s%s\n", failures, max,
           failures ? " (" : "", failed->str, failures ? ")" : "");
    for (int o = 0; o < ANA_VIEW_OUTCOME_COUNT_; o++) {
        if (counts[o] && ana_view_outcome_failed(o))
            printf("    %-16" PRIu64 " %s\n", counts[o], ana_view_outcome_name(o));
    }
    /* Views lost without a timeout are not failures (see liveness.h), but lost all the same. */
    if (counts[ANA_VIEW_ORPHANED] + counts[ANA_VIEW_SKIPPED] > 0) {
        printf("  lost, not failed   %" PRIu64 " orphaned (voted on, block never decided), %" PRIu64
               " skipped by view sync\n",
               counts[ANA_VIEW_ORPHANED], counts[ANA_VIEW_SKIPPED]);
    }
    /* The last views are too recent to call, but a stalled run's have timed out for good. */
    if (open_timed_out > 0) {
        printf("  still open         %" PRIu64 " of the last %" PRIu64
               " views had timed out when the run stopped\n",
               open_timed_out, counts[ANA_VIEW_PENDING]);
    }
    g_string_free(failed, TRUE);
}

static void print_transport(SimRun *run)
{
    const SimTransport *t = sim_run_transport(run);
    if (sim_transport_kind(t) == SIM_TRANSPORT_DIRECT) return;
    const SimTransportStats *s = sim_transport_stats(t);
    printf("  transport          %s: %" PRIu64 " copies relayed, %" PRIu64 " duplicates filtered\n",
           sim_transport_kind_name(sim_transport_kind(t)), s->relayed, s->duplicates);
    if (s->reconnects > 0 || s->lost_disconnected > 0 || s->dead_connections > 0) {
        char *gap = duration(s->reconnect_gap_max);
        printf("  reconnections      %" PRIu64 " through the marshal, longest without a broker %s, "
               "%" PRIu64 " messages lost meanwhile; %" PRIu64 " connections found dead\n",
               s->reconnects, gap, s->lost_disconnected, s->dead_connections);
        g_free(gap);
    }
    if (s->libp2p_sends > 0 || s->cdn_down > 0) {
        printf("  fallback           %" PRIu64 " messages on libp2p too (%" PRIu64
               " delayed copies not needed); CDN declared down %" PRIu64 " times, back %" PRIu64
               "\n",
               s->libp2p_sends, s->delayed_cancelled, s->cdn_down, s->cdn_up);
    }
}

static void print_traffic(SimRun *run)
{
    SimNetwork *net = sim_run_network(run);
    uint64_t msgs = 0, bytes = 0;
    for (uint32_t h = 0; h < sim_network_host_count(net); h++) {
        for (uint16_t t = 0; t < sim_network_type_count(net); t++) {
            const SimTypeCounters *c = sim_network_counters(net, h, t);
            msgs += c->msgs_sent;
            bytes += c->bytes_sent;
        }
    }
    char *size = sim_quantity_format(bytes, SIM_QUANTITY_SIZE);
    printf("  traffic            %" PRIu64 " messages, %s sent\n", msgs, size);
    g_free(size);
    print_transport(run);
    const SimNetworkStats *stats = sim_network_stats(net);
    if (stats->held_cut == 0 && stats->dropped_hold == 0) return;
    char *peak = sim_quantity_format(stats->held_bytes_peak, SIM_QUANTITY_SIZE);
    char *bound = sim_quantity_format(sim_run_config(run)->hold_max, SIM_QUANTITY_SIZE);
    printf("  held by cuts       %" PRIu64 " holds, peak %s on one link (hold_max %s), %" PRIu64
           " copies dropped over it\n",
           stats->held_cut, peak, bound, stats->dropped_hold);
    g_free(peak);
    g_free(bound);
}

static void print_data(SimRun *run);
static void print_l1(SimRun *run);

/* One line per warning, or nothing. */
static void print_warnings(const GPtrArray *warnings)
{
    for (guint i = 0; warnings != NULL && i < warnings->len; i++)
        printf("  %-18s %s\n", i == 0 ? "warnings" : "", (const char *)warnings->pdata[i]);
}

void sim_summary_print(SimRun *run, const GPtrArray *warnings, double wall_seconds)
{
    SimEngine *engine = sim_run_engine(run);
    const AnaLiveness *l = sim_run_liveness(run);
    const AnaSafety *s = sim_run_safety(run);
    const AnaHistogram *lat = ana_liveness_latency(l);
    SimTime now = sim_engine_now(engine);
    char *t = duration(now), *gap = duration(ana_liveness_longest_gap(l, now));
    char *p50 = duration(ana_histogram_percentile(lat, 50));
    char *p90 = duration(ana_histogram_percentile(lat, 90));
    char *p99 = duration(ana_histogram_percentile(lat, 99));
    const char *stop = sim_run_stop_description(run);
    printf("result (%s at virtual time %s)\n", stop ? stop : "not run", t);
    printf("  views reached      %" PRIu64 "\n", ana_liveness_max_view(l));
    printf("  blocks decided     %" PRIu64 "\n", ana_liveness_blocks(l));
    printf("  decide latency     p50 %s, p90 %s, p99 %s (virtual; proposal to decide, %" PRIu64
           " node decides)\n",
           p50, p90, p99, ana_histogram_count(lat));
    printf("  longest gap        %s without a new decide\n", gap);
    if (sim_run_epochs(run) != NULL) {
        uint64_t views_max = 0;
        uint64_t transitions = sim_run_transitions(run, &views_max);
        printf("  epochs             %" PRIu64 " transitions completed, the longest in %" PRIu64
               " views (4 without a failure)\n",
               transitions, views_max);
    }
    print_views(run);
    print_traffic(run);
    if (ana_safety_violated(s)) {
        char *when = duration(ana_safety_violation_time(s));
        /* A decide's violation has the decide's own time: its node's CPU work done, a little
         * after the event that started the work, which is where the run stopped. A vote's,
         * a proposal's or an accepted certificate's has the time it was sent or received. */
        printf("  safety             VIOLATED (%s) at %s: %s\n",
               ana_safety_kind_name(ana_safety_violation_kind(s)), when, ana_safety_violation(s));
        g_free(when);
    } else {
        printf("  safety             ok (agreement, prefix, vote-once, certificates, custody)\n");
    }
    print_data(run);
    print_l1(run);
    print_warnings(warnings);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(engine, digest);
    printf("  trace digest       %s\n", digest);
    uint64_t views = ana_liveness_max_view(l);
    printf("wall clock: %.2f s, %.1f views/s, %.0f node-views/s, %.2fM events/s\n", wall_seconds,
           (double)views / wall_seconds, (double)views * sim_run_config(run)->nodes / wall_seconds,
           (double)sim_engine_events_run(engine) / wall_seconds / 1e6);
    g_free(t), g_free(gap), g_free(p50), g_free(p90), g_free(p99);
}

static void print_latency(const char *label, const AnaHistogram *h)
{
    if (ana_histogram_count(h) == 0) {
        printf("    %-18s none\n", label);
        return;
    }
    char *p50 = duration(ana_histogram_percentile(h, 50));
    char *p90 = duration(ana_histogram_percentile(h, 90));
    char *p99 = duration(ana_histogram_percentile(h, 99));
    printf("    %-18s p50 %s, p90 %s, p99 %s (%" PRIu64 " transactions)\n", label, p50, p90, p99,
           ana_histogram_count(h));
    g_free(p50), g_free(p90), g_free(p99);
}

static void print_roles(const AnaData *d)
{
    printf("  sent by role      ");
    for (int role = 0; role < ANA_ROLE_COUNT_; role++) {
        uint64_t bytes = 0;
        for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
            bytes += ana_data_role_bytes(d, role, t);
        char *size = sim_quantity_format(bytes, SIM_QUANTITY_SIZE);
        printf("%s %s %s", role ? "," : "", ana_role_name(role), size);
        g_free(size);
    }
    printf("\n");
}

static void print_data(SimRun *run)
{
    const AnaData *d = sim_run_data(run);
    const SimRunConfig *c = sim_run_config(run);
    if (d == NULL) return;
    char *block = sim_quantity_format(c->block_max, SIM_QUANTITY_SIZE);
    printf("data availability (DA committee %u, blocks up to %s, %s payloads, %u rollups)\n",
           c->da_committee, block, c->synthetic ? "synthetic" : "real", c->rollups);
    g_free(block);
    printf("  blocks            %" PRIu64 " with transactions, %" PRIu64 " empty\n",
           ana_data_nonempty_blocks(d), ana_data_empty_blocks(d));
    printf("  transactions      %" PRIu64 " submitted, %" PRIu64 " decided, %" PRIu64
           " verified by their rollup\n",
           ana_data_submitted(d), ana_data_decided_txs(d), ana_data_available_txs(d));
    const ProtoBuilderStats *b = sim_endpoints_builder_stats(sim_run_endpoints(run));
    if (b->too_large > 0) {
        printf("  dropped           %" PRIu64
               " transactions larger than a block (by the builder)\n",
               b->too_large);
    }
    print_latency("submit to decide", ana_data_decide_latency(d));
    print_latency("submit to rollup", ana_data_available_latency(d));
    uint64_t span = ana_data_last_decide(d) - ana_data_first_decide(d);
    if (span > 0) {
        double seconds = (double)span / 1e9;
        printf("  throughput        %.1f tx/s, %.3f MB/s (decided, over %.1f s)\n",
               (double)ana_data_decided_txs(d) / seconds,
               (double)ana_data_decided_bytes(d) / seconds / 1e6, seconds);
    }
    const AnaDispersal *disp = ana_data_dispersal(d);
    if (disp->blocks > 0 && disp->payload > 0) {
        double sent = (double)(disp->da_bytes + disp->vid_bytes), payload = (double)disp->payload;
        printf("  leader egress     %.3f MB per block of %.3f MB on average: %.2fx the block "
               "= %.2fx to %u DA members + %.2fx in VID shares\n",
               sent / (double)disp->blocks / 1e6, payload / (double)disp->blocks / 1e6,
               sent / payload, (double)disp->da_bytes / payload, c->da_committee,
               (double)disp->vid_bytes / payload);
    }
    if (ana_data_violated(d)) {
        printf("  DA oracle         VIOLATED: %s\n", ana_data_violation(d));
    } else {
        printf("  DA oracle         ok: every decided block was recoverable (%" PRIu64
               " checked)\n",
               ana_data_blocks_checked(d));
    }
    print_roles(d);
}

/* Two percentiles of a latency histogram, "p50 X, p99 Y", or "none" (g_free). */
static char *two_percentiles(const AnaHistogram *h)
{
    if (ana_histogram_count(h) == 0) return g_strdup("none");
    char *p50 = duration(ana_histogram_percentile(h, 50));
    char *p99 = duration(ana_histogram_percentile(h, 99));
    char *text = g_strdup_printf("p50 %s, p99 %s", p50, p99);
    g_free(p50), g_free(p99);
    return text;
}

/* The rollups' state updates on the L1 and finality by settlement. */
static void print_settlement(const SimRun *run, const SimProver *p, const AnaFinality *f)
{
    const SimRunConfig *c = sim_run_config(run);
    if (c->rollups == 0) return;
    const SimProverStats *st = sim_prover_stats(p);
    char *every = duration(c->l1_settle_interval), *proving = duration(c->l1_settle_proving_time);
    printf("  rollups settle    every %s, proving %s: %" PRIu64 " proofs, %" PRIu64
           " submitted, %" PRIu64 " taken (%" PRIu64 " undone by reorgs), %" PRIu64
           " refused, %" PRIu64 " light-client reads; Merkle checks %" PRIu64 " gas\n",
           every, proving, st->settle_proofs, st->settle_submits, st->settle_accepted,
           st->settle_reverted, st->settle_refused, st->settle_reads, st->settle_gas);
    char *settled = two_percentiles(ana_finality_settled(f));
    printf("  settled           %s (%" PRIu64 " transactions settled by their rollup, %" PRIu64
           " not yet)\n",
           settled, ana_histogram_count(ana_finality_settled(f)), ana_finality_settled_pending(f));
    g_free(every), g_free(proving), g_free(settled);
}

/* The name of L1 `l1`: "l1" for the [l1] group's, else its [l1.NAME]. */
static const char *l1_name(const SimRunConfig *c, uint32_t l1)
{
    if (l1 == 0) return "l1";
    return g_array_index(c->l1_named, SimRunL1, l1 - 1).name;
}

/* One L1: its chain and its light client (with several, its own L1 finality too). */
static void print_chain(const SimRun *run, const SimProver *p, const AnaFinality *f, uint32_t k)
{
    const SimRunConfig *c = sim_run_config(run);
    const SimL1 *l1 = sim_prover_l1(p, k);
    const SimL1Config *lc = sim_l1_config(l1);
    const SimProverChainStats *st = sim_prover_chain_stats(p, k);
    gboolean several = sim_prover_l1s(p) > 1;
    const SimRunL1 *named = k == 0 ? NULL : &g_array_index(c->l1_named, SimRunL1, k - 1);
    char *slot = duration(lc->slot_time);
    char *every = duration(named != NULL ? named->update_interval : c->l1_update_interval);
    char *proving = duration(named != NULL ? named->proving_time : c->l1_proving_time);
    char *lag = duration(ana_finality_chain_lag_max(f, k));
    printf("L1%s%s (slots of %s, final after %u slots; light-client updates every %s, proving "
           "%s)\n",
           several ? " " : "", several ? l1_name(c, k) : "", slot, lc->finality_depth, every,
           proving);
    printf("  L1 chain          %" PRIu64 " slots, %" PRIu64 " missed, %" PRIu64 " blocks, %" PRIu64
           " final, %" PRIu64 " dropped by reorgs\n",
           sim_l1_slots(l1), sim_l1_missed(l1), sim_l1_height(l1), sim_l1_final_height(l1),
           sim_l1_reorged(l1));
    printf("  light client      %" PRIu64 " updates taken (%" PRIu64 " undone by reorgs), %" PRIu64
           " refused, %" PRIu64 " retries; HotShot height %" PRIu64 " covered, %" PRIu64
           " L1-final; lag max %s\n",
           st->accepted, st->reverted, st->refused, st->retries, ana_finality_covered_height(f, k),
           ana_finality_final_height(f, k), lag);
    if (several) {
        char *hard = two_percentiles(ana_finality_chain_l1(f, k));
        printf("  its rollups       L1 finality %s (%" PRIu64 " transactions L1-final, %" PRIu64
               " not yet)\n",
               hard, ana_histogram_count(ana_finality_chain_l1(f, k)),
               ana_finality_chain_pending(f, k));
        g_free(hard);
    }
    g_free(slot), g_free(every), g_free(proving), g_free(lag);
}

/* The L1 side: the chains, the light clients' updates and lag, finality both ways. */
static void print_l1(SimRun *run)
{
    const SimProver *p = sim_run_prover(run);
    const AnaFinality *f = sim_run_finality(run);
    if (p == NULL) return;
    for (uint32_t k = 0; k < sim_prover_l1s(p); k++)
        print_chain(run, p, f, k);
    char *soft = two_percentiles(ana_finality_soft(f));
    char *hard = two_percentiles(ana_finality_l1(f));
    printf("  finality          soft %s; L1 %s (%" PRIu64 " transactions L1-final, %" PRIu64
           " not yet)\n",
           soft, hard, ana_histogram_count(ana_finality_l1(f)), ana_finality_l1_pending(f));
    print_settlement(run, p, f);
    if (ana_finality_unsafe(f)) {
        printf("  light-client safety VIOLATED: %s\n", ana_finality_violation(f));
    } else {
        printf("  light-client safety ok: every state the contract took was decided by honest "
               "nodes\n");
    }
    if (ana_finality_stalled(f)) {
        printf("  light-client liveness VIOLATED: %s\n", ana_finality_stall(f));
    } else {
        printf("  light-client liveness ok: no decided block waited past the bound while a "
               "prover was up\n");
    }
    g_free(soft), g_free(hard);
}

void sim_summary_print_header(const SimRunConfig *c)
{
    char *timeout = duration(c->view_timeout);
    char *bw = sim_quantity_format(c->uplink_bps, SIM_QUANTITY_BANDWIDTH);
    char *jitter = sim_dist_describe(&c->jitter);
    printf("shotglass run: %u nodes, placement \"%s\", links %s, jitter %s\n", c->nodes,
           c->placement, bw, jitter);
    printf("  seed %" PRIu64 ", crypto %s, leaders %s, decide rule %s, view timeout %s\n", c->seed,
           c->crypto == PROTO_CRYPTO_REAL ? "real" : "modeled",
           c->leaders == PROTO_LEADER_ROUND_ROBIN ? "round-robin" : "stake-weighted",
           c->three_chain ? "three-chain" : "two-chain", timeout);
    g_free(timeout), g_free(bw), g_free(jitter);
}
