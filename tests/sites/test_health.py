"""Health: a template change mid-life is flagged extraction_broken after one crawl; the kept page
reruns offline in `sites check`; failures count into a streak."""

from __future__ import annotations

import re
import sqlite3

from .conftest import as_json


def _health(ops) -> dict:
    return {h["site_id"]: h for h in as_json(ops.cli("sites", "health", "--json"))}


def test_template_change_is_flagged_within_one_crawl(ops):
    for sid in ("vinh-hung", "xa-quang-phu"):
        ops.cli("sites", "add", ops.home(sid), "--id", sid, "--yes")
    assert {h["status"] for h in _health(ops).values()} == {"never_crawled"}
    ops.crawl()
    ops.sim.advance(hours=3)
    ops.crawl()
    before = _health(ops)
    assert before["vinh-hung"]["status"] == "ok", before["vinh-hung"]
    assert before["vinh-hung"]["missing"]["views"]["usual"] < 0.5

    ops.sim.switch_template("vinh-hung", "plain")  # the portal is redesigned: lists lose their counts
    ops.sim.advance(hours=1)
    ops.crawl()
    after = _health(ops)
    vh = after["vinh-hung"]
    assert vh["status"] == "extraction_broken", vh
    assert vh["missing"]["views"]["broken"] and vh["missing"]["views"]["share"] == 1.0
    assert "lack views" in vh["detail"]
    assert vh["last_success_at"] and vh["failure_streak"] == 0
    assert after["xa-quang-phu"]["status"] == "ok"

    table = " ".join(ops.cli("sites", "health", "--problems").output.split())
    assert "vinh-hung" in table and "xa-quang-phu" not in table
    # the crawl kept the list page whose counts vanished, and health points at it
    conn = sqlite3.connect(ops.db)
    kept_by_crawl = conn.execute(
        "SELECT id FROM html_samples WHERE site_id = 'vinh-hung' AND reason LIKE 'fields lost on the list page%'"
    ).fetchall()
    conn.close()
    assert kept_by_crawl
    assert f"sites check vinh-hung --sample {vh['sample_id']}" in table
    assert vh["sample_id"] == max(r[0] for r in kept_by_crawl)

    # keep the page, then rerun extraction on it offline, selector by selector
    kept = ops.cli("sites", "check", "vinh-hung", "--keep", "--json", expect=None)
    ids = [int(x) for x in re.findall(r"#(\d+)", kept.output.split("kept as html_samples", 1)[1].split("\n")[0])]
    assert len(ids) == 2 and _health(ops)["vinh-hung"]["sample_id"] == ids[1]  # list page, article page
    sample = ids[0]
    ops.server.stop()  # offline for real
    res = ops.cli("sites", "check", "vinh-hung", "--sample", str(sample), "--offline", "--json", expect=None)
    report = as_json(res)
    assert report["source"].startswith(f"html_samples #{sample}")
    assert report["list_count"] > 0 and report["first_entries"][0]["views"] is None
    item = [r for r in report["selectors"] if r["key"] == "list_item"]
    assert item and item[0]["css"] == "div.asset-abstract" and item[0]["matches"] == 0


def test_failed_crawls_make_a_streak_then_unreachable(ops):
    ops.cli("sites", "add", ops.home("dai-phuc"), "--id", "dai-phuc", "--yes")
    ops.crawl()
    ops.sim.set_faults(site="dai-phuc", down=True)
    for n in (1, 2, 3):
        ops.crawl()
        h = _health(ops)["dai-phuc"]
        assert h["failure_streak"] == n
        assert h["status"] == ("unreachable" if n >= 3 else "failing"), h
    ops.sim.clear_faults("dai-phuc")
    ops.crawl()
    assert _health(ops)["dai-phuc"]["status"] == "ok"
