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
#include <math.h>
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
                 "INSERT INTO package_verifications (problem_id, problem_version, requested_by,"
                 " measured) SELECT p.id, p.version, nullif($2::bigint, 0),"
                 " coalesce((m.meta->>'time_limit_pending')::boolean, false) FROM problems p"
                 " LEFT JOIN package_meta m ON m.problem_id = p.id WHERE p.id = $1 RETURNING id",
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
                    " v.problem_version, p.version, v.measured, coalesce(v.derived::text, ''),"
                    " coalesce(m.meta::text, '{}'), p.id, coalesce(m.format, 'gavel'),"
                    " p.time_limits_ms::text, p.memory_limit_mb"
                    " FROM package_verifications v JOIN problems p ON p.id = v.problem_id"
                    " LEFT JOIN package_meta m ON m.problem_id = p.id"
                    " WHERE ($2::bigint = 0 OR v.id = $2) AND ($1::bigint = 0 OR"
                    " v.problem_id = $1) ORDER BY v.id DESC LIMIT 1",
                    2, (const char *const[]){pid, vid});
}

/* One solution of a verification, as the report reads it. */
struct item {
    const char *path, *expected, *lang, *status, *verdict;
    unsigned mask;
    int done;
    double time_ms, factor, limit_ms; /* factor: its language's default over the smallest */
    int64_t submission;
    char at_limit[8]; /* its verdict at the derived limit */
};

/* The verdict the submission would have got at limit_ms from its per-test verdicts and times:
 * the first test that took limit_ms or more is TLE, else the first failing test decides. The
 * measuring limit is above the derived one in all but extreme cases; a test cut short by it
 * stays TLE. */
static int verdict_at(struct db_conn *c, struct item *it, double limit_ms)
{
    PGresult *res = NULL;
    char sid[24];
    int r;

    snprintf(it->at_limit, sizeof(it->at_limit), "%s", it->verdict);
    snprintf(sid, sizeof(sid), "%lld", (long long)it->submission);
    r = db_query(c, &res,
                 "SELECT verdict, time_ms FROM submission_tests WHERE submission_id = $1"
                 " ORDER BY ordinal",
                 1, (const char *const[]){sid});
    if (r < 0)
        return r;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *v = PQgetvalue(res, i, 0);
        if (!strcmp(v, "SKIPPED"))
            break;
        if ((double)db_int64(res, i, 1) >= limit_ms || !strcmp(v, "TLE")) {
            snprintf(it->at_limit, sizeof(it->at_limit), "TLE");
            break;
        }
        if (strcmp(v, "AC") != 0) {
            snprintf(it->at_limit, sizeof(it->at_limit), "%s", v);
            break;
        }
    }
    PQclear(res);
    return 0;
}

static double jnum(const cJSON *o, const char *key, double def)
{
    const cJSON *n = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(n) ? n->valuedouble : def;
}

/* Derives the base time limit from the measured times by the package's rule (problems/README.md):
 *   legacy   (problemtools) max(1 s, T_ac x time_multiplier rounded to whole seconds); the
 *            time_limit_exceeded solutions must still time out at max(limit + 1 s,
 *            T_ac x time_multiplier x time_safety_margin rounded to whole seconds)
 *   2023-07  the smallest multiple of time_resolution that is at least T_ac x ac_to_time_limit
 *            and at most T_tle / time_limit_to_tle (an error when there is none)
 * T_ac is the slowest solution that may not time out (legacy: the accepted ones; 2023-07: also
 * wrong_answer and run_time_error), T_tle the fastest one that must; times are brought to the
 * smallest language default's scale first, as the limit is scaled back to each language. */
