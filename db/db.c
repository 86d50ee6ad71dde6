/*
 * db.c: the connection pool and query calls of db.h.
 *
 * Each struct db_conn remembers which statements it has prepared, keyed by a 64-bit FNV-1a hash
 * of the SQL text, in a small open-addressing table. A reset forgets them all, since a new
 * server session has none. The pool is a fixed array guarded by one mutex; connections are
 * made lazily, so an idle API holds one connection, not `size`.
 */
#include "db/db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define PREPARED_SLOTS 256 /* at most this many distinct statements prepared per connection */

struct db_conn {
    PGconn *pg;
    char *conninfo; /* owned copy, for reconnecting */
    uint64_t prepared[PREPARED_SLOTS];
    int n_prepared;
    char error[512];
    char sqlstate[6];
};

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *conninfo;
    int size;
    int n_open;            /* connections made so far */
    struct db_conn **idle; /* stack of idle connections */
    int n_idle;
};

static void set_error(struct db_conn *c, const char *sqlstate, const char *msg)
{
    size_t n;

    snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", sqlstate ? sqlstate : "");
    snprintf(c->error, sizeof(c->error), "%s", msg ? msg : "");
    n = strlen(c->error);
    while (n > 0 && (c->error[n - 1] == '\n' || c->error[n - 1] == ' '))
        c->error[--n] = '\0';
}

int db_sqlstate_errno(const char *s)
{
    if (!s || strlen(s) != 5)
        return -EIO;
    if (!strcmp(s, "23505"))
        return -EEXIST;
    if (!strcmp(s, "23503"))
        return -ENOENT;
    if (!strcmp(s, "23514") || !strcmp(s, "23502") || !strncmp(s, "22", 2) || !strcmp(s, "23P01"))
        return -EINVAL;
    if (!strcmp(s, "40001") || !strcmp(s, "40P01") || !strcmp(s, "55P03"))
        return -EAGAIN;
    if (!strcmp(s, "57014"))
        return -ETIMEDOUT;
    if (!strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P02") || !strcmp(s, "57P03"))
        return -ENOTCONN;
    return -EIO;
}

/* Server notices ("relation already exists, skipping") are for debugging, not for stderr. */
static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_msg(LOG_DEBUG, "database notice: %s", message);
}

static int conn_connect(struct db_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->n_prepared = 0;
    memset(c->prepared, 0, sizeof(c->prepared));
    c->pg = PQconnectdb(c->conninfo);
    if (!c->pg) {
        set_error(c, "08000", "out of memory");
        return -ENOMEM;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        set_error(c, "08000", PQerrorMessage(c->pg));
        return -ENOTCONN;
    }
    PQsetNoticeProcessor(c->pg, notice_to_log, NULL);
    return 0;
}

int db_conn_open(const char *conninfo, struct db_conn **ret_conn)
{
    struct db_conn *c = calloc(1, sizeof(*c));
    int r;

    if (!c)
        return -ENOMEM;
    c->conninfo = strdup(conninfo);
    if (!c->conninfo) {
        free(c);
        return -ENOMEM;
    }
    r = conn_connect(c);
    if (r < 0) {
        log_msg(LOG_DEBUG, "database connection failed: %s", c->error);
        db_conn_close(c);
        return r;
    }
    *ret_conn = c;
    return 0;
}

void db_conn_close(struct db_conn *c)
{
    if (!c)
        return;
    if (c->pg)
        PQfinish(c->pg);
    free(c->conninfo);
    free(c);
}

int db_conn_reset(struct db_conn *c)
{
    return conn_connect(c);
}

PGconn *db_pg(struct db_conn *c)
{
    return c->pg;
}

const char *db_error(struct db_conn *c)
{
    return c->error;
}

const char *db_sqlstate(struct db_conn *c)
{
    return c->sqlstate;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

/* Returns the slot of h in the table: where it is, or the empty slot where it would go. */
static int prepared_slot(const struct db_conn *c, uint64_t h)
{
    int i = (int)(h % PREPARED_SLOTS);

    while (c->prepared[i] && c->prepared[i] != h)
        i = (i + 1) % PREPARED_SLOTS;
    return i;
}

/* Turns a finished PGresult into 0 or a negative errno, recording the failure. */
static int result_status(struct db_conn *c, PGresult *res)
{
    ExecStatusType st;

    if (!res) {
        set_error(c, PQstatus(c->pg) == CONNECTION_BAD ? "08006" : "", PQerrorMessage(c->pg));
        return PQstatus(c->pg) == CONNECTION_BAD ? -ENOTCONN : -ENOMEM;
    }
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
        return 0;
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        set_error(c, "08006", PQerrorMessage(c->pg));
        return -ENOTCONN;
    }
    set_error(c, PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
    return db_sqlstate_errno(c->sqlstate);
}

static int query_once(struct db_conn *c, PGresult **ret_res, const char *sql, int nparams,
                      const char *const *values, const int *lengths, const int *formats)
{
    uint64_t h = fnv1a(sql);
    int slot = prepared_slot(c, h);
    char name[24];
    PGresult *res;
    int r;

    snprintf(name, sizeof(name), "g%016llx", (unsigned long long)h);
    if (c->prepared[slot] != h) {
        res = PQprepare(c->pg, name, sql, nparams, NULL);
        r = result_status(c, res);
        PQclear(res);
        if (r < 0)
            return r;
        if (c->n_prepared < PREPARED_SLOTS - 1) {
            c->prepared[slot] = h;
            c->n_prepared++;
        } else {
            /* Table full: deallocate so the server-side set stays bounded too. */
            char dealloc[48];
            snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
            PQclear(PQexec(c->pg, dealloc));
            res = PQexecParams(c->pg, sql, nparams, NULL, values, lengths, formats, 0);
            goto done;
        }
    }
    res = PQexecPrepared(c->pg, name, nparams, values, lengths, formats, 0);
done:
    r = result_status(c, res);
    if (r < 0 || !ret_res)
        PQclear(res);
    else
        *ret_res = res;
    return r;
}

int db_query_bin(struct db_conn *c, PGresult **ret_res, const char *sql, int nparams,
                 const char *const *values, const int *lengths, const int *formats)
{
    PGTransactionStatusType ts;
    int r;

    if (ret_res)
        *ret_res = NULL;
    set_error(c, "", "");
    ts = PQtransactionStatus(c->pg);
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        if (ts != PQTRANS_IDLE && ts != PQTRANS_UNKNOWN)
            return -ENOTCONN;
        r = conn_connect(c);
        if (r < 0)
            return r;
        ts = PQTRANS_IDLE;
    }
    r = query_once(c, ret_res, sql, nparams, values, lengths, formats);
    if (r == -ENOTCONN && ts == PQTRANS_IDLE) {
        /* The server went away between queries: reconnect and try once more. */
        log_msg(LOG_DEBUG, "database connection lost, reconnecting");
        if (conn_connect(c) == 0)
            r = query_once(c, ret_res, sql, nparams, values, lengths, formats);
    }
    return r;
}

