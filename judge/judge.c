/*
 * judge.c: one job, start to finish (judge.h).
 *
 * Theory of operation
 * -------------------
 * A submission is judged in five steps, each of which may end it early:
 *   1. load the submission, its problem and language, and the list of tests; fetch every test's
 *      input and answer into the cache (a missing blob is a failure of the judge, retried);
 *   2. write the source into the worker's empty box folder and compile it once in the sandbox
 *      with the compiler profile and the language's compile limits; any failure of the
 *      compiler, including running out of time, memory or output, is CE with its message;
 *      C++ gets the host's precompiled <bits/stdc++.h> through a read-only bind;
 *   3. for a custom checker, make sure it is compiled (once per checker source, shared by all
 *      workers through the cache); it is copied into the worker's checker folder, a tmpfs
 *      emptied after every test, with the test's files bound read-only beside it;
 *   4. run each test: the sandbox's verdict first (TLE, MLE, OLE, RE), then the checker; stop
 *      at the first failure when the problem asks to, marking the rest SKIPPED; between tests
 *      notice a stop of the process or a lost lease and give up;
 *   5. score and record everything in one fenced transaction.
 * A run is steps 2 and 4 with one input and no checker.
 *
 * Anything that is the judge's fault (the sandbox failed, the database went away, data is
 * missing) returns an error: the job goes back to the queue and another attempt is made; what
 * is the program's fault is a verdict.
 *
 * This file runs the steps, each submission step a function of its own; compiling (step 2) is
 * compile.c, the custom checker (step 3 and its part of step 4) custom_checker.c, and the
 * worker's folders and box worker.c.
 */
#include "judge/judge-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "judge/cache.h"
#include "judge/checker.h"
#include "judge/lang.h"
#include "judge/score.h"
#include "common/utf8.h"

#define DEFAULT_OUTPUT_KB (64 * 1024)

/* Wall time a test gets beyond its CPU limit. It covers what a run spends off the CPU while
 * working normally: starting the process and loading its libraries or runtime (a few ms to
 * some tens; the JVM's start runs on several threads, so its CPU time outgrows its wall time),
 * reading its input, and short waits for a core (each worker has one: GAVEL_JUDGE_WORKERS is
 * the number of cores). A program that sleeps or blocks uses no CPU and is stopped there. */
#define JUDGE_WALL_MARGIN_MS 500

/* The wall clock of a second run, for a program the first one stopped while it was computing
 * (it had used a quarter of its CPU limit or more, but not all): a host whose cores are shared
 * (a virtual machine, the database, two programs faulting in memory at once: measured on a
 * 2-core VM, two such programs got half their wall time on the CPU) may not give it its CPU time
 * within the margin, and a verdict must not depend on that. */
#define JUDGE_WALL_SLOW(time_ms) ((uint32_t)(time_ms)*3 + 2000)

/* --- running --- */

struct run_outcome {
    enum judge_code code;
    struct sb_result res;
};

/* The verdict of a program's run from the sandbox's status: -EIO for a failure of the box. */
static int program_code(const struct judge_lang *lang, const struct sb_result *res,
                        const char *err_path, enum judge_code *ret)
{
    switch (res->status) {
    case SB_OK:
        *ret = JUDGE_AC;
        break;
    case SB_TLE:
        *ret = JUDGE_TLE;
        break;
    case SB_MLE:
        *ret = JUDGE_MLE;
        break;
    case SB_OLE:
        *ret = JUDGE_OLE;
        break;
    case SB_RE:
        *ret = JUDGE_RE;
        /* Runtimes that catch running out of memory themselves and exit. */
        if (lang->profile == SB_JVM || lang->profile == SB_PYTHON) {
            char *err = judge_read_text(err_path, 65536);
            if (err && (strstr(err, "java.lang.OutOfMemoryError") || strstr(err, "\nMemoryError") ||
                        !strncmp(err, "MemoryError", 11)))
                *ret = JUDGE_MLE;
            free(err);
        }
        break;
    default:
        return -EIO;
    }
    return 0;
}

/* Runs the program in the box folder on one input. */
static int run_program(struct judge_worker *w, const struct judge_lang *lang, const char *src,
                       const char *name, int time_ms, int wall_ms, int memory_mb,
                       uint64_t output_kb, const char *stdin_path, struct run_outcome *ret)
{
    char *argv[JUDGE_MAX_ARGS], out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    char archive[PATH_MAX];
    struct sb_bind binds[JUDGE_MAX_BINDS + 1];
    int r, hold;

    judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
    judge_worker_path(w, "stderr.txt", err_path, sizeof(err_path));
    hold = judge_archive_bind(w, lang, &binds[0], archive, sizeof(archive));
    r = judge_expand(lang->run_argv, lang->n_run,
                     &(struct judge_vars){.src = src,
                                          .name = name,
                                          .memory_mb = memory_mb,
                                          .archive = archive[0] ? JUDGE_ARCHIVE_DIR : NULL},
                     argv);
    if (r < 0) {
        if (hold >= 0)
            close(hold);
        return judge_fail(w, r, "bad run command of %s", lang->id);
    }
    /* Fresh files rather than truncated ones: on ext4, truncating a file that has data to zero
     * makes its close start writeback (auto_da_alloc), some 50 us a test plus the disk I/O;
     * an unlinked file's unwritten pages are just dropped. */
    (void)unlink(out_path);
    (void)unlink(err_path);
    struct sb_spec spec = {
        .argv = (const char *const *)argv,
        .stdin_path = stdin_path,
        .stdout_path = out_path,
        .stderr_path = err_path,
        .work_dir = w->box_dir,
        .profile = lang->profile,
        .binds = binds,
        .n_binds = judge_lang_binds(lang, binds, hold >= 0, JUDGE_MAX_BINDS + 1),
        /* The wall clock only catches programs that sleep or block, so it is the CPU limit
         * and a small margin (README: the wall clock): a sleeper costs a worker little more
         * than a program that computes to its limit. A program that was computing when it
         * fired is run again with a generous one, below. */
        .limits = {.time_ms = (uint32_t)time_ms,
                   .wall_ms =
                       wall_ms > 0 ? (uint32_t)wall_ms : (uint32_t)time_ms + JUDGE_WALL_MARGIN_MS,
                   .memory_kb = (uint64_t)memory_mb * 1024,
                   .output_kb = output_kb},
    };
    for (int attempt = 1;; attempt++) {
        r = sb_box_run(w->box, &spec, &ret->res);
        /* The wall clock fired on a program that was computing, not sleeping, and had not used
         * its CPU time: the host did not give it a fair run. Run it again, with time to spare
         * on the wall clock (twice at most: a host may stay busy for a while). */
        if (r < 0 || ret->res.status != SB_TLE || attempt >= 3 || wall_ms > 0 ||
            ret->res.cpu_ms >= (uint64_t)time_ms || ret->res.cpu_ms * 4 < (uint64_t)time_ms)
            break;
        log_msg(LOG_INFO, "wall clock fired after %llu ms of CPU out of %d: host busy, again",
                (unsigned long long)ret->res.cpu_ms, time_ms);
        spec.limits.wall_ms = JUDGE_WALL_SLOW(time_ms);
    }
    judge_argv_free(argv);
    if (hold >= 0)
        close(hold);
    if (r < 0)
        return judge_fail(w, r, "sandbox failed to run the program (%s)", ret->res.message);
    r = program_code(lang, &ret->res, err_path, &ret->code);
    if (r < 0)
        return judge_fail(w, r, "sandbox error: %s", ret->res.message);
    return 0;
}

