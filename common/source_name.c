/*
 * source_name.c: names of the files of a submission (source_name.h).
 */
#include "common/source_name.h"

#include <strings.h>
#include <string.h>

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '+' || c == '.';
}

const char *source_name_check(const char *name)
{
    size_t n = strlen(name);

    if (n == 0)
        return "must not be empty";
    if (n > SOURCE_NAME_MAX)
        return "must be at most 128 bytes";
    if (name[0] == '/')
        return "must be a relative path (no leading /)";
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '/') {
            if (name[i + 1] == '/' || name[i + 1] == '\0')
                return "must not have an empty path component (// or a trailing /)";
            continue;
        }
        if (!name_char(c))
            return "may hold only A-Z a-z 0-9 _ - + . and / between folders";
        if (c == '.' && (i == 0 || name[i - 1] == '/'))
            return "must not have a component starting with a dot (no . or ..)";
    }
    return NULL;
}

/* 1 when a, compared ignoring case, is a folder of b: b starts with a + "/". */
static int folder_of(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strncasecmp(a, b, n) == 0 && b[n] == '/';
}

long source_names_clash(const char *const *names, size_t n, const char **ret_why)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcasecmp(names[i], names[k]) == 0) {
                *ret_why = "is given twice (names are compared ignoring case)";
                return (long)i;
            }
            if (folder_of(names[i], names[k]) || folder_of(names[k], names[i])) {
                *ret_why = "is both a file and a folder of another file";
                return (long)i;
            }
        }
    }
    return -1;
}
