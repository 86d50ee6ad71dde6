/*
 * h_problems.c: the problem routes. Reading: GET /problems, GET /problems/{slug}. Writing:
 * POST, PUT, PATCH and DELETE /problems/{slug} through db_problem_save, the one write path for
 * problems. Staff: GET /problems/{slug}/tests, POST /problems/{slug}/rejudge.
 *
 * Who sees what: students see public problems and their samples only, and a hidden problem
 * through a contest they may see once it has started (PROBLEM_SQL); any other hidden problem
 * is a 404 to them, as if it did not exist. Instructors and admins see every problem's
 * statement; its secret tests, rejudging and editing (PUT, PATCH) are for its owner, its staff
 * and the admins (api_problem_access); deleting it for its owner and the admins, and only while
 * it has no submissions (past that it is archived: out of the lists, closed to submissions).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/bodies.h"
#include "api/checker_check.h"
#include "api/edit.h"
#include "api/handlers.h"
#include "api/markdown.h"
#include "common/log.h"
#include "db/problems.h"
#include "db/queue.h"

static int is_staff(struct api_req *req)
{
    return api_user(req)->role >= API_ROLE_INSTRUCTOR;
}

/* Writes one bytea column (hex text form) as a JSON string (bytes that are not UTF-8 become
 * U+FFFD). */
static int put_bytea(struct api_json *j, const char *hex)
{
    size_t n = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)hex, &n);

    if (!bytes)
        return -ENOMEM;
    api_json_strn(j, (const char *)bytes, n);
    PQfreemem(bytes);
    return 0;
}

/* Samples arrive as "ordinal,base64,base64;..." (one row, one round trip). */
static int put_samples(struct api_req *req, struct api_json *j, const char *packed)
{
    const char *p = packed;

    api_json_arr(j);
    while (p && *p) {
        const char *end = strchr(p, ';'), *c1 = strchr(p, ','), *c2;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int64_t ordinal;
        char num[24];

        if (!c1 || c1 > p + len || (size_t)(c1 - p) >= sizeof(num))
            return -EIO;
        c2 = memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - p));
        if (!c2)
            return -EIO;
        memcpy(num, p, (size_t)(c1 - p));
        num[c1 - p] = '\0';
        if (api_parse_int64(num, 1, INT32_MAX, &ordinal) < 0)
            return -EIO;
        api_json_obj(j);
        api_json_kint(j, "ordinal", ordinal);
        for (int k = 0; k < 2; k++) {
            const char *b = k ? c2 + 1 : c1 + 1, *e = k ? p + len : c2;
            size_t cap = (size_t)(e - b) / 4 * 3 + 3, out = 0;
            unsigned char *bin = api_alloc(req, cap);
            if (!bin || sodium_base642bin(bin, cap, b, (size_t)(e - b), "\n", &out, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) != 0)
                return -EIO;
            api_json_key(j, k ? "output" : "input");
            api_json_strn(j, (const char *)bin, out);
        }
        api_json_end(j);
        p = end ? end + 1 : NULL;
    }
    api_json_end(j);
    return 0;
}

/* The caller's own marks on problem p, two columns: solved (one of their submissions was
 * accepted) and attempted (they submitted at all, whatever the result). Two index probes per
 * problem (submissions_user_problem), inside the one query that reads the problems. */
#define PROBLEM_MARKS_SQL(user)                                                                    \
    "EXISTS (SELECT 1 FROM submissions s WHERE s.user_id = " user " AND s.problem_id = p.id"       \
    "         AND s.verdict = 'AC'),"                                                              \
    " EXISTS (SELECT 1 FROM submissions s WHERE s.user_id = " user " AND s.problem_id = p.id)"

/* The problem as GET /problems/{slug} shows it, if the caller may read it ($2 staff, $3 user):
 * everyone a public problem, staff any, and a student a hidden one through a contest that has
 * it, has started and that they may see (public, or private with them a participant), so that
 * a contest's problems stay hidden until it starts and can be read during it and after. The
 * rule is written here rather than as an SQL function: a function holding a subquery is not
 * inlined, and PostgreSQL planned its body again on every request (2.5x fewer reads/s).
 * $4: a custom checker's source too (for those who run the problem). */
