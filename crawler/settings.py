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

EXTENSIONS = {
    "crawler.progress.Progress": 500,
    # the periodic INFO lines and memory checks are noise at LOG_LEVEL WARNING
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
}
# Work per request that the spider does not use: depth bookkeeping, the meta-copy warning for
# spider authors, HTTP auth (no site has credentials)
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Requests are taken host by host, the least busy host first, in constant time however many
# hosts a crawl has (crawler/queues.py); Scrapy's DownloaderAwarePriorityQueue scans every host
# per request
SCHEDULER_PRIORITY_QUEUE = "crawler.queues.HostQueue"
# the per-host delay counts from the end of the previous response (crawler/downloader.py)
DOWNLOADER = "crawler.downloader.PoliteDownloader"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # robots.txt as Scrapy obeys it, kept between crawls (crawler/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.CachedRobotsTxt": 100,
    # process_response runs from high to low: HostGuard sees a redirect before RedirectMiddleware
    # (600) follows it, RetryAfter sees a 429 before RetryMiddleware (550) retries it at once
    "crawler.middlewares.HostGuard": 650,
    # first of all: a site given up mid-crawl (its lease lost) sends nothing more, not even robots.txt
    "crawler.middlewares.DroppedSites": 50,
    "crawler.middlewares.RetryAfter": 595,
}
RETRY_AFTER_MAX = 300  # seconds a host may ask us to wait (Retry-After); more: skipped this crawl
PORTALWATCH_ROBOTS_CACHE = None  # folder of cached robots.txt files; the child sets <db>.robots
PORTALWATCH_ROBOTS_CACHE_HOURS = 24.0  # RFC 9309: a cached copy SHOULD NOT be used over 24 h
