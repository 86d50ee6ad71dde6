/*
 * toolchain.h: which languages this host can judge, and their versions, as the toolchains
 * themselves say.
 *
 * A language is data (lang.h); its toolchain is whatever Debian packages an operator installed
 * (./gavel.sh languages). At start every judge looks at the files the language's commands name
 * and sets languages.installed, so that the API offers and accepts only languages a judge can
 * run; then, off the workers' path, it runs each installed language's version command and
 * stores the answer in languages.version (GET /languages shows it). A version is probed again
 * only when the toolchain's file changed (its size or time), so a restart costs nothing.
 *
 * Judges on hosts with different toolchains write in turn: the last one started wins. Give
 * every judge host the same languages.
 */
#ifndef GAVEL_JUDGE_TOOLCHAIN_H
#define GAVEL_JUDGE_TOOLCHAIN_H

#include "db/db.h"

/* Whether the program a command runs exists here: argv0 an absolute path to an executable, or
 * for /usr/bin/env the first argument after its NAME=VALUE ones. Relative names (./main, a
 * program the compile step makes) need nothing. */
int judge_toolchain_has(const char *const *argv, int n);

/* Sets languages.installed for every language (their commands' programs and their binds all
 * present). Logs each language that changed. A negative errno when the database failed. */
int judge_toolchains_detect(struct db_conn *conn) __attribute__((warn_unused_result));

/* Runs the version command of every installed language whose toolchain changed since it was
 * last probed (in parallel, 30 s at most, outside any box: the host's own programs, as root,
 * with an empty environment but PATH) and stores the first line of its output that is not a
 * warning, at most 120 bytes, as languages.version. A negative errno when the database failed;
 * a command that fails leaves the version as it was. */
int judge_toolchains_versions(struct db_conn *conn) __attribute__((warn_unused_result));

#endif
