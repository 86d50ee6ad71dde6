/*
 * box.c: the host side of a box, as the judge calls it. It takes a slot, copies the filters,
 * creates the cgroups, clones the keeper (keeper.c) into its namespaces, and for each run
 * opens the spec's files in the caller's process, hands them to the keeper with the request
 * over a SOCK_SEQPACKET pair, and waits for the answer.
 */
#include "sandbox/sandbox-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>

#define LOCK_DIR "/run/gavel-sandbox"

struct sb_box {
    int slot;
    int lock_fd;
    int sock;
    pid_t keeper;
    int broken;
    struct sb_cgroup cg;
    struct sb_filter filters[SB_PROFILE_COUNT];
    struct sb_request *req; /* the request being built, reused by every run */
    int remote;             /* served by another process (sb_box_connect): no keeper of ours */
    int work_valid;         /* the keeper has this folder on /box already */
    dev_t work_dev;
    ino_t work_ino;
    /* The run started and not yet waited for (sb_box_start, sb_box_wait). */
    int pending;
    int pend_fds[4 + SB_MAX_BINDS]; /* [work, stdin?, stdout?, stderr?, binds...]; -1 closed */
    int pend_nfds;
    char *pend_work_dir;
    struct stat pend_st;
};

static const char *const default_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp",
                                          "LANG=C.UTF-8", NULL};

const char *const *sb_default_env(void)
{
    return default_env;
}

const char *sb_status_name(enum sb_status status)
{
    static const char *const names[] = {"OK", "TLE", "MLE", "OLE", "RE", "SE"};

    if ((unsigned)status < sizeof(names) / sizeof(names[0]))
        return names[status];
    return "SE";
}

unsigned sb_box_uid(const struct sb_box *box)
{
    return SB_UID_BASE + (unsigned)box->slot;
}

static void set_msg(char *msg, size_t size, const char *text, int err)
{
    if (msg && size)
        snprintf(msg, size, "%s: %s", text, strerror(err));
}

/* Takes the slot's lock, or the first free slot's when slot < 0. */
static int lock_slot(int slot, int *ret_slot, int *ret_fd)
{
    char path[64];

    if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST)
        return -errno;
    for (int s = slot < 0 ? 0 : slot; s < (slot < 0 ? SB_MAX_SLOTS : slot + 1); s++) {
        snprintf(path, sizeof(path), LOCK_DIR "/slot-%d", s);
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            *ret_slot = s;
            *ret_fd = fd;
            return 0;
        }
        int e = errno;
        close(fd);
        if (e != EWOULDBLOCK)
            return -e;
    }
    return -EBUSY;
}

/*
 * The slot's network namespace (no interface, not even lo up), kept at LOCK_DIR/net-SLOT by a
 * bind mount: creating one costs about 0.7 ms and its teardown burns kernel CPU, joining one
 * costs a microsecond, which matters to a gavel-run making a box per run. One per slot, as the
 * slot's lock is: boxes running side by side never share one (abstract AF_UNIX sockets live in
 * the network namespace), and whatever a box left in it dies with its processes. Returns a
 * descriptor, or -1 when there is none yet.
 */
static int open_slot_netns(int slot)
{
    char path[64];
    struct statfs sf;

    snprintf(path, sizeof(path), LOCK_DIR "/net-%d", slot);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC ||
        ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
        close(fd); /* a plain file: not kept yet, or kept in another mount namespace */
        return -1;
    }
    return fd;
}

/* Keeps the fresh network namespace of pid for the slot's next boxes; best effort. */
static void keep_slot_netns(int slot, pid_t pid)
{
    char path[64], src[64];

    snprintf(path, sizeof(path), LOCK_DIR "/net-%d", slot);
    snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    close(fd);
    (void)mount(src, path, NULL, MS_BIND, NULL);
}

/* The /etc entries runtimes read: the dynamic loader's, java's alternatives and settings,
 * Python's, Mono's library map, Free Pascal's configuration, the time zone. Scanned here
 * because the keeper may not allocate. */
