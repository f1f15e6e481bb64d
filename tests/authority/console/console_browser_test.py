#!/usr/bin/python3
"""The staff console in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven by python3-selenium) against a real `jejak-authority serve` on
loopback with a temporary state directory.

Checks: sign in, issue a code, read it from the page, verify it through /api/verify with the
device API key, see it claimed, revoke another (then /api/verify refuses it), sign out; and
the refusals: a wrong password, a form without its CSRF token, an issuer opening the users
page, a session past its expiry (aged in the database, never by waiting). A screenshot of
every page goes to the directory given (build/console-screenshots/). Exit 0 pass, 1 fail,
77 skip (only when Chromium or its driver cannot run here). Leaves no process behind.

usage: console_browser_test.py JEJAK_AUTHORITY SCREENSHOT_DIR
"""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:  # python3-selenium missing
    skip(f"python3-selenium is not installed ({e})")


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)
    print(f"ok: {what}")


def run(cmd, stdin=None):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Failed(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def start_browser(tmp):
    chrome = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)
    driver_bin = "/usr/bin/chromedriver"
    if chrome is None or not os.path.exists(driver_bin):
        skip("Chromium or chromedriver is not installed (Debian: chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-extensions", "--window-size=900,1200",
              f"--user-data-dir={tmp}/chrome-profile"):
        opts.add_argument(a)
    try:
        driver = webdriver.Chrome(service=Service(driver_bin, log_output=subprocess.DEVNULL), options=opts)
        # On a loaded machine the page after a click can take a moment: look for elements for
        # up to 15 s instead of failing on the first try.
        driver.implicitly_wait(15)
        return driver
    except Exception as e:  # no display libraries, no kernel support for its sandboxing...
        skip(f"Chromium cannot run here: {str(e).splitlines()[0]}")


class Console:
    def __init__(self, driver, base, shots):
        self.d, self.base, self.shots = driver, base, shots

    def open(self, path):
        self.d.get(self.base + path)

    def shot(self, name):
        path = os.path.join(self.shots, name + ".png")
        self.d.save_screenshot(path)
        print(f"screenshot {path}")

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def fill(self, field_id, value):
        el = self.d.find_element(By.ID, field_id)
        if el.get_attribute("type") == "date":
            # Date inputs take locale-formatted keystrokes; the value is set as a form would.
            self.d.execute_script("arguments[0].value = arguments[1];", el, value)
        else:
            el.clear()
            el.send_keys(value)

    def click_and_wait(self, element):
        # A click returns before the page it posts to has loaded. Mark the old page's window,
        # click, and wait until a window without the mark (the new page) has loaded;
        # otherwise the next step reads the old page, or navigates away and aborts the post
        # (a sign-in then never happens). A mark, not an element reference: how a browser
        # reports an element of a page that is gone differs between versions.
        self.d.execute_script("window.jejakOldPage = true;")
        element.click()

        def new_page_loaded(d):
            try:
                return d.execute_script(
                    "return window.jejakOldPage === undefined && document.readyState === 'complete';")
            except WebDriverException:  # between the two pages
                return False
        WebDriverWait(self.d, 15).until(new_page_loaded)

    def submit(self, form_action):
        self.click_and_wait(self.d.find_element(
            By.CSS_SELECTOR, f"form[action='{form_action}'] button[type=submit]"))

    def sign_in(self, user, password):
        self.open("/console/login")
        self.fill("user", user)
        self.fill("password", password)
        self.submit("/console/login")

    def issue(self, test_date):
        self.open("/console/issue")
        self.d.find_element(By.CSS_SELECTOR, "#type option[value=confirmed]").click()
        self.fill("test_date", test_date)
        self.submit("/console/issue")
        return self.d.find_element(By.ID, "code").text.strip()


