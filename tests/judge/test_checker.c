/*
 * test_checker.c: the built-in checkers, scoring, templates and the Java file name (label unit).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "judge/checker.h"
#include "judge/lang.h"
#include "judge/score.h"
#include "common/utf8.h"
#include "tests/harness.h"

static int exact(const char *out, const char *ans)
{
    struct judge_verdict v;
    judge_check_exact(out, strlen(out), ans, strlen(ans), &v);
    return v.accepted;
}

static int tokens_n(const char *out, size_t on, const char *ans, size_t an)
{
    struct judge_verdict v;
    judge_check_tokens(out, on, ans, an, NULL, &v);
    return v.accepted;
}

static int tokens(const char *out, const char *ans)
{
    return tokens_n(out, strlen(out), ans, strlen(ans));
}

static int fl(const char *out, const char *ans, double a, double r)
{
    struct judge_check_opts o = JUDGE_CHECK_OPTS_DEFAULT;
    struct judge_verdict v;
    o.abs_eps = a;
    o.rel_eps = r;
    judge_check_float(out, strlen(out), ans, strlen(ans), &o, &v);
    return v.accepted;
}

/* Tokens (or float with the default tolerances) under Kattis-style flags. */
static int kt(int numeric, int case_sensitive, int space_sensitive, const char *out,
              const char *ans, struct judge_verdict *v)
{
    struct judge_check_opts o = JUDGE_CHECK_OPTS_DEFAULT;
    o.case_sensitive = case_sensitive;
    o.space_change_sensitive = space_sensitive;
    if (numeric)
        judge_check_float(out, strlen(out), ans, strlen(ans), &o, v);
    else
        judge_check_tokens(out, strlen(out), ans, strlen(ans), &o, v);
    return v->accepted;
}

static int tk(int case_sensitive, int space_sensitive, const char *out, const char *ans)
{
    struct judge_verdict v;
    return kt(0, case_sensitive, space_sensitive, out, ans, &v);
}

TEST(exact_final_newline_and_crlf)
{
    CHECK(exact("1 2\n", "1 2\n"));
    CHECK(exact("1 2", "1 2\n"));     /* missing final newline */
    CHECK(exact("1 2\n\n", "1 2\n")); /* extra final newline */
    CHECK(exact("1 2\r\n3\r\n", "1 2\n3\n"));
    CHECK(exact("", ""));
    CHECK(exact("\n", ""));
    CHECK(!exact("1 2 \n", "1 2\n")); /* trailing space matters */
    CHECK(!exact("1  2\n", "1 2\n"));
    CHECK(!exact("1 2\n3\n", "1 2\n"));
    CHECK(!exact("1 2\n", "1 2\n3\n"));
    CHECK(!exact("\n1 2\n", "1 2\n")); /* a leading blank line matters */
    CHECK(!exact("A\n", "a\n"));
}

TEST(exact_nul_bytes)
{
    struct judge_verdict v;
    judge_check_exact("a\0b\n", 4, "a\0b\n", 4, &v);
    CHECK(v.accepted);
    judge_check_exact("a\0c\n", 4, "a\0b\n", 4, &v);
    CHECK(!v.accepted);
    CHECK(strstr(v.message, "line 1") != NULL);
}

TEST(tokens_whitespace_insensitive_case_sensitive)
{
    CHECK(tokens("1 2\n", "1 2\n"));
    CHECK(tokens("1   2   \n\n\n", "1 2"));
    CHECK(tokens("1\t2\r\n", "1 2\n"));
    CHECK(tokens("  1\n2", "1 2\n"));
    CHECK(tokens("", "\n \n"));
    CHECK(!tokens("Yes\n", "YES\n"));
    CHECK(!tokens("1 2 3\n", "1 2\n"));
    CHECK(!tokens("1\n", "1 2\n"));
    CHECK(!tokens("12\n", "1 2\n"));
    CHECK(!tokens("1.0\n", "1\n")); /* tokens compare as bytes */
}

TEST(tokens_nul_is_not_whitespace)
{
    CHECK(tokens_n("1\0002", 3, "1\0002", 3));
    CHECK(!tokens_n("1\0002", 3, "1 2", 3));
    CHECK(!tokens_n("1 2\0", 4, "1 2", 3));
}

