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
  languages   per language (those named after it, else every installed one), a 10-test A+B
              POSTed with ?wait= to its verdict on an idle judge, p50 and p95 of 10, side by
              side with the language's own compile and run commands (its row) done bare in a
              shell loop on the same 10 inputs. "java-today" is Java as it was judged before
              its host archives (migration 185), for the comparison; "tests=N" sets N tests.
  throughput  200 queued Python submissions (10 tests each) with 1 and 2 workers
Times come from the database's own clock (created_at, judged_at), so polling adds nothing.
"""

import os
import json
import shlex
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


# An A+B in each language of the default five; the others' come from their tests.
SUMS = {
    "c": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}',
    "cpp": CPP,
    "python3": PY,
    "java": "import java.util.*;\npublic class Main { public static void main(String[] x) {"
            " Scanner s = new Scanner(System.in); long a = s.nextLong(), b = s.nextLong();"
            " System.out.println(a + b); } }\n",
    "javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
                  ".map(Number);\nconsole.log(a + b);\n",
}


def sum_source(lang):
    if lang in SUMS:
        return SUMS[lang]
    import test_more_languages
    return test_more_languages.LANGS[lang]["AC"]


def bare_loop(url, lang, src, n_tests):
    """The language's own compile and run commands (its row), in a shell loop: seconds."""
    row = json.loads(gavel_test.psql(
        url, "SELECT json_build_array(source_file, compile_argv, run_argv, memory_limit_mb)"
             " FROM languages"
             " WHERE id = '%s'" % lang))
    name, comp, run, memory_mb = row
    stem = name.rsplit(".", 1)[0]

    def expand(argv):
        out = []
        for a in argv or []:
            if "{archive}" in a:
                continue  # the judge's own host archives: bare is the toolchain as installed
            a = a.replace("{files}", "{src}").replace("{src}", name).replace("{name}", stem)
            out.append(a.replace("{memory_mb}", str(memory_mb)))
        return " ".join(shlex.quote(a) for a in out)

    d = tempfile.mkdtemp()
    with open(os.path.join(d, name), "w") as f:
        f.write(src)
    for i, (inp, _) in enumerate(tests(n_tests)):
        with open("%s/%d.in" % (d, i), "w") as f:
            f.write(inp)
    script = "%s\nfor i in $(seq 0 %d); do %s < $i.in > out; done" % (
        expand(comp) if comp else "true", n_tests - 1, expand(run))
    start = time.perf_counter()
    subprocess.run(["sh", "-c", script], cwd=d, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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

    def languages(self, args):
        n_tests = int(([a[6:] for a in args if a.startswith("tests=")] or ["10"])[0])
        if "java-today" in args:
            # Java's row without what migration 185 added to its commands.
            gavel_test.psql(self.url, """
                INSERT INTO languages (id, name, source_file, compile_argv, run_argv,
                    sandbox_profile, time_limit_ms, memory_limit_mb, compile_time_ms,
                    compile_memory_mb, enabled, installed, source_exts)
                SELECT 'java-today', name, source_file,
                    ARRAY(SELECT a FROM unnest(compile_argv) a WHERE a NOT LIKE '-J-XX:%'),
                    ARRAY(SELECT a FROM unnest(run_argv) a WHERE a NOT LIKE '-XX:SharedArchive%'
                          AND a <> '-XX:-UsePerfData'),
                    sandbox_profile, time_limit_ms, memory_limit_mb, compile_time_ms,
                    compile_memory_mb, enabled, installed, source_exts
                FROM languages WHERE id = 'java'""")
            SUMS["java-today"] = SUMS["java"]
        installed = gavel_test.psql(self.url, "SELECT string_agg(id, ' ' ORDER BY id) FROM"
                                              " languages WHERE enabled AND installed").split()
        named = [l for l in args if l in installed and l != "java-today"]
        langs = named + ["java-today"] if named and "java-today" in args else named or installed
        ju.problem(self.url, "langlat", tests(n_tests))
        tok = self.login("bench")

        def once(lang, src):
            start = time.perf_counter()
            st, body, _ = self.api("POST", "/api/v1/submissions?wait=60",
                                   {"problem": "langlat", "language": lang, "source": src},
                                   token=tok)
            assert st in (200, 201) and body.get("verdict") == "AC", (lang, st, body)
            return time.perf_counter() - start

        print("%d tests" % n_tests)
        print("%-11s %9s %9s %9s %7s" % ("language", "p50 ms", "p95 ms", "bare ms", "p50/bare"))
        for lang in langs:
            src = sum_source(lang)
            once(lang, src)  # warm: precompiled headers, class-data archives, the test data
            lat, bare = [], []
            for _ in range(10):  # interleaved, so that a busy moment touches both
                lat.append(once(lang, src))
                bare.append(bare_loop(self.url, lang, src, n_tests))
            lat.sort()
            p50, p95, b = statistics.median(lat), lat[int(len(lat) * 0.95) - 1], statistics.median(bare)
            print("%-11s %9.0f %9.0f %9.0f %6.2fx" % (lang, p50 * 1000, p95 * 1000, b * 1000,
                                                     p50 / b), flush=True)


if __name__ == "__main__":
    which = sys.argv[1:] or ["overhead", "latency", "throughput"]
    for mode in ("api_latency", "languages"):
        if mode not in which:
            continue
        ApiBench.setUpClass()
        try:
            if mode == "languages":
                ApiBench().languages(which[which.index(mode) + 1:])
                which = which[:which.index(mode)]
            else:
                ApiBench().api_latency()
                which.remove(mode)
        finally:
            ApiBench.tearDownClass()
    if not which:
        sys.exit(0)

    Bench.setUpClass()
    try:
        b = Bench()
        for w in which:
            getattr(b, w)()
    finally:
        Bench.tearDownClass()
