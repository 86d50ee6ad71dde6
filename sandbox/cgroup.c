/*
 * cgroup.c: the box's cgroups on v1 (memory, pids and cpuacct on their own hierarchies) and on
 * v2 (one unified directory), created beneath the cgroups this process is in and nowhere else.
 *
 * The host side creates the directories and opens their control files once per box; after
 * that every limit, peak and counter goes through those descriptors with pread/pwrite, which is
 * what lets the keeper use them from a mount namespace that shows no /sys, and keeps each run
 * free of path lookups. The keeper moves itself in (sb_cgroup_join) once per box; every
 * program it starts inherits the cgroups.
 */
#include "sandbox/sandbox-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* On cgroup v2, the leaf this process moves itself into when its cgroup holds it. */
#define V2_HOST_LEAF "gavel-host"

void sb_cgroup_init(struct sb_cgroup *cg)
{
    memset(cg, 0, sizeof(*cg));
    cg->fd_mem_limit = cg->fd_memsw_limit = cg->fd_mem_peak = cg->fd_mem_usage = -1;
    cg->fd_mem_events = cg->fd_mem_stat = cg->fd_pids_max = cg->fd_cpu = -1;
    cg->fd_join[0] = cg->fd_join[1] = cg->fd_join[2] = -1;
    cg->mem_limit_now = UINT64_MAX - 1; /* unknown: the first set always writes */
    cg->pids_limit_now = UINT32_MAX - 1;
}

