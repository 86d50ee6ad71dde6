/*
 * json_scan.h: a look at raw JSON text before a parser gets it, for what parsing into C strings
 * would hide or what would cost too much: a NUL byte, a \u0000 escape (either would cut a
 * decoded string short and lose the rest silently) and nesting deeper than the caller allows.
 */
#ifndef GAVEL_COMMON_JSON_SCAN_H
#define GAVEL_COMMON_JSON_SCAN_H

#include <stddef.h>

/* 0 when the len bytes of text pass; -EINVAL with *ret_msg (a static string) and *ret_at (the
 * byte offset of the fault; ret_at may be NULL) when they do not. Does not check the syntax. */
int json_prescan(const char *text, size_t len, int max_depth, const char **ret_msg, size_t *ret_at)
    __attribute__((warn_unused_result));

#endif