/* clang-format off */
#define PROBLEM_SQL                                                                               \
    "SELECT p.id, p.slug, p.title, p.statement, p.visibility, o.username, p.memory_limit_mb,"     \
    "       p.time_limits_ms::text,"                                                              \
    "       (jsonb_build_object('kind', p.checker_kind)"                                          \
    "        || CASE WHEN p.checker_kind IN ('tokens', 'float')"                                  \
    "           THEN '{\"case_sensitive\": true, \"space_change_sensitive\": false}'::jsonb"        \
    "                || p.checker_params"                                                         \
    "           WHEN p.checker_kind = 'custom'"                                                   \
    "           THEN jsonb_build_object('language', p.checker_language, 'protocol',"              \
    "                    coalesce(p.checker_params->>'protocol', 'testlib'))"                     \
    "                || CASE WHEN p.checker_params ? 'flags'"                                     \
    "                   THEN jsonb_build_object('flags', p.checker_params->'flags')"              \
    "                   ELSE '{}'::jsonb END"                                                     \
    "                || CASE WHEN $4::boolean"                                                    \
    "                   THEN jsonb_build_object('source', p.checker_source)"                      \
    "                   ELSE '{}'::jsonb END"                                                     \
    "           ELSE '{}'::jsonb END"                                                             \
    "        || CASE WHEN p.interactor_protocol IS NOT NULL"                                      \
    "           THEN jsonb_build_object('interactor', jsonb_build_object("                        \
    "                    'language', p.interactor_language, 'protocol', p.interactor_protocol)"   \
    "                || CASE WHEN $4::boolean"                                                    \
    "                   THEN jsonb_build_object('source', p.interactor_source)"                   \
    "                   ELSE '{}'::jsonb END)"                                                    \
    "           ELSE '{}'::jsonb END)::text,"                                                     \
    "       p.stop_on_first_failure, p.max_score, p.version,"                                     \
    "       " API_SQL_TIME("p.created_at") ", " API_SQL_TIME("p.updated_at") ","                  \
    "       (SELECT count(*) FROM test_cases t WHERE t.problem_id = p.id),"                       \
    "       (SELECT json_object_agg(l.id, json_build_object("                                     \
    "                   'time_limit_ms',"                                                         \
    "                   coalesce((p.time_limits_ms->>l.id)::int, l.time_limit_ms),"               \
    "                   'memory_limit_mb', coalesce(p.memory_limit_mb, l.memory_limit_mb))"       \
    "               ORDER BY l.id)::text"                                                         \
    "          FROM languages l WHERE l.enabled AND l.installed),"                                                \
    "       (SELECT string_agg(t.ordinal || ',' || encode(bi.data, 'base64') || ','"              \
    "                          || encode(bo.data, 'base64'), ';' ORDER BY t.ordinal)"             \
    "          FROM test_cases t JOIN blobs bi ON bi.hash = t.input_hash"                         \
    "          JOIN blobs bo ON bo.hash = t.output_hash"                                          \
    "         WHERE t.problem_id = p.id AND t.is_sample),"                                        \
    "       p.archived,"                                                                          \
    "       (SELECT coalesce(json_agg(su.username ORDER BY su.username), '[]')::text"             \
    "          FROM problem_staff s JOIN users su ON su.id = s.user_id"                           \
    "         WHERE s.problem_id = p.id),"                                                        \
    "       " PROBLEM_MARKS_SQL("$3::bigint")                                                     \
    "  FROM problems p LEFT JOIN users o ON o.id = p.owner_id"                                    \
    " WHERE p.slug = $1"                                                                      \
    "   AND ($2::boolean OR p.visibility = 'public'"                                              \
    "        OR EXISTS (SELECT 1 FROM contest_problems cp JOIN contests c ON c.id = cp.contest_id" \
    "                    WHERE cp.problem_id = p.id AND now() >= c.starts_at"                     \
    "                      AND (c.visibility = 'public'"                                          \
    "                           OR EXISTS (SELECT 1 FROM contest_participants pa"                 \
    "                                       WHERE pa.contest_id = c.id"                           \
    "                                         AND pa.user_id = $3::bigint))))"
/* clang-format on */

/* What GET shows and a body may send back only as it is. */
static const char *const read_only[] = {"owner",          "max_score",  "version", "created_at",
                                        "updated_at",     "test_count", "limits",  "samples",
                                        "statement_html", NULL};
