/*
 * keeper.c: the process that lives inside a box and starts every program run in it.
 *
 * Theory of operation
 * -------------------
 * sb_box_new clones the keeper into fresh PID, mount, IPC, UTS and network namespaces (the
 * network one made once per slot and joined), and the keeper moves itself into the box's
 * cgroups: the costly kernel objects are made once per box, not once per run. The keeper is PID 1
 * of its namespace. It builds the box's root (a small tmpfs with read-only binds of /usr and the
 * few /etc entries runtimes read, a fresh /proc, a /dev of four devices, a bounded /tmp and the
 * mount point /box), pivots into it, and then waits on its socket for requests.
 *
 * A request carries the argv, the environment, the limits and, as descriptors, the working
 * folder, the standard streams and any extra binds. For each one the keeper:
 *   1. binds the working folder on /box (kept while the same folder comes back), mounts the
 *      extra binds, and renews /tmp if the last run left anything in it;
 *   2. takes the spare: a process cloned after the previous run (sharing the keeper's memory
 *      until it execs) that already set no_new_privs and loaded the precompiled seccomp filter
 *      of the profile, and waits on a socket (making a process and loading a filter are the
 *      costliest steps of a run: they happen between runs); a spare of another profile is
 *      replaced;
 *   3. writes the cgroup limits that changed, resets the memory peak, notes the CPU counter,
 *      and hands the spare the standard streams: it drops to the box's uid/gid (no groups,
 *      no capabilities left), sets its rlimits, enters /box and execs; a failure before the
 *      exec comes back through a close-on-exec pipe; the keeper then raises the program's
 *      oom_score_adj, so that an OOM kill in the box picks the program;
 *   4. sleeps in sigtimedwait for SIGCHLD until the program ends, the wall clock fires or the
 *      cgroup's CPU counter passes the limit (it wakes exactly when the remaining CPU time, spent
 *      on every core at once, could have run out);
 *   5. kills every process of the namespace but itself (kill(-1) from PID 1 reaches setsid and
 *      double-forked children, stopped ones too), reaps them all, reads CPU time, memory peak
 *      and OOM kills, decides the status, answers, and makes the next spare.
 * If the judge goes away, the keeper dies (PDEATHSIG), and with PID 1 the whole namespace.
 *
 * The keeper was cloned from a process that may have threads: it never allocates, never uses
 * stdio and calls setuid-family functions as raw system calls, which glibc would otherwise try
 * to broadcast to threads that do not exist here.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/seccomp.h>

/* Where the new root is assembled, inside the keeper's private mount namespace. */
#define NEW_ROOT "/tmp"

static struct sb_keeper_config *K;
/*
 * The current request, which the spare (below) reads its argv and environment from once it
 * is told to go.
 */
struct shared {
    struct sb_request req;
    char *argv[SB_MAX_ARGS + 1];
    char *envp[SB_MAX_ARGS + 1];
};
static struct shared *S;

/*
 * The spare: the next program's process, made ahead of time, already under the seccomp filter
 * of its profile and blocked on its socket. A run hands it the standard streams; it takes the
 * box's uid and execs at once, so that making it and loading the filter (the costliest steps
 * of a run) happen between runs, while the judge looks at the last result.
 *
 * It is cloned with CLONE_VM, on a stack of its own, like posix_spawn's child: it shares the
 * keeper's memory until its exec instead of copying the page tables (a fork costs about as much
 * as the whole of a small program's run here), and adds no pages to the box's memory. So it
 * writes nothing the keeper uses, calls only thin system-call wrappers, and leaves its
 * oom_score_adj alone (a shared memory shares it): the keeper raises the program's after exec.
 */
static struct {
    pid_t pid; /* -1: none */
    int sock;  /* the keeper's end: "ready" comes in, "go" with the streams goes out */
    int err_r; /* read end of the spare's close-on-exec error pipe */
    uint32_t profile;
    int ready; /* the ready byte was read */
} spare = {-1, -1, -1, 0, 0};
#define SPARE_STACK_SIZE (256u << 10)
static char *spare_stack; /* lowest page a guard */
static struct {
    int sock, pipe_w;
    uint32_t profile;
} spare_args; /* read by a new spare only, before the keeper can make another */
static char *bind_dsts[SB_MAX_BINDS];
static int ncpus = 1;
static uint64_t keeper_usage; /* the keeper's own charge in the memory cgroup */

