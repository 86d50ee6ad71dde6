"""Submissions and runs: queueing, reading, ?wait=, lists with filters and cursors, the rate
limit, and contest submissions. The judge is simulated by writing results with psql."""

import threading
import time

import gavel_test
from apitest import ApiCase, problem


class Submissions(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000", "GAVEL_MAX_STDIN": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, body, _ = cls.api("POST", "/api/v1/problems", problem("sum"),
                              token=cls.login("teacher"))
        assert st == 201, body

    def test_submit_and_read(self):
        stu = self.login("stu")
        st, body, hdr = self.submit(stu, "sum", source="print(sum(map(int, input().split())))")
        self.assertEqual(st, 202, body)
        self.assertEqual(body["status"], "queued")
        sid = body["id"]
        self.assertEqual(hdr.get("Location"), "/api/v1/submissions/%d" % sid)
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual(st, 200, s)
        self.assertEqual((s["user"], s["problem"], s["language"], s["status"], s["verdict"],
                          s["contest"], s["tests"]),
                         ("stu", "sum", "python3", "queued", None, None, []))
        self.assertIn("source", s)
        self.sql("INSERT INTO submission_tests (submission_id, ordinal, verdict, time_ms,"
                 " memory_kb, points) VALUES (%d, 1, 'AC', 5, 100, 1), (%d, 2, 'WA', 6, 100, 0)"
                 % (sid, sid))
        self.finish_submission(sid, "WA", 1)
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual((s["status"], s["verdict"], s["score"], s["max_score"], s["time_ms"],
                          s["memory_kb"]), ("done", "WA", 1, 6, 12, 3400))
        self.assertRegex(s["judged_at"], r"Z$")
        self.assertEqual(s["tests"][1], {"ordinal": 2, "verdict": "WA", "time_ms": 6,
                                         "memory_kb": 100, "points": 0, "group": "big",
                                         "message": None})
        # Others' source reaches nobody else; staff see it.
        self.assertError(self.api("GET", "/api/v1/submissions/%d" % sid,
                                  token=self.login("eve")), 404)
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.login("teacher"))
        self.assertEqual(st, 200)
        self.assertIn("source", s)
        self.assertError(self.api("GET", "/api/v1/submissions/999999", token=stu), 404)
        self.assertError(self.api("GET", "/api/v1/submissions/abc", token=stu), 404)
        self.assertError(self.api("GET", "/api/v1/submissions/-1", token=stu), 404)

    def test_messages(self):
        """The judge's messages: staff read every one; the author those of sample tests only
        (a hidden test's may quote its data)."""
        stu = self.login("stu")
        st, body, _ = self.submit(stu, "sum")
        self.assertEqual(st, 202, body)
        sid = body["id"]
        self.finish_submission(sid, "IE", 0)
        self.sql("UPDATE submissions SET message = 'the checker does not compile' WHERE id = %d;"
                 " INSERT INTO submission_tests (submission_id, ordinal, verdict, time_ms,"
                 " memory_kb, points, checker_message) VALUES"
                 " (%d, 1, 'WA', 1, 1, 0, 'sample: expected 3'),"
                 " (%d, 2, 'WA', 1, 1, 0, 'hidden: expected 10')" % (sid, sid, sid))
        st, mine, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual(st, 200, mine)
        self.assertNotIn("message", mine)
        self.assertEqual([t["message"] for t in mine["tests"]], ["sample: expected 3", None])
        st, staff, _ = self.api("GET", "/api/v1/submissions/%d" % sid,
                                token=self.login("teacher"))
        self.assertEqual(st, 200, staff)
        self.assertEqual(staff["message"], "the checker does not compile")
        self.assertEqual([t["message"] for t in staff["tests"]],
                         ["sample: expected 3", "hidden: expected 10"])

    def test_bad_submissions(self):
        stu = self.login("stu")
        self.assertError(self.submit(stu, "nope"), 404, "problem")
        self.assertError(self.submit(stu, "Bad Slug"), 404, "problem")
        self.assertError(self.submit(stu, "sum", language="cobol"), 400, "language")
        self.assertError(self.submit(stu, "sum", source=""), 400, "source")
        self.assertError(self.submit(stu, "sum", source="x" * (64 * 1024 + 1)), 413, "source")
        self.assertEqual(self.submit(stu, "sum", source="x" * (64 * 1024))[0], 202)
        self.assertError(self.submit(stu, "sum", contest="nope"), 404, "contest")
        self.assertError(self.submit(stu, "sum", source=5), 400, "source")
        self.assertError(self.api("POST", "/api/v1/submissions", {"problem": "sum"}, token=stu),
                         400, "language")
        self.assertError(self.submit(None, "sum"), 401)

    def test_wait(self):
        stu = self.login("stu")
        sid = self.submit(stu, "sum")[1]["id"]
        t0 = time.time()
        st, s, _ = self.api("GET", "/api/v1/submissions/%d?wait=1" % sid, token=stu)
        self.assertEqual((st, s["status"]), (200, "queued"))
        self.assertGreaterEqual(time.time() - t0, 0.9)
        threading.Timer(0.7, self.finish_submission, args=(sid,)).start()
        t0 = time.time()
        st, s, _ = self.api("GET", "/api/v1/submissions/%d?wait=30" % sid, token=stu)
        took = time.time() - t0
        self.assertEqual((st, s["status"], s["verdict"]), (200, "done", "AC"))
        self.assertLess(took, 5, "the answer came when the row was done, not at the deadline")
        t0 = time.time()
        self.assertEqual(self.api("GET", "/api/v1/submissions/%d?wait=60" % sid,
                                  token=stu)[0], 200)
        self.assertLess(time.time() - t0, 2)
        self.assertError(self.api("GET", "/api/v1/submissions/%d?wiat=5" % sid, token=stu), 400,
                         "wiat")
        for bad in ("61", "-1", "x", ""):
            self.assertError(self.api("GET", "/api/v1/submissions/%d?wait=%s" % (sid, bad),
                                      token=stu), 400, "wait")

    def test_many_waiters(self):
        stu = self.login("stu")
        ids = [self.submit(stu, "sum")[1]["id"] for _ in range(20)]
        results = {}

        def waiter(i):
            results[i] = self.api("GET", "/api/v1/submissions/%d?wait=30" % i, token=stu)

        threads = [threading.Thread(target=waiter, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        time.sleep(0.5)
        self.sql("UPDATE submissions SET status='done', verdict='AC', score=6 WHERE id IN (%s)"
                 % ",".join(map(str, ids)))
        for t in threads:
            t.join(20)
        self.assertEqual(sorted(results), sorted(ids))
        self.assertTrue(all(r[1]["status"] == "done" for r in results.values()))

    def test_list(self):
        a, b = self.login("lista"), self.login("listb")
        self.make_problem("other")
        mine = []
        for i in range(5):
            mine.append(self.submit(a, "sum" if i % 2 else "other")[1]["id"])
        theirs = self.submit(b, "sum")[1]["id"]
        self.finish_submission(mine[0], "AC")
        self.finish_submission(mine[1], "WA", 0)
        st, lst, _ = self.api("GET", "/api/v1/submissions?limit=100", token=a)
        self.assertEqual(st, 200, lst)
        got = [s["id"] for s in lst["items"]]
        self.assertEqual(got, sorted(mine, reverse=True))
        self.assertIsNone(lst["next_cursor"])
        self.assertNotIn("source", lst["items"][0])
        self.assertError(self.api("GET", "/api/v1/submissions?user=listb", token=a), 403, "user")
        # Their own name in another letter case is still them (usernames ignore ASCII case).
        for name in ("LISTA", "ListA"):
            st, lst, _ = self.api("GET", "/api/v1/submissions?limit=100&user=" + name, token=a)
            self.assertEqual(st, 200, lst)
            self.assertEqual([s["id"] for s in lst["items"]], sorted(mine, reverse=True))
        self.assertError(self.api("GET", "/api/v1/submissions?user=LISTB", token=a), 403, "user")
        st, lst, _ = self.api("GET", "/api/v1/submissions?user=listb", token=self.login("teacher"))
        self.assertEqual([s["id"] for s in lst["items"]], [theirs])
        st, lst, _ = self.api("GET", "/api/v1/submissions?problem=other&user=lista",
                              token=self.login("admin"))
        self.assertEqual([s["id"] for s in lst["items"]], [mine[4], mine[2], mine[0]])
        st, lst, _ = self.api("GET", "/api/v1/submissions?verdict=WA", token=a)
        self.assertEqual([s["id"] for s in lst["items"]], [mine[1]])
        seen, cursor = [], None
        while True:
            st, page, _ = self.api("GET", "/api/v1/submissions?limit=2" +
                                   ("&cursor=" + cursor if cursor else ""), token=a)
            self.assertEqual(st, 200, page)
            seen += [s["id"] for s in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, sorted(mine, reverse=True))
        for bad, field in (("verdict=XX", "verdict"), ("problem=Bad%20Slug", "problem"),
                           ("user=bad%20name", "user"), ("limit=1000", "limit"),
                           ("cursor=%00", None), ("cursor=cXX", "cursor"), ("sort=id", "sort")):
            self.assertError(self.api("GET", "/api/v1/submissions?" + bad, token=a), 400, field)

    def test_runs(self):
        stu = self.login("runner")
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3",
                                                        "source": "print(input())",
                                                        "stdin": "hi\n"}, token=stu)
        self.assertEqual(st, 202, body)
        rid = body["id"]
        self.assertEqual(self.sql("SELECT encode(stdin, 'escape') FROM runs WHERE id=%d" % rid),
                         "hi")
        st, r, _ = self.api("GET", "/api/v1/runs/%d" % rid, token=stu)
        self.assertEqual((st, r["status"], r["verdict"], r["stdout"]), (200, "queued", None, None))
        threading.Timer(0.5, self.sql, args=(
            "UPDATE runs SET status='done', verdict='OK', stdout=decode('68690a', 'hex'),"
            " stderr=decode('ff', 'hex'), exit_code=0, time_ms=3, memory_kb=900, judged_at=now()"
            " WHERE id=%d" % rid,)).start()
        st, r, _ = self.api("GET", "/api/v1/runs/%d?wait=20" % rid, token=stu)
        self.assertEqual((st, r["status"], r["verdict"], r["stdout"], r["stderr"], r["exit_code"],
                          r["time_ms"], r["memory_kb"]),
                         (200, "done", "OK", "hi\n", "\ufffd", 0, 3, 900), r)
        self.assertError(self.api("GET", "/api/v1/runs/%d" % rid, token=self.login("eve")), 404)
        self.assertError(self.api("GET", "/api/v1/runs/0", token=stu), 404)
        self.assertError(self.api("GET", "/api/v1/runs/%d?wait=100" % rid, token=stu), 400, "wait")
        for body, status, field in (
                ({"language": "cobol", "source": "x"}, 400, "language"),
                ({"language": "python3"}, 400, "source"),
                ({"language": "python3", "source": "x", "stdin": 5}, 400, "stdin"),
                ({"language": "python3", "source": "x", "stdin": "x" * 1001}, 413, "stdin"),
                ({"language": "python3", "source": "x" * 70000}, 413, "source")):
            self.assertError(self.api("POST", "/api/v1/runs", body, token=stu), status, field)
        self.assertEqual(self.api("POST", "/api/v1/runs", {"language": "c", "source": "int main(){}"},
                                  token=stu)[0], 202)