/* --- a submission --- */

struct test_case {
    int ordinal;
    int points;
    char *group;
    char in[PATH_MAX];
    char ans[PATH_MAX];
};

/* The output cap of a test: the configured one, raised to twice the answer's size and a MiB
 * more when that is larger, so that a correct output always fits (CRLF line ends included),
 * whatever the size of the problem's answers. */
static uint64_t test_output_kb(uint64_t cap_kb, const char *ans_path)
{
    struct stat st;
    uint64_t need;

    if (stat(ans_path, &st) < 0)
        return cap_kb;
    need = ((uint64_t)st.st_size * 2 >> 10) + 1024;
    return need > cap_kb ? need : cap_kb;
}

static int stop_requested(struct judge_worker *w)
{
    if (atomic_load(&w->lost))
        return -ESTALE;
    if (atomic_load(&w->shared->stopping))
        return -ECANCELED;
    return 0;
}

/* Records IE at once for a fault of the problem, not of this judge (a retry would meet it
 * again), saying why, out of the problem's max_score: 0, -ESTALE when the job was lost, or the
 * failure to record it. */
static int record_problem_fault(struct judge_worker *w, struct db_conn *conn,
                                const struct db_job *job, int version, int max_score,
                                const char *why)
{
    int r = db_queue_record_submission(conn, job,
                                       &(struct db_submission_result){.verdict = "IE",
                                                                      .max_score = max_score,
                                                                      .message = why,
                                                                      .fault = "problem",
                                                                      .problem_version = version});

    if (r == 0)
        log_msg(LOG_WARN, "submission %lld: IE, %s", (long long)job->id, why);
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
    return r;
}

/* The exact bytes of a source, as a string: the base64 of column b64 when it is not empty (a
 * source that is not UTF-8, migration 195), else column text. NULL when out of memory or the
 * base64 is bad. Owned by the caller: free. */
static char *exact_source(const PGresult *res, int row, int text, int b64)
{
    const char *in = PQgetvalue(res, row, b64);
    size_t n = strlen(in), len = 0;
    char *out;

    if (!n)
        return strdup(PQgetvalue(res, row, text));
    out = malloc(n / 4 * 3 + 4);
    if (out && sodium_base642bin((unsigned char *)out, n / 4 * 3 + 3, in, n, "\n", &len, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out);
        return NULL;
    }
    if (out)
        out[len] = '\0'; /* stored without NUL bytes */
    return out;
}

/* The files of a submission or run of several files, in the order given: sql selects the
 * name, content and content_base64 of each of row $1's files. *ret_n is 0 for a one-file one. */
static int files_load(struct judge_worker *w, struct db_conn *conn, const char *sql, const char *id,
                      struct judge_file **ret, size_t *ret_n)
{
    PGresult *res = NULL;
    struct judge_file *v = NULL;
    int r, n;

    *ret = NULL;
    *ret_n = 0;
    r = db_query(conn, &res, sql, 1, (const char *[]){id});
    if (r < 0)
        return judge_fail(w, r, "cannot load the files of %s (%s)", id, db_error(conn));
    n = PQntuples(res);
    if (n > SOURCE_FILES_MAX) {
        r = judge_fail(w, -E2BIG, "%s has %d files", id, n);
        goto out;
    }
    v = calloc((size_t)n + 1, sizeof(*v));
    if (!v) {
        r = judge_fail(w, -ENOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        v[i].name = strdup(PQgetvalue(res, i, 0));
        v[i].content = exact_source(res, i, 1, 2);
        if (!v[i].name || !v[i].content) {
            r = judge_fail(w, -ENOMEM, "out of memory");
            goto out;
        }
    }
    *ret = v;
    *ret_n = (size_t)n;
    v = NULL;
    r = 0;
out:
    if (v) {
        for (int i = 0; i < n; i++) {
            free((char *)v[i].name);
            free((char *)v[i].content);
        }
        free(v);
    }
    PQclear(res);
    return r;
}

static void files_free(struct judge_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)files[i].name);
        free((char *)files[i].content);
    }
    free(files);
}

/* Writes the source (or the files) into the box folder and compiles it once: comp says how it
 * went. A submission of several files without a source file of its language is a compile
 * error with a message saying so. */
static int place_and_compile(struct judge_worker *w, const struct judge_lang *lang,
                             const char *source, const struct judge_file *files, size_t n_files,
                             const char **sources, char *src, char *name,
                             struct judge_compiled *comp)
{
    char why[256];
    int r;

    if (!n_files) {
        r = judge_place_source(w, w->box_dir, lang, source, src, JUDGE_NAME_SIZE, name,
                               JUDGE_NAME_SIZE);
        if (r >= 0)
            r = judge_compile(w, lang, w->box_dir, src, name, NULL, 1, comp);
        return r;
    }
    r = judge_place_files(w, w->box_dir, lang, files, n_files, src, JUDGE_NAME_SIZE, name,
                          JUDGE_NAME_SIZE, sources, why, sizeof(why));
    if (r == 1) {
        comp->ok = 0;
        comp->output = strdup(why);
        return comp->output ? 0 : judge_fail(w, -ENOMEM, "out of memory");
    }
    if (r >= 0)
        r = judge_compile(w, lang, w->box_dir, src, name, sources, 1, comp);
    return r;
}

#define SUBMISSION_FILES_SQL                                                                       \
    "SELECT f ->> 'name', f ->> 'content', coalesce(f ->> 'content_base64', '')"                   \
    " FROM submissions s, jsonb_array_elements(s.files) WITH ORDINALITY e(f, o)"                   \
    " WHERE s.id = $1 ORDER BY o"
#define RUN_FILES_SQL                                                                              \
    "SELECT f ->> 'name', f ->> 'content', coalesce(f ->> 'content_base64', '')"                   \
    " FROM runs s, jsonb_array_elements(s.files) WITH ORDINALITY e(f, o)"                          \
    " WHERE s.id = $1 ORDER BY o"

