/*
 * test_packages_db.c: packages against a real database (db/package.h): importing every sample
 * problem and the Kattis test packages, export and re-import giving back the same problem, a
 * refused package changing nothing, and the verification report read from the queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db/package.h"
#include "tests/dbtest.h"
#include "tests/harness.h"

static char url[512];
static struct db_conn *conn;

static const char *const samples[] = {"a-plus-b", "reverse-words", "circle-area", "fizz-count",
                                      "divisor"};

/* Reads, parses and saves one package (upsert). */
static int import_path(const char *path, const char *slug, int64_t *ret_id,
                       struct db_pkg_error *err)
{
    struct db_pkg_files files;
    struct db_pkg_problem p;
    int r;

    r = db_pkg_read_path(path, NULL, &files, err);
    if (r < 0)
        return r;
    r = db_pkg_parse(&files, slug, 0, &p, err);
    if (r >= 0) {
        r = db_pkg_save(conn, &p, 0, DB_PROBLEM_UPSERT, ret_id, err);
        db_pkg_problem_release(&p);
    }
    db_pkg_files_release(&files);
    if (r < 0)
        fprintf(stderr, "%s: %s:%d: %s\n", path, err->file, err->line, err->message);
    return r;
}

static int import_mem(const unsigned char *data, size_t len, const char *slug,
                      struct db_pkg_error *err)
{
    struct db_pkg_files files;
    struct db_pkg_problem p;
    int64_t id;
    int r;

    r = db_pkg_read_archive(data, len, NULL, &files, err);
    if (r < 0)
        return r;
    r = db_pkg_parse(&files, slug, 1, &p, err);
    if (r >= 0) {
        r = db_pkg_save(conn, &p, 0, DB_PROBLEM_UPSERT, &id, err);
        db_pkg_problem_release(&p);
    }
    db_pkg_files_release(&files);
    return r;
}

/* One text of everything that makes a problem what it is, to compare two problems. */
static char *fingerprint(const char *slug)
{
    PGresult *res = NULL;
    char *out = NULL;

    if (db_query(conn, &res,
                 "SELECT p.title || '|' || p.statement || '|' || p.visibility || '|' ||"
                 " coalesce(p.memory_limit_mb, 0) || '|' || p.time_limits_ms::text || '|' ||"
                 " p.checker_kind || '|' || p.checker_params::text || '|' ||"
                 " coalesce(p.checker_language, '') || '|' || coalesce(p.checker_source, '') ||"
                 " '|' || p.stop_on_first_failure || '|' || p.max_score || '|' ||"
                 " (SELECT string_agg(t.ordinal || ':' || t.name || ':' || t.points || ':' ||"
                 " t.is_sample || ':' || coalesce(t.group_name, '-') || ':' || t.input_hash ||"
                 " ':' || t.output_hash, ',' ORDER BY t.ordinal) FROM test_cases t"
                 " WHERE t.problem_id = p.id) || '|' ||"
                 " coalesce((SELECT string_agg(s.expected || ':' || s.language_id || ':' ||"
                 " md5(s.source), ',' ORDER BY s.expected, s.source) FROM package_solutions s"
                 " WHERE s.problem_id = p.id), '')"
                 " FROM problems p WHERE p.slug = $1",
                 1, (const char *const[]){slug}) < 0)
        return NULL;
    if (PQntuples(res) == 1)
        out = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return out;
}

static int64_t count(const char *sql, const char *arg)
{
    PGresult *res = NULL;
    int64_t n = -1;

    if (db_query(conn, &res, sql, arg ? 1 : 0, (const char *const[]){arg}) == 0) {
        n = db_int64(res, 0, 0);
        PQclear(res);
    }
    return n;
}

