/* The catch-up traffic of joining validators; see catchup.h. */
#include "sim/run/catchup.h"

#include "sim/core/assert.h"

#include <string.h>

struct SimCatchup {
    SimNetwork *network;
    ProtoEpochs *epochs;
    uint32_t validators;
    uint16_t request_type, response_type;
    ProtoEpoch *asked;    /* per validator: the last epoch it asked for (0: none) */
    uint64_t *leaf_bytes; /* per validator: the size of its newest decided leaf's proposal */
    SimCatchupStats stats;
};

SimCatchup *sim_catchup_new(SimNetwork *network, ProtoEpochs *epochs, uint32_t validators)
{
    SIM_ASSERT(network != NULL && epochs != NULL && validators > 0);
    SimCatchup *c = g_new0(SimCatchup, 1);
    c->network = network;
    c->epochs = epochs;
    c->validators = validators;
    c->request_type = sim_network_register_type(network, "catchup_request");
    c->response_type = sim_network_register_type(network, "catchup_response");
    c->asked = g_new0(ProtoEpoch, validators);
    c->leaf_bytes = g_new0(uint64_t, validators);
    return c;
}

void sim_catchup_free(SimCatchup *c)
{
    if (c == NULL) return;
    g_free(c->asked);
    g_free(c->leaf_bytes);
    g_free(c);
}

gboolean sim_catchup_owns(const SimCatchup *c, const SimMessage *m)
{
    if (c == NULL) return FALSE;
    uint16_t type = sim_message_type(m);
    return type == c->request_type || type == c->response_type;
}

/* The stake of validator `id` in `epoch` (the epoch's table, which the run has built by then:
 * the epochs asked for are the chain's and the next). */
static uint64_t stake_in(SimCatchup *c, ProtoEpoch epoch, uint32_t id)
{
    return proto_stake_of(proto_epochs_table(c->epochs, epoch), id);
}

/* Validators with stake in `epoch`. */
static uint32_t staked_count(SimCatchup *c, ProtoEpoch epoch)
{
    uint32_t count = 0;
    for (uint32_t id = 0; id < c->validators; id++)
        count += stake_in(c, epoch, id) > 0;
    return count;
}

/* The `index`-th validator (in id order) with stake in `epoch`. */
static uint32_t staked_at(SimCatchup *c, ProtoEpoch epoch, uint32_t index)
{
    for (uint32_t id = 0; id < c->validators; id++) {
        if (stake_in(c, epoch, id) == 0) continue;
        if (index-- == 0) return id;
    }
    SIM_UNREACHABLE();
}

static void send(SimCatchup *c, uint32_t from, uint32_t to, uint16_t type, ProtoEpoch epoch,
                 uint64_t size, SimTime ready)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(epoch >> (8 * i));
    GBytes *bytes = g_bytes_new(b, sizeof b);
    SimMessage *m = sim_message_new(from, type, bytes, size);
    sim_network_send(c->network, ready, m, to);
    sim_message_unref(m);
    g_bytes_unref(bytes);
}

void sim_catchup_on_decide(SimCatchup *c, uint32_t node, ProtoLeaf *const *leaves, uint32_t count,
                           SimTime ready)
{
    SIM_ASSERT(c != NULL && node < c->validators);
    if (count == 0) return;
    c->leaf_bytes[node] =
        leaves[0]->proposal != NULL ? g_bytes_get_size(leaves[0]->proposal) : CATCHUP_LEAF_BYTES;
    uint64_t length = proto_epochs_length(c->epochs);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t height = leaves[i]->header.height;
        if (!proto_epoch_is_root(height, length)) continue;
        ProtoEpoch previous = proto_epoch_of_height(height, length), joining = previous + 1;
        if (c->asked[node] >= joining) continue;
        if (stake_in(c, joining, node) == 0 || stake_in(c, previous, node) > 0) {
            continue;
        }
        uint32_t k = staked_count(c, previous);
        if (k == 0) continue;
        uint32_t peer = staked_at(c, previous, (uint32_t)((node + joining) % k));
        c->asked[node] = joining;
        send(c, node, peer, c->request_type, joining, CATCHUP_REQUEST_BYTES, ready);
        c->stats.requests++;
    }
}

void sim_catchup_receive(SimCatchup *c, uint32_t host, const SimMessage *m, SimTime now)
{
    SIM_ASSERT(sim_catchup_owns(c, m) && host < c->validators);
    if (sim_message_type(m) != c->request_type) return; /* the joiner takes the answer */
    gsize len = 0;
    const uint8_t *b = g_bytes_get_data(sim_message_bytes(m), &len);
    if (len != 8) return;
    ProtoEpoch joining = 0;
    for (int i = 0; i < 8; i++)
        joining |= (ProtoEpoch)b[i] << (8 * i);
    if (joining < 2) return;
    uint64_t entries = staked_count(c, joining - 1) + staked_count(c, joining);
    uint64_t size = entries * CATCHUP_ENTRY_BYTES +
                    (c->leaf_bytes[host] > 0 ? c->leaf_bytes[host] : CATCHUP_LEAF_BYTES);
    send(c, host, sim_message_source(m), c->response_type, joining, size, now);
    c->stats.responses++;
    c->stats.response_bytes += size;
}

const SimCatchupStats *sim_catchup_stats(const SimCatchup *c)
{
    return &c->stats;
}
