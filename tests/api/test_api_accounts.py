"""Accounts and sessions: POST /users, /sessions, /me, PATCH and GET /users/{username}."""

import threading
import time

import gavel_test
from apitest import ApiCase


class Accounts(ApiCase):
    def test_register_login_me_logout(self):
        st, body, _ = self.api("POST", "/api/v1/users",
                               {"username": "alice", "password": "alice password",
                                "display_name": "Alice"})
        self.assertEqual(st, 201, body)
        self.assertEqual(body["username"], "alice")
        self.assertEqual(body["display_name"], "Alice")
        self.assertEqual(body["role"], "student")
        self.assertIsInstance(body["id"], int)
        self.assertNotIn("password_hash", body)
        self.assertError(self.api("POST", "/api/v1/users",
                                  {"username": "alice", "password": "another password"}),
                         409, "username")

        st, s, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "alice", "password": "alice password"})
        self.assertEqual(st, 201, s)
        self.assertRegex(s["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual(s["user"]["username"], "alice")
        tok = s["token"]
        # Only a hash is stored, never the token itself.
        stored = self.sql("SELECT encode(token_hash, 'hex') FROM api_tokens")
        self.assertNotIn(tok, stored)
        self.assertEqual(self.sql("SELECT count(*) FROM api_tokens WHERE token_hash::text LIKE '%%%s%%'"
                                  % tok[3:13]), "0")

        st, me, _ = self.api("GET", "/api/v1/me", token=tok)
        self.assertEqual(st, 200, me)
        self.assertEqual(me["username"], "alice")
        self.assertEqual(self.api("DELETE", "/api/v1/sessions/current", token=tok)[0], 204)
        self.assertError(self.api("GET", "/api/v1/me", token=tok), 401)
        self.assertError(self.api("DELETE", "/api/v1/sessions/current", token=tok), 401)

    def test_usernames_are_one_whatever_the_case(self):
        st, body, _ = self.api("POST", "/api/v1/users",
                               {"username": "CaseBob", "password": "bob password"})
        self.assertEqual(st, 201, body)
        # Nobody registers beside them in another case, to pass for them on a leaderboard.
        self.assertError(self.api("POST", "/api/v1/users",
                                  {"username": "casebob", "password": "other password"}),
                         409, "username")
        st, s, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "CASEBOB", "password": "bob password"})
        self.assertEqual(st, 201, s)
        self.assertEqual(s["user"]["username"], "CaseBob")   # spelled as registered
        st, prof, _ = self.api("GET", "/api/v1/users/casebob")
        self.assertEqual(st, 200, prof)
        self.assertEqual(prof["username"], "CaseBob")
        st, me, _ = self.api("PATCH", "/api/v1/users/casebob", {"display_name": "Bobby"},
                             token=s["token"])
        self.assertEqual(st, 200, me)
        self.assertEqual(me["display_name"], "Bobby")

    def test_wrong_password_and_unknown_user(self):
        self.login("bob")
        for creds in ({"username": "bob", "password": "wrong password"},
                      {"username": "nobody", "password": gavel_test.PASSWORD}):
            self.assertError(self.api("POST", "/api/v1/sessions", creds), 401)

    def test_bad_tokens(self):
        for h in ("Bearer", "Bearer x", "Basic abc", "Bearer gv_" + "A" * 43,
                  "Bearer gv_" + "!" * 43, "bearer  gv_"):
            self.assertError(self.api("GET", "/api/v1/me", headers={"Authorization": h}), 401)
        self.assertError(self.api("GET", "/api/v1/me"), 401)

    def test_expired_token(self):
        tok = self.login("carol")
        self.sql("UPDATE api_tokens SET expires_at = now() - interval '1 second'"
                 " WHERE user_id = (SELECT id FROM users WHERE username = 'carol')")
        self.assertError(self.api("GET", "/api/v1/me", token=tok), 401)
        del self.tokens["carol"]

    def test_registration_rules(self):
        adm = self.login("admin")
        st, body, _ = self.api("POST", "/api/v1/users",
                               {"username": "prof", "password": "prof password",
                                "role": "instructor"}, token=adm)
        self.assertEqual(st, 201, body)
        self.assertEqual(body["role"], "instructor")
        self.assertError(self.api("POST", "/api/v1/users",
                                  {"username": "sneaky", "password": "sneaky password",
                                   "role": "admin"}), 403, "role")
        self.assertError(self.api("POST", "/api/v1/users",
                                  {"username": "sneaky", "password": "sneaky password",
                                   "role": "admin"}, token=self.login("teacher")), 403, "role")
        for body, field in (({"username": "bad name", "password": "12345678"}, "username"),
                            ({"username": "x" * 33, "password": "12345678"}, "username"),
                            ({"username": "", "password": "12345678"}, "username"),
                            ({"username": "shortpw", "password": "1234567"}, "password"),
                            ({"username": "longpw", "password": "x" * 129}, "password"),
                            ({"username": "dn", "password": "12345678",
                              "display_name": "d" * 101}, "display_name"),
                            ({"username": "r", "password": "12345678", "role": "god"}, "role"),
                            ({"password": "12345678"}, "username"),
                            ({"username": "nopw"}, "password"),
                            ({"username": 5, "password": "12345678"}, "username"),
                            ({"username": "x", "password": "12345678", "extra": 1}, "extra")):
            self.assertError(self.api("POST", "/api/v1/users", body), 400, field)

    def test_display_name_counts_characters(self):
        # Up to 100 characters, as the document and the schema say, not 100 bytes.
        name = "\u00e9" * 100
        st, body, _ = self.api("POST", "/api/v1/users", {"username": "eloise", "password":
                                                         "12345678", "display_name": name})
        self.assertEqual((st, body.get("display_name")), (201, name), body)
        tok = self.login("eloise", password="12345678")
        st, body, _ = self.api("PATCH", "/api/v1/users/eloise", {"display_name": "\u4e2d" * 100},
                               token=tok)
        self.assertEqual(st, 200, body)
        self.assertError(self.api("PATCH", "/api/v1/users/eloise", {"display_name": name + "e"},
                                  token=tok), 400, "display_name")

    def test_display_name_refuses_control_characters(self):
        # C0, DEL, C1 and the bidirectional overrides and isolates could forge what a leaderboard
        # or a log shows; each is refused on registration and on change, naming the field.
        bad = ["a\nb", "\u0007", "tab\there", "x\u001f", "x\u007f", "x\u0085",
               "x\u009f", "evil\u202egnp.exe", "\u202a", "x\u2066y", "x\u2069",
               "a\nb\u0007\u202e"]
        for i, name in enumerate(bad):
            with self.subTest(name=name):
                self.assertError(self.api("POST", "/api/v1/users",
                                          {"username": "ctl%d" % i, "password": "12345678",
                                           "display_name": name}), 400, "display_name")
        self.assertEqual(self.sql("SELECT count(*) FROM users WHERE username LIKE 'ctl%'"), "0")
        tok = self.login("fiona")
        for name in bad:
            with self.subTest(name=name):
                self.assertError(self.api("PATCH", "/api/v1/users/fiona", {"display_name": name},
                                          token=tok), 400, "display_name")
        # Printable text of any script, and the neighbours of the refused ranges, stay welcome.
        for name in ("Fi\u00f3na \u00a0\u4e2d \u0645\u0631\u062d\u0628\u0627",
                     "x\u00a0y", "x\u2029\u202f\u2065\u206a", "x~"):
            st, body, _ = self.api("PATCH", "/api/v1/users/fiona", {"display_name": name},
                                   token=tok)
            self.assertEqual((st, body.get("display_name")), (200, name), body)

    def test_patch_and_profile(self):
        tok = self.login("dave")
        st, body, _ = self.api("PATCH", "/api/v1/users/dave", {"display_name": "Dave D"},
                               token=tok)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["display_name"], "Dave D")
        self.assertError(self.api("PATCH", "/api/v1/users/dave", {"role": "admin"}, token=tok),
                         403, "role")
        self.assertError(self.api("PATCH", "/api/v1/users/teacher", {"display_name": "x"},
                                  token=tok), 403)
        self.assertError(self.api("PATCH", "/api/v1/users/dave", {}, token=tok), 400)
        adm = self.login("admin")
        st, body, _ = self.api("PATCH", "/api/v1/users/dave", {"role": "instructor"}, token=adm)
        self.assertEqual((st, body["role"]), (200, "instructor"), body)
        self.assertEqual(self.api("GET", "/api/v1/me", token=tok)[1]["role"], "instructor")
        self.api("PATCH", "/api/v1/users/dave", {"role": "student"}, token=adm)
        self.assertError(self.api("PATCH", "/api/v1/users/ghost", {"role": "student"},
                                  token=adm), 404)
        # A new password ends the other sessions but keeps this one.
        st, other, _ = self.api("POST", "/api/v1/sessions",
                                {"username": "dave", "password": gavel_test.PASSWORD})
        self.assertEqual(st, 201)
        st, _, _ = self.api("PATCH", "/api/v1/users/dave",
                            {"password": "new password 1",
                             "current_password": gavel_test.PASSWORD}, token=tok)
        self.assertEqual(st, 200)
        self.assertEqual(self.api("GET", "/api/v1/me", token=tok)[0], 200)
        self.assertEqual(self.api("GET", "/api/v1/me", token=other["token"])[0], 401)
        self.assertEqual(self.api("POST", "/api/v1/sessions",
                                  {"username": "dave", "password": "new password 1"})[0], 201)

        st, prof, _ = self.api("GET", "/api/v1/users/dave")
        self.assertEqual(st, 200, prof)
        self.assertEqual((prof["username"], prof["solved"], prof["score"]), ("dave", 0, 0))
        for k in ("password_hash", "password", "id"):
            self.assertNotIn(k, prof)
        self.assertError(self.api("GET", "/api/v1/users/nobody"), 404)
        self.assertError(self.api("GET", "/api/v1/users/bad%20name"), 404)

    def test_last_admin_keeps_the_role(self):
        adm = self.login("admin")
        st, body, _ = self.api("POST", "/api/v1/users",
                               {"username": "admin2", "password": "admin2 password",
                                "role": "admin"}, token=adm)
        self.assertEqual(st, 201, body)
        # With another admin beside them, an admin may step down (and be restored).
        tok2 = self.login("admin2", password="admin2 password")
        st, body, _ = self.api("PATCH", "/api/v1/users/admin2", {"role": "student"}, token=tok2)
        self.assertEqual((st, body.get("role")), (200, "student"), body)
        del self.tokens["admin2"]
        # Now the only admin: neither demoting themselves nor being demoted leaves no admin.
        for name in ("admin", "ADMIN"):
            err = self.assertError(self.api("PATCH", "/api/v1/users/" + name,
                                            {"role": "student"}, token=adm), 409, "role")
            self.assertIn("last admin", err["message"])
        self.assertEqual(self.sql("SELECT string_agg(username, ',') FROM users"
                                  " WHERE role = 'admin'"), "admin")
        # Other changes to the last admin's account still go through.
        st, body, _ = self.api("PATCH", "/api/v1/users/admin",
                               {"role": "admin", "display_name": "The Admin"}, token=adm)
        self.assertEqual((st, body.get("role")), (200, "admin"), body)
        self.assertError(self.api("PATCH", "/api/v1/users/ghost", {"role": "student"},
                                  token=adm), 404, "username")

    def test_profile_score(self):
        tok = self.login("erin")
        self.make_problem("p1")
        self.make_problem("p2")
        ids = []
        for slug in ("p1", "p1", "p2"):
            st, body, _ = self.submit(tok, slug)
            self.assertEqual(st, 202, body)
            ids.append(body["id"])
        self.finish_submission(ids[0], "WA", 2)
        self.finish_submission(ids[1], "AC", 6)
        self.finish_submission(ids[2], "WA", 3)
        st, prof, _ = self.api("GET", "/api/v1/users/erin")
        self.assertEqual((prof["solved"], prof["score"]), (1, 9), prof)


