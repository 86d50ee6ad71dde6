/*
 * edit.c: helpers shared by the PUT and PATCH routes of problems and contests (edit.h).
 */
#include "api/edit.h"
#include "db/problems.h"

#include <cjson/cJSON.h>
#include <string.h>
#include <strings.h>

int api_edit_text(struct api_req *req, struct api_json *j, const char **ret_text)
{
    int r = api_json_error(j);
    char *copy = NULL;

    if (r == 0) {
        copy = api_alloc(req, j->buf.len + 1);
        if (copy) {
            if (j->buf.len)
                memcpy(copy, j->buf.data, j->buf.len);
            copy[j->buf.len] = '\0';
        }
        r = copy ? 0 : -ENOMEM;
    }
    api_json_release(j);
    *ret_text = copy;
    return r;
}

/* Whether name is one of the strings of arr, in any letter case (usernames are ASCII). */
static int listed(const cJSON *arr, const char *name)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && !strcasecmp(it->valuestring, name))
            return 1;
    }
    return 0;
}

int api_edit_staff_same(const char *current, const char *const *names, size_t n)
{
    cJSON *cur = cJSON_Parse(current);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cur, "staff");
    int same = cJSON_IsArray(arr);

    for (size_t i = 0; same && i < n; i++)
        same = listed(arr, names[i]);
    /* Every current member named too (names may repeat one). */
    if (same) {
        const cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            size_t k = 0;
            while (k < n && strcasecmp(names[k], it->valuestring ? it->valuestring : ""))
                k++;
            if (k == n)
                same = 0;
        }
    }
    cJSON_Delete(cur);
    return same;
}

int api_problem_access(struct api_req *req, struct db_conn *c, const char *slug,
                       struct api_problem_access *ret)
{
    const struct api_user *u = api_user(req);
    const int staff_role = u->role >= API_ROLE_INSTRUCTOR, admin = u->role == API_ROLE_ADMIN;
    PGresult *res = NULL;
    int owner, staff, r;

    memset(ret, 0, sizeof(*ret));
    if (db_slug_valid(slug) < 0)
        return api_fail(req, -ENOENT, "slug", "no such problem");
    r = db_query(c, &res,
                 "SELECT p.id, p.visibility = 'public', p.owner_id IS NOT DISTINCT FROM $2::bigint,"
                 " EXISTS (SELECT 1 FROM problem_staff s WHERE s.problem_id = p.id"
                 "         AND s.user_id = $2::bigint), p.archived"
                 " FROM problems p WHERE p.slug = $1",
                 2, (const char *const[]){slug, api_printf(req, "%lld", (long long)u->id)});
    if (r < 0)
        return api_db_fail(req, r, "problem lookup");
    if (PQntuples(res) != 1 || (!staff_role && PQgetvalue(res, 0, 1)[0] != 't')) {
        PQclear(res);
        return api_fail(req, -ENOENT, "slug", "no such problem");
    }
    ret->id = db_int64(res, 0, 0);
    owner = u->id != 0 && PQgetvalue(res, 0, 2)[0] == 't';
    staff = PQgetvalue(res, 0, 3)[0] == 't';
    ret->archived = PQgetvalue(res, 0, 4)[0] == 't';
    ret->own = admin || (staff_role && owner);
    ret->runs = ret->own || (staff_role && staff);
    PQclear(res);
    return 0;
}