/* The working folder currently on /box, to skip remounting it. */
static struct {
    int mounted;
    dev_t dev;
    ino_t ino;
} work;

static uint64_t tmp_size_now;
static uint64_t base_usage; /* the cgroup's usage with no spare: measured as a spare is made */

/* Failure of the program's process before exec, passed through the pipe. */
struct child_error {
    int stage;
    int err;
};

enum {
    STAGE_STDIO = 1,
    STAGE_CHDIR,
    STAGE_RLIMIT,
    STAGE_IDENTITY,
    STAGE_SECCOMP,
    STAGE_EXEC,
};

static const char *const stage_names[] = {"",         "stdio",   "chdir", "rlimit",
                                          "identity", "seccomp", "exec"};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int fail(char *msg, size_t size, int err, const char *what, const char *arg)
{
    snprintf(msg, size, "%s %s: %s", what, arg ? arg : "", strerror(err));
    return -err;
}

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
            return fail(msg, size, errno, "readlink", host);
        target[n] = '\0';
        if (symlink(target, dst) < 0)
            return fail(msg, size, errno, "symlink", dst);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;
    if (mkdir(dst, 0755) < 0)
        return fail(msg, size, errno, "mkdir", dst);
    r = bind_ro(host, dst, MS_NODEV);
    return r < 0 ? fail(msg, size, -r, "bind", host) : 0;
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

