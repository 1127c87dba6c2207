/* The liveness oracle; see liveness.h. Views are kept in an array indexed by view number. */
#include "analysis/liveness.h"

#include "protocol/assert.h"

struct AnaLiveness {
    uint32_t node_count;
    gboolean *byzantine;
    GArray *views; /* AnaViewRecord, index = view */
    ProtoView max_view;
    uint64_t blocks;
    GArray *decide_times; /* uint64_t */
    GArray *decided;      /* AnaBlockRecord, in the order first decided */
    AnaHistogram *latency;
};

AnaLiveness *ana_liveness_new(uint32_t node_count)
{
    AnaLiveness *l = g_new0(AnaLiveness, 1);
    l->node_count = node_count;
    l->byzantine = g_new0(gboolean, node_count);
    l->views = g_array_new(FALSE, TRUE, sizeof(AnaViewRecord));
    l->decide_times = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    l->decided = g_array_new(FALSE, FALSE, sizeof(AnaBlockRecord));
    l->latency = ana_histogram_new();
    return l;
}

void ana_liveness_free(AnaLiveness *l)
{
    if (l == NULL) return;
    g_free(l->byzantine);
    g_array_unref(l->views);
    g_array_unref(l->decide_times);
    g_array_unref(l->decided);
    ana_histogram_free(l->latency);
    g_free(l);
}

void ana_liveness_set_byzantine(AnaLiveness *l, uint32_t node, gboolean byzantine)
{
    PROTO_ASSERT(node < l->node_count);
    l->byzantine[node] = byzantine;
}

static AnaViewRecord *record(AnaLiveness *l, ProtoView view)
{
    /* Bounded by the run: views advance one timeout at a time at worst. */
    PROTO_ASSERT(view < ((ProtoView)1 << 32));
    if (view >= l->views->len) g_array_set_size(l->views, (guint)view + 1);
    return &g_array_index(l->views, AnaViewRecord, view);
}

void ana_liveness_on_note(AnaLiveness *l, uint32_t node, ProtoNoteKind note, ProtoView view,
                          int64_t value, uint64_t now)
{
    (void)value;
    PROTO_ASSERT(node < l->node_count);
    if (l->byzantine[node]) return;
    switch (note) {
    case PROTO_NOTE_VIEW_ENTERED:
        record(l, view)->entered = TRUE;
        record(l, view)->entered_count++;
        if (view > l->max_view) l->max_view = view;
        break;
    case PROTO_NOTE_PROPOSED: {
        AnaViewRecord *r = record(l, view);
        if (!r->proposed) r->proposed_at = now;
        r->proposed = TRUE;
        break;
    }
    case PROTO_NOTE_QC_FORMED:
        record(l, view)->certified = TRUE;
        break;
    case PROTO_NOTE_BLOCK_READY:
        record(l, view)->dispersed = TRUE;
        break;
    case PROTO_NOTE_DAC_FORMED:
        record(l, view)->dac = TRUE;
        break;
    case PROTO_NOTE_TC_FORMED:
        record(l, view)->tc = TRUE;
        break;
    case PROTO_NOTE_TIMED_OUT:
        record(l, view)->timeouts++;
        break;
    case PROTO_NOTE_VIEW_SYNC_STARTED:
        record(l, view)->view_sync = TRUE;
        break;
    case PROTO_NOTE_VOTED:
    case PROTO_NOTE_VIEW_SYNC_CERT:
    case PROTO_NOTE_REJECTED:
    case PROTO_NOTE_UNSAFE_PROPOSAL:
    case PROTO_NOTE_FETCH:
    case PROTO_NOTE_DA_STORED:
    case PROTO_NOTE_SHARE_STORED:
    case PROTO_NOTE_KIND_COUNT_:
        break;
    }
}

void ana_liveness_on_decide(AnaLiveness *l, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                            uint64_t now)
{
    PROTO_ASSERT(node < l->node_count);
    if (l->byzantine[node]) return;
    for (uint32_t i = count; i > 0; i--) {
        const ProtoLeaf *leaf = leaves[i - 1];
        AnaViewRecord *r = record(l, leaf->view);
        if (!r->decided) {
            r->decided = TRUE;
            r->decided_at = now;
            l->blocks++;
            g_array_append_val(l->decide_times, now);
            AnaBlockRecord b = {leaf->header.height, leaf->view, leaf->header.timestamp, now,
                                leaf->header.payload_size};
            g_array_append_val(l->decided, b);
        }
        ana_histogram_add(l->latency, now - MIN(now, leaf->header.timestamp));
    }
}

