/*
 * server.c: libmicrohttpd glue, routing and the request/response helpers of http.h.
 *
 * Theory of operation. libmicrohttpd runs a small pool of worker threads (GAVEL_API_THREADS)
 * over poll(); each handler runs to completion on its worker, blocking on the database, and the
 * database pool is as large as the worker pool, so a worker never waits for a connection.
 * Only ?wait= waits long, and it does not block: api_wait parks the request (its connection is
 * suspended) and the NOTIFY hub resumes it (notify.c). For each request:
 *   1. the URI log callback sees the raw target first: the request gets its arena there and
 *      the target is split and decoded by our own parser (parse.c), not libmicrohttpd's;
 *   2. the first access call routes it (404, 405, 400 for a malformed target) and checks the
 *      declared Content-Length and Content-Type against the route, refusing early (413, 415)
 *      before any body is read;
 *   3. body chunks are appended to a buffer capped by the route (upload or body cap); past the
 *      cap the rest is discarded and the answer will be 413;
 *   4. the last call runs the handler, gives its database connection back and queues the
 *      answer, built in memory the response then owns; a parked request gets no answer yet and
 *      its handler runs again from the start when it is resumed;
 *   5. the completion callback records the metrics and frees the arena and the request.
 */
#include "api/server.h"
#include "api/handlers.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"

#define API_ROUTE(m, p, h, f) {#m, p, h, f},
const struct api_route api_routes[] = {
#include "api/routes.def"
};
#undef API_ROUTE
const size_t api_n_routes = sizeof(api_routes) / sizeof(api_routes[0]);

/* --- the errno → HTTP table --- */

static const struct {
    int err;
    int status;
    const char *code;
} errno_table[] = {
    {EINVAL, 400, "invalid"},
    {EPERM, 401, "unauthorized"},
    {EACCES, 403, "forbidden"},
    {ENOENT, 404, "not_found"},
    {EOPNOTSUPP, 405, "method_not_allowed"},
    {EEXIST, 409, "conflict"},
    {E2BIG, 413, "too_large"},
    {ENAMETOOLONG, 414, "uri_too_long"},
    {EMEDIUMTYPE, 415, "unsupported_media_type"},
    {EBUSY, 429, "rate_limited"},
    {ENOTCONN, 503, "unavailable"},
    {EAGAIN, 503, "unavailable"},
    {ETIMEDOUT, 503, "unavailable"},
};

int api_errno_status(int err)
{
    for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++) {
        if (errno_table[i].err == -err)
            return errno_table[i].status;
    }
    return 500;
}

const char *api_errno_code(int err)
{
    for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++) {
        if (errno_table[i].err == -err)
            return errno_table[i].code;
    }
    return "internal";
}

/* --- request helpers (http.h) --- */

const char *api_param(struct api_req *req, const char *name)
{
    size_t n = strlen(name);

    for (int i = 0; i < req->n_params; i++) {
        if (!strncmp(req->param_names[i], name, n) && req->param_names[i][n] == '}')
            return req->param_values[i];
    }
    return NULL;
}

const char *api_query(struct api_req *req, const char *name)
{
    for (int i = 0; i < req->uri.n_query; i++) {
        if (!strcmp(req->uri.query[i].name, name))
            return req->uri.query[i].value;
    }
    return NULL;
}

int api_query_int(struct api_req *req, const char *name, int64_t min, int64_t max, int64_t def,
                  int64_t *ret)
{
    const char *v = api_query(req, name);

    if (!v) {
        *ret = def;
        return 0;
    }
    if (api_parse_int64(v, min, max, ret) < 0)
        return api_fail(req, -EINVAL, name, "must be an integer from %lld to %lld", (long long)min,
                        (long long)max);
    return 0;
}

int api_query_only(struct api_req *req, const char *const *names)
{
    for (int i = 0; i < req->uri.n_query; i++) {
        const char *q = req->uri.query[i].name;
        int known = 0;
        for (const char *const *n = names; *n && !known; n++)
            known = !strcmp(*n, q);
        if (!known)
            return api_fail(req, -EINVAL, q, "is not a parameter of this route");
    }
    return 0;
}

