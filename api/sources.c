/*
 * sources.c: sources and files as a reader gets them (sources.h).
 */
#include "api/sources.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int api_json_source(struct api_json *j, const PGresult *res, int text, int bytes, int b64,
                    int *ret_lossy)
{
    const char *s = PQgetvalue(res, 0, text);
    unsigned char *exact;
    size_t n = 0;
    int r;

    *ret_lossy = 0;
    if (db_isnull(res, 0, bytes))
        return api_json_bytes(j, s, strlen(s), b64, ret_lossy);
    exact = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, bytes), &n);
    if (!exact)
        return -ENOMEM;
    r = api_json_bytes(j, (const char *)exact, n, b64, ret_lossy);
    PQfreemem(exact);
    return r;
}

/* One file's content: its exact bytes in base64 (given, or of its text), or its text. */
static int file_content(struct api_json *j, const cJSON *f, int b64, int *ret_lossy)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(f, "content");
    const cJSON *exact = cJSON_GetObjectItemCaseSensitive(f, "content_base64");
    const char *text = cJSON_IsString(content) ? content->valuestring : "";

    *ret_lossy = cJSON_IsString(exact);
    api_json_key(j, "content");
    if (!b64) {
        api_json_str(j, text);
        return 0;
    }
    *ret_lossy = 0;
    if (cJSON_IsString(exact)) {
        api_json_str(j, exact->valuestring);
        return 0;
    }
    int lossy;
    return api_json_bytes(j, text, strlen(text), 1, &lossy);
}

int api_json_files(struct api_json *j, const char *files_json, int b64, uint64_t *ret_lossy)
{
    cJSON *arr = cJSON_Parse(files_json), *f;
    int i = 0, r = 0;

    *ret_lossy = 0;
    if (!arr)
        return cJSON_GetErrorPtr() ? -EINVAL : -ENOMEM;
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return -EINVAL;
    }
    api_json_arr(j);
    cJSON_ArrayForEach(f, arr)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        int lossy = 0;
        api_json_obj(j);
        api_json_kstr(j, "name", cJSON_IsString(name) ? name->valuestring : "");
        if (r == 0)
            r = file_content(j, f, b64, &lossy);
        api_json_end(j);
        if (lossy && i < 64)
            *ret_lossy |= (uint64_t)1 << i;
        i++;
    }
    api_json_end(j);
    cJSON_Delete(arr);
    return r;
}

void api_json_not_utf8(struct api_json *j, const char *const *names, int n, uint64_t files_lossy)
{
    char field[32];

    api_json_key(j, "not_utf8");
    api_json_arr(j);
    for (int i = 0; i < n; i++) {
        if (names[i])
            api_json_str(j, names[i]);
    }
    for (int i = 0; i < 64; i++) {
        if (files_lossy & ((uint64_t)1 << i)) {
            snprintf(field, sizeof(field), "files[%d].content", i);
            api_json_str(j, field);
        }
    }
    api_json_end(j);
}
