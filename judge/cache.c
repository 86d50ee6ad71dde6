/*
 * cache.c: the test-data cache, its pruning, the precompiled headers' folders, and the small
 * file helpers the judge shares (cache.h).
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
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int valid_hash(const char *h)
{
    size_t n = 0;

    for (; h[n]; n++)
        if (!is_hex(h[n]))
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

/* Writes all len bytes to fd: 0 or -errno. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int judge_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    int r;

    if (fd < 0)
        return -errno;
    r = write_all(fd, data, len);
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

static atomic_uint tmp_counter;

/* Copies from into a new file to (an existing one is taken as the same data: names are
 * hashes). -ENOENT when from is gone. */
static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out = -1, r = 0;

    if (in < 0)
        return -errno;
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
    if (out < 0) {
        r = errno == EEXIST ? 0 : -errno;
        goto out;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            goto out;
        }
        if (n == 0)
            break;
        r = write_all(out, buf, (size_t)n);
        if (r < 0)
            goto out;
    }
out:
    if (out >= 0 && close(out) < 0 && r == 0)
        r = -errno;
    if (out >= 0 && r < 0)
        (void)unlink(to);
    close(in);
    return r;
}

/* Gives the caller its own name for a blob: a hard link, or a copy across file systems. */
static int pin(const char *from, const char *to)
{
    if (link(from, to) == 0 || errno == EEXIST)
        return 0;
    if (errno != EXDEV && errno != EPERM && errno != EMLINK)
        return -errno;
    return copy_file(from, to);
}

