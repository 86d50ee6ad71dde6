"""Problem packages with a real gavel-api, gavel-judge and PostgreSQL.

- `gavel verify` on every problem of problems/: each shipped solution gets its expected verdict;
- the Kattis packages of tests/packages/kattis (nested secret groups, validator flags, an output
  validator speaking 42/43 and taking flags) import and verify: case and amounts of whitespace
  are ignored by default, extra whitespace is wrong under space_change_sensitive, and a
  solution accepted only thanks to a validator flag is accepted;
- upload, export and re-upload through the API give back the same problem; the verification
  endpoints queue and report; malformed and hostile uploads are refused and change nothing.
"""

import glob
import io
import json
import os
import tarfile
import threading
import time
import zipfile

import gavel_test

HERE = os.path.dirname(os.path.abspath(__file__))
PROBLEMS = sorted(glob.glob(os.path.join(gavel_test.SRC, "problems", "*", "problem.json")))
KATTIS = os.path.join(HERE, "kattis")


def zip_folder(folder, prefix=""):
    """A zip of a folder's files, in memory, under prefix."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(folder):
            for f in sorted(files):
                path = os.path.join(root, f)
                z.write(path, prefix + os.path.relpath(path, folder))
    return buf.getvalue()


def tgz_folder(folder):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(folder, arcname=os.path.basename(folder))
    return buf.getvalue()


def archive_files(data):
    """{path without the top folder: bytes} of a zip."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            out[name.split("/", 1)[1]] = z.read(name)
    return out


