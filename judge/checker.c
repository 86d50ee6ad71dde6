/*
 * checker.c: exact, token and floating-point comparison of outputs, and the checker parameters
 * of a problem (checker.h).
 */
#include "judge/checker.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_EPS 1e-6

int judge_checker_kind_parse(const char *name)
{
    static const char *const names[] = {"exact", "tokens", "float", "custom"};

    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, names[i]))
            return i;
    return -EINVAL;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Copies at most 24 bytes of a token into dst as printable text, "..." when shortened. */
static void show(char *dst, size_t size, const char *s, size_t n)
{
    size_t k = 0, lim = n > 24 ? 24 : n;

    for (size_t i = 0; i < lim && k + 4 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[k++] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
    }
    if (n > lim && k + 4 < size) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
}

/* Writes a run of whitespace as printable text: \n \t \r \v \f spelled out, shortened. */
static void show_space(char *dst, size_t size, const char *s, size_t n)
{
    size_t k = 0, i;

    for (i = 0; i < n && k + 6 < size; i++) {
        char c = s[i] == '\n'   ? 'n'
                 : s[i] == '\t' ? 't'
                 : s[i] == '\r' ? 'r'
                 : s[i] == '\v' ? 'v'
                 : s[i] == '\f' ? 'f'
                                : 0;
        if (c)
            dst[k++] = '\\';
        dst[k++] = c ? c : s[i] == ' ' ? ' ' : '?';
    }
    if (i < n) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
}

/* --- exact --- */

/* The next byte of a side, with CRLF read as LF; -1 at the end. */
static int next_byte(const char *s, size_t n, size_t *pos)
{
    unsigned char c;

    if (*pos >= n)
        return -1;
    c = (unsigned char)s[(*pos)++];
    if (c == '\r' && *pos < n && s[*pos] == '\n') {
        (*pos)++;
        return '\n';
    }
    return c;
}

/* The length once newlines (LF or CRLF) at the very end are dropped. */
static size_t trim_final_newlines(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '\n') {
        n--;
        if (n > 0 && s[n - 1] == '\r')
            n--;
    }
    return n;
}

void judge_check_exact(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       struct judge_verdict *ret)
{
    size_t po = 0, pa = 0, line = 1;
    int co, ca;

    out_len = trim_final_newlines(out, out_len);
    ans_len = trim_final_newlines(ans, ans_len);
    for (;;) {
        co = next_byte(out, out_len, &po);
        ca = next_byte(ans, ans_len, &pa);
        if (co != ca)
            break;
        if (co < 0) {
            ret->accepted = 1;
            ret->message[0] = '\0';
            return;
        }
        if (co == '\n')
            line++;
    }
    ret->accepted = 0;
    if (co < 0)
        snprintf(ret->message, sizeof(ret->message), "line %zu: output ends early", line);
    else if (ca < 0)
        snprintf(ret->message, sizeof(ret->message), "line %zu: extra output", line);
    else
        snprintf(ret->message, sizeof(ret->message), "line %zu differs", line);
}

/* --- tokens --- */

struct tok {
    const char *p;
    size_t n;
    const char *ws; /* the whitespace before it (or at the end) */
    size_t ws_n;
};

/* The next token from s[*pos..n); 0 when there is none left. Either way t->ws is the
 * whitespace skipped to get there. */
static int next_token(const char *s, size_t n, size_t *pos, struct tok *t)
{
    size_t i = *pos;

    t->ws = s + i;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    t->ws_n = i - *pos;
    if (i >= n) {
        *pos = i;
        return 0;
    }
    t->p = s + i;
    while (i < n && !is_space((unsigned char)s[i]))
        i++;
    t->n = (size_t)(s + i - t->p);
    *pos = i;
    return 1;
}