/* A submission being judged: what its steps fill in, for the last one to record. */
struct submission {
    char id[24], problem_id[24];
    char pins_dir[PATH_MAX + 16]; /* the job's own links to its test data */
    char *source, *checker_source, *interactor_source;
    struct judge_file *files; /* several files; NULL for one source */
    size_t n_files;
    const char *sources[SOURCE_FILES_MAX + 1]; /* {files} */
    struct judge_lang lang;
    struct judge_problem_checker ck;
    struct judge_problem_checker ick; /* the interactor, when interactor_source is set */
    int have_lang, have_ck_lang, have_ick_lang;
    int version, time_ms, memory_mb, stop_first;
    uint64_t output_kb; /* the problem's own output limit (a Kattis package's), 0: the judge's */
    char src[JUDGE_NAME_SIZE], name[JUDGE_NAME_SIZE]; /* the names it is judged under */
    struct judge_compiled comp;
    int n; /* tests; the four arrays have one entry each */
    struct test_case *tests;
    struct judge_test_outcome *outs;
    struct db_test_result *rows;
    char **msgs; /* the checker's message of each test, or NULL */
    int max_time;
    int64_t max_mem;
    int64_t t_start, t_fetched, t_compiled, t_tested; /* judge_mono_ms(), for the log */
};

/* What a step of a submission returns when it did not fail: go on to the next step, or stop
 * there, the result recorded already (a compile error, a fault of the problem). */
#define STEP_NEXT     0
#define STEP_RECORDED 1

/* Loads the submission, its problem's limits and checker, and the languages of both. */
static int submission_load(struct judge_worker *w, struct db_conn *conn, struct submission *s)
{
    PGresult *res = NULL;
    int r;

    r = db_query(conn, &res,
                 "SELECT s.language_id, s.source, p.id, p.version, coalesce(p.memory_limit_mb, 0),"
                 " coalesce((p.time_limits_ms ->> s.language_id)::int, 0), p.checker_kind,"
                 " coalesce(p.checker_params::text, ''), coalesce(p.checker_language, ''),"
                 " p.checker_source, p.stop_on_first_failure, p.interactor_language,"
                 " p.interactor_source, p.interactor_protocol,"
                 " coalesce(encode(s.source_bytes, 'base64'), ''),"
                 " coalesce(ceil((m.meta ->> 'output')::float8 * 1024)::bigint, 0),"
                 " coalesce(ceil((m.meta ->> 'compilation_time')::float8 * 1000)::bigint, 0),"
                 " coalesce(ceil((m.meta ->> 'compilation_memory')::float8)::bigint, 0)"
                 " FROM submissions s JOIN problems p ON p.id = s.problem_id"
                 " LEFT JOIN package_meta m ON m.problem_id = p.id AND m.format = 'kattis'"
                 " WHERE s.id = $1",
                 1, (const char *[]){s->id});
    if (r < 0) {
        r = judge_fail(w, r, "cannot load the submission (%s)", db_error(conn));
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = judge_fail(w, -ENOENT, "submission %s is gone", s->id);
        goto out;
    }
    r = judge_lang_load(conn, PQgetvalue(res, 0, 0), &s->lang);
    if (r < 0) {
        r = judge_fail(w, r, "cannot load language %s", PQgetvalue(res, 0, 0));
        goto out;
    }
    s->have_lang = 1;
    /* A Kattis package's limits (limits.output, compilation_time, compilation_memory, the
     * format's defaults when it gives none) are the problem's: its author's, not the
     * language's. */
    s->output_kb = (uint64_t)db_int64(res, 0, 15);
    if (db_int64(res, 0, 16) > 0)
        s->lang.compile_time_ms = (int)db_int64(res, 0, 16);
    if (db_int64(res, 0, 17) > 0)
        s->lang.compile_memory_mb = (int)db_int64(res, 0, 17);
    s->source = exact_source(res, 0, 1, 14);
    judge_fmt(s->problem_id, sizeof(s->problem_id), "%s", PQgetvalue(res, 0, 2));
    s->version = (int)db_int64(res, 0, 3);
    s->memory_mb = (int)db_int64(res, 0, 4);
    if (s->memory_mb <= 0)
        s->memory_mb = s->lang.memory_limit_mb;
    s->time_ms = (int)db_int64(res, 0, 5);
    if (s->time_ms <= 0)
        s->time_ms = s->lang.time_limit_ms;
    r = judge_checker_kind_parse(PQgetvalue(res, 0, 6));
    s->ck.kind = r < 0 ? JUDGE_CHECK_TOKENS : (enum judge_checker_kind)r;
    r = judge_checker_params_parse(PQgetvalue(res, 0, 7), (size_t)PQgetlength(res, 0, 7),
                                   &s->ck.params);
    if (r < 0) {
        if (r == -E2BIG)
            r = judge_fail(w, r, "problem %s: a validator takes at most %d flags of %d bytes",
                           PQgetvalue(res, 0, 2), JUDGE_CHECK_MAX_FLAGS, JUDGE_CHECK_MAX_FLAG_LEN);
        else
            r = judge_fail(w, r, "problem %s: bad checker parameters", PQgetvalue(res, 0, 2));
        goto out;
    }
    if (s->ck.kind == JUDGE_CHECK_CUSTOM) {
        r = judge_lang_load(conn, PQgetvalue(res, 0, 8), &s->ck.lang);
        if (r < 0) {
            r = judge_fail(w, r, "cannot load the checker's language %s", PQgetvalue(res, 0, 8));
            goto out;
        }
        s->have_ck_lang = 1;
        s->checker_source = strdup(PQgetvalue(res, 0, 9));
    }
    s->stop_first = (int)db_int64(res, 0, 10);
    if (!PQgetisnull(res, 0, 12)) {
        s->ick.kind = JUDGE_CHECK_CUSTOM;
        /* A Kattis interactor gets the validator flags of the checker's parameters. */
        s->ick.params = s->ck.params;
        s->ick.params.kattis = !strcmp(PQgetvalue(res, 0, 13), "kattis");
        r = judge_lang_load(conn, PQgetvalue(res, 0, 11), &s->ick.lang);
        if (r < 0) {
            r = judge_fail(w, r, "cannot load the interactor's language %s",
                           PQgetvalue(res, 0, 11));
            goto out;
        }
        s->have_ick_lang = 1;
        s->interactor_source = strdup(PQgetvalue(res, 0, 12));
        if (!s->interactor_source) {
            r = judge_fail(w, -ENOMEM, "out of memory");
            goto out;
        }
    }
    if (!s->source || (s->ck.kind == JUDGE_CHECK_CUSTOM && !s->checker_source)) {
        r = judge_fail(w, -ENOMEM, "out of memory");
        goto out;
    }
    r = files_load(w, conn, SUBMISSION_FILES_SQL, s->id, &s->files, &s->n_files);
out:
    PQclear(res);
    return r;
}

/* Step 1: the tests, and their data in the cache, pinned for the job. A problem without tests
 * is recorded as IE at once. */
