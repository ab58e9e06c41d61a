"""End to end on the CMS families world (simulator/families: WordPress, Joomla, Drupal, Liferay
7, VNPT ePortal, several themes each; see simulator/TEMPLATES.md): every site crawled by a real
`portalwatch crawl` with `profile = "auto"` and no selectors, scored against the simulator's
truth, and a pager cut on purpose reported as a `partial` crawl in words."""

from __future__ import annotations

import dataclasses
import html
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest

from crawler.clock import VN_TZ
from simulator.families import FamiliesWorld

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
# (site, family, theme) of the world: every theme is a variant of its family
SITES = [
    ("xa-an-phu", "wordpress", "wp-twentyone"), ("phuong-tan-an", "wordpress", "wp-pagenavi"),
    ("xa-hoa-binh", "wordpress", "wp-plain"), ("xa-tan-lap", "joomla", "j3-protostar"),
    ("phuong-hoa-an", "joomla", "j4-cassiopeia"), ("xa-phu-my", "joomla", "j3-list"),
    ("xa-vinh-thanh", "drupal", "d7"), ("phuong-my-long", "drupal", "d9-olivero"), ("xa-long-hoa", "drupal", "d8-mini"),
    ("xa-thanh-son", "liferay7", "lr7"), ("phuong-hong-gai", "liferay7", "lr73"),
    ("xa-sa-pa", "vnpt", "vnpt-dsnews"), ("phuong-kim-tan", "vnpt", "vnpt-portal2"),
]


