"""The pages in headless Chromium, driven by Selenium, against the real gavel-api, gavel-judge
and PostgreSQL: a student signs in, submits and watches the verdict arrive; an instructor
uploads a package, sees its verification, and creates a contest; the scoreboard shows a new
accepted cell without reloading. No page shows a secret test or another user's source, and
the browser reports no Content-Security-Policy violation. Screenshots are saved in
GAVEL_WEB_SHOTS (the build folder's web-screenshots/).

Every wait is a bounded poll for what the page shows (generous bounds: a slow machine only
takes longer). Without Chromium, its driver or Selenium the test is skipped, except under
CI=true, where it fails."""

import datetime
import io
import os
import shutil
import sys
import tempfile
import unittest
import zipfile

import gavel_test

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from apitest import ApiCase, problem  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

MISSING = [n for n, ok in (("chromium", CHROMIUM), ("chromedriver (chromium-driver)", DRIVER),
                           ("selenium (python3-selenium)", HAVE_SELENIUM)) if not ok]

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SECRET_IN = "123456 654321\n"
SECRET_OUT = "777777\n"
OTHER_SOURCE = "# TEACHER-ONLY-MARKER\nprint(0)\n"
WAIT = 240  # seconds: the bound of every wait for the judge or a page


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def package_zip():
    """A small package in Gavel's format: two tests, an accepted and a wrong solution."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("problem.json", '{"slug": "pkg-sum", "title": "Packaged sum",'
                                   ' "checker": {"kind": "tokens"}}')
        z.writestr("statement.md", "Print $a+b$.\n")
        z.writestr("tests/00-sample.in", "1 2\n")
        z.writestr("tests/00-sample.out", "3\n")
        z.writestr("tests/01.in", "40 2\n")
        z.writestr("tests/01.out", "42\n")
        z.writestr("solutions/AC/sum.py", SUM_PY)
        z.writestr("solutions/WA/zero.py", "print(0)\n")
    return buf.getvalue()


@unittest.skipUnless(os.geteuid() == 0, "the judge's sandbox needs root")
class Browser(ApiCase):
    judge_workers = 1
    api_env = {"GAVEL_RATE_BURST": "100"}

    @classmethod
    def setUpClass(cls):
        if MISSING:
            if os.environ.get("CI") == "true":
                raise AssertionError("missing for the browser tests: " + ", ".join(MISSING))
            raise unittest.SkipTest("missing: " + ", ".join(MISSING) +
                                    " (apt-get install chromium chromium-driver python3-selenium)")
        super().setUpClass()
        cls.shots = os.environ.get("GAVEL_WEB_SHOTS") or tempfile.mkdtemp(prefix="gavel-shots-")
        os.makedirs(cls.shots, exist_ok=True)
        cls.base = "http://127.0.0.1:%d" % cls.port
        teacher = cls.login("teacher")
        body = problem("sum", statement="# Sum\n\nRead $a_1$ and $b_1$, print *their* sum.\n")
        body["tests"][1] = {"input": SECRET_IN, "output": SECRET_OUT, "points": 2,
                            "group": "big"}
        st, got, _ = cls.api("POST", "/api/v1/problems", body, token=teacher)
        assert st == 201, got
        now = datetime.datetime.now(datetime.timezone.utc)
        st, got, _ = cls.api("POST", "/api/v1/contests", {
            "slug": "live", "title": "Live round", "starts_at": iso(now - datetime.timedelta(
                minutes=5)), "ends_at": iso(now + datetime.timedelta(hours=3)),
            "scoring": "icpc", "problems": [{"label": "A", "problem": "sum"}]}, token=teacher)
        assert st == 201, got
        # the teacher's own submission: its source must never reach a student's page
        st, got, _ = cls.api("POST", "/api/v1/submissions", {
            "problem": "sum", "language": "python3", "source": OTHER_SOURCE}, token=teacher)
        assert st == 202, got
        cls.teacher_sub = got["id"]
        cls.login("stu")  # the account
        cls.drivers = []

    @classmethod
    def tearDownClass(cls):
        for d in getattr(cls, "drivers", []):
            try:
                d.quit()
            except Exception:
                pass
        super().tearDownClass()

    def browser(self):
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        d = webdriver.Chrome(service=Service(DRIVER), options=opts)
        d.set_page_load_timeout(60)
        self.drivers.append(d)
        self.addCleanup(self.check_console, d)
        return d

    def check_console(self, d):
        """No CSP violation and no script error in the browser's console."""
        bad = [e["message"] for e in d.get_log("browser")
               if "Content Security Policy" in e["message"] or "Refused to" in e["message"]
               or "Uncaught" in e["message"]]
        self.assertEqual(bad, [], "console reports: %s" % bad)

    def shot(self, d, name):
        d.save_screenshot(os.path.join(self.shots, name + ".png"))

    def wait(self, d, cond, what, timeout=WAIT):
        try:
            return WebDriverWait(d, timeout, poll_frequency=0.2).until(cond)
        except Exception:
            self.shot(d, "failed-" + what.replace(" ", "-"))
            raise AssertionError("the page did not show %s within %ds; it shows:\n%s" % (
                what, timeout, d.find_element(By.TAG_NAME, "body").text[:2000]))

    def sign_in(self, d, username):
        d.get(self.base + "/login")
        d.find_element(By.ID, "username").send_keys(username)
        d.find_element(By.ID, "password").send_keys(gavel_test.PASSWORD)
        d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        self.wait(d, EC.url_contains("/problems"), "the problem list after signing in")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "whoami"), username), "the name")

    def test_1_student_submits_and_watches_the_verdict(self):
        d = self.browser()
        self.sign_in(d, "stu")
        self.wait(d, EC.presence_of_element_located((By.LINK_TEXT, "Sum of sum")),
                  "the problem in the list")
        d.find_element(By.LINK_TEXT, "Sum of sum").click()
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, ".statement h1")),
                  "the rendered statement")
        self.assertEqual(d.find_element(By.CSS_SELECTOR, ".statement .math").text, "$a_1$")
        self.assertEqual(d.find_element(By.CSS_SELECTOR, ".statement em").text, "their")
        page = d.find_element(By.TAG_NAME, "body").text
        self.assertIn("1 2", page)  # the sample
        self.assertNotIn(SECRET_IN.strip(), page)
        self.assertNotIn(SECRET_OUT.strip(), page)
        self.shot(d, "student-problem")
        Select(d.find_element(By.ID, "language")).select_by_value("python3")
        d.find_element(By.ID, "source").send_keys(SUM_PY)
        d.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
        self.wait(d, EC.url_matches(r"/submissions/\d+$"), "the submission's page")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "verdict"), "AC"),
                  "the verdict AC")
        rows = d.find_elements(By.CSS_SELECTOR, "#tests tbody tr")
        self.assertEqual(len(rows), 3)
        self.assertEqual(d.find_element(By.ID, "source").text.strip(), SUM_PY.strip())
        page = d.find_element(By.TAG_NAME, "body").text
        self.assertNotIn(SECRET_OUT.strip(), page)
        self.shot(d, "student-verdict")
        # the problem list marks it solved, in words
        d.get(self.base + "/problems")
        self.wait(d, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "tbody"), "solved"),
                  "the solved mark")
        row = d.find_element(By.XPATH, "//tr[td/a[text()='Sum of sum']]")
        self.assertIn("solved", row.find_element(By.CSS_SELECTOR, ".mark").text)
        # the contests show their phase and count down by the server's clock
        d.get(self.base + "/contests")
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, ".phase-name")),
                  "the contests' phases")
        self.assertIn(d.find_element(By.CSS_SELECTOR, ".phase-name").text.lower(),
                      ("upcoming", "running", "frozen", "ended"))
        self.assertTrue(d.find_element(By.CSS_SELECTOR, ".countdown").text)
        # the list of their submissions shows it, and only theirs
        d.get(self.base + "/submissions")
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "tbody tr")),
                  "the submission list")
        users = {td.text for td in d.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(3)")}
        self.assertEqual(users, {"stu"})
        # another user's submission: refused, and its source nowhere
        d.get(self.base + "/submissions/%d" % self.teacher_sub)
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "main .error")),
                  "the refusal")
        self.assertNotIn("TEACHER-ONLY-MARKER", d.page_source)
        # the playground
        d.get(self.base + "/runs")
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "#language option")),
                  "the languages")
        Select(d.find_element(By.ID, "language")).select_by_value("python3")
        d.find_element(By.ID, "source").send_keys(SUM_PY)
        d.find_element(By.ID, "stdin").send_keys("20 22\n")
        d.find_element(By.CSS_SELECTOR, "#run-form button[type=submit]").click()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "stdout"), "42"), "the output")
        self.shot(d, "student-run")

    def test_2_instructor_uploads_a_package_and_creates_a_contest(self):
        d = self.browser()
        self.sign_in(d, "teacher")
        d.get(self.base + "/staff")
        self.wait(d, EC.presence_of_element_located((By.ID, "package-form")), "the staff page")
        path = os.path.join(self.tmp, "pkg-sum.zip")
        with open(path, "wb") as f:
            f.write(package_zip())
        d.find_element(By.ID, "package-slug").send_keys("pkg-sum")
        d.find_element(By.ID, "package-file").send_keys(path)
        d.find_element(By.CSS_SELECTOR, "#package-form button[type=submit]").click()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "staff-result"), "Uploaded"),
                  "the upload")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "verify-report"), "Passed"),
                  "the verification passed")
        report = d.find_element(By.ID, "verify-report").text
        self.assertIn("solutions/AC/sum.py", report)
        self.assertIn("solutions/WA/zero.py", report)
        d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "staff-result"))
        self.shot(d, "instructor-verify")
        # a contest with the uploaded problem
        d.get(self.base + "/contests/new")
        self.wait(d, EC.presence_of_element_located((By.ID, "contest-form")), "the form")
        d.find_element(By.ID, "slug").send_keys("made-in-browser")
        d.find_element(By.ID, "title").send_keys("Made in a browser")
        for name, value in (("starts_at", "2030-01-10T09:00"), ("ends_at", "2030-01-10T14:00"),
                            ("freeze_at", "2030-01-10T13:00")):
            d.execute_script("arguments[0].value = arguments[1]",
                             d.find_element(By.ID, name), value)
        d.find_element(By.ID, "problems").send_keys("A pkg-sum\nB sum")
        d.find_element(By.CSS_SELECTOR, "#contest-form button[type=submit]").click()
        self.wait(d, EC.url_contains("/contests/made-in-browser"), "the new contest's page")
        self.wait(d, EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Made in a browser"),
                  "its title")
        self.shot(d, "instructor-contest")
        st, c, _ = self.api("GET", "/api/v1/contests/made-in-browser", token=self.login("teacher"))
        self.assertEqual([p["problem"] for p in c["problems"]], ["pkg-sum", "sum"])
        self.assertEqual(c["freeze_at"] is not None, True)
        # staff and participants from the contest's page
        d.find_element(By.ID, "usernames").send_keys("stu")
        d.find_element(By.CSS_SELECTOR, "#participants-form button").click()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "status"), "Participants added"),
                  "participants added")
        st, c, _ = self.api("GET", "/api/v1/contests/made-in-browser", token=self.login("teacher"))
        self.assertEqual(c["participants"], 1)
        # the participant list, and removing one
        d.refresh()
        remove = self.wait(d, EC.element_to_be_clickable(
            (By.CSS_SELECTOR, '#participants tr[data-username="stu"] button')), "stu listed")
        remove.click()
        d.switch_to.alert.accept()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "status"), "stu removed"),
                  "stu removed")
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, '#participants tr[data-username]'), [])
        st, c, _ = self.api("GET", "/api/v1/contests/made-in-browser", token=self.login("teacher"))
        self.assertEqual(c["participants"], 0)

    def test_3_scoreboard_updates_without_reload(self):
        d = self.browser()
        d.get(self.base + "/scoreboard/live")  # no sign-in: a public contest
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "title"), "Live round"),
                  "the contest's title")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "state"), "participant"),
                  "the first load")
        d.execute_script("window.__noReload = 42")
        stu2 = self.login("stu2")
        st, body, _ = self.submit(stu2, "sum", source=SUM_PY, contest="live")
        self.assertEqual(st, 202, body)
        self.wait_submission(body["id"], stu2)
        cell = self.wait(d, EC.presence_of_element_located(
            (By.CSS_SELECTOR, 'tr[data-user="stu2"] td.cell.solved[data-problem="A"]')),
            "stu2's accepted cell")
        self.assertIn("+", cell.text)
        self.assertIn("first", cell.get_attribute("class"))
        self.assertEqual(d.execute_script("return window.__noReload"), 42)
        self.shot(d, "scoreboard")
        # a freeze: a submission after it shows as a pending cell to anonymous viewers
        teacher = self.login("teacher")
        now = datetime.datetime.now(datetime.timezone.utc)
        st, body, _ = self.api("PATCH", "/api/v1/contests/live",
                               {"freeze_at": iso(now - datetime.timedelta(seconds=30))},
                               token=teacher)
        self.assertEqual(st, 200, body)
        stu3 = self.login("stu3")
        st, body, _ = self.submit(stu3, "sum", source=SUM_PY, contest="live")
        self.assertEqual(st, 202, body)
        self.wait_submission(body["id"], stu3)
        self.wait(d, EC.presence_of_element_located(
            (By.CSS_SELECTOR, 'tr[data-user="stu3"] td.cell.pending[data-problem="A"]')),
            "stu3's pending cell in the frozen view")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "state"), "Frozen"),
                  "the frozen state")
        self.assertEqual(d.execute_script("return window.__noReload"), 42)
        self.shot(d, "scoreboard-frozen")
        d.set_window_size(390, 844)  # a phone
        self.shot(d, "scoreboard-phone")

    def test_4_ioi_scoreboard(self):
        teacher = self.login("teacher")
        now = datetime.datetime.now(datetime.timezone.utc)
        st, got, _ = self.api("POST", "/api/v1/contests", {
            "slug": "ioi", "title": "IOI round", "starts_at": iso(now - datetime.timedelta(
                minutes=5)), "ends_at": iso(now + datetime.timedelta(hours=3)),
            "scoring": "ioi", "problems": [{"label": "P1", "problem": "sum", "points": 100}]},
            token=teacher)
        self.assertEqual(st, 201, got)
        stu4 = self.login("stu4")
        # only the first test passes: 1 of 6 points, scaled to 100
        st, body, _ = self.submit(stu4, "sum", source="print(3)", contest="ioi")
        self.assertEqual(st, 202, body)
        self.wait_submission(body["id"], stu4)
        d = self.browser()
        d.get(self.base + "/scoreboard/ioi")
        cell = self.wait(d, EC.presence_of_element_located(
            (By.CSS_SELECTOR, 'tr[data-user="stu4"] td.cell[data-problem="P1"]')),
            "stu4's IOI cell")
        self.assertEqual(cell.text.split("\n")[0], "16.67")
        self.assertEqual([th.text for th in d.find_elements(By.CSS_SELECTOR, "#head th")],
                         ["#", "Name", "Score", "P1"])
        self.shot(d, "scoreboard-ioi")

    def test_5_admin_disables_an_account(self):
        self.login("dora")
        d = self.browser()
        self.sign_in(d, "admin")
        d.get(self.base + "/staff")
        self.wait(d, EC.presence_of_element_located((By.LINK_TEXT, "Accounts")), "the link")
        d.find_element(By.LINK_TEXT, "Accounts").click()
        self.wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "#users tbody tr")),
                  "the accounts")
        d.find_element(By.ID, "users-q").send_keys("dor")
        d.find_element(By.CSS_SELECTOR, "#users-search button[type=submit]").click()
        button = self.wait(d, EC.element_to_be_clickable(
            (By.CSS_SELECTOR, '#users tr[data-username="dora"] button')), "dora's row")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#users tbody tr")), 1)
        button.click()
        d.switch_to.alert.accept()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "status"), "dora disabled"),
                  "dora disabled")
        self.shot(d, "admin-accounts")
        st, _, _ = self.api("POST", "/api/v1/sessions",
                            {"username": "dora", "password": gavel_test.PASSWORD})
        self.assertEqual(st, 403)
        d.find_element(By.CSS_SELECTOR, '#users tr[data-username="dora"] button').click()
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "status"), "dora enabled"),
                  "dora enabled")

    def test_6_progress_live_and_rejudge(self):
        stu = self.login("stu6")
        # Each test sleeps: the judging takes seconds, whatever the machine.
        slow = "import time\ntime.sleep(1.5)\n" + SUM_PY
        st, body, _ = self.submit(stu, "sum", source=slow)
        self.assertEqual(st, 202, body)
        d = self.browser()
        self.sign_in(d, "stu6")
        d.get(self.base + "/submissions/%d" % body["id"])
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "progress"), "of 3"),
                  "the judging progress")
        self.shot(d, "submission-progress")
        self.wait(d, EC.text_to_be_present_in_element((By.ID, "verdict"), "AC"), "the verdict")
        self.assertEqual(d.find_elements(By.ID, "rejudge"), [])  # not for students
        # Staff rejudge it from its page, which follows the new judging.
        t = self.browser()
        self.sign_in(t, "teacher")
        t.get(self.base + "/submissions/%d" % body["id"])
        self.wait(t, EC.element_to_be_clickable((By.ID, "rejudge")), "the rejudge button").click()
        self.wait(t, EC.text_to_be_present_in_element((By.ID, "status"), "Queued again"),
                  "queued again")
        self.wait_submission(body["id"], stu)
        self.wait(t, EC.text_to_be_present_in_element((By.ID, "verdict"), "AC"), "the verdict")


if __name__ == "__main__":
    if MISSING and os.environ.get("CI") != "true" and os.environ.get("GAVEL_TEST_PG_DIR"):
        print("skipped: missing " + ", ".join(MISSING))
        sys.exit(77)
    gavel_test.main()
