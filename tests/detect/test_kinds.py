"""monitor/kinds.py drives everything that knows an event kind: detect's dedupe keys, the
digest's lists, headings and totals, the problem lines, Datasette's description and the docs.
A new kind is one record: the last test adds one and follows it through."""

from __future__ import annotations

import dataclasses
import json
import re
import string
from pathlib import Path

import pytest

from monitor import kinds
from monitor.analyst.datasette import event_kinds, shipped
from monitor.detect.events import _Run, detect
from monitor.detect.rules import DetectOptions
from monitor.digest import build, render
from monitor.digest.sections import headings
from monitor.kinds import (
    KINDS,
    PROBLEMS,
    SEVERITIES,
    SPECIAL_SECTIONS,
    EventKind,
    problem_of,
)
from tests.world import World, article, at, gone, iso, make_config, populate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "digests.md"
PARTS = {"site", "article", "reading", "crawl", "part", "at", "first_crawl", "field"}  # what detect passes
DIGEST_KEYS = {"version", "recipient", "units", "web", "window", "generated_at", "totals", "compare", "sites", "baseline",
               "new_posts", "top_read", "rising", "rising_left_out", "charts", "problems", "silent", "nothing_happened",
               "link"}
DIGEST_TOTALS = {"sites", "new_posts", "views_gained", "posts_7d", "crawls", "problems"}


@pytest.fixture
def world(tmp_path, monkeypatch):
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    yield w
    w.store.close()


def every_kind(w: World) -> None:
    """populate (baseline, new posts, gains, a counter reset, Tương Mai unreachable), then an edit,
    a confirmed removal and the district's portal losing its view counts."""
    populate(w)
    with w.crawl("vinh-hung", at(14)) as items:
        items += [article("vinh-hung", "a1", views=190, title="Tin a1 (sửa)")]
    for h in (15, 16):
        with w.crawl("vinh-hung", at(h)) as items:
            items += [gone("vinh-hung", "n2")]
    with w.crawl("hoang-mai", at(17)) as items:
        items += [article("hoang-mai", f"k{i}", missing=["views"]) for i in range(6)]
    detect(w.db, w.config, now=at(18))


def stored(w: World) -> list[tuple[str, str]]:
    return w.db.conn.execute("SELECT kind, dedupe_key FROM events ORDER BY id").fetchall()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_has_labels_a_severity_a_dedupe_key_and_a_place_in_the_digest(kind):
    assert set(kind.label) == {"vi", "en"} and all(kind.label.values())
    assert kind.severity in SEVERITIES
    parts = {f for _, f, _, _ in string.Formatter().parse(kind.key) if f}
    assert parts and parts <= PARTS, parts
    assert (kind.name in kinds.read_kinds()) == (kind.section is not None)  # what a digest reads one by one
    if kind.section == "problems":
        assert problem_of(kind.name) is not None and kind.total == "problems"
    elif kind.section is None:
        assert kind.name in kinds.unlisted() and kind.name not in kinds.read_kinds()
    elif kind.section not in SPECIAL_SECTIONS:  # a list of its own, headed by the kind's label
        for lang in ("vi", "en"):
            assert (kind.section, kind.label[lang]) in headings(lang)
        assert kind.section not in DIGEST_KEYS and kind.total not in DIGEST_TOTALS  # would overwrite them


def test_the_serious_kinds_are_the_ones_alerts_need():
    assert {k.name for k in KINDS if k.severity != "info"} == {
        "site_unreachable", "extraction_broken", "article_removed", "views_anomaly"}
    assert {p.name for p in PROBLEMS if p.severity == "critical"} == {"unreachable", "extraction_broken"}


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_every_problem_kind_has_its_line_in_both_languages(problem):
    for lang in ("vi", "en"):
        line = problem.label[lang].format(since="01/12/2026 09:00", runs=3, field="views", share=100, usual=0)
        assert line and "{" not in line
    assert problem.severity in SEVERITIES
    if problem.event:
        assert kinds.event_kind(problem.event).section == "problems"
        assert set(problem.details) <= {"since", "runs", "error", "field", "share", "usual", "sample_id"}


def test_detect_writes_each_kind_with_the_dedupe_key_of_its_record(world):
    every_kind(world)
    found = stored(world)
    assert {k for k, _ in found} == {k.name for k in KINDS}
    for name, key in found:
        pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(kinds.event_kind(name).key))
        assert re.fullmatch(pattern, key), (name, key)
    assert detect(world.db, world.config) == []  # the keys make a rerun a no-op


