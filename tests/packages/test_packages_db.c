/*
 * test_packages_db.c: packages against a real database (db/package.h): importing every sample
 * problem and the Kattis test packages, export and re-import giving back the same problem, a
 * refused package changing nothing, the verification report read from the queue, and the
 * rules deriving a Kattis package's time limit on times set by hand.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Writes text at dir/path, making the folders. */
static void put(const char *dir, const char *path, const char *text)
{
    char full[1024];
    FILE *f;

    snprintf(full, sizeof(full), "%s/%s", dir, path);
    for (char *q = full + strlen(dir) + 1; (q = strchr(q, '/')); q++) {
        *q = '\0';
        (void)mkdir(full, 0755);
        *q = '/';
    }
    f = fopen(full, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Plays the judge for a verification: each solution named in `times` ("a.c=310:AC,...": its
 * file name, CPU time on its one test, verdict at the measuring limit) is judged so. */
static void play_judge(int64_t vid, const char *times)
{
    char v[24], name[64], verdict[8];
    int ms, n;

    snprintf(v, sizeof(v), "%lld", (long long)vid);
    for (const char *t = times; *t; t += n + (t[n] == ',')) {
        char ms_text[16];
        REQUIRE(sscanf(t, "%63[^=]=%d:%7[A-Z]%n", name, &ms, verdict, &n) == 3);
        snprintf(ms_text, sizeof(ms_text), "%d", ms);
        REQUIRE(db_query(conn, NULL,
                         "UPDATE submissions s SET status = 'done', verdict = $3, time_ms = $4,"
                         " score = 0, max_score = 1, memory_kb = 1000"
                         " FROM package_verification_items i WHERE i.submission_id = s.id"
                         " AND i.verification_id = $1 AND i.path LIKE '%/' || $2",
                         4, (const char *const[]){v, name, verdict, ms_text}) == 0);
        REQUIRE(db_query(conn, NULL,
                         "INSERT INTO submission_tests (submission_id, ordinal, verdict, time_ms)"
                         " SELECT i.submission_id, 1, $3, $4 FROM package_verification_items i"
                         " WHERE i.verification_id = $1 AND i.path LIKE '%/' || $2",
                         4, (const char *const[]){v, name, verdict, ms_text}) == 0);
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static const cJSON *solution(const cJSON *root, const char *file)
{
    const cJSON *s;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "solutions"))
    {
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(s, "path"));
        if (path && strlen(path) >= strlen(file) &&
            !strcmp(path + strlen(path) - strlen(file), file))
            return s;
    }
    return NULL;
}

static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
    return v ? v : "";
}

/* The rules that derive a Kattis package's time limit, on times set by hand: no machine
 * speed involved. */
