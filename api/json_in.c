/*
 * json_in.c: table-driven decoding of request bodies (json.h).
 *
 * The cJSON tree is made and deleted in api_json_decode; the walk below only copies values out
 * of it into the caller's struct and the arena.
 */
#include "api/json.h"
#include "common/json_scan.h"
#include "common/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct ctx {
    struct api_arena *a;
    const struct api_limits *lim;
    struct api_json_error *err;
    int nul_swapped; /* the body's \u0000 escapes were parsed as NUL_STANDIN */
    int partial;     /* a PATCH body: nothing is required */
    uint64_t nulls;  /* top-level fields given as null */
};

/* What a \u0000 escape is parsed as, so that the string holding it can be named: U+FFFF, a
 * noncharacter, in UTF-8. A C string would end at a NUL and lose the rest of the value. */
#define NUL_STANDIN "\xEF\xBF\xBF"

/* A copy of text in the arena with each \u0000 escape inside a string made \uFFFF, or NULL
 * when there is none (or out of memory). Only called on a body json_prescan refused. */
static char *swap_nul_escapes(struct api_arena *a, const char *text, size_t len)
{
    char *copy = api_arena_strndup(a, text, len);
    int in_string = 0, found = 0;

    if (!copy)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == '"') {
            in_string = !in_string;
        } else if (in_string && copy[i] == '\\' && i + 1 < len) {
            if (copy[i + 1] == 'u' && i + 5 < len && memcmp(copy + i + 2, "0000", 4) == 0) {
                memcpy(copy + i + 2, "FFFF", 4);
                found = 1;
            }
            i++; /* the escaped character */
        }
    }
    return found ? copy : NULL;
}

static int fail(struct ctx *x, const char *path, const char *msg, int r)
{
    snprintf(x->err->field, sizeof(x->err->field), "%.127s", path);
    x->err->message = msg;
    return r;
}

static void join(char *out, size_t size, const char *prefix, const char *name)
{
    if (*prefix)
        snprintf(out, size, "%s.%s", prefix, name);
    else
        snprintf(out, size, "%s", name);
}

static int decode_object(struct ctx *x, const cJSON *obj, const struct api_field *fields,
                         unsigned char *out, const char *prefix);

