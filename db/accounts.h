/*
 * accounts.h: creating users and checking passwords, shared by gavel-api and the gavel CLI.
 *
 * Passwords are hashed with argon2id (libsodium's crypto_pwhash_str, interactive limits) and
 * only the hash is stored. Callers own the plaintext and should sodium_memzero it afterwards.
 */
#ifndef GAVEL_DB_ACCOUNTS_H
#define GAVEL_DB_ACCOUNTS_H

#include <stdint.h>

#include "db/db.h"

#define DB_PASSWORD_MIN 8
#define DB_PASSWORD_MAX 128

/* Checks a username against the schema's rule: 1-32 of [A-Za-z0-9_.-]. 0 or -EINVAL. */
int db_username_valid(const char *username) DB_WUR;

/* Hashes a password (DB_PASSWORD_MIN..MAX bytes, else -EINVAL) into ret_hash, which must hold
 * crypto_pwhash_STRBYTES (128) bytes. -ENOMEM if the hashing memory could not be had. */
int db_password_hash(const char *password, char *ret_hash, size_t hash_size) DB_WUR;

/* 1 if password matches the stored hash, 0 if not. Constant time in the password. */
int db_password_check(const char *hash, const char *password);

/* Creates a user. role is "student", "instructor" or "admin". Returns 0 and the new id, or
 * -EEXIST (the username is taken), -EINVAL (bad username, password or role), -ENOTCONN. */
int db_user_create(struct db_conn *conn, const char *username, const char *password,
                   const char *display_name, const char *role, int64_t *ret_id) DB_WUR;

/* The staff of a problem or contest. */
enum db_staff_of {
    DB_STAFF_PROBLEM, /* problem_staff */
    DB_STAFF_CONTEST, /* contest_staff */
};

/* Makes the staff of problem or contest `id` exactly these usernames (any letter case), inside
 * the caller's transaction. Each must name an instructor or an admin. Returns 0, or -EINVAL
 * with *ret_bad the index of the first name refused and *ret_message (static) why. */
int db_staff_set(struct db_conn *conn, enum db_staff_of of, int64_t id,
                 const char *const *usernames, size_t n, size_t *ret_bad,
                 const char **ret_message) DB_WUR;

/* Creates a user whose password was hashed already (db_password_hash), as db_user_create does:
 * for callers that hash elsewhere (gavel-api's hashing line). */
int db_user_insert(struct db_conn *conn, const char *username, const char *password_hash,
                   const char *display_name, const char *role, int64_t *ret_id) DB_WUR;

#endif
