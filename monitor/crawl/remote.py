"""A crawl on the `[cluster]` Scrapyd nodes, as monitor.crawl.runner.crawl reports one: the
cycle is run by monitor.cluster.coordinator.Coordinator (docs/scaling-out.md)."""

from __future__ import annotations

import os
import time

from crawler import clock
from monitor.cluster.coordinator import ClusterError, Coordinator
from monitor.config import Config, ConfigError, load_config
from monitor.crawl.outcome import CrawlResult, interrupted, max_crawl_id


def cluster_of(config_path) -> Config | None:
    """The loaded config when it has a [cluster] with nodes (else None; errors surface later)."""
    try:
        config = config_path if isinstance(config_path, Config) else load_config(config_path)
    except ConfigError:
        return None
    return config if config.cluster is not None else None


def crawl_cluster(config: Config, db, sites: list[str] | None = None, *, timeout: float | None = None,
                  env: dict[str, str] | None = None, on_progress=None):
    """monitor.crawl.runner.crawl's result, for a cycle on the [cluster] nodes."""
    before = max_crawl_id(db)
    pinned = (env or {}).get("PORTALWATCH_NOW") or os.environ.get("PORTALWATCH_NOW")
    now = clock.parse_iso(pinned) if pinned else None
    started = time.monotonic()
    deadline = started + timeout if timeout else None
    co = Coordinator(config, db, now=now)
    try:
        rows = co.run(sites, deadline)
    except ClusterError as e:
        return CrawlResult(returncode=2, seconds=time.monotonic() - started, stderr_tail=str(e))
    except KeyboardInterrupt as e:  # Ctrl-C / SIGTERM: cancel the jobs, the rows become 'aborted'
        co.abandon("interrupted")
        co.close()
        raise interrupted(db, [os.getpid()], before, e) from None
    finally:
        co.close()
    timed_out = deadline is not None and time.monotonic() > deadline
    return CrawlResult(returncode=0, seconds=time.monotonic() - started, crawls=rows, timed_out=timed_out)
