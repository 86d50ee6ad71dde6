"""Judges that die, stop or share a database (label integration;privileged): a judge killed
with SIGKILL mid-judging is replaced and the submission gets exactly one result; two judges
never claim the same submission; SIGTERM releases the work; a job the judge cannot do ends as
IE after three attempts."""

import re
import time

import judge_util as ju
import gavel_test

# 0.6 s per test, four tests: long enough to be killed in the middle. It sleeps rather than
# computes, so that a busy host cannot turn it into a TLE.
SLOW_PY = "import time\nn = int(input())\ntime.sleep(0.6)\nprint(n * 2)\n"
TESTS = [("%d\n" % i, "%d\n" % (2 * i)) for i in range(1, 5)]


def wait_status(url, sid, status, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ju.q(url, "SELECT status FROM submissions WHERE id = %d" % sid) == status:
            return
        time.sleep(0.05)
    raise AssertionError("submission %d never reached %s" % (sid, status))


class Robust(ju.JudgeCase):
    judges_at_start = 0
    workers = 1
    judge_env = {"GAVEL_JUDGE_LEASE_S": "3", "GAVEL_JUDGE_POLL_MS": "500"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "double", TESTS)

    def tearDown(self):
        # Judges of a failed test must not judge the next test's submissions.
        for p in list(self.procs):
            self.assertEqual(self.stop_judge(p), 0, p.output()[-3000:])

    def test_settings_as_flags(self):
        # Flags and GAVEL_* variables are the same settings: --NAME=VALUE sets GAVEL_NAME.
        import os
        import subprocess
        judge = os.path.join(gavel_test.BIN, "gavel-judge")
        env = dict(self.env)
        env.pop("GAVEL_DATABASE_URL")
        out = subprocess.run([judge, "--judge-lease-s=1", "--database=" + self.url], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("GAVEL_JUDGE_LEASE_S must be a number from 2", out.stderr)
        out = subprocess.run([judge, "--no-such-thing"], env=env, capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown argument --no-such-thing", out.stderr)
        data = os.path.join(self.tmp, "flag-data")
        p = gavel_test.Process([judge, "--database=" + self.url, "--data-dir=" + data,
                                "--workers=1", "--judge-poll-ms=200", "--log-level=warn"],
                               env, os.path.join(self.tmp, "flags.log"))
        self.procs.append(p)
        sid = ju.submit(self.url, self.pid, "python3", "print(int(input()) * 2)")
        self.assertEqual(ju.wait(self.url, "submissions", [sid])[sid]["verdict"], "AC")
        self.assertTrue(os.path.isdir(os.path.join(data, "workers", "0")))
        self.assertNotIn("claimed by", p.output())  # an INFO line, below --log-level=warn

    def test_sigkill_mid_judging_is_finished_by_another_judge(self):
        a = self.start_judge()
        sid = ju.submit(self.url, self.pid, "python3", SLOW_PY)
        wait_status(self.url, sid, "judging")
        time.sleep(1.0)
        self.kill_judge(a)
        self.assertEqual(ju.q(self.url, "SELECT status FROM submissions WHERE id = %d" % sid),
                         "judging")
        b = self.start_judge()
        row = ju.wait(self.url, "submissions", [sid], timeout=60)[sid]
        self.assertEqual((row["verdict"], row["score"], row["attempts"]), ("AC", 4, 2), row)
        self.assertIn(":%d/" % b.proc.pid, row["judge_id"])
        self.assertEqual(len(ju.tests_of(self.url, sid)), 4)
        self.assertIn("requeued", b.output())
        # Exactly one judge recorded a result.
        recorded = [p for p in (a, b) if re.search(r"submission %d: AC" % sid, p.output())]
        self.assertEqual(recorded, [b])
        self.assertEqual(self.stop_judge(b), 0)

    def test_sigterm_releases_the_job(self):
        a = self.start_judge()
        sid = ju.submit(self.url, self.pid, "python3", SLOW_PY)
        wait_status(self.url, sid, "judging")
        time.sleep(0.3)
        self.assertEqual(self.stop_judge(a), 0)
        self.assertIn("released (stopping)", a.output())
        self.assertEqual(ju.q(self.url, "SELECT status || ' ' || attempts FROM submissions"
                                        " WHERE id = %d" % sid), "queued 0")
        b = self.start_judge()
        row = ju.wait(self.url, "submissions", [sid], timeout=60)[sid]
        self.assertEqual((row["verdict"], row["attempts"]), ("AC", 1))
        self.assertEqual(self.stop_judge(b), 0)

    def test_two_judges_never_claim_the_same_submission(self):
        judges = [self.start_judge(workers=2), self.start_judge(workers=2)]
        ids = [ju.submit(self.url, self.pid, "python3", "print(int(input()) * 2)")
               for _ in range(30)]
        rows = ju.wait(self.url, "submissions", ids, timeout=120)
        self.assertTrue(all(r["verdict"] == "AC" and r["attempts"] == 1 for r in rows.values()),
                        rows)
        claims = []
        for j in judges:
            claims += [int(m) for m in re.findall(r"submission (\d+): claimed", j.output())]
            self.assertEqual(self.stop_judge(j), 0)
        mine = [c for c in claims if c in rows]
        self.assertEqual(sorted(mine), sorted(ids))  # each claimed once, by one judge

    def test_a_job_the_judge_cannot_do_ends_as_ie(self):
        ju.q(self.url, "INSERT INTO languages (id, name, source_file, run_argv, sandbox_profile,"
                       " time_limit_ms) VALUES ('broken', 'Broken', 'x', ARRAY['/nonexistent'],"
                       " 'native', 1000)")
        j = self.start_judge()
        sid = ju.submit(self.url, self.pid, "broken", "x")
        row = ju.wait(self.url, "submissions", [sid], timeout=60)[sid]
        self.assertEqual((row["verdict"], row["attempts"]), ("IE", 3), row)
        self.assertIn("3 judging attempts failed", row["message"])
        self.assertEqual(self.stop_judge(j), 0)


if __name__ == "__main__":
    gavel_test.main()
