/*
 * test_cache.c: the bounds of the judge's caches (label unit): least-recently-used eviction of
 * test data, pins that eviction cannot take, stale temporary files, and the precompiled
 * headers' folders that no language uses any more.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "judge/cache.h"
#include "tests/harness.h"

/* A hash-like name: 64 hex digits from a number. */
static void hash_name(int k, char ret[65])
{
    for (int i = 0; i < 64; i++)
        ret[i] = "0123456789abcdef"[(k * 7 + i * (k + 3)) % 16];
    ret[64] = '\0';
}

static void make_root(char *root)
{
    strcpy(root, "/tmp/gavel-cache-XXXXXX");
    if (!mkdtemp(root))
        abort();
}

static void remove_root(const char *root)
{
    CHECK_INT(fs_clear_dir(root), 0);
    CHECK_INT(rmdir(root), 0);
}

/* Sets a file's mtime to `age` seconds ago. */
static void age(const char *path, int seconds)
{
    struct timespec t[2];

    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= seconds;
    t[1] = t[0];
    if (utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW) < 0)
        abort();
}

/* Writes a blob of `len` bytes as ROOT/ab/HASH, `seconds` old; returns its disk space. */
static uint64_t put_blob(const char *root, const char *hash, size_t len, int seconds, char *path,
                         size_t size)
{
    char dir[PATH_MAX], *data = malloc(len ? len : 1);
    struct stat st;

    memset(data, 'x', len);
    snprintf(dir, sizeof(dir), "%s/%.2s", root, hash);
    if (judge_mkdirs(dir) < 0)
        abort();
    if ((size_t)snprintf(path, size, "%s/%s", dir, hash) >= size)
        abort();
    if (judge_write_file(path, data, len) < 0 || chmod(path, 0444) < 0)
        abort();
    free(data);
    age(path, seconds);
    if (stat(path, &st) < 0)
        abort();
    return (uint64_t)st.st_blocks * 512;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

TEST(prune_evicts_least_recently_used_down_to_90_percent)
{
    char root[64], paths[10][PATH_MAX], h[65];
    uint64_t total = 0, each = 0;
    struct judge_cache_usage u;

    make_root(root);
    for (int k = 0; k < 10; k++) {
        hash_name(k, h);
        /* k = 0 is the oldest */
        each = put_blob(root, h, 8192, 1000 - k * 10, paths[k], sizeof(paths[k]));
        total += each;
    }
    /* Under the cap: nothing goes. */
    CHECK_INT(judge_cache_prune(root, total, &u), 0);
    CHECK_INT(u.evicted, 0);
    CHECK_INT(u.files, 10);
    CHECK_INT(u.bytes, total);
    /* Over it: down to 90% of the cap, the oldest first. Each is a tenth of the total; 90% of
     * three quarters is 67.5%: four go. */
    CHECK_INT(judge_cache_prune(root, total * 3 / 4, &u), 0);
    CHECK_INT(u.evicted, 4);
    CHECK_INT(u.evicted_bytes, 4 * each);
    CHECK_INT(u.files, 6);
    CHECK(u.bytes <= total * 3 / 4 * 9 / 10);
    for (int k = 0; k < 10; k++)
        CHECK_INT(exists(paths[k]), k >= 4);
    remove_root(root);
}

TEST(a_fetch_marks_used_and_its_pin_outlives_eviction)
{
    char root[64], pins[PATH_MAX], a[PATH_MAX], b[PATH_MAX], ha[65], hb[65], pinned[PATH_MAX];
    char *data = NULL;
    size_t len = 0;
    uint64_t each;
    struct judge_cache_usage u;
    struct stat st_cache, st_pin;

    make_root(root);
    snprintf(pins, sizeof(pins), "%s-pins", root);
    REQUIRE(mkdir(pins, 0755) == 0);
    hash_name(1, ha);
    hash_name(2, hb);
    each = put_blob(root, ha, 5000, 500, a, sizeof(a)); /* a is the older */
    (void)put_blob(root, hb, 5000, 100, b, sizeof(b));
    /* Present: no database needed. Using a makes it the most recent. */
    CHECK_INT(judge_cache_fetch_pinned(NULL, root, ha, pins, pinned, sizeof(pinned)), 0);
    CHECK(strncmp(pinned, pins, strlen(pins)) == 0);
    REQUIRE(stat(a, &st_cache) == 0 && stat(pinned, &st_pin) == 0);
    CHECK(st_cache.st_ino == st_pin.st_ino); /* a link, not a copy */
    CHECK(time(NULL) - st_cache.st_mtime < 60);
    /* Pinning twice (the same data in two tests of one job) is fine. */
    CHECK_INT(judge_cache_fetch_pinned(NULL, root, ha, pins, pinned, sizeof(pinned)), 0);
    /* Room for one: the least recently used, b, goes although it was written later. */
    CHECK_INT(judge_cache_prune(root, each + each / 2, &u), 0);
    CHECK_INT(u.evicted, 1);
    CHECK(exists(a));
    CHECK(!exists(b));
    /* Room for none: a goes from the cache, but whoever pinned it still reads it whole. */
    CHECK_INT(judge_cache_prune(root, 1, &u), 0);
    CHECK_INT(u.files, 0);
    CHECK(!exists(a));
    REQUIRE(judge_read_file(pinned, 1 << 20, &data, &len) == 0);
    CHECK_INT(len, 5000);
    CHECK(data[0] == 'x' && data[4999] == 'x');
    free(data);
    /* A malformed hash is refused before any lookup. */
    CHECK_INT(judge_cache_fetch_pinned(NULL, root, "../x", pins, pinned, sizeof(pinned)), -EINVAL);
    remove_root(pins);
    remove_root(root);
}

TEST(prune_removes_stale_temporary_files_only)
{
    char root[64], dir[128], old_tmp[PATH_MAX], new_tmp[PATH_MAX], other[PATH_MAX];
    struct judge_cache_usage u;

    make_root(root);
    snprintf(dir, sizeof(dir), "%s/ab", root);
    REQUIRE(judge_mkdirs(dir) == 0);
    snprintf(old_tmp, sizeof(old_tmp), "%s/.tmp-4242-0", dir);
    snprintf(new_tmp, sizeof(new_tmp), "%s/.tmp-4242-1", dir);
    snprintf(other, sizeof(other), "%s/notes.txt", dir);
    REQUIRE(judge_write_file(old_tmp, "half", 4) == 0);
    REQUIRE(judge_write_file(new_tmp, "half", 4) == 0);
    REQUIRE(judge_write_file(other, "mine", 4) == 0);
    age(old_tmp, JUDGE_CACHE_STALE_S + 60);
    age(other, JUDGE_CACHE_STALE_S + 60);
    CHECK_INT(judge_cache_prune(root, 1ULL << 30, &u), 0);
    CHECK_INT(u.stale, 1);
    CHECK(!exists(old_tmp));
    CHECK(exists(new_tmp)); /* a fetch in progress */
    CHECK(exists(other));   /* not the cache's: neither counted nor removed */
    CHECK_INT(u.files, 0);
    remove_root(root);
}

TEST(one_pruner_at_a_time)
{
    char root[64], path[PATH_MAX], lock[PATH_MAX], h[65];
    struct judge_cache_usage u;
    int fd;

    make_root(root);
    hash_name(5, h);
    (void)put_blob(root, h, 5000, 100, path, sizeof(path));
    snprintf(lock, sizeof(lock), "%s/.prune.lock", root);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX) == 0);
    CHECK_INT(judge_cache_prune(root, 1, &u), -EBUSY);
    CHECK(exists(path));
    close(fd);
    CHECK_INT(judge_cache_prune(root, 1, &u), 0);
    CHECK(!exists(path));
    CHECK_INT(judge_cache_prune("/nonexistent/gavel-cache", 1, &u), 0);
    remove_root(root);
}

