/*
 * source_name.h: the names of the files of a submission or run of several files, checked the
 * same way wherever they come from (an API body, a problem package, the judge writing them).
 *
 * A name is a plain relative path, '/'-separated: at most SOURCE_NAME_MAX bytes of
 * A-Z a-z 0-9 _ - + . and '/', no empty component, none starting with a dot (so no "." or
 * ".."), no leading or trailing '/'. That is every name a compiler or interpreter needs
 * (com/acme/Main.java, lib/util.h, a.c++) and nothing a file system or a shell could read in
 * another way. Within one submission names are unique ignoring case (a case-insensitive disk
 * would merge them when the files are exported or checked out), and no name is both a file and
 * a folder of another.
 *
 *     const char *why = source_name_check(name);            // NULL: fine
 *     long k = source_names_clash(names, n, &why);          // -1: no clash
 */
#ifndef GAVEL_COMMON_SOURCE_NAME_H
#define GAVEL_COMMON_SOURCE_NAME_H

#include <stddef.h>

#define SOURCE_NAME_MAX  128 /* bytes of one name */
#define SOURCE_FILES_MAX 32  /* files of one submission */

/* NULL when name is acceptable, else why not (static text). */
const char *source_name_check(const char *name);

/* The index of the first name that clashes with an earlier one (the same ignoring case, or a
 * file that is also a folder of another name) with *ret_why saying how, or -1 when none does.
 * The names must have passed source_name_check. */
long source_names_clash(const char *const *names, size_t n, const char **ret_why);

#endif
