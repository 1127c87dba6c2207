/*
 * The [stake_changes] group (sim/scenario/stake_keys.h): each value parsed into a
 * ProtoStakeChange, then the whole schedule checked against the genesis stakes.
 */
#include "sim/scenario/stake_keys.h"

#include "protocol/epoch.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

#include <string.h>

#define GROUP "stake_changes"

static const char *const syntax = "VERB VALIDATOR [stake AMOUNT] at block HEIGHT, such as "
                                  "\"register 17 stake 50 at block 100\" or \"deregister 3 at "
                                  "block 180\" (verbs: register, deregister, delegate, undelegate)";

/* The whitespace-separated words of `value` (g_strfreev), empty words left out. */
static char **words_of(const char *value, guint *count)
{
    char **raw = g_strsplit_set(value, " \t", -1);
    GPtrArray *words = g_ptr_array_new();
    for (guint i = 0; raw[i] != NULL; i++) {
        if (*raw[i] != '\0') g_ptr_array_add(words, g_strdup(raw[i]));
    }
    g_strfreev(raw);
    *count = words->len;
    g_ptr_array_add(words, NULL);
    return (char **)g_ptr_array_free(words, FALSE);
}

static gboolean whole_number(const char *word, uint64_t *out)
{
    return g_ascii_isdigit(word[0]) && sim_quantity_parse(word, SIM_QUANTITY_COUNT, out, NULL);
}

/* Parses one value; FALSE after reporting the problem at `key`. */
static gboolean parse_change(ScenarioCtx *c, const char *key, const char *value,
                             ProtoStakeChange *change)
{
    guint count = 0;
    char **w = words_of(value, &count);
    gboolean ok = count >= 4 && proto_stake_change_kind_lookup(w[0], &change->kind);
    guint at = change->kind == PROTO_STAKE_DEREGISTER ? 2 : 4;
    ok = ok && count == at + 3 && strcmp(w[at], "at") == 0 && strcmp(w[at + 1], "block") == 0;
    ok = ok && (at == 2 || strcmp(w[2], "stake") == 0);
    if (!ok) {
        reader__problem(c, GROUP, key, "expected %s, got \"%s\"", syntax, value);
        g_strfreev(w);
        return FALSE;
    }
    uint64_t node = 0;
    change->amount = 0;
    if (!whole_number(w[1], &node) || node >= c->s->config.nodes) {
        ok = reader__problem(c, GROUP, key,
                             "\"%s\" is not a validator: expected 0 to %u ([consensus] nodes)",
                             w[1], c->s->config.nodes - 1);
    } else if (at == 4 && (!whole_number(w[3], &change->amount) || change->amount == 0)) {
        ok = reader__problem(c, GROUP, key, "expected a whole stake above zero, got \"%s\"", w[3]);
    } else if (!whole_number(w[at + 2], &change->height)) {
        ok = reader__problem(c, GROUP, key, "expected a block height, got \"%s\"", w[at + 2]);
    }
    change->node = (ProtoNodeId)node;
    g_strfreev(w);
    return ok;
}

/* Why a change failed (proto_epochs_check's code), in words. */
static const char *refusal(int rc, ProtoStakeChangeKind kind)
{
    switch (rc) {
    case PROTO_ERR_DUPLICATE:
        return "the validator already has stake (register it after it deregisters)";
    case PROTO_ERR_INCONSISTENT:
        return kind == PROTO_STAKE_DEREGISTER ? "the validator has no stake by then"
                                              : "the validator has no stake by then (register "
                                                "it first)";
    case PROTO_ERR_FIELD:
        return "it takes all the validator's stake or more (deregister it instead)";
    case PROTO_ERR_LENGTH:
        return "the stake would reach 2^62";
    case PROTO_ERR_THRESHOLD:
        return "no validator would have stake left";
    default:
        return "the change cannot be applied";
    }
}

void stake_keys__parse(ScenarioCtx *c, const uint64_t *stakes)
{
    if (!g_key_file_has_group(c->file, GROUP)) return;
    SimRunConfig *cfg = &c->s->config;
    if (cfg->epoch_length == 0) {
        reader__problem(c, GROUP, NULL, "stake-table changes need epochs: set [epochs] length");
        return;
    }
    gsize count = 0;
    char **names = g_key_file_get_keys(c->file, GROUP, &count, NULL);
    GArray *changes = g_array_new(FALSE, TRUE, sizeof(ProtoStakeChange));
    gboolean ok = TRUE;
    for (gsize i = 0; i < count; i++) {
        char *value = reader__get(c, GROUP, names[i]);
        ProtoStakeChange change = {0};
        ok = parse_change(c, names[i], value != NULL ? value : "", &change) && ok;
        g_array_append_val(changes, change);
        g_free(value);
    }
    uint32_t bad = 0;
    gboolean checkable = stakes != NULL && cfg->epoch_length >= PROTO_EPOCH_LENGTH_MIN;
    int rc = ok && checkable ? proto_epochs_check(cfg->epoch_length, stakes, cfg->nodes,
                                                  (const ProtoStakeChange *)(void *)changes->data,
                                                  changes->len, &bad)
                             : PROTO_OK;
    if (rc != PROTO_OK) {
        const ProtoStakeChange *b = &g_array_index(changes, ProtoStakeChange, bad);
        reader__problem(c, GROUP, names[bad],
                        "cannot %s validator %u at block %" G_GUINT64_FORMAT
                        " (changes apply in block order, then file order): %s",
                        proto_stake_change_kind_name(b->kind), b->node, b->height,
                        refusal(rc, b->kind));
        ok = FALSE;
    }
    g_strfreev(names);
    if (!ok || changes->len == 0) {
        g_array_unref(changes);
        return;
    }
    if (cfg->stake_changes != NULL) g_array_unref(cfg->stake_changes);
    cfg->stake_changes = changes;
}

void stake_keys__describe(GString *out, gboolean markdown)
{
    if (markdown) {
        g_string_append_printf(out,
                               "\n### [stake_changes]\n\nOne key per stake-table change, named "
                               "freely; the value is `%s`. A change at block h applies from "
                               "epoch e + 2, e the first epoch whose root (block eN - 5) is at or "
                               "above h. Needs `[epochs] length`.\n",
                               "VERB VALIDATOR [stake AMOUNT] at block HEIGHT");
    } else {
        g_string_append(out, "\n[stake_changes]\n  NAME = VERB VALIDATOR [stake AMOUNT] at block "
                             "HEIGHT (register, deregister,\n  delegate, undelegate); applies "
                             "from epoch e + 2, e the first epoch whose root is at or\n  above "
                             "HEIGHT (needs [epochs] length)\n");
    }
    SIM_ASSERT(out->len > 0);
}