int api_list_params(struct api_req *req, int *ret_limit, int64_t *ret_before)
{
    const char *cursor = api_query(req, "cursor");
    int64_t limit;
    int r = api_query_int(req, "limit", 1, 100, 20, &limit);

    if (r < 0)
        return r;
    *ret_limit = (int)limit;
    *ret_before = INT64_MAX;
    if (cursor && *cursor && api_cursor_to_id(cursor, strlen(cursor), ret_before) < 0)
        return api_fail(req, -EINVAL, "cursor", "is not a cursor this server gave");
    return 0;
}

const char *api_header(struct api_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *api_body(struct api_req *req, size_t *ret_len)
{
    *ret_len = req->body.len;
    return req->body.data;
}

const struct api_limits *api_limits(struct api_req *req)
{
    return &req->srv->cfg.limits;
}

static int is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    while (*ct == ' ')
        ct++;
    return !strncasecmp(ct, "application/json", n) &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int api_body_type(struct api_req *req)
{
    const char *ct = api_header(req, "Content-Type");

    if (ct && !is_json_type(ct))
        return api_fail(req, -EMEDIUMTYPE, NULL, "the body must be application/json");
    return 0;
}

int api_query_bool(struct api_req *req, const char *name, int *ret)
{
    const char *v = api_query(req, name);

    if (!v)
        return 0;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *ret = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0"))
        *ret = 0;
    else
        return api_fail(req, -EINVAL, name, "must be true or false");
    return 0;
}

int api_body_error(struct api_req *req, int r, const struct api_json_error *err)
{
    if (r == -ENOMEM)
        return r;
    return api_fail(req, r, err->field[0] ? err->field : "body", "%s",
                    err->message ? err->message : "invalid body");
}

int api_body_json(struct api_req *req, const struct api_field *fields, void *out)
{
    const char *ct = api_header(req, "Content-Type");
    struct api_json_error err;
    int r;

    if (ct && !is_json_type(ct))
        return api_fail(req, -EMEDIUMTYPE, NULL, "the body must be application/json");
    r = api_json_decode(&req->arena, req->body.data, req->body.len, &req->srv->cfg.limits, fields,
                        out, &err);
    return r < 0 ? api_body_error(req, r, &err) : 0;
}

struct api_arena *api_arena(struct api_req *req)
{
    return &req->arena;
}

void *api_alloc(struct api_req *req, size_t size)
{
    return api_arena_alloc(&req->arena, size);
}

char *api_strdup(struct api_req *req, const char *s)
{
    return s ? api_arena_strndup(&req->arena, s, strlen(s)) : NULL;
}

const char *api_now_text(struct api_req *req)
{
    struct timespec ts;
    struct tm tm;
    char date[32];
    const char *out;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    out = api_printf(req, "%s.%03ldZ", date, ts.tv_nsec / 1000000);
    return out ? out : "";
}

char *api_printf(struct api_req *req, const char *fmt, ...)
{
    va_list ap;
    char small[512];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof(small))
        return api_arena_strndup(&req->arena, small, (size_t)n);
    {
        char *p = api_arena_alloc(&req->arena, (size_t)n + 1);
        if (!p)
            return NULL;
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        return p;
    }
}

/* The pool, made on first use when the database was down at start. */
static struct db_pool *pool_of(struct api_server *srv)
{
    struct db_pool *p;

    p = atomic_load(&srv->pool);
    if (p)
        return p; /* the common case takes no lock */
    pthread_mutex_lock(&srv->pool_lock);
    if (!atomic_load(&srv->pool) &&
        db_pool_new(srv->cfg.database_url, srv->cfg.db_pool_size, &p) == 0)
        atomic_store(&srv->pool, p);
    p = atomic_load(&srv->pool);
    pthread_mutex_unlock(&srv->pool_lock);
    return p;
}

int api_db(struct api_req *req, struct db_conn **ret_conn)
{
    struct db_pool *pool;
    int r;

    if (!req->db) {
        pool = pool_of(req->srv);
        if (!pool)
            return api_fail(req, -ENOTCONN, NULL, "the database is unavailable");
        r = db_acquire(pool, &req->db);
        if (r < 0) {
            req->db = NULL;
            return api_fail(req, r, NULL, "the database is unavailable");
        }
    }
    *ret_conn = req->db;
    return 0;
}

