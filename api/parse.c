/*
 * parse.c: request targets, integers, UTF-8, JSON prescan and cursors (parse.h).
 *
 * None of this trusts its input: every loop is bounded by the length given, every output by a
 * fixed cap, and nothing here allocates outside the caller's arena.
 */
#include "api/parse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const struct api_limits api_default_limits = {
    .max_body = 1 << 20,
    .max_upload = 64 << 20,
    .max_source = 64 << 10,
    .max_stdin = 1 << 20,
    .max_string = 1 << 20,
    .max_tests = 1000,
    .max_depth = 32,
    .run_max_time_ms = 10000,
    .run_max_wall_ms = 30000,
    .run_max_memory_mb = 1024,
    .run_max_output_kb = 64 << 10,
    .run_max_inputs = 20,
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into the arena; plus_space turns '+' into ' ' (query strings). */
static int decode(struct api_arena *a, const char *s, size_t n, int plus_space, const char **ret)
{
    char *out = api_arena_alloc(a, n + 1);
    size_t o = 0;

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (n - i < 3)
                return -EINVAL;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -EINVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == '\0')
            return -EINVAL;
        out[o++] = c;
    }
    out[o] = '\0';
    *ret = out;
    return 0;
}

static int parse_query(struct api_arena *a, const char *q, size_t n, struct api_uri *u,
                       const char **ret_field)
{
    size_t i = 0;
    int r;

    while (i < n) {
        size_t start = i, eq = (size_t)-1;
        const char *name, *value;

        while (i < n && q[i] != '&') {
            if (q[i] == '=' && eq == (size_t)-1)
                eq = i;
            i++;
        }
        if (i > start) {
            size_t name_end = eq == (size_t)-1 ? i : eq;
            if (u->n_query >= API_MAX_QUERY)
                return -EINVAL;
            r = decode(a, q + start, name_end - start, 1, &name);
            if (r < 0)
                return r;
            if (eq == (size_t)-1)
                value = "";
            else if ((r = decode(a, q + eq + 1, i - eq - 1, 1, &value)) < 0)
                return r;
            for (int k = 0; k < u->n_query; k++) {
                if (!strcmp(u->query[k].name, name)) {
                    if (ret_field)
                        *ret_field = name;
                    return -EINVAL;
                }
            }
            u->query[u->n_query++] = (struct api_query_pair){name, value};
        }
        i++; /* the '&' */
    }
    return 0;
}

int api_uri_parse(struct api_arena *a, const char *target, size_t len, struct api_uri *ret,
                  const char **ret_field)
{
    size_t path_end = 0, i = 0;
    int r;

    if (ret_field)
        *ret_field = NULL;
    memset(ret, 0, sizeof(*ret));
    if (len > API_MAX_URI)
        return -ENAMETOOLONG;
    if (len == 0 || target[0] != '/')
        return -EINVAL;
    while (path_end < len && target[path_end] != '?' && target[path_end] != '#')
        path_end++;
    while (i < path_end) {
        size_t start;
        while (i < path_end && target[i] == '/')
            i++;
        start = i;
        while (i < path_end && target[i] != '/')
            i++;
        if (i > start) {
            if (ret->n_segments >= API_MAX_SEGMENTS)
                return -EINVAL;
            r = decode(a, target + start, i - start, 0, &ret->segments[ret->n_segments]);
            if (r < 0)
                return r;
            ret->n_segments++;
        }
    }
    if (path_end < len && target[path_end] == '?') {
        size_t qend = path_end + 1;
        while (qend < len && target[qend] != '#')
            qend++;
        r = parse_query(a, target + path_end + 1, qend - path_end - 1, ret, ret_field);
        if (r < 0)
            return r;
    }
    return 0;
}

int api_route_match(const char *pattern, const struct api_uri *u, const char **ret_names,
                    const char **ret_values, int max, int *ret_n)
{
    const char *p = pattern;
    int seg = 0, n = 0;

    while (*p) {
        const char *start, *end;
        while (*p == '/')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != '/')
            p++;
        end = p;
        if (seg >= u->n_segments)
            return 0;
        if (*start == '{' && end[-1] == '}' && end - start > 2) {
            if (n < max) {
                /* Names point into the pattern; they end at '}' so callers compare by length. */
                ret_names[n] = start + 1;
                ret_values[n] = u->segments[seg];
                n++;
            }
        } else if (strlen(u->segments[seg]) != (size_t)(end - start) ||
                   memcmp(u->segments[seg], start, (size_t)(end - start)) != 0) {
            return 0;
        }
        seg++;
    }
    if (seg != u->n_segments)
        return 0;
    if (ret_n)
        *ret_n = n;
    return 1;
}

int api_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
    int neg = 0;
    uint64_t v = 0, limit;

    if (!s || !*s)
        return -EINVAL;
    if (*s == '-') {
        neg = 1;
        s++;
        if (!*s)
            return -EINVAL;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        if (v > (limit - (uint64_t)(*s - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    {
        int64_t x = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
        if (x < min || x > max)
            return -EINVAL;
        *ret = x;
    }
    return 0;
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const char *api_cursor_encode(struct api_arena *a, const char *key)
{
    size_t n = strlen(key), o = 1;
    const unsigned char *k = (const unsigned char *)key;
    char *out;

    if (n == 0 || n > API_CURSOR_MAX)
        return NULL;
    out = api_arena_alloc(a, 2 + (n + 2) / 3 * 4);
    if (!out)
        return NULL;
    out[0] = 'c';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)k[i] << 16;
        size_t left = n - i;
        if (left > 1)
            v |= (uint32_t)k[i + 1] << 8;
        if (left > 2)
            v |= k[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (left > 1)
            out[o++] = b64url[(v >> 6) & 63];
        if (left > 2)
            out[o++] = b64url[v & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64val(char c)
{
    const char *p = c ? strchr(b64url, c) : NULL;
    return p ? (int)(p - b64url) : -1;
}

int api_cursor_decode(const char *c, size_t len, char *ret_key)
{
    size_t o = 0, body;
    uint32_t acc = 0;
    int bits = 0;

    if (len < 3 || c[0] != 'c')
        return -EINVAL;
    body = len - 1;
    if (body % 4 == 1 || body > (API_CURSOR_MAX + 2) / 3 * 4)
        return -EINVAL;
    for (size_t i = 1; i < len; i++) {
        int v = b64val(c[i]);
        if (v < 0)
            return -EINVAL;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= API_CURSOR_MAX)
                return -EINVAL;
            ret_key[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    /* The unused low bits must be zero, so that each key has exactly one cursor. */
    if (acc & ((1u << bits) - 1))
        return -EINVAL;
    ret_key[o] = '\0';
    for (size_t i = 0; i < o; i++) {
        if (ret_key[i] < 0x20 || ret_key[i] > 0x7e)
            return -EINVAL;
    }
    return o > 0 ? 0 : -EINVAL;
}

const char *api_cursor_from_id(struct api_arena *a, int64_t id)
{
    char key[32];

    snprintf(key, sizeof(key), "i%lld", (long long)id);
    return api_cursor_encode(a, key);
}

int api_cursor_to_id(const char *cursor, size_t len, int64_t *ret_id)
{
    char key[API_CURSOR_MAX + 1];
    int r = api_cursor_decode(cursor, len, key);

    if (r < 0)
        return r;
    if (key[0] != 'i')
        return -EINVAL;
    return api_parse_int64(key + 1, 1, INT64_MAX, ret_id);
}