/* The reader's own marks: a body may send them back with any value, and they are left out. */
static const char *const marks[] = {"solved", "attempted", NULL};

/* Writes every test of problem id (as PUT takes them) as the member "tests" of an open
 * object. */
static int put_tests(struct api_req *req, struct db_conn *c, int64_t id, struct api_json *j)
{
    PGresult *res = NULL;
    int r;

    r = db_query(c, &res,
                 "SELECT t.ordinal, t.name, bi.data, bo.data, t.points, t.is_sample, t.group_name"
                 " FROM test_cases t JOIN blobs bi ON bi.hash = t.input_hash"
                 " JOIN blobs bo ON bo.hash = t.output_hash"
                 " WHERE t.problem_id = $1 ORDER BY t.ordinal",
                 1, (const char *const[]){api_printf(req, "%lld", (long long)id)});
    if (r < 0)
        return api_db_fail(req, r, "tests");
    api_json_key(j, "tests");
    api_json_arr(j);
    for (int i = 0; i < PQntuples(res) && r == 0; i++) {
        api_json_obj(j);
        api_json_kint(j, "ordinal", db_int64(res, i, 0));
        api_json_kstr(j, "name", PQgetvalue(res, i, 1));
        api_json_key(j, "input");
        r = put_bytea(j, PQgetvalue(res, i, 2));
        api_json_key(j, "output");
        if (r == 0)
            r = put_bytea(j, PQgetvalue(res, i, 3));
        api_json_kint(j, "points", db_int64(res, i, 4));
        api_json_kbool(j, "sample", (int)db_int64(res, i, 5));
        api_json_kstr(j, "group", api_col(res, i, 6));
        api_json_end(j);
    }
    api_json_end(j);
    PQclear(res);
    return r;
}

/* Flags of problem_json. */
#define WITH_TESTS  0x1 /* "tests", as PUT takes them */
#define WITH_SOURCE 0x2 /* a custom checker's "source" */

/* Writes the problem as GET /problems/{slug} shows it into j. -ENOENT (answered) if the
 * caller may not see it; nothing is written on an error. */
static int problem_json(struct api_req *req, struct db_conn *c, const char *slug, unsigned flags,
                        struct api_json *j)
{
    PGresult *res = NULL;
    int r;

    r = db_query(c, &res, PROBLEM_SQL, 4,
                 (const char *const[]){slug, is_staff(req) ? "true" : "false",
                                       api_printf(req, "%lld", (long long)api_user(req)->id),
                                       (flags & WITH_SOURCE) ? "true" : "false"});
    if (r < 0)
        return api_db_fail(req, r, "problem read");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -ENOENT, "slug", "no such problem");
    }
    api_json_obj(j);
    api_json_kstr(j, "slug", PQgetvalue(res, 0, 1));
    api_json_kstr(j, "title", PQgetvalue(res, 0, 2));
    api_json_kstr(j, "statement", PQgetvalue(res, 0, 3));
    {
        char *html = NULL;
        if (api_markdown_html(PQgetvalue(res, 0, 3), (size_t)PQgetlength(res, 0, 3), &html) < 0) {
            PQclear(res);
            return -ENOMEM;
        }
        api_json_kstr(j, "statement_html", html);
        free(html);
    }
    api_json_kstr(j, "visibility", PQgetvalue(res, 0, 4));
    api_json_kstr(j, "owner", api_col(res, 0, 5));
    api_json_key(j, "memory_limit_mb");
    if (db_isnull(res, 0, 6))
        api_json_null(j);
    else
        api_json_int(j, db_int64(res, 0, 6));
    api_json_kraw(j, "time_limits_ms", PQgetvalue(res, 0, 7));
    api_json_kraw(j, "checker", PQgetvalue(res, 0, 8));
    api_json_kbool(j, "stop_on_first_failure", (int)db_int64(res, 0, 9));
    api_json_kint(j, "max_score", db_int64(res, 0, 10));
    api_json_kint(j, "version", db_int64(res, 0, 11));
    api_json_kstr(j, "created_at", PQgetvalue(res, 0, 12));
    api_json_kstr(j, "updated_at", PQgetvalue(res, 0, 13));
    api_json_kint(j, "test_count", db_int64(res, 0, 14));
    api_json_kbool(j, "archived", PQgetvalue(res, 0, 17)[0] == 't');
    api_json_kraw(j, "staff", PQgetvalue(res, 0, 18));
    api_json_kbool(j, "solved", PQgetvalue(res, 0, 19)[0] == 't');
    api_json_kbool(j, "attempted", PQgetvalue(res, 0, 20)[0] == 't');
    api_json_key(j, "limits");
    if (db_isnull(res, 0, 15))
        api_json_raw(j, "{}");
    else
        api_json_raw(j, PQgetvalue(res, 0, 15));
    api_json_key(j, "samples");
    r = put_samples(req, j, api_col(res, 0, 16));
    if (r < 0)
        log_msg(LOG_ERROR, "problem %s: samples unreadable", slug);
    if (r == 0 && (flags & WITH_TESTS))
        r = put_tests(req, c, db_int64(res, 0, 0), j);
    api_json_end(j);
    PQclear(res);
    return r;
}

