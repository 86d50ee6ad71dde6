/*
 * compile.c: compiling a source once, in the worker's box with the compiler profile and the
 * language's compile limits (judge-internal.h), and the host's precompiled headers those
 * compiles use, and the host archives compiles and runs use (judge.h: judge_warm_up,
 * judge_shared_cancel_builds).
 *
 * A precompiled header is built once per host and compile command, outside the sandbox: the
 * compiler is the system's and the header a system header, nothing a user wrote. It is kept in
 * DATA/cache/pch and bound read-only into the box of every compile of its language. A host
 * archive (Java's class-data sharing archives) is built the same way by the language's
 * archive_argv, kept in DATA/cache/archive and bound at /archive into its compiles and runs.
 * One build runs at a time (shared->build_lock); after one of a kind fails, the process goes
 * without that kind, which is correct, only slower.
 */
#include "judge/judge-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "judge/cache.h"
#include "judge/lang.h"

/* --- host builds: precompiled headers and archives --- */

/* Runs the trusted compiler outside the sandbox, in dir, and waits. The child leads a process
 * group of its own, whose id is kept in the shared state while it runs, so that a stopping
 * process can kill the driver and every compiler pass it started at once. */
static int spawn_build(struct judge_shared *sh, char *const *argv, const char *dir, char *ret_msg,
                       size_t msg_size)
{
    static const char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none;
    siginfo_t si;
    pid_t pid;
    int r;

    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addchdir_np(&fa, dir);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "build.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_setsigmask(&attr, &none); /* our threads block SIGTERM and SIGINT */
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    pthread_mutex_lock(&sh->build_pid_lock);
    r = atomic_load(&sh->stopping)
            ? ECANCELED
            : posix_spawn(&pid, argv[0], &fa, &attr, argv, (char *const *)envp);
    if (r == 0)
        sh->build_pid = pid;
    pthread_mutex_unlock(&sh->build_pid_lock);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (r != 0) {
        judge_fmt(ret_msg, msg_size, "%s", strerror(r));
        return -r;
    }
    /* Wait without reaping, forget the pid, then reap: a kill never hits a reused pid. */
    while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&sh->build_pid_lock);
    sh->build_pid = 0;
    pthread_mutex_unlock(&sh->build_pid_lock);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    /* After a kill, passes orphaned by the driver were handed to us (a subreaper) before its
     * exit was reported: reap what is left of its group. Nothing is left after a normal end. */
    while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
        ;
    if (si.si_code == CLD_EXITED && si.si_status == 0)
        return 0;
    judge_fmt(ret_msg, msg_size, "%s %d", si.si_code == CLD_EXITED ? "exit status" : "signal",
              si.si_status);
    return -EIO;
}

void judge_shared_cancel_builds(struct judge_shared *sh)
{
    pthread_mutex_lock(&sh->build_pid_lock);
    if (sh->build_pid > 0)
        (void)kill(-sh->build_pid, SIGKILL);
    pthread_mutex_unlock(&sh->build_pid_lock);
}

/* What a host build makes: where, under which name, and how its command is prepared. */
struct host_build {
    const char *what;   /* for the log: "precompiled header" */
    const char *folder; /* under DATA/cache */
    void (*name_of)(const struct judge_lang *lang, char *ret, size_t size);
    /* Fills argv (judge_argv_free) with the command to run in the empty folder tmp. */
    int (*prepare)(const struct judge_lang *lang, const char *tmp, char **argv);
};

/* The header is a stand-in that includes the real one; #include_next keeps a compiler that
 * rejects the precompiled file from including the stand-in again. */
static int pch_prepare(const struct judge_lang *lang, const char *tmp, char **argv)
{
    char hdr[PATH_MAX + 64], text[256], out[256];
    int r;

    judge_fmt(hdr, sizeof(hdr), "%s/%s", tmp, lang->pch_header);
    char *slash = strrchr(hdr, '/');
    *slash = '\0';
    r = judge_mkdirs(hdr);
    *slash = '/';
    judge_fmt(text, sizeof(text), "#include_next <%s>\n", lang->pch_header);
    if (r >= 0)
        r = judge_write_file(hdr, text, strlen(text));
    judge_fmt(out, sizeof(out), "%s.gch", lang->pch_header);
    if (r >= 0)
        r = judge_expand(lang->pch_argv, lang->n_pch,
                         &(struct judge_vars){.header = lang->pch_header, .out = out}, argv);
    return r;
}

