"""What careless or hostile users send, through real judges (label integration;privileged):
sources as editors save them, outputs and answers at the limits, custom checkers that misbehave.
Each ends in the verdict a real online judge would give, in bounded time, and leaves the host
and the judge as they were."""

import os
import shutil

import judge_util as ju
import gavel_test

BOM = "\ufeff"

SUM = {
    "c": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);'
         'printf("%ld\\n",a+b);return 0;}\n',
    "cpp": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n',
    "python3": 'a, b = map(int, input().split())\nprint(a + b)\n',
    "java": 'import java.util.*;\npublic class Sum {\n public static void main(String[] a) {\n'
            '  Scanner s = new Scanner(System.in);\n'
            '  System.out.println(s.nextLong() + s.nextLong());\n }\n}\n',
}

# A checker that writes 2 GiB in files of 1000 KiB (under its per-file cap) and says whether it
# could: the checker's folder is bounded, so the writing fails long before.
DISK_FILLER_CHECKER = r"""
#include <stdio.h>
#include <string.h>
int main(void) {
    static char b[1000 << 10];
    char name[32];
    memset(b, 'x', sizeof(b));
    for (int i = 0; i < 2100; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        FILE *f = fopen(name, "wb");
        if (!f || fwrite(b, 1, sizeof(b), f) != sizeof(b) || fclose(f) != 0) {
            printf("disk full after %d files\n", i);
            return 3;
        }
    }
    printf("wrote 2 GiB\n");
    return 0;
}
"""

# A checker that accepts after leaving 400 MiB in its folder: kept, it would hold the memory
# of the box the program's next test runs in.
LITTERING_CHECKER = DISK_FILLER_CHECKER.replace("2100", "400")

# A testlib checker that reads its three files by the names in its folder and by argv.
NAMES_CHECKER = r"""
#include <stdio.h>
int main(int argc, char **argv) {
    long in, out, ans, out2;
    FILE *fi = fopen("input.txt", "r"), *fo = fopen(argv[2], "r"), *fa = fopen(argv[3], "r");
    if (!fi || !fo || !fa || fscanf(fi, "%ld", &in) != 1 || fscanf(fa, "%ld", &ans) != 1)
        return 3;
    if (fscanf(stdin, "%ld", &out2) != 1 || fscanf(fo, "%ld", &out) != 1 || out != out2)
        return 1;
    return out == ans && ans == in * 2 ? 0 : 1;
}
"""