def portalwatch(config: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command line, in its own process."""
    cmd = [sys.executable, "-c", "from monitor.cli import main; main()", "--config", str(config), "--db", str(db), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT)


def served(world: FamiliesWorld, tmp: Path):
    from monitor.demo import simulator_config
    from simulator import serve

    server = serve(world, port=0)
    config = tmp / "sites.toml"
    config.write_text(simulator_config(world, server.base_url, recipients=False), encoding="utf-8")
    return server, config


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The whole families world crawled once: (world, database path, `crawls` rows)."""
    tmp = tmp_path_factory.mktemp("families")
    world = FamiliesWorld(seed=1)
    server, config = served(world, tmp)
    try:
        assert 'profile = "auto"' in config.read_text(encoding="utf-8")
        assert "[site.selectors]" not in config.read_text(encoding="utf-8")
        db = tmp / "pw.db"
        done = portalwatch(config, db, "crawl", "--no-detect")
        assert done.returncode == 0, done.stdout + done.stderr
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        crawls = {r["site_id"]: dict(r) for r in conn.execute("SELECT * FROM crawls")}
        rows = [dict(r) for r in conn.execute("SELECT * FROM articles")]
        conn.close()
        yield world, rows, crawls
    finally:
        server.stop()


def local_day(iso: str | None) -> str | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(VN_TZ).date().isoformat()


def score(world: FamiliesWorld, rows: list[dict], site_id: str) -> dict:
    """recall, title, date, views (shares of the truth's live articles), duplicates, dates taken
    from a body (a draft's empty date line or a cited document's date stored as publication)."""
    truth = {r["key"]: r for r in world.truth(site_id, include_body=True, include_removed=False)}
    got: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["site_id"] == site_id:
            got[world.article(r["url"]).key].append(r)
    found = [k for k in truth if k in got]
    ok = defaultdict(int)
    body_dates = []
    for k in found:
        rec, row = truth[k], got[k][0]
        ok["title"] += row["title"] == rec["title"]
        ok["views"] += row["views"] == rec["views"]
        if rec["published_at"] is None:
            good = row["published_at"] is None
        elif rec["published_precision"] == "minute":
            good = (row["published_at"] or "")[:16] == rec["published_at"][:16]
        else:
            good = local_day(row["published_at"]) == rec["published_local"][:10]
        ok["date"] += good
        if row["published_at"] and (rec["published_at"] is None or (rec["cites"] and row["published_text"]
                                                                   and row["published_text"] in rec["cites"]
                                                                   and not good)):
            body_dates.append((rec["url"], row["published_text"]))
    n = max(1, len(found))
    return {"recall": len(found) / max(1, len(truth)), "title": ok["title"] / n, "date": ok["date"] / n,
            "views": ok["views"] / n, "duplicates": sum(len(v) - 1 for v in got.values()),
            "body_dates": body_dates, "articles": len(truth),
            "unknown": [r["url"] for r in rows if r["site_id"] == site_id and world.article(r["url"]).key not in truth]}


@pytest.mark.parametrize("site_id,family,theme", SITES, ids=[s[2] for s in SITES])
def test_auto_reads_every_family_and_variant(crawled, site_id, family, theme):
    world, rows, crawls = crawled
    site = world.sites[site_id]
    assert (site.template, site.theme) == (family, theme)
    s = score(world, rows, site_id)
    print(f"{site_id} ({family}/{theme}): {s['articles']} articles, recall {s['recall']:.3f} title {s['title']:.3f} "
          f"date {s['date']:.3f} views {s['views']:.3f} duplicates {s['duplicates']}")
    assert crawls[site_id]["outcome"] == "ok", crawls[site_id]
    assert s["recall"] >= 0.99 and s["title"] >= 0.99 and s["date"] >= 0.99 and s["views"] >= 0.99, s
    assert s["duplicates"] == 0 and not s["unknown"], s
    assert not s["body_dates"], s["body_dates"]


def test_draft_documents_and_cited_documents_give_no_dates(crawled):
    """The drafts (empty date lines) and the bodies citing dated documents are really there."""
    world, rows, _ = crawled
    truth = world.truth(include_body=False, include_removed=False)
    drafts = [t for t in truth if t["draft"]]
    cites = [t for t in truth if t["cites"]]
    assert len(drafts) >= 20 and len(cites) >= 50
    stored = {(r["site_id"], world.article(r["url"]).key): r for r in rows}
    assert all(stored[(t["site_id"], t["key"])]["published_at"] is None for t in drafts)


class CutWorld(FamiliesWorld):
    """The families world with one list page whose pager links no later page (its numbers and
    totals still print how many pages the list has)."""

    cut: tuple[str, int] = ("", 0)  # (site id, page number)

    def respond(self, path: str, query: str):
        page = super().respond(path, query)
        site_id, n = self.cut
        lst = self.lists(site_id)[0]
        url = self.base_url + path + (f"?{query}" if query else "")
        if page.status != 200 or url != lst["pages"][n - 1]["url"]:
            return page
        later = {p["url"] for p in lst["pages"][n:]}

        def link(m: re.Match) -> str:
            href = re.search(r"""href=["']([^"']*)["']""", m.group(0))
            return "" if href and urljoin(url, html.unescape(href.group(1))) in later else m.group(0)

        text = re.sub(r"<a\b[^>]*>.*?</a>", link, page.html, flags=re.S)
        text = re.sub(r"<link[^>]*rel=[\"']next[\"'][^>]*>", "", text)
        return dataclasses.replace(page, html=text)


@pytest.mark.parametrize("site_id", ["phuong-tan-an", "phuong-my-long", "xa-thanh-son", "phuong-kim-tan"])
def test_a_cut_pager_is_a_partial_crawl_in_words(tmp_path, site_id):
    from monitor.config import load_config
    from monitor.detect.site_status import health_rows

    world = CutWorld(seed=1, only=[site_id])
    world.cut = (site_id, 2)
    server, config = served(world, tmp_path)
    try:
        db = tmp_path / "pw.db"
        done = portalwatch(config, db, "crawl", "--no-detect", "--site", site_id)
        assert done.returncode == 0, done.stdout + done.stderr
        conn = sqlite3.connect(db)
        outcome, summary = conn.execute("SELECT outcome, error_summary FROM crawls").fetchone()
        errors = conn.execute("SELECT url, error FROM fetch_errors").fetchall()
        conn.close()
        cut_url = world.lists(site_id)[0]["pages"][1]["url"]
        assert outcome == "partial", summary
        assert [(u, e) for u, e in errors if e.startswith("list incomplete: ")] == [(cut_url, errors[0][1])], errors
        words = errors[0][1].removeprefix("list incomplete: ")
        assert re.fullmatch(r"(pager shows page \d+|the list shows articles \d+ - \d+ of \d+) but the walk stopped at "
                            r"page 2: next link not found", words), words
        (health,) = health_rows(db, load_config(config))
        assert health.status == "partial" and words in health.detail
        out = portalwatch(config, db, "sites", "health", "--problems")
        assert words in " ".join(out.stdout.split()), out.stdout
    finally:
        server.stop()


def test_the_next_crawl_reads_by_the_kept_lists_and_a_stale_one_costs_nothing(tmp_path):
    """Each site's list as a crawl found it is kept (list_hints) and the next crawl starts from
    it: after two days of new posts, a second real crawl still reads every site to the truth —
    also the site whose kept list no longer matches anything (a redesign) and the one whose kept
    list is garbage: the rules read those pages and learn their list again."""
    from crawler.extract.types import ListHint

    ids = ["xa-an-phu", "xa-tan-lap", "phuong-my-long"]
    world = FamiliesWorld(seed=1, only=ids)
    server, config = served(world, tmp_path)
    db = tmp_path / "pw.db"
    try:
        assert portalwatch(config, db, "crawl", "--no-detect").returncode == 0
        conn = sqlite3.connect(db)
        hints = dict(conn.execute("SELECT site_id, hint FROM list_hints"))
        assert sorted(hints) == sorted(ids) and all(ListHint.from_json(h) for h in hints.values())
        stale = dataclasses.replace(ListHint.from_json(hints["xa-tan-lap"]), item="//section[@id='gone']//article")
        with conn:
            conn.execute("UPDATE list_hints SET hint = ? WHERE site_id = 'xa-tan-lap'", (stale.to_json(),))
            conn.execute("UPDATE list_hints SET hint = '{\"item\": 3' WHERE site_id = 'phuong-my-long'")
        conn.close()
        world.advance(days=2)
        done = portalwatch(config, db, "crawl", "--no-detect")
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        server.stop()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM articles")]
    outcomes = [r["outcome"] for r in conn.execute("SELECT outcome FROM crawls")]
    relearned = dict(conn.execute("SELECT site_id, hint FROM list_hints").fetchall())
    conn.close()
    assert outcomes == ["ok"] * 6
    for site_id in ids:
        s = score(world, rows, site_id)
        # (views: two days on, counts only an article page prints are re-read as revisits allow)
        assert s["recall"] >= 0.99 and s["title"] >= 0.99 and s["date"] >= 0.99, (site_id, s)
        assert s["duplicates"] == 0 and not s["unknown"], s
    assert ListHint.from_json(relearned["xa-tan-lap"]).item != stale.item  # learned again by the rules
    assert ListHint.from_json(relearned["phuong-my-long"]) is not None
