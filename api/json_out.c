/*
 * json_out.c: the JSON writer of json.h. Commas are tracked per nesting level; the first error
 * sticks and makes every later call a no-op.
 */
#include "api/json.h"
#include "common/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void api_json_init(struct api_json *j, size_t cap)
{
    memset(j, 0, sizeof(*j));
    api_buf_init(&j->buf, cap);
}

void api_json_release(struct api_json *j)
{
    api_buf_release(&j->buf);
}

int api_json_error(const struct api_json *j)
{
    if (!j->err && j->depth != 0)
        return -EINVAL;
    return j->err;
}

static void put(struct api_json *j, const char *s, size_t n)
{
    int r;

    if (j->err)
        return;
    r = api_buf_append(&j->buf, s, n);
    if (r < 0)
        j->err = r;
}

/* The comma before a value, unless it follows its key or opens a container. */
static void before_value(struct api_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth - 1])
            put(j, ",", 1);
        j->need_comma[j->depth - 1] = 1;
    }
}

static void open_(struct api_json *j, const char *c)
{
    before_value(j);
    if (j->depth >= API_JSON_MAX_DEPTH) {
        j->err = j->err ? j->err : -EINVAL;
        return;
    }
    put(j, c, 1);
    j->closer[j->depth] = *c == '{' ? '}' : ']';
    j->need_comma[j->depth++] = 0;
}

void api_json_obj(struct api_json *j)
{
    open_(j, "{");
}

void api_json_arr(struct api_json *j)
{
    open_(j, "[");
}

void api_json_end(struct api_json *j)
{
    if (j->depth <= 0) {
        j->err = j->err ? j->err : -EINVAL;
        return;
    }
    j->depth--;
    put(j, &j->closer[j->depth], 1);
}

static void put_escaped(struct api_json *j, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;

    put(j, "\"", 1);
    while (i < n && !j->err) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        put(j, (const char *)s + i - run, run);
        run = 0;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(j, e, 2);
            i++;
        } else if (c < 0x20) {
            char e[8];
            switch (c) {
            case '\n':
                put(j, "\\n", 2);
                break;
            case '\t':
                put(j, "\\t", 2);
                break;
            case '\r':
                put(j, "\\r", 2);
                break;
            default:
                snprintf(e, sizeof(e), "\\u%04x", c);
                put(j, e, 6);
            }
            i++;
        } else {
            /* A multi-byte sequence: copied when valid, else one U+FFFD per bad byte. */
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (i + len <= n && utf8_valid((const char *)s + i, len)) {
                put(j, (const char *)s + i, len);
                i += len;
            } else {
                put(j, "\xef\xbf\xbd", 3);
                i++;
            }
        }
    }
    put(j, (const char *)s + i - run, run);
    put(j, "\"", 1);
}

void api_json_key(struct api_json *j, const char *key)
{
    before_value(j);
    put_escaped(j, key, strlen(key));
    put(j, ":", 1);
    j->after_key = 1;
}

void api_json_strn(struct api_json *j, const char *s, size_t n)
{
    before_value(j);
    put_escaped(j, s, n);
}

void api_json_str(struct api_json *j, const char *s)
{
    if (!s) {
        api_json_null(j);
        return;
    }
    api_json_strn(j, s, strlen(s));
}

void api_json_int(struct api_json *j, int64_t v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%" PRId64, v);

    before_value(j);
    put(j, b, (size_t)n);
}

void api_json_num(struct api_json *j, double v)
{
    char b[40];
    int n;

    if (!isfinite(v)) {
        api_json_null(j);
        return;
    }
    n = snprintf(b, sizeof(b), "%.17g", v);
    before_value(j);
    put(j, b, (size_t)n);
}

void api_json_bool(struct api_json *j, int v)
{
    before_value(j);
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void api_json_null(struct api_json *j)
{
    before_value(j);
    put(j, "null", 4);
}

void api_json_raw(struct api_json *j, const char *json)
{
    if (!json || !*json) {
        api_json_null(j);
        return;
    }
    before_value(j);
    put(j, json, strlen(json));
}

void api_json_kstr(struct api_json *j, const char *key, const char *s)
{
    api_json_key(j, key);
    api_json_str(j, s);
}

void api_json_kint(struct api_json *j, const char *key, int64_t v)
{
    api_json_key(j, key);
    api_json_int(j, v);
}

void api_json_kbool(struct api_json *j, const char *key, int v)
{
    api_json_key(j, key);
    api_json_bool(j, v);
}

void api_json_knull(struct api_json *j, const char *key)
{
    api_json_key(j, key);
    api_json_null(j);
}

void api_json_kraw(struct api_json *j, const char *key, const char *json)
{
    api_json_key(j, key);
    api_json_raw(j, json);
}

int api_json_bytes(struct api_json *j, const char *bytes, size_t n, int b64, int *ret_lossy)
{
    *ret_lossy = 0;
    if (b64) {
        size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
        char *text = malloc(size);
        if (!text)
            return -ENOMEM;
        sodium_bin2base64(text, size, (const unsigned char *)bytes, n,
                          sodium_base64_VARIANT_ORIGINAL);
        api_json_str(j, text);
        free(text);
        return 0;
    }
    /* NUL bytes are text to JSON (\u0000): only what is not UTF-8 between them is lost. */
    for (size_t i = 0; i < n && !*ret_lossy;) {
        const char *nul = memchr(bytes + i, '\0', n - i);
        size_t end = nul ? (size_t)(nul - bytes) : n;
        *ret_lossy = !utf8_valid(bytes + i, end - i);
        i = end + 1;
    }
    api_json_strn(j, bytes, n);
    return 0;
}
