"""monitor/sites/fetch.py reads pages and robots.txt with the crawl's own libraries (w3lib, Protego),
against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import tomlkit
from click.testing import CliRunner

from monitor.sites.fetch import fetch, robots_allows

UA = "portalwatch/0.1 (+https://example.org/contact)"
# Wildcard rules are Google's robots.txt extension: Protego (Scrapy) applies them,
# urllib.robotparser reads "/*/tim-kiem.aspx" as a literal prefix and allows everything.
ROBOTS = b"User-agent: *\nDisallow: /*/tim-kiem.aspx\nDisallow: /private/\n"
LIST_HTML = b"<html><body><ul><li><a href='/portal/bai-1.html'>Bai 1</a></li></ul></body></html>"
VI_TEXT = "Thông báo đầu năm của phường"
# windows-1258 writes most toned letters as a base letter plus a combining tone mark
VI_1258 = unicodedata.normalize("NFD", VI_TEXT).replace("o\u0302", "\u00f4").replace("a\u0302", "\u00e2") \
    .replace("u\u031b", "\u01b0").replace("o\u031b", "\u01a1").replace("a\u0306", "\u0103").encode("cp1258")


class Server:
    """routes: path -> (status, content type, body); `hits` records every path requested."""

    def __init__(self, routes: dict[str, tuple[int, str, bytes]]):
        self.routes, self.hits = routes, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.hits.append(self.path)
                status, ctype, body = outer.routes.get(self.path, (404, "text/html", b"<html>404</html>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server({
        "/robots.txt": (200, "text/plain", ROBOTS),
        "/portal/tin-tuc": (200, "text/html; charset=utf-8", LIST_HTML),
        "/portal/tim-kiem.aspx": (200, "text/html; charset=utf-8", LIST_HTML),
        "/meta-1258": (200, "text/html",
                       b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
                       b"</head><body><p>" + VI_1258 + b"</p></body></html>"),
        "/header-1258": (200, "text/html; charset=windows-1258",
                         b'<html><head><meta charset="utf-8"></head><body><p>' + VI_1258 + b"</p></body></html>"),
        "/meta-utf8": (200, "text/html", b'<html><head><meta charset="utf-8"></head><body><p>'
                       + VI_TEXT.encode() + b"</p></body></html>"),
    })
    yield s
    s.stop()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_meta_charset_decides_when_the_header_has_none(server):
    page = fetch(server.url + "/meta-1258", user_agent=UA)
    assert VI_TEXT in _nfc(page.text)
    assert "\ufffd" not in page.text
    assert VI_TEXT in fetch(server.url + "/meta-utf8", user_agent=UA).text


def test_header_charset_wins_over_meta(server):
    page = fetch(server.url + "/header-1258", user_agent=UA)
    assert VI_TEXT in _nfc(page.text)
    assert page.content_type == "text/html; charset=windows-1258"


def test_robots_wildcard_rule_read_as_the_crawl_reads_it(server):
    allowed, why = robots_allows(server.url + "/portal/tim-kiem.aspx", user_agent=UA)
    assert allowed is False and "DISALLOWED" in why
    assert robots_allows(server.url + "/portal/tin-tuc", user_agent=UA)[0] is True
    assert robots_allows(server.url + "/private/x", user_agent=UA)[0] is False


@pytest.mark.slow
def test_sites_check_and_the_crawl_agree_on_robots(server, tmp_path):
    from monitor.cli import cli
    from tests.conftest import manual_crawl

    doc = tomlkit.document()
    doc["portalwatch"] = {"contact_url": "https://example.org/contact", "delay": 0, "retries": 0}
    sites = tomlkit.aot()
    for sid, path in (("tim-kiem", "/portal/tim-kiem.aspx"), ("tin-tuc", "/portal/tin-tuc")):
        sites.append(tomlkit.item({"id": sid, "name": f"Xã {sid}", "start_urls": [server.url + path],
                                   "profile": "liferay"}))
    doc["site"] = sites
    config, db = tmp_path / "sites.toml", tmp_path / "portalwatch.db"
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")

    verdicts = {}
    for sid in ("tim-kiem", "tin-tuc"):
        res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "sites", "check", sid, "--json"],
                                 catch_exceptions=False)
        verdicts[sid] = json.loads(res.stdout)["robots_ok"]
    assert verdicts == {"tim-kiem": False, "tin-tuc": True}

    server.hits.clear()
    result = manual_crawl(config, db, ["tim-kiem", "tin-tuc"])
    by_site = {c["site_id"]: c for c in result.crawls}
    assert "/portal/tim-kiem.aspx" not in server.hits  # the crawl refused it too
    assert "robots.txt" in (by_site["tim-kiem"]["error_summary"] or "")
    assert "/portal/tin-tuc" in server.hits
    assert "robots.txt" not in (by_site["tin-tuc"]["error_summary"] or "")
