"""monitor/channels: the channel registry. Each type's class checks its table (the config error's
words), names it (the ledger's key) and sends it; a new type is one class and one registry line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from monitor import channels, notify
from monitor.channels import (
    CHANNELS,
    TYPES,
    Channel,
    ChannelError,
    channel,
    channel_key,
    check_channel,
)
from monitor.config import ConfigError
from monitor.notify import ledger
from monitor.notify.outgoing import Outgoing
from tests.channels.zalo_api import ZaloStandIn
from tests.notify.servers import SMTPServer, WebhookReceiver
from tests.world import World, at, make_config, populate

DATA = Path(__file__).resolve().parents[1] / "digest" / "data" / "digest-v1.json"


@pytest.mark.parametrize("channel, problem", [
    ({"type": "fax", "number": "1"}, "unknown channel type 'fax' (known: apprise, email, file, files, smtp, webhook, zalo)"),
    ("email", "expected a table with a 'type' key"),
    ({"type": "email", "to": "a@b.vn", "from": "c@d.vn"}, "email channel: missing required key 'host'"),
    ({"type": "email", "to": "x", "from": "c@d.vn", "host": "h"}, "email channel: 'to': not an email address: 'x'"),
    ({"type": "webhook", "url": "ftp://x", "secret_env": "S"}, "webhook channel: 'url' must be http(s), got 'ftp://x'"),
    ({"type": "apprise"}, "apprise channel: give 'urls' (a list) or 'url_env' (an environment variable)"),
    ({"type": "file", "path": "out", "formats": ["pdf"]}, "file channel: 'formats' must be a list drawn from html, md, json, txt"),
])
def test_problems_are_worded_for_the_config_error(channel, problem):
    assert check_channel(channel) == problem


def test_secrets_in_the_file_point_to_the_env_keys():
    problem = check_channel({"type": "webhook", "url": "https://x", "secret": "s"})
    assert "unknown key 'secret' (secrets come from environment variables: use the *_env keys)" in problem


def test_valid_channels_and_their_stable_names():
    email = {"type": "email", "to": ["b@x.vn", "a@x.vn"], "from": "p@x.vn", "host": "smtp.x.vn"}
    assert check_channel(email) is None and channel_key(email) == "email:a@x.vn,b@x.vn"
    assert channel_key({**email, "id": "office"}) == "office"
    assert channel_key({"type": "webhook", "url": "https://h/x?t=1", "secret_env": "S"}) == "webhook:https://h/x"
    assert channel_key({"type": "files", "path": "out"}) == "file:out"


# A valid table of every registered type, aimed at the real local receivers below, and how to
# tell that the receiver got the digest. A new channel type adds its line here.
EXAMPLES = {
    "email": lambda r: ({"type": "email", "to": "vp@hoangmai.example.vn", "from": "pw@example.vn",
                         "host": "127.0.0.1", "port": r["smtp"].port, "security": "none", "timeout": 5},
                        lambda: len(r["smtp"].messages) == 1),
    "webhook": lambda r: ({"type": "webhook", "url": f"{r['hook'].url}/hook", "secret_env": "PW_TEST_HOOK_SECRET"},
                          lambda: len(r["hook"].on("/hook")) == 1),
    "apprise": lambda r: ({"type": "apprise", "urls": [f"json://127.0.0.1:{r['hook'].port}/chat"]},
                          lambda: len(r["hook"].on("/chat")) == 1),
    "file": lambda r: ({"type": "file", "path": "out", "formats": ["txt"]},
                       lambda: [p.name for p in (r["dir"] / "out").iterdir()] == ["ubnd-hoang-mai-20260303-0800.txt"]),
    "zalo": lambda r: ({"type": "zalo", "user_ids": ["2512523625412515"], "access_token_env": "PW_TEST_ZALO_TOKEN"},
                       lambda: [m[0] for m in r["zalo"].messages] == ["2512523625412515"]),
}


@pytest.fixture
def receivers(tmp_path, monkeypatch):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", "s")
    smtp, hook, zalo = SMTPServer().start(), WebhookReceiver(), ZaloStandIn("1", "s", "zalo-token", "r")
    monkeypatch.setenv("PW_TEST_ZALO_TOKEN", "zalo-token")
    monkeypatch.setenv("PORTALWATCH_ZALO_API_URL", zalo.url)
    yield {"smtp": smtp, "hook": hook, "zalo": zalo, "dir": tmp_path}
    smtp.stop()
    hook.stop()
    zalo.stop()


@pytest.mark.parametrize("cls", CHANNELS, ids=lambda c: c.type)
def test_every_registered_type_validates_keys_and_sends_through_its_class(cls, receivers):
    assert cls.type in EXAMPLES, f"add a valid {cls.type!r} table and its receiver to EXAMPLES"
    table, arrived = EXAMPLES[cls.type](receivers)
    for name in (cls.type, *cls.aliases):
        assert TYPES[name] is cls
        spelled = {**table, "type": name}
        assert check_channel(spelled) is None
        assert channel_key(spelled) == cls(spelled).key() == cls(table).target()
        assert channel_key({**spelled, "id": "mine"}) == "mine"
        assert check_channel({**spelled, "colour": "red"}).startswith(f"{name} channel: unknown key 'colour'")
    for key in cls.required:
        assert check_channel({k: v for k, v in table.items() if k != key}) == \
            f"{cls.type} channel: missing required key {key!r}"
    assert isinstance(channel(table), cls)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    claimed = []
    out = Outgoing(1, 1, data["recipient"]["id"], data, base_dir=receivers["dir"], claim=lambda: not claimed.append(1))
    assert notify.send(table, out)
    assert arrived() and claimed == [1]  # it went out, once, claimed just before


def test_an_unknown_type_cannot_be_sent():
    with pytest.raises(ChannelError, match="unknown channel type 'fax'"):
        channel({"type": "fax"})


class Postbox(Channel):
    """What a new channel type is: a class like this one, and one line in monitor.channels.CHANNELS."""

    type = "postbox"
    keys = ("box", "note")
    required = ("box",)
    posted: list[tuple[str, str]] = []

    @classmethod
    def problem(cls, table):
        return None if str(table["box"]).isdigit() else f"postbox channel: 'box' must be digits, got {table['box']!r}"

    def target(self):
        return f"postbox:{self.table['box']}"

    def send(self, out):
        r = out.rendered()
        out.going_out()
        self.posted.append((self.table["box"], r.subject))
        return f"box {self.table['box']}"


def test_a_new_channel_type_is_one_class_and_one_registry_line(tmp_path, monkeypatch):
    monkeypatch.setitem(channels.TYPES, Postbox.type, Postbox)  # what its line in CHANNELS does
    monkeypatch.setattr(Postbox, "posted", [])
    office = """
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
channels = [{ type = "postbox", box = "%s" }]
"""
    with pytest.raises(ConfigError, match="channel #1: postbox channel: 'box' must be digits, got 'x'"):
        make_config(tmp_path, office % "x")
    with pytest.raises(ConfigError, match="channel #1: postbox channel: unknown key 'colour'"):
        make_config(tmp_path, office.replace("box = ", 'colour = "red", box = ') % "7")
    w = World(tmp_path, make_config(tmp_path, office % "7"), monkeypatch)
    populate(w)
    try:
        results = ledger.run(w.db, w.config, now=at(24), force=True)
        assert [(r.channel, r.status, r.detail) for r in results] == [("postbox:7", "delivered", "box 7")]
        assert Postbox.posted == [("7", "UBND quận Hoàng Mai: 3 bài mới, 111 lượt xem tăng thêm (03/03/2026)")]
        assert ledger.run(w.db, w.config, now=at(25)) == [] and len(Postbox.posted) == 1  # once
    finally:
        w.store.close()


def test_the_docs_table_of_channel_keys_follows_the_classes():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "digests.md").read_text(encoding="utf-8")
    table = docs[docs.index("| type | keys | required |"):].split("\n\n")[0]
    rows = {r.split("`")[1]: r.split(" | ") for r in table.splitlines()[2:]}
    assert list(rows) == [cls.type for cls in CHANNELS]
    for cls in CHANNELS:
        name, keys, required = rows[cls.type]
        assert all(f"(alias `{a}`)" in name for a in cls.aliases), name
        assert set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", keys))) == set(cls.keys), cls.type
        assert all(f"`{k}`" in required for k in cls.required), cls.type
