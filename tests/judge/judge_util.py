"""judge_util: set up problems and queue work directly in the database, for the judge's tests.

The judge meets the API only through PostgreSQL, so these tests write the rows the API would
write (problems, test data in blobs, submissions, runs) with psql and poll for the result.
"""

import hashlib
import json
import os
import time

import gavel_test


def q(url, sql):
    if len(sql) < 100000:
        return gavel_test.psql(url, sql)
    # Too long for one argument (big test data): through psql's standard input.
    import subprocess
    out = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1"], input=sql,
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def lit(s):
    """A SQL string literal."""
    if s is None:
        return "NULL"
    return "'" + s.replace("'", "''") + "'"


def blob(url, data):
    """Stores bytes in blobs; returns their hash."""
    if isinstance(data, str):
        data = data.encode()
    h = hashlib.sha256(data).hexdigest()
    q(url, "INSERT INTO blobs (hash, size, data) VALUES ('%s', %d, decode('%s', 'hex'))"
           " ON CONFLICT DO NOTHING" % (h, len(data), data.hex()))
    return h


def user(url, name="judgetest"):
    uid = q(url, "SELECT id FROM users WHERE username = %s" % lit(name))
    if uid:
        return int(uid)
    return int(q(url, "INSERT INTO users (username, password_hash) VALUES (%s, 'x') RETURNING id"
                      % lit(name)))


def problem(url, slug, tests, checker="tokens", params=None, memory_mb=None, time_limits=None,
            stop_on_first_failure=False, checker_language=None, checker_source=None):
    """Creates a problem; tests are (input, answer[, points[, group]]) tuples."""
    pid = int(q(url, "INSERT INTO problems (slug, title, checker_kind, checker_params,"
                     " memory_limit_mb, time_limits_ms, stop_on_first_failure, checker_language,"
                     " checker_source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id" % (
                         lit(slug), lit(slug), lit(checker), lit(json.dumps(params or {})),
                         "NULL" if memory_mb is None else int(memory_mb),
                         lit(json.dumps(time_limits or {})),
                         "true" if stop_on_first_failure else "false",
                         lit(checker_language), lit(checker_source))))
    for i, t in enumerate(tests, 1):
        points = t[2] if len(t) > 2 else 1
        group = t[3] if len(t) > 3 else None
        q(url, "INSERT INTO test_cases (problem_id, ordinal, input_hash, output_hash, points,"
               " group_name) VALUES (%d, %d, '%s', '%s', %d, %s)" % (
                   pid, i, blob(url, t[0]), blob(url, t[1]), points, lit(group)))
    return pid


def submit(url, pid, lang, source, uid=None):
    uid = uid or user(url)
    return int(q(url, "INSERT INTO submissions (user_id, problem_id, language_id, source)"
                      " VALUES (%d, %d, %s, %s) RETURNING id" % (uid, pid, lit(lang),
                                                                 lit(source))))


def run(url, lang, source, stdin=b""):
    if isinstance(stdin, str):
        stdin = stdin.encode()
    return int(q(url, "INSERT INTO runs (language_id, source, stdin) VALUES (%s, %s,"
                      " decode('%s', 'hex')) RETURNING id" % (lit(lang), lit(source),
                                                               stdin.hex())))


def wait(url, table, ids, timeout=120):
    """Waits until every row is done; returns {id: row dict}."""
    ids = list(ids)
    cols = {
        "submissions": "id, status, verdict, score, max_score, time_ms, memory_kb,"
                       " coalesce(compile_output, ''), coalesce(message, ''), attempts, judge_id",
        "runs": "id, status, verdict, exit_code, time_ms, memory_kb,"
                " encode(coalesce(stdout, ''), 'escape'), encode(coalesce(stderr, ''), 'escape'),"
                " coalesce(compile_output, ''), coalesce(message, ''), attempts, judge_id",
    }[table]
    names = [c.strip().split(" ")[0].split("(")[-1].rstrip(",") for c in cols.split(", ")]
    names = ["id", "status", "verdict"] + (
        ["score", "max_score", "time_ms", "memory_kb", "compile_output", "message", "attempts",
         "judge_id"] if table == "submissions" else
        ["exit_code", "time_ms", "memory_kb", "stdout", "stderr", "compile_output", "message",
         "attempts", "judge_id"])
    # A slower machine (GAVEL_TEST_TIME_FACTOR, the emulated VM) waits longer; a pass still
    # ends as soon as every row is done.
    timeout *= int(os.environ.get("GAVEL_TEST_TIME_FACTOR", "1") or 1)
    deadline = time.time() + timeout
    while True:
        out = q(url, "SELECT json_agg(json_build_array(%s)) FROM %s WHERE id IN (%s)"
                     " AND status = 'done'" % (cols, table, ",".join(map(str, ids))))
        rows = {r[0]: dict(zip(names, r)) for r in json.loads(out or "[]") or []}
        if len(rows) == len(set(ids)):
            return rows
        if time.time() > deadline:
            raise AssertionError("%s %s not judged in %ds (done: %s)" % (
                table, ids, timeout, sorted(rows)))
        time.sleep(0.1)


