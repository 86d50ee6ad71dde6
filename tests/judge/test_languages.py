"""The whole judging path for every language: AC, WA, TLE, MLE, RE and CE solutions, the
per-language time limits, a problem's override, and runs (label integration;privileged)."""

import os

import judge_util as ju
import gavel_test

SUM_TESTS = [("1 2\n", "3\n"), ("5 6\n", "11\n"), ("-7 7\n", "0\n")]

C = {
    "AC": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);'
          'printf("%ld\\n",a+b);return 0;}',
    "WA": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);'
          'printf("%ld\\n",a-b);return 0;}',
    "TLE": 'int main(void){volatile unsigned long x=0;for(;;)x++;}',
    "MLE": '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(void){'
           'long t=0;for(int i=0;i<512;i++){char *p=malloc(1<<20);if(!p)return 1;'
           'memset(p,i,1<<20);t+=p[i];}printf("%ld\\n",t);return 0;}',
    "RE": 'int main(void){volatile int *p=0;*p=1;return 0;}',
    "CE": 'int main(void){ return x; }',
}
CPP = {
    "AC": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}',
    "WA": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a*b<<"\\n";}',
    "TLE": '#include <bits/stdc++.h>\nint main(){volatile long x=0;for(;;)x++;}',
    "MLE": '#include <bits/stdc++.h>\nint main(){std::vector<char> v(512u<<20,1);'
           'std::cout<<(int)v[12345]<<"\\n";}',
    "RE": '#include <bits/stdc++.h>\nint main(){std::vector<int> v;return v.at(5);}',
    "CE": '#include <bits/stdc++.h>\nint main(){ std::vector<int> v = 5; }',
}
PY = {
    "AC": 'a, b = map(int, input().split())\nprint(a + b)\n',
    "WA": 'a, b = map(int, input().split())\nprint(a + b + 1)\n',
    "TLE": 'while True:\n    pass\n',
    "MLE": 's = "x" * (600 << 20)\nprint(len(s))\n',
    "RE": 'print(1 // 0)\n',
    "CE": 'def f(:\n    pass\n',
}
JAVA = {
    "AC": 'import java.util.*;\npublic class Sum {\n public static void main(String[] a) {\n'
          '  Scanner s = new Scanner(System.in);\n  System.out.println(s.nextLong() + s.nextLong());'
          '\n }\n}\n',
    "WA": 'public class Main { public static void main(String[] a) { System.out.println(42); } }',
    "TLE": 'public class Main { public static void main(String[] a) { long x = 0;'
           ' while (true) { x++; if (x == -1) break; } System.out.println(x); } }',
    "MLE": 'import java.util.*;\npublic class Hog { public static void main(String[] a) {'
           ' List<int[]> l = new ArrayList<>(); while (true) l.add(new int[1 << 20]); } }',
    "RE": 'public class Main { public static void main(String[] a) {'
          ' throw new IllegalStateException("boom"); } }',
    "CE": 'public class Main { public static void main(String[] a) { int x = "s"; } }',
}
JS = {
    "AC": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(BigInt);\n"
          "console.log((a + b).toString());\n",
    "WA": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
          "console.log(a - b);\n",
    "TLE": "let x = 0;\nfor (;;) { x++; }\n",
    "MLE": "const keep = [];\nfor (;;) keep.push(new Float64Array(1 << 20).fill(1));\n",
    "RE": "throw new Error('boom');\n",
    "CE": "function f( {\n",
}

# About 1.5 s of CPU: TLE under C++'s 1 s, accepted under Python's 2 s and Java's 3 s.
BURN = {
    "cpp": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;volatile long x=0;'
           'while(clock()<(clock_t)(1.5*CLOCKS_PER_SEC))x++;std::cout<<a+b<<"\\n";}',
    "python3": 'import time\na, b = map(int, input().split())\n'
               'while time.process_time() < 1.5:\n    pass\nprint(a + b)\n',
    "java": 'import java.util.*;\nimport java.lang.management.*;\npublic class Main {'
            ' public static void main(String[] x) { Scanner s = new Scanner(System.in);'
            ' long a = s.nextLong(), b = s.nextLong();'
            ' ThreadMXBean t = ManagementFactory.getThreadMXBean(); long v = 0;'
            ' while (t.getCurrentThreadCpuTime() < 1_500_000_000L) v++;'
            ' System.out.println(a + b); } }',
}


