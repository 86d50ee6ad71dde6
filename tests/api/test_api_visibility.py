"""What a student, an anonymous caller and an instructor who owns nothing can learn or change,
tried the way an attacker would: hidden problems through every route that names a problem
(contests included), private contests through every route that names a contest, other users'
submissions, frozen standings through profiles, and tokens after a role or password change.

Where a caller may not see something, the answer is the same 404 as for something that does not
exist, so that no answer tells the two apart.
"""

import datetime

import gavel_test
from apitest import ApiCase, problem

HIDDEN = "HIDDEN-DATA-5e1d"


def iso(minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Visibility(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_RATE_PER_SEC": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.login("teacher")
        cls.stu = cls.login("stu")
        cls.stu2 = cls.login("stu2")
        cls.prof2 = cls.login("prof2", role="instructor")
        tests = [{"input": "1\n", "output": "1\n", "sample": True},
                 {"input": HIDDEN, "output": HIDDEN}]
        # hid: hidden, in no contest; hlive: hidden, in the running contest; hfut: hidden, in
        # a contest that has not started; hpriv: hidden, in a private contest only.
        for slug, vis in (("pub", "public"), ("hid", "hidden"), ("hlive", "hidden"),
                          ("hfut", "hidden"), ("hpriv", "hidden")):
            st, b, _ = cls.api("POST", "/api/v1/problems",
                               problem(slug, visibility=vis, tests=tests), token=cls.t)
            assert st == 201, b
        cls.contest("live", -60, 60, ["hlive", "pub"], freeze=-30)
        cls.contest("fut", 60, 120, ["hfut", "pub"])
        cls.contest("over", -120, -60, ["hlive", "pub"])
        cls.contest("priv", -60, 60, ["hpriv", "pub"], visibility="private")

    @classmethod
    def contest(cls, slug, start, end, problems, visibility="public", freeze=None):
        body = {"slug": slug, "title": slug, "starts_at": iso(start), "ends_at": iso(end),
                "visibility": visibility,
                "problems": [{"problem": p, "label": chr(65 + i)} for i, p in enumerate(problems)]}
        if freeze is not None:
            body["freeze_at"] = iso(freeze)
        st, b, _ = cls.api("POST", "/api/v1/contests", body, token=cls.t)
        assert st == 201, b

    def send(self, token, problem_slug, contest=None):
        body = {"problem": problem_slug, "language": "python3", "source": "print(1)"}
        if contest:
            body["contest"] = contest
        return self.api("POST", "/api/v1/submissions", body, token=token)

    def same_as_missing(self, result, missing, what):
        """result must be the very answer (status, code, field) that `missing` got."""
        st, body, _ = result
        mst, mbody, _ = missing
        self.assertEqual(mst, 404, mbody)
        self.assertEqual(st, mst, (what, body))
        self.assertEqual((body["error"]["code"], body["error"]["field"]),
                         (mbody["error"]["code"], mbody["error"]["field"]), (what, body))

    # --- hidden problems ---

    def test_hidden_problem_routes(self):
        for path in ("/api/v1/problems/%s", "/api/v1/problems/%s/tests"):
            missing = self.api("GET", path % "nope", token=self.stu)
            self.same_as_missing(self.api("GET", path % "hid", token=self.stu), missing, path)
        missing = self.api("POST", "/api/v1/problems/nope/rejudge", token=self.stu)
        self.same_as_missing(self.api("POST", "/api/v1/problems/hid/rejudge", token=self.stu),
                             missing, "rejudge")
        for method in ("PUT", "DELETE"):
            body = problem("hid") if method == "PUT" else None
            missing = self.api(method, "/api/v1/problems/nope", body, token=self.stu)
            self.same_as_missing(self.api(method, "/api/v1/problems/hid", body, token=self.stu),
                                 missing, method)
        st, b, _ = self.api("GET", "/api/v1/problems?limit=100", token=self.stu)
        self.assertEqual(st, 200, b)
        self.assertIn("pub", {i["slug"] for i in b["items"]})
        self.assertEqual({i["visibility"] for i in b["items"]}, {"public"})
        # Packages and their self-check are for instructors: a student is refused before any
        # problem is looked up, so hidden and missing answer alike.
        for method, path in (("GET", "package"), ("GET", "verify"), ("POST", "verify")):
            for slug in ("hid", "nope"):
                self.assertError(self.api(method, "/api/v1/problems/%s/%s" % (slug, path),
                                          token=self.stu), 403)
        self.assertError(self.api("POST", "/api/v1/problems/hid/package", raw=b"PK",
                                  headers={"Content-Type": "application/zip"},
                                  token=self.stu), 403)

    def test_hidden_problem_through_contest_submission(self):
        # No contest, or a contest the problem is not in, a contest that has not started, or a
        # private one the student is not in: the hidden problem is as absent as a missing one.
        missing = self.send(self.stu, "nope")
        self.same_as_missing(self.send(self.stu, "hid"), missing, "no contest")
        for contest, slug in (("live", "hid"), ("live", "hfut"), ("fut", "hfut"),
                              ("fut", "hid"), ("priv", "hpriv"), ("nope", "hid"),
                              ("over", "hid")):
            missing = self.send(self.stu, "nope", contest)
            self.same_as_missing(self.send(self.stu, slug, contest), missing,
                                 (contest, slug))
        # A hidden problem of a running contest the student may see is what contests are for.
        st, b, _ = self.send(self.stu, "hlive", "live")
        self.assertEqual(st, 202, b)
        # Shown on the contest's page once it ended: refused for the contest's end, not hidden.
        err = self.assertError(self.send(self.stu, "hlive", "over"), 400, "contest")
        self.assertIn("over", err["message"])
        # Staff see every problem: they get the contest's own reasons.
        err = self.assertError(self.send(self.prof2, "hid", "live"), 400, "contest")
        self.assertIn("not part of the contest", err["message"])

    def test_hidden_contest_problem_readable_once_started(self):
        # Its statement and samples, never its hidden tests, for whoever may see the contest
        # once it has started (and after it ends); before that, or through a private contest
        # the student is not in, it is as missing as a slug that names nothing.
        missing = self.api("GET", "/api/v1/problems/nope", token=self.stu)
        st, b, _ = self.api("GET", "/api/v1/problems/hlive", token=self.stu)
        self.assertEqual(st, 200, b)
        self.assertEqual([t["input"] for t in b["samples"]], ["1\n"])
        self.assertNotIn(HIDDEN, str(b))
        for slug in ("hfut", "hpriv"):
            self.same_as_missing(self.api("GET", "/api/v1/problems/" + slug, token=self.stu),
                                 missing, slug)
        self.same_as_missing(self.api("GET", "/api/v1/problems/hlive/tests", token=self.stu),
                             self.api("GET", "/api/v1/problems/nope/tests", token=self.stu),
                             "tests")
        # Listed with the public problems? No: the contest's page lists it.
        st, b, _ = self.api("GET", "/api/v1/problems?limit=100", token=self.stu)
        self.assertNotIn("hlive", {i["slug"] for i in b["items"]})

    def test_contest_pages_hide_problems_before_start(self):
        for who in (None, self.stu):
            st, b, _ = self.api("GET", "/api/v1/contests/fut", token=who)
            self.assertEqual(st, 200, b)
            self.assertNotIn("problems", b)
            self.assertNotIn("hfut", str(b))
        st, b, _ = self.api("GET", "/api/v1/contests/fut", token=self.prof2)
        self.assertEqual([p["problem"] for p in b["problems"]], ["hfut", "pub"])

    # --- private contests ---

    def test_private_contest_is_404_everywhere(self):
        for who in (None, self.stu):
            for method, path in (("GET", "/api/v1/contests/%s"),
                                 ("GET", "/api/v1/contests/%s/leaderboard")):
                missing = self.api(method, path % "nope", token=who)
                self.same_as_missing(self.api(method, path % "priv", token=who), missing,
                                     (who, path))
            st, b, _ = self.api("GET", "/api/v1/contests?limit=100", token=who)
            self.assertNotIn("priv", [c["slug"] for c in b["contests"]])
        missing = self.send(self.stu, "pub", "nope")
        self.same_as_missing(self.send(self.stu, "pub", "priv"), missing, "submit")
        # Once a participant, the student sees and enters it.
        self.api("POST", "/api/v1/contests/priv/participants", {"usernames": ["stu2"]},
                 token=self.t)
        self.assertEqual(self.api("GET", "/api/v1/contests/priv", token=self.stu2)[0], 200)
        self.assertEqual(self.send(self.stu2, "hpriv", "priv")[0], 202)

    # --- others' work and what is not one's own ---

    def test_others_submissions(self):
        st, b, _ = self.send(self.stu2, "pub")
        self.assertEqual(st, 202, b)
        sid = b["id"]
        self.finish_submission(sid, "WA", 0)
        self.sql("INSERT INTO submission_tests (submission_id, ordinal, verdict, checker_message)"
                 " VALUES (%d, 2, 'WA', 'expected %s')" % (sid, HIDDEN))
        missing = self.api("GET", "/api/v1/submissions/999999", token=self.stu)
        self.same_as_missing(self.api("GET", "/api/v1/submissions/%d" % sid, token=self.stu),
                             missing, "other's submission")
        self.same_as_missing(
            self.api("GET", "/api/v1/submissions/%d?wait=1" % sid, token=self.stu), missing,
            "other's submission, waiting")
        self.assertError(self.api("GET", "/api/v1/submissions?user=stu2", token=self.stu), 403)
        st, b, _ = self.api("GET", "/api/v1/submissions?problem=pub&limit=100", token=self.stu)
        self.assertEqual({i["user"] for i in b["items"]} - {"stu"}, set())
        # The author sees per-test verdicts but never the checker's words about hidden data.
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.stu2)
        self.assertEqual(st, 200, b)
        self.assertNotIn(HIDDEN, str(b))

    def test_changes_to_what_is_not_ones_own(self):
        for who, want in ((None, 401), (self.stu, 403), (self.prof2, 403)):
            for body in ({"display_name": "pwned"}, {"password": "pwned pwned"},
                         {"role": "admin"}):
                self.assertError(self.api("PATCH", "/api/v1/users/stu2", body, token=who), want)
        self.assertError(self.api("PATCH", "/api/v1/users/stu", {"role": "admin"},
                                  token=self.stu), 403, "role")
        self.assertError(self.api("POST", "/api/v1/users",
                                  {"username": "sneaky", "password": "password 12",
                                   "role": "admin"}, token=self.stu), 403, "role")
        # An instructor who owns neither the problem nor the contest changes nothing.
        self.assertError(self.api("PUT", "/api/v1/problems/pub", problem("pub"),
                                  token=self.prof2), 403)
        self.assertError(self.api("DELETE", "/api/v1/problems/pub", token=self.prof2), 403)
        for method, path, body in (("DELETE", "", None), ("POST", "/unfreeze", None),
                                   ("POST", "/participants", {"usernames": ["stu"]})):
            self.assertError(self.api(method, "/api/v1/contests/live" + path, body,
                                      token=self.prof2), 403)
        for path in ("package", "verify"):
            self.assertError(self.api("GET", "/api/v1/problems/pub/" + path,
                                      token=self.prof2), 403)
        self.assertEqual(self.sql("SELECT count(*) FROM contests WHERE slug = 'live'"), "1")
        self.assertEqual(self.sql("SELECT role FROM users WHERE username = 'stu2'"), "student")

    # --- frozen standings ---

    def test_freeze_hides_results_everywhere(self):
        fay = self.login("fay")
        st, b, _ = self.send(fay, "pub", "live")
        self.assertEqual(st, 202, b)
        self.finish_submission(b["id"], "AC", 6)
        st, b, _ = self.api("GET", "/api/v1/contests/live/leaderboard", token=self.stu)
        self.assertTrue(b["frozen"])
        row = [r for r in b["rows"] if r["username"] == "fay"][0]
        self.assertEqual((row["solved"], row["problems"]["B"]["pending"]), (0, 1), row)
        # The public profile must not tell what the frozen standings hide...
        for who in (None, self.stu):
            st, prof, _ = self.api("GET", "/api/v1/users/fay", token=who)
            self.assertEqual((prof["solved"], prof["score"]), (0, 0), prof)
        # ...nor count hidden problems at all (one solved while it was public, say).
        self.sql("INSERT INTO submissions (user_id, problem_id, language_id, source, status,"
                 " verdict, score, max_score, judged_at)"
                 " SELECT u.id, p.id, 'python3', 'x', 'done', 'AC', 6, 6, now()"
                 " FROM users u, problems p WHERE u.username = 'fay' AND p.slug = 'hid'")
        st, prof, _ = self.api("GET", "/api/v1/users/fay")
        self.assertEqual((prof["solved"], prof["score"]), (0, 0), prof)
        # A public problem solved outside any contest counts as before.
        st, b, _ = self.send(fay, "pub")
        self.finish_submission(b["id"], "AC", 6)
        st, prof, _ = self.api("GET", "/api/v1/users/fay")
        self.assertEqual((prof["solved"], prof["score"]), (1, 6), prof)

    # --- tokens ---

    def test_demoted_owner_writes_nothing(self):
        admin = self.login("admin")
        gus = self.login("gus", role="instructor")
        for slug in ("gus-a", "gus-b"):
            self.make_problem(slug, token=gus)
        st, b, _ = self.api("PATCH", "/api/v1/users/gus", {"role": "student"}, token=admin)
        self.assertEqual(st, 200, b)
        # Still the owner in the database, but a student now: no replacing, no deleting.
        self.assertError(self.api("PUT", "/api/v1/problems/gus-a", problem("gus-a"), token=gus),
                         403)
        self.assertError(self.api("DELETE", "/api/v1/problems/gus-b", token=gus), 403)
        self.assertError(self.api("GET", "/api/v1/problems/gus-a/package", token=gus), 403)
        self.assertEqual(self.sql("SELECT count(*) FROM problems WHERE slug LIKE 'gus-%'"), "2")

    def test_tokens_after_role_and_password_change(self):
        admin = self.login("admin")
        # prof2 runs "hid" with its owner, so reads its tests while an instructor.
        st, b, _ = self.api("PATCH", "/api/v1/problems/hid", {"staff": ["prof2"]}, token=admin)
        self.assertEqual(st, 200, b)
        st, b, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "prof2", "password": gavel_test.PASSWORD})
        tok = b["token"]
        self.assertEqual(self.api("GET", "/api/v1/problems/hid/tests", token=tok)[0], 200)
        st, b, _ = self.api("PATCH", "/api/v1/users/prof2", {"role": "student"}, token=admin)
        self.assertEqual(st, 200, b)
        # The token stays a session, with the lowered role from the next request on.
        self.assertError(self.api("GET", "/api/v1/problems/hid/tests", token=tok), 404)
        self.assertError(self.api("POST", "/api/v1/problems", problem("p2x"), token=tok), 403)
        self.assertEqual(self.api("GET", "/api/v1/me", token=tok)[1]["role"], "student")
        self.api("PATCH", "/api/v1/users/prof2", {"role": "instructor"}, token=admin)
        # A password changed by an admin ends every session of the account.
        st, b, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "stu2", "password": gavel_test.PASSWORD})
        tok = b["token"]
        self.assertEqual(self.api("GET", "/api/v1/me", token=tok)[0], 200)
        st, b, _ = self.api("PATCH", "/api/v1/users/stu2", {"password": "another one 2"},
                            token=admin)
        self.assertEqual(st, 200, b)
        self.assertError(self.api("GET", "/api/v1/me", token=tok), 401)
        self.assertError(self.api("GET", "/api/v1/me", token=self.stu2), 401)
        self.api("PATCH", "/api/v1/users/stu2", {"password": gavel_test.PASSWORD}, token=admin)
        type(self).tokens.pop("stu2", None)
        type(self).stu2 = self.login("stu2")


if __name__ == "__main__":
    gavel_test.main()
