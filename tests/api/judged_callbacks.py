"""Callbacks with a real judge: a run and a submission judged by gavel-judge are POSTed to the
receiver, signed, with the body a GET of the resource returns (labels integration, privileged:
the judge's sandbox needs root)."""

import json
import os
import unittest

import gavel_test
from test_api_callbacks import SECRET, CallbackCase, check_signature

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"


@unittest.skipUnless(os.geteuid() == 0, "the judge's sandbox needs root")
class JudgedCallbacks(CallbackCase):
    judge_workers = 1
    api_env = {"GAVEL_CALLBACK_SECRET": SECRET, "GAVEL_CALLBACK_ALLOW": "127.0.0.0/8",
               "GAVEL_RATE_BURST": "100"}

    def test_run_and_submission_judged_then_posted(self):
        self.make_problem("jsum")
        stu = self.login("judgedcb")
        st, body, _ = self.api("POST", "/api/v1/runs", {
            "language": "python3", "source": SUM_PY, "stdin": "20 22\n",
            "callback_url": self.receiver.url("/jrun")}, token=stu)
        self.assertEqual(st, 202, body)
        rid = body["id"]
        st, body, _ = self.submit(stu, "jsum", source=SUM_PY,
                                  callback_url=self.receiver.url("/jsub"))
        self.assertEqual(st, 202, body)
        sid = body["id"]
        for path, res in (("/jrun", "/api/v1/runs/%d" % rid),
                          ("/jsub", "/api/v1/submissions/%d" % sid)):
            (_, headers, raw, _), = self.receiver.wait(path)
            check_signature(self, headers, raw)
            got = self.callback_state(res, stu, "delivered")
            got.pop("callback")
            self.assertEqual(json.loads(raw), got)
        self.assertEqual((got["verdict"], got["score"]), ("AC", 6))


if __name__ == "__main__":
    gavel_test.main()
