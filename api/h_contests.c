/*
 * h_contests.c: contests and assignments: create, read, replace, delete, list, participants
 * (add, list, remove) and unfreeze. The rules (admission, standings) live in db/contests.h and
 * the standings migration; this file only speaks HTTP and JSON.
 *
 * Who may do what: instructors and admins create contests; a contest's owner, its staff and the
 * admins change it (PUT, PATCH), add participants to and unfreeze it; its owner or an admin
 * deletes it (only while it has no submissions: past that it is archived) and names its staff.
 * Everyone sees public contests; private ones are seen by staff and their participants, and are 404
 * to anyone else. Students see a contest's problems from its start.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/bodies.h"
#include "api/edit.h"
#include "api/handlers.h"
#include "common/json_scan.h"
#include "db/contests.h"

#define MAX_USERNAMES 10000

struct problem_in {
    const char *problem;
    const char *label;
    int64_t points;
};

struct contest_in {
    const char *slug;
    const char *title;
    const char *starts_at;
    const char *ends_at;
    const char *freeze_at;
    const char *scoring;
    const char *visibility;
    struct problem_in *problems;
    size_t n_problems;
    int archived; /* -1 when absent */
    const char **staff;
    size_t n_staff;
};

#define MAX_STAFF 100

/* POST: what is left out takes its default. */
static const struct api_field problem_fields[] = {
    API_FIELD_STR(struct problem_in, problem, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct problem_in, label, API_REQUIRED, 1, 8),
    API_FIELD_INT(struct problem_in, points, 0, 0, 1000000),
    API_FIELD_END,
};

static const struct api_field contest_fields[] = {
    API_FIELD_STR(struct contest_in, slug, 0, 1, 64),
    API_FIELD_STR(struct contest_in, title, API_REQUIRED, 1, 800),
    API_FIELD_STR(struct contest_in, starts_at, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct contest_in, ends_at, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct contest_in, freeze_at, 0, 1, 64),
    API_FIELD_STR(struct contest_in, scoring, 0, 1, 8),
    API_FIELD_STR(struct contest_in, visibility, 0, 1, 16),
    API_FIELD_ARR(struct contest_in, problems, 0, 0, DB_CONTEST_MAX_PROBLEMS, problem_fields,
                  struct problem_in, n_problems),
    API_FIELD_BOOL(struct contest_in, archived, 0),
    API_FIELD_STRS(struct contest_in, staff, 0, 1, 32, MAX_STAFF, n_staff),
    API_FIELD_END,
};

/* PUT (and PATCH, once merged onto the contest): nothing falls back to a default. Every field
 * a replacement would otherwise reset must be there; freeze_at and points may be null (no
 * freeze, not scaled). archived and staff are not content: left out, they stay as they are. */
static const struct api_field problem_fields_put[] = {
    API_FIELD_STR(struct problem_in, problem, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct problem_in, label, API_REQUIRED, 1, 8),
    API_FIELD_INT(struct problem_in, points, API_PRESENT, 0, 1000000),
    API_FIELD_END,
};

static const struct api_field contest_fields_put[] = {
    API_FIELD_STR(struct contest_in, slug, 0, 1, 64),
    API_FIELD_STR(struct contest_in, title, API_REQUIRED, 1, 800),
    API_FIELD_STR(struct contest_in, starts_at, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct contest_in, ends_at, API_REQUIRED, 1, 64),
    API_FIELD_STR(struct contest_in, freeze_at, API_PRESENT, 1, 64),
    API_FIELD_STR(struct contest_in, scoring, API_REQUIRED, 1, 8),
    API_FIELD_STR(struct contest_in, visibility, API_REQUIRED, 1, 16),
    API_FIELD_ARR(struct contest_in, problems, API_REQUIRED, 0, DB_CONTEST_MAX_PROBLEMS,
                  problem_fields_put, struct problem_in, n_problems),
    API_FIELD_BOOL(struct contest_in, archived, 0),
    API_FIELD_STRS(struct contest_in, staff, 0, 1, 32, MAX_STAFF, n_staff),
    API_FIELD_END,
};

