/*
 * resources.h: a run and a submission as GET /runs/{id} and GET /submissions/{id} show them,
 * written without an HTTP request, so a callback sends exactly what a GET returns.
 *
 * Each SQL text reads one row; the *_members function writes its JSON members into an object
 * the caller has opened (api_json_obj) and closes. The callback column is the delivery state
 * (API_SQL_CALLBACK), written by the GET handlers as the member "callback" and left out of the
 * body a callback sends (it describes that delivery itself).
 */
#ifndef GAVEL_API_RESOURCES_H
#define GAVEL_API_RESOURCES_H

#include <libpq-fe.h>
#include <stdint.h>

#include "api/json.h"
#include "db/db.h"

/* A resource's callback as a JSON object text (NULL when it has none), for a select list;
 * where: how callbacks cb finds the resource's row ("run_id = runs.id"). */
/* clang-format off */
#define API_SQL_CALLBACK(where)                                                                    \
    "(SELECT json_build_object('url', cb.url, 'state', cb.state, 'attempts', cb.attempts,"         \
    " 'last_status', cb.last_status, 'last_error', cb.last_error, 'next_attempt_at',"              \
    " CASE WHEN cb.state = 'pending' THEN to_char(cb.due_at AT TIME ZONE 'UTC',"                   \
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END, 'delivered_at', to_char(cb.delivered_at"           \
    " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text FROM callbacks cb"           \
    " WHERE cb." where ")"
/* clang-format on */

/* A run: $1 its id. Column 1 is its author's id, 3 its status. */
extern const char api_run_sql[];
#define API_RUN_CALLBACK_COL 21
/* Its members, its output as text or (b64) base64; a batch's results read on c. -ENOMEM when
 * its output could not be decoded, or the errno of the results' query. */
int api_run_members(struct api_json *j, const PGresult *res, int b64, struct db_conn *c);

/* A submission as one user reads it: $1 its id, $2 the user's id, $3 their role. Column 13 is
 * its author's id, 5 its status. Who may read it at all is the caller's check. */
extern const char api_submission_sql[];
#define API_SUBMISSION_CALLBACK_COL 21
/* Its judging progress (NULL when it is not being judged): tests_done; then tests_total, the
 * score so far, max_score and the tests done as a JSON array text. */
#define API_SUBMISSION_PROGRESS_COL 22
/* The exact bytes of a source that is not UTF-8 (bytea), else NULL (sources.h). */
#define API_SUBMISSION_SOURCE_BYTES_COL (API_SUBMISSION_PROGRESS_COL + 5)
/* Its members as viewer_id reads them, its source and compile output as text or (b64)
 * base64. -ENOMEM only. */
int api_submission_members(struct api_json *j, const PGresult *res, int64_t viewer_id, int b64);

#endif
