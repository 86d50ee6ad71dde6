/*
 * markdown.h: problem statements from Markdown to HTML, on the server, with cmark (CommonMark).
 *
 * The HTML is safe to insert in a page: cmark's safe mode drops raw HTML and links or images
 * to javascript:, vbscript:, file: and data: (but images) addresses, and escapes all text.
 * Math is left readable: a $...$ or $$...$$ span is not read as Markdown (so a_1 * b_2 keeps
 * its underscores and stars) and comes out as its source text, escaped, in
 * <span class="math"> (or "math display" for $$), for a page to show as it is or typeset.
 * `\$` is a dollar sign; spans inside `code` are code.
 */
#ifndef GAVEL_API_MARKDOWN_H
#define GAVEL_API_MARKDOWN_H

#include <stddef.h>

/* The HTML of the Markdown text md (len bytes, UTF-8), malloc'ed into *ret_html (the caller
 * frees it). -ENOMEM. */
int api_markdown_html(const char *md, size_t len, char **ret_html)
    __attribute__((warn_unused_result));

#endif
