"""The digest renders on the days it matters most (broken sites, hostile pages): real crawls of the simulator, then
`portalwatch digest --preview` for the district office, through the CLI."""

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
    # plain words for the office; the kept page's id is for the operator (JSON, `sites health`)
    assert line == "Phường Tương Mai: không đọc được lượt xem ở 100% số bài (thường 0%)"
    assert "Phường Tương Mai: không đọc được lượt xem" in out


def test_a_ward_broken_for_several_crawls_is_one_line_in_plain_vietnamese(portal, tmp_path, monkeypatch):
    """Three crawls of a ward that hides its counts: one line for the ward, its usual share from the
    crawls before the breakage (never from the broken ones), and no technical text for the office."""
    crawl(portal, monkeypatch, ["tuong-mai", "vinh-hung"])
    portal.sim.set_faults(site="tuong-mai", hide_views=True)
    for _ in range(3):
        portal.sim.advance(hours=2)
        crawl(portal, monkeypatch, ["tuong-mai", "vinh-hung"])
    db = portal.db()
    try:
        broken = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'extraction_broken'").fetchone()[0]
    finally:
        db.conn.close()
    assert broken == 3  # detect recorded each broken crawl
    text, doc = preview(portal, tmp_path)
    lines = [li.text_content() for li in doc.xpath('//ul[@id="problems"]/li[@data-kind="extraction_broken"]')]
    assert lines == ["Phường Tương Mai: không đọc được lượt xem ở 100% số bài (thường 0%)"]
    assert text.count("Phường Tương Mai: không đọc được lượt xem") == 1
    assert "kỹ thuật" not in text and not doc.xpath('//small[@class="tech"]')


def test_a_day_without_any_crawl_is_news_in_the_subject(portal, monkeypatch):
    from monitor.digest import build, render

    crawl(portal, monkeypatch)
    portal.sim.advance(hours=48)  # the service stopped: two days pass without a crawl
    config = portal.load_config()
    until = portal.sim.clock()["now_utc"]
    db = portal.db()
    try:
        quiet = build(db, config, config.recipient("ubnd-hoang-mai"), _minus_day(until), until)
    finally:
        db.conn.close()
    out = render(quiet)
    assert quiet["totals"]["crawls"] == 0 and not quiet["nothing_happened"]
    assert out.subject.startswith("UBND quận Hoàng Mai: không có lần thu thập nào — theo dõi đã dừng? (")
    assert "Không có gì mới" not in out.text and "không có sự cố" not in out.text
    assert "không có lần thu thập nào trong khoảng thời gian này" in out.text


def _minus_day(iso: str) -> str:
    from datetime import timedelta

    from crawler import clock

    return clock.iso(clock.parse_iso(iso) - timedelta(hours=24))


def test_a_site_skipped_because_its_host_asked_to_wait_says_so(tmp_path):
    """Two wards on one host: the first one's list answers 503 with Retry-After: 3600, more than
    max_retry_after, so that ward is skipped for the crawl; the second ward on the same host is
    crawled as usual (a 503 is about the site that sent it). The office reads that the server
    asked for a pause, not that it is broken; the technical text stays in the data."""
    from monitor.config import load_config
    from monitor.digest import build, render
    from monitor.store.connect import open_db
    from tests.conftest import manual_crawl
    from tests.e2e.hostile import HostileServer, liferay_list, write_config

    srv = HostileServer()
    try:
        srv.route("/a/tin-tuc", status=503, headers={"Retry-After": "3600", "Content-Type": "text/html"}, body=b"busy")
        srv.page("/b/tin-tuc", liferay_list([("/b/-/view_content/1-x.html", "Tin B", "View count: 3")]))
        path = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/a/tin-tuc"], "b": [srv.url + "/b/tin-tuc"]},
                            extra="concurrency = 1\nconcurrency_per_domain = 1\nmax_retry_after = 60")
        path.write_text(path.read_text(encoding="utf-8") + '\n[[recipient]]\nid = "office"\nname = "UBND"\n'
                        'sites = ["a", "b"]\n', encoding="utf-8")
        result = manual_crawl(path, tmp_path / "pw.db")
        assert srv.hits("/a/tin-tuc")
    finally:
        srv.stop()
    outcomes = {c["site_id"]: c["outcome"] for c in result.crawls}
    assert outcomes == {"a": "failed", "b": "ok"}
    failed = ["a"]
    config = load_config(path)
    db = open_db(tmp_path / "pw.db")
    try:
        detect(db, config)
        data = build(db, config, config.recipient("office"), "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")
    finally:
        db.conn.close()
    lines = {p["site_id"]: p for p in data["problems"]}
    assert sorted(lines) == failed  # one line per failed site
    assert {p["reason"] for p in lines.values()} == {"asked_to_wait"}
    assert "asks to wait 3600 s" in lines["a"]["error"]  # the technical text stays in the data
    text = render(data).text
    for sid in failed:
        assert f"Phường {sid}: lần thu thập gần nhất thất bại" in text
    assert text.count("máy chủ yêu cầu tạm dừng truy cập, sẽ thu thập lại ở lần sau") == len(failed)
    assert "máy chủ của trang bị lỗi" not in text and "Retry-After" not in text
