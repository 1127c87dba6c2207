/*
 * The safety oracle. It watches every decide and every vote and proposal sent by honest nodes,
 * and reports the first violation of:
 *   - agreement: no two honest nodes decide different leaves at the same height;
 *   - prefix: each honest node's decided chain is gap-free, starts at height 1 and links parent
 *     to child, so it is a prefix of the longest decided chain;
 *   - vote-once: no honest node sends two different quorum votes, or a quorum and a timeout
 *     vote, for one view, nor votes for a view at or below one it already voted in; nor two
 *     different DA votes for one view, nor a DA vote for a view below one it DA-voted in
 *     (HotShot #3971); no honest leader sends two different proposals for one view;
 *   - certificates (once given the run's crypto and committee, ana_safety_set_certificates):
 *     every certificate an honest node accepts is backed by signers holding its threshold of
 *     stake, with valid signatures: a proposal's justify QC and evidence (TC or view-sync
 *     certificate), a high QC, a view-sync certificate, a DA certificate (DA members' stake);
 *   - custody: an honest node DA-votes only for a payload it has just stored (its DA_STORED
 *     note for that view and commitment comes first).
 * The oracle only reads; the driver asks it after each event whether to stop the run. The
 * certificate check verifies on its own (stake table and crypto provider, never the node's
 * code), so a node that wrongly accepts a certificate cannot vouch for it.
 */
#ifndef SHOTGLASS_ANALYSIS_SAFETY_H
#define SHOTGLASS_ANALYSIS_SAFETY_H

#include "protocol/leaf.h"
#include "protocol/message.h"
#include "protocol/node.h"

#include <glib.h>
#include <stdint.h>

typedef struct AnaSafety AnaSafety;

/* Which property the first violation broke. */
typedef enum AnaSafetyKind {
    ANA_SAFETY_OK,
    ANA_SAFETY_AGREEMENT,
    ANA_SAFETY_PREFIX,
    ANA_SAFETY_VOTE_ONCE,
    ANA_SAFETY_CERTIFICATE,
    ANA_SAFETY_CUSTODY,
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

/*
 * Epochs: the QCs behind a decide, `qc` certifying the newest leaf and each leaf's justify QC the
 * one before it: every decided block must be certified by a quorum of its epoch's table, and a
 * block of the transition (eH-3 .. eH) by a quorum of the next epoch's table as well, and the
 * blocks after the transition block (eH-2 .. eH) must be empty (a decided payload there is
 * reported under the certificate property too). Does nothing without epochs or the certificate
 * check (ana_safety_set_certificates).
 */
void ana_safety_on_decide_qcs(AnaSafety *safety, uint32_t node, ProtoLeaf *const *leaves,
                              uint32_t count, const ProtoCert *qc, uint64_t now);

/* A node sent an encoded message (votes and proposals are checked; others ignored). */
void ana_safety_on_send(AnaSafety *safety, uint32_t node, ProtoMsgType type, GBytes *bytes,
                        uint64_t now);

/* Turns the certificate check on: `crypto` verifies signatures (its CPU charge goes nowhere),
 * `shared` gives the stake table and the DA committee. Both borrowed; they outlive the oracle. */
void ana_safety_set_certificates(AnaSafety *safety, ProtoCrypto *crypto, const ProtoShared *shared);

/* A node accepted an encoded message: proto_node_recv returned PROTO_OK, or PROTO_ERR_UNSAFE (a
 * proposal validated, its QC taken, its vote refused by the locking rule). The certificates it
 * carries are checked; other messages are ignored. */
void ana_safety_on_accept(AnaSafety *safety, uint32_t node, GBytes *bytes, uint64_t now);

/* A node stored the payload `commit` of `view` as a DA member (its DA_STORED note). */
void ana_safety_on_stored(AnaSafety *safety, uint32_t node, ProtoView view,
                          const ProtoCommit *commit);

gboolean ana_safety_violated(const AnaSafety *safety);

/* The first violation, in words, with its virtual time; NULL when none. Owned by the oracle. */
const char *ana_safety_violation(const AnaSafety *safety);
uint64_t ana_safety_violation_time(const AnaSafety *safety);
AnaSafetyKind ana_safety_violation_kind(const AnaSafety *safety);
/* "ok", "agreement", "prefix", "vote-once", "certificate", "custody". Static. */
const char *ana_safety_kind_name(AnaSafetyKind kind);

/* Highest height decided by any honest node, and by each. */
uint64_t ana_safety_height(const AnaSafety *safety);
/* The view of the leaf first decided at `height` (>= 1), or 0 when none is known. */
ProtoView ana_safety_decided_view(const AnaSafety *safety, uint64_t height);
uint64_t ana_safety_node_height(const AnaSafety *safety, uint32_t node);

#endif
