/*
 * toolchain.c: languages.installed and languages.version from this host's toolchains
 * (toolchain.h).
 */
#include "judge/toolchain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "judge/lang.h"

#define VERSION_MAX   120
#define PROBE_OUT_MAX 4096
#define PROBE_WAIT_MS 30000

int judge_toolchain_has(const char *const *argv, int n)
{
    int i = 0;

    if (n > 0 && strcmp(argv[0], "/usr/bin/env") == 0) {
        if (access(argv[0], X_OK) < 0)
            return 0;
        for (i = 1; i < n && strchr(argv[i], '='); i++)
            ;
    }
    if (i >= n)
        return n == 0;
    if (argv[i][0] != '/')
        return 1; /* made by the compile step, or found in the box's PATH */
    return access(argv[i], X_OK) == 0;
}

/* One language's argument vectors, as rows of (id, kind, arg) in order. */
struct lang_cmds {
    const char *args[4][JUDGE_MAX_ARGS]; /* compile, run, precompile, binds */
    int n[4];
};

static int detect_one(const struct lang_cmds *l)
{
    struct stat st;

    for (int k = 0; k < 3; k++)
        if (l->n[k] && !judge_toolchain_has(l->args[k], l->n[k]))
            return 0;
    for (int i = 0; i < l->n[3]; i++)
        if (stat(l->args[3][i], &st) < 0 || !S_ISDIR(st.st_mode))
            return 0;
    return 1;
}

int judge_toolchains_detect(struct db_conn *conn)
{
    PGresult *res = NULL;
    struct lang_cmds l;
    int r, found = 0;

    r = db_query(conn, &res,
                 "SELECT l.id, t.k, t.a FROM languages l LEFT JOIN LATERAL ("
                 " SELECT 0 AS k, a, o FROM unnest(l.compile_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 1, a, o FROM unnest(l.run_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 2, a, o FROM unnest(l.pch_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 3, a, o FROM unnest(l.binds) WITH ORDINALITY u(a, o)"
                 ") t ON true ORDER BY l.id, t.k, t.o",
                 0, NULL);
    if (r < 0)
        return r;
    for (int i = 0; i < PQntuples(res);) {
        const char *id = PQgetvalue(res, i, 0);
        PGresult *upd = NULL;
        int has;

        memset(&l, 0, sizeof(l));
        for (; i < PQntuples(res) && strcmp(PQgetvalue(res, i, 0), id) == 0; i++) {
            int k;
            if (PQgetisnull(res, i, 1))
                continue;
            k = (int)db_int64(res, i, 1);
            if (k >= 0 && k < 4 && l.n[k] < JUDGE_MAX_ARGS)
                l.args[k][l.n[k]++] = PQgetvalue(res, i, 2);
        }
        has = detect_one(&l);
        found += has;
        r = db_query(conn, &upd,
                     "UPDATE languages SET installed = $2::boolean"
                     " WHERE id = $1 AND installed <> $2::boolean RETURNING enabled",
                     2, (const char *[]){id, has ? "true" : "false"});
        if (r < 0)
            break;
        if (PQntuples(upd) == 1)
            log_msg(LOG_INFO, "language %s: toolchain %s%s", id, has ? "found" : "missing",
                    PQgetvalue(upd, 0, 0)[0] == 't' ? "" : " (disabled)");
        PQclear(upd);
    }
    PQclear(res);
    if (r >= 0)
        log_msg(LOG_INFO, "%d language toolchain(s) on this host", found);
    return r < 0 ? r : 0;
}

/* --- versions --- */

struct probe {
    char id[24];
    char of[PATH_MAX + 64]; /* the toolchain file, its size and time */
    pid_t pid;
    int fd;
    size_t len;
    char out[PROBE_OUT_MAX];
};

