"""Every kind of problem renders, in every format, in plain words, with the technical reason kept."""

import json
import re

import lxml.html
import pytest

from monitor.detect.events import detect
from monitor.digest import build, render
from tests.world import World, article, at, iso, make_config

REFUSED = "DownloadConnectionRefusedError: Connection was refused by other side: 111: Connection refused."


def _ok(w, site, when, n=6, views=True):
    with w.crawl(site, when) as items:
        items += [article(site, f"k{i}", views=10 + i if views else None, published=at(-48),
                          missing=[] if views else ["views"]) for i in range(n)]


def _never_crawled(w):
    _ok(w, "vinh-hung", at(-24))  # only one ward crawled: the district and Tương Mai never were


def _failing(w):
    _ok(w, "tuong-mai", at(-24))
    with w.crawl("tuong-mai", at(6), outcome="failed", error=REFUSED):
        pass


def _unreachable(w):
    _ok(w, "tuong-mai", at(-24))
    for h in (1, 2, 3):
        with w.crawl("tuong-mai", at(h), outcome="failed", error=REFUSED):
            pass


def _partial(w):
    _ok(w, "tuong-mai", at(-24))
    with w.crawl("tuong-mai", at(6), outcome="partial", error="HTTP 503 ×2") as items:
        items += [article("tuong-mai", "k0", views=30)]


def _extraction_broken(w):
    _ok(w, "tuong-mai", at(-24))
    _ok(w, "tuong-mai", at(6), views=False)  # the portal stopped showing view counts


KINDS = {  # kind: (how to get it on Tương Mai, the plain words, the technical text)
    "never_crawled": (_never_crawled, "chưa thu thập được lần nào", None),
    "failing": (_failing, "lần thu thập gần nhất thất bại (từ 02/03/2026 14:00) — máy chủ từ chối kết nối", REFUSED),
    "unreachable": (_unreachable, "không truy cập được từ 02/03/2026 09:00 (3 lần thu thập liên tiếp thất bại)"
                                  " — máy chủ từ chối kết nối", REFUSED),
    "partial": (_partial, "lần thu thập gần nhất (02/03/2026 14:00) không đọc được một số trang"
                          " — máy chủ của trang bị lỗi", "HTTP 503 ×2"),
    "extraction_broken": (_extraction_broken, "không đọc được lượt xem ở 100% số bài (thường 0%)", None),
}
FORMATS = ("text", "html", "markdown", "json")


def shown(data: dict, fmt: str) -> str:
    """The readable text of one format (HTML without tags, Markdown without its escapes)."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False)
    out = getattr(render(data), fmt)
    if fmt == "html":
        return lxml.html.fromstring(out).text_content()
    return re.sub(r"\\(.)", r"\1", out) if fmt == "markdown" else out


@pytest.fixture(params=list(KINDS))
def problem_world(request, tmp_path, monkeypatch):
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    KINDS[request.param][0](w)
    detect(w.db, w.config, now=at(13))
    yield request.param, w
    w.store.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_problem_kind_renders_in_every_format(problem_world, fmt):
    kind, w = problem_world
    data = build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    p = next(p for p in data["problems"] if p["site_id"] == "tuong-mai")
    assert p["kind"] == kind
    _, words, tech = KINDS[kind]
    out = shown(data, fmt)
    if fmt == "json":  # the operator's view: the kind and the crawler's own words
        assert p["error"] == tech and (tech is None or tech in out)
        assert p["reason"] == {REFUSED: "refused", "HTTP 503 ×2": "server_error"}.get(tech)
    else:
        assert f"Phường Tương Mai: {words}" in out


@pytest.mark.parametrize("kind", ["failing", "unreachable"])
def test_the_office_reads_vietnamese_and_the_exception_name_is_for_the_operator(tmp_path, monkeypatch, kind):
    """The office's digest has plain Vietnamese only; the exception stays in the data (JSON,
    webhooks) and an English digest shows it in small print."""
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    KINDS[kind][0](w)
    detect(w.db, w.config, now=at(13))
    data = build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    doc = lxml.html.fromstring(render(data).html)
    li, = doc.xpath(f'//ul[@id="problems"]/li[@data-kind="{kind}"]')
    assert not li.xpath('small[@class="tech"]') and "kỹ thuật" not in render(data).text
    assert "Error" not in li.text_content() and "máy chủ từ chối kết nối" in li.text_content()
    assert next(p for p in data["problems"] if p["kind"] == kind)["error"] == REFUSED
    w.config.recipient("ubnd-hoang-mai").language = "en"
    en = render(build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))).text
    assert "Phường Tương Mai: " in en and "the server refused the connection" in en
    assert f"(technical detail: {REFUSED})" in en


def test_extraction_broken_names_the_html_sample_for_the_operator(tmp_path, monkeypatch):
    from tests.world import sample

    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    _ok(w, "tuong-mai", at(-24))
    with w.crawl("tuong-mai", at(6)) as items:
        items += [article("tuong-mai", f"k{i}", missing=["views"], published=at(-48)) for i in range(6)]
        items.append(sample("tuong-mai"))
    detect(w.db, w.config, now=at(13))
    data = build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    p, = [p for p in data["problems"] if p["kind"] == "extraction_broken"]
    assert p["sample_id"] and "mẫu HTML" not in render(data).text  # the office's digest: plain words
    w.config.recipient("ubnd-hoang-mai").language = "en"
    en = build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    assert f"(technical detail: HTML sample #{p['sample_id']})" in render(en).text


def test_a_digest_stored_before_the_upgrade_still_renders(tmp_path):
    """Version 1 data (tests/digest/data/digest-v1.json: written by portalwatch before this fix,
    with a never_crawled problem that made rendering fail) as a pending delivery would carry it."""
    from pathlib import Path

    stored = json.loads((Path(__file__).parent / "data" / "digest-v1.json").read_text(encoding="utf-8"))
    r = render(stored)
    assert "Quận Hoàng Mai: chưa thu thập được lần nào" in r.text
    assert "Phường Tương Mai: không truy cập được từ 02/03/2026 09:00 (3 lần thu thập liên tiếp thất bại)" \
           " — máy chủ của trang bị lỗi" in r.text
    assert "cùng thang 0–70" in r.text and "+70 lượt xem (tổng 170)" in r.text
    assert "So với kỳ trước (01/03 08:00 – 02/03 08:00): chưa có số liệu" in r.text
    for fmt in ("html", "markdown"):
        assert "chưa thu thập được lần nào" in getattr(r, fmt)
    assert stored["version"] == 1 and "charts" not in stored  # the stored row is not changed
