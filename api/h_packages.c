/*
 * h_packages.c: problem packages over HTTP — upload, export and the self-check.
 *
 *   POST /api/v1/problems/{slug}/package   body = a zip or tar.gz archive (Gavel's or the
 *                                          Kattis format): creates (201) or replaces (200) the
 *                                          problem as a whole; the slug of the URL wins
 *   GET  /api/v1/problems/{slug}/package   the problem in Gavel's format (?format=zip|tar.gz)
 *   POST /api/v1/problems/{slug}/verify    queues every shipped solution (202 + report)
 *   GET  /api/v1/problems/{slug}/verify    the report (?id= a verification, default the
 *                                          latest; ?wait= up to 30 s for the judges to finish)
 *
 * Instructors and admins only; an existing problem only by its owner, its staff or an admin. The
 * API runs nothing: a verification is ordinary submissions of the caller, outside any contest,
 * which the judges take from the queue like any other. Parsing and storing live in db/package.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/checker_check.h"
#include "api/edit.h"
#include "api/handlers.h"
#include "db/package.h"

#define VERIFY_WAIT_MAX_S 30

/* The problem's id (0 when there is none) after checking that the caller runs it: its owner,
 * its staff or an admin. */
static int may_change(struct api_req *req, struct db_conn *c, const char *slug, int64_t *ret_id)
{
    struct api_problem_access pa;
    PGresult *res = NULL;
    int exists, r;

    *ret_id = 0;
    r = db_query(c, &res, "SELECT 1 FROM problems WHERE slug = $1", 1, (const char *const[]){slug});
    if (r < 0)
        return api_db_fail(req, r, "problem owner");
    exists = PQntuples(res) == 1;
    PQclear(res);
    if (!exists)
        return 0;
    if ((r = api_problem_access(req, c, slug, &pa)) < 0)
        return r;
    if (!pa.runs)
        return api_fail(req, -EACCES, NULL,
                        "only the problem's owner, its staff or an admin may do this");
    *ret_id = pa.id;
    return 0;
}

static int package_error(struct api_req *req, int r, const struct db_pkg_error *err)
{
    const char *file = err->file[0] ? err->file : "package";

    if (r != -EINVAL && r != -E2BIG)
        return r;
    if (err->line > 0)
        return api_fail(req, r, file, "%s:%d: %s", file, err->line, err->message);
    return api_fail(req, r, file, "%s: %s", file, err->message);
}

int api_h_package_upload(struct api_req *req)
{
    const char *slug = api_param(req, "slug");
    struct db_pkg_files files = {0};
    struct db_pkg_problem prob = {0};
    struct db_pkg_error err = {0};
    struct db_conn *c = NULL;
    struct api_json *j;
    const char *body;
    int64_t id = 0, existing = 0;
    size_t len = 0;
    int r;

    r = api_auth(req, API_ROLE_INSTRUCTOR);
    if (r < 0)
        return r;
    if (db_slug_valid(slug) < 0)
        return api_fail(req, -EINVAL, "slug", "a slug is 1 to 64 of a-z, 0-9, - and _");
    body = api_body(req, &len);
    if (!body || !len)
        return api_fail(req, -EINVAL, "body", "send the package archive (zip or tar.gz)");
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = may_change(req, c, slug, &existing);
    if (r < 0)
        return r;
    r = db_pkg_read_archive(body, len, NULL, &files, &err);
    if (r >= 0)
        r = db_pkg_parse(&files, slug, 1, &prob, &err);
    if (r >= 0)
        r = db_pkg_checker_language(c, &prob, &err);
    /* A checker that does not compile is refused by its file's name, nothing stored. */
    if (r >= 0 && (prob.def.checker_language || prob.def.interactor_language)) {
        const char *file = prob.checker_path ? prob.checker_path : "checker";
        /* A Kattis interactor is its output validator, checked the same way. */
        r = prob.def.checker_language ? api_checker_check(req, prob.def.checker_language,
                                                          prob.def.checker_source, file, file)
                                      : api_program_check(req, 1, prob.def.interactor_language,
                                                          prob.def.interactor_source, file, file);
        if (r < 0)
            goto out;
        if ((r = api_db(req, &c)) < 0)
            goto out;
    }
    if (r >= 0)
        r = db_pkg_save(c, &prob, existing ? 0 : api_user(req)->id,
                        existing ? DB_PROBLEM_REPLACE : DB_PROBLEM_CREATE, &id, &err);
    if (r < 0) {
        r = package_error(req, r, &err);
        if (r == -EEXIST || r == -ENOENT)
            r = api_fail(req, -EEXIST, "slug", "the problem changed meanwhile: try again");
        goto out;
    }
    j = api_reply_json(req, existing ? 200 : 201);
    api_json_obj(j);
    api_json_kint(j, "id", id);
    api_json_kstr(j, "slug", prob.def.slug);
    api_json_kstr(j, "title", prob.def.title);
    api_json_kstr(j, "format", prob.format);
    api_json_kint(j, "tests", (int64_t)prob.def.n_tests);
    api_json_kint(j, "solutions", (int64_t)prob.n_solutions);
    /* a Kattis package's limits and where each came from; "time_limit_pending": the judges use
     * the measuring limit until a verification derives the package's own */
    if (prob.meta_json && !strcmp(prob.format, "kattis"))
        api_json_kraw(j, "limits", prob.meta_json);
    api_json_end(j);
    r = 0;
out:
    db_pkg_problem_release(&prob);
    db_pkg_files_release(&files);
    return r;
}

