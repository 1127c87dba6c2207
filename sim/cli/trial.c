/* Trials: one run in a child process, reduced to what failed; see trial.h. */
#include "sim/cli/trial.h"

#include "sim/core/assert.h"
#include "sim/scenario/scenario.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Records in the pipe start with this byte; anything else is the child's stderr. */
#define RECORD           '\x01'
#define CHILD_OUTPUT_MAX (64 * 1024) /* what is read of a child's pipe; the rest is skipped */

void sim_trial_clear(SimTrial *trial)
{
    if (trial->failures != NULL) g_ptr_array_unref(trial->failures);
    g_free(trial->detail);
    memset(trial, 0, sizeof *trial);
}

gboolean sim_trial_has(const SimTrial *trial, const char *tag)
{
    for (guint i = 0; trial->failures != NULL && i < trial->failures->len; i++) {
        if (strcmp(trial->failures->pdata[i], tag) == 0) return TRUE;
    }
    return FALSE;
}

/* --- in the child ---------------------------------------------------------------------------- */

/* Writes one record line: `kind`, then the fields (NULL-terminated), separated by tabs; tabs
 * and newlines inside a field become spaces. */
static void emit_fields(const char *kind, const char *const *fields)
{
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "%c%s", RECORD, kind);
    for (guint i = 0; fields[i] != NULL; i++) {
        g_string_append_c(line, '\t');
        for (const char *p = fields[i]; *p != '\0'; p++)
            g_string_append_c(line, *p == '\t' || *p == '\n' ? ' ' : *p);
    }
    g_string_append_c(line, '\n');
    fputs(line->str, stdout);
    g_string_free(line, TRUE);
}

static void emit(const char *kind, const char *text)
{
    const char *fields[] = {text, NULL};
    emit_fields(kind, fields);
}

static void emit_failure(GPtrArray *seen, const char *tag, const char *detail)
{
    for (guint i = 0; i < seen->len; i++) {
        if (strcmp(seen->pdata[i], tag) == 0) return;
    }
    g_ptr_array_add(seen, g_strdup(tag));
    const char *fields[] = {tag, detail != NULL ? detail : "", NULL};
    emit_fields("failure", fields);
}

static gboolean expects(const SimScenario *s, int metric)
{
    for (guint i = 0; i < s->expectations->len; i++) {
        if ((int)((const SimExpectation *)s->expectations->pdata[i])->metric == metric) return TRUE;
    }
    return FALSE;
}

/* The failure tags of a finished run, in the order trial.h gives. */
static void emit_failures(const SimScenario *s, const SimRun *run)
{
    GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
    const AnaSafety *safety = sim_run_safety(run);
    gboolean unsafe = ana_safety_violated(safety);
    char *safety_tag =
        unsafe
            ? g_strdup_printf("safety:%s", ana_safety_kind_name(ana_safety_violation_kind(safety)))
            : NULL;
    const char *safety_why = unsafe ? ana_safety_violation(safety) : NULL;
    const AnaData *data = sim_run_data(run);
    gboolean unavailable = data != NULL && ana_data_violated(data);
    if (unsafe && !expects(s, SIM_EXPECT_SAFETY)) emit_failure(seen, safety_tag, safety_why);
    if (unavailable && !expects(s, SIM_EXPECT_DA_AVAILABLE))
        emit_failure(seen, "da", ana_data_violation(data));
    for (guint i = 0; i < s->expectations->len; i++) {
        const SimExpectation *e = s->expectations->pdata[i];
        SimExpectResult result = {0};
        sim_expect_evaluate(e, run, &result);
        if (!result.pass && e->metric == SIM_EXPECT_SAFETY && unsafe) {
            emit_failure(seen, safety_tag, safety_why);
        } else if (!result.pass && e->metric == SIM_EXPECT_DA_AVAILABLE && unavailable) {
            emit_failure(seen, "da", ana_data_violation(data));
        } else if (!result.pass) {
            char *tag = g_strdup_printf("expect:%s", e->text);
            char *why = g_strdup_printf("%s: measured %s", e->text, result.measured);
            emit_failure(seen, tag, why);
            g_free(tag), g_free(why);
        }
        sim_expect_result_clear(&result);
    }
    if (sim_run_overflowed(run)) emit_failure(seen, "overflow", sim_run_stop_description(run));
    g_free(safety_tag);
    g_ptr_array_unref(seen);
}

/* Parses, runs and reports; the child's whole life. Returns its exit code. */
static int child_main(const char *path, const char *text)
{
    SimScenario s = {0};
    GError *error = NULL;
    if (!sim_scenario_parse(&s, path, text, NULL, &error)) {
        emit("invalid", error->message);
        g_error_free(error);
        return 2;
    }
    SimRun *run = sim_run_new(&s.config, &error);
    if (run == NULL) {
        char *why = g_strdup_printf("%s: %s", path, error->message);
        emit("invalid", why);
        g_free(why);
        g_error_free(error);
        sim_scenario_clear(&s);
        return 2;
    }
    sim_run_execute(run);
    char digest[2 * SIM_DIGEST_BYTES + 1];
    sim_engine_digest_hex(sim_run_engine(run), digest);
    char *numbers = g_strdup_printf("%d\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64, sim_run_stalled(run),
                                    ana_liveness_blocks(sim_run_liveness(run)),
                                    ana_liveness_max_view(sim_run_liveness(run)),
                                    sim_engine_now(sim_run_engine(run)));
    char **fields = g_strsplit(numbers, "\t", -1);
    GPtrArray *all = g_ptr_array_new();
    for (guint i = 0; fields[i] != NULL; i++)
        g_ptr_array_add(all, fields[i]);
    g_ptr_array_add(all, digest);
    g_ptr_array_add(all, NULL);
    emit_fields("run", (const char *const *)all->pdata);
    g_ptr_array_unref(all);
    g_strfreev(fields);
    g_free(numbers);
    emit_failures(&s, run);
    sim_run_free(run);
    sim_scenario_clear(&s);
    return 0;
}

