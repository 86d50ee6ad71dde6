"""Checkers and scoring through real judges: exact, float, custom (testlib and Kattis exit
codes, partial points, a broken checker), all-or-nothing groups (label integration;privileged)."""

import judge_util as ju
import gavel_test

ECHO_PY = "import sys\nsys.stdout.write(sys.stdin.read())\n"

TESTLIB_CHECKER = r"""
#include <stdio.h>
#include <stdlib.h>
/* testlib's exit codes: 0 AC, 1 WA, 7 partial (the fraction first on stdout). */
int main(int argc, char **argv) {
    long in, out, ans;
    FILE *fi = fopen(argv[1], "r"), *fo = fopen(argv[2], "r"), *fa = fopen(argv[3], "r");
    if (!fi || !fo || !fa || fscanf(fi, "%ld", &in) != 1 || fscanf(fa, "%ld", &ans) != 1)
        return 3;
    if (fscanf(fo, "%ld", &out) != 1) { printf("no number\n"); return 2; }
    if (out == ans) { printf("ok\n"); return 0; }
    if (labs(out - ans) == 1) { printf("0.5 off by one\n"); return 7; }
    printf("expected %ld, found %ld\n", ans, out);
    return 1;
}
"""

KATTIS_CHECKER = r"""
import sys
# Kattis: input, judge answer, feedback folder as arguments; the output on stdin.
ans = open(sys.argv[2]).read().split()
out = sys.stdin.read().split()
ok = [w.lower() for w in out] == [w.lower() for w in ans]
with open(sys.argv[3] + "judgemessage.txt", "w") as f:
    f.write("fine" if ok else "different")
sys.exit(42 if ok else 43)
"""

# What testlib's quitp(0.5, "half") does: "points 0.5 half" on stderr, exit 7.
QUITP_CHECKER = r"""
#include <stdio.h>
int main(int argc, char **argv) {
    long out, ans;
    FILE *fo = fopen(argv[2], "r"), *fa = fopen(argv[3], "r");
    if (!fo || !fa || fscanf(fa, "%ld", &ans) != 1)
        return 3;
    if (fscanf(fo, "%ld", &out) != 1 || out != ans) {
        fprintf(stderr, "points 0.5 half\n");
        return 7;
    }
    fprintf(stderr, "ok\n");
    return 0;
}
"""