static int submission_fetch_tests(struct judge_worker *w, struct db_conn *conn,
                                  const struct db_job *job, struct submission *s)
{
    char tests_dir[PATH_MAX + 16];
    PGresult *res = NULL;
    int r;

    r = db_query(conn, &res,
                 "SELECT ordinal, input_hash, output_hash, points, coalesce(group_name, '')"
                 " FROM test_cases WHERE problem_id = $1 ORDER BY ordinal",
                 1, (const char *[]){s->problem_id});
    if (r < 0) {
        r = judge_fail(w, r, "cannot load the tests (%s)", db_error(conn));
        goto out;
    }
    s->n = PQntuples(res);
    if (s->n == 0) {
        /* Another attempt would find no more. */
        r = record_problem_fault(w, conn, job, s->version, 0, "the problem has no tests");
        if (r == 0)
            r = STEP_RECORDED;
        goto out;
    }
    s->tests = calloc((size_t)s->n, sizeof(*s->tests));
    s->outs = calloc((size_t)s->n, sizeof(*s->outs));
    s->rows = calloc((size_t)s->n, sizeof(*s->rows));
    s->msgs = calloc((size_t)s->n, sizeof(*s->msgs));
    if (!s->tests || !s->outs || !s->rows || !s->msgs) {
        r = judge_fail(w, -ENOMEM, "out of memory");
        goto out;
    }
    judge_fmt(tests_dir, sizeof(tests_dir), "%s/cache/tests", w->shared->data_dir);
    for (int i = 0; i < s->n; i++) {
        struct test_case *t = &s->tests[i];
        t->ordinal = (int)db_int64(res, i, 0);
        t->points = (int)db_int64(res, i, 3);
        t->group = strdup(PQgetvalue(res, i, 4));
        r = judge_cache_fetch_pinned(conn, tests_dir, PQgetvalue(res, i, 1), s->pins_dir, t->in,
                                     sizeof(t->in));
        if (r >= 0)
            r = judge_cache_fetch_pinned(conn, tests_dir, PQgetvalue(res, i, 2), s->pins_dir,
                                         t->ans, sizeof(t->ans));
        if (r < 0) {
            r = judge_fail(w, r, "cannot fetch the data of test %s", PQgetvalue(res, i, 0));
            goto out;
        }
    }
    r = STEP_NEXT;
out:
    PQclear(res);
    return r;
}

/* Step 2: compile once. A compile error is recorded at once, scored out of all the points. */
static int submission_compile(struct judge_worker *w, struct db_conn *conn,
                              const struct db_job *job, struct submission *s)
{
    struct judge_score score;
    int r;

    r = place_and_compile(w, &s->lang, s->source, s->files, s->n_files, s->sources, s->src, s->name,
                          &s->comp);
    if (r < 0)
        return r;
    if (s->comp.ok)
        return STEP_NEXT;
    for (int i = 0; i < s->n; i++)
        s->outs[i].points = s->tests[i].points;
    judge_score_compute(s->outs, (size_t)s->n, &score);
    r = db_queue_record_submission(
        conn, job,
        &(struct db_submission_result){.verdict = "CE",
                                       .max_score = score.max_score,
                                       .compile_output = s->comp.output ? s->comp.output : "",
                                       .problem_version = s->version});
    if (r == 0) {
        log_msg(LOG_INFO, "submission %s: CE", s->id);
        return STEP_RECORDED;
    }
    if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
    return r;
}

/* Checks the output (out_path) of a test whose program ended normally, with the problem's
 * checker: ret->code and ret->earned, and a message for the test in ret_msg. */
static int check_output(struct judge_worker *w, struct judge_problem_checker *ck,
                        const struct test_case *t, const char *out_path, uint64_t cap_kb,
                        struct judge_test_outcome *ret, char *ret_msg, size_t msg_size)
{
    char *out = NULL, *ans = NULL;
    size_t out_len = 0, ans_len = 0;
    struct judge_verdict v;
    int r;

    if (ck->kind == JUDGE_CHECK_CUSTOM) {
        int pts = 0;
        enum judge_code code = JUDGE_IE;
        r = judge_custom_checker_run(w, ck, t->in, out_path, t->ans, t->points, &code, &pts,
                                     ret_msg, msg_size);
        if (r < 0)
            return r;
        ret->code = code;
        ret->earned = pts;
        return 0;
    }
    r = judge_read_file(out_path, cap_kb * 1024 + 1, &out, &out_len);
    if (r >= 0)
        r = judge_read_file(t->ans, (size_t)1 << 31, &ans, &ans_len);
    if (r < 0) {
        free(out);
        return judge_fail(w, r, "cannot read the output of test %d", t->ordinal);
    }
    if (ck->kind == JUDGE_CHECK_EXACT)
        judge_check_exact(out, out_len, ans, ans_len, &v);
    else if (ck->kind == JUDGE_CHECK_FLOAT)
        judge_check_float(out, out_len, ans, ans_len, &ck->params.opts, &v);
    else
        judge_check_tokens(out, out_len, ans, ans_len, &ck->params.opts, &v);
    free(out);
    free(ans);
    ret->code = v.accepted ? JUDGE_AC : JUDGE_WA;
    judge_fmt(ret_msg, msg_size, "%s", v.message);
    return 0;
}

/*
 * Runs test i of an interactive problem and decides its verdict by the rules of
 * problems/README.md (interactive problems), in this order: an interactor that failed is IE,
 * whatever the submission did; an interactor that rejected before the submission ended (or
 * whose leaving killed it by SIGPIPE) is WA; then the submission's own TLE, MLE, OLE or RE;
 * then the interactor's verdict (testlib: an accepting interactor hands its output to the
 * checker, *ret_check set).
 */
