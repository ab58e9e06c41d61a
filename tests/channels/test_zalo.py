"""The Zalo Official Account channel against a local stand-in of Zalo's API (tests/channels/zalo_api.py
says which documentation page each request and answer comes from), through the ledger."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from crawler import clock
from monitor.channels import check_channel
from monitor.channels.zalo import ZaloChannel
from monitor.notify import ledger
from tests.world import World, at, make_config, populate

from .zalo_api import ZaloStandIn

ROOT = Path(__file__).resolve().parents[2]
APP, SECRET, ACCESS, REFRESH = "4291763606161179100", "s3cr3t-key", "access-0", "refresh-0"
USERS = ["2512523625412515", "8734000000000001"]


def office(users=USERS, extra: str = "") -> str:
    ids = ", ".join(f'"{u}"' for u in users)
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
channels = [{{ type = "zalo", user_ids = [{ids}], app_id = "{APP}", access_token_env = "PW_ZALO_ACCESS", refresh_token_env = "PW_ZALO_REFRESH", secret_key_env = "PW_ZALO_SECRET", timeout = 5{extra} }}]
"""


@pytest.fixture
def zalo(monkeypatch):
    api = ZaloStandIn(APP, SECRET, ACCESS, REFRESH)
    monkeypatch.setenv("PORTALWATCH_ZALO_API_URL", api.url)
    monkeypatch.setenv("PORTALWATCH_ZALO_OAUTH_URL", api.url)
    monkeypatch.setenv("PW_ZALO_ACCESS", ACCESS)
    monkeypatch.setenv("PW_ZALO_REFRESH", REFRESH)
    monkeypatch.setenv("PW_ZALO_SECRET", SECRET)
    yield api
    api.stop()


@pytest.fixture
def world(tmp_path, monkeypatch, zalo):
    w = World(tmp_path, make_config(tmp_path, office()), monkeypatch)
    populate(w)
    yield w
    w.store.close()


def run(w, now, force: bool = False) -> list:
    """The ledger at `now`, with the clock the channel reads pinned there too."""
    w.mp.setenv("PORTALWATCH_NOW", clock.iso(now))
    return ledger.run(w.db, w.config, now=now, force=force)


def state(w) -> dict:
    return json.loads((w.path.parent / f".portalwatch-zalo-{APP}.json").read_text(encoding="utf-8"))


def test_each_user_gets_the_chat_sized_digest_once(world, zalo):
    (r,) = run(world, at(24), force=True)
    assert (r.status, r.detail) == ("delivered", "2 Zalo user(s); quota reply 8/8")
    assert [m[0] for m in zalo.messages] == USERS and {m[2] for m in zalo.messages} == {ACCESS}
    text = zalo.messages[0][1]
    assert len(text) <= 2000 and text.startswith("UBND quận Hoàng Mai · bản tin 03/03/2026")
    assert "3 bài mới · +111 lượt xem" in text and "|" not in text and "\\(" not in text
    assert r.channel == f"zalo:{','.join(sorted(USERS))}"  # the ledger's key holds no secret
    assert run(world, at(25)) == [] and len(zalo.messages) == 2


def test_an_expired_token_is_refreshed_once_and_the_new_pair_kept(world, zalo, tmp_path):
    zalo.expire()  # -220 "access_token is expired or removed"
    (r,) = run(world, at(24), force=True)
    assert r.status == "delivered", r.detail
    assert len(zalo.refreshes) == 1 and zalo.refreshes[0] == {
        "refresh_token": REFRESH, "app_id": APP, "grant_type": "refresh_token"}
    assert {m[2] for m in zalo.messages} == {"access-1"}
    saved = state(world)
    assert (saved["access_token"], saved["refresh_token"]) == ("access-1", "refresh-1")
    assert saved["expires_at"] == clock.iso(at(24) + timedelta(hours=25))  # expires_in "90000"
    path = tmp_path / f".portalwatch-zalo-{APP}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the environment still holds the first pair, whose refresh token is void now: the next digest
    # uses the file's pair, and a refresh when it expires uses the rotated refresh token
    zalo.expire()
    run(world, at(48))
    assert [f["refresh_token"] for f in zalo.refreshes] == [REFRESH, "refresh-1"]
    assert state(world)["access_token"] == "access-2" and len(zalo.messages) == 4


def test_a_known_expiry_refreshes_before_sending(world, zalo):
    run(world, at(24), force=True)
    zalo.expire()
    run(world, at(48))  # refreshed on -220, pair valid 25 h from at(48)
    assert (len(zalo.refreshes), zalo.bad_tokens) == (1, [(ACCESS, -220)])
    run(world, at(48 + 25))  # past expires_at: refreshed first, no message refused for its token
    assert (len(zalo.refreshes), zalo.bad_tokens) == (2, [(ACCESS, -220)])
    assert {m[2] for m in zalo.messages[-2:]} == {"access-2"}


