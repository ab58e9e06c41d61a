"""The crawl backend of a `[cluster]`: the Scrapyd nodes crawl the plan, as one cycle of
monitor.cluster.coordinator.Coordinator (docs/scaling-out.md); the result is reported like a local
crawl's."""

from __future__ import annotations

import logging
import os
import time

from crawler.plan import CrawlPlan
from monitor.cluster.coordinator import ClusterError, Coordinator
from monitor.cluster.scrapyd import NodeError
from monitor.config import Cluster
from monitor.crawl.outcome import CrawlResult, interrupted, max_crawl_id

log = logging.getLogger(__name__)


class ScrapydCluster:
    """The nodes of `[cluster]` crawl the plan's sites, every list walked fully (each node job's
    plan asks for full walks); progress lines are not reported."""

    follows_revisit = False

    def __init__(self, cluster: Cluster):
        self.cluster = cluster

    def run(self, plan: CrawlPlan, db: str | os.PathLike, timeout: float | None = None,
            on_progress=None) -> CrawlResult:
        before = max_crawl_id(db)
        started = time.monotonic()
        deadline = started + timeout if timeout else None
        co = Coordinator(self.cluster, db, plan)
        try:
            rows = co.run(deadline)
        except ClusterError as e:
            return CrawlResult(returncode=2, seconds=time.monotonic() - started, stderr_tail=str(e))
        except (NodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            # a node's answer the coordinator did not foresee: the cycle's rows are closed, not left running
            why = f"cluster cycle failed: {type(e).__name__}: {str(e)[:300]}"
            log.error("%s", why)
            co.abandon(why)
            return CrawlResult(returncode=2, seconds=time.monotonic() - started, stderr_tail=why)
        except KeyboardInterrupt as e:  # Ctrl-C / SIGTERM: cancel the jobs, the rows become 'aborted'
            co.abandon("interrupted")
            co.close()
            raise interrupted(db, [os.getpid()], before, e) from None
        finally:
            co.close()
        timed_out = deadline is not None and time.monotonic() > deadline
        return CrawlResult(returncode=0, seconds=time.monotonic() - started, crawls=rows, timed_out=timed_out)