static int interactive_test(struct judge_worker *w, struct submission *s, const struct test_case *t,
                            const char *out_path, uint64_t cap_kb, struct run_outcome *ro,
                            struct judge_test_outcome *o, int *ret_check, char *msg,
                            size_t msg_size)
{
    char *argv[JUDGE_MAX_ARGS], err_path[PATH_MAX + 16], archive[PATH_MAX];
    struct sb_bind binds[JUDGE_MAX_BINDS + 1];
    struct judge_interaction ia;
    int r, hold;

    *ret_check = 0;
    judge_worker_path(w, "stderr.txt", err_path, sizeof(err_path));
    (void)unlink(err_path);
    hold = judge_archive_bind(w, &s->lang, &binds[0], archive, sizeof(archive));
    r = judge_expand(s->lang.run_argv, s->lang.n_run,
                     &(struct judge_vars){.src = s->src,
                                          .name = s->name,
                                          .memory_mb = s->memory_mb,
                                          .archive = archive[0] ? JUDGE_ARCHIVE_DIR : NULL},
                     argv);
    if (r < 0) {
        if (hold >= 0)
            close(hold);
        return judge_fail(w, r, "bad run command of %s", s->lang.id);
    }
    struct sb_spec spec = {
        .argv = (const char *const *)argv,
        .stderr_path = err_path,
        .work_dir = w->box_dir,
        .profile = s->lang.profile,
        .binds = binds,
        .n_binds = judge_lang_binds(&s->lang, binds, hold >= 0, JUDGE_MAX_BINDS + 1),
        /* The wall clock counts the waits for the interactor's answers: twice the CPU limit
         * and a second, the sandbox's default, rather than run_program's small margin. */
        .limits = {.time_ms = (uint32_t)s->time_ms,
                   .wall_ms = 2 * (uint32_t)s->time_ms + 1000,
                   .memory_kb = (uint64_t)s->memory_mb * 1024,
                   .output_kb = cap_kb},
    };
    r = judge_interactor_run(w, &s->ick, &spec, t->in, t->ans, out_path, cap_kb, t->points, &ia);
    judge_argv_free(argv);
    if (hold >= 0)
        close(hold);
    if (r < 0)
        return r;
    ro->res = ia.sub;
    r = program_code(&s->lang, &ia.sub, err_path, &ro->code);
    if (r < 0)
        return judge_fail(w, r, "sandbox error: %s", ia.sub.message);
    /* Only the submission reads the interactor's output: an interactor killed by SIGPIPE
     * wrote to a submission that had closed its input or ended, a rejection of it. */
    if (ia.inter.status == SB_RE && ia.inter.signal == SIGPIPE) {
        ia.int_code = JUDGE_WA;
        ia.int_points = 0;
        judge_fmt(ia.message, sizeof(ia.message),
                  "the submission stopped reading while the interactor wrote to it");
    }
    int rejected = ia.int_code != JUDGE_AC && ia.int_code != JUDGE_IE;
    /*
     * Which side ended first comes from the two keepers' clocks, and when one side's end makes
     * the other end at once (a closed pipe), the two can be microseconds apart: a keeper slow
     * to wake may reverse them. So a death by a signal a closed pipe does not cause (SIGSEGV,
     * SIGABRT, SIGFPE...) is the submission's own whatever the clocks say, and SIGPIPE is the
     * interactor's doing whatever they say.
     */
    int crashed = ia.sub.status == SB_RE && ia.sub.signal && ia.sub.signal != SIGPIPE;
    int int_first = !crashed && (ia.inter.end_ns <= ia.sub.end_ns ||
                                 (ia.sub.status == SB_RE && ia.sub.signal == SIGPIPE));
    if (ia.int_code == JUDGE_IE) {
        o->code = JUDGE_IE;
        judge_fmt(msg, msg_size, "%s", ia.message);
    } else if (rejected && int_first) {
        o->code = ia.int_code;
        o->earned = ia.int_points;
        judge_fmt(msg, msg_size, "%s", ia.message);
    } else if (ro->code != JUDGE_AC) {
        o->code = ro->code;
    } else if (rejected) {
        o->code = ia.int_code;
        o->earned = ia.int_points;
        judge_fmt(msg, msg_size, "%s", ia.message);
    } else {
        o->code = JUDGE_AC;
        *ret_check = !s->ick.params.kattis; /* testlib: the checker has the last word */
        if (!*ret_check)
            judge_fmt(msg, msg_size, "%s", ia.message);
    }
    /* What the caller reads: the checker runs on AC alone, the TLE message is for TLE. */
    ro->code = *ret_check ? JUDGE_AC : o->code;
    return 0;
}

/* Runs test i and checks its output: its outcome, row and message. */
static int submission_test(struct judge_worker *w, struct submission *s, int i,
                           const char *out_path, uint64_t cap_kb)
{
    const struct test_case *t = &s->tests[i];
    struct judge_test_outcome *o = &s->outs[i];
    struct db_test_result *row = &s->rows[i];
    struct run_outcome ro;
    char cmsg[256] = "";
    int r, check = 1;

    if (s->interactor_source) {
        r = interactive_test(w, s, t, out_path, cap_kb, &ro, o, &check, cmsg, sizeof(cmsg));
        if (r < 0)
            return r;
        goto measured;
    }
    r = run_program(w, &s->lang, s->src, s->name, s->time_ms, 0, s->memory_mb, cap_kb, t->in, &ro);
    if (r < 0)
        return r;
    o->code = ro.code;
measured:
    row->time_ms = (int)ro.res.cpu_ms;
    row->memory_kb = (int64_t)ro.res.memory_kb;
    /* Stopped by the wall clock with CPU time to spare: it was sleeping or waiting. Its CPU
     * time alone (a few ms) would read as if it had been quick. */
    if (ro.code == JUDGE_TLE && ro.res.cpu_ms <= (uint64_t)s->time_ms) {
        row->time_ms = (int)ro.res.wall_ms;
        judge_fmt(cmsg, sizeof(cmsg),
                  "wall-clock limit: stopped after %llu ms having used %llu ms of CPU time"
                  " (sleeping or waiting)",
                  (unsigned long long)ro.res.wall_ms, (unsigned long long)ro.res.cpu_ms);
    }
    if (row->time_ms > s->max_time)
        s->max_time = row->time_ms;
    if (row->memory_kb > s->max_mem)
        s->max_mem = row->memory_kb;
    if (ro.code == JUDGE_AC && check) {
        r = check_output(w, &s->ck, t, out_path, cap_kb, o, cmsg, sizeof(cmsg));
        if (r < 0)
            return r;
    }
    if (o->code == JUDGE_AC)
        o->earned = t->points;
    else if (o->code != JUDGE_WA)
        o->earned = 0;
    if (cmsg[0]) {
        utf8_sanitize(cmsg, strlen(cmsg));
        s->msgs[i] = strdup(cmsg);
    }
    return 0;
}

/* Whether test i cannot change the score any more: a test of an all-or-nothing group in which
 * a test failed already. */
static int group_lost(const struct submission *s, int i)
{
    const char *g = s->tests[i].group;

    if (!g || !g[0])
        return 0;
    for (int k = 0; k < i; k++)
        if (s->outs[k].code != JUDGE_AC && s->outs[k].code != JUDGE_SKIPPED && s->tests[k].group &&
            !strcmp(s->tests[k].group, g))
            return 1;
    return 0;
}

/* The shortest time between two writes of a submission's progress: a write costs about half a
 * millisecond of the database's time (a round trip and a commit), a test a few milliseconds at
 * least. */
#define PROGRESS_MIN_MS 20

/* The score of the first `done` tests, as readers follow it: a test without a group earns what
 * it earns; a group counts once every one of its tests is done and passed, so the score so far
 * never goes down and never passes the final one. */
static int progress_score(const struct submission *s, int done)
{
    int score = 0;

    for (int i = 0; i < done; i++) {
        const char *g = s->tests[i].group;
        if (!g || !g[0]) {
            score += judge_score_earned(s->outs, (size_t)done, (size_t)i);
            continue;
        }
        int whole = 1;
        for (int k = 0; k < s->n && whole; k++)
            if (s->tests[k].group && !strcmp(s->tests[k].group, g) &&
                (k >= done || s->outs[k].code != JUDGE_AC))
                whole = 0;
        if (whole)
            score += s->tests[i].points;
    }
    return score;
}

