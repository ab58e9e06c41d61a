"""`portalwatch web` in a real browser: Debian's Chromium driven by Selenium (chromedriver from
the same package; nothing is downloaded), against the real `portalwatch web` and `portalwatch
run` processes over a real crawl of the simulator. One browser for the module; screenshots at
390 px (a phone) and 1280 px are written to build/screenshots/ (PORTALWATCH_SCREENSHOTS elsewhere)
for a person to look at.

Without Chromium these tests fail in CI (CI set) and are skipped elsewhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_portal
from tests.service.conftest import set_service_settings, wait_for
from tests.web.conftest import LEFT_OUT, PASSWORD, drop_site

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("PORTALWATCH_SCREENSHOTS") or ROOT / "build" / "screenshots")
WIDTHS = ((390, 844, True), (1280, 800, False))  # a phone (mobile viewport), a desktop
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--lang=vi")


def _no_browser() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(Path(path).name)):
            return f"{path} is missing: apt-get install -y chromium chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is missing: pip install -e '.[test]'"
    return None


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Browser:
    """One Chromium, the site's base URL, and screenshots at both widths."""

    def __init__(self, driver, url: str, shots: Path):
        self.d, self.url, self.shots = driver, url, shots

    def go(self, path: str) -> None:
        self.d.get(self.url + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, css)

    def wait(self, css: str, timeout: float = 60):
        """The element, once the page that has it is loaded."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def submit(self, css: str, wait_for_css: str, timeout: float = 120):
        """Click a button and wait for the next page (the old one's element must go stale)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.find("main")
        self.find(css).click()

        def gone(_driver) -> bool:
            try:
                old.is_enabled()
            except WebDriverException:  # stale, or Chrome's "Node … does not belong to the document"
                return True  # (asked mid-navigation): either way the old page is gone
            return False

        WebDriverWait(self.d, timeout).until(gone)
        return self.wait(wait_for_css, timeout)

    def type(self, css: str, text: str) -> None:
        el = self.find(css)
        el.clear()
        el.send_keys(text)

    def shot(self, name: str) -> None:
        """The whole page at 390 px (a phone: mobile viewport) and at 1280 px."""
        for width, height, mobile in WIDTHS:
            self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
            full = self.d.execute_script("return Math.ceil(document.documentElement.getBoundingClientRect().height)")
            self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": min(max(full, height), 6000), "deviceScaleFactor": 1,
                                    "mobile": mobile})
            overflow = self.d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} at {width} px: the page is {overflow} px wider than the screen"
            path = self.shots / f"{name}-{width}.png"
            self.d.save_screenshot(str(path))
            assert path.stat().st_size > 5000, path
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A crawled simulator (two crawls six simulated hours apart), users, a real `portalwatch run`
    and a real `portalwatch web --port 0`, and one Chromium."""
    problem = _no_browser()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests cannot run: {problem}")
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from monitor.web.users import add_user

    tmp = tmp_path_factory.mktemp("browser")
    p = make_portal(tmp)
    mp = pytest.MonkeyPatch()
    procs: list[subprocess.Popen] = []
    driver = None
    try:
        p.config.write_text(drop_site(p.config.read_text(encoding="utf-8"), LEFT_OUT), encoding="utf-8")
        set_service_settings(p, schedule="every 1h", jitter=0, housekeeping="off", backup="off", delivery_retry="off")
        mp.setenv("PORTALWATCH_NOW", p.sim.clock()["now_utc"])
        p.crawl()
        p.sim.advance(hours=6)
        mp.setenv("PORTALWATCH_NOW", p.sim.clock()["now_utc"])  # the crawls, the service and the web agree
        p.crawl()
        add_user(p.db_path, "hm", "office", PASSWORD, ["hoang-mai"], p.load_config())
        add_user(p.db_path, "ops", "operator", PASSWORD)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        base = [sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path)]
        svc_log = open(tmp / "service.log", "w")  # noqa: SIM115
        procs.append(subprocess.Popen([*base, "run"], stdout=svc_log, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True))
        web = subprocess.Popen([*base, "web", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, text=True, start_new_session=True)
        procs.append(web)
        line = web.stdout.readline() if web.stdout else ""
        m = re.search(r"portalwatch web: (http://127\.0\.0\.1:\d+)", line)
        assert m, f"`portalwatch web` did not say where it listens: {line!r}"
        from monitor.service.jobstore import jobstore_path, read_pid

        store = jobstore_path(p.load_config(), p.db_path)
        wait_for(lambda: read_pid(store) == procs[0].pid, 60, "the service to start")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for a in (*ARGS, f"--user-data-dir={tempfile.mkdtemp(prefix='pw-chromium-', dir=tmp)}"):
            options.add_argument(a)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(120)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):  # only this run's pictures
            old.unlink()
        b = Browser(driver, m.group(1), SHOTS)
        b.portal, b.service, b.store = p, procs[0], store
        yield b
    finally:
        if driver is not None:
            driver.quit()
        for proc in procs:
            _stop(proc)
        p.server.stop()
        mp.undo()


def _login(b: Browser, name: str) -> None:
    b.go("/")
    b.wait("#login-form")
    b.type("input[name=name]", name)
    b.type("input[name=password]", PASSWORD)
    b.submit("#login-form button", "#unit-name" if name == "hm" else "main h1")


def _logout(b: Browser) -> None:
    b.submit("#logout", "#login-form")
    assert "Đã đăng xuất" in b.find("#flash").text


def test_an_office_sees_its_districts_week_and_an_articles_history(world):
    b = world
    b.go("/ops")  # not logged in: to the login page, then back
    b.wait("#login-form")
    b.shot("login")
    _login(b, "hm")
    assert b.d.current_url.endswith("/u/hoang-mai")
    assert b.find("#unit-name").text == "Quận Hoàng Mai"
    b.find("#w-week").click()
    b.wait("#w-week.on")
    wards = [r.get_attribute("data-site") for r in b.all("#wards tbody tr")]
    assert wards == ["hoang-mai", "vinh-hung", "hoang-liet", "tuong-mai", "dinh-cong"]
    gained = b.find("#totals div:nth-child(2) strong").text
    assert gained.startswith("+") and gained != "+0"  # views grew between the two crawls
    assert len(b.all("#newest li")) == 20 and b.all("#newest img.spark")
    b.shot("office-week")
    counted = [li for li in b.all("#newest li") if li.find_elements("css selector", ".views")]
    assert counted, "no newest post shows a view count"
    first = counted[0].find_element("css selector", "a.title")  # a post with readings
    title = first.text
    first.click()
    b.wait("#article-title")
    assert b.find("#article-title").text == title
    readings = b.all("#readings tbody tr")
    assert len(readings) >= 1 and re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", readings[0].find_element("css selector", "td").text)
    assert b.find("#views-now").text
    b.shot("article")
    b.go("/ops")
    assert b.find("#error-text").text == "Bạn không có quyền xem trang này."
    b.go("/admin/users")
    assert b.find("#error-text").text == "Bạn không có quyền xem trang này."
    b.go("/search?q=hoi+nghi")
    assert b.all("#hits li") and b.all("#hits mark")
    b.shot("search")
    b.go("/u/hoang-mai?w=week")
    _logout(b)


def test_an_operator_adds_a_site_checks_it_and_fixes_a_selector(world):
    b, p = world, world.portal
    _login(b, "ops")
    b.go("/ops")
    assert len(b.all("#sites tbody tr")) == 11
    assert "Dịch vụ đang chạy" in b.find("#service").text
    b.shot("ops-sites")

    # add a site from its URL: the preview first, then save; the service reloads
    b.find("#add-site").click()
    b.wait("#add-form")
    b.type("input[name=url]", p.url + p.sim.sites[LEFT_OUT].home_path())
    b.submit("#preview", "#proposal")
    assert b.find("#platform").text == "tandan"
    assert len(b.all("#preview-table tbody tr")) == 5
    assert f'id = "{LEFT_OUT}"' in b.find("#entry").text
    b.shot("ops-add-preview")
    b.submit("#save-site", "#site-name")
    flash = b.find("#flash").text
    assert f"đã thêm {LEFT_OUT}" in flash and f"dịch vụ (pid {b.service.pid}) đã nạp lại cấu hình" in flash
    assert p.load_config().site(LEFT_OUT).profile == "tandan"

    # check now: the sites check report
    b.submit("#check-now", "#fields", timeout=180)
    assert b.find("#check-ok").text.startswith("OK")
    assert b.find('#fields tr[data-field="title"] td:nth-child(2)').text
    b.shot("ops-check")

    # a selector with a mistake: the loading error, one line, and the file untouched
    b.go(f"/ops/site/{LEFT_OUT}")
    before = p.config.read_text(encoding="utf-8")
    b.type("input[name=sel_title]", "h1.title[")
    b.submit("#save", "#edit-error")
    error = b.find("#edit-error").text
    assert error.startswith(f"{p.config}: site '{LEFT_OUT}': selector 'title': invalid CSS selector 'h1.title['")
    assert "\n" not in error
    assert p.config.read_text(encoding="utf-8") == before
    b.shot("ops-edit-error")

    # fixed: written, and the running service reloads (a new schedule is a new crawl job)
    b.type("input[name=sel_title]", "h1.title")
    b.type("input[name=schedule]", "every 2h")
    b.submit("#save", "#flash")
    flash = b.find("#flash").text
    assert f"dịch vụ (pid {b.service.pid}) đã nạp lại cấu hình" in flash and "crawl:every 2h" in flash
    site = next(s for s in tomllib.loads(p.config.read_text(encoding="utf-8"))["site"] if s["id"] == LEFT_OUT)
    assert site["selectors"] == {"title": "h1.title"} and site["schedule"] == "every 2h"
    from monitor.service.control import last_reload

    assert last_reload(b.store)["outcome"] == "ok"
    b.shot("ops-edit-saved")
    b.go("/lang/en?next=/ops")
    b.wait("#sites")
    assert b.find("main h1").text == "Operations: the watched sites"
    b.shot("ops-sites-en")
    b.go("/lang/vi?next=/ops")
    _logout(b)
    b.go("/ops")
    b.wait("#login-form")