TEST(sample_problems_import_and_round_trip)
{
    char path[512], other[80];
    struct db_pkg_error err = {0};

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        unsigned char *zip = NULL;
        size_t len = 0;
        int64_t id;
        char *a, *b;

        snprintf(path, sizeof(path), "%s/problems/%s", GAVEL_SOURCE_DIR, samples[i]);
        REQUIRE(import_path(path, NULL, &id, &err) == 0);
        for (int tar = 0; tar < 2; tar++) {
            REQUIRE(db_pkg_export(conn, samples[i], tar, &zip, &len) == 0);
            snprintf(other, sizeof(other), "%s-copy%d", samples[i], tar);
            CHECK_INT(import_mem(zip, len, other, &err), 0);
            free(zip);
            a = fingerprint(samples[i]);
            b = fingerprint(other);
            REQUIRE(a && b);
            if (strcmp(a, b))
                fprintf(stderr, "%s\n  !=\n%s\n", a, b);
            CHECK_STR(a, b);
            free(a);
            free(b);
        }
    }
    CHECK_INT(count("SELECT count(*) FROM package_solutions s JOIN problems p ON p.id ="
                    " s.problem_id WHERE p.slug = $1",
                    "fizz-count"),
              7);
    CHECK_INT(count("SELECT max_score FROM problems WHERE slug = $1", "fizz-count"), 100);
}

TEST(kattis_packages_import)
{
    char path[512];
    struct db_pkg_error err = {0};
    int64_t id;

    snprintf(path, sizeof(path), "%s/tests/packages/kattis/mean", GAVEL_SOURCE_DIR);
    REQUIRE(import_path(path, "mean", &id, &err) == 0);
    CHECK_INT(count("SELECT count(*) FROM test_cases t JOIN problems p ON p.id = t.problem_id"
                    " WHERE p.slug = $1 AND t.group_name = 'group1'",
                    "mean"),
              3);
    CHECK_INT(count("SELECT max_score FROM problems WHERE slug = $1", "mean"), 91);
    CHECK_INT(count("SELECT (checker_params->>'rel')::float8 * 1e6 FROM problems"
                    " WHERE slug = $1",
                    "mean"),
              100);
    snprintf(path, sizeof(path), "%s/tests/packages/kattis/pairs", GAVEL_SOURCE_DIR);
    REQUIRE(import_path(path, "pairs", &id, &err) == 0);
    CHECK_INT(count("SELECT count(*) FROM problems WHERE slug = $1 AND checker_kind = 'custom'"
                    " AND checker_language = 'cpp' AND checker_params->>'protocol' = 'kattis'"
                    " AND checker_source LIKE '%#define ACCEPT 42%'",
                    "pairs"),
              1);
    CHECK_INT(count("SELECT count(*) FROM package_solutions s JOIN problems p ON p.id ="
                    " s.problem_id WHERE p.slug = $1",
                    "pairs"),
              5);
}

TEST(refused_package_changes_nothing)
{
    static const char bad_lang[] = "{\"slug\": \"a-plus-b\", \"title\": \"Changed\","
                                   " \"time_limits_ms\": {\"cobol\": 5}}";
    char path[512];
    struct db_pkg_error err = {0};
    struct db_pkg_files files;
    struct db_pkg_problem p;
    int64_t id;
    char *before, *after;

    snprintf(path, sizeof(path), "%s/problems/a-plus-b", GAVEL_SOURCE_DIR);
    REQUIRE(import_path(path, NULL, &id, &err) == 0);
    before = fingerprint("a-plus-b");
    REQUIRE(before);
    /* refused inside the transaction: a time limit for a language that does not exist */
    REQUIRE(db_pkg_read_path(path, NULL, &files, &err) == 0);
    for (size_t i = 0; i < files.n; i++)
        if (!strcmp(files.v[i].path, "problem.json")) {
            free(files.v[i].data);
            files.v[i].data = (unsigned char *)strdup(bad_lang);
            files.v[i].len = strlen(bad_lang);
        }
    REQUIRE(db_pkg_parse(&files, NULL, 0, &p, &err) == 0);
    CHECK_INT(db_pkg_save(conn, &p, 0, DB_PROBLEM_UPSERT, &id, &err), -EINVAL);
    CHECK(strstr(err.message, "cobol") != NULL);
    db_pkg_problem_release(&p);
    /* refused before: a solution in a language nobody has */
    REQUIRE(db_pkg_parse(&files, NULL, 0, &p, &err) == 0);
    free(p.solutions[0].path);
    p.solutions[0].path = strdup("solutions/AC/sol.cobol");
    CHECK_INT(db_pkg_save(conn, &p, 0, DB_PROBLEM_UPSERT, &id, &err), -EINVAL);
    CHECK_STR(err.file, "solutions/AC/sol.cobol");
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
    after = fingerprint("a-plus-b");
    CHECK_STR(before, after);
    free(before);
    free(after);
}

