/*
 * judge-internal.h: what the files that judge a job share with one another. Not a public
 * interface: the daemon uses judge.h only.
 *
 * judge.c runs a job's steps, from loading it to recording its result; worker.c keeps the
 * worker's folders and sandbox box and the helpers every step uses to name its files and say
 * why it failed; compile.c compiles a source in the box, with the host's precompiled headers;
 * custom_checker.c compiles, keeps and runs a problem's own checker. The built-in comparisons
 * of output with answer are checker.h, a module of its own.
 *
 * Errors are those of judge.h: a failure of the judge itself is a negative errno with its
 * reason in w->error (judge_fail writes it), and the job is retried; what is the program's or
 * the problem's fault is a result, never an error.
 */
#ifndef GAVEL_JUDGE_INTERNAL_H
#define GAVEL_JUDGE_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "judge/checker.h"
#include "judge/judge.h"
#include "judge/lang.h"

/* --- worker.c ---------------------------------------------------------------------------- */

/* snprintf that tolerates truncation: paths are bounded by the data folder's length, checked
 * once at start, and messages may be cut. */
void judge_fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* Records why the job failed in w->error ("what: strerror(-r)") and returns r, so that a
 * failure reads `return judge_fail(w, r, "cannot write %s", path);`. */
int judge_fail(struct judge_worker *w, int r, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

/* Milliseconds of the monotonic clock, for timing the steps of a job. */
int64_t judge_mono_ms(void);

/* The path of file `name` in the worker's own folder (w->dir): the program's stdout and stderr,
 * the compiler's and the checker's output, the job's links to its test data. */
void judge_worker_path(const struct judge_worker *w, const char *name, char *ret, size_t size);

/* Reads at most max bytes of a file, raw, into *ret (malloc'd with room for one byte more, the
 * caller frees) and their count into *ret_len; a file that cannot be read (missing, a symbolic
 * link) reads as empty. -ENOMEM only. */
int judge_read_capped(const char *path, size_t max, char **ret, size_t *ret_len)
    __attribute__((warn_unused_result));

/* Reads at most max bytes of a file as text, every byte that is not valid UTF-8 (NUL included)
 * made a '?', for a message or a log. Returns a new string the caller frees: "" when the file
 * cannot be read, NULL only when out of memory. */
char *judge_read_text(const char *path, size_t max);

/* --- compile.c --------------------------------------------------------------------------- */

/* What compiling a source gave. */
struct judge_compiled {
    int ok;       /* 1: compiled (or nothing to compile) */
    char *output; /* the compiler's messages, sanitized and capped; NULL when none */
};

/* The source without the UTF-8 byte order mark that editors on Windows put first: gcc and
 * Python skip it, javac rejects it as an illegal character. */
const char *judge_skip_bom(const char *source);

/* Empties the folder dir and writes the source into it, without a byte order mark, under the
 * name the language wants. ret_src and ret_name get the names it is judged under, {src} and
 * {name} of the command templates (judge_source_names). */
int judge_place_source(struct judge_worker *w, const char *dir, const struct judge_lang *lang,
                       const char *source, char *ret_src, size_t src_size, char *ret_name,
                       size_t name_size) __attribute__((warn_unused_result));

/* Empties the folder dir and writes the files of a submission of several files into it under
 * their own names (folders made as needed), each without a byte order mark. ret_src and
 * ret_name get {src} and {name}, ret_sources (n + 1 slots, pointing into files) the list for
 * {files}, as judge_sources_choose gives them. 1 when no file is a source file of the language
 * or holds a name source_name.h refuses (nothing to compile: the caller reports it as CE with
 * ret_why), 0 when placed, or a negative errno. */
int judge_place_files(struct judge_worker *w, const char *dir, const struct judge_lang *lang,
                      const struct judge_file *files, size_t n, char *ret_src, size_t src_size,
                      char *ret_name, size_t name_size, const char **ret_sources, char *ret_why,
                      size_t why_size) __attribute__((warn_unused_result));

/* Compiles what is in work_dir with the language's compile command, in the worker's box with
 * the compiler profile and the language's compile limits; with_host binds the language's
 * precompiled header and host archive, building them first when the host has none yet (not
 * while the caller holds the shared build_lock: a checker's build). files is the list for
 * {files} (NULL for a one-file source: {files} is then {src}). r < 0 only for a failure
 * of the judge; a failure of the compiler is ret->ok = 0 with its messages, led by a line
 * saying why when a limit or a signal stopped it. The caller frees ret->output, whatever the
 * return. */
int judge_compile(struct judge_worker *w, const struct judge_lang *lang, const char *work_dir,
                  const char *src, const char *name, const char *const *files, int with_host,
                  struct judge_compiled *ret) __attribute__((warn_unused_result));

/* Where a language's host archive (languages.archive_argv) is shown in a box: {archive}. */
#define JUDGE_ARCHIVE_DIR "/archive"

/* The host folder of the language's archive, built first when the host has none yet; "" when
 * it has none (no archive_argv, or its build failed). Not while holding build_lock. */
void judge_archive_dir(struct judge_worker *w, const struct judge_lang *lang, char *ret,
                       size_t size);

/* judge_archive_dir, held against pruning and made a read-only bind at JUDGE_ARCHIVE_DIR in
 * *ret_bind (pointing into dir, which must outlive the run). Returns the hold's descriptor (close
 * it after the run), or -1 and dir "" when there is no archive to bind: run without. */
int judge_archive_bind(struct judge_worker *w, const struct judge_lang *lang,
                       struct sb_bind *ret_bind, char *dir, size_t size);

/* --- custom_checker.c -------------------------------------------------------------------- */

/* The problem's checker: one of the built-in comparisons of checker.h, or a program of the
 * problem's own (JUDGE_CHECK_CUSTOM). */
struct judge_problem_checker {
    enum judge_checker_kind kind;
    struct judge_checker_params params; /* options of the built-in ones, a validator's flags */
    struct judge_lang lang;             /* custom only */
    char src[80], name[80];             /* custom only */
    char dir[PATH_MAX];                 /* custom only: the compiled checker in the cache */
};

/* Makes sure the problem's checker, `source` in the language ck->lang, is compiled in the cache
 * (ck->dir, named by a hash of both), compiling it when it is not there yet, and fills ck->src
 * and ck->name. A checker that does not compile is a failure of the problem: -ENOEXEC with the
 * reason in w->error, and the compiler's whole output in ret_comp->output when ret_comp is not
 * NULL (the caller frees it, whatever the return). Other negative errnos are failures of the
 * judge. */
int judge_custom_checker_prepare(struct judge_worker *w, struct judge_problem_checker *ck,
                                 const char *source, struct judge_compiled *ret_comp)
    __attribute__((warn_unused_result));

/* Runs the custom checker on one test: the test's input (in_path), the program's output
 * (out_path, also its stdin) and the answer (ans_path), with the problem's protocol. ret_code
 * and ret_points (of `full`) come back, with the checker's message in ret_msg; a negative
 * errno is the judge's failure. A checker that fails (crash, limits, exit 3, unknown code)
 * gives IE, its message saying how. */
int judge_custom_checker_run(struct judge_worker *w, struct judge_problem_checker *ck,
                             const char *in_path, const char *out_path, const char *ans_path,
                             int full, enum judge_code *ret_code, int *ret_points, char *ret_msg,
                             size_t msg_size) __attribute__((warn_unused_result));

/* --- custom_checker.c: the interactor of an interactive problem ------------------------- */

/* What one interactive test gave: both programs' runs, and what the interactor said. */
struct judge_interaction {
    struct sb_result sub, inter;
    enum judge_code int_code; /* the interactor's exit by its protocol (judge_checker_exit):
                                 AC, WA (with int_points), or IE when it failed */
    int int_points;
    char message[256]; /* a Kattis judgemessage.txt, or the interactor's standard error */
};

/*
 * Runs the submission (sub: its argv, folder, profile and limits; its stdin and stdout are
 * replaced) and the interactor ick (compiled by judge_custom_checker_prepare), each in a box
 * of its own (the worker's, and a second one made on first use), joined by pipes. The
 * interactor works in the checker's folder with the test's input (and, Kattis, answer) and a
 * feedback folder; a testlib interactor's output file is copied to out_path (at most out_kb
 * KiB) for the checker. The verdict is the caller's, from ret (problems/README.md). A negative
 * errno is a failure of the judge, with w->error saying why.
 */
int judge_interactor_run(struct judge_worker *w, struct judge_problem_checker *ick,
                         const struct sb_spec *sub, const char *in_path, const char *ans_path,
                         const char *out_path, uint64_t out_kb, int full,
                         struct judge_interaction *ret) __attribute__((warn_unused_result));

#endif