int db_query(struct db_conn *c, PGresult **ret_res, const char *sql, int nparams,
             const char *const *values)
{
    return db_query_bin(c, ret_res, sql, nparams, values, NULL, NULL);
}

int db_exec_script(struct db_conn *c, const char *sql)
{
    PGresult *res;
    int r;

    set_error(c, "", "");
    if (PQstatus(c->pg) == CONNECTION_BAD && PQtransactionStatus(c->pg) != PQTRANS_INTRANS) {
        r = conn_connect(c);
        if (r < 0)
            return r;
    }
    res = PQexec(c->pg, sql);
    r = result_status(c, res);
    PQclear(res);
    return r;
}

int db_begin(struct db_conn *c, const char *mode)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "BEGIN%s%s", mode ? " " : "", mode ? mode : "");
    return db_exec_script(c, sql);
}

int db_commit(struct db_conn *c)
{
    return db_exec_script(c, "COMMIT");
}

void db_rollback(struct db_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

int db_wait_notify(struct db_conn *c, int timeout_ms, char *ret_channel, size_t channel_size,
                   char *ret_payload, size_t payload_size)
{
    PGnotify *n;
    struct pollfd pfd;
    int r;

    for (int round = 0; round < 2; round++) {
        if (!PQconsumeInput(c->pg)) {
            set_error(c, "08006", PQerrorMessage(c->pg));
            return -ENOTCONN;
        }
        n = PQnotifies(c->pg);
        if (n) {
            if (ret_channel)
                snprintf(ret_channel, channel_size, "%s", n->relname);
            if (ret_payload)
                snprintf(ret_payload, payload_size, "%s", n->extra);
            PQfreemem(n);
            return 1;
        }
        if (round == 1)
            break;
        pfd = (struct pollfd){.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0)
            return -ENOTCONN;
        do
            r = poll(&pfd, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return -errno;
        if (r == 0)
            return 0;
    }
    return 0;
}

int64_t db_int64(const PGresult *res, int row, int col)
{
    const char *v;

    if (PQgetisnull(res, row, col))
        return 0;
    v = PQgetvalue(res, row, col);
    if (v[0] == 't' && v[1] == '\0')
        return 1; /* boolean true */
    return strtoll(v, NULL, 10);
}

int db_isnull(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col);
}

/* --- the pool --- */

int db_pool_new(const char *conninfo, int size, struct db_pool **ret_pool)
{
    struct db_pool *p;
    struct db_conn *first = NULL;
    int r;

    if (size < 1)
        return -EINVAL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->idle = calloc((size_t)size, sizeof(*p->idle));
    p->conninfo = strdup(conninfo);
    if (!p->idle || !p->conninfo) {
        r = -ENOMEM;
        goto fail;
    }
    p->size = size;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    r = db_conn_open(conninfo, &first);
    if (r < 0)
        goto fail_locks;
    p->idle[p->n_idle++] = first;
    p->n_open = 1;
    *ret_pool = p;
    return 0;
fail_locks:
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
fail:
    free(p->idle);
    free(p->conninfo);
    free(p);
    return r;
}

void db_pool_free(struct db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_idle; i++)
        db_conn_close(p->idle[i]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p->conninfo);
    free(p);
}

int db_acquire(struct db_pool *p, struct db_conn **ret_conn)
{
    struct db_conn *c = NULL;
    int r;

    pthread_mutex_lock(&p->lock);
    while (p->n_idle == 0 && p->n_open >= p->size)
        pthread_cond_wait(&p->freed, &p->lock);
    if (p->n_idle > 0) {
        c = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->lock);
        if (PQstatus(c->pg) != CONNECTION_OK && conn_connect(c) < 0) {
            log_msg(LOG_DEBUG, "database reconnect failed: %s", c->error);
            db_release(p, c);
            return -ENOTCONN;
        }
        *ret_conn = c;
        return 0;
    }
    p->n_open++; /* reserve the place, connect outside the lock */
    pthread_mutex_unlock(&p->lock);
    r = db_conn_open(p->conninfo, &c);
    if (r < 0) {
        pthread_mutex_lock(&p->lock);
        p->n_open--;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
        return r;
    }
    *ret_conn = c;
    return 0;
}

void db_release(struct db_pool *p, struct db_conn *c)
{
    if (!c)
        return;
    db_rollback(c);
    pthread_mutex_lock(&p->lock);
    p->idle[p->n_idle++] = c;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}