static void mkdir_with_file(const char *root, const char *name, int seconds)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", root, name);
    if (mkdir(path, 0755) < 0)
        abort();
    snprintf(path, sizeof(path), "%s/%s/bits", root, name);
    if (mkdir(path, 0755) < 0)
        abort();
    snprintf(path, sizeof(path), "%s/%s/bits/stdc++.h.gch", root, name);
    if (judge_write_file(path, "gch", 3) < 0)
        abort();
    snprintf(path, sizeof(path), "%s/%s", root, name);
    if (seconds)
        age(path, seconds);
}

static int has(const char *root, const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", root, name);
    return exists(path);
}

TEST(pch_folders_no_language_names_are_removed_unless_held)
{
    char root[64], held_path[PATH_MAX];
    const char *keep[] = {"cpp-current"};
    int held;

    make_root(root);
    mkdir_with_file(root, "cpp-current", 0);
    mkdir_with_file(root, "cpp-oldcommand", 0);
    mkdir_with_file(root, "c-inuse", 0);
    mkdir_with_file(root, ".build-4242-0", JUDGE_CACHE_STALE_S + 60); /* a judge died */
    mkdir_with_file(root, ".build-4242-1", 0);                        /* being built */
    mkdir_with_file(root, ".trash-4242-0", 0);                        /* a pruner died */
    snprintf(held_path, sizeof(held_path), "%s/c-inuse", root);
    held = judge_pch_hold(held_path);
    REQUIRE(held >= 0);
    CHECK_INT(judge_pch_prune_dirs(root, keep, 1), 2);
    CHECK(has(root, "cpp-current"));
    CHECK(!has(root, "cpp-oldcommand"));
    CHECK(has(root, "c-inuse")); /* a compile binds it now */
    CHECK(!has(root, ".build-4242-0"));
    CHECK(has(root, ".build-4242-1"));
    CHECK(!has(root, ".trash-4242-0"));
    /* Let go: the next round takes it, and a compile that comes later finds it gone. */
    close(held);
    CHECK_INT(judge_pch_prune_dirs(root, keep, 1), 1);
    CHECK(!has(root, "c-inuse"));
    CHECK_INT(judge_pch_hold(held_path), -ENOENT);
    held = judge_pch_hold(root);
    CHECK(held >= 0);
    if (held >= 0)
        close(held);
    CHECK_INT(judge_pch_prune_dirs("/nonexistent/gavel-pch", keep, 1), 0);
    remove_root(root);
}

