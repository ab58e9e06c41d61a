"""Renames and mergers: a merged ward's history stays queryable under the new unit."""

from __future__ import annotations

from .conftest import as_json


def _counts(ops, sql, args=()):
    from monitor.store.connect import open_db

    db = open_db(ops.db)
    try:
        return dict(db.conn.execute(sql, args).fetchall())
    finally:
        db.conn.close()


def test_merged_and_renamed_units_keep_their_history(ops):
    for sid in ("vinh-hung", "hoang-liet", "dai-phuc"):
        ops.cli("sites", "add", ops.home(sid), "--id", sid, "--yes")
    ops.crawl()
    old = _counts(ops, "SELECT site_id, COUNT(*) FROM articles GROUP BY site_id")
    assert set(old) == {"vinh-hung", "hoang-liet", "dai-phuc"} and all(old.values())

    # 1 July 2025: Vĩnh Hưng + Hoàng Liệt become one new ward with its own portal; Đại Phúc's id changes
    ops.cli("sites", "add", ops.home("tuong-mai"), "--id", "vinh-hung-moi", "--yes")
    text = ops.config.read_text(encoding="utf-8")
    for sid in ("vinh-hung", "hoang-liet"):
        text = text.replace(f'id = "{sid}"\n', f'id = "{sid}"\nenabled = false   # merged into vinh-hung-moi\n')
    text = text.replace('id = "vinh-hung-moi"\n', 'id = "vinh-hung-moi"\nmerged_from = ["vinh-hung", "hoang-liet"]\n')
    text = text.replace('id = "dai-phuc"\n', 'id = "phuong-dai-phuc"\naliases = ["dai-phuc"]\n')
    ops.config.write_text(text, encoding="utf-8")
    ops.crawl()

    new = _counts(ops, "SELECT site_id, COUNT(*) FROM articles GROUP BY site_id")
    unit = _counts(ops, "SELECT site_id, COUNT(*) FROM unit_articles WHERE unit_id = ? GROUP BY site_id",
                   ("vinh-hung-moi",))
    assert unit == {"vinh-hung": old["vinh-hung"], "hoang-liet": old["hoang-liet"],
                    "vinh-hung-moi": new["vinh-hung-moi"]}
    relations = _counts(ops, "SELECT site_id, relation FROM site_lineage WHERE unit_id = ?", ("vinh-hung-moi",))
    assert relations == {"vinh-hung": "merged", "hoang-liet": "merged", "vinh-hung-moi": "self"}
    renamed = _counts(ops, "SELECT site_id, COUNT(*) FROM unit_articles WHERE unit_id = ? GROUP BY site_id",
                      ("phuong-dai-phuc",))
    assert renamed["dai-phuc"] == old["dai-phuc"]

    lineage = as_json(ops.cli("sites", "lineage", "vinh-hung-moi", "--json"))
    assert {s["site_id"]: s["articles"] for s in lineage["sources"]} == unit

    # the renamed site's health continues from the crawls under its former id; the old id still resolves
    health = {h["site_id"]: h for h in as_json(ops.cli("sites", "health", "--json"))}
    assert health["phuong-dai-phuc"]["status"] == "ok"
    assert as_json(ops.cli("sites", "health", "--site", "dai-phuc", "--json"))[0]["site_id"] == "phuong-dai-phuc"
    assert health["vinh-hung"]["enabled"] is False
