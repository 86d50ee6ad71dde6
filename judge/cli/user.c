/*
 * user.c: `gavel user create USERNAME [--role ROLE] [--display-name NAME] [--password-stdin]
 *          [--if-missing]`.
 *
 * The password is read from GAVEL_PASSWORD, or from the first line of stdin with
 * --password-stdin; when neither is given a random one is generated and printed once.
 * --if-missing makes an existing account a success (so `./gavel.sh run` can call it each time).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/accounts.h"
#include "judge/cli/cli.h"

static void random_password(char *out, size_t size)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    for (size_t i = 0; i + 1 < size; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[size - 1] = '\0';
}

int cli_user(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *username = NULL, *role = "student", *display = "";
    int from_stdin = 0, if_missing = 0, generated = 0, r;
    char password[DB_PASSWORD_MAX + 2] = "";
    int64_t id = 0;

    if (argc < 2)
        return cli_usage("user", "missing subcommand");
    if (strcmp(argv[1], "create") != 0)
        return cli_usage("user", "unknown subcommand %s", argv[1]);
    if (argc < 3 || argv[2][0] == '-')
        return cli_usage("user", "missing USERNAME");
    username = argv[2];
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--role") || !strcmp(argv[i], "--display-name")) {
            if (i + 1 >= argc)
                return cli_usage("user", "%s needs a value", argv[i]);
            if (!strcmp(argv[i], "--role"))
                role = argv[++i];
            else
                display = argv[++i];
        } else if (!strcmp(argv[i], "--password-stdin")) {
            from_stdin = 1;
        } else if (!strcmp(argv[i], "--if-missing")) {
            if_missing = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("user", "unknown option %s", argv[i]);
        } else {
            return cli_usage("user", "unexpected argument %s", argv[i]);
        }
    }
    if (db_username_valid(username) < 0)
        return cli_usage("user", "invalid username %s: 1 to 32 of A-Z a-z 0-9 _ . -", username);
    if (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin"))
        return cli_usage("user", "invalid role %s: student, instructor or admin", role);
    if (sodium_init() < 0)
        return 1;
    if (from_stdin) {
        if (!fgets(password, sizeof(password), stdin)) {
            fprintf(stderr, "gavel user: no password on stdin\n");
            return 2;
        }
        password[strcspn(password, "\r\n")] = '\0';
    } else if (getenv("GAVEL_PASSWORD") && *getenv("GAVEL_PASSWORD")) {
        snprintf(password, sizeof(password), "%s", getenv("GAVEL_PASSWORD"));
    } else {
        random_password(password, 21);
        generated = 1;
    }
    r = db_user_create(ctx->conn, username, password, display, role, &id);
    if (r == -EEXIST && if_missing) {
        r = 0;
        generated = 0;
        printf("user %s already exists\n", username);
    } else if (r == -EEXIST) {
        fprintf(stderr, "gavel user: %s already exists\n", username);
    } else if (r == -EINVAL) {
        fprintf(stderr, "gavel user: a password has %d to %d characters\n", DB_PASSWORD_MIN,
                DB_PASSWORD_MAX);
    } else if (r < 0) {
        fprintf(stderr, "gavel user: %s\n", db_error(ctx->conn));
    } else if (generated) {
        printf("created %s %s (id %lld) with password: %s\n", role, username, (long long)id,
               password);
    } else {
        printf("created %s %s (id %lld)\n", role, username, (long long)id);
    }
    sodium_memzero(password, sizeof(password));
    return r < 0 ? 1 : 0;
}