int api_h_package_export(struct api_req *req)
{
    const char *slug = api_param(req, "slug"), *format = api_query(req, "format");
    unsigned char *data = NULL;
    struct db_conn *c = NULL;
    int64_t id = 0;
    size_t len = 0;
    int tar_gz, r;

    r = api_auth(req, API_ROLE_INSTRUCTOR);
    if (r < 0)
        return r;
    if (format && strcmp(format, "zip") != 0 && strcmp(format, "tar.gz") != 0)
        return api_fail(req, -EINVAL, "format", "format is zip or tar.gz");
    tar_gz = format && !strcmp(format, "tar.gz");
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = may_change(req, c, slug, &id);
    if (r < 0)
        return r;
    if (!id)
        return api_fail(req, -ENOENT, NULL, "no such problem");
    r = db_pkg_export(c, slug, tar_gz, &data, &len);
    if (r == -ENOENT)
        return api_fail(req, -ENOENT, NULL, "no such problem");
    if (r < 0)
        return api_db_fail(req, r, "package export");
    api_reply_header(
        req, "Content-Disposition",
        api_printf(req, "attachment; filename=\"%s.%s\"", slug, tar_gz ? "tar.gz" : "zip"));
    r = api_reply_raw(req, 200, tar_gz ? "application/gzip" : "application/zip", data, len);
    free(data);
    return r;
}

int api_h_package_verify(struct api_req *req)
{
    const char *slug = api_param(req, "slug");
    struct db_conn *c = NULL;
    char *report = NULL;
    int64_t id = 0, vid = 0;
    int r, done = 0, passed = 0;

    r = api_auth(req, API_ROLE_INSTRUCTOR);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = may_change(req, c, slug, &id);
    if (r < 0)
        return r;
    if (!id)
        return api_fail(req, -ENOENT, NULL, "no such problem");
    r = db_pkg_verify_start(c, id, api_user(req)->id, &vid);
    if (r == -ENOENT)
        return api_fail(req, -EINVAL, NULL, "the problem ships no solutions to verify");
    if (r < 0)
        return api_db_fail(req, r, "verification");
    r = db_pkg_verify_report(c, id, vid, &report, &done, &passed);
    if (r < 0)
        return api_db_fail(req, r, "verification report");
    r = api_reply_raw(req, 202, "application/json", report, strlen(report));
    free(report);
    return r;
}

/* The first submission of the verification (verification_id 0: the problem's latest) that is
 * not judged yet: 1 and its id, or 0 when there is none. */
static int first_pending(struct api_req *req, struct db_conn *c, int64_t problem_id,
                         int64_t verification_id, int64_t *ret_id)
{
    const char *pid = api_printf(req, "%lld", (long long)problem_id);
    const char *vid = api_printf(req, "%lld", (long long)verification_id);
    PGresult *res = NULL;
    int r;

    if (!pid || !vid)
        return -ENOMEM;
    r = db_query(c, &res,
                 "SELECT min(i.submission_id) FROM package_verification_items i"
                 " JOIN submissions s ON s.id = i.submission_id"
                 " WHERE s.status <> 'done' AND i.verification_id = (SELECT v.id"
                 " FROM package_verifications v WHERE v.problem_id = $1"
                 " AND ($2::bigint = 0 OR v.id = $2) ORDER BY v.id DESC LIMIT 1)",
                 2, (const char *const[]){pid, vid});
    if (r < 0)
        return api_db_fail(req, r, "verification report");
    r = !db_isnull(res, 0, 0);
    if (r)
        *ret_id = db_int64(res, 0, 0);
    PQclear(res);
    return r;
}

/* ?wait= parks the request on the first solution not judged yet (api_wait: no worker thread or
 * connection is held meanwhile) and starts over when it is, until all are or time is up. */
int api_h_package_report(struct api_req *req)
{
    const char *slug = api_param(req, "slug");
    struct db_conn *c = NULL;
    char *report = NULL;
    int64_t id = 0, vid = 0, wait_s = 0, pending = 0, last = 0;
    int r, done = 0, passed = 0;

    r = api_auth(req, API_ROLE_INSTRUCTOR);
    if (r < 0)
        return r;
    r = api_query_only(req, (const char *const[]){"id", "wait", NULL});
    if (r < 0)
        return r;
    r = api_query_int(req, "id", 1, INT64_MAX, 0, &vid);
    if (r < 0)
        return r;
    r = api_query_int(req, "wait", 0, VERIFY_WAIT_MAX_S, 0, &wait_s);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = may_change(req, c, slug, &id);
    if (r < 0)
        return r;
    if (!id)
        return api_fail(req, -ENOENT, NULL, "no such problem");
    for (;;) {
        free(report);
        report = NULL;
        r = db_pkg_verify_report(c, id, vid, &report, &done, &passed);
        if (r == -ENOENT)
            return api_fail(req, -ENOENT, NULL, "no verification of this problem");
        if (r < 0)
            return api_db_fail(req, r, "verification report");
        if (done || !wait_s)
            break;
        r = first_pending(req, c, id, vid, &pending);
        if (r < 0)
            goto out;
        /* api_wait answers 0 at once when time is up: the same one still pending means so */
        if (r == 0 || pending == last)
            break;
        last = pending;
        r = api_wait(req, 's', pending, (int)wait_s);
        if (r < 0)
            goto out; /* -EINPROGRESS: parked, called again from the start */
        r = api_db(req, &c);
        if (r < 0)
            goto out;
    }
    r = api_reply_raw(req, 200, "application/json", report, strlen(report));
out:
    free(report);
    return r;
}
