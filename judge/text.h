/*
 * text.h: making bytes from programs safe to store as PostgreSQL text.
 *
 * Compiler messages quote the source, checkers print what they like and runtimes echo the
 * program's bytes: any of it may hold NUL or invalid UTF-8, which a text column refuses (and a
 * refused result would be an internal error). judge_text_sanitize fixes them in place.
 */
#ifndef GAVEL_JUDGE_TEXT_H
#define GAVEL_JUDGE_TEXT_H

#include <stddef.h>

/* Replaces, in place, every byte that is NUL or not part of a valid UTF-8 sequence (overlong
 * forms, surrogates and code points above U+10FFFF included) by '?'. The length is unchanged. */
void judge_text_sanitize(char *s, size_t len);

#endif
