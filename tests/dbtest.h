/*
 * dbtest.h: a fresh database for one C test program, in the suite's throwaway cluster.
 *
 *     char url[512];
 *     if (dbtest_create("db_pool", url, sizeof(url)) < 0) SKIP("no test database");
 *     ... tests use url ...
 *     dbtest_drop();           // at the end of main
 *
 * The cluster is the one of tests/pg (GAVEL_TEST_PG_DIR); without it the test skips. The new
 * database is migrated to the latest schema when `migrate` is non-zero.
 */
#ifndef GAVEL_TESTS_DBTEST_H
#define GAVEL_TESTS_DBTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/db.h"
#include "db/migrate.h"

static char dbtest_admin_url[512];
static char dbtest_name[64];

/* The URL of database `db` in the test cluster, or -ENOENT when there is no cluster. */
static int dbtest_url(const char *db, char *ret_url, size_t size)
{
    const char *dir = getenv("GAVEL_TEST_PG_DIR");

    if (!dir || !*dir)
        return -1;
    snprintf(ret_url, size, "postgresql:///%s?host=%s/pg&user=%s", db, dir,
             geteuid() == 0   ? "gavel"
             : getenv("USER") ? getenv("USER")
                              : "postgres");
    return 0;
}

static int dbtest_create(const char *name, int migrate, char *ret_url, size_t size)
{
    struct db_conn *c = NULL;
    char sql[160];
    int r;

    if (dbtest_url("postgres", dbtest_admin_url, sizeof(dbtest_admin_url)) < 0)
        return -1;
    snprintf(dbtest_name, sizeof(dbtest_name), "t_%s_%d", name, (int)getpid());
    if (db_conn_open(dbtest_admin_url, &c) < 0)
        return -1;
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbtest_name);
    r = db_exec_script(c, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbtest_name);
    if (r >= 0)
        r = db_exec_script(c, sql);
    db_conn_close(c);
    if (r < 0)
        return r;
    dbtest_url(dbtest_name, ret_url, size);
    if (migrate) {
        if (db_conn_open(ret_url, &c) < 0)
            return -1;
        r = db_migrate(c);
        db_conn_close(c);
        if (r < 0)
            return r;
    }
    return 0;
}

static void dbtest_drop(void)
{
    struct db_conn *c = NULL;
    char sql[160];

    if (!dbtest_name[0] || db_conn_open(dbtest_admin_url, &c) < 0)
        return;
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbtest_name);
    (void)!db_exec_script(c, sql);
    db_conn_close(c);
}

#endif
