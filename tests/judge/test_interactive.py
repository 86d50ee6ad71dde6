"""Interactive problems through real judges and real sandboxes: a guessing game with a query
budget and an adaptive adversary, solved in every language, under the Kattis protocol
(validator as interactor, exit 42/43) and the testlib one (interactor, then the checker), and
the verdict of every rule of problems/README.md (label integration;privileged)."""

import judge_util as ju

# The interactor. Input: "n budget secret mode"; secret 0 is an adversary that answers so as
# to keep the larger part of the range. It says "n budget", then answers "? x" with "<" (the
# number is smaller), ">" or "=". Kattis protocol: input answer feedback_dir; testlib: input
# output (it writes the claimed number "! x" there for the checker). Modes test the rules.
INTERACTOR = r"""
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static FILE *msg;
static int kattis;
static void done(int ok, const char *why) {
    if (msg) { fprintf(msg, "%s\n", why); fclose(msg); }
    exit(kattis ? (ok ? 42 : 43) : (ok ? 0 : 1));
}
int main(int argc, char **argv) {
    long n, budget, secret, lo = 1, hi, x, used = 0;
    char mode[16], op[4];
    FILE *in = fopen(argv[1], "r");
    kattis = argc > 3;
    if (!in || fscanf(in, "%ld %ld %ld %15s", &n, &budget, &secret, mode) != 4) return 3;
    if (kattis) { char p[256]; snprintf(p, sizeof p, "%sjudgemessage.txt", argv[3]); msg = fopen(p, "w"); }
    hi = n;
    if (!strcmp(mode, "flood")) {          /* megabytes the submission never reads */
        static char junk[1 << 16];
        memset(junk, 'x', sizeof junk);
        for (int i = 0; i < 400; i++) fwrite(junk, 1, sizeof junk, stdout);
        done(1, "flooded");
    }
    printf("%ld %ld\n", n, budget);
    fflush(stdout);
    if (!strcmp(mode, "readone")) {        /* reads one line of a flood, then rejects */
        int c; while ((c = getchar()) != EOF && c != '\n') ;
        done(0, "rejected after one line");
    }
    while (scanf(" %3s %ld", op, &x) == 2) {
        if (!strcmp(mode, "crash")) abort();
        if (op[0] == '!') {
            if (!kattis) { FILE *o = fopen(argv[2], "w"); fprintf(o, "%ld\n", x); fclose(o); done(1, "claimed"); }
            done(x == secret, x == secret ? "right" : "wrong claim");
        }
        if (++used > budget) done(0, "query budget exceeded");
        const char *a;
        if (secret) a = x == secret ? "=" : secret < x ? "<" : ">";
        else if (lo == hi && x == lo) a = "=";
        else if (x - lo > hi - x) { a = "<"; if (x - 1 < hi) hi = x - 1; }
        else { a = ">"; if (x + 1 > lo) lo = x + 1; }
        printf("%s\n", a);
        fflush(stdout);
        if (a[0] == '=' && !strcmp(mode, "hang")) for (;;) pause();
        if (a[0] == '=' && kattis) done(1, "found");   /* testlib: the claim "! x" follows */
    }
    if (!strcmp(mode, "slow")) usleep(300000); /* ends clearly after the submission */
    done(0, "end of input before the number was found");
    return 0;
}
"""

SOLVE = {
    "c": r"""#include <stdio.h>
int main(void) { long n, b, lo = 1, hi; char r[4]; scanf("%ld %ld", &n, &b); hi = n;
  while (lo <= hi) { long m = lo + (hi - lo) / 2; printf("? %ld\n", m); fflush(stdout);
    if (scanf("%3s", r) != 1) return 1; if (r[0] == '=') return 0;
    if (r[0] == '<') hi = m - 1; else lo = m + 1; } return 1; }
""",
    "cpp": r"""#include <iostream>
#include <string>
int main() { long n, b; std::cin >> n >> b; long lo = 1, hi = n; std::string r;
  while (lo <= hi) { long m = lo + (hi - lo) / 2; std::cout << "? " << m << std::endl;
    if (!(std::cin >> r)) return 1; if (r == "=") return 0;
    if (r == "<") hi = m - 1; else lo = m + 1; } return 1; }
""",
    "python3": """n, b = map(int, input().split())
lo, hi = 1, n
while lo <= hi:
    m = (lo + hi) // 2
    print("?", m, flush=True)
    r = input().strip()
    if r == "=":
        break
    if r == "<":
        hi = m - 1
    else:
        lo = m + 1
""",
    "java": """import java.io.*;
import java.util.*;
public class Main { public static void main(String[] a) throws IOException {
  BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
  StringTokenizer t = new StringTokenizer(in.readLine()); long n = Long.parseLong(t.nextToken());
  long lo = 1, hi = n; while (lo <= hi) { long m = lo + (hi - lo) / 2;
    System.out.println("? " + m); System.out.flush(); String r = in.readLine().trim();
    if (r.equals("=")) return; if (r.equals("<")) hi = m - 1; else lo = m + 1; } } }
""",
    "javascript": """const rl = require('readline').createInterface({input: process.stdin});
let lo = 1, hi = 0, m = 0, first = true;
function ask() { m = Math.floor((lo + hi) / 2); process.stdout.write('? ' + m + '\\n'); }
rl.on('line', (line) => {
  line = line.trim();
  if (first) { first = false; hi = Number(line.split(' ')[0]); ask(); return; }
  if (line === '=') { rl.close(); return; }
  if (line === '<') hi = m - 1; else lo = m + 1;
  ask();
});
""",
}

