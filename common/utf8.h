/*
 * utf8.h: UTF-8 text as PostgreSQL's text type takes it: no NUL byte, no overlong forms, no
 * surrogates, nothing past U+10FFFF. Everything that stores what users or programs send checks
 * or fixes it here first, so that a bad byte is a clear error (or a '?') and never a refused
 * query.
 *
 *     if (!utf8_valid(s, n)) ...            // refuse it
 *     utf8_chars(title, strlen(title))      // a length as the schema's length() counts it
 *     utf8_has_controls(name, n)            // refuse what would garble a name on screen
 *     utf8_sanitize(output, n);             // store a program's bytes whatever they are
 *     utf8_lossy(bytes, n, out)             // a text copy to show, U+FFFD for each bad byte
 */
#ifndef GAVEL_COMMON_UTF8_H
#define GAVEL_COMMON_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the valid character at s, of which n >= 1 bytes are readable, or 0
 * when none starts there (a NUL, a stray continuation byte, a bad or cut sequence). */
size_t utf8_seq(const char *s, size_t n);

/* The bytes of the longest valid prefix of the n bytes at s: n when all of them are valid. */
size_t utf8_valid_prefix(const char *s, size_t n);

/* 1 when the n bytes at s are all valid, else 0. */
int utf8_valid(const char *s, size_t n);

/* The characters of n bytes of valid UTF-8 (the bytes that start one). */
size_t utf8_chars(const char *s, size_t n);

/* 1 when the n bytes of valid UTF-8 at s hold a character that has no place in a name shown to
 * others, else 0: a C0 control (U+0000-U+001F), DEL and the C1 controls (U+007F-U+009F), or a
 * bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which would
 * reorder the text shown after it. */
int utf8_has_controls(const char *s, size_t n);

/* Replaces, in place, every byte that does not belong to a valid character by '?'. The length
 * is unchanged. */
void utf8_sanitize(char *s, size_t n);

/* Writes to out (room for 3 * n + 1 bytes) the n bytes at s with every byte that does not
 * belong to a valid character (a NUL included) replaced by U+FFFD, NUL-terminated; returns
 * its length. */
size_t utf8_lossy(const char *s, size_t n, char *out);

#endif
