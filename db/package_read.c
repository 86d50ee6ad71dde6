/*
 * package_read.c: a package's files into memory, from a folder or an archive (package.h).
 *
 * Nothing is extracted to disk, so no entry can land outside anything; the checks below still
 * refuse what a safe extractor would refuse (absolute paths, "..", links, devices), because a
 * package holding them is malformed or hostile and its author should hear so. Sizes are
 * counted while decompressing: the sizes an archive header claims are only used to refuse
 * early, never trusted.
 */
#include "db/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 16

int db_pkg_fail(struct db_pkg_error *err, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -EINVAL;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static void limits_fill(const struct db_pkg_limits *in, struct db_pkg_limits *out)
{
    *out = in ? *in : (struct db_pkg_limits){0};
    if (!out->max_file)
        out->max_file = DB_PKG_MAX_FILE;
    if (!out->max_total)
        out->max_total = DB_PKG_MAX_TOTAL;
    if (!out->max_entries)
        out->max_entries = DB_PKG_MAX_ENTRIES;
    if (!out->max_ratio)
        out->max_ratio = DB_PKG_MAX_RATIO;
}

void db_pkg_files_release(struct db_pkg_files *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].data);
    }
    free(f->v);
    *f = (struct db_pkg_files){0};
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct db_pkg_file *)a)->path, ((const struct db_pkg_file *)b)->path);
}

const struct db_pkg_file *db_pkg_file_get(const struct db_pkg_files *f, const char *path)
{
    struct db_pkg_file key = {.path = (char *)path};

    if (!f->n)
        return NULL;
    return bsearch(&key, f->v, f->n, sizeof(key), cmp_file);
}

/* Normalises an entry's name into out: drops "./" and empty components and a trailing '/'.
 * Refuses absolute paths, "..", backslashes, control characters and over-long or deep paths.
 * Returns 1 when the entry is to be skipped (a hidden name, a macOS resource fork), 0 to keep,
 * or -EINVAL with err set. */
static int normalise(const char *name, char *out, size_t size, struct db_pkg_error *err)
{
    size_t n = 0, depth = 0;
    const char *p = name;
    int hidden = 0;

    if (!name || !*name)
        return db_pkg_fail(err, "", 0, "an entry has no name");
    if (name[0] == '/')
        return db_pkg_fail(err, name, 0, "absolute path refused");
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == 2 && p[0] == '.' && p[1] == '.')
            return db_pkg_fail(err, name, 0, "path escapes the package (\"..\")");
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            for (size_t i = 0; i < len; i++)
                if ((unsigned char)p[i] < 0x20 || p[i] == '\\' || p[i] == 0x7f)
                    return db_pkg_fail(err, name, 0, "unsafe character in path");
            /* .timelimit is the one dot-file a package means: DOMjudge's time limit */
            if ((p[0] == '.' && !(len == 10 && !memcmp(p, ".timelimit", 10) && !p[len])) ||
                (len == 8 && !memcmp(p, "__MACOSX", 8)))
                hidden = 1;
            if (++depth > MAX_DEPTH || n + len + 2 > size)
                return db_pkg_fail(err, name, 0, "path too long or too deep");
            if (n)
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    out[n] = '\0';
    if (!n)
        return 1;
    return hidden;
}

static int add_file(struct db_pkg_files *f, const char *path, unsigned char *data, size_t len)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct db_pkg_file *v = realloc(f->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n].path = strdup(path);
    if (!f->v[f->n].path)
        return -ENOMEM;
    f->v[f->n].data = data;
    f->v[f->n].len = len;
    f->n++;
    f->total += len;
    return 0;
}

/* Sorts, refuses duplicates, and strips a single top-level folder when neither problem.json
 * nor problem.yaml is at the top but both files sit below one folder. */
static int finish(struct db_pkg_files *f, struct db_pkg_error *err)
{
    const char *slash;
    size_t plen;

    if (!f->n)
        return db_pkg_fail(err, "", 0, "the package holds no files");
    qsort(f->v, f->n, sizeof(f->v[0]), cmp_file);
    for (size_t i = 1; i < f->n; i++)
        if (!strcmp(f->v[i - 1].path, f->v[i].path))
            return db_pkg_fail(err, f->v[i].path, 0, "the package holds this file twice");
    if (db_pkg_file_get(f, "problem.json") || db_pkg_file_get(f, "problem.yaml"))
        return 0;
    slash = strchr(f->v[0].path, '/');
    if (!slash)
        return 0;
    plen = (size_t)(slash - f->v[0].path) + 1;
    for (size_t i = 0; i < f->n; i++)
        if (strncmp(f->v[i].path, f->v[0].path, plen) != 0)
            return 0;
    for (size_t i = 0; i < f->n; i++)
        memmove(f->v[i].path, f->v[i].path + plen, strlen(f->v[i].path + plen) + 1);
    return 0;
}

