/*
 * export.c: `gavel export SLUG [-o FILE] [--tar-gz]` — a stored problem as a package in
 * Gavel's format (a zip by default), which `gavel import` reads back to the same problem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/package.h"
#include "judge/cli/cli.h"

static int write_file(const char *path, const unsigned char *data, size_t len)
{
    size_t done = 0;
    int fd, r = 0;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return -errno;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            break;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r;
}

int cli_export(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *slug = NULL, *out = NULL;
    unsigned char *data = NULL;
    char name[128];
    size_t len = 0;
    int tar_gz = 0, r;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o")) {
            if (i + 1 >= argc || !*argv[i + 1])
                return cli_usage("export", "-o needs a FILE");
            out = argv[++i];
        } else if (!strcmp(argv[i], "--tar-gz")) {
            tar_gz = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("export", "unknown option %s", argv[i]);
        } else if (slug) {
            return cli_usage("export", "unexpected argument %s (one SLUG at a time)", argv[i]);
        } else {
            slug = argv[i];
        }
    }
    if (!slug)
        return cli_usage("export", "missing SLUG");
    if (!out) {
        snprintf(name, sizeof(name), "%.64s.%s", slug, tar_gz ? "tar.gz" : "zip");
        out = name;
    }
    r = db_pkg_export(ctx->conn, slug, tar_gz, &data, &len);
    if (r == -ENOENT) {
        fprintf(stderr, "gavel export: no problem %s\n", slug);
        return 1;
    }
    if (r < 0) {
        fprintf(stderr, "gavel export: %s: %s\n", slug, strerror(-r));
        return 1;
    }
    r = write_file(out, data, len);
    free(data);
    if (r < 0) {
        fprintf(stderr, "gavel export: %s: %s\n", out, strerror(-r));
        return 1;
    }
    printf("exported %s to %s (%zu bytes)\n", slug, out, len);
    return 0;
}
