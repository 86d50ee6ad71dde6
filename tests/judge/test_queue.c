/*
 * test_queue.c: the judging queue on a real database (label db): claim order, no double
 * claims under concurrency, lease expiry, the attempt limit, fenced recording, rejudge; and the
 * test-data cache fed from the blobs table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/queue.h"
#include "common/fs.h"
#include "judge/cache.h"
#include "tests/dbtest.h"
#include "tests/harness.h"

static char url[512];
static int have_db;

static void exec_sql(struct db_conn *c, const char *sql)
{
    if (db_exec_script(c, sql) < 0)
        fprintf(stderr, "SQL failed: %s: %s\n", sql, db_error(c));
}

static char *one(struct db_conn *c, const char *sql)
{
    static char buf[1024];
    PGresult *res = NULL;

    buf[0] = '\0';
    if (db_query(c, &res, sql, 0, NULL) == 0 && PQntuples(res) > 0)
        snprintf(buf, sizeof(buf), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return buf;
}

/* An empty queue, a user and a problem to hang submissions on. */
static struct db_conn *fresh(void)
{
    struct db_conn *c = NULL;

    if (db_conn_open(url, &c) < 0)
        return NULL;
    exec_sql(c, "TRUNCATE submissions, runs, problems, users CASCADE;"
                "INSERT INTO users (id, username, password_hash) VALUES (1, 'u', 'x');"
                "INSERT INTO problems (id, slug, title) VALUES (1, 'p', 'P');");
    return c;
}

static void add_submissions(struct db_conn *c, int n)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO submissions (user_id, problem_id, language_id, source)"
             " SELECT 1, 1, 'c', 'int main(){}' FROM generate_series(1, %d)",
             n);
    exec_sql(c, sql);
}

TEST(claim_runs_first_then_oldest)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 2);
    exec_sql(c, "INSERT INTO runs (language_id, source) VALUES ('c', 'x')");
    int64_t first_sub = strtoll(one(c, "SELECT min(id) FROM submissions"), NULL, 10);
    CHECK_INT(db_queue_claim(c, "j1", 30, &j), 1);
    CHECK_INT(j.kind, DB_JOB_RUN);
    CHECK_INT(j.attempts, 1);
    CHECK_INT(db_queue_claim(c, "j1", 30, &j), 1);
    CHECK_INT(j.kind, DB_JOB_SUBMISSION);
    CHECK_INT(j.id, first_sub);
    CHECK_INT(db_queue_claim(c, "j1", 30, &j), 1);
    CHECK_INT(j.id, first_sub + 1);
    CHECK_INT(db_queue_claim(c, "j1", 30, &j), 0);
    CHECK_STR(one(c, "SELECT count(*) FROM submissions WHERE status = 'judging' AND judge_id ="
                     " 'j1' AND lease_expires_at > now() + interval '20 s'"),
              "2");
    db_conn_close(c);
}

#define CLAIMERS 4
#define QUEUED   200

struct claimer {
    int64_t ids[QUEUED];
    int n;
    int err;
};

static void *claim_all(void *arg)
{
    struct claimer *cl = arg;
    struct db_conn *c = NULL;
    struct db_job j;
    char id[32];
    int r;

    snprintf(id, sizeof(id), "claimer-%p", arg);
    if (db_conn_open(url, &c) < 0) {
        cl->err = 1;
        return NULL;
    }
    while ((r = db_queue_claim(c, id, 30, &j)) == 1 && cl->n < QUEUED)
        cl->ids[cl->n++] = j.id;
    if (r < 0)
        cl->err = 1;
    db_conn_close(c);
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

TEST(concurrent_claimers_never_share_a_row)
{
    static struct claimer cl[CLAIMERS];
    static int64_t all[CLAIMERS * QUEUED];
    pthread_t t[CLAIMERS];
    struct db_conn *c;
    int n = 0;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, QUEUED);
    memset(cl, 0, sizeof(cl));
    for (int i = 0; i < CLAIMERS; i++)
        pthread_create(&t[i], NULL, claim_all, &cl[i]);
    for (int i = 0; i < CLAIMERS; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(cl[i].err, 0);
        for (int k = 0; k < cl[i].n; k++)
            all[n++] = cl[i].ids[k];
    }
    CHECK_INT(n, QUEUED);
    qsort(all, (size_t)n, sizeof(all[0]), cmp64);
    for (int i = 1; i < n; i++)
        CHECK(all[i] != all[i - 1]);
    CHECK_STR(one(c, "SELECT count(*) FROM submissions WHERE attempts = 1 AND status = 'judging'"),
              "200");
    db_conn_close(c);
}