static int mount_tmp(uint64_t size_bytes)
{
    char opts[96];

    snprintf(opts, sizeof(opts), "mode=1777,size=%llu,nr_inodes=4096",
             (unsigned long long)size_bytes);
    if (mount("tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return -errno;
    tmp_size_now = size_bytes;
    return 0;
}

static int setup_etc(char *msg, size_t size)
{
    char host[128], dst[160], text[256];
    struct stat st;
    int r;

    if (mkdir(NEW_ROOT "/etc", 0755) < 0)
        return fail(msg, size, errno, "mkdir", "/etc");
    for (size_t i = 0; i < sizeof(K->etc_names) / sizeof(K->etc_names[0]); i++) {
        const char *name = K->etc_names[i];
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
                return fail(msg, size, errno, "symlink", dst);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (mkdir(dst, 0755) < 0)
                return fail(msg, size, errno, "mkdir", dst);
        } else if (S_ISREG(st.st_mode)) {
            r = write_new_file(dst, "", 0644);
            if (r < 0)
                return fail(msg, size, -r, "create", dst);
        } else {
            continue;
        }
        r = bind_ro(host, dst, MS_NODEV);
        if (r < 0)
            return fail(msg, size, -r, "bind", host);
    }
    /* Accounts for the box only: getpwuid answers, the host's users stay unknown. */
    snprintf(text, sizeof(text),
             "root:x:0:0:root:/root:/usr/sbin/nologin\n"
             "box:x:%u:%u:box:/tmp:/usr/sbin/nologin\n",
             (unsigned)K->uid, (unsigned)K->gid);
    r = write_new_file(NEW_ROOT "/etc/passwd", text, 0644);
    if (r == 0) {
        snprintf(text, sizeof(text), "root:x:0:\nbox:x:%u:\n", (unsigned)K->gid);
        r = write_new_file(NEW_ROOT "/etc/group", text, 0644);
    }
    if (r == 0)
        r = write_new_file(NEW_ROOT "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n", 0644);
    return r < 0 ? fail(msg, size, -r, "write", "/etc") : 0;
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
        return fail(msg, size, errno, "mkdir", "/dev");
    for (size_t i = 0; i < 4; i++) {
        snprintf(host, sizeof(host), "/dev/%s", devs[i]);
        snprintf(dst, sizeof(dst), NEW_ROOT "/dev/%s", devs[i]);
        r = write_new_file(dst, "", 0666);
        if (r < 0)
            return fail(msg, size, -r, "create", dst);
        if (mount(host, dst, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, NULL) < 0)
            return fail(msg, size, errno, "bind", host);
    }
    for (size_t i = 0; i < 4; i++) {
        snprintf(dst, sizeof(dst), NEW_ROOT "/dev/%s", links[i][0]);
        if (symlink(links[i][1], dst) < 0)
            return fail(msg, size, errno, "symlink", dst);
    }
    return 0;
}

static int setup_root(char *msg, size_t size)
{
    static const char *const tops[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};
    int r;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return fail(msg, size, errno, "make private", "/");
    if (mount("box", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=512") <
        0)
        return fail(msg, size, errno, "mount root tmpfs", NEW_ROOT);
    for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
        r = mirror_top(tops[i], msg, size);
        if (r < 0)
            return r;
    }
    r = setup_etc(msg, size);
    if (r == 0)
        r = setup_dev(msg, size);
    if (r < 0)
        return r;
    if (mkdir(NEW_ROOT "/proc", 0555) < 0 || mkdir(NEW_ROOT "/tmp", 01777) < 0 ||
        mkdir(NEW_ROOT SB_BOX_WORK, 0755) < 0)
        return fail(msg, size, errno, "mkdir", "/proc /tmp /box");
    /* A fresh /proc of this PID namespace; the keeper's own entries hidden from the box. */
    if (mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "hidepid=invisible") < 0 &&
        mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") <
            0 &&
        mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail(msg, size, errno, "mount", "/proc");
    if (chdir(NEW_ROOT) < 0)
        return fail(msg, size, errno, "chdir", NEW_ROOT);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return fail(msg, size, errno, "pivot_root", NEW_ROOT);
    if (umount2(".", MNT_DETACH) < 0)
        return fail(msg, size, errno, "detach old root", NULL);
    if (chdir("/") < 0)
        return fail(msg, size, errno, "chdir", "/");
    /* /tmp is mounted by the first run, at its size. */
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        return fail(msg, size, errno, "remount read-only", "/");
    if (sethostname("box", 3) < 0 || setdomainname("box", 3) < 0)
        return fail(msg, size, errno, "sethostname", NULL);
    return 0;
}

/* --- one run -------------------------------------------------------------------------------- */

/* Attaches the working folder (a detached mount made by the host) on /box, unless the same
 * folder is already there. */
static int mount_work(int fd, char *msg, size_t size)
{
    struct stat st;

    struct stat cur;

    if (fstat(fd, &st) < 0)
        return fail(msg, size, errno, "stat", "work folder");
    /* The same folder, still linked: a folder removed and made again may get the same inode
     * number, and the mount would then show the removed one. */
    if (work.mounted && work.dev == st.st_dev && work.ino == st.st_ino &&
        stat(SB_BOX_WORK, &cur) == 0 && cur.st_nlink > 0 && cur.st_dev == st.st_dev &&
        cur.st_ino == st.st_ino)
        return 0;
    if (!S->req.work_is_tree)
        return fail(msg, size, ESTALE, "work folder", "not attached");
    if (work.mounted) {
        (void)umount2(SB_BOX_WORK, MNT_DETACH);
        work.mounted = 0;
    }
    if (move_mount(fd, "", AT_FDCWD, SB_BOX_WORK, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return fail(msg, size, errno, "attach", "work folder");
    work.mounted = 1;
    work.dev = st.st_dev;
    work.ino = st.st_ino;
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

static int mount_binds(const int *fds, uint32_t n, char *msg, size_t size)
{
    struct stat st;
    int r;

    for (uint32_t i = 0; i < n; i++) {
        const char *dst = bind_dsts[i];
        if (!dst_valid(dst))
            return fail(msg, size, EINVAL, "bind destination", dst);
        if (fstat(fds[i], &st) < 0)
            return fail(msg, size, errno, "stat bind", dst);
        r = make_mount_point(dst, S_ISDIR(st.st_mode));
        if (r < 0)
            return fail(msg, size, -r, "create bind point", dst);
        if (move_mount(fds[i], "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return fail(msg, size, errno, "bind", dst);
    }
    return 0;
}

static void unmount_binds(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        (void)umount2(bind_dsts[i], MNT_DETACH);
}

/*
 * Gives the run an empty /tmp of size_bytes: the first run mounts it; a clean one is kept, or
 * only resized by a remount; one the last run left something in is replaced. Unmounting waits
 * for an RCU grace period (about a millisecond here), so it is kept for that case.
 */
static int renew_tmp(uint64_t size_bytes)
{
    struct statfs sf;
    char opts[64];

    if (tmp_size_now == 0)
        return mount_tmp(size_bytes);
    int clean = statfs("/tmp", &sf) == 0 && sf.f_type == TMPFS_MAGIC && sf.f_bfree == sf.f_blocks &&
                sf.f_files - sf.f_ffree <= 1;
    if (clean && size_bytes == tmp_size_now)
        return 0;
    if (clean) {
        snprintf(opts, sizeof(opts), "size=%llu", (unsigned long long)size_bytes);
        if (mount(NULL, "/tmp", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts) == 0) {
            tmp_size_now = size_bytes;
            return 0;
        }
    }
    if (umount2("/tmp", MNT_DETACH) < 0 && errno != EINVAL)
        return -errno;
    return mount_tmp(size_bytes);
}

/* Closes every descriptor but the ones in keep (sorted in place). */
static void close_others(int *keep, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned int from = 3;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned int)keep[i] < from)
            continue;
        if ((unsigned int)keep[i] > from)
            (void)syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        from = (unsigned int)keep[i] + 1;
    }
    (void)syscall(SYS_close_range, from, ~0U, 0);
}

static void child_fail(int pipe_w, int stage, int err)
{
    struct child_error ce = {stage, err};

    (void)!write(pipe_w, &ce, sizeof(ce));
    _exit(127);
}

/* Sets a limit, never above the hard limit the keeper itself has (the spare cannot raise). */
static int set_limit(int resource, uint64_t soft, uint64_t hard)
{
    struct rlimit rl;

    if (getrlimit(resource, &rl) < 0)
        return -1;
    if (rl.rlim_max != RLIM_INFINITY && (hard == RLIM_INFINITY || hard > rl.rlim_max))
        hard = rl.rlim_max;
    rl.rlim_cur = soft < hard ? soft : hard;
    rl.rlim_max = hard;
    return setrlimit(resource, &rl);
}

/* The spare's life, from clone to exec. Only system calls: the keeper's memory is shared, and
 * nothing here may take a lock or write anything but its own stack. */
__attribute__((noreturn)) static void spare_main(int sock, int pipe_w, uint32_t profile)
{
    sigset_t none;
    int fds[3];
    char byte;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Of the keeper's descriptors (its socket to the host, the cgroups' control files) the
     * spare keeps none: they would pass the uid check they had at open. */
    int keep[] = {sock, pipe_w};
    close_others(keep, 2);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail(pipe_w, STAGE_IDENTITY, errno);
    struct sb_filter *f = &K->filters[profile];
    struct sock_fprog prog = {.len = f->len, .filter = f->insns};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        child_fail(pipe_w, STAGE_SECCOMP, errno);
    if (write(sock, "r", 1) != 1)
        _exit(127);

    /* Wait for a run: one byte and the three standard streams. */
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    ssize_t n;
    while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (n != 1 || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(fds)))
        _exit(0); /* the keeper dropped this spare */
    memcpy(fds, CMSG_DATA(c), sizeof(fds));
    /* The box's identity only now: between runs no process of the box's uid exists at all.
     * Leaving uid 0 for good clears every capability. */
    if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, K->gid, K->gid, K->gid) < 0 ||
        syscall(SYS_setresuid, K->uid, K->uid, K->uid) < 0)
        child_fail(pipe_w, STAGE_IDENTITY, errno);
    if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
        child_fail(pipe_w, STAGE_STDIO, errno);
    /* Everything else closes at exec; the error pipe stays open until then. */
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        child_fail(pipe_w, STAGE_STDIO, errno);

    const struct sb_limits *lim = &S->req.limits;
    uint64_t cpu_s = lim->time_ms ? (lim->time_ms + 999) / 1000 + 1 : RLIM_INFINITY;
    uint64_t fsize = lim->output_kb ? lim->output_kb * 1024 : RLIM_INFINITY;
    uint64_t stack = lim->memory_kb ? lim->memory_kb * 1024 : RLIM_INFINITY;
    uint64_t nofile = S->req.profile == SB_NATIVE ? 256 : 1024;
    if (set_limit(RLIMIT_CPU, cpu_s, cpu_s == RLIM_INFINITY ? cpu_s : cpu_s + 1) < 0 ||
        set_limit(RLIMIT_FSIZE, fsize, fsize) < 0 || set_limit(RLIMIT_STACK, stack, stack) < 0 ||
        set_limit(RLIMIT_CORE, 0, 0) < 0 || set_limit(RLIMIT_NOFILE, nofile, nofile) < 0 ||
        set_limit(RLIMIT_MEMLOCK, 0, 0) < 0 || set_limit(RLIMIT_MSGQUEUE, 0, 0) < 0)
        child_fail(pipe_w, STAGE_RLIMIT, errno);
    if (chdir(SB_BOX_WORK) < 0)
        child_fail(pipe_w, STAGE_CHDIR, errno);
    execve(S->argv[0], S->argv, S->envp);
    child_fail(pipe_w, STAGE_EXEC, errno);
    _exit(127);
}

