"""One crawl cycle on Scrapyd nodes (docs/scaling-out.md): the sites of one crawl plan (built by
monitor.crawl.planner, run through the crawl backend monitor.crawl.remote.ScrapydCluster).

1. The cycle's sites are grouped by host; each host goes to a node by rendezvous hashing (ring.py).
2. Each node's hosts are split into `jobs_per_node` jobs; every job is recorded (cluster_jobs)
   BEFORE `schedule.json` is called with the job id chosen here, so a coordinator that dies
   right after dispatching still knows its jobs.
3. `listjobs.json` is polled; a finished job's feed is fetched over HTTP (/items/…/<job>.jl) and
   ingested through Store.apply in batches, each batch with its ingest mark in the same
   transaction: a job's lines are stored once, however often ingestion is interrupted.
4. A node that is down, does not answer, loses a job, runs it past `job_timeout`, or whose job
   ends without a `crawl_finished` line for each of its sites has the job's hosts sent to the
   next node of each host's ranking; the partial feed of a failed job is never ingested.
5. The `crawls` rows are opened here at dispatch (one per site, so a job that never comes back
   still leaves its rows closed), and the feed's own CrawlStartedItem/CrawlFinishedItem lines go
   through Store.apply into them, as a local crawl's do (the `crawl_finished` line closes its row
   in the transaction of its batch).

`resume()` finishes what a killed coordinator left: dispatched jobs are tracked and ingested from
their marks; every cycle calls it first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crawler import clock
from crawler.items import from_dict
from crawler.plan import CrawlPlan
from crawler.sites import Site
from monitor.cluster import node_job
from monitor.cluster.ring import assign, next_node
from monitor.cluster.scrapyd import MalformedAnswer, Node, NodeError
from monitor.config import Cluster, ConfigError
from monitor.store.db import Store
from monitor.store.dbutil import transaction

log = logging.getLogger(__name__)

INGEST_BATCH = 200  # feed lines per transaction (PORTALWATCH_INGEST_BATCH overrides)
STRIKES = 3  # listjobs.json timeouts in a row before a node counts as down
RECHECK_POLLS = 10  # a down node owing cancels is asked again every this many polls
HOLD_ENV = "PORTALWATCH_INGEST_HOLD"  # tests: stop forever inside the Nth batch's transaction


class ClusterError(Exception):
    """The cycle cannot run at all (no node reachable, …); one line."""


@dataclass
class Job:
    job_id: str
    node: str
    sites: list[str]
    crawl_ids: dict[str, int]
    attempt: int = 1
    tried: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


class Coordinator:
    """One cycle of a crawl plan on the `[cluster]` nodes (or, with `resume` alone, the jobs an
    earlier cycle left). The plan's sites are crawled; its other sites and units are mirrored."""

    def __init__(self, cluster: Cluster, db_path, plan: CrawlPlan, *, stop: threading.Event | None = None,
                 on_event: Callable[[dict], None] | None = None):
        self.cluster = cluster
        self.plan = plan
        configured = [s for s in [*plan.sites, *plan.units] if isinstance(s, Site)]
        self.sites = {s.id: s for s in configured}  # a job's sites, by id or former id
        for s in configured:
            for old in s.aliases:
                self.sites.setdefault(old, s)
        self.db_path = Path(db_path)
        try:
            auth = self.cluster.auth()
        except ConfigError as e:
            raise ClusterError(str(e)) from None
        self.nodes = {u: Node(u, auth=auth, timeout=self.cluster.timeout) for u in self.cluster.nodes}
        self.down: dict[str, str] = {}  # node -> why
        self.now = clock.parse_iso(plan.now) if plan.now else None  # the plan's pinned clock, else the real one
        self.stop = stop or threading.Event()
        self.on_event = on_event
        self.store = Store(self.db_path)
        self.store.lease = plan.lease  # a site whose lease another run took is not ingested
        self.cycle = uuid.uuid4().hex[:12]
        self.jobs: dict[str, Job] = {}
        self.failed_sites: dict[str, str] = {}
        self.strikes: dict[str, int] = {}
        self.crawl_ids: list[int] = []  # this cycle's crawl rows (a moved, half-ingested job adds new ones)
        self.polls = 0

    def close(self) -> None:
        self.store.close()

    def site(self, site_id: str) -> Site:
        try:
            return self.sites[site_id]
        except KeyError:
            raise ClusterError(f"site {site_id!r} of a cluster job is no longer configured") from None

    # -- a cycle --------------------------------------------------------------------------------
    def run(self, deadline: float | None = None) -> list[dict]:
        """Crawl the plan's sites on the nodes; the cycle's `crawls` rows."""
        self.resume(deadline)
        sites = self.plan.sites
        self.store.abort_stale_crawls()
        self.store.sync_sites([*self.plan.sites, *self.plan.units])
        self.check_nodes()
        if len(self.down) == len(self.nodes):
            raise ClusterError("no cluster node reachable: " + "; ".join(self.down.values()))
        by_host: dict[str, list] = {}
        for s in sites:
            by_host.setdefault(s.host, []).append(s)
        crawl_ids = {s.id: self.store.begin_crawl(s.id) for s in sites}
        self.crawl_ids.extend(crawl_ids.values())
        owner = assign(by_host, list(self.nodes), set(self.down))
        for node in self.nodes:
            hosts = [h for h in by_host if owner.get(h) == node]
            for group in _split(hosts, by_host, self.cluster.jobs_per_node):
                ids = [s.id for h in group for s in by_host[h]]
                self.dispatch(node, ids, {i: crawl_ids[i] for i in ids}, attempt=1, tried=[])
        self.track(deadline)
        return self.crawl_rows(self.crawl_ids)

    def crawl_rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        cur = self.store.conn.execute(f"SELECT * FROM crawls WHERE id IN ({marks}) ORDER BY id", ids)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def check_nodes(self) -> None:
        for url, node in self.nodes.items():
            try:
                node.daemonstatus()
                self.down.pop(url, None)
            except NodeError as e:
                self._node_down(url, str(e))
                continue
            self.cancel_owed(url)

    def cancel_owed(self, url: str) -> None:
        """The node answers again: cancel its jobs that were moved to other nodes while it could
        not be told (their crawl processes may still be crawling those hosts)."""
        owed = [r[0] for r in self.store.conn.execute(
            "SELECT job_id FROM cluster_jobs WHERE node = ? AND cancel_owed = 1 ORDER BY created_at", (url,))]
        for job_id in owed:
            try:
                answer = self.nodes[url].cancel(self.cluster.project, job_id)
            except NodeError as e:
                log.warning("cluster node %s: cancelling moved job %s failed: %s", url, job_id, e)
                return
            prev = answer.get("prevstate")
            with transaction(self.store.conn):
                self.store.conn.execute("UPDATE cluster_jobs SET cancel_owed = 0, updated_at = ? WHERE job_id = ?",
                                        (clock.now_iso(), job_id))
            log.warning("cluster node %s answers again: cancelled moved job %s (it was %s there)", url, job_id,
                        prev or "no longer running")
            self._event({"event": "cancelled", "node": url, "job": job_id, "prevstate": prev})

    def _node_down(self, url: str, why: str) -> None:
        if url not in self.down:
            log.warning("cluster node down: %s", why)
            self._event({"event": "node_down", "node": url, "error": why})
        self.down[url] = why

    def _event(self, e: dict) -> None:
        if self.on_event:
            self.on_event(e)

    # -- dispatch -----------------------------------------------------------------------------------
    def dispatch(self, node: str, site_ids: list[str], crawl_ids: dict[str, int], *, attempt: int,
                 tried: list[str]) -> None:
        plan = node_job.job_plan(self.plan, [self.site(i) for i in site_ids], self.store, self.now)
        encoded = plan.encode()
        if len(encoded) > node_job.MAX_ARG and len(site_ids) > 1:  # too big for one command line: halve
            half = len(site_ids) // 2
            for part in (site_ids[:half], site_ids[half:]):
                self.dispatch(node, part, {i: crawl_ids[i] for i in part}, attempt=attempt, tried=tried)
            return
        if len(encoded) > node_job.MAX_ARG:
            known = len((plan.known or {}).get(site_ids[0], {}))
            self.store.finish_crawl(crawl_ids[site_ids[0]], "failed",
                                    f"its crawl plan ({len(encoded) // 1024} KB, {known} known articles) is larger "
                                    f"than a Scrapyd argument can be ({node_job.MAX_ARG // 1024} KB)")
            self.failed_sites[site_ids[0]] = "plan too large"
            return
        job = Job(uuid.uuid4().hex, node, site_ids, crawl_ids, attempt, tried)
        now = clock.now_iso()
        with transaction(self.store.conn):
            self.store.conn.execute(
                "INSERT INTO cluster_jobs (job_id, cycle, node, sites, crawl_ids, attempt, tried, state, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'dispatched', ?, ?)",
                (job.job_id, self.cycle, node, json.dumps(site_ids), json.dumps(crawl_ids), attempt,
                 json.dumps(tried), now, now))
        self.jobs[job.job_id] = job
        try:
            self.nodes[node].schedule(self.cluster.project, node_job.SPIDER, {"plan": encoded},
                                      node_job.node_settings(plan), jobid=job.job_id)
            self._event({"event": "dispatched", "node": node, "job": job.job_id, "sites": site_ids})
        except NodeError as e:  # a timeout may still have scheduled it there: cancel it
            self._node_down(node, str(e))
            self.move(job, str(e), cancel=True)

    def move(self, job: Job, why: str, *, cancel: bool = False) -> None:
        """The job failed on its node: its hosts go to the next node of their rankings. `cancel`:
        the job may still run there; cancel it now, or once the node answers again."""
        self.jobs.pop(job.job_id, None)
        owed = cancel and not self._cancel(job)
        self._set_state(job.job_id, "moved", why, cancel_owed=owed)
        self._event({"event": "moved", "node": job.node, "job": job.job_id, "error": why})
        tried = [*job.tried, job.node]
        crawl_ids = dict(job.crawl_ids)
        if self.store.ingest_mark(job.job_id):  # part of its feed is stored: continue in new crawl rows
            for sid, cid in crawl_ids.items():
                self.store.finish_crawl(cid, "aborted", f"cluster node lost mid-ingest ({why}); crawled again")
                crawl_ids[sid] = self.store.begin_crawl(sid)
                self.crawl_ids.append(crawl_ids[sid])
        groups: dict[str, list[str]] = {}
        for sid in job.sites:
            host = self.site(sid).host
            nxt = next_node(host, [n for n in self.nodes if n not in self.down], set(tried))
            if nxt is None:
                self.store.finish_crawl(crawl_ids[sid], "failed", f"no cluster node could crawl it: {why}")
                self.failed_sites[sid] = why
            else:
                groups.setdefault(nxt, []).append(sid)
        for node, ids in groups.items():
            self.dispatch(node, ids, {i: crawl_ids[i] for i in ids}, attempt=job.attempt + 1, tried=tried)

    def _set_state(self, job_id: str, state: str, error: str | None = None, *, cancel_owed: bool = False) -> None:
        with transaction(self.store.conn):
            self.store.conn.execute(
                "UPDATE cluster_jobs SET state = ?, error = ?, cancel_owed = ?, updated_at = ? WHERE job_id = ?",
                (state, error, int(cancel_owed), clock.now_iso(), job_id))

    # -- tracking -------------------------------------------------------------------------------------
    def track(self, deadline: float | None = None) -> None:
        """Poll the nodes until every job is ingested or moved on (or the deadline passes)."""
        while self.jobs:
            if deadline is not None and time.monotonic() > deadline:
                self.abandon("the crawl timeout passed")
                return
            for node in sorted({j.node for j in self.jobs.values()}):
                mine = [j for j in self.jobs.values() if j.node == node]
                if node in self.down:  # struck while this round moved other jobs: these may run there too
                    for j in mine:
                        self.move(j, self.down[node], cancel=True)
                    continue
                try:
                    state = self.nodes[node].job_states(self.cluster.project)
                    self.strikes.pop(node, None)
                except NodeError as e:
                    # refused or malformed: the node is faulty; a timeout may be a busy node: three in a row
                    self.strikes[node] = self.strikes.get(node, 0) + 1
                    faulty = isinstance(e, MalformedAnswer) or "unreachable" in str(e)
                    if not faulty and self.strikes[node] < STRIKES:
                        continue
                    self._node_down(node, str(e))
                    for j in mine:
                        self.move(j, str(e), cancel=True)
                    continue
                for j in mine:
                    s = state.get(j.job_id)
                    if s == "finished":
                        self.collect(j)
                    elif s is None:
                        self.move(j, f"{node}: job {j.job_id} unknown to the node (restarted?)")
                    elif time.monotonic() - j.started > self.cluster.job_timeout:
                        self.move(j, f"{node}: job {j.job_id} still {s} after {self.cluster.job_timeout:g}s",
                                  cancel=True)
            self.polls += 1
            if self.polls % RECHECK_POLLS == 0:
                self.recheck_down()
            if self.jobs and self.stop.wait(self.cluster.poll_interval):
                raise KeyboardInterrupt

    def recheck_down(self) -> None:
        """Ask the down nodes that owe cancels whether they answer again (they get no new jobs
        this cycle)."""
        for url in sorted(self.down):
            if self.store.conn.execute("SELECT 1 FROM cluster_jobs WHERE node = ? AND cancel_owed = 1 LIMIT 1",
                                       (url,)).fetchone() is None:
                continue
            try:
                self.nodes[url].daemonstatus()
            except NodeError:
                continue
            self.cancel_owed(url)

    def _cancel(self, job: Job) -> bool:
        """Best effort: a node that still runs a job we give up on should stop crawling its hosts.
        False: the node did not answer (the cancel is owed, see cancel_owed)."""
        try:
            self.nodes[job.node].cancel(self.cluster.project, job.job_id)
            return True
        except NodeError:
            return False

    def abandon(self, why: str) -> None:
        """Give up the cycle: its jobs are cancelled (or owe a cancel), its open rows 'aborted'."""
        for j in list(self.jobs.values()):
            self._set_state(j.job_id, "failed", why, cancel_owed=not self._cancel(j))
            for cid in j.crawl_ids.values():
                self.store.finish_crawl(cid, "aborted", f"cluster job {why}")
            self.jobs.pop(j.job_id)
        for cid in self.crawl_ids:  # rows of sites not dispatched yet
            if self.store.conn.execute("SELECT 1 FROM crawls WHERE id = ? AND outcome = 'running'", (cid,)).fetchone():
                self.store.finish_crawl(cid, "aborted", f"cluster cycle {why}")

    def collect(self, job: Job) -> None:
        """A finished job: fetch its feed; complete → ingest, else → move its hosts on."""
        try:
            raw = self.nodes[job.node].feed(self.cluster.project, node_job.SPIDER, job.job_id)
        except NodeError as e:
            self._node_down(job.node, str(e))
            self.move(job, str(e))
            return
        if raw is None:
            self.move(job, f"{job.node}: job {job.job_id} ended without a feed (is items_dir set?)")
            return
        try:
            items = parse_feed(raw)
        except ValueError as e:  # the node sent what no Scrapyd feed holds: the node is faulty
            why = f"{job.node}: feed of job {job.job_id} is malformed ({e})"
            self._node_down(job.node, why)
            self.move(job, why)
            return
        done = {it.site_id for it in items if getattr(it, "kind", None) == "crawl_finished"}
        if not set(job.sites) <= done:
            self.move(job, f"{job.node}: job {job.job_id} ended before finishing its sites (crawl process died?)")
            return
        self.ingest(job, items)
        self.jobs.pop(job.job_id, None)
        self._set_state(job.job_id, "ingested")
        self._event({"event": "ingested", "node": job.node, "job": job.job_id, "lines": len(items)})

    def ingest(self, job: Job, lines: list) -> None:
        """Store the feed's lines after the job's mark, a batch per transaction with its mark."""
        store = self.store
        start = store.ingest_mark(job.job_id)
        hold = int(os.environ.get(HOLD_ENV) or 0)
        size = int(os.environ.get("PORTALWATCH_INGEST_BATCH") or INGEST_BATCH)
        store.prime(job.crawl_ids)
        if start:  # a coordinator died mid-ingest: what its stored lines left missing
            store.replay_gaps(lines[:start])
        batch_no = 0
        for lo in range(start, len(lines), size):
            chunk = lines[lo:lo + size]
            items = list(chunk)
            batch_no += 1
            with transaction(store.conn):
                store.apply(items, job.crawl_ids, ingest_mark=(job.job_id, lo + len(chunk)))
                if hold and batch_no == hold:
                    print(f"holding in batch {batch_no} of job {job.job_id}", flush=True)
                    threading.Event().wait()  # until killed

    # -- after a coordinator died -----------------------------------------------------------------------
    def resume(self, deadline: float | None = None) -> int:
        """Track and ingest the jobs a previous coordinator left 'dispatched' (how many), and send
        the cancels owed to nodes that answer now."""
        for url in [r[0] for r in self.store.conn.execute(
                "SELECT DISTINCT node FROM cluster_jobs WHERE cancel_owed = 1 ORDER BY node")]:
            if url in self.nodes:
                self.cancel_owed(url)
        rows = self.store.conn.execute(
            "SELECT job_id, node, sites, crawl_ids, attempt, tried FROM cluster_jobs WHERE state = 'dispatched'"
        ).fetchall()
        for job_id, node, sites, crawl_ids, attempt, tried in rows:
            job = Job(job_id, node, json.loads(sites), {k: int(v) for k, v in json.loads(crawl_ids).items()},
                      attempt, json.loads(tried), started=time.monotonic())
            gone = [sid for sid in job.sites if sid not in self.sites]
            why = (f"{node} is no longer in [cluster] nodes" if node not in self.nodes
                   else f"site {gone[0]!r} is no longer configured" if gone else None)
            if why:
                log.warning("cluster job %s left by an earlier coordinator not resumed: %s", job_id, why)
                self._set_state(job_id, "failed", why, cancel_owed=node in self.nodes)
                for cid in job.crawl_ids.values():
                    self.store.finish_crawl(cid, "aborted", why)
                continue
            self.jobs[job_id] = job
        if self.jobs:  # dispatched under an earlier run's leases, not this one's: not checked against it
            lease, self.store.lease = self.store.lease, None
            try:
                self.track(deadline)
            finally:
                self.store.lease = lease
        return len(rows)


def parse_feed(raw: bytes) -> list:
    """A job's JSON Lines feed as crawler.items; ValueError naming the first line that is not one
    (cut mid-line, not UTF-8, not JSON, not an item): a feed is ingested whole or not at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 at byte {e.start}") from None
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            if not isinstance(d, dict):
                raise ValueError(f"a JSON {type(d).__name__}, expected an object")
            items.append(from_dict(d))
        except (ValueError, TypeError) as e:
            raise ValueError(f"line {n}: {str(e)[:160]}") from None
    return items


def _split(hosts: list[str], by_host: dict[str, list], n: int) -> list[list[str]]:
    """Hosts into at most n groups balanced by number of sites (a host stays in one group)."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(n, len(hosts))))]
    sizes = [0] * len(groups)
    for h in sorted(hosts, key=lambda h: (-len(by_host[h]), h)):
        i = sizes.index(min(sizes))
        groups[i].append(h)
        sizes[i] += len(by_host[h])
    return [g for g in groups if g]
