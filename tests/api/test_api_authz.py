"""The authorization matrix: every route in api/routes.def for every role, plus the promise
that hidden tests, others' source and password hashes reach nobody else."""

import itertools
import os
import re

import gavel_test
from apitest import ApiCase, problem

ROLES = ["anon", "stu", "stu2", "teacher", "prof2", "admin"]
HIDDEN = "HIDDEN-TEST-DATA-7f3a"
SECRET_SRC = "SECRET-SOURCE-91bc"


def routes():
    with open(os.path.join(gavel_test.SRC, "api", "routes.def")) as f:
        return re.findall(r'^API_ROUTE\((\w+),\s*"([^"]+)"', f.read(), re.M)


class AuthzMatrix(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tok = {"anon": None, "stu": cls.login("stu"), "stu2": cls.login("stu2"),
                   "teacher": cls.login("teacher"),
                   "prof2": cls.login("prof2", role="instructor"), "admin": cls.login("admin")}
        tests = [{"input": "1\n", "output": "1\n", "sample": True},
                 {"input": HIDDEN, "output": HIDDEN}]
        for slug, vis in (("pub", "public"), ("hid", "hidden")):
            st, b, _ = cls.api("POST", "/api/v1/problems", problem(slug, visibility=vis,
                                                                   tests=tests),
                               token=cls.tok["teacher"])
            assert st == 201, b
        st, b, _ = cls.api("POST", "/api/v1/submissions",
                           {"problem": "pub", "language": "python3", "source": SECRET_SRC},
                           token=cls.tok["stu"])
        assert st == 202, b
        cls.sub_id = b["id"]
        st, b, _ = cls.api("POST", "/api/v1/runs",
                           {"language": "python3", "source": SECRET_SRC, "stdin": ""},
                           token=cls.tok["stu"])
        assert st == 202, b
        cls.run_id = b["id"]
        cls.counter = itertools.count()
        cls.bodies = []

    def call(self, role, method, path, body=None):
        st, b, h = self.api(method, path, body, token=self.tok[role])
        self.bodies.append((role, method, path, st, b))
        return st, b

    def fresh_problem(self):
        slug = "tmp%d" % next(self.counter)
        st, b, _ = self.api("POST", "/api/v1/problems", problem(slug), token=self.tok["teacher"])
        self.assertEqual(st, 201, b)
        return slug

    def expect(self, method, path, expected, body=None, setup=None):
        for role, want in zip(ROLES, expected):
            p, b = path, body
            if setup:
                p, b = setup(role)
            st, res = self.call(role, method, p, b)
            with self.subTest(role=role, method=method, path=p):
                self.assertEqual(st, want, res)

    def test_matrix(self):
        n = self.counter
        s, r = self.sub_id, self.run_id
        new_user = lambda role: ("/api/v1/users", {"username": "u%d" % next(n),
                                                   "password": "password %d" % next(n)})
        new_problem = lambda role: ("/api/v1/problems", problem("np%d" % next(n)))
        del_problem = lambda role: ("/api/v1/problems/" + self.fresh_problem(), None)
        E = lambda want, path=None, body=None, setup=None: (want, path, body, setup)
        mine = {  # anon, stu (author), stu2, teacher (owner), prof2, admin
            ("GET", "/healthz"): E([200] * 6),
            ("GET", "/metrics"): E([200] * 6),
            ("GET", "/api/v1/languages"): E([200] * 6),
            ("POST", "/api/v1/users"): E([201] * 6, setup=new_user),
            ("GET", "/api/v1/users/{username}"): E([200] * 6, "/api/v1/users/stu"),
            ("PATCH", "/api/v1/users/{username}"): E(
                [401, 200, 403, 403, 403, 200], "/api/v1/users/stu", {"display_name": "S"}),
            ("POST", "/api/v1/sessions"): E(
                [201] * 6, body={"username": "stu2", "password": gavel_test.PASSWORD}),
            ("GET", "/api/v1/me"): E([401] + [200] * 5),
            ("GET", "/api/v1/problems"): E([401] + [200] * 5),
            ("POST", "/api/v1/problems"): E([401, 403, 403, 201, 201, 201], setup=new_problem),
            ("GET", "/api/v1/problems/{slug}"): E(
                [401, 404, 404, 200, 200, 200], "/api/v1/problems/hid"),
            ("PUT", "/api/v1/problems/{slug}"): E(
                [401, 403, 403, 200, 403, 200], "/api/v1/problems/pub",
                problem("pub", tests=[{"input": "1\n", "output": "1\n", "sample": True},
                                      {"input": HIDDEN, "output": HIDDEN}])),
            ("DELETE", "/api/v1/problems/{slug}"): E(
                [401, 403, 403, 204, 403, 204], setup=del_problem),
            # Secret tests and rejudging: the owner, its staff (none here) and admins.
            ("GET", "/api/v1/problems/{slug}/tests"): E(
                [401, 404, 404, 200, 403, 200], "/api/v1/problems/hid/tests"),
            ("POST", "/api/v1/problems/{slug}/rejudge"): E(
                [401, 403, 403, 202, 403, 202], "/api/v1/problems/pub/rejudge"),
            ("POST", "/api/v1/submissions"): E(
                [401] + [202] * 5, body={"problem": "pub", "language": "c", "source": "x"}),
            ("GET", "/api/v1/submissions"): E([401] + [200] * 5),
            # Another's source: its author, the problem's owner and staff, admins.
            ("GET", "/api/v1/submissions/{id}"): E(
                [401, 200, 404, 200, 404, 200], "/api/v1/submissions/%d" % s),
            ("POST", "/api/v1/runs"): E([401] + [202] * 5, body={"language": "c", "source": "x"}),
            ("GET", "/api/v1/runs/{id}"): E(
                [401, 200, 404, 404, 404, 200], "/api/v1/runs/%d" % r),
        }
        extra = {("DELETE", "/api/v1/sessions/current")}
        table = routes()
        for method, pattern in table:
            key = (method, pattern)
            if key in mine:
                want, path, body, setup = mine[key]
                self.expect(method, path or pattern, want, body=body, setup=setup)
            elif key in extra:
                continue
            else:
                # Routes of other modules: nobody gets a 5xx, anonymous writes are refused.
                path = re.sub(r"\{[^}]+\}", "pub", pattern)
                for role in ROLES:
                    body = {} if method in ("POST", "PUT", "PATCH") else None
                    st, res = self.call(role, method, path, body)
                    with self.subTest(role=role, method=method, path=path):
                        self.assertLess(st, 500, res)
                        if role == "anon" and method != "GET":
                            self.assertIn(st, (400, 401, 403, 404), res)
        covered = set(mine) | extra
        self.assertTrue(covered <= set(table), covered - set(table))

        # Logout: each role signs in afresh and ends that one session.
        self.assertEqual(self.call("anon", "DELETE", "/api/v1/sessions/current")[0], 401)
        for who in ("stu", "teacher", "admin"):
            st, b, _ = self.api("POST", "/api/v1/sessions",
                                {"username": who, "password": gavel_test.PASSWORD})
            st, _, _ = self.api("DELETE", "/api/v1/sessions/current", token=b["token"])
            self.assertEqual(st, 204)
            self.assertEqual(self.api("GET", "/api/v1/me", token=b["token"])[0], 401)
            self.assertEqual(self.api("GET", "/api/v1/me", token=self.tok[who])[0], 200)

        # What must never leak, anywhere in any answer of the matrix.
        for role, method, path, st, body in self.bodies:
            text = str(body)
            self.assertNotIn("$argon2", text, (role, method, path))
            self.assertNotIn("password_hash", text, (role, method, path))
            if role in ("anon", "stu", "stu2"):
                self.assertNotIn(HIDDEN, text, (role, method, path))
            if role in ("anon", "stu2", "prof2"):
                self.assertNotIn(SECRET_SRC, text, (role, method, path))
            if role == "prof2":
                self.assertNotIn(HIDDEN, text, (role, method, path))

    def test_source_visibility(self):
        path = "/api/v1/submissions/%d" % self.sub_id
        for role in ("stu", "teacher", "admin"):
            st, b = self.call(role, "GET", path)
            self.assertEqual(b.get("source"), SECRET_SRC, role)
        # An instructor who does not run the problem sees neither it nor it in a list.
        self.assertEqual(self.call("prof2", "GET", path)[0], 404)
        st, b = self.call("prof2", "GET", "/api/v1/submissions?limit=100")
        self.assertEqual({i["user"] for i in b["items"]} - {"prof2"}, set())
        st, b = self.call("stu2", "GET", "/api/v1/submissions?limit=100")
        self.assertEqual({i["user"] for i in b["items"]} - {"stu2"}, set())
        st, b = self.call("stu2", "GET", "/api/v1/submissions?user=stu")
        self.assertEqual(st, 403)


if __name__ == "__main__":
    gavel_test.main()