TEST(tokens_message_is_printable)
{
    struct judge_verdict v;
    judge_check_tokens("a\001'b", 4, "x", 1, NULL, &v);
    CHECK(!v.accepted);
    for (const char *p = v.message; *p; p++)
        CHECK(*p >= 0x20 && *p < 0x7f);
    judge_check_tokens("1 2", 3, "1 3", 3, NULL, &v);
    CHECK_STR(v.message, "token 2: expected '3', found '2'");
}

TEST(float_tolerances)
{
    CHECK(fl("0.3333334\n", "0.3333333\n", -1, -1)); /* 1e-7 off: default 1e-6 */
    CHECK(fl("1.0000001", "1", -1, -1));
    CHECK(!fl("1.00001", "1", -1, -1));          /* 1e-5 off */
    CHECK(fl("1000001", "1000000", 1e-9, 1e-6)); /* relative */
    CHECK(!fl("1000001", "1000000", 1e-9, 1e-7));
    CHECK(fl("1e-7", "0", 1e-6, 0)); /* exponent */
    CHECK(fl("1E3", "1000.0000001", -1, -1));
    CHECK(fl("-0", "0", 0, 0));
    CHECK(fl("0x10", "16", 0, 0)); /* strtod syntax */
    CHECK(!fl("2", "1", 0.5, 0.5));
    CHECK(fl("1.5 abc 2", "1.5000001 abc 2", -1, -1)); /* non-numbers compare exactly */
    CHECK(!fl("1.5 abd 2", "1.5 abc 2", -1, -1));
    CHECK(!fl("abc", "1", -1, -1));
    CHECK(!fl("1", "abc", -1, -1));
    CHECK(!fl("1 2", "1", -1, -1));
}

TEST(tokens_case_insensitive)
{
    CHECK(tk(0, 0, "yes\n", "YES\n"));
    CHECK(tk(0, 0, "Hello wORLD", "hello World\n"));
    CHECK(tk(0, 0, "[A-Z]@`{", "[a-z]@`{")); /* only letters fold: @ [ ` { stay */
    CHECK(!tk(0, 0, "`", "@"));
    CHECK(!tk(0, 0, "[", "{"));
    CHECK(!tk(0, 0, "\xc3\x89", "\xc3\xa9")); /* non-ASCII bytes compare exactly */
    CHECK(!tk(0, 0, "yes no", "YES"));
    CHECK(!tk(0, 0, "yess", "YES"));
    CHECK(!tk(1, 0, "yes", "YES")); /* case_sensitive */
    CHECK(tk(1, 0, "YES", "YES"));
}

TEST(tokens_space_change_sensitive)
{
    struct judge_verdict v;
    CHECK(tk(1, 1, "1 2\n3\n", "1 2\n3\n"));
    CHECK(tk(1, 1, "1 2\n3", "1 2\n3\n"));       /* missing final newline */
    CHECK(tk(1, 1, "1 2\n3\n\n", "1 2\n3\n"));   /* extra final newlines */
    CHECK(tk(1, 1, "1 2\r\n3\r\n", "1 2\n3\n")); /* CRLF reads as LF */
    CHECK(tk(1, 1, "", ""));
    CHECK(tk(1, 1, "\n", ""));
    CHECK(tk(1, 1, "a\t b", "a\t b"));
    CHECK(!tk(1, 1, "1  2\n3\n", "1 2\n3\n")); /* more spaces */
    CHECK(!tk(1, 1, "1 2 3\n", "1 2\n3\n"));   /* space for newline */
    CHECK(!tk(1, 1, "1\t2\n3\n", "1 2\n3\n"));
    CHECK(!tk(1, 1, " 1 2\n3\n", "1 2\n3\n"));  /* leading */
    CHECK(!tk(1, 1, "1 2\n3 \n", "1 2\n3\n"));  /* trailing space */
    CHECK(!tk(1, 1, "1 2\n\n3\n", "1 2\n3\n")); /* a blank line inside */
    CHECK(!tk(1, 1, "1 2\n3\n", "1 2\n 3\n"));
    CHECK(!tk(1, 1, " ", ""));
    CHECK(!tk(1, 1, "1 2\n3\n", "1 2\n4\n")); /* tokens still matter */
    /* the same outputs pass when whitespace is not watched */
    CHECK(tk(1, 0, "1  2\n3\n", "1 2\n3\n"));
    CHECK(tk(1, 0, " 1\t2 3 \n", "1 2\n3\n"));
    /* case-insensitive but space-sensitive */
    CHECK(tk(0, 1, "hello  WORLD", "Hello World\n") == 0);
    CHECK(tk(0, 1, "HELLO WORLD", "Hello World\n"));
    CHECK(!kt(0, 1, 1, "1  2\n", "1 2\n", &v));
    CHECK_STR(v.message, "token 2: expected whitespace ' ' before it, found '  '");
    CHECK(!kt(0, 1, 1, "1\t2\r\n \n", "1\n2\n", &v));
    CHECK_STR(v.message, "token 2: expected whitespace '\\n' before it, found '\\t'");
    CHECK(!kt(0, 1, 1, "1 2 \n", "1 2\n", &v));
    CHECK_STR(v.message, "end: expected whitespace '' after the last token, found ' '");
    CHECK(!kt(0, 1, 1, "1 2", "1 2 3", &v));
    CHECK_STR(v.message, "token 3: output ends early, expected '3'");
}

