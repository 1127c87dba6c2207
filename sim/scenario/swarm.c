/*
 * Random fault schedules; see swarm.h. Every draw comes from one SimRng stream in a fixed
 * order (faulty set, its roles, then the other faults one by one), so a schedule depends on the
 * seed, the budget and the base alone.
 */
#include "sim/scenario/swarm.h"

#include "protocol/byzantine.h"
#include "protocol/message.h"
#include "sim/core/assert.h"
#include "sim/core/rng.h"
#include "sim/net/nodeset.h"

#include <inttypes.h>
#include <string.h>

void sim_swarm_budget_init(SimSwarmBudget *budget)
{
    SIM_ASSERT(budget != NULL);
    *budget = (SimSwarmBudget){
        .faulty = {1, 3},
        .byzantine = {1, 3},
        .crashed = {1, 3},
        .faults_max = 4,
        .kinds = (1u << SIM_FAULT_KIND_COUNT_) - 1,
        /* not "none", nor the light-client signing behaviours (they need [l1]) */
        .behaviours = ((1u << PROTO_BYZANTINE_KIND_COUNT_) - 1) & ~1u &
                      ~(1u << PROTO_BYZANTINE_LC_FORGE) & ~(1u << PROTO_BYZANTINE_LC_SILENT),
        .recovery = 60 * SIM_S,
    };
    SIM_ASSERT(PROTO_BYZANTINE_KIND_COUNT_ < 32 && SIM_FAULT_KIND_COUNT_ < 32);
}

gboolean sim_swarm_share_parse(const char *text, SimSwarmShare *out, GError **error)
{
    uint64_t num = 0, den = 1;
    const char *p = text;
    gboolean ok = g_ascii_isdigit(*p);
    while (ok && g_ascii_isdigit(*p) && num < UINT32_MAX)
        num = num * 10 + (uint64_t)(*p++ - '0');
    if (ok && *p == '.') { /* a decimal: 0.25 */
        for (p++; g_ascii_isdigit(*p) && den < 1000000; p++) {
            num = num * 10 + (uint64_t)(*p - '0');
            den *= 10;
        }
    }
    if (ok && *p == '/') {
        uint64_t d = 0;
        for (p++; g_ascii_isdigit(*p) && d < UINT32_MAX; p++)
            d = d * 10 + (uint64_t)(*p - '0');
        den *= d;
    } else if (ok && *p == '%') {
        den *= 100;
        p++;
    }
    ok = ok && *p == '\0' && den > 0 && num <= den;
    if (!ok) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "\"%s\": expected a share of the stake from 0 to 1, such as 1/3, 0.25, 30%% or "
                    "0 (none)",
                    text);
        return FALSE;
    }
    *out = (SimSwarmShare){num, den};
    return TRUE;
}

void sim_swarm_draw_clear(SimSwarmDraw *draw)
{
    g_free(draw->last);
    memset(draw, 0, sizeof *draw);
}

/* --- drawing ------------------------------------------------------------------------------- */

typedef struct Drawer {
    const SimSwarmBudget *budget;
    const SimSwarmBase *base;
    GKeyFile *file;
    SimRng rng;
    SimSwarmDraw *draw;
    guint count;      /* groups written */
    SimTime last_end; /* liveness: the latest heal so far */
} Drawer;

static uint64_t between(Drawer *d, uint64_t low, uint64_t high)
{
    SIM_ASSERT(low <= high);
    return low + sim_rng_below(&d->rng, high - low + 1);
}

static gboolean allowed(const Drawer *d, SimFaultKind kind)
{
    return (d->budget->kinds >> kind) & 1u;
}

/* A new group [fault.explore-N-KIND]; returns its name (g_free). */
static char *new_group(Drawer *d, SimFaultKind kind)
{
    d->count++;
    d->draw->kinds[kind]++;
    char *group = g_strdup_printf("fault.explore-%u-%s", d->count, sim_fault_kind_name(kind));
    g_key_file_set_value(d->file, group, "kind", sim_fault_kind_name(kind));
    return group;
}

static void set_time(Drawer *d, const char *group, const char *key, SimDuration ns)
{
    char *text = g_strdup_printf("%" PRIu64 "ms", ns / SIM_MS);
    g_key_file_set_value(d->file, group, key, text);
    g_free(text);
}

