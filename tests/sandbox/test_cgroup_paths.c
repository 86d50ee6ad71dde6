/*
 * test_cgroup_paths.c: where a box's cgroups go (sb_cgroup_box_dir), on the text of
 * /proc/self/mountinfo and /proc/self/cgroup as cgroup v1, v2 and hybrid hosts and containers
 * show it. This machine runs one layout; these are the others. Needs nothing: label "unit".
 */
#include <errno.h>

#include "sandbox/sandbox-internal.h"
#include "tests/harness.h"

/* A systemd host on cgroup v2 only (Debian 12, Fedora, Ubuntu 22.04 and later). */
static const char v2_mounts[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "26 22 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "30 26 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

/* A hybrid host: controllers on v1, an empty v2 hierarchy beside them. */
static const char hybrid_mounts[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char hybrid_cgroups[] = "8:pids:/\n"
                                     "4:memory:/jobs/42\n"
                                     "2:cpuacct:/\n"
                                     "1:cpu:/\n"
                                     "0::/\n";

TEST(v2_box_goes_beneath_our_cgroup)
{
    char dir[512];

    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/system.slice/gavel.service\n", NULL, NULL,
                                "gavel-box0-1", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/system.slice/gavel.service/gavel-box0-1");
    /* The root cgroup (a container with its own cgroup namespace). */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/\n", NULL, NULL, "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/b");
}

TEST(v2_after_moving_into_our_own_leaf)
{
    char dir[512];

    /* Boxes stay beside the leaf we moved ourselves into, not beneath it. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/system.slice/gavel.service/gavel-host\n", NULL,
                                NULL, "b", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/system.slice/gavel.service/b");
    /* In a container, the leaf beneath the namespace's root. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/gavel-host\n", NULL, NULL, "b", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/b");
    /* A cgroup that only ends in the same letters is not our leaf. */
    CHECK_INT(
        sb_cgroup_box_dir(v2_mounts, "0::/x/not-gavel-host\n", NULL, NULL, "b", dir, sizeof(dir)),
        0);
    CHECK_STR(dir, "/sys/fs/cgroup/x/not-gavel-host/b");
}

TEST(v2_in_a_container_without_a_cgroup_namespace)
{
    /* The hierarchy is mounted from the container's own cgroup: /proc/self/cgroup still shows
     * the host's path, of which the mount point is the root. */
    static const char mounts[] = "500 400 0:26 /docker/abc /sys/fs/cgroup ro,nosuid,nodev,noexec,"
                                 "relatime - cgroup2 cgroup2 rw\n";
    char dir[512];

    CHECK_INT(
        sb_cgroup_box_dir(mounts, "0::/docker/abc/judge\n", NULL, NULL, "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/judge/b");
    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/docker/abc\n", NULL, NULL, "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/b");
    /* A sibling whose name starts the same is not beneath the root: the mount does not show
     * it, and no box is made in what happens to be there under that name. */
    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/docker/abcd\n", NULL, NULL, "b", dir, sizeof(dir)),
              -EXDEV);
}

TEST(v2_in_a_cgroup_namespace_with_the_outer_hierarchy_mounted)
{
    /* A container in a cgroup namespace of its own, with the host's hierarchy bound in: the
     * mount's root is above the namespace's, so our cgroup's directory under it is unknown. */
    static const char mounts[] = "500 400 0:26 /.. /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 "
                                 "rw,nsdelegate\n";
    static const char beside[] = "500 400 0:26 /../other /sys/fs/cgroup rw - cgroup2 cgroup2 "
                                 "rw\n";
    char dir[512];

    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/\n", NULL, NULL, "b", dir, sizeof(dir)), -EXDEV);
    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/gavel-host\n", NULL, NULL, "b", dir, sizeof(dir)),
              -EXDEV);
    CHECK_INT(sb_cgroup_box_dir(beside, "0::/\n", NULL, NULL, "b", dir, sizeof(dir)), -EXDEV);
    /* Nor can a given cgroup be placed there. */
    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/\n", NULL, "/gavel", "b", dir, sizeof(dir)), -EXDEV);
    CHECK_INT(
        sb_cgroup_box_dir(mounts, "0::/\n", NULL, "/sys/fs/cgroup/gavel", "b", dir, sizeof(dir)),
        -EXDEV);
    /* A process moved outside its namespace sees its path through "..". */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/../x\n", NULL, NULL, "b", dir, sizeof(dir)),
              -EXDEV);
    /* A name that only starts with two dots is a name. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/..x/y\n", NULL, NULL, "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/..x/y/b");
}

TEST(a_given_cgroup)
{
    char dir[512];

    /* GAVEL_CGROUP as a path in the hierarchy: boxes go beneath it, wherever we are. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/user.slice/session-2.scope\n", NULL, "/gavel", "b",
                                dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/gavel/b");
    /* Once we moved into its leaf, still beneath it. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/gavel/gavel-host\n", NULL, "/gavel", "b", dir,
                                sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/gavel/b");
    /* As a directory under the mount. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/\n", NULL, "/sys/fs/cgroup/jobs/gavel", "b", dir,
                                sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/jobs/gavel/b");
    /* Empty means none. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/a\n", NULL, "", "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/a/b");
    /* Relative to the mount's root in a container without a cgroup namespace. */
    static const char mounts[] = "500 400 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 "
                                 "rw\n";
    CHECK_INT(sb_cgroup_box_dir(mounts, "0::/docker/abc\n", NULL, "/docker/abc/gavel", "b", dir,
                                sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/gavel/b");
    CHECK_INT(
        sb_cgroup_box_dir(mounts, "0::/docker/abc\n", NULL, "/elsewhere", "b", dir, sizeof(dir)),
        -EXDEV);
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/\n", NULL, "relative", "b", dir, sizeof(dir)),
              -EXDEV);
    /* On v1, beneath the same path in every hierarchy. */
    CHECK_INT(
        sb_cgroup_box_dir(hybrid_mounts, hybrid_cgroups, "memory", "/gavel", "b", dir, sizeof(dir)),
        0);
    CHECK_STR(dir, "/sys/fs/cgroup/memory/gavel/b");
}

TEST(v1_each_controller_in_its_hierarchy)
{
    char dir[512];

    CHECK_INT(
        sb_cgroup_box_dir(hybrid_mounts, hybrid_cgroups, "memory", NULL, "b", dir, sizeof(dir)), 0);
    CHECK_STR(dir, "/sys/fs/cgroup/memory/jobs/42/b");
    CHECK_INT(sb_cgroup_box_dir(hybrid_mounts, hybrid_cgroups, "pids", NULL, "b", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/pids/b");
    /* "cpu" is not "cpuacct", nor the other way round. */
    CHECK_INT(
        sb_cgroup_box_dir(hybrid_mounts, hybrid_cgroups, "cpuacct", NULL, "b", dir, sizeof(dir)),
        0);
    CHECK_STR(dir, "/sys/fs/cgroup/cpuacct/b");
    /* The unified hierarchy of a hybrid host is found as v2. */
    CHECK_INT(sb_cgroup_box_dir(hybrid_mounts, hybrid_cgroups, NULL, NULL, "b", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/unified/b");
}

TEST(missing_hierarchy_and_long_paths)
{
    char dir[512], tiny[16];

    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "0::/\n", "memory", NULL, "b", dir, sizeof(dir)),
              -ENOENT);
    CHECK_INT(
        sb_cgroup_box_dir(hybrid_mounts, "4:memory:/x\n", "pids", NULL, "b", dir, sizeof(dir)),
        -ENOENT);
    CHECK_INT(sb_cgroup_box_dir("", "", NULL, NULL, "b", dir, sizeof(dir)), -ENOENT);
    CHECK_INT(
        sb_cgroup_box_dir(v2_mounts, "0::/a/long/path\n", NULL, NULL, "b", tiny, sizeof(tiny)),
        -ENAMETOOLONG);
    /* A line without the two colons is skipped, not misread. */
    CHECK_INT(sb_cgroup_box_dir(v2_mounts, "garbage\n0::/ok\n", NULL, NULL, "b", dir, sizeof(dir)),
              0);
    CHECK_STR(dir, "/sys/fs/cgroup/ok/b");
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
