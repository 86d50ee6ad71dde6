/*
 * markdown.c: statements rendered with cmark, math spans kept out of its way (markdown.h).
 *
 * Math spans are cut out before cmark sees the text: each becomes a marker made of two
 * private-use characters around its number (U+E000 n U+E001), which Markdown gives no meaning
 * and cmark copies as text. After rendering, each marker is replaced by the escaped source of
 * its span. Private-use characters already in the statement become U+FFFD first, so no
 * marker can be forged.
 */
#include "api/markdown.h"

#include <cmark.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_OPEN   "\xee\x80\x80" /* U+E000 */
#define MARK_CLOSE  "\xee\x80\x81" /* U+E001 */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define RUN_MAX     64             /* the longest backtick run read as a code delimiter */

struct text {
    char *data;
    size_t len, cap;
    int failed;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *p;
        while (cap < t->len + n + 1)
            cap *= 2;
        p = realloc(t->data, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void put_escaped(struct text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<':
            put(t, "&lt;", 4);
            break;
        case '>':
            put(t, "&gt;", 4);
            break;
        case '&':
            put(t, "&amp;", 5);
            break;
        case '"':
            put(t, "&quot;", 6);
            break;
        default:
            put(t, s + i, 1);
        }
    }
}

struct span {
    size_t start, len;
    int display;
};

/* The end of the math span opening at md[i] ('$'), one past its closing delimiter, or 0 when
 * this dollar opens none. $$...$$ may cross lines; $...$ stays on one line, is not empty and
 * does not start or end with a space (so "costs $5 and $6" is text). */
static size_t math_end(const char *md, size_t len, size_t i, int *unclosed_display,
                       int *ret_display)
{
    if (i + 1 < len && md[i + 1] == '$') {
        if (*unclosed_display)
            return 0; /* no $$ closes after this point: not looked for again */
        for (size_t k = i + 2; k + 1 < len; k++) {
            if (md[k] == '\\') {
                k++;
                continue;
            }
            if (md[k] == '$' && md[k + 1] == '$')
                return k > i + 2 ? (*ret_display = 1, k + 2) : 0;
        }
        *unclosed_display = 1;
        return 0;
    }
    if (i + 1 >= len || md[i + 1] == ' ' || md[i + 1] == '\n')
        return 0;
    for (size_t k = i + 1; k < len && md[k] != '\n'; k++) {
        if (md[k] == '\\') {
            k++;
            continue;
        }
        if (md[k] == '$')
            return md[k - 1] != ' ' ? (*ret_display = 0, k + 1) : 0;
    }
    return 0;
}

int api_markdown_html(const char *md, size_t len, char **ret_html)
{
    struct text pre = {0}, out = {0};
    struct span *spans = NULL;
    size_t n_spans = 0, cap_spans = 0;
    char *html = NULL;
    unsigned char unclosed[RUN_MAX + 1] = {0};
    int unclosed_display = 0;
    int r = -ENOMEM;

    for (size_t i = 0; i < len;) {
        if (i + 2 < len && !memcmp(md + i, "\xee\x80", 2) &&
            ((unsigned char)md[i + 2] == 0x80 || (unsigned char)md[i + 2] == 0x81)) {
            put(&pre, REPLACEMENT, 3);
            i += 3;
        } else if (md[i] == '\\' && i + 1 < len && md[i + 1] == '$') {
            put(&pre, md + i, 2);
            i += 2;
        } else if (md[i] == '`') {
            /* a code span or fence: copied as it is up to the same run of backticks. A run
             * length found unclosed once is unclosed for the rest of the text, so it is not
             * looked for again (no quadratic scan); a run longer than RUN_MAX is text. */
            size_t run = 0, k;
            while (i + run < len && md[i + run] == '`')
                run++;
            if (run > RUN_MAX || unclosed[run]) {
                put(&pre, md + i, run);
                i += run;
                continue;
            }
            for (k = i + run; k < len; k++) {
                size_t m = 0;
                while (k + m < len && md[k + m] == '`')
                    m++;
                if (m == run)
                    break;
                k += m ? m - 1 : 0;
            }
            if (k >= len) {
                unclosed[run] = 1;
                put(&pre, md + i, run);
                i += run;
                continue;
            }
            put(&pre, md + i, k + run - i);
            i = k + run;
        } else if (md[i] == '$') {
            int display = 0;
            size_t end = math_end(md, len, i, &unclosed_display, &display);
            char mark[32];
            if (!end) {
                put(&pre, md + i, 1);
                i++;
                continue;
            }
            if (n_spans == cap_spans) {
                size_t cap = cap_spans ? cap_spans * 2 : 16;
                struct span *p = realloc(spans, cap * sizeof(*spans));
                if (!p)
                    goto out;
                spans = p;
                cap_spans = cap;
            }
            spans[n_spans] = (struct span){i, end - i, display};
            put(&pre, mark,
                (size_t)snprintf(mark, sizeof(mark), MARK_OPEN "%zu" MARK_CLOSE, n_spans));
            n_spans++;
            i = end;
        } else {
            put(&pre, md + i, 1);
            i++;
        }
    }
    if (pre.failed)
        goto out;
    html = cmark_markdown_to_html(pre.data ? pre.data : "", pre.len, CMARK_OPT_SAFE);
    if (!html)
        goto out;
    for (const char *p = html; *p;) {
        const char *m = strstr(p, MARK_OPEN), *close;
        char *end = NULL;
        unsigned long long k;
        if (!m) {
            put(&out, p, strlen(p));
            break;
        }
        put(&out, p, (size_t)(m - p));
        k = strtoull(m + 3, &end, 10);
        close = end;
        if (end == m + 3 || strncmp(close, MARK_CLOSE, 3) != 0 || k >= n_spans) {
            put(&out, REPLACEMENT, 3); /* cannot happen: markers are only ours */
            p = m + 3;
            continue;
        }
        put(&out, spans[k].display ? "<span class=\"math display\">" : "<span class=\"math\">",
            spans[k].display ? 27 : 19);
        put_escaped(&out, md + spans[k].start, spans[k].len);
        put(&out, "</span>", 7);
        p = close + 3;
    }
    if (out.failed)
        goto out;
    *ret_html = out.data ? out.data : strdup("");
    out.data = NULL;
    r = *ret_html ? 0 : -ENOMEM;
out:
    free(html);
    free(pre.data);
    free(out.data);
    free(spans);
    return r;
}
