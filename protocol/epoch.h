/*
 * Epochs: block-height arithmetic, the schedule of stake-table changes, and the stake table of
 * each epoch. Specification: ../shared/protocol/hotshot.md sections 1.1, 1.2 and 1.9 (variant C,
 * espresso-network after PR #2853).
 *
 * Arithmetic, with epoch height H (blocks per epoch):
 *   epoch(h)       = ceil(h / H), and block 0 (genesis) is in epoch 1; epoch e holds blocks
 *                    (e-1)H+1 .. eH.
 *   root(e)        = eH - 5, the epoch root: when it is decided, the stake table of epoch e+2 is
 *                    fixed (nodes call add_epoch_root(e+2)).
 *   transition(e)  = eH - 3, the transition block: the last block of e that carries transactions.
 *   blocks eH-2, eH-1, eH are empty, each proposed in the view right after its parent's; blocks
 *   eH-3 .. eH are certified by double QCs (epoch e's table and epoch e+1's).
 * H must be at least PROTO_EPOCH_LENGTH_MIN so that the root and the transition block are in the
 * same epoch and the root precedes the transition (eH-5 > (e-1)H).
 *
 * Stake-table changes are timed by block height (the scenario's stand-in for the L1 block the
 * epoch root's header references): a change at height h is seen by the first epoch root at or
 * above it, root(e) >= h, and applies from epoch e+2 on. Epochs 1 and 2 use the genesis table.
 * Validators are a fixed set of ids (every host exists for the whole run); registering gives a
 * validator without stake a stake, deregistering takes all of it away, delegating adds to it,
 * undelegating takes part of it away. A validator with no stake in an epoch neither votes nor
 * leads in it.
 *
 * The schedule builds each epoch's table when it is first asked for and keeps it (immutable once
 * built, shared by every node of a run like the one table of a run without epochs).
 */
#ifndef SHOTGLASS_PROTOCOL_EPOCH_H
#define SHOTGLASS_PROTOCOL_EPOCH_H

#include "protocol/stake.h"
#include "protocol/types.h"

#include <glib.h>
#include <stdint.h>

typedef uint64_t ProtoEpoch;

#define PROTO_EPOCH_LENGTH_MIN 6

/* --- arithmetic ------------------------------------------------------------------------------ */

/* The epoch of block `height` (ceil(height / length), at least 1); `length` > 0. */
ProtoEpoch proto_epoch_of_height(uint64_t height, uint64_t length);
/* The first and the last block of `epoch` ((e-1)H + 1 and eH); `epoch` >= 1. */
uint64_t proto_epoch_first_height(ProtoEpoch epoch, uint64_t length);
uint64_t proto_epoch_last_height(ProtoEpoch epoch, uint64_t length);
/* The epoch root (eH - 5) and the transition block (eH - 3) of `epoch`. */
uint64_t proto_epoch_root_height(ProtoEpoch epoch, uint64_t length);
uint64_t proto_epoch_transition_height(ProtoEpoch epoch, uint64_t length);
/* Whether `height` is an epoch root; is in its epoch's transition (eH-3 .. eH, the blocks with
 * double QCs); must be empty (eH-2 .. eH); is its epoch's last block. */
gboolean proto_epoch_is_root(uint64_t height, uint64_t length);
gboolean proto_epoch_in_transition(uint64_t height, uint64_t length);
gboolean proto_epoch_must_be_empty(uint64_t height, uint64_t length);
gboolean proto_epoch_is_last(uint64_t height, uint64_t length);
/* The first epoch whose table includes a change made at block `height`: e + 2 for the first
 * epoch e with root(e) >= height. */
ProtoEpoch proto_epoch_of_change(uint64_t height, uint64_t length);

/* --- stake-table changes --------------------------------------------------------------------- */

typedef enum ProtoStakeChangeKind {
    PROTO_STAKE_REGISTER = 1, /* a validator without stake gets `amount` */
    PROTO_STAKE_DEREGISTER,   /* a validator's stake goes to zero (amount unused) */
    PROTO_STAKE_DELEGATE,     /* `amount` more stake on a registered validator */
    PROTO_STAKE_UNDELEGATE,   /* `amount` less, leaving it some */
    PROTO_STAKE_CHANGE_KIND_COUNT_,
} ProtoStakeChangeKind;

