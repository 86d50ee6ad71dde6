"""Submissions and runs of several files, in every language, through the whole judge: every
source file compiled, headers and modules found, the entry file and Java's main class chosen
by the documented rules, and compile errors that name the file at fault (label
integration;privileged)."""

import json

import judge_util as ju
import gavel_test

SUM_TESTS = [("1 2\n", "3\n"), ("5 6\n", "11\n"), ("-7 7\n", "0\n")]


def submit_files(url, pid, lang, files):
    """Queues a submission of several files, as the API stores it."""
    body = json.dumps([{"name": n, "content": c} for n, c in files])
    return int(ju.q(url, "INSERT INTO submissions (user_id, problem_id, language_id, source,"
                         " files) VALUES (%d, %d, %s, '', %s::jsonb) RETURNING id" % (
                             ju.user(url), pid, ju.lit(lang), ju.lit(body))))


def run_files(url, lang, files, stdin=""):
    body = json.dumps([{"name": n, "content": c} for n, c in files])
    return int(ju.q(url, "INSERT INTO runs (language_id, source, files, stdin) VALUES"
                         " (%s, '', %s::jsonb, convert_to(%s, 'UTF8')) RETURNING id" % (
                             ju.lit(lang), ju.lit(body), ju.lit(stdin))))


C_MAIN = ('#include <stdio.h>\n#include "lib/util.h"\n'
          'int main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",add(a,b));return 0;}\n')
C_H = "#ifndef UTIL_H\n#define UTIL_H\nlong add(long a, long b);\n#endif\n"
C_UTIL = '#include "util.h"\nlong add(long a, long b) { return a + b; }\n'

CPP_MAIN = ('#include <iostream>\n#include "geom/add.hpp"\n'
            'int main(){long a,b;std::cin>>a>>b;std::cout<<geom::add(a,b)<<"\\n";}\n')
CPP_H = "#pragma once\nnamespace geom { long add(long a, long b); }\n"
CPP_UTIL = '#include "add.hpp"\nnamespace geom { long add(long a, long b) { return a + b; } }\n'

PY_MAIN = ("from helper import parse\nfrom pkg.ops import add\n"
           "a, b = parse(input())\nprint(add(a, b))\n")
PY_HELPER = "def parse(line):\n    a, b = line.split()\n    return int(a), int(b)\n"
PY_OPS = "def add(a, b):\n    return a + b\n"

JAVA_MAIN = ("package com.acme;\nimport java.util.*;\nimport com.acme.util.Adder;\n"
             "public class Main {\n public static void main(String[] x) {\n"
             "  Scanner s = new Scanner(System.in);\n"
             "  System.out.println(Adder.add(s.nextLong(), s.nextLong()));\n }\n}\n")
JAVA_ADDER = ("package com.acme.util;\npublic class Adder {\n"
              " public static long add(long a, long b) { return a + b; }\n}\n")

JS_MAIN = ("const { add } = require('./lib/add.js');\n"
           "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
           ".map(Number);\nconsole.log(add(a, b));\n")
JS_ADD = "module.exports.add = (a, b) => a + b;\n"

WRONG_MAIN_JAVA = ("public class %s { public static void main(String[] x) {"
                   " System.out.println(42); } }\n")
READ_JAVA = ("import java.util.*;\npublic class %s { public static void main(String[] x) {"
             " Scanner s = new Scanner(System.in);"
             " System.out.println(s.nextLong() + s.nextLong()); } }\n")


