"""Helpers shared by the gavel-api tests: a sample problem, psql shortcuts, error checks."""

import gavel_test


def problem(slug, visibility="public", **extra):
    """A whole problem, as POST takes it and PUT needs it (every field a replacement would
    otherwise reset is there)."""
    body = {
        "slug": slug,
        "title": "Sum of " + slug,
        "statement": "Read a and b, print a+b.",
        "visibility": visibility,
        "memory_limit_mb": None,
        "time_limits_ms": {},
        "checker": {"kind": "tokens"},
        "stop_on_first_failure": False,
        "tests": [
            {"input": "1 2\n", "output": "3\n", "sample": True, "points": 1},
            {"input": "5 5\n", "output": "10\n", "points": 2, "group": "big"},
            {"input": "7 8\n", "output": "15\n", "points": 3, "group": "big"},
        ],
    }
    body.update(extra)
    return body


class ApiCase(gavel_test.GavelCase):
    judge_workers = 0

    def sql(self, query):
        return gavel_test.psql(self.url, query)

    def assertError(self, result, status, field=None):
        st, body, _ = result
        self.assertEqual(st, status, body)
        self.assertIsInstance(body, dict, body)
        self.assertIn("error", body, body)
        err = body["error"]
        self.assertIsInstance(err.get("code"), str)
        self.assertIsInstance(err.get("message"), str)
        if field is not None:
            self.assertEqual(err.get("field"), field, body)
        return err

    def make_problem(self, slug, token=None, **kw):
        st, body, _ = self.api("POST", "/api/v1/problems", problem(slug, **kw),
                               token=token or self.login("teacher"))
        self.assertEqual(st, 201, body)
        return body

    def submit(self, token, problem_slug, source="print(1)", language="python3", **extra):
        body = {"problem": problem_slug, "language": language, "source": source}
        body.update(extra)
        return self.api("POST", "/api/v1/submissions", body, token=token)

    def finish_submission(self, sid, verdict="AC", score=6):
        self.sql("UPDATE submissions SET status='done', verdict='%s', score=%d, max_score=6,"
                 " time_ms=12, memory_kb=3400, judged_at=now() WHERE id=%d"
                 % (verdict, score, int(sid)))
