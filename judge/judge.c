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
 */
#include "judge/judge-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "judge/cache.h"
#include "judge/checker.h"
#include "judge/lang.h"
#include "judge/score.h"
#include "common/utf8.h"

#define DEFAULT_OUTPUT_KB (64 * 1024)

/* --- running --- */

struct run_outcome {
    enum judge_code code;
    struct sb_result res;
};

/* Runs the program in the box folder on one input. */
static int run_program(struct judge_worker *w, const struct judge_lang *lang, const char *src,
                       const char *name, int time_ms, int memory_mb, uint64_t output_kb,
                       const char *stdin_path, struct run_outcome *ret)
{
    char *argv[JUDGE_MAX_ARGS], out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    int r;

    judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
    judge_worker_path(w, "stderr.txt", err_path, sizeof(err_path));
    r = judge_expand(lang->run_argv, lang->n_run,
                     &(struct judge_vars){.src = src, .name = name, .memory_mb = memory_mb}, argv);
    if (r < 0)
        return judge_fail(w, r, "bad run command of %s", lang->id);
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
        /* The wall clock only catches programs that sleep or block; it is generous so that a
         * busy host does not turn a program within its CPU limit into a TLE. */
        .limits = {.time_ms = (uint32_t)time_ms,
                   .wall_ms = (uint32_t)time_ms * 3 + 2000,
                   .memory_kb = (uint64_t)memory_mb * 1024,
                   .output_kb = output_kb},
    };
    for (int attempt = 1;; attempt++) {
        r = sb_box_run(w->box, &spec, &ret->res);
        /* The wall clock fired on a program that was computing, not sleeping, and had not used
         * its CPU time: the host was too busy to give it a fair run. Run it again. */
        if (r < 0 || ret->res.status != SB_TLE || attempt >= 3 ||
            ret->res.cpu_ms * 10 >= (uint64_t)time_ms * 9 ||
            ret->res.cpu_ms * 4 < (uint64_t)time_ms)
            break;
        log_msg(LOG_INFO, "wall clock fired after %llu ms of CPU out of %d: host busy, again",
                (unsigned long long)ret->res.cpu_ms, time_ms);
    }
    judge_argv_free(argv);
    if (r < 0)
        return judge_fail(w, r, "sandbox failed to run the program (%s)", ret->res.message);
    switch (ret->res.status) {
    case SB_OK:
        ret->code = JUDGE_AC;
        break;
    case SB_TLE:
        ret->code = JUDGE_TLE;
        break;
    case SB_MLE:
        ret->code = JUDGE_MLE;
        break;
    case SB_OLE:
        ret->code = JUDGE_OLE;
        break;
    case SB_RE:
        ret->code = JUDGE_RE;
        /* Runtimes that catch running out of memory themselves and exit. */
        if (lang->profile == SB_JVM || lang->profile == SB_PYTHON) {
            char *err = judge_read_text(err_path, 65536);
            if (err && (strstr(err, "java.lang.OutOfMemoryError") || strstr(err, "\nMemoryError") ||
                        !strncmp(err, "MemoryError", 11)))
                ret->code = JUDGE_MLE;
            free(err);
        }
        break;
    default:
        return judge_fail(w, -EIO, "sandbox error: %s", ret->res.message);
    }
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
 * again), saying why: 0, -ESTALE when the job was lost, or the failure to record it. */
static int record_problem_fault(struct judge_worker *w, struct db_conn *conn,
                                const struct db_job *job, int version, const char *why)
{
    int r = db_queue_record_submission(conn, job,
                                       &(struct db_submission_result){.verdict = "IE",
                                                                      .message = why,
                                                                      .problem_version = version});

    if (r == 0)
        log_msg(LOG_WARN, "submission %lld: IE, %s", (long long)job->id, why);
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
    return r;
}