/* A window: a start within the first three quarters of the horizon and a duration of 200 ms
 * up to half the horizon (at least a view timeout); open-ended with probability `open_ppm`
 * outside liveness mode. */
static void set_window(Drawer *d, const char *group, uint64_t open_ppm)
{
    SimTime horizon = MAX(d->base->horizon, SIM_S);
    SimTime at = between(d, 0, horizon / 4 * 3 / SIM_MS) * SIM_MS;
    set_time(d, group, "at", at);
    gboolean open = sim_rng_chance_ppm(&d->rng, open_ppm);
    if (open && !d->budget->liveness) return;
    SimDuration longest = MAX(horizon / 2, d->base->view_timeout);
    SimDuration length = between(d, 200, MAX(longest / SIM_MS, 200)) * SIM_MS;
    set_time(d, group, "duration", length);
    if (d->budget->liveness && at + length >= d->last_end) {
        d->last_end = at + length;
        g_free(d->draw->last);
        d->draw->last = g_strdup(group + strlen("fault."));
    }
}

/* `count` distinct validators, drawn from `pool` (reordered in place; a partial shuffle). */
static void pick(Drawer *d, uint32_t *pool, uint32_t pool_len, uint32_t count, SimNodeSet *out)
{
    SIM_ASSERT(count <= pool_len);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t j = i + (uint32_t)sim_rng_below(&d->rng, pool_len - i);
        uint32_t t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        sim_node_set_add(out, pool[i]);
    }
}

/* A random non-empty set of validators (any size up to all). */
static void random_set(Drawer *d, SimNodeSet *out, uint32_t most)
{
    uint32_t n = d->base->nodes;
    uint32_t *pool = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++)
        pool[i] = i;
    pick(d, pool, n, (uint32_t)between(d, 1, MIN(most, n)), out);
    g_free(pool);
}

static void set_nodes(Drawer *d, const char *group, const char *key, const SimNodeSet *set)
{
    char *text = sim_node_set_format(set);
    g_key_file_set_value(d->file, group, key, text);
    g_free(text);
}

/* --- the faulty set -------------------------------------------------------------------------- */

typedef struct Tally {
    uint64_t total, total_da;         /* stake of all, of the DA committee */
    uint64_t faulty, faulty_da;       /* Byzantine + crashed so far */
    uint64_t byzantine, byzantine_da; /* Byzantine so far */
    uint64_t crashed, crashed_da;
} Tally;

/* 128-bit products (GCC and Clang); __extension__ keeps -Wpedantic quiet about them. */
__extension__ typedef unsigned __int128 Wide;

static gboolean within(SimSwarmShare share, uint64_t amount, uint64_t total)
{
    /* amount < num/den * total, exactly */
    return (Wide)amount * share.den < (Wide)share.num * total;
}

/* Whether validator `id` may join as Byzantine (or as crashed) without breaking the budget. */
static gboolean fits(const Drawer *d, const Tally *t, uint32_t id, gboolean byzantine)
{
    const SimSwarmBudget *b = d->budget;
    uint64_t s = d->base->stakes[id];
    gboolean da = id < d->base->da_committee;
    uint64_t s_da = da ? s : 0;
    gboolean ok = within(b->faulty, t->faulty + s, t->total);
    ok = ok && (!da || within(b->faulty, t->faulty_da + s_da, t->total_da));
    if (byzantine) {
        ok = ok && within(b->byzantine, t->byzantine + s, t->total);
        ok = ok && (!da || within(b->byzantine, t->byzantine_da + s_da, t->total_da));
    } else {
        ok = ok && within(b->crashed, t->crashed + s, t->total);
        ok = ok && (!da || within(b->crashed, t->crashed_da + s_da, t->total_da));
    }
    return ok;
}

static void count_in(const Drawer *d, Tally *t, uint32_t id, gboolean byzantine)
{
    uint64_t s = d->base->stakes[id];
    uint64_t s_da = id < d->base->da_committee ? s : 0;
    t->faulty += s, t->faulty_da += s_da;
    if (byzantine) {
        t->byzantine += s, t->byzantine_da += s_da;
    } else {
        t->crashed += s, t->crashed_da += s_da;
    }
}

