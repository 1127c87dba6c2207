/*
 * Scenario files; see scenario.h. The file is read twice: GKeyFile parses it, and a line scanner
 * finds where each group and key stands (for messages) and what GKeyFile would silently accept
 * (a key set twice, a group written twice, a locale suffix).
 */
#include "sim/run/scenario.h"

#include "protocol/stake.h"
#include "protocol/vid.h"

#include "sim/core/assert.h"
#include "sim/net/placement.h"
#include "sim/core/suggest.h"
#include "sim/core/units.h"

#include <stddef.h>
#include <string.h>

G_DEFINE_QUARK(shotglass - scenario - error - quark, sim_scenario_error)

#define ERRORS_MAX 50

typedef struct Ctx {
    const char *path;
    GKeyFile *file;
    GHashTable *lines;           /* "group" or "group\x1fkey" -> line number (GINT_TO_POINTER) */
    GHashTable *set_by_override; /* same keys, for what --set gave */
    GString *errors;
    guint error_count;
    SimScenario *s;
    SimRegions *regions;
} Ctx;

static char *line_key(const char *group, const char *key)
{
    return key != NULL ? g_strdup_printf("%s\x1f%s", group, key) : g_strdup(group);
}

/* Where a group or key was written: "FILE:LINE", "FILE (--set)" or "FILE". */
static char *location(const Ctx *c, const char *group, const char *key)
{
    char *k = line_key(group, key);
    int line = GPOINTER_TO_INT(g_hash_table_lookup(c->lines, k));
    gboolean override = g_hash_table_contains(c->set_by_override, k);
    g_free(k);
    if (override && c->path[0] == '<') return g_strdup("command line");
    if (override) return g_strdup_printf("%s (command line)", c->path);
    if (line > 0) return g_strdup_printf("%s:%d", c->path, line);
    return g_strdup(c->path);
}

G_GNUC_PRINTF(4, 5)
static gboolean problem(Ctx *c, const char *group, const char *key, const char *format, ...)
{
    if (++c->error_count > ERRORS_MAX) return FALSE;
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    char *where = location(c, group != NULL ? group : "", key);
    if (group == NULL) {
        g_string_append_printf(c->errors, "%s: %s\n", where, message);
    } else if (key == NULL) {
        g_string_append_printf(c->errors, "%s: [%s]: %s\n", where, group, message);
    } else {
        g_string_append_printf(c->errors, "%s: [%s] %s: %s\n", where, group, key, message);
    }
    g_free(where);
    g_free(message);
    return FALSE;
}

/* A problem at a given line, with the group and key when there are some. */
G_GNUC_PRINTF(5, 6)
static gboolean line_problem(Ctx *c, int line, const char *group, const char *key,
                             const char *format, ...)
{
    if (++c->error_count > ERRORS_MAX) return FALSE;
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    g_string_append_printf(c->errors, "%s:%d: ", c->path, line);
    if (group != NULL)
        g_string_append_printf(c->errors, "[%s]%s%s: ", group, key ? " " : "", key ? key : "");
    g_string_append_printf(c->errors, "%s\n", message);
    g_free(message);
    return FALSE;
}

/* --- the line scanner ------------------------------------------------------------------------ */

static void scan_key(Ctx *c, const char *group, char *line, int number)
{
    char *eq = strchr(line, '=');
    if (group == NULL || eq == NULL) return; /* GKeyFile reports these */
    *eq = '\0';
    char *key = g_strstrip(line);
    char *k = line_key(group, key);
    gpointer first = g_hash_table_lookup(c->lines, k);
    if (first != NULL) {
        line_problem(c, number, group, key, "set twice (first on line %d); keep one",
                     GPOINTER_TO_INT(first));
        g_free(k);
    } else {
        g_hash_table_insert(c->lines, k, GINT_TO_POINTER(number));
    }
    if (strchr(key, '[') != NULL || strchr(key, ']') != NULL) {
        line_problem(c, number, group, key, "a key cannot contain [ or ]");
    }
}

static void scan(Ctx *c, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    char *group = NULL;
    for (int i = 0; lines[i] != NULL; i++) {
        char *line = g_strstrip(lines[i]);
        if (*line == '\0' || *line == '#') continue;
        if (*line == '[' && line[strlen(line) - 1] == ']') {
            g_free(group);
            group = g_strndup(line + 1, strlen(line) - 2);
            gpointer first = g_hash_table_lookup(c->lines, group);
            if (first != NULL) {
                line_problem(c, i + 1, group, NULL,
                             "the group appears twice (first on line %d); merge them",
                             GPOINTER_TO_INT(first));
            } else {
                g_hash_table_insert(c->lines, g_strdup(group), GINT_TO_POINTER(i + 1));
            }
            continue;
        }
        scan_key(c, group, line, i + 1);
    }
    g_free(group);
    g_strfreev(lines);
}

/* --- the keys -------------------------------------------------------------------------------- */

typedef enum ValueType {
    V_SPECIAL,      /* handled by name (scenario text, stake, placements) */
    V_COUNT,        /* an integer field of `width` bytes within [min, max] */
    V_BOOL,         /* gboolean */
    V_QUANTITY,     /* uint64_t in the base unit of `unit`, at least `min` */
    V_TIME_OR_NONE, /* SimTime; `none_word` means SIM_TIME_NONE, `choices` map to `values` */
    V_DIST,         /* SimDist of `unit` (relative allowed for durations) */
    V_CHOICE,       /* int field: the value of the chosen word */
} ValueType;

typedef struct KeySpec {
    const char *group;
    const char *key;
    ValueType type;
    const char *def;
    const char *help;
    size_t offset;
    SimQuantityKind unit;
    int width;
    uint64_t min;
    uint64_t max;
    const char *const *choices; /* NULL-terminated */
    const int *values;
    const char *none_word;
} KeySpec;

#define F(field) offsetof(SimRunConfig, field)
#define COUNT(g, k, d, h, field, w, lo, hi)                                                        \
    {                                                                                              \
        g, k, V_COUNT, d, h, F(field), SIM_QUANTITY_COUNT, w, lo, hi, NULL, NULL, NULL             \
    }
#define QUANTITY(g, k, d, h, field, unit, lo)                                                      \
    {                                                                                              \
        g, k, V_QUANTITY, d, h, F(field), unit, 8, lo, UINT64_MAX, NULL, NULL, NULL                \
    }
#define DURATION(g, k, d, h, field) QUANTITY(g, k, d, h, field, SIM_QUANTITY_DURATION, 0)
#define TIME_OR(g, k, d, h, field, none)                                                           \
    {                                                                                              \
        g, k, V_TIME_OR_NONE, d, h, F(field), SIM_QUANTITY_DURATION, 8, 0, 0, NULL, NULL, none     \
    }
#define DIST(g, k, d, h, field, unit)                                                              \
    {                                                                                              \
        g, k, V_DIST, d, h, F(field), unit, 0, 0, 0, NULL, NULL, NULL                              \
    }
#define CHOICE(g, k, d, h, field, names, values)                                                   \
    {                                                                                              \
        g, k, V_CHOICE, d, h, F(field), SIM_QUANTITY_COUNT, 0, 0, 0, names, values, NULL           \
    }
#define BOOL(g, k, d, h, field)                                                                    \
    {                                                                                              \
        g, k, V_BOOL, d, h, F(field), SIM_QUANTITY_COUNT, 0, 0, 0, NULL, NULL, NULL                \
    }
#define SPECIAL(g, k, d, h)                                                                        \
    {                                                                                              \
        g, k, V_SPECIAL, d, h, 0, SIM_QUANTITY_COUNT, 0, 0, 0, NULL, NULL, NULL                    \
    }

static const char *const auto_names[] = {"auto", NULL};
static const int auto_values[] = {(int)SIM_STALL_AUTO};
static const char *const crypto_names[] = {"modeled", "real", NULL};
static const int crypto_values[] = {PROTO_CRYPTO_MODELED, PROTO_CRYPTO_REAL};
static const char *const leader_names[] = {"stake-weighted", "round-robin", NULL};
static const int leader_values[] = {PROTO_LEADER_STAKE_WEIGHTED, PROTO_LEADER_ROUND_ROBIN};
static const char *const rule_names[] = {"two-chain", "three-chain", NULL};
static const int rule_values[] = {FALSE, TRUE};
static const char *const loss_names[] = {"retransmit", "drop", NULL};
static const int loss_values[] = {SIM_LOSS_RETRANSMIT, SIM_LOSS_DROP};
static const char *const payload_names[] = {"synthetic", "real", NULL};
static const int payload_values[] = {TRUE, FALSE};
static const char *const fetch_names[] = {"da", "vid", NULL};
static const int fetch_values[] = {PROTO_ROLLUP_FROM_DA, PROTO_ROLLUP_FROM_VID};