gboolean sim_trial_start(const char *path, const char *text, SimTrialChild *child, GError **error)
{
    SIM_ASSERT(path != NULL && text != NULL && child != NULL);
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s",
                    g_strerror(errno));
        return FALSE;
    }
    pid_t pid = fork();
    if (pid < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "fork: %s",
                    g_strerror(errno));
        close(fds[0]), close(fds[1]);
        return FALSE;
    }
    if (pid == 0) { /* the child: stdout and stderr into the pipe */
        close(fds[0]);
        signal(SIGINT, SIG_IGN); /* the parent decides what a Ctrl-C stops */
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        int code = child_main(path, text);
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
    close(fds[1]);
    child->pid = pid;
    child->fd = fds[0];
    return TRUE;
}

/* --- in the parent --------------------------------------------------------------------------- */

/* Everything the child wrote, up to CHILD_OUTPUT_MAX bytes. */
static char *read_all(int fd)
{
    GString *out = g_string_new(NULL);
    char buffer[4096];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out->len < CHILD_OUTPUT_MAX) g_string_append_len(out, buffer, n);
    }
    return g_string_free(out, FALSE);
}

static void parse_record(SimTrial *out, const char *kind, char **fields)
{
    guint n = g_strv_length(fields);
    if (strcmp(kind, "run") == 0 && n == 5) {
        out->stalled = atoi(fields[0]) != 0;
        out->blocks = g_ascii_strtoull(fields[1], NULL, 10);
        out->views = g_ascii_strtoull(fields[2], NULL, 10);
        out->end = g_ascii_strtoull(fields[3], NULL, 10);
        g_strlcpy(out->digest, fields[4], sizeof out->digest);
    } else if (strcmp(kind, "failure") == 0 && n == 2) {
        g_ptr_array_add(out->failures, g_strdup(fields[0]));
        if (out->detail == NULL) out->detail = g_strdup(fields[1]);
        out->status = SIM_TRIAL_FAILED;
    } else if (strcmp(kind, "invalid") == 0 && n >= 1) {
        g_free(out->detail);
        out->detail = g_strdup(fields[0]);
        out->status = SIM_TRIAL_INVALID;
    }
}

/* A dead child's tag: the failed assertion's place ("crash:protocol/da.c:120"), or the
 * signal; its detail: the assertion's first line. */
static void crashed(SimTrial *out, const char *stderr_text, int wait_status)
{
    const char *assertion = strstr(stderr_text, "assertion failed: ");
    const char *at = assertion != NULL ? strstr(assertion, "\n  at ") : NULL;
    char *tag, *detail;
    if (at != NULL) {
        const char *from = at + strlen("\n  at ");
        tag = g_strdup_printf("crash:%.*s", (int)strcspn(from, " \n"), from);
        detail = g_strndup(assertion, (gsize)(at - assertion));
    } else if (WIFSIGNALED(wait_status)) {
        tag = g_strdup_printf("crash:signal %d", WTERMSIG(wait_status));
        detail = g_strdup_printf("killed by signal %d (%s)", WTERMSIG(wait_status),
                                 g_strsignal(WTERMSIG(wait_status)));
    } else {
        tag = g_strdup_printf("crash:exit %d", WEXITSTATUS(wait_status));
        detail = g_strdup_printf("exited with code %d before reporting", WEXITSTATUS(wait_status));
    }
    g_ptr_array_insert(out->failures, 0, tag);
    g_free(out->detail);
    out->detail = detail;
    out->status = SIM_TRIAL_CRASHED;
}

void sim_trial_finish(SimTrialChild *child, int wait_status, SimTrial *out)
{
    SIM_ASSERT(child != NULL && child->fd >= 0);
    *out = (SimTrial){.failures = g_ptr_array_new_with_free_func(g_free)};
    char *text = read_all(child->fd);
    close(child->fd);
    child->fd = -1;
    GString *rest = g_string_new(NULL); /* the child's stderr */
    gboolean ran = FALSE;
    char **lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] != RECORD) {
            g_string_append_printf(rest, "%s\n", lines[i]);
            continue;
        }
        char **fields = g_strsplit(lines[i] + 1, "\t", -1);
        if (fields[0] != NULL) {
            ran |= strcmp(fields[0], "run") == 0 || strcmp(fields[0], "invalid") == 0;
            parse_record(out, fields[0], fields + 1);
        }
        g_strfreev(fields);
    }
    gboolean clean =
        WIFEXITED(wait_status) && (WEXITSTATUS(wait_status) == 0 || WEXITSTATUS(wait_status) == 2);
    if (!clean || !ran) crashed(out, rest->str, wait_status);
    g_strfreev(lines);
    g_string_free(rest, TRUE);
    g_free(text);
}

gboolean sim_trial_run(const char *path, const char *text, SimTrial *out, GError **error)
{
    SimTrialChild child;
    if (!sim_trial_start(path, text, &child, error)) return FALSE;
    int status = 0;
    while (waitpid(child.pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = 0;
            break;
        }
    }
    sim_trial_finish(&child, status, out);
    return TRUE;
}
