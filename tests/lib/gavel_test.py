"""gavel_test: integration tests against a real gavel-api, gavel-judge and PostgreSQL.

Every test class gets a fresh database in the suite's throwaway cluster (tests/pg), migrated
by the real `gavel migrate`, and real processes listening on 127.0.0.1:

    import gavel_test

    class Submissions(gavel_test.GavelCase):
        judge_workers = 1            # 0: no judge is started

        def test_submit(self):
            tok = self.login("alice")                    # created as a student on first use
            st, body, _ = self.api("POST", "/api/v1/submissions", {...}, token=tok)
            self.assertEqual(st, 202, body)

    if __name__ == "__main__":
        gavel_test.main()

Environment (set by ctest): GAVEL_TEST_PG_DIR (the cluster), GAVEL_BIN_DIR (build/bin),
GAVEL_SOURCE_DIR. Without a cluster the tests are skipped (exit 77) outside CI and fail in CI.
Processes started here are stopped by the pid they were given, and must exit cleanly: a
sanitizer report or a crash in gavel-api or gavel-judge fails the test class.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("GAVEL_BIN_DIR", "")
SRC = os.environ.get("GAVEL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PG_DIR = os.environ.get("GAVEL_TEST_PG_DIR", "")
PG_USER = "gavel" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
PASSWORD = "correct horse battery"


def db_url(name):
    return "postgresql:///%s?host=%s/pg&user=%s" % (name, PG_DIR, PG_USER)


def psql(url, sql):
    """Runs SQL through psql and returns its unaligned, tuples-only output."""
    out = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A Gavel program started by a test, with its output kept in a file."""

    def __init__(self, argv, env, log_path):
        self.argv = argv
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the process; returns its exit code (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                return None
        self.log.close()
        return self.proc.returncode

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class GavelCase(unittest.TestCase):
    """A test class with its own database, gavel-api and (optionally) gavel-judge."""

    judge_workers = 1
    api_env = {}
    judge_env = {}

    @classmethod
    def setUpClass(cls):
        if not PG_DIR or not BIN:
            raise unittest.SkipTest("no test cluster (run through ctest)")
        cls.tmp = tempfile.mkdtemp(prefix="gavel-it-")
        cls.db_name = "it_%s_%d" % (cls.__name__.lower()[:30], os.getpid())
        admin = db_url("postgres")
        psql(admin, "DROP DATABASE IF EXISTS %s" % cls.db_name)
        psql(admin, "CREATE DATABASE %s" % cls.db_name)
        cls.url = db_url(cls.db_name)
        cls.env = dict(os.environ, GAVEL_DATABASE_URL=cls.url,
                       GAVEL_DATA_DIR=os.path.join(cls.tmp, "data"), GAVEL_LOG_LEVEL="info")
        os.makedirs(cls.env["GAVEL_DATA_DIR"])
        cls.gavel("migrate")
        cls.gavel("user", "create", "admin", "--role", "admin", password=PASSWORD)
        cls.gavel("user", "create", "teacher", "--role", "instructor", password=PASSWORD)
        cls.port = free_port()
        cls.procs = []
        cls.api_proc = cls.start_api()
        cls.judges = []
        for _ in range(1 if cls.judge_workers else 0):
            cls.judges.append(cls.start_judge(cls.judge_workers))
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        failures = []
        for p in getattr(cls, "procs", []):
            code = p.stop()
            out = p.output()
            if code not in (0, None) or "ERROR: AddressSanitizer" in out or \
                    "runtime error:" in out or "LeakSanitizer" in out:
                failures.append("%s exited %s:\n%s" % (p.argv[0], code, out[-4000:]))
        try:
            psql(db_url("postgres"), "DROP DATABASE IF EXISTS %s WITH (FORCE)" % cls.db_name)
        except Exception:
            pass
        shutil.rmtree(getattr(cls, "tmp", "/nonexistent"), ignore_errors=True)
        if failures:
            raise AssertionError("\n".join(failures))

    # --- processes ---

    @classmethod
    def gavel(cls, *args, password=None, check=True, input=None):
        """Runs the gavel admin CLI against this class's database."""
        env = dict(cls.env)
        if password:
            env["GAVEL_PASSWORD"] = password
        out = subprocess.run([os.path.join(BIN, "gavel")] + list(args), env=env,
                             capture_output=True, text=True, input=input, timeout=600)
        if check and out.returncode != 0:
            raise AssertionError("gavel %s failed (%d): %s%s" % (
                " ".join(args), out.returncode, out.stdout, out.stderr))
        return out

    @classmethod
    def start_api(cls, **extra_env):
        env = dict(cls.env, GAVEL_LISTEN="127.0.0.1:%d" % cls.port, **cls.api_env)
        env.update(extra_env)
        p = Process([os.path.join(BIN, "gavel-api")], env,
                    os.path.join(cls.tmp, "api-%d.log" % len(cls.procs)))
        cls.procs.append(p)
        deadline = time.time() + 30
        while time.time() < deadline:
            if not p.alive():
                raise AssertionError("gavel-api exited:\n" + p.output())
            try:
                st, _, _ = cls.api("GET", "/healthz")
                if st in (200, 503):
                    return p
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("gavel-api did not answer:\n" + p.output())

    @classmethod
    def start_judge(cls, workers=1, **extra_env):
        env = dict(cls.env, GAVEL_JUDGE_WORKERS=str(workers), **cls.judge_env)
        env.update(extra_env)
        p = Process([os.path.join(BIN, "gavel-judge")], env,
                    os.path.join(cls.tmp, "judge-%d.log" % len(cls.procs)))
        cls.procs.append(p)
        return p

    # --- HTTP ---

    @classmethod
    def api(cls, method, path, body=None, token=None, raw=None, headers=None, timeout=90):
        """One HTTP request to gavel-api. Returns (status, parsed JSON or bytes, headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=timeout)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type", "")
        if payload and ctype.startswith("application/json"):
            payload = json.loads(payload)
        return resp.status, payload, dict(resp.getheaders())

    @classmethod
    def login(cls, username, role="student", password=PASSWORD):
        """A bearer token for username, creating the account on first use."""
        if username in cls.tokens:
            return cls.tokens[username]
        st, body, _ = cls.api("POST", "/api/v1/sessions",
                              {"username": username, "password": password})
        if st == 401:
            cls.gavel("user", "create", username, "--role", role, password=password)
            st, body, _ = cls.api("POST", "/api/v1/sessions",
                                  {"username": username, "password": password})
        if st != 201:
            raise AssertionError("login %s: %s %s" % (username, st, body))
        cls.tokens[username] = body["token"]
        return body["token"]

    def wait_submission(self, sid, token, timeout=120):
        """Polls GET /submissions/{id}?wait= until the submission is done."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            st, body, _ = self.api("GET", "/api/v1/submissions/%s?wait=20" % sid, token=token)
            self.assertEqual(st, 200, body)
            if body["status"] == "done":
                return body
        self.fail("submission %s not judged within %ds" % (sid, timeout))


def main():
    """Runs the tests of the calling module; exit 77 when everything was skipped."""
    if not PG_DIR and not os.environ.get("CI"):
        print("skipped: no test cluster")
        sys.exit(77)
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    print("%d passed, %d failed, %d skipped" % (
        r.testsRun - len(r.failures) - len(r.errors) - len(r.skipped),
        len(r.failures) + len(r.errors), len(r.skipped)))
    sys.exit(0 if r.wasSuccessful() else 1)