def test_detect_takes_the_key_from_the_record(world, monkeypatch):
    fresh = dataclasses.replace(kinds.EVENT_KINDS["new_article"], key="fresh:{site}:{article}")
    monkeypatch.setitem(kinds.EVENT_KINDS, "new_article", fresh)
    populate(world)
    keys = [k for name, k in stored(world) if name == "new_article"]
    assert keys and all(re.fullmatch(r"fresh:[a-z-]+:\d+", k) for k in keys)
    with pytest.raises(KeyError, match="unknown event kind 'article_moved'"):
        _Run(world.db.conn, iso(20), DetectOptions()).emit("article_moved", "vinh-hung", None, iso(20), {})


def test_the_digest_shows_every_kind_where_its_record_says(world):
    every_kind(world)
    data = build(world.db, world.config, world.config.recipient("ubnd-hoang-mai"), iso(-25), iso(24))
    for k in KINDS:
        if k.section:
            assert data[k.section], k.name
        if k.total:
            assert data["totals"][k.total] > 0, k.name
    assert {p["kind"] for p in data["problems"]} >= {"unreachable", "extraction_broken"}
    assert set(data) == DIGEST_KEYS | {k.section for k in kinds.listed()}
    assert set(data["totals"]) == DIGEST_TOTALS | {k.total for k in kinds.listed()}
    for lang in ("vi", "en"):
        data["recipient"]["language"] = lang
        r = render(data)
        for _, heading in headings(lang):
            assert f"== {heading} ==" in r.text and f"### {heading}" in r.markdown and f">{heading}</h2>" in r.html


def test_docs_and_datasette_list_the_kinds_of_the_records():
    text = DOCS.read_text(encoding="utf-8")
    events = text[text.index("| kind | severity | when | details |"):]
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \|", events.split("\n\n")[0], re.M)
    assert rows == [(k.name, k.severity) for k in KINDS]
    problems = text[text.index("| kind (JSON `kind`) | the office reads |"):]
    assert re.findall(r"^  \| `(\w+)`", problems.split("\n\n")[0], re.M) == [p.name for p in PROBLEMS]
    described = shipped()["database"]["tables"]["events"]["columns"]["kind"]
    assert described == event_kinds() and all(f"{k.name} ({k.label['vi'].lower()})" in described for k in KINDS)


MOVED = EventKind("article_moved", "moved:{article}:{at}", {"vi": "Bài chuyển chuyên mục", "en": "Moved posts"},
                  "info", "moved", "moved", "an article's category changed")


def test_a_new_kind_is_one_record(world, monkeypatch):
    monkeypatch.setitem(kinds.EVENT_KINDS, MOVED.name, MOVED)  # what adding its record to KINDS does
    populate(world)
    aid, url = world.db.conn.execute("SELECT id, url FROM articles WHERE key = 'n1'").fetchone()
    run = _Run(world.db.conn, iso(13), DetectOptions())
    for _ in range(2):  # detect's emit takes it, and its dedupe key keeps it once
        run.emit("article_moved", "vinh-hung", aid, iso(7), {"title": "Lịch tiếp công dân tháng 3", "url": url,
                                                             "from": "Tin tức", "to": "Thông báo"}, at=iso(7))
    assert [k for name, k in stored(world) if name == "article_moved"] == [f"moved:{aid}:{iso(7)}"]

    data = build(world.db, world.config, world.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
    assert data["moved"] == [{"site_name": "Phường Vĩnh Hưng", "title": "Lịch tiếp công dân tháng 3", "url": url,
                              "at": iso(7)}]
    assert data["totals"]["moved"] == 1
    assert list(data).index("moved") == list(data).index("anomalies") + 1  # after the kinds before it
    text = render(data).text
    assert f"== Bài chuyển chuyên mục ==\n- 02/03/2026 15:00 · Phường Vĩnh Hưng: Lịch tiếp công dân tháng 3\n  {url}\n" in text
    html, md = render(data).html, render(data).markdown
    assert ">Bài chuyển chuyên mục</h2>" in html and "### Bài chuyển chuyên mục\n\n- 02/03/2026 15:00 · " in md
    data["recipient"]["language"] = "en"
    assert "== Moved posts ==" in render(data).text
    assert "article_moved (bài chuyển chuyên mục)" in event_kinds()

    older = json.loads(json.dumps(data))  # a digest stored before the kind existed still renders
    del older["moved"], older["totals"]["moved"]
    assert "Moved posts" not in render(older).text