class Abuse(ju.JudgeCase):
    workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "sum", [("1 2\n", "3\n"), ("5 6\n", "11\n")])

    def test_byte_order_mark_and_crlf(self):
        # Editors on Windows save a BOM and CRLF line ends: every language compiles them as
        # the user meant (javac alone rejects a BOM; the judge drops it).
        cases = {}
        for lang, src in SUM.items():
            crlf = src.replace("\n", "\r\n")
            cases[lang + " bom"] = (lang, BOM + src, "AC")
            cases[lang + " bom crlf"] = (lang, BOM + crlf, "AC")
        cases["java package crlf"] = ("java", "package a.b;\r\n" + SUM["java"].replace(
            "\n", "\r\n"), "AC")
        self.verdicts(self.pid, cases)

    def test_custom_checker_cannot_fill_the_disk(self):
        free_before = shutil.disk_usage(self.data).free
        pid = ju.problem(self.url, "checker-fills-disk", [("1\n", "1\n")], checker="custom",
                         checker_language="c", checker_source=DISK_FILLER_CHECKER)
        rows = self.verdicts(pid, {"any": ("python3", "print(1)", "IE")})
        self.assertIn("disk full", rows["any"]["message"])
        self.assertGreater(shutil.disk_usage(self.data).free, free_before - (256 << 20))
        self.assertTrue(all(p.alive() for p in self.procs))
        self.verdicts(self.pid, {"after": ("c", SUM["c"], "AC")})
        pid = ju.problem(self.url, "checker-litters", [("1\n", "1\n")] * 3, checker="custom",
                         checker_language="c", checker_source=LITTERING_CHECKER)
        rows = self.verdicts(pid, {"ac": ("python3", "print(1)", "AC")})
        self.assertEqual(rows["ac"]["score"], 3)

    def test_custom_checker_files(self):
        # The checker reads the input, the output and the answer by the names in its folder,
        # by argv, and the output on stdin; it cannot change the test's data.
        pid = ju.problem(self.url, "checker-names", [("4\n", "8\n"), ("5\n", "10\n")],
                         checker="custom", checker_language="c", checker_source=NAMES_CHECKER)
        tamper = ("import sys\nn = int(input())\nprint(2 * n)\n"
                  "for f in ('/data/answer.txt', '/data/input.txt'):\n"
                  "    try:\n        open(f, 'w').write('0')\n    except OSError:\n"
                  "        pass\n")
        rows = self.verdicts(pid, {"ac": ("python3", tamper, "AC"),
                                   "wa": ("python3", "print(int(input()) * 3)", "WA")})
        self.assertEqual(rows["ac"]["score"], 2)
        pid = ju.problem(self.url, "checker-tampers", [("4\n", "8\n"), ("5\n", "10\n")],
                         checker="custom", checker_language="python3", checker_source=(
                             "import sys\nfor f in sys.argv[1:4] + ['/data/answer.txt']:\n"
                             "    try:\n        open(f, 'w').write('0')\n"
                             "    except OSError:\n        pass\nsys.exit(0)\n"))
        self.verdicts(pid, {"ac": ("python3", "print(int(input()) * 2)", "AC")})
        # The test data in the cache is as it was: the first checker still accepts.
        self.verdicts(ju.problem(self.url, "checker-names-again", [("4\n", "8\n")],
                                 checker="custom", checker_language="c",
                                 checker_source=NAMES_CHECKER),
                      {"ac": ("python3", "print(int(input()) * 2)", "AC")})


class OutputCap(ju.JudgeCase):
    """A judge whose output cap is 1 MiB (GAVEL_JUDGE_OUTPUT_KB): answers of that size and
    more are still accepted, floods are still OLE."""

    workers = 1
    judge_env = {"GAVEL_JUDGE_OUTPUT_KB": "1024"}

    def test_answers_at_and_above_the_cap(self):
        line = "1" * 99 + "\n"
        cat = "import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read())\n"
        for size in (1 << 20, 3 << 20):
            data = (line * (size // len(line) + 1))[:size]
            pid = ju.problem(self.url, "big-%d" % size, [(data, data)])
            self.verdicts(pid, {
                "cat": ("python3", cat, "AC"),
                "flood": ("python3", "while True:\n    print('1' * 99)\n", "OLE"),
            })


class RunOutput(gavel_test.GavelCase):
    """A run's output through the real API: what the judge keeps is what GET /runs shows, and
    an output longer than that is marked as cut."""

    judge_workers = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if os.geteuid() != 0:
            raise __import__("unittest").SkipTest("the sandbox needs root")

    def test_long_outputs_are_marked_cut(self):
        tok = self.login("printer")
        src = "import sys\nsys.stdout.write('o' * %d)\nsys.stderr.write('e' * %d)\n"
        for out, err, cut in ((100 << 10, 10 << 10, False), (3 << 20, 100 << 10, True)):
            st, body, _ = self.api("POST", "/api/v1/runs", {
                "language": "python3", "source": src % (out, err), "stdin": ""}, token=tok)
            self.assertEqual(st, 202, body)
            for _ in range(10):
                st, run, _ = self.api("GET", "/api/v1/runs/%d?wait=20" % body["id"], token=tok)
                self.assertEqual(st, 200, run)
                if run["status"] == "done":
                    break
            self.assertEqual(run["verdict"], "OK", run["verdict"])
            self.assertEqual((run["stdout_truncated"], run["stderr_truncated"]), (cut, cut))
            self.assertEqual(len(run["stdout"]), min(out, 1 << 20))
            self.assertEqual(len(run["stderr"]), min(err, 64 << 10))
        # The record holds one byte more than is shown, never the whole output.
        self.assertEqual(gavel_test.psql(self.url, "SELECT max(octet_length(stdout)) FROM runs"),
                         str((1 << 20) + 1))


if __name__ == "__main__":
    gavel_test.main()