/* ---- archives ---- */

static int read_archive(struct archive *a, size_t archive_len, const struct db_pkg_limits *lim,
                        struct db_pkg_files *ret, struct db_pkg_error *err)
{
    struct archive_entry *e;
    char path[DB_PKG_MAX_PATH + 1];
    size_t entries = 0, expanded = 0;
    unsigned char *buf = NULL;
    int r = 0, ar;

    while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        size_t len = 0, cap;
        int skip;

        if (++entries > lim->max_entries) {
            db_pkg_fail(err, "", 0, "more than %zu entries", lim->max_entries);
            r = -E2BIG;
            goto out;
        }
        skip = normalise(name, path, sizeof(path), err);
        if (skip < 0) {
            r = skip;
            goto out;
        }
        if (archive_entry_hardlink(e)) {
            r = db_pkg_fail(err, name, 0, "hard link refused");
            goto out;
        }
        if (type == AE_IFDIR)
            continue;
        if (type == AE_IFLNK) {
            r = db_pkg_fail(err, name, 0, "symbolic link refused");
            goto out;
        }
        if (type != AE_IFREG) {
            r = db_pkg_fail(err, name, 0, "not a regular file (device, fifo or socket) refused");
            goto out;
        }
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)lim->max_file) {
            db_pkg_fail(err, name, 0, "larger than %zu bytes", lim->max_file);
            r = -E2BIG;
            goto out;
        }
        cap = archive_entry_size_is_set(e) ? (size_t)archive_entry_size(e) + 2 : 4096;
        if (cap > lim->max_file + 1)
            cap = lim->max_file + 1;
        buf = malloc(cap);
        if (!buf) {
            r = -ENOMEM;
            goto out;
        }
        for (;;) {
            la_ssize_t got;
            if (len + 1 >= cap) {
                unsigned char *nb;
                cap = cap * 2 > lim->max_file + 2 ? lim->max_file + 2 : cap * 2;
                nb = realloc(buf, cap);
                if (!nb) {
                    r = -ENOMEM;
                    goto out;
                }
                buf = nb;
            }
            got = archive_read_data(a, buf + len, cap - len - 1);
            if (got < 0) {
                r = db_pkg_fail(err, name, 0, "cannot read: %s", archive_error_string(a));
                goto out;
            }
            if (got == 0)
                break;
            len += (size_t)got;
            expanded += (size_t)got;
            if (len > lim->max_file) {
                db_pkg_fail(err, name, 0, "larger than %zu bytes", lim->max_file);
                r = -E2BIG;
                goto out;
            }
            if (ret->total + len > lim->max_total) {
                db_pkg_fail(err, name, 0, "the package is larger than %zu bytes", lim->max_total);
                r = -E2BIG;
                goto out;
            }
            if (expanded > ((size_t)16 << 20) && expanded / (archive_len + 1) > lim->max_ratio) {
                db_pkg_fail(err, name, 0, "archive bomb: expands more than %zu times",
                            lim->max_ratio);
                r = -E2BIG;
                goto out;
            }
        }
        buf[len] = '\0';
        if (skip) {
            free(buf);
            buf = NULL;
            continue;
        }
        r = add_file(ret, path, buf, len);
        if (r < 0)
            goto out;
        buf = NULL;
    }
    if (ar != ARCHIVE_EOF) {
        r = db_pkg_fail(err, "", 0, "not a readable zip or tar archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : "unknown format");
        goto out;
    }
    r = finish(ret, err);
out:
    free(buf);
    if (r < 0)
        db_pkg_files_release(ret);
    return r;
}

static struct archive *archive_new(void)
{
    struct archive *a = archive_read_new();

    if (!a)
        return NULL;
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    return a;
}

int db_pkg_read_archive(const void *data, size_t len, const struct db_pkg_limits *limits,
                        struct db_pkg_files *ret, struct db_pkg_error *err)
{
    struct db_pkg_limits lim;
    struct archive *a = NULL;
    int r;

    *ret = (struct db_pkg_files){0};
    limits_fill(limits, &lim);
    if (!len)
        return db_pkg_fail(err, "", 0, "the archive is empty");
    a = archive_new();
    if (!a)
        return -ENOMEM;
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        r = db_pkg_fail(err, "", 0, "not a zip or tar archive: %s", archive_error_string(a));
        goto out;
    }
    r = read_archive(a, len, &lim, ret, err);
out:
    archive_read_free(a);
    return r;
}

