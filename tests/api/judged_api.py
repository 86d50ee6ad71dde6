"""End to end: gavel-api and a real gavel-judge meet only through PostgreSQL. A submission is
judged and ?wait= answers as soon as the verdict lands; a run comes back with its output
(labels integration, privileged: the judge's sandbox needs root)."""

import os
import unittest

import gavel_test
from apitest import ApiCase, problem

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_CPP = "#include <cstdio>\nint main(){long a,b;scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);}\n"


@unittest.skipUnless(os.geteuid() == 0, "the judge's sandbox needs root")
class Judged(ApiCase):
    judge_workers = 1
    api_env = {"GAVEL_RATE_BURST": "100"}

    def test_submission_judged(self):
        self.make_problem("sum")
        stu = self.login("stu")
        verdicts = {}
        for name, lang, src in (("py", "python3", SUM_PY), ("cpp", "cpp", SUM_CPP),
                                ("wrong", "python3", "print(0)"), ("ce", "cpp", "int main( {")):
            st, body, _ = self.submit(stu, "sum", source=src, language=lang)
            self.assertEqual(st, 202, body)
            verdicts[name] = self.wait_submission(body["id"], stu)
        self.assertEqual(verdicts["py"]["verdict"], "AC", verdicts["py"])
        self.assertEqual(verdicts["py"]["score"], 6)
        self.assertEqual([t["verdict"] for t in verdicts["py"]["tests"]], ["AC"] * 3)
        self.assertEqual(verdicts["cpp"]["verdict"], "AC", verdicts["cpp"])
        self.assertEqual(verdicts["wrong"]["verdict"], "WA")
        self.assertEqual(verdicts["ce"]["verdict"], "CE")
        self.assertTrue(verdicts["ce"]["compile_output"])
        st, prof, _ = self.api("GET", "/api/v1/users/stu")
        self.assertEqual((prof["solved"], prof["score"]), (1, 6))

    def test_run(self):
        stu = self.login("runner")
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3",
                                                        "source": SUM_PY, "stdin": "20 22\n"},
                               token=stu)
        self.assertEqual(st, 202, body)
        for _ in range(6):
            st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=20" % body["id"], token=stu)
            if r["status"] == "done":
                break
        self.assertEqual((r["status"], r["verdict"], r["stdout"], r["exit_code"]),
                         ("done", "OK", "42\n", 0), r)

    def test_post_waits_for_the_result(self):
        # POST ...?wait=S answers with the finished resource, as GET ?wait=S would.
        self.make_problem("sumw")
        stu = self.login("waiter")
        for _ in range(3):  # a busy judge may need longer than one wait: then 201, not done
            st, r, hdr = self.api("POST", "/api/v1/runs?wait=30",
                                  {"language": "python3", "source": SUM_PY, "stdin": "1 2\n"},
                                  token=stu)
            self.assertEqual(st, 201, r)
            self.assertEqual(hdr["Location"], "/api/v1/runs/%d" % r["id"])
            if r["status"] == "done":
                break
        self.assertEqual((r["status"], r["verdict"], r["stdout"]), ("done", "OK", "3\n"), r)
        for _ in range(3):
            st, s, hdr = self.api("POST", "/api/v1/submissions?wait=30",
                                  {"problem": "sumw", "language": "python3", "source": SUM_PY},
                                  token=stu)
            self.assertEqual(st, 201, s)
            if s["status"] == "done":
                break
        self.assertEqual((s["status"], s["verdict"], s["score"]), ("done", "AC", 6), s)
        self.assertEqual(len(s["tests"]), 3)
        # A bad wait is refused before anything is made; no wait answers 202 at once.
        runs = self.sql("SELECT count(*) FROM runs")
        for target in ("/api/v1/runs?wait=x", "/api/v1/runs?wait=61", "/api/v1/runs?other=1"):
            st, err, _ = self.api("POST", target, {"language": "python3", "source": SUM_PY},
                                  token=stu)
            self.assertEqual(st, 400, err)
            self.assertIn(err["error"]["field"], ("wait", "other"))
        self.assertEqual(self.sql("SELECT count(*) FROM runs"), runs)
        st, r, _ = self.api("POST", "/api/v1/runs?wait=0",
                            {"language": "python3", "source": SUM_PY}, token=stu)
        self.assertEqual((st, r["status"]), (202, "queued"), r)


if __name__ == "__main__":
    gavel_test.main()
