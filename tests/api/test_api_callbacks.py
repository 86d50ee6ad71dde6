"""Callbacks: a run or submission made with a callback_url is POSTed there once final, signed
with GAVEL_CALLBACK_SECRET, retried, refused by the allow-list, and kept across a restart of
gavel-api. Results are written with psql (no judge); the receiver is an HTTP server in the test."""

import hashlib
import hmac
import http.server
import json
import threading
import time

import gavel_test
from apitest import ApiCase

SECRET = "test-callback-secret"
WAIT_S = 60  # bounds every wait below; nothing depends on how fast the machine is


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST. fail[path] is how many of the
    next POSTs to that path are answered 500."""

    def __init__(self):
        self.posts = []
        self.fail = {}
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.cond:
                    failing = outer.fail.get(self.path, 0) > 0
                    if failing:
                        outer.fail[self.path] -= 1
                    outer.posts.append((self.path, dict(self.headers), body, failing))
                    outer.cond.notify_all()
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", outer.url("/redirected"))
                else:
                    self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path, host="127.0.0.1"):
        return "http://%s:%d%s" % (host, self.port, path)

    def wait(self, path, count=1):
        """The POSTs to path once there are count of them."""
        deadline = time.time() + WAIT_S
        with self.cond:
            while True:
                got = [p for p in self.posts if p[0] == path]
                if len(got) >= count:
                    return got
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("no callback to %s within %ds" % (path, WAIT_S))
                self.cond.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def check_signature(test, headers, body, secret=SECRET):
    """What a receiver does (README): recompute the HMAC and refuse an old timestamp."""
    sig = dict(part.split("=", 1) for part in headers["Gavel-Signature"].split(","))
    mac = hmac.new(secret.encode(), sig["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    test.assertTrue(hmac.compare_digest(mac, sig["v1"]), headers)
    test.assertLess(abs(time.time() - int(sig["t"])), 300)


class CallbackCase(ApiCase):
    judge_workers = 0

    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.receiver.close()

    def new_run(self, token, url):
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3", "source": "print(1)",
                                                        "callback_url": url}, token=token)
        self.assertEqual(st, 202, body)
        return body["id"]

    def finish_run(self, rid, stdout="1\n"):
        self.sql("UPDATE runs SET status='done', verdict='OK', exit_code=0, time_ms=5,"
                 " memory_kb=1000, stdout=convert_to('%s', 'UTF8'), stderr=''::bytea,"
                 " judged_at=now() WHERE id=%d" % (stdout.replace("\n", "' || chr(10) || '"),
                                                   int(rid)))

    def callback_state(self, path, token, until):
        """GET path until its callback's state is until; returns the resource."""
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            st, body, _ = self.api("GET", path, token=token)
            self.assertEqual(st, 200, body)
            if body["callback"] and body["callback"]["state"] == until:
                return body
            time.sleep(0.05)
        self.fail("callback of %s not %s within %ds: %s" % (path, until, WAIT_S, body))