TEST(pch_name_follows_the_command)
{
    char *a1[] = {"/usr/bin/g++", "-O2", "-x", "c++-header", "{header}", "-o", "{out}"};
    char *a2[] = {"/usr/bin/g++", "-O2",      "-std=gnu++20", "-x",
                  "c++-header",   "{header}", "-o",           "{out}"};
    struct judge_lang l = {.id = "cpp", .pch_header = "bits/stdc++.h", .n_pch = 7};
    char n1[64], n1b[64], n2[64], n3[64];

    memcpy(l.pch_argv, a1, sizeof(a1));
    judge_pch_name(&l, n1, sizeof(n1));
    judge_pch_name(&l, n1b, sizeof(n1b));
    CHECK_STR(n1, n1b);
    CHECK(strncmp(n1, "cpp-", 4) == 0);
    CHECK_INT(strlen(n1), 4 + 32);
    memcpy(l.pch_argv, a2, sizeof(a2));
    l.n_pch = 8;
    judge_pch_name(&l, n2, sizeof(n2));
    CHECK(strcmp(n1, n2) != 0);
    snprintf(l.pch_header, sizeof(l.pch_header), "vector");
    judge_pch_name(&l, n3, sizeof(n3));
    CHECK(strcmp(n2, n3) != 0);
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