/* The stake totals, with the scenario's own faulty validators counted (as Byzantine and as
 * crashed both: which they are does not matter to the share left). */
static void tally_base(const Drawer *d, Tally *t)
{
    *t = (Tally){0};
    for (uint32_t i = 0; i < d->base->nodes; i++) {
        t->total += d->base->stakes[i];
        if (i < d->base->da_committee) t->total_da += d->base->stakes[i];
    }
    for (uint32_t i = 0; i < d->base->nodes; i++) {
        if (d->base->faulty == NULL || !d->base->faulty[i]) continue;
        count_in(d, t, i, TRUE);
        uint64_t s = d->base->stakes[i], s_da = i < d->base->da_committee ? s : 0;
        t->crashed += s, t->crashed_da += s_da;
    }
}

/* A behaviour from the allowed ones; the DA layer's own only with it on. NONE if there is none. */
static ProtoByzantineKind draw_behaviour(Drawer *d)
{
    ProtoByzantineKind options[PROTO_BYZANTINE_KIND_COUNT_];
    guint n = 0;
    for (int k = 1; k < PROTO_BYZANTINE_KIND_COUNT_; k++) {
        /* honest without epochs, which swarms do not draw (and so their draws stay as they were) */
        if (k == PROTO_BYZANTINE_NONEMPTY_TRANSITION) continue;
        gboolean da_only = k == PROTO_BYZANTINE_DA_NO_STORE || k == PROTO_BYZANTINE_VID_WITHHOLD ||
                           k == PROTO_BYZANTINE_CORRUPT_SHARES ||
                           k == PROTO_BYZANTINE_INCONSISTENT_ENCODING;
        if (((d->budget->behaviours >> k) & 1u) && (!da_only || d->base->da_committee > 0))
            options[n++] = (ProtoByzantineKind)k;
    }
    return n == 0 ? PROTO_BYZANTINE_NONE : options[sim_rng_below(&d->rng, n)];
}

static void write_byzantine(Drawer *d, uint32_t id, ProtoByzantineKind behaviour)
{
    char *group = new_group(d, SIM_FAULT_BYZANTINE);
    char *nodes = g_strdup_printf("%u", id);
    g_key_file_set_value(d->file, group, "nodes", nodes);
    g_key_file_set_value(d->file, group, "behaviour", proto_byzantine_name(behaviour));
    /* A quarter of them only for a window (behaviours that can be switched on and off). */
    if (proto_byzantine_can_switch(behaviour) && sim_rng_chance_ppm(&d->rng, 250000))
        set_window(d, group, 0);
    d->draw->byzantine++;
    g_free(nodes);
    g_free(group);
}

/* A crash (restarting after its window, or for good) or a pause of validator `id`. */
static void write_crash(Drawer *d, uint32_t id, gboolean pause)
{
    SimFaultKind kind = pause ? SIM_FAULT_PAUSE : SIM_FAULT_CRASH;
    char *group = new_group(d, kind);
    char *nodes = g_strdup_printf("%u", id);
    g_key_file_set_value(d->file, group, "nodes", nodes);
    set_window(d, group, pause ? 0 : 250000); /* a pause needs an end */
    d->draw->crashed++;
    g_free(nodes);
    g_free(group);
}

/* Draws how many validators turn faulty, then which, within the budget, and what each does. */
static void draw_faulty(Drawer *d)
{
    gboolean byz_ok = allowed(d, SIM_FAULT_BYZANTINE) && draw_behaviour(d) != PROTO_BYZANTINE_NONE;
    gboolean crash_ok = allowed(d, SIM_FAULT_CRASH) || allowed(d, SIM_FAULT_PAUSE);
    uint32_t n = d->base->nodes;
    Tally t;
    tally_base(d, &t);
    uint32_t *order = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    SimNodeSet all;
    sim_node_set_init(&all, n);
    pick(d, order, n, n, &all); /* a random order of every validator */
    sim_node_set_clear(&all);
    uint32_t wanted = (uint32_t)between(d, 0, n / 3 + 1), taken = 0;
    for (uint32_t i = 0; i < n && taken < wanted && (byz_ok || crash_ok); i++) {
        uint32_t id = order[i];
        if (d->base->faulty != NULL && d->base->faulty[id]) continue;
        gboolean byzantine = byz_ok && (!crash_ok || sim_rng_chance_ppm(&d->rng, 500000));
        if (!fits(d, &t, id, byzantine)) continue;
        count_in(d, &t, id, byzantine);
        taken++;
        if (byzantine) {
            ProtoByzantineKind behaviour = draw_behaviour(d);
            write_byzantine(d, id, behaviour);
            /* amnesia shows only across a restart: give it one */
            if (proto_byzantine_is_amnesia(behaviour) && allowed(d, SIM_FAULT_CRASH))
                write_crash(d, id, FALSE);
        } else {
            gboolean pause = !allowed(d, SIM_FAULT_CRASH) ||
                             (allowed(d, SIM_FAULT_PAUSE) && sim_rng_chance_ppm(&d->rng, 250000));
            write_crash(d, id, pause);
        }
    }
    g_free(order);
}

