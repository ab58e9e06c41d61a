"""sites.toml → validated Site / Unit / Recipient objects, with errors that name the file, the table and the key."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.extract.types import SELECTOR_KEYS
from crawler.sites import Settings, Site, Unit
from monitor.channels import channel_key, check_channel
from monitor.config.keys import (
    CLUSTER_SPEC,
    RECIPIENT_SPEC,
    ConfigError,
    check_css,
    check_table,
    check_url,
    did_you_mean,
    positive,
    unknown_key,
)
from monitor.config.parents import check_parents, unknown_id
from monitor.config.settings import ServiceSettings, check_schedule, parse_settings
from monitor.config.tomlhint import hint as toml_hint
from monitor.config.tree import UnitTree
from monitor.config.web import Web, parse_web

DEFAULT_CONFIG = "sites.toml"
DEFAULT_DB = "portalwatch.db"
LEVELS = ("province", "city", "district", "ward", "commune", "special_zone", "ministry", "other")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass
class Recipient:
    """One `[[recipient]]` table: who gets a digest, for which sites, how."""

    id: str
    name: str
    sites: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    language: str = "vi"
    channels: list[dict[str, Any]] = field(default_factory=list)
    send_at: str = "07:00"
    silent_days: int = 7
    alerts: list[str] = field(default_factory=list)  # event kinds sent at once (monitor/notify/alerts.py)
    quiet_hours: str = "22:00-06:30"  # Vietnam time; alerts wait until it ends ("off": none)
    alert_interval: str = "1h"  # at most one alert message per this much time
    unreachable_hours: float = 0  # a site_unreachable alert waits until the outage is this old
    weekly_at: str | None = None  # "mon 08:00": the week before (Monday-Sunday), Vietnam time
    monthly_at: str | None = None  # "1 08:00": the calendar month before


@dataclass
class Cluster:
    """The optional `[cluster]` table: Scrapyd daemons that crawl instead of a local child
    (docs/scaling-out.md). Credentials are never written in the file: `username_env` and
    `password_env` name environment variables that hold them."""

    nodes: list[str] = field(default_factory=list)  # Scrapyd base URLs, e.g. "http://crawler-1:6800"
    project: str = "portalwatch"
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0  # seconds for one Scrapyd API call; a node slower than this counts as down
    job_timeout: float = 3600.0  # seconds a job may run (or wait in a node's queue) before it moves on
    poll_interval: float = 2.0  # seconds between listjobs.json polls
    jobs_per_node: int = 4  # each node's hosts split into this many jobs (match its max_proc)

    def auth(self) -> tuple[str, str] | None:
        """(user, password) from the environment, None without auth; ConfigError when a named
        variable is not set."""
        if not self.username_env and not self.password_env:
            return None
        out = []
        for key in ("username_env", "password_env"):
            name = getattr(self, key)
            if not name or name not in os.environ:
                raise ConfigError(f"[cluster] {key} = {name!r}: environment variable not set")
            out.append(os.environ[name])
        return out[0], out[1]


@dataclass
class Config:
    path: Path
    settings: Settings  # the crawl's part of [portalwatch]: what every crawl plan carries
    sites: list[Site]
    recipients: list[Recipient] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    cluster: Cluster | None = None  # None: crawl in local child processes
    units: list[Unit] = field(default_factory=list)  # [[unit]] tables: parents without a portal
    web: Web = field(default_factory=Web)
    service: ServiceSettings = field(default_factory=ServiceSettings)  # the monitor's part of [portalwatch]
    _tree: tuple[tuple[int, int], UnitTree] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def tree(self) -> UnitTree:
        """Sites and units as one tree (tree.py), built on first use (again if the lists grew)."""
        size = (len(self.sites), len(self.units))
        if self._tree is None or self._tree[0] != size:
            self._tree = (size, UnitTree.of(self.sites, self.units))
        return self._tree[1]

    def site(self, site_id: str) -> Site:
        """The site with this id or former id (ConfigError naming what is there instead)."""
        node = self.tree.node(site_id)
        if isinstance(node, Site):
            return node
        if any(u.id == site_id for u in self.units):
            raise ConfigError(f"{self.path}: {site_id!r} is a [[unit]] (no portal, never crawled), not a site")
        raise ConfigError(f"{self.path}: no site with id {site_id!r}" + _known(site_id, [s.id for s in self.sites]))

    def select(self, ids: list[str] | tuple[str, ...] | None) -> list[Site]:
        """The enabled sites, or exactly the named ones (enabled or not)."""
        if ids:
            return [self.site(i) for i in ids]
        return [s for s in self.sites if s.enabled]

    def recipient(self, rid: str) -> Recipient:
        for r in self.recipients:
            if r.id == rid:
                return r
        raise ConfigError(f"{self.path}: no recipient with id {rid!r}" + _known(rid, [r.id for r in self.recipients]))

    def unit(self, unit_id: str) -> Site | Unit | None:
        """The site or [[unit]] with this id or former id (a parent), None when nothing has it."""
        node = self.tree.node(unit_id)
        return node if isinstance(node, Site | Unit) else None

    def sites_for(self, recipient: Recipient) -> list[Site]:
        """Sites a recipient covers: its explicit ids plus every site under one of its parents
        (through [[unit]]s too: a province unit > district unit > wards), once each."""
        return [self.site(sid) for sid in self.tree.sites_under(recipient.parents, recipient.sites)]


def _known(word: str, ids: list[str]) -> str:
    """' (did you mean 'x'?)', else the known ids when they are few."""
    hint = did_you_mean(word, ids)
    if hint or len(ids) > 12:
        return hint or f" ({len(ids)} configured: `portalwatch sites list` shows them)"
    return f" (known: {', '.join(ids) or 'none'})"


# --- validation -----------------------------------------------------------------------------

_SITE_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    "id": ((str,), "a short id: lowercase letters, digits, '-' or '_'"),
    "name": ((str,), "a string"),
    "start_urls": ((list,), "a list of http(s) URLs"),
    "level": ((str,), "one of " + ", ".join(LEVELS)),
    "parent": ((str,), "the id of the enclosing unit"),
    "profile": ((str,), "a profile name"),
    "selectors": ((dict,), "a table of CSS selectors"),
    "max_pages": ((int,), "an integer ≥ 1"),
    "max_links_per_page": ((int,), "an integer ≥ 1"),
    "max_age_days": ((int,), "an integer ≥ 1"),
    "delay": ((int, float), "seconds (number ≥ 0)"),
    "concurrency": ((int,), "an integer ≥ 1"),
    "enabled": ((bool,), "true or false"),
    "schedule": ((str,), "'every 2h', 'every 30m' or a cron expression"),
    "revisit": ((dict,), "a table of revisit settings"),
    "aliases": ((list,), "a list of ids"),
    "merged_from": ((list,), "a list of ids"),
    "home_url": ((str,), "a URL"),
}
_UNIT_SPEC: dict[str, tuple[tuple[type, ...], str]] = {
    key: _SITE_SPEC[key] for key in ("id", "name", "level", "parent", "aliases")
}
_TOP_KEYS = ("portalwatch", "site", "unit", "recipient", "cluster", "web")


def parse_config(data: dict[str, Any], path: Path | str = DEFAULT_CONFIG) -> Config:
    """Validate a parsed TOML document."""
    path = Path(path)
    for key in data:
        if key not in _TOP_KEYS:
            raise unknown_key(key, _TOP_KEYS, str(path))

    settings, service = parse_settings(data.get("portalwatch", {}), path)

    raw_sites = data.get("site", [])
    if not isinstance(raw_sites, list):
        raise ConfigError(f"{path}: 'site' must be an array of tables: write [[site]], not [site]")
    sites: list[Site] = []
    seen: dict[str, str] = {}
    for n, table in enumerate(raw_sites, 1):
        label = table.get("id") if isinstance(table.get("id"), str) else f"#{n}"
        where = f"{path}: site {label!r}" if label and not label.startswith("#") else f"{path}: [[site]] {label}"
        check_table(table, _SITE_SPEC, where, required=("id", "name", "start_urls"))
        if not ID_RE.match(table["id"]):
            raise ConfigError(f"{where}: key 'id': expected {_SITE_SPEC['id'][1]}, got {table['id']!r}")
        if table["id"] in seen:
            raise ConfigError(f"{where}: duplicate id {table['id']!r} (also {seen[table['id']]})")
        seen[table["id"]] = f"site #{n}"
        if not table["start_urls"]:
            raise ConfigError(f"{where}: key 'start_urls': expected at least one URL")
        for u in table["start_urls"]:
            check_url(u, where, "start_urls")
        if "home_url" in table:
            check_url(table["home_url"], where, "home_url")
        if table.get("level") is not None and table["level"] not in LEVELS:
            raise ConfigError(f"{where}: key 'level': expected one of {', '.join(LEVELS)}, got {table['level']!r}")
        for k in ("max_pages", "max_age_days", "concurrency", "max_links_per_page"):
            positive(table.get(k), where, k)
        positive(table.get("delay"), where, "delay", 0)
        sel = table.get("selectors", {})
        for k, v in sel.items():
            if k not in SELECTOR_KEYS:
                raise unknown_key(k, SELECTOR_KEYS, f"{where}: [site.selectors]")
            if not isinstance(v, str) or not v.strip():
                raise ConfigError(f"{where}: selector {k!r}: expected a CSS selector string, got {v!r}")
            check_css(v, where, k)
        profile = table.get("profile", "auto")
        _check_profile(profile, where)
        if table.get("schedule") is not None:
            check_schedule(table["schedule"], where)
        if table.get("revisit") is not None:
            _check_revisit(table["revisit"], where)
        sites.append(Site(**table))

    units = _parse_units(data.get("unit", []), path, seen)
    ids = {s.id for s in sites}
    enabled = {s.id for s in sites if s.enabled}
    nodes: list[Site | Unit] = [*sites, *units]
    check_parents(nodes, path)
    former: dict[str, str] = {}
    for s in nodes:
        kind = "unit" if isinstance(s, Unit) else "site"
        where = f"{path}: {kind} {s.id!r}"
        for old in s.aliases:
            if old in seen:
                raise ConfigError(f"{where}: alias {old!r} is the id of a configured {seen[old].split()[0]}; a "
                                  f"renamed {kind}'s old table must go (its history stays under the new id)")
        for old in s.merged_from:
            if old in enabled:
                raise ConfigError(f"{where}: merged_from {old!r} is still crawled; set enabled = false in its "
                                  "[[site]] table (or remove it) once it is merged")
        for old in s.aliases + s.merged_from:
            if old in former and former[old] != s.id:
                raise ConfigError(f"{where}: {old!r} is already claimed by site {former[old]!r}")
            former[old] = s.id
    recipients = _parse_recipients(data.get("recipient", []), path, ids | {a for s in sites for a in s.aliases},
                                   ids | {u.id for u in units})
    cluster = _parse_cluster(data["cluster"], path) if "cluster" in data else None
    return Config(path=path, settings=settings, sites=sites, recipients=recipients, raw=data, cluster=cluster,
                  units=units, service=service, web=parse_web(data.get("web", {}), path))


def _parse_units(raw: Any, path: Path, seen: dict[str, str]) -> list[Unit]:
    """`[[unit]]` tables: checked like sites (keys, id rules, level); ids unique across both."""
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'unit' must be an array of tables: write [[unit]], not [unit]")
    units = []
    for n, table in enumerate(raw, 1):
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [[unit]] #{n}: expected a table, got {table!r}")
        label = table.get("id")
        where = f"{path}: unit {label!r}" if isinstance(label, str) else f"{path}: [[unit]] #{n}"
        check_table(table, _UNIT_SPEC, where, required=("id", "name"))
        if not ID_RE.match(table["id"]):
            raise ConfigError(f"{where}: key 'id': expected {_UNIT_SPEC['id'][1]}, got {table['id']!r}")
        if table["id"] in seen:
            raise ConfigError(f"{where}: duplicate id {table['id']!r} (also {seen[table['id']]})")
        seen[table["id"]] = f"unit #{n}"
        if table.get("level") is not None and table["level"] not in LEVELS:
            raise ConfigError(f"{where}: key 'level': expected one of {', '.join(LEVELS)}, got {table['level']!r}")
        units.append(Unit(**table))
    return units


def _parse_cluster(raw: Any, path: Path) -> Cluster | None:
    """`[cluster]`: validated; an empty `nodes` list means no cluster (crawl locally)."""
    where = f"{path}: [cluster]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    check_table(raw, CLUSTER_SPEC, where, required=("nodes",))
    cluster = Cluster(**raw)
    seen = set()
    for url in cluster.nodes:
        check_url(url, where, "nodes")
        if url.rstrip("/") in seen:
            raise ConfigError(f"{where}: key 'nodes': {url!r} is listed twice")
        seen.add(url.rstrip("/"))
    cluster.nodes = [u.rstrip("/") for u in cluster.nodes]
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", cluster.project):
        raise ConfigError(f"{where}: key 'project': expected letters, digits, '.', '-' or '_', got {cluster.project!r}")
    for k in ("timeout", "job_timeout", "poll_interval"):
        if getattr(cluster, k) <= 0:
            raise ConfigError(f"{where}: key {k!r}: expected seconds (number > 0), got {getattr(cluster, k)!r}")
    positive(cluster.jobs_per_node, where, "jobs_per_node")
    return cluster if cluster.nodes else None


def _check_profile(name: str, where: str) -> None:
    from crawler.extract.profiles import PROFILES

    if name not in PROFILES:
        raise ConfigError(f"{where}: key 'profile': expected one of {', '.join(sorted(PROFILES))}, got {name!r}")


def _check_revisit(table: dict, where: str) -> None:
    from crawler.revisit import RevisitPolicy

    try:
        RevisitPolicy.from_config(table)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{where}: [site.revisit]: {e}") from None


def _parse_recipients(raw: Any, path: Path, site_ids: set[str], unit_ids: set[str]) -> list[Recipient]:
    """`sites` name sites (ids or former ids), `parents` name sites or [[unit]]s."""
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'recipient' must be an array of tables: write [[recipient]]")
    out, seen = [], set()
    for n, table in enumerate(raw, 1):
        label = table.get("id", f"#{n}")
        where = f"{path}: recipient {label!r}"
        check_table(table, RECIPIENT_SPEC, where, required=("id", "name"))
        if table["id"] in seen:
            raise ConfigError(f"{where}: duplicate id {table['id']!r}")
        seen.add(table["id"])
        if table.get("language", "vi") not in ("vi", "en"):
            raise ConfigError(f"{where}: key 'language': expected 'vi' or 'en', got {table['language']!r}")
        for key, pool in (("sites", site_ids), ("parents", unit_ids)):
            for sid in table.get(key, []):
                if sid in pool:
                    continue
                if key == "sites" and sid in unit_ids:
                    raise ConfigError(f"{where}: key 'sites': {sid!r} is a [[unit]] (no portal); list it in 'parents'"
                                      " to cover the sites under it")
                fix = unknown_id(sid, sorted(pool)).removeprefix(f"no site or unit {sid!r}")
                raise ConfigError(f"{where}: unknown site or unit {sid!r} in {key!r}{fix}")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", table.get("send_at", "07:00")):
            raise ConfigError(f"{where}: key 'send_at': expected a local time HH:MM, got {table['send_at']!r}")
        _check_messages(table, where)
        keys: set[str] = set()
        for i, ch in enumerate(table.get("channels", []), 1):
            problem = check_channel(ch)
            if problem:
                raise ConfigError(f"{where}: channel #{i}: {problem}")
            if channel_key(ch) in keys:
                raise ConfigError(f"{where}: channel #{i}: same target as an earlier channel (give each an 'id')")
            keys.add(channel_key(ch))
        out.append(Recipient(**table))
    return out


def _check_messages(table: dict, where: str) -> None:
    """A recipient's alert and report keys (monitor/config/messages.py says what they mean)."""
    from monitor.config.messages import ALERT_KINDS, parse_monthly, parse_quiet, parse_weekly
    from monitor.when import duration

    for kind in table.get("alerts", []):
        if kind not in ALERT_KINDS:
            raise ConfigError(f"{where}: key 'alerts': {kind!r} is not an event kind alerts are sent for"
                              f" (choose from {', '.join(ALERT_KINDS)})")
    checks = (("quiet_hours", parse_quiet), ("weekly_at", parse_weekly), ("monthly_at", parse_monthly))
    for key, parse in checks:
        if key in table:
            try:
                parse(table[key])
            except ValueError as e:
                raise ConfigError(f"{where}: key {key!r}: {e}") from None
    if "alert_interval" in table and duration(table["alert_interval"], "mh") is None:
        raise ConfigError(f"{where}: key 'alert_interval': expected a duration like \"1h\" or \"30m\","
                          f" got {table['alert_interval']!r}")
    positive(table.get("unreachable_hours"), where, "unreachable_hours", 0)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate the TOML file; raise ConfigError (never a traceback) on any mistake."""
    p = Path(path or os.environ.get("PORTALWATCH_CONFIG") or DEFAULT_CONFIG)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such file (create one, or run `portalwatch simulate` for an example)") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: not UTF-8 text ({e})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML: {e}{toml_hint(text, str(e))}") from None
    return parse_config(data, p)
