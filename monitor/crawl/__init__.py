"""Running crawls: the child process that runs Scrapy, and live progress."""
