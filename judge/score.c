/*
 * score.c: all-or-nothing groups and the first failing test (score.h).
 */
#include "judge/score.h"

#include <string.h>

const char *judge_code_name(enum judge_code code)
{
    static const char *const names[] = {"AC",  "WA", "TLE",     "MLE", "RE",
                                        "OLE", "IE", "SKIPPED", "CE"};

    if ((unsigned)code < sizeof(names) / sizeof(names[0]))
        return names[code];
    return "IE";
}

static int grouped(const struct judge_test_outcome *t)
{
    return t->group && t->group[0];
}

/* Whether every test of t's group is AC. Groups are few and small: a quadratic scan is fine. */
static int group_passed(const struct judge_test_outcome *tests, size_t n, const char *group)
{
    for (size_t i = 0; i < n; i++)
        if (grouped(&tests[i]) && !strcmp(tests[i].group, group) && tests[i].code != JUDGE_AC)
            return 0;
    return 1;
}

int judge_score_earned(const struct judge_test_outcome *tests, size_t n, size_t i)
{
    const struct judge_test_outcome *t = &tests[i];

    if (grouped(t))
        return t->code == JUDGE_AC && group_passed(tests, n, t->group) ? t->points : 0;
    int e = t->code == JUDGE_AC ? t->points : t->earned;
    return e < 0 ? 0 : e > t->points ? t->points : e;
}

void judge_score_compute(const struct judge_test_outcome *tests, size_t n, struct judge_score *ret)
{
    ret->verdict = JUDGE_AC;
    ret->score = 0;
    ret->max_score = 0;
    ret->first_failure = -1;
    for (size_t i = 0; i < n; i++) {
        const struct judge_test_outcome *t = &tests[i];
        ret->max_score += t->points;
        if (ret->first_failure < 0 && t->code != JUDGE_AC && t->code != JUDGE_SKIPPED) {
            ret->first_failure = (int)i;
            ret->verdict = t->code;
        }
        ret->score += judge_score_earned(tests, n, i);
    }
}
