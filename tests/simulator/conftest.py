from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from simulator import Simulator, serve


@pytest.fixture(scope="module")
def world():
    """A shared, read-only world (do not mutate it in tests)."""
    sim = Simulator(seed=1, articles_per_site=40)
    with serve(sim) as handle:
        yield sim, handle


@pytest.fixture
def fresh():
    """A private world for tests that advance the clock, edit or inject faults."""
    sim = Simulator(seed=7, articles_per_site=30)
    with serve(sim) as handle:
        yield sim, handle


def get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def post(url: str, data: dict | None = None) -> dict:
    body = json.dumps(data or {}).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


def get_json(url: str):
    status, _, text = get(url)
    assert status == 200, text
    return json.loads(text)


def norm(s: str) -> str:
    """Collapse whitespace (incl. no-break spaces) the way an extractor would."""
    return " ".join(s.split())


_NUM = re.compile(r"(?:View count|Lượt xem|Lượt đọc):\s*([\d.,]+)|Số lượt xem \(([\d.,]+)\)")


def views_in(text: str, el=None) -> int | None:
    """The count in a date/count line; for the second flavours (TEMPLATES.md) the count sits in
    an element titled "Lượt xem" or in a data-views attribute."""
    m = _NUM.search(text)
    if m:
        return int(re.sub(r"[.,]", "", m.group(1) or m.group(2)))
    if el is not None:
        if (c := el.select_one("[data-views]")) is not None:
            return int(c["data-views"])
        if (c := el.select_one('[title="Lượt xem"]')) is not None:
            return int(c.get_text().strip())
    return None


# ---------------------------------------------------------------- per-template parsing (tests only)

LIST_SEL = {
    "liferay": ("div.asset-abstract", "h3.asset-title a", "div.assetPublishDate"),
    "tandan": ("div.tandan-article-news-item", "h3.tandan-p-article-news-title a", "div.tandan-article-news-info"),
    "dnn": ("div#dnn_ctr507_ViewNews_pnlList div.news-item", "h2.news-title a", "div.news-info"),
}
# The `plain` site stands for an unknown CMS: its markup is deliberately not spelled out here;
# the tests read it generically (article links, nearest list item, largest text block).
_PLAIN_ARTICLE = re.compile(r"-\d+\.html$")


def parse_list(tpl: str, html: str, base: str) -> tuple[list[dict], str | None]:
    soup = BeautifulSoup(html, "lxml")
    entries = []
    if tpl == "plain":
        done = set()
        for a in soup.find_all("a", href=_PLAIN_ARTICLE):
            if a["href"] in done or not a.get_text().strip():
                continue
            done.add(a["href"])
            d = norm(a.find_parent("li").get_text())
            entries.append({"url": urljoin(base, a["href"]), "title": a.get_text().strip(), "date": d, "views": views_in(d)})
    else:
        item_sel, link_sel, date_sel = LIST_SEL[tpl]
        for it in soup.select(item_sel):
            a = it.select_one(link_sel)
            box = it.select_one(date_sel)
            d = norm(box.get_text())
            entries.append({"url": urljoin(base, a["href"]), "title": a.get_text().strip(), "date": d, "views": views_in(d, box)})
    nxt = None
    if tpl == "liferay":
        for a in soup.select("ul.pager.lfr-pagination-buttons li a"):
            if a.get_text().strip() == "Tiếp" and a["href"] != "javascript:;":
                nxt = a["href"]
    elif tpl == "tandan":
        cur = soup.select_one("div.tandan-paging span.CurrentPage")
        sib = cur.find_next_sibling("a") if cur else None
        if sib is not None and sib.get_text().strip().isdigit():
            nxt = sib["href"]
    elif tpl == "dnn":
        a = soup.find("a", string="Trang sau")
        nxt = a["href"] if a else None
    else:
        a = soup.find("a", string="Sau ›")
        nxt = a["href"] if a else None
    return entries, urljoin(base, nxt) if nxt else None


def parse_article(tpl: str, html: str) -> dict:
    soup = BeautifulSoup(html, "lxml")
    meta = None
    if tpl == "liferay":
        title = soup.select_one("div.asset-full-content-title").get_text()
        date = norm(soup.select_one("div.assetPublishDate").get_text())
        body = soup.select("div.journal-content-article p")
        cat = soup.select_one("div.dd_chuyenmuc span.tintuc").get_text()
    elif tpl == "tandan":
        title = soup.select_one("h1.tandan-p-article-news-title").get_text()
        meta = soup.select_one("div.tandan-article-news-info")
        date = norm(meta.get_text())
        body = soup.select("div.tandan-p-article-main div.ms-rtestate-field p")
        cat = soup.select("div.tandan-breadcrumb a")[-1].get_text()
    elif tpl == "dnn":
        title = soup.select_one("h1.news-detail-title").get_text()
        meta = soup.select_one("div.news-detail-meta, div.news-meta")
        date = norm(meta.get_text())
        body = soup.select("div.news-detail-body p")
        cat = soup.select("div.dnn-breadcrumb a")[-1].get_text()
    else:
        title = soup.find("h1").get_text()
        date = norm(soup.find(string=re.compile("Ngày đăng:")).parent.parent.get_text())
        box = max(soup.find_all("div"), key=lambda d: len(d.find_all("p", recursive=False)))
        body = box.find_all("p", recursive=False)
        cat = soup.find_all("a", string="Trang chủ")[-1].parent.find_all("a")[-1].get_text()
    return {
        "title": title,
        "date": date,
        "views": views_in(date, meta),
        "body": "\n\n".join(p.get_text() for p in body),
        "category": cat,
    }


@pytest.fixture(scope="module")
def families():
    """The CMS families world (simulator/families), served; read-only."""
    from simulator.families import FamiliesWorld

    sim = FamiliesWorld(seed=1)
    with serve(sim) as handle:
        yield sim, handle
