"""A small database built with Store.apply at chosen times: the hand-computable case."""

from __future__ import annotations

import pytest

from crawler.items import ArticleItem
from monitor.store.db import Store

SITES = [  # id, name, level, parent
    ("hoang-mai", "Quận Hoàng Mai", "district", None),
    ("vinh-hung", "Phường Vĩnh Hưng", "ward", "hoang-mai"),
    ("dinh-cong", "Phường Định Công", "ward", "hoang-mai"),
    ("to-1", "Tổ dân phố 1", "other", "vinh-hung"),
    ("ea-kao", "Xã Ea Kao", "commune", None),
]


def item(site, key, at, *, views=None, title=None, body=None, published=None, source="article"):
    return ArticleItem(
        site_id=site, key=key, url=f"https://{site}.example.vn/{key}", source=source, observed_at=at,
        title=title or f"Bài {key}", body=body if body is not None else f"Nội dung {key}",
        published_at=published, views=views,
    )


def add_sites(store: Store) -> None:
    with store._tx():
        for sid, name, level, parent in SITES:
            store.conn.execute(
                "INSERT INTO sites (id, name, level, parent, added_at, updated_at) VALUES (?,?,?,?,?,?)",
                (sid, name, level, parent, "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "pw.db")
    add_sites(s)
    yield s
    s.close()


@pytest.fixture
def built(store):
    """Readings chosen so every daily number can be worked out by hand (times UTC; VN = +7).

    article a1 (vinh-hung): 10 @ 19/11 16:00Z (= 19/11 23:00 VN), 15 @ 19/11 18:00Z (= 20/11 01:00 VN),
        15 again @ 20/11 03:00Z (unchanged: no reading), 40 @ 20/11 20:00Z (= 21/11 03:00 VN),
        41 @ 22/11 02:00Z (22/11 VN)
    article a2 (dinh-cong): 100 @ 20/11 03:00Z, 130 @ 20/11 10:00Z, 125 @ 21/11 01:00Z (a drop)
    article a3 (ea-kao): no view counter at all
    """
    P = "2026-11-{}T{}:00Z"
    batches = [
        [item("vinh-hung", "a1", P.format(19, "16:00"), views=10, published=P.format(19, "15:00"),
              title="Hội nghị tại Đống Đa", body="Đại biểu phường Vĩnh Hưng dự hội nghị.")],
        [item("vinh-hung", "a1", P.format(19, "18:00"), views=15, published=P.format(19, "15:00"),
              title="Hội nghị tại Đống Đa", body="Đại biểu phường Vĩnh Hưng dự hội nghị.")],
        [item("vinh-hung", "a1", P.format(20, "03:00"), views=15, source="list", title="Hội nghị tại Đống Đa"),
         item("dinh-cong", "a2", P.format(20, "03:00"), views=100, published=P.format("09", "02:00"),
              title="Thông báo lịch tiếp công dân", body="Phường Định Công thông báo.")],
        [item("dinh-cong", "a2", P.format(20, "10:00"), views=130, source="list", title="Thông báo lịch tiếp công dân")],
        [item("vinh-hung", "a1", P.format(20, "20:00"), views=40, source="list", title="Hội nghị tại Đống Đa"),
         item("ea-kao", "a3", P.format(20, "20:00"), published=P.format(10, "01:00"),
              title="Xã Ea Kao ra quân", body="Không có lượt xem.")],
        [item("dinh-cong", "a2", P.format(21, "01:00"), views=125, source="list", title="Thông báo lịch tiếp công dân")],
        [item("vinh-hung", "a1", P.format(22, "02:00"), views=41, source="list", title="Hội nghị tại Đống Đa")],
    ]
    for b in batches:
        store.apply(b)
    return store
