"""With `[web] url`, a digest links to the web pages: each unit over the digest's window, each
post's view history; without it, no link at all."""

from urllib.parse import parse_qs, urlsplit

from monitor.digest import build, render
from tests.world import World, iso, make_config, populate

WEB = '\n[web]\nurl = "https://pw.example.vn/"\n'


def _data(tmp_path, monkeypatch, extra: str = ""):
    w = World(tmp_path, make_config(tmp_path, extra=extra), monkeypatch)
    populate(w)
    try:
        return build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    finally:
        w.store.close()


def test_digest_links_to_the_units_window_and_each_posts_history(tmp_path, monkeypatch):
    d = _data(tmp_path, monkeypatch, WEB)
    (unit,) = d["web"]["units"]
    assert unit["name"] == "Quận Hoàng Mai" and unit["id"] == "hoang-mai"
    parts = urlsplit(unit["url"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pw.example.vn", "/u/hoang-mai")
    assert parse_qs(parts.query) == {"since": [iso(0)], "until": [iso(24)]}
    r = render(d)
    assert f'href="{unit["url"].replace("&", "&amp;")}"' in r.html and "Xem trên web" in r.html
    for p in d["new_posts"]:
        assert f'href="https://pw.example.vn/a/{p["article_id"]}"' in r.html
    assert f"Xem trên web (Quận Hoàng Mai): {unit['url']}" in r.text
    assert f"[Quận Hoàng Mai]({unit['url']})" in r.markdown


def test_no_web_url_no_links(tmp_path, monkeypatch):
    d = _data(tmp_path, monkeypatch)
    assert d["web"] is None
    r = render(d)
    assert "/a/" not in r.html and "Xem trên web" not in r.html + r.text + r.markdown
