/*
 * queue.h: the judging queue, which is the submissions and runs tables themselves.
 *
 * A judge claims work, keeps a lease on it alive while it works, and records the result. Every
 * write after the claim is fenced by (judge_id, attempts): it only applies while the row still
 * says status 'judging' with this judge's id and this attempt's number. A judge whose lease ran
 * out and whose work was given to another judge therefore can never write a second result.
 *
 *     struct db_job job;
 *     r = db_queue_claim(conn, "host:1234", 30, &job);     // 1: claimed, 0: nothing queued
 *     ...judge...
 *     r = db_queue_heartbeat(conn, &job, 30);              // -ESTALE: the lease was lost
 *     r = db_queue_record_submission(conn, &job, &result); // -ESTALE: someone else owns it now
 *
 * Order of work: checker builds first (an upload is waiting on each, migration 091), oldest
 * first; runs before submissions (a person is waiting on a run); then submissions never
 * judged before those queued again by a rejudge (which still show their old verdict), so that
 * rejudging a problem's thousand old submissions does not hold up a contest's new ones. Within
 * each, users in turn: a row's turn is set when it is inserted (migration 090), a user's first
 * pending row at the turn being served, each further one a turn later, so that one user's burst
 * waits behind every other user's first rows and nobody holds every worker; oldest first within
 * a turn, hence within a user. A row whose lease expired or that was given back keeps its class,
 * its turn and its place.
 * Claims use FOR UPDATE SKIP LOCKED, so any number of judges on any number of hosts share one
 * database without ever claiming the same row.
 *
 * Lost judges: db_queue_expire, which every judge calls now and then, puts rows whose lease ran
 * out back in the queue; a row that has already been claimed max_attempts times is finished
 * instead with verdict IE and a message. The same rule applies to db_queue_retry, which a judge
 * calls when it could not judge a row for a reason of its own (sandbox or database failure).
 *
 * Errors: negative errno values from db.h, plus -ESTALE when a fenced write found the row no
 * longer held by this judge and attempt.
 */
#ifndef GAVEL_DB_QUEUE_H
#define GAVEL_DB_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* How many claims a row gets before it is finished as IE. */
#define DB_QUEUE_MAX_ATTEMPTS 3

enum db_job_kind {
    DB_JOB_RUN = 0,
    DB_JOB_SUBMISSION = 1,
    DB_JOB_CHECKER = 2, /* a custom checker to compile, for an upload waiting on it */
};

/* A claimed row: what every fenced write needs. */
struct db_job {
    enum db_job_kind kind;
    int64_t id;
    int attempts;       /* the attempt number this claim got (1 for the first) */
    char judge_id[128]; /* copied from the claimer */
};

/* Claims the next row: a queued checker build if any, else a queued run, else a queued submission
 * that was never judged, else one a rejudge queued again; in each, the lowest turn first, then the
 * oldest. Sets its status to 'judging', its judge_id, attempts + 1 and a lease of lease_s seconds.
 * Returns 1 and fills *ret_job, 0 when nothing is queued, or a negative errno. */
int db_queue_claim(struct db_conn *conn, const char *judge_id, int lease_s,
                   struct db_job *ret_job) DB_WUR;

/* Claims a given row only (tests, tools): same as db_queue_claim but for kind/id. Returns 1, 0
 * when that row is not queued, or a negative errno. */
int db_queue_claim_id(struct db_conn *conn, const char *judge_id, int lease_s,
                      enum db_job_kind kind, int64_t id, struct db_job *ret_job) DB_WUR;

/* Extends the lease to lease_s seconds from now. -ESTALE when the row is no longer ours. */
int db_queue_heartbeat(struct db_conn *conn, const struct db_job *job, int lease_s) DB_WUR;

/* Gives the row back untouched, as if never claimed (attempts - 1): used when a judge stops.
 * -ESTALE when the row is no longer ours. */
int db_queue_release(struct db_conn *conn, const struct db_job *job) DB_WUR;

/* Gives the row back after a failure of the judge itself: queued again, or finished as IE with
 * `message` when it has had DB_QUEUE_MAX_ATTEMPTS attempts. -ESTALE when no longer ours. */
int db_queue_retry(struct db_conn *conn, const struct db_job *job, const char *message) DB_WUR;

