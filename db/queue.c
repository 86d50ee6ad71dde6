/*
 * queue.c: the SQL of the judging queue (queue.h).
 *
 * The same statements serve submissions and runs: each is written once with a %s for the table
 * name at compile time (two string constants per statement), never with values in the text.
 * The per-test rows of a submission travel as one JSON parameter and are expanded by
 * jsonb_to_recordset, so recording 100 tests is one round trip, not 100.
 */
#include "db/queue.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_SET "lease_expires_at = now() + make_interval(secs => $2::int)"

/* The fence of every write after a claim: $1 id, then judge_id and attempts. */
#define FENCE(j, a) "id = $1 AND status = 'judging' AND judge_id = $" #j " AND attempts = $" #a

/* Submissions never judged first (no verdict yet), then those a rejudge queued again (which
 * keep their old verdict until the new one); within each class users in turn (the turn a
 * trigger gave the row at insert, migration 090), oldest first within a turn. The index
 * submissions_queue holds exactly this order for queued rows, so a claim reads its first
 * unlocked entry instead of sorting the queue. A row given back or whose lease expired keeps
 * its verdict and its turn, hence its class and its place. Runs likewise, by turn (runs_queue). */
#define SUBMISSION_ORDER "(verdict IS NOT NULL), turn, id"
#define RUN_ORDER        "turn, id"

static const char *const claim_sql[3] = {
    "UPDATE runs SET status = 'judging', judge_id = $1, attempts = attempts + 1, " LEASE_SET
    " WHERE id = (SELECT id FROM runs WHERE status = 'queued' ORDER BY " RUN_ORDER
    " FOR UPDATE SKIP LOCKED LIMIT 1) AND status = 'queued' RETURNING id, attempts",
    "UPDATE submissions SET status = 'judging', judge_id = $1, attempts = attempts + 1, " LEASE_SET
    " WHERE id = (SELECT id FROM submissions WHERE status = 'queued'"
    " ORDER BY " SUBMISSION_ORDER " FOR UPDATE SKIP LOCKED LIMIT 1) AND status = 'queued'"
    " RETURNING id, attempts",
    "UPDATE checker_builds SET status = 'judging', judge_id = $1, attempts = attempts + "
    "1, " LEASE_SET " WHERE id = (SELECT id FROM checker_builds WHERE status = 'queued' ORDER BY id"
    " FOR UPDATE SKIP LOCKED LIMIT 1) AND status = 'queued' RETURNING id, attempts",
};

static const char *const claim_id_sql[3] = {
    "UPDATE runs SET status = 'judging', judge_id = $1, attempts = attempts + 1, " LEASE_SET
    " WHERE id = $3 AND status = 'queued' RETURNING id, attempts",
    "UPDATE submissions SET status = 'judging', judge_id = $1, attempts = attempts + 1, " LEASE_SET
    " WHERE id = $3 AND status = 'queued' RETURNING id, attempts",
    "UPDATE checker_builds SET status = 'judging', judge_id = $1, attempts = attempts + 1,"
    " " LEASE_SET " WHERE id = $3 AND status = 'queued' RETURNING id, attempts",
};

static const char *const heartbeat_sql[3] = {
    "UPDATE runs SET " LEASE_SET " WHERE " FENCE(3, 4) " RETURNING id",
    "UPDATE submissions SET " LEASE_SET " WHERE " FENCE(3, 4) " RETURNING id",
    "UPDATE checker_builds SET " LEASE_SET " WHERE " FENCE(3, 4) " RETURNING id",
};

static const char *const release_sql[3] = {
    "UPDATE runs SET status = 'queued', judge_id = NULL, lease_expires_at = NULL,"
    " attempts = attempts - 1 WHERE " FENCE(2, 3) " RETURNING id",
    "UPDATE submissions SET status = 'queued', judge_id = NULL, lease_expires_at = NULL,"
    " attempts = attempts - 1 WHERE " FENCE(2, 3) " RETURNING id",
    "UPDATE checker_builds SET status = 'queued', judge_id = NULL, lease_expires_at = NULL,"
    " attempts = attempts - 1 WHERE " FENCE(2, 3) " RETURNING id",
};

