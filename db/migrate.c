/*
 * migrate.c: the runner of migrate.h.
 */
#include "db/migrate.h"

#include <errno.h>
#include <stdio.h>

#include "common/log.h"

#define MIGRATE_LOCK_KEY "7301946205" /* pg_advisory_lock key shared by every Gavel process */

int db_latest_version(void)
{
    return db_migrations_count > 0 ? db_migrations[db_migrations_count - 1].version : 0;
}

static int ensure_table(struct db_conn *c)
{
    return db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version integer PRIMARY KEY,"
                             " name text NOT NULL,"
                             " applied_at timestamptz NOT NULL DEFAULT now())");
}

int db_schema_version(struct db_conn *c)
{
    PGresult *res = NULL;
    int r;

    r = db_query(c, &res,
                 "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0"
                 " ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END",
                 0, NULL);
    if (r < 0)
        return r;
    r = (int)db_int64(res, 0, 0);
    PQclear(res);
    return r;
}

static int apply_one(struct db_conn *c, const struct db_migration *m)
{
    char version[16];
    int r;

    snprintf(version, sizeof(version), "%d", m->version);
    r = db_begin(c, NULL);
    if (r < 0)
        return r;
    r = db_exec_script(c, m->sql);
    if (r < 0)
        goto fail;
    r = db_query(c, NULL, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
                 (const char *const[]){version, m->name});
    if (r < 0)
        goto fail;
    return db_commit(c);
fail:
    log_msg(LOG_ERROR, "migration %s failed: %s", m->name, db_error(c));
    db_rollback(c);
    return r;
}

int db_migrate(struct db_conn *c)
{
    int r, current, applied = 0;

    r = db_exec_script(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")");
    if (r < 0)
        return r;
    r = ensure_table(c);
    if (r < 0)
        goto out;
    current = db_schema_version(c);
    if (current < 0) {
        r = current;
        goto out;
    }
    if (current > db_latest_version()) {
        log_msg(LOG_ERROR, "database schema version %d is newer than this build (%d)", current,
                db_latest_version());
        r = -EPROTO;
        goto out;
    }
    for (int i = 0; i < db_migrations_count; i++) {
        if (db_migrations[i].version <= current)
            continue;
        r = apply_one(c, &db_migrations[i]);
        if (r < 0)
            goto out;
        log_msg(LOG_INFO, "applied migration %s", db_migrations[i].name);
        applied++;
    }
    r = applied;
out:
    /* Not db_exec_script: that would overwrite the error the caller is about to report. */
    PQclear(PQexec(db_pg(c), "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
    return r;
}
