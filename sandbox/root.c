/*
 * root.c: the box's root filesystem, built once by the keeper, and the mounts each run adds.
 *
 * The root is a small tmpfs assembled in the keeper's private mount namespace: read-only binds
 * of the host's /usr, /bin, /lib... and of the few /etc entries runtimes read, a passwd that
 * knows the box's uid only, a fresh /proc, a /dev of four devices, and the mount points of /tmp
 * and /box. The keeper pivots into it and remounts it read-only. Each run then attaches its
 * working folder on /box (kept while the same folder comes back), its extra read-only binds,
 * and an empty /tmp of its memory limit. What stays mounted from one run to the next is in a
 * struct sb_mounts the keeper owns and passes in.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

/* Where the new root is assembled, inside the keeper's private mount namespace. */
#define NEW_ROOT "/tmp"

/* --- building the root ---------------------------------------------------------------------- */

/* Bind src read-only at dst, keeping the flags the source mount already locks. */
static int bind_ro(const char *src, const char *dst, unsigned long extra)
{
    struct statvfs sv;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | extra;

    if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
        return -errno;
    if (statvfs(src, &sv) == 0) {
        if (sv.f_flag & ST_NODEV)
            flags |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
            flags |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
            flags |= MS_NOATIME;
        if (sv.f_flag & ST_RELATIME)
            flags |= MS_RELATIME;
    }
    if (mount(NULL, dst, NULL, flags, NULL) < 0)
        return -errno;
    return 0;
}

/* A top-level entry of the host's root: a symlink is copied, a directory bound read-only. */
static int mirror_top(const char *name, char *msg, size_t size)
{
    char host[64], dst[128], target[256];
    struct stat st;
    int r;

    snprintf(host, sizeof(host), "/%s", name);
    snprintf(dst, sizeof(dst), NEW_ROOT "/%s", name);
    if (lstat(host, &st) < 0)
        return 0; /* absent here: nothing to mirror */
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(host, target, sizeof(target) - 1);
        if (n < 0)
            return sb_fail(msg, size, errno, "readlink", host);
        target[n] = '\0';
        if (symlink(target, dst) < 0)
            return sb_fail(msg, size, errno, "symlink", dst);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;
    if (mkdir(dst, 0755) < 0)
        return sb_fail(msg, size, errno, "mkdir", dst);
    r = bind_ro(host, dst, MS_NODEV);
    return r < 0 ? sb_fail(msg, size, -r, "bind", host) : 0;
}

static int write_new_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    int r = 0;

    if (fd < 0)
        return -errno;
    if (write(fd, text, strlen(text)) < 0)
        r = -errno;
    close(fd);
    return r;
}

