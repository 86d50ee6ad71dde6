/*
 * page_cache.h: recent leaderboard pages, kept per server.
 *
 * A leaderboard page is the most frequent read in a live contest. The server keeps the JSON
 * rows of recent pages, each tagged with the standings version it shows; a reader serves a
 * kept page only while its version is current (api/h_leaderboard.c holds that logic). The
 * slots are a fixed table indexed by a hash of the page key: a colliding page replaces the
 * older one. Owned by struct api_server: api_page_cache_new at start, api_page_cache_free at
 * the end, which frees every kept page.
 */
#ifndef GAVEL_API_PAGE_CACHE_H
#define GAVEL_API_PAGE_CACHE_H

#include <pthread.h>
#include <stdint.h>

#define API_PAGE_SLOTS 64

/* Which page: a contest, a view (frozen or live), a window. */
struct api_page_key {
    int64_t contest_id;
    int frozen, limit, offset;
};

struct api_page_slot {
    pthread_mutex_t lock;
    pthread_cond_t done;     /* signalled when a computation of computing_key ends */
    struct api_page_key key; /* of rows */
    int64_t version;         /* the standings' version rows show */
    char *rows;              /* NUL-terminated JSON array, owned; NULL when empty */
    int64_t total;           /* rows in the whole leaderboard, as of version */
    char *columns;           /* the problems as a JSON array, owned (with rows) */
    char *columns_short;     /* the same with labels and points only, owned (with rows) */
    int computing;           /* a reader is computing the page of computing_key */
    struct api_page_key computing_key;
};

struct api_page_cache {
    struct api_page_slot slots[API_PAGE_SLOTS];
};

/* An empty cache. -ENOMEM. */
int api_page_cache_new(struct api_page_cache **ret_cache);

/* Frees the cache and every page it keeps. Accepts NULL. */
void api_page_cache_free(struct api_page_cache *cache);

/* The slot where page k is kept (or would be). */
struct api_page_slot *api_page_slot(struct api_page_cache *cache, const struct api_page_key *k);

/* Whether two keys name the same page. */
int api_page_key_eq(const struct api_page_key *a, const struct api_page_key *b);

#endif
