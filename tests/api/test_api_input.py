"""Bad input of every kind: each gets its 4xx with the error envelope, never a 500, a crash or
a hang; the server answers /healthz after all of it."""

import json
import random
import socket

import gavel_test
from apitest import ApiCase, problem

JSON_ROUTES = [("POST", "/api/v1/users"), ("POST", "/api/v1/sessions"),
               ("PATCH", "/api/v1/users/stu"), ("POST", "/api/v1/problems"),
               ("PUT", "/api/v1/problems/p"), ("POST", "/api/v1/submissions"),
               ("POST", "/api/v1/runs")]

BAD_BODIES = [b"", b"{", b"}", b"[]", b"null", b"1", b'"x"', b'{"a":}', b"{}x", b"{} {}",
              b'{"username": "a", "username": "b"}', b"{\"a\": 1e400}", b"\xff\xfe{}",
              b'{"username": "\xff\xfe", "password": "12345678"}',
              b'{"username": "a\\u0000b", "password": "12345678"}',
              b'{"username": "\\ud800", "password": "12345678"}',
              b"[" * 100 + b"]" * 100, b'{"a":' * 50 + b"1" + b"}" * 50,
              b'{"' + b"k" * 10000 + b'": 1}', b"\x00\x00\x00", b"{\"a\":\"\\",
              b'{"problem": [], "language": {}, "source": null}', b"\t\n {} \n"]