static int judge_submission(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    char id[24], tests_dir[PATH_MAX + 16], pins_dir[PATH_MAX + 16], src[80], name[80], cmsg[256];
    PGresult *res = NULL;
    struct judge_lang lang = {0};
    struct judge_problem_checker ck = {0};
    struct test_case *tests = NULL;
    struct judge_test_outcome *outs = NULL;
    struct db_test_result *rows = NULL;
    char **msgs = NULL;
    struct judge_compiled comp = {0};
    struct judge_score score;
    int n = 0, r, version, time_ms, memory_mb, stop_first, have_lang = 0, have_ck_lang = 0;
    uint64_t output_kb = w->shared->output_kb ? w->shared->output_kb : DEFAULT_OUTPUT_KB;
    int max_time = 0;
    int64_t max_mem = 0;
    char *source = NULL, *checker_source = NULL;
    int64_t t0 = judge_mono_ms(), t_fetched = 0, t_compiled = 0, t_tested = 0;

    judge_fmt(id, sizeof(id), "%lld", (long long)job->id);
    /* The job's own links to its test data: what eviction of the cache cannot take away. */
    judge_worker_path(w, "tests", pins_dir, sizeof(pins_dir));
    r = judge_mkdirs(pins_dir);
    if (r >= 0)
        r = judge_clear_dir(pins_dir);
    if (r < 0) {
        r = judge_fail(w, r, "cannot prepare %s", pins_dir);
        goto out;
    }
    r = db_query(conn, &res,
                 "SELECT s.language_id, s.source, p.id, p.version, coalesce(p.memory_limit_mb, 0),"
                 " coalesce((p.time_limits_ms ->> s.language_id)::int, 0), p.checker_kind,"
                 " coalesce(p.checker_params::text, ''), coalesce(p.checker_language, ''),"
                 " p.checker_source, p.stop_on_first_failure"
                 " FROM submissions s JOIN problems p ON p.id = s.problem_id WHERE s.id = $1",
                 1, (const char *[]){id});
    if (r < 0) {
        r = judge_fail(w, r, "cannot load the submission (%s)", db_error(conn));
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = judge_fail(w, -ENOENT, "submission %s is gone", id);
        goto out;
    }
    r = judge_lang_load(conn, PQgetvalue(res, 0, 0), &lang);
    if (r < 0) {
        r = judge_fail(w, r, "cannot load language %s", PQgetvalue(res, 0, 0));
        goto out;
    }
    have_lang = 1;
    source = strdup(PQgetvalue(res, 0, 1));
    char problem_id[24];
    judge_fmt(problem_id, sizeof(problem_id), "%s", PQgetvalue(res, 0, 2));
    version = (int)db_int64(res, 0, 3);
    memory_mb = (int)db_int64(res, 0, 4);
    if (memory_mb <= 0)
        memory_mb = lang.memory_limit_mb;
    time_ms = (int)db_int64(res, 0, 5);
    if (time_ms <= 0)
        time_ms = lang.time_limit_ms;
    r = judge_checker_kind_parse(PQgetvalue(res, 0, 6));
    ck.kind = r < 0 ? JUDGE_CHECK_TOKENS : (enum judge_checker_kind)r;
    r = judge_checker_params_parse(PQgetvalue(res, 0, 7), (size_t)PQgetlength(res, 0, 7),
                                   &ck.params);
    if (r < 0) {
        if (r == -E2BIG)
            r = judge_fail(w, r, "problem %s: a validator takes at most %d flags of %d bytes",
                           PQgetvalue(res, 0, 2), JUDGE_CHECK_MAX_FLAGS, JUDGE_CHECK_MAX_FLAG_LEN);
        else
            r = judge_fail(w, r, "problem %s: bad checker parameters", PQgetvalue(res, 0, 2));
        goto out;
    }
    if (ck.kind == JUDGE_CHECK_CUSTOM) {
        r = judge_lang_load(conn, PQgetvalue(res, 0, 8), &ck.lang);
        if (r < 0) {
            r = judge_fail(w, r, "cannot load the checker's language %s", PQgetvalue(res, 0, 8));
            goto out;
        }
        have_ck_lang = 1;
        checker_source = strdup(PQgetvalue(res, 0, 9));
    }
    stop_first = (int)db_int64(res, 0, 10);
    PQclear(res);
    res = NULL;
    if (!source || (ck.kind == JUDGE_CHECK_CUSTOM && !checker_source)) {
        r = judge_fail(w, -ENOMEM, "out of memory");
        goto out;
    }

    /* Step 1: the tests, and their data in the cache. */
    r = db_query(conn, &res,
                 "SELECT ordinal, input_hash, output_hash, points, coalesce(group_name, '')"
                 " FROM test_cases WHERE problem_id = $1 ORDER BY ordinal",
                 1, (const char *[]){problem_id});
    if (r < 0) {
        r = judge_fail(w, r, "cannot load the tests (%s)", db_error(conn));
        goto out;
    }
    n = PQntuples(res);
    if (n == 0) {
        /* Another attempt would find no more. */
        r = record_problem_fault(w, conn, job, version, "the problem has no tests");
        goto out;
    }
    tests = calloc((size_t)n, sizeof(*tests));
    outs = calloc((size_t)n, sizeof(*outs));
    rows = calloc((size_t)n, sizeof(*rows));
    msgs = calloc((size_t)n, sizeof(*msgs));
    if (!tests || !outs || !rows || !msgs) {
        r = judge_fail(w, -ENOMEM, "out of memory");
        goto out;
    }
    judge_fmt(tests_dir, sizeof(tests_dir), "%s/cache/tests", w->shared->data_dir);
    for (int i = 0; i < n; i++) {
        tests[i].ordinal = (int)db_int64(res, i, 0);
        tests[i].points = (int)db_int64(res, i, 3);
        tests[i].group = strdup(PQgetvalue(res, i, 4));
        r = judge_cache_fetch_pinned(conn, tests_dir, PQgetvalue(res, i, 1), pins_dir, tests[i].in,
                                     sizeof(tests[i].in));
        if (r >= 0)
            r = judge_cache_fetch_pinned(conn, tests_dir, PQgetvalue(res, i, 2), pins_dir,
                                         tests[i].ans, sizeof(tests[i].ans));
        if (r < 0) {
            r = judge_fail(w, r, "cannot fetch the data of test %s", PQgetvalue(res, i, 0));
            goto out;
        }
    }
    PQclear(res);
    res = NULL;

    t_fetched = judge_mono_ms();

    /* Step 2: compile once. */
    r = judge_place_source(w, w->box_dir, &lang, source, src, sizeof(src), name, sizeof(name));
    if (r >= 0)
        r = judge_compile(w, &lang, w->box_dir, src, name, 1, &comp);
    if (r < 0)
        goto out;
    if (!comp.ok) {
        for (int i = 0; i < n; i++)
            outs[i].points = tests[i].points;
        judge_score_compute(outs, (size_t)n, &score);
        r = db_queue_record_submission(
            conn, job,
            &(struct db_submission_result){.verdict = "CE",
                                           .max_score = score.max_score,
                                           .compile_output = comp.output ? comp.output : "",
                                           .problem_version = version});
        if (r == 0)
            log_msg(LOG_INFO, "submission %s: CE", id);
        else if (r != -ESTALE)
            r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
        goto out;
    }

    t_compiled = judge_mono_ms();

    /* Step 3: the custom checker. */
    if (ck.kind == JUDGE_CHECK_CUSTOM) {
        r = judge_custom_checker_prepare(w, &ck, checker_source);
        if (r == -ENOEXEC) {
            /* Another attempt compiles it no better. */
            r = record_problem_fault(w, conn, job, version, w->error);
            goto out;
        }
        if (r < 0)
            goto out;
    }

    /* Step 4: every test. */
    char out_path[PATH_MAX + 16];
    judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
    int stopped = 0;
    for (int i = 0; i < n; i++) {
        struct run_outcome ro;
        outs[i].ordinal = tests[i].ordinal;
        outs[i].points = tests[i].points;
        outs[i].group = tests[i].group;
        if (stopped) {
            outs[i].code = JUDGE_SKIPPED;
            continue;
        }
        r = stop_requested(w);
        if (r < 0)
            goto out;
        uint64_t cap_kb = test_output_kb(output_kb, tests[i].ans);
        r = run_program(w, &lang, src, name, time_ms, memory_mb, cap_kb, tests[i].in, &ro);
        if (r < 0)
            goto out;
        outs[i].code = ro.code;
        rows[i].time_ms = (int)ro.res.cpu_ms;
        rows[i].memory_kb = (int64_t)ro.res.memory_kb;
        if (rows[i].time_ms > max_time)
            max_time = rows[i].time_ms;
        if (rows[i].memory_kb > max_mem)
            max_mem = rows[i].memory_kb;
        cmsg[0] = '\0';
        if (ro.code == JUDGE_AC && ck.kind == JUDGE_CHECK_CUSTOM) {
            int pts = 0;
            enum judge_code code = JUDGE_IE;
            r = judge_custom_checker_run(w, &ck, tests[i].in, out_path, tests[i].ans,
                                         tests[i].points, &code, &pts, cmsg, sizeof(cmsg));
            if (r < 0)
                goto out;
            outs[i].code = code;
            outs[i].earned = pts;
        } else if (ro.code == JUDGE_AC) {
            char *out = NULL, *ans = NULL;
            size_t out_len = 0, ans_len = 0;
            struct judge_verdict v;
            r = judge_read_file(out_path, cap_kb * 1024 + 1, &out, &out_len);
            if (r >= 0)
                r = judge_read_file(tests[i].ans, (size_t)1 << 31, &ans, &ans_len);
            if (r < 0) {
                free(out);
                r = judge_fail(w, r, "cannot read the output of test %d", tests[i].ordinal);
                goto out;
            }
            if (ck.kind == JUDGE_CHECK_EXACT)
                judge_check_exact(out, out_len, ans, ans_len, &v);
            else if (ck.kind == JUDGE_CHECK_FLOAT)
                judge_check_float(out, out_len, ans, ans_len, &ck.params.opts, &v);
            else
                judge_check_tokens(out, out_len, ans, ans_len, &ck.params.opts, &v);
            free(out);
            free(ans);
            outs[i].code = v.accepted ? JUDGE_AC : JUDGE_WA;
            judge_fmt(cmsg, sizeof(cmsg), "%s", v.message);
        }
        if (outs[i].code == JUDGE_AC)
            outs[i].earned = tests[i].points;
        if (cmsg[0]) {
            utf8_sanitize(cmsg, strlen(cmsg));
            msgs[i] = strdup(cmsg);
        }
        /* A checker that failed once will fail again: do not spend its limits on every test. */
        if ((stop_first && outs[i].code != JUDGE_AC) || outs[i].code == JUDGE_IE)
            stopped = 1;
    }

    t_tested = judge_mono_ms();

    /* Step 5: score and record. */
    judge_score_compute(outs, (size_t)n, &score);
    for (int i = 0; i < n; i++) {
        rows[i].ordinal = outs[i].ordinal;
        rows[i].verdict = judge_code_name(outs[i].code);
        rows[i].points = outs[i].code == JUDGE_AC ? outs[i].points : outs[i].earned;
        if (outs[i].group && outs[i].group[0])
            rows[i].points = outs[i].code == JUDGE_AC ? outs[i].points : 0;
        rows[i].checker_message = msgs[i];
    }
    r = stop_requested(w);
    if (r == -ESTALE)
        goto out;
    r = db_queue_record_submission(
        conn, job,
        &(struct db_submission_result){
            .verdict = judge_code_name(score.verdict),
            .score = score.score,
            .max_score = score.max_score,
            .time_ms = max_time,
            .memory_kb = max_mem,
            .compile_output = comp.output && comp.output[0] ? comp.output : NULL,
            .message = score.verdict == JUDGE_IE && score.first_failure >= 0
                           ? msgs[score.first_failure]
                           : NULL,
            .problem_version = version,
            .tests = rows,
            .n_tests = (size_t)n,
        });
    if (r == 0)
        log_msg(LOG_INFO,
                "submission %s: %s %d/%d, %d ms, %lld KiB (load %lld ms, compile %lld ms,"
                " %d tests %lld ms, record %lld ms)",
                id, judge_code_name(score.verdict), score.score, score.max_score, max_time,
                (long long)max_mem, (long long)(t_fetched - t0),
                (long long)(t_compiled - t_fetched), n, (long long)(t_tested - t_compiled),
                (long long)(judge_mono_ms() - t_tested));
    else if (r != -ESTALE)
        r = judge_fail(w, r, "cannot record the result (%s)", db_error(conn));
out:
    /* Evicted data takes its space back now, not at the next job. */
    (void)!judge_clear_dir(pins_dir);
    (void)!judge_clear_dir(w->check_data_dir);
    PQclear(res);
    for (int i = 0; tests && i < n; i++)
        free(tests[i].group);
    for (int i = 0; msgs && i < n; i++)
        free(msgs[i]);
    free(tests);
    free(outs);
    free(rows);
    free(msgs);
    free(comp.output);
    free(source);
    free(checker_source);
    if (have_lang)
        judge_lang_release(&lang);
    if (have_ck_lang)
        judge_lang_release(&ck.lang);
    return r;
}

