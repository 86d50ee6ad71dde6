"""Fair judging and checked checkers, over HTTP with a real judge (labels integration,
privileged): one student's sleeping programs do not delay another student's answer, a sleeper
is stopped at its limit plus a small margin, a problem without points stops at its first failed
test, a failed group skips the rest of itself, a checker that does not compile is refused at
upload with the compiler's message and nothing stored, and an IE says the problem is at fault.

Assertions are on order and on verdicts, never on how fast this machine is: time bounds are
wide (a sleeper is stopped at 1.5 s; the test allows anything below 10 s)."""

import io
import json
import os
import unittest
import zipfile

import gavel_test
from apitest import ApiCase

C_SUM = "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);" \
        "printf(\"%ld\\n\",a+b);return 0;}\n"
C_SLEEP = "#include <unistd.h>\nint main(void){sleep(30);return 0;}\n"
C_WRONG = "#include <stdio.h>\nint main(void){puts(\"0\");return 0;}\n"
CHECKER_OK = r"""
#include <stdio.h>
int main(int argc, char **argv) {
    long out, ans;
    FILE *fo = fopen(argv[2], "r"), *fa = fopen(argv[3], "r");
    if (!fo || !fa || fscanf(fa, "%ld", &ans) != 1) return 3;
    if (fscanf(fo, "%ld", &out) != 1 || out != ans) { printf("wrong\n"); return 1; }
    return 0;
}
"""
CHECKER_BROKEN = "int main(int argc, char **argv) { return undefined_name; }\n"
CHECKER_FAILS = "int main(void) { return 3; }\n"  # compiles, then fails on every test


def tests_of(n, points):
    return [{"input": "%d %d\n" % (i, i), "output": "%d\n" % (2 * i), "points": points}
            for i in range(1, n + 1)]