static const KeySpec keys[] = {
    SPECIAL("scenario", "name", "(the file's name)", "a short name for reports"),
    SPECIAL("scenario", "description", "(none)", "what the scenario is about"),
    COUNT("scenario", "seed", "1", "the run seed: same seed, same run, bit for bit", seed, 8, 0,
          UINT64_MAX),
    TIME_OR("scenario", "duration", "none", "stop at this virtual time", end_time, "none"),
    {"scenario", "stall", V_TIME_OR_NONE, "auto",
     "stop (stalled) once no honest validator has entered a view for this long and no fault "
     "is due to start or end (at least [consensus] view_timeout; auto: 20 view timeouts, times "
     "the largest skew or slow factor, and at least 10min; none: never)",
     F(stall), SIM_QUANTITY_DURATION, 8, 1, 0, auto_names, auto_values, "none"},
    COUNT("scenario", "views", "100", "stop when an honest node enters view N+1 (0: no limit)",
          views_max, 8, 0, UINT64_MAX),
    COUNT("scenario", "blocks", "0", "stop after N decided blocks (0: no limit)", blocks_max, 8, 0,
          UINT64_MAX),
    COUNT("scenario", "events", "0", "stop after N events (0: no limit)", events_max, 8, 0,
          UINT64_MAX),
    SPECIAL("network", "placement",
            "us-east-1:25%, eu-west-1:25%, ap-northeast-1:25%, sa-east-1:25%",
            "validators over regions: shares, counts, one region, all, or a list"),
    QUANTITY("network", "uplink", "1Gbit", "each validator's uplink", uplink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    QUANTITY("network", "downlink", "1Gbit", "each validator's downlink", downlink_bps,
             SIM_QUANTITY_BANDWIDTH, 1),
    DIST("network", "jitter", "none", "extra one-way delay (percentages are of the base delay)",
         jitter, SIM_QUANTITY_DURATION),
    TIME_OR("network", "intra_region_latency", "measured",
            "one-way delay inside a region (measured: from the data)", intra_region_one_way,
            "measured"),
    QUANTITY("network", "loss", "0%", "share of copies lost", loss_ppm, SIM_QUANTITY_RATIO, 0),
    CHOICE("network", "loss_mode", "retransmit",
           "retransmit (a lost copy costs a timeout) or drop (it is gone)", loss_mode, loss_names,
           loss_values),
    DURATION("network", "retransmit_timeout", "200ms", "the cost of one loss in retransmit mode",
             retransmit_timeout),
    TIME_OR("network", "gst", "none",
            "global stabilisation time: before it, copies get adversarial delays", gst, "none"),
    DIST("network", "pre_gst_delay", "uniform(min=0s, max=2s)",
         "the adversarial extra delay of a copy sent before GST", pre_gst_delay,
         SIM_QUANTITY_DURATION),
    DURATION("network", "gst_delta", "1s",
             "a copy sent at t arrives by max(t, gst) + gst_delta (the adversary's bound)",
             gst_delta),
    COUNT("consensus", "nodes", "10", "validators", nodes, 4, 1, 100000),
    SPECIAL("consensus", "stake", "equal",
            "equal, zipf(s=NUMBER), or a list of one integer per validator"),
    CHOICE("consensus", "crypto", "modeled",
           "modeled (keyed tags) or real (Ed25519); CPU costs are the same", crypto, crypto_names,
           crypto_values),
    CHOICE("consensus", "leaders", "stake-weighted", "leader election", leaders, leader_names,
           leader_values),
    CHOICE("consensus", "decide_rule", "two-chain",
           "HotStuff-2's two-chain rule or the legacy three-chain rule", three_chain, rule_names,
           rule_values),
    QUANTITY("consensus", "view_timeout", "10s", "a view times out after this", view_timeout,
             SIM_QUANTITY_DURATION, 1),
    QUANTITY("consensus", "view_sync_timeout", "1s", "each view-sync relay round",
             view_sync_timeout, SIM_QUANTITY_DURATION, 1),
    QUANTITY("consensus", "fetch_timeout", "1s", "before asking another peer for a missing leaf",
             fetch_timeout, SIM_QUANTITY_DURATION, 1),
    BOOL("consensus", "unsafe_disable_lock_check", "false",
         "honest nodes skip the locking rule (only to show the safety oracle catching a fork)",
         test_disable_lock_check),
    DURATION("costs", "sign", "100us", "one BLS signature", costs.sign),
    DURATION("costs", "verify", "1.6ms", "one BLS signature check", costs.verify),
    DURATION("costs", "cert_verify", "1.6ms", "an aggregate signature check", costs.cert_verify),
    DURATION("costs", "cert_verify_per_signer", "1us", "plus this per signer",
             costs.cert_verify_per_signer),
    DURATION("costs", "hash_per_mib", "577us", "hashing payloads", costs.hash_per_mib),
    DURATION("costs", "message", "5us", "receiving and decoding any message", costs.message_base),
    DURATION("costs", "vid_encode_per_mib", "20ms", "erasure coding", costs.vid_encode_per_mib),
    DURATION("costs", "merkle_per_level", "75ns", "one level of a Merkle proof",
             costs.merkle_verify_per_level),
    BOOL("da", "enabled", "false",
         "the data-availability layer (when not set: on if another [da] key is set or [workload] "
         "rollups > 0)",
         da),
    COUNT("da", "committee", "10", "DA committee members: validators 0..N-1", da_committee, 4, 1,
          100000),
    QUANTITY("da", "block_max", "1MB", "the largest block a builder makes", block_max,
             SIM_QUANTITY_SIZE, 64),
    CHOICE("da", "payloads", "synthetic",
           "synthetic (sizes only, for scale) or real (bytes, erasure coded)", synthetic,
           payload_names, payload_values),
    DURATION("da", "builder_delay", "100ms", "the builder's answer to a block request",
             builder_delay),
    DURATION("da", "builder_timeout", "1s", "a leader proposes an empty block after this",
             builder_timeout),
    DURATION("da", "data_request_delay", "5s",
             "a replica missing its share asks DA members after this", data_request_delay),
    SPECIAL("da", "builder_region", "us-east-1", "where the builder runs"),
    COUNT("workload", "rollups", "0", "rollups (namespaces), each with users", rollups, 4, 0, 4096),
    QUANTITY("workload", "tx_rate", "0/s", "transactions per second per rollup (Poisson)",
             tx_rate_mhz, SIM_QUANTITY_RATE, 0),
    DIST("workload", "tx_size", "300B", "transaction size distribution (at least 12B)", tx_size,
         SIM_QUANTITY_SIZE),
    QUANTITY("workload", "via_rpc", "0%", "share of transactions sent through the rollup's RPC",
             rpc_ppm, SIM_QUANTITY_RATIO, 0),
    SPECIAL("workload", "rollup_regions", "all", "placement of the rollups' hosts"),
    CHOICE("workload", "rollup_fetch", "da",
           "rollups read from a DA member (da) or rebuild from shares (vid, real payloads)",
           rollup_fetch, fetch_names, fetch_values),
    TIME_OR("workload", "until", "none", "users stop submitting at this virtual time", tx_end,
            "none"),
};

static const char *const groups[] = {"scenario", "network",  "consensus", "costs",
                                     "da",       "workload", "expect",    "fault.NAME"};

static const KeySpec *find_key(const char *group, const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0) return &keys[i];
    }
    return NULL;
}

/* What `key`, unknown in `group`, may have meant (g_free), or NULL: the closest key of the
 * group, else a key of another group that has the same name or is named by it with its group
 * ("da_committee" for [da] committee, as DESIGN.md's sketch has it in [consensus]). */