/* --- a run --- */

/* Reads at most max bytes of a file, raw (for runs' stdout/stderr). */
static int read_capped(const char *path, size_t max, char **ret, size_t *ret_len)
{
    char *buf = malloc(max ? max : 1);
    size_t got = 0;
    int fd;

    if (!buf)
        return -ENOMEM;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        while (got < max) {
            ssize_t n = read(fd, buf + got, max - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        close(fd);
    }
    *ret = buf;
    *ret_len = got;
    return 0;
}

static int judge_run(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    char id[24], src[80], name[80], in_path[PATH_MAX + 16], out_path[PATH_MAX + 16];
    char err_path[PATH_MAX + 16];
    PGresult *res = NULL;
    struct judge_lang lang = {0};
    struct judge_compiled comp = {0};
    struct run_outcome ro = {0};
    char *out = NULL, *err = NULL, *source = NULL, *stdin_data = NULL;
    size_t out_len = 0, err_len = 0, stdin_len = 0;
    int r, have_lang = 0;
    struct db_run_result rr = {.exit_code = -1};
    uint64_t output_kb = w->shared->output_kb ? w->shared->output_kb : DEFAULT_OUTPUT_KB;

    judge_fmt(id, sizeof(id), "%lld", (long long)job->id);
    r = db_query(conn, &res,
                 "SELECT language_id, source, encode(stdin, 'base64') FROM runs"
                 " WHERE id = $1",
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
    source = strdup(PQgetvalue(res, 0, 1));
    {
        const char *b64 = PQgetvalue(res, 0, 2);
        size_t b64_len = strlen(b64);
        stdin_data = malloc(b64_len / 4 * 3 + 3);
        if (!source || !stdin_data ||
            sodium_base642bin((unsigned char *)stdin_data, b64_len / 4 * 3 + 3, b64, b64_len, "\n",
                              &stdin_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
            r = judge_fail(w, -ENOMEM, "cannot decode the run's input");
            goto out;
        }
    }
    PQclear(res);
    res = NULL;
    judge_worker_path(w, "stdin.txt", in_path, sizeof(in_path));
    r = judge_write_file(in_path, stdin_data, stdin_len);
    if (r < 0) {
        r = judge_fail(w, r, "cannot write %s", in_path);
        goto out;
    }
    r = judge_place_source(w, w->box_dir, &lang, source, src, sizeof(src), name, sizeof(name));
    if (r >= 0)
        r = judge_compile(w, &lang, w->box_dir, src, name, 1, &comp);
    if (r < 0)
        goto out;
    rr.compile_output = comp.output && comp.output[0] ? comp.output : NULL;
    if (!comp.ok) {
        rr.verdict = "CE";
    } else {
        r = stop_requested(w);
        if (r >= 0)
            r = run_program(w, &lang, src, name, lang.time_limit_ms, lang.memory_limit_mb,
                            output_kb, in_path, &ro);
        if (r < 0)
            goto out;
        judge_worker_path(w, "stdout.txt", out_path, sizeof(out_path));
        judge_worker_path(w, "stderr.txt", err_path, sizeof(err_path));
        r = read_capped(out_path, JUDGE_RUN_STDOUT_MAX, &out, &out_len);
        if (r >= 0)
            r = read_capped(err_path, JUDGE_RUN_STDERR_MAX, &err, &err_len);
        if (r < 0) {
            r = judge_fail(w, r, "cannot read the run's output");
            goto out;
        }
        rr.verdict = ro.code == JUDGE_AC ? "OK" : judge_code_name(ro.code);
        rr.exit_code = ro.res.signal ? -1 : ro.res.exit_code;
        rr.time_ms = (int)ro.res.cpu_ms;
        rr.memory_kb = (int64_t)ro.res.memory_kb;
        rr.out = out;
        rr.out_len = out_len;
        rr.err = err;
        rr.err_len = err_len;
        if (ro.res.message[0] && ro.code != JUDGE_AC) {
            utf8_sanitize(ro.res.message, strlen(ro.res.message));
            rr.message = ro.res.message;
        }
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
    free(stdin_data);
    free(comp.output);
    if (have_lang)
        judge_lang_release(&lang);
    return r;
}

int judge_job(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
{
    w->error[0] = '\0';
    atomic_store(&w->lost, 0);
    if (job->kind == DB_JOB_RUN)
        return judge_run(w, conn, job);
    return judge_submission(w, conn, job);
}
