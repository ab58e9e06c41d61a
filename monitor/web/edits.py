"""What the operator console changes: sites.toml only (through monitor/sites/tomlfile.py:
tomlkit, comments and order kept, validated like loading, written atomically), then the running
service is told to reload (monitor/service/control.py, the path of `portalwatch reload`).
Nothing here writes to the database: the service's next crawl mirrors the sites."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from crawler.extract.types import SELECTOR_KEYS
from crawler.sites import Site
from monitor.config import Config, ConfigError
from monitor.service.control import NotRunning, request_reload, wait_for_reload
from monitor.sites.onboard import (
    Proposal,
    Web,
    id_problem,
    inspect_url,
    obvious_id,
    overlap,
    suggest_id,
    taken_ids,
)
from monitor.sites.tomlfile import append_sites, render_site, update_site
from monitor.sites.units import new_units

FIELDS = ("name", "parent", "profile", "schedule")
RELOAD_WAIT = 10.0  # seconds to wait for the service to confirm a reload


def reload_service(config_path: str | os.PathLike, db_path: str | os.PathLike,
                   wait: float = RELOAD_WAIT) -> dict:
    """SIGHUP the service and wait for its answer. `state`: reloaded (with the jobs `added`,
    `changed`, `removed`), failed, no_answer, not_running (nothing to tell: the file is read
    when the service starts)."""
    try:
        sent = request_reload(config_path, db_path)
    except NotRunning as e:
        return {"state": "not_running", "detail": str(e)}
    except ConfigError as e:  # validated before writing: only a change by someone else gets here
        return {"state": "failed", "detail": str(e)}
    done = wait_for_reload(sent, wait)
    if done is None:
        return {"state": "no_answer", "pid": sent.pid}
    if done["outcome"] != "ok":
        return {"state": "failed", "pid": sent.pid, "detail": done["detail"]}
    try:
        jobs = json.loads(done["detail"] or "{}")
    except ValueError:
        jobs = {}
    return {"state": "reloaded", "pid": sent.pid, "at": done["at"],
            **{k: jobs.get(k, []) for k in ("added", "changed", "removed")}}


def changes_from_form(form: dict, table: dict) -> dict:
    """The keys the edit form changes: name, parent, profile, schedule (empty removes the key)
    and the selectors (one field per key, `sel_<key>`); only what differs from the table."""
    out: dict = {}
    for key in FIELDS:
        new = (form.get(key) or "").strip() or None  # an empty name is refused by the validation
        if new != table.get(key):
            out[key] = new
    selectors = {k: v.strip() for k in SELECTOR_KEYS if (v := form.get(f"sel_{k}") or "").strip()}
    if selectors != dict(table.get("selectors") or {}):
        out["selectors"] = selectors
    return out


def save_edit(config_path: str | os.PathLike, site: Site, form: dict, table: dict) -> dict:
    """Write the form's changes to the site's table; ConfigError (the file untouched) when the
    result would not load. Returns the changes made ({} when nothing changed)."""
    changes = changes_from_form(form, table)
    if changes:
        update_site(config_path, site.id, changes)
    return changes


def set_enabled(config_path: str | os.PathLike, site: Site, enabled: bool) -> bool:
    """`enabled = false` in the site's table, or the key removed (true is the default). False
    when it already was so."""
    if site.enabled == enabled:
        return False
    update_site(config_path, site.id, {"enabled": None if enabled else False})
    return True


@dataclass
class AddPreview:
    """What `sites add` would show for a URL, and the tables it would append."""

    proposal: Proposal
    table: dict | None = None
    units: list[dict] = field(default_factory=list)
    problem: str | None = None
    toml: str = ""


def preview_add(config: Config, url: str, *, site_id: str = "", name: str = "", parent: str = "",
                parent_name: str = "", level: str = "") -> AddPreview:
    """inspect_url (the same preview as `sites add`), then the [[site]] table it would append and
    why it cannot be added, if so. Fetches pages; writes nothing."""
    web = Web(config.settings.ua, timeout=min(config.settings.timeout, 20))
    units = new_units({parent: (parent_name, "")} if parent else {}, config)
    p = inspect_url(url, web)
    out = AddPreview(p)
    if parent in units.problems:
        out.problem = units.problems[parent]
        return out
    if not p.ok:
        out.problem = p.problems[0] if p.problems else "no news list found at this address"
        return out
    site_id = site_id or suggest_id(p, taken_ids(config)) or ""
    out.problem = overlap([url, *p.start_urls], config) or id_problem(site_id, config, "the id field", obvious_id(p))
    if out.problem:
        return out
    out.table = p.site_table(site_id, name or None, level or None, parent or None)
    out.units = units.tables
    out.toml = render_site(out.table) + "".join("\n" + render_site(u, "unit") for u in units.tables)
    return out


def save_add(config_path: str | os.PathLike, table: dict, units: list[dict]) -> None:
    """Append the previewed tables (ConfigError, nothing written, when they would not load)."""
    append_sites(config_path, [table], units, settings=True)


MAX_IMPORT_ROWS = 500  # detection runs while the page waits; bigger sheets: `portalwatch sites import`
MAX_IMPORT_BYTES = 2 * 2**20


def preview_import(config: Config, data: bytes, name: str, workers: int = 8) -> dict:
    """`sites import` on an uploaded CSV: every row checked and detected (pages fetched), the
    parents that become [[unit]] tables; nothing written. ImportFileError for an unusable file."""
    from monitor.sites.importer import (
        ImportFileError,
        detect_rows,
        parent_units,
        parse_rows,
        validate,
    )
    from monitor.sites.units import summary

    rows = parse_rows(data, name)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportFileError(f"{name}: {len(rows)} rows; the console imports at most {MAX_IMPORT_ROWS} at a time"
                              " (split the sheet, or run `portalwatch sites import`)")
    validate(rows, config)
    detect_rows(rows, config, Web(config.settings.ua, timeout=min(config.settings.timeout, 20)), workers=workers)
    units = parent_units(rows, config)
    ready = [r.table for r in rows if r.status == "ready" and r.table is not None]
    return {"rows": rows, "ready": ready, "units": units.tables if ready else [],
            "units_note": summary(units) if ready else ""}


def save_import(config_path: str | os.PathLike, tables: list[dict], units: list[dict]) -> None:
    """Append the ready rows' tables and the new [[unit]]s (ConfigError: nothing written)."""
    append_sites(config_path, tables, units, settings=True)