static cJSON *derive(const struct item *items, int n, const cJSON *meta)
{
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "rule"));
    int legacy = !rule || !strcmp(rule, "legacy");
    double mul = jnum(meta, "time_multiplier", legacy ? 5 : 2);
    double margin = jnum(meta, "time_safety_margin", legacy ? 2 : 1.5);
    double res_ms = jnum(meta, "time_resolution", 1) * 1000;
    double t_ac = -1, t_tle = -1, tl, tle_at;
    const char *slowest = NULL, *fastest = NULL;
    cJSON *d = cJSON_CreateObject();

    if (!d)
        return NULL;
    for (int i = 0; i < n; i++) {
        double t = items[i].time_ms / items[i].factor;
        unsigned lower = legacy ? PKG_V_AC : PKG_V_AC | PKG_V_WA | PKG_V_RE | PKG_V_MLE;
        if (!strcmp(items[i].verdict, "CE") || !strcmp(items[i].verdict, "IE"))
            continue;
        if (!(items[i].mask & ~lower) && t > t_ac) {
            t_ac = t;
            slowest = items[i].path;
        }
        if (items[i].mask == PKG_V_TLE && (t_tle < 0 || t < t_tle)) {
            t_tle = t;
            fastest = items[i].path;
        }
    }
    cJSON_AddStringToObject(d, "rule", legacy ? "legacy" : "2023-07");
    cJSON_AddNumberToObject(d, "time_multiplier", mul);
    cJSON_AddNumberToObject(d, "time_safety_margin", margin);
    if (!legacy)
        cJSON_AddNumberToObject(d, "time_resolution", res_ms / 1000);
    if (t_ac < 0) {
        cJSON_AddStringToObject(d, "error",
                                "no accepted solution was judged: the time limit cannot be"
                                " derived");
        return d;
    }
    if (legacy) {
        tl = floor(t_ac * mul / 1000 + 0.5) * 1000;
        if (tl < 1000)
            tl = 1000;
        tle_at = floor(t_ac * mul * margin / 1000 + 0.5) * 1000;
        if (tle_at < tl + 1000)
            tle_at = tl + 1000;
    } else {
        tl = ceil(t_ac * mul / res_ms - 1e-9) * res_ms;
        if (tl < res_ms)
            tl = res_ms;
        tle_at = tl * margin;
    }
    if (tl > 60000)
        tl = 60000;
    cJSON_AddNumberToObject(d, "time_limit_ms", tl);
    cJSON_AddNumberToObject(d, "slowest_accepted_ms", floor(t_ac + 0.5));
    cJSON_AddStringToObject(d, "slowest_accepted", slowest);
    cJSON_AddNumberToObject(d, "tle_margin_ms", floor(tle_at + 0.5));
    if (fastest) {
        cJSON_AddNumberToObject(d, "fastest_tle_ms", floor(t_tle + 0.5));
        cJSON_AddStringToObject(d, "fastest_tle", fastest);
        if (!legacy && t_tle < tle_at) {
            char e[320];
            snprintf(e, sizeof(e),
                     "no time limit fits: %.0f ms is needed for %s but %s takes only %.0f ms"
                     " (time_limit_to_tle %g)",
                     tl, slowest, fastest, t_tle, margin);
            cJSON_AddStringToObject(d, "error", e);
        }
    }
    return d;
}

/* The per-language limits of a base limit, scaled as db_pkg_save scales limits.time_limit. */
static int scaled_limits(struct db_conn *c, double base_ms, cJSON **ret)
{
    PGresult *res = NULL;
    char base[32];
    int r;

    snprintf(base, sizeof(base), "%.0f", base_ms);
    r = db_query(c, &res,
                 "SELECT coalesce(jsonb_object_agg(id, least(60000, greatest(1,"
                 " round(time_limit_ms * $1::numeric / (SELECT min(time_limit_ms) FROM languages"
                 " WHERE enabled))))), '{}'::jsonb)::text FROM languages WHERE enabled",
                 1, (const char *const[]){base});
    if (r < 0)
        return r;
    *ret = cJSON_Parse(PQgetvalue(res, 0, 0));
    PQclear(res);
    return *ret ? 0 : -ENOMEM;
}

/* Stores what a measured verification derived, once: in the verification, and, when the
 * problem is still the one measured, as its time limits (a new version, as any change of
 * limits is) with the package settings saying so. Returns the derivation in force. */