static int decode_value(struct ctx *x, const cJSON *v, const struct api_field *f,
                        unsigned char *out, const char *path)
{
    switch (f->type) {
    case API_F_STR: {
        size_t n;
        char *copy;
        if (!cJSON_IsString(v) || !v->valuestring)
            return fail(x, path, "must be a string", -EINVAL);
        if (x->nul_swapped && strstr(v->valuestring, NUL_STANDIN))
            return fail(x, path, "must not contain \\u0000 (NUL)", -EINVAL);
        n = strlen(v->valuestring);
        if (!(f->flags & API_CHARS) && (double)n > f->max)
            return fail(x, path, "is too long", (f->flags & API_TOOBIG) ? -E2BIG : -EINVAL);
        if (!utf8_valid(v->valuestring, n))
            return fail(x, path, "must be valid UTF-8", -EINVAL);
        if ((f->flags & API_PLAIN) && utf8_has_controls(v->valuestring, n))
            return fail(x, path, "must not contain control or bidirectional override characters",
                        -EINVAL);
        {
            size_t len = (f->flags & API_CHARS) ? utf8_chars(v->valuestring, n) : n;
            if ((double)len > f->max)
                return fail(x, path, "is too long", (f->flags & API_TOOBIG) ? -E2BIG : -EINVAL);
            if ((double)len < f->min)
                return fail(x, path, len ? "is too short" : "must not be empty", -EINVAL);
        }
        copy = api_arena_strndup(x->a, v->valuestring, n);
        if (!copy)
            return -ENOMEM;
        memcpy(out + f->offset, &copy, sizeof(copy));
        return 0;
    }
    case API_F_INT: {
        int64_t i;
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
            v->valuedouble != floor(v->valuedouble))
            return fail(x, path, "must be an integer", -EINVAL);
        if (v->valuedouble < f->min || v->valuedouble > f->max) {
            /* The bounds said, a cap of the server's included (GET /config shows them). */
            const char *m = api_arena_printf(x->a, "must be between %.0f and %.0f", f->min, f->max);
            return fail(x, path, m ? m : "is out of range", -EINVAL);
        }
        i = (int64_t)v->valuedouble;
        memcpy(out + f->offset, &i, sizeof(i));
        return 0;
    }
    case API_F_NUM: {
        double d;
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return fail(x, path, "must be a number", -EINVAL);
        if (v->valuedouble < f->min || v->valuedouble > f->max)
            return fail(x, path, "is out of range", -EINVAL);
        d = v->valuedouble;
        memcpy(out + f->offset, &d, sizeof(d));
        return 0;
    }
    case API_F_BOOL: {
        int b;
        if (!cJSON_IsBool(v))
            return fail(x, path, "must be true or false", -EINVAL);
        b = cJSON_IsTrue(v) ? 1 : 0;
        memcpy(out + f->offset, &b, sizeof(b));
        return 0;
    }
    case API_F_JSON: {
        char *copy;
        int r;
        if (!cJSON_IsObject(v))
            return fail(x, path, "must be an object", -EINVAL);
        r = api_json_print(x->a, v, &copy, NULL);
        if (r < 0)
            return r;
        memcpy(out + f->offset, &copy, sizeof(copy));
        return 0;
    }
    case API_F_OBJ:
        if (!cJSON_IsObject(v))
            return fail(x, path, "must be an object", -EINVAL);
        return decode_object(x, v, f->sub, out + f->offset, path);
    case API_F_ARR: {
        int n;
        size_t count;
        unsigned char *items;
        const cJSON *item;
        size_t k = 0;
        if (!cJSON_IsArray(v))
            return fail(x, path, "must be an array", -EINVAL);
        n = cJSON_GetArraySize(v);
        if ((double)n < f->min)
            return fail(x, path, n ? "has too few items" : "must not be empty", -EINVAL);
        if ((double)n > f->max)
            return fail(x, path, "has too many items", -E2BIG);
        count = (size_t)n;
        items = api_arena_alloc(x->a, count * f->item_size + 1);
        if (!items)
            return -ENOMEM;
        cJSON_ArrayForEach(item, v)
        {
            char sub[160];
            int r;
            snprintf(sub, sizeof(sub), "%s[%zu]", path, k);
            if (!cJSON_IsObject(item))
                return fail(x, sub, "must be an object", -EINVAL);
            if (f->item_defaults)
                memcpy(items + k * f->item_size, f->item_defaults, f->item_size);
            r = decode_object(x, item, f->sub, items + k * f->item_size, sub);
            if (r < 0)
                return r;
            k++;
        }
        memcpy(out + f->offset, &items, sizeof(items));
        memcpy(out + f->count_offset, &count, sizeof(count));
        return 0;
    }
    case API_F_STRS: {
        const char **items;
        const cJSON *item;
        size_t count, k = 0;
        if (!cJSON_IsArray(v))
            return fail(x, path, "must be an array of strings", -EINVAL);
        count = (size_t)cJSON_GetArraySize(v);
        if (count > f->item_size)
            return fail(x, path, "has too many items", -EINVAL);
        items = api_arena_alloc(x->a, (count + 1) * sizeof(*items));
        if (!items)
            return -ENOMEM;
        cJSON_ArrayForEach(item, v)
        {
            struct api_field one = {.name = "",
                                    .type = API_F_STR,
                                    .flags = f->flags,
                                    .offset = 0,
                                    .min = f->min,
                                    .max = f->max};
            char sub[160];
            int r;
            snprintf(sub, sizeof(sub), "%s[%zu]", path, k);
            r = decode_value(x, item, &one, (unsigned char *)&items[k], sub);
            if (r < 0)
                return r;
            k++;
        }
        items[count] = NULL;
        memcpy(out + f->offset, &items, sizeof(items));
        memcpy(out + f->count_offset, &count, sizeof(count));
        return 0;
    }
    }
    return fail(x, path, "unsupported field type", -EINVAL);
}