class ClosedRegistration(ApiCase):
    api_env = {"GAVEL_OPEN_REGISTRATION": "0"}

    def test_only_admins_register(self):
        body = {"username": "newbie", "password": "newbie password"}
        self.assertError(self.api("POST", "/api/v1/users", body), 401)
        self.assertError(self.api("POST", "/api/v1/users", body, token=self.login("teacher")), 403)
        st, res, _ = self.api("POST", "/api/v1/users", body, token=self.login("admin"))
        self.assertEqual(st, 201, res)


class LoginBurst(ApiCase):
    """A login whose wait on the hashing line would pass GAVEL_PWHASH_WAIT_MS is 503 at once,
    with Retry-After. Here the bound (1 ms) is below the cost of any hash, so every login is
    refused whatever the machine's speed: the refusal path, deterministically."""
    api_env = {"GAVEL_PWHASH_WAIT_MS": "1"}

    def test_refused_past_the_bound(self):
        for path, body in (("/api/v1/sessions", {"username": "admin",
                                                  "password": gavel_test.PASSWORD}),
                           ("/api/v1/users", {"username": "late", "password": "late password"})):
            st, res, hdr = self.api("POST", path, body)
            self.assertEqual(st, 503, res)
            self.assertEqual(res["error"]["code"], "unavailable", res)
            self.assertGreaterEqual(int(hdr.get("Retry-After", "0")), 1, hdr)
        self.assertEqual(self.sql("SELECT count(*) FROM users WHERE username = 'late'"), "0")


