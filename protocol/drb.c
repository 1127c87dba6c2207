/* The DRB's seed and iterated hash; see drb.h. */
#include "protocol/drb.h"

#include "protocol/assert.h"

#include <sodium.h>
#include <string.h>

void proto_drb_seed(const ProtoCert *qc, uint8_t seed[PROTO_DRB_BYTES])
{
    PROTO_ASSERT(qc != NULL && seed != NULL);
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, PROTO_DRB_BYTES);
    static const char tag[] = "shotglass-drb-seed";
    crypto_generichash_update(&state, (const uint8_t *)tag, sizeof tag);
    uint8_t view[8];
    for (int i = 0; i < 8; i++)
        view[i] = (uint8_t)(qc->view >> (8 * i));
    crypto_generichash_update(&state, view, sizeof view);
    crypto_generichash_update(&state, qc->data.bytes, PROTO_COMMIT_BYTES);
    crypto_generichash_update(&state, qc->signers, ((size_t)qc->node_count + 7) / 8);
    crypto_generichash_final(&state, seed, PROTO_DRB_BYTES);
}

void proto_drb_compute(const uint8_t seed[PROTO_DRB_BYTES], uint64_t difficulty,
                       uint8_t result[PROTO_DRB_BYTES])
{
    PROTO_ASSERT(seed != NULL && result != NULL && difficulty >= 1);
    _Static_assert(crypto_hash_sha256_BYTES == PROTO_DRB_BYTES, "the DRB is SHA-256 sized");
    uint8_t value[PROTO_DRB_BYTES];
    memcpy(value, seed, PROTO_DRB_BYTES);
    uint64_t iterations = difficulty;
    if (difficulty > PROTO_DRB_ITERATIONS_MAX) {
        uint8_t input[PROTO_DRB_BYTES + 8];
        memcpy(input, seed, PROTO_DRB_BYTES);
        for (int i = 0; i < 8; i++)
            input[PROTO_DRB_BYTES + i] = (uint8_t)(difficulty >> (8 * i));
        crypto_hash_sha256(value, input, sizeof input);
        iterations = PROTO_DRB_ITERATIONS_MAX;
    }
    for (uint64_t i = 0; i < iterations; i++) {
        uint8_t next[PROTO_DRB_BYTES];
        crypto_hash_sha256(next, value, PROTO_DRB_BYTES);
        memcpy(value, next, PROTO_DRB_BYTES);
    }
    memcpy(result, value, PROTO_DRB_BYTES);
}