TEST(derived_time_limit_rules)
{
    char dir[] = "/tmp/gavel-limits-XXXXXX", *json = NULL;
    static const char spin[] = "int main(void) { return 0; }\n";
    struct db_pkg_error err = {0};
    int64_t id, vid = 0, user;
    int done = -1, passed = -1;
    const cJSON *lim;
    cJSON *root;

    REQUIRE(mkdtemp(dir) != NULL);
    REQUIRE(db_query(conn, NULL,
                     "INSERT INTO users (username, password_hash, role) VALUES ('boss', 'x',"
                     " 'instructor') ON CONFLICT DO NOTHING",
                     0, NULL) == 0);
    user = count("SELECT id FROM users WHERE username = $1", "boss");

    /* legacy: time_multiplier 5, time_safety_margin 2 */
    put(dir, "rl/problem.yaml", "name: RL\n");
    put(dir, "rl/data/secret/1.in", "1\n");
    put(dir, "rl/data/secret/1.ans", "1\n");
    put(dir, "rl/submissions/accepted/a.c", spin);
    put(dir, "rl/submissions/accepted/slow.py", "print(1)\n");
    put(dir, "rl/submissions/accepted/either.c",
        "// @EXPECTED_RESULTS@: ACCEPTED, TIMELIMIT\nint main(void) { return 0; }\n");
    put(dir, "rl/submissions/time_limit_exceeded/near.c", spin);
    put(dir, "rl/submissions/time_limit_exceeded/far.c", spin);
    {
        char path[512];
        snprintf(path, sizeof(path), "%s/rl", dir);
        REQUIRE(import_path(path, "rl", &id, &err) == 0);
    }
    CHECK_INT(count("SELECT memory_limit_mb FROM problems WHERE slug = $1", "rl"), 2048);
    CHECK_INT(count("SELECT (time_limits_ms->>'c')::int FROM problems WHERE slug = $1", "rl"),
              DB_PKG_MEASURE_MS);
    REQUIRE(db_pkg_verify_start(conn, id, user, &vid) == 0);
    REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
    CHECK_INT(done, 0);
    CHECK(strstr(json, "\"time_limit_pending\":true") != NULL);
    free(json);
    /* slowest accepted 310 ms (the Python one's 500 ms is 250 at C's scale): the limit is
     * 310 x 5 = 1.55 s rounded, 2 s; a time-limit-exceeded solution must still time out at
     * max(2 s + 1 s, 310 x 5 x 2 = 3.1 s rounded) = 3 s */
    play_judge(vid, "a.c=310:AC,slow.py=500:AC,either.c=2100:AC,near.c=2500:AC,far.c=3500:AC");
    REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
    CHECK_INT(done, 1);
    CHECK_INT(passed, 0);
    root = cJSON_Parse(json);
    REQUIRE(root);
    lim = cJSON_GetObjectItem(root, "limits");
    CHECK_STR(str(lim, "rule"), "legacy");
    CHECK_STR(str(lim, "time_limit_from"), "derived");
    CHECK_INT((int)num(lim, "time_limit_ms"), 2000);
    CHECK_INT((int)num(lim, "slowest_accepted_ms"), 310);
    CHECK_STR(str(lim, "slowest_accepted"), "submissions/accepted/a.c");
    CHECK_INT((int)num(lim, "tle_margin_ms"), 3000);
    CHECK_INT((int)num(cJSON_GetObjectItem(lim, "time_limits_ms"), "python3"), 4000);
    CHECK_STR(str(solution(root, "a.c"), "actual"), "AC");
    CHECK_STR(str(solution(root, "slow.py"), "actual"), "AC");
    CHECK_STR(str(solution(root, "either.c"), "actual"), "TLE");
    CHECK_STR(str(solution(root, "either.c"), "measured"), "AC");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(solution(root, "either.c"), "ok")));
    CHECK_STR(str(solution(root, "far.c"), "actual"), "TLE");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(solution(root, "far.c"), "ok")));
    /* times out at 2 s, but would pass at 3 s: within the safety margin */
    CHECK_STR(str(solution(root, "near.c"), "actual"), "TLE");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(solution(root, "near.c"), "ok")));
    CHECK_INT((int)num(solution(root, "near.c"), "tle_margin_ms"), 3000);
    cJSON_Delete(root);
    free(json);
    /* stored once: in the problem (a new version) and its package settings */
    CHECK_INT(count("SELECT (time_limits_ms->>'c')::int FROM problems WHERE slug = $1", "rl"),
              2000);
    CHECK_INT(count("SELECT (m.meta->>'time_limit_pending')::boolean::int FROM package_meta m"
                    " JOIN problems p ON p.id = m.problem_id WHERE p.slug = $1",
                    "rl"),
              0);
    {
        int64_t version = count("SELECT version FROM problems WHERE slug = $1", "rl");
        REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
        CHECK(strstr(json, "\"time_limit_ms\":2000") != NULL);
        CHECK(strstr(json, "changed since") == NULL);
        free(json);
        CHECK_INT(count("SELECT version FROM problems WHERE slug = $1", "rl"), version);
    }

    /* 2023-07: ac_to_time_limit 2, time_limit_to_tle 1.5, time_resolution 1 s: 1201 ms needs
     * 3 s, and 3 s x 1.5 is more than the 4 s time-limit-exceeded solution: no limit fits */
    put(dir, "r23/problem.yaml", "problem_format_version: 2023-07-draft\nname: R23\n");
    put(dir, "r23/data/secret/1.in", "1\n");
    put(dir, "r23/data/secret/1.ans", "1\n");
    put(dir, "r23/submissions/accepted/a.c", spin);
    put(dir, "r23/submissions/wrong_answer/w.c", spin);
    put(dir, "r23/submissions/time_limit_exceeded/t.c", spin);
    {
        char path[512];
        snprintf(path, sizeof(path), "%s/r23", dir);
        REQUIRE(import_path(path, "r23", &id, &err) == 0);
    }
    REQUIRE(db_pkg_verify_start(conn, id, user, &vid) == 0);
    play_judge(vid, "a.c=1201:AC,w.c=900:WA,t.c=4000:AC");
    REQUIRE(db_pkg_verify_report(conn, id, vid, &json, &done, &passed) == 0);
    CHECK_INT(done, 1);
    CHECK_INT(passed, 0);
    root = cJSON_Parse(json);
    REQUIRE(root);
    lim = cJSON_GetObjectItem(root, "limits");
    CHECK_STR(str(lim, "rule"), "2023-07");
    CHECK_INT((int)num(lim, "time_limit_ms"), 3000);
    CHECK_INT((int)num(lim, "fastest_tle_ms"), 4000);
    CHECK(strstr(str(lim, "error"), "no time limit fits") != NULL);
    CHECK(strstr(json, "no time limit fits") != NULL);
    cJSON_Delete(root);
    free(json);
    /* an error stores nothing in the problem: it keeps the measuring limit */
    CHECK_INT(count("SELECT (time_limits_ms->>'c')::int FROM problems WHERE slug = $1", "r23"),
              DB_PKG_MEASURE_MS);
    (void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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
