"""judge_bench: the judge's performance figures, run by hand (not by ctest).

    ./gavel.sh pg-start /tmp/gavel-bench            # a throwaway cluster (prints its URL)
    GAVEL_TEST_PG_DIR=/tmp/gavel-bench GAVEL_BIN_DIR=build/bin \\
        PYTHONPATH=tests/lib:tests/judge python3 tests/bench/judge_bench.py [overhead|latency|
        throughput|api_latency]
    ./gavel.sh pg-stop /tmp/gavel-bench

Figures:
  overhead    a C++ submission with 100 tests: the judge's test loop (from its log line, so
              compile time does not blur it) against the same binary run bare on the same
              inputs in a shell loop
  latency     50 Python submissions of 10 tests, one at a time: queued -> recorded, p50/p95
  api_latency the same through gavel-api: POST /submissions -> verdict from GET ?wait=
  throughput  200 queued Python submissions (10 tests each) with 1 and 2 workers
Times come from the database's own clock (created_at, judged_at), so polling adds nothing.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

import gavel_test
import judge_util as ju

CPP = ('#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}')
PY = "a, b = map(int, input().split())\nprint(a + b)\n"


def tests(n):
    return [("%d %d\n" % (i, i * 7), "%d\n" % (i * 8)) for i in range(n)]


class Bench(ju.JudgeCase):
    judges_at_start = 0

    def elapsed(self, sid):
        return float(ju.q(self.url, "SELECT extract(epoch FROM judged_at - created_at)"
                                    " FROM submissions WHERE id = %d" % sid))

    def one(self, pid, lang, src):
        sid = ju.submit(self.url, pid, lang, src)
        row = ju.wait(self.url, "submissions", [sid], timeout=300)[sid]
        assert row["verdict"] == "AC", row
        return self.elapsed(sid)

    def overhead(self):
        import re
        j = self.start_judge(workers=1)
        p100 = ju.problem(self.url, "o100", tests(100))
        self.one(p100, "cpp", CPP)  # warm: the precompiled header, the test-data cache
        ends = [self.one(p100, "cpp", CPP) for _ in range(3)]
        self.stop_judge(j)
        # The judge logs the time its test loop took: compile time does not blur it.
        loops = [int(m) for m in re.findall(r"100 tests (\d+) ms", j.output())][1:]
        d = tempfile.mkdtemp()
        subprocess.run(["g++", "-O2", "-std=gnu++17", "-o", d + "/a", "-x", "c++", "-"],
                       input=CPP.encode(), check=True)
        for i, (inp, _) in enumerate(tests(100)):
            with open("%s/%d.in" % (d, i), "w") as f:
                f.write(inp)
        bare = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(["sh", "-c", "for i in $(seq 0 99); do ./a < $i.in > out; done"],
                           cwd=d, check=True)
            bare.append(time.perf_counter() - start)
        judged, loop = min(loops) / 1000.0, min(bare)
        print("overhead: 100 tests of a C++ a+b: judge's test loop %.0f ms (%.2f ms/test),"
              " bare shell loop %.0f ms (%.2f ms/run): %.2fx; whole submission %.0f ms"
              % (judged * 1000, judged * 10, loop * 1000, loop * 10, judged / loop,
                 min(ends) * 1000))

    def latency(self):
        j = self.start_judge(workers=2)
        pid = ju.problem(self.url, "lat", tests(10))
        self.one(pid, "python3", PY)
        lat = sorted(self.one(pid, "python3", PY) for _ in range(50))
        p50 = statistics.median(lat)
        p95 = lat[int(len(lat) * 0.95) - 1]
        pc = ju.problem(self.url, "latc", tests(10))
        self.one(pc, "cpp", CPP)
        lc = sorted(self.one(pc, "cpp", CPP) for _ in range(10))
        self.stop_judge(j)
        print("latency python3 10 tests: p50 %.0f ms, p95 %.0f ms (50 submissions);"
              " cpp 10 tests: p50 %.0f ms (10)" % (p50 * 1000, p95 * 1000,
                                                   statistics.median(lc) * 1000))

    def throughput(self):
        pid = ju.problem(self.url, "tp", tests(10))
        for workers in (1, 2):
            ju.q(self.url, "DELETE FROM submissions")
            ids = [ju.submit(self.url, pid, "python3", PY) for _ in range(200)]
            start = float(ju.q(self.url, "SELECT extract(epoch FROM clock_timestamp())"))
            j = self.start_judge(workers=workers)
            ju.wait(self.url, "submissions", ids, timeout=900)
            end = float(ju.q(self.url, "SELECT extract(epoch FROM max(judged_at)) FROM"
                                       " submissions"))
            self.stop_judge(j)
            t = end - start
            print("throughput %d worker(s): 200 submissions in %.1f s = %.1f submissions/s,"
                  " %.0f tests/s" % (workers, t, 200 / t, 2000 / t))


class ApiBench(gavel_test.GavelCase):
    """POST /api/v1/submissions to the verdict from GET ?wait=, as a client sees it."""
    judge_workers = 2
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_RATE_PER_SEC": "1000"}

    def api_latency(self):
        pid = ju.problem(self.url, "apilat", tests(10))
        tok = self.login("bench")

        def once(lang, src):
            start = time.perf_counter()
            st, body, _ = self.api("POST", "/api/v1/submissions",
                                   {"problem": "apilat", "language": lang, "source": src},
                                   token=tok)
            assert st == 202, body
            body = self.wait_submission(body["id"], tok)
            assert body["verdict"] == "AC", body
            return time.perf_counter() - start

        once("python3", PY)
        lat = sorted(once("python3", PY) for _ in range(50))
        once("cpp", CPP)
        lc = sorted(once("cpp", CPP) for _ in range(10))
        print("api latency python3 10 tests: p50 %.0f ms, p95 %.0f ms (50);"
              " cpp 10 tests: p50 %.0f ms (10)" % (statistics.median(lat) * 1000,
                                                    lat[int(len(lat) * 0.95) - 1] * 1000,
                                                    statistics.median(lc) * 1000))


if __name__ == "__main__":
    which = sys.argv[1:] or ["overhead", "latency", "throughput"]
    if "api_latency" in which:
        ApiBench.setUpClass()
        try:
            ApiBench().api_latency()
        finally:
            ApiBench.tearDownClass()
        which.remove("api_latency")
    if not which:
        sys.exit(0)

    Bench.setUpClass()
    try:
        b = Bench()
        for w in which:
            getattr(b, w)()
    finally:
        Bench.tearDownClass()
