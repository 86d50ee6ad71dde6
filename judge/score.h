/*
 * score.h: verdicts and the score of a submission from the outcomes of its tests.
 *
 * Score = the points of the tests passed, where tests sharing a group name are all-or-nothing:
 * a group gives the sum of its tests' points only when every one of them is AC. A test with no
 * group scores alone, and may score part of its points (a custom checker's partial verdict).
 * The submission's verdict is that of the first test, in ordinal order, that is neither AC nor
 * SKIPPED; AC when there is none. max_score is the sum of all tests' points.
 */
#ifndef GAVEL_JUDGE_SCORE_H
#define GAVEL_JUDGE_SCORE_H

#include <stddef.h>

enum judge_code {
    JUDGE_AC = 0,
    JUDGE_WA,
    JUDGE_TLE,
    JUDGE_MLE,
    JUDGE_RE,
    JUDGE_OLE,
    JUDGE_IE,
    JUDGE_SKIPPED,
    JUDGE_CE,
};

/* "AC", "WA", ... as stored in the database. */
const char *judge_code_name(enum judge_code code);

struct judge_test_outcome {
    int ordinal;
    enum judge_code code;
    int points;        /* the test's full points */
    int earned;        /* points earned: points when AC, maybe part of them when WA (partial) */
    const char *group; /* NULL or "": scored alone */
};

struct judge_score {
    enum judge_code verdict;
    int score;
    int max_score;
    int first_failure; /* index into the tests of the verdict's test, -1 when AC */
};

/* The points test i adds to the score: its earned points (capped at its points) alone, or in
 * a group its points when the whole group passed, else 0. */
int judge_score_earned(const struct judge_test_outcome *tests, size_t n, size_t i);

/* Computes verdict and score. Tests must be in ordinal order. */
void judge_score_compute(const struct judge_test_outcome *tests, size_t n, struct judge_score *ret);

#endif
