/*
 * http.h: what a gavel-api handler sees of its request and how it answers. The manual for
 * anyone adding a handler.
 *
 * Adding a route: write `int api_h_thing(struct api_req *req)` in an api/h_*.c file (found by
 * the build's glob), include "api/handlers.h", and add one API_ROUTE line to api/routes.def
 * plus its entry in api/openapi.json (a test holds the two to each other).
 *
 * A handler runs on one of a few HTTP worker threads (GAVEL_API_THREADS), each serving many
 * connections, once the whole body has arrived within its route's cap. While it runs, the other
 * connections of its worker wait: a handler may block on the database, but must not sleep or
 * wait for anything slow (to wait for a result, use api_wait, which parks the request without
 * holding the worker). It either answers (api_reply_json, api_reply_raw, api_reply_empty)
 * and returns 0, or returns a negative errno, which the server answers with the one errno →
 * HTTP table (api_errno_status) as {"error":{"code","message","field"}}. api_fail sets the
 * message and field of that answer and passes the errno back:
 *
 *     int api_h_problem_get(struct api_req *req)
 *     {
 *         const char *slug = api_param(req, "slug");
 *         struct db_conn *c;
 *         int r = api_auth(req, API_ROLE_STUDENT);     // -EPERM: 401
 *         if (r < 0) return r;
 *         if ((r = api_db(req, &c)) < 0) return r;      // -ENOTCONN: 503
 *         ...
 *         if (PQntuples(res) == 0) { PQclear(res); return api_fail(req, -ENOENT, NULL, "no such
 * problem"); } struct api_json *j = api_reply_json(req, 200); api_json_obj(j); api_json_kstr(j,
 * "slug", ...); api_json_end(j); PQclear(res); return 0;
 *     }
 *
 * Memory: everything a handler takes with api_alloc / api_strdup / api_printf, the decoded
 * body, path and query values live in the request's arena, freed when libmicrohttpd reports
 * the request completed. The database connection taken with api_db is given back by the
 * server after the handler returns. Results of db_query are the handler's to PQclear.
 */
#ifndef GAVEL_API_HTTP_H
#define GAVEL_API_HTTP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "api/json.h"
#include "api/parse.h"
#include "db/db.h"

#define API_WUR __attribute__((warn_unused_result))

struct api_req;

typedef int (*api_handler_fn)(struct api_req *req);

/* Route flags (the last column of routes.def). */
#define API_UPLOAD 0x1 /* body cap is the upload cap (64 MiB) instead of the body cap (1 MiB) */
#define API_RAW    0x2 /* body is not JSON (an archive): no 415 for other content types */
/* A run's stdin is in the body: its cap grows by six times the stdin cap (the worst JSON
 * escaping), so a stdin up to its own cap always fits. */
#define API_STDIN 0x4

enum api_role {
    API_ROLE_NONE = 0, /* not authenticated */
    API_ROLE_STUDENT = 1,
    API_ROLE_INSTRUCTOR = 2,
    API_ROLE_ADMIN = 3,
};

/* The authenticated caller. */
struct api_user {
    int64_t id; /* 0 when anonymous */
    const char *username;
    const char *display_name;
    enum api_role role;
    const char *role_name; /* "student", "instructor", "admin" */
};

/* --- the one errno → HTTP table ---
 *   -EINVAL 400 invalid   -EPERM 401 unauthorized   -EACCES 403 forbidden   -ENOENT 404
 *   -EOPNOTSUPP 405   -EEXIST 409 conflict   -E2BIG 413 too large   -ENAMETOOLONG 414
 *   -EMEDIUMTYPE 415
 *   -EBUSY 429 rate limited (with Retry-After, see api_retry_after)
 *   -ENOTCONN, -EAGAIN, -ETIMEDOUT 503 unavailable   anything else 500 internal. */
int api_errno_status(int err);
/* The error code string for an errno, e.g. "not_found". */
const char *api_errno_code(int err);

/* --- request --- */

/* A {name} of the route's pattern, percent-decoded, never NULL for a name the pattern has. */
const char *api_param(struct api_req *req, const char *name);

/* A query parameter, percent-decoded, or NULL when absent. */
const char *api_query(struct api_req *req, const char *name);

/* A query parameter as an integer in [min, max]; def when absent. -EINVAL naming it. */
int api_query_int(struct api_req *req, const char *name, int64_t min, int64_t max, int64_t def,
                  int64_t *ret) API_WUR;

/* ?limit= (1..100, default 20) and ?cursor= for an "id DESC" list: *ret_before is the id to
 * continue below (INT64_MAX for the first page). -EINVAL naming limit or cursor. */
int api_list_params(struct api_req *req, int *ret_limit, int64_t *ret_before) API_WUR;

/* A query parameter as a boolean: true/1 or false/0; *ret left as is when absent. -EINVAL
 * naming it. */
int api_query_bool(struct api_req *req, const char *name, int *ret) API_WUR;

/* Refuses (-EINVAL naming it) any query parameter not in the NULL-terminated list of names. */
int api_query_only(struct api_req *req, const char *const *names) API_WUR;

/* A request header, or NULL. */
const char *api_header(struct api_req *req, const char *name);

/* The raw body (NUL-terminated after len bytes) and its length; NULL/0 when none. */
const char *api_body(struct api_req *req, size_t *ret_len);

/* Decodes the JSON body into out with the field table (json.h); on failure the error answer
 * is prepared (field and message) and the errno returned: 400, 413 or 415. */
int api_body_json(struct api_req *req, const struct api_field *fields, void *out) API_WUR;

/* 0 when the body is declared application/json (or not declared), else -EMEDIUMTYPE (415). */
int api_body_type(struct api_req *req) API_WUR;

