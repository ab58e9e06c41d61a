"""monitor/config/channels.py: the syntax of a [[recipient]] channel table, checked without sending."""

from __future__ import annotations

import pytest

from monitor.config.channels import TYPES, channel_key, check_channel


@pytest.mark.parametrize("channel, problem", [
    ({"type": "fax", "number": "1"}, "unknown channel type 'fax' (known: apprise, email, file, files, smtp, webhook)"),
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


def test_every_channel_type_has_a_sender():
    from monitor import notify

    for kind in TYPES:
        assert hasattr(notify.module({"type": kind}), "send")
