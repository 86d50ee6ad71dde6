/*
 * h_service.c: the service routes: /healthz, /metrics, the list of languages and the caps
 * clients may ask up to (GET /config).
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/server.h"

int api_h_healthz(struct api_req *req)
{
    struct db_conn *c;
    struct api_json *j;
    int r = api_db(req, &c);

    if (r == 0)
        r = db_query(c, NULL, "SELECT 1", 0, NULL);
    if (r < 0) {
        j = api_reply_json(req, 503);
        api_json_obj(j);
        api_json_kstr(j, "status", "unavailable");
        api_json_kstr(j, "database", "unreachable");
        api_json_kstr(j, "reason",
                      r == -ENOTCONN ? "cannot connect to the database"
                                     : "the database refused a query");
        api_json_end(j);
        return 0;
    }
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kstr(j, "status", "ok");
    api_json_kstr(j, "database", "ok");
    api_json_kstr(j, "notifications", api_hub_listening(req->srv->hub) ? "ok" : "reconnecting");
    api_json_end(j);
    return 0;
}

static int gauge(struct api_buf *out, const char *name, const char *labels, const char *value)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%s%s %s\n", name, labels, value);

    if (n < 0 || (size_t)n >= sizeof(line))
        return -EINVAL;
    return api_buf_append(out, line, (size_t)n);
}

static int text(struct api_buf *out, const char *s)
{
    return api_buf_append(out, s, strlen(s));
}

/* Queue depth and verdict counts, read from the database (at most every API_METRICS_DB_MS). */
static int database_metrics(struct api_req *req, struct api_buf *out, int *ret_up)
{
    struct db_conn *c;
    PGresult *res = NULL;
    int r = api_db(req, &c);

    *ret_up = 0;
    if (text(out, "# HELP gavel_database_up 1 when the database answered this scrape.\n"
                  "# TYPE gavel_database_up gauge\n") < 0)
        return -ENOMEM;
    if (r < 0)
        return gauge(out, "gavel_database_up", "", "0");
    r = db_query(c, &res,
                 "SELECT 'submission', status, count(*) FROM submissions WHERE status <> 'done'"
                 " GROUP BY status UNION ALL"
                 " SELECT 'run', status, count(*) FROM runs WHERE status <> 'done' GROUP BY status",
                 0, NULL);
    if (r < 0)
        return gauge(out, "gavel_database_up", "", "0");
    *ret_up = 1;
    r = gauge(out, "gavel_database_up", "", "1");
    r |= text(out, "# HELP gavel_queue_depth Work waiting or being judged.\n"
                   "# TYPE gavel_queue_depth gauge\n");
    {
        static const char *const kinds[] = {"submission", "run"};
        static const char *const states[] = {"queued", "judging"};
        for (int k = 0; k < 2; k++) {
            for (int s = 0; s < 2; s++) {
                const char *v = "0";
                char labels[96];
                for (int i = 0; i < PQntuples(res); i++) {
                    if (!strcmp(PQgetvalue(res, i, 0), kinds[k]) &&
                        !strcmp(PQgetvalue(res, i, 1), states[s]))
                        v = PQgetvalue(res, i, 2);
                }
                snprintf(labels, sizeof(labels), "{kind=\"%s\",status=\"%s\"}", kinds[k],
                         states[s]);
                r |= gauge(out, "gavel_queue_depth", labels, v);
            }
        }
    }
    PQclear(res);
    res = NULL;
    if (db_query(c, &res,
                 "SELECT verdict, count(*) FROM submissions WHERE verdict IS NOT NULL"
                 " GROUP BY verdict ORDER BY verdict",
                 0, NULL) == 0) {
        r |= text(out, "# HELP gavel_verdicts Submissions by their current verdict.\n"
                       "# TYPE gavel_verdicts gauge\n");
        for (int i = 0; i < PQntuples(res); i++) {
            char labels[64];
            snprintf(labels, sizeof(labels), "{verdict=\"%s\"}", PQgetvalue(res, i, 0));
            r |= gauge(out, "gavel_verdicts", labels, PQgetvalue(res, i, 1));
        }
        PQclear(res);
    }
    return r ? -ENOMEM : 0;
}

int api_h_metrics(struct api_req *req)
{
    struct api_buf out;
    int r;

    api_buf_init(&out, 16 << 20);
    r = api_metrics_write(req->srv->metrics, &out);
    if (r == 0)
        r = api_metrics_db_recent(req->srv->metrics, &out);
    if (r == 0) {
        size_t from = out.len;
        int up;
        r = database_metrics(req, &out, &up);
        if (r == 0 && up) /* a database that did not answer is asked again next time */
            api_metrics_db_keep(req->srv->metrics, out.data + from, out.len - from);
    }
    if (r == 1)
        r = 0;
    if (r == 0)
        r = api_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8",
                          out.data ? out.data : "", out.len);
    api_buf_release(&out);
    return r;
}

int api_h_languages(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int r = api_db(req, &c);

    if (r < 0)
        return r;
    r = db_query(c, &res,
                 "SELECT id, name, version, time_limit_ms, memory_limit_mb, source_file"
                 " FROM languages WHERE enabled AND installed ORDER BY id",
                 0, NULL);
    if (r < 0)
        return api_db_fail(req, r, "languages");
    j = api_reply_json(req, 200);
    api_json_arr(j);
    for (int i = 0; i < PQntuples(res); i++) {
        api_json_obj(j);
        api_json_kstr(j, "id", PQgetvalue(res, i, 0));
        api_json_kstr(j, "name", PQgetvalue(res, i, 1));
        api_json_kstr(j, "version", PQgetvalue(res, i, 2));
        api_json_kint(j, "time_limit_ms", db_int64(res, i, 3));
        api_json_kint(j, "memory_limit_mb", db_int64(res, i, 4));
        api_json_kstr(j, "source_file", PQgetvalue(res, i, 5));
        api_json_end(j);
    }
    api_json_end(j);
    PQclear(res);
    return 0;
}

int api_h_config(struct api_req *req)
{
    const struct api_limits *lim = api_limits(req);
    struct api_json *j;
    int r = api_query_only(req, (const char *const[]){NULL});

    if (r < 0)
        return r;
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kint(j, "max_source_bytes", (int64_t)lim->max_source);
    api_json_kint(j, "max_stdin_bytes", (int64_t)lim->max_stdin);
    api_json_kint(j, "max_body_bytes", (int64_t)lim->max_body);
    api_json_key(j, "runs");
    api_json_obj(j);
    api_json_kint(j, "max_time_limit_ms", lim->run_max_time_ms);
    api_json_kint(j, "max_wall_limit_ms", lim->run_max_wall_ms);
    api_json_kint(j, "max_memory_limit_mb", lim->run_max_memory_mb);
    api_json_kint(j, "max_output_limit_kb", lim->run_max_output_kb);
    api_json_kint(j, "max_inputs", lim->run_max_inputs);
    api_json_end(j);
    api_json_end(j);
    return 0;
}