static char *suggest_key(const char *group, const char *key)
{
    const char *names[G_N_ELEMENTS(keys)];
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0) names[n++] = keys[i].key;
    }
    const char *close = sim_suggest(key, names, n);
    if (close != NULL) return g_strdup(close);
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        size_t g = strlen(keys[i].group);
        gboolean named = strncmp(key, keys[i].group, g) == 0 && key[g] == '_' &&
                         strcmp(key + g + 1, keys[i].key) == 0;
        if (strcmp(keys[i].key, key) == 0 || named) {
            return g_strdup_printf("[%s] %s", keys[i].group, keys[i].key);
        }
    }
    return NULL;
}

/* --- values ---------------------------------------------------------------------------------- */

static void *field(SimScenario *s, const KeySpec *k)
{
    return (char *)&s->config + k->offset;
}

static gboolean quantity_problem(Ctx *c, const KeySpec *k, GError *inner)
{
    if (k->none_word == NULL) {
        problem(c, k->group, k->key, "%s", inner->message);
    } else { /* a time, or a word: say the words too */
        GString *words = g_string_new(k->none_word);
        for (int i = 0; k->choices != NULL && k->choices[i] != NULL; i++)
            g_string_append_printf(words, " or %s", k->choices[i]);
        problem(c, k->group, k->key, "%s (or %s)", inner->message, words->str);
        g_string_free(words, TRUE);
    }
    g_error_free(inner);
    return FALSE;
}

static gboolean apply_count(Ctx *c, const KeySpec *k, const char *value)
{
    uint64_t v = 0;
    GError *inner = NULL;
    if (!sim_quantity_parse(value, k->unit, &v, &inner)) return quantity_problem(c, k, inner);
    if (v < k->min || v > k->max) {
        return problem(c, k->group, k->key,
                       "expected %s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                       ", got \"%s\"",
                       k->type == V_COUNT ? "a whole number" : "a value", k->min, k->max, value);
    }
    if (k->type == V_COUNT && k->width == 4) {
        *(uint32_t *)field(c->s, k) = (uint32_t)v;
    } else {
        *(uint64_t *)field(c->s, k) = v;
    }
    return TRUE;
}

static gboolean apply_quantity(Ctx *c, const KeySpec *k, const char *value)
{
    uint64_t v = 0;
    GError *inner = NULL;
    if (!sim_quantity_parse(value, k->unit, &v, &inner)) return quantity_problem(c, k, inner);
    if (v < k->min) {
        return problem(c, k->group, k->key, "must be more than zero, got \"%s\"", value);
    }
    *(uint64_t *)field(c->s, k) = v;
    return TRUE;
}

static gboolean apply_choice(Ctx *c, const KeySpec *k, const char *value)
{
    for (int i = 0; k->choices[i] != NULL; i++) {
        if (strcmp(value, k->choices[i]) == 0) {
            *(int *)field(c->s, k) = k->values[i];
            return TRUE;
        }
    }
    char *list = g_strjoinv(" or ", (char **)k->choices);
    problem(c, k->group, k->key, "expected %s, got \"%s\"", list, value);
    g_free(list);
    return FALSE;
}

static gboolean apply_bool(Ctx *c, const KeySpec *k, const char *value)
{
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        return problem(c, k->group, k->key, "expected true or false, got \"%s\"", value);
    }
    *(gboolean *)field(c->s, k) = strcmp(value, "true") == 0;
    return TRUE;
}

static gboolean apply_dist(Ctx *c, const KeySpec *k, const char *value)
{
    GError *inner = NULL;
    SimDist d;
    if (!sim_dist_parse(value, k->unit, k->unit == SIM_QUANTITY_DURATION, &d, &inner)) {
        return quantity_problem(c, k, inner);
    }
    *(SimDist *)field(c->s, k) = d;
    return TRUE;
}

static gboolean apply_stake(Ctx *c, const char *value)
{
    SimRunConfig *cfg = &c->s->config;
    if (strcmp(value, "equal") == 0) {
        cfg->stake_kind = SIM_STAKE_EQUAL;
        return TRUE;
    }
    if (g_str_has_prefix(value, "zipf(s=") && g_str_has_suffix(value, ")")) {
        char *number = g_strndup(value + 7, strlen(value) - 8);
        gboolean ok = sim_quantity_parse(number, SIM_QUANTITY_FACTOR, &cfg->stake_zipf_ppm, NULL);
        g_free(number);
        if (ok && cfg->stake_zipf_ppm > 0) {
            cfg->stake_kind = SIM_STAKE_ZIPF;
            return TRUE;
        }
    } else if (g_ascii_isdigit(value[0])) {
        char **items = g_strsplit(value, ",", -1);
        GArray *list = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        gboolean ok = TRUE;
        for (guint i = 0; ok && items[i] != NULL; i++) {
            uint64_t v = 0;
            ok = sim_quantity_parse(g_strstrip(items[i]), SIM_QUANTITY_COUNT, &v, NULL);
            g_array_append_val(list, v);
        }
        g_strfreev(items);
        if (ok) {
            if (cfg->stake_list != NULL) g_array_unref(cfg->stake_list);
            cfg->stake_list = list;
            cfg->stake_kind = SIM_STAKE_LIST;
            return TRUE;
        }
        g_array_unref(list);
    }
    return problem(c, "consensus", "stake",
                   "expected equal, zipf(s=NUMBER) such as zipf(s=1.1), or one whole number per "
                   "validator separated by commas, got \"%s\"",
                   value);
}

static void replace_text(char **slot, const char *value)
{
    g_free(*slot);
    *slot = g_strdup(value);
}

static gboolean apply_special(Ctx *c, const KeySpec *k, const char *value)
{
    SimScenario *s = c->s;
    if (strcmp(k->key, "name") == 0) {
        if (*value == '\0') return problem(c, k->group, k->key, "must not be empty");
        replace_text(&s->name, value);
    } else if (strcmp(k->key, "description") == 0) {
        replace_text(&s->description, value);
    } else if (strcmp(k->key, "stake") == 0) {
        return apply_stake(c, value);
    } else if (strcmp(k->key, "placement") == 0) {
        replace_text(&s->config.placement, value);
    } else if (strcmp(k->key, "builder_region") == 0) {
        replace_text(&s->config.builder_region, value);
    } else if (strcmp(k->key, "rollup_regions") == 0) {
        replace_text(&s->config.rollup_placement, value);
    } else {
        SIM_UNREACHABLE();
    }
    return TRUE;
}

static gboolean apply_value(Ctx *c, const KeySpec *k, const char *value)
{
    switch (k->type) {
    case V_SPECIAL:
        return apply_special(c, k, value);
    case V_COUNT:
        return apply_count(c, k, value);
    case V_BOOL:
        return apply_bool(c, k, value);
    case V_QUANTITY:
        return apply_quantity(c, k, value);
    case V_TIME_OR_NONE:
        if (strcmp(value, k->none_word) == 0) {
            *(SimTime *)field(c->s, k) = SIM_TIME_NONE;
            return TRUE;
        }
        for (int i = 0; k->choices != NULL && k->choices[i] != NULL; i++) {
            if (strcmp(value, k->choices[i]) != 0) continue;
            *(SimTime *)field(c->s, k) = (SimTime)k->values[i];
            return TRUE;
        }
        return apply_quantity(c, k, value);
    case V_DIST:
        return apply_dist(c, k, value);
    case V_CHOICE:
        return apply_choice(c, k, value);
    }
    SIM_UNREACHABLE();
}

/* --- faults ---------------------------------------------------------------------------------- */

#define KIND_BYZANTINE SIM_FAULT_KIND_COUNT_ /* [fault.NAME] kind = byzantine */
#define K(kind)        (1u << (kind))
#define NODE_KINDS                                                                                 \
    (K(SIM_FAULT_CRASH) | K(SIM_FAULT_RESTART) | K(SIM_FAULT_PAUSE) | K(SIM_FAULT_SLOW) |          \
     K(SIM_FAULT_SKEW) | K(KIND_BYZANTINE))
#define TIMED_KINDS (0xffffu & ~(K(SIM_FAULT_SKEW) | K(KIND_BYZANTINE)))

typedef struct FaultKey {
    const char *key;
    unsigned kinds; /* bit per kind that takes it */
    const char *help;
} FaultKey;

