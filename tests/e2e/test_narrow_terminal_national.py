"""Every table of the operators' commands fits 80 columns with the national-length ids that
`sites discover` and `sites import` suggest: real CLI processes at COLUMNS=80 over a real crawl of
the simulator, a real service (its jobs, a reload, its crawls) and real failed deliveries. No line
is wider than 80, no cell is cut with "…", every id and every header is whole."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from tests.conftest import make_portal
from tests.service.conftest import wait_for

pytestmark = pytest.mark.slow

LONG = {  # simulator id -> the id a national sheet gives it
    "hoang-mai": "quan-hoang-mai-thanh-pho-ha-noi",
    "vinh-hung": "phuong-vinh-hung-quan-hoang-mai-thanh-pho-ha-noi",
    "hoang-liet": "phuong-hoang-liet-quan-hoang-mai-thanh-pho-ha-noi",
    "xa-hoang-dong": "xa-hoang-dong-huyen-hoang-hoa-tinh-thanh-hoa",
    "ea-kao": "xa-ea-kao-thanh-pho-buon-ma-thuot-tinh-dak-lak",
    "xa-thach-kim": "xa-phuoc-vinh-an-huyen-cu-chi-tp-ho-chi-minh",
}
RECIPIENT = "ubnd-quan-hoang-mai-thanh-pho-ha-noi-van-phong"
IDS = [*LONG.values(), RECIPIENT]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def national(tmp_path):
    """The simulator's sites under national ids; one recipient whose webhook cannot be reached."""
    p = make_portal(tmp_path, recipients=False)
    text = p.config.read_text(encoding="utf-8")
    for short, long in LONG.items():
        text = text.replace(f'"{short}"', f'"{long}"')
    text = text.replace("retries = 2\n", 'retries = 0\nschedule = "every 2s"\njitter = 0\nhousekeeping = "off"\n'
                                         'backup = "off"\ndelivery_retry = "off"\n')
    text += f"""
[[recipient]]
id = "{RECIPIENT}"
name = "Văn phòng UBND quận Hoàng Mai"
parents = ["{LONG['hoang-mai']}"]
channels = [{{ type = "webhook", url = "http://127.0.0.1:{closed_port()}/hooks/portalwatch/digest", secret_env = "PW_SECRET" }}]
"""
    p.config.write_text(text, encoding="utf-8")
    yield p
    p.server.stop()


def cli(p, *args, expect=0):
    env = {**os.environ, "COLUMNS": "80", "PW_SECRET": "s3cret"}
    env.pop("PORTALWATCH_NOW", None)
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), *args],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == expect, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def fits(out: str, ids=IDS, headers=()) -> str:
    """The checks every command's output must pass; `out` with runs of whitespace folded."""
    assert out.strip(), "no output"
    assert not [line for line in out.splitlines() if len(line) > 80], out
    assert "…" not in out, out
    rest = out
    for i in sorted(ids, key=len, reverse=True):  # whole ids out; what is left holds no piece of one
        rest = re.sub(rf"(?<![\w-]){re.escape(i)}(?![\w-])", " ", rest)
    for i in ids:
        assert i[:14] not in rest and i[-14:] not in rest, f"{i} is cut:\n{out}"
    for h in headers:
        assert re.search(rf"(?<![\w-]){re.escape(h)}(?![\w-])", out), f"header {h!r} is not whole:\n{out}"
    return " ".join(out.split())