static int decode_object(struct ctx *x, const cJSON *obj, const struct api_field *fields,
                         unsigned char *out, const char *prefix)
{
    const cJSON *child;
    unsigned long long seen = 0;
    char path[128];
    int r;

    cJSON_ArrayForEach(child, obj)
    {
        const struct api_field *f = NULL;
        size_t idx = 0;
        const char *name = child->string ? child->string : "";

        for (const struct api_field *g = fields; g->name; g++, idx++) {
            if (!strcmp(g->name, name)) {
                f = g;
                break;
            }
        }
        join(path, sizeof(path), prefix, name);
        if (!f)
            return fail(x, path, "is not a known field", -EINVAL);
        if (idx < 64 && (seen & (1ull << idx)))
            return fail(x, path, "appears twice", -EINVAL);
        if (idx < 64)
            seen |= 1ull << idx;
        if (cJSON_IsNull(child)) {
            if ((f->flags & API_REQUIRED) && !x->partial)
                return fail(x, path, "is required", -EINVAL);
            if (!*prefix && idx < 64)
                x->nulls |= 1ull << idx;
            continue;
        }
        r = decode_value(x, child, f, out, path);
        if (r < 0)
            return r;
    }
    {
        size_t idx = 0;
        for (const struct api_field *g = fields; g->name; g++, idx++) {
            if ((g->flags & (API_REQUIRED | API_PRESENT)) && !x->partial && idx < 64 &&
                !(seen & (1ull << idx))) {
                join(path, sizeof(path), prefix, g->name);
                return fail(x, path, "is required", -EINVAL);
            }
        }
    }
    return 0;
}

static int decode(struct ctx *xp, const char *text, size_t len, const struct api_field *fields,
                  void *out)
{
    struct ctx x = *xp;
    struct api_arena *a = x.a;
    const struct api_limits *lim = x.lim;
    const char *end = NULL, *msg = NULL;
    cJSON *root = NULL;
    int r;

    x.err->field[0] = '\0';
    x.err->message = NULL;
    if (!text || len == 0)
        return fail(&x, "", "a JSON body is required", -EINVAL);
    r = json_prescan(text, len, lim->max_depth, &msg, NULL);
    if (r < 0) {
        /* A \u0000 is refused by the string that holds it, named; anything else here is the
         * body's fault as a whole. */
        char *swapped = swap_nul_escapes(a, text, len);
        if (!swapped || json_prescan(swapped, len, lim->max_depth, &msg, NULL) < 0)
            return fail(&x, "", msg, r);
        text = swapped;
        x.nul_swapped = 1;
    }
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        r = fail(&x, "", "body is not valid JSON", -EINVAL);
        goto out;
    }
    while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end && end < text + len && *end != '\0') {
        r = fail(&x, "", "trailing data after the JSON value", -EINVAL);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        r = fail(&x, "", "body must be a JSON object", -EINVAL);
        goto out;
    }
    r = decode_object(&x, root, fields, out, "");
    if (r == 0 && x.nul_swapped) /* in a key, or a value kept as JSON text */
        r = fail(&x, "", "\\u0000 (NUL) is not allowed in a JSON body", -EINVAL);
out:
    cJSON_Delete(root);
    xp->nulls = x.nulls;
    return r;
}

int api_json_decode(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                    const struct api_field *fields, void *out, struct api_json_error *err)
{
    struct ctx x = {a, lim, err, 0, 0, 0};

    return decode(&x, text, len, fields, out);
}

int api_json_decode_patch(struct api_arena *a, const char *text, size_t len,
                          const struct api_limits *lim, const struct api_field *fields, void *out,
                          uint64_t *ret_nulls, struct api_json_error *err)
{
    struct ctx x = {a, lim, err, 0, 1, 0};
    int r = decode(&x, text, len, fields, out);

    if (ret_nulls)
        *ret_nulls = x.nulls;
    return r;
}

/* RFC 7396 onto target, in place; top: keep top-level nulls as null members. */
static int merge_into(cJSON *target, const cJSON *patch, int top)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, patch)
    {
        cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);
        cJSON *copy;

        if (cJSON_IsNull(p) && !top) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
            continue;
        }
        if (cJSON_IsObject(p) && cJSON_IsObject(t)) {
            if (merge_into(t, p, 0) < 0)
                return -ENOMEM;
            continue;
        }
        copy = cJSON_Duplicate(p, 1);
        if (!copy)
            return -ENOMEM;
        if (t ? !cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, copy)
              : !cJSON_AddItemToObject(target, p->string, copy)) {
            cJSON_Delete(copy);
            return -ENOMEM;
        }
    }
    return 0;
}