def wait_for(fn, what, timeout=120):
    """fn() until it returns something true (returned), or fails after timeout seconds."""
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.time() > deadline:
            raise AssertionError("%s: not within %d s" % (what, timeout))
        time.sleep(0.2)


def tests_of(url, sid):
    out = q(url, "SELECT json_agg(json_build_array(ordinal, verdict, points,"
                 " coalesce(checker_message, '')) ORDER BY ordinal) FROM submission_tests"
                 " WHERE submission_id = %d" % sid)
    return [tuple(r) for r in json.loads(out or "[]") or []]


class JudgeCase(__import__("unittest").TestCase):
    """A test class with its own database and gavel-judge processes, and no API: the judge
    meets the API only through the database, so rows are written here as the API would.

    Judges are started with start_judge(); the class fails if one that was not killed on
    purpose exits uncleanly or reports a sanitizer error.
    """

    judges_at_start = 1
    workers = 2
    judge_env = {}

    @classmethod
    def setUpClass(cls):
        import os
        import tempfile
        import unittest
        if not gavel_test.PG_DIR or not gavel_test.BIN:
            raise unittest.SkipTest("no test cluster (run through ctest)")
        if os.geteuid() != 0:
            raise unittest.SkipTest("the sandbox needs root")
        cls.tmp = tempfile.mkdtemp(prefix="gavel-judge-")
        cls.db_name = "jt_%s_%d" % (cls.__name__.lower()[:30], os.getpid())
        admin = gavel_test.db_url("postgres")
        q(admin, "DROP DATABASE IF EXISTS %s" % cls.db_name)
        q(admin, "CREATE DATABASE %s" % cls.db_name)
        cls.url = gavel_test.db_url(cls.db_name)
        cls.data = os.path.join(cls.tmp, "data")
        cls.env = dict(os.environ, GAVEL_DATABASE_URL=cls.url, GAVEL_DATA_DIR=cls.data,
                       GAVEL_LOG_LEVEL="info")
        import subprocess
        subprocess.run([os.path.join(gavel_test.BIN, "gavel"), "migrate"], env=cls.env,
                       check=True, capture_output=True)
        # A machine several times slower than the defaults assume (the cgroup v2 VM, which
        # emulates its CPU): every language's run time limit times this factor. Compiling is
        # not what these tests judge, and a JIT-heavy compiler (javac) in an emulated CPU on a
        # busy host varies most: two minutes, whatever the factor.
        factor = int(os.environ.get("GAVEL_TEST_TIME_FACTOR", "1") or 1)
        if factor > 1:
            q(cls.url, "UPDATE languages SET time_limit_ms = least(60000, time_limit_ms * %d),"
                       " compile_time_ms = greatest(compile_time_ms * %d, 120000)"
                       % (factor, factor))
        cls.procs = []
        cls.killed = []
        cls.stopped = 0
        for _ in range(cls.judges_at_start):
            cls.start_judge()

    @classmethod
    def start_judge(cls, workers=None, **extra):
        import os
        env = dict(cls.env, GAVEL_JUDGE_WORKERS=str(workers or cls.workers), **cls.judge_env)
        env.update(extra)
        p = gavel_test.Process([os.path.join(gavel_test.BIN, "gavel-judge")], env,
                               os.path.join(cls.tmp, "judge-%d.log" % (
                                   len(cls.procs) + len(cls.killed) + cls.stopped)))
        cls.procs.append(p)
        return p

    @classmethod
    def stop_judge(cls, p):
        """Stops a judge with SIGTERM; returns its exit status."""
        code = p.stop()
        cls.procs.remove(p)
        cls.stopped += 1
        return code

    @classmethod
    def kill_judge(cls, p):
        import signal
        p.proc.send_signal(signal.SIGKILL)
        p.proc.wait()
        cls.procs.remove(p)
        cls.killed.append(p)

    @classmethod
    def tearDownClass(cls):
        import shutil
        failures = []
        for p in getattr(cls, "procs", []):
            code = p.stop()
            out = p.output()
            if code != 0 or "ERROR: AddressSanitizer" in out or "runtime error:" in out or \
                    "LeakSanitizer" in out:
                failures.append("gavel-judge exited %s:\n%s" % (code, out[-4000:]))
        try:
            q(gavel_test.db_url("postgres"),
              "DROP DATABASE IF EXISTS %s WITH (FORCE)" % cls.db_name)
        except Exception:
            pass
        shutil.rmtree(getattr(cls, "tmp", "/nonexistent"), ignore_errors=True)
        if failures:
            raise AssertionError("\n".join(failures))

    def verdicts(self, pid, cases, timeout=180):
        """Submits {name: (lang, source, verdict)} and checks every verdict."""
        ids = {name: submit(self.url, pid, lang, src) for name, (lang, src, _) in cases.items()}
        rows = wait(self.url, "submissions", ids.values(), timeout)
        for name, (lang, src, want) in cases.items():
            row = rows[ids[name]]
            with self.subTest(name):
                self.assertEqual(row["verdict"], want, "%s: %s" % (name, row))
        return {name: rows[ids[name]] for name in cases}
