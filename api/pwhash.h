/*
 * pwhash.h: the waiting line for password hashing (argon2id), so that a class signing in at
 * once is served in turn instead of refused.
 *
 * A hash costs ~0.1 s of a core and 64 MiB (db/accounts.h), so a few threads of their own do
 * the hashing (GAVEL_PWHASH_THREADS, the number of cores), never the HTTP workers. A login or a
 * registration queues its job and its connection is suspended: waiting costs neither a thread
 * nor a database connection, and every other request goes on being served. When its hash is
 * done the connection is resumed and the handler runs again from the start, finding the result
 * in its request.
 *
 * The line is bounded by time, not length: a job is refused at once (503, Retry-After) only
 * when its expected wait, the jobs ahead of it times the measured cost of one hash divided by
 * the threads, would pass GAVEL_PWHASH_WAIT_MS (30 s by default). With 2 threads and ~0.17 s
 * a hash, that is some 350 logins in line; a class of 100 waits 10 s at most.
 *
 * Handlers use api_password_verify and api_password_hash (http.h style returns): 0 done,
 * -EINPROGRESS parked (return it at once), or an error already answered.
 */
#ifndef GAVEL_API_PWHASH_H
#define GAVEL_API_PWHASH_H

#include <stddef.h>
#include <stdint.h>

struct api_req;
struct api_pwhash;

/* One request's hashing job; lives in its request (struct api_req's pwjob). */
struct api_pwjob {
    struct api_pwjob *next; /* private to pwhash.c, as is everything below */
    int op;                 /* 1 verify, 2 hash, 3 change (verify the current, hash the new) */
    int state;              /* 0 none, 1 in line, 2 done */
    int result;             /* verify: 1 match, 0 not; hash: 0 or a negative errno */
    void *conn;             /* struct MHD_Connection *, suspended while in line */
    char password[132];     /* a copy (DB_PASSWORD_MAX bytes at most), wiped once hashed */
    char current[132];      /* change: the current password, likewise */
    char hash[128];         /* verify: the stored hash; hash: the new one */
};

/* Starts `threads` hashing threads; jobs whose expected wait passes wait_ms are refused.
 * cost_ms: a first estimate of one hash (measured at start), refined as hashes are made. */
int api_pwhash_new(int threads, int64_t wait_ms, double cost_ms, struct api_pwhash **ret);
/* Answers every job still in line as refused (their handlers answer 503) and resumes them;
 * queues no more. Call before stopping the HTTP daemon, which needs no suspended connection. */
void api_pwhash_shutdown(struct api_pwhash *p);
/* Stops the threads and frees. Accepts NULL. */
void api_pwhash_free(struct api_pwhash *p);

/* Checks password against hash off the HTTP thread: 0 with *ret_ok (1 match), -EINPROGRESS
 * (parked), or -EAGAIN answered as 503 with Retry-After when the line is too long. */
int api_password_verify(struct api_req *req, const char *hash, const char *password, int *ret_ok)
    __attribute__((warn_unused_result));

/* Hashes password into ret_hash (128 bytes) off the HTTP thread: 0, -EINPROGRESS, -EAGAIN as
 * above, or -EINVAL / -ENOMEM from db_password_hash. */
int api_password_hash(struct api_req *req, const char *password, char *ret_hash, size_t size)
    __attribute__((warn_unused_result));

/* A password change: checks current against hash, and only when it matches hashes
 * new_password into ret_hash (128 bytes), in one place in line: 0 with *ret_ok (1 matched and
 * ret_hash made, 0 the current password is wrong), -EINPROGRESS, -EAGAIN as above, or -EINVAL /
 * -ENOMEM from db_password_hash. */
int api_password_change(struct api_req *req, const char *hash, const char *current,
                        const char *new_password, char *ret_hash, size_t size, int *ret_ok)
    __attribute__((warn_unused_result));

#endif
