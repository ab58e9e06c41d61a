"""The keys each sites.toml table may hold (type, and the words errors use), and the checks of
one table against them: unknown keys (with a did-you-mean), types, URLs, numbers, host names."""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A mistake in the configuration file; the message names file, table and key."""


# key -> (python types, description used in errors)
SETTINGS_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    "contact_url": ((str,), "a URL"),
    "user_agent": ((str,), "a string"),
    "concurrency": ((int,), "an integer ≥ 1"),
    "concurrency_per_domain": ((int,), "an integer ≥ 1"),
    "delay": ((int, float), "seconds (number ≥ 0)"),
    "autothrottle": ((bool,), "true or false"),
    "obey_robots": ((bool,), "true or false"),
    "timeout": ((int, float), "seconds (number > 0)"),
    "max_response_kb": ((int,), "an integer ≥ 1"),
    "max_links_per_page": ((int,), "an integer ≥ 1"),
    "retries": ((int,), "an integer ≥ 0"),
    "max_retry_after": ((int, float), "seconds (number ≥ 0)"),
    "robots_cache_hours": ((int, float), "hours (number ≥ 0; 0: fetch robots.txt every crawl)"),
    "detect_after_crawl": ((bool,), "true or false"),
    "schedule": ((str,), "'every 2h', 'every 30m' or a cron expression"),
    "jitter": ((int,), "seconds (integer ≥ 0)"),
    "crawl_timeout": ((int, float), "seconds (number > 0)"),
    "unreachable_after": ((int,), "an integer ≥ 1"),
    "housekeeping": ((str,), "a schedule ('every 1d', a cron line) or 'off'"),
    "sample_retention_days": ((int,), "an integer ≥ 1"),
    "event_retention_days": ((int,), "an integer ≥ 1"),
    "crawl_retention_days": ((int,), "an integer ≥ 1"),
    "view_retention": ((str,), 'tiers such as "30d all, 90d hourly, daily", or "off"'),
    "backup": ((str,), "a schedule ('every 1d', a cron line) or 'off'"),
    "backup_dir": ((str,), "a folder path"),
    "backup_keep": ((int,), "an integer ≥ 1"),
    "delivery_retry": ((str,), "a schedule ('every 10m', a cron line) or 'off'"),
    "jobstore": ((str,), "a file path"),
    "hosts": ((dict,), 'a table of host-name suffix = IP address, e.g. { "sim.test" = "127.0.0.1" }'),
}
RECIPIENT_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    "id": ((str,), "a short id"),
    "name": ((str,), "a string"),
    "sites": ((list,), "a list of site ids"),
    "parents": ((list,), "a list of unit ids (every site whose parent is one of them)"),
    "language": ((str,), "'vi' or 'en'"),
    "channels": ((list,), "a list of channel tables"),
    "send_at": ((str,), "a local time HH:MM"),
    "silent_days": ((int,), "an integer ≥ 1"),
    "alerts": ((list,), 'a list of event kinds, e.g. ["site_unreachable", "article_removed"]'),
    "quiet_hours": ((str,), 'local times "HH:MM-HH:MM" (no alert in between), or "off"'),
    "alert_interval": ((str,), 'the least time between two alerts, e.g. "1h" or "30m"'),
    "unreachable_hours": ((int, float), "hours a site must be unreachable before an alert (number ≥ 0)"),
    "weekly_at": ((str,), 'a weekday and local time, e.g. "mon 08:00"'),
    "monthly_at": ((str,), 'a day of the month (1-28) and local time, e.g. "1 08:00"'),
}
CLUSTER_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    "nodes": ((list,), 'a list of Scrapyd URLs, e.g. ["http://crawler-1:6800"]'),
    "project": ((str,), "the Scrapyd project name"),
    "username_env": ((str,), "the name of an environment variable holding the HTTP user"),
    "password_env": ((str,), "the name of an environment variable holding the HTTP password"),
    "timeout": ((int, float), "seconds (number > 0)"),
    "job_timeout": ((int, float), "seconds (number > 0)"),
    "poll_interval": ((int, float), "seconds (number > 0)"),
    "jobs_per_node": ((int,), "an integer ≥ 1"),
}
WEB_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    "url": ((str,), "the public http(s) address of `portalwatch web`, e.g. \"https://portalwatch.example.vn\""),
    "host": ((str,), "the address `portalwatch web` listens on (default 127.0.0.1)"),
    "port": ((int,), "a TCP port 1-65535"),
    "session_hours": ((int, float), "hours a login lasts (number > 0)"),
}


def did_you_mean(word: str, known) -> str:
    """' (did you mean 'x'?)' for the closest known word, else ''."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(key: str, known, where: str) -> ConfigError:
    return ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}; allowed: {', '.join(known)}")


def check_table(table: dict, spec: dict, where: str, required: tuple[str, ...] = ()) -> None:
    for key in table:
        if key not in spec:
            raise unknown_key(key, spec, where)
    for key in required:
        if key not in table:
            raise ConfigError(f"{where}: missing required key {key!r} ({spec[key][1]})")
    for key, value in table.items():
        types, desc = spec[key]
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            raise ConfigError(f"{where}: key {key!r}: expected {desc}, got {value!r}")


def check_url(url: Any, where: str, key: str) -> str:
    if not isinstance(url, str):
        raise ConfigError(f"{where}: key {key!r}: expected an http(s) URL, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: key {key!r}: expected an http(s) URL, got {url!r}")
    return url


def positive(value, where, key, minimum=1):
    if value is not None and value < minimum:
        raise ConfigError(f"{where}: key {key!r}: expected a number ≥ {minimum}, got {value!r}")


_HOST_SUFFIX_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def check_hosts(hosts: dict, where: str) -> None:
    """`hosts = { "sim.test" = "127.0.0.1" }`: each key a host-name suffix, each value an IP."""
    import ipaddress

    for suffix, address in hosts.items():
        if not _HOST_SUFFIX_RE.match(suffix.lower().strip(".")):
            raise ConfigError(f"{where}: key 'hosts': {suffix!r} is not a host name or suffix (e.g. \"sim.test\")")
        try:
            ipaddress.ip_address(address if isinstance(address, str) else "")
        except ValueError:
            raise ConfigError(f"{where}: key 'hosts': {suffix!r} = {address!r}: expected an IP address "
                              f"such as \"127.0.0.1\"") from None


def check_css(css: str, where: str, key: str) -> None:
    """A selector that does not compile is a mistake in the file, not a crawl failure later."""
    from crawler.extract.profiles.css import compile_css

    try:
        compile_css(css)
    except ValueError as e:
        raise ConfigError(f"{where}: selector {key!r}: {' '.join(str(e).split())}") from None