static const struct db_test_result two_tests[] = {
    {1, "AC", 5, 1000, 1, NULL},
    {2, "WA", 7, 2000, 0, "token 1: expected '3', found '4'"},
};

static struct db_submission_result result_wa = {
    .verdict = "WA",
    .score = 1,
    .max_score = 2,
    .time_ms = 7,
    .memory_kb = 2000,
    .problem_version = 1,
    .tests = two_tests,
    .n_tests = 2,
};

TEST(expired_lease_is_retaken_and_the_old_judge_is_fenced_out)
{
    struct db_conn *c;
    struct db_job a, b;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 1);
    REQUIRE(db_queue_claim(c, "judge-a", 30, &a) == 1);
    CHECK_INT(db_queue_expire(c), 0); /* the lease is alive */
    CHECK_INT(db_queue_heartbeat(c, &a, 30), 0);
    exec_sql(c, "UPDATE submissions SET lease_expires_at = now() - interval '1 s'");
    CHECK_INT(db_queue_expire(c), 1);
    CHECK_STR(one(c, "SELECT status || ' ' || attempts FROM submissions"), "queued 1");
    REQUIRE(db_queue_claim(c, "judge-b", 30, &b) == 1);
    CHECK_INT(b.id, a.id);
    CHECK_INT(b.attempts, 2);
    /* judge-a comes back from the dead: every write of its is refused. */
    CHECK_INT(db_queue_heartbeat(c, &a, 30), -ESTALE);
    CHECK_INT(db_queue_record_submission(c, &a, &result_wa), -ESTALE);
    CHECK_INT(db_queue_retry(c, &a, "x"), -ESTALE);
    CHECK_INT(db_queue_release(c, &a), -ESTALE);
    CHECK_STR(one(c, "SELECT count(*) FROM submission_tests"), "0");
    /* judge-b records exactly once. */
    CHECK_INT(db_queue_record_submission(c, &b, &result_wa), 0);
    CHECK_INT(db_queue_record_submission(c, &b, &result_wa), -ESTALE);
    CHECK_STR(one(c, "SELECT status || ' ' || verdict || ' ' || score || '/' || max_score || ' '"
                     " || judge_id || ' ' || (lease_expires_at IS NULL) FROM submissions"),
              "done WA 1/2 judge-b true");
    CHECK_STR(one(c, "SELECT string_agg(ordinal || verdict || points || coalesce(checker_message,"
                     " '-'), ',' ORDER BY ordinal) FROM submission_tests"),
              "1AC1-,2WA0token 1: expected '3', found '4'");
    db_conn_close(c);
}

TEST(third_expired_attempt_is_ie_with_a_reason)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 1);
    for (int i = 1; i <= 3; i++) {
        REQUIRE(db_queue_claim(c, "dying", 30, &j) == 1);
        CHECK_INT(j.attempts, i);
        exec_sql(c, "UPDATE submissions SET lease_expires_at = now() - interval '1 s'");
        CHECK_INT(db_queue_expire(c), 1);
    }
    CHECK_INT(db_queue_claim(c, "dying", 30, &j), 0);
    CHECK_STR(one(c, "SELECT status || ' ' || verdict || ' ' || score FROM submissions"),
              "done IE 0");
    CHECK(strstr(one(c, "SELECT message FROM submissions"), "3 judging attempts failed") != NULL);
    CHECK(strstr(one(c, "SELECT message FROM submissions"), "expired") != NULL);
    db_conn_close(c);
}

TEST(retry_counts_attempts_release_does_not)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    exec_sql(c, "INSERT INTO runs (language_id, source) VALUES ('c', 'x')");
    REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
    CHECK_INT(db_queue_release(c, &j), 0);
    CHECK_STR(one(c, "SELECT status || ' ' || attempts FROM runs"), "queued 0");
    for (int i = 1; i <= 3; i++) {
        REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
        CHECK_INT(j.attempts, i);
        CHECK_INT(db_queue_retry(c, &j, "sandbox failed"), 0);
    }
    CHECK_STR(one(c, "SELECT status || ' ' || verdict || ' ' || message FROM runs"),
              "done IE 3 judging attempts failed, last: sandbox failed");
    db_conn_close(c);
}

