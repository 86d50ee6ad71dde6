/*
 * submission_sql.h: the SQL of the submission list (GET /submissions), as text a test can
 * EXPLAIN without a server (tests/api/test_submission_plans.c): each of the list's filters
 * must read an index, never the whole table.
 */
#ifndef GAVEL_API_SUBMISSION_SQL_H
#define GAVEL_API_SUBMISSION_SQL_H

#include "api/edit.h"

/* The columns of a submission's summary, and the tables they come from. */
/* clang-format off */
#define SUBMISSION_COLUMNS                                                                         \
    "s.id, u.username, p.slug, ct.slug, s.language_id, s.status, s.verdict, s.score,"              \
    " s.max_score, s.time_ms, s.memory_kb, "                                                       \
    API_SQL_TIME("s.created_at") ", " API_SQL_TIME("s.judged_at") ", s.user_id"
/* clang-format on */
#define SUBMISSION_FROM                                                                            \
    " FROM submissions s JOIN users u ON u.id = s.user_id JOIN problems p ON p.id = s.problem_id"  \
    " LEFT JOIN contests ct ON ct.id = s.contest_id"

/* The list, newest first: $1 below this id, $5 rows; filters, each NULL when not given: $2
 * problem, $3 user, $4 verdict, $8 the contest's id, $9 language, $10 status, $11 since; $6
 * and $7 the caller's id and role (who may read which: their own, and those of the problems
 * and contests they run). Each filter is a plain condition on a column of submissions with an
 * index; given as values (the contest's id looked up first), they let the planner choose by
 * how many rows each one keeps. */
/* clang-format off */
#define API_SUBMISSION_LIST_SQL                                                                    \
    "SELECT " SUBMISSION_COLUMNS SUBMISSION_FROM                                                   \
    " WHERE s.id < $1::bigint AND ($2::text IS NULL OR p.slug = $2)"                               \
    " AND ($3::text IS NULL OR lower(u.username) = lower($3))"                                     \
    " AND ($4::text IS NULL OR s.verdict = $4)"                                                    \
    " AND ($8::bigint IS NULL OR s.contest_id = $8::bigint)"                                       \
    " AND ($9::text IS NULL OR s.language_id = $9)"                                                \
    " AND ($10::text IS NULL OR s.status = $10)"                                                   \
    " AND ($11::timestamptz IS NULL OR s.created_at >= $11::timestamptz)"                          \
    " AND (s.user_id = $6::bigint OR " API_SQL_RUNS_PROBLEM("$6::bigint", "$7::text")              \
    " OR " API_SQL_RUNS_CONTEST("$6::bigint", "$7::text") ")"                                      \
    " ORDER BY s.id DESC LIMIT $5::int"
/* clang-format on */

#endif