/* Tells readers that tests [*sent, done) are decided (db_queue_progress): each row with what
 * the test earns on its own. Progress is for readers only: a failure to write it is logged
 * and judging goes on, but a lost job ends here. */
static int progress_send(struct db_conn *conn, const struct db_job *job, struct submission *s,
                         int *sent, int done)
{
    int r;

    for (int k = *sent; k < done; k++) {
        const struct judge_test_outcome *o = &s->outs[k];
        struct db_test_result *row = &s->rows[k];
        row->ordinal = o->ordinal;
        row->verdict = judge_code_name(o->code);
        row->points = o->code == JUDGE_AC     ? o->points
                      : o->earned < 0         ? 0
                      : o->earned > o->points ? o->points
                                              : o->earned;
        if (o->code == JUDGE_SKIPPED)
            row->points = 0;
    }
    r = db_queue_progress(conn, job, &s->rows[*sent], (size_t)(done - *sent), done,
                          progress_score(s, done));
    if (r == -ESTALE)
        return r;
    if (r < 0)
        log_msg(LOG_WARN, "submission %s: progress not recorded (%s)", s->id, db_error(conn));
    *sent = done;
    return 0;
}

/* Step 4: the tests the result needs, the others SKIPPED: up to the first failure when the
 * problem stops there (a problem without points does by default), and otherwise every test
 * but those of a group that failed already, which can earn nothing more. Between tests, a stop
 * of the process or a lost lease ends the job. The tests run are recorded as progress as they
 * land, for those who follow the submission. */
static int submission_run_tests(struct judge_worker *w, struct db_conn *conn,
                                const struct db_job *job, struct submission *s)
{
    uint64_t output_kb = w->shared->output_kb ? w->shared->output_kb : DEFAULT_OUTPUT_KB;
    char out_path[PATH_MAX + 16];
    int r, stopped = 0, sent = 0, progress = 1, max_score = 0;
    int64_t written = 0;

    for (int i = 0; i < s->n; i++)
        max_score += s->tests[i].points;
    r = db_queue_progress_start(conn, job, s->n, max_score);
    if (r == -ESTALE)
        return r;
    if (r < 0) {
        log_msg(LOG_WARN, "submission %s: progress not recorded (%s)", s->id, db_error(conn));
        progress = 0;
    }
    judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
    for (int i = 0; i < s->n; i++) {
        struct judge_test_outcome *o = &s->outs[i];
        o->ordinal = s->tests[i].ordinal;
        o->points = s->tests[i].points;
        o->group = s->tests[i].group;
        if (stopped || group_lost(s, i)) {
            o->code = JUDGE_SKIPPED;
            continue;
        }
        r = stop_requested(w);
        if (r < 0)
            return r;
        /* A problem's own limit is the package author's, applied as given (a verification
         * shows an answer it does not fit); else the judge's cap, raised to fit the answer. */
        r = submission_test(w, s, i, out_path,
                            s->output_kb ? s->output_kb
                                         : test_output_kb(output_kb, s->tests[i].ans));
        if (r < 0)
            return r;
        /* A checker that failed once will fail again: do not spend its limits on every test. */
        if ((s->stop_first && o->code != JUDGE_AC) || o->code == JUDGE_IE)
            stopped = 1;
        /* At most one write per PROGRESS_MIN_MS: a test of a few ms is not made dearer by a
         * round trip each; what lands sooner goes with the next write (or the result). */
        if (progress && !stopped && i + 1 < s->n && judge_mono_ms() - written >= PROGRESS_MIN_MS) {
            if ((r = progress_send(conn, job, s, &sent, i + 1)) < 0)
                return r;
            written = judge_mono_ms();
        }
    }
    return STEP_NEXT;
}

/* Step 5: score and record. */
static int submission_record(struct judge_worker *w, struct db_conn *conn, const struct db_job *job,
                             struct submission *s)
{
    struct judge_score score;
    int r;

    judge_score_compute(s->outs, (size_t)s->n, &score);
    for (int i = 0; i < s->n; i++) {
        const struct judge_test_outcome *o = &s->outs[i];
        struct db_test_result *row = &s->rows[i];
        row->ordinal = o->ordinal;
        row->verdict = judge_code_name(o->code);
        row->points = judge_score_earned(s->outs, (size_t)s->n, (size_t)i);
        row->checker_message = s->msgs[i];
    }
    r = stop_requested(w);
    if (r == -ESTALE)
        return r;
    r = db_queue_record_submission(
        conn, job,
        &(struct db_submission_result){
            .verdict = judge_code_name(score.verdict),
            .score = score.score,
            .max_score = score.max_score,
            .time_ms = s->max_time,
            .memory_kb = s->max_mem,
            .compile_output = s->comp.output && s->comp.output[0] ? s->comp.output : NULL,
            .message = score.verdict == JUDGE_IE && score.first_failure >= 0
                           ? s->msgs[score.first_failure]
                           : NULL,
            /* A test is IE only when the problem's checker failed on it. */
            .fault = score.verdict == JUDGE_IE ? "problem" : NULL,
            .problem_version = s->version,
            .tests = s->rows,
            .n_tests = (size_t)s->n,
        });
    if (r == 0)
        log_msg(LOG_INFO,
                "submission %s: %s %d/%d, %d ms, %lld KiB (load %lld ms, compile %lld ms,"
                " %d tests %lld ms, record %lld ms)",
                s->id, judge_code_name(score.verdict), score.score, score.max_score, s->max_time,
                (long long)s->max_mem, (long long)(s->t_fetched - s->t_start),
                (long long)(s->t_compiled - s->t_fetched), s->n,
                (long long)(s->t_tested - s->t_compiled),
                (long long)(judge_mono_ms() - s->t_tested));
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
    return r;
}

/* Frees what the steps kept, and gives back the space of the job's test data. */
static void submission_release(struct judge_worker *w, struct submission *s)
{
    /* Evicted data takes its space back now, not at the next job. */
    (void)!fs_clear_dir(s->pins_dir);
    (void)!fs_clear_dir(w->check_data_dir);
    for (int i = 0; s->tests && i < s->n; i++)
        free(s->tests[i].group);
    for (int i = 0; s->msgs && i < s->n; i++)
        free(s->msgs[i]);
    free(s->tests);
    free(s->outs);
    free(s->rows);
    free(s->msgs);
    free(s->comp.output);
    free(s->source);
    free(s->checker_source);
    free(s->interactor_source);
    if (s->have_ick_lang)
        judge_lang_release(&s->ick.lang);
    files_free(s->files, s->n_files);
    if (s->have_lang)
        judge_lang_release(&s->lang);
    if (s->have_ck_lang)
        judge_lang_release(&s->ck.lang);
}