static int archive_prepare(const struct judge_lang *lang, const char *tmp, char **argv)
{
    (void)tmp;
    return judge_expand(lang->archive_argv, lang->n_archive, &(struct judge_vars){0}, argv);
}

static const struct host_build pch_build = {"precompiled header", "pch", judge_pch_name,
                                            pch_prepare};
static const struct host_build archive_build = {"host archive", "archive", judge_archive_name,
                                                archive_prepare};

/* Builds a language's precompiled header or archive once per host; the folder to bind, or ""
 * without. The tools are the system's and their input fixed by the language row, so the build
 * runs outside the sandbox, where a stopping judge can cancel it. After a build of a kind fails,
 * *failed is set and the process goes without that kind: correct, only slower. */
static void host_dir(struct judge_worker *w, const struct judge_lang *lang,
                     const struct host_build *b, int *failed, char *ret, size_t size)
{
    struct judge_shared *sh = w->shared;
    char name[64], tmp[PATH_MAX + 64], log[PATH_MAX + 64], base[PATH_MAX];
    char *argv[JUDGE_MAX_ARGS], msg[128];
    int r, built = 0;
    int64_t started;

    ret[0] = '\0';
    if (*failed)
        return;
    /* Keyed by the command: a change of it is a new folder, never a stale one. */
    b->name_of(lang, name, sizeof(name));
    judge_fmt(base, sizeof(base), "%s/cache/%s", sh->data_dir, b->folder);
    judge_fmt(ret, size, "%s/%s", base, name);
    if (access(ret, F_OK) == 0)
        return;

    pthread_mutex_lock(&sh->build_lock);
    if (*failed || access(ret, F_OK) == 0) {
        built = !*failed; /* another worker was first */
        goto out;
    }
    judge_fmt(tmp, sizeof(tmp), "%s/.build-%d-%d", base, (int)getpid(), w->index);
    (void)!fs_clear_dir(tmp);
    r = judge_mkdirs(tmp);
    if (r >= 0)
        r = b->prepare(lang, tmp, argv);
    if (r < 0)
        goto out;
    started = judge_mono_ms();
    r = spawn_build(sh, argv, tmp, msg, sizeof(msg));
    judge_argv_free(argv);
    if (r < 0) {
        if (!atomic_load(&sh->stopping))
            log_msg(LOG_WARN, "%s of %s failed to build (%s, see %s/build.log); going without",
                    b->what, lang->id, msg, tmp);
        goto out;
    }
    judge_fmt(log, sizeof(log), "%s/build.log", tmp);
    (void)unlink(log);
    if (chmod(tmp, 0755) < 0 || (rename(tmp, ret) < 0 && access(ret, F_OK) != 0))
        goto out;
    log_msg(LOG_INFO, "%s built for %s in %lld ms", b->what, lang->id,
            (long long)(judge_mono_ms() - started));
    built = 1;
out:
    if (!built) {
        /* Without from now on: correct, only slower. The failed build's log is kept. */
        *failed = 1;
        ret[0] = '\0';
    }
    pthread_mutex_unlock(&sh->build_lock);
}

static void pch_dir(struct judge_worker *w, const struct judge_lang *lang, char *ret, size_t size)
{
    ret[0] = '\0';
    if (lang->n_pch && lang->pch_header[0])
        host_dir(w, lang, &pch_build, &w->shared->pch_failed, ret, size);
}

void judge_archive_dir(struct judge_worker *w, const struct judge_lang *lang, char *ret,
                       size_t size)
{
    ret[0] = '\0';
    if (lang->n_archive)
        host_dir(w, lang, &archive_build, &w->shared->archive_failed, ret, size);
}

int judge_archive_bind(struct judge_worker *w, const struct judge_lang *lang,
                       struct sb_bind *ret_bind, char *dir, size_t size)
{
    int hold;

    judge_archive_dir(w, lang, dir, size);
    /* Held until the run ends, so that pruning cannot remove it from under the program; one
     * removed already (its language row changed) means running without. */
    if (!dir[0] || (hold = judge_pch_hold(dir)) < 0) {
        dir[0] = '\0';
        return -1;
    }
    *ret_bind = (struct sb_bind){.src = dir, .dst = JUDGE_ARCHIVE_DIR};
    return hold;
}

