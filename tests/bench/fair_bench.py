"""fair_bench: how long one student's correct answer waits behind another student's burst of
sleeping programs, run by hand (not by ctest), against any build (before/after a change):

    ./gavel.sh pg-start /tmp/gavel-bench            # a throwaway cluster (prints its URL)
    GAVEL_TEST_PG_DIR=/tmp/gavel-bench GAVEL_BIN_DIR=build/bin \\
        PYTHONPATH=tests/lib:tests/api python3 tests/bench/fair_bench.py
    ./gavel.sh pg-stop /tmp/gavel-bench

Over HTTP with gavel-api and a gavel-judge of 2 workers: alice submits four C programs that
sleep(30), then bob submits a correct C answer. Printed per problem kind (5 tests worth a
point each, and 5 tests worth no points, ICPC style): bob's wait (created -> judged, from the
database's clock), where his answer came in the judging order, and how long alice's sleepers
held a worker each.
"""

import statistics
import time
import unittest

import gavel_test
from apitest import ApiCase

C_SUM = "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);" \
        "printf(\"%ld\\n\",a+b);return 0;}\n"
C_SLEEP = "#include <unistd.h>\nint main(void){sleep(30);return 0;}\n"


class FairBench(ApiCase):
    judge_workers = 2
    api_env = {"GAVEL_RATE_BURST": "100"}

    def run_kind(self, slug, points):
        tests = [{"input": "%d %d\n" % (i, i), "output": "%d\n" % (2 * i), "points": points}
                 for i in range(1, 6)]
        st, p, _ = self.api("POST", "/api/v1/problems", {"slug": slug, "title": slug,
                                                         "tests": tests},
                            token=self.login("teacher"))
        assert st == 201, p
        alice, bob = self.login("alice"), self.login("bob")
        sleepers = [self.submit(alice, slug, source=C_SLEEP, language="c")[1]["id"]
                    for _ in range(4)]
        answer = self.submit(bob, slug, source=C_SUM, language="c")[1]["id"]
        for sid, tok in [(answer, bob)] + [(s, alice) for s in sleepers]:
            self.wait_submission(sid, tok, timeout=600)
        ids = ",".join(str(i) for i in sleepers + [answer])
        rows = gavel_test.psql(self.url, "SELECT id, extract(epoch FROM judged_at - created_at),"
                               " time_ms FROM submissions WHERE id IN (%s) ORDER BY judged_at"
                               % ids).splitlines()
        order = [int(r.split("|")[0]) for r in rows]
        wait = {int(r.split("|")[0]): float(r.split("|")[1]) for r in rows}
        held = [wait[s] for s in sleepers]
        print("%-22s bob waited %6.1f s, judged %d of 5; alice's sleepers done after %s s"
              % ("%s (%d pt/test)" % (slug, points), wait[answer], order.index(answer) + 1,
                 " ".join("%.1f" % h for h in sorted(held))), flush=True)

    def test_bench(self):
        self.run_kind("scored", 1)
        self.run_kind("icpc", 0)


if __name__ == "__main__":
    unittest.main(verbosity=0)
