/*
 * parse.h: the pure request parsers of gavel-api, apart from any socket or database.
 *
 * Everything here takes untrusted bytes with their length and either fills its result or
 * returns a negative errno (-EINVAL for malformed input, -E2BIG past a cap, -ENOMEM) with a
 * message and, where it makes sense, the offending field. Results are allocated in the arena
 * given. These are the functions the fuzz target in tests/fuzz feeds raw bytes to.
 */
#ifndef GAVEL_API_PARSE_H
#define GAVEL_API_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "api/arena.h"

#define API_PARSE_WUR __attribute__((warn_unused_result))

/* The configurable caps on what a user may send (settings, see main.c for the variables). */
struct api_limits {
    size_t max_body;   /* request body, most routes (1 MiB) */
    size_t max_upload; /* request body of problem and package uploads (64 MiB) */
    size_t max_source; /* submitted and run source (64 KiB) */
    size_t max_stdin;  /* stdin of a run (1 MiB) */
    size_t max_string; /* any other free-text JSON string, e.g. a statement (1 MiB) */
    size_t max_tests;  /* tests of one problem (1000) */
    int max_depth;     /* JSON nesting (32) */
    /* What a run may ask for itself (GAVEL_RUN_MAX_*, shown by GET /config). */
    int64_t run_max_time_ms;   /* CPU time (10 s) */
    int64_t run_max_wall_ms;   /* wall clock (30 s) */
    int64_t run_max_memory_mb; /* memory (1 GiB) */
    int64_t run_max_output_kb; /* bytes written (64 MiB) */
    int64_t run_max_inputs;    /* inputs of a batch run (20) */
};

/* Defaults of the caps above. */
extern const struct api_limits api_default_limits;

#define API_MAX_SEGMENTS 16
#define API_MAX_QUERY    32
#define API_MAX_URI      8192

struct api_query_pair {
    const char *name; /* decoded */
    const char *value;
};

/* A request target split and percent-decoded: "/a/b%2Fc?x=1" is segments {"a", "b/c"}. */
struct api_uri {
    const char *segments[API_MAX_SEGMENTS];
    int n_segments;
    struct api_query_pair query[API_MAX_QUERY];
    int n_query;
};

/* Splits a request target (path and optional query, len bytes, not NUL-terminated) into its
 * decoded segments and query pairs. Empty segments ("//", a trailing "/") are dropped. A
 * decoded NUL, a malformed %-escape, or too many segments or pairs give -EINVAL; a target
 * longer than API_MAX_URI gives -ENAMETOOLONG. A repeated query name gives -EINVAL with
 * *ret_field set to it. */
int api_uri_parse(struct api_arena *a, const char *target, size_t len, struct api_uri *ret,
                  const char **ret_field) API_PARSE_WUR;

/* Matches a route pattern such as "/api/v1/problems/{slug}/tests" against a parsed target.
 * Returns 1 on a match, with the {names} in ret_names and their segments in ret_values (up to
 * max, the count in *ret_n), or 0. */
int api_route_match(const char *pattern, const struct api_uri *u, const char **ret_names,
                    const char **ret_values, int max, int *ret_n);

/* A decimal integer in [min, max], the whole string, no sign for positives, no spaces. */
int api_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret) API_PARSE_WUR;

/* Pagination cursors are opaque to clients: a key (at most API_CURSOR_MAX bytes of printable
 * ASCII) wrapped as URL-safe base64 behind a version letter. */
#define API_CURSOR_MAX 128

/* Encodes key as a cursor in the arena (NULL on allocation failure or a bad key). */
const char *api_cursor_encode(struct api_arena *a, const char *key);

/* Decodes a cursor back into its key (NUL-terminated, in ret_key of size at least
 * API_CURSOR_MAX + 1). -EINVAL for anything that is not a cursor this server made. */
int api_cursor_decode(const char *cursor, size_t len, char *ret_key) API_PARSE_WUR;

/* A cursor whose key is a positive row id (the common "id DESC" listing). */
const char *api_cursor_from_id(struct api_arena *a, int64_t id);
int api_cursor_to_id(const char *cursor, size_t len, int64_t *ret_id) API_PARSE_WUR;

#endif
