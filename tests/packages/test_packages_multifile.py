"""Problem packages whose solutions are several files, with a real gavel-judge and PostgreSQL:
a Kattis package whose submissions/<category>/ folders are each one submission (Java with
packages, C++ and C with headers, Python and JavaScript with modules) imports and verifies; a
Gavel package with solutions/<EXP>/<folder>/ likewise, and its export gives the folders back;
a hostile file name in such a folder refuses the package, naming the file."""

import io
import json
import os
import shutil
import tempfile
import zipfile

import gavel_test

HERE = os.path.dirname(os.path.abspath(__file__))
MULTISUM = os.path.join(HERE, "kattis", "multisum")
A_PLUS_B = os.path.join(gavel_test.SRC, "problems", "a-plus-b")


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class MultiFilePackages(gavel_test.GavelCase):
    judge_workers = 2

    def verify(self, *paths):
        out = self.gavel("verify", "--json", "--timeout", "300", *paths, check=False)
        reports = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(len(reports), len(paths), out.stdout + out.stderr)
        for rep in reports:
            self.assertTrue(rep["done"], rep)
            for s in rep["solutions"]:
                self.assertEqual(s["actual"], s["expected"],
                                 "%s %s: %s" % (rep["problem"], s["path"], s))
            self.assertTrue(rep["passed"], rep)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return reports

    def test_kattis_folders_verify(self):
        rep = self.verify(MULTISUM)[0]
        got = {s["path"]: (s["language"], s["expected"], s["actual"]) for s in rep["solutions"]}
        self.assertEqual(got, {
            "submissions/accepted/single.py": ("python3", "AC", "AC"),
            "submissions/accepted/java_packages": ("java", "AC", "AC"),
            "submissions/accepted/cpp_headers": ("cpp", "AC", "AC"),
            "submissions/accepted/python_modules": ("python3", "AC", "AC"),
            "submissions/accepted/js_modules": ("javascript", "AC", "AC"),
            "submissions/wrong_answer/c_parts": ("c", "WA", "WA"),
        })
        names = gavel_test.psql(
            self.url, "SELECT string_agg(f ->> 'name', ',' ORDER BY o) FROM package_solutions s,"
            " jsonb_array_elements(s.files) WITH ORDINALITY e(f, o)"
            " WHERE s.path = 'submissions/accepted/java_packages'")
        self.assertEqual(names, "com/acme/Main.java,com/acme/util/Adder.java")

    def test_gavel_folders_verify_and_export(self):
        tmp = tempfile.mkdtemp(prefix="gavel-multi-")
        self.addCleanup(shutil.rmtree, tmp, True)
        pkg = os.path.join(tmp, "parts")
        shutil.copytree(A_PLUS_B, pkg)
        with open(os.path.join(pkg, "problem.json")) as f:
            meta = json.load(f)
        meta["slug"] = "parts"
        with open(os.path.join(pkg, "problem.json"), "w") as f:
            json.dump(meta, f)
        write(pkg, "solutions/AC/py/main.py", "from lib.add import add\n"
              "a, b = map(int, input().split())\nprint(add(a, b))\n")
        write(pkg, "solutions/AC/py/lib/__init__.py", "")
        write(pkg, "solutions/AC/py/lib/add.py", "def add(a, b):\n    return a + b\n")
        write(pkg, "solutions/AC/cc/main.cc", '#include <iostream>\n#include "add.h"\n'
              "int main(){long long a,b;std::cin>>a>>b;std::cout<<add(a,b)<<std::endl;}\n")
        write(pkg, "solutions/AC/cc/add.h", "long long add(long long a, long long b);\n")
        write(pkg, "solutions/AC/cc/add.cc",
              '#include "add.h"\nlong long add(long long a, long long b){return a+b;}\n')
        write(pkg, "solutions/CE/broken/Main.java",
              "public class Main { public static void main(String[] a) { Helper.go(); } }\n")
        write(pkg, "solutions/CE/broken/Helper.java", "class Helper { static void go() { x } }\n")
        rep = self.verify(pkg)[0]
        paths = {s["path"]: s["actual"] for s in rep["solutions"]}
        for folder, verdict in (("solutions/AC/py", "AC"), ("solutions/AC/cc", "AC"),
                                ("solutions/CE/broken", "CE")):
            self.assertEqual(paths.get(folder), verdict, paths)
        # The export writes each folder back, and it imports as the same solutions.
        out_zip = os.path.join(tmp, "parts.zip")
        self.gavel("export", "parts", "-o", out_zip)
        with zipfile.ZipFile(out_zip) as z:
            names = {n.split("/", 1)[1] for n in z.namelist()}
            self.assertIn("solutions/AC/py/lib/add.py", names)
            self.assertIn("solutions/CE/broken/Helper.java", names)
            again = os.path.join(tmp, "again")
            z.extractall(again)
        top = os.path.join(again, os.listdir(again)[0])
        with open(os.path.join(top, "problem.json")) as f:
            meta = json.load(f)
        meta["slug"] = "parts-again"
        with open(os.path.join(top, "problem.json"), "w") as f:
            json.dump(meta, f)
        rep = self.verify(top)[0]
        self.assertEqual({s["path"]: s["actual"] for s in rep["solutions"]}, paths)

    def test_hostile_names_refused(self):
        tmp = tempfile.mkdtemp(prefix="gavel-multi-")
        self.addCleanup(shutil.rmtree, tmp, True)
        for i, bad in enumerate(("x y.py", "a:b.py", "lib/\u00e9.py")):
            pkg = os.path.join(tmp, "bad%d" % i)
            shutil.copytree(A_PLUS_B, pkg)
            with open(os.path.join(pkg, "problem.json")) as f:
                meta = json.load(f)
            meta["slug"] = "bad%d" % i
            with open(os.path.join(pkg, "problem.json"), "w") as f:
                json.dump(meta, f)
            write(pkg, "solutions/AC/multi/main.py", "print(1)\n")
            write(pkg, "solutions/AC/multi/" + bad, "print(1)\n")
            out = self.gavel("import", pkg, check=False)
            self.assertNotEqual(out.returncode, 0, out.stdout)
            if bad.isascii():
                self.assertIn("solutions/AC/multi/" + bad, out.stderr + out.stdout)
            self.assertEqual(gavel_test.psql(
                self.url, "SELECT count(*) FROM problems WHERE slug = 'bad%d'" % i), "0")


if __name__ == "__main__":
    gavel_test.main()