PY_LINEAR = """n, b = map(int, input().split())
for x in range(1, n + 1):
    print("?", x, flush=True)
    if input().strip() == "=":
        break
"""
PY_SLEEP = "import time\ninput()\ntime.sleep(10**6)\n"
PY_CRASH = "input()\nprint('? 1', flush=True)\nraise SystemExit(3)\n"
PY_CLOSE = ("import os, time\ninput()\nos.close(0)\nprint('? 1', flush=True)\n"
            "print('? 2', flush=True)\ntime.sleep(0.5)\n")
PY_FLOOD = "import sys\ninput()\nwhile True:\n    sys.stdout.write('x' * 65536 + '\\n')\n"
PY_SLEEP_NOREAD = "import time\ntime.sleep(10**6)\n"
PY_CLAIM = """n, b = map(int, input().split())
lo, hi = 1, n
while True:
    m = (lo + hi) // 2
    print("?", m, flush=True)
    r = input().strip()
    if r == "=":
        print("!", m + %d, flush=True)
        break
    if r == "<":
        hi = m - 1
    else:
        lo = m + 1
"""


class Interactive(ju.JudgeCase):
    workers = 2

    def interactive(self, slug, tests, protocol="kattis"):
        pid = ju.problem(self.url, slug, tests)
        ju.q(self.url, "UPDATE problems SET interactor_language = 'c', interactor_source = %s,"
                       " interactor_protocol = %s, checker_params = %s WHERE id = %d" % (
                           ju.lit(INTERACTOR), ju.lit(protocol),
                           ju.lit('{"protocol": "kattis"}' if protocol == "kattis" else "{}"),
                           pid))
        return pid

    def test_every_language_kattis(self):
        pid = self.interactive("guess", [("1000000000 31 123456789 normal\n", "-\n"),
                                         ("1000000 21 0 normal\n", "-\n")])
        self.verdicts(pid, {lang: (lang, src, "AC") for lang, src in SOLVE.items()})

    def test_rules(self):
        # "slow": at end of input the interactor waits 0.3 s before it rejects, so that which
        # side ended first is never a close call.
        pid = self.interactive("rules", [("1000 12 777 slow\n", "-\n")])
        rows = self.verdicts(pid, {
            "binary search": ("python3", SOLVE["python3"], "AC"),
            "over the budget": ("python3", PY_LINEAR, "WA"),
            "waits forever": ("python3", PY_SLEEP, "TLE"),
            "crashes": ("python3", PY_CRASH, "RE"),
            "closes stdin": ("python3", PY_CLOSE, "WA"),
        })
        self.assertIn("budget", ju.tests_of(self.url, rows["over the budget"]["id"])[0][3])

    def test_interactor_faults_are_ie(self):
        crash = self.interactive("icrash", [("1000 12 777 crash\n", "-\n")])
        hang = self.interactive("ihang", [("1000 12 777 hang\n", "-\n")])
        rows = self.verdicts(crash, {"crash": ("c", SOLVE["c"], "IE")})
        self.assertIn("interactor failed", rows["crash"]["message"])
        rows = self.verdicts(hang, {"hang": ("c", SOLVE["c"], "IE")})

    def test_huge_outputs_both_ways(self):
        sub_floods = self.interactive("subflood", [("1000 12 777 readone\n", "-\n")])
        int_floods = self.interactive("intflood", [("1000 12 777 flood\n", "-\n")])
        # The interactor rejects after one line of megabytes: WA, though the submission then
        # dies of SIGPIPE. The interactor floods a submission that never reads: the
        # submission's wall clock ends it (TLE), nothing waits on a full pipe.
        self.verdicts(sub_floods, {"flood": ("python3", PY_FLOOD, "WA")})
        self.verdicts(int_floods, {"never reads": ("python3", PY_SLEEP_NOREAD, "TLE")})

    def test_testlib_then_checker(self):
        pid = self.interactive("claim", [("1000 12 777 normal\n", "777\n")], protocol="testlib")
        self.verdicts(pid, {
            "right claim": ("python3", PY_CLAIM % 0, "AC"),
            "wrong claim": ("python3", PY_CLAIM % 1, "WA"),
            "over the budget": ("python3", PY_LINEAR, "WA"),
        })


if __name__ == "__main__":
    import unittest
    unittest.main()
