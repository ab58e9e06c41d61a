"""The core world's sites: Hanoi's Hoàng Mai district and four wards (Liferay), three Thanh
Hóa communes (Tân Dân), a Bắc Ninh ward (DNN), an Đắk Lắk commune (home-grown), the second
Tân Dân and DNN flavours, and the real seed article of Vĩnh Hưng ward.
"""

from __future__ import annotations

import bisect
import math
from importlib import resources
from typing import Any

from . import text as T
from .model import (
    DAY,
    SEED_ARTICLE_ID,
    SEED_PUBLISHED,
    SEED_VIEWS,
    START_TS,
    Article,
    Category,
    Site,
    article_path,
)


def build_core(sim: Any) -> None:
    """Add the core sites (and their past articles) to a new simulator."""
    n = sim.articles_per_site
    hm = "/hoangmai"
    sim._add_site(
        Site(
            "hoang-mai", "Quận Hoàng Mai", "district", None, "liferay", hm,
            [
                Category("tin-tuc", "Tin tức - Sự kiện", f"{hm}/tin-tuc"),
                Category("thong-bao", "Thông báo", f"{hm}/thong-bao"),
            ],
            province="Hà Nội", unit="quận Hoàng Mai", detail_clock="12h",
        ),
        n,
    )  # fmt: skip
    for wid, wname in [
        ("vinh-hung", "Vĩnh Hưng"),
        ("hoang-liet", "Hoàng Liệt"),
        ("tuong-mai", "Tương Mai"),
        ("dinh-cong", "Định Công"),
    ]:
        p = f"{hm}/cac-phuong/{wid}"
        site = sim._add_site(
            Site(
                wid, f"Phường {wname}", "ward", "hoang-mai", "liferay", p,
                [
                    Category("tin-tuc", f"phường {wname.lower()}", f"{p}/tin-tuc"),
                    Category("thong-bao", "Thông báo", f"{p}/thong-bao"),
                ],
                province="Hà Nội", posts_per_day=(0, 1, 1, 2),
            ),
            n - 1 if wid == "vinh-hung" else n,
        )  # fmt: skip
        if wid == "vinh-hung":
            _add_seed_article(sim, site)
    for xid, xname in [
        ("quang-phu", "Quảng Phú"),
        ("dong-tien", "Đông Tiến"),
        ("hoang-dong", "Hoằng Đồng"),
    ]:
        p = f"/thanhhoa/xa-{xid}"
        sim._add_site(
            Site(
                f"xa-{xid}", f"Xã {xname}", "commune", None, "tandan", p,
                [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/portal/Pages/tin-tuc.aspx")],
                province="Thanh Hóa",
            ),
            n,
        )  # fmt: skip
    p = "/bacninh/phuong-dai-phuc"
    sim._add_site(
        Site(
            "dai-phuc", "Phường Đại Phúc", "ward", None, "dnn", p,
            [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/tabid/255/Default.aspx", 255)],
            province="Bắc Ninh",
        ),
        n,
    )  # fmt: skip
    p = "/eakao"
    sim._add_site(
        Site(
            "ea-kao", "Xã Ea Kao", "commune", None, "plain", p,
            [
                Category("tin-tuc", "Tin tức", f"{p}/tin-tuc/"),
                Category("thong-bao", "Thông báo", f"{p}/thong-bao/"),
            ],
            province="Đắk Lắk",
        ),
        n,
    )  # fmt: skip
    # second flavours of the Tân Dân and DNN markup (another province, another version)
    p = "/hatinh/xa-thach-kim"
    sim._add_site(
        Site(
            "xa-thach-kim", "Xã Thạch Kim", "commune", None, "tandan", p,
            [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/portal/Pages/tin-tuc.aspx")],
            province="Hà Tĩnh", variant=2,
        ),
        n,
    )  # fmt: skip
    p = "/bacninh/phuong-vo-cuong"
    sim._add_site(
        Site(
            "vo-cuong", "Phường Võ Cường", "ward", None, "dnn", p,
            [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/tabid/310/Default.aspx", 310)],
            province="Bắc Ninh", variant=2,
        ),
        n,
    )  # fmt: skip


def _add_seed_article(sim: Any, site: Site) -> None:
    """The real article of Vĩnh Hưng ward (data/seed-article-vinh-hung.txt), 129 views at the start."""
    raw = resources.files("simulator").joinpath("data/seed-article-vinh-hung.txt")
    lines = raw.read_text(encoding="utf-8").split("\n")
    title = lines[2]
    body = "\n".join(lines[5:]).rstrip("\n")
    published = int(SEED_PUBLISHED.timestamp())
    a = Article(site, site.next_idx, published, site.categories[0])
    site.next_idx += 1
    a.title = title
    a.num_id = SEED_ARTICLE_ID
    a.code = "VhSeed01"
    a.slug = T.slugify(title)
    a.key = f"{site.id}:{a.num_id}"
    a.V, a.tau = 110.0, 24.0
    age_days = (START_TS - published) / DAY
    a.r = (SEED_VIEWS + 0.5 - a.V * (1 - math.exp(-age_days * 24 / a.tau))) / age_days
    a.detail_views = True
    a.has_en = True
    a.author = ""
    a.image = False
    a.fixed_text = True
    a._lead = ""
    a._paras = body.split("\n\n")
    # keep the articles list sorted by publication time
    a.path = article_path(site, a)
    pos = bisect.bisect_right(site._pub, published)
    site.articles.insert(pos, a)
    site._pub.insert(pos, published)
    site.by_path[a.path] = a
    sim._by_key[a.key] = a
    assert a.views_at(START_TS) == SEED_VIEWS
