/*
 * test_standings.c: the standings of migrations/050_standings.sql on a real database.
 *
 * Hand-made cases check the rules (ICPC penalty, CE not counted, ties sharing ranks, IOI
 * scaling and tie-break, freeze with pending counts, rejudges, staff never ranked, admission).
 * A randomized test plays long histories of submissions, verdicts, rejudges, freezes and
 * contest changes the way the API and the judge write them, and after every few steps compares
 * the incremental tables with standings_compute and global_compute, which recompute everything
 * from the submissions.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/contests.h"
#include "tests/dbtest.h"
#include "tests/harness.h"

static char url[512];
static struct db_conn *conn;

/* Ends the parameter lists of q() and friends, in which NULL is an SQL NULL. */
static const char end_mark[1];
#define END ((const char *)end_mark)

/* Runs sql with up to 8 text parameters (NULL-terminated list); returns the result or NULL on
 * failure (printed). The caller clears it. */
static PGresult *q(const char *sql, ...)
{
    const char *v[8];
    int n = 0;
    va_list ap;
    PGresult *res = NULL;

    va_start(ap, sql);
    for (const char *s = va_arg(ap, const char *); s != END && n < 8; s = va_arg(ap, const char *))
        v[n++] = s;
    va_end(ap);
    if (db_query(conn, &res, sql, n, v) < 0) {
        fprintf(stderr, "query failed: %s\n  %s\n", db_error(conn), sql);
        return NULL;
    }
    return res;
}

/* Runs sql and returns the first cell as an integer (-1 on failure or no row). */
static int64_t q_int(const char *sql, ...)
{
    const char *v[8];
    int n = 0;
    va_list ap;
    PGresult *res = NULL;
    int64_t x = -1;

    va_start(ap, sql);
    for (const char *s = va_arg(ap, const char *); s != END && n < 8; s = va_arg(ap, const char *))
        v[n++] = s;
    va_end(ap);
    if (db_query(conn, &res, sql, n, v) < 0) {
        fprintf(stderr, "query failed: %s\n  %s\n", db_error(conn), sql);
        return -1;
    }
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        x = db_int64(res, 0, 0);
    PQclear(res);
    return x;
}

/* The first cell as text into buf ("" on failure). */
static const char *q_text(char *buf, size_t size, const char *sql, ...)
{
    const char *v[8];
    int n = 0;
    va_list ap;
    PGresult *res = NULL;

    buf[0] = 0;
    va_start(ap, sql);
    for (const char *s = va_arg(ap, const char *); s != END && n < 8; s = va_arg(ap, const char *))
        v[n++] = s;
    va_end(ap);
    if (db_query(conn, &res, sql, n, v) < 0) {
        fprintf(stderr, "query failed: %s\n  %s\n", db_error(conn), sql);
        return buf;
    }
    if (PQntuples(res) > 0)
        snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return buf;
}

#define EXEC(...)                                                                                  \
    do {                                                                                           \
        PGresult *exec_res_ = q(__VA_ARGS__, END);                                                 \
        CHECK(exec_res_ != NULL);                                                                  \
        PQclear(exec_res_);                                                                        \
    } while (0)
#define INT(...)  q_int(__VA_ARGS__, END)
#define TEXT(...) q_text(tbuf, sizeof(tbuf), __VA_ARGS__, END)

static char tbuf[8192];

/* Rows where the incremental tables and the recomputation differ, for one contest. */
static int64_t contest_diff(const char *cid)
{
    return INT("WITH inc AS (SELECT user_id, solved, penalty, score, doc, rank_a, rank_b,"
               " rank_c, f_solved, f_penalty, f_score, f_doc, f_rank_a, f_rank_b, f_rank_c"
               " FROM standing_rows WHERE contest_id = $1),"
               " scratch AS (SELECT * FROM standings_compute($1))"
               " SELECT (SELECT count(*) FROM (SELECT * FROM inc EXCEPT ALL"
               "         SELECT * FROM scratch) a)"
               "      + (SELECT count(*) FROM (SELECT * FROM scratch EXCEPT ALL"
               "         SELECT * FROM inc) b)",
               cid);
}