def whole(out: str) -> set[str]:
    return {i for i in IDS if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", out)}


def test_every_table_fits_80_columns_with_national_ids(national):
    p = national
    sites = list(LONG.values())
    p.sim.set_faults(site="xa-thach-kim", down=True)  # one site fails: a problem with a long id
    p.sim.set_faults(site="ea-kao", hide_views=True)  # one prints no view counts: a share column filled
    crawled = cli(p, "crawl", expect=1)
    fits(crawled, headers=("site", "outcome", "pages", "seen", "new", "updated", "views changed", "errors"))
    assert set(sites) <= whole(crawled)

    listing = cli(p, "sites", "list")
    fits(listing)
    assert set(sites) <= whole(listing)

    health = cli(p, "sites", "health")
    fits(health, headers=("status", "last success", "fails", "seen", "no date", "no views", "sample"))
    assert set(sites) <= whole(health) and "100% / —" in health  # ea-kao's counts hidden
    problems = cli(p, "sites", "health", "--problems")
    folded = fits(problems, headers=("status", "fails"))
    assert LONG["xa-thach-kim"] in whole(problems) and "failing" in folded

    sent = cli(p, "digest", "--force", expect=1)  # the webhook is down: not delivered, exit 1
    fits(sent, headers=("recipient", "channel", "status", "attempts", "detail"))
    assert RECIPIENT in whole(sent) and "failed" in sent
    deliveries = cli(p, "deliveries")
    folded = fits(deliveries, headers=("recipient", "channel", "window", "status", "attempts", "last error"))
    assert RECIPIENT in whole(deliveries)
    channel = json.loads(cli(p, "deliveries", "--json"))[0]
    assert channel["channel"] in folded and " ".join(channel["last_error"].split()) in folded

    wide = cli(p, "query", "SELECT * FROM articles ORDER BY id LIMIT 2")
    fits(wide, ids=(), headers=("site_id", "views_observed_at", "published_text"))  # (URLs hold "…-quan-hoang-mai-…")
    assert LONG["hoang-mai"] in whole(wide)
    assert "-[ 1 ]" in wide and "-[ 2 ]" in wide  # one record per row: the table would not fit
    urls = cli(p, "query", "SELECT id, site_id, url, title, views FROM articles ORDER BY id LIMIT 2")
    fits(urls, ids=(), headers=("site_id", "url", "title", "views"))  # (the URLs hold "…-quan-hoang-mai-…")
    assert "-[ 1 ]" in urls and LONG["hoang-mai"] in whole(urls)  # a URL is one word: folded into a column it would be unreadable
    titles = cli(p, "query", "SELECT id, site_id, title, views FROM articles ORDER BY id LIMIT 2")
    fits(titles, ids=list(LONG.values()), headers=("site_id", "title", "views"))
    assert "-[ 1 ]" not in titles and LONG["hoang-mai"] in whole(titles)  # titles wrap between words
    assert all(line.rstrip().endswith(("┓", "┃", "┩", "│", "┘")) for line in titles.rstrip().splitlines()[:-1]), titles
    narrow = cli(p, "query", "SELECT id, site_id FROM articles ORDER BY id LIMIT 2")
    assert "-[ 1 ]" not in narrow and "site_id" in narrow
    assert "-[ 1 ]" in cli(p, "query", "--vertical", "SELECT id, site_id FROM articles ORDER BY id LIMIT 2")


def test_status_fits_80_columns_and_says_schedules_and_runs_in_words(national):
    p = national
    env = {**os.environ, "PW_SECRET": "s3cret"}
    env.pop("PORTALWATCH_NOW", None)
    log = open(p.config.parent / "service.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), "run"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        def runs():
            return {r["job"]: r for r in json.loads(cli(p, "status", "--json"))["last_runs"]}

        wait_for(lambda: "crawl finished in" in (p.config.parent / "service.log").read_text(), 180,
                 "a crawl by the service")  # (status shows the next crawl running by now: every 2 s)
        text = p.config.read_text(encoding="utf-8").replace('schedule = "every 2s"', 'schedule = "0 4 * * *"')
        p.config.write_text(text.replace("[[recipient]]", '[[recipient]]\nsend_at = "06:45"'), encoding="utf-8")
        cli(p, "reload")
        wait_for(lambda: "crawl:0 4 * * *" in {j["id"] for j in json.loads(cli(p, "status", "--json"))["jobs"]},
                 60, "the reloaded jobs")
        wait_for(lambda: runs()["crawl"]["outcome"] != "running", 120, "the last crawl of the old schedule to end")
        out = cli(p, "status")
        data = json.loads(cli(p, "status", "--json"))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    # the service log: one line per crawl with what it did, beside APScheduler's "executed successfully"
    lines = [m for m in re.finditer(r"crawl finished in [\d.]+s: (\d+) sites \((\d+) ok\), (\d+) pages, (\d+) new posts?,"
                                    r" (\d+) fetch errors?", (p.config.parent / "service.log").read_text())]
    assert lines, (p.config.parent / "service.log").read_text()[-3000:]
    assert int(lines[0][1]) == int(lines[0][2]) == len(data["sites"]) and int(lines[0][3]) > 0
    folded = fits(out, ids=IDS, headers=("job", "next run (VN time)", "schedule", "when (VN time)",
                                                          "outcome", "detail", "next crawl", "last crawl", "walk"))
    assert set(LONG.values()) <= whole(out)
    assert "cron[" not in out and "04:00 every day (Vietnam time)" in folded
    assert "06:45 every day (Vietnam time)" in folded
    assert re.search(r"\d\d/\d\d/20\d\d \d\d:\d\d", out)  # the year whole
    last = {r["job"]: r for r in data["last_runs"]}
    assert " ".join(last["crawl"]["detail"].split()) in folded  # the whole detail
    assert re.match(rf"{len(data['sites'])} sites \({len(data['sites'])} ok\), \d+ pages?, \d+ new posts?, 0 fetch errors",
                    last["crawl"]["detail"]), last["crawl"]["detail"]  # one line, not a list of every site
    assert '{"' not in out and "changed crawl:every 2s" not in folded
    assert re.search(r"added crawl:0 4 \* \* \*.*; removed crawl:every 2s; \d+ jobs? unchanged", folded) or \
        re.search(r"added crawl:0 4 \* \* \*, .*removed crawl:every 2s", folded), folded