class Callbacks(CallbackCase):
    api_env = {"GAVEL_CALLBACK_SECRET": SECRET, "GAVEL_CALLBACK_ALLOW": "127.0.0.1",
               "GAVEL_CALLBACK_BACKOFF_MS": "100", "GAVEL_CALLBACK_MAX_S": "8",
               "GAVEL_RATE_BURST": "100"}

    def test_run_posted_signed_as_get_shows_it(self):
        stu = self.login("runcb")
        rid = self.new_run(stu, self.receiver.url("/run"))
        st, body, _ = self.api("GET", "/api/v1/runs/%d" % rid, token=stu)
        self.assertEqual(body["callback"]["state"], "waiting", body)
        self.assertEqual(body["callback"]["url"], self.receiver.url("/run"))
        self.finish_run(rid)
        (path, headers, raw, _), = self.receiver.wait("/run")
        check_signature(self, headers, raw)
        self.assertEqual(headers["Content-Type"], "application/json")
        got = self.callback_state("/api/v1/runs/%d" % rid, stu, "delivered")
        cb = got.pop("callback")
        self.assertEqual((cb["attempts"], cb["last_status"], cb["last_error"]), (1, 200, None), cb)
        self.assertTrue(cb["delivered_at"])
        self.assertEqual(json.loads(raw), got)
        self.assertEqual(json.loads(raw)["stdout"], "1\n")

    def test_submission_posted_as_its_author_reads_it(self):
        self.make_problem("cbsum")
        stu = self.login("subcb")
        st, body, _ = self.submit(stu, "cbsum", callback_url=self.receiver.url("/sub"))
        self.assertEqual(st, 202, body)
        sid = body["id"]
        self.finish_submission(sid, verdict="WA", score=2)
        (path, headers, raw, _), = self.receiver.wait("/sub")
        check_signature(self, headers, raw)
        got = self.callback_state("/api/v1/submissions/%d" % sid, stu, "delivered")
        got.pop("callback")
        self.assertEqual(json.loads(raw), got)
        self.assertEqual((got["verdict"], got["score"], got["user"]), ("WA", 2, "subcb"))

    def test_retried_until_delivered(self):
        stu = self.login("flaky")
        self.receiver.fail["/flaky"] = 2
        rid = self.new_run(stu, self.receiver.url("/flaky"))
        self.finish_run(rid)
        posts = self.receiver.wait("/flaky", 3)
        self.assertEqual([p[3] for p in posts], [True, True, False])
        self.assertEqual(posts[0][2], posts[2][2])
        for p in posts:
            check_signature(self, p[1], p[2])
        cb = self.callback_state("/api/v1/runs/%d" % rid, stu, "delivered")["callback"]
        self.assertEqual(cb["attempts"], 3, cb)

    def test_gives_up_after_the_retry_time(self):
        stu = self.login("down")
        self.receiver.fail["/down"] = 10**6
        rid = self.new_run(stu, self.receiver.url("/down"))
        self.finish_run(rid)
        cb = self.callback_state("/api/v1/runs/%d" % rid, stu, "failed")["callback"]
        self.assertEqual(cb["last_status"], 500, cb)
        self.assertIn("HTTP 500", cb["last_error"])
        self.assertIn("gave up", cb["last_error"])
        self.assertGreaterEqual(cb["attempts"], 2, cb)

    def test_redirect_not_followed(self):
        stu = self.login("redirected")
        rid = self.new_run(stu, self.receiver.url("/redirect"))
        self.finish_run(rid)
        cb = self.callback_state("/api/v1/runs/%d" % rid, stu, "failed")["callback"]
        self.assertEqual(cb["last_status"], 302, cb)
        self.assertIn("redirects are not followed", cb["last_error"])
        self.assertEqual([p for p in self.receiver.posts if p[0] == "/redirected"], [])

    def test_rejudged_result_delivered_again(self):
        self.make_problem("cbrej")
        stu = self.login("rejudged")
        st, body, _ = self.submit(stu, "cbrej", callback_url=self.receiver.url("/rej"))
        sid = body["id"]
        self.finish_submission(sid, verdict="WA", score=0)
        self.receiver.wait("/rej")
        self.callback_state("/api/v1/submissions/%d" % sid, stu, "delivered")
        self.sql("UPDATE submissions SET status='queued' WHERE id=%d" % sid)
        self.finish_submission(sid, verdict="AC", score=6)
        posts = self.receiver.wait("/rej", 2)
        self.assertEqual([json.loads(p[2])["verdict"] for p in posts], ["WA", "AC"])

    def test_delivered_after_a_restart(self):
        stu = self.login("restart")
        rid = self.new_run(stu, self.receiver.url("/restart"))
        type(self).api_proc.stop()
        self.finish_run(rid)  # final while no gavel-api runs
        type(self).api_proc = self.start_api()
        (path, headers, raw, _), = self.receiver.wait("/restart")
        check_signature(self, headers, raw)
        self.assertEqual(json.loads(raw)["id"], rid)
        self.callback_state("/api/v1/runs/%d" % rid, stu, "delivered")

    def test_invalid_url_refused_by_name(self):
        stu = self.login("badurl")
        for url in ("ftp://127.0.0.1/x", "not a url", "http://user:pw@127.0.0.1/",
                    "http://127.0.0.1/" + "a" * 3000, "http://10.0.0.1/", "http://[::1]:80/",
                    "http:///nohost", "", 5):
            st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3",
                                                            "source": "print(1)",
                                                            "callback_url": url}, token=stu)
            self.assertError((st, body, None), 400, "callback_url")
            self.assertError(self.submit(stu, "nosuch", callback_url=url), 400, "callback_url")
        # Nothing was made from a refused request.
        self.assertEqual(self.sql("SELECT count(*) FROM runs r JOIN users u ON u.id = r.user_id"
                                  " WHERE u.username = 'badurl'").strip(), "0")


class CallbacksDefaultAllow(CallbackCase):
    """No GAVEL_CALLBACK_ALLOW: public addresses only; loopback and private ones are refused."""
    api_env = {"GAVEL_CALLBACK_SECRET": SECRET, "GAVEL_CALLBACK_BACKOFF_MS": "100"}

    def test_loopback_refused_on_the_address_connected_to(self):
        stu = self.login("sneaky")
        # A name, not an address: refused only once it resolves to a loopback address.
        rid = self.new_run(stu, self.receiver.url("/local", host="localhost"))
        self.finish_run(rid)
        cb = self.callback_state("/api/v1/runs/%d" % rid, stu, "failed")["callback"]
        self.assertIn("loopback", cb["last_error"], cb)
        self.assertIn("GAVEL_CALLBACK_ALLOW", cb["last_error"], cb)
        self.assertEqual(cb["attempts"], 1, cb)
        self.assertEqual(self.receiver.posts, [])

    def test_private_and_loopback_addresses_refused_at_post(self):
        stu = self.login("literal")
        for host in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                     "[::1]", "[fd00::1]", "[::ffff:127.0.0.1]", "0.0.0.0"):
            err = self.assertError(self.api("POST", "/api/v1/runs", {
                "language": "python3", "source": "print(1)",
                "callback_url": "http://%s:%d/" % (host, self.receiver.port)}, token=stu),
                400, "callback_url")
            self.assertIn("GAVEL_CALLBACK_ALLOW", err["message"])
        self.assertEqual(self.receiver.posts, [])


class CallbacksNotConfigured(CallbackCase):
    """No GAVEL_CALLBACK_SECRET: callback_url is refused, saying so."""

    def test_refused_without_a_secret(self):
        stu = self.login("nosecret")
        err = self.assertError(self.api("POST", "/api/v1/runs", {
            "language": "python3", "source": "print(1)",
            "callback_url": self.receiver.url("/x")}, token=stu), 400, "callback_url")
        self.assertIn("not configured", err["message"])
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3",
                                                        "source": "print(1)"}, token=stu)
        self.assertEqual(st, 202, body)
        st, body, _ = self.api("GET", "/api/v1/runs/%d" % body["id"], token=stu)
        self.assertIsNone(body["callback"])


if __name__ == "__main__":
    gavel_test.main()
