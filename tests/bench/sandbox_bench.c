/*
 * sandbox_bench.c: the cost of a sandboxed run, side by side with a bare fork+exec+wait.
 *
 *     sandbox_bench [ROUNDS] [RUNS]      (as root, from a release build; ROUNDS <= 64)
 *
 * Compiles a static hello with gcc, then in each round times RUNS of:
 *   bare      fork + execve + waitpid of the static hello, output to /dev/null
 *   library   sb_box_run of the same binary in one reused box, as the judge calls it
 *   gavel-run the whole CLI as a process (a box made and torn down per run), RUNS / 5 of them
 *   lingering the whole CLI with --linger-ms, reusing the box a former gavel-run left
 * interleaved in batches of ten, so that load from elsewhere weighs on all three alike,
 * and prints the mean of each and the ratios to bare. Not a ctest test: timings on a shared
 * machine are for people to read, not for CI to gate on.
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

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int spawn_wait(const char *const *argv, int out_fd)
{
    pid_t pid = fork();
    int st;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out_fd, 1);
        execve(argv[0], (char *const *)argv, environ);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 500;
    char dir[] = "/tmp/gavel-bench-XXXXXX", src[128], bin[128];
    const char *gavel_run = getenv("GAVEL_RUN") ? getenv("GAVEL_RUN") : GAVEL_RUN_PATH;
    double t_bare = 0, t_lib = 0, t_cli = 0, t_linger = 0;
    double r_lib[64], r_cli[64], r_linger[64];
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct sb_box *box = NULL;
    struct sb_result res;
    FILE *f;

    if (geteuid() != 0 || rounds < 1 || rounds > 64 || runs < 5 || !mkdtemp(dir)) {
        fprintf(stderr, "usage: sandbox_bench [ROUNDS] [RUNS>=5], as root\n");
        return 2;
    }
    chmod(dir, 0755);
    snprintf(src, sizeof(src), "%s/hello.c", dir);
    snprintf(bin, sizeof(bin), "%s/hello", dir);
    f = fopen(src, "w");
    if (!f)
        return 1;
    fputs("#include <unistd.h>\nint main(void){return write(1, \"hello\\n\", 6) != 6;}\n", f);
    fclose(f);
    const char *cc[] = {"/usr/bin/gcc", "-O2", "-static", "-o", bin, src, NULL};
    if (spawn_wait(cc, 2) != 0) {
        fprintf(stderr, "cannot compile the static hello\n");
        return 1;
    }
    if (sb_box_new(&(struct sb_box_options){.slot = -1}, &box) < 0) {
        fprintf(stderr, "cannot create a box\n");
        return 1;
    }
    const char *hello_argv[] = {"./hello", NULL};
    struct sb_spec spec = {
        .argv = hello_argv, .work_dir = dir, .limits = {.time_ms = 1000, .memory_kb = 65536}};
    const char *bare_argv[] = {bin, NULL};
    const char *cli_argv[] = {gavel_run,     "--dir", dir,  "--time-ms", "1000",
                              "--memory-mb", "64",    "--", "./hello",   NULL};
    const char *linger_argv[] = {gavel_run, "--linger-ms", "5000", "--dir", dir,       "--time-ms",
                                 "1000",    "--memory-mb", "64",   "--",    "./hello", NULL};

    /* Warm up every path once. */
    if (spawn_wait(bare_argv, null) != 0 || sb_box_run(box, &spec, &res) < 0 ||
        res.status != SB_OK || spawn_wait(cli_argv, null) != 0 ||
        spawn_wait(linger_argv, null) != 0) {
        fprintf(stderr, "warm-up failed: %s\n", res.message);
        return 1;
    }
    /* Interleaved in batches of ten, so that load from elsewhere hits all three alike. */
    for (int r = 0; r < rounds; r++) {
        double b = 0, l = 0, c = 0, g = 0;
        int nc = 0;
        for (int i = 0; i < runs; i += 10) {
            double t0 = now_ms();
            for (int j = 0; j < 10; j++)
                (void)spawn_wait(bare_argv, null);
            double t1 = now_ms();
            for (int j = 0; j < 10; j++)
                if (sb_box_run(box, &spec, &res) < 0 || res.status != SB_OK) {
                    fprintf(stderr, "box run failed: %s\n", res.message);
                    return 1;
                }
            double t2 = now_ms();
            if ((i / 10) % 5 == 0) {
                for (int j = 0; j < 10; j++)
                    (void)spawn_wait(cli_argv, null);
                c += now_ms() - t2;
                nc += 10;
            }
            double t3 = now_ms();
            for (int j = 0; j < 10; j++)
                (void)spawn_wait(linger_argv, null);
            g += now_ms() - t3;
            b += t1 - t0;
            l += t2 - t1;
        }
        int n = (runs + 9) / 10 * 10;
        t_bare += b / n;
        t_lib += l / n;
        t_cli += c / nc;
        t_linger += g / n;
        r_lib[r] = (l / n) / (b / n);
        r_cli[r] = (c / nc) / (b / n);
        r_linger[r] = (g / n) / (b / n);
        printf("round %d: bare %.3f ms, library %.3f ms, gavel-run %.3f ms, lingering %.3f ms\n",
               r + 1, b / n, l / n, c / nc, g / n);
    }
    t_bare /= rounds;
    t_lib /= rounds;
    t_cli /= rounds;
    t_linger /= rounds;
    printf("mean: bare %.3f ms, library %.3f ms (%.2fx), gavel-run %.3f ms (%.2fx), "
           "gavel-run --linger-ms %.3f ms (%.2fx)\n",
           t_bare, t_lib, t_lib / t_bare, t_cli, t_cli / t_bare, t_linger, t_linger / t_bare);
    /* On a shared machine some rounds are hit harder than others: the median round's ratios. */
    printf("median ratios to bare: library %.2fx, gavel-run %.2fx, gavel-run --linger-ms %.2fx\n",
           median(r_lib, rounds), median(r_cli, rounds), median(r_linger, rounds));
    sb_box_free(box);
    unlink(bin);
    unlink(src);
    rmdir(dir);
    return 0;
}