static int store_derived(struct db_conn *c, PGresult *v, cJSON **derived)
{
    PGresult *res = NULL;
    char *text = NULL, *limits = NULL, *meta = NULL;
    const char *vid = PQgetvalue(v, 0, 0), *pid = PQgetvalue(v, 0, 8);
    const char *pver = PQgetvalue(v, 0, 3);
    int r;

    text = cJSON_PrintUnformatted(*derived);
    limits = cJSON_PrintUnformatted(cJSON_GetObjectItem(*derived, "time_limits_ms"));
    {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddBoolToObject(m, "time_limit_pending", 0);
        cJSON_AddNumberToObject(m, "time_limit_ms",
                                jnum(*derived, "time_limit_ms", DB_PKG_MEASURE_MS));
        cJSON_AddNumberToObject(m, "derived_by_verification", (double)db_int64(v, 0, 0));
        cJSON_AddNumberToObject(m, "slowest_accepted_ms", jnum(*derived, "slowest_accepted_ms", 0));
        if (cJSON_IsString(cJSON_GetObjectItem(*derived, "slowest_accepted")))
            cJSON_AddStringToObject(
                m, "slowest_accepted",
                cJSON_GetStringValue(cJSON_GetObjectItem(*derived, "slowest_accepted")));
        cJSON_AddNumberToObject(m, "tle_margin_ms", jnum(*derived, "tle_margin_ms", 0));
        meta = cJSON_PrintUnformatted(m);
        cJSON_Delete(m);
    }
    if (!text || !limits || !meta) {
        r = -ENOMEM;
        goto out;
    }
    r = db_begin(c, NULL);
    if (r < 0)
        goto out;
    r = db_query(c, &res,
                 "UPDATE package_verifications SET derived = $2::jsonb WHERE id = $1"
                 " AND derived IS NULL RETURNING id",
                 2, (const char *const[]){vid, text});
    if (r < 0)
        goto rollback;
    if (PQntuples(res) == 0) {
        /* another reader stored it first: report what it stored */
        PQclear(res);
        res = NULL;
        db_rollback(c);
        r = db_query(c, &res, "SELECT derived::text FROM package_verifications WHERE id = $1", 1,
                     (const char *const[]){vid});
        if (r >= 0 && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
            cJSON_Delete(*derived);
            *derived = cJSON_Parse(PQgetvalue(res, 0, 0));
            r = *derived ? 0 : -ENOMEM;
        }
        goto out;
    }
    PQclear(res);
    res = NULL;
    if (!cJSON_GetObjectItem(*derived, "error")) {
        /* content_hash cleared: importing the package again measures again */
        r = db_query(c, &res,
                     "UPDATE problems SET time_limits_ms = $3::jsonb, version = version + 1,"
                     " updated_at = now(), content_hash = NULL WHERE id = $1 AND version = $2"
                     " RETURNING version",
                     3, (const char *const[]){pid, pver, limits});
        if (r < 0)
            goto rollback;
        if (PQntuples(res) == 1) {
            r = db_query(c, NULL,
                         "UPDATE package_verifications SET problem_version = $2 WHERE id = $1", 2,
                         (const char *const[]){vid, PQgetvalue(res, 0, 0)});
            if (r >= 0)
                r = db_query(c, NULL,
                             "UPDATE package_meta SET meta = meta || $2::jsonb"
                             " WHERE problem_id = $1",
                             2, (const char *const[]){pid, meta});
            if (r < 0)
                goto rollback;
        }
    }
    r = db_commit(c);
    goto out;
rollback:
    db_rollback(c);
out:
    PQclear(res);
    cJSON_free(text);
    cJSON_free(limits);
    cJSON_free(meta);
    return r;
}

/* The "limits" of the report: where each came from (package_meta), what is in force, and what
 * this verification derived. */
static cJSON *limits_object(PGresult *v, const cJSON *meta, const cJSON *derived, int measured)
{
    cJSON *l = cJSON_Duplicate(meta, 1), *d;

    if (!l)
        return NULL;
    cJSON_DeleteItemFromObject(l, "format_version");
    cJSON_AddItemToObject(l, "time_limits_ms", cJSON_Parse(PQgetvalue(v, 0, 10)));
    if (!PQgetisnull(v, 0, 11))
        cJSON_AddNumberToObject(l, "memory_limit_mb", (double)db_int64(v, 0, 11));
    if (derived) {
        cJSON_ArrayForEach(d, derived)
        {
            cJSON_DeleteItemFromObject(l, d->string);
            cJSON_AddItemToObject(l, d->string, cJSON_Duplicate(d, 1));
        }
        cJSON_DeleteItemFromObject(l, "time_limit_pending");
    } else if (measured) {
        cJSON_DeleteItemFromObject(l, "time_limit_pending");
        cJSON_AddBoolToObject(l, "time_limit_pending", 1);
    }
    return l;
}

