"""Nothing carries from one submission to the next (label integration;privileged): on one
worker, so that every program runs in the box and folders the one before used, a submission
plants what it can (a folder tree far deeper than a recursive removal takes, files, FIFOs and
setuid bits in its folder and in /tmp, hundreds of MiB of tmpfs, System V objects), and the
next user's submission looks for it, finds nothing, and has the whole memory limit."""

import judge_util as ju
import gavel_test

# Plants in its working folder and /tmp; prints nothing the answer wants.
PLANT_TREE = r'''#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void){
  int fd = open("/tmp/planted-secret", O_WRONLY|O_CREAT, 0644);
  if (fd >= 0) { write(fd, "secret", 6); fchmod(fd, 04755); close(fd); }
  mkfifo("/tmp/planted-fifo", 0666);
  fd = open("planted-here", O_WRONLY|O_CREAT, 0644);
  if (fd >= 0) { write(fd, "secret", 6); fchmod(fd, 06755); close(fd); }
  mkfifo("planted-fifo", 0666);
  mkdir("planted-closed", 0700);
  for (long i = 0; i < 60000; i++)
    if (mkdir("d", 0700) < 0 || chdir("d") < 0) break;
  chmod(".", 0);
  puts("planted");
  return 0;
}
'''

PLANT_MEMORY = r'''import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for kind in ("shmget", "msgget", "semget"):
    try:
        getattr(libc, kind)(0x6761, 1 << 20 if kind == "shmget" else 1, 0o1666)
    except Exception:
        pass
chunk = b"x" * (1 << 20)
for path in ("/tmp/planted-big", "planted-big"):
    try:
        with open(path, "wb") as f:
            for _ in range(100):
                f.write(chunk)
    except OSError:
        pass
print("planted")
'''

LOOK = r'''import os
found = []
for d in ("/tmp", ".", "/dev/shm"):
    if os.path.isdir(d):
        found += [os.path.join(d, n) for n in os.listdir(d) if n.startswith(("planted", "d"))]
for kind in ("shm", "msg", "sem"):
    try:
        with open("/proc/sysvipc/" + kind) as f:
            found += ["sysvipc " + kind + ": " + l.strip() for l in f.readlines()[1:]]
    except OSError:
        pass
print("clean" if not found else found)
'''

# Holds 200 MiB under the problem's 256 MiB: the whole limit is there for it.
HOLD = r'''#include <stdio.h>
#include <stdlib.h>
int main(void){
  size_t n = (size_t)200 << 20;
  volatile char *p = malloc(n);
  if (!p) return 3;
  for (size_t i = 0; i < n; i += 1024) p[i] = 7;
  puts(p[n / 2] == 7 ? "clean" : "dirty");
  return 0;
}
'''


class Carryover(ju.JudgeCase):
    workers = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "look", [("", "clean\n")], memory_mb=256,
                             time_limits={"c": 5000, "python3": 10000})
        cls.planter = ju.user(cls.url, "planter")
        cls.looker = ju.user(cls.url, "looker")

    def judge(self, lang, source, uid):
        sid = ju.submit(self.url, self.pid, lang, source, uid)
        return ju.wait(self.url, "submissions", [sid], 180)[sid]

    def plant(self, lang, source):
        row = self.judge(lang, source, self.planter)
        # Whatever the planter gets, it is its own verdict: never a fault of the judge.
        self.assertIn(row["verdict"], ("WA", "RE", "MLE", "OLE", "TLE"), row)

    def look(self):
        row = self.judge("python3", LOOK, self.looker)
        self.assertEqual(row["verdict"], "AC", row)

    def test_deep_tree_files_fifos_setuid(self):
        self.plant("c", PLANT_TREE)
        self.look()
        # And again: the renewed folder and box keep working.
        self.plant("c", PLANT_TREE)
        self.plant("c", PLANT_TREE)
        self.look()

    def test_memory_and_ipc(self):
        self.plant("python3", PLANT_MEMORY)
        row = self.judge("c", HOLD, self.looker)
        self.assertEqual(row["verdict"], "AC", row)
        self.assertGreaterEqual(row["memory_kb"], 200 << 10, row)
        self.assertLess(row["memory_kb"], 232 << 10, row)
        self.plant("python3", PLANT_MEMORY)
        self.look()


if __name__ == "__main__":
    gavel_test.main()
