"""The routes a front end needs beside the basics, through the real gavel-api: the admins' user
list and disabling, a contest's participant list and removal, one submission's rejudge and
the submission list's filters.

No judge runs: results are written with psql the way the judge writes them.
"""

import datetime
import threading
import time

import apitest
import gavel_test


def iso(minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Routes(apitest.ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_RATE_PER_SEC": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.login("admin")
        cls.teacher = cls.login("teacher")
        st, body, _ = cls.api("POST", "/api/v1/problems", apitest.problem("rp"),
                              token=cls.teacher)
        if st != 201:
            raise AssertionError("problem: %s %s" % (st, body))

    def contest(self, slug, visibility="public", token=None):
        body = {"slug": slug, "title": "Contest " + slug, "starts_at": iso(-60),
                "ends_at": iso(60), "scoring": "icpc", "visibility": visibility,
                "problems": [{"problem": "rp", "label": "A"}]}
        st, out, _ = self.api("POST", "/api/v1/contests", body, token=token or self.teacher)
        self.assertEqual(st, 201, out)
        return out

    def pages(self, path, token, limit=2):
        """Every item of a cursor-paginated list, following next_cursor."""
        items, cursor = [], None
        sep = "&" if "?" in path else "?"
        for _ in range(100):
            url = path + sep + "limit=%d" % limit + ("&cursor=" + cursor if cursor else "")
            st, body, _ = self.api("GET", url, token=token)
            self.assertEqual(st, 200, body)
            self.assertLessEqual(len(body["items"]), limit)
            items += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                return items
        self.fail("the list did not end")

    # --- accounts ---

    def test_user_list_for_admins(self):
        for name in ("ulist_ana", "ulist_ben", "ulist_cy"):
            self.login(name)
        self.gavel("user", "create", "ulist_ida", "--role", "instructor",
                   password=gavel_test.PASSWORD)
        everyone = self.pages("/api/v1/users", self.admin)
        names = [u["username"] for u in everyone]
        self.assertEqual(len(names), len(set(names)))
        for name in ("admin", "teacher", "ulist_ana", "ulist_ida"):
            self.assertIn(name, names)
        ids = [u["id"] for u in everyone]
        self.assertEqual(ids, sorted(ids, reverse=True))
        for u in everyone:
            self.assertEqual(set(u), {"id", "username", "display_name", "role", "created_at",
                                      "disabled"})
            self.assertNotIn("password_hash", u)
        got = self.pages("/api/v1/users?role=instructor", self.admin)
        self.assertEqual({u["role"] for u in got}, {"instructor"})
        self.assertIn("ulist_ida", [u["username"] for u in got])
        got = self.pages("/api/v1/users?q=ULIST_&role=student", self.admin)
        self.assertEqual(sorted(u["username"] for u in got), ["ulist_ana", "ulist_ben",
                                                              "ulist_cy"])
        # A pattern character is text, not a pattern.
        self.assertEqual(self.pages("/api/v1/users?q=%25", self.admin), [])
        self.assertError(self.api("GET", "/api/v1/users?role=root", token=self.admin), 400,
                         "role")
        self.assertError(self.api("GET", "/api/v1/users?q=", token=self.admin), 400, "q")
        self.assertError(self.api("GET", "/api/v1/users?q=" + "x" * 65, token=self.admin), 400,
                         "q")
        self.assertError(self.api("GET", "/api/v1/users?sort=name", token=self.admin), 400,
                         "sort")
        self.assertError(self.api("GET", "/api/v1/users?cursor=zz", token=self.admin), 400,
                         "cursor")
        self.assertError(self.api("GET", "/api/v1/users?limit=101", token=self.admin), 400,
                         "limit")
        self.assertError(self.api("GET", "/api/v1/users", token=self.teacher), 403)
        self.assertError(self.api("GET", "/api/v1/users", token=self.login("ulist_ana")), 403)
        self.assertError(self.api("GET", "/api/v1/users"), 401)

    def test_disabling_an_account(self):
        tok = self.login("dis_dora")
        other = self.api("POST", "/api/v1/sessions", {"username": "dis_dora",
                                                      "password": gavel_test.PASSWORD})[1]["token"]
        sid = self.submit(tok, "rp")[1]["id"]
        st, body, _ = self.api("PATCH", "/api/v1/users/DIS_DORA", {"disabled": True},
                               token=self.admin)
        self.assertEqual((st, body["disabled"]), (200, True), body)
        # Every token stops at once, signing in is refused, the data stays.
        for t in (tok, other):
            self.assertError(self.api("GET", "/api/v1/me", token=t), 401)
        err = self.assertError(self.api("POST", "/api/v1/sessions",
                                        {"username": "dis_dora",
                                         "password": gavel_test.PASSWORD}), 403)
        self.assertIn("disabled", err["message"])
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.admin)
        self.assertEqual((st, body["user"]), (200, "dis_dora"))
        listed = self.pages("/api/v1/users?q=dis_dora", self.admin)
        self.assertEqual([(u["username"], u["disabled"]) for u in listed], [("dis_dora", True)])
        st, body, _ = self.api("PATCH", "/api/v1/users/dis_dora", {"disabled": False},
                               token=self.admin)
        self.assertEqual((st, body["disabled"]), (200, False), body)
        del self.tokens["dis_dora"]
        self.assertEqual(self.api("GET", "/api/v1/me", token=self.login("dis_dora"))[0], 200)
        # An admin cannot disable themself, even beside another admin.
        self.gavel("user", "create", "dis_admin2", "--role", "admin",
                   password=gavel_test.PASSWORD)
        adm2 = self.login("dis_admin2")
        for name in ("dis_admin2", "DIS_ADMIN2"):
            err = self.assertError(self.api("PATCH", "/api/v1/users/" + name, {"disabled": True},
                                            token=adm2), 409, "disabled")
            self.assertIn("your own", err["message"])
        self.assertEqual(self.api("GET", "/api/v1/me", token=adm2)[0], 200)
        # Another admin may; a student may not disable anyone, themself included.
        st, body, _ = self.api("PATCH", "/api/v1/users/dis_admin2", {"disabled": True},
                               token=self.admin)
        self.assertEqual((st, body["disabled"]), (200, True), body)
        self.assertError(self.api("GET", "/api/v1/me", token=adm2), 401)
        self.assertError(self.api("PATCH", "/api/v1/users/dis_dora", {"disabled": True},
                                  token=self.login("dis_dora")), 403, "disabled")
        self.assertError(self.api("PATCH", "/api/v1/users/dis_dora", {"disabled": "yes"},
                                  token=self.admin), 400, "disabled")

    # --- participants ---

    def test_participants_list_and_removal(self):
        self.contest("pl")
        names = ["pl_%d" % i for i in range(5)]
        for n in names:
            self.login(n)
        st, body, _ = self.api("POST", "/api/v1/contests/pl/participants",
                               {"usernames": names[:4]}, token=self.teacher)
        self.assertEqual((st, body["added"]), (200, 4), body)
        # A public contest's student enters it with a first submission.
        st, body, _ = self.submit(self.login(names[4]), "rp", contest="pl")
        self.assertEqual(st, 202, body)
        sid = body["id"]
        self.finish_submission(sid, "AC")
        got = self.pages("/api/v1/contests/pl/participants", self.teacher)
        self.assertEqual(sorted(p["username"] for p in got), names)
        for p in got:
            self.assertEqual(set(p), {"username", "display_name", "joined_at"})
        self.assertEqual(self.pages("/api/v1/contests/pl/participants", self.admin,
                                    limit=100), got)
        board = self.api("GET", "/api/v1/contests/pl/leaderboard")[1]
        self.assertEqual(board["rows"][0]["username"], names[4])
        self.assertEqual(len(board["rows"]), 5)

        # Only those who run the contest list or remove.
        for tok in (self.login(names[0]), self.login("pl_teacher2", role="instructor")):
            self.assertError(self.api("GET", "/api/v1/contests/pl/participants", token=tok), 403)
            self.assertError(self.api("DELETE", "/api/v1/contests/pl/participants/" + names[1],
                                      token=tok), 403)
        self.assertError(self.api("GET", "/api/v1/contests/pl/participants"), 401)
        self.assertError(self.api("GET", "/api/v1/contests/nope/participants",
                                  token=self.teacher), 404)
        self.assertError(self.api("GET", "/api/v1/contests/pl/participants?cursor=zz",
                                  token=self.teacher), 400, "cursor")

        # Removal: out of the list and the standings; the submission stays.
        st, _, _ = self.api("DELETE", "/api/v1/contests/pl/participants/PL_4",
                            token=self.teacher)
        self.assertEqual(st, 204)
        got = self.pages("/api/v1/contests/pl/participants", self.teacher, limit=100)
        self.assertEqual(sorted(p["username"] for p in got), names[:4])
        board = self.api("GET", "/api/v1/contests/pl/leaderboard")[1]
        self.assertNotIn(names[4], [r["username"] for r in board["rows"]])
        self.assertEqual(len(board["rows"]), 4)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.login(names[4]))
        self.assertEqual((st, body["contest"], body["verdict"]), (200, "pl", "AC"), body)
        # A rejudge or a rebuild of the contest does not bring them back.
        self.sql("UPDATE submissions SET score = 5 WHERE id = %d" % sid)
        self.sql("SELECT standings_rebuild(id) FROM contests WHERE slug = 'pl'")
        board = self.api("GET", "/api/v1/contests/pl/leaderboard")[1]
        self.assertNotIn(names[4], [r["username"] for r in board["rows"]])
        # Nor may they enter again by submitting.
        self.assertError(self.submit(self.login(names[4]), "rp", contest="pl"), 403, "contest")

        # Unknown user, or not a participant: 404 naming the username.
        for who in ("nobody", names[4], "bad%20name", "teacher"):
            self.assertError(self.api("DELETE", "/api/v1/contests/pl/participants/" + who,
                                      token=self.teacher), 404, "username")
        self.assertError(self.api("DELETE", "/api/v1/contests/nope/participants/" + names[0],
                                  token=self.teacher), 404)

        # Added again, their submission counts again.
        st, body, _ = self.api("POST", "/api/v1/contests/pl/participants",
                               {"usernames": [names[4]]}, token=self.admin)
        self.assertEqual((st, body["added"]), (200, 1), body)
        board = self.api("GET", "/api/v1/contests/pl/leaderboard")[1]
        self.assertEqual((board["rows"][0]["username"], board["rows"][0]["solved"]),
                         (names[4], 1), board)
        self.assertEqual(self.submit(self.login(names[4]), "rp", contest="pl")[0], 202)

    def test_removed_from_a_private_contest(self):
        self.contest("plp", visibility="private")
        self.login("plp_a")
        self.api("POST", "/api/v1/contests/plp/participants", {"usernames": ["plp_a"]},
                 token=self.teacher)
        self.assertEqual(self.api("GET", "/api/v1/contests/plp", token=self.login("plp_a"))[0],
                         200)
        self.assertEqual(self.api("DELETE", "/api/v1/contests/plp/participants/plp_a",
                                  token=self.admin)[0], 204)
        self.assertError(self.api("GET", "/api/v1/contests/plp", token=self.login("plp_a")), 404)

    # --- rejudge ---

    def test_rejudge_one_submission(self):
        stu = self.login("rj_stu")
        sid = self.submit(stu, "rp")[1]["id"]
        other = self.submit(stu, "rp")[1]["id"]
        self.finish_submission(sid, "WA", 1)
        self.finish_submission(other, "AC", 6)
        st, body, _ = self.api("POST", "/api/v1/submissions/%d/rejudge" % sid,
                               token=self.teacher)
        self.assertEqual((st, body), (202, {"id": sid, "status": "queued"}))
        # Queued again behind every submission never judged; the old result stays visible.
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((body["status"], body["verdict"], body["score"]), ("queued", "WA", 1))
        self.assertEqual(self.sql("SELECT status FROM submissions WHERE id = %d" % other),
                         "done")
        # A body of {} is fine; anything else is refused.
        self.assertEqual(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid, {},
                                  token=self.admin)[0], 202)
        self.assertError(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid, {"x": 1},
                                  token=self.admin), 400, "x")
        # Its author reads it but does not rejudge it; others do not see it at all.
        self.assertError(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid, token=stu),
                         403)
        self.assertError(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid,
                                  token=self.login("rj_other")), 404, "id")
        self.assertError(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid,
                                  token=self.login("rj_teacher2", role="instructor")), 404, "id")
        for bad in ("0", "abc", "99999999", "-1"):
            self.assertError(self.api("POST", "/api/v1/submissions/%s/rejudge" % bad,
                                      token=self.admin), 404, "id")
        self.assertError(self.api("POST", "/api/v1/submissions/%d/rejudge" % sid), 401)

    def test_contest_staff_rejudge(self):
        self.gavel("user", "create", "rj_cstaff", "--role", "instructor",
                   password=gavel_test.PASSWORD)
        self.contest("rjc")
        self.api("PATCH", "/api/v1/contests/rjc", {"staff": ["rj_cstaff"]}, token=self.teacher)
        sid = self.submit(self.login("rj_cstu"), "rp", contest="rjc")[1]["id"]
        self.finish_submission(sid, "WA", 0)
        st, body, _ = self.api("POST", "/api/v1/submissions/%d/rejudge" % sid,
                               token=self.login("rj_cstaff"))
        self.assertEqual(st, 202, body)

    # --- filters ---

    def test_submission_filters(self):
        self.contest("flt")
        a, b = self.login("flt_a"), self.login("flt_b")
        ids = {}
        ids["a_py"] = self.submit(a, "rp")[1]["id"]
        ids["a_c"] = self.submit(a, "rp", source="int main(){}", language="c")[1]["id"]
        ids["a_ct"] = self.submit(a, "rp", contest="flt")[1]["id"]
        ids["b_ct"] = self.submit(b, "rp", contest="flt", language="c",
                                  source="int main(){}")[1]["id"]
        self.finish_submission(ids["a_py"], "AC")
        self.finish_submission(ids["b_ct"], "WA", 1)
        self.sql("UPDATE submissions SET status = 'judging' WHERE id = %d" % ids["a_c"])
        self.sql("UPDATE submissions SET created_at = now() - interval '2 days'"
                 " WHERE id = %d" % ids["a_py"])
        mine = set(ids.values())

        def ids_of(query, token=self.teacher):
            got = self.pages("/api/v1/submissions?" + query, token, limit=1)
            return [s["id"] for s in got if s["id"] in mine]

        self.assertEqual(ids_of("contest=flt"), [ids["b_ct"], ids["a_ct"]])
        self.assertEqual(ids_of("language=c"), [ids["b_ct"], ids["a_c"]])
        self.assertEqual(ids_of("status=judging"), [ids["a_c"]])
        self.assertEqual(ids_of("status=queued&problem=rp"), [ids["a_ct"]])
        self.assertEqual(ids_of("status=done&verdict=WA"), [ids["b_ct"]])
        self.assertEqual(ids_of("contest=flt&language=c&user=flt_b"), [ids["b_ct"]])
        self.assertEqual(ids_of("contest=flt&language=python3&user=FLT_A"), [ids["a_ct"]])
        day = iso(-24 * 60).replace("Z", "%2B00:00")
        self.assertEqual(ids_of("since=" + day + "&user=flt_a"), [ids["a_ct"], ids["a_c"]])
        self.assertEqual(ids_of("since=" + iso(-3 * 24 * 60) + "&user=flt_a&language=python3"),
                         [ids["a_ct"], ids["a_py"]])
        self.assertEqual(ids_of("since=" + iso(10)), [])
        self.assertEqual(ids_of("contest=none-such"), [])
        self.assertEqual(ids_of("language=cobol"), [])
        # A student's filters apply to their own submissions only.
        self.assertEqual(ids_of("contest=flt", token=b), [ids["b_ct"]])
        self.assertEqual(ids_of("language=c", token=a), [ids["a_c"]])
        # Bad values: 400 naming the parameter.
        for query, field in (("contest=Bad%20Slug", "contest"), ("language=C%2B%2B%20!", "language"),
                             ("language=", "language"), ("status=running", "status"),
                             ("status=", "status"), ("since=yesterday", "since"),
                             ("since=now", "since"), ("since=2026-02-30T00:00:00Z", "since"),
                             ("since=2026-05-01", "since"), ("since=2026-05-01T09:00:00", "since"),
                             ("since=2026-13-01T09:00:00Z", "since"), ("verdict=OK", "verdict"),
                             ("colour=red", "colour")):
            self.assertError(self.api("GET", "/api/v1/submissions?" + query, token=self.teacher),
                             400, field)

    # --- judging progress (written here as the judge writes it) ---

    def judging(self, sid, attempts=1):
        self.sql("UPDATE submissions SET status = 'judging', judge_id = 'j:1', attempts = %d"
                 " WHERE id = %d;"
                 " INSERT INTO submission_judging (submission_id, attempts, tests_total, max_score)"
                 " VALUES (%d, %d, 3, 6)" % (attempts, sid, sid, attempts))

    def mark_test_done(self, sid, ordinal, verdict, points, score):
        self.sql("INSERT INTO submission_judging_tests VALUES (%d, %d, '%s', 10, 2000, %d);"
                 " UPDATE submission_judging SET tests_done = %d, score = %d"
                 " WHERE submission_id = %d" % (sid, ordinal, verdict, points, ordinal, score, sid))

    def test_progress_while_judged(self):
        stu = self.login("pg_stu")
        sid = self.submit(stu, "rp")[1]["id"]
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((body["status"], body["progress"]), ("queued", None))
        self.judging(sid)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual(body["progress"], {"tests_done": 0, "tests_total": 3, "score": 0,
                                            "max_score": 6})
        self.assertEqual((body["status"], body["score"], body["max_score"], body["tests"]),
                         ("judging", 0, 6, []))
        self.mark_test_done(sid, 1, "AC", 1, 1)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((body["progress"]["tests_done"], body["score"]), (1, 1), body)
        self.assertEqual(body["tests"], [{"ordinal": 1, "verdict": "AC", "time_ms": 10,
                                          "memory_kb": 2000, "points": 1, "group": None,
                                          "message": None}])
        # The list shows what is recorded; the progress is the submission's own.
        st, lst, _ = self.api("GET", "/api/v1/submissions?status=judging", token=stu)
        self.assertEqual([(s["id"], s["score"]) for s in lst["items"]], [(sid, None)])

        # ?wait= with tests_done answers at the next test done, not at the end.
        got = {}

        def waiter():
            t0 = time.monotonic()
            got["answer"] = self.api("GET", "/api/v1/submissions/%d?wait=30&tests_done=1" % sid,
                                     token=stu)
            got["took"] = time.monotonic() - t0

        th = threading.Thread(target=waiter)
        th.start()
        time.sleep(0.5)  # not needed for correctness: a change before the request answers at once
        self.mark_test_done(sid, 2, "AC", 2, 1)
        th.join(60)
        st, body, _ = got["answer"]
        self.assertEqual((st, body["status"], body["progress"]["tests_done"]), (200, "judging", 2))
        self.assertLess(got["took"], 25)
        self.assertEqual([t["ordinal"] for t in body["tests"]], [1, 2])
        # A progress the client has not seen answers at once; without tests_done, ?wait= waits
        # for the end as before (here: its deadline).
        st, body, _ = self.api("GET", "/api/v1/submissions/%d?wait=30&tests_done=0" % sid,
                               token=stu)
        self.assertEqual(body["progress"]["tests_done"], 2)
        t0 = time.monotonic()
        st, body, _ = self.api("GET", "/api/v1/submissions/%d?wait=1" % sid, token=stu)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertEqual((st, body["status"]), (200, "judging"))
        # Progress of another attempt (a judge that lost the job) is not shown.
        self.sql("UPDATE submission_judging SET attempts = 7 WHERE submission_id = %d" % sid)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((body["progress"], body["tests"], body["max_score"]), (None, [], None))
        self.sql("UPDATE submission_judging SET attempts = 1 WHERE submission_id = %d" % sid)
        # The end: the progress goes with the judging.
        self.finish_submission(sid, "AC", 6)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d?wait=30&tests_done=2" % sid,
                               token=stu)
        self.assertEqual((body["status"], body["progress"], body["score"]), ("done", None, 6))
        self.assertEqual(self.sql("SELECT count(*) FROM submission_judging"
                                  " WHERE submission_id = %d" % sid), "0")
        for bad in ("-1", "x", "1000001"):
            self.assertError(self.api("GET", "/api/v1/submissions/%d?wait=5&tests_done=%s"
                                      % (sid, bad), token=stu), 400, "tests_done")
        self.assertError(self.api("POST", "/api/v1/submissions?wait=5&tests_done=0",
                                  {"problem": "rp", "language": "python3", "source": "1"},
                                  token=stu), 400, "tests_done")

    def test_progress_of_a_rejudge_keeps_the_old_result(self):
        stu = self.login("pg_re")
        sid = self.submit(stu, "rp")[1]["id"]
        self.finish_submission(sid, "WA", 1)
        self.sql("INSERT INTO submission_tests (submission_id, ordinal, verdict, time_ms,"
                 " memory_kb, points) VALUES (%d, 1, 'AC', 5, 100, 1)" % sid)
        self.api("POST", "/api/v1/submissions/%d/rejudge" % sid, token=self.teacher)
        self.judging(sid)
        self.mark_test_done(sid, 1, "WA", 0, 0)
        st, body, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((body["status"], body["verdict"], body["score"], body["max_score"]),
                         ("judging", "WA", 1, 6))
        self.assertEqual([t["verdict"] for t in body["tests"]], ["AC"])
        self.assertEqual(body["progress"], {"tests_done": 1, "tests_total": 3, "score": 0,
                                            "max_score": 6})
        # Taken back (a judge stopping, a rejudge): the progress goes.
        self.sql("UPDATE submissions SET status = 'queued' WHERE id = %d" % sid)
        self.assertEqual(self.sql("SELECT count(*) FROM submission_judging_tests"
                                  " WHERE submission_id = %d" % sid), "0")


if __name__ == "__main__":
    gavel_test.main()
