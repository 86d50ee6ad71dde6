/*
 * cache.h: test data on local disk, fetched from the blobs table by content hash.
 *
 * A blob lives at ROOT/ab/abcdef... (the sha256 in hex, fanned out by its first two digits),
 * read-only. It is written under a temporary name, its hash checked against the name, and
 * renamed into place, so a file present under its name is always complete and correct; any
 * number of workers and processes may fetch the same blob at once. Files are never changed,
 * only added: test data shared by problems and problem versions is fetched once.
 */
#ifndef GAVEL_JUDGE_CACHE_H
#define GAVEL_JUDGE_CACHE_H

#include <stddef.h>

#include "db/db.h"

/* Makes sure blob `hash` is in the cache under root and writes its path to ret_path. Returns
 * 0 when it was already there, 1 when it was fetched, -EINVAL for a malformed hash, -ENOENT
 * when the database has no such blob, -EBADMSG when the data does not match its hash, or
 * another negative errno. */
int judge_cache_fetch(struct db_conn *conn, const char *root, const char *hash, char *ret_path,
                      size_t size) __attribute__((warn_unused_result));

/* Reads a whole file into a new buffer (NUL-terminated for convenience, which the length
 * does not count), refusing files above max_size with -E2BIG. Owned by the caller: free. */
int judge_read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
    __attribute__((warn_unused_result));

/* Writes len bytes to path (created or truncated, mode 0644). */
int judge_write_file(const char *path, const char *data, size_t len)
    __attribute__((warn_unused_result));

/* mkdir -p of a path, mode 0755. */
int judge_mkdirs(const char *path) __attribute__((warn_unused_result));

/* Removes everything inside dir (not dir itself); symlinks are removed, never followed. */
int judge_clear_dir(const char *dir) __attribute__((warn_unused_result));

#endif
