/*
 * test_db.c: the database layer against a real PostgreSQL (label db).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "db/accounts.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/problems.h"
#include "tests/dbtest.h"
#include "tests/harness.h"

static char url[512];
static int have_db;

TEST(sqlstate_mapping)
{
    CHECK_INT(db_sqlstate_errno("23505"), -EEXIST);
    CHECK_INT(db_sqlstate_errno("23503"), -ENOENT);
    CHECK_INT(db_sqlstate_errno("23514"), -EINVAL);
    CHECK_INT(db_sqlstate_errno("22P02"), -EINVAL);
    CHECK_INT(db_sqlstate_errno("40001"), -EAGAIN);
    CHECK_INT(db_sqlstate_errno("40P01"), -EAGAIN);
    CHECK_INT(db_sqlstate_errno("57P01"), -ENOTCONN);
    CHECK_INT(db_sqlstate_errno("XX000"), -EIO);
    CHECK_INT(db_sqlstate_errno(""), -EIO);
    CHECK_INT(db_sqlstate_errno(NULL), -EIO);
}

TEST(wrong_address_fails_cleanly)
{
    struct db_pool *p = NULL;
    CHECK_INT(db_pool_new("postgresql:///nope?host=/nonexistent-gavel", 2, &p), -ENOTCONN);
    CHECK(p == NULL);
}

TEST(migrate_is_idempotent_and_refuses_newer)
{
    struct db_conn *c;
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &c) == 0);
    CHECK_INT(db_schema_version(c), db_latest_version());
    CHECK_INT(db_migrate(c), 0);
    CHECK(db_query(c, NULL, "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql')", 0,
                   NULL) == 0);
    CHECK_INT(db_migrate(c), -EPROTO);
    CHECK(db_query(c, NULL, "DELETE FROM schema_migrations WHERE version = 9999", 0, NULL) == 0);
    CHECK_INT(db_migrate(c), 0);
    db_conn_close(c);
}

TEST(languages_seeded_with_limits)
{
    struct db_conn *c;
    PGresult *res = NULL;
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &c) == 0);
    REQUIRE(db_query(c, &res,
                     "SELECT string_agg(id || ':' || time_limit_ms || ':' || memory_limit_mb, ' '"
                     " ORDER BY id) FILTER (WHERE installed),"
                     " string_agg(id || ':' || time_limit_ms, ' ' ORDER BY id)"
                     " FILTER (WHERE NOT installed) FROM languages",
                     0, NULL) == 0);
    /* Installed by default, and the others until a judge finds their toolchains. */
    CHECK_STR(PQgetvalue(res, 0, 0),
              "c:1000:256 cpp:1000:256 java:3000:256 javascript:2000:256 python3:2000:256");
    CHECK_STR(PQgetvalue(res, 0, 1), "cpp20:1000 csharp:3000 go:2000 haskell:2000 kotlin:3000"
                                     " pascal:1000 pypy3:2000 ruby:2000 rust:1000");
    PQclear(res);
    db_conn_close(c);
}

TEST(errors_map_to_errno)
{
    struct db_conn *c;
    int64_t id;
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &c) == 0);
    CHECK_INT(db_user_create(c, "alice", "correct horse", "Alice", "student", &id), 0);
    CHECK(id > 0);
    CHECK_INT(db_user_create(c, "alice", "correct horse", "", "student", &id), -EEXIST);
    CHECK(strcmp(db_sqlstate(c), "23505") == 0);
    CHECK_INT(db_user_create(c, "bad name", "correct horse", "", "student", &id), -EINVAL);
    CHECK_INT(db_user_create(c, "bob", "short", "", "student", &id), -EINVAL);
    CHECK_INT(db_user_create(c, "bob", "long enough", "", "root", &id), -EINVAL);
    CHECK_INT(db_query(c, NULL,
                       "INSERT INTO api_tokens (token_hash, user_id, expires_at)"
                       " VALUES ('\\x00', 999999, now())",
                       0, NULL),
              -ENOENT);
    CHECK_INT(db_query(c, NULL, "SELECT $1::int", 1, (const char *const[]){"nope"}), -EINVAL);
    CHECK(db_error(c)[0] != '\0');
    db_conn_close(c);
}

