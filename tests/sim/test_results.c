/*
 * Results folders parse back: summary.json with json-glib, every CSV table with a small CSV
 * reader here, each with the documented columns and with contents that agree with the run
 * (a row per view, per decided block, per validator; the fault's window; blocks per second
 * summing to the blocks decided). No temporary file is left behind.
 */
#include "sim/out/results.h"
#include "sim/out/trace.h"
#include "tests/check_main.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* A CSV table: the header's columns and the rows' fields (quoted fields may hold commas). */
typedef struct Table {
    char **columns;
    GPtrArray *rows; /* char ** */
} Table;

static char **split_row(const char *line)
{
    GPtrArray *fields = g_ptr_array_new();
    GString *field = g_string_new(NULL);
    gboolean quoted = FALSE;
    for (const char *p = line;; p++) {
        if (*p == '"') {
            quoted = !quoted;
        } else if ((*p == ',' && !quoted) || *p == '\0') {
            g_ptr_array_add(fields, g_strdup(field->str));
            g_string_truncate(field, 0);
            if (*p == '\0') break;
        } else {
            g_string_append_c(field, *p);
        }
    }
    g_string_free(field, TRUE);
    g_ptr_array_add(fields, NULL);
    return (char **)g_ptr_array_free(fields, FALSE);
}

static Table read_table(const char *dir, const char *name, const char *header)
{
    char *path = g_build_filename(dir, name, NULL), *text = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "%s missing", name);
    char **lines = g_strsplit(text, "\n", -1);
    ck_assert_str_eq(lines[0], header);
    Table t = {split_row(lines[0]), g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev)};
    for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        char **row = split_row(lines[i]);
        ck_assert_msg(g_strv_length(row) == g_strv_length(t.columns), "%s line %u: %u fields", name,
                      i + 1, g_strv_length(row));
        g_ptr_array_add(t.rows, row);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return t;
}

static void table_clear(Table *t)
{
    g_strfreev(t->columns);
    g_ptr_array_unref(t->rows);
}

static const char *field(const Table *t, guint row, const char *column)
{
    for (guint c = 0; t->columns[c] != NULL; c++) {
        if (strcmp(t->columns[c], column) == 0) return ((char **)t->rows->pdata[row])[c];
    }
    ck_abort_msg("no column %s", column);
    return NULL;
}

