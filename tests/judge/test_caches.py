"""The judge's caches stay bounded (label integration;privileged): test data over
GAVEL_JUDGE_CACHE_MB is evicted least recently used first, never from under a submission being
judged; temporary files of a fetch that died are removed; precompiled headers that no language
row uses any more (a changed command) are removed, the current ones kept."""

import glob
import hashlib
import os
import re
import time

import gavel_test
import judge_util as ju

KIB = 1024


def wait_for(what, cond, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class CacheBounds(ju.JudgeCase):
    judges_at_start = 0
    workers = 1
    # 1 MiB of test data at most, pruned every second: a few tests' data cross it.
    judge_env = {"GAVEL_JUDGE_CACHE_MB": "1", "GAVEL_JUDGE_CACHE_PRUNE_S": "1",
                 "GAVEL_JUDGE_POLL_MS": "200"}

    def tearDown(self):
        for p in list(self.procs):
            self.assertEqual(self.stop_judge(p), 0, p.output()[-3000:])

    def blob_path(self, data):
        h = hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()
        return os.path.join(self.data, "cache", "tests", h[:2], h)

    def cached(self, data):
        return os.path.exists(self.blob_path(data))

    def test_eviction_never_takes_the_data_of_a_submission_being_judged(self):
        # 1.6 MiB of inputs in one problem: the pruner evicts some of them while the
        # submission is judged, one test after another, each lasting over a pruning period.
        inputs = [("%d\n" % k) * (400 * KIB // 2) for k in range(1, 5)]
        pid = ju.problem(self.url, "big-inputs",
                         [(i, "%d\n" % len(i)) for i in inputs])
        slow = "import sys, time\nd = sys.stdin.read()\ntime.sleep(1.5)\nprint(len(d))\n"
        judge = self.start_judge()
        # The pruner shares its thread with the build of the precompiled headers at start,
        # which takes longer than this submission on a loaded machine: wait for it first (a
        # host that has it already logs no build: then 30 s at most are lost).
        deadline = time.time() + 30
        while "precompiled header" not in judge.output() and time.time() < deadline:
            time.sleep(0.2)
        sid = ju.submit(self.url, pid, "python3", slow)
        row = ju.wait(self.url, "submissions", [sid], timeout=120)[sid]
        self.assertEqual((row["verdict"], row["score"], row["attempts"]), ("AC", 4, 1), row)
        self.assertEqual([t[1] for t in ju.tests_of(self.url, sid)], ["AC"] * 4)
        # The pruner runs on its own clock: wait for its pass (bounded), never race it.
        deadline = time.time() + 60
        while (not re.search(r"test-data cache: evicted [1-9]", judge.output())
               and time.time() < deadline):
            time.sleep(0.2)
        self.assertRegex(judge.output(), r"test-data cache: evicted [1-9]")
        self.assertLess(sum(self.cached(i) for i in inputs), 4)
        # The job's links are gone with the job: evicted data takes no disk space.
        self.assertEqual(glob.glob(os.path.join(self.data, "workers", "*", "tests", "*")), [])
        # Judged again, the evicted data is fetched again.
        sid = ju.submit(self.url, pid, "python3", slow)
        row = ju.wait(self.url, "submissions", [sid], timeout=120)[sid]
        self.assertEqual((row["verdict"], row["attempts"]), ("AC", 1), row)

    def test_least_recently_used_goes_first(self):
        judge = self.start_judge()
        sol = "import sys\nprint(len(sys.stdin.read()))\n"
        data = {}
        pids = {}
        for name in ("p1", "p2", "p3"):
            data[name] = name * (200 * KIB)  # 400 KiB: two fit under 1 MiB, three do not
            pids[name] = ju.problem(self.url, "lru-" + name,
                                    [(data[name], "%d\n" % len(data[name]))])

        def judge_one(name):
            sid = ju.submit(self.url, pids[name], "python3", sol)
            self.assertEqual(ju.wait(self.url, "submissions", [sid])[sid]["verdict"], "AC")

        judge_one("p1")
        judge_one("p2")
        self.assertTrue(self.cached(data["p1"]) and self.cached(data["p2"]))
        # p1 was fetched long ago, p2 less long ago ...
        now = time.time()
        for name, age in (("p1", 3000), ("p2", 2000)):
            for d in (data[name], "%d\n" % len(data[name])):
                os.utime(self.blob_path(d), (now - age, now - age))
        # ... but p1 is used again now: p2 is the least recently used when p3 comes.
        judge_one("p1")
        judge_one("p3")
        wait_for("p2's data to be evicted", lambda: not self.cached(data["p2"]))
        self.assertTrue(self.cached(data["p1"]))
        self.assertTrue(self.cached(data["p3"]))
        self.assertRegex(judge.output(), r"evicted [1-9]\d* file\(s\)")

    def test_stale_temporary_files_are_removed(self):
        d = os.path.join(self.data, "cache", "tests", "ab")
        os.makedirs(d, exist_ok=True)
        stale, fresh = os.path.join(d, ".tmp-999999-0"), os.path.join(d, ".tmp-999999-1")
        for p in (stale, fresh):
            with open(p, "w") as f:
                f.write("half a blob")
        old = time.time() - 2 * 3600
        os.utime(stale, (old, old))
        judge = self.start_judge()
        wait_for("the stale temporary file to go", lambda: not os.path.exists(stale))
        self.assertTrue(os.path.exists(fresh))  # a fetch in progress, perhaps
        self.assertIn("1 stale temporary file(s)", judge.output())
        os.unlink(fresh)


class PrecompiledHeaders(ju.JudgeCase):
    judges_at_start = 0
    workers = 1
    judge_env = {"GAVEL_JUDGE_CACHE_PRUNE_S": "1", "GAVEL_JUDGE_POLL_MS": "200"}

    CPP = "#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n"

    def pch_dirs(self):
        return sorted(os.path.basename(p) for p in
                      glob.glob(os.path.join(self.data, "cache", "pch", "cpp-*")))

    def test_a_changed_command_leaves_no_garbage(self):
        pch = os.path.join(self.data, "cache", "pch")
        garbage = os.path.join(pch, "cpp-" + "0" * 32)
        dead_build = os.path.join(pch, ".build-999999-0")
        for d in (garbage, dead_build):
            os.makedirs(os.path.join(d, "bits"))
            with open(os.path.join(d, "bits", "stdc++.h.gch"), "w") as f:
                f.write("old")
        old = time.time() - 2 * 3600
        os.utime(dead_build, (old, old))
        judge = self.start_judge()
        # The header of the current command is built at start; the rest goes.
        wait_for("the old folders to go",
                 lambda: not os.path.exists(garbage) and not os.path.exists(dead_build), 180)
        wait_for("the current header", lambda: len(self.pch_dirs()) == 1, 180)
        first = self.pch_dirs()[0]
        self.assertTrue(os.path.exists(os.path.join(pch, first, "bits", "stdc++.h.gch")))
        pid = ju.problem(self.url, "sum", [("1 2\n", "3\n")])
        self.verdicts(pid, {"cpp": ("cpp", self.CPP, "AC")})

        # An administrator changes the C++ standard: a new header, and the old one is garbage.
        ju.q(self.url, "UPDATE languages SET"
                       " compile_argv = array_replace(compile_argv, '-std=gnu++17', '-std=gnu++20'),"
                       " pch_argv = array_replace(pch_argv, '-std=gnu++17', '-std=gnu++20')"
                       " WHERE id = 'cpp'")
        self.verdicts(pid, {"cpp": ("cpp", self.CPP, "AC")})
        wait_for("the old header to go",
                 lambda: len(self.pch_dirs()) == 1 and self.pch_dirs()[0] != first, 180)
        self.assertTrue(os.path.exists(os.path.join(pch, self.pch_dirs()[0], "bits",
                                                    "stdc++.h.gch")))
        self.assertTrue(re.search(r"removed 1 precompiled header folder", judge.output()))
        self.assertNotIn("failed to build", judge.output())


if __name__ == "__main__":
    gavel_test.main()
