#!/usr/bin/python3
"""scoreboard_bench.py: the scoreboard page of a large contest, in headless Chromium and under
many viewers. Run by hand, as root (the embedded PostgreSQL runs as its own user), on a Release
build:

    cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j
    tests/bench/scoreboard_bench.py build-rel

It starts a throwaway PostgreSQL (gavel.sh pg-start) and gavel-api on loopback, generates the
contest "bench" of USERS participants, 12 problems and SUBS submissions, ICPC, frozen
(tests/bench/contests_data.sql), then measures:
  1. the first screen: headless Chromium opens /scoreboard/bench RUNS times; the page marks
     "scoreboard-first-screen" once its first 200 rows are drawn, and, scrolled to the bottom
     again and again (the next rows load as they come into view), "scoreboard-all-rows" once
     every row is (both in ms from the start of the navigation);
  2. the leaderboard route's throughput alone: wrk, CONNS connections, DURATION s, on
     GET /contests/bench/leaderboard?limit=50;
  3. the same while VIEWERS scoreboards poll it as the page does on a projector (the first page
     of 200 rows, then every 5 s the top page), and the ratio of 3 to 2. SCROLLED=N of the
     viewers also load every page once (someone scrolling to the end) and then refresh one of
     them in turn with the top page.
Settings (environment): USERS=10000 SUBS=100000 RUNS=5 CONNS=16 DURATION=20 VIEWERS=200
SCROLLED=10.
Needs chromium, chromium-driver, python3-selenium, wrk, psql.
"""

import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
USERS = int(os.environ.get("USERS", "10000"))
SUBS = int(os.environ.get("SUBS", "100000"))
RUNS = int(os.environ.get("RUNS", "5"))
CONNS = int(os.environ.get("CONNS", "16"))
DURATION = int(os.environ.get("DURATION", "20"))
VIEWERS = int(os.environ.get("VIEWERS", "200"))
SCROLLED = int(os.environ.get("SCROLLED", "10"))
PAGE = 200
POLL_S = 5.0