static void pick_etc(struct sb_keeper_config *c)
{
    static const char *const fixed[] = {"ld.so.cache",  "ld.so.conf", "ld.so.conf.d",
                                        "alternatives", "localtime",  "nsswitch.conf"};
    size_t n = 0, max = sizeof(c->etc_names) / sizeof(c->etc_names[0]) - 1;
    DIR *d;

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
        snprintf(c->etc_names[n++], sizeof(c->etc_names[0]), "%s", fixed[i]);
    d = opendir("/etc");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < max)
            if ((strncmp(e->d_name, "java", 4) == 0 || strncmp(e->d_name, "python", 6) == 0 ||
                 strcmp(e->d_name, "mono") == 0 || strncmp(e->d_name, "fpc", 3) == 0) &&
                strlen(e->d_name) < sizeof(c->etc_names[0]))
                memcpy(c->etc_names[n++], e->d_name, strlen(e->d_name) + 1); /* fits: checked */
        closedir(d);
    }
    c->etc_names[n][0] = '\0';
}

int sb_box_new_msg(const struct sb_box_options *opts, struct sb_box **ret_box, char *msg,
                   size_t msg_size)
{
    struct sb_box *box = NULL;
    struct sb_keeper_config config;
    struct sb_reply rep;
    char name[64];
    int sv[2] = {-1, -1}, net_fd = -1, r;

    if (msg && msg_size)
        msg[0] = '\0';
    *ret_box = NULL;
    if (geteuid() != 0) {
        set_msg(msg, msg_size, "the sandbox needs root", EPERM);
        return -EPERM;
    }
    if (opts && opts->slot >= SB_MAX_SLOTS) {
        set_msg(msg, msg_size, "slot out of range", EINVAL);
        return -EINVAL;
    }
    box = calloc(1, sizeof(*box));
    if (!box)
        return -ENOMEM;
    box->lock_fd = box->sock = -1;
    box->keeper = -1;
    sb_cgroup_init(&box->cg);
    box->req = malloc(sizeof(*box->req));
    if (!box->req) {
        r = -ENOMEM;
        goto out;
    }

    r = lock_slot(opts ? opts->slot : -1, &box->slot, &box->lock_fd);
    if (r < 0) {
        set_msg(msg, msg_size, "cannot take a box slot", -r);
        goto out;
    }
    for (int p = 0; p < SB_PROFILE_COUNT; p++) {
        r = sb_filter_build((enum sb_profile)p, &box->filters[p]);
        if (r < 0) {
            set_msg(msg, msg_size, "cannot build seccomp filter", -r);
            goto out;
        }
    }
    snprintf(name, sizeof(name), "gavel-box%d-%d", box->slot, (int)getpid());
    r = sb_cgroup_create(&box->cg, name, msg, msg_size);
    if (r < 0)
        goto out;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        r = -errno;
        set_msg(msg, msg_size, "socketpair", -r);
        goto out;
    }
    memset(&config, 0, sizeof(config));
    config.sock = sv[1];
    config.net_fd = net_fd = open_slot_netns(box->slot);
    config.uid = SB_UID_BASE + (uid_t)box->slot;
    config.gid = SB_UID_BASE + (gid_t)box->slot;
    config.cg = &box->cg;
    memcpy(config.filters, box->filters, sizeof(config.filters));
    pick_etc(&config);

    /* fork-like clone into fresh namespaces: the keeper is PID 1 of its own. */
    pid_t pid = (pid_t)syscall(SYS_clone,
                               CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
                                   (net_fd < 0 ? CLONE_NEWNET : 0) | SIGCHLD,
                               0, 0, 0, 0);
    if (pid < 0) {
        r = -errno;
        set_msg(msg, msg_size, "cannot create the box's namespaces", -r);
        goto out;
    }
    if (pid == 0)
        sb_keeper_main(&config);
    box->keeper = pid;
    if (net_fd < 0)
        keep_slot_netns(box->slot, pid);
    else
        close(net_fd);
    net_fd = -1;
    close(sv[1]);
    sv[1] = -1;
    box->sock = sv[0];
    sv[0] = -1;

    if (send(box->sock, "g", 1, MSG_NOSIGNAL) != 1) {
        r = -EPIPE;
        set_msg(msg, msg_size, "the keeper died while starting", EPIPE);
        goto out;
    }
    ssize_t n;
    while ((n = recv(box->sock, &rep, sizeof(rep), 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(rep)) {
        r = -EPIPE;
        set_msg(msg, msg_size, "the keeper died while building the box", EPIPE);
        goto out;
    }
    if (rep.err < 0) {
        r = rep.err;
        if (msg && msg_size)
            snprintf(msg, msg_size, "cannot build the box: %s", rep.result.message);
        goto out;
    }
    *ret_box = box;
    return 0;
out:
    if (net_fd >= 0)
        close(net_fd);
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    sb_box_free(box);
    return r;
}

int sb_box_new(const struct sb_box_options *opts, struct sb_box **ret_box)
{
    return sb_box_new_msg(opts, ret_box, NULL, 0);
}

static void end_pending(struct sb_box *box);

void sb_box_free(struct sb_box *box)
{
    if (!box)
        return;
    if (box->sock >= 0)
        close(box->sock);
    if (box->keeper > 0) {
        /* PID 1 of the namespace: its death takes every process of the box with it. */
        (void)kill(box->keeper, SIGKILL);
        while (waitpid(box->keeper, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
    sb_cgroup_destroy(&box->cg);
    for (int p = 0; p < SB_PROFILE_COUNT; p++)
        sb_filter_release(&box->filters[p]);
    if (box->lock_fd >= 0)
        close(box->lock_fd);
    end_pending(box);
    free(box->req);
    free(box);
}

/* Opens a host file for the box: never through a final symlink, never blocking on a FIFO. */
static int open_stream(const char *path, int flags, int *ret_fd)
{
    struct stat st;
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        close(fd);
        return -EINVAL;
    }
    *ret_fd = fd;
    return 0;
}

static int pack(struct sb_request *req, const char *s)
{
    size_t n = strlen(s) + 1;

    if (req->strings_len + n > SB_MAX_STRINGS)
        return -E2BIG;
    memcpy(req->strings + req->strings_len, s, n);
    req->strings_len += (uint32_t)n;
    return 0;
}

static void normalise(struct sb_limits *lim)
{
    if (!lim->wall_ms) {
        uint64_t wall = 2 * (uint64_t)lim->time_ms + 1000; /* in 64 bits: no wrap to a short wall */
        lim->wall_ms = wall > UINT32_MAX ? UINT32_MAX : (uint32_t)wall;
    }
    if (!lim->procs)
        lim->procs = 64;
}

/* Fills the request (strings and counts) from the spec. */
static int build_request(const struct sb_spec *spec, struct sb_request *req)
{
    const char *const *envp = spec->envp ? spec->envp : default_env;
    int r = 0;

    memset(req, 0, offsetof(struct sb_request, strings));
    req->limits = spec->limits;
    normalise(&req->limits);
    req->profile = (uint32_t)spec->profile;
    for (; r == 0 && spec->argv[req->n_argv]; req->n_argv++)
        r = req->n_argv >= SB_MAX_ARGS ? -E2BIG : pack(req, spec->argv[req->n_argv]);
    for (; r == 0 && envp[req->n_envp]; req->n_envp++)
        r = req->n_envp >= SB_MAX_ARGS ? -E2BIG : pack(req, envp[req->n_envp]);
    for (size_t i = 0; r == 0 && i < spec->n_binds; i++, req->n_binds++) {
        const struct sb_bind *b = &spec->binds[i];
        r = b->src ? pack(req, b->dst ? b->dst : b->src) : -EINVAL;
    }
    return r;
}

/* A detached copy of a host folder's mount, to be attached inside the box. */
static int clone_tree(int dfd, const char *path, int flags, unsigned int attrs)
{
    struct mount_attr attr = {.attr_set = attrs};
    int fd = open_tree(dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (unsigned)flags);

    if (fd < 0)
        return -errno;
    if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/*
 * Gives the working folder to the box's uid, owner-writable, and returns what the keeper needs
 * to put it on /box: a detached copy of its mount, or, when the keeper already has this very
 * folder there, just the folder (making and dropping a mount costs more than the rest of a run).
 */
static int prepare_work(struct sb_box *box, const char *dir, int *ret_fd, struct stat *ret_st)
{
    uid_t uid = SB_UID_BASE + (uid_t)box->slot;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, ret_st) < 0 ||
        ((ret_st->st_uid != uid || ret_st->st_gid != uid) && fchown(fd, uid, uid) < 0) ||
        ((ret_st->st_mode & 0700) != 0700 && fchmod(fd, (ret_st->st_mode & 07777) | 0700) < 0))
        r = -errno;
    if (r < 0) {
        close(fd);
        return r;
    }
    /* A box served by another process may well have this folder on /box already (the last
     * client's): try without a mount first, the keeper answers -ESTALE if not. */
    box->req->work_is_tree =
        !(box->work_valid && box->work_dev == ret_st->st_dev && box->work_ino == ret_st->st_ino) &&
        !box->remote;
    if (!box->req->work_is_tree) {
        *ret_fd = fd;
        return 0;
    }
    r = clone_tree(fd, "", AT_EMPTY_PATH, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    close(fd);
    if (r < 0)
        return r;
    *ret_fd = r;
    return 0;
}

/* Opens a descriptor stream the caller gave: a copy of it, checked like a file. */
static int dup_stream(int fd, int *ret_fd)
{
    struct stat st;
    int copy;

    if (fd < 0 || fstat(fd, &st) < 0 ||
        !(S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
        return -EINVAL;
    copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
        return -errno;
    *ret_fd = copy;
    return 0;
}

/* Sends the pending request with its descriptors. */
static int send_request(struct sb_box *box)
{
    struct sb_request *req = box->req;
    union {
        char buf[CMSG_SPACE(sizeof(box->pend_fds))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = req,
                        .iov_len = offsetof(struct sb_request, strings) + req->strings_len};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)box->pend_nfds)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)box->pend_nfds);
    memcpy(CMSG_DATA(c), box->pend_fds, sizeof(int) * (size_t)box->pend_nfds);
    ssize_t n;
    while ((n = sendmsg(box->sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n < 0) {
        int r = -errno;
        if (r != -EMSGSIZE)
            box->broken = 1, r = -EPIPE;
        return r;
    }
    return 0;
}

/* Closes the descriptors of the pending run from index `from` on. */
static void close_pending(struct sb_box *box, int from)
{
    for (int i = from; i < box->pend_nfds; i++)
        if (box->pend_fds[i] >= 0)
            close(box->pend_fds[i]);
    box->pend_nfds = from < box->pend_nfds ? from : box->pend_nfds;
}

/* Ends the pending run: its descriptors closed, its work folder forgotten. */
static void end_pending(struct sb_box *box)
{
    close_pending(box, 0);
    free(box->pend_work_dir);
    box->pend_work_dir = NULL;
    box->pending = 0;
}

int sb_box_start(struct sb_box *box, const struct sb_spec *spec, struct sb_result *res)
{
    int r;
    const char *what = "spec";

    memset(res, 0, sizeof(*res));
    res->status = SB_SE;
    res->exit_code = -1;
    if (!box || !spec || !spec->argv || !spec->argv[0] || !spec->argv[0][0] || !spec->work_dir ||
        spec->n_binds > SB_MAX_BINDS || (spec->n_binds && !spec->binds) ||
        (unsigned)spec->profile > SB_COMPILER ||
        (spec->fd_streams & ~(unsigned)(SB_STDIN_FD | SB_STDOUT_FD))) {
        r = -EINVAL;
        goto out;
    }
    if (box->pending) { /* a run not waited for yet: leave it be */
        snprintf(res->message, sizeof(res->message), "a run is in progress in this box");
        return -EINVAL;
    }
    if (box->broken) {
        r = -EPIPE;
        what = "box";
        goto out;
    }
    struct sb_request *req = box->req;
    r = build_request(spec, req);
    if (r < 0)
        goto out;
    box->pending = 1;
    box->pend_nfds = 0;
    for (int i = 0; i < (int)(sizeof(box->pend_fds) / sizeof(box->pend_fds[0])); i++)
        box->pend_fds[i] = -1;
    box->pend_work_dir = strdup(spec->work_dir);
    if (!box->pend_work_dir) {
        r = -ENOMEM;
        goto out;
    }

    what = spec->work_dir;
    r = prepare_work(box, spec->work_dir, &box->pend_fds[box->pend_nfds], &box->pend_st);
    box->work_valid = 0; /* until the keeper confirms */
    if (r < 0)
        goto out;
    box->pend_nfds++;
    /* Descriptor streams cannot be sent again (the caller closes its ends after the start):
     * a served box, which may answer -ESTALE to a folder it lacks, gets the folder's mount. */
    if (spec->fd_streams && !req->work_is_tree) {
        close(box->pend_fds[0]);
        box->pend_fds[0] = -1;
        r = clone_tree(AT_FDCWD, spec->work_dir, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
            goto out;
        box->pend_fds[0] = r;
        req->work_is_tree = 1;
    }
    int given[2] = {-1, -1}; /* where the caller's descriptors' copies are */
    if (spec->fd_streams & SB_STDIN_FD) {
        what = "stdin descriptor";
        r = dup_stream(spec->stdin_fd, &box->pend_fds[box->pend_nfds]);
        req->streams_given |= SB_STDIN_FD;
        given[0] = box->pend_nfds;
    } else if (spec->stdin_path) {
        what = spec->stdin_path;
        r = open_stream(spec->stdin_path, O_RDONLY, &box->pend_fds[box->pend_nfds]);
    }
    if (r < 0)
        goto out;
    if ((spec->fd_streams & SB_STDIN_FD) || spec->stdin_path) {
        box->pend_nfds++;
        req->has_stdin = 1;
    }
    if (spec->fd_streams & SB_STDOUT_FD) {
        what = "stdout descriptor";
        r = dup_stream(spec->stdout_fd, &box->pend_fds[box->pend_nfds]);
        req->streams_given |= SB_STDOUT_FD;
        given[1] = box->pend_nfds;
    } else if (spec->stdout_path) {
        what = spec->stdout_path;
        r = open_stream(spec->stdout_path, O_WRONLY | O_CREAT | O_TRUNC,
                        &box->pend_fds[box->pend_nfds]);
    }
    if (r < 0)
        goto out;
    if ((spec->fd_streams & SB_STDOUT_FD) || spec->stdout_path) {
        box->pend_nfds++;
        req->has_stdout = 1;
    }
    if (spec->stderr_path) {
        what = spec->stderr_path;
        if (!(spec->fd_streams & SB_STDOUT_FD) && spec->stdout_path &&
            strcmp(spec->stdout_path, spec->stderr_path) == 0) {
            req->has_stderr = 2;
        } else {
            r = open_stream(spec->stderr_path, O_WRONLY | O_CREAT | O_TRUNC,
                            &box->pend_fds[box->pend_nfds]);
            if (r < 0)
                goto out;
            box->pend_nfds++;
            req->has_stderr = 1;
        }
    }
    for (size_t i = 0; i < spec->n_binds; i++) {
        what = spec->binds[i].src;
        r = clone_tree(AT_FDCWD, spec->binds[i].src, 0,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
            goto out;
        box->pend_fds[box->pend_nfds++] = r;
    }

    what = "box";
    r = send_request(box);
    if (r < 0)
        goto out;
    /* The keeper has its copies now: ours of the caller's pipes go at once, so that the only
     * ends left open are the programs' own. */
    for (int k = 0; k < 2; k++)
        if (given[k] >= 0) {
            close(box->pend_fds[given[k]]);
            box->pend_fds[given[k]] = -1;
        }
    return 0;
out:
    if (box)
        end_pending(box);
    if (r < 0 && what)
        snprintf(res->message, sizeof(res->message), "%s: %s", what, strerror(-r));
    return r;
}

int sb_box_wait_fd(const struct sb_box *box)
{
    return box ? box->sock : -1;
}

int sb_box_wait(struct sb_box *box, struct sb_result *res)
{
    struct sb_reply rep;
    const char *what = "box";
    ssize_t n;
    int r;

    memset(res, 0, sizeof(*res));
    res->status = SB_SE;
    res->exit_code = -1;
    if (!box || !box->pending) {
        snprintf(res->message, sizeof(res->message), "no run started");
        return -EINVAL;
    }
    struct sb_request *req = box->req;
again:
    while ((n = recv(box->sock, &rep, sizeof(rep), 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(rep)) {
        box->broken = 1;
        r = -EPIPE;
        goto out;
    }
    if (rep.err == -ESTALE && !req->work_is_tree && !req->streams_given) {
        /* The keeper has another folder on /box: send this one's mount after all. */
        int dfd = open(box->pend_work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        r = dfd < 0 ? -errno
                    : clone_tree(dfd, "", AT_EMPTY_PATH, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (dfd >= 0)
            close(dfd);
        if (r < 0) {
            what = box->pend_work_dir;
            goto out;
        }
        close(box->pend_fds[0]);
        box->pend_fds[0] = r;
        req->work_is_tree = 1;
        r = send_request(box);
        if (r < 0)
            goto out;
        goto again;
    }
    *res = rep.result;
    res->message[sizeof(res->message) - 1] = '\0';
    r = rep.err;
    if (r == 0 || r == -ENOENT || r == -EACCES || r == -ENOEXEC) { /* /box was attached */
        box->work_valid = 1;
        box->work_dev = box->pend_st.st_dev;
        box->work_ino = box->pend_st.st_ino;
    }
    if (r < 0)
        res->status = SB_SE;
    what = NULL;
out:
    if (r < 0 && what)
        snprintf(res->message, sizeof(res->message), "%s: %s", what, strerror(-r));
    end_pending(box);
    return r;
}

int sb_box_run(struct sb_box *box, const struct sb_spec *spec, struct sb_result *res)
{
    int r = sb_box_start(box, spec, res);

    return r < 0 ? r : sb_box_wait(box, res);
}

int sb_open_result(const char *dir, const char *name, int *ret_fd)
{
    struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                      RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    struct stat st;
    int dfd, fd, r;

    if (!name[0] || name[0] == '/')
        return -EINVAL;
    dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS) {
        /* Before openat2: only a plain name, no path, is safe with O_NOFOLLOW alone. */
        fd = strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0
                 ? (errno = EINVAL, -1)
                 : openat(dfd, name, (int)how.flags);
    }
    r = fd < 0 ? -errno : 0;
    close(dfd);
    if (r < 0)
        return r;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        close(fd);
        return -EINVAL;
    }
    *ret_fd = fd;
    return 0;
}

/* --- sharing a box with other processes ---------------------------------------------------- */

/* What a client reads first on connecting to a served box. */
struct hello {
    uint32_t magic;
    int32_t slot;
};

#define HELLO_MAGIC 0x67626f78u /* "gbox" */

/* Hands one client's connection to the keeper, which serves it directly, and waits until the
 * client has hung up. */
static void serve_client(struct sb_box *box, int conn)
{
    struct hello h = {HELLO_MAGIC, box->slot};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct sb_reply rep;
    ssize_t n;

    if (send(conn, &h, sizeof(h), MSG_NOSIGNAL) != (ssize_t)sizeof(h))
        return;
    memset(&ctl, 0, sizeof(ctl));
    memset(box->req, 0, offsetof(struct sb_request, strings));
    box->req->op = SB_OP_ADOPT;
    struct iovec iov = {.iov_base = box->req, .iov_len = offsetof(struct sb_request, strings)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &conn, sizeof(int));
    while ((n = sendmsg(box->sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n < 0) {
        box->broken = 1;
        return;
    }
    while ((n = recv(box->sock, &rep, sizeof(rep), 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(rep))
        box->broken = 1;
}

int sb_box_serve(struct sb_box *box, int listen_fd, int idle_ms)
{
    if (!box || box->remote || listen_fd < 0)
        return -EINVAL;
    while (!box->broken) {
        struct pollfd p = {.fd = listen_fd, .events = POLLIN};
        int n = poll(&p, 1, idle_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
            continue;
        serve_client(box, conn);
        close(conn);
    }
    return -EPIPE;
}

int sb_box_connect(const char *path, struct sb_box **ret_box)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct hello h;
    struct sb_box *box;
    int fd, r;

    *ret_box = NULL;
    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        r = -errno;
        goto out;
    }
    ssize_t n;
    while ((n = recv(fd, &h, sizeof(h), 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(h) || h.magic != HELLO_MAGIC || h.slot < 0 || h.slot >= SB_MAX_SLOTS) {
        r = -ECONNREFUSED;
        goto out;
    }
    box = calloc(1, sizeof(*box));
    if (box)
        box->req = malloc(sizeof(*box->req));
    if (!box || !box->req) {
        free(box);
        r = -ENOMEM;
        goto out;
    }
    box->slot = h.slot;
    box->sock = fd;
    box->lock_fd = -1;
    box->keeper = -1;
    box->remote = 1;
    sb_cgroup_init(&box->cg);
    *ret_box = box;
    return 0;
out:
    close(fd);
    return r;
}