static const FaultKey fault_keys[] = {
    {"kind", 0xffffu, "crash, restart, pause, slow, partition, degrade, filter, skew or byzantine"},
    {"at", TIMED_KINDS, "start: a virtual time (30s), view N, tc or tc N (default 0s)"},
    {"until", TIMED_KINDS & ~K(SIM_FAULT_RESTART), "end: a virtual time, view N, tc or tc N"},
    {"duration", TIMED_KINDS & ~K(SIM_FAULT_RESTART), "end: this long after the start"},
    {"views", TIMED_KINDS & ~K(SIM_FAULT_RESTART),
     "end: this many views after the view in progress at the start"},
    {"nodes", NODE_KINDS, "the validators it applies to (a node selector)"},
    {"groups", K(SIM_FAULT_PARTITION), "partition: node selectors separated by |"},
    {"from", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE) | K(SIM_FAULT_FILTER),
     "senders (default: all)"},
    {"to", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE) | K(SIM_FAULT_FILTER),
     "receivers (default: all)"},
    {"one_way", K(SIM_FAULT_PARTITION) | K(SIM_FAULT_DEGRADE),
     "only from -> to (default false: both ways)"},
    {"mode", K(SIM_FAULT_PARTITION), "drop (default) or hold (deliver when it heals)"},
    {"factor", K(SIM_FAULT_SLOW) | K(SIM_FAULT_SKEW),
     "slow: CPU time multiplier; skew: view timer multiplier (e.g. 0.5)"},
    {"latency", K(SIM_FAULT_DEGRADE), "latency multiplier (default 1x)"},
    {"bandwidth", K(SIM_FAULT_DEGRADE), "bandwidth divisor (default 1x)"},
    {"loss", K(SIM_FAULT_DEGRADE), "share of copies lost (default 0%)"},
    {"types", K(SIM_FAULT_FILTER), "message types, comma-separated (`shotglass list messages`)"},
    {"action", K(SIM_FAULT_FILTER), "drop (default) or delay"},
    {"delay", K(SIM_FAULT_FILTER), "with action = delay: how long"},
    {"behaviour", K(KIND_BYZANTINE), "a Byzantine behaviour (`shotglass list behaviours`)"},
};

static const FaultKey *find_fault_key(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        if (strcmp(fault_keys[i].key, key) == 0) return &fault_keys[i];
    }
    return NULL;
}

static const char *kind_name(unsigned kind)
{
    return kind == KIND_BYZANTINE ? "byzantine" : sim_fault_kind_name((SimFaultKind)kind);
}

/* The keys a kind takes, for messages (g_free). */
static char *keys_of_kind(unsigned kind)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        if (!(fault_keys[i].kinds & K(kind))) continue;
        g_string_append_printf(list, "%s%s", list->len ? ", " : "", fault_keys[i].key);
    }
    return g_string_free(list, FALSE);
}

static gboolean parse_kind(Ctx *c, const char *group, unsigned *kind)
{
    char *value = g_key_file_get_value(c->file, group, "kind", NULL);
    if (value == NULL) {
        return problem(c, group, NULL,
                       "has no kind; expected kind = crash, restart, pause, slow, "
                       "partition, degrade, filter, skew or byzantine");
    }
    SimFaultKind k;
    gboolean ok = TRUE;
    if (strcmp(value, "byzantine") == 0) {
        *kind = KIND_BYZANTINE;
    } else if (sim_fault_kind_lookup(value, &k)) {
        *kind = k;
    } else {
        static const char *const names[] = {"crash",   "restart", "pause", "slow",     "partition",
                                            "degrade", "filter",  "skew",  "byzantine"};
        const char *close = sim_suggest(value, names, G_N_ELEMENTS(names));
        ok = problem(c, group, "kind",
                     "unknown kind \"%s\"%s%s%s; expected crash, restart, pause, slow, "
                     "partition, degrade, filter, skew or byzantine",
                     value, close ? " (did you mean " : "", close ? close : "", close ? "?)" : "");
    }
    g_free(value);
    return ok;
}

/* Every key of the group is one its kind takes. */
static gboolean check_fault_keys(Ctx *c, const char *group, unsigned kind)
{
    gsize count = 0;
    char **names = g_key_file_get_keys(c->file, group, &count, NULL);
    gboolean ok = TRUE;
    for (gsize i = 0; i < count; i++) {
        const FaultKey *fk = find_fault_key(names[i]);
        if (fk != NULL && (fk->kinds & K(kind))) continue;
        char *takes = keys_of_kind(kind);
        if (fk != NULL) {
            ok = problem(c, group, names[i], "a %s fault takes no %s (it takes: %s)",
                         kind_name(kind), names[i], takes);
        } else {
            const char *all[G_N_ELEMENTS(fault_keys)];
            for (size_t j = 0; j < G_N_ELEMENTS(fault_keys); j++)
                all[j] = fault_keys[j].key;
            const char *close = sim_suggest(names[i], all, G_N_ELEMENTS(all));
            ok = problem(c, group, names[i], "unknown key%s%s%s; a %s fault takes: %s",
                         close ? " (did you mean " : "", close ? close : "", close ? "?)" : "",
                         kind_name(kind), takes);
        }
        g_free(takes);
    }
    g_strfreev(names);
    return ok;
}

static char *get(Ctx *c, const char *group, const char *key)
{
    char *value = g_key_file_get_value(c->file, group, key, NULL);
    return value != NULL ? g_strstrip(value) : NULL;
}

/* A selector key; absent: `out` stays empty, which is fine unless `required`. */
static gboolean fault_selector(Ctx *c, const char *group, const char *key, gboolean required,
                               SimSelector *out)
{
    char *value = get(c, group, key);
    gboolean ok = TRUE;
    if (value == NULL) {
        if (required)
            ok =
                problem(c, group, NULL, "needs %s (a node selector: %s)", key, sim_selector_help());
    } else {
        GError *inner = NULL;
        ok = sim_selector_parse(out, value, c->s->config.nodes, c->regions, &inner);
        if (!ok) problem(c, group, key, "%s", inner->message), g_error_free(inner);
    }
    g_free(value);
    return ok;
}

static gboolean fault_quantity(Ctx *c, const char *group, const char *key, SimQuantityKind kind,
                               uint64_t *out)
{
    char *value = get(c, group, key);
    if (value == NULL) return TRUE;
    GError *inner = NULL;
    gboolean ok = sim_quantity_parse(value, kind, out, &inner);
    if (!ok) problem(c, group, key, "%s", inner->message), g_error_free(inner);
    g_free(value);
    return ok;
}

static gboolean fault_trigger(Ctx *c, const char *group, const char *key, gboolean is_end,
                              SimTrigger *out)
{
    char *value = get(c, group, key);
    if (value == NULL) return TRUE;
    GError *inner = NULL;
    gboolean ok = sim_trigger_parse(value, is_end, out, &inner);
    if (!ok) problem(c, group, key, "%s", inner->message), g_error_free(inner);
    g_free(value);
    return ok;
}

/* at, and one of until / duration / views. */
static gboolean fault_times(Ctx *c, const char *group, SimFault *f)
{
    gboolean has_until = g_key_file_has_key(c->file, group, "until", NULL);
    gboolean has_duration = g_key_file_has_key(c->file, group, "duration", NULL);
    gboolean has_views = g_key_file_has_key(c->file, group, "views", NULL);
    if (has_until + has_duration + has_views > 1) {
        return problem(c, group, has_views ? "views" : "duration",
                       "until, duration and views each say when the fault ends; give one");
    }
    uint64_t amount = 0;
    gboolean ok = fault_trigger(c, group, "at", FALSE, &f->at) &&
                  fault_trigger(c, group, "until", TRUE, &f->end);
    if (ok && has_duration) {
        ok = fault_quantity(c, group, "duration", SIM_QUANTITY_DURATION, &amount);
        if (ok && amount == 0) ok = problem(c, group, "duration", "must be more than zero");
        f->end = (SimTrigger){SIM_TRIGGER_AFTER, amount};
    }
    if (ok && has_views) {
        ok = fault_quantity(c, group, "views", SIM_QUANTITY_COUNT, &amount);
        if (ok && amount == 0) ok = problem(c, group, "views", "must be at least 1");
        f->end = (SimTrigger){SIM_TRIGGER_VIEWS, amount};
    }
    if (ok && f->at.kind == SIM_TRIGGER_TIME && f->end.kind == SIM_TRIGGER_TIME &&
        f->end.value <= f->at.value) {
        ok = problem(c, group, "until", "ends at or before it starts");
    }
    if (ok && f->kind == SIM_FAULT_PAUSE && f->end.kind != SIM_TRIGGER_TIME &&
        f->end.kind != SIM_TRIGGER_AFTER) {
        ok = problem(c, group, NULL, "a pause needs an end in time: until = TIME or duration");
    }
    return ok;
}

