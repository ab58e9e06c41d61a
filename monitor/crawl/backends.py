"""What runs a crawl plan (`Backend`), and the one place that chooses it (`backend_for`): one local
child process (monitor.crawl.local.LocalChild), several with the sites sharded by host
(ShardedChildren, `portalwatch crawl -j N`), or the `[cluster]`'s Scrapyd nodes
(monitor.crawl.remote.ScrapydCluster)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from crawler.plan import CrawlPlan
from monitor.config import Config
from monitor.crawl.local import LocalChild, ShardedChildren
from monitor.crawl.outcome import CrawlResult
from monitor.crawl.remote import ScrapydCluster


class Backend(Protocol):
    """What runs a crawl plan."""

    follows_revisit: bool  # walks each site's lists as deep as the plan says (False: always fully)

    def run(self, plan: CrawlPlan, db: str | os.PathLike, timeout: float | None = None,
            on_progress: Callable[[dict], None] | None = None) -> CrawlResult:
        """Crawl the plan's sites into `db`; killed after `timeout` seconds."""
        ...


def backend_for(config: Config, processes: int = 1) -> Backend:
    """The configuration's backend: its `[cluster]` nodes when it has them, else local children
    (`processes` of them, the sites sharded by host)."""
    if config.cluster is not None:
        return ScrapydCluster(config.cluster)
    if processes > 1:
        return ShardedChildren(processes)
    return LocalChild()