typedef struct ProtoStakeChange {
    uint64_t height; /* the block at which the change happens */
    ProtoStakeChangeKind kind;
    ProtoNodeId node;
    uint64_t amount;
} ProtoStakeChange;

/* The kind's name as scenario files write it ("register", ...); static. */
const char *proto_stake_change_kind_name(ProtoStakeChangeKind kind);
/* Looks a kind up by name; FALSE, `*kind` untouched, when there is none. */
gboolean proto_stake_change_kind_lookup(const char *name, ProtoStakeChangeKind *kind);

/*
 * Applies one change to `stakes` (one per validator, `node_count` of them). Returns PROTO_OK, or
 * with `stakes` untouched: PROTO_ERR_UNKNOWN (no such validator), PROTO_ERR_DUPLICATE
 * (registering a validator that has stake), PROTO_ERR_INCONSISTENT (deregistering, delegating to
 * or undelegating from one that has none), PROTO_ERR_FIELD (a zero amount, undelegating all of
 * a stake or more: that is deregistering), PROTO_ERR_LENGTH (a stake of 2^62 or more).
 */
int proto_stake_change_apply(const ProtoStakeChange *change, uint64_t *stakes, uint32_t node_count);

/* --- the schedule ---------------------------------------------------------------------------- */

typedef struct ProtoEpochs ProtoEpochs;

/*
 * Creates the schedule of a run with epochs of `length` blocks (>= PROTO_EPOCH_LENGTH_MIN): the
 * genesis `stakes` and `public_keys` of `node_count` validators (copied), the leader `mode`, the
 * genesis `beacon` (32 bytes, copied; epochs 1 and 2 elect their leaders from it), and the
 * `changes` (copied; in any order: they are applied by height, then in the order given). The
 * caller has checked the changes (proto_epochs_check). Returns a new schedule.
 */
ProtoEpochs *proto_epochs_new(uint64_t length, const uint64_t *stakes,
                              const uint8_t (*public_keys)[32], uint32_t node_count,
                              ProtoLeaderMode mode, const uint8_t beacon[32],
                              const ProtoStakeChange *changes, uint32_t change_count);
void proto_epochs_free(ProtoEpochs *epochs);

/*
 * Checks `changes` against the genesis `stakes`: applied in schedule order, each must succeed
 * (proto_stake_change_apply) and every epoch must keep some stake. Returns PROTO_OK, or the
 * error of the first change that fails (its index in `changes` in `*bad`), or PROTO_ERR_THRESHOLD
 * when a change leaves no stake at all (its index in `*bad`).
 */
int proto_epochs_check(uint64_t length, const uint64_t *stakes, uint32_t node_count,
                       const ProtoStakeChange *changes, uint32_t change_count, uint32_t *bad);

uint64_t proto_epochs_length(const ProtoEpochs *epochs);
uint32_t proto_epochs_change_count(const ProtoEpochs *epochs);

/* The stake table of `epoch` (>= 1); borrowed, valid while the schedule lives. */
const ProtoStakeTable *proto_epochs_table(ProtoEpochs *epochs, ProtoEpoch epoch);

/* The stake of validator `id` in `epoch` (the changes applied so far; no table is built). */
uint64_t proto_epochs_stake_of(const ProtoEpochs *epochs, ProtoEpoch epoch, ProtoNodeId id);

/*
 * Sets the random beacon `epoch` (>= 3) elects its leaders from (its DRB result). The first call
 * for an epoch wins, before its table is built; later calls are ignored and return whether they
 * agree with it (every honest node derives the same result, so a disagreement is a safety
 * finding the caller reports). Returns TRUE when the beacon is (now) `beacon`.
 */
gboolean proto_epochs_set_beacon(ProtoEpochs *epochs, ProtoEpoch epoch, const uint8_t beacon[32]);

#endif