static int judge_submission(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    struct submission s = {.t_start = judge_mono_ms()};
    int r;

    judge_fmt(s.id, sizeof(s.id), "%lld", (long long)job->id);
    /* The job's own links to its test data: what eviction of the cache cannot take away. */
    judge_worker_path(w, "tests", s.pins_dir, sizeof(s.pins_dir));
    r = judge_mkdirs(s.pins_dir);
    if (r >= 0)
        r = fs_clear_dir(s.pins_dir);
    if (r < 0) {
        r = judge_fail(w, r, "cannot prepare %s", s.pins_dir);
        goto out;
    }
    r = submission_load(w, conn, &s);
    if (r < 0)
        goto out;
    r = submission_fetch_tests(w, conn, job, &s);
    if (r != STEP_NEXT)
        goto out;
    s.t_fetched = judge_mono_ms();
    r = submission_compile(w, conn, job, &s);
    if (r != STEP_NEXT)
        goto out;
    s.t_compiled = judge_mono_ms();
    /* Step 3: the custom checker. */
    if (s.ck.kind == JUDGE_CHECK_CUSTOM) {
        r = judge_custom_checker_prepare(w, &s.ck, s.checker_source, NULL);
        if (r == -ENOEXEC) {
            /* Another attempt compiles it no better. */
            int max_score = 0;
            for (int i = 0; i < s.n; i++)
                max_score += s.tests[i].points;
            r = record_problem_fault(w, conn, job, s.version, max_score, w->error);
            goto out;
        }
        if (r < 0)
            goto out;
    }
    if (s.interactor_source) {
        r = judge_custom_checker_prepare(w, &s.ick, s.interactor_source, NULL);
        if (r == -ENOEXEC) {
            int max_score = 0;
            for (int i = 0; i < s.n; i++)
                max_score += s.tests[i].points;
            char why[sizeof(w->error)];
            judge_fmt(why, sizeof(why), "the interactor%s", w->error + strlen("the checker"));
            r = record_problem_fault(w, conn, job, s.version, max_score, why);
            goto out;
        }
        if (r < 0)
            goto out;
    }
    r = submission_run_tests(w, conn, job, &s);
    if (r < 0)
        goto out;
    s.t_tested = judge_mono_ms();
    r = submission_record(w, conn, job, &s);
out:
    submission_release(w, &s);
    return r == STEP_RECORDED ? 0 : r;
}

/* --- a run --- */

/* One input of a run: the program run on data, its result in rr (out, err and message owned by
 * the caller through *ret_out, *ret_err and msg). */
struct run_limits {
    int time_ms, wall_ms, memory_mb;
    uint64_t output_kb;
};

static int run_on(struct judge_worker *w, const struct judge_lang *lang, const char *src,
                  const char *name, const struct run_limits *lim, const char *data, size_t len,
                  struct db_run_result *rr, char **ret_out, char **ret_err, char *msg,
                  size_t msg_size)
{
    char in_path[PATH_MAX + 16], out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    struct run_outcome ro = {0};
    size_t out_len = 0, err_len = 0;
    int r;

    judge_worker_path(w, "stdin.txt", in_path, sizeof(in_path));
    r = judge_write_file(in_path, data, len);
    if (r < 0)
        return judge_fail(w, r, "cannot write %s", in_path);
    r = stop_requested(w);
    if (r >= 0)
        r = run_program(w, lang, src, name, lim->time_ms, lim->wall_ms, lim->memory_mb,
                        lim->output_kb, in_path, &ro);
    if (r < 0)
        return r;
    judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
    judge_worker_path(w, "stderr.txt", err_path, sizeof(err_path));
    r = judge_read_capped(out_path, JUDGE_RUN_STDOUT_MAX, ret_out, &out_len);
    if (r >= 0)
        r = judge_read_capped(err_path, JUDGE_RUN_STDERR_MAX, ret_err, &err_len);
    if (r < 0)
        return judge_fail(w, r, "cannot read the run's output");
    rr->verdict = ro.code == JUDGE_AC ? "OK" : judge_code_name(ro.code);
    rr->exit_code = ro.res.signal ? -1 : ro.res.exit_code;
    rr->time_ms = (int)ro.res.cpu_ms;
    rr->memory_kb = (int64_t)ro.res.memory_kb;
    rr->out = *ret_out;
    rr->out_len = out_len;
    rr->err = *ret_err;
    rr->err_len = err_len;
    rr->message = NULL;
    if (ro.res.message[0] && ro.code != JUDGE_AC) {
        snprintf(msg, msg_size, "%s", ro.res.message);
        utf8_sanitize(msg, strlen(msg));
        rr->message = msg;
    }
    return 0;
}