/* --- the other faults ------------------------------------------------------------------------ */

/* Two groups (a random split), or one way from a set to the rest; dropping, or holding a
 * quarter of the time. */
static void write_partition(Drawer *d, const char *group)
{
    uint32_t n = d->base->nodes;
    SimNodeSet side, rest;
    sim_node_set_init(&side, n);
    sim_node_set_init(&rest, n);
    random_set(d, &side, n - 1);
    for (uint32_t i = 0; i < n; i++) {
        if (!sim_node_set_contains(&side, i)) sim_node_set_add(&rest, i);
    }
    if (sim_rng_chance_ppm(&d->rng, 250000)) {
        set_nodes(d, group, "from", &side);
        set_nodes(d, group, "to", &rest);
        g_key_file_set_value(d->file, group, "one_way", "true");
    } else {
        char *a = sim_node_set_format(&side), *b = sim_node_set_format(&rest);
        char *groups = g_strdup_printf("%s | %s", a, b);
        g_key_file_set_value(d->file, group, "groups", groups);
        g_free(a), g_free(b), g_free(groups);
    }
    if (sim_rng_chance_ppm(&d->rng, 250000)) g_key_file_set_value(d->file, group, "mode", "hold");
    sim_node_set_clear(&side);
    sim_node_set_clear(&rest);
    set_window(d, group, 125000);
}

/* Draws the `from` and `to` sets of a link fault, in that order, and writes them. */
static void write_link_sets(Drawer *d, const char *group)
{
    SimNodeSet from, to;
    sim_node_set_init(&from, d->base->nodes);
    sim_node_set_init(&to, d->base->nodes);
    random_set(d, &from, d->base->nodes);
    random_set(d, &to, d->base->nodes);
    set_nodes(d, group, "from", &from);
    set_nodes(d, group, "to", &to);
    sim_node_set_clear(&from);
    sim_node_set_clear(&to);
}

/* Links from one set to another: latency 1x-10x, bandwidth divided by 1-10, loss 0-20%. */
static void write_degrade(Drawer *d, const char *group)
{
    write_link_sets(d, group);
    char *text = g_strdup_printf("%" PRIu64 ".%" PRIu64 "x", between(d, 1, 9), between(d, 0, 9));
    g_key_file_set_value(d->file, group, "latency", text);
    g_free(text);
    text = g_strdup_printf("%" PRIu64 "x", between(d, 1, 10));
    g_key_file_set_value(d->file, group, "bandwidth", text);
    g_free(text);
    text = g_strdup_printf("%" PRIu64 "%%", between(d, 0, 20));
    g_key_file_set_value(d->file, group, "loss", text);
    g_free(text);
    set_window(d, group, 125000);
}

/* One to three message types from one set to another, dropped or delayed (10 ms up to a view
 * timeout). */
static void write_filter(Drawer *d, const char *group)
{
    GString *types = g_string_new(NULL);
    uint64_t chosen = 0;
    for (uint64_t i = 0, count = between(d, 1, 3); i < count; i++) {
        uint64_t t = between(d, 1, PROTO_MSG_TYPE_COUNT_ - 1);
        if ((chosen >> t) & 1u) continue;
        chosen |= (uint64_t)1 << t;
        g_string_append_printf(types, "%s%s", types->len ? ", " : "",
                               proto_msg_type_name((ProtoMsgType)t));
    }
    g_key_file_set_value(d->file, group, "types", types->str);
    g_string_free(types, TRUE);
    write_link_sets(d, group);
    if (sim_rng_chance_ppm(&d->rng, 500000)) {
        g_key_file_set_value(d->file, group, "action", "delay");
        uint64_t most = MAX(d->base->view_timeout / SIM_MS, 10);
        set_time(d, group, "delay", between(d, 10, most) * SIM_MS);
    }
    set_window(d, group, 125000);
}