class LoginClass(ApiCase):
    """A class at once: 100 students register within the same moment, then sign in within the
    same moment, and every one gets 201: the hashing line serves them in turn. The wait bound
    is set far above what 100 hashes can take on any machine that runs the suite (600 s), so
    the test asserts the line, not the speed of the machine."""
    api_env = {"GAVEL_PWHASH_WAIT_MS": "600000"}

    def burst(self, path, names):
        results = []

        def one(name):
            results.append(self.api("POST", path, {"username": name,
                                                   "password": "pass of " + name}, timeout=600))

        threads = [threading.Thread(target=one, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(650)
        return results

    def test_hundred_at_once(self):
        names = ["class%03d" % i for i in range(100)]
        regs = self.burst("/api/v1/users", names)
        self.assertEqual(sorted(r[0] for r in regs), [201] * 100,
                         [r for r in regs if r[0] != 201][:3])
        logins = self.burst("/api/v1/sessions", names)
        self.assertEqual(sorted(r[0] for r in logins), [201] * 100,
                         [r for r in logins if r[0] != 201][:3])
        self.assertEqual(len({r[1]["token"] for r in logins}), 100)
        # Meanwhile the server answered other requests: the line holds no HTTP worker.
        st, _, _ = self.api("GET", "/healthz")
        self.assertEqual(st, 200)


class ShortTokens(ApiCase):
    api_env = {"GAVEL_TOKEN_TTL": "60"}

    def test_ttl(self):
        st, s, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "admin", "password": gavel_test.PASSWORD})
        self.assertEqual(st, 201)
        left = self.sql("SELECT extract(epoch FROM expires_at - now())::int FROM api_tokens")
        self.assertTrue(50 <= int(left) <= 60, left)


if __name__ == "__main__":
    gavel_test.main()