class Packages(gavel_test.GavelCase):
    judge_workers = 2

    def verify_cli(self, *paths):
        out = self.gavel("verify", "--json", "--timeout", "240", *paths, check=False)
        reports = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        return out, reports

    def check_reports(self, out, reports, n):
        self.assertEqual(len(reports), n, out.stdout + out.stderr)
        for rep in reports:
            self.assertTrue(rep["done"], rep)
            for s in rep["solutions"]:
                self.assertIn(s["actual"], s["expected"].split(","),
                              "%s %s: %s" % (rep["problem"], s["path"], s))
                self.assertTrue(s["ok"], s)
            self.assertTrue(rep["passed"], rep)
            self.assertIn("slowest_accepted", rep)
            self.assertLess(rep["slowest_accepted"]["fraction"], 1)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_1_sample_problems_verify(self):
        self.assertGreaterEqual(len(PROBLEMS), 5)
        folders = [os.path.dirname(p) for p in PROBLEMS]
        out, reports = self.verify_cli(*folders)
        self.check_reports(out, reports, len(folders))
        kinds = set(gavel_test.psql(self.url, "SELECT checker_kind FROM problems").split())
        self.assertTrue({"exact", "tokens", "float", "custom"} <= kinds, kinds)
        self.assertEqual(gavel_test.psql(
            self.url, "SELECT interactor_protocol FROM problems WHERE slug = 'guess'"), "kattis")
        groups = gavel_test.psql(self.url, "SELECT count(DISTINCT group_name) FROM test_cases")
        self.assertGreaterEqual(int(groups), 2)
        # verification submissions stay out of every contest
        self.assertEqual(gavel_test.psql(
            self.url, "SELECT count(*) FROM submissions WHERE contest_id IS NOT NULL"), "0")

    def test_2_kattis_packages_verify(self):
        names = ["mean", "pairs", "greet", "spacing", "guessk"]
        out, reports = self.verify_cli(*[os.path.join(KATTIS, n) for n in names])
        self.check_reports(out, reports, len(names))
        verdicts = {(r["problem"], os.path.basename(s["path"])): s["actual"]
                    for r in reports for s in r["solutions"]}
        self.assertEqual(verdicts.get(("greet", "shouting.py")), "AC", verdicts)
        self.assertEqual(verdicts.get(("spacing", "double_spaces.py")), "WA", verdicts)
        self.assertEqual(verdicts.get(("spacing", "upper_no_newline.py")), "AC", verdicts)
        self.assertEqual(verdicts.get(("pairs", "reversed.py")), "AC", verdicts)
        row = gavel_test.psql(self.url, "SELECT checker_kind, checker_params->>'case_sensitive',"
                              " checker_params->>'space_change_sensitive' FROM problems"
                              " WHERE slug = 'greet'")
        self.assertEqual(row, "tokens|false|false")
        row = gavel_test.psql(self.url, "SELECT checker_kind, checker_params->>'case_sensitive',"
                              " checker_params->>'space_change_sensitive' FROM problems"
                              " WHERE slug = 'spacing'")
        self.assertEqual(row, "tokens|false|true")
        row = gavel_test.psql(self.url, "SELECT checker_kind, checker_params->>'rel',"
                              " checker_params->>'case_sensitive' FROM problems WHERE slug = 'mean'")
        self.assertEqual(row, "float|0.0001|true")
        row = gavel_test.psql(self.url, "SELECT checker_kind, checker_params->>'protocol',"
                              " checker_params->>'flags' FROM problems WHERE slug = 'pairs'")
        self.assertEqual(row, 'custom|kattis|["lenient"]')
        # validation: custom interactive: the output validator is the interactor, its flags kept
        row = gavel_test.psql(self.url, "SELECT checker_kind, interactor_protocol,"
                              " interactor_language, checker_params->>'flags' FROM problems"
                              " WHERE slug = 'guessk'")
        self.assertEqual(row, 'tokens|kattis|python3|["strict"]')
        groups = gavel_test.psql(self.url, "SELECT string_agg(DISTINCT group_name, ',')"
                                 " FROM test_cases t JOIN problems p ON p.id = t.problem_id"
                                 " WHERE p.slug = 'mean'")
        self.assertEqual(groups, "group1,group2")

    def test_2b_kattis_limits_derived(self):
        """Packages without limits.memory get the format's 2048 MiB, and without a time limit
        the one their format's rule derives from the measured accepted solutions; solutions
        with several allowed verdicts (@EXPECTED_RESULTS@) pass with any of them, and one whose
        verdict is none of its listed ones fails the verification."""
        out, reports = self.verify_cli(os.path.join(KATTIS, "spin"), os.path.join(KATTIS, "spin23"))
        self.assertEqual(len(reports), 2, out.stdout + out.stderr)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)  # claims_wrong.py
        by = {r["problem"]: r for r in reports}
        spin, spin23 = by["spin"], by["spin23"]
        sols = {os.path.basename(s["path"]): s for s in spin["solutions"]}
        for rep in reports:
            self.assertTrue(rep["done"], rep)
        # memory: the format's default, in force and reported
        self.assertEqual(spin["limits"]["memory_mb"], 2048)
        self.assertEqual(spin["limits"]["memory_from"], "default")
        self.assertEqual(gavel_test.psql(self.url, "SELECT memory_limit_mb FROM problems"
                                         " WHERE slug = 'spin'"), "2048")
        self.assertEqual(sols["big_memory.c"]["actual"], "AC", sols["big_memory.c"])
        self.assertGreater(sols["big_memory.c"]["memory_kb"], 270 * 1024)
        # legacy rule (problemtools): max(1 s, slowest accepted x time_multiplier rounded to
        # whole seconds); the time_limit_exceeded ones must time out even at max(limit + 1 s,
        # slowest x multiplier x time_safety_margin rounded)
        lim = spin["limits"]
        self.assertEqual(lim["rule"], "legacy")
        self.assertEqual(lim["time_limit_from"], "derived")
        self.assertNotIn("time_limit_pending", lim)
        t_ac = lim["slowest_accepted_ms"]
        self.assertGreaterEqual(t_ac, 1150)  # spin_1200ms.c spins 1.2 s of CPU time
        only_ac = [s for s in spin["solutions"] if s["expected"] == "AC"]
        self.assertEqual(t_ac, max(s["time_ms"] for s in only_ac), only_ac)
        self.assertIn(lim["slowest_accepted"], [s["path"] for s in only_ac
                                                if s["time_ms"] == t_ac])
        expect = max(1000, int(t_ac * 2 / 1000 + 0.5) * 1000)
        self.assertEqual(lim["time_limit_ms"], expect, lim)
        self.assertEqual(lim["tle_margin_ms"],
                         max(expect + 1000, int(t_ac * 2 * 1.5 / 1000 + 0.5) * 1000), lim)
        self.assertEqual(lim["time_limits_ms"]["c"], expect)
        self.assertEqual(lim["time_limits_ms"]["python3"], 2 * expect)
        # stored in the problem: what students are judged with from now on
        self.assertEqual(gavel_test.psql(self.url, "SELECT time_limits_ms->>'c' FROM problems"
                                         " WHERE slug = 'spin'"), str(expect))
        meta = json.loads(gavel_test.psql(self.url, "SELECT meta FROM package_meta m JOIN"
                                          " problems p ON p.id = m.problem_id"
                                          " WHERE p.slug = 'spin'"))
        self.assertFalse(meta["time_limit_pending"])
        self.assertEqual(meta["time_limit_ms"], expect)
        # accepted although slower than C's 1 s default
        self.assertEqual(sols["spin_1200ms.c"]["actual"], "AC")
        self.assertTrue(sols["spin_1200ms.c"]["ok"])
        # 8 s of CPU: time limit exceeded at the derived limit, margin included
        self.assertEqual(sols["spin_8s.c"]["actual"], "TLE", sols["spin_8s.c"])
        self.assertEqual(sols["spin_8s.c"]["measured"], "AC")
        self.assertTrue(sols["spin_8s.c"]["ok"])
        # several verdicts allowed: either is right
        self.assertEqual(sols["either_slow.c"]["expected"], "AC,TLE")
        self.assertEqual(sols["either_slow.c"]["actual"], "TLE")
        self.assertTrue(sols["either_slow.c"]["ok"])
        self.assertEqual(sols["plain.py"]["expected"], "AC,TLE")
        self.assertEqual(sols["plain.py"]["actual"], "AC")
        self.assertTrue(sols["plain.py"]["ok"])
        # a verdict none of the listed ones: reported
        self.assertEqual(sols["claims_wrong.py"]["expected"], "WA,TLE")
        self.assertEqual(sols["claims_wrong.py"]["actual"], "AC")
        self.assertFalse(sols["claims_wrong.py"]["ok"])
        self.assertFalse(spin["passed"])
        # 2023-07 rule: the smallest multiple of time_resolution (0.5 s) at least
        # ac_to_time_limit x the slowest accepted, and at most the fastest TLE / 1.2
        lim = spin23["limits"]
        self.assertEqual(lim["rule"], "2023-07")
        t_ac = lim["slowest_accepted_ms"]
        expect = -(-int(t_ac * 2) // 500) * 500
        self.assertEqual(lim["time_limit_ms"], expect, lim)
        self.assertLessEqual(expect * 1.2, lim["fastest_tle_ms"])
        self.assertTrue(spin23["passed"], spin23)
        print("\nderived: spin %s ms from %s ms (legacy x2), spin23 %s ms from %s ms"
              " (2023-07 x2, 0.5 s steps)" % (spin["limits"]["time_limit_ms"],
                                               spin["limits"]["slowest_accepted_ms"],
                                               lim["time_limit_ms"], t_ac))

    def test_2c_kattis_limits_pending_and_reported(self):
        """An upload or import of a package without a time limit says the limit is pending and
        what is used meanwhile; gavel verify's text report says the limit it derived."""
        tiny = os.path.join(self.tmp, "tiny")
        for path, text in {"problem.yaml": "name: Tiny\n",
                           "data/secret/1.in": "3\n", "data/secret/1.ans": "6\n",
                           "submissions/accepted/double.py": "print(int(input()) * 2)\n"}.items():
            os.makedirs(os.path.dirname(os.path.join(tiny, path)), exist_ok=True)
            with open(os.path.join(tiny, path), "w") as f:
                f.write(text)
        out = self.gavel("import", tiny)
        self.assertIn("gavel verify derives it", out.stdout)
        self.assertIn("10000 ms", out.stdout)
        tok = self.login("limits-teacher", role="instructor")
        st, body, _ = self.api("POST", "/api/v1/problems/tiny-up/package", raw=zip_folder(tiny),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        self.assertTrue(body["limits"]["time_limit_pending"], body)
        self.assertEqual(body["limits"]["time_limit_from"], "derived")
        self.assertEqual(body["limits"]["memory_mb"], 2048)
        self.assertEqual(gavel_test.psql(self.url, "SELECT time_limits_ms->>'c' FROM problems"
                                         " WHERE slug = 'tiny-up'"), "10000")
        out = self.gavel("verify", "--timeout", "240", tiny, check=False)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("time limit 1000 ms, derived (legacy rule: slowest accepted"
                      " submissions/accepted/double.py", out.stdout)
        self.assertIn("memory limit 2048 MiB, from default", out.stdout)
        self.assertEqual(gavel_test.psql(self.url, "SELECT time_limits_ms->>'c' FROM problems"
                                         " WHERE slug = 'tiny'"), "1000")

    def test_2d_kattis_output_and_compile_limits(self):
        """A Kattis package's limits.output (MiB, the format's 8 by default) is its problem's
        output limit on every test, and compilation_time and compilation_memory its compile
        limits, in place of the judge's and the languages' own. Margins are in bytes, not
        time: 0.5 MiB and 3 MiB of output against 1 MiB, a compile of about 210 MB against 16 MiB
        and the format's 2048."""
        def package(name, yaml, solutions):
            root = os.path.join(self.tmp, name)
            files = {"problem.yaml": yaml, "data/secret/1.in": "3\n", "data/secret/1.ans": "6\n"}
            files.update(solutions)
            for path, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
                with open(os.path.join(root, path), "w") as f:
                    f.write(text)
            return root

        pad = "import sys\nsys.stdout.write(str(int(input()) * 2) + '\\n' + ' ' * %d + '\\n')\n"
        flood = package("flood", "name: Flood\nlimits:\n  time_limit: 4\n  output: 1\n", {
            "submissions/accepted/double.py": "print(int(input()) * 2)\n",
            "submissions/accepted/half_mib.py": pad % (512 << 10),
            "submissions/output_limit_exceeded/three_mib.py": pad % (3 << 20)})
        default = package("flood8", "name: Flood 8\nlimits:\n  time_limit: 4\n", {
            "submissions/accepted/three_mib.py": pad % (3 << 20),
            "submissions/output_limit_exceeded/twelve_mib.py": pad % (12 << 20)})
        # gcc -O2 needs about 210 MB for this table (Debian 12's gcc 12), 2 s of CPU
        big = ("#include <stdio.h>\nstatic const int a[] = {%s};\n"
               "int main(void) { int n; if (scanf(\"%%d\", &n) != 1) return 1;"
               " printf(\"%%d\\n\", 2 * n + a[n] - a[n]); return 0; }\n"
               % ",".join(str(i * 7 % 1000) for i in range(1500000)))
        squeeze = package("squeeze", "name: Squeeze\nlimits:\n  time_limit: 4\n"
                          "  compilation_memory: 16\n", {"submissions/compile_error/big.c": big})
        roomy = package("roomy", "name: Roomy\nlimits:\n  time_limit: 4\n",
                        {"submissions/accepted/big.c": big})
        out, reports = self.verify_cli(flood, default, squeeze, roomy)
        self.assertEqual(len(reports), 4, out.stdout + out.stderr)
        for rep in reports:
            self.assertTrue(rep["done"] and rep["passed"], rep)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        by = {r["problem"]: {os.path.basename(s["path"]): s for s in r["solutions"]}
              for r in reports}
        self.assertEqual(by["flood"]["three_mib.py"]["actual"], "OLE")
        self.assertEqual(by["flood"]["half_mib.py"]["actual"], "AC")
        self.assertEqual(by["flood8"]["three_mib.py"]["actual"], "AC")
        self.assertEqual(by["flood8"]["twelve_mib.py"]["actual"], "OLE")
        self.assertEqual(by["squeeze"]["big.c"]["actual"], "CE")
        self.assertEqual(by["roomy"]["big.c"]["actual"], "AC")

    def test_3_upload_export_round_trip(self):
        tok = self.login("teacher", role="instructor")
        folder = os.path.join(gavel_test.SRC, "problems", "fizz-count")
        st, body, _ = self.api("POST", "/api/v1/problems/fizz-up/package",
                               raw=zip_folder(folder, "fizz-count/"), token=tok,
                               headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        self.assertEqual(body["format"], "gavel")
        self.assertEqual(body["tests"], 7)
        st, first, hdr = self.api("GET", "/api/v1/problems/fizz-up/package", token=tok)
        self.assertEqual(st, 200, first)
        self.assertTrue(first.startswith(b"PK"))
        # the export imports back to the same problem under another name
        st, body, _ = self.api("POST", "/api/v1/problems/fizz-again/package", raw=first,
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        st, second, _ = self.api("GET", "/api/v1/problems/fizz-again/package", token=tok)
        self.assertEqual(st, 200)
        a, b = archive_files(first), archive_files(second)
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            if name != "problem.json":
                self.assertEqual(a[name], b[name], name)
        pa, pb = json.loads(a["problem.json"]), json.loads(b["problem.json"])
        self.assertEqual(pa.pop("slug"), "fizz-up")
        self.assertEqual(pb.pop("slug"), "fizz-again")
        self.assertEqual(pa, pb)
        self.assertEqual(gavel_test.psql(self.url, "SELECT max_score FROM problems"
                                         " WHERE slug = 'fizz-again'"), "100")
        # replacing keeps the problem and bumps its version
        st, body, _ = self.api("POST", "/api/v1/problems/fizz-again/package", raw=first,
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 200, body)
        # a tar.gz in the Kattis format works too
        st, body, _ = self.api("POST", "/api/v1/problems/pairs-up/package",
                               raw=tgz_folder(os.path.join(KATTIS, "pairs")), token=tok,
                               headers={"Content-Type": "application/gzip"})
        self.assertEqual(st, 201, body)
        self.assertEqual(body["format"], "kattis")
        st, tgz, _ = self.api("GET", "/api/v1/problems/pairs-up/package?format=tar.gz", token=tok)
        self.assertEqual(st, 200)
        with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as t:
            names = t.getnames()
        self.assertIn("pairs-up/checker.cpp", names)
        self.assertIn("pairs-up/solutions/AC/hash.cpp", names)

        # an interactive problem: its interactor compiled by a judge at upload, then exported
        st, body, _ = self.api("POST", "/api/v1/problems/guess-up/package",
                               raw=zip_folder(os.path.join(gavel_test.SRC, "problems", "guess"),
                                              "guess/"),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        st, exported, _ = self.api("GET", "/api/v1/problems/guess-up/package", token=tok)
        self.assertEqual(st, 200)
        files = archive_files(exported)
        self.assertEqual(json.loads(files["problem.json"])["interactor"],
                         {"source": "interactor.cpp", "protocol": "kattis"})
        with open(os.path.join(gavel_test.SRC, "problems", "guess", "interactor.cpp"), "rb") as f:
            self.assertEqual(files["interactor.cpp"], f.read())
        st, body, _ = self.api("GET", "/api/v1/problems/guess-up", token=tok)
        self.assertEqual(body["checker"]["interactor"], {"language": "cpp", "protocol": "kattis"})
        st, body, _ = self.api("POST", "/api/v1/problems/guessk-up/package",
                               raw=tgz_folder(os.path.join(KATTIS, "guessk")), token=tok,
                               headers={"Content-Type": "application/gzip"})
        self.assertEqual(st, 201, body)

        # JSON problem creation carries the interactor in checker.interactor
        with open(os.path.join(gavel_test.SRC, "problems", "guess", "interactor.cpp")) as f:
            isrc = f.read()
        prob = {"slug": "guess-json", "title": "Guess", "checker": {
            "kind": "tokens", "interactor": {"language": "cpp", "source": isrc,
                                             "protocol": "kattis"}},
            "tests": [{"input": "10 4 6\n", "output": "-\n"}]}
        st, body, _ = self.api("POST", "/api/v1/problems", prob, token=tok)
        self.assertEqual(st, 201, body)
        st, body, _ = self.api("GET", "/api/v1/problems/guess-json?include=tests", token=tok)
        self.assertEqual(body["checker"]["interactor"]["source"], isrc)
        st, body, _ = self.api("PATCH", "/api/v1/problems/guess-json",
                               {"checker": {"interactor": {"protocol": "morse"}}}, token=tok)
        self.assertEqual((st, body["error"]["field"]), (400, "checker.interactor.protocol"), body)
        st, body, _ = self.api("PATCH", "/api/v1/problems/guess-json",
                               {"checker": {"interactor": {"source": "int main( {"}}}, token=tok)
        self.assertEqual((st, body["error"]["field"]), (400, "checker.interactor.source"), body)
        st, body, _ = self.api("PATCH", "/api/v1/problems/guess-json",
                               {"checker": {"kind": "exact"}}, token=tok)
        self.assertEqual((st, body["error"]["field"]), (400, "checker.kind"), body)
        st, body, _ = self.api("PATCH", "/api/v1/problems/guess-json",
                               {"checker": {"interactor": None}}, token=tok)
        self.assertEqual(st, 200, body)
        self.assertNotIn("interactor", body["checker"])

    def test_4_verify_endpoints(self):
        tok = self.login("teacher", role="instructor")
        folder = os.path.join(gavel_test.SRC, "problems", "reverse-words")
        st, body, _ = self.api("POST", "/api/v1/problems/rw/package", raw=zip_folder(folder),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        st, body, _ = self.api("POST", "/api/v1/problems/rw/verify", token=tok)
        self.assertEqual(st, 202, body)
        self.assertEqual(len(body["solutions"]), 5)
        vid = body["verification"]
        deadline = time.time() + 180
        while time.time() < deadline:
            st, rep, _ = self.api("GET", "/api/v1/problems/rw/verify?id=%d&wait=20" % vid,
                                  token=tok)
            self.assertEqual(st, 200, rep)
            if rep["done"]:
                break
        self.assertTrue(rep["done"], rep)
        self.assertTrue(rep["passed"], rep)
        for s in rep["solutions"]:
            self.assertEqual(s["actual"], s["expected"], s)
            self.assertIn("time_ms", s)
            self.assertIn("memory_kb", s)
        owner = gavel_test.psql(self.url, "SELECT DISTINCT u.username FROM submissions s JOIN"
                                " users u ON u.id = s.user_id JOIN package_verification_items i"
                                " ON i.submission_id = s.id WHERE i.verification_id = %d" % vid)
        self.assertEqual(owner, "teacher")

    def test_5_refusals(self):
        tok = self.login("teacher", role="instructor")
        folder = os.path.join(gavel_test.SRC, "problems", "a-plus-b")
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=zip_folder(folder),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        version = gavel_test.psql(self.url, "SELECT version FROM problems WHERE slug = 'apb'")
        # malformed problem.json: 400 naming the file and the line; nothing changes
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("problem.json", '{\n  "title": "Broken",\n  "points": 3,,\n}\n')
            z.writestr("tests/1.in", "1 2\n")
            z.writestr("tests/1.out", "3\n")
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=buf.getvalue(),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 400, body)
        self.assertIn("problem.json:3", body["error"]["message"])
        self.assertEqual(body["error"]["field"], "problem.json")
        # zip slip
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("problem.json", '{"title": "Slip"}')
            z.writestr("../../evil.txt", "x")
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=buf.getvalue(),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 400, body)
        self.assertIn("escapes", body["error"]["message"])
        # not an archive
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=b"hello", token=tok,
                               headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 400, body)
        self.assertEqual(gavel_test.psql(self.url, "SELECT version FROM problems"
                                         " WHERE slug = 'apb'"), version)
        self.assertEqual(gavel_test.psql(self.url, "SELECT title FROM problems"
                                         " WHERE slug = 'apb'"), "A + B")
        # students may not upload; another instructor may not replace
        stud = self.login("pupil")
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=zip_folder(folder),
                               token=stud, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 403, body)
        other = self.login("other-teacher", role="instructor")
        st, body, _ = self.api("POST", "/api/v1/problems/apb/package", raw=zip_folder(folder),
                               token=other, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 403, body)
        st, body, _ = self.api("GET", "/api/v1/problems/apb/package", token=other)
        self.assertEqual(st, 403, body)
        st, body, _ = self.api("GET", "/api/v1/problems/nope/package", token=tok)
        self.assertEqual(st, 404, body)


class ImportOwner(gavel_test.GavelCase):
    judge_workers = 0

    def test_import_owner(self):
        """`gavel import --owner` gives the problem to that user even when its content is what
        is stored already; an import without --owner keeps the owner it has."""
        self.login("teacher2", role="instructor")
        folder = os.path.join(gavel_test.SRC, "problems", "fizz-count")

        def owner():
            return gavel_test.psql(self.url, "SELECT coalesce(u.username, '-') FROM problems p"
                                   " LEFT JOIN users u ON u.id = p.owner_id"
                                   " WHERE p.slug = 'fizz-count'")

        self.gavel("import", folder)
        self.assertEqual(owner(), "-")
        self.gavel("import", "--owner", "teacher", folder)
        self.assertEqual(owner(), "teacher")
        version = gavel_test.psql(self.url, "SELECT version FROM problems"
                                  " WHERE slug = 'fizz-count'")
        self.gavel("import", "--owner", "teacher2", folder)
        self.assertEqual(owner(), "teacher2")
        self.gavel("import", folder)
        self.assertEqual(owner(), "teacher2")
        self.assertEqual(gavel_test.psql(self.url, "SELECT version FROM problems"
                                         " WHERE slug = 'fizz-count'"), version)


class VerifyWait(gavel_test.GavelCase):
    """GET .../verify?wait= waits for the judges without holding an HTTP worker: with one
    worker, other requests are answered meanwhile, and the report comes as soon as the last
    solution is judged. No judge runs: results are written the way the judge writes them."""

    judge_workers = 0
    api_env = {"GAVEL_API_THREADS": "1"}

    def test_wait_holds_no_worker(self):
        tok = self.login("teacher", role="instructor")
        folder = os.path.join(gavel_test.SRC, "problems", "reverse-words")
        st, body, _ = self.api("POST", "/api/v1/problems/rw/package", raw=zip_folder(folder),
                               token=tok, headers={"Content-Type": "application/zip"})
        self.assertEqual(st, 201, body)
        st, body, _ = self.api("POST", "/api/v1/problems/rw/verify", token=tok)
        self.assertEqual(st, 202, body)
        items = [(s["submission"], s["expected"]) for s in body["solutions"]]
        st, body, _ = self.api("GET", "/api/v1/problems/rw/verify?wait=1&what=1", token=tok)
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"]["field"], "what")

        result = {}

        def wait(key, seconds):
            t0 = time.time()
            result[key] = self.api("GET", "/api/v1/problems/rw/verify?wait=%d" % seconds,
                                   token=tok) + (time.time() - t0,)

        # nothing judged: the wait runs to its end while the one worker serves others
        waiter = threading.Thread(target=wait, args=("timeout", 4))
        waiter.start()
        time.sleep(0.5)
        t0 = time.time()
        st, _, _ = self.api("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertLess(time.time() - t0, 2, "a waiting report held the only worker")
        waiter.join()
        st, rep, _, took = result["timeout"]
        self.assertEqual(st, 200, rep)
        self.assertFalse(rep["done"], rep)
        self.assertGreaterEqual(took, 3.5)
        # judged one by one: the report comes once the last one is
        waiter = threading.Thread(target=wait, args=("done", 25))
        waiter.start()
        for sid, expected in items:
            time.sleep(0.3)
            gavel_test.psql(self.url, "UPDATE submissions SET status = 'done', verdict = '%s',"
                            " score = 0, max_score = 1, judged_at = now() WHERE id = %d"
                            % (expected, sid))
        waiter.join()
        st, rep, _, took = result["done"]
        self.assertEqual(st, 200, rep)
        self.assertTrue(rep["done"], rep)
        self.assertTrue(rep["passed"], rep)
        self.assertLess(took, 10)


if __name__ == "__main__":
    gavel_test.main()
