/*
 * The liveness oracle and consensus metrics: for every view, whether it was proposed, certified,
 * timed out, synchronised or decided; decides over time, the longest gap between decides;
 * finality latency (from the leader's proposal to each honest node's decide); and a verdict on
 * each view that failed, with the reason.
 */
#ifndef SHOTGLASS_ANALYSIS_LIVENESS_H
#define SHOTGLASS_ANALYSIS_LIVENESS_H

#include "analysis/histogram.h"
#include "protocol/leaf.h"
#include "protocol/node.h"

#include <glib.h>
#include <stdint.h>

/*
 * What became of a view. As in HotShot's own accounting, a view *fails* when honest nodes time
 * out in it; the reason says what was missing. A view whose proposal was voted on, but whose
 * block was never decided (its votes went to a leader that then crashed, or a fork above it
 * won), is *orphaned*: nobody timed out, yet its block is lost.
 */
typedef enum AnaViewOutcome {
    ANA_VIEW_DECIDED,            /* its leaf was decided */
    ANA_VIEW_PENDING,            /* among the last views of the run: too early to tell */
    ANA_VIEW_ORPHANED,           /* voted on without timeouts, block never decided */
    ANA_VIEW_SKIPPED,            /* no honest node entered it (view sync jumped over it) */
    ANA_VIEW_FAILED_NO_PROPOSAL, /* timed out: no proposal (leader down, or no evidence) */
    ANA_VIEW_FAILED_NO_DAC,      /* timed out: proposed, but its block got no DA certificate */
    ANA_VIEW_FAILED_NO_QC,       /* timed out: proposed, but no quorum certificate formed */
    ANA_VIEW_FAILED_CERTIFIED,   /* timed out although certified (the QC came too late) */
    ANA_VIEW_OUTCOME_COUNT_,
} AnaViewOutcome;

static inline int ana_view_outcome_failed(AnaViewOutcome outcome)
{
    return outcome >= ANA_VIEW_FAILED_NO_PROPOSAL && outcome < ANA_VIEW_OUTCOME_COUNT_;
}

typedef struct AnaViewRecord {
    gboolean proposed;
    gboolean certified; /* a QC for this view formed */
    gboolean dispersed; /* its leader dispersed a block (the DA layer is on) */
    gboolean dac;       /* a DA certificate for it formed */
    gboolean tc;        /* a TC for this view formed */
    gboolean decided;
    gboolean view_sync;     /* view sync targeted this view as its round */
    gboolean entered;       /* some node entered it */
    uint32_t entered_count; /* honest nodes that entered it */
    uint32_t timeouts;      /* timeout notes for this view */
    uint64_t proposed_at;
    uint64_t decided_at; /* first decide by any honest node */
} AnaViewRecord;

typedef struct AnaLiveness AnaLiveness;

AnaLiveness *ana_liveness_new(uint32_t node_count);
void ana_liveness_free(AnaLiveness *liveness);
void ana_liveness_set_byzantine(AnaLiveness *liveness, uint32_t node, gboolean byzantine);

void ana_liveness_on_note(AnaLiveness *liveness, uint32_t node, ProtoNoteKind note, ProtoView view,
                          int64_t value, uint64_t now);
void ana_liveness_on_decide(AnaLiveness *liveness, uint32_t node, ProtoLeaf *const *leaves,
                            uint32_t count, uint64_t now);

/* Highest view any honest node entered. */
ProtoView ana_liveness_max_view(const AnaLiveness *liveness);
/* Distinct leaves decided by some honest node. */
uint64_t ana_liveness_blocks(const AnaLiveness *liveness);
/* Longest stretch of virtual time without a new decide, up to `end` (the run's end). */
uint64_t ana_liveness_longest_gap(const AnaLiveness *liveness, uint64_t end);
/* Time of the last decide of a new leaf (0 if none). */
uint64_t ana_liveness_last_decide(const AnaLiveness *liveness);
/* Finality latency over (honest node, decided leaf) pairs, in ns. */
const AnaHistogram *ana_liveness_latency(const AnaLiveness *liveness);

/* Record of view `view` (NULL beyond the last view seen). */
const AnaViewRecord *ana_liveness_view(const AnaLiveness *liveness, ProtoView view);

/* The outcome of `view`; views within `pending_tail` of the highest are PENDING unless
 * decided. */
AnaViewOutcome ana_liveness_outcome(const AnaLiveness *liveness, ProtoView view,
                                    ProtoView pending_tail);
const char *ana_view_outcome_name(AnaViewOutcome outcome);
/* A short machine name ("decided", "failed_no_qc", ...), for CSV files. Static. */
const char *ana_view_outcome_key(AnaViewOutcome outcome);

/* A block as first decided by an honest node. */
typedef struct AnaBlockRecord {
    uint64_t height;
    ProtoView view;
    uint64_t proposed_at; /* the leader's timestamp */
    uint64_t decided_at;  /* first honest decide */
    uint64_t payload_bytes;
} AnaBlockRecord;

/* The blocks decided, in the order they were first decided (AnaBlockRecord). */
const GArray *ana_liveness_decided(const AnaLiveness *liveness);

/* Times of successive new decides (one per leaf, in order), for plots. */
const GArray *ana_liveness_decide_times(const AnaLiveness *liveness);

#endif