void judge_warm_up(struct judge_worker *w, struct db_conn *conn)
{
    PGresult *res = NULL;
    char dir[PATH_MAX];

    /* The languages with a precompiled header that were used this week; on a new host, the
     * first of them. The others build theirs at their first submission. Host archives are
     * quick to build (seconds): every installed language's, so that no first run waits. */
    if (db_query(conn, &res,
                 "SELECT id, EXISTS (SELECT 1 FROM submissions s WHERE s.language_id = l.id"
                 "                   AND s.created_at > now() - interval '7 days'),"
                 " pch_header IS NOT NULL"
                 " FROM languages l WHERE enabled AND installed"
                 " AND (pch_header IS NOT NULL OR archive_argv IS NOT NULL)"
                 " ORDER BY 3 DESC, 2 DESC, id",
                 0, NULL) < 0)
        return;
    for (int i = 0, pchs = 0; i < PQntuples(res); i++) {
        struct judge_lang lang;
        int pch = PQgetvalue(res, i, 2)[0] == 't';
        if (pch && pchs++ > 0 && PQgetvalue(res, i, 1)[0] != 't')
            continue;
        if (judge_lang_load(conn, PQgetvalue(res, i, 0), &lang) < 0)
            continue;
        if (pch)
            pch_dir(w, &lang, dir, sizeof(dir));
        judge_archive_dir(w, &lang, dir, sizeof(dir));
        judge_lang_release(&lang);
        if (atomic_load(&w->shared->stopping))
            break;
    }
    PQclear(res);
}

/* --- compiling a source --- */

const char *judge_skip_bom(const char *source)
{
    return strncmp(source, "\xEF\xBB\xBF", 3) == 0 ? source + 3 : source;
}

int judge_place_source(struct judge_worker *w, const char *dir, const struct judge_lang *lang,
                       const char *source, char *ret_src, size_t src_size, char *ret_name,
                       size_t name_size)
{
    char path[PATH_MAX + 80];
    int r = judge_worker_clear(w, dir);

    if (r < 0)
        return r;
    source = judge_skip_bom(source);
    judge_source_names(lang, source, ret_src, src_size, ret_name, name_size);
    judge_fmt(path, sizeof(path), "%s/%s", dir, ret_src);
    r = judge_write_file(path, source, strlen(source));
    if (r < 0)
        return judge_fail(w, r, "cannot write %s", path);
    return 0;
}

int judge_place_files(struct judge_worker *w, const char *dir, const struct judge_lang *lang,
                      const struct judge_file *files, size_t n, char *ret_src, size_t src_size,
                      char *ret_name, size_t name_size, const char **ret_sources, char *ret_why,
                      size_t why_size)
{
    char path[PATH_MAX + SOURCE_NAME_MAX + 8];
    int r = judge_worker_clear(w, dir);

    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        const char *why = source_name_check(files[i].name), *content;
        char *slash;
        /* Checked when they were stored; checked again before they name anything on disk. */
        if (why) {
            judge_fmt(ret_why, why_size, "file name %s refused: %s\n", files[i].name, why);
            return 1;
        }
        judge_fmt(path, sizeof(path), "%s/%s", dir, files[i].name);
        /* Each folder of the name, writable by the program as its working folder is: javac
         * writes its classes there, Python its __pycache__. Nobody else sees this folder. */
        for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            r = mkdir(path, 0777) < 0 && errno != EEXIST ? -errno : 0;
            if (r == 0 && chmod(path, 0777) < 0)
                r = -errno;
            *slash = '/';
            if (r < 0)
                return judge_fail(w, r, "cannot make the folder of %s", path);
        }
        content = judge_skip_bom(files[i].content);
        r = judge_write_file(path, content, strlen(content));
        if (r < 0)
            return judge_fail(w, r, "cannot write %s", path);
    }
    r = judge_sources_choose(lang, files, n, ret_sources, ret_src, src_size, ret_name, name_size);
    if (r == -ENOENT) {
        char exts[128] = "";
        size_t len = 0;
        for (int i = 0; i < lang->n_exts && len + 20 < sizeof(exts); i++)
            len += (size_t)snprintf(exts + len, sizeof(exts) - len, "%s%s", i ? " " : "",
                                    lang->source_exts[i]);
        if (!lang->n_exts) {
            const char *own = strrchr(lang->source_file, '.');
            snprintf(exts, sizeof(exts), "%s", own ? own : lang->source_file);
        }
        judge_fmt(ret_why, why_size, "no source file of the language (%s) among the files\n", exts);
        return 1;
    }
    return r;
}

