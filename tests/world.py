"""A real SQLite file filled through monitor.store.db.Store, with readings at chosen times."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler import clock
from crawler.items import ArticleItem, GoneItem, SampleItem
from monitor.config import parse_config
from monitor.store.db import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi, a Monday

SITES_TOML = """
[[site]]
id = "hoang-mai"
name = "Quận Hoàng Mai"
level = "district"
start_urls = ["https://hoangmai.hanoi.gov.vn/tin-tuc"]

[[site]]
id = "vinh-hung"
name = "Phường Vĩnh Hưng"
level = "ward"
parent = "hoang-mai"
start_urls = ["https://vinhhung.hoangmai.hanoi.gov.vn/tin-tuc"]

[[site]]
id = "tuong-mai"
name = "Phường Tương Mai"
level = "ward"
parent = "hoang-mai"
start_urls = ["https://tuongmai.hoangmai.hanoi.gov.vn/tin-tuc"]

[[site]]
id = "other"
name = "Xã Khác"
level = "commune"
start_urls = ["https://other.example.vn/tin-tuc"]
"""


def at(hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, days=days)


def iso(hours: float = 0, days: float = 0) -> str:
    return clock.iso(at(hours, days))


def make_config(tmp_path: Path, recipient: str = "", extra: str = ""):
    import tomllib

    text = SITES_TOML + extra + (recipient or """
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
silent_days = 5
""")
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(tomllib.loads(text), path)


class World:
    """Writes like a crawl would: Store.apply inside begin/finish_crawl, at pinned times."""

    def __init__(self, tmp_path: Path, config, monkeypatch):
        self.config, self.mp = config, monkeypatch
        self.path = tmp_path / "portalwatch.db"
        self.store = Store(self.path)
        self.store.sync_sites(config.sites)
        self.db = self.store.db

    @contextmanager
    def crawl(self, site_id: str, when: datetime, outcome: str = "ok", error: str | None = None):
        self.mp.setenv("PORTALWATCH_NOW", clock.iso(when))
        cid = self.store.begin_crawl(site_id)
        items: list = []
        yield items
        for it in items:
            it.observed_at = clock.iso(when)
        self.store.apply(items, {site_id: cid})
        self.store.finish_crawl(cid, outcome, error)

    def seen(self, site_id: str, key: str, when: datetime, views: int | None = None, title: str | None = None,
             published: datetime | None = None, source: str = "list", missing: list | None = None, **kw):
        """One crawl of one site that sees one article (a shortcut)."""
        with self.crawl(site_id, when) as items:
            items.append(article(site_id, key, views=views, title=title, published=published, source=source,
                                 missing=missing or [], **kw))


def article(site_id: str, key: str, views: int | None = None, title: str | None = None,
            published: datetime | None = None, source: str = "list", **kw) -> ArticleItem:
    url = kw.pop("url", f"https://{site_id}.example.vn/tin-tuc/{key}.html")
    return ArticleItem(
        site_id=site_id, key=key, url=url, source=source,
        observed_at="", title=title if title is not None else f"Tin {key} của {site_id}",
        published_at=clock.iso(published) if published else None, views=views, **kw)


def gone(site_id: str, key: str) -> GoneItem:
    return GoneItem(site_id=site_id, key=key, url=f"https://{site_id}.example.vn/tin-tuc/{key}.html",
                    status=404, observed_at="")


def sample(site_id: str) -> SampleItem:
    return SampleItem(site_id, f"https://{site_id}.example.vn/tin-tuc", "list", "no dates found",
                      "<html><body>đổi giao diện</body></html>", "")


EVIL = 'Thông báo <script>alert("x")</script>\r\nBcc: evil@example.com'


def populate(w: World) -> None:
    """A baseline a day before the window [at(0), at(24)); in it two crawls of Vĩnh Hưng (gains,
    new posts, one with a hostile title, a counter reset), Tương Mai down, a post elsewhere."""
    from monitor.detect.events import detect

    # the baseline, a day before the window
    with w.crawl("vinh-hung", at(-24)) as items:
        items += [article("vinh-hung", "a1", views=100, published=at(-48)),
                  article("vinh-hung", "a2", views=500, published=at(-72))]
    with w.crawl("hoang-mai", at(-24)) as items:
        items += [article("hoang-mai", "old", views=7, published=at(days=-30))]
    with w.crawl("tuong-mai", at(-24)) as items:
        items += [article("tuong-mai", "t1", views=1, published=at(-30))]
    with w.crawl("other", at(-24)) as items:
        items += [article("other", "o1", views=1)]
    detect(w.db, w.config, now=at(-23))
    # the window [at(0), at(24)): two crawls of Vĩnh Hưng, Tương Mai down, a post elsewhere
    with w.crawl("vinh-hung", at(6)) as items:
        items += [article("vinh-hung", "a1", views=150), article("vinh-hung", "a2", views=500),
                  article("vinh-hung", "n1", views=20, published=at(5), title="Lịch tiếp công dân tháng 3")]
    with w.crawl("vinh-hung", at(12)) as items:
        items += [article("vinh-hung", "a1", views=170), article("vinh-hung", "a2", views=10),
                  article("vinh-hung", "n1", views=35),
                  article("vinh-hung", "n2", views=5, published=at(11), title=EVIL),
                  article("vinh-hung", "js", views=1, published=at(10), url="javascript:alert(1)")]
    for h in (1, 2, 3):
        with w.crawl("tuong-mai", at(h), outcome="failed", error="HTTP 503 <b>Service Unavailable</b>"):
            pass
    with w.crawl("other", at(6)) as items:
        items += [article("other", "o2", views=9, published=at(5))]
    detect(w.db, w.config, now=at(13))