/* Prepares the error answer of a failed api_body_* / api_json_decode call (json.h, bodies.h)
 * and returns r: 400 or 413 naming err->field ("body" when the body as a whole is wrong). */
int api_body_error(struct api_req *req, int r, const struct api_json_error *err);

/* The caps in force (settings). */
const struct api_limits *api_limits(struct api_req *req);

/* The request's arena; allocation helpers (NULL when out of memory). */
struct api_arena *api_arena(struct api_req *req);
void *api_alloc(struct api_req *req, size_t size);
char *api_strdup(struct api_req *req, const char *s);
char *api_printf(struct api_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The server's clock now, as the API writes times (API_SQL_TIME: 2026-01-05T10:00:01.250Z), in
 * the request's arena ("" when it is full): the "server_time" of contests and leaderboards. */
const char *api_now_text(struct api_req *req);

/* --- authentication ---
 * api_auth checks the bearer token (once per request) and the caller's role:
 * -EPERM (401) without a valid token, -EACCES (403) below min_role. api_auth_optional lets
 * anonymous callers through (role API_ROLE_NONE) but still refuses a bad token. */
int api_auth(struct api_req *req, enum api_role min_role) API_WUR;
int api_auth_optional(struct api_req *req) API_WUR;
/* The caller, after api_auth; an anonymous user (id 0) before or without it. */
const struct api_user *api_user(struct api_req *req);
/* "student" → API_ROLE_STUDENT ...; API_ROLE_NONE for anything else. */
enum api_role api_role_parse(const char *name);
/* The token the request came with (already checked), for logout. NULL if none. */
const unsigned char *api_token_hash(struct api_req *req, size_t *ret_len);

/* --- the database ---
 * A pooled connection for this request (the same one on every call), given back after the
 * handler returns, rolled back if left in a transaction. -ENOTCONN (503) when unreachable.
 * api_db_release gives it back early (before a long wait). */
int api_db(struct api_req *req, struct db_conn **ret_conn) API_WUR;
void api_db_release(struct api_req *req);
/* --- waiting for a result (?wait=) ---
 * Returns 0 when the handler should answer now: the submission ('s') or run ('r') `id` is done,
 * `seconds` have passed since the request's first call of api_wait, or the server is stopping.
 * Otherwise the request is parked and -EINPROGRESS comes back: the handler returns it at once
 * (after freeing what it holds). The handler is called again from the start when the result
 * is recorded or at the deadline, so it must do nothing before this call that it cannot do
 * twice. Parked requests hold neither a thread nor a database connection. */
int api_wait(struct api_req *req, char kind, int64_t id, int seconds) API_WUR;

/* Reads one row with `read`, a submission (kind 's') or a run ('r') whose id is the path
 * parameter "id" (or req->created_id, set by api_created_answer), honouring ?wait=S (0..60;
 * encoding is the only other query parameter allowed): while the row's
 * column status_col is not "done", the request is parked through api_wait (-EINPROGRESS) and
 * the row read again when it wakes. A bad id is a 404 naming "id". On success *ret_res holds
 * the row, owned by the caller (PQclear); `read` answers its own errors. */
typedef int (*api_row_reader)(struct api_req *req, const char *idtext, PGresult **ret_res);
int api_read_waiting(struct api_req *req, char kind, api_row_reader read, int status_col,
                     PGresult **ret_res) API_WUR;

/* ?encoding=utf-8 (the default) or ?encoding=base64 of a GET: *ret_base64; else 400 naming
 * encoding. */
int api_encoding_param(struct api_req *req, int *ret_base64) API_WUR;

/* POST /runs?wait=S and POST /submissions?wait=S: reads wait (0-60) before anything is made,
 * into *ret_wait; -EINVAL answered (400 naming wait) when it is not such a number. */
int api_created_wait_param(struct api_req *req, int64_t *ret_wait) API_WUR;

/* Answers a POST ...?wait=S that created resource id: 201 with the resource as get (its GET
 * handler) shows it, after waiting up to S seconds for its result as GET ?wait=S does. May park
 * the request (-EINPROGRESS): the POST handler then runs again, and must come here at once when
 * req->created_id is set rather than create anything twice. */
int api_created_answer(struct api_req *req, int64_t id, int (*get)(struct api_req *req)) API_WUR;

/* A failed query's errno, logged once with the database's message. */
int api_db_fail(struct api_req *req, int err, const char *what);

/* --- answering --- */

/* Starts a JSON answer with this status; write the value with the returned writer. */
struct api_json *api_reply_json(struct api_req *req, int status);
/* An answer with a body of another type; the bytes are copied. */
int api_reply_raw(struct api_req *req, int status, const char *content_type, const void *body,
                  size_t len) API_WUR;
/* An answer without a body (204). */
void api_reply_empty(struct api_req *req, int status);
/* Adds a header to the answer (copied). */
void api_reply_header(struct api_req *req, const char *name, const char *value);

/* Sets the message (printf-style) and the offending field (NULL: none) of the error answer
 * and returns err, so that `return api_fail(req, -EINVAL, "limit", "must be 1..100");`. */
int api_fail(struct api_req *req, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* For a -EBUSY (429) answer: the Retry-After seconds. */
void api_retry_after(struct api_req *req, int seconds);

/* A timestamptz column formatted as RFC 3339 in UTC with milliseconds: use in SELECT lists. */
#define API_SQL_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* A macro's value as a string literal: API_STR(1024) is "1024". */
#define API_STR_(x) #x
#define API_STR(x)  API_STR_(x)

/* A text column of a result (NULL when SQL NULL). Points into res. */
const char *api_col(const PGresult *res, int row, int col);

#endif
