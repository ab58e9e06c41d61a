"""Cluster commands: status of the Scrapyd nodes, deploy the egg, resume an interrupted cycle.

With a `[cluster]` table in sites.toml, `portalwatch crawl` and the service crawl on the nodes
(docs/scaling-out.md); these commands look after them.
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from monitor.cli.context import Ctx, UsageProblem, console, pass_ctx
from monitor.config import ConfigError
from monitor.terminal import term


def _cluster(obj: Ctx):
    cluster = obj.config.cluster
    if cluster is None:
        raise UsageProblem(f"{obj.config_path}: no [cluster] table with nodes (see docs/scaling-out.md)")
    return cluster


def _nodes(obj: Ctx):
    from monitor.cluster.scrapyd import Node

    cluster = _cluster(obj)
    try:
        auth = cluster.auth()
    except ConfigError as e:
        raise UsageProblem(str(e)) from None
    return cluster, [Node(u, auth=auth, timeout=cluster.timeout) for u in cluster.nodes]


@click.group(short_help="Crawl on Scrapyd nodes: status, deploy, resume.")
def cluster() -> None:
    """Crawl on Scrapyd nodes: status, deploy, resume."""


@cluster.command("status", short_help="Nodes, their jobs, queue depth and the last error.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def cluster_status(obj: Ctx, as_json: bool) -> None:
    """Each node: reachable or not, its jobs (pending, running, finished), queue depth, the deployed
    version, the coordinator's jobs on it still being tracked and the last error.

    \b
    Example:
      portalwatch cluster status
    """
    from pathlib import Path

    from monitor.cluster.scrapyd import NodeError

    db_path = obj.db_path  # a damaged --db is named before anything else
    cluster, nodes = _nodes(obj)
    ours: dict[str, dict] = {}
    if Path(db_path).exists():
        from monitor.store.connect import open_db

        db = open_db(obj.db_path, readonly=True)
        try:
            if db["cluster_jobs"].exists():
                for r in db.query("SELECT node, state, COUNT(*) AS n FROM cluster_jobs GROUP BY node, state"):
                    ours.setdefault(r["node"], {})[r["state"]] = r["n"]
                for r in db.query("SELECT node, error, updated_at FROM cluster_jobs WHERE error IS NOT NULL"
                                  " ORDER BY updated_at"):
                    ours.setdefault(r["node"], {})["last_error"] = f"{r['updated_at']} {r['error']}"
        finally:
            db.conn.close()
    rows = []
    for node in nodes:
        row: dict = {"node": node.url, "reachable": False, "pending": None, "running": None, "finished": None,
                     "version": None, "dispatched": ours.get(node.url, {}).get("dispatched", 0),
                     "ingested": ours.get(node.url, {}).get("ingested", 0),
                     "last_error": ours.get(node.url, {}).get("last_error")}
        try:
            status = node.daemonstatus()
            row.update(reachable=True, node_name=status.get("node_name"))
            if cluster.project in node.listprojects():  # else: not deployed yet (cluster deploy)
                jobs = node.listjobs(cluster.project)
                versions = node.listversions(cluster.project)
                row.update(pending=len(jobs.get("pending", [])), running=len(jobs.get("running", [])),
                           finished=len(jobs.get("finished", [])), version=versions[-1] if versions else None)
        except NodeError as e:
            row["last_error"] = str(e)
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Cluster (project {cluster.project})")
    for col in ("node", "up", "queue", "running", "finished", "version", "tracked", "ingested", "last error"):
        table.add_column(col, justify="right" if col in ("queue", "running", "finished", "tracked", "ingested") else "left")
    for r in rows:
        table.add_row(
            term(r["node"]), "[green]yes[/]" if r["reachable"] else "[red]no[/]",
            *(str(r[k]) if r[k] is not None else "-" for k in ("pending", "running", "finished")),
            term(r["version"] or ("not deployed" if r["reachable"] else "-")),
            str(r["dispatched"]), str(r["ingested"]), term(r["last_error"] or ""),
        )
    console.print(table)


@cluster.command("deploy", short_help="Build the egg and upload it to every node.")
@click.option("--version", "version", default=None, help="Version to upload as (default: a timestamp).")
@click.option("--egg", "egg_out", type=click.Path(dir_okay=False), default=None,
              help="Also write the egg to this file.")
@pass_ctx
def cluster_deploy(obj: Ctx, version: str | None, egg_out: str | None) -> None:
    """Build the project's egg (crawler + monitor) and upload it to every node (addversion.json).

    Exit status 1 when a node refused it or was unreachable.

    \b
    Example:
      portalwatch cluster deploy
    """
    from monitor.cluster.egg import build_egg, deploy

    cluster, nodes = _nodes(obj)
    try:
        egg, version = build_egg(version)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    if egg_out:
        with open(egg_out, "wb") as f:
            f.write(egg)
    results = deploy(nodes, cluster.project, egg, version)
    for url, res in results.items():
        console.print(f"{term(url)}: {term(res)}", soft_wrap=True)
    bad = [u for u, r in results.items() if r.startswith("error")]
    if bad:
        raise click.ClickException(f"deploy of version {version} failed on {len(bad)} of {len(results)} node(s)")
    console.print(f"deployed {cluster.project} version {version} ({len(egg) // 1024} KB) to {len(results)} node(s)")


@cluster.command("resume", short_help="Finish an interrupted cycle from its ingest marks.")
@pass_ctx
def cluster_resume(obj: Ctx) -> None:
    """Finish the jobs an interrupted coordinator left (ingest their feeds from where it stopped).
    Every cluster crawl does this first by itself.

    \b
    Example:
      portalwatch cluster resume
    """
    from monitor.cluster.coordinator import ClusterError, Coordinator
    from monitor.crawl.planner import build_plan

    db_path = obj.db_path  # a damaged --db is named before anything else
    cluster = _cluster(obj)
    try:  # the plan names every configured site: a job moved to another node is planned from it
        co = Coordinator(cluster, db_path, build_plan(obj.config, None, None, walks=False))
    except ClusterError as e:
        raise UsageProblem(str(e)) from None
    try:
        n = co.resume()
    finally:
        co.close()
    console.print(f"resumed {n} job(s)" if n else "nothing to resume")