class Languages(ju.JudgeCase):
    workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Stop at the first failure so that the failing solutions cost one test each.
        cls.pid = ju.problem(cls.url, "sum", SUM_TESTS, stop_on_first_failure=True)
        # Memory bombs run where they reach the memory limit long before any time limit: a
        # small limit and a wide time budget, so that a busy machine cannot turn MLE into TLE.
        cls.hog = ju.problem(cls.url, "hog", SUM_TESTS, stop_on_first_failure=True, memory_mb=64,
                             time_limits={l: 10000 for l in ("c", "cpp", "python3", "java",
                                                              "javascript")})

    def check_language(self, lang, sources, only=None):
        cases = {"%s %s" % (lang, v): (lang, src, v) for v, src in sources.items()
                 if (not only or v in only) and v != "MLE"}
        rows = self.verdicts(self.pid, cases)
        if "MLE" in sources and (not only or "MLE" in only):
            rows.update(self.verdicts(self.hog, {"%s MLE" % lang: (lang, sources["MLE"], "MLE")}))
        for name, row in rows.items():
            if row["verdict"] == "AC":
                self.assertEqual((row["score"], row["max_score"]), (3, 3))
            elif row["verdict"] == "CE":
                self.assertTrue(row["compile_output"], row)
            else:
                self.assertEqual(row["score"], 0)
                self.assertEqual([t[1] for t in ju.tests_of(self.url, row["id"])][1:],
                                 ["SKIPPED", "SKIPPED"])

    def test_c(self):
        self.check_language("c", C)

    def test_cpp(self):
        self.check_language("cpp", CPP)
        # <bits/stdc++.h> was precompiled once for the host, and used.
        import glob
        import os
        gch = glob.glob(os.path.join(self.data, "cache", "pch", "cpp-*", "bits", "stdc++.h.gch"))
        self.assertEqual(len(gch), 1, gch)
        self.assertEqual(os.stat(gch[0]).st_uid, 0)
        self.assertNotIn("failed to build", self.procs[0].output())

    def test_python(self):
        self.check_language("python3", PY)

    def test_java(self):
        self.check_language("java", JAVA)

    def test_javascript(self):
        self.check_language("javascript", JS)
        # Reads big input, recurses deep, uses threads of its own (libuv, V8): all within the box.
        deep = ("function d(n) { return n === 0 ? 0 : 1 + d(n - 1); }\n"
                "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
                ".map(Number);\nconsole.log(a + b + d(100000) - 100000);\n")
        self.verdicts(self.pid, {"javascript deep recursion": ("javascript", deep, "AC")})

    def test_java_class_names(self):
        # The file is named after the top-level public class, not a public class nested in an
        # earlier one; without a public class, after the class holding main.
        read = ("Scanner s = new Scanner(System.in);"
                " System.out.println(s.nextLong() + s.nextLong());")
        self.verdicts(self.pid, {
            "nested public first": (
                "java", "import java.util.*;\nclass Util { public static class Pair { } }\n"
                "public class Solution { public static void main(String[] a) { %s } }" % read,
                "AC"),
            "no public class": (
                "java", "import java.util.*;\nclass Pair { long x; }\n"
                "class Solution { public static void main(String[] a) { %s } }" % read, "AC"),
        })

    def test_java_package(self):
        # Code pasted from an IDE declares its package: it is compiled into the package's folder
        # and run by its full name, under the same limits as any Java program.
        read = ("Scanner s = new Scanner(System.in);"
                " System.out.println(s.nextLong() + s.nextLong());")
        self.verdicts(self.pid, {
            "package": ("java", "package contest.day1;\n" + JAVA["AC"], "AC"),
            "comments and spaces": (
                "java", "/* Solution.java */\n// by a student\npackage  org . example /* x */ ;"
                "\n\nimport java.util.*;\nclass Solution { public static void main(String[] a)"
                " { if (!Solution.class.getName().equals(\"org.example.Solution\")) return; %s }"
                " }" % read, "AC"),
            "tle": ("java", "package x.y;\n" + JAVA["TLE"], "TLE"),
            "mle": ("java", "package x.y;\n" + JAVA["MLE"], "MLE"),
            "re": ("java", "package x.y;\n" + JAVA["RE"], "RE"),
        })

    def test_java_host_archives(self):
        # The host's class-data sharing archives, built once outside the sandbox, are mapped by
        # every Java run (a JVM that could not use the one it was given shares nothing) and
        # read-only to it; the sum comes out only when all of that holds.
        check = ("String vm = System.getProperty(\"java.vm.info\");"
                 " java.util.List<String> args = java.lang.management.ManagementFactory"
                 ".getRuntimeMXBean().getInputArguments();"
                 " boolean ro; try { new java.io.FileOutputStream(\"/archive/run.jsa\", true)"
                 ".close(); ro = false; } catch (java.io.IOException e) { ro = true; }"
                 " if (!vm.contains(\"sharing\") || !ro"
                 " || !args.contains(\"-XX:SharedArchiveFile=/archive/run.jsa\")) return;")
        self.verdicts(self.pid, {"archives": (
            "java", "import java.util.*;\npublic class Main { public static void main(String[] a)"
            " { %s Scanner s = new Scanner(System.in);"
            " System.out.println(s.nextLong() + s.nextLong()); } }" % check, "AC")})
        archives = os.path.join(self.data, "cache", "archive")
        built = [d for d in os.listdir(archives) if d.startswith("java-")]
        self.assertEqual(len(built), 1, built)
        self.assertEqual(sorted(os.listdir(os.path.join(archives, built[0]))),
                         ["javac.jsa", "run.jsa"])

    def test_time_limits_per_language(self):
        pid = ju.problem(self.url, "sum-one", SUM_TESTS[:1])
        rows = self.verdicts(pid, {
            "cpp": ("cpp", BURN["cpp"], "TLE"),
            "python3": ("python3", BURN["python3"], "AC"),
            "java": ("java", BURN["java"], "AC"),
        })
        self.assertGreaterEqual(rows["python3"]["time_ms"], 1400)
        # A problem may give C++ more time.
        pid = ju.problem(self.url, "sum-slow", SUM_TESTS[:1], time_limits={"cpp": 2500})
        self.verdicts(pid, {"cpp": ("cpp", BURN["cpp"], "AC")})

    def test_runs(self):
        ids = {
            "ok": ju.run(self.url, "python3", "import sys\nd = sys.stdin.read()\n"
                         "print(d.upper(), end='')\nprint('warn', file=sys.stderr)\n", "abc\n"),
            "ce": ju.run(self.url, "c", "int main( {"),
            "tle": ju.run(self.url, "c", "int main(void){for(;;);}"),
            "re": ju.run(self.url, "cpp", "int main(){return 3;}"),
        }
        rows = ju.wait(self.url, "runs", ids.values())
        ok = rows[ids["ok"]]
        self.assertEqual((ok["verdict"], ok["exit_code"], ok["stdout"], ok["stderr"]),
                         ("OK", 0, "ABC\n", "warn\n"))
        self.assertEqual(rows[ids["ce"]]["verdict"], "CE")
        self.assertIn("error", rows[ids["ce"]]["compile_output"])
        self.assertEqual(rows[ids["tle"]]["verdict"], "TLE")
        self.assertEqual((rows[ids["re"]]["verdict"], rows[ids["re"]]["exit_code"]), ("RE", 3))


if __name__ == "__main__":
    gavel_test.main()