TEST(float_zero_tolerance_is_off)
{
    /* 0 turns a criterion off: the other one decides */
    CHECK(fl("1.5", "1", 0.5, 0));
    CHECK(!fl("1.5000001", "1", 0.5, 0));
    CHECK(!fl("1000.5", "1000", 0, 1e-4)); /* 0.5 > 1e-4 * 1000 */
    CHECK(fl("1000.05", "1000", 0, 1e-4));
    CHECK(!fl("1e-300", "0", 0, 1e-6)); /* relative to 0 is exact */
    CHECK(fl("1e-7", "0", 1e-6, 0));
    CHECK(!fl("2e-6", "0", 1e-6, 0));
    CHECK(!fl("1.0000001", "1", 0, 0)); /* both off: equal values only */
    CHECK(fl("1.0", "1", 0, 0));
    CHECK(fl("1e0", "1", 0, 0));
    CHECK(fl("1.0000001", "1", -1, 0)); /* negative is still the default 1e-6 */
    CHECK(!fl("1.00001", "1", 0, -1));
}

TEST(float_case_flags_on_words)
{
    struct judge_verdict v;
    CHECK(kt(1, 0, 0, "YES 1.0000001", "yes 1", &v));
    CHECK(!kt(1, 1, 0, "YES 1.0000001", "yes 1", &v));
    CHECK(kt(1, 1, 0, "1E5 NaN INF", "1e5 nan inf", &v)); /* numbers compare by value */
    CHECK(!kt(1, 0, 0, "1.1", "1", &v));                  /* a number is no word */
    CHECK(!kt(1, 0, 0, "abc", "1", &v));
    CHECK(kt(1, 0, 1, "Answer: 2.0000001\n", "answer: 2\n", &v));
    CHECK(!kt(1, 0, 1, "Answer:  2\n", "answer: 2\n", &v));
}