class Checking(ju.JudgeCase):
    workers = 2

    def test_exact(self):
        pid = ju.problem(self.url, "exact", [("a b\n", "a b\n")], checker="exact")
        self.verdicts(pid, {
            "same": ("python3", "print('a b')", "AC"),
            "no final newline": ("python3", "print('a b', end='')", "AC"),
            "crlf": ("python3", "import sys\nsys.stdout.buffer.write(b'a b\\r\\n')", "AC"),
            "trailing space": ("python3", "print('a b ')", "WA"),
            "tokens only": ("python3", "print('a  b')", "WA"),
        })

    def test_tokens_default(self):
        pid = ju.problem(self.url, "tokens", [("x\n", "1 2\n3\n")])
        rows = self.verdicts(pid, {
            "spaces": ("python3", "print(' 1\\t2   3   ')", "AC"),
            "case": ("python3", "print('1 2 4')", "WA"),
        })
        msg = ju.tests_of(self.url, rows["case"]["id"])[0][3]
        self.assertEqual(msg, "token 3: expected '3', found '4'")

    def test_float(self):
        pid = ju.problem(self.url, "float", [("\n", "0.333333333 nan inf word\n")],
                         checker="float", params={"abs": 1e-6, "rel": 1e-6})
        self.verdicts(pid, {
            "close": ("python3", "print('0.3333334 nan inf word')", "AC"),
            "exponent": ("python3", "print('3.333333e-1 NaN Infinity word')", "AC"),
            "far": ("python3", "print('0.3334 nan inf word')", "WA"),
            "nan": ("python3", "print('nan nan inf word')", "WA"),
            "word": ("python3", "print('0.3333333 nan inf Word')", "WA"),
        })

    def test_custom_testlib_with_partial_points(self):
        pid = ju.problem(self.url, "custom", [("1\n", "10\n", 10), ("2\n", "20\n", 10)],
                         checker="custom", checker_language="c", checker_source=TESTLIB_CHECKER)
        rows = self.verdicts(pid, {
            "ac": ("python3", "print(int(input()) * 10)", "AC"),
            "partial": ("python3", "print(int(input()) * 10 + 1)", "WA"),
            "wa": ("python3", "print(7)", "WA"),
            "pe": ("python3", "print('seven')", "WA"),
        })
        self.assertEqual(rows["ac"]["score"], 20)
        self.assertEqual(rows["partial"]["score"], 10)
        self.assertEqual(rows["wa"]["score"], 0)
        self.assertIn("expected 10, found 7", ju.tests_of(self.url, rows["wa"]["id"])[0][3])

    def test_custom_kattis(self):
        pid = ju.problem(self.url, "kattis", [("\n", "Hello World\n")], checker="custom",
                         params={"protocol": "kattis"}, checker_language="python3",
                         checker_source=KATTIS_CHECKER)
        rows = self.verdicts(pid, {
            "ac": ("python3", "print('hello   world')", "AC"),
            "wa": ("python3", "print('hello')", "WA"),
        })
        # The validator's message is what it wrote to judgemessage.txt.
        self.assertEqual(ju.tests_of(self.url, rows["ac"]["id"])[0][3], "fine")
        self.assertEqual(ju.tests_of(self.url, rows["wa"]["id"])[0][3], "different")

    def test_kattis_feedback_is_per_test(self):
        # A validator that writes its message on the first test only: the second has none.
        src = ("import sys\nif open(sys.argv[1]).read().strip() == '1':\n"
               "    open(sys.argv[3] + 'judgemessage.txt', 'w').write('first test')\n"
               "sys.exit(42)\n")
        pid = ju.problem(self.url, "kattis-fb", [("1\n", "x\n"), ("2\n", "x\n")],
                         checker="custom", params={"protocol": "kattis"},
                         checker_language="python3", checker_source=src)
        rows = self.verdicts(pid, {"ac": ("python3", "print('x')", "AC")})
        self.assertEqual([t[3] for t in ju.tests_of(self.url, rows["ac"]["id"])],
                         ["first test", ""])

    def test_custom_testlib_quitp_points(self):
        pid = ju.problem(self.url, "quitp", [("\n", "1\n", 10), ("\n", "1\n", 10)],
                         checker="custom", checker_language="c", checker_source=QUITP_CHECKER)
        rows = self.verdicts(pid, {"ac": ("python3", "print(1)", "AC"),
                                   "half": ("python3", "print(2)", "WA")})
        self.assertEqual(rows["ac"]["score"], 20)
        self.assertEqual(rows["half"]["score"], 10)
        self.assertEqual([t[2] for t in ju.tests_of(self.url, rows["half"]["id"])], [5, 5])

    def test_kattis_validator_without_its_codes_is_ie(self):
        # Kattis: 42 and 43 only. A validator that ends with 0 (forgot its exit code) or 1 (a
        # Python exception) is broken, never an AC or a contestant's WA.
        for name, src in (("exits-zero", "import sys\nsys.stdin.read()\n"),
                          ("raises", "import sys\nraise ValueError(sys.argv[9])\n")):
            pid = ju.problem(self.url, "kattis-" + name, [("\n", "1\n")], checker="custom",
                             params={"protocol": "kattis"}, checker_language="python3",
                             checker_source=src)
            rows = self.verdicts(pid, {name: ("python3", "print(1)", "IE")})
            self.assertIn("checker failed", rows[name]["message"])

    def test_broken_checker_is_ie_never_ac(self):
        pid = ju.problem(self.url, "broken", [("\n", "1\n"), ("\n", "1\n")], checker="custom",
                         checker_language="c", checker_source="int main(void){return 3;}")
        rows = self.verdicts(pid, {"any": ("python3", "print(1)", "IE")})
        self.assertIn("checker failed", rows["any"]["message"])
        self.assertEqual([t[1] for t in ju.tests_of(self.url, rows["any"]["id"])],
                         ["IE", "SKIPPED"])
        pid = ju.problem(self.url, "crashing", [("\n", "1\n")], checker="custom",
                         checker_language="c",
                         checker_source="int main(void){volatile int *p=0;return *p;}")
        self.verdicts(pid, {"any": ("python3", "print(1)", "IE")})

    def test_problem_without_tests_is_ie_at_once(self):
        # Not a failure of the judge that another attempt could mend: IE on the first, saying why.
        pid = ju.problem(self.url, "no-tests", [])
        rows = self.verdicts(pid, {"any": ("python3", "print(1)", "IE")})
        self.assertEqual(rows["any"]["attempts"], 1, rows["any"])
        self.assertEqual(rows["any"]["message"], "the problem has no tests")
        self.assertEqual((rows["any"]["score"], rows["any"]["max_score"]), (0, 0))

    def test_checker_that_does_not_compile_is_ie_at_once(self):
        # The problem's fault: no other attempt would compile it better.
        pid = ju.problem(self.url, "ck-ce", [("\n", "1\n")], checker="custom",
                         checker_language="c", checker_source="int main(void) { return }")
        rows = self.verdicts(pid, {"any": ("python3", "print(1)", "IE")})
        self.assertEqual(rows["any"]["attempts"], 1, rows["any"])
        self.assertIn("the checker does not compile", rows["any"]["message"])
        # Out of the problem's points, as every other verdict of it.
        self.assertEqual((rows["any"]["score"], rows["any"]["max_score"]), (0, 1))

    def test_groups_are_all_or_nothing(self):
        tests = [("1\n", "1\n", 1), ("2\n", "2\n", 10, "a"), ("3\n", "3\n", 10, "a"),
                 ("4\n", "4\n", 5, "b"), ("5\n", "5\n", 5, "b")]
        pid = ju.problem(self.url, "groups", tests)
        rows = self.verdicts(pid, {
            "all": ("python3", "print(input())", "AC"),
            "not 3": ("python3", "n = input()\nprint(0 if n == '3' else n)", "WA"),
            "not 1": ("python3", "n = input()\nprint(0 if n == '1' else n)", "WA"),
        })
        self.assertEqual((rows["all"]["score"], rows["all"]["max_score"]), (31, 31))
        self.assertEqual(rows["not 3"]["score"], 1 + 10)
        self.assertEqual(rows["not 1"]["score"], 30)
        verdicts = [t[1] for t in ju.tests_of(self.url, rows["not 3"]["id"])]
        self.assertEqual(verdicts, ["AC", "AC", "WA", "AC", "AC"])  # all run: no stop flag

    def test_rejudge_replaces_results(self):
        import os
        import subprocess
        pid = ju.problem(self.url, "rejudged", [("1\n", "1\n"), ("2\n", "2\n")])
        rows = self.verdicts(pid, {"echo": ("python3", "print(input())", "AC"),
                                   "one": ("python3", "print(1)", "WA")})
        # The answers change (a new problem version): the old verdicts no longer hold.
        ju.q(self.url, "UPDATE test_cases SET output_hash = '%s' WHERE problem_id = %d;"
                       " UPDATE problems SET version = version + 1 WHERE id = %d"
                       % (ju.blob(self.url, "1\n"), pid, pid))
        out = subprocess.run([os.path.join(gavel_test.BIN, "gavel"), "rejudge", "rejudged"],
                             env=self.env, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("2 submission(s) queued", out.stdout)
        again = ju.wait(self.url, "submissions", [r["id"] for r in rows.values()])
        self.assertEqual(again[rows["echo"]["id"]]["verdict"], "WA")
        self.assertEqual(again[rows["one"]["id"]]["verdict"], "AC")
        self.assertEqual(ju.q(self.url, "SELECT string_agg(DISTINCT problem_version::text, ',')"
                                        " FROM submissions WHERE problem_id = %d" % pid), "2")
        self.assertEqual(len(ju.tests_of(self.url, rows["one"]["id"])), 2)


if __name__ == "__main__":
    gavel_test.main()
