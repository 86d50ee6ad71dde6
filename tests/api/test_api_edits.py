"""Edits change only what they name, nothing a student made is deleted by someone else's
action, and staff see what they run: PUT and PATCH of problems, contests and users, archiving
instead of deleting, disabled accounts, and the staff of a problem or contest, over HTTP with
the real gavel-api (no judge: results are written with psql the way the judge writes them)."""

import datetime
import os

import gavel_test
from apitest import ApiCase, problem

HIDDEN = "SECRET-TEST-5d1e"


def timeless(contest):
    """A contest as GET gives it, without the server's time of that moment."""
    return {k: v for k, v in contest.items() if k != "server_time"}


def iso(minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Edits(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_RATE_PER_SEC": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.teacher = cls.login("teacher")
        cls.prof2 = cls.login("prof2", role="instructor")
        cls.admin = cls.login("admin")
        cls.stu = cls.login("stu")
        cls.stu2 = cls.login("stu2")

    def contest_body(self, slug, **kw):
        body = {"slug": slug, "title": "Exam " + slug, "starts_at": iso(-30), "ends_at": iso(60),
                "scoring": "ioi", "visibility": "private",
                "problems": [{"problem": slug + "-a", "label": "A", "points": 100},
                             {"problem": slug + "-b", "label": "B", "points": None}]}
        body.update(kw)
        return body

    def exam(self, slug):
        """A private IOI exam in progress with two problems and one judged submission."""
        for p in ("a", "b"):
            self.make_problem("%s-%s" % (slug, p), visibility="hidden")
        st, c, _ = self.api("POST", "/api/v1/contests", self.contest_body(slug),
                            token=self.teacher)
        self.assertEqual(st, 201, c)
        st, b, _ = self.api("POST", "/api/v1/contests/%s/participants" % slug,
                            {"usernames": ["stu"]}, token=self.teacher)
        self.assertEqual(st, 200, b)
        st, b, _ = self.submit(self.stu, slug + "-a", contest=slug)
        self.assertEqual(st, 202, b)
        self.finish_submission(b["id"], "WA", 3)
        return c, b["id"]

    def board(self, slug):
        st, b, _ = self.api("GET", "/api/v1/contests/%s/leaderboard" % slug, token=self.teacher)
        self.assertEqual(st, 200, b)
        return [(r["username"], r["score"]) for r in b["rows"]]

    # --- contests: PUT never resets what it leaves out ---

    def test_contest_put_requires_what_it_would_reset(self):
        self.exam("ex1")
        st, before, _ = self.api("GET", "/api/v1/contests/ex1", token=self.teacher)
        board = self.board("ex1")
        self.assertEqual(board, [("stu", 50)])
        full = self.contest_body("ex1", title="Renamed", freeze_at=None)
        for missing in ("visibility", "scoring", "problems", "freeze_at"):
            body = {k: v for k, v in full.items() if k != missing}
            self.assertError(self.api("PUT", "/api/v1/contests/ex1", body, token=self.teacher),
                             400, missing)
        body = dict(full, problems=[{"problem": "ex1-a", "label": "A"}])
        self.assertError(self.api("PUT", "/api/v1/contests/ex1", body, token=self.teacher),
                         400, "problems[0].points")
        # Nothing changed: still private (anonymous readers get 404), IOI, both problems, the
        # same standings.
        self.assertError(self.api("GET", "/api/v1/contests/ex1"), 404)
        st, now, _ = self.api("GET", "/api/v1/contests/ex1", token=self.teacher)
        self.assertEqual(timeless(now), timeless(before))
        self.assertEqual(self.board("ex1"), board)

    def test_contest_get_put_back_unchanged(self):
        self.exam("ex2")
        self.api("POST", "/api/v1/contests/ex2/unfreeze", token=self.teacher)
        st, got, _ = self.api("GET", "/api/v1/contests/ex2", token=self.teacher)
        self.assertEqual(st, 200, got)
        self.assertEqual((got["owner"], got["participants"], got["unfrozen"]),
                         ("teacher", 1, True))
        st, back, _ = self.api("PUT", "/api/v1/contests/ex2", got, token=self.teacher)
        self.assertEqual(st, 200, back)
        self.assertEqual(timeless(back), timeless(got))
        self.assertEqual(self.board("ex2"), [("stu", 50)])
        # Read-only fields: accepted when equal, refused by name when not.
        for field, value in (("owner", "stu"), ("participants", 7), ("unfrozen", False)):
            self.assertError(self.api("PUT", "/api/v1/contests/ex2", dict(got, **{field: value}),
                                      token=self.teacher), 400, field)
        probs = [dict(p) for p in got["problems"]]
        probs[1]["title"] = "Another title"
        self.assertError(self.api("PUT", "/api/v1/contests/ex2", dict(got, problems=probs),
                                  token=self.teacher), 400, "problems[1].title")
        self.assertError(self.api("PUT", "/api/v1/contests/ex2", dict(got, colour="red"),
                                  token=self.teacher), 400, "colour")

    def test_contest_patch_changes_only_what_it_names(self):
        self.exam("ex3")
        st, before, _ = self.api("GET", "/api/v1/contests/ex3", token=self.teacher)
        st, after, _ = self.api("PATCH", "/api/v1/contests/ex3", {"title": "Midterm"},
                                token=self.teacher)
        self.assertEqual(st, 200, after)
        self.assertEqual(timeless(after), timeless(dict(before, title="Midterm")))
        self.assertEqual(self.board("ex3"), [("stu", 50)])
        self.assertError(self.api("GET", "/api/v1/contests/ex3"), 404)
        # Merge semantics: a freeze set, then removed with null; problems replaced whole.
        freeze = iso(30)
        st, c, _ = self.api("PATCH", "/api/v1/contests/ex3", {"freeze_at": freeze},
                            token=self.teacher)
        self.assertEqual((st, c["freeze_at"][:16]), (200, freeze[:16]), c)
        st, c, _ = self.api("PATCH", "/api/v1/contests/ex3", {"freeze_at": None},
                            token=self.teacher)
        self.assertEqual((st, c["freeze_at"]), (200, None), c)
        for body, field in (({"scoring": None}, "scoring"), ({"scoring": "golf"}, "scoring"),
                            ({"colour": 1}, "colour"), ({"owner": "stu2"}, "owner"),
                            ({"problems": [{"label": "A"}]}, "problems[0].problem")):
            self.assertError(self.api("PATCH", "/api/v1/contests/ex3", body,
                                      token=self.teacher), 400, field)
        self.assertError(self.api("PATCH", "/api/v1/contests/ex3", {"title": "x"},
                                  token=self.prof2), 403)
        self.assertError(self.api("PATCH", "/api/v1/contests/ex3", {"title": "x"},
                                  token=self.stu), 403)
        self.assertError(self.api("PATCH", "/api/v1/contests/nope", {"title": "x"},
                                  token=self.teacher), 404)
        st, c, _ = self.api("GET", "/api/v1/contests/ex3", token=self.teacher)
        self.assertEqual((c["title"], c["scoring"], c["visibility"], len(c["problems"])),
                         ("Midterm", "ioi", "private", 2))

    # --- contests: archived, not deleted ---

    def test_contest_with_submissions_is_archived_not_deleted(self):
        _, sid = self.exam("ex4")
        err = self.assertError(self.api("DELETE", "/api/v1/contests/ex4", token=self.teacher),
                               409, "archived")
        self.assertIn("1 submission", err["message"])
        self.assertIn("archive", err["message"])
        self.assertEqual(self.sql("SELECT count(*) FROM submissions WHERE id = %d"
                                  " AND contest_id IS NOT NULL" % sid), "1")
        st, c, _ = self.api("PATCH", "/api/v1/contests/ex4", {"archived": True},
                            token=self.teacher)
        self.assertEqual((st, c["archived"]), (200, True), c)
        st, lst, _ = self.api("GET", "/api/v1/contests?limit=100", token=self.teacher)
        self.assertNotIn("ex4", [i["slug"] for i in lst["items"]])
        st, lst, _ = self.api("GET", "/api/v1/contests?limit=100&archived=true",
                              token=self.teacher)
        self.assertIn("ex4", [i["slug"] for i in lst["items"]])
        # Closed to submissions, by name; the past stays readable by its owner and staff.
        self.assertError(self.submit(self.stu, "ex4-a", contest="ex4"), 400, "contest")
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.stu)
        self.assertEqual((st, b["contest"], b["score"]), (200, "ex4", 3), b)
        st, b, _ = self.api("GET", "/api/v1/contests/ex4/leaderboard", token=self.stu)
        self.assertEqual((st, [(r["username"], r["score"]) for r in b["rows"]]),
                         (200, [("stu", 50)]), b)
        # An empty contest is deleted at once.
        st, c, _ = self.api("POST", "/api/v1/contests",
                            self.contest_body("ex4e", problems=[]), token=self.teacher)
        self.assertEqual(st, 201, c)
        self.assertEqual(self.api("DELETE", "/api/v1/contests/ex4e", token=self.teacher)[0], 204)

    def test_contest_staff(self):
        _, sid = self.exam("ex5")
        self.assertError(self.api("GET", "/api/v1/submissions/%d" % sid, token=self.prof2), 404)
        self.assertError(self.api("PATCH", "/api/v1/contests/ex5", {"staff": ["stu"]},
                                  token=self.teacher), 400, "staff[0]")
        self.assertError(self.api("PATCH", "/api/v1/contests/ex5", {"staff": ["ghost"]},
                                  token=self.teacher), 400, "staff[0]")
        st, c, _ = self.api("PATCH", "/api/v1/contests/ex5", {"staff": ["PROF2"]},
                            token=self.teacher)
        self.assertEqual((st, c["staff"]), (200, ["prof2"]), c)
        # Staff run it: edit, add participants, read the sources sent to it...
        st, c, _ = self.api("PATCH", "/api/v1/contests/ex5", {"title": "By prof2"},
                            token=self.prof2)
        self.assertEqual(st, 200, c)
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.prof2)
        self.assertEqual((st, b.get("source")), (200, "print(1)"), b)
        st, b, _ = self.api("GET", "/api/v1/submissions?limit=100", token=self.prof2)
        self.assertIn(sid, [i["id"] for i in b["items"]])
        # ...but neither name the staff nor delete it.
        self.assertError(self.api("PATCH", "/api/v1/contests/ex5", {"staff": []},
                                  token=self.prof2), 403, "staff")
        self.assertError(self.api("DELETE", "/api/v1/contests/ex5", token=self.prof2), 403)
        st, c, _ = self.api("PUT", "/api/v1/contests/ex5", c, token=self.prof2)
        self.assertEqual(st, 200, c)

    # --- problems ---

    def test_problem_put_requires_what_it_would_reset(self):
        self.make_problem("pp1", statement="Keep me")
        for missing in ("statement", "tests", "visibility", "checker", "memory_limit_mb",
                        "time_limits_ms", "stop_on_first_failure"):
            body = {k: v for k, v in problem("pp1").items() if k != missing}
            self.assertError(self.api("PUT", "/api/v1/problems/pp1", body, token=self.teacher),
                             400, missing)
        st, p, _ = self.api("GET", "/api/v1/problems/pp1", token=self.teacher)
        self.assertEqual((p["statement"], p["version"]), ("Keep me", 1))

    def test_problem_get_put_back_unchanged(self):
        tests = [{"input": "1 2\n", "output": "3\n", "sample": True},
                 {"input": HIDDEN, "output": HIDDEN, "points": 5, "group": "g", "name": "big"}]
        self.make_problem("pp2", tests=tests, checker={"kind": "float", "abs": 0.5, "rel": 0.25},
                          memory_limit_mb=128, time_limits_ms={"c": 1500})
        st, plain, _ = self.api("GET", "/api/v1/problems/pp2", token=self.teacher)
        self.assertNotIn("tests", plain)
        st, got, _ = self.api("GET", "/api/v1/problems/pp2?include=tests", token=self.teacher)
        self.assertEqual(st, 200, got)
        self.assertEqual([(t["input"], t["points"], t["group"]) for t in got["tests"]],
                         [("1 2\n", 0, None), (HIDDEN, 5, "g")])
        st, back, _ = self.api("PUT", "/api/v1/problems/pp2", got, token=self.teacher)
        self.assertEqual(st, 200, back)
        for key in got:
            if key not in ("version", "updated_at", "tests"):
                self.assertEqual(back[key], got[key], key)
        self.assertEqual(back["version"], got["version"] + 1)
        st, again, _ = self.api("GET", "/api/v1/problems/pp2?include=tests", token=self.teacher)
        self.assertEqual(again["tests"], got["tests"])
        # Read-only fields: equal or refused by name (a stale version too).
        for field, value in (("version", 1), ("owner", "admin"), ("max_score", 99),
                             ("test_count", 1)):
            self.assertError(self.api("PUT", "/api/v1/problems/pp2",
                                      dict(again, **{field: value}), token=self.teacher),
                             400, field)
        # Who may have the tests: those who run the problem.
        for who, want in ((self.prof2, 403), (self.stu, 403), (self.admin, 200)):
            st, b, _ = self.api("GET", "/api/v1/problems/pp2?include=tests", token=who)
            self.assertEqual(st, want, b)
            if want != 200:
                self.assertEqual(b["error"]["field"], "include")
                self.assertNotIn(HIDDEN, str(b))
        self.make_problem("pp2h", visibility="hidden")
        self.assertError(self.api("GET", "/api/v1/problems/pp2h?include=tests", token=self.stu),
                         404)
        self.assertError(self.api("GET", "/api/v1/problems/pp2?include=all",
                                  token=self.teacher), 400, "include")

    def test_problem_custom_checker_round_trip(self):
        # Stored as a judge-checked upload leaves it (no judge runs here): a GET put back
        # unchanged needs no judge to compile the checker again.
        checker = {"kind": "custom", "language": "python3", "protocol": "testlib",
                   "source": "import sys\nsys.exit(0)\n"}
        self.make_problem("pp3")
        self.sql("UPDATE problems SET checker_kind = 'custom', checker_language = 'python3',"
                 " checker_source = 'import sys' || chr(10) || 'sys.exit(0)' || chr(10)"
                 " WHERE slug = 'pp3'")
        st, got, _ = self.api("GET", "/api/v1/problems/pp3", token=self.teacher)
        self.assertNotIn("source", got["checker"])
        st, got, _ = self.api("GET", "/api/v1/problems/pp3?include=tests", token=self.teacher)
        self.assertEqual(got["checker"], checker)
        st, back, _ = self.api("PUT", "/api/v1/problems/pp3", got, token=self.teacher)
        self.assertEqual(st, 200, back)
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp3", {"title": "Still custom"},
                            token=self.teacher)
        self.assertEqual((st, p["checker"]),
                         (200, {"kind": "custom", "language": "python3", "protocol": "testlib"}), p)

    def test_problem_patch_changes_only_what_it_names(self):
        tests = [{"input": "1\n", "output": "1\n", "sample": True},
                 {"input": HIDDEN, "output": HIDDEN, "points": 4}]
        self.make_problem("pp4", tests=tests, statement="The statement")
        st, before, _ = self.api("GET", "/api/v1/problems/pp4?include=tests",
                                 token=self.teacher)
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp4", {"title": "New title"},
                            token=self.teacher)
        self.assertEqual(st, 200, p)
        st, after, _ = self.api("GET", "/api/v1/problems/pp4?include=tests", token=self.teacher)
        for key in before:
            want = {"title": "New title", "version": before["version"] + 1}.get(key, before[key])
            if key != "updated_at":
                self.assertEqual(after[key], want, key)
        # Merge: checker members merged, null for none, tests replaced whole when given.
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp4",
                            {"memory_limit_mb": 64, "time_limits_ms": {"c": 2000}},
                            token=self.teacher)
        self.assertEqual((st, p["memory_limit_mb"], p["time_limits_ms"]), (200, 64, {"c": 2000}))
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp4",
                            {"memory_limit_mb": None, "time_limits_ms": {"c": None}},
                            token=self.teacher)
        self.assertEqual((st, p["memory_limit_mb"], p["time_limits_ms"]), (200, None, {}))
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp4",
                            {"tests": [{"input": "2\n", "output": "2\n", "points": 7}]},
                            token=self.teacher)
        self.assertEqual((st, p["test_count"], p["max_score"], p["statement"]),
                         (200, 1, 7, "The statement"), p)
        for body, field in (({"statement": None}, "statement"), ({"tests": []}, "tests"),
                            ({"colour": 1}, "colour"), ({"version": 1}, "version"),
                            ({"checker": {"kind": "fuzzy"}}, "checker.kind"),
                            ({"title": 5}, "title")):
            self.assertError(self.api("PATCH", "/api/v1/problems/pp4", body,
                                      token=self.teacher), 400, field)
        self.assertError(self.api("PATCH", "/api/v1/problems/pp4", {"title": "x"},
                                  token=self.prof2), 403)
        self.assertError(self.api("PATCH", "/api/v1/problems/pp4", {"title": "x"},
                                  token=self.stu), 403)

    def test_problem_with_submissions_is_archived_not_deleted(self):
        self.make_problem("pp5")
        st, b, _ = self.submit(self.stu, "pp5", source="print('mine')")
        self.assertEqual(st, 202, b)
        sid = b["id"]
        self.finish_submission(sid, "AC", 6)
        err = self.assertError(self.api("DELETE", "/api/v1/problems/pp5", token=self.teacher),
                               409, "archived")
        self.assertIn("1 submission", err["message"])
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.stu)
        self.assertEqual((st, b["verdict"], b["source"]), (200, "AC", "print('mine')"), b)
        st, p, _ = self.api("PUT", "/api/v1/problems/pp5",
                            dict(problem("pp5"), archived=True), token=self.teacher)
        self.assertEqual((st, p["archived"]), (200, True), p)
        for tok in (self.stu, self.teacher):
            st, lst, _ = self.api("GET", "/api/v1/problems?limit=100", token=tok)
            self.assertNotIn("pp5", [i["slug"] for i in lst["items"]])
        st, lst, _ = self.api("GET", "/api/v1/problems?limit=100&archived=true",
                              token=self.teacher)
        self.assertIn("pp5", [i["slug"] for i in lst["items"]])
        err = self.assertError(self.submit(self.stu, "pp5"), 400, "problem")
        self.assertIn("archived", err["message"])
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.stu)
        self.assertEqual((st, b["verdict"]), (200, "AC"), b)
        st, prof, _ = self.api("GET", "/api/v1/users/stu")
        self.assertEqual(prof["solved"], 1, prof)
        # Unarchived, it takes submissions again.
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp5", {"archived": False},
                            token=self.teacher)
        self.assertEqual((st, p["archived"]), (200, False))
        self.assertEqual(self.submit(self.stu, "pp5")[0], 202)

    def test_problem_staff_see_what_they_run(self):
        self.make_problem("pp6", tests=[{"input": "1\n", "output": "1\n", "sample": True},
                                        {"input": HIDDEN, "output": HIDDEN}])
        st, b, _ = self.submit(self.stu, "pp6", source="SECRET-SOURCE")
        sid = b["id"]
        routes = (("GET", "/api/v1/problems/pp6/tests", None),
                  ("POST", "/api/v1/problems/pp6/rejudge", None),
                  ("GET", "/api/v1/problems/pp6/package", None),
                  ("GET", "/api/v1/submissions/%d" % sid, None),
                  ("PATCH", "/api/v1/problems/pp6", {"statement": "by prof2"}))
        before = self.sql("SELECT count(*) FROM submissions WHERE status = 'queued'")
        for method, path, body in routes:
            st, res, _ = self.api(method, path, body, token=self.prof2)
            self.assertIn(st, (403, 404), (method, path, res))
            self.assertNotIn(HIDDEN, str(res))
            self.assertNotIn("SECRET-SOURCE", str(res))
        self.assertEqual(self.sql("SELECT count(*) FROM submissions WHERE status = 'queued'"),
                         before)
        self.assertError(self.api("PATCH", "/api/v1/problems/pp6", {"staff": ["prof2"]},
                                  token=self.prof2), 403)
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp6", {"staff": ["prof2"]},
                            token=self.teacher)
        self.assertEqual((st, p["staff"]), (200, ["prof2"]), p)
        for method, path, body in routes:
            st, res, _ = self.api(method, path, body, token=self.prof2)
            self.assertLess(st, 300, (method, path, res))
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.prof2)
        self.assertEqual(b["source"], "SECRET-SOURCE")
        # Staff neither name the staff nor delete.
        self.assertError(self.api("PATCH", "/api/v1/problems/pp6", {"staff": []},
                                  token=self.prof2), 403, "staff")
        self.assertError(self.api("DELETE", "/api/v1/problems/pp6", token=self.prof2), 403)
        # Taken off the staff, they run it no more.
        st, p, _ = self.api("PATCH", "/api/v1/problems/pp6", {"staff": []}, token=self.admin)
        self.assertEqual((st, p["staff"]), (200, []))
        self.assertError(self.api("GET", "/api/v1/problems/pp6/tests", token=self.prof2), 403)

    def test_import_owner(self):
        """`gavel import --owner admin`, as ./gavel.sh run imports the sample problems."""
        self.gavel("import", "--owner", "admin",
                   os.path.join(gavel_test.SRC, "problems", "a-plus-b"))
        st, p, _ = self.api("GET", "/api/v1/problems/a-plus-b", token=self.teacher)
        self.assertEqual((st, p["owner"]), (200, "admin"), p)
        self.assertError(self.api("GET", "/api/v1/problems/a-plus-b/tests", token=self.teacher),
                         403)
        with open(os.path.join(gavel_test.SRC, "gavel.sh")) as f:
            self.assertIn("import --owner admin", f.read())

    # --- users ---

    def test_own_password_needs_the_current_one(self):
        tok = self.login("pat")
        self.assertError(self.api("PATCH", "/api/v1/users/pat", {"password": "new password 9"},
                                  token=tok), 400, "current_password")
        self.assertError(self.api("PATCH", "/api/v1/users/pat",
                                  {"password": "new password 9",
                                   "current_password": "not it at all"}, token=tok),
                         403, "current_password")
        self.assertError(self.api("PATCH", "/api/v1/users/pat",
                                  {"current_password": gavel_test.PASSWORD}, token=tok),
                         400, "current_password")
        st, b, _ = self.api("PATCH", "/api/v1/users/pat",
                            {"password": "new password 9",
                             "current_password": gavel_test.PASSWORD}, token=tok)
        self.assertEqual(st, 200, b)
        # An admin resets it without the current one, and every session of the account ends.
        st, b, _ = self.api("PATCH", "/api/v1/users/pat", {"password": gavel_test.PASSWORD},
                            token=self.admin)
        self.assertEqual(st, 200, b)
        self.assertError(self.api("GET", "/api/v1/me", token=tok), 401)
        type(self).tokens.pop("pat", None)
        # PATCH changes only what it names.
        tok = self.login("pat")
        st, b, _ = self.api("PATCH", "/api/v1/users/pat", {"display_name": "Pat"}, token=tok)
        self.assertEqual((st, b["display_name"], b["role"]), (200, "Pat", "student"))
        self.assertEqual(self.api("GET", "/api/v1/me", token=tok)[0], 200)
        # Merge rules: null removes the display name, is refused elsewhere; the username is
        # read-only, accepted as it is.
        st, b, _ = self.api("PATCH", "/api/v1/users/pat",
                            {"display_name": None, "username": "PAT"}, token=tok)
        self.assertEqual((st, b["display_name"]), (200, ""), b)
        for body, field in (({"password": None}, "password"), ({"role": None}, "role"),
                            ({"username": "other", "display_name": "x"}, "username"),
                            ({"nickname": "x"}, "nickname")):
            self.assertError(self.api("PATCH", "/api/v1/users/pat", body, token=tok), 400,
                             field)

    def test_disabled_not_deleted(self):
        tok = self.login("dora")
        self.make_problem("pp7")
        st, b, _ = self.submit(tok, "pp7")
        sid = b["id"]
        self.assertError(self.api("PATCH", "/api/v1/users/dora", {"disabled": True}, token=tok),
                         403, "disabled")
        self.assertError(self.api("PATCH", "/api/v1/users/dora", {"disabled": True},
                                  token=self.teacher), 403)
        st, b, _ = self.api("PATCH", "/api/v1/users/dora", {"disabled": True}, token=self.admin)
        self.assertEqual((st, b.get("disabled")), (200, True), b)
        self.assertError(self.api("GET", "/api/v1/me", token=tok), 401)
        err = self.assertError(self.api("POST", "/api/v1/sessions",
                                        {"username": "dora", "password": gavel_test.PASSWORD}),
                               403)
        self.assertIn("disabled", err["message"])
        # A wrong password says nothing more than for anyone.
        self.assertError(self.api("POST", "/api/v1/sessions",
                                  {"username": "dora", "password": "wrong password"}), 401)
        # Records stay.
        st, b, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.teacher)
        self.assertEqual((st, b["user"]), (200, "dora"), b)
        st, prof, _ = self.api("GET", "/api/v1/users/dora")
        self.assertEqual((st, prof["disabled"]), (200, True))
        st, b, _ = self.api("PATCH", "/api/v1/users/dora", {"disabled": False}, token=self.admin)
        self.assertEqual((st, b["disabled"]), (200, False))
        self.assertEqual(self.api("POST", "/api/v1/sessions",
                                  {"username": "dora", "password": gavel_test.PASSWORD})[0], 201)
        type(self).tokens.pop("dora", None)
        # The last enabled admin stays.
        self.assertError(self.api("PATCH", "/api/v1/users/admin", {"disabled": True},
                                  token=self.admin), 409, "disabled")
        self.assertEqual(self.api("GET", "/api/v1/me", token=self.admin)[0], 200)


if __name__ == "__main__":
    gavel_test.main()