/* Two static id-only selectors must not share a validator. */
static gboolean groups_disjoint(Ctx *c, const char *group, GPtrArray *sets)
{
    SimNodeSet seen, mine;
    sim_node_set_init(&seen, c->s->config.nodes);
    SimSelectorContext none = {.node_count = c->s->config.nodes};
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < sets->len; i++) {
        const SimSelector *sel = sets->pdata[i];
        gboolean ids_only = TRUE;
        for (guint t = 0; t < sel->terms->len; t++)
            ids_only &= g_array_index(sel->terms, SimSelectorTerm, t).kind == SIM_SELECT_IDS;
        if (!ids_only) continue; /* regions and roles are checked when the run is built */
        sim_node_set_init(&mine, c->s->config.nodes);
        sim_selector_resolve(sel, &none, &mine);
        if (sim_node_set_intersects(&seen, &mine)) {
            ok = problem(c, group, "groups", "group %u (%s) overlaps an earlier group", i + 1,
                         sel->text);
        }
        for (uint32_t id = 0; id < c->s->config.nodes; id++) {
            if (sim_node_set_contains(&mine, id)) sim_node_set_add(&seen, id);
        }
        sim_node_set_clear(&mine);
    }
    sim_node_set_clear(&seen);
    return ok;
}

static gboolean fault_partition(Ctx *c, const char *group, SimFault *f)
{
    char *groups_text = get(c, group, "groups");
    gboolean pairs = g_key_file_has_key(c->file, group, "from", NULL) ||
                     g_key_file_has_key(c->file, group, "to", NULL);
    gboolean ok = TRUE;
    if ((groups_text != NULL) == pairs) {
        ok = problem(c, group, groups_text ? "groups" : NULL,
                     "a partition takes either groups (A | B | ...) or from and to, not %s",
                     groups_text ? "both" : "neither");
    } else if (groups_text != NULL) {
        char **parts = g_strsplit(groups_text, "|", -1);
        f->groups = g_ptr_array_new();
        for (guint i = 0; ok && parts[i] != NULL; i++) {
            SimSelector *sel = g_new0(SimSelector, 1);
            GError *inner = NULL;
            ok = sim_selector_parse(sel, parts[i], c->s->config.nodes, c->regions, &inner);
            if (!ok) problem(c, group, "groups", "group %u: %s", i + 1, inner->message);
            g_clear_error(&inner);
            g_ptr_array_add(f->groups, sel);
        }
        if (ok && f->groups->len < 2) {
            ok = problem(c, group, "groups", "expected at least two groups separated by |");
        }
        ok = ok && groups_disjoint(c, group, f->groups);
        g_strfreev(parts);
    } else {
        ok = fault_selector(c, group, "from", TRUE, &f->from) &&
             fault_selector(c, group, "to", TRUE, &f->to);
    }
    g_free(groups_text);
    char *mode = get(c, group, "mode");
    if (ok && mode != NULL && strcmp(mode, "drop") != 0 && strcmp(mode, "hold") != 0) {
        ok = problem(c, group, "mode", "expected drop or hold, got \"%s\"", mode);
    }
    f->mode = mode != NULL && strcmp(mode, "hold") == 0 ? SIM_CUT_HOLD : SIM_CUT_DROP;
    g_free(mode);
    return ok;
}

static gboolean fault_bool(Ctx *c, const char *group, const char *key, gboolean *out)
{
    char *value = get(c, group, key);
    gboolean ok = value == NULL || strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
    if (!ok) problem(c, group, key, "expected true or false, got \"%s\"", value);
    if (value != NULL) *out = strcmp(value, "true") == 0;
    g_free(value);
    return ok;
}

