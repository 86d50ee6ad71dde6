"""Service routes: /healthz (up and with the database gone), /metrics, /languages; and
contest submissions through db_contest_admit."""

import datetime
import re

import gavel_test
from apitest import ApiCase, problem


def rfc3339(delta_s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Service(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000"}

    def test_healthz(self):
        st, body, _ = self.api("GET", "/healthz")
        self.assertEqual(st, 200, body)
        self.assertEqual((body["status"], body["database"]), ("ok", "ok"))

    def test_languages(self):
        st, body, _ = self.api("GET", "/api/v1/languages")
        self.assertEqual(st, 200, body)
        ids = {l["id"]: l for l in body}
        self.assertTrue({"c", "cpp", "python3", "java", "javascript"} <= set(ids))
        self.assertEqual(ids["cpp"]["time_limit_ms"], 1000)
        self.assertEqual(ids["java"]["source_file"], "Main.java")
        for l in body:
            self.assertEqual(set(l), {"id", "name", "version", "time_limit_ms",
                                      "memory_limit_mb", "source_file"})

    def test_metrics(self):
        tok = self.login("stu")
        self.make_problem("m")
        sid = self.submit(tok, "m")[1]["id"]
        self.finish_submission(sid, "AC")
        self.submit(tok, "m")
        self.api("GET", "/api/v1/problems/m", token=tok)
        self.api("GET", "/api/v1/problems/zzz", token=tok)
        st, text, hdr = self.api("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(hdr["Content-Type"].startswith("text/plain"))
        text = text.decode()
        self.assertIn('gavel_http_requests_total{method="GET",route="/api/v1/problems/{slug}",'
                      'status="200"} 1', text)
        self.assertIn('gavel_http_requests_total{method="GET",route="/api/v1/problems/{slug}",'
                      'status="404"} 1', text)
        self.assertRegex(text, r'gavel_http_request_duration_seconds_bucket\{method="GET",'
                               r'route="/api/v1/problems/\{slug\}",le="\+Inf"\} 2')
        self.assertRegex(text, r'gavel_queue_depth\{kind="submission",status="queued"\} [1-9]')
        self.assertIn('gavel_verdicts{verdict="AC"} 1', text)
        self.assertIn("gavel_database_up 1", text)
        # Every sample line is valid exposition format.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{.*\})? [0-9.e+-]+$')
        # The route needs no token: what it reads from the database is kept a few seconds, so
        # scrapes however frequent cost one count a while: a verdict just recorded is not yet here.
        sid = self.submit(tok, "m")[1]["id"]
        self.finish_submission(sid, "AC")
        again = self.api("GET", "/metrics")[1].decode()
        self.assertIn('gavel_verdicts{verdict="AC"} 1', again)

    def test_contest_submission(self):
        teacher, stu = self.login("teacher"), self.login("cstu")
        self.make_problem("cp")
        self.make_problem("notin")
        for slug, start, end in (("live", -3600, 3600), ("later", 3600, 7200)):
            st, body, _ = self.api("POST", "/api/v1/contests", {
                "slug": slug, "title": "Contest " + slug, "starts_at": rfc3339(start),
                "ends_at": rfc3339(end), "problems": [{"problem": "cp", "label": "A"}]},
                token=teacher)
            if st == 404:
                self.skipTest("no contest routes in this build")
            self.assertEqual(st, 201, body)
        st, body, _ = self.submit(stu, "cp", contest="live")
        self.assertEqual(st, 202, body)
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % body["id"], token=stu)
        self.assertEqual(s["contest"], "live")
        self.assertError(self.submit(stu, "cp", contest="later"), 400, "contest")
        self.assertError(self.submit(stu, "notin", contest="live"), 400, "contest")
        self.assertError(self.submit(stu, "cp", contest="ghost"), 404, "contest")
        self.assertError(self.submit(stu, "ghost", contest="live"), 404, "problem")
        self.assertError(self.submit(stu, "cp", contest="live", language="cobol"), 400,
                         "language")


class DatabaseDown(ApiCase):
    """gavel-api started against a database that does not exist: it starts, says why it is
    unhealthy and answers 503 where it needs the database."""

    @classmethod
    def start_api(cls, **extra_env):
        extra_env["GAVEL_DATABASE_URL"] = gavel_test.db_url("no_such_database_here")
        return super().start_api(**extra_env)

    def test_unavailable(self):
        st, body, _ = self.api("GET", "/healthz")
        self.assertEqual(st, 503, body)
        self.assertEqual(body["status"], "unavailable")
        self.assertTrue(body["reason"])
        self.assertError(self.api("GET", "/api/v1/languages"), 503)
        self.assertError(self.api("POST", "/api/v1/sessions",
                                  {"username": "admin", "password": "x"}), 503)
        st, text, _ = self.api("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertIn(b"gavel_database_up 0", text)


if __name__ == "__main__":
    gavel_test.main()
