/*
 * interactive_bench.c: the cost of an interactive test in the sandbox, side by side with the
 * same two programs joined by pipes outside any sandbox.
 *
 *     interactive_bench [ROUNDS] [QUERIES]      (as root, from a release build)
 *
 * Compiles tests/sandbox/progs/guess_solve.c and guess_judge.c with gcc; the solver asks
 * 1, 2, 3... until it meets the judge's number QUERIES (1000 by default): QUERIES round trips.
 * Each round times, interleaved so that load from elsewhere weighs on both alike:
 *   bare      both programs spawned, stdout of each piped to stdin of the other, both waited
 *   sandbox   each in a box of its own (two boxes made once, reused as a judge's worker does),
 *             joined by pipes through sb_box_start, both waited with sb_box_wait
 * and prints the medians and their ratio. Not a ctest test: timings on a shared machine are
 * for people to read, not for CI to gate on.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int compile(const char *dir, const char *name)
{
    char src[512], out[512];
    pid_t pid;
    int st;

    snprintf(src, sizeof(src), "%s/%s.c", GAVEL_SANDBOX_PROGS, name);
    snprintf(out, sizeof(out), "%s/%s", dir, name);
    const char *argv[] = {"/usr/bin/gcc", "-O2", "-o", out, src, NULL};
    if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0 ||
        waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static pid_t spawn_io(const char *const *argv, int in, int out)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

/* One bare interaction: 0 when the judge accepted. */
static int bare(const char *const *sargv, const char *const *jargv)
{
    int a[2], b[2], st_s = 0, st_j = 0;

    if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
        return -1;
    pid_t s = spawn_io(sargv, b[0], a[1]);
    pid_t j = spawn_io(jargv, a[0], b[1]);
    for (int k = 0; k < 2; k++)
        close(a[k]), close(b[k]);
    if (s > 0)
        waitpid(s, &st_s, 0);
    if (j > 0)
        waitpid(j, &st_j, 0);
    return WIFEXITED(st_j) && WEXITSTATUS(st_j) == 42 ? 0 : -1;
}

static int boxed(struct sb_box *bs, struct sb_box *bj, struct sb_spec *ss, struct sb_spec *sj)
{
    struct sb_result rs, rj;
    int a[2], b[2];

    if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
        return -1;
    ss->stdin_fd = b[0];
    ss->stdout_fd = a[1];
    sj->stdin_fd = a[0];
    sj->stdout_fd = b[1];
    int r = sb_box_start(bs, ss, &rs);
    int rj_ = r < 0 ? -1 : sb_box_start(bj, sj, &rj);
    for (int k = 0; k < 2; k++)
        close(a[k]), close(b[k]);
    if (r >= 0)
        r = sb_box_wait(bs, &rs);
    if (rj_ >= 0)
        rj_ = sb_box_wait(bj, &rj);
    return r < 0 || rj_ < 0 || rj.exit_code != 42 ? -1 : 0;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    const char *queries = argc > 2 ? argv[2] : "1000";
    char dir[] = "/tmp/gavel-ibench-XXXXXX", ws[64], wj[64], solve[128], judge[128];
    struct sb_box *bs = NULL, *bj = NULL;
    double *t_bare, *t_box;

    if (rounds < 1 || rounds > 1000 || !mkdtemp(dir))
        return 2;
    chmod(dir, 0755);
    if (compile(dir, "guess_solve") < 0 || compile(dir, "guess_judge") < 0) {
        fprintf(stderr, "cannot compile the programs\n");
        return 1;
    }
    snprintf(ws, sizeof(ws), "%s/ws", dir);
    snprintf(wj, sizeof(wj), "%s/wj", dir);
    mkdir(ws, 0755);
    mkdir(wj, 0755);
    snprintf(solve, sizeof(solve), "%s/guess_solve", dir);
    snprintf(judge, sizeof(judge), "%s/guess_judge", dir);
    const char *sargv[] = {solve, "linear", NULL}, *jargv[] = {judge, queries, NULL};
    const char *bsargv[] = {"/progs/guess_solve", "linear", NULL};
    const char *bjargv[] = {"/progs/guess_judge", queries, NULL};
    struct sb_bind bind = {.src = dir, .dst = "/progs"};
    struct sb_spec ss = {.argv = bsargv,
                         .fd_streams = SB_STDIN_FD | SB_STDOUT_FD,
                         .work_dir = ws,
                         .binds = &bind,
                         .n_binds = 1,
                         .limits = {.time_ms = 10000, .memory_kb = 65536}};
    struct sb_spec sj = ss;
    sj.argv = bjargv;
    sj.work_dir = wj;
    if (sb_box_new(&(struct sb_box_options){.slot = -1}, &bs) < 0 ||
        sb_box_new(&(struct sb_box_options){.slot = -1}, &bj) < 0) {
        fprintf(stderr, "cannot make two boxes (root?)\n");
        return 1;
    }
    t_bare = calloc((size_t)rounds, sizeof(double));
    t_box = calloc((size_t)rounds, sizeof(double));
    if (!t_bare || !t_box)
        return 1;
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        if (bare(sargv, jargv) < 0)
            fprintf(stderr, "bare round %d: the judge did not accept\n", i);
        double t1 = now_ms();
        if (boxed(bs, bj, &ss, &sj) < 0)
            fprintf(stderr, "sandbox round %d: the judge did not accept\n", i);
        double t2 = now_ms();
        t_bare[i] = t1 - t0;
        t_box[i] = t2 - t1;
    }
    qsort(t_bare, (size_t)rounds, sizeof(double), cmp_double);
    qsort(t_box, (size_t)rounds, sizeof(double), cmp_double);
    double mb = t_bare[rounds / 2], mx = t_box[rounds / 2];
    printf("%d rounds of %s queries: bare median %.2f ms, sandbox median %.2f ms, ratio %.2f\n",
           rounds, queries, mb, mx, mx / mb);
    sb_box_free(bs);
    sb_box_free(bj);
    free(t_bare);
    free(t_box);
    const char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    pid_t pid;
    if (posix_spawn(&pid, rm[0], NULL, NULL, (char *const *)rm, environ) == 0)
        waitpid(pid, NULL, 0);
    return 0;
}
