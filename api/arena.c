/*
 * arena.c: the per-request arena and the capped buffer of arena.h.
 */
#include "api/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192
#define ALIGN      16

struct api_arena_chunk {
    struct api_arena_chunk *next;
    size_t size;
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

void api_arena_init(struct api_arena *a, size_t cap)
{
    a->head = NULL;
    a->total = 0;
    a->cap = cap;
}

void api_arena_release(struct api_arena *a)
{
    struct api_arena_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *api_arena_alloc(struct api_arena *a, size_t size)
{
    struct api_arena_chunk *c = a->head;
    size_t need, chunk;
    void *p;

    if (size > SIZE_MAX / 2)
        return NULL;
    need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need == 0)
        need = ALIGN;
    if (!c || c->size - c->used < need) {
        chunk = need > CHUNK_SIZE / 2 ? need : CHUNK_SIZE;
        if (a->cap && a->total + chunk > a->cap)
            return NULL;
        c = malloc(sizeof(*c) + chunk);
        if (!c)
            return NULL;
        c->size = chunk;
        c->used = 0;
        a->total += chunk;
        if (need > CHUNK_SIZE / 2 && a->head) {
            /* A big block gets a chunk of its own, behind the current one that still has room. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    p = c->data + c->used;
    c->used += need;
    memset(p, 0, size);
    return p;
}

char *api_arena_strndup(struct api_arena *a, const char *s, size_t n)
{
    char *p = api_arena_alloc(a, n + 1);

    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *api_arena_printf(struct api_arena *a, const char *fmt, ...)
{
    va_list ap;
    char small[256], *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof(small))
        return api_arena_strndup(a, small, (size_t)n);
    p = api_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void api_buf_init(struct api_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    b->cap = cap;
}

void api_buf_release(struct api_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->size = 0;
}

int api_buf_append(struct api_buf *b, const void *data, size_t n)
{
    size_t want;
    char *p;

    if (n > b->cap || b->len > b->cap - n)
        return -E2BIG;
    if (b->len + n + 1 > b->size) {
        want = b->size ? b->size : 256;
        while (want < b->len + n + 1)
            want = want > SIZE_MAX / 2 ? b->len + n + 1 : want * 2;
        p = realloc(b->data, want);
        if (!p)
            return -ENOMEM;
        b->data = p;
        b->size = want;
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

char *api_buf_steal(struct api_buf *b, size_t *ret_len)
{
    char *p = b->data;

    if (ret_len)
        *ret_len = b->len;
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    return p;
}