/* What GET shows and a body may send back only as it is. */
static const char *const read_only[] = {"unfrozen", "owner", "participants", NULL};
/* What GET shows of the moment it was read: a body may send it back with any value, and it is
 * left out (a page that sends back what it read a minute ago is not refused for it). */
static const char *const of_the_moment[] = {"phase", "server_time", NULL};

/* One contest with its owner's name and number of participants (times as API_SQL_TIME). */
static const char contest_sql[] =
    "SELECT c.slug, c.title,"
    " to_char(c.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(c.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(c.freeze_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " c.unfrozen, c.scoring, c.visibility, u.username,"
    " (SELECT count(*) FROM contest_participants p WHERE p.contest_id = c.id), c.archived,"
    " (SELECT coalesce(json_agg(su.username ORDER BY su.username), '[]')::text"
    "    FROM contest_staff s JOIN users su ON su.id = s.user_id WHERE s.contest_id = c.id),"
    " " DB_CONTEST_PHASE_SQL ","
    " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM contests c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = $1";

/* A page of the contests a caller may see: $1 below this id, $2 staff, $3 the user, $4 rows,
 * $5 archived ones too. */
static const char list_sql[] =
    "SELECT c.id, c.slug, c.title,"
    " to_char(c.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(c.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(c.freeze_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " c.scoring, c.visibility, c.archived, " DB_CONTEST_PHASE_SQL ", c.unfrozen"
    " FROM contests c WHERE c.id < $1 AND (c.visibility = 'public' OR $2 OR EXISTS"
    " (SELECT 1 FROM contest_participants p WHERE p.contest_id = c.id AND p.user_id = $3))"
    " AND (NOT c.archived OR $5)"
    " ORDER BY c.id DESC LIMIT $4";

/* The contest id as text, for query parameters. */
static void id_text(char *buf, size_t size, int64_t id)
{
    snprintf(buf, size, "%" PRId64, id);
}

/* Writes one contest as GET shows it into j: its fields, and its problems when with_problems.
 * Nothing is written when a query fails. */
static int contest_json(struct api_req *req, struct db_conn *c, int64_t id, int with_problems,
                        struct api_json *j)
{
    char cid[24];
    PGresult *res = NULL, *probs = NULL;

    id_text(cid, sizeof(cid), id);
    int r = db_query(c, &res, contest_sql, 1, (const char *const[]){cid});
    if (r < 0)
        return api_db_fail(req, r, "read a contest");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -ENOENT, NULL, "no such contest");
    }
    if (with_problems) {
        r = db_query(c, &probs,
                     "SELECT cp.label, p.slug, p.title, cp.points FROM contest_problems cp"
                     " JOIN problems p ON p.id = cp.problem_id WHERE cp.contest_id = $1"
                     " ORDER BY cp.label",
                     1, (const char *const[]){cid});
        if (r < 0) {
            PQclear(res);
            return api_db_fail(req, r, "read a contest's problems");
        }
    }
    api_json_obj(j);
    api_json_kstr(j, "slug", api_col(res, 0, 0));
    api_json_kstr(j, "title", api_col(res, 0, 1));
    api_json_kstr(j, "starts_at", api_col(res, 0, 2));
    api_json_kstr(j, "ends_at", api_col(res, 0, 3));
    api_json_kstr(j, "freeze_at", api_col(res, 0, 4));
    api_json_kbool(j, "unfrozen", api_col(res, 0, 5)[0] == 't');
    api_json_kstr(j, "scoring", api_col(res, 0, 6));
    api_json_kstr(j, "visibility", api_col(res, 0, 7));
    api_json_kstr(j, "owner", api_col(res, 0, 8));
    api_json_kint(j, "participants", db_int64(res, 0, 9));
    api_json_kbool(j, "archived", api_col(res, 0, 10)[0] == 't');
    api_json_kraw(j, "staff", api_col(res, 0, 11));
    api_json_kstr(j, "phase", db_contest_phase_name(api_col(res, 0, 12)));
    api_json_kstr(j, "server_time", api_col(res, 0, 13));
    if (with_problems) {
        api_json_key(j, "problems");
        api_json_arr(j);
        for (int i = 0; i < PQntuples(probs); i++) {
            api_json_obj(j);
            api_json_kstr(j, "label", api_col(probs, i, 0));
            api_json_kstr(j, "problem", api_col(probs, i, 1));
            api_json_kstr(j, "title", api_col(probs, i, 2));
            if (db_isnull(probs, i, 3))
                api_json_knull(j, "points");
            else
                api_json_kint(j, "points", db_int64(probs, i, 3));
            api_json_end(j);
        }
        api_json_end(j);
    }
    api_json_end(j);
    PQclear(probs);
    PQclear(res);
    return 0;
}

