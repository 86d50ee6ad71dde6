/*
 * db.h: PostgreSQL access for every Gavel program (libgavel_db).
 *
 * A pool of connections safe to share between threads. A thread takes a connection with
 * db_acquire, runs parameterised queries on it, and gives it back with db_release. Queries are
 * prepared on first use on each connection (named by a hash of their text) and reused after,
 * so a hot query costs one round trip and no parsing. Parameters always travel apart from the
 * SQL text: there is no call that builds SQL from values.
 *
 *     struct db_conn *c;
 *     PGresult *res = NULL;
 *     int r = db_acquire(pool, &c);
 *     if (r < 0) return r;                          // -ENOTCONN: database unavailable
 *     r = db_query(c, &res, "SELECT id FROM users WHERE username = $1", 1, (const char *[]){u});
 *     ...
 *     PQclear(res);
 *     db_release(pool, c);
 *
 * Errors are negative errno values mapped from SQLSTATE (db_sqlstate_errno):
 *   -EEXIST unique violation   -ENOENT foreign key violation   -EINVAL check, not-null, bad data
 *   -EAGAIN serialization failure, deadlock, lock not available   -ETIMEDOUT statement timeout
 *   -ENOTCONN the server is unreachable or went away   -EIO anything else.
 * The message of the last failure on a connection is db_error(c).
 *
 * Reconnect: when the server restarts, the next db_acquire or query on a broken connection
 * resets it and, if the failed query was not inside a transaction, runs it again once.
 */
#ifndef GAVEL_DB_H
#define GAVEL_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#define DB_WUR __attribute__((warn_unused_result))

struct db_pool;

/* One connection and what has been prepared on it. Fields are private to db/. */
struct db_conn;

/* Opens a pool of at most `size` connections to `conninfo` (a URL or "key=value" string). One
 * connection is made at once so that a wrong address fails here with -ENOTCONN. */
int db_pool_new(const char *conninfo, int size, struct db_pool **ret_pool) DB_WUR;

/* Closes every connection. All connections must have been released. Accepts NULL. */
void db_pool_free(struct db_pool *pool);

/* Takes a connection, waiting while all are in use. -ENOTCONN if it cannot be (re)connected. */
int db_acquire(struct db_pool *pool, struct db_conn **ret_conn) DB_WUR;

/* Gives a connection back. A connection left inside a transaction is rolled back first. */
void db_release(struct db_pool *pool, struct db_conn *conn);

/* A single connection outside any pool, e.g. for LISTEN. Owned by the caller: db_conn_close. */
int db_conn_open(const char *conninfo, struct db_conn **ret_conn) DB_WUR;
void db_conn_close(struct db_conn *conn);

/* The libpq connection, for what this header does not wrap (PQescape*, PQsocket). */
PGconn *db_pg(struct db_conn *conn);

/* Runs a parameterised statement (prepared on first use). Text parameters; NULL = SQL NULL.
 * On success returns 0 and, when ret_res is not NULL, the result, owned by the caller
 * (PQclear). On failure returns a negative errno and *ret_res is NULL. */
int db_query(struct db_conn *conn, PGresult **ret_res, const char *sql, int nparams,
             const char *const *values) DB_WUR;

/* db_query with binary parameters: lengths[i] and formats[i] (1 = binary) as in PQexecParams;
 * either array may be NULL. Results come back in text format. */
int db_query_bin(struct db_conn *conn, PGresult **ret_res, const char *sql, int nparams,
                 const char *const *values, const int *lengths, const int *formats) DB_WUR;

/* Runs SQL text with no parameters, possibly several statements (migrations, LISTEN). */
int db_exec_script(struct db_conn *conn, const char *sql) DB_WUR;

/* Transactions. db_begin takes an optional mode, e.g. "ISOLATION LEVEL SERIALIZABLE". */
int db_begin(struct db_conn *conn, const char *mode) DB_WUR;
int db_commit(struct db_conn *conn) DB_WUR;
void db_rollback(struct db_conn *conn);

/* The message of the last failure on this connection ("" if none). Valid until the next call. */
const char *db_error(struct db_conn *conn);

/* The SQLSTATE of the last failure on this connection ("" if none). */
const char *db_sqlstate(struct db_conn *conn);

/* SQLSTATE (5 characters) to a negative errno, as listed above. */
int db_sqlstate_errno(const char *sqlstate);

/* Waits up to timeout_ms for a NOTIFY on a connection that has run LISTEN. Returns 1 and the
 * channel and payload (truncated to the sizes given) when one arrived, 0 on timeout, or a
 * negative errno (-ENOTCONN: the connection broke; LISTEN again after db_conn_reset). */
int db_wait_notify(struct db_conn *conn, int timeout_ms, char *ret_channel, size_t channel_size,
                   char *ret_payload, size_t payload_size) DB_WUR;

/* Drops and remakes the connection (what prepared statements it had are forgotten). */
int db_conn_reset(struct db_conn *conn) DB_WUR;

/* Result helpers: a cell as an integer (0 when NULL or not a number), or whether it is NULL. */
int64_t db_int64(const PGresult *res, int row, int col);
int db_isnull(const PGresult *res, int row, int col);

#endif
