/*
 * gavel-run: one command in a box (its own, or with --linger-ms one kept for later calls), its
 * outcome as one JSON object on stdout.
 *
 *     gavel-run [options] -- PROGRAM [ARGS...]
 *
 * Exits 0 whenever the box worked, whatever the program did; 1 with status "SE" when the box
 * could not be set up or the program not started; 2 with status "SE" on a bad command line.
 * See `gavel-run --help` for the options. The same library the judge uses does the work.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#define MAX_ENV   256
#define MAX_BINDS 16

static const char usage[] =
    "usage: gavel-run [options] -- PROGRAM [ARGS...]\n"
    "  --time-ms N        CPU time limit: all threads and all child processes together\n"
    "  --wall-ms N        wall-clock limit (default 2 x time + 1000)\n"
    "  --memory-mb N      memory limit of the whole box\n"
    "  --output-mb N      cap on bytes written (stdout and files)\n"
    "  --procs N          cap on processes and threads (default 64)\n"
    "  --stdin FILE       standard input (default: empty)\n"
    "  --stdout FILE      where standard output goes (default: discarded)\n"
    "  --stderr FILE      where standard error goes (default: discarded)\n"
    "  --dir DIR          host folder that becomes the program's writable working folder,\n"
    "                     ./PROGRAM is found there; the box's user owns it during the run,\n"
    "                     its owner and mode are put back after (default: a new empty\n"
    "                     folder, removed after the run)\n"
    "  --bind SRC[:DST]   extra read-only folder inside the box, at DST (default: SRC)\n"
    "  --profile NAME     native (default), python, jvm, compiler\n"
    "  --env K=V          environment (the box starts from a minimal clean environment)\n"
    "  --slot N           box slot, 0-999 (default: the first free one)\n"
    "  --linger-ms N      keep the box N ms after the run for later gavel-runs to reuse\n"
    "                     (concurrent gavel-runs each take one of their own)\n"
    "                     (default: GAVEL_RUN_LINGER_MS, else 0: the box goes with the run)\n";

/*
 * Lingering boxes wait for later gavel-runs in SERVER_DIR (root's alone, 0700): box K serves
 * at gavel-run-K.sock. A gavel-run uses box K only while it holds the lock gavel-run-K.lock,
 * so concurrent gavel-runs take different boxes (up to POOL of them) instead of queueing for
 * one; a box that has been idle takes its own lock before it goes, so no client is left
 * connecting to a box on its way out.
 */
#define SERVER_DIR "/run/gavel-sandbox"
#define POOL       16
/* Whether opt is one of the options of the usage text (all of which take a value). */
static int known_option(const char *opt)
{
    static const char *const names[] = {"--time-ms", "--wall-ms",  "--memory-mb", "--output-mb",
                                        "--procs",   "--stdin",    "--stdout",    "--stderr",
                                        "--dir",     "--bind",     "--profile",   "--env",
                                        "--slot",    "--linger-ms"};

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(opt, names[k]) == 0)
            return 1;
    return 0;
}

/* Writes s as a JSON string body. */
static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_result(const struct sb_result *res)
{
    printf("{\"status\":\"%s\",\"exit_code\":", sb_status_name(res->status));
    if (res->status == SB_SE || res->exit_code < 0)
        fputs("null", stdout);
    else
        printf("%d", res->exit_code);
    fputs(",\"signal\":", stdout);
    if (res->signal > 0)
        printf("%d", res->signal);
    else
        fputs("null", stdout);
    printf(",\"cpu_ms\":%llu,\"wall_ms\":%llu,\"memory_kb\":%llu,\"message\":",
           (unsigned long long)res->cpu_ms, (unsigned long long)res->wall_ms,
           (unsigned long long)res->memory_kb);
    json_string(res->message);
    fputs("}\n", stdout);
    fflush(stdout);
}

__attribute__((format(printf, 1, 2))) static int fail_usage(const char *fmt, ...)
{
    struct sb_result res = {.status = SB_SE, .exit_code = -1};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(res.message, sizeof(res.message), fmt, ap);
    va_end(ap);
    print_result(&res);
    fprintf(stderr, "gavel-run: %s\n%s", res.message, usage);
    return 2;
}

