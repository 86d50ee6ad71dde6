/*
 * json.h: JSON in and out for gavel-api, pure functions over an arena.
 *
 * In: a request body is described by a table of fields (name, type, caps, where the value goes
 * in a plain C struct). api_json_decode parses the body with cJSON_ParseWithLength, checks every
 * field against the table, copies the values into the arena and deletes the tree before it
 * returns: no cJSON tree ever leaves it. Unknown fields, duplicates, wrong types, values out of
 * range and strings that are not UTF-8 are refused with the path of the field ("tests[2].points").
 *
 *     struct login { const char *username, *password; };
 *     static const struct api_field login_fields[] = {
 *         API_FIELD_STR(struct login, username, API_REQUIRED, 1, 32),
 *         API_FIELD_STR(struct login, password, API_REQUIRED, 1, 128),
 *         API_FIELD_END,
 *     };
 *
 * Out: an api_json writer appends to a capped buffer, puts the commas itself, escapes strings
 * (bytes that are not UTF-8 become U+FFFD, so program output can be sent as is) and remembers
 * the first error, which the caller checks once at the end (api_json_error).
 */
#ifndef GAVEL_API_JSON_H
#define GAVEL_API_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "api/arena.h"
#include "api/parse.h"

enum api_ftype {
    API_F_STR,  /* const char *: a JSON string, UTF-8, length in bytes within [min, max] */
    API_F_INT,  /* int64_t: an integral JSON number within [min, max] */
    API_F_BOOL, /* int: 0 or 1 */
    API_F_NUM,  /* double: a finite number within [min, max] */
    API_F_JSON, /* const char *: any JSON object, kept as its compact text */
    API_F_OBJ,  /* a nested object decoded with `sub` into the struct at offset */
    API_F_ARR,  /* an array of [min, max] objects decoded with `sub`, each of item_size bytes:
                   the items (void *) go at offset, their count (size_t) at count_offset */
    API_F_STRS, /* an array of at most item_size strings, each of [min, max] bytes, UTF-8: the
                   strings (const char **) go at offset, their count (size_t) at count_offset */
};

#define API_REQUIRED 0x1  /* absent (or null) is an error; otherwise the field is left as is */
#define API_TOOBIG   0x2  /* a string longer than max is -E2BIG (413), not -EINVAL (400) */
#define API_CHARS    0x4  /* a string's min and max count characters (code points), not bytes */
#define API_PLAIN    0x8  /* a string shown to people: no control or bidi-override characters */
#define API_PRESENT  0x10 /* must appear, but null is allowed (and leaves the field as is) */

struct api_field {
    const char *name; /* NULL ends a table */
    enum api_ftype type;
    unsigned flags;
    size_t offset;
    double min, max;
    const struct api_field *sub;
    size_t item_size;
    size_t count_offset;
    const void *item_defaults; /* API_F_ARR: copied into each item before it is decoded */
};

/* clang-format off */
#define API_FIELD_(T, m, ty, fl, lo, hi)                                                           \
    .name = #m, .type = (ty), .flags = (fl), .offset = offsetof(T, m), .min = (lo), .max = (hi)
#define API_FIELD_STR(T, m, fl, lo, hi)  {API_FIELD_(T, m, API_F_STR, fl, lo, hi)}
#define API_FIELD_INT(T, m, fl, lo, hi)  {API_FIELD_(T, m, API_F_INT, fl, lo, hi)}
#define API_FIELD_BOOL(T, m, fl)         {API_FIELD_(T, m, API_F_BOOL, fl, 0, 1)}
#define API_FIELD_NUM(T, m, fl, lo, hi)  {API_FIELD_(T, m, API_F_NUM, fl, lo, hi)}
#define API_FIELD_JSON(T, m, fl)         {API_FIELD_(T, m, API_F_JSON, fl, 0, 0)}
#define API_FIELD_OBJ(T, m, fl, subfields)                                                         \
    {API_FIELD_(T, m, API_F_OBJ, fl, 0, 0), .sub = (subfields)}
#define API_FIELD_ARR(T, m, fl, lo, hi, subfields, ItemT, countm)                                  \
    {API_FIELD_(T, m, API_F_ARR, fl, lo, hi), .sub = (subfields), .item_size = sizeof(ItemT),     \
     .count_offset = offsetof(T, countm)}
/* The same, each item starting as a copy of *defaults (an ItemT). */
#define API_FIELD_ARR_DEF(T, m, fl, lo, hi, subfields, ItemT, countm, defaults)                    \
    {API_FIELD_(T, m, API_F_ARR, fl, lo, hi), .sub = (subfields), .item_size = sizeof(ItemT),     \
     .count_offset = offsetof(T, countm), .item_defaults = (defaults)}
/* An array of up to maxn strings of lo..hi bytes each. */
#define API_FIELD_STRS(T, m, fl, lo, hi, maxn, countm)                                             \
    {API_FIELD_(T, m, API_F_STRS, fl, lo, hi), .item_size = (maxn),                               \
     .count_offset = offsetof(T, countm)}
#define API_FIELD_END {.name = NULL}

/* clang-format on */

