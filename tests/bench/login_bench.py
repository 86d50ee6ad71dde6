"""login_bench: a class signing in at once, run by hand (not by ctest), beside the cost of the
password hash alone:

    ./gavel.sh pg-start /tmp/gavel-bench            # a throwaway cluster (prints its URL)
    GAVEL_TEST_PG_DIR=/tmp/gavel-bench GAVEL_BIN_DIR=build/bin \\
        PYTHONPATH=tests/lib:tests/api python3 tests/bench/login_bench.py [N]
    ./gavel.sh pg-stop /tmp/gavel-bench

N students (100 by default) each send POST /api/v1/sessions at the same moment (one thread
and connection each, loopback). Printed: logins/s over the burst, p50/p99 latency, 503s;
beside it, libsodium's crypto_pwhash_str with the same cost (argon2id, opslimit and memlimit
INTERACTIVE) in a loop, on one thread and on as many threads as cores, which is the ceiling
any login path can reach on this machine.
"""

import ctypes
import ctypes.util
import os
import statistics
import sys
import threading
import time
import unittest

import gavel_test
from apitest import ApiCase

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def hash_alone(threads, per_thread):
    sodium = ctypes.CDLL(ctypes.util.find_library("sodium"))
    assert sodium.sodium_init() >= 0
    ops = sodium.crypto_pwhash_opslimit_interactive()
    sodium.crypto_pwhash_memlimit_interactive.restype = ctypes.c_size_t
    mem = sodium.crypto_pwhash_memlimit_interactive()
    pw = b"pass of class000"

    def loop():
        out = ctypes.create_string_buffer(128)
        for _ in range(per_thread):
            assert sodium.crypto_pwhash_str(out, pw, ctypes.c_ulonglong(len(pw)),
                                            ctypes.c_ulonglong(ops), ctypes.c_size_t(mem)) == 0

    ts = [threading.Thread(target=loop) for _ in range(threads)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return threads * per_thread / (time.monotonic() - t0), ops, mem


class LoginBench(ApiCase):
    judge_workers = 0
    api_env = {"GAVEL_PWHASH_WAIT_MS": os.environ.get("GAVEL_PWHASH_WAIT_MS", "10000")}

    def test_bench(self):
        names = ["class%03d" % i for i in range(N)]
        for n in names:  # accounts made one at a time, outside the measure
            st, body, _ = self.api("POST", "/api/v1/users",
                                   {"username": n, "password": "pass of " + n})
            assert st == 201, body
        results = []
        start = threading.Event()

        def one(name):
            start.wait()
            t0 = time.monotonic()
            st, _, _ = self.api("POST", "/api/v1/sessions",
                                {"username": name, "password": "pass of " + name}, timeout=600)
            results.append((st, time.monotonic() - t0))

        ts = [threading.Thread(target=one, args=(n,)) for n in names]
        for t in ts:
            t.start()
        t0 = time.monotonic()
        start.set()
        for t in ts:
            t.join()
        total = time.monotonic() - t0
        ok = [d for st, d in results if st == 201]
        cores = os.cpu_count() or 1
        one_rate, ops, mem = hash_alone(1, 20)
        all_rate, _, _ = hash_alone(cores, 20)
        print("argon2id opslimit %d, memlimit %d MiB" % (ops, mem >> 20))
        print("hash alone:  %.1f hashes/s on 1 thread, %.1f on %d threads" %
              (one_rate, all_rate, cores))
        print("%d logins at once: %.1f logins/s (201s over the burst), p50 %.2f s, p99 %.2f s,"
              " %d x 201, %d x 503, other %d" %
              (N, len(ok) / total, pct(ok, 50) if ok else 0, pct(ok, 99) if ok else 0, len(ok),
               sum(1 for st, _ in results if st == 503),
               sum(1 for st, _ in results if st not in (201, 503))), flush=True)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=0)
