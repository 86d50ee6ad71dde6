/*
 * harness.h: Gavel's tiny test harness. One test program per module, run by ctest.
 *
 *     #include "tests/harness.h"
 *
 *     TEST(parses_empty) { CHECK(parse("") == -EINVAL); }
 *     TEST(needs_root)   { if (geteuid() != 0) SKIP("needs root"); ... }
 *
 *     int main(int argc, char **argv) { return harness_main(argc, argv); }
 *
 * CHECK failures print file:line and the expression and mark the test failed (the test goes
 * on); REQUIRE returns from the test at once. A program whose tests all skipped exits 77,
 * which ctest reports as skipped (SKIP_RETURN_CODE 77). `prog NAME...` runs only those tests.
 * The last line is "N passed, N failed, N skipped", the form CI reads.
 */
#ifndef GAVEL_TESTS_HARNESS_H
#define GAVEL_TESTS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_test {
    const char *name;
    void (*fn)(void);
};

#define HARNESS_MAX 512
static struct harness_test harness_tests[HARNESS_MAX];
static int harness_count;
static int harness_failed_now;
static int harness_skipped_now;

static void harness_register(const char *name, void (*fn)(void))
{
    if (harness_count < HARNESS_MAX)
        harness_tests[harness_count++] = (struct harness_test){name, fn};
}

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        harness_register(#name, test_##name);                                                      \
    }                                                                                              \
    static void test_##name(void)

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);               \
            harness_failed_now = 1;                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__,  \
                    #a, #b, check_a_, check_b_);                                                   \
            harness_failed_now = 1;                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__,        \
                    __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",                              \
                    check_b_ ? check_b_ : "(null)");                                               \
            harness_failed_now = 1;                                                                \
        }                                                                                          \
    } while (0)

#define REQUIRE(expr)                                                                              \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #expr);             \
            harness_failed_now = 1;                                                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define SKIP(why)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "skipped: %s\n", why);                                                     \
        harness_skipped_now = 1;                                                                   \
        return;                                                                                    \
    } while (0)

/* Tests named on the command line, else in HARNESS_TESTS (space-separated: for a program that
 * ctest starts), else all. */
static int harness_selected(int argc, char **argv, const char *name)
{
    const char *env = getenv("HARNESS_TESTS");
    size_t n = strlen(name);

    if (argc < 2 && env && *env) {
        for (const char *p = env; (p = strstr(p, name)); p += n)
            if ((p == env || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
                return 1;
        return 0;
    }
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

static inline int harness_main(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < harness_count; i++) {
        if (!harness_selected(argc, argv, harness_tests[i].name))
            continue;
        harness_failed_now = harness_skipped_now = 0;
        harness_tests[i].fn();
        if (harness_failed_now) {
            failed++;
            printf("FAIL %s\n", harness_tests[i].name);
        } else if (harness_skipped_now) {
            skipped++;
            printf("SKIP %s\n", harness_tests[i].name);
        } else {
            passed++;
            printf("ok   %s\n", harness_tests[i].name);
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (failed)
        return 1;
    return (passed == 0 && skipped > 0) ? 77 : 0;
}

#endif