int api_json_print(struct api_arena *a, const cJSON *v, char **ret_text, size_t *ret_len)
{
    char *text = cJSON_PrintUnformatted(v);
    size_t n;

    if (!text)
        return -ENOMEM;
    n = strlen(text);
    *ret_text = api_arena_strndup(a, text, n);
    cJSON_free(text);
    if (!*ret_text)
        return -ENOMEM;
    if (ret_len)
        *ret_len = n;
    return 0;
}

int api_json_merge(struct api_arena *a, const char *target, const char *patch, size_t patch_len,
                   const struct api_limits *lim, char **ret_text, struct api_json_error *err)
{
    struct ctx x = {a, lim, err, 0, 0, 0};
    cJSON *t = NULL, *p = NULL;
    int r;

    err->field[0] = '\0';
    err->message = NULL;
    if (json_prescan(patch, patch_len, lim->max_depth, &err->message, NULL) < 0)
        return fail(&x, "", err->message ? err->message : "body is not valid JSON", -EINVAL);
    t = cJSON_Parse(target);
    p = cJSON_ParseWithLength(patch, patch_len);
    if (!cJSON_IsObject(t) || !cJSON_IsObject(p)) {
        r = fail(&x, "", "body must be a JSON object", -EINVAL);
        goto out;
    }
    r = merge_into(t, p, 1);
    if (r < 0)
        goto out;
    r = api_json_print(a, t, ret_text, NULL);
out:
    cJSON_Delete(p);
    cJSON_Delete(t);
    return r;
}

int api_json_strip_equal(struct api_arena *a, const char *text, size_t len, const char *current,
                         const char *const *names, const struct api_limits *lim,
                         const char **ret_text, size_t *ret_len, struct api_json_error *err)
{
    struct ctx x = {a, lim, err, 0, 0, 0};
    cJSON *body = NULL, *cur = NULL;
    const char *msg = NULL;
    int changed = 0, r = 0;

    err->field[0] = '\0';
    err->message = NULL;
    *ret_text = text;
    *ret_len = len;
    if (!text || !len || json_prescan(text, len, lim->max_depth, &msg, NULL) < 0)
        return 0;
    body = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(body))
        goto out;
    cur = cJSON_Parse(current);
    for (const char *const *n = names; *n; n++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(body, *n);
        if (!v)
            continue;
        if (!cJSON_Compare(v, cJSON_GetObjectItemCaseSensitive(cur, *n), 1)) {
            r = fail(&x, *n, "is read-only: leave it out, or send it as GET gives it", -EINVAL);
            goto out;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(body, *n);
        changed = 1;
    }
    if (changed) {
        char *out;
        r = api_json_print(a, body, &out, ret_len);
        if (r == 0)
            *ret_text = out;
    }
out:
    cJSON_Delete(cur);
    cJSON_Delete(body);
    return r;
}

int api_json_strip_any(struct api_arena *a, const char *text, size_t len, const char *const *names,
                       const struct api_limits *lim, const char **ret_text, size_t *ret_len)
{
    cJSON *body = NULL;
    const char *msg = NULL;
    int changed = 0, r = 0;

    *ret_text = text;
    *ret_len = len;
    if (!text || !len || json_prescan(text, len, lim->max_depth, &msg, NULL) < 0)
        return 0;
    body = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(body))
        goto out;
    for (const char *const *n = names; *n; n++) {
        if (cJSON_GetObjectItemCaseSensitive(body, *n)) {
            cJSON_DeleteItemFromObjectCaseSensitive(body, *n);
            changed = 1;
        }
    }
    if (changed) {
        char *out;
        r = api_json_print(a, body, &out, ret_len);
        if (r == 0)
            *ret_text = out;
    }
out:
    cJSON_Delete(body);
    return r;
}
