/*
 * migrate.h: bring a database's schema up to the version this build knows.
 *
 * The files migrations/NNN_name.sql are compiled into every binary (db_migrations, in order).
 * Each pending one is applied in its own transaction and recorded in schema_migrations
 * (version, name, applied_at). A session advisory lock lets any number of processes call
 * db_migrate at once: one applies, the others wait and find nothing left to do.
 */
#ifndef GAVEL_DB_MIGRATE_H
#define GAVEL_DB_MIGRATE_H

#include "db/db.h"

struct db_migration {
    int version;
    const char *name; /* the file name, e.g. "001_accounts.sql" */
    const char *sql;
};

extern const struct db_migration db_migrations[];
extern const int db_migrations_count;

/* Applies what is pending. Returns the number applied (0: already current), -EPROTO when the
 * database has a migration newer than this build knows (an older binary must not touch it), or
 * another negative errno from the database (the failing migration is rolled back, and
 * db_error(conn) says why). */
int db_migrate(struct db_conn *conn) DB_WUR;

/* The highest version applied to the database (0 for an empty one), or a negative errno. */
int db_schema_version(struct db_conn *conn) DB_WUR;

/* The highest version this build knows. */
int db_latest_version(void);

#endif