int db_pkg_verify_report(struct db_conn *c, int64_t problem_id, int64_t verification_id,
                         char **ret_json, int *ret_done, int *ret_passed)
{
    PGresult *v = NULL, *items = NULL;
    cJSON *root = NULL, *list, *warnings, *meta = NULL, *derived = NULL, *limits = NULL;
    struct item *it = NULL;
    int r, n, done = 1, passed = 1, slowest = -1, measured;
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
    measured = !strcmp(PQgetvalue(v, 0, 5), "t");
    meta = cJSON_Parse(PQgetvalue(v, 0, 7));
    if (PQgetvalue(v, 0, 6)[0])
        derived = cJSON_Parse(PQgetvalue(v, 0, 6));
    r = db_query(c, &items,
                 "SELECT i.path, i.expected, s.language_id, s.status, coalesce(s.verdict, ''),"
                 " coalesce(s.score, 0), coalesce(s.max_score, 0), coalesce(s.time_ms, 0),"
                 " coalesce(s.memory_kb, 0), s.id, coalesce((p.time_limits_ms ->>"
                 " s.language_id)::int, l.time_limit_ms), coalesce(s.message, ''),"
                 " l.time_limit_ms::float8 / (SELECT min(time_limit_ms) FROM languages"
                 " WHERE enabled)"
                 " FROM package_verification_items i JOIN submissions s ON s.id ="
                 " i.submission_id JOIN problems p ON p.id = s.problem_id JOIN languages l ON"
                 " l.id = s.language_id WHERE i.verification_id = $1 ORDER BY i.position",
                 1, (const char *const[]){PQgetvalue(v, 0, 0)});
    if (r < 0)
        goto out;
    n = PQntuples(items);
    it = calloc((size_t)n + 1, sizeof(*it));
    if (!it || !meta) {
        r = -ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        it[i].path = PQgetvalue(items, i, 0);
        it[i].expected = PQgetvalue(items, i, 1);
        it[i].mask = pkg_verdict_parse(it[i].expected);
        it[i].lang = PQgetvalue(items, i, 2);
        it[i].status = PQgetvalue(items, i, 3);
        it[i].verdict = PQgetvalue(items, i, 4);
        it[i].done = !strcmp(it[i].status, "done");
        it[i].time_ms = (double)db_int64(items, i, 7);
        it[i].submission = db_int64(items, i, 9);
        it[i].limit_ms = (double)db_int64(items, i, 10);
        it[i].factor = strtod(PQgetvalue(items, i, 12), NULL);
        if (it[i].factor <= 0)
            it[i].factor = 1;
        snprintf(it[i].at_limit, sizeof(it[i].at_limit), "%s", it[i].verdict);
        done &= it[i].done;
    }
    if (measured && !derived && done) {
        cJSON *scaled = NULL;
        derived = derive(it, n, meta);
        if (!derived) {
            r = -ENOMEM;
            goto out;
        }
        if (!cJSON_GetObjectItem(derived, "error") ||
            cJSON_GetObjectItem(derived, "time_limit_ms")) {
            r = scaled_limits(c, jnum(derived, "time_limit_ms", DB_PKG_MEASURE_MS), &scaled);
            if (r < 0)
                goto out;
            cJSON_AddItemToObject(derived, "time_limits_ms", scaled);
        }
        r = store_derived(c, v, &derived);
        if (r < 0)
            goto out;
    }
    if (measured && derived && cJSON_GetObjectItem(derived, "time_limits_ms")) {
        const cJSON *tls = cJSON_GetObjectItem(derived, "time_limits_ms");
        for (int i = 0; i < n; i++) {
            it[i].limit_ms = jnum(tls, it[i].lang, it[i].limit_ms);
            if (it[i].done && (r = verdict_at(c, &it[i], it[i].limit_ms)) < 0)
                goto out;
        }
    }
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
    for (int i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateObject();
        const char *actual = it[i].at_limit;
        unsigned got = pkg_verdict_mask(actual, strlen(actual));
        int ok = it[i].done && got && (got & it[i].mask) == got;
        double tl = it[i].limit_ms, t = it[i].time_ms;

        if (!s)
            continue;
        /* a solution that must time out must also do so with the safety margin */
        if (ok && derived && it[i].mask == PKG_V_TLE &&
            cJSON_GetObjectItem(derived, "tle_margin_ms")) {
            double at = jnum(derived, "tle_margin_ms", 0) * it[i].factor;
            char w[400];
            if (t < at && strcmp(it[i].verdict, "TLE") != 0) {
                ok = 0;
                cJSON_AddNumberToObject(s, "tle_margin_ms", floor(at + 0.5));
            } else if (t < at) {
                snprintf(w, sizeof(w),
                         "%s was stopped at the measuring limit (%.0f ms), below the %.0f ms its"
                         " time_safety_margin asks for: the margin is not confirmed",
                         it[i].path, t, at);
                cJSON_AddItemToArray(warnings, cJSON_CreateString(w));
            }
        }
        passed &= ok;
        cJSON_AddStringToObject(s, "path", it[i].path);
        cJSON_AddStringToObject(s, "language", it[i].lang);
        cJSON_AddStringToObject(s, "expected", it[i].expected);
        if (it[i].done)
            cJSON_AddStringToObject(s, "actual", actual);
        else
            cJSON_AddNullToObject(s, "actual");
        if (it[i].done && measured && derived)
            cJSON_AddStringToObject(s, "measured", it[i].verdict);
        cJSON_AddBoolToObject(s, "ok", ok);
        cJSON_AddStringToObject(s, "status", it[i].status);
        cJSON_AddNumberToObject(s, "score", (double)db_int64(items, i, 5));
        cJSON_AddNumberToObject(s, "max_score", (double)db_int64(items, i, 6));
        cJSON_AddNumberToObject(s, "time_ms", t);
        cJSON_AddNumberToObject(s, "memory_kb", (double)db_int64(items, i, 8));
        cJSON_AddNumberToObject(s, "time_limit_ms", tl);
        cJSON_AddNumberToObject(s, "submission", (double)it[i].submission);
        if (PQgetvalue(items, i, 11)[0])
            cJSON_AddStringToObject(s, "message", PQgetvalue(items, i, 11));
        cJSON_AddItemToArray(list, s);
        if (ok && it[i].mask == PKG_V_AC && tl > 0 && t / tl > slowest_frac) {
            slowest_frac = t / tl;
            slowest = i;
        }
    }
    cJSON_AddItemToObject(root, "solutions", list);
    if (derived && cJSON_GetObjectItem(derived, "error")) {
        cJSON_AddItemToArray(warnings, cJSON_CreateString(cJSON_GetStringValue(
                                           cJSON_GetObjectItem(derived, "error"))));
        passed = 0;
    }
    cJSON_AddBoolToObject(root, "done", done);
    cJSON_AddBoolToObject(root, "passed", done && passed);
    if (strcmp(PQgetvalue(v, 0, 9), "kattis") == 0 || derived) {
        limits = limits_object(v, meta, derived, measured);
        if (limits)
            cJSON_AddItemToObject(root, "limits", limits);
    }
    if (slowest >= 0) {
        cJSON *s = cJSON_AddObjectToObject(root, "slowest_accepted");
        double t = it[slowest].time_ms, tl = it[slowest].limit_ms;
        cJSON_AddStringToObject(s, "path", it[slowest].path);
        cJSON_AddNumberToObject(s, "time_ms", t);
        cJSON_AddNumberToObject(s, "time_limit_ms", tl);
        cJSON_AddNumberToObject(s, "fraction", slowest_frac);
        cJSON_AddNumberToObject(s, "time_multiplier", multiplier);
        /* a derived limit follows its own rule (legacy rounds to whole seconds) */
        if (done && !(measured && derived) && t * multiplier > tl) {
            char w[320];
            snprintf(w, sizeof(w),
                     "%s takes %.0f ms: the %.0f ms limit is less than %g times the slowest"
                     " accepted solution",
                     it[slowest].path, t, tl, multiplier);
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
    cJSON_Delete(meta);
    cJSON_Delete(derived);
    free(it);
    PQclear(v);
    PQclear(items);
    return r;
}
