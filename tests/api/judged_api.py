"""End to end: gavel-api and a real gavel-judge meet only through PostgreSQL. A submission is
judged and ?wait= answers as soon as the verdict lands; a run comes back with its output
(labels integration, privileged: the judge's sandbox needs root)."""

import os
import unittest

import gavel_test
from apitest import ApiCase, problem

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_CPP = "#include <cstdio>\nint main(){long a,b;scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);}\n"


@unittest.skipUnless(os.geteuid() == 0, "the judge's sandbox needs root")
class Judged(ApiCase):
    judge_workers = 1
    api_env = {"GAVEL_RATE_BURST": "100", "GAVEL_RUN_MAX_TIME_MS": "5000",
               "GAVEL_RUN_MAX_MEMORY_MB": "512"}

    def test_submission_judged(self):
        self.make_problem("sum")
        stu = self.login("stu")
        verdicts = {}
        for name, lang, src in (("py", "python3", SUM_PY), ("cpp", "cpp", SUM_CPP),
                                ("wrong", "python3", "print(0)"), ("ce", "cpp", "int main( {")):
            st, body, _ = self.submit(stu, "sum", source=src, language=lang)
            self.assertEqual(st, 202, body)
            verdicts[name] = self.wait_submission(body["id"], stu)
        self.assertEqual(verdicts["py"]["verdict"], "AC", verdicts["py"])
        self.assertEqual(verdicts["py"]["score"], 6)
        self.assertEqual([t["verdict"] for t in verdicts["py"]["tests"]], ["AC"] * 3)
        self.assertEqual(verdicts["cpp"]["verdict"], "AC", verdicts["cpp"])
        self.assertEqual(verdicts["wrong"]["verdict"], "WA")
        self.assertEqual(verdicts["ce"]["verdict"], "CE")
        self.assertTrue(verdicts["ce"]["compile_output"])
        st, prof, _ = self.api("GET", "/api/v1/users/stu")
        self.assertEqual((prof["solved"], prof["score"]), (1, 6))

    def test_progress_as_tests_land(self):
        # Each test sleeps (no CPU), so the judging lasts seconds whatever the machine; a client
        # following ?wait=&tests_done= sees the tests land one by one, then the result.
        tests = [{"input": "1 2\n", "output": "3\n", "sample": True, "points": 1},
                 {"input": "2 2\n", "output": "4\n", "points": 2, "group": "g"},
                 {"input": "3 2\n", "output": "5\n", "points": 3, "group": "g"},
                 {"input": "4 2\n", "output": "6\n", "points": 4}]
        self.make_problem("slowsum", tests=tests, time_limits_ms={"python3": 4000})
        stu = self.login("follower")
        src = "import time\ntime.sleep(1)\n" + SUM_PY
        st, body, _ = self.submit(stu, "slowsum", source=src)
        self.assertEqual(st, 202, body)
        sid, seen, states = body["id"], 0, []
        for _ in range(40):
            st, s, _ = self.api("GET", "/api/v1/submissions/%d?wait=30&tests_done=%d"
                                % (sid, seen), token=stu)
            self.assertEqual(st, 200, s)
            states.append(s)
            if s["status"] == "done":
                break
            if s["progress"]:
                seen = s["progress"]["tests_done"]
        self.assertEqual((s["status"], s["verdict"], s["score"]), ("done", "AC", 10), s)
        self.assertIsNone(s["progress"])
        self.assertEqual([t["points"] for t in s["tests"]], [1, 2, 3, 4])
        live = [x for x in states if x["status"] == "judging" and x["progress"]]
        self.assertTrue(live, states)
        done = [x["progress"]["tests_done"] for x in live]
        self.assertTrue(any(0 < d < 4 for d in done), done)
        self.assertEqual(done, sorted(done))
        scores = [x["progress"]["score"] for x in live]
        self.assertEqual(scores, sorted(scores))
        for x in live:
            p = x["progress"]
            self.assertEqual((p["tests_total"], p["max_score"], x["max_score"]), (4, 10, 10))
            self.assertEqual(len(x["tests"]), p["tests_done"])
            self.assertEqual(x["score"], p["score"])
            # A group counts once all of it passed.
            self.assertEqual(p["score"], {0: 0, 1: 1, 2: 1, 3: 6}[p["tests_done"]], x)
            self.assertTrue(all(t["verdict"] == "AC" for t in x["tests"]), x)

    def test_run(self):
        stu = self.login("runner")
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3",
                                                        "source": SUM_PY, "stdin": "20 22\n"},
                               token=stu)
        self.assertEqual(st, 202, body)
        for _ in range(6):
            st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=20" % body["id"], token=stu)
            if r["status"] == "done":
                break
        self.assertEqual((r["status"], r["verdict"], r["stdout"], r["exit_code"]),
                         ("done", "OK", "42\n", 0), r)

    def test_post_waits_for_the_result(self):
        # POST ...?wait=S answers with the finished resource, as GET ?wait=S would.
        self.make_problem("sumw")
        stu = self.login("waiter")
        for _ in range(3):  # a busy judge may need longer than one wait: then 201, not done
            st, r, hdr = self.api("POST", "/api/v1/runs?wait=30",
                                  {"language": "python3", "source": SUM_PY, "stdin": "1 2\n"},
                                  token=stu)
            self.assertEqual(st, 201, r)
            self.assertEqual(hdr["Location"], "/api/v1/runs/%d" % r["id"])
            if r["status"] == "done":
                break
        self.assertEqual((r["status"], r["verdict"], r["stdout"]), ("done", "OK", "3\n"), r)
        for _ in range(3):
            st, s, hdr = self.api("POST", "/api/v1/submissions?wait=30",
                                  {"problem": "sumw", "language": "python3", "source": SUM_PY},
                                  token=stu)
            self.assertEqual(st, 201, s)
            if s["status"] == "done":
                break
        self.assertEqual((s["status"], s["verdict"], s["score"]), ("done", "AC", 6), s)
        self.assertEqual(len(s["tests"]), 3)
        # A bad wait is refused before anything is made; no wait answers 202 at once.
        runs = self.sql("SELECT count(*) FROM runs")
        for target in ("/api/v1/runs?wait=x", "/api/v1/runs?wait=61", "/api/v1/runs?other=1"):
            st, err, _ = self.api("POST", target, {"language": "python3", "source": SUM_PY},
                                  token=stu)
            self.assertEqual(st, 400, err)
            self.assertIn(err["error"]["field"], ("wait", "other"))
        self.assertEqual(self.sql("SELECT count(*) FROM runs"), runs)
        st, r, _ = self.api("POST", "/api/v1/runs?wait=0",
                            {"language": "python3", "source": SUM_PY}, token=stu)
        self.assertEqual((st, r["status"]), (202, "queued"), r)

    def run_waited(self, tok, body):
        for _ in range(4):
            st, r, _ = self.api("POST", "/api/v1/runs?wait=30", body, token=tok)
            self.assertEqual(st, 201, r)
            while r["status"] != "done":
                st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=30" % r["id"], token=tok)
            return r

    def test_run_limits_asked_for(self):
        # The caps are readable, and every limit a run asks for is applied and shown.
        st, cfg, _ = self.api("GET", "/api/v1/config")
        self.assertEqual(st, 200, cfg)
        self.assertEqual((cfg["runs"]["max_time_limit_ms"], cfg["runs"]["max_memory_limit_mb"]),
                         (5000, 512))
        tok = self.login("limits")
        py = "python3"
        # A sleeper under its own wall clock; a spinner under its own CPU limit.
        r = self.run_waited(tok, {"language": py, "source": "import time\ntime.sleep(30)\n",
                                  "wall_limit_ms": 1500})
        self.assertEqual(r["verdict"], "TLE", r)
        self.assertEqual(r["limits"]["wall_limit_ms"], 1500)
        r = self.run_waited(tok, {"language": py, "source": "while True:\n    pass\n",
                                  "time_limit_ms": 300})
        self.assertEqual((r["verdict"], r["limits"]["time_limit_ms"]), ("TLE", 300), r)
        self.assertGreaterEqual(r["time_ms"], 300)
        # Memory: 200 MiB is refused under 64 MiB asked for, fine under 512 MiB.
        hog = "b = bytearray(200 << 20)\nprint(len(b) >> 20)\n"
        r = self.run_waited(tok, {"language": py, "source": hog, "memory_limit_mb": 64})
        self.assertEqual((r["verdict"], r["limits"]["memory_limit_mb"]), ("MLE", 64), r)
        r = self.run_waited(tok, {"language": py, "source": hog, "memory_limit_mb": 512})
        self.assertEqual((r["verdict"], r["stdout"]), ("OK", "200\n"), r)
        # Output: 1 MiB printed under 16 KiB.
        r = self.run_waited(tok, {"language": py, "source": "print('x' * (1 << 20))\n",
                                  "output_limit_kb": 16})
        self.assertEqual(r["verdict"], "OLE", r)
        # The language's own when nothing is asked.
        r = self.run_waited(tok, {"language": py, "source": "print(1)\n"})
        self.assertEqual((r["limits"]["time_limit_ms"], r["limits"]["wall_limit_ms"]),
                         (2000, None), r)
        # Above a cap, or not a positive integer: 400 naming the field, nothing made.
        runs = self.sql("SELECT count(*) FROM runs")
        for field, value in (("time_limit_ms", 5001), ("memory_limit_mb", 513),
                             ("wall_limit_ms", 0), ("output_limit_kb", -1),
                             ("time_limit_ms", 1.5), ("memory_limit_mb", "64")):
            st, err, _ = self.api("POST", "/api/v1/runs", {"language": py, "source": "print(1)",
                                                           field: value}, token=tok)
            self.assertEqual((st, err["error"]["field"]), (400, field), err)
        st, err, _ = self.api("POST", "/api/v1/runs", {"language": py, "source": "print(1)",
                                                       "time_limit_ms": 9000}, token=tok)
        self.assertIn("5000", err["error"]["message"])
        self.assertEqual(self.sql("SELECT count(*) FROM runs"), runs)

    def test_binary_safe_runs(self):
        # Bytes in and out as they are: base64 both ways; in UTF-8, what is not UTF-8 is named.
        import base64
        tok = self.login("bytes")
        src = ("import sys\nd = sys.stdin.buffer.read()\n"
               "sys.stdout.buffer.write(bytes(reversed(d)))\n"
               "sys.stderr.buffer.write(b'\\xff\\x00ok')\n")
        data = bytes(range(256))
        body = {"language": "python3", "encoding": "base64",
                "source": base64.b64encode(src.encode()).decode(),
                "stdin": base64.b64encode(data).decode()}
        st, r, _ = self.api("POST", "/api/v1/runs?wait=30&encoding=base64", body, token=tok)
        self.assertEqual(st, 201, r)
        while r["status"] != "done":
            st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=30&encoding=base64" % r["id"],
                                token=tok)
        self.assertEqual((r["verdict"], r["encoding"]), ("OK", "base64"), r)
        self.assertEqual(base64.b64decode(r["stdout"]), bytes(reversed(data)))
        self.assertEqual(base64.b64decode(r["stderr"]), b"\xff\x00ok")
        st, t, _ = self.api("GET", "/api/v1/runs/%d" % r["id"], token=tok)
        self.assertEqual((t["encoding"], sorted(t["not_utf8"])), ("utf-8", ["stderr", "stdout"]))
        self.assertEqual(t["stderr"], "\ufffd\x00ok")
        # A source with a NUL byte is not a source: said so, by name.
        bad = {"language": "python3", "encoding": "base64",
               "source": base64.b64encode(b"# caf\x00\nprint(1)\n").decode()}
        for body, field in ((bad, "source"),
                            (dict(bad, source="print(1)"), "source"),  # not base64 (no padding)
                            (dict(body, stdin="%%%"), "stdin"),
                            (dict(body, encoding="latin-1"), "encoding")):
            st, err, _ = self.api("POST", "/api/v1/runs", body, token=tok)
            self.assertEqual((st, err["error"]["field"]), (400, field), err)
        st, err, _ = self.api("GET", "/api/v1/runs/%d?encoding=hex" % r["id"], token=tok)
        self.assertEqual((st, err["error"]["field"]), (400, "encoding"), err)
        # A submission's source sent and read in base64.
        self.make_problem("sumb")
        src = SUM_PY.encode()
        st, sub, _ = self.api("POST", "/api/v1/submissions",
                              {"problem": "sumb", "language": "python3", "encoding": "base64",
                               "source": base64.b64encode(src).decode()}, token=tok)
        self.assertEqual(st, 202, sub)
        st, got, _ = self.api("GET", "/api/v1/submissions/%d?encoding=base64" % sub["id"],
                              token=tok)
        self.assertEqual((got["encoding"], base64.b64decode(got["source"])), ("base64", src))
        st, got, _ = self.api("GET", "/api/v1/submissions/%d" % sub["id"], token=tok)
        self.assertEqual(got["source"], SUM_PY)

    def test_sources_not_utf8(self):
        # Sources saved in Latin-1 (a comment, a string) are judged from their exact bytes;
        # read as UTF-8 they are shown with U+FFFD and named in not_utf8, in base64 exactly.
        import base64
        tok = self.login("latin")
        self.make_problem("suml")
        c_src = (b"#include <stdio.h>\n/* r\xe9sum\xe9 : la somme */\nint main(void){long a,b;"
                 b"scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);return 0;}\n")
        st, sub, _ = self.api("POST", "/api/v1/submissions?wait=60",
                              {"problem": "suml", "language": "c", "encoding": "base64",
                               "source": base64.b64encode(c_src).decode()}, token=tok)
        self.assertIn(st, (200, 201), sub)
        self.assertEqual(sub["verdict"], "AC", sub)
        self.assertEqual(sub["source"], c_src.decode("utf-8", "replace"))
        self.assertIn("source", sub["not_utf8"])
        st, got, _ = self.api("GET", "/api/v1/submissions/%d?encoding=base64" % sub["id"],
                              token=tok)
        self.assertEqual(base64.b64decode(got["source"]), c_src)
        self.assertNotIn("source", got.get("not_utf8", []))
        # Several files, one of them Latin-1; the program prints a Latin-1 string's bytes.
        files = [{"name": "main.c", "content": base64.b64encode(
                     b'#include "msg.h"\n#include <stdio.h>\nint main(void){fputs(MSG, stdout);'
                     b'return 0;}\n').decode()},
                 {"name": "msg.h", "content": base64.b64encode(b'#define MSG "caf\xe9\\n"\n').decode()}]
        st, run, _ = self.api("POST", "/api/v1/runs?wait=60&encoding=base64",
                              {"language": "c", "encoding": "base64", "files": files}, token=tok)
        self.assertIn(st, (200, 201), run)
        self.assertEqual((run["verdict"], base64.b64decode(run["stdout"])), ("OK", b"caf\xe9\n"),
                         run)
        self.assertEqual([base64.b64decode(f["content"]) for f in run["files"]],
                         [base64.b64decode(f["content"]) for f in files])
        st, run, _ = self.api("GET", "/api/v1/runs/%d" % run["id"], token=tok)
        self.assertEqual(run["files"][1]["content"], '#define MSG "caf\ufffd\\n"\n')
        self.assertIn("files[1].content", run["not_utf8"])
        self.assertIn("stdout", run["not_utf8"])

    def test_batch_run(self):
        # One source, several inputs, compiled once: a result per input, in order.
        import base64
        tok = self.login("batcher")
        src = ("#include <cstdio>\nint main(){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 3;"
               "printf(\"%ld\\n\",a+b);}\n")
        r = self.run_waited(tok, {"language": "cpp", "source": src,
                                  "inputs": ["1 2\n", "30 12\n", "nope\n"]})
        self.assertEqual(r["verdict"], "RE", r)  # the first input's that is not OK
        self.assertEqual([(x["input"], x["verdict"], x["stdout"], x["exit_code"])
                          for x in r["results"]],
                         [(1, "OK", "3\n", 0), (2, "OK", "42\n", 0), (3, "RE", "", 3)])
        # Base64 inputs, results read in base64.
        body = {"language": "python3", "encoding": "base64",
                "source": base64.b64encode(b"import sys\nsys.stdout.buffer.write("
                                           b"sys.stdin.buffer.read()[::-1])\n").decode(),
                "inputs": [base64.b64encode(b).decode() for b in (b"\x00\x01", b"\xff")]}
        st, r, _ = self.api("POST", "/api/v1/runs?wait=30&encoding=base64", body, token=tok)
        while r["status"] != "done":
            st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=30&encoding=base64" % r["id"],
                                token=tok)
        self.assertEqual([base64.b64decode(x["stdout"]) for x in r["results"]],
                         [b"\x01\x00", b"\xff"], r)
        st, cfg, _ = self.api("GET", "/api/v1/config")
        cap = cfg["runs"]["max_inputs"]
        for bad in ({"inputs": ["1"] * (cap + 1)}, {"inputs": []},
                    {"inputs": ["1"], "stdin": "1"}, {"inputs": [1]}):
            st, err, _ = self.api("POST", "/api/v1/runs",
                                  dict({"language": "python3", "source": "print(1)"}, **bad),
                                  token=tok)
            self.assertEqual(st, 400, (bad, err))
            self.assertIn(err["error"]["field"], ("inputs", "inputs[0]"), (bad, err))


if __name__ == "__main__":
    gavel_test.main()