/* Rows of pages (every offset, 3 rows each) whose user or rank differs from a rank() over the
 * whole table, in the live or the frozen view. */
static int64_t page_diff(const char *cid, const char *frozen)
{
    return INT("WITH expect AS (SELECT u.username, rank() OVER (ORDER BY CASE WHEN $2 THEN"
               " ARRAY[r.f_rank_a, r.f_rank_b] ELSE ARRAY[r.rank_a, r.rank_b] END,"
               " CASE WHEN $2 THEN r.f_rank_c ELSE r.rank_c END) AS rk,"
               " row_number() OVER (ORDER BY CASE WHEN $2 THEN ARRAY[r.f_rank_a, r.f_rank_b]"
               " ELSE ARRAY[r.rank_a, r.rank_b] END,"
               " CASE WHEN $2 THEN r.f_rank_c ELSE r.rank_c END, r.user_id) AS pos"
               " FROM standing_rows r JOIN users u ON u.id = r.user_id WHERE r.contest_id = $1),"
               " got AS (SELECT t.e->>'username' AS username, (t.e->>'rank')::bigint AS rk,"
               " o.off + t.ord AS pos FROM generate_series(0, 12) o(off),"
               " json_array_elements(standings_page($1, $2, 3, o.off)::json)"
               " WITH ORDINALITY AS t(e, ord))"
               " SELECT count(*) FROM got LEFT JOIN expect USING (pos)"
               " WHERE expect.username IS DISTINCT FROM got.username OR expect.rk <> got.rk",
               cid, frozen);
}

static int64_t global_diff(void)
{
    return INT("SELECT (SELECT count(*) FROM (SELECT user_id, score, solved FROM global_rows"
               "         EXCEPT ALL SELECT * FROM global_compute()) a)"
               "     + (SELECT count(*) FROM (SELECT * FROM global_compute() EXCEPT ALL"
               "         SELECT user_id, score, solved FROM global_rows) b)");
}

static void show_diff(const char *cid)
{
    PGresult *res = q("SELECT 'inc', * FROM (SELECT user_id, solved, penalty, score, doc,"
                      " f_solved, f_penalty, f_score, f_doc, rank_c FROM standing_rows"
                      " WHERE contest_id = $1 EXCEPT SELECT user_id, solved, penalty, score,"
                      " doc, f_solved, f_penalty, f_score, f_doc, rank_c"
                      " FROM standings_compute($1)) a UNION ALL"
                      " SELECT 'new', * FROM (SELECT user_id, solved, penalty, score, doc,"
                      " f_solved, f_penalty, f_score, f_doc, rank_c FROM standings_compute($1)"
                      " EXCEPT SELECT user_id, solved, penalty, score, doc, f_solved,"
                      " f_penalty, f_score, f_doc, rank_c FROM standing_rows"
                      " WHERE contest_id = $1) b",
                      cid, END);
    for (int i = 0; res && i < PQntuples(res) && i < 10; i++) {
        for (int j = 0; j < PQnfields(res); j++)
            fprintf(stderr, "%s ", PQgetvalue(res, i, j));
        fprintf(stderr, "\n");
    }
    PQclear(res);
}

/* A user of the given role; returns its id as text in buf. */
static const char *mk_user(char *buf, size_t size, const char *name, const char *role)
{
    return q_text(buf, size,
                  "INSERT INTO users (username, display_name, password_hash, role)"
                  " VALUES ($1, upper($1), 'x', $2) RETURNING id",
                  name, role, END);
}

static const char *mk_problem(char *buf, size_t size, const char *slug, const char *max_score)
{
    return q_text(buf, size,
                  "INSERT INTO problems (slug, title, max_score) VALUES ($1, $1, $2) RETURNING id",
                  slug, max_score, END);
}

