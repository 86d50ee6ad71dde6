/*
 * package_verify.c: the self-check of a package's shipped solutions (package.h).
 *
 * Nothing runs here: a verification queues each shipped solution as an ordinary submission
 * (outside any contest, so standings never see it) and the judges judge them like any other.
 * The report reads their results back and compares them with the verdicts the package
 * expects, as problemtools' verifyproblem does, including how much of the time limit the
 * slowest accepted solution uses.
 */
#include "db/package-internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_pkg_verify_start(struct db_conn *c, int64_t problem_id, int64_t user_id,
                        int64_t *ret_verification_id)
{
    PGresult *sols = NULL, *res = NULL;
    char pid[24], uid[24], vid[24], pos[16];
    int r;

    snprintf(pid, sizeof(pid), "%lld", (long long)problem_id);
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    r = db_begin(c, NULL);
    if (r < 0)
        return r;
    r = db_query(c, &sols,
                 "SELECT position, path, expected, language_id, source, files::text"
                 " FROM package_solutions WHERE problem_id = $1 ORDER BY position",
                 1, (const char *const[]){pid});
    if (r < 0)
        goto out;
    if (PQntuples(sols) == 0) {
        r = -ENOENT;
        goto out;
    }
    r = db_query(c, &res,
                 "INSERT INTO package_verifications (problem_id, problem_version, requested_by)"
                 " SELECT id, version, nullif($2::bigint, 0) FROM problems WHERE id = $1"
                 " RETURNING id",
                 2, (const char *const[]){pid, uid});
    if (r < 0)
        goto out;
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        goto out;
    }
    snprintf(vid, sizeof(vid), "%s", PQgetvalue(res, 0, 0));
    *ret_verification_id = db_int64(res, 0, 0);
    PQclear(res);
    res = NULL;
    for (int i = 0; i < PQntuples(sols); i++) {
        char sid[24];
        r = db_query(
            c, &res,
            "INSERT INTO submissions (user_id, problem_id, language_id, source, files)"
            " VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id",
            5,
            (const char *const[]){uid, pid, PQgetvalue(sols, i, 3), PQgetvalue(sols, i, 4),
                                  PQgetisnull(sols, i, 5) ? NULL : PQgetvalue(sols, i, 5)});
        if (r < 0)
            goto out;
        snprintf(sid, sizeof(sid), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        res = NULL;
        snprintf(pos, sizeof(pos), "%d", i + 1);
        r = db_query(
            c, NULL,
            "INSERT INTO package_verification_items (verification_id, position, path,"
            " expected, submission_id) VALUES ($1, $2, $3, $4, $5)",
            5,
            (const char *const[]){vid, pos, PQgetvalue(sols, i, 1), PQgetvalue(sols, i, 2), sid});
        if (r < 0)
            goto out;
    }
    r = db_commit(c);
out:
    if (r < 0)
        db_rollback(c);
    PQclear(sols);
    PQclear(res);
    return r;
}

/* Finds the verification: the given one (checked to be of the problem when problem_id is
 * set) or the problem's latest. Fills the ids, the slug and the time multiplier. */
static int find_verification(struct db_conn *c, int64_t problem_id, int64_t verification_id,
                             PGresult **ret)
{
    char pid[24], vid[24];

    snprintf(pid, sizeof(pid), "%lld", (long long)problem_id);
    snprintf(vid, sizeof(vid), "%lld", (long long)verification_id);
    return db_query(c, ret,
                    "SELECT v.id, p.slug, coalesce((m.meta->>'time_multiplier')::float8, 2),"
                    " v.problem_version, p.version"
                    " FROM package_verifications v JOIN problems p ON p.id = v.problem_id"
                    " LEFT JOIN package_meta m ON m.problem_id = p.id"
                    " WHERE ($2::bigint = 0 OR v.id = $2) AND ($1::bigint = 0 OR"
                    " v.problem_id = $1) ORDER BY v.id DESC LIMIT 1",
                    2, (const char *const[]){pid, vid});
}

