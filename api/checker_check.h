/*
 * checker_check.h: a custom checker is compiled by a judge before its problem is stored.
 *
 * The API never runs code and meets the judges only in PostgreSQL: api_checker_check queues a
 * checker build (migration 091), which a judge claims before any run or submission, compiles in
 * its sandbox and answers; the request is parked meanwhile (api_wait), holding neither a thread
 * nor a database connection, and its handler runs again from the start when the answer lands.
 *
 *     r = api_checker_check(req, language, source, "checker.language", "checker.source");
 *     if (r < 0)
 *         return r;  // -EINPROGRESS (parked) or an answer made: 400, 503
 *     ...store the problem...
 */
#ifndef GAVEL_API_CHECKER_CHECK_H
#define GAVEL_API_CHECKER_CHECK_H

#include "api/http.h"

/* Checks that `source` compiles as a checker in `language` (a languages id). Returns 0 when it
 * does; -EINPROGRESS when the request is parked (return it at once: the handler runs again);
 * -EINVAL (400) naming `file` as the field, its message carrying the compiler's, when it does
 * not compile, or naming language_field when there is no such enabled language; -EAGAIN (503,
 * Retry-After) when no judge answered within GAVEL_CHECKER_WAIT_S or the judges failed to build it.
 * Nothing is left queued when it returns anything but -EINPROGRESS. */
int api_checker_check(struct api_req *req, const char *language, const char *source,
                      const char *language_field, const char *file) API_WUR;

/* api_checker_check for either of the two programs a problem may have compiled by a judge:
 * which 0 its checker, 1 its interactor (compiled the same way). One request may check both,
 * one after the other: each is built once, and an answer already had is not asked again. */
int api_program_check(struct api_req *req, int which, const char *language, const char *source,
                      const char *language_field, const char *file) API_WUR;

#endif
