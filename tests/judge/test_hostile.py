"""Hostile programs through the whole path (label integration;privileged): compiler bombs end
as CE with a message, runtime attacks end with a verdict, and neither the host, the judge nor
the next submission is harmed."""

import os
import shutil
import time

import judge_util as ju
import gavel_test

AC_C = ('#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);'
        'printf("%ld\\n",a+b);return 0;}')

COMPILE_BOMBS = {
    "dev zero": ("c", '#include "/dev/zero"\nint main(void){return 0;}'),
    "dev random": ("cpp", '#include "/dev/urandom"\nint main(){}'),
    "self include": ("c", '#include __FILE__\nint main(void){return 0;}'),
    "template explosion": ("cpp", "template<int N> struct F { enum { v = F<N-1>::v + F<N-2>::v }; };"
                                  "template<> struct F<0> { enum { v = 0 }; };"
                                  "template<> struct F<1> { enum { v = 1 }; };"
                                  "int main() { return F<100000>::v; }"),
    "error flood": ("cpp", "#define A x x x x x x x x x x\n#define B A A A A A A A A A A\n"
                           "#define C B B B B B B B B B B\n#define D C C C C C C C C C C\n"
                           "#define E D D D D D D D D D D\nE E E E E E E E E E\nint main(){}"),
    "huge object": ("cpp", "int a[100000000] = {1, 2, 3};\nint main() { return a[5]; }"),
}

# What each may be: no verdict is a pass unless it is one of these.
RUNTIME = {
    "fork bomb": ("c", "#include <unistd.h>\nint main(void){for(;;)fork();}", {"TLE", "RE", "MLE"}),
    "sleep forever": ("c", "#include <unistd.h>\nint main(void){for(;;)pause();}", {"TLE"}),
    "output flood": ("c", "#include <stdio.h>\nint main(void){for(;;)puts(\"spam spam spam\");}",
                     {"OLE"}),
    "disk filler": ("python3", "f = open('big', 'wb')\nwhile True:\n    f.write(b'x' * (1 << 20))\n",
                    {"OLE", "RE"}),
    "many files": ("python3", "i = 0\nwhile True:\n    with open('f%d' % i, 'wb') as f:\n"
                              "        f.write(b'x' * (32 << 20))\n    i += 1\n",
                   # The working folder is bounded per file, not in total: on a disk that keeps
                   # up with the writes the program runs out of CPU time first (what it wrote
                   # is removed with its folder, checked below).
                   {"RE", "MLE", "OLE", "TLE"}),
    "kill everything": ("c", "#include <signal.h>\n#include <stdio.h>\nint main(void){"
                             "kill(-1,SIGKILL);puts(\"3\");return 0;}", {"AC", "RE"}),
    "daemon": ("python3", "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
                          "    if os.fork() == 0:\n        time.sleep(1000)\n"
                          "    os._exit(0)\nprint(3)\n", {"AC", "RE"}),
    "network": ("python3", "import socket\ns = socket.create_connection(('1.1.1.1', 80), 2)\n"
                           "print(3)\n", {"RE"}),
    "host files": ("python3", "print(open('/etc/shadow').read())\n", {"RE"}),
    "js fork bomb": ("javascript", "const cp = require('child_process');\n"
                                   "for (;;) cp.spawn(process.execPath, ['-e', 'for(;;){}']);\n",
                     {"TLE", "RE", "MLE"}),
    "js network": ("javascript", "require('net').connect(80, '1.1.1.1').on('error', e => {"
                                 " console.error(e.message); process.exit(1); });\n", {"RE"}),
    "js host files": ("javascript", "console.log(require('fs').readFileSync('/etc/shadow', 'utf8'));\n",
                      {"RE"}),
    "escape box": ("python3", "import os\nos.chdir('/')\nopen('/gavel-escaped', 'w').write('x')\n"
                              "print(3)\n", {"RE"}),
}


class Hostile(ju.JudgeCase):
    workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "sum", [("1 2\n", "3\n")])

    def box_processes(self):
        """Processes run as a box user (uid 60000 and up) under our judges."""
        judges = {p.proc.pid for p in self.procs}
        found = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/status" % d) as f:
                    st = dict(line.split(":", 1) for line in f if ":" in line)
                uid = int(st["Uid"].split()[0])
                pid, ppid = int(d), int(st["PPid"])
                chain = set()
                while ppid > 1 and len(chain) < 50:
                    chain.add(ppid)
                    with open("/proc/%d/status" % ppid) as f:
                        ppid = int([l for l in f if l.startswith("PPid:")][0].split()[1])
                if uid >= 60000 and chain & judges:
                    found.append(pid)
            except (OSError, KeyError, ValueError, IndexError):
                continue
        return found

    def test_compile_bombs_are_ce(self):
        started = time.time()
        rows = self.verdicts(self.pid, {n: (l, s, "CE") for n, (l, s) in COMPILE_BOMBS.items()})
        for name, row in rows.items():
            self.assertTrue(row["compile_output"], name)
            self.assertLessEqual(len(row["compile_output"]), 16384 + 100, name)
        # The assembler, not the driver, hit the output cap: said as such.
        self.assertTrue(rows["huge object"]["compile_output"].startswith(
            "compilation exceeded its output limit\n"), rows["huge object"])
        self.assertLess(time.time() - started, 90)
        self.verdicts(self.pid, {"after": ("c", AC_C, "AC")})

    def test_runtime_attacks_leave_the_host_alone(self):
        free_before = shutil.disk_usage(self.data).free
        ids = {n: ju.submit(self.url, self.pid, l, s) for n, (l, s, _) in RUNTIME.items()}
        rows = ju.wait(self.url, "submissions", ids.values(), timeout=180)
        for name, (_, _, allowed) in RUNTIME.items():
            with self.subTest(name):
                self.assertIn(rows[ids[name]]["verdict"], allowed, rows[ids[name]])
        # A sleeper's time is the wall clock that stopped it, not its few ms of CPU, and its
        # test says so.
        self.assertGreaterEqual(rows[ids["sleep forever"]]["time_ms"], 1000)
        self.assertIn("wall-clock limit", gavel_test.psql(
            self.url, "SELECT checker_message FROM submission_tests"
            " WHERE submission_id = %d" % ids["sleep forever"]))
        self.assertFalse(os.path.exists("/gavel-escaped"))
        # Nothing the programs wrote stayed on the host's disk.
        self.assertGreater(shutil.disk_usage(self.data).free, free_before - (256 << 20))
        with open("/proc/mounts") as f:
            self.assertNotIn(self.data, f.read())  # the judge's folders are its own
        self.assertEqual(self.box_processes(), [])
        self.assertTrue(all(p.alive() for p in self.procs))
        # The next submission is judged normally, by the same judge.
        rows = self.verdicts(self.pid, {"after": ("c", AC_C, "AC")})
        self.assertLess(rows["after"]["memory_kb"], 64 * 1024)


if __name__ == "__main__":
    gavel_test.main()
