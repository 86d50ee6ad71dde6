"""The judge behind the real API (label integration;privileged): a submission posted to
/api/v1/submissions and a run posted to /api/v1/runs come back judged through ?wait=."""

import base64
import os
import time

import gavel_test

SRC = os.environ.get("GAVEL_SOURCE_DIR", "")


class ThroughTheApi(gavel_test.GavelCase):
    judge_workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if os.geteuid() != 0:
            raise __import__("unittest").SkipTest("the sandbox needs root")
        cls.gavel("import", os.path.join(SRC, "problems", "a-plus-b"))

    def submit(self, tok, lang, source):
        st, body, _ = self.api("POST", "/api/v1/submissions",
                               {"problem": "a-plus-b", "language": lang, "source": source},
                               token=tok)
        self.assertEqual(st, 202, body)
        return body["id"]

    def test_submissions_are_judged(self):
        tok = self.login("judged")
        with open(os.path.join(SRC, "problems", "a-plus-b", "solutions", "AC", "sum.py")) as f:
            ac = f.read()
        started = time.time()
        sid = self.submit(tok, "python3", ac)
        body = self.wait_submission(sid, tok)
        elapsed = time.time() - started
        self.assertEqual(body["verdict"], "AC", body)
        self.assertEqual(body["score"], body["max_score"])
        self.assertTrue(body["tests"] and all(t["verdict"] == "AC" for t in body["tests"]), body)
        self.assertLess(elapsed, 30)
        ce = self.wait_submission(self.submit(tok, "cpp", "int main() { return x; }"), tok)
        self.assertEqual(ce["verdict"], "CE")
        self.assertIn("error", ce["compile_output"])
        wa = self.wait_submission(self.submit(tok, "c", "int main(void){return 0;}"), tok)
        self.assertEqual((wa["verdict"], wa["score"]), ("WA", 0))

    def test_runs_are_run(self):
        tok = self.login("runner")
        st, body, _ = self.api("POST", "/api/v1/runs", {
            "language": "python3", "source": "print(sum(map(int, input().split())))",
            "stdin": "2 40\n"}, token=tok)
        self.assertEqual(st, 202, body)
        rid = body["id"]
        deadline = time.time() + 60
        while time.time() < deadline:
            st, run, _ = self.api("GET", "/api/v1/runs/%d?wait=20" % rid, token=tok)
            self.assertEqual(st, 200, run)
            if run["status"] == "done":
                break
        self.assertEqual((run["verdict"], run["exit_code"]), ("OK", 0), run)
        out = run["stdout"]
        if not out.strip().isdigit():  # bytes may travel as base64
            out = base64.b64decode(out).decode()
        self.assertEqual(out.strip(), "42")


if __name__ == "__main__":
    gavel_test.main()