#define STR_(x) #x
#define STR(x)  STR_(x)

/* A job that failed, or whose lease expired, goes back to the queue, or is recorded as IE once
 * it has used all its attempts. WHY is the SQL text of the reason; EXTRA sets more columns when
 * it gives up (a submission's score). The statement ends with "WHERE ": the caller adds which. */
#define GIVE_UP "attempts >= " STR(DB_QUEUE_MAX_ATTEMPTS)
#define REQUEUE_OR_FAIL(table, extra, why)                                                         \
    "UPDATE " table " SET status = CASE WHEN " GIVE_UP " THEN 'done' ELSE 'queued' END,"           \
    " verdict = CASE WHEN " GIVE_UP " THEN 'IE' ELSE verdict END," extra                           \
    " message = CASE WHEN " GIVE_UP " THEN " why " ELSE message END,"                              \
    " judged_at = CASE WHEN " GIVE_UP " THEN now() ELSE judged_at END,"                            \
    " lease_expires_at = NULL WHERE "
#define ZERO_SCORE                                                                                 \
    " score = CASE WHEN " GIVE_UP " THEN 0 ELSE score END,"                                        \
    " fault = CASE WHEN " GIVE_UP " THEN 'judge' ELSE fault END,"
#define WHY_FAILED "left(attempts || ' judging attempts failed, last: ' || $4, 1000)"
#define WHY_EXPIRED                                                                                \
    "attempts || ' judging attempts failed, last: the lease of judge ' || judge_id || ' expired'"
#define EXPIRED "status = 'judging' AND lease_expires_at < now() RETURNING id"

static const char *const retry_sql[3] = {
    REQUEUE_OR_FAIL("runs", "", WHY_FAILED) FENCE(2, 3) " RETURNING id",
    REQUEUE_OR_FAIL("submissions", ZERO_SCORE, WHY_FAILED) FENCE(2, 3) " RETURNING id",
    REQUEUE_OR_FAIL("checker_builds", "", WHY_FAILED) FENCE(2, 3) " RETURNING id",
};

static const char *const expire_sql[4] = {
    REQUEUE_OR_FAIL("runs", "", WHY_EXPIRED) EXPIRED,
    REQUEUE_OR_FAIL("submissions", ZERO_SCORE, WHY_EXPIRED) EXPIRED,
    REQUEUE_OR_FAIL("checker_builds", "", WHY_EXPIRED) EXPIRED,
    /* Checks whose API process went away before reading them. */
    "DELETE FROM checker_builds WHERE created_at < now() - interval '1 hour' RETURNING id",
};

static void fmt_int(char *buf, size_t size, int64_t v)
{
    snprintf(buf, size, "%" PRId64, v);
}

static int claim_common(struct db_conn *conn, const char *sql, const char *judge_id, int lease_s,
                        enum db_job_kind kind, const char *id_param, struct db_job *ret_job)
{
    PGresult *res = NULL;
    char lease[24];
    const char *params[3] = {judge_id, lease, id_param};
    int r;

    fmt_int(lease, sizeof(lease), lease_s);
    r = db_query(conn, &res, sql, id_param ? 3 : 2, params);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    memset(ret_job, 0, sizeof(*ret_job));
    ret_job->kind = kind;
    ret_job->id = db_int64(res, 0, 0);
    ret_job->attempts = (int)db_int64(res, 0, 1);
    snprintf(ret_job->judge_id, sizeof(ret_job->judge_id), "%s", judge_id);
    PQclear(res);
    return 1;
}

