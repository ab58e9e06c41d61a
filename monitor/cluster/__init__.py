"""Crawling on Scrapyd nodes: the coordinator keeps SQLite, the nodes hold no database.

- ring.py: which node crawls which host (rendezvous hashing);
- scrapyd.py: the Scrapyd JSON API (schedule, listjobs, cancel, feeds, addversion);
- node_job.py: what a node's job gets (its plan, its Scrapy settings, the spider's name);
- coordinator.py: one cycle: dispatch, track, re-dispatch, ingest through Store.apply;
- egg.py: build and upload the project's egg.
"""
