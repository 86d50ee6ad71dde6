/*
 * gavel_judge.c: gavel-judge, the judging daemon.
 *
 *     GAVEL_DATABASE_URL=postgresql:///gavel gavel-judge [--workers N] [--data-dir DIR]
 *
 * Settings (flags win over the environment; any --NAME=VALUE sets GAVEL_NAME, dashes as
 * underscores, as for gavel-api: --judge-lease-s=60, --log-level=debug):
 *   --database URL    GAVEL_DATABASE_URL        required
 *   --data-dir DIR    GAVEL_DATA_DIR            ./var (cache/ and workers/ are made under it)
 *   --workers N       GAVEL_JUDGE_WORKERS       the number of cores
 *                     GAVEL_JUDGE_LEASE_S       30: seconds a claim lasts without a heartbeat
 *                     GAVEL_JUDGE_POLL_MS       5000: the slow poll behind LISTEN/NOTIFY
 *                     GAVEL_JUDGE_OUTPUT_KB     65536: cap on the output of one test, raised
 *                                               to twice its answer and 1 MiB more if larger
 *                     GAVEL_JUDGE_WORK_MB       512: size of a program's working folder, and
 *                                               of a custom checker's
 *                     GAVEL_JUDGE_CACHE_MB      4096: cap on the disk space of the test-data
 *                                               cache; the least recently used data goes first
 *                     GAVEL_JUDGE_CACHE_PRUNE_S 300: the caches are pruned at start and then
 *                                               this often
 *                     GAVEL_LOG_LEVEL           debug, info, warn, error
 * Stops cleanly on SIGTERM or SIGINT (exit 0); exit 1 when it cannot start, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/log.h"
#include "judge/daemon.h"

/* A whole decimal number in [min, max], or -EINVAL. */
static int parse_int(const char *s, long min, long max, long *ret)
{
    char *end;
    long v;

    if (!s || !*s)
        return -EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int env_int(const char *name, long min, long max, long def, long *ret)
{
    const char *v = getenv(name);

    *ret = def;
    if (!v || !*v)
        return 0;
    if (parse_int(v, min, max, ret) < 0) {
        fprintf(stderr, "gavel-judge: %s must be a number from %ld to %ld\n", name, min, max);
        return -EINVAL;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gavel-judge [--database URL] [--data-dir DIR] [--workers N] [--NAME=VALUE]\n"
               "Judges queued submissions and runs until SIGTERM or SIGINT.\n"
               "Every --NAME=VALUE sets GAVEL_NAME (dashes become underscores), e.g.\n"
               "--judge-lease-s=60; --workers=N and --database=URL as their two-word forms.\n");
}

/* --NAME=VALUE: sets GAVEL_NAME=VALUE (upper case, dashes as underscores); --workers= and
 * --database= name the settings their two-word forms set. -EINVAL when a is not of that form. */
static int set_flag(const char *a)
{
    const char *eq = strchr(a, '=');
    char name[96];
    size_t n;

    if (strncmp(a, "--", 2) != 0 || !eq || eq - a <= 2 || eq - a - 2 > 80)
        return -EINVAL;
    if (!strncmp(a, "--workers=", 10))
        snprintf(name, sizeof(name), "GAVEL_JUDGE_WORKERS");
    else if (!strncmp(a, "--database=", 11))
        snprintf(name, sizeof(name), "GAVEL_DATABASE_URL");
    else {
        n = (size_t)snprintf(name, sizeof(name), "GAVEL_%.*s", (int)(eq - a - 2), a + 2);
        for (size_t k = 6; k < n; k++) {
            char c = name[k];
            if (c == '-')
                c = '_';
            else if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                return -EINVAL;
            name[k] = c;
        }
    }
    return setenv(name, eq + 1, 1) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN), workers, lease, poll_ms, output_kb, work_mb;
    long cache_mb, prune_s;
    struct judge_daemon_config cfg = {0};
    const char *workers_flag = NULL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--database") && i + 1 < argc) {
            if (setenv("GAVEL_DATABASE_URL", argv[++i], 1) < 0)
                return 2;
        } else if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) {
            if (setenv("GAVEL_DATA_DIR", argv[++i], 1) < 0)
                return 2;
        } else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
            workers_flag = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (set_flag(argv[i]) < 0) {
            fprintf(stderr, "gavel-judge: unknown argument %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    log_init("gavel-judge", LOG_INFO); /* after the flags: --log-level=debug is GAVEL_LOG_LEVEL */
    /* Processes orphaned under us (a cancelled compiler's children) come back to us to be
     * reaped, rather than to an init that may never reap them. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        log_msg(LOG_WARN, "cannot become a subreaper: orphans may linger as zombies");
    cfg.database_url = getenv("GAVEL_DATABASE_URL");
    cfg.data_dir = getenv("GAVEL_DATA_DIR");
    if (!cfg.database_url || !*cfg.database_url) {
        fprintf(stderr, "gavel-judge: no database: set GAVEL_DATABASE_URL or --database\n");
        return 2;
    }
    if (!cfg.data_dir || !*cfg.data_dir)
        cfg.data_dir = "./var";
    if (env_int("GAVEL_JUDGE_WORKERS", 1, 256, ncpu > 0 ? ncpu : 1, &workers) < 0 ||
        env_int("GAVEL_JUDGE_LEASE_S", 2, 3600, 30, &lease) < 0 ||
        env_int("GAVEL_JUDGE_POLL_MS", 50, 600000, 5000, &poll_ms) < 0 ||
        env_int("GAVEL_JUDGE_OUTPUT_KB", 1, 1 << 22, 65536, &output_kb) < 0 ||
        env_int("GAVEL_JUDGE_WORK_MB", 16, 1 << 20, 512, &work_mb) < 0 ||
        env_int("GAVEL_JUDGE_CACHE_MB", 1, 1L << 30, 4096, &cache_mb) < 0 ||
        env_int("GAVEL_JUDGE_CACHE_PRUNE_S", 1, 86400, 300, &prune_s) < 0)
        return 2;
    if (workers_flag && parse_int(workers_flag, 1, 256, &workers) < 0) {
        fprintf(stderr, "gavel-judge: --workers must be a number from 1 to 256\n");
        return 2;
    }
    cfg.workers = (int)workers;
    cfg.lease_s = (int)lease;
    cfg.poll_ms = (int)poll_ms;
    cfg.output_kb = (uint64_t)output_kb;
    cfg.work_mb = (unsigned)work_mb;
    cfg.cache_mb = (uint64_t)cache_mb;
    cfg.prune_s = (int)prune_s;
    return judge_daemon_run(&cfg) < 0 ? 1 : 0;
}