TEST(run_result_keeps_bytes)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    exec_sql(c, "INSERT INTO runs (language_id, source) VALUES ('c', 'x')");
    REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
    struct db_run_result rr = {.verdict = "OK",
                               .exit_code = 0,
                               .time_ms = 3,
                               .memory_kb = 100,
                               .out = "a\0b",
                               .out_len = 3,
                               .err = "",
                               .err_len = 0};
    CHECK_INT(db_queue_record_run(c, &j, &rr), 0);
    CHECK_STR(one(c, "SELECT status || verdict || exit_code || encode(stdout, 'hex') FROM runs"),
              "doneOK0610062");
    CHECK_INT(db_queue_record_run(c, &j, &rr), -ESTALE);
    db_conn_close(c);
}

TEST(rejudge_keeps_the_old_result_until_the_new_one)
{
    struct db_conn *c;
    struct db_job j, k;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 2);
    REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
    REQUIRE(db_queue_record_submission(c, &j, &result_wa) == 0);
    CHECK_INT(db_queue_rejudge(c, 1, 0), 2);
    CHECK_STR(one(c, "SELECT status || ' ' || verdict || ' ' || attempts FROM submissions"
                     " ORDER BY id LIMIT 1"),
              "queued WA 0");
    /* The judge that held the old claim of a rejudged row cannot record into it. */
    CHECK_INT(db_queue_record_submission(c, &j, &result_wa), -ESTALE);
    /* The second submission, never judged, comes before the rejudged first one. */
    REQUIRE(db_queue_claim(c, "j2", 30, &k) == 1);
    CHECK_INT(k.id, j.id + 1);
    REQUIRE(db_queue_claim(c, "j2", 30, &k) == 1);
    CHECK_INT(k.id, j.id);
    struct db_submission_result ac = {.verdict = "AC",
                                      .score = 2,
                                      .max_score = 2,
                                      .problem_version = 2,
                                      .tests = two_tests,
                                      .n_tests = 1};
    CHECK_INT(db_queue_record_submission(c, &k, &ac), 0);
    CHECK_STR(one(c, "SELECT verdict || ' ' || problem_version FROM submissions ORDER BY id"
                     " LIMIT 1"),
              "AC 2");
    CHECK_STR(one(c, "SELECT count(*) FROM submission_tests"), "1");
    CHECK_INT(db_queue_rejudge(c, 0, k.id), 1);
    db_conn_close(c);
}

/* Claims one submission and records a verdict for it. */
static void judge_one(struct db_conn *c, int64_t want_id)
{
    struct db_job j;
    CHECK_INT(db_queue_claim(c, "j", 30, &j), 1);
    CHECK_INT(j.id, want_id);
    CHECK_INT(db_queue_record_submission(c, &j, &result_wa), 0);
}

static int64_t claim_id(struct db_conn *c)
{
    struct db_job j;
    int r = db_queue_claim(c, "j", 30, &j);
    return r == 1 ? j.id : r;
}

TEST(rejudged_submissions_wait_behind_new_ones)
{
    struct db_conn *c;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 3);
    int64_t old = strtoll(one(c, "SELECT min(id) FROM submissions"), NULL, 10);
    for (int i = 0; i < 3; i++)
        judge_one(c, old + i);
    /* A rejudge of the whole problem during a contest, then a contest submission. */
    CHECK_INT(db_queue_rejudge(c, 1, 0), 3);
    add_submissions(c, 1);
    exec_sql(c, "INSERT INTO runs (language_id, source) VALUES ('c', 'x')");
    struct db_job j;
    REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
    CHECK_INT(j.kind, DB_JOB_RUN); /* runs still first */
    CHECK_INT(claim_id(c), old + 3);
    CHECK_INT(claim_id(c), old);
    CHECK_INT(claim_id(c), old + 1);
    CHECK_INT(claim_id(c), old + 2);
    CHECK_INT(claim_id(c), 0);
    db_conn_close(c);
}

