/*
 * cache.c: the test-data cache and the small file helpers the judge shares (cache.h).
 */
#include "judge/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int valid_hash(const char *h)
{
    size_t n = 0;

    for (; h[n]; n++)
        if (!((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f')))
            return 0;
    return n == 64;
}

int judge_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        buf[i] = c;
    }
    return 0;
}

int judge_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    int r = 0;

    if (fd < 0)
        return -errno;
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            r = -errno;
            goto out;
        }
        data += w;
        len -= (size_t)w;
    }
out:
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r;
}

int judge_read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0, cap;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = -EINVAL;
        goto out;
    }
    if ((uint64_t)st.st_size > max_size) {
        r = -E2BIG;
        goto out;
    }
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            goto out;
        }
        if (n == 0 || len + (size_t)n == cap - 1) {
            len += (size_t)n;
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    *ret_data = buf;
    *ret_len = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return r;
}

static int clear_at(int dfd)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    int r = 0;

    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            r = -errno;
            continue;
        }
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            r = -errno;
            continue;
        }
        /* A box may leave folders it made read-only: open them up before emptying. */
        (void)fchmod(sub, 0700);
        int rr = clear_at(sub);
        if (rr < 0)
            r = rr;
        if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
            r = -errno;
    }
    closedir(d);
    return r;
}

int judge_clear_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    return clear_at(fd);
}

static atomic_uint tmp_counter;

int judge_cache_fetch(struct db_conn *conn, const char *root, const char *hash, char *ret_path,
                      size_t size)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    PGresult *res = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    int r;

    if (!valid_hash(hash))
        return -EINVAL;
    if ((size_t)snprintf(dir, sizeof(dir), "%s/%.2s", root, hash) >= sizeof(dir) ||
        (size_t)snprintf(ret_path, size, "%s/%s", dir, hash) >= size)
        return -ENAMETOOLONG;
    if (access(ret_path, F_OK) == 0)
        return 0;

    r = judge_mkdirs(dir);
    if (r < 0)
        return r;
    r = db_query(conn, &res, "SELECT data FROM blobs WHERE hash = $1", 1, (const char *[]){hash});
    if (r < 0)
        return r;
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        goto out;
    }
    data = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &len);
    if (!data) {
        r = -ENOMEM;
        goto out;
    }
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    if (strcmp(hex, hash) != 0) {
        r = -EBADMSG;
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-%u", dir, (int)getpid(),
             atomic_fetch_add(&tmp_counter, 1));
    r = judge_write_file(tmp, (const char *)data, len);
    if (r < 0)
        goto out;
    if (chmod(tmp, 0444) < 0 || rename(tmp, ret_path) < 0) {
        r = -errno;
        (void)unlink(tmp);
        goto out;
    }
    r = 1;
out:
    if (data)
        PQfreemem(data);
    PQclear(res);
    return r;
}