def raw(port, data, read_timeout=10):
    """Sends raw bytes and returns (status, body bytes); status 0 if the server just closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    out = b""
    try:
        # The server may refuse and close before everything was sent: read what it said.
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    if not out.startswith(b"HTTP/1."):
        return 0, out
    return int(out.split(b" ", 2)[1]), out.split(b"\r\n\r\n", 1)[-1]


class BadInput(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "100000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, b, _ = cls.api("POST", "/api/v1/problems", problem("p"), token=cls.login("teacher"))
        assert st == 201, b

    def tearDown(self):
        self.assertEqual(self.api("GET", "/healthz")[0], 200, "server still up")

    def test_bad_json_bodies(self):
        tokens = {"stu": self.login("stu"), "teacher": self.login("teacher")}
        for method, path in JSON_ROUTES:
            tok = tokens["teacher"] if "problems" in path else tokens["stu"]
            for body in BAD_BODIES:
                with self.subTest(path=path, body=body[:40]):
                    st, res, _ = self.api(method, path, raw=body, token=tok,
                                          headers={"Content-Type": "application/json"})
                    self.assertIn(st, (400, 413), res)
                    self.assertIsInstance(res["error"]["field"], str)

    def test_raw_nul_in_strings(self):
        # A raw NUL byte inside a JSON string is not JSON; taken as is, C strings would cut the
        # value short (a source or a test silently truncated). Every route refuses it instead.
        tokens = {"stu": self.login("stu"), "teacher": self.login("teacher")}
        for method, path in JSON_ROUTES:
            tok = tokens["teacher"] if "problems" in path else tokens["stu"]
            for body in (b'{"username": "ab\x00cd", "password": "12345678"}',
                         b'{"problem": "p", "language": "c", "source": "int\x00 main"}',
                         b'{"language": "c", "source": "x", "stdin": "1\x002"}',
                         b'{"slug": "nul", "title": "T", "tests": [{"input": "1 \x002",'
                         b' "output": "3"}]}'):
                with self.subTest(path=path, body=body[:30]):
                    st, res, _ = self.api(method, path, raw=body, token=tok,
                                          headers={"Content-Type": "application/json"})
                    self.assertEqual(st, 400, res)
                    self.assertEqual(res["error"]["field"], "body", res)
        self.assertEqual(self.sql("SELECT count(*) FROM problems WHERE slug = 'nul'"), "0")
        self.assertEqual(self.sql("SELECT count(*) FROM runs"), "0")
        self.assertEqual(self.sql("SELECT count(*) FROM submissions WHERE source = 'int'"), "0")

    def test_nul_escape_names_its_field(self):
        # A \u0000 escape is valid JSON but would cut a C string short: refused by the field
        # that holds it, named, wherever it sits; nothing is stored.
        tokens = {"stu": self.login("stu"), "teacher": self.login("teacher")}
        cases = [("POST", "/api/v1/submissions",
                  b'{"problem": "p", "language": "c", "source": "int\\u0000 main"}', "source"),
                 ("POST", "/api/v1/runs", b'{"language": "c", "source": "x", "stdin": "1\\u0000"}',
                  "stdin"),
                 ("POST", "/api/v1/problems", b'{"slug": "nul", "title": "T", "tests":'
                  b' [{"input": "1", "output": "3"}, {"input": "\\u00002", "output": "3"}]}',
                  "tests[1].input"),
                 ("PATCH", "/api/v1/users/stu", b'{"display_name": "\\u0000"}', "display_name"),
                 # An escaped backslash before "u0000" is text, not an escape: only the second.
                 ("PATCH", "/api/v1/users/stu", b'{"display_name": "a\\\\u0000",'
                  b' "password": "x\\u0000yyyyyyyy"}', "password"),
                 ("POST", "/api/v1/problems", b'{"slug": "nul", "title": "T", "tests":'
                  b' [{"input": "1", "output": "3"}], "checker": {"kind": "float",'
                  b' "x\\u0000": 1}}', None)]
        for method, path, body, field in cases:
            tok = tokens["teacher"] if "problems" in path else tokens["stu"]
            with self.subTest(path=path, body=body[:40]):
                st, res, _ = self.api(method, path, raw=body, token=tok,
                                      headers={"Content-Type": "application/json"})
                self.assertEqual(st, 400, res)
                if field:
                    self.assertEqual(res["error"]["field"], field, res)
                    self.assertIn("\\u0000", res["error"]["message"], res)
        self.assertEqual(self.sql("SELECT count(*) FROM problems WHERE slug = 'nul'"), "0")
        self.assertEqual(self.sql("SELECT count(*) FROM runs"), "0")
        self.assertEqual(self.sql("SELECT count(*) FROM users WHERE display_name LIKE 'a%'"),
                         "0")

    def test_wrong_types_everywhere(self):
        tok = self.login("stu")
        for value in (None, 1, 1.5, True, [], {}, "x" * 100):
            for field in ("problem", "language", "source", "contest"):
                body = {"problem": "p", "language": "c", "source": "x"}
                body[field] = value
                st, res, _ = self.api("POST", "/api/v1/submissions", body, token=tok)
                with self.subTest(field=field, value=str(value)[:20]):
                    self.assertIn(st, (202, 400, 404, 413), res)
                    if st >= 400:
                        self.assertEqual(res["error"]["field"], field, res)

    def test_content_type(self):
        tok = self.login("stu")
        for ct in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                   "application/jsonx"):
            st, res, _ = self.api("POST", "/api/v1/submissions",
                                  raw=b'{"problem":"p","language":"c","source":"x"}',
                                  headers={"Content-Type": ct}, token=tok)
            self.assertEqual(st, 415, (ct, res))
        st, _, _ = self.api("POST", "/api/v1/submissions",
                            raw=b'{"problem":"p","language":"c","source":"x"}',
                            headers={"Content-Type": "application/json; charset=utf-8"}, token=tok)
        self.assertEqual(st, 202)

    def test_body_caps(self):
        tok = self.login("stu")
        # Declared too large: refused before the body is read.
        st, body = raw(self.port, ("POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
                                   "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                                   "Content-Length: 2000000\r\n\r\n" % tok).encode())
        self.assertEqual(st, 413, body)
        self.assertEqual(json.loads(body)["error"]["code"], "too_large")
        # Chunked, growing past the cap while it arrives.
        chunk = b"x" * 65536
        data = ("POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                % tok).encode()
        data += b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
        st, body = raw(self.port, data)
        self.assertEqual(st, 413, body)
        # Uploads may be larger.
        big = "a" * (3 << 20)
        st, res, _ = self.api("POST", "/api/v1/problems",
                              problem("big", tests=[{"input": big, "output": "1"}]),
                              token=self.login("teacher"))
        self.assertEqual(st, 201, res)

    def test_bad_targets(self):
        tok = self.login("stu")
        cases = [("/api/v1/problems/%ZZ", 400), ("/api/v1/problems/%", 400),
                 ("/api/v1/problems/a%00b", 400), ("/api/v1/problems/a%2Fb", 404),
                 ("/api/v1/problems/" + "a" * 9000, None), ("/api/v1/problems?" + "&".join(
                     "k%d=1" % i for i in range(40)), 400),
                 ("/api/v1/submissions/99999999999999999999999", 404),
                 ("/api/v1/submissions/0x10", 404), ("/api/v1/submissions/1?wait=1e3", 400),
                 ("/api/v1/nothing", 404), ("/", 200), ("/nothing", 404), ("/api/v1/problems/p/tests/extra", 404),
                 ("/api/v1/problems?limit=%FF", 400), ("/api/v1/problems?cursor=c%00", 400),
                 ("/api/v1//problems", 200), ("/api/v1/problems/p?", 200),
                 ("/api/v1/problems/p#frag", 200)]
        for path, want in cases:
            with self.subTest(path=path[:60]):
                st, res, _ = self.api("GET", path, token=tok)
                if want is None:
                    self.assertTrue(400 <= st < 500, st)
                else:
                    self.assertEqual(st, want, res)

    def test_targets_not_utf8(self):
        # Path and query values reach the database as text: bytes that are not UTF-8 are the
        # caller's mistake (a 4xx naming the parameter), never a failed query (a 500).
        with open(gavel_test.os.path.join(gavel_test.SRC, "api", "routes.def")) as f:
            routes = [(line.split("(")[1].split(",")[0], line.split('"')[1])
                      for line in f if line.startswith("API_ROUTE(")]
        tok = self.login("teacher")
        for method, pattern in routes:
            for name in ("slug", "username", "id"):
                if "{%s}" % name not in pattern:
                    continue
                path = pattern.replace("{%s}" % name, "a%ff")
                for other in ("slug", "username", "id"):
                    path = path.replace("{%s}" % other, "p")
                with self.subTest(method=method, path=path):
                    st, res, _ = self.api(method, path, token=tok, body={} if method in (
                        "POST", "PUT", "PATCH") and not path.endswith("package") else None)
                    self.assertEqual(st, 404, res)
                    self.assertEqual(res["error"]["field"], name, res)
        for path, name in (("/api/v1/submissions?problem=%ff", "problem"),
                           ("/api/v1/submissions?user=%C3", "user"),
                           ("/api/v1/submissions?verdict=A%ffC", "verdict"),
                           ("/api/v1/problems?cursor=%ff", "cursor"),
                           ("/api/v1/contests?cursor=c%ff", "cursor"),
                           ("/api/v1/problems/p/package?format=%ff", "format"),
                           ("/api/v1/leaderboard?limit=%ff", "limit")):
            with self.subTest(path=path):
                self.assertError(self.api("GET", path, token=tok), 400, name)

    def test_long_targets(self):
        """A target over 8 KiB is 414 with the error envelope; one in the limit is read."""
        tok = self.login("teacher")
        st, res, _ = self.api("GET", "/api/v1/problems?cursor=" + "a" * 8000, token=tok)
        self.assertError((st, res, None), 400, "cursor")
        for n in (8200, 20000, 40000):
            with self.subTest(n=n):
                self.assertError(self.api("GET", "/api/v1/problems?cursor=" + "a" * n,
                                          token=tok), 414)
        st, body = raw(self.port, b"GET /api/v1/problems/" + b"p" * 30000 +
                       b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(st, 414, body[:200])
        self.assertEqual(json.loads(body)["error"]["code"], "uri_too_long")

    def test_methods(self):
        for method, path in (("PATCH", "/api/v1/problems"), ("DELETE", "/api/v1/me"),
                             ("PUT", "/api/v1/submissions"), ("POST", "/healthz"),
                             ("GET", "/api/v1/sessions"), ("BREW", "/api/v1/me")):
            st, res, _ = self.api(method, path)
            self.assertIn(st, (405, 501) if method == "BREW" else (405,), (method, path, res))

    def test_head_is_get_without_a_body(self):
        tok = self.login("stu")
        for path in ("/healthz", "/api/v1/languages", "/api/v1/problems/p", "/api/v1/me"):
            with self.subTest(path=path):
                gst, _, ghdr = self.api("GET", path, token=tok)
                st, body, hdr = self.api("HEAD", path, token=tok)
                self.assertEqual((st, body), (gst, b""), path)
                self.assertEqual(hdr.get("Content-Type"), ghdr.get("Content-Type"))
        # As GET would: a missing resource is 404, a missing token 401.
        self.assertEqual(self.api("HEAD", "/api/v1/problems/nope", token=tok)[0], 404)
        self.assertEqual(self.api("HEAD", "/api/v1/me")[0], 401)
        # Routes with no GET still answer HEAD with 405.
        for path in ("/api/v1/sessions", "/api/v1/sessions/current", "/api/v1/runs"):
            self.assertEqual(self.api("HEAD", path, token=tok)[0], 405, path)

    def test_unfreeze_body(self):
        st, body, _ = self.api("POST", "/api/v1/contests",
                               {"slug": "ufz", "title": "Unfreeze", "scoring": "icpc",
                                "starts_at": "2020-01-01T00:00:00Z",
                                "ends_at": "2020-01-02T00:00:00Z",
                                "freeze_at": "2020-01-01T12:00:00Z",
                                "problems": [{"problem": "p", "label": "A"}]},
                               token=self.login("teacher"))
        self.assertEqual(st, 201, body)
        tok = self.login("teacher")
        # Unknown fields are refused here as on every other route, and nothing changes.
        for raw_body, field in ((b'{"x": 1}', "x"), (b'{"unfrozen": false}', "unfrozen"),
                                (b"[]", None), (b"{", None), (b"1", None)):
            with self.subTest(body=raw_body):
                self.assertError(self.api("POST", "/api/v1/contests/ufz/unfreeze", raw=raw_body,
                                          token=tok, headers={"Content-Type": "application/json"}),
                                 400, field)
        self.assertEqual(self.sql("SELECT unfrozen FROM contests WHERE slug = 'ufz'"), "f")
        # No body and an empty object both unfreeze.
        st, res, _ = self.api("POST", "/api/v1/contests/ufz/unfreeze", token=tok)
        self.assertEqual((st, res.get("unfrozen")), (200, True), res)
        st, res, _ = self.api("POST", "/api/v1/contests/ufz/unfreeze", {}, token=tok)
        self.assertEqual((st, res.get("unfrozen")), (200, True), res)

    def test_malformed_http(self):
        for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                     b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",
                     b"GET /healthz HTTP/1.1\r\n" + b"X-Long: " + b"a" * 100000 + b"\r\n\r\n",
                     b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Authorization: Bearer \xff\r\n\r\n"):
            st, body = raw(self.port, data)
            ok = st == 0 or 400 <= st < 500 or (st == 505 and b"HTTP/9.9" in data)
            self.assertTrue(ok, (data[:40], st, body[:200]))

    def test_random_bodies(self):
        rng = random.Random(4)
        tok = self.login("teacher")
        atoms = [b"{", b"}", b"[", b"]", b'"', b":", b",", b"1", b"-0.5e9", b"true", b"null",
                 b'"problem"', b'"tests"', b'"input"', b'"slug"', b"\\u00e9", b"\\", b"\xc3",
                 b'"p"', b'"c"', b" "]
        for i in range(300):
            method, path = JSON_ROUTES[i % len(JSON_ROUTES)]
            body = b"".join(rng.choice(atoms) for _ in range(rng.randint(0, 40)))
            st, res, _ = self.api(method, path, raw=body, token=tok,
                                  headers={"Content-Type": "application/json"})
            self.assertTrue(400 <= st < 500, (path, body, st, res))


if __name__ == "__main__":
    gavel_test.main()