static int spare_entry(void *unused)
{
    (void)unused;
    /* The keeper's ends are open in this copy of its descriptor table: only ours stay. */
    spare_main(spare_args.sock, spare_args.pipe_w, spare_args.profile);
}

/* The OOM killer of the box's cgroup must pick the program, never the keeper (which may lack
 * CAP_SYS_RESOURCE to shield itself with -1000): raising another's score needs nothing. */
static void raise_oom_score(pid_t pid)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "1000", 4);
        close(fd);
    }
}

static void drop_spare(void)
{
    if (spare.pid > 0) {
        (void)kill(spare.pid, SIGKILL);
        while (waitpid(spare.pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
    if (spare.sock >= 0)
        close(spare.sock);
    if (spare.err_r >= 0)
        close(spare.err_r);
    spare.pid = -1;
    spare.sock = spare.err_r = -1;
    spare.ready = 0;
}

/* Forks a spare for profile; it gets ready on its own, in parallel with the keeper. */
static int make_spare(uint32_t profile)
{
    int sv[2], ep[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    if (pipe2(ep, O_CLOEXEC) < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return -e;
    }
    (void)sb_cgroup_read_usage(K->cg, &base_usage);
    spare_args.sock = sv[1];
    spare_args.pipe_w = ep[1];
    spare_args.profile = profile;
    pid_t pid = clone(spare_entry, spare_stack + SPARE_STACK_SIZE, CLONE_VM | SIGCHLD, NULL);
    int e = errno;
    close(sv[1]);
    close(ep[1]);
    if (pid < 0) {
        close(sv[0]);
        close(ep[0]);
        return -e;
    }
    spare.pid = pid;
    spare.sock = sv[0];
    spare.err_r = ep[0];
    spare.profile = profile;
    spare.ready = 0;
    return 0;
}

/* A spare of this profile, ready to go; made now if the last one does not fit or died. */
static int get_spare(uint32_t profile, struct child_error *ce)
{
    char byte;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (spare.pid > 0 && spare.profile != profile)
            drop_spare();
        if (spare.pid < 0) {
            int r = make_spare(profile);
            if (r < 0)
                return r;
        }
        if (spare.ready)
            return 0;
        ssize_t n;
        while ((n = read(spare.sock, &byte, 1)) < 0 && errno == EINTR)
            ;
        if (n == 1) {
            spare.ready = 1;
            return 0;
        }
        /* It died before getting ready: say why if it could, else try a fresh one. */
        n = read(spare.err_r, ce, sizeof(*ce));
        drop_spare();
        if (n == (ssize_t)sizeof(*ce))
            return -ce->err;
    }
    return -ECHILD;
}

/* Kills everything in the namespace but the keeper, and reaps it all. */
static void kill_all(pid_t main_pid, int *main_status, struct rusage *main_ru, int *main_done)
{
    int st;
    struct rusage ru;
    pid_t p;

    (void)kill(-1, SIGKILL);
    for (;;) {
        p = wait4(-1, &st, __WALL, &ru);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p == main_pid && !*main_done) {
            *main_status = st;
            *main_ru = ru;
            *main_done = 1;
        }
    }
}

/* Runs the program of req; fds are [work, stdin?, stdout?, stderr?, binds...]. */
static int run(const int *fds, int nfds, struct sb_reply *rep)
{
    struct sb_result *res = &rep->result;
    const struct sb_limits *lim = &S->req.limits;
    char *msg = res->message;
    size_t msz = sizeof(res->message);
    int k = 1, in = -1, out = -1, err = -1, own_in = -1, own_out = -1, own_err = -1;
    int pipe_fds[2] = {-1, -1}, r;
    uint32_t binds_done = 0;
    uint64_t cpu0 = 0, cpu1 = 0, oom0 = 0, oom1 = 0, peak = 0, start_usage = 0;
    pid_t pid = -1;
    int status = 0, main_done = 0, cpu_over = 0, wall_over = 0;
    struct rusage ru;

    memset(&ru, 0, sizeof(ru));
    if (S->req.has_stdin)
        in = fds[k++];
    if (S->req.has_stdout)
        out = fds[k++];
    if (S->req.has_stderr == 1)
        err = fds[k++];
    else if (S->req.has_stderr == 2)
        err = out;
    if (k + (int)S->req.n_binds != nfds) {
        r = fail(msg, msz, EPROTO, "request", "descriptors");
        goto out;
    }
    if (in < 0 && (in = own_in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        r = fail(msg, msz, errno, "open", "/dev/null");
        goto out;
    }
    if (out < 0 && (out = own_out = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        r = fail(msg, msz, errno, "open", "/dev/null");
        goto out;
    }
    if (err < 0) {
        /* A JVM's standard error is kept to recognise an OutOfMemoryError. */
        if (S->req.profile == SB_JVM)
            err = own_err = memfd_create("stderr", MFD_CLOEXEC);
        else
            err = own_err = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (err < 0) {
            r = fail(msg, msz, errno, "open", "stderr");
            goto out;
        }
    }

    r = mount_work(fds[0], msg, msz);
    if (r < 0)
        goto out;
    r = mount_binds(fds + k, S->req.n_binds, msg, msz);
    binds_done = S->req.n_binds;
    if (r < 0)
        goto out;
    r = renew_tmp(lim->memory_kb ? lim->memory_kb * 1024 : 256u << 20);
    if (r < 0) {
        r = fail(msg, msz, -r, "mount", "/tmp");
        goto out;
    }
    struct child_error ce = {0, 0};
    r = get_spare(S->req.profile, &ce);
    if (r < 0) {
        if (ce.stage)
            snprintf(msg, msz, "cannot prepare the program's process (%s): %s",
                     stage_names[ce.stage], strerror(ce.err));
        else
            r = fail(msg, msz, -r, "fork", NULL);
        goto out;
    }
    r = sb_cgroup_set_memory(K->cg, lim->memory_kb ? lim->memory_kb * 1024 + K->mem_slack : 0);
    if (r == 0)
        r = sb_cgroup_set_pids(K->cg, lim->procs + 1);
    if (r == 0)
        r = sb_cgroup_reset_peak(K->cg);
    if (r == 0)
        r = sb_cgroup_read_usage(K->cg, &start_usage);
    if (r == 0)
        r = sb_cgroup_read_cpu_ns(K->cg, &cpu0);
    if (r == 0)
        r = sb_cgroup_read_oom_kills(K->cg, &oom0);
    if (r < 0) {
        r = fail(msg, msz, -r, "cgroup", "limits");
        goto out;
    }

    /* Go: the spare becomes the program. */
    int streams[3] = {in, out, err};
    union {
        char buf[CMSG_SPACE(sizeof(streams))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = "g", .iov_len = 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(streams));
    memcpy(CMSG_DATA(c), streams, sizeof(streams));
    uint64_t t0 = now_ns();
    pid = spare.pid;
    pipe_fds[0] = spare.err_r;
    ssize_t n = sendmsg(spare.sock, &mh, MSG_NOSIGNAL);
    int send_err = errno;
    close(spare.sock);
    spare.pid = -1;
    spare.sock = spare.err_r = -1;
    spare.ready = 0;
    if (n != 1) {
        kill_all(pid, &status, &ru, &main_done);
        r = fail(msg, msz, send_err, "start", NULL);
        goto out;
    }

    while ((n = read(pipe_fds[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(ce)) {
        kill_all(pid, &status, &ru, &main_done);
        res->wall_ms = (now_ns() - t0) / 1000000;
        if (ce.stage == STAGE_EXEC && ce.err == ENOMEM) {
            res->status = SB_MLE;
            res->exit_code = -1;
            snprintf(msg, msz, "program too large to load");
            r = 0;
        } else {
            snprintf(msg, msz, "cannot start %s (%s): %s", S->argv[0], stage_names[ce.stage],
                     strerror(ce.err));
            r = -ce.err;
        }
        goto out;
    }
    raise_oom_score(pid);

    uint64_t wall_ns = (uint64_t)lim->wall_ms * 1000000u;
    uint64_t cpu_ns_lim = (uint64_t)lim->time_ms * 1000000u;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t p;
        int st;
        struct rusage pru;
        while ((p = wait4(-1, &st, WNOHANG | __WALL, &pru)) > 0)
            if (p == pid) {
                status = st;
                ru = pru;
                main_done = 1;
            }
        if (main_done)
            break;
        uint64_t t = now_ns(), cpu = cpu0;
        if (t - t0 >= wall_ns) {
            wall_over = 1;
            break;
        }
        uint64_t wait_ns = wall_ns - (t - t0);
        if (cpu_ns_lim) {
            (void)sb_cgroup_read_cpu_ns(K->cg, &cpu);
            if (cpu - cpu0 > cpu_ns_lim) {
                cpu_over = 1;
                break;
            }
            /* The soonest the limit can be passed: every core busy from now on. */
            uint64_t cpu_wait = (cpu_ns_lim - (cpu - cpu0)) / (uint64_t)ncpus + 1000000u;
            if (cpu_wait < wait_ns)
                wait_ns = cpu_wait;
        }
        struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000u),
                              .tv_nsec = (long)(wait_ns % 1000000000u)};
        (void)sigtimedwait(&chld, NULL, &ts);
    }
    kill_all(pid, &status, &ru, &main_done);
    res->wall_ms = (now_ns() - t0) / 1000000;

    (void)sb_cgroup_read_cpu_ns(K->cg, &cpu1);
    (void)sb_cgroup_read_peak(K->cg, &peak);
    (void)sb_cgroup_read_oom_kills(K->cg, &oom1);
    res->cpu_ms = (cpu1 - cpu0) / 1000000;
    /*
     * The cgroup's peak over this run, less what the box held before it (the keeper and the
     * spare, which shares the keeper's pages). The process's rusage would count every page of
     * the keeper it started as.
     */
    if (base_usage > start_usage)
        base_usage = start_usage;
    uint64_t prog_mem = peak > base_usage ? peak - base_usage : 0;
    res->memory_kb = prog_mem / 1024;
    struct sb_outcome outcome = {.wait_status = status,
                                 .cpu_over = cpu_over,
                                 .wall_over = wall_over,
                                 .oom = oom1 > oom0,
                                 .prog_mem = prog_mem,
                                 .out_fd = out,
                                 .err_fd = err};
    sb_verdict_decide(res, lim, S->req.profile, &outcome);
    r = 0;
out:
    if (pipe_fds[0] >= 0)
        close(pipe_fds[0]);
    if (pipe_fds[1] >= 0)
        close(pipe_fds[1]);
    if (own_in >= 0)
        close(own_in);
    if (own_out >= 0)
        close(own_out);
    if (own_err >= 0)
        close(own_err);
    unmount_binds(binds_done);
    return r;
}

/* --- the request loop ----------------------------------------------------------------------- */

/* Splits S->req.strings into argv, envp and bind destinations; checks every count and bound. */
static int unpack(void)
{
    uint32_t total = S->req.n_argv + S->req.n_envp + S->req.n_binds, i = 0;
    char *p = S->req.strings, *end = S->req.strings + S->req.strings_len;

    if (S->req.strings_len > SB_MAX_STRINGS || S->req.n_argv == 0 || S->req.n_argv > SB_MAX_ARGS ||
        S->req.n_envp > SB_MAX_ARGS || S->req.n_binds > SB_MAX_BINDS ||
        S->req.profile > SB_COMPILER)
        return -EINVAL;
    for (; i < total; i++) {
        char *nul = memchr(p, '\0', (size_t)(end - p));
        if (p >= end || !nul)
            return -EINVAL;
        if (i < S->req.n_argv)
            S->argv[i] = p;
        else if (i < S->req.n_argv + S->req.n_envp)
            S->envp[i - S->req.n_argv] = p;
        else
            bind_dsts[i - S->req.n_argv - S->req.n_envp] = p;
        p = nul + 1;
    }
    S->argv[S->req.n_argv] = NULL;
    S->envp[S->req.n_envp] = NULL;
    return 0;
}

static void send_reply(int sock, struct sb_reply *rep)
{
    while (send(sock, rep, sizeof(*rep), MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

static void serve(void)
{
    static struct sb_reply rep;
    int fds[4 + SB_MAX_BINDS];
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } ctl;

    int client = -1; /* an adopted connection, served instead of the owner's socket */

    for (;;) {
        int from = client >= 0 ? client : K->sock;
        struct iovec iov = {.iov_base = &S->req, .iov_len = sizeof(S->req)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        ssize_t n = recvmsg(from, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 && client >= 0) {
            /* The client hung up: back to the owner, who waits for this empty reply. */
            close(client);
            client = -1;
            memset(&rep, 0, sizeof(rep));
            send_reply(K->sock, &rep);
            continue;
        }
        if (n <= 0)
            _exit(0); /* the host closed the box */
        int nfds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t j = 0; j < cnt && nfds < (int)(sizeof(fds) / sizeof(fds[0])); j++)
                    memcpy(&fds[nfds++], CMSG_DATA(c) + j * sizeof(int), sizeof(int));
            }
        if (from == K->sock && (size_t)n >= sizeof(uint32_t) && S->req.op == SB_OP_ADOPT &&
            nfds == 1) {
            client = fds[0];
            continue;
        }
        memset(&rep, 0, sizeof(rep));
        rep.result.status = SB_SE;
        rep.result.exit_code = -1;
        if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds < 1 ||
            (size_t)n < offsetof(struct sb_request, strings) || S->req.op != SB_OP_RUN ||
            (size_t)n < offsetof(struct sb_request, strings) + S->req.strings_len || unpack() < 0) {
            rep.err = -EPROTO;
            snprintf(rep.result.message, sizeof(rep.result.message), "malformed request");
        } else {
            rep.err = run(fds, nfds, &rep);
            if (rep.err < 0 && rep.result.status != SB_SE)
                rep.result.status = SB_SE;
        }
        for (int j = 0; j < nfds; j++)
            close(fds[j]);
        send_reply(from, &rep);
        /* The next run's process, prepared while the judge reads this result. */
        if (spare.pid < 0)
            (void)make_spare(S->req.profile <= SB_COMPILER ? S->req.profile : SB_NATIVE);
    }
}

void sb_keeper_main(struct sb_keeper_config *config)
{
    static struct sb_reply rep;
    struct sb_cgroup *cg = config->cg;
    char go;
    int r;

    K = config;
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The slot's kept network namespace instead of a fresh one; failing that, no box. */
    if (config->net_fd >= 0 && setns(config->net_fd, CLONE_NEWNET) < 0)
        _exit(1);
    S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S == MAP_FAILED)
        _exit(1);
    spare_stack = mmap(NULL, SPARE_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (spare_stack == MAP_FAILED || mprotect(spare_stack, 4096, PROT_NONE) < 0)
        _exit(1);
    /* Nothing of the host's stays open here. */
    int keep[] = {config->sock,     cg->fd_mem_limit,  cg->fd_memsw_limit, cg->fd_mem_peak,
                  cg->fd_mem_usage, cg->fd_mem_events, cg->fd_pids_max,    cg->fd_cpu,
                  cg->fd_join[0],   cg->fd_join[1],    cg->fd_join[2]};
    close_others(keep, (int)(sizeof(keep) / sizeof(keep[0])));
    /* Into the box's cgroups before anything else, while single-threaded. */
    int joined = sb_cgroup_join(cg);
    /* Wait until the host has recorded us; EOF means it died. */
    if (recv(config->sock, &go, 1, 0) != 1)
        _exit(1);
    if (joined < 0) {
        memset(&rep, 0, sizeof(rep));
        rep.err = joined;
        snprintf(rep.result.message, sizeof(rep.result.message),
                 "cannot move into the box's cgroups");
        send_reply(K->sock, &rep);
        _exit(1);
    }

    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)signal(sig, SIG_DFL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_SETMASK, &chld, NULL);

    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "-1000", 5);
        close(fd);
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        ncpus = CPU_COUNT(&set);

    memset(&rep, 0, sizeof(rep));
    r = setup_root(rep.result.message, sizeof(rep.result.message));
    /* The keeper never execs; an empty bounding set still keeps programs from regaining. */
    for (int cap = 0; cap <= 63; cap++)
        (void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (r == 0 && sb_cgroup_read_usage(cg, &keeper_usage) == 0)
        rep.result.memory_kb = keeper_usage / 1024;
    /* The keeper's own pages share the limit: every limit is raised by them and a margin. */
    config->mem_slack = keeper_usage + (1u << 20);
    rep.err = r;
    send_reply(K->sock, &rep);
    if (r < 0)
        _exit(1);
    (void)make_spare(SB_NATIVE);
    serve();
    _exit(0);
}