def test_a_user_who_has_not_interacted_fails_in_words_and_only_they_get_the_retry(world, zalo):
    zalo.answers[USERS[1]] = [-230]
    (r,) = run(world, at(24), force=True)
    assert r.status == "failed"
    assert r.detail == (f"zalo: 1 of 2 user(s) not reached (1 reached, not sent again): user {USERS[1]}: Zalo "
                        "error -230: the user has not interacted with the Official Account in the past 7 days (Zalo"
                        " delivers these messages only to users who wrote to the OA within 7 days: ask them to send"
                        " it a message) ('User has not interacted with the OA in the past 7 days')")
    assert [m[0] for m in zalo.messages] == [USERS[0]]
    # the retry, after the backoff: the first user is not sent the digest again
    (again,) = run(world, at(24) + timedelta(minutes=5))
    assert (again.status, again.detail, again.attempts) == ("delivered", "1 Zalo user(s) (1 reached before);"
                                                            " quota reply 8/8", 2)
    assert [m[0] for m in zalo.messages] == USERS  # each user exactly once
    assert run(world, at(25)) == []


@pytest.mark.parametrize("code, words", [
    (-211, "Zalo error -211: out of quota: the OA's quota for this kind of message is used up ('Out of quota')"),
    (-223, "Zalo error -223: the Official Account has not granted the app this permission"),
    (-213, "Zalo error -213: the user does not follow the Official Account"),
])
def test_quota_and_permission_errors_are_failed_deliveries_in_words(world, zalo, code, words):
    zalo.answers[USERS[0]] = [code] * 3
    (r,) = run(world, at(24), force=True)
    assert r.status == "failed" and words in r.detail and len(zalo.refreshes) == 0
    row = ledger.list_deliveries(world.db, ("failed",))[0]
    assert row["next_attempt_at"] == clock.iso(at(24) + timedelta(minutes=5)) and words in row["last_error"]


def test_a_refused_refresh_says_to_authorize_again(world, zalo, monkeypatch):
    monkeypatch.setenv("PW_ZALO_SECRET", "wrong")
    zalo.expire(-216)  # "Access token is invalid"
    (r,) = run(world, at(24), force=True)
    assert r.status == "failed" and r.detail.startswith("zalo: refreshing the access token failed: Zalo error -14014")
    assert "authorize the app again" in r.detail and SECRET not in r.detail and REFRESH not in r.detail
    assert zalo.messages == []


def test_a_new_pair_in_the_environment_replaces_the_files(world, zalo, monkeypatch):
    zalo.expire()
    run(world, at(24), force=True)
    assert state(world)["access_token"] == "access-1"
    zalo.access_tokens = {"fresh-access"}  # the operator authorized the app again
    zalo.refresh_tokens = {"fresh-refresh"}
    monkeypatch.setenv("PW_ZALO_ACCESS", "fresh-access")
    monkeypatch.setenv("PW_ZALO_REFRESH", "fresh-refresh")
    run(world, at(48))
    assert {m[2] for m in zalo.messages[2:]} == {"fresh-access"}


CRASH = """
import os, signal, sys
from monitor.config import load_config
from monitor.notify import ledger
from monitor.store.connect import open_db

ledger._record_success = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # dies right after sending
ledger.run(open_db(sys.argv[2]), load_config(sys.argv[1]), recipient_ids=["ubnd-hoang-mai"], force=True)
"""


def test_killed_after_sending_is_not_sent_again(world, zalo):
    env = {**os.environ, "PORTALWATCH_NOW": clock.iso(at(24)), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CRASH, str(world.config.path), str(world.path)],
                          env=env, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert [m[0] for m in zalo.messages] == USERS
    assert run(world, at(25)) == []
    (row,) = ledger.list_deliveries(world.db)
    assert row["status"] == "uncertain" and len(zalo.messages) == 2
    # an operator resends after checking: the state file knows both users got it, nobody gets it twice
    assert ledger.retry(world.db, row["id"], now=at(26))
    (r,) = run(world, at(26))
    assert r.status == "delivered" and r.detail.startswith("0 Zalo user(s) (2 reached before)")
    assert len(zalo.messages) == 2


@pytest.mark.parametrize("table, problem", [
    ({"user_ids": [2512523625412515]}, "zalo channel: 'user_ids' must be a list of Zalo user ids, as strings of digits"),
    ({"user_ids": []}, "zalo channel: 'user_ids' must be a list of Zalo user ids, as strings of digits"),
    ({"user_ids": ["1"], "refresh_token_env": "R"},
     "zalo channel: refreshing the token needs 'app_id' and 'secret_key_env' with 'refresh_token_env'"),
    ({"user_ids": ["1"], "access_token": "x"}, "zalo channel: unknown key 'access_token'"),
])
def test_tables_are_checked(table, problem):
    assert check_channel({"type": "zalo", "access_token_env": "A", **table}).startswith(problem)


def test_missing_token_variable_fails_that_delivery(world, zalo, monkeypatch):
    monkeypatch.delenv("PW_ZALO_ACCESS")
    (r,) = run(world, at(24), force=True)
    assert (r.status, r.detail) == ("failed", "zalo channel: environment variable 'PW_ZALO_ACCESS' is not set")
    assert ZaloChannel({"type": "zalo", "user_ids": ["1"], "access_token_env": "A"}).key() == "zalo:1"