/* Parses a whole token as a number; 0 when it is not one. */
static int parse_number(const struct tok *t, double *ret)
{
    char buf[128];
    char *end;

    if (t->n == 0 || t->n >= sizeof(buf) || memchr(t->p, '\0', t->n))
        return 0;
    memcpy(buf, t->p, t->n);
    buf[t->n] = '\0';
    errno = 0;
    *ret = strtod(buf, &end);
    return end == buf + t->n;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int same_token(const struct tok *a, const struct tok *b, int case_sensitive)
{
    if (a->n != b->n)
        return 0;
    if (case_sensitive)
        return memcmp(a->p, b->p, a->n) == 0;
    for (size_t i = 0; i < a->n; i++)
        if (ascii_lower((unsigned char)a->p[i]) != ascii_lower((unsigned char)b->p[i]))
            return 0;
    return 1;
}

/* Whether two runs of whitespace are the same, CRLF read as LF. */
static int same_space(const struct tok *a, const struct tok *b)
{
    size_t pa = 0, pb = 0;
    int ca, cb;

    do {
        ca = next_byte(a->ws, a->ws_n, &pa);
        cb = next_byte(b->ws, b->ws_n, &pb);
    } while (ca == cb && ca >= 0);
    return ca == cb;
}

/* Kattis's rule: |x - y| <= abs or |x - y| <= rel*|y|; a 0 tolerance accepts equal values only. */
static int numbers_close(double x, double y, double abs_eps, double rel_eps)
{
    double d;

    if (isnan(y))
        return isnan(x);
    if (isnan(x))
        return 0;
    if (isinf(y) || isinf(x))
        return x == y;
    d = fabs(x - y);
    return d <= abs_eps || d <= rel_eps * fabs(y);
}

static void check_tokens(const char *out, size_t out_len, const char *ans, size_t ans_len,
                         int numeric, const struct judge_check_opts *o, struct judge_verdict *ret)
{
    size_t po = 0, pa = 0, index = 0;
    struct tok to, ta;
    char so[40], sa[40];
    double x, y;
    double abs_eps = o->abs_eps < 0 ? DEFAULT_EPS : o->abs_eps;
    double rel_eps = o->rel_eps < 0 ? DEFAULT_EPS : o->rel_eps;

    if (o->space_change_sensitive) {
        out_len = trim_final_newlines(out, out_len);
        ans_len = trim_final_newlines(ans, ans_len);
    }
    for (;;) {
        int ho = next_token(out, out_len, &po, &to);
        int ha = next_token(ans, ans_len, &pa, &ta);
        index++;
        if (o->space_change_sensitive && ho && ha && !same_space(&to, &ta)) {
            ret->accepted = 0;
            show_space(so, sizeof(so), to.ws, to.ws_n);
            show_space(sa, sizeof(sa), ta.ws, ta.ws_n);
            snprintf(ret->message, sizeof(ret->message),
                     "token %zu: expected whitespace '%s' before it, found '%s'", index, sa, so);
            return;
        }
        if (!ho && !ha) {
            if (o->space_change_sensitive && !same_space(&to, &ta)) {
                ret->accepted = 0;
                show_space(so, sizeof(so), to.ws, to.ws_n);
                show_space(sa, sizeof(sa), ta.ws, ta.ws_n);
                snprintf(ret->message, sizeof(ret->message),
                         "end: expected whitespace '%s' after the last token, found '%s'", sa, so);
                return;
            }
            break;
        }
        if (!ho || !ha) {
            ret->accepted = 0;
            if (ha) {
                show(sa, sizeof(sa), ta.p, ta.n);
                snprintf(ret->message, sizeof(ret->message),
                         "token %zu: output ends early, expected '%s'", index, sa);
            } else {
                show(so, sizeof(so), to.p, to.n);
                snprintf(ret->message, sizeof(ret->message), "token %zu: extra output '%s'", index,
                         so);
            }
            return;
        }
        if (to.n == ta.n && memcmp(to.p, ta.p, to.n) == 0)
            continue;
        if (numeric && parse_number(&ta, &y)) {
            /* A number is judged by value only: letter case in it (1E5, NaN) never matters. */
            if (parse_number(&to, &x) && numbers_close(x, y, abs_eps, rel_eps))
                continue;
        } else if (!o->case_sensitive && same_token(&to, &ta, 0)) {
            continue;
        }
        ret->accepted = 0;
        show(so, sizeof(so), to.p, to.n);
        show(sa, sizeof(sa), ta.p, ta.n);
        snprintf(ret->message, sizeof(ret->message), "token %zu: expected '%s', found '%s'", index,
                 sa, so);
        return;
    }
    ret->accepted = 1;
    ret->message[0] = '\0';
}

void judge_check_tokens(const char *out, size_t out_len, const char *ans, size_t ans_len,
                        const struct judge_check_opts *opts, struct judge_verdict *ret)
{
    struct judge_check_opts o = opts ? *opts : JUDGE_CHECK_OPTS_DEFAULT;

    check_tokens(out, out_len, ans, ans_len, 0, &o, ret);
}

void judge_check_float(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       const struct judge_check_opts *opts, struct judge_verdict *ret)
{
    struct judge_check_opts o = opts ? *opts : JUDGE_CHECK_OPTS_DEFAULT;

    check_tokens(out, out_len, ans, ans_len, 1, &o, ret);
}

/* --- parameters --- */

/* A boolean key: 0 absent (*ret unchanged), 1 read, -EINVAL not a boolean. */
static int get_bool(const cJSON *root, const char *key, int *ret)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return -EINVAL;
    *ret = cJSON_IsTrue(v) ? 1 : 0;
    return 1;
}