TEST(verification_report)
{
    char path[512], *json = NULL;
    struct db_pkg_error err = {0};
    int64_t id, vid = 0, user;
    int done = -1, passed = -1;
    cJSON *root;

    snprintf(path, sizeof(path), "%s/problems/fizz-count", GAVEL_SOURCE_DIR);
    REQUIRE(import_path(path, NULL, &id, &err) == 0);
    REQUIRE(db_query(conn, NULL,
                     "INSERT INTO users (username, password_hash, role) VALUES ('boss', 'x',"
                     " 'instructor') ON CONFLICT DO NOTHING",
                     0, NULL) == 0);
    user = count("SELECT id FROM users WHERE username = $1", "boss");
    REQUIRE(db_pkg_verify_start(conn, id, user, &vid) == 0);
    CHECK_INT(count("SELECT count(*) FROM submissions s JOIN package_verification_items i ON"
                    " i.submission_id = s.id WHERE s.status = 'queued' AND s.contest_id IS NULL"
                    " AND s.user_id = (SELECT id FROM users WHERE username = $1)",
                    "boss"),
              7);
    REQUIRE(db_pkg_verify_report(conn, id, 0, &json, &done, &passed) == 0);
    CHECK_INT(done, 0);
    CHECK_INT(passed, 0);
    free(json);
    /* play the judge: every solution gets its expected verdict, the Python one 1.5 s */
    REQUIRE(db_query(conn, NULL,
                     "UPDATE submissions s SET status = 'done', verdict = i.expected, score = 100,"
                     " max_score = 100, time_ms = CASE WHEN s.language_id = 'python3' THEN 1500"
                     " ELSE 10 END, memory_kb = 1000 FROM package_verification_items i"
                     " WHERE i.submission_id = s.id",
                     0, NULL) == 0);
    REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
    CHECK_INT(done, 1);
    CHECK_INT(passed, 1);
    root = cJSON_Parse(json);
    REQUIRE(root);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(root, "solutions")), 7);
    CHECK_STR(cJSON_GetStringValue(
                  cJSON_GetObjectItem(cJSON_GetObjectItem(root, "slowest_accepted"), "path")),
              "solutions/AC/count.py");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(root, "warnings")), 1);
    cJSON_Delete(root);
    free(json);
    /* one solution off its expected verdict fails the check */
    REQUIRE(db_query(conn, NULL,
                     "UPDATE submissions s SET verdict = 'AC' FROM package_verification_items i"
                     " WHERE i.submission_id = s.id AND i.path = 'solutions/TLE/loop.cpp'",
                     0, NULL) == 0);
    REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
    CHECK_INT(passed, 0);
    CHECK(strstr(json, "\"ok\":false") != NULL);
    free(json);
    CHECK_INT(db_pkg_verify_report(conn, id, vid + 1000, &json, &done, &passed), -ENOENT);
}

int main(int argc, char **argv)
{
    int r;

    if (dbtest_create("packages", 1, url, sizeof(url)) < 0 || db_conn_open(url, &conn) < 0) {
        printf("skipped: no test database\n");
        return 77;
    }
    r = harness_main(argc, argv);
    db_conn_close(conn);
    dbtest_drop();
    return r;
}