/* "proposal, quorum_vote": the message types, as bits. */
static gboolean fault_types(Ctx *c, const char *group, SimFault *f)
{
    char *value = get(c, group, "types");
    if (value == NULL) return problem(c, group, NULL, "a filter needs types");
    const char *names[PROTO_MSG_TYPE_COUNT_];
    for (int t = 1; t < PROTO_MSG_TYPE_COUNT_; t++)
        names[t - 1] = proto_msg_type_name(t);
    char **items = g_strsplit(value, ",", -1);
    gboolean ok = TRUE;
    for (guint i = 0; items[i] != NULL; i++) {
        const char *item = g_strstrip(items[i]);
        int found = 0;
        for (int t = 1; t < PROTO_MSG_TYPE_COUNT_ && !found; t++)
            found = strcmp(item, names[t - 1]) == 0 ? t : 0;
        if (found) {
            f->types |= (uint64_t)1 << found;
            continue;
        }
        const char *close = sim_suggest(item, names, PROTO_MSG_TYPE_COUNT_ - 1);
        ok = problem(c, group, "types",
                     "unknown message type \"%s\"%s%s%s (`shotglass list messages`)", item,
                     close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
    g_strfreev(items);
    g_free(value);
    return ok;
}

static gboolean fault_filter(Ctx *c, const char *group, SimFault *f)
{
    gboolean ok = fault_types(c, group, f) && fault_selector(c, group, "from", FALSE, &f->from) &&
                  fault_selector(c, group, "to", FALSE, &f->to);
    char *action = get(c, group, "action");
    gboolean has_delay = g_key_file_has_key(c->file, group, "delay", NULL);
    if (action != NULL && strcmp(action, "drop") != 0 && strcmp(action, "delay") != 0) {
        ok = problem(c, group, "action", "expected drop or delay, got \"%s\"", action);
    }
    f->delay = action != NULL && strcmp(action, "delay") == 0;
    if (f->delay && !has_delay) ok = problem(c, group, NULL, "action = delay needs delay");
    if (!f->delay && has_delay) ok = problem(c, group, "delay", "only with action = delay");
    ok = ok && fault_quantity(c, group, "delay", SIM_QUANTITY_DURATION, &f->amount);
    g_free(action);
    return ok;
}

static gboolean fault_degrade(Ctx *c, const char *group, SimFault *f)
{
    gboolean ok = fault_selector(c, group, "from", FALSE, &f->from) &&
                  fault_selector(c, group, "to", FALSE, &f->to) &&
                  fault_quantity(c, group, "latency", SIM_QUANTITY_FACTOR, &f->latency_ppm) &&
                  fault_quantity(c, group, "bandwidth", SIM_QUANTITY_FACTOR, &f->bandwidth_ppm) &&
                  fault_quantity(c, group, "loss", SIM_QUANTITY_RATIO, &f->loss_ppm);
    if (ok && (f->latency_ppm == 0 || f->bandwidth_ppm == 0)) {
        ok = problem(c, group, f->latency_ppm == 0 ? "latency" : "bandwidth",
                     "must be more than zero");
    }
    return ok;
}

static gboolean fault_factor(Ctx *c, const char *group, SimFault *f)
{
    if (!g_key_file_has_key(c->file, group, "factor", NULL)) {
        return problem(c, group, NULL, "a %s fault needs factor", sim_fault_kind_name(f->kind));
    }
    if (!fault_quantity(c, group, "factor", SIM_QUANTITY_FACTOR, &f->factor_ppm)) return FALSE;
    if (f->factor_ppm == 0) return problem(c, group, "factor", "must be more than zero");
    if (f->kind == SIM_FAULT_SLOW && f->factor_ppm < SIM_PPM_ONE) {
        return problem(c, group, "factor", "a slow CPU takes a factor of at least 1x");
    }
    return TRUE;
}

static void parse_byzantine(Ctx *c, const char *group)
{
    char *behaviour = get(c, group, "behaviour");
    SimSelector nodes = {0};
    ProtoByzantineKind kind = PROTO_BYZANTINE_NONE;
    gboolean ok = fault_selector(c, group, "nodes", TRUE, &nodes);
    if (behaviour == NULL) {
        ok = problem(c, group, NULL,
                     "a byzantine fault needs behaviour (`shotglass list "
                     "behaviours`)");
    } else if (!proto_byzantine_lookup(behaviour, &kind) || kind == PROTO_BYZANTINE_NONE) {
        const char *names[PROTO_BYZANTINE_KIND_COUNT_];
        for (int k = 1; k < PROTO_BYZANTINE_KIND_COUNT_; k++)
            names[k - 1] = proto_byzantine_name(k);
        const char *close = sim_suggest(behaviour, names, PROTO_BYZANTINE_KIND_COUNT_ - 1);
        ok = problem(c, group, "behaviour",
                     "unknown behaviour \"%s\"%s%s%s (`shotglass list behaviours`)", behaviour,
                     close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
    if (ok && !sim_selector_is_static(&nodes)) {
        ok = problem(c, group, "nodes",
                     "Byzantine nodes are chosen before the run: leader and next-leader "
                     "cannot be used here (leader(V) can)");
    }
    if (ok) sim_run_config_add_byzantine_selector(&c->s->config, kind, &nodes, group + 6);
    sim_selector_clear(&nodes);
    g_free(behaviour);
}

static void parse_fault(Ctx *c, const char *group)
{
    const char *name = group + strlen("fault.");
    unsigned kind = 0;
    if (*name == '\0') {
        problem(c, group, NULL, "a fault group needs a name, as in [fault.split]");
        return;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
            problem(c, group, NULL,
                    "a fault's name is letters, digits, - and _ (it names the fault in "
                    "recovery.NAME, --set fault.NAME.KEY and the results)");
            return;
        }
    }
    if (!parse_kind(c, group, &kind) || !check_fault_keys(c, group, kind)) return;
    if (kind == KIND_BYZANTINE) {
        parse_byzantine(c, group);
        return;
    }
    SimFault *f = sim_fault_new((SimFaultKind)kind, name);
    gboolean ok = fault_times(c, group, f);
    if (K(kind) & NODE_KINDS) ok = fault_selector(c, group, "nodes", TRUE, &f->nodes) && ok;
    switch ((int)kind) {
    case SIM_FAULT_PARTITION:
        ok = fault_partition(c, group, f) && ok;
        ok = fault_bool(c, group, "one_way", &f->one_way) && ok;
        break;
    case SIM_FAULT_DEGRADE:
        ok = fault_degrade(c, group, f) && ok;
        ok = fault_bool(c, group, "one_way", &f->one_way) && ok;
        break;
    case SIM_FAULT_FILTER:
        ok = fault_filter(c, group, f) && ok;
        break;
    case SIM_FAULT_SLOW:
    case SIM_FAULT_SKEW:
        ok = fault_factor(c, group, f) && ok;
        break;
    default:
        break;
    }
    if (ok && f->kind == SIM_FAULT_PARTITION && f->groups != NULL && f->one_way) {
        ok = problem(c, group, "one_way", "one_way applies to from and to, not to groups");
    }
    if (ok) {
        sim_run_config_take_fault(&c->s->config, f);
    } else {
        sim_fault_free(f);
    }
}

/* --- expectations ---------------------------------------------------------------------------- */

static gboolean has_fault(Ctx *c, const char *name)
{
    char *group = g_strdup_printf("fault.%s", name);
    gboolean has = g_key_file_has_group(c->file, group);
    g_free(group);
    return has;
}

static void parse_expect(Ctx *c)
{
    gsize count = 0;
    char **names = g_key_file_get_keys(c->file, "expect", &count, NULL);
    for (gsize i = 0; i < count; i++) {
        char *value = get(c, "expect", names[i]);
        GError *inner = NULL;
        SimExpectation *e = sim_expect_parse(names[i], value, &inner);
        if (e == NULL) {
            problem(c, "expect", names[i], "%s", inner->message);
            g_error_free(inner);
        } else if (e->metric == SIM_EXPECT_RECOVERY && !has_fault(c, e->fault)) {
            problem(c, "expect", names[i], "there is no [fault.%s]", e->fault);
            sim_expect_free(e);
        } else {
            g_ptr_array_add(c->s->expectations, e);
        }
        g_free(value);
    }
    g_strfreev(names);
}

/* --- checks across keys ---------------------------------------------------------------------- */

static void check_places(Ctx *c)
{
    SimRunConfig *cfg = &c->s->config;
    GError *inner = NULL;
    uint16_t *placed = g_new(uint16_t, MAX(cfg->nodes, cfg->rollups) + 1);
    if (!sim_placement_assign(c->regions, cfg->placement, cfg->nodes, placed, &inner)) {
        problem(c, "network", "placement", "%s", inner->message);
        g_clear_error(&inner);
    }
    if (cfg->rollups > 0 &&
        !sim_placement_assign(c->regions, cfg->rollup_placement, cfg->rollups, placed, &inner)) {
        problem(c, "workload", "rollup_regions", "%s", inner->message);
        g_clear_error(&inner);
    }
    uint16_t region;
    if (!sim_regions_lookup(c->regions, cfg->builder_region, &region)) {
        const char *close = sim_regions_suggest(c->regions, cfg->builder_region);
        problem(c, "da", "builder_region", "unknown region \"%s\"%s%s%s", cfg->builder_region,
                close ? ", did you mean " : "", close ? close : "", close ? "?" : "");
    }
    g_free(placed);
}

static void check_stake(Ctx *c)
{
    SimRunConfig *cfg = &c->s->config;
    if (cfg->stake_kind != SIM_STAKE_LIST) return;
    if (cfg->stake_list->len != cfg->nodes) {
        problem(c, "consensus", "stake", "lists %u stakes for %u validators ([consensus] nodes)",
                cfg->stake_list->len, cfg->nodes);
        return;
    }
    for (guint i = 0; i < cfg->stake_list->len; i++) {
        if (g_array_index(cfg->stake_list, uint64_t, i) > 0) return;
    }
    problem(c, "consensus", "stake", "every stake is zero");
}

/* Whether [da] has a key other than `enabled`. */
static gboolean da_knob_set(Ctx *c)
{
    char **names = g_key_file_get_keys(c->file, "da", NULL, NULL);
    gboolean found = FALSE;
    for (guint i = 0; names != NULL && names[i] != NULL && !found; i++)
        found = strcmp(names[i], "enabled") != 0;
    g_strfreev(names);
    return found;
}

/* The VID code takes at most PROTO_VID_UNITS_MAX units in all; with more validators than
 * that (or stakes that give them more), the DA layer cannot be built, so say so now rather than
 * fail in the run. Stake lists check_stake() refused are left alone. */
static void check_vid_units(Ctx *c)
{
    SimRunConfig *cfg = &c->s->config;
    if (cfg->stake_kind == SIM_STAKE_LIST && cfg->stake_list->len != cfg->nodes) return;
    uint64_t *stakes = g_new(uint64_t, cfg->nodes);
    switch (cfg->stake_kind) {
    case SIM_STAKE_EQUAL:
        proto_stake_equal(cfg->nodes, 1, stakes);
        break;
    case SIM_STAKE_ZIPF:
        proto_stake_zipf(cfg->nodes, cfg->stake_zipf_ppm, 1000000, stakes);
        break;
    case SIM_STAKE_LIST:
        memcpy(stakes, cfg->stake_list->data, sizeof(uint64_t) * cfg->nodes);
        break;
    }
    uint32_t staked = 0;
    for (uint32_t i = 0; i < cfg->nodes; i++)
        staked += stakes[i] > 0;
    uint64_t units = staked > 0 ? proto_vid_total_weight(stakes, cfg->nodes) : 0;
    g_free(stakes);
    if (units > PROTO_VID_UNITS_MAX) {
        problem(c, "consensus", "nodes",
                "%u validators get %" G_GUINT64_FORMAT " VID units, but the data-availability "
                "layer ([da]) supports at most %u (%u validators of equal stake)",
                cfg->nodes, units, (unsigned)PROTO_VID_UNITS_MAX, (unsigned)PROTO_VID_UNITS_MAX);
    }
}

static void check_data_path(Ctx *c)
{
    SimRunConfig *cfg = &c->s->config;
    /* Setting a DA knob means wanting the DA layer, unless `enabled` says otherwise (a file
     * may keep its DA settings while switching the layer off). */
    if (da_knob_set(c) && !g_key_file_has_key(c->file, "da", "enabled", NULL)) cfg->da = TRUE;
    if (cfg->rollups > 0) {
        if (g_key_file_has_key(c->file, "da", "enabled", NULL) && !cfg->da) {
            problem(c, "da", "enabled",
                    "is false, but [workload] rollups = %u needs the "
                    "data-availability layer",
                    cfg->rollups);
        }
        cfg->da = TRUE;
    }
    if (cfg->tx_rate_mhz > 0 && cfg->rollups == 0) {
        problem(c, "workload", "tx_rate", "transactions need rollups: set [workload] rollups");
    }
    if (cfg->da) check_vid_units(c);
    if (cfg->da && cfg->da_committee > cfg->nodes) {
        problem(c, "da", "committee", "has %u members, but there are %u validators",
                cfg->da_committee, cfg->nodes);
    }
    if (cfg->rollup_fetch == PROTO_ROLLUP_FROM_VID && cfg->synthetic && cfg->rollups > 0) {
        problem(c, "workload", "rollup_fetch",
                "vid rebuilds real bytes: it needs [da] payloads = "
                "real");
    }
    if (cfg->block_max > (cfg->synthetic ? PROTO_PAYLOAD_MAX : PROTO_MESSAGE_MAX / 2)) {
        problem(c, "da", "block_max", "at most %s with %s payloads",
                cfg->synthetic ? "4GB" : "32MiB", cfg->synthetic ? "synthetic" : "real");
    }
}

static void check_config(Ctx *c)
{
    SimRunConfig *cfg = &c->s->config;
    check_places(c);
    check_stake(c);
    check_data_path(c);
    if (cfg->views_max == 0 && cfg->blocks_max == 0 && cfg->end_time == SIM_TIME_NONE &&
        cfg->events_max == 0) {
        problem(c, "scenario", NULL,
                "nothing stops the run: set duration, views, blocks or events");
    }
    if (cfg->gst != SIM_TIME_NONE && cfg->gst_delta == 0) {
        problem(c, "network", "gst_delta", "must be more than zero when gst is set");
    }
    if (cfg->stall != SIM_TIME_NONE && cfg->stall != SIM_STALL_AUTO &&
        cfg->stall < cfg->view_timeout) {
        char *timeout = sim_quantity_format(cfg->view_timeout, SIM_QUANTITY_DURATION);
        problem(c, "scenario", "stall",
                "is shorter than [consensus] view_timeout (%s), so an ordinary timeout would "
                "count as a stall; expected at least that (several view timeouts), or none",
                timeout);
        g_free(timeout);
    }
}

/* --- groups, overrides and the whole file ------------------------------------------------------
 */

static gboolean is_plain_group(const char *group)
{
    for (size_t i = 0; i < G_N_ELEMENTS(groups) - 2; i++) {
        if (strcmp(groups[i], group) == 0) return TRUE;
    }
    return FALSE;
}

static void check_groups(Ctx *c)
{
    gsize count = 0;
    char **names = g_key_file_get_groups(c->file, &count);
    for (gsize i = 0; i < count; i++) {
        if (is_plain_group(names[i]) || strcmp(names[i], "expect") == 0 ||
            g_str_has_prefix(names[i], "fault.")) {
            continue;
        }
        const char *close = sim_suggest(names[i], groups, G_N_ELEMENTS(groups));
        problem(c, names[i], NULL,
                "unknown group%s%s%s; the groups are scenario, network, "
                "consensus, costs, da, workload, expect and fault.NAME",
                close ? " (did you mean [" : "", close ? close : "", close ? "]?)" : "");
    }
    g_strfreev(names);
}

static void apply_plain_groups(Ctx *c)
{
    for (size_t g = 0; g < G_N_ELEMENTS(groups) - 2; g++) {
        gsize count = 0;
        char **names = g_key_file_get_keys(c->file, groups[g], &count, NULL);
        for (gsize i = 0; names != NULL && i < count; i++) {
            const KeySpec *k = find_key(groups[g], names[i]);
            if (k == NULL) {
                char *close = suggest_key(groups[g], names[i]);
                problem(c, groups[g], names[i],
                        "unknown key%s%s%s (`shotglass list keys` shows them all)",
                        close ? "; did you mean " : "", close ? close : "", close ? "?" : "");
                g_free(close);
                continue;
            }
            char *value = get(c, groups[g], names[i]);
            apply_value(c, k, value);
            g_free(value);
        }
        g_strfreev(names);
    }
}

/* "group.key=value": [fault.NAME] groups have a dot of their own; [expect] keys may too. */
static void apply_override(Ctx *c, const char *text)
{
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    if (g_str_has_prefix(text, "fault.") && dot != NULL) dot = strchr(dot + 1, '.');
    if (eq == NULL || dot == NULL || dot > eq || dot == text || dot + 1 == eq) {
        problem(c, NULL, NULL,
                "--set \"%s\": expected group.key=value, such as consensus.nodes=100", text);
        return;
    }
    char *group = g_strndup(text, (gsize)(dot - text));
    char *key = g_strstrip(g_strndup(dot + 1, (gsize)(eq - dot - 1)));
    g_key_file_set_value(c->file, group, key, eq + 1);
    g_hash_table_add(c->set_by_override, line_key(group, key));
    g_free(group);
    g_free(key);
}

/* Lines that are neither a group, a key = value nor a comment, and keys before any group. */
static gboolean syntax_ok(Ctx *c, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    char *group = NULL;
    gboolean ok = TRUE;
    for (int i = 0; lines[i] != NULL; i++) {
        char *line = g_strstrip(lines[i]);
        if (*line == '\0' || *line == '#') continue;
        if (*line == '[') {
            gboolean closed = line[strlen(line) - 1] == ']';
            g_free(group);
            group = closed ? g_strndup(line + 1, strlen(line) - 2) : NULL;
            if (!closed) {
                ok = line_problem(c, i + 1, NULL, NULL, "\"%s\" is not a [group] line: no ]", line);
            }
        } else if (group == NULL) {
            ok = line_problem(c, i + 1, NULL, NULL, "\"%s\": a key before any [group]", line);
        } else if (strchr(line, '=') == NULL) {
            ok = line_problem(c, i + 1, group, NULL,
                              "\"%s\" is not key = value (in [expect] also key >= value, "
                              "key <= value, key == value)",
                              line);
        }
    }
    g_free(group);
    g_strfreev(lines);
    return ok;
}

static char *base_name(const char *path)
{
    char *base = g_path_get_basename(path);
    char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base) *dot = '\0';
    return base;
}

/* A caller's default: only where the file is silent. */
static void apply_default(Ctx *c, const char *text)
{
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    SIM_ASSERT(eq != NULL && dot != NULL && dot < eq); /* written by programs, not users */
    char *group = g_strndup(text, (gsize)(dot - text));
    char *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
    if (!g_key_file_has_key(c->file, group, key, NULL)) {
        g_key_file_set_value(c->file, group, key, eq + 1);
    }
    g_free(group);
    g_free(key);
}

static void parse_all(Ctx *c, const char *text, const SimScenarioSettings *settings)
{
    scan(c, text);
    if (!syntax_ok(c, text) || c->error_count > 0) return; /* the rest would be guesswork */
    GError *inner = NULL;
    if (!g_key_file_load_from_data(c->file, text, (gsize)-1, G_KEY_FILE_NONE, &inner)) {
        problem(c, NULL, NULL, "%s", inner->message);
        g_error_free(inner);
        return;
    }
    const char *const *defaults = settings != NULL ? settings->defaults : NULL;
    const char *const *overrides = settings != NULL ? settings->overrides : NULL;
    for (guint i = 0; defaults != NULL && defaults[i] != NULL; i++)
        apply_default(c, defaults[i]);
    for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
        apply_override(c, overrides[i]);
    check_groups(c);
    apply_plain_groups(c);
    check_config(c);
    char *nodes = get(c, "consensus", "nodes");
    uint64_t validators = 0;
    gboolean nodes_ok =
        nodes == NULL || (sim_quantity_parse(nodes, SIM_QUANTITY_COUNT, &validators, NULL) &&
                          validators >= 1 && validators <= find_key("consensus", "nodes")->max);
    g_free(nodes);
    if (!nodes_ok) return; /* selectors need the number of validators (reported above) */
    gsize count = 0;
    char **names = g_key_file_get_groups(c->file, &count);
    for (gsize i = 0; i < count; i++) {
        if (g_str_has_prefix(names[i], "fault.")) parse_fault(c, names[i]);
    }
    g_strfreev(names);
    parse_expect(c);
}

gboolean sim_scenario_parse(SimScenario *s, const char *path, const char *text,
                            const SimScenarioSettings *settings, GError **error)
{
    SIM_ASSERT(s != NULL && path != NULL && text != NULL);
    *s = (SimScenario){.path = g_strdup(path),
                       .name = path[0] == '<' ? g_strdup("defaults") : base_name(path),
                       .text = g_strdup(text),
                       .expectations =
                           g_ptr_array_new_with_free_func((GDestroyNotify)sim_expect_free)};
    sim_run_config_init(&s->config);
    Ctx c = {.path = path,
             .file = g_key_file_new(),
             .lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
             .set_by_override = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
             .errors = g_string_new(NULL),
             .s = s,
             .regions = sim_regions_new_default(NULL)};
    SIM_ASSERT(c.regions != NULL); /* built into the binary */
    parse_all(&c, text, settings);
    gboolean ok = c.error_count == 0;
    if (!ok) {
        if (c.error_count > ERRORS_MAX) {
            g_string_append_printf(c.errors, "(and %u more)\n", c.error_count - ERRORS_MAX);
        }
        g_strchomp(c.errors->str);
        g_set_error_literal(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID, c.errors->str);
        sim_scenario_clear(s);
    }
    g_key_file_free(c.file);
    g_hash_table_unref(c.lines);
    g_hash_table_unref(c.set_by_override);
    g_string_free(c.errors, TRUE);
    sim_regions_free(c.regions);
    return ok;
}

gboolean sim_scenario_load(SimScenario *s, const char *path, const SimScenarioSettings *settings,
                           GError **error)
{
    if (path == NULL) return sim_scenario_parse(s, "<command line>", "", settings, error);
    char *text = NULL;
    gsize len = 0;
    GError *inner = NULL;
    if (!g_file_get_contents(path, &text, &len, &inner)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_READ, "%s: cannot read: %s", path,
                    inner->message);
        g_error_free(inner);
        memset(s, 0, sizeof *s);
        return FALSE;
    }
    if (!g_utf8_validate(text, (gssize)len, NULL)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID,
                    "%s: not a text file (invalid UTF-8 or a NUL byte)", path);
        g_free(text);
        memset(s, 0, sizeof *s);
        return FALSE;
    }
    gboolean ok = sim_scenario_parse(s, path, text, settings, error);
    g_free(text);
    return ok;
}