TEST(checker_params)
{
    struct judge_checker_params p;
    static const char kattis_default[] = "{\"abs\":0,\"rel\":0.0001,\"case_sensitive\":false,"
                                         "\"space_change_sensitive\":true}";
    REQUIRE(judge_checker_params_parse(NULL, 0, &p) == 0);
    CHECK_INT(p.opts.case_sensitive, 1);
    CHECK_INT(p.opts.space_change_sensitive, 0);
    CHECK(p.opts.abs_eps < 0 && p.opts.rel_eps < 0);
    CHECK_INT(p.kattis, 0);
    REQUIRE(judge_checker_params_parse("{}", 2, &p) == 0);
    CHECK_INT(p.opts.case_sensitive, 1);
    REQUIRE(judge_checker_params_parse(kattis_default, sizeof(kattis_default) - 1, &p) == 0);
    CHECK_INT(p.opts.case_sensitive, 0);
    CHECK_INT(p.opts.space_change_sensitive, 1);
    CHECK(p.opts.abs_eps == 0 && p.opts.rel_eps == 1e-4);
    REQUIRE(judge_checker_params_parse("{\"abs\": \"1e-3\"}", 15, &p) == 0);
    CHECK(p.opts.abs_eps == 1e-3);
    /* the flags of a Kattis validator, in order */
    static const char custom[] = "{\"protocol\":\"kattis\",\"flags\":[\"lenient\",\"x=1\"]}";
    REQUIRE(judge_checker_params_parse(custom, sizeof(custom) - 1, &p) == 0);
    CHECK_INT(p.kattis, 1);
    REQUIRE(p.n_flags == 2);
    CHECK_STR(p.flags[0], "lenient");
    CHECK_STR(p.flags[1], "x=1");
    /* flags mean nothing to testlib checkers */
    static const char testlib[] = "{\"protocol\":\"testlib\",\"flags\":7}";
    REQUIRE(judge_checker_params_parse(testlib, sizeof(testlib) - 1, &p) == 0);
    CHECK_INT(p.kattis, 0);
    CHECK(p.n_flags == 0);
    /* wrong types */
    static const char *const bad[] = {
        "[]",
        "{",
        "{\"abs\": true}",
        "{\"rel\": \"x\"}",
        "{\"case_sensitive\": \"false\"}",
        "{\"space_change_sensitive\": 1}",
        "{\"protocol\": 42}",
        "{\"protocol\": \"kattis\", \"flags\": \"a b\"}",
        "{\"protocol\": \"kattis\", \"flags\": [\"a\", 2]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT(judge_checker_params_parse(bad[i], strlen(bad[i]), &p), -EINVAL);
    CHECK_INT(judge_checker_params_parse("{}\0{", 4, &p), -EINVAL);
}

TEST(checker_params_flag_caps)
{
    struct judge_checker_params p;
    char json[8192];
    size_t k = 0;

    /* exactly the caps: accepted whole */
    k += (size_t)snprintf(json + k, sizeof(json) - k, "{\"protocol\":\"kattis\",\"flags\":[");
    for (int i = 0; i < JUDGE_CHECK_MAX_FLAGS; i++)
        k += (size_t)snprintf(json + k, sizeof(json) - k, "%s\"%0*d\"", i ? "," : "",
                              JUDGE_CHECK_MAX_FLAG_LEN, i);
    k += (size_t)snprintf(json + k, sizeof(json) - k, "]}");
    REQUIRE(k < sizeof(json));
    REQUIRE(judge_checker_params_parse(json, k, &p) == 0);
    CHECK(p.n_flags == JUDGE_CHECK_MAX_FLAGS);
    CHECK(strlen(p.flags[JUDGE_CHECK_MAX_FLAGS - 1]) == JUDGE_CHECK_MAX_FLAG_LEN);
    /* one flag too many */
    k = 0;
    k += (size_t)snprintf(json + k, sizeof(json) - k, "{\"protocol\":\"kattis\",\"flags\":[");
    for (int i = 0; i <= JUDGE_CHECK_MAX_FLAGS; i++)
        k += (size_t)snprintf(json + k, sizeof(json) - k, "%s\"f\"", i ? "," : "");
    k += (size_t)snprintf(json + k, sizeof(json) - k, "]}");
    CHECK_INT(judge_checker_params_parse(json, k, &p), -E2BIG);
    /* one byte too long */
    k = (size_t)snprintf(json, sizeof(json), "{\"protocol\":\"kattis\",\"flags\":[\"%0*d\"]}",
                         JUDGE_CHECK_MAX_FLAG_LEN + 1, 0);
    CHECK_INT(judge_checker_params_parse(json, k, &p), -E2BIG);
}

TEST(float_nan_and_inf)
{
    CHECK(fl("nan", "nan", -1, -1));
    CHECK(fl("NaN", "nan", -1, -1));
    CHECK(!fl("nan", "1", -1, -1));
    CHECK(!fl("1", "nan", -1, -1));
    CHECK(fl("inf", "inf", -1, -1));
    CHECK(fl("Infinity", "inf", -1, -1));
    CHECK(!fl("-inf", "inf", -1, -1));
    CHECK(!fl("inf", "1e308", -1, 1)); /* huge tolerance is no excuse */
    CHECK(!fl("1e308", "inf", -1, 1));
    CHECK(fl("1e400", "inf", -1, -1)); /* overflows to inf */
}

TEST(checker_kind_names)
{
    CHECK_INT(judge_checker_kind_parse("exact"), JUDGE_CHECK_EXACT);
    CHECK_INT(judge_checker_kind_parse("tokens"), JUDGE_CHECK_TOKENS);
    CHECK_INT(judge_checker_kind_parse("float"), JUDGE_CHECK_FLOAT);
    CHECK_INT(judge_checker_kind_parse("custom"), JUDGE_CHECK_CUSTOM);
    CHECK(judge_checker_kind_parse("Exact") < 0);
    CHECK(judge_checker_kind_parse(NULL) < 0);
}

/* A custom checker's exit code, by protocol; pts is the points given out of 10. */
static enum judge_code cexit(int kattis, int code, const char *text, int *pts)
{
    return judge_checker_exit(kattis, code, text, 10, pts);
}

TEST(custom_checker_exit_codes)
{
    int pts = -1;

    CHECK_INT(cexit(0, 0, "ok", &pts), JUDGE_AC);
    CHECK_INT(pts, 10);
    CHECK_INT(cexit(0, 1, "wrong", &pts), JUDGE_WA);
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(0, 2, "presentation", &pts), JUDGE_WA);
    CHECK_INT(cexit(0, 3, "FAIL bad test", &pts), JUDGE_IE);
    CHECK_INT(cexit(0, 4, "", &pts), JUDGE_IE);
    CHECK_INT(cexit(0, -1, NULL, &pts), JUDGE_IE);
    /* Partial: the bare fraction, or testlib's quitp() line "points X message". */
    CHECK_INT(cexit(0, 7, "0.5 off by one", &pts), JUDGE_WA);
    CHECK_INT(pts, 5);
    CHECK_INT(cexit(0, 7, "points 0.3 almost", &pts), JUDGE_WA);
    CHECK_INT(pts, 3);
    CHECK_INT(cexit(0, 7, "  points\t1\n", &pts), JUDGE_WA);
    CHECK_INT(pts, 10);
    CHECK_INT(cexit(0, 7, "points 2", &pts), JUDGE_WA); /* more than all: nothing */
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(0, 7, "pointsless", &pts), JUDGE_WA);
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(0, 7, NULL, &pts), JUDGE_WA);
    CHECK_INT(pts, 0);
    /* Kattis: only 42 and 43 mean anything; a validator that exits 0 or crashed is broken. */
    CHECK_INT(cexit(1, 42, "", &pts), JUDGE_AC);
    CHECK_INT(pts, 10);
    CHECK_INT(cexit(1, 43, "", &pts), JUDGE_WA);
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(1, 0, "", &pts), JUDGE_IE);
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(1, 1, "Traceback", &pts), JUDGE_IE);
    CHECK_INT(cexit(1, 7, "0.5", &pts), JUDGE_IE);
    CHECK_INT(pts, 0);
    CHECK_INT(cexit(1, -1, NULL, &pts), JUDGE_IE);
    /* testlib speaks no Kattis. */
    CHECK_INT(cexit(0, 42, "", &pts), JUDGE_IE);
}

