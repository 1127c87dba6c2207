/*
 * Fuzz harness: the node selector parser (sim/run/selector.c).
 *
 * The input is a validator count (two bytes, 1 to 4096) and the text. Parsing must succeed or
 * fail with a message, leaving the selector empty; a selector that parses must resolve (against
 * equal stakes, validators spread over the built-in regions, a DA committee of half of them,
 * and a view from the input) to validators that exist only, and copy to an equal selector.
 */
#include "tests/fuzz/driver.h"

#include "sim/run/selector.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = {data, size, 0};
    uint32_t nodes = 1u + fuzz_u16(&in) % 4096u;
    uint8_t view = fuzz_u8(&in);
    char *text = g_strndup((const char *)data + in.pos, size - in.pos);
    SimRegions *regions = sim_regions_new_default(NULL);
    FUZZ_CHECK(regions != NULL, "no built-in regions");
    SimSelector selector;
    GError *error = NULL;
    if (!sim_selector_parse(&selector, text, nodes, regions, &error)) {
        FUZZ_CHECK(error != NULL && error->message[0] != '\0', "no message");
        g_error_free(error);
    } else {
        uint64_t *stakes = g_new(uint64_t, nodes);
        uint8_t(*keys)[32] = g_malloc0((size_t)nodes * 32);
        uint16_t *placed = g_new(uint16_t, nodes);
        for (uint32_t i = 0; i < nodes; i++) {
            stakes[i] = 1 + i % 3;
            placed[i] = (uint16_t)(i % sim_regions_count(regions));
        }
        uint8_t beacon[32] = {1};
        ProtoStakeTable *stake = proto_stake_table_new(stakes, (const uint8_t(*)[32])keys, nodes,
                                                       PROTO_LEADER_STAKE_WEIGHTED, beacon);
        SimSelectorContext ctx = {nodes, placed, stake,     nodes / 2, view, nodes, 3,
                                  TRUE,  0,      nodes + 4, TRUE,      2,    NULL,  NULL};
        SimNodeSet set;
        sim_node_set_init(&set, nodes);
        sim_selector_resolve(&selector, &ctx, &set);
        FUZZ_CHECK(sim_node_set_count(&set) <= nodes, "\"%s\" selects too many", text);
        if (sim_selector_check_relays(&selector, &ctx, NULL)) {
            SimNodeSet hosts;
            /* 3 brokers, a marshal, the state relay, then two L1s' prover and node each */
            sim_node_set_init(&hosts, nodes + 9);
            sim_selector_resolve_relays(&selector, &ctx, &hosts);
            FUZZ_CHECK(sim_node_set_count(&hosts) <= 7, "\"%s\" selects too many relays", text);
            sim_node_set_clear(&hosts);
        }
        SimSelector copy;
        sim_selector_copy(&copy, &selector);
        FUZZ_CHECK(g_strcmp0(copy.text, selector.text) == 0, "copy differs");
        sim_selector_clear(&copy);
        sim_node_set_clear(&set);
        proto_stake_table_free(stake);
        g_free(stakes), g_free(keys), g_free(placed);
        sim_selector_clear(&selector);
    }
    sim_regions_free(regions);
    g_free(text);
    return 0;
}
