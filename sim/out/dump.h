/*
 * Message dumps (`shotglass run --dump-messages DIR`): every distinct message a run delivers,
 * one file per message, as the bytes went over the wire. The files seed the fuzz corpora
 * (docs/fuzzing.md): tests/fuzz/make_corpus.py picks a small, varied subset of them.
 *
 * A file is named TYPE-HASH.msg: TYPE is the message type's name (proto_msg_type_name, or
 * "undecodable" for bytes whose type byte is unknown, as a Byzantine node sends), HASH the
 * first 16 hex digits of the SHA-256 of the bytes, so a message delivered to 1,000 nodes is
 * written once, and two runs dumped into one folder share their common messages.
 */
#ifndef SHOTGLASS_SIM_OUT_DUMP_H
#define SHOTGLASS_SIM_OUT_DUMP_H

#include "sim/run/run.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimMessageDump SimMessageDump;

/* Creates `dir` (and its parents) if needed. Returns NULL with `error` if it cannot. */
SimMessageDump *sim_message_dump_new(const char *dir, GError **error);

/* Installs the dump as `config`'s message observer; `dump` must outlive the run. */
void sim_message_dump_observe(SimMessageDump *dump, SimRunConfig *config);

/* Files written so far. */
uint64_t sim_message_dump_written(const SimMessageDump *dump);

/* Frees the dump. Returns FALSE with `error` (the first file that could not be written) if a
 * write failed; `dump` is freed either way. */
gboolean sim_message_dump_free(SimMessageDump *dump, GError **error);

#endif