/* "PATH SIZE MTIME" of the file argv0 resolves to: what the version depends on. */
static int toolchain_key(const char *argv0, char *ret, size_t size)
{
    char real[PATH_MAX];
    struct stat st;

    if (!realpath(argv0, real) || stat(real, &st) < 0)
        return -errno;
    snprintf(ret, size, "%s %lld %lld.%09ld", real, (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return 0;
}

static int spawn_probe(struct probe *p, char *const *argv)
{
    static char *const envp[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/tmp", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none;
    int pipefd[2], r;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -errno;
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    /* Its own process group, to be killed whole; the daemon's blocked signals unblocked. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    r = -posix_spawn(&p->pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pipefd[1]);
    if (r < 0) {
        close(pipefd[0]);
        p->pid = 0;
        return r;
    }
    p->fd = pipefd[0];
    return 0;
}

/* The first line that says something and is not a warning (a JVM's about its options). */
static void version_line(const char *out, char *ret, size_t size)
{
    ret[0] = '\0';
    for (const char *line = out; *line;) {
        size_t n = strcspn(line, "\r\n");
        char buf[VERSION_MAX + 1];
        size_t k = n < VERSION_MAX ? n : VERSION_MAX;

        memcpy(buf, line, k);
        buf[k] = '\0';
        while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t'))
            buf[--k] = '\0';
        if (k > 0 && !strstr(buf, "warning") && !strstr(buf, "WARNING")) {
            for (size_t j = 0; j < k; j++)
                if ((unsigned char)buf[j] < 0x20 || (unsigned char)buf[j] >= 0x7f)
                    buf[j] = (unsigned char)buf[j] < 0x20 ? ' ' : '?'; /* ASCII: a valid text */
            snprintf(ret, size, "%s", buf);
            return;
        }
        line += n;
        line += strspn(line, "\r\n");
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads every probe's output until each has closed it or the time is up, then ends them all. */
static void collect(struct probe *probes, int n)
{
    int64_t deadline = mono_ms() + PROBE_WAIT_MS;

    for (;;) {
        struct pollfd pfd[64];
        int map[64], m = 0;
        int64_t left = deadline - mono_ms();

        for (int i = 0; i < n && m < 64; i++)
            if (probes[i].fd >= 0) {
                pfd[m] = (struct pollfd){.fd = probes[i].fd, .events = POLLIN};
                map[m++] = i;
            }
        if (m == 0 || left <= 0)
            break;
        if (poll(pfd, (nfds_t)m, (int)left) < 0 && errno != EINTR)
            break;
        for (int j = 0; j < m; j++) {
            struct probe *p = &probes[map[j]];
            ssize_t got;
            if (!pfd[j].revents)
                continue;
            got = read(p->fd, p->out + p->len, sizeof(p->out) - 1 - p->len);
            if (got > 0)
                p->len += (size_t)got;
            if (got <= 0 || p->len == sizeof(p->out) - 1) {
                close(p->fd);
                p->fd = -1;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        if (probes[i].fd >= 0) {
            close(probes[i].fd);
            probes[i].fd = -1;
        }
        if (probes[i].pid > 0) {
            (void)kill(-probes[i].pid, SIGKILL);
            (void)waitpid(probes[i].pid, NULL, 0); /* this child only: never a box's keeper */
        }
        probes[i].out[probes[i].len] = '\0';
    }
}

int judge_toolchains_versions(struct db_conn *conn)
{
    PGresult *res = NULL;
    struct probe *probes = NULL;
    int r, n = 0, rows;

    r = db_query(conn, &res,
                 "SELECT l.id, coalesce(l.version_of, ''), u.a FROM languages l,"
                 " unnest(l.version_argv) WITH ORDINALITY u(a, o)"
                 " WHERE l.installed ORDER BY l.id, u.o",
                 0, NULL);
    if (r < 0)
        return r;
    rows = PQntuples(res);
    probes = calloc((size_t)(rows > 0 ? rows : 1), sizeof(*probes));
    if (!probes) {
        PQclear(res);
        return -ENOMEM;
    }
    for (int i = 0; i < rows && n < 64;) {
        const char *id = PQgetvalue(res, i, 0), *of = PQgetvalue(res, i, 1);
        char *argv[JUDGE_MAX_ARGS];
        struct probe *p = &probes[n];
        int argc = 0, start = i;

        for (; i < rows && strcmp(PQgetvalue(res, i, 0), id) == 0; i++)
            if (argc < JUDGE_MAX_ARGS - 1)
                argv[argc++] = PQgetvalue(res, i, 2);
        argv[argc] = NULL;
        p->fd = -1;
        snprintf(p->id, sizeof(p->id), "%s", id);
        if (argc == 0 || toolchain_key(argv[0], p->of, sizeof(p->of)) < 0 || strcmp(p->of, of) == 0)
            continue; /* missing, or probed already */
        if ((r = spawn_probe(p, argv)) < 0) {
            log_msg(LOG_WARN, "language %s: cannot run %s: %s", id, PQgetvalue(res, start, 2),
                    strerror(-r));
            continue;
        }
        n++;
    }
    PQclear(res);
    collect(probes, n);
    r = 0;
    for (int i = 0; i < n && r >= 0; i++) {
        char version[VERSION_MAX + 1];
        version_line(probes[i].out, version, sizeof(version));
        if (!version[0]) {
            log_msg(LOG_WARN, "language %s: its version command said nothing", probes[i].id);
            continue;
        }
        r = db_query(conn, NULL, "UPDATE languages SET version = $2, version_of = $3 WHERE id = $1",
                     3, (const char *[]){probes[i].id, version, probes[i].of});
        if (r >= 0)
            log_msg(LOG_INFO, "language %s: %s", probes[i].id, version);
    }
    free(probes);
    return r < 0 ? r : 0;
}
