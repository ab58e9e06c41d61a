"""The digest renders on the days it matters most (broken sites, hostile pages): real crawls of the simulator, then
`portalwatch digest --preview` for the district office, through the CLI."""

import re

import lxml.html
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect.events import detect
from tests.conftest import make_portal

pytestmark = pytest.mark.slow


@pytest.fixture
def portal(tmp_path):
    p = make_portal(tmp_path)
    yield p
    p.server.stop()


def crawl(portal, monkeypatch, sites=None):
    monkeypatch.setenv("PORTALWATCH_NOW", portal.sim.clock()["now_utc"])
    portal.crawl(sites)
    db = portal.db()
    try:
        detect(db, portal.load_config())
    finally:
        db.conn.close()


def preview(portal, tmp_path):
    out = tmp_path / "x.html"
    result = CliRunner().invoke(cli, ["--config", str(portal.config), "--db", str(portal.db_path), "digest",
                                      "--preview", str(out), "--recipient", "ubnd-hoang-mai"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, lxml.html.fromstring(out.read_text(encoding="utf-8"))


def problems(doc) -> dict[str, str]:
    return {li.get("data-kind"): li.text_content() for li in doc.xpath('//ul[@id="problems"]/li')}


def test_preview_after_crawling_only_one_ward(portal, tmp_path, monkeypatch):
    crawl(portal, monkeypatch, ["vinh-hung"])
    text, doc = preview(portal, tmp_path)
    config = portal.load_config()
    never = {s.name for s in config.sites_for(config.recipient("ubnd-hoang-mai"))} - {"Phường Vĩnh Hưng"}
    lines = [li.text_content() for li in doc.xpath('//ul[@id="problems"]/li[@data-kind="never_crawled"]')]
    assert sorted(lines) == sorted(f"{name}: chưa thu thập được lần nào" for name in never)
    assert "Lần thu thập đầu tiên của Phường Vĩnh Hưng" in text


def test_preview_when_a_ward_stops_showing_view_counts(portal, tmp_path, monkeypatch):
    text = portal.config.read_text(encoding="utf-8")  # re-read every article, as a daily crawl would
    portal.config.write_text(text.replace("\nprofile = ", '\nrevisit = { mode = "always" }\nprofile = '),
                             encoding="utf-8")
    crawl(portal, monkeypatch)
    portal.sim.set_faults(site="tuong-mai", hide_views=True)
    portal.sim.advance(hours=6)
    crawl(portal, monkeypatch)
    out, doc = preview(portal, tmp_path)
    line = problems(doc)["extraction_broken"]
    assert re.match(r"Phường Tương Mai: không đọc được lượt xem ở 100% số bài \(thường \d+%\)Chi tiết kỹ thuật: "
                    r"mẫu HTML #\d+$", line)
    assert "Phường Tương Mai: không đọc được lượt xem" in out
