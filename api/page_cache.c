/*
 * page_cache.c: the slot table of page_cache.h.
 */
#include "api/page_cache.h"

#include <errno.h>
#include <stdlib.h>

int api_page_cache_new(struct api_page_cache **ret_cache)
{
    struct api_page_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    for (int i = 0; i < API_PAGE_SLOTS; i++) {
        pthread_mutex_init(&c->slots[i].lock, NULL);
        pthread_cond_init(&c->slots[i].done, NULL);
    }
    *ret_cache = c;
    return 0;
}

void api_page_cache_free(struct api_page_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < API_PAGE_SLOTS; i++) {
        free(c->slots[i].rows);
        free(c->slots[i].columns);
        free(c->slots[i].columns_short);
        pthread_cond_destroy(&c->slots[i].done);
        pthread_mutex_destroy(&c->slots[i].lock);
    }
    free(c);
}

int api_page_key_eq(const struct api_page_key *a, const struct api_page_key *b)
{
    return a->contest_id == b->contest_id && a->frozen == b->frozen && a->limit == b->limit &&
           a->offset == b->offset;
}

struct api_page_slot *api_page_slot(struct api_page_cache *c, const struct api_page_key *k)
{
    uint64_t h = (uint64_t)k->contest_id * 0x9e3779b97f4a7c15ULL;

    h ^= ((uint64_t)(unsigned)k->offset << 16) ^ ((uint64_t)(unsigned)k->limit << 1) ^
         (unsigned)k->frozen;
    h *= 0xff51afd7ed558ccdULL;
    return &c->slots[(h >> 32) % API_PAGE_SLOTS];
}
