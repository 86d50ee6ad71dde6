/*
 * web.c: which embedded page an address gives, the pages' headers, and the CORS origin list
 * (web.h). The answers themselves are queued by server.c, beside the API's.
 */
#include "api/web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

/* Scripts, styles, images and API calls from this origin only; no inline code, no eval, no
 * plugins, no <base> tricks, and no page may frame ours (clickjacking). */
const char api_web_csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* The first path segments that are pages of the app (app.html reads the rest). */
static const char *const app_pages[] = {"login", "register", "problems", "submissions",
                                        "runs",  "contests", "staff",    NULL};

const struct api_web_file *api_web_file_find(const char *path)
{
    for (size_t i = 0; i < api_web_n_files; i++) {
        if (!strcmp(api_web_files[i].path, path))
            return &api_web_files[i];
    }
    return NULL;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

const char *api_web_content_type(const char *path)
{
    if (has_suffix(path, ".html"))
        return "text/html; charset=utf-8";
    if (has_suffix(path, ".js"))
        return "text/javascript; charset=utf-8";
    if (has_suffix(path, ".css"))
        return "text/css; charset=utf-8";
    if (has_suffix(path, ".svg"))
        return "image/svg+xml";
    if (has_suffix(path, ".png"))
        return "image/png";
    return "application/octet-stream";
}

const struct api_web_file *api_web_route(const char *const *segments, int n)
{
    char path[128];

    if (n == 0)
        return api_web_file_find("/app.html");
    for (const char *const *p = app_pages; *p; p++) {
        if (!strcmp(segments[0], *p))
            return n <= 3 ? api_web_file_find("/app.html") : NULL;
    }
    if (!strcmp(segments[0], "scoreboard"))
        return n == 2 ? api_web_file_find("/scoreboard.html") : NULL;
    /* /static/NAME: scripts, styles and images only. The table is searched by exact name, so
     * "..", "/" or any other path trick finds nothing. */
    if (!strcmp(segments[0], "static") && n == 2 && strlen(segments[1]) < sizeof(path) - 1 &&
        !strchr(segments[1], '/') && !has_suffix(segments[1], ".html")) {
        snprintf(path, sizeof(path), "/%s", segments[1]);
        return api_web_file_find(path);
    }
    return NULL;
}

const struct api_web_file *api_web_not_found(void)
{
    return api_web_file_find("/404.html");
}

/* "scheme://host[:port]" with nothing after: what a browser sends as Origin. */
static int origin_valid(const char *s)
{
    const char *host;

    if (!strncmp(s, "http://", 7))
        host = s + 7;
    else if (!strncmp(s, "https://", 8))
        host = s + 8;
    else
        return 0;
    if (!*host)
        return 0;
    for (const char *p = host; *p; p++) {
        if (*p == '/' || *p == ' ' || *p == '?' || *p == '#' || *p == '@')
            return 0;
    }
    return 1;
}

int api_cors_parse(const char *list, struct api_cors *ret)
{
    const char *p = list;

    memset(ret, 0, sizeof(*ret));
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *o;
        char **grown;

        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 1 && *p == '*') {
            ret->any = 1;
        } else if (len) {
            o = strndup(p, len);
            if (!o)
                goto nomem;
            if (len > 1 && o[len - 1] == '/')
                o[len - 1] = '\0'; /* "https://a.example/" means its origin */
            if (!origin_valid(o)) {
                log_msg(LOG_ERROR,
                        "GAVEL_CORS_ORIGINS: '%s' is not an origin like https://host:port", o);
                free(o);
                api_cors_release(ret);
                return -EINVAL;
            }
            grown = realloc(ret->origins, sizeof(char *) * (size_t)(ret->n + 1));
            if (!grown) {
                free(o);
                goto nomem;
            }
            ret->origins = grown;
            ret->origins[ret->n++] = o;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
nomem:
    api_cors_release(ret);
    return -ENOMEM;
}

void api_cors_release(struct api_cors *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->origins[i]);
    free(c->origins);
    memset(c, 0, sizeof(*c));
}

int api_cors_allowed(const struct api_cors *c, const char *origin)
{
    if (!origin || !origin_valid(origin))
        return 0;
    if (c->any)
        return 1;
    for (int i = 0; i < c->n; i++) {
        if (!strcasecmp(c->origins[i], origin))
            return 1;
    }
    return 0;
}