class RunStdinCap(ApiCase):
    """The stdin cap (GAVEL_MAX_STDIN, 1 MiB) is what a run may carry, whatever the body cap:
    a stdin at the cap arrives JSON-escaped in a body larger than it."""

    def test_stdin_up_to_its_cap(self):
        stu = self.login("runner")
        lines = "7\n" * (1 << 19)          # 1 MiB of input; "\n" doubles in the JSON
        st, body, _ = self.api("POST", "/api/v1/runs", {"language": "python3", "source": "x",
                                                        "stdin": lines}, token=stu)
        self.assertEqual(st, 202, body)
        self.assertEqual(self.sql("SELECT octet_length(stdin) FROM runs WHERE id=%d"
                                  % body["id"]), str(1 << 20))
        self.assertError(self.api("POST", "/api/v1/runs", {"language": "python3", "source": "x",
                                                           "stdin": lines + "x"}, token=stu),
                         413, "stdin")


class RateLimit(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "3", "GAVEL_RATE_PER_SEC": "0.5"}

    def test_burst_then_429(self):
        self.make_problem("rl")
        stu = self.login("fast")
        for _ in range(3):
            self.assertEqual(self.submit(stu, "rl")[0], 202)
        st, body, hdr = self.submit(stu, "rl")
        self.assertError((st, body, hdr), 429)
        self.assertIn(hdr.get("Retry-After"), ("1", "2"))
        # Runs share the bucket; other users have their own.
        self.assertEqual(self.api("POST", "/api/v1/runs", {"language": "c", "source": "x"},
                                  token=stu)[0], 429)
        self.assertEqual(self.submit(self.login("slow"), "rl")[0], 202)
        time.sleep(2.1)
        self.assertEqual(self.submit(stu, "rl")[0], 202)
        self.assertEqual(self.submit(stu, "rl")[0], 429)


class ShutdownWhileWaiting(ApiCase):
    """SIGTERM with requests parked by ?wait=: they are answered and the server exits 0."""

    def test_stop(self):
        self.make_problem("sd")
        stu = self.login("waiter")
        ids = [self.submit(stu, "sd")[1]["id"] for _ in range(3)]
        results = []

        def waiter(sid):
            results.append(self.api("GET", "/api/v1/submissions/%d?wait=60" % sid, token=stu))

        threads = [threading.Thread(target=waiter, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.time()
        self.assertEqual(self.api_proc.stop(), 0, self.api_proc.output())
        for t in threads:
            t.join(10)
        self.assertLess(time.time() - t0, 10)
        self.assertEqual(sorted(r[0] for r in results), [200, 200, 200])
        self.assertTrue(all(r[1]["status"] == "queued" for r in results))


if __name__ == "__main__":
    gavel_test.main()