def verify(base, api_key, code):
    req = urllib.request.Request(base + "/api/verify", data=json.dumps({"code": code}).encode(),
                                 headers={"Content-Type": "application/json", "X-API-Key": api_key})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def scenario(c, base, api_key, db, today):
    c.open("/console/login")
    check("Sign in" in c.text(), "the login page shows")
    c.shot("01-login")
    c.sign_in("ana", "wrong-password-here")
    check("Wrong user name or password" in c.text(), "a wrong password is refused")
    c.shot("02-login-refused")

    c.sign_in("ana", "ana-password-1234")
    check("Issue a verification code" in c.text(), "the issuer signs in and lands on the issue page")
    c.shot("03-issue-form")
    code = c.issue(today)
    check(re.fullmatch(r"[0-9]{10}", code) is not None, f"a 10-digit code is shown ({len(code)} digits)")
    check(c.d.find_element(By.CSS_SELECTOR, "svg.qr").is_displayed(), "its QR code is shown")
    c.shot("04-code-issued")

    status, reply = verify(base, api_key, code)
    check(status == 200 and "token" in reply, "/api/verify accepts the code read from the page")
    check(verify(base, api_key, code)[0] == 400, "/api/verify refuses it a second time")
    c.open("/console/codes")
    first = c.d.find_element(By.CSS_SELECTOR, "tbody tr")
    check("claimed" in first.text, "the codes page shows it claimed")

    second = c.issue(today)
    c.open("/console/codes")
    c.click_and_wait(c.d.find_element(By.CSS_SELECTOR, "form[action='/console/revoke'] button"))
    check("revoked" in c.text(), "another code is revoked")
    c.shot("05-codes")
    check(verify(base, api_key, second)[0] == 400, "/api/verify refuses the revoked code")

    c.open("/console/issue")
    c.d.execute_script("document.querySelector(\"form[action='/console/issue'] input[name=csrf]\").remove();")
    c.fill("test_date", today)
    c.submit("/console/issue")
    check("missing or wrong form token" in c.text(), "a form without its CSRF token is refused")
    c.shot("06-csrf-refused")

    c.open("/console/users")
    check("This page is for administrators" in c.text(), "an issuer is refused the users page")
    c.shot("07-issuer-on-users")

    c.open("/console/issue")
    c.submit("/console/logout")
    check("Sign in" in c.text(), "sign-out returns to the login page")
    c.open("/console/codes")
    check("Please sign in" in c.text(), "after sign-out the codes page asks to sign in")

    c.sign_in("bo", "bo-password-12345")
    c.open("/console/admin")
    check("Codes issued" in c.text() and "Refused guesses" in c.text(), "the admin sees the figures")
    c.shot("08-admin-figures")
    c.open("/console/users")
    check("ana" in c.text() and "Add a user" in c.text(), "the admin sees the users page")
    c.shot("09-users")
    with sqlite3.connect(db) as conn:  # as if 13 hours had passed: past the absolute expiry
        conn.execute("UPDATE staff_sessions SET created_at = created_at - 46800, "
                     "last_seen = last_seen - 46800")
    c.open("/console/users")
    check("Please sign in" in c.text(), "an expired session is refused")
    c.shot("10-session-expired")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    authority, shots = sys.argv[1], sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="jejak-console-") as tmp:
        state = os.path.join(tmp, "state")
        init = run([authority, "--state-dir", state, "init"])
        api_key = re.search(r"^api_key (\S+)", init, re.M).group(1)
        run([authority, "--state-dir", state, "user", "add", "ana", "--role", "issuer"],
            stdin="ana-password-1234\n")
        run([authority, "--state-dir", state, "user", "add", "bo", "--role", "admin"],
            stdin="bo-password-12345\n")
        listed = run([authority, "--state-dir", state, "user", "list"])
        check("ana issuer active" in listed and "bo admin active" in listed, "user list shows both")

        server = subprocess.Popen([authority, "--state-dir", state, "serve", "--listen", "127.0.0.1:0",
                                   "--threads", "4"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, start_new_session=True)
        driver = None
        try:
            line = server.stdout.readline()
            m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if not m:
                raise Failed(f"serve did not start: {line!r}")
            base = m.group(1)
            driver = start_browser(tmp)
            today = time.strftime("%Y-%m-%d", time.gmtime())
            scenario(Console(driver, base, shots), base, api_key, os.path.join(state, "authority.db"), today)
        except Failed as e:
            print(f"FAIL: {e}")
            return 1
        finally:
            if driver is not None:
                driver.quit()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    print(f"console browser test passed in {time.monotonic() - started:.1f} s; screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
