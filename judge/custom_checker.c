/*
 * custom_checker.c: a problem's own checker program (judge-internal.h), compiled once per
 * source into DATA/cache/checkers for every worker of the host, then run in the worker's box on
 * each test whose program ended normally, by the testlib or the Kattis protocol (checker.h).
 *
 * The checker works in the worker's check folder, a tmpfs emptied before and after every test,
 * which holds a copy of the compiled checker and symbolic links to the test's input, output and
 * answer; those are in check-data, bound read-only at /data. So what the checker writes is
 * bounded by the tmpfs and never reaches the test's data, and nothing one test leaves behind
 * is seen by the next.
 */
#include "judge/judge-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "judge/cache.h"
#include "judge/checker.h"
#include "judge/lang.h"

#define CHECKER_TIME_MS   10000
#define CHECKER_MEMORY_MB 1024

/* Copies the regular files of src into dst (the compiled checker into the worker). */
static int copy_dir_files(const char *src, const char *dst)
{
    char from[PATH_MAX + 80], to[PATH_MAX + 80], *data = NULL;
    size_t len;
    int r = 0;
    DIR *d = opendir(src);
    struct dirent *e;

    if (!d)
        return -errno;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        judge_fmt(from, sizeof(from), "%s/%s", src, e->d_name);
        judge_fmt(to, sizeof(to), "%s/%s", dst, e->d_name);
        if (judge_read_file(from, 1 << 30, &data, &len) < 0)
            continue; /* folders (javac packages) are not supported */
        r = judge_write_file(to, data, len);
        free(data);
        if (r < 0)
            break;
        (void)chmod(to, 0755);
    }
    closedir(d);
    return r;
}

int judge_custom_checker_prepare(struct judge_worker *w, struct judge_problem_checker *ck,
                                 const char *source, struct judge_compiled *ret_comp)
{
    struct judge_shared *sh = w->shared;
    unsigned char digest[crypto_generichash_BYTES];
    char key[crypto_generichash_BYTES * 2 + 1], dir[PATH_MAX], tmp[PATH_MAX + 64];
    crypto_generichash_state st;
    struct judge_compiled c = {0};
    int r = 0;

    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    crypto_generichash_update(&st, (const unsigned char *)ck->lang.id, strlen(ck->lang.id) + 1);
    crypto_generichash_update(&st, (const unsigned char *)source, strlen(source));
    crypto_generichash_final(&st, digest, sizeof(digest));
    sodium_bin2hex(key, sizeof(key), digest, sizeof(digest));
    judge_fmt(dir, sizeof(dir), "%s/cache/checkers/%s", sh->data_dir, key);
    judge_fmt(ck->dir, sizeof(ck->dir), "%s", dir);

    pthread_mutex_lock(&sh->build_lock);
    if (access(dir, F_OK) != 0) {
        judge_fmt(tmp, sizeof(tmp), "%s/cache/checkers/.build-%d-%d", sh->data_dir, (int)getpid(),
                  w->index);
        r = judge_mkdirs(tmp);
        if (r >= 0)
            r = judge_place_source(w, tmp, &ck->lang, source, ck->src, sizeof(ck->src), ck->name,
                                   sizeof(ck->name));
        /* Without the precompiled header: building that one takes build_lock too, which is
         * held here (a C++ checker compiled before the host had its header hung for good). A
         * checker is compiled once per host; the header saves little on it. */
        if (r >= 0)
            r = judge_compile(w, &ck->lang, tmp, ck->src, ck->name, NULL, 0, &c);
        if (r >= 0 && !c.ok) {
            judge_fmt(w->error, sizeof(w->error), "the checker does not compile: %.400s",
                      c.output ? c.output : "");
            r = -ENOEXEC;
        }
        if (r >= 0) {
            (void)chmod(tmp, 0755);
            if (rename(tmp, dir) < 0 && access(dir, F_OK) != 0)
                r = judge_fail(w, -errno, "cannot store the checker in %s", dir);
            else
                log_msg(LOG_INFO, "custom checker %s compiled", key);
        }
        if (r < 0) {
            int rr = fs_remove_tree(tmp);
            if (rr < 0)
                log_msg(LOG_WARN, "cannot remove %s: %s", tmp, strerror(-rr));
        }
        if (ret_comp && r == -ENOEXEC) {
            ret_comp->output = c.output;
            c.output = NULL;
        }
        free(c.output);
    } else {
        judge_source_names(&ck->lang, judge_skip_bom(source), ck->src, sizeof(ck->src), ck->name,
                           sizeof(ck->name));
    }
    pthread_mutex_unlock(&sh->build_lock);
    return r;
}

/* Where the checker's box sees check_data_dir, read-only. */
#define CHECK_DATA "/data"