void api_db_release(struct api_req *req)
{
    if (req->db) {
        db_release(atomic_load(&req->srv->pool), req->db);
        req->db = NULL;
    }
}

int api_db_fail(struct api_req *req, int err, const char *what)
{
    if (err == -ENOTCONN)
        return api_fail(req, err, NULL, "the database is unavailable");
    log_msg(LOG_ERROR, "%s %s: %s: %s", req->method, req->route ? req->route->pattern : "?", what,
            req->db ? db_error(req->db) : "no connection");
    if (err == -EAGAIN || err == -ETIMEDOUT)
        return api_fail(req, err, NULL, "the database is busy, try again");
    return api_fail(req, -EIO, NULL, "internal error");
}

struct api_json *api_reply_json(struct api_req *req, int status)
{
    api_json_release(&req->out);
    api_json_init(&req->out, (size_t)1 << 30);
    req->status = status;
    req->replied = 1;
    req->content_type = "application/json";
    return &req->out;
}

int api_reply_raw(struct api_req *req, int status, const char *content_type, const void *body,
                  size_t len)
{
    char *copy = malloc(len ? len : 1);

    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, body, len);
    free(req->raw_body);
    req->raw_body = copy;
    req->raw_len = len;
    req->status = status;
    req->replied = 2;
    req->content_type = content_type;
    return 0;
}

void api_reply_empty(struct api_req *req, int status)
{
    req->status = status;
    req->replied = 3;
    req->content_type = NULL;
}

void api_reply_header(struct api_req *req, const char *name, const char *value)
{
    if (req->n_headers >= API_MAX_HEADERS)
        return;
    req->headers[req->n_headers][0] = api_strdup(req, name);
    req->headers[req->n_headers][1] = api_strdup(req, value);
    if (req->headers[req->n_headers][0] && req->headers[req->n_headers][1])
        req->n_headers++;
}

int api_fail(struct api_req *req, int err, const char *field, const char *fmt, ...)
{
    va_list ap;
    char msg[512];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    req->err_field = field ? api_strdup(req, field) : NULL;
    req->err_message = api_strdup(req, msg);
    return err;
}

void api_retry_after(struct api_req *req, int seconds)
{
    req->retry_after = seconds;
}