/* A decimal number in [0, max], the whole string. */
static int parse_num(const char *s, unsigned long long max, unsigned long long *ret)
{
    char *end;

    if (!s || !*s || *s == '-' || *s == '+')
        return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int find_profile(const char *name, enum sb_profile *ret)
{
    static const char *const names[] = {"native", "python", "jvm", "compiler"};

    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *ret = (enum sb_profile)i;
            return 0;
        }
    return -EINVAL;
}

/* Sets K=V in env (replacing an entry of the same key). */
static int env_set(const char **env, int *n, const char *kv)
{
    const char *eq = strchr(kv, '=');

    if (!eq || eq == kv)
        return -EINVAL;
    size_t klen = (size_t)(eq - kv) + 1;
    for (int i = 0; i < *n; i++)
        if (strncmp(env[i], kv, klen) == 0) {
            env[i] = kv;
            return 0;
        }
    if (*n >= MAX_ENV)
        return -E2BIG;
    env[(*n)++] = kv;
    env[*n] = NULL;
    return 0;
}

static void pool_path(int k, const char *ext, char *buf, size_t size)
{
    snprintf(buf, size, SERVER_DIR "/gavel-run-%d.%s", k, ext);
}

/* Takes the lock of pool box k without waiting: the descriptor, or -1 when another has it. */
static int pool_lock(int k)
{
    char path[128];

    pool_path(k, "lock", path, sizeof(path));
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Binds pool box k's socket; an old one nobody answers on is replaced. -EEXIST: a live one. */
static int bind_server(int k)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    pool_path(k, "sock", addr.sun_path, sizeof(addr.sun_path));
    for (int attempt = 0; attempt < 2; attempt++) {
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            if (listen(fd, 16) == 0)
                return fd;
            break;
        }
        if (errno != EADDRINUSE)
            break;
        int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        int alive = probe >= 0 && connect(probe, (struct sockaddr *)&addr, sizeof(addr)) == 0;
        if (probe >= 0)
            close(probe);
        if (alive) {
            close(fd);
            return -EEXIST;
        }
        (void)unlink(addr.sun_path);
    }
    int e = errno;
    close(fd);
    return -e;
}

/* The lingering box's life: serve until idle for linger_ms and unclaimed, then go. */
static int serve_pool_box(struct sb_box *box, int lfd, int k, int linger_ms)
{
    char path[128];
    int r;

    for (;;) {
        r = sb_box_serve(box, lfd, linger_ms);
        if (r < 0)
            break;
        int lock = pool_lock(k);
        if (lock >= 0) {
            /* Ours again, so nobody is about to connect: leave, holding it until we are gone. */
            pool_path(k, "sock", path, sizeof(path));
            (void)unlink(path);
            close(lfd);
            sb_box_free(box);
            close(lock);
            return 0;
        }
        /* A gavel-run holds the lock and is connecting: serve it. */
    }
    pool_path(k, "sock", path, sizeof(path));
    (void)unlink(path);
    close(lfd);
    sb_box_free(box);
    return r;
}

/*
 * Starts pool box k: a detached process holding a box for linger_ms of idleness; returns once
 * it listens (or failed). Its standard streams are /dev/null: the caller of this gavel-run
 * sees its output end with it. The caller holds k's lock, which the server does not inherit.
 */
static void start_server(int k, int lock_fd, int linger_ms)
{
    int p[2];
    char byte;

    if (pipe2(p, O_CLOEXEC) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        close(lock_fd);
        if (setsid() < 0 || fork() != 0)
            _exit(0);
        /* Nothing of the caller's stays open: a pipe it reads our output from would otherwise
         * not reach its end while this box lingers. */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        if (p[1] > 3)
            (void)close_range(3, (unsigned int)p[1] - 1, 0);
        (void)close_range((unsigned int)p[1] + 1, ~0U, 0);
        struct sb_box *box = NULL;
        int lfd = bind_server(k);
        if (lfd < 0) {
            (void)!write(p[1], "x", 1);
            _exit(0);
        }
        if (sb_box_new(&(struct sb_box_options){.slot = -1}, &box) < 0) {
            char path[128];
            pool_path(k, "sock", path, sizeof(path));
            (void)unlink(path);
            (void)!write(p[1], "x", 1);
            _exit(1);
        }
        (void)!write(p[1], "r", 1);
        close(p[1]);
        _exit(serve_pool_box(box, lfd, k, linger_ms) < 0 ? 1 : 0);
    }
    close(p[1]);
    if (pid > 0) {
        (void)waitpid(pid, NULL, 0);
        (void)!read(p[0], &byte, 1);
    }
    close(p[0]);
}