/* The problem's GET form as text in the arena. */
static int problem_text(struct api_req *req, struct db_conn *c, const char *slug, unsigned flags,
                        const char **ret_text)
{
    struct api_json j;
    int r;

    api_json_init(&j, (size_t)1 << 30);
    r = problem_json(req, c, slug, flags, &j);
    if (r < 0) {
        api_json_release(&j);
        return r;
    }
    return api_edit_text(req, &j, ret_text);
}

/* Answers with the problem as GET /problems/{slug} shows it. */
static int reply_problem(struct api_req *req, struct db_conn *c, const char *slug, unsigned flags,
                         int status)
{
    const char *text;
    int r = problem_text(req, c, slug, flags, &text);

    if (r < 0)
        return r;
    return api_reply_raw(req, status, "application/json", text, strlen(text));
}

int api_h_problem_get(struct api_req *req)
{
    const char *slug = api_param(req, "slug"), *include, *text;
    struct api_problem_access pa;
    struct db_conn *c;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_query_only(req, (const char *const[]){"include", NULL})) < 0)
        return r;
    include = api_query(req, "include");
    if (include && strcmp(include, "tests") != 0)
        return api_fail(req, -EINVAL, "include", "the only include is tests");
    if (db_slug_valid(slug) < 0)
        return api_fail(req, -ENOENT, "slug", "no such problem");
    if ((r = api_db(req, &c)) < 0)
        return r;
    if (!include)
        return reply_problem(req, c, slug, 0, 200);
    /* Everything PUT needs, secret tests and a checker's source included: for those who run
     * the problem only. Others are told so if they may read the problem at all. */
    r = api_problem_access(req, c, slug, &pa);
    if (r < 0 && r != -ENOENT)
        return r;
    if (r == 0 && pa.runs)
        return reply_problem(req, c, slug, WITH_TESTS | WITH_SOURCE, 200);
    if ((r = problem_text(req, c, slug, 0, &text)) < 0)
        return r;
    return api_fail(req, -EACCES, "include",
                    "the tests are for the problem's owner, its staff and admins");
}

int api_h_problem_list(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int64_t before;
    int limit, n, archived = 0, r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_query_only(req, (const char *const[]){"limit", "cursor", "archived", NULL})) < 0)
        return r;
    if ((r = api_query_bool(req, "archived", &archived)) < 0)
        return r;
    if ((r = api_list_params(req, &limit, &before)) < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    /* clang-format off */
    static const char sql[] =
        "SELECT p.id, p.slug, p.title, p.visibility, p.max_score,"
        "       " API_SQL_TIME("p.created_at") ", " API_SQL_TIME("p.updated_at") ", p.archived,"
        "       " PROBLEM_MARKS_SQL("$5::bigint")
        "  FROM problems p"
        " WHERE p.id < $1::bigint AND (p.visibility = 'public' OR $2::boolean)"
        "   AND (NOT p.archived OR $4::boolean)"
        " ORDER BY p.id DESC LIMIT $3::int";
    /* clang-format on */
    r = db_query(c, &res, sql, 5,
                 (const char *const[]){
                     api_printf(req, "%lld", (long long)before), is_staff(req) ? "true" : "false",
                     api_printf(req, "%d", limit + 1), archived ? "true" : "false",
                     api_printf(req, "%lld", (long long)api_user(req)->id)});
    if (r < 0)
        return api_db_fail(req, r, "problem list");
    n = PQntuples(res);
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_key(j, "items");
    api_json_arr(j);
    for (int i = 0; i < n && i < limit; i++) {
        api_json_obj(j);
        api_json_kstr(j, "slug", PQgetvalue(res, i, 1));
        api_json_kstr(j, "title", PQgetvalue(res, i, 2));
        api_json_kstr(j, "visibility", PQgetvalue(res, i, 3));
        api_json_kint(j, "max_score", db_int64(res, i, 4));
        api_json_kstr(j, "created_at", PQgetvalue(res, i, 5));
        api_json_kstr(j, "updated_at", PQgetvalue(res, i, 6));
        api_json_kbool(j, "archived", PQgetvalue(res, i, 7)[0] == 't');
        api_json_kbool(j, "solved", PQgetvalue(res, i, 8)[0] == 't');
        api_json_kbool(j, "attempted", PQgetvalue(res, i, 9)[0] == 't');
        api_json_end(j);
    }
    api_json_end(j);
    api_json_kstr(j, "next_cursor",
                  n > limit ? api_cursor_from_id(api_arena(req), db_int64(res, limit - 1, 0))
                            : NULL);
    api_json_end(j);
    PQclear(res);
    return 0;
}