TEST(password_hash_roundtrip)
{
    char hash[128];
    REQUIRE(db_password_hash("correct horse", hash, sizeof(hash)) == 0);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK(db_password_check(hash, "correct horse"));
    CHECK(!db_password_check(hash, "correct horsf"));
    CHECK(!db_password_check(hash, ""));
}

TEST(reconnects_after_server_drops_connection)
{
    struct db_conn *c, *killer;
    PGresult *res = NULL;
    char pid[32];
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &c) == 0);
    REQUIRE(db_conn_open(url, &killer) == 0);
    REQUIRE(db_query(c, &res, "SELECT pg_backend_pid()", 0, NULL) == 0);
    snprintf(pid, sizeof(pid), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    REQUIRE(db_query(killer, NULL, "SELECT pg_terminate_backend($1::int)", 1,
                     (const char *const[]){pid}) == 0);
    usleep(100 * 1000);
    /* The same prepared statement again: the connection is remade and it is prepared anew. */
    CHECK_INT(db_query(c, &res, "SELECT pg_backend_pid()", 0, NULL), 0);
    if (res)
        CHECK(strcmp(PQgetvalue(res, 0, 0), pid) != 0);
    PQclear(res);
    db_conn_close(killer);
    db_conn_close(c);
}

struct pool_arg {
    struct db_pool *pool;
    int failures;
};

static void *pool_worker(void *arg)
{
    struct pool_arg *a = arg;
    for (int i = 0; i < 200; i++) {
        struct db_conn *c;
        PGresult *res = NULL;
        char n[16];
        snprintf(n, sizeof(n), "%d", i);
        if (db_acquire(a->pool, &c) < 0) {
            __atomic_add_fetch(&a->failures, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (db_query(c, &res, "SELECT $1::int + 1", 1, (const char *const[]){n}) < 0 ||
            db_int64(res, 0, 0) != i + 1)
            __atomic_add_fetch(&a->failures, 1, __ATOMIC_RELAXED);
        PQclear(res);
        db_release(a->pool, c);
    }
    return NULL;
}

TEST(pool_is_thread_safe)
{
    struct pool_arg a = {0};
    pthread_t t[8];
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_pool_new(url, 3, &a.pool) == 0);
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, pool_worker, &a);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CHECK_INT(a.failures, 0);
    db_pool_free(a.pool);
}

TEST(release_rolls_back_open_transaction)
{
    struct db_pool *p;
    struct db_conn *c;
    PGresult *res = NULL;
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_pool_new(url, 1, &p) == 0);
    REQUIRE(db_acquire(p, &c) == 0);
    CHECK(db_begin(c, NULL) == 0);
    CHECK(db_query(c, NULL, "CREATE TABLE t_rollback (x int)", 0, NULL) == 0);
    db_release(p, c);
    REQUIRE(db_acquire(p, &c) == 0);
    CHECK(db_query(c, &res, "SELECT to_regclass('t_rollback') IS NULL", 0, NULL) == 0);
    CHECK(res && db_int64(res, 0, 0) == 1);
    PQclear(res);
    db_release(p, c);
    db_pool_free(p);
}

TEST(listen_notify)
{
    struct db_conn *l, *c;
    char channel[64], payload[64];
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &l) == 0);
    REQUIRE(db_conn_open(url, &c) == 0);
    CHECK(db_exec_script(l, "LISTEN gavel_queue") == 0);
    CHECK_INT(db_wait_notify(l, 50, channel, sizeof(channel), payload, sizeof(payload)), 0);
    CHECK(db_exec_script(c, "NOTIFY gavel_queue, 's:42'") == 0);
    CHECK_INT(db_wait_notify(l, 2000, channel, sizeof(channel), payload, sizeof(payload)), 1);
    CHECK_STR(channel, "gavel_queue");
    CHECK_STR(payload, "s:42");
    db_conn_close(c);
    db_conn_close(l);
}

static const struct db_test_def sample_tests[] = {
    {"1", (const unsigned char *)"1 2\n", 4, (const unsigned char *)"3\n", 2, 1, 1, NULL},
    {"2", (const unsigned char *)"a\0b", 3, (const unsigned char *)"3\n", 2, 2, 0, "g"},
    {"3", (const unsigned char *)"", 0, (const unsigned char *)"", 0, 3, 0, "g"},
};

