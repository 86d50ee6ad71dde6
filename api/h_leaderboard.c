/*
 * h_leaderboard.c: the contest leaderboard and the global one, the most frequent reads of a
 * live contest. Public contests need no token.
 *
 * A contest page is one prepared statement whose result already is the JSON of its rows
 * (db/contests.h). Pages are also kept here, in a small table of recent pages keyed by
 * (contest, view, limit, offset) and tagged with the standings' version they show: a read
 * first asks the database for the contest's current version (one primary-key lookup, which
 * also checks that the viewer may see it) and sends the kept page when the versions match. The
 * standings' triggers bump the version in the transaction that changes them, so a kept page is
 * never stale; a freeze starting or being lifted changes the view, which is part of the key.
 *
 * This table is the one piece of process-wide state outside the settings: a cache, owned by
 * this file, each slot behind its own lock. It holds at most PAGE_SLOTS pages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "db/contests.h"

#define PAGE_MAX   200
#define PAGE_DEF   50
#define OFFSET_MAX 10000000
#define PAGE_SLOTS 64

struct page_slot {
    pthread_mutex_t lock;
    int64_t contest_id;
    int frozen, limit, offset;
    int64_t version;
    char *rows; /* NUL-terminated JSON array; NULL when the slot is empty */
};

static struct page_slot page_slots[PAGE_SLOTS] = {
    [0 ... PAGE_SLOTS - 1] = {.lock = PTHREAD_MUTEX_INITIALIZER},
};

static struct page_slot *slot_for(int64_t contest_id, int frozen, int limit, int offset)
{
    uint64_t h = (uint64_t)contest_id * 0x9e3779b97f4a7c15ULL;

    h ^= ((uint64_t)(unsigned)offset << 16) ^ ((uint64_t)(unsigned)limit << 1) ^ (unsigned)frozen;
    h *= 0xff51afd7ed558ccdULL;
    return &page_slots[(h >> 32) % PAGE_SLOTS];
}

/* Writes the kept page into j when it is the one asked for at this version: 1, else 0. */
static int page_from_cache(struct api_json *j, const struct db_contest_view *v, int limit,
                           int offset)
{
    struct page_slot *s = slot_for(v->id, v->frozen, limit, offset);
    int hit;

    pthread_mutex_lock(&s->lock);
    hit = s->rows && s->contest_id == v->id && s->frozen == v->frozen && s->limit == limit &&
          s->offset == offset && s->version == v->version;
    if (hit)
        api_json_kraw(j, "rows", s->rows);
    pthread_mutex_unlock(&s->lock);
    return hit;
}

/* Keeps a page (copied) for later reads; a failed copy only loses the keeping. */
static void page_keep(const struct db_contest_view *v, int limit, int offset, int64_t version,
                      const char *rows)
{
    struct page_slot *s = slot_for(v->id, v->frozen, limit, offset);
    char *copy = strdup(rows);

    if (!copy)
        return;
    pthread_mutex_lock(&s->lock);
    free(s->rows);
    s->rows = copy;
    s->contest_id = v->id;
    s->frozen = v->frozen;
    s->limit = limit;
    s->offset = offset;
    s->version = version;
    pthread_mutex_unlock(&s->lock);
}

/* ?limit= and ?offset=, checked and naming the offending one. */
static int page_params(struct api_req *req, int *ret_limit, int *ret_offset)
{
    int64_t limit, offset;
    int r = api_query_int(req, "limit", 1, PAGE_MAX, PAGE_DEF, &limit);

    if (r < 0)
        return r;
    r = api_query_int(req, "offset", 0, OFFSET_MAX, 0, &offset);
    if (r < 0)
        return r;
    *ret_limit = (int)limit;
    *ret_offset = (int)offset;
    return 0;
}

int api_h_contest_leaderboard(struct api_req *req)
{
    const struct api_user *u;
    struct db_contest_view v;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int64_t version = 0;
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
    if (r == -EPERM)
        return api_fail(req, r, NULL, "sign in to see this contest");
    if (r < 0)
        return api_db_fail(req, r, "read a leaderboard");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kbool(j, "frozen", v.frozen);
    if (!page_from_cache(j, &v, limit, offset)) {
        r = db_contest_page(c, v.id, v.frozen, limit, offset, &version, &res);
        if (r < 0)
            return api_db_fail(req, r, "read a leaderboard");
        api_json_kraw(j, "rows", api_col(res, 0, 0));
        page_keep(&v, limit, offset, version, api_col(res, 0, 0));
        PQclear(res);
    }
    api_json_end(j);
    return 0;
}

int api_h_leaderboard(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int limit, offset;
    int r = page_params(req, &limit, &offset);

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
    api_json_kraw(j, "rows", api_col(res, 0, 0));
    api_json_end(j);
    PQclear(res);
    return 0;
}