TEST(an_expired_claim_keeps_its_class_and_place)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    add_submissions(c, 2);
    int64_t old = strtoll(one(c, "SELECT min(id) FROM submissions"), NULL, 10);
    judge_one(c, old);
    judge_one(c, old + 1);
    CHECK_INT(db_queue_rejudge(c, 1, 0), 2);
    add_submissions(c, 2); /* old + 2, old + 3: never judged */
    /* The first new one and the first rejudged one are claimed by judges that die. */
    CHECK_INT(claim_id(c), old + 2);
    REQUIRE(db_queue_claim_id(c, "dies", 30, DB_JOB_SUBMISSION, old, &j) == 1);
    exec_sql(c, "UPDATE submissions SET lease_expires_at = now() - interval '1 s'"
                " WHERE status = 'judging'");
    CHECK_INT(db_queue_expire(c), 2);
    /* Back in the queue where they were: a new one first, before the newer new one, and a
     * rejudged one before the later rejudged one; the old verdict still shows meanwhile. */
    CHECK_STR(one(c, "SELECT status || ' ' || verdict || ' ' || attempts FROM submissions"
                     " ORDER BY id LIMIT 1"),
              "queued WA 1");
    CHECK_INT(claim_id(c), old + 2);
    CHECK_INT(claim_id(c), old + 3);
    CHECK_INT(claim_id(c), old);
    CHECK_INT(claim_id(c), old + 1);
    /* A retry after a judge's own failure, likewise. */
    exec_sql(c, "UPDATE submissions SET status = 'queued', judge_id = NULL, attempts = 0,"
                " lease_expires_at = NULL");
    REQUIRE(db_queue_claim(c, "fails", 30, &j) == 1);
    CHECK_INT(j.id, old + 2);
    CHECK_INT(db_queue_retry(c, &j, "sandbox failed"), 0);
    CHECK_INT(claim_id(c), old + 2);
    db_conn_close(c);
}

/* Users in turn: one user's burst waits behind another user's first submission, whether that
 * one came before the burst was claimed or while its first row was being judged; a user back
 * after a pause starts at the turn being served, with no turns saved up. Runs likewise. */
TEST(users_are_served_in_turn)
{
    struct db_conn *c;
    struct db_job j;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    exec_sql(c, "INSERT INTO users (id, username, password_hash) VALUES (2, 'b', 'x'),"
                " (3, 'c', 'x')");
    add_submissions(c, 4); /* user 1: a burst of four */
    int64_t a = strtoll(one(c, "SELECT min(id) FROM submissions"), NULL, 10);
    exec_sql(c, "INSERT INTO submissions (user_id, problem_id, language_id, source)"
                " VALUES (2, 1, 'c', 'b1')");
    CHECK_INT(claim_id(c), a);     /* user 1's first */
    CHECK_INT(claim_id(c), a + 4); /* user 2's first, before user 1's second */
    /* User 3 comes with two while user 1 still has three waiting. */
    exec_sql(c, "INSERT INTO submissions (user_id, problem_id, language_id, source)"
                " VALUES (3, 1, 'c', 'c1'), (3, 1, 'c', 'c2')");
    CHECK_INT(claim_id(c), a + 5); /* user 3's first */
    CHECK_INT(claim_id(c), a + 1); /* then each one's second, oldest first */
    CHECK_INT(claim_id(c), a + 6);
    CHECK_INT(claim_id(c), a + 2);
    CHECK_INT(claim_id(c), a + 3);
    CHECK_INT(db_queue_claim(c, "j", 30, &j), 0);
    /* User 2, silent since, comes back with a burst while user 1 has one waiting: their first
     * goes at the turn being served, but no turns were saved up while away, so their second
     * waits behind user 1's. */
    add_submissions(c, 1);
    exec_sql(c, "INSERT INTO submissions (user_id, problem_id, language_id, source)"
                " SELECT 2, 1, 'c', 'b' FROM generate_series(1, 3)");
    CHECK_INT(claim_id(c), a + 8);
    CHECK_INT(claim_id(c), a + 7);
    CHECK_INT(claim_id(c), a + 9);
    CHECK_INT(claim_id(c), a + 10);
    /* Runs: user 1's three, then user 2's one. */
    exec_sql(c, "INSERT INTO runs (user_id, language_id, source) SELECT 1, 'c', 'x'"
                " FROM generate_series(1, 3);"
                "INSERT INTO runs (user_id, language_id, source) VALUES (2, 'c', 'y')");
    int64_t r1 = strtoll(one(c, "SELECT min(id) FROM runs"), NULL, 10);
    int64_t want[] = {r1, r1 + 3, r1 + 1, r1 + 2};
    for (int i = 0; i < 4; i++) {
        REQUIRE(db_queue_claim(c, "j", 30, &j) == 1);
        CHECK_INT(j.kind, DB_JOB_RUN);
        CHECK_INT(j.id, want[i]);
    }
    db_conn_close(c);
}

/* The claim must not sort the queue: with 10000 queued rows, half of them rejudges, the plan
 * of its row choice (the subquery of queue.c's claim) reads an index in order. */
