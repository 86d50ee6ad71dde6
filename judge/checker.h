/*
 * checker.h: the built-in output checkers, comparing a contestant's output with the answer.
 *
 * All three work on byte buffers with explicit lengths: output may hold any bytes, NUL
 * included, and is never assumed to be a C string.
 *
 *   exact   byte for byte, except that CRLF reads as LF and newlines at the very end of either
 *           side are ignored (a missing final newline is not a mistake). Trailing spaces on a
 *           line matter.
 *   tokens  (the default) the sequences of whitespace-separated tokens must be equal.
 *           Whitespace is space, \t, \n, \v, \f, \r. Two options (struct judge_check_opts):
 *           case_sensitive      1 (the default): tokens compare byte for byte; 0: ASCII
 *                               letters compare ignoring case (bytes >= 0x80 stay exact).
 *           space_change_sensitive
 *                               0 (the default): any run of whitespace equals any other, and
 *                               leading and trailing whitespace is ignored; 1: the whitespace
 *                               before, between and after the tokens must equal the answer's
 *                               byte for byte, except that CRLF reads as LF and newlines at the
 *                               very end of either side are ignored, as for exact. So "1 2"
 *                               matches "1 2\n\n" but not "1  2", " 1 2" or "1 2 \n".
 *   float   as tokens, but when the answer's token is a number (strtod syntax: exponents,
 *           nan, inf, hex) the contestant's must be a number with |x - y| <= abs_eps OR
 *           |x - y| <= rel_eps * |y| (y the answer's), as Kattis's float_*_tolerance. A
 *           tolerance of 0 turns its criterion off (it then accepts only what the other does,
 *           or equal values); with both 0 numbers must be equal in value ("1.0" = "1" =
 *           "1e0"). A negative tolerance means the default, 1e-6. nan matches only nan;
 *           an infinity only the same infinity. case_sensitive = 0 applies to the tokens that
 *           are not numbers (numbers compare by value anyway).
 *
 * exact ignores the options. Kattis packages give all of them; Gavel's own format gives only
 * the tolerances, so JUDGE_CHECK_OPTS_DEFAULT (case-sensitive, whitespace-insensitive, default
 * tolerances) is what a missing key means.
 *
 *     struct judge_check_opts o = JUDGE_CHECK_OPTS_DEFAULT;
 *     struct judge_verdict v;
 *     o.case_sensitive = 0;
 *     judge_check_tokens(out, out_len, ans, ans_len, &o, &v);
 *     if (!v.accepted) puts(v.message);
 *
 * The message says where the first difference is, with the tokens (or the whitespace, with
 * \n \t \r written out) quoted, shortened and made printable: it is safe to store and to show
 * to the contestant.
 *
 * judge_checker_params_parse reads problems.checker_params (jsonb, as text) into those options
 * and, for a custom checker, its protocol and the flags a Kattis output validator gets after
 * its feedback folder.
 */
#ifndef GAVEL_JUDGE_CHECKER_H
#define GAVEL_JUDGE_CHECKER_H

#include <stddef.h>

#include "judge/score.h"

enum judge_checker_kind {
    JUDGE_CHECK_EXACT = 0,
    JUDGE_CHECK_TOKENS,
    JUDGE_CHECK_FLOAT,
    JUDGE_CHECK_CUSTOM,
};

/* How tokens and float compare; exact ignores it. */
struct judge_check_opts {
    int case_sensitive;         /* 0: ASCII letters compare ignoring case */
    int space_change_sensitive; /* 1: whitespace must equal the answer's */
    double abs_eps, rel_eps;    /* float only; negative: the default 1e-6, 0: off */
};

/* Gavel's defaults: what an absent key means. */
#define JUDGE_CHECK_OPTS_DEFAULT                                                                   \
    ((struct judge_check_opts){.case_sensitive = 1, .abs_eps = -1, .rel_eps = -1})

/* A Kattis output validator gets at most this many flags of at most this many bytes each. */
#define JUDGE_CHECK_MAX_FLAGS    32
#define JUDGE_CHECK_MAX_FLAG_LEN 127

/* problems.checker_params, as the judge uses them. */
struct judge_checker_params {
    struct judge_check_opts opts;
    int kattis;     /* "protocol": "kattis": input answer feedback_dir [flags], output on stdin */
    size_t n_flags; /* "flags", passed to a Kattis validator in order */
    char flags[JUDGE_CHECK_MAX_FLAGS][JUDGE_CHECK_MAX_FLAG_LEN + 1];
};

struct judge_verdict {
    int accepted;      /* 1: the output is correct */
    char message[200]; /* "" when accepted */
};

/* The kind spelled as in problems.checker_kind; -EINVAL for an unknown name. */
int judge_checker_kind_parse(const char *name);

/* Reads checker_params (JSON text of len bytes; NULL or "" is {}) into ret, starting from
 * JUDGE_CHECK_OPTS_DEFAULT, no protocol and no flags. Keys: "abs", "rel" (numbers, or strings
 * holding one), "case_sensitive", "space_change_sensitive" (booleans), "protocol" (string) and,
 * with protocol "kattis" only, "flags" (array of strings); other keys are ignored.
 * -EINVAL when the text is not a JSON object or one of those keys has the wrong type; -E2BIG
 * when there are more than JUDGE_CHECK_MAX_FLAGS flags or one is longer than
 * JUDGE_CHECK_MAX_FLAG_LEN bytes. ret is then unspecified. Flags are never cut short or
 * dropped: a validator gets all of them or does not run. */
__attribute__((warn_unused_result)) int
judge_checker_params_parse(const char *json, size_t len, struct judge_checker_params *ret);

void judge_check_exact(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       struct judge_verdict *ret);
/* opts NULL means JUDGE_CHECK_OPTS_DEFAULT; the tolerances are ignored. */
void judge_check_tokens(const char *out, size_t out_len, const char *ans, size_t ans_len,
                        const struct judge_check_opts *opts, struct judge_verdict *ret);
/* opts NULL means JUDGE_CHECK_OPTS_DEFAULT. */
void judge_check_float(const char *out, size_t out_len, const char *ans, size_t ans_len,
                       const struct judge_check_opts *opts, struct judge_verdict *ret);

/* What a custom checker's exit means, by its protocol (params->kattis):
 *   testlib  0 AC; 1 and 2 (presentation error) WA; 7 partial: WA with a fraction of `full`
 *            points, read from the start of `text` (the checker's output) either bare ("0.5 ...")
 *            or as testlib's quitp() writes it ("points 0.5 ..."); 3 (the checker failed) and
 *            every other code IE.
 *   kattis   42 AC, 43 WA; every other code, 0 and 1 included (a validator that crashed or
 *            forgot its exit code), IE.
 * exit_code is -1 when the checker did not exit on its own (killed, out of time or memory),
 * which is IE. text may be NULL. Returns the code; *ret_points gets the points earned. */
enum judge_code judge_checker_exit(int kattis, int exit_code, const char *text, int full,
                                   int *ret_points);

#endif