/* Puts rows whose lease ran out back in the queue (or finishes them as IE after
 * DB_QUEUE_MAX_ATTEMPTS attempts), and deletes checker builds no API read within an hour.
 * Returns the number of rows changed, or a negative errno. */
int db_queue_expire(struct db_conn *conn) DB_WUR;

/* One test's outcome, as stored in submission_tests. Strings are borrowed. */
struct db_test_result {
    int ordinal;
    const char *verdict; /* AC WA TLE MLE RE OLE IE SKIPPED */
    int time_ms;
    int64_t memory_kb;
    int points;
    const char *checker_message; /* NULL or "" for none */
};

/* A submission's outcome. Strings and the tests array are borrowed. */
struct db_submission_result {
    const char *verdict; /* AC WA TLE MLE RE CE OLE IE */
    int score;
    int max_score;
    int time_ms;
    int64_t memory_kb;
    const char *compile_output; /* NULL: none */
    const char *message;        /* NULL: none; why an IE happened */
    const char *fault;          /* IE only: "problem" (its checker, its tests) or "judge" */
    int problem_version;
    const struct db_test_result *tests;
    size_t n_tests;
};

/* Records a submission's result and its per-test rows in one transaction, replacing the tests
 * of an earlier judgement (rejudge), and sets status 'done'. The trigger on submissions sends
 * NOTIFY gavel_done at commit. Returns 0, -ESTALE when the row is no longer ours (nothing is
 * written), or a negative errno (nothing is written). */
int db_queue_record_submission(struct db_conn *conn, const struct db_job *job,
                               const struct db_submission_result *result) DB_WUR;

/* Judging progress (migration 190), written while the tests run so that readers follow them.
 * db_queue_progress_start opens the attempt's record, tests_total tests out of max_score points
 * (a record of an earlier attempt goes); db_queue_progress adds the tests decided since the
 * last call (tests[0..n), run or SKIPPED; their checker messages are not kept: they come with
 * the final result) with tests_done and the score so far, and wakes the requests waiting for
 * the next change (NOTIFY gavel_progress 's:ID' at commit). The record goes by itself when the
 * submission leaves 'judging'. Both fenced as every write: -ESTALE when the row is no longer
 * ours (nothing written), or a negative errno. */
int db_queue_progress_start(struct db_conn *conn, const struct db_job *job, int tests_total,
                            int max_score) DB_WUR;
int db_queue_progress(struct db_conn *conn, const struct db_job *job,
                      const struct db_test_result *tests, size_t n, int tests_done,
                      int score) DB_WUR;

/* A run's outcome. Buffers are borrowed; stdout/stderr may hold any bytes. */
struct db_run_result {
    const char *verdict; /* OK TLE MLE RE OLE CE IE */
    int exit_code;       /* -1: none (killed, or never ran) */
    int time_ms;
    int64_t memory_kb;
    const char *out;
    size_t out_len;
    const char *err;
    size_t err_len;
    const char *compile_output; /* NULL: none */
    const char *message;        /* NULL: none */
    /* A batch run: the result of each input, in order (their compile_output unused). */
    const struct db_run_result *batch;
    size_t n_batch;
};

/* Records a run's result (and a batch's results, in the same transaction) and sets status
 * 'done'. Returns 0, -ESTALE, or a negative errno. */
int db_queue_record_run(struct db_conn *conn, const struct db_job *job,
                        const struct db_run_result *result) DB_WUR;

/* Records a checker build: verdict "OK", "CE" (compile_output saying why) or "IE" (message).
 * Returns 0, -ESTALE (no longer ours, or the API gave up and deleted it), or a negative errno. */
int db_queue_record_checker(struct db_conn *conn, const struct db_job *job, const char *verdict,
                            const char *compile_output, const char *message) DB_WUR;

/* Queues submissions again for judging (rejudge): every submission of the problem when
 * problem_id > 0, else the one submission_id. Old results stay visible until the
 * new ones are recorded; attempts start again from 0; a judge holding one loses it (its record
 * is fenced off). Those already judged are claimed after every submission never judged (see
 * db_queue_claim). Returns the number queued, or a negative errno. Used by the API and the CLI. */
int db_queue_rejudge(struct db_conn *conn, int64_t problem_id, int64_t submission_id) DB_WUR;

#endif
