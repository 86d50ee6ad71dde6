"""Real answers of every route, checked against api/openapi.json with a real JSON Schema
validator (python3-jsonschema, Draft 2020-12, the dialect of OpenAPI 3.1 schemas): the status
must be one the document lists for that operation, and the body must match the schema it gives
for that status, `required` members included. Every operation of the document is called at
least once, so a route added without a call here, or an answer that drifts from the document,
fails this test."""

import io
import json
import os
import re
import zipfile

import jsonschema

import gavel_test
from apitest import ApiCase, problem

DOC_PATH = os.path.join(gavel_test.SRC, "api", "openapi.json")


def pointer(*parts):
    """A JSON pointer (RFC 6901) to the given members."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class OpenApi(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_CHECKER_WAIT_S": "1"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(DOC_PATH) as f:
            cls.doc = json.load(f)
        cls.ops = {}
        for path, item in cls.doc["paths"].items():
            rx = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
            for method, op in item.items():
                if method in ("get", "put", "post", "patch", "delete"):
                    cls.ops[(method.upper(), path)] = (rx, op)
        cls.called = set()
        cls.drift = []

    # --- the check ---

    def validator(self, ref):
        """A validator of the schema at ref, with the whole document as its root so that every
        #/components/... reference resolves (jsonschema 4.10 and later alike)."""
        root = dict(self.doc)
        root["$ref"] = ref
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return jsonschema.Draft202012Validator(root)

    def check(self, method, target, body=None, token=None, raw=None, headers=None, want=None):
        """Calls the API and checks the answer against the document; returns it."""
        st, got, hdr = self.api(method, target, body, token=token, raw=raw, headers=headers)
        path = target.split("?", 1)[0]
        found = [(tpl, op) for (m, tpl), (rx, op) in self.ops.items()
                 if m == method and rx.match(path)]
        # The most literal template wins (/sessions/current over /sessions/{id}).
        found.sort(key=lambda x: x[0].count("{"))
        self.assertTrue(found, "%s %s: not in the document" % (method, path))
        tpl, op = found[0]
        self.called.add((method, tpl))
        where = "%s %s -> %d" % (method, target, st)
        if want is not None:
            self.assertEqual(st, want, "%s: %s" % (where, got))
        if str(st) not in op["responses"]:
            self.drift.append("%s: status not documented (%s)" % (where, str(got)[:300]))
            return st, got, hdr
        resp = op["responses"][str(st)]
        content = resp.get("content", {})
        ctype = hdr.get("Content-Type", "")
        if not content:
            if got != b"":
                self.drift.append("%s: a body where the document has none: %s"
                                  % (where, str(got)[:300]))
            return st, got, hdr
        if "application/json" in content:
            self.assertTrue(ctype.startswith("application/json"), "%s: %s" % (where, ctype))
            ref = pointer("paths", tpl, method.lower(), "responses", str(st), "content",
                          "application/json", "schema")
            errors = sorted(self.validator(ref).iter_errors(got), key=lambda e: list(e.path))
            if errors:
                self.drift.append("%s: the answer does not match the document:\n%s\n  %s"
                                  % (where, "\n".join("  at /%s: %s" % (
                                      "/".join(map(str, e.path)), e.message[:300])
                                      for e in errors[:10]), json.dumps(got)[:1500]))
        else:
            if not any(ctype.startswith(c.split(";")[0]) for c in content):
                self.drift.append("%s: Content-Type %s, documented %s"
                                  % (where, ctype, sorted(content)))
        return st, got, hdr

    # --- every route ---

    def test_1_every_route_answers_as_documented(self):
        c = self.check
        admin = self.login("oa-admin", role="admin")
        teacher = self.login("oa-teacher", role="instructor")
        stu = self.login("oa-stu")

        # service
        c("GET", "/healthz", want=200)
        c("GET", "/metrics", want=200)
        c("GET", "/api/v1/languages", want=200)
        c("GET", "/api/v1/config", want=200)
        c("GET", "/api/v1/config?colour=1", want=400)

        # accounts
        c("POST", "/api/v1/users", {"username": "oa-new", "password": "a long password 1"},
          want=201)
        c("POST", "/api/v1/users", {"username": "oa-new", "password": "a long password 1"},
          want=409)
        c("POST", "/api/v1/users", {"username": "", "password": "x"}, want=400)
        c("POST", "/api/v1/users", raw=b"{}", headers={"Content-Type": "text/plain"}, want=415)
        c("GET", "/api/v1/users/oa-stu", token=stu, want=200)
        c("GET", "/api/v1/users/oa-stu", token=admin, want=200)
        c("GET", "/api/v1/users/nobody-here", token=admin, want=404)
        _, users, _ = c("GET", "/api/v1/users?limit=1", token=admin, want=200)
        c("GET", "/api/v1/users?limit=1&cursor=" + users["next_cursor"], token=admin, want=200)
        c("GET", "/api/v1/users?role=emperor", token=admin, want=400)
        c("GET", "/api/v1/users", token=stu, want=403)
        c("PATCH", "/api/v1/users/oa-stu", {"display_name": "Stu Dent"}, token=stu, want=200)
        c("PATCH", "/api/v1/users/oa-teacher", {"display_name": "X"}, token=stu, want=403)
        c("PATCH", "/api/v1/users/oa-stu", {"colour": 1}, token=stu, want=400)
        _, s, _ = c("POST", "/api/v1/sessions",
                    {"username": "oa-new", "password": "a long password 1"}, want=201)
        c("POST", "/api/v1/sessions", {"username": "oa-new", "password": "wrong password"},
          want=401)
        c("GET", "/api/v1/me", token=s["token"], want=200)
        c("GET", "/api/v1/me", want=401)
        c("DELETE", "/api/v1/sessions/current", token=s["token"], want=204)
        c("DELETE", "/api/v1/sessions/current", token=s["token"], want=401)

        # problems
        c("POST", "/api/v1/problems", problem("oa-p"), token=teacher, want=201)
        c("POST", "/api/v1/problems", problem("oa-p"), token=teacher, want=409)
        c("POST", "/api/v1/problems", problem("oa-p2"), token=stu, want=403)
        c("POST", "/api/v1/problems", problem("Bad Slug"), token=teacher, want=400)
        c("POST", "/api/v1/problems", problem("oa-f", checker={
            "kind": "float", "abs": 0.5, "case_sensitive": False}), token=teacher, want=201)
        c("GET", "/api/v1/problems", want=401)
        _, lst, _ = c("GET", "/api/v1/problems?limit=1", token=stu, want=200)
        c("GET", "/api/v1/problems?limit=1&cursor=" + lst["next_cursor"], token=stu, want=200)
        c("GET", "/api/v1/problems?limit=0", token=stu, want=400)
        c("GET", "/api/v1/problems/oa-p", token=stu, want=200)
        c("GET", "/api/v1/problems/oa-f", token=stu, want=200)
        _, full, _ = c("GET", "/api/v1/problems/oa-p?include=tests", token=teacher, want=200)
        c("GET", "/api/v1/problems/oa-p?include=tests", token=stu, want=403)
        c("GET", "/api/v1/problems/oa-p?include=all", token=stu, want=400)
        c("GET", "/api/v1/problems/nope", token=stu, want=404)
        c("PUT", "/api/v1/problems/oa-p", full, token=teacher, want=200)
        c("PUT", "/api/v1/problems/oa-p", {"title": "x"}, token=teacher, want=400)
        c("PUT", "/api/v1/problems/oa-p", full, token=stu, want=403)
        c("PATCH", "/api/v1/problems/oa-p", {"title": "Patched"}, token=teacher, want=200)
        c("PATCH", "/api/v1/problems/nope", {"title": "x"}, token=teacher, want=404)
        c("GET", "/api/v1/problems/oa-p/tests", token=teacher, want=200)
        c("GET", "/api/v1/problems/oa-p/tests", token=stu, want=403)
        c("POST", "/api/v1/problems/oa-p/rejudge", token=teacher, want=202)
        c("POST", "/api/v1/problems/oa-p/rejudge", token=stu, want=403)

        # packages
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("problem.yaml", "name: Echo\nlimits:\n  time_limit: 1\n")
            z.writestr("problem_statement/problem.en.md", "Echo.\n")
            z.writestr("data/sample/1.in", "1\n")
            z.writestr("data/sample/1.ans", "1\n")
            z.writestr("data/secret/1.in", "2\n")
            z.writestr("data/secret/1.ans", "2\n")
            z.writestr("submissions/accepted/echo.py", "print(input())\n")
        zipped = {"Content-Type": "application/zip"}
        c("POST", "/api/v1/problems/oa-pkg/package", raw=buf.getvalue(), headers=zipped,
          token=teacher, want=201)
        c("POST", "/api/v1/problems/oa-pkg/package", raw=buf.getvalue(), headers=zipped,
          token=teacher, want=200)
        c("POST", "/api/v1/problems/oa-pkg2/package", raw=b"not a zip", headers=zipped,
          token=teacher, want=400)
        c("GET", "/api/v1/problems/oa-pkg/package", token=teacher, want=200)
        c("GET", "/api/v1/problems/oa-pkg/package", token=stu, want=403)
        c("POST", "/api/v1/problems/oa-pkg/verify", token=teacher, want=202)
        c("GET", "/api/v1/problems/oa-pkg/verify", token=teacher, want=200)
        c("GET", "/api/v1/problems/oa-pkg/verify", token=stu, want=403)

        # submissions and runs (no judge runs here: they stay queued)
        _, sub, _ = c("POST", "/api/v1/submissions",
                      {"problem": "oa-p", "language": "python3", "source": "print(3)"},
                      token=stu, want=202)
        c("POST", "/api/v1/submissions", {"problem": "oa-p", "language": "cobol",
                                          "source": "x"}, token=stu, want=400)
        c("POST", "/api/v1/submissions", {"problem": "nope", "language": "python3",
                                          "source": "x"}, token=stu, want=404)
        c("GET", "/api/v1/submissions", token=stu, want=200)
        c("GET", "/api/v1/submissions?verdict=MAYBE", token=stu, want=400)
        c("GET", "/api/v1/submissions/%s" % sub["id"], token=stu, want=200)
        c("GET", "/api/v1/submissions/%s" % sub["id"], token=teacher, want=200)
        c("GET", "/api/v1/submissions/999999", token=stu, want=404)
        self.finish_submission(sub["id"])
        c("POST", "/api/v1/submissions/%s/rejudge" % sub["id"], token=stu, want=403)
        c("POST", "/api/v1/submissions/%s/rejudge" % sub["id"], token=teacher, want=202)
        c("POST", "/api/v1/submissions/999999/rejudge", token=teacher, want=404)
        self.finish_submission(sub["id"])
        c("GET", "/api/v1/submissions/%s" % sub["id"], token=stu, want=200)
        _, run, _ = c("POST", "/api/v1/runs", {"language": "python3", "source": "print(1)"},
                      token=stu, want=202)
        c("POST", "/api/v1/runs", {"language": "python3"}, token=stu, want=400)
        c("GET", "/api/v1/runs/%s" % run["id"], token=stu, want=200)
        c("GET", "/api/v1/runs/999999", token=stu, want=404)
        c("DELETE", "/api/v1/problems/oa-p", token=teacher, want=409)
        c("POST", "/api/v1/problems", problem("oa-gone"), token=teacher, want=201)
        c("DELETE", "/api/v1/problems/oa-gone", token=stu, want=403)
        c("DELETE", "/api/v1/problems/oa-gone", token=teacher, want=204)

        # contests and leaderboards
        contest = {"slug": "oa-c", "title": "Round", "starts_at": "2020-01-01T00:00:00Z",
                   "ends_at": "2030-01-01T00:00:00Z", "freeze_at": None, "scoring": "icpc",
                   "visibility": "public",
                   "problems": [{"problem": "oa-p", "label": "A", "points": None}]}
        c("POST", "/api/v1/contests", contest, token=teacher, want=201)
        c("POST", "/api/v1/contests", contest, token=teacher, want=409)
        c("POST", "/api/v1/contests", dict(contest, slug="oa-c2"), token=stu, want=403)
        c("POST", "/api/v1/contests", dict(contest, slug="oa-c2", scoring="golf"),
          token=teacher, want=400)
        c("POST", "/api/v1/contests", dict(contest, slug="oa-up", starts_at="2029-01-01T00:00:00Z",
                                           ends_at="2029-02-01T00:00:00Z"),
          token=teacher, want=201)
        _, lst, _ = c("GET", "/api/v1/contests?limit=1", want=200)
        c("GET", "/api/v1/contests?limit=1&cursor=" + lst["next_cursor"], token=stu, want=200)
        c("GET", "/api/v1/contests?cursor=nope", want=400)
        _, got, _ = c("GET", "/api/v1/contests/oa-c", token=teacher, want=200)
        c("GET", "/api/v1/contests/oa-up", want=200)
        c("GET", "/api/v1/contests/nope", want=404)
        c("PUT", "/api/v1/contests/oa-c", got, token=teacher, want=200)
        c("PUT", "/api/v1/contests/oa-c", {"title": "x"}, token=teacher, want=400)
        c("PUT", "/api/v1/contests/oa-c", got, token=stu, want=403)
        c("PATCH", "/api/v1/contests/oa-c", {"title": "Patched"}, token=teacher, want=200)
        c("PATCH", "/api/v1/contests/nope", {"title": "x"}, token=teacher, want=404)
        c("POST", "/api/v1/contests/oa-c/participants", {"usernames": ["oa-stu"]},
          token=teacher, want=200)
        c("POST", "/api/v1/contests/oa-c/participants", {"usernames": ["nobody-here"]},
          token=teacher, want=400)
        c("GET", "/api/v1/contests/oa-c/participants", token=teacher, want=200)
        c("GET", "/api/v1/contests/oa-c/participants", token=stu, want=403)
        c("POST", "/api/v1/contests/oa-c/participants", {"usernames": ["oa-admin"]},
          token=teacher, want=200)
        c("DELETE", "/api/v1/contests/oa-c/participants/oa-admin", token=stu, want=403)
        c("DELETE", "/api/v1/contests/oa-c/participants/oa-admin", token=teacher, want=204)
        c("DELETE", "/api/v1/contests/oa-c/participants/nobody-here", token=teacher, want=404)
        c("POST", "/api/v1/contests/oa-c/unfreeze", token=teacher, want=200)
        c("POST", "/api/v1/contests/oa-c/unfreeze", token=stu, want=403)
        for who in ("oa-stu", "oa-stu2"):
            _, s, _ = c("POST", "/api/v1/submissions",
                        {"problem": "oa-p", "language": "python3", "source": "print(3)",
                         "contest": "oa-c"}, token=self.login(who), want=202)
            self.finish_submission(s["id"])
        _, lb, _ = c("GET", "/api/v1/contests/oa-c/leaderboard?limit=1", want=200)
        c("GET", "/api/v1/contests/oa-c/leaderboard?limit=1&cursor=" + lb["next_cursor"],
          token=teacher, want=200)
        c("GET", "/api/v1/contests/oa-c/leaderboard?offset=1", token=stu, want=200)
        c("GET", "/api/v1/contests/oa-up/leaderboard", token=stu, want=200)
        c("GET", "/api/v1/contests/oa-c/leaderboard?limit=0", want=400)
        c("GET", "/api/v1/contests/oa-c/leaderboard", token="not-a-token", want=401)
        c("GET", "/api/v1/contests/nope/leaderboard", want=404)
        _, lb, _ = c("GET", "/api/v1/leaderboard?limit=1", want=200)
        c("GET", "/api/v1/leaderboard?limit=1&cursor=" + lb["next_cursor"], want=200)
        c("GET", "/api/v1/leaderboard?limit=500", want=400)
        c("DELETE", "/api/v1/contests/oa-c", token=teacher, want=409)
        c("DELETE", "/api/v1/contests/oa-up", token=stu, want=403)
        c("DELETE", "/api/v1/contests/oa-up", token=teacher, want=204)

        self.assertFalse(self.drift, "\n".join(self.drift))
        # Every operation of the document was called.
        missing = sorted(set((m, p) for m, p in self.ops) - self.called)
        self.assertFalse(missing, "operations never called here: %s" % missing)

    def test_2_the_check_fails_on_a_drift(self):
        """The check itself: an answer missing a required member, or of the wrong type, or
        with an undocumented status, is caught."""
        v = self.validator(pointer("components", "schemas", "ContestSummary"))
        good = {"slug": "s", "title": "t", "starts_at": "2020-01-01T00:00:00.000Z",
                "ends_at": "2020-01-02T00:00:00.000Z", "freeze_at": None, "scoring": "icpc",
                "visibility": "public", "archived": False, "phase": "ended", "unfrozen": False}
        self.assertFalse(list(v.iter_errors(good)))
        self.assertTrue(list(v.iter_errors({k: x for k, x in good.items() if k != "phase"})))
        self.assertTrue(list(v.iter_errors(dict(good, phase="later"))))
        self.assertTrue(list(v.iter_errors(dict(good, archived="no"))))


if __name__ == "__main__":
    gavel_test.main()