/* Answers with one contest. */
static int write_contest(struct api_req *req, struct db_conn *c, int64_t id, int with_problems,
                         int status)
{
    struct api_json j;
    const char *text;
    int r;

    api_json_init(&j, (size_t)1 << 24);
    r = contest_json(req, c, id, with_problems, &j);
    if (r < 0) {
        api_json_release(&j);
        return r;
    }
    r = api_edit_text(req, &j, &text);
    if (r < 0)
        return r;
    return api_reply_raw(req, status, "application/json", text, strlen(text));
}

/* Looks the {slug} contest up for the caller: 404 when it does not exist or is not visible to
 * them, 403 when need_manage and they may not change it (its owner, staff or an admin may). */
static int find_contest(struct api_req *req, struct db_conn *c, int need_manage,
                        struct db_contest_access *ret)
{
    const struct api_user *u = api_user(req);
    int r = db_contest_access(c, api_param(req, "slug"), u->id, u->role_name, ret);

    if (r == -ENOENT || (r == 0 && !ret->visible))
        return api_fail(req, -ENOENT, NULL, "no such contest");
    if (r < 0)
        return api_db_fail(req, r, "look a contest up");
    if (need_manage && !ret->manage)
        return api_fail(req, -EACCES, NULL,
                        "only the contest's owner, its staff or an admin may do this");
    return 0;
}

/* A body's problems[i].title, as GET shows them, are read-only: each must be the title of the
 * problem its item names. They are taken out of the body (*ret_text / *ret_len). */
static int strip_problem_titles(struct api_req *req, struct db_conn *c, const char *text,
                                size_t len, const char **ret_text, size_t *ret_len)
{
    cJSON *root = NULL, *arr, *it;
    size_t i = 0;
    int changed = 0, r = 0;

    *ret_text = text;
    *ret_len = len;
    if (!text || !len ||
        json_prescan(text, len, api_limits(req)->max_depth, &(const char *){0}, NULL) < 0)
        return 0;
    root = cJSON_ParseWithLength(text, len);
    arr = cJSON_GetObjectItemCaseSensitive(root, "problems");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(arr))
        goto out;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(it, "title");
        const cJSON *slug = cJSON_GetObjectItemCaseSensitive(it, "problem");
        PGresult *res = NULL;
        int same;

        if (!title) {
            i++;
            continue;
        }
        if (!cJSON_IsString(title) || !cJSON_IsString(slug)) {
            r = api_fail(req, -EINVAL, api_printf(req, "problems[%zu].title", i),
                         "is read-only: leave it out, or send it as GET gives it");
            goto out;
        }
        r = db_query(c, &res, "SELECT title = $2 FROM problems WHERE slug = $1", 2,
                     (const char *const[]){slug->valuestring, title->valuestring});
        if (r < 0) {
            r = api_db_fail(req, r, "problem title");
            goto out;
        }
        same = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (!same) {
            r = api_fail(req, -EINVAL, api_printf(req, "problems[%zu].title", i),
                         "is read-only: it must be the title of the problem named, or be left "
                         "out");
            goto out;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(it, "title");
        changed = 1;
        i++;
    }
    if (changed) {
        char *out;
        r = api_json_print(api_arena(req), root, &out, ret_len);
        if (r == 0)
            *ret_text = out;
    }
out:
    cJSON_Delete(root);
    return r;
}

/* Decodes a contest body and saves it. create: a new contest (POST). Otherwise the contest a
 * (PUT, or PATCH already merged into text): current is its GET form, against which read-only
 * members are checked, and only its owner or an admin may change its staff. Answers with the
 * contest. */
