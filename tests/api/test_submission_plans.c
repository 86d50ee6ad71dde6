/*
 * test_submission_plans.c: every filter of GET /submissions reads an index, never the whole
 * submissions table (the plans of api/submission_sql.h on a real database, 20,000 rows).
 */
#include <stdio.h>
#include <string.h>

#include "api/submission_sql.h"
#include "db/db.h"
#include "tests/dbtest.h"
#include "tests/harness.h"

static char url[512];
static int have_db;
static struct db_conn *conn;

static void exec_sql(struct db_conn *c, const char *sql)
{
    if (db_exec_script(c, sql) < 0)
        fprintf(stderr, "SQL failed: %s: %s\n", sql, db_error(c));
}

/* 20,000 submissions of 200 instructors (the standings triggers skip them: a quick load) over
 * 100 days, a third in 9 contests and 20 in a tenth, mostly done, most in C, a few in Rust. */
static int seed(void)
{
    if (db_conn_open(url, &conn) < 0)
        return -1;
    exec_sql(conn, "INSERT INTO users (id, username, password_hash, role)"
                   " SELECT i, 'u' || i, 'x', 'instructor' FROM generate_series(1, 200) i;"
                   "INSERT INTO problems (id, slug, title) VALUES (1, 'p', 'P');"
                   "INSERT INTO contests (id, slug, title, starts_at, ends_at)"
                   " SELECT i, 'c' || i, 'C', now() - interval '200 days', now() + interval '1 day'"
                   " FROM generate_series(1, 10) i;"
                   "INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source,"
                   " status, verdict, created_at)"
                   " SELECT 1 + i % 200, 1,"
                   "  CASE WHEN i % 1000 = 7 THEN 10 WHEN i % 3 = 0 THEN 1 + i % 9 END,"
                   "  CASE WHEN i % 1000 = 0 THEN 'rust' ELSE 'c' END, 'x',"
                   "  CASE WHEN i > 19990 THEN 'queued' ELSE 'done' END,"
                   "  CASE WHEN i > 19990 THEN NULL ELSE 'AC' END,"
                   "  now() - make_interval(secs => (20000 - i) * 432)"
                   " FROM generate_series(1, 20000) i;"
                   "ANALYZE");
    return 0;
}

/* The plan of the list with these filters, as an admin reads it, into plan. */
static void explain(const char *contest, const char *language, const char *status,
                    const char *since, char *plan, size_t size)
{
    PGresult *res = NULL;
    size_t len = 0;
    const char *params[11] = {"9223372036854775807",
                              NULL,
                              NULL,
                              NULL,
                              "21",
                              "1",
                              "admin",
                              contest,
                              language,
                              status,
                              since};

    plan[0] = '\0';
    if (db_query(conn, &res, "EXPLAIN " API_SUBMISSION_LIST_SQL, 11, params) < 0) {
        fprintf(stderr, "EXPLAIN failed: %s\n", db_error(conn));
        return;
    }
    for (int i = 0; i < PQntuples(res) && len + 1 < size; i++) {
        snprintf(plan + len, size - len, "%s\n", PQgetvalue(res, i, 0));
        len += strlen(plan + len);
    }
    PQclear(res);
}

/* Whether the plan reads the submissions through an index only (and shows `index`, a name or
 * a condition, if given). */
static int on_index(const char *plan, const char *index)
{
    int ok =
        strstr(plan, "Seq Scan on submissions") == NULL && (!index || strstr(plan, index) != NULL);
    if (!ok)
        fprintf(stderr, "plan without %s:\n%s", index ? index : "an index", plan);
    return ok;
}

TEST(no_filter_reads_the_ids_backwards)
{
    char plan[8192];
    if (!have_db)
        SKIP("no test database");
    explain(NULL, NULL, NULL, NULL, plan, sizeof(plan));
    CHECK(on_index(plan, "submissions_pkey"));
}

TEST(contest_filter_reads_an_index)
{
    char plan[8192];
    if (!have_db)
        SKIP("no test database");
    /* A small contest: its own index; a large one: the ids, until the page is full. */
    explain("10", NULL, NULL, NULL, plan, sizeof(plan));
    CHECK(on_index(plan, "Index Cond: (contest_id = "));
    explain("3", NULL, NULL, NULL, plan, sizeof(plan));
    CHECK(on_index(plan, NULL));
}

TEST(rare_language_reads_its_index)
{
    char plan[8192];
    if (!have_db)
        SKIP("no test database");
    explain(NULL, "rust", NULL, NULL, plan, sizeof(plan));
    CHECK(on_index(plan, "submissions_language"));
}

TEST(queued_status_reads_an_index)
{
    char plan[8192];
    if (!have_db)
        SKIP("no test database");
    explain(NULL, NULL, "queued", NULL, plan, sizeof(plan));
    CHECK(on_index(plan, NULL));
}

TEST(recent_since_reads_an_index)
{
    char plan[8192];
    if (!have_db)
        SKIP("no test database");
    /* The last hour: a handful of rows out of 100 days. */
    PGresult *res = NULL;
    char since[64] = "";
    if (db_query(conn, &res, "SELECT (now() - interval '1 hour')::text", 0, NULL) == 0)
        snprintf(since, sizeof(since), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    explain(NULL, NULL, NULL, since, plan, sizeof(plan));
    CHECK(on_index(plan, NULL));
    explain("3", "rust", "done", since, plan, sizeof(plan));
    CHECK(on_index(plan, NULL));
}

int main(int argc, char **argv)
{
    int r;

    have_db = dbtest_create("submission_plans", 1, url, sizeof(url)) == 0 && seed() == 0;
    r = harness_main(argc, argv);
    db_conn_close(conn);
    dbtest_drop();
    return r;
}