TEST(claim_reads_the_queue_index_without_sorting)
{
    struct db_conn *c;
    PGresult *res = NULL;
    char plan[4096] = "";
    size_t len = 0;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    /* An instructor's rows: the standings triggers skip them, keeping the load quick. */
    exec_sql(c, "INSERT INTO users (id, username, password_hash, role)"
                " VALUES (2, 'i', 'x', 'instructor');"
                "INSERT INTO submissions (user_id, problem_id, language_id, source, verdict)"
                " SELECT 2, 1, 'c', 'x', CASE WHEN i % 2 = 0 THEN 'WA' END"
                " FROM generate_series(1, 10000) i;"
                "INSERT INTO submissions (user_id, problem_id, language_id, source, status,"
                " verdict) SELECT 2, 1, 'c', 'x', 'done', 'AC' FROM generate_series(1, 10000);"
                "ANALYZE submissions");
    REQUIRE(db_query(c, &res,
                     "EXPLAIN SELECT id FROM submissions WHERE status = 'queued'"
                     " ORDER BY (verdict IS NOT NULL), turn, id FOR UPDATE SKIP LOCKED LIMIT 1",
                     0, NULL) == 0);
    for (int i = 0; i < PQntuples(res) && len + 1 < sizeof(plan); i++) {
        snprintf(plan + len, sizeof(plan) - len, "%s\n", PQgetvalue(res, i, 0));
        len += strlen(plan + len);
    }
    PQclear(res);
    CHECK(strstr(plan, "Index Scan using submissions_queue") != NULL);
    CHECK(strstr(plan, "Sort") == NULL);
    if (strstr(plan, "Sort") || !strstr(plan, "submissions_queue"))
        fprintf(stderr, "%s", plan);
    /* And the claim itself takes the oldest never judged. */
    int64_t first =
        strtoll(one(c, "SELECT min(id) FROM submissions WHERE verdict IS NULL"), NULL, 10);
    CHECK_INT(claim_id(c), first);
    db_conn_close(c);
}

/* sha256("3\n") */
#define HASH_3 "1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2"

TEST(cache_fetches_verifies_and_reuses)
{
    struct db_conn *c;
    char root[] = "/tmp/gavel-cache-test-XXXXXX", path[512], *data = NULL;
    size_t len = 0;
    if (!have_db)
        SKIP("no test database");
    REQUIRE((c = fresh()) != NULL);
    REQUIRE(mkdtemp(root) != NULL);
    exec_sql(c, "DELETE FROM test_cases; DELETE FROM blobs;"
                "INSERT INTO blobs (hash, size, data) VALUES ('" HASH_3 "', 2, '\\x330a');"
                "INSERT INTO blobs (hash, size, data) VALUES (repeat('ab', 32), 2, '\\x330a');");
    CHECK_INT(judge_cache_fetch(c, root, HASH_3, path, sizeof(path)), 1);
    CHECK(strstr(path, "/11/" HASH_3) != NULL);
    REQUIRE(judge_read_file(path, 100, &data, &len) == 0);
    CHECK_INT(len, 2);
    CHECK(memcmp(data, "3\n", 2) == 0);
    free(data);
    CHECK_INT(judge_read_file(path, 1, &data, &len), -E2BIG);
    /* The second time it is on disk: no query (the table can even be empty). */
    exec_sql(c, "DELETE FROM blobs WHERE hash = '" HASH_3 "'");
    CHECK_INT(judge_cache_fetch(c, root, HASH_3, path, sizeof(path)), 0);
    /* Data that does not match its name never enters the cache. */
    char bad[65];
    memset(bad, 0, sizeof(bad));
    for (int i = 0; i < 32; i++)
        memcpy(bad + 2 * i, "ab", 2);
    CHECK_INT(judge_cache_fetch(c, root, bad, path, sizeof(path)), -EBADMSG);
    CHECK(access(path, F_OK) != 0);
    CHECK_INT(judge_cache_fetch(c, root, "../../etc/passwd", path, sizeof(path)), -EINVAL);
    CHECK_INT(judge_cache_fetch(c, root,
                                "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
                                path, sizeof(path)),
              -ENOENT);
    CHECK_INT(fs_clear_dir(root), 0);
    CHECK_INT(rmdir(root), 0);
    db_conn_close(c);
}

int main(int argc, char **argv)
{
    int r;

    have_db = dbtest_create("judge_queue", 1, url, sizeof(url)) == 0;
    r = harness_main(argc, argv);
    dbtest_drop();
    return r;
}
