"""Submissions and runs of several files: what POST takes and refuses (every hostile name and
count a 400 naming the field), what it stores, and who reads the files back. The judge is not
involved (tests/judge/test_multifile.py judges such submissions)."""

import json

import gavel_test

from apitest import ApiCase

FILES = [{"name": "main.py", "content": "from lib.util import f\nprint(f())\n"},
         {"name": "lib/__init__.py", "content": ""},
         {"name": "lib/util.py", "content": "def f():\n    return 3\n"}]


class Files(ApiCase):
    api_env = {"GAVEL_RATE_BURST": "1000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from apitest import problem
        st, body, _ = cls.api("POST", "/api/v1/problems", problem("sum"),
                              token=cls.login("teacher"))
        assert st == 201, body

    def post(self, token, files, route="submissions", **extra):
        body = {"language": "python3", "files": files}
        if route == "submissions":
            body["problem"] = "sum"
        body.update(extra)
        return self.api("POST", "/api/v1/" + route, body, token=token)

    def test_submit_and_read_back(self):
        stu = self.login("stu")
        st, body, _ = self.post(stu, FILES)
        self.assertEqual(st, 202, body)
        sid = body["id"]
        stored = json.loads(self.sql("SELECT files::text FROM submissions WHERE id = %d" % sid))
        self.assertEqual(stored, FILES)
        self.assertEqual(self.sql("SELECT source FROM submissions WHERE id = %d" % sid), "")
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=stu)
        self.assertEqual(st, 200, s)
        self.assertEqual((s["files"], s["source"]), (FILES, None))
        # Staff of the problem read them as they read a source; other students read nothing.
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % sid, token=self.login("teacher"))
        self.assertEqual((st, s.get("files")), (200, FILES))
        self.assertError(self.api("GET", "/api/v1/submissions/%d" % sid,
                                  token=self.login("eve")), 404)
        # A one-file submission is as before: source, no files.
        st, body, _ = self.submit(stu, "sum", source="print(3)")
        st, s, _ = self.api("GET", "/api/v1/submissions/%d" % body["id"], token=stu)
        self.assertEqual((s["source"], "files" in s), ("print(3)", False))

    def test_runs(self):
        stu = self.login("stu")
        st, body, _ = self.post(stu, FILES, route="runs", stdin="x")
        self.assertEqual(st, 202, body)
        st, r, _ = self.api("GET", "/api/v1/runs/%d" % body["id"], token=stu)
        self.assertEqual((st, r["files"]), (200, FILES))
        self.assertError(self.api("GET", "/api/v1/runs/%d" % body["id"],
                                  token=self.login("eve")), 404)
        self.assertError(self.post(stu, [{"name": "../x.py", "content": ""}], route="runs"),
                         400, "files[0].name")
        self.assertError(self.post(stu, FILES, route="runs", source="print(1)"), 400, "files")

    def test_hostile_names(self):
        stu = self.login("stu")
        ok = {"name": "main.py", "content": "print(1)\n"}
        for name in ("..", "../main.py", "lib/../../etc/passwd", "a/./b.py", "/etc/passwd",
                     "/main.py", "", "a//b.py", "lib/", ".hidden.py", "lib/.x.py",
                     "a\x00b.py", "a\nb.py", "a\tb.py", "a\\b.py", "a b.py", "C:main.py",
                     "x" * 129, "é.py"):
            with self.subTest(name=name):
                self.assertError(self.post(stu, [ok, {"name": name, "content": ""}]), 400,
                                 "files[1].name")
        # 128 bytes is the longest name.
        self.assertEqual(self.post(stu, [ok, {"name": "x" * 125 + ".py", "content": ""}])[0],
                         202)
        # Duplicates, also differing in case only, and a name that is a file and a folder.
        self.assertError(self.post(stu, [ok, {"name": "lib.py", "content": ""},
                                         {"name": "main.py", "content": ""}]),
                         400, "files[2].name")
        self.assertError(self.post(stu, [ok, {"name": "Main.PY", "content": ""}]), 400,
                         "files[1].name")
        self.assertError(self.post(stu, [ok, {"name": "lib", "content": ""},
                                         {"name": "lib/a.py", "content": ""}]),
                         400, "files[2].name")

    def test_counts_and_shapes(self):
        stu = self.login("stu")
        many = [{"name": "f%d.py" % i, "content": ""} for i in range(33)]
        self.assertError(self.post(stu, many), 400, "files")
        self.assertEqual(self.post(stu, many[:32])[0], 202)
        self.assertError(self.post(stu, []), 400, "files")
        self.assertError(self.post(stu, "main.py"), 400, "files")
        self.assertError(self.post(stu, ["main.py"]), 400, "files[0]")
        self.assertError(self.post(stu, [{"name": "main.py"}]), 400, "files[0].content")
        self.assertError(self.post(stu, [{"content": "x"}]), 400, "files[0].name")
        self.assertError(self.post(stu, [{"name": "a.py", "content": 5}]), 400,
                         "files[0].content")
        self.assertError(self.post(stu, [{"name": "a.py", "content": "", "mode": 7}]), 400,
                         "files[0].mode")
        self.assertError(self.post(stu, [{"name": "a.py", "content": "a\x00b"}]), 400,
                         "files[0].content")
        # Both source and files, or neither.
        self.assertError(self.post(stu, FILES, source="print(1)"), 400, "files")
        self.assertError(self.api("POST", "/api/v1/submissions",
                                  {"problem": "sum", "language": "python3"}, token=stu),
                         400, "source")
        # The cap on a source holds for all the files together.
        half = 32 * 1024
        self.assertEqual(self.post(stu, [{"name": "a.py", "content": "#" * half},
                                         {"name": "b.py", "content": "#" * half}])[0], 202)
        self.assertError(self.post(stu, [{"name": "a.py", "content": "#" * half},
                                         {"name": "b.py", "content": "#" * (half + 1)}]),
                         413, "files")
        # Nothing was stored for a refused request.
        self.assertEqual(self.sql("SELECT count(*) FROM submissions WHERE files IS NOT NULL"
                                  " AND jsonb_array_length(files) > 32"), "0")


if __name__ == "__main__":
    gavel_test.main()