#define T(c, p, g)                                                                                 \
    {                                                                                              \
        0, c, p, (c) == JUDGE_AC ? (p) : 0, g                                                      \
    }

TEST(score_all_pass)
{
    struct judge_test_outcome t[] = {T(JUDGE_AC, 1, NULL), T(JUDGE_AC, 2, "a"),
                                     T(JUDGE_AC, 3, "a")};
    struct judge_score s;
    judge_score_compute(t, 3, &s);
    CHECK_INT(s.verdict, JUDGE_AC);
    CHECK_INT(s.score, 6);
    CHECK_INT(s.max_score, 6);
    CHECK_INT(s.first_failure, -1);
}

TEST(score_groups_all_or_nothing)
{
    struct judge_test_outcome t[] = {
        T(JUDGE_AC, 1, NULL), T(JUDGE_AC, 10, "g1"), T(JUDGE_WA, 10, "g1"),
        T(JUDGE_AC, 5, "g2"), T(JUDGE_TLE, 1, NULL), T(JUDGE_AC, 5, "g2"),
    };
    struct judge_score s;
    judge_score_compute(t, 6, &s);
    CHECK_INT(s.verdict, JUDGE_WA); /* the first failing test's */
    CHECK_INT(s.first_failure, 2);
    CHECK_INT(s.score, 1 + 10); /* g1 lost entirely, g2 whole even if not contiguous */
    CHECK_INT(s.max_score, 32);
    /* What each test shows it earned adds up to the score: g1's AC test earned nothing. */
    int earned[] = {1, 0, 0, 5, 0, 5};
    for (size_t i = 0; i < 6; i++)
        CHECK_INT(judge_score_earned(t, 6, i), earned[i]);
}

