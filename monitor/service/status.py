"""The `portalwatch status` read model: the service, its jobs, the last crawl of every site, the
sites being crawled now (their leases) and the deliveries not yet delivered, as JSON-able data. Reads only; needs no running service."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from crawler import clock
from monitor.config import Config, ConfigError, load_config
from monitor.config.schedules import describe
from monitor.service.jobstore import (
    default_jobstore,
    jobstore_path,
    last_runs,
    read_pid,
    stored_jobs,
)
from monitor.store import lease


def status(config_path: str | os.PathLike, db_path: str | os.PathLike) -> dict:
    """Everything `portalwatch status` shows, as JSON-able data (times in UTC ISO-8601)."""
    try:
        config, config_error = load_config(config_path), None
        store_path = jobstore_path(config, db_path)
    except ConfigError as e:  # still show what runs; the jobstore key cannot be read, use the default
        config, config_error = None, str(e)
        store_path = default_jobstore(db_path)
    pid = read_pid(store_path) if store_path.exists() else None
    now = datetime.now(clock.VN_TZ)
    out: dict = {
        "service": {"running": pid is not None, "pid": pid, "config": str(config_path), "db": str(db_path),
                    "jobstore": str(store_path), "checked_at": clock.iso(now), "config_error": config_error},
        "jobs": [], "last_runs": [], "sites": [], "deliveries": None, "leases": [],
    }
    stored = stored_jobs(store_path)
    exprs = _configured_schedules(config)
    for j in stored:
        nxt = j.next_run_time
        out["jobs"].append({
            "id": j.id, "name": j.name, "trigger": str(j.trigger),
            "schedule": describe(exprs.get(j.id) or _trigger_expr(j.trigger)),
            "next_run_at": clock.iso(nxt) if nxt else None,
            "overdue": bool(nxt and nxt < now),
        })
    out["last_runs"] = last_runs(store_path)
    next_crawl = {}
    for j in stored:
        if j.id.startswith("crawl:"):
            for sid in j.kwargs.get("sites", []):
                next_crawl[sid] = clock.iso(j.next_run_time) if j.next_run_time else None
    last: dict[str, dict] = {}
    if Path(db_path).exists():
        from monitor.store.connect import open_db

        db = open_db(db_path, readonly=True)
        try:
            # a first crawl may be creating the database right now: tables not there yet are empty
            tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            cols = {r[1] for r in db.conn.execute("PRAGMA table_info(crawls)")}
            walk = "c.list_walk" if "list_walk" in cols else "NULL"
            for r in db.query(
                "SELECT c.site_id, c.started_at, c.finished_at, c.outcome, c.articles_new, c.articles_seen,"
                f" c.views_changed, c.pages_fetched, c.errors, c.error_summary, {walk} AS list_walk FROM crawls c"
                " WHERE c.id IN (SELECT MAX(id) FROM crawls GROUP BY site_id)"
            ) if "crawls" in tables else ():
                last[r["site_id"]] = r
            if "crawl_leases" in tables:  # sites being crawled now
                out["leases"] = [asdict(h) for h in lease.current(db.conn)]
            if "deliveries" in tables:
                out["deliveries"] = [dict(r) for r in db.query(
                    "SELECT id, recipient_id, channel, status, attempts, window_end, next_attempt_at, last_error"
                    " FROM deliveries WHERE status <> 'delivered' ORDER BY id")]
        finally:
            db.conn.close()
    if config is None:
        for sid in sorted(set(last) | set(next_crawl)):
            out["sites"].append({"id": sid, "name": sid, "enabled": True, "schedule": "?", "schedule_text": "?",
                                 "next_crawl_at": next_crawl.get(sid), "last_crawl": last.get(sid)})
        return out
    for site in config.sites:
        out["sites"].append({
            "id": site.id, "name": site.name, "enabled": site.enabled,
            "schedule": site.schedule or config.service.schedule,
            "schedule_text": describe(site.schedule or config.service.schedule),
            "next_crawl_at": next_crawl.get(site.id), "last_crawl": last.get(site.id),
        })
    return out


def _configured_schedules(config: Config | None) -> dict[str, str]:
    """Each job's schedule as the configuration words it (the user's own text), by job id."""
    if config is None:
        return {}
    from monitor.service.jobs_wanted import desired_jobs

    try:
        return {jid: spec.expr for jid, spec in desired_jobs(config).items()}
    except ConfigError:
        return {}


def _trigger_expr(trigger) -> str:
    """A stored trigger back as a schedule expression ("every 3600s", "0 4 * * *"), for jobs the
    configuration no longer has."""
    interval = getattr(trigger, "interval", None)
    if interval is not None:
        return f"every {int(interval.total_seconds())}s"
    fields = {f.name: str(f) for f in getattr(trigger, "fields", [])}
    if fields:
        return " ".join(fields.get(k, "*") for k in ("minute", "hour", "day", "month", "day_of_week"))
    return str(trigger)
