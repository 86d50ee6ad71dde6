/*
 * checker.c: exact, token and floating-point comparison of outputs (checker.h).
 */
#include "judge/checker.h"

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
};

/* The next token from s[*pos..n); 0 when there is none left. */
static int next_token(const char *s, size_t n, size_t *pos, struct tok *t)
{
    size_t i = *pos;

    while (i < n && is_space((unsigned char)s[i]))
        i++;
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
                         int numeric, double abs_eps, double rel_eps, struct judge_verdict *ret)
{
    size_t po = 0, pa = 0, index = 0;
    struct tok to, ta;
    char so[40], sa[40];
    double x, y;

    for (;;) {
        int ho = next_token(out, out_len, &po, &to);
        int ha = next_token(ans, ans_len, &pa, &ta);
        index++;
        if (!ho && !ha)
            break;
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
        if (numeric && parse_number(&ta, &y) && parse_number(&to, &x) &&
            numbers_close(x, y, abs_eps, rel_eps))
            continue;
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
                        struct judge_verdict *ret)
{
    check_tokens(out, out_len, ans, ans_len, 0, 0, 0, ret);
}

void judge_check_float(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       double abs_eps, double rel_eps, struct judge_verdict *ret)
{
    check_tokens(out, out_len, ans, ans_len, 1, abs_eps < 0 ? DEFAULT_EPS : abs_eps,
                 rel_eps < 0 ? DEFAULT_EPS : rel_eps, ret);
}
