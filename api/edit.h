/*
 * edit.h: what PUT and PATCH of problems and contests share.
 *
 * A resource is edited from its GET form: the handler writes the resource as GET shows it into
 * a local writer (api_edit_text), a PATCH body is merged onto that text (api_json_merge), the
 * read-only members sent back are checked against it (api_json_strip_equal), and what remains
 * is decoded by the same strict table as a PUT. So PUT and PATCH take exactly what GET gives.
 */
#ifndef GAVEL_API_EDIT_H
#define GAVEL_API_EDIT_H

#include <stddef.h>

#include "api/http.h"

/* The text written into j, copied into the request's arena (NUL-terminated), then j released.
 * -ENOMEM, or j's own error (-E2BIG past its cap). */
int api_edit_text(struct api_req *req, struct api_json *j, const char **ret_text) API_WUR;

/* 1 when names (n usernames) are, in any letter case and order, the "staff" array of the JSON
 * object text current; 0 when not. */
int api_edit_staff_same(const char *current, const char *const *names, size_t n);

/* What the caller may do with a problem. Running a problem (reading its secret tests and the
 * sources sent to it, rejudging, exporting, verifying, editing) is for its owner, its staff
 * and the admins; deleting it and naming its staff for its owner and the admins. Either needs
 * the instructor role at least: a demoted owner or staff member keeps the row, not the right. */
struct api_problem_access {
    int64_t id;
    int runs;     /* owner, staff or admin */
    int own;      /* owner or admin */
    int archived; /* takes no new submissions */
};

/* Looks the problem `slug` up for the caller: -ENOENT (answered, naming "slug") when there is
 * none or the caller is a student and it is not public, as if it did not exist. */
int api_problem_access(struct api_req *req, struct db_conn *c, const char *slug,
                       struct api_problem_access *ret) API_WUR;

/* SQL: whether user $U (role $R, a text) runs problem p.id / the contest ct.id, with the
 * parameters spelled as given: for queries that list or read submissions. */
#define API_SQL_RUNS_PROBLEM(uid, role)                                                            \
    "(" role " = 'admin' OR (" role " = 'instructor' AND (p.owner_id = " uid                       \
    " OR EXISTS (SELECT 1 FROM problem_staff ps WHERE ps.problem_id = p.id"                        \
    " AND ps.user_id = " uid "))))"
#define API_SQL_RUNS_CONTEST(uid, role)                                                            \
    "(" role " = 'instructor' AND ct.id IS NOT NULL AND (ct.owner_id = " uid                       \
    " OR EXISTS (SELECT 1 FROM contest_staff cs WHERE cs.contest_id = ct.id"                       \
    " AND cs.user_id = " uid ")))"

#endif