const char *api_col(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* --- answering --- */

static void error_body(struct api_req *req, int err)
{
    struct api_json *j = api_reply_json(req, api_errno_status(err));

    api_json_obj(j);
    api_json_key(j, "error");
    api_json_obj(j);
    api_json_kstr(j, "code", api_errno_code(err));
    api_json_kstr(j, "message",
                  req->err_message               ? req->err_message
                  : api_errno_status(err) == 500 ? "internal error"
                                                 : api_errno_code(err));
    api_json_kstr(j, "field", req->err_field);
    api_json_end(j);
    api_json_end(j);
}

static enum MHD_Result queue(struct api_req *req)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;
    char num[24];

    if (req->replied == 1 && api_json_error(&req->out) < 0) {
        int werr = api_json_error(&req->out);
        log_msg(LOG_ERROR, "%s %s: answer not written (%d)", req->method,
                req->route ? req->route->pattern : "?", werr);
        req->err_message = NULL;
        req->err_field = NULL;
        error_body(req, werr == -E2BIG ? -EIO : werr);
    }
    if (req->replied == 1) {
        size_t len;
        char *data = api_buf_steal(&req->out.buf, &len);
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(data);
    } else if (req->replied == 2) {
        resp = MHD_create_response_from_buffer(req->raw_len, req->raw_body, MHD_RESPMEM_MUST_FREE);
        if (resp)
            req->raw_body = NULL;
    } else {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (req->content_type)
        MHD_add_response_header(resp, "Content-Type", req->content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if ((req->status == 429 || req->status == 503) && req->retry_after > 0) {
        snprintf(num, sizeof(num), "%d", req->retry_after);
        MHD_add_response_header(resp, "Retry-After", num);
    }
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(resp, req->headers[i][0], req->headers[i][1]);
    if (req->cors_origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", req->cors_origin);
        MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                                "Location, Retry-After, Content-Disposition");
        MHD_add_response_header(resp, "Vary", "Origin");
    }
    ok = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Answers the request with an error now (routing and cap refusals). */
static enum MHD_Result refuse(struct api_req *req, int err)
{
    error_body(req, err);
    return queue(req);
}

/* Finds the route; 404 when no pattern matches, 405 when only the method differs. HEAD takes
 * the GET route of its path: libmicrohttpd sends the headers of the answer and drops its body. */
static int route(struct api_req *req)
{
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    int path_matched = 0;

    for (size_t i = 0; i < api_n_routes; i++) {
        const char *names[API_MAX_PARAMS], *values[API_MAX_PARAMS];
        int n = 0;
        if (!api_route_match(api_routes[i].pattern, &req->uri, names, values, API_MAX_PARAMS, &n))
            continue;
        path_matched = 1;
        if (strcmp(api_routes[i].method, method) != 0)
            continue;
        req->route = &api_routes[i];
        req->route_index = i;
        memcpy(req->param_names, names, sizeof(names));
        memcpy(req->param_values, values, sizeof(values));
        req->n_params = n;
        return 0;
    }
    if (path_matched)
        return api_fail(req, -EOPNOTSUPP, NULL, "method %s not allowed here", req->method);
    return api_fail(req, -ENOENT, NULL, "no such route");
}

/* Path and query values reach the database as text, where bytes that are not UTF-8 would fail
 * the query: such a value is refused here for every route, naming it (404 for a path
 * parameter, as for any name that cannot exist; 400 for a query parameter). */
static int values_utf8(struct api_req *req)
{
    for (int i = 0; i < req->n_params; i++) {
        const char *v = req->param_values[i], *name = req->param_names[i];
        if (!utf8_valid(v, strlen(v))) {
            const char *end = strchr(name, '}');
            int n = end ? (int)(end - name) : (int)strlen(name);
            const char *field = api_printf(req, "%.*s", n, name);
            return api_fail(req, -ENOENT, field, "no such %s", field ? field : "resource");
        }
    }
    for (int i = 0; i < req->uri.n_query; i++) {
        const struct api_query_pair *q = &req->uri.query[i];
        if (!utf8_valid(q->value, strlen(q->value)))
            return api_fail(req, -EINVAL, q->name, "must be valid UTF-8");
    }
    return 0;
}

static size_t body_cap(const struct api_req *req)
{
    const struct api_limits *l = &req->srv->cfg.limits;

    if (req->route && (req->route->flags & API_UPLOAD))
        return l->max_upload;
    if (req->route && (req->route->flags & API_STDIN))
        return l->max_body + 6 * l->max_stdin; /* each byte escaped at most as \u00XX */
    return l->max_body;
}

/* --- pages and CORS (web.h) --- */

static int is_api_path(const struct api_req *req)
{
    return req->uri.n_segments > 0 && !strcmp(req->uri.segments[0], "api");
}

/* Answers a request outside /api that no route took: an embedded page, 304 when the client
 * has it already, the HTML 404, or 405 for a method other than GET and HEAD. */
static enum MHD_Result web_answer(struct api_req *req)
{
    const struct api_web_file *f = NULL;
    struct MHD_Response *resp;
    const char *inm;
    enum MHD_Result ok;
    int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");

    req->status = 200;
    if (get)
        f = api_web_route(req->uri.segments, req->uri.n_segments);
    if (!f) {
        req->status = get ? 404 : 405;
        f = api_web_not_found();
    }
    inm = api_header(req, "If-None-Match");
    if (req->status == 200 && inm && !strcmp(inm, f->etag)) {
        req->status = 304;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else if (req->status == 405) {
        static const char text[] = "method not allowed\n";
        resp =
            MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (req->status == 405) {
        MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
        MHD_add_response_header(resp, "Allow", "GET, HEAD");
    } else if (req->status != 304) {
        MHD_add_response_header(resp, "Content-Type", api_web_content_type(f->path));
    }
    if (req->status == 200 || req->status == 304) {
        /* Kept by the browser, asked again each time: a 304 costs a few headers, and a new
         * version of the server is seen at once. */
        MHD_add_response_header(resp, "ETag", f->etag);
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
    } else {
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    MHD_add_response_header(resp, "Content-Security-Policy", api_web_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    ok = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* A CORS preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin, on a
 * path of the API: 204 naming the methods of the path's routes. Other OPTIONS requests are
 * routed as any request (405 on a route's path, 404 elsewhere). Returns 0 when req is not
 * such a preflight. */
static int preflight(struct api_req *req, enum MHD_Result *ret)
{
    struct MHD_Response *resp;
    char methods[64] = "";
    size_t used = 0;

    if (!req->cors_origin || strcmp(req->method, "OPTIONS") != 0 ||
        !api_header(req, "Access-Control-Request-Method"))
        return 0;
    for (size_t i = 0; i < api_n_routes; i++) {
        const char *names[API_MAX_PARAMS], *values[API_MAX_PARAMS];
        int n = 0;
        if (!api_route_match(api_routes[i].pattern, &req->uri, names, values, API_MAX_PARAMS, &n))
            continue;
        if (strstr(methods, api_routes[i].method))
            continue;
        used += (size_t)snprintf(methods + used, sizeof(methods) - used, "%s%s", used ? ", " : "",
                                 api_routes[i].method);
        if (used >= sizeof(methods))
            return 0;
    }
    if (!used)
        return 0;
    resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        *ret = MHD_NO;
        return 1;
    }
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", req->cors_origin);
    MHD_add_response_header(resp, "Access-Control-Allow-Methods", methods);
    MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    MHD_add_response_header(resp, "Vary", "Origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    req->status = 204;
    *ret = MHD_queue_response(req->conn, 204, resp);
    MHD_destroy_response(resp);
    return 1;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct api_server *srv = cls;
    struct api_req *req = calloc(1, sizeof(*req));

    if (!req)
        return NULL;
    req->srv = srv;
    req->conn = conn;
    atomic_fetch_add(&srv->active, 1);
    clock_gettime(CLOCK_MONOTONIC, &req->started);
    api_arena_init(&req->arena, 0);
    api_json_init(&req->out, 0);
    req->route_index = api_n_routes;
    req->target = api_arena_strndup(&req->arena, uri ? uri : "", uri ? strlen(uri) : 0);
    return req;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct api_req *req = *con_cls;
    int r;

    if (!req) {
        req = on_uri(cls, url, conn);
        if (!req)
            return MHD_NO;
        *con_cls = req;
    }
    if (!req->method) {
        const char *field = NULL, *cl, *ct;
        req->method = method;
        req->conn = conn;
        if (!req->target) {
            api_fail(req, -ENOMEM, NULL, "out of memory");
            return refuse(req, -ENOMEM);
        }
        r = api_uri_parse(&req->arena, req->target, strlen(req->target), &req->uri, &field);
        if (r == -ENAMETOOLONG) {
            api_fail(req, r, NULL, "the request target is longer than %d bytes", API_MAX_URI);
            return refuse(req, r);
        }
        if (r < 0) {
            api_fail(req, -EINVAL, field, field ? "is given twice" : "malformed request target");
            return refuse(req, -EINVAL);
        }
        if (is_api_path(req) && api_cors_allowed(&req->srv->cfg.cors, api_header(req, "Origin"))) {
            enum MHD_Result pf;
            req->cors_origin = api_header(req, "Origin");
            if (preflight(req, &pf))
                return pf;
        }
        r = route(req);
        if (r == -ENOENT && !is_api_path(req))
            return web_answer(req);
        if (r == 0)
            r = values_utf8(req);
        if (r < 0)
            return refuse(req, r);
        api_buf_init(&req->body, body_cap(req));
        cl = api_header(req, "Content-Length");
        if (cl) {
            int64_t n;
            if (api_parse_int64(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > body_cap(req)) {
                api_fail(req, -E2BIG, NULL, "the body is larger than %zu bytes", body_cap(req));
                return refuse(req, -E2BIG);
            }
        }
        ct = api_header(req, "Content-Type");
        if (ct && !(req->route->flags & API_RAW) && !is_json_type(ct) &&
            (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
             strcmp(method, "PATCH") == 0)) {
            api_fail(req, -EMEDIUMTYPE, NULL, "the body must be application/json");
            return refuse(req, -EMEDIUMTYPE);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!req->body_too_big && api_buf_append(&req->body, upload_data, *upload_data_size) < 0) {
            req->body_too_big = 1;
            api_buf_release(&req->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->body_too_big) {
        api_fail(req, -E2BIG, NULL, "the body is larger than %zu bytes", body_cap(req));
        return refuse(req, -E2BIG);
    }
    r = req->route->handler(req);
    api_db_release(req);
    if (r == -EINPROGRESS)
        return MHD_YES; /* parked by api_wait: the handler runs again when resumed */
    if (r < 0) {
        if (r == -ENOMEM)
            log_msg(LOG_ERROR, "%s %s: out of memory", method, req->route->pattern);
        else if (api_errno_status(r) == 500)
            log_msg(LOG_ERROR, "%s %s: failed (%d)", method, req->route->pattern, r);
        return refuse(req, r);
    }
    if (!req->replied) {
        log_msg(LOG_ERROR, "%s %s: handler gave no answer", method, req->route->pattern);
        return refuse(req, -EIO);
    }
    return queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct api_server *srv = cls;
    struct api_req *req = *con_cls;
    struct timespec now;

    if (!req)
        return;
    if (req->waiting)
        api_hub_unregister(srv->hub, &req->waiter);
    if (req->status) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        api_metrics_record(srv->metrics, req->route_index, req->status,
                           (double)(now.tv_sec - req->started.tv_sec) +
                               (double)(now.tv_nsec - req->started.tv_nsec) / 1e9);
    }
    api_db_release(req);
    api_buf_release(&req->body);
    api_json_release(&req->out);
    free(req->raw_body);
    api_arena_release(&req->arena);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->active, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    log_msg(LOG_WARN, "http: %s", line);
}

/* What libmicrohttpd may use per connection for the request line and headers (pages are
 * touched as used). Past it, it answers 414/431 itself, with an HTML body; below it, a target
 * longer than API_MAX_URI gets our 414 with the JSON error body. */
#define CONNECTION_MEMORY (64 * 1024)

int api_server_start(struct api_server *srv, void **ret_daemon)
{
    struct addrinfo hints = {0}, *ai = NULL;
    char host[128], *colon;
    const char *port;
    struct MHD_Daemon *d;
    /* poll, not epoll: libmicrohttpd 0.9.75's edge-triggered epoll misses a client's FIN that
     * arrives with the last bytes of a truncated body, so such a connection idled until the
     * 30 s timeout instead of closing. Measured with tests/bench/api_bench.sh, poll serves the
     * same requests per second. */
    unsigned flags =
        MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    int r;

    snprintf(host, sizeof(host), "%s", srv->cfg.listen);
    colon = strrchr(host, ':');
    if (!colon) {
        log_msg(LOG_ERROR, "GAVEL_LISTEN must be host:port, not %s", srv->cfg.listen);
        return -EINVAL;
    }
    *colon = '\0';
    port = colon + 1;
    if (host[0] == '[' && colon > host + 1 && colon[-1] == ']') {
        colon[-1] = '\0';
        memmove(host, host + 1, strlen(host));
    }
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(host[0] && strcmp(host, "*") ? host : NULL, port, &hints, &ai);
    if (r != 0 || !ai) {
        log_msg(LOG_ERROR, "GAVEL_LISTEN %s: %s", srv->cfg.listen, gai_strerror(r));
        return -EINVAL;
    }
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)srv->cfg.threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        log_msg(LOG_ERROR, "cannot listen on %s", srv->cfg.listen);
        return -EADDRINUSE;
    }
    *ret_daemon = d;
    return 0;
}

void api_server_quiesce(void *daemon)
{
    MHD_socket fd;

    if (!daemon)
        return;
    fd = MHD_quiesce_daemon(daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void api_server_stop(struct api_server *srv, void *daemon, int ms)
{
    if (!daemon)
        return;
    for (int waited = 0; waited < ms && atomic_load(&srv->active) > 0; waited += 10) {
        struct timespec t = {0, 10 * 1000000L};
        nanosleep(&t, NULL);
    }
    MHD_stop_daemon(daemon);
}
