/*
 * fs.h: folders a sandboxed program wrote, emptied from the host.
 *
 * What a box leaves is hostile: symbolic links pointing anywhere, folders made read-only or
 * unreadable, FIFOs and sockets, millions of entries, trees tens of thousands of levels deep.
 * These functions never follow a link (each folder is opened O_NOFOLLOW, links are unlinked as
 * names), open up a folder's mode before emptying it, and hold at most two descriptors at any
 * depth: a folder's subfolders are moved up to the top folder being emptied before the folder
 * itself is removed, so a tree of any depth is flattened one level at a time.
 */
#ifndef GAVEL_COMMON_FS_H
#define GAVEL_COMMON_FS_H

/* Removes everything inside the folder open as dfd, which it closes whatever happens. 0 when
 * the folder is empty at the end; else the first negative errno met (it goes on with the rest,
 * and -ENOTEMPTY when entries it could not remove stay). */
int fs_clear_at(int dfd) __attribute__((warn_unused_result));

/* Removes everything inside dir, keeping dir itself. A dir that does not exist is empty: 0. */
int fs_clear_dir(const char *dir) __attribute__((warn_unused_result));

/* Removes dir and everything inside it. A dir that does not exist: 0. Errors as fs_clear_at, or
 * the errno of the final rmdir. */
int fs_remove_tree(const char *dir) __attribute__((warn_unused_result));

#endif