/*
 * A box: with linger_ms, the first pool box nobody else is using (started now if none is
 * there); else, or when all POOL are in use, a fresh one of our own. *ret_lock is the pool
 * lock to hold while the box is used, or -1.
 */
static int get_box(const struct sb_box_options *opts, int linger_ms, struct sb_box **ret_box,
                   int *ret_lock, char *msg, size_t size)
{
    char path[128];

    *ret_lock = -1;
    if (linger_ms > 0 && opts->slot < 0) {
        (void)mkdir(SERVER_DIR, 0700);
        for (int k = 0; k < POOL; k++) {
            int lock = pool_lock(k);
            if (lock < 0)
                continue;
            pool_path(k, "sock", path, sizeof(path));
            if (sb_box_connect(path, ret_box) == 0) {
                *ret_lock = lock;
                return 0;
            }
            start_server(k, lock, linger_ms);
            if (sb_box_connect(path, ret_box) == 0) {
                *ret_lock = lock;
                return 0;
            }
            close(lock);
            break;
        }
    }
    return sb_box_new_msg(opts, ret_box, msg, size);
}

/*
 * The working folder of the run: DIR of --dir, whose owner and mode the box changes for the
 * run and work_dir_done puts back; or, without --dir, a new empty folder of its own, removed
 * after. Never the current folder: a box owns its working folder, and the current folder
 * might be / or a home.
 */
struct work_dir {
    char tmp[64]; /* the folder of our own, or "" */
    int fd;       /* --dir, held to put its owner and mode back; -1 */
    struct stat st;
};

static int work_dir_open(struct work_dir *wd, const char *dir, const char **ret_path)
{
    wd->tmp[0] = '\0';
    wd->fd = -1;
    if (!dir) {
        snprintf(wd->tmp, sizeof(wd->tmp), "/tmp/gavel-run-XXXXXX");
        if (!mkdtemp(wd->tmp)) {
            int e = errno;
            wd->tmp[0] = '\0';
            return -e;
        }
        *ret_path = wd->tmp;
        return 0;
    }
    wd->fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (wd->fd < 0 || fstat(wd->fd, &wd->st) < 0) {
        int e = errno;
        if (wd->fd >= 0)
            close(wd->fd);
        wd->fd = -1;
        return -e;
    }
    *ret_path = dir;
    return 0;
}

/* Removes our own folder, or gives --dir its owner and mode back. A folder that cannot be
 * removed is said on stderr and makes the exit code 1: it is never left silently. */
static int work_dir_done(struct work_dir *wd)
{
    int r = 0;

    if (wd->tmp[0]) {
        r = fs_remove_tree(wd->tmp);
        if (r < 0)
            fprintf(stderr, "gavel-run: cannot remove the working folder %s: %s\n", wd->tmp,
                    strerror(-r));
    }
    if (wd->fd >= 0) {
        if (fchown(wd->fd, wd->st.st_uid, wd->st.st_gid) < 0 ||
            fchmod(wd->fd, wd->st.st_mode & 07777) < 0) {
            r = -errno;
            fprintf(stderr, "gavel-run: cannot give the working folder back: %s\n", strerror(-r));
        }
        close(wd->fd);
    }
    return r;
}

