/*
 * utf8.c: UTF-8 checks (utf8.h).
 */
#include "common/utf8.h"

#include <string.h>

size_t utf8_seq(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0; /* continuation byte, overlong lead (c0, c1) or beyond U+10FFFF */
    if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* beyond U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0)
            break;
        i += k;
    }
    return i;
}

int utf8_valid(const char *s, size_t n)
{
    return utf8_valid_prefix(s, n) == n;
}

size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;

    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    return chars;
}

int utf8_has_controls(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        size_t k = utf8_seq(str + i, n - i);
        unsigned long cp;
        if (k == 0) { /* not UTF-8 (the caller checked first): a stray byte is no character */
            i++;
            continue;
        }
        cp = k == 1 ? s[i] : s[i] & (0x7fu >> k);
        for (size_t j = 1; j < k; j++)
            cp = cp << 6 | (s[i + j] & 0x3fu);
        if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return 1;
        i += k;
    }
    return 0;
}

void utf8_sanitize(char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0) {
            s[i++] = '?';
            continue;
        }
        i += k;
    }
}

size_t utf8_lossy(const char *s, size_t n, char *out)
{
    size_t i = 0, len = 0;

    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0) {
            memcpy(out + len, "\xef\xbf\xbd", 3);
            len += 3;
            i++;
            continue;
        }
        memcpy(out + len, s + i, k);
        len += k;
        i += k;
    }
    out[len] = '\0';
    return len;
}
