/*
 * test_fs.c: fs_clear_dir and fs_remove_tree against what a hostile program leaves: trees far
 * deeper than any descriptor budget, folders without permissions, links out of the tree, FIFOs,
 * sockets, sparse and setuid files, many entries, and names that look like the cleaner's own.
 */
#include "common/fs.h"
#include "tests/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char root[200];

static void fresh_root(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/gavel-fs-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        exit(1);
    }
}

static int count_entries(const char *dir)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* A chain of `depth` folders named d, made as a program would (chdir down), each level's
 * descriptor closed before the next: far deeper than PATH_MAX and any descriptor budget. */
static int make_chain(int top, int depth)
{
    int fd = dup(top);
    for (int i = 0; i < depth && fd >= 0; i++) {
        if (mkdirat(fd, "d", 0700) < 0)
            return -1;
        int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = next;
        if (i % 1000 == 0 && fd >= 0) {
            /* Files along the way, and a folder closed to everyone. */
            int f = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (f >= 0)
                close(f);
        }
    }
    if (fd < 0)
        return -1;
    (void)fchmod(fd, 0);
    close(fd);
    return 0;
}

TEST(deep_chain_with_few_descriptors)
{
    fresh_root();
    int top = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(top >= 0);
    REQUIRE(make_chain(top, 50000) == 0);
    close(top);
    /* Fewer descriptors than levels by far: a recursive removal would run out. */
    struct rlimit old, rl;
    getrlimit(RLIMIT_NOFILE, &old);
    rl = old;
    rl.rlim_cur = 64;
    setrlimit(RLIMIT_NOFILE, &rl);
    CHECK_INT(fs_clear_dir(root), 0);
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK_INT(count_entries(root), 0);
    CHECK_INT(fs_remove_tree(root), 0);
    CHECK(access(root, F_OK) < 0 && errno == ENOENT);
}

TEST(hostile_entries)
{
    char p[512], outside[256], keep[300];
    fresh_root();
    /* Something outside the tree that links point at: it must survive. */
    snprintf(outside, sizeof(outside), "%s-outside", root);
    REQUIRE(mkdir(outside, 0700) == 0);
    snprintf(keep, sizeof(keep), "%s/keep", outside);
    int f = open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(f >= 0);
    close(f);

    snprintf(p, sizeof(p), "%s/link-dir", root);
    CHECK(symlink(outside, p) == 0);
    snprintf(p, sizeof(p), "%s/link-file", root);
    CHECK(symlink(keep, p) == 0);
    snprintf(p, sizeof(p), "%s/fifo", root);
    CHECK(mkfifo(p, 0600) == 0);
    snprintf(p, sizeof(p), "%s/sparse", root);
    f = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 06755);
    CHECK(f >= 0 && ftruncate(f, (off_t)1 << 40) == 0);
    if (f >= 0) {
        CHECK(fchmod(f, 06755) == 0);
        close(f);
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int len = snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/sock", root);
    CHECK(len > 0 && (size_t)len < sizeof(sa.sun_path));
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    if (s >= 0)
        close(s);
    /* Folders closed to everyone, nested, with links inside pointing out. */
    snprintf(p, sizeof(p), "%s/closed", root);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof(p), "%s/closed/inner", root);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof(p), "%s/closed/inner/out", root);
    CHECK(symlink(outside, p) == 0);
    snprintf(p, sizeof(p), "%s/closed/inner", root);
    CHECK(chmod(p, 0) == 0);
    snprintf(p, sizeof(p), "%s/closed", root);
    CHECK(chmod(p, 0) == 0);
    /* Names the cleaner itself uses for folders it moves up. */
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof(p), "%s/.gavel-rm-%d", root, i);
        CHECK(mkdir(p, 0700) == 0);
        snprintf(p, sizeof(p), "%s/.gavel-rm-%d/.gavel-rm-%d", root, i, i + 1);
        CHECK(mkdir(p, 0700) == 0);
    }
    CHECK_INT(fs_clear_dir(root), 0);
    CHECK_INT(count_entries(root), 0);
    CHECK(access(keep, F_OK) == 0);
    CHECK_INT(fs_remove_tree(root), 0);
    CHECK_INT(fs_remove_tree(outside), 0);
}

TEST(many_entries_in_one_folder)
{
    char p[512];
    fresh_root();
    snprintf(p, sizeof(p), "%s/many", root);
    REQUIRE(mkdir(p, 0700) == 0);
    int d = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(d >= 0);
    char name[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof(name), "%d", i);
        if (i % 10 == 0)
            CHECK(mkdirat(d, name, 0700) == 0);
        else
            CHECK(mknodat(d, name, S_IFREG | 0600, 0) == 0);
    }
    close(d);
    CHECK_INT(fs_clear_dir(root), 0);
    CHECK_INT(count_entries(root), 0);
    CHECK_INT(fs_remove_tree(root), 0);
}

TEST(missing_is_empty)
{
    CHECK_INT(fs_clear_dir("/nonexistent/gavel"), 0);
    CHECK_INT(fs_remove_tree("/nonexistent/gavel"), 0);
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