/* Slow CPUs (2x-10x) for a window, or skewed view timers (0.5x-2x) for the whole run. */
static void write_cpu_or_clock(Drawer *d, const char *group, SimFaultKind kind)
{
    SimNodeSet nodes;
    sim_node_set_init(&nodes, d->base->nodes);
    random_set(d, &nodes, d->base->nodes);
    set_nodes(d, group, "nodes", &nodes);
    sim_node_set_clear(&nodes);
    uint64_t tenths = kind == SIM_FAULT_SLOW ? between(d, 20, 100) : between(d, 5, 20);
    char *text = g_strdup_printf("%" PRIu64 ".%" PRIu64 "x", tenths / 10, tenths % 10);
    g_key_file_set_value(d->file, group, "factor", text);
    g_free(text);
    if (kind == SIM_FAULT_SLOW) set_window(d, group, 0);
}

static void draw_others(Drawer *d)
{
    static const SimFaultKind kinds[] = {SIM_FAULT_PARTITION, SIM_FAULT_DEGRADE, SIM_FAULT_FILTER,
                                         SIM_FAULT_SLOW, SIM_FAULT_SKEW};
    SimFaultKind options[G_N_ELEMENTS(kinds)];
    guint n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (allowed(d, kinds[i]) && (kinds[i] != SIM_FAULT_PARTITION || d->base->nodes > 1))
            options[n++] = kinds[i];
    }
    uint64_t count = n == 0 ? 0 : between(d, 0, d->budget->faults_max);
    for (uint64_t i = 0; i < count; i++) {
        SimFaultKind kind = options[sim_rng_below(&d->rng, n)];
        char *group = new_group(d, kind);
        if (kind == SIM_FAULT_PARTITION) {
            write_partition(d, group);
        } else if (kind == SIM_FAULT_DEGRADE) {
            write_degrade(d, group);
        } else if (kind == SIM_FAULT_FILTER) {
            write_filter(d, group);
        } else {
            write_cpu_or_clock(d, group, kind);
        }
        g_free(group);
    }
}

/* Liveness mode: run on for twice the bound past the last heal, and expect a decide within
 * the bound after it. */
static void write_liveness(Drawer *d)
{
    SimDuration bound = d->budget->recovery;
    SimTime end = MAX(d->last_end, d->base->horizon) + 2 * bound;
    g_key_file_set_value(d->file, "scenario", "views", "0");
    g_key_file_set_value(d->file, "scenario", "blocks", "0");
    set_time(d, "scenario", "duration", (end / SIM_MS + 1) * SIM_MS);
    if (d->draw->last == NULL) return;
    char *key = g_strdup_printf("recovery.%s <", d->draw->last);
    char *value = g_strdup_printf("%" PRIu64 "ms", bound / SIM_MS);
    g_key_file_set_value(d->file, "expect", key, value);
    g_free(key);
    g_free(value);
}

void sim_swarm_draw(const SimSwarmBudget *budget, const SimSwarmBase *base, uint64_t seed,
                    GKeyFile *file, SimSwarmDraw *draw)
{
    SIM_ASSERT(budget != NULL && base != NULL && file != NULL && draw != NULL);
    SIM_ASSERT(base->nodes > 0 && base->stakes != NULL);
    memset(draw, 0, sizeof *draw);
    Drawer d = {.budget = budget, .base = base, .file = file, .draw = draw};
    sim_rng_init(&d.rng, sim_rng_xoshiro256ss, seed, "explore", 0);
    char *text = g_strdup_printf("%" PRIu64, seed);
    g_key_file_set_value(file, "scenario", "seed", text);
    g_free(text);
    draw_faulty(&d);
    draw_others(&d);
    if (budget->liveness) write_liveness(&d);
    sim_rng_clear(&d.rng);
}