class MultiFile(ju.JudgeCase):
    workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "sum", SUM_TESTS, stop_on_first_failure=True)

    def judge(self, cases, timeout=240):
        """{name: (lang, [(file, content)], verdict)} -> {name: row}, every verdict checked."""
        ids = {n: submit_files(self.url, self.pid, lang, files)
               for n, (lang, files, _) in cases.items()}
        rows = ju.wait(self.url, "submissions", ids.values(), timeout)
        out = {}
        for n, (_, _, want) in cases.items():
            row = rows[ids[n]]
            with self.subTest(n):
                self.assertEqual(row["verdict"], want, "%s: %s" % (n, row))
                if want == "AC":
                    self.assertEqual((row["score"], row["max_score"]), (3, 3), row)
            out[n] = row
        return out

    def test_accepted_in_every_language(self):
        self.judge({
            "c": ("c", [("main.c", C_MAIN), ("lib/util.h", C_H), ("lib/util.c", C_UTIL)], "AC"),
            "cpp": ("cpp", [("main.cpp", CPP_MAIN), ("geom/add.hpp", CPP_H),
                            ("geom/add.cc", CPP_UTIL)], "AC"),
            "python3": ("python3", [("main.py", PY_MAIN), ("helper.py", PY_HELPER),
                                    ("pkg/__init__.py", ""), ("pkg/ops.py", PY_OPS)], "AC"),
            "java": ("java", [("com/acme/Main.java", JAVA_MAIN),
                              ("com/acme/util/Adder.java", JAVA_ADDER)], "AC"),
            "javascript": ("javascript", [("main.js", JS_MAIN), ("lib/add.js", JS_ADD)], "AC"),
            # One file under a name of its own is judged under that name.
            "one file": ("cpp", [("solution.cxx", CPP_MAIN.replace('#include "geom/add.hpp"',
                                                                   "namespace geom{long add(long"
                                                                   " a,long b){return a+b;}}"))],
                         "AC"),
        })

    def test_compile_errors_name_the_file(self):
        rows = self.judge({
            "c": ("c", [("main.c", C_MAIN), ("lib/util.h", C_H),
                        ("lib/util.c", C_UTIL.replace("return a + b;", "return a + ;"))], "CE"),
            "cpp": ("cpp", [("main.cpp", CPP_MAIN), ("geom/add.hpp", CPP_H),
                            ("geom/add.cc", CPP_UTIL.replace("a + b", "a + * b"))], "CE"),
            "python3": ("python3", [("main.py", PY_MAIN), ("helper.py", "def parse(:\n"),
                                    ("pkg/__init__.py", ""), ("pkg/ops.py", PY_OPS)], "CE"),
            "java": ("java", [("com/acme/Main.java", JAVA_MAIN),
                              ("com/acme/util/Adder.java", JAVA_ADDER.replace("a + b",
                                                                              "a + \"b\""))],
                     "CE"),
            "javascript": ("javascript", [("main.js", "function f( {\n"),
                                          ("lib/add.js", JS_ADD)], "CE"),
            # A C submission with no .c file at all has nothing to compile.
            "no source": ("c", [("util.h", C_H), ("notes.txt", "hello")], "CE"),
        })
        want = {"c": "lib/util.c", "cpp": "geom/add.cc", "python3": "helper.py",
                "java": "com/acme/util/Adder.java", "javascript": "main.js",
                "no source": "no source file of the language (.c)"}
        for n, text in want.items():
            with self.subTest(n):
                self.assertIn(text, rows[n]["compile_output"])

    def test_entry_and_main_class_rules(self):
        self.judge({
            # Two classes with main: the one in Main.java (ignoring case) runs.
            "java two mains": ("java", [("A.java", WRONG_MAIN_JAVA % "A"),
                                        ("Main.java", READ_JAVA % "Main")], "AC"),
            # No Main.java: the only class that declares main, whatever its file.
            "java one main": ("java", [("A.java", "public class A { static int x; }\n"),
                                       ("Solve.java", READ_JAVA % "Solve")], "AC"),
            # Several mains, none in Main.java: the first file's.
            "java first file": ("java", [("B.java", READ_JAVA % "B"),
                                         ("C.java", WRONG_MAIN_JAVA % "C")], "AC"),
            # Python: main.py whatever the order; else the first file in byte order.
            "python main.py": ("python3", [("a.py", "raise SystemExit(3)\n"),
                                           ("MAIN.py", "a, b = map(int, input().split())\n"
                                                       "print(a + b)\n")], "AC"),
            # No main.*: the first in byte order of the names (solve.py), not the first given.
            "python first": ("python3", [("zutil.py", "raise SystemExit(1)\n"),
                                         ("solve.py", "from util import f\n"
                                          "a, b = map(int, input().split())\nprint(f(a, b))\n"),
                                         ("util.py", "def f(a, b):\n    return a + b\n")],
                             "AC"),
        })

    def test_modules_and_headers_only_where_given(self):
        # Headers are not compiled, other extensions are left alone, and an import that is not
        # among the files fails at run time.
        self.judge({
            "c with a text file": ("c", [("main.c", C_MAIN), ("lib/util.h", C_H),
                                         ("lib/util.c", C_UTIL), ("README.md", "# notes\n")],
                                   "AC"),
            "python missing module": ("python3", [("main.py", PY_MAIN),
                                                  ("helper.py", PY_HELPER)], "RE"),
            "javascript module error": ("javascript", [("main.js", JS_MAIN),
                                                       ("lib/add.js", "module.exports = (;\n")],
                                        "RE"),
        })

    def test_runs_with_files(self):
        ids = {
            "ok": run_files(self.url, "python3", [("main.py", PY_MAIN), ("helper.py", PY_HELPER),
                                                  ("pkg/__init__.py", ""),
                                                  ("pkg/ops.py", PY_OPS)], "20 22\n"),
            "java": run_files(self.url, "java", [("com/acme/Main.java", JAVA_MAIN),
                                                 ("com/acme/util/Adder.java", JAVA_ADDER)],
                              "1 1\n"),
            "ce": run_files(self.url, "cpp", [("main.cpp", CPP_MAIN), ("geom/add.hpp", CPP_H),
                                              ("geom/add.cc", "int x = ;\n")]),
        }
        rows = ju.wait(self.url, "runs", ids.values(), 240)
        self.assertEqual((rows[ids["ok"]]["verdict"], rows[ids["ok"]]["stdout"]), ("OK", "42\n"))
        self.assertEqual((rows[ids["java"]]["verdict"], rows[ids["java"]]["stdout"]),
                         ("OK", "2\n"))
        self.assertEqual(rows[ids["ce"]]["verdict"], "CE")
        self.assertIn("geom/add.cc", rows[ids["ce"]]["compile_output"])


if __name__ == "__main__":
    gavel_test.main()