void sim_scenario_clear(SimScenario *s)
{
    if (s->expectations != NULL) g_ptr_array_unref(s->expectations);
    if (s->config.faults != NULL) sim_run_config_clear(&s->config);
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_free(s->text);
    memset(s, 0, sizeof *s);
}

static const struct {
    const char *group, *key, *example;
} examples[] = {
    {"scenario", "name", "partition-heal"},
    {"scenario", "description", "a continent drops off for 30 s"},
    {"scenario", "seed", "42"},
    {"scenario", "duration", "2min"},
    {"scenario", "stall", "30min"},
    {"scenario", "views", "500"},
    {"scenario", "blocks", "1000"},
    {"scenario", "events", "50000000"},
    {"network", "placement", "us-east-1:40%, eu-west-1:60%"},
    {"network", "uplink", "100Mbit"},
    {"network", "downlink", "10Gbit"},
    {"network", "jitter", "lognormal(median=5%, sigma=0.5)"},
    {"network", "intra_region_latency", "1ms"},
    {"network", "loss", "0.5%"},
    {"network", "loss_mode", "drop"},
    {"network", "retransmit_timeout", "300ms"},
    {"network", "gst", "40s"},
    {"network", "pre_gst_delay", "exponential(mean=3s)"},
    {"network", "gst_delta", "500ms"},
    {"consensus", "nodes", "1000"},
    {"consensus", "stake", "zipf(s=1.1)"},
    {"consensus", "crypto", "real"},
    {"consensus", "leaders", "round-robin"},
    {"consensus", "decide_rule", "three-chain"},
    {"consensus", "view_timeout", "4s"},
    {"consensus", "view_sync_timeout", "2s"},
    {"consensus", "fetch_timeout", "500ms"},
    {"consensus", "unsafe_disable_lock_check", "true"},
    {"costs", "sign", "200us"},
    {"costs", "verify", "2ms"},
    {"costs", "cert_verify", "3ms"},
    {"costs", "cert_verify_per_signer", "2us"},
    {"costs", "hash_per_mib", "1ms"},
    {"costs", "message", "10us"},
    {"costs", "vid_encode_per_mib", "40ms"},
    {"costs", "merkle_per_level", "100ns"},
    {"da", "enabled", "true"},
    {"da", "committee", "21"},
    {"da", "block_max", "5MB"},
    {"da", "payloads", "real"},
    {"da", "builder_delay", "250ms"},
    {"da", "builder_timeout", "2s"},
    {"da", "data_request_delay", "1s"},
    {"da", "builder_region", "eu-west-1"},
    {"workload", "rollups", "8"},
    {"workload", "tx_rate", "2000/s"},
    {"workload", "tx_size", "lognormal(mean=300B, sigma=0.5)"},
    {"workload", "via_rpc", "50%"},
    {"workload", "rollup_regions", "us-east-1"},
    {"workload", "rollup_fetch", "vid"},
    {"workload", "until", "60s"},
};

