"""The pages gavel-api serves outside /api, their security headers, CORS on the API, and a
problem's statement rendered as safe HTML (no browser here: tests/web drives the pages)."""

import http.client

import gavel_test
from apitest import ApiCase, problem

ALLOWED = "https://front.example"


class Web(ApiCase):
    api_env = {"GAVEL_CORS_ORIGINS": ALLOWED + ", http://localhost:3000/"}

    def raw(self, method, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, body, {k.lower(): v for k, v in resp.getheaders()}

    def test_pages_and_headers(self):
        for path, ctype in (("/", "text/html"), ("/problems/a-plus-b", "text/html"),
                            ("/submissions/12", "text/html"), ("/scoreboard/final", "text/html"),
                            ("/static/app.js", "text/javascript"),
                            ("/static/scoreboard.js", "text/javascript"),
                            ("/static/app.css", "text/css")):
            st, body, h = self.raw("GET", path)
            self.assertEqual(st, 200, path)
            self.assertTrue(h["content-type"].startswith(ctype), (path, h))
            csp = h["content-security-policy"]
            for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                         "object-src 'none'"):
                self.assertIn(part, csp)
            self.assertNotIn("unsafe-inline", csp)
            self.assertNotIn("unsafe-eval", csp)
            self.assertEqual(h["x-content-type-options"], "nosniff")
            self.assertEqual(h["referrer-policy"], "no-referrer")
            self.assertIn("etag", h)
            # revalidation: the same ETag gives 304 and no body
            st2, body2, _ = self.raw("GET", path, {"If-None-Match": h["etag"]})
            self.assertEqual((st2, body2), (304, b""), path)
        st, body, h = self.raw("HEAD", "/")
        self.assertEqual((st, body), (200, b""))
        # no page script is inline: every <script> has a src
        st, body, _ = self.raw("GET", "/")
        self.assertNotIn(b"<script>", body)
        self.assertIn(b'<script src="/static/app.js"', body)

    def test_not_found_and_traversal(self):
        for path in ("/nope", "/static/nope.js", "/static/app.html", "/static/%2e%2e/app.html",
                     "/static/..%2fapp.html", "/static/../../etc/passwd", "/scoreboard",
                     "/scoreboard/a/b", "/problems/a/b/c/d", "/static/%2Fetc%2Fpasswd"):
            st, body, h = self.raw("GET", path)
            self.assertEqual(st, 404, path)
            self.assertTrue(h["content-type"].startswith("text/html"), path)
            self.assertIn("content-security-policy", h)
            self.assertNotIn(b"root:", body)
        st, _, h = self.raw("POST", "/")
        self.assertEqual(st, 405)
        self.assertEqual(h["allow"], "GET, HEAD")
        # the API keeps its JSON 404
        self.assertError(self.api("GET", "/api/v1/nope"), 404)
        self.assertError(self.api("GET", "/api"), 404)

    def test_cors(self):
        pre = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization, content-type"}
        st, body, h = self.raw("OPTIONS", "/api/v1/submissions", pre)
        self.assertEqual(st, 204, body)
        self.assertEqual(h["access-control-allow-origin"], ALLOWED)
        self.assertEqual(set(h["access-control-allow-methods"].split(", ")), {"GET", "POST"})
        self.assertIn("Authorization", h["access-control-allow-headers"])
        self.assertIn("access-control-max-age", h)
        self.assertEqual(h["vary"], "Origin")
        # a configured origin with a trailing slash is its origin
        st, _, h = self.raw("OPTIONS", "/api/v1/problems/x",
                            dict(pre, Origin="http://localhost:3000"))
        self.assertEqual(st, 204)
        self.assertEqual(set(h["access-control-allow-methods"].split(", ")),
                         {"GET", "PUT", "PATCH", "DELETE"})
        # an answer of the API names the allowed origin, errors included
        st, _, h = self.api("GET", "/api/v1/languages", headers={"Origin": ALLOWED})
        self.assertEqual(st, 200)
        self.assertEqual(h.get("Access-Control-Allow-Origin"), ALLOWED)
        self.assertEqual(h.get("Vary"), "Origin")
        st, _, h = self.api("GET", "/api/v1/me", headers={"Origin": ALLOWED})
        self.assertEqual((st, h.get("Access-Control-Allow-Origin")), (401, ALLOWED))
        # other origins get no CORS header, and OPTIONS is routed as before
        for origin in ("https://evil.example", "https://front.example.evil", "null",
                       "https://front.example/path"):
            st, _, h = self.raw("OPTIONS", "/api/v1/submissions", dict(pre, Origin=origin))
            self.assertEqual(st, 405, origin)
            self.assertFalse([k for k in h if k.startswith("access-control")], (origin, h))
            st, _, h = self.api("GET", "/api/v1/languages", headers={"Origin": origin})
            self.assertNotIn("Access-Control-Allow-Origin", h)
        # OPTIONS without the preflight header, or on an unknown path: as before
        st, _, _ = self.raw("OPTIONS", "/api/v1/submissions", {"Origin": ALLOWED})
        self.assertEqual(st, 405)
        self.assertError(self.api("OPTIONS", "/api/v1/nope",
                                  headers={"Origin": ALLOWED,
                                           "Access-Control-Request-Method": "GET"}), 404)
        # pages are same-origin only
        st, _, h = self.raw("GET", "/", {"Origin": ALLOWED})
        self.assertNotIn("access-control-allow-origin", h)

    def test_statement_html(self):
        tok = self.login("teacher")
        md = ("# Sum\n\nRead $a_1$ and $b_2 * c_3$; print *the* sum.\n\n$$x_1 + y_2 < z$$\n\n"
              "<script>alert(1)</script>\n\n[x](javascript:alert(1)) costs $5 and $6\n\n"
              "`$not_math$` and \\$ sign \ue000 0\ue001\n")
        st, body, _ = self.api("POST", "/api/v1/problems", problem("md", statement=md),
                               token=tok)
        self.assertEqual(st, 201, body)
        html = body["statement_html"]
        self.assertIn("<h1>Sum</h1>", html)
        self.assertIn('<span class="math">$a_1$</span>', html)
        self.assertIn('<span class="math">$b_2 * c_3$</span>', html)
        self.assertIn('<span class="math display">$$x_1 + y_2 &lt; z$$</span>', html)
        self.assertIn("<em>the</em>", html)
        self.assertNotIn("<script", html)
        self.assertNotIn("javascript:", html)
        self.assertIn("costs $5 and $6", html)
        self.assertIn("<code>$not_math$</code>", html)
        self.assertNotIn("\ue000", html)
        stu = self.login("stu")
        st, got, _ = self.api("GET", "/api/v1/problems/md", token=stu)
        self.assertEqual(got["statement_html"], html)
        # what GET gives goes back with PUT and PATCH (statement_html is read-only)
        st, full, _ = self.api("GET", "/api/v1/problems/md?include=tests", token=tok)
        full["statement"] = "New *text*."
        st, body, _ = self.api("PUT", "/api/v1/problems/md", full, token=tok)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["statement_html"], "<p>New <em>text</em>.</p>\n")
        st, body, _ = self.api("PATCH", "/api/v1/problems/md",
                               {"statement": "B", "statement_html": body["statement_html"]},
                               token=tok)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["statement_html"], "<p>B</p>\n")
        self.assertError(self.api("PATCH", "/api/v1/problems/md", {"statement_html": "<p>x</p>"},
                                  token=tok), 400, "statement_html")

    def test_statement_html_hostile(self):
        tok = self.login("teacher")
        # an unclosed backtick run is text, and math after it is still math
        st, body, _ = self.api("POST", "/api/v1/problems",
                               problem("md2", statement="`` open $a_1$ and $$b\n"), token=tok)
        self.assertEqual(st, 201, body)
        self.assertIn('<span class="math">$a_1$</span>', body["statement_html"])
        self.assertIn("$$b", body["statement_html"])
        # many distinct unclosed backtick runs and unclosed $$: rendered in linear time
        md = "".join("`" * k + "x $$ " for k in range(1, 1200)) + "\n" + "$x " * 50000
        st, body, _ = self.api("POST", "/api/v1/problems", problem("md3", statement=md),
                               token=tok, timeout=20)
        self.assertEqual(st, 201, body)
        self.assertTrue(body["statement_html"].startswith("<p>"))


if __name__ == "__main__":
    gavel_test.main()