/* Gives the checker a file under a fixed name: linked (or copied) into check_data_dir, which
 * its box sees read-only, and a symbolic link to it in its working folder. Nothing is copied
 * into that folder, whose size bounds what the checker writes, not the test's data. */
static int put_check_file(struct judge_worker *w, const char *from, const char *name)
{
    char to[PATH_MAX + 32], target[64], *data = NULL;
    size_t len;
    int r = 0;

    judge_fmt(to, sizeof(to), "%s/%s", w->check_data_dir, name);
    (void)unlink(to);
    if (link(from, to) < 0) {
        r = judge_read_file(from, (size_t)1 << 31, &data, &len);
        if (r >= 0)
            r = judge_write_file(to, data, len);
        free(data);
        if (r < 0)
            return r;
    }
    judge_fmt(to, sizeof(to), "%s/%s", w->check_dir, name);
    judge_fmt(target, sizeof(target), CHECK_DATA "/%s", name);
    (void)unlink(to);
    if (symlink(target, to) < 0)
        return -errno;
    return 0;
}

/* The start of a file a validator left in its feedback folder, or NULL. Only a regular file is
 * read (a box cannot leave a FIFO to block on: every process of the run is gone by now). */
static char *feedback_text(const char *fb, const char *name)
{
    char path[PATH_MAX + 64];
    struct stat st;

    judge_fmt(path, sizeof(path), "%s/%s", fb, name);
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    return judge_read_text(path, 512);
}

int judge_custom_checker_run(struct judge_worker *w, struct judge_problem_checker *ck,
                             const char *in_path, const char *out_path, const char *ans_path,
                             int full, enum judge_code *ret_code, int *ret_points, char *ret_msg,
                             size_t msg_size)
{
    char *argv[JUDGE_MAX_ARGS + 3 + JUDGE_CHECK_MAX_FLAGS], log_path[PATH_MAX + 16],
        fb[PATH_MAX + 16];
    struct sb_bind binds[JUDGE_MAX_BINDS + 1] = {{.src = w->check_data_dir, .dst = CHECK_DATA}};
    struct sb_result res;
    int r, n;

    /* A fresh folder for every test: what a checker writes there stays charged to the box's
     * memory until it is removed (a tmpfs), and must not be found by the next test. */
    r = judge_worker_clear(w, w->check_dir);
    if (r < 0)
        return r;
    r = copy_dir_files(ck->dir, w->check_dir);
    if (r < 0)
        return judge_fail(w, r, "cannot copy the checker into %s", w->check_dir);
    r = put_check_file(w, in_path, "input.txt");
    if (r >= 0)
        r = put_check_file(w, out_path, "output.txt");
    if (r >= 0)
        r = put_check_file(w, ans_path, "answer.txt");
    if (r < 0)
        return judge_fail(w, r, "cannot prepare the checker's files in %s", w->check_dir);
    judge_fmt(fb, sizeof(fb), "%s/feedback", w->check_dir);
    /* Kattis validators write their messages there, as the box's user; emptied for each test
     * so that no test reads the message of the one before. */
    r = judge_mkdirs(fb);
    if (r >= 0)
        r = fs_clear_dir(fb);
    if (r >= 0 && chown(fb, sb_box_uid(w->box), sb_box_uid(w->box)) < 0)
        r = -errno;
    if (r < 0)
        return judge_fail(w, r, "cannot prepare %s", fb);
    int kattis = ck->params.kattis;
    r = judge_expand(
        ck->lang.run_argv, ck->lang.n_run,
        &(struct judge_vars){.src = ck->src, .name = ck->name, .memory_mb = CHECKER_MEMORY_MB},
        argv);
    if (r < 0)
        return judge_fail(w, r, "bad run command of %s", ck->lang.id);
    for (n = 0; argv[n]; n++)
        ;
    int first_ours = n;
    argv[n++] = (char *)"input.txt";
    argv[n++] = (char *)(kattis ? "answer.txt" : "output.txt");
    argv[n++] = (char *)(kattis ? "feedback/" : "answer.txt");
    /* A Kattis validator's flags follow its feedback folder (parsing capped their number). */
    for (size_t k = 0; kattis && k < ck->params.n_flags; k++)
        argv[n++] = ck->params.flags[k];
    argv[n] = NULL;
    judge_worker_path(w, "checker.txt", log_path, sizeof(log_path));
    struct sb_spec spec = {
        .argv = (const char *const *)argv,
        .stdin_path = out_path,
        .stdout_path = log_path,
        .stderr_path = log_path,
        .work_dir = w->check_dir,
        .binds = binds,
        .n_binds = judge_lang_binds(&ck->lang, binds, 1, JUDGE_MAX_BINDS + 1),
        .profile = ck->lang.profile,
        .limits = {.time_ms = CHECKER_TIME_MS,
                   .memory_kb = CHECKER_MEMORY_MB * 1024,
                   .output_kb = 1024},
    };
    r = sb_box_run(w->box, &spec, &res);
    argv[first_ours] = NULL; /* the names and flags are not ours to free */
    judge_argv_free(argv);
    if (r < 0)
        return judge_fail(w, r, "sandbox failed to run the checker (%s)", res.message);

    char *text = judge_read_text(log_path, 512);
    int exit_code = res.status == SB_OK ? 0 : res.status == SB_RE ? res.exit_code : -1;
    *ret_code = judge_checker_exit(ck->params.kattis, exit_code, text, full, ret_points);
    if (*ret_code == JUDGE_IE) {
        judge_fmt(ret_msg, msg_size, "checker failed (%s, exit %d): %.120s",
                  sb_status_name(res.status), res.exit_code, text ? text : "");
    } else {
        /* A Kattis validator's verdict message is its feedback folder's judgemessage.txt. */
        char *judge_msg = kattis ? feedback_text(fb, "judgemessage.txt") : NULL;
        judge_fmt(ret_msg, msg_size, "%.190s",
                  judge_msg && judge_msg[0] ? judge_msg
                  : text                    ? text
                                            : "");
        free(judge_msg);
    }
    free(text);
    /* Give back at once what the checker wrote, before the program's next test runs in the
     * same box under a lower memory limit. */
    return judge_worker_clear(w, w->check_dir);
}