static int get_number(const cJSON *root, const char *key, double *ret)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    char *end;

    if (!v)
        return 0;
    if (cJSON_IsNumber(v)) {
        *ret = v->valuedouble;
    } else if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
        /* Older problems may spell a tolerance as a string: "1e-6". */
        errno = 0;
        *ret = strtod(v->valuestring, &end);
        if (*end || errno)
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    return isfinite(*ret) ? 1 : -EINVAL;
}

static int get_flags(const cJSON *root, struct judge_checker_params *ret)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "flags"), *f;

    if (!arr)
        return 0;
    if (!cJSON_IsArray(arr))
        return -EINVAL;
    cJSON_ArrayForEach(f, arr)
    {
        size_t len;
        if (!cJSON_IsString(f) || !f->valuestring)
            return -EINVAL;
        len = strlen(f->valuestring);
        if (ret->n_flags >= JUDGE_CHECK_MAX_FLAGS || len > JUDGE_CHECK_MAX_FLAG_LEN)
            return -E2BIG;
        memcpy(ret->flags[ret->n_flags], f->valuestring, len + 1);
        ret->n_flags++;
    }
    return 0;
}

int judge_checker_params_parse(const char *json, size_t len, struct judge_checker_params *ret)
{
    cJSON *root;
    const cJSON *proto;
    int r = 0;

    memset(ret, 0, sizeof(*ret));
    ret->opts = JUDGE_CHECK_OPTS_DEFAULT;
    if (!json || len == 0)
        return 0;
    /* A NUL inside the text would hide the rest of it: refuse rather than read half. */
    if (memchr(json, '\0', len))
        return -EINVAL;
    root = cJSON_ParseWithLength(json, len);
    if (!root || !cJSON_IsObject(root)) {
        r = -EINVAL;
        goto out;
    }
    if (get_number(root, "abs", &ret->opts.abs_eps) < 0 ||
        get_number(root, "rel", &ret->opts.rel_eps) < 0 ||
        get_bool(root, "case_sensitive", &ret->opts.case_sensitive) < 0 ||
        get_bool(root, "space_change_sensitive", &ret->opts.space_change_sensitive) < 0) {
        r = -EINVAL;
        goto out;
    }
    proto = cJSON_GetObjectItemCaseSensitive(root, "protocol");
    if (proto && !cJSON_IsString(proto)) {
        r = -EINVAL;
        goto out;
    }
    ret->kattis = proto && !strcmp(proto->valuestring, "kattis");
    if (ret->kattis)
        r = get_flags(root, ret);
out:
    cJSON_Delete(root);
    return r;
}

enum judge_code judge_checker_exit(int kattis, int exit_code, const char *text, int full,
                                   int *ret_points)
{
    *ret_points = 0;
    if (kattis) {
        if (exit_code == 42) {
            *ret_points = full;
            return JUDGE_AC;
        }
        return exit_code == 43 ? JUDGE_WA : JUDGE_IE;
    }
    switch (exit_code) {
    case 0:
        *ret_points = full;
        return JUDGE_AC;
    case 1:
    case 2:
        return JUDGE_WA;
    case 7: {
        const char *p = text ? text : "";
        double f;
        while (is_space((unsigned char)*p))
            p++;
        /* testlib's quitp() writes "points " before the value. */
        if (!strncmp(p, "points", 6) && is_space((unsigned char)p[6]))
            p += 7;
        f = strtod(p, NULL);
        if (f > 0 && f <= 1)
            *ret_points = (int)(f * full + 1e-9);
        return JUDGE_WA;
    }
    default:
        return JUDGE_IE;
    }
}