/* A contest whose start is `start`, 5 hours long, freeze as given (NULL: none). */
static const char *mk_contest(char *buf, size_t size, const char *slug, const char *scoring,
                              const char *start, const char *freeze)
{
    return q_text(buf, size,
                  "INSERT INTO contests (slug, title, starts_at, ends_at, freeze_at, scoring)"
                  " VALUES ($1, $1, $2::timestamptz, $2::timestamptz + interval '5 hours',"
                  " $3::timestamptz, $4) RETURNING id",
                  slug, start, freeze, scoring, END);
}

/* A judged submission created `min` minutes after 2026-01-01 10:00 UTC. */
static void judged(const char *uid, const char *pid, const char *cid, int min, const char *verdict,
                   int score)
{
    char m[16], s[16];

    snprintf(m, sizeof(m), "%d", min);
    snprintf(s, sizeof(s), "%d", score);
    EXEC("INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source,"
         " status, verdict, score, max_score, created_at, judged_at)"
         " VALUES ($1, $2, $3, 'c', '', 'done', $4, $5, 100,"
         " '2026-01-01 10:00Z'::timestamptz + $6::integer * interval '1 minute', now())",
         uid, pid, cid, verdict, s, m);
}

static const char *page(const char *cid, const char *frozen, const char *limit, const char *offset)
{
    return TEXT("SELECT standings_page($1, $2, $3, $4)", cid, frozen, limit, offset);
}

static int setup(void)
{
    if (conn)
        return 0;
    if (dbtest_create("standings", 1, url, sizeof(url)) < 0)
        return -1;
    if (db_conn_open(url, &conn) < 0)
        return -1;
    return 0;
}

