"""Polite defaults for crawling government portals. Per-run values come from the crawl plan
(crawler.run_settings.crawl_settings); the monitor adds its store pipeline (monitor/crawl/child.py)."""

BOT_NAME = "portalwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "portalwatch/0.1 (+https://github.com/portalwatch/portalwatch)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
CONCURRENT_ITEMS = 16  # items per response processed in parallel; each is an asyncio task
DOWNLOAD_DELAY = 0
# `delay` is a floor between requests to one host; Scrapy's default jitter (0.5-1.5 x delay)
# would halve it (the national simulator's politeness recorder measured exactly that).
DOWNLOAD_DELAY_JITTER = 0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The spider handles these itself: 304 (conditional revisit), 404/410 (removed articles).
HTTPERROR_ALLOWED_CODES = [304, 404, 410]

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

EXTENSIONS = {"crawler.progress.Progress": 500}
DOWNLOADER_MIDDLEWARES = {
    # process_response runs from high to low: HostGuard sees a redirect before RedirectMiddleware
    # (600) follows it, RetryAfter sees a 429 before RetryMiddleware (550) retries it at once
    "crawler.middlewares.HostGuard": 650,
    "crawler.middlewares.RetryAfter": 595,
}
RETRY_AFTER_MAX = 300  # seconds a host may ask us to wait (Retry-After); more: skipped this crawl
