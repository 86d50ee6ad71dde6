/*
 * checker.h: the built-in output checkers, comparing a contestant's output with the answer.
 *
 * All three work on byte buffers with explicit lengths: output may hold any bytes, NUL
 * included, and is never assumed to be a C string.
 *
 *   exact   byte for byte, except that CRLF reads as LF and newlines at the very end of either
 *           side are ignored (a missing final newline is not a mistake). Trailing spaces on a
 *           line matter.
 *   tokens  (the default) the sequences of whitespace-separated tokens must be equal; tokens
 *           compare byte for byte, so case matters. Whitespace is space, \t, \n, \v, \f, \r.
 *   float   as tokens, but when the answer's token is a number (strtod syntax: exponents,
 *           nan, inf) the contestant's must be a number within the absolute OR the relative
 *           tolerance of it. nan matches only nan; an infinity only the same infinity.
 *
 *     struct judge_verdict v;
 *     judge_check_tokens(out, out_len, ans, ans_len, &v);
 *     if (!v.accepted) puts(v.message);
 *
 * The message says where the first difference is, with the tokens quoted, shortened and made
 * printable: it is safe to store and to show to the contestant.
 */
#ifndef GAVEL_JUDGE_CHECKER_H
#define GAVEL_JUDGE_CHECKER_H

#include <stddef.h>

enum judge_checker_kind {
    JUDGE_CHECK_EXACT = 0,
    JUDGE_CHECK_TOKENS,
    JUDGE_CHECK_FLOAT,
    JUDGE_CHECK_CUSTOM,
};

struct judge_verdict {
    int accepted;      /* 1: the output is correct */
    char message[200]; /* "" when accepted */
};

/* The kind spelled as in problems.checker_kind; -EINVAL for an unknown name. */
int judge_checker_kind_parse(const char *name);

void judge_check_exact(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       struct judge_verdict *ret);
void judge_check_tokens(const char *out, size_t out_len, const char *ans, size_t ans_len,
                        struct judge_verdict *ret);
/* abs_eps and rel_eps: a number is accepted when |x - y| <= abs_eps or |x - y| <= rel_eps*|y|
 * (y the answer). Negative values mean the default, 1e-6. */
void judge_check_float(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       double abs_eps, double rel_eps, struct judge_verdict *ret);

#endif
