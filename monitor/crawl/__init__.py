"""Running crawls, one way for every caller: the plan (planner.py), the backend that runs it
(backends.py: local children in local.py, Scrapyd nodes in remote.py), the leases and the run
(runner.py), and the child process that runs Scrapy (child.py, pipeline.py)."""
