/*
 * fs.c: emptying a folder without ever following a link out of it (fs.h).
 */
#include "common/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_clear_at(int dfd)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    int r = 0;

    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            r = -errno;
            continue;
        }
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            r = -errno;
            continue;
        }
        /* A box may leave folders it made read-only: open them up before emptying. */
        (void)fchmod(sub, 0700);
        int rr = fs_clear_at(sub);
        if (rr < 0)
            r = rr;
        if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
            r = -errno;
    }
    closedir(d);
    return r;
}

int fs_clear_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    return fs_clear_at(fd);
}