def say(text):
    print("\n== " + text, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_screen(base, runs):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1920,1080"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    firsts, alls, rows = [], [], 0
    try:
        for i in range(runs):
            d.get("about:blank")
            d.get(base + "/scoreboard/bench")
            deadline = time.time() + 120
            marks = {}
            while time.time() < deadline and "scoreboard-all-rows" not in marks:
                marks = d.execute_script(
                    "const m = {}; for (const e of performance.getEntriesByType('mark'))"
                    " m[e.name] = e.startTime; return m;")
                if "scoreboard-first-screen" in marks:  # scroll down: the rest loads as seen
                    d.execute_script("window.scrollTo(0, document.body.scrollHeight)")
                    time.sleep(0.5)  # a reader's pace; scrolling more often only adds layouts
                time.sleep(0.05)
            rows = d.execute_script("return document.querySelectorAll('#rows tr').length")
            firsts.append(marks.get("scoreboard-first-screen"))
            alls.append(marks.get("scoreboard-all-rows"))
            print("run %d: first screen %.0f ms, all %d rows %.0f ms" % (
                i + 1, firsts[-1] or -1, rows, alls[-1] or -1), flush=True)
    finally:
        d.quit()
    return firsts, alls, rows


def wrk(base, seconds):
    out = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % seconds, "--latency",
                          base + "/api/v1/contests/bench/leaderboard?limit=50"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p99


class Viewer(threading.Thread):
    """One scoreboard page's requests: every page once, then the top page and one other in
    turn every POLL_S seconds."""

    def __init__(self, port, stop, lat, scrolls):
        super().__init__(daemon=True)
        self.port, self.stop, self.lat, self.scrolls = port, stop, lat, scrolls
        self.pages = 0

    def get(self, conn, offset):
        t = time.monotonic()
        conn.request("GET", "/api/v1/contests/bench/leaderboard?limit=%d&offset=%d" % (
            PAGE, offset))
        r = conn.getresponse()
        body = r.read()
        self.lat.append(time.monotonic() - t)
        return len(json.loads(body)["rows"])

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        time.sleep(random.random() * POLL_S)
        k = 0
        while not self.stop.is_set():
            n = self.get(conn, k * PAGE)
            k += 1
            if n < PAGE or not self.scrolls:
                break
        self.pages = k
        turn = 1
        while not self.stop.wait(POLL_S):
            self.get(conn, 0)
            if self.pages > 1:
                turn = turn + 1 if turn + 1 < self.pages else 1
                self.get(conn, turn * PAGE)
        conn.close()


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    binp = os.path.join(build, "bin")
    for tool in ("wrk", "psql", "chromium", "chromedriver"):
        if not shutil.which(tool):
            sys.exit("needs " + tool)
    work = tempfile.mkdtemp(prefix="gavel-sbbench-")
    os.chmod(work, 0o755)
    api = None
    try:
        say("PostgreSQL, schema, %d participants, %d submissions" % (USERS, SUBS))
        url = subprocess.run([os.path.join(ROOT, "gavel.sh"), "pg-start", work], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        env = dict(os.environ, GAVEL_DATABASE_URL=url, GAVEL_DATA_DIR=work)
        subprocess.run([os.path.join(binp, "gavel"), "migrate"], env=env, check=True,
                       capture_output=True)
        t = time.time()
        subprocess.run(["psql", url, "-Xq", "-v", "n_users=%d" % USERS, "-v", "n_subs=%d" % SUBS,
                        "-f", os.path.join(ROOT, "tests", "bench", "contests_data.sql")],
                       check=True, capture_output=True)
        print("generated in %.0f s" % (time.time() - t))
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        api = subprocess.Popen([os.path.join(binp, "gavel-api")],
                               env=dict(env, GAVEL_LISTEN="127.0.0.1:%d" % port),
                               stdout=open(os.path.join(work, "api.log"), "wb"),
                               stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)

        say("first screen of /scoreboard/bench in headless Chromium, %d runs" % RUNS)
        firsts, alls, rows = first_screen(base, RUNS)
        firsts = [f for f in firsts if f is not None]
        alls = [a for a in alls if a is not None]

        say("leaderboard route alone: wrk -c%d, %d s" % (CONNS, DURATION))
        wrk(base, 3)  # warm-up
        alone, alone_p99 = wrk(base, DURATION)
        print("%.0f requests/s, p99 %s" % (alone, alone_p99))

        say("the same with %d scoreboards polling it (%d scrolled to the end)" % (
            VIEWERS, SCROLLED))
        stop, lat = threading.Event(), []
        viewers = [Viewer(port, stop, lat, i < SCROLLED) for i in range(VIEWERS)]
        for v in viewers:
            v.start()
        time.sleep(POLL_S * 3)  # every viewer has loaded its pages and is polling
        n0 = len(lat)
        loaded, loaded_p99 = wrk(base, DURATION)
        polls = len(lat) - n0
        stop.set()
        for v in viewers:
            v.join(10)
        lat.sort()
        print("%.0f requests/s, p99 %s; the viewers' %d requests in that time (%.0f/s), their"
              " p50 %.1f ms, p99 %.1f ms" % (
                  loaded, loaded_p99, polls, polls / DURATION,
                  lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000))

        say("summary")
        print("first screen: median %.0f ms, max %.0f ms (%d runs); all %d rows: median %.0f ms"
              % (statistics.median(firsts), max(firsts), len(firsts), rows,
                 statistics.median(alls) if alls else -1))
        print("leaderboard?limit=50: %.0f req/s alone, %.0f req/s with %d viewers: ratio %.2f"
              % (alone, loaded, VIEWERS, loaded / alone))
    finally:
        if api:
            api.terminate()
            api.wait(20)
        subprocess.run([os.path.join(ROOT, "gavel.sh"), "pg-stop", work], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
