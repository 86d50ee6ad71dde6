/*
 * arena.h: memory that lives exactly as long as one request, and a size-capped byte buffer.
 *
 * An arena hands out zeroed, 16-byte aligned blocks carved from chunks and frees them all at
 * once with api_arena_release; nothing is freed one by one. The server gives each request an
 * arena and releases it when libmicrohttpd reports the request completed, so a handler never
 * frees what it took from it.
 *
 * An api_buf is a growable byte string with a hard cap: appending past the cap fails with
 * -E2BIG and leaves the buffer as it was. The data is always followed by a NUL byte (not
 * counted in len), so text in it can be read as a C string.
 */
#ifndef GAVEL_API_ARENA_H
#define GAVEL_API_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct api_arena_chunk;

struct api_arena {
    struct api_arena_chunk *head; /* private */
    size_t total;                 /* bytes taken from malloc so far */
    size_t cap;                   /* 0: no cap; else api_arena_alloc fails beyond it */
};

/* Starts an empty arena; cap bounds the total it may take (0 = unbounded). */
void api_arena_init(struct api_arena *a, size_t cap);

/* Frees everything the arena handed out. The arena may be used again after. */
void api_arena_release(struct api_arena *a);

/* A zeroed block of size bytes, or NULL when memory or the cap runs out. */
void *api_arena_alloc(struct api_arena *a, size_t size);

/* A NUL-terminated copy of the first n bytes of s (which need not be terminated), or NULL. */
char *api_arena_strndup(struct api_arena *a, const char *s, size_t n);

/* A formatted string in the arena, or NULL. */
char *api_arena_printf(struct api_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct api_buf {
    char *data; /* NULL until the first append; owned by the buffer */
    size_t len;
    size_t size; /* allocated */
    size_t cap;  /* hard limit on len */
};

/* An empty buffer that will refuse to hold more than cap bytes. */
void api_buf_init(struct api_buf *b, size_t cap);

/* Frees the data. Accepts a buffer that never got any. */
void api_buf_release(struct api_buf *b);

/* Appends n bytes: 0, -E2BIG past the cap (nothing appended), -ENOMEM. */
int api_buf_append(struct api_buf *b, const void *data, size_t n)
    __attribute__((warn_unused_result));

/* Takes the data away from the buffer (the caller frees it); the buffer is empty after. */
char *api_buf_steal(struct api_buf *b, size_t *ret_len);

#endif
