"""No webhook token in deliveries.channel: a token in the URL's path (Slack, Discord …) is masked
where the channel key is stored and shown, old rows are rewritten by a migration, and a delivery
planned or sent before the upgrade is neither sent twice nor lost (a real webhook receiver)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from monitor.channels import channel_key
from monitor.channels.masking import masked_url, webhook_key
from monitor.notify import ledger
from monitor.store import schema
from monitor.store.connect import open_db
from monitor.store.schema import MIGRATIONS
from tests.conftest import ROOT
from tests.world import World, at, make_config, populate

from .servers import WebhookReceiver

TOKEN = "q1w2E3r4T5y6U7i8O9p0AsDf"
PATH = f"/services/T0123ABCD/B0456EFGH/{TOKEN}"
SENT = PATH + "?token=also-secret"  # the path the receiver sees (the query is never part of the key)


def recipient(url: str) -> str:
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
send_at = "07:30"
channels = [{{ type = "webhook", url = "{url}", secret_env = "PW_TEST_HOOK_SECRET", timeout = 5 }}]
"""


@pytest.fixture
def hook():
    h = WebhookReceiver()
    yield h
    h.stop()


@pytest.fixture
def world(tmp_path, monkeypatch, hook):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", "s3cret")
    w = World(tmp_path, make_config(tmp_path, recipient(hook.url + SENT)), monkeypatch)
    populate(w)
    yield w
    w.store.close()


def test_masked_url_keeps_where_it_goes_and_cuts_what_looks_secret():
    assert masked_url("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX") == \
        "https://hooks.slack.com/services/T0…/B0…/XX…"
    assert masked_url("https://discord.com/api/webhooks/123456789012/abcDEF-ghiJKL_mno") == \
        "https://discord.com/api/webhooks/12…/ab…"
    assert masked_url("https://bot:hunter2@example.vn:8443/hooks/portalwatch?key=1#x") == \
        "https://example.vn:8443/hooks/portalwatch"
    # a URL with nothing secret keeps its key as it always was; two tokens on one host stay apart
    assert webhook_key("https://example.vn/hooks/portalwatch?x=1") == "webhook:https://example.vn/hooks/portalwatch"
    a, b = webhook_key("https://h.vn/hook/AAAA1111"), webhook_key("https://h.vn/hook/AAAA2222")
    assert a != b and a.startswith("webhook:https://h.vn/hook/AA…#") and "1111" not in a


def test_a_webhook_token_is_never_stored_or_shown(world, hook):
    results = ledger.run(world.db, world.config, now=at(24))
    assert [r.status for r in results] == ["delivered"] and hook.on(SENT)
    stored = [r[0] for r in world.db.conn.execute("SELECT channel FROM deliveries")]
    assert stored == [channel_key(world.config.recipients[0].channels[0])]
    assert TOKEN not in stored[0] and "also-secret" not in stored[0]
    assert stored[0].startswith(f"webhook:{hook.url}/services/T0…/B0…/q1…#"), stored
    assert TOKEN not in results[0].channel
    env = {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(ROOT), "PW_TEST_HOOK_SECRET": "s3cret"}
    hook.status = 500  # the next window fails: `status` lists the open delivery too
    ledger.run(world.db, world.config, now=at(48))
    for args in (["deliveries", "--all"], ["status", "--json"]):
        out = subprocess.run([sys.executable, "-m", "monitor", "--config", str(world.config.path), "--db",
                              str(world.path), *args], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        assert TOKEN not in out.stdout and "/services/T0…" in out.stdout, out.stdout


def test_old_rows_are_rewritten_and_every_window_is_still_delivered_once(world, hook, monkeypatch):
    """Before the upgrade: window 1 delivered, window 2 planned but not sent, both under the old
    key (the URL itself). After it: the keys are masked, window 2 goes out once, window 1 never
    again, and no window gets a second row."""
    ledger.run(world.db, world.config, now=at(24))  # window 1, delivered
    ledger.plan(world.db, world.config, world.config.recipients[0], at(48), check_due=True)  # window 2, pending
    assert len(hook.on(SENT)) == 1
    old_key = "webhook:" + hook.url + PATH  # what deliveries.channel held before masking
    conn = world.db.conn
    conn.execute("UPDATE deliveries SET channel = ?", (old_key,))
    # the database as it was before the re-key migration (the later ones' schema is in place
    # already: only the re-key runs, then the version is the newest again)
    rekey = next(i for i, m in enumerate(MIGRATIONS) if "portalwatch_rekey_channel" in m)
    conn.execute(f"PRAGMA user_version = {rekey}")
    world.store.close()

    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:rekey + 1])
    db = open_db(world.path)  # the upgrade
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS)
    db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    world.db = db
    rows = db.conn.execute("SELECT channel, status FROM deliveries ORDER BY id").fetchall()
    key = channel_key(world.config.recipients[0].channels[0])
    assert rows == [(key, "delivered"), (key, "pending")] and TOKEN not in key
    for now in (at(48), at(49), at(50)):
        ledger.run(db, world.config, now=now)
    assert len(hook.on(SENT)) == 2  # window 1 once, window 2 once
    windows = [json.loads(body)["window"]["until"] for _, _, body in hook.on(SENT)]
    assert len(set(windows)) == 2
    assert db.conn.execute("SELECT COUNT(*), SUM(status = 'delivered') FROM deliveries").fetchone() == (2, 2)
    db.conn.close()
    world.store.db = open_db(world.path)  # for the fixture's close
    world.store.conn = world.store.db.conn
    assert sqlite3.connect(world.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