int db_pkg_verify_report(struct db_conn *c, int64_t problem_id, int64_t verification_id,
                         char **ret_json, int *ret_done, int *ret_passed)
{
    PGresult *v = NULL, *items = NULL;
    cJSON *root = NULL, *list, *warnings;
    int r, done = 1, passed = 1, slowest = -1;
    double slowest_frac = -1, multiplier;

    *ret_json = NULL;
    r = find_verification(c, problem_id, verification_id, &v);
    if (r < 0)
        return r;
    if (PQntuples(v) != 1) {
        r = -ENOENT;
        goto out;
    }
    multiplier = strtod(PQgetvalue(v, 0, 2), NULL);
    r = db_query(c, &items,
                 "SELECT i.path, i.expected, s.language_id, s.status, coalesce(s.verdict, ''),"
                 " coalesce(s.score, 0), coalesce(s.max_score, 0), coalesce(s.time_ms, 0),"
                 " coalesce(s.memory_kb, 0), s.id, coalesce((p.time_limits_ms ->>"
                 " s.language_id)::int, l.time_limit_ms), coalesce(s.message, '')"
                 " FROM package_verification_items i JOIN submissions s ON s.id ="
                 " i.submission_id JOIN problems p ON p.id = s.problem_id JOIN languages l ON"
                 " l.id = s.language_id WHERE i.verification_id = $1 ORDER BY i.position",
                 1, (const char *const[]){PQgetvalue(v, 0, 0)});
    if (r < 0)
        goto out;
    root = cJSON_CreateObject();
    if (!root) {
        r = -ENOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(root, "verification", (double)db_int64(v, 0, 0));
    cJSON_AddStringToObject(root, "problem", PQgetvalue(v, 0, 1));
    cJSON_AddNumberToObject(root, "problem_version", (double)db_int64(v, 0, 3));
    list = cJSON_CreateArray();
    warnings = cJSON_CreateArray();
    for (int i = 0; i < PQntuples(items); i++) {
        cJSON *s = cJSON_CreateObject();
        const char *expected = PQgetvalue(items, i, 1), *actual = PQgetvalue(items, i, 4);
        int is_done = !strcmp(PQgetvalue(items, i, 3), "done");
        int ok = is_done && !strcmp(expected, actual);
        double tl = (double)db_int64(items, i, 10), t = (double)db_int64(items, i, 7);

        if (!s)
            continue;
        done &= is_done;
        passed &= ok;
        cJSON_AddStringToObject(s, "path", PQgetvalue(items, i, 0));
        cJSON_AddStringToObject(s, "language", PQgetvalue(items, i, 2));
        cJSON_AddStringToObject(s, "expected", expected);
        if (is_done)
            cJSON_AddStringToObject(s, "actual", actual);
        else
            cJSON_AddNullToObject(s, "actual");
        cJSON_AddBoolToObject(s, "ok", ok);
        cJSON_AddStringToObject(s, "status", PQgetvalue(items, i, 3));
        cJSON_AddNumberToObject(s, "score", (double)db_int64(items, i, 5));
        cJSON_AddNumberToObject(s, "max_score", (double)db_int64(items, i, 6));
        cJSON_AddNumberToObject(s, "time_ms", t);
        cJSON_AddNumberToObject(s, "memory_kb", (double)db_int64(items, i, 8));
        cJSON_AddNumberToObject(s, "time_limit_ms", tl);
        cJSON_AddNumberToObject(s, "submission", (double)db_int64(items, i, 9));
        if (PQgetvalue(items, i, 11)[0])
            cJSON_AddStringToObject(s, "message", PQgetvalue(items, i, 11));
        cJSON_AddItemToArray(list, s);
        if (ok && !strcmp(expected, "AC") && tl > 0 && t / tl > slowest_frac) {
            slowest_frac = t / tl;
            slowest = i;
        }
    }
    cJSON_AddItemToObject(root, "solutions", list);
    cJSON_AddBoolToObject(root, "done", done);
    cJSON_AddBoolToObject(root, "passed", done && passed);
    if (slowest >= 0) {
        cJSON *s = cJSON_AddObjectToObject(root, "slowest_accepted");
        double t = (double)db_int64(items, slowest, 7), tl = (double)db_int64(items, slowest, 10);
        cJSON_AddStringToObject(s, "path", PQgetvalue(items, slowest, 0));
        cJSON_AddNumberToObject(s, "time_ms", t);
        cJSON_AddNumberToObject(s, "time_limit_ms", tl);
        cJSON_AddNumberToObject(s, "fraction", slowest_frac);
        cJSON_AddNumberToObject(s, "time_multiplier", multiplier);
        if (done && t * multiplier > tl) {
            char w[320];
            snprintf(w, sizeof(w),
                     "%s takes %.0f ms: the %.0f ms limit is less than %g times the slowest"
                     " accepted solution",
                     PQgetvalue(items, slowest, 0), t, tl, multiplier);
            cJSON_AddItemToArray(warnings, cJSON_CreateString(w));
        }
    }
    if (db_int64(v, 0, 3) != db_int64(v, 0, 4))
        cJSON_AddItemToArray(warnings,
                             cJSON_CreateString("the problem changed since this verification"));
    cJSON_AddItemToObject(root, "warnings", warnings);
    {
        char *text = cJSON_PrintUnformatted(root);
        *ret_json = text ? strdup(text) : NULL;
        cJSON_free(text);
    }
    if (!*ret_json) {
        r = -ENOMEM;
        goto out;
    }
    if (ret_done)
        *ret_done = done;
    if (ret_passed)
        *ret_passed = done && passed;
    r = 0;
out:
    cJSON_Delete(root);
    PQclear(v);
    PQclear(items);
    return r;
}