ProtoView ana_liveness_max_view(const AnaLiveness *l)
{
    return l->max_view;
}

uint64_t ana_liveness_blocks(const AnaLiveness *l)
{
    return l->blocks;
}

uint64_t ana_liveness_longest_gap(const AnaLiveness *l, uint64_t end)
{
    uint64_t previous = 0, gap = 0;
    for (guint i = 0; i < l->decide_times->len; i++) {
        uint64_t t = g_array_index(l->decide_times, uint64_t, i);
        if (t - previous > gap) gap = t - previous;
        previous = t;
    }
    if (end > previous && end - previous > gap) gap = end - previous;
    return gap;
}

uint64_t ana_liveness_last_decide(const AnaLiveness *l)
{
    guint n = l->decide_times->len;
    return n ? g_array_index(l->decide_times, uint64_t, n - 1) : 0;
}

const AnaHistogram *ana_liveness_latency(const AnaLiveness *l)
{
    return l->latency;
}

const AnaViewRecord *ana_liveness_view(const AnaLiveness *l, ProtoView view)
{
    return view < l->views->len ? &g_array_index(l->views, AnaViewRecord, view) : NULL;
}

AnaViewOutcome ana_liveness_outcome(const AnaLiveness *l, ProtoView view, ProtoView pending_tail)
{
    const AnaViewRecord *r = ana_liveness_view(l, view);
    if (r != NULL && r->decided) return ANA_VIEW_DECIDED;
    if (view + pending_tail > l->max_view) return ANA_VIEW_PENDING;
    if (r == NULL || !r->entered) return ANA_VIEW_SKIPPED;
    if (r->timeouts == 0) return ANA_VIEW_ORPHANED;
    if (!r->proposed) return ANA_VIEW_FAILED_NO_PROPOSAL;
    /* Without a DA certificate no replica may vote, so that, not the quorum, is what failed. */
    if (!r->certified && r->dispersed && !r->dac) return ANA_VIEW_FAILED_NO_DAC;
    if (!r->certified) return ANA_VIEW_FAILED_NO_QC;
    return ANA_VIEW_FAILED_CERTIFIED;
}

const char *ana_view_outcome_name(AnaViewOutcome outcome)
{
    switch (outcome) {
    case ANA_VIEW_DECIDED:
        return "decided";
    case ANA_VIEW_PENDING:
        return "pending";
    case ANA_VIEW_ORPHANED:
        return "orphaned (voted on, block never decided)";
    case ANA_VIEW_SKIPPED:
        return "skipped by view sync";
    case ANA_VIEW_FAILED_NO_PROPOSAL:
        return "no proposal (leader down or without evidence)";
    case ANA_VIEW_FAILED_NO_DAC:
        return "proposed, no DA certificate (so no votes)";
    case ANA_VIEW_FAILED_NO_QC:
        return "proposed, no quorum certificate";
    case ANA_VIEW_FAILED_CERTIFIED:
        return "certified, but timed out";
    case ANA_VIEW_OUTCOME_COUNT_:
        break;
    }
    PROTO_UNREACHABLE();
}

const GArray *ana_liveness_decide_times(const AnaLiveness *l)
{
    return l->decide_times;
}

const GArray *ana_liveness_decided(const AnaLiveness *l)
{
    return l->decided;
}

const char *ana_view_outcome_key(AnaViewOutcome outcome)
{
    static const char *const keys[ANA_VIEW_OUTCOME_COUNT_] = {
        [ANA_VIEW_DECIDED] = "decided",
        [ANA_VIEW_PENDING] = "pending",
        [ANA_VIEW_ORPHANED] = "orphaned",
        [ANA_VIEW_SKIPPED] = "skipped",
        [ANA_VIEW_FAILED_NO_PROPOSAL] = "failed_no_proposal",
        [ANA_VIEW_FAILED_NO_DAC] = "failed_no_dac",
        [ANA_VIEW_FAILED_NO_QC] = "failed_no_qc",
        [ANA_VIEW_FAILED_CERTIFIED] = "failed_certified",
    };
    PROTO_ASSERT(outcome < ANA_VIEW_OUTCOME_COUNT_);
    return keys[outcome];
}