/* True when the comma-separated list holds word. */
static int list_has(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* What this process sees of the cgroups: /proc/self/mountinfo and /proc/self/cgroup, read
 * once per box. */
struct view {
    char *mountinfo; /* malloc'd */
    char *cgroups;   /* malloc'd */
};

/* The whole of a /proc file, NUL-ended, in *ret (malloc'd). */
static int read_all(const char *path, char **ret)
{
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    *ret = NULL;
    if (fd < 0 || !buf) {
        int e = fd < 0 ? errno : ENOMEM;
        free(buf);
        if (fd >= 0)
            close(fd);
        return -e;
    }
    while ((n = read(fd, buf + len, cap - 1 - len)) > 0) {
        len += (size_t)n;
        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                close(fd);
                return -ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int e = n < 0 ? errno : 0;
    close(fd);
    if (e) {
        free(buf);
        return -e;
    }
    buf[len] = '\0';
    *ret = buf;
    return 0;
}

static int view_read(struct view *v)
{
    int r = read_all("/proc/self/mountinfo", &v->mountinfo);

    v->cgroups = NULL;
    if (r == 0)
        r = read_all("/proc/self/cgroup", &v->cgroups);
    return r;
}

static void view_free(struct view *v)
{
    free(v->mountinfo);
    free(v->cgroups);
    v->mountinfo = v->cgroups = NULL;
}

/* Copies the line of text starting at *p into buf (cut to fit) and moves *p past it. */
static int next_line(const char **p, char *buf, size_t size)
{
    if (!**p)
        return 0;
    size_t n = strcspn(*p, "\n");
    snprintf(buf, size, "%.*s", (int)n, *p);
    *p += n + ((*p)[n] == '\n');
    return 1;
}

/*
 * Finds the mount of a cgroup hierarchy: fstype "cgroup" carrying controller in its super
 * options, or fstype "cgroup2" when controller is NULL. Fills the mount point and the root of
 * the hierarchy that is mounted there.
 */
static int find_mount(const struct view *v, const char *controller, char *ret_mnt, size_t mnt_size,
                      char *ret_root, size_t root_size)
{
    char line[4096];

    for (const char *p = v->mountinfo; next_line(&p, line, sizeof(line));) {
        char *fields[16];
        int n = 0;
        for (char *q = line; *q && n < 16;) {
            while (*q == ' ')
                *q++ = '\0';
            if (!*q)
                break;
            fields[n++] = q;
            q += strcspn(q, " ");
        }
        int dash = -1;
        for (int i = 6; i < n; i++)
            if (strcmp(fields[i], "-") == 0) {
                dash = i;
                break;
            }
        if (dash < 0 || dash + 3 >= n)
            continue;
        const char *fstype = fields[dash + 1], *super = fields[dash + 3];
        int match = controller ? (strcmp(fstype, "cgroup") == 0 && list_has(super, controller))
                               : strcmp(fstype, "cgroup2") == 0;
        if (!match)
            continue;
        if ((size_t)snprintf(ret_mnt, mnt_size, "%s", fields[4]) >= mnt_size ||
            (size_t)snprintf(ret_root, root_size, "%s", fields[3]) >= root_size)
            return -ENAMETOOLONG;
        return 0;
    }
    return -ENOENT;
}

/* Our own cgroup path in the hierarchy of controller (v1), or the unified one (NULL). */
static int own_path(const struct view *v, const char *controller, char *ret_path, size_t size)
{
    char line[4096];

    for (const char *p = v->cgroups; next_line(&p, line, sizeof(line));) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0'; /* "ID:CONTROLLERS:PATH"; v2 is "0::PATH" */
        const char *ctrls = c1 + 1, *path = c2 + 1;
        int match =
            controller ? list_has(ctrls, controller) : (strcmp(line, "0") == 0 && ctrls[0] == '\0');
        if (!match)
            continue;
        return (size_t)snprintf(ret_path, size, "%s", path) >= size ? -ENAMETOOLONG : 0;
    }
    return -ENOENT;
}

/* True when a hierarchy path has a ".." component: a place outside our cgroup namespace. */
static int path_leaves_namespace(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")); p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

/*
 * The directory under the mount of one hierarchy of a path in it as /proc/self/cgroup shows
 * it (relative to our cgroup namespace). -EXDEV when the mount cannot show that path: its
 * root lies outside our namespace ("/.."), or the path is not beneath the mount's root.
 */
static int path_dir(const char *mnt, const char *root, const char *path, char *ret_dir, size_t size)
{
    size_t rl = strlen(root);
    const char *rel = path;

    if (path[0] != '/' || path_leaves_namespace(root) || path_leaves_namespace(path))
        return -EXDEV;
    if (strcmp(root, "/") != 0) {
        if (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/'))
            return -EXDEV;
        rel = path + rl;
    }
    if (strcmp(rel, "/") == 0)
        rel = "";
    if ((size_t)snprintf(ret_dir, size, "%s%s", mnt, rel) >= size)
        return -ENAMETOOLONG;
    return 0;
}

/*
 * The directory the boxes go in, in one hierarchy: the cgroup we were given (GAVEL_CGROUP,
 * a path in the hierarchy or a directory under its mount), else our own, less a trailing
 * "gavel-host" leaf on v2 (we moved ourselves there). Also the directory of our own cgroup.
 */
static int base_dir(const struct view *v, const char *controller, const char *given, char *ret_base,
                    size_t base_size, char *ret_own, size_t own_size)
{
    char mnt[256], root[256], path[512];
    size_t ml, pl, hl = strlen("/" V2_HOST_LEAF);
    int r;

    r = find_mount(v, controller, mnt, sizeof(mnt), root, sizeof(root));
    if (r < 0)
        return r;
    r = own_path(v, controller, path, sizeof(path));
    if (r < 0)
        return r;
    r = path_dir(mnt, root, path, ret_own, own_size);
    if (r < 0)
        return r;
    ml = strlen(mnt);
    if (given && strncmp(given, mnt, ml) == 0 && given[ml] == '/') {
        if (path_leaves_namespace(root) || path_leaves_namespace(given))
            return -EXDEV;
        return (size_t)snprintf(ret_base, base_size, "%s", given) >= base_size ? -ENAMETOOLONG : 0;
    }
    if (given)
        return path_dir(mnt, root, given, ret_base, base_size);
    pl = strlen(path);
    /* On v2 we may have moved ourselves into our own leaf: boxes go beside it. */
    if (!controller && pl >= hl && strcmp(path + pl - hl, "/" V2_HOST_LEAF) == 0)
        path[pl - hl == 0 ? 1 : pl - hl] = '\0';
    return path_dir(mnt, root, path, ret_base, base_size);
}

/* The directory of the box in one hierarchy: the base of base_dir, then name. */
static int box_dir(const struct view *v, const char *controller, const char *given,
                   const char *name, char *ret_dir, size_t size)
{
    char base[512], own[512];
    int r = base_dir(v, controller, given, base, sizeof(base), own, sizeof(own));

    if (r < 0)
        return r;
    if ((size_t)snprintf(ret_dir, size, "%s/%s", strcmp(base, "/") == 0 ? "" : base, name) >= size)
        return -ENAMETOOLONG;
    return 0;
}

int sb_cgroup_box_dir(const char *mountinfo, const char *cgroups, const char *controller,
                      const char *given, const char *name, char *ret_dir, size_t size)
{
    /* Only read: the view owns nothing here and is never freed. */
    const struct view v = {.mountinfo = (char *)mountinfo, .cgroups = (char *)cgroups};

    return box_dir(&v, controller, given && given[0] ? given : NULL, name, ret_dir, size);
}

/*
 * Removes empty leftovers of this slot ("gavel-box3-*") beside dir: a box whose process died
 * without cleaning up. The caller holds the slot's lock, so no live box uses these names, and
 * rmdir only ever removes a cgroup without processes.
 */
static void remove_stale(const char *dir)
{
    char parent[512], path[800];
    const char *base = strrchr(dir, '/');
    const char *dash = strrchr(dir, '-');
    DIR *d;
    struct dirent *e;

    if (!base || !dash || dash < base)
        return;
    size_t plen = (size_t)(dash - base); /* "gavel-boxN-" without the leading '/' */
    snprintf(parent, sizeof(parent), "%.*s", (int)(base - dir), dir);
    d = opendir(parent);
    if (!d)
        return;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, base + 1, plen) == 0 && e->d_type == DT_DIR) {
            snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
            (void)rmdir(path);
        }
    closedir(d);
}

/* mkdir, and when a stale empty directory of the same name exists, replace it. */
static int make_dir(const char *dir)
{
    remove_stale(dir);
    if (mkdir(dir, 0755) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (rmdir(dir) < 0)
        return -EEXIST;
    return mkdir(dir, 0755) == 0 ? 0 : -errno;
}

static int open_in(const char *dir, const char *file, int flags)
{
    char path[640];

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
        return -ENAMETOOLONG;
    int fd = open(path, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int write_file(const char *dir, const char *file, const char *value)
{
    int fd = open_in(dir, file, O_WRONLY);
    int r = 0;

    if (fd < 0)
        return fd;
    if (write(fd, value, strlen(value)) < 0)
        r = -errno;
    close(fd);
    return r;
}

static int create_v1(struct sb_cgroup *cg, const struct view *v, const char *given,
                     const char *name, char *msg, size_t msg_size)
{
    int r;

    r = box_dir(v, "memory", given, name, cg->mem_dir, sizeof(cg->mem_dir));
    if (r >= 0)
        r = box_dir(v, "pids", given, name, cg->pids_dir, sizeof(cg->pids_dir));
    if (r >= 0)
        r = box_dir(v, "cpuacct", given, name, cg->cpu_dir, sizeof(cg->cpu_dir));
    if (r == -EXDEV) {
        snprintf(msg, msg_size,
                 "our cgroup is not inside the cgroup v1 hierarchies this process sees: a box "
                 "is never made outside it");
        return r;
    }
    if (r < 0) {
        snprintf(msg, msg_size, "cgroup v1: memory, pids and cpuacct hierarchies needed");
        return r;
    }
    cg->version = 1;
    char *dirs[] = {cg->mem_dir, cg->pids_dir, cg->cpu_dir};
    for (int i = 0; i < 3; i++) {
        r = make_dir(dirs[i]);
        if (r < 0) {
            snprintf(msg, msg_size, "cannot create cgroup %s: %s", dirs[i], strerror(-r));
            for (int j = i; j < 3; j++)
                dirs[j][0] = '\0'; /* not ours to remove */
            return r;
        }
    }
    cg->fd_mem_limit = open_in(cg->mem_dir, "memory.limit_in_bytes", O_RDWR);
    cg->fd_memsw_limit = open_in(cg->mem_dir, "memory.memsw.limit_in_bytes", O_RDWR);
    cg->fd_mem_peak = open_in(cg->mem_dir, "memory.max_usage_in_bytes", O_RDWR);
    cg->fd_mem_usage = open_in(cg->mem_dir, "memory.usage_in_bytes", O_RDONLY);
    cg->fd_mem_events = open_in(cg->mem_dir, "memory.oom_control", O_RDONLY);
    cg->fd_mem_stat = open_in(cg->mem_dir, "memory.stat", O_RDONLY);
    cg->fd_pids_max = open_in(cg->pids_dir, "pids.max", O_RDWR);
    cg->fd_cpu = open_in(cg->cpu_dir, "cpuacct.usage", O_RDONLY);
    for (int i = 0; i < 3; i++)
        cg->fd_join[i] = open_in(dirs[i], "tasks", O_WRONLY);
    if (cg->fd_memsw_limit < 0)
        cg->fd_memsw_limit = -1; /* no swap accounting: nothing to limit */
    (void)write_file(cg->mem_dir, "memory.swappiness", "0");
    return 0;
}

/*
 * This process's command line, as a shell would take it back when it is plain words, for a
 * message that names the command to type: the whole of it, or the program's name and "...".
 */
static void own_command(char *buf, size_t size)
{
    char raw[512];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, raw, sizeof(raw) - 1);

    if (fd >= 0)
        close(fd);
    snprintf(buf, size, "COMMAND");
    if (n <= 0)
        return;
    raw[n] = '\0';
    const char *base = strrchr(raw, '/') ? strrchr(raw, '/') + 1 : raw;
    size_t len = 0;
    int whole = n < (ssize_t)sizeof(raw) - 1;
    for (const char *a = raw; whole && a < raw + n; a += strlen(a) + 1) {
        size_t al = strlen(a);
        if (len + al + 2 > size || strpbrk(a, " \t'\"$\\;&|<>*?`") || !al) {
            whole = 0;
            break;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "", a);
    }
    if (!whole)
        snprintf(buf, size, "%.100s%s", base, raw + strlen(raw) + 1 < raw + n ? " ..." : "");
}

/*
 * Why memory and pids could not be delegated below parent (err), and the command that would
 * work: under systemd a scope of its own; without it a cgroup made for Gavel and given to it.
 */
static void delegation_refused(char *msg, size_t msg_size, const char *mnt, const char *parent,
                               const char *given, int err)
{
    char cmd[160], why[64];
    const char *path = parent + strlen(mnt); /* as /proc/self/cgroup shows it */
    struct stat st;

    if (!*path)
        path = "/";
    if (err == EBUSY)
        snprintf(why, sizeof(why), "shared with other processes");
    else
        snprintf(why, sizeof(why), "%s", strerror(err));
    own_command(cmd, sizeof(cmd));
    if (given)
        snprintf(msg, msg_size,
                 "cannot delegate memory and pids below GAVEL_CGROUP %s (%s): it must hold no "
                 "other process, and its parent must hand them down (cgroup.subtree_control)",
                 path, why);
    else if (stat("/run/systemd/system", &st) == 0)
        snprintf(msg, msg_size,
                 "cgroup %s cannot hand memory and pids down (%s): start Gavel in a cgroup of "
                 "its own: systemd-run --scope -p Delegate=yes -- %s",
                 path, why, cmd);
    else
        snprintf(msg, msg_size,
                 "cgroup %s cannot hand memory and pids down (%s): give Gavel one: echo +memory "
                 "+pids >%s/cgroup.subtree_control; mkdir %s/gavel; GAVEL_CGROUP=/gavel %s",
                 path, why, mnt, mnt, cmd);
}

/*
 * Hands memory and pids down from parent (the cgroup our boxes go in). v2 does that only
 * for a cgroup without processes: when ours holds this process, it moves itself (no other)
 * into a leaf "gavel-host" beneath; when we were given a cgroup, into that leaf too. On
 * failure it moves back and removes the leaf: a failed attempt leaves no cgroup behind.
 */
static int delegate_v2(const char *parent, const char *own, int given)
{
    char leaf[600];
    int r, moved = 0, made = 0;

    snprintf(leaf, sizeof(leaf), "%s/" V2_HOST_LEAF, parent);
    if (strcmp(own, leaf) == 0 || (!given && strcmp(own, parent) != 0))
        return write_file(parent, "cgroup.subtree_control", "+memory +pids");
    if (!given) {
        r = write_file(parent, "cgroup.subtree_control", "+memory +pids");
        if (r != -EBUSY)
            return r;
    }
    if (mkdir(leaf, 0755) == 0)
        made = 1;
    else if (errno != EEXIST)
        return -errno;
    r = write_file(leaf, "cgroup.procs", "0");
    moved = r == 0;
    if (r == 0)
        r = write_file(parent, "cgroup.subtree_control", "+memory +pids");
    if (r < 0) {
        if (moved)
            (void)write_file(own, "cgroup.procs", "0");
        if (made)
            (void)rmdir(leaf);
    }
    return r;
}

static int create_v2(struct sb_cgroup *cg, const struct view *v, const char *given,
                     const char *name, char *msg, size_t msg_size)
{
    char parent[512], own[512], mnt[256], root[256];
    int r;

    r = find_mount(v, NULL, mnt, sizeof(mnt), root, sizeof(root));
    if (r == 0)
        r = base_dir(v, NULL, given, parent, sizeof(parent), own, sizeof(own));
    if (r == -EXDEV) {
        snprintf(msg, msg_size,
                 "the cgroup2 mount at %s (root %s) does not show %s cgroup inside it, so a box "
                 "could land outside it: mount cgroup2 there from inside this cgroup namespace",
                 mnt, root, given ? "the GAVEL_CGROUP" : "our own");
        return r;
    }
    if (r < 0) {
        snprintf(msg, msg_size, "no cgroup hierarchy with memory accounting found");
        return r;
    }
    if ((size_t)snprintf(cg->mem_dir, sizeof(cg->mem_dir), "%s/%s", parent, name) >=
        sizeof(cg->mem_dir)) {
        cg->mem_dir[0] = '\0';
        return -ENAMETOOLONG;
    }
    cg->version = 2;
    struct stat st;
    if (given && (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))) {
        snprintf(msg, msg_size, "GAVEL_CGROUP %s: no such cgroup (%s); make it first", given,
                 parent);
        cg->mem_dir[0] = '\0';
        return -ENOENT;
    }
    r = delegate_v2(parent, own, given != NULL);
    if (r < 0) {
        delegation_refused(msg, msg_size, mnt, parent, given, -r);
        cg->mem_dir[0] = '\0';
        return r == -EBUSY ? -EBUSY : r;
    }
    r = make_dir(cg->mem_dir);
    if (r < 0) {
        snprintf(msg, msg_size, "cannot create cgroup %s: %s", cg->mem_dir, strerror(-r));
        cg->mem_dir[0] = '\0';
        return r;
    }
    cg->fd_mem_limit = open_in(cg->mem_dir, "memory.max", O_RDWR);
    /* Writable (a reset of this descriptor's peak) since Linux 6.12, read-only before. */
    cg->fd_mem_peak = open_in(cg->mem_dir, "memory.peak", O_RDWR);
    if (cg->fd_mem_peak < 0)
        cg->fd_mem_peak = open_in(cg->mem_dir, "memory.peak", O_RDONLY);
    cg->fd_mem_usage = open_in(cg->mem_dir, "memory.current", O_RDONLY);
    cg->fd_mem_events = open_in(cg->mem_dir, "memory.events", O_RDONLY);
    cg->fd_mem_stat = open_in(cg->mem_dir, "memory.stat", O_RDONLY);
    cg->fd_pids_max = open_in(cg->mem_dir, "pids.max", O_RDWR);
    cg->fd_cpu = open_in(cg->mem_dir, "cpu.stat", O_RDONLY);
    cg->fd_join[0] = open_in(cg->mem_dir, "cgroup.procs", O_WRONLY);
    (void)write_file(cg->mem_dir, "memory.swap.max", "0");
    return 0;
}

int sb_cgroup_create(struct sb_cgroup *cg, const char *name, char *msg, size_t msg_size)
{
    char mnt[256], root[256];
    const char *given = getenv("GAVEL_CGROUP");
    struct view v;
    int r;

    if (given && !given[0])
        given = NULL;
    r = view_read(&v);
    if (r < 0) {
        snprintf(msg, msg_size, "cannot read /proc/self/mountinfo and cgroup: %s", strerror(-r));
        view_free(&v);
        return r;
    }
    if (find_mount(&v, "memory", mnt, sizeof(mnt), root, sizeof(root)) == 0)
        r = create_v1(cg, &v, given, name, msg, msg_size);
    else
        r = create_v2(cg, &v, given, name, msg, msg_size);
    view_free(&v);
    if (r < 0)
        goto out;
    /* memory.peak came with Linux 5.19: an older v2 kernel goes without (sb_cgroup_read_peak). */
    if (cg->fd_mem_limit < 0 || (cg->version == 1 && cg->fd_mem_peak < 0) || cg->fd_mem_usage < 0 ||
        cg->fd_mem_events < 0 || cg->fd_pids_max < 0 || cg->fd_cpu < 0 || cg->fd_join[0] < 0 ||
        (cg->version == 1 && (cg->fd_join[1] < 0 || cg->fd_join[2] < 0))) {
        snprintf(msg, msg_size, "cgroup control files missing under %s", cg->mem_dir);
        r = -ENOENT;
        goto out;
    }
    return 0;
out:
    sb_cgroup_destroy(cg);
    return r;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void sb_cgroup_destroy(struct sb_cgroup *cg)
{
    char *dirs[] = {cg->mem_dir, cg->pids_dir, cg->cpu_dir};

    close_fd(&cg->fd_mem_limit);
    close_fd(&cg->fd_memsw_limit);
    close_fd(&cg->fd_mem_peak);
    close_fd(&cg->fd_mem_usage);
    close_fd(&cg->fd_mem_events);
    close_fd(&cg->fd_mem_stat);
    close_fd(&cg->fd_pids_max);
    close_fd(&cg->fd_cpu);
    for (int i = 0; i < 3; i++)
        close_fd(&cg->fd_join[i]);
    for (int i = 0; i < 3; i++) {
        if (!dirs[i][0])
            continue;
        /* Tasks killed a moment ago may still be leaving: retry for up to two seconds. */
        for (int tries = 0; tries < 400; tries++) {
            if (rmdir(dirs[i]) == 0 || errno == ENOENT)
                break;
            if (errno != EBUSY)
                break;
            nanosleep(&(struct timespec){.tv_nsec = 5000000L}, NULL);
        }
        dirs[i][0] = '\0';
    }
    cg->version = 0;
}

/* --- per-run accessors: descriptors only, no allocation ----------------------------------- */

static int write_fd(int fd, const char *s)
{
    if (fd < 0)
        return -EBADF;
    return pwrite(fd, s, strlen(s), 0) < 0 ? -errno : 0;
}

int sb_cgroup_join(struct sb_cgroup *cg)
{
    int r = 0;

    for (int i = 0; i < 3; i++) {
        if (cg->fd_join[i] < 0)
            continue;
        if (r == 0)
            r = write_fd(cg->fd_join[i], "0");
        close(cg->fd_join[i]);
        cg->fd_join[i] = -1;
    }
    return r;
}

static int read_fd(int fd, char *buf, size_t size)
{
    if (fd < 0)
        return -EBADF;
    ssize_t n = pread(fd, buf, size - 1, 0);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return 0;
}

static uint64_t parse_u64(const char *s)
{
    if (strncmp(s, "max", 3) == 0)
        return UINT64_MAX;
    return strtoull(s, NULL, 10);
}

/* The value of "key N" in a flat keyed file. */
static int read_key(int fd, const char *key, uint64_t *ret)
{
    char buf[1024];
    size_t kl = strlen(key);
    int r = read_fd(fd, buf, sizeof(buf));

    if (r < 0)
        return r;
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            *ret = parse_u64(p + kl + 1);
            return 0;
        }
    return -ENOENT;
}

int sb_cgroup_set_memory(struct sb_cgroup *cg, uint64_t bytes)
{
    char buf[32];
    int r;

    if (bytes == cg->mem_limit_now)
        return 0;
    if (cg->version == 2) {
        if (bytes)
            snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
        else
            snprintf(buf, sizeof(buf), "max");
        r = write_fd(cg->fd_mem_limit, buf);
    } else {
        snprintf(buf, sizeof(buf), "%" PRId64, bytes ? (int64_t)bytes : (int64_t)-1);
        /* memory+swap must stay >= memory: the order of the two writes depends on the way. */
        r = write_fd(cg->fd_mem_limit, buf);
        if (cg->fd_memsw_limit >= 0) {
            int r2 = write_fd(cg->fd_memsw_limit, buf);
            if (r < 0)
                r = write_fd(cg->fd_mem_limit, buf);
            else if (r2 < 0)
                r = r2;
        }
    }
    if (r == 0)
        cg->mem_limit_now = bytes;
    return r;
}

int sb_cgroup_set_pids(struct sb_cgroup *cg, uint32_t n)
{
    char buf[32];
    int r;

    if (n == cg->pids_limit_now)
        return 0;
    snprintf(buf, sizeof(buf), "%u", n);
    r = write_fd(cg->fd_pids_max, buf);
    if (r == 0)
        cg->pids_limit_now = n;
    return r;
}

int sb_cgroup_reset_peak(struct sb_cgroup *cg)
{
    if (cg->fd_mem_peak < 0)
        return -EOPNOTSUPP;
    if (cg->version == 1)
        return write_fd(cg->fd_mem_peak, "0");
    /* v2 before 6.12 cannot reset: its peak counts from the box's creation. */
    return write_fd(cg->fd_mem_peak, "reset") < 0 ? -EOPNOTSUPP : 0;
}

int sb_cgroup_read_peak(struct sb_cgroup *cg, uint64_t *ret_bytes)
{
    char buf[64];
    int r;

    if (cg->fd_mem_peak < 0)
        return -EOPNOTSUPP;
    r = read_fd(cg->fd_mem_peak, buf, sizeof(buf));

    if (r < 0)
        return r;
    *ret_bytes = parse_u64(buf);
    return 0;
}

int sb_cgroup_read_usage(struct sb_cgroup *cg, uint64_t *ret_bytes)
{
    char buf[64];
    int r = read_fd(cg->fd_mem_usage, buf, sizeof(buf));

    if (r < 0)
        return r;
    *ret_bytes = parse_u64(buf);
    return 0;
}

int sb_cgroup_read_cpu_ns(struct sb_cgroup *cg, uint64_t *ret_ns)
{
    char buf[64];
    uint64_t usec;
    int r;

    if (cg->version == 2) {
        r = read_key(cg->fd_cpu, "usage_usec", &usec);
        if (r == 0)
            *ret_ns = usec * 1000;
        return r;
    }
    r = read_fd(cg->fd_cpu, buf, sizeof(buf));
    if (r == 0)
        *ret_ns = parse_u64(buf);
    return r;
}

int sb_cgroup_read_oom_kills(struct sb_cgroup *cg, uint64_t *ret_count)
{
    return read_key(cg->fd_mem_events, "oom_kill", ret_count);
}

int sb_cgroup_read_file_cache(struct sb_cgroup *cg, uint64_t *ret_bytes)
{
    char buf[8192];
    /* v1 says "cache", v2 "file": both count shmem (tmpfs, shared memory) among file pages. */
    const char *file_key = cg->version == 1 ? "cache" : "file";
    size_t fl = strlen(file_key);
    uint64_t file = 0, shmem = 0;
    int have_file = 0;
    int r = read_fd(cg->fd_mem_stat, buf, sizeof(buf));

    if (r < 0)
        return r;
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, file_key, fl) == 0 && p[fl] == ' ') {
            file = parse_u64(p + fl + 1);
            have_file = 1;
        } else if (strncmp(p, "shmem ", 6) == 0) {
            shmem = parse_u64(p + 6);
        }
    }
    if (!have_file)
        return -ENOENT;
    *ret_bytes = file > shmem ? file - shmem : 0;
    return 0;
}