static int fetch(struct db_conn *conn, const char *root, const char *hash, const char *pin_dir,
                 char *ret_path, size_t size)
{
    char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 64];
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    PGresult *res = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    int r;

    if (!valid_hash(hash))
        return -EINVAL;
    if ((size_t)snprintf(dir, sizeof(dir), "%s/%.2s", root, hash) >= sizeof(dir) ||
        (size_t)snprintf(path, sizeof(path), "%s/%s", dir, hash) >= sizeof(path) ||
        (size_t)snprintf(ret_path, size, "%s/%s", pin_dir ? pin_dir : dir, hash) >= size)
        return -ENAMETOOLONG;
    /* Pin first, then mark used: once pinned, an eviction racing with us costs nothing. */
    r = pin_dir ? pin(path, ret_path) : access(path, F_OK) == 0 ? 0 : -errno;
    if (r == 0) {
        (void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
        return 0;
    }
    if (r != -ENOENT)
        return r;

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
    /* Pinned before it is visible: no eviction can come between. */
    if (chmod(tmp, 0444) < 0)
        r = -errno;
    if (r >= 0 && pin_dir)
        r = pin(tmp, ret_path);
    if (r >= 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
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

int judge_cache_fetch(struct db_conn *conn, const char *root, const char *hash, char *ret_path,
                      size_t size)
{
    return fetch(conn, root, hash, NULL, ret_path, size);
}

int judge_cache_fetch_pinned(struct db_conn *conn, const char *root, const char *hash,
                             const char *pin_dir, char *ret_path, size_t size)
{
    return fetch(conn, root, hash, pin_dir, ret_path, size);
}

/* --- pruning the test data --- */

struct blob_entry {
    int64_t mtime_ns;
    uint64_t bytes;
    char name[65];
};

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_ns(&ts);
}

static int older_first(const void *a, const void *b)
{
    const struct blob_entry *x = a, *y = b;

    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int is_fanout(const char *n)
{
    return strlen(n) == 2 && is_hex(n[0]) && is_hex(n[1]);
}

/* Lists the blobs of one fan-out folder into *list; removes its stale temporary files. */
static int scan_fanout(int rootfd, const char *sub, int64_t now, struct blob_entry **list,
                       size_t *n, size_t *cap, struct judge_cache_usage *u)
{
    int fd = openat(rootfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *e;
    struct stat st;

    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
    d = fdopendir(fd);
    if (!d) {
        int r = -errno;
        close(fd);
        return r;
    }
    while ((e = readdir(d))) {
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (!strncmp(e->d_name, ".tmp-", 5)) {
            if (now - ts_ns(&st.st_mtim) > (int64_t)JUDGE_CACHE_STALE_S * 1000000000 &&
                unlinkat(dirfd(d), e->d_name, 0) == 0)
                u->stale++;
            continue;
        }
        if (!valid_hash(e->d_name) || strncmp(e->d_name, sub, 2) != 0)
            continue; /* not ours: left alone, not counted */
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 1024;
            struct blob_entry *l = realloc(*list, c * sizeof(*l));
            if (!l) {
                closedir(d);
                return -ENOMEM;
            }
            *list = l;
            *cap = c;
        }
        struct blob_entry *b = &(*list)[(*n)++];
        b->mtime_ns = ts_ns(&st.st_mtim);
        b->bytes = (uint64_t)st.st_blocks * 512;
        memcpy(b->name, e->d_name, sizeof(b->name));
        u->bytes += b->bytes;
        u->files++;
    }
    closedir(d);
    return 0;
}

int judge_cache_prune(const char *root, uint64_t max_bytes, struct judge_cache_usage *ret)
{
    struct judge_cache_usage u = {0};
    struct blob_entry *list = NULL;
    size_t n = 0, cap = 0;
    int rootfd, lockfd = -1, r = 0;
    int64_t now = now_ns();
    DIR *d = NULL;
    struct dirent *e;

    *ret = u;
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return errno == ENOENT ? 0 : -errno;
    /* Two pruners would each evict what they think is needed: one at a time. */
    lockfd = openat(rootfd, ".prune.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lockfd < 0) {
        r = -errno;
        goto out;
    }
    if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
        r = errno == EWOULDBLOCK ? -EBUSY : -errno;
        goto out;
    }
    d = fdopendir(rootfd);
    if (!d) {
        r = -errno;
        goto out;
    }
    rootfd = -1; /* d owns it */
    while ((e = readdir(d))) {
        if (!is_fanout(e->d_name))
            continue;
        r = scan_fanout(dirfd(d), e->d_name, now, &list, &n, &cap, &u);
        if (r < 0)
            goto out;
    }
    if (u.bytes > max_bytes) {
        uint64_t target = max_bytes - max_bytes / 10;
        qsort(list, n, sizeof(*list), older_first);
        for (size_t i = 0; i < n && u.bytes > target; i++) {
            char rel[68];
            struct stat st;
            snprintf(rel, sizeof(rel), "%.2s/%s", list[i].name, list[i].name);
            /* Used since the scan: it is no longer among the least recent. */
            if (fstatat(dirfd(d), rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                ts_ns(&st.st_mtim) != list[i].mtime_ns)
                continue;
            /* Gone already (another judge's pruner, before the lock) counts as removed. */
            if (unlinkat(dirfd(d), rel, 0) < 0 && errno != ENOENT)
                continue;
            u.bytes -= list[i].bytes;
            u.files--;
            u.evicted++;
            u.evicted_bytes += list[i].bytes;
        }
    }
out:
    free(list);
    if (d)
        closedir(d);
    if (rootfd >= 0)
        close(rootfd);
    if (lockfd >= 0)
        close(lockfd);
    *ret = u;
    return r;
}

/* --- precompiled headers --- */

/* "ID-KEY", KEY a hash of first and the n strings of argv, each with its NUL. */
static void keyed_name(const char *id, const char *first, char *const *argv, int n, char *ret,
                       size_t size)
{
    unsigned char digest[crypto_generichash_BYTES_MIN];
    char key[crypto_generichash_BYTES_MIN * 2 + 1];
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    crypto_generichash_update(&st, (const unsigned char *)first, strlen(first) + 1);
    for (int i = 0; i < n; i++)
        crypto_generichash_update(&st, (const unsigned char *)argv[i], strlen(argv[i]) + 1);
    crypto_generichash_final(&st, digest, sizeof(digest));
    sodium_bin2hex(key, sizeof(key), digest, sizeof(digest));
    snprintf(ret, size, "%s-%s", id, key);
}

void judge_pch_name(const struct judge_lang *lang, char *ret, size_t size)
{
    keyed_name(lang->id, lang->pch_header, lang->pch_argv, lang->n_pch, ret, size);
}

void judge_archive_name(const struct judge_lang *lang, char *ret, size_t size)
{
    keyed_name(lang->id, lang->version, lang->archive_argv, lang->n_archive, ret, size);
}

int judge_pch_hold(const char *dir)
{
    struct stat held, now;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

    if (fd < 0)
        return -errno;
    /* The pruner holds its exclusive lock only to rename the folder away: a short wait. */
    while (flock(fd, LOCK_SH) < 0) {
        if (errno != EINTR) {
            r = -errno;
            close(fd);
            return r;
        }
    }
    /* Still under its name once locked? Else the pruner took it first. */
    if (fstat(fd, &held) < 0 || stat(dir, &now) < 0 || held.st_ino != now.st_ino ||
        held.st_dev != now.st_dev) {
        close(fd);
        return -ENOENT;
    }
    return fd;
}

/* Removes folder name of dfd and all it holds. */
static int remove_tree(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    r = fs_clear_at(fd);
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
        r = -errno;
    return r;
}

int judge_pch_prune_dirs(const char *pch_root, const char *const *keep, size_t n_keep)
{
    int64_t now = now_ns();
    struct dirent *e;
    struct stat st;
    int fd = open(pch_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), removed = 0;
    DIR *d;

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    d = fdopendir(fd);
    if (!d) {
        int r = -errno;
        close(fd);
        return r;
    }
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        char trash[64];
        int kept = 0, lock;

        if (!strcmp(name, ".") || !strcmp(name, "..") ||
            fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (!strncmp(name, ".build-", 7)) {
            /* A build in progress is younger than any compile's limit. */
            if (now - ts_ns(&st.st_mtim) > (int64_t)JUDGE_CACHE_STALE_S * 1000000000 &&
                remove_tree(dirfd(d), name) >= 0)
                removed++;
            continue;
        }
        if (!strncmp(name, ".trash-", 7)) {
            /* A pruner died while emptying it. */
            (void)remove_tree(dirfd(d), name);
            continue;
        }
        if (name[0] == '.')
            continue;
        for (size_t i = 0; i < n_keep && !kept; i++)
            kept = !strcmp(name, keep[i]);
        if (kept)
            continue;
        lock = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lock < 0)
            continue;
        if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
            close(lock); /* a compile is using it: next time */
            continue;
        }
        snprintf(trash, sizeof(trash), ".trash-%d-%u", (int)getpid(),
                 atomic_fetch_add(&tmp_counter, 1));
        if (renameat(dirfd(d), name, dirfd(d), trash) < 0) {
            close(lock);
            continue;
        }
        close(lock);
        if (remove_tree(dirfd(d), trash) >= 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* judge_pch_prune_dirs keeping the folder name_of gives each language of the query's ids. */
static int prune_unnamed(struct db_conn *conn, const char *root, const char *sql,
                         void (*name_of)(const struct judge_lang *, char *, size_t))
{
    PGresult *res = NULL;
    char(*names)[64] = NULL;
    const char **keep = NULL;
    int n, r;

    r = db_query(conn, &res, sql, 0, NULL);
    if (r < 0)
        return r;
    n = PQntuples(res);
    names = calloc((size_t)n + 1, sizeof(*names));
    keep = calloc((size_t)n + 1, sizeof(*keep));
    if (!names || !keep) {
        r = -ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        struct judge_lang lang;
        r = judge_lang_load(conn, PQgetvalue(res, i, 0), &lang);
        if (r < 0)
            goto out;
        name_of(&lang, names[i], sizeof(names[i]));
        judge_lang_release(&lang);
        keep[i] = names[i];
    }
    r = judge_pch_prune_dirs(root, keep, (size_t)n);
out:
    free(keep);
    free(names);
    PQclear(res);
    return r;
}

int judge_pch_prune(struct db_conn *conn, const char *pch_root)
{
    return prune_unnamed(conn, pch_root,
                         "SELECT id FROM languages WHERE pch_header IS NOT NULL ORDER BY id",
                         judge_pch_name);
}

int judge_archive_prune(struct db_conn *conn, const char *archive_root)
{
    return prune_unnamed(conn, archive_root,
                         "SELECT id FROM languages WHERE archive_argv IS NOT NULL ORDER BY id",
                         judge_archive_name);
}
