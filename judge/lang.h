/*
 * lang.h: a language as the languages table describes it, and its command templates.
 *
 * Commands are argument vectors with placeholders, never shell lines. judge_expand fills in:
 *   {src}        the source file name in the work folder (main.cpp, or Foo.java for Java)
 *   {name}       {src} without its extension; for Java the class to run, with the package the
 *                source declares (x.y.Foo for `package x.y;`), see judge_source_names
 *   {files}      (an argument of exactly this) one argument per source file of the submission,
 *                in byte order of their names: those whose extension is one of the language's
 *                source_exts; for a one-file submission just {src}
 *   {memory_mb}  the run's memory limit in MiB
 *   {header}     (pch_argv only) the header to precompile
 *   {out}        (pch_argv only) the precompiled header to write
 *   {archive}    the folder of the host's archive of the language (archive_argv), as the box
 *                shows it; an argument holding {archive} is left out when there is none
 */
#ifndef GAVEL_JUDGE_LANG_H
#define GAVEL_JUDGE_LANG_H

#include <stddef.h>

#include "common/source_name.h"
#include "db/db.h"
#include "sandbox/sandbox.h"

#define JUDGE_MAX_ARGS 64
/* Host folders a language's tools may read besides /usr, /bin and /lib (languages.binds). */
#define JUDGE_MAX_BINDS 4
#define JUDGE_MAX_EXTS  8
/* Room for {src} and {name}: a file name of a submission of several files, or a Java class
 * qualified by its package. */
#define JUDGE_NAME_SIZE (SOURCE_NAME_MAX + 64)

struct judge_lang {
    char id[24];
    char source_file[64]; /* main.cpp, Main.java, ... */
    enum sb_profile profile;
    int time_limit_ms;
    int memory_limit_mb;
    int compile_time_ms;
    int compile_memory_mb;
    int n_compile; /* 0: nothing to compile */
    int n_run;
    int n_pch;     /* 0: no precompiled header */
    int n_archive; /* 0: no host archive */
    char *compile_argv[JUDGE_MAX_ARGS];
    char *run_argv[JUDGE_MAX_ARGS];
    char *pch_argv[JUDGE_MAX_ARGS];
    char *archive_argv[JUDGE_MAX_ARGS];
    char pch_header[128];
    char version[128]; /* as the toolchain reported it (languages.version) */
    int n_binds;
    char *binds[JUDGE_MAX_BINDS];         /* shown read-only in the box at the same path */
    int n_exts;                           /* 0: the extension of source_file alone */
    char source_exts[JUDGE_MAX_EXTS][16]; /* ".c", ".cpp", ... */
};

/* Values for the placeholders; NULL ones expand to "". */
struct judge_vars {
    const char *src;
    const char *name;
    int memory_mb;
    const char *header;
    const char *out;
    const char *const *files; /* NULL-terminated, for {files}; NULL: {files} is {src} */
    const char *archive;      /* NULL or "": arguments holding {archive} are left out */
};

/* Loads language `id` (enabled or not). -ENOENT when there is no such language. The struct
 * owns its strings: judge_lang_release. */
int judge_lang_load(struct db_conn *conn, const char *id, struct judge_lang *ret)
    __attribute__((warn_unused_result));
void judge_lang_release(struct judge_lang *lang);

/* Puts the language's binds (read-only, at the same path) into ret, after the n already there,
 * at most max in all; returns the new count. */
size_t judge_lang_binds(const struct judge_lang *lang, struct sb_bind *ret, size_t n, size_t max);

/* Expands n template arguments into ret_argv (an argument "{files}" into as many as there are
 * files) (NULL-terminated, at most JUDGE_MAX_ARGS - 1
 * arguments), each a new string; free with judge_argv_free. -E2BIG when too long. */
int judge_expand(char *const *tmpl, int n, const struct judge_vars *vars, char **ret_argv)
    __attribute__((warn_unused_result));
void judge_argv_free(char **argv);

/* The name a Java source must have: "Foo.java" for its top-level `public class Foo` (also
 * interface, enum, record, with modifiers), which javac requires; public types nested in
 * another do not count. Without a public top-level type, the first top-level type that declares
 * a `void main` method, so that `java Foo` finds it; else `fallback`. Comments, string literals
 * and text blocks are skipped; the name must be a plain Java identifier of at most 60
 * characters. */
void judge_java_source_name(const char *source, const char *fallback, char *ret, size_t size);

/* The package a Java source declares in its first statement (`package x.y;`, comments allowed
 * anywhere), as "x.y"; "" when there is none, or when it is not a dotted name of plain Java
 * identifiers of at most 60 characters each that fits in size. */
void judge_java_package(const char *source, char *ret, size_t size);

/* The names a source is judged under, for the templates. ret_src ({src}) is the file it is
 * written to in the work folder: the language's source_file, or for Java (source_file *.java) what
 * judge_java_source_name gives. ret_name ({name}) is ret_src without its extension; for Java it
 * is the class to run, so it is qualified by the source's package (x.y.Main), whose class file
 * javac -d writes into the package's folder. A qualified name that does not fit in name_size
 * stays unqualified (the program then fails to start, as it would have without packages). */
void judge_source_names(const struct judge_lang *lang, const char *source, char *ret_src,
                        size_t src_size, char *ret_name, size_t name_size);

/* One file of a submission of several files (its name checked by common/source_name.h). */
struct judge_file {
    const char *name;
    const char *content; /* NUL-terminated text */
};

/* 1 when name ends in one of the language's source extensions (case counts: .C is C++, .c
 * is C). */
int judge_is_source(const struct judge_lang *lang, const char *name);

/*
 * The names a submission of several files is judged under, as Kattis's rules (problemtools)
 * have them. Its source files are those judge_is_source accepts, in byte order of their names
 * (ret_sources, n + 1 slots, NULL-terminated, pointing into files: {files}). The entry file
 * ({src}) is the first of them whose base name is "main" with any extension, ignoring case
 * (main.py, Main.java, lib/Main.cpp), else the first. {name} is the entry file without its
 * extension, except for Java (profile jvm): there it is the class to run, the top-level class
 * that declares `void main`, qualified by its file's package. When several classes do, the one
 * in a file named main.* (ignoring case) wins, else the one in the first file; when none does,
 * the entry file's name, as problemtools would run it. -ENOENT when no file is a source file
 * of the language.
 */
int judge_sources_choose(const struct judge_lang *lang, const struct judge_file *files, size_t n,
                         const char **ret_sources, char *ret_src, size_t src_size, char *ret_name,
                         size_t name_size) __attribute__((warn_unused_result));

#endif