/* Decodes base64 text into a new buffer (*ret, the caller frees) of *ret_len bytes. */
static int from_b64(const char *b64, char **ret, size_t *ret_len)
{
    size_t n = strlen(b64);

    *ret = malloc(n / 4 * 3 + 3);
    if (!*ret)
        return -ENOMEM;
    if (sodium_base642bin((unsigned char *)*ret, n / 4 * 3 + 3, b64, n, "\n", ret_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -EINVAL;
    return 0;
}

static int judge_run(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    char id[24], src[JUDGE_NAME_SIZE], name[JUDGE_NAME_SIZE];
    struct judge_file *files = NULL;
    size_t n_files = 0, n_inputs = 0;
    const char *sources[SOURCE_FILES_MAX + 1];
    PGresult *res = NULL;
    struct judge_lang lang = {0};
    struct judge_compiled comp = {0};
    char *out = NULL, *err = NULL, *source = NULL, *stdin_data = NULL, msg[256];
    size_t stdin_len = 0;
    int r, have_lang = 0, batch;
    struct db_run_result rr = {.exit_code = -1}, *results = NULL;
    struct run_limits lim = {.output_kb =
                                 w->shared->output_kb ? w->shared->output_kb : DEFAULT_OUTPUT_KB};
    /* A batch's inputs, and each result's output, error and message. */
    char **inputs = NULL, **outs = NULL, **errs = NULL, (*msgs)[256] = NULL;
    size_t *input_lens = NULL;

    judge_fmt(id, sizeof(id), "%lld", (long long)job->id);
    r = db_query(conn, &res,
                 "SELECT language_id, source, encode(stdin, 'base64'), coalesce(time_limit_ms, 0),"
                 " coalesce(wall_limit_ms, 0), coalesce(memory_limit_mb, 0),"
                 " coalesce(output_limit_kb, 0), inputs IS NOT NULL,"
                 " coalesce(encode(source_bytes, 'base64'), '') FROM runs WHERE id = $1",
                 1, (const char *[]){id});
    if (r < 0) {
        r = judge_fail(w, r, "cannot load the run (%s)", db_error(conn));
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = judge_fail(w, -ENOENT, "run %s is gone", id);
        goto out;
    }
    r = judge_lang_load(conn, PQgetvalue(res, 0, 0), &lang);
    if (r < 0) {
        r = judge_fail(w, r, "cannot load language %s", PQgetvalue(res, 0, 0));
        goto out;
    }
    have_lang = 1;
    lim.time_ms = lang.time_limit_ms;
    lim.memory_mb = lang.memory_limit_mb;
    /* Limits the run asked for (the API kept them within the operator's caps). */
    if (db_int64(res, 0, 3) > 0)
        lim.time_ms = (int)db_int64(res, 0, 3);
    lim.wall_ms = (int)db_int64(res, 0, 4);
    if (db_int64(res, 0, 5) > 0)
        lim.memory_mb = (int)db_int64(res, 0, 5);
    if (db_int64(res, 0, 6) > 0)
        lim.output_kb = (uint64_t)db_int64(res, 0, 6);
    batch = PQgetvalue(res, 0, 7)[0] == 't';
    source = exact_source(res, 0, 1, 8);
    r = source ? from_b64(PQgetvalue(res, 0, 2), &stdin_data, &stdin_len) : -ENOMEM;
    if (r < 0) {
        r = judge_fail(w, r, "cannot decode the run's input");
        goto out;
    }
    PQclear(res);
    res = NULL;
    if (batch) {
        r = db_query(conn, &res,
                     "SELECT encode(i, 'base64') FROM runs r,"
                     " unnest(r.inputs) WITH ORDINALITY u(i, o) WHERE r.id = $1 ORDER BY o",
                     1, (const char *[]){id});
        if (r < 0) {
            r = judge_fail(w, r, "cannot load the run's inputs (%s)", db_error(conn));
            goto out;
        }
        n_inputs = (size_t)PQntuples(res);
        inputs = calloc(n_inputs + 1, sizeof(*inputs));
        input_lens = calloc(n_inputs + 1, sizeof(*input_lens));
        outs = calloc(n_inputs + 1, sizeof(*outs));
        errs = calloc(n_inputs + 1, sizeof(*errs));
        msgs = calloc(n_inputs + 1, sizeof(*msgs));
        results = calloc(n_inputs + 1, sizeof(*results));
        if (!inputs || !input_lens || !outs || !errs || !msgs || !results) {
            r = judge_fail(w, -ENOMEM, "cannot load the run's inputs");
            goto out;
        }
        for (size_t i = 0; i < n_inputs; i++) {
            r = from_b64(PQgetvalue(res, (int)i, 0), &inputs[i], &input_lens[i]);
            if (r < 0) {
                r = judge_fail(w, r, "cannot decode the run's inputs");
                goto out;
            }
        }
        PQclear(res);
        res = NULL;
    }
    r = files_load(w, conn, RUN_FILES_SQL, id, &files, &n_files);
    if (r < 0)
        goto out;
    r = place_and_compile(w, &lang, source, files, n_files, sources, src, name, &comp);
    if (r < 0)
        goto out;
    rr.compile_output = comp.output && comp.output[0] ? comp.output : NULL;
    if (!comp.ok) {
        rr.verdict = "CE";
    } else if (!batch) {
        r = run_on(w, &lang, src, name, &lim, stdin_data, stdin_len, &rr, &out, &err, msg,
                   sizeof(msg));
        if (r < 0)
            goto out;
    } else {
        /* Every input in order, compiled once; the run's verdict is its first input's that is
         * not OK (else OK), its time and memory the most any input took. */
        rr.verdict = "OK";
        rr.exit_code = 0;
        for (size_t i = 0; i < n_inputs; i++) {
            r = run_on(w, &lang, src, name, &lim, inputs[i], input_lens[i], &results[i], &outs[i],
                       &errs[i], msgs[i], sizeof(msgs[i]));
            if (r < 0)
                goto out;
            if (!strcmp(rr.verdict, "OK") && strcmp(results[i].verdict, "OK") != 0) {
                rr.verdict = results[i].verdict;
                rr.exit_code = results[i].exit_code;
            }
            if (results[i].time_ms > rr.time_ms)
                rr.time_ms = results[i].time_ms;
            if (results[i].memory_kb > rr.memory_kb)
                rr.memory_kb = results[i].memory_kb;
        }
        rr.batch = results;
        rr.n_batch = n_inputs;
    }
    r = db_queue_record_run(conn, job, &rr);
    if (r == 0)
        log_msg(LOG_INFO, "run %s: %s, %d ms", id, rr.verdict, rr.time_ms);
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the run (%s)", db_error(conn));
out:
    PQclear(res);
    free(out);
    free(err);
    free(source);
    files_free(files, n_files);
    free(stdin_data);
    free(comp.output);
    for (size_t i = 0; i < n_inputs; i++) {
        if (inputs)
            free(inputs[i]);
        if (outs)
            free(outs[i]);
        if (errs)
            free(errs[i]);
    }
    free(inputs);
    free(input_lens);
    free(outs);
    free(errs);
    free(msgs);
    free(results);
    if (have_lang)
        judge_lang_release(&lang);
    return r;
}

/* --- a checker build --- */

int judge_checker_build(struct judge_worker *w, struct db_conn *conn, const char *language_id,
                        const char *source, int *ret_ok, char **ret_output)
{
    struct judge_problem_checker ck = {.kind = JUDGE_CHECK_CUSTOM};
    struct judge_compiled comp = {0};
    int r;

    *ret_ok = 0;
    *ret_output = NULL;
    r = judge_lang_load(conn, language_id, &ck.lang);
    if (r < 0)
        return judge_fail(w, r, "cannot load the checker's language %s", language_id);
    r = judge_custom_checker_prepare(w, &ck, source, &comp);
    judge_lang_release(&ck.lang);
    if (r == -ENOEXEC) {
        *ret_output = comp.output ? comp.output : strdup("");
        return *ret_output ? 0 : judge_fail(w, -ENOMEM, "out of memory");
    }
    free(comp.output);
    if (r < 0)
        return r;
    *ret_ok = 1;
    return 0;
}

static int judge_checker_job(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    char id[24], *output = NULL;
    PGresult *res = NULL;
    int r, ok = 0;

    judge_fmt(id, sizeof(id), "%lld", (long long)job->id);
    r = db_query(conn, &res, "SELECT language_id, source FROM checker_builds WHERE id = $1", 1,
                 (const char *[]){id});
    if (r < 0)
        return judge_fail(w, r, "cannot load the checker build (%s)", db_error(conn));
    if (PQntuples(res) != 1) {
        PQclear(res);
        return -ESTALE; /* the API gave up waiting and took it back */
    }
    r = judge_checker_build(w, conn, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), &ok, &output);
    PQclear(res);
    if (r < 0)
        return r;
    r = db_queue_record_checker(conn, job, ok ? "OK" : "CE", ok ? NULL : output, NULL);
    if (r == 0)
        log_msg(LOG_INFO, "checker build %s: %s", id, ok ? "OK" : "CE");
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the checker build (%s)", db_error(conn));
    free(output);
    return r;
}

int judge_job(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    w->error[0] = '\0';
    atomic_store(&w->lost, 0);
    if (job->kind == DB_JOB_CHECKER)
        return judge_checker_job(w, conn, job);
    if (job->kind == DB_JOB_RUN)
        return judge_run(w, conn, job);
    return judge_submission(w, conn, job);
}
