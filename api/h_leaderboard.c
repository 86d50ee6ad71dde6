/*
 * h_leaderboard.c: the contest leaderboard and the global one, the most frequent reads of a
 * live contest. Public contests need no token.
 *
 * A contest page is one prepared statement whose result already is the JSON of its rows
 * (db/contests.h). Pages are also kept, in the server's table of recent pages keyed by
 * (contest, view, limit, offset) and tagged with the standings' version they show: a read
 * first asks the database for the contest's current version (one primary-key lookup, which
 * also checks that the viewer may see it) and sends the kept page when it is that version or a
 * later one. The standings' triggers bump the version in the transaction that changes them, so
 * a kept page is never older than what the database says; a freeze starting or being lifted
 * changes the view, which is part of the key. When a page must be computed again, readers who
 * ask for it meanwhile wait for that one computation instead of each running their own.
 * The table (api/page_cache.h) belongs to the server; each slot has its own lock.
 *
 * Both leaderboards page as every other list does (?limit= and ?cursor=, "next_cursor" null on
 * the last page), and say how many rows they have in all ("total"), which a scoreboard needs
 * to size itself. A leaderboard's cursor is a place in the ranking, not a row: ranks move while
 * a contest runs, and a reader wants the 51st to 100th of the ranking as it is now. ?offset=,
 * the first way they paged, still works (one or the other).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/page_cache.h"
#include "api/server.h"
#include "db/contests.h"

#define PAGE_MAX   200
#define PAGE_DEF   50
#define OFFSET_MAX 10000000

/* The kept copy of page k as of `version` or later, written into j as "total", "columns" and
 * "rows"; else computed once for everyone asking at the same time (the first computes, the
 * others wait for it, so a new version costs one page query, not one per waiting reader).
 * short_columns: the columns without the problems' names (a contest not started yet). */
static int page_rows(struct api_req *req, struct db_conn *c, const struct api_page_key *k,
                     int64_t version, int short_columns, int64_t *ret_total, struct api_json *j)
{
    struct api_page_slot *s = api_page_slot(req->srv->pages, k);
    PGresult *res = NULL;
    int64_t got = 0;
    int lead = 0;
    int r;

    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->rows && api_page_key_eq(&s->key, k) && s->version >= version) {
            *ret_total = s->total;
            api_json_kint(j, "total", s->total);
            api_json_kraw(j, "columns", short_columns ? s->columns_short : s->columns);
            api_json_kraw(j, "rows", s->rows);
            pthread_mutex_unlock(&s->lock);
            return 0;
        }
        if (!s->computing || !api_page_key_eq(&s->computing_key, k))
            break;
        pthread_cond_wait(&s->done, &s->lock);
    }
    if (!s->computing) {
        lead = 1;
        s->computing = 1;
        s->computing_key = *k;
    }
    pthread_mutex_unlock(&s->lock);

    r = db_contest_page(c, k->contest_id, k->frozen, k->limit, k->offset, &got, &res);
    if (r >= 0) {
        *ret_total = db_int64(res, 0, 2);
        api_json_kint(j, "total", *ret_total);
        api_json_kraw(j, "columns", api_col(res, 0, short_columns ? 4 : 3));
        api_json_kraw(j, "rows", api_col(res, 0, 0));
    }

    pthread_mutex_lock(&s->lock);
    if (r >= 0 && (!s->rows || !api_page_key_eq(&s->key, k) || got >= s->version)) {
        char *copy = strdup(api_col(res, 0, 0));
        char *cols = strdup(api_col(res, 0, 3));
        char *cols_short = strdup(api_col(res, 0, 4));

        if (copy && cols && cols_short) {
            free(s->rows);
            free(s->columns);
            free(s->columns_short);
            s->rows = copy;
            s->columns = cols;
            s->columns_short = cols_short;
            s->total = *ret_total;
            s->key = *k;
            s->version = got;
        } else {
            free(copy);
            free(cols);
            free(cols_short);
        }
    }
    if (lead) {
        s->computing = 0;
        pthread_cond_broadcast(&s->done);
    }
    pthread_mutex_unlock(&s->lock);
    PQclear(res);
    if (r < 0)
        return api_db_fail(req, r, "read a leaderboard");
    return 0;
}