static int save_contest(struct api_req *req, struct db_conn *c, const char *text, size_t len,
                        const struct db_contest_access *a, const char *current)
{
    struct contest_in in = {.archived = -1};
    struct db_contest_def def = {0};
    struct db_contest_problem *probs = NULL;
    struct api_json_error err;
    const char *field = NULL, *message = NULL, *path_slug = a ? api_param(req, "slug") : NULL;
    char field_buf[64];
    int64_t id = 0;
    int r;

    if (a) {
        r = api_json_strip_any(api_arena(req), text, len, of_the_moment, api_limits(req), &text,
                               &len);
        if (r < 0)
            return r;
        r = api_json_strip_equal(api_arena(req), text, len, current, read_only, api_limits(req),
                                 &text, &len, &err);
        if (r < 0)
            return api_body_error(req, r, &err);
        r = strip_problem_titles(req, c, text, len, &text, &len);
        if (r < 0)
            return r;
    }
    r = api_json_decode(api_arena(req), text, len, api_limits(req),
                        a ? contest_fields_put : contest_fields, &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if (path_slug) {
        if (in.slug && strcmp(in.slug, path_slug) != 0)
            return api_fail(req, -EINVAL, "slug", "cannot be changed");
        in.slug = path_slug;
    } else if (!in.slug) {
        return api_fail(req, -EINVAL, "slug", "is required");
    }
    if (a && in.staff && !a->own && !api_edit_staff_same(current, in.staff, in.n_staff))
        return api_fail(req, -EACCES, "staff",
                        "only the contest's owner or an admin changes its staff");
    if (in.n_problems) {
        probs = api_alloc(req, in.n_problems * sizeof(*probs));
        if (!probs)
            return -ENOMEM;
    }
    for (size_t i = 0; i < in.n_problems; i++) {
        probs[i].problem = in.problems[i].problem;
        probs[i].label = in.problems[i].label;
        /* Absent, null and 0 all mean "not scaled": items start zeroed. */
        probs[i].points = in.problems[i].points > 0 ? in.problems[i].points : -1;
    }
    def = (struct db_contest_def){
        .slug = in.slug,
        .title = in.title,
        .starts_at = in.starts_at,
        .ends_at = in.ends_at,
        .freeze_at = in.freeze_at,
        .scoring = in.scoring,
        .visibility = in.visibility,
        .problems = probs,
        .n_problems = in.n_problems,
        .archived = in.archived,
        .staff_set = in.staff != NULL,
        .staff = in.staff,
        .n_staff = in.n_staff,
    };
    r = db_contest_save(c, &def, api_user(req)->id, a ? a->id : 0, &id, &field, field_buf,
                        sizeof(field_buf), &message);
    if (r == -EINVAL || r == -EEXIST || r == -ENOENT)
        return api_fail(req, r, field, "%s", message ? message : "refused");
    if (r < 0)
        return api_db_fail(req, r, "save a contest");
    return write_contest(req, c, id, 1, a ? 200 : 201);
}

/* The contest of the path, for a change by staff: an instructor or admin who may manage it. */
static int contest_to_manage(struct api_req *req, struct db_conn **ret_c,
                             struct db_contest_access *ret_a)
{
    int r = api_auth(req, API_ROLE_INSTRUCTOR);

    if (r < 0)
        return r;
    r = api_db(req, ret_c);
    if (r < 0)
        return r;
    return find_contest(req, *ret_c, 1, ret_a);
}

/* The GET form of contest id, for checking and merging an edit. */
static int current_contest(struct api_req *req, struct db_conn *c, int64_t id,
                           const char **ret_text)
{
    struct api_json j;
    int r;

    api_json_init(&j, (size_t)1 << 24);
    r = contest_json(req, c, id, 1, &j);
    if (r < 0) {
        api_json_release(&j);
        return r;
    }
    return api_edit_text(req, &j, ret_text);
}

int api_h_contest_create(struct api_req *req)
{
    struct db_conn *c;
    const char *body;
    size_t len;
    int r = api_auth(req, API_ROLE_INSTRUCTOR);

    if (r < 0)
        return r;
    if ((r = api_body_json(req, contest_fields, &(struct contest_in){0})) < 0)
        return r; /* the content type and the body's shape, before the database */
    r = api_db(req, &c);
    if (r < 0)
        return r;
    body = api_body(req, &len);
    return save_contest(req, c, body, len, NULL, NULL);
}

int api_h_contest_get(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = find_contest(req, c, 0, &a);
    if (r < 0)
        return r;
    return write_contest(req, c, a.id, a.started || api_user(req)->role >= API_ROLE_INSTRUCTOR,
                         200);
}

int api_h_contest_replace(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    const char *current, *body;
    size_t len;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    if ((r = api_body_type(req)) < 0)
        return r;
    if ((r = current_contest(req, c, a.id, &current)) < 0)
        return r;
    body = api_body(req, &len);
    return save_contest(req, c, body, len, &a, current);
}

int api_h_contest_patch(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    struct contest_in in = {.archived = -1};
    struct api_json_error err;
    const char *current, *body;
    char *merged = NULL;
    size_t len;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    if ((r = api_body_type(req)) < 0)
        return r;
    /* The patch alone first, so that a wrong field is named as the client wrote it. */
    body = api_body(req, &len);
    r = api_json_decode_patch(api_arena(req), body, len, api_limits(req), contest_fields_put, &in,
                              NULL, &err);
    if (r < 0 && strcmp(err.field, "unfrozen") && strcmp(err.field, "owner") &&
        strcmp(err.field, "participants") && strcmp(err.field, "phase") &&
        strcmp(err.field, "server_time") && !strstr(err.field, ".title"))
        return api_body_error(req, r, &err);
    if ((r = current_contest(req, c, a.id, &current)) < 0)
        return r;
    r = api_json_merge(api_arena(req), current, body, len, api_limits(req), &merged, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    return save_contest(req, c, merged, strlen(merged), &a, current);
}

int api_h_contest_delete(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    PGresult *res = NULL;
    char cid[24];
    int64_t n;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    if (!a.own)
        return api_fail(req, -EACCES, NULL, "only the contest's owner or an admin may delete it");
    id_text(cid, sizeof(cid), a.id);
    /* The row is locked before the count: a submission being admitted meanwhile either holds
     * its key (and is counted after it commits) or finds the contest gone. */
    if ((r = db_begin(c, NULL)) < 0)
        return api_db_fail(req, r, "delete a contest");
    r = db_query(c, &res,
                 "SELECT (SELECT count(*) FROM submissions s WHERE s.contest_id = c.id)"
                 " FROM contests c WHERE c.id = $1 FOR UPDATE",
                 1, (const char *const[]){cid});
    if (r < 0) {
        r = api_db_fail(req, r, "delete a contest");
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = api_fail(req, -ENOENT, NULL, "no such contest");
        goto out;
    }
    n = db_int64(res, 0, 0);
    if (n > 0) {
        r = api_fail(req, -EEXIST, "archived",
                     "the contest has %lld submission%s: deleting it would lose them and its "
                     "standings; archive it instead (PATCH with {\"archived\": true}), which "
                     "keeps them readable and closes it",
                     (long long)n, n == 1 ? "" : "s");
        goto out;
    }
    r = db_query(c, NULL, "DELETE FROM contests WHERE id = $1", 1, (const char *const[]){cid});
    if (r < 0) {
        r = api_db_fail(req, r, "delete a contest");
        goto out;
    }
    r = db_commit(c);
    if (r < 0) {
        r = api_db_fail(req, r, "delete a contest");
        goto out;
    }
    api_reply_empty(req, 204);
out:
    PQclear(res);
    if (r < 0)
        db_rollback(c);
    return r;
}

/* The first n rows of list_sql as an array of contest summaries. */
static void put_contest_list(struct api_json *j, PGresult *res, int n)
{
    api_json_arr(j);
    for (int i = 0; i < n; i++) {
        api_json_obj(j);
        api_json_kstr(j, "slug", api_col(res, i, 1));
        api_json_kstr(j, "title", api_col(res, i, 2));
        api_json_kstr(j, "starts_at", api_col(res, i, 3));
        api_json_kstr(j, "ends_at", api_col(res, i, 4));
        api_json_kstr(j, "freeze_at", api_col(res, i, 5));
        api_json_kstr(j, "scoring", api_col(res, i, 6));
        api_json_kstr(j, "visibility", api_col(res, i, 7));
        api_json_kbool(j, "archived", api_col(res, i, 8)[0] == 't');
        api_json_kstr(j, "phase", db_contest_phase_name(api_col(res, i, 9)));
        api_json_kbool(j, "unfrozen", api_col(res, i, 10)[0] == 't');
        api_json_end(j);
    }
    api_json_end(j);
}

int api_h_contest_list(struct api_req *req)
{
    const struct api_user *u;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    char uid[24], before[24], lim[16];
    int64_t before_id;
    int limit, n, archived = 0;
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    r = api_query_only(req, (const char *const[]){"limit", "cursor", "archived", NULL});
    if (r < 0)
        return r;
    r = api_query_bool(req, "archived", &archived);
    if (r < 0)
        return r;
    r = api_list_params(req, &limit, &before_id);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    u = api_user(req);
    id_text(uid, sizeof(uid), u->id);
    id_text(before, sizeof(before), before_id);
    snprintf(lim, sizeof(lim), "%d", limit + 1);
    r = db_query(c, &res, list_sql, 5,
                 (const char *const[]){before, u->role >= API_ROLE_INSTRUCTOR ? "t" : "f", uid, lim,
                                       archived ? "t" : "f"});
    if (r < 0)
        return api_db_fail(req, r, "list contests");
    n = PQntuples(res);
    j = api_reply_json(req, 200);
    api_json_obj(j);
    /* "items" as in every other list; "contests", its first name, stays for clients that
     * read it. */
    api_json_key(j, "items");
    put_contest_list(j, res, n < limit ? n : limit);
    api_json_key(j, "contests");
    put_contest_list(j, res, n < limit ? n : limit);
    if (n > limit)
        api_json_kstr(j, "next_cursor",
                      api_cursor_from_id(api_arena(req), db_int64(res, limit - 1, 0)));
    else
        api_json_knull(j, "next_cursor");
    api_json_kstr(j, "server_time", api_now_text(req));
    api_json_end(j);
    PQclear(res);
    return 0;
}

/* Reads {"usernames": ["a", ...]} into the arena. cJSON's tree does not leave this function. */
static int usernames_decode(struct api_req *req, const char ***ret, size_t *ret_n)
{
    size_t len;
    const char *body = api_body(req, &len);
    const char *msg = NULL;
    const char **names = NULL;
    cJSON *root = NULL, *arr, *it;
    size_t n = 0, i = 0;
    int r;

    if (!body || !len)
        return api_fail(req, -EINVAL, NULL, "the body must be a JSON object");
    if (json_prescan(body, len, api_limits(req)->max_depth, &msg, NULL) < 0)
        return api_fail(req, -EINVAL, NULL, "%s", msg ? msg : "malformed JSON");
    root = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(root)) {
        r = api_fail(req, -EINVAL, NULL, "the body must be a JSON object");
        goto out;
    }
    cJSON_ArrayForEach(it, root)
    {
        if (!it->string || strcmp(it->string, "usernames") != 0) {
            r = api_fail(req, -EINVAL, it->string ? it->string : "", "is not a known field");
            goto out;
        }
    }
    arr = cJSON_GetObjectItemCaseSensitive(root, "usernames");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > MAX_USERNAMES) {
        r = api_fail(req, -EINVAL, "usernames", "must be an array of 1 to %d usernames",
                     MAX_USERNAMES);
        goto out;
    }
    n = (size_t)cJSON_GetArraySize(arr);
    names = api_alloc(req, n * sizeof(*names));
    if (!names) {
        r = -ENOMEM;
        goto out;
    }
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 32) {
            r = api_fail(req, -EINVAL, api_printf(req, "usernames[%zu]", i), "must be a username");
            goto out;
        }
        names[i] = api_strdup(req, it->valuestring);
        if (!names[i]) {
            r = -ENOMEM;
            goto out;
        }
        i++;
    }
    *ret = names;
    *ret_n = n;
    r = 0;
