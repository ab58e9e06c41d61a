"""Crawled text never reaches the terminal as control codes (the real CLI)."""

import os
import subprocess
import sys

import pytest

from crawler.items import ArticleItem
from monitor.store.db import Store
from tests.e2e.hostile import write_config

pytestmark = pytest.mark.slow

HOSTILE = "\x1b[31mĐỏ\x1b[0m \u202eabc [bold]x[/bold] \x9b2J\x07"


def cli(cfg, db, *args):
    env = {**os.environ, "COLUMNS": "200", "PORTALWATCH_NOW": "2026-11-15T03:00:00Z"}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_control_characters_and_bidi_overrides_are_shown_not_sent(tmp_path):
    cfg = write_config(tmp_path / "sites.toml", {"a": ["http://127.0.0.1:9/tin-tuc"]})
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('name = "Phường a"', 'name = "Phường \\u001b[2J a"'),
                   encoding="utf-8")
    db = tmp_path / "pw.db"
    store = Store(db)
    try:
        from monitor.config import load_config

        store.sync_sites(load_config(cfg).sites)
        cid = store.begin_crawl("a")
        store.apply([ArticleItem(site_id="a", key="k1", url="http://127.0.0.1:9/-/view_content/1-a.html",
                                 source="list", observed_at="2026-11-15T02:00:00Z", title=HOSTILE + " Hà Nội",
                                 views=5)], {"a": cid})
        store.finish_crawl(cid, "partial", "article page: " + HOSTILE)
    finally:
        store.close()
    outputs = {
        "query": cli(cfg, db, "query", "SELECT title FROM articles"),
        "search": cli(cfg, db, "search", "Hà Nội"),
        "sites list": cli(cfg, db, "sites", "list"),
        "status": cli(cfg, db, "status"),
    }
    for name, out in outputs.items():
        assert not any(ch in out for ch in "\x1b\x9b\x07\u202e"), (name, out)
    for name in ("query", "search"):
        out = outputs[name]
        assert "\\x1b[31mĐỏ\\x1b[0m \\u202eabc [bold]x[/bold] \\x9b2J\\x07" in out, (name, out)
    assert "\\x1b[2J" in outputs["sites list"]
    assert "article page: \\x1b[31mĐỏ" in outputs["status"]