TEST(score_partial_and_skipped)
{
    struct judge_test_outcome t[] = {
        {1, JUDGE_WA, 10, 4, NULL}, /* a checker's partial points */
        {2, JUDGE_WA, 10, 4, "g"},  /* partial points do not count in a group */
        {3, JUDGE_MLE, 1, 0, NULL}, {4, JUDGE_SKIPPED, 1, 0, NULL},
        {5, JUDGE_WA, 2, 99, NULL}, /* capped at the test's points */
    };
    struct judge_score s;
    judge_score_compute(t, 5, &s);
    CHECK_INT(s.verdict, JUDGE_WA);
    CHECK_INT(s.score, 4 + 2);
    CHECK_INT(s.max_score, 24);
    CHECK_STR(judge_code_name(JUDGE_SKIPPED), "SKIPPED");
    CHECK_STR(judge_code_name(JUDGE_CE), "CE");
}

TEST(score_skipped_only_is_ac)
{
    struct judge_test_outcome t[] = {T(JUDGE_AC, 1, NULL), T(JUDGE_SKIPPED, 1, NULL)};
    struct judge_score s;
    judge_score_compute(t, 2, &s);
    CHECK_INT(s.verdict, JUDGE_AC);
    CHECK_INT(s.score, 1);
}

TEST(expand_templates)
{
    char *tmpl[] = {"/usr/bin/java", "-Xmx{memory_mb}m", "{name}", "{src}{src}", "{unknown}"};
    char *argv[JUDGE_MAX_ARGS];
    REQUIRE(judge_expand(tmpl, 5,
                         &(struct judge_vars){.src = "Foo.java", .name = "Foo", .memory_mb = 256},
                         argv) == 0);
    CHECK_STR(argv[0], "/usr/bin/java");
    CHECK_STR(argv[1], "-Xmx256m");
    CHECK_STR(argv[2], "Foo");
    CHECK_STR(argv[3], "Foo.javaFoo.java");
    CHECK_STR(argv[4], "{unknown}");
    CHECK(argv[5] == NULL);
    judge_argv_free(argv);
}

static void java_name(const char *src, const char *want)
{
    char got[80];
    judge_java_source_name(src, "Main.java", got, sizeof(got));
    CHECK_STR(got, want);
}

TEST(java_public_class_names_the_file)
{
    java_name("public class Solution { }", "Solution.java");
    java_name("import java.util.*;\nfinal public class A_1$ {}", "A_1$.java");
    java_name("// public class Fake\n/* public class Fake2 */\npublic final class Real {}",
              "Real.java");
    java_name("class Helper {} public class Main2 {}", "Main2.java");
    java_name("String s = \"public class X\"; public class Y {}", "Y.java");
    java_name("class NoPublic {}", "Main.java");
    java_name("public static void x() {}", "Main.java");
    java_name("public record Point(int x) {}", "Point.java");
    java_name("", "Main.java");
}