out:
    cJSON_Delete(root);
    return r;
}

int api_h_contest_participants(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    const char **names = NULL;
    struct api_json *j;
    size_t n = 0, bad = 0;
    int r = api_auth(req, API_ROLE_INSTRUCTOR);

    if (r < 0)
        return r;
    r = usernames_decode(req, &names, &n);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = find_contest(req, c, 1, &a);
    if (r < 0)
        return r;
    r = db_contest_add_participants(c, a.id, names, n, &bad);
    if (r == -EINVAL)
        return api_fail(req, r, api_printf(req, "usernames[%zu]", bad), "no such user: %s",
                        names[bad]);
    if (r < 0)
        return api_db_fail(req, r, "add participants");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kint(j, "added", r);
    api_json_end(j);
    return 0;
}

/* GET /contests/{slug}/participants: for those who run the contest, newest account first, by
 * cursor (the user's id). */
int api_h_contest_participant_list(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    char cid[24], before[24], lim[16];
    int64_t before_id;
    int limit, n;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    r = api_query_only(req, (const char *const[]){"limit", "cursor", NULL});
    if (r < 0)
        return r;
    r = api_list_params(req, &limit, &before_id);
    if (r < 0)
        return r;
    id_text(cid, sizeof(cid), a.id);
    id_text(before, sizeof(before), before_id);
    snprintf(lim, sizeof(lim), "%d", limit + 1);
    r = db_query(c, &res,
                 "SELECT u.id, u.username, u.display_name,"
                 " to_char(p.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                 " FROM contest_participants p JOIN users u ON u.id = p.user_id"
                 " WHERE p.contest_id = $1 AND p.user_id < $2::bigint"
                 " ORDER BY p.user_id DESC LIMIT $3::int",
                 3, (const char *const[]){cid, before, lim});
    if (r < 0)
        return api_db_fail(req, r, "list participants");
    n = PQntuples(res);
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_key(j, "items");
    api_json_arr(j);
    for (int i = 0; i < n && i < limit; i++) {
        api_json_obj(j);
        api_json_kstr(j, "username", api_col(res, i, 1));
        api_json_kstr(j, "display_name", api_col(res, i, 2));
        api_json_kstr(j, "joined_at", api_col(res, i, 3));
        api_json_end(j);
    }
    api_json_end(j);
    api_json_kstr(j, "next_cursor",
                  n > limit ? api_cursor_from_id(api_arena(req), db_int64(res, limit - 1, 0))
                            : NULL);
    api_json_end(j);
    PQclear(res);
    return 0;
}

