/*
 * fs.c: emptying a folder without ever following a link out of it, at any depth (fs.h).
 *
 * A recursive removal holds a descriptor (and a stack frame) per level, so a program that loops
 * mkdir("d"); chdir("d") forty thousand times leaves a tree it cannot remove. Here the top folder
 * is emptied in passes: a file is unlinked; a folder has its files unlinked and its subfolders
 * moved up into the top folder under fresh names, then is removed. Every level costs one
 * rename, so the work is linear in the number of entries and the descriptors are two, whatever
 * the depth. Each change shrinks the tree (a removal) or its depth (a move), so the passes end;
 * a pass that changes nothing ends them with what could not be removed.
 */
#include "common/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static int is_dot(const char *name)
{
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Moves the folder name of dfd into top under a name no entry of top has. */
static int hoist(int dfd, const char *name, int top, unsigned long *counter)
{
    char fresh[48];

    for (int tries = 0; tries < 1000; tries++) {
        snprintf(fresh, sizeof(fresh), ".gavel-rm-%lu", (*counter)++);
        if (syscall(SYS_renameat2, dfd, name, top, fresh, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno != EEXIST)
            return -errno;
    }
    return -EEXIST;
}

/*
 * Empties the folder name of top of its files, moves its subfolders up into top, and removes
 * it. Returns how many changes it made (entries removed or moved, the folder itself included),
 * or a negative errno when it could not be opened.
 * Why something stayed goes into *err.
 */
static int flatten(int top, const char *name, unsigned long *counter, int *err)
{
    int changes = 0;

    int fd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    /* A box may leave folders it made read-only or unreadable: open them up first. */
    (void)fchmod(fd, 0700);
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = -errno;
        close(fd);
        return e;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (is_dot(e->d_name))
            continue;
        if (e->d_type != DT_DIR && unlinkat(fd, e->d_name, 0) == 0) {
            changes++;
            continue;
        }
        if (e->d_type != DT_DIR && errno != EISDIR && errno != EPERM) {
            *err = -errno;
            continue;
        }
        int r = hoist(fd, e->d_name, top, counter);
        if (r == 0)
            changes++;
        else if (*err == 0)
            *err = r;
    }
    closedir(d);
    if (unlinkat(top, name, AT_REMOVEDIR) == 0)
        return changes + 1;
    if (*err == 0)
        *err = -errno;
    return changes;
}

int fs_clear_at(int dfd)
{
    DIR *d = fdopendir(dfd);
    unsigned long counter = 0;
    int first_err = 0;

    if (!d) {
        int r = -errno;
        close(dfd);
        return r;
    }
    for (;;) {
        int progress = 0, seen = 0, err = 0;
        struct dirent *e;

        rewinddir(d);
        while ((e = readdir(d))) {
            if (is_dot(e->d_name))
                continue;
            seen = 1;
            if (e->d_type != DT_DIR && unlinkat(dfd, e->d_name, 0) == 0) {
                progress = 1;
                continue;
            }
            if (e->d_type != DT_DIR && errno != EISDIR && errno != EPERM) {
                err = -errno;
                continue;
            }
            int r = flatten(dfd, e->d_name, &counter, &err);
            if (r < 0)
                err = r;
            if (r > 0)
                progress = 1;
        }
        if (!seen) {
            first_err = 0; /* empty at last: what failed on the way was done later */
            break;
        }
        if (err < 0 && first_err == 0)
            first_err = err;
        if (!progress) {
            /* What stayed stays: say so even when each failure said nothing. */
            if (first_err == 0)
                first_err = -ENOTEMPTY;
            break;
        }
    }
    closedir(d);
    return first_err;
}

int fs_clear_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    return fs_clear_at(fd);
}

int fs_remove_tree(const char *dir)
{
    int r = fs_clear_dir(dir);

    if (r < 0)
        return r;
    if (rmdir(dir) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}
