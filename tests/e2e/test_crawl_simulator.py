"""End to end: real Scrapy crawls of the simulator over HTTP into a real SQLite file, checked
against the simulator's ground truth."""

import pytest

pytestmark = pytest.mark.slow


def stored(portal):
    db = portal.db()
    rows = {(r["site_id"], r["url"]): r for r in db.query("SELECT * FROM articles")}
    db.conn.close()
    return rows


def norm(text):
    """HTML collapses whitespace: compare paragraphs with runs of spaces folded."""
    return [" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip()]


def expected_views(t):
    return t["views"] if t["views"] is not None else t["list_views"]


def counts(portal):
    db = portal.db()
    out = {t: db.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
           for t in ("articles", "view_counts", "article_revisions", "fetch_errors")}
    db.conn.close()
    return out


def test_first_crawl_matches_ground_truth_exactly(portal):
    result = portal.crawl()
    assert {c["site_id"] for c in result.crawls} == set(portal.sim.sites)
    assert all(c["outcome"] == "ok" for c in result.crawls), result.crawls
    truth = portal.sim.truth(include_removed=False)
    rows = stored(portal)
    missing = [t["url"] for t in truth if (t["site_id"], t["url"]) not in rows]
    assert not missing, f"{len(missing)} articles not found, e.g. {missing[:3]}"
    assert len(rows) == len(truth)
    for t in truth:
        r = rows[(t["site_id"], t["url"])]
        assert r["title"] == t["title"], t["url"]
        assert r["published_at"] == t["published_at"], t["url"]
        assert r["published_text"] == t["published_text"], t["url"]
        assert r["views"] == expected_views(t), t["url"]
        assert r["category"] == t["category"], t["url"]
        assert norm(r["body"]) == norm(t["body"]), t["url"]
        assert r["status"] == "live"
    # one reading per article with a count, none for articles without one
    c = counts(portal)
    assert c["view_counts"] == sum(1 for t in truth if expected_views(t) is not None)
    assert c["fetch_errors"] == 0


def test_seed_article_is_the_reference_case(portal):
    portal.crawl(["vinh-hung"])
    db = portal.db()
    row = db.execute(
        "SELECT title, published_at, published_text, views, body FROM articles"
        " WHERE title LIKE 'Đảng ủy phường Vĩnh Hưng quán triệt%'"
    ).fetchone()
    db.conn.close()
    title, published_at, published_text, views, body = row
    assert title == ("Đảng ủy phường Vĩnh Hưng quán triệt và triển khai chương trình hành động thực hiện "
                     "Nghị quyết đại hội Đảng bộ phường lần thứ XXV, nhiệm kỳ 2020-2025")
    assert published_at == "2020-08-01T09:20:00Z"  # 01/08/2020 16:20 in Hanoi
    assert published_text == "01/08/2020 | 16:20"
    assert views == 129
    assert body.startswith("Ngày 24/7/2020, Đảng bộ phường Vĩnh Hưng đã tổ chức Hội nghị quán triệt")


def revisit_always(portal):
    """Every run re-reads every article page: the pipeline must then match the truth exactly."""
    text = portal.config.read_text(encoding="utf-8")
    portal.config.write_text(text.replace("\nprofile = ", '\nrevisit = { mode = "always" }\nprofile = '), encoding="utf-8")


def test_time_passes_new_posts_views_grow_and_readings_are_exact(portal):
    revisit_always(portal)
    portal.crawl()
    before_truth = {t["url"]: t for t in portal.sim.truth(include_body=False, include_removed=False)}
    before = counts(portal)
    portal.sim.advance(hours=30)
    truth = portal.sim.truth(include_body=False, include_removed=False)
    new = [t for t in truth if t["url"] not in before_truth]
    assert new, "the simulator should have published new posts in 30 hours"
    changed = [t for t in truth if t["url"] in before_truth
               and expected_views(t) != expected_views(before_truth[t["url"]])]
    assert changed, "views should have grown"
    portal.crawl()
    rows = stored(portal)
    for t in truth:
        r = rows[(t["site_id"], t["url"])]
        assert r["views"] == expected_views(t), t["url"]
        assert r["title"] == t["title"]
    after = counts(portal)
    assert after["articles"] - before["articles"] == len(new)
    new_readings = sum(1 for t in new if expected_views(t) is not None)
    assert after["view_counts"] - before["view_counts"] == len(changed) + new_readings

    # an identical crawl (nothing changed in the simulator) adds no rows at all
    portal.crawl()
    assert counts(portal) == after


def test_edit_and_removal_are_recorded(portal):
    portal.crawl()
    truth = portal.sim.truth(include_body=False, include_removed=False)
    ward = [t for t in truth if t["site_id"] == "vinh-hung"]
    edited, removed = ward[1], ward[2]
    portal.sim.edit(edited["url"], title=edited["title"] + " (sửa đổi)")
    portal.sim.remove(removed["url"])
    portal.crawl()
    db = portal.db()
    revs = list(db.query(
        "SELECT r.field, r.old_value, r.new_value FROM article_revisions r JOIN articles a ON a.id = r.article_id"
        " WHERE a.url = ?", [edited["url"]]))
    assert {"field": "title", "old_value": edited["title"], "new_value": edited["title"] + " (sửa đổi)"} in revs
    status = db.execute("SELECT status, gone_checks FROM articles WHERE url = ?", [removed["url"]]).fetchone()
    assert status == ("live", 1)  # one 404 is not yet a removal
    db.conn.close()
    portal.crawl()
    db = portal.db()
    assert db.execute("SELECT status FROM articles WHERE url = ?", [removed["url"]]).fetchone() == ("removed",)
    db.conn.close()


def test_faults_are_reported_and_nothing_stored_is_lost(portal):
    portal.crawl()
    before = counts(portal)
    portal.sim.set_faults(site="tuong-mai", down=True)
    portal.sim.set_faults(site="vinh-hung", error_rate=0.3)
    result = portal.crawl()
    by_site = {c["site_id"]: c for c in result.crawls}
    assert by_site["tuong-mai"]["outcome"] == "failed"
    assert "503" in (by_site["tuong-mai"]["error_summary"] or "")
    assert by_site["hoang-mai"]["outcome"] == "ok"
    after = counts(portal)
    assert after["articles"] == before["articles"]
    db = portal.db()
    assert db.execute("SELECT COUNT(*) FROM articles WHERE status != 'live'").fetchone()[0] == 0
    err = db.execute("SELECT site_id, url, error FROM fetch_errors WHERE site_id = 'tuong-mai'").fetchone()
    assert err[1].startswith(portal.url) and "HTTP 503" in err[2]
    db.conn.close()


def test_template_change_keeps_the_page_for_the_operator(portal):
    portal.crawl(["vinh-hung", "ea-kao"])
    portal.crawl(["vinh-hung", "ea-kao"])  # nothing lost: nothing kept
    db = portal.db()
    assert db.execute("SELECT COUNT(*) FROM html_samples").fetchone()[0] == 0
    db.conn.close()
    portal.sim.set_faults(site="vinh-hung", hide_views=True)
    portal.crawl(["vinh-hung", "ea-kao"])
    db = portal.db()
    rows = db.execute("SELECT site_id, url, reason, html FROM html_samples").fetchall()
    db.conn.close()
    assert {r[0] for r in rows} == {"vinh-hung"}
    assert all("view counts missing on 100% of items" in r[2] for r in rows)
    assert all(r[1].startswith(portal.url) and "asset-abstract" in r[3] for r in rows)