/* What went wrong in a decode: the field's path ("" for the body as a whole) and why. */
struct api_json_error {
    char field[128];
    const char *message; /* static text, or the arena's */
};

/* Decodes the JSON object in text[0..len) into out (a struct the fields describe, filled with
 * defaults by the caller). Strings are copied into the arena. Returns 0, or -EINVAL / -E2BIG
 * with *err filled, or -ENOMEM. The body must be one object; depth and NUL escapes are checked
 * against lim before parsing. */
int api_json_decode(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                    const struct api_field *fields, void *out, struct api_json_error *err)
    __attribute__((warn_unused_result));

/* The same for a PATCH body: every field is optional (API_REQUIRED and API_PRESENT are not
 * enforced, at any depth), everything else is checked as by api_json_decode. A null member is
 * reported in *ret_nulls (bit i for the i-th field of the table, up to 64) and left as is. */
int api_json_decode_patch(struct api_arena *a, const char *text, size_t len,
                          const struct api_limits *lim, const struct api_field *fields, void *out,
                          uint64_t *ret_nulls, struct api_json_error *err)
    __attribute__((warn_unused_result));

struct cJSON;

/* The text of a parsed value, unformatted, copied into the arena: *ret_text, and its length in
 * *ret_len when ret_len is not NULL. -ENOMEM. */
int api_json_print(struct api_arena *a, const struct cJSON *v, char **ret_text, size_t *ret_len)
    __attribute__((warn_unused_result));

/* JSON merge patch (RFC 7396) of patch onto target, both JSON object texts: members of patch
 * replace those of target, objects are merged member by member, and a null inside a nested
 * object removes that member. A null at the top level is kept as a null member (the body
 * decoder then treats it as the field's "none", or refuses it naming the field when the field
 * is required). The result is new text in the arena. -EINVAL (err filled) when either is not
 * a JSON object, -ENOMEM. */
int api_json_merge(struct api_arena *a, const char *target, const char *patch, size_t patch_len,
                   const struct api_limits *lim, char **ret_text, struct api_json_error *err)
    __attribute__((warn_unused_result));

/* Members of the moment (a contest's phase and the server's time, a reader's own marks): each
 * member of the body object named in names is taken out whatever its value. *ret_text /
 * *ret_len as api_json_strip_equal's. -ENOMEM. */
int api_json_strip_any(struct api_arena *a, const char *text, size_t len, const char *const *names,
                       const struct api_limits *lim, const char **ret_text, size_t *ret_len)
    __attribute__((warn_unused_result));

/* Read-only members sent back as GET gave them: each member of the body object named in names
 * (a NULL-terminated list) is compared with the same member of current (a JSON object text);
 * an equal one is taken out, any other is refused (-EINVAL naming it). *ret_text / *ret_len are
 * the body without them (the body itself when it had none, or is not JSON at all: the decoder
 * then says what is wrong with it). */
int api_json_strip_equal(struct api_arena *a, const char *text, size_t len, const char *current,
                         const char *const *names, const struct api_limits *lim,
                         const char **ret_text, size_t *ret_len, struct api_json_error *err)
    __attribute__((warn_unused_result));

/* --- the writer --- */

#define API_JSON_MAX_DEPTH 32

struct api_json {
    struct api_buf buf;
    int depth;
    unsigned char need_comma[API_JSON_MAX_DEPTH];
    char closer[API_JSON_MAX_DEPTH]; /* '}' or ']' for each open level */
    int after_key;
    int err; /* the first error (negative errno), or 0 */
};

/* Starts writing into an empty buffer capped at cap bytes. */
void api_json_init(struct api_json *j, size_t cap);
void api_json_release(struct api_json *j);

void api_json_obj(struct api_json *j); /* { */
void api_json_arr(struct api_json *j); /* [ */
void api_json_end(struct api_json *j); /* } or ] */
void api_json_key(struct api_json *j, const char *key);
void api_json_str(struct api_json *j, const char *s); /* NULL writes null */
void api_json_strn(struct api_json *j, const char *s, size_t n);
/* n bytes of a program's as a JSON string: base64 of them (b64), or as text, where bytes that
 * are not UTF-8 become U+FFFD and *ret_lossy is set (a NUL is kept, as \u0000). -ENOMEM only. */
int api_json_bytes(struct api_json *j, const char *bytes, size_t n, int b64, int *ret_lossy);
void api_json_int(struct api_json *j, int64_t v);
void api_json_num(struct api_json *j, double v);
void api_json_bool(struct api_json *j, int v);
void api_json_null(struct api_json *j);
/* Trusted JSON text (e.g. a jsonb column), written as is; NULL or "" writes null. */
void api_json_raw(struct api_json *j, const char *json);

/* key + value in one call. */
void api_json_kstr(struct api_json *j, const char *key, const char *s);
void api_json_kint(struct api_json *j, const char *key, int64_t v);
void api_json_kbool(struct api_json *j, const char *key, int v);
void api_json_knull(struct api_json *j, const char *key);
void api_json_kraw(struct api_json *j, const char *key, const char *json);

/* The first error met while writing (-E2BIG past the cap, -ENOMEM, -EINVAL for misuse). */
int api_json_error(const struct api_json *j);

#endif