/* --- the interactor ------------------------------------------------------------------------- */

/* The interactor's wall clock beyond the submission's: it may need to finish its work once the
 * submission ended, and it must outlive a submission that waits, whose verdict (TLE) comes
 * from the submission's own clock. */
#define INTERACTOR_WALL_EXTRA_MS 10000

/* The worker's second box, for interactors, made on the first interactive test. */
static int interactor_box(struct judge_worker *w)
{
    char msg[256] = "";
    int r;

    if (w->ibox)
        return 0;
    r = sb_box_new_msg(&(struct sb_box_options){.slot = -1}, &w->ibox, msg, sizeof(msg));
    if (r < 0)
        return judge_fail(w, r, "cannot create the interactor's sandbox box (%s)", msg);
    return 0;
}

int judge_interactor_run(struct judge_worker *w, struct judge_problem_checker *ick,
                         const struct sb_spec *sub, const char *in_path, const char *ans_path,
                         const char *out_path, uint64_t out_kb, int full,
                         struct judge_interaction *ret)
{
    char *argv[JUDGE_MAX_ARGS + 3 + JUDGE_CHECK_MAX_FLAGS], log_path[PATH_MAX + 16],
        fb[PATH_MAX + 16], made[PATH_MAX + 32];
    int to_int[2] = {-1, -1}, to_sub[2] = {-1, -1}, r, n, first_ours = -1, argv_made = 0;
    int kattis = ick->params.kattis;
    struct sb_spec ss = *sub;

    memset(ret, 0, sizeof(*ret));
    ret->int_code = JUDGE_IE;
    r = interactor_box(w);
    if (r < 0)
        return r;
    r = judge_worker_clear(w, w->check_dir);
    if (r < 0)
        return r;
    r = copy_dir_files(ick->dir, w->check_dir);
    if (r < 0)
        return judge_fail(w, r, "cannot copy the interactor into %s", w->check_dir);
    r = put_check_file(w, in_path, "input.txt");
    if (r >= 0)
        r = put_check_file(w, ans_path, "answer.txt");
    if (r < 0)
        return judge_fail(w, r, "cannot prepare the interactor's files in %s", w->check_dir);
    judge_fmt(fb, sizeof(fb), "%s/feedback", w->check_dir);
    r = judge_mkdirs(fb);
    if (r >= 0 && chown(fb, sb_box_uid(w->ibox), sb_box_uid(w->ibox)) < 0)
        r = -errno;
    if (r < 0)
        return judge_fail(w, r, "cannot prepare %s", fb);
    r = judge_expand(
        ick->lang.run_argv, ick->lang.n_run,
        &(struct judge_vars){.src = ick->src, .name = ick->name, .memory_mb = CHECKER_MEMORY_MB},
        argv);
    if (r < 0)
        return judge_fail(w, r, "bad run command of %s", ick->lang.id);
    argv_made = 1;
    for (n = 0; argv[n]; n++)
        ;
    first_ours = n;
    /* Kattis: input answer feedback_dir [flags]; testlib: input output (the file the checker
     * then judges, written in the interactor's own folder). */
    argv[n++] = (char *)"input.txt";
    argv[n++] = (char *)(kattis ? "answer.txt" : "output.txt");
    if (kattis) {
        argv[n++] = (char *)"feedback/";
        for (size_t k = 0; k < ick->params.n_flags; k++)
            argv[n++] = ick->params.flags[k];
    }
    argv[n] = NULL;
    judge_worker_path(w, "checker.txt", log_path, sizeof(log_path));
    (void)unlink(log_path);