static void check_summary(const char *dir, const SimRun *run)
{
    char *path = g_build_filename(dir, "summary.json", NULL);
    JsonParser *parser = json_parser_new();
    ck_assert(json_parser_load_from_file(parser, path, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    ck_assert(json_object_get_boolean_member(root, "complete"));
    ck_assert(!json_object_get_boolean_member(root, "passed")); /* as the caller said */
    JsonObject *scenario = json_object_get_object_member(root, "scenario");
    ck_assert_str_eq(json_object_get_string_member(scenario, "name"), "results");
    ck_assert_int_eq(json_object_get_int_member(scenario, "seed"), 4);
    ck_assert_uint_eq(strlen(json_object_get_string_member(scenario, "blake2b")), 64);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(sim_run_engine(run), digest);
    ck_assert_str_eq(json_object_get_string_member(root, "digest"), digest);
    JsonObject *oracles = json_object_get_object_member(root, "oracles");
    JsonObject *safety = json_object_get_object_member(oracles, "safety");
    ck_assert(json_object_get_boolean_member(safety, "ok"));
    ck_assert(json_object_get_null_member(safety, "violated")); /* null unless violated */
    JsonArray *expectations = json_object_get_array_member(root, "expectations");
    ck_assert_uint_eq(json_array_get_length(expectations), 2);
    JsonObject *metrics = json_object_get_object_member(root, "metrics");
    ck_assert_int_eq(json_object_get_int_member(metrics, "blocks"),
                     (gint64)ana_liveness_blocks(sim_run_liveness(run)));
    JsonObject *tx = json_object_get_object_member(metrics, "transactions");
    ck_assert_int_gt(json_object_get_int_member(tx, "decided"), 100);
    ck_assert(json_object_get_double_member(json_object_get_object_member(metrics, "finality"),
                                            "p50") > 0);
    g_object_unref(parser);
    g_free(path);
}

static void check_tables(const char *dir, const SimRun *run)
{
    const AnaLiveness *l = sim_run_liveness(run);
    Table views = read_table(dir, "views.csv",
                             "view,leader,outcome,proposed_at,decided_at,timeouts,view_sync,epoch");
    ck_assert_uint_eq(views.rows->len, ana_liveness_max_view(l));
    ck_assert_str_eq(field(&views, 0, "epoch"), ""); /* no epochs in this run */
    Table epochs = read_table(dir, "epochs.csv",
                              "epoch,validators,stake,started_at,transition_from_view,"
                              "transition_to_view,transition_views");
    ck_assert_uint_eq(epochs.rows->len, 0);
    Table blocks =
        read_table(dir, "blocks.csv", "height,view,proposed_at,decided_at,latency,payload_bytes");
    ck_assert_uint_eq(blocks.rows->len, ana_liveness_blocks(l));
    ck_assert_str_eq(field(&blocks, 0, "height"), "1");
    Table throughput =
        read_table(dir, "throughput.csv", "second,blocks,payload_bytes,transactions");
    guint64 sum = 0, txs = 0;
    for (guint r = 0; r < throughput.rows->len; r++) {
        sum += g_ascii_strtoull(field(&throughput, r, "blocks"), NULL, 10);
        txs += g_ascii_strtoull(field(&throughput, r, "transactions"), NULL, 10);
    }
    ck_assert_uint_eq(sum, ana_liveness_blocks(l));
    ck_assert_uint_eq(txs, ana_data_decided_txs(sim_run_data(run)));
    Table latency = read_table(dir, "latency.csv", "metric,percentile,seconds");
    ck_assert_str_eq(field(&latency, 0, "metric"), "finality");
    /* The histogram holds every finality and transaction sample, in contiguous bins. */
    Table histogram = read_table(dir, "latency_histogram.csv", "metric,from,to,count");
    guint64 finality = 0, tx = 0;
    for (guint r = 0; r < histogram.rows->len; r++) {
        guint64 n = g_ascii_strtoull(field(&histogram, r, "count"), NULL, 10);
        const char *metric = field(&histogram, r, "metric");
        if (strcmp(metric, "finality") == 0) finality += n;
        if (strcmp(metric, "tx_decide") == 0) tx += n;
        if (r > 0 && strcmp(metric, field(&histogram, r - 1, "metric")) == 0)
            ck_assert_str_eq(field(&histogram, r, "from"), field(&histogram, r - 1, "to"));
    }
    ck_assert_uint_eq(finality, ana_histogram_count(ana_liveness_latency(l)));
    ck_assert_uint_eq(tx, ana_data_decided_txs(sim_run_data(run)));
    Table nodes = read_table(dir, "nodes.csv",
                             "node,region,byzantine,vcpus,clock_factor,cpu_busy,cpu_busy_fraction,"
                             "uplink_wait,"
                             "downlink_wait,msgs_sent,bytes_sent,msgs_received,bytes_received,"
                             "msgs_dropped,host");
    ck_assert_uint_eq(nodes.rows->len, 10); /* direct transport: no relay rows */
    ck_assert_str_eq(field(&nodes, 9, "host"), "validator");
    ck_assert(g_ascii_strtod(field(&nodes, 0, "cpu_busy"), NULL) > 0);
    ck_assert_str_eq(field(&nodes, 0, "vcpus"), "1");
    ck_assert_str_eq(field(&nodes, 0, "clock_factor"), "1.000000"); /* the reference clock */
    /* The busy fraction is the busy time over the run's virtual time (one vCPU). */
    double busy = g_ascii_strtod(field(&nodes, 0, "cpu_busy"), NULL);
    double fraction = g_ascii_strtod(field(&nodes, 0, "cpu_busy_fraction"), NULL);
    double end = (double)sim_engine_now(sim_run_engine(run)) / 1e9;
    ck_assert_double_eq_tol(fraction, busy / end, 1e-6);
    ck_assert_double_gt(fraction, 0);
    ck_assert_double_lt(fraction, 1);
    Table types = read_table(dir, "node_types.csv",
                             "node,type,msgs_sent,bytes_sent,msgs_received,bytes_received,"
                             "msgs_dropped,uplink_wait,downlink_wait,host");
    ck_assert_uint_gt(types.rows->len, 10);
    Table roles = read_table(dir, "roles.csv", "role,type,messages,bytes");
    ck_assert_str_eq(field(&roles, 0, "role"), "leader");
    Table faults = read_table(dir, "faults.csv", "name,kind,started,start,end,nodes");
    ck_assert_uint_eq(faults.rows->len, 2);
    ck_assert_str_eq(field(&faults, 0, "kind"), "crash");
    ck_assert_str_eq(field(&faults, 0, "start"), "10.000000000");
    ck_assert_str_eq(field(&faults, 0, "end"), "20.000000000");
    ck_assert_str_eq(field(&faults, 0, "nodes"), "2-3");
    ck_assert_str_eq(field(&faults, 1, "kind"), "partition");
    ck_assert_str_eq(field(&faults, 1, "nodes"), "0-4 | 5-9"); /* the groups, as written */
    Table queue = read_table(dir, "leader_queue.csv", "view,leader,time,uplink_backlog");
    ck_assert_uint_ge(queue.rows->len, blocks.rows->len);
    Table *all[] = {&views, &epochs, &blocks, &throughput, &latency, &histogram,
                    &nodes, &types,  &roles,  &faults,     &queue};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        table_clear(all[i]);
}

START_TEST(results_parse_back_with_the_documented_columns)
{
    SimScenario s;
    GError *error = NULL;
    ck_assert(sim_scenario_parse(
        &s, "results.ini",
        "[scenario]\nname = results\nseed = 4\nviews = 60\n"
        "[consensus]\nnodes = 10\n[da]\ncommittee = 4\n"
        "[workload]\nrollups = 2\ntx_rate = 20/s\n"
        "[fault.down]\nkind = crash\nnodes = 2-3\nat = 10s\n"
        "until = 20s\n[fault.split]\nkind = partition\n"
        "groups = 0-4 | 5-9\nat = 30s\nuntil = 35s\n[expect]\nsafety = ok\ndecided_blocks >= 10\n",
        NULL, &error));
    SimRecorder *recorder = sim_recorder_new("4"); /* a 4-node sample plus the leaders */
    sim_recorder_observe(recorder, &s.config);
    SimRun *run = sim_run_new(&s.config, &error);
    ck_assert_ptr_nonnull(run);
    ck_assert(sim_recorder_attach(recorder, run, NULL));
    sim_run_execute(run);
    SimExpectResult results[2];
    for (guint i = 0; i < 2; i++)
        sim_expect_evaluate(s.expectations->pdata[i], run, &results[i]);
    char *dir = g_dir_make_tmp("shotglass-results-XXXXXX", NULL);
    const char *const overrides[] = {"scenario.seed=4", NULL};
    SimResultsInfo info = {&s, overrides, results, 0.5, TRUE, FALSE};
    ck_assert(sim_results_write(dir, run, recorder, &info, &error));
    check_summary(dir, run);
    check_tables(dir, run);
    char *timeline = g_build_filename(dir, "timeline.json", NULL);
    JsonParser *parser = json_parser_new();
    ck_assert(json_parser_load_from_file(parser, timeline, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    ck_assert_uint_gt(json_array_get_length(json_object_get_array_member(root, "traceEvents")),
                      100);
    g_object_unref(parser);
    g_free(timeline);
    /* digests.csv: checkpoints every SIM_TRACE_EVERY_DEFAULT events, the last one the digest. */
    char *digests = g_build_filename(dir, "digests.csv", NULL);
    GArray *checkpoints = g_array_new(FALSE, TRUE, sizeof(SimTraceCheckpoint));
    ck_assert(sim_trace_read_csv(digests, checkpoints, NULL));
    ck_assert_uint_gt(checkpoints->len, 2);
    const SimTraceCheckpoint *last =
        &g_array_index(checkpoints, SimTraceCheckpoint, checkpoints->len - 1);
    uint8_t digest[SIM_DIGEST_BYTES];
    sim_engine_digest(sim_run_engine(run), digest);
    ck_assert_mem_eq(last->digest, digest, SIM_DIGEST_BYTES);
    ck_assert_uint_eq(last->events, sim_engine_trace_events(sim_run_engine(run)));
    ck_assert_uint_le(last->time, sim_engine_now(sim_run_engine(run)));
    ck_assert_uint_eq(g_array_index(checkpoints, SimTraceCheckpoint, 0).events,
                      SIM_TRACE_EVERY_DEFAULT);
    g_array_unref(checkpoints);
    g_free(digests);
    /* Nothing but the documented files: no temporary left over. */
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint files = 0;
    while ((name = g_dir_read_name(d)) != NULL) {
        ck_assert_msg(g_str_has_suffix(name, ".csv") || g_str_has_suffix(name, ".json") ||
                          g_str_has_suffix(name, ".ini"),
                      "unexpected file %s", name);
        char *path = g_build_filename(dir, name, NULL);
        g_unlink(path);
        g_free(path);
        files++;
    }
    g_dir_close(d);
    ck_assert_uint_eq(files, 15);
    g_rmdir(dir);
    g_free(dir);
    for (guint i = 0; i < 2; i++)
        sim_expect_result_clear(&results[i]);
    sim_run_free(run);
    sim_recorder_free(recorder);
    sim_scenario_clear(&s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *suite = suite_create("results");
    TCase *tc = tcase_create("results");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, results_parse_back_with_the_documented_columns);
    suite_add_tcase(suite, tc);
    return suite;
}