TEST(java_top_level_types_only)
{
    /* A public type nested in another is not the file's name. */
    java_name("class Helper { public static class Inner { } }\npublic class Solution { }",
              "Solution.java");
    java_name("public class Outer { public class Inner {} }", "Outer.java");
    java_name("class A { public enum E { X } } class B {}", "Main.java");
    /* No public top-level type: the one with main, so that `java Name` finds it. */
    java_name("import java.util.*;\nclass Solution { public static void main(String[] a) {} }",
              "Solution.java");
    java_name("class Pair { int a; }\nclass Sol { static void helper() {}\n"
              "  public static void main(String... a) { new Pair(); } }",
              "Sol.java");
    java_name("class A { class B { public static void main(String[] a) {} } }", "Main.java");
    java_name("class A { void f() { main(); } }", "Main.java");
    /* Braces in strings, characters, comments and text blocks do not count. */
    java_name("class A { String s = \"}\"; char c = '}'; /* } */ // }\n"
              "String t = \"\"\"\n}\n\"\"\"; public class Wrong {} }\npublic class Right {}",
              "Right.java");
}

TEST(expand_files)
{
    char *tmpl[] = {"/usr/bin/gcc", "-o", "main", "{files}", "-lm"};
    const char *const files[] = {"a.c", "lib/b.c", NULL};
    char *argv[JUDGE_MAX_ARGS];
    REQUIRE(judge_expand(tmpl, 5, &(struct judge_vars){.src = "a.c", .files = files}, argv) == 0);
    CHECK_STR(argv[3], "a.c");
    CHECK_STR(argv[4], "lib/b.c");
    CHECK_STR(argv[5], "-lm");
    CHECK(argv[6] == NULL);
    judge_argv_free(argv);
    /* One source: {files} is {src}. */
    REQUIRE(judge_expand(tmpl, 5, &(struct judge_vars){.src = "main.c"}, argv) == 0);
    CHECK_STR(argv[3], "main.c");
    CHECK_STR(argv[4], "-lm");
    judge_argv_free(argv);
    /* More files than arguments fit: refused, never cut. */
    const char *many[JUDGE_MAX_ARGS + 1];
    for (int i = 0; i < JUDGE_MAX_ARGS; i++)
        many[i] = "x.c";
    many[JUDGE_MAX_ARGS] = NULL;
    CHECK(judge_expand(tmpl, 5, &(struct judge_vars){.src = "x.c", .files = many}, argv) == -E2BIG);
}

