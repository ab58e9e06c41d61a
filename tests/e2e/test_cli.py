"""The `portalwatch` command as a user runs it: demo, crawl, sites list, sites check."""

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.slow


def run(*args, cwd=None, check=True):
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_demo_runs_end_to_end_and_leaves_files(tmp_path):
    proc = run("demo", "--dir", str(tmp_path / "d"))
    out = proc.stdout
    assert "1. First crawl (the baseline)" in out
    assert "3. What changed" in out and "Biggest view gains" in out
    assert "edited" in out and "removed" in out
    d = tmp_path / "d"
    assert (d / "sites.toml").exists() and (d / "portalwatch.db").exists()
    import sqlite3

    db = sqlite3.connect(d / "portalwatch.db")
    assert db.execute("SELECT COUNT(*) FROM crawls WHERE outcome = 'ok'").fetchone()[0] == 84  # 12 sites × 7
    last, = db.execute("SELECT MAX(started_at) FROM crawls").fetchone()  # the demo ends shortly before now
    assert timedelta(0) < datetime.now(UTC) - datetime.fromisoformat(last.replace("Z", "+00:00")) < timedelta(days=2)
    assert db.execute("SELECT COUNT(*) FROM articles WHERE status = 'removed'").fetchone()[0] == 1
    new = db.execute("SELECT COUNT(*) FROM articles WHERE first_seen_at > (SELECT MIN(started_at) FROM crawls"
                     " WHERE id > 12)").fetchone()[0]
    assert new > 0
    # the user can go on with the CLI on what the demo left
    listing = run("--config", str(d / "sites.toml"), "--db", str(d / "portalwatch.db"), "sites", "list", "--json")
    rows = json.loads(listing.stdout)
    assert {r["id"] for r in rows} >= {"vinh-hung", "hoang-mai", "ea-kao"}
    assert all(r["last_outcome"] == "ok" and r["articles"] > 0 for r in rows)
    # and open the web pages as the demo's admin, with the password it printed
    assert "The web pages" in out and "portalwatch --config" in out and " web" in out
    password = re.search(r"log in as demo, password\s+(\S+)", out).group(1)
    from monitor.web.users import authenticate

    assert authenticate(d / "portalwatch.db", "demo", password).role == "admin"
    # the chat-sized digest of the demo (what Zalo and Apprise send) fits one Zalo message
    since, until = re.search(r'digest --preview digest\.html --since "([^"]+)" --until "([^"]+)"', out).groups()
    chat = tmp_path / "chat.txt"  # the demo's own hint: its day, whatever the clock
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(d / "sites.toml"), "--db",
                           str(d / "portalwatch.db"), "digest", "--preview", str(chat), "--format", "chat",
                           "--since", since, "--until", until],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = chat.read_text(encoding="utf-8")
    assert 300 < len(text) <= 2000 and f"{len(text):,} characters" in proc.stderr
    assert text.startswith("UBND quận Hoàng Mai · bản tin") and "Bài mới:" in text and "Đọc nhiều nhất:" in text
    assert not re.search(r"\\[()\[\]]|\|---|^#", text, re.M)  # no Markdown escapes, tables or headings


def test_demo_refuses_to_overwrite_a_real_config(tmp_path):
    (tmp_path / "sites.toml").write_text("[[site]]\n", encoding="utf-8")
    proc = run("demo", "--dir", str(tmp_path), check=False)
    assert proc.returncode != 0
    assert "was not written by the demo" in proc.stderr + proc.stdout
    assert (tmp_path / "sites.toml").read_text(encoding="utf-8") == "[[site]]\n"


def test_crawl_command_and_unknown_site(portal):
    proc = run("--config", str(portal.config), "--db", str(portal.db_path), "crawl", "--site", "vinh-hung", "--json")
    crawls = json.loads(proc.stdout[proc.stdout.index("["):])
    assert [c["site_id"] for c in crawls] == ["vinh-hung"] and crawls[0]["outcome"] == "ok"
    bad = run("--config", str(portal.config), "--db", str(portal.db_path), "crawl", "--site", "nope", check=False)
    assert bad.returncode != 0
    assert "no site with id 'nope'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("site_id", ["vinh-hung", "xa-quang-phu", "dai-phuc", "ea-kao"])
def test_sites_check_shows_fields_and_rules(portal, site_id):
    proc = run("--config", str(portal.config), "sites", "check", site_id, "--json")
    report = json.loads(proc.stdout)
    assert report["ok"], report["problems"]
    assert report["list_count"] >= 5
    assert report["robots_ok"] is True
    art = report["article"]
    truth = {t["url"]: t for t in portal.sim.truth(include_body=False)}
    expected = truth[report["article_url"]]
    assert art["title"]["value"] == expected["title"]
    assert art["published_at"]["value"].startswith(expected["published_at"])
    assert art["views"]["value"] == expected["views"]
    assert art["title"]["rule"]  # which selector or rule produced it
    first = report["first_entries"][0]
    assert first["url"] in truth


def test_sites_check_names_site_and_url_when_selectors_break(portal):
    text = portal.config.read_text(encoding="utf-8")
    text = text.replace('id = "vinh-hung"', 'id = "vinh-hung"\nselectors = { list_item = "div.does-not-exist" }')
    portal.config.write_text(text, encoding="utf-8")
    proc = run("--config", str(portal.config), "sites", "check", "vinh-hung", check=False)
    assert proc.returncode == 1
    out = " ".join(proc.stdout.split())
    assert "site 'vinh-hung': selector list_item = 'div.does-not-exist' matched nothing on http://127.0.0.1" in out


def test_page_text_with_rich_markup_prints_as_text(portal):
    """A title like "[red]…[/]" or "[link=…]" from a page is shown literally, never as markup."""
    truth = [t for t in portal.sim.truth(include_body=False) if t["site_id"] == "vinh-hung"]
    hostile = "[bold red]Hội nghị[/] [link=http://evil.example]bấm vào đây[/link]"
    portal.crawl(["vinh-hung"])
    portal.sim.edit(truth[0]["url"], title=hostile)
    proc = run("--config", str(portal.config), "--db", str(portal.db_path), "crawl", "--site", "vinh-hung")
    assert proc.returncode == 0
    from rich.console import Console

    from monitor.demo import show_changes

    console = Console(record=True, width=200)
    show_changes(portal.db_path, since="2000-01-01T00:00:00Z", console=console)
    text = console.export_text()
    assert "[bold red]Hội nghị[/]" in text and "[link=http://evil.example]" in text
