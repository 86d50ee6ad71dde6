/*
 * fs.h: folders a sandboxed program wrote, emptied from the host.
 *
 * What a box leaves is hostile: symbolic links pointing anywhere, folders made read-only or
 * unreadable. These functions never follow a link (each level is opened O_NOFOLLOW, links are
 * unlinked as names) and open up a folder's mode before emptying it.
 */
#ifndef GAVEL_COMMON_FS_H
#define GAVEL_COMMON_FS_H

/* Removes everything inside the folder open as dfd, which it closes whatever happens. 0, or the
 * first negative errno met (it goes on with the rest). */
int fs_clear_at(int dfd) __attribute__((warn_unused_result));

/* Removes everything inside dir, keeping dir itself. A dir that does not exist is empty: 0. */
int fs_clear_dir(const char *dir) __attribute__((warn_unused_result));

#endif
