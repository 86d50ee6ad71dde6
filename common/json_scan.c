/*
 * json_scan.c: the checks before a JSON parse (json_scan.h).
 */
#include "common/json_scan.h"

#include <errno.h>
#include <string.h>

static int fail(const char *msg, size_t at, const char **ret_msg, size_t *ret_at)
{
    *ret_msg = msg;
    if (ret_at)
        *ret_at = at;
    return -EINVAL;
}

int json_prescan(const char *t, size_t len, int max_depth, const char **ret_msg, size_t *ret_at)
{
    const char *nul = memchr(t, '\0', len);
    int depth = 0, in_string = 0;

    /* Anywhere, strings included: a raw NUL is not JSON, and inside a string it would cut the
     * decoded value short (a source or a test silently truncated). */
    if (nul)
        return fail("NUL byte in JSON", (size_t)(nul - t), ret_msg, ret_at);
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (in_string) {
            if (c == '\\') {
                if (i + 5 < len && strncmp(t + i + 1, "u0000", 5) == 0)
                    return fail("strings may not contain \\u0000", i, ret_msg, ret_at);
                i++;
            } else if (c == '"') {
                in_string = 0;
            }
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return fail("JSON nested too deeply", i, ret_msg, ret_at);
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}