int judge_compile(struct judge_worker *w, const struct judge_lang *lang, const char *work_dir,
                  const char *src, const char *name, const char *const *files, int with_host,
                  struct judge_compiled *ret)
{
    char *argv[JUDGE_MAX_ARGS], out_path[PATH_MAX + 16], pch[PATH_MAX], archive[PATH_MAX];
    const char *envp[8];
    struct sb_bind binds[JUDGE_MAX_BINDS + 2];
    struct sb_result res;
    int r, n = 0, hold = -1, archive_hold = -1;
    size_t n_binds = 0;

    ret->ok = 0;
    ret->output = NULL;
    if (!lang->n_compile) {
        ret->ok = 1;
        return 0;
    }
    pch[0] = archive[0] = '\0';
    if (with_host) {
        pch_dir(w, lang, pch, sizeof(pch));
        archive_hold = judge_archive_bind(w, lang, &binds[n_binds], archive, sizeof(archive));
        n_binds += archive_hold >= 0;
    }
    r = judge_expand(lang->compile_argv, lang->n_compile,
                     &(struct judge_vars){.src = src,
                                          .name = name,
                                          .memory_mb = lang->memory_limit_mb,
                                          .files = files,
                                          .archive = archive[0] ? JUDGE_ARCHIVE_DIR : NULL},
                     argv);
    if (r < 0) {
        if (archive_hold >= 0)
            close(archive_hold);
        return judge_fail(w, r, "bad compile command of %s", lang->id);
    }
    struct sb_spec spec = {
        .argv = (const char *const *)argv,
        .stdout_path = out_path,
        .stderr_path = out_path,
        .work_dir = work_dir,
        .profile = SB_COMPILER,
        .limits = {.time_ms = (uint32_t)lang->compile_time_ms,
                   .wall_ms = (uint32_t)lang->compile_time_ms * 2 + 2000,
                   .memory_kb = (uint64_t)lang->compile_memory_mb * 1024,
                   .output_kb = 64 * 1024,
                   .procs = 128},
    };
    judge_worker_path(w, "compile.txt", out_path, sizeof(out_path));
    /* Held until the compile ends, so that pruning cannot remove it from under the compiler;
     * one removed already (its language row changed) means compiling without. */
    if (pch[0] && (hold = judge_pch_hold(pch)) < 0)
        pch[0] = '\0';
    if (pch[0]) {
        /* gcc looks for NAME.gch beside each header it searches for: put ours first. */
        for (const char *const *e = sb_default_env(); *e && n < 6; e++)
            envp[n++] = *e;
        envp[n++] = "CPLUS_INCLUDE_PATH=/pch";
        envp[n] = NULL;
        binds[n_binds++] = (struct sb_bind){.src = pch, .dst = "/pch"};
        spec.envp = envp;
    }
    spec.n_binds = judge_lang_binds(lang, binds, n_binds, sizeof(binds) / sizeof(binds[0]));
    spec.binds = spec.n_binds ? binds : NULL;
    r = sb_box_run(w->box, &spec, &res);
    judge_argv_free(argv);
    if (hold >= 0)
        close(hold);
    if (archive_hold >= 0)
        close(archive_hold);
    if (r < 0)
        return judge_fail(w, r, "sandbox failed to compile (%s)", res.message);
    ret->output = judge_read_text(out_path, JUDGE_COMPILE_OUTPUT_MAX);
    if (res.status == SB_OK) {
        ret->ok = 1;
        return 0;
    }
    /* Say why when the compiler was stopped rather than failing on its own. A pass the driver
     * started (the assembler writing a huge object) that hit the output cap is reported by the
     * driver alone, as a pass terminated by SIGXFSZ ("internal compiler error" for gcc). */
    int child_xfsz = res.status == SB_RE && ret->output &&
                     strstr(ret->output, "File size limit exceeded signal terminated program");
    const char *why = res.status == SB_TLE   ? "compilation exceeded its time limit\n"
                      : res.status == SB_MLE ? "compilation exceeded its memory limit\n"
                      : res.status == SB_OLE || child_xfsz
                          ? "compilation exceeded its output limit\n"
                      : res.signal ? "the compiler was killed by a signal\n"
                                   : NULL;
    if (why) {
        size_t a = strlen(why), b = ret->output ? strlen(ret->output) : 0;
        char *msg = malloc(a + b + 1);
        if (msg) {
            memcpy(msg, why, a);
            if (b)
                memcpy(msg + a, ret->output, b);
            msg[a + b] = '\0';
            free(ret->output);
            ret->output = msg;
        }
    }
    return 0;
}
