"""Problems: list, get (statement, limits, checker, samples), create, replace, delete, tests,
rejudge, and every kind of bad problem body."""

import copy
import io
import zipfile

import gavel_test
from apitest import ApiCase, problem


class Problems(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_CHECKER_WAIT_S": "2"}

    def test_create_and_get(self):
        tok = self.login("teacher")
        body = problem("sum", memory_limit_mb=128, time_limits_ms={"cpp": 1500},
                       checker={"kind": "float", "abs": 1e-6, "rel": 1e-4},
                       stop_on_first_failure=True)
        st, p, hdr = self.api("POST", "/api/v1/problems", body, token=tok)
        self.assertEqual(st, 201, p)
        self.assertEqual(p["slug"], "sum")
        self.assertEqual(p["owner"], "teacher")
        self.assertEqual(p["test_count"], 3)
        self.assertEqual(p["max_score"], 6)
        self.assertEqual(p["checker"], {"kind": "float", "abs": 1e-6, "rel": 1e-4,
                                        "case_sensitive": True, "space_change_sensitive": False})
        self.assertEqual(p["limits"]["cpp"], {"time_limit_ms": 1500, "memory_limit_mb": 128})
        self.assertEqual(p["limits"]["python3"], {"time_limit_ms": 2000, "memory_limit_mb": 128})
        self.assertEqual(p["samples"], [{"ordinal": 1, "input": "1 2\n", "output": "3\n"}])
        self.assertTrue(p["stop_on_first_failure"])
        self.assertRegex(p["created_at"], r"Z$")
        st, g, _ = self.api("GET", "/api/v1/problems/sum", token=self.login("stu"))
        self.assertEqual(st, 200, g)
        self.assertEqual(g["statement"], body["statement"])
        self.assertNotIn("tests", g)
        # Defaults: tokens checker, each language's own limits.
        p2 = self.make_problem("plain")
        self.assertEqual(p2["checker"], {"kind": "tokens", "case_sensitive": True,
                                         "space_change_sensitive": False})
        self.assertEqual(p2["limits"]["java"], {"time_limit_ms": 3000, "memory_limit_mb": 256})
        self.assertIsNone(p2["memory_limit_mb"])

    def test_custom_checker_source_not_shown(self):
        self.make_problem("cust")
        self.sql("UPDATE problems SET checker_kind = 'custom', checker_language = 'python3',"
                 " checker_source = 'SECRET CHECKER' WHERE slug = 'cust'")
        st, g, _ = self.api("GET", "/api/v1/problems/cust", token=self.login("stu"))
        self.assertEqual(g["checker"], {"kind": "custom", "language": "python3",
                                        "protocol": "testlib"})
        self.assertNotIn("SECRET", str(g))

    def test_custom_checker_without_a_judge_is_503_and_nothing_stored(self):
        # No judge runs in this class: nobody compiles the checker within the wait.
        st, err, hdr = self.api("POST", "/api/v1/problems", problem(
            "nojudge", checker={"kind": "custom", "language": "python3", "source": "print(1)"}),
            token=self.login("teacher"))
        self.assertEqual(st, 503, err)
        self.assertEqual(err["error"]["field"], "checker.source", err)
        self.assertIn("Retry-After", hdr)
        self.assertEqual(self.sql("SELECT count(*) FROM problems WHERE slug = 'nojudge'"), "0")
        self.assertEqual(self.sql("SELECT count(*) FROM checker_builds"), "0")

    def test_visibility(self):
        self.make_problem("pub")
        self.make_problem("hid", visibility="hidden")
        stu = self.login("stu")
        st, lst, _ = self.api("GET", "/api/v1/problems?limit=100", token=stu)
        self.assertEqual(st, 200, lst)
        slugs = [i["slug"] for i in lst["items"]]
        self.assertIn("pub", slugs)
        self.assertNotIn("hid", slugs)
        self.assertError(self.api("GET", "/api/v1/problems/hid", token=stu), 404)
        self.assertError(self.api("GET", "/api/v1/problems/hid/tests", token=stu), 404)
        self.assertError(self.submit(stu, "hid"), 404, "problem")
        st, lst, _ = self.api("GET", "/api/v1/problems?limit=100", token=self.login("teacher"))
        self.assertIn("hid", [i["slug"] for i in lst["items"]])
        self.assertEqual(self.api("GET", "/api/v1/problems/hid", token=self.login("admin"))[0], 200)

    def test_pagination(self):
        for i in range(7):
            self.make_problem("page%d" % i)
        tok = self.login("teacher")
        seen, cursor = [], None
        while True:
            path = "/api/v1/problems?limit=3" + ("&cursor=" + cursor if cursor else "")
            st, page, _ = self.api("GET", path, token=tok)
            self.assertEqual(st, 200, page)
            self.assertLessEqual(len(page["items"]), 3)
            seen += [i["slug"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue({"page%d" % i for i in range(7)} <= set(seen))
        for bad in ("limit=0", "limit=101", "limit=x", "limit=-1", "cursor=zzz", "cursor=c",
                    "cursor=cAAAA", "limit=1&limit=2", "limit=99999999999999999999", "sort=x"):
            self.assertError(self.api("GET", "/api/v1/problems?" + bad, token=tok), 400)

    def test_replace_delete_owner_rules(self):
        self.make_problem("own")
        other = self.login("prof2", role="instructor")
        adm = self.login("admin")
        body = problem("own", title="Replaced")
        self.assertError(self.api("PUT", "/api/v1/problems/own", body, token=other), 403)
        self.assertError(self.api("PUT", "/api/v1/problems/own", body, token=self.login("stu")),
                         403)
        st, p, _ = self.api("PUT", "/api/v1/problems/own", body, token=self.login("teacher"))
        self.assertEqual((st, p["title"], p["version"]), (200, "Replaced", 2), p)
        body.pop("slug")
        st, p, _ = self.api("PUT", "/api/v1/problems/own", body, token=adm)
        self.assertEqual((st, p["version"], p["owner"]), (200, 3, "teacher"), p)
        self.assertError(self.api("PUT", "/api/v1/problems/own", problem("other"), token=adm),
                         400, "slug")
        self.assertError(self.api("PUT", "/api/v1/problems/nope", problem("nope"), token=adm), 404)
        self.assertError(self.api("DELETE", "/api/v1/problems/own", token=other), 403)
        self.assertEqual(self.api("DELETE", "/api/v1/problems/own",
                                  token=self.login("teacher"))[0], 204)
        self.assertError(self.api("GET", "/api/v1/problems/own", token=adm), 404)
        self.assertError(self.api("DELETE", "/api/v1/problems/own", token=adm), 404)
        self.assertError(self.api("POST", "/api/v1/problems", problem("x"),
                                  token=self.login("stu")), 403)

    def test_tests_endpoint(self):
        self.make_problem("tt")
        for who in ("teacher", "admin"):
            st, body, _ = self.api("GET", "/api/v1/problems/tt/tests", token=self.login(who))
            self.assertEqual(st, 200, body)
            self.assertEqual(len(body["tests"]), 3)
            t = body["tests"][1]
            self.assertEqual((t["ordinal"], t["input"], t["output"], t["points"], t["sample"],
                              t["group"]), (2, "5 5\n", "10\n", 2, False, "big"))
        # Another instructor reads the secret tests only once on the problem's staff.
        prof3 = self.login("prof3", role="instructor")
        self.assertError(self.api("GET", "/api/v1/problems/tt/tests", token=prof3), 403)
        st, body, _ = self.api("PATCH", "/api/v1/problems/tt", {"staff": ["prof3"]},
                               token=self.login("teacher"))
        self.assertEqual((st, body.get("staff")), (200, ["prof3"]), body)
        st, body, _ = self.api("GET", "/api/v1/problems/tt/tests", token=prof3)
        self.assertEqual(st, 200)
        self.assertError(self.api("GET", "/api/v1/problems/tt/tests", token=self.login("stu")),
                         403)
        self.assertError(self.api("GET", "/api/v1/problems/none/tests",
                                  token=self.login("teacher")), 404)

    def test_rejudge(self):
        self.make_problem("rj")
        stu = self.login("stu")
        ids = [self.submit(stu, "rj")[1]["id"] for _ in range(4)]
        self.finish_submission(ids[0], "WA", 1)
        self.finish_submission(ids[1], "AC", 6)
        # One is being judged (against the tests as they were): it must be judged again too,
        # and the judge holding it loses it, or its stale result would stand.
        self.sql("UPDATE submissions SET status='judging', judge_id='host:1', attempts=1,"
                 " lease_expires_at=now() + interval '30 seconds' WHERE id=%d" % ids[2])
        self.assertError(self.api("POST", "/api/v1/problems/rj/rejudge", token=stu), 403)
        st, body, _ = self.api("POST", "/api/v1/problems/rj/rejudge", token=self.login("teacher"))
        self.assertEqual((st, body), (202, {"queued": 4}))
        self.assertEqual(self.sql("SELECT status, judge_id IS NULL, attempts FROM submissions"
                                  " WHERE id=%d" % ids[2]), "queued|t|0")
        # The old verdict stays visible until the judge records a new one.
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % ids[1], token=stu)
        self.assertEqual((s["status"], s["verdict"]), ("queued", "AC"))
        self.assertError(self.api("POST", "/api/v1/problems/zz/rejudge",
                                  token=self.login("teacher")), 404)

    def test_title_counts_characters(self):
        # 1..200 characters, as the document and the schema say, whatever their UTF-8 length.
        body = self.make_problem("wide", title="\u984c" * 200)
        self.assertEqual(body["title"], "\u984c" * 200)
        self.assertError(self.api("POST", "/api/v1/problems",
                                  problem("wider", title="\u984c" * 201),
                                  token=self.login("teacher")), 400, "title")

    def test_bad_problem_bodies(self):
        tok = self.login("teacher")
        good = problem("good")
        cases = [
            ("slug", {"slug": "Bad Slug"}, 400),
            ("slug", {"slug": ""}, 400),
            ("slug", {"slug": "a" * 65}, 400),
            ("slug", {"slug": 7}, 400),
            ("title", {"title": ""}, 400),
            ("title", {"title": "t" * 201}, 400),
            ("visibility", {"visibility": "secret"}, 400),
            ("memory_limit_mb", {"memory_limit_mb": 0}, 400),
            ("memory_limit_mb", {"memory_limit_mb": 1.5}, 400),
            ("memory_limit_mb", {"memory_limit_mb": "64"}, 400),
            ("time_limits_ms", {"time_limits_ms": [1]}, 400),
            ("time_limits_ms.cobol", {"time_limits_ms": {"cobol": 100}}, 400),
            ("checker.kind", {"checker": {"kind": "magic"}}, 400),
            ("checker.kind", {"checker": {}}, 400),
            ("checker.abs", {"checker": {"kind": "float", "abs": -1}}, 400),
            ("checker.abs", {"checker": {"kind": "tokens", "abs": 1}}, 400),
            ("checker.source", {"checker": {"kind": "custom", "language": "cpp"}}, 400),
            ("checker.language", {"checker": {"kind": "custom", "source": "x"}}, 400),
            ("checker.language", {"checker": {"kind": "custom", "source": "x",
                                              "language": "cobol"}}, 400),
            ("checker", {"checker": "tokens"}, 400),
            ("stop_on_first_failure", {"stop_on_first_failure": 1}, 400),
            ("tests", {"tests": []}, 400),
            ("tests", {"tests": {}}, 400),
            ("tests[0]", {"tests": [5]}, 400),
            ("tests[0].input", {"tests": [{"output": "1"}]}, 400),
            ("tests[1].points", {"tests": [{"input": "", "output": ""},
                                           {"input": "", "output": "", "points": -1}]}, 400),
            ("tests[0].group", {"tests": [{"input": "", "output": "", "group": ""}]}, 400),
            ("tests[0].sample", {"tests": [{"input": "", "output": "", "sample": "yes"}]}, 400),
            ("tests[0].bogus", {"tests": [{"input": "", "output": "", "bogus": 1}]}, 400),
            ("nonsense", {"nonsense": True}, 400),
        ]
        for field, change, status in cases:
            body = copy.deepcopy(good)
            body.update(change)
            with self.subTest(field=field, change=change):
                self.assertError(self.api("POST", "/api/v1/problems", body, token=tok), status,
                                 field)
        body = copy.deepcopy(good)
        del body["title"]
        self.assertError(self.api("POST", "/api/v1/problems", body, token=tok), 400, "title")
        self.make_problem("dup")
        self.assertError(self.api("POST", "/api/v1/problems", problem("dup"), token=tok), 409,
                         "slug")

    def test_caps(self):
        tok = self.login("teacher")
        body = problem("many", tests=[{"input": "", "output": ""}] * 1001)
        self.assertError(self.api("POST", "/api/v1/problems", body, token=tok), 413, "tests")
        body = problem("bigstmt", statement="s" * (1 << 20 + 1))
        self.assertError(self.api("POST", "/api/v1/problems", body, token=tok), 413, "statement")
        # A large upload within the 64 MiB cap is fine.
        big = "1 " * (2 << 20)
        st, p, _ = self.api("POST", "/api/v1/problems",
                            problem("large", tests=[{"input": big, "output": "x"}]), token=tok)
        self.assertEqual(st, 201, p)


    def test_solved_and_attempted_marks(self):
        tok = self.login("marker")
        for slug in ("mk-solved", "mk-tried", "mk-fresh"):
            self.make_problem(slug)
        subs = {}
        for slug, verdict in (("mk-solved", "WA"), ("mk-solved", "AC"), ("mk-tried", "WA")):
            st, b, _ = self.submit(tok, slug)
            self.assertIn(st, (201, 202), b)
            subs.setdefault(slug, []).append(int(b["id"]))
            self.finish_submission(b["id"], verdict=verdict)
        # One still queued counts as attempted.
        st, b, _ = self.submit(self.login("marker2"), "mk-fresh")
        self.assertIn(st, (201, 202), b)

        def marks(token):
            st, body, _ = self.api("GET", "/api/v1/problems?limit=100", token=token)
            self.assertEqual(st, 200, body)
            return {p["slug"]: (p["solved"], p["attempted"]) for p in body["items"]
                    if p["slug"].startswith("mk-")}

        self.assertEqual(marks(tok), {"mk-solved": (True, True), "mk-tried": (False, True),
                                      "mk-fresh": (False, False)})
        self.assertEqual(marks(self.login("marker2"))["mk-fresh"], (False, True))
        # Someone else's submissions are not theirs.
        self.assertEqual(set(marks(self.login("marker3")).values()), {(False, False)})
        for slug, want in (("mk-solved", (True, True)), ("mk-tried", (False, True)),
                           ("mk-fresh", (False, False))):
            st, p, _ = self.api("GET", "/api/v1/problems/" + slug, token=tok)
            self.assertEqual((st, (p.get("solved"), p.get("attempted"))), (200, want), p)
        # A GET sent back with PUT or PATCH: the marks are the reader's, taken back as any value.
        teacher = self.login("teacher")
        st, p, _ = self.api("GET", "/api/v1/problems/mk-solved?include=tests", token=teacher)
        self.assertEqual(st, 200, p)
        p["solved"] = True
        p["title"] = "Renamed"
        st, out, _ = self.api("PUT", "/api/v1/problems/mk-solved", p, token=teacher)
        self.assertEqual((st, out.get("title"), out.get("solved")), (200, "Renamed", False), out)
        st, out, _ = self.api("PATCH", "/api/v1/problems/mk-solved",
                              {"attempted": True, "title": "Again"}, token=teacher)
        self.assertEqual((st, out.get("title"), out.get("attempted")), (200, "Again", False), out)


    def test_checker_parameters_in_json(self):
        tok = self.login("teacher")
        # Written as packages store them, read back the same, and a GET goes back with PUT.
        for checker in ({"kind": "tokens", "case_sensitive": False,
                         "space_change_sensitive": True},
                        {"kind": "float", "abs": 0.5, "rel": 0.25, "case_sensitive": False,
                         "space_change_sensitive": False},
                        {"kind": "exact"}):
            slug = "chk-" + checker["kind"]
            p = self.make_problem(slug, checker=checker)
            self.assertEqual(p["checker"], checker)
            st, g, _ = self.api("GET", "/api/v1/problems/" + slug, token=self.login("stu"))
            self.assertEqual((st, g["checker"]), (200, checker), g)
            st, g, _ = self.api("GET", "/api/v1/problems/%s?include=tests" % slug, token=tok)
            st, back, _ = self.api("PUT", "/api/v1/problems/" + slug, g, token=tok)
            self.assertEqual((st, back["checker"]), (200, checker), back)
        params = self.sql("SELECT checker_params FROM problems WHERE slug = 'chk-tokens'")
        self.assertIn('"case_sensitive": false', params)
        # PATCH merges the checker member by member.
        st, p, _ = self.api("PATCH", "/api/v1/problems/chk-tokens",
                            {"checker": {"case_sensitive": True}}, token=tok)
        self.assertEqual((st, p["checker"]), (200, {"kind": "tokens", "case_sensitive": True,
                                                    "space_change_sensitive": True}), p)
        # Another kind by PATCH: the parameters of the old kind go with it.
        self.make_problem("chk-kind")
        st, p, _ = self.api("PATCH", "/api/v1/problems/chk-kind", {"checker": {"kind": "exact"}},
                            token=tok)
        self.assertEqual((st, p.get("checker")), (200, {"kind": "exact"}), p)
        st, p, _ = self.api("PATCH", "/api/v1/problems/chk-kind",
                            {"checker": {"kind": "float", "abs": 0.1}}, token=tok)
        self.assertEqual((st, p["checker"]["abs"], p["checker"]["case_sensitive"]),
                         (200, 0.1, True), p)
        # A custom checker's protocol (and a kattis checker's flags), stored as packages do;
        # nothing is compiled again when the checker itself is unchanged.
        self.sql("UPDATE problems SET checker_kind = 'custom', checker_language = 'python3',"
                 " checker_source = 'import sys', checker_params = '{}' WHERE slug = 'chk-exact'")
        st, p, _ = self.api("PATCH", "/api/v1/problems/chk-exact",
                            {"checker": {"protocol": "kattis", "flags": ["case_sensitive"]}},
                            token=tok)
        self.assertEqual((st, p.get("checker")), (200, {
            "kind": "custom", "language": "python3", "protocol": "kattis",
            "flags": ["case_sensitive"]}), p)
        self.assertEqual(self.sql("SELECT checker_params->>'protocol' FROM problems"
                                  " WHERE slug = 'chk-exact'").strip(), "kattis")
        st, g, _ = self.api("GET", "/api/v1/problems/chk-exact?include=tests", token=tok)
        st, back, _ = self.api("PUT", "/api/v1/problems/chk-exact", g, token=tok)
        self.assertEqual((st, back["checker"]["protocol"], back["checker"]["flags"]),
                         (200, "kattis", ["case_sensitive"]), back)
        # Each refused by name.
        for checker, field in (
                ({"kind": "exact", "case_sensitive": True}, "checker.case_sensitive"),
                ({"kind": "custom", "language": "python3", "source": "x",
                  "space_change_sensitive": True}, "checker.space_change_sensitive"),
                ({"kind": "tokens", "case_sensitive": "yes"}, "checker.case_sensitive"),
                ({"kind": "tokens", "protocol": "kattis"}, "checker.protocol"),
                ({"kind": "float", "flags": ["x"]}, "checker.flags"),
                ({"kind": "custom", "language": "python3", "source": "x", "protocol": "icpc"},
                 "checker.protocol"),
                ({"kind": "custom", "language": "python3", "source": "x",
                  "flags": ["a"]}, "checker.flags"),
                ({"kind": "custom", "language": "python3", "source": "x", "protocol": "kattis",
                  "flags": ["a" * 128]}, "checker.flags[0]"),
                ({"kind": "float", "abs": -1}, "checker.abs")):
            self.assertError(self.api("POST", "/api/v1/problems",
                                      problem("chk-bad", checker=checker), token=tok),
                             400, field)

    def test_samples_give_no_points_unless_told(self):
        tests = [{"input": "1\n", "output": "1\n", "sample": True},
                 {"input": "2\n", "output": "2\n", "sample": True, "points": 3},
                 {"input": "3\n", "output": "3\n"}]
        p = self.make_problem("samp-pts", tests=tests)
        self.assertEqual(p["max_score"], 4)
        st, g, _ = self.api("GET", "/api/v1/problems/samp-pts?include=tests",
                            token=self.login("teacher"))
        self.assertEqual([t["points"] for t in g["tests"]], [0, 3, 1])


    def test_package_and_json_agree(self):
        """A Kattis package's checker flags and sample points read back as the JSON that makes
        the same problem."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("problem.yaml", "name: Mean\nvalidation: default\n"
                       "validator_flags: float_tolerance 0.001 case_sensitive\n"
                       "limits:\n  time_limit: 1\n")
            z.writestr("problem_statement/problem.en.md", "Print the mean.\n")
            z.writestr("data/sample/1.in", "1 2\n")
            z.writestr("data/sample/1.ans", "1.5\n")
            z.writestr("data/secret/1.in", "2 4\n")
            z.writestr("data/secret/1.ans", "3\n")
        tok = self.login("teacher")
        st, pkg, _ = self.api("POST", "/api/v1/problems/agree-pkg/package", raw=buf.getvalue(),
                              token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, pkg)
        st, pkg, _ = self.api("GET", "/api/v1/problems/agree-pkg?include=tests", token=tok)
        self.assertEqual(st, 200, pkg)
        want = {"kind": "float", "abs": 0.001, "rel": 0.001, "case_sensitive": True,
                "space_change_sensitive": False}
        self.assertEqual(pkg["checker"], want)
        js = self.make_problem("agree-json", checker=want, tests=[
            {"input": "1 2\n", "output": "1.5\n", "sample": True},
            {"input": "2 4\n", "output": "3\n"}])
        self.assertEqual(js["checker"], pkg["checker"])
        st, js, _ = self.api("GET", "/api/v1/problems/agree-json?include=tests", token=tok)
        self.assertEqual([(t["sample"], t["points"]) for t in js["tests"]],
                         [(t["sample"], t["points"]) for t in pkg["tests"]])
        self.assertEqual(js["max_score"], pkg["max_score"])
        self.assertEqual(self.sql("SELECT count(DISTINCT checker_params) FROM problems"
                                  " WHERE slug IN ('agree-pkg', 'agree-json')").strip(), "1")


if __name__ == "__main__":
    gavel_test.main()