int main(int argc, char **argv)
{
    static const char *env[MAX_ENV + 1];
    static struct sb_bind binds[MAX_BINDS];
    struct sb_spec spec = {.work_dir = NULL};
    struct work_dir wd;
    struct sb_box_options opts = {.slot = -1};
    struct sb_box *box = NULL;
    struct sb_result res;
    char msg[256];
    int n_env = 0, i, r, linger_ms = 0, pool_lock_fd = -1;
    unsigned long long linger = 0;

    log_init("gavel-run", LOG_WARN);
    if (getenv("GAVEL_RUN_LINGER_MS") &&
        parse_num(getenv("GAVEL_RUN_LINGER_MS"), 3600000, &linger) == 0)
        linger_ms = (int)linger;
    for (const char *const *d = sb_default_env(); *d; d++)
        env[n_env++] = *d;
    env[n_env] = NULL;

    for (i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long v = 0;

        if (strcmp(opt, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strncmp(opt, "--", 2) != 0)
            break; /* the program, without "--" */
        if (!known_option(opt))
            return fail_usage("unknown option %s", opt);
        if (!val)
            return fail_usage("option %s needs a value", opt);
        i++;
        if (strcmp(opt, "--time-ms") == 0 || strcmp(opt, "--wall-ms") == 0 ||
            strcmp(opt, "--procs") == 0) {
            if (parse_num(val, UINT32_MAX / 2, &v) < 0)
                return fail_usage("bad number for %s", opt);
            if (opt[2] == 't')
                spec.limits.time_ms = (uint32_t)v;
            else if (opt[2] == 'w')
                spec.limits.wall_ms = (uint32_t)v;
            else
                spec.limits.procs = (uint32_t)v;
        } else if (strcmp(opt, "--memory-mb") == 0 || strcmp(opt, "--output-mb") == 0) {
            if (parse_num(val, 1u << 30, &v) < 0)
                return fail_usage("bad number for %s", opt);
            if (opt[2] == 'm')
                spec.limits.memory_kb = v * 1024;
            else
                spec.limits.output_kb = v * 1024;
        } else if (strcmp(opt, "--slot") == 0) {
            if (parse_num(val, 999, &v) < 0)
                return fail_usage("bad number for %s", opt);
            opts.slot = (int)v;
        } else if (strcmp(opt, "--linger-ms") == 0) {
            if (parse_num(val, 3600000, &v) < 0)
                return fail_usage("bad number for %s", opt);
            linger_ms = (int)v;
        } else if (strcmp(opt, "--stdin") == 0) {
            spec.stdin_path = val;
        } else if (strcmp(opt, "--stdout") == 0) {
            spec.stdout_path = val;
        } else if (strcmp(opt, "--stderr") == 0) {
            spec.stderr_path = val;
        } else if (strcmp(opt, "--dir") == 0) {
            spec.work_dir = val;
        } else if (strcmp(opt, "--profile") == 0) {
            if (find_profile(val, &spec.profile) < 0)
                return fail_usage("unknown profile %s", val);
        } else if (strcmp(opt, "--env") == 0) {
            if (env_set(env, &n_env, val) < 0)
                return fail_usage("bad --env %s (K=V, at most 256)", val);
        } else if (strcmp(opt, "--bind") == 0) {
            if (spec.n_binds >= MAX_BINDS)
                return fail_usage("too many --bind (at most %d)", MAX_BINDS);
            char *colon = strchr(argv[i], ':');
            if (colon)
                *colon = '\0';
            binds[spec.n_binds].src = argv[i];
            binds[spec.n_binds].dst = colon ? colon + 1 : NULL;
            if (!argv[i][0] || (colon && !colon[1]))
                return fail_usage("bad --bind %s", val);
            spec.n_binds++;
        } else {
            return fail_usage("unknown option %s", opt);
        }
    }
    if (i >= argc)
        return fail_usage("%s", "no program given");
    spec.argv = (const char *const *)&argv[i];
    spec.envp = env;
    spec.binds = binds;

    msg[0] = '\0';
    r = work_dir_open(&wd, spec.work_dir, &spec.work_dir);
    if (r < 0) {
        snprintf(msg, sizeof(msg), "working folder %s: %s", spec.work_dir ? spec.work_dir : "(new)",
                 strerror(-r));
    } else {
        r = get_box(&opts, linger_ms, &box, &pool_lock_fd, msg, sizeof(msg));
        if (r < 0)
            (void)work_dir_done(&wd);
    }
    if (r < 0) {
        memset(&res, 0, sizeof(res));
        res.status = SB_SE;
        res.exit_code = -1;
        snprintf(res.message, sizeof(res.message), "%s", msg[0] ? msg : strerror(-r));
        print_result(&res);
        return 1;
    }
    r = sb_box_run(box, &spec, &res);
    sb_box_free(box);
    if (pool_lock_fd >= 0)
        close(pool_lock_fd);
    int cleaned = work_dir_done(&wd);
    print_result(&res);
    return r < 0 || cleaned < 0 ? 1 : 0;
}
