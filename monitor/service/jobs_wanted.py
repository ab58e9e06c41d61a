"""The job plan: which jobs a configuration asks for (ids, entry points, schedules, arguments).

    crawl:<schedule>   one per distinct schedule; all its sites in one child crawl, with jitter
    digest:<recipient> at the recipient's send_at
    weekly:<recipient>, monthly:<recipient>   at its weekly_at / monthly_at (reports)
    deliveries         retries of failed deliveries
    housekeeping       retention, ANALYZE / PRAGMA optimize
    backup             consistent copy with SQLite's backup API

Every job: coalesce=True, max_instances=1, misfire_grace_time=None — after downtime a missed job
runs once (not skipped, not replayed N times). Building the plan also validates what the
configuration loader cannot (revisit policies), so `reload` can refuse a bad file up front.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.config import Config, ConfigError
from monitor.service.triggers import trigger_for

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
ENTRY = "monitor.service.jobs"  # the job store refers to the entry points by this name


@dataclass
class JobSpec:
    id: str
    func: str
    name: str
    expr: str
    jitter: int = 0
    kwargs: dict = field(default_factory=dict)
    executor: str = "default"

    def trigger(self):
        return trigger_for(self.expr, self.jitter)


def desired_jobs(config: Config) -> dict[str, JobSpec]:
    """The jobs a configuration asks for, by id."""
    from crawler.revisit import RevisitPolicy

    s = config.service
    groups: dict[str, list[str]] = {}
    for site in config.sites:
        if not site.enabled:
            continue
        try:
            RevisitPolicy.from_config(site.revisit)
        except ValueError as e:
            raise ConfigError(f"{config.path}: site {site.id!r}: key 'revisit': {e}") from None
        expr = " ".join((site.schedule or s.schedule).lower().split())
        groups.setdefault(expr, []).append(site.id)
    specs: dict[str, JobSpec] = {}
    for expr, ids in groups.items():
        jid = f"crawl:{expr}"
        specs[jid] = JobSpec(jid, f"{ENTRY}:crawl_job", f"crawl {expr} (jitter {s.jitter}s): {', '.join(ids)}",
                             expr, s.jitter, {"sites": ids}, executor="crawl")
    for r in config.recipients:
        if not r.channels:
            continue
        hh, mm = (int(x) for x in r.send_at.split(":"))
        jid = f"digest:{r.id}"
        specs[jid] = JobSpec(jid, f"{ENTRY}:digest_job", f"digest for {r.id} at {r.send_at}",
                             f"{mm} {hh} * * *", 0, {"recipient": r.id})
        for kind, at in (("weekly", r.weekly_at), ("monthly", r.monthly_at)):
            if at:  # "mon 08:00" / "1 08:00" as a cron line in Vietnam time
                day, hhmm = at.split()
                hh, mm = (int(x) for x in hhmm.split(":"))
                expr = f"{mm} {hh} * * {day[:3].lower()}" if kind == "weekly" else f"{mm} {hh} {int(day)} * *"
                specs[f"{kind}:{r.id}"] = JobSpec(f"{kind}:{r.id}", f"{ENTRY}:digest_job", f"{kind} report for {r.id}"
                                                  f" at {at}", expr, 0, {"recipient": r.id, "kind": kind})
    if config.recipients and s.delivery_retry.lower() != "off":
        specs["deliveries"] = JobSpec("deliveries", f"{ENTRY}:deliveries_job", "retry failed deliveries",
                                      s.delivery_retry)
    if s.housekeeping.lower() != "off":
        specs["housekeeping"] = JobSpec("housekeeping", f"{ENTRY}:housekeeping_job",
                                        "housekeeping: sample retention, optimize", s.housekeeping)
    if s.backup.lower() != "off":
        specs["backup"] = JobSpec("backup", f"{ENTRY}:backup_job", f"backup (keep {s.backup_keep})", s.backup)
    return specs
