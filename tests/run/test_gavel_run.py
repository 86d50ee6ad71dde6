"""The README's run command as a user meets it: ./gavel.sh run on a data folder.

- it reaches a listening API whose /healthz answers 200 and reports the database;
- SIGTERM stops everything it started: no gavel-api, gavel-judge or PostgreSQL is left;
- a second run on the same data folder keeps the data;
- with GAVEL_DATABASE_URL it uses that database and starts no PostgreSQL of its own.

The binaries are the suite's own build (GAVEL_BIN_DIR), so the test does not build twice.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request
import json

import gavel_test

ROOT = gavel_test.SRC


def pids_of(pattern):
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def pids_in_group(pgid, wait_s=5.0):
    """Processes left in the run's own process group (gavel.sh was started in a new session),
    as "pid command" lines; waits up to wait_s for exiting ones to go."""
    deadline = time.time() + wait_s
    while True:
        out = subprocess.run(["pgrep", "-a", "-g", str(pgid)], capture_output=True, text=True)
        left = out.stdout.splitlines()
        if not left or time.time() > deadline:
            return left
        time.sleep(0.1)


class GavelRun(unittest.TestCase):
    def setUp(self):
        if not gavel_test.BIN or not gavel_test.PG_DIR:
            self.skipTest("run through ctest")
        self.tmp = tempfile.mkdtemp(prefix="gavel-run-")
        os.chmod(self.tmp, 0o755)
        self.data = os.path.join(self.tmp, "var")
        self.port = gavel_test.free_port()

    def tearDown(self):
        subprocess.run([os.path.join(ROOT, "gavel.sh"), "pg-stop", self.data],
                       capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, **env):
        e = dict(os.environ, GAVEL_DATA_DIR=self.data, GAVEL_LISTEN="127.0.0.1:%d" % self.port,
                 GAVEL_ADMIN_PASSWORD="admin password 1", GAVEL_JUDGE_WORKERS="1",
                 GAVEL_BIN_DIR=gavel_test.BIN)
        e.pop("GAVEL_DATABASE_URL", None)
        e.update(env)
        log = open(os.path.join(self.tmp, "run.log"), "ab")
        p = subprocess.Popen([os.path.join(ROOT, "gavel.sh"), "run"], env=e, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if p.poll() is not None:
                self.fail("gavel.sh run exited %s:\n%s" % (p.returncode, self.log()))
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.port,
                                            timeout=2) as r:
                    return p, r.status, json.loads(r.read() or b"{}")
            except OSError:
                time.sleep(0.2)
        p.kill()
        self.fail("no answer from the API:\n" + self.log())

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            self.fail("gavel.sh run did not stop on SIGTERM:\n" + self.log())
        return code

    def log(self):
        with open(os.path.join(self.tmp, "run.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-5000:]

    def request(self, method, path, body=None, token=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def test_run_stop_rerun_keeps_data(self):
        p, status, health = self.start()
        self.assertEqual(status, 200, health)
        self.assertIn("database", json.dumps(health))
        st, body = self.request("POST", "/api/v1/sessions",
                                {"username": "admin", "password": "admin password 1"})
        self.assertEqual(st, 201, body)
        token = body["token"]
        st, body = self.request("POST", "/api/v1/users",
                                {"username": "kept", "password": "kept password"}, token)
        self.assertEqual(st, 201, body)
        st, problems = self.request("GET", "/api/v1/problems", token=token)
        self.assertEqual(st, 200, problems)
        sample_count = len(os.listdir(os.path.join(ROOT, "problems"))) - 1  # minus README.md
        if sample_count > 0:
            self.assertGreaterEqual(len(problems.get("items", problems.get("problems", []))), 1)
        self.assertEqual(self.stop(p), 0, self.log())
        time.sleep(0.5)
        self.assertEqual(pids_of("postgres -D %s" % os.path.join(self.data, "pg")), [])
        self.assertEqual(pids_in_group(p.pid), [])

        p, status, _ = self.start()
        self.assertEqual(status, 200)
        st, body = self.request("POST", "/api/v1/sessions",
                                {"username": "kept", "password": "kept password"})
        self.assertEqual(st, 201, body)
        self.assertEqual(self.stop(p), 0, self.log())

    def test_external_database_starts_none(self):
        name = "run_ext_%d" % os.getpid()
        admin = gavel_test.db_url("postgres")
        gavel_test.psql(admin, "DROP DATABASE IF EXISTS %s" % name)
        gavel_test.psql(admin, "CREATE DATABASE %s" % name)
        try:
            p, status, _ = self.start(GAVEL_DATABASE_URL=gavel_test.db_url(name))
            self.assertEqual(status, 200)
            self.assertFalse(os.path.exists(os.path.join(self.data, "pg")))
            self.assertEqual(pids_of("postgres -D %s" % os.path.join(self.data, "pg")), [])
            self.assertEqual(self.stop(p), 0, self.log())
            time.sleep(0.5)
            self.assertEqual(pids_in_group(p.pid), [])
            self.assertEqual(gavel_test.psql(gavel_test.db_url(name),
                                             "SELECT username FROM users"), "admin")
        finally:
            gavel_test.psql(admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


if __name__ == "__main__":
    gavel_test.main()