TEST(source_names)
{
    static const char *const good[] = {"main.c", "com/acme/Main.java", "lib/util.h",
                                       "a.c++",  "A-b_c+d.e.f",        "x/y/z/w.py"};
    static const char *const bad[] = {
        "",   "..",  "../a", "a/../b", "./a",  "a/./b", ".hidden",     "a/.b", "/abs", "a//b",
        "a/", "a b", "a\\b", "a:b",    "a\tb", "a\nb",  "\xc3\xa9.py", "a*b",  "~/a"};
    char longest[SOURCE_NAME_MAX + 2];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        CHECK(source_name_check(good[i]) == NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(source_name_check(bad[i]) != NULL);
    memset(longest, 'x', SOURCE_NAME_MAX);
    longest[SOURCE_NAME_MAX] = '\0';
    CHECK(source_name_check(longest) == NULL);
    longest[SOURCE_NAME_MAX] = 'x';
    longest[SOURCE_NAME_MAX + 1] = '\0';
    CHECK(source_name_check(longest) != NULL);

    const char *why = NULL;
    const char *const distinct[] = {"a.c", "b.c", "lib/a.c", "libx/a.c"};
    const char *const twice[] = {"a.c", "b.c", "A.C"};
    const char *const folder[] = {"lib/a.h", "lib"};
    const char *const folder_case[] = {"LIB", "lib/a.h"};
    CHECK(source_names_clash(distinct, 4, &why) == -1);
    CHECK(source_names_clash(twice, 3, &why) == 2);
    CHECK(source_names_clash(folder, 2, &why) == 1);
    CHECK(source_names_clash(folder_case, 2, &why) == 1);
}

/* {src} and {name} of a submission of several files in lang (judge_sources_choose). */
static void choose(const struct judge_lang *lang, const struct judge_file *f, size_t n,
                   const char *want_src, const char *want_name, const char *want_files)
{
    const char *list[SOURCE_FILES_MAX + 1];
    char src[JUDGE_NAME_SIZE], name[JUDGE_NAME_SIZE], joined[512] = "";
    int r = judge_sources_choose(lang, f, n, list, src, sizeof(src), name, sizeof(name));
    if (!want_src) {
        CHECK_INT(r, -ENOENT);
        return;
    }
    REQUIRE(r == 0);
    CHECK_STR(src, want_src);
    CHECK_STR(name, want_name);
    for (size_t i = 0; list[i]; i++) {
        strcat(joined, i ? " " : "");
        strcat(joined, list[i]);
    }
    CHECK_STR(joined, want_files);
}

TEST(sources_choose_entry_and_main_class)
{
    struct judge_lang c = {.source_file = "main.c", .n_exts = 1, .source_exts = {".c"}};
    struct judge_lang cpp = {.source_file = "main.cpp",
                             .n_exts = 5,
                             .source_exts = {".cpp", ".cc", ".cxx", ".c++", ".C"}};
    struct judge_lang py = {.source_file = "main.py", .profile = SB_PYTHON};
    struct judge_lang java = {
        .source_file = "Main.java", .profile = SB_JVM, .n_exts = 1, .source_exts = {".java"}};

    choose(&c, (struct judge_file[]){{"z.c", ""}, {"lib/u.h", ""}, {"Main.c", ""}, {"a.c", ""}}, 4,
           "Main.c", "Main", "Main.c a.c z.c");
    choose(&c, (struct judge_file[]){{"b.c", ""}, {"a.c", ""}}, 2, "a.c", "a", "a.c b.c");
    choose(&c, (struct judge_file[]){{"u.h", ""}, {"x.cpp", ""}}, 2, NULL, NULL, NULL);
    choose(&cpp, (struct judge_file[]){{"g/p.cc", ""}, {"g/p.hpp", ""}, {"s.C", ""}}, 3, "g/p.cc",
           "g/p", "g/p.cc s.C");
    /* No source_exts: the extension of source_file. */
    choose(&py, (struct judge_file[]){{"util.py", ""}, {"pkg/MAIN.py", ""}, {"x.txt", ""}}, 3,
           "pkg/MAIN.py", "pkg/MAIN", "pkg/MAIN.py util.py");
    /* Java: the class declaring main, qualified by its package. */
    choose(&java,
           (struct judge_file[]){
               {"com/acme/util/Adder.java", "package com.acme.util; public class Adder {}"},
               {"com/acme/App.java", "package com.acme;\npublic class App {"
                                     " public static void main(String[] a) {} }"}},
           2, "com/acme/App.java", "com.acme.App", "com/acme/App.java com/acme/util/Adder.java");
    /* Several mains: Main.* wins, else the first file's. */
    choose(&java,
           (struct judge_file[]){{"A.java", "class A { static void main(String[] a) {} }"},
                                 {"main.java", "class Go { static void main(String[] a) {} }"}},
           2, "main.java", "Go", "A.java main.java");
    choose(&java,
           (struct judge_file[]){{"B.java", "class B { static void main(String[] a) {} }"},
                                 {"A.java", "class A { static void main(String[] a) {} }"}},
           2, "A.java", "A", "A.java B.java");
    /* No main anywhere: the entry file's class, for java to report. */
    choose(&java, (struct judge_file[]){{"x/Q.java", "package x; class Q {}"}}, 1, "x/Q.java",
           "x.Q", "x/Q.java");
}

static const char *sanitized(const char *in, size_t n)
{
    static char buf[64];
    memcpy(buf, in, n);
    buf[n] = '\0';
    utf8_sanitize(buf, n);
    return buf;
}

#define SAN(lit) sanitized(lit, sizeof(lit) - 1)

TEST(text_sanitize_keeps_valid_utf8_only)
{
    CHECK_STR(SAN("ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_STR(SAN("a\0b"), "a?b");
    CHECK_STR(SAN("\xff\xfe"), "??");
    CHECK_STR(SAN("\xc0\xaf"), "??");           /* overlong '/' */
    CHECK_STR(SAN("\xe0\x80\xaf"), "???");      /* overlong */
    CHECK_STR(SAN("\xed\xa0\x80"), "???");      /* a surrogate */
    CHECK_STR(SAN("\xf4\x90\x80\x80"), "????"); /* above U+10FFFF */
    CHECK_STR(SAN("x\xe2\x82"), "x??");         /* cut short */
    CHECK_STR(SAN("\x80"
                  "abc"),
              "?abc");
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