/* DELETE /contests/{slug}/participants/{username}: out of the contest and its standings; their
 * submissions stay (db_contest_remove_participant). */
int api_h_contest_participant_remove(struct api_req *req)
{
    const char *username = api_param(req, "username");
    struct db_contest_access a;
    struct db_conn *c;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    if (api_username_valid(username) < 0)
        return api_fail(req, -ENOENT, "username", "no such user");
    r = db_contest_remove_participant(c, a.id, username);
    if (r == -ENOENT)
        return api_fail(req, r, "username", "no such user");
    if (r < 0)
        return api_db_fail(req, r, "remove a participant");
    if (r == 0)
        return api_fail(req, -ENOENT, "username", "%s is not a participant of this contest",
                        username);
    api_reply_empty(req, 204);
    return 0;
}

/* No fields: the body may be left out, or be {} (anything in it is refused, as on every route). */
static const struct api_field unfreeze_fields[] = {
    API_FIELD_END,
};

int api_h_contest_unfreeze(struct api_req *req)
{
    struct db_contest_access a;
    struct db_conn *c;
    char cid[24];
    size_t len = 0;
    int r = contest_to_manage(req, &c, &a);

    if (r < 0)
        return r;
    (void)api_body(req, &len);
    if (len > 0 && (r = api_body_json(req, unfreeze_fields, NULL)) < 0)
        return r;
    id_text(cid, sizeof(cid), a.id);
    r = db_query(c, NULL, "UPDATE contests SET unfrozen = true WHERE id = $1", 1,
                 (const char *const[]){cid});
    if (r < 0)
        return api_db_fail(req, r, "unfreeze a contest");
    return write_contest(req, c, a.id, 1, 200);
}
