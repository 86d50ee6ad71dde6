/*
 * test_packages.c: the package readers without a database (db/package.h): Gavel's format, the
 * Kattis format (nested groups, validator flags, an output validator), hostile archives and
 * folders, and malformed packages named by file and line.
 *
 * Archives are built in memory with libarchive's writer, so every hostile shape (a "../" name,
 * a symbolic link, a device) is made exactly as an attacker would make it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/package.h"
#include "tests/harness.h"

enum { F_REG, F_DIR, F_LNK, F_CHR, F_HARD, F_ZEROS };

struct ent {
    const char *path;
    const char *data; /* F_REG: contents; F_LNK/F_HARD: target */
    int type;
    size_t zeros; /* F_ZEROS: that many zero bytes */
};

struct mem {
    unsigned char *p;
    size_t n, cap;
};

static la_ssize_t mem_write(struct archive *a, void *arg, const void *buf, size_t len)
{
    struct mem *m = arg;

    if (m->n + len > m->cap) {
        m->cap = (m->n + len) * 2;
        m->p = realloc(m->p, m->cap);
        if (!m->p)
            abort();
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return (la_ssize_t)len;
}

/* An archive of the entries: zip (format 0) or tar.gz (format 1). Owned by the caller. */
static struct mem make_archive(int format, const struct ent *e, size_t n)
{
    struct archive *a = archive_write_new();
    struct mem m = {0};
    static char zeros[65536];

    if (format)
        archive_write_set_format_pax_restricted(a), archive_write_add_filter_gzip(a);
    else
        archive_write_set_format_zip(a);
    archive_write_open2(a, &m, NULL, mem_write, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        size_t len = e[i].type == F_REG ? strlen(e[i].data) : 0;
        archive_entry_set_pathname(ae, e[i].path);
        archive_entry_set_perm(ae, 0644);
        switch (e[i].type) {
        case F_DIR:
            archive_entry_set_filetype(ae, AE_IFDIR);
            break;
        case F_LNK:
            archive_entry_set_filetype(ae, AE_IFLNK);
            archive_entry_set_symlink(ae, e[i].data);
            break;
        case F_CHR:
            archive_entry_set_filetype(ae, AE_IFCHR);
            archive_entry_set_rdevmajor(ae, 1);
            archive_entry_set_rdevminor(ae, 3);
            break;
        case F_HARD:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_hardlink(ae, e[i].data);
            break;
        case F_ZEROS:
            len = e[i].zeros;
            /* fall through */
        default:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_size(ae, (la_int64_t)len);
        }
        archive_write_header(a, ae);
        if (e[i].type == F_REG)
            archive_write_data(a, e[i].data, len);
        for (size_t done = 0; e[i].type == F_ZEROS && done < len;) {
            size_t k = len - done < sizeof(zeros) ? len - done : sizeof(zeros);
            archive_write_data(a, zeros, k);
            done += k;
        }
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return m;
}

/* Reads and parses the entries as an archive; returns the first error. */
static int load(int format, const struct ent *e, size_t n, const struct db_pkg_limits *lim,
                struct db_pkg_files *files, struct db_pkg_problem *prob, struct db_pkg_error *err)
{
    struct mem m = make_archive(format, e, n);
    int r;

    *prob = (struct db_pkg_problem){0};
    r = db_pkg_read_archive(m.p, m.n, lim, files, err);
    free(m.p);
    if (r >= 0)
        r = db_pkg_parse(files, "from-name", 0, prob, err);
    return r;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Gavel's format ---- */

static const char gavel_json[] = "{\n"
                                 "  \"slug\": \"demo\",\n"
                                 "  \"title\": \"Demo\",\n"
                                 "  \"memory_limit_mb\": 128,\n"
                                 "  \"time_limits_ms\": {\"python3\": 3000},\n"
                                 "  \"checker\": {\"kind\": \"custom\", \"source\": "
                                 "\"check/checker.cpp\"},\n"
                                 "  \"points\": 5,\n"
                                 "  \"groups\": [{\"name\": \"big\", \"points\": 10, "
                                 "\"tests\": [\"b*\"]}],\n"
                                 "  \"test_points\": {\"a2\": 7}\n"
                                 "}\n";

TEST(gavel_format)
{
    const struct ent e[] = {
        {"demo/problem.json", gavel_json, F_REG, 0},
        {"demo/statement.md", "# Demo\n", F_REG, 0},
        {"demo/check/checker.cpp", "#include \"lib.h\"\nint main() { return f(); }\n", F_REG, 0},
        {"demo/check/lib.h", "static int f(void) { return 0; }\n", F_REG, 0},
        {"demo/tests/b2.in", "4\n", F_REG, 0},
        {"demo/tests/b2.out", "16\n", F_REG, 0},
        {"demo/tests/a2.in", "2\n", F_REG, 0},
        {"demo/tests/a2.out", "4\n", F_REG, 0},
        {"demo/tests/a1-sample.in", "1\n", F_REG, 0},
        {"demo/tests/a1-sample.out", "1\n", F_REG, 0},
        {"demo/tests/b1.in", "3\n", F_REG, 0},
        {"demo/tests/b1.out", "9\n", F_REG, 0},
        {"demo/tests/b3.in", "5\n", F_REG, 0},
        {"demo/tests/b3.out", "25\n", F_REG, 0},
        {"demo/solutions/AC/sol.py", "print(int(input())**2)\n", F_REG, 0},
        {"demo/solutions/TLE/slow.cpp", "int main(){for(;;);}\n", F_REG, 0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    for (int format = 0; format < 2; format++) {
        int r = load(format, e, N(e), NULL, &files, &p, &err);
        if (r < 0)
            fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
        REQUIRE(r == 0);
        CHECK_STR(p.format, "gavel");
        CHECK_STR(p.def.slug, "demo");
        CHECK_STR(p.def.title, "Demo");
        CHECK_STR(p.def.statement, "# Demo\n");
        CHECK_INT(p.def.memory_limit_mb, 128);
        CHECK_STR(p.def.time_limits_json, "{\"python3\":3000}");
        CHECK_STR(p.def.checker_kind, "custom");
        CHECK_STR(p.def.checker_params_json, "{\"protocol\":\"testlib\"}");
        CHECK_STR(p.checker_ext, "cpp");
        CHECK(strstr(p.def.checker_source, "static int f(void)") != NULL);
        CHECK(strstr(p.def.checker_source, "#include \"lib.h\"") == NULL);
        REQUIRE(p.def.n_tests == 5);
        CHECK_STR(p.def.tests[0].name, "a1-sample");
        CHECK_INT(p.def.tests[0].is_sample, 1);
        CHECK_INT(p.def.tests[0].points, 0);
        CHECK_STR(p.def.tests[1].name, "a2");
        CHECK_INT(p.def.tests[1].points, 7);
        CHECK(p.def.tests[1].group == NULL);
        CHECK_STR(p.def.tests[2].name, "b1");
        CHECK_STR(p.def.tests[2].group, "big");
        CHECK_INT(p.def.tests[2].points + p.def.tests[3].points + p.def.tests[4].points, 10);
        CHECK_INT(p.def.tests[2].points, 4);
        CHECK_INT(p.def.tests[2].input_len, 2);
        CHECK(!memcmp(p.def.tests[2].output, "9\n", 2));
        REQUIRE(p.n_solutions == 2);
        CHECK_STR(p.solutions[0].path, "solutions/AC/sol.py");
        CHECK_STR(p.solutions[0].expected, "AC");
        CHECK_STR(p.solutions[1].expected, "TLE");
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }
}

TEST(gavel_sample_problems_parse)
{
    static const char *const names[] = {"a-plus-b", "reverse-words", "circle-area", "fizz-count",
                                        "divisor"};
    char path[512];

    for (size_t i = 0; i < N(names); i++) {
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        int r, ac = 0, fail = 0;

        snprintf(path, sizeof(path), "%s/problems/%s", GAVEL_SOURCE_DIR, names[i]);
        r = db_pkg_read_path(path, NULL, &files, &err);
        if (r >= 0)
            r = db_pkg_parse(&files, NULL, 0, &p, &err);
        if (r < 0)
            fprintf(stderr, "%s: %s:%d: %s\n", names[i], err.file, err.line, err.message);
        REQUIRE(r == 0);
        CHECK_STR(p.def.slug, names[i]);
        for (size_t k = 0; k < p.n_solutions; k++)
            *(strcmp(p.solutions[k].expected, "AC") ? &fail : &ac) += 1;
        CHECK(ac >= 3);
        CHECK(fail >= 2);
        if (!strcmp(names[i], "fizz-count")) {
            int total = 0;
            for (size_t k = 0; k < p.def.n_tests; k++)
                total += p.def.tests[k].points;
            CHECK_INT(total, 100);
            CHECK_STR(p.def.tests[1].group, "small");
            CHECK_INT(p.def.tests[0].is_sample, 1);
        }
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }
}

/* ---- Kattis ---- */

TEST(kattis_nested_groups_and_flags)
{
    const struct ent e[] = {
        {"problem.yaml",
         "name:\n  en: Mean value\n  sv: Medelvärde\nvalidation: default\n"
         "validator_flags: float_relative_tolerance 1e-3 case_sensitive\n"
         "limits:\n  time_multiplier: 3\n  memory: 512\n  time_limit: 2.5\n",
         F_REG, 0},
        {"problem_statement/problem.en.md", "Compute the mean.\n", F_REG, 0},
        {"data/sample/1.in", "1\n", F_REG, 0},
        {"data/sample/1.ans", "1\n", F_REG, 0},
        {"data/secret/g1/testdata.yaml", "accept_score: 40\ngrader_flags: min\n", F_REG, 0},
        {"data/secret/g1/a/01.in", "2\n", F_REG, 0},
        {"data/secret/g1/a/01.ans", "2\n", F_REG, 0},
        {"data/secret/g1/b/deeper/02.in", "3\n", F_REG, 0},
        {"data/secret/g1/b/deeper/02.ans", "3\n", F_REG, 0},
        {"data/secret/g1/b/02.desc", "ignored\n", F_REG, 0},
        {"data/secret/g2/03.in", "4\n", F_REG, 0},
        {"data/secret/g2/03.ans", "4\n", F_REG, 0},
        {"data/secret/g2/04.in", "5\n", F_REG, 0},
        {"data/secret/g2/04.ans", "5\n", F_REG, 0},
        {"data/secret/loose.in", "6\n", F_REG, 0},
        {"data/secret/loose.ans", "6\n", F_REG, 0},
        {"submissions/accepted/mean.c", "int main(){}\n", F_REG, 0},
        {"submissions/wrong_answer/bad.py", "print(0)\n", F_REG, 0},
        {"submissions/time_limit_exceeded/slow.java", "class Main{}\n", F_REG, 0},
        {"submissions/partially_accepted/half.py", "print(0)\n", F_REG, 0},
        {"submissions/accepted/notes.txt", "not a program\n", F_REG, 0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};
    int r = load(1, e, N(e), NULL, &files, &p, &err);

    if (r < 0)
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
    REQUIRE(r == 0);
    CHECK_STR(p.format, "kattis");
    CHECK_STR(p.def.slug, "from-name");
    CHECK_STR(p.def.title, "Mean value");
    CHECK_STR(p.def.statement, "Compute the mean.\n");
    CHECK_INT(p.def.memory_limit_mb, 512);
    CHECK_INT(p.time_limit_ms, 2500);
    CHECK(strstr(p.meta_json, "\"time_multiplier\":3") != NULL);
    CHECK_STR(p.def.checker_kind, "float");
    CHECK_STR(p.def.checker_params_json, "{\"abs\":0,\"rel\":0.001,\"case_sensitive\":true,"
                                         "\"space_change_sensitive\":false}");
    REQUIRE(p.def.n_tests == 6);
    CHECK_STR(p.def.tests[0].name, "sample.1");
    CHECK_INT(p.def.tests[0].is_sample, 1);
    CHECK_INT(p.def.tests[0].points, 0);
    CHECK_STR(p.def.tests[1].name, "secret.g1.a.01");
    CHECK_STR(p.def.tests[1].group, "g1");
    CHECK_STR(p.def.tests[2].name, "secret.g1.b.deeper.02");
    CHECK_STR(p.def.tests[2].group, "g1");
    CHECK_INT(p.def.tests[1].points + p.def.tests[2].points, 40);
    CHECK_STR(p.def.tests[3].group, "g2");
    CHECK_STR(p.def.tests[4].group, "g2");
    CHECK_INT(p.def.tests[3].points + p.def.tests[4].points, 2);
    CHECK_STR(p.def.tests[5].name, "secret.loose");
    CHECK(p.def.tests[5].group == NULL);
    CHECK_INT(p.def.tests[5].points, 1);
    REQUIRE(p.n_solutions == 3);
    CHECK_STR(p.solutions[0].path, "submissions/accepted/mean.c");
    CHECK_STR(p.solutions[0].expected, "AC");
    CHECK_STR(p.solutions[1].expected, "TLE");
    CHECK_STR(p.solutions[2].expected, "WA");
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

static int kattis_flags(const char *flags, struct db_pkg_problem *p, struct db_pkg_error *err,
                        struct db_pkg_files *files)
{
    char yaml[256];
    struct ent e[] = {
        {"problem.yaml", yaml, F_REG, 0},
        {"data/secret/1.in", "1\n", F_REG, 0},
        {"data/secret/1.ans", "1\n", F_REG, 0},
    };

    snprintf(yaml, sizeof(yaml), "name: Flags\n\nvalidator_flags: %s\n", flags);
    return load(0, e, N(e), NULL, files, p, err);
}

TEST(kattis_default_validator_flags)
{
    static const struct {
        const char *flags, *kind, *params;
    } cases[] = {
        {"\"\"", "tokens", "{\"case_sensitive\":false,\"space_change_sensitive\":false}"},
        {"case_sensitive", "tokens", "{\"case_sensitive\":true,\"space_change_sensitive\":false}"},
        {"space_change_sensitive", "tokens",
         "{\"case_sensitive\":false,\"space_change_sensitive\":true}"},
        {"float_tolerance 1e-6", "float",
         "{\"abs\":9.9999999999999995e-07,\"rel\":9.9999999999999995e-07,"
         "\"case_sensitive\":false,\"space_change_sensitive\":false}"},
        {"float_absolute_tolerance 0.5 space_change_sensitive", "float",
         "{\"abs\":0.5,\"rel\":0,\"case_sensitive\":false,\"space_change_sensitive\":true}"},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    for (size_t i = 0; i < N(cases); i++) {
        int r = kattis_flags(cases[i].flags, &p, &err, &files);
        if (r < 0)
            fprintf(stderr, "%s: %s\n", cases[i].flags, err.message);
        REQUIRE(r == 0);
        CHECK_STR(p.def.checker_kind, cases[i].kind);
        CHECK_STR(p.def.checker_params_json, cases[i].params);
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }
    CHECK_INT(kattis_flags("case_sensitive float_tolerance", &p, &err, &files), -EINVAL);
    CHECK_STR(err.file, "problem.yaml");
    CHECK_INT(err.line, 3);
    db_pkg_files_release(&files);
    CHECK_INT(kattis_flags("ignore_case", &p, &err, &files), -EINVAL);
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.message, "ignore_case") != NULL);
    db_pkg_files_release(&files);
}

TEST(kattis_output_validator)
{
    const struct ent e[] = {
        {"problem.yaml", "name: Pairs\nvalidation: custom\nvalidator_flags: strict --verbose\n",
         F_REG, 0},
        {"output_validators/pairs/validate.h", "#define OK 42\n", F_REG, 0},
        {"output_validators/pairs/validator.cpp",
         "#include \"validate.h\"\n#include <cstdio>\nint main() { return OK; }\n", F_REG, 0},
        {"data/sample/1.in", "1\n", F_REG, 0},
        {"data/sample/1.ans", "1\n", F_REG, 0},
        {"data/secret/2.in", "2\n", F_REG, 0},
        {"data/secret/2.ans", "2\n", F_REG, 0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};
    int r = load(0, e, N(e), NULL, &files, &p, &err);

    if (r < 0)
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
    REQUIRE(r == 0);
    CHECK_STR(p.def.checker_kind, "custom");
    CHECK_STR(p.checker_ext, "cpp");
    CHECK_STR(p.def.checker_params_json,
              "{\"protocol\":\"kattis\",\"flags\":[\"strict\",\"--verbose\"]}");
    CHECK(strstr(p.def.checker_source, "#define OK 42") != NULL);
    CHECK(strstr(p.def.checker_source, "#include <cstdio>") != NULL);
    CHECK_INT(p.def.n_tests, 2);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

TEST(kattis_refusals)
{
    static const struct {
        const char *yaml;
        int line;
        const char *what;
    } cases[] = {
        {"name: X\nvalidation: custom multi-pass\n", 2, "not supported"},
        {"name: X\ntype: multi-pass\n", 2, "not supported"},
        {"name: X\nvalidation: custom interactive\n", 0, "no output validator"},
        {"name: X\nlimits:\n  memory: lots\n", 3, "memory"},
        {"name: X\nlimits: [1, 2]\n", 2, "mapping"},
        {"name: X\nvalidation: custom\n", 0, "no output validator"},
        {"name: [unclosed\n", 2, "invalid YAML"},
        {"name: X\n  bad: indentation\n", 2, "invalid YAML"},
    };

    for (size_t i = 0; i < N(cases); i++) {
        const struct ent e[] = {
            {"problem.yaml", cases[i].yaml, F_REG, 0},
            {"data/secret/1.in", "1\n", F_REG, 0},
            {"data/secret/1.ans", "1\n", F_REG, 0},
        };
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        CHECK_INT(load(0, e, N(e), NULL, &files, &p, &err), -EINVAL);
        if (cases[i].line)
            CHECK_STR(err.file, "problem.yaml");
        CHECK_INT(err.line, cases[i].line);
        if (!strstr(err.message, cases[i].what))
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        CHECK(strstr(err.message, cases[i].what) != NULL);
        db_pkg_files_release(&files);
    }
}

/* ---- malformed Gavel packages ---- */

TEST(gavel_malformed_named_by_file_and_line)
{
    static const struct {
        const char *json;
        const char *extra_path; /* a file added to the package, or NULL */
        const char *file;
        int line;
        const char *what;
    } cases[] = {
        {"{\n  \"title\": \"X\",\n  \"points\": 3,,\n}\n", NULL, "problem.json", 3, "invalid JSON"},
        {"{\n  \"title\": \"X\",\n  \"tiem_limit_ms\": 3\n}\n", NULL, "problem.json", 3,
         "unknown key"},
        {"{\n  \"title\": \"X\",\n\n  \"checker\": {\"kind\": \"fuzzy\"}\n}\n", NULL,
         "problem.json", 4, "checker kind"},
        {"{\n  \"title\": \"X\",\n  \"groups\": [\n    {\"name\": \"g\", \"tests\": [\"zz*\"]}\n"
         "  ]\n}\n",
         NULL, "problem.json", 4, "matches no test"},
        {"{\n  \"title\": 5\n}\n", NULL, "problem.json", 2, "string"},
        {"{\"title\": \"X\"}", "tests/2.in", "tests/2.in", 0, "no matching tests/2.out"},
        {"{\"title\": \"X\"}", "solutions/OK/a.c", "solutions/OK/a.c", 0, "solutions/AC"},
        {"{\"title\": \"X\"}", "tests/bad name.in", "tests/bad name.in", 0, "test name"},
        /* cJSON would end the title at the escape and drop the rest unseen */
        {"{\n  \"slug\": \"x\",\n  \"title\": \"A\\u0000B\"\n}\n", NULL, "problem.json", 3,
         "\\u0000"},
    };

    for (size_t i = 0; i < N(cases); i++) {
        const struct ent e[] = {
            {"problem.json", cases[i].json, F_REG, 0},
            {"tests/1.in", "1\n", F_REG, 0},
            {"tests/1.out", "1\n", F_REG, 0},
            {cases[i].extra_path ? cases[i].extra_path : "statement.md", "x\n", F_REG, 0},
        };
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        CHECK_INT(load(0, e, N(e), NULL, &files, &p, &err), -EINVAL);
        CHECK_STR(err.file, cases[i].file);
        CHECK_INT(err.line, cases[i].line);
        if (!strstr(err.message, cases[i].what))
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        CHECK(strstr(err.message, cases[i].what) != NULL);
        db_pkg_files_release(&files);
    }
}

/* A checker's params are read the way the judge reads them: a misspelt or mistyped one would
 * otherwise fall back to a default unseen, or make every submission IE. */
TEST(checker_params_checked)
{
    static const struct {
        const char *checker;
        const char *what; /* NULL: accepted */
    } cases[] = {
        {"{\"kind\": \"float\", \"params\": {\"abs_tol\": 0.001}}", "unknown key \"abs_tol\""},
        {"{\"kind\": \"float\", \"params\": {\"abs\": \"lots\"}}", "\"abs\" must be a number"},
        {"{\"kind\": \"float\", \"params\": {\"rel\": -1}}", "\"rel\" must be a number"},
        {"{\"kind\": \"tokens\", \"params\": {\"case_sensitive\": 0}}", "true or false"},
        {"{\"kind\": \"tokens\", \"params\": {\"abs\": 0.1}}", "unknown key \"abs\""},
        {"{\"kind\": \"exact\", \"params\": {\"case_sensitive\": false}}", "unknown key"},
        {"{\"kind\": \"custom\", \"params\": {\"flags\": \"strict\"}}", "array of strings"},
        {"{\"kind\": \"custom\", \"params\": {\"flags\": [1]}}", "string of 1 to 127"},
        {"{\"kind\": \"float\", \"params\": {\"abs\": 0.001, \"rel\": \"1e-6\", "
         "\"case_sensitive\": false, \"space_change_sensitive\": true}}",
         NULL},
        {"{\"kind\": \"tokens\", \"params\": {\"case_sensitive\": false}}", NULL},
        {"{\"kind\": \"custom\", \"protocol\": \"kattis\", \"params\": {\"flags\": [\"x\"], "
         "\"anything\": 1}}",
         NULL},
    };

    for (size_t i = 0; i < N(cases); i++) {
        char json[512];
        snprintf(json, sizeof(json), "{\n  \"title\": \"X\",\n  \"checker\": %s\n}\n",
                 cases[i].checker);
        const struct ent e[] = {
            {"problem.json", json, F_REG, 0},
            {"checker.cpp", "int main() { return 0; }\n", F_REG, 0},
            {"tests/1.in", "1\n", F_REG, 0},
            {"tests/1.out", "1\n", F_REG, 0},
        };
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        int r = load(0, e, N(e), NULL, &files, &p, &err);
        if (!cases[i].what) {
            if (r < 0)
                fprintf(stderr, "case %zu: %s\n", i, err.message);
            CHECK_INT(r, 0);
        } else {
            CHECK_INT(r, -EINVAL);
            CHECK_STR(err.file, "problem.json");
            CHECK_INT(err.line, 3);
            if (!strstr(err.message, cases[i].what))
                fprintf(stderr, "case %zu: %s\n", i, err.message);
            CHECK(strstr(err.message, cases[i].what) != NULL);
        }
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }
}

/* The flags of a Kattis output validator go to it as they are: no more than the judge passes. */
TEST(kattis_validator_flags_capped)
{
    char yaml[4096], *w = yaml;

    w += snprintf(w, sizeof(yaml), "name: Many flags\nvalidation: custom\nvalidator_flags:");
    for (int i = 0; i < 33; i++)
        w += snprintf(w, sizeof(yaml) - (size_t)(w - yaml), " f%d", i);
    snprintf(w, sizeof(yaml) - (size_t)(w - yaml), "\n");
    const struct ent e[] = {
        {"problem.yaml", yaml, F_REG, 0},
        {"output_validators/v/validator.cpp", "int main() { return 42; }\n", F_REG, 0},
        {"data/secret/1.in", "1\n", F_REG, 0},
        {"data/secret/1.ans", "1\n", F_REG, 0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    CHECK_INT(load(0, e, N(e), NULL, &files, &p, &err), -EINVAL);
    CHECK_STR(err.file, "problem.yaml");
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.message, "at most 32 flags") != NULL);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

/* Bytes the database would refuse as text are named by file and line at parse time, not as
 * a refusal of the whole problem by the database. */
TEST(non_text_named_by_file_and_line)
{
    static const char custom[] = "{\"title\": \"X\", \"checker\": {\"kind\": \"custom\"}}";
    static const struct {
        const char *json;
        const char *path, *data;
        const char *file;
        int line;
        const char *what;
    } cases[] = {
        {"{\"title\": \"X\"}", "statement.md", "# T\n\nline \xff\n", "statement.md", 3, "UTF-8"},
        {"{\"title\": \"X\"}", "statement.md", "# T\n\xed\xa0\x80\n", "statement.md", 2, "UTF-8"},
        {"{\n  \"title\": \"\xc3\x28\"\n}\n", "statement.md", "x", "problem.json", 2, "UTF-8"},
        {"{\"title\": \"X\"}", "solutions/AC/a.py", "print(1)\n# \xc0\xaf\n", "solutions/AC/a.py",
         2, "UTF-8"},
        {"{\"title\": \"X\"}", "solutions/AC/\xff.py", "print(1)\n", "solutions/AC/\xff.py", 1,
         "file name"},
        {custom, "checker.cpp", "int main() { return 0; } // \xf5\x80\x80\x80\n", "checker.cpp", 0,
         "UTF-8"},
        {"{\"title\": \"\xd0\x97\xd0\xb0\xd0\xb4\xd0\xb0\xd1\x87\xd0\xb0\"}", "statement.md",
         "\xe2\x88\x91 \xf0\x9f\x99\x82\n", NULL, 0, NULL},
    };
    char long_title[512], *w = long_title;

    /* 200 characters of two bytes each: a title is counted in characters */
    w += snprintf(w, sizeof(long_title), "{\"title\": \"");
    for (int k = 0; k < 200; k++)
        w += snprintf(w, sizeof(long_title) - (size_t)(w - long_title), "\xd0\xb9");
    snprintf(w, sizeof(long_title) - (size_t)(w - long_title), "\"}");
    {
        const struct ent e[] = {
            {"problem.json", long_title, F_REG, 0},
            {"tests/1.in", "1\n", F_REG, 0},
            {"tests/1.out", "1\n", F_REG, 0},
        };
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        CHECK_INT(load(1, e, N(e), NULL, &files, &p, &err), 0);
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }

    for (size_t i = 0; i < N(cases); i++) {
        const struct ent e[] = {
            {"problem.json", cases[i].json, F_REG, 0},
            {cases[i].path, cases[i].data, F_REG, 0},
            {"tests/1.in", "1\n", F_REG, 0},
            {"tests/1.out", "1\n", F_REG, 0},
        };
        struct db_pkg_files files;
        struct db_pkg_problem p;
        struct db_pkg_error err = {0};
        int r = load(1, e, N(e), NULL, &files, &p, &err);
        if (!cases[i].what) {
            CHECK_INT(r, 0);
        } else {
            CHECK_INT(r, -EINVAL);
            CHECK_STR(err.file, cases[i].file);
            CHECK_INT(err.line, cases[i].line);
            if (!strstr(err.message, cases[i].what))
                fprintf(stderr, "case %zu: %s\n", i, err.message);
            CHECK(strstr(err.message, cases[i].what) != NULL);
        }
        db_pkg_problem_release(&p);
        db_pkg_files_release(&files);
    }
}

/* ---- hostile archives ---- */

static int read_only(int format, const struct ent *e, size_t n, const struct db_pkg_limits *lim,
                     struct db_pkg_error *err)
{
    struct mem m = make_archive(format, e, n);
    struct db_pkg_files files;
    int r = db_pkg_read_archive(m.p, m.n, lim, &files, err);

    free(m.p);
    if (r >= 0)
        db_pkg_files_release(&files);
    CHECK(files.n == 0 || r >= 0);
    return r;
}

TEST(hostile_entries_refused)
{
    static const struct {
        struct ent e;
        const char *what;
    } cases[] = {
        {{"../evil.txt", "x", F_REG, 0}, "escapes"},
        {{"problem/../../evil.txt", "x", F_REG, 0}, "escapes"},
        {{"/etc/cron.d/evil", "x", F_REG, 0}, "absolute"},
        {{"tests/link.in", "/etc/passwd", F_LNK, 0}, "symbolic link"},
        {{"tests/null.in", NULL, F_CHR, 0}, "not a regular file"},   /* tar only */
        {{"tests/hard.in", "problem.json", F_HARD, 0}, "hard link"}, /* tar only */
        {{"a\\..\\..\\evil", "x", F_REG, 0}, NULL},                  /* zip reads \ as / */
    };

    for (int format = 0; format < 2; format++) {
        for (size_t i = 0; i < N(cases); i++) {
            const struct ent e[] = {{"problem.json", "{}", F_REG, 0}, cases[i].e};
            struct db_pkg_error err = {0};
            int r;
            if (format == 0 && (cases[i].e.type == F_CHR || cases[i].e.type == F_HARD))
                continue; /* zip has no devices or hard links */
            r = read_only(format, e, N(e), NULL, &err);
            CHECK_INT(r, -EINVAL);
            if (!cases[i].what)
                continue;
            if (!strstr(err.message, cases[i].what))
                fprintf(stderr, "format %d case %zu: %s: %s\n", format, i, err.file, err.message);
            CHECK(strstr(err.message, cases[i].what) != NULL);
        }
    }
}

TEST(caps_and_bombs_refused)
{
    struct db_pkg_limits small = {.max_file = 1000, .max_total = 3000, .max_entries = 10};
    struct db_pkg_limits ratio = {.max_ratio = 100};
    struct ent many[12];
    struct db_pkg_error err = {0};
    char names[12][16];

    /* one file over the per-file cap */
    const struct ent big[] = {{"tests/1.in", NULL, F_ZEROS, 1001}};
    CHECK_INT(read_only(0, big, 1, &small, &err), -E2BIG);
    CHECK_STR(err.file, "tests/1.in");
    CHECK_INT(read_only(1, big, 1, &small, &err), -E2BIG);
    /* files under the per-file cap, together over the total */
    const struct ent total[] = {{"1", NULL, F_ZEROS, 900},
                                {"2", NULL, F_ZEROS, 900},
                                {"3", NULL, F_ZEROS, 900},
                                {"4", NULL, F_ZEROS, 900}};
    CHECK_INT(read_only(0, total, 4, &small, &err), -E2BIG);
    CHECK(strstr(err.message, "larger than 3000") != NULL);
    /* too many entries */
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d", i);
        many[i] = (struct ent){names[i], "x", F_REG, 0};
    }
    CHECK_INT(read_only(0, many, 12, &small, &err), -E2BIG);
    CHECK(strstr(err.message, "entries") != NULL);
    /* an archive bomb: 40 MiB of zeros in a few tens of KiB */
    const struct ent bomb[] = {{"tests/1.in", NULL, F_ZEROS, (size_t)40 << 20}};
    CHECK_INT(read_only(0, bomb, 1, &ratio, &err), -E2BIG);
    CHECK(strstr(err.message, "bomb") != NULL);
    CHECK_INT(read_only(1, bomb, 1, &ratio, &err), -E2BIG);
    /* the same data past the default total cap: refused whatever the ratio */
    const struct ent huge[] = {{"tests/1.in", NULL, F_ZEROS, (size_t)65 << 20}};
    CHECK_INT(read_only(1, huge, 1, NULL, &err), -E2BIG);
    /* garbage is not an archive */
    CHECK_INT(
        db_pkg_read_archive("not an archive at all", 21, NULL, &(struct db_pkg_files){0}, &err),
        -EINVAL);
}

/* ---- folders ---- */

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)!write(fd, text, strlen(text));
        close(fd);
    }
}

TEST(folder_symlink_refused_and_hidden_skipped)
{
    char dir[] = "/tmp/gavel-pkg-XXXXXX", path[512];
    struct db_pkg_files files;
    struct db_pkg_error err = {0};

    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/tests", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/.git", dir);
    mkdir(path, 0755);
    put(dir, "problem.json", "{\"title\": \"T\"}");
    put(dir, "tests/1.in", "1\n");
    put(dir, "tests/1.out", "1\n");
    put(dir, ".git/HEAD", "ref\n");
    CHECK_INT(db_pkg_read_path(dir, NULL, &files, &err), 0);
    CHECK_INT(files.n, 3);
    CHECK(db_pkg_file_get(&files, "tests/1.in") != NULL);
    db_pkg_files_release(&files);
    snprintf(path, sizeof(path), "%s/tests/2.in", dir);
    CHECK_INT(symlink("/etc/passwd", path), 0);
    CHECK_INT(db_pkg_read_path(dir, NULL, &files, &err), -EINVAL);
    CHECK_STR(err.file, "tests/2.in");
    CHECK(strstr(err.message, "symbolic link") != NULL);
    unlink(path);
    snprintf(path, sizeof(path), "%s/.git/HEAD", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/.git", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/tests/1.in", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/tests/1.out", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/tests", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/problem.json", dir);
    unlink(path);
    rmdir(dir);
}

TEST(unknown_format_refused)
{
    const struct ent e[] = {{"readme.txt", "hello", F_REG, 0}};
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    CHECK_INT(load(0, e, N(e), NULL, &files, &p, &err), -EINVAL);
    CHECK(strstr(err.message, "problem.json") != NULL);
    db_pkg_files_release(&files);
}

/* ---- limits and expected verdicts as the Kattis format and DOMjudge mean them ---- */

/* The meta of a Kattis package of one test with this problem.yaml and extra entries. */
static int kattis_with(const char *yaml, const struct ent *extra, size_t n_extra,
                       struct db_pkg_problem *p, struct db_pkg_files *files,
                       struct db_pkg_error *err)
{
    struct ent e[16] = {
        {"pkg/problem.yaml", yaml, F_REG, 0},
        {"pkg/data/secret/1.in", "1\n", F_REG, 0},
        {"pkg/data/secret/1.ans", "1\n", F_REG, 0},
    };

    for (size_t i = 0; i < n_extra && i + 3 < N(e); i++)
        e[i + 3] = extra[i];
    return load(1, e, 3 + n_extra, NULL, files, p, err);
}

TEST(kattis_limit_defaults)
{
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    /* legacy (no problem_format_version): memory 2048 MiB, time limit to be derived with
     * time_multiplier 5 and time_safety_margin 2 */
    REQUIRE(kattis_with("name: Plain\n", NULL, 0, &p, &files, &err) == 0);
    CHECK_INT(p.def.memory_limit_mb, 2048);
    CHECK_INT(p.time_limit_ms, DB_PKG_MEASURE_MS);
    CHECK(strstr(p.meta_json, "\"rule\":\"legacy\"") != NULL);
    CHECK(strstr(p.meta_json, "\"time_multiplier\":5,\"time_safety_margin\":2") != NULL);
    CHECK(strstr(p.meta_json, "\"time_limit_from\":\"derived\",\"time_limit_pending\":true") !=
          NULL);
    CHECK(strstr(p.meta_json, "\"memory_from\":\"default\"") != NULL);
    CHECK(strstr(p.meta_json, "\"output\":8") != NULL);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);

    /* 2023-07: ac_to_time_limit 2, time_limit_to_tle 1.5, time_resolution 1 */
    REQUIRE(kattis_with("problem_format_version: 2023-07-draft\nname: New\n", NULL, 0, &p, &files,
                        &err) == 0);
    CHECK(strstr(p.meta_json, "\"rule\":\"2023-07\"") != NULL);
    CHECK(strstr(p.meta_json, "\"time_multiplier\":2,\"time_safety_margin\":1.5,"
                              "\"time_resolution\":1") != NULL);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);

    REQUIRE(kattis_with("problem_format_version: 2023-07-draft\nname: New\nlimits:\n"
                        "  time_multipliers:\n    ac_to_time_limit: 3\n    time_limit_to_tle: 2\n"
                        "  time_resolution: 0.5\n  memory: 512\n  time_limit: 2.5\n",
                        NULL, 0, &p, &files, &err) == 0);
    CHECK_INT(p.def.memory_limit_mb, 512);
    CHECK_INT(p.time_limit_ms, 2500);
    CHECK(strstr(p.meta_json, "\"time_multiplier\":3,\"time_safety_margin\":2,"
                              "\"time_resolution\":0.5") != NULL);
    CHECK(strstr(p.meta_json, "\"time_limit_from\":\"limits.time_limit\"") != NULL);
    CHECK(strstr(p.meta_json, "pending") == NULL);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

TEST(kattis_time_limit_files)
{
    const struct ent dot[] = {{"pkg/.timelimit", "2.5\n", F_REG, 0}};
    const struct ent ini[] = {{"pkg/domjudge-problem.ini", "name='X'\ntimelimit='3'\n", F_REG, 0}};
    const struct ent bad[] = {{"pkg/.timelimit", "soon\n", F_REG, 0}};
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    REQUIRE(kattis_with("name: Dot\n", dot, 1, &p, &files, &err) == 0);
    CHECK_INT(p.time_limit_ms, 2500);
    CHECK(strstr(p.meta_json, "\"time_limit_from\":\".timelimit\"") != NULL);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
    REQUIRE(kattis_with("name: Ini\n", ini, 1, &p, &files, &err) == 0);
    CHECK_INT(p.time_limit_ms, 3000);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
    /* problem.yaml wins over the files */
    REQUIRE(kattis_with("name: Both\nlimits:\n  time_limit: 4\n", dot, 1, &p, &files, &err) == 0);
    CHECK_INT(p.time_limit_ms, 4000);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
    CHECK_INT(kattis_with("name: Bad\n", bad, 1, &p, &files, &err), -EINVAL);
    CHECK_STR(err.file, ".timelimit");
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

TEST(kattis_expected_verdict_sets)
{
    const struct ent subs[] = {
        {"pkg/submissions/accepted/plain.py", "print(1)\n", F_REG, 0},
        {"pkg/submissions/accepted/maybe.c",
         "/* @EXPECTED_RESULTS@: ACCEPTED, TIME_LIMIT_EXCEEDED */\nint main(){}\n", F_REG, 0},
        {"pkg/submissions/accepted/dj.py", "# @EXPECTED_RESULTS@: CORRECT,TIMELIMIT,RUN-ERROR\n",
         F_REG, 0},
        {"pkg/submissions/rejected/any.py", "print(0)\n", F_REG, 0},
        {"pkg/submissions/brute_force/slow.py", "print(1)\n", F_REG, 0},
        {"pkg/submissions/time_limit_exceeded/either.py", "print(1)\n", F_REG, 0},
        {"pkg/submissions/partially_accepted/half.py", "print(1)\n", F_REG, 0},
        {"pkg/submissions/submissions.yaml",
         "time_limit_exceeded/either.py:\n  permitted: [AC, TLE, WA]\n  required: [TLE, WA]\n"
         "partially_accepted:\n  permitted: [AC, WA]\n",
         F_REG, 0},
    };
    const struct ent bad[] = {
        {"pkg/submissions/accepted/x.c", "int main(){}\n// @EXPECTED_RESULTS@: SLOWISH\n", F_REG,
         0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};
    int r;

    r = kattis_with("name: Sets\n", subs, N(subs), &p, &files, &err);
    if (r < 0)
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
    REQUIRE(r == 0);
    REQUIRE(p.n_solutions == 7);
    CHECK_STR(p.solutions[0].path, "submissions/accepted/dj.py");
    CHECK_STR(p.solutions[0].expected, "AC,TLE,MLE,RE");
    CHECK_STR(p.solutions[1].expected, "AC,TLE");
    CHECK_STR(p.solutions[2].expected, "AC");
    CHECK_STR(p.solutions[3].expected, "TLE,MLE,RE");
    CHECK_STR(p.solutions[4].path, "submissions/partially_accepted/half.py");
    CHECK_STR(p.solutions[4].expected, "AC,WA");
    CHECK_STR(p.solutions[5].expected, "WA,TLE,MLE,RE");
    CHECK_STR(p.solutions[6].expected, "TLE"); /* folder TLE narrowed by [TLE, WA] */
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);

    CHECK_INT(kattis_with("name: Bad\n", bad, 1, &p, &files, &err), -EINVAL);
    CHECK_STR(err.file, "submissions/accepted/x.c");
    CHECK_INT(err.line, 2);
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

TEST(gavel_solution_verdict_sets)
{
    const struct ent e[] = {
        {"d/problem.json", "{\"title\": \"T\"}", F_REG, 0},
        {"d/tests/1.in", "1\n", F_REG, 0},
        {"d/tests/1.out", "1\n", F_REG, 0},
        {"d/solutions/AC+TLE/s.py", "print(1)\n", F_REG, 0},
    };
    const struct ent bad[] = {
        {"d/problem.json", "{\"title\": \"T\"}", F_REG, 0},
        {"d/tests/1.in", "1\n", F_REG, 0},
        {"d/tests/1.out", "1\n", F_REG, 0},
        {"d/solutions/AC+SLOW/s.py", "print(1)\n", F_REG, 0},
    };
    struct db_pkg_files files;
    struct db_pkg_problem p;
    struct db_pkg_error err = {0};

    REQUIRE(load(0, e, N(e), NULL, &files, &p, &err) == 0);
    REQUIRE(p.n_solutions == 1);
    CHECK_STR(p.solutions[0].expected, "AC,TLE");
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
    CHECK_INT(load(0, bad, N(bad), NULL, &files, &p, &err), -EINVAL);
    CHECK_STR(err.file, "solutions/AC+SLOW/s.py");
    db_pkg_problem_release(&p);
    db_pkg_files_release(&files);
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