static int setup_etc(const struct sb_keeper_config *config, char *msg, size_t size)
{
    char host[128], dst[160], text[256];
    struct stat st;
    int r;

    if (mkdir(NEW_ROOT "/etc", 0755) < 0)
        return sb_fail(msg, size, errno, "mkdir", "/etc");
    for (size_t i = 0; i < sizeof(config->etc_names) / sizeof(config->etc_names[0]); i++) {
        const char *name = config->etc_names[i];
        if (!name[0])
            break;
        snprintf(host, sizeof(host), "/etc/%s", name);
        snprintf(dst, sizeof(dst), NEW_ROOT "/etc/%s", name);
        if (lstat(host, &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            char target[256];
            ssize_t n = readlink(host, target, sizeof(target) - 1);
            if (n < 0 || (target[n] = '\0', symlink(target, dst) < 0))
                return sb_fail(msg, size, errno, "symlink", dst);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (mkdir(dst, 0755) < 0)
                return sb_fail(msg, size, errno, "mkdir", dst);
        } else if (S_ISREG(st.st_mode)) {
            r = write_new_file(dst, "", 0644);
            if (r < 0)
                return sb_fail(msg, size, -r, "create", dst);
        } else {
            continue;
        }
        r = bind_ro(host, dst, MS_NODEV);
        if (r < 0)
            return sb_fail(msg, size, -r, "bind", host);
    }
    /* Accounts for the box only: getpwuid answers, the host's users stay unknown. */
    snprintf(text, sizeof(text),
             "root:x:0:0:root:/root:/usr/sbin/nologin\n"
             "box:x:%u:%u:box:/tmp:/usr/sbin/nologin\n",
             (unsigned)config->uid, (unsigned)config->gid);
    r = write_new_file(NEW_ROOT "/etc/passwd", text, 0644);
    if (r == 0) {
        snprintf(text, sizeof(text), "root:x:0:\nbox:x:%u:\n", (unsigned)config->gid);
        r = write_new_file(NEW_ROOT "/etc/group", text, 0644);
    }
    if (r == 0)
        r = write_new_file(NEW_ROOT "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n", 0644);
    return r < 0 ? sb_fail(msg, size, -r, "write", "/etc") : 0;
}

static int setup_dev(char *msg, size_t size)
{
    static const char *const devs[] = {"null", "zero", "random", "urandom"};
    static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                           {"stdin", "/proc/self/fd/0"},
                                           {"stdout", "/proc/self/fd/1"},
                                           {"stderr", "/proc/self/fd/2"}};
    char host[32], dst[64];
    int r;

    if (mkdir(NEW_ROOT "/dev", 0755) < 0)
        return sb_fail(msg, size, errno, "mkdir", "/dev");
    for (size_t i = 0; i < 4; i++) {
        snprintf(host, sizeof(host), "/dev/%s", devs[i]);
        snprintf(dst, sizeof(dst), NEW_ROOT "/dev/%s", devs[i]);
        r = write_new_file(dst, "", 0666);
        if (r < 0)
            return sb_fail(msg, size, -r, "create", dst);
        if (mount(host, dst, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, NULL) < 0)
            return sb_fail(msg, size, errno, "bind", host);
    }
    for (size_t i = 0; i < 4; i++) {
        snprintf(dst, sizeof(dst), NEW_ROOT "/dev/%s", links[i][0]);
        if (symlink(links[i][1], dst) < 0)
            return sb_fail(msg, size, errno, "symlink", dst);
    }
    return 0;
}

int sb_root_build(const struct sb_keeper_config *config, char *msg, size_t size)
{
    static const char *const tops[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};
    int r;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return sb_fail(msg, size, errno, "make private", "/");
    if (mount("box", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=512") <
        0)
        return sb_fail(msg, size, errno, "mount root tmpfs", NEW_ROOT);
    for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
        r = mirror_top(tops[i], msg, size);
        if (r < 0)
            return r;
    }
    r = setup_etc(config, msg, size);
    if (r == 0)
        r = setup_dev(msg, size);
    if (r < 0)
        return r;
    if (mkdir(NEW_ROOT "/proc", 0555) < 0 || mkdir(NEW_ROOT "/tmp", 01777) < 0 ||
        mkdir(NEW_ROOT SB_BOX_WORK, 0755) < 0)
        return sb_fail(msg, size, errno, "mkdir", "/proc /tmp /box");
    /* A fresh /proc of this PID namespace; the keeper's own entries hidden from the box. */
    if (mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "hidepid=invisible") < 0 &&
        mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") <
            0 &&
        mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return sb_fail(msg, size, errno, "mount", "/proc");
    if (chdir(NEW_ROOT) < 0)
        return sb_fail(msg, size, errno, "chdir", NEW_ROOT);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return sb_fail(msg, size, errno, "pivot_root", NEW_ROOT);
    if (umount2(".", MNT_DETACH) < 0)
        return sb_fail(msg, size, errno, "detach old root", NULL);
    if (chdir("/") < 0)
        return sb_fail(msg, size, errno, "chdir", "/");
    /* /tmp is mounted by the first run, at its size. */
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        return sb_fail(msg, size, errno, "remount read-only", "/");
    if (sethostname("box", 3) < 0 || setdomainname("box", 3) < 0)
        return sb_fail(msg, size, errno, "sethostname", NULL);
    return 0;
}

/* --- the mounts of each run ---------------------------------------------------------------- */

/* Attaches the working folder (a detached mount made by the host) on /box, unless the same
 * folder is already there. */