/* ---- folders ---- */

static int read_dir(int dfd, const char *prefix, int depth, const struct db_pkg_limits *lim,
                    size_t *entries, struct db_pkg_files *ret, struct db_pkg_error *err)
{
    DIR *d = NULL;
    struct dirent *de;
    char path[DB_PKG_MAX_PATH + 1];
    unsigned char *buf = NULL;
    int fd = -1, r = 0;

    d = fdopendir(dfd);
    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((de = readdir(d))) {
        struct stat st;
        size_t got = 0;

        if (de->d_name[0] == '.' && (strcmp(de->d_name, ".timelimit") != 0 || *prefix))
            continue;
        if (++*entries > lim->max_entries) {
            db_pkg_fail(err, prefix, 0, "more than %zu entries", lim->max_entries);
            r = -E2BIG;
            goto out;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "",
                             de->d_name) >= sizeof(path) ||
            depth >= MAX_DEPTH) {
            r = db_pkg_fail(err, de->d_name, 0, "path too long or too deep");
            goto out;
        }
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            r = -errno;
            db_pkg_fail(err, path, 0, "cannot stat: %s", strerror(errno));
            goto out;
        }
        if (S_ISLNK(st.st_mode)) {
            r = db_pkg_fail(err, path, 0, "symbolic link refused");
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                r = -errno;
                db_pkg_fail(err, path, 0, "cannot open: %s", strerror(errno));
                goto out;
            }
            r = read_dir(sub, path, depth + 1, lim, entries, ret, err);
            if (r < 0)
                goto out;
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            r = db_pkg_fail(err, path, 0, "not a regular file (device, fifo or socket) refused");
            goto out;
        }
        if ((size_t)st.st_size > lim->max_file) {
            db_pkg_fail(err, path, 0, "larger than %zu bytes", lim->max_file);
            r = -E2BIG;
            goto out;
        }
        if (ret->total + (size_t)st.st_size > lim->max_total) {
            db_pkg_fail(err, path, 0, "the package is larger than %zu bytes", lim->max_total);
            r = -E2BIG;
            goto out;
        }
        fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            r = -errno;
            db_pkg_fail(err, path, 0, "cannot open: %s", strerror(errno));
            goto out;
        }
        buf = malloc((size_t)st.st_size + 1);
        if (!buf) {
            r = -ENOMEM;
            goto out;
        }
        while (got < (size_t)st.st_size) {
            ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                r = -errno;
                db_pkg_fail(err, path, 0, "cannot read: %s", strerror(errno));
                goto out;
            }
            if (n == 0)
                break;
            got += (size_t)n;
        }
        close(fd);
        fd = -1;
        buf[got] = '\0';
        r = add_file(ret, path, buf, got);
        if (r < 0)
            goto out;
        buf = NULL;
    }
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    closedir(d);
    return r;
}

static int slurp(const char *path, size_t max, unsigned char **ret_data, size_t *ret_len)
{
    unsigned char *buf = NULL;
    struct stat st;
    size_t got = 0;
    int fd, r = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if ((size_t)st.st_size > max) {
        r = -E2BIG;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *ret_data = buf;
    *ret_len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return r;
}

int db_pkg_read_path(const char *path, const struct db_pkg_limits *limits, struct db_pkg_files *ret,
                     struct db_pkg_error *err)
{
    struct db_pkg_limits lim;
    unsigned char *data = NULL;
    size_t len = 0, entries = 0;
    struct stat st;
    int r, fd;

    *ret = (struct db_pkg_files){0};
    limits_fill(limits, &lim);
    if (stat(path, &st) < 0) {
        r = -errno;
        db_pkg_fail(err, path, 0, "%s", strerror(errno));
        return r;
    }
    if (S_ISREG(st.st_mode)) {
        r = slurp(path, lim.max_total, &data, &len);
        if (r == -E2BIG)
            db_pkg_fail(err, path, 0, "the archive is larger than %zu bytes", lim.max_total);
        else if (r < 0)
            db_pkg_fail(err, path, 0, "cannot read: %s", strerror(-r));
        if (r < 0)
            return r;
        r = db_pkg_read_archive(data, len, &lim, ret, err);
        free(data);
        return r;
    }
    if (!S_ISDIR(st.st_mode))
        return db_pkg_fail(err, path, 0, "neither a folder nor an archive");
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        db_pkg_fail(err, path, 0, "cannot open: %s", strerror(errno));
        return r;
    }
    r = read_dir(fd, "", 0, &lim, &entries, ret, err);
    if (r >= 0)
        r = finish(ret, err);
    if (r < 0)
        db_pkg_files_release(ret);
    return r;
}
