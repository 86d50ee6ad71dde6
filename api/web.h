/*
 * web.h: the web pages gavel-api serves outside /api (students', instructors' and the
 * scoreboard), and the cross-origin rules (CORS) of the API itself.
 *
 * The pages are the files of api/web/, compiled into the binary by api/web_embed.cmake: the
 * server needs no folder at run time and always serves the pages of its own version. They use
 * only the public API, from the same origin.
 *
 * Page addresses: "/" and the app's paths (/problems/..., /submissions/..., /runs,
 * /contests/..., /staff/..., /login) give app.html, /scoreboard/{slug} gives scoreboard.html,
 * /static/NAME the file NAME; anything else outside /api is an HTML 404. Every page answer
 * carries a strict Content-Security-Policy (scripts and styles from this origin only, no inline
 * code, no framing), nosniff and no-referrer, and an ETag to revalidate against (no-cache).
 */
#ifndef GAVEL_API_WEB_H
#define GAVEL_API_WEB_H

#include <stddef.h>

/* One embedded file: its path below api/web/ with a leading "/", its bytes (followed by a NUL
 * not counted in len) and a quoted strong ETag made from its hash. */
struct api_web_file {
    const char *path;
    const unsigned char *data;
    size_t len;
    const char *etag;
};

extern const struct api_web_file api_web_files[];
extern const size_t api_web_n_files;

/* The embedded file with this path ("/app.html"), or NULL. */
const struct api_web_file *api_web_file_find(const char *path);

/* The file a page address gives, from the decoded path segments of the request (n of them):
 * NULL when the address is no page (the answer is then the HTML 404, api_web_not_found). */
const struct api_web_file *api_web_route(const char *const *segments, int n);

/* The HTML 404 page. */
const struct api_web_file *api_web_not_found(void);

/* The Content-Type of a file, from its name. */
const char *api_web_content_type(const char *path);

/* The Content-Security-Policy of every page answer. */
extern const char api_web_csp[];

/* --- CORS ---
 * The origins allowed to call the API from a browser page of theirs: GAVEL_CORS_ORIGINS,
 * comma-separated "scheme://host[:port]" (none by default; "*" allows every origin, which is
 * safe only because the API's credentials are bearer tokens, never cookies). */
struct api_cors {
    char **origins;
    int n;
    int any;
};

/* Parses the comma-separated list; -EINVAL (logged) for an entry that is no origin. */
int api_cors_parse(const char *list, struct api_cors *ret);
void api_cors_release(struct api_cors *c);
/* 1 when the Origin header value may call the API. */
int api_cors_allowed(const struct api_cors *c, const char *origin);

#endif