/* Saves def (create or replace) and answers with the problem. */
/* 1 when def's custom checker differs from the one stored for its slug (or none is stored),
 * 0 when it is the same, or an answer made. */
static int checker_is_new(struct api_req *req, struct db_conn *c, const struct db_problem_def *def)
{
    PGresult *res = NULL;
    int r =
        db_query(c, &res,
                 "SELECT 1 FROM problems WHERE slug = $1 AND checker_kind = 'custom'"
                 " AND checker_language = $2 AND checker_source = $3",
                 3, (const char *const[]){def->slug, def->checker_language, def->checker_source});

    if (r < 0)
        return api_db_fail(req, r, "checker read");
    r = PQntuples(res) == 1 ? 0 : 1;
    PQclear(res);
    return r;
}

/* The same for the interactor. */
static int interactor_is_new(struct api_req *req, struct db_conn *c,
                             const struct db_problem_def *def)
{
    PGresult *res = NULL;
    int r = db_query(
        c, &res,
        "SELECT 1 FROM problems WHERE slug = $1 AND interactor_language = $2"
        " AND interactor_source = $3",
        3, (const char *const[]){def->slug, def->interactor_language, def->interactor_source});

    if (r < 0)
        return api_db_fail(req, r, "interactor read");
    r = PQntuples(res) == 1 ? 0 : 1;
    PQclear(res);
    return r;
}

static int save(struct api_req *req, struct db_conn *c, const struct db_problem_def *def,
                enum db_save_mode mode, int status)
{
    const char *field = NULL;
    char field_buf[128];
    int64_t id;
    int version, r;

    /* A checker that does not compile is refused here, before anything is stored; one that
     * is stored already as it is was checked when it was stored. */
    if (def->checker_kind && !strcmp(def->checker_kind, "custom") &&
        (r = checker_is_new(req, c, def)) != 0) {
        if (r < 0)
            return r;
        if ((r = api_checker_check(req, def->checker_language, def->checker_source,
                                   "checker.language", "checker.source")) < 0)
            return r;
    }
    /* The interactor likewise: compiled by a judge before it is stored. */
    if (def->interactor_source && (r = interactor_is_new(req, c, def)) != 0) {
        if (r < 0)
            return r;
        if ((r = api_program_check(req, 1, def->interactor_language, def->interactor_source,
                                   "checker.interactor.language", "checker.interactor.source")) < 0)
            return r;
    }
    r = db_problem_save(c, def, mode == DB_PROBLEM_CREATE ? api_user(req)->id : 0, mode, &id,
                        &version, &field, field_buf, sizeof(field_buf));
    if (r == -EINVAL && field && !strncmp(field, "staff", 5))
        return api_fail(req, r, field, "must name an instructor or an admin");
    if (r == -EINVAL)
        return api_fail(req, r, field ? field : "body", "is not valid");
    if (r == -EEXIST)
        return api_fail(req, r, "slug", "is taken");
    if (r == -ENOENT && field && strcmp(field, "slug") != 0)
        return api_fail(req, -EINVAL, field, "refers to something that does not exist");
    if (r == -ENOENT)
        return api_fail(req, r, "slug", "no such problem");
    if (r < 0)
        return api_db_fail(req, r, "problem save");
    return reply_problem(req, c, def->slug, 0, status);
}