@unittest.skipUnless(os.geteuid() == 0, "the judge's sandbox needs root")
class Fair(ApiCase):
    judge_workers = 1  # one worker: the order of judging is the order of claiming
    api_env = {"GAVEL_RATE_BURST": "100", "GAVEL_CHECKER_WAIT_S": "120"}

    def create(self, body, status=201):
        st, p, hdr = self.api("POST", "/api/v1/problems", body, token=self.login("teacher"))
        self.assertEqual(st, status, p)
        return p, hdr

    def test_sleepers_do_not_delay_another_students_answer(self):
        # ICPC style: no points, so a sleeper's first test settles it.
        p, _ = self.create({"slug": "icpc", "title": "ICPC sum", "tests": tests_of(5, 0)})
        self.assertTrue(p["stop_on_first_failure"], p)
        alice, bob = self.login("alice"), self.login("bob")
        sleepers = []
        for _ in range(4):
            st, body, _ = self.submit(alice, "icpc", source=C_SLEEP, language="c")
            self.assertEqual(st, 202, body)
            sleepers.append(body["id"])
        st, body, _ = self.submit(bob, "icpc", source=C_SUM, language="c")
        self.assertEqual(st, 202, body)
        answer = self.wait_submission(body["id"], bob)
        self.assertEqual(answer["verdict"], "AC", answer)
        done = [self.wait_submission(s, alice) for s in sleepers]
        order = gavel_test.psql(self.url, "SELECT string_agg(id::text, ' ' ORDER BY judged_at)"
                                " FROM submissions").split()
        # Bob's answer is judged first or right after Alice's first sleeper, never behind
        # her second: one worker, so judged order is claim order.
        self.assertLess(order.index(str(body["id"])), order.index(str(sleepers[1])), order)
        for d in done:
            self.assertEqual(d["verdict"], "TLE", d)
            self.assertEqual([t["verdict"] for t in d["tests"]], ["TLE"] + ["SKIPPED"] * 4, d)
            # Stopped at its limit (1 s) plus the margin, not after 3x + 2 s.
            self.assertGreaterEqual(d["tests"][0]["time_ms"], 1000, d)
            self.assertLess(d["tests"][0]["time_ms"], 10000, d)

    def test_scored_problem_runs_what_its_score_needs(self):
        tests = tests_of(2, 1) + [dict(t, group="g", points=5) for t in tests_of(3, 0)]
        p, _ = self.create({"slug": "scored", "title": "Scored", "tests": tests})
        self.assertFalse(p["stop_on_first_failure"], p)
        stu = self.login("carol")
        st, body, _ = self.submit(stu, "scored", source=C_WRONG, language="c")
        self.assertEqual(st, 202, body)
        d = self.wait_submission(body["id"], stu)
        # The two single tests run (each has its points); the group stops at its first failure.
        self.assertEqual([t["verdict"] for t in d["tests"]],
                         ["WA", "WA", "WA", "SKIPPED", "SKIPPED"], d)
        self.assertEqual([t["points"] for t in d["tests"]], [0] * 5, d)
        # Set explicitly, the problem's own choice wins.
        p, _ = self.create({"slug": "icpc-all", "title": "All", "tests": tests_of(2, 0),
                            "stop_on_first_failure": False})
        self.assertFalse(p["stop_on_first_failure"], p)

    def test_checker_that_does_not_compile_is_refused_and_nothing_stored(self):
        base = {"title": "Checked", "tests": tests_of(2, 1)}
        st, err, _ = self.api("POST", "/api/v1/problems", dict(
            base, slug="badck", checker={"kind": "custom", "language": "cpp",
                                         "source": CHECKER_BROKEN}), token=self.login("teacher"))
        self.assertEqual(st, 400, err)
        self.assertEqual(err["error"]["field"], "checker.source", err)
        self.assertIn("undefined_name", err["error"]["message"], err)
        self.assertError(self.api("GET", "/api/v1/problems/badck", token=self.login("teacher")),
                         404)
        # The same in a package: the file is named.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("problem.json", json.dumps({"title": "Pkg", "checker": {
                "kind": "custom", "source": "checker.cpp"}}))
            z.writestr("checker.cpp", CHECKER_BROKEN)
            z.writestr("tests/01.in", "1 1\n")
            z.writestr("tests/01.out", "2\n")
        st, err, _ = self.api("POST", "/api/v1/problems/badpkg/package", raw=buf.getvalue(),
                              token=self.login("teacher"),
                              headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 400, err)
        self.assertEqual(err["error"]["field"], "checker.cpp", err)
        self.assertIn("undefined_name", err["error"]["message"], err)
        self.assertEqual(gavel_test.psql(self.url, "SELECT count(*) FROM problems WHERE slug"
                                         " IN ('badck', 'badpkg')"), "0")
        # A checker that compiles is accepted, and nothing is left in the build queue.
        self.create(dict(base, slug="goodck", checker={"kind": "custom", "language": "c",
                                                       "source": CHECKER_OK}))
        self.assertEqual(gavel_test.psql(self.url, "SELECT count(*) FROM checker_builds"), "0")

    def test_problem_fault_is_said_to_the_student(self):
        self.create({"slug": "faulty", "title": "Faulty", "tests": tests_of(2, 1),
                     "checker": {"kind": "custom", "language": "c", "source": CHECKER_FAILS}})
        stu = self.login("dave")
        st, body, _ = self.submit(stu, "faulty", source=C_SUM, language="c")
        self.assertEqual(st, 202, body)
        d = self.wait_submission(body["id"], stu)
        self.assertEqual(d["verdict"], "IE", d)
        self.assertEqual(d["fault"], "problem", d)
        self.assertIn("problem is at fault, not your program", d["message"], d)
        st, staff, _ = self.api("GET", "/api/v1/submissions/%d" % body["id"],
                                token=self.login("teacher"))
        self.assertEqual(staff["fault"], "problem", staff)


if __name__ == "__main__":
    gavel_test.main()