int db_queue_claim(struct db_conn *conn, const char *judge_id, int lease_s, struct db_job *ret_job)
{
    int r = claim_common(conn, claim_sql[DB_JOB_CHECKER], judge_id, lease_s, DB_JOB_CHECKER, NULL,
                         ret_job);

    if (r != 0)
        return r;
    r = claim_common(conn, claim_sql[DB_JOB_RUN], judge_id, lease_s, DB_JOB_RUN, NULL, ret_job);
    if (r != 0)
        return r;
    return claim_common(conn, claim_sql[DB_JOB_SUBMISSION], judge_id, lease_s, DB_JOB_SUBMISSION,
                        NULL, ret_job);
}

int db_queue_claim_id(struct db_conn *conn, const char *judge_id, int lease_s,
                      enum db_job_kind kind, int64_t id, struct db_job *ret_job)
{
    char idbuf[24];

    fmt_int(idbuf, sizeof(idbuf), id);
    return claim_common(conn, claim_id_sql[kind], judge_id, lease_s, kind, idbuf, ret_job);
}

/* Runs a fenced statement whose parameters are id, [extra...], judge_id, attempts in the order
 * the SQL names them; -ESTALE when it touched no row. */
static int fenced(struct db_conn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = NULL;
    int r = db_query(conn, &res, sql, nparams, params);

    if (r < 0)
        return r;
    r = PQntuples(res) > 0 ? 0 : -ESTALE;
    PQclear(res);
    return r;
}

int db_queue_heartbeat(struct db_conn *conn, const struct db_job *job, int lease_s)
{
    char id[24], lease[16], att[16];

    fmt_int(id, sizeof(id), job->id);
    fmt_int(lease, sizeof(lease), lease_s);
    fmt_int(att, sizeof(att), job->attempts);
    return fenced(conn, heartbeat_sql[job->kind], 4,
                  (const char *[]){id, lease, job->judge_id, att});
}

int db_queue_release(struct db_conn *conn, const struct db_job *job)
{
    char id[24], att[16];

    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    return fenced(conn, release_sql[job->kind], 3, (const char *[]){id, job->judge_id, att});
}

int db_queue_retry(struct db_conn *conn, const struct db_job *job, const char *message)
{
    char id[24], att[16];

    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    return fenced(conn, retry_sql[job->kind], 4,
                  (const char *[]){id, job->judge_id, att, message ? message : "unknown"});
}

int db_queue_expire(struct db_conn *conn)
{
    PGresult *res = NULL;
    int n = 0, r;

    for (size_t k = 0; k < sizeof(expire_sql) / sizeof(expire_sql[0]); k++) {
        r = db_query(conn, &res, expire_sql[k], 0, NULL);
        if (r < 0)
            return r;
        n += PQntuples(res);
        PQclear(res);
    }
    return n;
}

/* --- recording --- */

