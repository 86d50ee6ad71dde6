"""The README's run command as a user meets it: ./gavel.sh run on a data folder.

- it reaches a listening API whose /healthz answers 200 and reports the database;
- SIGTERM stops everything it started: no gavel-api, gavel-judge or PostgreSQL is left;
- a second run on the same data folder keeps the data;
- with GAVEL_DATABASE_URL it uses that database and starts no PostgreSQL of its own;
- beside it, the admin CLI `gavel` reaches the embedded database through GAVEL_DATA_DIR alone,
  as the README's `gavel import` / `gavel export` examples do;
- `gavel` with wrong or missing arguments says what is wrong in one line, then its usage, and
  exits 2.

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

    def gavel(self, *args, **env):
        """Runs the admin CLI as a user beside `gavel.sh run` would: GAVEL_DATA_DIR only."""
        e = dict(os.environ, GAVEL_DATA_DIR=self.data)
        e.pop("GAVEL_DATABASE_URL", None)
        e.update(env)
        return subprocess.run([os.path.join(gavel_test.BIN, "gavel")] + list(args), env=e,
                              cwd=self.tmp, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)

    def test_admin_cli_finds_the_embedded_database(self):
        p, status, _ = self.start()
        try:
            self.assertEqual(status, 200)
            out = self.gavel("status")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("schema version", out.stdout)
            out = self.gavel("import", os.path.join(ROOT, "problems", "a-plus-b") + "/")
            self.assertEqual(out.returncode, 0, out.stderr)
            out = self.gavel("export", "a-plus-b", "-o", "a-plus-b.zip")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(os.path.getsize(os.path.join(self.tmp, "a-plus-b.zip")) > 0)
            # A path that is not there is named once, with the reason.
            missing = os.path.join(self.tmp, "no-such-package")
            out = self.gavel("import", missing)
            self.assertEqual(out.returncode, 1, out.stderr)
            self.assertEqual(out.stderr.strip(),
                             "gavel import: %s: No such file or directory" % missing)
        finally:
            self.assertEqual(self.stop(p), 0, self.log())
        # Stopped: the message says why, and what to start.
        out = self.gavel("status")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("cannot connect to the database: ", out.stderr)
        self.assertIn("gavel.sh run", out.stderr)
        # No embedded cluster and no URL: say how to give one.
        out = self.gavel("status", GAVEL_DATA_DIR=os.path.join(self.tmp, "elsewhere"))
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("GAVEL_DATABASE_URL", out.stderr)

    def test_admin_cli_usage_errors(self):
        p, status, _ = self.start()
        cases = [
            ([], "gavel: no command given"),
            (["--database"], "gavel: --database needs a URL"),
            (["--bogus"], "gavel: unknown option --bogus"),
            (["frob"], "gavel: unknown command frob"),
            (["migrate", "extra"], "gavel migrate: unexpected argument extra"),
            (["status", "extra"], "gavel status: unexpected argument extra"),
            (["user"], "gavel user: missing subcommand"),
            (["user", "delete", "x"], "gavel user: unknown subcommand delete"),
            (["user", "create"], "gavel user: missing USERNAME"),
            (["user", "create", "x", "--role"], "gavel user: --role needs a value"),
            (["user", "create", "x", "--display-name"],
             "gavel user: --display-name needs a value"),
            (["user", "create", "x", "--role", "king"],
             "gavel user: invalid role king: student, instructor or admin"),
            (["user", "create", "bad name"],
             "gavel user: invalid username bad name: 1 to 32 of A-Z a-z 0-9 _ . -"),
            (["user", "create", "x", "--bogus"], "gavel user: unknown option --bogus"),
            (["user", "create", "x", "y"], "gavel user: unexpected argument y"),
            (["rejudge"], "gavel rejudge: missing PROBLEM_SLUG or --submission ID"),
            (["rejudge", "--submission"], "gavel rejudge: --submission needs an ID"),
            (["rejudge", "--submission", "abc"], "gavel rejudge: bad submission id abc"),
            (["rejudge", "--submission", "1", "2"], "gavel rejudge: unexpected argument 2"),
            (["rejudge", "a", "b"], "gavel rejudge: unexpected argument b"),
            (["rejudge", "-x"], "gavel rejudge: unknown option -x"),
            (["import"], "gavel import: no PATH given"),
            (["import", "--owner"], "gavel import: --owner needs a USERNAME"),
            (["import", "--bogus", "x"], "gavel import: unknown option --bogus"),
            (["verify"], "gavel verify: no PATH or SLUG given"),
            (["verify", "--json"], "gavel verify: no PATH or SLUG given"),
            (["verify", "--as"], "gavel verify: --as needs a value"),
            (["verify", "--timeout"], "gavel verify: --timeout needs a value"),
            (["verify", "--timeout", "0", "x"], "gavel verify: --timeout takes 1 to 86400 seconds"),
            (["verify", "--bogus", "x"], "gavel verify: unknown option --bogus"),
            (["export"], "gavel export: missing SLUG"),
            (["export", "--tar-gz"], "gavel export: missing SLUG"),
            (["export", "a-plus-b", "-o"], "gavel export: -o needs a FILE"),
            (["export", "a", "b"], "gavel export: unexpected argument b (one SLUG at a time)"),
            (["export", "-x", "a"], "gavel export: unknown option -x"),
        ]
        try:
            self.assertEqual(status, 200)
            for args, message in cases:
                with self.subTest(args=args):
                    out = self.gavel(*args)
                    lines = out.stderr.splitlines()
                    self.assertEqual(out.returncode, 2, out.stderr)
                    self.assertEqual(out.stdout, "")
                    self.assertEqual(lines[0], message)
                    self.assertTrue(lines[1].startswith("usage: gavel"), out.stderr)
        finally:
            self.assertEqual(self.stop(p), 0, self.log())

    def test_gavel_sh_unknown_command(self):
        for args, message in ((["frob"], "gavel: unknown command frob"),
                              ([], "gavel: no command given")):
            with self.subTest(args=args):
                out = subprocess.run([os.path.join(ROOT, "gavel.sh")] + args,
                                     capture_output=True, text=True, timeout=30)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertEqual(out.stderr.splitlines()[0], message)
                self.assertIn("./gavel.sh run", out.stderr)

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
