/*
 * The safety oracle. It watches every decide and every vote and proposal sent by honest nodes,
 * and reports the first violation of:
 *   - agreement: no two honest nodes decide different leaves at the same height;
 *   - prefix: each honest node's decided chain is gap-free, starts at height 1 and links parent
 *     to child, so it is a prefix of the longest decided chain;
 *   - vote-once: no honest node sends two different quorum votes, or a quorum and a timeout
 *     vote, for one view, nor votes for a view at or below one it already voted in; nor two
 *     different DA votes for one view, nor a DA vote for a view below one it DA-voted in
 *     (HotShot #3971); no honest leader sends two different proposals for one view.
 * The oracle only reads; the driver asks it after each event whether to stop the run.
 */
#ifndef SHOTGLASS_ANALYSIS_SAFETY_H
#define SHOTGLASS_ANALYSIS_SAFETY_H

#include "protocol/leaf.h"
#include "protocol/message.h"

#include <glib.h>
#include <stdint.h>

typedef struct AnaSafety AnaSafety;

/* Which property the first violation broke. */
typedef enum AnaSafetyKind {
    ANA_SAFETY_OK,
    ANA_SAFETY_AGREEMENT,
    ANA_SAFETY_PREFIX,
    ANA_SAFETY_VOTE_ONCE,
} AnaSafetyKind;

AnaSafety *ana_safety_new(uint32_t node_count);
void ana_safety_free(AnaSafety *safety);

/* Marks `node` Byzantine (its actions are not checked from now on) or honest again. A node honest
 * again after a Byzantine window is checked from its next decide on, which may skip the heights it
 * decided while Byzantine; its votes are still checked against the ones before the window. */
void ana_safety_set_byzantine(AnaSafety *safety, uint32_t node, gboolean byzantine);

/* A node decided `count` leaves (newest first, as the protocol reports them) at `now`. */
void ana_safety_on_decide(AnaSafety *safety, uint32_t node, ProtoLeaf *const *leaves,
                          uint32_t count, uint64_t now);

/* A node sent an encoded message (votes and proposals are checked; others ignored). */
void ana_safety_on_send(AnaSafety *safety, uint32_t node, ProtoMsgType type, GBytes *bytes,
                        uint64_t now);

gboolean ana_safety_violated(const AnaSafety *safety);

/* The first violation, in words, with its virtual time; NULL when none. Owned by the oracle. */
const char *ana_safety_violation(const AnaSafety *safety);
uint64_t ana_safety_violation_time(const AnaSafety *safety);
AnaSafetyKind ana_safety_violation_kind(const AnaSafety *safety);
/* "ok", "agreement", "prefix", "vote-once". Static. */
const char *ana_safety_kind_name(AnaSafetyKind kind);

/* Highest height decided by any honest node, and by each. */
uint64_t ana_safety_height(const AnaSafety *safety);
uint64_t ana_safety_node_height(const AnaSafety *safety, uint32_t node);

#endif