int sb_root_mount_work(struct sb_mounts *m, int fd, int is_tree, char *msg, size_t size)
{
    struct stat st;

    struct stat cur;

    if (fstat(fd, &st) < 0)
        return sb_fail(msg, size, errno, "stat", "work folder");
    /* The same folder, still linked: a folder removed and made again may get the same inode
     * number, and the mount would then show the removed one. */
    if (m->work_mounted && m->work_dev == st.st_dev && m->work_ino == st.st_ino &&
        stat(SB_BOX_WORK, &cur) == 0 && cur.st_nlink > 0 && cur.st_dev == st.st_dev &&
        cur.st_ino == st.st_ino)
        return 0;
    if (!is_tree)
        return sb_fail(msg, size, ESTALE, "work folder", "not attached");
    if (m->work_mounted) {
        (void)umount2(SB_BOX_WORK, MNT_DETACH);
        m->work_mounted = 0;
    }
    if (move_mount(fd, "", AT_FDCWD, SB_BOX_WORK, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return sb_fail(msg, size, errno, "attach", "work folder");
    m->work_mounted = 1;
    m->work_dev = st.st_dev;
    m->work_ino = st.st_ino;
    return 0;
}

/* A bind destination: absolute, no "." or ".." component, not over the box's own mounts. */
static int dst_valid(const char *dst)
{
    static const char *const reserved[] = {"/proc", "/dev", "/tmp", SB_BOX_WORK, "/etc"};

    if (dst[0] != '/' || strlen(dst) > 200 || strcmp(dst, "/") == 0)
        return 0;
    for (const char *p = dst; *p;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
    }
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        size_t n = strlen(reserved[i]);
        if (strncmp(dst, reserved[i], n) == 0 && (dst[n] == '\0' || dst[n] == '/'))
            return 0;
    }
    return 1;
}

/* Creates the mount point of a bind (and its parents) in the root, briefly writable. */
static int make_mount_point(const char *dst, int is_dir)
{
    char path[256];
    int r = 0;

    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) < 0)
        return -errno;
    snprintf(path, sizeof(path), "%s", dst);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            r = -errno;
        *p = '/';
        if (r < 0)
            goto out;
    }
    if (is_dir) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            r = -errno;
    } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            r = -errno;
        else
            close(fd);
    }
out:
    (void)mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
    return r;
}

int sb_root_mount_binds(const int *fds, char *const *dsts, uint32_t n, char *msg, size_t size)
{
    struct stat st;
    int r;

    for (uint32_t i = 0; i < n; i++) {
        const char *dst = dsts[i];
        if (!dst_valid(dst))
            return sb_fail(msg, size, EINVAL, "bind destination", dst);
        if (fstat(fds[i], &st) < 0)
            return sb_fail(msg, size, errno, "stat bind", dst);
        r = make_mount_point(dst, S_ISDIR(st.st_mode));
        if (r < 0)
            return sb_fail(msg, size, -r, "create bind point", dst);
        if (move_mount(fds[i], "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return sb_fail(msg, size, errno, "bind", dst);
    }
    return 0;
}

void sb_root_unmount_binds(char *const *dsts, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        (void)umount2(dsts[i], MNT_DETACH);
}

static int mount_tmp(struct sb_mounts *m, uint64_t size_bytes)
{
    char opts[96];

    snprintf(opts, sizeof(opts), "mode=1777,size=%llu,nr_inodes=4096",
             (unsigned long long)size_bytes);
    if (mount("tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return -errno;
    m->tmp_size = size_bytes;
    return 0;
}

/*
 * Gives the run an empty /tmp of size_bytes: the first run mounts it; a clean one is kept, or
 * only resized by a remount; one the last run left something in is replaced. Unmounting waits
 * for an RCU grace period (about a millisecond here), so it is kept for that case.
 */
int sb_root_renew_tmp(struct sb_mounts *m, uint64_t size_bytes)
{
    struct statfs sf;
    char opts[64];

    if (m->tmp_size == 0)
        return mount_tmp(m, size_bytes);
    int clean = statfs("/tmp", &sf) == 0 && sf.f_type == TMPFS_MAGIC && sf.f_bfree == sf.f_blocks &&
                sf.f_files - sf.f_ffree <= 1;
    if (clean && size_bytes == m->tmp_size)
        return 0;
    if (clean) {
        snprintf(opts, sizeof(opts), "size=%llu", (unsigned long long)size_bytes);
        if (mount(NULL, "/tmp", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts) == 0) {
            m->tmp_size = size_bytes;
            return 0;
        }
    }
    if (umount2("/tmp", MNT_DETACH) < 0 && errno != EINVAL)
        return -errno;
    return mount_tmp(m, size_bytes);
}