    if (pipe2(to_int, O_CLOEXEC) < 0 || pipe2(to_sub, O_CLOEXEC) < 0) {
        r = judge_fail(w, -errno, "cannot make the interaction's pipes");
        goto out;
    }
    ss.fd_streams = SB_STDIN_FD | SB_STDOUT_FD;
    ss.stdin_fd = to_sub[0];
    ss.stdout_fd = to_int[1];
    ss.stdin_path = ss.stdout_path = NULL;
    if (!ss.limits.wall_ms)
        ss.limits.wall_ms = 2 * ss.limits.time_ms + 1000;
    struct sb_spec is = {
        .argv = (const char *const *)argv,
        .fd_streams = SB_STDIN_FD | SB_STDOUT_FD,
        .stdin_fd = to_int[0],
        .stdout_fd = to_sub[1],
        .stderr_path = log_path,
        .work_dir = w->check_dir,
        .binds = &(struct sb_bind){.src = w->check_data_dir, .dst = CHECK_DATA},
        .n_binds = 1,
        .profile = ick->lang.profile,
        .limits = {.time_ms = CHECKER_TIME_MS,
                   .wall_ms = ss.limits.wall_ms + INTERACTOR_WALL_EXTRA_MS,
                   .memory_kb = CHECKER_MEMORY_MB * 1024,
                   .output_kb = out_kb},
    };
    r = sb_box_start(w->box, &ss, &ret->sub);
    if (r < 0) {
        r = judge_fail(w, r, "sandbox failed to start the program (%s)", ret->sub.message);
        goto out;
    }
    int ri = sb_box_start(w->ibox, &is, &ret->inter);
    /* Only the programs hold the pipes from now on: each sees the other's end of file. */
    for (int k = 0; k < 2; k++) {
        close(to_int[k]);
        close(to_sub[k]);
        to_int[k] = to_sub[k] = -1;
    }
    /* Both programs have wall clocks: waiting for one then the other cannot hang. */
    r = sb_box_wait(w->box, &ret->sub);
    if (ri >= 0)
        ri = sb_box_wait(w->ibox, &ret->inter);
    if (ri < 0) {
        if (ri == -EPIPE) {
            sb_box_free(w->ibox);
            w->ibox = NULL;
        }
        r = judge_fail(w, ri, "sandbox failed to run the interactor (%s)", ret->inter.message);
        goto out;
    }
    if (r < 0) {
        r = judge_fail(w, r, "sandbox failed to run the program (%s)", ret->sub.message);
        goto out;
    }

    char *text = judge_read_text(log_path, 512);
    int exit_code = ret->inter.status == SB_OK   ? 0
                    : ret->inter.status == SB_RE ? ret->inter.exit_code
                                                 : -1;
    ret->int_code = judge_checker_exit(kattis, exit_code, text, full, &ret->int_points);
    if (ret->int_code == JUDGE_IE) {
        judge_fmt(ret->message, sizeof(ret->message), "interactor failed (%s, exit %d): %.120s",
                  sb_status_name(ret->inter.status), ret->inter.exit_code, text ? text : "");
    } else {
        char *judge_msg = kattis ? feedback_text(fb, "judgemessage.txt") : NULL;
        judge_fmt(ret->message, sizeof(ret->message), "%.190s",
                  judge_msg && judge_msg[0] ? judge_msg
                  : text                    ? text
                                            : "");
        free(judge_msg);
    }
    free(text);
    /* testlib: the file the interactor wrote is the output the checker judges. */
    if (!kattis && ret->int_code != JUDGE_IE) {
        int fd = -1;
        char *data = NULL;
        size_t len = 0;
        judge_fmt(made, sizeof(made), "output.txt");
        r = sb_open_result(w->check_dir, made, &fd);
        if (r >= 0) {
            close(fd);
            judge_fmt(made, sizeof(made), "%s/output.txt", w->check_dir);
            r = judge_read_capped(made, out_kb * 1024 + 1, &data, &len);
            if (r >= 0)
                r = judge_write_file(out_path, data, len);
            free(data);
        } else {
            r = judge_write_file(out_path, "", 0); /* wrote nothing: an empty output */
        }
        if (r < 0) {
            r = judge_fail(w, r, "cannot keep the interactor's output");
            goto out;
        }
    }
    r = judge_worker_clear(w, w->check_dir);
out:
    for (int k = 0; k < 2; k++) {
        if (to_int[k] >= 0)
            close(to_int[k]);
        if (to_sub[k] >= 0)
            close(to_sub[k]);
    }
    if (argv_made) {
        argv[first_ours] = NULL;
        judge_argv_free(argv);
    }
    return r;
}