/* ?limit= and either ?cursor= or ?offset= (and nothing else), checked and naming the offending
 * one. A leaderboard's cursor holds the place in the ranking where the next page starts. */
static int page_params(struct api_req *req, int *ret_limit, int *ret_offset)
{
    const char *cursor = api_query(req, "cursor");
    char key[API_CURSOR_MAX + 1];
    int64_t limit, offset;
    int r = api_query_only(req, (const char *const[]){"limit", "offset", "cursor", NULL});

    if (r < 0)
        return r;
    r = api_query_int(req, "limit", 1, PAGE_MAX, PAGE_DEF, &limit);
    if (r < 0)
        return r;
    r = api_query_int(req, "offset", 0, OFFSET_MAX, 0, &offset);
    if (r < 0)
        return r;
    if (cursor && *cursor) {
        if (api_query(req, "offset"))
            return api_fail(req, -EINVAL, "offset", "give a cursor or an offset, not both");
        if (api_cursor_decode(cursor, strlen(cursor), key) < 0 || key[0] != 'o' ||
            api_parse_int64(key + 1, 0, OFFSET_MAX, &offset) < 0)
            return api_fail(req, -EINVAL, "cursor", "is not a cursor this server gave");
    }
    *ret_limit = (int)limit;
    *ret_offset = (int)offset;
    return 0;
}

/* "next_cursor": where the page after [offset, offset + limit) starts, null after the last. */
static void next_cursor(struct api_req *req, struct api_json *j, int limit, int offset,
                        int64_t total)
{
    const char *next = NULL;
    char key[24];

    if ((int64_t)offset + limit < total && offset + limit <= OFFSET_MAX) {
        snprintf(key, sizeof(key), "o%d", offset + limit);
        next = api_cursor_encode(api_arena(req), key);
    }
    api_json_kstr(j, "next_cursor", next);
}

int api_h_contest_leaderboard(struct api_req *req)
{
    const struct api_user *u;
    struct db_contest_view v;
    struct api_page_key k;
    struct db_conn *c;
    struct api_json *j;
    int64_t total = 0;
    int limit, offset;
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    r = page_params(req, &limit, &offset);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    u = api_user(req);
    r = db_contest_view(c, api_param(req, "slug"), u->id, u->role_name, &v);
    if (r == -ENOENT)
        return api_fail(req, r, NULL, "no such contest");
    if (r < 0)
        return api_db_fail(req, r, "read a leaderboard");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kbool(j, "frozen", v.frozen);
    api_json_kstr(j, "phase", v.phase);
    api_json_kstr(j, "server_time", api_now_text(req));
    k = (struct api_page_key){v.id, v.frozen, limit, offset};
    /* Before the start, students see which columns there are, not which problems. */
    r = page_rows(req, c, &k, v.version, !v.started && u->role < API_ROLE_INSTRUCTOR, &total, j);
    if (r < 0)
        return r;
    next_cursor(req, j, limit, offset, total);
    api_json_end(j);
    return 0;
}

int api_h_leaderboard(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int limit, offset;
    /* Public, but a token that is sent must be valid, as on every route. */
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    r = page_params(req, &limit, &offset);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = db_global_leaderboard(c, limit, offset, &res);
    if (r < 0)
        return api_db_fail(req, r, "read the leaderboard");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kstr(j, "server_time", api_now_text(req));
    api_json_kint(j, "total", db_int64(res, 0, 1));
    api_json_kraw(j, "rows", api_col(res, 0, 0));
    next_cursor(req, j, limit, offset, db_int64(res, 0, 1));
    api_json_end(j);
    PQclear(res);
    return 0;
}
