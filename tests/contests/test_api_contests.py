"""Contests through the real gavel-api: every contest route, admission of submissions, the
leaderboard (ICPC and IOI, ties, freeze and unfreeze, pending counts) and the global one.

No judge runs: results are written with psql the way the judge writes them (status 'done' with
verdict and score in one update), and the standings' triggers do the rest.
"""

import datetime

import gavel_test

STUDENTS = ["ann", "bob", "cat", "dan", "eve"]


def iso(minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def problem_body(slug, visibility="public"):
    return {"slug": slug, "title": "Problem " + slug, "statement": "a+b", "visibility": visibility,
            "tests": [{"input": "1 2\n", "output": "3\n", "points": 4},
                      {"input": "5 5\n", "output": "10\n", "points": 6}]}


class Contests(gavel_test.GavelCase):
    judge_workers = 0
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_RATE_PER_SEC": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        teacher = cls.login("teacher")
        for slug, vis in (("pa", "public"), ("pb", "public"), ("pc", "hidden"), ("px", "public")):
            st, body, _ = cls.api("POST", "/api/v1/problems", problem_body(slug, vis),
                                  token=teacher)
            if st != 201:
                raise AssertionError("problem %s: %s %s" % (slug, st, body))
        for name in STUDENTS:
            cls.login(name)
        cls.login("teacher2", role="instructor")

    # --- helpers ---

    def sql(self, query):
        return gavel_test.psql(self.url, query)

    def assertError(self, result, status, field=None):
        st, body, _ = result
        self.assertEqual(st, status, body)
        self.assertIsInstance(body, dict, body)
        err = body["error"]
        self.assertIsInstance(err["code"], str)
        self.assertIsInstance(err["message"], str)
        if field is not None:
            self.assertEqual(err.get("field"), field, body)
        return err

    def contest(self, slug, start=-60, end=60, freeze=None, scoring="icpc",
                visibility="public", problems=None, token=None):
        body = {"slug": slug, "title": "Contest " + slug, "starts_at": iso(start),
                "ends_at": iso(end), "scoring": scoring, "visibility": visibility,
                "problems": problems if problems is not None else
                [{"problem": "pa", "label": "A"}, {"problem": "pb", "label": "B"},
                 {"problem": "pc", "label": "C"}]}
        if freeze is not None:
            body["freeze_at"] = iso(freeze)
        st, out, _ = self.api("POST", "/api/v1/contests", body,
                              token=token or self.login("teacher"))
        self.assertEqual(st, 201, out)
        return out

    def submit(self, user, problem, contest):
        return self.api("POST", "/api/v1/submissions",
                        {"problem": problem, "language": "python3", "source": "print(3)",
                         "contest": contest}, token=self.login(user))

    def accepted(self, user, problem, contest, verdict, minute, score=0):
        """A submission admitted through the API, then judged at `minute` after the start."""
        st, body, _ = self.submit(user, problem, contest)
        self.assertIn(st, (201, 202), body)
        sid = int(body["id"])
        self.sql("UPDATE submissions s SET created_at = c.starts_at + interval '%d minutes'"
                 " FROM contests c WHERE c.id = s.contest_id AND s.id = %d" % (minute, sid))
        if verdict:
            self.judge(sid, verdict, score)
        return sid

    def judge(self, sid, verdict, score=0):
        self.sql("UPDATE submissions SET status = 'done', verdict = '%s', score = %d,"
                 " max_score = 10, judged_at = now() WHERE id = %d" % (verdict, score, sid))

    def board(self, slug, token=None, query=""):
        st, body, _ = self.api("GET", "/api/v1/contests/%s/leaderboard%s" % (slug, query),
                               token=token)
        self.assertEqual(st, 200, body)
        return body

    def ranks(self, body):
        return [(r["username"], r["rank"]) for r in body["rows"]]

    # --- contests ---

    def test_create_validation(self):
        t = self.login("teacher")
        good = {"slug": "v1", "title": "V", "starts_at": iso(-10), "ends_at": iso(10),
                "problems": [{"problem": "pa", "label": "A"}]}

        def bad(change, field, status=400, token=t):
            body = dict(good)
            body.update(change)
            body = {k: v for k, v in body.items() if v is not None}
            return self.assertError(self.api("POST", "/api/v1/contests", body, token=token),
                                    status, field)

        bad({"slug": None}, "slug")
        bad({"slug": "Bad Slug"}, "slug")
        bad({"title": ""}, "title")
        bad({"starts_at": "yesterday"}, "starts_at")
        bad({"starts_at": "2026-02-30T10:00:00Z"}, "starts_at")
        bad({"ends_at": "2026-05-01T10:00:00"}, "ends_at")
        bad({"ends_at": iso(-20)}, "ends_at")
        bad({"freeze_at": iso(30)}, "freeze_at")
        # a mistyped year: penalties in minutes from such a start would overflow
        bad({"starts_at": "0026-01-01T09:00:00Z"}, "ends_at")
        bad({"ends_at": "2999-01-01T09:00:00Z"}, "ends_at")
        bad({"scoring": "golf"}, "scoring")
        bad({"visibility": "secret"}, "visibility")
        bad({"problems": [{"problem": "nope", "label": "A"}]}, "problems[0].problem")
        bad({"problems": [{"problem": "pa", "label": "A"}, {"problem": "pb", "label": "A"}]},
            "problems[1].label")
        bad({"problems": [{"problem": "pa", "label": "A!"}]}, "problems[0].label")
        bad({"problems": [{"problem": "pa", "label": "A"}, {"problem": "pa", "label": "B"}]},
            "problems[1].problem")
        bad({}, None, 403, self.login("ann"))
        bad({}, None, 401, None)
        st, body, _ = self.api("POST", "/api/v1/contests", good, token=t)
        self.assertEqual(st, 201, body)
        self.assertEqual(body["slug"], "v1")
        self.assertEqual(body["owner"], "teacher")
        self.assertEqual([p["label"] for p in body["problems"]], ["A"])
        self.assertError(self.api("POST", "/api/v1/contests", good, token=t), 409, "slug")

    def test_get_list_and_visibility(self):
        self.contest("vis-pub")
        self.contest("vis-priv", visibility="private")
        self.contest("vis-later", start=60, end=120)
        ann, bob = self.login("ann"), self.login("bob")
        st, body, _ = self.api("POST", "/api/v1/contests/vis-priv/participants",
                               {"usernames": ["ann"]}, token=self.login("teacher"))
        self.assertEqual((st, body), (200, {"added": 1}))
        # Public: anyone, even without a token. Private: participants and staff only.
        st, body, _ = self.api("GET", "/api/v1/contests/vis-pub")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["participants"], 0)
        self.assertError(self.api("GET", "/api/v1/contests/vis-priv"), 404)
        self.assertError(self.api("GET", "/api/v1/contests/vis-priv", token=bob), 404)
        st, body, _ = self.api("GET", "/api/v1/contests/vis-priv", token=ann)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["visibility"], "private")
        self.assertError(self.api("GET", "/api/v1/contests/nope"), 404)
        # Students see the problems from the start only; staff always.
        st, body, _ = self.api("GET", "/api/v1/contests/vis-later", token=ann)
        self.assertNotIn("problems", body)
        st, body, _ = self.api("GET", "/api/v1/contests/vis-later", token=self.login("teacher"))
        self.assertEqual(len(body["problems"]), 3)
        # Lists.
        def slugs(token, query=""):
            st, body, _ = self.api("GET", "/api/v1/contests" + query, token=token)
            self.assertEqual(st, 200, body)
            self.assertEqual(body["items"], body["contests"])
            return [c["slug"] for c in body["items"]], body["next_cursor"]
        self.assertIn("vis-priv", slugs(ann)[0])
        self.assertNotIn("vis-priv", slugs(bob)[0])
        self.assertNotIn("vis-priv", slugs(None)[0])
        self.assertIn("vis-priv", slugs(self.login("teacher2"))[0])
        everything, _ = slugs(self.login("teacher"), "?limit=100")
        first, cursor = slugs(self.login("teacher"), "?limit=1")
        self.assertEqual(first, everything[:1])
        self.assertIsNotNone(cursor)
        second, _ = slugs(self.login("teacher"), "?limit=1&cursor=" + cursor)
        self.assertEqual(second, everything[1:2])
        self.assertError(self.api("GET", "/api/v1/contests?limit=0"), 400, "limit")
        self.assertError(self.api("GET", "/api/v1/contests?page=2"), 400, "page")

    def test_replace_delete_and_permissions(self):
        self.contest("rep")
        t, t2, ann = self.login("teacher"), self.login("teacher2"), self.login("ann")
        body = {"title": "Renamed", "starts_at": iso(-30), "ends_at": iso(30),
                "freeze_at": None, "scoring": "ioi", "visibility": "public",
                "problems": [{"problem": "pb", "label": "Z", "points": 50}]}
        self.assertError(self.api("PUT", "/api/v1/contests/rep", body, token=t2), 403)
        self.assertError(self.api("PUT", "/api/v1/contests/rep", body, token=ann), 403)
        self.assertError(self.api("PUT", "/api/v1/contests/rep", dict(body, slug="other"),
                                  token=t), 400, "slug")
        self.assertError(self.api("PUT", "/api/v1/contests/nope", body, token=t), 404)
        st, out, _ = self.api("PUT", "/api/v1/contests/rep", body, token=t)
        self.assertEqual(st, 200, out)
        self.assertEqual((out["title"], out["scoring"]), ("Renamed", "ioi"))
        self.assertEqual(out["problems"], [{"label": "Z", "problem": "pb",
                                            "title": "Problem pb", "points": 50}])
        # An admin may change anyone's contest.
        st, out, _ = self.api("PUT", "/api/v1/contests/rep", body, token=self.login("admin"))
        self.assertEqual(st, 200, out)
        self.assertError(self.api("DELETE", "/api/v1/contests/rep", token=t2), 403)
        self.assertError(self.api("POST", "/api/v1/contests/rep/unfreeze", token=t2), 403)
        self.assertError(self.api("POST", "/api/v1/contests/rep/participants",
                                  {"usernames": ["ann"]}, token=t2), 403)
        st, _, _ = self.api("DELETE", "/api/v1/contests/rep", token=t)
        self.assertEqual(st, 204)
        self.assertError(self.api("GET", "/api/v1/contests/rep"), 404)

    def test_participants(self):
        self.contest("parts", visibility="private")
        t = self.login("teacher")
        path = "/api/v1/contests/parts/participants"
        self.assertError(self.api("POST", path, {"usernames": ["ann", "ghost"]}, token=t), 400,
                         "usernames[1]")
        self.assertEqual(self.sql("SELECT count(*) FROM contest_participants p JOIN contests c"
                                  " ON c.id = p.contest_id WHERE c.slug = 'parts'"), "0")
        self.assertError(self.api("POST", path, {"usernames": []}, token=t), 400, "usernames")
        self.assertError(self.api("POST", path, {"usernames": [3]}, token=t), 400,
                         "usernames[0]")
        self.assertError(self.api("POST", path, {"names": ["ann"]}, token=t), 400)
        self.assertError(self.api("POST", path, {"usernames": ["ann"]},
                                  token=self.login("ann")), 403)
        st, body, _ = self.api("POST", path, {"usernames": ["ann", "bob"]}, token=t)
        self.assertEqual((st, body), (200, {"added": 2}))
        st, body, _ = self.api("POST", path, {"usernames": ["bob", "cat"]}, token=t)
        self.assertEqual((st, body), (200, {"added": 1}))
        # Participants are listed before they submit.
        body = self.board("parts", token=t)
        self.assertEqual(sorted(self.ranks(body)), [("ann", 1), ("bob", 1), ("cat", 1)])

    # --- admission ---

    def test_admission(self):
        self.contest("adm-open")
        self.contest("adm-later", start=60, end=120)
        self.contest("adm-over", start=-120, end=-60)
        self.contest("adm-priv", visibility="private")
        for contest, status, words in (("adm-later", 400, "not started"),
                                       ("adm-over", 400, "over"),
                                       ("adm-priv", 404, "no such contest"),
                                       ("adm-nope", 404, "no such contest")):
            err = self.assertError(self.submit("dan", "pa", contest), status, "contest")
            self.assertIn(words, err["message"])
        err = self.assertError(self.submit("dan", "px", "adm-open"), 400, "contest")
        self.assertIn("not part of the contest", err["message"])
        # Admitted: a public contest records the student as a participant; a hidden problem of
        # the contest may be submitted to.
        st, body, _ = self.submit("dan", "pc", "adm-open")
        self.assertIn(st, (201, 202), body)
        self.assertEqual(self.sql("SELECT count(*) FROM contest_participants p JOIN contests c"
                                  " ON c.id = p.contest_id JOIN users u ON u.id = p.user_id"
                                  " WHERE c.slug = 'adm-open' AND u.username = 'dan'"), "1")
        row = self.board("adm-open")["rows"][0]
        self.assertEqual(row["username"], "dan")
        self.assertEqual(row["problems"]["C"]["pending"], 1)
        # Staff may submit before the start and are never ranked.
        st, body, _ = self.submit("teacher", "pa", "adm-later")
        self.assertIn(st, (201, 202), body)
        self.judge(int(body["id"]), "AC", 10)
        self.assertEqual(self.board("adm-later", token=self.login("teacher"))["rows"], [])

    # --- standings ---

    def test_icpc_ranks_ties_and_penalty(self):
        self.contest("icpc")
        c = "icpc"
        self.accepted("ann", "pa", c, "WA", 5)
        self.accepted("ann", "pa", c, "CE", 7)
        self.accepted("ann", "pa", c, "AC", 10)        # A: 10 + 20 = 30
        self.accepted("bob", "pa", c, "AC", 30)        # A: 30, later last AC: after ann
        self.accepted("cat", "pa", c, "AC", 30)
        self.sql("UPDATE submissions s SET created_at = (SELECT created_at FROM submissions"
                 " WHERE user_id = (SELECT id FROM users WHERE username = 'bob')"
                 " AND contest_id = s.contest_id) WHERE s.user_id ="
                 " (SELECT id FROM users WHERE username = 'cat') AND s.contest_id ="
                 " (SELECT id FROM contests WHERE slug = 'icpc')")
        self.accepted("dan", "pb", c, "WA", 3)
        body = self.board(c)
        self.assertFalse(body["frozen"])
        self.assertEqual(self.ranks(body), [("ann", 1), ("bob", 2), ("cat", 2), ("dan", 4)])
        ann = body["rows"][0]
        self.assertEqual((ann["solved"], ann["penalty"]), (1, 30))
        self.assertEqual(ann["problems"]["A"], {"solved": True, "attempts": 2, "pending": 0,
                                                "score": 1, "time_min": 10})
        self.assertEqual(body["rows"][3]["problems"]["B"]["attempts"], 1)
        # Pages keep shared ranks.
        self.assertEqual(self.ranks(self.board(c, query="?limit=2&offset=2")),
                         [("cat", 2), ("dan", 4)])
        self.assertError(self.api("GET", "/api/v1/contests/icpc/leaderboard?limit=0"), 400,
                         "limit")
        self.assertError(self.api("GET", "/api/v1/contests/icpc/leaderboard?offset=-1"), 400,
                         "offset")
        self.assertError(self.api("GET", "/api/v1/contests/icpc/leaderboard?top=3"), 400, "top")
        # A rejudge that turns dan's WA into AC shows at once (no stale page).
        sid = int(self.sql("SELECT s.id FROM submissions s JOIN users u ON u.id = s.user_id"
                           " WHERE u.username = 'dan' AND s.verdict = 'WA'"
                           " AND s.contest_id = (SELECT id FROM contests WHERE slug = 'icpc')"))
        self.sql("UPDATE submissions SET status = 'queued' WHERE id = %d" % sid)
        self.assertEqual(self.ranks(self.board(c))[3], ("dan", 4))
        self.judge(sid, "AC", 10)
        self.assertEqual(self.ranks(self.board(c))[0], ("dan", 1))

    def test_ioi_scaled(self):
        self.contest("ioi", scoring="ioi",
                     problems=[{"problem": "pa", "label": "A", "points": 50},
                               {"problem": "pb", "label": "B"}])
        self.accepted("ann", "pa", "ioi", "WA", 5, 4)      # 4/10 of 50 = 20
        self.accepted("ann", "pa", "ioi", "AC", 9, 10)     # 50 at 9
        self.accepted("bob", "pb", "ioi", "WA", 3, 6)      # 6 (not scaled)
        self.accepted("cat", "pa", "ioi", "WA", 2, 4)
        self.accepted("cat", "pb", "ioi", "AC", 8, 10)     # 20 + 10 = 30 at 8
        body = self.board("ioi")
        self.assertEqual(self.ranks(body), [("ann", 1), ("cat", 2), ("bob", 3)])
        self.assertEqual(body["rows"][0]["score"], 50)
        self.assertEqual(body["rows"][0]["problems"]["A"]["time_min"], 9)
        self.assertEqual(body["rows"][1]["score"], 30)

    def test_freeze_and_unfreeze(self):
        self.contest("frz", start=-100, end=60, freeze=-40)
        self.accepted("ann", "pa", "frz", "AC", 10)
        self.accepted("bob", "pa", "frz", "WA", 20)
        self.accepted("bob", "pa", "frz", "AC", 70)        # after the freeze
        self.accepted("bob", "pb", "frz", "AC", 75)
        anon = self.board("frz")
        student = self.board("frz", token=self.login("cat"))
        live = self.board("frz", token=self.login("teacher"))
        self.assertTrue(anon["frozen"])
        anon.pop("server_time"), student.pop("server_time")
        self.assertEqual(anon, student)
        self.assertFalse(live["frozen"])
        self.assertEqual(self.ranks(anon), [("ann", 1), ("bob", 2)])
        bob = anon["rows"][1]
        self.assertEqual(bob["solved"], 0)
        self.assertEqual(bob["problems"]["A"]["attempts"], 1)
        self.assertEqual(bob["problems"]["A"]["pending"], 1)
        self.assertEqual(bob["problems"]["B"]["pending"], 1)
        self.assertEqual(self.ranks(live), [("bob", 1), ("ann", 2)])
        st, body, _ = self.api("POST", "/api/v1/contests/frz/unfreeze",
                               token=self.login("teacher"))
        self.assertEqual(st, 200, body)
        self.assertTrue(body["unfrozen"])
        after = self.board("frz")
        self.assertFalse(after["frozen"])
        self.assertEqual(self.ranks(after), [("bob", 1), ("ann", 2)])

    def test_freeze_hides_from_the_global_leaderboard_too(self):
        teacher = self.login("teacher")
        st, body, _ = self.api("POST", "/api/v1/problems", problem_body("pfz"), token=teacher)
        self.assertEqual(st, 201, body)
        self.contest("gfrz", start=-100, end=60, freeze=-40,
                     problems=[{"problem": "pfz", "label": "F"}])

        def score(user):
            st, body, _ = self.api("GET", "/api/v1/leaderboard?limit=200")
            self.assertEqual(st, 200, body)
            return {r["username"]: r["score"] for r in body["rows"]}.get(user, 0)

        def profile(user):
            st, body, _ = self.api("GET", "/api/v1/users/" + user)
            self.assertEqual(st, 200, body)
            return body["score"]

        self.login("frida")
        before, before_profile = score("frida"), profile("frida")
        self.accepted("frida", "pfz", "gfrz", "AC", 70, 10)      # after the freeze
        self.assertEqual(score("frida"), before)                  # the freeze holds here too
        self.assertEqual(profile("frida"), before_profile)
        self.assertEqual(self.api("POST", "/api/v1/contests/gfrz/unfreeze", token=teacher)[0], 200)
        self.assertEqual(score("frida"), before + 10)
        self.assertEqual(profile("frida"), before_profile + 10)
        self.assertEqual(self.sql("SELECT count(*) FROM (SELECT user_id, score, solved"
                                  " FROM global_rows EXCEPT SELECT * FROM global_compute()) d"),
                         "0")

    def test_private_leaderboard(self):
        self.contest("lb-priv", visibility="private")
        self.api("POST", "/api/v1/contests/lb-priv/participants", {"usernames": ["bob"]},
                 token=self.login("teacher"))
        # A private contest is missing to all but its participants, anonymous readers too.
        self.assertError(self.api("GET", "/api/v1/contests/lb-priv/leaderboard"), 404)
        self.assertError(self.api("GET", "/api/v1/contests/lb-priv/leaderboard",
                                  token=self.login("cat")), 404)
        self.assertEqual(self.ranks(self.board("lb-priv", token=self.login("bob"))),
                         [("bob", 1)])
        self.assertError(self.api("GET", "/api/v1/contests/nope/leaderboard"), 404)

    def test_global_leaderboard(self):
        self.contest("glob")
        self.accepted("eve", "pa", "glob", "AC", 1, 10)
        self.accepted("eve", "pb", "glob", "WA", 1, 4)
        self.accepted("eve", "pc", "glob", "AC", 2, 10)    # hidden problem: not counted
        st, body, _ = self.api("GET", "/api/v1/leaderboard?limit=200")
        self.assertEqual(st, 200, body)
        rows = {r["username"]: r for r in body["rows"]}
        self.assertEqual((rows["eve"]["score"], rows["eve"]["solved"]), (14, 1))
        self.assertNotIn("teacher", rows)
        ranks = [r["rank"] for r in body["rows"]]
        self.assertEqual(ranks, sorted(ranks))
        self.assertEqual(ranks[0], 1)
        self.assertError(self.api("GET", "/api/v1/leaderboard?limit=500"), 400, "limit")
        # Public, yet a token sent must be valid.
        self.assertError(self.api("GET", "/api/v1/leaderboard", token="not-a-token"), 401)

    def test_problem_deleted_leaves_the_standings(self):
        teacher = self.login("teacher")
        st, body, _ = self.api("POST", "/api/v1/problems", problem_body("pdel"), token=teacher)
        self.assertEqual(st, 201, body)
        self.contest("delc", problems=[{"problem": "pa", "label": "A"},
                                       {"problem": "pdel", "label": "D"}])
        self.accepted("cat", "pa", "delc", "AC", 1, 10)
        self.accepted("cat", "pdel", "delc", "AC", 2, 10)
        self.accepted("bob", "pdel", "delc", "AC", 3, 10)

        def global_score(user):
            st, body, _ = self.api("GET", "/api/v1/leaderboard?limit=200")
            self.assertEqual(st, 200, body)
            return {r["username"]: r["score"] for r in body["rows"]}.get(user, 0)

        before = global_score("cat")
        rows = {r["username"]: r for r in self.board("delc")["rows"]}   # a page now kept
        self.assertEqual((rows["cat"]["solved"], rows["bob"]["solved"]), (2, 1))
        # Students' submissions are on it: deleting is refused, saying how many and what to do
        # instead, and nothing changes.
        err = self.assertError(self.api("DELETE", "/api/v1/problems/pdel", token=teacher), 409,
                               "archived")
        self.assertIn("2 submissions", err["message"])
        self.assertIn("archive", err["message"])
        # Archived instead: out of the list, closed, and every result and standing stays.
        st, p, _ = self.api("PATCH", "/api/v1/problems/pdel", {"archived": True}, token=teacher)
        self.assertEqual((st, p.get("archived")), (200, True), p)
        body = self.board("delc")
        rows = {r["username"]: r for r in body["rows"]}
        self.assertEqual((rows["cat"]["solved"], rows["bob"]["solved"]), (2, 1))
        self.assertEqual(global_score("cat"), before)
        st, contest, _ = self.api("GET", "/api/v1/contests/delc", token=teacher)
        self.assertEqual([p["label"] for p in contest["problems"]], ["A", "D"])
        self.assertError(self.submit("ann", "pdel", "delc"), 400, "problem")

        # A problem nobody submitted to is deleted, and leaves its contests.
        st, body, _ = self.api("POST", "/api/v1/problems", problem_body("pdel2"), token=teacher)
        self.assertEqual(st, 201, body)
        self.contest("delc2", problems=[{"problem": "pa", "label": "A"},
                                        {"problem": "pdel2", "label": "D"}])
        self.accepted("cat", "pa", "delc2", "AC", 1, 10)
        self.assertEqual(self.api("DELETE", "/api/v1/problems/pdel2", token=teacher)[0], 204)
        body = self.board("delc2")
        self.assertEqual(self.ranks(body)[0], ("cat", 1))
        # The kept totals are what a computation from scratch gives.
        self.assertEqual(self.sql("SELECT count(*) FROM global_rows r JOIN global_compute() g"
                                  " USING (user_id) WHERE (r.score, r.solved)"
                                  " <> (g.score, g.solved)").strip(), "0")
        st, contest, _ = self.api("GET", "/api/v1/contests/delc2", token=teacher)
        self.assertEqual(st, 200, contest)
        self.assertEqual([p["label"] for p in contest["problems"]], ["A"])


    # --- what a front end needs: one way of paging, a total, columns, the phase, the time ---

    def test_leaderboard_pages_by_cursor_with_a_total(self):
        c = "curs"
        self.contest(c, problems=[{"problem": "pb", "label": "B", "points": 50},
                                  {"problem": "pa", "label": "A"}])
        for i, user in enumerate(STUDENTS):
            self.accepted(user, "pa", c, "AC", 10 + i)
        whole = self.board(c, query="?limit=200")
        self.assertEqual(whole["total"], len(STUDENTS))
        self.assertIsNone(whole["next_cursor"])
        self.assertEqual(whole["columns"], [
            {"label": "A", "problem": "pa", "title": "Problem pa", "points": None},
            {"label": "B", "problem": "pb", "title": "Problem pb", "points": 50}])
        # Page by page with the cursor: the same rows, in order, each once.
        seen, query, pages = [], "?limit=2", 0
        while True:
            body = self.board(c, query=query)
            self.assertEqual(body["total"], len(STUDENTS))
            seen += self.ranks(body)
            pages += 1
            if body["next_cursor"] is None:
                break
            query = "?limit=2&cursor=" + body["next_cursor"]
        self.assertEqual(pages, 3)
        self.assertEqual(seen, self.ranks(whole))
        # The offset of old clients still pages the same rows, and says where to go next.
        body = self.board(c, query="?limit=2&offset=2")
        self.assertEqual(self.ranks(body), seen[2:4])
        self.assertIsNotNone(body["next_cursor"])
        self.assertEqual(self.ranks(self.board(c, query="?limit=2&cursor=" +
                                               body["next_cursor"])), seen[4:])
        first = self.board(c, query="?limit=2")["next_cursor"]
        self.assertError(self.api("GET", "/api/v1/contests/curs/leaderboard?offset=2&cursor=" +
                                  first), 400, "offset")
        self.assertError(self.api("GET", "/api/v1/contests/curs/leaderboard?cursor=nope"), 400,
                         "cursor")
        # A list's cursor is not a leaderboard's.
        st, lst, _ = self.api("GET", "/api/v1/contests?limit=1")
        self.assertEqual(st, 200, lst)
        self.assertError(self.api("GET", "/api/v1/contests/curs/leaderboard?cursor=" +
                                  lst["next_cursor"]), 400, "cursor")

    def test_global_leaderboard_pages_by_cursor(self):
        self.contest("gcurs")
        for i, user in enumerate(STUDENTS):
            self.accepted(user, "pa", "gcurs", "AC", 1 + i, 10)
        st, whole, _ = self.api("GET", "/api/v1/leaderboard?limit=200")
        self.assertEqual(st, 200, whole)
        self.assertEqual(whole["total"], len(whole["rows"]))
        self.assertIsNone(whole["next_cursor"])
        self.assertNotIn("columns", whole)
        seen, query = [], "?limit=2"
        while query:
            st, body, _ = self.api("GET", "/api/v1/leaderboard" + query)
            self.assertEqual(st, 200, body)
            seen += [r["username"] for r in body["rows"]]
            query = body["next_cursor"] and "?limit=2&cursor=" + body["next_cursor"]
        self.assertEqual(seen, [r["username"] for r in whole["rows"]])

    def test_phase_and_server_time(self):
        teacher = self.login("teacher")
        self.contest("ph-up", start=30, end=90)
        self.contest("ph-run", start=-30, end=30)
        self.contest("ph-frz", start=-30, end=30, freeze=-10)
        self.contest("ph-end", start=-90, end=-30)
        want = {"ph-up": "upcoming", "ph-run": "running", "ph-frz": "frozen", "ph-end": "ended"}
        for slug, phase in want.items():
            st, body, _ = self.api("GET", "/api/v1/contests/" + slug)
            self.assertEqual((st, body.get("phase")), (200, phase), body)
            self.assertRegex(body["server_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertEqual(len(body["server_time"]), len(body["starts_at"]))
            board = self.board(slug)
            self.assertEqual(board["phase"], phase)
            self.assertRegex(board["server_time"], r"^\d{4}-.*Z$")
        now = datetime.datetime.now(datetime.timezone.utc)
        told = datetime.datetime.strptime(body["server_time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        self.assertLess(abs((told.replace(tzinfo=datetime.timezone.utc) - now).total_seconds()),
                        300)
        st, lst, _ = self.api("GET", "/api/v1/contests?limit=100")
        self.assertEqual(st, 200, lst)
        self.assertIn("server_time", lst)
        got = {c["slug"]: c["phase"] for c in lst["items"] if c["slug"] in want}
        self.assertEqual(got, want)
        # Unfrozen, a frozen contest runs again.
        st, body, _ = self.api("POST", "/api/v1/contests/ph-frz/unfreeze", token=teacher)
        self.assertEqual((st, body.get("phase")), (200, "running"), body)
        # Before the start students see the columns, not the problems; staff see both.
        self.assertEqual(self.board("ph-up")["columns"],
                         [{"label": l, "points": None} for l in "ABC"])
        self.assertEqual(self.board("ph-up", token=teacher)["columns"][0]["problem"], "pa")
        # What GET gave goes back with PUT and PATCH, phase and server time included.
        st, body, _ = self.api("GET", "/api/v1/contests/ph-run", token=teacher)
        body["title"] = "Renamed"
        body["server_time"] = "2000-01-01T00:00:00.000Z"
        st, out, _ = self.api("PUT", "/api/v1/contests/ph-run", body, token=teacher)
        self.assertEqual((st, out.get("title")), (200, "Renamed"), out)
        st, out, _ = self.api("PATCH", "/api/v1/contests/ph-run",
                              {"title": "Again", "phase": "ended"}, token=teacher)
        self.assertEqual((st, out.get("title"), out.get("phase")), (200, "Again", "running"), out)


if __name__ == "__main__":
    gavel_test.main()