TEST(icpc_rules_and_ties)
{
    char a[24], b[24], c[24], d[24], t[24], p1[24], p2[24], k[24];

    if (setup() < 0)
        SKIP("no test database");
    mk_user(a, sizeof(a), "ia", "student");
    mk_user(b, sizeof(b), "ib", "student");
    mk_user(c, sizeof(c), "ic", "student");
    mk_user(d, sizeof(d), "id", "student");
    mk_user(t, sizeof(t), "it", "instructor");
    mk_problem(p1, sizeof(p1), "ip1", "100");
    mk_problem(p2, sizeof(p2), "ip2", "100");
    mk_contest(k, sizeof(k), "icpc1", "icpc", "2026-01-01 10:00Z", NULL);
    EXEC("INSERT INTO contest_problems (contest_id, problem_id, label) VALUES ($1, $2, 'A'),"
         " ($1, $3, 'B')",
         k, p1, p2);
    EXEC("INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2), ($1, $3)", k, d,
         t);
    /* a: WA, CE (not counted), AC at 30 -> 30 + 20 = 50; a WA after the AC changes nothing. */
    judged(a, p1, k, 10, "WA", 0);
    judged(a, p1, k, 15, "CE", 0);
    judged(a, p1, k, 30, "AC", 100);
    judged(a, p1, k, 40, "WA", 0);
    judged(a, p2, k, 35, "IE", 0);
    /* b and c: AC at 50 -> penalty 50, last AC later than a's: both rank 2. */
    judged(b, p1, k, 50, "AC", 100);
    judged(c, p1, k, 50, "AC", 100);
    /* The instructor solves everything and is never ranked. */
    judged(t, p1, k, 1, "AC", 100);
    judged(t, p2, k, 1, "AC", 100);
    /* Outside the window: ignored. */
    judged(d, p1, k, -5, "AC", 100);
    judged(d, p1, k, 301, "AC", 100);

    CHECK_INT(INT("SELECT penalty FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a),
              50);
    CHECK_INT(INT("SELECT (doc::jsonb->'problems'->'A'->>'attempts')::int FROM standing_rows"
                  " WHERE contest_id = $1 AND user_id = $2",
                  k, a),
              2);
    CHECK_INT(INT("SELECT count(*) FROM standing_rows WHERE contest_id = $1", k), 4);
    CHECK_INT(
        INT("SELECT count(*) FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, t), 0);
    CHECK_INT(INT("SELECT count(*) FROM json_array_elements($1::json) e"
                  " WHERE (e->>'username', (e->>'rank')::int) IN"
                  " (('ia', 1), ('ib', 2), ('ic', 2), ('id', 4))",
                  page(k, "false", "50", "0")),
              4);
    /* Pages after the first keep shared ranks. */
    CHECK_INT(INT("SELECT (e->>'rank')::int FROM json_array_elements($1::json) e LIMIT 1",
                  page(k, "false", "2", "2")),
              2);
    CHECK_INT(INT("SELECT (e->>'rank')::int FROM json_array_elements($1::json) e OFFSET 1",
                  page(k, "false", "2", "2")),
              4);
    CHECK_INT(contest_diff(k), 0);

    /* A rejudge: a's first WA becomes AC at 10 -> penalty 10, attempts 1. Queued again first:
     * the old verdict still counts. */
    EXEC("UPDATE submissions SET status = 'queued' WHERE user_id = $1 AND problem_id = $2"
         " AND verdict = 'WA' AND created_at = '2026-01-01 10:10Z'",
         a, p1);
    CHECK_INT(INT("SELECT penalty FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a),
              50);
    EXEC("UPDATE submissions SET status = 'done', verdict = 'AC', score = 100"
         " WHERE user_id = $1 AND problem_id = $2 AND created_at = '2026-01-01 10:10Z'",
         a, p1);
    CHECK_INT(INT("SELECT penalty FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a),
              10);
    CHECK_INT(contest_diff(k), 0);
}

TEST(icpc_freeze_and_pending)
{
    char a[24], b[24], p1[24], k[24];

    if (setup() < 0)
        SKIP("no test database");
    mk_user(a, sizeof(a), "fa", "student");
    mk_user(b, sizeof(b), "fb", "student");
    mk_problem(p1, sizeof(p1), "fp1", "100");
    mk_contest(k, sizeof(k), "freeze1", "icpc", "2026-01-01 10:00Z", "2026-01-01 14:00Z");
    EXEC("INSERT INTO contest_problems (contest_id, problem_id, label) VALUES ($1, $2, 'A')", k,
         p1);
    judged(a, p1, k, 100, "WA", 0);
    judged(a, p1, k, 250, "WA", 0);
    judged(a, p1, k, 260, "AC", 100);
    judged(b, p1, k, 200, "AC", 100);
    /* A submission still in the queue is pending in both views. */
    EXEC("INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source,"
         " created_at) VALUES ($1, $2, $3, 'c', '', '2026-01-01 14:50Z')",
         b, p1, k);

    /* Live: a solved at 260 with 2 rejected (300), b at 200: b first. */
    CHECK_INT(INT("SELECT penalty FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a),
              300);
    /* Frozen: a has one rejected try visible and 2 pending; b 1 pending. */
    CHECK_INT(INT("SELECT (f_doc::jsonb->'problems'->'A'->>'attempts')::int * 10 + "
                  "(f_doc::jsonb->'problems'->'A'->>'pending')::int"
                  " FROM standing_rows WHERE contest_id = $1 AND user_id = $2",
                  k, a),
              12);
    CHECK_INT(
        INT("SELECT f_solved FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a), 0);
    CHECK_INT(INT("SELECT (f_doc::jsonb->'problems'->'A'->>'pending')::int FROM standing_rows"
                  " WHERE contest_id = $1 AND user_id = $2",
                  k, b),
              1);
    CHECK_INT(INT("SELECT (doc::jsonb->'problems'->'A'->>'pending')::int FROM standing_rows"
                  " WHERE contest_id = $1 AND user_id = $2",
                  k, b),
              1);
    CHECK_INT(INT("SELECT count(*) FROM json_array_elements($1::json) e"
                  " WHERE (e->>'username', (e->>'rank')::int, (e->>'solved')::int) IN"
                  " (('fb', 1, 1), ('fa', 2, 0))",
                  page(k, "true", "50", "0")),
              2);
    CHECK_INT(INT("SELECT count(*) FROM json_array_elements($1::json) e"
                  " WHERE (e->>'username', (e->>'rank')::int, (e->>'solved')::int) IN"
                  " (('fb', 1, 1), ('fa', 2, 1))",
                  page(k, "false", "50", "0")),
              2);
    /* Moving the freeze and rebuilding matches the recomputation. */
    EXEC("UPDATE contests SET freeze_at = '2026-01-01 14:30Z' WHERE id = $1", k);
    EXEC("SELECT standings_rebuild($1)", k);
    CHECK_INT(
        INT("SELECT f_solved FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a), 1);
    CHECK_INT(contest_diff(k), 0);
}

TEST(ioi_scaling_and_tiebreak)
{
    char a[24], b[24], c[24], p1[24], p2[24], k[24];

    if (setup() < 0)
        SKIP("no test database");
    mk_user(a, sizeof(a), "oa", "student");
    mk_user(b, sizeof(b), "ob", "student");
    mk_user(c, sizeof(c), "oc", "student");
    mk_problem(p1, sizeof(p1), "op1", "100");
    mk_problem(p2, sizeof(p2), "op2", "100");
    mk_contest(k, sizeof(k), "ioi1", "ioi", "2026-01-01 10:00Z", NULL);
    EXEC("INSERT INTO contest_problems (contest_id, problem_id, label, points)"
         " VALUES ($1, $2, 'A', 50), ($1, $3, 'B', NULL)",
         k, p1, p2);
    /* a: A 30 -> 15, 80 -> 40 at 10, 80 again at 20 (not later); B 20 at 5: 60 at minute 10. */
    judged(a, p1, k, 5, "WA", 30);
    judged(a, p1, k, 10, "WA", 80);
    judged(a, p1, k, 20, "WA", 80);
    judged(a, p2, k, 5, "WA", 20);
    /* b: 60 reached at minute 30: after a. c: 60 at 10 too: ties with a. */
    judged(b, p2, k, 30, "WA", 60);
    judged(c, p2, k, 10, "WA", 60);
    CHECK_STR(
        TEXT("SELECT score::text FROM standing_rows WHERE contest_id = $1 AND user_id = $2", k, a),
        "60");
    CHECK_INT(INT("SELECT (doc::jsonb->'problems'->'A'->>'time_min')::int FROM standing_rows"
                  " WHERE contest_id = $1 AND user_id = $2",
                  k, a),
              10);
    CHECK_INT(INT("SELECT count(*) FROM json_array_elements($1::json) e"
                  " WHERE (e->>'username', (e->>'rank')::int) IN"
                  " (('oa', 1), ('oc', 1), ('ob', 3))",
                  page(k, "false", "50", "0")),
              3);
    CHECK_INT(contest_diff(k), 0);
}

TEST(admission)
{
    char s[24], t[24], p1[24], p2[24], k[24], priv[24];
    const char *msg = NULL;
    int64_t cid = 0, sid, tid, p1id, p2id;

    if (setup() < 0)
        SKIP("no test database");
    mk_user(s, sizeof(s), "as", "student");
    mk_user(t, sizeof(t), "at", "instructor");
    mk_problem(p1, sizeof(p1), "ap1", "100");
    mk_problem(p2, sizeof(p2), "ap2", "100");
    sid = strtoll(s, NULL, 10);
    tid = strtoll(t, NULL, 10);
    p1id = strtoll(p1, NULL, 10);
    p2id = strtoll(p2, NULL, 10);
    EXEC("INSERT INTO contests (slug, title, starts_at, ends_at) VALUES"
         " ('adm-open', 'x', now() - interval '1 hour', now() + interval '1 hour'),"
         " ('adm-later', 'x', now() + interval '1 hour', now() + interval '2 hours'),"
         " ('adm-past', 'x', now() - interval '2 hours', now() - interval '1 hour')");
    mk_contest(priv, sizeof(priv), "adm-priv", "icpc", TEXT("SELECT now() - interval '1 hour'"),
               NULL);
    EXEC("UPDATE contests SET visibility = 'private' WHERE id = $1", priv);
    EXEC("INSERT INTO contest_problems (contest_id, problem_id, label)"
         " SELECT id, $1, 'A' FROM contests WHERE slug LIKE 'adm-%'",
         p1);
    q_text(k, sizeof(k), "SELECT id FROM contests WHERE slug = 'adm-open'", END);

    CHECK_INT(db_contest_admit(conn, "adm-open", sid, "student", p1id, &cid, &msg), 0);
    CHECK_INT(cid, strtoll(k, NULL, 10));
    CHECK(msg == NULL);
    CHECK_INT(INT("SELECT count(*) FROM contest_participants WHERE contest_id = $1"
                  " AND user_id = $2",
                  k, s),
              1);
    CHECK_INT(db_contest_admit(conn, "adm-open", sid, "student", p2id, &cid, &msg), -EINVAL);
    CHECK_STR(msg, "this problem is not part of the contest");
    CHECK_INT(db_contest_admit(conn, "adm-later", sid, "student", p1id, &cid, &msg), -EINVAL);
    CHECK_STR(msg, "the contest has not started yet");
    CHECK_INT(db_contest_admit(conn, "adm-past", sid, "student", p1id, &cid, &msg), -EINVAL);
    CHECK_STR(msg, "the contest is over");
    CHECK_INT(db_contest_admit(conn, "adm-priv", sid, "student", p1id, &cid, &msg), -ENOENT);
    CHECK_STR(msg, "no such contest");
    CHECK_INT(db_contest_admit(conn, "nope", sid, "student", p1id, &cid, &msg), -ENOENT);
    /* Staff may submit at any time, and are not made participants. */
    CHECK_INT(db_contest_admit(conn, "adm-later", tid, "instructor", p1id, &cid, &msg), 0);
    CHECK_INT(db_contest_admit(conn, "adm-priv", tid, "admin", p1id, &cid, &msg), 0);
    CHECK_INT(INT("SELECT count(*) FROM contest_participants WHERE user_id = $1", t), 0);
    EXEC("INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2)", priv, s);
    CHECK_INT(db_contest_admit(conn, "adm-priv", sid, "student", p1id, &cid, &msg), 0);
    CHECK_INT(cid, strtoll(priv, NULL, 10));
}

/* A small deterministic generator, so a failing seed can be replayed. */
static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const char *const verdicts[] = {"AC", "WA", "TLE", "MLE", "RE", "CE", "OLE", "IE"};

/* One random history on its own contest; returns the number of comparisons that failed. */
static int random_history(unsigned seed, int steps)
{
    char k[24], slug[32], users[6][24], probs[5][24], name[32], buf[64];
    char m[16], sc[16];
    int fails = 0;
    int ioi = seed % 2;

    rng_state = 0x9e3779b97f4a7c15ULL ^ seed;
    snprintf(slug, sizeof(slug), "rnd%u", seed);
    mk_contest(k, sizeof(k), slug, ioi ? "ioi" : "icpc", "2026-01-01 10:00Z",
               rnd(3) ? "2026-01-01 13:00Z" : NULL);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "r%u_%d", seed, i);
        mk_user(users[i], sizeof(users[i]), name, i == 5 ? "instructor" : "student");
    }
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "r%u-p%d", seed, i);
        mk_problem(probs[i], sizeof(probs[i]), name, i == 4 ? "0" : "100");
        /* Problem 3 is not in the contest; problem 0 has no contest points. */
        if (i != 3) {
            snprintf(buf, sizeof(buf), "%c", 'A' + i);
            EXEC("INSERT INTO contest_problems (contest_id, problem_id, label, points)"
                 " VALUES ($1, $2, $3, NULLIF($4, '0')::integer)",
                 k, probs[i], buf, i == 0 ? "0" : (i == 1 ? "50" : "30"));
        }
    }
    EXEC("INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2)", k, users[0]);

    for (int step = 0; step < steps; step++) {
        unsigned op = rnd(100);
        const char *u = users[rnd(6)], *p = probs[rnd(5)];

        snprintf(m, sizeof(m), "%d", (int)rnd(320) - 10);
        snprintf(sc, sizeof(sc), "%u", rnd(5) * 25);
        if (op < 35) {
            /* A new submission, queued (as the API inserts it). */
            EXEC("INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source,"
                 " created_at) VALUES ($1, $2, $3, 'c', '',"
                 " '2026-01-01 10:00Z'::timestamptz + $4::integer * interval '1 minute')",
                 u, p, k, m);
        } else if (op < 65) {
            /* The judge claims the oldest queued one and records a verdict in one update. */
            const char *v = verdicts[rnd(8)];
            EXEC("UPDATE submissions SET status = 'judging' WHERE id = (SELECT id FROM"
                 " submissions WHERE contest_id = $1 AND status = 'queued' ORDER BY id LIMIT 1)",
                 k);
            EXEC("UPDATE submissions SET status = 'done', verdict = $2,"
                 " score = CASE WHEN $2 = 'AC' THEN 100 WHEN $2 IN ('CE', 'IE') THEN 0"
                 " ELSE $3::integer END, max_score = 100, judged_at = now()"
                 " WHERE id = (SELECT id FROM submissions WHERE contest_id = $1"
                 " AND status = 'judging' ORDER BY id LIMIT 1)",
                 k, v, sc);
        } else if (op < 75) {
            /* A rejudge of some judged submission: back in the queue, old verdict kept. */
            EXEC("UPDATE submissions SET status = 'queued' WHERE id = (SELECT id FROM"
                 " submissions WHERE contest_id = $1 AND status = 'done'"
                 " ORDER BY md5(id::text || $2) LIMIT 1)",
                 k, m);
        } else if (op < 85) {
            /* Several results recorded in one transaction. */
            EXEC("BEGIN");
            for (int j = 0; j < 3; j++) {
                EXEC("UPDATE submissions SET status = 'done', verdict = $2, score = $3::integer,"
                     " max_score = 100 WHERE id = (SELECT id FROM submissions WHERE"
                     " contest_id = $1 AND status <> 'done' ORDER BY md5(id::text || $4)"
                     " LIMIT 1)",
                     k, verdicts[rnd(8)], sc, m);
            }
            EXEC("COMMIT");
        } else if (op < 90) {
            /* A submission of a user to another contest's problem set, or with no contest. */
            EXEC("INSERT INTO submissions (user_id, problem_id, language_id, source, status,"
                 " verdict, score, max_score) VALUES ($1, $2, 'c', '', 'done', 'AC', 100, 100)",
                 u, p);
        } else if (op < 93) {
            /* The freeze moves (the API rebuilds after a contest changes). */
            EXEC("UPDATE contests SET freeze_at = CASE WHEN freeze_at IS NULL"
                 " THEN starts_at + $2::integer * interval '1 minute' ELSE NULL END"
                 " WHERE id = $1",
                 k, TEXT("SELECT greatest(0, least(300, $1::integer))", m));
            EXEC("SELECT standings_rebuild($1)", k);
        } else if (op < 95) {
            /* A problem hidden or shown again. */
            EXEC("UPDATE problems SET visibility = CASE visibility WHEN 'public' THEN 'hidden'"
                 " ELSE 'public' END WHERE id = $1",
                 p);
        } else if (op < 97) {
            /* A user changes their display name: their rows follow. */
            EXEC("UPDATE users SET display_name = 'N' || $2 WHERE id = $1", u, m);
        } else {
            /* A new participant. */
            EXEC("INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2)"
                 " ON CONFLICT DO NOTHING",
                 k, u);
        }
        if (step % 10 == 9 || step == steps - 1) {
            int64_t d = contest_diff(k), g = global_diff();
            d += page_diff(k, "false") + page_diff(k, "true");
            if (d != 0 || g != 0) {
                fprintf(stderr,
                        "seed %u step %d: contest diff %" PRId64 ", global diff %" PRId64 "\n",
                        seed, step, d, g);
                show_diff(k);
                fails++;
                break;
            }
        }
    }
    /* A rebuild from scratch leaves the same rows. */
    EXEC("SELECT standings_rebuild($1)", k);
    if (contest_diff(k) != 0)
        fails++;
    return fails;
}

/* Concurrent judges: each thread records verdicts on its own connection, for users and
 * problems that the others touch too, in one-row transactions as the judge does. Afterwards
 * the incremental tables must still match the recomputation (and no transaction may fail:
 * the lock order of the triggers leaves no room for deadlocks). */
struct judge_arg {
    const char *cid;
    unsigned seed;
    int failures;
};

static void *judge_thread(void *p)
{
    struct judge_arg *a = p;
    struct db_conn *c = NULL;
    uint64_t st = 0x2545f4914f6cdd1dULL ^ a->seed;
    char ms[16];

    if (db_conn_open(url, &c) < 0) {
        a->failures++;
        return NULL;
    }
    for (int i = 0; i < 60; i++) {
        PGresult *res = NULL;
        const char *v[3];

        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        snprintf(ms, sizeof(ms), "%d", (int)(st % 300));
        v[0] = a->cid;
        v[1] = ms;
        v[2] = verdicts[(st >> 20) % 8];
        /* A new submission of a random user to a random problem, judged at once. */
        if (db_query(c, &res,
                     "WITH u AS (SELECT user_id FROM standing_rows WHERE contest_id = $1"
                     "           ORDER BY md5(user_id::text || $2) LIMIT 1),"
                     " p AS (SELECT problem_id FROM contest_problems WHERE contest_id = $1"
                     "           ORDER BY md5(problem_id::text || $2) LIMIT 1)"
                     " INSERT INTO submissions (user_id, problem_id, contest_id, language_id,"
                     " source, created_at) SELECT u.user_id, p.problem_id, $1, 'c', '',"
                     " '2026-01-01 10:00Z'::timestamptz + $2::integer * interval '1 minute'"
                     " FROM u, p RETURNING id",
                     2, v) < 0 ||
            PQntuples(res) != 1) {
            a->failures++;
            PQclear(res);
            continue;
        }
        v[0] = PQgetvalue(res, 0, 0);
        if (db_query(c, NULL,
                     "UPDATE submissions SET status = 'done', verdict = $3,"
                     " score = $2::integer % 101, max_score = 100 WHERE id = $1",
                     3, (const char *const[]){v[0], ms, v[2]}) < 0) {
            fprintf(stderr, "judge: %s\n", db_error(c));
            a->failures++;
        }
        PQclear(res);
    }
    db_conn_close(c);
    return NULL;
}

TEST(concurrent_judges)
{
    char k[24], p1[24], p2[24], users[6][24], name[32];
    struct judge_arg args[4];
    pthread_t th[4];

    if (setup() < 0)
        SKIP("no test database");
    mk_contest(k, sizeof(k), "conc", "ioi", "2026-01-01 10:00Z", "2026-01-01 13:00Z");
    mk_problem(p1, sizeof(p1), "conc-p1", "100");
    mk_problem(p2, sizeof(p2), "conc-p2", "100");
    EXEC("INSERT INTO contest_problems (contest_id, problem_id, label, points)"
         " VALUES ($1, $2, 'A', 40), ($1, $3, 'B', NULL)",
         k, p1, p2);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "conc%d", i);
        mk_user(users[i], sizeof(users[i]), name, "student");
        EXEC("INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2)", k, users[i]);
    }
    for (int i = 0; i < 4; i++) {
        args[i] = (struct judge_arg){k, (unsigned)i + 1, 0};
        REQUIRE(pthread_create(&th[i], NULL, judge_thread, &args[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(args[i].failures, 0);
    }
    CHECK_INT(INT("SELECT count(*) FROM submissions WHERE contest_id = $1", k), 240);
    CHECK_INT(contest_diff(k), 0);
    CHECK_INT(global_diff(), 0);
}

TEST(random_histories)
{
    const char *env = getenv("GAVEL_STANDINGS_SEEDS");
    unsigned seeds = env ? (unsigned)strtoul(env, NULL, 10) : 24;

    if (setup() < 0)
        SKIP("no test database");
    for (unsigned seed = 1; seed <= seeds; seed++)
        CHECK_INT(random_history(seed, 300), 0);
}

int main(int argc, char **argv)
{
    int r = harness_main(argc, argv);

    if (conn)
        db_conn_close(conn);
    dbtest_drop();
    return r;
}