/* A growing text buffer for the JSON of the test rows. */
struct jbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *np;
        while (cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void jb_str(struct jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* A JSON string literal. Bytes that are not valid in PostgreSQL text (NUL) or are control
 * characters become escapes or '?'; the checker message is only informative. */
static void jb_quote(struct jbuf *b, const char *s)
{
    char esc[8];

    jb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            jb_put(b, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            jb_put(b, esc, 6);
        } else {
            jb_put(b, s, 1);
        }
    }
    jb_put(b, "\"", 1);
}

static char *tests_json(const struct db_test_result *t, size_t n)
{
    struct jbuf b = {0};
    char num[64];

    jb_str(&b, "[");
    for (size_t i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%s{\"ordinal\":%d,\"verdict\":", i ? "," : "", t[i].ordinal);
        jb_str(&b, num);
        jb_quote(&b, t[i].verdict);
        snprintf(num, sizeof(num), ",\"time_ms\":%d,\"memory_kb\":%" PRId64 ",\"points\":%d",
                 t[i].time_ms, t[i].memory_kb, t[i].points);
        jb_str(&b, num);
        if (t[i].checker_message && t[i].checker_message[0]) {
            jb_str(&b, ",\"checker_message\":");
            jb_quote(&b, t[i].checker_message);
        }
        jb_str(&b, "}");
    }
    jb_str(&b, "]");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int db_queue_record_submission(struct db_conn *conn, const struct db_job *job,
                               const struct db_submission_result *res)
{
    char id[24], att[16], score[16], max_score[16], time_ms[16], mem[24], version[16];
    char *json = NULL;
    int r;

    if (job->kind != DB_JOB_SUBMISSION)
        return -EINVAL;
    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    fmt_int(score, sizeof(score), res->score);
    fmt_int(max_score, sizeof(max_score), res->max_score);
    fmt_int(time_ms, sizeof(time_ms), res->time_ms);
    fmt_int(mem, sizeof(mem), res->memory_kb);
    fmt_int(version, sizeof(version), res->problem_version);
    json = tests_json(res->tests, res->n_tests);
    if (!json)
        return -ENOMEM;

    r = db_begin(conn, NULL);
    if (r < 0)
        goto out;
    r = fenced(conn,
               "UPDATE submissions SET status = 'done', verdict = $4, score = $5, max_score = $6,"
               " time_ms = $7, memory_kb = $8, compile_output = $9, message = $10,"
               " problem_version = $11, fault = $12, judged_at = now(), lease_expires_at = NULL"
               " WHERE " FENCE(2, 3) " RETURNING id",
               12,
               (const char *[]){id, job->judge_id, att, res->verdict, score, max_score, time_ms,
                                mem, res->compile_output, res->message, version, res->fault});
    if (r < 0)
        goto out;
    r = db_query(conn, NULL, "DELETE FROM submission_tests WHERE submission_id = $1", 1,
                 (const char *[]){id});
    if (r < 0)
        goto out;
    r = db_query(conn, NULL,
                 "INSERT INTO submission_tests (submission_id, ordinal, verdict, time_ms,"
                 " memory_kb, points, checker_message)"
                 " SELECT $1, t.ordinal, t.verdict, t.time_ms, t.memory_kb, t.points,"
                 " t.checker_message FROM jsonb_to_recordset($2::jsonb) AS t(ordinal int,"
                 " verdict text, time_ms int, memory_kb bigint, points int, checker_message text)",
                 2, (const char *[]){id, json});
    if (r < 0)
        goto out;
    r = db_commit(conn);
out:
    if (r < 0)
        db_rollback(conn);
    free(json);
    return r;
}

int db_queue_record_run(struct db_conn *conn, const struct db_job *job,
                        const struct db_run_result *res)
{
    char id[24], att[16], code[16], time_ms[16], mem[24];
    PGresult *pr = NULL;
    int r;

    if (job->kind != DB_JOB_RUN)
        return -EINVAL;
    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    fmt_int(code, sizeof(code), res->exit_code);
    fmt_int(time_ms, sizeof(time_ms), res->time_ms);
    fmt_int(mem, sizeof(mem), res->memory_kb);
    if (res->n_batch && (r = db_begin(conn, NULL)) < 0)
        return r;
    r = db_query_bin(
        conn, &pr,
        "UPDATE runs SET status = 'done', verdict = $4, exit_code = $5, time_ms = $6,"
        " memory_kb = $7, stdout = $8, stderr = $9, compile_output = $10, message = $11,"
        " judged_at = now(), lease_expires_at = NULL WHERE " FENCE(2, 3) " RETURNING id",
        11,
        (const char *[]){id, job->judge_id, att, res->verdict, res->exit_code >= 0 ? code : NULL,
                         time_ms, mem, res->out ? res->out : "", res->err ? res->err : "",
                         res->compile_output, res->message},
        (const int[]){0, 0, 0, 0, 0, 0, 0, (int)res->out_len, (int)res->err_len, 0, 0},
        (const int[]){0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0});
    if (r >= 0)
        r = PQntuples(pr) > 0 ? 0 : -ESTALE;
    PQclear(pr);
    /* A rejudge of the same run never happens, but a retried job may have written some. */
    if (r >= 0 && res->n_batch)
        r = db_query(conn, NULL, "DELETE FROM run_results WHERE run_id = $1", 1,
                     (const char *[]){id});
    for (size_t i = 0; r >= 0 && i < res->n_batch; i++) {
        const struct db_run_result *b = &res->batch[i];
        char ord[24];
        fmt_int(ord, sizeof(ord), (int64_t)i + 1);
        fmt_int(code, sizeof(code), b->exit_code);
        fmt_int(time_ms, sizeof(time_ms), b->time_ms);
        fmt_int(mem, sizeof(mem), b->memory_kb);
        r = db_query_bin(conn, NULL,
                         "INSERT INTO run_results (run_id, ordinal, verdict, exit_code, time_ms,"
                         " memory_kb, stdout, stderr, message)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                         9,
                         (const char *[]){id, ord, b->verdict, b->exit_code >= 0 ? code : NULL,
                                          time_ms, mem, b->out ? b->out : "", b->err ? b->err : "",
                                          b->message},
                         (const int[]){0, 0, 0, 0, 0, 0, (int)b->out_len, (int)b->err_len, 0},
                         (const int[]){0, 0, 0, 0, 0, 0, 1, 1, 0});
    }
    if (res->n_batch) {
        if (r >= 0)
            r = db_commit(conn);
        if (r < 0)
            db_rollback(conn);
    }
    return r;
}

int db_queue_rejudge(struct db_conn *conn, int64_t problem_id, int64_t submission_id)
{
    PGresult *res = NULL;
    char id[24];
    int r;

    fmt_int(id, sizeof(id), problem_id > 0 ? problem_id : submission_id);
    r = db_query(conn, &res,
                 problem_id > 0
                     ? "UPDATE submissions SET status = 'queued', attempts = 0, judge_id = NULL,"
                       " lease_expires_at = NULL WHERE problem_id = $1 RETURNING id"
                     : "UPDATE submissions SET status = 'queued', attempts = 0, judge_id = NULL,"
                       " lease_expires_at = NULL WHERE id = $1 RETURNING id",
                 1, (const char *[]){id});
    if (r < 0)
        return r;
    r = PQntuples(res);
    PQclear(res);
    return r;
}

int db_queue_progress_start(struct db_conn *conn, const struct db_job *job, int tests_total,
                            int max_score)
{
    char id[24], att[16], total[16], max[16];
    int r;

    if (job->kind != DB_JOB_SUBMISSION)
        return -EINVAL;
    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    fmt_int(total, sizeof(total), tests_total);
    fmt_int(max, sizeof(max), max_score);
    r = db_query(conn, NULL,
                 "DELETE FROM submission_judging WHERE submission_id = $1"
                 " AND EXISTS (SELECT 1 FROM submissions WHERE " FENCE(2, 3) ")",
                 3, (const char *[]){id, job->judge_id, att});
    if (r < 0)
        return r;
    return fenced(conn,
                  "INSERT INTO submission_judging (submission_id, attempts, tests_total, max_score)"
                  " SELECT id, attempts, $4, $5 FROM submissions WHERE " FENCE(
                      2, 3) " RETURNING submission_id",
                  5, (const char *[]){id, job->judge_id, att, total, max});
}

/* $1 id, $2 judge_id, $3 attempts (the fence), $4 tests done, $5 score, $6..$10 the new tests'
 * ordinals, verdicts, times, memory and points as arrays. Progress is for readers only and
 * goes at the end anyway: its commit does not wait for the disk (synchronous_commit off for
 * this one transaction). */
/* clang-format off */
static const char progress_sql[] =
    "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)),"
    " ok AS (SELECT id FROM submissions, cfg WHERE " FENCE(2, 3) "),"
    " ins AS (INSERT INTO submission_judging_tests (submission_id, ordinal, verdict, time_ms,"
    "   memory_kb, points)"
    "   SELECT j.submission_id, t.o, t.v, t.t, t.m, t.p FROM submission_judging j,"
    "   unnest($6::int[], $7::text[], $8::int[], $9::bigint[], $10::int[]) AS t(o, v, t, m, p)"
    "   WHERE j.submission_id = (SELECT id FROM ok) AND j.attempts = $3::int"
    "   ON CONFLICT (submission_id, ordinal) DO NOTHING)"
    " UPDATE submission_judging SET tests_done = $4, score = $5"
    " WHERE submission_id = (SELECT id FROM ok) AND attempts = $3::int"
    " RETURNING submission_id";
/* clang-format on */

int db_queue_progress(struct db_conn *conn, const struct db_job *job,
                      const struct db_test_result *tests, size_t n, int tests_done, int score)
{
    char id[24], att[16], done[16], sc[16];
    char *ords = NULL, *verdicts = NULL, *times = NULL, *mems = NULL, *points = NULL;
    size_t cap = n * 24 + 3;
    int r = -ENOMEM;

    if (job->kind != DB_JOB_SUBMISSION)
        return -EINVAL;
    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    fmt_int(done, sizeof(done), tests_done);
    fmt_int(sc, sizeof(sc), score);
    /* The tests as five array literals ({1,2,3}): numbers and verdict names, nothing quoted. */
    ords = malloc(cap);
    verdicts = malloc(cap);
    times = malloc(cap);
    mems = malloc(cap);
    points = malloc(cap);
    if (!ords || !verdicts || !times || !mems || !points)
        goto out;
    {
        char *bufs[5] = {ords, verdicts, times, mems, points};
        size_t len[5] = {1, 1, 1, 1, 1};
        for (int k = 0; k < 5; k++)
            bufs[k][0] = '{';
        for (size_t i = 0; i < n; i++) {
            const char *sep = i ? "," : "";
            len[0] += (size_t)snprintf(ords + len[0], cap - len[0], "%s%d", sep, tests[i].ordinal);
            len[1] += (size_t)snprintf(verdicts + len[1], cap - len[1], "%s%.8s", sep,
                                       tests[i].verdict ? tests[i].verdict : "IE");
            len[2] += (size_t)snprintf(times + len[2], cap - len[2], "%s%d", sep, tests[i].time_ms);
            len[3] += (size_t)snprintf(mems + len[3], cap - len[3], "%s%lld", sep,
                                       (long long)tests[i].memory_kb);
            len[4] += (size_t)snprintf(points + len[4], cap - len[4], "%s%d", sep, tests[i].points);
        }
        for (int k = 0; k < 5; k++)
            snprintf(bufs[k] + len[k], cap - len[k], "}");
    }
    r = fenced(
        conn, progress_sql, 10,
        (const char *[]){id, job->judge_id, att, done, sc, ords, verdicts, times, mems, points});
out:
    free(ords);
    free(verdicts);
    free(times);
    free(mems);
    free(points);
    return r;
}

int db_queue_record_checker(struct db_conn *conn, const struct db_job *job, const char *verdict,
                            const char *compile_output, const char *message)
{
    char id[24], att[16];

    if (job->kind != DB_JOB_CHECKER)
        return -EINVAL;
    fmt_int(id, sizeof(id), job->id);
    fmt_int(att, sizeof(att), job->attempts);
    return fenced(conn,
                  "UPDATE checker_builds SET status = 'done', verdict = $4, compile_output = $5,"
                  " message = $6, judged_at = now(), lease_expires_at = NULL"
                  " WHERE " FENCE(2, 3) " RETURNING id",
                  6, (const char *[]){id, job->judge_id, att, verdict, compile_output, message});
}