int api_h_problem_create(struct api_req *req)
{
    struct db_problem_def def;
    struct api_json_error err;
    struct db_conn *c;
    const char *body;
    size_t len;
    int r = api_auth(req, API_ROLE_INSTRUCTOR);

    if (r < 0)
        return r;
    if ((r = api_body_type(req)) < 0)
        return r;
    body = api_body(req, &len);
    r = api_body_problem(api_arena(req), body, len, api_limits(req), NULL, &def, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if ((r = api_db(req, &c)) < 0)
        return r;
    return save(req, c, &def, DB_PROBLEM_CREATE, 201);
}

/* The problem of the path, for an edit: its owner, its staff or an admin. Students get the
 * same 404 as for a problem that does not exist when it is hidden, 403 when it is public. */
static int problem_to_edit(struct api_req *req, struct db_conn **ret_c,
                           struct api_problem_access *ret)
{
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_db(req, ret_c)) < 0)
        return r;
    if ((r = api_problem_access(req, *ret_c, api_param(req, "slug"), ret)) < 0)
        return r;
    if (!ret->runs)
        return api_fail(req, -EACCES, NULL,
                        "only the problem's owner, its staff or an admin may change it");
    return 0;
}

/* The decoded edit, checked against the problem's current form: only its owner or an admin
 * names its staff. */
static int staff_check(struct api_req *req, const struct api_problem_access *pa,
                       const struct db_problem_def *def, const char *current)
{
    if (def->staff_set && !pa->own && !api_edit_staff_same(current, def->staff, def->n_staff))
        return api_fail(req, -EACCES, "staff",
                        "only the problem's owner or an admin changes its staff");
    return 0;
}