TEST(problem_save_create_replace_validate)
{
    struct db_conn *c;
    struct db_problem_def d = {.slug = "sum",
                               .title = "Sum",
                               .tests = sample_tests,
                               .n_tests = 3,
                               .time_limits_json = "{\"cpp\": 1500}"};
    const char *field = NULL;
    char buf[64];
    int64_t id = 0, id2 = 0;
    int version = 0;
    PGresult *res = NULL;
    if (!have_db)
        SKIP("no test database");
    REQUIRE(db_conn_open(url, &c) == 0);
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, &id, &version, &field, buf, sizeof(buf)),
              0);
    CHECK_INT(version, 1);
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, NULL, NULL, &field, buf, sizeof(buf)),
              -EEXIST);
    CHECK_STR(field, "slug");
    CHECK_INT(
        db_problem_save(c, &d, 0, DB_PROBLEM_REPLACE, &id2, &version, &field, buf, sizeof(buf)), 0);
    CHECK_INT(id2, id);
    CHECK_INT(version, 2);
    REQUIRE(db_query(c, &res,
                     "SELECT max_score, (SELECT count(*) FROM test_cases WHERE problem_id = p.id),"
                     " (SELECT count(*) FROM blobs) FROM problems p WHERE slug = 'sum'",
                     0, NULL) == 0);
    CHECK_INT(db_int64(res, 0, 0), 6);
    CHECK_INT(db_int64(res, 0, 1), 3);
    CHECK_INT(db_int64(res, 0, 2), 4); /* "3\n" is stored once */
    PQclear(res);

    /* The same fingerprint twice: the second save changes nothing. */
    d.content_hash = "fingerprint-1";
    CHECK_INT(
        db_problem_save(c, &d, 0, DB_PROBLEM_UPSERT, &id2, &version, &field, buf, sizeof(buf)), 0);
    CHECK_INT(version, 3);
    CHECK_INT(
        db_problem_save(c, &d, 0, DB_PROBLEM_UPSERT, &id2, &version, &field, buf, sizeof(buf)), 1);
    CHECK_INT(id2, id);
    CHECK_INT(version, 3);
    d.content_hash = NULL;

    d.slug = "Bad Slug";
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, NULL, NULL, &field, buf, sizeof(buf)),
              -EINVAL);
    CHECK_STR(field, "slug");
    d.slug = "other";
    d.time_limits_json = "{\"cobol\": 100}";
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, NULL, NULL, &field, buf, sizeof(buf)),
              -EINVAL);
    CHECK_STR(field, "time_limits_ms.cobol");
    d.time_limits_json = "{\"cpp\": 0}";
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, NULL, NULL, &field, buf, sizeof(buf)),
              -EINVAL);
    CHECK_STR(field, "time_limits_ms.cpp");
    d.time_limits_json = NULL;
    d.checker_kind = "custom";
    d.checker_language = "cobol";
    d.checker_source = "x";
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_CREATE, NULL, NULL, &field, buf, sizeof(buf)),
              -ENOENT);
    CHECK_STR(field, "checker.language");
    d.checker_kind = "tokens";
    d.slug = "missing";
    CHECK_INT(db_problem_save(c, &d, 0, DB_PROBLEM_REPLACE, NULL, NULL, &field, buf, sizeof(buf)),
              -ENOENT);
    /* Nothing half-written by the failures. */
    REQUIRE(db_query(c, &res, "SELECT count(*) FROM problems", 0, NULL) == 0);
    CHECK_INT(db_int64(res, 0, 0), 1);
    PQclear(res);
    db_conn_close(c);
}

int main(int argc, char **argv)
{
    int r;
    have_db = dbtest_create("db", 1, url, sizeof(url)) == 0;
    if (!have_db && getenv("GAVEL_TEST_PG_DIR")) {
        fprintf(stderr, "the test cluster is set up but no database could be created\n");
        return 1;
    }
    r = harness_main(argc, argv);
    dbtest_drop();
    return r;
}
