/*
 * cache.h: test data and precompiled headers on local disk, kept within bounds.
 *
 * Test data: a blob lives at ROOT/ab/abcdef... (the sha256 in hex, fanned out by its first two
 * digits), read-only. It is written under a temporary name (ROOT/ab/.tmp-PID-N), its hash
 * checked against the name, and renamed into place, so a file present under its name is always
 * complete and correct; any number of workers and processes may fetch the same blob at once.
 *
 * The cache is bounded: judge_cache_prune evicts the least recently used blobs when their disk
 * space goes over a cap. A blob's mtime is its last use (every fetch of a blob present sets
 * it). Eviction is safe while blobs are in use, by this process or another sharing the folder,
 * because nothing is ever read through the cache's own name: judge_cache_fetch gives the caller
 * a hard link of the blob in a folder of its own (a "pin"), made before the caller touches the
 * data, and eviction only removes the cache's name. A pinned blob's space comes back when the
 * caller removes its pin. A blob evicted between its lookup and its pin is fetched again.
 *
 * Precompiled headers: one folder per language and command, ROOT/ID-KEY (judge_pch_name). A
 * compile holds the folder it binds (judge_pch_hold) and judge_pch_prune removes only folders
 * no language row names and nobody holds, so a changed command leaves no garbage behind.
 * Host archives (languages.archive_argv) live the same way in a root of their own, keyed by
 * command and toolchain version (judge_archive_name), held by each compile and run that binds
 * one, pruned by judge_archive_prune.
 */
#ifndef GAVEL_JUDGE_CACHE_H
#define GAVEL_JUDGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "judge/lang.h"

/* Makes sure blob `hash` is in the cache under root, marks it used, and writes its path to
 * ret_path: the cache's own name, which eviction may remove at any time (see
 * judge_cache_fetch_pinned to read the data later). Returns 0 when it was already there, 1 when
 * it was fetched, -EINVAL for a malformed hash, -ENOENT when the database has no such blob,
 * -EBADMSG when the data does not match its hash, or another negative errno. */
int judge_cache_fetch(struct db_conn *conn, const char *root, const char *hash, char *ret_path,
                      size_t size) __attribute__((warn_unused_result));

/* judge_cache_fetch, and pins the blob for the caller: hard-links it as pin_dir/HASH (a copy
 * when pin_dir is on another file system) and writes that path to ret_path. The caller reads
 * the data there and removes the pin when done (typically the whole of pin_dir, its own). A pin
 * is never evicted. Same returns. */
int judge_cache_fetch_pinned(struct db_conn *conn, const char *root, const char *hash,
                             const char *pin_dir, char *ret_path, size_t size)
    __attribute__((warn_unused_result));

/* Temporary files (of fetches and builds) older than this are left by a process that died. */
#define JUDGE_CACHE_STALE_S 3600

struct judge_cache_usage {
    uint64_t bytes;         /* disk space of the blobs left */
    uint64_t files;         /* blobs left */
    uint64_t evicted;       /* blobs removed */
    uint64_t evicted_bytes; /* their disk space */
    uint64_t stale;         /* temporary files of dead fetches removed */
};

/* Removes stale temporary files, then, when the blobs under root take more than max_bytes of
 * disk, the least recently used ones until they take at most 90% of it; a blob used while the
 * pruner runs is kept. One process prunes a folder at a time: -EBUSY when another is at it
 * (nothing done). A missing root is an empty cache. Takes time in proportion to the number of
 * blobs: call it away from judging. */
int judge_cache_prune(const char *root, uint64_t max_bytes, struct judge_cache_usage *ret)
    __attribute__((warn_unused_result));

/* The folder name of a language's precompiled header: "ID-KEY", KEY a hash of its header and
 * command, so that a changed command is a new folder, never a stale header. */
void judge_pch_name(const struct judge_lang *lang, char *ret, size_t size);

/* Holds a precompiled header's folder against judge_pch_prune while a compile uses it (a shared
 * lock). Returns a descriptor to close when done, or -ENOENT when the folder is gone or was
 * being removed (compile without it), or another negative errno. */
int judge_pch_hold(const char *dir) __attribute__((warn_unused_result));

/* Removes from pch_root every folder not in keep[] that no compile holds, and builds
 * (".build-*") older than JUDGE_CACHE_STALE_S. A folder is renamed away under an exclusive lock
 * before it is emptied, so a compile never sees it half removed. Returns the number of folders
 * removed or a negative errno. */
int judge_pch_prune_dirs(const char *pch_root, const char *const *keep, size_t n_keep)
    __attribute__((warn_unused_result));

/* judge_pch_prune_dirs keeping the folders of every language row that has a precompiled header
 * (enabled or not). Removes nothing when a row cannot be read. */
int judge_pch_prune(struct db_conn *conn, const char *pch_root) __attribute__((warn_unused_result));

/* The folder name of a language's host archive: "ID-KEY", KEY a hash of its command and the
 * toolchain's version, so that a changed command or an upgraded toolchain is a new folder. */
void judge_archive_name(const struct judge_lang *lang, char *ret, size_t size);

/* judge_pch_prune_dirs on archive_root, keeping the folders of every language row that has a
 * host archive (enabled or not). Removes nothing when a row cannot be read. */
int judge_archive_prune(struct db_conn *conn, const char *archive_root)
    __attribute__((warn_unused_result));

/* Reads a whole file into a new buffer (NUL-terminated for convenience, which the length
 * does not count), refusing files above max_size with -E2BIG. Owned by the caller: free. */
int judge_read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
    __attribute__((warn_unused_result));

/* Writes len bytes to path (created or truncated, mode 0644). */
int judge_write_file(const char *path, const char *data, size_t len)
    __attribute__((warn_unused_result));

/* mkdir -p of a path, mode 0755. */
int judge_mkdirs(const char *path) __attribute__((warn_unused_result));

#endif