int api_h_problem_replace(struct api_req *req)
{
    const char *slug = api_param(req, "slug"), *current, *body;
    struct api_problem_access pa;
    struct db_problem_def def;
    struct api_json_error err;
    struct db_conn *c;
    size_t len;
    int r;

    if ((r = problem_to_edit(req, &c, &pa)) < 0)
        return r;
    if ((r = api_body_type(req)) < 0)
        return r;
    if ((r = problem_text(req, c, slug, 0, &current)) < 0)
        return r;
    body = api_body(req, &len);
    r = api_json_strip_any(api_arena(req), body, len, marks, api_limits(req), &body, &len);
    if (r < 0)
        return r;
    r = api_json_strip_equal(api_arena(req), body, len, current, read_only, api_limits(req), &body,
                             &len, &err);
    if (r == 0)
        r = api_body_problem(api_arena(req), body, len, api_limits(req), slug, &def, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if ((r = staff_check(req, &pa, &def, current)) < 0)
        return r;
    return save(req, c, &def, DB_PROBLEM_REPLACE, 200);
}

int api_h_problem_patch(struct api_req *req)
{
    const char *slug = api_param(req, "slug"), *current, *body, *text;
    struct api_problem_access pa;
    struct db_problem_def def;
    struct api_json_error err;
    struct db_conn *c;
    char *merged = NULL;
    size_t len;
    int r;

    if ((r = problem_to_edit(req, &c, &pa)) < 0)
        return r;
    if ((r = api_body_type(req)) < 0)
        return r;
    body = api_body(req, &len);
    r = api_body_problem_patch(api_arena(req), body, len, api_limits(req), &err);
    if (r < 0) {
        int ro = 0;
        for (const char *const *n = read_only; *n; n++)
            ro |= !strcmp(err.field, *n);
        for (const char *const *n = marks; *n; n++)
            ro |= !strcmp(err.field, *n);
        if (!ro) /* a read-only field is checked against the problem below */
            return api_body_error(req, r, &err);
    }
    /* The tests stay out of the merge: they stay as stored unless the patch gives them all. */
    if ((r = problem_text(req, c, slug, WITH_SOURCE, &current)) < 0)
        return r;
    r = api_json_merge(api_arena(req), current, body, len, api_limits(req), &merged, &err);
    if (r == 0)
        r = api_json_strip_any(api_arena(req), merged, strlen(merged), marks, api_limits(req),
                               &text, &len);
    if (r == 0)
        r = api_json_strip_equal(api_arena(req), text, len, current, read_only, api_limits(req),
                                 &text, &len, &err);
    if (r == 0)
        r = api_body_problem_merged(api_arena(req), text, len, api_limits(req), slug, &def, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if ((r = staff_check(req, &pa, &def, current)) < 0)
        return r;
    return save(req, c, &def, DB_PROBLEM_REPLACE, 200);
}

int api_h_problem_delete(struct api_req *req)
{
    struct api_problem_access pa;
    struct db_conn *c;
    PGresult *res = NULL;
    const char *id;
    int64_t n;
    int r;

    if ((r = problem_to_edit(req, &c, &pa)) < 0)
        return r;
    if (!pa.own)
        return api_fail(req, -EACCES, NULL, "only the problem's owner or an admin may delete it");
    id = api_printf(req, "%lld", (long long)pa.id);
    /* Locked, then counted: a submission being inserted meanwhile holds the problem's key and
     * is counted once it commits. The foreign key refuses the delete anyway if one slips by. */
    if ((r = db_begin(c, NULL)) < 0)
        return api_db_fail(req, r, "problem delete");
    r = db_query(c, &res,
                 "SELECT (SELECT count(*) FROM submissions s WHERE s.problem_id = p.id)"
                 " FROM problems p WHERE p.id = $1 FOR UPDATE",
                 1, (const char *const[]){id});
    if (r < 0) {
        r = api_db_fail(req, r, "problem delete");
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = api_fail(req, -ENOENT, "slug", "no such problem");
        goto out;
    }
    n = db_int64(res, 0, 0);
    if (n > 0) {
        r = api_fail(req, -EEXIST, "archived",
                     "the problem has %lld submission%s: deleting it would lose them, their "
                     "results and the standings they count in; archive it instead (PATCH with "
                     "{\"archived\": true}), which keeps them readable and closes it",
                     (long long)n, n == 1 ? "" : "s");
        goto out;
    }
    r = db_query(c, NULL, "DELETE FROM problems WHERE id = $1", 1, (const char *const[]){id});
    if (r == -ENOENT) /* the foreign key: a submission came in after all */
        r = api_fail(req, -EEXIST, "archived", "the problem has submissions: archive it instead");
    else if (r < 0)
        r = api_db_fail(req, r, "problem delete");
    if (r < 0)
        goto out;
    if ((r = db_commit(c)) < 0) {
        r = api_db_fail(req, r, "problem delete");
        goto out;
    }
    api_reply_empty(req, 204);
out:
    PQclear(res);
    if (r < 0)
        db_rollback(c);
    return r;
}

/* The problem's id for the routes of those who run it: 404 for what the caller cannot see, 403
 * for anyone else. */
static int run_problem(struct api_req *req, int64_t *ret_id)
{
    struct api_problem_access pa;
    struct db_conn *c;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    if ((r = api_problem_access(req, c, api_param(req, "slug"), &pa)) < 0)
        return r;
    if (!pa.runs)
        return api_fail(req, -EACCES, NULL, "only the problem's owner, its staff and admins");
    *ret_id = pa.id;
    return 0;
}

int api_h_problem_tests(struct api_req *req)
{
    struct db_conn *c;
    struct api_json j;
    const char *text;
    int64_t id = 0;
    int r = run_problem(req, &id);

    if (r < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    api_json_init(&j, (size_t)1 << 30);
    api_json_obj(&j);
    r = put_tests(req, c, id, &j);
    api_json_end(&j);
    if (r < 0) {
        api_json_release(&j);
        return r;
    }
    if ((r = api_edit_text(req, &j, &text)) < 0)
        return r;
    return api_reply_raw(req, 200, "application/json", text, strlen(text));
}

int api_h_problem_rejudge(struct api_req *req)
{
    struct db_conn *c;
    struct api_json *j;
    int64_t id = 0;
    int r = run_problem(req, &id);

    if (r < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    /* The same rejudge as `gavel rejudge`: every submission of the problem, those being judged
     * too (their judge is fenced off, so no result against the old tests can stand). The old
     * verdict stays visible until the judge records the new one. */
    r = db_queue_rejudge(c, id, 0);
    if (r < 0)
        return api_db_fail(req, r, "rejudge");
    j = api_reply_json(req, 202);
    api_json_obj(j);
    api_json_kint(j, "queued", r);
    api_json_end(j);
    return 0;
}