/* An example value of a key, for the documentation. */
static const char *example_of(const KeySpec *k)
{
    for (size_t i = 0; i < G_N_ELEMENTS(examples); i++) {
        if (strcmp(examples[i].group, k->group) == 0 && strcmp(examples[i].key, k->key) == 0) {
            return examples[i].example;
        }
    }
    SIM_UNREACHABLE(); /* every key has one: tests/sim/test_scenario.c checks */
}

/* --- documentation --------------------------------------------------------------------------- */

static void describe_plain(GString *out, gboolean markdown)
{
    const char *current = "";
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        const KeySpec *k = &keys[i];
        if (strcmp(current, k->group) != 0) {
            current = k->group;
            if (markdown) {
                g_string_append_printf(out,
                                       "\n### [%s]\n\n| key | default | example | meaning |\n"
                                       "| --- | --- | --- | --- |\n",
                                       current);
            } else {
                g_string_append_printf(out, "%s[%s]\n", i ? "\n" : "", current);
            }
        }
        if (markdown) {
            g_string_append_printf(out, "| `%s` | `%s` | `%s` | %s |\n", k->key, k->def,
                                   example_of(k), k->help);
        } else {
            g_string_append_printf(out, "  %-26s %-22s %s\n", k->key, k->def, k->help);
        }
    }
}

static void describe_faults(GString *out, gboolean markdown)
{
    if (markdown) {
        g_string_append(out, "\n### [fault.NAME]\n\n| key | meaning |\n| --- | --- |\n");
    } else {
        g_string_append(out, "\n[fault.NAME]\n");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fault_keys); i++) {
        const FaultKey *f = &fault_keys[i];
        if (markdown) {
            char **parts = g_strsplit(f->help, "|", -1); /* a | would end the table cell */
            char *help = g_strjoinv("\\|", parts);
            g_string_append_printf(out, "| `%s` | %s |\n", f->key, help);
            g_free(help);
            g_strfreev(parts);
        } else {
            g_string_append_printf(out, "  %-26s %s\n", f->key, f->help);
        }
    }
}

char *sim_scenario_describe_keys(gboolean markdown)
{
    GString *out = g_string_new(NULL);
    describe_plain(out, markdown);
    describe_faults(out, markdown);
    if (markdown) {
        g_string_append(
            out, "\n### [expect]\n\nOne line per expectation; see \"Expectations\" above.\n");
    } else {
        g_string_append(out, "\n[expect]\n  safety, da_available, decided_blocks, views, "
                             "failed_views, longest_gap, finality_pNN,\n  recovery.FAULT, "
                             "decided_txs, undecided_txs, tx_latency_pNN (see `shotglass list "
                             "expectations`)\n");
    }
    return g_string_free(out, FALSE);
}
